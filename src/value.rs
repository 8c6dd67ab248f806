//! The text and numeric value of an event value, as LANGUAGE.md section 3 defines them.
//!
//! Every backend reproduces these two functions in its engine, so they are kept small and
//! exact.

use std::borrow::Cow;

use serde_json::Value;

use crate::syntax::is_number_literal;

/// Integral numbers below this magnitude are written without a fraction.
const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53

/// The text of a value: strings are themselves, numbers their shortest decimal form,
/// booleans `true`/`false`; null, arrays and objects have none.
pub fn text_of(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(text) => Some(Cow::Borrowed(text)),
        Value::Number(number) => Some(Cow::Owned(match (number.as_i64(), number.as_u64()) {
            (Some(int), _) => int.to_string(),
            (None, Some(uint)) => uint.to_string(),
            _ => number_text(number.as_f64().unwrap_or(f64::NAN)),
        })),
        Value::Bool(flag) => Some(Cow::Borrowed(if *flag { "true" } else { "false" })),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// The shortest decimal text of a number; integral values below 2^53 without a fraction.
pub fn number_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < EXACT_INTEGER_LIMIT {
        // `as` is exact here: the value is integral and well inside i64.
        return (value as i64).to_string();
    }
    value.to_string()
}

/// The numeric value of a number, or of a string that is exactly a number literal.
pub fn numeric_value(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => numeric_string(text),
        _ => None,
    }
}

/// The value of a numeric string: `"42"`, `"-1.5"`, `"1e3"`, `"007"`; not `" 42"` or `"0x1"`.
pub fn numeric_string(text: &str) -> Option<f64> {
    if is_number_literal(text) {
        text.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_have_their_shortest_text() {
        let cases = [
            (json!(0), "0"),
            (json!(-3), "-3"),
            (json!(1.5), "1.5"),
            (json!(1.0), "1"),
        ];
        for (value, text) in cases {
            assert_eq!(text_of(&value).as_deref(), Some(text), "{value}");
        }
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(2.0_f64.powi(52)), "4503599627370496");
        assert_eq!(number_text(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn only_exact_number_literals_are_numeric() {
        assert_eq!(numeric_string("007"), Some(7.0));
        assert_eq!(numeric_string("-1.5"), Some(-1.5));
        assert_eq!(numeric_string("1e3"), Some(1000.0));
        for text in [" 42", "+1", "0x1F", "1.", ".5", "", "inf", "NaN", "1e"] {
            assert_eq!(numeric_string(text), None, "{text:?}");
        }
    }

    #[test]
    fn null_arrays_and_objects_have_no_text() {
        for value in [json!(null), json!([]), json!({})] {
            assert_eq!(text_of(&value), None);
        }
        assert_eq!(text_of(&json!(true)).as_deref(), Some("true"));
    }
}
