//! Writing KQL literals and names. Every string literal the KQL backend writes goes through
//! [`string_literal`], every column or key name through [`identifier`] or [`member`].
//!
//! KQL documents four escapes in `"..."` literals (`\\`, `\"`, `\n`, `\t`) and verbatim
//! literals `@"..."` in which only `"` is special (doubled). A raw line break ends a literal,
//! and Kusto's parser takes U+2028 and U+2029 for line breaks too. Any other control
//! character, and those two, have no documented spelling, so text holding one is refused
//! rather than written in a way the engine might read differently.

use std::collections::HashSet;
use std::sync::LazyLock;

/// Names that KQL reads as keywords, so a column or key spelled so must be bracketed. Taken
/// from the keyword table of Microsoft's parser (`Kusto.Language` 12.4.1), plus the literals
/// `true` and `false`; names with other characters are bracketed anyway.
const KEYWORDS: &str = "\
    access accumulate alias and anomalychart areachart as asc bagexpansion barchart \
    best_effort between bin bin_legacy bool boolean by byte cachingpolicy callout cancel \
    card char columnchart consume contains contains_cs containscs count cycles database \
    dataexport dataformat datascope datatable date datetime datetime_pattern decimal \
    declare decodeblocks default desc distinct double dynamic earliest edges \
    encodingpolicy endswith endswith_cs entity_group evaluate expandoutput extend \
    extent_tags_retention external_data externaldata facet false filter find first flags \
    float force_remote fork from getschema graph guid harddelete hardretention has \
    has_all has_any has_cs hasprefix hasprefix_cs hassuffix hassuffix_cs hotcache id in \
    inline_external_table int int16 int32 int64 int8 invoke isfuzzy join journal kind \
    ladderchart last latest let like likecs limit linechart long lookup mdm missing \
    mvapply mvexpand nodes nooptimization notcontains notcontainscs notlike notlikecs \
    null nulls of on optional or order others output pack parse partition partitioned \
    pathformat pattern piechart pivotchart plotly print project queries query_parameters \
    query_results range real reduce regex relaxed render restrict restricted_view_access \
    row_level_security rowstore rowstore_references rowstore_sealinfo rowstorepolicy \
    rowstores sample scan scatterchart seal seals search serialize set shards simple \
    softdelete softretention sort sql stackedareachart startswith startswith_cs \
    statistics step storedqueryresultcontainers string summarize tablepurge take time \
    timechart timeline timepivot timespan title to top toscalar totable treemap true \
    typeof uint uint16 uint32 uint64 uint8 ulong union uniqueid unrestrictedviewers uuid \
    verbose view viewers views where with with_itemindex with_match_id with_node_id \
    with_source with_step_name withsource writeaheadlog";

/// Integral numbers below this magnitude are written as integer literals.
const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53

/// The KQL string literal for `text`, or `None` when `text` holds a character with no
/// spelling ([`unwritable`]). Text with a backslash and no tab or newline is written verbatim
/// (`@"C:\Temp"`, `@"^\d+$"` reads better than doubled backslashes); anything else in
/// double quotes with the four documented escapes.
pub fn string_literal(text: &str) -> Option<String> {
    if text.chars().any(unwritable) {
        return None;
    }
    if text.contains('\\') && !text.contains(['\t', '\n']) {
        return Some(format!("@\"{}\"", text.replace('"', "\"\"")));
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    Some(out)
}

/// Whether a KQL literal cannot hold `c`: a control character other than tab and newline,
/// or a line or paragraph separator, which end the literal.
fn unwritable(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || matches!(c, '\u{2028}' | '\u{2029}')
}

/// A column or result name: bare when it is a plain name that is not a keyword, else
/// bracketed (`['user name']`). `None` when the name cannot be written as a literal.
pub fn identifier(name: &str) -> Option<String> {
    if is_plain_name(name) {
        Some(name.to_string())
    } else {
        string_literal(name).map(|literal| format!("[{literal}]"))
    }
}

/// Access to the key `key` of a dynamic value: `.userType` or `['user-agent']`.
pub fn member(key: &str) -> Option<String> {
    if is_plain_name(key) {
        Some(format!(".{key}"))
    } else {
        string_literal(key).map(|literal| format!("[{literal}]"))
    }
}

/// A number literal that reads back as exactly `value`: an integer when it is integral and
/// below 2^53, else the shortest round-trip form (`1.5`, `1e300`). `None` for infinities and
/// NaN, which KQL has no literal for.
pub fn number_literal(value: f64) -> Option<String> {
    if !value.is_finite() {
        return None;
    }
    if value.fract() == 0.0 && value.abs() < EXACT_INTEGER_LIMIT {
        // `as` is exact here: the value is integral and well inside i64.
        return Some((value as i64).to_string());
    }
    Some(format!("{value:?}"))
}

/// [`KEYWORDS`] as a set, built once.
static KEYWORD_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| KEYWORDS.split_whitespace().collect());

/// `[A-Za-z_][A-Za-z0-9_]*` and not a keyword.
fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && !KEYWORD_SET.contains(name)
}

/// Reads a literal written by [`string_literal`] back, following KQL's lexer: verbatim
/// literals double their quote, regular ones know the escapes Microsoft's parser accepts.
/// Used by the tests to prove the round trip.
#[cfg(test)]
pub fn read_string_literal(literal: &str) -> Option<String> {
    if let Some(body) = literal.strip_prefix("@\"") {
        let body = body.strip_suffix('"')?;
        if body.replace("\"\"", "").contains('"') || body.contains(['\n', '\r']) {
            return None;
        }
        return Some(body.replace("\"\"", "\""));
    }
    let body = literal.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(match chars.next()? {
                '\\' => '\\',
                '"' => '"',
                '\'' => '\'',
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                _ => return None,
            }),
            '"' | '\n' | '\r' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Strings made of the pieces that break quoting, plus anything at all.
    fn hostile() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "\"", "'", "\\", "\\\\", "\n", "\t", "\r", "%", "_", "*", "?", "@\"", "\"\"", "é",
            "\u{0}", "\u{1f}", "\u{7f}", "\u{85}", "\u{2028}", "\u{feff}", "😀", "a", " ", "]",
            "[", "{", "}", "//", "|", "$",
        ]);
        prop_oneof![
            prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat()),
            any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn literals_read_back_or_are_refused(text in hostile()) {
            let refused = text.chars().any(|c| {
                (c.is_control() && c != '\t' && c != '\n') || c == '\u{2028}' || c == '\u{2029}'
            });
            match string_literal(&text) {
                Some(literal) => {
                    prop_assert!(!refused);
                    prop_assert!(!literal.contains(['\n', '\r']));
                    prop_assert_eq!(read_string_literal(&literal), Some(text));
                }
                None => prop_assert!(refused),
            }
        }

        #[test]
        fn bracketed_names_read_back(name in hostile()) {
            if let Some(written) = identifier(&name) {
                if written != name {
                    let inner = written.strip_prefix('[').and_then(|w| w.strip_suffix(']'));
                    prop_assert_eq!(inner.and_then(read_string_literal), Some(name));
                } else {
                    prop_assert!(is_plain_name(&name));
                }
            }
        }

        #[test]
        fn number_literals_read_back(value in any::<f64>()) {
            match number_literal(value) {
                Some(written) => prop_assert_eq!(written.parse::<f64>().ok(), Some(value)),
                None => prop_assert!(!value.is_finite()),
            }
        }
    }

    #[test]
    fn literals_read_well() {
        assert_eq!(string_literal("ropc").as_deref(), Some("\"ropc\""));
        assert_eq!(string_literal(r"C:\Temp").as_deref(), Some(r#"@"C:\Temp""#));
        assert_eq!(
            string_literal("say \"hi\"").as_deref(),
            Some(r#""say \"hi\"""#)
        );
        assert_eq!(string_literal("a\\\nb").as_deref(), Some(r#""a\\\nb""#));
        assert_eq!(string_literal("a\rb"), None);
        assert_eq!(identifier("where").as_deref(), Some("[\"where\"]"));
        assert_eq!(identifier("UserType").as_deref(), Some("UserType"));
        assert_eq!(member("user-agent").as_deref(), Some("[\"user-agent\"]"));
        assert_eq!(member("userType").as_deref(), Some(".userType"));
        assert_eq!(number_literal(-0.0).as_deref(), Some("0"));
        assert_eq!(number_literal(1e300).as_deref(), Some("1e300"));
        assert_eq!(number_literal(f64::INFINITY), None);
    }
}
