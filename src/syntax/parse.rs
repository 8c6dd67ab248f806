//! Recursive descent over the grammar, with nom parsing the tokens.
//!
//! Once a construct is recognised the parser is committed to it: errors are raised where
//! the input stops making sense, and say what was expected there.

use super::SyntaxError;
use super::ast::{Expr, ExprKind, OpKind, Operand, OperandKind, Operator, Predicate};
use super::lexical::{
    at_line_end, bare_segment, is_reserved, is_segment_char, keyword, number, space, word,
};
use crate::ir::{Path, Segment};
use crate::source::Span;

/// How deeply `(` and `not` may nest before the parser refuses, instead of overflowing its stack.
pub const MAX_NESTING: usize = 256;

/// Parses a whole condition: its lines, each a conjunct.
pub fn parse_condition(src: &str) -> Result<Expr, SyntaxError> {
    let parser = Parser { src };
    let mut lines = Vec::new();
    let mut i = space(src, true);
    if let Some(word) = ["and", "or"]
        .into_iter()
        .find(|kw| keyword(i, kw).is_some())
    {
        let message = format!("the condition starts with `{word}`");
        return Err(parser.error(i, message).with_hint(format!(
            "a line starting with `{word}` continues the line before it, and the first line \
             has none"
        )));
    }
    while !i.is_empty() {
        let (rest, line) = parser.expr(i, 0, false)?;
        let rest = space(rest, false);
        if !at_line_end(rest) {
            let message = format!(
                "expected `and`, `or` or the end of the line, found {}",
                found(rest)
            );
            return Err(parser.error(rest, message).with_hint(
                "each line is one condition; join conditions on one line with `and` or `or`",
            ));
        }
        lines.push(line);
        i = space(rest, true);
    }

    match lines.len() {
        0 => Err(SyntaxError::new(0..0, "the condition is empty")
            .with_hint("write at least one predicate, such as `field eq \"value\"`")),
        1 => Ok(lines.remove(0)),
        _ => Ok(Expr {
            kind: ExprKind::And(lines),
            span: 0..src.len(),
        }),
    }
}

/// Parses a field path on its own, as `OutputFields` values are written.
pub fn parse_path(src: &str) -> Result<Path, SyntaxError> {
    let parser = Parser { src };
    let (rest, path) = parser.path(src)?;
    if rest.is_empty() {
        return Ok(path);
    }
    Err(parser.error(
        rest,
        format!("unexpected {} after the field path", found(rest)),
    ))
}

type PResult<'a, T> = Result<(&'a str, T), SyntaxError>;

struct Parser<'a> {
    src: &'a str,
}

impl<'a> Parser<'a> {
    fn offset(&self, rest: &str) -> usize {
        self.src.len() - rest.len()
    }

    fn span(&self, from: &str, to: &str) -> Span {
        self.offset(from)..self.offset(to)
    }

    /// An error at the token that starts `at`.
    fn error(&self, at: &str, message: impl Into<String>) -> SyntaxError {
        let start = self.offset(at);
        let len = if at_line_end(at) { 0 } else { token(at).len() };
        SyntaxError::new(start..start + len, message)
    }

    fn expr(&self, i: &'a str, depth: usize, nested: bool) -> PResult<'a, Expr> {
        self.chain(i, depth, nested, "or", Self::and_expr, ExprKind::Or)
    }

    fn and_expr(&self, i: &'a str, depth: usize, nested: bool) -> PResult<'a, Expr> {
        self.chain(i, depth, nested, "and", Self::not_expr, ExprKind::And)
    }

    /// `operand (kw operand)*`, one level of the precedence ladder.
    fn chain(
        &self,
        i: &'a str,
        depth: usize,
        nested: bool,
        kw: &str,
        operand: fn(&Self, &'a str, usize, bool) -> PResult<'a, Expr>,
        make: fn(Vec<Expr>) -> ExprKind,
    ) -> PResult<'a, Expr> {
        let (mut rest, first) = operand(self, i, depth, nested)?;
        let mut items = vec![first];
        while let Some(after) = infix(rest, kw, nested) {
            let next = space(after, nested);
            if at_line_end(next) || next.starts_with(')') {
                let message = format!("expected a condition after `{kw}`, found {}", found(next));
                let error = self.error(next, message);
                return Err(if nested {
                    error
                } else {
                    error.with_hint(format!(
                        "to continue a condition on the next line, start that line with `{kw}`"
                    ))
                });
            }
            let (after_operand, item) = operand(self, next, depth, nested)?;
            items.push(item);
            rest = after_operand;
        }

        if items.len() == 1 {
            return Ok((rest, items.remove(0)));
        }
        Ok((
            rest,
            Expr {
                kind: make(items),
                span: self.span(i, rest),
            },
        ))
    }

    fn not_expr(&self, i: &'a str, depth: usize, nested: bool) -> PResult<'a, Expr> {
        let Some(after) = keyword(i, "not") else {
            return self.primary(i, depth, nested);
        };
        self.check_depth(i, depth)?;
        let next = space(after, nested);
        if at_line_end(next) || next.starts_with(')') {
            return Err(self.error(
                next,
                format!("expected a condition after `not`, found {}", found(next)),
            ));
        }
        let (rest, inner) = grow(|| self.not_expr(next, depth + 1, nested))?;
        Ok((
            rest,
            Expr {
                kind: ExprKind::Not(Box::new(inner)),
                span: self.span(i, rest),
            },
        ))
    }

    fn primary(&self, i: &'a str, depth: usize, nested: bool) -> PResult<'a, Expr> {
        let Some(after) = i.strip_prefix('(') else {
            let (rest, predicate) = self.predicate(i, nested)?;
            return Ok((
                rest,
                Expr {
                    kind: ExprKind::Predicate(predicate),
                    span: self.span(i, rest),
                },
            ));
        };
        self.check_depth(i, depth)?;
        let inner_start = space(after, true);
        if inner_start.is_empty() || inner_start.starts_with(')') {
            let message = format!(
                "expected a condition after `(`, found {}",
                found(inner_start)
            );
            return Err(self.error(inner_start, message));
        }
        let (rest, inner) = grow(|| self.expr(inner_start, depth + 1, true))?;
        let rest = space(rest, true);
        match rest.strip_prefix(')') {
            Some(after_close) => Ok((
                after_close,
                Expr {
                    span: self.span(i, after_close),
                    ..inner
                },
            )),
            None if rest.is_empty() => {
                let message =
                    "this `(` is never closed: expected `)` before the end of the condition";
                Err(self
                    .error(i, message)
                    .with_hint("every `(` needs a matching `)`"))
            }
            None => {
                let message = format!("expected `)` to close the `(`, found {}", found(rest));
                Err(self
                    .error(rest, message)
                    .with_hint("every `(` needs a matching `)`"))
            }
        }
    }

    fn check_depth(&self, at: &str, depth: usize) -> Result<(), SyntaxError> {
        if depth < MAX_NESTING {
            return Ok(());
        }
        let message = format!("the condition nests deeper than {MAX_NESTING} levels");
        Err(self
            .error(at, message)
            .with_hint("split the condition into simpler lines"))
    }

    fn predicate(&self, i: &'a str, nested: bool) -> PResult<'a, Predicate> {
        let (rest, path) = self.path(i)?;
        let path_span = self.span(i, rest);
        let at_op = space(rest, nested);
        let Ok((after_op, name)) = word(at_op) else {
            let message = format!(
                "expected an operator after `{path}`, found {}",
                found(at_op)
            );
            let hint = symbol_hint(at_op).unwrap_or_else(operator_list);
            return Err(self.error(at_op, message).with_hint(hint));
        };
        let operator = self.operator(at_op, name)?;
        let operator_span = self.span(at_op, after_op);
        let predicate = |operand| Predicate {
            path,
            path_span,
            operator,
            operator_span,
            operand,
        };
        if operator.kind.is_unary() {
            return Ok((after_op, predicate(None)));
        }

        let at_value = space(after_op, nested);
        if at_line_end(at_value) || at_value.starts_with(')') {
            let message = format!(
                "expected a value after `{operator}`, found {}",
                found(at_value)
            );
            return Err(self.error(at_value, message));
        }
        let (rest, operand) = self.operand(at_value)?;
        Ok((rest, predicate(Some(operand))))
    }

    fn operator(&self, at: &str, name: &str) -> Result<Operator, SyntaxError> {
        let lower = name.to_ascii_lowercase();
        let (base, case_sensitive) = match lower.strip_suffix("_cs") {
            Some(base) => (base, true),
            None => (lower.as_str(), false),
        };
        let kind = OpKind::ALL
            .iter()
            .find(|(spelling, _)| *spelling == base)
            .map(|(_, kind)| *kind);
        match kind {
            Some(kind) if !case_sensitive || kind.has_case_form() => Ok(Operator {
                kind,
                case_sensitive,
            }),
            Some(kind) => Err(self
                .error(at, format!("unknown operator `{name}`"))
                .with_hint(format!(
                    "only text operators have a `_cs` form; `{}` compares numbers or presence",
                    kind.name()
                ))),
            None => {
                let hint = match closest_operator(&lower) {
                    Some(close) => format!("did you mean `{close}`? {}", operator_list()),
                    None => operator_list(),
                };
                Err(self
                    .error(at, format!("unknown operator `{name}`"))
                    .with_hint(hint))
            }
        }
    }

    fn path(&self, i: &'a str) -> PResult<'a, Path> {
        let (mut rest, first) = self.segment(i, true)?;
        let mut segments = vec![first];
        loop {
            if let Some(after_dot) = rest.strip_prefix('.') {
                let (after, segment) = self.segment(after_dot, false)?;
                segments.push(segment);
                rest = after;
            } else if let Some(after_bracket) = rest.strip_prefix('[') {
                let (after, segment) = self.index(after_bracket)?;
                segments.push(segment);
                rest = after;
            } else {
                return Ok((rest, Path { segments }));
            }
        }
    }

    fn segment(&self, i: &'a str, first: bool) -> PResult<'a, Segment> {
        if i.starts_with('`') {
            return self.quoted_segment(i);
        }
        match bare_segment(i) {
            Ok((_, name)) if first && is_reserved(name) => {
                let message = format!("expected a field path, found the keyword `{name}`");
                Err(self.error(i, message).with_hint(format!(
                    "a field named like a keyword is written in backticks: `{name}`"
                )))
            }
            Ok((rest, name)) => Ok((rest, Segment::Key(name.to_string()))),
            Err(_) if first => {
                let message = format!("expected a field path or `(`, found {}", found(i));
                Err(self.error(i, message))
            }
            Err(_) => {
                let message = format!("expected a field name after `.`, found {}", found(i));
                Err(self
                    .error(i, message)
                    .with_hint("write keys with other characters in backticks"))
            }
        }
    }

    /// `` `any key` ``, with a doubled backtick for a literal one.
    fn quoted_segment(&self, i: &'a str) -> PResult<'a, Segment> {
        let mut key = String::new();
        let mut chars = i.char_indices().skip(1).peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '`' if chars.peek().is_some_and(|(_, next)| *next == '`') => {
                    chars.next();
                    key.push('`');
                }
                '`' => return Ok((&i[at + 1..], Segment::Key(key))),
                '\n' => break,
                _ => key.push(c),
            }
        }
        let end = i.find('\n').unwrap_or(i.len());
        let start = self.offset(i);
        Err(SyntaxError::new(
            start..start + end,
            "unterminated field name: a backtick is not closed",
        )
        .with_hint("close the field name with ` on the same line"))
    }

    /// The inside of `[N]` or `[*]`, after the `[`.
    fn index(&self, i: &'a str) -> PResult<'a, Segment> {
        if let Some(rest) = i.strip_prefix("*]") {
            return Ok((rest, Segment::Each));
        }
        let digits = i.find(|c: char| !c.is_ascii_digit()).unwrap_or(i.len());
        let rest = &i[digits..];
        match (i[..digits].parse::<usize>(), rest.strip_prefix(']')) {
            (Ok(index), Some(after)) => Ok((after, Segment::Index(index))),
            _ => {
                let message = format!(
                    "expected an array index such as `[0]` or `[*]`, found {}",
                    found(i)
                );
                Err(self.error(i, message))
            }
        }
    }

    fn operand(&self, i: &'a str) -> PResult<'a, Operand> {
        if let Some(after) = i.strip_prefix('[') {
            return self.list(i, after);
        }
        self.literal(i)
    }

    fn list(&self, open: &'a str, after: &'a str) -> PResult<'a, Operand> {
        let mut items = Vec::new();
        let mut i = space(after, true);
        loop {
            if let Some(rest) = i.strip_prefix(']') {
                if items.is_empty() {
                    let span = self.span(open, rest);
                    return Err(SyntaxError::new(
                        span,
                        "empty list: a list needs at least one value",
                    ));
                }
                return Ok((
                    rest,
                    Operand {
                        kind: OperandKind::List(items),
                        span: self.span(open, rest),
                    },
                ));
            }
            if i.starts_with('[') {
                return Err(self.error(i, "lists cannot be nested"));
            }
            let (rest, item) = self.literal(i)?;
            items.push(item);
            let rest = space(rest, true);
            i = match (rest.strip_prefix(','), rest.starts_with(']')) {
                (Some(after_comma), _) => space(after_comma, true),
                (None, true) => rest,
                (None, false) => {
                    let message = format!("expected `,` or `]` in the list, found {}", found(rest));
                    return Err(self.error(rest, message));
                }
            };
        }
    }

    fn literal(&self, i: &'a str) -> PResult<'a, Operand> {
        let operand = |rest: &'a str, kind| {
            Ok((
                rest,
                Operand {
                    kind,
                    span: self.span(i, rest),
                },
            ))
        };
        if i.starts_with('"') {
            let (rest, text) = self.quoted_string(i)?;
            return operand(rest, OperandKind::Str(text));
        }
        if let Some(body) = i.strip_prefix('\'') {
            return match body.find(['\'', '\n']) {
                Some(end) if body[end..].starts_with('\'') => {
                    operand(&body[end + 1..], OperandKind::Str(body[..end].to_string()))
                }
                _ => Err(self.unterminated(i, "'")),
            };
        }
        if let Ok((rest, text)) = number(i) {
            return match (
                rest.starts_with(|c| is_segment_char(c) || c == '.'),
                text.parse::<f64>(),
            ) {
                (false, Ok(value)) if value.is_finite() => {
                    operand(rest, OperandKind::Number(value, text.to_string()))
                }
                (false, _) => Err(self.error(i, format!("the number `{text}` is out of range"))),
                (true, _) => {
                    let end = i
                        .find(|c: char| !(is_segment_char(c) || matches!(c, '.' | '+')))
                        .unwrap_or(i.len());
                    let start = self.offset(i);
                    let message = format!("malformed number `{}`", &i[..end]);
                    Err(SyntaxError::new(start..start + end, message))
                }
            };
        }
        self.word_literal(i)
    }

    fn word_literal(&self, i: &'a str) -> PResult<'a, Operand> {
        let bad_value = || {
            let message = format!(
                "expected a value (a quoted string, a number, true, false or a list), found {}",
                found(i)
            );
            self.error(i, message)
        };
        let Ok((rest, name)) = word(i) else {
            return Err(bad_value());
        };
        let span = self.span(i, rest);
        match name.to_ascii_lowercase().as_str() {
            _ if rest.starts_with(is_segment_char) => Err(bad_value()),
            "true" => Ok((
                rest,
                Operand {
                    kind: OperandKind::Bool(true),
                    span,
                },
            )),
            "false" => Ok((
                rest,
                Operand {
                    kind: OperandKind::Bool(false),
                    span,
                },
            )),
            "null" => Err(SyntaxError::new(
                span,
                "there is no `null` literal: test with `is_null`",
            )
            .with_hint("`is_null` is true for a missing or null field, `is_not_null` otherwise")),
            _ => Err(bad_value().with_hint(format!("write text in quotes: \"{name}\""))),
        }
    }

    /// A double-quoted string with the escapes `\\ \" \n \r \t \u{HEX}`.
    fn quoted_string(&self, i: &'a str) -> PResult<'a, String> {
        let mut text = String::new();
        let mut chars = i.char_indices().skip(1);
        while let Some((at, c)) = chars.next() {
            match c {
                '"' => return Ok((&i[at + 1..], text)),
                '\n' => break,
                '\\' => text.push(self.escape(i, at, &mut chars)?),
                _ => text.push(c),
            }
        }
        Err(self.unterminated(i, "\""))
    }

    fn escape(
        &self,
        string: &'a str,
        at: usize,
        chars: &mut impl Iterator<Item = (usize, char)>,
    ) -> Result<char, SyntaxError> {
        let start = self.offset(string) + at;
        let bad = |len: usize, message: String| {
            SyntaxError::new(start..start + len, message).with_hint(
                "write `\\\\` for a backslash, or use a raw single-quoted string: 'C:\\Windows'",
            )
        };
        match chars.next() {
            Some((_, '\\')) => Ok('\\'),
            Some((_, '"')) => Ok('"'),
            Some((_, 'n')) => Ok('\n'),
            Some((_, 'r')) => Ok('\r'),
            Some((_, 't')) => Ok('\t'),
            Some((_, 'u')) => {
                let body = &string[at + 2..];
                let close = body.find('}').filter(|_| body.starts_with('{'));
                let code = close.and_then(|end| {
                    let hex = &body[1..end];
                    let valid = (1..=6).contains(&hex.len());
                    valid
                        .then(|| u32::from_str_radix(hex, 16).ok())
                        .flatten()
                        .and_then(char::from_u32)
                });
                match (code, close) {
                    (Some(c), Some(end)) => {
                        for _ in 0..=end {
                            chars.next();
                        }
                        Ok(c)
                    }
                    _ => Err(SyntaxError::new(start..start + 2, "invalid unicode escape")
                        .with_hint(
                            "write `\\u{HEX}` with 1 to 6 hex digits up to 10FFFF, as in `\\u{e9}`",
                        )),
                }
            }
            Some((_, other)) if other != '\n' => Err(bad(
                1 + other.len_utf8(),
                format!("unknown escape `\\{other}` in a string"),
            )),
            _ => Err(bad(1, "a backslash ends the line inside a string".into())),
        }
    }

    fn unterminated(&self, i: &str, quote: &str) -> SyntaxError {
        let start = self.offset(i);
        let end = i.find('\n').unwrap_or(i.len());
        SyntaxError::new(start..start + end, "unterminated string").with_hint(format!(
            "close the string with {quote} on the same line; write \\n for a newline"
        ))
    }
}

/// Runs a nested parse on a fresh stack segment when the current one runs low: a nesting
/// level costs several frames, and 256 levels must fit on any thread.
fn grow<T>(parse: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(32 * 1024, 1024 * 1024, parse)
}

/// Skips white space and an infix keyword. At the top level a keyword that starts the next
/// line continues the current one.
fn infix<'a>(i: &'a str, kw: &str, nested: bool) -> Option<&'a str> {
    let inline = space(i, nested);
    keyword(inline, kw).or_else(|| {
        let next_line = space(i, true);
        (!nested && next_line.len() < inline.len())
            .then(|| keyword(next_line, kw))
            .flatten()
    })
}

/// The token at the start of `i`: a word, a quoted string's start, or one character.
fn token(i: &str) -> &str {
    let word_len = i.find(|c: char| !is_segment_char(c)).unwrap_or(i.len());
    if word_len > 0 {
        return &i[..word_len];
    }
    i.chars().next().map_or("", |c| &i[..c.len_utf8()])
}

/// Describes what the parser found, for "expected X, found Y" messages.
fn found(i: &str) -> String {
    if i.is_empty() {
        return "the end of the condition".into();
    }
    if at_line_end(i) {
        return "the end of the line".into();
    }
    if i.starts_with([' ', '\t']) {
        return "a space".into();
    }
    format!("`{}`", token(i))
}

/// A hint for comparison symbols people write out of habit.
fn symbol_hint(i: &str) -> Option<String> {
    const SYMBOLS: [(&str, &str); 7] = [
        ("==", "eq"),
        ("!=", "ne"),
        (">=", "ge"),
        ("<=", "le"),
        ("=", "eq"),
        (">", "gt"),
        ("<", "lt"),
    ];
    let (symbol, word) = SYMBOLS.iter().find(|(symbol, _)| i.starts_with(symbol))?;
    Some(format!("write `{word}` instead of `{symbol}`"))
}

fn operator_list() -> String {
    let names: Vec<&str> = OpKind::ALL.iter().map(|(name, _)| *name).collect();
    format!(
        "operators are {} (text operators also have a `_cs` form)",
        names.join(", ")
    )
}

fn closest_operator(name: &str) -> Option<&'static str> {
    OpKind::ALL
        .iter()
        .map(|(spelling, _)| (strsim::jaro_winkler(name, spelling), *spelling))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, spelling)| spelling)
}
