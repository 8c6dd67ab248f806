//! What `verify` checks: each rule with its test events, from the catalog or from a file of
//! conformance cases (each case becomes a one-test rule).

use serde::Deserialize;
use serde_json::Value;

use crate::rule::{Catalog, Rule, rule_from_condition};
use crate::source::SourceFile;

/// A rule and the events to run it on.
pub struct Subject {
    pub file: String,
    pub rule: Rule,
    pub probes: Vec<Probe>,
}

/// One event, with the verdicts it must get.
pub struct Probe {
    pub name: String,
    pub event: Value,
    /// The test's `ExpectedResult`.
    pub expected: bool,
    /// Engines documented to differ from the evaluator on this event.
    pub divergence_allowed: Vec<String>,
}

/// Every loaded rule of the catalog with its tests.
pub fn subjects_from_catalog(catalog: &Catalog) -> Vec<Subject> {
    catalog
        .files
        .iter()
        .filter_map(|file| {
            let rule = file.rule.clone().filter(|_| file.errors.is_empty())?;
            let probes = rule
                .meta
                .tests
                .iter()
                .map(|test| Probe {
                    name: test.name.clone(),
                    event: test.log.clone(),
                    expected: test.expected_result,
                    divergence_allowed: Vec::new(),
                })
                .collect();
            Some(Subject {
                file: file.source.path.display().to_string(),
                rule,
                probes,
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct CaseFile {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    condition: String,
    #[serde(default)]
    event: Option<Value>,
    #[serde(default)]
    expected: Option<bool>,
    #[serde(default)]
    divergence_allowed: Vec<String>,
}

/// The cases of a conformance file (`cases: [{id, condition, event, expected}]`) that have a
/// verdict, and a message for each that does not load as a rule; cases that must fail to
/// compile are the parser's business, not the engines'. A file that cannot be read as cases
/// is an error.
pub fn load_cases(file: &SourceFile) -> Result<(Vec<Subject>, Vec<String>), String> {
    let parsed: CaseFile = serde_yaml::from_str(&file.text)
        .map_err(|error| format!("{}: {error}", file.path.display()))?;
    let mut subjects = Vec::new();
    let mut problems = Vec::new();
    for case in parsed.cases {
        let (Some(event), Some(expected)) = (case.event, case.expected) else {
            continue;
        };
        let rule = match rule_from_condition(&case.id, &case.condition) {
            Ok(rule) => rule,
            Err(errors) => {
                let messages: Vec<String> = errors.into_iter().map(|e| e.message).collect();
                let path = file.path.display();
                problems.push(format!("{path}: case {}: {}", case.id, messages.join("; ")));
                continue;
            }
        };
        let probe = Probe {
            name: case.id.clone(),
            event,
            expected,
            divergence_allowed: case.divergence_allowed,
        };
        subjects.push(Subject {
            file: format!("{}.yml", case.id),
            rule,
            probes: vec![probe],
        });
    }
    Ok((subjects, problems))
}
