//! A model of the KQL this backend writes, for the tests: it runs a compiled [`Query`] on
//! one event the way Kusto documents its operators, so the emitter's logic (negations, null
//! handling, guards, `mv-apply` counts) can be checked against the reference evaluator on
//! every conformance case and on random conditions and events.
//!
//! What it assumes about Kusto is written down here once: `==` with one null side is false
//! and `!=` true; ordered comparisons with a null are null; `and`/`or` are three-valued and
//! `not(null)` is null; `where` keeps a row only when its condition is true; `todouble()` is
//! lenient (so a missing numeric-string guard would show); JSON integers are `int`/`long`,
//! other numbers `real`; `tostring()` of a JSON value is the string itself, the decimal form
//! of a number, `true`/`false`, or the JSON text of an array or object; `parse_json()` of
//! `""` is null and of text that is not JSON the string itself; `mv-apply` with a
//! `summarize` and no `by` gives one row per input row. It cannot prove those facts:
//! Microsoft's parser checks the syntax and types, this model the logic.

use std::collections::BTreeMap;

use regex::Regex;
use serde_json::Value;

use super::expr::{Const, Expr, Func, Op};
use super::query::{AnyBody, AnyStage, Query, Stage};
use crate::ir::{Case, TextOp};

/// A KQL value.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Null,
    Str(String),
    Long(i64),
    Real(f64),
    Bool(bool),
    Dyn(Value),
}

/// Column and variable values.
pub type Row = BTreeMap<String, V>;

/// Whether the query keeps the row.
pub fn keeps(query: &Query, mut row: Row) -> bool {
    for stage in &query.stages {
        match stage {
            Stage::Where(test) => {
                if eval(test, &row) != V::Bool(true) {
                    return false;
                }
            }
            Stage::Any(any) => {
                let hits = count(any, &row);
                row.insert(any.hits.value.clone(), V::Long(hits));
            }
        }
    }
    true
}

/// The number of elements an `mv-apply` stage counts for one row.
fn count(stage: &AnyStage, row: &Row) -> i64 {
    let array = eval(&stage.array, row);
    let Some(elements) = helper_elements(&array) else {
        return 0;
    };
    let mut hits = 0;
    for element in elements {
        let mut inner = row.clone();
        inner.insert(stage.element.value.clone(), V::Dyn(element));
        let passes = match &stage.body {
            AnyBody::Test(test) => eval(test, &inner) == V::Bool(true),
            AnyBody::Nested(nested) => count(nested, &inner) > 0,
        };
        hits += i64::from(passes);
    }
    hits
}

fn helper_elements(array: &V) -> Option<Vec<Value>> {
    match array {
        V::Dyn(Value::Array(items)) => Some(items.clone()),
        _ => None,
    }
}

pub fn eval(expr: &Expr, row: &Row) -> V {
    match expr {
        Expr::Name(name) => row.get(&name.value).cloned().unwrap_or(V::Null),
        Expr::Member(base, key) => match eval(base, row) {
            V::Dyn(Value::Object(map)) => V::Dyn(map.get(&key.value).cloned().unwrap_or_default()),
            _ => V::Dyn(Value::Null),
        },
        Expr::Index(base, index) => match eval(base, row) {
            V::Dyn(Value::Array(items)) => V::Dyn(items.get(*index).cloned().unwrap_or_default()),
            _ => V::Dyn(Value::Null),
        },
        Expr::Str(literal) => V::Str(literal.value.clone()),
        Expr::Number(number) => V::Real(number.value),
        Expr::Bool(flag) => V::Bool(*flag),
        Expr::Const(Const::RealNull) => V::Null,
        Expr::Const(Const::NullArray) => V::Dyn(Value::Array(vec![Value::Null])),
        Expr::Call(func, args) => call(*func, args, row),
        Expr::Binary(left, op, right) => binary(eval(left, row), *op, eval(right, row)),
        Expr::In(left, op, items) => {
            let left = eval(left, row);
            if is_null(&left) {
                return V::Null;
            }
            let equal = if op.case == Case::Insensitive {
                Op::EqFold
            } else {
                Op::Eq
            };
            let found = items
                .iter()
                .any(|item| binary(left.clone(), equal, eval(item, row)) == V::Bool(true));
            V::Bool(found != op.negated)
        }
        Expr::And(items) => three_valued(items.iter().map(|item| eval(item, row)), false),
        Expr::Or(items) => three_valued(items.iter().map(|item| eval(item, row)), true),
    }
}

/// `and` (decided by a false) or `or` (decided by a true), null when undecided by a null.
fn three_valued(values: impl Iterator<Item = V>, decider: bool) -> V {
    let mut unknown = false;
    for value in values {
        match value {
            V::Bool(flag) if flag == decider => return V::Bool(decider),
            V::Bool(_) => {}
            _ => unknown = true,
        }
    }
    if unknown { V::Null } else { V::Bool(!decider) }
}

fn call(func: Func, args: &[Expr], row: &Row) -> V {
    let arg = |i: usize| args.get(i).map_or(V::Null, |expr| eval(expr, row));
    match func {
        Func::Not => match arg(0) {
            V::Bool(flag) => V::Bool(!flag),
            _ => V::Null,
        },
        Func::ToString => V::Str(to_string(&arg(0))),
        Func::ToDouble => to_double(&arg(0)).map_or(V::Null, V::Real),
        Func::ToLong => to_double(&arg(0))
            .filter(|value| value.is_finite() && value.abs() < 9.2e18)
            .map_or(V::Null, |value| V::Long(value.trunc() as i64)),
        Func::GetType => V::Str(type_name(&arg(0)).to_string()),
        Func::IsNull => V::Bool(is_null(&arg(0))),
        Func::IsNotNull => V::Bool(!is_null(&arg(0))),
        Func::IsEmpty => V::Bool(is_empty(&arg(0))),
        Func::IsNotEmpty => V::Bool(!is_empty(&arg(0))),
        Func::ArrayLength => match arg(0) {
            V::Dyn(Value::Array(items)) => V::Long(items.len() as i64),
            _ => V::Null,
        },
        Func::ArrayConcat => {
            let mut all = Vec::new();
            for i in 0..args.len() {
                match arg(i) {
                    V::Dyn(Value::Array(items)) => all.extend(items),
                    _ => return V::Null,
                }
            }
            V::Dyn(Value::Array(all))
        }
        Func::BagKeys => match arg(0) {
            V::Dyn(Value::Object(map)) => V::Dyn(Value::Array(
                map.keys().cloned().map(Value::String).collect(),
            )),
            _ => V::Null,
        },
        Func::ParseJson => match arg(0) {
            V::Str(text) if text.is_empty() => V::Null,
            // Text that is not JSON is kept as a string, as Kusto documents.
            V::Str(text) => V::Dyn(serde_json::from_str(&text).unwrap_or(Value::String(text))),
            other => other,
        },
        Func::Iff | Func::Case => {
            for pair in args.chunks(2) {
                match pair {
                    [condition, value] if eval(condition, row) == V::Bool(true) => {
                        return eval(value, row);
                    }
                    [_, _] => {}
                    [otherwise] => return eval(otherwise, row),
                    _ => {}
                }
            }
            V::Null
        }
        Func::Helper(helper) => {
            let mut local = row.clone();
            local.insert(helper.param().0.to_string(), arg(0));
            eval(&helper.body(), &local)
        }
    }
}

fn binary(left: V, op: Op, right: V) -> V {
    let fold = |case: Case, text: &str| match case {
        Case::Insensitive => text.to_lowercase(),
        Case::Sensitive => text.to_string(),
    };
    match op {
        Op::Eq | Op::Ne => match (is_null(&left), is_null(&right)) {
            (true, true) => V::Null,
            (true, false) | (false, true) => V::Bool(op == Op::Ne),
            (false, false) => V::Bool(equal(&left, &right) == (op == Op::Eq)),
        },
        Op::EqFold | Op::NeFold => {
            let same = fold(Case::Insensitive, &to_string(&left))
                == fold(Case::Insensitive, &to_string(&right));
            V::Bool(same == (op == Op::EqFold))
        }
        Op::Gt | Op::Ge | Op::Lt | Op::Le => match (number(&left), number(&right)) {
            (Some(a), Some(b)) => V::Bool(match op {
                Op::Gt => a > b,
                Op::Ge => a >= b,
                Op::Lt => a < b,
                _ => a <= b,
            }),
            _ => V::Null,
        },
        Op::Text {
            op: text_op,
            case,
            negated,
        } => {
            let text = fold(case, &to_string(&left));
            let needle = fold(case, &to_string(&right));
            let found = match text_op {
                TextOp::Contains => text.contains(&needle),
                TextOp::StartsWith => text.starts_with(&needle),
                TextOp::EndsWith => text.ends_with(&needle),
            };
            V::Bool(found != negated)
        }
        Op::Matches => {
            let regex = Regex::new(&to_string(&right)).expect("the emitter writes valid RE2");
            V::Bool(regex.is_match(&to_string(&left)))
        }
    }
}

fn equal(left: &V, right: &V) -> bool {
    match (number(left), number(right)) {
        (Some(a), Some(b)) => a == b,
        _ => match (left, right) {
            (V::Str(a), V::Str(b)) => a == b,
            (V::Bool(a), V::Bool(b)) => a == b,
            _ => false,
        },
    }
}

/// The number of a typed numeric value (not of strings or JSON: KQL does not convert them
/// in comparisons).
fn number(value: &V) -> Option<f64> {
    match value {
        V::Long(int) => Some(*int as f64),
        V::Real(real) => Some(*real),
        _ => None,
    }
}

fn is_null(value: &V) -> bool {
    matches!(value, V::Null | V::Dyn(Value::Null))
}

fn is_empty(value: &V) -> bool {
    match value {
        V::Str(text) | V::Dyn(Value::String(text)) => text.is_empty(),
        other => is_null(other),
    }
}

fn type_name(value: &V) -> &'static str {
    match value {
        V::Null | V::Dyn(Value::Null) => "null",
        V::Str(_) | V::Dyn(Value::String(_)) => "string",
        V::Long(_) => "long",
        V::Real(_) => "real",
        V::Bool(_) | V::Dyn(Value::Bool(_)) => "bool",
        V::Dyn(Value::Number(number)) => match number.as_i64() {
            Some(int) if i32::try_from(int).is_ok() => "int",
            Some(_) => "long",
            None => "real",
        },
        V::Dyn(Value::Array(_)) => "array",
        V::Dyn(Value::Object(_)) => "dictionary",
    }
}

fn to_string(value: &V) -> String {
    match value {
        V::Null | V::Dyn(Value::Null) => String::new(),
        V::Str(text) | V::Dyn(Value::String(text)) => text.clone(),
        V::Long(int) => int.to_string(),
        V::Real(real) => real.to_string(),
        V::Bool(flag) | V::Dyn(Value::Bool(flag)) => flag.to_string(),
        V::Dyn(Value::Number(number)) => match number.as_i64() {
            Some(int) => int.to_string(),
            None => number.as_f64().unwrap_or(f64::NAN).to_string(),
        },
        V::Dyn(other) => other.to_string(),
    }
}

/// `todouble()`, lenient like .NET's parser: spaces, `+`, `inf` and `.5` are accepted.
fn to_double(value: &V) -> Option<f64> {
    match value {
        V::Long(int) => Some(*int as f64),
        V::Real(real) => Some(*real),
        V::Bool(flag) | V::Dyn(Value::Bool(flag)) => Some(f64::from(u8::from(*flag))),
        V::Str(text) | V::Dyn(Value::String(text)) => text.trim().parse().ok(),
        V::Dyn(Value::Number(number)) => number.as_f64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    use crate::backend::Context;
    use crate::backend::kql::{query, source::Source, test_support};
    use crate::eval::Evaluator;
    use crate::ir::{Path, Segment};
    use crate::mapping::{ColumnType, Family, Mapping, Mappings};
    use crate::rule::{Rule, load_catalog, load_rule};
    use crate::source::SourceFile;
    use crate::templates::Templates;

    fn rule(id: &str, log_type: &str, condition: &str) -> Option<Rule> {
        let indented: String = condition.lines().map(|l| format!("  {l}\n")).collect();
        let text = format!(
            "RuleID: Test.{id}\nDisplayName: {id}\nLogTypes: [{log_type}]\nSeverity: Info\n\
             Condition: |\n{indented}"
        );
        load_rule(&SourceFile::new(format!("{id}.yml"), text)).ok()
    }

    fn compile(rule: &Rule) -> Query {
        let mappings = Mappings::load(None).expect("mappings load");
        let templates = Templates::load(None).expect("templates load");
        let cx = Context {
            mappings: &mappings,
            templates: &templates,
            corpus: None,
        };
        let source = Source::new(rule, &cx).expect("a source");
        query::emit(rule, &source).expect("compiles")
    }

    /// The custom table's row for an event.
    fn raw_row(event: &Value) -> Row {
        Row::from([("RawEvent".to_string(), V::Dyn(event.clone()))])
    }

    #[derive(serde::Deserialize)]
    struct Cases {
        cases: Vec<Case>,
    }

    #[derive(serde::Deserialize)]
    struct Case {
        id: String,
        condition: String,
        #[serde(default)]
        event: Option<Value>,
        #[serde(default)]
        expected: Option<bool>,
    }

    #[test]
    fn every_conformance_case_gives_the_evaluator_verdict() {
        let text = include_str!("../../../tests/conformance.yml");
        let cases: Cases = serde_yaml::from_str(text).expect("conformance cases load");
        let mut checked = 0;
        for case in cases.cases {
            let (Some(event), Some(expected)) = (case.event, case.expected) else {
                continue;
            };
            let rule = rule(&case.id, "Test.Conformance", &case.condition).expect("loads");
            let query = compile(&rule);
            assert_eq!(
                keeps(&query, raw_row(&event)),
                expected,
                "{}\n{}",
                case.id,
                query.text()
            );
            checked += 1;
        }
        assert!(checked > 100);
    }

    /// SigninLogs columns the property test fills, with their type.
    const SIGNIN: &[(&str, &str, &str)] = &[
        ("properties.userType", "UserType", "string"),
        ("durationMs", "DurationMs", "long"),
        ("properties.isInteractive", "IsInteractive", "bool"),
        ("properties.status", "Status", "dynamic"),
    ];

    /// A SigninLogs row: string columns hold the value's text, typed columns their value.
    fn signin_row(event: &Value) -> Row {
        let mut row = Row::new();
        for (path, column, ty) in SIGNIN {
            let value = path
                .split('.')
                .try_fold(event, |value, key| value.get(key))
                .cloned()
                .unwrap_or_default();
            let cell = match (*ty, &value) {
                (_, Value::Null) if *ty != "string" => V::Null,
                ("string", value) => {
                    V::Str(crate::value::text_of(value).unwrap_or_default().into())
                }
                ("long", Value::Number(n)) => n.as_i64().map_or(V::Null, V::Long),
                ("bool", Value::Bool(flag)) => V::Bool(*flag),
                ("dynamic", value) => V::Dyn(value.clone()),
                _ => V::Null,
            };
            row.insert(column.to_string(), cell);
        }
        row
    }

    #[test]
    fn the_seed_rule_tests_pass_on_signin_logs() {
        let text = include_str!("../../../rules/azure/azure_ropc_login_no_mfa.yml");
        let rule = load_rule(&SourceFile::new("seed.yml", text)).expect("the seed loads");
        let query = compile(&rule);
        for test in &rule.meta.tests {
            let mut row = signin_row(&test.log);
            for (path, column) in [
                ("operationName", "OperationName"),
                ("resultSignature", "ResultSignature"),
                (
                    "properties.authenticationProtocol",
                    "AuthenticationProtocol",
                ),
                (
                    "properties.authenticationRequirement",
                    "AuthenticationRequirement",
                ),
            ] {
                let value = path.split('.').try_fold(&test.log, |v, key| v.get(key));
                let text = value.and_then(crate::value::text_of).unwrap_or_default();
                row.insert(column.to_string(), V::Str(text.into()));
            }
            assert_eq!(keeps(&query, row), test.expected_result, "{}", test.name);
        }
    }

    /// The value at a path without `[*]`; null reads as missing.
    fn value_at<'v>(event: &'v Value, path: &Path) -> Option<&'v Value> {
        let found = path
            .segments
            .iter()
            .try_fold(event, |value, segment| match segment {
                Segment::Key(key) => value.get(key),
                Segment::Index(index) => value.get(index),
                Segment::Each => None,
            });
        found.filter(|value| !value.is_null())
    }

    /// The row a mapped table holds for an event: each column holds the value of the first
    /// field mapped to it that the event has, in the column's type (a string its text, a
    /// bool column the boolean or the words true and false, a `json` column the JSON text).
    fn mapped_row(mapping: &Mapping, event: &Value) -> Row {
        let mut row = Row::new();
        for (path, column) in mapping.fields() {
            let value = value_at(event, path);
            let cell = match (column.ty, value) {
                (ColumnType::String, value) => {
                    let text = value.and_then(crate::value::text_of).unwrap_or_default();
                    V::Str(text.into())
                }
                (ColumnType::Json, value) => {
                    V::Str(value.map(Value::to_string).unwrap_or_default())
                }
                (_, None) => V::Null,
                (ColumnType::Long | ColumnType::Int, Some(value)) => {
                    crate::value::numeric_value(value).map_or(V::Null, |n| V::Long(n as i64))
                }
                (ColumnType::Real, Some(value)) => {
                    crate::value::numeric_value(value).map_or(V::Null, V::Real)
                }
                (ColumnType::Bool, Some(Value::Bool(flag))) => V::Bool(*flag),
                (ColumnType::Bool, Some(Value::String(text))) => {
                    match text.to_lowercase().as_str() {
                        "true" => V::Bool(true),
                        "false" => V::Bool(false),
                        _ => V::Null,
                    }
                }
                (ColumnType::Bool, Some(_)) => V::Null,
                (ColumnType::Datetime | ColumnType::Guid | ColumnType::Ip, Some(value)) => {
                    V::Str(crate::value::text_of(value).unwrap_or_default().into())
                }
                (ColumnType::Dynamic, Some(value)) => V::Dyn(value.clone()),
            };
            let held = row.entry(column.name.clone()).or_insert(V::Null);
            if matches!(held, V::Null) || *held == V::Str(String::new()) {
                *held = cell;
            }
        }
        row
    }

    #[test]
    fn catalog_rules_give_their_test_verdicts_on_their_mapped_tables() {
        let mappings = Mappings::load(None).expect("mappings load");
        let catalog = load_catalog(&[std::path::PathBuf::from("rules")]).expect("rules load");
        let mut checked = 0;
        for rule in catalog.files.iter().filter_map(|file| file.rule.as_ref()) {
            let [log_type] = rule.meta.log_types.as_slice() else {
                continue;
            };
            let Some(mapping) = mappings
                .get(Family::Sentinel, log_type)
                .filter(|mapping| mapping.table.is_some())
            else {
                continue;
            };
            let templates = Templates::load(None).expect("templates load");
            let cx = Context {
                mappings: &mappings,
                templates: &templates,
                corpus: None,
            };
            let source = Source::new(rule, &cx).expect("a source");
            // Rules the target refuses are known limits, listed in the golden files.
            let Ok(query) = query::emit(rule, &source) else {
                continue;
            };
            for test in &rule.meta.tests {
                assert_eq!(
                    keeps(&query, mapped_row(mapping, &test.log)),
                    test.expected_result,
                    "{}: {}\n{}",
                    rule.meta.rule_id,
                    test.name,
                    query.text()
                );
                checked += 1;
            }
        }
        assert!(checked > 150, "{checked} tests checked");
    }

    fn scalar() -> impl Strategy<Value = Value> + Clone {
        prop::sample::select(vec![
            json!(null),
            json!(""),
            json!("x"),
            json!("X"),
            json!("0"),
            json!("0.0"),
            json!("1e3"),
            json!(" 42"),
            json!("42"),
            json!("True"),
            json!("false"),
            json!("émile"),
            json!("[]"),
            json!(0),
            json!(42),
            json!(-3),
            json!(1.5),
            json!(2.0),
            json!(1e15),
            json!(true),
            json!(false),
            json!([]),
            json!({}),
            json!(["x", 42]),
            json!({"x": 1}),
        ])
    }

    fn event() -> impl Strategy<Value = Value> {
        let list = prop::collection::vec(scalar(), 0..4);
        let groups = prop::collection::vec(
            prop_oneof![list.clone().prop_map(|m| json!({ "m": m })), scalar()],
            0..3,
        );
        (scalar(), scalar(), scalar(), list.clone(), groups, list).prop_map(
            |(a, c, odd, t, g, x)| {
                json!({"a": a, "b": {"c": c}, "odd key": odd, "t": t, "g": g, "o": {"x": x}})
            },
        )
    }

    fn predicate(fields: &'static [&'static str]) -> impl Strategy<Value = String> {
        let field = prop::sample::select(fields.to_vec());
        let unary =
            prop::sample::select(vec!["is_null", "is_not_null", "is_empty", "is_not_empty"]);
        let binary = prop::sample::select(vec![
            "eq",
            "ne",
            "in",
            "not_in",
            "contains",
            "startswith",
            "endswith",
            "eq_cs",
            "ne_cs",
            "in_cs",
            "contains_cs",
            "endswith_cs",
        ]);
        let text = prop::sample::select(vec![
            "\"\"",
            "\"x\"",
            "\"0\"",
            "\"42\"",
            "\"1.5\"",
            "\"2\"",
            "\"true\"",
            "\"É\"",
            "\"[\"",
            "\"1e3\"",
            "[\"x\", \"\"]",
            "[\"0\", 0, true]",
            "1",
            "0",
            "42",
            "1.5",
            "true",
            "false",
        ]);
        let compare = prop::sample::select(vec!["gt", "ge", "lt", "le"]);
        let number = prop::sample::select(vec!["0", "1.5", "42", "-3", "1000000000000000"]);
        let pattern = prop::sample::select(vec![
            "'^x'",
            "'x$'",
            "'.*'",
            "'^$'",
            "'^[0-9]+$'",
            "'(a|x)'",
            "'^\\d+\\.\\d+$'",
            "'^true'",
        ]);
        let regex_op = prop::sample::select(vec!["regex", "regex_cs"]);
        prop_oneof![
            (field.clone(), unary).prop_map(|(f, op)| format!("{f} {op}")),
            (field.clone(), binary, text).prop_filter_map("operand fits", |(f, op, v)| {
                let fits = match op {
                    "eq" | "ne" | "eq_cs" | "ne_cs" => !v.starts_with('['),
                    "in" | "not_in" | "in_cs" => true,
                    _ => v.starts_with('"') || v == r#"["x", ""]"#,
                };
                fits.then(|| format!("{f} {op} {v}"))
            }),
            (field.clone(), compare, number).prop_map(|(f, op, n)| format!("{f} {op} {n}")),
            (field, regex_op, pattern).prop_map(|(f, op, p)| format!("{f} {op} {p}")),
        ]
    }

    fn condition(fields: &'static [&'static str]) -> impl Strategy<Value = String> {
        let joiner = prop::sample::select(vec!["and", "or", "and not", "or not"]);
        (
            prop::bool::ANY,
            predicate(fields),
            prop::collection::vec((joiner, predicate(fields)), 0..3),
        )
            .prop_map(|(negate, first, rest)| {
                let mut text = format!("{}({first})", if negate { "not " } else { "" });
                for (joiner, pred) in rest {
                    text = format!("({text}) {joiner} {pred}");
                }
                text
            })
    }

    const RAW_FIELDS: &[&str] = &[
        "a",
        "b.c",
        "`odd key`",
        "t[*]",
        "g[*].m[*]",
        "o.x[0]",
        "b",
        "t",
        "g[*]",
    ];

    const SIGNIN_FIELDS: &[&str] = &[
        "properties.userType",
        "durationMs",
        "properties.isInteractive",
        "properties.status",
        "properties.status.errorCode",
    ];

    fn signin_event() -> impl Strategy<Value = Value> {
        let user_type = prop::sample::select(vec!["Member", "guest", "0", "42", "true", "x"]);
        let duration = prop::option::of(prop::sample::select(vec![0i64, 42, -3]));
        let interactive = prop::option::of(prop::bool::ANY);
        (user_type, duration, interactive, scalar(), scalar()).prop_map(
            |(user_type, duration, interactive, status, code)| {
                let mut properties = json!({"userType": user_type});
                if let Some(flag) = interactive {
                    properties["isInteractive"] = json!(flag);
                }
                properties["status"] = if status.is_object() {
                    json!({"errorCode": code})
                } else {
                    status
                };
                let mut event = json!({"properties": properties});
                if let Some(ms) = duration {
                    event["durationMs"] = json!(ms);
                }
                event
            },
        )
    }

    /// Fields of the test table with a column of JSON text (`doc` in `Doc`).
    const JSON_TEXT_FIELDS: &[&str] = &[
        "doc",
        "doc.a",
        "doc.b.c",
        "doc.t",
        "doc.t[*]",
        "doc[*]",
        "doc[*].type",
        "doc[0]",
        "name",
    ];

    /// The value `doc` takes: an object or an array, or nothing (missing or null).
    fn json_doc() -> impl Strategy<Value = Option<Value>> {
        let list = prop::collection::vec(scalar(), 0..3);
        let typed = prop::collection::vec(scalar().prop_map(|t| json!({ "type": t })), 0..3);
        prop_oneof![
            Just(None),
            Just(Some(json!(null))),
            (scalar(), scalar(), list.clone())
                .prop_map(|(a, c, t)| Some(json!({"a": a, "b": {"c": c}, "t": t}))),
            list.prop_map(|items| Some(Value::Array(items))),
            typed.prop_map(|items| Some(Value::Array(items))),
        ]
    }

    /// The test table's row: `Doc` holds the JSON text of an object or array and is empty
    /// otherwise, `Name` the text of `name`.
    fn json_text_row(event: &Value) -> Row {
        let doc = match event.get("doc") {
            Some(value @ (Value::Object(_) | Value::Array(_))) => value.to_string(),
            _ => String::new(),
        };
        let name = event.get("name").and_then(crate::value::text_of);
        Row::from([
            ("Doc".to_string(), V::Str(doc)),
            ("Name".to_string(), V::Str(name.unwrap_or_default().into())),
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]

        #[test]
        fn random_conditions_give_the_evaluator_verdict(
            condition in condition(RAW_FIELDS),
            event in event(),
        ) {
            let Some(rule) = rule("random", "Test.Conformance", &condition) else {
                return Ok(());
            };
            let query = compile(&rule);
            let expected = Evaluator::new(&rule.ir).expect("builds").matches(&event);
            prop_assert_eq!(
                keeps(&query, raw_row(&event)),
                expected,
                "{}\n{}\n{}",
                condition,
                event,
                query.text()
            );
        }

        #[test]
        fn random_conditions_on_signin_columns_give_the_evaluator_verdict(
            condition in condition(SIGNIN_FIELDS),
            event in signin_event(),
        ) {
            let Some(rule) = rule("random", "Azure.Audit", &condition) else {
                return Ok(());
            };
            let query = compile(&rule);
            let expected = Evaluator::new(&rule.ir).expect("builds").matches(&event);
            prop_assert_eq!(
                keeps(&query, signin_row(&event)),
                expected,
                "{}\n{}\n{}",
                condition,
                event,
                query.text()
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn random_conditions_on_a_column_of_json_text_give_the_evaluator_verdict(
            condition in condition(JSON_TEXT_FIELDS),
            doc in json_doc(),
            // A string column holds strings; "" is left out, since it reads as missing there.
            name in prop::sample::select(vec!["x", "X", "0", "42", "émile", "[]"]),
        ) {
            let Some(rule) = rule("random", test_support::LOG_TYPE, &condition) else {
                return Ok(());
            };
            let (mappings, _dir) = test_support::json_text_mappings();
            let templates = Templates::load(None).expect("templates load");
            let cx = Context { mappings: &mappings, templates: &templates, corpus: None };
            let source = Source::new(&rule, &cx).expect("a source");
            // Text and number tests on the whole column are refused; the rest must agree.
            let Ok(query) = query::emit(&rule, &source) else {
                return Ok(());
            };
            let mut event = json!({ "name": name });
            if let Some(doc) = doc {
                event["doc"] = doc;
            }
            let expected = Evaluator::new(&rule.ir).expect("builds").matches(&event);
            prop_assert_eq!(
                keeps(&query, json_text_row(&event)),
                expected,
                "{}\n{}\n{}",
                condition,
                event,
                query.text()
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100))]

        /// Past the stage limit the tests move after every `mv-apply`, into one `where`.
        #[test]
        fn conditions_with_too_many_stages_give_the_evaluator_verdict(
            conditions in prop::collection::vec(condition(RAW_FIELDS), 1..4),
            event in event(),
        ) {
            let padding: Vec<String> = (0..420).map(|i| format!("a ne \"pad{i}\"")).collect();
            let lines: Vec<String> = conditions.iter().map(|c| format!("({c})")).collect();
            let condition = [lines, padding].concat().join("\n");
            let Some(rule) = rule("long", "Test.Conformance", &condition) else {
                return Ok(());
            };
            let query = compile(&rule);
            prop_assert!(query.stages.len() <= 400, "{} stages", query.stages.len());
            let expected = Evaluator::new(&rule.ir).expect("builds").matches(&event);
            prop_assert_eq!(keeps(&query, raw_row(&event)), expected, "{}", condition);
        }
    }
}
