//! The table that gives a Sigma rule its ruleport log type, by the rule's `logsource`, and
//! renames the Sigma field names that differ from the log type's event paths.
//!
//! The table is data (`mappings/sigma/logsources.yml`, built in, replaceable with
//! `--logsources FILE`). A logsource it does not list gets a log type built from its own
//! keys, so every rule has one and the rule file says which.

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, render};
use crate::ir::{Path, Segment};
use crate::rule::yaml_diagnostic;
use crate::source::SourceFile;
use crate::syntax::parse_path;

const BUILT_IN: &str = include_str!("../../mappings/sigma/logsources.yml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    logsources: Vec<EntryFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryFile {
    #[serde(default)]
    product: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    service: Option<String>,
    log_type: String,
    #[serde(default)]
    fields: indexmap::IndexMap<String, String>,
}

/// A rule's logsource: the keys Sigma uses to say which logs a rule reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogSource {
    pub product: Option<String>,
    pub category: Option<String>,
    pub service: Option<String>,
}

/// Field renames: Sigma name parts to the event path they stand for.
#[derive(Debug, Clone, Default)]
pub struct Renames(Vec<(Vec<String>, Path)>);

impl Renames {
    /// The event path of a field whose leading parts are renamed; the longest match wins.
    pub fn apply(&self, segments: &[&str]) -> Option<Path> {
        let (prefix, path) = self
            .0
            .iter()
            .filter(|(prefix, _)| {
                prefix.len() <= segments.len() && prefix.iter().zip(segments).all(|(a, b)| a == b)
            })
            .max_by_key(|(prefix, _)| prefix.len())?;
        let mut path = path.clone();
        path.segments.extend(
            segments[prefix.len()..]
                .iter()
                .map(|segment| Segment::Key((*segment).to_string())),
        );
        Some(path)
    }
}

struct Entry {
    source: LogSource,
    log_type: String,
    renames: Renames,
}

/// The log type chosen for a rule, and how it was chosen.
pub struct Choice<'t> {
    pub log_type: String,
    /// Whether a table entry chose it (rather than the rule's own logsource keys).
    pub from_table: bool,
    pub renames: &'t Renames,
}

pub struct LogSourceTable {
    entries: Vec<Entry>,
    none: Renames,
}

impl LogSourceTable {
    /// The built-in table, or the file at `path` instead.
    pub fn load(path: Option<&std::path::Path>) -> Result<Self, String> {
        let file = match path {
            Some(path) => SourceFile::read(path)?,
            None => SourceFile::new("mappings/sigma/logsources.yml", BUILT_IN),
        };
        let table: TableFile = serde_yaml::from_str(&file.text)
            .map_err(|error| render(&file, &[yaml_diagnostic(&file, &error)]))?;
        let mut entries = Vec::new();
        for entry in table.logsources {
            let mut renames = Vec::new();
            for (sigma, event) in entry.fields {
                let path = parse_path(&event).map_err(|error| {
                    let diagnostic = Diagnostic::new(format!(
                        "the event path `{event}` for `{sigma}`: {}",
                        error.message
                    ));
                    render(&file, &[diagnostic])
                })?;
                renames.push((sigma.split('.').map(str::to_string).collect(), path));
            }
            entries.push(Entry {
                source: LogSource {
                    product: entry.product,
                    category: entry.category,
                    service: entry.service,
                },
                log_type: entry.log_type,
                renames: Renames(renames),
            });
        }
        Ok(LogSourceTable {
            entries,
            none: Renames::default(),
        })
    }

    /// The log type for `source`: the best table entry, else one built from its keys; none
    /// when the logsource names nothing.
    pub fn choose(&self, source: &LogSource) -> Option<Choice<'_>> {
        let same = |want: &Option<String>, have: &Option<String>| match (want, have) {
            (None, _) => true,
            (Some(want), Some(have)) => want.eq_ignore_ascii_case(have),
            (Some(_), None) => false,
        };
        let best = self
            .entries
            .iter()
            .filter(|entry| {
                same(&entry.source.product, &source.product)
                    && same(&entry.source.category, &source.category)
                    && same(&entry.source.service, &source.service)
            })
            .rev()
            .max_by_key(|entry| {
                [
                    &entry.source.product,
                    &entry.source.category,
                    &entry.source.service,
                ]
                .iter()
                .filter(|key| key.is_some())
                .count()
            });
        if let Some(entry) = best {
            return Some(Choice {
                log_type: entry.log_type.clone(),
                from_table: true,
                renames: &entry.renames,
            });
        }
        let parts: Vec<String> = [&source.product, &source.category, &source.service]
            .into_iter()
            .flatten()
            .map(|part| pascal_case(part))
            .filter(|part| !part.is_empty())
            .collect();
        (!parts.is_empty()).then(|| Choice {
            log_type: parts.join("."),
            from_table: false,
            renames: &self.none,
        })
    }
}

/// `process_creation` → `ProcessCreation`, `gcp.audit` → `GcpAudit`.
fn pascal_case(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(product: Option<&str>, category: Option<&str>, service: Option<&str>) -> LogSource {
        LogSource {
            product: product.map(str::to_string),
            category: category.map(str::to_string),
            service: service.map(str::to_string),
        }
    }

    #[test]
    fn the_built_in_table_names_catalog_log_types() {
        let table = LogSourceTable::load(None).expect("the built-in table loads");
        let choice = table
            .choose(&source(Some("aws"), None, Some("cloudtrail")))
            .expect("chosen");
        assert_eq!(choice.log_type, "AWS.CloudTrail");
        assert!(choice.from_table);
        let derived = table
            .choose(&source(Some("windows"), Some("process_creation"), None))
            .expect("derived");
        assert_eq!(derived.log_type, "Windows.ProcessCreation");
        assert!(!derived.from_table);
        assert!(table.choose(&source(None, None, None)).is_none());
    }

    #[test]
    fn renames_replace_leading_parts() {
        let table = LogSourceTable::load(None).expect("loads");
        let choice = table
            .choose(&source(Some("Azure"), None, Some("signinlogs")))
            .expect("chosen");
        let path = choice
            .renames
            .apply(&["DeviceDetail", "isCompliant"])
            .expect("renamed");
        assert_eq!(path.to_string(), "properties.deviceDetail.isCompliant");
        assert!(choice.renames.apply(&["Other"]).is_none());
    }
}
