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
//! - [`mapping`]: where each target keeps each log type's fields;
//! - [`attack`]: MITRE ATT&CK tactics and techniques, which targets and imports name;
//! - [`backend`]: one backend per [`target`], rendering artifacts through [`templates`];
//! - [`compiler`]: the catalog through the backends (`ruleport compile`);
//! - [`testing`]: running a rule's tests (`ruleport test`);
//! - [`check`]: the CI gate over all of it (`ruleport check`);
//! - [`verify`]: running compiled output on real engines (`ruleport verify`);
//! - [`sigma`]: Sigma rules into rule files (`ruleport import sigma`);
//! - [`stream`]: rules over a stream of JSON-lines events (`ruleport eval`).

pub mod attack;
pub mod backend;
pub mod check;
mod code_escape;
pub mod compiler;
pub mod coverage;
pub mod diagnostic;
pub mod eval;
pub mod explain;
pub mod ir;
pub mod mapping;
pub mod pattern;
pub mod rule;
pub mod sigma;
pub mod source;
pub mod stream;
pub mod syntax;
pub mod target;
pub mod templates;
pub mod testing;
pub mod value;
pub mod verify;
