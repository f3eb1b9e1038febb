//! `conversation_parts` of `GET /conversations/{id}`: the 500 most recent parts, oldest first,
//! from a fixture's Intercom-shaped parts or from the compact form of generated ones.

use std::borrow::Cow;

use serde_json::{json, Map, Value};

use super::id_string;
use crate::parts::{self, Ai, Assignee, Author, Part, PartKind, MAX_RETURNED_PARTS};
use crate::version::ApiVersion;

/// What serving parts needs from the workspace: teammates (admins, bots) and contacts by id
/// (a contact may be parsed from its stored JSON, hence `Cow`).
pub trait Directory {
    fn teammate(&self, id: &str) -> Option<&Value>;
    fn contact(&self, id: &str) -> Option<Cow<'_, Value>>;
}

/// Part properties that appeared with the 2.13 reporting fields.
const REPORTING_PART_FIELDS: &[&str] = &[
    "state",
    "tags",
    "event_details",
    "email_message_metadata",
    "metadata",
    "app_package_code",
];
const AI_AUTHOR_FIELDS: &[&str] = &["from_ai_agent", "is_ai_answer"];

/// The `conversation_parts` list of a stored conversation as `version` returns it.
pub fn list(stored: &Value, version: ApiVersion, dir: &dyn Directory) -> Value {
    let parts: Vec<Value> = if let Some(given) = stored
        .pointer("/conversation_parts/conversation_parts")
        .and_then(Value::as_array)
    {
        let skip = given.len().saturating_sub(MAX_RETURNED_PARTS);
        given[skip..]
            .iter()
            .map(|p| fixture_part(p, version))
            .collect()
    } else if let Some(text) = stored.get(parts::COMPACT_KEY).and_then(Value::as_str) {
        compact_parts(stored, text, version, dir)
    } else {
        Vec::new()
    };
    json!({"type": "conversation_part.list", "total_count": parts.len(), "conversation_parts": parts})
}

fn fill(obj: &mut Map<String, Value>, key: &str, value: Value) {
    obj.entry(key.to_owned()).or_insert(value);
}

/// A hand-built part: Intercom's defaults for what it leaves out, and the fields of later
/// versions removed for earlier ones.
fn fixture_part(given: &Value, version: ApiVersion) -> Value {
    let mut out = given.clone();
    let Some(obj) = out.as_object_mut() else {
        return out;
    };
    let created = obj.get("created_at").cloned().unwrap_or(json!(0));
    fill(obj, "type", json!("conversation_part"));
    fill(obj, "body", Value::Null);
    fill(obj, "updated_at", created.clone());
    fill(obj, "notified_at", created);
    fill(obj, "assigned_to", Value::Null);
    fill(obj, "attachments", json!([]));
    fill(obj, "external_id", Value::Null);
    fill(obj, "redacted", json!(false));
    if let Some(id) = obj.get("id").and_then(id_string) {
        obj.insert("id".into(), Value::String(id));
    }
    let reporting = version.has_reporting_fields();
    if !reporting {
        for key in REPORTING_PART_FIELDS {
            obj.remove(*key);
        }
    }
    if let Some(Value::Object(author)) = obj.get_mut("author") {
        if let Some(id) = author.get("id").and_then(id_string) {
            author.insert("id".into(), Value::String(id));
        }
        fill(author, "name", Value::Null);
        fill(author, "email", json!(""));
        for key in AI_AUTHOR_FIELDS {
            if reporting {
                fill(author, key, json!(false));
            } else {
                author.remove(*key);
            }
        }
    }
    out
}

fn compact_parts(
    stored: &Value,
    text: &str,
    version: ApiVersion,
    dir: &dyn Directory,
) -> Vec<Value> {
    let created = stored
        .get("created_at")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let id = stored.get("id").and_then(id_string).unwrap_or_default();
    let parts = match parts::decode(created, text) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(conversation = %id, error = %e, "unreadable compact parts; serving none");
            return Vec::new();
        }
    };
    let contact = stored
        .pointer("/contacts/contacts/0/id")
        .and_then(id_string)
        .map(|cid| contact_author(&cid, dir));
    let states = parts::states(&parts);
    let skip = parts.len().saturating_sub(MAX_RETURNED_PARTS);
    parts
        .iter()
        .zip(states)
        .enumerate()
        .skip(skip)
        .map(|(i, (part, state))| {
            let author = match &part.author {
                Author::Contact => contact.clone().unwrap_or_else(
                    || json!({"type": "user", "id": "", "name": null, "email": ""}),
                ),
                Author::Teammate(tid) => teammate_author(tid, dir),
            };
            compact_part(&id, i, part, author, state, version)
        })
        .collect()
}

fn contact_author(id: &str, dir: &dyn Directory) -> Value {
    let contact = dir.contact(id);
    let get = |key: &str| contact.as_ref().and_then(|c| c.get(key)).cloned();
    let role = get("role")
        .and_then(|r| r.as_str().map(str::to_owned))
        .unwrap_or_else(|| "user".to_owned());
    json!({
        "type": role, "id": id,
        "name": get("name").unwrap_or(Value::Null),
        "email": get("email").filter(|e| e.is_string()).unwrap_or(json!("")),
    })
}

fn teammate_author(id: &str, dir: &dyn Directory) -> Value {
    let teammate = dir.teammate(id);
    let get = |key: &str| teammate.and_then(|t| t.get(key)).cloned();
    json!({
        "type": get("type").filter(|t| t.is_string()).unwrap_or(json!("admin")),
        "id": id,
        "name": get("name").unwrap_or(Value::Null),
        "email": get("email").filter(|e| e.is_string()).unwrap_or(json!("")),
    })
}

fn compact_part(
    conversation_id: &str,
    index: usize,
    part: &Part,
    mut author: Value,
    state: &str,
    version: ApiVersion,
) -> Value {
    let is_bot = author["type"] == "bot";
    let assigned_to = match &part.assigned_to {
        None => Value::Null,
        Some(Assignee::Admin(id)) => json!({"type": "admin", "id": id}),
        Some(Assignee::Team(id)) => json!({"type": "team", "id": id}),
        Some(Assignee::Nobody) => json!({"type": "nobody_admin", "id": null}),
    };
    let seed = mix(conversation_id, index);
    let body = body(part, is_bot, seed).map(|b| format!("<p>{b}</p>"));
    let mut out = json!({
        "type": "conversation_part",
        "id": format!("{conversation_id}{:05}", index + 1),
        "part_type": part.kind.as_str(),
        "body": body,
        "created_at": part.at, "updated_at": part.at, "notified_at": part.at,
        "assigned_to": assigned_to,
        "author": Value::Null,
        "attachments": [], "external_id": null, "redacted": false,
    });
    if version.has_reporting_fields() {
        if let Some(a) = author.as_object_mut() {
            a.insert("from_ai_agent".into(), json!(part.ai != Ai::None));
            a.insert("is_ai_answer".into(), json!(part.ai == Ai::Answer));
        }
        out["state"] = json!(state);
        out["tags"] = json!([]);
    }
    out["author"] = author;
    out
}

/// A small, stable number for picking a part's synthetic body.
fn mix(conversation_id: &str, index: usize) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in conversation_id.bytes().chain((index as u64).to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

const CONTACT_LINES: &[&str] = &[
    "Hi, I can't log in to my account.",
    "My last invoice looks wrong, can you check?",
    "The export keeps failing with an error.",
    "Is there a way to change the plan mid-month?",
    "Thanks, that worked!",
    "Still seeing the same problem, sorry.",
    "Can I talk to a person please?",
    "Any update on this?",
];
const ADMIN_LINES: &[&str] = &[
    "Thanks for reaching out, let me take a look.",
    "I've reset that for you, could you try again?",
    "I've refunded the difference; it shows in 3-5 days.",
    "Could you send a screenshot of the error?",
    "Our engineers are on it, I'll update you soon.",
    "Glad that's sorted. Anything else I can help with?",
];
const FIN_ANSWERS: &[&str] = &[
    "You can reset your password from the sign-in page under 'Forgot password'.",
    "Invoices are under Settings > Billing; each one can be downloaded as a PDF.",
    "Exports run in the background and arrive by email when ready.",
];
const OPERATOR_LINES: &[&str] = &[
    "Thanks for your message. The team typically replies in under an hour.",
    "We've received your email and will get back to you soon.",
];
const NOTE_LINES: &[&str] = &[
    "Checked the logs: the sync failed on the customer's side.",
    "Billing: refund approved by finance.",
    "Escalating to tier 2, see linked ticket.",
    "Customer is on the legacy plan.",
];

fn body(part: &Part, is_bot: bool, seed: u64) -> Option<&'static str> {
    let pick = |lines: &'static [&'static str]| lines[(seed % lines.len() as u64) as usize];
    Some(match (part.kind, &part.author, part.ai) {
        (PartKind::Comment, Author::Contact, _) => pick(CONTACT_LINES),
        (PartKind::Comment, _, Ai::Answer) => pick(FIN_ANSWERS),
        (PartKind::Comment, _, Ai::Agent) => "I'll pass you to the team now.",
        (PartKind::Comment, _, Ai::None) if is_bot => pick(OPERATOR_LINES),
        (PartKind::Comment, _, Ai::None) => pick(ADMIN_LINES),
        (PartKind::Note, _, _) => pick(NOTE_LINES),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Dir(HashMap<String, Value>);

    impl Directory for Dir {
        fn teammate(&self, id: &str) -> Option<&Value> {
            self.0.get(id)
        }
        fn contact(&self, id: &str) -> Option<Cow<'_, Value>> {
            self.0.get(id).map(Cow::Borrowed)
        }
    }

    fn dir() -> Dir {
        Dir(HashMap::from([
            (
                "7200001".to_owned(),
                json!({"type": "admin", "id": "7200001", "name": "Ana", "email": "ana@x.example"}),
            ),
            (
                "7299001".to_owned(),
                json!({"type": "bot", "id": "7299001", "name": "Fin", "email": "fin@x.example"}),
            ),
            (
                "5200001".to_owned(),
                json!({"type": "team", "id": "5200001", "name": "Billing", "admin_ids": []}),
            ),
            (
                "c1".to_owned(),
                json!({"id": "c1", "role": "lead", "name": "Bo", "email": "bo@x.example"}),
            ),
        ]))
    }

    fn stored(parts: &str) -> Value {
        json!({"id": "42", "created_at": 1000, "contacts": {"contacts": [{"id": "c1"}]},
               "_sim_parts": parts})
    }

    #[test]
    fn compact_parts_render_authors_assignments_and_version_fields() {
        let s = stored(
            "0 comment a:7299001 !ai;30 comment c;40 comment a:7299001 !agent;\
             41 default_assignment a:7299001 >team:5200001;600 assignment a:7200001 >admin:7200001;\
             700 note a:7200001;800 close a:7200001",
        );
        let old = list(&s, ApiVersion::DEFAULT, &dir());
        assert_eq!(old["total_count"], 7);
        let parts = old["conversation_parts"].as_array().unwrap();
        assert_eq!(parts[0]["id"], "4200001");
        assert_eq!(parts[0]["author"]["type"], "bot");
        assert!(parts[0]["author"].get("from_ai_agent").is_none());
        assert!(parts[0].get("state").is_none());
        assert_eq!(parts[1]["author"]["type"], "lead");
        assert_eq!(parts[1]["author"]["name"], "Bo");
        assert_eq!(parts[1]["created_at"], 1030);
        assert_eq!(
            parts[3]["assigned_to"],
            json!({"type": "team", "id": "5200001"})
        );
        assert!(parts[3]["body"].is_null());
        assert_eq!(parts[2]["body"], "<p>I'll pass you to the team now.</p>");
        assert_eq!(parts[4]["author"]["name"], "Ana");
        assert_eq!(parts[5]["part_type"], "note");
        assert!(parts[5]["body"].is_string());

        let new = list(&s, ApiVersion::REPORTING, &dir());
        let parts = new["conversation_parts"].as_array().unwrap();
        assert_eq!(parts[0]["author"]["from_ai_agent"], true);
        assert_eq!(parts[0]["author"]["is_ai_answer"], true);
        assert_eq!(parts[2]["author"]["is_ai_answer"], false);
        assert_eq!(parts[2]["author"]["from_ai_agent"], true);
        assert_eq!(parts[1]["author"]["from_ai_agent"], false);
        assert_eq!(parts[6]["state"], "closed");
        assert_eq!(parts[5]["state"], "open");
        assert_eq!(parts[6]["tags"], json!([]));
    }

    #[test]
    fn only_the_500_most_recent_parts_are_served() {
        let text: Vec<String> = (0..620).map(|i| format!("{i} comment c")).collect();
        let out = list(&stored(&text.join(";")), ApiVersion::DEFAULT, &dir());
        let parts = out["conversation_parts"].as_array().unwrap();
        assert_eq!(parts.len(), 500);
        assert_eq!(out["total_count"], 500);
        assert_eq!(parts[0]["created_at"], 1000 + 120);
        assert_eq!(parts[499]["created_at"], 1000 + 619);

        let given: Vec<Value> = (0..501)
            .map(|i| {
                json!({"id": i, "part_type": "comment", "created_at": i,
                            "author": {"type": "admin", "id": 7, "name": "A", "email": "a@x"}})
            })
            .collect();
        let fixture = json!({"id": "1", "conversation_parts": {"conversation_parts": given}});
        let out = list(&fixture, ApiVersion::DEFAULT, &dir());
        assert_eq!(out["total_count"], 500);
        assert_eq!(out["conversation_parts"][0]["id"], "1");
        assert_eq!(out["conversation_parts"][0]["author"]["id"], "7");
    }

    #[test]
    fn fixture_parts_get_defaults_and_lose_later_fields_in_older_versions() {
        let part = json!({"id": "9", "part_type": "comment", "created_at": 5, "state": "open",
            "author": {"type": "bot", "id": "1", "name": "Fin", "email": "f@x", "from_ai_agent": true}});
        let old = fixture_part(&part, ApiVersion::DEFAULT);
        assert!(old.get("state").is_none());
        assert!(old["author"].get("from_ai_agent").is_none());
        assert_eq!(old["notified_at"], 5);
        assert_eq!(old["redacted"], false);
        let new = fixture_part(&part, ApiVersion::REPORTING);
        assert_eq!(new["state"], "open");
        assert_eq!(new["author"]["from_ai_agent"], true);
        assert_eq!(new["author"]["is_ai_answer"], false);
    }

    #[test]
    fn a_contact_reply_reopens_a_closed_conversation() {
        let created = 0;
        let p = parts::decode(
            created,
            "1 close a:1;2 comment c;3 snoozed a:1;4 comment c;5 note a:1;6 unsnoozed a:1",
        )
        .unwrap();
        assert_eq!(
            parts::states(&p),
            ["closed", "open", "snoozed", "open", "open", "open"]
        );
    }
}
