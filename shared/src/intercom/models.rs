//! Intercom objects as the product reads them.
//!
//! Every model tolerates unknown fields and both the 2.11 and 2.16 shapes: ids arrive as strings or
//! integers and are kept as strings; an unassigned admin is `null` (2.11) or `0` (2.16) and becomes
//! `None`. Times are unix seconds, UTC.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// A contact's or conversation's `custom_attributes`: attribute name as-is → JSON value.
pub type CustomAttributes = serde_json::Map<String, Value>;

/// An Intercom contact (a member), as `GET /contacts/{id}` and contact search return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// `contact.id`.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// `contact.external_id`, Intercom's "User ID".
    #[serde(default)]
    pub external_id: Option<String>,
    /// `contact.role`: `user` or `lead`.
    #[serde(default)]
    pub role: Option<String>,
    /// `contact.name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `contact.email`.
    #[serde(default)]
    pub email: Option<String>,
    /// `contact.owner_id`: the owning admin's id; `None` when unset or `0`.
    #[serde(default, deserialize_with = "assignee_id")]
    pub owner_id: Option<String>,
    /// `contact.created_at`, unix seconds.
    #[serde(default)]
    pub created_at: Option<i64>,
    /// `contact.updated_at`, unix seconds.
    #[serde(default)]
    pub updated_at: Option<i64>,
    /// `contact.custom_attributes`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub custom_attributes: CustomAttributes,
}

impl Contact {
    /// The custom attribute `name` as a non-empty string, if it is one.
    pub fn attr_str(&self, name: &str) -> Option<&str> {
        attr_str(&self.custom_attributes, name)
    }

    /// The custom attribute `name` as unix seconds (date attributes), if it holds a number.
    pub fn attr_timestamp(&self, name: &str) -> Option<i64> {
        attr_timestamp(&self.custom_attributes, name)
    }
}

/// `conversation.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConversationState {
    Open,
    Closed,
    Snoozed,
    /// A state this product does not know; treated as not closed.
    #[serde(other)]
    Other,
}

/// A contact reference inside `conversation.contacts.contacts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactReference {
    /// `contact.id`.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// `contact.external_id`.
    #[serde(default)]
    pub external_id: Option<String>,
}

/// `conversation.contacts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConversationContacts {
    #[serde(default, deserialize_with = "null_as_default")]
    pub contacts: Vec<ContactReference>,
}

/// `conversation.statistics` (only the fields the product reads).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConversationStatistics {
    /// `statistics.last_close_at`, unix seconds.
    #[serde(default)]
    pub last_close_at: Option<i64>,
}

/// An Intercom conversation (a coaching session or call), as conversation search returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// `conversation.id`.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// `conversation.created_at`, unix seconds.
    pub created_at: i64,
    /// `conversation.updated_at`, unix seconds.
    pub updated_at: i64,
    /// `conversation.state`.
    pub state: ConversationState,
    /// `conversation.admin_assignee_id`: the coach; `None` when `null` or `0`.
    #[serde(default, deserialize_with = "assignee_id")]
    pub admin_assignee_id: Option<String>,
    /// `conversation.contacts`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub contacts: ConversationContacts,
    /// `conversation.custom_attributes` (`Channel`, `Service Code`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub custom_attributes: CustomAttributes,
    /// `conversation.statistics`.
    #[serde(default)]
    pub statistics: Option<ConversationStatistics>,
}

impl Conversation {
    /// The custom attribute `name` as a non-empty string, if it is one.
    pub fn attr_str(&self, name: &str) -> Option<&str> {
        attr_str(&self.custom_attributes, name)
    }

    /// Ids of every contact the conversation belongs to (`contacts.contacts[].id`).
    pub fn contact_ids(&self) -> impl Iterator<Item = &str> {
        self.contacts.contacts.iter().map(|c| c.id.as_str())
    }
}

/// An Intercom admin (a coach), as `GET /admins` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Admin {
    /// `admin.id`.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// `admin.name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `admin.email`.
    #[serde(default)]
    pub email: Option<String>,
}

/// A data attribute, as `GET /data_attributes?model=contact` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataAttribute {
    /// `data_attribute.name`, e.g. `Last Coaching Session`.
    pub name: String,
    /// `data_attribute.full_name`, e.g. `custom_attributes.Last Coaching Session`.
    #[serde(default)]
    pub full_name: Option<String>,
    /// `data_attribute.model`: `contact` or `company`.
    #[serde(default)]
    pub model: Option<String>,
    /// `data_attribute.data_type`: `string`, `integer`, `float`, `boolean` or `date`.
    pub data_type: String,
    /// `data_attribute.options`: predefined values of a list attribute.
    #[serde(default, deserialize_with = "null_as_default")]
    pub options: Vec<String>,
    /// `data_attribute.api_writable`.
    #[serde(default)]
    pub api_writable: Option<bool>,
    /// `data_attribute.custom`.
    #[serde(default)]
    pub custom: Option<bool>,
    /// `data_attribute.archived`.
    #[serde(default)]
    pub archived: Option<bool>,
}

/// A custom attribute as a non-empty string.
pub fn attr_str<'a>(attrs: &'a CustomAttributes, name: &str) -> Option<&'a str> {
    match attrs.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.as_str()),
        _ => None,
    }
}

/// A custom date attribute as unix seconds: an integer, a float, or a string of digits.
pub fn attr_timestamp(attrs: &CustomAttributes, name: &str) -> Option<i64> {
    match attrs.get(name)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected an id (string or integer), got {other}"
        ))),
    }
}

/// `null`, `0`, `"0"` and `""` all mean unassigned.
fn assignee_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) if s.is_empty() || s == "0" => None,
        Value::String(s) => Some(s),
        Value::Number(n) if n.as_i64() == Some(0) => None,
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unassigned_is_none_in_both_versions() {
        for raw in [json!(null), json!(0), json!("0")] {
            let c: Conversation = serde_json::from_value(json!({
                "id": 1, "created_at": 1, "updated_at": 2, "state": "closed",
                "admin_assignee_id": raw, "unknown_field": true
            }))
            .unwrap();
            assert_eq!(c.admin_assignee_id, None);
            assert_eq!(c.id, "1");
        }
        let c: Conversation = serde_json::from_value(json!({
            "id": "7", "created_at": 1, "updated_at": 2, "state": "snoozed", "admin_assignee_id": 42
        }))
        .unwrap();
        assert_eq!(c.admin_assignee_id.as_deref(), Some("42"));
        assert_eq!(c.state, ConversationState::Snoozed);
    }

    #[test]
    fn timestamps_read_from_numbers_and_digit_strings() {
        let c: Contact = serde_json::from_value(json!({
            "id": "a", "custom_attributes": {"A": 1700000000, "B": "1700000001", "C": 1.7e9, "D": "x", "E": null}
        }))
        .unwrap();
        assert_eq!(c.attr_timestamp("A"), Some(1_700_000_000));
        assert_eq!(c.attr_timestamp("B"), Some(1_700_000_001));
        assert_eq!(c.attr_timestamp("C"), Some(1_700_000_000));
        assert_eq!(c.attr_timestamp("D"), None);
        assert_eq!(c.attr_timestamp("E"), None);
        assert_eq!(c.attr_timestamp("missing"), None);
    }
}
