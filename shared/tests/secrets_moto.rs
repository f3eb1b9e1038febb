//! The token from a real Secrets Manager API, served by a local moto server.
//!
//! Needs `AWS_ENDPOINT_URL` pointing at a moto server: `make test` runs the tests through
//! `infra/scripts/with-moto.sh`, which starts one. Without it the test fails and says so.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_secretsmanager::config::Credentials;
use secrecy::ExposeSecret;
use shared::aws::secrets::TokenSource;

async fn sdk(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .load()
        .await
}

#[tokio::test]
async fn token_is_read_from_secrets_manager_once() {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect(
        "AWS_ENDPOINT_URL is not set: run through `make test` (infra/scripts/with-moto.sh starts moto)",
    );
    let sdk = sdk(&endpoint).await;
    let client = aws_sdk_secretsmanager::Client::new(&sdk);
    let id = format!("intercom-token-test-{}", std::process::id());
    client
        .create_secret()
        .name(&id)
        .secret_string(r#"{"token": "moto-token-value"}"#)
        .send()
        .await
        .unwrap();

    let source = TokenSource::secrets_manager(&sdk, &id);
    assert_eq!(
        source.token().await.unwrap().expose_secret(),
        "moto-token-value"
    );

    // Cached: the secret is no longer needed once read.
    client
        .delete_secret()
        .secret_id(&id)
        .force_delete_without_recovery(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        source.token().await.unwrap().expose_secret(),
        "moto-token-value"
    );

    // A fresh source sees that it is gone, and says which secret.
    let err = TokenSource::secrets_manager(&sdk, &id)
        .token()
        .await
        .unwrap_err();
    assert!(err.to_string().contains(&id), "{err}");

    // The way `main` builds it: SDK configuration and token source from the environment alone,
    // with AWS_ENDPOINT_URL pointing at moto. This is the only test in this binary, so setting
    // variables cannot race another test.
    let plain_id = format!("{id}-plain");
    client
        .create_secret()
        .name(&plain_id)
        .secret_string("plain-moto-token\n")
        .send()
        .await
        .unwrap();
    for (k, v) in [
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("INTERCOM_TOKEN_SECRET_ID", plain_id.as_str()),
    ] {
        std::env::set_var(k, v);
    }
    std::env::remove_var("INTERCOM_ACCESS_TOKEN");
    let from_env = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let source = TokenSource::from_env(&from_env).await.unwrap();
    assert_eq!(
        source.token().await.unwrap().expose_secret(),
        "plain-moto-token"
    );
}
