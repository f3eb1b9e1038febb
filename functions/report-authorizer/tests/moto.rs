//! The authorizer against a real Secrets Manager API, served by a local moto server: the binary
//! answering `infra/events/report-authorizer.json`, and a key rotation through the key source.
//!
//! Needs `AWS_ENDPOINT_URL` pointing at a moto server: `make test` runs the tests through
//! `infra/scripts/with-moto.sh`, which starts one. Without it the tests fail and say so.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_secretsmanager::config::Credentials;
use serde_json::{json, Value};
use shared::auth::{hash_key, ApiKeySource};

const PROD_KEY: &str = "rk_live_9f3KxQ2mV7pLs8ZtB4nWc1Hy";
const NEXT_KEY: &str = "rk_live_Ud6Gh0Jr5TqYe2Xa9Mb3Nk7P";

fn moto_endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").expect(
        "AWS_ENDPOINT_URL is not set: run through `make test` (infra/scripts/with-moto.sh starts moto)",
    )
}

async fn sdk(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .load()
        .await
}

fn key_list(keys: &[(&str, &str)]) -> String {
    let keys: Vec<Value> = keys
        .iter()
        .map(|(name, key)| json!({"name": name, "sha256": hash_key(key)}))
        .collect();
    json!({ "keys": keys }).to_string()
}

async fn create_secret(sdk: &SdkConfig, name: &str, value: &str) {
    aws_sdk_secretsmanager::Client::new(sdk)
        .create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .expect("create the key-list secret in moto");
}

/// Runs the authorizer binary on the example event with `authorization` as the header; returns
/// the response and the log lines.
fn run_authorizer(endpoint: &str, secret_id: &str, authorization: &str) -> (Value, String) {
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/events/report-authorizer.json");
    let mut event: Value =
        serde_json::from_str(&std::fs::read_to_string(&example).expect("example event")).unwrap();
    event["headers"]["authorization"] = json!(authorization);
    event["identitySource"] = json!([authorization]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("event.json");
    std::fs::write(&path, event.to_string()).unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_report-authorizer"))
        .arg("--event")
        .arg(&path)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("REPORT_API_KEYS_SECRET_ID", secret_id)
        .env("RUST_LOG", "info")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .output()
        .expect("run report-authorizer");
    let logs = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "report-authorizer failed:\n{logs}");
    let response = serde_json::from_slice(&output.stdout).expect("response JSON on stdout");
    (response, logs)
}

#[tokio::test]
async fn the_binary_allows_a_stored_key_and_denies_others() {
    let endpoint = moto_endpoint();
    let sdk = sdk(&endpoint).await;
    let secret_id = format!("report-api-keys-bin-{}", std::process::id());
    create_secret(&sdk, &secret_id, &key_list(&[("powerbi-prod", PROD_KEY)])).await;

    let (response, logs) = run_authorizer(&endpoint, &secret_id, &format!("Bearer {PROD_KEY}"));
    assert_eq!(
        response,
        json!({"isAuthorized": true, "context": {"keyName": "powerbi-prod"}})
    );
    let decision = logs
        .lines()
        .find(|l| l.contains("report API authorization"))
        .unwrap_or_else(|| panic!("no decision line in:\n{logs}"));
    let decision: Value = serde_json::from_str(decision).expect("JSON log line");
    assert_eq!(decision["fields"]["decision"], "allow", "{decision}");
    assert_eq!(decision["fields"]["key_name"], "powerbi-prod", "{decision}");
    assert_eq!(
        decision["fields"]["route"], "GET /API/intercom/caseload",
        "{decision}"
    );

    let (response, logs) = run_authorizer(&endpoint, &secret_id, &format!("Bearer {NEXT_KEY}"));
    assert_eq!(response, json!({"isAuthorized": false, "context": {}}));
    assert!(logs.contains(r#""reason":"unknown""#), "{logs}");

    let (response, logs) = run_authorizer(&endpoint, &secret_id, &format!("Basic {PROD_KEY}"));
    assert_eq!(response["isAuthorized"], false);
    assert!(logs.contains(r#""reason":"missing""#), "{logs}");

    // Neither the key nor its hash is ever logged.
    for (_, logs) in [
        run_authorizer(&endpoint, &secret_id, &format!("Bearer {PROD_KEY}")),
        run_authorizer(&endpoint, &secret_id, &format!("Bearer {NEXT_KEY}")),
    ] {
        for secret in [PROD_KEY, NEXT_KEY, &hash_key(PROD_KEY), &hash_key(NEXT_KEY)] {
            assert!(!logs.contains(secret), "logged a key or hash:\n{logs}");
        }
    }
}

#[tokio::test]
async fn a_rotation_is_picked_up_when_the_cache_expires() {
    let endpoint = moto_endpoint();
    let sdk = sdk(&endpoint).await;
    let client = aws_sdk_secretsmanager::Client::new(&sdk);
    let secret_id = format!("report-api-keys-rotation-{}", std::process::id());
    create_secret(&sdk, &secret_id, &key_list(&[("powerbi-2026", PROD_KEY)])).await;

    let ttl = Duration::from_secs(300);
    let source = ApiKeySource::new(std::sync::Arc::new(client.clone()), &secret_id, ttl);
    let t0 = Instant::now();
    assert_eq!(
        source.keys_at(t0).await.unwrap().verify(PROD_KEY),
        Some("powerbi-2026")
    );

    // Step 1 of a rotation: both keys in the list.
    client
        .put_secret_value()
        .secret_id(&secret_id)
        .secret_string(key_list(&[
            ("powerbi-2026", PROD_KEY),
            ("powerbi-2027", NEXT_KEY),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        source.keys_at(t0).await.unwrap().verify(NEXT_KEY),
        None,
        "cached"
    );
    let keys = source.keys_at(t0 + ttl).await.unwrap();
    assert_eq!(keys.verify(PROD_KEY), Some("powerbi-2026"));
    assert_eq!(keys.verify(NEXT_KEY), Some("powerbi-2027"));

    // Step 2: the old key removed.
    client
        .put_secret_value()
        .secret_id(&secret_id)
        .secret_string(key_list(&[("powerbi-2027", NEXT_KEY)]))
        .send()
        .await
        .unwrap();
    let keys = source.keys_at(t0 + ttl * 2).await.unwrap();
    assert_eq!(keys.verify(PROD_KEY), None);
    assert_eq!(keys.verify(NEXT_KEY), Some("powerbi-2027"));

    // A secret that does not exist is named in the error.
    let missing = ApiKeySource::new(std::sync::Arc::new(client), "no-such-secret", ttl);
    let err = missing.keys().await.unwrap_err().to_string();
    assert!(err.contains("no-such-secret"), "{err}");
}
