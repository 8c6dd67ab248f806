//! Evaluator throughput: the catalog's rules over realistic JSON-lines events, against only
//! parsing the same lines with serde_json.
//!
//! `cargo bench --bench eval`. Each bench reads the same generated events (see
//! `support/events.rs`) from memory and counts them, so divan reports events per second.

use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::{BytesCount, ItemsCount};
use ruleport::stream::{self, BadLine, Options, Progress, RuleSet};
use support::events;

mod support;

/// Enough events that a run takes tens of milliseconds, and batches reach every worker.
const EVENTS: usize = 20_000;

fn main() {
    divan::main();
}

/// The generated events, as one JSON-lines text.
static LINES: LazyLock<Vec<u8>> = LazyLock::new(|| {
    events::generate(EVENTS, 42)
        .collect::<String>()
        .into_bytes()
});

/// Every rule of the catalog.
static RULES: LazyLock<RuleSet> = LazyLock::new(|| {
    let catalog = ruleport::rule::load_catalog(&[events::catalog_dir()]).expect("catalog loads");
    RuleSet::new(catalog.files.iter().filter_map(|file| file.rule.as_ref()))
});

fn counters<'a, 'b>(bencher: Bencher<'a, 'b>) -> Bencher<'a, 'b> {
    bencher
        .counter(ItemsCount::new(EVENTS))
        .counter(BytesCount::new(LINES.len()))
}

/// The lines of a text whose every line ends in a newline, found as `eval` finds them.
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text).map(move |end| {
        let line = &text[start..end];
        start = end + 1;
        line
    })
}

/// The baseline: each line parsed into a `serde_json::Value`, and nothing else.
#[divan::bench]
fn parse_only(bencher: Bencher) {
    counters(bencher).bench(|| {
        for line in lines(&LINES) {
            let event: serde_json::Value = serde_json::from_slice(line).expect("valid JSON");
            divan::black_box(event);
        }
    });
}

/// Each line parsed into only the values the catalog's rules read, as `eval` parses it.
#[divan::bench]
fn parse_shape(bencher: Bencher) {
    let shape = RULES.shape();
    let mut reached = shape.reached();
    counters(bencher).bench_local(|| {
        for line in lines(&LINES) {
            shape.parse(line, &mut reached).expect("valid JSON");
            divan::black_box(&reached);
        }
    });
}

/// `ruleport eval` without its command line: every rule on every event, alerts written to
/// a sink, on one thread or on a reader thread and `threads` workers.
#[divan::bench(args = [1, 2])]
fn eval(bencher: Bencher, threads: usize) {
    let rules = &*RULES;
    counters(bencher).bench(|| {
        let options = Options { workers: threads };
        let summary = stream::run(rules, &LINES[..], &mut std::io::sink(), options, &Quiet)
            .unwrap_or_else(|_| panic!("reading memory cannot fail"));
        assert_eq!(summary.events, EVENTS as u64);
    });
}

/// No progress bar, and no bad lines to report.
struct Quiet;

impl Progress for Quiet {
    fn read(&self, _: u64) {}

    fn bad_line(&self, bad: &BadLine) {
        panic!("generated line {} is bad: {}", bad.line, bad.message);
    }
}
