//! One IR test as a KQL condition, in its positive and its negative form, for each kind of
//! value a field can be read from: a string, number or bool column, a JSON (`dynamic`) value,
//! or the parsed text of a column of JSON text.
//!
//! Every negative form is true or false, never null: KQL's null propagates through `not()`,
//! so negations are written out (`isnull(x) or x <= 5`) instead of wrapped. A positive form
//! may be null where the field is missing; it sits only under `and`/`or`, where null acts as
//! false.

use super::expr::{Expr, Func, InOp, Literal, Number, Op};
use super::helpers::{Helper, Used};
use crate::backend::CompileError;
use crate::ir::{Case, CompareOp, Literal as Value, Pred, Test, TextOp};
use crate::mapping::ColumnType;
use crate::pattern::{self, Pattern};
use crate::value::{number_text, numeric_string};

/// Where a predicate reads its value.
#[derive(Debug, Clone)]
pub enum Operand {
    /// A string column: never null, a missing field reads as `""`.
    Text(Expr),
    /// A `long` or `int` column.
    Integer(Expr),
    /// A `real` column.
    Real(Expr),
    Bool(Expr),
    /// A `datetime` or `guid` column, whose text is not the event's text.
    Opaque(Expr, ColumnType),
    /// A JSON value: a `dynamic` column, a path inside one (or inside a column of JSON text),
    /// or an array element.
    Json(Expr),
    /// A whole column of JSON text, parsed (`parse_json(Col)`). The column holds an object or
    /// an array, or nothing when the field is missing; presence and emptiness are read from
    /// the parsed value, but its text is JSON, not the field's text, and it has no number.
    JsonText(Expr),
}

/// A test in both forms.
#[derive(Debug, Clone)]
pub struct Forms {
    pub positive: Expr,
    pub negative: Expr,
}

impl Forms {
    fn new(positive: Expr, negative: Expr) -> Forms {
        Forms { positive, negative }
    }

    fn constant(holds: bool) -> Forms {
        Forms::new(Expr::Bool(holds), Expr::Bool(!holds))
    }

    fn any(items: Vec<Forms>) -> Forms {
        let (positive, negative) = items
            .into_iter()
            .map(|forms| (forms.positive, forms.negative))
            .unzip();
        Forms::new(Expr::or(positive), Expr::and(negative))
    }

    /// The test where `present` holds, and false elsewhere.
    fn only_where(self, present: Forms) -> Forms {
        Forms::new(
            Expr::and(vec![present.positive, self.positive]),
            Expr::or(vec![present.negative, self.negative]),
        )
    }
}

/// Builds the forms of predicates, noting the helpers they call.
pub struct Builder<'h> {
    pub helpers: &'h mut Used,
}

impl Builder<'_> {
    pub fn forms(
        &mut self,
        operand: &Operand,
        test: &Test,
        pred: &Pred,
    ) -> Result<Forms, CompileError> {
        match (test, operand) {
            (Test::Exists, _) => Ok(presence(operand)),
            (Test::NotEmpty, Operand::Json(value) | Operand::JsonText(value)) => {
                let empty = self.helper(Helper::IsEmptyJson, value.clone());
                Ok(Forms::new(Expr::not(empty.clone()), empty))
            }
            (Test::NotEmpty, _) => Ok(presence(operand)),
            (_, Operand::Opaque(_, ty)) => Err(opaque(*ty, pred)),
            (_, Operand::JsonText(_)) => Err(json_text(pred)),
            (Test::Equals { values, case }, _) => self.equals(operand, values, *case, pred),
            (Test::Text { op, needles, case }, _) => {
                let tests = needles
                    .iter()
                    .map(|needle| TextTest::Op(*op, needle, *case));
                self.text_tests(operand, tests.collect(), pred)
            }
            (Test::Regex { patterns, case }, _) => {
                let tests = patterns
                    .iter()
                    .map(|pattern| TextTest::Regex(pattern, *case));
                self.text_tests(operand, tests.collect(), pred)
            }
            (Test::Compare { op, value }, _) => {
                let limit = number(value.value, &value.text, pred)?;
                Ok(match self.number_of(operand) {
                    Some(number) => compare(number, *op, limit),
                    None => Forms::constant(false),
                })
            }
        }
    }

    fn helper(&mut self, helper: Helper, arg: Expr) -> Expr {
        self.helpers.add(helper);
        Expr::call1(Func::Helper(helper), arg)
    }

    /// `eq`/`in`: text values compare with the value's text, numbers with its number.
    fn equals(
        &mut self,
        operand: &Operand,
        values: &[Value],
        case: Case,
        pred: &Pred,
    ) -> Result<Forms, CompileError> {
        let mut texts: Vec<(&str, Case)> = Vec::new();
        let mut numbers = Vec::new();
        for value in values {
            match value {
                Value::Str(text) => texts.push((text, case)),
                // `eq true` holds for the boolean and for the string "true" in any case.
                Value::Bool(true) => texts.push(("true", Case::Insensitive)),
                Value::Bool(false) => texts.push(("false", Case::Insensitive)),
                Value::Num(value) => numbers.push(number(value.value, &value.text, pred)?),
            }
        }
        let mut groups = Vec::new();
        if !texts.is_empty() {
            let tests = texts
                .iter()
                .map(|(text, case)| TextTest::Equals(text, *case))
                .collect();
            groups.push(self.text_tests(operand, tests, pred)?);
        }
        if !numbers.is_empty() {
            groups.push(match self.number_of(operand) {
                Some(number) => number_in(number, numbers),
                None => Forms::constant(false),
            });
        }
        Ok(Forms::any(groups))
    }

    /// Tests on the value's text: `eq "s"`, `contains`, `regex` and the like.
    fn text_tests(
        &mut self,
        operand: &Operand,
        tests: Vec<TextTest<'_>>,
        pred: &Pred,
    ) -> Result<Forms, CompileError> {
        match operand {
            Operand::Text(column) => on_text(column, &tests, pred),
            Operand::Json(value) => {
                let text = self.helper(Helper::TextOf, value.clone());
                let forms = on_text(&text, &tests, pred)?;
                if !tests.iter().any(TextTest::holds_on_empty) {
                    return Ok(forms);
                }
                let present = self.helper(Helper::HasText, value.clone());
                Ok(forms.only_where(Forms::new(present.clone(), Expr::not(present))))
            }
            Operand::Integer(column) => integer_text_tests(column, &tests, pred),
            Operand::Bool(column) => Ok(bool_text_tests(column, &tests)),
            Operand::Real(_) => Err(CompileError::unsupported(
                format!("`{pred}` on a real column"),
                "KQL writes real numbers with fewer digits than the condition language's text \
                 of a number; compare the field with a number instead",
                Some(pred.span.clone()),
            )),
            Operand::Opaque(_, ty) => Err(opaque(*ty, pred)),
            Operand::JsonText(_) => Err(json_text(pred)),
        }
    }

    /// The value's number, or `None` when it can never have one (booleans, opaque columns).
    fn number_of(&mut self, operand: &Operand) -> Option<Expr> {
        match operand {
            Operand::Integer(column) | Operand::Real(column) => Some(column.clone()),
            Operand::Text(column) => Some(self.helper(Helper::NumberOfText, column.clone())),
            Operand::Json(value) => Some(self.helper(Helper::NumberOf, value.clone())),
            Operand::Bool(_) | Operand::Opaque(..) | Operand::JsonText(_) => None,
        }
    }
}

/// One test on a text.
#[derive(Debug, Clone, Copy)]
enum TextTest<'a> {
    Equals(&'a str, Case),
    Op(TextOp, &'a str, Case),
    Regex(&'a Pattern, Case),
}

impl TextTest<'_> {
    /// Whether the test holds on `""`, which is also the text KQL gives a missing value.
    fn holds_on_empty(&self) -> bool {
        self.holds_on("")
    }

    /// The test on a known text, as the evaluator decides it.
    fn holds_on(&self, text: &str) -> bool {
        let fold = |s: &str, case: Case| match case {
            Case::Insensitive => s.to_lowercase(),
            Case::Sensitive => s.to_string(),
        };
        match *self {
            TextTest::Equals(value, case) => fold(text, case) == fold(value, case),
            TextTest::Op(op, needle, case) => {
                let (text, needle) = (fold(text, case), fold(needle, case));
                match op {
                    TextOp::Contains => text.contains(&needle),
                    TextOp::StartsWith => text.starts_with(&needle),
                    TextOp::EndsWith => text.ends_with(&needle),
                }
            }
            TextTest::Regex(pattern, case) => pattern
                .to_regex(case)
                .is_ok_and(|regex| regex.is_match(text)),
        }
    }
}

/// Text tests on a string expression that is never null.
fn on_text(text: &Expr, tests: &[TextTest<'_>], pred: &Pred) -> Result<Forms, CompileError> {
    let mut groups = Vec::new();
    for case in [Case::Sensitive, Case::Insensitive] {
        let values: Vec<&str> = tests
            .iter()
            .filter_map(|test| match test {
                TextTest::Equals(value, c) if *c == case => Some(*value),
                _ => None,
            })
            .collect();
        if !values.is_empty() {
            groups.push(text_in(text, &values, case, pred)?);
        }
    }
    for test in tests {
        match *test {
            TextTest::Equals(..) => {}
            TextTest::Op(_, "", _) => groups.push(Forms::constant(true)),
            TextTest::Op(op, needle, case) => {
                let needle = Expr::Str(literal(needle, pred)?);
                let with = |negated| Op::Text { op, case, negated };
                groups.push(Forms::new(
                    Expr::binary(text.clone(), with(false), needle.clone()),
                    Expr::binary(text.clone(), with(true), needle),
                ));
            }
            TextTest::Regex(pattern, case) => {
                let matches = Expr::binary(text.clone(), Op::Matches, regex(pattern, case, pred)?);
                groups.push(Forms::new(matches.clone(), Expr::not(matches)));
            }
        }
    }
    Ok(Forms::any(groups))
}

/// `t == "a"`, `t =~ "a"`, `t in~ ("a", "b")` and their negations.
fn text_in(text: &Expr, values: &[&str], case: Case, pred: &Pred) -> Result<Forms, CompileError> {
    let mut literals = Vec::with_capacity(values.len());
    for value in values {
        let literal = Expr::Str(literal(value, pred)?);
        if !literals.contains(&literal) {
            literals.push(literal);
        }
    }
    if let [one] = literals.as_slice() {
        let (equal, unequal) = match case {
            Case::Sensitive => (Op::Eq, Op::Ne),
            Case::Insensitive => (Op::EqFold, Op::NeFold),
        };
        return Ok(Forms::new(
            Expr::binary(text.clone(), equal, one.clone()),
            Expr::binary(text.clone(), unequal, one.clone()),
        ));
    }
    let list = |negated| {
        Expr::In(
            Box::new(text.clone()),
            InOp { case, negated },
            literals.clone(),
        )
    };
    Ok(Forms::new(list(false), list(true)))
}

/// Text tests on a `long` column: `eq "5"` compares numbers (the text of a long is its
/// decimal form), other tests read `tostring()`, which is that decimal form.
fn integer_text_tests(
    column: &Expr,
    tests: &[TextTest<'_>],
    pred: &Pred,
) -> Result<Forms, CompileError> {
    let mut numbers = Vec::new();
    let mut others = Vec::new();
    for test in tests {
        match test {
            TextTest::Equals(value, _) => {
                if let Some(number) = canonical_number(value, pred)? {
                    numbers.push(number);
                }
            }
            other => others.push(*other),
        }
    }
    let mut groups = Vec::new();
    if !numbers.is_empty() {
        groups.push(number_in(column.clone(), numbers));
    }
    if !others.is_empty() {
        let text = Expr::call1(Func::ToString, column.clone());
        let forms = on_text(&text, &others, pred)?;
        // `tostring()` of a missing number is "", which these tests would accept.
        groups.push(if others.iter().any(TextTest::holds_on_empty) {
            forms.only_where(presence(&Operand::Integer(column.clone())))
        } else {
            forms
        });
    }
    Ok(Forms::any(groups))
}

/// Text tests on a bool column, whose text is `true` or `false`: decided here for both.
fn bool_text_tests(column: &Expr, tests: &[TextTest<'_>]) -> Forms {
    let holds = |text: &str| tests.iter().any(|test| test.holds_on(text));
    let is = |flag: bool| Expr::binary(column.clone(), Op::Eq, Expr::Bool(flag));
    let missing = || Expr::call1(Func::IsNull, column.clone());
    match (holds("true"), holds("false")) {
        (true, true) => presence(&Operand::Bool(column.clone())),
        (false, false) => Forms::constant(false),
        (flag, _) => Forms::new(is(flag), Expr::or(vec![missing(), is(!flag)])),
    }
}

/// `is_not_null` and its negation.
fn presence(operand: &Operand) -> Forms {
    match operand {
        Operand::Text(column) => Forms::new(
            Expr::call1(Func::IsNotEmpty, column.clone()),
            Expr::call1(Func::IsEmpty, column.clone()),
        ),
        Operand::Integer(value)
        | Operand::Real(value)
        | Operand::Bool(value)
        | Operand::Opaque(value, _)
        | Operand::Json(value)
        | Operand::JsonText(value) => Forms::new(
            Expr::call1(Func::IsNotNull, value.clone()),
            Expr::call1(Func::IsNull, value.clone()),
        ),
    }
}

/// `n == 1 or n == 2`; the negation also holds where `n` is null. (`==` is used rather than
/// `in`, whose behaviour on a real against long literals Kusto does not document.)
fn number_in(number: Expr, values: Vec<Number>) -> Forms {
    let mut items: Vec<Expr> = Vec::new();
    for value in values.into_iter().map(Expr::Number) {
        if !items.contains(&value) {
            items.push(value);
        }
    }
    let compare = |op| {
        items
            .iter()
            .map(|item| Expr::binary(number.clone(), op, item.clone()))
            .collect()
    };
    let missing = Expr::call1(Func::IsNull, number.clone());
    Forms::new(
        Expr::or(compare(Op::Eq)),
        Expr::or(vec![missing, Expr::and(compare(Op::Ne))]),
    )
}

/// `n > 5`, with the negation `isnull(n) or n <= 5`.
fn compare(number: Expr, op: CompareOp, limit: Number) -> Forms {
    let (holds, fails) = match op {
        CompareOp::Gt => (Op::Gt, Op::Le),
        CompareOp::Ge => (Op::Ge, Op::Lt),
        CompareOp::Lt => (Op::Lt, Op::Ge),
        CompareOp::Le => (Op::Le, Op::Gt),
    };
    let limit = Expr::Number(limit);
    Forms::new(
        Expr::binary(number.clone(), holds, limit.clone()),
        Expr::or(vec![
            Expr::call1(Func::IsNull, number.clone()),
            Expr::binary(number, fails, limit),
        ]),
    )
}

/// The number whose text is exactly `text`, if any (`"5"`, `"-1.5"`; not `"05"`, `"1e3"`).
fn canonical_number(text: &str, pred: &Pred) -> Result<Option<Number>, CompileError> {
    match numeric_string(text) {
        Some(value) if number_text(value) == text => number(value, text, pred).map(Some),
        _ => Ok(None),
    }
}

fn number(value: f64, text: &str, pred: &Pred) -> Result<Number, CompileError> {
    Number::new(value).ok_or_else(|| {
        CompileError::unsupported(
            format!("the number {text}"),
            "it is out of the range of KQL's real numbers",
            Some(pred.span.clone()),
        )
    })
}

fn literal(text: &str, pred: &Pred) -> Result<Literal, CompileError> {
    Literal::new(text).ok_or_else(|| {
        let found = text
            .chars()
            .find(|c| c.is_control() && *c != '\t' && *c != '\n')
            .map(|c| format!("U+{:04X}", u32::from(c)))
            .unwrap_or_default();
        CompileError::unsupported(
            format!("the string {text:?}"),
            format!(
                "KQL string literals have no documented way to write the control character \
                 {found} (only \\n and \\t are)"
            ),
            Some(pred.span.clone()),
        )
    })
}

/// The regex literal: RE2 syntax, `(?i)` for a case-insensitive match.
fn regex(pattern: &Pattern, case: Case, pred: &Pred) -> Result<Expr, CompileError> {
    let printed = pattern::print(&pattern.node, &pattern::RE2, pattern::Folding::AsWritten);
    let flags = if case == Case::Insensitive {
        "(?i)"
    } else {
        ""
    };
    Ok(Expr::Str(literal(&format!("{flags}{printed}"), pred)?))
}

fn opaque(ty: ColumnType, pred: &Pred) -> CompileError {
    CompileError::unsupported(
        format!("`{pred}` on a {} column", type_name(ty)),
        "the column keeps a typed value, not the event's text; only is_null, is_not_null, \
         is_empty and is_not_empty can be tested on it",
        Some(pred.span.clone()),
    )
}

fn json_text(pred: &Pred) -> CompileError {
    CompileError::unsupported(
        format!("`{pred}` on a column of JSON text"),
        "the column holds the JSON text of an object or array, which is not the field's text \
         and has no number; only is_null, is_not_null, is_empty and is_not_empty can be \
         tested on it, or a field inside it",
        Some(pred.span.clone()),
    )
}

fn type_name(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::String => "string",
        ColumnType::Long => "long",
        ColumnType::Int => "int",
        ColumnType::Real => "real",
        ColumnType::Bool => "bool",
        ColumnType::Datetime => "datetime",
        ColumnType::Guid => "guid",
        ColumnType::Dynamic => "dynamic",
        ColumnType::Ip => "ip",
        ColumnType::Json => "JSON text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    fn source() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "a", "-", "/", "&", "&&", "~~", "^", "$", ".", "\\.", "\\d", "\\W", "[", "]", "[^",
            "[a-c]", "[&&x]", "[~~-]", "é", "{2}", "(", ")", "|", "*", "+", "?", "\\[", "\\-", " ",
            "#",
        ]);
        prop::collection::vec(piece, 1..8).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn re2_patterns_match_what_the_evaluator_matches(
            source in source(),
            texts in prop::collection::vec("[a-c&~/^$.\\-\\[\\] é#0-9]{0,6}", 1..6),
        ) {
            let Ok(pattern) = Pattern::parse(&source) else {
                return Ok(());
            };
            let written = pattern::print(&pattern.node, &pattern::RE2, pattern::Folding::AsWritten);
            let re2 = Regex::new(&written).expect("RE2 flavor parses");
            let reference = Regex::new(&pattern.to_rust()).expect("reference parses");
            for text in texts {
                prop_assert_eq!(re2.is_match(&text), reference.is_match(&text), "{}", written);
            }
        }
    }

    #[test]
    fn re2_patterns_read_as_written() {
        let pattern = Pattern::parse(r"(curl|python-requests)/\d+\.x").expect("portable");
        assert_eq!(
            pattern::print(&pattern.node, &pattern::RE2, pattern::Folding::AsWritten),
            r"(?:curl|python-requests)/[0-9]+\.x"
        );
    }
}
