//! SQLite 3.38 or newer, with the JSON functions built in and a `REGEXP` function.

use super::{PathStep, Spec, Types};
use crate::backend::sql::escape::sqlite_string;
use crate::pattern::{ClassItem, Node, SQLITE};
use crate::target::Dialect;

pub static SPEC: Spec = Spec {
    dialect: Dialect::Sqlite,
    title: "SQLite",
    layout: "Table {table}: one event per row, as JSON text in the column `event`.",
    table: crate::backend::sql::escape::identifier,
    fields_cte: "AS",
    row: "event",
    root: |_| Ok(("event".into(), 0)),
    path,
    type_of: "coalesce(json_type({doc}, {path}), 'null')",
    value_of: "json_extract({doc}, {path})",
    json_of: "json_extract({doc}, {path})",
    array_not_empty: "json_array_length({doc}, {path}) > 0",
    object_not_empty: "json_extract({doc}, {path}) <> '{}'",
    types: Types {
        null: "'null'",
        text: "'text'",
        array: "'array'",
        object: "'object'",
    },
    text_arms: &[
        ("'text'", "{x}"),
        ("'integer'", "CAST({x} AS TEXT)"),
        ("'real'", REAL_TEXT),
        ("'true'", "'true'"),
        ("'false'", "'false'"),
    ],
    number_arms: &[
        ("'integer'", "{x}"),
        ("'real'", "{x}"),
        ("'text'", "CASE WHEN {numeric} THEN CAST({x} AS REAL) END"),
    ],
    is_numeric: r"{x} REGEXP '^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$'",
    number: |number| number.text.clone(),
    lower: "lower({x})",
    fold: |text| text.to_ascii_lowercase(),
    contains: "instr({x}, {needle}) > 0",
    starts_with: "instr({x}, {needle}) = 1",
    ends_with: "substr({x}, -{len}) = {needle}",
    string: |text| Ok(sqlite_string(text)),
    regex: "{x} REGEXP {re}",
    regex_folded: None,
    regex_wrap: "{p}",
    regex_flavor: &SQLITE,
    regex_check,
    regex_is_extension: true,
    any_element: "EXISTS (SELECT 1 FROM json_each({doc}, {path}) AS {alias} \
                  WHERE {is_array} AND {inner})",
    element_doc: "{doc}",
    element_base: Some("{alias}.fullkey"),
    true_literal: "1",
    false_literal: "0",
    max_identifier: None,
};

/// A real's shortest round-trip text: `printf` with 15, 16 or 17 digits, the first that
/// reads back as the same real; integral values below 2^53 as integers.
const REAL_TEXT: &str = "CASE\n    \
    WHEN {x} = CAST({x} AS INTEGER) AND abs({x}) < 9007199254740992\n      \
    THEN CAST(CAST({x} AS INTEGER) AS TEXT)\n    \
    WHEN CAST(printf('%.15g', {x}) AS REAL) = {x} THEN printf('%.15g', {x})\n    \
    WHEN CAST(printf('%.16g', {x}) AS REAL) = {x} THEN printf('%.16g', {x})\n    \
    ELSE printf('%.17g', {x})\n  END";

/// `'$."key"[0]'`: every key quoted. Below an element, the steps are appended to the
/// element's full key (`e1.fullkey || '."type"'`). SQLite has no escape for `"` inside
/// a quoted key, and reads a backslash there as the start of one.
fn path(base: Option<&str>, steps: &[PathStep<'_>]) -> Result<String, String> {
    let mut path = String::new();
    for step in steps {
        match step {
            PathStep::Key(key) if key.contains(['"', '\\']) => {
                return Err("SQLite cannot address a JSON key containing `\"` or `\\`".into());
            }
            PathStep::Key(key) => path.push_str(&format!(".\"{key}\"")),
            PathStep::Index(index) => path.push_str(&format!("[{index}]")),
        }
    }
    Ok(match base {
        None => sqlite_string(&format!("${path}")),
        Some(base) if path.is_empty() => base.to_string(),
        Some(base) => format!("{base} || {}", sqlite_string(&path)),
    })
}

/// SQLite's `regexp` extension ends the text at U+0000, and reads it in a pattern as the end
/// of the pattern.
fn regex_check(node: &Node) -> Option<String> {
    names_nul(node).then(|| {
        "SQLite's regexp extension reads the character U+0000 as the end of the text".into()
    })
}

/// Whether the pattern names U+0000 itself, as a character or in a class's members.
fn names_nul(node: &Node) -> bool {
    match node {
        Node::Literal(c) => *c == '\0',
        Node::Class(class) => class.items.iter().any(|item| match item {
            ClassItem::Char(c) => *c == '\0',
            ClassItem::Range(start, _) => *start == '\0',
            ClassItem::Perl { .. } => false,
        }),
        Node::Repeat { node, .. } | Node::Group(node) => names_nul(node),
        Node::Concat(items) | Node::Alternation(items) => items.iter().any(names_nul),
        Node::Empty | Node::Any | Node::Start | Node::End => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::Pattern;

    #[test]
    fn patterns_naming_nul_are_refused() {
        for source in ["a\0", "[\0-a]", "[x\0]", "(\0)*"] {
            let pattern = Pattern::parse(source).expect("portable");
            assert!(regex_check(&pattern.node).is_some(), "{source:?}");
        }
        for source in [r"[\s\S]", r"[^a]", r"\W+", "a{0}"] {
            let pattern = Pattern::parse(source).expect("portable");
            assert_eq!(regex_check(&pattern.node), None, "{source:?}");
        }
    }
}
