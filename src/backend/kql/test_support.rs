//! A log type for the tests whose table has a column of JSON text, so the emitter and the
//! model can be checked on it without depending on a real mapping's columns.

use tempfile::TempDir;

use crate::mapping::Mappings;
use crate::rule::{Rule, load_rule};
use crate::source::SourceFile;

/// The test log type: `doc` is JSON text in `Doc`, `name` a string in `Name`.
pub const LOG_TYPE: &str = "Test.JsonText";

/// The built-in mappings with the test log type added, and the directory holding its file
/// (removed when dropped).
pub fn json_text_mappings() -> (Mappings, TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sentinel = dir.path().join("sentinel");
    std::fs::create_dir(&sentinel).expect("the sentinel directory");
    std::fs::write(
        sentinel.join(format!("{LOG_TYPE}.yml")),
        "table: JsonText\nfields:\n  doc: {name: Doc, type: json}\n  name: {name: Name}\n",
    )
    .expect("the test mapping");
    let mappings = Mappings::load(Some(dir.path())).expect("the mappings load");
    (mappings, dir)
}

/// A rule of the test log type with `condition`.
pub fn json_text_rule(condition: &str) -> Rule {
    let indented: String = condition.lines().map(|l| format!("  {l}\n")).collect();
    let text = format!(
        "RuleID: Test.JsonText\nDisplayName: JSON text\nLogTypes: [{LOG_TYPE}]\n\
         Severity: Info\nCondition: |\n{indented}"
    );
    load_rule(&SourceFile::new("json_text.yml", text)).expect("the rule loads")
}
