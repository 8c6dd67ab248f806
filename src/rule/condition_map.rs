//! Where the condition's text sits in the rule file, so that a condition error on line 3 of
//! a block scalar starting on line 20 is reported at the file's line 22.
//!
//! serde_yaml gives values without positions, so the map is found by reading the file: the
//! top-level `Condition:` key, then either a literal block (`|`) whose lines are checked one
//! by one against the parsed text, or a one-line scalar found verbatim after the key. When
//! neither holds (a folded `>` block, escapes), spans fall back to the key itself.

use super::yaml::key_span;
use crate::source::Span;

#[derive(Debug, Clone)]
pub struct ConditionMap {
    /// For each condition line: its offset in the condition and in the file.
    lines: Vec<(usize, usize)>,
    /// The span of the `Condition` key, used when the text could not be placed.
    key: Span,
}

impl ConditionMap {
    /// Locates `condition` (the value serde read) in `file` (the rule file's text).
    pub fn locate(file: &str, condition: &str) -> Self {
        let Some(key) = key_span(file, "Condition") else {
            return Self {
                lines: Vec::new(),
                key: 0..0,
            };
        };
        let after_colon = file[key.end..]
            .find(':')
            .map_or(key.end, |colon| key.end + colon + 1);
        let line_end = file[after_colon..]
            .find('\n')
            .map_or(file.len(), |end| after_colon + end);
        let header = file[after_colon..line_end].trim();

        let lines = if header.starts_with('|') {
            block_lines(file, line_end, header, condition)
        } else {
            inline_line(file, after_colon..line_end, condition)
        };
        Self {
            lines: lines.unwrap_or_default(),
            key,
        }
    }

    /// Whether condition spans can be placed exactly.
    pub fn is_exact(&self) -> bool {
        !self.lines.is_empty()
    }

    /// The span of the `Condition` key.
    pub fn key(&self) -> Span {
        self.key.clone()
    }

    /// Maps a span in the condition to a span in the file.
    pub fn to_file(&self, span: &Span) -> Span {
        if self.lines.is_empty() {
            return self.key.clone();
        }
        let map = |offset: usize| {
            let line = self
                .lines
                .partition_point(|(start, _)| *start <= offset)
                .saturating_sub(1);
            let (condition_start, file_start) = self.lines.get(line).copied().unwrap_or((0, 0));
            file_start + offset.saturating_sub(condition_start)
        };
        let start = map(span.start);
        start..map(span.end.max(span.start)).max(start)
    }
}

/// Maps each line of a literal block scalar, checking it reads exactly as `condition`.
fn block_lines(
    file: &str,
    header_end: usize,
    header: &str,
    condition: &str,
) -> Option<Vec<(usize, usize)>> {
    let body_start = (header_end + 1).min(file.len());
    let body: Vec<&str> = file[body_start..].split_inclusive('\n').collect();
    let explicit = header
        .chars()
        .find_map(|c| c.to_digit(10))
        .map(|digit| digit as usize);
    let indent = explicit.or_else(|| {
        let first = body.iter().find(|line| !line.trim().is_empty())?;
        Some(first.len() - first.trim_start_matches(' ').len())
    })?;

    let mut lines = Vec::new();
    let mut condition_offset = 0;
    let mut file_offset = body_start;
    let mut body_lines = body.iter();
    for text in condition.split_inclusive('\n') {
        let file_line = body_lines.next()?;
        let content = file_line.get(indent..).unwrap_or("");
        let blank = file_line.trim().is_empty() && text.trim().is_empty();
        if !blank && content.trim_end_matches(['\r', '\n']) != text.trim_end_matches('\n') {
            return None;
        }
        lines.push((condition_offset, file_offset + indent.min(file_line.len())));
        condition_offset += text.len();
        file_offset += file_line.len();
    }
    Some(lines)
}

/// Maps a one-line condition that appears verbatim after the key.
fn inline_line(file: &str, value: Span, condition: &str) -> Option<Vec<(usize, usize)>> {
    if condition.contains('\n') || condition.is_empty() {
        return None;
    }
    let at = file[value.clone()].find(condition)?;
    Some(vec![(0, value.start + at)])
}
