//! What the reports are computed from and what they share: [`Session`] (a conversation reduced
//! to what reports need), the filters, the context (as-of, configuration, admins) and the session
//! row of the caseload and sessions reports.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::coaching::config::Config;
use crate::coaching::rules::buckets::Channel;
use crate::coaching::rules::classes::{
    channel, is_billing_call, is_coaching_session, service_code, session_time,
};
use crate::intercom::models::{Admin, Contact, Conversation};
use crate::time::{days_since, instant, local_date, rfc3339, ymd};

/// A conversation reduced to what reports need; built once per conversation as pages arrive.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Session {
    /// `conversation.id`.
    pub conversation_id: String,
    /// `conversation.contacts.contacts[].id`, distinct, in Intercom's order.
    pub member_ids: Vec<String>,
    /// `conversation.admin_assignee_id`; `None` when unassigned.
    pub coach_id: Option<String>,
    /// `custom_attributes.Channel`, as stored.
    pub channel: String,
    /// `custom_attributes["Service Code"]`, when a non-empty string.
    pub service_code: Option<String>,
    /// Session time, unix seconds ([`crate::coaching::rules::classes::session_time`]).
    pub at: i64,
    /// A coaching session (RULES.md §4): caseload, sessions, new participants.
    pub coaching: bool,
    /// A billing call (RULES.md §4): billing.
    pub billing: bool,
}

impl Session {
    /// The session of `conv`; `None` unless it is a coaching session or a billing call.
    pub fn from_conversation(conv: &Conversation, config: &Config) -> Option<Self> {
        let coaching = is_coaching_session(conv, config);
        let billing = is_billing_call(conv, config);
        if !coaching && !billing {
            return None;
        }
        let mut member_ids: Vec<String> = Vec::new();
        for id in conv.contact_ids() {
            if !member_ids.iter().any(|m| m == id) {
                member_ids.push(id.to_string());
            }
        }
        Some(Self {
            conversation_id: conv.id.clone(),
            member_ids,
            coach_id: conv.admin_assignee_id.clone(),
            // Both classes require a Channel in a configured set, so it is present.
            channel: channel(conv, config).unwrap_or_default().to_string(),
            service_code: service_code(conv, config).map(str::to_string),
            at: session_time(conv),
            coaching,
            billing,
        })
    }

    /// The session's channel as one of the four report channels (`Video` read as Video
    /// Conference); `None` for a configured extra channel.
    pub fn report_channel(&self) -> Option<Channel> {
        self.channel.parse().ok()
    }
}

/// The report filters of RULES.md §9; `None` = not filtered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilters {
    /// Coach: the session's `admin_assignee_id` (new participants: the participant's coach).
    pub coach_id: Option<String>,
    /// The member's `Employer` custom attribute, exact match.
    pub employer: Option<String>,
    /// The session's `Channel`.
    pub channel: Option<Channel>,
}

impl ReportFilters {
    /// Whether a session passes the coach and channel filters.
    pub fn selects_session(&self, s: &Session) -> bool {
        self.coach_id
            .as_deref()
            .is_none_or(|c| s.coach_id.as_deref() == Some(c))
            && self.selects_channel(s)
    }

    /// Whether a session passes the channel filter.
    pub fn selects_channel(&self, s: &Session) -> bool {
        self.channel.is_none_or(|c| s.report_channel() == Some(c))
    }

    /// Whether a member passes the employer filter. A member without a contact record has no
    /// known employer, so an employer filter drops it.
    pub fn selects_member(&self, contact: Option<&Contact>, config: &Config) -> bool {
        self.employer
            .as_deref()
            .is_none_or(|e| contact.and_then(|c| employer(c, config)) == Some(e))
    }
}

/// Whether a conversation's contact is a member (RULES.md §9): a contact record with role `user`.
/// Leads are never members. A contact without a record (not found when looked up) keeps the
/// earlier rule and counts: its role is unknown, and dropping it would hide real sessions.
pub fn is_member(contact: Option<&Contact>) -> bool {
    contact.is_none_or(|c| c.role.as_deref() == Some("user"))
}

/// What every report is computed for.
#[derive(Debug, Clone, Copy)]
pub struct ReportContext<'a> {
    /// The as-of instant (RULES.md §1).
    pub as_of: DateTime<Utc>,
    /// Attribute names, classes and the reporting time zone.
    pub config: &'a Config,
    /// `GET /admins`, admin id → admin, for coach names.
    pub admins: &'a BTreeMap<String, Admin>,
}

impl ReportContext<'_> {
    /// `days(ts)` (RULES.md §2) in the reporting zone.
    pub fn days(&self, ts: i64) -> i64 {
        days_since(ts, self.as_of, self.config.reporting_tz)
    }

    /// Whether `ts` is in the lookback window: `days(ts) ≤ lookback_days` and `ts ≤ as-of`.
    pub fn in_lookback(&self, ts: i64, lookback_days: u32) -> bool {
        ts <= self.as_of.timestamp() && self.days(ts) <= i64::from(lookback_days)
    }

    /// The admin's `name`; `None` when the id is unknown or the admin has no name.
    pub fn coach_name(&self, coach_id: Option<&str>) -> Option<String> {
        coach_id
            .and_then(|id| self.admins.get(id))
            .and_then(|a| a.name.clone())
    }

    /// `YYYY-MM-DD` of `ts` in the reporting zone.
    pub fn local_ymd(&self, ts: i64) -> String {
        ymd(local_date(ts, self.config.reporting_tz))
    }
}

/// The contact's `Employer` custom attribute.
pub fn employer<'a>(contact: &'a Contact, config: &Config) -> Option<&'a str> {
    contact.attr_str(&config.attributes.employer)
}

/// `ts` (unix seconds) as RFC 3339 UTC, e.g. `2026-03-08T06:30:00Z`.
pub fn rfc3339_of(ts: i64) -> String {
    rfc3339(instant(ts))
}

/// One session per conversation id. When a conversation arrives twice with different contents
/// (it changed between pages), the copy with the later session time wins, then the greater copy
/// by [`Session`]'s ordering, so the choice does not depend on input order.
pub fn dedupe<'a>(sessions: impl IntoIterator<Item = &'a Session>) -> Vec<&'a Session> {
    let mut by_id: BTreeMap<&str, &Session> = BTreeMap::new();
    for s in sessions {
        by_id
            .entry(s.conversation_id.as_str())
            .and_modify(|kept| {
                if (s.at, s) > (kept.at, *kept) {
                    *kept = s;
                }
            })
            .or_insert(s);
    }
    by_id.into_values().collect()
}

/// One contact per id: the copy with the latest `updated_at` wins; on a tie, the greater JSON
/// text, so the choice does not depend on input order.
pub fn dedupe_contacts(contacts: &[Contact]) -> BTreeMap<&str, &Contact> {
    let mut by_id: BTreeMap<&str, &Contact> = BTreeMap::new();
    for c in contacts {
        by_id
            .entry(c.id.as_str())
            .and_modify(|kept| {
                let later = match c.updated_at.cmp(&kept.updated_at) {
                    std::cmp::Ordering::Equal => json_text(c) > json_text(kept),
                    order => order.is_gt(),
                };
                if later {
                    *kept = c;
                }
            })
            .or_insert(c);
    }
    by_id
}

/// A contact's JSON text (custom attributes in key order): a total order for ties only.
fn json_text(c: &Contact) -> String {
    serde_json::to_string(c).unwrap_or_default()
}

/// Sorts sessions newest first, then by conversation id (the order of session rows).
pub fn sort_newest_first(sessions: &mut [&Session]) {
    sessions.sort_by(|a, b| {
        b.at.cmp(&a.at)
            .then_with(|| a.conversation_id.cmp(&b.conversation_id))
    });
}

/// One session (conversation) as a row of the caseload and sessions reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionRow {
    /// `conversation.id`.
    pub conversation_id: String,
    /// The conversation's members that the report selects (all of them unless an employer
    /// filter drops some), in Intercom's order.
    pub member_ids: Vec<String>,
    /// `admin_assignee_id`; null when unassigned.
    pub coach_id: Option<String>,
    /// The assignee's name from `GET /admins`; null when unassigned or unknown.
    pub coach_name: Option<String>,
    /// `custom_attributes.Channel`.
    pub channel: String,
    /// `custom_attributes["Service Code"]`; null when absent.
    pub service_code: Option<String>,
    /// Session time, RFC 3339 UTC.
    pub session_at: String,
    /// Session time's date in the reporting zone, YYYY-MM-DD.
    pub session_date: String,
    /// `days(session time)`: calendar days to as-of's local date.
    pub days_ago: i64,
}

impl SessionRow {
    /// The row of `s`, listing only the members in `member_ids`.
    pub fn new(s: &Session, member_ids: Vec<String>, ctx: &ReportContext) -> Self {
        Self {
            conversation_id: s.conversation_id.clone(),
            member_ids,
            coach_id: s.coach_id.clone(),
            coach_name: ctx.coach_name(s.coach_id.as_deref()),
            channel: s.channel.clone(),
            service_code: s.service_code.clone(),
            session_at: rfc3339_of(s.at),
            session_date: ctx.local_ymd(s.at),
            days_ago: ctx.days(s.at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coaching::rules::classes::tests::conv;
    use serde_json::json;

    #[test]
    fn sessions_from_conversations() {
        let cfg = Config::default();
        let c = conv(json!({
            "id": "9", "admin_assignee_id": 0,
            "contacts": {"contacts": [{"id": "a"}, {"id": "b"}, {"id": "a"}]},
            "custom_attributes": {"Channel": "Email", "Service Code": "X 1"},
        }));
        let s = Session::from_conversation(&c, &cfg).unwrap();
        assert_eq!(s.member_ids, ["a", "b"]);
        assert_eq!(s.coach_id, None);
        assert_eq!(s.channel, "Email");
        assert_eq!(s.service_code.as_deref(), Some("X 1"));
        assert_eq!(s.at, 200);
        assert!(s.coaching && !s.billing);

        let call = conv(json!({"admin_assignee_id": 7, "custom_attributes": {"Channel": "Phone"}}));
        let s = Session::from_conversation(&call, &cfg).unwrap();
        assert!(s.coaching && s.billing);
        assert_eq!(s.coach_id.as_deref(), Some("7"));

        for other in [
            json!({"custom_attributes": {"Channel": "SMS"}}),
            json!({"state": "open", "custom_attributes": {"Channel": "Phone"}}),
            json!({"custom_attributes": {}}),
        ] {
            assert_eq!(Session::from_conversation(&conv(other.clone()), &cfg), None);
        }
    }

    #[test]
    fn duplicates_keep_the_later_copy_whatever_the_order() {
        let s = |id: &str, at| Session {
            conversation_id: id.into(),
            member_ids: vec!["m".into()],
            coach_id: None,
            channel: "Phone".into(),
            service_code: None,
            at,
            coaching: true,
            billing: true,
        };
        let a = [s("1", 10), s("2", 5), s("1", 30), s("1", 20)];
        let mut b = a.clone();
        b.reverse();
        for input in [&a, &b] {
            let kept: Vec<_> = dedupe(input.iter())
                .into_iter()
                .map(|s| (s.conversation_id.as_str(), s.at))
                .collect();
            assert_eq!(kept, [("1", 30), ("2", 5)]);
        }
    }
}
