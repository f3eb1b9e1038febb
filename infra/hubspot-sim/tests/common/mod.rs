//! Shared helpers: start a simulator in-process and talk to it like a client would.
#![allow(dead_code)]

use hubspot_sim::{HubSpotFixture, RunningSim, SimConfig};
use reqwest::{Client, Response};
use serde_json::{json, Value};

pub const TOKEN: &str = "sim-token";

pub struct Api {
    pub sim: RunningSim,
    pub http: Client,
}

impl Api {
    pub async fn new(fixture: HubSpotFixture, config: SimConfig) -> Self {
        Self {
            sim: hubspot_sim::start(fixture, config, 0)
                .await
                .expect("simulator starts"),
            http: Client::new(),
        }
    }

    /// A simulator without rate limits in the way.
    pub async fn unlimited(fixture: HubSpotFixture) -> Self {
        Self::new(fixture, unlimited()).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sim.base_url, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http
            .get(self.url(path))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.http
            .post(self.url(path))
            .bearer_auth(TOKEN)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// (status, body) of a POST.
    pub async fn call(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self.post(path, body).await;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    /// (status, body) of a GET.
    pub async fn read(&self, path: &str) -> (u16, Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    /// Every id a search finds, following `after` to the end.
    pub async fn search_all(&self, object: &str, mut body: Value) -> (Vec<String>, u64) {
        let path = format!("/crm/v3/objects/{object}/search");
        let mut ids = Vec::new();
        let mut total = None;
        loop {
            let (status, page) = self.call(&path, &body).await;
            assert_eq!(status, 200, "{page}");
            total.get_or_insert(page["total"].as_u64().unwrap());
            ids.extend(
                page["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["id"].as_str().unwrap().to_owned()),
            );
            match page["paging"]["next"]["after"].as_str() {
                Some(after) => body["after"] = json!(after),
                None => break,
            }
        }
        (ids, total.unwrap())
    }
}

pub fn unlimited() -> SimConfig {
    SimConfig {
        ten_second_limit: 1_000_000,
        search_per_second: 1_000_000,
        ..SimConfig::default()
    }
}

/// HubSpot's error body: status, message, correlationId (also in the header), category.
pub fn assert_error_body(body: &Value, category: &str) {
    assert_eq!(body["status"], "error", "{body}");
    assert_eq!(body["category"], category, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(
        body["correlationId"].as_str().map(str::len),
        Some(36),
        "{body}"
    );
}

pub fn object(id: &str, props: Value) -> Value {
    json!({"id": id, "properties": props, "createdAt": "2024-01-01T00:00:00.000Z",
           "updatedAt": "2024-01-01T00:00:00.000Z", "archived": false})
}

/// A small portal: three companies, four contacts (two customers), associations and the
/// generated portal's company property definitions.
pub fn small_portal() -> HubSpotFixture {
    serde_json::from_value(json!({
        "companies": [
            object("101", json!({"name": "Bright Smiles Dental, PLLC", "domain": "brightsmiles.com"})),
            object("2002", json!({"name": "Oak Park Dental", "domain": null, "customer_engagement_rank": "3 out of 10"})),
            object("30003", json!({"name": "Prospect Dental", "domain": "prospect.com"})),
        ],
        "contacts": [
            {"id": "1", "properties": {"email": "jane@brightsmiles.com", "lifecyclestage": "customer", "createdate": "2023-01-10T10:00:00.000Z"},
             "createdAt": "2023-01-10T10:00:00.000Z", "updatedAt": "2024-01-01T00:00:00.000Z"},
            {"id": "2", "properties": {"email": "oakpark88@gmail.com", "lifecyclestage": "customer", "createdate": "2024-06-01T10:00:00.000Z"},
             "createdAt": "2024-06-01T10:00:00.000Z", "updatedAt": "2024-06-02T00:00:00.000Z"},
            {"id": "3", "properties": {"email": "lead@prospect.com", "lifecyclestage": "lead"},
             "createdAt": "2024-07-01T10:00:00.000Z", "updatedAt": "2024-07-01T00:00:00.000Z"},
            {"id": "4", "properties": {"email": "nobody@yahoo.com", "lifecyclestage": "customer"},
             "createdAt": "2025-01-01T10:00:00.000Z", "updatedAt": "2025-01-01T00:00:00.000Z"}
        ],
        "associations": [
            {"from": "1", "to": "101", "typeId": 1}, {"from": "1", "to": "101", "typeId": 279},
            {"from": "1", "to": "2002", "typeId": 279},
            {"from": "2", "to": "2002", "typeId": 1}, {"from": "2", "to": "2002", "typeId": 279},
            {"from": "3", "to": "30003", "typeId": 279}
        ],
        "properties": ranker_book::company_property_definitions(),
    }))
    .unwrap()
}
