//! Converts regex-syntax's AST into [`Node`], refusing what is not portable.

use regex_syntax::ast::{
    self, AssertionKind, Ast, ClassPerlKind, ClassSet, ClassSetItem, ErrorKind, GroupKind,
    LiteralKind, RepetitionKind, RepetitionRange, SpecialLiteralKind,
};

use super::{Class, ClassItem, Node, PatternError, PerlClass};

/// Repetition counts above this are refused: RE2 (KQL) rejects them.
const MAX_REPEAT: u32 = 1000;

pub fn to_node(source: &str) -> Result<Node, PatternError> {
    let ast = ast::parse::ParserBuilder::new()
        .nest_limit(100)
        .build()
        .parse(source)
        .map_err(|error| parse_error(source, &error))?;
    convert(&ast)
}

fn refuse(construct: &str, hint: &str) -> PatternError {
    PatternError {
        message: format!("{construct} not in the portable regex subset"),
        hint: hint.to_string(),
    }
}

const SUBSET: &str = "portable regexes use literals, `.`, `[...]` classes, \\d \\w \\s, `^ $`, \
    groups, `|` and greedy quantifiers";

fn parse_error(source: &str, error: &ast::Error) -> PatternError {
    match error.kind() {
        ErrorKind::UnsupportedLookAround => {
            refuse("look-around (look-ahead or look-behind) is", SUBSET)
        }
        ErrorKind::UnsupportedBackreference => refuse("back-references such as `\\1` are", SUBSET),
        ErrorKind::RepetitionMissing if is_possessive(source, error) => refuse(
            "possessive quantifiers such as `*+` are",
            "use a plain greedy quantifier",
        ),
        _ => PatternError {
            message: format!("invalid regex: {}", error.kind()),
            hint: format!("the regex is `{source}`"),
        },
    }
}

/// A quantifier right after another one, as in `a*+`.
fn is_possessive(source: &str, error: &ast::Error) -> bool {
    let at = error.span().start.offset;
    source
        .get(..at)
        .is_some_and(|before| before.ends_with(['*', '+', '?', '}']))
}

fn convert(ast: &Ast) -> Result<Node, PatternError> {
    Ok(match ast {
        Ast::Empty(_) => Node::Empty,
        Ast::Flags(_) => return Err(inline_flags()),
        Ast::Literal(literal) => Node::Literal(literal_char(literal)?),
        Ast::Dot(_) => Node::Any,
        Ast::Assertion(assertion) => match assertion.kind {
            AssertionKind::StartLine => Node::Start,
            AssertionKind::EndLine => Node::End,
            AssertionKind::StartText | AssertionKind::EndText => {
                return Err(refuse("`\\A` and `\\z` are", "use `^` and `$`"));
            }
            _ => return Err(refuse("word boundaries such as `\\b` are", SUBSET)),
        },
        Ast::ClassUnicode(_) => return Err(unicode_class()),
        Ast::ClassPerl(perl) => Node::Class(Class {
            negated: false,
            items: vec![ClassItem::Perl {
                kind: perl_kind(&perl.kind),
                negated: perl.negated,
            }],
        }),
        Ast::ClassBracketed(class) => Node::Class(Class {
            negated: class.negated,
            items: class_items(&class.kind)?,
        }),
        Ast::Repetition(repetition) => {
            if !repetition.greedy {
                return Err(refuse(
                    "lazy quantifiers such as `*?` are",
                    "use a greedy quantifier",
                ));
            }
            let (min, max) = match repetition.op.kind {
                RepetitionKind::ZeroOrOne => (0, Some(1)),
                RepetitionKind::ZeroOrMore => (0, None),
                RepetitionKind::OneOrMore => (1, None),
                RepetitionKind::Range(RepetitionRange::Exactly(n)) => (n, Some(n)),
                RepetitionKind::Range(RepetitionRange::AtLeast(n)) => (n, None),
                RepetitionKind::Range(RepetitionRange::Bounded(m, n)) => (m, Some(n)),
            };
            if min.max(max.unwrap_or(0)) > MAX_REPEAT {
                return Err(refuse(
                    "repetition counts above 1000 are",
                    "use a smaller count",
                ));
            }
            let node = Box::new(convert(&repetition.ast)?);
            // `x{0}` matches only the empty text, and SQLite's regexp extension refuses it.
            if max == Some(0) {
                Node::Empty
            } else {
                Node::Repeat { node, min, max }
            }
        }
        Ast::Group(group) => match &group.kind {
            GroupKind::CaptureIndex(_) => Node::Group(Box::new(convert(&group.ast)?)),
            GroupKind::NonCapturing(flags) if flags.items.is_empty() => {
                Node::Group(Box::new(convert(&group.ast)?))
            }
            GroupKind::NonCapturing(_) => return Err(inline_flags()),
            GroupKind::CaptureName { .. } => {
                return Err(refuse("named groups are", "use `( )` or `(?: )`"));
            }
        },
        Ast::Alternation(alternation) => Node::Alternation(
            alternation
                .asts
                .iter()
                .map(convert)
                .collect::<Result<_, _>>()?,
        ),
        Ast::Concat(concat) => {
            Node::Concat(concat.asts.iter().map(convert).collect::<Result<_, _>>()?)
        }
    })
}

fn inline_flags() -> PatternError {
    refuse(
        "inline flags such as `(?i)` are",
        "`regex` already ignores case and `regex_cs` keeps it; drop the flag",
    )
}

fn unicode_class() -> PatternError {
    refuse(
        "Unicode classes such as `\\pL` are",
        "list the characters in a `[...]` class",
    )
}

fn perl_kind(kind: &ClassPerlKind) -> PerlClass {
    match kind {
        ClassPerlKind::Digit => PerlClass::Digit,
        ClassPerlKind::Word => PerlClass::Word,
        ClassPerlKind::Space => PerlClass::Space,
    }
}

fn literal_char(literal: &ast::Literal) -> Result<char, PatternError> {
    match &literal.kind {
        LiteralKind::Verbatim | LiteralKind::Meta => Ok(literal.c),
        LiteralKind::Superfluous if literal.c.is_ascii_punctuation() => Ok(literal.c),
        LiteralKind::Special(SpecialLiteralKind::Tab)
        | LiteralKind::Special(SpecialLiteralKind::LineFeed)
        | LiteralKind::Special(SpecialLiteralKind::CarriageReturn) => Ok(literal.c),
        LiteralKind::Octal | LiteralKind::HexFixed(_) | LiteralKind::HexBrace(_) => Err(refuse(
            "hex and octal escapes are",
            "write the character itself, or `\\t`, `\\n`, `\\r`",
        )),
        _ => Err(refuse(
            &format!("the escape for {:?} is", literal.c),
            "write the character itself, or `\\t`, `\\n`, `\\r`",
        )),
    }
}

fn class_items(set: &ClassSet) -> Result<Vec<ClassItem>, PatternError> {
    let item = match set {
        ClassSet::BinaryOp(_) => {
            return Err(refuse("class set operations such as `&&` are", SUBSET));
        }
        ClassSet::Item(item) => item,
    };
    match item {
        ClassSetItem::Union(union) => {
            let mut items = Vec::new();
            for item in &union.items {
                items.extend(class_item(item)?);
            }
            Ok(items)
        }
        single => class_item(single),
    }
}

fn class_item(item: &ClassSetItem) -> Result<Vec<ClassItem>, PatternError> {
    Ok(match item {
        ClassSetItem::Empty(_) => Vec::new(),
        ClassSetItem::Literal(literal) => vec![ClassItem::Char(literal_char(literal)?)],
        ClassSetItem::Range(range) => {
            vec![ClassItem::Range(
                literal_char(&range.start)?,
                literal_char(&range.end)?,
            )]
        }
        ClassSetItem::Perl(perl) => {
            vec![ClassItem::Perl {
                kind: perl_kind(&perl.kind),
                negated: perl.negated,
            }]
        }
        ClassSetItem::Ascii(_) => {
            return Err(refuse(
                "POSIX classes such as `[[:alpha:]]` are",
                "use `[a-zA-Z]` and the like",
            ));
        }
        ClassSetItem::Unicode(_) => return Err(unicode_class()),
        ClassSetItem::Bracketed(_) => return Err(refuse("nested classes are", SUBSET)),
        ClassSetItem::Union(union) => {
            let mut items = Vec::new();
            for item in &union.items {
                items.extend(class_item(item)?);
            }
            items
        }
    })
}
