//! Plumbing shared by the engagement ranker's simulators (`hubspot-sim`, `yobi-sim`): the
//! handle of a server running on 127.0.0.1, server-side call counts, injected 5xx faults,
//! route keys for those counts, request ids, and what their binaries do around serving
//! (logs on stderr, the base URL on stdout, stop on SIGTERM).
//!
//! Nothing here knows an API: each simulator keeps its own shapes, errors and rules.

mod cli;
mod faults;
mod process;
mod route;
mod server;
mod stats;
mod window;

pub use cli::{today_in_new_york, CommonArgs, Source};
pub use faults::FaultInjector;
pub use process::{announce, init_tracing, stop_signal};
pub use route::route_key;
pub use server::{serve, Server};
pub use stats::{SimStats, StatsRecorder};
pub use window::{RollingWindow, WindowDecision};

/// Why a simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the fixture is not valid: {0}")]
    Fixture(String),
    #[error("cannot bind the simulator's port: {0}")]
    Bind(#[from] std::io::Error),
}

/// A fresh random id in UUID v4 form (HubSpot's `correlationId`, request ids).
pub fn uuid_v4() -> String {
    let v: u128 = rand::random();
    let hex = format!("{v:032x}");
    format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        ["8", "9", "a", "b"][(v % 4) as usize],
        &hex[17..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuid_v4_has_the_version_and_variant_digits() {
        let id = super::uuid_v4();
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'), "{id}");
        assert!("89ab".contains(&parts[3][..1]), "{id}");
        assert_ne!(super::uuid_v4(), id);
    }
}
