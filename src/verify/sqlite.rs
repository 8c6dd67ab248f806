//! The SQLite engine, bundled and in-process: runs a rule's `sql:sqlite` query on events.

use regex::Regex;
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, Error as SqlError};
use serde_json::Value;

use crate::backend::sql::identifier;

/// An in-memory database with the rule's table and a `REGEXP` function.
pub struct Sqlite {
    connection: Connection,
    table: String,
}

impl Sqlite {
    /// A fresh database with an empty `table (event TEXT)`.
    pub fn open(table: &str) -> Result<Self, String> {
        let connection = Connection::open_in_memory().map_err(describe)?;
        register_regexp(&connection).map_err(describe)?;
        let create = format!("CREATE TABLE {} (event TEXT)", identifier(table));
        connection.execute(&create, []).map_err(describe)?;
        Ok(Self {
            connection,
            table: table.to_string(),
        })
    }

    /// Whether `query` returns a row when the table holds just `event`.
    pub fn matches(&self, query: &str, event: &Value) -> Result<bool, String> {
        let table = identifier(&self.table);
        self.connection
            .execute(&format!("DELETE FROM {table}"), [])
            .map_err(describe)?;
        let insert = format!("INSERT INTO {table} (event) VALUES (?1)");
        self.connection
            .execute(&insert, [event.to_string()])
            .map_err(describe)?;

        let mut statement = self.connection.prepare(query).map_err(describe)?;
        let mut rows = statement.query([]).map_err(describe)?;
        Ok(rows.next().map_err(describe)?.is_some())
    }
}

/// `text REGEXP pattern`: a search with Rust's `regex`, which reads the patterns ruleport
/// writes for SQLite exactly as the `regexp` extension of the sqlite3 shell does. The
/// compiled pattern is cached per statement.
fn register_regexp(connection: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    connection.create_scalar_function("regexp", 2, flags, |context| {
        let regex = context.get_or_create_aux(
            0,
            |value| -> Result<Regex, Box<dyn std::error::Error + Send + Sync>> {
                Ok(Regex::new(value.as_str()?)?)
            },
        )?;
        let text = match context.get_raw(1) {
            rusqlite::types::ValueRef::Null => return Ok(None),
            raw => raw
                .as_str()
                .map_err(|error| SqlError::UserFunctionError(error.into()))?
                .to_string(),
        };
        Ok(Some(regex.is_match(&text)))
    })
}

fn describe(error: SqlError) -> String {
    format!("SQLite: {error}")
}
