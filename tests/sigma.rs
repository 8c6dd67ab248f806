//! The Sigma importer on Sigma rules written to exercise each feature (`tests/sigma/ok/`):
//! each imports to its reviewed rule file (`golden/sigma/<rule>.yml`) and compiles to every
//! target (`golden/sigma/<target>/`), and on the events beside it (`<rule>.events`) the
//! imported rule gives the verdicts Sigma's specification gives, in the evaluator and on
//! SQLite. Rules that cannot be imported (`tests/sigma/err/`) give their reviewed report.
//!
//! The imported rules with their events as tests are written to `RULEPORT_SIGMA_OUT` (or a
//! directory under the build's temporary directory), where CI verifies them on every engine.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ruleport::backend::{CompileError, compile};
use ruleport::diagnostic::render;
use ruleport::rule::load_catalog;
use ruleport::sigma::{Importer, LogSourceTable};
use ruleport::source::SourceFile;
use ruleport::target::Target;
use ruleport::templates::Templates;
use ruleport::verify::{self, Engine};
use serde::Deserialize;
use support::catalog::{Env, repo};
use support::golden;

#[derive(Deserialize)]
struct Event {
    name: String,
    expected: bool,
    event: serde_json::Value,
}

fn sigma_files(dir: &str) -> Vec<PathBuf> {
    let files = golden::files_with_ext(&repo().join("tests/sigma").join(dir), "yml");
    assert!(!files.is_empty(), "no Sigma rules in tests/sigma/{dir}");
    files
}

/// The file as the importer is given it: by its path relative to the repository.
fn source(path: &Path) -> SourceFile {
    let text = fs::read_to_string(path).expect("read the Sigma rule");
    SourceFile::new(path.strip_prefix(repo()).unwrap_or(path), text)
}

fn stem(path: &Path) -> String {
    ruleport::compiler::file_stem(path)
}

struct Setup {
    logsources: LogSourceTable,
    templates: Templates,
}

impl Setup {
    fn new() -> Self {
        Setup {
            logsources: LogSourceTable::load(None).expect("the built-in table loads"),
            templates: Templates::load(None).expect("the built-in templates load"),
        }
    }

    fn importer(&self) -> Importer<'_> {
        Importer {
            logsources: &self.logsources,
            templates: &self.templates,
            generator: "ruleport",
        }
    }
}

#[test]
fn sigma_rules_import_and_compile_to_their_golden_files() {
    let setup = Setup::new();
    let env = Env::builtin();
    let cx = env.context();
    let dir = repo().join("golden/sigma");
    let mut actual = BTreeMap::new();
    for path in sigma_files("ok") {
        let file = source(&path);
        let shown = file.path.display().to_string();
        let imported = setup
            .importer()
            .import(&file, &stem(&path), &shown)
            .unwrap_or_else(|problem| panic!("{shown}: {}", render(&file, &[problem.diagnostic])));
        actual.insert(
            dir.join(format!("{}.yml", stem(&path))),
            imported.text.clone(),
        );

        let rule_file = SourceFile::new(format!("{}.yml", stem(&path)), imported.text);
        let rule = ruleport::rule::load_rule(&rule_file).expect("the imported rule loads");
        for target in Target::all() {
            let target_dir = dir.join(target.name());
            match compile(&rule, &stem(&path), target, &cx) {
                Ok(artifacts) => {
                    for artifact in artifacts {
                        actual.insert(target_dir.join(&artifact.path), artifact.content);
                    }
                }
                Err(error @ CompileError::Unsupported { .. }) => {
                    let note = error.to_diagnostic(&rule, target).as_note();
                    let report = render(&rule_file, &[note]);
                    actual.insert(
                        target_dir.join(format!("{}.unsupported", stem(&path))),
                        report,
                    );
                }
                Err(error) => panic!("{shown} for {target}: {error:?}"),
            }
        }
    }
    golden::check_dir(&dir, &actual);
}

#[test]
fn imported_rules_give_the_verdicts_of_sigma_on_the_evaluator_and_sqlite() {
    let setup = Setup::new();
    let out = std::env::var_os("RULEPORT_SIGMA_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("sigma-rules"));
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).expect("create the output directory");

    for path in sigma_files("ok") {
        let file = source(&path);
        let imported = setup
            .importer()
            .import(&file, &stem(&path), "sigma")
            .unwrap_or_else(|problem| panic!("{}: {}", path.display(), problem.diagnostic.message));
        let events_path = path.with_extension("events");
        let text = fs::read_to_string(&events_path).expect("every rule has its events");
        let events: Vec<Event> = serde_yaml::from_str(&text).expect("events load");
        assert!(
            events.iter().any(|e| e.expected) && events.iter().any(|e| !e.expected),
            "{}: give events that must match and events that must not",
            events_path.display()
        );
        fs::write(
            out.join(format!("{}.yml", stem(&path))),
            with_tests(&imported.text, &events),
        )
        .expect("write the rule with its tests");
    }

    let catalog = load_catalog(std::slice::from_ref(&out)).expect("the imported rules load");
    for file in &catalog.files {
        assert!(
            file.is_ok(),
            "{}: {:?}",
            file.source.path.display(),
            file.errors
        );
    }
    let tested = ruleport::testing::run(&catalog);
    assert!(
        tested.is_success(),
        "{}",
        ruleport::testing::render_human(&tested)
    );

    let env = Env::builtin();
    let subjects = verify::subjects_from_catalog(&catalog);
    let report = verify::verify(
        &subjects,
        &[Engine::Sqlite],
        Path::new(".engines"),
        &env.context(),
        &|_, _| {},
    );
    assert!(
        report.is_success() && report.passed() > 0,
        "{}",
        verify::render_human(&report, &[Engine::Sqlite])
    );
}

/// The rule file with the events as its `Tests`, each event written as JSON (which YAML
/// reads as a flow mapping).
fn with_tests(rule: &str, events: &[Event]) -> String {
    let mut text = format!("{rule}Tests:\n");
    for event in events {
        let name = serde_json::to_string(&event.name).expect("a string");
        let log = serde_json::to_string(&event.event).expect("JSON");
        text.push_str(&format!(
            "  - Name: {name}\n    ExpectedResult: {}\n    Log: {log}\n",
            event.expected
        ));
    }
    text
}

#[test]
fn sigma_rules_that_cannot_be_imported_give_their_report() {
    let setup = Setup::new();
    let mut actual = BTreeMap::new();
    for path in sigma_files("err") {
        let file = source(&path);
        let problem = match setup.importer().import(&file, &stem(&path), "sigma") {
            Ok(_) => panic!("{} imports, but must be refused", path.display()),
            Err(problem) => problem,
        };
        let kind = serde_json::to_string(&problem.kind).expect("a kind");
        let report = format!("{kind}\n{}", render(&file, &[problem.diagnostic]));
        actual.insert(path.with_extension("err"), report);
    }
    golden::check(&repo().join("tests/sigma/err"), "err", &actual);
}

/// Sigma's plain-value matching, written here from the specification, independently of the
/// importer: `\*`, `\?` and `\\` escape, `*` is any run of characters and `?` one character
/// (line breaks included), and the value must match the whole text.
fn sigma_matches(pattern: &str, text: &str, cased: bool) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum Token {
        Char(char),
        Run,
        One,
    }
    let mut tokens = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '\\' if matches!(chars.peek(), Some('*' | '?' | '\\')) => {
                Token::Char(chars.next().unwrap_or('\\'))
            }
            '*' => Token::Run,
            '?' => Token::One,
            c => Token::Char(c),
        });
    }
    let fold = |c: char| -> String {
        if cased {
            c.to_string()
        } else {
            c.to_lowercase().collect()
        }
    };
    let text: Vec<char> = text.chars().collect();
    // matched[i][j]: the first i tokens match the first j characters.
    let mut matched = vec![vec![false; text.len() + 1]; tokens.len() + 1];
    matched[0][0] = true;
    for (i, token) in tokens.iter().enumerate() {
        for j in 0..=text.len() {
            matched[i + 1][j] = match token {
                Token::Run => matched[i][j] || (j > 0 && matched[i + 1][j - 1]),
                Token::One => j > 0 && matched[i][j - 1],
                Token::Char(c) => j > 0 && matched[i][j - 1] && fold(*c) == fold(text[j - 1]),
            };
        }
    }
    matched[tokens.len()][text.len()]
}

fn sigma_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    proptest::collection::vec(
        prop_oneof![
            Just("a"),
            Just("B"),
            Just("*"),
            Just("?"),
            Just("\\"),
            Just("."),
            Just("\n"),
            Just("é"),
            Just("["),
            Just("$"),
            Just("ab"),
        ],
        0..7,
    )
    .prop_map(|parts| parts.concat())
}

/// A text the value is likely to match: each wildcard replaced by characters (a line break
/// among them), each letter's case flipped or kept, as `choices` say.
fn instance(value: &str, choices: &[u8]) -> String {
    let mut choices = choices.iter().cycle();
    let mut next = || usize::from(*choices.next().unwrap_or(&0));
    let fillers = ["", "x", "\n", "é", "*", "A\nb"];
    let mut text = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some('*' | '?' | '\\')) => {
                text.extend(chars.next());
            }
            '*' => text.push_str(fillers[next() % fillers.len()]),
            '?' => text.push_str(["x", "\n", "É", "?"][next() % 4]),
            c if next() % 2 == 0 => text.extend(c.to_uppercase()),
            c => text.push(c),
        }
    }
    text
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

    /// A plain value, with or without `cased`, imports to a condition the evaluator runs
    /// with Sigma's verdict on every text.
    #[test]
    fn wildcard_values_mean_what_sigma_says(
        value in sigma_text(),
        others in proptest::collection::vec(sigma_text(), 1..4),
        choices in proptest::collection::vec(proptest::prelude::any::<u8>(), 1..12),
        cased: bool,
    ) {
        let mut texts = others;
        texts.push(instance(&value, &choices));
        let setup = Setup::new();
        let key = if cased { "Field|cased" } else { "Field" };
        let quoted = serde_json::to_string(&value).expect("a JSON string is a YAML one");
        let rule = format!(
            "title: t\nid: x\nlogsource: {{category: test}}\ndetection:\n  selection:\n    \
             {key}: {quoted}\n  condition: selection\n"
        );
        let file = SourceFile::new("generated.yml", rule);
        let imported = setup.importer().import(&file, "generated", "generated");
        let imported = imported.map_err(|problem| {
            proptest::test_runner::TestCaseError::fail(problem.diagnostic.message)
        })?;
        let loaded = ruleport::rule::load_rule(&SourceFile::new("r.yml", imported.text))
            .map_err(|errors| proptest::test_runner::TestCaseError::fail(format!("{errors:?}")))?;
        for text in texts {
            let event = serde_json::json!({ "Field": text });
            proptest::prop_assert_eq!(
                loaded.evaluator().matches(&event),
                sigma_matches(&value, &text, cased),
                "value {:?}, text {:?}, condition {}",
                value,
                text,
                loaded.meta.condition
            );
        }
    }
}
