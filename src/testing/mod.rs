//! `ruleport test`: runs every rule's test events through the evaluator.
//!
//! [`run`] produces a [`Report`] as data; `human` and `json` render it.

mod human;

pub use human::render_human;

use serde::Serialize;

use crate::diagnostic::Location;
use crate::eval::case_mismatches;
use crate::rule::{Catalog, LoadedFile, Rule, RuleTest};

#[derive(Debug, Serialize)]
pub struct Report {
    pub rules: Vec<RuleReport>,
    /// Tests that gave their expected result.
    pub passed: usize,
    /// Tests that did not, plus one for every rule that could not be loaded.
    pub failed: usize,
}

#[derive(Debug, Serialize)]
pub struct RuleReport {
    pub file: String,
    pub rule_id: Option<String>,
    pub tests: Vec<TestReport>,
    pub errors: Vec<Location>,
    /// Errors rendered as caret reports, for the human format only.
    #[serde(skip)]
    pub rendered_errors: String,
}

#[derive(Debug, Serialize)]
pub struct TestReport {
    pub name: String,
    pub expected: bool,
    pub actual: bool,
    pub passed: bool,
    /// Keys the rule reads that the event has only in another case.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
}

impl Report {
    pub fn is_success(&self) -> bool {
        self.failed == 0
    }
}

/// Runs the tests of every rule in the catalog.
pub fn run(catalog: &Catalog) -> Report {
    let rules: Vec<RuleReport> = catalog.files.iter().map(run_file).collect();
    let passed = rules
        .iter()
        .flat_map(|rule| &rule.tests)
        .filter(|test| test.passed)
        .count();
    let failed_tests = rules
        .iter()
        .flat_map(|rule| &rule.tests)
        .filter(|test| !test.passed)
        .count();
    let broken = rules.iter().filter(|rule| !rule.errors.is_empty()).count();
    Report {
        rules,
        passed,
        failed: failed_tests + broken,
    }
}

fn run_file(file: &LoadedFile) -> RuleReport {
    let tests = match &file.rule {
        Some(rule) => rule
            .meta
            .tests
            .iter()
            .map(|test| run_test(rule, test))
            .collect(),
        None => Vec::new(),
    };
    RuleReport {
        file: file.source.path.display().to_string(),
        rule_id: file.rule.as_ref().map(|rule| rule.meta.rule_id.clone()),
        tests,
        errors: file
            .errors
            .iter()
            .map(|error| error.location(&file.source))
            .collect(),
        rendered_errors: crate::diagnostic::render(&file.source, &file.errors),
    }
}

fn run_test(rule: &Rule, test: &RuleTest) -> TestReport {
    let actual = rule.evaluator().matches(&test.log);
    let passed = actual == test.expected_result;
    let hints = if passed {
        Vec::new()
    } else {
        let mismatches = case_mismatches(&rule.ir, &test.log).into_iter();
        mismatches
            .map(|(path, actual)| {
                format!(
                    "the rule reads `{path}`, but the event has `{actual}`: keys are case-sensitive"
                )
            })
            .collect()
    };
    TestReport {
        name: test.name.clone(),
        expected: test.expected_result,
        actual,
        passed,
        hints,
    }
}
