//! Cutting the input into batches of whole lines, and running the rules over one batch.
//!
//! A batch is the unit of work handed between threads: large enough that handing it over
//! costs nothing next to evaluating it, small enough that the few batches in flight keep
//! memory constant whatever the input's size. Only a line longer than a batch makes one
//! batch larger, since a line is read whole.

use std::io::{self, Read};

use super::rules::RuleSet;

/// The most a batch reads at once, unless one line is longer.
const BATCH_BYTES: usize = 256 * 1024;

/// A UTF-8 byte-order mark, which some tools write at the start of a file.
const BYTE_ORDER_MARK: &[u8] = "\u{feff}".as_bytes();

/// Whole lines of the input, with the number of the first.
#[derive(Debug)]
pub struct Batch {
    pub first_line: u64,
    pub bytes: Vec<u8>,
}

/// What running the rules over a batch gave.
#[derive(Debug, Default)]
pub struct Done {
    /// The alert lines, in input order.
    pub output: Vec<u8>,
    pub bad_lines: Vec<BadLine>,
    pub events: u64,
    pub alerts: u64,
}

/// A line that is not a JSON object, and why: serde_json's message, or invalid UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number in the input.
    pub line: u64,
    /// 1-based column, in bytes, of the problem.
    pub column: usize,
    pub message: String,
}

/// Reads an input as batches of whole lines; the last line needs no newline.
pub struct Batches<R> {
    input: R,
    /// What one read fills, allocated once.
    buffer: Vec<u8>,
    /// The start of a line that the previous batch cut off.
    carry: Vec<u8>,
    next_line: u64,
    at_start: bool,
    finished: bool,
}

impl<R: Read> Batches<R> {
    pub fn new(input: R) -> Self {
        Self {
            input,
            buffer: vec![0; BATCH_BYTES],
            carry: Vec::new(),
            next_line: 1,
            at_start: true,
            finished: false,
        }
    }

    /// The next batch and how many input bytes it took, or `None` at the end.
    ///
    /// A batch ends at the last newline of what one read gave once a line is complete, so
    /// a slow stream (`tail -f`) is evaluated as it comes rather than a batch at a time.
    pub fn next_batch(&mut self) -> io::Result<Option<(Batch, u64)>> {
        if self.finished {
            return Ok(None);
        }
        let mut bytes = std::mem::take(&mut self.carry);
        let mut read_total = 0;
        let last_newline = loop {
            let read = read_some(&mut self.input, &mut self.buffer)?;
            let Some(read_bytes) = self.buffer.get(..read).filter(|_| read > 0) else {
                self.finished = true;
                break None;
            };
            let filled = bytes.len();
            bytes.extend_from_slice(read_bytes);
            read_total += read as u64;
            if let Some(at) = memchr::memrchr(b'\n', read_bytes) {
                break Some(filled + at);
            }
        };
        if let Some(newline) = last_newline {
            self.carry = bytes.split_off(newline + 1);
        }
        if std::mem::take(&mut self.at_start) && bytes.starts_with(BYTE_ORDER_MARK) {
            bytes.drain(..BYTE_ORDER_MARK.len());
        }
        if bytes.is_empty() && self.finished {
            return Ok(None);
        }
        let first_line = self.next_line;
        self.next_line += memchr::memchr_iter(b'\n', &bytes).count() as u64;
        Ok(Some((Batch { first_line, bytes }, read_total)))
    }
}

/// Some bytes of the input, retrying reads that a signal interrupted; 0 at the end.
fn read_some(input: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    loop {
        match input.read(buffer) {
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Runs every rule over every line of a batch. Blank lines are skipped; a line that is
/// not a JSON object is recorded and skipped.
pub fn evaluate(rules: &RuleSet, batch: &Batch) -> Done {
    let mut done = Done::default();
    let mut reached = rules.shape().reached();
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', &batch.bytes).chain(std::iter::once(batch.bytes.len()));
    for (line, end) in (batch.first_line..).zip(ends) {
        let json = &batch.bytes[start..end];
        if !is_blank(json) {
            match rules.eval_line(json, line, &mut reached, &mut done.output) {
                Ok(matched) => {
                    done.events += 1;
                    done.alerts += matched as u64;
                }
                Err(error) => done.bad_lines.push(BadLine {
                    line,
                    column: error.column,
                    message: error.message,
                }),
            }
        }
        start = end + 1;
    }
    done
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|byte| matches!(byte, b' ' | b'\t' | b'\r'))
}
