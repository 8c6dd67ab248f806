//! Loading one rule file: YAML, then the condition, then the checks that serde cannot make.

use std::sync::{LazyLock, OnceLock};

use regex::Regex;

use super::condition_map::ConditionMap;
use super::model::RuleFile;
use super::yaml::{self, key_span};
use crate::attack::{self, tactic_name};
use crate::diagnostic::Diagnostic;
use crate::eval::Evaluator;
use crate::ir::{self, Path};
use crate::sigma::yaml::Kind;
use crate::source::SourceFile;
use crate::syntax::{self, SyntaxError};

/// A rule that loaded cleanly: its keys, its condition in both forms, and its evaluator.
#[derive(Debug, Clone)]
pub struct Rule {
    pub meta: RuleFile,
    /// The condition as written, for tools that show its structure (exclusions, indicators).
    pub ast: syntax::Expr,
    pub ir: ir::Expr,
    /// Output name to parsed field path, in file order.
    pub output_fields: Vec<(String, Path)>,
    /// Built when first asked for: compiling a catalog never evaluates, and a large
    /// catalog's regexes would take memory for nothing.
    evaluator: OnceLock<Evaluator>,
    pub condition_map: ConditionMap,
    /// The rule file's text, for artifacts that show the rule as written.
    pub text: std::sync::Arc<str>,
}

impl Rule {
    /// The reference evaluator of the rule's condition.
    pub fn evaluator(&self) -> &Evaluator {
        self.evaluator.get_or_init(|| {
            // Loading built it once already, so building it again cannot fail.
            Evaluator::new(&self.ir).expect("the evaluator was built when the rule loaded")
        })
    }
}

static MITRE_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^TA\d{4}:T\d{4}(\.\d{3})?$").expect("constant patterns are valid")
});
static OUTPUT_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*$").expect("constant patterns are valid"));

/// Loads and checks one rule file, reporting every problem found rather than the first.
pub fn load_rule(file: &SourceFile) -> Result<Rule, Vec<Diagnostic>> {
    let meta: RuleFile = serde_yaml::from_str(&file.text).map_err(|error| {
        let mut errors = missing_keys(file);
        if errors.is_empty() || !error.to_string().starts_with("missing field") {
            errors.push(yaml::to_diagnostic(file, &error));
        }
        errors
    })?;
    let map = ConditionMap::locate(&file.text, &meta.condition);
    let mut errors = check_keys(file, &meta);

    let condition = syntax::parse_condition(&meta.condition)
        .map_err(|error| vec![error])
        .and_then(|ast| ir::lower_to_ir(&ast).map(|ir| (ast, ir)));
    let (ast, ir) = match condition {
        Ok(pair) => pair,
        Err(syntax_errors) => {
            errors.extend(
                syntax_errors
                    .iter()
                    .map(|error| condition_error(&meta, &map, error)),
            );
            return Err(errors);
        }
    };
    // The evaluator is built here to report a regex it cannot build, then dropped: the rule
    // builds it again when it is first evaluated.
    Evaluator::new(&ir).map_err(|error| {
        let error = SyntaxError::new(error.span, error.message);
        vec![condition_error(&meta, &map, &error)]
    })?;
    let output_fields = output_fields(file, &meta, &mut errors);

    if errors.is_empty() {
        Ok(Rule {
            text: file.text.clone(),
            meta,
            ast,
            ir,
            output_fields,
            evaluator: OnceLock::new(),
            condition_map: map,
        })
    } else {
        Err(errors)
    }
}

/// A condition error placed in the file; when the condition cannot be placed exactly, the
/// message says where inside the condition it is.
fn condition_error(meta: &RuleFile, map: &ConditionMap, error: &SyntaxError) -> Diagnostic {
    let mut message = error.message.clone();
    if !map.is_exact() {
        let condition = SourceFile::new("", meta.condition.as_str());
        let (line, column) = condition.line_col(error.span.start);
        message = format!("{message} (in the condition, line {line}, column {column})");
    }
    let diagnostic = Diagnostic::new(message).at(map.to_file(&error.span));
    match &error.hint {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    }
}

/// Checks the keys' values beyond their types.
fn check_keys(file: &SourceFile, meta: &RuleFile) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let mut error = |key: &str, message: String, hint: &str| {
        let diagnostic = Diagnostic::new(message).with_hint(hint);
        errors.push(match key_span(&file.text, key) {
            Some(span) => diagnostic.at(span),
            None => diagnostic,
        });
    };
    if meta.rule_id.trim().is_empty() {
        error(
            "RuleID",
            "`RuleID` is empty".into(),
            "give the rule a stable id such as `Azure.Audit.ROPCLoginNoMFA`",
        );
    }
    if meta.display_name.trim().is_empty() {
        error(
            "DisplayName",
            "`DisplayName` is empty".into(),
            "give the rule a one-line title",
        );
    }
    if meta.log_types.is_empty() {
        error(
            "LogTypes",
            "`LogTypes` is empty".into(),
            "list at least one log type, such as `Azure.Audit`",
        );
    }
    let attack_ids = meta
        .reports
        .iter()
        .filter(|(framework, _)| *framework == "MITRE ATT&CK");
    for id in attack_ids.flat_map(|(_, ids)| ids) {
        if let Some(problem) = attack_id_problem(id) {
            error(
                "Reports",
                problem,
                "write tactic:technique, such as `TA0001:T1078.004`",
            );
        }
    }
    for test in &meta.tests {
        if !test.log.is_object() {
            error(
                "Tests",
                format!("the `Log` of test \"{}\" is not a mapping", test.name),
                "write the event as a YAML or JSON mapping",
            );
        }
        if let Some(log_type) = test
            .log_type
            .as_ref()
            .filter(|log_type| !meta.log_types.contains(log_type))
        {
            error(
                "Tests",
                format!(
                    "test \"{}\" has `LogType: {log_type}`, which is not in `LogTypes`",
                    test.name
                ),
                "use one of the rule's log types",
            );
        }
    }
    errors
}

/// The keys a rule file must have.
const REQUIRED: [&str; 5] = ["RuleID", "DisplayName", "LogTypes", "Severity", "Condition"];

/// Every required key a top-level mapping lacks (serde names only the first), each shown at
/// the mapping's first key.
fn missing_keys(file: &SourceFile) -> Vec<Diagnostic> {
    let documents = crate::sigma::yaml::parse_documents(file).unwrap_or_default();
    let Some(top) = documents.first() else {
        return Vec::new();
    };
    let Kind::Mapping(entries) = &top.kind else {
        return Vec::new();
    };
    let place = entries
        .first()
        .map_or(top.span.clone(), |(key, _)| key.span.clone());
    REQUIRED
        .iter()
        .filter(|key| top.get(key).is_none())
        .map(|key| {
            Diagnostic::new(format!("the required key `{key}` is missing")).at(place.clone())
        })
        .collect()
}

/// What is wrong with a `TA0001:T1078.004` id, if anything.
fn attack_id_problem(id: &str) -> Option<String> {
    if !is_mitre_id(id) {
        return Some(format!("`{id}` is not a MITRE ATT&CK id"));
    }
    let (tactic, technique) = id.split_once(':').unwrap_or_default();
    if tactic_name(tactic).is_none() {
        return Some(format!("`{id}` names an unknown ATT&CK tactic"));
    }
    // A technique ruleport does not know may come from a later ATT&CK release: it loads,
    // and the targets that need its name refuse it.
    let known = attack::technique(technique)?;
    (!known.tactics.contains(&tactic)).then(|| {
        format!(
            "`{id}`: {technique} ({}) is not a technique of {tactic} ({}); its tactics are {}",
            known.name,
            tactic_name(tactic).unwrap_or_default(),
            known.tactics.join(", ")
        )
    })
}

/// Whether `id` has the form of [`MITRE_ID`]. An ASCII id, as every real one is, is read
/// here: building that regex, whose `\d` takes any Unicode digit, costs more than loading a
/// small rule, so it is built only for an id with other characters.
fn is_mitre_id(id: &str) -> bool {
    if !id.is_ascii() {
        return MITRE_ID.is_match(id);
    }
    let digits = |text: &str, count: usize| {
        text.len() == count && text.bytes().all(|byte| byte.is_ascii_digit())
    };
    let Some((tactic, technique)) = id.split_once(':') else {
        return false;
    };
    let (Some(tactic), Some(technique)) = (tactic.strip_prefix("TA"), technique.strip_prefix('T'))
    else {
        return false;
    };
    match technique.split_once('.') {
        Some((technique, sub)) => digits(tactic, 4) && digits(technique, 4) && digits(sub, 3),
        None => digits(tactic, 4) && digits(technique, 4),
    }
}

/// Parses the paths of `OutputFields`, reporting names and paths that are not valid.
fn output_fields(
    file: &SourceFile,
    meta: &RuleFile,
    errors: &mut Vec<Diagnostic>,
) -> Vec<(String, Path)> {
    let mut fields = Vec::new();
    let span = key_span(&file.text, "OutputFields");
    let mut report = |message: String, hint: &str| {
        let diagnostic = Diagnostic::new(message).with_hint(hint);
        errors.push(match &span {
            Some(span) => diagnostic.at(span.clone()),
            None => diagnostic,
        });
    };
    for (name, path) in &meta.output_fields {
        if !OUTPUT_NAME.is_match(name) {
            report(
                format!("output field name `{name}` is not a plain name"),
                "use letters, digits and `_`",
            );
        }
        match syntax::parse_path(path) {
            Ok(parsed) => fields.push((name.clone(), parsed)),
            Err(error) => report(
                format!("output field `{name}`: {}", error.message),
                "write a field path such as `properties.userPrincipalName`",
            ),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mitre_ids_by_hand_as_by_the_regex() {
        for id in [
            "TA0001:T1078",
            "TA0001:T1078.004",
            "TA0001:T1078.04",
            "TA0001:T1078.",
            "TA001:T1078",
            "TA0001:1078",
            "TA0001T1078",
            "TA0001:T1078.004\n",
            "TA0001:T1078:T1079",
            "ta0001:t1078",
            "TA\u{0661}\u{0662}\u{0663}\u{0664}:T1078",
            "",
        ] {
            assert_eq!(is_mitre_id(id), MITRE_ID.is_match(id), "{id:?}");
        }
        assert!(is_mitre_id("TA0001:T1078.004") && !is_mitre_id("TA0001:T1078.04"));
    }

    proptest! {
        #[test]
        fn mitre_ids_by_hand_as_by_the_regex_on_near_ids(id in "[TA0-9:.\\n\u{0661}x]{0,18}") {
            prop_assert_eq!(is_mitre_id(&id), MITRE_ID.is_match(&id));
        }

        #[test]
        fn mitre_ids_by_hand_as_by_the_regex_on_id_shapes(
            id in "TA[0-9]{3,5}:T[0-9]{3,5}(\\.[0-9]{2,4})?[.:]?"
        ) {
            prop_assert_eq!(is_mitre_id(&id), MITRE_ID.is_match(&id));
        }
    }
}
