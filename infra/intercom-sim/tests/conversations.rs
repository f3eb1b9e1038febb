//! `GET /conversations/{id}` with parts, statistics by version, ratings and tags, from
//! hand-built fixtures; `GET /teams`; and what `GET /admins` leaves out.

mod common;

use common::{contact, conversation, workspace_with, Api};
use intercom_sim::SimConfig;
use serde_json::{json, Value};

const T0: i64 = 1_742_911_200;

/// A conversation a test builds exactly: its parts, statistics, rating and tags.
fn rated_conversation() -> Value {
    conversation(
        "c1",
        &["m1"],
        json!({
            "created_at": T0, "updated_at": T0 + 4000, "admin_assignee_id": 7100001,
            "team_assignee_id": 5200001,
            "source": {"type": "conversation", "id": "s1", "delivered_as": "customer_initiated",
                       "subject": "", "body": "<p>Help</p>", "redacted": false,
                       "author": {"type": "user", "id": "m1", "name": "Member m1", "email": "m1@example.com"}},
            "statistics": {"type": "conversation_statistics", "first_contact_reply_at": T0,
                           "first_admin_reply_at": T0 + 120, "time_to_admin_reply": 120,
                           "count_conversation_parts": 3, "count_reopens": 0,
                           "last_close_at": T0 + 3600, "handling_time": 3400,
                           "adjusted_handling_time": 900},
            "conversation_rating": {"rating": 4, "created_at": T0 + 3700,
                                    "contact": {"type": "contact", "id": "m1", "external_id": null},
                                    "teammate": {"type": "admin", "id": "7100001"}},
            "tags": {"type": "tag.list", "tags": [{"type": "tag", "id": "1", "name": "Positive",
                     "applied_at": T0 + 3600, "applied_by": {"type": "admin", "id": "7100001"}}]},
            "custom_attributes": {"CX Score rating": 5, "Channel": "Chat"},
            "conversation_parts": {"type": "conversation_part.list", "total_count": 3, "conversation_parts": [
                {"type": "conversation_part", "id": "p1", "part_type": "comment", "body": "<p>Hi!</p>",
                 "created_at": T0 + 10, "author": {"type": "bot", "id": "99", "name": "Fin",
                 "email": "fin@example.com", "from_ai_agent": true, "is_ai_answer": true}},
                {"type": "conversation_part", "id": "p2", "part_type": "comment", "body": "<p>Sure.</p>",
                 "created_at": T0 + 120, "state": "open",
                 "author": {"type": "admin", "id": 7100001, "name": "Dana", "email": "dana@example.com"}},
                {"id": "p3", "part_type": "close", "created_at": T0 + 3600,
                 "author": {"type": "admin", "id": "7100001", "name": "Dana", "email": "dana@example.com"}},
            ]},
        }),
    )
}

async fn api(conversations: Vec<Value>, version: &'static str) -> Api {
    let mut ws = workspace_with(vec![contact("m1", json!({}))], conversations);
    ws.admins
        .push(json!({"type": "team", "id": "5200001", "name": "Billing", "admin_ids": [7100001]}));
    ws.admins
        .push(json!({"type": "bot", "id": "99", "name": "Fin", "email": "fin@example.com"}));
    let mut api = Api::new(ws, SimConfig::default()).await;
    api.version = Some(version);
    api
}

async fn get(api: &Api, path: &str) -> Value {
    let r = api.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_hand_built_conversation_is_served_as_built_with_2_11_fields() {
    let api = api(vec![rated_conversation()], "2.11").await;
    let c = get(&api, "/conversations/c1").await;
    let s = &c["statistics"];
    assert_eq!(s["first_admin_reply_at"], T0 + 120);
    assert_eq!(s["count_conversation_parts"], 3);
    assert!(s.get("handling_time").is_none() && s.get("adjusted_handling_time").is_none());
    let parts = c["conversation_parts"]["conversation_parts"]
        .as_array()
        .unwrap();
    assert_eq!(c["conversation_parts"]["total_count"], 3);
    assert_eq!(
        parts
            .iter()
            .map(|p| p["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["p1", "p2", "p3"]
    );
    assert!(parts[0]["author"].get("from_ai_agent").is_none());
    assert!(parts[1].get("state").is_none());
    assert_eq!(parts[1]["author"]["id"], "7100001");
    assert_eq!(parts[2]["type"], "conversation_part");
    assert_eq!(parts[2]["body"], Value::Null);
    assert_eq!(parts[2]["notified_at"], T0 + 3600);
    assert_eq!(c["conversation_rating"]["rating"], 4);
    assert_eq!(
        c["conversation_rating"]["remark"], "",
        "2.11 requires a remark"
    );
    assert_eq!(c["tags"]["tags"][0]["name"], "Positive");
    assert_eq!(c["custom_attributes"]["CX Score rating"], 5);
    assert_eq!(c["team_assignee_id"], 5200001);
}

#[tokio::test]
async fn version_2_13_on_adds_handling_time_and_ai_flags() {
    for version in ["2.13", "2.16"] {
        let api = api(vec![rated_conversation()], version).await;
        let c = get(&api, "/conversations/c1").await;
        assert_eq!(c["statistics"]["handling_time"], 3400);
        assert_eq!(c["statistics"]["adjusted_handling_time"], 900);
        let parts = &c["conversation_parts"]["conversation_parts"];
        assert_eq!(parts[0]["author"]["from_ai_agent"], true);
        assert_eq!(parts[0]["author"]["is_ai_answer"], true);
        assert_eq!(parts[1]["author"]["from_ai_agent"], false);
        assert_eq!(parts[1]["state"], "open");
    }
    let api = api(vec![rated_conversation()], "2.12").await;
    let c = get(&api, "/conversations/c1").await;
    assert!(c["statistics"].get("handling_time").is_none());
}

#[tokio::test]
async fn search_results_carry_no_parts() {
    let compact = conversation(
        "c2",
        &["m1"],
        json!({"created_at": T0, "_sim_parts": "5 comment a:99 !ai;60 close a:99"}),
    );
    let api = api(vec![rated_conversation(), compact], "2.16").await;
    let (status, page) = api
        .search(
            "conversations",
            &json!({"query": {"field": "id", "operator": "IN", "value": ["c1", "c2"]}}),
        )
        .await;
    assert_eq!(status, 200);
    for c in page["conversations"].as_array().unwrap() {
        assert!(c.get("conversation_parts").is_none(), "{c}");
        assert!(c.get("_sim_parts").is_none());
        assert_eq!(c["statistics"]["type"], "conversation_statistics");
    }
    let c2 = get(&api, "/conversations/c2").await;
    assert!(c2.get("_sim_parts").is_none());
    let parts = &c2["conversation_parts"]["conversation_parts"];
    assert_eq!(c2["conversation_parts"]["total_count"], 2);
    assert_eq!(
        parts[0]["author"],
        json!({"type": "bot", "id": "99", "name": "Fin", "email": "fin@example.com",
               "from_ai_agent": true, "is_ai_answer": true})
    );
    assert_eq!(parts[0]["created_at"], T0 + 5);
    assert_eq!(parts[1]["part_type"], "close");
    assert_eq!(parts[1]["state"], "closed");
}

#[tokio::test]
async fn only_the_500_most_recent_parts_are_returned() {
    let given: Vec<Value> = (0..650)
        .map(|i| json!({"id": format!("p{i}"), "part_type": "comment", "created_at": T0 + i,
                        "author": {"type": "user", "id": "m1", "name": null, "email": "m1@example.com"}}))
        .collect();
    let long = conversation(
        "c3",
        &["m1"],
        json!({"statistics": {"type": "conversation_statistics", "count_conversation_parts": 650},
               "conversation_parts": {"type": "conversation_part.list", "conversation_parts": given}}),
    );
    let api = api(vec![long], "2.16").await;
    let c = get(&api, "/conversations/c3").await;
    let parts = c["conversation_parts"]["conversation_parts"]
        .as_array()
        .unwrap();
    assert_eq!(parts.len(), 500);
    assert_eq!(c["conversation_parts"]["total_count"], 500);
    assert_eq!(parts[0]["id"], "p150");
    assert_eq!(parts[499]["id"], "p649");
    assert_eq!(c["statistics"]["count_conversation_parts"], 650);
}

#[tokio::test]
async fn teams_are_listed_by_get_teams_and_not_by_get_admins() {
    let api = api(vec![], "2.11").await;
    let teams = get(&api, "/teams").await;
    assert_eq!(
        teams,
        json!({"type": "team.list", "teams": [
            {"type": "team", "id": "5200001", "name": "Billing", "admin_ids": [7100001]}]})
    );
    let admins = get(&api, "/admins").await;
    let listed: Vec<&str> = admins["admins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["type"].as_str().unwrap())
        .collect();
    assert!(
        !listed.is_empty() && listed.iter().all(|t| *t == "admin"),
        "{listed:?}"
    );
    let me = get(&api, "/me").await;
    assert_eq!(me["type"], "admin");
    let coaching = Api::new(
        intercom_sim::generate(3, 1, common::as_of()),
        SimConfig::default(),
    )
    .await;
    assert_eq!(get(&coaching, "/teams").await["teams"], json!([]));
    assert_eq!(coaching.sim.stats().requests["GET /teams"], 1);
}
