//! `ruleport eval` as a user runs it: alerts for matching events only, output fields and the
//! raw event as the input has them, bad lines skipped with their position, stdin, log
//! types, input order under several threads, and exit statuses.

mod support;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn ruleport(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ruleport"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ruleport");
    let mut input = child.stdin.take().expect("piped stdin");
    let bytes = stdin.unwrap_or_default().to_vec();
    let writer = std::thread::spawn(move || input.write_all(&bytes));
    let output = child.wait_with_output().expect("ruleport ends");
    writer.join().expect("stdin writer").expect("stdin written");
    output
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The alert lines of a run, parsed.
fn alerts(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("every alert is one JSON line"))
        .collect()
}

/// A file under the target dir with `text`, so tests leave no litter.
fn file(name: &str, text: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("eval");
    fs::create_dir_all(&dir).expect("create temp dir");
    let path = dir.join(name);
    fs::write(&path, text).expect("write input");
    path
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

const ROOT_LOGIN: &str = "rules/aws_cloudtrail/aws_cloudtrail_root_console_login.yml";

/// The least event that `ROOT_LOGIN` alerts on.
const ROOT_LOGIN_EVENT: &str = concat!(
    r#"{"eventName": "ConsoleLogin", "userIdentity": {"type": "Root"},"#,
    r#" "responseElements": {"ConsoleLogin": "Success"}}"#,
);

/// Every test event of the catalog, one per line, with every rule of the catalog: a rule
/// alerts on exactly the lines where the evaluator, given the whole event, says it matches.
#[test]
fn alerts_are_the_evaluator_verdicts_on_every_catalog_event() {
    let catalog = support::catalog::catalog();
    let rules: Vec<_> = catalog
        .files
        .iter()
        .filter_map(|f| f.rule.as_ref())
        .collect();
    let events: Vec<&Value> = rules
        .iter()
        .flat_map(|rule| &rule.meta.tests)
        .map(|test| &test.log)
        .collect();
    let lines: String = events.iter().map(|event| format!("{event}\n")).collect();
    let input = file("catalog.jsonl", lines.as_bytes());

    let output = ruleport(&["eval", "--rule", "rules", arg(&input)], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let found: Vec<(u64, String)> = alerts(&output)
        .iter()
        .map(|alert| {
            let line = alert["line"].as_u64().expect("a line number");
            let id = alert["rule_id"].as_str().expect("a rule id");
            (line, id.to_string())
        })
        .collect();
    let mut expected = Vec::new();
    for (index, event) in events.iter().enumerate() {
        for rule in &rules {
            if rule.evaluator().matches(event) {
                expected.push((index as u64 + 1, rule.meta.rule_id.clone()));
            }
        }
    }
    assert_eq!(found, expected);
    let must_alert = rules
        .iter()
        .flat_map(|rule| &rule.meta.tests)
        .filter(|test| test.expected_result)
        .count();
    assert!(found.len() >= must_alert, "{} alerts", found.len());
}

/// The event is the input's own text (spacing, escapes, number forms, key order), without
/// the white space around it; output fields are the values at their paths, null when
/// missing.
#[test]
fn alerts_carry_output_fields_and_the_event_byte_for_byte() {
    let event = concat!(
        r#"{ "eventName" : "ConsoleLogin", "userIdentity": {"type": "Root"},"#,
        r#" "responseElements": {"ConsoleLogin": "Success"}, "recipientAccountId": 1.0e1,"#,
        r#" "sourceIPAddress": "203.0.113.\u0038", "userAgent": null, "z": "caf\u00e9" }"#,
    );
    let input = file("raw.jsonl", format!("  {event}\t\r\n").as_bytes());

    let output = ruleport(&["eval", "--rule", ROOT_LOGIN, arg(&input)], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().next().expect("one alert");
    let expected_start = concat!(
        r#"{"rule_id":"AWS.CloudTrail.RootConsoleLogin","line":1,"outputs":{"#,
        r#""accountId":10.0,"sourceIPAddress":"203.0.113.8","mfaUsed":null,"userAgent":null},"#,
        r#""event":"#,
    );
    assert_eq!(line, format!("{expected_start}{event}}}"));
    assert_eq!(stdout.lines().count(), 1);
}

/// An output field with `[*]` lists every value its path reaches.
#[test]
fn output_fields_with_a_star_list_what_they_reach() {
    let rule = fs::read_to_string("rules/aws_cloudtrail/aws_cloudtrail_log_files_deleted.yml")
        .expect("rule")
        .replace(
            "  key: requestParameters.key\n",
            "  types: resources[*].type\n",
        );
    let rule = file("star_output.yml", rule.as_bytes());
    let event = json!({
        "eventSource": "s3.amazonaws.com", "eventName": "DeleteObject",
        "resources": [
            {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b/AWSLogs/123456789012/CloudTrail/x"},
            {"type": "AWS::S3::Bucket"}, {"type": null}
        ]
    });
    let output = ruleport(
        &["eval", "--rule", arg(&rule)],
        Some(format!("{event}").as_bytes()),
    );
    let alerts = alerts(&output);
    assert_eq!(alerts.len(), 1, "{}", stderr(&output));
    assert_eq!(
        alerts[0]["outputs"]["types"],
        json!(["AWS::S3::Object", "AWS::S3::Bucket"])
    );
}

/// A bad line is reported with the file, its line and serde_json's column, and skipped; the
/// lines after it are still read, and the exit status says some were skipped.
#[test]
fn bad_lines_are_reported_at_their_position_and_skipped() {
    let good = ROOT_LOGIN_EVENT;
    let mut text = format!("{good}\n{{\"eventName\": tru}}\n\n[1, 2]\n   \n{good}\n").into_bytes();
    // `{"a": "é` and a byte that is not UTF-8.
    text.extend_from_slice(b"{\"a\": \"\xc3\xa9\xff\"}");
    let input = file("bad.jsonl", &text);

    let output = ruleport(&["eval", "--rule", ROOT_LOGIN, arg(&input)], None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let lines: Vec<u64> = alerts(&output)
        .iter()
        .map(|alert| alert["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(lines, [1, 6]);

    let stderr = stderr(&output);
    let name = arg(&input);
    assert!(
        stderr.contains(&format!("{name}:2:18: expected ident")),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("{name}:4:")), "{stderr}");
    assert!(stderr.contains("expected a JSON object"), "{stderr}");
    assert!(
        stderr.contains(&format!("{name}:7:10: invalid UTF-8")),
        "{stderr}"
    );
    assert_eq!(stderr.matches("line skipped").count(), 3, "{stderr}");
    assert!(stderr.contains("2 events, 2 alerts"), "{stderr}");
}

/// Standard input is read with `-` or with no file at all, and the last line needs no
/// newline.
#[test]
fn stdin_is_read_with_a_dash_or_no_file() {
    let sample = fs::read("tests/events/sample.jsonl").expect("sample events");
    let from_file = ruleport(
        &["eval", "--rule", "rules", "tests/events/sample.jsonl"],
        None,
    );
    assert_eq!(alerts(&from_file).len(), 2, "{}", stderr(&from_file));
    for args in [
        &["eval", "--rule", "rules", "-"][..],
        &["eval", "--rule", "rules"],
    ] {
        let output = ruleport(args, Some(&sample));
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(output.stdout, from_file.stdout);
    }
    let unterminated = sample.strip_suffix(b"\n").expect("ends in a newline");
    let output = ruleport(&["eval", "--rule", "rules"], Some(unterminated));
    assert_eq!(output.stdout, from_file.stdout);
}

/// `--log-type` runs only the rules of that log type; a log type no rule has is a usage
/// error, not an empty run.
#[test]
fn log_type_selects_rules() {
    let args = ["eval", "--rule", "rules", "tests/events/sample.jsonl"];
    let all = alerts(&ruleport(&args, None));
    let ids = |alerts: &[Value]| -> Vec<String> {
        alerts
            .iter()
            .map(|alert| alert["rule_id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(
        ids(&all),
        [
            "AWS.CloudTrail.RootConsoleLogin",
            "Okta.SystemLog.APITokenCreated"
        ]
    );
    let okta = ruleport(
        &[&args[..], &["--log-type", "Okta.SystemLog"]].concat(),
        None,
    );
    assert_eq!(ids(&alerts(&okta)), ["Okta.SystemLog.APITokenCreated"]);
    assert!(stderr(&okta).contains("from 7 rules"), "{}", stderr(&okta));

    let none = ruleport(
        &[&args[..], &["--log-type", "Okta.Systemlog"]].concat(),
        None,
    );
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("no rule has the log type `Okta.Systemlog`"));
}

/// Many batches through one, two and three workers give the same output, byte for byte,
/// with line numbers in input order; so does a line longer than a batch.
#[test]
fn output_is_in_input_order_whatever_the_threads() {
    let sample = fs::read_to_string("tests/events/sample.jsonl").expect("sample events");
    let padding = format!(r#", "pad": "{}"}}"#, "x".repeat(600_000));
    let long = ROOT_LOGIN_EVENT.replace("\"Success\"}}", &format!("\"Success\"}}{padding}"));
    assert!(long.len() > 600_000);
    let mut text = String::new();
    for round in 0..4000 {
        text.push_str(&sample);
        if round % 1000 == 500 {
            text.push_str(&long);
            text.push('\n');
        }
    }
    let input = file("many.jsonl", text.as_bytes());

    let run = |threads: &str| {
        ruleport(
            &["eval", "--rule", "rules", "--threads", threads, arg(&input)],
            None,
        )
    };
    let one = run("1");
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    let lines: Vec<u64> = alerts(&one)
        .iter()
        .map(|alert| alert["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(lines.len(), 4000 * 2 + 4);
    assert!(lines.windows(2).all(|pair| pair[0] <= pair[1]));
    for threads in ["2", "3"] {
        let many = run(threads);
        assert_eq!(many.status.code(), Some(0), "{}", stderr(&many));
        assert!(
            many.stdout == one.stdout,
            "{threads} threads changed the output"
        );
    }
}

/// A rule that does not load is reported as other commands report it, and no event is read.
#[test]
fn a_rule_that_does_not_load_stops_the_run() {
    let broken = fs::read_to_string(ROOT_LOGIN).expect("rule").replace(
        "eventName eq \"ConsoleLogin\"",
        "eventName equals \"ConsoleLogin\"",
    );
    let broken = file("broken.yml", broken.as_bytes());
    let output = ruleport(
        &["eval", "--rule", arg(&broken), "tests/events/sample.jsonl"],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = stderr(&output);
    assert!(stderr.contains("unknown operator `equals`"), "{stderr}");
    assert!(stderr.contains("broken.yml:"), "{stderr}");
    assert!(stderr.contains("no events were read"), "{stderr}");
}

#[test]
fn missing_inputs_are_usage_errors() {
    let output = ruleport(&["eval", "--rule", "rules", "no/such/events.jsonl"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read no/such/events.jsonl"));

    let output = ruleport(
        &[
            "eval",
            "--rule",
            "no/such/rules",
            "tests/events/sample.jsonl",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));

    let output = ruleport(&["eval", "tests/events/sample.jsonl"], None);
    assert_eq!(output.status.code(), Some(2), "--rule is required");
}
