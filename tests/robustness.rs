//! Nothing panics, whatever the input: random and mutated conditions and rule files go
//! through every stage, and deep nesting up to the limit works on an ordinary thread.

use proptest::prelude::*;
use ruleport::eval::Evaluator;
use ruleport::ir::lower_to_ir;
use ruleport::rule::load_rule;
use ruleport::source::SourceFile;
use ruleport::syntax::{MAX_NESTING, parse_condition};
use serde_json::json;

const SEED_RULE: &str = include_str!("../rules/azure/azure_ropc_login_no_mfa.yml");

const SEED_CONDITION: &str = r#"not (operationName ne "Sign-in activity"
  or resultSignature ne "SUCCESS")
properties.authenticationProtocol eq "ropc"
properties.authenticationRequirement eq "singlefactorauthentication"
not (properties.userType is_not_null and properties.userType ne "member")
tags[*] in ["a", 1, true]
x regex '^\d+(a|b)*$'
y.`odd key`[0] contains ['x', "y\u{e9}"]"#;

/// Runs a condition through every stage; any outcome but a panic is fine.
fn exercise(condition: &str) {
    let Ok(ast) = parse_condition(condition) else {
        return;
    };
    let Ok(ir) = lower_to_ir(&ast) else { return };
    let _ = ir.to_string();
    let normalized = ir.push_negation();
    let _ = normalized.to_string();
    if let Ok(evaluator) = Evaluator::new(&ir) {
        let event = json!({"a": "x", "tags": ["a", null, 1], "x": 12, "y": {"odd key": ["xy"]}});
        assert_eq!(
            evaluator.matches(&event),
            Evaluator::new(&normalized).unwrap().matches(&event)
        );
    }
}

/// Characters that make up conditions, weighted towards the grammar's own.
fn condition_chars() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a", "b.c", "`k`", "[0]", "[*]", " ", "\n", "\t", "(", ")", "[", "]", ",", "\"", "'", "\\",
        "#", "eq", "ne", "in", "not", "and", "or", "contains", "regex", "gt", "is_null", "_cs",
        "1", "-2.5e3", "true", "null", "é", "\u{0}", "{", "}", "*", "+", "?", "|", "^", "$",
        "\\u{", "x",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|pieces| pieces.concat())
}

/// An edit to a text: delete, insert or replace one byte-range with a piece.
fn mutate(text: &str, at: usize, len: usize, piece: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let at = at % (bytes.len() + 1);
    let end = (at + len).min(bytes.len());
    bytes.splice(at..end, piece.bytes());
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_conditions_never_panic(condition in condition_chars()) {
        exercise(&condition);
    }

    #[test]
    fn mutated_conditions_never_panic(
        at in 0usize..400,
        len in 0usize..4,
        piece in condition_chars(),
    ) {
        exercise(&mutate(SEED_CONDITION, at, len, &piece));
    }

    #[test]
    fn arbitrary_text_never_panics(condition in "\\PC{0,60}") {
        exercise(&condition);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn mutated_rule_files_never_panic(
        at in 0usize..5000,
        len in 0usize..8,
        piece in prop::sample::select(vec![
            "", ":", " ", "\n", "- ", "{", "}", "[", "\"", "'", "|", ">", "\t", "é", "#",
            "Condition: x\n", "a equals",
        ]),
    ) {
        let text = mutate(SEED_RULE, at, len, piece);
        if let Ok(rule) = load_rule(&SourceFile::new("mutated.yml", text)) {
            for test in &rule.meta.tests {
                let _ = rule.evaluator().matches(&test.log);
            }
        }
    }
}

#[test]
fn nesting_up_to_the_limit_works_and_beyond_it_is_an_error() {
    let depth = MAX_NESTING;
    let nested = format!("{}a eq 1{}", "(".repeat(depth), ")".repeat(depth));
    let ast = parse_condition(&nested).expect("the limit itself is allowed");
    let ir = lower_to_ir(&ast).expect("lowers");
    let evaluator = Evaluator::new(&ir.push_negation()).expect("compiles");
    assert!(evaluator.matches(&json!({"a": 1})));

    let nots = format!("{}a eq 1", "not ".repeat(depth));
    let ir = lower_to_ir(&parse_condition(&nots).expect("parses")).expect("lowers");
    assert!(
        Evaluator::new(&ir)
            .expect("compiles")
            .matches(&json!({"a": 1}))
    );

    for too_deep in [
        format!("({nested})"),
        format!("not {nots}"),
        "(".repeat(100_000),
    ] {
        let error = parse_condition(&too_deep).expect_err("too deep");
        assert!(
            error.message.contains("deeper than 256"),
            "{}",
            error.message
        );
    }
}
