//! [`SlackClient`]: posts a [`Message`] to the incoming webhook, with retries.
//!
//! One post is `POST <webhook URL>` with the message as JSON; Slack answers `200 ok`, or an
//! error status with a short text body (see [`SlackError::Api`]). Retried, with exponential
//! backoff and jitter (the `backon` crate, as the Intercom client): 429 (waiting exactly its
//! `Retry-After` seconds), 5xx, timeouts and dropped connections. Never retried: other 4xx (a
//! refused message or a dead webhook does not get better) and redirects (the body is never sent
//! anywhere but the webhook). All waits of one post together stay under
//! [`SlackConfig::max_total_wait`]: a wait that would pass it ends the post with
//! [`SlackError::GaveUp`] at once, so a notifier never holds a job for long.
//!
//! A retried timeout may post the message twice (Slack may have accepted the first); a rare
//! duplicate is preferred to a lost alert.

use std::cell::Cell;
use std::error::Error as _;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{HeaderMap, CONTENT_TYPE, RETRY_AFTER};

use super::blocks::Message;
use super::error::{SlackError, TransportKind};
use super::webhook::{WebhookSource, WebhookUrl};

/// Longest Slack error text kept.
const MAX_ERROR_CHARS: usize = 200;
/// A `Retry-After` longer than this is taken as this (it ends the post anyway: see
/// [`SlackConfig::max_total_wait`]).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// How patient a [`SlackClient`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackConfig {
    /// Per attempt, connection to last byte (10 s).
    pub timeout: Duration,
    /// Per attempt, to set up the connection (5 s).
    pub connect_timeout: Duration,
    /// Retries after the first attempt (4: at most 5 attempts).
    pub max_retries: u32,
    /// Backoff before the first retry (500 ms), doubling up to `backoff_max` (8 s), each with
    /// jitter between half and all of it. A 429 waits its `Retry-After` instead.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Most time spent waiting between the attempts of one post, all waits together (30 s).
    pub max_total_wait: Duration,
}

impl Default for SlackConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_retries: 4,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(8),
            max_total_wait: Duration::from_secs(30),
        }
    }
}

/// How a successful post went, for a run's summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Delivery {
    /// Requests sent (1 when the first was accepted).
    pub attempts: u32,
    /// How many of them Slack answered 429.
    pub rate_limited: u32,
    /// Time spent waiting between attempts.
    pub waited: Duration,
}

/// Posts messages to one incoming webhook. Cheap to clone (clones share the connection pool and
/// the webhook URL's cache). `Debug` never shows the URL.
#[derive(Clone)]
pub struct SlackClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    webhook: WebhookSource,
    config: SlackConfig,
}

impl fmt::Debug for SlackClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackClient")
            .field("webhook", &self.inner.webhook)
            .field("config", &self.inner.config)
            .finish()
    }
}

impl SlackClient {
    /// A client of `webhook`; sends and fetches nothing yet.
    pub fn new(webhook: WebhookSource, config: SlackConfig) -> Result<Self, SlackError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("data-services-notify/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SlackError::Client {
                reason: error_chain(&e.without_url()),
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                webhook,
                config,
            }),
        })
    }

    /// The webhook of [`WebhookSource::from_env`] (`SLACK_WEBHOOK_URL`, else the secret named by
    /// `SLACK_WEBHOOK_SECRET_ID`) with the default [`SlackConfig`]. Fails only when neither
    /// variable is set or `SLACK_WEBHOOK_URL` is unusable; the secret is read on the first post.
    pub fn from_env(sdk: &SdkConfig) -> Result<Self, SlackError> {
        Self::new(WebhookSource::from_env(sdk)?, SlackConfig::default())
    }

    /// Posts `message`, retrying as the module docs say.
    ///
    /// Errors: [`SlackError::Webhook`] when the URL cannot be had (nothing sent),
    /// [`SlackError::Api`] for a final answer (4xx other than 429), [`SlackError::GaveUp`] when
    /// retries or the wait budget ran out (its `last` is the last failure).
    pub async fn post(&self, message: &Message) -> Result<Delivery, SlackError> {
        let url = self.inner.webhook.url().await?;
        let body = serde_json::to_vec(message).expect("a message always serialises");
        let config = &self.inner.config;
        let attempts = Cell::new(0u32);
        let rate_limited = Cell::new(0u32);
        let waited = Cell::new(Duration::ZERO);

        let result = (|| {
            attempts.set(attempts.get() + 1);
            self.send_once(&url, body.clone())
        })
        .retry(self.backoff())
        .when(SlackError::is_retryable)
        .adjust(|error, backoff| {
            if error.status() == Some(429) {
                rate_limited.set(rate_limited.get() + 1);
            }
            // No backoff left means the retries are spent.
            let backoff = backoff?;
            let delay = match error {
                SlackError::Api {
                    status: 429,
                    retry_after: Some(after),
                    ..
                } => *after,
                _ => equal_jitter(backoff),
            };
            let total = waited.get() + delay;
            (total <= config.max_total_wait).then(|| {
                waited.set(total);
                delay
            })
        })
        .notify(|error, delay| {
            tracing::warn!(
                webhook = url.redacted(),
                attempt = attempts.get(),
                delay_ms = delay.as_millis() as u64,
                %error,
                "Slack post failed; retrying"
            );
        })
        .await;

        let (attempts, waited) = (attempts.get(), waited.get());
        match result {
            Ok(()) => Ok(Delivery {
                attempts,
                rate_limited: rate_limited.get(),
                waited,
            }),
            Err(last) if last.is_retryable() => Err(SlackError::GaveUp {
                attempts,
                waited,
                last: Box::new(last),
            }),
            Err(last) => Err(last),
        }
    }

    fn backoff(&self) -> ExponentialBuilder {
        let config = &self.inner.config;
        ExponentialBuilder::default()
            .with_min_delay(config.backoff_base)
            .with_max_delay(config.backoff_max)
            .with_factor(2.0)
            .with_max_times(config.max_retries as usize)
    }

    async fn send_once(&self, url: &WebhookUrl, body: Vec<u8>) -> Result<(), SlackError> {
        let response = self
            .inner
            .http
            .post(url.expose())
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| transport_error(e, url))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let retry_after = retry_after(response.headers());
        // A body that cannot be read leaves only the status to go on.
        let text = response.text().await.unwrap_or_default();
        let error = scrub(text.trim(), url);
        let error = match error.chars().count() {
            0 => format!("http_{}", status.as_u16()),
            n if n > MAX_ERROR_CHARS => error.chars().take(MAX_ERROR_CHARS).collect(),
            _ => error,
        };
        Err(SlackError::Api {
            status: status.as_u16(),
            error,
            retry_after,
        })
    }
}

/// `Retry-After` in seconds (Slack sends whole seconds; fractions are accepted), at most an hour.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: f64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (seconds.is_finite() && seconds >= 0.0)
        .then(|| Duration::from_secs_f64(seconds).min(MAX_RETRY_AFTER))
}

fn transport_error(error: reqwest::Error, url: &WebhookUrl) -> SlackError {
    let kind = if error.is_timeout() {
        TransportKind::Timeout
    } else if error.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Other
    };
    SlackError::Transport {
        kind,
        reason: scrub(&error_chain(&error.without_url()), url),
    }
}

/// The error and its causes, `a: b: c`.
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

/// `text` with the webhook URL and its path (the secret part) replaced, should anything echo it.
fn scrub(text: &str, url: &WebhookUrl) -> String {
    let full = url.expose();
    let path = full
        .strip_prefix(url.redacted())
        .filter(|p| p.len() > 1)
        .unwrap_or(full);
    text.replace(full, "[webhook]").replace(path, "[webhook]")
}

/// A delay between half of `delay` and `delay`, so clients that failed together spread out.
fn equal_jitter(delay: Duration) -> Duration {
    delay / 2 + delay.mul_f64(rand::random::<f64>() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    use crate::aws::secrets::{SecretStore, TokenError};
    use crate::notify::WebhookUrlError;

    use secrecy::SecretString;
    use wiremock::matchers::{body_json, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    /// Distinctive, so a leak anywhere is found by a plain substring search.
    const SECRET_PATH: &str = "/services/T0NOTIFY/B0NOTIFY/zzWebhookSecretPath";
    const SECRET_PART: &str = "zzWebhookSecretPath";

    fn fast() -> SlackConfig {
        SlackConfig {
            timeout: Duration::from_millis(300),
            connect_timeout: Duration::from_millis(300),
            max_retries: 4,
            backoff_base: Duration::from_millis(1),
            backoff_max: Duration::from_millis(5),
            max_total_wait: Duration::from_secs(5),
        }
    }

    fn client_for(url: &str, config: SlackConfig) -> SlackClient {
        let webhook = WebhookSource::fixed(WebhookUrl::parse(url).unwrap());
        SlackClient::new(webhook, config).unwrap()
    }

    async fn mock_slack() -> (MockServer, SlackClient) {
        let server = MockServer::start().await;
        let client = client_for(&format!("{}{SECRET_PATH}", server.uri()), fast());
        (server, client)
    }

    fn message() -> Message {
        Message::builder("2 alerts")
            .header("Alerts")
            .section("*ada@example.com* cancelled")
            .build()
    }

    fn answer(status: u16, body: &str) -> ResponseTemplate {
        ResponseTemplate::new(status).set_body_string(body)
    }

    fn assert_no_secret(error: &SlackError) {
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains(SECRET_PART), "the URL leaked: {text}");
        }
    }

    #[tokio::test]
    async fn posts_the_message_as_json() {
        let (server, client) = mock_slack().await;
        Mock::given(method("POST"))
            .and(path(SECRET_PATH))
            .and(header("content-type", "application/json"))
            .and(body_json(message().to_json()))
            .respond_with(answer(200, "ok"))
            .expect(1)
            .mount(&server)
            .await;
        let delivery = client.post(&message()).await.unwrap();
        assert_eq!(
            delivery,
            Delivery {
                attempts: 1,
                rate_limited: 0,
                waited: Duration::ZERO
            }
        );
        assert!(!format!("{client:?}").contains(SECRET_PART));
    }

    #[tokio::test]
    async fn a_429_waits_its_retry_after_then_posts() {
        let (server, client) = mock_slack().await;
        Mock::given(method("POST"))
            .respond_with(answer(429, "rate_limited").insert_header("Retry-After", "1"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(answer(200, "ok"))
            .mount(&server)
            .await;
        let started = Instant::now();
        let delivery = client.post(&message()).await.unwrap();
        assert!(started.elapsed() >= Duration::from_secs(1));
        assert_eq!(delivery.attempts, 2);
        assert_eq!(delivery.rate_limited, 1);
        assert_eq!(delivery.waited, Duration::from_secs(1));
    }

    #[tokio::test]
    async fn server_errors_are_retried_with_backoff() {
        let (server, client) = mock_slack().await;
        Mock::given(method("POST"))
            .respond_with(answer(500, "rollup_error"))
            .up_to_n_times(2)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(answer(200, "ok"))
            .mount(&server)
            .await;
        let delivery = client.post(&message()).await.unwrap();
        assert_eq!(delivery.attempts, 3);
        assert_eq!(delivery.rate_limited, 0);
        assert_eq!(server.received_requests().await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn other_4xx_are_final_and_keep_slacks_error() {
        let cases = [
            (400, "invalid_blocks", "refused the message"),
            (400, "invalid_payload", "refused the message"),
            (403, "invalid_token", "SLACK_WEBHOOK_SECRET_ID"),
            (404, "no_service", "SLACK_WEBHOOK_SECRET_ID"),
            (410, "channel_is_archived", "archived"),
        ];
        for (status, code, hint) in cases {
            let (server, client) = mock_slack().await;
            Mock::given(method("POST"))
                .respond_with(answer(status, code))
                .expect(1)
                .mount(&server)
                .await;
            let error = client.post(&message()).await.unwrap_err();
            assert!(
                matches!(&error, SlackError::Api { status: s, error: e, .. } if *s == status && e == code),
                "{error:?}"
            );
            assert_eq!(error.status(), Some(status));
            assert_eq!(error.slack_error(), Some(code));
            assert_eq!(error.needs_new_webhook(), status != 400);
            let text = error.to_string();
            assert!(
                text.contains(&status.to_string()) && text.contains(code) && text.contains(hint),
                "{text}"
            );
            assert_no_secret(&error);
        }
    }

    #[tokio::test]
    async fn gives_up_when_retries_run_out() {
        let (server, client) = mock_slack().await;
        Mock::given(method("POST"))
            .respond_with(answer(503, ""))
            .mount(&server)
            .await;
        let error = client.post(&message()).await.unwrap_err();
        match &error {
            SlackError::GaveUp { attempts, last, .. } => {
                assert_eq!(*attempts, 5);
                assert_eq!(last.status(), Some(503));
                assert_eq!(last.slack_error(), Some("http_503"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(error.status(), Some(503));
        assert_eq!(server.received_requests().await.unwrap().len(), 5);
        assert_no_secret(&error);
    }

    #[tokio::test]
    async fn a_retry_after_past_the_wait_budget_ends_the_post_at_once() {
        let (server, client) = mock_slack().await;
        Mock::given(method("POST"))
            .respond_with(answer(429, "rate_limited").insert_header("Retry-After", "30"))
            .mount(&server)
            .await;
        let started = Instant::now();
        let error = client.post(&message()).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(2));
        let SlackError::GaveUp {
            attempts, waited, ..
        } = &error
        else {
            panic!("{error:?}")
        };
        assert_eq!((*attempts, *waited), (1, Duration::ZERO));
        assert!(error.to_string().contains("Retry-After 30 s"), "{error}");
        assert_no_secret(&error);
    }

    #[tokio::test]
    async fn timeouts_are_retried_and_never_show_the_url() {
        let (server, client) = mock_slack().await;
        Mock::given(method("POST"))
            .respond_with(answer(200, "ok").set_delay(Duration::from_secs(2)))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(answer(200, "ok"))
            .mount(&server)
            .await;
        assert_eq!(client.post(&message()).await.unwrap().attempts, 2);

        let (server, client) = mock_slack().await;
        Mock::given(method("POST"))
            .respond_with(answer(200, "ok").set_delay(Duration::from_secs(2)))
            .mount(&server)
            .await;
        let error = client.post(&message()).await.unwrap_err();
        let SlackError::GaveUp { last, .. } = &error else {
            panic!("{error:?}")
        };
        assert!(
            matches!(
                last.as_ref(),
                SlackError::Transport {
                    kind: TransportKind::Timeout,
                    ..
                }
            ),
            "{last:?}"
        );
        assert_no_secret(&error);
    }

    #[tokio::test]
    async fn a_refused_connection_never_shows_the_url() {
        // Bind, learn the port, close: nothing listens there now.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let client = client_for(&format!("http://127.0.0.1:{port}{SECRET_PATH}"), fast());
        let error = client.post(&message()).await.unwrap_err();
        let SlackError::GaveUp { attempts, last, .. } = &error else {
            panic!("{error:?}")
        };
        assert_eq!(*attempts, 5);
        assert!(matches!(
            last.as_ref(),
            SlackError::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ));
        assert_no_secret(&error);
    }

    #[tokio::test]
    async fn an_answer_echoing_the_url_is_scrubbed() {
        let (server, client) = mock_slack().await;
        let echo = format!("no_service: {}{SECRET_PATH}", server.uri());
        Mock::given(method("POST"))
            .respond_with(answer(404, &echo))
            .mount(&server)
            .await;
        let error = client.post(&message()).await.unwrap_err();
        assert_eq!(error.slack_error(), Some("no_service: [webhook]"));
        assert_no_secret(&error);
    }

    #[tokio::test]
    async fn a_redirect_is_not_followed() {
        let (server, client) = mock_slack().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(302).insert_header("Location", "https://example.com/"),
            )
            .expect(1)
            .mount(&server)
            .await;
        let error = client.post(&message()).await.unwrap_err();
        assert_eq!(error.status(), Some(302));
    }

    #[tokio::test]
    async fn an_unreadable_secret_sends_nothing_and_names_the_secret() {
        struct Denied;
        #[async_trait::async_trait]
        impl SecretStore for Denied {
            async fn secret_string(&self, secret_id: &str) -> Result<SecretString, TokenError> {
                Err(TokenError::Fetch {
                    secret_id: secret_id.into(),
                    reason: "AccessDeniedException".into(),
                })
            }
        }
        let webhook = WebhookSource::from_store(Arc::new(Denied), "prod/slack-webhook");
        let client = SlackClient::new(webhook, fast()).unwrap();
        let error = client.post(&message()).await.unwrap_err();
        assert!(
            matches!(error, SlackError::Webhook(WebhookUrlError::Fetch { .. })),
            "{error:?}"
        );
        let text = error.to_string();
        assert!(
            text.contains("prod/slack-webhook") && text.contains("SLACK_WEBHOOK_SECRET_ID"),
            "{text}"
        );
        assert!(!error.is_retryable());
    }

    #[test]
    fn retry_after_reads_seconds() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, " 3 ".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(RETRY_AFTER, "0.5".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(500)));
        headers.insert(RETRY_AFTER, "999999".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(MAX_RETRY_AFTER));
        for bad in ["-1", "soon", "Wed, 21 Oct 2015 07:28:00 GMT"] {
            headers.insert(RETRY_AFTER, bad.parse().unwrap());
            assert_eq!(retry_after(&headers), None, "{bad}");
        }
    }
}
