//! The condition language's surface syntax: the AST with spans, and its nom parser.
//!
//! Spans here are byte ranges into the condition text; the rule loader maps them into
//! the rule file.

mod ast;
mod lexical;
mod parse;

pub use ast::{Expr, ExprKind, OpKind, Operand, OperandKind, Operator, Predicate};
pub use lexical::{is_number as is_number_literal, is_reserved};
pub use parse::{MAX_NESTING, parse_condition, parse_path};

use crate::source::Span;

/// A problem in a condition, located in the condition's own text.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
    pub hint: Option<String>,
}

impl SyntaxError {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}
