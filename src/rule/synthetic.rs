//! Rules made from a bare condition, so conformance cases can run through every backend
//! and engine exactly as catalog rules do.

use std::path::PathBuf;

use super::load::{Rule, load_rule};
use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// The log type of synthetic rules: no target maps it, so fields are read by raw path.
pub const SYNTHETIC_LOG_TYPE: &str = "Test.Conformance";

/// A rule `Conformance.<id>` with `condition` and no tests.
pub fn rule_from_condition(id: &str, condition: &str) -> Result<Rule, Vec<Diagnostic>> {
    let indented: String = condition
        .lines()
        .map(|line| format!("  {line}\n"))
        .collect();
    let text = format!(
        "RuleID: Conformance.{id}\nDisplayName: conformance case {id}\n\
         LogTypes: [{SYNTHETIC_LOG_TYPE}]\nSeverity: Info\nCondition: |\n{indented}"
    );
    load_rule(&SourceFile::new(PathBuf::from(format!("{id}.yml")), text))
}
