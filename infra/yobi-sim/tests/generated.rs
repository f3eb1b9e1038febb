//! A generated book's Yobi account: what the API serves adds up to the fixture's days, and
//! staff work is visible by user.

mod common;

use chrono::Duration;
use serde_json::{json, Value};
use yobi_sim::SimConfig;

#[tokio::test]
async fn the_served_thirty_days_add_up_to_the_fixture() {
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 3, 30).unwrap();
    let book = ranker_book::generate(150, 31, as_of);
    let config = SimConfig {
        today: Some(as_of),
        ..SimConfig::default()
    };
    let sim = yobi_sim::start(book.yobi.clone(), config, 0).await.unwrap();
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{}/auth/login", sim.base_url))
        .json(&json!({"email": ranker_book::BOOK_YOBI_EMAIL, "password": ranker_book::BOOK_YOBI_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap();
    let mut url = Some(format!(
        "{}/admin/analytics/calls?period=30days&page_size=200",
        sim.base_url
    ));
    let mut tenants = Vec::new();
    while let Some(u) = url {
        let page: Value = http
            .get(&u)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        tenants.extend(
            page["results"]["results"]
                .as_array()
                .unwrap()
                .iter()
                .cloned(),
        );
        url = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!(tenants.len(), book.yobi.tenants.len());
    let first = as_of - Duration::days(29);
    let mut staff_seen = 0;
    for t in &tenants {
        let id = t["tenant_id"].as_u64().unwrap();
        let expected: u64 = book
            .yobi
            .daily
            .iter()
            .filter(|r| r.tenant_id == id && r.date >= first)
            .map(|r| u64::from(r.calls))
            .sum();
        assert_eq!(
            t["totals"]["total_calls"].as_u64(),
            Some(expected),
            "tenant {id}"
        );
        for d in t["daily"].as_array().unwrap() {
            let users = d["by_user"].as_array().unwrap();
            let sum: u64 = users.iter().map(|u| u["count"].as_u64().unwrap()).sum();
            assert_eq!(Some(sum), d["total_calls"].as_u64());
            staff_seen += users
                .iter()
                .filter(|u| u["user_email"].as_str().unwrap().ends_with("@yib.io"))
                .count();
        }
    }
    assert!(staff_seen > 0);
}
