//! What a condition's structure says about a rule: the predicates it suppresses
//! (exclusions) and the ones it looks for (indicators), read from the condition as written.

use serde::Serialize;

use crate::syntax::{Expr, ExprKind, OpKind, Operand, OperandKind, Predicate};

/// One predicate as a table row: field, operator as written, values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub field: String,
    pub kind: String,
    pub values: Vec<String>,
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
