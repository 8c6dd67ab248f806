//! Any bytes as a rule file: loading and running its tests must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ruleport::rule::load_rule;
use ruleport::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rule) = load_rule(&SourceFile::new("fuzz.yml", text)) {
        for test in &rule.meta.tests {
            let _ = rule.evaluator().matches(&test.log);
        }
    }
});
