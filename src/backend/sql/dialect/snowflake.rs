//! Snowflake as Panther's data lake lays it out: `panther_logs.public.<log_type>`, one
//! column per top-level field, nested values in VARIANT columns.
//!
//! There is no Snowflake engine here: the output is parsed with sqlglot, not executed.

use super::{PathStep, Root, Spec, Types, any_pattern, exponent_number, simple_lowercase};
use crate::backend::sql::escape::{snowflake_identifier, snowflake_string};
use crate::pattern::POSIX;
use crate::target::Dialect;

pub static SPEC: Spec = Spec {
    dialect: Dialect::Snowflake,
    title: "Snowflake",
    layout: "Table panther_logs.public.{table}: Panther's data lake, a column per top-level field.",
    table: |name| format!("panther_logs.public.{}", snowflake_identifier(name)),
    fields_cte: "AS",
    row: "*",
    root,
    path,
    type_of: "coalesce(TYPEOF({doc}{path}), 'NULL_VALUE')",
    value_of: "{doc}{path}",
    json_of: "{doc}{path}",
    array_not_empty: "ARRAY_SIZE({doc}{path}) > 0",
    object_not_empty: "ARRAY_SIZE(OBJECT_KEYS({doc}{path})) > 0",
    types: Types {
        null: "'NULL_VALUE'",
        text: "'VARCHAR'",
        array: "'ARRAY'",
        object: "'OBJECT'",
    },
    text_arms: &[
        ("'VARCHAR'", "{x}::string"),
        ("'INTEGER'", "{x}::string"),
        ("'DECIMAL'", DECIMAL_TEXT),
        ("'DOUBLE'", "{x}::string"),
        ("'BOOLEAN'", "{x}::string"),
    ],
    number_arms: &[
        ("'INTEGER'", "{x}::FLOAT"),
        ("'DECIMAL'", "{x}::FLOAT"),
        ("'DOUBLE'", "{x}::FLOAT"),
        (
            "'VARCHAR'",
            "CASE WHEN {numeric} THEN TRY_TO_DOUBLE({x}::string) END",
        ),
    ],
    is_numeric: "REGEXP_LIKE({x}::string, '-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?')",
    number: exponent_number,
    lower: "LOWER({x})",
    fold: simple_lowercase,
    contains: "CONTAINS({x}, {needle})",
    starts_with: "STARTSWITH({x}, {needle})",
    ends_with: "ENDSWITH({x}, {needle})",
    string: |text| Ok(snowflake_string(text)),
    regex: "REGEXP_LIKE({x}, {re})",
    regex_folded: Some("REGEXP_LIKE({x}, {re}, 'i')"),
    regex_wrap: "(.|\n)*({p})(.|\n)*",
    regex_flavor: &POSIX,
    regex_check: any_pattern,
    regex_is_extension: false,
    any_element: "coalesce(ARRAY_SIZE(FILTER(AS_ARRAY({doc}{path}), {alias} -> {inner})), 0) > 0",
    element_doc: "{alias}",
    element_base: None,
    true_literal: "TRUE",
    false_literal: "FALSE",
    max_identifier: Some(255),
};

/// A decimal keeps the digits it was written with: trailing zeros after the point go.
const DECIMAL_TEXT: &str = "CASE WHEN CONTAINS({x}::string, '.') \
    THEN RTRIM(RTRIM({x}::string, '0'), '.') ELSE {x}::string END";

/// A top-level key is a column, read as VARIANT so every field is typed alike.
fn root(steps: &[PathStep<'_>]) -> Result<Root, String> {
    match steps.first() {
        Some(PathStep::Key("")) => Err("a Snowflake column cannot have an empty name".into()),
        Some(PathStep::Key(key)) => Ok((format!("TO_VARIANT({})", snowflake_identifier(key)), 1)),
        _ => Err("Snowflake reads a field from its top-level column".into()),
    }
}

/// `['key'][0]`: bracket steps are exact (case-sensitive) for any key.
fn path(_: Option<&str>, steps: &[PathStep<'_>]) -> Result<String, String> {
    let mut path = String::new();
    for step in steps {
        match step {
            PathStep::Key(key) => path.push_str(&format!("[{}]", snowflake_string(key))),
            PathStep::Index(index) => path.push_str(&format!("[{index}]")),
        }
    }
    Ok(path)
}
