//! IR to an EQL condition that gives the evaluator's verdict in Elasticsearch and in the `eql`
//! Python package (TARGETS.md, Elastic).
//!
//! Case-insensitive tests use `:`, `in~`, `regex~` and the `~` functions; case-sensitive ones
//! `==`, `like`, `regex` and the plain functions. A negated test is written
//! `(f == null or not <test>)`: Elasticsearch would find missing fields with `not` alone, but
//! the `eql` package gives null for a test on a missing field, and `not null` is null.
//! Each test is chosen by what the field holds in Elasticsearch ([`Kind`]): a keyword field
//! only ever holds text, so numeric tests on it are refused rather than run as string
//! comparisons.

use super::escape::eql_string;
use super::field::{Field, Fields, Kind};
use super::regex::search_regexp;
use crate::backend::CompileError;
use crate::ir::{Case, CompareOp, Expr, Literal, Pred, Test, TextOp};
use crate::mapping::Mapping;
use crate::syntax::is_number_literal;
use crate::value::{number_text, numeric_string};

/// Longest line a nested and/or is kept on before it is broken up.
const WIDTH: usize = 96;

/// Integers at or beyond this magnitude do not fit a `long` field.
const LONG_LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63

/// The condition (`<category> where ...`) and the paths it reads without a mapping.
pub struct Condition {
    pub text: String,
    pub unmapped: Vec<String>,
}

/// A condition as a tree of EQL text, laid out at the end.
#[derive(Debug, Clone, PartialEq)]
enum Eql {
    /// One test, or `not` of one: never needs parentheses.
    Term(String),
    And(Vec<Eql>),
    Or(Vec<Eql>),
}

pub fn condition(
    expr: &Expr,
    mapping: Option<&Mapping>,
    category: &str,
) -> Result<Condition, CompileError> {
    let mut emitter = Emitter {
        fields: Fields::new(mapping),
    };
    let tree = emitter.expr(expr)?;
    let split = matches!(tree, Eql::And(_));
    let text = format!("{category} where {}", layout(&tree, 2, split));
    Ok(Condition {
        text,
        unmapped: emitter.fields.unmapped,
    })
}

struct Emitter<'m> {
    fields: Fields<'m>,
}

impl Emitter<'_> {
    fn expr(&mut self, expr: &Expr) -> Result<Eql, CompileError> {
        let all = |emitter: &mut Self, items: &[Expr]| {
            items
                .iter()
                .map(|item| emitter.expr(item))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(match expr {
            Expr::And(items) => chain(all(self, items)?, Eql::And),
            Expr::Or(items) => chain(all(self, items)?, Eql::Or),
            Expr::Not(inner) => not(self.expr(inner)?),
            Expr::Pred(pred) => self.pred(pred)?,
        })
    }

    fn pred(&mut self, pred: &Pred) -> Result<Eql, CompileError> {
        let field = self.fields.resolve(pred)?;
        let f = field.text.as_str();
        if field.drops_empty_strings && tests_empty_string(&pred.test) {
            return Err(refuse(
                pred,
                &field,
                "the integration's pipeline removes empty strings, so no document holds \"\"",
            ));
        }
        let positive = match field.kind {
            Kind::Keyword => keyword(&pred.test, f, pred)?,
            Kind::Integer | Kind::Real => number(&pred.test, &field, pred)?,
            Kind::Boolean => boolean(&pred.test, f, pred)?,
            Kind::Other(_) if pred.test == Test::Exists => Eql::Term(format!("{f} != null")),
            Kind::Other(ty) => {
                let reason =
                    format!("a {ty} field can only be tested with is_null and is_not_null");
                return Err(refuse(pred, &field, &reason));
            }
            Kind::Address => {
                return Err(refuse(
                    pred,
                    &field,
                    "an `ip` field keeps only values that parse as addresses, and finds an \
                     address however it is written (`::ffff:192.0.2.1` is `192.0.2.1`), so no \
                     test on it reads the event's text",
                ));
            }
        };
        if !pred.negated {
            return Ok(positive);
        }
        let missing = Eql::Term(format!("{f} == null"));
        Ok(match positive {
            Eql::Term(text) if text == "false" => Eql::Term("true".into()),
            Eql::Term(text) if text == format!("{f} != null") => missing,
            positive => Eql::Or(vec![missing, not(positive)]),
        })
    }
}

/// Whether the test compares with the empty string, which a pruned document never holds.
fn tests_empty_string(test: &Test) -> bool {
    match test {
        Test::Equals { values, .. } => values
            .iter()
            .any(|value| matches!(value, Literal::Str(text) if text.is_empty())),
        _ => false,
    }
}

/// A test on a keyword field: every value is text.
fn keyword(test: &Test, f: &str, pred: &Pred) -> Result<Eql, CompileError> {
    Ok(match test {
        Test::Exists => Eql::Term(format!("{f} != null")),
        Test::NotEmpty => Eql::Term(format!("{f} regex {}", eql_string(".+"))),
        Test::Equals { values, case } => {
            let mut folded = Vec::new();
            let mut exact = Vec::new();
            for value in values {
                match (value, case) {
                    (Literal::Str(text), Case::Sensitive) => exact.push(text.clone()),
                    (Literal::Str(text), Case::Insensitive) => folded.push(text.clone()),
                    (Literal::Bool(flag), _) => folded.push(flag.to_string()),
                    (Literal::Num(_), _) => {
                        return Err(keyword_refusal(pred, f, "a number comparison"));
                    }
                }
            }
            let (plain, odd): (Vec<String>, Vec<String>) =
                folded.into_iter().partition(|text| is_plain(text));
            let mut terms = Vec::new();
            if !plain.is_empty() {
                terms.push(Eql::Term(format!("{f} : {}", list(&plain))));
            }
            if !odd.is_empty() {
                terms.push(Eql::Term(format!("{f} in~ ({})", strings(&odd))));
            }
            terms.extend(
                exact
                    .iter()
                    .map(|text| Eql::Term(format!("{f} == {}", eql_string(text)))),
            );
            any(terms)
        }
        Test::Text { op, needles, case } => {
            let (plain, odd): (Vec<&String>, Vec<&String>) =
                needles.iter().partition(|needle| is_plain(needle));
            let mut terms = Vec::new();
            if !plain.is_empty() {
                let patterns: Vec<String> = plain.iter().map(|n| wildcard(*op, n)).collect();
                let operator = match case {
                    Case::Insensitive => ":",
                    Case::Sensitive => "like",
                };
                terms.push(Eql::Term(format!("{f} {operator} {}", list(&patterns))));
            }
            let tilde = if *case == Case::Insensitive { "~" } else { "" };
            let function = match op {
                TextOp::Contains => "stringContains",
                TextOp::StartsWith => "startsWith",
                TextOp::EndsWith => "endsWith",
            };
            terms.extend(odd.iter().map(|needle| {
                Eql::Term(format!("{function}{tilde}({f}, {})", eql_string(needle)))
            }));
            any(terms)
        }
        Test::Regex { patterns, case } => {
            let mut regexps = Vec::with_capacity(patterns.len());
            for pattern in patterns {
                regexps.push(search_regexp(pattern, *case).map_err(|reason| {
                    CompileError::unsupported(
                        format!("the regex `{}`", pattern.source),
                        format!("it cannot be written as a Lucene regexp: {reason}"),
                        Some(pred.span.clone()),
                    )
                })?);
            }
            let operator = match case {
                Case::Insensitive => "regex~",
                Case::Sensitive => "regex",
            };
            Eql::Term(format!("{f} {operator} {}", list(&regexps)))
        }
        Test::Compare { .. } => return Err(keyword_refusal(pred, f, "a numeric comparison")),
    })
}

/// A test on a numeric field: text tests only hold for a number's own text.
fn number(test: &Test, field: &Field, pred: &Pred) -> Result<Eql, CompileError> {
    let f = field.text.as_str();
    Ok(match test {
        Test::Exists | Test::NotEmpty => Eql::Term(format!("{f} != null")),
        Test::Equals { values, .. } => {
            let mut numbers: Vec<String> = Vec::new();
            for value in values {
                let number = match value {
                    Literal::Num(number) => Some((number.value, number.text.clone())),
                    Literal::Str(text) => number_with_text(text).map(|value| (value, text.clone())),
                    Literal::Bool(_) => None,
                };
                let fits = |value: f64| {
                    field.kind != Kind::Integer
                        || (value.fract() == 0.0 && value.abs() < LONG_LIMIT)
                };
                if let Some((_, text)) = number.filter(|(value, _)| fits(*value))
                    && !numbers.contains(&text)
                {
                    numbers.push(text);
                }
            }
            any(numbers
                .iter()
                .map(|text| Eql::Term(format!("{f} == {text}")))
                .collect())
        }
        Test::Compare { op, value } => {
            let symbol = match op {
                CompareOp::Gt => ">",
                CompareOp::Ge => ">=",
                CompareOp::Lt => "<",
                CompareOp::Le => "<=",
            };
            Eql::Term(format!("{f} {symbol} {}", value.text))
        }
        Test::Text { .. } | Test::Regex { .. } => {
            return Err(refuse(
                pred,
                field,
                "Elasticsearch runs text tests on keyword fields only; map the field as a \
                 string to test its text",
            ));
        }
    })
}

/// A test on a boolean field: it equals `true`, `false`, or their text in any case.
fn boolean(test: &Test, f: &str, pred: &Pred) -> Result<Eql, CompileError> {
    Ok(match test {
        Test::Exists | Test::NotEmpty => Eql::Term(format!("{f} != null")),
        Test::Equals { values, case } => {
            let mut flags = Vec::new();
            for value in values {
                let flag = match value {
                    Literal::Bool(flag) => Some(*flag),
                    Literal::Str(text) => {
                        let text = match case {
                            Case::Insensitive => text.to_lowercase(),
                            Case::Sensitive => text.clone(),
                        };
                        ["false", "true"]
                            .iter()
                            .position(|word| *word == text)
                            .map(|i| i == 1)
                    }
                    Literal::Num(_) => None,
                };
                if let Some(flag) = flag
                    && !flags.contains(&flag)
                {
                    flags.push(flag);
                }
            }
            any(flags
                .iter()
                .map(|flag| Eql::Term(format!("{f} == {flag}")))
                .collect())
        }
        Test::Text { .. } | Test::Regex { .. } | Test::Compare { .. } => {
            return Err(CompileError::unsupported(
                format!(
                    "this test on the boolean field `{}`",
                    f.trim_start_matches('?')
                ),
                "a boolean field only holds true or false; test it with eq",
                Some(pred.span.clone()),
            ));
        }
    })
}

/// The number whose text (LANGUAGE.md section 3) is exactly `text`, if there is one.
fn number_with_text(text: &str) -> Option<f64> {
    let value = numeric_string(text).filter(|_| is_number_literal(text))?;
    (number_text(value) == text).then_some(value)
}

/// Whether `text` means itself in a `:` or `like` pattern in both engines: no wildcard, and
/// no backslash, which Elasticsearch may read as an escape.
fn is_plain(text: &str) -> bool {
    !text.contains(['*', '?', '\\'])
}

fn wildcard(op: TextOp, needle: &str) -> String {
    if needle.is_empty() {
        return "*".into();
    }
    match op {
        TextOp::Contains => format!("*{needle}*"),
        TextOp::StartsWith => format!("{needle}*"),
        TextOp::EndsWith => format!("*{needle}"),
    }
}

/// One string, or a parenthesized list.
fn list(texts: &[impl AsRef<str>]) -> String {
    match texts {
        [one] => eql_string(one.as_ref()),
        many => format!("({})", strings(many)),
    }
}

fn strings(texts: &[impl AsRef<str>]) -> String {
    texts
        .iter()
        .map(|text| eql_string(text.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An and/or of `items` with repeats dropped: `f[*] eq "x" or f eq "x"`, written for events
/// that hold an array or a single value, is one test on a multi-valued field.
fn chain(items: Vec<Eql>, make: fn(Vec<Eql>) -> Eql) -> Eql {
    let mut unique: Vec<Eql> = Vec::with_capacity(items.len());
    for item in items {
        if !unique.contains(&item) {
            unique.push(item);
        }
    }
    match unique.len() {
        1 => unique.remove(0),
        _ => make(unique),
    }
}

/// Any of the terms; no terms is `false`.
fn any(mut terms: Vec<Eql>) -> Eql {
    match terms.len() {
        0 => Eql::Term("false".into()),
        1 => terms.remove(0),
        _ => Eql::Or(terms),
    }
}

fn not(eql: Eql) -> Eql {
    match eql {
        Eql::Term(text) if text == "false" => Eql::Term("true".into()),
        Eql::Term(text) if text == "true" => Eql::Term("false".into()),
        Eql::Term(text) => Eql::Term(format!("not {text}")),
        compound => Eql::Term(format!("not ({})", inline(&compound))),
    }
}

fn keyword_refusal(pred: &Pred, f: &str, what: &str) -> CompileError {
    CompileError::unsupported(
        format!("{what} on `{}`", pred.path),
        format!(
            "it is read from the keyword field `{}`, whose values Elasticsearch holds as text \
             and would compare as strings; map the field with a numeric type to compare \
             numbers",
            f.trim_start_matches('?')
        ),
        Some(pred.span.clone()),
    )
}

fn refuse(pred: &Pred, field: &Field, reason: &str) -> CompileError {
    CompileError::unsupported(
        format!("this test on `{}`", pred.path),
        format!(
            "it is read from the field `{}`: {reason}",
            field.text.trim_start_matches('?')
        ),
        Some(pred.span.clone()),
    )
}

/// The tree on one line, compound children in parentheses.
fn inline(eql: &Eql) -> String {
    let (items, joiner) = match eql {
        Eql::Term(text) => return text.clone(),
        Eql::And(items) => (items, " and "),
        Eql::Or(items) => (items, " or "),
    };
    items
        .iter()
        .map(|item| match item {
            Eql::Term(text) => text.clone(),
            compound => format!("({})", inline(compound)),
        })
        .collect::<Vec<_>>()
        .join(joiner)
}

/// The tree laid out at `indent`: on one line when it fits (and `split` is off), else one
/// item per line with the joiner in front.
fn layout(eql: &Eql, indent: usize, split: bool) -> String {
    let (items, joiner) = match eql {
        Eql::Term(text) => return text.clone(),
        Eql::And(items) => (items, "and"),
        Eql::Or(items) => (items, "or"),
    };
    let flat = inline(eql);
    if !split && indent + flat.len() <= WIDTH {
        return flat;
    }
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(&format!("\n{pad}{joiner} "));
        }
        match item {
            Eql::Term(text) => out.push_str(text),
            compound => {
                let flat = format!("({})", inline(compound));
                if indent + joiner.len() + 1 + flat.len() <= WIDTH {
                    out.push_str(&flat);
                } else {
                    let inner = layout(compound, indent + 2, true);
                    out.push_str(&format!("(\n{pad}  {inner}\n{pad})"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::rule_from_condition;

    fn eql(text: &str) -> Result<String, CompileError> {
        let rule = rule_from_condition("t", text).expect("the condition loads");
        Ok(condition(&rule.ir.push_negation(), None, "any")?.text)
    }

    fn eql_mapped(mapping: &str, text: &str) -> Result<String, CompileError> {
        let file = crate::source::SourceFile::new("Test.Log.yml", mapping);
        let mapping = Mapping::parse(&file).expect("the mapping parses");
        let rule = rule_from_condition("t", text).expect("the condition loads");
        Ok(condition(&rule.ir.push_negation(), Some(&mapping), "any")?.text)
    }

    fn refusal(result: Result<String, CompileError>) -> String {
        match result {
            Err(CompileError::Unsupported { reason, .. }) => reason,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn no_test_reads_an_ip_field() {
        let mapping = "fields:\n  ip: {name: source.ip, type: ip}\n";
        for condition in ["ip eq \"192.0.2.1\"", "ip is_null", "ip is_not_empty"] {
            let reason = refusal(eql_mapped(mapping, condition));
            assert!(reason.contains("`ip` field"), "{condition}: {reason}");
        }
    }

    #[test]
    fn a_pruned_field_refuses_the_empty_string_only() {
        let mapping = "drops_empty_strings: true\nfields:\n  a: {name: x.a}\n";
        for condition in ["a eq \"\"", "a not_in [\"x\", \"\"]", "a eq_cs \"\""] {
            let reason = refusal(eql_mapped(mapping, condition));
            assert!(
                reason.contains("removes empty strings"),
                "{condition}: {reason}"
            );
        }
        assert_eq!(
            eql_mapped(mapping, "a eq \"x\"\na is_null").unwrap(),
            "any where x.a : \"x\"\n  and x.a == null"
        );
        let keeping = "fields:\n  a: {name: x.a}\n";
        assert_eq!(
            eql_mapped(keeping, "a eq \"\"").unwrap(),
            "any where x.a : \"\""
        );
    }

    #[test]
    fn a_field_left_out_is_refused_with_the_mapping_s_reason() {
        let mapping = "fields:\n  a: {name: x.a}\nunmapped:\n  b: kept as flattened\n";
        let reason = refusal(eql_mapped(mapping, "b.c eq \"x\""));
        assert!(
            reason.ends_with("leaves it out: kept as flattened"),
            "{reason}"
        );
        let reason = refusal(eql_mapped(mapping, "z eq \"x\""));
        assert!(reason.contains("has no field for it"), "{reason}");
    }

    #[test]
    fn conjuncts_go_one_per_line_in_source_order() {
        let text = eql("not (a ne \"x\" or b ne \"y\")\nc contains \"z\"").unwrap();
        assert_eq!(
            text,
            "any where ?a : \"x\"\n  and ?b : \"y\"\n  and ?c : \"*z*\""
        );
    }

    #[test]
    fn negations_guard_the_missing_field() {
        assert_eq!(
            eql("a ne \"x\"").unwrap(),
            "any where ?a == null or not ?a : \"x\""
        );
        assert_eq!(
            eql("a not_in [\"x\", \"y*\"]").unwrap(),
            "any where ?a == null or not (?a : \"x\" or ?a in~ (\"y*\"))"
        );
        assert_eq!(eql("a is_null").unwrap(), "any where ?a == null");
        assert_eq!(
            eql("a is_empty").unwrap(),
            "any where ?a == null or not ?a regex \".+\""
        );
    }

    #[test]
    fn case_sensitive_forms_use_the_case_sensitive_operators() {
        assert_eq!(eql("a eq_cs \"X\"").unwrap(), "any where ?a == \"X\"");
        assert_eq!(
            eql("a startswith_cs [\"X\", \"*\"]").unwrap(),
            "any where ?a like \"X*\" or startsWith(?a, \"*\")"
        );
        assert_eq!(
            eql("a regex_cs \"^x\"").unwrap(),
            "any where ?a regex \"x.*\""
        );
    }

    #[test]
    fn numbers_on_keyword_fields_are_refused() {
        for condition in ["a gt 1", "a eq 1", "a in [\"x\", 2]"] {
            let error = eql(condition).expect_err(condition);
            assert!(
                matches!(error, CompileError::Unsupported { .. }),
                "{condition}"
            );
        }
    }

    #[test]
    fn long_groups_break_into_lines() {
        let text = eql(
            "a eq \"x\"\n(a_rather_long_field_name_here eq \"first value\" or \
             another_long_field_name eq \"second value\")",
        )
        .unwrap();
        assert_eq!(
            text,
            "any where ?a : \"x\"\n  and (\n    \
             ?a_rather_long_field_name_here : \"first value\"\n    \
             or ?another_long_field_name : \"second value\"\n  )"
        );
    }

    #[test]
    fn a_test_on_an_array_and_on_its_value_is_written_once() {
        assert_eq!(
            eql("a[*] eq \"x\" or a eq \"x\"").unwrap(),
            "any where ?a : \"x\""
        );
    }

    #[test]
    fn only_exact_number_texts_name_a_number() {
        assert_eq!(number_with_text("50126"), Some(50126.0));
        assert_eq!(number_with_text("-1.5"), Some(-1.5));
        for text in ["007", "1e3", "-0", "1.50", " 1", "x"] {
            assert_eq!(number_with_text(text), None, "{text}");
        }
    }

    #[test]
    fn a_field_of_json_text_is_tested_for_presence_only() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::create_dir(dir.path().join("elastic")).expect("the elastic directory");
        std::fs::write(
            dir.path().join("elastic/Test.JsonText.yml"),
            "index: [logs-test-*]\nfields:\n  doc: {name: doc_text, type: json}\n",
        )
        .expect("the test mapping");
        let mappings = crate::mapping::Mappings::load(Some(dir.path())).expect("mappings load");
        let mapping = mappings.get(crate::mapping::Family::Elastic, "Test.JsonText");
        let eql = |text: &str| {
            let rule = rule_from_condition("t", text).expect("the condition loads");
            condition(&rule.ir.push_negation(), mapping, "any").map(|query| query.text)
        };
        assert_eq!(
            eql("doc is_not_null").unwrap(),
            "any where doc_text != null"
        );
        for refused in ["doc.a eq \"x\"", "doc[*] is_not_null", "doc eq \"x\""] {
            let error = eql(refused).expect_err(refused);
            assert!(
                matches!(error, CompileError::Unsupported { .. }),
                "{refused}"
            );
        }
    }
}
