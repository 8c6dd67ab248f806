//! The `ruleport` command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use ruleport::backend::Context;
use ruleport::compiler::{compile_catalog, compile_catalog_to};
use ruleport::diagnostic::render;
use ruleport::explain::Corpus;
use ruleport::mapping::Mappings;
use ruleport::rule::{Catalog, load_catalog};
use ruleport::source::SourceFile;
use ruleport::stream::{self, RuleSet};
use ruleport::target::{Target, parse_targets};
use ruleport::templates::Templates;
use ruleport::testing;
use ruleport::verify::{self, Engine, parse_engines};

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

    /// Compile rules into queries and rule artifacts for the chosen targets.
    ///
    /// With one rule, one query target (kql, eql, sql...) and no --out, prints the query.
    /// With --out, writes DIR/<target>/<rule file stem>.<ext> for every artifact. Otherwise
    /// prints every artifact under a `==> path <==` header.
    ///
    /// A target that cannot express a rule exactly refuses it with a report naming the
    /// rule, the construct and the target: a known limit of the target, printed but not a
    /// failure.
    ///
    /// Exit status: 0 when every rule loaded and compiled (known limits aside), 1 when a
    /// rule could not be loaded or a target failed on it, 2 on a usage or I/O error.
    Compile {
        /// Rule files, or directories searched recursively for *.yml and *.yaml.
        #[arg(required = true)]
        paths: Vec<PathBuf>,

        /// Targets, comma-separated, or `all`: kql, sentinel, sentinel-arm, panther, eql,
        /// elastic, elastic-ndjson, sql (SQLite), sql:duckdb, sql:postgres, sql:snowflake,
        /// page.
        #[arg(long, short, value_parser = parse_targets)]
        target: std::vec::Vec<Target>,

        /// Directory to write the artifacts to.
        #[arg(long, short)]
        out: Option<PathBuf>,

        /// Directory of templates replacing the built-in ones (same layout as `templates/`).
        #[arg(long)]
        templates: Option<PathBuf>,

        /// Directory of log-source mappings replacing the built-in ones (same layout as
        /// `mappings/`).
        #[arg(long)]
        mappings: Option<PathBuf>,
    },

    /// Run the compiled output on real engines and compare every verdict with the evaluator.
    ///
    /// SQLite is built in; the other engines are installed by `tests/engines/install.sh`
    /// into `.engines/`. KQL has no local engine: its queries are checked by Microsoft's
    /// parser and binder. A missing engine is an error, never a silent skip.
    ///
    /// A rule file or case that does not load is reported, and the others run. Exit status:
    /// 0 when every engine agrees, 1 on any disagreement or engine error or on a rule or
    /// case that did not load, 2 on a usage or I/O error.
    Verify(VerifyArgs),

    /// The CI gate: load every rule, run its tests, compile every target, execute the
    /// SQLite query on the tests, and compare with golden files.
    ///
    /// Also reports rules without tests, or without a test that must alert and one that
    /// must not. A target that cannot express a rule is reported as a known limit, not a
    /// failure.
    ///
    /// Exit status: 0 clean, 1 when anything is found, 2 on a usage or I/O error.
    Check(CheckArgs),

    /// Explain a rule: its condition with negation pushed down, its exclusions, its
    /// indicators with corpus counts across the catalog, its output fields, and optionally
    /// its query for a target.
    Explain {
        /// A rule file, or the RuleID of a rule in the catalog.
        rule: String,

        /// The catalog to count indicators in and to find RuleIDs in [default: rules, when
        /// that directory exists; else a rule file is explained on its own].
        #[arg(long)]
        catalog: Option<PathBuf>,

        /// Also print the rule's artifacts for this target.
        #[arg(long, short)]
        target: Option<Target>,
    },

    /// Run rules over a stream of JSON-lines events, printing one JSON line per match.
    ///
    /// Every rule runs on every event (or, with --log-type, every rule of that log type).
    /// Each match prints `{"rule_id", "line", "outputs", "event"}`: the rule, the event's
    /// line number, the rule's OutputFields read from the event (null when missing), and the
    /// event exactly as the input has it. A line that is not a JSON object is reported on
    /// stderr with its line and column and skipped; blank lines are skipped.
    ///
    /// Exit status: 0 when every line was read, 1 when some lines were skipped as bad, 2 on
    /// a usage or I/O error or a rule that does not load (then no event is read).
    Eval(EvalArgs),

    /// ATT&CK coverage of rules: a Navigator layer file and/or a Markdown summary.
    ///
    /// A rule file that does not load is reported and left out of the counts. Exit status:
    /// 0 when every rule loaded, 1 when some did not, 2 on a usage or I/O error.
    Coverage {
        /// Rule files, or directories searched recursively for *.yml and *.yaml.
        #[arg(required = true)]
        paths: Vec<PathBuf>,

        /// Write a MITRE ATT&CK Navigator layer (JSON): techniques scored by rule count.
        #[arg(long, value_name = "FILE")]
        navigator: Option<PathBuf>,

        /// Print a tactic × technique summary in this format.
        #[arg(long, value_enum)]
        format: Option<CoverageFormat>,
    },

    /// Convert rules written for other tools into ruleport rule files.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Convert Sigma rules into ruleport rule files.
    ///
    /// Each Sigma file becomes a rule file at the same path under --out, or is refused with
    /// a report at the key that cannot be carried over exactly (keyword searches, `cidr`,
    /// correlations, regexes outside the portable subset, ...); the others go on. See
    /// docs/sigma.md.
    ///
    /// Exit status: 0 when every file was imported, 1 when any was refused, 2 on a usage
    /// or I/O error.
    Sigma(ImportSigmaArgs),
}

#[derive(clap::Args)]
struct ImportSigmaArgs {
    /// Sigma rule files, or directories searched recursively for *.yml and *.yaml.
    #[arg(required = true)]
    paths: Vec<PathBuf>,

    /// Directory to write the rule files to.
    #[arg(long, short)]
    out: PathBuf,

    /// A log source table replacing the built-in one (mappings/sigma/logsources.yml):
    /// which log type each Sigma logsource becomes, and field renames.
    #[arg(long, value_name = "FILE")]
    logsources: Option<PathBuf>,

    /// Directory of templates replacing the built-in ones (`sigma/rule.yml` writes the
    /// rule files).
    #[arg(long)]
    templates: Option<PathBuf>,

    /// Output format of the report.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum CoverageFormat {
    Markdown,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Rule files, or directories searched recursively for *.yml and *.yaml.
    #[arg(required = true)]
    paths: Vec<PathBuf>,

    /// Compare every artifact with DIR/<target>/<rule file stem>.<ext>; a missing, changed
    /// or stray golden file is a finding.
    #[arg(long)]
    golden: Option<PathBuf>,

    /// Output format: human, json, or github (workflow annotations on the pull request).
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    format: CheckFormat,

    /// Also write a JUnit XML report (a test suite per rule) to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,

    /// Directory of templates replacing the built-in ones.
    #[arg(long)]
    templates: Option<PathBuf>,

    /// Directory of log-source mappings replacing the built-in ones.
    #[arg(long)]
    mappings: Option<PathBuf>,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// A rule file, or a directory searched recursively for *.yml and *.yaml. Repeatable.
    #[arg(long, required = true, value_name = "PATH")]
    rule: Vec<PathBuf>,

    /// Run only the rules whose LogTypes include this log type.
    #[arg(long, value_name = "TYPE")]
    log_type: Option<String>,

    /// Threads that evaluate events (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,

    /// The JSON-lines file to read; `-` or nothing reads standard input.
    logs: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Human,
    Json,
    Github,
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// Rule files, or directories searched recursively for *.yml and *.yaml.
    paths: Vec<PathBuf>,

    /// Engines, comma-separated, or `all`: sqlite, duckdb, postgres, panther, eql, kql.
    #[arg(long, short, value_parser = parse_engines, default_value = "sqlite")]
    engine: std::vec::Vec<Engine>,

    /// A file of conformance cases (`cases: [{id, condition, event, expected}]`); each case
    /// with a verdict becomes a one-test rule. Repeatable.
    #[arg(long)]
    cases: Vec<PathBuf>,

    /// Where the engines are installed (`tests/engines/install.sh` puts them in `.engines`).
    #[arg(long, default_value = ".engines")]
    engines_dir: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Directory of templates replacing the built-in ones.
    #[arg(long)]
    templates: Option<PathBuf>,

    /// Directory of log-source mappings replacing the built-in ones.
    #[arg(long)]
    mappings: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A readable report with caret diagnostics.
    Human,
    /// One JSON document.
    Json,
}

/// What the compiling commands load: templates and mappings (built in or overridden), and
/// the catalog's indicators for the corpus counts of catalog pages.
struct Setup {
    templates: Templates,
    mappings: Mappings,
    corpus: Option<Corpus>,
}

impl Setup {
    fn load(
        templates: Option<&Path>,
        mappings: Option<&Path>,
        catalog: Option<&Catalog>,
    ) -> Result<Self, String> {
        Ok(Setup {
            templates: Templates::load(templates)?,
            mappings: Mappings::load(mappings)?,
            corpus: catalog.map(Corpus::of_catalog),
        })
    }

    fn context(&self) -> Context<'_> {
        Context {
            mappings: &self.mappings,
            templates: &self.templates,
            corpus: self.corpus.as_ref(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = if cli.verbose {
        log::LevelFilter::Debug
    } else {
        log::LevelFilter::Warn
    };
    env_logger::Builder::new().filter_level(level).init();

    let result = match cli.command {
        Command::Test { paths, format } => test(&paths, format),
        Command::Verify(args) => verify(&args),
        Command::Check(args) => check(&args),
        Command::Eval(args) => eval(&args),
        Command::Explain {
            rule,
            catalog,
            target,
        } => explain(&rule, catalog.as_deref(), target),
        Command::Coverage {
            paths,
            navigator,
            format,
        } => coverage(&paths, navigator.as_deref(), format),
        Command::Import(ImportCommand::Sigma(args)) => import_sigma(&args),
        Command::Compile {
            paths,
            target,
            out,
            templates,
            mappings,
        } => compile(
            &paths,
            &target,
            out.as_deref(),
            templates.as_deref(),
            mappings.as_deref(),
        ),
    };
    result.unwrap_or_else(|message| {
        // A rendered diagnostic (a caret report) carries its own `error:` heading.
        if message.starts_with("error: ") {
            eprint!("{message}");
        } else {
            eprintln!("error: {message}");
        }
        ExitCode::from(2)
    })
}

fn test(paths: &[PathBuf], format: Format) -> Result<ExitCode, String> {
    let catalog = load_catalog(paths)?;
    let report = testing::run(&catalog);
    match format {
        Format::Human => print!("{}", testing::render_human(&report)),
        Format::Json => print_json(&report)?,
    }
    Ok(exit_status(report.is_success()))
}

fn compile(
    paths: &[PathBuf],
    targets: &[Target],
    out: Option<&Path>,
    templates: Option<&Path>,
    mappings: Option<&Path>,
) -> Result<ExitCode, String> {
    let catalog: Catalog = load_catalog(paths)?;
    // Only catalog pages show corpus counts: for other targets, indexing every rule's
    // indicators would cost time and memory that nothing reads.
    let corpus = targets.contains(&Target::Page).then_some(&catalog);
    let setup = Setup::load(templates, mappings, corpus)?;
    let (compiled, written) = match out {
        Some(dir) => compile_catalog_to(&catalog, targets, &setup.context(), dir)?,
        None => (compile_catalog(&catalog, targets, &setup.context()), 0),
    };

    let mut failed = false;
    let mut limits = 0;
    for result in &compiled {
        if !result.errors.is_empty() {
            failed = true;
            eprint!("{}", render(&result.file.source, &result.errors));
        }
        limits += result.limits.len();
        eprint!("{}", render(&result.file.source, &result.limits));
    }
    if limits > 0 {
        eprintln!("{limits} rule/target pairs not compiled: known limits of those targets (above)");
    }

    let artifacts: Vec<_> = compiled
        .iter()
        .flat_map(|result| &result.artifacts)
        .collect();
    let single_query =
        compiled.len() == 1 && targets.len() == 1 && targets.iter().all(|t| t.is_query());
    match out {
        Some(dir) => eprintln!("wrote {written} files to {}", dir.display()),
        None if single_query => {
            for (_, artifact) in &artifacts {
                print!("{}", artifact.content);
            }
        }
        None => {
            for (_, artifact) in &artifacts {
                println!("==> {} <==\n{}", artifact.path.display(), artifact.content);
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn verify(args: &VerifyArgs) -> Result<ExitCode, String> {
    if args.paths.is_empty() && args.cases.is_empty() {
        return Err("give rule paths, --cases FILE, or both".into());
    }
    let mut subjects = Vec::new();
    let mut not_loaded = 0;
    if !args.paths.is_empty() {
        let catalog = load_catalog(&args.paths)?;
        for file in catalog.files.iter().filter(|file| !file.is_ok()) {
            eprint!("{}", render(&file.source, &file.errors));
            not_loaded += 1;
        }
        subjects.extend(verify::subjects_from_catalog(&catalog));
    }
    for path in &args.cases {
        let (cases, problems) = verify::load_cases(&SourceFile::read(path)?)?;
        for problem in &problems {
            eprintln!("error: {problem}");
        }
        not_loaded += problems.len();
        subjects.extend(cases);
    }

    let setup = Setup::load(args.templates.as_deref(), args.mappings.as_deref(), None)?;
    let bar = progress_bar(args.engine.len(), subjects.len());
    let progress = |engine: Engine, count: usize| {
        if let Some(bar) = &bar {
            bar.set_message(format!("{engine}: {count} rules"));
            bar.inc(1);
        }
    };
    let report = verify::verify(
        &subjects,
        &args.engine,
        &args.engines_dir,
        &setup.context(),
        &progress,
    );
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match args.format {
        Format::Human => print!("{}", verify::render_human(&report, &args.engine)),
        Format::Json => print_json(&report)?,
    }
    if not_loaded > 0 {
        eprintln!("error: {not_loaded} rule file(s) or case(s) did not load and were not run");
    }
    Ok(exit_status(report.is_success() && not_loaded == 0))
}

fn check(args: &CheckArgs) -> Result<ExitCode, String> {
    if let Some(dir) = args.golden.as_deref().filter(|dir| !dir.is_dir()) {
        return Err(format!("{}: no such golden directory", dir.display()));
    }
    let catalog = load_catalog(&args.paths)?;
    let setup = Setup::load(
        args.templates.as_deref(),
        args.mappings.as_deref(),
        Some(&catalog),
    )?;
    let report = ruleport::check::check(&catalog, &setup.context(), args.golden.as_deref());

    match args.format {
        CheckFormat::Human => print!("{}", ruleport::check::render_human(&report)),
        CheckFormat::Github => print!("{}", ruleport::check::render_github(&report)),
        CheckFormat::Json => print_json(&report)?,
    }
    if let Some(path) = &args.junit {
        let xml = ruleport::check::render_junit(&report)?;
        std::fs::write(path, xml)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    }
    Ok(if report.errors() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn explain(rule: &str, catalog: Option<&Path>, target: Option<Target>) -> Result<ExitCode, String> {
    let is_file = Path::new(rule).is_file();
    let catalog = match catalog {
        Some(dir) => dir.to_path_buf(),
        None if Path::new("rules").is_dir() => PathBuf::from("rules"),
        None if is_file => PathBuf::from(rule),
        None => {
            return Err(format!(
                "no catalog to find the RuleID `{rule}` in: there is no `rules` directory here; \
                 give --catalog DIR"
            ));
        }
    };
    let catalog = load_catalog(&[catalog])?;
    let own;
    let file = if is_file {
        own = load_catalog(&[PathBuf::from(rule)])?;
        own.files.first()
    } else {
        catalog.files.iter().find(|file| {
            file.rule
                .as_ref()
                .is_some_and(|loaded| loaded.meta.rule_id == rule)
        })
    };
    let Some(file) = file else {
        return Err(format!(
            "`{rule}` is neither a rule file nor a RuleID in the catalog"
        ));
    };
    let Some(loaded) = file.rule.as_ref().filter(|_| file.errors.is_empty()) else {
        eprint!("{}", render(&file.source, &file.errors));
        return Ok(ExitCode::FAILURE);
    };
    let corpus = Corpus::of_catalog(&catalog);
    print!("{}", ruleport::explain::describe(loaded, &corpus));

    let Some(target) = target else {
        return Ok(ExitCode::SUCCESS);
    };
    let setup = Setup::load(None, None, Some(&catalog))?;
    let stem = ruleport::compiler::file_stem(&file.source.path);
    match ruleport::backend::compile(loaded, &stem, target, &setup.context()) {
        Ok(artifacts) => {
            for artifact in artifacts {
                println!(
                    "\n{target}/{}:\n{}",
                    artifact.path.display(),
                    artifact.content
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprint!(
                "{}",
                render(&file.source, &[error.to_diagnostic(loaded, target)])
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

fn coverage(
    paths: &[PathBuf],
    navigator: Option<&Path>,
    format: Option<CoverageFormat>,
) -> Result<ExitCode, String> {
    if navigator.is_none() && format.is_none() {
        return Err("give --navigator FILE, --format markdown, or both".into());
    }
    let catalog = load_catalog(paths)?;
    let broken: Vec<_> = catalog.files.iter().filter(|file| !file.is_ok()).collect();
    for file in &broken {
        eprint!("{}", render(&file.source, &file.errors));
    }
    for (file, id) in ruleport::coverage::unknown_techniques(&catalog) {
        eprintln!(
            "note: {file}: `{id}` names a technique ATT&CK Enterprise {} does not have; \
             counted as written",
            ruleport::attack::VERSION
        );
    }
    if let Some(path) = navigator {
        let layer = ruleport::coverage::navigator_layer(&catalog);
        let text = serde_json::to_string_pretty(&layer).map_err(|error| error.to_string())?;
        std::fs::write(path, text + "\n")
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    }
    if let Some(CoverageFormat::Markdown) = format {
        print!("{}", ruleport::coverage::markdown(&catalog));
    }
    if !broken.is_empty() {
        eprintln!(
            "error: {} rule file(s) did not load and are not counted (above)",
            broken.len()
        );
    }
    Ok(exit_status(broken.is_empty()))
}

fn import_sigma(args: &ImportSigmaArgs) -> Result<ExitCode, String> {
    use ruleport::sigma::{Importer, LogSourceTable, batch};

    let logsources = LogSourceTable::load(args.logsources.as_deref())?;
    let templates = Templates::load(args.templates.as_deref())?;
    let generator = format!("ruleport {}", env!("CARGO_PKG_VERSION"));
    let importer = Importer {
        logsources: &logsources,
        templates: &templates,
        generator: &generator,
    };
    let report = batch::import_paths(&args.paths, &importer)?;
    batch::write(&report, &args.out)?;
    match args.format {
        Format::Human => eprint!("{}", batch::render_human(&report, &args.out)),
        Format::Json => print_json(&batch::json_report(&report, &args.out))?,
    }
    Ok(exit_status(report.is_success()))
}

fn eval(args: &EvalArgs) -> Result<ExitCode, String> {
    use std::io::IsTerminal;

    let Some(rules) = eval_rules(&args.rule, args.log_type.as_deref())? else {
        return Ok(ExitCode::from(2));
    };
    let logs = Logs::open(args.logs.as_deref())?;
    let bar = logs
        .length
        .filter(|_| std::io::stderr().is_terminal())
        .map(bytes_bar);
    let report = EvalReport {
        bar: bar.as_ref(),
        name: &logs.name,
    };
    let workers = args.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    );
    let options = stream::Options { workers };
    let mut stdout = std::io::stdout().lock();
    let result = stream::run(&rules, logs.input, &mut stdout, options, &report);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }

    let summary = match result {
        Ok(summary) => summary,
        // A reader that stopped early (`ruleport eval ... | head`) is not an error.
        Err(stream::Failure::Write(error)) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            return Ok(ExitCode::SUCCESS);
        }
        Err(stream::Failure::Write(error)) => return Err(format!("cannot write: {error}")),
        Err(stream::Failure::Read(error)) => {
            return Err(format!("cannot read {}: {error}", logs.name));
        }
    };
    let bad = match summary.bad_lines {
        1 => "1 bad line".to_string(),
        count => format!("{count} bad lines"),
    };
    eprintln!(
        "{} events, {} alerts from {} rules, {bad} skipped",
        summary.events,
        summary.alerts,
        rules.len(),
    );
    Ok(exit_status(summary.bad_lines == 0))
}

/// The rules `eval` runs, or `None` when some do not load (each reported as a caret
/// report): no event is read then.
fn eval_rules(paths: &[PathBuf], log_type: Option<&str>) -> Result<Option<RuleSet>, String> {
    let catalog = load_catalog(paths)?;
    let broken: Vec<_> = catalog.files.iter().filter(|file| !file.is_ok()).collect();
    for file in &broken {
        eprint!("{}", render(&file.source, &file.errors));
    }
    if !broken.is_empty() {
        eprintln!("error: no events were read: fix the rules above first");
        return Ok(None);
    }
    let rules = catalog.files.iter().filter_map(|file| file.rule.as_ref());
    let rules = RuleSet::new(rules.filter(|rule| {
        log_type.is_none_or(|log_type| rule.meta.log_types.iter().any(|t| t == log_type))
    }));
    match log_type {
        Some(log_type) if rules.is_empty() => Err(format!("no rule has the log type `{log_type}`")),
        _ => Ok(Some(rules)),
    }
}

/// Where `eval` reads events: a file, or standard input for `-` or no path.
struct Logs {
    input: Box<dyn std::io::Read + Send>,
    /// The name bad lines are reported under.
    name: String,
    /// The file's length, for the progress bar.
    length: Option<u64>,
}

impl Logs {
    fn open(path: Option<&Path>) -> Result<Self, String> {
        let Some(path) = path.filter(|path| *path != Path::new("-")) else {
            return Ok(Logs {
                input: Box::new(std::io::stdin()),
                name: "<stdin>".into(),
                length: None,
            });
        };
        let name = path.display().to_string();
        let file =
            std::fs::File::open(path).map_err(|error| format!("cannot read {name}: {error}"))?;
        let length = file.metadata().map(|meta| meta.len()).ok();
        Ok(Logs {
            input: Box::new(file),
            name,
            length,
        })
    }
}

/// Where `eval` reports progress: a bar over the file's bytes, and the skipped lines.
struct EvalReport<'a> {
    bar: Option<&'a indicatif::ProgressBar>,
    name: &'a str,
}

impl stream::Progress for EvalReport<'_> {
    fn read(&self, bytes: u64) {
        if let Some(bar) = self.bar {
            bar.inc(bytes);
        }
    }

    fn bad_line(&self, bad: &stream::BadLine) {
        let report = || {
            eprintln!(
                "error: {}:{}:{}: {}; line skipped",
                self.name, bad.line, bad.column, bad.message
            );
        };
        match self.bar {
            Some(bar) => bar.suspend(report),
            None => report(),
        }
    }
}

/// A progress bar over the bytes of a file.
fn bytes_bar(length: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(length);
    let template = "{bar:30} {bytes}/{total_bytes}  {bytes_per_sec}  eta {eta}";
    let style = indicatif::ProgressStyle::with_template(template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Prints a report as one pretty JSON document.
fn print_json(report: &impl serde::Serialize) -> Result<(), String> {
    let json = serde_json::to_string_pretty(report)
        .map_err(|error| format!("cannot write the report as JSON: {error}"))?;
    println!("{json}");
    Ok(())
}

fn exit_status(success: bool) -> ExitCode {
    if success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// A progress bar over the engines, on a terminal and when more than a few rules run.
fn progress_bar(engines: usize, rules: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;

    if !std::io::stderr().is_terminal() || rules <= 5 {
        return None;
    }
    let bar = indicatif::ProgressBar::new(engines as u64);
    let style = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} engines  {msg}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}
