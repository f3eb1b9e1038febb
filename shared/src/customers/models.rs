//! What customer sync reads from Intercom, in its own shapes: a contact with the profile and
//! Stripe attributes (§2), and a conversation with what support activity needs, message bodies
//! included (the cancel-keyword matcher reads them).
//!
//! Bodies are member PII: [`Body`] has no `Serialize`, and its `Debug` prints only its length,
//! so no log line or summary can carry one.

use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::intercom::models::{
    AuthorType, ConversationContacts, ConversationRating, MessageAuthor,
};
use crate::intercom::{CustomAttributes, Identified};

fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!("id is {other}"))),
    }
}

/// Unix seconds from an integer, a float or a string of digits; anything else is absent.
fn lenient_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A string, or absent for anything else (a number is kept as its text).
fn lenient_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) if !s.trim().is_empty() => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn lenient_object<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        v @ Value::Object(_) => serde_json::from_value(v).ok(),
        _ => None,
    })
}

fn null_as_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(
    d: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `contact.location`: country and city.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Location {
    /// `location.country`, e.g. `United States`.
    #[serde(default, deserialize_with = "lenient_text")]
    pub country: Option<String>,
    /// `location.city`, e.g. `Chicago`.
    #[serde(default, deserialize_with = "lenient_text")]
    pub city: Option<String>,
}

/// A contact as `POST /contacts/search` returns it: what §2 reads. Times are unix seconds, UTC.
#[derive(Clone, PartialEq, Deserialize)]
pub struct CustomerContact {
    /// `contact.id`.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// `contact.role`: `user` or `lead`.
    #[serde(default, deserialize_with = "lenient_text")]
    pub role: Option<String>,
    /// `contact.external_id`.
    #[serde(default, deserialize_with = "lenient_text")]
    pub external_id: Option<String>,
    /// `contact.email`, as Intercom holds it.
    #[serde(default, deserialize_with = "lenient_text")]
    pub email: Option<String>,
    /// `contact.name`.
    #[serde(default, deserialize_with = "lenient_text")]
    pub name: Option<String>,
    /// `contact.created_at`.
    #[serde(default, deserialize_with = "lenient_seconds")]
    pub created_at: Option<i64>,
    /// `contact.updated_at`.
    #[serde(default, deserialize_with = "lenient_seconds")]
    pub updated_at: Option<i64>,
    /// `contact.last_seen_at`; `None` when never seen.
    #[serde(default, deserialize_with = "lenient_seconds")]
    pub last_seen_at: Option<i64>,
    /// `contact.location`.
    #[serde(default, deserialize_with = "lenient_object")]
    pub location: Option<Location>,
    /// `contact.custom_attributes` (the `stripe_*` attributes and the Stripe arrays).
    #[serde(default, deserialize_with = "null_as_default")]
    pub custom_attributes: CustomAttributes,
}

// Contacts carry member PII (email, name): Debug shows the id only.
impl fmt::Debug for CustomerContact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomerContact")
            .field("id", &self.id)
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
}

impl Identified for CustomerContact {
    fn id(&self) -> &str {
        &self.id
    }
}

/// A message body (HTML). Never serialised; `Debug` shows its length only.
#[derive(Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(transparent)]
pub struct Body(pub String);

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Body({} bytes)", self.0.len())
    }
}

fn lenient_body<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Body>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(Body(s)),
        _ => None,
    })
}

/// `conversation.source`: the first message.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Source {
    /// `source.delivered_as`: `customer_initiated`, `admin_initiated`, `automated`, ...
    #[serde(default, deserialize_with = "lenient_text")]
    pub delivered_as: Option<String>,
    /// `source.author`.
    #[serde(default, deserialize_with = "lenient_object")]
    pub author: Option<MessageAuthor>,
    /// `source.body` (HTML).
    #[serde(default, deserialize_with = "lenient_body")]
    pub body: Option<Body>,
}

/// `conversation_part`: a message or event after the source.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Part {
    /// `conversation_part.part_type`: `comment`, `note`, `open`, ...
    #[serde(default, deserialize_with = "lenient_text")]
    pub part_type: Option<String>,
    /// `conversation_part.created_at`, unix seconds.
    #[serde(default, deserialize_with = "lenient_seconds")]
    pub created_at: Option<i64>,
    /// `conversation_part.author`.
    #[serde(default, deserialize_with = "lenient_object")]
    pub author: Option<MessageAuthor>,
    /// `conversation_part.body` (HTML); `None` for events without text.
    #[serde(default, deserialize_with = "lenient_body")]
    pub body: Option<Body>,
}

/// `conversation.conversation_parts`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Parts {
    #[serde(
        rename = "conversation_parts",
        default,
        deserialize_with = "lenient_parts"
    )]
    pub parts: Vec<Part>,
}

fn lenient_parts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Part>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(xs) => xs
            .into_iter()
            .filter_map(|x| serde_json::from_value(x).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// `conversation.statistics`: only what support activity reads.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Statistics {
    /// `statistics.last_contact_reply_at`: the contact's latest message, unix seconds.
    #[serde(default, deserialize_with = "lenient_seconds")]
    pub last_contact_reply_at: Option<i64>,
}

/// A conversation as conversation search (no parts) or `GET /conversations/{id}` (parts) returns
/// it. Times are unix seconds, UTC.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SupportConversation {
    /// `conversation.id`.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// `conversation.created_at`.
    pub created_at: i64,
    /// `conversation.updated_at`.
    pub updated_at: i64,
    /// `conversation.state`: `open`, `closed`, `snoozed`.
    #[serde(default, deserialize_with = "lenient_text")]
    pub state: Option<String>,
    /// `conversation.contacts`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub contacts: ConversationContacts,
    /// `conversation.conversation_rating`; `None` when unrated.
    #[serde(default, deserialize_with = "lenient_object")]
    pub conversation_rating: Option<ConversationRating>,
    /// `conversation.statistics`.
    #[serde(default, deserialize_with = "lenient_object")]
    pub statistics: Option<Statistics>,
    /// `conversation.source`.
    #[serde(default, deserialize_with = "lenient_object")]
    pub source: Option<Source>,
    /// `conversation.conversation_parts`: only `GET /conversations/{id}` sends them.
    #[serde(default, deserialize_with = "lenient_object")]
    pub conversation_parts: Option<Parts>,
}

impl Identified for SupportConversation {
    fn id(&self) -> &str {
        &self.id
    }
}

impl SupportConversation {
    /// Ids of the contacts the conversation belongs to.
    pub fn contact_ids(&self) -> impl Iterator<Item = &str> {
        self.contacts.contacts.iter().map(|c| c.id.as_str())
    }
}

/// Whether `author` is the contact `contact_id`: a user, lead or contact author with that id
/// (or with no id, when the conversation has that one contact only). Admins, bots and teams
/// never are.
pub fn written_by(author: Option<&MessageAuthor>, contact_id: &str, sole_contact: bool) -> bool {
    let Some(author) = author else {
        return false;
    };
    let is_contact = matches!(
        author.author_type,
        Some(AuthorType::User | AuthorType::Lead | AuthorType::Contact)
    );
    is_contact
        && match author.id.as_deref() {
            Some(id) => id == contact_id,
            None => sole_contact,
        }
}
