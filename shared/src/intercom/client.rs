//! The HTTP client of Intercom's REST API: authentication, one request with its retries and
//! rate-limit gate, and the endpoints the product uses (search lives in `search.rs`).

use std::error::Error as _;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use url::Url;

use super::client_config::{parse_base_url, ClientConfig};
use super::error::{api_error, IntercomError, TransportKind};
use super::models::{Admin, Contact, Conversation, CustomAttributes, DataAttribute};
use super::rate_limit::{RateLimitHeaders, RateLimiter};
use super::retry::RetryPolicy;
use super::stats::{ClientStats, StatsCounters};

/// Where the token comes from, for errors about it.
const TOKEN_VARIABLES: &str = "INTERCOM_TOKEN_SECRET_ID / INTERCOM_ACCESS_TOKEN";

/// A client of one Intercom workspace. Cheap to clone: clones share the connection pool, the
/// rate-limit gate and the [`ClientStats`] counters.
#[derive(Clone)]
pub struct IntercomClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    version: String,
    /// Kept only to scrub it out of anything Intercom echoes back.
    token: SecretString,
    retry: RetryPolicy,
    limiter: RateLimiter,
    stats: StatsCounters,
}

impl fmt::Debug for IntercomClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntercomClient")
            .field("base_url", &self.inner.base_url.as_str())
            .field("version", &self.inner.version)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct AdminList {
    admins: Vec<Admin>,
}

#[derive(Deserialize)]
struct DataAttributeList {
    data: Vec<DataAttribute>,
}

impl IntercomClient {
    /// Builds the client; sends nothing. Fails on a token that cannot be a header value or an
    /// unusable base URL or version.
    pub fn new(config: ClientConfig) -> Result<Self, IntercomError> {
        let base_url =
            parse_base_url(config.base_url.as_str()).map_err(|reason| IntercomError::Config {
                variable: "INTERCOM_API_BASE",
                reason,
            })?;
        let token_error = |reason: &str| IntercomError::Config {
            variable: TOKEN_VARIABLES,
            reason: reason.to_owned(),
        };
        let raw_token = config.token.expose_secret().trim();
        if raw_token.is_empty() {
            return Err(token_error("the Intercom access token is empty"));
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {raw_token}")).map_err(|_| {
            token_error(
                "the Intercom access token has characters an HTTP header cannot carry; check \
                 the stored value",
            )
        })?;
        auth.set_sensitive(true);
        let version =
            HeaderValue::from_str(&config.version).map_err(|_| IntercomError::Config {
                variable: "INTERCOM_VERSION",
                reason: format!("{:?} cannot be sent as a header", config.version),
            })?;

        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert("Intercom-Version", version);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(config.timeout)
            .user_agent(concat!("coaching-analytics/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| IntercomError::Transport {
                method: String::new(),
                path: "(building the HTTP client)".into(),
                kind: TransportKind::Other,
                reason: error_chain(&e),
            })?;

        Ok(Self {
            inner: Arc::new(Inner {
                http,
                retry: config.retry_policy(),
                base_url,
                version: config.version,
                token: config.token,
                limiter: RateLimiter::default(),
                stats: StatsCounters::default(),
            }),
        })
    }

    /// `GET /contacts/{id}`.
    pub async fn get_contact(&self, id: &str) -> Result<Contact, IntercomError> {
        let url = self.url(&["contacts", non_empty(id, "contact id")?]);
        self.request(Method::GET, url, None).await
    }

    /// `PUT /contacts/{id}` with body `{"custom_attributes": attrs}`: pass only the attributes
    /// that change. Returns the updated contact.
    pub async fn update_contact(
        &self,
        id: &str,
        attrs: &CustomAttributes,
    ) -> Result<Contact, IntercomError> {
        let url = self.url(&["contacts", non_empty(id, "contact id")?]);
        let body = serde_json::to_vec(&serde_json::json!({ "custom_attributes": attrs }))
            .expect("a JSON map serializes");
        self.request(Method::PUT, url, Some(body)).await
    }

    /// `PUT /contacts/{id}` with `{"custom_attributes": attrs}` that never writes twice: when an
    /// attempt fails in a way that may have been applied (a 5xx, a timeout, a cut connection),
    /// the contact is read back (`GET /contacts/{id}`) before the next attempt, and the update
    /// counts as done when the contact already holds every value of `attrs`. Retries, backoff
    /// and errors as [`IntercomClient::update_contact`].
    pub async fn update_contact_once(
        &self,
        id: &str,
        attrs: &CustomAttributes,
    ) -> Result<(), IntercomError> {
        let url = self.url(&["contacts", non_empty(id, "contact id")?]);
        let body = serde_json::to_vec(&serde_json::json!({ "custom_attributes": attrs }))
            .expect("a JSON map serializes");
        let (url, body) = (&url, body.as_slice());
        self.inner
            .retry
            .run(
                |attempt| async move {
                    if attempt > 1 {
                        let stored: Result<Contact, _> =
                            self.attempt(&Method::GET, url, None, attempt).await;
                        match stored {
                            Ok(contact) if holds(&contact, attrs) => {
                                tracing::info!(
                                    path = url.path(),
                                    attempt,
                                    "the earlier attempt was applied; not writing again"
                                );
                                return Ok(());
                            }
                            Ok(_) => {}
                            Err(error) => return Err(error),
                        }
                    }
                    self.attempt::<Contact>(&Method::PUT, url, Some(body), attempt)
                        .await
                        .map(|_| ())
                },
                |error, delay, attempt| self.note_retry(&Method::PUT, url, error, delay, attempt),
            )
            .await
    }

    /// `GET /data_attributes?model=contact`: the contact attributes, standard and custom.
    pub async fn contact_data_attributes(&self) -> Result<Vec<DataAttribute>, IntercomError> {
        let mut url = self.url(&["data_attributes"]);
        url.query_pairs_mut().append_pair("model", "contact");
        let list: DataAttributeList = self.request(Method::GET, url, None).await?;
        Ok(list.data)
    }

    /// `GET /admins`: the workspace's admins (coaches).
    pub async fn list_admins(&self) -> Result<Vec<Admin>, IntercomError> {
        let list: AdminList = self
            .request(Method::GET, self.url(&["admins"]), None)
            .await?;
        Ok(list.admins)
    }

    /// `GET /me`: the workspace's time zone (`app.timezone`, an IANA name), the zone in which
    /// search matches dates by calendar day; `None` when Intercom does not say.
    pub async fn workspace_time_zone(&self) -> Result<Option<String>, IntercomError> {
        let me: serde_json::Value = self.request(Method::GET, self.url(&["me"]), None).await?;
        Ok(me
            .pointer("/app/timezone")
            .and_then(serde_json::Value::as_str)
            .map(str::to_string))
    }

    /// `GET /conversations/{id}`.
    pub async fn get_conversation(&self, id: &str) -> Result<Conversation, IntercomError> {
        let url = self.url(&["conversations", non_empty(id, "conversation id")?]);
        self.request(Method::GET, url, None).await
    }

    /// A client for a new invocation: the same HTTP client (its connection pool, TLS sessions,
    /// token and headers) with fresh counters and a fresh rate-limit gate. Built once per warm
    /// Lambda environment, a client is renewed this way for each invocation.
    pub fn renewed(&self) -> Self {
        let inner = &*self.inner;
        Self {
            inner: Arc::new(Inner {
                http: inner.http.clone(),
                base_url: inner.base_url.clone(),
                version: inner.version.clone(),
                token: inner.token.clone(),
                retry: inner.retry.clone(),
                limiter: RateLimiter::default(),
                stats: StatsCounters::default(),
            }),
        }
    }

    /// `GET /conversations/{id}` read into a shape of the caller's (e.g. one that keeps message
    /// bodies).
    pub async fn get_conversation_as<T: DeserializeOwned>(
        &self,
        id: &str,
    ) -> Result<T, IntercomError> {
        let url = self.url(&["conversations", non_empty(id, "conversation id")?]);
        self.request(Method::GET, url, None).await
    }

    /// Counters since the client was built, shared by its clones.
    pub fn stats(&self) -> ClientStats {
        self.inner.stats.snapshot()
    }

    /// The base URL with `segments` appended, each percent-encoded.
    pub(super) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base_url.clone();
        url.path_segments_mut()
            .expect("an http(s) base URL has path segments")
            .pop_if_empty()
            .extend(segments);
        url
    }

    /// Sends one logical request (JSON `body` if any) with retries, and decodes the JSON answer.
    pub(super) async fn request<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<T, IntercomError> {
        let (method, url, body) = (&method, &url, body.as_deref());
        self.inner
            .retry
            .run(
                |attempt| self.attempt(method, url, body, attempt),
                |error, delay, attempt| self.note_retry(method, url, error, delay, attempt),
            )
            .await
    }

    /// Counts and logs a retry, before the retry policy's delay.
    fn note_retry(
        &self,
        method: &Method,
        url: &Url,
        error: &IntercomError,
        delay: std::time::Duration,
        attempt: u32,
    ) {
        self.inner.stats.retry();
        tracing::warn!(
            %method,
            path = url.path(),
            attempt,
            delay_ms = delay.as_millis() as u64,
            %error,
            "retrying Intercom request"
        );
    }

    /// One HTTP exchange, after the rate-limit gate.
    async fn attempt<T: DeserializeOwned>(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        attempt: u32,
    ) -> Result<T, IntercomError> {
        let inner = &*self.inner;
        if let Some(waited) = inner.limiter.ready().await {
            inner.stats.rate_limit_wait(waited);
            tracing::info!(
                %method,
                path = url.path(),
                wait_ms = waited.as_millis() as u64,
                "waited for Intercom's rate-limit window to reset"
            );
        }
        let (delay, sending) = inner.limiter.paced().await;
        if let Some(delay) = delay {
            inner.stats.paced(delay);
        }
        let mut request = inner.http.request(method.clone(), url.clone());
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        inner.stats.api_call();
        let started = Instant::now();
        let transport = |e: reqwest::Error| {
            let error = IntercomError::Transport {
                method: method.to_string(),
                path: url.path().to_owned(),
                kind: transport_kind(&e),
                reason: self.scrub(error_chain(&e)),
            };
            tracing::info!(%method, path = url.path(), attempt, %error, "Intercom request failed");
            error
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let limits = RateLimitHeaders::from_headers(response.headers());
        if let Some(until_ms) = inner.limiter.observe(sending, status, &limits) {
            tracing::info!(
                status,
                limit = limits.limit,
                remaining = limits.remaining,
                reset = limits.reset,
                hold_until_ms = until_ms,
                "Intercom rate-limit budget spent; holding requests until the window resets"
            );
        }
        let header_request_id = response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(|id| self.scrub(id.to_owned()));
        let bytes = response.bytes().await.map_err(transport)?;
        let elapsed_ms = started.elapsed().as_millis() as u64;

        if (200..300).contains(&status) {
            tracing::debug!(
                %method,
                path = url.path(),
                status,
                request_id = header_request_id.as_deref(),
                attempt,
                elapsed_ms,
                "Intercom request"
            );
            return serde_json::from_slice(&bytes).map_err(|e| IntercomError::Decode {
                method: method.to_string(),
                path: url.path().to_owned(),
                reason: self.scrub(e.to_string()),
            });
        }
        let error = match api_error(status, &bytes, header_request_id) {
            IntercomError::Api {
                status,
                code,
                message,
                request_id,
            } => IntercomError::Api {
                status,
                code: self.scrub(code),
                message: self.scrub(message),
                request_id: request_id.map(|id| self.scrub(id)),
            },
            other => other,
        };
        tracing::info!(
            %method,
            path = url.path(),
            status,
            code = error.code(),
            request_id = error.request_id(),
            attempt,
            elapsed_ms,
            "Intercom request"
        );
        Err(error)
    }

    /// Removes the token from text that came from the network (an error's code, message and
    /// request id, the `X-Request-Id` header, a decode error), should an upstream or a proxy echo
    /// the `Authorization` header into it.
    fn scrub(&self, text: String) -> String {
        let token = self.inner.token.expose_secret().trim();
        if !token.is_empty() && text.contains(token) {
            text.replace(token, "[REDACTED]")
        } else {
            text
        }
    }
}

/// Whether `contact` holds every custom attribute value of `attrs`.
fn holds(contact: &Contact, attrs: &CustomAttributes) -> bool {
    attrs
        .iter()
        .all(|(name, value)| contact.custom_attributes.get(name) == Some(value))
}

fn non_empty<'a>(id: &'a str, what: &str) -> Result<&'a str, IntercomError> {
    if id.trim().is_empty() {
        Err(IntercomError::InvalidRequest {
            reason: format!("{what} is empty"),
        })
    } else {
        Ok(id)
    }
}

fn transport_kind(e: &reqwest::Error) -> TransportKind {
    if e.is_timeout() {
        TransportKind::Timeout
    } else if e.is_connect() {
        TransportKind::Connect
    } else if e.is_request() || e.is_body() {
        TransportKind::Interrupted
    } else {
        TransportKind::Other
    }
}

/// The error and its causes, `: `-joined (reqwest's own message hides the cause).
fn error_chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
