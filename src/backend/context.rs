//! What templates see of a rule: its keys in a form that serializes cleanly, shared by
//! every artifact template.

use serde::Serialize;

use super::mitre::{self, Attack};
use crate::rule::{Rule, Severity};

/// The rule's keys, for templates.
#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub id: String,
    pub name: String,
    pub description: String,
    /// As written: `Info`, `Low`, `Medium`, `High`, `Critical`.
    pub severity: &'static str,
    pub enabled: bool,
    pub status: Option<&'static str>,
    pub log_types: Vec<String>,
    pub dedup_minutes: u32,
    pub runbook: Option<String>,
    pub reference: Option<String>,
    pub tags: Vec<String>,
    pub summary_attributes: Vec<String>,
    pub output_fields: Vec<OutputField>,
    pub attack: Vec<Attack>,
    /// The condition as written.
    pub condition: String,
    /// The rule file's name without extension.
    pub stem: String,
    /// `ruleport X.Y.Z`, for headers.
    pub generator: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutputField {
    pub name: String,
    /// The field path, as the condition language writes it.
    pub path: String,
}

impl RuleView {
    pub fn new(rule: &Rule, stem: &str) -> Self {
        let meta = &rule.meta;
        let mitre_ids = meta
            .reports
            .get("MITRE ATT&CK")
            .map(Vec::as_slice)
            .unwrap_or_default();
        RuleView {
            id: meta.rule_id.clone(),
            name: meta.display_name.clone(),
            description: meta
                .description
                .clone()
                .unwrap_or_default()
                .trim_end()
                .to_string(),
            severity: severity_name(meta.severity),
            enabled: meta.enabled,
            status: meta.status.map(|status| match status {
                crate::rule::Status::Experimental => "Experimental",
                crate::rule::Status::Stable => "Stable",
                crate::rule::Status::Deprecated => "Deprecated",
            }),
            log_types: meta.log_types.clone(),
            dedup_minutes: meta.dedup_period_minutes,
            runbook: meta.runbook.clone().map(|text| text.trim_end().to_string()),
            reference: meta.reference.clone(),
            tags: meta.tags.clone(),
            summary_attributes: meta.summary_attributes.clone(),
            output_fields: rule
                .output_fields
                .iter()
                .map(|(name, path)| OutputField {
                    name: name.clone(),
                    path: path.to_string(),
                })
                .collect(),
            attack: mitre::attack(mitre_ids),
            condition: meta.condition.trim_end().to_string(),
            stem: stem.to_string(),
            generator: format!("ruleport {}", env!("CARGO_PKG_VERSION")),
        }
    }
}

pub fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "Info",
        Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}
