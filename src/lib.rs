//! ruleport compiles detection rules, written once in a small condition language, into
//! queries and rule artifacts for several SIEMs, and proves the translations equal.
//!
//! The pipeline, one module per stage:
//!
//! - [`rule`]: rule files (YAML) and the catalog;
//! - [`syntax`]: the condition's tokens, AST and parser;
//! - [`pattern`]: regexes checked against the portable subset;
//! - [`ir`]: the condition's meaning, lowered from the AST, which backends consume;
//! - [`eval`]: the reference evaluator, which every backend is held to;
//! - [`diagnostic`]: errors as data, rendered as caret reports in one place;
//! - [`testing`]: running a rule's tests (`ruleport test`).

pub mod diagnostic;
pub mod eval;
pub mod ir;
pub mod pattern;
pub mod rule;
pub mod source;
pub mod syntax;
pub mod testing;
pub mod value;
