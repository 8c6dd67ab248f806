//! Where a rule's events live in a Log Analytics workspace: the table of its log type, the
//! data connector that fills it, and the column (and the path inside it) of each field.
//!
//! A log type with a Sentinel mapping reads its mapped columns, and a field the mapping does
//! not name is refused: the table has no raw event to read it from. A log type without a
//! mapping is read from a custom table, `<LogType with . as _>_CL`, whose column `RawEvent`
//! holds each event as `dynamic`.

use super::expr::{Expr, Name};
use crate::backend::{CompileError, Context};
use crate::ir::{Path, Segment};
use crate::mapping::{ColumnType, Connector, Family, Mapping, Resolved};
use crate::rule::Rule;
use crate::source::Span;

/// The column of a custom table that holds the whole event.
pub const RAW_COLUMN: &str = "RawEvent";

/// The connector named for a custom table (logs sent through the Azure Monitor Agent).
const CUSTOM_CONNECTOR: &str = "CustomLogsAma";

/// The table a rule reads and how its fields resolve.
pub struct Source<'m> {
    pub log_type: String,
    pub table: Name,
    pub connector: Connector,
    mapping: Option<&'m Mapping>,
    /// Whether fields the mapping does not name are read from [`RAW_COLUMN`].
    raw_fallback: bool,
}

/// A field's location: a column, and the rest of the path inside it.
#[derive(Debug, Clone)]
pub struct Located<'p> {
    pub column: Expr,
    /// The column's name, for messages.
    pub column_name: String,
    pub ty: ColumnType,
    pub rest: &'p [Segment],
    /// Whether the field has no mapped column and is read inside [`RAW_COLUMN`].
    pub raw: bool,
}

impl<'m> Source<'m> {
    pub fn new(rule: &Rule, cx: &Context<'m>) -> Result<Source<'m>, CompileError> {
        let log_type = match rule.meta.log_types.as_slice() {
            [one] => one.clone(),
            several => {
                return Err(CompileError::unsupported(
                    format!("LogTypes with {} log types", several.len()),
                    "a Sentinel query reads one table; write one rule per log type",
                    None,
                ));
            }
        };
        let mapping = cx.mappings.get(Family::Sentinel, &log_type);
        let table = mapping
            .and_then(|mapping| mapping.table.clone())
            .unwrap_or_else(|| custom_table(&log_type));
        let connector = mapping
            .and_then(|mapping| mapping.connector.clone())
            .unwrap_or_else(|| Connector {
                id: CUSTOM_CONNECTOR.to_string(),
                data_types: vec![table.clone()],
            });
        let name = Name::new(&table).ok_or_else(|| {
            CompileError::Render(format!("the table name {table:?} cannot be written in KQL"))
        })?;
        Ok(Source {
            raw_fallback: mapping.is_none_or(|mapping| mapping.table.is_none()),
            log_type,
            table: name,
            connector,
            mapping,
        })
    }

    /// Whether the table is the custom fallback with a [`RAW_COLUMN`].
    pub fn has_raw_column(&self) -> bool {
        self.raw_fallback
    }

    /// Where `path` is read; `span` is the predicate's, for errors (none for output fields).
    pub fn locate<'p>(
        &self,
        path: &'p Path,
        span: Option<&Span>,
    ) -> Result<Located<'p>, CompileError> {
        let resolved = self
            .mapping
            .map_or(Resolved::Raw(path), |mapping| mapping.resolve(path));
        match resolved {
            Resolved::Column { column, rest } => {
                let expr = Name::new(&column.name).ok_or_else(|| {
                    CompileError::Render(format!(
                        "the column name {:?} in mappings/sentinel/{}.yml cannot be written \
                         in KQL",
                        column.name, self.log_type
                    ))
                })?;
                Ok(Located {
                    column: Expr::Name(expr),
                    column_name: column.name.clone(),
                    ty: column.ty,
                    rest,
                    raw: false,
                })
            }
            Resolved::Raw(path) if self.raw_fallback => Ok(Located {
                column: Expr::Name(Name::new(RAW_COLUMN).expect("a plain name")),
                column_name: RAW_COLUMN.to_string(),
                ty: ColumnType::Dynamic,
                rest: &path.segments,
                raw: true,
            }),
            Resolved::Raw(path) => Err(CompileError::unsupported(
                format!("the field `{path}`"),
                format!(
                    "{} has no column for it: add it to mappings/sentinel/{}.yml (or a \
                     --mappings override) with the column that holds it",
                    self.table.value, self.log_type
                ),
                span.cloned(),
            )),
        }
    }
}

/// `Test.Conformance` → `Test_Conformance_CL`: a custom table's name for a log type.
pub fn custom_table(log_type: &str) -> String {
    let stem: String = log_type
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{stem}_CL")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_tables_are_named_after_the_log_type() {
        assert_eq!(custom_table("Test.Conformance"), "Test_Conformance_CL");
        assert_eq!(custom_table("Okta.SystemLog"), "Okta_SystemLog_CL");
    }
}
