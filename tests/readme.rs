//! The README's commands run as written (with output files pointed at a temporary
//! directory), and its example condition parses. Commands that need the installed engines
//! run when `RULEPORT_REQUIRE_ENGINES` is set, as `.ci/run` does after installing them.

use std::process::Command;

const README: &str = include_str!("../README.md");

#[test]
fn every_readme_command_runs() {
    let commands: Vec<&str> = README
        .lines()
        .filter_map(|line| line.trim().strip_prefix("cargo run --release -- "))
        .map(|line| line.split(" #").next().unwrap_or(line).trim())
        .collect();
    assert!(commands.len() >= 3, "the README lost its commands");
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-build");
    let engines = std::env::var_os("RULEPORT_REQUIRE_ENGINES").is_some();
    for command in commands {
        let needs_engines = command.contains("--engine") && !command.ends_with("--engine sqlite");
        if needs_engines && !engines {
            continue;
        }
        let args: Vec<String> = command
            .split_whitespace()
            .map(|arg| match arg {
                "build" => out.display().to_string(),
                "imported" => out.join("imported").display().to_string(),
                "report.xml" => out.join("report.xml").display().to_string(),
                _ => arg.to_string(),
            })
            .collect();
        let output = Command::new(env!("CARGO_BIN_EXE_ruleport"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run ruleport");
        assert!(
            output.status.success(),
            "`ruleport {command}` failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn the_readme_rule_condition_parses() {
    let start = README
        .find("Condition: |\n")
        .expect("the README shows a condition");
    let condition: String = README[start..]
        .lines()
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .map(|line| format!("{}\n", line.trim_start()))
        .collect();
    let ast = ruleport::syntax::parse_condition(&condition).expect("parses");
    ruleport::ir::lower_to_ir(&ast).expect("lowers");
}
