//! The backends: one per target, behind one trait.
//!
//! A backend turns a loaded [`Rule`] into its artifacts: the query, emitted from the IR with
//! negation pushed down, and the rule files around it, rendered from templates. A construct
//! a target cannot express exactly is refused with [`CompileError::Unsupported`]; ruleport
//! never emits a query that means something else.

pub mod chain;
pub mod context;
pub mod eql;
pub mod escape;
pub mod kql;
pub mod mitre;
pub mod page;
pub mod panther;
pub mod sql;

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;
use crate::explain::Corpus;
use crate::mapping::Mappings;
use crate::rule::{Rule, output_field_span};
use crate::source::Span;
use crate::target::Target;
use crate::templates::Templates;

/// What every backend can use: mappings and templates.
pub struct Context<'a> {
    pub mappings: &'a Mappings,
    pub templates: &'a Templates,
    /// The catalog's indicators, for the corpus counts of catalog pages.
    pub corpus: Option<&'a Corpus>,
}

/// One output file, relative to the target's directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Artifact {
    pub path: PathBuf,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CompileError {
    /// The target cannot express a construct of the rule exactly.
    Unsupported {
        /// The construct, as the user wrote it or as the language names it.
        construct: String,
        /// Why the target cannot express it.
        reason: String,
        /// Where in the rule the construct is.
        place: Place,
    },
    /// A template failed to render, or a mapping is missing something the target needs.
    Render(String),
}

/// Where an unsupported construct sits in the rule, for the caret.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    /// The condition as a whole.
    Condition,
    /// One predicate: its span in the condition.
    Predicate(Span),
    /// An entry of `OutputFields`, by name.
    OutputField(String),
}

impl CompileError {
    pub fn unsupported(
        construct: impl Into<String>,
        reason: impl Into<String>,
        span: Option<Span>,
    ) -> Self {
        let place = span.map_or(Place::Condition, Place::Predicate);
        CompileError::Unsupported {
            construct: construct.into(),
            reason: reason.into(),
            place,
        }
    }

    /// An output field the target cannot return.
    pub fn unsupported_output(
        name: &str,
        construct: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        let place = Place::OutputField(name.to_string());
        CompileError::Unsupported {
            construct: construct.into(),
            reason: reason.into(),
            place,
        }
    }

    /// The error shown at the output field `name`, for one raised while reading that field's
    /// path (which has no span of its own in the condition).
    pub fn at_output(self, name: &str) -> Self {
        match self {
            CompileError::Unsupported {
                construct,
                reason,
                place: Place::Condition,
            } => CompileError::unsupported_output(name, construct, reason),
            other => other,
        }
    }

    /// The error as a diagnostic in the rule's file, naming rule, construct and target.
    pub fn to_diagnostic(&self, rule: &Rule, target: Target) -> Diagnostic {
        match self {
            CompileError::Unsupported {
                construct,
                reason,
                place,
            } => {
                let message = format!(
                    "rule `{}` cannot be compiled for {target}: {construct} is not supported",
                    rule.meta.rule_id
                );
                let diagnostic = Diagnostic::new(message).with_hint(reason.clone());
                let span = match place {
                    Place::Predicate(span) => rule.condition_map.to_file(span),
                    Place::Condition => rule.condition_map.key(),
                    Place::OutputField(name) => output_field_span(&rule.text, name)
                        .unwrap_or_else(|| rule.condition_map.key()),
                };
                diagnostic
                    .at(span)
                    .with_label(format!("not expressible in {target}"))
            }
            CompileError::Render(message) => Diagnostic::new(format!(
                "rule `{}` cannot be compiled for {target}: {message}",
                rule.meta.rule_id
            )),
        }
    }
}

/// A backend for one target.
pub trait Backend {
    /// Compiles `rule`, whose file is named `stem` (without extension), into its artifacts.
    fn compile(
        &self,
        rule: &Rule,
        stem: &str,
        cx: &Context<'_>,
    ) -> Result<Vec<Artifact>, CompileError>;
}

/// The backend of a target.
pub fn backend(target: Target) -> Box<dyn Backend> {
    match target {
        Target::Sql(dialect) => Box::new(sql::SqlBackend::new(dialect)),
        Target::Page => Box::new(page::PageBackend),
        Target::Panther => Box::new(panther::PantherBackend),
        Target::Kql | Target::Sentinel | Target::SentinelArm => {
            Box::new(kql::KqlBackend::new(target))
        }
        Target::Eql => Box::new(eql::EqlBackend::new(eql::Artifacts::Query)),
        Target::Elastic => Box::new(eql::EqlBackend::new(eql::Artifacts::Rule)),
        Target::ElasticNdjson => Box::new(eql::EqlBackend::new(eql::Artifacts::Ndjson)),
    }
}

/// Compiles one rule for several targets, in their order, emitting the query of the
/// Sentinel targets once and that of the Elastic targets once.
pub fn compile_targets(
    rule: &Rule,
    stem: &str,
    targets: &[Target],
    cx: &Context<'_>,
) -> Vec<(Target, Result<Vec<Artifact>, CompileError>)> {
    let sentinel: Vec<Target> = targets
        .iter()
        .copied()
        .filter(|target| matches!(target, Target::Kql | Target::Sentinel | Target::SentinelArm))
        .collect();
    let elastic: Vec<(Target, eql::Artifacts)> = targets
        .iter()
        .filter_map(|&target| match target {
            Target::Eql => Some((target, eql::Artifacts::Query)),
            Target::Elastic => Some((target, eql::Artifacts::Rule)),
            Target::ElasticNdjson => Some((target, eql::Artifacts::Ndjson)),
            _ => None,
        })
        .collect();
    let mut shared: Vec<(Target, Result<Vec<Artifact>, CompileError>)> = Vec::new();
    if !sentinel.is_empty() {
        let results = kql::compile_all(rule, stem, &sentinel, cx);
        shared.extend(sentinel.into_iter().zip(results));
    }
    if !elastic.is_empty() {
        let artifacts: Vec<eql::Artifacts> = elastic.iter().map(|(_, which)| *which).collect();
        let results = eql::compile_all(rule, stem, &artifacts, cx);
        shared.extend(elastic.into_iter().map(|(target, _)| target).zip(results));
    }
    targets
        .iter()
        .map(
            |&target| match shared.iter().position(|(done, _)| *done == target) {
                Some(at) => shared.swap_remove(at),
                None => (target, compile(rule, stem, target, cx)),
            },
        )
        .collect()
}

/// Compiles one rule for one target.
pub fn compile(
    rule: &Rule,
    stem: &str,
    target: Target,
    cx: &Context<'_>,
) -> Result<Vec<Artifact>, CompileError> {
    backend(target).compile(rule, stem, cx)
}
