//! Escaping for the formats templates write, as minijinja filters. Every literal a template
//! writes goes through one of these; templates never escape by hand.

use minijinja::Environment;

/// Registers every escaping filter.
pub fn register_filters(env: &mut Environment<'static>) {
    env.add_filter("yaml_str", quoted);
    env.add_filter("toml_str", quoted);
    env.add_filter("py_str", quoted);
    env.add_filter("json_str", quoted);
    env.add_filter("one_line", one_line);
    env.add_filter("yaml_scalar", super::kql::yaml::scalar);
}

/// Text for a one-line comment: line breaks become spaces.
pub fn one_line(text: &str) -> String {
    text.split(['\n', '\r'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A double-quoted string with JSON escapes, which is also a valid YAML double-quoted
/// scalar, TOML basic string and Python string literal.
pub fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}
