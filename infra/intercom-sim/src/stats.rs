//! Server-side call counts, for tests and benchmarks that want to see what a client did.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// Counts since the simulator started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimStats {
    /// Requests received per route, e.g. `"POST /contacts/search" -> 12`,
    /// `"PUT /contacts/{id}" -> 3` (401, 429 and injected errors included).
    pub requests: BTreeMap<String, u64>,
    /// Requests answered 429.
    pub rate_limited: u64,
    /// Requests answered with an injected 5xx.
    pub errors_injected: u64,
    /// `PUT /contacts/{id}` applied to the store, per contact id: a count above one for a
    /// single planned update is a duplicate write.
    #[serde(default)]
    pub contact_writes: BTreeMap<String, u64>,
    /// Requests handled and then answered with a 502, cut (reset) or hung.
    #[serde(default)]
    pub faults_after_handling: u64,
}

#[derive(Debug, Default)]
pub(crate) struct StatsRecorder {
    inner: Mutex<SimStats>,
}

impl StatsRecorder {
    pub fn request(&self, route: String) {
        *self.lock().requests.entry(route).or_default() += 1;
    }

    pub fn rate_limited(&self) {
        self.lock().rate_limited += 1;
    }

    pub fn error_injected(&self) {
        self.lock().errors_injected += 1;
    }

    pub fn contact_written(&self, id: &str) {
        *self
            .lock()
            .contact_writes
            .entry(id.to_string())
            .or_default() += 1;
    }

    pub fn fault_after_handling(&self) {
        self.lock().faults_after_handling += 1;
    }

    pub fn snapshot(&self) -> SimStats {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SimStats> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}
