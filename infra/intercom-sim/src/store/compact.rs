//! The workspace as the server keeps it, lean enough for a 100,000-member coaching workspace
//! (1.1 million conversations) on a small machine.
//!
//! A generated conversation takes ~10 KB as a `serde_json::Value` but ~1.3 KB as compact JSON,
//! so contacts and conversations are kept as their compact JSON text ([`Objects`]) and parsed
//! when read: a page of results, one object, or for search matching only the top-level keys
//! a query reads ([`Objects::project`]). Admins, teams, bots and data attributes (a few dozen)
//! stay values. The indexes search needs (id → position, contact → conversations, sorted
//! `created_at`/`updated_at`, custom attribute kinds) are built while objects are added one at
//! a time through [`Sink`], so a generator never holds the whole workspace as values.
//!
//! Parsing the stored text gives back the value that was stored (keys are sorted either way,
//! numbers keep their form), so answers are the same bytes as when values were kept. The one
//! exception serde_json allows, a float whose text does not parse back to the same `f64`
//! without its `float_roundtrip` feature, is checked for when stored: such an object (only
//! possible in a hand-written fixture) is kept as a value.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::dates::DateIndex;
use crate::render::id_string;
use crate::search::fields::{conversation_contact_ids, Kind};
use crate::workspace::{Sink, Workspace, WorkspaceError};

/// One stored contact or conversation.
#[derive(Debug)]
enum Stored {
    /// Compact JSON, as `serde_json::to_string` writes the value.
    Json(Box<str>),
    /// A value whose JSON would not parse back to the same value (see the module docs).
    Value(Box<Value>),
}

impl Stored {
    fn new(obj: &Value) -> Self {
        let json = serde_json::to_string(obj).expect("a JSON value serializes");
        if has_float(obj) && serde_json::from_str::<Value>(&json).ok().as_ref() != Some(obj) {
            return Stored::Value(Box::new(obj.clone()));
        }
        Stored::Json(json.into_boxed_str())
    }

    fn value(&self) -> Value {
        match self {
            Stored::Json(json) => serde_json::from_str(json).expect("stored JSON parses"),
            Stored::Value(v) => (**v).clone(),
        }
    }
}

fn has_float(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_f64(),
        Value::Array(items) => items.iter().any(has_float),
        Value::Object(map) => map.values().any(has_float),
        _ => false,
    }
}

/// Contacts or conversations in store order, with the indexes on them.
#[derive(Debug)]
pub struct Objects {
    stored: Vec<Stored>,
    /// Id → position (a later duplicate id wins, as a fixture's would).
    positions: HashMap<String, u32>,
    pub created_at: DateIndex,
    pub updated_at: DateIndex,
}

impl Default for Objects {
    fn default() -> Self {
        Self {
            stored: Vec::new(),
            positions: HashMap::new(),
            created_at: DateIndex::new("created_at"),
            updated_at: DateIndex::new("updated_at"),
        }
    }
}

impl Objects {
    fn push(&mut self, obj: &Value) -> u32 {
        let position = u32::try_from(self.stored.len()).expect("fewer than 2^32 objects");
        if let Some(id) = obj.get("id").and_then(id_string) {
            self.positions.insert(id, position);
        }
        self.created_at.push(obj, position);
        self.updated_at.push(obj, position);
        self.stored.push(Stored::new(obj));
        position
    }

    fn finish(&mut self) {
        self.stored.shrink_to_fit();
        self.positions.shrink_to_fit();
        self.created_at.finish();
        self.updated_at.finish();
    }

    pub fn len(&self) -> usize {
        self.stored.len()
    }

    pub fn position(&self, id: &str) -> Option<u32> {
        self.positions.get(id).copied()
    }

    /// The whole object at a position.
    pub fn get(&self, position: u32) -> Value {
        self.stored[position as usize].value()
    }

    /// Every object, parsed, in store order.
    pub fn values(&self) -> Vec<Value> {
        self.stored.iter().map(Stored::value).collect()
    }

    /// The object at a position with only the given top-level keys (the rest of its JSON is
    /// skipped, not parsed): what matching a query and sorting need, at a fraction of the cost.
    pub fn project(&self, position: u32, keys: &[&str]) -> Value {
        match &self.stored[position as usize] {
            Stored::Json(json) => {
                let mut de = serde_json::Deserializer::from_str(json);
                // A stored item that is not an object (a broken fixture) is parsed whole.
                Projection(keys)
                    .deserialize(&mut de)
                    .unwrap_or_else(|_| serde_json::from_str(json).expect("stored JSON parses"))
            }
            Stored::Value(v) => (**v).clone(),
        }
    }

    /// Replaces the object at a position (`old` is what it was), keeping the date indexes
    /// right. The id does not change.
    pub fn replace(&mut self, position: u32, old: &Value, new: &Value) {
        self.created_at.replace(old, new, position);
        self.updated_at.replace(old, new, position);
        self.stored[position as usize] = Stored::new(new);
    }

    /// Writes `[obj,obj,...]` as `serde_json` writes a list of the values.
    fn write_json(&self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(b"[")?;
        for (i, stored) in self.stored.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            match stored {
                Stored::Json(json) => out.write_all(json.as_bytes())?,
                Stored::Value(v) => serde_json::to_writer(&mut *out, v)?,
            }
        }
        out.write_all(b"]")
    }
}

/// Deserializes a JSON object keeping only some top-level keys.
struct Projection<'k, 'a>(&'k [&'a str]);

impl<'de> DeserializeSeed<'de> for Projection<'_, '_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Projection<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key_seed(WantedKey(self.0))? {
            match key {
                Some(key) => {
                    out.insert(key, map.next_value()?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// A key, owned only when it is one of the wanted ones.
struct WantedKey<'k, 'a>(&'k [&'a str]);

impl<'de> DeserializeSeed<'de> for WantedKey<'_, '_> {
    type Value = Option<String>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for WantedKey<'_, '_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<Option<String>, E> {
        Ok(self.0.contains(&key).then(|| key.to_owned()))
    }
}

/// Custom attribute names seen on a model's objects, with the kind of the first value that
/// has one (what [`crate::search::fields::FieldCatalog`] discovers when nothing declares them).
pub type SeenAttributes = BTreeMap<String, Kind>;

fn see_attributes(seen: &mut SeenAttributes, obj: &Value) {
    if let Some(Value::Object(attrs)) = obj.get("custom_attributes") {
        for (name, value) in attrs {
            if !seen.contains_key(name) {
                if let Some(kind) = Kind::of_value(value) {
                    seen.insert(name.clone(), kind);
                }
            }
        }
    }
}

/// A workspace kept compactly (see the module docs); what [`crate::start`] serves.
///
/// Built from a [`Workspace`] (`From`), by generating into it, or both: each workload added
/// after the first follows [`Workspace::merge`]'s rule (admins whose id, and data attributes
/// whose model and name, an earlier workload has are left out; objects are appended).
#[derive(Debug, Default)]
pub struct CompactWorkspace {
    pub(crate) admins: Vec<Value>,
    pub(crate) data_attributes: Vec<Value>,
    pub(crate) contacts: Objects,
    pub(crate) conversations: Objects,
    /// Contact id → positions of the conversations that name it in `contacts.contacts`.
    pub(crate) by_contact: HashMap<String, Vec<u32>>,
    pub(crate) contact_attributes: SeenAttributes,
    pub(crate) conversation_attributes: SeenAttributes,
    /// Admin ids and data attribute (model, name) pairs of the workloads before this one.
    earlier_admins: HashSet<String>,
    earlier_attributes: HashSet<(Option<String>, Option<String>)>,
}

fn admin_key(a: &Value) -> Option<String> {
    a.get("id").map(Value::to_string)
}

fn attribute_key(a: &Value) -> (Option<String>, Option<String>) {
    (
        a.get("model").map(Value::to_string),
        a.get("name").map(Value::to_string),
    )
}

impl CompactWorkspace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a new workload: what is there now is "earlier" for the merge rule.
    fn next_workload(&mut self) {
        self.earlier_admins = self.admins.iter().filter_map(admin_key).collect();
        self.earlier_attributes = self.data_attributes.iter().map(attribute_key).collect();
    }

    /// Adds a workspace's objects after the ones already here (each value is dropped once
    /// stored, so a large workspace shrinks as it is added).
    pub fn add(&mut self, ws: Workspace) {
        self.next_workload();
        let Workspace {
            admins,
            contacts,
            conversations,
            data_attributes,
        } = ws;
        admins.into_iter().for_each(|a| self.admin(a));
        contacts.into_iter().for_each(|c| self.contact(c));
        conversations.into_iter().for_each(|c| self.conversation(c));
        data_attributes
            .into_iter()
            .for_each(|a| self.data_attribute(a));
    }

    /// Adds the coaching workspace [`crate::generate`] makes, one object at a time.
    pub fn add_generated(&mut self, members: usize, seed: u64, as_of: NaiveDate) {
        self.next_workload();
        crate::generate::generate_into(members, seed, as_of, self);
    }

    /// Adds the support workload [`crate::generate_support`] makes, one object at a time.
    pub fn add_support(&mut self, workload: &crate::SupportWorkload, seed: u64, as_of: NaiveDate) {
        self.next_workload();
        crate::generate::generate_support_into(workload, seed, as_of, self);
    }

    /// Adds the customer-sync workload [`crate::generate_customers`] makes, each conversation
    /// as it is made.
    pub fn add_customers(
        &mut self,
        workload: &crate::CustomerWorkload,
        seed: u64,
        as_of: NaiveDate,
    ) {
        self.next_workload();
        crate::generate::generate_customers_into(workload, seed, as_of, self);
    }

    /// Sorts the indexes; called once everything is added.
    pub(crate) fn finish(&mut self) {
        self.contacts.finish();
        self.conversations.finish();
        self.by_contact.shrink_to_fit();
    }

    pub fn admin_count(&self) -> usize {
        self.admins.len()
    }

    pub fn contact_count(&self) -> usize {
        self.contacts.len()
    }

    pub fn conversation_count(&self) -> usize {
        self.conversations.len()
    }

    /// The workspace as values (parses every object: for tests and small workspaces).
    pub fn to_workspace(&self) -> Workspace {
        Workspace {
            admins: self.admins.clone(),
            contacts: self.contacts.values(),
            conversations: self.conversations.values(),
            data_attributes: self.data_attributes.clone(),
        }
    }

    /// Writes the same fixture bytes as [`Workspace::to_file`] of [`Self::to_workspace`],
    /// without parsing the objects.
    pub fn to_file(&self, path: impl AsRef<Path>) -> Result<(), WorkspaceError> {
        let path = path.as_ref();
        let write_err = |source| WorkspaceError::Write {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::create(path).map_err(write_err)?;
        let mut out = std::io::BufWriter::new(file);
        let mut write = || -> std::io::Result<()> {
            out.write_all(b"{\"admins\":")?;
            serde_json::to_writer(&mut out, &self.admins)?;
            out.write_all(b",\"contacts\":")?;
            self.contacts.write_json(&mut out)?;
            out.write_all(b",\"conversations\":")?;
            self.conversations.write_json(&mut out)?;
            out.write_all(b",\"data_attributes\":")?;
            serde_json::to_writer(&mut out, &self.data_attributes)?;
            out.write_all(b"}")?;
            out.flush()
        };
        write().map_err(write_err)
    }
}

impl From<Workspace> for CompactWorkspace {
    fn from(ws: Workspace) -> Self {
        let mut compact = CompactWorkspace::new();
        compact.add(ws);
        compact
    }
}

impl Sink for CompactWorkspace {
    fn admin(&mut self, admin: Value) {
        if admin_key(&admin).is_none_or(|k| !self.earlier_admins.contains(&k)) {
            self.admins.push(admin);
        }
    }

    fn contact(&mut self, contact: Value) {
        see_attributes(&mut self.contact_attributes, &contact);
        self.contacts.push(&contact);
    }

    fn conversation(&mut self, conversation: Value) {
        see_attributes(&mut self.conversation_attributes, &conversation);
        let position = self.conversations.push(&conversation);
        for id in conversation_contact_ids(&conversation).filter_map(id_string) {
            self.by_contact.entry(id).or_default().push(position);
        }
    }

    fn data_attribute(&mut self, attribute: Value) {
        if !self.earlier_attributes.contains(&attribute_key(&attribute)) {
            self.data_attributes.push(attribute);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn workspace() -> Workspace {
        Workspace {
            admins: vec![json!({"id": "7", "name": "Ana"})],
            contacts: vec![
                json!({"id": "c1", "updated_at": 10, "custom_attributes": {"Score": 0.1}}),
                // Floats with 17 significant digits: kept exactly whatever the parser does.
                json!({"id": "c2", "custom_attributes": {"Score": 0.30000000000000004,
                                                          "Ratio": 123456789.12345679}}),
                json!("not an object"),
            ],
            conversations: vec![json!({"id": 1, "created_at": 5, "title": "é \"q\" \u{1}",
                                       "contacts": {"contacts": [{"id": "c1"}]}})],
            data_attributes: vec![json!({"model": "contact", "name": "Score"})],
        }
    }

    #[test]
    fn objects_come_back_as_stored_and_dump_the_same_bytes() {
        let ws = workspace();
        let compact = CompactWorkspace::from(ws.clone());
        assert_eq!(compact.to_workspace(), ws);
        let dir = std::env::temp_dir().join(format!("compact-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        ws.to_file(dir.join("values.json")).unwrap();
        compact.to_file(dir.join("compact.json")).unwrap();
        assert_eq!(
            std::fs::read(dir.join("values.json")).unwrap(),
            std::fs::read(dir.join("compact.json")).unwrap()
        );
        std::fs::remove_dir_all(dir).unwrap();
        assert_eq!(compact.conversations.position("1"), Some(0));
        assert_eq!(compact.by_contact["c1"], vec![0]);
        assert_eq!(compact.contact_attributes["Score"], Kind::Float);
    }

    #[test]
    fn a_projection_keeps_only_the_named_top_level_keys() {
        let compact = CompactWorkspace::from(workspace());
        assert_eq!(
            compact
                .conversations
                .project(0, &["title", "contacts", "missing"]),
            json!({"title": "é \"q\" \u{1}", "contacts": {"contacts": [{"id": "c1"}]}})
        );
        assert_eq!(compact.contacts.project(2, &["id"]), json!("not an object"));
    }

    #[test]
    fn a_later_workload_adds_admins_and_attributes_only_under_new_keys() {
        let mut compact = CompactWorkspace::from(workspace());
        let mut other = workspace();
        other.admins.push(json!({"id": "8"}));
        other
            .data_attributes
            .push(json!({"model": "contact", "name": "Other"}));
        let merged = workspace().merge(other.clone());
        compact.add(other);
        assert_eq!(compact.to_workspace(), merged);
    }
}
