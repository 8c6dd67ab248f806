//! A compact, stable text form of the IR, one predicate per line, for fixtures and `explain`.

use std::fmt::{self, Write as _};

use super::{Case, CompareOp, Expr, Literal, Pred, Test, TextOp};

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_expr(self, 0, &mut out);
        f.write_str(out.trim_end())
    }
}

fn write_expr(expr: &Expr, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    match expr {
        Expr::And(items) | Expr::Or(items) => {
            let name = if matches!(expr, Expr::And(_)) {
                "and"
            } else {
                "or"
            };
            let _ = writeln!(out, "{indent}{name}");
            items
                .iter()
                .for_each(|item| write_expr(item, depth + 1, out));
        }
        Expr::Not(inner) => {
            let _ = writeln!(out, "{indent}not");
            write_expr(inner, depth + 1, out);
        }
        Expr::Pred(pred) => {
            let _ = writeln!(out, "{indent}{pred}");
        }
    }
}

/// `path [!]test operand`: `!` marks a negated predicate.
impl fmt::Display for Pred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bang = if self.negated { "!" } else { "" };
        write!(f, "{} {bang}{}", self.path, self.test)
    }
}

impl fmt::Display for Test {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Test::Exists => f.write_str("exists"),
            Test::NotEmpty => f.write_str("not_empty"),
            Test::Equals { values, case } => {
                let values: Vec<String> = values.iter().map(literal).collect();
                write!(f, "eq{} [{}]", suffix(*case), values.join(", "))
            }
            Test::Text { op, needles, case } => {
                let name = match op {
                    TextOp::Contains => "contains",
                    TextOp::StartsWith => "startswith",
                    TextOp::EndsWith => "endswith",
                };
                let needles: Vec<String> = needles.iter().map(|needle| quote(needle)).collect();
                write!(f, "{name}{} [{}]", suffix(*case), needles.join(", "))
            }
            Test::Regex { patterns, case } => {
                let patterns: Vec<String> = patterns
                    .iter()
                    .map(|p| format!("/{}/", p.to_rust()))
                    .collect();
                write!(f, "regex{} [{}]", suffix(*case), patterns.join(", "))
            }
            Test::Compare { op, value } => {
                let name = match op {
                    CompareOp::Gt => "gt",
                    CompareOp::Ge => "ge",
                    CompareOp::Lt => "lt",
                    CompareOp::Le => "le",
                };
                write!(f, "{name} {}", value.text)
            }
        }
    }
}

fn suffix(case: Case) -> &'static str {
    match case {
        Case::Insensitive => "",
        Case::Sensitive => "_cs",
    }
}

fn literal(literal: &Literal) -> String {
    match literal {
        Literal::Str(text) => quote(text),
        Literal::Num(number) => number.text.clone(),
        Literal::Bool(flag) => flag.to_string(),
    }
}

/// A string as a double-quoted condition literal, with an escape for every character
/// [`needs_escape`] names.
pub fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters a condition literal writes as escapes: control characters, and those YAML
/// would not keep in a rule file's block scalar (line and paragraph separators, byte-order
/// marks, non-characters).
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}
