//! Diagnostics as plain data, and the one place that renders them as caret reports.
//!
//! Every stage returns [`Diagnostic`] values carrying a span into the rule file; only
//! [`render`] knows how they look on a terminal.

use std::fmt::Write as _;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config};
use serde::Serialize;

use crate::source::{SourceFile, Span};

/// One problem found in a rule file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where in the file; `None` when the problem belongs to the file as a whole.
    pub span: Option<Span>,
    /// A short note shown under the caret.
    pub label: Option<String>,
    /// How to fix it.
    pub hint: Option<String>,
    /// A known limit rather than a problem: rendered as a note.
    pub is_note: bool,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            span: None,
            label: None,
            hint: None,
            is_note: false,
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Marks the diagnostic as a note: a known limit, not a failure.
    pub fn as_note(mut self) -> Self {
        self.is_note = true;
        self
    }

    /// The diagnostic's position for machine-readable output.
    pub fn location(&self, file: &SourceFile) -> Location {
        let (line, column) = self
            .span
            .as_ref()
            .map_or((1, 1), |span| file.line_col(span.start));
        Location {
            message: self.message.clone(),
            line,
            column,
        }
    }
}

/// The JSON form of a diagnostic: message plus 1-based line and column.
#[derive(Debug, Clone, Serialize)]
pub struct Location {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

/// Renders diagnostics as caret reports quoting `file`, one after the other.
pub fn render(file: &SourceFile, diagnostics: &[Diagnostic]) -> String {
    let files = SimpleFile::new(file.path.display().to_string(), &*file.text);
    let config = Config::default();
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = if diagnostic.is_note {
            Report::note()
        } else {
            Report::error()
        };
        // A report with no place in the file shows no file either: name it in the message.
        let mut report = match &diagnostic.span {
            Some(_) => report.with_message(&diagnostic.message),
            None => report.with_message(format!("{}: {}", file.path.display(), diagnostic.message)),
        };
        if let Some(span) = &diagnostic.span {
            let span = clamp(span, &file.text);
            let label = Label::primary((), span);
            let label = match &diagnostic.label {
                Some(text) => label.with_message(text),
                None => label,
            };
            report = report.with_labels(vec![label]);
        }
        if let Some(hint) = &diagnostic.hint {
            report = report.with_notes(vec![format!("help: {hint}")]);
        }
        match term::emit_into_string(&config, &files, &report) {
            Ok(text) => out.push_str(&text),
            Err(_) => {
                let Location {
                    message,
                    line,
                    column,
                } = diagnostic.location(file);
                let path = file.path.display();
                let _ = writeln!(out, "error: {message}\n  --> {path}:{line}:{column}");
            }
        }
    }
    out
}

/// Keeps a span inside the text and on character boundaries, so rendering never fails on it.
fn clamp(span: &Span, text: &str) -> Span {
    let fix = |mut at: usize| {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let start = fix(span.start);
    start..fix(span.end).max(start)
}
