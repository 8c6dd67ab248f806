//! The condition an imported rule gets, as a tree of ruleport predicates before it is
//! written out as condition text.

use crate::ir::Path;
use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Pred(Pred),
}

/// One predicate: `path op value(s)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pred {
    pub path: Path,
    pub op: Op,
    /// The `_cs` form of a text operator.
    pub cased: bool,
    /// None for the unary operators, one for comparisons, one or more otherwise.
    pub values: Vec<Literal>,
    /// The detection key in the Sigma file that the predicate comes from.
    pub origin: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `eq` with one value, `in` with several.
    Eq,
    Contains,
    StartsWith,
    EndsWith,
    Regex,
    Gt,
    Ge,
    Lt,
    Le,
    IsNull,
    IsNotNull,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Literal {
    Str(String),
    /// A number as written, in the condition language's number syntax.
    Number(String),
    Bool(bool),
}

impl Cond {
    /// `and` of the items, flattened; one item stands alone.
    pub fn and(items: Vec<Cond>) -> Cond {
        Self::join(items, true)
    }

    /// `or` of the items, flattened; one item stands alone.
    pub fn or(items: Vec<Cond>) -> Cond {
        Self::join(items, false)
    }

    fn join(items: Vec<Cond>, conjunction: bool) -> Cond {
        let mut flat = Vec::new();
        for item in items {
            match (item, conjunction) {
                (Cond::And(inner), true) | (Cond::Or(inner), false) => flat.extend(inner),
                (item, _) => flat.push(item),
            }
        }
        if flat.len() == 1 {
            return flat.remove(0);
        }
        if conjunction {
            Cond::And(flat)
        } else {
            Cond::Or(flat)
        }
    }

    pub fn not(item: Cond) -> Cond {
        match item {
            Cond::Not(inner) => *inner,
            other => Cond::Not(Box::new(other)),
        }
    }
}
