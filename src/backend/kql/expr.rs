//! A small tree of KQL scalar expressions: what the emitter builds and prints. Literals and
//! names are checked when they are made, and parentheses come from precedence, so the printed
//! text is right by construction. The tests evaluate the same tree in a model of KQL.

use std::fmt;

use super::escape;
use crate::backend::chain;
use crate::ir::{Case, TextOp};

/// A string literal KQL can write, with its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub value: String,
    written: String,
}

impl Literal {
    /// `None` when KQL has no way to write `value` (see [`escape::string_literal`]).
    pub fn new(value: &str) -> Option<Literal> {
        Some(Literal {
            value: value.to_string(),
            written: escape::string_literal(value)?,
        })
    }
}

/// A finite number literal.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub value: f64,
    written: String,
}

impl Number {
    /// `None` for infinities and NaN.
    pub fn new(value: f64) -> Option<Number> {
        Some(Number {
            value,
            written: escape::number_literal(value)?,
        })
    }
}

/// A column, parameter or result name, or a key of a dynamic value, with its spelling.
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    pub value: String,
    written: String,
}

impl Name {
    /// A name in expression position (`UserType`, `['user name']`).
    pub fn new(value: &str) -> Option<Name> {
        Some(Name {
            value: value.to_string(),
            written: escape::identifier(value)?,
        })
    }

    /// A key after a dynamic value (`.userType`, `['user-agent']`).
    pub fn key(value: &str) -> Option<Name> {
        Some(Name {
            value: value.to_string(),
            written: escape::member(value)?,
        })
    }

    /// How the name is written.
    pub fn written(&self) -> &str {
        &self.written
    }
}

/// Constants written as they are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Const {
    /// `real(null)`
    RealNull,
    /// `dynamic([null])`: an array whose one element matches nothing.
    NullArray,
}

/// The functions the emitter calls: KQL's own and the helpers it defines with `let`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Func {
    Not,
    ToString,
    ToDouble,
    ToLong,
    GetType,
    IsNull,
    IsNotNull,
    IsEmpty,
    IsNotEmpty,
    ArrayLength,
    ArrayConcat,
    BagKeys,
    ParseJson,
    Iff,
    Case,
    Helper(super::helpers::Helper),
}

impl Func {
    pub fn name(self) -> &'static str {
        match self {
            Func::Not => "not",
            Func::ToString => "tostring",
            Func::ToDouble => "todouble",
            Func::ToLong => "tolong",
            Func::GetType => "gettype",
            Func::IsNull => "isnull",
            Func::IsNotNull => "isnotnull",
            Func::IsEmpty => "isempty",
            Func::IsNotEmpty => "isnotempty",
            Func::ArrayLength => "array_length",
            Func::ArrayConcat => "array_concat",
            Func::BagKeys => "bag_keys",
            Func::ParseJson => "parse_json",
            Func::Iff => "iff",
            Func::Case => "case",
            Func::Helper(helper) => helper.name(),
        }
    }
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// `==` (case-sensitive for strings)
    Eq,
    /// `!=`
    Ne,
    /// `=~`
    EqFold,
    /// `!~`
    NeFold,
    Gt,
    Ge,
    Lt,
    Le,
    /// `contains`, `!startswith_cs` and the like.
    Text {
        op: TextOp,
        case: Case,
        negated: bool,
    },
    /// `matches regex`
    Matches,
}

impl Op {
    fn symbol(self) -> String {
        let text = match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::EqFold => "=~",
            Op::NeFold => "!~",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Matches => "matches regex",
            Op::Text { op, case, negated } => {
                let word = match op {
                    TextOp::Contains => "contains",
                    TextOp::StartsWith => "startswith",
                    TextOp::EndsWith => "endswith",
                };
                let bang = if negated { "!" } else { "" };
                let cs = if case == Case::Sensitive { "_cs" } else { "" };
                return format!("{bang}{word}{cs}");
            }
        };
        text.to_string()
    }
}

/// `in`, `!in`, `in~`, `!in~`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InOp {
    pub case: Case,
    pub negated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A column, a function parameter, an `mv-apply` element or count.
    Name(Name),
    /// `base.key`
    Member(Box<Expr>, Name),
    /// `base[0]`
    Index(Box<Expr>, usize),
    Str(Literal),
    Number(Number),
    Bool(bool),
    Const(Const),
    Call(Func, Vec<Expr>),
    Binary(Box<Expr>, Op, Box<Expr>),
    In(Box<Expr>, InOp, Vec<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

/// Binding strength, loosest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Or,
    And,
    Compare,
    Primary,
}

impl Expr {
    pub fn call(func: Func, args: Vec<Expr>) -> Expr {
        Expr::Call(func, args)
    }

    pub fn call1(func: Func, arg: Expr) -> Expr {
        Expr::Call(func, vec![arg])
    }

    pub fn binary(left: Expr, op: Op, right: Expr) -> Expr {
        Expr::Binary(Box::new(left), op, Box::new(right))
    }

    pub fn not(inner: Expr) -> Expr {
        Expr::call1(Func::Not, inner)
    }

    /// A string constant the emitter itself writes (type names and the like).
    pub fn text(value: &'static str) -> Expr {
        Expr::Str(Literal::new(value).expect("the emitter's constants are writable"))
    }

    /// A small integer constant.
    pub fn int(value: u32) -> Expr {
        Expr::Number(Number::new(f64::from(value)).expect("small integers are finite"))
    }

    /// A conjunction, flattened, without a wrapper for one item; `true` for none.
    pub fn and(items: Vec<Expr>) -> Expr {
        Self::join(items, true)
    }

    /// A disjunction, flattened, without a wrapper for one item; `false` for none.
    pub fn or(items: Vec<Expr>) -> Expr {
        Self::join(items, false)
    }

    /// Joins items, dropping constants that do not change the result (`x and true` is `x`)
    /// and collapsing to the constant that decides it (`x or true` is `true`).
    fn join(items: Vec<Expr>, conjunction: bool) -> Expr {
        let mut flat = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Expr::And(inner) if conjunction => flat.extend(inner),
                Expr::Or(inner) if !conjunction => flat.extend(inner),
                Expr::Bool(flag) if flag == conjunction => {}
                Expr::Bool(flag) => return Expr::Bool(flag),
                other => flat.push(other),
            }
        }
        match (flat.len(), conjunction) {
            (0, _) => Expr::Bool(conjunction),
            (1, _) => flat.remove(0),
            (_, true) => Expr::And(flat),
            (_, false) => Expr::Or(flat),
        }
    }

    fn level(&self) -> Level {
        match self {
            Expr::Or(_) => Level::Or,
            Expr::And(_) => Level::And,
            Expr::Binary(..) | Expr::In(..) => Level::Compare,
            _ => Level::Primary,
        }
    }

    /// Writes the expression; `min` is the loosest level allowed without parentheses.
    fn write(&self, out: &mut String, min: Level) {
        if self.level() < min {
            out.push('(');
            self.write(out, Level::Or);
            out.push(')');
            return;
        }
        match self {
            Expr::Name(name) => out.push_str(&name.written),
            Expr::Member(base, key) => {
                base.write(out, Level::Primary);
                out.push_str(&key.written);
            }
            Expr::Index(base, index) => {
                base.write(out, Level::Primary);
                out.push_str(&format!("[{index}]"));
            }
            Expr::Str(literal) => out.push_str(&literal.written),
            Expr::Number(number) => out.push_str(&number.written),
            Expr::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
            Expr::Const(Const::RealNull) => out.push_str("real(null)"),
            Expr::Const(Const::NullArray) => out.push_str("dynamic([null])"),
            Expr::Call(func, args) => {
                out.push_str(func.name());
                out.push('(');
                write_list(out, args);
                out.push(')');
            }
            Expr::Binary(left, op, right) => {
                left.write(out, Level::Primary);
                out.push_str(&format!(" {} ", op.symbol()));
                right.write(out, Level::Primary);
            }
            Expr::In(left, op, items) => {
                left.write(out, Level::Primary);
                let bang = if op.negated { "!" } else { "" };
                let fold = if op.case == Case::Insensitive {
                    "~"
                } else {
                    ""
                };
                out.push_str(&format!(" {bang}in{fold} ("));
                write_list(out, items);
                out.push(')');
            }
            // An `and` inside an `or` is parenthesized for the reader, not for KQL.
            Expr::And(items) => write_joined(out, items, " and ", Level::And),
            Expr::Or(items) => write_joined(out, items, " or ", Level::Compare),
        }
    }

    /// The expression as a `where` condition: a long disjunction gets one item per line.
    pub fn to_condition(&self, indent: &str) -> String {
        let flat = self.to_string();
        match self {
            Expr::Or(items) if flat.len() > 80 => {
                let lines: Vec<String> = items
                    .iter()
                    .map(|item| {
                        let mut text = String::new();
                        item.write(&mut text, Level::Compare);
                        text
                    })
                    .collect();
                chain::join(&lines, &format!("\n{indent}or "))
            }
            _ => flat,
        }
    }
}

fn write_list(out: &mut String, items: &[Expr]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item.write(out, Level::Or);
    }
}

fn write_joined(out: &mut String, items: &[Expr], joiner: &str, min: Level) {
    if let Some(groups) = chain::groups(items) {
        for (i, group) in groups.enumerate() {
            if i > 0 {
                out.push_str(joiner);
            }
            out.push('(');
            write_joined(out, group, joiner, min);
            out.push(')');
        }
        return;
    }
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(joiner);
        }
        item.write(out, min);
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write(&mut out, Level::Or);
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(value: &str) -> Expr {
        Expr::Name(Name::new(value).expect("plain name"))
    }

    fn lit(value: &str) -> Expr {
        Expr::Str(Literal::new(value).expect("writable"))
    }

    #[test]
    fn precedence_decides_parentheses() {
        let a = Expr::binary(name("A"), Op::EqFold, lit("x"));
        let b = Expr::binary(name("B"), Op::Eq, lit("y"));
        let c = Expr::call1(Func::IsEmpty, name("C"));
        let or = Expr::or(vec![a.clone(), Expr::and(vec![b.clone(), c.clone()])]);
        assert_eq!(or.to_string(), r#"A =~ "x" or (B == "y" and isempty(C))"#);
        let and = Expr::and(vec![Expr::or(vec![a, b]), c]);
        assert_eq!(and.to_string(), r#"(A =~ "x" or B == "y") and isempty(C)"#);
    }

    #[test]
    fn members_and_operators_are_spelled_like_kql() {
        let value = Expr::Member(
            Box::new(name("RawEvent")),
            Name::key("user-agent").expect("key"),
        );
        let test = Expr::binary(
            Expr::call1(Func::ToString, value),
            Op::Text {
                op: TextOp::StartsWith,
                case: Case::Sensitive,
                negated: true,
            },
            lit("curl"),
        );
        assert_eq!(
            test.to_string(),
            r#"tostring(RawEvent["user-agent"]) !startswith_cs "curl""#
        );
        let list = Expr::In(
            Box::new(name("A")),
            InOp {
                case: Case::Insensitive,
                negated: true,
            },
            vec![lit("x"), lit("y")],
        );
        assert_eq!(list.to_string(), r#"A !in~ ("x", "y")"#);
    }
}
