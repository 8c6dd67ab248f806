//! Sigma's `condition`: search names joined with `and`, `or`, `not` and parentheses, and the
//! quantifiers `1 of`, `any of` and `all of` over a name pattern (`selection_*`) or `them`.
//!
//! Keywords are lowercase, as Sigma's grammar has them. A `|` starts an aggregation
//! (`| count() by x > 5`), which is correlation logic: refused. A quantifier over `them`, or
//! over a pattern that does not start with `_`, leaves out the searches whose names start
//! with `_`, as Sigma's tools do.

use indexmap::IndexMap;
use nom::IResult;
use nom::Parser as _;
use nom::bytes::complete::{tag, take_while1};
use nom::character::complete::multispace0;

use super::Problem;
use super::tree::Cond;
use crate::source::Span;

/// How deeply parentheses and `not` may nest before the condition is refused.
const MAX_DEPTH: usize = 64;

/// A parsed condition, before the search names are resolved.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Name(String, Span),
    /// `1 of x*` (`all` false) or `all of x*`.
    Quantified {
        all: bool,
        pattern: String,
        span: Span,
    },
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

/// Resolves `text` against the searches. `span_of` turns an offset range in `text` into
/// the span to report it at in the file.
pub fn resolve_condition(
    text: &str,
    searches: &IndexMap<String, Cond>,
    span_of: &dyn Fn(Span) -> Span,
) -> Result<Cond, Problem> {
    if let Some(bar) = text.find('|') {
        return Err(Problem::unsupported(
            span_of(bar..text.len()),
            "aggregations (`| count() ...`) are correlation logic, which ruleport cannot express",
            "a rule tests one event at a time",
        ));
    }
    let parser = Parser { src: text };
    let (rest, expr) = parser
        .or_expr(text, 0)
        .map_err(|(at, message)| parser.problem(at, &message, span_of))?;
    let rest = rest.trim_start();
    if !rest.is_empty() {
        let message = if is_keyword_in_other_case(rest) {
            "Sigma's keywords are lowercase: `and`, `or`, `not`, `1 of`, `all of`".to_string()
        } else {
            format!(
                "expected `and`, `or` or the end of the condition, found `{}`",
                token(rest)
            )
        };
        return Err(parser.problem(rest, &message, span_of));
    }
    resolve(&expr, searches, span_of)
}

fn resolve(
    expr: &Expr,
    searches: &IndexMap<String, Cond>,
    span_of: &dyn Fn(Span) -> Span,
) -> Result<Cond, Problem> {
    let all = |items: &[Expr]| {
        items
            .iter()
            .map(|item| resolve(item, searches, span_of))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(match expr {
        Expr::Name(name, span) => searches.get(name).cloned().ok_or_else(|| {
            Problem::invalid(
                span_of(span.clone()),
                format!("the condition names `{name}`, which is not a search"),
                format!("the searches are {}", names(searches)),
            )
        })?,
        Expr::Quantified { all, pattern, span } => {
            let matched: Vec<Cond> = searches
                .iter()
                .filter(|(name, _)| matches_pattern(pattern, name))
                .map(|(_, cond)| cond.clone())
                .collect();
            if matched.is_empty() {
                return Err(Problem::invalid(
                    span_of(span.clone()),
                    format!("`{pattern}` matches no search"),
                    format!("the searches are {}", names(searches)),
                ));
            }
            if *all {
                Cond::and(matched)
            } else {
                Cond::or(matched)
            }
        }
        Expr::Not(inner) => Cond::not(resolve(inner, searches, span_of)?),
        Expr::And(items) => Cond::and(all(items)?),
        Expr::Or(items) => Cond::or(all(items)?),
    })
}

fn names(searches: &IndexMap<String, Cond>) -> String {
    searches
        .keys()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `them` is every search; a pattern's `*` stands for any run of characters.
fn matches_pattern(pattern: &str, name: &str) -> bool {
    if !pattern.starts_with('_') && name.starts_with('_') {
        return false;
    }
    if pattern == "them" {
        return true;
    }
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or_default();
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else {
        return rest.is_empty();
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

fn is_keyword_in_other_case(rest: &str) -> bool {
    let word = token(rest).to_ascii_lowercase();
    matches!(
        word.as_str(),
        "and" | "or" | "not" | "of" | "all" | "any" | "them"
    )
}

fn token(rest: &str) -> &str {
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .unwrap_or(rest.len());
    if end == 0 {
        &rest[..rest.len().min(1)]
    } else {
        &rest[..end]
    }
}

type Failure<'a> = (&'a str, String);
type PResult<'a, T> = Result<(&'a str, T), Failure<'a>>;

struct Parser<'a> {
    src: &'a str,
}

impl<'a> Parser<'a> {
    fn offset(&self, rest: &str) -> usize {
        self.src.len() - rest.len()
    }

    fn problem(&self, at: &str, message: &str, span_of: &dyn Fn(Span) -> Span) -> Problem {
        let start = self.offset(at);
        let span = start..start + token(at).len();
        Problem::invalid(span_of(span), message.to_string(), "")
    }

    fn or_expr(&self, i: &'a str, depth: usize) -> PResult<'a, Expr> {
        self.chain(i, depth, "or", Self::and_expr, Expr::Or)
    }

    fn and_expr(&self, i: &'a str, depth: usize) -> PResult<'a, Expr> {
        self.chain(i, depth, "and", Self::not_expr, Expr::And)
    }

    /// Operands read by `operand` and joined by the keyword `word`; one stands alone.
    fn chain(
        &self,
        i: &'a str,
        depth: usize,
        word: &str,
        operand: fn(&Self, &'a str, usize) -> PResult<'a, Expr>,
        join: fn(Vec<Expr>) -> Expr,
    ) -> PResult<'a, Expr> {
        let (mut rest, first) = operand(self, i, depth)?;
        let mut items = vec![first];
        while let Some(after) = keyword(rest, word) {
            let (next, item) = operand(self, after, depth)?;
            items.push(item);
            rest = next;
        }
        Ok((
            rest,
            if items.len() == 1 {
                items.remove(0)
            } else {
                join(items)
            },
        ))
    }

    fn not_expr(&self, i: &'a str, depth: usize) -> PResult<'a, Expr> {
        if depth > MAX_DEPTH {
            return Err((
                i,
                format!("the condition nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        if let Some(after) = keyword(i, "not") {
            let (rest, inner) = self.not_expr(after, depth + 1)?;
            return Ok((rest, Expr::Not(Box::new(inner))));
        }
        self.primary(i, depth)
    }

    fn primary(&self, i: &'a str, depth: usize) -> PResult<'a, Expr> {
        let i = i.trim_start();
        if let Some(inside) = i.strip_prefix('(') {
            let (rest, expr) = self.or_expr(inside, depth + 1)?;
            let rest = rest.trim_start();
            return match rest.strip_prefix(')') {
                Some(after) => Ok((after, expr)),
                None => Err((rest, format!("expected `)`, found `{}`", token(rest)))),
            };
        }
        for (quantifier, all) in [("1", false), ("any", false), ("all", true)] {
            if let Some(after) = keyword(i, quantifier).and_then(|after| keyword(after, "of")) {
                let after = after.trim_start();
                let (rest, pattern) = name(after, true).map_err(|_| {
                    (
                        after,
                        "expected a search name pattern or `them`".to_string(),
                    )
                })?;
                let span = self.offset(i)..self.offset(rest);
                let pattern = pattern.to_string();
                return Ok((rest, Expr::Quantified { all, pattern, span }));
            }
        }
        match name(i, false) {
            Ok((_, found)) if is_operator(found) => Err((
                i,
                if found == found.to_lowercase() {
                    format!("expected a search name, found `{found}`")
                } else {
                    "Sigma's keywords are lowercase: `and`, `or`, `not`".to_string()
                },
            )),
            Ok((rest, found)) => {
                let span = self.offset(i)..self.offset(rest);
                Ok((rest, Expr::Name(found.to_string(), span)))
            }
            Err(_) if i.is_empty() => Err((i, "the condition ends too early".to_string())),
            Err(_) => Err((i, format!("expected a search name, found `{}`", token(i)))),
        }
    }
}

/// `and`, `or`, `not` and `of` in any case: never search names.
fn is_operator(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "and" | "or" | "not" | "of"
    )
}

/// A search name (letters, digits, `_`, `-`), or with `pattern` a name pattern (`*` too).
fn name(i: &str, pattern: bool) -> IResult<&str, &str> {
    take_while1(|c: char| {
        c.is_ascii_alphanumeric() || c == '_' || if pattern { c == '*' } else { c == '-' }
    })
    .parse(i)
}

/// `word` after optional whitespace, as a whole word.
fn keyword<'a>(i: &'a str, word: &str) -> Option<&'a str> {
    let (rest, _) = (multispace0::<&str, nom::error::Error<&str>>, tag(word))
        .parse(i)
        .ok()?;
    let whole = !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    whole.then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Path, Segment};
    use crate::sigma::tree::{Literal, Op, Pred};

    fn search(name: &str) -> Cond {
        Cond::Pred(Pred {
            path: Path {
                segments: vec![Segment::Key(name.into())],
            },
            op: Op::Eq,
            cased: false,
            values: vec![Literal::Bool(true)],
            origin: 0..0,
        })
    }

    fn searches(names: &[&str]) -> IndexMap<String, Cond> {
        names
            .iter()
            .map(|name| (name.to_string(), search(name)))
            .collect()
    }

    fn resolved(text: &str, names: &[&str]) -> Result<Cond, Problem> {
        resolve_condition(text, &searches(names), &|span| span)
    }

    #[test]
    fn precedence_and_quantifiers() {
        let cond = resolved(
            "sel and not 1 of filter_* or other",
            &["sel", "filter_a", "filter_b", "other"],
        )
        .expect("resolves");
        assert_eq!(
            cond,
            Cond::or(vec![
                Cond::and(vec![
                    search("sel"),
                    Cond::not(Cond::or(vec![search("filter_a"), search("filter_b")])),
                ]),
                search("other"),
            ])
        );
        let them = resolved("all of them", &["a", "_hidden", "b"]).expect("resolves");
        assert_eq!(them, Cond::and(vec![search("a"), search("b")]));
        let explicit = resolved("1 of _h*", &["a", "_hidden"]).expect("resolves");
        assert_eq!(explicit, search("_hidden"));
    }

    #[test]
    fn mistakes_and_aggregations_are_refused() {
        for (text, names) in [
            ("sel AND other", &["sel", "other"][..]),
            ("sel and", &["sel"]),
            ("(sel", &["sel"]),
            ("missing", &["sel"]),
            ("1 of x*", &["sel"]),
            ("sel | count() > 5", &["sel"]),
            ("sel other", &["sel", "other"]),
        ] {
            assert!(resolved(text, names).is_err(), "{text}");
        }
    }

    #[test]
    fn patterns_match_like_globs() {
        assert!(matches_pattern("sel*", "selection"));
        assert!(matches_pattern("*_img", "sel_img"));
        assert!(matches_pattern("a*b*c", "a-x-b-y-c"));
        assert!(!matches_pattern("a*b", "a"));
        assert!(!matches_pattern("sel", "selection"));
    }
}
