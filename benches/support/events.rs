//! Realistic JSON-lines events for benchmarks: the catalog's own test events, varied.
//!
//! Every event is one of the `Tests[].Log` events of `rules/`, picked at random, with its
//! digits and integers changed at random: ids, addresses, times and counts differ from one
//! event to the next while names, structure and case stay as the log source writes them.
//! Some variations stop a test event from matching its rule, as in a real stream. The
//! generator is seeded, so every run reads the same events.

use std::path::PathBuf;

use serde_json::Value;

/// The test events of every rule in the catalog, in catalog order.
pub fn catalog_events() -> Vec<Value> {
    let catalog = ruleport::rule::load_catalog(&[catalog_dir()]).expect("the catalog loads");
    catalog
        .files
        .iter()
        .filter_map(|file| file.rule.as_ref())
        .flat_map(|rule| &rule.meta.tests)
        .map(|test| test.log.clone())
        .collect()
}

/// The catalog's rules directory.
pub fn catalog_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")
}

/// `count` events as JSON lines (each ending in a newline), the same for the same seed.
pub fn generate(count: usize, seed: u64) -> impl Iterator<Item = String> {
    let templates = catalog_events();
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..count).map(move |_| {
        let mut event = templates[rng.usize(..templates.len())].clone();
        vary(&mut event, &mut rng);
        let mut line = serde_json::to_string(&event).expect("a JSON value serialises");
        line.push('\n');
        line
    })
}

/// Changes each digit of every string with even odds, and every integer within its range.
fn vary(value: &mut Value, rng: &mut fastrand::Rng) {
    match value {
        Value::String(text) => {
            if text.bytes().any(|byte| byte.is_ascii_digit()) {
                *text = text
                    .chars()
                    .map(|c| match c.is_ascii_digit() && rng.bool() {
                        true => char::from(b'0' + rng.u8(..10)),
                        false => c,
                    })
                    .collect();
            }
        }
        Value::Number(number) => {
            if let Some(int) = number.as_u64().filter(|_| rng.bool()) {
                *value = Value::from(rng.u64(..=int.saturating_mul(2)));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| vary(item, rng)),
        Value::Object(map) => map.values_mut().for_each(|item| vary(item, rng)),
        Value::Null | Value::Bool(_) => {}
    }
}
