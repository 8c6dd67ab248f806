//! `ruleport check`, the CI gate for a detection repository: every rule loads, every test
//! gives its expected result, every target compiles (or states a known limit), the SQLite
//! output gives the same verdicts when executed, and, with `--golden`, every artifact is
//! the reviewed one.

mod golden;
mod output;

pub use output::{render_github, render_human, render_junit};

use std::path::Path;

use serde::Serialize;

use crate::backend::{CompileError, Context, compile};
use crate::compiler::file_stem;
use crate::diagnostic::{Diagnostic, render};
use crate::rule::{Catalog, LoadedFile, Rule};
use crate::sigma::yaml::Kind;
use crate::source::{SourceFile, Span};
use crate::target::{Dialect, Target};
use crate::verify::sqlite::Sqlite;

/// How serious a finding is: errors fail the check, notes do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    /// A known limit: a target that cannot express a rule.
    Note,
}

/// One problem, located in a rule file.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub file: String,
    pub rule_id: Option<String>,
    pub level: Level,
    /// What was checked: `load`, `tests`, `test`, `compile`, `sqlite` or `golden`.
    pub kind: &'static str,
    pub message: String,
    pub line: usize,
    pub column: usize,
    /// The caret report, for the human format.
    #[serde(skip)]
    pub rendered: String,
}

/// One check that passed or failed, for JUnit: suite is the rule, name what was checked.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    pub suite: String,
    pub name: String,
    pub failure: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub rules: usize,
    pub findings: Vec<Finding>,
    #[serde(skip)]
    pub cases: Vec<Case>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.level == Level::Error)
            .count()
    }
}

/// Checks every rule file of the catalog.
pub fn check(catalog: &Catalog, cx: &Context<'_>, golden_dir: Option<&Path>) -> Report {
    let mut report = Report {
        rules: catalog.files.len(),
        ..Report::default()
    };
    let mut produced = Vec::new();
    for file in &catalog.files {
        let mut checker = Checker {
            file,
            report: &mut report,
        };
        if let Some(artifacts) = checker.check_file(cx) {
            produced.extend(artifacts);
        }
    }
    if let Some(dir) = golden_dir {
        golden::compare(dir, catalog, &produced, &mut report);
    }
    report
}

/// Checks one file, adding findings and cases to the report.
struct Checker<'a> {
    file: &'a LoadedFile,
    report: &'a mut Report,
}

impl Checker<'_> {
    fn suite(&self) -> String {
        self.file
            .rule
            .as_ref()
            .map_or_else(|| self.path(), |rule| rule.meta.rule_id.clone())
    }

    fn path(&self) -> String {
        self.file.source.path.display().to_string()
    }

    fn case(&mut self, name: String, failure: Option<String>) {
        let suite = self.suite();
        self.report.cases.push(Case {
            suite,
            name,
            failure,
        });
    }

    fn finding(&mut self, level: Level, kind: &'static str, diagnostic: Diagnostic) {
        let location = diagnostic.location(&self.file.source);
        let rendered = render(&self.file.source, std::slice::from_ref(&diagnostic));
        self.report.findings.push(Finding {
            file: self.path(),
            rule_id: self
                .file
                .rule
                .as_ref()
                .map(|rule| rule.meta.rule_id.clone()),
            level,
            kind,
            message: location.message,
            line: location.line,
            column: location.column,
            rendered,
        });
    }

    /// Runs every check on the file; returns its artifacts (golden path to content) when
    /// the rule loaded.
    fn check_file(&mut self, cx: &Context<'_>) -> Option<Vec<(String, String)>> {
        for error in &self.file.errors {
            self.finding(Level::Error, "load", error.clone());
        }
        self.case(
            "loads".into(),
            self.file.errors.first().map(|error| error.message.clone()),
        );
        let rule = self
            .file
            .rule
            .as_ref()
            .filter(|_| self.file.errors.is_empty())?;

        self.check_test_coverage(rule);
        self.check_tests(rule);
        let stem = file_stem(&self.file.source.path);
        let mut artifacts = Vec::new();
        for target in Target::all() {
            artifacts.extend(self.check_target(rule, &stem, target, cx));
        }
        Some(artifacts)
    }

    fn check_test_coverage(&mut self, rule: &Rule) {
        let has = |verdict: bool| {
            rule.meta
                .tests
                .iter()
                .any(|test| test.expected_result == verdict)
        };
        let problem = match (has(true), has(false)) {
            (false, false) => Some("the rule has no tests"),
            (false, true) => Some("the rule has no test that must alert (ExpectedResult: true)"),
            (true, false) => {
                Some("the rule has no test that must not alert (ExpectedResult: false)")
            }
            (true, true) => None,
        };
        if let Some(problem) = problem {
            let diagnostic = self
                .at_key(Diagnostic::new(problem), "Tests", "RuleID")
                .with_hint(
                    "add events that pin both verdicts, and the edge cases the rule depends on",
                );
            self.finding(Level::Error, "tests", diagnostic);
        }
        self.case(
            "has alerting and non-alerting tests".into(),
            problem.map(String::from),
        );
    }

    fn check_tests(&mut self, rule: &Rule) {
        for (index, test) in rule.meta.tests.iter().enumerate() {
            let actual = rule.evaluator().matches(&test.log);
            let failure = (actual != test.expected_result).then(|| {
                format!(
                    "test \"{}\": expected {}, the rule gives {actual}",
                    test.name, test.expected_result
                )
            });
            if let Some(message) = &failure {
                let diagnostic = Diagnostic::new(message.clone());
                let diagnostic = match test_span(&self.file.source, index) {
                    Some(span) => diagnostic.at(span),
                    None => self.at_key(diagnostic, "Tests", "RuleID"),
                };
                self.finding(Level::Error, "test", diagnostic);
            }
            self.case(format!("test: {}", test.name), failure);
        }
    }

    /// Compiles one target; for SQLite also runs the query on every test event.
    fn check_target(
        &mut self,
        rule: &Rule,
        stem: &str,
        target: Target,
        cx: &Context<'_>,
    ) -> Vec<(String, String)> {
        let name = format!("compiles for {target}");
        match compile(rule, stem, target, cx) {
            Ok(artifacts) => {
                if target == Target::Sql(Dialect::Sqlite)
                    && let Some(sql) = artifacts.first()
                {
                    self.check_sqlite(rule, &sql.content, cx);
                }
                self.case(name, None);
                artifacts
                    .into_iter()
                    .map(|artifact| {
                        (
                            format!("{target}/{}", artifact.path.display()),
                            artifact.content,
                        )
                    })
                    .collect()
            }
            Err(error @ CompileError::Unsupported { .. }) => {
                let diagnostic = error.to_diagnostic(rule, target).as_note();
                let note = render(&self.file.source, std::slice::from_ref(&diagnostic));
                self.finding(Level::Note, "compile", diagnostic);
                self.case(name, None);
                vec![(format!("{target}/{stem}.unsupported"), note)]
            }
            Err(error) => {
                let diagnostic = error.to_diagnostic(rule, target);
                let message = diagnostic.message.clone();
                self.finding(Level::Error, "compile", diagnostic);
                self.case(name, Some(message));
                Vec::new()
            }
        }
    }

    fn check_sqlite(&mut self, rule: &Rule, sql: &str, cx: &Context<'_>) {
        let table = crate::backend::sql::table_name(rule, cx);
        for (index, test) in rule.meta.tests.iter().enumerate() {
            let evaluator = rule.evaluator().matches(&test.log);
            let failure = match Sqlite::open(&table).and_then(|db| db.matches(sql, &test.log)) {
                Ok(verdict) if verdict == evaluator => None,
                Ok(verdict) => Some(format!(
                    "test \"{}\": the SQLite query gives {verdict}, the evaluator {evaluator}",
                    test.name
                )),
                Err(error) => Some(format!(
                    "test \"{}\": the SQLite query fails: {error}",
                    test.name
                )),
            };
            if let Some(message) = &failure {
                let diagnostic = Diagnostic::new(message.clone()).with_hint(
                    "SQLite cannot tell some events apart as the evaluator does; the SQL \
                     target's docs (docs/targets/sql.md) list them, such as letters outside \
                     ASCII, which SQLite's lower() does not fold",
                );
                let diagnostic = match test_span(&self.file.source, index) {
                    Some(span) => diagnostic.at(span),
                    None => self.at_key(diagnostic, "Condition", "RuleID"),
                };
                self.finding(Level::Error, "sqlite", diagnostic);
            }
            self.case(format!("sqlite: {}", test.name), failure);
        }
    }

    /// Points a diagnostic at a top-level key, or a fallback key.
    fn at_key(&self, diagnostic: Diagnostic, key: &str, fallback: &str) -> Diagnostic {
        let text = &self.file.source.text;
        match crate::rule::key_span(text, key).or_else(|| crate::rule::key_span(text, fallback)) {
            Some(span) => diagnostic.at(span),
            None => diagnostic,
        }
    }
}

/// The span of the `Name` of the test at `index` in the rule file, however the test is
/// written (block or flow mapping, quoted name or not), read from the file's YAML tree.
fn test_span(file: &SourceFile, index: usize) -> Option<Span> {
    let documents = crate::sigma::yaml::parse_documents(file).ok()?;
    let tests = documents.first()?.get("Tests")?;
    let Kind::Sequence(items) = &tests.kind else {
        return None;
    };
    let (_, name) = items.get(index)?.entry("Name")?;
    Some(name.span.clone())
}
