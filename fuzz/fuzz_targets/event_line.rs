//! Any bytes as a line of `ruleport eval`'s input, with every rule of the catalog: it must
//! never panic, must refuse exactly the lines that serde_json does not read as an object,
//! and must alert with exactly the rules whose evaluator matches the whole parsed event.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use ruleport::rule::{Rule, load_catalog};
use ruleport::stream::RuleSet;
use serde_json::Value;

static RULES: LazyLock<(Vec<Rule>, RuleSet)> = LazyLock::new(|| {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules");
    let catalog = load_catalog(&[dir.into()]).expect("the catalog loads");
    let rules: Vec<Rule> = catalog
        .files
        .into_iter()
        .filter_map(|file| file.rule)
        .collect();
    let set = RuleSet::new(&rules);
    (rules, set)
});

fuzz_target!(|data: &[u8]| {
    // `eval` cuts its input at newlines, so a line never holds one.
    let data = data.split(|byte| *byte == b'\n').next().unwrap_or_default();
    let (rules, set) = &*RULES;
    let mut reached = set.shape().reached();
    let mut alerts = Vec::new();
    let result = set.eval_line(data, 1, &mut reached, &mut alerts);

    match serde_json::from_slice::<Value>(data) {
        Ok(event) if event.is_object() => {
            let matched = result.expect("an object is an event");
            let expected: Vec<&str> = rules
                .iter()
                .filter(|rule| rule.evaluator().matches(&event))
                .map(|rule| rule.meta.rule_id.as_str())
                .collect();
            let found: Vec<String> = alerts
                .split(|byte| *byte == b'\n')
                .filter(|line| !line.is_empty())
                .map(|line| {
                    let alert: Value = serde_json::from_slice(line).expect("an alert is JSON");
                    alert["rule_id"].as_str().unwrap_or_default().to_string()
                })
                .collect();
            assert_eq!(found, expected);
            assert_eq!(matched, expected.len());
        }
        _ => assert!(result.is_err(), "only objects are events"),
    }
});
