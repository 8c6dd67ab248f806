//! `ruleport compile`: every loaded rule through every chosen target.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::backend::{self, Artifact, CompileError, Context};
use crate::diagnostic::Diagnostic;
use crate::rule::{Catalog, LoadedFile};
use crate::target::Target;

/// The outcome of compiling one rule file.
pub struct Compiled<'c> {
    pub file: &'c LoadedFile,
    /// Artifacts with their path relative to the output directory (`<target>/<file>`).
    pub artifacts: Vec<(Target, Artifact)>,
    /// Load errors, or one error per target that failed.
    pub errors: Vec<Diagnostic>,
    /// Targets that cannot express the rule: known limits, reported but not failures.
    pub limits: Vec<Diagnostic>,
}

/// Compiles every rule of the catalog for every target; a failure in one rule or target
/// never stops the others.
pub fn compile_catalog<'c>(
    catalog: &'c Catalog,
    targets: &[Target],
    cx: &Context<'_>,
) -> Vec<Compiled<'c>> {
    catalog
        .files
        .par_iter()
        .map(|file| compile_file(file, targets, cx))
        .collect()
}

/// Compiles like [`compile_catalog`], writing each rule's artifacts under `dir` as soon as
/// they are made rather than holding every artifact of the catalog in memory; the results
/// come back without artifacts, with the number of files written. A file that cannot be
/// written is an error of the whole run.
pub fn compile_catalog_to<'c>(
    catalog: &'c Catalog,
    targets: &[Target],
    cx: &Context<'_>,
    dir: &Path,
) -> Result<(Vec<Compiled<'c>>, usize), String> {
    let compiled: Vec<Result<(Compiled<'c>, usize), String>> = catalog
        .files
        .par_iter()
        .map(|file| {
            let mut compiled = compile_file(file, targets, cx);
            let artifacts = std::mem::take(&mut compiled.artifacts);
            for (_, artifact) in &artifacts {
                write_artifact(dir, artifact)?;
            }
            Ok((compiled, artifacts.len()))
        })
        .collect();
    let mut results = Vec::with_capacity(compiled.len());
    let mut written = 0;
    for result in compiled {
        let (compiled, count) = result?;
        results.push(compiled);
        written += count;
    }
    Ok((results, written))
}

fn write_artifact(dir: &Path, artifact: &Artifact) -> Result<(), String> {
    let path = dir.join(&artifact.path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
    }
    std::fs::write(&path, &artifact.content)
        .map_err(|error| format!("cannot write {}: {error}", path.display()))
}

fn compile_file<'c>(file: &'c LoadedFile, targets: &[Target], cx: &Context<'_>) -> Compiled<'c> {
    let mut compiled = Compiled {
        file,
        artifacts: Vec::new(),
        errors: file.errors.clone(),
        limits: Vec::new(),
    };
    let Some(rule) = &file.rule else {
        return compiled;
    };
    let stem = file_stem(&file.source.path);
    for (target, result) in backend::compile_targets(rule, &stem, targets, cx) {
        match result {
            Ok(artifacts) => {
                for artifact in artifacts {
                    let path = PathBuf::from(target.name()).join(&artifact.path);
                    compiled.artifacts.push((
                        target,
                        Artifact {
                            path,
                            content: artifact.content,
                        },
                    ));
                }
            }
            Err(error @ CompileError::Unsupported { .. }) => {
                compiled
                    .limits
                    .push(error.to_diagnostic(rule, target).as_note());
            }
            Err(error) => compiled.errors.push(error.to_diagnostic(rule, target)),
        }
    }
    compiled
}

/// A rule file's name without its extension: the name of its artifacts.
pub fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default()
}
