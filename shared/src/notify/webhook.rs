//! Where Slack messages go: an incoming-webhook URL. `SLACK_WEBHOOK_URL` for local runs,
//! otherwise the Secrets Manager secret named by `SLACK_WEBHOOK_SECRET_ID` (read through the SDK
//! configuration `main` built, so `AWS_ENDPOINT_URL` and the region apply), fetched once per
//! execution environment.
//!
//! The secret string is the URL itself or `{"url": "..."}`. The URL is a credential (anyone
//! holding it can post to the channel), so it is a [`SecretString`] from the moment it is read:
//! no error, log line or `Debug` output carries it. [`WebhookUrl::redacted`] (scheme and host
//! only) is the form to log.
//!
//! Accepted URLs:
//! - `https://hooks.slack.com/services/...`: Slack's incoming webhooks (default port, no
//!   credentials, query or fragment). Workflow Builder's `/triggers/` and `/workflows/` hooks take
//!   a different body and are refused.
//! - `http://` or `https://` on a loopback host (`127.0.0.1`, `[::1]`, `localhost`), any port and
//!   path: the local sink (`infra/slack-sink`) and test servers. Nothing listens there in Lambda,
//!   so this cannot send the alerts anywhere else.

use std::fmt;
use std::sync::Arc;

use aws_config::SdkConfig;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::OnceCell;
use url::{Host, Url};

use crate::aws::secrets::{SecretStore, TokenError};

/// The variable holding the webhook URL directly (local runs); it overrides the secret.
pub const URL_VARIABLE: &str = "SLACK_WEBHOOK_URL";
/// The variable holding the Secrets Manager secret id (name or ARN) of the webhook URL.
pub const SECRET_ID_VARIABLE: &str = "SLACK_WEBHOOK_SECRET_ID";
/// The only host a non-local webhook URL may have.
pub const SLACK_HOOKS_HOST: &str = "hooks.slack.com";
/// The path every Slack incoming webhook starts with.
const SERVICES_PATH: &str = "/services/";

/// Why no webhook URL could be had. Never holds the URL: reasons describe it without quoting it.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum WebhookUrlError {
    #[error(
        "no Slack webhook configured: set {SECRET_ID_VARIABLE} to the Secrets Manager secret \
         holding the incoming-webhook URL, or {URL_VARIABLE} for local runs"
    )]
    NotConfigured,
    /// `SLACK_WEBHOOK_URL` is set but unusable.
    #[error("{variable} {reason}; {EXPECTED}")]
    Variable {
        variable: &'static str,
        reason: String,
    },
    /// Secrets Manager did not hand out the secret.
    #[error(
        "reading Secrets Manager secret {secret_id} ({SECRET_ID_VARIABLE}): {reason}; check that \
         it exists in this account and region and that the function's role may call \
         secretsmanager:GetSecretValue on it"
    )]
    Fetch { secret_id: String, reason: String },
    /// The secret's string is not a usable webhook URL.
    #[error(
        "Secrets Manager secret {secret_id} ({SECRET_ID_VARIABLE}) {reason}; store the URL \
         itself or {{\"url\": \"https://hooks.slack.com/services/...\"}} as the secret string"
    )]
    Secret { secret_id: String, reason: String },
}

const EXPECTED: &str = "it must be a Slack incoming-webhook URL, \
     https://hooks.slack.com/services/..., or an http://127.0.0.1:PORT/... URL of a local sink";

/// A checked incoming-webhook URL (see the module docs for what is accepted). `Debug` and
/// [`WebhookUrl::redacted`] show the scheme and host only.
#[derive(Clone)]
pub struct WebhookUrl {
    url: SecretString,
    /// `scheme://host[:port]`, safe to log.
    origin: String,
}

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookUrl({}/[REDACTED])", self.origin)
    }
}

impl WebhookUrl {
    /// Checks `raw` (trimmed). The error says what is wrong without quoting the URL.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("is empty".into());
        }
        // url's own messages never quote the input, so they are safe to pass on.
        let url = Url::parse(raw).map_err(|e| format!("is not a URL ({e})"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not embed credentials (user:password@)".into());
        }
        if url.fragment().is_some() {
            return Err("must not have a #fragment".into());
        }
        let loopback = match url.host() {
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => return Err("has no host".into()),
        };
        if loopback {
            if !matches!(url.scheme(), "http" | "https") {
                return Err(format!(
                    "has scheme {:?}; a local sink is http(s)",
                    url.scheme()
                ));
            }
        } else {
            if url.scheme() != "https" {
                return Err(format!(
                    "has scheme {:?}; Slack webhooks are https (plain http only on 127.0.0.1)",
                    url.scheme()
                ));
            }
            if url.host_str() != Some(SLACK_HOOKS_HOST) {
                return Err(format!(
                    "has host {:?}, not {SLACK_HOOKS_HOST}",
                    url.host_str().unwrap_or_default()
                ));
            }
            if url.port().is_some() {
                return Err("must not name a port".into());
            }
            if url.query().is_some() {
                return Err("must not have a ?query".into());
            }
            let rest = url.path().strip_prefix(SERVICES_PATH).unwrap_or_default();
            if rest.trim_matches('/').is_empty() {
                return Err(format!(
                    "does not have a {SERVICES_PATH}... path (only incoming webhooks are \
                     supported, not Workflow Builder triggers)"
                ));
            }
        }
        let origin = url.origin().ascii_serialization();
        Ok(Self {
            url: SecretString::from(url.as_str()),
            origin,
        })
    }

    /// A secret string as a URL: `{"url": "<url>"}` or the URL itself, trimmed, then
    /// [`WebhookUrl::parse`]d.
    pub fn from_secret_string(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if !raw.starts_with('{') {
            return Self::parse(raw);
        }
        let value: serde_json::Value =
            serde_json::from_str(raw).map_err(|_| "starts with '{' but is not valid JSON")?;
        match value.get("url").and_then(|u| u.as_str()) {
            Some(url) => Self::parse(url).map_err(|reason| format!("has a \"url\" that {reason}")),
            None => Err("is a JSON object without a \"url\" string".into()),
        }
    }

    /// `scheme://host[:port]`, e.g. `https://hooks.slack.com`: what may be logged.
    pub fn redacted(&self) -> &str {
        &self.origin
    }

    /// The full URL, for the request only.
    pub(crate) fn expose(&self) -> &str {
        self.url.expose_secret()
    }
}

/// The webhook URL, built once in `main` and shared by every handler. Clones share the cache.
/// Nothing is fetched until [`WebhookSource::url`], so a Slack outage or a missing secret never
/// stops a function from starting.
#[derive(Clone)]
pub struct WebhookSource {
    source: Arc<Source>,
}

enum Source {
    Fixed(WebhookUrl),
    Store {
        store: Arc<dyn SecretStore>,
        secret_id: String,
        cached: OnceCell<WebhookUrl>,
    },
}

impl fmt::Debug for WebhookSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.source {
            Source::Fixed(url) => write!(f, "WebhookSource::Fixed({url:?})"),
            Source::Store {
                secret_id, cached, ..
            } => f
                .debug_struct("WebhookSource::SecretsManager")
                .field("secret_id", secret_id)
                .field("cached", &cached.initialized())
                .finish(),
        }
    }
}

impl WebhookSource {
    /// `SLACK_WEBHOOK_URL` when set and non-empty (checked now), else the secret named by
    /// `SLACK_WEBHOOK_SECRET_ID` read through `sdk`; neither → [`WebhookUrlError::NotConfigured`]
    /// (a system may treat that as "Slack off").
    pub fn from_env(sdk: &SdkConfig) -> Result<Self, WebhookUrlError> {
        Self::from_lookup(
            |k| std::env::var(k).ok(),
            || Arc::new(aws_sdk_secretsmanager::Client::new(sdk)),
        )
    }

    /// As [`WebhookSource::from_env`], with variables from `lookup` and the store made by
    /// `make_store` (called only when the secret id is used).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        make_store: impl FnOnce() -> Arc<dyn SecretStore>,
    ) -> Result<Self, WebhookUrlError> {
        let get = |k: &str| {
            lookup(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        if let Some(raw) = get(URL_VARIABLE) {
            let url = WebhookUrl::parse(&raw).map_err(|reason| WebhookUrlError::Variable {
                variable: URL_VARIABLE,
                reason,
            })?;
            return Ok(Self::fixed(url));
        }
        match get(SECRET_ID_VARIABLE) {
            Some(secret_id) => Ok(Self::from_store(make_store(), secret_id)),
            None => Err(WebhookUrlError::NotConfigured),
        }
    }

    /// A URL given directly.
    pub fn fixed(url: WebhookUrl) -> Self {
        Self {
            source: Arc::new(Source::Fixed(url)),
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

    /// The URL. The secret is fetched on the first successful call only; a failed fetch or a
    /// malformed secret is not cached, so the next call (the next run) tries again.
    pub async fn url(&self) -> Result<WebhookUrl, WebhookUrlError> {
        match &*self.source {
            Source::Fixed(url) => Ok(url.clone()),
            Source::Store {
                store,
                secret_id,
                cached,
            } => cached
                .get_or_try_init(|| fetch(store.as_ref(), secret_id))
                .await
                .cloned(),
        }
    }
}

async fn fetch(store: &dyn SecretStore, secret_id: &str) -> Result<WebhookUrl, WebhookUrlError> {
    let raw = store.secret_string(secret_id).await.map_err(|e| match e {
        TokenError::Fetch { reason, .. } => WebhookUrlError::Fetch {
            secret_id: secret_id.to_owned(),
            reason,
        },
        // The store's other errors are about the secret's value (e.g. a binary secret).
        TokenError::Malformed { reason, .. } => WebhookUrlError::Secret {
            secret_id: secret_id.to_owned(),
            reason,
        },
        TokenError::NotConfigured => WebhookUrlError::NotConfigured,
    })?;
    let url = WebhookUrl::from_secret_string(raw.expose_secret()).map_err(|reason| {
        WebhookUrlError::Secret {
            secret_id: secret_id.to_owned(),
            reason,
        }
    })?;
    tracing::info!(%secret_id, webhook = url.redacted(), "read the Slack webhook URL from Secrets Manager");
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;

    const HOOK: &str = "https://hooks.slack.com/services/T0DISTINCT/B0DISTINCT/sEcReTpAtH42";
    const SECRET_PART: &str = "sEcReTpAtH42";

    struct FakeStore {
        value: Result<String, String>,
        fetches: AtomicUsize,
    }

    #[async_trait]
    impl SecretStore for FakeStore {
        async fn secret_string(&self, secret_id: &str) -> Result<SecretString, TokenError> {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            match &self.value {
                Ok(v) => Ok(SecretString::from(v.as_str())),
                Err(reason) => Err(TokenError::Fetch {
                    secret_id: secret_id.into(),
                    reason: reason.clone(),
                }),
            }
        }
    }

    fn store(value: Result<&str, &str>) -> Arc<FakeStore> {
        Arc::new(FakeStore {
            value: value.map(str::to_owned).map_err(str::to_owned),
            fetches: AtomicUsize::new(0),
        })
    }

    fn source(
        vars: &[(&str, &str)],
        store: Arc<FakeStore>,
    ) -> Result<WebhookSource, WebhookUrlError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        WebhookSource::from_lookup(|k| vars.get(k).cloned(), move || store)
    }

    #[test]
    fn accepts_slack_hooks_and_loopback_sinks() {
        for raw in [
            HOOK.to_string(),
            format!("  {HOOK}\n"),
            "http://127.0.0.1:4010/services/T/B/X".into(),
            "http://127.0.0.1:4010/anything".into(),
            "https://localhost:8443/hook".into(),
            "http://[::1]:9/x".into(),
        ] {
            let url = WebhookUrl::parse(&raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(url.expose(), raw.trim());
        }
        assert_eq!(
            WebhookUrl::parse(HOOK).unwrap().redacted(),
            "https://hooks.slack.com"
        );
    }

    #[test]
    fn refuses_everything_else_without_quoting_it() {
        let cases = [
            ("", "is empty"),
            ("not a url sEcReTpAtH42", "is not a URL"),
            (
                "http://hooks.slack.com/services/T/B/sEcReTpAtH42",
                "Slack webhooks are https",
            ),
            (
                "https://hooks.example.com/services/T/B/sEcReTpAtH42",
                "not hooks.slack.com",
            ),
            (
                "https://hooks.slack.com.evil.io/services/T/B/sEcReTpAtH42",
                "not hooks.slack.com",
            ),
            (
                "https://hooks.slack.com:8443/services/T/B/sEcReTpAtH42",
                "port",
            ),
            (
                "https://u:p@hooks.slack.com/services/T/B/sEcReTpAtH42",
                "credentials",
            ),
            (
                "https://hooks.slack.com/services/T/B/sEcReTpAtH42?x=1",
                "query",
            ),
            (
                "https://hooks.slack.com/services/T/B/sEcReTpAtH42#f",
                "fragment",
            ),
            ("https://hooks.slack.com/services/", "/services/"),
            (
                "https://hooks.slack.com/triggers/T/1/sEcReTpAtH42",
                "Workflow Builder",
            ),
            ("ftp://127.0.0.1/sEcReTpAtH42", "scheme"),
            ("http://10.0.0.1/services/T/B/sEcReTpAtH42", "https"),
        ];
        for (raw, expected) in cases {
            let reason = WebhookUrl::parse(raw).unwrap_err();
            assert!(reason.contains(expected), "{raw}: {reason}");
            assert!(!reason.contains(SECRET_PART), "{raw}: {reason}");
        }
    }

    #[test]
    fn secret_strings_are_the_url_or_a_json_object() {
        for raw in [HOOK.to_string(), format!(r#"{{"url": " {HOOK} "}}"#)] {
            assert_eq!(WebhookUrl::from_secret_string(&raw).unwrap().expose(), HOOK);
        }
        for raw in [
            "{",
            r#"{"webhook": "x"}"#,
            r#"{"url": 5}"#,
            r#"{"url": "http://hooks.slack.com/services/T/B/sEcReTpAtH42"}"#,
        ] {
            let reason = WebhookUrl::from_secret_string(raw).unwrap_err();
            assert!(!reason.contains(SECRET_PART), "{raw}: {reason}");
        }
    }

    #[test]
    fn debug_never_shows_the_path() {
        let url = WebhookUrl::parse(HOOK).unwrap();
        let source = WebhookSource::fixed(url.clone());
        for text in [format!("{url:?}"), format!("{source:?}")] {
            assert!(!text.contains(SECRET_PART), "{text}");
            assert!(text.contains("hooks.slack.com"), "{text}");
        }
    }

    #[tokio::test]
    async fn the_variable_overrides_the_secret() {
        let fake = store(Ok("https://hooks.slack.com/services/T/B/from-secret"));
        let source = source(
            &[
                (URL_VARIABLE, "http://127.0.0.1:9/services/T/B/local"),
                (SECRET_ID_VARIABLE, "prod/slack"),
            ],
            fake.clone(),
        )
        .unwrap();
        assert_eq!(
            source.url().await.unwrap().expose(),
            "http://127.0.0.1:9/services/T/B/local"
        );
        assert_eq!(fake.fetches.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn the_secret_is_fetched_once() {
        let fake = store(Ok(&format!(r#"{{"url":"{HOOK}"}}"#)));
        let source = source(
            &[(URL_VARIABLE, " "), (SECRET_ID_VARIABLE, "prod/slack")],
            fake.clone(),
        )
        .unwrap();
        for _ in 0..3 {
            assert_eq!(source.clone().url().await.unwrap().expose(), HOOK);
        }
        assert_eq!(fake.fetches.load(Ordering::SeqCst), 1);
        assert!(!format!("{source:?}").contains(SECRET_PART));
    }

    #[tokio::test]
    async fn errors_name_the_variable_or_secret_and_never_the_url() {
        let err = source(&[], store(Ok(HOOK))).unwrap_err();
        assert_eq!(err, WebhookUrlError::NotConfigured);
        let text = err.to_string();
        assert!(
            text.contains(SECRET_ID_VARIABLE) && text.contains(URL_VARIABLE),
            "{text}"
        );

        let bad = "http://hooks.slack.com/services/T/B/sEcReTpAtH42";
        let err = source(&[(URL_VARIABLE, bad)], store(Ok(HOOK))).unwrap_err();
        assert!(matches!(
            &err,
            WebhookUrlError::Variable {
                variable: URL_VARIABLE,
                ..
            }
        ));
        assert!(err.to_string().contains(URL_VARIABLE));

        let errors = [
            err,
            source(&[(SECRET_ID_VARIABLE, "prod/slack")], store(Ok(bad)))
                .unwrap()
                .url()
                .await
                .unwrap_err(),
            source(
                &[(SECRET_ID_VARIABLE, "prod/slack")],
                store(Err("AccessDenied")),
            )
            .unwrap()
            .url()
            .await
            .unwrap_err(),
        ];
        for err in errors {
            let (text, debug) = (err.to_string(), format!("{err:?}"));
            assert!(!text.contains(SECRET_PART) && !debug.contains(SECRET_PART));
            if !matches!(err, WebhookUrlError::Variable { .. }) {
                assert!(
                    text.contains("prod/slack") && text.contains(SECRET_ID_VARIABLE),
                    "{text}"
                );
            }
        }
    }

    #[tokio::test]
    async fn a_failed_fetch_is_tried_again() {
        let fake = store(Err("throttled"));
        let source = source(&[(SECRET_ID_VARIABLE, "prod/slack")], fake.clone()).unwrap();
        assert!(source.url().await.is_err());
        assert!(source.url().await.is_err());
        assert_eq!(fake.fetches.load(Ordering::SeqCst), 2);
    }
}
