//! Intercom's search language as the simulator implements it.

mod common;

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use common::{as_of, contact, conversation, error_code, workspace_with, Api};
use intercom_sim::SimConfig;
use serde_json::{json, Value};

fn at(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    tz.from_local_datetime(
        &NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap(),
    )
    .earliest()
    .unwrap()
    .timestamp()
}

async fn ids(api: &Api, model: &str, query: Value) -> Vec<String> {
    let (mut ids, total) = api.search_all(model, query, 150).await;
    assert_eq!(ids.len() as u64, total);
    ids.sort();
    ids
}

fn date_workspace() -> intercom_sim::Workspace {
    let ny = chrono_tz::America::New_York;
    let call = |v: i64| json!({"Last Call": v});
    workspace_with(
        vec![
            // Around the spring-forward day 2024-03-10 (23 hours long in New York).
            contact("a", call(at(ny, 2024, 3, 9, 23, 30))),
            contact("b", call(at(ny, 2024, 3, 10, 0, 30))),
            contact("c", call(at(ny, 2024, 3, 10, 23, 30))),
            contact("d", call(at(ny, 2024, 3, 11, 0, 30))),
            contact("e", json!({})),
            // Around the fall-back day 2024-11-03 (25 hours long).
            contact("f", call(at(ny, 2024, 11, 3, 0, 10))),
            contact("g", call(at(ny, 2024, 11, 3, 23, 50))),
            contact("h", call(at(ny, 2024, 11, 4, 0, 10))),
        ],
        vec![],
    )
}

fn last_call(op: &str, value: i64) -> Value {
    json!({"field": "custom_attributes.Last Call", "operator": op, "value": value})
}

#[tokio::test]
async fn date_filters_match_calendar_days_in_the_workspace_time_zone() {
    let ny = chrono_tz::America::New_York;
    let api = Api::new(date_workspace(), SimConfig::default()).await;
    let noon = at(ny, 2024, 3, 10, 12, 0);
    assert_eq!(
        ids(&api, "contacts", last_call("=", noon)).await,
        ["b", "c"]
    );
    assert_eq!(
        ids(&api, "contacts", last_call(">", noon)).await,
        ["d", "f", "g", "h"]
    );
    assert_eq!(ids(&api, "contacts", last_call("<", noon)).await, ["a"]);
    // The instant inside the day does not matter: 00:00:30 or 23:59 of the same local day.
    assert_eq!(
        ids(
            &api,
            "contacts",
            last_call("=", at(ny, 2024, 3, 10, 23, 59))
        )
        .await,
        ["b", "c"]
    );
    // The 25-hour day keeps both of its ends.
    assert_eq!(
        ids(&api, "contacts", last_call("=", at(ny, 2024, 11, 3, 12, 0))).await,
        ["f", "g"]
    );
    // Values may come as numeric strings, as in Intercom's own examples.
    let (status, page) = api
        .search(
            "contacts",
            &json!({"query": {"field": "custom_attributes.Last Call", "operator": "<",
                                              "value": noon.to_string()}}),
        )
        .await;
    assert_eq!((status, page["total_count"].clone()), (200, json!(1)));
}

#[tokio::test]
async fn the_same_query_in_a_utc_workspace_uses_utc_days() {
    let ny = chrono_tz::America::New_York;
    let config = SimConfig {
        workspace_tz: chrono_tz::UTC,
        ..SimConfig::default()
    };
    let api = Api::new(date_workspace(), config).await;
    // 2024-03-10 12:00 New York is 16:00 UTC the same day; a and b fall on that UTC day.
    assert_eq!(
        ids(&api, "contacts", last_call("=", at(ny, 2024, 3, 10, 12, 0))).await,
        ["a", "b"]
    );
}

#[tokio::test]
async fn date_fields_refuse_other_operators() {
    let api = Api::new(date_workspace(), SimConfig::default()).await;
    for op in ["!=", ">=", "<=", "~"] {
        let (status, body) = api
            .search("contacts", &json!({"query": last_call(op, 1_700_000_000)}))
            .await;
        assert_eq!(
            (status, error_code(&body)),
            (400, "parameter_invalid"),
            "{op}"
        );
    }
    for op in ["IN", "NIN"] {
        let q = json!({"field": "created_at", "operator": op, "value": [1_700_000_000]});
        let (status, _) = api.search("contacts", &json!({"query": q})).await;
        assert_eq!(status, 400, "{op}");
    }
}

fn people() -> intercom_sim::Workspace {
    let with_owner = |id: &str, name: Value, owner: Value| {
        let mut c = contact(id, json!({"Employer": "Acme"}));
        c["name"] = name;
        c["owner_id"] = owner;
        c
    };
    workspace_with(
        vec![
            with_owner("jose", json!("José O'Brien"), json!(42)),
            with_owner("zoe", json!("Zoë Smith, Jr."), json!("42")),
            with_owner("bob", json!("Bob"), json!(7)),
            with_owner("anon", Value::Null, Value::Null),
        ],
        vec![],
    )
}

fn name(op: &str, value: Value) -> Value {
    json!({"field": "name", "operator": op, "value": value})
}

#[tokio::test]
async fn string_and_integer_operators() {
    let api = Api::new(people(), SimConfig::default()).await;
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (name("=", json!("Bob")), vec!["bob"]),
        (name("=", json!("bob")), vec![]),
        (name("!=", json!("Bob")), vec!["anon", "jose", "zoe"]),
        (
            name("IN", json!(["Bob", "José O'Brien"])),
            vec!["bob", "jose"],
        ),
        (name("NIN", json!(["Bob"])), vec!["anon", "jose", "zoe"]),
        (name("~", json!("O'Brien")), vec!["jose"]),
        (name("!~", json!("Smith")), vec!["anon", "bob", "jose"]),
        (name("^", json!("Zo")), vec!["zoe"]),
        (name("$", json!(", Jr.")), vec!["zoe"]),
        (name("=", Value::Null), vec!["anon"]),
        (
            json!({"field": "owner_id", "operator": "=", "value": "42"}),
            vec!["jose", "zoe"],
        ),
        (
            json!({"field": "owner_id", "operator": "IN", "value": [7, 42]}),
            vec!["bob", "jose", "zoe"],
        ),
        (
            json!({"field": "owner_id", "operator": ">", "value": 7}),
            vec!["jose", "zoe"],
        ),
        (
            json!({"field": "owner_id", "operator": "<=", "value": 7}),
            vec!["bob"],
        ),
        (
            json!({"field": "custom_attributes.Employer", "operator": "=", "value": "Acme"}),
            vec!["anon", "bob", "jose", "zoe"],
        ),
        (
            json!({"operator": "OR", "value": [name("=", json!("Bob")), name("^", json!("José"))]}),
            vec!["bob", "jose"],
        ),
        (
            json!({"operator": "AND", "value": [
            {"operator": "OR", "value": [name("=", json!("Bob")), name("^", json!("José"))]},
            {"operator": "OR", "value": [{"field": "owner_id", "operator": "=", "value": 42}]}]}),
            vec!["jose"],
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(
            ids(&api, "contacts", query.clone()).await,
            expected,
            "{query}"
        );
    }
}

#[tokio::test]
async fn conversation_fields_and_contact_ids() {
    let ws = workspace_with(
        vec![contact("m1", json!({})), contact("m2", json!({}))],
        vec![
            conversation(
                "1",
                &["m1"],
                json!({"custom_attributes": {"Channel": "Phone"},
                "admin_assignee_id": 7100001, "statistics": {"type": "conversation_statistics", "last_close_at": 1_700_000_000}}),
            ),
            conversation(
                "2",
                &["m1", "m2"],
                json!({"custom_attributes": {"Channel": "Video Conference"},
                "state": "open", "open": true}),
            ),
            conversation(
                "3",
                &["m2"],
                json!({"custom_attributes": {"Channel": "Email"}, "admin_assignee_id": "7100002"}),
            ),
            conversation("4", &["m2"], json!({})),
        ],
    );
    let api = Api::new(ws, SimConfig::default()).await;
    let channel = json!({"field": "custom_attributes.Channel", "operator": "IN", "value": ["Phone", "Video Conference"]});
    assert_eq!(ids(&api, "conversations", channel).await, ["1", "2"]);
    let m2 = json!({"field": "contact_ids", "operator": "=", "value": "m2"});
    assert_eq!(ids(&api, "conversations", m2).await, ["2", "3", "4"]);
    let not_m1 = json!({"field": "contact_ids", "operator": "!=", "value": "m1"});
    assert_eq!(ids(&api, "conversations", not_m1).await, ["3", "4"]);
    let both = json!({"operator": "AND", "value": [
        {"field": "contact_ids", "operator": "IN", "value": ["m1"]},
        {"field": "state", "operator": "=", "value": "closed"}]});
    assert_eq!(ids(&api, "conversations", both).await, ["1"]);
    let assignee =
        json!({"field": "admin_assignee_id", "operator": "IN", "value": ["7100001", 7100002]});
    assert_eq!(ids(&api, "conversations", assignee).await, ["1", "3"]);
    let open = json!({"field": "open", "operator": "=", "value": true});
    assert_eq!(ids(&api, "conversations", open).await, ["2"]);
    let no_channel =
        json!({"field": "custom_attributes.Channel", "operator": "NIN", "value": ["Phone"]});
    assert_eq!(
        ids(&api, "conversations", no_channel).await,
        ["2", "3", "4"]
    );
    let closed_day =
        json!({"field": "statistics.last_close_at", "operator": "=", "value": 1_700_000_000});
    assert_eq!(ids(&api, "conversations", closed_day).await, ["1"]);
}

fn filters(n: usize) -> Vec<Value> {
    (0..n).map(|i| name("=", json!(format!("n{i}")))).collect()
}

#[tokio::test]
async fn broken_queries_are_refused_with_400() {
    let api = Api::new(people(), SimConfig::default()).await;
    let two_levels = json!({"operator": "AND", "value": [
        {"operator": "OR", "value": filters(2)}, {"operator": "OR", "value": filters(2)}]});
    assert_eq!(
        api.search("contacts", &json!({"query": two_levels}))
            .await
            .0,
        200
    );
    assert_eq!(
        api.search(
            "contacts",
            &json!({"query": {"operator": "OR", "value": filters(15)}})
        )
        .await
        .0,
        200
    );
    let broken = [
        json!({"operator": "AND", "value": [{"operator": "OR", "value": [{"operator": "AND", "value": filters(1)}]}]}),
        json!({"operator": "OR", "value": filters(16)}),
        json!({"operator": "AND", "value": [{"operator": "OR", "value": filters(16)}]}),
        json!({"operator": "AND", "value": []}),
        json!({"operator": "XOR", "value": filters(2)}),
        json!({"field": "nope", "operator": "=", "value": "x"}),
        json!({"field": "custom_attributes.Not An Attribute", "operator": "=", "value": "x"}),
        json!({"field": "name", "operator": "IN", "value": "Bob"}),
        json!({"field": "name", "operator": "=", "value": ["Bob"]}),
        json!({"field": "name", "operator": "LIKE", "value": "Bob"}),
        json!({"field": "name", "operator": ">", "value": "Bob"}),
        json!({"field": "owner_id", "operator": "=", "value": "not a number"}),
        json!({"field": "created_at", "operator": ">", "value": "yesterday"}),
    ];
    for query in broken {
        let (status, body) = api.search("contacts", &json!({"query": query})).await;
        assert_eq!(
            (status, error_code(&body)),
            (400, "parameter_invalid"),
            "{query}"
        );
    }
    let (status, body) = api
        .search("contacts", &json!({"pagination": {"per_page": 5}}))
        .await;
    assert_eq!((status, error_code(&body)), (400, "parameter_invalid"));
}

#[tokio::test]
async fn page_size_and_cursor_errors() {
    let api = Api::new(people(), SimConfig::default()).await;
    let q = name("!=", json!("x"));
    for per_page in [json!(151), json!(0), json!("ten")] {
        let (status, body) = api
            .search(
                "contacts",
                &json!({"query": q, "pagination": {"per_page": per_page}}),
            )
            .await;
        assert_eq!(
            (status, error_code(&body)),
            (400, "parameter_invalid"),
            "{per_page}"
        );
    }
    assert_eq!(
        api.search(
            "contacts",
            &json!({"query": q, "pagination": {"per_page": 150}})
        )
        .await
        .0,
        200
    );
    for cursor in ["WzEsMiwzXQ==", "garbage"] {
        let body = json!({"query": q, "pagination": {"per_page": 2, "starting_after": cursor}});
        let (status, body) = api.search("contacts", &body).await;
        assert_eq!(
            (status, error_code(&body)),
            (400, "parameter_invalid"),
            "{cursor}"
        );
    }
    let (status, body) = api
        .search(
            "contacts",
            &json!({"query": q, "sort": {"field": "created_at", "order": "desc"}}),
        )
        .await;
    assert_eq!((status, error_code(&body)), (400, "invalid_sort_order"));
}

#[tokio::test]
async fn default_page_sizes_and_page_shape() {
    let api = Api::new(intercom_sim::generate(80, 2, as_of()), SimConfig::default()).await;
    let all = json!({"field": "id", "operator": "!=", "value": "none"});
    let (_, contacts) = api.search("contacts", &json!({"query": all})).await;
    assert_eq!(contacts["data"].as_array().unwrap().len(), 50);
    assert_eq!(contacts["pages"]["per_page"], 50);
    assert_eq!(contacts["pages"]["page"], 1);
    let (_, conversations) = api.search("conversations", &json!({"query": all})).await;
    assert_eq!(conversations["type"], "conversation.list");
    assert_eq!(conversations["conversations"].as_array().unwrap().len(), 20);
    let total = conversations["total_count"].as_u64().unwrap();
    assert_eq!(
        conversations["pages"]["total_pages"].as_u64().unwrap(),
        total.div_ceil(20)
    );
}

#[tokio::test]
async fn cursor_paging_returns_every_match_exactly_once() {
    let api = Api::new(
        intercom_sim::generate(150, 4, as_of()),
        SimConfig::default(),
    )
    .await;
    let calls = json!({"operator": "AND", "value": [
        {"field": "custom_attributes.Channel", "operator": "IN", "value": ["Phone", "Video Conference"]},
        {"field": "updated_at", "operator": ">", "value": 1_700_000_000}]});
    let (big, total) = api.search_all("conversations", calls.clone(), 150).await;
    let (small, total_small) = api.search_all("conversations", calls, 13).await;
    assert!(total > 150, "enough matches to need several pages: {total}");
    assert_eq!((big.len() as u64, total_small), (total, total));
    assert_eq!(big, small);
    let mut unique = small.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), small.len());
    let users = json!({"field": "role", "operator": "=", "value": "user"});
    let (contacts, total) = api.search_all("contacts", users, 7).await;
    assert_eq!((contacts.len(), total), (150, 150));
}

#[tokio::test]
async fn later_pages_come_from_the_first_pages_snapshot() {
    let api = Api::new(people(), SimConfig::default()).await;
    let q = name("!=", json!("x"));
    let (_, first) = api
        .search(
            "contacts",
            &json!({"query": q, "pagination": {"per_page": 2}}),
        )
        .await;
    let cursor = first["pages"]["next"]["starting_after"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(first["pages"]["next"]["page"], 2);
    // A changed query does not change an open cursor's result set.
    let other = name("=", json!("Bob"));
    let (status, second) = api
        .search(
            "contacts",
            &json!({"query": other, "pagination": {"per_page": 2, "starting_after": cursor}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(second["pages"]["page"], 2);
    assert_eq!(second["data"].as_array().unwrap().len(), 2);
    assert!(
        second["pages"].get("next").is_none(),
        "no next on the last page"
    );
}

#[tokio::test]
async fn sorting_and_merged_contacts() {
    let mut ws = people();
    ws.contacts[0]["created_at"] = json!(1_600_000_000);
    ws.contacts[2]["merged"] = json!(true);
    let api = Api::new(ws, SimConfig::default()).await;
    let all = name("!=", json!("x"));
    let (_, page) = api
        .search(
            "contacts",
            &json!({"query": all, "sort": {"field": "created_at", "order": "ascending"}}),
        )
        .await;
    let order: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(order.first(), Some(&"jose"));
    assert!(
        !order.contains(&"bob"),
        "merged contacts are not searchable"
    );
    assert_eq!(api.get("/contacts/bob").await.status(), 404);
}

#[tokio::test]
async fn single_page_lookups_do_not_evict_an_open_scan() {
    let api = Api::new(people(), SimConfig::default()).await;
    let q = name("!=", json!("x"));
    let (_, first) = api
        .search(
            "contacts",
            &json!({"query": q, "pagination": {"per_page": 1}}),
        )
        .await;
    let cursor = first["pages"]["next"]["starting_after"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..100 {
        let (status, page) = api
            .search("contacts", &json!({"query": name("=", json!("Bob"))}))
            .await;
        assert_eq!((status, page["total_count"].clone()), (200, json!(1)));
    }
    let next = json!({"query": q, "pagination": {"per_page": 1, "starting_after": cursor}});
    assert_eq!(api.search("contacts", &next).await.0, 200);
    // Whereas more than the cache's capacity of other open scans does evict it.
    for _ in 0..70 {
        api.search(
            "contacts",
            &json!({"query": q, "pagination": {"per_page": 1}}),
        )
        .await;
    }
    let (status, body) = api.search("contacts", &next).await;
    assert_eq!((status, error_code(&body)), (400, "parameter_invalid"));
}

/// Every page of a sorted conversation search, following cursors (the client repeats its
/// query and sort, as Intercom's clients do).
async fn sorted_scan(api: &Api, query: Value, sort: Value) -> Vec<Value> {
    let mut out = Vec::new();
    let mut pagination = json!({"per_page": 37});
    loop {
        let (status, page) = api
            .search(
                "conversations",
                &json!({"query": query, "sort": sort, "pagination": pagination}),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        out.extend(page["conversations"].as_array().unwrap().iter().cloned());
        match page["pages"]["next"]["starting_after"].as_str() {
            Some(c) => pagination = json!({"per_page": 37, "starting_after": c}),
            None => return out,
        }
    }
}

#[tokio::test]
async fn conversations_sorted_by_updated_at_ascending_across_pages() {
    let workload = intercom_sim::SupportWorkload {
        conversations: 300,
        days: 30,
    };
    let ws = intercom_sim::generate_support(&workload, 9, as_of());
    let since = ws
        .conversations
        .iter()
        .map(|c| c["updated_at"].as_i64().unwrap())
        .min()
        .unwrap()
        + 10 * 86_400;
    let expected = ws
        .conversations
        .iter()
        .filter(|c| c["updated_at"].as_i64().unwrap() >= since)
        .count();
    let api = Api::new(ws, SimConfig::default()).await;
    // Day-granular `>` on the day before, then the exact bound on the client, as a sync does.
    let query = json!({"field": "updated_at", "operator": ">", "value": since - 86_400});
    let sort = json!({"field": "updated_at", "order": "ascending"});
    let got = sorted_scan(&api, query.clone(), sort).await;
    let times: Vec<i64> = got
        .iter()
        .map(|c| c["updated_at"].as_i64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "ascending");
    assert_eq!(times.iter().filter(|t| **t >= since).count(), expected);
    let ids: std::collections::BTreeSet<&str> =
        got.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), got.len(), "each conversation once");
    let descending = sorted_scan(&api, query, json!({"field": "updated_at"})).await;
    let first = descending[0]["updated_at"].as_i64().unwrap();
    assert_eq!(first, *times.last().unwrap(), "descending by default");
    let (status, bad) = api
        .search(
            "conversations",
            &json!({"query": {"field": "id", "operator": "!=", "value": "0"},
                    "sort": {"field": "updated_at", "order": "asc"}}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&bad), "invalid_sort_order");
}

#[tokio::test]
async fn conversation_statistics_are_searchable() {
    let stats = |s: Value| json!({"statistics": s});
    let ws = workspace_with(
        vec![],
        vec![
            conversation(
                "a",
                &[],
                stats(json!({"count_reopens": 2, "time_to_admin_reply": 30,
                "last_closed_by_id": "7200001", "first_admin_reply_at": 1_700_000_000})),
            ),
            conversation(
                "b",
                &[],
                stats(json!({"count_reopens": 0, "time_to_admin_reply": 900})),
            ),
            conversation("c", &[], stats(json!({}))),
        ],
    );
    let api = Api::new(ws, SimConfig::default()).await;
    let q = |field: &str, op: &str, value: Value| json!({"field": field, "operator": op, "value": value});
    assert_eq!(
        ids(
            &api,
            "conversations",
            q("statistics.count_reopens", ">", json!(0))
        )
        .await,
        ["a"]
    );
    assert_eq!(
        ids(
            &api,
            "conversations",
            q("statistics.time_to_admin_reply", "<", json!(60))
        )
        .await,
        ["a"]
    );
    assert_eq!(
        ids(
            &api,
            "conversations",
            q("statistics.last_closed_by_id", "=", json!("7200001"))
        )
        .await,
        ["a"]
    );
    assert_eq!(
        ids(
            &api,
            "conversations",
            q("statistics.first_admin_reply_at", "=", Value::Null)
        )
        .await,
        ["b", "c"]
    );
    assert_eq!(
        ids(
            &api,
            "conversations",
            q("statistics.count_conversation_parts", "=", Value::Null)
        )
        .await,
        ["a", "b", "c"]
    );
}
