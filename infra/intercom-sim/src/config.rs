//! Knobs of a running simulator.

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

/// How the simulator behaves around the data it serves.
#[derive(Clone)]
pub struct SimConfig {
    /// The access token clients must send as `Authorization: Bearer <token>`.
    pub token: String,
    /// The workspace time zone: date filters in search match by calendar day in this zone.
    pub workspace_tz: chrono_tz::Tz,
    /// Sleep before answering each request.
    pub latency: Duration,
    /// Requests allowed per 10-second window (aligned to wall-clock multiples of 10 s).
    pub rate_limit: u32,
    /// Share (0..=1) of authorized, non-429 requests answered with a 500/502/503 instead.
    pub error_rate: f64,
    /// Seed of the error-injection random generator.
    pub seed: u64,
    /// Contact ids whose `PUT /contacts/{id}` always fails with a 500 (a record the server
    /// cannot write), for tests of how a job reports a failed update. Empty by default.
    pub failing_contact_updates: BTreeSet<String>,
    /// Conversation searches with an `updated_at` condition whose value lies in `[from, to]`
    /// (unix seconds) always fail with a 500: a time slice that keeps failing, for tests of
    /// how a job reports it and applies the rest. None by default.
    pub failing_updated_at_searches: Option<(i64, i64)>,
    /// Share (0..=1) of `PUT /contacts/{id}` that are applied and then answered with a 502, as
    /// a proxy that lost the server's answer would: a client that simply retries writes twice.
    pub applied_then_error_rate: f64,
    /// Share (0..=1) of authorized requests handled (any write applied) whose connection is then
    /// cut without an answer: a connection reset.
    pub reset_rate: f64,
    /// Share (0..=1) of authorized requests handled (any write applied) and answered only after
    /// [`SimConfig::hang`]: a client with a shorter timeout gives up.
    pub hang_rate: f64,
    /// How long a hung request waits before answering.
    pub hang: Duration,
    /// Authorized requests number `start..start + len` (counted from 1 in arrival order) are
    /// answered 503 before anything is read: an outage burst.
    pub outage: Option<(u64, u64)>,
    /// Conversation ids whose `GET /conversations/{id}` always fails with a 500 (a record the
    /// server cannot read), for tests of how a job reports a conversation it cannot read. Empty
    /// by default.
    pub failing_conversation_reads: BTreeSet<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            token: "sim-token".to_owned(),
            workspace_tz: chrono_tz::America::New_York,
            latency: Duration::ZERO,
            rate_limit: 1000,
            error_rate: 0.0,
            seed: 0,
            failing_contact_updates: BTreeSet::new(),
            failing_updated_at_searches: None,
            applied_then_error_rate: 0.0,
            reset_rate: 0.0,
            hang_rate: 0.0,
            hang: Duration::from_secs(5),
            outage: None,
            failing_conversation_reads: BTreeSet::new(),
        }
    }
}

// The token is a secret even here: keep it out of logs.
impl fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimConfig")
            .field("token", &"<redacted>")
            .field("workspace_tz", &self.workspace_tz)
            .field("latency", &self.latency)
            .field("rate_limit", &self.rate_limit)
            .field("error_rate", &self.error_rate)
            .field("seed", &self.seed)
            .field("failing_contact_updates", &self.failing_contact_updates)
            .field(
                "failing_updated_at_searches",
                &self.failing_updated_at_searches,
            )
            .field("applied_then_error_rate", &self.applied_then_error_rate)
            .field("reset_rate", &self.reset_rate)
            .field("hang_rate", &self.hang_rate)
            .field("hang", &self.hang)
            .field("outage", &self.outage)
            .field(
                "failing_conversation_reads",
                &self.failing_conversation_reads,
            )
            .finish()
    }
}
