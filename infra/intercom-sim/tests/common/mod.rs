//! Shared helpers: start a simulator in-process and talk to it like a client would.
#![allow(dead_code)]

use chrono::NaiveDate;
use intercom_sim::{RunningSim, SimConfig, Workspace};
use reqwest::{Client, Response};
use serde_json::{json, Value};

pub const TOKEN: &str = "sim-token";

pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()
}

pub async fn start(workspace: Workspace, config: SimConfig) -> RunningSim {
    intercom_sim::start(workspace, config, 0)
        .await
        .expect("simulator starts")
}

pub struct Api {
    pub sim: RunningSim,
    pub http: Client,
    pub version: Option<&'static str>,
}

impl Api {
    pub async fn new(workspace: Workspace, config: SimConfig) -> Self {
        Self {
            sim: start(workspace, config).await,
            http: Client::new(),
            version: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sim.base_url, path)
    }

    fn auth(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let rb = rb.bearer_auth(TOKEN);
        match self.version {
            Some(v) => rb.header("Intercom-Version", v),
            None => rb,
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.auth(self.http.get(self.url(path)))
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.auth(self.http.post(self.url(path)))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, path: &str, body: &Value) -> Response {
        self.auth(self.http.put(self.url(path)))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// One search page: (status, body).
    pub async fn search(&self, model: &str, body: &Value) -> (u16, Value) {
        let r = self.post(&format!("/{model}/search"), body).await;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    /// Ids of every match, following cursors to the end.
    pub async fn search_all(&self, model: &str, query: Value, per_page: u64) -> (Vec<String>, u64) {
        let key = if model == "contacts" {
            "data"
        } else {
            "conversations"
        };
        let mut body = json!({"query": query, "pagination": {"per_page": per_page}});
        let mut ids = Vec::new();
        let mut total = None;
        loop {
            let (status, page) = self.search(model, &body).await;
            assert_eq!(status, 200, "{page}");
            total.get_or_insert(page["total_count"].as_u64().unwrap());
            for item in page[key].as_array().unwrap() {
                ids.push(item["id"].as_str().unwrap().to_owned());
            }
            match page["pages"]["next"]["starting_after"].as_str() {
                Some(cursor) => {
                    body = json!({"query": query, "pagination": {"per_page": per_page, "starting_after": cursor}})
                }
                None => break,
            }
        }
        (ids, total.unwrap())
    }
}

/// Error code of an error.list body.
pub fn error_code(body: &Value) -> &str {
    assert_eq!(body["type"], "error.list", "{body}");
    assert!(body["request_id"].as_str().is_some_and(|s| !s.is_empty()));
    body["errors"][0]["code"].as_str().unwrap()
}

/// A small hand-made workspace: data attributes from the generator plus given objects.
pub fn workspace_with(contacts: Vec<Value>, conversations: Vec<Value>) -> Workspace {
    let generated = intercom_sim::generate(1, 1, as_of());
    Workspace {
        admins: generated.admins,
        contacts,
        conversations,
        data_attributes: generated.data_attributes,
    }
}

pub fn contact(id: &str, custom: Value) -> Value {
    json!({"type": "contact", "id": id, "role": "user", "email": format!("{id}@example.com"),
           "name": format!("Member {id}"), "created_at": 1_700_000_000, "updated_at": 1_700_000_000,
           "custom_attributes": custom})
}

pub fn conversation(id: &str, contact_ids: &[&str], fields: Value) -> Value {
    let mut c = json!({
        "type": "conversation", "id": id, "created_at": 1_700_000_000, "updated_at": 1_700_000_000,
        "state": "closed", "open": false, "admin_assignee_id": null, "team_assignee_id": null,
        "contacts": {"type": "contact.list", "contacts": contact_ids.iter()
            .map(|c| json!({"type": "contact", "id": c})).collect::<Vec<_>>()},
        "custom_attributes": {},
        "source": {"type": "conversation", "id": "1", "delivered_as": "admin_initiated", "subject": "",
                   "author": {"type": "admin", "id": "7100001", "name": "Dana", "email": "dana@example.com"},
                   "redacted": false},
    });
    for (k, v) in fields.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}
