//! Lowering from the AST to the IR, where operand rules are checked and literals typed.

use super::{Case, CompareOp, Expr, Literal, Number, Pred, Test, TextOp};
use crate::pattern::Pattern;
use crate::syntax::{self, ExprKind, OpKind, Operand, OperandKind, Predicate, SyntaxError};
use crate::value::{number_text, numeric_string};

/// Lowers a parsed condition, reporting every predicate whose operand breaks the rules.
pub fn lower_to_ir(ast: &syntax::Expr) -> Result<Expr, Vec<SyntaxError>> {
    let mut errors = Vec::new();
    let expr = lower(ast, &mut errors);
    if errors.is_empty() {
        Ok(expr)
    } else {
        Err(errors)
    }
}

fn lower(ast: &syntax::Expr, errors: &mut Vec<SyntaxError>) -> Expr {
    match &ast.kind {
        ExprKind::And(items) => Expr::and(items.iter().map(|item| lower(item, errors)).collect()),
        ExprKind::Or(items) => Expr::or(items.iter().map(|item| lower(item, errors)).collect()),
        ExprKind::Not(inner) => Expr::Not(Box::new(lower(inner, errors))),
        ExprKind::Predicate(predicate) => {
            let (test, negated) = lower_test(predicate).unwrap_or_else(|error| {
                errors.push(error);
                (Test::Exists, false)
            });
            let path = predicate.path.clone();
            Expr::Pred(Pred {
                path,
                test,
                negated,
                span: ast.span.clone(),
            })
        }
    }
}

/// The positive test a predicate makes, and whether the operator negates it.
fn lower_test(predicate: &Predicate) -> Result<(Test, bool), SyntaxError> {
    let op = predicate.operator;
    let case = if op.case_sensitive {
        Case::Sensitive
    } else {
        Case::Insensitive
    };
    let operand = predicate.operand.as_ref();
    let checked = Checked { predicate };
    Ok(match op.kind {
        OpKind::IsNotNull => (Test::Exists, false),
        OpKind::IsNull => (Test::Exists, true),
        OpKind::IsNotEmpty => (Test::NotEmpty, false),
        OpKind::IsEmpty => (Test::NotEmpty, true),
        OpKind::Eq | OpKind::Ne => {
            let value = checked.single(operand, "one value")?;
            let values = vec![checked.literal(value)?];
            (Test::Equals { values, case }, op.kind == OpKind::Ne)
        }
        OpKind::In | OpKind::NotIn => {
            let items = checked.items(operand);
            let values = items
                .iter()
                .map(|item| checked.literal(item))
                .collect::<Result<_, _>>()?;
            (Test::Equals { values, case }, op.kind == OpKind::NotIn)
        }
        OpKind::Contains | OpKind::StartsWith | OpKind::EndsWith => {
            let text_op = match op.kind {
                OpKind::Contains => TextOp::Contains,
                OpKind::StartsWith => TextOp::StartsWith,
                _ => TextOp::EndsWith,
            };
            let needles = checked
                .strings(operand)?
                .into_iter()
                .map(|(text, _)| text)
                .collect();
            (
                Test::Text {
                    op: text_op,
                    needles,
                    case,
                },
                false,
            )
        }
        OpKind::Regex => {
            let strings = checked.strings(operand)?;
            let patterns = strings.into_iter().map(|(text, operand)| {
                Pattern::parse(&text).map_err(|error| {
                    SyntaxError::new(operand.span.clone(), error.message).with_hint(error.hint)
                })
            });
            (
                Test::Regex {
                    patterns: patterns.collect::<Result<_, _>>()?,
                    case,
                },
                false,
            )
        }
        OpKind::Gt | OpKind::Ge | OpKind::Lt | OpKind::Le => {
            let compare = match op.kind {
                OpKind::Gt => CompareOp::Gt,
                OpKind::Ge => CompareOp::Ge,
                OpKind::Lt => CompareOp::Lt,
                _ => CompareOp::Le,
            };
            let value = checked.single(operand, "one number")?;
            match &value.kind {
                OperandKind::Number(number, _) => (
                    Test::Compare {
                        op: compare,
                        value: number_literal(*number),
                    },
                    false,
                ),
                other => return Err(checked.wrong(value, "a number", other)),
            }
        }
    })
}

fn number_literal(value: f64) -> Number {
    Number {
        value,
        text: number_text(value),
    }
}

/// Operand checks for one predicate, so messages can name its operator.
struct Checked<'a> {
    predicate: &'a Predicate,
}

impl<'a> Checked<'a> {
    fn operator(&self) -> String {
        self.predicate.operator.to_string()
    }

    /// The operand of a binary operator; the parser guarantees one is there.
    fn operand(&self, operand: Option<&'a Operand>) -> Result<&'a Operand, SyntaxError> {
        operand.ok_or_else(|| {
            let span = self.predicate.operator_span.clone();
            SyntaxError::new(
                span,
                format!("expected a value after `{}`", self.operator()),
            )
        })
    }

    fn single(&self, operand: Option<&'a Operand>, what: &str) -> Result<&'a Operand, SyntaxError> {
        let operand = self.operand(operand)?;
        if !matches!(operand.kind, OperandKind::List(_)) {
            return Ok(operand);
        }
        let operator = self.operator();
        let span = operand.span.clone();
        Err(match self.predicate.operator.kind {
            OpKind::Eq | OpKind::Ne => {
                let list_form = if self.predicate.operator.kind == OpKind::Eq {
                    "in"
                } else {
                    "not_in"
                };
                let message = format!("`{operator}` takes {what}, not a list: use `{list_form}`");
                SyntaxError::new(span, message).with_hint(format!(
                    "`{list_form}` compares with each value of the list"
                ))
            }
            _ => SyntaxError::new(span, format!("`{operator}` takes {what}, not a list")),
        })
    }

    /// The items of a list, or the operand itself as a list of one.
    fn items(&self, operand: Option<&'a Operand>) -> Vec<&'a Operand> {
        match operand.map(|operand| &operand.kind) {
            Some(OperandKind::List(items)) => items.iter().collect(),
            _ => operand.into_iter().collect(),
        }
    }

    fn literal(&self, operand: &Operand) -> Result<Literal, SyntaxError> {
        let literal = match &operand.kind {
            OperandKind::Str(text) => return Ok(Literal::Str(text.clone())),
            OperandKind::Number(value, _) => Literal::Num(number_literal(*value)),
            OperandKind::Bool(value) => Literal::Bool(*value),
            other => return Err(self.wrong(operand, "a single value", other)),
        };
        if self.predicate.operator.case_sensitive {
            let message = format!(
                "`{}` compares text, but this is {}",
                self.operator(),
                describe(&operand.kind)
            );
            let base = self.predicate.operator.kind.name();
            return Err(SyntaxError::new(operand.span.clone(), message)
                .with_hint(format!("numbers and booleans have no case: use `{base}`")));
        }
        Ok(literal)
    }

    /// String operands, one or a list, each with its operand for error spans.
    fn strings(
        &self,
        operand: Option<&'a Operand>,
    ) -> Result<Vec<(String, &'a Operand)>, SyntaxError> {
        self.operand(operand)?;
        self.items(operand)
            .into_iter()
            .map(|item| match &item.kind {
                OperandKind::Str(text) => Ok((text.clone(), item)),
                other => Err(self.wrong(item, "a string or a list of strings", other)),
            })
            .collect()
    }

    fn wrong(&self, operand: &Operand, expected: &str, found: &OperandKind) -> SyntaxError {
        let message = format!(
            "`{}` takes {expected}, but this is {}",
            self.operator(),
            describe(found)
        );
        let error = SyntaxError::new(operand.span.clone(), message);
        match found {
            OperandKind::Str(text) if expected == "a number" && numeric_string(text).is_some() => {
                error.with_hint(format!("write the number without quotes: {text}"))
            }
            OperandKind::Number(_, text) if expected.contains("string") => {
                error.with_hint(format!("write text in quotes: \"{text}\""))
            }
            _ => error,
        }
    }
}

fn describe(operand: &OperandKind) -> &'static str {
    match operand {
        OperandKind::Str(_) => "a string",
        OperandKind::Number(..) => "a number",
        OperandKind::Bool(_) => "a boolean",
        OperandKind::List(_) => "a list",
    }
}
