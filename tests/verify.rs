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
