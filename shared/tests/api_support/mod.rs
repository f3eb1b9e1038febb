//! Helpers shared by the `api_*` tests: requests built by hand and from API Gateway v2 events,
//! and a small row type.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lambda_http::{Body, Request};
use serde::Serialize;
use serde_json::{json, Value};
use shared::coaching::api::{self, ReportRequest, Route};
use shared::coaching::reports::TabularRow;
use shared::time::parse_as_of;

pub const TZ: Tz = chrono_tz::America::New_York;

pub fn now() -> DateTime<Utc> {
    parse_as_of("2024-03-10T17:30:45.250Z").unwrap()
}

/// A GET built by hand: only the URI carries the query (no lambda_http extension).
pub fn get(uri: &str) -> Request {
    lambda_http::http::Request::builder()
        .method("GET")
        .uri(uri)
        .body(Body::Empty)
        .unwrap()
}

/// A POST built by hand with a text body.
pub fn post(uri: &str, body: &str) -> Request {
    lambda_http::http::Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::Text(body.to_string()))
        .unwrap()
}

/// An API Gateway HTTP API (payload v2) event, as API Gateway sends it.
pub fn v2_event(method: &str, raw_path: &str, raw_query: &str, body: Option<&str>) -> Value {
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": {"accept": "application/json", "host": "abc.execute-api.us-east-1.amazonaws.com"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc",
            "domainName": "abc.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abc",
            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1",
                     "sourceIp": "192.0.2.1", "userAgent": "curl/8"},
            "requestId": "req-1",
            "routeKey": "$default",
            "stage": "$default",
            "time": "10/Mar/2024:17:30:45 +0000",
            "timeEpoch": 1710091845250u64
        },
        "body": body,
        "isBase64Encoded": false
    })
}

/// The request of a v2 event, converted as in Lambda.
pub fn from_event(event: &Value) -> Request {
    shared::runtime::http_request(event).unwrap()
}

/// Parses `req` for `route` at [`now`] in [`TZ`].
pub fn parse(route: Route, req: &Request) -> Result<ReportRequest, shared::api::Problem> {
    api::parse_report_request(route, req, now(), TZ)
}

/// The names of the invalid parameters of a 400, in order.
pub fn bad_names(problem: &shared::api::Problem) -> Vec<String> {
    assert_eq!(problem.status, 400, "{problem}");
    assert_eq!(problem.slug, "invalid-parameters");
    problem
        .invalid_params
        .iter()
        .map(|p| p.name.clone())
        .collect()
}

/// A report row for tests.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub member_id: String,
    pub member_name: Option<String>,
    pub tags: Vec<String>,
    pub days_ago: i64,
}

impl TabularRow for Row {
    const CSV_HEADER: &'static [&'static str] = &["memberId", "memberName", "tags", "daysAgo"];

    fn csv_record(&self) -> Vec<String> {
        vec![
            self.member_id.clone(),
            self.member_name.clone().unwrap_or_default(),
            self.tags.join("; "),
            self.days_ago.to_string(),
        ]
    }
}

pub fn rows(n: usize) -> Vec<Row> {
    (0..n)
        .map(|i| Row {
            member_id: format!("m{i:05}"),
            member_name: Some(format!("Member {i}")),
            tags: vec!["a".into(), "b".into()],
            days_ago: i as i64,
        })
        .collect()
}
