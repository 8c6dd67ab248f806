//! The Elastic backends: the EQL query (`eql`), the detection rule in the TOML layout of
//! Elastic's detection-rules repository (`elastic`), and the same rule in Kibana's NDJSON
//! import form (`elastic-ndjson`).
//!
//! The query is emitted from the IR ([`query`]) with the fields of the log type's Elastic
//! mapping ([`field`]); the rule files are rendered from templates around it.

mod document;
mod escape;
mod field;
mod query;
mod regex;
mod threat;

pub use document::indexed_document;
pub use escape::{eql_name, eql_string};

use serde::Serialize;
use uuid::Uuid;

use super::context::RuleView;
use super::{Artifact, Backend, CompileError, Context};
use crate::mapping::{Family, Mapping};
use crate::rule::{Rule, Severity, Status};
use threat::Threat;

/// The namespace of Elastic rule ids: `rule_id` is the UUIDv5 of the RuleID under it, so a
/// rule keeps its id across runs, machines and ruleport versions.
pub const RULE_ID_NAMESPACE: Uuid = Uuid::from_u128(0xeba1fbf5_b1ae_47c7_91e2_6928779df741);

/// `creation_date` and `updated_date` of every rule: rule files carry no dates, and output
/// must not depend on the clock. The date the Elastic rule layout was fixed in ruleport.
pub const RULE_DATE: &str = "2026/01/01";

/// How often the rule runs, and how far back it looks (a 4-minute overlap, as Elastic's own
/// rules do, so late events are not missed).
const INTERVAL: &str = "5m";
const FROM: &str = "now-9m";

/// Which of the three artifacts a backend writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Artifacts {
    Query,
    Rule,
    Ndjson,
}

pub struct EqlBackend {
    artifacts: Artifacts,
}

impl EqlBackend {
    pub fn new(artifacts: Artifacts) -> Self {
        Self { artifacts }
    }
}

/// What the query template sees.
#[derive(Serialize)]
struct QueryView<'a> {
    rule: RuleView,
    log_type: &'a str,
    index: &'a [String],
    /// Paths read by their raw path, with no mapping.
    unmapped: &'a [String],
    /// `<category> where ...`.
    query: &'a str,
}

/// What the rule templates see.
#[derive(Serialize)]
struct RuleFileView<'a> {
    rule: RuleView,
    rule_id: String,
    date: &'static str,
    maturity: &'static str,
    severity: &'static str,
    risk_score: u8,
    /// The rule's description, or its name when it has none (Elastic requires one).
    description: String,
    index: &'a [String],
    from: &'static str,
    interval: &'static str,
    query: &'a str,
    threats: Vec<Threat>,
    /// Elasticsearch fields of the rule's output fields.
    investigation_fields: Vec<String>,
}

impl Backend for EqlBackend {
    fn compile(
        &self,
        rule: &Rule,
        stem: &str,
        cx: &Context<'_>,
    ) -> Result<Vec<Artifact>, CompileError> {
        let prepared = Prepared::new(rule, cx)?;
        prepared.artifacts(self.artifacts, rule, stem, cx)
    }
}

/// Compiles `rule` for each of the Elastic targets in `artifacts`, emitting the query once.
pub fn compile_all(
    rule: &Rule,
    stem: &str,
    artifacts: &[Artifacts],
    cx: &Context<'_>,
) -> Vec<Result<Vec<Artifact>, CompileError>> {
    match Prepared::new(rule, cx) {
        Ok(prepared) => artifacts
            .iter()
            .map(|&which| prepared.artifacts(which, rule, stem, cx))
            .collect(),
        Err(error) => artifacts.iter().map(|_| Err(error.clone())).collect(),
    }
}

/// What every Elastic artifact of a rule is made from: its mapping, index and query.
struct Prepared<'m> {
    log_type: String,
    mapping: Option<&'m Mapping>,
    index: Vec<String>,
    condition: query::Condition,
}

impl<'m> Prepared<'m> {
    fn new(rule: &Rule, cx: &Context<'m>) -> Result<Self, CompileError> {
        let log_type = rule.meta.log_types.first().cloned().unwrap_or_default();
        let mapping = mapping(rule, cx)?;
        let index = match mapping.map(|mapping| mapping.index.clone()) {
            Some(index) if !index.is_empty() => index,
            _ => vec![default_index(&log_type)],
        };
        let condition = query::condition(&rule.ir.push_negation(), mapping, category(mapping)?)?;
        Ok(Prepared {
            log_type,
            mapping,
            index,
            condition,
        })
    }

    fn artifacts(
        &self,
        which: Artifacts,
        rule: &Rule,
        stem: &str,
        cx: &Context<'_>,
    ) -> Result<Vec<Artifact>, CompileError> {
        let (log_type, mapping, index, condition) =
            (&self.log_type, self.mapping, &self.index, &self.condition);
        let view = RuleView::new(rule, stem);
        let (extension, content) = match which {
            Artifacts::Query => {
                let view = QueryView {
                    rule: view,
                    log_type,
                    index,
                    unmapped: &condition.unmapped,
                    query: &condition.text,
                };
                ("eql", render(cx, "eql/query.eql", &view)?)
            }
            Artifacts::Rule | Artifacts::Ndjson => {
                let (template, extension) = match which {
                    Artifacts::Rule => ("elastic/rule.toml", "toml"),
                    _ => ("elastic-ndjson/rule.ndjson", "ndjson"),
                };
                let view = rule_file_view(rule, view, mapping, index, &condition.text)?;
                (extension, render(cx, template, &view)?)
            }
        };
        Ok(vec![Artifact {
            path: format!("{stem}.{extension}").into(),
            content,
        }])
    }
}

fn render(cx: &Context<'_>, template: &str, view: &impl Serialize) -> Result<String, CompileError> {
    cx.templates
        .render(template, view)
        .map_err(CompileError::Render)
}

/// The rule's keys as the detection-rules layout and Kibana want them.
fn rule_file_view<'a>(
    rule: &Rule,
    view: RuleView,
    mapping: Option<&Mapping>,
    index: &'a [String],
    query: &'a str,
) -> Result<RuleFileView<'a>, CompileError> {
    let (severity, risk_score) = severity(rule.meta.severity);
    let description = if view.description.is_empty() {
        view.name.clone()
    } else {
        view.description.clone()
    };
    Ok(RuleFileView {
        rule_id: Uuid::new_v5(&RULE_ID_NAMESPACE, view.id.as_bytes()).to_string(),
        date: RULE_DATE,
        maturity: maturity(rule.meta.status),
        severity,
        risk_score,
        description,
        index,
        from: FROM,
        interval: INTERVAL,
        query,
        threats: threat::threats(&view.attack)?,
        investigation_fields: investigation_fields(rule, mapping),
        rule: view,
    })
}

/// The Elastic mapping of the rule's log type. A rule over several log types is compiled
/// with the first one's fields, which is only right when the others map fields the same way.
fn mapping<'c>(rule: &Rule, cx: &Context<'c>) -> Result<Option<&'c Mapping>, CompileError> {
    let mut mappings = rule
        .meta
        .log_types
        .iter()
        .map(|log_type| cx.mappings.get(Family::Elastic, log_type));
    let first = mappings.next().flatten();
    for other in mappings {
        let same = match (first, other) {
            (None, None) => true,
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            _ => false,
        };
        if !same {
            return Err(CompileError::unsupported(
                "several log types with different Elastic mappings",
                "one EQL query reads one set of field names; split the rule by log type",
                None,
            ));
        }
    }
    Ok(first)
}

/// The data stream a log type with no mapping is assumed to be in: `logs-<log type>-*`.
fn default_index(log_type: &str) -> String {
    format!("logs-{}-*", log_type.to_lowercase())
}

/// The mapping's event category, or `any`.
fn category(mapping: Option<&Mapping>) -> Result<&str, CompileError> {
    let Some(category) = mapping.and_then(|mapping| mapping.category.as_deref()) else {
        return Ok("any");
    };
    match eql_name(category) {
        Some(name) if name == category => Ok(category),
        _ => Err(CompileError::Render(format!(
            "the Elastic mapping's category `{category}` is not a plain name"
        ))),
    }
}

/// Elastic's severities and the risk scores its own rules pair with them. Info has no
/// Elastic severity and becomes `low`.
fn severity(severity: Severity) -> (&'static str, u8) {
    match severity {
        Severity::Info | Severity::Low => ("low", 21),
        Severity::Medium => ("medium", 47),
        Severity::High => ("high", 73),
        Severity::Critical => ("critical", 99),
    }
}

/// The detection-rules `maturity` of a rule's `Status`.
fn maturity(status: Option<Status>) -> &'static str {
    match status {
        Some(Status::Experimental) => "experimental",
        Some(Status::Deprecated) => "deprecated",
        Some(Status::Stable) | None => "production",
    }
}

/// The Elasticsearch fields of the rule's output fields. With a mapping, a path it does not
/// map names no field of the index and is left out.
fn investigation_fields(rule: &Rule, mapping: Option<&Mapping>) -> Vec<String> {
    let mut names = Vec::new();
    for (_, path) in &rule.output_fields {
        if let Some(name) = field::field_name(mapping, path)
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
}
