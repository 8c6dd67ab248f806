//! The intermediate representation every backend and the evaluator consume.
//!
//! The IR is the condition's meaning with its spelling removed: `ne`, `not_in`,
//! `is_null` and `is_empty` are the negations of `eq`, `in`, `is_not_null` and
//! `is_not_empty`; literals are typed; and/or chains are flat; paths are segment lists.
//! [`Expr::push_negation`] moves every `not` onto a predicate, which is what backends
//! emit from.

mod lower;
mod path;
pub mod print;

pub use lower::lower_to_ir;
pub use path::{Path, Segment};

use crate::pattern::Pattern;
use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Pred(Pred),
}

/// One test on one field, possibly negated.
#[derive(Debug, Clone, PartialEq)]
pub struct Pred {
    pub path: Path,
    pub test: Test,
    pub negated: bool,
    /// The predicate's span in the condition text.
    pub span: Span,
}

/// The positive form of a predicate. Over a `[*]` path it holds when some reached value
/// passes; the negated form holds when none does.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `is_not_null`: the field is present and not null.
    Exists,
    /// `is_not_empty`: present, and not `""`, `[]` or `{}`.
    NotEmpty,
    /// `eq` / `in`: equal to any of the values.
    Equals { values: Vec<Literal>, case: Case },
    /// `contains` / `startswith` / `endswith` any of the needles.
    Text {
        op: TextOp,
        needles: Vec<String>,
        case: Case,
    },
    /// `regex`: any of the patterns is found in the text.
    Regex { patterns: Vec<Pattern>, case: Case },
    /// `gt` / `ge` / `lt` / `le` against a number.
    Compare { op: CompareOp, value: Number },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Compare the Unicode lowercase of both sides.
    Insensitive,
    Sensitive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOp {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CompareOp::Gt => ordering == Greater,
            CompareOp::Ge => ordering != Less,
            CompareOp::Lt => ordering == Less,
            CompareOp::Le => ordering != Greater,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Num(Number),
    Bool(bool),
}

/// A number literal: its value, and its canonical text (the text a number field with this
/// value has, see [`crate::eval::number_text`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub value: f64,
    pub text: String,
}

impl Expr {
    /// The same condition with every `not` pushed down onto predicates (De Morgan), and
    /// and/or chains flattened. Safe because the language is two-valued.
    pub fn push_negation(&self) -> Expr {
        self.normalize(false)
    }

    fn normalize(&self, negate: bool) -> Expr {
        match (self, negate) {
            (Expr::Not(inner), _) => inner.normalize(!negate),
            (Expr::Pred(pred), _) => Expr::Pred(Pred {
                negated: pred.negated != negate,
                ..pred.clone()
            }),
            (Expr::And(items), false) | (Expr::Or(items), true) => {
                Expr::and(items.iter().map(|item| item.normalize(negate)).collect())
            }
            (Expr::Or(items), false) | (Expr::And(items), true) => {
                Expr::or(items.iter().map(|item| item.normalize(negate)).collect())
            }
        }
    }

    /// A conjunction, flattening nested conjunctions and unwrapping a single item.
    pub fn and(items: Vec<Expr>) -> Expr {
        Self::flatten(items, true)
    }

    /// A disjunction, flattening nested disjunctions and unwrapping a single item.
    pub fn or(items: Vec<Expr>) -> Expr {
        Self::flatten(items, false)
    }

    fn flatten(items: Vec<Expr>, conjunction: bool) -> Expr {
        let mut flat = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Expr::And(inner) if conjunction => flat.extend(inner),
                Expr::Or(inner) if !conjunction => flat.extend(inner),
                other => flat.push(other),
            }
        }
        if flat.len() == 1 {
            return flat.remove(0);
        }
        if conjunction {
            Expr::And(flat)
        } else {
            Expr::Or(flat)
        }
    }

    /// Every predicate, in source order.
    pub fn predicates(&self) -> Vec<&Pred> {
        let mut out = Vec::new();
        self.collect_predicates(&mut out);
        out
    }

    fn collect_predicates<'a>(&'a self, out: &mut Vec<&'a Pred>) {
        match self {
            Expr::And(items) | Expr::Or(items) => {
                items.iter().for_each(|item| item.collect_predicates(out));
            }
            Expr::Not(inner) => inner.collect_predicates(out),
            Expr::Pred(pred) => out.push(pred),
        }
    }
}
