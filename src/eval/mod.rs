//! The reference evaluator: the executable form of LANGUAGE.md section 3.
//!
//! Every backend is held to its verdicts. [`Evaluator::new`] does the per-rule work once
//! (folding literals, compiling regexes) so that [`Evaluator::matches`] only walks the event.
//!
//! The evaluator reads an event only through the values each predicate's path reaches
//! ([`Fields`]). A `serde_json::Value` walks the path itself; `ruleport eval` hands over
//! values it collected while parsing, so that a path read by many rules is walked once.

mod hints;

pub use hints::case_mismatches;

use std::borrow::Cow;

use regex::Regex;
use serde_json::Value;

use crate::ir::{Case, CompareOp, Expr, Literal, Path, Segment, Test, TextOp};
use crate::source::Span;
use crate::value::{numeric_value, text_of};

/// A condition compiled for evaluation.
#[derive(Debug, Clone)]
pub struct Evaluator {
    root: Node,
    /// The path of every predicate, by its number.
    paths: Vec<Path>,
}

/// The values an event's paths reach, as the evaluator asks for them.
pub trait Fields {
    /// Whether some value that `path`, the path of predicate number `predicate`, reaches in
    /// the event passes `test`. A reached value is never null: a JSON null reads as missing.
    /// A plain path reaches at most one value; `[*]` fans out over array elements.
    fn any_reached(
        &self,
        predicate: usize,
        path: &Path,
        test: &mut dyn FnMut(&Value) -> bool,
    ) -> bool;
}

/// An event walks each path itself.
impl Fields for Value {
    fn any_reached(&self, _: usize, path: &Path, test: &mut dyn FnMut(&Value) -> bool) -> bool {
        any_reached(self, &path.segments, test)
    }
}

#[derive(Debug, Clone)]
enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Pred {
        /// The predicate's number, an index into [`Evaluator::paths`].
        number: usize,
        path: Path,
        test: Check,
        negated: bool,
    },
}

#[derive(Debug, Clone)]
enum Check {
    Exists,
    NotEmpty,
    Equals(Vec<Expected>),
    Text {
        op: TextOp,
        needles: Vec<String>,
        case: Case,
    },
    Regex(Vec<Regex>),
    Compare {
        op: CompareOp,
        value: f64,
    },
}

/// One value of `eq`/`in`, prepared for comparison.
#[derive(Debug, Clone)]
enum Expected {
    /// Text, already lowercased when `case` is insensitive.
    Text(String, Case),
    Number(f64),
    Bool(bool),
}

/// A regex that the engine could not build (too large once expanded), with its predicate.
#[derive(Debug, Clone)]
pub struct EvalError {
    pub span: Span,
    pub message: String,
}

impl Evaluator {
    pub fn new(expr: &Expr) -> Result<Self, EvalError> {
        let mut paths = Vec::new();
        let root = compile(expr, &mut paths)?;
        Ok(Self { root, paths })
    }

    /// The verdict of the condition on one event.
    pub fn matches(&self, event: &Value) -> bool {
        self.matches_fields(event)
    }

    /// The verdict of the condition on an event given by the values its paths reach.
    pub fn matches_fields(&self, fields: &impl Fields) -> bool {
        eval(&self.root, fields)
    }

    /// The path of every predicate, by its number (see [`Fields::any_reached`]).
    pub fn paths(&self) -> &[Path] {
        &self.paths
    }
}

fn compile(expr: &Expr, paths: &mut Vec<Path>) -> Result<Node, EvalError> {
    let mut all = |items: &[Expr]| {
        items
            .iter()
            .map(|item| compile(item, paths))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(match expr {
        Expr::And(items) => Node::And(all(items)?),
        Expr::Or(items) => Node::Or(all(items)?),
        Expr::Not(inner) => Node::Not(Box::new(compile(inner, paths)?)),
        Expr::Pred(pred) => {
            let test = compile_test(&pred.test).map_err(|message| EvalError {
                span: pred.span.clone(),
                message,
            })?;
            paths.push(pred.path.clone());
            Node::Pred {
                number: paths.len() - 1,
                path: pred.path.clone(),
                test,
                negated: pred.negated,
            }
        }
    })
}

fn compile_test(test: &Test) -> Result<Check, String> {
    Ok(match test {
        Test::Exists => Check::Exists,
        Test::NotEmpty => Check::NotEmpty,
        Test::Equals { values, case } => Check::Equals(
            values
                .iter()
                .map(|value| match value {
                    Literal::Str(text) => Expected::Text(fold(text, *case).into_owned(), *case),
                    Literal::Num(number) => Expected::Number(number.value),
                    Literal::Bool(flag) => Expected::Bool(*flag),
                })
                .collect(),
        ),
        Test::Text { op, needles, case } => Check::Text {
            op: *op,
            needles: needles
                .iter()
                .map(|needle| fold(needle, *case).into_owned())
                .collect(),
            case: *case,
        },
        Test::Regex { patterns, case } => Check::Regex(
            patterns
                .iter()
                .map(|pattern| {
                    pattern.to_regex(*case).map_err(|error| {
                        format!("the regex `{}` cannot be built: {error}", pattern.source)
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        Test::Compare { op, value } => Check::Compare {
            op: *op,
            value: value.value,
        },
    })
}

fn eval(node: &Node, event: &impl Fields) -> bool {
    match node {
        Node::And(items) => items.iter().all(|item| eval(item, event)),
        Node::Or(items) => items.iter().any(|item| eval(item, event)),
        Node::Not(inner) => !eval(inner, event),
        Node::Pred {
            number,
            path,
            test,
            negated,
        } => event.any_reached(*number, path, &mut |value| check(test, value)) != *negated,
    }
}

/// Whether some value the path reaches (never null) passes `test`. A plain path reaches
/// at most one value; `[*]` fans out over array elements.
fn any_reached(value: &Value, segments: &[Segment], test: &mut dyn FnMut(&Value) -> bool) -> bool {
    let Some((segment, rest)) = segments.split_first() else {
        return !value.is_null() && test(value);
    };
    match segment {
        Segment::Key(key) => value
            .get(key.as_str())
            .is_some_and(|inner| any_reached(inner, rest, test)),
        Segment::Index(index) => value
            .as_array()
            .and_then(|items| items.get(*index))
            .is_some_and(|inner| any_reached(inner, rest, test)),
        Segment::Each => value
            .as_array()
            .is_some_and(|items| items.iter().any(|inner| any_reached(inner, rest, test))),
    }
}

fn check(test: &Check, value: &Value) -> bool {
    match test {
        Check::Exists => true,
        Check::NotEmpty => !is_empty(value),
        Check::Equals(expected) => expected.iter().any(|expected| equals(expected, value)),
        Check::Text { op, needles, case } => text_of(value).is_some_and(|text| {
            let in_place = *op != TextOp::Contains && (text.is_ascii() || *case == Case::Sensitive);
            if in_place {
                return needles
                    .iter()
                    .any(|needle| affix_folds_to(*op, &text, needle, *case));
            }
            let text = fold(&text, *case);
            needles.iter().any(|needle| match op {
                TextOp::Contains => text.contains(needle.as_str()),
                TextOp::StartsWith => text.starts_with(needle.as_str()),
                TextOp::EndsWith => text.ends_with(needle.as_str()),
            })
        }),
        Check::Regex(regexes) => {
            text_of(value).is_some_and(|text| regexes.iter().any(|regex| regex.is_match(&text)))
        }
        Check::Compare { op, value: limit } => numeric_value(value)
            .and_then(|number| number.partial_cmp(limit))
            .is_some_and(|ordering| op.holds(ordering)),
    }
}

fn equals(expected: &Expected, value: &Value) -> bool {
    match expected {
        Expected::Text(literal, case) => text_of(value).is_some_and(|text| {
            if text.is_ascii() {
                folds_to(&text, literal, *case)
            } else {
                fold(&text, *case) == *literal
            }
        }),
        Expected::Number(number) => numeric_value(value).is_some_and(|found| found == *number),
        Expected::Bool(flag) => match value {
            Value::Bool(found) => found == flag,
            Value::String(text) => text.eq_ignore_ascii_case(if *flag { "true" } else { "false" }),
            _ => false,
        },
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        Value::Number(_) | Value::Bool(_) => false,
    }
}

/// Whether `fold(text, case) == folded` for an ASCII `text` (or any text compared with
/// `case` sensitive), without building the folded text: the Unicode lowercase of ASCII text
/// is its ASCII lowercase, byte for byte.
fn folds_to(text: &str, folded: &str, case: Case) -> bool {
    match case {
        Case::Sensitive => text == folded,
        Case::Insensitive => {
            text.len() == folded.len()
                && text
                    .bytes()
                    .zip(folded.bytes())
                    .all(|(byte, folded)| byte.to_ascii_lowercase() == folded)
        }
    }
}

/// `startswith` or `endswith` on a text that folds byte for byte (see [`folds_to`]): the
/// prefix or suffix as long as the needle is folded in place. A needle that matches ends on
/// a character boundary, so a length that cuts a character means no match.
fn affix_folds_to(op: TextOp, text: &str, needle: &str, case: Case) -> bool {
    let affix = match op {
        TextOp::StartsWith => text.get(..needle.len()),
        _ => text
            .len()
            .checked_sub(needle.len())
            .and_then(|start| text.get(start..)),
    };
    affix.is_some_and(|affix| folds_to(affix, needle, case))
}

/// The Unicode lowercase of `text` when comparing case-insensitively, borrowing when it is
/// already lowercase.
fn fold(text: &str, case: Case) -> Cow<'_, str> {
    let unchanged = case == Case::Sensitive
        || (text.is_ascii() && !text.bytes().any(|byte| byte.is_ascii_uppercase()));
    if unchanged {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    /// Text that folds in interesting ways: ASCII of both cases, letters whose lowercase is
    /// longer or ASCII (`İ`, the Kelvin sign), and characters of several bytes. The alphabet
    /// is small so that a needle often is a prefix, a suffix or a part of a text.
    fn text(most: usize) -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec!["a", "A", "k", "é", "É", "İ", "\u{212a}", "ß"]);
        prop::collection::vec(pieces, 0..most).prop_map(|pieces| pieces.concat())
    }

    /// The text operators as defined: both sides folded, then compared.
    fn by_definition(op: TextOp, text: &str, needle: &str, case: Case) -> bool {
        let (text, needle) = (fold(text, case), fold(needle, case));
        match op {
            TextOp::Contains => text.contains(needle.as_ref()),
            TextOp::StartsWith => text.starts_with(needle.as_ref()),
            TextOp::EndsWith => text.ends_with(needle.as_ref()),
        }
    }

    proptest! {
        #[test]
        fn text_operators_fold_as_defined(text in text(5), needle in text(3), cased: bool) {
            let case = if cased { Case::Sensitive } else { Case::Insensitive };
            for op in [TextOp::Contains, TextOp::StartsWith, TextOp::EndsWith] {
                let test = compile_test(&Test::Text { op, needles: vec![needle.clone()], case })
                    .expect("text tests compile");
                prop_assert_eq!(
                    check(&test, &json!(text)),
                    by_definition(op, &text, &needle, case),
                    "{:?} {:?} {:?} {:?}", op, text, needle, case
                );
            }
            let equals = compile_test(&Test::Equals {
                values: vec![Literal::Str(needle.clone())],
                case,
            })
            .expect("equality compiles");
            prop_assert_eq!(
                check(&equals, &json!(text)),
                fold(&text, case) == fold(&needle, case)
            );
        }
    }

    #[test]
    fn a_prefix_that_cuts_a_character_does_not_match() {
        let test = compile_test(&Test::Text {
            op: TextOp::StartsWith,
            needles: vec!["a".into()],
            case: Case::Sensitive,
        })
        .expect("compiles");
        assert!(!check(&test, &json!("é")));
        assert!(check(&test, &json!("ab")));
    }
}
