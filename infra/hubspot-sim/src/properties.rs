//! Company property definitions and the value checks HubSpot applies on update
//! (`PROPERTY_DOESNT_EXIST`, `READ_ONLY_VALUE`, `INVALID_OPTION`, `INVALID_FLOAT`,
//! `INVALID_DATE`).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};
use serde_json::Value;

/// What the simulator needs to know of one definition.
#[derive(Debug, Clone, PartialEq)]
struct Definition {
    /// `string`, `number`, `enumeration`, `bool`, `date`, `datetime`, ...
    kind: String,
    /// `text`, `number`, `select`, `radio`, `checkbox`, `booleancheckbox`, ...
    field_type: String,
    options: Vec<String>,
    read_only_value: bool,
}

/// Why one property value was refused, with HubSpot's error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: &'static str,
    pub message: String,
}

/// The property definitions as served, and their parsed rules.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    served: Vec<Value>,
    rules: BTreeMap<String, Definition>,
}

impl Catalog {
    /// Reads definitions in HubSpot's `Property` shape; each needs `name` and `type`.
    pub fn new(definitions: Vec<Value>) -> Result<Self, String> {
        let mut rules = BTreeMap::new();
        for d in &definitions {
            let text = |key: &str| d.get(key).and_then(Value::as_str).map(str::to_owned);
            let name = text("name").ok_or_else(|| format!("a property has no name: {d}"))?;
            let kind = text("type").ok_or_else(|| format!("property {name} has no type"))?;
            let options = d
                .get("options")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|o| o.get("value").and_then(Value::as_str).map(str::to_owned))
                .collect();
            let read_only_value = d
                .pointer("/modificationMetadata/readOnlyValue")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let definition = Definition {
                kind,
                field_type: text("fieldType").unwrap_or_default(),
                options,
                read_only_value,
            };
            if rules.insert(name.clone(), definition).is_some() {
                return Err(format!("property {name} is defined twice"));
            }
        }
        Ok(Self {
            served: definitions,
            rules,
        })
    }

    pub fn all(&self) -> &[Value] {
        &self.served
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.served
            .iter()
            .find(|d| d.get("name").and_then(Value::as_str) == Some(name))
    }

    /// Whether `value` may be written to `name` (an empty value clears any writable one).
    pub fn check(&self, name: &str, value: &str) -> Result<(), Problem> {
        let Some(d) = self.rules.get(name) else {
            return Err(Problem {
                code: "PROPERTY_DOESNT_EXIST",
                message: format!("Property \"{name}\" does not exist"),
            });
        };
        if d.read_only_value {
            return Err(Problem {
                code: "READ_ONLY_VALUE",
                message: format!(
                    "Property \"{name}\" is a read only property; its value cannot be set"
                ),
            });
        }
        if value.is_empty() {
            return Ok(());
        }
        let not_an_option = |v: &str| Problem {
            code: "INVALID_OPTION",
            message: format!(
                "{v} was not one of the allowed options: [{}]",
                d.options.join(", ")
            ),
        };
        match d.kind.as_str() {
            "number" if !is_number(value) => Err(Problem {
                code: "INVALID_FLOAT",
                message: format!("{value} was not a valid number."),
            }),
            "enumeration" | "bool" => {
                let values: Vec<&str> = if d.field_type == "checkbox" {
                    value.split(';').collect()
                } else {
                    vec![value]
                };
                match values
                    .into_iter()
                    .find(|v| !d.options.iter().any(|o| o == v))
                {
                    Some(bad) => Err(not_an_option(bad)),
                    None => Ok(()),
                }
            }
            "date" | "datetime" if instant_ms(value).is_none() => Err(Problem {
                code: "INVALID_DATE",
                message: format!("{value} is not a valid date; use epoch milliseconds or ISO 8601"),
            }),
            _ => Ok(()),
        }
    }
}

/// A plain decimal number: optional sign, digits, optional fraction (no exponent, no NaN).
pub fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && !(digits.contains('.') && fraction.is_empty())
}

/// Epoch milliseconds of an ISO 8601 date-time, a `YYYY-MM-DD` date (midnight UTC) or an
/// integer (already epoch milliseconds).
pub fn instant_ms(s: &str) -> Option<i64> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::new(ranker_book::company_property_definitions()).unwrap()
    }

    #[test]
    fn values_are_checked_against_their_definitions() {
        let c = catalog();
        assert!(c.check("customer_engagement_score", "412").is_ok());
        assert!(c.check("customer_engagement_score", "-3.5").is_ok());
        assert_eq!(
            c.check("customer_engagement_score", "12 points")
                .unwrap_err()
                .code,
            "INVALID_FLOAT"
        );
        assert!(c.check("customer_engagement_rank", "26 out of 150").is_ok());
        assert!(c.check("customer_engagement_tier", "Top 30%").is_ok());
        let bad = c.check("customer_engagement_tier", "Top 31%").unwrap_err();
        assert_eq!(bad.code, "INVALID_OPTION");
        assert_eq!(
            bad.message,
            "Top 31% was not one of the allowed options: [Top 30%, Middle 40%, Bottom 30%]"
        );
        assert_eq!(
            c.check("nope", "x").unwrap_err().code,
            "PROPERTY_DOESNT_EXIST"
        );
        assert_eq!(
            c.check("hs_object_id", "1").unwrap_err().code,
            "READ_ONLY_VALUE"
        );
        assert!(
            c.check("customer_engagement_tier", "").is_ok(),
            "empty clears"
        );
        assert!(c.check("is_internal_test", "true").is_ok());
        assert_eq!(
            c.check("is_internal_test", "yes").unwrap_err().code,
            "INVALID_OPTION"
        );
    }

    #[test]
    fn numbers_are_plain_decimals() {
        for ok in ["0", "12", "-4", "3.25"] {
            assert!(is_number(ok), "{ok}");
        }
        for bad in ["", "-", "1e3", "NaN", "inf", "1.", ".5", "1,000", " 1"] {
            assert!(!is_number(bad), "{bad}");
        }
    }

    #[test]
    fn refuses_definitions_without_name_or_type_or_twice() {
        assert!(Catalog::new(vec![serde_json::json!({"type": "string"})]).is_err());
        assert!(Catalog::new(vec![serde_json::json!({"name": "a"})]).is_err());
        let a = serde_json::json!({"name": "a", "type": "string"});
        assert!(Catalog::new(vec![a.clone(), a]).is_err());
    }
}
