//! IR to Python: the body of `rule(event)`, one predicate per line in source order, and the
//! pieces `title` and `alert_context` need.
//!
//! Every predicate is a call to a small helper that the rule file defines (`_eq`,
//! `_contains`, `_gt`, ...) on the value at a path (`_get`) or, over a `[*]` path, on each
//! value the path reaches (`any(... for value in _each(...))`). The helpers carry the
//! language's semantics (text of a value, numeric strings, case folding), so the
//! expression reads like the condition. Only the helpers a rule uses are emitted.

use std::collections::BTreeSet;

use serde::Serialize;

use super::escape::{python_number, python_str};
use super::pattern::{INSENSITIVE_FLAGS, python_pattern};
use crate::backend::CompileError;
use crate::ir::{Case, CompareOp, Expr, Literal, Path, Pred, Segment, Test, TextOp};
use crate::rule::Rule;

/// Python's parser allows 200 nested parentheses; each group is one, and a predicate
/// needs a few of its own.
const MAX_NESTING: usize = 100;

/// The Python pieces of one rule, for the template.
#[derive(Debug, Serialize)]
pub struct RuleCode {
    /// What `rule(event)` returns: one predicate, or a parenthesized and/or chain.
    pub condition: String,
    /// Precompiled patterns, named in source order.
    pub patterns: Vec<PatternDef>,
    /// The helpers the rule uses, with the helpers those need (names as in the template).
    pub helpers: Vec<&'static str>,
    /// The title (a literal): the display name, followed by `: ` and the text of the first
    /// output field when the rule has one (`title_prefix` + `title_detail`).
    pub title: String,
    pub title_prefix: String,
    pub title_detail: Option<String>,
    /// `alert_context` entries: name literal and value expression.
    pub context: Vec<ContextEntry>,
}

#[derive(Debug, Serialize)]
pub struct PatternDef {
    pub name: String,
    /// The pattern as a Python string literal.
    pub literal: String,
    /// Extra arguments of `re.compile`, or `None`.
    pub flags: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct ContextEntry {
    pub name: String,
    pub value: String,
}

/// Emits the Python for `rule`.
pub fn emit(rule: &Rule) -> Result<RuleCode, CompileError> {
    let mut emitter = Emitter::default();
    let expr = rule.ir.push_negation();
    let condition = match &expr {
        Expr::And(_) | Expr::Or(_) => emitter.group(&expr, 0)?,
        other => emitter.expr(other, 0)?,
    };

    let mut context = Vec::new();
    for (name, path) in &rule.output_fields {
        context.push(ContextEntry {
            name: python_str(name),
            value: emitter.read(path),
        });
    }
    let title_detail = rule
        .output_fields
        .iter()
        .find(|(_, path)| !path.fans_out())
        .map(|(_, path)| {
            emitter.uses("text");
            format!("_text({})", emitter.read(path))
        });

    Ok(RuleCode {
        condition,
        patterns: emitter.patterns,
        helpers: with_dependencies(&emitter.helpers),
        title: python_str(&rule.meta.display_name),
        title_prefix: python_str(&format!("{}: ", rule.meta.display_name)),
        title_detail,
        context,
    })
}

#[derive(Default)]
struct Emitter {
    patterns: Vec<PatternDef>,
    helpers: BTreeSet<&'static str>,
}

impl Emitter {
    fn uses(&mut self, helper: &'static str) {
        self.helpers.insert(helper);
    }

    /// An and/or chain, one operand per line, or a predicate.
    fn expr(&mut self, expr: &Expr, depth: usize) -> Result<String, CompileError> {
        let (items, joiner) = match expr {
            Expr::Pred(pred) => return self.pred(pred),
            Expr::Not(inner) => return Ok(format!("not {}", self.group(inner, depth + 1)?)),
            Expr::And(items) => (items, "and"),
            Expr::Or(items) => (items, "or"),
        };
        let indent = indent(depth + 2);
        let mut parts = Vec::with_capacity(items.len());
        for item in items {
            parts.push(match item {
                Expr::And(_) | Expr::Or(_) => self.group(item, depth + 1)?,
                other => self.expr(other, depth)?,
            });
        }
        Ok(parts.join(&format!("\n{indent}{joiner} ")))
    }

    /// `(` chain `)`, the chain indented one level deeper than the parentheses.
    fn group(&mut self, expr: &Expr, depth: usize) -> Result<String, CompileError> {
        if depth > MAX_NESTING {
            let span = expr.predicates().first().map(|pred| pred.span.clone());
            return Err(CompileError::unsupported(
                format!("nesting deeper than {MAX_NESTING} levels"),
                "Python's parser refuses expressions nested this deep; \
                 split the condition or flatten it",
                span,
            ));
        }
        let inner = self.expr(expr, depth)?;
        Ok(format!(
            "(\n{}{inner}\n{})",
            indent(depth + 2),
            indent(depth + 1)
        ))
    }

    fn pred(&mut self, pred: &Pred) -> Result<String, CompileError> {
        let not = if pred.negated { "not " } else { "" };
        if pred.test == Test::Exists {
            let (op, missing) = if pred.negated {
                ("==", "is")
            } else {
                ("!=", "is not")
            };
            return Ok(if pred.path.fans_out() {
                format!("{} {op} []", self.read(&pred.path))
            } else {
                format!("{} {missing} None", self.read(&pred.path))
            });
        }
        let source = self.read(&pred.path);
        Ok(if pred.path.fans_out() {
            let test = self.test(&pred.test, "value");
            format!("{not}any({test} for value in {source})")
        } else {
            format!("{not}{}", self.test(&pred.test, &source))
        })
    }

    /// `_get(event, ...)` for a plain path, `_each(event, ...)` for one with `[*]`.
    fn read(&mut self, path: &Path) -> String {
        let mut args = vec!["event".to_string()];
        for segment in &path.segments {
            args.push(match segment {
                Segment::Key(key) => python_str(key),
                Segment::Index(index) => index.to_string(),
                Segment::Each => "_EACH".to_string(),
            });
        }
        let helper = if path.fans_out() { "each" } else { "get" };
        self.uses(helper);
        format!("_{helper}({})", args.join(", "))
    }

    /// The positive test on the value expression `value`.
    fn test(&mut self, test: &Test, value: &str) -> String {
        let (helper, args): (&'static str, Vec<String>) = match test {
            Test::Exists => return format!("{value} is not None"),
            Test::NotEmpty => ("not_empty", Vec::new()),
            Test::Equals { values, case } => {
                let helper = pick(*case, "eq", "eq_cs");
                (helper, values.iter().map(|v| literal(v, *case)).collect())
            }
            Test::Text { op, needles, case } => {
                let helper = match op {
                    TextOp::Contains => pick(*case, "contains", "contains_cs"),
                    TextOp::StartsWith => pick(*case, "startswith", "startswith_cs"),
                    TextOp::EndsWith => pick(*case, "endswith", "endswith_cs"),
                };
                (helper, needles.iter().map(|n| folded(n, *case)).collect())
            }
            Test::Regex { patterns, case } => {
                let names = patterns
                    .iter()
                    .map(|pattern| self.pattern(&python_pattern(&pattern.node, *case), *case))
                    .collect();
                ("search", names)
            }
            Test::Compare { op, value } => {
                let helper = match op {
                    CompareOp::Gt => "gt",
                    CompareOp::Ge => "ge",
                    CompareOp::Lt => "lt",
                    CompareOp::Le => "le",
                };
                (helper, vec![python_number(value)])
            }
        };
        self.uses(helper);
        let mut all = vec![value.to_string()];
        all.extend(args);
        format!("_{helper}({})", all.join(", "))
    }

    /// Names a module-level compiled pattern.
    fn pattern(&mut self, text: &str, case: Case) -> String {
        let name = format!("_PATTERN_{}", self.patterns.len() + 1);
        self.patterns.push(PatternDef {
            name: name.clone(),
            literal: python_str(text),
            flags: (case == Case::Insensitive).then_some(INSENSITIVE_FLAGS),
        });
        name
    }
}

fn pick(case: Case, insensitive: &'static str, sensitive: &'static str) -> &'static str {
    match case {
        Case::Insensitive => insensitive,
        Case::Sensitive => sensitive,
    }
}

/// An `eq`/`in` value: strings folded as the evaluator folds them, numbers exact, booleans.
fn literal(value: &Literal, case: Case) -> String {
    match value {
        Literal::Str(text) => folded(text, case),
        Literal::Num(number) => python_number(number),
        Literal::Bool(flag) => if *flag { "True" } else { "False" }.to_string(),
    }
}

/// A string literal, lowercased when compared case-insensitively, so only the event's side
/// is folded at run time.
fn folded(text: &str, case: Case) -> String {
    match case {
        Case::Insensitive => python_str(&text.to_lowercase()),
        Case::Sensitive => python_str(text),
    }
}

fn indent(levels: usize) -> String {
    "    ".repeat(levels)
}

/// The helpers each helper calls.
fn dependencies(helper: &str) -> &'static [&'static str] {
    match helper {
        "get" | "each" => &["step"],
        "step" => &["data"],
        "eq" | "eq_cs" => &["equals"],
        "equals" => &["text", "number", "fold"],
        "contains" | "startswith" | "endswith" => &["text", "fold"],
        "contains_cs" | "startswith_cs" | "endswith_cs" | "search" => &["text"],
        "gt" | "ge" | "lt" | "le" => &["number"],
        "text" => &["float_text"],
        _ => &[],
    }
}

fn with_dependencies(used: &BTreeSet<&'static str>) -> Vec<&'static str> {
    let mut all = BTreeSet::new();
    let mut pending: Vec<&'static str> = used.iter().copied().collect();
    while let Some(helper) = pending.pop() {
        if all.insert(helper) {
            pending.extend(dependencies(helper));
        }
    }
    all.into_iter().collect()
}
