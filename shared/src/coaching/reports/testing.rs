//! Builders for the report tests: sessions, contacts and admins from short literals.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::America::New_York;
use serde_json::json;

use crate::coaching::config::Config;
use crate::coaching::reports::model::{ReportContext, Session};
use crate::intercom::models::{Admin, Contact};
use crate::time::parse_as_of;

/// Unix seconds of a New York wall-clock time `YYYY-MM-DD HH:MM` (must exist and be unambiguous).
pub fn ny(s: &str) -> i64 {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    New_York
        .from_local_datetime(&naive)
        .single()
        .unwrap_or_else(|| panic!("{s} is not a single New York time"))
        .timestamp()
}

/// An RFC 3339 instant.
pub fn at(s: &str) -> DateTime<Utc> {
    parse_as_of(s).unwrap()
}

/// Unix seconds of an RFC 3339 instant.
pub fn ts(s: &str) -> i64 {
    at(s).timestamp()
}

/// A closed conversation's session: coaching for the four channels, billing for Phone and Video
/// Conference (the default classes).
pub fn session(id: &str, members: &[&str], coach: Option<&str>, channel: &str, at: i64) -> Session {
    Session {
        conversation_id: id.into(),
        member_ids: members.iter().map(|m| m.to_string()).collect(),
        coach_id: coach.map(str::to_string),
        channel: channel.into(),
        service_code: Some("Health Coaching 001".into()),
        at,
        coaching: ["Phone", "Video Conference", "Email", "Chat"].contains(&channel),
        billing: ["Phone", "Video Conference"].contains(&channel),
    }
}

/// A contact with a name, an Employer and an Enrolled Date (midnight UTC of a `YYYY-MM-DD`).
pub fn contact(id: &str, name: &str, employer: Option<&str>, enrolled: Option<&str>) -> Contact {
    let mut attrs = serde_json::Map::new();
    if let Some(e) = employer {
        attrs.insert("Employer".into(), json!(e));
    }
    if let Some(d) = enrolled {
        attrs.insert("Enrolled Date".into(), json!(ts(&format!("{d}T00:00:00Z"))));
    }
    serde_json::from_value(json!({
        "id": id, "external_id": format!("ext-{id}"), "role": "user", "name": name,
        "email": format!("{id}@example.com"), "custom_attributes": attrs,
    }))
    .unwrap()
}

/// `c` as a lead (role `lead`): never a member.
pub fn lead(mut c: Contact) -> Contact {
    c.role = Some("lead".into());
    c
}

/// Contacts keyed by id.
pub fn by_id(contacts: &[Contact]) -> BTreeMap<String, Contact> {
    contacts.iter().map(|c| (c.id.clone(), c.clone())).collect()
}

/// The default configuration (New York) and three admins: 1 Alice Smith, 2 Bob Jones, 3 unnamed.
pub struct Fixture {
    pub config: Config,
    pub admins: BTreeMap<String, Admin>,
}

impl Fixture {
    pub fn new() -> Self {
        let admin = |id: &str, name: Option<&str>| {
            (
                id.to_string(),
                Admin {
                    id: id.into(),
                    name: name.map(str::to_string),
                    email: None,
                },
            )
        };
        Self {
            config: Config::default(),
            admins: BTreeMap::from([
                admin("1", Some("Alice Smith")),
                admin("2", Some("Bob Jones")),
                admin("3", None),
            ]),
        }
    }

    pub fn ctx(&self, as_of: DateTime<Utc>) -> ReportContext<'_> {
        ReportContext {
            as_of,
            config: &self.config,
            admins: &self.admins,
        }
    }
}
