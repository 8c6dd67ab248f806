//! DuckDB (1.1 or newer) with its built-in `json` extension: events in a `JSON` column.

use super::{PathStep, Spec, Types, any_pattern, exponent_number, simple_lowercase};
use crate::backend::sql::escape::{duckdb_string, identifier};
use crate::pattern::RUST;
use crate::target::Dialect;

pub static SPEC: Spec = Spec {
    dialect: Dialect::Duckdb,
    title: "DuckDB",
    layout: "Table {table}: one event per row, as JSON in the column `event`.",
    table: identifier,
    fields_cte: "AS",
    row: "event",
    root: |_| Ok(("event".into(), 0)),
    path,
    type_of: "coalesce(json_type({doc}, {path}), 'NULL')",
    value_of: "json_extract_string({doc}, {path})",
    json_of: "json_extract({doc}, {path})",
    array_not_empty: "json_array_length({doc}, {path}) > 0",
    object_not_empty: "len(json_keys({doc}, {path})) > 0",
    types: Types {
        null: "'NULL'",
        text: "'VARCHAR'",
        array: "'ARRAY'",
        object: "'OBJECT'",
    },
    text_arms: &[
        ("'VARCHAR'", "{x}"),
        ("'BIGINT'", "{x}"),
        ("'UBIGINT'", "{x}"),
        ("'DOUBLE'", DOUBLE_TEXT),
        ("'BOOLEAN'", "{x}"),
    ],
    number_arms: &[
        ("'BIGINT'", "CAST({x} AS DOUBLE)"),
        ("'UBIGINT'", "CAST({x} AS DOUBLE)"),
        ("'DOUBLE'", "CAST({x} AS DOUBLE)"),
        (
            "'VARCHAR'",
            "CASE WHEN {numeric} THEN CAST({x} AS DOUBLE) END",
        ),
    ],
    is_numeric: r"regexp_full_match({x}, '-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?')",
    number: exponent_number,
    lower: "lower({x})",
    fold: simple_lowercase,
    contains: "contains({x}, {needle})",
    starts_with: "starts_with({x}, {needle})",
    ends_with: "ends_with({x}, {needle})",
    string: |text| Ok(duckdb_string(text)),
    regex: "regexp_matches({x}, {re})",
    regex_folded: Some("regexp_matches({x}, {re}, 'i')"),
    regex_wrap: "{p}",
    regex_flavor: &RUST,
    regex_check: any_pattern,
    regex_is_extension: false,
    any_element: "EXISTS (SELECT 1 FROM json_each({doc}, {path}) AS {alias} \
                  WHERE {is_array} AND {inner})",
    element_doc: "{alias}.value",
    element_base: None,
    true_literal: "TRUE",
    false_literal: "FALSE",
    max_identifier: None,
};

/// A double's text as LANGUAGE.md writes it. DuckDB casts a double to its shortest
/// round-trip digits, but in exponent form below 1e-4 and from 1e16 (`1.5e-07`,
/// `1e+16`): integral values below 1e16 are printed as integers, and exponent forms are
/// spelled out (`0.00000015`, `10000000000000000`).
const DOUBLE_TEXT: &str = "CASE\n    \
    WHEN trunc(CAST({x} AS DOUBLE)) = CAST({x} AS DOUBLE)\n      \
    AND abs(CAST({x} AS DOUBLE)) < 1e16\n      \
    THEN CAST(CAST(CAST({x} AS DOUBLE) AS BIGINT) AS VARCHAR)\n    \
    WHEN NOT contains(CAST(CAST({x} AS DOUBLE) AS VARCHAR), 'e')\n      \
    THEN CAST(CAST({x} AS DOUBLE) AS VARCHAR)\n    \
    WHEN abs(CAST({x} AS DOUBLE)) >= 1e16 THEN concat(\n      \
    CASE WHEN CAST({x} AS DOUBLE) < 0 THEN '-' END,\n      \
    rpad(\n        \
    replace(split_part(CAST(abs(CAST({x} AS DOUBLE)) AS VARCHAR), 'e', 1), '.', ''),\n        \
    CAST(split_part(CAST(CAST({x} AS DOUBLE) AS VARCHAR), 'e', 2) AS INTEGER) + 1,\n        \
    '0'))\n    \
    ELSE concat(\n      \
    CASE WHEN CAST({x} AS DOUBLE) < 0 THEN '-' END,\n      \
    '0.',\n      \
    lpad(\n        \
    replace(split_part(CAST(abs(CAST({x} AS DOUBLE)) AS VARCHAR), 'e', 1), '.', ''),\n        \
    CAST(length(\n          \
    replace(split_part(CAST(abs(CAST({x} AS DOUBLE)) AS VARCHAR), 'e', 1), '.', ''))\n          \
    - CAST(split_part(CAST(CAST({x} AS DOUBLE) AS VARCHAR), 'e', 2) AS INTEGER) - 1\n          \
    AS INTEGER),\n        \
    '0'))\n  END";

/// `'$."key"[0]'`, every key quoted with JSON string escapes (DuckDB reads `\"` and `\\`
/// inside a quoted key). DuckDB's paths cannot name the empty key.
fn path(_: Option<&str>, steps: &[PathStep<'_>]) -> Result<String, String> {
    let mut path = String::from("$");
    for step in steps {
        match step {
            PathStep::Key("") => return Err("DuckDB cannot address an empty JSON key".into()),
            PathStep::Key(key) if key.contains('*') => {
                return Err("DuckDB reads `*` in a JSON path key as a wildcard".into());
            }
            PathStep::Key(key) => path.push_str(&format!(".{}", json_key(key))),
            PathStep::Index(index) => path.push_str(&format!("[{index}]")),
        }
    }
    Ok(duckdb_string(&path))
}

/// A key in double quotes. DuckDB's path reader takes `\"` and `\\` as escapes and every
/// other character as itself: JSON's escapes such as `\t` would not be read back.
fn json_key(key: &str) -> String {
    format!("\"{}\"", key.replace('\\', "\\\\").replace('"', "\\\""))
}
