//! Proof by execution: the `sql:sqlite` output of every rule and conformance case, run in
//! the bundled SQLite, gives the evaluator's verdict on every event.

mod support;

use ruleport::backend::compile;
use ruleport::eval::Evaluator;
use ruleport::target::{Dialect, Target};
use ruleport::verify::sqlite::Sqlite;
use serde::Deserialize;
use serde_json::Value;
use support::catalog::{Env, catalog, rule_from_condition};

const SQLITE: Target = Target::Sql(Dialect::Sqlite);

fn query(rule: &ruleport::rule::Rule, env: &Env) -> String {
    let artifacts = compile(rule, "rule", SQLITE, &env.context()).expect("compiles for SQLite");
    artifacts.into_iter().next().expect("one artifact").content
}

#[test]
fn every_catalog_test_gives_the_evaluator_verdict_in_sqlite() {
    let env = Env::builtin();
    let mut checked = 0;
    for file in catalog().files {
        let rule = file.rule.as_ref().expect("loaded");
        let sql = query(rule, &env);
        let table = ruleport::backend::sql::default_table(&rule.meta.log_types[0]);
        let db = Sqlite::open(&table).expect("open SQLite");
        for test in &rule.meta.tests {
            let verdict = db.matches(&sql, &test.log).expect("query runs");
            assert_eq!(
                verdict,
                rule.evaluator().matches(&test.log),
                "{}: {}",
                rule.meta.rule_id,
                test.name
            );
            assert_eq!(
                verdict, test.expected_result,
                "{}: {}",
                rule.meta.rule_id, test.name
            );
            checked += 1;
        }
    }
    assert!(checked >= 2);
}

#[derive(Deserialize)]
struct Cases {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    condition: String,
    #[serde(default)]
    event: Option<Value>,
    #[serde(default)]
    expected: Option<bool>,
    #[serde(default)]
    divergence_allowed: Vec<String>,
}

#[test]
fn every_conformance_case_gives_the_evaluator_verdict_in_sqlite() {
    let env = Env::builtin();
    let mut cases: Cases = serde_yaml::from_str(include_str!("conformance.yml")).expect("loads");
    let ours: Cases = serde_yaml::from_str(include_str!("cases/regressions.yml")).expect("loads");
    cases.cases.extend(ours.cases);
    let db = Sqlite::open("test_conformance").expect("open SQLite");
    let mut failures = Vec::new();
    for case in cases.cases {
        let (Some(event), Some(expected)) = (case.event, case.expected) else {
            continue;
        };
        let rule = rule_from_condition(&case.id, &case.condition);
        assert_eq!(
            Evaluator::matches(rule.evaluator(), &event),
            expected,
            "{}",
            case.id
        );
        let sql = query(&rule, &env);
        let verdict = match db.matches(&sql, &event) {
            Ok(verdict) => verdict,
            Err(error) => {
                failures.push(format!("{}: {error}\n{sql}", case.id));
                continue;
            }
        };
        let diverges = case
            .divergence_allowed
            .iter()
            .any(|engine| engine == "sqlite");
        // A documented divergence must really happen: SQLite's lower() folds ASCII only.
        if verdict != (expected != diverges) {
            failures.push(format!(
                "{}: SQLite says {verdict}, expected {expected}\n{sql}",
                case.id
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
