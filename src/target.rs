//! The compilation targets, and how users name them on the command line.

use std::fmt;
use std::str::FromStr;

/// One kind of output ruleport can produce for a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// The KQL query.
    Kql,
    /// A Microsoft Sentinel scheduled analytics rule (YAML).
    Sentinel,
    /// The same rule as an ARM template resource, for deployment.
    SentinelArm,
    /// A Panther rule: `<rule>.py` and `<rule>.yml`.
    Panther,
    /// The EQL query.
    Eql,
    /// An Elastic detection rule in the detection-rules repository's TOML layout.
    Elastic,
    /// The same rule in Kibana's NDJSON import form.
    ElasticNdjson,
    /// A SQL query in one dialect.
    Sql(Dialect),
    /// The rule's catalog page (Markdown).
    Page,
}

/// The SQL dialects, each described as data in [`crate::backend::sql`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    Sqlite,
    Duckdb,
    Postgres,
    Snowflake,
}

impl Dialect {
    pub const ALL: [Dialect; 4] = [
        Dialect::Sqlite,
        Dialect::Duckdb,
        Dialect::Postgres,
        Dialect::Snowflake,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Duckdb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Snowflake => "snowflake",
        }
    }
}

impl Target {
    /// Every target, in the order `--target all` produces them.
    pub fn all() -> Vec<Target> {
        let mut all = vec![
            Target::Kql,
            Target::Sentinel,
            Target::SentinelArm,
            Target::Panther,
            Target::Eql,
            Target::Elastic,
            Target::ElasticNdjson,
        ];
        all.extend(Dialect::ALL.map(Target::Sql));
        all.push(Target::Page);
        all
    }

    /// The target's name on the command line, and its output directory.
    pub fn name(self) -> String {
        match self {
            Target::Kql => "kql".into(),
            Target::Sentinel => "sentinel".into(),
            Target::SentinelArm => "sentinel-arm".into(),
            Target::Panther => "panther".into(),
            Target::Eql => "eql".into(),
            Target::Elastic => "elastic".into(),
            Target::ElasticNdjson => "elastic-ndjson".into(),
            Target::Sql(dialect) => format!("sql-{}", dialect.name()),
            Target::Page => "page".into(),
        }
    }

    /// Whether the target's output is a bare query (printed when compiling one rule).
    pub fn is_query(self) -> bool {
        matches!(self, Target::Kql | Target::Eql | Target::Sql(_))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for Target {
    type Err = String;

    /// Accepts the names of [`Target::name`], plus `sql` (SQLite) and `sql:DIALECT`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let lower = text.to_ascii_lowercase();
        if lower == "sql" {
            return Ok(Target::Sql(Dialect::Sqlite));
        }
        if let Some(dialect) = lower
            .strip_prefix("sql:")
            .or_else(|| lower.strip_prefix("sql-"))
        {
            return Dialect::ALL
                .into_iter()
                .find(|known| known.name() == dialect)
                .map(Target::Sql)
                .ok_or_else(|| {
                    let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
                    format!(
                        "unknown SQL dialect `{dialect}`: expected one of {}",
                        names.join(", ")
                    )
                });
        }
        Target::all()
            .into_iter()
            .find(|target| target.name() == lower)
            .ok_or_else(|| format!("unknown target `{text}`: expected one of {}", spellings()))
    }
}

/// The targets as `--target` is documented to take them: `sql` and `sql:DIALECT`.
fn spellings() -> String {
    let names: Vec<String> = Target::all()
        .iter()
        .map(|target| match target {
            Target::Sql(Dialect::Sqlite) => "sql (or sql:sqlite)".to_string(),
            Target::Sql(dialect) => format!("sql:{}", dialect.name()),
            other => other.name(),
        })
        .collect();
    names.join(", ")
}

/// Parses a `--target` list: comma-separated names, or `all`.
pub fn parse_targets(text: &str) -> Result<Vec<Target>, String> {
    if text.trim().eq_ignore_ascii_case("all") {
        return Ok(Target::all());
    }
    parse_list(text, "target", |name| {
        name.parse()
            .map_err(|error: String| format!("{error}; or `all`"))
    })
}

/// Parses a comma-separated list of names, without repeats; an empty name (`a,,b`) or an
/// empty list is an error, so a typo never quietly drops an item.
pub fn parse_list<T: PartialEq>(
    text: &str,
    what: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let mut items = Vec::new();
    for name in text.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(format!("an empty {what} name in `{text}`"));
        }
        let item = parse(name)?;
        if !items.contains(&item) {
            items.push(item);
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_offer_what_each_place_takes() {
        let one = "all".parse::<Target>().expect_err("one target");
        assert!(
            !one.contains("expected `all`") && !one.contains("or `all`"),
            "{one}"
        );
        assert!(
            one.contains("sql:duckdb") && !one.contains("sql-duckdb"),
            "{one}"
        );
        let list = parse_targets("kql,bogus").expect_err("unknown");
        assert!(list.contains("unknown target `bogus`") && list.ends_with("or `all`"));
        assert_eq!(
            parse_targets("sql,sql:sqlite").expect("same"),
            vec![Target::Sql(Dialect::Sqlite)]
        );
    }
}
