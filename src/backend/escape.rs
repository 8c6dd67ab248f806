//! Escaping for the formats templates write, as minijinja filters. Every literal a template
//! writes goes through one of these; templates never escape by hand.

use minijinja::Environment;
use serde_json::Value;
use toml_writer::{ToTomlValue as _, TomlStringBuilder};

use super::panther;
use crate::code_escape::{HexCase, push_code_escape};

/// Registers every escaping filter.
pub fn register_filters(env: &mut Environment<'static>) {
    env.add_filter("yaml_str", yaml_quoted);
    env.add_filter("toml_str", toml_string);
    env.add_filter("toml_block", toml_block);
    env.add_filter("py_str", panther::python_str);
    env.add_filter("json_str", quoted);
    env.add_filter("json", json);
    env.add_filter("one_line", one_line);
    env.add_filter("arm_str", arm_string);
    env.add_filter("md_cell", markdown_cell);
    env.add_filter("fence", fence);
    env.add_filter("yaml_scalar", super::kql::yaml::scalar);
}

/// Text for a Markdown table cell: one line, `|` escaped, inline code kept intact.
pub fn markdown_cell(text: &str) -> String {
    one_line(text).replace('\\', "\\\\").replace('|', "\\|")
}

/// A code fence longer than any run of backticks in `text`, so the block cannot end early.
pub fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// A JSON string for an ARM template, where a value starting with `[` is an expression:
/// a leading `[` is doubled so the text stays text (`[[` is ARM's escape).
pub fn arm_string(text: &str) -> String {
    match text.strip_prefix('[') {
        Some(rest) => quoted(&format!("[[{rest}")),
        None => quoted(text),
    }
}

/// Text for a one-line comment: line breaks become spaces, and so do other control
/// characters, which some formats refuse even in comments (a NUL in Python source, a DEL
/// in YAML).
pub fn one_line(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if breaks_comment(c) { '\n' } else { c })
        .collect();
    cleaned
        .split('\n')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn breaks_comment(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// A double-quoted string with JSON escapes, which is also a valid TOML basic string and
/// Python string literal.
pub fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// A TOML string whose value is `text`: on one line when it has no line break, else a
/// multi-line `"""` string, escaped where TOML needs it (control characters, DEL).
pub fn toml_string(text: &str) -> String {
    TomlStringBuilder::new(text).as_default().to_toml_value()
}

/// A TOML string for a block of code, such as a query: a multi-line literal `'''` string
/// (no escapes, so the code reads as written) when `text` allows one, else as
/// [`toml_string`] writes it.
pub fn toml_block(text: &str) -> String {
    let builder = TomlStringBuilder::new(text);
    builder
        .as_ml_literal()
        .unwrap_or_else(|| builder.as_default())
        .to_toml_value()
}

/// Any value as compact JSON on one line (strings escaped as [`quoted`] escapes them).
pub fn json(value: minijinja::Value) -> Result<String, minijinja::Error> {
    serde_json::to_string(&value).map_err(|error| {
        minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, error.to_string())
    })
}

/// A YAML double-quoted scalar that YAML 1.1 and 1.2 readers (libyaml, PyYAML, serde_yaml)
/// all read back as `text`: every character that is not printable in YAML, or that YAML
/// 1.1 reads as a line break (NEL, U+2028, U+2029), is written as an escape.
pub fn yaml_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if yaml_printable(c) => out.push(c),
            c => push_code_escape(c, HexCase::Upper, &mut out),
        }
    }
    out.push('"');
    out
}

/// YAML's printable set, less the characters YAML 1.1 treats as line breaks and the byte
/// order mark.
fn yaml_printable(c: char) -> bool {
    matches!(c as u32,
        0x20..=0x7E | 0xA0..=0x2027 | 0x202A..=0xD7FF | 0xE000..=0xFEFE | 0xFF00..=0xFFFD
        | 0x10000..=0x10FFFF)
}

/// A JSON value as an indented flow collection that YAML 1.1 and 1.2 readers load as the
/// same value: strings through [`yaml_quoted`], and every non-integer number with a
/// fraction and a signed exponent (PyYAML reads `1e16` as a string, `1.0e+16` as a float).
/// Lines after the first are indented by `indent` spaces.
pub fn yaml_flow(value: &Value, indent: usize) -> String {
    let mut out = String::new();
    write_flow(value, indent, &mut out);
    out
}

fn write_flow(value: &Value, indent: usize, out: &mut String) {
    let inner = " ".repeat(indent + 2);
    let close = " ".repeat(indent);
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Number(number) => out.push_str(&yaml_number(number)),
        Value::String(text) => out.push_str(&yaml_quoted(text)),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                out.push_str(&inner);
                write_flow(item, indent + 2, out);
            }
            out.push('\n');
            out.push_str(&close);
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                out.push_str(&inner);
                out.push_str(&yaml_quoted(key));
                out.push_str(": ");
                write_flow(item, indent + 2, out);
            }
            out.push('\n');
            out.push_str(&close);
            out.push('}');
        }
    }
}

/// Integers as they are; floats in plain decimal where that is short, else as
/// `M.Fe±X`, always with a fraction so that no reader takes them for integers or strings.
fn yaml_number(number: &serde_json::Number) -> String {
    if number.is_i64() || number.is_u64() {
        return number.to_string();
    }
    let value = number.as_f64().unwrap_or_default();
    let magnitude = value.abs();
    if magnitude == 0.0 || (1e-5..1e16).contains(&magnitude) {
        let plain = value.to_string();
        return if plain.contains('.') {
            plain
        } else {
            format!("{plain}.0")
        };
    }
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    let exponent = match exponent.strip_prefix('-') {
        Some(digits) => format!("-{digits}"),
        None => format!("+{exponent}"),
    };
    format!("{mantissa}e{exponent}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn arm_strings_keep_a_leading_bracket_literal() {
        assert_eq!(super::arm_string("[concat('a')]"), "\"[[concat('a')]\"");
        assert_eq!(super::arm_string("a[b]"), "\"a[b]\"");
    }

    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn hostile() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            Just("\"".to_string()),
            Just("\\".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("%_*?'#:{}[],&!|>@`".to_string()),
            Just("\u{85}\u{2028}\u{2029}\u{feff}\u{fffe}\u{7f}\0".to_string()),
            Just("é ß İ 🦀".to_string()),
            any::<char>().prop_map(String::from),
            "[ -~]{0,8}",
        ];
        proptest::collection::vec(pieces, 0..8).prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn yaml_strings_read_back_unchanged(text in hostile()) {
            let document = format!("key: {}\n", yaml_quoted(&text));
            let read: std::collections::BTreeMap<String, String> =
                serde_yaml::from_str(&document).expect("valid YAML");
            prop_assert_eq!(&read["key"], &text);
        }

        #[test]
        fn yaml_flow_reads_back_unchanged(text in hostile(), number in any::<f64>()) {
            prop_assume!(number.is_finite());
            let value = json!({ "s": text, "n": number, "list": [1, -2, null, true, {}] });
            let document = format!("key: {}\n", yaml_flow(&value, 2));
            let read: std::collections::BTreeMap<String, Value> =
                serde_yaml::from_str(&document).expect("valid YAML");
            prop_assert_eq!(&read["key"], &value);
        }

        #[test]
        fn toml_strings_read_back_unchanged(text in hostile()) {
            for written in [toml_string(&text), toml_block(&text)] {
                let document = format!("key = {written}\n");
                let read: toml::Table = toml::from_str(&document).expect("valid TOML");
                prop_assert_eq!(read["key"].as_str(), Some(text.as_str()));
            }
        }

        #[test]
        fn one_line_leaves_no_control_character(text in hostile()) {
            prop_assert!(!one_line(&text).chars().any(breaks_comment));
        }
    }

    #[test]
    fn floats_always_carry_a_fraction() {
        let cases = [
            (1e16, "1.0e+16"),
            (1.5e-7, "1.5e-7"),
            (2.0, "2.0"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (123456.5, "123456.5"),
        ];
        for (value, text) in cases {
            let number = serde_json::Number::from_f64(value).expect("finite");
            assert_eq!(yaml_number(&number), text);
        }
    }
}
