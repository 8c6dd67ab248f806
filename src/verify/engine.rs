//! The engines `verify` knows, and the target each one runs.

use std::fmt;

use serde_json::Value;

use crate::ir::{Case, Expr, Literal, Test};
use crate::target::{Dialect, Target, parse_list};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Engine {
    /// The bundled SQLite, in-process.
    Sqlite,
    /// DuckDB's Python package.
    Duckdb,
    /// A throw-away PostgreSQL server on a Unix socket.
    Postgres,
    /// The generated Python rules, imported and called the way Panther calls them.
    Panther,
    /// The `eql` Python package with Elasticsearch syntax.
    Eql,
    /// Microsoft's KQL parser and binder: syntax, names and types; it executes nothing.
    Kql,
}

impl Engine {
    pub const ALL: [Engine; 6] = [
        Engine::Sqlite,
        Engine::Duckdb,
        Engine::Postgres,
        Engine::Panther,
        Engine::Eql,
        Engine::Kql,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Duckdb => "duckdb",
            Engine::Postgres => "postgres",
            Engine::Panther => "panther",
            Engine::Eql => "eql",
            Engine::Kql => "kql",
        }
    }

    /// The target whose output the engine runs.
    pub fn target(self) -> Target {
        match self {
            Engine::Sqlite => Target::Sql(Dialect::Sqlite),
            Engine::Duckdb => Target::Sql(Dialect::Duckdb),
            Engine::Postgres => Target::Sql(Dialect::Postgres),
            Engine::Panther => Target::Panther,
            Engine::Eql => Target::Eql,
            Engine::Kql => Target::Kql,
        }
    }

    /// Why the engine cannot confirm a rule's verdicts, when it cannot: the `eql` package
    /// folds case everywhere and holds no multi-valued fields, so it cannot tell `_cs` tests
    /// or `[*]` paths the way Elasticsearch does. Such a rule may differ on it; the report
    /// says so, rule by rule.
    pub fn cannot_confirm(self, condition: &Expr) -> Option<&'static str> {
        if self != Engine::Eql {
            return None;
        }
        let predicates = condition.predicates();
        if predicates.iter().any(|pred| pred.path.fans_out()) {
            return Some("the eql package has no multi-valued fields for `[*]`");
        }
        let case_sensitive = predicates.iter().any(|pred| match &pred.test {
            Test::Equals { case, .. } | Test::Text { case, .. } | Test::Regex { case, .. } => {
                *case == Case::Sensitive
            }
            _ => false,
        });
        case_sensitive.then_some("the eql package folds case, so `_cs` tests are not confirmed")
    }

    /// Whether the engine cannot confirm a verdict on this event, beyond [`cannot_confirm`]:
    /// the `eql` package folds text through Python's `re.IGNORECASE`, which also joins `ı`
    /// with `I`, `ſ` with `s`, `µ` with `Μ` and `ς` with `Σ`, and it reads a text test on
    /// an object as false (docs/targets/elastic.md).
    ///
    /// [`cannot_confirm`]: Engine::cannot_confirm
    pub fn cannot_confirm_on(self, condition: &Expr, event: &Value) -> bool {
        if self != Engine::Eql {
            return false;
        }
        let predicates = condition.predicates();
        let mut literals = predicates.iter().flat_map(|pred| match &pred.test {
            Test::Equals { values, .. } => values
                .iter()
                .filter_map(|value| match value {
                    Literal::Str(text) => Some(text.as_str()),
                    _ => None,
                })
                .collect(),
            Test::Text { needles, .. } => needles.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        });
        let joined = |text: &str| text.contains(['ı', 'ſ', 'µ', 'ς']);
        if literals.any(joined) || holds_text(event, &joined) {
            return true;
        }
        predicates.iter().any(|pred| {
            let text_test = matches!(pred.test, Test::Equals { .. } | Test::Text { .. });
            let value = pred
                .path
                .keys()
                .and_then(|keys| keys.iter().try_fold(event, |value, key| value.get(key)));
            text_test && value.is_some_and(Value::is_object)
        })
    }

    /// Whether the engine gives verdicts (KQL is only parsed and bound).
    pub fn executes(self) -> bool {
        self != Engine::Kql
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether some key or string of `value` passes `test`.
fn holds_text(value: &Value, test: &impl Fn(&str) -> bool) -> bool {
    match value {
        Value::String(text) => test(text),
        Value::Array(items) => items.iter().any(|item| holds_text(item, test)),
        Value::Object(entries) => entries
            .iter()
            .any(|(key, item)| test(key) || holds_text(item, test)),
        _ => false,
    }
}

/// Parses `--engine`: comma-separated names, or `all`.
pub fn parse_engines(text: &str) -> Result<Vec<Engine>, String> {
    if text.trim().eq_ignore_ascii_case("all") {
        return Ok(Engine::ALL.to_vec());
    }
    parse_list(text, "engine", |name| {
        Engine::ALL
            .into_iter()
            .find(|engine| engine.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Engine::ALL.iter().map(|engine| engine.name()).collect();
                format!(
                    "unknown engine `{name}`: expected `all` or one of {}",
                    names.join(", ")
                )
            })
    })
}
