//! The human-readable test report: a line per rule, the failing tests under it, caret
//! reports for broken rules, and the `N passed, M failed` summary.

use std::fmt::Write as _;

use super::{Report, RuleReport};

pub fn render_human(report: &Report) -> String {
    let mut out = String::new();
    for rule in &report.rules {
        write_rule(rule, &mut out);
    }
    let _ = writeln!(out, "{} passed, {} failed", report.passed, report.failed);
    out
}

fn write_rule(rule: &RuleReport, out: &mut String) {
    let ok = rule.errors.is_empty() && rule.tests.iter().all(|test| test.passed);
    let status = if ok { "ok  " } else { "FAIL" };
    let id = rule.rule_id.as_deref().unwrap_or("(not loaded)");
    let count = match rule.tests.len() {
        1 => "1 test".to_string(),
        n => format!("{n} tests"),
    };
    let _ = writeln!(out, "{status} {id} ({}, {count})", rule.file);
    for test in &rule.tests {
        let mark = if test.passed { "pass" } else { "FAIL" };
        let _ = write!(out, "  {mark} {}", test.name);
        if !test.passed {
            let _ = write!(out, ": expected {}, got {}", test.expected, test.actual);
        }
        out.push('\n');
        for hint in &test.hints {
            let _ = writeln!(out, "       hint: {hint}");
        }
    }
    if !rule.rendered_errors.is_empty() {
        out.push_str(&rule.rendered_errors);
    }
}
