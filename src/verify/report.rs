//! The verification report: one outcome per engine, rule and test.

use std::fmt::Write as _;

use serde::Serialize;

use super::engine::Engine;

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub engine: String,
    pub rule_id: String,
    pub file: String,
    pub test: String,
    pub expected: bool,
    pub evaluator: bool,
    /// The engine's verdict; `None` for an engine that only checks (KQL) or on error.
    pub engine_verdict: Option<bool>,
    pub status: Status,
    /// What the engine said when it failed or refused the query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The query the engine ran, for mismatches.
    #[serde(skip)]
    pub query: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The engine gave the evaluator's verdict.
    Agree,
    /// The engine differs where the case documents that it may, or where it cannot
    /// confirm the rule (see [`Engine::cannot_confirm`]).
    AllowedDivergence,
    /// The engine accepted the query (for engines that check rather than run).
    Valid,
    /// The engine's verdict differs from the evaluator's.
    Mismatch,
    /// The engine rejected the query or failed on it.
    Error,
}

impl Status {
    pub fn passed(self) -> bool {
        matches!(
            self,
            Status::Agree | Status::AllowedDivergence | Status::Valid
        )
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
    /// Rules a target cannot express: engine, rule id, reason. Known limits, not failures.
    pub unsupported: Vec<(Engine, String, String)>,
    /// Engines that could not run at all: engine and why.
    pub engine_errors: Vec<(Engine, String)>,
}

impl Report {
    pub fn passed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|outcome| outcome.status.passed())
            .count()
    }

    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.passed() + self.engine_errors.len()
    }

    /// The expected-result check: a test whose own `ExpectedResult` the evaluator does not
    /// give is a broken test, whatever the engines say.
    pub fn is_success(&self) -> bool {
        self.failed() == 0
    }
}

impl Serialize for Engine {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A summary per engine, every failure in detail, and `N passed, M failed`.
pub fn render_human(report: &Report, engines: &[Engine]) -> String {
    let mut out = String::new();
    for &engine in engines {
        let mine: Vec<&Outcome> = report
            .outcomes
            .iter()
            .filter(|o| o.engine == engine.name())
            .collect();
        let passed = mine.iter().filter(|o| o.status.passed()).count();
        let mut ids: Vec<&str> = mine.iter().map(|o| o.rule_id.as_str()).collect();
        ids.dedup();
        let rules = ids.len();
        let what = if engine.executes() {
            let differ = mine
                .iter()
                .filter(|o| o.status == Status::AllowedDivergence)
                .count();
            let differ = match differ {
                0 => String::new(),
                n => format!(" ({n} differ where the engine is known to)"),
            };
            format!("{passed} of {} tests pass{differ}", mine.len())
        } else {
            let valid = ids
                .iter()
                .filter(|id| {
                    mine.iter()
                        .filter(|o| o.rule_id == **id)
                        .all(|o| o.status.passed())
                })
                .count();
            let note = "checked by parser and binder; no local engine runs KQL";
            format!("{valid} of {rules} queries valid ({note})")
        };
        let _ = writeln!(out, "{:<9}{rules} rules: {what}", engine.name());
        for (failed, message) in report.engine_errors.iter().filter(|(e, _)| *e == engine) {
            let _ = writeln!(out, "  ERROR {failed}: {message}");
        }
        for (_, rule, reason) in report.unsupported.iter().filter(|(e, _, _)| *e == engine) {
            let _ = writeln!(out, "  unsupported {rule}: {reason}");
        }
    }
    for outcome in report
        .outcomes
        .iter()
        .filter(|outcome| !outcome.status.passed())
    {
        let _ = writeln!(out, "\n{}", describe(outcome));
    }
    let _ = writeln!(
        out,
        "{} passed, {} failed",
        report.passed(),
        report.failed()
    );
    out
}

fn describe(outcome: &Outcome) -> String {
    let head = format!(
        "{} {} test \"{}\" ({})",
        outcome.engine, outcome.rule_id, outcome.test, outcome.file
    );
    let body = match (outcome.status, &outcome.error, outcome.engine_verdict) {
        (Status::Error, Some(error), _) => format!("ERROR {head}\n  {error}"),
        (_, _, verdict) => format!(
            "MISMATCH {head}\n  engine: {}, evaluator: {}, expected: {}",
            verdict.map_or("none".to_string(), |v| v.to_string()),
            outcome.evaluator,
            outcome.expected
        ),
    };
    let query: String = outcome
        .query
        .lines()
        .map(|line| format!("    {line}\n"))
        .collect();
    format!("{body}\n  query:\n{query}")
}
