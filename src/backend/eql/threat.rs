//! MITRE ATT&CK blocks of an Elastic rule (`[[rule.threat]]`): one per tactic, with its
//! techniques and their sub-techniques, each with the name and page ATT&CK gives it.
//!
//! Elastic's rule schema wants technique names, which the rule's `Reports` do not carry, so
//! the names of the techniques a catalog uses are kept here (ATT&CK Enterprise). A rule citing
//! a technique missing from the table is refused with a message saying where to add it.

use serde::Serialize;

use crate::backend::CompileError;
use crate::backend::mitre::Attack;

/// ATT&CK Enterprise technique and sub-technique names, by id.
const TECHNIQUES: [(&str, &str); 75] = [
    ("T1021", "Remote Services"),
    ("T1021.007", "Cloud Services"),
    ("T1059", "Command and Scripting Interpreter"),
    ("T1059.009", "Cloud API"),
    ("T1069", "Permission Groups Discovery"),
    ("T1069.003", "Cloud Groups"),
    ("T1070", "Indicator Removal"),
    ("T1078", "Valid Accounts"),
    ("T1078.001", "Default Accounts"),
    ("T1078.002", "Domain Accounts"),
    ("T1078.003", "Local Accounts"),
    ("T1078.004", "Cloud Accounts"),
    ("T1087", "Account Discovery"),
    ("T1087.004", "Cloud Account"),
    ("T1090", "Proxy"),
    ("T1090.003", "Multi-hop Proxy"),
    ("T1098", "Account Manipulation"),
    ("T1098.001", "Additional Cloud Credentials"),
    ("T1098.003", "Additional Cloud Roles"),
    ("T1098.005", "Device Registration"),
    ("T1110", "Brute Force"),
    ("T1110.001", "Password Guessing"),
    ("T1110.002", "Password Cracking"),
    ("T1110.003", "Password Spraying"),
    ("T1110.004", "Credential Stuffing"),
    ("T1114", "Email Collection"),
    ("T1114.002", "Remote Email Collection"),
    ("T1114.003", "Email Forwarding Rule"),
    ("T1133", "External Remote Services"),
    ("T1136", "Create Account"),
    ("T1136.003", "Cloud Account"),
    ("T1190", "Exploit Public-Facing Application"),
    ("T1195", "Supply Chain Compromise"),
    ("T1195.002", "Compromise Software Supply Chain"),
    ("T1199", "Trusted Relationship"),
    ("T1213", "Data from Information Repositories"),
    ("T1213.003", "Code Repositories"),
    ("T1484", "Domain or Tenant Policy Modification"),
    ("T1484.002", "Trust Modification"),
    ("T1485", "Data Destruction"),
    ("T1486", "Data Encrypted for Impact"),
    ("T1490", "Inhibit System Recovery"),
    ("T1496", "Resource Hijacking"),
    ("T1526", "Cloud Service Discovery"),
    ("T1528", "Steal Application Access Token"),
    ("T1530", "Data from Cloud Storage"),
    ("T1531", "Account Access Removal"),
    ("T1537", "Transfer Data to Cloud Account"),
    ("T1538", "Cloud Service Dashboard"),
    ("T1550", "Use Alternate Authentication Material"),
    ("T1550.001", "Application Access Token"),
    ("T1552", "Unsecured Credentials"),
    ("T1552.001", "Credentials In Files"),
    ("T1552.005", "Cloud Instance Metadata API"),
    ("T1555", "Credentials from Password Stores"),
    ("T1555.005", "Password Managers"),
    ("T1556", "Modify Authentication Process"),
    ("T1556.006", "Multi-Factor Authentication"),
    ("T1556.007", "Hybrid Identity"),
    ("T1556.009", "Conditional Access Policies"),
    ("T1562", "Impair Defenses"),
    ("T1562.001", "Disable or Modify Tools"),
    ("T1562.007", "Disable or Modify Cloud Firewall"),
    ("T1562.008", "Disable or Modify Cloud Logs"),
    ("T1566", "Phishing"),
    ("T1566.002", "Spearphishing Link"),
    ("T1567", "Exfiltration Over Web Service"),
    ("T1567.001", "Exfiltration to Code Repository"),
    ("T1567.002", "Exfiltration to Cloud Storage"),
    ("T1580", "Cloud Infrastructure Discovery"),
    ("T1606", "Forge Web Credentials"),
    ("T1606.002", "SAML Tokens"),
    ("T1621", "Multi-Factor Authentication Request Generation"),
    ("T1648", "Serverless Execution"),
    ("T1651", "Cloud Administration Command"),
];

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
        return Err(unknown(&attack.tactic_id, "tactic", "src/backend/mitre.rs"));
    }
    Ok(Entry {
        id: attack.tactic_id.clone(),
        name: attack.tactic_name.clone(),
        reference: format!("https://attack.mitre.org/tactics/{}/", attack.tactic_id),
    })
}

fn technique_entry(id: &str) -> Result<Entry, CompileError> {
    let name = TECHNIQUES
        .iter()
        .find(|(known, _)| *known == id)
        .map(|(_, name)| name.to_string())
        .ok_or_else(|| unknown(id, "technique", "src/backend/eql/threat.rs"))?;
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

fn unknown(id: &str, what: &str, table: &str) -> CompileError {
    CompileError::unsupported(
        format!("the MITRE ATT&CK {what} `{id}`"),
        format!(
            "an Elastic rule names each {what}, and ruleport does not know this one's name \
             (its table is in {table})"
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

    #[test]
    fn the_table_is_sorted_and_every_sub_technique_has_its_parent() {
        let ids: Vec<&str> = TECHNIQUES.iter().map(|(id, _)| *id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        for id in ids.iter().filter(|id| id.contains('.')) {
            let parent = id.split('.').next().unwrap_or_default();
            assert!(ids.contains(&parent), "{id}");
        }
    }
}
