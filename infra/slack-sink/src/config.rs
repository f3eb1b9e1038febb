//! Knobs of a running sink.

use std::time::Duration;

/// How the sink answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkConfig {
    /// The `Retry-After` of its 429 answers, in whole seconds (Slack's form).
    pub retry_after_seconds: u64,
    /// Sleep before answering each webhook post.
    pub latency: Duration,
    /// Statuses the first webhook posts answer, one each, in order (e.g. `[429, 500]`); then
    /// posts are handled normally. More can be queued at run time ([`crate::RunningSink::fail_next`]
    /// or `POST /_sink/fail`).
    pub fail_next: Vec<u16>,
}

impl Default for SinkConfig {
    fn default() -> Self {
        Self {
            retry_after_seconds: 1,
            latency: Duration::ZERO,
            fail_next: Vec::new(),
        }
    }
}

/// Slack's answer body for an error `status`.
pub fn error_text(status: u16) -> &'static str {
    match status {
        400 => "invalid_payload",
        403 => "invalid_token",
        404 => "no_service",
        410 => "channel_is_archived",
        429 => "rate_limited",
        500 => "rollup_error",
        501..=599 => "service_unavailable",
        _ => "error",
    }
}
