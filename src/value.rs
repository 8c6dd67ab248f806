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
