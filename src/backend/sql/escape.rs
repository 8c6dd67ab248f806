//! String literals and identifiers for each SQL dialect: one function per dialect and
//! kind, used by every place that writes one.

/// A double-quoted identifier, `"` doubled: standard SQL, read alike by SQLite, DuckDB,
/// PostgreSQL and Snowflake.
pub fn identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'...'` with `'` doubled; a NUL, which would end the statement, and a carriage return
/// (which line-ending conversions would change) are spliced in with `char()`.
pub fn sqlite_string(text: &str) -> String {
    spliced_string(text, &[('\0', "char(0)"), ('\r', "char(13)")])
}

/// `'...'` with `'` doubled (backslashes are plain characters in DuckDB); a NUL and a
/// carriage return (which line-ending conversions would change) are spliced in with
/// `chr()`.
pub fn duckdb_string(text: &str) -> String {
    spliced_string(text, &[('\0', "chr(0)"), ('\r', "chr(13)")])
}

/// `'...'` with `'` doubled, read with `standard_conforming_strings` on (the default
/// since PostgreSQL 9.1), where a backslash is a plain character; a carriage return is
/// spliced in with `chr(13)`. PostgreSQL text cannot hold NUL at all.
pub fn postgres_string(text: &str) -> Result<String, String> {
    if text.contains('\0') {
        return Err("PostgreSQL text cannot contain the NUL character".into());
    }
    Ok(spliced_string(text, &[('\r', "chr(13)")]))
}

/// A standard literal with each of `splices` written as a call outside the quotes.
fn spliced_string(text: &str, splices: &[(char, &str)]) -> String {
    let mut quoted = format!("'{}'", text.replace('\'', "''"));
    for (c, call) in splices {
        quoted = quoted.replace(*c, &format!("' || {call} || '"));
    }
    quoted
}

/// `'...'` where a backslash escapes: `\\` for a backslash, `''` for a quote, and `\n`,
/// `\r`, `\t`, `\0` for the control characters that would be hard to read raw.
pub fn snowflake_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("''"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A Snowflake column name: as it is when it is a plain identifier, which Snowflake
/// matches without regard to case, as Panther's columns are made; quoted (and so matched
/// exactly) otherwise, or when it is a reserved word.
pub fn snowflake_identifier(name: &str) -> String {
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    let reserved = SNOWFLAKE_RESERVED
        .binary_search(&name.to_ascii_uppercase().as_str())
        .is_ok();
    if plain && !reserved {
        name.to_string()
    } else {
        identifier(name)
    }
}

/// Snowflake's reserved keywords, which cannot be unquoted identifiers (sorted).
const SNOWFLAKE_RESERVED: [&str; 92] = [
    "ACCOUNT",
    "ALL",
    "ALTER",
    "AND",
    "ANY",
    "AS",
    "BETWEEN",
    "BY",
    "CASE",
    "CAST",
    "CHECK",
    "COLUMN",
    "CONNECT",
    "CONNECTION",
    "CONSTRAINT",
    "CREATE",
    "CROSS",
    "CURRENT",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "CURRENT_USER",
    "DATABASE",
    "DELETE",
    "DISTINCT",
    "DROP",
    "ELSE",
    "EXISTS",
    "FALSE",
    "FOLLOWING",
    "FOR",
    "FROM",
    "FULL",
    "GRANT",
    "GROUP",
    "GSCLUSTER",
    "HAVING",
    "ILIKE",
    "IN",
    "INCREMENT",
    "INNER",
    "INSERT",
    "INTERSECT",
    "INTO",
    "IS",
    "ISSUE",
    "JOIN",
    "LATERAL",
    "LEFT",
    "LIKE",
    "LOCALTIME",
    "LOCALTIMESTAMP",
    "MINUS",
    "NATURAL",
    "NOT",
    "NULL",
    "OF",
    "ON",
    "OR",
    "ORDER",
    "ORGANIZATION",
    "QUALIFY",
    "REGEXP",
    "REVOKE",
    "RIGHT",
    "RLIKE",
    "ROW",
    "ROWS",
    "SAMPLE",
    "SCHEMA",
    "SELECT",
    "SET",
    "SOME",
    "START",
    "TABLE",
    "TABLESAMPLE",
    "THEN",
    "TO",
    "TRIGGER",
    "TRUE",
    "TRY_CAST",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USING",
    "VALUES",
    "VIEW",
    "WHEN",
    "WHENEVER",
    "WHERE",
    "WINDOW",
    "WITH",
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Lexes a standard SQL literal, `'..'` with `''`, possibly spliced with
    /// `' || <call> || '`, as SQLite, DuckDB and PostgreSQL do; `None` unless the whole
    /// text is that.
    fn read_standard(literal: &str, splices: &[(char, &str)]) -> Option<String> {
        let mut out = String::new();
        let mut rest = literal;
        loop {
            let (piece, after) = read_quoted(rest, '\'')?;
            out.push_str(&piece);
            if after.is_empty() {
                return Some(out);
            }
            let (c, next) = splices.iter().find_map(|(c, call)| {
                let next = after.strip_prefix(&format!(" || {call} || "))?;
                Some((*c, next))
            })?;
            out.push(c);
            rest = next;
        }
    }

    /// One quoted token at the start of `text` (the quote doubled inside), and what follows.
    fn read_quoted(text: &str, quote: char) -> Option<(String, &str)> {
        let mut chars = text.strip_prefix(quote)?.char_indices().peekable();
        let mut out = String::new();
        while let Some((at, c)) = chars.next() {
            if c != quote {
                out.push(c);
            } else if chars.peek().is_some_and(|(_, next)| *next == quote) {
                chars.next();
                out.push(quote);
            } else {
                return Some((out, &text[at + 2 * quote.len_utf8()..]));
            }
        }
        None
    }

    /// A whole quoted token.
    fn read_whole(text: &str, quote: char) -> Option<String> {
        let (out, rest) = read_quoted(text, quote)?;
        rest.is_empty().then_some(out)
    }

    /// Snowflake's lexer for `'..'`: backslash escapes and `''`.
    fn read_snowflake(literal: &str) -> Option<String> {
        let body = literal.strip_prefix('\'')?.strip_suffix('\'')?;
        let mut out = String::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.push(match chars.next()? {
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    '0' => '\0',
                    other => other,
                }),
                '\'' => (chars.next()? == '\'').then(|| out.push('\''))?,
                c => out.push(c),
            }
        }
        Some(out)
    }

    fn hostile() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            Just("'".to_string()),
            Just("''".to_string()),
            Just("\\".to_string()),
            Just("\"".to_string()),
            Just("\n".to_string()),
            Just("\r\t".to_string()),
            Just("%_*?".to_string()),
            Just("\0".to_string()),
            Just("' || chr(0) || '".to_string()),
            Just("é ΣΑΣ İ 𝒜".to_string()),
            "[a-z]{0,3}".prop_map(String::from),
            any::<char>().prop_map(String::from),
        ];
        proptest::collection::vec(pieces, 0..8).prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn sqlite_and_duckdb_strings_read_back(text in hostile()) {
            let sqlite_splices = [('\0', "char(0)"), ('\r', "char(13)")];
            let sqlite = read_standard(&sqlite_string(&text), &sqlite_splices);
            prop_assert_eq!(sqlite, Some(text.clone()));
            let splices = [('\0', "chr(0)"), ('\r', "chr(13)")];
            let duckdb = read_standard(&duckdb_string(&text), &splices);
            prop_assert_eq!(duckdb, Some(text));
        }

        #[test]
        fn postgres_strings_read_back(text in hostile()) {
            match postgres_string(&text) {
                Ok(literal) => {
                    let read = read_standard(&literal, &[('\r', "chr(13)")]);
                    prop_assert_eq!(read, Some(text));
                }
                Err(_) => prop_assert!(text.contains('\0')),
            }
        }

        #[test]
        fn snowflake_strings_read_back(text in hostile()) {
            prop_assert_eq!(read_snowflake(&snowflake_string(&text)), Some(text));
        }

        #[test]
        fn identifiers_read_back(name in hostile()) {
            let quoted = identifier(&name);
            prop_assert_eq!(read_whole(&quoted, '"'), Some(name.clone()));
            let snowflake = snowflake_identifier(&name);
            if snowflake.starts_with('"') {
                prop_assert_eq!(read_whole(&snowflake, '"'), Some(name));
            } else {
                prop_assert_eq!(&snowflake, &name);
                let plain = |c: char| c.is_ascii_alphanumeric() || "_$".contains(c);
                prop_assert!(snowflake.chars().all(plain));
            }
        }
    }

    #[test]
    fn reserved_words_are_sorted_and_quoted() {
        let mut sorted = SNOWFLAKE_RESERVED;
        sorted.sort_unstable();
        assert_eq!(sorted, SNOWFLAKE_RESERVED);
        assert_eq!(snowflake_identifier("select"), "\"select\"");
        assert_eq!(snowflake_identifier("operationName"), "operationName");
        assert_eq!(snowflake_identifier("@timestamp"), "\"@timestamp\"");
    }
}
