//! Patterns for Python's `re`, printed from the pattern tree so that they match exactly what
//! the evaluator's Rust regex matches.
//!
//! Python's `re.IGNORECASE` folds by its own tables (it lets `i` match `İ` and `ı`, and knows
//! only its Unicode version's letters), so case-insensitive patterns are compiled with
//! `re.IGNORECASE | re.ASCII`, which folds ASCII letters only, and the printer writes every
//! other case pair out ([`Folding::AsciiFlag`]).

use crate::ir::Case;
use crate::pattern::{Folding, Node, PYTHON, print};

/// The flags a case-insensitive pattern is compiled with.
pub const INSENSITIVE_FLAGS: &str = "re.IGNORECASE | re.ASCII";

/// The pattern in Python `re` syntax, to be compiled with [`INSENSITIVE_FLAGS`] when `case`
/// is insensitive and with no flags otherwise.
pub fn python_pattern(node: &Node, case: Case) -> String {
    let folding = match case {
        Case::Insensitive => Folding::AsciiFlag,
        Case::Sensitive => Folding::AsWritten,
    };
    print(node, &PYTHON, folding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::Pattern;

    fn print(source: &str, case: Case) -> String {
        let pattern = Pattern::parse(source).expect("portable pattern");
        python_pattern(&pattern.node, case)
    }

    #[test]
    fn end_anchor_ignores_a_trailing_newline() {
        assert_eq!(print("^b+c$", Case::Sensitive), "^b+c\\Z");
    }

    #[test]
    fn ascii_letters_stay_as_written_when_python_folds_them_alike() {
        assert_eq!(print("^Admin", Case::Insensitive), "^Admin");
        assert_eq!(print("(curl|wget)/", Case::Insensitive), "(?:curl|wget)/");
    }

    #[test]
    fn other_case_pairs_are_written_out() {
        assert_eq!(print("k", Case::Insensitive), "[k\\u212a]");
        assert_eq!(print("S", Case::Insensitive), "[s\\u017f]");
        assert_eq!(print("é", Case::Insensitive), "[\\xc9\\xe9]");
        assert_eq!(print("k", Case::Sensitive), "k");
    }

    #[test]
    fn classes_fold_before_negation() {
        assert_eq!(print("[a-z]", Case::Insensitive), "[a-z\\u017f\\u212a]");
        assert_eq!(print("[^a-z]", Case::Insensitive), "[^a-z\\u017f\\u212a]");
        assert_eq!(print("[^a-z]", Case::Sensitive), "[^a-z]");
        assert_eq!(print("\\d{3}", Case::Insensitive), "[0-9]{3}");
    }

    #[test]
    fn control_and_non_ascii_characters_are_escaped() {
        assert_eq!(print("\\t\u{1}🦀", Case::Sensitive), "\\t\\x01\\U0001f980");
    }
}
