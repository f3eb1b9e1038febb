//! One HubSpot request: the token, the rate-limit gates (the 10-second budget read from
//! `X-HubSpot-RateLimit-*`, search paced to [`HubSpotConfig::search_interval`], a 429's
//! `policyName`), retries with backoff, and the error body kept.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;
use tokio::time::Instant;
use url::Url;

use super::error::{api_error, HubSpotError};
use super::token::HubSpotToken;

/// `HUBSPOT_API_BASE` when unset.
pub const DEFAULT_API_BASE: &str = "https://api.hubapi.com";

/// Requests kept in reserve of the 10-second budget: at `Remaining` ≤ this, requests hold.
const BUDGET_RESERVE: u64 = 2;

/// How the client talks to HubSpot.
#[derive(Clone, Debug)]
pub struct HubSpotConfig {
    /// `HUBSPOT_API_BASE` (default [`DEFAULT_API_BASE`]).
    pub base_url: String,
    pub token: HubSpotToken,
    /// Per-request timeout (30 s).
    pub timeout: Duration,
    /// Retries after the first attempt (5).
    pub max_retries: u32,
    /// First backoff delay (200 ms), doubling (with jitter) up to `max_delay` (10 s).
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Shortest gap between two search requests: 250 ms, at most 4 a second (§8; HubSpot
    /// allows 5).
    pub search_interval: Duration,
    /// How long to hold every request after a `TEN_SECONDLY_ROLLING` 429 (10 s).
    pub rolling_window: Duration,
    /// How long to hold after a `SECONDLY` (search) 429 (1 s).
    pub secondly_window: Duration,
}

impl HubSpotConfig {
    /// Defaults around `base_url` and `token`.
    pub fn new(base_url: impl Into<String>, token: HubSpotToken) -> Self {
        Self {
            base_url: base_url.into(),
            token,
            timeout: Duration::from_secs(30),
            max_retries: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            search_interval: Duration::from_millis(250),
            rolling_window: Duration::from_secs(10),
            secondly_window: Duration::from_secs(1),
        }
    }
}

/// A client of one HubSpot portal. Cheap to clone: clones share the connection pool, the token
/// cache and the rate-limit gates.
#[derive(Clone)]
pub struct HubSpotClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    config: HubSpotConfig,
    /// No request before this instant (a 429, or the 10-second budget near its end).
    hold_until: Mutex<Option<Instant>>,
    /// No search before this instant.
    next_search: Mutex<Instant>,
}

impl fmt::Debug for HubSpotClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubSpotClient")
            .field("base_url", &self.inner.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl HubSpotClient {
    /// Builds the client; sends nothing. Fails on an unusable base URL.
    pub fn new(config: HubSpotConfig) -> Result<Self, HubSpotError> {
        let base_url = Url::parse(config.base_url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| HubSpotError::Config {
                variable: "HUBSPOT_API_BASE",
                reason: format!("{:?} is not an http(s) URL", config.base_url),
            })?;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(config.timeout)
            .build()
            .map_err(|e| HubSpotError::Config {
                variable: "HUBSPOT_API_BASE",
                reason: format!("building the HTTP client: {e}"),
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url,
                config,
                hold_until: Mutex::new(None),
                next_search: Mutex::new(Instant::now()),
            }),
        })
    }

    /// The base URL with `path` (e.g. `/crm/v3/objects/contacts/search`) appended.
    pub(super) fn url(&self, path: &str) -> Url {
        let mut url = self.inner.base_url.clone();
        let base = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base}{path}"));
        url
    }

    /// One logical request with retries; 2xx bodies decoded as `T`. `search` requests are
    /// paced. A 207 is a success here: batch callers read its `errors`.
    pub(super) async fn request<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
        search: bool,
    ) -> Result<T, HubSpotError> {
        let token = self.inner.config.token.token().await?;
        let attempts = AtomicU32::new(0);
        let c = &self.inner.config;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(c.base_delay)
            .with_max_delay(c.max_delay)
            .with_max_times(c.max_retries as usize)
            .with_jitter();
        let result = (|| {
            attempts.fetch_add(1, Ordering::Relaxed);
            self.attempt(&method, &url, body, search, &token)
        })
        .retry(backoff)
        .when(HubSpotError::is_retryable)
        .notify(|error, delay| {
            tracing::warn!(
                %method,
                path = url.path(),
                delay_ms = delay.as_millis() as u64,
                %error,
                "retrying HubSpot request"
            );
        })
        .await;
        result.map_err(|last| {
            if last.is_retryable() {
                HubSpotError::RetriesExhausted {
                    attempts: attempts.load(Ordering::Relaxed),
                    last: Box::new(last),
                }
            } else {
                last
            }
        })
    }

    async fn wait_for_gates(&self, search: bool) {
        let hold = *self.inner.hold_until.lock().await;
        if let Some(until) = hold {
            tokio::time::sleep_until(until).await;
        }
        if search {
            let slot = {
                let mut next = self.inner.next_search.lock().await;
                let slot = (*next).max(Instant::now());
                *next = slot + self.inner.config.search_interval;
                slot
            };
            tokio::time::sleep_until(slot).await;
        }
    }

    async fn hold_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut hold = self.inner.hold_until.lock().await;
        if hold.is_none_or(|h| h < until) {
            *hold = Some(until);
        }
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&serde_json::Value>,
        search: bool,
        token: &SecretString,
    ) -> Result<T, HubSpotError> {
        self.wait_for_gates(search).await;
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret().trim()))
            .map_err(|_| HubSpotError::Config {
            variable: super::token::SECRET_ID_VARIABLE,
            reason: "the HubSpot token has characters an HTTP header cannot carry".into(),
        })?;
        auth.set_sensitive(true);
        let mut request = self
            .inner
            .http
            .request(method.clone(), url.clone())
            .header(AUTHORIZATION, auth);
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let path = url.path();
        let transport = |e: reqwest::Error| HubSpotError::Transport {
            method: method.to_string(),
            path: path.to_owned(),
            reason: scrub(token, e.to_string()),
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let number = |name: &str| header(name).and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(remaining) = number("x-hubspot-ratelimit-remaining") {
            if remaining <= BUDGET_RESERVE {
                // The window is rolling: a tenth of it frees a share of the budget.
                let interval = number("x-hubspot-ratelimit-interval-milliseconds")
                    .map(Duration::from_millis)
                    .unwrap_or(self.inner.config.rolling_window);
                let wait = interval / 10;
                tracing::info!(
                    remaining,
                    wait_ms = wait.as_millis() as u64,
                    "HubSpot 10-second budget low; holding requests"
                );
                self.hold_for(wait).await;
            }
        }
        let bytes = response.bytes().await.map_err(transport)?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|e| HubSpotError::Decode {
                method: method.to_string(),
                path: path.to_owned(),
                reason: scrub(token, e.to_string()),
            });
        }
        let correlation = header("x-hubspot-correlation-id").map(|c| scrub(token, c));
        let error = match api_error(status, method.as_str(), path, &bytes, correlation) {
            HubSpotError::Api {
                status,
                method,
                path,
                category,
                message,
                correlation_id,
                policy_name,
                mut errors,
            } => {
                for e in &mut errors {
                    e.message = scrub(token, std::mem::take(&mut e.message));
                }
                HubSpotError::Api {
                    status,
                    method,
                    path,
                    category: scrub(token, category),
                    message: scrub(token, message),
                    correlation_id: correlation_id.map(|c| scrub(token, c)),
                    policy_name,
                    errors,
                }
            }
            other => other,
        };
        if status == 429 {
            match error.policy_name() {
                Some("DAILY") => {}
                Some("SECONDLY") => self.hold_for(self.inner.config.secondly_window).await,
                _ => self.hold_for(self.inner.config.rolling_window).await,
            }
        }
        tracing::info!(
            %method,
            path,
            status,
            category = error.category(),
            correlation_id = error.correlation_id(),
            policy_name = error.policy_name(),
            "HubSpot request failed"
        );
        Err(error)
    }
}

/// Removes the token from text that came from the network.
fn scrub(token: &SecretString, text: String) -> String {
    let token = token.expose_secret().trim();
    if !token.is_empty() && text.contains(token) {
        text.replace(token, "[REDACTED]")
    } else {
        text
    }
}
