//! The simulator's in-memory workspace with lookup indexes.

use std::collections::HashMap;

use serde_json::Value;

use crate::render::{id_string, Directory};
use crate::search::fields::{conversation_contact_ids, FieldCatalog, Model};
use crate::workspace::Workspace;

#[derive(Debug)]
pub struct Store {
    pub admins: Vec<Value>,
    pub contacts: Vec<Value>,
    pub conversations: Vec<Value>,
    pub data_attributes: Vec<Value>,
    pub contact_fields: FieldCatalog,
    pub conversation_fields: FieldCatalog,
    contact_positions: HashMap<String, u32>,
    conversation_positions: HashMap<String, u32>,
    /// Id → position in `admins` (which also holds teams and bots, see [`Teammate`]).
    teammate_positions: HashMap<String, u32>,
    /// Contact id → positions of the conversations that name it in `contacts.contacts`.
    by_contact: HashMap<String, Vec<u32>>,
}

fn positions(objects: &[Value]) -> HashMap<String, u32> {
    objects
        .iter()
        .enumerate()
        .filter_map(|(i, o)| Some((o.get("id").and_then(id_string)?, i as u32)))
        .collect()
}

impl Store {
    pub fn new(ws: Workspace) -> Self {
        let mut by_contact: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, conversation) in ws.conversations.iter().enumerate() {
            for id in conversation_contact_ids(conversation).filter_map(id_string) {
                by_contact.entry(id).or_default().push(i as u32);
            }
        }
        Self {
            contact_fields: FieldCatalog::build(Model::Contact, &ws.data_attributes, &ws.contacts),
            conversation_fields: FieldCatalog::build(
                Model::Conversation,
                &ws.data_attributes,
                &ws.conversations,
            ),
            contact_positions: positions(&ws.contacts),
            conversation_positions: positions(&ws.conversations),
            teammate_positions: positions(&ws.admins),
            by_contact,
            admins: ws.admins,
            contacts: ws.contacts,
            conversations: ws.conversations,
            data_attributes: ws.data_attributes,
        }
    }

    pub fn objects(&self, model: Model) -> &[Value] {
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
        match model {
            Model::Contact => self.contact_positions.get(id).copied(),
            Model::Conversation => self.conversation_positions.get(id).copied(),
        }
    }

    pub fn conversations_of(&self, contact_id: &str) -> &[u32] {
        self.by_contact
            .get(contact_id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// A contact that `GET /contacts/{id}` can see (merged contacts are gone).
    pub fn contact_position(&self, id: &str) -> Option<usize> {
        let p = self.position(Model::Contact, id)? as usize;
        let merged = self.contacts[p].get("merged") == Some(&Value::Bool(true));
        (!merged).then_some(p)
    }

    /// The workspace's admins of one kind, in fixture order.
    pub fn teammates(&self, kind: Teammate) -> impl Iterator<Item = &Value> {
        self.admins.iter().filter(move |a| Teammate::of(a) == kind)
    }

    pub fn to_workspace(&self) -> Workspace {
        Workspace {
            admins: self.admins.clone(),
            contacts: self.contacts.clone(),
            conversations: self.conversations.clone(),
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

    fn contact(&self, id: &str) -> Option<&Value> {
        let p = self.position(Model::Contact, id)?;
        self.contacts.get(p as usize)
    }
}
