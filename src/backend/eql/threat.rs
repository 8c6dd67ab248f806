//! MITRE ATT&CK blocks of an Elastic rule (`[[rule.threat]]`): one per tactic, with its
//! techniques and their sub-techniques, each with the name and page ATT&CK gives it.
//!
//! Elastic's rule schema wants technique names, which the rule's `Reports` do not carry; they
//! come from ruleport's copy of ATT&CK Enterprise ([`crate::attack`]). A rule citing a
//! technique that is not in it is refused.

use serde::Serialize;

use crate::attack;
use crate::backend::CompileError;
use crate::backend::mitre::Attack;

/// One `[[rule.threat]]` block; serialized with the keys Kibana's rule API uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threat {
    pub framework: &'static str,
    pub tactic: Entry,
    #[serde(rename = "technique")]
    pub techniques: Vec<Technique>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Technique {
    #[serde(flatten)]
    pub entry: Entry,
    #[serde(rename = "subtechnique")]
    pub subtechniques: Vec<Entry>,
}

/// An id with its ATT&CK name and page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: String,
    pub name: String,
    pub reference: String,
}

/// The rule's `MITRE ATT&CK` ids as threat blocks, in the order the rule lists them.
pub fn threats(attack: &[Attack]) -> Result<Vec<Threat>, CompileError> {
    let mut threats: Vec<Threat> = Vec::new();
    for entry in attack {
        let tactic = tactic_entry(entry)?;
        let position = match threats.iter().position(|t| t.tactic.id == tactic.id) {
            Some(position) => position,
            None => {
                threats.push(Threat {
                    framework: "MITRE ATT&CK",
                    tactic,
                    techniques: Vec::new(),
                });
                threats.len() - 1
            }
        };
        let techniques = &mut threats[position].techniques;
        let parent = technique_entry(&entry.parent_technique)?;
        let technique = match techniques.iter().position(|t| t.entry.id == parent.id) {
            Some(index) => &mut techniques[index],
            None => {
                techniques.push(Technique {
                    entry: parent,
                    subtechniques: Vec::new(),
                });
                let last = techniques.len() - 1;
                &mut techniques[last]
            }
        };
        if entry.subtechnique.is_some() {
            let sub = technique_entry(&entry.technique)?;
            if !technique.subtechniques.contains(&sub) {
                technique.subtechniques.push(sub);
            }
        }
    }
    Ok(threats)
}

fn tactic_entry(attack: &Attack) -> Result<Entry, CompileError> {
    if attack.tactic_name == attack.tactic_id {
        return Err(unknown(&attack.tactic_id, "tactic"));
    }
    Ok(Entry {
        id: attack.tactic_id.clone(),
        name: attack.tactic_name.clone(),
        reference: format!("https://attack.mitre.org/tactics/{}/", attack.tactic_id),
    })
}

fn technique_entry(id: &str) -> Result<Entry, CompileError> {
    let name = attack::technique(id)
        .map(|technique| technique.name.to_string())
        .ok_or_else(|| unknown(id, "technique"))?;
    let reference = format!(
        "https://attack.mitre.org/techniques/{}/",
        id.replace('.', "/")
    );
    Ok(Entry {
        id: id.to_string(),
        name,
        reference,
    })
}

fn unknown(id: &str, what: &str) -> CompileError {
    CompileError::unsupported(
        format!("the MITRE ATT&CK {what} `{id}`"),
        format!(
            "an Elastic rule names each {what}, and ATT&CK Enterprise {}, the version ruleport \
             knows, has no {what} with this id",
            attack::VERSION
        ),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::mitre::attack;

    #[test]
    fn sub_techniques_nest_under_their_technique() {
        let ids = ["TA0001:T1078".to_string(), "TA0001:T1078.004".to_string()];
        let threats = threats(&attack(&ids)).expect("known ids");
        assert_eq!(threats.len(), 1);
        assert_eq!(threats[0].tactic.name, "Initial Access");
        assert_eq!(threats[0].techniques.len(), 1);
        let technique = &threats[0].techniques[0];
        assert_eq!(technique.entry.name, "Valid Accounts");
        assert_eq!(
            technique.subtechniques[0].reference,
            "https://attack.mitre.org/techniques/T1078/004/"
        );
    }

    #[test]
    fn a_sub_technique_alone_brings_its_parent() {
        let ids = ["TA0006:T1110.003".to_string()];
        let threats = threats(&attack(&ids)).expect("known ids");
        assert_eq!(threats[0].techniques[0].entry.id, "T1110");
        assert_eq!(
            threats[0].techniques[0].subtechniques[0].name,
            "Password Spraying"
        );
    }

    #[test]
    fn unknown_ids_are_refused() {
        assert!(threats(&attack(&["TA0001:T9999".to_string()])).is_err());
        assert!(threats(&attack(&["TA9999:T1078".to_string()])).is_err());
    }
}
