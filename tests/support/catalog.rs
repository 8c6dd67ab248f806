//! Loading the repository's catalog, and making one-off rules from conditions.

use std::path::Path;

use ruleport::backend::Context;
use ruleport::explain::Corpus;
use ruleport::mapping::Mappings;
use ruleport::rule::{Catalog, Rule, load_catalog};
use ruleport::templates::Templates;

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The catalog in `rules/`; every rule must load. Loaded by its relative path (tests run in
/// the repository's root), so reports that name a rule file read the same on every machine.
pub fn catalog() -> Catalog {
    let catalog = load_catalog(&[Path::new("rules").to_path_buf()]).expect("rules/ loads");
    for file in &catalog.files {
        assert!(
            file.is_ok(),
            "{} does not load: {:?}",
            file.source.path.display(),
            file.errors
        );
    }
    catalog
}

/// The built-in templates and mappings.
/// The built-in templates and mappings, and the catalog's indicators, as
/// `ruleport compile rules` uses them.
pub struct Env {
    pub templates: Templates,
    pub mappings: Mappings,
    pub corpus: Corpus,
}

impl Env {
    pub fn builtin() -> Self {
        Env {
            templates: Templates::load(None).expect("built-in templates load"),
            mappings: Mappings::load(None).expect("built-in mappings load"),
            corpus: Corpus::of_catalog(&catalog()),
        }
    }

    pub fn context(&self) -> Context<'_> {
        Context {
            mappings: &self.mappings,
            templates: &self.templates,
            corpus: Some(&self.corpus),
        }
    }
}

/// A rule with just a condition, for running conformance cases through backends.
pub fn rule_from_condition(id: &str, condition: &str) -> Rule {
    ruleport::rule::rule_from_condition(id, condition)
        .unwrap_or_else(|errors| panic!("case {id} does not load: {errors:?}"))
}
