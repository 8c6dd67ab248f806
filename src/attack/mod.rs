//! MITRE ATT&CK Enterprise: the tactics, and every technique with its name and tactics.
//!
//! Targets want names the rule's `Reports` ids do not carry (Elastic's threat blocks), and
//! Sigma rules tag tactics and techniques separately, so pairing them needs to know which
//! tactics a technique serves. The techniques come from MITRE's own data, written into
//! `enterprise.tsv` by `scripts/attack_techniques.py`.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The ATT&CK Enterprise release the techniques come from.
pub const VERSION: &str = "18.1";

/// The enterprise tactics, by id, in ATT&CK's matrix order.
pub const TACTICS: [(&str, &str); 14] = [
    ("TA0043", "Reconnaissance"),
    ("TA0042", "Resource Development"),
    ("TA0001", "Initial Access"),
    ("TA0002", "Execution"),
    ("TA0003", "Persistence"),
    ("TA0004", "Privilege Escalation"),
    ("TA0005", "Defense Evasion"),
    ("TA0006", "Credential Access"),
    ("TA0007", "Discovery"),
    ("TA0008", "Lateral Movement"),
    ("TA0009", "Collection"),
    ("TA0011", "Command and Control"),
    ("TA0010", "Exfiltration"),
    ("TA0040", "Impact"),
];

/// A technique or sub-technique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Technique {
    pub id: &'static str,
    pub name: &'static str,
    /// The ids of the tactics it serves.
    pub tactics: Vec<&'static str>,
    /// Whether ATT&CK still lists it: revoked and deprecated techniques keep their ids.
    pub active: bool,
}

static TECHNIQUES: LazyLock<HashMap<&'static str, Technique>> = LazyLock::new(|| {
    include_str!("enterprise.tsv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            let mut columns = line.split('\t');
            let (id, name, tactics, status) = (
                columns.next()?,
                columns.next()?,
                columns.next()?,
                columns.next()?,
            );
            let technique = Technique {
                id,
                name,
                tactics: tactics.split(',').filter(|t| !t.is_empty()).collect(),
                active: status == "active",
            };
            Some((id, technique))
        })
        .collect()
});

/// The name of a tactic id (`TA0001` → `Initial Access`).
pub fn tactic_name(id: &str) -> Option<&'static str> {
    TACTICS
        .iter()
        .find(|(known, _)| *known == id)
        .map(|(_, name)| *name)
}

/// The tactic whose name, written as Sigma tags write it, is `tag` (`initial_access`,
/// `initial-access`, `Initial Access`).
pub fn tactic_by_name(tag: &str) -> Option<&'static str> {
    let wanted = simplify(tag);
    TACTICS
        .iter()
        .find(|(_, name)| simplify(name) == wanted)
        .map(|(id, _)| *id)
}

fn simplify(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A technique by id (`T1078`, `T1078.004`), case-sensitive as ATT&CK writes ids.
pub fn technique(id: &str) -> Option<&'static Technique> {
    TECHNIQUES.get(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_technique_serves_known_tactics() {
        assert!(TECHNIQUES.len() > 800, "the table lost rows");
        for technique in TECHNIQUES.values() {
            assert!(
                !technique.tactics.is_empty(),
                "{} has no tactic",
                technique.id
            );
            for tactic in &technique.tactics {
                assert!(tactic_name(tactic).is_some(), "{}: {tactic}", technique.id);
            }
        }
    }

    #[test]
    fn techniques_carry_names_and_tactics() {
        let cloud = technique("T1078.004").expect("Cloud Accounts");
        assert_eq!(cloud.name, "Cloud Accounts");
        assert!(cloud.tactics.contains(&"TA0001") && cloud.tactics.contains(&"TA0003"));
        assert!(cloud.active);
        assert!(!technique("T1086").expect("PowerShell, revoked").active);
        assert_eq!(technique("t1078"), None);
    }

    #[test]
    fn tactics_are_found_by_their_tag_names() {
        assert_eq!(tactic_by_name("initial_access"), Some("TA0001"));
        assert_eq!(tactic_by_name("command-and-control"), Some("TA0011"));
        assert_eq!(tactic_by_name("Privilege Escalation"), Some("TA0004"));
        assert_eq!(tactic_by_name("lateral"), None);
    }
}
