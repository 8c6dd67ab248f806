//! The Panther backend on every conformance case, and the rules it must refuse. Running the
//! output in Python is `tests/engines/check_panther.py`'s job (see docs/targets/panther.md).

mod support;

use ruleport::backend::{Artifact, CompileError, Place, compile};
use ruleport::rule::load_rule;
use ruleport::source::SourceFile;
use ruleport::target::Target;
use serde::Deserialize;
use serde_json::Value;
use support::catalog::{Env, rule_from_condition};

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
}

fn compile_text(env: &Env, text: &str) -> Result<Vec<Artifact>, CompileError> {
    let file = SourceFile::new("rule.yml", text);
    let rule = load_rule(&file).expect("the rule loads");
    compile(&rule, "rule", Target::Panther, &env.context())
}

#[test]
fn every_conformance_case_compiles_to_a_rule_and_its_yaml() {
    let env = Env::builtin();
    let cases: Cases = serde_yaml::from_str(include_str!("conformance.yml")).expect("loads");
    for case in cases.cases.into_iter().filter(|case| case.event.is_some()) {
        let rule = rule_from_condition(&case.id, &case.condition);
        let artifacts = compile(&rule, &case.id, Target::Panther, &env.context())
            .unwrap_or_else(|error| panic!("{}: {error:?}", case.id));
        let names: Vec<_> = artifacts
            .iter()
            .map(|a| a.path.display().to_string())
            .collect();
        assert_eq!(
            names,
            [format!("{}.py", case.id), format!("{}.yml", case.id)]
        );
        assert!(
            artifacts[0]
                .content
                .contains("\ndef rule(event):\n    return ")
        );
        assert!(artifacts[1].content.contains("\nAnalysisType: rule\n"));
    }
}

#[test]
fn names_panther_refuses_are_unsupported() {
    let env = Env::builtin();
    let text = "RuleID: A.B\nDisplayName: 100% bad\nLogTypes: [X]\nSeverity: Low\n\
                Condition: |\n  a eq \"x\"\n";
    match compile_text(&env, text) {
        Err(CompileError::Unsupported { construct, .. }) => {
            assert!(construct.contains("DisplayName"), "{construct}")
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn nesting_python_cannot_parse_is_unsupported() {
    let env = Env::builtin();
    let mut condition = String::from("a eq \"x\"");
    for level in 0..120 {
        let op = if level % 2 == 0 { "or" } else { "and" };
        condition = format!("b eq \"{level}\" {op} ({condition})");
    }
    let text = format!(
        "RuleID: A.B\nDisplayName: deep\nLogTypes: [X]\nSeverity: Low\n\
         Condition: |\n  {condition}\n"
    );
    match compile_text(&env, &text) {
        Err(CompileError::Unsupported {
            construct, place, ..
        }) => {
            assert!(construct.contains("nesting"), "{construct}");
            assert!(matches!(place, Place::Predicate(_)), "{place:?}");
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn tests_are_carried_over_with_their_values() {
    let env = Env::builtin();
    let text = "RuleID: A.B\nDisplayName: carried\nLogTypes: [X]\nSeverity: Low\n\
                Condition: |\n  a gt 1\nTests:\n  - Name: big\n    ExpectedResult: true\n    \
                Log: {\"a\": 1e16, \"b\": [null, \"x\\u2028\"], \"c\": {}}\n";
    let artifacts = compile_text(&env, text).expect("compiles");
    let yaml = &artifacts[1].content;
    assert!(yaml.contains("\"a\": 1.0e+16"), "{yaml}");
    assert!(yaml.contains("\"x\\u2028\""), "{yaml}");
    let read: Value = serde_yaml::from_str(yaml).expect("valid YAML");
    assert_eq!(read["Tests"][0]["Log"]["b"][1], "x\u{2028}");
    assert_eq!(read["Tests"][0]["ExpectedResult"], true);
}
