//! The Elastic rule artifacts: the TOML rule reads back as TOML with the query and keys the
//! detection-rules layout wants, the NDJSON line as JSON with the same rule, and hostile
//! text in any rule key reaches them intact. Running the queries is `eql_engine.rs`'s job.

mod support;

use ruleport::backend::escape::yaml_quoted;
use ruleport::backend::{Artifact, CompileError, Place, compile};
use ruleport::rule::{Rule, load_rule};
use ruleport::source::SourceFile;
use ruleport::target::Target;
use serde_json::Value;
use support::catalog::{Env, catalog};
use uuid::Uuid;

fn artifact(rule: &Rule, target: Target, env: &Env) -> Result<String, CompileError> {
    let artifacts: Vec<Artifact> = compile(rule, "rule", target, &env.context())?;
    assert_eq!(artifacts.len(), 1);
    Ok(artifacts[0].content.clone())
}

/// The query of an `.eql` file: the lines after its `//` header.
fn query_of(eql: &str) -> String {
    eql.lines()
        .skip_while(|line| line.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn rule_from_yaml(text: &str) -> Rule {
    load_rule(&SourceFile::new("rule.yml", text)).expect("the rule loads")
}

/// Checks the TOML and NDJSON forms of `rule` against each other and against its query.
fn check_rule_files(rule: &Rule, env: &Env) -> (toml::Table, Value) {
    let query = query_of(&artifact(rule, Target::Eql, env).expect("compiles"));
    let toml_text = artifact(rule, Target::Elastic, env).expect("compiles");
    let parsed: toml::Table = toml::from_str(&toml_text).expect("the rule is valid TOML");
    let ndjson = artifact(rule, Target::ElasticNdjson, env).expect("compiles");
    assert_eq!(ndjson.lines().count(), 1, "{ndjson}");
    let json: Value = serde_json::from_str(&ndjson).expect("the line is valid JSON");

    let body = &parsed["rule"];
    let id = Uuid::new_v5(
        &ruleport::backend::eql::RULE_ID_NAMESPACE,
        rule.meta.rule_id.as_bytes(),
    );
    assert_eq!(body["rule_id"].as_str(), Some(id.to_string().as_str()));
    assert_eq!(body["query"].as_str(), Some(format!("{query}\n").as_str()));
    assert_eq!(body["type"].as_str(), Some("eql"));
    assert_eq!(body["language"].as_str(), Some("eql"));
    assert_eq!(body["name"].as_str(), Some(rule.meta.display_name.as_str()));
    let date = parsed["metadata"]["creation_date"]
        .as_str()
        .expect("a date");
    assert!(
        regex::Regex::new(r"^\d{4}/\d{2}/\d{2}$")
            .unwrap()
            .is_match(date)
    );

    assert_eq!(json["rule_id"], body["rule_id"].as_str().expect("id"));
    assert_eq!(json["query"], query);
    assert_eq!(json["name"], rule.meta.display_name);
    assert_eq!(
        json["risk_score"],
        body["risk_score"].as_integer().expect("score")
    );
    assert_eq!(
        json["severity"],
        body["severity"].as_str().expect("severity")
    );
    assert_eq!(json["enabled"], rule.meta.enabled);
    (parsed, json)
}

#[test]
fn every_catalog_rule_reads_back_as_toml_and_json() {
    let env = Env::builtin();
    let mut checked = 0;
    for file in catalog().files {
        let rule = file.rule.as_ref().expect("loaded");
        // A rule the query cannot express is refused by all three targets alike.
        let refused: Vec<bool> = [Target::Eql, Target::Elastic, Target::ElasticNdjson]
            .into_iter()
            .map(|target| artifact(rule, target, &env).is_err())
            .collect();
        assert!(
            refused.iter().all(|r| *r == refused[0]),
            "{}",
            rule.meta.rule_id
        );
        if !refused[0] {
            check_rule_files(rule, &env);
            checked += 1;
        }
    }
    assert!(checked > 1);
}

#[test]
fn the_seed_rule_carries_its_attack_ids_and_severity() {
    let env = Env::builtin();
    let catalog = catalog();
    let rule = catalog
        .files
        .iter()
        .filter_map(|file| file.rule.as_ref())
        .find(|rule| rule.meta.rule_id == "Azure.Audit.ROPCLoginNoMFA")
        .expect("the seed rule");
    let (toml, json) = check_rule_files(rule, &env);
    let body = &toml["rule"];
    assert_eq!(body["severity"].as_str(), Some("medium"));
    assert_eq!(body["risk_score"].as_integer(), Some(47));
    assert_eq!(
        body["index"].as_array().expect("a list")[0].as_str(),
        Some("logs-azure.signinlogs-*")
    );
    let threat = &body["threat"][0];
    assert_eq!(threat["framework"].as_str(), Some("MITRE ATT&CK"));
    assert_eq!(threat["tactic"]["id"].as_str(), Some("TA0001"));
    let technique = &threat["technique"][0];
    assert_eq!(technique["name"].as_str(), Some("Valid Accounts"));
    assert_eq!(
        technique["subtechnique"][0]["name"].as_str(),
        Some("Cloud Accounts")
    );
    assert_eq!(
        json["threat"][0]["technique"][0]["subtechnique"][0]["id"],
        "T1078.004"
    );
}

const HOSTILE: [&str; 7] = [
    "say \"hi\" and 'bye'",
    "C:\\Windows\\ and \\u{41}",
    "'''triple''' \"\"\"double\"\"\"",
    "line1\nline2\r\n\tindented\n",
    "nul\u{0} del\u{7f} nel\u{85} ls\u{2028} bom\u{feff}",
    "# not a comment // nor this /* or this */",
    "café ß İ 🦀",
];

#[test]
fn hostile_text_reaches_every_artifact_intact() {
    let env = Env::builtin();
    for text in HOSTILE {
        let quoted = yaml_quoted(text);
        let yaml = format!(
            "RuleID: Hostile.Rule\nDisplayName: {quoted}\nLogTypes: [Test.Conformance]\n\
             Severity: High\nDescription: {quoted}\nRunbook: {quoted}\nReference: {quoted}\n\
             Tags: [{quoted}]\nCondition: a is_not_null\n"
        );
        let rule = rule_from_yaml(&yaml);
        let (toml, json) = check_rule_files(&rule, &env);
        let body = &toml["rule"];
        assert_eq!(
            body["description"].as_str(),
            Some(text.trim_end()),
            "{text:?}"
        );
        assert_eq!(body["note"].as_str(), Some(text.trim_end()), "{text:?}");
        assert_eq!(body["tags"][0].as_str(), Some(text), "{text:?}");
        assert_eq!(body["references"][0].as_str(), Some(text), "{text:?}");
        assert_eq!(json["description"], text.trim_end());
        assert_eq!(json["tags"][0], text);

        let eql = artifact(&rule, Target::Eql, &env).expect("compiles");
        let header: Vec<&str> = eql.lines().take_while(|l| l.starts_with("//")).collect();
        assert_eq!(header.len(), 3, "{eql}");
        assert!(eql.starts_with("// Hostile.Rule: "), "{eql}");
    }
}

#[test]
fn an_unknown_technique_is_refused_by_the_rule_targets_only() {
    let env = Env::builtin();
    let rule = rule_from_yaml(
        "RuleID: Unknown.Technique\nDisplayName: x\nLogTypes: [Test.Conformance]\n\
         Severity: Info\nReports:\n  MITRE ATT&CK: [TA0001:T1999]\nCondition: a eq \"x\"\n",
    );
    assert!(artifact(&rule, Target::Eql, &env).is_ok());
    for target in [Target::Elastic, Target::ElasticNdjson] {
        let error = artifact(&rule, target, &env).expect_err("unknown technique");
        let CompileError::Unsupported { construct, .. } = error else {
            panic!("{error:?}");
        };
        assert!(construct.contains("T1999"), "{construct}");
    }
}

#[test]
fn refusals_point_at_the_predicate() {
    let env = Env::builtin();
    let rule = rule_from_yaml(
        "RuleID: Refused.Rule\nDisplayName: x\nLogTypes: [Azure.Audit]\nSeverity: Info\n\
         Condition: |\n  operationName eq \"x\"\n  properties.status.errorCode contains \"26\"\n",
    );
    let error = artifact(&rule, Target::Eql, &env).expect_err("a text test on a long field");
    let CompileError::Unsupported {
        place: Place::Predicate(span),
        reason,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    let span = span.clone();
    assert_eq!(
        &rule.meta.condition[span],
        "properties.status.errorCode contains \"26\""
    );
    assert!(reason.contains("keyword"), "{reason}");
    assert!(reason.contains("status.error_code"), "{reason}");
}

#[test]
fn a_field_the_mapping_leaves_out_is_refused() {
    let env = Env::builtin();
    let rule = rule_from_yaml(
        "RuleID: Unmapped.Field\nDisplayName: x\nLogTypes: [Azure.Audit]\nSeverity: Info\n\
         Condition: callerIpAddress eq \"1.2.3.4\"\n",
    );
    let error = artifact(&rule, Target::Eql, &env).expect_err("no field for callerIpAddress");
    let CompileError::Unsupported {
        construct, reason, ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert!(construct.contains("callerIpAddress"), "{construct}");
    assert!(
        reason.contains("mappings/elastic/Azure.Audit.yml"),
        "{reason}"
    );
}
