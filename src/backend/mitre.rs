//! MITRE ATT&CK ids from `Reports`, with the tactic names targets want.

use serde::Serialize;

use crate::attack::tactic_name;

/// One `TA0001:T1078.004` entry, split for templates.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Attack {
    pub tactic_id: String,
    /// `Initial Access`; the id itself for a tactic ruleport does not know.
    pub tactic_name: String,
    /// `InitialAccess`, as Sentinel spells tactics.
    pub tactic_pascal: String,
    /// `T1078.004`.
    pub technique: String,
    /// `T1078`.
    pub parent_technique: String,
    /// `004` for a sub-technique.
    pub subtechnique: Option<String>,
}

/// Splits `TA0001:T1078.004` ids; the loader has already checked their shape.
pub fn attack(ids: &[String]) -> Vec<Attack> {
    ids.iter()
        .filter_map(|id| {
            let (tactic, technique) = id.split_once(':')?;
            let (parent, sub) = match technique.split_once('.') {
                Some((parent, sub)) => (parent, Some(sub.to_string())),
                None => (technique, None),
            };
            let name = tactic_name(tactic).unwrap_or(tactic);
            Some(Attack {
                tactic_id: tactic.to_string(),
                tactic_name: name.to_string(),
                tactic_pascal: pascal_case(name),
                technique: technique.to_string(),
                parent_technique: parent.to_string(),
                subtechnique: sub,
            })
        })
        .collect()
}

/// `Command and Control` → `CommandAndControl`.
fn pascal_case(name: &str) -> String {
    name.split_whitespace()
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect()
}
