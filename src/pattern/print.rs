//! Printing a pattern tree back as regex text.

use std::fmt::Write as _;

use super::{Class, ClassItem, Node, PerlClass};

/// Rust `regex` syntax.
pub fn rust(node: &Node) -> String {
    let mut out = String::new();
    write_node(node, &mut out);
    out
}

fn write_node(node: &Node, out: &mut String) {
    match node {
        Node::Empty => {}
        Node::Literal(c) => write_char(*c, out),
        Node::Any => out.push('.'),
        Node::Class(class) => write_class(class, out),
        Node::Start => out.push('^'),
        Node::End => out.push('$'),
        Node::Group(inner) => {
            out.push_str("(?:");
            write_node(inner, out);
            out.push(')');
        }
        Node::Concat(items) => items.iter().for_each(|item| write_node(item, out)),
        Node::Alternation(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                write_node(item, out);
            }
        }
        Node::Repeat { node, min, max } => {
            write_atom(node, out);
            match (min, max) {
                (0, Some(1)) => out.push('?'),
                (0, None) => out.push('*'),
                (1, None) => out.push('+'),
                (m, None) => {
                    let _ = write!(out, "{{{m},}}");
                }
                (m, Some(n)) if m == n => {
                    let _ = write!(out, "{{{m}}}");
                }
                (m, Some(n)) => {
                    let _ = write!(out, "{{{m},{n}}}");
                }
            }
        }
    }
}

/// A repeated node, grouped when it is more than one atom.
fn write_atom(node: &Node, out: &mut String) {
    match node {
        Node::Literal(_) | Node::Any | Node::Class(_) | Node::Group(_) => write_node(node, out),
        _ => {
            out.push_str("(?:");
            write_node(node, out);
            out.push(')');
        }
    }
}

fn write_char(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if regex_syntax::is_meta_character(c) => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    }
}

fn write_class_char(c: char, out: &mut String) {
    match c {
        '\n' | '\t' | '\r' => write_char(c, out),
        c if c.is_ascii_punctuation() => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    }
}

fn write_class(class: &Class, out: &mut String) {
    out.push('[');
    if class.negated {
        out.push('^');
    }
    for item in &class.items {
        match item {
            ClassItem::Char(c) => write_class_char(*c, out),
            ClassItem::Range(a, b) => {
                write_class_char(*a, out);
                out.push('-');
                write_class_char(*b, out);
            }
            ClassItem::Perl {
                kind,
                negated: false,
            } => out.push_str(perl_ranges(*kind)),
            ClassItem::Perl {
                kind,
                negated: true,
            } => {
                let _ = write!(out, "[^{}]", perl_ranges(*kind));
            }
        }
    }
    out.push(']');
}

/// The ASCII ranges of a Perl class, as class contents.
fn perl_ranges(kind: PerlClass) -> &'static str {
    match kind {
        PerlClass::Digit => "0-9",
        PerlClass::Word => "0-9A-Za-z_",
        PerlClass::Space => " \\t\\n\\r\\x0C",
    }
}
