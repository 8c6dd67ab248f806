//! Running batches of jobs on each engine, and turning answers into outcomes.

use std::borrow::Cow;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;
use serde_json::Value;

use super::cases::Subject;
use super::engine::Engine;
use super::report::{Outcome, Status};
use super::sqlite::Sqlite;
use crate::backend::eql::indexed_document;
use crate::backend::sql::table_name;
use crate::backend::{Artifact, Context};
use crate::mapping::Family;
use crate::rule::Rule;

/// One event for one compiled rule, as a driver script reads it.
#[derive(Serialize)]
struct Job<'a> {
    /// The table to load the event into (SQL engines).
    table: String,
    /// The query (SQL, EQL, KQL) or the Python module's source (Panther).
    query: &'a str,
    /// The event as the engine stores it (for EQL: as Elasticsearch indexes it).
    event: Cow<'a, Value>,
}

/// Runs every subject's probes on `engine`.
pub fn run(
    engine: Engine,
    jobs: &[(&Subject, Vec<Artifact>)],
    engines_dir: &Path,
    cx: &Context<'_>,
) -> Result<Vec<Outcome>, String> {
    let mut planned = Vec::new();
    for (subject, artifacts) in jobs {
        let query = main_artifact(engine, artifacts);
        let table = table_name(&subject.rule, cx);
        for probe in &subject.probes {
            planned.push((subject, probe, table.clone(), query.clone()));
        }
    }
    let answers = match engine {
        Engine::Sqlite => run_sqlite(&planned)?,
        _ => {
            let batch: Vec<Job<'_>> = planned
                .iter()
                .map(|(subject, probe, table, query)| Job {
                    table: table.clone(),
                    query,
                    event: stored_event(engine, &subject.rule, &probe.event, cx),
                })
                .collect();
            run_script(engine, &batch, engines_dir)?
        }
    };

    Ok(planned
        .iter()
        .zip(answers)
        .map(|((subject, probe, _, query), answer)| {
            let evaluator = subject.rule.evaluator().matches(&probe.event);
            let documented = probe
                .divergence_allowed
                .iter()
                .any(|name| name == engine.name());
            let diverges = documented
                || engine.cannot_confirm(&subject.rule.ir).is_some()
                || engine.cannot_confirm_on(&subject.rule.ir, &probe.event);
            let (engine_verdict, error, status) = match answer {
                Err(error) => (None, Some(error), Status::Error),
                Ok(_) if !engine.executes() => (None, None, Status::Valid),
                Ok(verdict) if verdict == evaluator => (Some(verdict), None, Status::Agree),
                Ok(verdict) if diverges => (Some(verdict), None, Status::AllowedDivergence),
                Ok(verdict) => (Some(verdict), None, Status::Mismatch),
            };
            Outcome {
                engine: engine.name().to_string(),
                rule_id: subject.rule.meta.rule_id.clone(),
                file: subject.file.clone(),
                test: probe.name.clone(),
                expected: probe.expected,
                evaluator,
                engine_verdict,
                status,
                error,
                query: query.clone(),
            }
        })
        .collect())
}

/// The event as the engine holds it: Elasticsearch indexes it through the log type's Elastic
/// mapping (field names, and values as their field types store them); the other engines
/// read the event as written.
fn stored_event<'a>(
    engine: Engine,
    rule: &Rule,
    event: &'a Value,
    cx: &Context<'_>,
) -> Cow<'a, Value> {
    if engine != Engine::Eql {
        return Cow::Borrowed(event);
    }
    let mapping = rule
        .meta
        .log_types
        .first()
        .and_then(|log_type| cx.mappings.get(Family::Elastic, log_type));
    Cow::Owned(indexed_document(mapping, event))
}

/// The artifact an engine runs: the query, or the Panther rule's Python.
fn main_artifact(engine: Engine, artifacts: &[Artifact]) -> String {
    let wanted = if engine == Engine::Panther { "py" } else { "" };
    artifacts
        .iter()
        .find(|artifact| {
            wanted.is_empty() || artifact.path.extension().is_some_and(|e| e == wanted)
        })
        .map(|artifact| artifact.content.clone())
        .unwrap_or_default()
}

type Planned<'a> = (&'a &'a Subject, &'a super::cases::Probe, String, String);

fn run_sqlite(planned: &[Planned<'_>]) -> Result<Vec<Result<bool, String>>, String> {
    let mut answers = Vec::with_capacity(planned.len());
    let mut open: Option<(String, Sqlite)> = None;
    for (_, probe, table, query) in planned {
        if open.as_ref().is_none_or(|(name, _)| name != table) {
            open = Some((table.clone(), Sqlite::open(table)?));
        }
        let Some((_, db)) = &open else { continue };
        answers.push(db.matches(query, &probe.event));
    }
    Ok(answers)
}

/// Runs an engine's driver script on a batch: jobs as JSON on stdin, one answer per job
/// (`{"verdict": bool}` or `{"error": "..."}`) as a JSON array on stdout.
fn run_script(
    engine: Engine,
    batch: &[Job<'_>],
    engines_dir: &Path,
) -> Result<Vec<Result<bool, String>>, String> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let schemas = tempfile::tempdir()
        .map_err(|error| format!("cannot make a temporary directory: {error}"))?;
    let mut command = driver_command(engine, engines_dir, schemas.path())?;
    let input = serde_json::to_vec(batch).map_err(|error| error.to_string())?;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot start the {engine} driver: {error}"))?;
    // A driver that dies early closes its input: its error output says why, so a failed
    // write is left for the exit status to report.
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(&input);
    }
    let output = child
        .wait_with_output()
        .map_err(|error| error.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "the {engine} driver failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let answers: Vec<Value> = serde_json::from_slice(&output.stdout).map_err(|error| {
        format!("the {engine} driver answered something else than JSON: {error}")
    })?;
    if answers.len() != batch.len() {
        return Err(format!(
            "the {engine} driver answered {} of {} jobs",
            answers.len(),
            batch.len()
        ));
    }
    Ok(answers
        .into_iter()
        .map(|answer| {
            match (
                answer.get("verdict").and_then(Value::as_bool),
                answer.get("error"),
            ) {
                (Some(verdict), None) => Ok(verdict),
                (_, Some(error)) => Err(error.as_str().unwrap_or("unknown error").to_string()),
                (None, None) => Err(format!("unreadable answer {answer}")),
            }
        })
        .collect())
}

const INSTALL: &str = "install the engines with `bash tests/engines/install.sh` from the \
                       ruleport repository, or point --engines-dir at them";

/// The command that runs an engine's driver: the engines directory's Python for the
/// Python packages, `node` with kql-validate for KQL.
fn driver_command(engine: Engine, engines_dir: &Path, scratch: &Path) -> Result<Command, String> {
    let engines_dir = std::path::absolute(engines_dir)
        .map_err(|error| format!("{}: {error}", engines_dir.display()))?;
    if engine == Engine::Kql {
        let validator = engines_dir.join("kql-validate");
        if !validator.join("node_modules/@kusto").is_dir() {
            return Err(format!(
                "the kql engine needs kql-validate in {}: {INSTALL}",
                validator.display()
            ));
        }
        crate::mapping::write_sentinel_schemas(scratch)?;
        let mut command = Command::new("node");
        command
            .args(["-e", include_str!("drivers/kql.js")])
            .env("RULEPORT_KQL_VALIDATOR", &validator)
            .env("RULEPORT_KQL_SCHEMAS", scratch);
        return Ok(command);
    }
    let script = match engine {
        Engine::Duckdb => include_str!("drivers/duckdb.py"),
        Engine::Postgres => include_str!("drivers/postgres.py"),
        Engine::Eql => include_str!("drivers/eql.py"),
        Engine::Panther => include_str!("drivers/panther.py"),
        Engine::Sqlite | Engine::Kql => return Err(format!("{engine} runs in-process")),
    };
    let python: PathBuf = engines_dir.join("venv/bin/python");
    if !python.is_file() {
        return Err(format!(
            "the {engine} engine needs Python packages in {}: {INSTALL}",
            python.display()
        ));
    }
    let mut command = Command::new(python);
    command.args(["-c", script]);
    Ok(command)
}
