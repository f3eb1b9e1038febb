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
                "failing_conversation_reads",
                &self.failing_conversation_reads,
            )
            .finish()
    }
}
