//! A Sigma rule's keys, read into the keys of a ruleport rule: `title` → `DisplayName`,
//! `id` → `RuleID`, `level` → `Severity`, `attack.*` tags → `Reports`, the description,
//! references, false positives and authorship → `Description`, `Reference` and `Runbook`,
//! `logsource` → `LogTypes`, `fields` → `OutputFields`.

use std::fmt::Write as _;

use serde::Serialize;

use super::Problem;
use super::logsource::LogSource;
use super::yaml::{Kind, Node, Plain};
use crate::attack;
use crate::diagnostic::Diagnostic;

/// The keys of the ruleport rule, as the template writes them.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub rule_id: String,
    pub display_name: String,
    pub enabled: bool,
    pub status: &'static str,
    pub severity: &'static str,
    pub description: Option<String>,
    pub attack: Vec<String>,
    pub reference: Option<String>,
    pub runbook: String,
    pub tags: Vec<String>,
}

/// The keys a Sigma rule may have that the importer reads.
const KNOWN: [&str; 19] = [
    "title",
    "id",
    "name",
    "related",
    "status",
    "description",
    "references",
    "author",
    "date",
    "modified",
    "tags",
    "logsource",
    "detection",
    "fields",
    "falsepositives",
    "level",
    "license",
    "taxonomy",
    "scope",
];

/// Reads the rule's keys. Notes collect what is carried over imperfectly.
pub fn read_meta(doc: &Node, stem: &str, notes: &mut Vec<Diagnostic>) -> Result<Meta, Problem> {
    if let Some((key, _)) = doc.entry("correlation") {
        return Err(Problem::unsupported(
            key.span.clone(),
            "correlation rules (counts, sequences over several events) cannot be expressed",
            "a ruleport rule tests one event at a time",
        ));
    }
    if let Some((key, _)) = doc.entry("filter") {
        return Err(Problem::unsupported(
            key.span.clone(),
            "Sigma filters (rules that amend other rules) cannot be imported on their own",
            "add the filter's condition to the rules it amends",
        ));
    }
    if let Kind::Mapping(entries) = &doc.kind {
        for (key, _) in entries {
            let name = key.as_str().unwrap_or_default();
            if !KNOWN.contains(&name) {
                notes.push(
                    Diagnostic::new(format!("the key `{name}` is not carried over"))
                        .at(key.span.clone())
                        .as_note(),
                );
            }
        }
    }

    let title = text(doc, "title")?.ok_or_else(|| missing(doc, "title"))?;
    let rule_id = match text(doc, "id")? {
        Some(id) => id,
        None => {
            notes.push(Diagnostic::new(format!("no `id`: the RuleID is `Sigma.{stem}`")).as_note());
            format!("Sigma.{stem}")
        }
    };
    let (status, enabled) = status(doc, notes)?;
    let severity = level(doc, notes)?;
    let (attack, tags) = tags(doc, notes)?;
    let references = texts(doc, "references")?;
    Ok(Meta {
        runbook: runbook(doc, &rule_id, &references)?,
        rule_id,
        display_name: title,
        enabled,
        status,
        severity,
        description: text(doc, "description")?,
        attack,
        reference: references.into_iter().next(),
        tags,
    })
}

fn missing(doc: &Node, key: &str) -> Problem {
    Problem::invalid(
        doc.span.start..doc.span.start,
        format!("the rule has no `{key}`"),
        "",
    )
}

/// A key's scalar value as text; a list or mapping there is an error.
fn text(doc: &Node, key: &str) -> Result<Option<String>, Problem> {
    match doc.get(key) {
        None => Ok(None),
        Some(node) => match node.scalar() {
            Some(Plain::Null) => Ok(None),
            Some(_) => Ok(node.as_str().map(str::to_string)),
            None => Err(Problem::invalid(
                node.span.clone(),
                format!("`{key}` is {}, not text", node.describe()),
                "",
            )),
        },
    }
}

/// A key holding a list of scalars (or one scalar).
fn texts(doc: &Node, key: &str) -> Result<Vec<String>, Problem> {
    let Some(node) = doc.get(key) else {
        return Ok(Vec::new());
    };
    let items: Vec<&Node> = match &node.kind {
        Kind::Sequence(items) => items.iter().collect(),
        Kind::Scalar { .. } => vec![node],
        Kind::Mapping(_) => {
            return Err(Problem::invalid(
                node.span.clone(),
                format!("`{key}` is a mapping, not a list"),
                "",
            ));
        }
    };
    items
        .into_iter()
        .filter(|item| item.scalar() != Some(Plain::Null))
        .map(|item| {
            item.as_str().map(str::to_string).ok_or_else(|| {
                Problem::invalid(
                    item.span.clone(),
                    format!("an entry of `{key}` is {}, not text", item.describe()),
                    "",
                )
            })
        })
        .collect()
}

fn status(doc: &Node, notes: &mut Vec<Diagnostic>) -> Result<(&'static str, bool), Problem> {
    let Some(status) = text(doc, "status")? else {
        return Ok(("Experimental", true));
    };
    Ok(match status.as_str() {
        "stable" => ("Stable", true),
        "test" | "experimental" => ("Experimental", true),
        "deprecated" => ("Deprecated", false),
        "unsupported" => {
            notes.push(
                Diagnostic::new("status `unsupported`: the rule is imported disabled").as_note(),
            );
            ("Experimental", false)
        }
        other => {
            let span = doc.get("status").map_or(0..0, |node| node.span.clone());
            return Err(Problem::invalid(
                span,
                format!("unknown status `{other}`"),
                "Sigma's statuses are stable, test, experimental, deprecated and unsupported",
            ));
        }
    })
}

fn level(doc: &Node, notes: &mut Vec<Diagnostic>) -> Result<&'static str, Problem> {
    let Some(level) = text(doc, "level")? else {
        notes.push(Diagnostic::new("no `level`: the rule is imported as Medium").as_note());
        return Ok("Medium");
    };
    Ok(match level.as_str() {
        "informational" => "Info",
        "low" => "Low",
        "medium" => "Medium",
        "high" => "High",
        "critical" => "Critical",
        other => {
            let span = doc.get("level").map_or(0..0, |node| node.span.clone());
            return Err(Problem::invalid(
                span,
                format!("unknown level `{other}`"),
                "Sigma's levels are informational, low, medium, high and critical",
            ));
        }
    })
}

/// `attack.*` tags as `TA0001:T1078` ids, pairing each technique with the tagged tactics it
/// serves in ATT&CK (with all of its tactics when none is tagged); every other tag is kept
/// as a tag, and so are tactics no technique was paired with.
fn tags(doc: &Node, notes: &mut Vec<Diagnostic>) -> Result<(Vec<String>, Vec<String>), Problem> {
    let all = texts(doc, "tags")?;
    let mut tactics = Vec::new();
    let mut techniques = Vec::new();
    let mut kept = Vec::new();
    for tag in &all {
        let Some(name) = tag.strip_prefix("attack.") else {
            kept.push(tag.clone());
            continue;
        };
        if let Some(tactic) = attack::tactic_by_name(name) {
            tactics.push(tactic);
        } else if is_technique(name) {
            techniques.push(name.to_ascii_uppercase());
        } else {
            if !is_group_or_software(name) {
                notes.push(
                    Diagnostic::new(format!(
                        "`{tag}` is not a tactic of ATT&CK Enterprise {}, the version ruleport \
                         knows: kept as a tag",
                        attack::VERSION
                    ))
                    .as_note(),
                );
            }
            kept.push(tag.clone());
        }
    }

    let mut ids = Vec::new();
    let mut paired = Vec::new();
    for id in &techniques {
        let Some(technique) = attack::technique(id) else {
            notes.push(
                Diagnostic::new(format!(
                    "{id} is not in ATT&CK Enterprise {}, the version ruleport knows: kept as a \
                     tag",
                    attack::VERSION
                ))
                .as_note(),
            );
            kept.push(format!("attack.{}", id.to_ascii_lowercase()));
            continue;
        };
        if !technique.active {
            notes.push(
                Diagnostic::new(format!(
                    "{id} ({}) is revoked or deprecated in ATT&CK",
                    technique.name
                ))
                .as_note(),
            );
        }
        let tagged: Vec<&str> = technique
            .tactics
            .iter()
            .copied()
            .filter(|tactic| tactics.contains(tactic))
            .collect();
        let chosen = if tagged.is_empty() {
            technique.tactics.clone()
        } else {
            tagged
        };
        for tactic in chosen {
            paired.push(tactic);
            let pair = format!("{tactic}:{id}");
            if !ids.contains(&pair) {
                ids.push(pair);
            }
        }
    }
    for tactic in tactics.iter().filter(|tactic| !paired.contains(tactic)) {
        let name = attack::tactic_name(tactic).unwrap_or(tactic);
        notes.push(
            Diagnostic::new(format!(
                "the tactic {name} has no technique tagged with it: kept as a tag"
            ))
            .as_note(),
        );
        let tag = all
            .iter()
            .find(|tag| {
                tag.strip_prefix("attack.").and_then(attack::tactic_by_name) == Some(tactic)
            })
            .cloned()
            .unwrap_or_default();
        kept.push(tag);
    }
    Ok((ids, kept))
}

/// `g0016` (a group) or `s0002` (software): ATT&CK ids that are not techniques.
fn is_group_or_software(name: &str) -> bool {
    let bytes = name.as_bytes();
    matches!(bytes.first(), Some(b'g' | b's'))
        && bytes.len() == 5
        && bytes[1..].iter().all(u8::is_ascii_digit)
}

/// `t1078` or `t1078.004`.
fn is_technique(name: &str) -> bool {
    let bytes = name.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    matches!(bytes.first(), Some(b't' | b'T'))
        && digits(1..5)
        && (bytes.len() == 5 || (bytes.len() == 9 && bytes[5] == b'.' && digits(6..9)))
}

/// The runbook: where the rule comes from, its false positives and its references.
fn runbook(doc: &Node, rule_id: &str, references: &[String]) -> Result<String, Problem> {
    let mut out = format!("Imported from Sigma rule {rule_id}.");
    for (key, label) in [
        ("author", "Author"),
        ("date", "Date"),
        ("modified", "Modified"),
        ("license", "License"),
    ] {
        if let Some(value) = text(doc, key)? {
            let _ = write!(out, " {label}: {value}.");
        }
    }
    for (key, title) in [("falsepositives", "False positives"), ("scope", "Scope")] {
        let items = texts(doc, key)?;
        if !items.is_empty() {
            let _ = write!(out, "\n\n{title}:");
            for item in items {
                let _ = write!(out, "\n- {item}");
            }
        }
    }
    if let Some(related) = doc.get("related") {
        let _ = write!(out, "\n\nRelated Sigma rules:");
        if let Kind::Sequence(items) = &related.kind {
            for item in items {
                let id = item.get("id").and_then(Node::as_str).unwrap_or("?");
                let kind = item.get("type").and_then(Node::as_str).unwrap_or("related");
                let _ = write!(out, "\n- {id} ({kind})");
            }
        }
    }
    if !references.is_empty() {
        let _ = write!(out, "\n\nReferences:");
        for reference in references {
            let _ = write!(out, "\n- {reference}");
        }
    }
    Ok(out)
}

/// The rule's `logsource`.
pub fn read_logsource(doc: &Node) -> Result<LogSource, Problem> {
    let node = doc
        .get("logsource")
        .ok_or_else(|| missing(doc, "logsource"))?;
    if !matches!(node.kind, Kind::Mapping(_)) {
        return Err(Problem::invalid(
            node.span.clone(),
            "`logsource` is not a mapping",
            "",
        ));
    }
    Ok(LogSource {
        product: text(node, "product")?,
        category: text(node, "category")?,
        service: text(node, "service")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigma::yaml::parse_documents;
    use crate::source::SourceFile;

    fn meta(text: &str) -> (Result<Meta, Problem>, Vec<Diagnostic>) {
        let docs = parse_documents(&SourceFile::new("r.yml", text)).expect("YAML");
        let mut notes = Vec::new();
        (read_meta(&docs[0], "r", &mut notes), notes)
    }

    #[test]
    fn techniques_pair_with_the_tactics_they_serve() {
        let (meta, notes) = meta(
            "title: t\nid: x\nlevel: high\ntags:\n  - attack.persistence\n  - attack.t1078.004\n  \
             - attack.t1059\n  - attack.g0016\n  - cve.2021-1\n",
        );
        let meta = meta.expect("reads");
        assert_eq!(meta.attack, ["TA0003:T1078.004", "TA0002:T1059"]);
        assert_eq!(meta.tags, ["attack.g0016", "cve.2021-1"]);
        assert_eq!(meta.severity, "High");
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn unpaired_tactics_and_unknown_keys_are_noted() {
        let (meta, notes) = meta("title: t\nid: x\ntags: [attack.discovery]\ncustom: 1\n");
        let meta = meta.expect("reads");
        assert_eq!(meta.tags, ["attack.discovery"]);
        assert_eq!(notes.len(), 3, "{notes:?}");
    }

    #[test]
    fn correlations_are_refused() {
        let (meta, _) = meta("title: t\ncorrelation:\n  type: event_count\n");
        assert!(meta.is_err());
    }
}
