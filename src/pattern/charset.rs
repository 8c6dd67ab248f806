//! Character classes as sets of code-point ranges, so every engine can print a class in the
//! syntax it has: `\d` inside `[...]`, `[\D_]` and the like become plain ranges.

use super::{Class, ClassItem, PerlClass};

/// A set of characters as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharSet {
    pub ranges: Vec<(char, char)>,
}

impl CharSet {
    /// The characters a class matches.
    pub fn of_class(class: &Class) -> CharSet {
        let mut ranges = Vec::new();
        for item in &class.items {
            match item {
                ClassItem::Char(c) => ranges.push((*c, *c)),
                ClassItem::Range(a, b) => ranges.push((*a, *b)),
                ClassItem::Perl {
                    kind,
                    negated: false,
                } => ranges.extend(perl_ranges(*kind)),
                ClassItem::Perl {
                    kind,
                    negated: true,
                } => {
                    let set = CharSet::new(perl_ranges(*kind).to_vec()).complement();
                    ranges.extend(set.ranges);
                }
            }
        }
        let set = CharSet::new(ranges);
        if class.negated { set.complement() } else { set }
    }

    /// Normalizes any list of ranges.
    pub fn new(mut ranges: Vec<(char, char)>) -> CharSet {
        ranges.retain(|(a, b)| a <= b);
        ranges.sort();
        let mut merged: Vec<(char, char)> = Vec::with_capacity(ranges.len());
        for (start, end) in ranges {
            match merged.last_mut() {
                Some(last)
                    if next(last.1).is_some_and(|after| start <= after) || start <= last.1 =>
                {
                    last.1 = last.1.max(end);
                }
                _ => merged.push((start, end)),
            }
        }
        CharSet { ranges: merged }
    }

    /// Every character not in the set.
    pub fn complement(&self) -> CharSet {
        let mut ranges = Vec::new();
        let mut from = Some('\0');
        for &(start, end) in &self.ranges {
            if let (Some(low), Some(high)) = (from, prev(start))
                && low <= high
            {
                ranges.push((low, high));
            }
            from = next(end);
        }
        if let Some(low) = from {
            ranges.push((low, char::MAX));
        }
        CharSet { ranges }
    }

    /// Whether to print the set as the negation of its complement: when it reaches the
    /// last character (that is shorter), and when it is empty (`[]` is no class); never
    /// when it holds every character (`[^]` is no class either).
    pub fn prints_negated(&self) -> bool {
        let reaches_end = self.ranges.last().is_some_and(|(_, end)| *end == char::MAX);
        self.ranges.is_empty() || (reaches_end && !self.complement().ranges.is_empty())
    }

    /// The set with the other case of each of its ASCII letters added.
    pub fn with_ascii_case_pairs(&self) -> CharSet {
        let mut ranges = self.ranges.clone();
        for &(start, end) in &self.ranges {
            for (from, to) in [('A', 'Z'), ('a', 'z')] {
                let (low, high) = (start.max(from), end.min(to));
                if low <= high {
                    let flip = |c: char| (c as u8 ^ 0x20) as char;
                    ranges.push((flip(low), flip(high)));
                }
            }
        }
        CharSet::new(ranges)
    }
}

/// The ASCII ranges of a Perl class, as the portable subset defines them.
pub fn perl_ranges(kind: PerlClass) -> &'static [(char, char)] {
    match kind {
        PerlClass::Digit => &[('0', '9')],
        PerlClass::Word => &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')],
        PerlClass::Space => &[('\t', '\n'), ('\x0C', '\r'), (' ', ' ')],
    }
}

/// The next character, skipping the surrogate gap.
fn next(c: char) -> Option<char> {
    match c {
        '\u{D7FF}' => Some('\u{E000}'),
        _ => char::from_u32(c as u32 + 1),
    }
}

/// The previous character, skipping the surrogate gap.
fn prev(c: char) -> Option<char> {
    match c {
        '\u{E000}' => Some('\u{D7FF}'),
        _ => (c as u32).checked_sub(1).and_then(char::from_u32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complement_round_trips_and_skips_surrogates() {
        let digits = CharSet::new(vec![('0', '9')]);
        let not_digits = digits.complement();
        assert_eq!(not_digits.ranges, vec![('\0', '/'), (':', char::MAX)]);
        assert_eq!(not_digits.complement(), digits);
        let around = CharSet::new(vec![('\u{D7FF}', '\u{D7FF}')]).complement();
        assert_eq!(
            around.ranges,
            vec![('\0', '\u{D7FE}'), ('\u{E000}', char::MAX)]
        );
    }

    #[test]
    fn negated_perl_items_become_ranges() {
        let class = Class {
            negated: false,
            items: vec![
                ClassItem::Perl {
                    kind: PerlClass::Digit,
                    negated: true,
                },
                ClassItem::Char('5'),
            ],
        };
        let set = CharSet::of_class(&class);
        assert_eq!(set.ranges, vec![('\0', '/'), ('5', '5'), (':', char::MAX)]);
    }

    #[test]
    fn adjacent_ranges_merge() {
        let set = CharSet::new(vec![('a', 'c'), ('d', 'f'), ('x', 'z'), ('b', 'b')]);
        assert_eq!(set.ranges, vec![('a', 'f'), ('x', 'z')]);
        assert_eq!(
            CharSet::new(vec![('A', 'C'), ('x', '{')])
                .with_ascii_case_pairs()
                .ranges,
            vec![('A', 'C'), ('X', 'Z'), ('a', 'c'), ('x', '{')]
        );
    }
}
