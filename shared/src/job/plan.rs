//! What a job plans to write: attribute changes grouped into one update per contact.

use serde::Serialize;
use serde_json::Value;

use crate::intercom::models::{Contact, CustomAttributes};

/// One attribute of one contact going from `old` to `new`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeChange {
    /// `contact.id`.
    pub contact_id: String,
    /// The custom attribute's name, e.g. `Last Coaching Session`.
    pub attribute: String,
    /// The stored value (`null` when absent).
    pub old: Value,
    /// The value to write: unix seconds for dates, a string otherwise.
    pub new: Value,
    /// Why, for engagement: the rule's reason (`recent_session`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Every change of one contact: one `PUT /contacts/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactUpdate {
    /// `contact.id`.
    pub contact_id: String,
    /// Never empty when produced by a plan.
    pub changes: Vec<AttributeChange>,
}

impl ContactUpdate {
    /// The `custom_attributes` body of the PUT: only the changed attributes, name → new value.
    pub fn custom_attributes(&self) -> CustomAttributes {
        self.changes
            .iter()
            .map(|c| (c.attribute.clone(), c.new.clone()))
            .collect()
    }
}

/// Collects the changes of one contact while a plan looks at it.
pub(crate) struct UpdateBuilder<'a> {
    contact: &'a Contact,
    changes: Vec<AttributeChange>,
}

impl<'a> UpdateBuilder<'a> {
    pub(crate) fn new(contact: &'a Contact) -> Self {
        Self {
            contact,
            changes: Vec::new(),
        }
    }

    /// Records `attribute` := `new`, with the stored value as `old`.
    pub(crate) fn set(&mut self, attribute: &str, new: Value, reason: Option<&str>) {
        let old = self
            .contact
            .custom_attributes
            .get(attribute)
            .cloned()
            .unwrap_or(Value::Null);
        self.changes.push(AttributeChange {
            contact_id: self.contact.id.clone(),
            attribute: attribute.to_string(),
            old,
            new,
            reason: reason.map(str::to_string),
        });
    }

    /// The update, or `None` when nothing changes.
    pub(crate) fn finish(self) -> Option<ContactUpdate> {
        (!self.changes.is_empty()).then(|| ContactUpdate {
            contact_id: self.contact.id.clone(),
            changes: self.changes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn body_and_serialization() {
        let contact: Contact = serde_json::from_value(json!({
            "id": "c1", "custom_attributes": {"Last Call": 10, "Other": "x"}
        }))
        .unwrap();
        let mut b = UpdateBuilder::new(&contact);
        b.set("Last Call", json!(20), None);
        b.set(
            "Engagement Status",
            json!("Engaged"),
            Some("recent_session"),
        );
        let update = b.finish().unwrap();
        assert_eq!(
            serde_json::Value::Object(update.custom_attributes()),
            json!({"Last Call": 20, "Engagement Status": "Engaged"})
        );
        assert_eq!(
            serde_json::to_value(&update).unwrap(),
            json!({"contactId": "c1", "changes": [
                {"contactId": "c1", "attribute": "Last Call", "old": 10, "new": 20},
                {"contactId": "c1", "attribute": "Engagement Status", "old": null, "new": "Engaged", "reason": "recent_session"}
            ]})
        );
        assert_eq!(UpdateBuilder::new(&contact).finish(), None);
    }
}
