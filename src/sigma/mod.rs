//! `ruleport import sigma`: Sigma rules into ruleport rule files.
//!
//! Each Sigma file is read as a tree of YAML nodes with their places ([`yaml`]), its keys
//! become the rule's keys ([`rule`]), its log source a log type ([`logsource`]), and its
//! detection ([`detection`], [`modifier`], [`value`]) and condition ([`condition`]) one
//! condition ([`tree`]) written as condition text ([`print`]). The rule file is rendered by
//! the `sigma/rule.yml` template and loaded back with the rule loader before it is written,
//! so every imported file is a rule ruleport reads, meaning what the Sigma rule means.
//!
//! What cannot be carried over exactly is refused per file, at the key it is about; the
//! rest of the batch goes on.

pub mod batch;
mod condition;
mod detection;
mod logsource;
mod modifier;
mod print;
mod rule;
mod tree;
mod value;
pub(crate) mod yaml;

pub use logsource::LogSourceTable;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::ir::{Path, Segment};
use crate::rule::load_rule;
use crate::source::{SourceFile, Span};
use crate::syntax::parse_condition;
use crate::templates::Templates;
use yaml::{Kind, Node};

/// Why a Sigma file was not imported.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub diagnostic: Diagnostic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProblemKind {
    /// Valid Sigma that ruleport cannot express exactly.
    Unsupported,
    /// Not a valid Sigma rule.
    Invalid,
}

impl Problem {
    fn new(kind: ProblemKind, span: Span, message: impl Into<String>, hint: &str) -> Self {
        let diagnostic = Diagnostic::new(message).at(span);
        let diagnostic = if hint.is_empty() {
            diagnostic
        } else {
            diagnostic.with_hint(hint)
        };
        Problem { kind, diagnostic }
    }

    pub fn unsupported(span: Span, message: impl Into<String>, hint: impl AsRef<str>) -> Self {
        Self::new(ProblemKind::Unsupported, span, message, hint.as_ref())
    }

    pub fn invalid(span: Span, message: impl Into<String>, hint: impl AsRef<str>) -> Self {
        Self::new(ProblemKind::Invalid, span, message, hint.as_ref())
    }
}

/// A Sigma rule as a ruleport rule file.
#[derive(Debug, Clone)]
pub struct Imported {
    pub rule_id: String,
    pub log_type: String,
    /// Whether the log source table chose the log type (else it was built from the rule's
    /// logsource keys).
    pub log_type_from_table: bool,
    /// The rule file's text.
    pub text: String,
    /// What was carried over imperfectly, as notes into the Sigma file.
    pub notes: Vec<Diagnostic>,
}

/// What the import needs besides the file: the log source table and the templates.
pub struct Importer<'a> {
    pub logsources: &'a LogSourceTable,
    pub templates: &'a Templates,
    /// The text naming the tool in generated headers.
    pub generator: &'a str,
}

#[derive(Serialize)]
struct OutputField {
    name: String,
    path: String,
}

impl Importer<'_> {
    /// Imports one Sigma file; `stem` names the rule when it has no `id`, and `source` is
    /// how the header names the Sigma file.
    pub fn import(&self, file: &SourceFile, stem: &str, source: &str) -> Result<Imported, Problem> {
        let documents = yaml::parse_documents(file).map_err(|diagnostic| Problem {
            kind: ProblemKind::Invalid,
            diagnostic,
        })?;
        let doc = match documents.as_slice() {
            [one] if matches!(one.kind, Kind::Mapping(_)) => one,
            [one] => {
                return Err(Problem::invalid(
                    one.span.clone(),
                    "the file is not a mapping",
                    "",
                ));
            }
            [] => return Err(Problem::invalid(0..0, "the file is empty", "")),
            [_, second, ..] => {
                return Err(Problem::unsupported(
                    second.span.start..second.span.start,
                    "multi-document Sigma files (rule collections) cannot be imported",
                    "write each rule in a file of its own",
                ));
            }
        };

        let mut notes = Vec::new();
        let meta = rule::read_meta(doc, stem, &mut notes)?;
        let logsource = rule::read_logsource(doc)?;
        let choice = self.logsources.choose(&logsource).ok_or_else(|| {
            let span = doc.get("logsource").map_or(0..0, |node| node.span.clone());
            Problem::invalid(
                span,
                "the logsource names no product, category or service",
                "",
            )
        })?;

        let (detection_key, detection_node) = doc.entry("detection").ok_or_else(|| {
            Problem::invalid(
                doc.span.start..doc.span.start,
                "the rule has no `detection`",
                "",
            )
        })?;
        let detection = detection::read_detection(detection_key, detection_node, choice.renames)?;
        notes.extend(detection.notes.iter().cloned());
        let condition = self.condition(file, &detection)?;
        let output_fields = output_fields(doc, choice.renames, &mut notes)?;

        let context = serde_json::json!({
            "generator": self.generator,
            "source": source,
            "rule": meta,
            "log_type": choice.log_type,
            "output_fields": output_fields,
            "condition": condition,
        });
        let text = self
            .templates
            .render("sigma/rule.yml", &context)
            .map_err(|message| Problem::invalid(0..0, message, ""))?;
        check_loads(&text)?;
        Ok(Imported {
            rule_id: meta.rule_id,
            log_type: choice.log_type,
            log_type_from_table: choice.from_table,
            text,
            notes,
        })
    }

    /// The condition text, checked by the condition language's own parser and lowering (which
    /// refuses regexes outside the portable subset), with problems shown at the Sigma key
    /// the offending predicate came from.
    fn condition(
        &self,
        file: &SourceFile,
        detection: &detection::Detection<'_>,
    ) -> Result<String, Problem> {
        let node = detection.condition;
        let texts: Vec<(&str, Span)> = match &node.kind {
            Kind::Scalar { text, .. } => vec![(text.as_str(), node.span.clone())],
            Kind::Sequence(items) => items
                .iter()
                .filter_map(|item| item.as_str().map(|text| (text, item.span.clone())))
                .collect(),
            Kind::Mapping(_) => Vec::new(),
        };
        if texts.is_empty() {
            return Err(Problem::invalid(
                node.span.clone(),
                "`condition` is not text",
                "",
            ));
        }
        let mut alternatives = Vec::new();
        for (text, span) in texts {
            let span_of = |inner: Span| place_in_scalar(file, &span, text, inner);
            alternatives.push(condition::resolve_condition(
                text,
                &detection.searches,
                &span_of,
            )?);
        }
        let printed = print::print(&tree::Cond::or(alternatives));

        let checked = parse_condition(&printed.text)
            .map_err(|error| vec![error])
            .and_then(|ast| crate::ir::lower_to_ir(&ast));
        if let Err(errors) = checked {
            let error = &errors[0];
            let origin = printed
                .predicates
                .iter()
                .find(|(written, _)| {
                    written.start <= error.span.start && error.span.end <= written.end
                })
                .map_or_else(|| node.span.clone(), |(_, origin)| origin.clone());
            let message = format!("cannot be expressed: {}", error.message);
            return Err(Problem::unsupported(
                origin,
                message,
                error.hint.clone().unwrap_or_default(),
            ));
        }
        Ok(printed.text)
    }
}

/// The span of `inner` (offsets into a scalar's text) in the file: exact when the scalar is
/// written as its text (plain, or quoted without escapes), else the whole scalar.
fn place_in_scalar(file: &SourceFile, span: &Span, text: &str, inner: Span) -> Span {
    let written = file.text.get(span.clone()).unwrap_or_default();
    let offset = if written == text {
        Some(span.start)
    } else if written.len() == text.len() + 2 && written.get(1..written.len() - 1) == Some(text) {
        Some(span.start + 1)
    } else {
        None
    };
    match offset {
        Some(offset) => offset + inner.start..offset + inner.end,
        None => span.clone(),
    }
}

/// Sigma's `fields` (what to show with an alert) as output fields named after the field.
fn output_fields(
    doc: &Node,
    renames: &logsource::Renames,
    notes: &mut Vec<Diagnostic>,
) -> Result<Vec<OutputField>, Problem> {
    let Some(node) = doc.get("fields") else {
        return Ok(Vec::new());
    };
    let Kind::Sequence(items) = &node.kind else {
        return Err(Problem::invalid(
            node.span.clone(),
            "`fields` is not a list",
            "",
        ));
    };
    let mut fields: Vec<OutputField> = Vec::new();
    for item in items {
        let Some(field) = item.as_str() else {
            return Err(Problem::invalid(
                item.span.clone(),
                "a field is not text",
                "",
            ));
        };
        let segments: Vec<&str> = field.split('.').collect();
        if segments.iter().any(|segment| segment.is_empty()) {
            notes.push(
                Diagnostic::new(format!(
                    "the field `{field}` is not a field path: not carried"
                ))
                .at(item.span.clone())
                .as_note(),
            );
            continue;
        }
        let mut path = renames.apply(&segments).unwrap_or_else(|| Path {
            segments: segments
                .iter()
                .map(|segment| Segment::Key((*segment).to_string()))
                .collect(),
        });
        // An alert shows one value per field: the first element of an array the field
        // reaches into.
        for segment in &mut path.segments {
            if *segment == Segment::Each {
                *segment = Segment::Index(0);
            }
        }
        let mut name: String = field
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            name.insert(0, '_');
        }
        while fields.iter().any(|seen| seen.name == name) {
            name.push('_');
        }
        fields.push(OutputField {
            name,
            path: path.to_string(),
        });
    }
    Ok(fields)
}

/// Loads the imported rule with the rule loader: what the importer writes, ruleport reads.
fn check_loads(text: &str) -> Result<(), Problem> {
    let file = SourceFile::new("imported.yml", text);
    load_rule(&file).map(|_| ()).map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|error| error.message.clone()).collect();
        Problem::invalid(
            0..0,
            format!("the imported rule does not load: {}", messages.join("; ")),
            "this is a bug in ruleport's importer",
        )
    })
}
