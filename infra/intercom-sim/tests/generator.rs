//! The generated workspace: deterministic and realistic enough to exercise the product.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, TimeZone};
use intercom_sim::Workspace;
use serde_json::Value;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()
}

fn json(ws: &Workspace) -> String {
    serde_json::to_string(ws).unwrap()
}

#[test]
fn same_seed_gives_identical_json_and_another_seed_does_not() {
    let a = intercom_sim::generate(300, 42, as_of());
    let b = intercom_sim::generate(300, 42, as_of());
    assert_eq!(json(&a), json(&b));
    assert_ne!(json(&a), json(&intercom_sim::generate(300, 43, as_of())));
    let later = intercom_sim::generate(300, 42, as_of().succ_opt().unwrap());
    assert_ne!(json(&a), json(&later));
}

#[test]
fn fixtures_round_trip_through_a_file() {
    let ws = intercom_sim::generate(30, 1, as_of());
    let path =
        std::env::temp_dir().join(format!("intercom-sim-fixture-{}.json", std::process::id()));
    ws.to_file(&path).unwrap();
    let back = Workspace::from_file(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(back, ws);
    let partial: Workspace = serde_json::from_str(r#"{"contacts":[{"id":"x"}]}"#).unwrap();
    assert!(partial.admins.is_empty() && partial.conversations.is_empty());
}

fn attr<'a>(c: &'a Value, name: &str) -> Option<&'a Value> {
    c["custom_attributes"].get(name).filter(|v| !v.is_null())
}

#[test]
fn the_workspace_is_realistic() {
    let members = 1000;
    let ws = intercom_sim::generate(members, 7, as_of());
    let end = chrono_tz::America::New_York
        .from_local_datetime(&as_of().succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap())
        .unwrap()
        .timestamp();

    assert!(ws.admins.len() >= 12);
    let users: Vec<&Value> = ws.contacts.iter().filter(|c| c["role"] == "user").collect();
    let leads = ws.contacts.iter().filter(|c| c["role"] == "lead").count();
    assert_eq!(users.len(), members);
    assert!((40..=60).contains(&leads), "{leads} leads");
    let ids: BTreeSet<&str> = ws
        .contacts
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), ws.contacts.len());
    assert!(users
        .iter()
        .all(|c| c["external_id"].as_str().unwrap().starts_with("EMP-")));

    let names: Vec<&str> = ws
        .contacts
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(names.len() < ws.contacts.len(), "some names are missing");
    for needle in ["José", "Zoë", "Siobhán", "O'Brien", ", ", "\""] {
        assert!(
            names.iter().any(|n| n.contains(needle)),
            "no name with {needle}"
        );
    }
    assert!(names.iter().any(|n| !n.contains(' ')), "single-token names");

    let share = |name: &str, value: &str| {
        users
            .iter()
            .filter(|c| attr(c, name).and_then(Value::as_str) == Some(value))
            .count() as f64
            / members as f64
    };
    assert!((0.15..0.25).contains(&share("Referral", "Counter Health")));
    assert!(users.iter().any(|c| attr(c, "Referral").is_none()));
    assert!(users
        .iter()
        .any(
            |c| attr(c, "Eligible Programs").and_then(Value::as_str) == Some("Smart Access")
                && attr(c, "Referral").and_then(Value::as_str) == Some("Counter Health")
        ));
    let employers: BTreeSet<&str> = users
        .iter()
        .filter_map(|c| attr(c, "Employer")?.as_str())
        .collect();
    assert!(employers.len() >= 6);
    let enrolled = users
        .iter()
        .filter(|c| attr(c, "Enrolled Date").is_some())
        .count();
    assert!(enrolled > members / 2 && enrolled < members);
    assert!(users
        .iter()
        .any(|c| attr(c, "Enrolled Date").is_none() && attr(c, "Registration Date").is_some()));
    for c in &users {
        for name in ["Enrolled Date", "Registration Date", "Date of Birth"] {
            if let Some(v) = attr(c, name) {
                assert_eq!(v.as_i64().unwrap() % 86_400, 0, "{name} is midnight UTC");
            }
        }
    }

    let mut channels = BTreeMap::new();
    let mut two_contacts = 0;
    let mut pending_phone = BTreeSet::new();
    let mut late_updates = 0;
    let mut unassigned = 0;
    for c in &ws.conversations {
        let channel = c["custom_attributes"]["Channel"]
            .as_str()
            .unwrap_or("(none)");
        *channels.entry(channel).or_insert(0) += 1;
        if c["contacts"]["contacts"].as_array().unwrap().len() == 2 {
            two_contacts += 1;
        }
        let state = c["state"].as_str().unwrap();
        let created = c["created_at"].as_i64().unwrap();
        let updated = c["updated_at"].as_i64().unwrap();
        assert!(created < end && updated < end, "nothing after as-of");
        assert!(updated >= created);
        match state {
            "closed" => {
                let closed = c["statistics"]["last_close_at"].as_i64().unwrap();
                assert!(updated >= closed);
                if updated > closed + 86_400 {
                    late_updates += 1;
                }
            }
            _ => {
                assert!(c["statistics"].get("last_close_at").is_none());
                if channel == "Phone" {
                    pending_phone.insert(state.to_owned());
                }
            }
        }
        if c["admin_assignee_id"].is_null() {
            unassigned += 1;
        }
    }
    for channel in ["Phone", "Video Conference", "Email", "Chat", "(none)"] {
        assert!(channels.contains_key(channel), "{channel}: {channels:?}");
    }
    assert!(two_contacts > 0);
    assert_eq!(
        pending_phone,
        BTreeSet::from(["open".to_owned(), "snoozed".to_owned()])
    );
    assert!(late_updates > 0 && unassigned > 0);
    let services: BTreeSet<&str> = ws
        .conversations
        .iter()
        .filter_map(|c| c["custom_attributes"]["Service Code"].as_str())
        .collect();
    for code in [
        "Health Coaching 001",
        "Disease Management 002",
        "Benefits Navigation 010",
    ] {
        assert!(services.contains(code));
    }
    assert!(ws
        .conversations
        .iter()
        .any(|c| c["custom_attributes"].get("Service Code").is_none()));
    // Roughly one conversation per member every few weeks while active.
    assert!(ws.conversations.len() > 5 * members && ws.conversations.len() < 25 * members);
}

#[test]
fn members_span_every_engagement_profile() {
    let ws = intercom_sim::generate(600, 9, as_of());
    let end = chrono_tz::America::New_York
        .from_local_datetime(&as_of().succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap())
        .unwrap()
        .timestamp();
    let qualifying = |c: &Value| {
        c["state"] == "closed"
            && ["Phone", "Video Conference"]
                .contains(&c["custom_attributes"]["Channel"].as_str().unwrap_or(""))
            && ["Health Coaching 001", "Disease Management 002"].contains(
                &c["custom_attributes"]["Service Code"]
                    .as_str()
                    .unwrap_or(""),
            )
    };
    let mut newest: BTreeMap<&str, i64> = BTreeMap::new();
    for c in ws.conversations.iter().filter(|c| qualifying(c)) {
        let t = c["statistics"]["last_close_at"].as_i64().unwrap();
        for m in c["contacts"]["contacts"].as_array().unwrap() {
            let e = newest.entry(m["id"].as_str().unwrap()).or_insert(t);
            *e = (*e).max(t);
        }
    }
    let days_ago = |t: i64| (end - t) / 86_400;
    let buckets = |lo: i64, hi: i64| {
        newest
            .values()
            .filter(|t| (lo..=hi).contains(&days_ago(**t)))
            .count()
    };
    assert!(buckets(0, 27) > 0 && buckets(29, 55) > 0 && buckets(57, 400) > 0);
    let enrolled_without_calls = ws.contacts.iter().filter(|c| {
        attr(c, "Enrolled Date").is_some() && !newest.contains_key(c["id"].as_str().unwrap())
    });
    assert!(enrolled_without_calls.count() > 0);
    // An earlier run left Last Coaching Session right for some, stale for some, and newer than
    // any call for a few.
    let (mut right, mut stale, mut newer) = (0, 0, 0);
    for c in &ws.contacts {
        if let (Some(stored), Some(truth)) = (
            attr(c, "Last Coaching Session"),
            newest.get(c["id"].as_str().unwrap()),
        ) {
            match stored.as_i64().unwrap().cmp(truth) {
                std::cmp::Ordering::Equal => right += 1,
                std::cmp::Ordering::Less => stale += 1,
                std::cmp::Ordering::Greater => newer += 1,
            }
        }
    }
    assert!(
        right > 0 && stale > 0 && newer > 0,
        "{right} {stale} {newer}"
    );
}
