//! Rate limits: `X-HubSpot-RateLimit-*` headers, the rolling 10-second budget, the search
//! endpoints' own per-second budget, the daily budget, and 429 bodies with `policyName`.

mod common;

use std::time::Duration;

use common::{small_portal, Api};
use hubspot_sim::SimConfig;
use serde_json::{json, Value};

const SEARCH: &str = "/crm/v3/objects/contacts/search";
const PROPS: &str = "/crm/v3/properties/companies";

fn header(r: &reqwest::Response, name: &str) -> Option<u64> {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().parse().unwrap())
}

fn assert_429(body: &Value, policy: &str, message: &str) {
    assert_eq!(body["status"], "error");
    assert_eq!(body["errorType"], "RATE_LIMIT");
    assert_eq!(body["policyName"], policy);
    assert_eq!(body["message"], message);
    assert_eq!(body["correlationId"].as_str().map(str::len), Some(36));
    assert_eq!(body["requestId"].as_str().map(str::len), Some(36));
}

#[tokio::test]
async fn answers_carry_the_daily_and_ten_second_budgets() {
    let config = SimConfig {
        ten_second_limit: 3,
        daily_limit: 1000,
        ..SimConfig::default()
    };
    let api = Api::new(small_portal(), config).await;
    for remaining in [2, 1, 0] {
        let r = api.get(PROPS).await;
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "X-HubSpot-RateLimit-Max"), Some(3));
        assert_eq!(header(&r, "X-HubSpot-RateLimit-Remaining"), Some(remaining));
        assert_eq!(
            header(&r, "X-HubSpot-RateLimit-Interval-Milliseconds"),
            Some(10_000)
        );
        assert_eq!(header(&r, "X-HubSpot-RateLimit-Daily"), Some(1000));
        assert_eq!(
            header(&r, "X-HubSpot-RateLimit-Daily-Remaining"),
            Some(997 + remaining)
        );
    }
    let r = api.get(PROPS).await;
    assert_eq!(r.status(), 429);
    assert_eq!(header(&r, "X-HubSpot-RateLimit-Remaining"), Some(0));
    assert_eq!(
        header(&r, "X-HubSpot-RateLimit-Daily-Remaining"),
        Some(997),
        "refusals use no budget"
    );
    assert_429(
        &r.json().await.unwrap(),
        "TEN_SECONDLY_ROLLING",
        "You have reached your ten_secondly_rolling limit.",
    );
    // Search has its own budget and no rate-limit headers.
    let r = api.post(SEARCH, &json!({})).await;
    assert_eq!(r.status(), 200);
    assert!(r
        .headers()
        .keys()
        .all(|k| !k.as_str().starts_with("x-hubspot-ratelimit")));
    assert!(r.headers().contains_key("X-HubSpot-Correlation-Id"));
    assert_eq!(
        api.sim.stats().event("rate_limited.TEN_SECONDLY_ROLLING"),
        1
    );
}

#[tokio::test]
async fn search_is_limited_per_second_and_recovers() {
    let config = SimConfig {
        search_per_second: 2,
        ..SimConfig::default()
    };
    let api = Api::new(small_portal(), config).await;
    assert_eq!(api.post(SEARCH, &json!({})).await.status(), 200);
    assert_eq!(
        api.post("/crm/v3/objects/companies/search", &json!({}))
            .await
            .status(),
        200
    );
    let r = api.post(SEARCH, &json!({})).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("X-HubSpot-RateLimit-Remaining").is_none());
    assert_429(
        &r.json().await.unwrap(),
        "SECONDLY",
        "You have reached your secondly limit.",
    );
    assert_eq!(
        api.get(PROPS).await.status(),
        200,
        "other endpoints are not held back"
    );
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(api.post(SEARCH, &json!({})).await.status(), 200);
    assert_eq!(api.sim.stats().event("rate_limited.SECONDLY"), 1);
}

#[tokio::test]
async fn the_daily_budget_stops_everything() {
    let config = SimConfig {
        daily_limit: 2,
        ..common::unlimited()
    };
    let api = Api::new(small_portal(), config).await;
    assert_eq!(api.get(PROPS).await.status(), 200);
    assert_eq!(
        api.post(SEARCH, &json!({})).await.status(),
        200,
        "search counts against the day"
    );
    for path in [PROPS, "/crm/v3/objects/companies/101"] {
        let r = api.get(path).await;
        assert_eq!(r.status(), 429);
        assert_eq!(header(&r, "X-HubSpot-RateLimit-Daily-Remaining"), Some(0));
        assert_429(
            &r.json().await.unwrap(),
            "DAILY",
            "You have reached your daily limit.",
        );
    }
    let r = api.post(SEARCH, &json!({})).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.json::<Value>().await.unwrap()["policyName"], "DAILY");
    assert_eq!(api.sim.stats().event("rate_limited.DAILY"), 3);
}
