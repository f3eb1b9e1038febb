//! Yobi requests: login for a bearer token kept until shortly before its expiry, renewed once
//! on a 401 `token_expired`; retries with backoff on 429 (after `Retry-After`), 5xx and no
//! response; page-number paging of the admin lists.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use tokio::sync::Mutex;
use tokio::time::Instant;
use url::Url;

use super::credentials::{Login, YobiCredentials};
use super::error::{api_error, YobiError};
use super::models::{Period, Reader, Tenant, UsageEndpoint, UsageReport};

/// `YOBI_API_BASE` when unset.
pub const DEFAULT_API_BASE: &str = "https://api.app.yib.io/api/v1";

/// Items per list page (Yobi's maximum).
const PAGE_SIZE: usize = 200;

/// How the client talks to Yobi.
#[derive(Clone, Debug)]
pub struct YobiConfig {
    /// `YOBI_API_BASE` (default [`DEFAULT_API_BASE`]).
    pub base_url: String,
    pub credentials: YobiCredentials,
    /// Per-request timeout (30 s).
    pub timeout: Duration,
    /// Retries after the first attempt (5), backoff from `base_delay` (200 ms) to
    /// `max_delay` (10 s).
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Log in again this long before the token's expiry (60 s, or a tenth of its lifetime
    /// when that is shorter).
    pub renew_before: Duration,
}

impl YobiConfig {
    pub fn new(base_url: impl Into<String>, credentials: YobiCredentials) -> Self {
        Self {
            base_url: base_url.into(),
            credentials,
            timeout: Duration::from_secs(30),
            max_retries: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            renew_before: Duration::from_secs(60),
        }
    }
}

/// A client of Yobi's admin API. Cheap to clone: clones share the pool and the token.
#[derive(Clone)]
pub struct YobiClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    config: YobiConfig,
    token: Mutex<Option<Token>>,
    logins: AtomicU32,
}

#[derive(Clone)]
struct Token {
    value: SecretString,
    /// When to log in again (before the expiry by the renewal margin).
    renew_at: Instant,
}

impl fmt::Debug for YobiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YobiClient")
            .field("base_url", &self.inner.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl YobiClient {
    /// Builds the client; sends nothing. Fails on an unusable base URL.
    pub fn new(config: YobiConfig) -> Result<Self, YobiError> {
        let base_url = Url::parse(config.base_url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| YobiError::Config {
                variable: "YOBI_API_BASE",
                reason: format!("{:?} is not an http(s) URL", config.base_url),
            })?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| YobiError::Config {
                variable: "YOBI_API_BASE",
                reason: format!("building the HTTP client: {e}"),
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url,
                config,
                token: Mutex::new(None),
                logins: AtomicU32::new(0),
            }),
        })
    }

    /// How many logins this client (and its clones) made.
    pub fn logins(&self) -> u32 {
        self.inner.logins.load(Ordering::Relaxed)
    }

    /// Every tenant (`GET /admin/tenants`, all pages), in Yobi's order.
    ///
    /// Errors: [`YobiError::MissingField`] for a tenant without an id or a name.
    pub async fn tenants(&self) -> Result<Vec<Tenant>, YobiError> {
        let reader = Reader {
            endpoint: "/admin/tenants",
        };
        let mut out = Vec::new();
        self.for_each_page("/admin/tenants", &[], |page| {
            for item in reader.list(page)? {
                out.push(reader.tenant(item)?);
            }
            Ok(())
        })
        .await?;
        Ok(out)
    }

    /// One usage endpoint over `period` for every tenant (or only `tenant_ids`), all pages.
    /// Each tenant has the endpoint's metrics in `totals` and in every daily bucket.
    ///
    /// Errors: [`YobiError::MissingField`] naming the endpoint and the field when a count,
    /// the `daily` buckets (a rolling-totals-only endpoint) or a tenant id is absent; 404
    /// when the endpoint does not exist.
    pub async fn usage(
        &self,
        endpoint: UsageEndpoint,
        period: Period,
        tenant_ids: Option<&[u64]>,
    ) -> Result<UsageReport, YobiError> {
        let reader = Reader {
            endpoint: endpoint.path(),
        };
        let mut query = vec![("period", period.as_str().to_owned())];
        if let Some(ids) = tenant_ids {
            let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
            query.push(("tenant_id", ids.join(",")));
        }
        // Each page is read into the report as it arrives: a 30-day answer for thousands of
        // tenants is large as JSON, much smaller as counts.
        let mut period_of = None;
        let mut tenants = Vec::new();
        self.for_each_page(endpoint.path(), &query, |page| {
            if period_of.is_none() {
                period_of = Some(reader.period(page));
            }
            for item in reader.list(page)? {
                tenants.push(reader.usage(endpoint, item)?);
            }
            Ok(())
        })
        .await?;
        let (start_date, end_date, timezone) = period_of.unwrap_or_default();
        Ok(UsageReport {
            endpoint,
            start_date,
            end_date,
            timezone,
            tenants,
        })
    }

    /// Every page of a list, `page` = 1, 2, .. until `next` is null, handed to `each` in
    /// order and not kept.
    async fn for_each_page(
        &self,
        path: &str,
        query: &[(&str, String)],
        mut each: impl FnMut(&Value) -> Result<(), YobiError>,
    ) -> Result<(), YobiError> {
        for page in 1.. {
            let mut url = self.url(path);
            {
                let mut q = url.query_pairs_mut();
                for (k, v) in query {
                    q.append_pair(k, v);
                }
                q.append_pair("page", &page.to_string());
                q.append_pair("page_size", &PAGE_SIZE.to_string());
            }
            let body = self.get(&url).await?;
            let more = body.get("next").is_some_and(|n| !n.is_null());
            each(&body)?;
            if !more {
                break;
            }
        }
        Ok(())
    }

    fn url(&self, path: &str) -> Url {
        let mut url = self.inner.base_url.clone();
        let base = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base}{path}"));
        url
    }

    /// A GET with retries; a 401 `token_expired` logs in again once.
    async fn get(&self, url: &Url) -> Result<Value, YobiError> {
        let token = self.token().await?;
        match self.get_with(url, &token).await {
            Err(e) if e.status() == Some(401) && e.code() == Some("token_expired") => {
                tracing::info!(path = url.path(), "Yobi token expired; logging in again");
                {
                    // Only the token that failed is dropped: requests in flight together all
                    // meet the expiry, and the first to log in again serves the others.
                    let mut slot = self.inner.token.lock().await;
                    if slot
                        .as_ref()
                        .is_some_and(|t| t.value.expose_secret() == token.expose_secret())
                    {
                        *slot = None;
                    }
                }
                let token = self.token().await?;
                self.get_with(url, &token).await
            }
            other => other,
        }
    }

    async fn get_with(&self, url: &Url, token: &SecretString) -> Result<Value, YobiError> {
        self.retrying(&Method::GET, url, || {
            self.send(Method::GET, url, None, token)
        })
        .await
    }

    async fn retrying<F, Fut>(&self, method: &Method, url: &Url, f: F) -> Result<Value, YobiError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Value, YobiError>>,
    {
        let c = &self.inner.config;
        let attempts = AtomicU32::new(0);
        let mut f = f;
        let result = (|| {
            attempts.fetch_add(1, Ordering::Relaxed);
            f()
        })
        .retry(
            ExponentialBuilder::default()
                .with_min_delay(c.base_delay)
                .with_max_delay(c.max_delay)
                .with_max_times(c.max_retries as usize)
                .with_jitter(),
        )
        .when(YobiError::is_retryable)
        .notify(|error, delay| {
            tracing::warn!(%method, path = url.path(), delay_ms = delay.as_millis() as u64, %error, "retrying Yobi request");
        })
        .await;
        result.map_err(|last| {
            if last.is_retryable() {
                YobiError::RetriesExhausted {
                    attempts: attempts.load(Ordering::Relaxed),
                    last: Box::new(last),
                }
            } else {
                last
            }
        })
    }

    /// The current token, logging in when there is none or it is due for renewal.
    async fn token(&self) -> Result<SecretString, YobiError> {
        let mut slot = self.inner.token.lock().await;
        if let Some(token) = slot.as_ref().filter(|t| Instant::now() < t.renew_at) {
            return Ok(token.value.clone());
        }
        let login = self.inner.config.credentials.login().await?;
        let url = self.url("/auth/login");
        let body = json!({
            "email": login.email.expose_secret(),
            "password": login.password.expose_secret(),
        });
        let answer = self
            .retrying(&Method::POST, &url, || self.send_login(&url, &body, &login))
            .await?;
        self.inner.logins.fetch_add(1, Ordering::Relaxed);
        let value = answer
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| YobiError::MissingField {
                endpoint: "/auth/login".into(),
                field: "access_token".into(),
            })?;
        // `expires_at` is exact; `expires_in` is whole seconds (0 for a short-lived token).
        let lifetime = answer
            .get("expires_at")
            .and_then(Value::as_str)
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|at| {
                (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
            })
            .or_else(|| {
                answer
                    .get("expires_in")
                    .and_then(Value::as_f64)
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .map(Duration::from_secs_f64)
            })
            .ok_or_else(|| YobiError::MissingField {
                endpoint: "/auth/login".into(),
                field: "expires_at / expires_in".into(),
            })?;
        let margin = self.inner.config.renew_before.min(lifetime / 10);
        let token = Token {
            value: SecretString::from(value.to_owned()),
            renew_at: Instant::now() + lifetime.saturating_sub(margin),
        };
        tracing::info!(lifetime_s = lifetime.as_secs_f64(), "logged in to Yobi");
        *slot = Some(token.clone());
        Ok(token.value)
    }

    async fn send_login(&self, url: &Url, body: &Value, login: &Login) -> Result<Value, YobiError> {
        let secrets = [login.password.clone(), login.email.clone()];
        self.exchange(Method::POST, url, Some(body), None, &secrets)
            .await
    }

    async fn send(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
        token: &SecretString,
    ) -> Result<Value, YobiError> {
        self.exchange(method, url, body, Some(token), std::slice::from_ref(token))
            .await
    }

    /// One HTTP exchange; `secrets` are scrubbed from anything kept from the answer.
    async fn exchange(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
        token: Option<&SecretString>,
        secrets: &[SecretString],
    ) -> Result<Value, YobiError> {
        let scrub = |mut text: String| {
            for s in secrets {
                let s = s.expose_secret();
                if !s.is_empty() && text.contains(s) {
                    text = text.replace(s, "[REDACTED]");
                }
            }
            text
        };
        let mut request = self
            .inner
            .http
            .request(method.clone(), url.clone())
            .header(ACCEPT, "application/json");
        if let Some(token) = token {
            let mut auth = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
                .map_err(|_| YobiError::Decode {
                    method: "POST".into(),
                    path: "/auth/login".into(),
                    reason: "the access token cannot be sent as a header".into(),
                })?;
            auth.set_sensitive(true);
            request = request.header(AUTHORIZATION, auth);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let path = url.path();
        let transport = |e: reqwest::Error| YobiError::Transport {
            method: method.to_string(),
            path: path.to_owned(),
            reason: scrub(e.to_string()),
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let bytes = response.bytes().await.map_err(transport)?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|e| YobiError::Decode {
                method: method.to_string(),
                path: path.to_owned(),
                reason: scrub(e.to_string()),
            });
        }
        if status == 429 {
            // Yobi says when; the backoff alone could come back too early.
            let wait = Duration::from_secs(retry_after.unwrap_or(1).min(60));
            tokio::time::sleep(wait).await;
        }
        let error = match api_error(status, method.as_str(), path, &bytes) {
            YobiError::Api {
                status,
                method,
                path,
                code,
                detail,
            } => YobiError::Api {
                status,
                method,
                path,
                code: scrub(code),
                detail: scrub(detail),
            },
            other => other,
        };
        tracing::info!(%method, path, status, code = error.code(), "Yobi request failed");
        Err(error)
    }
}
