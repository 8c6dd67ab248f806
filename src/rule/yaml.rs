//! Positions in YAML rule files: serde_yaml's errors as diagnostics (with a "did you mean"
//! for misspelt keys and values), and where a top-level key is.

use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// serde's wording for an unknown key or enum value, and the list of valid ones.
static UNKNOWN: LazyLock<Regex> = LazyLock::new(|| {
    constant(concat!(
        r"^(?:(?P<path>\S+): )?unknown (?P<what>field|variant) `(?P<name>[^`]*)`, ",
        r"expected (?P<rest>.*)$",
    ))
});
static QUOTED: LazyLock<Regex> = LazyLock::new(|| constant(r"`([^`]*)`"));
static POSITION: LazyLock<Regex> = LazyLock::new(|| constant(r" at line \d+ column \d+"));

fn constant(pattern: &str) -> Regex {
    Regex::new(pattern).expect("constant patterns are valid")
}

pub fn to_diagnostic(file: &SourceFile, error: &serde_yaml::Error) -> Diagnostic {
    let text = error.to_string();
    let text = POSITION.replace(&text, "").into_owned();
    let span = error.location().map(|location| {
        let start = file.line_start(location.line()).unwrap_or(0);
        let line = &file.text[start..];
        let column: usize = line
            .chars()
            .take(location.column().saturating_sub(1))
            .map(char::len_utf8)
            .sum();
        let end = line[column..]
            .find(|c: char| c == ':' || c.is_whitespace())
            .unwrap_or(0);
        start + column..start + column + end
    });

    let diagnostic = unknown_name(&text).unwrap_or_else(|| Diagnostic::new(describe(&text)));
    match span {
        Some(span) => diagnostic.at(span),
        None => diagnostic,
    }
}

/// `unknown field `Severty`, expected one of ...` becomes "unknown key" with a suggestion.
fn unknown_name(text: &str) -> Option<Diagnostic> {
    let captures = UNKNOWN.captures(text)?;
    let name = &captures["name"];
    let valid: Vec<&str> = QUOTED
        .captures_iter(&captures["rest"])
        .filter_map(|quoted| quoted.get(1).map(|m| m.as_str()))
        .collect();
    let message = match (&captures["what"], captures.name("path")) {
        ("field", Some(path)) => format!("unknown key `{name}` in `{}`", path.as_str()),
        ("field", None) => format!("unknown key `{name}`"),
        (_, Some(path)) => format!("unknown value `{name}` for `{}`", path.as_str()),
        (_, None) => format!("unknown value `{name}`"),
    };
    let suggestion = valid
        .iter()
        .map(|candidate| {
            (
                strsim::jaro_winkler(&name.to_lowercase(), &candidate.to_lowercase()),
                candidate,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let hint = match suggestion {
        Some((_, candidate)) => format!("did you mean `{candidate}`?"),
        None => format!(
            "expected one of {}",
            valid
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(Diagnostic::new(message).with_hint(hint))
}

/// Rewords serde's `path: invalid type: ...` as a sentence that names the key first.
fn describe(text: &str) -> String {
    let (path, rest) = text
        .split_once(": ")
        .filter(|(path, _)| !path.contains(' '))
        .unzip();
    let rest = rest.unwrap_or(text);
    if let Some(key) = rest
        .strip_prefix("missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        return match path {
            Some(path) => format!("`{path}` lacks the required key `{key}`"),
            None => format!("the required key `{key}` is missing"),
        };
    }
    match text.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') => format!("wrong value for `{path}`: {rest}"),
        _ => text.to_string(),
    }
}

/// The span of a top-level key, for errors about its value.
pub fn key_span(text: &str, key: &str) -> Option<Span> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(':'))
        {
            return Some(offset..offset + key.len());
        }
        offset += line.len();
    }
    None
}

/// The span of an entry's key in the top-level `OutputFields` mapping.
pub fn output_field_span(text: &str, name: &str) -> Option<Span> {
    entry_span(text, "OutputFields", name)
}

/// The span of the key `name` in the mapping under the top-level key `parent`.
pub fn entry_span(text: &str, parent: &str, name: &str) -> Option<Span> {
    let start = key_span(text, parent)?.end;
    let mut offset = start + text.get(start..)?.find('\n')? + 1;
    for line in text.get(offset..)?.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        if indent == 0 && !line.trim().is_empty() {
            return None;
        }
        let quoted = line.trim_start();
        let key = quoted.trim_start_matches(['"', '\'']);
        if key
            .strip_prefix(name)
            .is_some_and(|rest| rest.trim_start_matches(['"', '\'']).starts_with(':'))
        {
            let key_start = offset + indent + (quoted.len() - key.len());
            return Some(key_start..key_start + name.len());
        }
        offset += line.len();
    }
    None
}
