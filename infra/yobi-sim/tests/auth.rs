//! Login with email and password, expiring bearer tokens, and the 401s around them.

mod common;

use std::time::Duration;

use common::{account, config, Api, EMAIL, PASSWORD};
use serde_json::{json, Value};
use yobi_sim::SimConfig;

#[tokio::test]
async fn login_gives_a_bearer_token_with_an_expiry() {
    let sim = yobi_sim::start(account(), config(), 0).await.unwrap();
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/auth/login", sim.base_url))
        .json(&json!({"email": "OPS@yib.io", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let expires =
        chrono::DateTime::parse_from_rfc3339(body["expires_at"].as_str().unwrap()).unwrap();
    let left = expires.to_utc() - chrono::Utc::now();
    assert!(
        left > chrono::Duration::minutes(59) && left <= chrono::Duration::minutes(60),
        "{left}"
    );
    let token = body["access_token"].as_str().unwrap();
    let r = http
        .get(format!("{}/admin/tenants", sim.base_url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(sim.stats().event("login"), 1);
}

#[tokio::test]
async fn wrong_or_missing_credentials() {
    let sim = yobi_sim::start(account(), config(), 0).await.unwrap();
    let http = reqwest::Client::new();
    let login = |body: Value| {
        http.post(format!("{}/auth/login", sim.base_url))
            .json(&body)
            .send()
    };
    let r = login(json!({"email": EMAIL, "password": "nope"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"detail": "Invalid email or password.", "code": "invalid_credentials"})
    );
    let r = login(json!({"email": EMAIL})).await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "invalid_request");
    assert_eq!(sim.stats().event("login_failed"), 1);
}

#[tokio::test]
async fn admin_endpoints_need_a_valid_token() {
    let api = Api::new(account(), config()).await;
    let url = api.url("/admin/analytics/calls?period=7days");
    let r = api.http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["WWW-Authenticate"], "Bearer");
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "not_authenticated"
    );
    let r = api
        .http
        .get(&url)
        .bearer_auth("yobi.made-up")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"detail": "Given token not valid.", "code": "token_not_valid"})
    );
    let stats = api.sim.stats();
    assert_eq!(
        (stats.event("unauthenticated"), stats.event("token_invalid")),
        (1, 1)
    );
}

#[tokio::test]
async fn tokens_expire_and_a_new_login_works_again() {
    let config = SimConfig {
        token_lifetime: Duration::from_millis(300),
        ..config()
    };
    let mut api = Api::new(account(), config).await;
    assert_eq!(api.get("/admin/tenants").await.status(), 200);
    tokio::time::sleep(Duration::from_millis(350)).await;
    let (status, body) = api.read("/admin/tenants").await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"detail": "Token has expired.", "code": "token_expired"})
    );
    api.token = api.login().await;
    assert_eq!(api.get("/admin/tenants").await.status(), 200);
    assert_eq!(api.sim.stats().event("token_expired"), 1);
}

#[tokio::test]
async fn a_test_can_end_every_token_at_once() {
    let api = Api::new(account(), config()).await;
    assert_eq!(api.get("/admin/tenants").await.status(), 200);
    api.sim.expire_tokens();
    assert_eq!(api.read("/admin/tenants").await.1["code"], "token_expired");
    let fresh = api.login().await;
    let r = api
        .http
        .get(api.url("/admin/tenants"))
        .bearer_auth(fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "tokens issued later are not affected");
}

#[tokio::test]
async fn a_static_token_works_without_login() {
    let config = SimConfig {
        static_token: Some("curl-token".into()),
        ..config()
    };
    let sim = yobi_sim::start(account(), config, 0).await.unwrap();
    let r = reqwest::Client::new()
        .get(format!("{}/admin/tenants", sim.base_url))
        .bearer_auth("curl-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
