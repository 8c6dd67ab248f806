//! Regexes for EQL's `regex` and `regex~`, printed from the pattern tree.
//!
//! Elasticsearch runs them as Lucene regexps, which must match the whole value and have no
//! anchors, no `\d`-style classes, and more reserved characters (`" # @ & < > ~`); the `eql`
//! package hands the same text to Python's `re.match` with `DOTALL`. The printer writes only
//! what both read alike: every ASCII punctuation character escaped with `\` (a literal in
//! both), other characters as themselves (line breaks included), classes as ranges, `.` as
//! `[^\n]`, and groups as `(...)`.
//!
//! Search semantics come from wrapping the pattern in `.*` on each side it is not anchored.
//! An anchor that is not at the start or end of a branch is moved there when that is exact
//! (`(^|,)admin` is the two branches `admin.*` and `.*,admin.*`) and refused otherwise.

use std::fmt::Write as _;
use std::sync::LazyLock;

use crate::ir::Case;
use crate::pattern::{CharSet, Class, Node, Pattern};

/// Anchored branches one pattern may expand into.
const MAX_BRANCHES: usize = 32;

/// One branch of a pattern: its anchor-free body and whether it is anchored at either end.
#[derive(Debug, Clone)]
struct Branch {
    start: bool,
    body: Node,
    end: bool,
}

/// The pattern as a whole-value regexp meaning "the pattern is found in the value", or why it
/// cannot be written.
pub fn search_regexp(pattern: &Pattern, case: Case) -> Result<String, String> {
    let branches = branches(&pattern.node)?;
    if branches.is_empty() {
        return Err("the pattern can never match: an anchor sits where no text can be".into());
    }
    let printer = Printer {
        insensitive: case == Case::Insensitive,
    };
    let mut out = Vec::with_capacity(branches.len());
    for branch in &branches {
        let mut text = String::new();
        if !branch.start {
            text.push_str(".*");
        }
        text.push_str(&printer.body(&branch.body)?);
        if !branch.end {
            text.push_str(".*");
        }
        out.push(text);
    }
    Ok(out.join("|"))
}

/// Splits a pattern into branches whose anchors are at their ends.
fn branches(node: &Node) -> Result<Vec<Branch>, String> {
    let unanchored = || Branch {
        start: false,
        body: node.clone(),
        end: false,
    };
    if !has_anchor(node) {
        return Ok(vec![unanchored()]);
    }
    let found = match node {
        Node::Start => vec![Branch {
            start: true,
            body: Node::Empty,
            end: false,
        }],
        Node::End => vec![Branch {
            start: false,
            body: Node::Empty,
            end: true,
        }],
        Node::Group(inner) => branches(inner)?,
        Node::Alternation(items) => {
            let mut all = Vec::new();
            for item in items {
                all.extend(branches(item)?);
            }
            all
        }
        Node::Concat(items) => {
            let mut acc = vec![Branch {
                start: false,
                body: Node::Empty,
                end: false,
            }];
            for item in items {
                let next = branches(item)?;
                let mut joined = Vec::new();
                for left in &acc {
                    for right in &next {
                        joined.extend(join(left, right)?);
                    }
                }
                acc = joined;
                if acc.len() > MAX_BRANCHES {
                    return Err("the anchors split the pattern into too many branches".into());
                }
            }
            acc
        }
        Node::Repeat { .. } => return Err("`^` or `$` inside a repetition".into()),
        Node::Empty | Node::Literal(_) | Node::Any | Node::Class(_) => vec![unanchored()],
    };
    if found.len() > MAX_BRANCHES {
        return Err("the anchors split the pattern into too many branches".into());
    }
    Ok(found)
}

/// `left` followed by `right`; `None` when the two cannot both hold (text before `^`).
fn join(left: &Branch, right: &Branch) -> Result<Option<Branch>, String> {
    for (anchored, other) in [(right.start, &left.body), (left.end, &right.body)] {
        if anchored && !only_empty(other) {
            if nullable(other) {
                return Err("`^` or `$` next to a part that may or may not match text".into());
            }
            return Ok(None);
        }
    }
    let body = match (&left.body, &right.body) {
        (Node::Empty, body) | (body, Node::Empty) => body.clone(),
        (Node::Concat(items), body) => {
            let mut items = items.clone();
            items.push(body.clone());
            Node::Concat(items)
        }
        (first, second) => Node::Concat(vec![first.clone(), second.clone()]),
    };
    Ok(Some(Branch {
        start: left.start || right.start,
        body,
        end: left.end || right.end,
    }))
}

fn has_anchor(node: &Node) -> bool {
    match node {
        Node::Start | Node::End => true,
        Node::Group(inner) => has_anchor(inner),
        Node::Concat(items) | Node::Alternation(items) => items.iter().any(has_anchor),
        Node::Repeat { node, .. } => has_anchor(node),
        Node::Empty | Node::Literal(_) | Node::Any | Node::Class(_) => false,
    }
}

/// Whether the node can match the empty text.
fn nullable(node: &Node) -> bool {
    match node {
        Node::Empty | Node::Start | Node::End => true,
        Node::Literal(_) | Node::Any | Node::Class(_) => false,
        Node::Group(inner) => nullable(inner),
        Node::Concat(items) => items.iter().all(nullable),
        Node::Alternation(items) => items.iter().any(nullable),
        Node::Repeat { node, min, .. } => *min == 0 || nullable(node),
    }
}

/// Whether the node can match nothing but the empty text.
fn only_empty(node: &Node) -> bool {
    match node {
        Node::Empty | Node::Start | Node::End => true,
        Node::Literal(_) | Node::Any | Node::Class(_) => false,
        Node::Group(inner) => only_empty(inner),
        Node::Concat(items) | Node::Alternation(items) => items.iter().all(only_empty),
        Node::Repeat { node, max, .. } => *max == Some(0) || only_empty(node),
    }
}

struct Printer {
    /// `regex~`: Lucene's flag folds a single ASCII letter, not the ranges of a class, so
    /// classes are written closed under case in full and other letters outside classes get
    /// their case forms spelled out.
    insensitive: bool,
}

impl Printer {
    /// A branch body; an alternation is grouped so the `.*` around it applies to all of it.
    fn body(&self, node: &Node) -> Result<String, String> {
        let mut out = String::new();
        match node {
            Node::Alternation(_) => self.group(node, &mut out)?,
            other => self.node(other, &mut out)?,
        }
        Ok(out)
    }

    fn node(&self, node: &Node, out: &mut String) -> Result<(), String> {
        match node {
            Node::Empty => out.push_str("()"),
            Node::Literal(c) => self.literal(*c, out),
            Node::Any => out.push_str("[^\n]"),
            Node::Class(class) => self.class(class, out)?,
            Node::Start | Node::End => return Err("`^` or `$` inside a group".into()),
            Node::Group(inner) => self.group(inner, out)?,
            Node::Concat(items) if items.is_empty() => out.push_str("()"),
            Node::Concat(items) => {
                for item in items {
                    self.node(item, out)?;
                }
            }
            Node::Alternation(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push('|');
                    }
                    self.node(item, out)?;
                }
            }
            Node::Repeat { node, min, max } => {
                match node.as_ref() {
                    Node::Literal(_) | Node::Any | Node::Class(_) | Node::Group(_) => {
                        self.node(node, out)?
                    }
                    other => self.group(other, out)?,
                }
                let _ = match (min, max) {
                    (0, Some(1)) => write!(out, "?"),
                    (0, None) => write!(out, "*"),
                    (1, None) => write!(out, "+"),
                    (m, None) => write!(out, "{{{m},}}"),
                    (m, Some(n)) if m == n => write!(out, "{{{m}}}"),
                    (m, Some(n)) => write!(out, "{{{m},{n}}}"),
                };
            }
        }
        Ok(())
    }

    fn group(&self, inner: &Node, out: &mut String) -> Result<(), String> {
        out.push('(');
        match inner {
            Node::Empty => {}
            other => self.node(other, out)?,
        }
        out.push(')');
        Ok(())
    }

    fn literal(&self, c: char, out: &mut String) {
        let forms = if self.insensitive {
            case_forms(c)
        } else {
            vec![c]
        };
        if forms.len() == 1 {
            push_char(c, out);
        } else {
            let set = CharSet::new(forms.into_iter().map(|c| (c, c)).collect());
            push_set(&set, out);
        }
    }

    /// A class from its character set; case-insensitively the set is closed under case
    /// (ASCII letters included: Lucene does not fold `[a-f]`) before a `[^...]` is applied,
    /// as the evaluator's regex engine does.
    fn class(&self, class: &Class, out: &mut String) -> Result<(), String> {
        let positive = CharSet::of_class(&Class {
            negated: false,
            items: class.items.clone(),
        });
        let positive = if self.insensitive {
            case_closure(&positive.with_ascii_case_pairs())
        } else {
            positive
        };
        let set = if class.negated {
            positive.complement()
        } else {
            positive
        };
        if set.ranges.is_empty() {
            return Err("a character class that matches no character".into());
        }
        if set.ranges == [('\0', char::MAX)] {
            out.push_str("([^\n]|\n)");
            return Ok(());
        }
        push_set(&set, out);
        Ok(())
    }
}

/// `c` and its single-character upper and lower case, for letters outside ASCII (Lucene's
/// case-insensitive flag covers ASCII).
fn case_forms(c: char) -> Vec<char> {
    let mut forms = vec![c];
    if c.is_ascii() {
        return forms;
    }
    for other in [single(c.to_lowercase()), single(c.to_uppercase())]
        .into_iter()
        .flatten()
    {
        if !forms.contains(&other) {
            forms.push(other);
        }
    }
    forms
}

fn single(mut chars: impl Iterator<Item = char>) -> Option<char> {
    let first = chars.next()?;
    chars.next().is_none().then_some(first)
}

/// Every non-ASCII character that has other case forms, with those forms: a few thousand
/// pairs, found once, so closing a class under case does not visit every character in it.
static CASE_PAIRS: LazyLock<Vec<(char, char)>> = LazyLock::new(|| {
    ('\u{80}'..=char::MAX)
        .flat_map(|c| case_forms(c).into_iter().skip(1).map(move |form| (c, form)))
        .collect()
});

/// The set with the case forms of its non-ASCII characters added.
fn case_closure(set: &CharSet) -> CharSet {
    let mut ranges = set.ranges.clone();
    let holds = |c: char| {
        let at = set.ranges.partition_point(|&(_, end)| end < c);
        set.ranges.get(at).is_some_and(|&(start, _)| start <= c)
    };
    ranges.extend(
        CASE_PAIRS
            .iter()
            .filter(|(c, _)| holds(*c))
            .map(|&(_, form)| (form, form)),
    );
    CharSet::new(ranges)
}

/// A set as `[...]`, or `[^...]` when that is shorter (a set reaching the last character).
fn push_set(set: &CharSet, out: &mut String) {
    let negate = set.ranges.last().is_some_and(|(_, end)| *end == char::MAX);
    let ranges = if negate {
        out.push_str("[^");
        set.complement().ranges
    } else {
        out.push('[');
        set.ranges.clone()
    };
    for (start, end) in ranges {
        push_char(start, out);
        if end != start {
            if end as u32 > start as u32 + 1 {
                out.push('-');
            }
            push_char(end, out);
        }
    }
    out.push(']');
}

/// One character, inside or outside a class: ASCII punctuation escaped (Lucene reserves more
/// of it than Python, and both read `\` before punctuation as the character itself), every
/// other character as itself.
fn push_char(c: char, out: &mut String) {
    if c.is_ascii_punctuation() {
        out.push('\\');
    }
    out.push(c);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(source: &str, case: Case) -> Result<String, String> {
        let pattern = Pattern::parse(source).expect("portable pattern");
        search_regexp(&pattern, case)
    }

    #[test]
    fn unanchored_patterns_are_wrapped() {
        assert_eq!(search("b+c", Case::Sensitive).unwrap(), ".*b+c.*");
        assert_eq!(
            search("curl|wget", Case::Sensitive).unwrap(),
            ".*(curl|wget).*"
        );
        assert_eq!(search("a.b", Case::Sensitive).unwrap(), ".*a[^\n]b.*");
    }

    #[test]
    fn anchors_become_missing_wildcards() {
        assert_eq!(search("^admin", Case::Sensitive).unwrap(), "admin.*");
        assert_eq!(search("^b+c$", Case::Sensitive).unwrap(), "b+c");
        assert_eq!(
            search("(^|,)admin", Case::Sensitive).unwrap(),
            "admin.*|.*\\,admin.*"
        );
        assert_eq!(search("^a|b$", Case::Sensitive).unwrap(), "a.*|.*b");
    }

    #[test]
    fn impossible_or_unclear_anchors_are_refused() {
        assert!(search("a^b", Case::Sensitive).is_err());
        assert!(search("a?^b", Case::Sensitive).is_err());
        assert!(search("(^a)*", Case::Sensitive).is_err());
    }

    #[test]
    fn perl_classes_become_ranges_and_punctuation_is_escaped() {
        assert_eq!(
            search(r"^\d{3}-\d{4}$", Case::Sensitive).unwrap(),
            "[0-9]{3}\\-[0-9]{4}"
        );
        assert_eq!(search(r"a@b#c", Case::Sensitive).unwrap(), ".*a\\@b\\#c.*");
        assert_eq!(
            search(r"[^\s]", Case::Sensitive).unwrap(),
            ".*[^\t\n\u{c}\r ].*"
        );
    }

    #[test]
    fn insensitive_patterns_spell_out_non_ascii_case() {
        assert_eq!(search("émile", Case::Insensitive).unwrap(), ".*[Éé]mile.*");
        assert_eq!(search("[à-á]", Case::Insensitive).unwrap(), ".*[ÀÁàá].*");
        assert_eq!(search("[^é]", Case::Insensitive).unwrap(), ".*[^Éé].*");
        assert_eq!(search("admin", Case::Insensitive).unwrap(), ".*admin.*");
    }

    /// Lucene's flag folds single letters only: a class's ranges carry both cases.
    #[test]
    fn insensitive_classes_hold_both_cases_of_ascii_letters() {
        assert_eq!(
            search("^[a-f0-9]+$", Case::Insensitive).unwrap(),
            "[0-9A-Fa-f]+"
        );
        assert_eq!(
            search("[^a-z]", Case::Insensitive).unwrap(),
            ".*[^A-Za-z].*"
        );
        assert_eq!(search("[a-f0-9]", Case::Sensitive).unwrap(), ".*[0-9a-f].*");
    }
}
