//! The private-app token: `HUBSPOT_ACCESS_TOKEN` for local runs, otherwise the Secrets Manager
//! secret named by `HUBSPOT_TOKEN_SECRET_ID` (the token itself or `{"token": "..."}`), read
//! once per execution environment through the platform's [`SecretStore`].

use std::fmt;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::OnceCell;

use super::error::HubSpotError;
use crate::aws::secrets::{parse_secret, SecretStore};

/// The variable holding the token directly (local runs).
pub const ACCESS_TOKEN_VARIABLE: &str = "HUBSPOT_ACCESS_TOKEN";
/// The variable holding the Secrets Manager secret id (name or ARN) of the token.
pub const SECRET_ID_VARIABLE: &str = "HUBSPOT_TOKEN_SECRET_ID";

/// Where the token comes from. Clones share the cache; Debug never shows the token.
#[derive(Clone)]
pub struct HubSpotToken {
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

impl fmt::Debug for HubSpotToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.source {
            Source::Fixed(_) => f.write_str("HubSpotToken::Fixed([REDACTED])"),
            Source::Store { secret_id, .. } => f
                .debug_struct("HubSpotToken::SecretsManager")
                .field("secret_id", secret_id)
                .finish(),
        }
    }
}

impl HubSpotToken {
    /// `HUBSPOT_ACCESS_TOKEN` when set and non-empty, else the secret named by
    /// `HUBSPOT_TOKEN_SECRET_ID` of the store `make_store` builds; neither →
    /// [`HubSpotError::Config`]. Nothing is fetched until [`HubSpotToken::token`].
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        make_store: impl FnOnce() -> Arc<dyn SecretStore>,
    ) -> Result<Self, HubSpotError> {
        let get = |k: &str| {
            lookup(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        if let Some(token) = get(ACCESS_TOKEN_VARIABLE) {
            return Ok(Self::fixed(SecretString::from(token)));
        }
        match get(SECRET_ID_VARIABLE) {
            Some(secret_id) => Ok(Self::from_store(make_store(), secret_id)),
            None => Err(HubSpotError::Config {
                variable: SECRET_ID_VARIABLE,
                reason: format!(
                    "no HubSpot token configured: set it to the Secrets Manager secret holding \
                     the private-app token, or {ACCESS_TOKEN_VARIABLE} for local runs"
                ),
            }),
        }
    }

    /// A token given directly.
    pub fn fixed(token: SecretString) -> Self {
        Self {
            source: Arc::new(Source::Fixed(token)),
        }
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

    /// The token; the secret is fetched on the first successful call only.
    pub async fn token(&self) -> Result<SecretString, HubSpotError> {
        match &*self.source {
            Source::Fixed(token) => Ok(token.clone()),
            Source::Store {
                store,
                secret_id,
                cached,
            } => cached
                .get_or_try_init(|| async {
                    let config = |reason: String| HubSpotError::Config {
                        variable: SECRET_ID_VARIABLE,
                        reason,
                    };
                    let raw = store
                        .secret_string(secret_id)
                        .await
                        .map_err(|e| config(e.to_string()))?;
                    parse_secret(raw.expose_secret())
                        .map_err(|reason| config(format!("secret {secret_id} {reason}")))
                })
                .await
                .cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::secrets::TokenError;
    use async_trait::async_trait;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const TOKEN: &str = "pat-na1-ZZ-secret-unit-do-not-print";

    struct FakeStore {
        fetches: AtomicUsize,
    }

    #[async_trait]
    impl SecretStore for FakeStore {
        async fn secret_string(&self, _secret_id: &str) -> Result<SecretString, TokenError> {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            Ok(SecretString::from(format!("{{\"token\": \"{TOKEN}\"}}")))
        }
    }

    #[tokio::test]
    async fn the_secret_is_read_once_and_never_shown() {
        let store = Arc::new(FakeStore {
            fetches: AtomicUsize::new(0),
        });
        let shared: Arc<dyn SecretStore> = store.clone();
        let env = |k: &str| (k == SECRET_ID_VARIABLE).then(|| "hubspot/token".to_owned());
        let token = HubSpotToken::from_lookup(env, || shared).unwrap();
        for _ in 0..3 {
            assert_eq!(token.token().await.unwrap().expose_secret(), TOKEN);
        }
        assert_eq!(store.fetches.load(Ordering::SeqCst), 1);
        assert!(!format!("{token:?}").contains(TOKEN));
    }

    #[test]
    fn the_local_token_wins_and_nothing_configured_is_an_error() {
        let env = |k: &str| (k == ACCESS_TOKEN_VARIABLE).then(|| TOKEN.to_owned());
        let token = HubSpotToken::from_lookup(env, || unreachable!()).unwrap();
        assert!(!format!("{token:?}").contains(TOKEN));
        let error = HubSpotToken::from_lookup(|_| None, || unreachable!()).unwrap_err();
        assert!(error.to_string().contains(SECRET_ID_VARIABLE));
    }
}
