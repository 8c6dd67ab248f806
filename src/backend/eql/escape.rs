//! EQL string literals and field names, written so that Elasticsearch and the `eql` Python
//! package both read them back exactly.
//!
//! The two grammars agree on double-quoted strings with the escapes `\\ \" \n \r \t` and any
//! other character written as itself; `\u{...}` exists in both but the `eql` package
//! mis-reads a string holding two of them, so it is never written. Field names are bare
//! when both lexers take them as one identifier, and in backticks otherwise.

/// Words that cannot be a bare field name in Elasticsearch EQL or in the `eql` package
/// (Elasticsearch reads keywords in any case).
const KEYWORDS: [&str; 24] = [
    "and", "any", "as", "by", "const", "false", "fork", "in", "join", "like", "macro", "maxspan",
    "not", "null", "of", "or", "regex", "runs", "sample", "sequence", "true", "until", "where",
    "with",
];

/// A double-quoted EQL string whose value is `text`.
pub fn eql_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One segment of a field name: bare, or in backticks. `None` for a name neither engine can
/// write: empty, or holding a backtick or a line break (the `eql` package reads neither in
/// backticks).
pub fn eql_name(name: &str) -> Option<String> {
    if is_bare(name) {
        return Some(name.to_string());
    }
    let writable = !name.is_empty() && !name.contains(['`', '\n', '\r']);
    writable.then(|| format!("`{name}`"))
}

/// `[A-Za-z_][A-Za-z0-9_]*` and not a keyword: an identifier to both lexers (`@timestamp` is
/// one to Elasticsearch only).
fn is_bare(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let lower = name.to_ascii_lowercase();
    starts_well
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads a double-quoted string as the Elasticsearch EQL lexer does: `\` followed by one
    /// of `btnfr"'\`, anything else but a quote, a backslash or a line break as itself.
    fn read_back(literal: &str) -> Option<String> {
        let inner = literal.strip_prefix('"')?.strip_suffix('"')?;
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.push(match chars.next()? {
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    c @ ('"' | '\'' | '\\') => c,
                    _ => return None,
                }),
                '"' | '\n' | '\r' => return None,
                c => out.push(c),
            }
        }
        Some(out)
    }

    fn hostile() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            Just("\"".to_string()),
            Just("\\".to_string()),
            Just("\\u{41}".to_string()),
            Just("\n\r\t".to_string()),
            Just("%_*?'`#:{}[]()".to_string()),
            Just("\"\"\"".to_string()),
            Just("\u{0}\u{7f}\u{85}\u{2028}".to_string()),
            Just("é ß İ 🦀".to_string()),
            any::<char>().prop_map(String::from),
            "[ -~]{0,8}",
        ];
        proptest::collection::vec(pieces, 0..8).prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn strings_read_back_unchanged(text in hostile()) {
            let literal = eql_string(&text);
            prop_assert_eq!(read_back(&literal), Some(text));
        }

        #[test]
        fn names_are_bare_or_quoted_whole(name in hostile()) {
            match eql_name(&name) {
                Some(written) if written.starts_with('`') => {
                    prop_assert_eq!(&written[1..written.len() - 1], name.as_str());
                }
                Some(written) => prop_assert!(is_bare(&written)),
                None => prop_assert!(name.is_empty() || name.contains(['`', '\n', '\r'])),
            }
        }
    }

    #[test]
    fn keywords_and_odd_names_are_quoted() {
        assert_eq!(
            eql_name("operation_name").as_deref(),
            Some("operation_name")
        );
        assert_eq!(eql_name("where").as_deref(), Some("`where`"));
        assert_eq!(eql_name("Any").as_deref(), Some("`Any`"));
        assert_eq!(eql_name("@timestamp").as_deref(), Some("`@timestamp`"));
        assert_eq!(eql_name("user-agent").as_deref(), Some("`user-agent`"));
        assert_eq!(eql_name("6field").as_deref(), Some("`6field`"));
        assert_eq!(eql_name("a`b"), None);
        assert_eq!(eql_name(""), None);
    }
}
