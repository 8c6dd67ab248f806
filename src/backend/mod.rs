//! The backends: one per target, behind one trait.
//!
//! A backend turns a loaded [`Rule`] into its artifacts: the query, emitted from the IR with
//! negation pushed down, and the rule files around it, rendered from templates. A construct
//! a target cannot express exactly is refused with [`CompileError::Unsupported`]; ruleport
//! never emits a query that means something else.

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
use crate::mapping::Mappings;
use crate::rule::Rule;
use crate::source::Span;
use crate::target::Target;
use crate::templates::Templates;

/// What every backend can use: mappings and templates.
pub struct Context<'a> {
    pub mappings: &'a Mappings,
    pub templates: &'a Templates,
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
        /// The predicate's span in the condition, when one predicate is to blame.
        span: Option<Span>,
    },
    /// A template failed to render, or a mapping is missing something the target needs.
    Render(String),
}

impl CompileError {
    pub fn unsupported(
        construct: impl Into<String>,
        reason: impl Into<String>,
        span: Option<Span>,
    ) -> Self {
        CompileError::Unsupported {
            construct: construct.into(),
            reason: reason.into(),
            span,
        }
    }

    /// The error as a diagnostic in the rule's file, naming rule, construct and target.
    pub fn to_diagnostic(&self, rule: &Rule, target: Target) -> Diagnostic {
        match self {
            CompileError::Unsupported {
                construct,
                reason,
                span,
            } => {
                let message = format!(
                    "rule `{}` cannot be compiled for {target}: {construct} is not supported",
                    rule.meta.rule_id
                );
                let diagnostic = Diagnostic::new(message).with_hint(reason.clone());
                let span = match span {
                    Some(span) => rule.condition_map.to_file(span),
                    None => rule.condition_map.key(),
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

/// Compiles one rule for one target.
pub fn compile(
    rule: &Rule,
    stem: &str,
    target: Target,
    cx: &Context<'_>,
) -> Result<Vec<Artifact>, CompileError> {
    backend(target).compile(rule, stem, cx)
}
