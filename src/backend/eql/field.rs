//! Where a predicate's path is read in Elasticsearch: the mapped field or the raw path, the
//! field's type, and how EQL writes its name.
//!
//! Elasticsearch has no arrays, only multi-valued fields: `resources[*].type` is the field
//! `resources.type` holding every element's type, and a test on it matches when some value
//! passes, which is what `[*]` means. An element by position (`[0]`) cannot be read, and a
//! key holding a dot cannot be told from a nested object, since Elasticsearch expands dots
//! in field names into objects.

use super::escape::eql_name;
use crate::backend::CompileError;
use crate::ir::{Path, Pred, Segment};
use crate::mapping::{ColumnType, Mapping, Resolved};

/// A field as the query reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The field as EQL writes it; `?` in front when the index may not have it.
    pub text: String,
    pub kind: Kind,
    /// The integration's pipeline removes empty strings, so the field never holds `""`.
    pub drops_empty_strings: bool,
}

/// What Elasticsearch holds in a field, which decides the tests the query may run on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `keyword`: every value is a string (numbers and booleans keep their JSON text).
    Keyword,
    /// `long`, `integer`: numbers, fractions dropped at indexing.
    Integer,
    /// `double`, `float`.
    Real,
    Boolean,
    /// `ip`: the parsed address, which no test reads as the event's text.
    Address,
    /// A type EQL can only test for presence (`date`, objects).
    Other(&'static str),
}

/// Resolves paths through the log type's mapping. With a mapping, a path it does not map is
/// refused: the index holds the mapped fields only. With none, every path is read raw, and
/// remembered for the query's header.
pub struct Fields<'m> {
    mapping: Option<&'m Mapping>,
    /// Paths read raw, as the condition writes them, in order of first use.
    pub unmapped: Vec<String>,
}

impl<'m> Fields<'m> {
    pub fn new(mapping: Option<&'m Mapping>) -> Self {
        Fields {
            mapping,
            unmapped: Vec::new(),
        }
    }

    /// The field a predicate reads.
    pub fn resolve(&mut self, pred: &Pred) -> Result<Field, CompileError> {
        let resolved = match self.mapping {
            Some(mapping) => mapping.resolve(&pred.path),
            None => Resolved::Raw(&pred.path),
        };
        let (mut names, rest, kind, optional) = match resolved {
            Resolved::Column { column, rest } => {
                if column.ty == ColumnType::Json && !rest.is_empty() {
                    return Err(CompileError::unsupported(
                        format!("the field `{}`", pred.path),
                        format!(
                            "it is read inside {}, which holds JSON as text; EQL cannot parse \
                             it",
                            column.name
                        ),
                        Some(pred.span.clone()),
                    ));
                }
                let names: Vec<String> = column.name.split('.').map(str::to_string).collect();
                // `[*]` below a field reads the field's own values; a key below it is a field
                // the mapping does not know.
                let below = rest.iter().any(|segment| *segment != Segment::Each);
                let kind = if below {
                    Kind::Keyword
                } else {
                    kind_of(column.ty)
                };
                (names, rest, kind, below)
            }
            Resolved::Raw(path) => {
                if let Some(mapping) = self.mapping {
                    return Err(left_out(mapping, path, pred));
                }
                let text = path.to_string();
                if !self.unmapped.contains(&text) {
                    self.unmapped.push(text);
                }
                (Vec::new(), path.segments.as_slice(), Kind::Keyword, true)
            }
        };
        names.extend(keys(rest, pred)?);

        let mut text = String::from(if optional { "?" } else { "" });
        for (i, name) in names.iter().enumerate() {
            let written = eql_name(name).ok_or_else(|| {
                CompileError::unsupported(
                    format!("the field `{}`", pred.path),
                    format!(
                        "the key {name:?} cannot be written in EQL that both Elasticsearch and \
                         the eql package read"
                    ),
                    Some(pred.span.clone()),
                )
            })?;
            if i > 0 {
                text.push('.');
            }
            text.push_str(&written);
        }
        let drops_empty_strings = self
            .mapping
            .is_some_and(|mapping| mapping.drops_empty_strings);
        Ok(Field {
            text,
            kind,
            drops_empty_strings,
        })
    }
}

/// The refusal of a path the mapping does not map: the integration's documents hold the
/// mapped fields only, so a raw path would silently find nothing.
fn left_out(mapping: &Mapping, path: &Path, pred: &Pred) -> CompileError {
    let log_type = &mapping.log_type;
    let file = format!("the Elastic mapping of {log_type} (mappings/elastic/{log_type}.yml)");
    let why = match mapping.unmapped_reason(path) {
        Some(reason) => format!("{file} leaves it out: {reason}"),
        None => format!(
            "{file} has no field for it, and the integration's documents do not keep the raw \
             event; map it with --mappings"
        ),
    };
    CompileError::unsupported(format!("the field `{path}`"), why, Some(pred.span.clone()))
}

/// The keys of a path below its mapped field, `[*]` dropped (a multi-valued field holds every
/// element); an index or a key with a dot is refused.
fn keys(segments: &[Segment], pred: &Pred) -> Result<Vec<String>, CompileError> {
    let refuse = |what: String, why: &str| {
        Err(CompileError::unsupported(
            what,
            why.to_string(),
            Some(pred.span.clone()),
        ))
    };
    let mut keys = Vec::new();
    for segment in segments {
        match segment {
            Segment::Key(key) if key.contains('.') => {
                return refuse(
                    format!("the key `{key}` in `{}`", pred.path),
                    "Elasticsearch expands dots in field names into objects, so this key \
                     cannot be told from a nested path",
                );
            }
            Segment::Key(key) => keys.push(key.clone()),
            Segment::Index(index) => {
                return refuse(
                    format!("the element `[{index}]` in `{}`", pred.path),
                    "Elasticsearch indexes an array as one multi-valued field, so an element \
                     cannot be read by position (use `[*]` for any element)",
                );
            }
            Segment::Each => {}
        }
    }
    Ok(keys)
}

fn kind_of(ty: ColumnType) -> Kind {
    match ty {
        ColumnType::String | ColumnType::Guid => Kind::Keyword,
        ColumnType::Long | ColumnType::Int => Kind::Integer,
        ColumnType::Real => Kind::Real,
        ColumnType::Bool => Kind::Boolean,
        ColumnType::Datetime => Kind::Other("date"),
        ColumnType::Dynamic => Kind::Other("object"),
        ColumnType::Ip => Kind::Address,
        ColumnType::Json => Kind::Other("JSON text"),
    }
}

/// The Elasticsearch field of an output path, for the rule's investigation fields; `None`
/// for a path that has no single field (an element by position) or that a mapping leaves
/// out (no field of the index holds it).
pub fn field_name(mapping: Option<&Mapping>, path: &Path) -> Option<String> {
    let resolved = match mapping {
        Some(mapping) => mapping.resolve(path),
        None => Resolved::Raw(path),
    };
    let (mut names, rest) = match resolved {
        Resolved::Column { column, rest } => (vec![column.name.clone()], rest),
        Resolved::Raw(_) if mapping.is_some() => return None,
        Resolved::Raw(path) => (Vec::new(), path.segments.as_slice()),
    };
    for segment in rest {
        match segment {
            Segment::Key(key) => names.push(key.clone()),
            Segment::Index(_) => return None,
            Segment::Each => {}
        }
    }
    Some(names.join("."))
}
