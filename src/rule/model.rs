//! The rule file as serde sees it: Panther's analysis keys plus `Condition` and
//! `OutputFields`. Unknown keys are refused so a misspelt key never goes unnoticed.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct RuleFile {
    #[serde(default)]
    pub analysis_type: Option<AnalysisType>,
    /// Accepted from Panther files and ignored.
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(rename = "RuleID")]
    pub rule_id: String,
    pub display_name: String,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    #[serde(default)]
    pub status: Option<Status>,
    pub log_types: Vec<String>,
    pub severity: Severity,
    #[serde(default = "default_dedup_minutes")]
    pub dedup_period_minutes: u32,
    #[serde(default)]
    pub description: Option<String>,
    /// Framework name to ids, in file order: `MITRE ATT&CK: [TA0001:T1078]`.
    #[serde(default)]
    pub reports: IndexMap<String, Vec<String>>,
    #[serde(default)]
    pub runbook: Option<String>,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub summary_attributes: Vec<String>,
    /// Output name to field path, in file order.
    #[serde(default)]
    pub output_fields: IndexMap<String, String>,
    pub condition: String,
    #[serde(default)]
    pub tests: Vec<RuleTest>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct RuleTest {
    pub name: String,
    pub expected_result: bool,
    /// Which of the rule's log types the event is, when it has several.
    #[serde(default)]
    pub log_type: Option<String>,
    #[serde(deserialize_with = "super::log_value::deserialize")]
    pub log: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum AnalysisType {
    #[serde(rename = "rule")]
    Rule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Status {
    Experimental,
    Stable,
    Deprecated,
}

fn enabled_by_default() -> bool {
    true
}

fn default_dedup_minutes() -> u32 {
    60
}
