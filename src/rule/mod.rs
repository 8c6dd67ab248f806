//! Rule files: the YAML model, where the condition sits in the file, and loading a catalog.

mod catalog;
mod condition_map;
mod load;
mod log_value;
mod model;
mod synthetic;
mod yaml;

pub use catalog::{Catalog, LoadedFile, discover_rule_files, load_catalog};
pub use condition_map::ConditionMap;
pub use load::{Rule, load_rule};
pub use model::{AnalysisType, RuleFile, RuleTest, Severity, Status};
pub use synthetic::{SYNTHETIC_LOG_TYPE, rule_from_condition};
pub use yaml::{entry_span, key_span, output_field_span, to_diagnostic as yaml_diagnostic};
