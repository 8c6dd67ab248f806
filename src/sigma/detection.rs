//! A Sigma rule's `detection` section: each named search becomes a [`Cond`].
//!
//! A search that is a mapping joins its items with `and`; one that is a list of mappings
//! joins them with `or`. An item `field|modifiers: values` tests the field against its values,
//! joined with `or` (with `all`, `and`). Searches without a field (keywords) have no place to
//! look in a structured event and are refused.

use indexmap::IndexMap;

use super::Problem;
use super::logsource::Renames;
use super::modifier::{self, Modifier, ModifierError};
use super::tree::{Cond, Literal, Op, Pred};
use super::value::{Compare, Part, SigmaString, Value};
use super::yaml::{Kind, Node};
use crate::diagnostic::Diagnostic;
use crate::ir::{Path, Segment};

/// The named searches, in file order, the `condition` node, and notes on what is carried
/// over imperfectly.
pub struct Detection<'n> {
    pub searches: IndexMap<String, Cond>,
    pub condition: &'n Node,
    pub notes: Vec<Diagnostic>,
}

/// Reads the `detection` mapping (`key` is its key, where problems with the whole of it
/// are shown); `rename` maps Sigma field names to event paths.
pub fn read_detection<'n>(
    key: &Node,
    node: &'n Node,
    rename: &Renames,
) -> Result<Detection<'n>, Problem> {
    let Kind::Mapping(entries) = &node.kind else {
        return Err(Problem::invalid(
            key.span.clone(),
            "`detection` is not a mapping",
            "",
        ));
    };
    let mut searches = IndexMap::new();
    let mut condition = None;
    for (name_node, value) in entries {
        let name = name_node.as_str().unwrap_or_default();
        match name {
            "condition" => condition = Some(value),
            "timeframe" => {
                return Err(Problem::unsupported(
                    name_node.span.clone(),
                    "`timeframe` windows are correlation logic, which ruleport cannot express",
                    "a rule tests one event at a time",
                ));
            }
            _ => {
                searches.insert(name.to_string(), search(name_node, value, rename)?);
            }
        }
    }
    let condition = condition.ok_or_else(|| {
        Problem::invalid(
            key.span.clone(),
            "`detection` has no `condition`",
            "add `condition:` naming the searches, such as `condition: selection`",
        )
    })?;
    Ok(Detection {
        searches,
        condition,
        notes: entries
            .iter()
            .flat_map(|(_, value)| exists_notes(value))
            .collect(),
    })
}

/// A note at every `exists` item: Sigma counts a field whose value is null as present,
/// and ruleport, reading null as missing, cannot tell the two apart.
fn exists_notes(search: &Node) -> Vec<Diagnostic> {
    let maps: Vec<&Node> = match &search.kind {
        Kind::Sequence(items) => items.iter().collect(),
        _ => vec![search],
    };
    maps.into_iter()
        .filter_map(|map| match &map.kind {
            Kind::Mapping(items) => Some(items),
            _ => None,
        })
        .flatten()
        .filter(|(key, _)| {
            key.as_str()
                .is_some_and(|k| k.split('|').any(|m| m == "exists"))
        })
        .map(|(key, _)| {
            Diagnostic::new(
                "`exists` reads a field whose value is null as missing; Sigma counts it as \
                 present",
            )
            .at(key.span.clone())
            .as_note()
        })
        .collect()
}

fn search(key: &Node, value: &Node, rename: &Renames) -> Result<Cond, Problem> {
    match &value.kind {
        Kind::Mapping(items) if !items.is_empty() => all_items(items, rename),
        Kind::Sequence(alternatives)
            if !alternatives.is_empty()
                && alternatives.iter().all(
                    |item| matches!(&item.kind, Kind::Mapping(items) if !items.is_empty()),
                ) =>
        {
            let mut ors = Vec::new();
            for alternative in alternatives {
                let Kind::Mapping(items) = &alternative.kind else {
                    continue;
                };
                ors.push(all_items(items, rename)?);
            }
            Ok(Cond::or(ors))
        }
        Kind::Mapping(_) | Kind::Sequence(_) if is_empty(value) => Err(Problem::invalid(
            key.span.clone(),
            format!("the search `{}` is empty", key.as_str().unwrap_or_default()),
            "",
        )),
        _ => Err(Problem::unsupported(
            key.span.clone(),
            format!(
                "the search `{}` is a keyword search: values without a field",
                key.as_str().unwrap_or_default()
            ),
            "ruleport tests fields of structured events; name the field that holds the text",
        )),
    }
}

fn is_empty(node: &Node) -> bool {
    match &node.kind {
        Kind::Mapping(items) => items.is_empty(),
        Kind::Sequence(items) => items.is_empty(),
        Kind::Scalar { .. } => false,
    }
}

fn all_items(items: &[(Node, Node)], rename: &Renames) -> Result<Cond, Problem> {
    let conds = items
        .iter()
        .map(|(key, values)| item(key, values, rename))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Cond::and(conds))
}

/// One `field|modifiers: values` item.
fn item(key: &Node, values: &Node, rename: &Renames) -> Result<Cond, Problem> {
    let text = key.as_str().unwrap_or_default();
    let mut names = text.split('|');
    let field = names.next().unwrap_or_default();
    if field.is_empty() {
        return Err(Problem::unsupported(
            key.span.clone(),
            format!("`{text}` is a keyword search: modifiers without a field"),
            "ruleport tests fields of structured events; name the field that holds the text",
        ));
    }
    let modifiers = names
        .map(modifier::parse_modifier)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| from_modifier(key, error))?;
    let path = field_path(key, field, rename)?;

    let raw = scalar_values(key, values)?;
    let groups = modifier::apply(&modifiers, &raw).map_err(|error| from_modifier(key, error))?;
    let mut conds = Vec::new();
    for group in &groups {
        let preds = group
            .iter()
            .map(|value| predicate(&path, value, key))
            .collect::<Result<Vec<_>, _>>()?;
        conds.push(merge(preds));
    }

    let linked = if modifiers.contains(&Modifier::All) {
        Cond::and(conds)
    } else {
        let preds: Vec<Pred> = conds
            .into_iter()
            .flat_map(|cond| match cond {
                Cond::Or(items) => items,
                other => vec![other],
            })
            .filter_map(|cond| match cond {
                Cond::Pred(pred) => Some(pred),
                _ => None,
            })
            .collect();
        merge(preds)
    };
    Ok(if modifiers.contains(&Modifier::Neq) {
        Cond::not(linked)
    } else {
        linked
    })
}

fn from_modifier(key: &Node, error: ModifierError) -> Problem {
    let problem = if error.unsupported {
        Problem::unsupported
    } else {
        Problem::invalid
    };
    problem(key.span.clone(), error.message, error.hint)
}

/// The event path of a Sigma field: renamed by the log source's table, then read with `.`
/// as nesting, as Sigma's dotted names mean in JSON events.
fn field_path(key: &Node, field: &str, rename: &Renames) -> Result<Path, Problem> {
    let segments: Vec<&str> = field.split('.').collect();
    if segments.iter().any(|segment| segment.is_empty()) {
        return Err(Problem::invalid(
            key.span.clone(),
            format!("the field name `{field}` has an empty part"),
            "write field names such as `requestParameters.bucketName`",
        ));
    }
    Ok(rename.apply(&segments).unwrap_or_else(|| Path {
        segments: segments
            .iter()
            .map(|segment| Segment::Key((*segment).to_string()))
            .collect(),
    }))
}

/// The values of an item: one scalar or a list of them; anything else is shown at `key`.
fn scalar_values(key: &Node, node: &Node) -> Result<Vec<Value>, Problem> {
    let name = key.as_str().unwrap_or_default();
    let nodes: Vec<&Node> = match &node.kind {
        Kind::Sequence(items) => items.iter().collect(),
        _ => vec![node],
    };
    if nodes.is_empty() {
        return Err(Problem::invalid(
            key.span.clone(),
            format!("`{name}` has an empty list of values"),
            "",
        ));
    }
    nodes
        .into_iter()
        .map(|value| {
            if value.is_non_finite_float() {
                return Err(Problem::unsupported(
                    value.span.clone(),
                    format!("a value of `{name}` is infinity or NaN, which YAML reads as a float"),
                    "no event field holds an infinite or NaN number; quote the value to match \
                     the text",
                ));
            }
            Value::from_node(value).ok_or_else(|| {
                Problem::invalid(
                    key.span.clone(),
                    format!(
                        "a value of `{name}` is {}, not a string, number, boolean or null",
                        value.describe()
                    ),
                    "a field's values are one value or a list of them",
                )
            })
        })
        .collect()
}

/// Joins predicates with `or`, merging those with the same operator into one list.
fn merge(preds: Vec<Pred>) -> Cond {
    let mut merged: Vec<Pred> = Vec::new();
    for pred in preds {
        let listable = !matches!(
            pred.op,
            Op::IsNull | Op::IsNotNull | Op::Gt | Op::Ge | Op::Lt | Op::Le
        );
        let same = merged
            .iter()
            .position(|seen| listable && seen.op == pred.op && seen.cased == pred.cased);
        match same {
            Some(at) => {
                for value in pred.values {
                    if !merged[at].values.contains(&value) {
                        merged[at].values.push(value);
                    }
                }
            }
            None if merged.contains(&pred) => {}
            None => merged.push(pred),
        }
    }
    Cond::or(merged.into_iter().map(Cond::Pred).collect())
}

/// The predicate testing `path` against one value.
fn predicate(path: &Path, value: &Value, key: &Node) -> Result<Pred, Problem> {
    let make = |op, cased, values| Pred {
        path: path.clone(),
        op,
        cased,
        values,
        origin: key.span.clone(),
    };
    Ok(match value {
        Value::Str { string, cased } => {
            if string
                .parts
                .iter()
                .any(|part| matches!(part, Part::Text(t) if t.contains('\0')))
            {
                return Err(Problem::unsupported(
                    key.span.clone(),
                    "UTF-16 text without `base64` holds NUL characters, which log text does not",
                    "add `base64` or `base64offset` after `wide`",
                ));
            }
            let (op, text) = string_test(string);
            make(op, *cased, vec![Literal::Str(text)])
        }
        // Sigma compares every value as text, numbers as Python writes them.
        Value::Number(text) => make(Op::Eq, false, vec![Literal::Str(text.clone())]),
        Value::Bool(value) => make(Op::Eq, false, vec![Literal::Bool(*value)]),
        Value::Null => make(Op::IsNull, false, Vec::new()),
        Value::Exists(true) => make(Op::IsNotNull, false, Vec::new()),
        Value::Exists(false) => make(Op::IsNull, false, Vec::new()),
        Value::Compare { op, number } => {
            let op = match op {
                Compare::Gt => Op::Gt,
                Compare::Ge => Op::Ge,
                Compare::Lt => Op::Lt,
                Compare::Le => Op::Le,
            };
            make(op, false, vec![Literal::Number(number.clone())])
        }
        Value::Regex {
            pattern,
            ignore_case,
            multiline,
            dot_all,
        } => {
            let (pattern, ignore_case) = regex(pattern, *ignore_case, *multiline, *dot_all)
                .map_err(|(message, hint)| Problem::unsupported(key.span.clone(), message, hint))?;
            make(Op::Regex, !ignore_case, vec![Literal::Str(pattern)])
        }
    })
}

/// The string operator and operand that match what a wildcard string matches: the plain
/// operators where the wildcards are only a leading and/or trailing `*`, else an anchored
/// regex in which `*` and `?` match any characters, line breaks included.
fn string_test(string: &SigmaString) -> (Op, String) {
    if string.parts == [Part::AnyRun] {
        return (Op::Contains, String::new());
    }
    let before = string.starts_with_any_run();
    let after = string.ends_with_any_run() && string.parts.len() > usize::from(before);
    let inner = &string.parts[usize::from(before)..string.parts.len() - usize::from(after)];
    if let Some(text) = plain_text(inner) {
        let op = match (before, after) {
            (false, false) => Op::Eq,
            (true, false) => Op::EndsWith,
            (false, true) => Op::StartsWith,
            (true, true) => Op::Contains,
        };
        return (op, text);
    }
    let mut pattern = String::new();
    if !before {
        pattern.push('^');
    }
    for part in inner {
        match part {
            Part::Text(text) => escape_regex(text, &mut pattern),
            Part::AnyRun => pattern.push_str(r"[\s\S]*"),
            Part::AnyOne => pattern.push_str(r"[\s\S]"),
        }
    }
    if !after {
        pattern.push('$');
    }
    (Op::Regex, pattern)
}

fn plain_text(parts: &[Part]) -> Option<String> {
    let mut text = String::new();
    for part in parts {
        match part {
            Part::Text(piece) => text.push_str(piece),
            _ => return None,
        }
    }
    Some(text)
}

fn escape_regex(text: &str, out: &mut String) {
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
}

/// A Sigma regex in the condition language: a leading `(?i)` becomes the case-insensitive
/// `regex`, `s` (dot matches newlines) is written out, and `m` (line anchors) is refused
/// where the pattern has anchors, since ruleport's `^` and `$` match at the ends of the
/// whole text only. Sigma's regexes are PCRE, whose `$` also matches before a line break
/// that ends the text: a `$` that ends the match is written `\n?$`; one that more of the
/// pattern follows is refused. PCRE's `\s` also takes the vertical tab: it is added to it.
fn regex(
    pattern: &str,
    ignore_case: bool,
    multiline: bool,
    dot_all: bool,
) -> Result<(String, bool), (String, String)> {
    let (pattern, ignore_case) = match pattern.strip_prefix("(?i)") {
        Some(rest) => (rest, true),
        None => (pattern, ignore_case),
    };
    let mut out = String::new();
    let mut chars = pattern.chars();
    let mut in_class = false;
    // Whether the class being read also holds `\s`, and with it the vertical tab.
    let mut class_has_space = false;
    let mut depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            // PCRE's `\s` also takes the vertical tab, which ruleport's leaves out.
            '\\' if chars.as_str().starts_with('s') => {
                chars.next();
                out.push_str(if in_class { "\\s\u{b}" } else { "[\\s\u{b}]" });
            }
            '\\' if chars.as_str().starts_with('S') && !in_class => {
                chars.next();
                out.push_str("[^\\s\u{b}]");
            }
            '\\' if chars.as_str().starts_with('S') && class_has_space => {
                chars.next();
                out.push_str("\\S");
            }
            '\\' if chars.as_str().starts_with('S') => {
                return Err((
                    "`\\S` inside a character class cannot be expressed".to_string(),
                    "PCRE's `\\S` leaves out the vertical tab, and ruleport's takes it; a class \
                     cannot take one character out of another's set"
                        .to_string(),
                ));
            }
            '\\' => {
                out.push(c);
                out.extend(chars.next());
            }
            '(' if !in_class => {
                depth += 1;
                out.push(c);
            }
            ')' if !in_class => {
                depth = depth.saturating_sub(1);
                out.push(c);
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                let rest = chars.as_str();
                class_has_space = holds_space(rest);
                if let Some((skip, after)) = ["^]", "]", "^"]
                    .into_iter()
                    .find_map(|skip| rest.strip_prefix(skip).map(|after| (skip, after)))
                {
                    out.push_str(skip);
                    chars = after.chars();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '.' if dot_all && !in_class => out.push_str(r"[\s\S]"),
            '^' | '$' if multiline && !in_class => {
                return Err((
                    "a multi-line (`m`) regex with `^` or `$` cannot be expressed".to_string(),
                    "ruleport's anchors match at the start and end of the whole text".to_string(),
                ));
            }
            '$' if !in_class && ends_match(chars.as_str(), depth) => out.push_str(r"\n?$"),
            '$' if !in_class => {
                return Err((
                    "a `$` with more of the regex after it cannot be expressed".to_string(),
                    "Sigma's (PCRE) `$` also matches before a final line break, which \
                     ruleport can write only where the match ends"
                        .to_string(),
                ));
            }
            c => out.push(c),
        }
    }
    Ok((out, ignore_case))
}

/// Whether the class whose text follows its `[` in `rest` holds `\s`.
fn holds_space(rest: &str) -> bool {
    let mut chars = rest.chars();
    let mut first = true;
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.next() == Some('s') => return true,
            ']' if !first => return false,
            '^' if first => continue,
            _ => {}
        }
        first = false;
    }
    false
}

/// Whether nothing can follow a point `depth` groups deep with `rest` after it: only the
/// closing of groups, and at each level the end of the pattern or other alternatives.
fn ends_match(rest: &str, mut depth: usize) -> bool {
    let mut chars = rest.chars();
    loop {
        match chars.next() {
            None => return true,
            Some(')') if depth > 0 => depth -= 1,
            Some('|') if depth == 0 => return true,
            Some('|') => {
                if !skip_to_close(&mut chars) {
                    return false;
                }
                depth -= 1;
            }
            Some(_) => return false,
        }
    }
}

/// Moves past the `)` that closes the current group, minding escapes, classes and nested
/// groups; false when there is none.
fn skip_to_close(chars: &mut std::str::Chars<'_>) -> bool {
    let (mut nested, mut in_class) = (0usize, false);
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => nested += 1,
            ')' if !in_class && nested == 0 => return true,
            ')' if !in_class => nested -= 1,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_of(text: &str) -> (Op, String) {
        string_test(&SigmaString::parse(text))
    }

    #[test]
    fn wildcards_become_string_operators_or_regexes() {
        assert_eq!(test_of("abc"), (Op::Eq, "abc".into()));
        assert_eq!(test_of("*abc"), (Op::EndsWith, "abc".into()));
        assert_eq!(test_of("abc*"), (Op::StartsWith, "abc".into()));
        assert_eq!(test_of("*abc*"), (Op::Contains, "abc".into()));
        assert_eq!(test_of("*"), (Op::Contains, String::new()));
        assert_eq!(test_of(r"\*a"), (Op::Eq, "*a".into()));
        assert_eq!(test_of("a*b.c"), (Op::Regex, r"^a[\s\S]*b\.c$".into()));
        assert_eq!(test_of("*a?b*"), (Op::Regex, r"a[\s\S]b".into()));
    }

    #[test]
    fn regex_flags_are_written_out_or_refused() {
        assert_eq!(
            regex("(?i)ab", false, false, false),
            Ok(("ab".into(), true))
        );
        assert_eq!(
            regex(r"a.b[.]\.", false, false, true),
            Ok((r"a[\s\S]b[.]\.".into(), false))
        );
        assert!(regex("^a", false, true, false).is_err());
        assert_eq!(
            regex("[$^]a", false, true, false),
            Ok(("[$^]a".into(), false))
        );
    }

    /// PCRE's `\s` takes the vertical tab; ruleport's does not.
    #[test]
    fn pcre_white_space_takes_the_vertical_tab() {
        let written = |pattern| regex(pattern, false, false, false).map(|(out, _)| out);
        assert_eq!(written(r"a\sb"), Ok("a[\\s\u{b}]b".to_string()));
        assert_eq!(written(r"a\S+"), Ok("a[^\\s\u{b}]+".to_string()));
        assert_eq!(written(r"[^\s,]"), Ok("[^\\s\u{b},]".to_string()));
        assert_eq!(written(r"[\s\S]"), Ok("[\\s\u{b}\\S]".to_string()));
        assert_eq!(written(r"[\S\s]"), Ok("[\\S\\s\u{b}]".to_string()));
        assert!(written(r"[\S,]").is_err());
        assert_eq!(written(r"\\s"), Ok(r"\\s".to_string()));
    }

    #[test]
    fn a_final_dollar_also_matches_before_a_final_line_break() {
        let written = |pattern| regex(pattern, false, false, false).map(|(out, _)| out);
        assert_eq!(written(r"\.exe$"), Ok(r"\.exe\n?$".to_string()));
        assert_eq!(written(r"(a$|b$)"), Ok(r"(a\n?$|b\n?$)".to_string()));
        assert_eq!(written(r"a$|b"), Ok(r"a\n?$|b".to_string()));
        assert_eq!(written(r"(a$|[)]b)"), Ok(r"(a\n?$|[)]b)".to_string()));
        assert_eq!(written(r"\$[$]"), Ok(r"\$[$]".to_string()));
        assert!(written(r"a$b").is_err());
        assert!(written(r"(a$|b)c").is_err());
        assert!(written(r"(a$)\n").is_err());
    }
}
