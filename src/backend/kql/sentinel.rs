//! What the Sentinel analytics-rule templates see: the rule's stable id, severity, schedule,
//! MITRE ATT&CK tactics and techniques, entity mappings and custom details.

use serde::Serialize;
use uuid::Uuid;

use super::query::Query;
use crate::attack::tactic_name;
use crate::backend::CompileError;
use crate::backend::context::RuleView;
use crate::mapping::Connector;

/// The namespace of rule ids: `id` is the UUIDv5 of the RuleID under it, so a rule keeps its
/// id across runs and machines.
pub const ID_NAMESPACE: Uuid = Uuid::from_u128(0xa100e262_570e_4d5b_9adf_9b719c981e3d);

/// Sentinel's limits on a scheduled rule.
const MIN_MINUTES: u32 = 5;
const MAX_MINUTES: u32 = 14 * 24 * 60;
const MAX_GROUPING_MINUTES: u32 = 7 * 24 * 60;
const MAX_NAME: usize = 256;
const MAX_DESCRIPTION: usize = 5000;
const MAX_QUERY: usize = 10_000;
const MAX_ENTITIES: usize = 10;
const MAX_IDENTIFIERS: usize = 3;
const MAX_DETAILS: usize = 20;

/// Output names (lower case, without `_`) that name an entity, with the entity's type and
/// identifier. Each identifier here is enough on its own to make a valid entity.
const ENTITY_FIELDS: &[(&str, &str, &str)] = &[
    ("userprincipalname", "Account", "FullName"),
    ("upn", "Account", "FullName"),
    ("accountupn", "Account", "FullName"),
    ("username", "Account", "Name"),
    ("accountname", "Account", "Name"),
    ("aaduserid", "Account", "AadUserId"),
    ("usersid", "Account", "Sid"),
    ("ipaddress", "IP", "Address"),
    ("ip", "IP", "Address"),
    ("calleripaddress", "IP", "Address"),
    ("clientip", "IP", "Address"),
    ("clientipaddress", "IP", "Address"),
    ("sourceip", "IP", "Address"),
    ("sourceipaddress", "IP", "Address"),
    ("srcip", "IP", "Address"),
    ("remoteip", "IP", "Address"),
    ("appdisplayname", "CloudApplication", "Name"),
    ("applicationname", "CloudApplication", "Name"),
    ("appname", "CloudApplication", "Name"),
    ("hostname", "Host", "HostName"),
    ("computername", "Host", "HostName"),
    ("devicename", "Host", "HostName"),
    ("url", "URL", "Url"),
    ("requesturl", "URL", "Url"),
    ("domainname", "DNS", "DomainName"),
    ("filename", "File", "Name"),
    ("commandline", "Process", "CommandLine"),
    ("processcommandline", "Process", "CommandLine"),
    ("azureresourceid", "AzureResource", "ResourceId"),
];

/// The Sentinel-specific view of a compiled rule.
#[derive(Debug, Clone, Serialize)]
pub struct SentinelView {
    pub id: String,
    pub description: String,
    /// `Informational`, `Low`, `Medium` or `High`.
    pub severity: &'static str,
    pub connector: ConnectorView,
    /// `1h`, `30m`, `1d`: the template form.
    pub frequency: String,
    /// `PT1H`, `PT30M`, `P1D`: the ARM form.
    pub frequency_iso: String,
    /// The incident grouping window (ARM), at most 7 days.
    pub grouping_iso: String,
    pub tactics: Vec<String>,
    /// Techniques and sub-techniques, as the template's `relevantTechniques` lists them.
    pub techniques: Vec<String>,
    /// `T####` only, for ARM's `techniques`.
    pub parent_techniques: Vec<String>,
    /// `T####.###`, for ARM's `subTechniques`.
    pub sub_techniques: Vec<String>,
    pub entities: Vec<Entity>,
    pub custom_details: Vec<Detail>,
    /// The query, without the header comments of the `.kql` file.
    pub query: String,
}

/// The data connector and the tables it fills.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectorView {
    pub id: String,
    pub data_types: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Entity {
    #[serde(rename = "type")]
    pub entity_type: &'static str,
    pub fields: Vec<EntityField>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntityField {
    pub identifier: &'static str,
    pub column: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    pub key: String,
    pub column: String,
}

impl SentinelView {
    pub fn new(
        rule: &RuleView,
        query: &Query,
        connector: &Connector,
    ) -> Result<SentinelView, CompileError> {
        check_length("DisplayName", &rule.name, MAX_NAME)?;
        let description = if rule.description.is_empty() {
            rule.name.clone()
        } else {
            rule.description.clone()
        };
        check_length("Description", &description, MAX_DESCRIPTION)?;
        let text = query.text();
        if text.chars().count() > MAX_QUERY {
            return Err(CompileError::unsupported(
                "the compiled query",
                format!(
                    "it is {} characters long; Sentinel allows {MAX_QUERY}",
                    text.chars().count()
                ),
                None,
            ));
        }

        let minutes = rule.dedup_minutes.clamp(MIN_MINUTES, MAX_MINUTES);
        let mut view = SentinelView {
            id: Uuid::new_v5(&ID_NAMESPACE, rule.id.as_bytes()).to_string(),
            description,
            severity: severity(rule.severity),
            connector: ConnectorView {
                id: connector.id.clone(),
                data_types: connector.data_types.clone(),
            },
            frequency: short_duration(minutes),
            frequency_iso: iso_duration(minutes),
            grouping_iso: iso_duration(minutes.min(MAX_GROUPING_MINUTES)),
            tactics: Vec::new(),
            techniques: Vec::new(),
            parent_techniques: Vec::new(),
            sub_techniques: Vec::new(),
            entities: entities(query),
            custom_details: custom_details(query),
            query: text,
        };
        for attack in &rule.attack {
            if tactic_name(&attack.tactic_id).is_none() {
                return Err(CompileError::unsupported(
                    format!("the MITRE ATT&CK tactic {}", attack.tactic_id),
                    "Sentinel accepts the enterprise tactics only (TA0001 to TA0043)",
                    None,
                ));
            }
            push_new(&mut view.tactics, &attack.tactic_pascal);
            push_new(&mut view.techniques, &attack.technique);
            push_new(&mut view.parent_techniques, &attack.parent_technique);
            if attack.subtechnique.is_some() {
                push_new(&mut view.sub_techniques, &attack.technique);
            }
        }
        Ok(view)
    }
}

/// Sentinel has no `Critical`, and calls `Info` `Informational`.
fn severity(severity: &str) -> &'static str {
    match severity {
        "Info" => "Informational",
        "Low" => "Low",
        "Medium" => "Medium",
        _ => "High",
    }
}

/// `90` → `90m`, `120` → `2h`, `2880` → `2d`.
pub fn short_duration(minutes: u32) -> String {
    match minutes {
        m if m % (24 * 60) == 0 => format!("{}d", m / (24 * 60)),
        m if m % 60 == 0 => format!("{}h", m / 60),
        m => format!("{m}m"),
    }
}

/// `90` → `PT90M`, `120` → `PT2H`, `2880` → `P2D`.
pub fn iso_duration(minutes: u32) -> String {
    match minutes {
        m if m % (24 * 60) == 0 => format!("P{}D", m / (24 * 60)),
        m if m % 60 == 0 => format!("PT{}H", m / 60),
        m => format!("PT{m}M"),
    }
}

/// Entity mappings guessed from output names: each output whose name says what it holds
/// (`userPrincipalName`, `ipAddress`, `appDisplayName`, ...) becomes an identifier, grouped
/// into one entity per type while identifiers do not repeat.
fn entities(query: &Query) -> Vec<Entity> {
    let mut entities: Vec<Entity> = Vec::new();
    for (name, _) in &query.outputs {
        let key = name.value.to_lowercase().replace('_', "");
        let Some(&(_, entity_type, identifier)) =
            ENTITY_FIELDS.iter().find(|(field, ..)| *field == key)
        else {
            continue;
        };
        let field = EntityField {
            identifier,
            column: name.value.clone(),
        };
        let open = entities.iter().position(|entity| {
            entity.entity_type == entity_type
                && entity.fields.len() < MAX_IDENTIFIERS
                && entity.fields.iter().all(|f| f.identifier != identifier)
        });
        match open {
            Some(index) => entities[index].fields.push(field),
            None if entities.len() < MAX_ENTITIES => entities.push(Entity {
                entity_type,
                fields: vec![field],
            }),
            None => {}
        }
    }
    entities
}

/// Every output whose name Sentinel accepts as a key (`[A-Za-z][A-Za-z0-9_]{0,19}`), up to
/// twenty.
fn custom_details(query: &Query) -> Vec<Detail> {
    query
        .outputs
        .iter()
        .map(|(name, _)| &name.value)
        .filter(|name| is_detail_key(name))
        .take(MAX_DETAILS)
        .map(|name| Detail {
            key: name.clone(),
            column: name.clone(),
        })
        .collect()
}

fn is_detail_key(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 20
}

fn check_length(key: &str, text: &str, max: usize) -> Result<(), CompileError> {
    let length = text.chars().count();
    if length > max {
        return Err(CompileError::unsupported(
            format!("a {key} of {length} characters"),
            format!("Sentinel allows at most {max}"),
            None,
        ));
    }
    Ok(())
}

fn push_new(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|known| known == item) {
        list.push(item.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_largest_whole_unit() {
        assert_eq!(short_duration(60), "1h");
        assert_eq!(short_duration(90), "90m");
        assert_eq!(short_duration(20160), "14d");
        assert_eq!(iso_duration(5), "PT5M");
        assert_eq!(iso_duration(120), "PT2H");
        assert_eq!(iso_duration(2880), "P2D");
    }

    #[test]
    fn ids_are_stable_uuid_v5() {
        let id = Uuid::new_v5(&ID_NAMESPACE, b"Azure.Audit.ROPCLoginNoMFA");
        assert_eq!(id.get_version_num(), 5);
        assert_eq!(
            id,
            Uuid::new_v5(&ID_NAMESPACE, b"Azure.Audit.ROPCLoginNoMFA")
        );
    }

    #[test]
    fn detail_keys_follow_sentinel() {
        assert!(is_detail_key("userPrincipalName"));
        assert!(!is_detail_key("_hidden"));
        assert!(!is_detail_key("aVeryLongOutputFieldName"));
    }
}
