//! The customer-sync workload: contacts with Intercom's Stripe attributes (flat, in dollars) and,
//! for some, `Stripe Subscriptions` / `Stripe Payments` arrays (Stripe objects, in cents), and
//! support conversations whose contact messages sometimes mention cancelling.
//!
//! Deterministic: same `(contacts, conversations, seed, as-of)`, same bytes (ChaCha stream
//! `0x52455645`, separate from the coaching and support streams). Times end at the end of
//! as-of (24:00 UTC).
//!
//! | what | how |
//! | --- | --- |
//! | contacts | 85% users, 15% leads; `updated_at` spread over a year, with ~1% in the last 6 hours (what a 6-hourly incremental run reads); `last_seen_at` on 80% (0–60 days ago); country and city on 85% |
//! | emails | mixed case; 2% missing, 1% invalid (`name at domain`), 2% a duplicate of an earlier contact's email in other case with an older or newer `updated_at` |
//! | Stripe | 60% of contacts: a plan (Starter 29/month, Pro 99/month, Business 499/month, Pro Annual 990/year, Enterprise 12,000/year, Weekly 15/week); status active 75%, past_due 8%, canceled 10%, trialing 7%; delinquent on 40% of past-due; the last charge in dollars |
//! | arrays | 20% of Stripe contacts: 1–3 subscriptions (quantity 1–5, interval_count 1–3, amounts in cents) and 1–12 payments (10% partly refunded, 8% failed); half of them as JSON text |
//! | invalid | 1% of Stripe contacts: a negative price or a misspelt status |
//! | conversations | spread over contacts with a long tail; created in the last year, open 15%, snoozed 5%; rated 1–5 on 30% of closed; 90% started by the contact |
//! | parts | conversations with contact messages in the last 30 days carry 2–4 parts (admin and contact comments, a bot answer) |
//! | cancel mentions | 4% of contact messages ("I want to cancel", "we are switching", "we won’t renew", ...); admin and bot messages mention cancelling too, and must not count |

use chrono::{NaiveDate, NaiveTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use crate::workspace::{Sink, Workspace};

/// Size of the customer-sync workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerWorkload {
    pub contacts: usize,
    pub conversations: usize,
}

const DAY: i64 = 86_400;
const FIRST: &[&str] = &[
    "Ada", "Ben", "Chloe", "Diego", "Emma", "Farah", "Gus", "Hana", "Ivan", "Jia", "Kofi", "Lena",
    "Mateo", "Nora", "Omar", "Pia",
];
const LAST: &[&str] = &[
    "Smith", "Okafor", "Novak", "Garcia", "Chen", "Müller", "Rossi", "Kim", "Silva", "Haddad",
    "Berg", "Dubois",
];
const DOMAINS: &[&str] = &[
    "acme.com",
    "globex.io",
    "initech.co",
    "umbrella.org",
    "hooli.com",
    "stark.dev",
    "wayne.co.uk",
    "tyrell.ai",
];
const PLACES: &[(&str, &str)] = &[
    ("United States", "New York"),
    ("United States", "Austin"),
    ("United Kingdom", "London"),
    ("Germany", "Berlin"),
    ("Canada", "Toronto"),
    ("France", "Lyon"),
    ("Brazil", "São Paulo"),
    ("Japan", "Osaka"),
];
/// (name, dollars, interval)
const PLANS: &[(&str, f64, &str)] = &[
    ("Starter", 29.0, "month"),
    ("Pro", 99.0, "month"),
    ("Business", 499.0, "month"),
    ("Pro Annual", 990.0, "year"),
    ("Enterprise", 12000.0, "year"),
    ("Weekly", 15.0, "week"),
];
const CONTACT_PLAIN: &[&str] = &[
    "How do I export my data?",
    "The dashboard is slow today.",
    "Can you add a teammate to our account?",
    "Thanks, that worked!",
    "Where can I find last month's invoice?",
    "Is there an API for reports?",
];
const CONTACT_CANCEL: &[&str] = &[
    "I want to cancel my subscription.",
    "We are switching to another tool next month.",
    "We won\u{2019}t renew after this term.",
    "Please process the cancellation.",
    "Our team is leaving at the end of the quarter.",
    "We are not renewing.",
];
const ADMIN_TEXT: &[&str] = &[
    "Happy to help!",
    "Sorry to hear you are thinking of leaving.",
    "Do you want to cancel, or pause instead?",
    "I've fixed that for you.",
];
const BOT_TEXT: &[&str] = &[
    "Here is our cancellation policy.",
    "I can help with billing questions.",
];

fn pick<'a, T>(rng: &mut ChaCha8Rng, xs: &'a [T]) -> &'a T {
    &xs[rng.random_range(0..xs.len())]
}

fn contact_body(rng: &mut ChaCha8Rng) -> &'static str {
    if rng.random_bool(0.04) {
        CONTACT_CANCEL[rng.random_range(0..CONTACT_CANCEL.len())]
    } else {
        CONTACT_PLAIN[rng.random_range(0..CONTACT_PLAIN.len())]
    }
}

/// The customer-sync workspace (see the module docs).
pub fn generate_customers(w: &CustomerWorkload, seed: u64, as_of: NaiveDate) -> Workspace {
    let mut ws = Workspace::default();
    generate_customers_into(w, seed, as_of, &mut ws);
    ws
}

/// [`generate_customers`], handing each conversation to `sink` as soon as it is made (each
/// list in the same order).
pub(crate) fn generate_customers_into(
    w: &CustomerWorkload,
    seed: u64,
    as_of: NaiveDate,
    sink: &mut dyn Sink,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(0x5245_5645);
    let end = as_of
        .succ_opt()
        .unwrap_or(as_of)
        .and_time(NaiveTime::MIN)
        .and_utc()
        .timestamp();
    let admins = vec![
        json!({"type": "admin", "id": "7300001", "name": "Riley Support", "email": "riley@support.example", "team_ids": []}),
        json!({"type": "admin", "id": "7300002", "name": "Sam Success", "email": "sam@support.example", "team_ids": []}),
        json!({"type": "bot", "id": "7399001", "name": "Fin", "email": "fin@bot.example"}),
    ];
    let mut contacts: Vec<Value> = Vec::with_capacity(w.contacts);
    let mut emails: Vec<String> = Vec::new();
    for i in 0..w.contacts {
        let id = format!("6c{:022x}", i + 1);
        let first = *pick(&mut rng, FIRST);
        let last = *pick(&mut rng, LAST);
        let domain = *pick(&mut rng, DOMAINS);
        let updated_at = if rng.random_bool(0.01) {
            end - rng.random_range(0..6 * 3600)
        } else {
            end - 6 * 3600 - rng.random_range(0..365 * DAY)
        };
        let r: f64 = rng.random();
        let email: Value = if r < 0.02 {
            Value::Null
        } else if r < 0.03 {
            json!(format!("{first}.{last} at {domain}"))
        } else if r < 0.05 && !emails.is_empty() {
            let j = rng.random_range(0..emails.len());
            json!(emails[j].to_uppercase())
        } else {
            let e = format!("{}.{}{}@{}", first, last, i, domain);
            let e = if rng.random_bool(0.3) {
                e
            } else {
                e.to_lowercase()
            };
            emails.push(e.clone());
            json!(e)
        };
        let last_seen = rng
            .random_bool(0.8)
            .then(|| end - rng.random_range(0..60 * DAY));
        let (country, city) = if rng.random_bool(0.85) {
            let (c, t) = *pick(&mut rng, PLACES);
            (json!(c), json!(t))
        } else {
            (Value::Null, Value::Null)
        };
        let mut attrs = serde_json::Map::new();
        if rng.random_bool(0.6) {
            stripe(&mut rng, &mut attrs, i, end);
        }
        contacts.push(json!({
            "type": "contact", "id": id, "workspace_id": "sim",
            "external_id": format!("CUS-{:06}", i + 1),
            "role": if rng.random_bool(0.15) { "lead" } else { "user" },
            "email": email, "phone": null, "name": format!("{first} {last}"),
            "created_at": updated_at - rng.random_range(0..400 * DAY).min(updated_at - 1),
            "updated_at": updated_at, "signed_up_at": null, "last_seen_at": last_seen,
            "location": {"type": "location", "country": country, "region": null, "city": city},
            "custom_attributes": attrs,
        }));
    }
    for n in 0..w.conversations {
        if contacts.is_empty() {
            break;
        }
        // A long tail: squaring a uniform draw favours the first contacts.
        let u: f64 = rng.random();
        let owner = ((u * u) * contacts.len() as f64) as usize % contacts.len();
        let contact_id = contacts[owner]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let role = contacts[owner]["role"]
            .as_str()
            .unwrap_or("user")
            .to_string();
        let created = end - rng.random_range(3600..365 * DAY);
        let by_contact = rng.random_bool(0.9);
        let recent_reply = rng.random_bool(0.08);
        // A reply comes after the source, so `last_contact_reply_at` of a conversation with
        // contact parts is later than `created_at` (as Intercom reports it).
        let last_reply = if recent_reply {
            (end - rng.random_range(0..30 * DAY))
                .max(created + 60)
                .min(end - 1)
        } else {
            created
        };
        // Before the end: a run whose as-of is the end has seen every update.
        let updated = (last_reply + rng.random_range(0..2 * DAY)).min(end - 1);
        let state = match rng.random_range(0..100) {
            0..15 => "open",
            15..20 => "snoozed",
            _ => "closed",
        };
        let rating = (state == "closed" && rng.random_bool(0.3)).then(|| rng.random_range(1..=5));
        let author = |kind: &str, id: &str| json!({"type": kind, "id": id, "name": "x", "email": "x@example.com"});
        let source_author = if by_contact {
            author(&role, &contact_id)
        } else {
            author("admin", "7300001")
        };
        let source_body = if by_contact {
            contact_body(&mut rng)
        } else {
            *pick(&mut rng, ADMIN_TEXT)
        };
        let mut parts = Vec::new();
        if recent_reply {
            let k = rng.random_range(2..=4);
            for p in 0..k {
                let at = if p + 1 == k {
                    last_reply
                } else {
                    created + (last_reply - created) * p / k
                };
                let (a, body) = match p % 3 {
                    0 => (author("admin", "7300002"), *pick(&mut rng, ADMIN_TEXT)),
                    1 if rng.random_bool(0.3) => {
                        (author("bot", "7399001"), *pick(&mut rng, BOT_TEXT))
                    }
                    _ => (author(&role, &contact_id), contact_body(&mut rng)),
                };
                parts.push(
                    json!({"type": "conversation_part", "id": format!("{}", n * 10 + p as usize),
                    "part_type": "comment", "body": format!("<p>{body}</p>"), "created_at": at,
                    "updated_at": at, "notified_at": at, "author": a}),
                );
            }
            // The last part is the contact's reply.
            if let Some(last) = parts.last_mut() {
                last["author"] = author(&role, &contact_id);
            }
        }
        sink.conversation(json!({
            "type": "conversation", "id": format!("{}", 900_000_000 + n), "created_at": created,
            "updated_at": updated, "state": state, "open": state == "open", "read": true,
            "admin_assignee_id": null, "team_assignee_id": null,
            "conversation_rating": rating.map(|r| json!({"rating": r, "remark": null, "created_at": updated,
                "contact": {"type": "contact", "id": contact_id}, "teammate": {"type": "admin", "id": "7300001"}})),
            "source": {"type": "conversation", "id": format!("s{n}"),
                "delivered_as": if by_contact { "customer_initiated" } else { "admin_initiated" },
                "subject": "", "body": format!("<p>{source_body}</p>"), "author": source_author,
                "attachments": [], "url": null, "redacted": false},
            "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": contact_id, "external_id": null}]},
            "statistics": {"type": "conversation_statistics", "last_contact_reply_at": if by_contact || recent_reply { Some(last_reply) } else { None }},
            "conversation_parts": {"type": "conversation_part.list", "total_count": parts.len(), "conversation_parts": parts},
        }));
    }
    // The Stripe app's attributes, declared writable so that tests and the benchmark can change
    // them through `PUT /contacts/{id}` the way the app's sync would.
    let data_attributes = [
        ("stripe_id", "string"),
        ("stripe_plan", "string"),
        ("stripe_plan_price", "float"),
        ("stripe_plan_interval", "string"),
        ("stripe_subscription_status", "string"),
        ("stripe_delinquent", "boolean"),
        ("stripe_last_charge_amount", "float"),
        ("stripe_last_charge_at", "date"),
    ]
    .iter()
    .map(|(name, data_type)| {
        json!({"type": "data_attribute", "name": name, "full_name": format!("custom_attributes.{name}"),
               "model": "contact", "data_type": data_type, "custom": true, "api_writable": true,
               "archived": false})
    })
    .collect::<Vec<Value>>();
    admins.into_iter().for_each(|a| sink.admin(a));
    contacts.into_iter().for_each(|c| sink.contact(c));
    data_attributes
        .into_iter()
        .for_each(|a| sink.data_attribute(a));
}

/// The Stripe attributes of contact `i`.
fn stripe(rng: &mut ChaCha8Rng, attrs: &mut serde_json::Map<String, Value>, i: usize, end: i64) {
    let (plan, price, interval) = *pick(rng, PLANS);
    let status = match rng.random_range(0..100) {
        0..75 => "active",
        75..83 => "past_due",
        83..93 => "canceled",
        _ => "trialing",
    };
    attrs.insert("stripe_id".into(), json!(format!("cus_{:08x}", i + 1)));
    attrs.insert("stripe_plan".into(), json!(plan));
    attrs.insert("stripe_plan_price".into(), json!(price));
    attrs.insert("stripe_plan_interval".into(), json!(interval));
    attrs.insert("stripe_subscription_status".into(), json!(status));
    attrs.insert(
        "stripe_delinquent".into(),
        json!(status == "past_due" && rng.random_bool(0.4)),
    );
    if status != "trialing" {
        attrs.insert("stripe_last_charge_amount".into(), json!(price));
        attrs.insert(
            "stripe_last_charge_at".into(),
            json!(end - rng.random_range(DAY..40 * DAY)),
        );
    }
    if rng.random_bool(0.01) {
        if rng.random_bool(0.5) {
            attrs.insert("stripe_plan_price".into(), json!(-price));
        } else {
            attrs.insert("stripe_subscription_status".into(), json!("activ"));
        }
    }
    if rng.random_bool(0.2) {
        let subs: Vec<Value> = (0..rng.random_range(1..=3))
            .map(|k| {
                let (_, p, iv) = *pick(rng, PLANS);
                json!({"id": format!("sub_{i}_{k}"), "object": "subscription",
                    "status": if k == 0 { status } else { *pick(rng, &["active", "active", "past_due", "canceled", "trialing"]) },
                    "quantity": rng.random_range(1..=5),
                    "plan": {"amount": (p * 100.0) as i64, "currency": "usd", "interval": iv,
                             "interval_count": rng.random_range(1..=3)}})
            })
            .collect();
        let pays: Vec<Value> = (0..rng.random_range(1..=12))
            .map(|k| {
                let amount = (price * 100.0) as i64;
                let failed = rng.random_bool(0.08);
                let refunded = if !failed && rng.random_bool(0.1) {
                    rng.random_range(0..=amount)
                } else {
                    0
                };
                json!({"id": format!("ch_{i}_{k}"), "object": "charge", "amount": amount,
                    "amount_refunded": refunded, "currency": "usd",
                    "status": if failed { "failed" } else { "succeeded" }})
            })
            .collect();
        let as_text = rng.random_bool(0.5);
        let wrap = |v: Value| if as_text { json!(v.to_string()) } else { v };
        attrs.insert("Stripe Subscriptions".into(), wrap(json!(subs)));
        attrs.insert("Stripe Payments".into(), wrap(json!(pays)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_shaped() {
        let w = CustomerWorkload {
            contacts: 2000,
            conversations: 6000,
        };
        let d = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let a = generate_customers(&w, 7, d);
        let b = generate_customers(&w, 7, d);
        assert_eq!(
            serde_json::to_string(&a.contacts).unwrap(),
            serde_json::to_string(&b.contacts).unwrap()
        );
        assert_eq!((a.contacts.len(), a.conversations.len()), (2000, 6000));
        let count = |f: &dyn Fn(&Value) -> bool| a.contacts.iter().filter(|c| f(c)).count();
        let no_email = count(&|c| c["email"].is_null());
        assert!((20..70).contains(&no_email), "{no_email}");
        let stripe = count(&|c| c["custom_attributes"].get("stripe_id").is_some());
        assert!((1100..1300).contains(&stripe), "{stripe}");
        let arrays = count(&|c| c["custom_attributes"].get("Stripe Payments").is_some());
        assert!((170..320).contains(&arrays), "{arrays}");
        let end = 1_796_083_200; // 2026-12-01T00:00:00Z
        let recent = count(&|c| c["updated_at"].as_i64().unwrap() >= end - 6 * 3600);
        assert!((5..45).contains(&recent), "{recent}");
        let cancel = a
            .conversations
            .iter()
            .filter(|c| {
                c["source"]["author"]["type"] != "admin"
                    && CONTACT_CANCEL
                        .iter()
                        .any(|t| c["source"]["body"].as_str().unwrap().contains(t))
            })
            .count();
        assert!(cancel > 100, "{cancel}");
    }
}
