//! The HubSpot simulator's fixture: CRM objects, contact → company associations and the
//! company property definitions, in HubSpot's own shapes.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::io::{read_json, write_json, FixtureError};

/// HubSpot's unlabeled contact → company association type (`HUBSPOT_DEFINED`).
pub const CONTACT_TO_COMPANY: u32 = 279;
/// HubSpot's primary contact → company association type (`HUBSPOT_DEFINED`, label `Primary`).
pub const CONTACT_TO_COMPANY_PRIMARY: u32 = 1;

/// `{"contacts": [SimplePublicObject], "companies": [SimplePublicObject], "associations":
/// [{"from": contactId, "to": companyId, "typeId": 279}], "properties": [Property]}`.
///
/// Objects are as `GET /crm/v3/objects/{type}/{id}` returns them; `properties` are the company
/// property definitions as `GET /crm/v3/properties/companies/{name}` returns them. Missing
/// keys are empty lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HubSpotFixture {
    pub contacts: Vec<CrmObject>,
    pub companies: Vec<CrmObject>,
    pub associations: Vec<Association>,
    pub properties: Vec<Value>,
}

/// A CRM record as HubSpot's v3 object APIs return it (`SimplePublicObject`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrmObject {
    /// A numeric id as a string, e.g. `"5840795376"`.
    pub id: String,
    /// Property values; HubSpot sends every value as a string (numbers, dates as ISO 8601 or
    /// epoch milliseconds, booleans as `"true"`), `null` when unset. A fixture may also give
    /// plain numbers or booleans: they are read as strings.
    #[serde(default, deserialize_with = "string_values")]
    pub properties: BTreeMap<String, Option<String>>,
    /// ISO 8601, e.g. `2024-05-01T14:03:11.123Z`; when missing, the simulator uses
    /// `properties.createdate` (or the Unix epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub archived: bool,
}

impl CrmObject {
    /// The value of `name`, if set.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.get(name).and_then(|v| v.as_deref())
    }
}

/// One association between a contact and a company, of one HubSpot-defined type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Association {
    /// Contact id (a number or a string in the file).
    #[serde(deserialize_with = "id_string")]
    pub from: String,
    /// Company id (a number or a string in the file).
    #[serde(deserialize_with = "id_string")]
    pub to: String,
    #[serde(rename = "typeId")]
    pub type_id: u32,
}

impl HubSpotFixture {
    /// Reads a fixture file written by [`HubSpotFixture::to_file`] or by hand.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, FixtureError> {
        read_json(path.as_ref())
    }

    /// Writes the fixture as compact JSON (equal fixtures give equal bytes).
    pub fn to_file(&self, path: impl AsRef<Path>) -> Result<(), FixtureError> {
        write_json(self, path.as_ref())
    }

    pub fn company(&self, id: &str) -> Option<&CrmObject> {
        self.companies.iter().find(|c| c.id == id)
    }

    pub fn contact(&self, id: &str) -> Option<&CrmObject> {
        self.contacts.iter().find(|c| c.id == id)
    }
}

fn scalar_to_string(v: Value) -> Result<Option<String>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(format!(
            "a property value must be a string, number, boolean or null, not {other}"
        )),
    }
}

fn string_values<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Option<String>>, D::Error> {
    BTreeMap::<String, Value>::deserialize(d)?
        .into_iter()
        .map(|(k, v)| {
            scalar_to_string(v)
                .map(|v| (k, v))
                .map_err(serde::de::Error::custom)
        })
        .collect()
}

fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) if n.is_u64() => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "an id must be a string or a non-negative integer, not {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_as_strings_and_fills_defaults() {
        let f: HubSpotFixture = serde_json::from_str(
            r#"{"companies": [{"id": "7", "properties": {"name": "A", "customer_engagement_score": 12,
                 "is_internal_test": false, "domain": null}}],
                "associations": [{"from": 1, "to": "7", "typeId": 279}]}"#,
        )
        .unwrap();
        let c = &f.companies[0];
        assert_eq!(c.property("customer_engagement_score"), Some("12"));
        assert_eq!(c.property("is_internal_test"), Some("false"));
        assert_eq!(c.property("domain"), None);
        assert!(!c.archived && c.created_at.is_none());
        assert_eq!(f.associations[0].from, "1");
        assert!(f.contacts.is_empty() && f.properties.is_empty());
    }

    #[test]
    fn refuses_nested_property_values_and_negative_ids() {
        let nested = r#"{"companies": [{"id": "7", "properties": {"name": {"a": 1}}}]}"#;
        assert!(serde_json::from_str::<HubSpotFixture>(nested).is_err());
        let negative = r#"{"associations": [{"from": -1, "to": "7", "typeId": 279}]}"#;
        assert!(serde_json::from_str::<HubSpotFixture>(negative).is_err());
    }
}
