//! The Panther backend: a Python rule (`<stem>.py`) and its analysis YAML (`<stem>.yml`)
//! that `panther_analysis_tool test` accepts, with the rule's tests carried over.
//!
//! The Python is self-contained (standard library only) and reads the event's own data, so
//! keys match exactly as the language says, even though Panther's event wrapper looks keys
//! up in any case. Fields are read by their raw paths: Panther keeps each log type's
//! fields as the log writes them.

mod escape;
mod pattern;
mod python;

pub use escape::python_str;

use serde::Serialize;

use super::context::RuleView;
use super::escape::{yaml_flow, yaml_quoted};
use super::{Artifact, Backend, CompileError, Context};
use crate::rule::Rule;

/// Characters Panther refuses in a `RuleID` or `DisplayName`.
const REFUSED_IN_NAMES: [char; 5] = ['<', '>', '&', '"', '%'];

/// Where each test's `Log` starts in the YAML template: lines after the first are indented
/// past the `Log:` key.
const LOG_INDENT: usize = 6;

pub struct PantherBackend;

#[derive(Serialize)]
struct PantherView<'a> {
    rule: RuleView,
    python: python::RuleCode,
    reports: Vec<Report<'a>>,
    tests: Vec<TestView<'a>>,
}

#[derive(Serialize)]
struct Report<'a> {
    framework: &'a str,
    ids: &'a [String],
}

#[derive(Serialize)]
struct TestView<'a> {
    name: &'a str,
    expected: bool,
    log_type: Option<&'a str>,
    /// The event as an indented YAML flow mapping.
    log: String,
}

impl Backend for PantherBackend {
    fn compile(
        &self,
        rule: &Rule,
        stem: &str,
        cx: &Context<'_>,
    ) -> Result<Vec<Artifact>, CompileError> {
        check_name("RuleID", &rule.meta.rule_id)?;
        check_name("DisplayName", &rule.meta.display_name)?;

        let view = PantherView {
            rule: RuleView::new(rule, stem),
            python: python::emit(rule)?,
            reports: rule
                .meta
                .reports
                .iter()
                .map(|(framework, ids)| Report { framework, ids })
                .collect(),
            tests: rule
                .meta
                .tests
                .iter()
                .map(|test| TestView {
                    name: &test.name,
                    expected: test.expected_result,
                    log_type: test.log_type.as_deref(),
                    log: yaml_flow(&test.log, LOG_INDENT),
                })
                .collect(),
        };
        let render = |template: &str| {
            cx.templates
                .render(template, &view)
                .map_err(CompileError::Render)
        };
        Ok(vec![
            Artifact {
                path: format!("{stem}.py").into(),
                content: render("panther/rule.py")?,
            },
            Artifact {
                path: format!("{stem}.yml").into(),
                content: render("panther/rule.yml")?,
            },
        ])
    }
}

/// Panther's schema refuses `<`, `>`, `&`, `"` and `%` in ids and display names.
fn check_name(key: &str, value: &str) -> Result<(), CompileError> {
    if !value.is_empty() && !value.contains(REFUSED_IN_NAMES) {
        return Ok(());
    }
    Err(CompileError::unsupported(
        format!("the {key} {}", yaml_quoted(value)),
        format!("Panther requires a non-empty {key} without <, >, &, \" or %"),
        None,
    ))
}
