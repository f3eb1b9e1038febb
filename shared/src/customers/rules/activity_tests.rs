use super::*;
use proptest::prelude::*;
use serde_json::{json, Value};

const AS_OF: i64 = 1_790_000_000;
const DAY: i64 = 86_400;

fn conv(
    id: &str,
    contacts: &[&str],
    created: i64,
    state: &str,
    extra: Value,
) -> SupportConversation {
    let mut v = json!({
        "id": id, "created_at": created, "updated_at": created + 60, "state": state,
        "contacts": {"contacts": contacts.iter().map(|c| json!({"type": "contact", "id": c})).collect::<Vec<_>>()},
        "source": {"delivered_as": "customer_initiated", "author": {"type": "user", "id": contacts[0]}, "body": "<p>Hello</p>"},
    });
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    serde_json::from_value(v).unwrap()
}

fn part(at: i64, author_type: &str, author_id: &str, body: &str) -> Value {
    json!({"part_type": "comment", "created_at": at, "author": {"type": author_type, "id": author_id}, "body": body})
}

fn parts(ps: Vec<Value>) -> Value {
    json!({"conversation_parts": {"conversation_parts": ps}})
}

#[test]
fn counts_open_and_csat() {
    let m = KeywordMatcher::default();
    let rated = |r: i64| json!({"conversation_rating": {"rating": r}});
    let cs = vec![
        conv("1", &["c1"], AS_OF - 40 * DAY, "closed", rated(5)),
        conv("2", &["c1"], AS_OF - 30 * DAY, "open", rated(4)), // exactly 30 days: recent
        conv("3", &["c1", "c2"], AS_OF - DAY, "snoozed", rated(4)),
        conv("4", &["c1"], AS_OF - 2 * DAY, "open", json!({})),
        conv("5", &["c2"], AS_OF - 2 * DAY, "open", rated(1)), // another contact's
        conv("1", &["c1"], AS_OF - 40 * DAY, "closed", rated(5)), // the same one twice
    ];
    let a = activity("c1", &cs, &m, AS_OF);
    // (5 + 4 + 4) / 3 = 4.333… → 4.33.
    assert_eq!(
        a,
        Activity {
            convos_total: 4,
            convos_30d: 3,
            open_tickets: 2,
            csat_hundredths: Some(433),
            mentioned_cancel: false
        }
    );
    // None rated: null, not 0.
    assert_eq!(activity("c9", &cs, &m, AS_OF), Activity::default());
    // 4.5 and 4.125 → half-even on hundredths: 4.50, 4.12 (4.125 → 4.12).
    let cs = [
        conv("a", &["c"], 0, "closed", rated(4)),
        conv("b", &["c"], 0, "closed", rated(5)),
    ];
    assert_eq!(activity("c", &cs, &m, AS_OF).csat_hundredths, Some(450));
    let eight: Vec<_> = [5, 4, 4, 4, 4, 4, 4, 4]
        .iter()
        .enumerate()
        .map(|(i, r)| conv(&i.to_string(), &["c"], 0, "closed", rated(*r)))
        .collect();
    assert_eq!(activity("c", &eight, &m, AS_OF).csat_hundredths, Some(412));
}

#[test]
fn cancel_mentions_by_the_contact_only() {
    let m = KeywordMatcher::default();
    let src = |author: Value, body: &str| json!({"source": {"delivered_as": "customer_initiated", "author": author, "body": body}});
    let cases: Vec<(&str, SupportConversation, bool)> = vec![
        (
            "source by the contact",
            conv(
                "1",
                &["c1"],
                AS_OF - DAY,
                "open",
                src(json!({"type": "user", "id": "c1"}), "<p>Please cancel</p>"),
            ),
            true,
        ),
        (
            "source by a lead",
            conv(
                "1",
                &["c1"],
                AS_OF - DAY,
                "open",
                src(json!({"type": "lead", "id": "c1"}), "We are switching"),
            ),
            true,
        ),
        (
            "source by an admin",
            conv(
                "1",
                &["c1"],
                AS_OF - DAY,
                "open",
                src(json!({"type": "admin", "id": "7"}), "Sorry you are leaving"),
            ),
            false,
        ),
        (
            "source too old",
            conv(
                "1",
                &["c1"],
                AS_OF - 31 * DAY,
                "open",
                src(json!({"type": "user", "id": "c1"}), "cancel"),
            ),
            false,
        ),
        (
            "source by another contact",
            conv(
                "1",
                &["c1", "c2"],
                AS_OF - DAY,
                "open",
                src(json!({"type": "user", "id": "c2"}), "cancel"),
            ),
            false,
        ),
        (
            "source without an author id, sole contact",
            conv(
                "1",
                &["c1"],
                AS_OF - DAY,
                "open",
                src(json!({"type": "user"}), "cancel"),
            ),
            true,
        ),
        (
            "part by the contact",
            conv(
                "1",
                &["c1"],
                AS_OF - 90 * DAY,
                "open",
                parts(vec![part(AS_OF - 3 * DAY, "user", "c1", "I won’t renew")]),
            ),
            true,
        ),
        (
            "part by the contact, too old",
            conv(
                "1",
                &["c1"],
                AS_OF - 90 * DAY,
                "open",
                parts(vec![part(AS_OF - 31 * DAY, "user", "c1", "cancel")]),
            ),
            false,
        ),
        (
            "part after as-of",
            conv(
                "1",
                &["c1"],
                AS_OF - 90 * DAY,
                "open",
                parts(vec![part(AS_OF + 1, "user", "c1", "cancel")]),
            ),
            false,
        ),
        (
            "part by an admin",
            conv(
                "1",
                &["c1"],
                AS_OF - 90 * DAY,
                "open",
                parts(vec![part(
                    AS_OF - DAY,
                    "admin",
                    "7",
                    "Do you want to cancel?",
                )]),
            ),
            false,
        ),
        (
            "part by a bot",
            conv(
                "1",
                &["c1"],
                AS_OF - 90 * DAY,
                "open",
                parts(vec![part(AS_OF - DAY, "bot", "9", "cancellation policy")]),
            ),
            false,
        ),
        (
            "part without the word",
            conv(
                "1",
                &["c1"],
                AS_OF - 90 * DAY,
                "open",
                parts(vec![part(
                    AS_OF - DAY,
                    "user",
                    "c1",
                    "cancelled it already",
                )]),
            ),
            false,
        ),
    ];
    for (name, c, want) in cases {
        assert_eq!(
            activity("c1", [&c], &m, AS_OF).mentioned_cancel,
            want,
            "{name}"
        );
    }
}

#[test]
fn parts_are_needed_only_for_recent_contact_messages() {
    let with_stats = |t: i64| {
        conv(
            "1",
            &["c"],
            0,
            "open",
            json!({"statistics": {"last_contact_reply_at": t}}),
        )
    };
    assert!(needs_parts(&with_stats(AS_OF - DAY), AS_OF));
    assert!(needs_parts(&with_stats(AS_OF - 30 * DAY), AS_OF));
    assert!(!needs_parts(&with_stats(AS_OF - 30 * DAY - 1), AS_OF));
    assert!(!needs_parts(&with_stats(AS_OF + 10), AS_OF));
    // The contact's last message is the source itself (read from search): no parts needed;
    // an admin-written source at the same second does not say so.
    let only_source = conv(
        "1",
        &["c"],
        AS_OF - DAY,
        "open",
        json!({"statistics": {"last_contact_reply_at": AS_OF - DAY}}),
    );
    assert!(!needs_parts(&only_source, AS_OF));
    let admin_source = conv(
        "1",
        &["c"],
        AS_OF - DAY,
        "open",
        json!({"statistics": {"last_contact_reply_at": AS_OF - DAY},
        "source": {"author": {"type": "admin", "id": "7"}, "body": "x"}}),
    );
    assert!(needs_parts(&admin_source, AS_OF));
    // No statistics: decided by updated_at.
    assert!(needs_parts(
        &conv("1", &["c"], AS_OF - DAY, "open", json!({})),
        AS_OF
    ));
    assert!(!needs_parts(
        &conv("1", &["c"], AS_OF - 40 * DAY, "open", json!({})),
        AS_OF
    ));
}

proptest! {
    /// Counts are bounded by one another and CSAT lies within the ratings given.
    #[test]
    fn bounds(specs in prop::collection::vec((0i64..60, any::<bool>(), prop::option::of(1i64..=5)), 0..20)) {
        let m = KeywordMatcher::default();
        let cs: Vec<_> = specs.iter().enumerate().map(|(i, &(days, open, rating))| {
            let extra = rating.map_or(json!({}), |r| json!({"conversation_rating": {"rating": r}}));
            conv(&i.to_string(), &["c"], AS_OF - days * DAY, if open { "open" } else { "closed" }, extra)
        }).collect();
        let a = activity("c", &cs, &m, AS_OF);
        prop_assert_eq!(a.convos_total as usize, specs.len());
        prop_assert!(a.convos_30d <= a.convos_total && a.open_tickets <= a.convos_total);
        prop_assert_eq!(a.convos_30d as usize, specs.iter().filter(|s| s.0 <= 30).count());
        let ratings: Vec<i64> = specs.iter().filter_map(|s| s.2).collect();
        match a.csat_hundredths {
            None => prop_assert!(ratings.is_empty()),
            Some(c) => {
                prop_assert!(i64::from(c) >= ratings.iter().min().unwrap() * 100);
                prop_assert!(i64::from(c) <= ratings.iter().max().unwrap() * 100);
            }
        }
    }
}
