//! Importing many Sigma files at once: found under the paths given, imported in parallel,
//! written under the output directory at the same relative paths, and reported file by file.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::{Imported, Importer, Problem, ProblemKind};
use crate::diagnostic::{Diagnostic, Location, render};
use crate::rule::discover_rule_files;
use crate::source::SourceFile;

/// One Sigma file and what became of it.
pub struct FileOutcome {
    pub source: SourceFile,
    /// Where the rule file goes, relative to the output directory.
    pub out: PathBuf,
    pub result: Result<Imported, Problem>,
}

pub struct ImportReport {
    pub files: Vec<FileOutcome>,
}

impl ImportReport {
    pub fn imported(&self) -> usize {
        self.files.iter().filter(|file| file.result.is_ok()).count()
    }

    fn refused(&self, kind: ProblemKind) -> usize {
        let refused = |file: &&FileOutcome| matches!(&file.result, Err(p) if p.kind == kind);
        self.files.iter().filter(refused).count()
    }

    pub fn is_success(&self) -> bool {
        self.imported() == self.files.len()
    }
}

/// Imports every Sigma file under `paths`. Files that cannot be read are refused like any
/// other; only a path that does not exist is an error of the whole run.
pub fn import_paths(paths: &[PathBuf], importer: &Importer<'_>) -> Result<ImportReport, String> {
    let files = discover_rule_files(paths)?;
    let mut outcomes: Vec<FileOutcome> = files
        .par_iter()
        .map(|path| {
            let out = relative_out(paths, path);
            let stem = crate::compiler::file_stem(path);
            match SourceFile::read(path) {
                Ok(source) => {
                    let shown = path.display().to_string();
                    let result = importer.import(&source, &stem, &shown);
                    FileOutcome {
                        source,
                        out,
                        result,
                    }
                }
                Err(message) => FileOutcome {
                    source: SourceFile::new(path, ""),
                    out,
                    result: Err(Problem::invalid(0..0, message, "")),
                },
            }
        })
        .collect();
    refuse_clashes(&mut outcomes);
    Ok(ImportReport { files: outcomes })
}

/// The file's path below the directory it was found in (its name, for a file named
/// directly), with the extension `.yml`.
fn relative_out(paths: &[PathBuf], file: &Path) -> PathBuf {
    let relative = paths
        .iter()
        .filter(|root| root.is_dir())
        .find_map(|root| file.strip_prefix(root).ok())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| file.file_name().map(PathBuf::from).unwrap_or_default());
    relative.with_extension("yml")
}

/// A RuleID or output path that an earlier file already has: the later file is refused.
fn refuse_clashes(outcomes: &mut [FileOutcome]) {
    let mut ids: HashMap<String, PathBuf> = HashMap::new();
    let mut outs: HashMap<PathBuf, PathBuf> = HashMap::new();
    for outcome in outcomes.iter_mut() {
        let Ok(imported) = &outcome.result else {
            continue;
        };
        let clash = if let Some(first) = ids.get(&imported.rule_id) {
            Some(format!(
                "the RuleID `{}` is already the id of {}",
                imported.rule_id,
                first.display()
            ))
        } else {
            outs.get(&outcome.out).map(|first| {
                format!(
                    "{} would be written by {} too",
                    outcome.out.display(),
                    first.display()
                )
            })
        };
        match clash {
            Some(message) => {
                outcome.result = Err(Problem::invalid(
                    0..0,
                    message,
                    "give each rule its own id and file name",
                ));
            }
            None => {
                ids.insert(imported.rule_id.clone(), outcome.source.path.clone());
                outs.insert(outcome.out.clone(), outcome.source.path.clone());
            }
        }
    }
}

/// Writes every imported rule under `dir`.
pub fn write(report: &ImportReport, dir: &Path) -> Result<usize, String> {
    let mut written = 0;
    for file in &report.files {
        let Ok(imported) = &file.result else {
            continue;
        };
        let path = dir.join(&file.out);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
        }
        std::fs::write(&path, &imported.text)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        written += 1;
    }
    Ok(written)
}

/// Every refusal and note as a caret report into its Sigma file, then the totals.
pub fn render_human(report: &ImportReport, dir: &Path) -> String {
    let mut out = String::new();
    for file in &report.files {
        let diagnostics: Vec<Diagnostic> = match &file.result {
            Ok(imported) => imported.notes.clone(),
            Err(problem) => vec![problem.diagnostic.clone()],
        };
        out.push_str(&render(&file.source, &diagnostics));
    }
    let total = report.files.len();
    let imported = report.imported();
    let share = if total == 0 {
        0.0
    } else {
        100.0 * imported as f64 / total as f64
    };
    let _ = writeln!(
        out,
        "imported {imported} of {total} Sigma rules ({share:.1}%) into {}: {} cannot be \
         expressed, {} are not valid Sigma",
        dir.display(),
        report.refused(ProblemKind::Unsupported),
        report.refused(ProblemKind::Invalid),
    );
    out
}

#[derive(Serialize)]
pub struct JsonReport {
    files: Vec<JsonFile>,
    imported: usize,
    unsupported: usize,
    invalid: usize,
}

#[derive(Serialize)]
struct JsonFile {
    file: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    out: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    log_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    log_type_from_table: Option<bool>,
    messages: Vec<Location>,
}

pub fn json_report(report: &ImportReport, dir: &Path) -> JsonReport {
    let files = report
        .files
        .iter()
        .map(|file| {
            let file_name = file.source.path.display().to_string();
            match &file.result {
                Ok(imported) => JsonFile {
                    file: file_name,
                    status: "imported",
                    out: Some(dir.join(&file.out).display().to_string()),
                    rule_id: Some(imported.rule_id.clone()),
                    log_type: Some(imported.log_type.clone()),
                    log_type_from_table: Some(imported.log_type_from_table),
                    messages: imported
                        .notes
                        .iter()
                        .map(|n| n.location(&file.source))
                        .collect(),
                },
                Err(problem) => JsonFile {
                    file: file_name,
                    status: match problem.kind {
                        ProblemKind::Unsupported => "unsupported",
                        ProblemKind::Invalid => "invalid",
                    },
                    out: None,
                    rule_id: None,
                    log_type: None,
                    log_type_from_table: None,
                    messages: vec![problem.diagnostic.location(&file.source)],
                },
            }
        })
        .collect();
    JsonReport {
        files,
        imported: report.imported(),
        unsupported: report.refused(ProblemKind::Unsupported),
        invalid: report.refused(ProblemKind::Invalid),
    }
}
