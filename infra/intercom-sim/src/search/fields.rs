//! Which fields a search may name, how to read them from a stored object, and their types.

use std::collections::BTreeMap;

use serde_json::Value;

/// The two searchable object models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    Contact,
    Conversation,
}

impl Model {
    /// The name data attributes use in their `model` property.
    pub fn attribute_model(self) -> &'static str {
        match self {
            Model::Contact => "contact",
            Model::Conversation => "conversation",
        }
    }
}

/// A field's type, which decides the operators it accepts and how values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Integer,
    Float,
    Boolean,
    /// Unix seconds, matched by calendar day in the workspace time zone.
    Date,
}

impl Kind {
    /// The kind of a data attribute's `data_type`.
    pub fn from_data_type(data_type: &str) -> Option<Kind> {
        Some(match data_type {
            "string" => Kind::String,
            "integer" => Kind::Integer,
            "float" => Kind::Float,
            "boolean" => Kind::Boolean,
            "date" => Kind::Date,
            _ => return None,
        })
    }

    pub(crate) fn of_value(v: &Value) -> Option<Kind> {
        match v {
            Value::String(_) => Some(Kind::String),
            Value::Bool(_) => Some(Kind::Boolean),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(Kind::Integer),
            Value::Number(_) => Some(Kind::Float),
            _ => None,
        }
    }
}

/// How to reach a field's value(s) in a stored object.
#[derive(Debug, Clone, PartialEq)]
pub enum Accessor {
    /// A path of object keys, e.g. `["custom_attributes", "Enrolled Date"]`.
    Path(Vec<String>),
    /// `contact_ids`: the ids in `contacts.contacts[]`; any of them may match.
    ContactIds,
}

impl Accessor {
    fn path(dotted: &str) -> Self {
        Accessor::Path(dotted.split('.').map(str::to_owned).collect())
    }

    /// The top-level key of the stored object this accessor reads.
    pub fn top_key(&self) -> &str {
        match self {
            Accessor::Path(keys) => keys.first().map_or("", String::as_str),
            Accessor::ContactIds => "contacts",
        }
    }

    /// The non-null value at a path, if any (not used for [`Accessor::ContactIds`]).
    pub fn single<'a>(&self, obj: &'a Value) -> Option<&'a Value> {
        match self {
            Accessor::Path(keys) => {
                let mut cur = obj;
                for key in keys {
                    cur = cur.get(key)?;
                }
                (!cur.is_null()).then_some(cur)
            }
            Accessor::ContactIds => None,
        }
    }
}

/// The contact ids of a stored conversation.
pub fn conversation_contact_ids(conversation: &Value) -> impl Iterator<Item = &Value> {
    conversation
        .pointer("/contacts/contacts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("id"))
}

const CONTACT_FIELDS: &[(&str, Kind)] = &[
    ("id", Kind::String),
    ("external_id", Kind::String),
    ("role", Kind::String),
    ("name", Kind::String),
    ("email", Kind::String),
    ("phone", Kind::String),
    ("owner_id", Kind::Integer),
    ("created_at", Kind::Date),
    ("updated_at", Kind::Date),
    ("signed_up_at", Kind::Date),
    ("last_seen_at", Kind::Date),
    ("last_replied_at", Kind::Date),
    ("last_contacted_at", Kind::Date),
    ("unsubscribed_from_emails", Kind::Boolean),
    ("location.country", Kind::String),
    ("location.region", Kind::String),
    ("location.city", Kind::String),
];

const CONVERSATION_FIELDS: &[(&str, Kind)] = &[
    ("id", Kind::String),
    ("created_at", Kind::Date),
    ("updated_at", Kind::Date),
    ("waiting_since", Kind::Date),
    ("snoozed_until", Kind::Date),
    ("state", Kind::String),
    ("open", Kind::Boolean),
    ("read", Kind::Boolean),
    ("priority", Kind::String),
    ("title", Kind::String),
    ("admin_assignee_id", Kind::Integer),
    ("team_assignee_id", Kind::Integer),
    ("source.type", Kind::String),
    ("source.id", Kind::String),
    ("source.delivered_as", Kind::String),
    ("source.author.id", Kind::String),
    ("source.author.type", Kind::String),
    ("statistics.time_to_assignment", Kind::Integer),
    ("statistics.time_to_admin_reply", Kind::Integer),
    ("statistics.time_to_first_close", Kind::Integer),
    ("statistics.time_to_last_close", Kind::Integer),
    ("statistics.median_time_to_reply", Kind::Integer),
    ("statistics.first_contact_reply_at", Kind::Date),
    ("statistics.first_assignment_at", Kind::Date),
    ("statistics.first_admin_reply_at", Kind::Date),
    ("statistics.first_close_at", Kind::Date),
    ("statistics.last_assignment_at", Kind::Date),
    ("statistics.last_assignment_admin_reply_at", Kind::Date),
    ("statistics.last_contact_reply_at", Kind::Date),
    ("statistics.last_admin_reply_at", Kind::Date),
    ("statistics.last_close_at", Kind::Date),
    ("statistics.last_closed_by_id", Kind::String),
    ("statistics.count_reopens", Kind::Integer),
    ("statistics.count_assignments", Kind::Integer),
    ("statistics.count_conversation_parts", Kind::Integer),
];

/// A custom attribute declared by a data attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declared {
    pub kind: Kind,
    pub api_writable: bool,
}

/// The searchable fields of one model in one workspace.
#[derive(Debug, Clone)]
pub struct FieldCatalog {
    model: Model,
    /// Custom attributes declared by `data_attributes` of this model (custom: true).
    declared: BTreeMap<String, Declared>,
    /// Custom attribute names found on objects without a declaration (type from the value).
    discovered: BTreeMap<String, Kind>,
}

impl FieldCatalog {
    /// The catalog from the workspace's data attributes and the custom attributes seen on its
    /// objects with the kind of their first typed value (`seen`; the declared ones win).
    pub fn build(model: Model, data_attributes: &[Value], seen: &BTreeMap<String, Kind>) -> Self {
        let mut declared = BTreeMap::new();
        for attr in data_attributes {
            let is_model =
                attr.get("model").and_then(Value::as_str) == Some(model.attribute_model());
            let is_custom = attr.get("custom").and_then(Value::as_bool).unwrap_or(false);
            let name = attr.get("name").and_then(Value::as_str);
            let kind = attr
                .get("data_type")
                .and_then(Value::as_str)
                .and_then(Kind::from_data_type);
            if let (true, true, Some(name), Some(kind)) = (is_model, is_custom, name, kind) {
                let api_writable = attr
                    .get("api_writable")
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                declared.insert(name.to_owned(), Declared { kind, api_writable });
            }
        }
        let discovered = seen
            .iter()
            .filter(|(name, _)| !declared.contains_key(*name))
            .map(|(name, kind)| (name.clone(), *kind))
            .collect();
        Self {
            model,
            declared,
            discovered,
        }
    }

    /// The custom attribute declared under `name`, if any.
    pub fn declared(&self, name: &str) -> Option<Declared> {
        self.declared.get(name).copied()
    }

    /// Resolves a search field name, e.g. `custom_attributes.Enrolled Date` or `contact_ids`.
    pub fn resolve(&self, field: &str) -> Option<(Accessor, Kind)> {
        if let Some(name) = field.strip_prefix("custom_attributes.") {
            let kind = self
                .declared
                .get(name)
                .map(|d| d.kind)
                .or_else(|| self.discovered.get(name).copied())?;
            return Some((
                Accessor::Path(vec!["custom_attributes".to_owned(), name.to_owned()]),
                kind,
            ));
        }
        if self.model == Model::Conversation && field == "contact_ids" {
            return Some((Accessor::ContactIds, Kind::String));
        }
        let table = match self.model {
            Model::Contact => CONTACT_FIELDS,
            Model::Conversation => CONVERSATION_FIELDS,
        };
        table
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(name, kind)| (Accessor::path(name), *kind))
    }
}
