//! Sigma files as a tree of YAML nodes that remember where they are, so every refusal can
//! point at the key or value it is about.
//!
//! Scalars keep their text and whether they were quoted: Sigma gives `4688` and `'4688'`
//! different meanings, and the rest of the importer resolves plain scalars the way PyYAML
//! (which the Sigma tools read rules with) does.

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as YamlSpan};

use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// One YAML node and the bytes of the file it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// A scalar's bytes; where a collection starts.
    pub span: Span,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A scalar's text, and whether it was written without quotes (a plain scalar may be a
    /// number, a boolean or null).
    Scalar {
        text: String,
        plain: bool,
    },
    Sequence(Vec<Node>),
    /// Entries in file order.
    Mapping(Vec<(Node, Node)>),
}

/// What a plain scalar means, read as PyYAML reads YAML 1.1 documents.
#[derive(Debug, Clone, PartialEq)]
pub enum Plain<'a> {
    Null,
    Bool(bool),
    /// A number's text in the condition language's number syntax: an integer as Python
    /// writes it (`str()`), which Sigma's tools compare as text, and a float as the language
    /// writes its value (`2.0` is `2`), which Sigma's tools compare as a number.
    Number(String),
    Text(&'a str),
}

impl Node {
    /// The scalar's text, if the node is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The value of a scalar: a plain one resolved, a quoted one always text.
    pub fn scalar(&self) -> Option<Plain<'_>> {
        match &self.kind {
            Kind::Scalar { text, plain: true } => Some(resolve_plain(text)),
            Kind::Scalar { text, plain: false } => Some(Plain::Text(text)),
            _ => None,
        }
    }

    /// Whether the node is a plain scalar PyYAML reads as an infinite or NaN float
    /// (`.inf`, `-.Inf`, `.NaN`), which [`Node::scalar`] leaves as text.
    pub fn is_non_finite_float(&self) -> bool {
        let Kind::Scalar { text, plain: true } = &self.kind else {
            return false;
        };
        let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
        matches!(unsigned, ".inf" | ".Inf" | ".INF")
            || matches!(text.as_str(), ".nan" | ".NaN" | ".NAN")
    }

    /// The value under `key`, if the node is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Mapping(entries) => entries
                .iter()
                .find(|(name, _)| name.as_str() == Some(key))
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// The entry (key and value) named `key`.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.kind {
            Kind::Mapping(entries) => entries
                .iter()
                .find(|(name, _)| name.as_str() == Some(key))
                .map(|(name, value)| (name, value)),
            _ => None,
        }
    }

    /// The kind, as messages name it.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar { .. } => "a scalar",
            Kind::Sequence(_) => "a list",
            Kind::Mapping(_) => "a mapping",
        }
    }
}

fn resolve_plain(text: &str) -> Plain<'_> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Plain::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Plain::Bool(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            Plain::Bool(false)
        }
        _ => integer(text)
            .or_else(|| float(text))
            .map_or(Plain::Text(text), Plain::Number),
    }
}

/// YAML 1.1 integers as PyYAML reads them: decimal, `0b` binary, `0` octal, `0x` hex and
/// base-60 (`1:30` is 90), with `_` separators; written in decimal.
fn integer(text: &str) -> Option<String> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let digits: String = body.chars().filter(|&c| c != '_').collect();
    let value = if let Some(binary) = body.strip_prefix("0b") {
        u128::from_str_radix(&binary.replace('_', ""), 2).ok()?
    } else if let Some(hex) = body.strip_prefix("0x") {
        u128::from_str_radix(&hex.replace('_', ""), 16).ok()?
    } else if body.contains(':') {
        sexagesimal(body)?
    } else if body.len() > 1 && body.starts_with('0') {
        u128::from_str_radix(&digits, 8).ok()?
    } else if body.starts_with(|c: char| c.is_ascii_digit()) {
        digits.parse::<u128>().ok()?
    } else {
        return None;
    };
    Some(if negative && value != 0 {
        format!("-{value}")
    } else {
        value.to_string()
    })
}

fn sexagesimal(body: &str) -> Option<u128> {
    let mut parts = body.split(':');
    let first = parts.next()?;
    if !first.starts_with(|c: char| ('1'..='9').contains(&c)) {
        return None;
    }
    let mut value: u128 = first.replace('_', "").parse().ok()?;
    for part in parts {
        let sixty: u128 = part.parse().ok().filter(|n| *n < 60 && part.len() <= 2)?;
        value = value.checked_mul(60)?.checked_add(sixty)?;
    }
    Some(value)
}

/// YAML 1.1 floats as PyYAML reads them: they need a `.` (`1e3` is text), may hold `_`,
/// an exponent needs its sign, a signed one needs a digit before the `.` (`-.5` is text),
/// and base 60 works as for integers (`1:30.5` is 90.5). Infinities and NaN are not read
/// here: the importer refuses them ([`Node::is_non_finite_float`]). Written as the condition language writes the number's value (`2.0` is `2`), so
/// that it matches the number however an event writes it, as Sigma's tools compare it.
fn float(text: &str) -> Option<String> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.')?;
    let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit() || c == '_');
    let signed = body.len() != text.len();
    let whole_ok = whole.is_empty() && !fraction.is_empty() && !signed
        || whole.starts_with(|c: char| c.is_ascii_digit()) && digits(whole);
    let exponent_ok = exponent.is_none_or(|exponent| {
        exponent.starts_with(['-', '+'])
            && exponent.len() > 1
            && exponent[1..].chars().all(|c| c.is_ascii_digit())
    });
    let magnitude: f64 = if whole.contains(':') && exponent.is_none() && digits(fraction) {
        let fraction: f64 = format!("0.{}", fraction.replace('_', "")).parse().ok()?;
        sexagesimal(whole)? as f64 + fraction
    } else if whole_ok && digits(fraction) && exponent_ok {
        body.replace('_', "").parse().ok()?
    } else {
        return None;
    };
    let value = if negative { -magnitude } else { magnitude };
    value
        .is_finite()
        .then(|| crate::value::number_text(if value == 0.0 { 0.0 } else { value }))
}

/// Reads every document of a file. A file that is not YAML, or that uses YAML's anchors,
/// aliases or tags (which Sigma rules do not), is one error at the place of the problem.
pub fn parse_documents(file: &SourceFile) -> Result<Vec<Node>, Diagnostic> {
    let offsets = ByteOffsets::new(&file.text);
    let mut builder = Builder::default();
    for event in Parser::new_from_str(&file.text) {
        let (event, span) = event.map_err(|error| scan_error(&offsets, &error))?;
        builder
            .push(event, offsets.span(&span))
            .map_err(|(span, message)| Diagnostic::new(message).at(span))?;
    }
    Ok(builder.documents)
}

fn scan_error(offsets: &ByteOffsets, error: &ScanError) -> Diagnostic {
    let at = offsets.byte(error.marker().index());
    Diagnostic::new(format!("not valid YAML: {}", error.info())).at(at..at)
}

/// Builds nodes from the parser's events with a stack of open collections.
#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    documents: Vec<Node>,
}

enum Open {
    Sequence(Span, Vec<Node>),
    /// Entries so far, and a key waiting for its value.
    Mapping(Span, Vec<(Node, Node)>, Option<Node>),
}

type BuildError = (Span, String);

impl Builder {
    fn push(&mut self, event: Event<'_>, span: Span) -> Result<(), BuildError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                refuse_extras(anchor, tag.is_some(), &span)?;
                let kind = Kind::Scalar {
                    text: text.into_owned(),
                    plain: style == ScalarStyle::Plain,
                };
                self.finish(Node { span, kind })
            }
            Event::SequenceStart(anchor, tag) => {
                refuse_extras(anchor, tag.is_some(), &span)?;
                self.stack.push(Open::Sequence(span, Vec::new()));
                Ok(())
            }
            Event::MappingStart(anchor, tag) => {
                refuse_extras(anchor, tag.is_some(), &span)?;
                self.stack.push(Open::Mapping(span, Vec::new(), None));
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                // A collection is shown where it starts, not over all its lines.
                let node = match self.stack.pop() {
                    Some(Open::Sequence(start, items)) => Node {
                        span: start,
                        kind: Kind::Sequence(items),
                    },
                    Some(Open::Mapping(start, entries, _)) => Node {
                        span: start,
                        kind: Kind::Mapping(entries),
                    },
                    None => return Err((span, "unbalanced YAML collection".to_string())),
                };
                self.finish(node)
            }
            Event::Alias(_) => Err((span, "YAML aliases are not supported here".to_string())),
            _ => Ok(()),
        }
    }

    /// Places a finished node: into the open collection, or as a document.
    fn finish(&mut self, node: Node) -> Result<(), BuildError> {
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some(Open::Sequence(_, items)) => items.push(node),
            Some(Open::Mapping(_, entries, pending)) => match pending.take() {
                None => {
                    if entries.iter().any(|(key, _)| key.kind == node.kind) {
                        let name = node.as_str().unwrap_or("this key").to_string();
                        return Err((node.span, format!("duplicate key `{name}`")));
                    }
                    *pending = Some(node);
                }
                Some(key) => entries.push((key, node)),
            },
        }
        Ok(())
    }
}

fn refuse_extras(anchor: usize, tagged: bool, span: &Span) -> Result<(), BuildError> {
    if anchor != 0 {
        return Err((
            span.clone(),
            "YAML anchors are not supported here".to_string(),
        ));
    }
    if tagged {
        return Err((span.clone(), "YAML tags are not supported here".to_string()));
    }
    Ok(())
}

/// The parser counts characters; diagnostics want bytes.
struct ByteOffsets {
    /// The byte offset of each character, or nothing when the text is ASCII.
    starts: Option<Vec<usize>>,
    len: usize,
}

impl ByteOffsets {
    fn new(text: &str) -> Self {
        let starts = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        ByteOffsets {
            starts,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.starts {
            None => char_index.min(self.len),
            Some(starts) => starts.get(char_index).copied().unwrap_or(self.len),
        }
    }

    fn span(&self, span: &YamlSpan) -> Span {
        self.byte(span.start.index())..self.byte(span.end.index())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Node>, Diagnostic> {
        parse_documents(&SourceFile::new("t.yml", text))
    }

    #[test]
    fn scalars_keep_their_text_quoting_and_bytes() {
        let text = "a: 4688\nb: '4688'\nc: é\nd: x\n";
        let docs = parse(text).expect("valid");
        let doc = &docs[0];
        assert_eq!(
            doc.get("a").and_then(Node::scalar),
            Some(Plain::Number("4688".into()))
        );
        assert_eq!(
            doc.get("b").and_then(Node::scalar),
            Some(Plain::Text("4688"))
        );
        let d = doc.entry("d").expect("d").0;
        assert_eq!(&text[d.span.clone()], "d");
    }

    #[test]
    fn plain_scalars_resolve_as_pyyaml_does() {
        let number = |text: &str| Plain::Number(text.to_string());
        assert_eq!(resolve_plain("yes"), Plain::Bool(true));
        assert_eq!(resolve_plain("Off"), Plain::Bool(false));
        assert_eq!(resolve_plain("~"), Plain::Null);
        assert_eq!(resolve_plain("-1.5"), number("-1.5"));
        assert_eq!(resolve_plain("4688"), number("4688"));
        assert_eq!(resolve_plain("0x1F"), number("31"));
        assert_eq!(resolve_plain("017"), number("15"));
        assert_eq!(resolve_plain("1_000"), number("1000"));
        assert_eq!(resolve_plain("1:30"), number("90"));
        assert_eq!(resolve_plain("1.5e+3"), number("1500"));
        assert_eq!(resolve_plain("2.50"), number("2.5"));
        assert_eq!(resolve_plain("2.0"), number("2"));
        assert_eq!(resolve_plain("0.00001"), number("0.00001"));
        assert_eq!(resolve_plain("1.0e+20"), number("100000000000000000000"));
        assert_eq!(resolve_plain("-0.0"), number("0"));
        assert_eq!(resolve_plain(".5"), number("0.5"));
        assert_eq!(resolve_plain("-.5"), Plain::Text("-.5"));
        assert_eq!(resolve_plain("+.5"), Plain::Text("+.5"));
        assert_eq!(resolve_plain("1:30.5"), number("90.5"));
        assert_eq!(resolve_plain("-1:30.25"), number("-90.25"));
        assert_eq!(resolve_plain("00000429"), Plain::Text("00000429"));
        assert_eq!(resolve_plain("1e3"), Plain::Text("1e3"));
        assert_eq!(resolve_plain("0427a"), Plain::Text("0427a"));
        assert_eq!(resolve_plain(".inf"), Plain::Text(".inf"));
    }

    #[test]
    fn problems_are_errors_at_their_place() {
        for bad in ["a: &x 1\nb: *x\n", "a: !tag 1\n", "a: 1\na: 2\n", "a: [1\n"] {
            let error = parse(bad).expect_err(bad);
            assert!(error.span.is_some(), "{bad}: {error:?}");
        }
    }
}
