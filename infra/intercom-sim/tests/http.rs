//! Auth, rate limits, injected errors, versions, contact updates and the read endpoints.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::{as_of, contact, error_code, workspace_with, Api};
use intercom_sim::{SimConfig, SimStats};
use serde_json::{json, Value};

fn has_rate_headers(r: &reqwest::Response) -> bool {
    [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ]
    .iter()
    .all(|h| r.headers().contains_key(*h))
}

fn header(r: &reqwest::Response, name: &str) -> u64 {
    r.headers()[name].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn missing_or_wrong_token_is_401_without_rate_headers() {
    let api = Api::new(intercom_sim::generate(3, 1, as_of()), SimConfig::default()).await;
    let none = api.http.get(api.url("/admins")).send().await.unwrap();
    let wrong = api
        .http
        .get(api.url("/admins"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    for r in [none, wrong] {
        assert_eq!(r.status(), 401);
        assert!(!has_rate_headers(&r));
        let body: Value = r.json().await.unwrap();
        assert_eq!(error_code(&body), "unauthorized");
        assert_eq!(body["errors"][0]["message"], "Access Token Invalid");
    }
    let ok = api.get("/admins").await;
    assert_eq!(ok.status(), 200);
    assert!(has_rate_headers(&ok));
}

#[tokio::test]
async fn the_request_after_the_budget_is_429_with_headers() {
    let config = SimConfig {
        rate_limit: 3,
        ..SimConfig::default()
    };
    let api = Api::new(intercom_sim::generate(3, 1, as_of()), config).await;
    // A window may roll over mid-loop; then the budget restarts and the loop is retried.
    for _attempt in 0..3 {
        let mut answers = Vec::new();
        for _ in 0..4 {
            answers.push(api.get("/admins").await);
        }
        let resets: Vec<u64> = answers
            .iter()
            .map(|r| header(r, "x-ratelimit-reset"))
            .collect();
        if resets.iter().any(|r| *r != resets[0]) || answers[0].status() == 429 {
            tokio::time::sleep(std::time::Duration::from_secs(10)).await;
            continue;
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert_eq!(
            resets[0] % 10,
            0,
            "windows are aligned to multiples of 10 s"
        );
        assert!(resets[0] > now - 1 && resets[0] <= now + 10);
        let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
        assert_eq!(statuses, [200, 200, 200, 429]);
        let remaining: Vec<u64> = answers
            .iter()
            .map(|r| header(r, "x-ratelimit-remaining"))
            .collect();
        assert_eq!(remaining, [2, 1, 0, 0]);
        assert!(answers.iter().all(|r| header(r, "x-ratelimit-limit") == 3));
        let last = answers.pop().unwrap();
        assert_eq!(
            error_code(&last.json::<Value>().await.unwrap()),
            "rate_limit_exceeded"
        );
        assert_eq!(api.sim.stats().rate_limited, 1);
        return;
    }
    panic!("could not fit 4 requests into one rate-limit window");
}

#[tokio::test]
async fn injected_errors_answer_5xx_before_applying_anything() {
    let ws = workspace_with(vec![contact("m1", json!({}))], vec![]);
    let config = SimConfig {
        error_rate: 1.0,
        seed: 3,
        ..SimConfig::default()
    };
    let api = Api::new(ws, config).await;
    for _ in 0..6 {
        let r = api
            .put(
                "/contacts/m1",
                &json!({"custom_attributes": {"Referral": "Counter Health"}}),
            )
            .await;
        assert!([500, 502, 503].contains(&r.status().as_u16()));
        assert!(has_rate_headers(&r));
        let body: Value = r.json().await.unwrap();
        assert!(["server_error", "service_unavailable"].contains(&error_code(&body)));
    }
    assert_eq!(api.sim.stats().errors_injected, 6);
    let stored = &api.sim.workspace().contacts[0];
    assert!(stored["custom_attributes"].get("Referral").is_none());
}

#[tokio::test]
async fn put_merges_custom_attributes_and_bumps_updated_at() {
    let ws = workspace_with(
        vec![contact(
            "m1",
            json!({"Referral": "Counter Health", "Employer": "Acme"}),
        )],
        vec![],
    );
    let api = Api::new(ws, SimConfig::default()).await;
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let r = api
        .put("/contacts/m1", &json!({"custom_attributes": {"Last Call": 1_711_000_000, "Eligible Programs": "Smart Access", "Employer": null}}))
        .await;
    assert_eq!(r.status(), 200);
    let updated: Value = r.json().await.unwrap();
    let attrs = &updated["custom_attributes"];
    assert_eq!(
        attrs["Referral"], "Counter Health",
        "untouched attributes stay"
    );
    assert_eq!(attrs["Last Call"], 1_711_000_000);
    assert_eq!(attrs["Eligible Programs"], "Smart Access");
    assert_eq!(attrs["Employer"], Value::Null);
    assert!(updated["updated_at"].as_u64().unwrap() >= before);
    let fetched: Value = api.get("/contacts/m1").await.json().await.unwrap();
    assert_eq!(fetched["custom_attributes"], updated["custom_attributes"]);
    assert_eq!(fetched["type"], "contact");
}

#[tokio::test]
async fn put_refuses_unknown_attributes_wrong_types_and_unknown_contacts() {
    let ws = workspace_with(
        vec![contact("m1", json!({"Referral": "Counter Health"}))],
        vec![],
    );
    let api = Api::new(ws, SimConfig::default()).await;
    let bad = [
        json!({"custom_attributes": {"Last Call": 1_711_000_000, "Favourite Colour": "blue"}}),
        json!({"custom_attributes": {"Last Call": "2024-03-01"}}),
        json!({"custom_attributes": {"Referral": 7}}),
        json!({"custom_attributes": {"Channel": "Phone"}}),
        json!({"custom_attributes": "Referral"}),
        json!({"email": null}),
    ];
    for body in bad {
        let r = api.put("/contacts/m1", &body).await;
        assert_eq!(r.status(), 400, "{body}");
        assert_eq!(error_code(&r.json().await.unwrap()), "parameter_invalid");
    }
    let named = api
        .put(
            "/contacts/m1",
            &json!({"custom_attributes": {"Favourite Colour": "blue"}}),
        )
        .await;
    let body: Value = named.json().await.unwrap();
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Favourite Colour"));
    let stored: Value = api.get("/contacts/m1").await.json().await.unwrap();
    assert!(
        stored["custom_attributes"].get("Last Call").is_none(),
        "nothing applied"
    );
    assert_eq!(stored["updated_at"], 1_700_000_000);
    let missing = api
        .put(
            "/contacts/nobody",
            &json!({"custom_attributes": {"Referral": "x"}}),
        )
        .await;
    assert_eq!(missing.status(), 404);
    assert_eq!(error_code(&missing.json().await.unwrap()), "not_found");
}

#[tokio::test]
async fn intercom_version_decides_how_unassigned_renders() {
    let mut api = Api::new(intercom_sim::generate(60, 8, as_of()), SimConfig::default()).await;
    let q = json!({"query": {"field": "admin_assignee_id", "operator": "=", "value": null}});
    let (_, page) = api.search("conversations", &q).await;
    let id = page["conversations"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(page["conversations"][0]["admin_assignee_id"], Value::Null);
    for (version, expected) in [
        (Some("2.11"), Value::Null),
        (Some("2.16"), json!(0)),
        (Some("2.12"), json!(0)),
        (None, Value::Null),
    ] {
        api.version = version;
        let c: Value = api
            .get(&format!("/conversations/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(c["admin_assignee_id"], expected, "{version:?}");
    }
    api.version = Some("banana");
    let r = api.get(&format!("/conversations/{id}")).await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        error_code(&r.json().await.unwrap()),
        "intercom_version_invalid"
    );
}

#[tokio::test]
async fn read_endpoints() {
    let api = Api::new(intercom_sim::generate(20, 2, as_of()), SimConfig::default()).await;
    let admins: Value = api.get("/admins").await.json().await.unwrap();
    assert_eq!(admins["type"], "admin.list");
    assert!(admins["admins"].as_array().unwrap().len() >= 12);
    let contact_attrs: Value = api
        .get("/data_attributes?model=contact")
        .await
        .json()
        .await
        .unwrap();
    let models: Vec<&str> = contact_attrs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["model"].as_str().unwrap())
        .collect();
    assert!(models.iter().all(|m| *m == "contact"));
    let names: Vec<&str> = contact_attrs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Engagement Status") && names.contains(&"external_id"));
    let conv_attrs: Value = api
        .get("/data_attributes?model=conversation")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(conv_attrs["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        api.get("/data_attributes?model=ticket_type").await.status(),
        400
    );
    let me: Value = api.get("/me").await.json().await.unwrap();
    assert_eq!(me["type"], "admin");
    assert_eq!(me["app"]["timezone"], "America/New_York");
    let unknown = api.get("/tickets").await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(error_code(&unknown.json().await.unwrap()), "not_found");
    assert_eq!(api.get("/conversations/999").await.status(), 404);
}

#[tokio::test]
async fn stats_count_calls_per_route_and_need_no_token() {
    let api = Api::new(intercom_sim::generate(5, 1, as_of()), SimConfig::default()).await;
    let q = json!({"query": {"field": "role", "operator": "=", "value": "user"}});
    api.search("contacts", &q).await;
    api.search("contacts", &q).await;
    api.get("/contacts/whoever").await;
    api.http.get(api.url("/admins")).send().await.unwrap();
    let stats: SimStats = api
        .http
        .get(api.url("/_sim/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats.requests["POST /contacts/search"], 2);
    assert_eq!(stats.requests["GET /contacts/{id}"], 1);
    assert_eq!(stats.requests["GET /admins"], 1, "401s count too");
    assert_eq!(stats, api.sim.stats());
    assert!(!stats.requests.keys().any(|k| k.contains("_sim")));
}
