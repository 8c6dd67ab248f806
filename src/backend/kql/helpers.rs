//! Small functions a query defines with `let` when it reads JSON (`dynamic`) values: the text
//! and the number of a value as the condition language defines them (LANGUAGE.md section 3),
//! which KQL's `tostring()` and `todouble()` alone do not give.

use std::collections::BTreeSet;

use super::expr::{Const, Expr, Func, InOp, Literal, Name, Op};
use crate::ir::Case;

/// The regex of a numeric string: the number-literal grammar, nothing else.
pub const NUMERIC_STRING: &str = r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$";

/// One helper; the order is the order of definition, each after the helpers it calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Helper {
    HasText,
    TextOf,
    NumberOfText,
    NumberOf,
    IsEmptyJson,
    Elements,
}

impl Helper {
    pub fn name(self) -> &'static str {
        match self {
            Helper::HasText => "has_text",
            Helper::TextOf => "text_of",
            Helper::NumberOfText => "number_of_text",
            Helper::NumberOf => "number_of",
            Helper::IsEmptyJson => "is_empty_json",
            Helper::Elements => "elements",
        }
    }

    /// The parameter's name and KQL type.
    pub fn param(self) -> (&'static str, &'static str) {
        match self {
            Helper::NumberOfText => ("s", "string"),
            _ => ("v", "dynamic"),
        }
    }

    /// The helpers this one calls.
    fn calls(self) -> &'static [Helper] {
        match self {
            Helper::TextOf => &[Helper::HasText],
            Helper::NumberOf => &[Helper::NumberOfText],
            _ => &[],
        }
    }

    fn comment(self) -> &'static str {
        match self {
            Helper::HasText => "whether a JSON value has a text: strings, numbers and booleans do",
            Helper::TextOf => {
                "the text of a JSON value (\"\" when it has none); integral numbers without \
                 a fraction"
            }
            Helper::NumberOfText => {
                "the number a string spells exactly (-?digits(.digits)?(e±digits)?), else null"
            }
            Helper::NumberOf => "the number of a JSON value: a number or a numeric string",
            Helper::IsEmptyJson => "whether a JSON value is null, \"\", [] or {}",
            Helper::Elements => {
                "an array's elements after a null that matches nothing (each row keeps one)"
            }
        }
    }

    /// The body, in terms of the parameter.
    pub fn body(self) -> Expr {
        let (param, _) = self.param();
        let v = || Expr::Name(Name::new(param).expect("helper parameter names are plain"));
        let type_of = || Expr::call1(Func::GetType, v());
        let type_is = |name: &'static str| Expr::binary(type_of(), Op::Eq, Expr::text(name));
        let type_in = |names: &[&'static str]| {
            let items = names.iter().map(|name| Expr::text(name)).collect();
            Expr::In(
                Box::new(type_of()),
                InOp {
                    case: Case::Sensitive,
                    negated: false,
                },
                items,
            )
        };
        let to_double = || Expr::call1(Func::ToDouble, v());
        match self {
            Helper::HasText => type_in(&["string", "int", "long", "real", "bool"]),
            Helper::TextOf => {
                // An integral real reads like the integer (`2.0` is "2"), as in the language.
                let integral = Expr::and(vec![
                    type_is("real"),
                    Expr::binary(to_double(), Op::Eq, Expr::call1(Func::ToLong, v())),
                ]);
                Expr::call(
                    Func::Case,
                    vec![
                        integral,
                        Expr::call1(Func::ToString, Expr::call1(Func::ToLong, v())),
                        Expr::call1(Func::Helper(Helper::HasText), v()),
                        Expr::call1(Func::ToString, v()),
                        Expr::text(""),
                    ],
                )
            }
            Helper::NumberOfText => Expr::call(
                Func::Iff,
                vec![
                    Expr::binary(v(), Op::Matches, numeric_string()),
                    to_double(),
                    Expr::Const(Const::RealNull),
                ],
            ),
            Helper::NumberOf => Expr::call(
                Func::Case,
                vec![
                    type_in(&["int", "long", "real"]),
                    to_double(),
                    type_is("string"),
                    Expr::call1(
                        Func::Helper(Helper::NumberOfText),
                        Expr::call1(Func::ToString, v()),
                    ),
                    Expr::Const(Const::RealNull),
                ],
            ),
            Helper::IsEmptyJson => {
                let length = |of: Expr| Expr::call1(Func::ArrayLength, of);
                Expr::call(
                    Func::Case,
                    vec![
                        type_is("string"),
                        Expr::binary(Expr::call1(Func::ToString, v()), Op::Eq, Expr::text("")),
                        type_is("array"),
                        Expr::binary(length(v()), Op::Eq, Expr::int(0)),
                        type_is("dictionary"),
                        Expr::binary(
                            length(Expr::call1(Func::BagKeys, v())),
                            Op::Eq,
                            Expr::int(0),
                        ),
                        Expr::call1(Func::IsNull, v()),
                    ],
                )
            }
            Helper::Elements => Expr::call(
                Func::Iff,
                vec![
                    type_is("array"),
                    Expr::call(Func::ArrayConcat, vec![Expr::Const(Const::NullArray), v()]),
                    Expr::Const(Const::NullArray),
                ],
            ),
        }
    }

    /// The `let` statement, with a comment saying what it is for.
    pub fn definition(self) -> String {
        let (param, ty) = self.param();
        let body = self.body();
        let head = format!("let {} = ({param}: {ty}) {{", self.name());
        let flat = format!("{head} {body} }};");
        let text = match &body {
            Expr::Call(func @ (Func::Case | Func::Iff), args) if flat.len() > 100 => {
                let mut lines = Vec::new();
                for pair in args.chunks(2) {
                    let items: Vec<String> = pair.iter().map(Expr::to_string).collect();
                    lines.push(format!("        {}", items.join(", ")));
                }
                format!("{head}\n    {}(\n{})\n}};", func.name(), lines.join(",\n"))
            }
            _ => flat,
        };
        format!("// {}: {}.\n{text}", self.name(), self.comment())
    }
}

/// The helpers a query uses, with those they call, in definition order.
#[derive(Debug, Clone, Default)]
pub struct Used(BTreeSet<Helper>);

impl Used {
    pub fn add(&mut self, helper: Helper) {
        if self.0.insert(helper) {
            for &callee in helper.calls() {
                self.add(callee);
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Helper> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The regex literal of [`NUMERIC_STRING`].
pub fn numeric_string() -> Expr {
    Expr::Str(Literal::new(NUMERIC_STRING).expect("the numeric-string regex is writable"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_read_like_kql() {
        assert_eq!(
            Helper::HasText.definition(),
            "// has_text: whether a JSON value has a text: strings, numbers and booleans do.\n\
             let has_text = (v: dynamic) { gettype(v) in (\"string\", \"int\", \"long\", \
             \"real\", \"bool\") };"
        );
        let text_of = Helper::TextOf.definition();
        assert!(text_of.contains("    case(\n        gettype(v) == \"real\""));
        let mut used = Used::default();
        used.add(Helper::NumberOf);
        assert_eq!(
            used.iter().collect::<Vec<_>>(),
            vec![Helper::NumberOfText, Helper::NumberOf]
        );
    }
}
