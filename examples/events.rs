//! Events for timing `ruleport eval` end to end (see `bench/eval.sh`).
//!
//! `events generate N` prints N generated JSON-lines events (`benches/support/events.rs`);
//! `events parse FILE` reads FILE line by line and only parses each line into a
//! `serde_json::Value`, the baseline `eval` is measured against, and prints the events it
//! read and how long that took.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

#[path = "../benches/support/events.rs"]
mod events;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["generate", count] => count
            .parse()
            .map_err(|error| format!("`{count}` is not a count: {error}"))
            .and_then(generate),
        ["parse", path] => parse(path),
        _ => Err("usage: events generate N | events parse FILE".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn generate(count: usize) -> Result<(), String> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in events::generate(count, 42) {
        out.write_all(line.as_bytes())
            .map_err(|error| error.to_string())?;
    }
    out.flush().map_err(|error| error.to_string())
}

fn parse(path: &str) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|error| format!("{path}: {error}"))?;
    let mut input = BufReader::with_capacity(256 * 1024, file);
    let started = Instant::now();
    let (mut line, mut events) = (Vec::new(), 0u64);
    loop {
        line.clear();
        let read = input
            .read_until(b'\n', &mut line)
            .map_err(|error| error.to_string())?;
        if read == 0 {
            break;
        }
        serde_json::from_slice::<serde_json::Value>(&line)
            .map_err(|error| format!("{path}: line {}: {error}", events + 1))?;
        events += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!("{events} events parsed in {seconds:.3} s");
    Ok(())
}
