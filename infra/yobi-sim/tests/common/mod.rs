//! Shared helpers: start a simulator in-process, log in and read like a client would.
#![allow(dead_code)]

use chrono::NaiveDate;
use reqwest::{Client, Response};
use serde_json::{json, Value};
use yobi_sim::{RunningSim, SimConfig, YobiFixture};

pub const EMAIL: &str = "ops@yib.io";
pub const PASSWORD: &str = "s3cret";

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 30).unwrap()
}

pub fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, d).unwrap()
}

/// Three tenants; usage on a few March days (today is the 30th, a Sunday).
pub fn account() -> YobiFixture {
    serde_json::from_value(json!({
        "users": [{"email": EMAIL, "password": PASSWORD}],
        "tenants": [
            {"tenant_id": 300, "tenant_name": "Bright Smiles Dental", "website": "https://www.brightsmiles.com/"},
            {"tenant_id": 42, "tenant_name": "Oak Park Dental, PLLC", "domain": "oakparkdental.com"},
            {"tenant_id": 7, "tenant_name": "Quiet Practice"}
        ],
        "daily": [
            {"tenant_id": 42, "date": "2025-02-28", "calls": 100, "tasks_created": 9, "appointments": 9, "new_patient_appointments": 9},
            {"tenant_id": 42, "date": "2025-03-23", "calls": 10, "tasks_created": 2, "appointments": 5, "new_patient_appointments": 1},
            {"tenant_id": 42, "date": "2025-03-24", "calls": 12, "tasks_created": 3, "appointments": 6, "new_patient_appointments": 2,
             "by_user": [{"email": "support.alex@yib.io", "calls": 4, "tasks_created": 1}]},
            {"tenant_id": 42, "date": "2025-03-25", "calls": 0, "tasks_created": 0, "appointments": 4, "new_patient_appointments": 0},
            {"tenant_id": 42, "date": "2025-03-30", "calls": 1, "tasks_created": 0, "appointments": 0, "new_patient_appointments": 0},
            {"tenant_id": 300, "date": "2025-03-10", "calls": 20, "tasks_created": 4, "appointments": 8, "new_patient_appointments": 3},
            {"tenant_id": 300, "date": "2025-03-29", "calls": 3, "tasks_created": 1, "appointments": 2, "new_patient_appointments": 1,
             "by_user": [{"email": "onboarding.team@yib.io", "calls": 3, "tasks_created": 1}]}
        ]
    }))
    .unwrap()
}

pub fn config() -> SimConfig {
    SimConfig {
        today: Some(today()),
        ..SimConfig::default()
    }
}

pub struct Api {
    pub sim: RunningSim,
    pub http: Client,
    pub token: String,
}

impl Api {
    /// Starts a simulator and logs in.
    pub async fn new(fixture: YobiFixture, config: SimConfig) -> Self {
        let sim = yobi_sim::start(fixture, config, 0)
            .await
            .expect("simulator starts");
        let http = Client::new();
        let mut api = Self {
            sim,
            http,
            token: String::new(),
        };
        api.token = api.login().await;
        api
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sim.base_url, path)
    }

    pub async fn login(&self) -> String {
        let r = self
            .http
            .post(self.url("/auth/login"))
            .json(&json!({"email": EMAIL, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json::<Value>().await.unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }

    /// (status, body).
    pub async fn read(&self, path: &str) -> (u16, Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    /// The tenant entry with `id` in a usage or tenant list (primary field names).
    pub async fn tenant_usage(&self, path: &str, id: u64) -> Value {
        let (status, body) = self.read(path).await;
        assert_eq!(status, 200, "{body}");
        body["results"]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["tenant_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no tenant {id} in {body}"))
    }
}
