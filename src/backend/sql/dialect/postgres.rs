//! PostgreSQL 12 or newer: events in a `jsonb` column, a UTF-8 database.

use super::{PathStep, Spec, Types, max_repeat, simple_lowercase};
use crate::backend::sql::escape::{identifier, postgres_string};
use crate::pattern::{Node, POSTGRES};
use crate::target::Dialect;

pub static SPEC: Spec = Spec {
    dialect: Dialect::Postgres,
    title: "PostgreSQL",
    layout: "Table {table}: one event per row, as jsonb in the column `event`.",
    table: identifier,
    fields_cte: "AS MATERIALIZED",
    row: "event",
    root: |_| Ok(("event".into(), 0)),
    path,
    type_of: "coalesce(jsonb_typeof({doc}{path}), 'null')",
    value_of: "({doc}{path} #>> '{}')",
    json_of: "{doc}{path}",
    array_not_empty: "jsonb_array_length({doc}{path}) > 0",
    object_not_empty: "{doc}{path} <> '{}'::jsonb",
    types: Types {
        null: "'null'",
        text: "'string'",
        array: "'array'",
        object: "'object'",
    },
    text_arms: &[
        ("'string'", "{x}"),
        ("'number'", NUMBER_TEXT),
        ("'boolean'", "{x}"),
    ],
    number_arms: &[
        ("'number'", TO_DOUBLE),
        ("'string'", NUMERIC_STRING_TO_DOUBLE),
    ],
    is_numeric: r"{x} ~ '^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$'",
    number: |number| number.text.clone(),
    lower: "lower({x})",
    fold: simple_lowercase,
    contains: "strpos({x}, {needle}) > 0",
    starts_with: "starts_with({x}, {needle})",
    ends_with: "right({x}, {len}) = {needle}",
    string: postgres_string,
    regex: "{x} ~ {re}",
    regex_folded: Some("{x} ~* {re}"),
    regex_wrap: "{p}",
    regex_flavor: &POSTGRES,
    regex_check,
    regex_is_extension: false,
    any_element: "EXISTS (SELECT 1 FROM jsonb_array_elements(\
                  CASE WHEN {is_array} THEN {doc}{path} END) AS {alias}(value) \
                  WHERE {inner})",
    element_doc: "{alias}.value",
    element_base: None,
    true_literal: "TRUE",
    false_literal: "FALSE",
    max_identifier: Some(63),
};

/// A jsonb number's text as LANGUAGE.md writes it (jsonb keeps the digits as written, so
/// `1.50` is `1.50` there). Integral values are printed as integers; others go through
/// float8, whose text has the shortest round-trip digits, and numeric, which spells an
/// exponent form out. Numbers float8 cannot hold never raise an error.
const NUMBER_TEXT: &str = "CASE\n    \
    WHEN {x}::numeric = trunc({x}::numeric) AND abs({x}::numeric) < 18446744073709551616\n      \
    THEN trunc({x}::numeric)::text\n    \
    WHEN abs({x}::numeric) > 1.7976931348623157e308 THEN NULL\n    \
    WHEN abs({x}::numeric) < 2.4703282292062328e-324 THEN '0'\n    \
    ELSE {x}::float8::text::numeric::text\n  END";

/// The value as float8, the evaluator's number; out-of-range values become infinity or
/// zero as they do there, instead of raising an error.
const TO_DOUBLE: &str = "CASE\n    \
    WHEN abs({x}::numeric) > 1.7976931348623157e308\n      \
    THEN sign({x}::numeric) * 'Infinity'::float8\n    \
    WHEN abs({x}::numeric) < 2.4703282292062328e-324 THEN 0\n    \
    ELSE {x}::float8\n  END";

/// [`TO_DOUBLE`] for a string that is a number literal.
const NUMERIC_STRING_TO_DOUBLE: &str = "CASE WHEN {numeric} THEN CASE\n      \
    WHEN abs({x}::numeric) > 1.7976931348623157e308\n        \
    THEN sign({x}::numeric) * 'Infinity'::float8\n      \
    WHEN abs({x}::numeric) < 2.4703282292062328e-324 THEN 0\n      \
    ELSE {x}::float8\n    END END";

/// ` -> 'key' -> 0`: a text step only reads an object's key, an integer step only an
/// array's element, which is what the language means. (`#>` with a text array would read
/// `{"1": ..}` for `[1]` and an array element for the key `` `1` ``.)
fn path(_: Option<&str>, steps: &[PathStep<'_>]) -> Result<String, String> {
    let mut path = String::new();
    for step in steps {
        match step {
            PathStep::Key(key) => path.push_str(&format!(" -> {}", postgres_string(key)?)),
            PathStep::Index(index) => path.push_str(&format!(" -> {index}")),
        }
    }
    Ok(path)
}

/// PostgreSQL regexes reject repetition bounds above 255.
fn regex_check(node: &Node) -> Option<String> {
    (max_repeat(node) > 255)
        .then(|| "PostgreSQL regexes allow repetition counts up to 255".to_string())
}
