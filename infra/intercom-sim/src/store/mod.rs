//! The simulator's in-memory workspace with lookup indexes.
//!
//! Contacts and conversations are kept as compact JSON and parsed when read (see
//! [`compact`]); [`Store`] adds the field catalogs and the lookups handlers and search use.

pub mod compact;
pub mod dates;

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;

use crate::render::{id_string, Directory};
use crate::search::fields::{FieldCatalog, Model};
use crate::workspace::Workspace;
use compact::{CompactWorkspace, Objects};
use dates::DateIndex;

#[derive(Debug)]
pub struct Store {
    pub admins: Vec<Value>,
    pub contacts: Objects,
    pub conversations: Objects,
    pub data_attributes: Vec<Value>,
    pub contact_fields: FieldCatalog,
    pub conversation_fields: FieldCatalog,
    /// Id → position in `admins` (which also holds teams and bots, see [`Teammate`]).
    teammate_positions: HashMap<String, u32>,
    /// Contact id → positions of the conversations that name it in `contacts.contacts`.
    by_contact: HashMap<String, Vec<u32>>,
}

impl Store {
    pub fn new(mut ws: CompactWorkspace) -> Self {
        ws.finish();
        let teammate_positions = ws
            .admins
            .iter()
            .enumerate()
            .filter_map(|(i, o)| Some((o.get("id").and_then(id_string)?, i as u32)))
            .collect();
        Self {
            contact_fields: FieldCatalog::build(
                Model::Contact,
                &ws.data_attributes,
                &ws.contact_attributes,
            ),
            conversation_fields: FieldCatalog::build(
                Model::Conversation,
                &ws.data_attributes,
                &ws.conversation_attributes,
            ),
            teammate_positions,
            by_contact: ws.by_contact,
            admins: ws.admins,
            contacts: ws.contacts,
            conversations: ws.conversations,
            data_attributes: ws.data_attributes,
        }
    }

    pub fn objects(&self, model: Model) -> &Objects {
        match model {
            Model::Contact => &self.contacts,
            Model::Conversation => &self.conversations,
        }
    }

    pub fn catalog(&self, model: Model) -> &FieldCatalog {
        match model {
            Model::Contact => &self.contact_fields,
            Model::Conversation => &self.conversation_fields,
        }
    }

    pub fn position(&self, model: Model, id: &str) -> Option<u32> {
        self.objects(model).position(id)
    }

    /// The sorted index on a top-level date field, for the fields that have one.
    pub fn date_index(&self, model: Model, field: &str) -> Option<&DateIndex> {
        let objects = self.objects(model);
        match field {
            "created_at" => Some(&objects.created_at),
            "updated_at" => Some(&objects.updated_at),
            _ => None,
        }
    }

    pub fn conversations_of(&self, contact_id: &str) -> &[u32] {
        self.by_contact
            .get(contact_id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// A contact that `GET /contacts/{id}` can see (merged contacts are gone), with its
    /// position.
    pub fn visible_contact(&self, id: &str) -> Option<(u32, Value)> {
        let p = self.position(Model::Contact, id)?;
        let contact = self.contacts.get(p);
        let merged = contact.get("merged") == Some(&Value::Bool(true));
        (!merged).then_some((p, contact))
    }

    /// The workspace's admins of one kind, in fixture order.
    pub fn teammates(&self, kind: Teammate) -> impl Iterator<Item = &Value> {
        self.admins.iter().filter(move |a| Teammate::of(a) == kind)
    }

    pub fn to_workspace(&self) -> Workspace {
        Workspace {
            admins: self.admins.clone(),
            contacts: self.contacts.values(),
            conversations: self.conversations.values(),
            data_attributes: self.data_attributes.clone(),
        }
    }
}

/// What an entry of the fixture's `admins` list is: its `type`, `admin` when missing. Teams
/// (`GET /teams`) and bots (authors of conversation parts) live there too, so a fixture keeps
/// its four lists; `GET /admins` lists only admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Teammate {
    Admin,
    Team,
    Bot,
}

impl Teammate {
    pub fn of(entry: &Value) -> Self {
        match entry.get("type").and_then(Value::as_str) {
            Some("team") => Teammate::Team,
            Some("bot") => Teammate::Bot,
            _ => Teammate::Admin,
        }
    }
}

impl Directory for Store {
    fn teammate(&self, id: &str) -> Option<&Value> {
        let p = *self.teammate_positions.get(id)?;
        self.admins.get(p as usize)
    }

    fn contact(&self, id: &str) -> Option<Cow<'_, Value>> {
        let p = self.position(Model::Contact, id)?;
        Some(Cow::Owned(self.contacts.get(p)))
    }
}
