//! Knobs of a running simulator.

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

/// How the simulator behaves around the data it serves.
#[derive(Clone)]
pub struct SimConfig {
    /// The private-app token clients must send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Sleep before answering each request.
    pub latency: Duration,
    /// Share (0..=1) of authorized, admitted requests answered with an injected 500/502/503.
    pub error_rate: f64,
    /// Seed of the error injection.
    pub seed: u64,
    /// Requests per rolling 10 seconds outside search (HubSpot: 100 for a private app on
    /// Free/Starter, 190 on Professional/Enterprise).
    pub ten_second_limit: u32,
    /// Search requests per rolling second (HubSpot documents 5 per account).
    pub search_per_second: u32,
    /// Requests per day in the account's time zone (HubSpot: 250,000 on Free/Starter).
    pub daily_limit: u64,
    /// The account's time zone: the daily budget resets at its midnight.
    pub account_tz: chrono_tz::Tz,
    /// Company ids whose updates fail inside a batch (a 207 with a per-record error).
    pub failing_company_updates: BTreeSet<String>,
    /// How many update attempts of each failing company fail before one succeeds; `None`:
    /// every attempt fails.
    pub failing_update_attempts: Option<u32>,
    /// Serve `toObjectId` in associations v4 answers as a JSON number (as HubSpot's live API
    /// has been seen to) rather than the string its OpenAPI description specifies.
    pub numeric_association_ids: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            token: "sim-token".to_owned(),
            latency: Duration::ZERO,
            error_rate: 0.0,
            seed: 0,
            ten_second_limit: 100,
            search_per_second: 5,
            daily_limit: 250_000,
            account_tz: chrono_tz::America::New_York,
            failing_company_updates: BTreeSet::new(),
            failing_update_attempts: None,
            numeric_association_ids: false,
        }
    }
}

// The token is a secret even here: keep it out of logs.
impl fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimConfig")
            .field("token", &"<redacted>")
            .field("latency", &self.latency)
            .field("error_rate", &self.error_rate)
            .field("seed", &self.seed)
            .field("ten_second_limit", &self.ten_second_limit)
            .field("search_per_second", &self.search_per_second)
            .field("daily_limit", &self.daily_limit)
            .field("account_tz", &self.account_tz)
            .field("failing_company_updates", &self.failing_company_updates)
            .field("failing_update_attempts", &self.failing_update_attempts)
            .field("numeric_association_ids", &self.numeric_association_ids)
            .finish()
    }
}
