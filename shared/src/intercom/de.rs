//! Tolerant deserializers for Intercom fields whose shape differs between API versions (2.11 vs
//! 2.16) or between endpoints: ids as strings or integers, `0` or `null` for "none", integers
//! sometimes sent as floats or digit strings.
//!
//! The `lenient_*` readers never fail: a value of an unexpected shape reads as `None` (or the
//! default), so one odd field cannot make a whole conversation unreadable.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A required id: a string, or an integer kept as its decimal string.
pub(crate) fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected an id (string or integer), got {other}"
        ))),
    }
}

/// An optional id: a non-empty string or an integer (as its decimal string); anything else `None`.
pub(crate) fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) if !s.trim().is_empty() => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// An assignee id (admin, team, owner): `null`, `0`, `"0"` and `""` all mean unassigned.
pub(crate) fn assignee_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) if s.trim().is_empty() || s.trim() == "0" => None,
        Value::String(s) => Some(s),
        Value::Number(n) if n.as_f64() == Some(0.0) => None,
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// `null` or absent reads as `T::default()`.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An integer sent as an integer, an integral float (`60.0`) or a string of an integer
/// (`"60"`); anything else (a fraction, text, a boolean, an object) reads as `None`.
pub(crate) fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(integer(&Value::deserialize(d)?))
}

/// [`lenient_i64`] over an already parsed value.
pub(crate) fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

/// A boolean, or `None` for anything else (`null`, absent, text).
pub(crate) fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        _ => None,
    })
}

/// A non-empty string, or `None` for anything else.
pub(crate) fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) if !s.trim().is_empty() => Some(s),
        _ => None,
    })
}

/// A value of type `T` (an enum read from a string), or `None` when it does not read as one.
pub(crate) fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(serde_json::from_value(Value::deserialize(d)?).ok())
}

/// A JSON object read as `T`, or `None` when the value is `null`, not an object (serde would
/// otherwise read a struct from an array), or an object that does not read as `T`.
pub(crate) fn lenient_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(d)? {
        v @ Value::Object(_) => serde_json::from_value(v).ok(),
        _ => None,
    })
}

/// Like [`lenient`], with `T::default()` for `null` or a value that does not read as `T`.
pub(crate) fn lenient_or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    Ok(lenient(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_read_robustly() {
        for (raw, want) in [
            (json!(60), Some(60)),
            (json!(-5), Some(-5)),
            (json!(60.0), Some(60)),
            (json!(" 60 "), Some(60)),
            (json!(60.5), None),
            (json!("1h"), None),
            (json!(true), None),
            (json!(null), None),
            (json!({"v": 1}), None),
        ] {
            assert_eq!(integer(&raw), want, "{raw}");
        }
    }

    #[test]
    fn assignees_of_both_versions() {
        let read = |v: Value| assignee_id(v).unwrap();
        for none in [
            json!(null),
            json!(0),
            json!("0"),
            json!(""),
            json!(0.0),
            json!([]),
        ] {
            assert_eq!(read(none.clone()), None, "{none}");
        }
        assert_eq!(read(json!(42)).as_deref(), Some("42"));
        assert_eq!(read(json!("42")).as_deref(), Some("42"));
    }
}
