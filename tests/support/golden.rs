//! Golden files: expected outputs kept beside their inputs and compared byte for byte.
//!
//! A mismatch shows a unified diff; a missing golden file or a stray one (whose input is
//! gone) fails. `UPDATE_GOLDEN=1` rewrites them all and removes strays, to be reviewed
//! with `git diff`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use similar::TextDiff;

/// Whether this run rewrites golden files instead of comparing them.
pub fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|value| value == "1")
}

/// Compares `actual` (golden path to content) with the files with extension `ext` under
/// `dir`, and panics listing every difference.
pub fn check(dir: &Path, ext: &str, actual: &BTreeMap<PathBuf, String>) {
    compare(files_with_ext(dir, ext), actual);
}

/// Compares `actual` with every file under `dir`.
pub fn check_dir(dir: &Path, actual: &BTreeMap<PathBuf, String>) {
    compare(all_files(dir), actual);
}

fn compare(existing: Vec<PathBuf>, actual: &BTreeMap<PathBuf, String>) {
    if updating() {
        for (path, content) in actual {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).expect("create golden directory");
            }
            fs::write(path, content).expect("write golden file");
        }
        for stray in existing.iter().filter(|path| !actual.contains_key(*path)) {
            fs::remove_file(stray).expect("remove stray golden file");
        }
        return;
    }

    let mut problems = Vec::new();
    for (path, content) in actual {
        match fs::read_to_string(path) {
            Ok(expected) if expected == *content => {}
            Ok(expected) => {
                let diff = TextDiff::from_lines(&expected, content);
                let diff = diff.unified_diff().header("golden", "actual").to_string();
                problems.push(format!("{} differs:\n{diff}", path.display()));
            }
            Err(_) => problems.push(format!("{} is missing", path.display())),
        }
    }
    for stray in existing.iter().filter(|path| !actual.contains_key(*path)) {
        problems.push(format!("{} is stray: nothing produces it", stray.display()));
    }
    assert!(
        problems.is_empty(),
        "{}\n\nrun `UPDATE_GOLDEN=1 cargo test` to rewrite, then review `git diff`",
        problems.join("\n")
    );
}

/// Files ending in `.ext` under `dir`, recursively.
pub fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found = all_files(dir);
    found.retain(|path| path.extension().is_some_and(|found| found == ext));
    found
}

/// Every file under `dir`, recursively, sorted.
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(all_files(&path));
        } else {
            found.push(path);
        }
    }
    found.sort();
    found
}
