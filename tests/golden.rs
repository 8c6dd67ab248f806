//! Golden files: the whole catalog compiled for every target, compared byte for byte with
//! `golden/<target>/<file>` (`golden/sigma/` holds the Sigma importer's, see tests/sigma.rs). A rule a target cannot express has its reviewed error in
//! `golden/<target>/<stem>.unsupported` instead. `UPDATE_GOLDEN=1 cargo test` rewrites them.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use ruleport::backend::CompileError;
use ruleport::backend::compile;
use ruleport::compiler::file_stem;
use ruleport::diagnostic::render;
use ruleport::target::Target;
use support::catalog::{Env, catalog, repo};
use support::golden;

#[test]
fn every_rule_compiles_to_its_golden_files() {
    let env = Env::builtin();
    let cx = env.context();
    let golden_dir = repo().join("golden");
    let mut actual = BTreeMap::new();
    for file in catalog().files {
        let rule = file.rule.as_ref().expect("loaded");
        let stem = file_stem(&file.source.path);
        for target in Target::all() {
            let dir = golden_dir.join(target.name());
            match compile(rule, &stem, target, &cx) {
                Ok(artifacts) => {
                    for artifact in artifacts {
                        actual.insert(dir.join(&artifact.path), artifact.content);
                    }
                }
                Err(error @ CompileError::Unsupported { .. }) => {
                    let report =
                        render(&file.source, &[error.to_diagnostic(rule, target).as_note()]);
                    actual.insert(dir.join(format!("{stem}.unsupported")), report);
                }
                Err(error) => panic!("{stem} for {target}: {error:?}"),
            }
        }
    }
    for target in Target::all() {
        let dir = golden_dir.join(target.name());
        let subset: BTreeMap<PathBuf, String> = actual
            .iter()
            .filter(|(path, _)| path.starts_with(&dir))
            .map(|(path, content)| (path.clone(), content.clone()))
            .collect();
        golden::check_dir(&dir, &subset);
    }
}

#[test]
fn compiling_twice_gives_identical_bytes() {
    let env = Env::builtin();
    let cx = env.context();
    for file in catalog().files {
        let rule = file.rule.as_ref().expect("loaded");
        for target in Target::all() {
            let first = compile(rule, "x", target, &cx);
            assert_eq!(first, compile(rule, "x", target, &cx), "{target}");
        }
    }
}

/// Compiling every target at once, which emits each family's query once, gives what
/// compiling them one by one gives.
#[test]
fn compiling_all_targets_together_matches_one_by_one() {
    let env = Env::builtin();
    let cx = env.context();
    let targets = Target::all();
    for file in catalog().files {
        let rule = file.rule.as_ref().expect("loaded");
        let together = ruleport::backend::compile_targets(rule, "x", &targets, &cx);
        let alone: Vec<_> = targets
            .iter()
            .map(|&target| (target, compile(rule, "x", target, &cx)))
            .collect();
        assert_eq!(together, alone, "{}", rule.meta.rule_id);
    }
}
