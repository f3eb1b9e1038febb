//! Harness for the end-to-end tests: the Intercom simulator in-process on a free port, moto for
//! S3 and Secrets Manager (started around the test run by `infra/scripts/with-moto.sh`), a fresh
//! PostgreSQL database per test ([`postgres`], on the server `infra/scripts/with-postgres.sh`
//! starts), and helpers to read the simulator's state back through Intercom's own API.

#![recursion_limit = "256"]

pub mod fixtures;
pub mod postgres;

use std::path::PathBuf;

use intercom_sim::{RunningSim, SimConfig, Workspace};
use serde_json::Value;
use shared::aws::secrets::TokenSource;
use shared::coaching::config::Config;
use shared::coaching::handlers::AppContext;
use shared::context::IntercomSettings;
use shared::time::Clock;

/// The simulator's token in tests; distinctive so that tests can look for leaks.
pub const TOKEN: &str = "tok-e2e-3f9c1a7d";

/// Starts the simulator on a free port with `TOKEN` and the given knobs.
pub async fn start_sim(workspace: Workspace, config: SimConfig) -> RunningSim {
    let config = SimConfig {
        token: TOKEN.to_string(),
        ..config
    };
    intercom_sim::start(workspace, config, 0)
        .await
        .expect("the simulator starts")
}

/// "Now" for the coaching tests: an hour after their as-of (2026-03-10T16:00:00Z), so that
/// writing runs with that as-of are within the allowed distance from now.
pub const NOW: &str = "2026-03-10T17:00:00Z";

/// The context a function would build, pointed at `sim`, with the default configuration and a
/// clock fixed at [`NOW`].
pub fn context(sim: &RunningSim) -> AppContext {
    context_with_timeout(sim, shared::intercom::DEFAULT_TIMEOUT)
}

/// [`context`] with another per-request timeout (tests of hung requests).
pub fn context_with_timeout(sim: &RunningSim, timeout: std::time::Duration) -> AppContext {
    AppContext::new(
        Config::default(),
        IntercomSettings {
            base_url: sim.base_url.clone(),
            version: "2.11".into(),
            timeout,
        },
        TokenSource::fixed(TOKEN.into()),
    )
    .with_clock(Clock::Fixed(
        shared::time::parse_as_of(NOW).expect("an RFC 3339 instant"),
    ))
}

/// The contact as `GET /contacts/{id}` answers it.
pub async fn get_contact(sim: &RunningSim, id: &str) -> Value {
    let response = reqwest::Client::new()
        .get(format!("{}/contacts/{id}", sim.base_url))
        .bearer_auth(TOKEN)
        .header("Intercom-Version", "2.11")
        .send()
        .await
        .expect("GET /contacts/{id}");
    assert!(
        response.status().is_success(),
        "GET /contacts/{id}: {}",
        response.status()
    );
    response.json().await.expect("contact JSON")
}

/// The contact's custom attribute `name` (null when absent).
pub async fn attr(sim: &RunningSim, id: &str, name: &str) -> Value {
    get_contact(sim, id).await["custom_attributes"][name].clone()
}

/// Requests the simulator answered, all paths together.
pub fn requests(sim: &RunningSim) -> u64 {
    sim.stats().requests.values().sum()
}

/// Requests the simulator answered for one `METHOD /path-pattern` key.
pub fn requests_for(sim: &RunningSim, key: &str) -> u64 {
    sim.stats().requests.get(key).copied().unwrap_or(0)
}

/// The moto server's endpoint, from `AWS_ENDPOINT_URL`.
///
/// # Panics
/// When it is not set: run the tests through `make test` (or `infra/scripts/with-moto.sh cargo test`).
pub fn moto_endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").expect(
        "AWS_ENDPOINT_URL is not set: run the end-to-end tests through `make test` \
         (or infra/scripts/with-moto.sh cargo test), which starts a local moto server",
    )
}

/// The AWS SDK config for moto.
pub async fn moto_sdk() -> aws_config::SdkConfig {
    let endpoint = moto_endpoint();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .load()
        .await
}

/// A bucket or secret name no other test uses.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A function binary built by `cargo build --workspace` (the Makefile builds before testing).
pub fn function_binary(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = target.join("debug").join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace` first (make test does)",
        path.display()
    );
    path
}

/// An API Gateway HTTP API (payload v2) event, as API Gateway would send it after the Lambda
/// authorizer accepted the key named `tests`.
pub fn http_event(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Value {
    let mut header_map = serde_json::Map::new();
    for (name, value) in headers {
        header_map.insert(name.to_lowercase(), Value::String(value.to_string()));
    }
    let mut query_map = serde_json::Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            s.replace('+', " ")
                .replace("%20", " ")
                .replace("%3A", ":")
                .replace("%2C", ",")
        };
        query_map.insert(decode(k), Value::String(decode(v)));
    }
    serde_json::json!({
        "version": "2.0",
        "routeKey": format!("{method} {path}"),
        "rawPath": path,
        "rawQueryString": query,
        "headers": header_map,
        "queryStringParameters": query_map,
        "requestContext": {
            "accountId": "123456789012", "apiId": "api", "domainName": "api.example.com",
            "domainPrefix": "api", "requestId": "req-1", "routeKey": format!("{method} {path}"),
            "stage": "$default", "time": "10/Mar/2026:16:00:00 +0000", "timeEpoch": 1_773_158_400_000u64,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "tests"},
            "authorizer": {"lambda": {"keyName": "tests"}}
        },
        "body": body,
        "isBase64Encoded": false
    })
}

/// The `Request` lambda_http builds from [`http_event`].
pub fn http_request(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> lambda_http::Request {
    shared::runtime::http_request(&http_event(method, path, query, headers, body))
        .expect("a valid v2 event")
}

/// A response's body bytes (gzip left as is).
pub fn body_bytes(response: &lambda_http::Response<lambda_http::Body>) -> Vec<u8> {
    match response.body() {
        lambda_http::Body::Empty => Vec::new(),
        lambda_http::Body::Text(text) => text.as_bytes().to_vec(),
        lambda_http::Body::Binary(bytes) => bytes.clone(),
        _ => Vec::new(),
    }
}

/// A response's body as JSON.
pub fn body_json(response: &lambda_http::Response<lambda_http::Body>) -> Value {
    serde_json::from_slice(&body_bytes(response)).expect("a JSON body")
}

/// A response header as text.
pub fn header(response: &lambda_http::Response<lambda_http::Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}
