//! `conversation.tags`: the tags applied to a conversation.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::de::lenient_id;

/// `conversation.tags`: `{"type": "tag.list", "tags": [{"id", "name"}]}` in both 2.11 and 2.16;
/// a bare array of tags is read too. A tag of another shape is skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Value")]
pub struct ConversationTags {
    /// `tags.tags`, in Intercom's order.
    pub tags: Vec<Tag>,
}

/// One tag of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// `tag.id` (string or integer, kept as a string).
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<String>,
    /// `tag.name`, as written in the workspace.
    #[serde(default)]
    pub name: Option<String>,
}

impl ConversationTags {
    /// The names of the tags, in Intercom's order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.tags.iter().filter_map(|t| t.name.as_deref())
    }
}

impl From<Value> for ConversationTags {
    fn from(raw: Value) -> Self {
        let items = match raw {
            Value::Object(mut o) => o.remove("tags").unwrap_or(Value::Null),
            bare => bare,
        };
        let tags = match items {
            Value::Array(xs) => xs
                .into_iter()
                .filter_map(|x| serde_json::from_value(x).ok())
                .collect(),
            _ => Vec::new(),
        };
        Self { tags }
    }
}
