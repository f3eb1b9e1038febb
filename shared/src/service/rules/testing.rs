//! Test builders for the service rules: conversations and parts from JSON literals.

use serde_json::{json, Value};

use crate::intercom::models::ConversationPart;
use crate::intercom::Conversation;

/// A contact-initiated, closed conversation created at 1_000 by user `u1`, merged with
/// `overrides` (top-level keys replace the defaults).
pub(crate) fn conv(overrides: Value) -> Conversation {
    let mut base = json!({
        "type": "conversation", "id": "c1", "created_at": 1_000, "updated_at": 9_000,
        "state": "closed",
        "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": "u1"}]},
        "custom_attributes": {},
        "source": {"type": "conversation", "id": "s1", "delivered_as": "customer_initiated",
                   "body": "<p>help</p>", "author": {"type": "user", "id": "u1"}},
        "statistics": {"type": "conversation_statistics"},
    });
    for (k, v) in overrides.as_object().expect("overrides are an object") {
        base[k] = v.clone();
    }
    serde_json::from_value(base).expect("a valid conversation")
}

/// A part `id` of `part_type` at `t`, by an author of `author_type`.
pub(crate) fn part_json(id: u32, part_type: &str, t: i64, author_type: &str) -> Value {
    json!({
        "type": "conversation_part", "id": id.to_string(), "part_type": part_type,
        "body": format!("<p>body of {id}</p>"), "created_at": t, "updated_at": t,
        "author": {"type": author_type, "id": format!("{author_type}-{id}"),
                   "name": "Someone", "email": "someone@example.com"},
    })
}

/// [`part_json`] read as a part.
pub(crate) fn part(id: u32, part_type: &str, t: i64, author_type: &str) -> ConversationPart {
    serde_json::from_value(part_json(id, part_type, t, author_type)).expect("a valid part")
}

/// [`part`] by an admin flagged as the AI Agent (`from_ai_agent`, `is_ai_answer`).
pub(crate) fn ai_part(
    id: u32,
    t: i64,
    from_ai_agent: bool,
    is_ai_answer: bool,
) -> ConversationPart {
    let mut v = part_json(id, "comment", t, "admin");
    v["author"]["from_ai_agent"] = json!(from_ai_agent);
    v["author"]["is_ai_answer"] = json!(is_ai_answer);
    serde_json::from_value(v).expect("a valid part")
}

/// A deterministic Fisher–Yates shuffle driven by `seed`.
pub(crate) fn shuffle<T>(xs: &mut [T], mut seed: u64) {
    for i in (1..xs.len()).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        xs.swap(i, (seed >> 33) as usize % (i + 1));
    }
}
