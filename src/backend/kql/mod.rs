//! The Microsoft Sentinel backend: the KQL query (`kql`), the analytics rule in the YAML
//! form of the public Sentinel content repository (`sentinel`), and the same rule as an ARM
//! template (`sentinel-arm`). All three share one compiled query.

pub mod escape;
mod expr;
mod helpers;
#[cfg(test)]
mod model;
mod predicate;
mod query;
mod sentinel;
mod source;
#[cfg(test)]
mod test_support;
pub mod yaml;

use serde::Serialize;

use super::context::RuleView;
use super::{Artifact, Backend, CompileError, Context};
use crate::rule::Rule;
use crate::target::Target;
use query::Query;
use sentinel::SentinelView;
use source::{RAW_COLUMN, Source};

/// The backend of the `kql`, `sentinel` and `sentinel-arm` targets.
pub struct KqlBackend {
    target: Target,
}

impl KqlBackend {
    pub fn new(target: Target) -> Self {
        Self { target }
    }
}

#[derive(Serialize)]
struct QueryView<'a> {
    rule: RuleView,
    notes: Vec<String>,
    query: &'a str,
}

#[derive(Serialize)]
struct RuleFileView {
    rule: RuleView,
    sentinel: SentinelView,
}

impl Backend for KqlBackend {
    fn compile(
        &self,
        rule: &Rule,
        stem: &str,
        cx: &Context<'_>,
    ) -> Result<Vec<Artifact>, CompileError> {
        let source = Source::new(rule, cx)?;
        let query = query::emit(rule, &source)?;
        artifacts(self.target, rule, stem, &source, &query, cx)
    }
}

/// Compiles `rule` for each of the Sentinel targets in `targets`, emitting the query once.
pub fn compile_all(
    rule: &Rule,
    stem: &str,
    targets: &[Target],
    cx: &Context<'_>,
) -> Vec<Result<Vec<Artifact>, CompileError>> {
    let prepared = Source::new(rule, cx)
        .and_then(|source| query::emit(rule, &source).map(|query| (source, query)));
    targets
        .iter()
        .map(|&target| match &prepared {
            Ok((source, query)) => artifacts(target, rule, stem, source, query, cx),
            Err(error) => Err(error.clone()),
        })
        .collect()
}

/// The artifact of one Sentinel target around the compiled query.
fn artifacts(
    target: Target,
    rule: &Rule,
    stem: &str,
    source: &Source<'_>,
    query: &Query,
    cx: &Context<'_>,
) -> Result<Vec<Artifact>, CompileError> {
    let view = RuleView::new(rule, stem);
    let (template, extension) = match target {
        Target::Sentinel => ("sentinel/rule.yaml", "yaml"),
        Target::SentinelArm => ("sentinel-arm/rule.json", "json"),
        _ => ("kql/query.kql", "kql"),
    };
    let content = match target {
        Target::Sentinel | Target::SentinelArm => {
            let file = RuleFileView {
                sentinel: SentinelView::new(&view, query, &source.connector)?,
                rule: view,
            };
            cx.templates.render(template, &file)
        }
        _ => {
            let text = query.text();
            let file = QueryView {
                notes: notes(source, query),
                rule: view,
                query: &text,
            };
            cx.templates.render(template, &file)
        }
    }
    .map_err(CompileError::Render)?;
    Ok(vec![Artifact {
        path: format!("{stem}.{extension}").into(),
        content,
    }])
}

/// Comment lines for the `.kql` file: where the events come from, and which fields have no
/// column of their own.
fn notes(source: &Source<'_>, query: &Query) -> Vec<String> {
    let mut notes = Vec::new();
    if source.has_raw_column() {
        notes.push(format!(
            "{} has no Sentinel table: events are read from the custom table {}, whose \
             dynamic column {RAW_COLUMN} holds each event.",
            source.log_type, source.table.value
        ));
    }
    if !query.raw_fields.is_empty() {
        notes.push(format!(
            "Fields without a column, read inside {RAW_COLUMN}: {}.",
            query.raw_fields.join(", ")
        ));
    }
    notes.iter().flat_map(|note| wrap(note, 96)).collect()
}

/// Splits text into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
