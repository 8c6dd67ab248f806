//! `ruleport verify` on the in-process SQLite engine: the catalog and the conformance cases
//! agree, and a deliberately broken backend is caught with a readable report.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn ruleport(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ruleport"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run ruleport")
}

#[test]
fn sqlite_agrees_on_the_catalog_and_the_conformance_cases() {
    let output = ruleport(&[
        "verify",
        "rules",
        "--cases",
        "tests/conformance.yml",
        "--engine",
        "sqlite",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains(" passed, 0 failed"), "{text}");
}

/// A template that flips one comparison in every SQLite query: verify must notice.
#[test]
fn a_mutated_query_is_caught() {
    let templates = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutated-templates");
    fs::create_dir_all(templates.join("sql")).expect("create");
    let mutated = "{{ statement | replace(\"= 'null'\", \"<> 'null'\") }}\n";
    fs::write(templates.join("sql/query.sql"), mutated).expect("write");

    let dir = templates.to_str().expect("utf-8");
    let output = ruleport(&[
        "verify",
        "--cases",
        "tests/conformance.yml",
        "--templates",
        dir,
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("MISMATCH sqlite Conformance.is-null-missing"),
        "{text}"
    );
    assert!(
        text.contains("engine: false, evaluator: true, expected: true"),
        "{text}"
    );
    assert!(text.contains("query:"), "{text}");
}

#[test]
fn a_missing_engine_says_how_to_install_it() {
    let output = ruleport(&[
        "verify",
        "rules",
        "--engine",
        "eql",
        "--engines-dir",
        "/nonexistent",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("tests/engines/install.sh"), "{text}");
}

/// Thousands of alternatives, in one list and as a chain of `or`, and hundreds of conjuncts,
/// run on SQLite (and, once the engines are installed, on every engine): engines refuse a
/// flat chain that deep.
#[test]
fn thousands_of_alternatives_stay_within_engine_depth_limits() {
    let values: Vec<String> = (0..1500).map(|i| format!("\"pkg-{i}@1.0.{i}\"")).collect();
    let list = format!("a contains [{}]", values.join(", "));
    let chain = (0..1500)
        .map(|i| format!("b eq \"{i}\""))
        .collect::<Vec<_>>()
        .join(" or ");
    // Hundreds of conjuncts, plain and over arrays: one pipeline stage each would nest past
    // Kusto's parser limit.
    let conjuncts = (0..500)
        .map(|i| format!("a ne \"v{i}\""))
        .collect::<Vec<_>>()
        .join("\n");
    let over_arrays = (0..250)
        .map(|i| format!("t{i}[*] ne \"v\""))
        .collect::<Vec<_>>()
        .join("\n");
    let cases = serde_json::json!({"cases": [
        {"id": "long-conjunction", "condition": conjuncts, "event": {"a": "q"}, "expected": true},
        {"id": "long-conjunction-miss", "condition": conjuncts, "event": {"a": "v499"}, "expected": false},
        {"id": "long-conjunction-of-arrays", "condition": over_arrays, "event": {"t0": ["v", "w"]}, "expected": true},
        {"id": "long-conjunction-of-arrays-miss", "condition": over_arrays, "event": {"t249": ["v"]}, "expected": false},
        {"id": "long-list", "condition": list, "event": {"a": "npm i pkg-1499@1.0.1499"}, "expected": true},
        {"id": "long-list-miss", "condition": list, "event": {"a": "npm i pkg-1@2"}, "expected": false},
        {"id": "long-chain", "condition": chain, "event": {"b": "1499"}, "expected": true},
        {"id": "long-chain-miss", "condition": chain, "event": {"b": "x"}, "expected": false},
    ]});
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("long-chains");
    fs::create_dir_all(&dir).expect("create");
    let file = dir.join("cases.json");
    fs::write(&file, cases.to_string()).expect("write");

    let engines = if std::env::var_os("RULEPORT_REQUIRE_ENGINES").is_some() {
        "all"
    } else {
        "sqlite"
    };
    let output = ruleport(&[
        "verify",
        "--cases",
        file.to_str().expect("utf-8"),
        "--engine",
        engines,
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains(" 0 failed"), "{text}");
}
