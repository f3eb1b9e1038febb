//! `conversation.conversation_rating`: the contact's CSAT rating and remark.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::de::integer;

/// `conversation.conversation_rating`. Intercom's object calls the number `rating` (search calls
/// the same field `score`; both are read).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RawRating")]
pub struct ConversationRating {
    /// `rating` (or `score`): the contact's rating as sent, meant to be 1–5; `None` when absent or
    /// not an integer. Range checks belong to the rules that read it.
    pub rating: Option<i64>,
    /// `remark`: the contact's optional comment; `None` when absent or blank.
    pub remark: Option<String>,
    /// `created_at`: when the rating was requested, unix seconds.
    pub created_at: Option<i64>,
}

#[derive(Deserialize)]
struct RawRating {
    #[serde(default)]
    rating: Value,
    #[serde(default)]
    score: Value,
    #[serde(default)]
    remark: Value,
    #[serde(default)]
    created_at: Value,
}

impl From<RawRating> for ConversationRating {
    fn from(raw: RawRating) -> Self {
        Self {
            rating: integer(&raw.rating).or_else(|| integer(&raw.score)),
            remark: match raw.remark {
                Value::String(s) if !s.trim().is_empty() => Some(s),
                _ => None,
            },
            created_at: integer(&raw.created_at),
        }
    }
}
