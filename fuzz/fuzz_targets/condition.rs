//! Any text as a condition: parsing, lowering, printing and evaluating must never panic,
//! and pushing negation down must not change a verdict.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ruleport::eval::Evaluator;
use ruleport::ir::lower_to_ir;
use ruleport::syntax::parse_condition;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(ast) = parse_condition(text) else {
        return;
    };
    let Ok(ir) = lower_to_ir(&ast) else { return };
    let _ = ir.to_string();
    let pushed = ir.push_negation();
    let (Ok(plain), Ok(normal)) = (Evaluator::new(&ir), Evaluator::new(&pushed)) else {
        return;
    };
    let event = json!({"a": "x", "b": [1, "Y", null], "c": {"d": 0.5}, "n": "42"});
    assert_eq!(plain.matches(&event), normal.matches(&event));
});
