//! Intercom object shapes (2.11) for generated admins, contacts and conversations.

use serde_json::{json, Map, Value};

use super::timeline::{Planned, State};
use crate::render::DEFAULT_WORKSPACE_ID;

pub struct Coach {
    pub id: String,
    pub name: String,
    pub email: String,
    pub job_title: &'static str,
}

/// Team id of the coaching team.
pub const COACH_TEAM: i64 = 5_100_001;

pub fn admin(c: &Coach) -> Value {
    json!({
        "type": "admin", "id": c.id, "name": c.name, "email": c.email, "job_title": c.job_title,
        "away_mode_enabled": false, "away_mode_reassign": false, "has_inbox_seat": true,
        "team_ids": [COACH_TEAM],
    })
}

/// What the generator knows about a contact before it becomes JSON.
pub struct MemberRecord {
    pub id: String,
    pub role: &'static str,
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    pub owner_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_seen_at: Option<i64>,
    pub city: (&'static str, &'static str),
    pub custom: Map<String, Value>,
}

fn sub_list(id: &str, suffix: &str) -> Value {
    json!({"type": "list", "data": [], "url": format!("/contacts/{id}/{suffix}"),
           "total_count": 0, "has_more": false})
}

pub fn contact(m: &MemberRecord) -> Value {
    let signed_up = (m.role == "user").then_some(m.created_at);
    json!({
        "type": "contact", "id": m.id, "workspace_id": DEFAULT_WORKSPACE_ID,
        "external_id": m.external_id, "role": m.role, "email": m.email, "phone": m.phone,
        "name": m.name, "avatar": null, "owner_id": m.owner_id,
        "social_profiles": {"type": "list", "data": []},
        "has_hard_bounced": false, "marked_email_as_spam": false, "unsubscribed_from_emails": false,
        "created_at": m.created_at, "updated_at": m.updated_at, "signed_up_at": signed_up,
        "last_seen_at": m.last_seen_at, "last_replied_at": null, "last_contacted_at": null,
        "last_email_opened_at": null, "last_email_clicked_at": null, "language_override": null,
        "browser": null, "browser_version": null, "browser_language": null, "os": null,
        "location": {"type": "location", "country": "United States", "region": m.city.1,
                     "city": m.city.0, "country_code": "USA", "continent_code": "NA"},
        "custom_attributes": m.custom,
        "tags": sub_list(&m.id, "tags"),
        "notes": sub_list(&m.id, "notes"),
        "companies": sub_list(&m.id, "companies"),
    })
}

/// A contact as a conversation references it: (id, external_id, name, email).
pub struct ContactRef<'a> {
    pub id: &'a str,
    pub external_id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub email: &'a str,
}

/// Times of a planned conversation after clamping to as-of: (created, closed, updated).
pub fn times(p: &Planned, end: i64) -> (i64, Option<i64>, i64) {
    let created = p.created_at.min(end);
    match p.state {
        State::Closed => {
            let closed = (created + p.duration).min(end);
            let updated = p
                .tagged_after_days
                .map_or(closed, |d| (closed + d * 86_400).min(end));
            (created, Some(closed), updated)
        }
        _ => (created, None, (created + 120).min(end)),
    }
}

pub fn conversation(
    id: u64,
    p: &Planned,
    end: i64,
    contacts: &[ContactRef<'_>],
    assignee: Option<&Coach>,
    closer: &Coach,
) -> Value {
    let (created, closed, updated) = times(p, end);
    let first = &contacts[0];
    let author = if p.member_initiated {
        json!({"type": if first.external_id.is_some() { "user" } else { "lead" },
               "id": first.id, "name": first.name, "email": first.email})
    } else {
        let by = assignee.unwrap_or(closer);
        json!({"type": "admin", "id": by.id, "name": by.name, "email": by.email})
    };
    let (source_type, body) = match p.channel {
        Some("Email") => ("email", "<p>Following up on our last session.</p>"),
        Some("Chat") => ("conversation", "<p>Quick question about my plan.</p>"),
        Some("Phone") => ("conversation", "<p>Coaching call notes.</p>"),
        Some(_) => ("conversation", "<p>Video session notes.</p>"),
        None => ("conversation", "<p>Member outreach.</p>"),
    };
    let mut custom = Map::new();
    if let Some(c) = p.channel {
        custom.insert("Channel".into(), json!(c));
    }
    if let Some(s) = p.service {
        custom.insert("Service Code".into(), json!(s));
    }
    let mut statistics = json!({"type": "conversation_statistics", "count_reopens": 0,
                                "count_assignments": u8::from(assignee.is_some()),
                                "count_conversation_parts": 2 + (p.duration / 600)});
    if let Some(closed) = closed {
        statistics["first_close_at"] = json!(closed);
        statistics["last_close_at"] = json!(closed);
        statistics["last_closed_by_id"] = json!(assignee.unwrap_or(closer).id);
    }
    let tags: Vec<Value> = match (p.tagged_after_days, closed) {
        (Some(_), Some(_)) => vec![json!({"type": "tag", "id": "810001", "name": "Follow-up",
            "applied_at": updated, "applied_by": {"type": "admin", "id": closer.id}})],
        _ => vec![],
    };
    let state = match p.state {
        State::Closed => "closed",
        State::Open => "open",
        State::Snoozed => "snoozed",
    };
    let snoozed_until = (p.state == State::Snoozed).then(|| created + 3 * 86_400);
    json!({
        "type": "conversation", "id": id.to_string(), "title": null,
        "created_at": created, "updated_at": updated,
        "waiting_since": null, "snoozed_until": snoozed_until,
        "source": {"type": source_type, "id": (400_000_000 + id).to_string(),
                   "delivered_as": if p.member_initiated { "customer_initiated" } else { "admin_initiated" },
                   "subject": "", "body": body, "author": author, "attachments": [],
                   "url": null, "redacted": false},
        "contacts": {"type": "contact.list", "contacts": contacts.iter().map(|c| json!({
            "type": "contact", "id": c.id, "external_id": c.external_id})).collect::<Vec<_>>()},
        "teammates": {"type": "admin.list", "teammates": assignee.iter().map(|a| json!({
            "type": "admin", "id": a.id})).collect::<Vec<_>>()},
        "admin_assignee_id": assignee.map(|a| a.id.parse::<i64>().unwrap_or(0)),
        "team_assignee_id": assignee.map(|_| COACH_TEAM),
        "open": p.state != State::Closed, "state": state, "read": true,
        "priority": "not_priority",
        "tags": {"type": "tag.list", "tags": tags},
        "statistics": statistics,
        "custom_attributes": custom,
        "topics": {},
    })
}
