//! Finding rule files under the paths a user gives, and loading them all.
//!
//! One broken rule never stops the others: each file carries its own diagnostics.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::load::{Rule, load_rule};
use super::yaml::key_span;
use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// Every rule file found, in a stable order, each loaded or with its problems.
#[derive(Debug)]
pub struct Catalog {
    pub files: Vec<LoadedFile>,
}

#[derive(Debug)]
pub struct LoadedFile {
    pub source: SourceFile,
    /// The rule, when its file loaded; it may still have catalog-level errors.
    pub rule: Option<Rule>,
    pub errors: Vec<Diagnostic>,
}

impl LoadedFile {
    pub fn is_ok(&self) -> bool {
        self.rule.is_some() && self.errors.is_empty()
    }
}

/// The `*.yml` / `*.yaml` files named or found (recursively) under `paths`, sorted.
///
/// A path that does not exist is an error: a typo must not turn into an empty, passing run.
pub fn discover_rule_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
            continue;
        }
        if !path.is_dir() {
            return Err(format!("{}: no such file or directory", path.display()));
        }
        for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
            let entry =
                entry.map_err(|error| format!("cannot read {}: {error}", path.display()))?;
            if entry.file_type().is_file() && is_rule_file(entry.path()) {
                files.push(entry.into_path());
            }
        }
    }
    // A file named twice (directly and through its directory) is one rule, not a duplicate.
    let mut seen = std::collections::HashSet::new();
    files.retain(|path| seen.insert(path.canonicalize().unwrap_or_else(|_| path.clone())));
    if files.is_empty() {
        let names: Vec<String> = paths
            .iter()
            .map(|path| path.display().to_string())
            .collect();
        return Err(format!(
            "no rule files (*.yml, *.yaml) found in {}",
            names.join(", ")
        ));
    }
    Ok(files)
}

fn is_rule_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|ext| ext.to_str()),
        Some("yml" | "yaml")
    )
}

/// Loads every rule file, then checks what only the whole catalog can show: duplicate ids.
pub fn load_catalog(paths: &[PathBuf]) -> Result<Catalog, String> {
    let files = discover_rule_files(paths)?;
    let mut loaded: Vec<LoadedFile> = files.par_iter().map(|path| load_file(path)).collect();
    report_duplicate_ids(&mut loaded);
    report_duplicate_stems(&mut loaded);
    Ok(Catalog { files: loaded })
}

fn load_file(path: &Path) -> LoadedFile {
    log::debug!("loading {}", path.display());
    let source = match SourceFile::read(path) {
        Ok(source) => source,
        Err(message) => {
            let source = SourceFile::new(path, "");
            return LoadedFile {
                source,
                rule: None,
                errors: vec![Diagnostic::new(message)],
            };
        }
    };
    match load_rule(&source) {
        Ok(rule) => LoadedFile {
            source,
            rule: Some(rule),
            errors: Vec::new(),
        },
        Err(errors) => LoadedFile {
            source,
            rule: None,
            errors,
        },
    }
}

/// Marks every file whose `RuleID` another file also uses, naming the other file.
fn report_duplicate_ids(files: &mut [LoadedFile]) {
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, file) in files.iter().enumerate() {
        if let Some(rule) = &file.rule {
            by_id
                .entry(rule.meta.rule_id.clone())
                .or_default()
                .push(index);
        }
    }
    let mut duplicates: Vec<(String, Vec<usize>)> = by_id
        .into_iter()
        .filter(|(_, indices)| indices.len() > 1)
        .collect();
    duplicates.sort();
    for (id, indices) in duplicates {
        for &index in &indices {
            let others: Vec<String> = indices
                .iter()
                .filter(|&&other| other != index)
                .filter_map(|&other| {
                    files
                        .get(other)
                        .map(|file| file.source.path.display().to_string())
                })
                .collect();
            let Some(file) = files.get_mut(index) else {
                continue;
            };
            let message = format!(
                "duplicate RuleID `{id}`: also used by {}",
                others.join(", ")
            );
            let diagnostic = Diagnostic::new(message).with_hint("every rule needs its own RuleID");
            let diagnostic = match key_span(&file.source.text, "RuleID") {
                Some(span) => diagnostic.at(span),
                None => diagnostic,
            };
            file.errors.push(diagnostic);
        }
    }
}

/// Marks every file whose name (without extension) another file also has: their artifacts,
/// named after the file, would overwrite each other.
fn report_duplicate_stems(files: &mut [LoadedFile]) {
    let mut by_stem: HashMap<std::ffi::OsString, Vec<usize>> = HashMap::new();
    for (index, file) in files.iter().enumerate() {
        if let Some(stem) = file.source.path.file_stem() {
            by_stem.entry(stem.to_os_string()).or_default().push(index);
        }
    }
    let paths: Vec<String> = files
        .iter()
        .map(|file| file.source.path.display().to_string())
        .collect();
    for indices in by_stem.values().filter(|indices| indices.len() > 1) {
        for &index in indices {
            let others: Vec<&str> = indices
                .iter()
                .filter(|&&other| other != index)
                .map(|&other| paths[other].as_str())
                .collect();
            let message = format!(
                "another rule file has the same name: {}; their artifacts would overwrite each \
                 other",
                others.join(", ")
            );
            let hint = "give every rule file its own name, after its rule";
            files[index]
                .errors
                .push(Diagnostic::new(message).with_hint(hint));
        }
    }
}
