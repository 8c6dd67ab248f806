//! Source files and byte spans: every diagnostic points into the text of the file the user wrote.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A byte range into a [`SourceFile`]'s text.
pub type Span = Range<usize>;

/// A file read from disk (or built in memory), kept whole so errors can quote it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Shared with the rule loaded from it, which keeps the text for artifacts that show
    /// the rule as written.
    pub text: Arc<str>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: Arc::from(text.into()),
        }
    }

    /// Reads a file, dropping a UTF-8 byte-order mark; the error names the path so the
    /// caller can report it as is.
    pub fn read(path: &Path) -> Result<Self, String> {
        std::fs::read_to_string(path)
            .map(|text| match text.strip_prefix('\u{feff}') {
                Some(without_bom) => Self::new(path, without_bom),
                None => Self::new(path, text),
            })
            .map_err(|err| format!("cannot read {}: {err}", path.display()))
    }

    /// The 1-based line and column (in characters) of a byte offset.
    ///
    /// Offsets past the end or inside a character are clamped, so a slightly-off span still
    /// renders instead of panicking.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// The byte offset where a 1-based line starts, if the file has that line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        if line == 1 {
            return Some(0);
        }
        self.text
            .match_indices('\n')
            .nth(line.checked_sub(2)?)
            .map(|(i, _)| i + 1)
    }
}
