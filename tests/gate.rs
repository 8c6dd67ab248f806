//! `ruleport check`, `explain` and `coverage` as a CI pipeline and a user run them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ruleport(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ruleport"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run ruleport")
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

#[test]
fn the_catalog_passes_the_gate_against_its_golden_files() {
    let junit = tempdir("gate-junit").join("check.xml");
    let junit_arg = junit.to_str().expect("utf-8");
    let output = ruleport(&["check", "rules", "--golden", "golden", "--junit", junit_arg]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains(" 0 errors"), "{}", text(&output));

    let xml = fs::read_to_string(&junit).expect("JUnit written");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut suites, mut cases) = (0, 0);
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    "testsuite" => suites += 1,
                    "testcase" => cases += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert!(suites >= 40, "{suites} suites");
    assert!(cases > 500, "{cases} cases");
    assert!(xml.contains("test: ROPC Login Without MFA"));
}

/// A broken rule in a copy of the catalog: a GitHub annotation at its file, line and column,
/// and exit code 1.
#[test]
fn a_broken_rule_gives_a_github_annotation() {
    let dir = tempdir("gate-broken");
    let seed = fs::read_to_string("rules/azure/azure_ropc_login_no_mfa.yml").expect("seed");
    let broken = seed.replace(
        "properties.authenticationProtocol eq",
        "properties.authenticationProtocol equals",
    );
    fs::write(dir.join("broken.yml"), broken).expect("write");
    let output = ruleport(&["check", dir.to_str().expect("utf-8"), "--format", "github"]);
    assert_eq!(output.status.code(), Some(1));
    let annotation = text(&output);
    assert!(annotation.starts_with("::error file="), "{annotation}");
    assert!(
        annotation.contains("broken.yml,line=32,col=37,title=ruleport load::"),
        "{annotation}"
    );
    assert!(
        annotation.contains("unknown operator `equals`"),
        "{annotation}"
    );
}

#[test]
fn rules_without_both_verdicts_are_reported() {
    let dir = tempdir("gate-untested");
    let rule = "RuleID: T.untested\nDisplayName: x\nLogTypes: [X.Y]\nSeverity: Low\n\
                Condition: a eq \"x\"\n\
                Tests:\n  - Name: hit\n    ExpectedResult: true\n    Log: {a: x}\n";
    fs::write(dir.join("untested.yml"), rule).expect("write");
    let output = ruleport(&["check", dir.to_str().expect("utf-8"), "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let findings = report["findings"].as_array().expect("findings");
    assert!(findings.iter().any(|f| {
        f["kind"] == "tests"
            && f["message"]
                .as_str()
                .is_some_and(|m| m.contains("must not alert"))
    }));
}

#[test]
fn a_changed_golden_file_is_a_finding() {
    let dir = tempdir("gate-golden");
    let golden = dir.join("golden");
    let copy = Command::new("cp")
        .args(["-r", "golden"])
        .arg(&golden)
        .status()
        .expect("cp");
    assert!(copy.success());
    let kql = golden.join("kql/azure_ropc_login_no_mfa.kql");
    let changed = fs::read_to_string(&kql)
        .expect("read")
        .replace("=~ \"ropc\"", "=~ \"ROPC\"");
    fs::write(&kql, changed).expect("write");
    let output = ruleport(&[
        "check",
        "rules",
        "--golden",
        golden.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output).contains("azure_ropc_login_no_mfa.kql differs"),
        "{}",
        text(&output)
    );
}

#[test]
fn explain_shows_the_seed_page_tables() {
    let output = ruleport(&["explain", "Azure.Audit.ROPCLoginNoMFA", "--target", "kql"]);
    let out = text(&output);
    assert!(output.status.success(), "{out}");
    assert!(out.contains("operationName ne Sign-in activity"), "{out}");
    assert!(
        out.contains("properties.authenticationProtocol eq ropc  (corpus 0)"),
        "{out}"
    );
    assert!(
        out.contains("userPrincipalName <- properties.userPrincipalName"),
        "{out}"
    );
    assert!(out.contains("AuthenticationProtocol =~ \"ropc\""), "{out}");
}

#[test]
fn coverage_writes_a_navigator_layer() {
    let layer = tempdir("gate-coverage").join("layer.json");
    let output = ruleport(&[
        "coverage",
        "rules",
        "--navigator",
        layer.to_str().expect("utf-8"),
        "--format",
        "markdown",
    ]);
    assert!(output.status.success());
    assert!(text(&output).contains("| Initial Access (TA0001) |"));
    let layer: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&layer).expect("written")).expect("JSON");
    for key in ["name", "versions", "domain", "techniques"] {
        assert!(layer.get(key).is_some(), "{key}");
    }
    assert_eq!(layer["domain"], "enterprise-attack");
    // The ATT&CK release the rules' ids are checked against (src/attack).
    assert_eq!(layer["versions"]["attack"], "18");
    let seed = layer["techniques"]
        .as_array()
        .expect("techniques")
        .iter()
        .find(|t| t["techniqueID"] == "T1078");
    assert_eq!(seed.expect("T1078 covered")["tactic"], "initial-access");
}

#[test]
fn coverage_reports_rules_that_do_not_load_and_ids_it_does_not_know() {
    let dir = tempdir("gate-coverage-broken");
    let rule = |reports: &str| {
        format!(
            "RuleID: R.{}\nDisplayName: x\nLogTypes: [Test.Conformance]\nSeverity: Info\n\
             Reports:\n  MITRE ATT&CK: [{reports}]\nCondition: a eq \"x\"\n",
            reports.len()
        )
    };
    fs::write(dir.join("mismatch.yml"), rule("TA0002:T1078")).expect("write");
    fs::write(
        dir.join("later.yml"),
        rule("TA0001:T9999, TA0005:T1078.004"),
    )
    .expect("write");
    let output = ruleport(&[
        "coverage",
        dir.to_str().expect("utf-8"),
        "--format",
        "markdown",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("T1078 (Valid Accounts) is not a technique of TA0002 (Execution)"),
        "{stderr}"
    );
    assert!(stderr.contains("mismatch.yml:5:"), "{stderr}");
    assert!(stderr.contains("1 rule file(s) did not load"), "{stderr}");
    assert!(
        stderr.contains("`TA0001:T9999` names a technique"),
        "{stderr}"
    );
    assert!(text(&output).contains("T9999 (1)"), "{}", text(&output));
    assert!(!text(&output).contains("Execution"), "{}", text(&output));
}

#[test]
fn failing_tests_are_reported_at_their_name_however_written() {
    let dir = tempdir("gate-test-places");
    let rule = "RuleID: T.Places\nDisplayName: x\nLogTypes: [Test.Conformance]\nSeverity: Info\n\
                Condition: a eq \"x\"\nTests:\n  - Name: \"quoted \\\"name\\\"\"\n    \
                ExpectedResult: true\n    Log: {\"a\": \"1\"}\n  \
                - {Name: flow, ExpectedResult: false, Log: {\"a\": \"x\"}}\n";
    fs::write(dir.join("places.yml"), rule).expect("write");
    let output = ruleport(&["check", dir.to_str().expect("utf-8"), "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let places: Vec<(i64, i64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["kind"] == "test")
        .map(|finding| {
            let at = |key: &str| finding[key].as_i64().expect("a number");
            (at("line"), at("column"))
        })
        .collect();
    assert_eq!(places, vec![(7, 11), (10, 12)], "{report}");
}

#[test]
fn sqlite_disagreements_are_reported_at_the_test_with_a_hint() {
    let dir = tempdir("gate-sqlite-place");
    let rule = "RuleID: T.Fold\nDisplayName: x\nLogTypes: [Test.Conformance]\nSeverity: Info\n\
                Condition: a eq \"émile\"\nTests:\n  - Name: upper\n    ExpectedResult: true\n    \
                Log: {a: ÉMILE}\n  - Name: other\n    ExpectedResult: false\n    Log: {a: x}\n";
    fs::write(dir.join("fold.yml"), rule).expect("write");
    let output = ruleport(&["check", dir.to_str().expect("utf-8"), "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let findings = report["findings"].as_array().expect("findings");
    let sqlite: Vec<_> = findings.iter().filter(|f| f["kind"] == "sqlite").collect();
    assert_eq!(sqlite.len(), 1, "{report}");
    assert_eq!(
        (sqlite[0]["line"].as_i64(), sqlite[0]["column"].as_i64()),
        (Some(7), Some(11))
    );
    assert!(
        sqlite[0]["message"]
            .as_str()
            .expect("text")
            .contains("test \"upper\"")
    );
}

#[test]
fn explain_needs_no_catalog_for_a_rule_file() {
    let dir = tempdir("gate-explain-alone");
    let rule = "RuleID: T.Alone\nDisplayName: alone\nLogTypes: [Test.Conformance]\n\
                Severity: Info\nCondition: a eq \"x\"\n";
    fs::write(dir.join("alone.yml"), rule).expect("write");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ruleport"))
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("run ruleport")
    };
    let alone = run(&["explain", "alone.yml"]);
    assert!(
        alone.status.success(),
        "{}",
        String::from_utf8_lossy(&alone.stderr)
    );
    assert!(
        text(&alone).starts_with("T.Alone: alone"),
        "{}",
        text(&alone)
    );
    let by_id = run(&["explain", "T.Alone"]);
    assert_eq!(by_id.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&by_id.stderr).contains("give --catalog DIR"));
}
