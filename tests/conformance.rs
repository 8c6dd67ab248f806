//! The language's conformance cases, run through the parser and the evaluator.

use ruleport::eval::Evaluator;
use ruleport::ir::lower_to_ir;
use ruleport::syntax::parse_condition;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Cases {
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
    error: Option<String>,
}

fn cases() -> Vec<Case> {
    let text = include_str!("conformance.yml");
    let cases: Cases = serde_yaml::from_str(text).expect("conformance.yml loads");
    assert!(cases.cases.len() > 150, "the conformance file lost cases");
    cases.cases
}

/// Compiles a condition, joining every error message.
fn compile(condition: &str) -> Result<Evaluator, String> {
    let ast = parse_condition(condition).map_err(|error| error.message)?;
    let ir = lower_to_ir(&ast).map_err(|errors| {
        errors
            .into_iter()
            .map(|error| error.message)
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    Evaluator::new(&ir).map_err(|error| error.message)
}

#[test]
fn every_case_gives_its_verdict_or_its_error() {
    let mut failures = Vec::new();
    for case in cases() {
        let compiled = compile(&case.condition);
        match (&case.error, &case.expected, compiled) {
            (Some(expected), _, Err(message)) => {
                if !message.to_lowercase().contains(&expected.to_lowercase()) {
                    failures.push(format!("{}: error `{message}` lacks `{expected}`", case.id));
                }
            }
            (Some(_), _, Ok(_)) => failures.push(format!("{}: compiled, but must fail", case.id)),
            (None, Some(expected), Ok(evaluator)) => {
                let event = case.event.as_ref().expect("a verdict case has an event");
                let actual = evaluator.matches(event);
                if actual != *expected {
                    failures.push(format!("{}: expected {expected}, got {actual}", case.id));
                }
            }
            (None, _, Err(message)) => {
                failures.push(format!("{}: failed to compile: {message}", case.id))
            }
            (None, None, Ok(_)) => {
                failures.push(format!("{}: has neither verdict nor error", case.id))
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_error_case_has_its_own_message() {
    let mut seen = std::collections::BTreeMap::new();
    for case in cases().into_iter().filter(|case| case.error.is_some()) {
        let message = compile(&case.condition).err().unwrap_or_default();
        if let Some(other) = seen.insert(message.clone(), case.id.clone()) {
            panic!("{} and {other} give the same message: {message}", case.id);
        }
    }
}
