//! The rules `eval` runs, prepared once: the slots their paths read, and the alert line
//! each match prints.
//!
//! An alert is one JSON line (here spread over two):
//!
//! ```json
//! {"rule_id":"AWS.CloudTrail.RootConsoleLogin","line":7,
//!  "outputs":{"sourceIPAddress":"203.0.113.8"},"event":{"eventName":"ConsoleLogin",…}}
//! ```
//!
//! `event` is the input line's own bytes (the JSON object, without the white space around
//! it), never a re-serialised value, so it reads exactly as the log source wrote it. Every
//! part that depends only on the rule (the id, the output names, the JSON punctuation) is
//! written out once, when the rule set is built.

use std::io::Write as _;

use serde_json::Value;

use super::shape::{ParseError, Reached, Shape, ShapeBuilder};
use crate::eval::{Evaluator, Fields};
use crate::ir::Path;
use crate::rule::Rule;

/// The rules of one `eval` run, with the shape of the events they read.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Prepared>,
    shape: Shape,
}

#[derive(Debug, Clone)]
struct Prepared {
    evaluator: Evaluator,
    /// The slot of each predicate's path, by predicate number.
    slots: Vec<usize>,
    /// `{"rule_id":"<id>","line":`
    head: Vec<u8>,
    /// Each output field: its slot, whether its path fans out, and `"<name>":` with the
    /// separator before it.
    outputs: Vec<(usize, bool, Vec<u8>)>,
}

impl RuleSet {
    /// Prepares `rules` in the order given, which is the order of their alerts on an event.
    pub fn new<'a>(rules: impl IntoIterator<Item = &'a Rule>) -> Self {
        let mut shape = ShapeBuilder::default();
        let rules = rules
            .into_iter()
            .map(|rule| Prepared::new(rule, &mut shape))
            .collect();
        Self {
            rules,
            shape: shape.build(),
        }
    }

    /// The fields these rules read.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Reads one JSON line and appends an alert line to `out` for every rule that matches
    /// it; returns how many did. `line` is the line's 1-based number in the input, and
    /// `reached` a place to parse into, from [`Shape::reached`], reused from line to line.
    pub fn eval_line(
        &self,
        json: &[u8],
        line: u64,
        reached: &mut Reached,
        out: &mut Vec<u8>,
    ) -> Result<usize, ParseError> {
        self.shape.parse(json, reached)?;
        let mut matched = 0;
        for rule in &self.rules {
            let fields = RuleFields {
                reached,
                slots: &rule.slots,
            };
            if rule.evaluator.matches_fields(&fields) {
                rule.write_alert(reached, trim_json_space(json), line, out);
                matched += 1;
            }
        }
        Ok(matched)
    }
}

impl Prepared {
    fn new(rule: &Rule, shape: &mut ShapeBuilder) -> Self {
        let slots = rule
            .evaluator()
            .paths()
            .iter()
            .map(|path| shape.slot(path))
            .collect();
        let mut head = b"{\"rule_id\":".to_vec();
        push_json(&mut head, &rule.meta.rule_id);
        head.extend_from_slice(b",\"line\":");
        let outputs = rule
            .output_fields
            .iter()
            .enumerate()
            .map(|(index, (name, path))| {
                let mut key = if index == 0 {
                    Vec::new()
                } else {
                    b",".to_vec()
                };
                push_json(&mut key, name);
                key.push(b':');
                (shape.slot(path), path.fans_out(), key)
            })
            .collect();
        Self {
            evaluator: rule.evaluator().clone(),
            slots,
            head,
            outputs,
        }
    }

    /// An output field is the value its path reaches, or null; with `[*]`, the list of the
    /// values it reaches.
    fn write_alert(&self, reached: &Reached, raw: &[u8], line: u64, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.head);
        // Writing into a `Vec` cannot fail.
        let _ = write!(out, "{line}");
        out.extend_from_slice(b",\"outputs\":{");
        for (slot, fans_out, key) in &self.outputs {
            out.extend_from_slice(key);
            let values = reached.values(*slot);
            if *fans_out {
                push_json(out, &values);
            } else {
                push_json(out, values.first().unwrap_or(&Value::Null));
            }
        }
        out.extend_from_slice(b"},\"event\":");
        out.extend_from_slice(raw);
        out.extend_from_slice(b"}\n");
    }
}

/// One rule's view of the slots: its predicate numbers mapped to the slots of their paths.
struct RuleFields<'a> {
    reached: &'a Reached,
    slots: &'a [usize],
}

impl Fields for RuleFields<'_> {
    fn any_reached(
        &self,
        predicate: usize,
        _: &Path,
        test: &mut dyn FnMut(&Value) -> bool,
    ) -> bool {
        self.slots
            .get(predicate)
            .is_some_and(|slot| self.reached.values(*slot).iter().any(test))
    }
}

/// Writes a value as compact JSON. Writing into a `Vec` cannot fail, and strings and JSON
/// values always serialise.
fn push_json(out: &mut Vec<u8>, value: &impl serde::Serialize) {
    let _ = serde_json::to_writer(out.by_ref(), value);
}

/// The JSON text of a line without the white space JSON allows around it.
fn trim_json_space(json: &[u8]) -> &[u8] {
    let is_space = |byte: &u8| matches!(byte, b' ' | b'\t' | b'\r' | b'\n');
    let start = json
        .iter()
        .position(|byte| !is_space(byte))
        .unwrap_or(json.len());
    let end = json
        .iter()
        .rposition(|byte| !is_space(byte))
        .map_or(start, |end| end + 1);
    &json[start..end]
}
