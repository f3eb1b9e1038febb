//! The workspace a simulator serves: Intercom objects as Intercom returns them.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The fixture format: `{"admins":[],"contacts":[],"conversations":[],"data_attributes":[]}`.
///
/// Items have Intercom's own shapes at the default version 2.11 (as `GET /admins`,
/// `GET /contacts/{id}`, `GET /conversations/{id}` and `GET /data_attributes` return them).
/// Missing keys default to empty lists; missing optional properties of an item are filled with
/// Intercom's defaults when it is served.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Workspace {
    pub admins: Vec<Value>,
    pub contacts: Vec<Value>,
    pub conversations: Vec<Value>,
    pub data_attributes: Vec<Value>,
}

/// Where a generator puts objects, one at a time: a [`Workspace`] collects them as values, a
/// [`crate::CompactWorkspace`] stores them compactly as they come.
pub(crate) trait Sink {
    fn admin(&mut self, admin: Value);
    fn contact(&mut self, contact: Value);
    fn conversation(&mut self, conversation: Value);
    fn data_attribute(&mut self, attribute: Value);
}

impl Sink for Workspace {
    fn admin(&mut self, admin: Value) {
        self.admins.push(admin);
    }

    fn contact(&mut self, contact: Value) {
        self.contacts.push(contact);
    }

    fn conversation(&mut self, conversation: Value) {
        self.conversations.push(conversation);
    }

    fn data_attribute(&mut self, attribute: Value) {
        self.data_attributes.push(attribute);
    }
}

/// Why a fixture could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("cannot open fixture {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("fixture {path} is not a workspace JSON object: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write fixture {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Workspace {
    /// This workspace with another's objects added after its own (e.g. a support workload
    /// next to the coaching one). Admins with an id already present, and data attributes with
    /// a model and name already present, are kept once (this workspace's).
    pub fn merge(mut self, other: Workspace) -> Workspace {
        let key = |a: &Value| a.get("id").map(Value::to_string);
        let ids: std::collections::HashSet<String> = self.admins.iter().filter_map(key).collect();
        self.admins.extend(
            other
                .admins
                .into_iter()
                .filter(|a| key(a).is_none_or(|k| !ids.contains(&k))),
        );
        let attr = |a: &Value| {
            (
                a.get("model").map(Value::to_string),
                a.get("name").map(Value::to_string),
            )
        };
        let names: std::collections::HashSet<_> = self.data_attributes.iter().map(attr).collect();
        self.data_attributes.extend(
            other
                .data_attributes
                .into_iter()
                .filter(|a| !names.contains(&attr(a))),
        );
        self.contacts.extend(other.contacts);
        self.conversations.extend(other.conversations);
        self
    }

    /// Reads a fixture file written by [`Workspace::to_file`] or by hand.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, WorkspaceError> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| WorkspaceError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_reader(BufReader::new(file)).map_err(|source| WorkspaceError::Parse {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Writes the workspace as compact JSON (object keys sorted, so equal workspaces give equal
    /// bytes).
    pub fn to_file(&self, path: impl AsRef<Path>) -> Result<(), WorkspaceError> {
        let path = path.as_ref();
        let write_err = |source| WorkspaceError::Write {
            path: path.to_path_buf(),
            source,
        };
        let file = File::create(path).map_err(write_err)?;
        let mut out = BufWriter::new(file);
        serde_json::to_writer(&mut out, self).map_err(|e| write_err(std::io::Error::other(e)))?;
        out.flush().map_err(write_err)
    }
}
