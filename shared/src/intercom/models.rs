//! Intercom objects as the product reads them.
//!
//! Every model tolerates unknown fields and both the 2.11 and 2.16 shapes: ids arrive as strings or
//! integers and are kept as strings; an unassigned admin is `null` (2.11) or `0` (2.16) and becomes
//! `None`. Times are unix seconds, UTC. Fields added for reporting (statistics, rating, tags,
//! source, parts) are read leniently: a value of an unexpected shape reads as absent, so it never
//! makes a conversation unreadable. Message bodies are never read (see [`super::messages`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::de::{
    assignee_id, id_string, integer, lenient_object, lenient_or_default, lenient_string,
    null_as_default,
};
pub use super::messages::{
    AuthorType, ConversationPart, ConversationParts, ConversationSource, MessageAuthor, PartType,
};
pub use super::rating::ConversationRating;
pub use super::statistics::ConversationStatistics;
pub use super::tags::{ConversationTags, Tag};

/// A contact's or conversation's `custom_attributes`: attribute name as-is → JSON value.
pub type CustomAttributes = serde_json::Map<String, Value>;

/// An Intercom contact (a member), as `GET /contacts/{id}` and contact search return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// `contact.id`.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// `contact.external_id`, Intercom's "User ID".
    #[serde(default)]
    pub external_id: Option<String>,
    /// `contact.role`: `user` or `lead`.
    #[serde(default)]
    pub role: Option<String>,
    /// `contact.name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `contact.email`.
    #[serde(default)]
    pub email: Option<String>,
    /// `contact.owner_id`: the owning admin's id; `None` when unset or `0`.
    #[serde(default, deserialize_with = "assignee_id")]
    pub owner_id: Option<String>,
    /// `contact.created_at`, unix seconds.
    #[serde(default)]
    pub created_at: Option<i64>,
    /// `contact.updated_at`, unix seconds.
    #[serde(default)]
    pub updated_at: Option<i64>,
    /// `contact.custom_attributes`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub custom_attributes: CustomAttributes,
    /// `contact.location` (city and region are not kept); `None` when absent or not an object.
    #[serde(default, deserialize_with = "lenient_object")]
    pub location: Option<ContactLocation>,
}

/// `contact.location`: where Intercom places the contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactLocation {
    /// `location.country`, e.g. `United States`; `None` when absent, blank or not a string.
    #[serde(default, deserialize_with = "lenient_string")]
    pub country: Option<String>,
}

impl Contact {
    /// `location.country`, when Intercom knows it.
    pub fn country(&self) -> Option<&str> {
        self.location.as_ref()?.country.as_deref()
    }
}

impl Contact {
    /// The custom attribute `name` as a non-empty string, if it is one.
    pub fn attr_str(&self, name: &str) -> Option<&str> {
        attr_str(&self.custom_attributes, name)
    }

    /// The custom attribute `name` as unix seconds (date attributes), if it holds a number.
    pub fn attr_timestamp(&self, name: &str) -> Option<i64> {
        attr_timestamp(&self.custom_attributes, name)
    }
}

/// `conversation.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConversationState {
    Open,
    Closed,
    Snoozed,
    /// A state this product does not know; treated as not closed.
    #[serde(other)]
    Other,
}

impl ConversationState {
    /// The state as Intercom spells it (`open`, `closed`, `snoozed`), or `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationState::Open => "open",
            ConversationState::Closed => "closed",
            ConversationState::Snoozed => "snoozed",
            ConversationState::Other => "other",
        }
    }
}

/// A contact reference inside `conversation.contacts.contacts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactReference {
    /// `contact.id`.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// `contact.external_id`.
    #[serde(default)]
    pub external_id: Option<String>,
}

/// `conversation.contacts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConversationContacts {
    #[serde(default, deserialize_with = "null_as_default")]
    pub contacts: Vec<ContactReference>,
}

/// An Intercom conversation (a coaching session or call, a support conversation), as conversation
/// search and `GET /conversations/{id}` return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// `conversation.id`.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// `conversation.created_at`, unix seconds.
    pub created_at: i64,
    /// `conversation.updated_at`, unix seconds.
    pub updated_at: i64,
    /// `conversation.state`.
    pub state: ConversationState,
    /// `conversation.admin_assignee_id`: the coach; `None` when `null` or `0`.
    #[serde(default, deserialize_with = "assignee_id")]
    pub admin_assignee_id: Option<String>,
    /// `conversation.contacts`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub contacts: ConversationContacts,
    /// `conversation.custom_attributes` (`Channel`, `Service Code`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub custom_attributes: CustomAttributes,
    /// `conversation.statistics`; `None` when `null`, absent or not an object.
    #[serde(default, deserialize_with = "lenient_object")]
    pub statistics: Option<ConversationStatistics>,
    /// `conversation.team_assignee_id`: the assigned team; `None` when `null` (2.11) or `0` (2.16).
    #[serde(default, deserialize_with = "assignee_id")]
    pub team_assignee_id: Option<String>,
    /// `conversation.source`: the first message (type, author, how it was delivered; no body).
    #[serde(default, deserialize_with = "lenient_object")]
    pub source: Option<ConversationSource>,
    /// `conversation.conversation_rating`; `None` when unrated (`null`).
    #[serde(default, deserialize_with = "lenient_object")]
    pub conversation_rating: Option<ConversationRating>,
    /// `conversation.tags` (`{"type": "tag.list", "tags": [...]}`); empty when absent.
    #[serde(default, deserialize_with = "lenient_or_default")]
    pub tags: ConversationTags,
    /// `conversation.conversation_parts`: only `GET /conversations/{id}` sends them (at most the
    /// 500 most recent); `None` when absent, as in search results.
    #[serde(default, deserialize_with = "lenient_object")]
    pub conversation_parts: Option<ConversationParts>,
}

impl Conversation {
    /// The custom attribute `name` as a non-empty string, if it is one.
    pub fn attr_str(&self, name: &str) -> Option<&str> {
        attr_str(&self.custom_attributes, name)
    }

    /// The custom attribute `name` as an integer, if it holds one (see [`attr_integer`]).
    pub fn attr_integer(&self, name: &str) -> Option<i64> {
        attr_integer(&self.custom_attributes, name)
    }

    /// Ids of every contact the conversation belongs to (`contacts.contacts[].id`), in
    /// Intercom's order.
    pub fn contact_ids(&self) -> impl Iterator<Item = &str> {
        self.contacts.contacts.iter().map(|c| c.id.as_str())
    }

    /// The first contact of `contacts.contacts`, if any.
    pub fn first_contact_id(&self) -> Option<&str> {
        self.contact_ids().next()
    }
}

/// An Intercom admin (a coach), as `GET /admins` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Admin {
    /// `admin.id`.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// `admin.name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `admin.email`.
    #[serde(default)]
    pub email: Option<String>,
}

/// A data attribute, as `GET /data_attributes?model=contact` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataAttribute {
    /// `data_attribute.name`, e.g. `Last Coaching Session`.
    pub name: String,
    /// `data_attribute.full_name`, e.g. `custom_attributes.Last Coaching Session`.
    #[serde(default)]
    pub full_name: Option<String>,
    /// `data_attribute.model`: `contact` or `company`.
    #[serde(default)]
    pub model: Option<String>,
    /// `data_attribute.data_type`: `string`, `integer`, `float`, `boolean` or `date`.
    pub data_type: String,
    /// `data_attribute.options`: predefined values of a list attribute.
    #[serde(default, deserialize_with = "null_as_default")]
    pub options: Vec<String>,
    /// `data_attribute.api_writable`.
    #[serde(default)]
    pub api_writable: Option<bool>,
    /// `data_attribute.custom`.
    #[serde(default)]
    pub custom: Option<bool>,
    /// `data_attribute.archived`.
    #[serde(default)]
    pub archived: Option<bool>,
}

/// A custom attribute as a non-empty string.
pub fn attr_str<'a>(attrs: &'a CustomAttributes, name: &str) -> Option<&'a str> {
    match attrs.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.as_str()),
        _ => None,
    }
}

/// A custom attribute as an integer: an integer, an integral float (`4.0`) or a string of an
/// integer (`"4"`); `None` for a fraction, text, a boolean, `null` or a missing attribute.
pub fn attr_integer(attrs: &CustomAttributes, name: &str) -> Option<i64> {
    integer(attrs.get(name)?)
}

/// A custom date attribute as unix seconds: an integer, a float, or a string of digits.
pub fn attr_timestamp(attrs: &CustomAttributes, name: &str) -> Option<i64> {
    match attrs.get(name)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unassigned_is_none_in_both_versions() {
        for raw in [json!(null), json!(0), json!("0")] {
            let c: Conversation = serde_json::from_value(json!({
                "id": 1, "created_at": 1, "updated_at": 2, "state": "closed",
                "admin_assignee_id": raw, "unknown_field": true
            }))
            .unwrap();
            assert_eq!(c.admin_assignee_id, None);
            assert_eq!(c.id, "1");
        }
        let c: Conversation = serde_json::from_value(json!({
            "id": "7", "created_at": 1, "updated_at": 2, "state": "snoozed", "admin_assignee_id": 42
        }))
        .unwrap();
        assert_eq!(c.admin_assignee_id.as_deref(), Some("42"));
        assert_eq!(c.state, ConversationState::Snoozed);
    }

    #[test]
    fn timestamps_read_from_numbers_and_digit_strings() {
        let c: Contact = serde_json::from_value(json!({
            "id": "a", "custom_attributes": {"A": 1700000000, "B": "1700000001", "C": 1.7e9, "D": "x", "E": null}
        }))
        .unwrap();
        assert_eq!(c.attr_timestamp("A"), Some(1_700_000_000));
        assert_eq!(c.attr_timestamp("B"), Some(1_700_000_001));
        assert_eq!(c.attr_timestamp("C"), Some(1_700_000_000));
        assert_eq!(c.attr_timestamp("D"), None);
        assert_eq!(c.attr_timestamp("E"), None);
        assert_eq!(c.attr_timestamp("missing"), None);
    }

    const V2_11: &str = include_str!("testdata/conversation-2.11.json");
    const V2_16: &str = include_str!("testdata/conversation-2.16.json");

    #[test]
    fn reads_a_2_11_conversation_with_parts() {
        let c: Conversation = serde_json::from_str(V2_11).unwrap();
        assert_eq!(c.id, "1295");
        assert_eq!(
            (c.admin_assignee_id.clone(), c.team_assignee_id.clone()),
            (None, None)
        );
        let st = c.statistics.clone().unwrap();
        assert_eq!(st.first_contact_reply_at, Some(1_730_611_800));
        assert_eq!(st.first_admin_reply_at, Some(1_730_611_895));
        assert_eq!(st.time_to_admin_reply, Some(95));
        assert_eq!(st.count_conversation_parts, Some(4));
        assert_eq!(st.handling_time, None, "2.11 has no handling_time");
        let rating = c.conversation_rating.clone().unwrap();
        assert_eq!(
            (rating.rating, rating.remark.as_deref()),
            (Some(5), Some("Quick and kind"))
        );
        assert_eq!(c.tags.names().collect::<Vec<_>>(), ["Positive"]);
        let source = c.source.clone().unwrap();
        assert_eq!(source.source_type.as_deref(), Some("conversation"));
        assert_eq!(source.delivered_as.as_deref(), Some("customer_initiated"));
        let author = source.author.unwrap();
        assert_eq!(author.author_type, Some(AuthorType::User));
        assert_eq!((author.from_ai_agent, author.is_ai_answer), (None, None));
        let parts = c.conversation_parts.clone().unwrap();
        assert_eq!(parts.total_count, Some(4));
        let kinds: Vec<_> = parts.parts.iter().map(|p| p.part_type).collect();
        use PartType::*;
        assert_eq!(
            kinds,
            [Some(Comment), Some(Comment), Some(Note), Some(Close)]
        );
        assert_eq!(parts.parts[0].id.as_deref(), Some("7001"));
        assert_eq!(parts.parts[0].created_at, Some(1_730_611_895));
        assert_eq!(
            parts.parts[1].author.as_ref().unwrap().author_type,
            Some(AuthorType::User)
        );
    }

    #[test]
    fn reads_a_2_16_conversation_with_parts() {
        let c: Conversation = serde_json::from_str(V2_16).unwrap();
        assert_eq!(c.admin_assignee_id.as_deref(), Some("991267715"));
        assert_eq!(c.team_assignee_id, None, "0 is no team");
        assert_eq!(c.conversation_rating, None);
        assert!(c.tags.tags.is_empty());
        assert_eq!(
            c.contact_ids().collect::<Vec<_>>(),
            ["6762f1571bb69f9f2193bbbb", "6762f15b1bb69f9f2193bbbc"],
            "contacts keep Intercom's order"
        );
        assert_eq!(c.first_contact_id(), Some("6762f1571bb69f9f2193bbbb"));
        let st = c.statistics.clone().unwrap();
        assert_eq!(st.handling_time, Some(2_310));
        assert_eq!(st.adjusted_handling_time, None);
        assert_eq!(st.last_close_at, None);
        assert_eq!(st.count_reopens, Some(2));
        assert_eq!(st.time_to_assignment, Some(600));
        assert_eq!(st.median_time_to_reply, Some(1_500));
        let source = c.source.clone().unwrap();
        assert_eq!(source.source_type.as_deref(), Some("email"));
        assert_eq!(source.author.unwrap().author_type, Some(AuthorType::Lead));
        let parts = c.conversation_parts.unwrap().parts;
        assert_eq!(parts.len(), 4);
        assert_eq!(
            parts[0].id.as_deref(),
            Some("1"),
            "integer part ids become strings"
        );
        let fin = parts[0].author.clone().unwrap();
        assert_eq!(fin.author_type, Some(AuthorType::Bot));
        assert_eq!(
            (fin.from_ai_agent, fin.is_ai_answer),
            (Some(true), Some(true))
        );
        assert_eq!(parts[1].part_type, Some(PartType::Assignment));
        let human = parts[2].author.clone().unwrap();
        assert_eq!(human.author_type, Some(AuthorType::Admin));
        assert_eq!(human.from_ai_agent, Some(false));
        assert_eq!(parts[3].part_type, Some(PartType::Other));
        assert_eq!(
            parts[3].author.clone().unwrap().author_type,
            Some(AuthorType::Team)
        );
    }

    #[test]
    fn no_body_subject_or_author_name_survives_serialisation() {
        for raw in [V2_11, V2_16] {
            let c: Conversation = serde_json::from_str(raw).unwrap();
            let out = serde_json::to_string(&c).unwrap();
            for pii in [
                "body",
                "subject",
                "card was charged",
                "cannot log in",
                "refunding",
                "Refund id",
                "joe@bloggs.com",
                "Joe Bloggs",
                "Ann Lee",
                "\"email\":",
                "\"name\":\"Joe",
            ] {
                assert!(!out.contains(pii), "{pii} leaked into {out}");
            }
            let back: Conversation = serde_json::from_str(&out).unwrap();
            assert_eq!(back, c, "what is serialised reads back the same");
        }
    }

    #[test]
    fn odd_shapes_read_as_absent_without_failing_the_conversation() {
        let c: Conversation = serde_json::from_value(json!({
            "id": 1, "created_at": 1, "updated_at": 2, "state": "open",
            "team_assignee_id": "0",
            "statistics": {"first_contact_reply_at": "1700000000", "time_to_admin_reply": 60.0,
                           "count_reopens": "two", "handling_time": 12.5, "new_metric": {"x": 1}},
            "conversation_rating": {"score": "4", "remark": "  "},
            "tags": [{"id": 5, "name": "neutral"}, "loose", {"name": 7}],
            "source": {"type": 3, "author": "someone"},
            "conversation_parts": {"conversation_parts": [
                "junk",
                {"id": 9, "part_type": 12, "created_at": "x", "author": {"type": "martian", "id": 4}}
            ], "total_count": "1"},
        }))
        .unwrap();
        let st = c.statistics.unwrap();
        assert_eq!(st.first_contact_reply_at, Some(1_700_000_000));
        assert_eq!(st.time_to_admin_reply, Some(60));
        assert_eq!(st.count_reopens, None);
        assert_eq!(st.handling_time, None, "a fraction is not whole seconds");
        let rating = c.conversation_rating.unwrap();
        assert_eq!((rating.rating, rating.remark), (Some(4), None));
        assert_eq!(c.tags.names().collect::<Vec<_>>(), ["neutral"]);
        assert_eq!(c.tags.tags[0].id.as_deref(), Some("5"));
        let source = c.source.unwrap();
        assert_eq!((source.source_type, source.author), (None, None));
        let parts = c.conversation_parts.unwrap();
        assert_eq!(parts.total_count, Some(1));
        assert_eq!(parts.parts.len(), 1);
        let p = &parts.parts[0];
        assert_eq!((p.part_type, p.created_at), (None, None));
        assert_eq!(
            p.author.clone().unwrap().author_type,
            Some(AuthorType::Other)
        );

        for junk in [json!("x"), json!(3), json!([1])] {
            let c: Conversation = serde_json::from_value(json!({
                "id": 1, "created_at": 1, "updated_at": 2, "state": "open",
                "statistics": junk, "conversation_rating": junk, "tags": junk,
                "source": junk, "conversation_parts": junk,
            }))
            .unwrap();
            assert_eq!(c.statistics, None);
            assert_eq!(c.conversation_rating, None);
            assert!(c.tags.tags.is_empty());
            assert_eq!(c.source, None);
            assert_eq!(c.conversation_parts.map(|p| p.parts.len()).unwrap_or(0), 0);
        }
    }

    #[test]
    fn search_results_without_the_new_fields_still_read() {
        let c: Conversation = serde_json::from_value(json!({
            "id": "7", "created_at": 1, "updated_at": 2, "state": "closed",
            "statistics": {"last_close_at": 5}
        }))
        .unwrap();
        assert_eq!(c.statistics.unwrap().last_close_at, Some(5));
        assert_eq!(
            (c.source, c.conversation_parts, c.conversation_rating),
            (None, None, None)
        );
        assert!(c.tags.tags.is_empty());
    }
}
