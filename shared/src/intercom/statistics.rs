//! `conversation.statistics`: Intercom's reporting timestamps and durations for one conversation.
//!
//! Every field is optional: 2.11 has no `handling_time` (2.13 and later do), any field may be
//! missing or `null`, and an integer sent as an integral float or a digit string is read as the
//! integer (anything else reads as `None`).

use serde::{Deserialize, Serialize};

use super::de::lenient_i64;

/// `conversation.statistics` (the fields the product reads). Instants are unix seconds (UTC);
/// durations are whole seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationStatistics {
    /// `first_contact_reply_at`: the first text message from a contact (for a contact-initiated
    /// conversation, its opening message), unix seconds.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub first_contact_reply_at: Option<i64>,
    /// `first_admin_reply_at`: the first admin reply after `first_contact_reply_at`, unix seconds.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub first_admin_reply_at: Option<i64>,
    /// `first_assignment_at`: the first assignment after `first_contact_reply_at`, unix seconds.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub first_assignment_at: Option<i64>,
    /// `time_to_admin_reply`: seconds until the first admin reply, out-of-office time subtracted.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub time_to_admin_reply: Option<i64>,
    /// `time_to_assignment`: seconds until the last assignment before the first admin reply.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub time_to_assignment: Option<i64>,
    /// `median_time_to_reply`: median seconds of admin replies after a contact reply, office
    /// hours only.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub median_time_to_reply: Option<i64>,
    /// `last_close_at`: the last close, unix seconds.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub last_close_at: Option<i64>,
    /// `count_reopens`: reopens after `first_contact_reply_at`.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub count_reopens: Option<i64>,
    /// `count_conversation_parts`: every part of the conversation, including those
    /// `GET /conversations/{id}` leaves out beyond its 500.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub count_conversation_parts: Option<i64>,
    /// `handling_time`: seconds from assignment to close (API 2.13 and later).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub handling_time: Option<i64>,
    /// `adjusted_handling_time`: `handling_time` without idle periods, seconds (2.16).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub adjusted_handling_time: Option<i64>,
}
