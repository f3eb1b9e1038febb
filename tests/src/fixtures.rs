//! Hand-built Intercom workspaces for end-to-end tests, in Intercom's own object shapes.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use intercom_sim::Workspace;
use serde_json::{json, Value};

/// The reporting zone of the tests (the product's default).
pub const NEW_YORK: Tz = chrono_tz::America::New_York;

/// Unix seconds of `date` at `hour:min` local time in New York.
pub fn ny(date: NaiveDate, hour: u32, min: u32) -> i64 {
    NEW_YORK
        .from_local_datetime(&date.and_hms_opt(hour, min, 0).unwrap())
        .earliest()
        .unwrap()
        .timestamp()
}

/// Unix seconds of midnight UTC of `date` (how upstream systems store date-only attributes).
pub fn utc_midnight(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp()
}

/// `YYYY-MM-DD` → date.
pub fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// RFC 3339 → instant.
pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A conversation to add to a fixture.
#[derive(Debug, Clone)]
pub struct Conv {
    pub id: &'static str,
    pub contacts: Vec<&'static str>,
    pub channel: Option<&'static str>,
    pub service_code: Option<&'static str>,
    pub state: &'static str,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_close_at: Option<i64>,
    pub admin: Option<&'static str>,
}

impl Conv {
    /// A closed call: created an hour before it closed, updated when it closed.
    pub fn closed(
        id: &'static str,
        contacts: &[&'static str],
        channel: &'static str,
        code: &'static str,
        closed_at: i64,
    ) -> Self {
        Self {
            id,
            contacts: contacts.to_vec(),
            channel: Some(channel),
            service_code: Some(code),
            state: "closed",
            created_at: closed_at - 3600,
            updated_at: closed_at,
            last_close_at: Some(closed_at),
            admin: Some("7100001"),
        }
    }

    /// An open or snoozed conversation created at `created_at`.
    pub fn not_closed(
        id: &'static str,
        contacts: &[&'static str],
        channel: &'static str,
        state: &'static str,
        created_at: i64,
    ) -> Self {
        Self {
            id,
            contacts: contacts.to_vec(),
            channel: Some(channel),
            service_code: None,
            state,
            created_at,
            updated_at: created_at + 60,
            last_close_at: None,
            admin: None,
        }
    }

    /// The same conversation, last updated at `updated_at`.
    pub fn updated(mut self, updated_at: i64) -> Self {
        self.updated_at = updated_at;
        self
    }
}

/// Builds a workspace: two coaches, the product's data attributes, and what a test adds.
pub struct Fixture {
    workspace: Workspace,
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

impl Fixture {
    pub fn new() -> Self {
        let workspace = Workspace {
            admins: vec![admin("7100001", "Ada Coach"), admin("7100002", "Ben Coach")],
            contacts: vec![],
            conversations: vec![],
            data_attributes: data_attributes(),
        };
        Self { workspace }
    }

    /// Adds a `user` contact with these custom attributes.
    pub fn user(mut self, id: &str, name: &str, attrs: Value) -> Self {
        self.workspace
            .contacts
            .push(contact(id, "user", name, attrs));
        self
    }

    /// Adds a `lead` contact.
    pub fn lead(mut self, id: &str, name: &str, attrs: Value) -> Self {
        self.workspace
            .contacts
            .push(contact(id, "lead", name, attrs));
        self
    }

    /// Adds a conversation.
    pub fn conversation(mut self, c: Conv) -> Self {
        self.workspace.conversations.push(conversation(&c));
        self
    }

    /// Removes the data attribute `name` (to break the preflight).
    pub fn without_attribute(mut self, name: &str) -> Self {
        self.workspace.data_attributes.retain(|a| a["name"] != name);
        self
    }

    pub fn build(self) -> Workspace {
        self.workspace
    }
}

/// An Intercom admin as `GET /admins` lists it.
pub fn admin(id: &str, name: &str) -> Value {
    let email = format!("{}@coaching.example", name.to_lowercase().replace(' ', "."));
    json!({
        "type": "admin", "id": id, "name": name, "email": email, "job_title": "Health Coach",
        "away_mode_enabled": false, "away_mode_reassign": false, "has_inbox_seat": true,
        "team_ids": [], "avatar": null, "email_verified": true
    })
}

/// An Intercom contact as `GET /contacts/{id}` answers it (2.11 shape), with `attrs` as its custom
/// attributes and no location.
pub fn contact(id: &str, role: &str, name: &str, attrs: Value) -> Value {
    let n: u64 = id.bytes().map(u64::from).sum();
    json!({
        "type": "contact", "id": id, "workspace_id": "sim", "external_id": format!("EMP-{id}"),
        "role": role, "email": format!("{id}@members.example"), "phone": null, "name": name,
        "avatar": null, "owner_id": 7100001, "social_profiles": {"type": "list", "data": []},
        "has_hard_bounced": false, "marked_email_as_spam": false, "unsubscribed_from_emails": false,
        "created_at": 1_600_000_000u64 + n, "updated_at": 1_600_000_000u64 + n, "signed_up_at": null,
        "last_seen_at": null, "last_replied_at": null, "last_contacted_at": null,
        "last_email_opened_at": null, "last_email_clicked_at": null, "language_override": null,
        "browser": null, "browser_version": null, "browser_language": null, "os": null,
        "location": {"type": "location", "country": null, "region": null, "city": null},
        "android_app_name": null, "android_app_version": null, "android_device": null,
        "android_os_version": null, "android_sdk_version": null, "android_last_seen_at": null,
        "ios_app_name": null, "ios_app_version": null, "ios_device": null, "ios_os_version": null,
        "ios_sdk_version": null, "ios_last_seen_at": null,
        "custom_attributes": attrs,
        "tags": {"type": "list", "data": [], "url": format!("/contacts/{id}/tags"), "total_count": 0, "has_more": false},
        "notes": {"type": "list", "data": [], "url": format!("/contacts/{id}/notes"), "total_count": 0, "has_more": false},
        "companies": {"type": "list", "data": [], "url": format!("/contacts/{id}/companies"), "total_count": 0, "has_more": false}
    })
}

fn conversation(c: &Conv) -> Value {
    let mut custom = serde_json::Map::new();
    if let Some(channel) = c.channel {
        custom.insert("Channel".into(), json!(channel));
    }
    if let Some(code) = c.service_code {
        custom.insert("Service Code".into(), json!(code));
    }
    let contacts: Vec<Value> = c
        .contacts
        .iter()
        .map(|id| json!({"type": "contact", "id": id, "external_id": format!("EMP-{id}")}))
        .collect();
    json!({
        "type": "conversation", "id": c.id, "title": null,
        "created_at": c.created_at, "updated_at": c.updated_at,
        "waiting_since": null, "snoozed_until": null,
        "open": c.state != "closed", "state": c.state, "read": true, "priority": "not_priority",
        "admin_assignee_id": c.admin.map(|a| json!(a.parse::<i64>().unwrap())).unwrap_or(Value::Null),
        "team_assignee_id": null,
        "tags": {"type": "tag.list", "tags": []},
        "conversation_rating": null,
        "source": {"type": "conversation", "id": format!("src-{}", c.id), "delivered_as": "admin_initiated",
                   "subject": "", "body": "Coaching session", "author": {"type": "admin", "id": "7100001", "name": "Ada Coach", "email": "ada.coach@coaching.example"},
                   "attachments": [], "url": null, "redacted": false},
        "contacts": {"type": "contact.list", "contacts": contacts},
        "teammates": {"type": "admin.list", "teammates": []},
        "custom_attributes": custom,
        "first_contact_reply": null,
        "sla_applied": null,
        "statistics": {"type": "conversation_statistics", "last_close_at": c.last_close_at},
        "conversation_parts": {"type": "conversation_part.list", "conversation_parts": [], "total_count": 0},
        "topics": {"type": "topic.list", "topics": [], "total_count": 0}
    })
}

fn data_attributes() -> Vec<Value> {
    let mut out = vec![];
    let mut push = |name: &str, data_type: &str, options: Option<Vec<&str>>| {
        let mut a = json!({
            "type": "data_attribute", "id": 10_000 + out.len(), "model": "contact", "name": name,
            "full_name": format!("custom_attributes.{name}"), "label": name, "description": "",
            "data_type": data_type, "api_writable": true, "ui_writable": true,
            "messenger_writable": false, "custom": true, "archived": false,
            "created_at": 1_600_000_000, "updated_at": 1_600_000_000, "admin_id": "7100001"
        });
        if let Some(options) = options {
            a["options"] = json!(options);
        }
        out.push(a);
    };
    for name in [
        "Enrolled Date",
        "Registration Date",
        "Next Coaching Session",
        "Last Coaching Session",
        "Last Call",
        "First Session Date",
        "Engagement Status Date",
        "Date of Birth",
    ] {
        push(name, "date", None);
    }
    push(
        "Engagement Status",
        "string",
        Some(vec!["Engaged", "At Risk", "Unengaged"]),
    );
    for name in [
        "Referral",
        "Eligible Programs",
        "Employer",
        "Registration Code",
    ] {
        push(name, "string", None);
    }
    for (name, options) in [
        (
            "Channel",
            Some(vec!["Phone", "Video Conference", "Email", "Chat"]),
        ),
        ("Service Code", None),
    ] {
        let mut a = json!({
            "type": "data_attribute", "model": "conversation", "name": name,
            "full_name": format!("custom_attributes.{name}"), "label": name, "description": "",
            "data_type": "string", "api_writable": true, "custom": true, "archived": false
        });
        if let Some(options) = options {
            a["options"] = json!(options);
        }
        out.push(a);
    }
    out
}
