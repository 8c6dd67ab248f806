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
    for &target in targets {
        match backend::compile(rule, &stem, target, cx) {
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
