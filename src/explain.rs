//! What a condition's structure says about a rule: the predicates it suppresses
//! (exclusions) and the ones it looks for (indicators), read from the condition as written.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::rule::Catalog;
use crate::syntax::{Expr, ExprKind, OpKind, Operand, OperandKind, Predicate};

/// One predicate as a table row: field, operator as written, values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub field: String,
    pub kind: String,
    pub values: Vec<String>,
    /// How many other rules of the catalog look for the same field, operator and value
    /// (one of the values, for a list); `None` when no catalog was consulted.
    pub corpus: Option<usize>,
}

/// Every rule's indicators, to count how widely an indicator is used.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    ids: Vec<String>,
    /// Field, operator and lowercased value to the rules (indexes into `ids`) with an
    /// indicator testing it.
    index: HashMap<(String, String, String), Vec<usize>>,
}

impl Corpus {
    /// Indexes the indicators of `(rule id, condition)` pairs.
    pub fn new<'a>(rules: impl IntoIterator<Item = (&'a str, &'a Expr)>) -> Corpus {
        let mut corpus = Corpus::default();
        for (id, condition) in rules {
            let rule = corpus.ids.len();
            corpus.ids.push(id.to_string());
            for row in indicators(condition).into_iter().map(folded) {
                for value in row.values {
                    let key = (row.field.clone(), row.kind.clone(), value);
                    let rules = corpus.index.entry(key).or_default();
                    if rules.last() != Some(&rule) {
                        rules.push(rule);
                    }
                }
            }
        }
        corpus
    }

    /// Indexes every loaded rule of a catalog.
    pub fn of_catalog(catalog: &Catalog) -> Corpus {
        let rules = catalog.files.iter().filter_map(|file| file.rule.as_ref());
        Corpus::new(rules.map(|rule| (rule.meta.rule_id.as_str(), &rule.ast)))
    }

    /// Fills in each row's corpus count, leaving out the rule `own_id` itself: the rules
    /// with an indicator on the same field with the same operator and one of the values.
    pub fn count(&self, own_id: &str, rows: Vec<Row>) -> Vec<Row> {
        rows.into_iter()
            .map(|row| {
                let probe = folded(row.clone());
                let mut rules: BTreeSet<usize> = BTreeSet::new();
                for value in probe.values {
                    let key = (probe.field.clone(), probe.kind.clone(), value);
                    rules.extend(self.index.get(&key).into_iter().flatten().copied());
                }
                let count = rules
                    .iter()
                    .filter(|&&rule| self.ids[rule] != own_id)
                    .count();
                Row {
                    corpus: Some(count),
                    ..row
                }
            })
            .collect()
    }
}

fn folded(row: Row) -> Row {
    let values = row
        .values
        .iter()
        .map(|value| value.to_lowercase())
        .collect();
    Row { values, ..row }
}

/// The predicates inside every top-level conjunct of the form `not (...)`.
pub fn exclusions(condition: &Expr) -> Vec<Row> {
    let mut rows = Vec::new();
    for conjunct in conjuncts(condition) {
        if let ExprKind::Not(inner) = &conjunct.kind {
            collect(inner, &mut rows);
        }
    }
    rows
}

/// The positive predicates among the top-level conjuncts.
pub fn indicators(condition: &Expr) -> Vec<Row> {
    conjuncts(condition)
        .into_iter()
        .filter_map(|conjunct| match &conjunct.kind {
            ExprKind::Predicate(predicate) if is_positive(predicate.operator.kind) => {
                Some(row(predicate))
            }
            _ => None,
        })
        .collect()
}

fn conjuncts(condition: &Expr) -> Vec<&Expr> {
    match &condition.kind {
        ExprKind::And(items) => items.iter().collect(),
        _ => vec![condition],
    }
}

fn collect(expr: &Expr, rows: &mut Vec<Row>) {
    match &expr.kind {
        ExprKind::And(items) | ExprKind::Or(items) => {
            items.iter().for_each(|item| collect(item, rows))
        }
        ExprKind::Not(inner) => collect(inner, rows),
        ExprKind::Predicate(predicate) => rows.push(row(predicate)),
    }
}

fn is_positive(kind: OpKind) -> bool {
    !matches!(
        kind,
        OpKind::Ne | OpKind::NotIn | OpKind::IsNull | OpKind::IsEmpty
    )
}

fn row(predicate: &Predicate) -> Row {
    Row {
        field: predicate.path.to_string(),
        kind: predicate.operator.to_string(),
        values: predicate.operand.as_ref().map(values).unwrap_or_default(),
        corpus: None,
    }
}

fn values(operand: &Operand) -> Vec<String> {
    match &operand.kind {
        OperandKind::Str(text) => vec![text.clone()],
        OperandKind::Number(_, text) => vec![text.clone()],
        OperandKind::Bool(flag) => vec![flag.to_string()],
        OperandKind::List(items) => items.iter().flat_map(values).collect(),
    }
}

/// The `explain` text of a rule: its condition with negation pushed down, its exclusions,
/// its indicators with corpus counts, and its output fields.
pub fn describe(rule: &crate::rule::Rule, corpus: &Corpus) -> String {
    use std::fmt::Write as _;

    let mut out = format!("{}: {}\n", rule.meta.rule_id, rule.meta.display_name);
    let _ = writeln!(out, "\nCondition, with negation pushed down (`!` negates):");
    for line in rule.ir.push_negation().to_string().lines() {
        let _ = writeln!(out, "  {line}");
    }
    let table = |title: &str, rows: &[Row], out: &mut String| {
        let _ = writeln!(out, "\n{title}");
        if rows.is_empty() {
            out.push_str("  none\n");
        }
        for row in rows {
            let corpus = row
                .corpus
                .map(|n| format!("  (corpus {n})"))
                .unwrap_or_default();
            let line = format!("  {} {} {}", row.field, row.kind, row.values.join(", "));
            let _ = writeln!(out, "{}{corpus}", line.trim_end());
        }
    };
    table(
        "Exclusions (predicates inside top-level `not (...)` lines):",
        &exclusions(&rule.ast),
        &mut out,
    );
    let indicators = corpus.count(&rule.meta.rule_id, indicators(&rule.ast));
    table(
        "Indicators (corpus: other rules looking for the same field, operator and value):",
        &indicators,
        &mut out,
    );
    let _ = writeln!(out, "\nOutput fields:");
    if rule.output_fields.is_empty() {
        out.push_str("  none\n");
    }
    for (name, path) in &rule.output_fields {
        let _ = writeln!(out, "  {name} <- {path}");
    }
    out
}
