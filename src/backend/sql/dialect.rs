//! Each SQL dialect as data: how it reads JSON, folds case, matches regexes and quotes.
//!
//! The emitter in [`super::emit`] writes the same query shape for every dialect from these
//! descriptions; it never asks which dialect it is writing.

use crate::pattern::{Flavor, SQLITE};
use crate::target::Dialect;

/// The pieces of one dialect. Templates use `{doc}` (the JSON document expression), `{path}`
/// (a path literal in the dialect's syntax), `{x}` (an operand) and `{re}` (a pattern
/// literal).
pub struct Spec {
    pub dialect: Dialect,
    /// A display name for comments.
    pub title: &'static str,
    /// The JSON type of the value at a path, never NULL: missing reads as the null type.
    pub type_of: &'static str,
    /// The value at a path as SQL text (strings) or number (numbers).
    pub value_of: &'static str,
    /// The JSON text of an array or object at a path.
    pub json_of: &'static str,
    /// The number of elements of the array at a path.
    pub array_length: &'static str,
    /// The names `type_of` gives each JSON type.
    pub types: Types,
    /// A number as text, for integers.
    pub integer_text: &'static str,
    /// A real as text in its shortest round-trip form, for non-integral values.
    pub real_text: &'static str,
    /// A string converted to a real.
    pub to_real: &'static str,
    /// Lowercase, as the engine folds case.
    pub lower: &'static str,
    /// Folds a literal the way `lower` folds the column, so equal text stays equal.
    pub fold: fn(&str) -> String,
    /// `{x}` contains, starts with, ends with `{needle}` (a non-empty literal of `{len}`
    /// characters).
    pub contains: &'static str,
    pub starts_with: &'static str,
    pub ends_with: &'static str,
    /// Writes a string literal.
    pub string: fn(&str) -> String,
    /// Writes a JSON path literal for a list of keys and indexes; `None` when the dialect
    /// cannot address a key.
    pub path: fn(&[PathStep]) -> Option<String>,
    /// Appends a path suffix literal to a path expression.
    pub path_concat: &'static str,
    /// `{x}` matches `{re}` somewhere.
    pub regex_search: &'static str,
    /// How patterns are written for this engine's regex.
    pub regex_flavor: &'static Flavor,
    /// The elements of the JSON array at a path, as a table aliased `{alias}`.
    pub each: &'static str,
    /// The path of the current element `{alias}`, to read it from the same document.
    pub element_path: &'static str,
    pub true_literal: &'static str,
    pub false_literal: &'static str,
}

/// One step of a JSON path.
#[derive(Debug, Clone, Copy)]
pub enum PathStep<'a> {
    Key(&'a str),
    Index(usize),
}

/// The names a dialect's JSON type function returns.
pub struct Types {
    pub null: &'static str,
    pub text: &'static str,
    pub integer: &'static str,
    pub real: &'static str,
    pub true_: &'static str,
    pub false_: &'static str,
    pub array: &'static str,
    pub object: &'static str,
}

pub fn spec(dialect: Dialect) -> Option<&'static Spec> {
    match dialect {
        Dialect::Sqlite => Some(&SQLITE_SPEC),
        _ => None,
    }
}

/// SQLite 3.38 or newer, with the JSON functions built in and a `REGEXP` function.
static SQLITE_SPEC: Spec = Spec {
    dialect: Dialect::Sqlite,
    title: "SQLite",
    type_of: "coalesce(json_type({doc}, {path}), 'null')",
    value_of: "json_extract({doc}, {path})",
    json_of: "json_extract({doc}, {path})",
    array_length: "json_array_length({doc}, {path})",
    types: Types {
        null: "'null'",
        text: "'text'",
        integer: "'integer'",
        real: "'real'",
        true_: "'true'",
        false_: "'false'",
        array: "'array'",
        object: "'object'",
    },
    integer_text: "CAST({x} AS TEXT)",
    real_text: "CASE\n    \
                WHEN {x} = CAST({x} AS INTEGER) AND abs({x}) < 9007199254740992\n      \
                THEN CAST(CAST({x} AS INTEGER) AS TEXT)\n    \
                WHEN CAST(printf('%.15g', {x}) AS REAL) = {x} THEN printf('%.15g', {x})\n    \
                WHEN CAST(printf('%.16g', {x}) AS REAL) = {x} THEN printf('%.16g', {x})\n    \
                ELSE printf('%.17g', {x})\n  END",
    to_real: "CAST({x} AS REAL)",
    lower: "lower({x})",
    fold: ascii_lowercase,
    contains: "instr({x}, {needle}) > 0",
    starts_with: "instr({x}, {needle}) = 1",
    ends_with: "substr({x}, -{len}) = {needle}",
    string: sqlite_string,
    path: sqlite_path,
    path_concat: "{x} || {suffix}",
    regex_search: "{x} REGEXP {re}",
    regex_flavor: &SQLITE,
    each: "json_each({doc}, {path}) AS {alias}",
    element_path: "{alias}.fullkey",
    true_literal: "1",
    false_literal: "0",
};

fn ascii_lowercase(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// `'...'` with `'` doubled; a NUL, which would end the statement, is spliced in with
/// `char(0)`.
fn sqlite_string(text: &str) -> String {
    let quoted = format!("'{}'", text.replace('\'', "''"));
    quoted.replace('\0', "' || char(0) || '")
}

/// `'$."key"[0]'`: every key quoted. SQLite has no escape for `"` inside a quoted key.
fn sqlite_path(steps: &[PathStep<'_>]) -> Option<String> {
    let mut path = String::from("$");
    for step in steps {
        match step {
            PathStep::Key(key) if key.contains('"') => return None,
            PathStep::Key(key) => path.push_str(&format!(".\"{key}\"")),
            PathStep::Index(index) => path.push_str(&format!("[{index}]")),
        }
    }
    Some(sqlite_string(&path))
}
