//! The condition as written: every node keeps its span so later stages can point at it.

use crate::ir::Path;
use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// Conjuncts: the condition's lines, or an `and` chain.
    And(Vec<Expr>),
    /// Disjuncts of an `or` chain.
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Predicate(Predicate),
}

/// `path operator [operand]`, checked for operand types only when lowered to the IR.
#[derive(Debug, Clone, PartialEq)]
pub struct Predicate {
    pub path: Path,
    pub path_span: Span,
    pub operator: Operator,
    pub operator_span: Span,
    pub operand: Option<Operand>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    pub kind: OpKind,
    /// Written with the `_cs` suffix: compare case-sensitively.
    pub case_sensitive: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Eq,
    Ne,
    In,
    NotIn,
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
    IsEmpty,
    IsNotEmpty,
}

impl OpKind {
    /// Every operator with its spelling, the one table the parser and messages use.
    pub const ALL: [(&'static str, OpKind); 16] = [
        ("eq", OpKind::Eq),
        ("ne", OpKind::Ne),
        ("in", OpKind::In),
        ("not_in", OpKind::NotIn),
        ("contains", OpKind::Contains),
        ("startswith", OpKind::StartsWith),
        ("endswith", OpKind::EndsWith),
        ("regex", OpKind::Regex),
        ("gt", OpKind::Gt),
        ("ge", OpKind::Ge),
        ("lt", OpKind::Lt),
        ("le", OpKind::Le),
        ("is_null", OpKind::IsNull),
        ("is_not_null", OpKind::IsNotNull),
        ("is_empty", OpKind::IsEmpty),
        ("is_not_empty", OpKind::IsNotEmpty),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, kind)| *kind == self)
            .map_or("?", |(name, _)| name)
    }

    /// Operators that take no operand.
    pub fn is_unary(self) -> bool {
        matches!(
            self,
            OpKind::IsNull | OpKind::IsNotNull | OpKind::IsEmpty | OpKind::IsNotEmpty
        )
    }

    /// Operators that compare text and so have a `_cs` form.
    pub fn has_case_form(self) -> bool {
        matches!(
            self,
            OpKind::Eq
                | OpKind::Ne
                | OpKind::In
                | OpKind::NotIn
                | OpKind::Contains
                | OpKind::StartsWith
                | OpKind::EndsWith
                | OpKind::Regex
        )
    }
}

impl std::fmt::Display for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let suffix = if self.case_sensitive { "_cs" } else { "" };
        write!(f, "{}{suffix}", self.kind.name())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operand {
    pub kind: OperandKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OperandKind {
    Str(String),
    /// A number with the text it was written as, so messages can quote it.
    Number(f64, String),
    Bool(bool),
    List(Vec<Operand>),
}
