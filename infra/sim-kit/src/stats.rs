//! Server-side call counts, for tests and benchmarks that want to see what a client did.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// Counts since the simulator started, as `GET /_sim/stats` returns them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimStats {
    /// Requests received per route, e.g. `"POST /crm/v3/objects/contacts/search" -> 12`
    /// (401s, 429s and injected errors included).
    pub requests: BTreeMap<String, u64>,
    /// Named events, e.g. `"rate_limited.TEN_SECONDLY_ROLLING"`, `"error_injected"`,
    /// `"token_expired"`; each simulator's README lists its own.
    pub events: BTreeMap<String, u64>,
}

impl SimStats {
    /// Requests counted under `route` (0 when none).
    pub fn requests_to(&self, route: &str) -> u64 {
        self.requests.get(route).copied().unwrap_or(0)
    }

    /// How often `event` happened (0 when never).
    pub fn event(&self, event: &str) -> u64 {
        self.events.get(event).copied().unwrap_or(0)
    }
}

/// Thread-safe recorder behind [`SimStats`].
#[derive(Debug, Default)]
pub struct StatsRecorder {
    inner: Mutex<SimStats>,
}

impl StatsRecorder {
    pub fn request(&self, route: String) {
        *self.lock().requests.entry(route).or_default() += 1;
    }

    pub fn event(&self, event: &str) {
        self.add(event, 1);
    }

    pub fn add(&self, event: &str, n: u64) {
        if n > 0 {
            *self.lock().events.entry(event.to_owned()).or_default() += n;
        }
    }

    pub fn snapshot(&self) -> SimStats {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SimStats> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_requests_and_events() {
        let rec = StatsRecorder::default();
        rec.request("GET /a".into());
        rec.request("GET /a".into());
        rec.event("x");
        rec.add("y", 0);
        let s = rec.snapshot();
        assert_eq!(s.requests_to("GET /a"), 2);
        assert_eq!(s.requests_to("GET /b"), 0);
        assert_eq!((s.event("x"), s.event("y")), (1, 0));
        assert!(!s.events.contains_key("y"), "zero additions leave no key");
    }
}
