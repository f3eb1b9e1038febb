//! Turns stored objects (Intercom 2.11 shapes, possibly sparse) into what a given
//! `Intercom-Version` returns: missing optional properties get Intercom's defaults, and the
//! fields whose shape changed between versions are converted.

mod parts;

use serde_json::{json, Map, Value};

use crate::version::ApiVersion;
pub use parts::Directory;

/// Workspace id used when a fixture's contact carries none.
pub const DEFAULT_WORKSPACE_ID: &str = "simws0c1";

fn fill(obj: &mut Map<String, Value>, key: &str, default: impl FnOnce() -> Value) {
    if !obj.contains_key(key) {
        obj.insert(key.to_owned(), default());
    }
}

/// An id that may be stored as a number or a string, as its string form.
pub fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An admin/team id rendered as the integer the API declares; `None` when unassigned
/// (`null`, `0`, `""`).
fn assignee(v: Option<&Value>) -> Option<Value> {
    let id = id_string(v?)?;
    if id == "0" {
        return None;
    }
    Some(match id.parse::<i64>() {
        Ok(n) => Value::from(n),
        Err(_) => Value::String(id),
    })
}

fn sub_list(contact_id: &str, suffix: &str) -> Value {
    json!({"type": "list", "data": [], "url": format!("/contacts/{contact_id}/{suffix}"),
           "total_count": 0, "has_more": false})
}

const NULL_CONTACT_FIELDS: &[&str] = &[
    "external_id",
    "phone",
    "name",
    "avatar",
    "owner_id",
    "signed_up_at",
    "last_seen_at",
    "last_replied_at",
    "last_contacted_at",
    "last_email_opened_at",
    "last_email_clicked_at",
    "language_override",
    "browser",
    "browser_version",
    "browser_language",
    "os",
    "android_app_name",
    "android_app_version",
    "android_device",
    "android_os_version",
    "android_sdk_version",
    "android_last_seen_at",
    "ios_app_name",
    "ios_app_version",
    "ios_device",
    "ios_os_version",
    "ios_sdk_version",
    "ios_last_seen_at",
    "utm_campaign",
    "utm_content",
    "utm_medium",
    "utm_source",
    "utm_term",
    "referrer",
];

/// A contact as `GET /contacts/{id}` and contact search return it.
pub fn contact(stored: &Value, version: ApiVersion) -> Value {
    let mut out = stored.clone();
    let Some(obj) = out.as_object_mut() else {
        return out;
    };
    let id = obj.get("id").and_then(id_string).unwrap_or_default();
    fill(obj, "type", || json!("contact"));
    fill(obj, "workspace_id", || json!(DEFAULT_WORKSPACE_ID));
    fill(obj, "role", || json!("user"));
    fill(obj, "email", || json!(""));
    for key in NULL_CONTACT_FIELDS {
        fill(obj, key, || Value::Null);
    }
    for key in [
        "has_hard_bounced",
        "marked_email_as_spam",
        "unsubscribed_from_emails",
    ] {
        fill(obj, key, || json!(false));
    }
    let created = obj.get("created_at").cloned().unwrap_or(json!(0));
    fill(obj, "created_at", || created.clone());
    fill(obj, "updated_at", || created);
    fill(
        obj,
        "social_profiles",
        || json!({"type": "list", "data": []}),
    );
    fill(obj, "location", || {
        json!({"type": "location", "country": null, "region": null, "city": null,
               "country_code": null, "continent_code": null})
    });
    fill(obj, "custom_attributes", || json!({}));
    fill(obj, "tags", || sub_list(&id, "tags"));
    fill(obj, "notes", || sub_list(&id, "notes"));
    fill(obj, "companies", || sub_list(&id, "companies"));
    fill(obj, "opted_out_subscription_types", || {
        sub_list(&id, "subscriptions")
    });
    fill(obj, "opted_in_subscription_types", || {
        sub_list(&id, "subscriptions")
    });
    obj.remove("merged");
    // owner_id is an integer up to 2.11 and a string from 2.12 on.
    let owner = obj.get("owner_id").and_then(id_string);
    let owner = match owner {
        None => Value::Null,
        Some(id) if version.is_modern() => Value::String(id),
        Some(id) => id
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or(Value::String(id)),
    };
    obj.insert("owner_id".to_owned(), owner);
    out
}

/// Statistics that appeared with the 2.13 reporting fields.
const REPORTING_STATISTICS: &[&str] = &[
    "handling_time",
    "adjusted_handling_time",
    "assigned_team_first_response_time",
    "assigned_team_first_response_time_in_office_hours",
];

/// A conversation as search (`parts = None`) or `GET /conversations/{id}` (`parts` = where
/// authors are looked up) returns it.
pub fn conversation(stored: &Value, version: ApiVersion, parts: Option<&dyn Directory>) -> Value {
    let mut out = stored.clone();
    let Some(obj) = out.as_object_mut() else {
        return out;
    };
    if obj.remove(crate::parts::COMPACT_KEY).is_some() {
        generated_first_contact_reply(obj);
    }
    fill(obj, "type", || json!("conversation"));
    for key in ["title", "waiting_since", "snoozed_until"] {
        fill(obj, key, || Value::Null);
    }
    let state = obj
        .get("state")
        .and_then(Value::as_str)
        .unwrap_or("open")
        .to_owned();
    fill(obj, "state", || json!(state.clone()));
    fill(obj, "open", || json!(state == "open"));
    fill(obj, "read", || json!(false));
    fill(obj, "topics", || json!({}));
    fill(obj, "tags", || json!({"type": "tag.list", "tags": []}));
    fill(
        obj,
        "linked_objects",
        || json!({"type": "list", "data": [], "total_count": 0, "has_more": false}),
    );
    fill(obj, "ai_agent_participated", || json!(false));
    fill(
        obj,
        "contacts",
        || json!({"type": "contact.list", "contacts": []}),
    );
    if obj.get("teammates").is_none_or(Value::is_null) {
        obj.insert(
            "teammates".into(),
            json!({"type": "admin.list", "teammates": []}),
        );
    }
    if obj.get("statistics").is_none_or(Value::is_null) {
        obj.insert(
            "statistics".into(),
            json!({"type": "conversation_statistics"}),
        );
    }
    if !version.has_reporting_fields() {
        if let Some(Value::Object(stats)) = obj.get_mut("statistics") {
            for key in REPORTING_STATISTICS {
                stats.remove(*key);
            }
        }
    }
    match parts {
        Some(dir) => {
            obj.insert(
                "conversation_parts".into(),
                parts::list(stored, version, dir),
            );
        }
        None => {
            obj.remove("conversation_parts");
        }
    }
    if let Some(Value::Object(rating)) = obj.get_mut("conversation_rating") {
        // 2.11 requires a remark; Intercom sends "" when the contact left none.
        if rating.get("remark").is_none_or(Value::is_null) {
            rating.insert("remark".into(), json!(""));
        }
    }
    // Properties whose schema does not allow null are left out rather than sent as null.
    for key in ["first_contact_reply", "conversation_rating", "sla_applied"] {
        if obj.get(key).is_some_and(Value::is_null) {
            obj.remove(key);
        }
    }
    let priority = obj
        .get("priority")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let modern = version.is_modern();
    let priority = match (priority.as_deref(), modern) {
        (
            Some("priority") | Some("high") | Some("urgent") | Some("medium") | Some("low"),
            false,
        ) => "priority",
        (_, false) => "not_priority",
        (Some("priority"), true) => "high",
        (Some(p @ ("low" | "medium" | "high" | "urgent")), true) => p,
        (_, true) => "none",
    };
    obj.insert("priority".into(), json!(priority));
    // Unassigned is null up to 2.11 and 0 from 2.12 on.
    for key in ["admin_assignee_id", "team_assignee_id"] {
        let v = assignee(obj.get(key)).unwrap_or(if modern { json!(0) } else { Value::Null });
        obj.insert(key.to_owned(), v);
    }
    fill(obj, "custom_attributes", || json!({}));
    if modern {
        if let Some(Value::Object(attrs)) = obj.get_mut("custom_attributes") {
            attrs.retain(|_, v| !v.is_null());
        }
    }
    out
}

/// A generated conversation (one with compact parts) stores no `first_contact_reply`, to stay
/// small: it is the customer's first message, which its statistics record.
fn generated_first_contact_reply(obj: &mut Map<String, Value>) {
    if obj.contains_key("first_contact_reply") {
        return;
    }
    let Some(at) = obj
        .get("statistics")
        .and_then(|s| s.get("first_contact_reply_at"))
        .filter(|t| t.is_i64())
        .cloned()
    else {
        return;
    };
    let email = obj.get("source").and_then(|s| s.get("type")) == Some(&json!("email"));
    let kind = if email { "email" } else { "conversation" };
    obj.insert(
        "first_contact_reply".into(),
        json!({"created_at": at, "type": kind, "url": null}),
    );
}

/// An admin as `GET /admins` lists it.
pub fn admin(stored: &Value) -> Value {
    let mut out = stored.clone();
    if let Some(obj) = out.as_object_mut() {
        fill(obj, "type", || json!("admin"));
        fill(obj, "job_title", || json!(""));
        fill(obj, "away_mode_enabled", || json!(false));
        fill(obj, "away_mode_reassign", || json!(false));
        fill(obj, "has_inbox_seat", || json!(true));
        fill(obj, "team_ids", || json!([]));
        if let Some(id) = obj.get("id").and_then(id_string) {
            obj.insert("id".into(), Value::String(id));
        }
    }
    out
}

/// A team as `GET /teams` lists it.
pub fn team(stored: &Value) -> Value {
    let mut out = stored.clone();
    if let Some(obj) = out.as_object_mut() {
        fill(obj, "type", || json!("team"));
        fill(obj, "name", || json!(""));
        fill(obj, "admin_ids", || json!([]));
        if let Some(id) = obj.get("id").and_then(id_string) {
            obj.insert("id".into(), Value::String(id));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unassigned_is_null_before_2_12_and_zero_after() {
        let stored = json!({"id": "1", "admin_assignee_id": null, "team_assignee_id": "0"});
        let old = conversation(&stored, ApiVersion::DEFAULT, None);
        assert_eq!(old["admin_assignee_id"], Value::Null);
        assert_eq!(old["team_assignee_id"], Value::Null);
        let new = conversation(&stored, ApiVersion::MODERN, None);
        assert_eq!(new["admin_assignee_id"], json!(0));
        let assigned = json!({"id": "1", "admin_assignee_id": "7100001"});
        assert_eq!(
            conversation(&assigned, ApiVersion::DEFAULT, None)["admin_assignee_id"],
            json!(7100001)
        );
    }

    #[test]
    fn owner_id_is_integer_then_string() {
        let stored = json!({"id": "c1", "owner_id": 42});
        assert_eq!(contact(&stored, ApiVersion::DEFAULT)["owner_id"], json!(42));
        assert_eq!(
            contact(&stored, ApiVersion::MODERN)["owner_id"],
            json!("42")
        );
    }
}
