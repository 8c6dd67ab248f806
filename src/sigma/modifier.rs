//! Sigma's value modifiers (`CommandLine|contains|all`): parsed from a detection key, then
//! applied to the key's values in the order written, as Sigma defines them.
//!
//! Most modifiers rewrite a value (`contains` puts `*` around it, `base64` encodes it); some
//! expand one value into several alternatives (`windash`, `base64offset`), which the
//! predicate joins with `or` whatever `all` says. `all` and `neq` act on the whole item.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::value::{Compare, Part, SigmaString, Value};

/// A modifier ruleport can carry into the condition language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    Contains,
    StartsWith,
    EndsWith,
    /// Join the item's values with `and` instead of `or`.
    All,
    /// Negate the whole item.
    Neq,
    Cased,
    Re,
    IgnoreCase,
    Multiline,
    DotAll,
    Base64,
    Base64Offset,
    Wide,
    Utf16Be,
    Windash,
    Compare(Compare),
    Exists,
}

/// Why a modifier or a value cannot be carried over.
#[derive(Debug, Clone, PartialEq)]
pub struct ModifierError {
    pub message: String,
    pub hint: String,
    /// Valid Sigma that ruleport cannot express, rather than a mistake in the rule.
    pub unsupported: bool,
}

fn invalid(message: impl Into<String>, hint: impl Into<String>) -> ModifierError {
    ModifierError {
        message: message.into(),
        hint: hint.into(),
        unsupported: false,
    }
}

fn unsupported(message: impl Into<String>, hint: impl Into<String>) -> ModifierError {
    ModifierError {
        message: message.into(),
        hint: hint.into(),
        unsupported: true,
    }
}

/// The characters `windash` puts in place of a leading `-` or `/`: both, and the dashes
/// that pasted command lines carry (en dash, em dash, horizontal bar).
const DASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

/// Above this many alternatives for one value, the import is refused rather than written
/// out: `windash` multiplies by five for every dash.
const MAX_ALTERNATIVES: usize = 625;

/// Parses one modifier name.
pub fn parse_modifier(name: &str) -> Result<Modifier, ModifierError> {
    Ok(match name {
        "contains" => Modifier::Contains,
        "startswith" => Modifier::StartsWith,
        "endswith" => Modifier::EndsWith,
        "all" => Modifier::All,
        "neq" => Modifier::Neq,
        "cased" => Modifier::Cased,
        "re" => Modifier::Re,
        "i" | "ignorecase" => Modifier::IgnoreCase,
        "m" | "multiline" => Modifier::Multiline,
        "s" | "dotall" => Modifier::DotAll,
        "base64" => Modifier::Base64,
        "base64offset" => Modifier::Base64Offset,
        "wide" | "utf16le" => Modifier::Wide,
        "utf16be" => Modifier::Utf16Be,
        "utf16" => {
            return Err(unsupported(
                "the `utf16` modifier cannot be expressed: its byte-order mark is not text",
                "use `wide` (UTF-16LE without a byte-order mark) if the data allows",
            ));
        }
        "windash" => Modifier::Windash,
        "gt" => Modifier::Compare(Compare::Gt),
        "gte" => Modifier::Compare(Compare::Ge),
        "lt" => Modifier::Compare(Compare::Lt),
        "lte" => Modifier::Compare(Compare::Le),
        "exists" => Modifier::Exists,
        "cidr" => {
            return Err(unsupported(
                "the `cidr` modifier cannot be expressed: the condition language has no \
                 address ranges",
                "list the addresses, or match their text with `startswith` or `regex`",
            ));
        }
        "fieldref" => {
            return Err(unsupported(
                "the `fieldref` modifier cannot be expressed: the condition language compares \
                 fields with literals only",
                "compare the field with the values the other field takes",
            ));
        }
        "expand" => {
            return Err(unsupported(
                "the `expand` modifier cannot be expressed: its placeholders are filled by a \
                 processing pipeline",
                "write the values the placeholder stands for",
            ));
        }
        "minute" | "hour" | "day" | "week" | "month" | "year" => {
            return Err(unsupported(
                format!(
                    "the `{name}` modifier cannot be expressed: the condition language has no time parts"
                ),
                "match the timestamp's text with `regex`",
            ));
        }
        _ => {
            return Err(invalid(
                format!("unknown modifier `{name}`"),
                "Sigma's modifiers include contains, startswith, endswith, all, re, cased, \
                 base64, base64offset, windash, gt, gte, lt, lte and exists",
            ));
        }
    })
}

/// Applies the value modifiers, in order, to each value: each value becomes a group of
/// alternatives.
pub fn apply(modifiers: &[Modifier], values: &[Value]) -> Result<Vec<Vec<Value>>, ModifierError> {
    values
        .iter()
        .map(|value| {
            let mut alternatives = vec![value.clone()];
            let mut applied = 0;
            for modifier in modifiers {
                if matches!(modifier, Modifier::All | Modifier::Neq) {
                    continue;
                }
                let mut next = Vec::new();
                for alternative in alternatives {
                    next.extend(modify(*modifier, alternative, applied)?);
                }
                if next.len() > MAX_ALTERNATIVES {
                    return Err(unsupported(
                        format!(
                            "the modifiers expand one value into {} alternatives",
                            next.len()
                        ),
                        format!("ruleport writes at most {MAX_ALTERNATIVES} per value"),
                    ));
                }
                alternatives = next;
                applied += 1;
            }
            Ok(alternatives)
        })
        .collect()
}

/// One modifier on one value; `applied` counts the value modifiers before it.
fn modify(modifier: Modifier, value: Value, applied: usize) -> Result<Vec<Value>, ModifierError> {
    let one = |value| Ok(vec![value]);
    match (modifier, value) {
        (Modifier::Contains, Value::Str { string, cased }) => one(wrap(string, true, true, cased)),
        (Modifier::StartsWith, Value::Str { string, cased }) => {
            one(wrap(string, false, true, cased))
        }
        (Modifier::EndsWith, Value::Str { string, cased }) => one(wrap(string, true, false, cased)),
        (Modifier::Cased, Value::Str { string, .. }) => one(Value::Str {
            string,
            cased: true,
        }),
        (Modifier::Re, Value::Str { string, .. }) if applied == 0 => one(Value::Regex {
            pattern: string.original,
            ignore_case: false,
            multiline: false,
            dot_all: false,
        }),
        // An integer reads as its digits, as pySigma reads it.
        (Modifier::Re, Value::Number(digits)) if applied == 0 && !digits.contains('.') => {
            one(Value::Regex {
                pattern: digits,
                ignore_case: false,
                multiline: false,
                dot_all: false,
            })
        }
        (Modifier::Re, value) if applied == 0 => Err(invalid(
            format!("`re` takes a regex as a string, not {}", value.describe()),
            "quote the regex",
        )),
        (Modifier::Re, _) => Err(invalid(
            "`re` must come first: it reads the value as written",
            "move `re` right after the field name",
        )),
        (Modifier::IgnoreCase | Modifier::Multiline | Modifier::DotAll, value) => {
            regex_flag(modifier, value)
        }
        (Modifier::Base64, Value::Str { string, cased }) => {
            let bytes = bytes_of(&string, "base64")?;
            one(Value::Str {
                string: SigmaString::text(BASE64.encode(bytes)),
                cased,
            })
        }
        (Modifier::Base64Offset, Value::Str { string, cased }) => {
            let bytes = bytes_of(&string, "base64offset")?;
            Ok(base64_offsets(&bytes)
                .into_iter()
                .map(|text| Value::Str {
                    string: SigmaString::text(text),
                    cased,
                })
                .collect())
        }
        (Modifier::Wide | Modifier::Utf16Be, Value::Str { string, cased }) => one(Value::Str {
            string: utf16(modifier, &string)?,
            cased,
        }),
        (Modifier::Windash, Value::Str { string, cased }) => Ok(windash(&string)
            .into_iter()
            .map(|string| Value::Str { string, cased })
            .collect()),
        (Modifier::Compare(op), Value::Number(number)) => one(Value::Compare { op, number }),
        (Modifier::Exists, Value::Bool(exists)) if applied == 0 => one(Value::Exists(exists)),
        (modifier, value) => Err(invalid(
            format!(
                "the `{}` modifier does not apply to {}",
                name(modifier),
                value.describe()
            ),
            match modifier {
                Modifier::Compare(_) => "comparisons take a number, written without quotes",
                Modifier::Exists => "`exists` takes `true` or `false`, and no other modifier",
                _ => "string modifiers take a string",
            },
        )),
    }
}

fn name(modifier: Modifier) -> &'static str {
    match modifier {
        Modifier::Contains => "contains",
        Modifier::StartsWith => "startswith",
        Modifier::EndsWith => "endswith",
        Modifier::All => "all",
        Modifier::Neq => "neq",
        Modifier::Cased => "cased",
        Modifier::Re => "re",
        Modifier::IgnoreCase => "i",
        Modifier::Multiline => "m",
        Modifier::DotAll => "s",
        Modifier::Base64 => "base64",
        Modifier::Base64Offset => "base64offset",
        Modifier::Wide => "wide",
        Modifier::Utf16Be => "utf16be",
        Modifier::Windash => "windash",
        Modifier::Compare(Compare::Gt) => "gt",
        Modifier::Compare(Compare::Ge) => "gte",
        Modifier::Compare(Compare::Lt) => "lt",
        Modifier::Compare(Compare::Le) => "lte",
        Modifier::Exists => "exists",
    }
}

/// `*` before and/or after the string, unless it already has one there.
fn wrap(mut string: SigmaString, before: bool, after: bool, cased: bool) -> Value {
    if before && !string.starts_with_any_run() {
        string.parts.insert(0, Part::AnyRun);
    }
    if after && !string.ends_with_any_run() {
        string.parts.push(Part::AnyRun);
    }
    Value::Str { string, cased }
}

fn regex_flag(modifier: Modifier, value: Value) -> Result<Vec<Value>, ModifierError> {
    let Value::Regex {
        pattern,
        mut ignore_case,
        mut multiline,
        mut dot_all,
    } = value
    else {
        return Err(invalid(
            format!("the `{}` modifier applies to regexes only", name(modifier)),
            "write it after `re`",
        ));
    };
    match modifier {
        Modifier::IgnoreCase => ignore_case = true,
        Modifier::Multiline => multiline = true,
        _ => dot_all = true,
    }
    Ok(vec![Value::Regex {
        pattern,
        ignore_case,
        multiline,
        dot_all,
    }])
}

/// The bytes an encoding modifier encodes: the UTF-8 of the text, which after `wide` holds
/// the UTF-16 code units.
fn bytes_of(string: &SigmaString, modifier: &str) -> Result<Vec<u8>, ModifierError> {
    let text = string.plain().ok_or_else(|| {
        invalid(
            format!("`{modifier}` cannot encode a value with wildcards"),
            format!("put `contains`, `startswith` or `endswith` after `{modifier}`"),
        )
    })?;
    Ok(text.into_bytes())
}

/// The three base64 forms of `bytes` as they appear inside a longer encoded text, starting
/// at each of the three byte offsets modulo 3: the characters that also encode unknown
/// neighbouring bytes are cut off at both ends.
fn base64_offsets(bytes: &[u8]) -> Vec<String> {
    (0..3)
        .map(|shift: usize| {
            let mut padded = vec![b' '; shift];
            padded.extend_from_slice(bytes);
            let encoded = BASE64.encode(&padded);
            let start = [0, 2, 3][shift];
            let cut_end = [0, 3, 2][padded.len() % 3];
            encoded
                .get(start..encoded.len().saturating_sub(cut_end))
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// `wide` (UTF-16LE) and `utf16be`: each code unit's two bytes become two characters, as
/// Sigma's tools write them, so that a later `base64` encodes the UTF-16 bytes. Only ASCII
/// text has such a form, whose bytes are the characters' own.
fn utf16(modifier: Modifier, string: &SigmaString) -> Result<SigmaString, ModifierError> {
    let little = modifier == Modifier::Wide;
    string
        .map_text(|text| {
            let mut out = String::new();
            for c in text.chars() {
                if !c.is_ascii() {
                    return None;
                }
                out.extend(if little { [c, '\0'] } else { ['\0', c] });
            }
            Some(out)
        })
        .ok_or_else(|| {
            unsupported(
                format!("`{}` cannot encode text that is not ASCII", name(modifier)),
                "Sigma's tools encode ASCII text only",
            )
        })
}

/// Every way of writing the string's command-line switches: a `-` or `/` at the start of a
/// word (after a non-word character or a wildcard, and before a word character) becomes
/// each of [`DASHES`].
fn windash(string: &SigmaString) -> Vec<SigmaString> {
    let mut results = vec![Vec::<Part>::new()];
    let mut previous_is_word = false;
    let flat: Vec<Option<char>> = string
        .parts
        .iter()
        .flat_map(|part| match part {
            Part::Text(text) => text.chars().map(Some).collect::<Vec<_>>(),
            _ => vec![None],
        })
        .collect();
    let mut wildcards = string
        .parts
        .iter()
        .filter(|part| !matches!(part, Part::Text(_)));
    for (i, item) in flat.iter().enumerate() {
        let Some(c) = item else {
            let wildcard = wildcards.next().cloned().unwrap_or(Part::AnyRun);
            for result in &mut results {
                result.push(wildcard.clone());
            }
            previous_is_word = false;
            continue;
        };
        let next_is_word = flat.get(i + 1).copied().flatten().is_some_and(is_word);
        let switch = matches!(c, '-' | '/') && !previous_is_word && next_is_word;
        let choices: &[char] = if switch {
            &DASHES
        } else {
            std::slice::from_ref(c)
        };
        results = results
            .into_iter()
            .flat_map(|result| {
                choices.iter().map(move |choice| {
                    let mut result = result.clone();
                    match result.last_mut() {
                        Some(Part::Text(text)) => text.push(*choice),
                        _ => result.push(Part::Text(choice.to_string())),
                    }
                    result
                })
            })
            .collect();
        previous_is_word = is_word(*c);
    }
    results
        .into_iter()
        .map(|parts| SigmaString {
            parts,
            original: string.original.clone(),
        })
        .collect()
}

/// A word character as Python's `\w` reads `str` patterns.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &Value) -> String {
        match value {
            Value::Str { string, .. } => string.plain().expect("no wildcards"),
            other => panic!("{other:?}"),
        }
    }

    fn string(text: &str) -> Value {
        Value::Str {
            string: SigmaString::parse(text),
            cased: false,
        }
    }

    #[test]
    fn base64_offsets_are_the_stable_parts_of_each_alignment() {
        let values = apply(&[Modifier::Base64Offset], &[string("/bin/bash")]).expect("applies");
        let texts: Vec<String> = values[0].iter().map(text).collect();
        assert_eq!(texts, ["L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"]);
        for (shift, found) in texts.iter().enumerate() {
            let mut longer = "xyz".as_bytes()[..shift].to_vec();
            longer.extend(b"/bin/bash -c id");
            assert!(
                BASE64.encode(&longer).contains(found.as_str()),
                "{shift}: {found}"
            );
        }
    }

    #[test]
    fn re_reads_an_integer_as_its_digits() {
        let values = apply(&[Modifier::Re], &[Value::Number("12".into())]).expect("applies");
        assert!(matches!(&values[0][0], Value::Regex { pattern, .. } if pattern == "12"));
        let refused = apply(&[Modifier::Re], &[Value::Number("1.5".into())]).expect_err("float");
        assert!(
            refused.message.contains("not a number"),
            "{}",
            refused.message
        );
    }

    #[test]
    fn wide_then_base64_encodes_utf16le() {
        let values = apply(&[Modifier::Wide, Modifier::Base64], &[string("ab")]).expect("ok");
        assert_eq!(text(&values[0][0]), BASE64.encode([b'a', 0, b'b', 0]));
        let refused = apply(&[Modifier::Wide], &[string("é")]).expect_err("not ASCII");
        assert!(refused.unsupported);
    }

    #[test]
    fn windash_expands_switches_only() {
        let values = apply(&[Modifier::Windash], &[string(" -enc a-b")]).expect("applies");
        let texts: Vec<String> = values[0].iter().map(text).collect();
        assert_eq!(texts.len(), 5);
        assert!(texts.contains(&" /enc a-b".to_string()));
        assert!(texts.contains(&" \u{2014}enc a-b".to_string()));
    }

    #[test]
    fn contains_adds_wildcards_once() {
        let values = apply(&[Modifier::Contains], &[string("*a")]).expect("applies");
        let Value::Str { string, .. } = &values[0][0] else {
            panic!()
        };
        assert_eq!(
            string.parts,
            [Part::AnyRun, Part::Text("a".into()), Part::AnyRun]
        );
    }

    #[test]
    fn modifiers_check_what_they_apply_to() {
        assert!(apply(&[Modifier::Compare(Compare::Gt)], &[string("5")]).is_err());
        assert!(apply(&[Modifier::Contains, Modifier::Re], &[string("a")]).is_err());
        assert!(apply(&[Modifier::IgnoreCase], &[string("a")]).is_err());
        assert!(apply(&[Modifier::Base64], &[string("a*")]).is_err());
        assert!(parse_modifier("cidr").expect_err("refused").unsupported);
        assert!(!parse_modifier("contain").expect_err("unknown").unsupported);
    }
}
