//! The EQL target against the `eql` Python package: every catalog rule's tests, every
//! conformance case and the cases below are compiled, written as the inputs of
//! `tests/engines/check_eql.py` (queries, and each event as Elasticsearch indexes it), and
//! checked with it when the package is installed.
//!
//! Set `RULEPORT_EQL_PYTHON` to a Python with eql==1.0.1 (else `.engines/venv/bin/python`
//! is used when present), and `RULEPORT_EQL_OUT` to keep the inputs in a directory.
//! Conformance cases that the target refuses, and the verdicts the package is known to give
//! differently, are listed here and asserted; docs/targets/elastic.md explains each.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use ruleport::backend::eql::indexed_document;
use ruleport::backend::{CompileError, Context, compile};
use ruleport::compiler::file_stem;
use ruleport::mapping::{Family, Mappings};
use ruleport::rule::Rule;
use ruleport::target::Target;
use ruleport::templates::Templates;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use support::catalog::{Env, catalog, repo, rule_from_condition};

/// Catalog rules (by file stem) and cases the target refuses with `Unsupported`, and why.
const REFUSED: &[(&str, &str)] = &[
    (
        "aws_cloudtrail_admin_policy_granted",
        "catalog: requestParameters, kept as map text and a flattened object",
    ),
    (
        "aws_cloudtrail_console_login_without_mfa",
        "catalog: responseElements.ConsoleLogin, kept only as a derived outcome",
    ),
    (
        "aws_cloudtrail_ec2_gpu_or_bulk_launch",
        "catalog: requestParameters, kept as map text and a flattened object",
    ),
    (
        "aws_cloudtrail_root_console_login",
        "catalog: responseElements.ConsoleLogin, kept only as a derived outcome",
    ),
    (
        "aws_cloudtrail_s3_bucket_acl_made_public",
        "catalog: requestParameters, kept as map text and a flattened object",
    ),
    (
        "aws_cloudtrail_security_group_open_to_internet",
        "catalog: requestParameters, kept as map text and a flattened object",
    ),
    (
        "azure_device_code_broker_sign_in",
        "catalog: a sign-in field the Azure.Audit mapping leaves out",
    ),
    (
        "azure_domain_federation_modified",
        "catalog: a directory-audit field; the mapping covers sign-ins",
    ),
    (
        "azure_legacy_authentication_sign_in",
        "catalog: a sign-in field the Azure.Audit mapping leaves out",
    ),
    (
        "azure_privileged_role_assigned",
        "catalog: a directory-audit field; the mapping covers sign-ins",
    ),
    (
        "azure_service_principal_credentials_added",
        "catalog: a directory-audit field; the mapping covers sign-ins",
    ),
    (
        "gcp_basic_or_admin_role_granted",
        "catalog: protoPayload.serviceData, which the integration drops",
    ),
    (
        "gcp_bigquery_large_query",
        "catalog: resource.type and protoPayload.metadata, which the integration drops",
    ),
    (
        "gcp_firewall_open_to_internet",
        "catalog: protoPayload.request, a flattened field",
    ),
    (
        "gcp_storage_bucket_made_public",
        "catalog: protoPayload.serviceData, which the integration drops",
    ),
    (
        "gsuite_external_email_forwarding",
        "catalog: a user_accounts parameter, which the integration drops",
    ),
    (
        "okta_admin_role_assigned",
        "catalog: debugContext.debugData.privilegeGranted, in a flattened field",
    ),
    (
        "slack_app_with_admin_scopes",
        "catalog: entity.app, merged with every other entity kind",
    ),
    (
        "array-index",
        "an element by position: Elasticsearch flattens arrays into multi-valued fields",
    ),
    (
        "array-index-out-of-range",
        "an element by position: Elasticsearch flattens arrays into multi-valued fields",
    ),
    (
        "backtick-in-key",
        "a key with a backtick: the eql package cannot read it in backticks",
    ),
    (
        "backtick-segment",
        "a key with a dot: Elasticsearch expands it into a nested path",
    ),
    (
        "backtick-segment-not-nested",
        "a key with a dot: Elasticsearch expands it into a nested path",
    ),
    (
        "bool-vs-number",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "eq-negative-number",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "eq-number-literal-vs-decimal-string",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "eq-number-literal-vs-padded-string",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "eq-number-literal-vs-string-field",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "eq-number-literal-vs-word",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "ge-equal",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "gt-bool",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "gt-equal",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "gt-missing",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "gt-non-numeric-string",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "gt-number",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "in-mixed-literals",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "le-float",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "lt-not-lexicographic",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "lt-numeric-string",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "not-gt-missing",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "star-gt",
        "a numeric test on a keyword field (checked again with a numeric mapping)",
    ),
    (
        "text-test-on-number-field@numeric",
        "a text test on a numeric field: Elasticsearch runs text tests on keyword fields",
    ),
];

/// Cases compiled again with [`NUMERIC_MAPPING`] (checked as `<id>@numeric`): numeric tests
/// need a numeric field.
const NUMERIC: &[&str] = &[
    "eq-negative-number",
    "eq-number-literal-vs-decimal-string",
    "eq-number-literal-vs-padded-string",
    "eq-number-literal-vs-string-field",
    "eq-number-literal-vs-word",
    "ge-equal",
    "gt-bool",
    "gt-equal",
    "gt-missing",
    "gt-non-numeric-string",
    "gt-number",
    "in-mixed-literals",
    "le-float",
    "lt-not-lexicographic",
    "lt-numeric-string",
    "not-gt-missing",
    "star-gt",
    "number-text-on-number-field",
    "padded-text-on-number-field",
    "text-test-on-number-field",
    "bool-text-any-case",
    "bool-vs-number",
    "not-bool-missing",
];

/// The `Test.Conformance` mapping of the numeric pass: the fields numeric cases use, typed.
const NUMERIC_MAPPING: &str = "fields:
  a: {name: a, type: real}
  bytes: {name: bytes, type: long}
  score: {name: score, type: real}
  scores: {name: scores, type: long}
  n: {name: n, type: long}
  flag: {name: flag, type: bool}
";

/// Verdicts the package gives differently from the evaluator on catalog tests (by
/// `RuleID: test name`) and on the cases of this file: the case, who differs, why.
/// Conformance cases say so with `divergence_allowed: [eql]`.
const DIVERGENCES: &[(&str, &str)] = &[
    (
        "AWS.CloudTrail.LogFilesDeleted: Trail log file deleted",
        "eql package: it has no multi-valued fields and gives no value for a list",
    ),
    (
        "AWS.CloudTrail.LogFilesDeleted: Organization trail digest file deleted",
        "eql package: it has no multi-valued fields and gives no value for a list",
    ),
    (
        "GSuite.ActivityEvent.OAuthAppPrivilegedScopes: App granted full Gmail access among other scopes",
        "eql package: it has no multi-valued fields and gives no value for a list",
    ),
    (
        "OnePassword.ItemUsage.SensitiveItemRevealed: Item id in upper case does not name a watched item",
        "eql package: it folds case in every comparison, so it cannot confirm a case-sensitive test",
    ),
    (
        "eq-number-literal-vs-padded-string@numeric",
        "Elasticsearch: a numeric field reads \" 42\" as 42",
    ),
    (
        "star-gt@numeric",
        "eql package: it has no multi-valued fields and gives no value for a list",
    ),
    (
        "eq-final-line-break",
        "eql package: `:` becomes a Python regex ending in `$`, which matches before a final \
         line break",
    ),
    (
        "regex-end-anchor-prefix",
        "eql package: re.match accepts a prefix of the value, Lucene only the whole value",
    ),
];

/// Cases beyond the conformance file: what this target must get right, or where it differs.
fn extra_cases() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "regex-end-anchor-prefix",
            r#"a regex "^b+c$""#,
            json!({"a": "bbbcd"}),
        ),
        (
            "regex-anchor-in-group",
            r#"a regex "(^|,)admin""#,
            json!({"a": "x,Admin"}),
        ),
        (
            "regex-anchor-in-group-miss",
            r#"a regex "(^|,)admin""#,
            json!({"a": "xadmin"}),
        ),
        (
            "regex-anchors-in-branches",
            r#"a regex "^a|b$""#,
            json!({"a": "xb"}),
        ),
        (
            "regex-lucene-reserved",
            r##"a regex '"#@&<>~'"##,
            json!({"a": "x\"#@&<>~y"}),
        ),
        (
            "regex-dot-not-newline",
            r#"a regex "^a.b$""#,
            json!({"a": "a\nb"}),
        ),
        (
            "regex-non-ascii-case",
            r#"a regex "ÉMILE""#,
            json!({"a": "émile"}),
        ),
        (
            "eq-wildcard-characters",
            r#"a eq "x*y?\\z""#,
            json!({"a": "X*Y?\\Z"}),
        ),
        (
            "eq-wildcard-characters-miss",
            r#"a eq "x*y""#,
            json!({"a": "xaby"}),
        ),
        (
            "contains-wildcard-characters",
            r#"q contains "a*b""#,
            json!({"q": "xA*Bx"}),
        ),
        (
            "startswith-backslash",
            r#"q startswith "C:\\""#,
            json!({"q": "c:\\windows"}),
        ),
        (
            "endswith-question",
            r#"q endswith "?""#,
            json!({"q": "why?"}),
        ),
        (
            "hostile-literal",
            r#"a eq "say \"hi\"\n\ttab 'q' 100% a_b {}""#,
            json!({"a": "SAY \"HI\"\n\tTAB 'Q' 100% A_B {}"}),
        ),
        (
            "odd-key-names",
            r#"`a b`.`c-d`.`where` eq "x""#,
            json!({"a b": {"c-d": {"where": "X"}}}),
        ),
        ("backtick-in-key", r#"`a``b` eq "x""#, json!({"a`b": "x"})),
        (
            "number-text-on-number-field",
            r#"n eq "50126""#,
            json!({"n": 50126}),
        ),
        (
            "padded-text-on-number-field",
            r#"n eq "007""#,
            json!({"n": 7}),
        ),
        (
            "text-test-on-number-field",
            r#"n contains "26""#,
            json!({"n": 50126}),
        ),
        (
            "bool-text-any-case",
            r#"flag eq "TRUE""#,
            json!({"flag": true}),
        ),
        ("bool-vs-number", r#"flag eq 1"#, json!({"flag": true})),
        ("not-bool-missing", r#"flag ne true"#, json!({})),
        (
            "backslash-u-text",
            r#"a eq "x\\u{41}}""#,
            json!({"a": "x\\u{41}}"}),
        ),
        ("eq-final-line-break", r#"a eq "x""#, json!({"a": "x\n"})),
    ]
}

/// Hostile texts, each tested for equality (on itself in upper case) and containment.
const HOSTILE: &[&str] = &[
    "say \"hi\" and 'bye'",
    "C:\\Windows\\System32\\",
    "\"\"\"triple\"\"\"",
    "line1\nline2\r\n\tindented",
    "100% a_b *? {x} [y] (z) #c @d &e <f> ~g |h",
    "x\\u{41}\\u{42}} and \\",
    "café ß İ 🦀 Émile",
    "nul\u{0}inside del\u{7f} nel\u{85} ls\u{2028}",
    "",
];

/// Random conditions over two text fields, each on a few events, to check and/or/not and
/// the null guards against the evaluator. Values are strings, null or missing, and tests
/// stay where the package has no known divergence (no `_cs`, no arrays, no numbers, no
/// regex anchored at the end).
fn random_cases() -> Vec<(String, String, Value)> {
    const VALUES: [&str; 6] = ["x", "X", "xy", "", "a*b", "é"];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut cases = Vec::new();
    for i in 0..150 {
        let condition = random_expr(&mut rng, &VALUES, 3);
        for j in 0..3 {
            let mut event = serde_json::Map::new();
            for field in ["a", "b"] {
                match rng.below(VALUES.len() + 2) {
                    0 => {}
                    1 => {
                        event.insert(field.into(), Value::Null);
                    }
                    k => {
                        event.insert(field.into(), json!(VALUES[k - 2]));
                    }
                }
            }
            cases.push((
                format!("random-{i}-{j}"),
                condition.clone(),
                Value::Object(event),
            ));
        }
    }
    cases
}

fn random_expr(rng: &mut Rng, values: &[&str], depth: usize) -> String {
    let value = |rng: &mut Rng| condition_literal(values[rng.below(values.len())]);
    let field = ["a", "b"][rng.below(2)];
    match rng.below(if depth == 0 { 1 } else { 4 }) {
        0 => match rng.below(12) {
            0 => format!("{field} eq {}", value(rng)),
            1 => format!("{field} ne {}", value(rng)),
            2 => format!("{field} in [{}, {}]", value(rng), value(rng)),
            3 => format!("{field} not_in [{}, {}]", value(rng), value(rng)),
            4 => format!("{field} contains {}", value(rng)),
            5 => format!("{field} startswith {}", value(rng)),
            6 => format!("{field} endswith [{}, {}]", value(rng), value(rng)),
            7 => format!(
                "{field} regex {}",
                ["\"^x\"", "\"(^|b)y\"", "'\\*'", "\"é|^x\""][rng.below(4)]
            ),
            8 => format!("{field} is_null"),
            9 => format!("{field} is_not_null"),
            10 => format!("{field} is_empty"),
            _ => format!("{field} is_not_empty"),
        },
        1 => format!("not ({})", random_expr(rng, values, depth - 1)),
        2 => format!(
            "({} and {})",
            random_expr(rng, values, depth - 1),
            random_expr(rng, values, depth - 1)
        ),
        _ => format!(
            "({} or {})",
            random_expr(rng, values, depth - 1),
            random_expr(rng, values, depth - 1)
        ),
    }
}

/// A small deterministic generator (xorshift64), so the cases are the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A double-quoted string of the condition language.
fn condition_literal(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' | '"' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn hostile_cases() -> Vec<(String, String, Value)> {
    let mut cases = Vec::new();
    for (i, text) in HOSTILE.iter().enumerate() {
        let literal = condition_literal(text);
        let shouted = text.to_uppercase();
        cases.push((
            format!("hostile-{i}-eq"),
            format!("a eq {literal}"),
            json!({ "a": shouted }),
        ));
        cases.push((
            format!("hostile-{i}-contains"),
            format!("a contains {literal}"),
            json!({ "a": format!("<{shouted}>") }),
        ));
        cases.push((
            format!("hostile-{i}-eq-cs-miss"),
            format!("a eq_cs {literal}"),
            json!({ "a": format!("{text}.") }),
        ));
    }
    cases
}

#[derive(Deserialize)]
struct Cases {
    cases: Vec<ConformanceCase>,
}

#[derive(Deserialize)]
struct ConformanceCase {
    id: String,
    condition: String,
    #[serde(default)]
    event: Option<Value>,
    #[serde(default)]
    expected: Option<bool>,
    #[serde(default)]
    divergence_allowed: Vec<String>,
}

/// One line of `cases.json`.
#[derive(Serialize)]
struct Check {
    id: String,
    query: String,
    document: Value,
    expected: bool,
    diverges: Option<String>,
}

/// An event to check a compiled rule on.
struct Event {
    id: String,
    event: Value,
    /// Why the package is documented to differ on it, if it is.
    diverges: Option<String>,
}

impl Event {
    fn new(id: &str, event: Value) -> Self {
        Event {
            id: id.to_string(),
            event,
            diverges: None,
        }
    }
}

struct Harness {
    queries: PathBuf,
    checks: Vec<Check>,
    refused: BTreeSet<String>,
}

impl Harness {
    /// Compiles `rule` and adds one check per event; a refusal is recorded instead.
    fn add(&mut self, rule: &Rule, name: &str, cx: &Context<'_>, events: &[Event]) {
        let artifacts = match compile(rule, name, Target::Eql, cx) {
            Ok(artifacts) => artifacts,
            Err(CompileError::Unsupported { .. }) => {
                self.refused.insert(name.to_string());
                return;
            }
            Err(error) => panic!("{name}: {error:?}"),
        };
        let query = format!("{name}.eql");
        fs::write(self.queries.join(&query), &artifacts[0].content).expect("write query");
        let mapping = cx.mappings.get(Family::Elastic, &rule.meta.log_types[0]);
        for event in events {
            let diverges = DIVERGENCES
                .iter()
                .find(|(known, _)| *known == event.id)
                .map(|(_, reason)| reason.to_string())
                .or_else(|| event.diverges.clone());
            self.checks.push(Check {
                id: event.id.clone(),
                query: query.clone(),
                document: indexed_document(mapping, &event.event),
                expected: rule.evaluator().matches(&event.event),
                diverges,
            });
        }
    }
}

fn out_dir() -> PathBuf {
    let dir = std::env::var_os("RULEPORT_EQL_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("eql-engine"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("queries")).expect("create the output directory");
    dir
}

#[test]
fn the_eql_package_gives_every_verdict() {
    let dir = out_dir();
    let mut harness = Harness {
        queries: dir.join("queries"),
        checks: Vec::new(),
        refused: BTreeSet::new(),
    };
    let env = Env::builtin();
    let numeric = numeric_env(&dir);

    for file in catalog().files {
        let rule = file.rule.as_ref().expect("loaded");
        let mut events = Vec::new();
        for test in &rule.meta.tests {
            assert_eq!(rule.evaluator().matches(&test.log), test.expected_result);
            let id = format!("{}: {}", rule.meta.rule_id, test.name);
            events.push(Event::new(&id, test.log.clone()));
        }
        harness.add(rule, &file_stem(&file.source.path), &env.context(), &events);
    }

    for (id, condition, mut event) in cases() {
        let rule = rule_from_condition(&id, &condition);
        harness.add(&rule, &id, &env.context(), std::slice::from_ref(&event));
        if NUMERIC.contains(&id.as_str()) {
            let name = format!("{id}@numeric");
            event.id.clone_from(&name);
            harness.add(&rule, &name, &numeric.context(), &[event]);
        }
    }

    let refused: BTreeSet<String> = REFUSED.iter().map(|(id, _)| id.to_string()).collect();
    assert_eq!(harness.refused, refused, "the refused cases changed");
    let checked: BTreeSet<&str> = harness.checks.iter().map(|c| c.id.as_str()).collect();
    for (id, _) in DIVERGENCES {
        assert!(checked.contains(id), "divergence {id} is not checked");
    }

    let cases_file = dir.join("cases.json");
    let json = serde_json::to_string_pretty(&json!({ "cases": harness.checks })).expect("json");
    fs::write(&cases_file, json).expect("write cases");
    run_checker(&dir.join("queries"), &cases_file);
}

/// The conformance cases with a verdict, then this file's: id, condition and event.
fn cases() -> Vec<(String, String, Event)> {
    let file: Cases = serde_yaml::from_str(include_str!("conformance.yml")).expect("loads");
    let mut cases = Vec::new();
    for case in file.cases {
        let (Some(event), Some(expected)) = (case.event, case.expected) else {
            continue;
        };
        let rule = rule_from_condition(&case.id, &case.condition);
        assert_eq!(rule.evaluator().matches(&event), expected, "{}", case.id);
        let mut event = Event::new(&case.id, event);
        if case.divergence_allowed.iter().any(|engine| engine == "eql") {
            event.diverges = Some("documented in tests/conformance.yml".into());
        }
        cases.push((case.id, case.condition, event));
    }
    let extra = extra_cases()
        .into_iter()
        .map(|(id, condition, event)| (id.to_string(), condition.to_string(), event));
    for (id, condition, event) in extra.chain(hostile_cases()).chain(random_cases()) {
        let event = Event::new(&id, event);
        cases.push((id, condition, event));
    }
    cases
}

/// The built-in templates with [`NUMERIC_MAPPING`] as the `Test.Conformance` mapping.
fn numeric_env(dir: &Path) -> Env {
    let mappings = dir.join("numeric-mappings");
    fs::create_dir_all(mappings.join("elastic")).expect("create");
    fs::write(
        mappings.join("elastic/Test.Conformance.yml"),
        NUMERIC_MAPPING,
    )
    .expect("write");
    Env {
        templates: Templates::load(None).expect("templates load"),
        mappings: Mappings::load(Some(&mappings)).expect("the numeric mapping loads"),
        corpus: Default::default(),
    }
}

/// Runs check_eql.py when a Python with the package is at hand.
fn run_checker(queries: &Path, cases: &Path) {
    let python = std::env::var_os("RULEPORT_EQL_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".engines/venv/bin/python"));
    if !python.is_file() {
        let required = std::env::var_os("RULEPORT_REQUIRE_ENGINES").is_some();
        assert!(
            !required,
            "RULEPORT_REQUIRE_ENGINES is set, but {} is missing",
            python.display()
        );
        eprintln!(
            "check_eql.py not run: no Python with eql==1.0.1 at {} (set RULEPORT_EQL_PYTHON)",
            python.display()
        );
        return;
    }
    let output = Command::new(&python)
        .arg(repo().join("tests/engines/check_eql.py"))
        .arg(queries)
        .arg(cases)
        .output()
        .expect("run check_eql.py");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("check_eql.py: {}", report.trim_end());
}
