//! The `service_conversations` row (SERVICE-PERFORMANCE.md §3): one per conversation id, built by
//! the pure [`conversation_row`] from what Intercom returned.
//!
//! Where §3 is silent (also in docs/service-performance.md):
//! - The row also carries the local start date, hour and weekday in the reporting zone
//!   (`start_date`, `start_hour`, `start_day_of_week`), so the aggregates of §4 group by the one
//!   rule of §2 instead of redoing time-zone arithmetic in SQL. A change of
//!   `REPORTING_TIME_ZONE` therefore needs a full resync.
//! - Reply-level columns (`art_seconds`, `response_count`, `parts_truncated`) are all `None`
//!   exactly when the parts were not read (the conversation was unchanged since the stored row);
//!   the writer then keeps the stored values of those three columns.
//! - When the parts are truncated, the opening message is not taken as waiting: the parts between
//!   it and the oldest returned part are unknown, and counting it would make one gap span them.
//!   `art_seconds` and `response_count` then cover the returned parts only.
//! - `reopened_count` is `None` when Intercom sent no `count_reopens`; `is_reopened` is then
//!   `false` (nothing says it was reopened).
//! - An unknown Intercom `state` is stored as `other`.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::intercom::models::ConversationParts;
use crate::intercom::{AdminNames, Conversation};
use crate::time;

use super::assignee::assignee;
use super::channel::channel;
use super::csat::csat;
use super::durations;
use super::parts::is_truncated;
use super::reply::{opening_contact_message, replies};
use super::sentiment::{sentiment, Sentiment, SentimentSource};
use super::started::{local_start, started_at};

/// One `service_conversations` row. Instants are UTC; durations are whole seconds, all hours
/// unless the column says office hours. No field holds a message body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceConversation {
    /// ← `conversation.id`.
    pub conversation_id: String,
    /// ← `conversation.created_at`.
    pub created_at: DateTime<Utc>,
    /// ← `conversation.updated_at`; a conversation's parts are re-read only when this changes.
    pub updated_at: DateTime<Utc>,
    /// ← `conversation.state`: `open`, `closed`, `snoozed`, or `other` for a state this product
    /// does not know.
    pub state: String,
    /// ← `statistics.first_contact_reply_at`, else `created_at` (§2).
    pub started_at: DateTime<Utc>,
    /// Local date of `started_at` in the reporting zone: the day every aggregate files it under.
    pub start_date: NaiveDate,
    /// Local hour of `started_at` in the reporting zone, 0–23.
    pub start_hour: i32,
    /// Local weekday of `started_at` in the reporting zone, 0 = Sunday … 6 = Saturday.
    pub start_day_of_week: i32,
    /// ← `custom_attributes.Channel`, else `source.type`.
    pub channel: Option<String>,
    /// ← the first contact of `contacts.contacts`.
    pub contact_id: Option<String>,
    /// ← that contact's `location.country` (looked up by the caller); `None` when unknown.
    pub contact_country: Option<String>,
    /// ← `admin_assignee_id`; `None` when unassigned (`null` or `0`).
    pub assignee_id: Option<String>,
    /// ← the assignee's `name` from `GET /admins`.
    pub assignee_name: Option<String>,
    /// ← `team_assignee_id`; `None` when no team (`null` or `0`).
    pub team_id: Option<String>,
    /// ← `statistics.first_admin_reply_at − statistics.first_contact_reply_at`, seconds, all
    /// hours; `None` when either is missing.
    pub frt_seconds: Option<i64>,
    /// ← `statistics.time_to_admin_reply`, seconds, office hours.
    pub frt_office_hours_seconds: Option<i64>,
    /// ← parts: the mean reply gap of human admin comments to unanswered contact messages,
    /// seconds, all hours, rounded; `None` without a gap or when the parts were not read.
    pub art_seconds: Option<i64>,
    /// ← `statistics.median_time_to_reply`, seconds, office hours.
    pub median_reply_seconds: Option<i64>,
    /// ← parts: the number of human admin `comment` parts; `None` when the parts were not read.
    pub response_count: Option<i64>,
    /// ← `statistics.handling_time`, seconds; `None` when absent (never `updated_at −
    /// created_at`).
    pub aht_seconds: Option<i64>,
    /// ← `statistics.time_to_assignment`, else `first_assignment_at − first_contact_reply_at`,
    /// seconds; `None` when never assigned.
    pub wait_time_seconds: Option<i64>,
    /// ← `statistics.last_close_at − started_at`, seconds, for closed conversations.
    pub time_to_close_seconds: Option<i64>,
    /// ← `conversation_rating.rating`, 1–5; `None` when unrated.
    pub csat_rating: Option<i64>,
    /// ← `conversation_rating.remark`; `None` when unrated or blank.
    pub csat_remark: Option<String>,
    /// ← `custom_attributes["CX Score rating"]`, else a `positive`/`neutral`/`negative` tag;
    /// `None` when neither says (never a default).
    pub sentiment: Option<Sentiment>,
    /// `cx_score` or `tag`: where `sentiment` came from; `None` with it.
    pub sentiment_source: Option<SentimentSource>,
    /// ← `statistics.count_reopens`; `None` when absent.
    pub reopened_count: Option<i64>,
    /// `reopened_count > 0`.
    pub is_reopened: bool,
    /// `statistics.count_conversation_parts` (or the list's `total_count`) exceeds the parts
    /// returned; `None` when the parts were not read.
    pub parts_truncated: Option<bool>,
    /// When the row was computed (passed in, not read from the clock).
    pub synced_at: DateTime<Utc>,
}

/// Builds the row of `conv`.
///
/// - `parts`: the conversation's parts when they were read (`GET /conversations/{id}`, usually
///   `conv.conversation_parts`), or `None` when they were not; then the reply-level columns are
///   `None`.
/// - `contact_country`: the first contact's `location.country`, if known.
/// - `admins`: admin names from `GET /admins`.
/// - `tz`: the reporting time zone; `synced_at`: the run's clock.
pub fn conversation_row(
    conv: &Conversation,
    parts: Option<&ConversationParts>,
    contact_country: Option<&str>,
    admins: &AdminNames,
    tz: Tz,
    synced_at: DateTime<Utc>,
) -> ServiceConversation {
    let stats = conv.statistics.as_ref();
    let started = started_at(conv);
    let local = local_start(started, tz);
    let who = assignee(conv, admins);
    let rating = csat(conv.conversation_rating.as_ref());
    let feeling = sentiment(conv);
    let reopens = stats.and_then(|s| s.count_reopens);

    let reply_level = parts.map(|list| {
        let truncated = is_truncated(stats, list);
        let opening = if truncated {
            None
        } else {
            opening_contact_message(conv)
        };
        (replies(opening, &list.parts), truncated)
    });

    ServiceConversation {
        conversation_id: conv.id.clone(),
        created_at: time::instant(conv.created_at),
        updated_at: time::instant(conv.updated_at),
        state: conv.state.as_str().to_string(),
        started_at: time::instant(started),
        start_date: local.date,
        start_hour: local.hour as i32,
        start_day_of_week: local.day_of_week as i32,
        channel: channel(conv),
        contact_id: conv.first_contact_id().map(str::to_string),
        contact_country: contact_country
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        assignee_id: who.id,
        assignee_name: who.name,
        team_id: who.team_id,
        frt_seconds: durations::frt_seconds(stats),
        frt_office_hours_seconds: durations::frt_office_hours_seconds(stats),
        art_seconds: reply_level.as_ref().and_then(|(r, _)| r.art_seconds()),
        median_reply_seconds: durations::median_reply_seconds(stats),
        response_count: reply_level.as_ref().map(|(r, _)| r.response_count),
        aht_seconds: durations::aht_seconds(stats),
        wait_time_seconds: durations::wait_time_seconds(stats),
        time_to_close_seconds: durations::time_to_close_seconds(conv, started),
        csat_rating: rating.rating,
        csat_remark: rating.remark,
        sentiment: feeling.map(|(s, _)| s),
        sentiment_source: feeling.map(|(_, src)| src),
        reopened_count: reopens,
        is_reopened: reopens.is_some_and(|n| n > 0),
        parts_truncated: reply_level.as_ref().map(|(_, t)| *t),
        synced_at,
    }
}
