//! An event as Elasticsearch's EQL reads it once indexed: the model the EQL target is exact
//! for, and the documents its queries are checked on with the `eql` Python package.
//!
//! Each mapped field moves to its Elasticsearch name, and every value takes the form its
//! field type stores: a keyword field holds text (a number keeps the JSON text it was sent
//! with, `2.0` stays `"2.0"`), a numeric field coerces numeric strings and drops what it
//! cannot read (`ignore_malformed`, as `logs-*` data streams set), a boolean field reads
//! `"true"`, `"false"` and `""`. Nulls, empty arrays and empty objects index no value, so
//! they are absent. Arrays stay lists here; Elasticsearch flattens them into multi-valued
//! fields, which the `eql` package cannot model (docs/targets/elastic.md).

use serde_json::{Map, Value};

use crate::ir::{Path, Segment};
use crate::mapping::{ColumnType, Mapping, Resolved};

/// What a field stores, for converting values.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Store {
    Keyword,
    Integer,
    Real,
    Boolean,
    AsIs,
}

/// The event as indexed with `mapping` (or with no mapping: every field a keyword at its
/// raw path).
pub fn indexed_document(mapping: Option<&Mapping>, event: &Value) -> Value {
    let mut document = Map::new();
    if let Value::Object(fields) = event {
        walk(mapping, &mut Vec::new(), fields, &mut document);
    }
    Value::Object(document)
}

fn walk(
    mapping: Option<&Mapping>,
    keys: &mut Vec<String>,
    fields: &Map<String, Value>,
    document: &mut Map<String, Value>,
) {
    for (key, value) in fields {
        keys.push(key.clone());
        let path = Path {
            segments: keys.iter().cloned().map(Segment::Key).collect(),
        };
        let resolved = match mapping {
            Some(mapping) => mapping.resolve(&path),
            None => Resolved::Raw(&path),
        };
        match (resolved, value) {
            (Resolved::Column { column, rest: [] }, _) => {
                let names = column.name.split('.').map(str::to_string).collect();
                place(document, names, convert(value, store_of(column.ty)));
            }
            (_, Value::Object(inner)) if !inner.is_empty() => {
                walk(mapping, keys, inner, document);
            }
            (Resolved::Column { column, rest }, _) => {
                let mut names: Vec<String> = column.name.split('.').map(str::to_string).collect();
                names.extend(rest.iter().filter_map(|segment| match segment {
                    Segment::Key(key) => Some(key.clone()),
                    _ => None,
                }));
                place(document, names, convert(value, Store::Keyword));
            }
            (Resolved::Raw(_), _) => {
                place(document, keys.clone(), convert(value, Store::Keyword));
            }
        }
        keys.pop();
    }
}

fn store_of(ty: ColumnType) -> Store {
    match ty {
        ColumnType::String | ColumnType::Guid => Store::Keyword,
        ColumnType::Long | ColumnType::Int => Store::Integer,
        ColumnType::Real => Store::Real,
        ColumnType::Bool => Store::Boolean,
        ColumnType::Datetime | ColumnType::Dynamic | ColumnType::Json => Store::AsIs,
    }
}

/// Puts `value` at the nested object path `names`; a path through a value that is not an
/// object is a mapping conflict, and the value is not indexed.
fn place(document: &mut Map<String, Value>, names: Vec<String>, value: Option<Value>) {
    let Some(value) = value else { return };
    let Some((last, parents)) = names.split_last() else {
        return;
    };
    let mut node = document;
    for name in parents {
        let entry = node
            .entry(name.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        match entry {
            Value::Object(inner) => node = inner,
            _ => return,
        }
    }
    if !node.contains_key(last) {
        node.insert(last.clone(), value);
    }
}

/// The value as a field of `store` holds it; `None` when it indexes nothing.
fn convert(value: &Value, store: Store) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::Array(items) => {
            let mut values = Vec::new();
            for item in items {
                match convert(item, store) {
                    Some(Value::Array(inner)) => values.extend(inner),
                    Some(one) => values.push(one),
                    None => {}
                }
            }
            (!values.is_empty()).then_some(Value::Array(values))
        }
        Value::Object(map) => {
            let converted: Map<String, Value> = map
                .iter()
                .filter_map(|(key, item)| Some((key.clone(), convert(item, store)?)))
                .collect();
            (!converted.is_empty()).then_some(Value::Object(converted))
        }
        scalar => scalar_as(scalar, store),
    }
}

fn scalar_as(value: &Value, store: Store) -> Option<Value> {
    match (store, value) {
        (Store::AsIs, value) => Some(value.clone()),
        (Store::Keyword, Value::String(_)) => Some(value.clone()),
        (Store::Keyword, Value::Number(number)) => Some(Value::String(number.to_string())),
        (Store::Keyword, Value::Bool(flag)) => Some(Value::String(flag.to_string())),
        (Store::Integer | Store::Real, Value::Number(number))
            if number.is_i64() || number.is_u64() =>
        {
            Some(value.clone())
        }
        (Store::Integer | Store::Real, Value::Number(number)) => number_as(number.as_f64()?, store),
        (Store::Integer | Store::Real, Value::String(text)) => {
            let parsed: f64 = text.trim().parse().ok()?;
            number_as(parsed, store)
        }
        (Store::Boolean, Value::Bool(_)) => Some(value.clone()),
        (Store::Boolean, Value::String(text)) => match text.as_str() {
            "true" => Some(Value::Bool(true)),
            "false" | "" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    }
}

/// A finite number as a field of `store` keeps it: integer fields drop the fraction.
fn number_as(value: f64, store: Store) -> Option<Value> {
    if !value.is_finite() {
        return None;
    }
    if store == Store::Integer {
        let truncated = value.trunc();
        // `as` is exact here: the value is integral and inside i64.
        return (truncated.abs() < 9.2e18).then(|| Value::from(truncated as i64));
    }
    serde_json::Number::from_f64(value).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unmapped_fields_become_text_at_their_raw_path() {
        let event = json!({"a": 0, "b": 2.0, "c": true, "d": null, "e": [], "f": {},
                           "g": {"h": [1, null, "x"]}});
        assert_eq!(
            indexed_document(None, &event),
            json!({"a": "0", "b": "2.0", "c": "true", "g": {"h": ["1", "x"]}})
        );
    }

    #[test]
    fn numbers_in_numeric_fields_are_coerced_or_dropped() {
        assert_eq!(scalar_as(&json!(" 42"), Store::Integer), Some(json!(42)));
        assert_eq!(scalar_as(&json!(9.7), Store::Integer), Some(json!(9)));
        assert_eq!(scalar_as(&json!(7), Store::Integer), Some(json!(7)));
        assert_eq!(scalar_as(&json!("1.5"), Store::Real), Some(json!(1.5)));
        assert_eq!(scalar_as(&json!("lots"), Store::Real), None);
        assert_eq!(scalar_as(&json!(true), Store::Real), None);
        assert_eq!(scalar_as(&json!(""), Store::Boolean), Some(json!(false)));
    }
}
