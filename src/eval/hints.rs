//! Hints for failing tests: a field the rule reads is missing, but the event has a key that
//! differs only in case.

use serde_json::Value;

use crate::ir::{Expr, Path, Segment};

/// For each path of `expr` that reaches nothing in `event` but would with case-insensitive
/// keys, the path and the key path the event actually has.
pub fn case_mismatches(expr: &Expr, event: &Value) -> Vec<(Path, String)> {
    let mut found = Vec::new();
    for pred in expr.predicates() {
        if found.iter().any(|(path, _)| *path == pred.path) {
            continue;
        }
        if let Some(actual) = resolve_ignoring_case(event, &pred.path.segments) {
            found.push((pred.path.clone(), actual));
        }
    }
    found
}

/// The key path reached by matching keys case-insensitively, when exact matching fails at
/// some key. `None` when exact matching works or nothing matches either way.
fn resolve_ignoring_case(event: &Value, segments: &[Segment]) -> Option<String> {
    let mut value = event;
    let mut actual = Vec::new();
    let mut differs = false;
    for segment in segments {
        match segment {
            Segment::Key(key) => {
                let map = value.as_object()?;
                let (name, inner) = match map.get_key_value(key.as_str()) {
                    Some(pair) => pair,
                    None => {
                        differs = true;
                        map.iter()
                            .find(|(name, _)| name.eq_ignore_ascii_case(key))?
                    }
                };
                actual.push(name.clone());
                value = inner;
            }
            Segment::Index(index) => {
                value = value.as_array()?.get(*index)?;
                actual.push(format!("[{index}]"));
            }
            Segment::Each => return differs.then(|| actual.join(".")),
        }
    }
    differs.then(|| actual.join("."))
}
