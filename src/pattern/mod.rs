//! Regular expressions in the portable subset (LANGUAGE.md section 4).
//!
//! A pattern is parsed once into [`Node`], a small tree of only the constructs every target
//! engine agrees on; anything else is rejected with a message naming it. Each engine then
//! gets the pattern printed in its own syntax from the tree, never from the user's text.

use crate::ir::Case;

mod charset;
mod check;
mod print;

pub use charset::CharSet;
pub use print::{
    ClassStyle, Flavor, Folding, POSIX, POSTGRES, PYTHON, RE2, RUST, RUST_INSENSITIVE, SQLITE,
    print,
};

/// A checked pattern: the text the user wrote and its tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub source: String,
    pub node: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Empty,
    Literal(char),
    /// `.`: any character except a newline.
    Any,
    Class(Class),
    /// `^`: the start of the whole text.
    Start,
    /// `$`: the end of the whole text (not before a trailing newline).
    End,
    Group(Box<Node>),
    Concat(Vec<Node>),
    Alternation(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
}

/// A character class: `[...]`, `[^...]`, or a Perl class such as `\d` on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    pub negated: bool,
    pub items: Vec<ClassItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ClassItem {
    Char(char),
    Range(char, char),
    /// `\d`, `\w`, `\s`, or with `negated` `\D`, `\W`, `\S`; always their ASCII meaning.
    Perl {
        kind: PerlClass,
        negated: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PerlClass {
    /// `0-9`
    Digit,
    /// `0-9A-Za-z_`
    Word,
    /// space, tab, newline, carriage return, form feed
    Space,
}

/// Why a pattern was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternError {
    pub message: String,
    pub hint: String,
}

impl Pattern {
    /// Parses `source` and checks it stays in the portable subset.
    pub fn parse(source: &str) -> Result<Pattern, PatternError> {
        let node = check::to_node(source)?;
        Ok(Pattern {
            source: source.to_string(),
            node,
        })
    }

    /// The pattern in the syntax of Rust's `regex` crate, with Perl classes spelled out as
    /// their ASCII ranges so they mean what they mean on every other engine.
    pub fn to_rust(&self) -> String {
        print::print(&self.node, &RUST, Folding::AsWritten)
    }

    /// The pattern as a Rust regex, ignoring case when `case` says so: the regex the
    /// evaluator runs.
    pub fn to_regex(&self, case: Case) -> Result<regex::Regex, regex::Error> {
        let insensitive = case == Case::Insensitive;
        let flavor = if insensitive {
            &RUST_INSENSITIVE
        } else {
            &RUST
        };
        regex::RegexBuilder::new(&print::print(&self.node, flavor, Folding::AsWritten))
            .case_insensitive(insensitive)
            .build()
    }
}
