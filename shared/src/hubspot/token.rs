//! The private-app token: `HUBSPOT_ACCESS_TOKEN` for local runs, otherwise the Secrets Manager
//! secret named by `HUBSPOT_TOKEN_SECRET_ID` (the token itself or `{"token": "..."}`), read
//! once per execution environment through the platform's [`SecretStore`].

use std::sync::Arc;

use secrecy::SecretString;

use super::error::HubSpotError;
use crate::aws::secrets::{SecretStore, TokenSource};

/// The variable holding the token directly (local runs).
pub const ACCESS_TOKEN_VARIABLE: &str = "HUBSPOT_ACCESS_TOKEN";
/// The variable holding the Secrets Manager secret id (name or ARN) of the token.
pub const SECRET_ID_VARIABLE: &str = "HUBSPOT_TOKEN_SECRET_ID";

/// Where the token comes from: the platform's [`TokenSource`] with HubSpot's variables and
/// errors. Clones share the cache; Debug never shows the token.
#[derive(Clone, Debug)]
pub struct HubSpotToken(TokenSource);

impl HubSpotToken {
    /// `HUBSPOT_ACCESS_TOKEN` when set and non-empty, else the secret named by
    /// `HUBSPOT_TOKEN_SECRET_ID` of the store `make_store` builds; neither →
    /// [`HubSpotError::Config`]. Nothing is fetched until [`HubSpotToken::token`].
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        make_store: impl FnOnce() -> Arc<dyn SecretStore>,
    ) -> Result<Self, HubSpotError> {
        TokenSource::from_variables(
            lookup,
            make_store,
            ACCESS_TOKEN_VARIABLE,
            SECRET_ID_VARIABLE,
        )
        .map(Self)
        .map_err(|_| HubSpotError::Config {
            variable: SECRET_ID_VARIABLE,
            reason: format!(
                "no HubSpot token configured: set it to the Secrets Manager secret holding \
                     the private-app token, or {ACCESS_TOKEN_VARIABLE} for local runs"
            ),
        })
    }

    /// A token given directly.
    pub fn fixed(token: SecretString) -> Self {
        Self(TokenSource::fixed(token))
    }

    /// The secret `secret_id` of `store`.
    pub fn from_store(store: Arc<dyn SecretStore>, secret_id: impl Into<String>) -> Self {
        Self(TokenSource::from_store(store, secret_id))
    }

    /// The token; the secret is fetched on the first successful call only.
    pub async fn token(&self) -> Result<SecretString, HubSpotError> {
        self.0.token().await.map_err(|e| HubSpotError::Config {
            variable: SECRET_ID_VARIABLE,
            reason: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::secrets::TokenError;
    use async_trait::async_trait;
    use secrecy::ExposeSecret;
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
