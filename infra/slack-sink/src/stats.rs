//! What the sink has been asked, for tests that want to see what a client did.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Counts since the sink started (webhook posts only, not `/_sink/*`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinkStats {
    /// Webhook posts received.
    pub requests: u64,
    /// Posts answered `200 ok` (and recorded).
    pub accepted: u64,
    /// Posts by the status answered, e.g. `{"200": 1, "429": 1}`.
    pub by_status: BTreeMap<u16, u64>,
}
