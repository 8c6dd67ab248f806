//! Tokens of the condition language: white space, comments, words, numbers and strings.
//!
//! Newlines matter at the top level (each line is a conjunct) but not inside parentheses or
//! brackets, so every white-space skipper takes a `nested` flag.

use nom::IResult;
use nom::Parser as _;
use nom::bytes::complete::take_while;
use nom::character::complete::{char, digit1, one_of, satisfy};
use nom::combinator::{opt, recognize};
use nom::sequence::pair;

use super::ast::OpKind;

/// Skips spaces, tabs and comments; with `nested`, newlines too.
pub fn space(mut i: &str, nested: bool) -> &str {
    loop {
        let trimmed = i.trim_start_matches([' ', '\t', '\r']);
        let trimmed = match trimmed.strip_prefix('\n') {
            Some(rest) if nested => rest,
            _ => trimmed,
        };
        let trimmed = match trimmed.strip_prefix('#') {
            Some(comment) => comment.find('\n').map_or("", |end| &comment[end..]),
            None => trimmed,
        };
        if trimmed.len() == i.len() {
            return i;
        }
        i = trimmed;
    }
}

/// True at the end of the condition or of the current line.
pub fn at_line_end(i: &str) -> bool {
    i.is_empty() || i.starts_with('\n')
}

/// Characters that may continue a bare field segment; a keyword must not be followed by one.
pub fn is_segment_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '@' | '$' | '-')
}

/// A bare field segment: `[A-Za-z_@$][A-Za-z0-9_@$-]*`.
pub fn bare_segment(i: &str) -> IResult<&str, &str> {
    recognize(pair(
        satisfy(|c| c.is_ascii_alphabetic() || matches!(c, '_' | '@' | '$')),
        take_while(is_segment_char),
    ))
    .parse(i)
}

/// A word of letters and underscores: an operator, keyword or boolean.
pub fn word(i: &str) -> IResult<&str, &str> {
    recognize(pair(
        satisfy(|c| c.is_ascii_alphabetic() || c == '_'),
        take_while(|c: char| c.is_ascii_alphanumeric() || c == '_'),
    ))
    .parse(i)
}

/// Matches `keyword` in any case when it stands as a whole word, returning what follows.
pub fn keyword<'a>(i: &'a str, keyword: &str) -> Option<&'a str> {
    let head = i.get(..keyword.len())?;
    let rest = &i[keyword.len()..];
    let whole = !rest.starts_with(is_segment_char);
    (head.eq_ignore_ascii_case(keyword) && whole).then_some(rest)
}

/// Words that cannot start a field path unquoted.
pub fn is_reserved(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    let base = lower.strip_suffix("_cs").unwrap_or(&lower);
    matches!(lower.as_str(), "and" | "or" | "not" | "true" | "false")
        || OpKind::ALL.iter().any(|(name, _)| *name == base)
}

/// A number literal: `-?digits(.digits)?([eE][+-]?digits)?`, returned as written.
pub fn number(i: &str) -> IResult<&str, &str> {
    recognize((
        opt(char('-')),
        digit1,
        opt(pair(char('.'), digit1)),
        opt((one_of("eE"), opt(one_of("+-")), digit1)),
    ))
    .parse(i)
}

/// Whether `text` is exactly a number literal (the language's definition of a numeric string).
pub fn is_number(text: &str) -> bool {
    matches!(number(text), Ok(("", _)))
}
