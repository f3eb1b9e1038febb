//! Counters of one client's traffic, for run summaries (RULES.md §10).

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// What a client has done since it was built.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClientStats {
    /// HTTP requests sent, retries included.
    pub api_calls: u64,
    /// Requests sent again after a retryable failure (429, 5xx, timeout, connection).
    pub retries: u64,
    /// Times a request waited for the rate-limit window to reset.
    pub rate_limit_waits: u64,
    /// Total time spent in those waits, milliseconds.
    pub rate_limit_wait_ms: u64,
    /// Total time requests were held back to spread the window's remaining budget evenly
    /// (pacing, see `rate_limit.rs`), milliseconds.
    pub paced_ms: u64,
}

/// The live counters behind [`ClientStats`], shared by every clone of a client.
#[derive(Debug, Default)]
pub(crate) struct StatsCounters {
    api_calls: AtomicU64,
    retries: AtomicU64,
    rate_limit_waits: AtomicU64,
    rate_limit_wait_ms: AtomicU64,
    paced_us: AtomicU64,
}

impl StatsCounters {
    pub(crate) fn api_call(&self) {
        self.api_calls.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn rate_limit_wait(&self, waited: std::time::Duration) {
        self.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
        let ms = u64::try_from(waited.as_millis()).unwrap_or(u64::MAX);
        self.rate_limit_wait_ms.fetch_add(ms, Ordering::Relaxed);
    }

    pub(crate) fn paced(&self, delay: std::time::Duration) {
        let us = u64::try_from(delay.as_micros()).unwrap_or(u64::MAX);
        self.paced_us.fetch_add(us, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> ClientStats {
        ClientStats {
            api_calls: self.api_calls.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            rate_limit_waits: self.rate_limit_waits.load(Ordering::Relaxed),
            rate_limit_wait_ms: self.rate_limit_wait_ms.load(Ordering::Relaxed),
            paced_ms: self.paced_us.load(Ordering::Relaxed) / 1000,
        }
    }
}
