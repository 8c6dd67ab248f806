//! The reference evaluator: the executable form of LANGUAGE.md section 3.
//!
//! Every backend is held to its verdicts. [`Evaluator::new`] does the per-rule work once
//! (folding literals, compiling regexes) so that [`Evaluator::matches`] only walks the event.

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
}

#[derive(Debug, Clone)]
enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Pred {
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
        Ok(Self {
            root: compile(expr)?,
        })
    }

    /// The verdict of the condition on one event.
    pub fn matches(&self, event: &Value) -> bool {
        eval(&self.root, event)
    }
}

fn compile(expr: &Expr) -> Result<Node, EvalError> {
    let all = |items: &[Expr]| items.iter().map(compile).collect::<Result<Vec<_>, _>>();
    Ok(match expr {
        Expr::And(items) => Node::And(all(items)?),
        Expr::Or(items) => Node::Or(all(items)?),
        Expr::Not(inner) => Node::Not(Box::new(compile(inner)?)),
        Expr::Pred(pred) => {
            let test = compile_test(&pred.test).map_err(|message| EvalError {
                span: pred.span.clone(),
                message,
            })?;
            Node::Pred {
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

fn eval(node: &Node, event: &Value) -> bool {
    match node {
        Node::And(items) => items.iter().all(|item| eval(item, event)),
        Node::Or(items) => items.iter().any(|item| eval(item, event)),
        Node::Not(inner) => !eval(inner, event),
        Node::Pred {
            path,
            test,
            negated,
        } => any_reached(event, &path.segments, &mut |value| check(test, value)) != *negated,
    }
}

/// Whether some value the path reaches (never null) passes `test`. A plain path reaches
/// at most one value; `[*]` fans out over array elements.
fn any_reached(value: &Value, segments: &[Segment], test: &mut impl FnMut(&Value) -> bool) -> bool {
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
        Expected::Text(literal, case) => {
            text_of(value).is_some_and(|text| fold(&text, *case) == *literal)
        }
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
