//! A realistic, deterministic customer-support workload: customers in several countries
//! writing in by chat, email, phone and WhatsApp; Fin (the AI agent) answering some chats;
//! four teams whose admins pick conversations up from a queue and reply at realistic delays;
//! notes, reassignments, snoozes, closes, reopens, ratings, CX scores and sentiment tags.
//!
//! Same `(workload, seed, as_of)` → byte-identical fixture JSON. Its random stream is the
//! coaching generator's seed on stream [`RNG_STREAM`], so adding it to a coaching workspace
//! changes nothing of the coaching data. Conversations are dated in the `days` days up to
//! as-of; parts after as-of are cut, so recent conversations are still open, snoozed or
//! waiting. Parts are stored compactly (see [`crate::parts`]).

mod customers;
mod office;
mod roster;
mod statistics;
mod timeline;

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

use super::attributes;
use super::people::{pick, weighted};
use super::timeline::ny_instant;
use crate::parts::{self, Part};
use crate::workspace::{Sink, Workspace};
use customers::Customer;
use roster::{ADMINS, FIN, OPERATOR, TEAMS};
use statistics::{Current, Facts};
use timeline::{wait, Channel, Plan};

/// The stream of the seed's ChaCha generator the support workload draws from.
pub const RNG_STREAM: u64 = 0x5350_5254; // "SPRT"
/// Id of the first support conversation (coaching conversations start at 1,000,001).
pub const FIRST_CONVERSATION_ID: u64 = 600_000_001;

const DAY: i64 = 86_400;

/// How much support traffic to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportWorkload {
    /// Number of conversations.
    pub conversations: usize,
    /// They start within this many days up to as-of.
    pub days: u32,
}

impl Default for SupportWorkload {
    fn default() -> Self {
        Self {
            conversations: 2_000,
            days: 90,
        }
    }
}

/// (channel, weight)
const CHANNELS: &[(Channel, u32)] = &[
    (Channel::Chat, 50),
    (Channel::Email, 30),
    (Channel::Phone, 8),
    (Channel::WhatsApp, 12),
];

/// Local hour weights of customers' first messages (0..24).
const HOUR_WEIGHTS: [u32; 24] = [
    1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 10, 10, 11, 11, 10, 9, 8, 7, 6, 5, 3, 2,
];

/// Generates the support workload ending at as-of (America/New_York).
pub fn generate_support(workload: &SupportWorkload, seed: u64, as_of: NaiveDate) -> Workspace {
    let mut ws = Workspace::default();
    generate_support_into(workload, seed, as_of, &mut ws);
    ws
}

/// [`generate_support`], handing each object to `sink` as soon as it is made (each list in the
/// same order).
pub(crate) fn generate_support_into(
    workload: &SupportWorkload,
    seed: u64,
    as_of: NaiveDate,
    sink: &mut dyn Sink,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(RNG_STREAM);
    let end = ny_instant(as_of + Duration::days(1), 0, 0) - 1;
    let days = i64::from(workload.days.max(1));
    let start = end + 1 - days * DAY;
    let n = workload.conversations;

    let pool = if n == 0 { 0 } else { (n * 3 / 5).max(1) };
    let customers: Vec<Customer> = (0..pool)
        .map(|i| {
            let created = start - rng.random_range(DAY..700 * DAY);
            let updated = (end - rng.random_range(0..20 * DAY)).max(created);
            customers::customer(&mut rng, i, created, updated)
        })
        .collect();

    // A few conversations run to hundreds of parts (at least one in any sizeable workload).
    let long: BTreeSet<usize> = if n >= 20 && days >= 12 {
        (0..(n / 300).max(1))
            .map(|_| rng.random_range(0..n))
            .collect()
    } else {
        BTreeSet::new()
    };
    let mut plans: Vec<(Plan, usize)> = (0..n)
        .map(|i| {
            let customer = rng.random_range(0..pool);
            let plan = plan(
                &mut rng,
                &customers[customer],
                long.contains(&i),
                as_of,
                days,
                (start, end),
            );
            (plan, customer)
        })
        .collect();
    plans.sort_by_key(|(p, c)| (p.created_at, *c));

    for (k, (plan, c)) in plans.iter().enumerate() {
        sink.conversation(conversation(
            &mut rng,
            FIRST_CONVERSATION_ID + k as u64,
            plan,
            &customers[*c],
            end,
        ));
    }
    drop(plans);
    let attributes_created = ny_instant(as_of - Duration::days(900), 9, 0);
    roster::entries().into_iter().for_each(|a| sink.admin(a));
    customers.into_iter().for_each(|c| sink.contact(c.contact));
    attributes::support_data_attributes(attributes_created, ADMINS[0].0)
        .into_iter()
        .for_each(|a| sink.data_attribute(a));
}

fn plan(
    rng: &mut ChaCha8Rng,
    customer: &Customer,
    long: bool,
    as_of: NaiveDate,
    days: i64,
    (start, end): (i64, i64),
) -> Plan {
    let team = weighted_index(rng, TEAMS.iter().map(|t| t.2));
    if long {
        // Well before as-of, on a weekday morning, so all of it is there.
        let back = rng.random_range(10..days.max(12));
        let mut day = as_of - Duration::days(back);
        while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            day -= Duration::days(1);
        }
        return Plan {
            created_at: ny_instant(day, rng.random_range(9..12), rng.random_range(0..60)),
            channel: Channel::Chat,
            outbound: false,
            team,
            long: true,
        };
    }
    let channel = weighted(rng, CHANNELS, |c| c.1).0;
    let outbound = matches!(channel, Channel::Chat | Channel::Email) && rng.random_bool(0.06);
    // Fewer conversations at weekends.
    let day = loop {
        let d = as_of - Duration::days(rng.random_range(0..days));
        let keep = match d.weekday() {
            Weekday::Sat => 0.45,
            Weekday::Sun => 0.35,
            _ => 1.0,
        };
        if rng.random_bool(keep) {
            break d;
        }
    };
    let hour = weighted_index(rng, HOUR_WEIGHTS.iter().copied()) as u32;
    let local = day
        .and_hms_opt(hour, rng.random_range(0..60), rng.random_range(0..60))
        .expect("valid time");
    // Customers write in their own daytime, whatever the hour in New York.
    let at = customer
        .tz
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or_else(|| ny_instant(day, 12, 0));
    let at = if at > end { at - DAY } else { at };
    Plan {
        created_at: at.clamp(start, end),
        channel,
        outbound,
        team,
        long: false,
    }
}

const SUBJECTS: &[&str] = &[
    "Problem with my invoice",
    "Can't sign in",
    "Export not arriving",
    "Question about upgrading",
    "Refund request",
];
const SOURCE_LINES: &[&str] = &[
    "Hi, I was charged twice this month.",
    "I can't sign in since this morning.",
    "The CSV export never arrives.",
    "How do I add a teammate to my plan?",
    "The app shows an error when I save.",
    "Can I get a refund for the unused seats?",
];
const OUTBOUND_LINES: &[&str] = &[
    "Hi! Following up on your trial: anything we can help with?",
    "Your renewal is coming up; reply here with any questions.",
];
/// Remarks by rating (index 0 = rating 1).
const REMARKS: [&[&str]; 5] = [
    &[
        "Nobody answered for a day.",
        "Unhelpful, problem not solved.",
    ],
    &["Slow reply and still not sure it is fixed."],
    &["Fixed, but I had to explain it twice."],
    &["Good, but it took a while to get an answer."],
    &[
        "Super quick and helpful, thank you!",
        "Great support as always.",
    ],
];
const CX_EXPLANATIONS: [&str; 5] = [
    "The customer was frustrated by slow replies and an unresolved issue.",
    "The issue was only partly resolved after several follow-ups.",
    "The issue was resolved, though it needed some back and forth.",
    "The issue was resolved efficiently with a minor delay.",
    "The conversation was resolved quickly and the customer was satisfied.",
];
/// Sentiment tags (rating 1–2, 3, 4–5), named in the mixed case teams use.
const SENTIMENT_TAGS: [(&str, &str); 3] = [
    ("821003", "NEGATIVE"),
    ("821002", "neutral"),
    ("821001", "Positive"),
];
const TOPIC_TAGS: &[(&str, &str)] = &[
    ("821010", "billing"),
    ("821011", "bug"),
    ("821012", "feature request"),
    ("821013", "VIP"),
];

/// An index drawn with the given weights.
fn weighted_index(rng: &mut ChaCha8Rng, weights: impl Iterator<Item = u32> + Clone) -> usize {
    let total: u32 = weights.clone().sum();
    let mut at = rng.random_range(0..total.max(1));
    for (i, w) in weights.enumerate() {
        if at < w {
            return i;
        }
        at -= w;
    }
    0
}

fn is_bot(id: &str) -> bool {
    id == FIN || id == OPERATOR
}

fn id_number(id: &str) -> Value {
    id.parse::<i64>().map(Value::from).unwrap_or(json!(id))
}

/// A 1–5 score: mostly happy customers, a tail of unhappy ones.
fn satisfaction(rng: &mut ChaCha8Rng) -> i64 {
    weighted_index(rng, [10, 8, 12, 24, 46].into_iter()) as i64 + 1
}

fn conversation(
    rng: &mut ChaCha8Rng,
    id: u64,
    plan: &Plan,
    customer: &Customer,
    end: i64,
) -> Value {
    let created = plan.created_at;
    let simulated = timeline::simulate(rng, plan);
    let cut = simulated.parts.iter().position(|p| p.at > end);
    let next_after_end = cut.map(|i| simulated.parts[i].at);
    let mut parts: Vec<Part> = simulated.parts;
    parts.truncate(cut.unwrap_or(parts.len()));
    let sender = simulated.sender.map(|a| ADMINS[a]);
    let facts = Facts {
        created_at: created,
        contact_started: !plan.outbound,
        parts: &parts,
        initial_admin: sender.map(|a| a.0),
        is_bot: &is_bot,
    };
    let current = statistics::current(&facts);
    let stats = statistics::statistics(&facts);
    let mut updated = parts.last().map_or(created, |p| p.at);

    let closed_at = stats.get("last_close_at").and_then(Value::as_i64);
    let closed_by = stats
        .get("last_closed_by_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let human = !current.teammates.is_empty();
    let closed = current.state == "closed";
    let mut custom = Map::new();
    if rng.random_bool(0.55) {
        custom.insert("Channel".into(), json!(plan.channel.attribute()));
    }

    // CSAT: asked after a teammate closed it; some customers answer, some add a remark.
    let mut rating_score = None;
    let mut rating = None;
    if let (true, true, Some(close)) = (closed, human, closed_at) {
        if rng.random_bool(0.35) {
            let at = close + wait(rng, (60, 12 * 3600));
            let score = satisfaction(rng);
            let remark = rng
                .random_bool(0.4)
                .then(|| *pick(rng, REMARKS[(score - 1) as usize]));
            let teammate = current
                .admin
                .clone()
                .or_else(|| current.teammates.last().cloned());
            if at <= end {
                rating_score = Some(score);
                updated = updated.max(at);
                rating = Some(json!({
                    "rating": score, "remark": remark.unwrap_or(""), "created_at": at,
                    "contact": {"type": "contact", "id": customer.id, "external_id": customer.external_id},
                    "teammate": {"type": "admin", "id": teammate},
                }));
            }
        }
    }
    // Intercom's CX Score, on some closed conversations, close to the CSAT when both exist.
    let mut cx_score = None;
    if let (true, Some(close)) = (closed, closed_at) {
        if rng.random_bool(if human { 0.35 } else { 0.25 }) {
            let at = close + wait(rng, (120, 1800));
            let score = match rating_score {
                Some(r) => (r + rng.random_range(-1..=1)).clamp(1, 5),
                None => satisfaction(rng),
            };
            if at <= end {
                cx_score = Some(score);
                updated = updated.max(at);
                custom.insert("CX Score rating".into(), json!(score));
                custom.insert(
                    "CX Score explanation".into(),
                    json!(CX_EXPLANATIONS[(score - 1) as usize]),
                );
            }
        }
    }
    let mut tags = Vec::new();
    if let (true, Some(close), Some(by)) = (closed, closed_at, &closed_by) {
        let applied_by = json!({"type": if is_bot(by) { "bot" } else { "admin" }, "id": by});
        if rng.random_bool(0.3) {
            let score = cx_score
                .or(rating_score)
                .unwrap_or_else(|| satisfaction(rng));
            let (tag_id, name) = SENTIMENT_TAGS[match score {
                1 | 2 => 0,
                3 => 1,
                _ => 2,
            }];
            let at = (close + rng.random_range(0..300)).min(end);
            updated = updated.max(at);
            tags.push(
                json!({"type": "tag", "id": tag_id, "name": name, "applied_at": at,
                             "applied_by": applied_by}),
            );
        }
        if rng.random_bool(0.2) {
            let (tag_id, name) = *pick(rng, TOPIC_TAGS);
            tags.push(
                json!({"type": "tag", "id": tag_id, "name": name, "applied_at": close,
                             "applied_by": applied_by}),
            );
        }
    }

    let contact_author = json!({
        "type": customer.contact["role"], "id": customer.id,
        "name": customer.contact["name"], "email": customer.contact["email"],
    });
    let author = match sender {
        Some((admin_id, name, _)) => {
            json!({"type": "admin", "id": admin_id, "name": name, "email": roster::email(name)})
        }
        None => contact_author,
    };
    let (subject, body) = match (plan.outbound, plan.channel) {
        (true, _) => ("", *pick(rng, OUTBOUND_LINES)),
        (false, Channel::Email) => (*pick(rng, SUBJECTS), *pick(rng, SOURCE_LINES)),
        (false, _) => ("", *pick(rng, SOURCE_LINES)),
    };
    let state = current.state;
    let read = closed || rng.random_bool(0.5);
    let priority = rng.random_bool(0.08);
    let Current {
        admin,
        team,
        teammates,
        waiting_since,
        snoozed_at,
        ai_agent_participated,
        ..
    } = current;
    let snoozed_until = snoozed_at.map(|at| next_after_end.unwrap_or(at + DAY));

    // Intercom's defaults (no assignee, not priority, unread, no attributes, not waiting) are
    // left for the server to fill in, which keeps 100,000 conversations small.
    let mut c = json!({
        "id": id.to_string(),
        "created_at": created, "updated_at": updated.min(end).max(created),
        "source": {
            "type": plan.channel.source_type(), "id": (id + 400_000_000).to_string(),
            "delivered_as": if plan.outbound { "admin_initiated" } else { "customer_initiated" },
            "subject": subject, "body": format!("<p>{body}</p>"), "author": author,
            "attachments": [], "url": null, "redacted": false,
        },
        "contacts": {"type": "contact.list", "contacts": [
            {"type": "contact", "id": customer.id, "external_id": customer.external_id}]},
        "open": state != "closed", "state": state,
    });
    let obj = c.as_object_mut().expect("an object");
    let mut set = |key: &str, v: Option<Value>| {
        if let Some(v) = v {
            obj.insert(key.to_owned(), v);
        }
    };
    set("admin_assignee_id", admin.as_deref().map(id_number));
    set("team_assignee_id", team.as_deref().map(id_number));
    set("read", read.then_some(json!(true)));
    set("priority", priority.then_some(json!("priority")));
    set(
        "custom_attributes",
        (!custom.is_empty()).then_some(Value::Object(custom)),
    );
    set("waiting_since", waiting_since.map(Value::from));
    set("snoozed_until", snoozed_until.map(Value::from));
    if !teammates.is_empty() {
        let refs: Vec<Value> = teammates
            .iter()
            .map(|t| json!({"type": "admin", "id": t}))
            .collect();
        obj.insert(
            "teammates".into(),
            json!({"type": "admin.list", "teammates": refs}),
        );
    }
    if !tags.is_empty() {
        obj.insert("tags".into(), json!({"type": "tag.list", "tags": tags}));
    }
    if let Some(r) = rating {
        obj.insert("conversation_rating".into(), r);
    }
    if ai_agent_participated {
        obj.insert("ai_agent_participated".into(), json!(true));
    }
    obj.insert("statistics".into(), Value::Object(stats));
    obj.insert(
        parts::COMPACT_KEY.into(),
        json!(parts::encode(created, &parts)),
    );
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_support_stream_is_not_the_coaching_stream() {
        let mut coaching = ChaCha8Rng::seed_from_u64(42);
        let mut support = ChaCha8Rng::seed_from_u64(42);
        support.set_stream(RNG_STREAM);
        assert_ne!(coaching.random::<u64>(), support.random::<u64>());
    }
}
