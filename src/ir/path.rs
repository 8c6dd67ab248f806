//! Field paths: the segments a predicate walks through an event.

use std::fmt;

use crate::syntax::is_reserved;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path {
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// An object key, matched exactly (case included).
    Key(String),
    /// `[N]`: one array element.
    Index(usize),
    /// `[*]`: every array element.
    Each,
}

impl Path {
    /// Whether the path reaches several values through `[*]`.
    pub fn fans_out(&self) -> bool {
        self.segments.contains(&Segment::Each)
    }

    /// The keys only, when the path is a plain chain of keys.
    pub fn keys(&self) -> Option<Vec<&str>> {
        self.segments
            .iter()
            .map(|segment| match segment {
                Segment::Key(key) => Some(key.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// Writes the path as the condition language spells it, quoting keys that need backticks.
impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    if is_bare(key) && !(i == 0 && is_reserved(key)) {
                        f.write_str(key)?;
                    } else {
                        write!(f, "`{}`", key.replace('`', "``"))?;
                    }
                }
                Segment::Index(index) => write!(f, "[{index}]")?,
                Segment::Each => f.write_str("[*]")?,
            }
        }
        Ok(())
    }
}

fn is_bare(key: &str) -> bool {
    let mut chars = key.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '_' | '@' | '$'));
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '@' | '$' | '-'))
}
