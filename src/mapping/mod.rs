//! Log-source mappings: for each target family and log type, where the events live (table,
//! index) and which column or field holds each event field.
//!
//! Mappings are data: YAML files under `mappings/<family>/<LogType>.yml`, embedded in the
//! binary and overridable file by file from a directory (`--mappings DIR`). A field with no
//! mapping is read by its raw path.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path as FsPath;
use std::sync::OnceLock;

use include_dir::{Dir, include_dir};
use indexmap::IndexMap;
use serde::Deserialize;

use crate::diagnostic::{Diagnostic, render};
use crate::ir::{Path, Segment};
use crate::rule::{entry_span, yaml_diagnostic};
use crate::source::SourceFile;
use crate::syntax::parse_path;

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/mappings");

/// Targets that share one mapping: the query target and its rule artifacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// `kql`, `sentinel`, `sentinel-arm`: tables and columns of a Log Analytics workspace.
    Sentinel,
    /// `eql`, `elastic`, `elastic-ndjson`: index patterns and ECS/integration field names.
    Elastic,
    /// Every SQL dialect: one table per log type with the raw event in a JSON column.
    Sql,
}

impl Family {
    pub const ALL: [Family; 3] = [Family::Sentinel, Family::Elastic, Family::Sql];

    pub fn dir(self) -> &'static str {
        match self {
            Family::Sentinel => "sentinel",
            Family::Elastic => "elastic",
            Family::Sql => "sql",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.dir())
    }
}

/// One mapping file, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    /// Table (Sentinel, SQL).
    #[serde(default)]
    table: Option<String>,
    /// Index patterns (Elastic).
    #[serde(default)]
    index: Vec<String>,
    /// EQL event category; `any` when absent.
    #[serde(default)]
    category: Option<String>,
    /// The integration's pipeline removes empty strings (Elastic).
    #[serde(default)]
    drops_empty_strings: bool,
    /// Sentinel data connector and the data types it fills.
    #[serde(default)]
    connector: Option<Connector>,
    /// Event field path (as in conditions) to column.
    #[serde(default)]
    fields: IndexMap<String, Column>,
    /// Event field paths the target's documents do not hold, with the reason (Elastic).
    #[serde(default)]
    unmapped: IndexMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connector {
    pub id: String,
    pub data_types: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// The column (Sentinel) or field (Elastic) name.
    pub name: String,
    #[serde(rename = "type", default)]
    pub ty: ColumnType,
}

/// A column's type, as the target's schema declares it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    #[default]
    String,
    Long,
    Int,
    Real,
    Bool,
    Datetime,
    Guid,
    /// Holds JSON: sub-paths are read inside it.
    Dynamic,
    /// An IP address, parsed: the field keeps the address, not the event's text.
    Ip,
    /// A string holding the JSON text of an object or array (`"{\"a\": 1}"`), empty when
    /// the field is missing: sub-paths are read inside the parsed value. The text itself is
    /// not the field's text, so only presence and emptiness are read from the whole column.
    Json,
}

/// A loaded mapping for one family and log type.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub log_type: String,
    pub table: Option<String>,
    pub index: Vec<String>,
    pub category: Option<String>,
    /// Whether the documents lose every empty string, and with it every object or array
    /// left empty, as an ingest pipeline that prunes them does.
    pub drops_empty_strings: bool,
    pub connector: Option<Connector>,
    /// Field paths with their columns, longest first so prefixes resolve to the closest.
    fields: Vec<(Path, Column)>,
    /// Paths left out on purpose, with the reason, longest first.
    unmapped: Vec<(Path, String)>,
}

/// Where a field path is read from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resolved<'m, 'p> {
    /// A mapped column, and the rest of the path inside it (empty for the column itself).
    Column {
        column: &'m Column,
        rest: &'p [Segment],
    },
    /// No mapping: the raw event path.
    Raw(&'p Path),
}

impl Mapping {
    /// Resolves a path to the column of its longest mapped prefix, or to its raw path.
    pub fn resolve<'m, 'p>(&'m self, path: &'p Path) -> Resolved<'m, 'p> {
        for (prefix, column) in &self.fields {
            if let Some(rest) = path.segments.strip_prefix(prefix.segments.as_slice()) {
                return Resolved::Column { column, rest };
            }
        }
        Resolved::Raw(path)
    }

    /// Why the mapping leaves out `path` (or the closest prefix of it that it names), when
    /// it says.
    pub fn unmapped_reason(&self, path: &Path) -> Option<&str> {
        self.unmapped
            .iter()
            .find(|(prefix, _)| path.segments.starts_with(&prefix.segments))
            .map(|(_, reason)| reason.as_str())
    }

    /// Every mapped field path with its column.
    pub fn fields(&self) -> impl Iterator<Item = (&Path, &Column)> {
        self.fields.iter().map(|(path, column)| (path, column))
    }

    /// The mapping in `file`, for the log type its name gives (`AWS.CloudTrail.yml`); an
    /// error is a caret report into the file.
    pub fn parse(file: &SourceFile) -> Result<Self, String> {
        let log_type = log_type(file);
        let raw: MappingFile = serde_yaml::from_str(&file.text)
            .map_err(|error| render(file, &[yaml_diagnostic(file, &error)]))?;
        let fields = paths(file, "fields", raw.fields)?;
        let unmapped = paths(file, "unmapped", raw.unmapped)?;
        Ok(Mapping {
            log_type: log_type.to_string(),
            table: raw.table,
            index: raw.index,
            category: raw.category,
            drops_empty_strings: raw.drops_empty_strings,
            connector: raw.connector,
            fields,
            unmapped,
        })
    }

    /// The mapped field paths and their columns, longest path first.
    pub fn columns(&self) -> impl Iterator<Item = (&Path, &Column)> {
        self.fields.iter().map(|(path, column)| (path, column))
    }

    /// A mapping with no file: nothing mapped.
    pub fn empty(log_type: &str) -> Self {
        Mapping {
            log_type: log_type.to_string(),
            table: None,
            index: Vec::new(),
            category: None,
            drops_empty_strings: false,
            connector: None,
            fields: Vec::new(),
            unmapped: Vec::new(),
        }
    }
}

/// Every mapping, embedded and overridden.
#[derive(Debug, Clone, Default)]
pub struct Mappings {
    by_key: BTreeMap<(Family, String), Entry>,
}

/// A mapping as loaded. An override is parsed at once, so that its errors are reported
/// before any rule is compiled. A built-in one is parsed the first time it is asked for:
/// a run reads few of them, and parsing them all cost more than compiling one rule.
#[derive(Debug, Clone)]
enum Entry {
    Parsed(Mapping),
    Embedded(SourceFile, OnceLock<Mapping>),
}

impl Mappings {
    /// The embedded mappings, with the files under `overrides` (same layout) replacing them.
    pub fn load(overrides: Option<&FsPath>) -> Result<Self, String> {
        let mut mappings = Mappings::default();
        for family in Family::ALL {
            for file in embedded(family) {
                let log_type = log_type(&file).to_string();
                let entry = Entry::Embedded(file, OnceLock::new());
                mappings.by_key.insert((family, log_type), entry);
            }
        }
        if let Some(dir) = overrides {
            mappings.load_overrides(dir)?;
        }
        Ok(mappings)
    }

    fn load_overrides(&mut self, dir: &FsPath) -> Result<(), String> {
        if !dir.is_dir() {
            return Err(format!("{}: no such mappings directory", dir.display()));
        }
        for family in Family::ALL {
            let Ok(entries) = std::fs::read_dir(dir.join(family.dir())) else {
                continue;
            };
            let mut paths: Vec<_> = entries.flatten().map(|entry| entry.path()).collect();
            paths.sort();
            for path in paths
                .iter()
                .filter(|path| path.extension().is_some_and(|e| e == "yml"))
            {
                let mapping = Mapping::parse(&SourceFile::read(path)?)?;
                self.by_key
                    .insert((family, mapping.log_type.clone()), Entry::Parsed(mapping));
            }
        }
        Ok(())
    }

    /// The mapping for a family and log type, if one exists.
    pub fn get(&self, family: Family, log_type: &str) -> Option<&Mapping> {
        match self.by_key.get(&(family, log_type.to_string()))? {
            Entry::Parsed(mapping) => Some(mapping),
            Entry::Embedded(file, parsed) => Some(parsed.get_or_init(|| {
                Mapping::parse(file).expect("the built-in mappings parse (a test reads them all)")
            })),
        }
    }
}

/// The built-in mapping files of a family, as `mappings/<family>/<LogType>.yml`.
fn embedded(family: Family) -> impl Iterator<Item = SourceFile> {
    EMBEDDED
        .get_dir(family.dir())
        .into_iter()
        .flat_map(|dir| dir.files())
        .filter(|file| file.path().extension().is_some_and(|ext| ext == "yml"))
        .map(|file| {
            let text = file.contents_utf8().unwrap_or_default();
            SourceFile::new(FsPath::new("mappings").join(file.path()), text)
        })
}

/// The log type a mapping file is for: its name less the extension (`AWS.CloudTrail.yml`).
fn log_type(file: &SourceFile) -> &str {
    file.path
        .file_stem()
        .and_then(|stem| stem.to_str())
        .unwrap_or_default()
}

/// The entries of the mapping file's `section`, keyed by parsed field path, longest first so
/// a path finds its closest prefix; a bad path is reported at its key.
fn paths<T>(
    file: &SourceFile,
    section: &str,
    entries: IndexMap<String, T>,
) -> Result<Vec<(Path, T)>, String> {
    let mut parsed = Vec::new();
    for (field, value) in entries {
        let path = parse_path(&field).map_err(|error| {
            let diagnostic =
                Diagnostic::new(format!("bad field path `{field}`: {}", error.message));
            let diagnostic = match entry_span(&file.text, section, &field) {
                Some(span) => diagnostic.at(span),
                None => diagnostic,
            };
            render(file, &[diagnostic])
        })?;
        parsed.push((path, value));
    }
    parsed.sort_by_key(|(path, _)| std::cmp::Reverse(path.segments.len()));
    Ok(parsed)
}

/// Writes the Sentinel table schemas (the JSON files Microsoft's KQL validator reads) into
/// `dir`, for checking KQL against the tables the mappings name.
pub fn write_sentinel_schemas(dir: &FsPath) -> Result<(), String> {
    let schemas = EMBEDDED
        .get_dir("sentinel/schemas")
        .into_iter()
        .flat_map(|dir| dir.files());
    for file in schemas.filter(|file| file.path().extension().is_some_and(|ext| ext == "json")) {
        let name = file.path().file_name().unwrap_or_default();
        std::fs::write(dir.join(name), file.contents())
            .map_err(|error| format!("cannot write {}: {error}", dir.join(name).display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Mappings::get` parses a built-in mapping on first use and panics if it does not
    /// parse: every one must.
    #[test]
    fn every_built_in_mapping_parses() {
        let mut count = 0;
        for family in Family::ALL {
            for file in embedded(family) {
                let mapping = Mapping::parse(&file).unwrap_or_else(|error| panic!("{error}"));
                assert_eq!(mapping.log_type, log_type(&file));
                count += 1;
            }
        }
        assert!(count >= 20, "only {count} built-in mappings found");
    }
}
