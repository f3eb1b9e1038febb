//! Private-app token auth, HubSpot's error bodies, injected faults, latency and call counts.

mod common;

use std::time::{Duration, Instant};

use common::{assert_error_body, small_portal, Api};
use hubspot_sim::SimConfig;
use serde_json::json;

#[tokio::test]
async fn a_missing_or_wrong_token_is_a_401_with_hubspots_body_and_no_rate_headers() {
    let api = Api::unlimited(small_portal()).await;
    let url = api.url("/crm/v3/properties/companies");
    for request in [
        api.http.get(&url),
        api.http.get(&url).bearer_auth("wrong"),
        api.http.get(&url).header("Authorization", "sim-token"),
    ] {
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), 401);
        assert!(r.headers().get("X-HubSpot-RateLimit-Remaining").is_none());
        let id = r.headers()["X-HubSpot-Correlation-Id"]
            .to_str()
            .unwrap()
            .to_owned();
        let body: serde_json::Value = r.json().await.unwrap();
        assert_error_body(&body, "INVALID_AUTHENTICATION");
        assert_eq!(body["correlationId"], id.as_str());
        assert!(body["message"]
            .as_str()
            .unwrap()
            .starts_with("Authentication credentials not found"));
    }
    assert_eq!(api.sim.stats().event("unauthorized"), 3);
}

#[tokio::test]
async fn bad_input_unknown_types_and_unknown_routes_have_hubspot_errors() {
    let api = Api::unlimited(small_portal()).await;
    let r = api
        .http
        .post(api.url("/crm/v3/objects/contacts/search"))
        .bearer_auth(common::TOKEN)
        .header("Content-Type", "application/json")
        .body("{\"limit\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_error_body(&body, "VALIDATION_ERROR");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .starts_with("Invalid input JSON"));

    let (status, body) = api.call("/crm/v3/objects/widgets/search", &json!({})).await;
    assert_eq!(status, 404);
    assert_error_body(&body, "OBJECT_NOT_FOUND");
    assert_eq!(body["message"], "Unable to infer object type from: widgets");

    let (status, body) = api.read("/crm/v3/nothing/here").await;
    assert_eq!(status, 404);
    assert_error_body(&body, "OBJECT_NOT_FOUND");
    let (status, _) = api.read("/crm/v3/objects/companies/batch/update").await;
    assert_eq!(status, 404, "GET on a POST route");
}

#[tokio::test]
async fn injected_errors_are_5xx_with_an_error_body_and_are_counted() {
    let config = SimConfig {
        error_rate: 1.0,
        ..common::unlimited()
    };
    let api = Api::new(small_portal(), config).await;
    for _ in 0..5 {
        let r = api.get("/crm/v3/properties/companies").await;
        assert!(
            [500, 502, 503].contains(&r.status().as_u16()),
            "{}",
            r.status()
        );
        assert!(r.headers().get("X-HubSpot-RateLimit-Remaining").is_some());
        assert_error_body(&r.json().await.unwrap(), "INTERNAL_ERROR");
    }
    assert_eq!(api.sim.stats().event("error_injected"), 5);
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let config = SimConfig {
        latency: Duration::from_millis(150),
        ..common::unlimited()
    };
    let api = Api::new(small_portal(), config).await;
    let t = Instant::now();
    assert_eq!(api.get("/crm/v3/properties/companies").await.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn stats_count_requests_by_route_without_a_token() {
    let api = Api::unlimited(small_portal()).await;
    api.call("/crm/v3/objects/contacts/search", &json!({}))
        .await;
    api.call("/crm/v3/objects/contacts/search", &json!({}))
        .await;
    api.read("/crm/v3/objects/companies/101").await;
    api.read("/crm/v3/objects/companies/2002").await;
    api.read("/crm/v3/properties/companies/name").await;
    api.call(
        "/crm/v4/associations/contacts/companies/batch/read",
        &json!({"inputs": []}),
    )
    .await;
    let stats: hubspot_sim::SimStats = api
        .http
        .get(api.url("/_sim/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats, api.sim.stats());
    assert_eq!(stats.requests_to("POST /crm/v3/objects/contacts/search"), 2);
    assert_eq!(stats.requests_to("GET /crm/v3/objects/companies/{id}"), 2);
    assert_eq!(
        stats.requests_to("GET /crm/v3/properties/companies/{name}"),
        1
    );
    assert_eq!(
        stats.requests_to("POST /crm/v4/associations/contacts/companies/batch/read"),
        1
    );
}
