//! The SQL backend: one `SELECT` over a table holding each event as JSON, per dialect.

mod dialect;
mod emit;
pub mod escape;
mod fill;

pub use dialect::{PathStep, Spec, spec};
pub use escape::identifier;

use serde::Serialize;

use super::context::RuleView;
use super::{Artifact, Backend, CompileError, Context};
use crate::mapping::Family;
use crate::rule::Rule;
use crate::target::Dialect;

pub struct SqlBackend {
    dialect: Dialect,
}

impl SqlBackend {
    pub fn new(dialect: Dialect) -> Self {
        Self { dialect }
    }
}

#[derive(Serialize)]
struct SqlView<'a> {
    rule: RuleView,
    dialect: &'static str,
    /// What the table holds, one line.
    layout: String,
    statement: &'a str,
    /// Whether the statement calls a `REGEXP` function the engine may lack.
    regexp_note: bool,
}

impl Backend for SqlBackend {
    fn compile(
        &self,
        rule: &Rule,
        stem: &str,
        cx: &Context<'_>,
    ) -> Result<Vec<Artifact>, CompileError> {
        let spec = spec(self.dialect);
        let table = table_name(rule, cx);
        let statement = emit::statement(rule, spec, &table)?;
        let view = SqlView {
            rule: RuleView::new(rule, stem),
            dialect: spec.title,
            layout: fill::fill(spec.layout, &[("table", &table)]),
            statement: &statement.sql,
            regexp_note: statement.uses_regexp && spec.regex_is_extension,
        };
        let content = cx
            .templates
            .render("sql/query.sql", &view)
            .map_err(CompileError::Render)?;
        Ok(vec![Artifact {
            path: format!("{stem}.sql").into(),
            content,
        }])
    }
}

/// The table of the rule's first log type: the mapping's, or the log type in lower case
/// with `.` as `_` (`Azure.Audit` → `azure_audit`).
pub fn table_name(rule: &Rule, cx: &Context<'_>) -> String {
    let log_type = rule
        .meta
        .log_types
        .first()
        .map(String::as_str)
        .unwrap_or_default();
    cx.mappings
        .get(Family::Sql, log_type)
        .and_then(|mapping| mapping.table.clone())
        .unwrap_or_else(|| default_table(log_type))
}

pub fn default_table(log_type: &str) -> String {
    log_type.to_lowercase().replace('.', "_")
}
