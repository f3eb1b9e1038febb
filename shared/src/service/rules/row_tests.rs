//! Tests of the whole `service_conversations` row: Intercom's 2.11 and 2.16 samples, each column
//! rule through [`conversation_row`], and properties over generated conversations.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::America::New_York;
use proptest::prelude::*;
use serde_json::{json, Value};

use super::row::{conversation_row, ServiceConversation};
use super::sentiment::{Sentiment, SentimentSource};
use super::testing::{conv, part_json, shuffle};
use crate::intercom::models::ConversationParts;
use crate::intercom::{Admin, AdminNames, Conversation};

const V2_11: &str = include_str!("../../intercom/testdata/conversation-2.11.json");
const V2_16: &str = include_str!("../../intercom/testdata/conversation-2.16.json");

fn synced() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

fn admins() -> AdminNames {
    let list: Vec<Admin> = serde_json::from_value(json!([
        {"type": "admin", "id": "991267715", "name": "Ciaran Lee"},
        {"type": "admin", "id": "274", "name": "Operator"},
    ]))
    .unwrap();
    AdminNames::new(&list)
}

/// The row of `c` with its own parts, no country, New York.
fn row(c: &Conversation) -> ServiceConversation {
    conversation_row(
        c,
        c.conversation_parts.as_ref(),
        None,
        &admins(),
        New_York,
        synced(),
    )
}

fn at(ts: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(ts, 0).unwrap()
}

#[test]
fn the_2_11_sample_row() {
    let c: Conversation = serde_json::from_str(V2_11).unwrap();
    let r = conversation_row(
        &c,
        c.conversation_parts.as_ref(),
        Some("United States"),
        &admins(),
        New_York,
        synced(),
    );
    let want = ServiceConversation {
        conversation_id: "1295".into(),
        created_at: at(1_730_611_800),
        updated_at: at(1_730_615_400),
        state: "closed".into(),
        // 05:30 UTC on the fall-back day: the first 01:30 in New York
        started_at: at(1_730_611_800),
        start_date: NaiveDate::from_ymd_opt(2024, 11, 3).unwrap(),
        start_hour: 1,
        start_day_of_week: 0,
        channel: Some("Chat".into()),
        contact_id: Some("5ba682d23d7cf92bef87bfd4".into()),
        contact_country: Some("United States".into()),
        assignee_id: None,
        assignee_name: None,
        team_id: None,
        frt_seconds: Some(95),
        frt_office_hours_seconds: Some(95),
        art_seconds: Some(95), // the contact's "thanks" stays unanswered: no second gap
        median_reply_seconds: Some(95),
        response_count: Some(1),
        aht_seconds: None, // 2.11 has no handling_time
        wait_time_seconds: Some(0),
        time_to_close_seconds: Some(3_000),
        csat_rating: Some(5),
        csat_remark: Some("Quick and kind".into()),
        sentiment: Some(Sentiment::Positive),
        sentiment_source: Some(SentimentSource::Tag),
        reopened_count: Some(0),
        is_reopened: false,
        parts_truncated: Some(false),
        synced_at: synced(),
    };
    assert_eq!(r, want);
}

#[test]
fn the_2_16_sample_row() {
    let c: Conversation = serde_json::from_str(V2_16).unwrap();
    let r = row(&c);
    // 06:30 UTC on the spring-forward day: 01:30 EST in New York
    assert_eq!(
        (r.start_date, r.start_hour, r.start_day_of_week),
        (NaiveDate::from_ymd_opt(2024, 3, 10).unwrap(), 1, 0)
    );
    assert_eq!(r.state, "open");
    assert_eq!(r.channel.as_deref(), Some("email"), "no Channel attribute");
    assert_eq!(r.contact_id.as_deref(), Some("6762f1571bb69f9f2193bbbb"));
    assert_eq!(r.assignee_id.as_deref(), Some("991267715"));
    assert_eq!(r.assignee_name.as_deref(), Some("Ciaran Lee"));
    assert_eq!(r.team_id, None, "team 0");
    assert_eq!(
        (r.frt_seconds, r.frt_office_hours_seconds),
        (Some(1_800), Some(1_800))
    );
    assert_eq!(r.median_reply_seconds, Some(1_500));
    assert_eq!(r.aht_seconds, Some(2_310));
    assert_eq!(r.wait_time_seconds, Some(600));
    assert_eq!(r.time_to_close_seconds, None, "open");
    assert_eq!((r.csat_rating, r.csat_remark.clone()), (None, None));
    assert_eq!(
        (r.sentiment, r.sentiment_source),
        (Some(Sentiment::Negative), Some(SentimentSource::CxScore))
    );
    assert_eq!((r.reopened_count, r.is_reopened), (Some(2), true));
    // 520 parts counted, 4 returned: the opening message is not taken as waiting, so Fin's
    // answer and the human reply make no gap; the human reply still counts.
    assert_eq!(r.parts_truncated, Some(true));
    assert_eq!((r.art_seconds, r.response_count), (None, Some(1)));
}

#[test]
fn without_parts_the_reply_level_columns_are_unknown() {
    let c: Conversation = serde_json::from_str(V2_11).unwrap();
    let r = conversation_row(&c, None, None, &admins(), New_York, synced());
    assert_eq!(
        (r.art_seconds, r.response_count, r.parts_truncated),
        (None, None, None)
    );
    assert_eq!(r.frt_seconds, Some(95), "statistics still apply");
}

#[test]
fn missing_statistics() {
    let c = conv(json!({"state": "closed", "statistics": null, "created_at": 1_000}));
    let r = conversation_row(
        &c,
        Some(&ConversationParts::default()),
        None,
        &admins(),
        New_York,
        synced(),
    );
    assert_eq!(r.started_at, at(1_000), "started at creation");
    assert_eq!(
        [
            r.frt_seconds,
            r.frt_office_hours_seconds,
            r.median_reply_seconds,
            r.aht_seconds,
            r.wait_time_seconds,
            r.time_to_close_seconds,
            r.reopened_count,
            r.art_seconds
        ],
        [None; 8]
    );
    assert!(!r.is_reopened);
    assert_eq!(
        (r.response_count, r.parts_truncated),
        (Some(0), Some(false))
    );
}

#[test]
fn a_reopened_conversation() {
    let parts = json!({"conversation_parts": [
        part_json(1, "comment", 1_030, "admin"),
        part_json(2, "close", 1_040, "admin"),
        part_json(3, "open", 2_000, "user"),
        part_json(4, "comment", 2_100, "admin"),
        part_json(5, "close", 2_200, "admin"),
    ], "total_count": 5});
    let c = conv(json!({
        "created_at": 1_000, "state": "closed", "conversation_parts": parts,
        "statistics": {"first_contact_reply_at": 1_000, "first_admin_reply_at": 1_030,
                       "last_close_at": 2_200, "count_reopens": 1, "count_conversation_parts": 5},
    }));
    let r = row(&c);
    assert_eq!((r.reopened_count, r.is_reopened), (Some(1), true));
    assert_eq!(r.art_seconds, Some(65), "gaps 30 and 100");
    assert_eq!(r.response_count, Some(2));
    assert_eq!(r.frt_seconds, Some(30));
    assert_eq!(r.time_to_close_seconds, Some(1_200), "to the last close");
    assert_eq!(r.parts_truncated, Some(false));
}

#[test]
fn an_admin_initiated_conversation() {
    let parts = json!({"conversation_parts": [
        part_json(1, "comment", 1_500, "user"),
        part_json(2, "note", 1_510, "admin"),
        part_json(3, "comment", 1_620, "admin"),
    ]});
    let c = conv(json!({
        "created_at": 1_000, "conversation_parts": parts,
        "source": {"type": "email", "delivered_as": "admin_initiated",
                   "author": {"type": "admin", "id": "274"}},
        "statistics": {"first_contact_reply_at": 1_500, "first_admin_reply_at": 1_620},
    }));
    let r = row(&c);
    assert_eq!(
        r.started_at,
        at(1_500),
        "dated by the contact's first reply"
    );
    assert_eq!((r.art_seconds, r.response_count), (Some(120), Some(1)));
    assert_eq!(r.frt_seconds, Some(120));
}

#[test]
fn unassigned_as_zero_or_null() {
    for (admin, team) in [(json!(0), json!(0)), (json!(null), json!(null))] {
        let r = row(&conv(
            json!({"admin_assignee_id": admin, "team_assignee_id": team}),
        ));
        assert_eq!(
            (r.assignee_id, r.assignee_name, r.team_id),
            (None, None, None),
            "{admin}"
        );
    }
}

#[test]
fn blank_country_is_unknown() {
    let c = conv(json!({}));
    for (given, want) in [(Some(" FR "), Some("FR")), (Some(" "), None), (None, None)] {
        let r = conversation_row(&c, None, given, &admins(), New_York, synced());
        assert_eq!(r.contact_country.as_deref(), want);
    }
}

#[test]
fn the_row_serialises_with_column_names_and_stored_values() {
    let c: Conversation = serde_json::from_str(V2_16).unwrap();
    let v = serde_json::to_value(row(&c)).unwrap();
    assert_eq!(v["sentiment"], json!("Negative"));
    assert_eq!(v["sentiment_source"], json!("cx_score"));
    assert_eq!(v["start_date"], json!("2024-03-10"));
    assert_eq!(v["started_at"], json!("2024-03-10T06:30:00Z"));
    let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 30);
}

// ---- properties over generated conversations ----

const KINDS: [(&str, &str); 9] = [
    ("comment", "user"),
    ("open", "user"),
    ("comment", "lead"),
    ("comment", "admin"),
    ("note", "admin"),
    ("comment", "bot"),
    ("assignment", "admin"),
    ("close", "admin"),
    ("quick_reply", "user"),
];

/// A conversation JSON with generated parts (unique ids), statistics and bodies carrying `mark`.
fn arb_conversation() -> impl Strategy<Value = Value> {
    let parts = prop::collection::vec((0i64..20_000, 0..KINDS.len(), any::<bool>()), 0..30);
    let stats = (
        prop::option::of(0i64..5_000),
        prop::option::of(0i64..50_000),
        prop::option::of(0i64..3),
        prop::option::of(0i64..40),
    );
    (parts, stats, any::<bool>(), any::<bool>()).prop_map(
        |(steps, (fcr, far, reopens, count), contact_source, closed)| {
            let mut t = 1_000;
            let parts: Vec<Value> = steps
                .into_iter()
                .enumerate()
                .map(|(i, (dt, k, ai))| {
                    t += dt;
                    let (kind, author) = KINDS[k];
                    let mut p = part_json(i as u32 + 1, kind, t, author);
                    if ai && author == "admin" {
                        p["author"]["from_ai_agent"] = json!(true);
                    }
                    p
                })
                .collect();
            let author = if contact_source { "user" } else { "admin" };
            json!({
                "type": "conversation", "id": "42", "created_at": 1_000, "updated_at": t + 1,
                "state": if closed { "closed" } else { "open" },
                "source": {"type": "chat", "body": "<p>source body</p>", "subject": "subject",
                           "author": {"type": author, "id": "a"}},
                "contacts": {"contacts": [{"id": "u1"}]},
                "statistics": {
                    "first_contact_reply_at": fcr.map(|x| 1_000 + x),
                    "first_admin_reply_at": far.map(|x| 1_000 + x),
                    "last_close_at": if closed { Some(t) } else { None },
                    "count_reopens": reopens, "count_conversation_parts": count,
                },
                "conversation_parts": {"conversation_parts": parts},
            })
        },
    )
}

fn read(v: &Value) -> Conversation {
    serde_json::from_value(v.clone()).unwrap()
}

/// Every `body` and `subject` in `v` replaced by `text`.
fn rewrite_bodies(v: &mut Value, text: &str) {
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if k == "body" || k == "subject" {
                    *x = json!(text);
                } else {
                    rewrite_bodies(x, text);
                }
            }
        }
        Value::Array(xs) => xs.iter_mut().for_each(|x| rewrite_bodies(x, text)),
        _ => {}
    }
}

proptest! {
    #[test]
    fn the_row_does_not_depend_on_part_order(v in arb_conversation(), seed in any::<u64>()) {
        let mut shuffled = v.clone();
        if let Some(Value::Array(parts)) =
            shuffled.pointer_mut("/conversation_parts/conversation_parts")
        {
            shuffle(parts, seed);
        }
        prop_assert_eq!(row(&read(&v)), row(&read(&shuffled)));
    }

    #[test]
    fn no_column_reads_a_body(v in arb_conversation(), text in "[a-zA-Z ]{0,40}") {
        let mut other = v.clone();
        rewrite_bodies(&mut other, &format!("SECRET {text}"));
        let (a, b) = (row(&read(&v)), row(&read(&other)));
        prop_assert_eq!(&a, &b);
        let out = serde_json::to_string(&b).unwrap();
        prop_assert!(!out.contains("SECRET") && !out.contains("body"), "{}", out);
    }

    #[test]
    fn reply_level_figures_are_consistent(v in arb_conversation()) {
        let r = row(&read(&v));
        let humans = v["conversation_parts"]["conversation_parts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["part_type"] == "comment" && p["author"]["type"] == "admin"
                && p["author"]["from_ai_agent"] != json!(true))
            .count() as i64;
        prop_assert_eq!(r.response_count, Some(humans));
        if r.art_seconds.is_some() {
            prop_assert!(humans > 0);
        }
        prop_assert!(r.art_seconds.unwrap_or(0) >= 0);
        for d in [r.frt_seconds, r.wait_time_seconds, r.time_to_close_seconds] {
            prop_assert!(d.unwrap_or(0) >= 0);
        }
        prop_assert_eq!(r.is_reopened, r.reopened_count.unwrap_or(0) > 0);
    }
}
