//! Python literals: the one function that writes a string literal for the Panther target,
//! and the one that writes a number.

use crate::code_escape::{HexCase, push_code_escape};
use crate::ir::Number;

/// Integral numbers below this magnitude are exact as Python integers and as floats.
const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53

/// A Python string literal for `text`. Text with backslashes but nothing else to escape
/// (regex patterns, Windows paths) is written raw, `r"C:\Windows"`; anything else as a
/// double-quoted literal with escapes for quotes, backslashes and every character that is
/// not visible (control characters, line and paragraph separators, other white space but
/// the space, format characters).
pub fn python_str(text: &str) -> String {
    let raw_ok = text.contains('\\')
        && !text.ends_with('\\')
        && !text.chars().any(|c| c == '"' || needs_escape(c));
    if raw_ok {
        return format!("r\"{text}\"");
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if !needs_escape(c) => out.push(c),
            c => push_code_escape(c, HexCase::Lower, &mut out),
        }
    }
    out.push('"');
    out
}

/// Characters a reader could not see in a literal, or that Python source cannot hold.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(c,
            '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{fff9}'..='\u{ffff}')
}

/// A Python number literal with the literal's exact value: the canonical integer text when
/// that is exact, else the shortest float text that reads back as the same double.
pub fn python_number(number: &Number) -> String {
    let value = number.value;
    if value.fract() == 0.0 && value.abs() < EXACT_INTEGER_LIMIT {
        return number.text.clone();
    }
    format!("{value:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads a literal the way Python's tokenizer does, for the forms [`python_str`] writes.
    fn read_python_literal(literal: &str) -> Option<String> {
        if let Some(body) = literal.strip_prefix("r\"") {
            let body = body.strip_suffix('"')?;
            return (!body.contains('"') && !body.ends_with('\\')).then(|| body.to_string());
        }
        let body = literal.strip_prefix('"')?.strip_suffix('"')?;
        let mut out = String::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' | '\n' | '\r' | '\0' => return None,
                '\\' => {
                    let escape = chars.next()?;
                    let digits = match escape {
                        'x' => 2,
                        'u' => 4,
                        'U' => 8,
                        _ => 0,
                    };
                    if digits > 0 {
                        let hex: String = chars.by_ref().take(digits).collect();
                        out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                        continue;
                    }
                    out.push(match escape {
                        '\\' => '\\',
                        '"' => '"',
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        _ => return None,
                    });
                }
                c => out.push(c),
            }
        }
        Some(out)
    }

    fn hostile() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            Just("\"".to_string()),
            Just("\"\"\"".to_string()),
            Just("\\".to_string()),
            Just("\\x41\\N{DASH}\\u0041".to_string()),
            Just("\n\r\t\0\u{7f}\u{85}\u{2028}\u{feff}".to_string()),
            Just("%_*?'{}#".to_string()),
            Just("é İ ß 🦀".to_string()),
            any::<char>().prop_map(String::from),
            "[ -~]{0,8}",
        ];
        proptest::collection::vec(pieces, 0..8).prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn literals_read_back_unchanged(text in hostile()) {
            let literal = python_str(&text);
            prop_assert_eq!(read_python_literal(&literal), Some(text));
        }
    }

    #[test]
    fn backslashes_alone_make_a_raw_literal() {
        assert_eq!(python_str(r"^\d+\.\Z"), r#"r"^\d+\.\Z""#);
        assert_eq!(python_str(r"ends\"), r#""ends\\""#);
        assert_eq!(python_str("say \"hi\""), r#""say \"hi\"""#);
        assert_eq!(python_str("a\u{0}b"), r#""a\x00b""#);
    }

    #[test]
    fn numbers_keep_their_exact_value() {
        let number = |value: f64, text: &str| Number {
            value,
            text: text.to_string(),
        };
        assert_eq!(python_number(&number(1000.0, "1000")), "1000");
        assert_eq!(python_number(&number(-0.5, "-0.5")), "-0.5");
        assert_eq!(python_number(&number(1e16, "10000000000000000")), "1e16");
        assert_eq!(python_number(&number(1.5e-7, "0.00000015")), "1.5e-7");
    }
}
