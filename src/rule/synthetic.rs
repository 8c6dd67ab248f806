//! Rules made from a bare condition, so conformance cases can run through every backend
//! and engine exactly as catalog rules do.

use std::path::PathBuf;

use super::load::{Rule, load_rule};
use crate::backend::escape::yaml_quoted;
use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// The log type of synthetic rules: no target maps it, so fields are read by raw path.
pub const SYNTHETIC_LOG_TYPE: &str = "Test.Conformance";

/// A rule `Conformance.<id>` with `condition` and no tests.
pub fn rule_from_condition(id: &str, condition: &str) -> Result<Rule, Vec<Diagnostic>> {
    // Quoted, so that no character of the id or the condition (`: `, a U+2028, which YAML
    // 1.1 reads as a line break) changes what the YAML reader sees.
    let text = format!(
        "RuleID: {}\nDisplayName: {}\nLogTypes: [{SYNTHETIC_LOG_TYPE}]\nSeverity: Info\n\
         Condition: {}\n",
        yaml_quoted(&format!("Conformance.{id}")),
        yaml_quoted(&format!("conformance case {id}")),
        yaml_quoted(condition),
    );
    load_rule(&SourceFile::new(PathBuf::from(format!("{id}.yml")), text))
}
