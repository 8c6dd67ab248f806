//! Writes a [`Cond`] as condition text: one top-level conjunct per line, lines kept within
//! [`WIDTH`] columns by breaking long `or` chains and long lists, negated equality written
//! with `ne`, `not_in` and `is_not_null`.

use std::fmt::Write as _;

use super::tree::{Cond, Literal, Op, Pred};
use crate::ir::print::{needs_escape, quote};
use crate::source::Span;

/// Lines longer than this are broken where the language allows.
const WIDTH: usize = 100;

/// How tightly an operator binds, for parentheses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Line,
    Or,
    And,
    Not,
}

/// The condition text, and where each predicate was written in it (with the predicate's
/// origin in the Sigma file), so problems found in the text can be shown in the Sigma rule.
pub struct Printed {
    pub text: String,
    pub predicates: Vec<(Span, Span)>,
}

pub fn print(cond: &Cond) -> Printed {
    let mut writer = Writer {
        out: String::new(),
        predicates: Vec::new(),
    };
    let lines: Vec<&Cond> = match cond {
        Cond::And(items) => items.iter().collect(),
        other => vec![other],
    };
    for line in lines {
        writer.expr(line, Prec::Line, 0);
        writer.out.push('\n');
    }
    Printed {
        text: writer.out,
        predicates: writer.predicates,
    }
}

struct Writer {
    out: String,
    predicates: Vec<(Span, Span)>,
}

impl Writer {
    /// Writes `cond` at the current position, whose line is indented by `indent`.
    fn expr(&mut self, cond: &Cond, parent: Prec, indent: usize) {
        let column = self.column();
        let flat = flat(cond, parent);
        if column + flat.len() <= WIDTH || !breakable(cond) {
            self.record(cond, parent, false, indent);
            return;
        }
        self.record(cond, parent, true, indent);
    }

    fn column(&self) -> usize {
        self.out.len() - self.out.rfind('\n').map_or(0, |newline| newline + 1)
    }

    fn newline(&mut self, indent: usize) {
        self.out.push('\n');
        self.out.push_str(&" ".repeat(indent));
    }

    /// Writes `cond`, broken over lines when `broken`.
    fn record(&mut self, cond: &Cond, parent: Prec, broken: bool, indent: usize) {
        match cond {
            Cond::Pred(pred) => self.pred(pred, false, broken, indent),
            Cond::Not(inner) => match inner.as_ref() {
                Cond::Pred(pred) if negatable(pred) => self.pred(pred, true, broken, indent),
                inner => {
                    self.out.push_str("not ");
                    self.expr(inner, Prec::Not, indent);
                }
            },
            Cond::And(items) | Cond::Or(items) => {
                let (prec, word) = match cond {
                    Cond::And(_) => (Prec::And, "and"),
                    _ => (Prec::Or, "or"),
                };
                let parens = parent > prec && parent != Prec::Line || parent == Prec::Not;
                let inner = if parens { indent + 4 } else { indent + 2 };
                if parens {
                    self.out.push('(');
                    if broken {
                        self.newline(inner);
                    }
                }
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        if broken {
                            self.newline(inner.max(indent + 2));
                        } else {
                            self.out.push(' ');
                        }
                        self.out.push_str(word);
                        self.out.push(' ');
                    }
                    let indent = if broken { inner } else { indent };
                    self.expr(item, prec, indent);
                }
                if parens {
                    if broken {
                        self.newline(indent);
                    }
                    self.out.push(')');
                }
            }
        }
    }

    fn pred(&mut self, pred: &Pred, negated: bool, broken: bool, indent: usize) {
        let start = self.out.len();
        let _ = write!(self.out, "{} {}", pred.path, operator(pred, negated));
        match pred.values.as_slice() {
            [] => {}
            [one] if !(pred.op == Op::Eq && pred.values.len() > 1) => {
                self.out.push(' ');
                self.out.push_str(&literal(one));
            }
            many if broken => {
                self.out.push_str(" [");
                for value in many {
                    self.newline(indent + 4);
                    self.out.push_str(&literal(value));
                    self.out.push(',');
                }
                self.newline(indent + 2);
                self.out.push(']');
            }
            many => {
                self.out.push_str(" [");
                let items: Vec<String> = many.iter().map(literal).collect();
                self.out.push_str(&items.join(", "));
                self.out.push(']');
            }
        }
        self.predicates
            .push((start..self.out.len(), pred.origin.clone()));
    }
}

/// Whether `cond` can be written over several lines.
fn breakable(cond: &Cond) -> bool {
    match cond {
        Cond::Pred(pred) => pred.values.len() > 1,
        Cond::Not(inner) => breakable(inner),
        _ => true,
    }
}

/// `cond` on one line.
fn flat(cond: &Cond, parent: Prec) -> String {
    let mut writer = Writer {
        out: String::new(),
        predicates: Vec::new(),
    };
    writer.record(cond, parent, false, 0);
    writer.out
}

/// Whether a negated predicate has an operator of its own.
fn negatable(pred: &Pred) -> bool {
    matches!(pred.op, Op::Eq | Op::IsNull | Op::IsNotNull)
}

fn operator(pred: &Pred, negated: bool) -> String {
    let several = pred.values.len() > 1;
    let name = match (pred.op, negated) {
        (Op::Eq, false) if several => "in",
        (Op::Eq, false) => "eq",
        (Op::Eq, true) if several => "not_in",
        (Op::Eq, true) => "ne",
        (Op::IsNull, false) | (Op::IsNotNull, true) => "is_null",
        (Op::IsNotNull, false) | (Op::IsNull, true) => "is_not_null",
        (Op::Contains, _) => "contains",
        (Op::StartsWith, _) => "startswith",
        (Op::EndsWith, _) => "endswith",
        (Op::Regex, _) => "regex",
        (Op::Gt, _) => "gt",
        (Op::Ge, _) => "ge",
        (Op::Lt, _) => "lt",
        (Op::Le, _) => "le",
    };
    if pred.cased {
        format!("{name}_cs")
    } else {
        name.to_string()
    }
}

/// A literal as the condition language writes it: a string single-quoted (raw) when that
/// reads better and is possible, else double-quoted with escapes.
pub fn literal(literal: &Literal) -> String {
    match literal {
        Literal::Number(text) => text.clone(),
        Literal::Bool(value) => value.to_string(),
        Literal::Str(text) => {
            let raw_is_clearer = text.contains(['\\', '"']);
            if raw_is_clearer && !text.contains('\'') && !text.chars().any(needs_escape) {
                return format!("'{text}'");
            }
            quote(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Path, Segment};
    use crate::syntax::parse_condition;

    fn pred(field: &str, op: Op, values: &[&str]) -> Cond {
        Cond::Pred(Pred {
            path: Path {
                segments: field.split('.').map(|k| Segment::Key(k.into())).collect(),
            },
            op,
            cased: false,
            values: values.iter().map(|v| Literal::Str(v.to_string())).collect(),
            origin: 0..0,
        })
    }

    #[test]
    fn conjuncts_go_on_lines_and_negations_read_naturally() {
        let cond = Cond::and(vec![
            pred("Image", Op::EndsWith, &[r"\cmd.exe"]),
            Cond::or(vec![
                pred("a", Op::Eq, &["x"]),
                pred("b", Op::Contains, &["y"]),
            ]),
            Cond::not(pred("User", Op::Eq, &["SYSTEM", "LOCAL"])),
            Cond::not(Cond::and(vec![
                pred("c", Op::Contains, &["z"]),
                pred("d", Op::IsNull, &[]),
            ])),
        ]);
        let printed = print(&cond);
        assert_eq!(
            printed.text,
            "Image endswith '\\cmd.exe'\n\
             a eq \"x\" or b contains \"y\"\n\
             User not_in [\"SYSTEM\", \"LOCAL\"]\n\
             not (c contains \"z\" and d is_null)\n"
        );
        assert_eq!(printed.predicates.len(), 6);
        parse_condition(&printed.text).expect("parses");
    }

    #[test]
    fn long_lines_break_where_the_language_allows() {
        let many: Vec<String> = (0..30).map(|i| format!("value-{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let cond = Cond::and(vec![
            Cond::or(vec![
                pred("CommandLine", Op::Contains, &many),
                pred("Image", Op::EndsWith, &many),
            ]),
            Cond::not(Cond::or(vec![
                pred("ParentImage", Op::EndsWith, &many),
                pred("x", Op::Eq, &["y"]),
            ])),
        ]);
        let printed = print(&cond);
        assert!(
            printed.text.lines().all(|line| line.len() <= WIDTH),
            "{}",
            printed.text
        );
        let parsed = parse_condition(&printed.text).expect("parses");
        let one_line = parse_condition(&flat(&cond, Prec::Line)).expect("parses");
        assert_eq!(
            crate::ir::lower_to_ir(&parsed).expect("lowers").to_string(),
            crate::ir::lower_to_ir(&one_line)
                .expect("lowers")
                .to_string()
        );
    }

    #[test]
    fn literals_are_escaped_or_raw() {
        assert_eq!(literal(&Literal::Str("a'b\\".into())), r#""a'b\\""#);
        assert_eq!(literal(&Literal::Str("tab\there".into())), r#""tab\there""#);
        assert_eq!(literal(&Literal::Str("\u{0}x".into())), r#""\u{0}x""#);
        assert_eq!(literal(&Literal::Str(r"C:\Temp".into())), r"'C:\Temp'");
        assert_eq!(literal(&Literal::Number("-1.5".into())), "-1.5");
    }
}
