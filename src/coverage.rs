//! ATT&CK coverage of a catalog: a MITRE ATT&CK Navigator layer, and a tactic × technique
//! summary in Markdown.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::backend::mitre::attack;
use crate::rule::Catalog;

/// A tactic (id, name) and its techniques, each with the names of the rules covering it.
type TacticRow = ((String, String), BTreeMap<String, Vec<String>>);

/// Technique id to the rules that cover it, per tactic, in the matrix's tactic order.
struct Coverage {
    by_tactic: Vec<TacticRow>,
}

fn coverage(catalog: &Catalog) -> Coverage {
    let mut by_tactic: Vec<TacticRow> = Vec::new();
    for rule in catalog.files.iter().filter_map(|file| file.rule.as_ref()) {
        let ids = rule
            .meta
            .reports
            .get("MITRE ATT&CK")
            .map(Vec::as_slice)
            .unwrap_or_default();
        for entry in attack(ids) {
            let key = (entry.tactic_id.clone(), entry.tactic_name.clone());
            let index = match by_tactic.iter().position(|(tactic, _)| *tactic == key) {
                Some(index) => index,
                None => {
                    by_tactic.push((key, BTreeMap::new()));
                    by_tactic.len() - 1
                }
            };
            let Some((_, techniques)) = by_tactic.get_mut(index) else {
                continue;
            };
            let rules = techniques.entry(entry.technique).or_default();
            if !rules.contains(&rule.meta.display_name) {
                rules.push(rule.meta.display_name.clone());
            }
        }
    }
    by_tactic.sort_by_key(|((id, _), _)| tactic_order(id));
    Coverage { by_tactic }
}

/// The tactic's column in the enterprise matrix.
fn tactic_order(id: &str) -> usize {
    const ORDER: [&str; 14] = [
        "TA0043", "TA0042", "TA0001", "TA0002", "TA0003", "TA0004", "TA0005", "TA0006", "TA0007",
        "TA0008", "TA0009", "TA0011", "TA0010", "TA0040",
    ];
    ORDER
        .iter()
        .position(|known| *known == id)
        .unwrap_or(ORDER.len())
}

/// A Navigator layer (format 4.5): each technique scored by the number of rules covering
/// it, with their names in the comment.
pub fn navigator_layer(catalog: &Catalog) -> Value {
    let coverage = coverage(catalog);
    let mut techniques = Vec::new();
    let mut most = 1;
    for ((_, tactic), entries) in &coverage.by_tactic {
        let shortname = tactic.to_lowercase().replace(' ', "-");
        for (technique, rules) in entries {
            most = most.max(rules.len());
            techniques.push(json!({
                "techniqueID": technique,
                "tactic": shortname,
                "score": rules.len(),
                "comment": rules.join("; "),
                "enabled": true,
                "showSubtechniques": technique.contains('.'),
            }));
        }
    }
    json!({
        "name": "ruleport catalog coverage",
        "versions": { "attack": attack_major(), "navigator": "5.1.0", "layer": "4.5" },
        "domain": "enterprise-attack",
        "description": "Techniques covered by the rules of the catalog, scored by rule count.",
        "sorting": 3,
        "hideDisabled": false,
        "techniques": techniques,
        "gradient": { "colors": ["#ffffffff", "#66b1ffff"], "minValue": 0, "maxValue": most },
        "legendItems": [],
        "metadata": [],
        "showTacticRowBackground": false,
        "selectTechniquesAcrossTactics": true,
        "selectSubtechniquesWithParent": false,
    })
}

/// The `MITRE ATT&CK` ids of loaded rules whose technique ruleport's ATT&CK release does not
/// have (a later release's, or a typing mistake), with the file naming each: they are
/// counted as written, and the user is told.
pub fn unknown_techniques(catalog: &Catalog) -> Vec<(String, String)> {
    let mut unknown = Vec::new();
    for file in &catalog.files {
        let Some(rule) = &file.rule else { continue };
        let ids = rule.meta.reports.get("MITRE ATT&CK").into_iter().flatten();
        for id in ids {
            let technique = id
                .split_once(':')
                .map_or(id.as_str(), |(_, technique)| technique);
            if crate::attack::technique(technique).is_none() {
                unknown.push((file.source.path.display().to_string(), id.clone()));
            }
        }
    }
    unknown
}

/// The ATT&CK major version the layer names (Navigator matches layers by it): the one the
/// rules' technique ids were checked against.
fn attack_major() -> &'static str {
    let version = crate::attack::VERSION;
    version.split('.').next().unwrap_or(version)
}

/// A Markdown table: one row per tactic, its techniques with their rule counts.
pub fn markdown(catalog: &Catalog) -> String {
    let coverage = coverage(catalog);
    let mut out = String::from("| Tactic | Techniques (rules) |\n|---|---|\n");
    for ((id, name), entries) in &coverage.by_tactic {
        let cells: Vec<String> = entries
            .iter()
            .map(|(technique, rules)| format!("{technique} ({})", rules.len()))
            .collect();
        let _ = writeln!(out, "| {name} ({id}) | {} |", cells.join(", "));
    }
    out
}
