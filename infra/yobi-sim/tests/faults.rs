//! Latency, throttling and injected errors, and the call counts that show them.

mod common;

use std::time::{Duration, Instant};

use common::{account, config, Api};
use serde_json::Value;
use yobi_sim::SimConfig;

#[tokio::test]
async fn injected_errors_and_latency() {
    let config = SimConfig {
        error_rate: 1.0,
        latency: Duration::from_millis(100),
        ..config()
    };
    let sim = yobi_sim::start(account(), config, 0).await.unwrap();
    let http = reqwest::Client::new();
    let t = Instant::now();
    let r = http
        .post(format!("{}/auth/login", sim.base_url))
        .json(&serde_json::json!({"email": common::EMAIL, "password": common::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(t.elapsed() >= Duration::from_millis(100));
    assert!([500, 502, 503].contains(&r.status().as_u16()));
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "server_error");
    assert_eq!(sim.stats().event("error_injected"), 1);
}

#[tokio::test]
async fn throttling_answers_429_with_retry_after() {
    let config = SimConfig {
        requests_per_second: Some(2),
        ..config()
    };
    let api = Api::new(account(), config).await; // the login is the first request
    assert_eq!(api.get("/admin/tenants").await.status(), 200);
    let r = api.get("/admin/tenants").await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["Retry-After"], "1");
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "throttled");
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(api.get("/admin/tenants").await.status(), 200);
    let stats: yobi_sim::SimStats = api
        .http
        .get(api.url("/_sim/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats.event("throttled"), 1);
    assert_eq!(stats.requests_to("GET /admin/tenants"), 3);
    assert_eq!(stats.requests_to("POST /auth/login"), 1);
}
