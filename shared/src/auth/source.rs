//! Where the authorizer gets the key list: the Secrets Manager secret named by
//! `REPORT_API_KEYS_SECRET_ID`, cached per warm execution environment for a short time
//! (`REPORT_API_KEYS_CACHE_SECONDS`, default 300) so that a rotated list is picked up within
//! minutes without a redeploy.
//!
//! When a refresh fails (Secrets Manager unreachable, or a malformed or deleted secret after a
//! bad edit), the last list that parsed keeps being used for at most [`MAX_STALE_USE`] past its
//! refresh time, and the failure is logged as an error. After that, or with no list read yet, the
//! failure is the caller's error: the authorizer fails, API Gateway answers 500 (never 200), and
//! the function's errors raise the alarm. So a revoked key cannot stay valid for long on a list
//! that can no longer be refreshed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use secrecy::ExposeSecret;
use tokio::sync::Mutex;

use super::keys::{ApiKeys, KeyListError};
use crate::aws::secrets::{SecretStore, TokenError};

/// The variable holding the Secrets Manager secret id (name or ARN) of the key list.
pub const SECRET_ID_VARIABLE: &str = "REPORT_API_KEYS_SECRET_ID";
/// The variable holding the cache lifetime in seconds (optional).
pub const CACHE_SECONDS_VARIABLE: &str = "REPORT_API_KEYS_CACHE_SECONDS";
/// How long a fetched key list is used before it is read again.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(300);
/// How long past its refresh time the last good list is still used while refreshes fail.
pub const MAX_STALE_USE: Duration = Duration::from_secs(15 * 60);

/// Why no key list could be had. Never holds a key or a hash.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ApiKeysError {
    #[error(
        "no report API key list configured: set {SECRET_ID_VARIABLE} to the Secrets Manager \
         secret holding the hashed keys"
    )]
    NotConfigured,
    #[error("{CACHE_SECONDS_VARIABLE} must be a whole number of seconds (0 disables the cache)")]
    InvalidCacheSeconds,
    #[error(
        "reading Secrets Manager secret {secret_id}: {reason}; check that it exists in this \
         account and region and that the authorizer's role may call \
         secretsmanager:GetSecretValue on it"
    )]
    Fetch { secret_id: String, reason: String },
    #[error(
        "Secrets Manager secret {secret_id} is not a report API key list: {error}; expected \
         {{\"keys\": [{{\"name\": \"...\", \"sha256\": \"<64 hex digits>\"}}]}}"
    )]
    Malformed {
        secret_id: String,
        error: KeyListError,
    },
}

/// The key list, built once in `main` and shared by every invocation of a warm environment.
pub struct ApiKeySource {
    store: Arc<dyn SecretStore>,
    secret_id: String,
    ttl: Duration,
    cache: Mutex<Option<Cached>>,
}

struct Cached {
    keys: Arc<ApiKeys>,
    fetched_at: Instant,
}

impl std::fmt::Debug for ApiKeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeySource")
            .field("secret_id", &self.secret_id)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl ApiKeySource {
    /// The secret named by `REPORT_API_KEYS_SECRET_ID`, read through `sdk`, cached for
    /// `REPORT_API_KEYS_CACHE_SECONDS` (default 300). Nothing is fetched until [`Self::keys`].
    pub fn from_env(sdk: &SdkConfig) -> Result<Self, ApiKeysError> {
        Self::from_lookup(
            |k| std::env::var(k).ok(),
            || Arc::new(aws_sdk_secretsmanager::Client::new(sdk)),
        )
    }

    /// As [`Self::from_env`], with variables from `lookup` and the store made by `make_store`.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        make_store: impl FnOnce() -> Arc<dyn SecretStore>,
    ) -> Result<Self, ApiKeysError> {
        let get = |k: &str| {
            lookup(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let secret_id = get(SECRET_ID_VARIABLE).ok_or(ApiKeysError::NotConfigured)?;
        let ttl = match get(CACHE_SECONDS_VARIABLE) {
            None => DEFAULT_CACHE_TTL,
            Some(text) => Duration::from_secs(
                text.parse()
                    .map_err(|_| ApiKeysError::InvalidCacheSeconds)?,
            ),
        };
        Ok(Self::new(make_store(), secret_id, ttl))
    }

    /// The secret `secret_id` of `store`, cached for `ttl`.
    pub fn new(store: Arc<dyn SecretStore>, secret_id: impl Into<String>, ttl: Duration) -> Self {
        Self {
            store,
            secret_id: secret_id.into(),
            ttl,
            cache: Mutex::new(None),
        }
    }

    /// The current key list (see the module docs for caching and failures).
    pub async fn keys(&self) -> Result<Arc<ApiKeys>, ApiKeysError> {
        self.keys_at(Instant::now()).await
    }

    /// [`Self::keys`] with the clock passed in: the list is read again when `now` is `ttl` or
    /// more after the last successful read.
    pub async fn keys_at(&self, now: Instant) -> Result<Arc<ApiKeys>, ApiKeysError> {
        // Held across the fetch: concurrent callers wait for one read instead of racing.
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref() {
            if now.saturating_duration_since(cached.fetched_at) < self.ttl {
                return Ok(cached.keys.clone());
            }
        }
        match self.fetch().await {
            Ok(keys) => {
                let keys = Arc::new(keys);
                tracing::info!(
                    secret_id = %self.secret_id,
                    active_keys = keys.active_names().count(),
                    "read the report API key list from Secrets Manager"
                );
                *cache = Some(Cached {
                    keys: keys.clone(),
                    fetched_at: now,
                });
                Ok(keys)
            }
            Err(error) => match cache.as_ref() {
                // Not re-stamped: the next call tries again.
                Some(stale)
                    if now.saturating_duration_since(stale.fetched_at)
                        < self.ttl + MAX_STALE_USE =>
                {
                    tracing::error!(%error, "cannot refresh the report API key list; using the last one read");
                    Ok(stale.keys.clone())
                }
                Some(_) => {
                    tracing::error!(
                        %error,
                        "cannot refresh the report API key list and the last one read is too old \
                         to trust; refusing every request until the secret can be read"
                    );
                    Err(error)
                }
                None => Err(error),
            },
        }
    }

    async fn fetch(&self) -> Result<ApiKeys, ApiKeysError> {
        let raw = self
            .store
            .secret_string(&self.secret_id)
            .await
            .map_err(|e| match e {
                TokenError::Fetch { reason, .. } => ApiKeysError::Fetch {
                    secret_id: self.secret_id.clone(),
                    reason,
                },
                TokenError::Malformed { .. } | TokenError::NotConfigured => {
                    ApiKeysError::Malformed {
                        secret_id: self.secret_id.clone(),
                        error: KeyListError {
                            path: "secret string".into(),
                            reason: "is missing (a binary secret?)".into(),
                        },
                    }
                }
            })?;
        ApiKeys::parse(raw.expose_secret()).map_err(|error| ApiKeysError::Malformed {
            secret_id: self.secret_id.clone(),
            error,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::keys::hash_key;
    use async_trait::async_trait;
    use secrecy::SecretString;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex as StdMutex;

    /// A secret whose value the test changes; `None` = the fetch fails.
    struct FakeStore {
        value: StdMutex<Option<String>>,
        fetches: AtomicUsize,
    }

    #[async_trait]
    impl SecretStore for FakeStore {
        async fn secret_string(&self, secret_id: &str) -> Result<SecretString, TokenError> {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            match self.value.lock().unwrap().clone() {
                Some(v) => Ok(SecretString::from(v)),
                None => Err(TokenError::Fetch {
                    secret_id: secret_id.into(),
                    reason: "service unavailable".into(),
                }),
            }
        }
    }

    impl FakeStore {
        fn new(value: Option<String>) -> Arc<Self> {
            Arc::new(Self {
                value: StdMutex::new(value),
                fetches: AtomicUsize::new(0),
            })
        }
        fn set(&self, value: Option<String>) {
            *self.value.lock().unwrap() = value;
        }
        fn fetches(&self) -> usize {
            self.fetches.load(Ordering::SeqCst)
        }
    }

    fn list(entries: &[(&str, &str)]) -> String {
        let keys: Vec<_> = entries
            .iter()
            .map(|(n, k)| serde_json::json!({"name": n, "sha256": hash_key(k)}))
            .collect();
        serde_json::json!({ "keys": keys }).to_string()
    }

    fn source(vars: &[(&str, &str)], store: Arc<FakeStore>) -> Result<ApiKeySource, ApiKeysError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ApiKeySource::from_lookup(|k| vars.get(k).cloned(), move || store)
    }

    #[test]
    fn configuration_comes_from_the_environment() {
        let store = FakeStore::new(None);
        assert_eq!(
            source(&[], store.clone()).unwrap_err(),
            ApiKeysError::NotConfigured
        );
        assert!(ApiKeysError::NotConfigured
            .to_string()
            .contains(SECRET_ID_VARIABLE));
        let s = source(&[(SECRET_ID_VARIABLE, " report/keys ")], store.clone()).unwrap();
        assert_eq!(
            (s.secret_id.as_str(), s.ttl),
            ("report/keys", DEFAULT_CACHE_TTL)
        );
        let s = source(
            &[(SECRET_ID_VARIABLE, "k"), (CACHE_SECONDS_VARIABLE, "60")],
            store.clone(),
        )
        .unwrap();
        assert_eq!(s.ttl, Duration::from_secs(60));
        assert_eq!(
            source(
                &[(SECRET_ID_VARIABLE, "k"), (CACHE_SECONDS_VARIABLE, "5m")],
                store
            )
            .unwrap_err(),
            ApiKeysError::InvalidCacheSeconds
        );
    }

    #[tokio::test]
    async fn the_list_is_cached_for_the_ttl_then_read_again() {
        let store = FakeStore::new(Some(list(&[("old", "key-1")])));
        let source = ApiKeySource::new(store.clone(), "keys", Duration::from_secs(300));
        let t0 = Instant::now();
        assert_eq!(
            source.keys_at(t0).await.unwrap().verify("key-1"),
            Some("old")
        );

        // Rotation: the new list is not seen until the cache expires.
        store.set(Some(list(&[("old", "key-1"), ("new", "key-2")])));
        let at = t0 + Duration::from_secs(299);
        assert_eq!(source.keys_at(at).await.unwrap().verify("key-2"), None);
        assert_eq!(store.fetches(), 1);

        let at = t0 + Duration::from_secs(300);
        let keys = source.keys_at(at).await.unwrap();
        assert_eq!(keys.verify("key-2"), Some("new"));
        assert_eq!(keys.verify("key-1"), Some("old"));
        assert_eq!(store.fetches(), 2);
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_the_last_list_and_retries() {
        let store = FakeStore::new(Some(list(&[("a", "key-1")])));
        let source = ApiKeySource::new(store.clone(), "keys", Duration::from_secs(60));
        let t0 = Instant::now();
        source.keys_at(t0).await.unwrap();

        store.set(Some("{ broken".into()));
        let t1 = t0 + Duration::from_secs(61);
        assert_eq!(source.keys_at(t1).await.unwrap().verify("key-1"), Some("a"));
        store.set(None);
        assert_eq!(source.keys_at(t1).await.unwrap().verify("key-1"), Some("a"));
        assert_eq!(store.fetches(), 3, "each call after expiry tries again");

        store.set(Some(list(&[("b", "key-2")])));
        let keys = source.keys_at(t1).await.unwrap();
        assert_eq!(
            (keys.verify("key-1"), keys.verify("key-2")),
            (None, Some("b"))
        );
    }

    #[tokio::test]
    async fn a_list_that_cannot_be_refreshed_stops_being_trusted_after_the_cap() {
        let store = FakeStore::new(Some(list(&[("revoked-later", "key-1")])));
        let ttl = Duration::from_secs(60);
        let source = ApiKeySource::new(store.clone(), "keys", ttl);
        let t0 = Instant::now();
        source.keys_at(t0).await.unwrap();
        // The secret is deleted (or broken) to revoke the key.
        store.set(None);
        let just_inside = t0 + ttl + MAX_STALE_USE - Duration::from_secs(1);
        assert_eq!(
            source.keys_at(just_inside).await.unwrap().verify("key-1"),
            Some("revoked-later")
        );
        let past = t0 + ttl + MAX_STALE_USE;
        assert!(matches!(
            source.keys_at(past).await.unwrap_err(),
            ApiKeysError::Fetch { .. }
        ));
        // A readable secret again: trusted again.
        store.set(Some(list(&[("fresh", "key-2")])));
        assert_eq!(
            source.keys_at(past).await.unwrap().verify("key-2"),
            Some("fresh")
        );
    }

    #[tokio::test]
    async fn without_a_list_the_failure_is_returned_naming_the_secret() {
        let store = FakeStore::new(None);
        let source = ApiKeySource::new(store.clone(), "prod/report-keys", DEFAULT_CACHE_TTL);
        let err = source.keys().await.unwrap_err();
        assert!(matches!(err, ApiKeysError::Fetch { .. }));
        assert!(err.to_string().contains("prod/report-keys"), "{err}");

        store.set(Some(
            r#"{"keys": [{"name": "a", "sha256": "my-plain-key"}]}"#.into(),
        ));
        let err = source.keys().await.unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("prod/report-keys") && text.contains("keys[0].sha256"),
            "{text}"
        );
        assert!(!text.contains("my-plain-key") && !format!("{err:?}").contains("my-plain-key"));
        assert!(!format!("{source:?}").contains("my-plain-key"));
    }
}
