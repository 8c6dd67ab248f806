//! `ruleport verify`: runs compiled output on real engines and compares each verdict with
//! the evaluator's and with the test's expected result.
//!
//! SQLite runs in-process. The other engines are programs on the machine (found in the
//! engines directory, `.engines/` by default, or on `PATH`), driven by small scripts built
//! into ruleport that read a batch of jobs as JSON and answer one verdict per job.

mod cases;
mod driver;
mod engine;
mod report;
pub mod sqlite;

pub use cases::{Probe, Subject, load_cases, subjects_from_catalog};
pub use engine::{Engine, parse_engines};
pub use report::{Outcome, Report, Status, render_human};

use std::path::Path;

use crate::backend::{CompileError, Context, compile};
use crate::compiler::file_stem;

/// Verifies every subject on every engine; `progress` hears which engine starts, with the
/// number of subjects.
pub fn verify(
    subjects: &[Subject],
    engines: &[Engine],
    engines_dir: &Path,
    cx: &Context<'_>,
    progress: &dyn Fn(Engine, usize),
) -> Report {
    let mut report = Report::default();
    for &engine in engines {
        progress(engine, subjects.len());
        let mut jobs = Vec::new();
        for subject in subjects {
            let stem = file_stem(Path::new(&subject.file));
            match compile(&subject.rule, &stem, engine.target(), cx) {
                Ok(artifacts) => jobs.push((subject, artifacts)),
                Err(error) => {
                    let message = error.to_diagnostic(&subject.rule, engine.target()).message;
                    let id = subject.rule.meta.rule_id.clone();
                    match error {
                        CompileError::Unsupported { .. } => {
                            report.unsupported.push((engine, id, message))
                        }
                        CompileError::Render(_) => report.engine_errors.push((engine, message)),
                    }
                }
            }
        }
        match driver::run(engine, &jobs, engines_dir, cx) {
            Ok(outcomes) => report.outcomes.extend(outcomes),
            Err(message) => report.engine_errors.push((engine, message)),
        }
    }
    report
}
