//! The `ruleport` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use ruleport::rule::load_catalog;
use ruleport::testing;

#[derive(Parser)]
#[command(
    name = "ruleport",
    version,
    about = "Compile detection rules to SIEM queries and prove them"
)]
struct Cli {
    /// Print debug logging (which files are read, and so on) to stderr.
    #[arg(short, long, global = true)]
    verbose: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every rule's test events through the reference evaluator.
    ///
    /// Exit status: 0 when every test passes, 1 when a test fails or a rule cannot be
    /// loaded, 2 when a path cannot be read.
    Test {
        /// Rule files, or directories searched recursively for *.yml and *.yaml.
        #[arg(required = true)]
        paths: Vec<PathBuf>,

        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A readable report with caret diagnostics.
    Human,
    /// One JSON document.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = if cli.verbose {
        log::LevelFilter::Debug
    } else {
        log::LevelFilter::Warn
    };
    env_logger::Builder::new().filter_level(level).init();

    match cli.command {
        Command::Test { paths, format } => test(&paths, format),
    }
}

fn test(paths: &[PathBuf], format: Format) -> ExitCode {
    let catalog = match load_catalog(paths) {
        Ok(catalog) => catalog,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let report = testing::run(&catalog);
    match format {
        Format::Human => print!("{}", testing::render_human(&report)),
        Format::Json => match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(error) => {
                eprintln!("error: cannot write the report as JSON: {error}");
                return ExitCode::from(2);
            }
        },
    }
    if report.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
