//! Printing a pattern tree as regex text for one engine's syntax.
//!
//! Engines differ in how groups open, how the end is anchored and which characters need
//! escaping; a [`Flavor`] is that difference as data. Classes are printed from their
//! [`CharSet`], so Perl classes come out as ASCII ranges everywhere. How a case-insensitive
//! pattern is written for an engine whose folding differs from Rust's is a [`Folding`].

use std::fmt::Write as _;

use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};

use super::Node;
use super::charset::CharSet;
use crate::code_escape::{HexCase, push_code_escape};

/// How one engine writes regexes.
pub struct Flavor {
    /// What opens a group: `(?:` where the engine has non-capturing groups, else `(`.
    pub group_open: &'static str,
    /// What matches any character except a newline (`.` where that is what `.` means).
    pub any: &'static str,
    /// What matches only at the very end of the text (`$` where that is what `$` means).
    pub end: &'static str,
    /// How a class is laid out.
    pub class: ClassStyle,
    /// Writes a literal character outside a class.
    pub literal: fn(char, &mut String),
    /// Writes a character inside a class.
    pub class_char: fn(char, &mut String),
    /// Whether a class that case folding leaves unchanged is written with folding switched
    /// off inside it (`(?-i:[^\n])`): the Rust regex would otherwise fold a class holding
    /// most of Unicode, which costs milliseconds per pattern, to the same set.
    pub scoped_case: bool,
    /// Whether the engine reads U+0000 as the end of the text, so that a class holding it
    /// also matches after the last character (SQLite's `regexp` extension), and cannot be
    /// written in a class: a class of every character is then written as `[^\n]` or `\n`,
    /// and one of none as a character after the end. Patterns naming U+0000 itself are
    /// refused for such an engine before they are printed.
    pub nul_ends_text: bool,
}

/// How the members of a class are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassStyle {
    /// Every member through `class_char`, which escapes with `\\` as needed.
    Escaped,
    /// POSIX bracket layout that needs no escapes: `]` first, `-` last, `^` never first,
    /// `\\` doubled (one backslash to a POSIX reader, an escaped one to a Perl-style reader).
    Posix,
}

/// Rust's `regex` crate; also valid RE2 (KQL, DuckDB) and Python `re` syntax.
pub const RUST: Flavor = Flavor {
    group_open: "(?:",
    any: ".",
    end: "$",
    class: ClassStyle::Escaped,
    literal: escape_punctuation,
    class_char: escape_punctuation,
    scoped_case: false,
    nul_ends_text: false,
};

/// Rust's `regex` with its case-insensitive flag set: as [`RUST`], with classes that case
/// folding leaves unchanged kept out of the folding.
pub const RUST_INSENSITIVE: Flavor = Flavor {
    scoped_case: true,
    ..RUST
};

/// SQLite's `regexp` extension (the one in the sqlite3 shell): no `(?:`, and only
/// `\{}()[]|*+?.` may be escaped, so `^`, `$` and `-` are written as hex escapes. Its `.`
/// matches a newline too, so `.` is written `[^\n]`.
pub const SQLITE: Flavor = Flavor {
    group_open: "(",
    any: "[^\\n]",
    end: "$",
    class: ClassStyle::Escaped,
    literal: sqlite_char,
    class_char: sqlite_char,
    scoped_case: false,
    nul_ends_text: true,
};

/// RE2, the engine behind KQL's `matches regex`: only metacharacters are escaped, so a
/// pattern reads as written (`curl/[0-9]+`). Inside classes `&` and `~` are escaped too,
/// which RE2 allows, so that no engine reads `&&` or `~~` as a set operation.
pub const RE2: Flavor = Flavor {
    group_open: "(?:",
    any: ".",
    end: "$",
    class: ClassStyle::Escaped,
    literal: re2_literal,
    class_char: re2_class_char,
    scoped_case: false,
    nul_ends_text: false,
};

/// PostgreSQL's advanced regular expressions (ARE). Their `.` also matches a newline, so it
/// is written `[^\n]`; control characters are `\uXXXX` escapes.
pub const POSTGRES: Flavor = Flavor {
    group_open: "(?:",
    any: "[^\\n]",
    end: "$",
    class: ClassStyle::Escaped,
    literal: postgres_char,
    class_char: postgres_char,
    scoped_case: false,
    nul_ends_text: false,
};

/// POSIX extended regexes as Snowflake reads them: plain groups, and classes laid out so
/// that they mean the same whether or not `\\` escapes inside brackets.
pub const POSIX: Flavor = Flavor {
    group_open: "(",
    any: ".",
    end: "$",
    class: ClassStyle::Posix,
    literal: posix_char,
    class_char: push_char,
    scoped_case: false,
    nul_ends_text: false,
};

/// Python's `re`. Its `$` also matches before a trailing newline, so the end is `\Z`, and
/// characters outside printable ASCII are written as `\xhh`, `\uhhhh` or `\Uhhhhhhhh`.
pub const PYTHON: Flavor = Flavor {
    group_open: "(?:",
    any: ".",
    end: "\\Z",
    class: ClassStyle::Escaped,
    literal: python_literal,
    class_char: python_class_char,
    scoped_case: false,
    nul_ends_text: false,
};

/// How letters are written so that the engine matches what the evaluator's case rules match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folding {
    /// As written: the pattern is case-sensitive, or the engine folds case as Rust does.
    AsWritten,
    /// ASCII letters lowercased, to run against text the query lowercased first (for
    /// engines with no case-insensitive flag).
    Lowercase,
    /// For an engine whose flag folds ASCII letters only (Python's `re.IGNORECASE |
    /// re.ASCII`): every other case pair the Rust regex would match is written out, so `k`
    /// becomes `[k\u212a]` (the Kelvin sign) and `é` becomes `[\xc9\xe9]`. The pairs come from
    /// regex-syntax, the same tables the evaluator's regex uses.
    AsciiFlag,
}

/// Prints `node` in `flavor`, with letters written as `folding` says.
pub fn print(node: &Node, flavor: &Flavor, folding: Folding) -> String {
    let mut printer = Printer {
        flavor,
        folding,
        out: String::new(),
    };
    printer.node(node);
    printer.out
}

struct Printer<'a> {
    flavor: &'a Flavor,
    folding: Folding,
    out: String,
}

impl Printer<'_> {
    fn node(&mut self, node: &Node) {
        match node {
            Node::Empty => {}
            Node::Literal(c) => self.literal(*c),
            Node::Any => self.out.push_str(self.flavor.any),
            Node::Class(class) => self.class(&CharSet::of_class(class)),
            Node::Start => self.out.push('^'),
            Node::End => self.out.push_str(self.flavor.end),
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
        self.out.push_str(self.flavor.group_open);
        self.node(inner);
        self.out.push(')');
    }

    /// A literal; under [`Folding::AsciiFlag`], a class of the characters it matches
    /// ignoring case, unless ASCII folding alone already matches exactly those.
    fn literal(&mut self, c: char) {
        match self.folding {
            Folding::AsWritten => (self.flavor.literal)(c, &mut self.out),
            Folding::Lowercase => (self.flavor.literal)(c.to_ascii_lowercase(), &mut self.out),
            Folding::AsciiFlag => {
                let orbit = case_closure(&CharSet::new(vec![(c, c)]));
                let (lower, upper) = (c.to_ascii_lowercase(), c.to_ascii_uppercase());
                if orbit == CharSet::new(vec![(lower, lower), (upper, upper)]) {
                    (self.flavor.literal)(c, &mut self.out);
                } else {
                    self.escaped_members(&without_ascii_uppercase(&orbit), false);
                }
            }
        }
    }

    fn class(&mut self, set: &CharSet) {
        if self.flavor.nul_ends_text {
            let open = self.flavor.group_open;
            if set.complement().ranges.is_empty() {
                let _ = write!(self.out, "{open}[^\\n]|\\n)");
                return;
            }
            if set.ranges.is_empty() {
                // No character: a character after the end of the text.
                let _ = write!(self.out, "{open}{}[^\\n])", self.flavor.end);
                return;
            }
        }
        match self.flavor.class {
            ClassStyle::Escaped => self.escaped_class(set),
            ClassStyle::Posix => self.posix_class(set),
        }
    }

    /// Whether a class is written negated (when that is shorter: a set reaching the last
    /// character), and the members it is written with.
    ///
    /// The evaluator's regex folds the members it is written with and only then negates
    /// them, so under a folding the members are case-closed after the choice, never before:
    /// closing `[^a-z]`'s set (everything but `a`-`z`) would add `a`-`z` back and match
    /// every letter. [`Folding::Lowercase`] closes over ASCII letters only, as the lowercased
    /// text it runs against was folded.
    fn members(&self, set: &CharSet) -> (bool, CharSet) {
        let negate = set.prints_negated();
        let written = if negate {
            set.complement()
        } else {
            set.clone()
        };
        let written = match self.folding {
            Folding::AsWritten => written,
            Folding::Lowercase => without_ascii_uppercase(&written.with_ascii_case_pairs()),
            Folding::AsciiFlag => without_ascii_uppercase(&case_closure(&written)),
        };
        (negate, written)
    }

    /// A class in [`ClassStyle::Escaped`].
    fn escaped_class(&mut self, set: &CharSet) {
        let (negate, written) = self.members(set);
        // A negated class is folded before it is negated; the set it negates is the small one.
        let unchanged_by_folding =
            set.complement().ranges.is_empty() || negate && case_closure(&written) == written;
        if self.flavor.scoped_case && unchanged_by_folding {
            self.out.push_str("(?-i:");
            self.escaped_members(&written, negate);
            self.out.push(')');
        } else {
            self.escaped_members(&written, negate);
        }
    }

    fn escaped_members(&mut self, set: &CharSet, negate: bool) {
        self.out.push_str(if negate { "[^" } else { "[" });
        for &(start, end) in &set.ranges {
            (self.flavor.class_char)(start, &mut self.out);
            if end != start {
                if end as u32 > start as u32 + 1 {
                    self.out.push('-');
                }
                (self.flavor.class_char)(end, &mut self.out);
            }
        }
        self.out.push(']');
    }

    /// A class whose special members sit where every reader takes them literally.
    fn posix_class(&mut self, set: &CharSet) {
        let (negate, members) = self.members(set);
        let has = |c: char| members.ranges.iter().any(|(a, b)| *a <= c && c <= *b);
        let rest = without(&members, &POSIX_SPECIAL);
        if !negate && rest.is_empty() && !has(']') && !has('[') && !has('\\') && has('^') {
            // `^` would come first and negate: write the one or two members outside a class.
            self.out.push_str(if has('-') { "[-^]" } else { "\\^" });
            return;
        }

        self.out.push_str(if negate { "[^" } else { "[" });
        if has(']') {
            self.out.push(']');
        }
        for (start, end) in rest {
            self.out.push(start);
            if end != start {
                if end as u32 > start as u32 + 1 {
                    self.out.push('-');
                }
                self.out.push(end);
            }
        }
        for (member, text) in [('[', "["), ('\\', "\\\\"), ('^', "^"), ('-', "-")] {
            if has(member) {
                self.out.push_str(text);
            }
        }
        self.out.push(']');
    }
}

/// Every character a case-insensitive Rust regex matches for a character of `set`.
fn case_closure(set: &CharSet) -> CharSet {
    // Simple case folding sorts characters into orbits, and the closure is the union of the
    // orbits the set reaches. For a set holding nearly everything, it is quicker to find the
    // few characters left out whose whole orbit is left out too.
    let outside = set.complement();
    if size(&outside) <= SMALL_SET.min(size(set)) {
        let kept_out: Vec<(char, char)> = outside
            .ranges
            .iter()
            .flat_map(|&(start, end)| start..=end)
            .filter(|&c| within(&fold(&CharSet::new(vec![(c, c)])), &outside))
            .map(|c| (c, c))
            .collect();
        return CharSet::new(kept_out).complement();
    }
    fold(set)
}

/// Whether every character of `inner` is in `outer`.
fn within(inner: &CharSet, outer: &CharSet) -> bool {
    inner.ranges.iter().all(|&(start, end)| {
        outer
            .ranges
            .iter()
            .any(|&(low, high)| low <= start && end <= high)
    })
}

/// Above this many characters, a set's complement is folded directly.
const SMALL_SET: usize = 4096;

fn size(set: &CharSet) -> usize {
    set.ranges
        .iter()
        .map(|&(start, end)| end as usize - start as usize + 1)
        .sum()
}

fn fold(set: &CharSet) -> CharSet {
    let ranges = set
        .ranges
        .iter()
        .map(|&(start, end)| ClassUnicodeRange::new(start, end));
    let mut class = ClassUnicode::new(ranges);
    class.case_fold_simple();
    let folded = class.ranges().iter().map(|r| (r.start(), r.end()));
    CharSet::new(folded.collect())
}

/// A set closed over ASCII case less `A`-`Z`, which an ASCII folding flag (or the
/// lowercasing of the text) adds back from `a`-`z`.
fn without_ascii_uppercase(set: &CharSet) -> CharSet {
    let upper = CharSet::new(vec![('A', 'Z')]).complement();
    let mut kept = Vec::new();
    for &(start, end) in &set.ranges {
        for &(low, high) in &upper.ranges {
            let (from, to) = (start.max(low), end.min(high));
            if from <= to {
                kept.push((from, to));
            }
        }
    }
    CharSet::new(kept)
}

/// Characters a POSIX bracket expression gives a meaning by position.
const POSIX_SPECIAL: [char; 5] = ['-', '[', '\\', ']', '^'];

/// The ranges of `set` with the characters of `remove` (sorted) taken out.
fn without(set: &CharSet, remove: &[char]) -> Vec<(char, char)> {
    let mut out = Vec::new();
    for &(start, end) in &set.ranges {
        let mut from = Some(start);
        for &c in remove.iter().filter(|c| start <= **c && **c <= end) {
            if let (Some(low), Some(high)) = (from, char::from_u32(c as u32 - 1))
                && low <= high
            {
                out.push((low, high));
            }
            from = char::from_u32(c as u32 + 1);
        }
        if let Some(low) = from
            && low <= end
        {
            out.push((low, end));
        }
    }
    out
}

fn push_char(c: char, out: &mut String) {
    out.push(c);
}

/// Outside a class: the metacharacters of POSIX EREs escaped, everything else as itself.
fn posix_char(c: char, out: &mut String) {
    if ".[]()*+?{}|^$\\".contains(c) {
        out.push('\\');
    }
    out.push(c);
}

fn postgres_char(c: char, out: &mut String) {
    match c {
        c if c.is_control() && !matches!(c, '\n' | '\t' | '\r') => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => escape_punctuation(c, out),
    }
}

/// Escapes ASCII punctuation, except `<` and `>`: Rust's regex reads `\<` and `\>` as word
/// boundaries, and RE2 refuses them.
fn escape_punctuation(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if c.is_ascii_punctuation() && !matches!(c, '<' | '>') => {
            out.push('\\');
            out.push(c);
        }
        c if c.is_control() => {
            let _ = write!(out, "\\x{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

fn re2_literal(c: char, out: &mut String) {
    match c {
        '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' => {
            out.push('\\');
            out.push(c);
        }
        c => escape_control(c, out),
    }
}

fn re2_class_char(c: char, out: &mut String) {
    match c {
        '\\' | ']' | '[' | '^' | '-' | '&' | '~' => {
            out.push('\\');
            out.push(c);
        }
        c => escape_control(c, out),
    }
}

/// Control characters as escapes, anything else as itself.
fn escape_control(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if c.is_control() => {
            let _ = write!(out, "\\x{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

fn python_literal(c: char, out: &mut String) {
    python_char(c, "\\.^$*+?{}[]|()", out);
}

/// Inside a class, with the characters whose doubling Python reserves for set operations.
fn python_class_char(c: char, out: &mut String) {
    python_char(c, "\\[]^-&~|", out);
}

/// Printable ASCII as itself (with a backslash before the punctuation in `special`),
/// everything else as a `re` escape.
fn python_char(c: char, special: &str, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if special.contains(c) => {
            out.push('\\');
            out.push(c);
        }
        c if c.is_ascii_graphic() || c == ' ' => out.push(c),
        c => push_code_escape(c, HexCase::Lower, out),
    }
}

fn sqlite_char(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\\' | '{' | '}' | '(' | ')' | '[' | ']' | '|' | '*' | '+' | '?' | '.' => {
            out.push('\\');
            out.push(c);
        }
        c if c.is_ascii_punctuation() || c.is_ascii_control() => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if c.is_control() && (c as u32) <= 0xFFFF => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Case;
    use crate::pattern::Pattern;
    use proptest::prelude::*;

    #[test]
    fn classes_folding_leaves_alone_skip_the_folding() {
        for source in [r"[\s\S]x", r"[^\n]+", r"[^0-9]", r"[^k]", "[^a-z]é"] {
            let pattern = Pattern::parse(source).expect("portable");
            let plain = regex::RegexBuilder::new(&pattern.to_rust())
                .case_insensitive(true)
                .build()
                .expect("builds");
            let scoped = pattern.to_regex(Case::Insensitive).expect("builds");
            for text in [
                "X", "x", "\n", "k", "K", "\u{212a}", "7", "aÉ", "Zé", "\u{1}",
            ] {
                assert_eq!(
                    plain.is_match(text),
                    scoped.is_match(text),
                    "{source} on {text:?}"
                );
            }
        }
        let printed = print(
            &Pattern::parse(r"[^\n]").expect("ok").node,
            &RUST_INSENSITIVE,
            Folding::AsWritten,
        );
        assert_eq!(printed, r"(?-i:[^\n])");
        let kept = print(
            &Pattern::parse("[^k]").expect("ok").node,
            &RUST_INSENSITIVE,
            Folding::AsWritten,
        );
        assert_eq!(
            kept, "[^k]",
            "k has other case forms, so folding changes the class"
        );
    }

    fn source() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "a",
            "K",
            "z",
            "_",
            "0",
            "[^a-z]",
            "[^A-Z]",
            "[A-Z]",
            "[a-cX]",
            "[^k]",
            "[^_0-9]",
            "\\w",
            "\\W",
            "[^\\w]",
            "[\\W]",
            "\\d",
            "\\S",
            "[^\\s\\S]",
            "[\\s\\S]",
            ".",
            "^",
            "$",
            "(",
            ")",
            "|",
            "*",
            "+",
            "?",
            "{2}",
            "{0}",
            "{0,0}",
        ]);
        prop::collection::vec(piece, 1..6).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// An engine that lowercases the text and runs the pattern as printed for it finds
        /// what the evaluator finds ignoring case, on text whose only letters are ASCII (the
        /// only ones SQLite's `lower()` folds); and SQLite's patterns never hold what its
        /// regexp extension misreads: U+0000, which it takes for the end of the text, and a
        /// count of zero, which it refuses.
        #[test]
        fn lowercase_folding_matches_what_the_evaluator_matches(
            source in source(),
            texts in prop::collection::vec("[a-cA-CkKxXzZ0-9 _é\n-]{0,6}", 1..6),
        ) {
            let Ok(pattern) = Pattern::parse(&source) else {
                return Ok(());
            };
            let printed = print(&pattern.node, &RUST, Folding::Lowercase);
            let lowered = regex::Regex::new(&printed).expect("the Rust flavor parses");
            let evaluator = pattern.to_regex(Case::Insensitive).expect("builds");
            for folding in [Folding::AsWritten, Folding::Lowercase] {
                let sqlite = print(&pattern.node, &SQLITE, folding);
                prop_assert!(
                    !sqlite.contains("\\x00") && !sqlite.contains("{0}"),
                    "{} printed for SQLite as {}", source, sqlite
                );
            }
            for text in texts {
                prop_assert_eq!(
                    lowered.is_match(&text.to_ascii_lowercase()),
                    evaluator.is_match(&text),
                    "{} printed {} on {:?}", source, printed, text
                );
            }
        }
    }

    #[test]
    fn a_class_of_every_character_names_no_nul_for_sqlite() {
        let pattern = Pattern::parse(r"id 462[\s\S]").expect("portable");
        let printed = print(&pattern.node, &SQLITE, Folding::Lowercase);
        assert_eq!(printed, r"id 462([^\n]|\n)");
        let pattern = Pattern::parse(r"a[^\s\S]").expect("portable");
        assert_eq!(
            print(&pattern.node, &SQLITE, Folding::AsWritten),
            r"a($[^\n])"
        );
    }

    #[test]
    fn closing_a_large_set_through_its_complement_is_exact() {
        for outside in [
            vec![('k', 'k')],
            vec![('0', '9'), ('a', 'z')],
            vec![('\u{1}', '\u{1f}')],
        ] {
            let set = CharSet::new(outside).complement();
            assert_eq!(case_closure(&set), fold(&set));
        }
    }

    #[test]
    fn angle_brackets_stay_literal_for_rust() {
        let pattern = Pattern::parse("<a>").expect("a portable pattern");
        let regex = regex::Regex::new(&pattern.to_rust()).expect("a valid regex");
        assert!(regex.is_match("x<a>y"));
        assert!(!regex.is_match("a"));
    }
}
