//! `ruleport eval`: rules run over a stream of JSON-lines events, in constant memory.
//!
//! The input is cut into batches of whole lines. With one thread the calling thread
//! reads, evaluates and writes each batch in turn. With more, a reader thread deals the
//! batches round-robin to the workers, each over its own bounded channel, and the calling
//! thread collects the results round-robin in the same order: the output is in input order
//! without a reordering buffer, and at most a few batches per worker are ever in memory.
//!
//! Each event is parsed once, into the values the rules' paths reach (see [`Shape`]), and
//! every rule's evaluator reads its predicates' values from there.

mod batch;
mod rules;
mod shape;

pub use batch::BadLine;
pub use rules::RuleSet;
pub use shape::{ParseError, Reached, Shape};

use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

use batch::{Batch, Batches, Done, evaluate};

/// How an `eval` run is spread over threads.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Threads that evaluate batches. With 1, everything runs on the calling thread.
    pub workers: usize,
}

/// What an `eval` run read and found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Lines read as events: every line but the blank ones and the bad ones.
    pub events: u64,
    /// Lines that were not JSON objects.
    pub bad_lines: u64,
    /// Alert lines written: one per rule that matched an event.
    pub alerts: u64,
}

/// Why a run stopped early.
#[derive(Debug)]
pub enum Failure {
    Read(io::Error),
    Write(io::Error),
}

/// Where a run's side results go while it runs: how far the input has been read (called
/// from the reader thread), and the lines that were skipped (called in input order).
pub trait Progress: Sync {
    fn read(&self, bytes: u64);
    fn bad_line(&self, bad: &BadLine);
}

/// Runs `rules` over every JSON line of `input`, writing one alert line per match to
/// `output` in input order.
pub fn run(
    rules: &RuleSet,
    input: impl Read + Send,
    output: &mut impl Write,
    options: Options,
    progress: &impl Progress,
) -> Result<Summary, Failure> {
    let mut batches = Batches::new(input);
    let mut summary = Summary::default();
    if options.workers <= 1 {
        while let Some((batch, bytes)) = batches.next_batch().map_err(Failure::Read)? {
            progress.read(bytes);
            summary.add(&evaluate(rules, &batch), output, progress)?;
        }
        return finish(output, summary);
    }

    let workers = options.workers;
    let (inputs, jobs): (Vec<_>, Vec<_>) = (0..workers).map(|_| sync_channel(1)).unzip();
    let (results, outputs): (Vec<_>, Vec<_>) = (0..workers).map(|_| sync_channel(1)).unzip();
    thread::scope(|scope| {
        let reader = scope.spawn(move || deal(&mut batches, inputs, progress));
        for (jobs, results) in jobs.into_iter().zip(results) {
            scope.spawn(move || work(rules, &jobs, &results));
        }
        let written = collect(outputs, &mut summary, output, progress);
        let read = reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written?;
        read.map_err(Failure::Read)
    })?;
    finish(output, summary)
}

impl Summary {
    /// Writes a batch's alerts and reports its bad lines.
    fn add(
        &mut self,
        done: &Done,
        output: &mut impl Write,
        progress: &impl Progress,
    ) -> Result<(), Failure> {
        output.write_all(&done.output).map_err(Failure::Write)?;
        for bad in &done.bad_lines {
            progress.bad_line(bad);
        }
        self.events += done.events;
        self.alerts += done.alerts;
        self.bad_lines += done.bad_lines.len() as u64;
        Ok(())
    }
}

fn finish(output: &mut impl Write, summary: Summary) -> Result<Summary, Failure> {
    output.flush().map_err(Failure::Write)?;
    Ok(summary)
}

/// The reader thread: batch `k` goes to worker `k % n`. Stops at the end of the input, on
/// a read error, or when the workers are gone (the output failed).
fn deal<R: Read>(
    batches: &mut Batches<R>,
    workers: Vec<SyncSender<Batch>>,
    progress: &impl Progress,
) -> io::Result<()> {
    for worker in workers.iter().cycle() {
        let Some((batch, bytes)) = batches.next_batch()? else {
            break;
        };
        progress.read(bytes);
        if worker.send(batch).is_err() {
            break;
        }
    }
    Ok(())
}

/// A worker thread: evaluates its batches in the order dealt.
fn work(rules: &RuleSet, jobs: &Receiver<Batch>, results: &SyncSender<Done>) {
    for batch in jobs {
        if results.send(evaluate(rules, &batch)).is_err() {
            break;
        }
    }
}

/// The calling thread: takes results round-robin, as they were dealt, so batch `k` comes
/// from worker `k % n`. The first worker with nothing more marks the end: batches were
/// dealt in turn, so no later batch exists.
fn collect(
    workers: Vec<Receiver<Done>>,
    summary: &mut Summary,
    output: &mut impl Write,
    progress: &impl Progress,
) -> Result<(), Failure> {
    for worker in workers.iter().cycle() {
        let Ok(done) = worker.recv() else {
            break;
        };
        summary.add(&done, output, progress)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU64, Ordering};

    use serde_json::Value;

    use super::*;
    use crate::rule::rule_from_condition;

    /// A reader that gives at most `chunk` bytes a read, as a slow pipe does.
    struct Trickle<'a> {
        rest: &'a [u8],
        chunk: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            let count = self.chunk.min(buffer.len()).min(self.rest.len());
            buffer[..count].copy_from_slice(&self.rest[..count]);
            self.rest = &self.rest[count..];
            Ok(count)
        }
    }

    #[derive(Default)]
    struct Recorded {
        bytes: AtomicU64,
        bad: Mutex<Vec<u64>>,
    }

    impl Progress for Recorded {
        fn read(&self, bytes: u64) {
            self.bytes.fetch_add(bytes, Ordering::Relaxed);
        }

        fn bad_line(&self, bad: &BadLine) {
            self.bad.lock().expect("not poisoned").push(bad.line);
        }
    }

    /// Lines cut across reads, a byte-order mark, CR LF, blank and bad lines, a line longer
    /// than a batch and a last line without a newline read the same whatever the reads and
    /// the threads.
    #[test]
    fn every_way_of_reading_gives_the_same_run() {
        let rule = rule_from_condition("one", "a eq 1").expect("the rule loads");
        let rules = RuleSet::new([&rule]);
        // Longer than a batch, so that it takes several full reads.
        let long = format!(r#"{{"a": 1, "pad": "{}"}}"#, "x".repeat(600_000));
        let input =
            format!("\u{feff}{{\"a\": 1}}\r\n\n{{\"a\": 2}}\n{{bad\n{long}\n  \n{{\"a\": 1}}");

        for chunk in [1, 7, 4096, usize::MAX] {
            for workers in [1, 2, 3] {
                let recorded = Recorded::default();
                let mut output = Vec::new();
                let reader = Trickle {
                    rest: input.as_bytes(),
                    chunk,
                };
                let summary = run(&rules, reader, &mut output, Options { workers }, &recorded)
                    .unwrap_or_else(|_| panic!("reading memory cannot fail"));

                let context = format!("{chunk}-byte reads, {workers} workers");
                let lines: Vec<Value> = output
                    .split(|byte| *byte == b'\n')
                    .filter(|line| !line.is_empty())
                    .map(|line| serde_json::from_slice(line).expect("an alert line"))
                    .collect();
                let numbers: Vec<u64> = lines.iter().filter_map(|l| l["line"].as_u64()).collect();
                assert_eq!(numbers, [1, 5, 7], "{context}");
                assert_eq!(lines[0]["event"], serde_json::json!({"a": 1}), "{context}");
                let expected = Summary {
                    events: 4,
                    bad_lines: 1,
                    alerts: 3,
                };
                assert_eq!(summary, expected, "{context}");
                assert_eq!(
                    *recorded.bad.lock().expect("not poisoned"),
                    [4],
                    "{context}"
                );
                let bytes = recorded.bytes.load(Ordering::Relaxed);
                assert_eq!(bytes, input.len() as u64, "{context}");
            }
        }
    }
}
