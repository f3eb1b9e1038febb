//! Everything that can go wrong posting to Slack, worded for the engineer on call. No variant
//! ever holds the webhook URL: Slack's answers and transport errors are scrubbed of it.

use std::fmt;
use std::time::Duration;

use super::webhook::{WebhookUrlError, SECRET_ID_VARIABLE};

/// Why a message was not posted.
#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    /// The webhook URL could not be had (not configured, secret unreadable or not a webhook).
    #[error(transparent)]
    Webhook(#[from] WebhookUrlError),
    /// Slack answered with a non-success status. `error` is Slack's answer body, e.g.
    /// `invalid_payload`, `invalid_blocks`, `no_text` (400), `invalid_token`, `no_service`,
    /// `no_team` (403/404), `channel_is_archived` (410), `rate_limited` (429), trimmed to at most
    /// 200 characters (`http_<status>` when empty). `retry_after` is a 429's `Retry-After`.
    #[error("Slack answered HTTP {status} {error}{}{}", retry_after_note(*retry_after), hint(*status))]
    Api {
        status: u16,
        error: String,
        retry_after: Option<Duration>,
    },
    /// No answer: timeout, connection refused or dropped, DNS, TLS.
    #[error(
        "Slack webhook request got no answer ({kind}): {reason}; check network access to \
         hooks.slack.com and Slack's status page"
    )]
    Transport { kind: TransportKind, reason: String },
    /// A retryable failure (429, 5xx, no answer) persisted through every attempt, or the next
    /// wait would have passed the total-wait budget.
    #[error(
        "Slack webhook gave up after {attempts} attempt(s) and {:.1} s of waiting; last error: {last}",
        waited.as_secs_f64()
    )]
    GaveUp {
        attempts: u32,
        waited: Duration,
        last: Box<SlackError>,
    },
    /// The HTTP client could not be built (TLS set-up); nothing was sent.
    #[error("building the Slack HTTP client: {reason}")]
    Client { reason: String },
}

/// What kind of "no answer" it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    Timeout,
    Connect,
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Timeout => "timeout",
            Self::Connect => "connection failed",
            Self::Other => "interrupted",
        })
    }
}

impl SlackError {
    /// Whether another attempt may succeed: 429, 5xx, or no answer. Other 4xx are final.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api { status, .. } => *status == 429 || (500..=599).contains(status),
            Self::Transport { .. } => true,
            Self::Webhook(_) | Self::GaveUp { .. } | Self::Client { .. } => false,
        }
    }

    /// The HTTP status Slack answered (the last one, after retries).
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            Self::GaveUp { last, .. } => last.status(),
            _ => None,
        }
    }

    /// Slack's error text, e.g. `invalid_blocks` (the last one, after retries).
    pub fn slack_error(&self) -> Option<&str> {
        match self {
            Self::Api { error, .. } => Some(error),
            Self::GaveUp { last, .. } => last.slack_error(),
            _ => None,
        }
    }

    /// Whether the webhook itself is dead (revoked, app removed, channel archived): no retry or
    /// later run will help until someone stores a new URL in the secret.
    pub fn needs_new_webhook(&self) -> bool {
        matches!(self.status(), Some(403 | 404 | 410))
    }
}

fn retry_after_note(retry_after: Option<Duration>) -> String {
    retry_after
        .map(|d| format!(" (Retry-After {} s)", d.as_secs_f64()))
        .unwrap_or_default()
}

fn hint(status: u16) -> String {
    match status {
        400 => {
            "; Slack refused the message itself (a bug in the message built; not retried)".into()
        }
        403 | 404 => format!(
            "; the webhook was revoked, its app removed, or posting is restricted: create a new \
             incoming webhook and store its URL in the {SECRET_ID_VARIABLE} secret"
        ),
        410 => "; the webhook's channel is archived: unarchive it, or create a webhook for \
                another channel and store its URL in the secret"
            .into(),
        429 => "; Slack's rate limit for this webhook (about one message a second)".into(),
        500..=599 => "; a failure on Slack's side".into(),
        _ => String::new(),
    }
}
