//! `--golden DIR`: every artifact compared with its reviewed copy in `DIR/<target>/`.

use std::collections::BTreeMap;
use std::path::Path;

use similar::TextDiff;

use super::{Case, Finding, Level, Report};
use crate::compiler::file_stem;
use crate::rule::Catalog;
use crate::target::Target;

/// Adds a finding for every artifact that differs from its golden file or has none, and
/// for every golden file that no rule produces any more.
pub fn compare(dir: &Path, catalog: &Catalog, produced: &[(String, String)], report: &mut Report) {
    let by_stem: BTreeMap<String, (String, Option<String>)> = catalog
        .files
        .iter()
        .map(|file| {
            let id = file.rule.as_ref().map(|rule| rule.meta.rule_id.clone());
            (
                file_stem(&file.source.path),
                (file.source.path.display().to_string(), id),
            )
        })
        .collect();

    for (relative, content) in produced {
        let golden = dir.join(relative);
        let stem = Path::new(relative)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned());
        let (file, rule_id) = stem
            .and_then(|stem| by_stem.get(&stem).cloned())
            .unwrap_or_default();
        let failure = match std::fs::read_to_string(&golden) {
            Ok(expected) if expected == *content => None,
            Ok(expected) => {
                let diff = TextDiff::from_lines(&expected, content);
                let diff = diff
                    .unified_diff()
                    .context_radius(2)
                    .header("golden", "compiled")
                    .to_string();
                Some(format!(
                    "{} differs from the compiled output:\n{diff}",
                    golden.display()
                ))
            }
            Err(_) => Some(format!("{} is missing", golden.display())),
        };
        if let Some(message) = &failure {
            report
                .findings
                .push(finding(&file, rule_id.clone(), message));
        }
        let suite = rule_id.unwrap_or_else(|| file.clone());
        report.cases.push(Case {
            suite,
            name: format!("golden: {relative}"),
            failure,
        });
    }

    for stray in stray_files(dir, produced) {
        let message =
            format!("{stray} is stray: no rule produces it (remove it, or restore its rule)");
        report.findings.push(finding(&stray, None, &message));
        let name = format!("golden: {stray} is produced");
        report.cases.push(Case {
            suite: "golden".into(),
            name,
            failure: Some(message),
        });
    }
}

fn finding(file: &str, rule_id: Option<String>, message: &str) -> Finding {
    Finding {
        file: file.to_string(),
        rule_id,
        level: Level::Error,
        kind: "golden",
        message: message.to_string(),
        line: 1,
        column: 1,
        rendered: format!("error: {message}\n"),
    }
}

/// Golden files under the targets' directories that nothing produced.
fn stray_files(dir: &Path, produced: &[(String, String)]) -> Vec<String> {
    let mut stray = Vec::new();
    for target in Target::all() {
        let Ok(entries) = std::fs::read_dir(dir.join(target.name())) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let relative = format!("{target}/{name}");
            if !produced.iter().any(|(path, _)| *path == relative) {
                stray.push(dir.join(relative).display().to_string());
            }
        }
    }
    stray
}
