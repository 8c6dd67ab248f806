//! Parser fixtures: good conditions with their IR, bad ones with their rendered error, and
//! bad rule files with their caret reports, all reviewed as files.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ruleport::diagnostic::{Diagnostic, render};
use ruleport::ir::lower_to_ir;
use ruleport::rule::load_rule;
use ruleport::source::SourceFile;
use ruleport::syntax::{SyntaxError, parse_condition};
use support::golden;

fn fixtures(dir: &str, input_ext: &str, output_ext: &str, run: impl Fn(&SourceFile) -> String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir);
    let inputs = golden::files_with_ext(&dir, input_ext);
    assert!(!inputs.is_empty(), "no fixtures in {}", dir.display());
    let actual: BTreeMap<PathBuf, String> = inputs
        .iter()
        .map(|input| {
            let text = fs::read_to_string(input).expect("read fixture");
            let name = input
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(input);
            let name = name.strip_prefix("/").unwrap_or(name);
            let file = SourceFile::new(name, text);
            (input.with_extension(output_ext), run(&file))
        })
        .collect();
    golden::check(&dir, output_ext, &actual);
}

fn as_diagnostic(error: &SyntaxError) -> Diagnostic {
    let diagnostic = Diagnostic::new(&error.message).at(error.span.clone());
    match &error.hint {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    }
}

#[test]
fn good_conditions_lower_to_their_ir() {
    fixtures("parse/ok", "cond", "ir", |file| {
        let ast = parse_condition(&file.text).unwrap_or_else(|error| {
            panic!("{} does not parse: {}", file.path.display(), error.message)
        });
        let ir = lower_to_ir(&ast).unwrap_or_else(|errors| {
            panic!(
                "{} does not lower: {}",
                file.path.display(),
                errors[0].message
            )
        });
        format!(
            "# as written\n{ir}\n# negation pushed down\n{}\n",
            ir.push_negation()
        )
    });
}

#[test]
fn bad_conditions_give_their_error() {
    fixtures("parse/err", "cond", "err", |file| {
        let errors = match parse_condition(&file.text) {
            Err(error) => vec![error],
            Ok(ast) => match lower_to_ir(&ast) {
                Err(errors) => errors,
                Ok(_) => panic!("{} parses, but must fail", file.path.display()),
            },
        };
        let diagnostics: Vec<Diagnostic> = errors.iter().map(as_diagnostic).collect();
        render(file, &diagnostics)
    });
}

#[test]
fn bad_rule_files_give_caret_reports() {
    fixtures("rules/err", "yml", "err", |file| match load_rule(file) {
        Ok(_) => panic!("{} loads, but must fail", file.path.display()),
        Err(diagnostics) => render(file, &diagnostics),
    });
}
