//! The workspace's data attributes: Intercom's standard contact attributes and the program's
//! custom ones.

use serde_json::{json, Value};

/// Custom contact attributes: (name, data_type, options).
pub const CONTACT_CUSTOM: &[(&str, &str, &[&str])] = &[
    ("Enrolled Date", "date", &[]),
    ("Registration Date", "date", &[]),
    ("Next Coaching Session", "date", &[]),
    ("Last Coaching Session", "date", &[]),
    ("Last Call", "date", &[]),
    ("First Session Date", "date", &[]),
    (
        "Engagement Status",
        "string",
        &["Engaged", "At Risk", "Unengaged"],
    ),
    ("Engagement Status Date", "date", &[]),
    ("Referral", "string", &[]),
    ("Eligible Programs", "string", &[]),
    ("Employer", "string", &[]),
    ("Registration Code", "string", &[]),
    ("Date of Birth", "date", &[]),
];

/// Custom conversation attributes: (name, data_type, options).
pub const CONVERSATION_CUSTOM: &[(&str, &str, &[&str])] = &[
    (
        "Channel",
        "string",
        &["Phone", "Video Conference", "Email", "Chat"],
    ),
    ("Service Code", "string", &[]),
];

/// Standard contact attributes: (name, label, data_type, api_writable, description).
const CONTACT_STANDARD: &[(&str, &str, &str, bool, &str)] = &[
    ("name", "Name", "string", true, "A person's full name"),
    ("email", "Email", "string", true, "A person's email address"),
    (
        "email_domain",
        "Email domain",
        "string",
        false,
        "The domain of a person's email address",
    ),
    ("phone", "Phone", "string", true, "A person's phone number"),
    (
        "external_id",
        "User ID",
        "string",
        true,
        "A unique identifier for a person from your systems",
    ),
    (
        "owner_id",
        "Owner",
        "integer",
        true,
        "The teammate who owns this contact",
    ),
    (
        "role",
        "Role",
        "string",
        false,
        "Whether the contact is a user or a lead",
    ),
    (
        "created_at",
        "Created at",
        "date",
        false,
        "The time the contact was added to Intercom",
    ),
    (
        "signed_up_at",
        "Signed up",
        "date",
        true,
        "The time the person signed up",
    ),
    (
        "updated_at",
        "Updated at",
        "date",
        false,
        "The last time the contact was updated",
    ),
    (
        "last_seen_at",
        "Last seen",
        "date",
        true,
        "The last time the person used your product",
    ),
    (
        "last_contacted_at",
        "Last contacted",
        "date",
        false,
        "The last time a teammate contacted the person",
    ),
    (
        "last_replied_at",
        "Last heard from",
        "date",
        false,
        "The last time the person replied",
    ),
    (
        "unsubscribed_from_emails",
        "Unsubscribed from emails",
        "boolean",
        true,
        "Whether the person opted out of email",
    ),
    (
        "language_override",
        "Language override",
        "string",
        true,
        "A preferred language set by the person",
    ),
];

pub fn data_attributes(created_at: i64, admin_id: &str) -> Vec<Value> {
    let mut out: Vec<Value> = standard_contact_attributes().collect();
    let custom = CONTACT_CUSTOM
        .iter()
        .map(|a| ("contact", a))
        .chain(CONVERSATION_CUSTOM.iter().map(|a| ("conversation", a)));
    for (i, (model, attr)) in custom.enumerate() {
        out.push(custom_attribute(
            100_001 + i as i64,
            model,
            attr,
            "coaching program",
            created_at,
            admin_id,
        ));
    }
    out
}

/// Custom conversation attributes of the support workload: (name, data_type, options).
pub const SUPPORT_CONVERSATION_CUSTOM: &[(&str, &str, &[&str])] =
    &[("Channel", "string", &["Chat", "Email", "Phone", "WhatsApp"])];

/// The support workload's data attributes: the standard contact ones and `Channel`.
pub fn support_data_attributes(created_at: i64, admin_id: &str) -> Vec<Value> {
    let mut out: Vec<Value> = standard_contact_attributes().collect();
    for (i, attr) in SUPPORT_CONVERSATION_CUSTOM.iter().enumerate() {
        out.push(custom_attribute(
            100_201 + i as i64,
            "conversation",
            attr,
            "support",
            created_at,
            admin_id,
        ));
    }
    out
}

fn standard_contact_attributes() -> impl Iterator<Item = Value> {
    CONTACT_STANDARD
        .iter()
        .map(|(name, label, data_type, writable, description)| {
            json!({
                "type": "data_attribute", "name": name, "full_name": name, "label": label,
                "description": description, "data_type": data_type, "api_writable": writable,
                "ui_writable": writable, "messenger_writable": false, "custom": false,
                "archived": false, "model": "contact",
            })
        })
}

fn custom_attribute(
    id: i64,
    model: &str,
    (name, data_type, options): &(&str, &str, &[&str]),
    purpose: &str,
    created_at: i64,
    admin_id: &str,
) -> Value {
    let mut attr = json!({
        "type": "data_attribute", "id": id, "name": name,
        "full_name": format!("custom_attributes.{name}"), "label": name,
        "description": format!("{name} ({purpose})"), "data_type": data_type,
        "api_writable": true, "ui_writable": true, "messenger_writable": false,
        "custom": true, "archived": false, "admin_id": admin_id,
        "created_at": created_at, "updated_at": created_at, "model": model,
    });
    if !options.is_empty() {
        attr["options"] = json!(options);
    }
    attr
}
