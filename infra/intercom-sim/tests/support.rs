//! The support workload: deterministic, independent of the coaching data, realistic, and with
//! statistics that agree with the parts a client reads.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{as_of, Api};
use intercom_sim::{SimConfig, SupportWorkload, Workspace};
use serde_json::Value;

fn workload(conversations: usize) -> SupportWorkload {
    SupportWorkload {
        conversations,
        days: 60,
    }
}

fn support(conversations: usize, seed: u64) -> Workspace {
    intercom_sim::generate_support(&workload(conversations), seed, as_of())
}

fn json(ws: &Workspace) -> String {
    serde_json::to_string(ws).unwrap()
}

/// The end of as-of in New York.
fn end() -> i64 {
    use chrono::TimeZone;
    chrono_tz::America::New_York
        .from_local_datetime(&as_of().succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap())
        .unwrap()
        .timestamp()
        - 1
}

#[test]
fn same_seed_gives_identical_json_and_another_seed_does_not() {
    let a = support(300, 42);
    assert_eq!(json(&a), json(&support(300, 42)));
    assert_ne!(json(&a), json(&support(300, 43)));
    assert_eq!(a.conversations.len(), 300);
    assert!(support(0, 1).conversations.is_empty());
}

#[test]
fn adding_support_leaves_the_coaching_workspace_as_it_was() {
    let coaching = intercom_sim::generate(200, 42, as_of());
    let both = coaching.clone().merge(support(150, 42));
    assert_eq!(
        both.conversations[..coaching.conversations.len()],
        coaching.conversations[..]
    );
    assert_eq!(
        both.contacts[..coaching.contacts.len()],
        coaching.contacts[..]
    );
    assert_eq!(both.admins[..coaching.admins.len()], coaching.admins[..]);
    assert_eq!(both.conversations.len(), coaching.conversations.len() + 150);
    // Channel is declared once (the coaching declaration wins).
    let channel = both
        .data_attributes
        .iter()
        .filter(|a| a["name"] == "Channel" && a["model"] == "conversation")
        .count();
    assert_eq!(channel, 1);
    let ids: BTreeSet<&str> = both
        .conversations
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), both.conversations.len(), "ids stay unique");
}

#[test]
fn the_workload_is_realistic() {
    let ws = support(1500, 7);
    let end = end();
    let count = |f: &dyn Fn(&Value) -> bool| ws.conversations.iter().filter(|c| f(c)).count();

    let sources: BTreeSet<&str> = ws
        .conversations
        .iter()
        .map(|c| c["source"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        BTreeSet::from(["conversation", "email", "phone_call", "whatsapp"])
    );
    assert!(count(&|c| c["custom_attributes"].get("Channel").is_some()) > 500);
    assert!(count(&|c| c["custom_attributes"].get("Channel").is_none()) > 500);
    assert!(count(&|c| c["source"]["delivered_as"] == "admin_initiated") > 20);

    let teams: BTreeSet<i64> = ws
        .conversations
        .iter()
        .filter_map(|c| c["team_assignee_id"].as_i64())
        .collect();
    assert_eq!(teams.len(), 4, "{teams:?}");
    // Whatever reached an admin came through a team's queue.
    assert_eq!(
        count(&|c| c["source"]["delivered_as"] == "customer_initiated"
            && c["admin_assignee_id"].is_i64()
            && !c["team_assignee_id"].is_i64()),
        0
    );
    let team_entries = ws.admins.iter().filter(|a| a["type"] == "team").count();
    assert_eq!(team_entries, 4);
    assert!(ws.admins.iter().any(|a| a["type"] == "bot"));

    let countries: BTreeSet<&str> = ws
        .contacts
        .iter()
        .filter_map(|c| c["location"]["country"].as_str())
        .collect();
    assert!(countries.len() >= 10, "{countries:?}");
    assert!(ws
        .contacts
        .iter()
        .any(|c| c["location"]["country"].is_null()));

    let ratings: BTreeMap<i64, usize> =
        ws.conversations.iter().fold(BTreeMap::new(), |mut m, c| {
            if let Some(r) = c["conversation_rating"]["rating"].as_i64() {
                *m.entry(r).or_default() += 1;
            }
            m
        });
    assert_eq!(ratings.keys().copied().collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    assert!(
        count(&|c| c["conversation_rating"]["remark"]
            .as_str()
            .is_some_and(|r| !r.is_empty()))
            > 20
    );
    assert!(count(&|c| c["custom_attributes"]["CX Score rating"].is_i64()) > 100);
    let tag_names: BTreeSet<String> = ws
        .conversations
        .iter()
        .flat_map(|c| c["tags"]["tags"].as_array().into_iter().flatten())
        .map(|t| t["name"].as_str().unwrap().to_lowercase())
        .collect();
    for sentiment in ["positive", "neutral", "negative"] {
        assert!(tag_names.contains(sentiment), "{tag_names:?}");
    }
    assert!(
        count(&|c| c["custom_attributes"]["CX Score rating"].is_i64()
            && !c["tags"]["tags"].as_array().is_none_or(Vec::is_empty))
            > 0
    );

    let stat = |c: &Value, k: &str| c["statistics"][k].as_i64();
    assert!(count(&|c| stat(c, "count_reopens").unwrap() > 0) > 50);
    assert!(count(&|c| stat(c, "count_conversation_parts").unwrap() > 500) >= 1);
    assert!(count(&|c| c["ai_agent_participated"] == true) > 100);
    // First replies: some within minutes, some the next day.
    let frt: Vec<i64> = ws
        .conversations
        .iter()
        .filter_map(|c| Some(stat(c, "first_admin_reply_at")? - stat(c, "first_contact_reply_at")?))
        .collect();
    assert!(frt.iter().filter(|t| **t < 300).count() > 50);
    assert!(frt.iter().filter(|t| **t > 12 * 3600).count() > 50);
    // Recent conversations are not all finished at as-of.
    let states: BTreeSet<&str> = ws
        .conversations
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert!(
        states.contains("open") && states.contains("closed"),
        "{states:?}"
    );
    for c in &ws.conversations {
        let created = c["created_at"].as_i64().unwrap();
        let updated = c["updated_at"].as_i64().unwrap();
        assert!(created <= updated && updated <= end, "{}", c["id"]);
        assert!(created > end - 60 * 86_400 - 86_400);
    }
}

fn parts(c: &Value) -> &Vec<Value> {
    c["conversation_parts"]["conversation_parts"]
        .as_array()
        .unwrap()
}

fn is_human_reply(p: &Value) -> bool {
    p["part_type"] == "comment" && p["author"]["type"] == "admin"
}

#[tokio::test]
async fn statistics_agree_with_the_parts_a_client_reads() {
    let ws = support(250, 11);
    let ids: Vec<String> = ws
        .conversations
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    let mut api = Api::new(ws, SimConfig::default()).await;
    api.version = Some("2.16");
    let mut truncated = 0;
    for id in ids {
        let c: Value = api
            .get(&format!("/conversations/{id}"))
            .await
            .json()
            .await
            .unwrap();
        let s = &c["statistics"];
        assert_eq!(
            c["first_contact_reply"]["created_at"], s["first_contact_reply_at"],
            "{id}"
        );
        let parts = parts(&c);
        let count = s["count_conversation_parts"].as_u64().unwrap() as usize;
        assert_eq!(c["conversation_parts"]["total_count"], parts.len());
        if count > parts.len() {
            truncated += 1;
            assert_eq!(parts.len(), 500);
            continue;
        }
        assert_eq!(count, parts.len(), "{id}");
        let at = |p: &Value| p["created_at"].as_i64().unwrap();
        let fcr = s["first_contact_reply_at"].as_i64();
        let after = |p: &&Value| fcr.is_some_and(|f| at(p) >= f);
        assert_eq!(
            s["first_admin_reply_at"].as_i64(),
            parts
                .iter()
                .filter(after)
                .find(|p| is_human_reply(p))
                .map(at),
            "{id}"
        );
        assert_eq!(
            s["last_close_at"].as_i64(),
            parts
                .iter()
                .rev()
                .find(|p| p["part_type"] == "close")
                .map(at),
            "{id}"
        );
        let assignments: Vec<&Value> = parts
            .iter()
            .filter(after)
            .filter(|p| p["part_type"].as_str().unwrap().contains("assignment"))
            .collect();
        assert_eq!(s["count_assignments"], assignments.len(), "{id}");
        assert_eq!(
            s["first_assignment_at"].as_i64(),
            assignments.first().map(|p| at(p))
        );
        let reopens = parts
            .windows(2)
            .filter(|w| w[0]["state"] == "closed" && w[1]["state"] == "open")
            .count();
        assert_eq!(s["count_reopens"], reopens, "{id}");
        let last_state = parts
            .last()
            .map_or("open", |p| p["state"].as_str().unwrap());
        assert_eq!(c["state"], last_state, "{id}");
        if let Some(t) = s["time_to_admin_reply"].as_i64() {
            let raw = s["first_admin_reply_at"].as_i64().unwrap() - fcr.unwrap();
            assert!((0..=raw).contains(&t), "office hours only: {id}");
        }
        if let Some(h) = s["handling_time"].as_i64() {
            assert!(s["adjusted_handling_time"].as_i64().unwrap() <= h);
            assert!(h <= s["last_close_at"].as_i64().unwrap() - c["created_at"].as_i64().unwrap());
        }
        let humans: BTreeSet<&str> = parts
            .iter()
            .filter(|p| p["author"]["type"] == "admin")
            .map(|p| p["author"]["id"].as_str().unwrap())
            .collect();
        let teammates: BTreeSet<&str> = c["teammates"]["teammates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        assert_eq!(teammates, humans, "{id}");
        for p in parts {
            if p["author"]["type"] == "bot" && p["part_type"] == "comment" {
                assert!(p["author"]["name"] == "Operator" || p["author"]["from_ai_agent"] == true);
            }
        }
    }
    assert!(truncated >= 1);
}

async fn get(api: &Api, path: &str) -> Value {
    let r = api.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_support_workspace_names_its_admins_and_teams() {
    let workload = intercom_sim::SupportWorkload {
        conversations: 40,
        days: 14,
    };
    let ws = intercom_sim::generate_support(&workload, 3, as_of());
    let api = Api::new(ws, SimConfig::default()).await;
    let admins = get(&api, "/admins").await;
    let admins = admins["admins"].as_array().unwrap();
    assert_eq!(admins.len(), 15);
    assert!(admins
        .iter()
        .all(|a| a["name"].is_string() && a["team_ids"][0].is_i64()));
    let teams = get(&api, "/teams").await;
    let names: Vec<&str> = teams["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Customer Support",
            "Billing",
            "Technical Support",
            "VIP Support"
        ]
    );
}
