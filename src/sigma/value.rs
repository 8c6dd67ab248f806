//! Sigma's detection values: strings with `*` and `?` wildcards, numbers, booleans, null,
//! and what modifiers turn them into (regexes, comparisons, existence tests).

use crate::sigma::yaml::{Node, Plain};

/// A Sigma string: literal text between wildcards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigmaString {
    pub parts: Vec<Part>,
    /// The text as written, which the `re` modifier reads as a regex.
    pub original: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    /// `*`: any run of characters, empty included.
    AnyRun,
    /// `?`: any one character.
    AnyOne,
}

impl SigmaString {
    /// Reads Sigma's escapes: `\*`, `\?` and `\\` are the characters themselves, and a
    /// backslash before anything else (or at the end) is a plain backslash.
    pub fn parse(text: &str) -> Self {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.peek() {
                    Some(&next @ ('*' | '?' | '\\')) => {
                        literal.push(next);
                        chars.next();
                    }
                    _ => literal.push('\\'),
                },
                '*' | '?' => {
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(if c == '*' { Part::AnyRun } else { Part::AnyOne });
                }
                _ => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        SigmaString {
            parts,
            original: text.to_string(),
        }
    }

    /// A string of plain text, no wildcards.
    pub fn text(text: String) -> Self {
        SigmaString {
            original: text.clone(),
            parts: if text.is_empty() {
                Vec::new()
            } else {
                vec![Part::Text(text)]
            },
        }
    }

    /// The text, when there are no wildcards.
    pub fn plain(&self) -> Option<String> {
        let mut text = String::new();
        for part in &self.parts {
            match part {
                Part::Text(piece) => text.push_str(piece),
                _ => return None,
            }
        }
        Some(text)
    }

    pub fn starts_with_any_run(&self) -> bool {
        self.parts.first() == Some(&Part::AnyRun)
    }

    pub fn ends_with_any_run(&self) -> bool {
        self.parts.last() == Some(&Part::AnyRun)
    }

    /// Rewrites every text part, keeping the wildcards where they are.
    pub fn map_text(&self, mut f: impl FnMut(&str) -> Option<String>) -> Option<Self> {
        let parts = self
            .parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => f(text).map(Part::Text),
                other => Some(other.clone()),
            })
            .collect::<Option<Vec<_>>>()?;
        Some(SigmaString {
            parts,
            original: self.original.clone(),
        })
    }
}

/// A detection value once its modifiers have been applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str {
        string: SigmaString,
        /// `cased`: compare case-sensitively.
        cased: bool,
    },
    /// A number, with its text as written.
    Number(String),
    Bool(bool),
    /// `null`: the field is missing or null.
    Null,
    Regex {
        pattern: String,
        ignore_case: bool,
        multiline: bool,
        dot_all: bool,
    },
    /// `exists`: whether the field is there.
    Exists(bool),
    Compare {
        op: Compare,
        number: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Value {
    /// A value as written in the rule, before any modifier.
    pub fn from_node(node: &Node) -> Option<Value> {
        Some(match node.scalar()? {
            Plain::Null => Value::Null,
            Plain::Bool(value) => Value::Bool(value),
            Plain::Number(text) => Value::Number(text),
            Plain::Text(text) => Value::Str {
                string: SigmaString::parse(text),
                cased: false,
            },
        })
    }

    /// The kind, as messages name it.
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Str { .. } => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Null => "null",
            Value::Regex { .. } => "a regex",
            Value::Exists(_) => "an existence test",
            Value::Compare { .. } => "a comparison",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_wildcards_read_as_sigma_defines_them() {
        let s = SigmaString::parse(r"C:\Windows\*\\*a?b\");
        assert_eq!(
            s.parts,
            vec![
                Part::Text(r"C:\Windows*\".into()),
                Part::AnyRun,
                Part::Text("a".into()),
                Part::AnyOne,
                Part::Text("b\\".into()),
            ]
        );
        assert_eq!(
            SigmaString::parse(r"\\server").plain().as_deref(),
            Some(r"\server")
        );
        assert_eq!(SigmaString::parse("").parts, vec![]);
    }
}
