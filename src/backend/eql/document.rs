//! An event as Elasticsearch's EQL reads it once indexed: the model the EQL target is exact
//! for, and the documents its queries are checked on with the `eql` Python package.
//!
//! Each mapped field moves to its Elasticsearch name, and every value takes the form its
//! field type stores: a keyword field holds text (a number keeps the JSON text it was sent
//! with, `2.0` stays `"2.0"`), a numeric field coerces numeric strings and drops what it
//! cannot read (`ignore_malformed`, as `logs-*` data streams set), a boolean field reads
//! `"true"`, `"false"` and `""`, an `ip` field keeps what parses as an address. Nulls, empty
//! arrays and empty objects index no value, so they are absent. With a mapping, a field it
//! does not map is absent too: the integration's pipeline keeps the mapped fields only, and
//! a pipeline that prunes empty strings (`drops_empty_strings`) loses them first.
//!
//! Elasticsearch names a field without its arrays: `resources[*].type` and `resources.type`
//! are the field `resources.type`, whatever arrays the event has on the way, and each
//! element's value is one more value of it. Arrays stay lists here; the `eql` package cannot
//! model multi-valued fields (docs/targets/elastic.md).

use std::net::IpAddr;

use serde_json::{Map, Value};

use crate::ir::Segment;
use crate::mapping::{Column, ColumnType, Mapping};

/// What a field stores, for converting values.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Store {
    Keyword,
    Integer,
    Real,
    Boolean,
    Address,
    AsIs,
}

/// The event as indexed with `mapping` (or with no mapping: every field a keyword at its
/// raw path).
pub fn indexed_document(mapping: Option<&Mapping>, event: &Value) -> Value {
    let Some(mapping) = mapping else {
        return match convert(event, Store::Keyword) {
            Some(document @ Value::Object(_)) => document,
            _ => Value::Object(Map::new()),
        };
    };
    let pruned = if mapping.drops_empty_strings {
        without_empty_strings(event)
    } else {
        Some(event.clone())
    };
    let mut document = Map::new();
    if let Some(Value::Object(fields)) = &pruned {
        let fields_by_name = document_fields(mapping);
        walk(&fields_by_name, &mut Vec::new(), fields, &mut document);
    }
    Value::Object(document)
}

/// The mapping's fields by their event path without arrays, which is how a document names
/// them; a path through an element by position names no field.
fn document_fields(mapping: &Mapping) -> Vec<(Vec<&str>, &Column)> {
    let mut fields = Vec::new();
    for (path, column) in mapping.fields() {
        let mut keys = Vec::new();
        for segment in &path.segments {
            match segment {
                Segment::Key(key) => keys.push(key.as_str()),
                Segment::Each => {}
                Segment::Index(_) => {
                    keys.clear();
                    break;
                }
            }
        }
        if !keys.is_empty() {
            fields.push((keys, column));
        }
    }
    fields
}

fn walk<'e>(
    fields: &[(Vec<&str>, &Column)],
    keys: &mut Vec<&'e str>,
    object: &'e Map<String, Value>,
    document: &mut Map<String, Value>,
) {
    for (key, value) in object {
        keys.push(key);
        place_value(fields, keys, value, document);
        keys.pop();
    }
}

/// Indexes the value at `keys`: into its mapped field, or else the mapped fields inside it.
fn place_value<'e>(
    fields: &[(Vec<&str>, &Column)],
    keys: &mut Vec<&'e str>,
    value: &'e Value,
    document: &mut Map<String, Value>,
) {
    if let Some((_, column)) = fields
        .iter()
        .find(|(path, _)| path.as_slice() == keys.as_slice())
    {
        let names = column.name.split('.').map(str::to_string).collect();
        place(document, names, convert(value, store_of(column.ty)));
        return;
    }
    match value {
        Value::Object(inner) => walk(fields, keys, inner, document),
        Value::Array(items) => {
            for item in items {
                place_value(fields, keys, item, document);
            }
        }
        _ => {}
    }
}

/// The event as a pipeline that removes empty strings leaves it: every `""` and null gone,
/// then every object and array that is left empty; `None` when nothing is left.
fn without_empty_strings(value: &Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::String(text) if text.is_empty() => None,
        Value::Object(map) => {
            let kept: Map<String, Value> = map
                .iter()
                .filter_map(|(key, item)| Some((key.clone(), without_empty_strings(item)?)))
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        Value::Array(items) => {
            let kept: Vec<Value> = items.iter().filter_map(without_empty_strings).collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        scalar => Some(scalar.clone()),
    }
}

fn store_of(ty: ColumnType) -> Store {
    match ty {
        ColumnType::String | ColumnType::Guid => Store::Keyword,
        ColumnType::Long | ColumnType::Int => Store::Integer,
        ColumnType::Real => Store::Real,
        ColumnType::Bool => Store::Boolean,
        ColumnType::Ip => Store::Address,
        ColumnType::Datetime | ColumnType::Dynamic | ColumnType::Json => Store::AsIs,
    }
}

/// Puts `value` at the nested object path `names`; a path through a value that is not an
/// object is a mapping conflict, and the value is not indexed. A field that already holds
/// values (another element of an array) takes this one as one more.
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
    match (node.get_mut(last), value) {
        (None, value) => {
            node.insert(last.clone(), value);
        }
        (Some(Value::Object(_)), _) | (Some(_), Value::Object(_)) => {}
        (Some(existing), value) => {
            let mut values = match existing.take() {
                Value::Array(values) => values,
                one => vec![one],
            };
            match value {
                Value::Array(more) => values.extend(more),
                one => values.push(one),
            }
            *existing = Value::Array(values);
        }
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
        (Store::Address, Value::String(text)) => {
            let address: IpAddr = text.parse().ok()?;
            Some(Value::String(address.to_string()))
        }
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
    use crate::source::SourceFile;
    use serde_json::json;

    fn mapping(text: &str) -> Mapping {
        Mapping::parse(&SourceFile::new("Test.Log.yml", text)).expect("the mapping parses")
    }

    #[test]
    fn mapped_fields_move_and_the_rest_is_not_indexed() {
        let mapping = mapping("fields:\n  a.b: {name: x.y}\n  n: {name: n, type: long}\n");
        let event = json!({"a": {"b": "v", "c": "gone"}, "n": "7", "other": 1});
        assert_eq!(
            indexed_document(Some(&mapping), &event),
            json!({"x": {"y": "v"}, "n": 7})
        );
    }

    #[test]
    fn array_elements_are_values_of_one_field_whatever_the_arrays() {
        let mapping = mapping("fields:\n  r[*].type: {name: res.type}\n");
        let listed = json!({"r": [{"type": "A"}, {"type": "B"}, {"other": "C"}]});
        assert_eq!(
            indexed_document(Some(&mapping), &listed),
            json!({"res": {"type": ["A", "B"]}})
        );
        let single = json!({"r": {"type": "A"}});
        assert_eq!(
            indexed_document(Some(&mapping), &single),
            json!({"res": {"type": "A"}})
        );
    }

    #[test]
    fn a_pruning_pipeline_loses_empty_strings_and_what_they_leave_empty() {
        let text = "drops_empty_strings: true\nfields:\n  a: {name: a}\n  b.c: {name: c}\n  \
                    l: {name: l}\n";
        let event = json!({"a": "", "b": {"c": ""}, "l": ["", "x"]});
        assert_eq!(
            indexed_document(Some(&mapping(text)), &event),
            json!({"l": ["x"]})
        );
        let keeping = mapping("fields:\n  a: {name: a}\n");
        assert_eq!(
            indexed_document(Some(&keeping), &json!({"a": ""})),
            json!({"a": ""})
        );
    }

    #[test]
    fn ip_fields_keep_what_parses_as_an_address() {
        assert_eq!(
            scalar_as(&json!("2001:DB8::1"), Store::Address),
            Some(json!("2001:db8::1"))
        );
        assert_eq!(
            scalar_as(&json!("192.0.2.1"), Store::Address),
            Some(json!("192.0.2.1"))
        );
        assert_eq!(scalar_as(&json!("private"), Store::Address), None);
        assert_eq!(scalar_as(&json!(7), Store::Address), None);
    }

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
