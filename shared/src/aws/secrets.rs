//! The Intercom access token: `INTERCOM_ACCESS_TOKEN` for local runs, otherwise the Secrets
//! Manager secret named by `INTERCOM_TOKEN_SECRET_ID`, fetched once per process and reused by
//! every warm Lambda invocation.
//!
//! The secret string is the token itself or `{"token": "..."}`. The token is a
//! [`SecretString`] from the moment it is read; no error or log line carries it.
//!
//! Secrets Manager is reached through the SDK configuration `main` built, so `AWS_ENDPOINT_URL`
//! (e.g. a local moto server) and the region apply. A rotated token is picked up when Lambda
//! starts a new execution environment.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use aws_config::SdkConfig;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::OnceCell;

/// The variable holding a token directly (local runs).
pub const ACCESS_TOKEN_VARIABLE: &str = "INTERCOM_ACCESS_TOKEN";
/// The variable holding the Secrets Manager secret id (name or ARN) of the token.
pub const SECRET_ID_VARIABLE: &str = "INTERCOM_TOKEN_SECRET_ID";

/// Why no token could be had. Never holds the secret's value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error(
        "no Intercom access token configured: set {SECRET_ID_VARIABLE} to the Secrets Manager \
         secret holding it, or {ACCESS_TOKEN_VARIABLE} for local runs"
    )]
    NotConfigured,
    #[error(
        "reading Secrets Manager secret {secret_id}: {reason}; check that it exists in this \
         account and region and that the function's role may call secretsmanager:GetSecretValue \
         on it"
    )]
    Fetch { secret_id: String, reason: String },
    #[error(
        "Secrets Manager secret {secret_id} {reason}; store the token itself or \
         {{\"token\": \"<token>\"}} as the secret string"
    )]
    Malformed { secret_id: String, reason: String },
}

/// Where secret strings come from: Secrets Manager in production, a fake in tests.
#[async_trait]
pub trait SecretStore: Send + Sync {
    /// The current string value of `secret_id`.
    async fn secret_string(&self, secret_id: &str) -> Result<SecretString, TokenError>;
}

#[async_trait]
impl SecretStore for aws_sdk_secretsmanager::Client {
    async fn secret_string(&self, secret_id: &str) -> Result<SecretString, TokenError> {
        let output = self
            .get_secret_value()
            .secret_id(secret_id)
            .send()
            .await
            .map_err(|e| TokenError::Fetch {
                secret_id: secret_id.to_owned(),
                reason: aws_sdk_secretsmanager::error::DisplayErrorContext(&e).to_string(),
            })?;
        match output.secret_string() {
            Some(value) => Ok(SecretString::from(value)),
            None => Err(TokenError::Malformed {
                secret_id: secret_id.to_owned(),
                reason: "has no string value (a binary secret?)".into(),
            }),
        }
    }
}

/// The token, built once in `main` and shared by every handler. Clones share the cache.
#[derive(Clone)]
pub struct TokenSource {
    source: Arc<Source>,
}

enum Source {
    Fixed(SecretString),
    Store {
        store: Arc<dyn SecretStore>,
        secret_id: String,
        cached: OnceCell<SecretString>,
    },
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.source {
            Source::Fixed(_) => f.write_str("TokenSource::Fixed([REDACTED])"),
            Source::Store {
                secret_id, cached, ..
            } => f
                .debug_struct("TokenSource::SecretsManager")
                .field("secret_id", secret_id)
                .field("cached", &cached.initialized())
                .finish(),
        }
    }
}

impl TokenSource {
    /// `INTERCOM_ACCESS_TOKEN` when set and non-empty, else the secret named by
    /// `INTERCOM_TOKEN_SECRET_ID` read through `sdk`; neither → [`TokenError::NotConfigured`].
    /// Nothing is fetched until [`TokenSource::token`].
    pub async fn from_env(sdk: &SdkConfig) -> Result<Self, TokenError> {
        Self::from_lookup(
            |k| std::env::var(k).ok(),
            || Arc::new(aws_sdk_secretsmanager::Client::new(sdk)),
        )
    }

    /// As [`TokenSource::from_env`], with variables from `lookup` and the store made by
    /// `make_store` (called only when the secret id is used).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        make_store: impl FnOnce() -> Arc<dyn SecretStore>,
    ) -> Result<Self, TokenError> {
        Self::from_variables(
            lookup,
            make_store,
            ACCESS_TOKEN_VARIABLE,
            SECRET_ID_VARIABLE,
        )
    }

    /// A token of any API from its own pair of variables: `token_variable` (the token itself,
    /// local runs) when set and non-empty, else the secret named by `secret_id_variable`;
    /// neither → [`TokenError::NotConfigured`] (callers for other APIs name their variables in
    /// their own error).
    pub fn from_variables(
        lookup: impl Fn(&str) -> Option<String>,
        make_store: impl FnOnce() -> Arc<dyn SecretStore>,
        token_variable: &str,
        secret_id_variable: &str,
    ) -> Result<Self, TokenError> {
        let get = |k: &str| {
            lookup(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        if let Some(token) = get(token_variable) {
            return Ok(Self::fixed(SecretString::from(token)));
        }
        match get(secret_id_variable) {
            Some(secret_id) => Ok(Self::from_store(make_store(), secret_id)),
            None => Err(TokenError::NotConfigured),
        }
    }

    /// A token given directly.
    pub fn fixed(token: SecretString) -> Self {
        Self {
            source: Arc::new(Source::Fixed(token)),
        }
    }

    /// The secret `secret_id` in the Secrets Manager that `sdk` points at.
    pub fn secrets_manager(sdk: &SdkConfig, secret_id: impl Into<String>) -> Self {
        Self::from_store(
            Arc::new(aws_sdk_secretsmanager::Client::new(sdk)),
            secret_id,
        )
    }

    /// The secret `secret_id` of `store`.
    pub fn from_store(store: Arc<dyn SecretStore>, secret_id: impl Into<String>) -> Self {
        Self {
            source: Arc::new(Source::Store {
                store,
                secret_id: secret_id.into(),
                cached: OnceCell::new(),
            }),
        }
    }

    /// The token. The secret is fetched on the first call only; a failed fetch is not cached,
    /// so the next call tries again.
    pub async fn token(&self) -> Result<SecretString, TokenError> {
        match &*self.source {
            Source::Fixed(token) => Ok(token.clone()),
            Source::Store {
                store,
                secret_id,
                cached,
            } => cached
                .get_or_try_init(|| async {
                    let raw = store.secret_string(secret_id).await?;
                    let token = parse_secret(raw.expose_secret()).map_err(|reason| {
                        TokenError::Malformed {
                            secret_id: secret_id.clone(),
                            reason: reason.to_owned(),
                        }
                    })?;
                    tracing::info!(%secret_id, "read the access token from Secrets Manager");
                    Ok(token)
                })
                .await
                .cloned(),
        }
    }
}

/// The token from the environment (see [`TokenSource::from_env`]), cached for the life of the
/// process: later calls return it without reading the environment or Secrets Manager again.
pub async fn intercom_token(sdk: &SdkConfig) -> Result<SecretString, TokenError> {
    static SOURCE: OnceCell<TokenSource> = OnceCell::const_new();
    SOURCE
        .get_or_try_init(|| TokenSource::from_env(sdk))
        .await?
        .token()
        .await
}

/// A secret string as a token: `{"token": "<token>"}` or the token itself, trimmed. The error
/// says what is wrong without quoting the value.
pub fn parse_secret(raw: &str) -> Result<SecretString, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("is empty");
    }
    if !raw.starts_with('{') {
        return Ok(SecretString::from(raw));
    }
    let value: serde_json::Value =
        serde_json::from_str(raw).map_err(|_| "starts with '{' but is not valid JSON")?;
    match value.get("token").and_then(|t| t.as_str()).map(str::trim) {
        Some(token) if !token.is_empty() => Ok(SecretString::from(token)),
        _ => Err("is a JSON object without a non-empty \"token\" string"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const TOKEN: &str = "dG9rOjEyMzQ1Njc4OTA=-distinctive";

    struct FakeStore {
        value: String,
        fetches: AtomicUsize,
    }

    #[async_trait]
    impl SecretStore for FakeStore {
        async fn secret_string(&self, _secret_id: &str) -> Result<SecretString, TokenError> {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            Ok(SecretString::from(self.value.as_str()))
        }
    }

    fn store(value: &str) -> Arc<FakeStore> {
        Arc::new(FakeStore {
            value: value.into(),
            fetches: AtomicUsize::new(0),
        })
    }

    fn source(vars: &[(&str, &str)], store: Arc<FakeStore>) -> Result<TokenSource, TokenError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        TokenSource::from_lookup(|k| vars.get(k).cloned(), move || store)
    }

    #[test]
    fn plain_and_json_secrets_parse() {
        for raw in [
            TOKEN.to_string(),
            format!("  {TOKEN}\n"),
            format!(r#"{{"token": "{TOKEN}"}}"#),
        ] {
            assert_eq!(parse_secret(&raw).unwrap().expose_secret(), TOKEN, "{raw}");
        }
        for raw in [
            "",
            "  ",
            "{",
            r#"{"token": ""}"#,
            r#"{"access": "x"}"#,
            r#"{"token": 5}"#,
        ] {
            assert!(parse_secret(raw).is_err(), "{raw}");
        }
    }

    #[tokio::test]
    async fn override_wins_over_the_secret() {
        let fake = store("from-secrets-manager");
        let source = source(
            &[
                (ACCESS_TOKEN_VARIABLE, TOKEN),
                (SECRET_ID_VARIABLE, "prod/intercom"),
            ],
            fake.clone(),
        )
        .unwrap();
        assert_eq!(source.token().await.unwrap().expose_secret(), TOKEN);
        assert_eq!(fake.fetches.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn secret_is_fetched_once_and_json_unwrapped() {
        let fake = store(&format!(r#"{{"token":"{TOKEN}"}}"#));
        let source = source(
            &[
                (ACCESS_TOKEN_VARIABLE, " "),
                (SECRET_ID_VARIABLE, "prod/intercom"),
            ],
            fake.clone(),
        )
        .unwrap();
        for _ in 0..3 {
            assert_eq!(source.clone().token().await.unwrap().expose_secret(), TOKEN);
        }
        assert_eq!(fake.fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn errors_name_the_variables_and_never_the_value() {
        let err = source(&[], store("x")).unwrap_err();
        assert_eq!(err, TokenError::NotConfigured);
        let text = err.to_string();
        assert!(
            text.contains(SECRET_ID_VARIABLE) && text.contains(ACCESS_TOKEN_VARIABLE),
            "{text}"
        );

        let bad = format!(r#"{{"tok": "{TOKEN}"}}"#);
        let source = source(&[(SECRET_ID_VARIABLE, "prod/intercom")], store(&bad)).unwrap();
        let err = source.token().await.unwrap_err();
        assert!(
            matches!(&err, TokenError::Malformed { secret_id, .. } if secret_id == "prod/intercom")
        );
        assert!(!err.to_string().contains(TOKEN) && !format!("{err:?}").contains(TOKEN));
        assert!(!format!("{source:?}").contains(TOKEN));
        assert!(!format!("{:?}", TokenSource::fixed(TOKEN.into())).contains(TOKEN));
    }
}
