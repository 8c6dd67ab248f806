//! Patterns for Python's `re`, printed from the pattern tree so that they match exactly what
//! the evaluator's Rust regex matches.
//!
//! Three things differ from the Rust syntax. `$` is written `\Z`, since Python's `$` also
//! matches before a trailing newline. Characters outside printable ASCII are written as
//! `\xhh`, `\uhhhh` or `\Uhhhhhhhh`. And case: Python's `re.IGNORECASE` folds by its own
//! tables (it lets `i` match `İ` and `ı`, and knows only its Unicode version's letters), so
//! case-insensitive patterns are compiled with `re.IGNORECASE | re.ASCII`, which folds
//! ASCII letters only, and every other case pair the Rust regex would match is written
//! out: `k` becomes `[k\u212a]` (the Kelvin sign), `é` becomes `[\xc9\xe9]`. The pairs
//! come from regex-syntax, the same tables the evaluator's regex uses.

use std::fmt::Write as _;

use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};

use crate::ir::Case;
use crate::pattern::{CharSet, Node};

/// The flags a case-insensitive pattern is compiled with.
pub const INSENSITIVE_FLAGS: &str = "re.IGNORECASE | re.ASCII";

/// The pattern in Python `re` syntax, to be compiled with [`INSENSITIVE_FLAGS`] when `case`
/// is insensitive and with no flags otherwise.
pub fn python_pattern(node: &Node, case: Case) -> String {
    let mut printer = Printer {
        fold: case == Case::Insensitive,
        out: String::new(),
    };
    printer.node(node);
    printer.out
}

struct Printer {
    fold: bool,
    out: String,
}

impl Printer {
    fn node(&mut self, node: &Node) {
        match node {
            Node::Empty => {}
            Node::Literal(c) => self.literal(*c),
            Node::Any => self.out.push('.'),
            Node::Class(class) => self.class(&CharSet::of_class(class)),
            Node::Start => self.out.push('^'),
            Node::End => self.out.push_str("\\Z"),
            Node::Group(inner) => self.group(inner),
            Node::Concat(items) => items.iter().for_each(|item| self.node(item)),
            Node::Alternation(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push('|');
                    }
                    self.node(item);
                }
            }
            Node::Repeat { node, min, max } => {
                match node.as_ref() {
                    Node::Literal(_) | Node::Any | Node::Class(_) | Node::Group(_) => {
                        self.node(node)
                    }
                    other => self.group(other),
                }
                let _ = match (min, max) {
                    (0, Some(1)) => write!(self.out, "?"),
                    (0, None) => write!(self.out, "*"),
                    (1, None) => write!(self.out, "+"),
                    (m, None) => write!(self.out, "{{{m},}}"),
                    (m, Some(n)) if m == n => write!(self.out, "{{{m}}}"),
                    (m, Some(n)) => write!(self.out, "{{{m},{n}}}"),
                };
            }
        }
    }

    fn group(&mut self, inner: &Node) {
        self.out.push_str("(?:");
        self.node(inner);
        self.out.push(')');
    }

    /// A literal; when folding, a class of the characters it matches ignoring case, unless
    /// Python's ASCII folding already matches exactly those.
    fn literal(&mut self, c: char) {
        if !self.fold {
            return push_char(c, SPECIAL, &mut self.out);
        }
        let orbit = case_closure(&CharSet::new(vec![(c, c)]));
        let ascii_pair = CharSet::new(vec![
            (c.to_ascii_lowercase(), c.to_ascii_lowercase()),
            (c.to_ascii_uppercase(), c.to_ascii_uppercase()),
        ]);
        if orbit == ascii_pair {
            push_char(c, SPECIAL, &mut self.out);
        } else {
            self.set(&without_ascii_uppercase(&orbit), false);
        }
    }

    /// A class, negated when that is shorter, as the evaluator's Rust pattern writes it:
    /// the Rust regex folds the written set and then negates it, and so does this.
    fn class(&mut self, set: &CharSet) {
        let negate = set.prints_negated();
        let written = if negate {
            set.complement()
        } else {
            set.clone()
        };
        if self.fold {
            self.set(&without_ascii_uppercase(&case_closure(&written)), negate);
        } else {
            self.set(&written, negate);
        }
    }

    fn set(&mut self, set: &CharSet, negate: bool) {
        self.out.push_str(if negate { "[^" } else { "[" });
        for &(start, end) in &set.ranges {
            push_char(start, SPECIAL_IN_CLASS, &mut self.out);
            if end != start {
                if end as u32 > start as u32 + 1 {
                    self.out.push('-');
                }
                push_char(end, SPECIAL_IN_CLASS, &mut self.out);
            }
        }
        self.out.push(']');
    }
}

/// Every character a case-insensitive Rust regex matches for a character of `set`.
fn case_closure(set: &CharSet) -> CharSet {
    let ranges = set
        .ranges
        .iter()
        .map(|&(start, end)| ClassUnicodeRange::new(start, end));
    let mut class = ClassUnicode::new(ranges);
    class.case_fold_simple();
    let folded = class.ranges().iter().map(|r| (r.start(), r.end()));
    CharSet::new(folded.collect())
}

/// A case-closed set less `A`-`Z`, which Python's ASCII folding adds back from `a`-`z`.
fn without_ascii_uppercase(set: &CharSet) -> CharSet {
    let upper = CharSet::new(vec![('A', 'Z')]).complement();
    let mut ranges = Vec::new();
    for &(start, end) in &set.ranges {
        for &(low, high) in &upper.ranges {
            let (from, to) = (start.max(low), end.min(high));
            if from <= to {
                ranges.push((from, to));
            }
        }
    }
    CharSet::new(ranges)
}

/// Punctuation `re` gives a meaning outside a class, and inside one (with the characters
/// whose doubling Python reserves for set operations).
const SPECIAL: &str = "\\.^$*+?{}[]|()";
const SPECIAL_IN_CLASS: &str = "\\[]^-&~|";

/// One character of a pattern: printable ASCII as itself (with a backslash before the
/// punctuation in `special`), everything else as a `re` escape.
fn push_char(c: char, special: &str, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if special.contains(c) => {
            out.push('\\');
            out.push(c);
        }
        c if c.is_ascii_graphic() || c == ' ' => out.push(c),
        c if (c as u32) <= 0xFF => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if (c as u32) <= 0xFFFF => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::Pattern;

    fn print(source: &str, case: Case) -> String {
        let pattern = Pattern::parse(source).expect("portable pattern");
        python_pattern(&pattern.node, case)
    }

    #[test]
    fn end_anchor_ignores_a_trailing_newline() {
        assert_eq!(print("^b+c$", Case::Sensitive), "^b+c\\Z");
    }

    #[test]
    fn ascii_letters_stay_as_written_when_python_folds_them_alike() {
        assert_eq!(print("^Admin", Case::Insensitive), "^Admin");
        assert_eq!(print("(curl|wget)/", Case::Insensitive), "(?:curl|wget)/");
    }

    #[test]
    fn other_case_pairs_are_written_out() {
        assert_eq!(print("k", Case::Insensitive), "[k\\u212a]");
        assert_eq!(print("S", Case::Insensitive), "[s\\u017f]");
        assert_eq!(print("é", Case::Insensitive), "[\\xc9\\xe9]");
        assert_eq!(print("k", Case::Sensitive), "k");
    }

    #[test]
    fn classes_fold_before_negation() {
        assert_eq!(print("[a-z]", Case::Insensitive), "[a-z\\u017f\\u212a]");
        assert_eq!(print("[^a-z]", Case::Insensitive), "[^a-z\\u017f\\u212a]");
        assert_eq!(print("[^a-z]", Case::Sensitive), "[^a-z]");
        assert_eq!(print("\\d{3}", Case::Insensitive), "[0-9]{3}");
    }

    #[test]
    fn control_and_non_ascii_characters_are_escaped() {
        assert_eq!(print("\\t\u{1}🦀", Case::Sensitive), "\\t\\x01\\U0001f980");
    }
}
