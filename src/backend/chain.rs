//! Long chains of `or` and `and` written as nested groups.
//!
//! Query engines parse `a or b or c ...` one level deeper per operand and refuse a query
//! past a depth limit (SQLite at 1,000, Kusto's parser sooner), which a rule listing a
//! thousand hashes or package names reaches. A chain longer than [`GROUP`] is written as
//! parenthesized groups of at most [`GROUP`] operands, nested as often as needed, which
//! keeps the depth to a few times [`GROUP`] and leaves shorter chains as they read.

/// The most operands written in one flat chain.
pub const GROUP: usize = 64;

/// `items` as `count` groups of at most [`GROUP`], or `None` when they fit in one chain.
pub fn groups<T>(items: &[T]) -> Option<std::slice::Chunks<'_, T>> {
    (items.len() > GROUP).then(|| items.chunks(GROUP))
}

/// Joins `parts` with `joiner`, nesting groups in parentheses when there are many.
pub fn join(parts: &[String], joiner: &str) -> String {
    match groups(parts) {
        None => parts.join(joiner),
        Some(chunks) => {
            let grouped: Vec<String> = chunks
                .map(|chunk| format!("({})", join(chunk, joiner)))
                .collect();
            join(&grouped, joiner)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_chains_stay_flat_and_long_ones_nest() {
        let few: Vec<String> = (0..3).map(|i| i.to_string()).collect();
        assert_eq!(join(&few, " OR "), "0 OR 1 OR 2");

        let many: Vec<String> = (0..10_000).map(|i| i.to_string()).collect();
        let joined = join(&many, " OR ");
        let (mut depth, mut deepest) = (0usize, 0usize);
        for c in joined.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            deepest = deepest.max(depth);
        }
        assert_eq!(
            deepest, 2,
            "10,000 operands need two levels of groups of 64"
        );
        let operands: Vec<String> = joined
            .split(" OR ")
            .map(|part| part.trim_matches(['(', ')']).to_string())
            .collect();
        assert_eq!(operands, many, "every operand, in order");
    }
}
