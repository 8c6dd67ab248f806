//! Differential testing: random conditions over a small field vocabulary and random events,
//! where the evaluator and the SQLite query executed in-process must agree.
//!
//! Strings avoid non-ASCII uppercase letters: SQLite's `lower()` folds ASCII only, the one
//! divergence its dialect documents (pinned by the conformance case `eq-unicode-fold`).

mod support;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use ruleport::backend::compile;
use ruleport::target::{Dialect, Target};
use ruleport::verify::sqlite::Sqlite;
use serde_json::{Value, json};
use support::catalog::{Env, rule_from_condition};

const FIELDS: [&str; 6] = ["a", "b", "c.d", "tags[*]", "items[*].name", "n"];

const STRINGS: [&str; 16] = [
    "x", "X", "", "%", "_", "a_b", "1", "0.0", "true", "é", "O'Brien", "\\\\", "*", "?", "x y",
    "007",
];

fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(STRINGS.to_vec()).prop_map(|s| format!("\"{s}\"")),
        prop::sample::select(vec!["0", "1", "-3", "1.5", "1e3", "7"]).prop_map(String::from),
        prop::sample::select(vec!["true", "false"]).prop_map(String::from),
    ]
}

fn string_literal() -> impl Strategy<Value = String> {
    prop::sample::select(STRINGS.to_vec()).prop_map(|s| format!("\"{s}\""))
}

fn predicate() -> impl Strategy<Value = String> {
    let field = prop::sample::select(FIELDS.to_vec());
    let unary = prop::sample::select(vec!["is_null", "is_not_null", "is_empty", "is_not_empty"]);
    let equality = prop::sample::select(vec!["eq", "ne", "eq_cs", "ne_cs"]);
    let text = prop::sample::select(vec![
        "contains",
        "startswith",
        "endswith",
        "contains_cs",
        "startswith_cs",
        "endswith_cs",
    ]);
    let compare = prop::sample::select(vec!["gt", "ge", "lt", "le"]);
    let patterns = prop::sample::select(vec![
        "'^x'",
        "'x$'",
        "'a.b'",
        "'[0-9]+'",
        "'^\\d{3}$'",
        "'(a|b)_'",
        "'^$'",
    ]);
    prop_oneof![
        (field.clone(), unary).prop_map(|(f, op)| format!("{f} {op}")),
        (field.clone(), equality, string_literal()).prop_map(|(f, op, v)| format!("{f} {op} {v}")),
        (
            field.clone(),
            prop::sample::select(vec!["eq", "ne"]),
            literal()
        )
            .prop_map(|(f, op, v)| format!("{f} {op} {v}")),
        (
            field.clone(),
            prop::sample::select(vec!["in", "not_in"]),
            prop::collection::vec(literal(), 1..4)
        )
            .prop_map(|(f, op, vs)| format!("{f} {op} [{}]", vs.join(", "))),
        (
            field.clone(),
            text,
            prop::collection::vec(string_literal(), 1..3)
        )
            .prop_map(|(f, op, vs)| format!("{f} {op} [{}]", vs.join(", "))),
        (
            field.clone(),
            prop::sample::select(vec!["regex", "regex_cs"]),
            patterns
        )
            .prop_map(|(f, op, p)| format!("{f} {op} {p}")),
        (
            field,
            compare,
            prop::sample::select(vec!["0", "1", "7", "1.5", "-3", "1000"])
        )
            .prop_map(|(f, op, v)| format!("{f} {op} {v}")),
    ]
}

fn condition() -> impl Strategy<Value = String> {
    predicate().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| format!("not ({e})")),
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|es| format!("({})", es.join(" and "))),
            prop::collection::vec(inner, 2..4).prop_map(|es| format!("({})", es.join(" or "))),
        ]
    })
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(STRINGS.to_vec()).prop_map(|s| json!(s.replace("\\\\", "\\"))),
        prop::sample::select(vec![
            json!("X "),
            json!("abc"),
            json!("a%b"),
            json!("xa_b"),
            json!("555")
        ]),
        prop::sample::select(vec![
            json!(0),
            json!(1),
            json!(-3),
            json!(1.5),
            json!(7.0),
            json!(1000),
            json!(0.1)
        ]),
        prop::sample::select(vec![json!(true), json!(false), json!(null)]),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => scalar(),
        1 => prop::collection::vec(scalar(), 0..3).prop_map(Value::Array),
        1 => prop::sample::select(vec![json!({}), json!({"d": "x"}), json!({"name": "X"})]),
    ]
}

fn event() -> impl Strategy<Value = Value> {
    let maybe = || prop::option::weighted(0.8, value());
    let items =
        prop::collection::vec(prop::option::weighted(0.8, value()), 0..3).prop_map(|names| {
            Value::Array(
                names
                    .into_iter()
                    .map(|name| match name {
                        Some(name) => json!({"name": name}),
                        None => json!({}),
                    })
                    .collect(),
            )
        });
    (
        maybe(),
        maybe(),
        maybe(),
        maybe(),
        prop::option::weighted(0.7, items),
        maybe(),
    )
        .prop_map(|(a, b, d, tags, items, n)| {
            let mut event = serde_json::Map::new();
            let fields = [
                ("a", a),
                ("b", b),
                ("tags", tags),
                ("items", items),
                ("n", n),
            ];
            for (key, value) in fields {
                if let Some(value) = value {
                    event.insert(key.into(), value);
                }
            }
            if let Some(d) = d {
                event.insert("c".into(), json!({"d": d}));
            }
            Value::Object(event)
        })
}

#[test]
fn evaluator_and_sqlite_agree_on_random_conditions_and_events() {
    let env = Env::builtin();
    let db = Sqlite::open("test_conformance").expect("open SQLite");
    let cases: u32 = std::env::var("RULEPORT_DIFFERENTIAL_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3000);
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    let strategy = (condition(), prop::collection::vec(event(), 1..4));
    runner
        .run(&strategy, |(condition, events)| {
            let rule = rule_from_condition("random", &condition);
            let target = Target::Sql(Dialect::Sqlite);
            let sql = compile(&rule, "random", target, &env.context()).expect("compiles")[0]
                .content
                .clone();
            for event in &events {
                let expected = rule.evaluator().matches(event);
                let actual = db.matches(&sql, event).expect("runs");
                prop_assert_eq!(
                    actual,
                    expected,
                    "condition: {}\nevent: {}\n{}",
                    condition,
                    event,
                    sql
                );
            }
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
}

/// Writes a batch of the same random cases, with the evaluator's verdicts, in the
/// conformance format, for `ruleport verify --cases` to run through the other engines.
/// Runs only when `RULEPORT_DIFFERENTIAL_OUT` names the file to write (CI sets it).
#[test]
fn export_random_cases_for_the_other_engines() {
    let Some(out) = std::env::var_os("RULEPORT_DIFFERENTIAL_OUT") else {
        return;
    };
    let count: usize = std::env::var("RULEPORT_DIFFERENTIAL_EXPORT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let mut runner = TestRunner::deterministic();
    let strategy = (condition(), event());
    let mut cases = Vec::with_capacity(count);
    while cases.len() < count {
        let (condition, event) = strategy.new_tree(&mut runner).expect("generates").current();
        let rule = rule_from_condition("random", &condition);
        let expected = rule.evaluator().matches(&event);
        let id = format!("random-{}", cases.len());
        cases.push(json!({"id": id, "condition": condition, "event": event, "expected": expected}));
    }
    let text = serde_json::to_string(&json!({ "cases": cases })).expect("serializes");
    std::fs::write(out, text).expect("write the cases");
}
