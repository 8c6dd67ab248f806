//! Test events read from YAML as the JSON values a log source would send.
//!
//! serde_json's own `Value` refuses the integers YAML hands over past 64 bits and turns
//! `.inf` and `.nan` into `null`. A JSON parser reads the same number text as a float, so
//! integers past 64 bits become the nearest float here too; infinities and NaN have no JSON
//! form and are refused rather than silently becoming a missing value, and so is a key given
//! twice, which JSON parsers resolve differently.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Deserializes one test event (`Log:`) the way a JSON parser would read the same event.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
    deserializer.deserialize_any(LogVisitor)
}

struct LogVisitor;

impl LogVisitor {
    fn float<E: de::Error>(value: f64) -> Result<Value, E> {
        Number::from_f64(value).map(Value::Number).ok_or_else(|| {
            E::custom(format!(
                "{value} is not a JSON number (JSON has no infinities or NaN)"
            ))
        })
    }
}

impl<'de> Visitor<'de> for LogVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Value, E> {
        match i64::try_from(value) {
            Ok(small) => Ok(Value::from(small)),
            Err(_) => Self::float(value as f64),
        }
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Value, E> {
        match u64::try_from(value) {
            Ok(small) => Ok(Value::from(small)),
            Err(_) => Self::float(value as f64),
        }
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Self::float(value)
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(LogSeed)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(LogSeed)?;
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "duplicate key `{key}` in the event"
                )));
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// The visitor again, for the values nested in arrays and objects.
struct LogSeed;

impl<'de> de::DeserializeSeed<'de> for LogSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserialize(deserializer)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn event(yaml: &str) -> serde_json::Value {
        let deserializer = serde_yaml::Deserializer::from_str(yaml);
        super::deserialize(deserializer).unwrap()
    }

    #[test]
    fn integers_past_64_bits_read_as_a_json_parser_reads_them() {
        let json_text = r#"{"big": 123456789012345678901234567890, "neg": -98765432109876543210}"#;
        let from_json: serde_json::Value = serde_json::from_str(json_text).unwrap();
        let from_yaml = event("big: 123456789012345678901234567890\nneg: -98765432109876543210");
        assert_eq!(from_yaml, from_json);
        assert!(from_yaml["big"].is_f64());
    }

    #[test]
    fn integers_within_64_bits_stay_integers() {
        let value = event("max: 18446744073709551615\nmin: -9223372036854775808\nlist: [1, x]");
        assert_eq!(
            value,
            json!({"max": u64::MAX, "min": i64::MIN, "list": [1, "x"]})
        );
    }
}
