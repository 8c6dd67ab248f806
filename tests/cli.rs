//! The `ruleport` binary as a user runs it.

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

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn test_passes_the_seed_rule() {
    let output = ruleport(&["test", "rules"]);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("pass ROPC Login Without MFA"), "{text}");
    assert!(text.contains("pass Failed ROPC Login"), "{text}");
    assert!(
        text.lines().any(|line| line.ends_with(" passed, 0 failed")),
        "{text}"
    );
}

#[test]
fn json_report_has_the_documented_shape() {
    let output = ruleport(&[
        "test",
        "rules/azure/azure_ropc_login_no_mfa.yml",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(report["passed"], 2);
    assert_eq!(report["failed"], 0);
    let rule = &report["rules"][0];
    assert_eq!(rule["rule_id"], "Azure.Audit.ROPCLoginNoMFA");
    assert_eq!(rule["file"], "rules/azure/azure_ropc_login_no_mfa.yml");
    assert_eq!(rule["errors"], serde_json::json!([]));
    let test = &rule["tests"][1];
    assert_eq!(test["name"], "Failed ROPC Login");
    assert_eq!(test["expected"], false);
    assert_eq!(test["actual"], false);
    assert_eq!(test["passed"], true);
}

/// A broken rule is reported at its line and column, and the good rules still run.
#[test]
fn broken_rules_do_not_stop_the_others() {
    let dir = tempdir("broken");
    let seed = fs::read_to_string("rules/azure/azure_ropc_login_no_mfa.yml").expect("seed");
    let broken = seed
        .replace(
            "RuleID: \"Azure.Audit.ROPCLoginNoMFA\"",
            "RuleID: Broken.Condition",
        )
        .replace(
            "properties.authenticationProtocol eq",
            "properties.authenticationProtocol equals",
        );
    fs::write(dir.join("a_broken.yml"), broken).expect("write");
    let typo = seed.replace(
        "RuleID: \"Azure.Audit.ROPCLoginNoMFA\"",
        "RuleID: Broken.Key",
    );
    fs::write(
        dir.join("b_typo.yml"),
        typo.replace("\nSeverity:", "\nSeverty:"),
    )
    .expect("write");
    let good = seed.replace(
        "RuleID: \"Azure.Audit.ROPCLoginNoMFA\"",
        "RuleID: Good.Rule",
    );
    fs::write(dir.join("c_good.yml"), good).expect("write");

    let dir_arg = dir.to_str().expect("utf-8 path");
    let output = ruleport(&["test", dir_arg]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("a_broken.yml:32:37"), "{text}");
    assert!(text.contains("unknown operator `equals`"), "{text}");
    assert!(text.contains("b_typo.yml:9:1"), "{text}");
    assert!(text.contains("did you mean `Severity`?"), "{text}");
    assert!(text.contains("2 passed, 2 failed"), "{text}");

    let output = ruleport(&["test", dir_arg, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let error = &report["rules"][0]["errors"][0];
    assert_eq!(
        (error["line"].as_u64(), error["column"].as_u64()),
        (Some(32), Some(37))
    );
    assert_eq!(report["rules"][2]["tests"][0]["passed"], true);
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let output = ruleport(&["test", "no/such/dir"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/dir"));
}

/// A fresh directory under the target dir, so tests need no extra crate and leave no litter.
fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// A broken template override fails only the target that renders it, and the error names
/// the override's own file, line and column.
#[test]
fn broken_template_overrides_fail_only_their_target() {
    let seed = "rules/azure/azure_ropc_login_no_mfa.yml";
    let built_in = fs::read_to_string("templates/kql/query.kql").expect("kql template");
    let cases = [
        (
            "undefined",
            "{{ rule.no_such_key }}\n",
            "line 1, column 4",
            "no_such_key",
        ),
        ("syntax", "x\n{% if %}\n", "line 2", "syntax error"),
    ];
    for (name, first_lines, position, problem) in cases {
        let dir = tempdir(&format!("template-{name}"));
        fs::create_dir_all(dir.join("kql")).expect("kql dir");
        let override_path = dir.join("kql/query.kql");
        fs::write(&override_path, format!("{first_lines}{built_in}")).expect("write override");

        let output = ruleport(&[
            "compile",
            seed,
            "--target",
            "kql,eql",
            "--templates",
            dir.to_str().expect("utf-8 path"),
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);

        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        let expected = format!("template {}, {position}", override_path.display());
        assert!(stderr.contains(&expected), "{name}: {stderr}");
        assert!(stderr.contains(problem), "{name}: {stderr}");
        assert!(
            stdout(&output).contains("==> eql/"),
            "{name}: eql still compiles"
        );
    }
}

/// A bad mapping override is one caret report at its file, line and column.
#[test]
fn bad_mapping_overrides_are_reported_at_their_place() {
    let cases = [
        (
            "unknown-key",
            "table: X\nfields:\n  a: {name: b, typ: long}\n",
            ":3:16",
            "typ",
        ),
        (
            "bad-path",
            "table: X\nfields:\n  \"a..b\": {name: x}\n",
            ":3:4",
            "a..b",
        ),
    ];
    for (name, text, position, culprit) in cases {
        let dir = tempdir(&format!("mapping-{name}"));
        fs::create_dir_all(dir.join("sentinel")).expect("sentinel dir");
        let file = dir.join("sentinel/Azure.Audit.yml");
        fs::write(&file, text).expect("write mapping");

        let output = ruleport(&[
            "compile",
            "rules/azure/azure_ropc_login_no_mfa.yml",
            "--target",
            "kql",
            "--mappings",
            dir.to_str().expect("utf-8 path"),
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);

        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        let place = format!("{}{position}", file.display());
        assert_eq!(stderr.matches(&place).count(), 1, "{name}: {stderr}");
        assert_eq!(stderr.matches("error").count(), 1, "{name}: {stderr}");
        assert!(stderr.contains(culprit), "{name}: {stderr}");
    }
}

/// A batch with refused files imports the others, says why each was refused, and exits 1;
/// the JSON report lists every file.
#[test]
fn import_sigma_goes_on_past_refused_files() {
    let out = tempdir("import-sigma");
    let out_arg = out.to_str().expect("utf-8 path");
    let output = ruleport(&[
        "import",
        "sigma",
        "tests/sigma",
        "--out",
        out_arg,
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let files = report["files"].as_array().expect("files");
    let imported = files
        .iter()
        .filter(|file| file["status"] == "imported")
        .count();
    assert_eq!(report["imported"], imported);
    assert!(imported >= 9, "{report}");
    let cidr = files
        .iter()
        .find(|file| file["file"] == "tests/sigma/err/cidr.yml")
        .expect("the cidr rule is reported");
    assert_eq!(cidr["status"], "unsupported");
    assert_eq!(cidr["messages"][0]["line"], 6);
    assert_eq!(cidr["messages"][0]["column"], 9);
    assert!(out.join("ok/win_regex.yml").is_file());
    assert!(!out.join("err/cidr.yml").exists());

    let human = ruleport(&[
        "import",
        "sigma",
        "tests/sigma/err/cidr.yml",
        "--out",
        out_arg,
    ]);
    let stderr = String::from_utf8_lossy(&human.stderr);
    assert_eq!(human.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("tests/sigma/err/cidr.yml:6:9"), "{stderr}");
    assert!(stderr.contains("imported 0 of 1 Sigma rules"), "{stderr}");
}

#[test]
fn import_sigma_of_a_missing_path_is_a_usage_error() {
    let out = tempdir("import-sigma-missing");
    let output = ruleport(&[
        "import",
        "sigma",
        "no/such/rules",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn notes_without_a_place_name_their_file() {
    let dir = tempdir("import-sigma-no-id");
    let sigma = dir.join("no_id.yml");
    std::fs::write(
        &sigma,
        "title: t\nlogsource: {product: okta}\n\
         detection:\n  sel: {eventType: x}\n  condition: sel\n",
    )
    .expect("write");
    let out = dir.join("out");
    let output = ruleport(&[
        "import",
        "sigma",
        sigma.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let named = format!("note: {}: no `id`", sigma.display());
    assert!(stderr.contains(&named), "{stderr}");
    assert!(stderr.contains("no `level`"), "{stderr}");
}

#[test]
fn verify_runs_the_cases_that_load_and_fails_on_the_others() {
    let dir = tempdir("verify-bad-case");
    let cases = dir.join("cases.yml");
    std::fs::write(
        &cases,
        "cases:\n  - id: out-of-range\n    condition: \"a eq 1e400\"\n    event: {a: 1}\n    \
         expected: true\n  - id: fine\n    condition: \"a eq 1\"\n    event: {a: 1}\n    \
         expected: true\n",
    )
    .expect("write");
    let output = ruleport(&["verify", "--cases", cases.to_str().expect("utf-8")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("case out-of-range: the number `1e400`"),
        "{stderr}"
    );
    assert!(
        stdout(&output).contains("1 passed, 0 failed"),
        "{}",
        stdout(&output)
    );
}
