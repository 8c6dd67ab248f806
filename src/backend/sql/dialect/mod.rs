//! Each SQL dialect as data: how it reads JSON, folds case, matches regexes and quotes.
//!
//! The emitter in [`super::emit`] writes the same query shape for every dialect from these
//! descriptions; it never asks which dialect it is writing. Templates name their holes in
//! braces and are filled in one pass ([`super::fill`]): `{doc}` (a JSON document
//! expression), `{path}` (a path from it in the dialect's syntax), `{x}` (an operand),
//! `{re}` (a pattern literal), `{alias}` (an array element's name) and a few more, listed
//! on each field.

mod duckdb;
mod postgres;
mod snowflake;
mod sqlite;

use crate::ir::Number;
use crate::pattern::{Flavor, Node};
use crate::target::Dialect;

/// The pieces of one dialect.
pub struct Spec {
    pub dialect: Dialect,
    /// A display name for comments.
    pub title: &'static str,
    /// The header line saying what the table holds; `{table}` is the table.
    pub layout: &'static str,
    /// The table expression for a table name.
    pub table: fn(&str) -> String,
    /// What introduces the `fields` CTE: PostgreSQL copies an inlined CTE's expression into
    /// every use, so a condition testing one field a thousand times would plan its text
    /// expression a thousand times (minutes, gigabytes); `AS MATERIALIZED` computes it once.
    pub fields_cte: &'static str,
    /// What every row carries through the query's CTEs (`event`, or `*` for all columns),
    /// and what a rule without output fields returns.
    pub row: &'static str,
    /// Where a field path starts: the document expression, and how many of the path's
    /// steps it took (a top-level key may be a column). `Err` says why it cannot.
    pub root: fn(&[PathStep<'_>]) -> Result<Root, String>,
    /// The path expression for steps below a document, after an element's base path when
    /// there is one. `Err` says why a step cannot be addressed.
    pub path: fn(Option<&str>, &[PathStep<'_>]) -> Result<String, String>,
    /// The JSON type of the value at `{doc}`/`{path}`, never NULL: missing reads as null.
    pub type_of: &'static str,
    /// The value at a location, as the text and number arms read it (`{x}` there).
    pub value_of: &'static str,
    /// The JSON of the value at a location, for output fields.
    pub json_of: &'static str,
    /// Whether the array, or the object, at a location has members.
    pub array_not_empty: &'static str,
    pub object_not_empty: &'static str,
    /// The names `type_of` gives the JSON types the emitter tests for.
    pub types: Types,
    /// `CASE <type> WHEN <name> THEN <text>` for each type that has a text (LANGUAGE.md
    /// section 3); `{x}` is the value.
    pub text_arms: &'static [(&'static str, &'static str)],
    /// The same for the numeric value of numbers and numeric strings; `{numeric}` is
    /// [`Spec::is_numeric`] of the value.
    pub number_arms: &'static [(&'static str, &'static str)],
    /// Whether the value `{x}` is a string in the number-literal grammar.
    pub is_numeric: &'static str,
    /// A number literal, so that it compares as the number the evaluator compares.
    pub number: fn(&Number) -> String,
    /// Lowercase, as the engine folds case.
    pub lower: &'static str,
    /// Folds a literal the way `lower` folds the column, so equal text stays equal.
    pub fold: fn(&str) -> String,
    /// `{x}` contains, starts with, ends with `{needle}` (a non-empty literal of `{len}`
    /// characters).
    pub contains: &'static str,
    pub starts_with: &'static str,
    pub ends_with: &'static str,
    /// Writes a string literal; `Err` says why the text cannot be one.
    pub string: fn(&str) -> Result<String, String>,
    /// `{x}` matches the pattern literal `{re}` somewhere (or as a whole, with `regex_wrap`).
    pub regex: &'static str,
    /// The case-insensitive form, when the engine has one; otherwise both sides are
    /// lowercased and `regex` is used.
    pub regex_folded: Option<&'static str>,
    /// The printed pattern `{p}` as the regex function needs it (a search everywhere but
    /// Snowflake, whose `REGEXP_LIKE` matches the whole text).
    pub regex_wrap: &'static str,
    /// How patterns are written for this engine's regex.
    pub regex_flavor: &'static Flavor,
    /// Why the engine cannot run a pattern, if it cannot.
    pub regex_check: fn(&Node) -> Option<String>,
    /// Whether the regex function is one SQLite users must add (the header says so).
    pub regex_is_extension: bool,
    /// Some element of the array at `{doc}`/`{path}` passes `{inner}`, which reads the
    /// element `{alias}`; `{is_array}` tests that the value is an array. Never NULL when
    /// `{inner}` is never NULL.
    pub any_element: &'static str,
    /// The document holding element `{alias}` of an array in document `{doc}`.
    pub element_doc: &'static str,
    /// The element's path in that document, when the document is the array's own.
    pub element_base: Option<&'static str>,
    pub true_literal: &'static str,
    pub false_literal: &'static str,
    /// The longest identifier the engine keeps, in bytes (longer ones are cut short).
    pub max_identifier: Option<usize>,
}

/// Where a path starts reading: the document expression, and how many steps it took.
pub type Root = (String, usize);

/// One step of a JSON path.
#[derive(Debug, Clone, Copy)]
pub enum PathStep<'a> {
    Key(&'a str),
    Index(usize),
}

/// The names a dialect's JSON type function returns, as SQL literals.
pub struct Types {
    pub null: &'static str,
    pub text: &'static str,
    pub array: &'static str,
    pub object: &'static str,
}

/// The description of every dialect.
pub fn spec(dialect: Dialect) -> &'static Spec {
    match dialect {
        Dialect::Sqlite => &sqlite::SPEC,
        Dialect::Duckdb => &duckdb::SPEC,
        Dialect::Postgres => &postgres::SPEC,
        Dialect::Snowflake => &snowflake::SPEC,
    }
}

/// Lowercase one character at a time, as `lower()` does in engines that fold Unicode
/// (DuckDB, PostgreSQL with a UTF-8 locale, Snowflake): no context rules such as Greek
/// final sigma, and `İ` becomes plain `i`.
fn simple_lowercase(text: &str) -> String {
    text.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

/// A number literal that parses as the same double everywhere: integers below 2^53 as
/// they are, anything else in exponent form with its shortest round-trip digits.
fn exponent_number(number: &Number) -> String {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if number.value.fract() == 0.0 && number.value.abs() < EXACT {
        number.text.clone()
    } else {
        format!("{:e}", number.value)
    }
}

/// The largest repetition count in a pattern.
fn max_repeat(node: &Node) -> u32 {
    match node {
        Node::Repeat { node, min, max } => (*min).max(max.unwrap_or(0)).max(max_repeat(node)),
        Node::Group(inner) => max_repeat(inner),
        Node::Concat(items) | Node::Alternation(items) => {
            items.iter().map(max_repeat).max().unwrap_or(0)
        }
        _ => 0,
    }
}

fn any_pattern(_: &Node) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_lowercase_folds_each_character_alone() {
        assert_eq!(simple_lowercase("ÉMILE"), "émile");
        assert_eq!(simple_lowercase("ΣΑΣ"), "σασ");
        assert_eq!(simple_lowercase("İ"), "i");
    }

    #[test]
    fn numbers_keep_their_double() {
        let number = |value: f64, text: &str| Number {
            value,
            text: text.into(),
        };
        assert_eq!(exponent_number(&number(1000.0, "1000")), "1000");
        assert_eq!(exponent_number(&number(0.5, "0.5")), "5e-1");
        assert_eq!(
            exponent_number(&number(0.1 + 0.2, "0.30000000000000004")),
            "3.0000000000000004e-1"
        );
    }
}
