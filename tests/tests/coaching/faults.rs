//! The nightly jobs under the faults real networks have: 5xx, writes applied and then answered
//! with an error, cut connections, hung requests, an outage burst. Each run must reach the state
//! a clean run reaches (0 lost writes) and write each contact once (0 duplicate writes).

use std::collections::BTreeMap;
use std::time::Duration;

use e2e_tests::fixtures::d;
use e2e_tests::{context, context_with_timeout, start_sim};
use intercom_sim::{RunningSim, SimConfig};
use serde_json::{json, Value};
use shared::coaching::handlers::{engagement_sync, session_sync, AppContext};

const AS_OF: &str = "2026-03-10T16:00:00Z";
const MEMBERS: usize = 300;
const WRITTEN: [&str; 5] = [
    "Last Coaching Session",
    "Last Call",
    "First Session Date",
    "Engagement Status",
    "Engagement Status Date",
];

fn workspace() -> intercom_sim::Workspace {
    intercom_sim::generate(MEMBERS, 7, d("2026-03-10"))
}

/// session-sync over 120 days, then engagement-sync: the nightly order.
async fn nightly(ctx: &AppContext) {
    session_sync::handle(ctx, json!({"lookbackDays": 120, "asOf": AS_OF}))
        .await
        .expect("session-sync completes");
    engagement_sync::handle(ctx, json!({"asOf": AS_OF}))
        .await
        .expect("engagement-sync completes");
}

/// Every contact's written attributes, read straight from the simulator's store.
fn state(sim: &RunningSim) -> BTreeMap<String, Vec<Value>> {
    sim.workspace()
        .contacts
        .into_iter()
        .map(|c| {
            let id = c["id"].as_str().unwrap_or_default().to_string();
            let values = WRITTEN
                .iter()
                .map(|name| c["custom_attributes"][name].clone())
                .collect();
            (id, values)
        })
        .collect()
}

async fn check(config: SimConfig, timeout: Duration, what: &str) {
    let clean = start_sim(workspace(), SimConfig::default()).await;
    nightly(&context(&clean)).await;
    let clean_writes = clean.stats().contact_writes;

    let sim = start_sim(workspace(), config).await;
    nightly(&context_with_timeout(&sim, timeout)).await;
    let stats = sim.stats();
    assert!(
        stats.errors_injected + stats.faults_after_handling > 0,
        "{what}: no fault was injected, the test proves nothing"
    );
    assert_eq!(state(&sim), state(&clean), "{what}: 0 lost writes");
    // Each job writes a contact at most once; a contact both jobs change is written twice in
    // the clean run too. Any count above the clean run's is a duplicate write.
    let duplicates: Vec<String> = stats
        .contact_writes
        .iter()
        .filter(|(id, n)| clean_writes.get(*id).is_none_or(|clean| *n > clean))
        .take(5)
        .map(|(id, n)| format!("{id}: {n} writes"))
        .collect();
    assert!(
        duplicates.is_empty(),
        "{what}: duplicate writes {duplicates:?}"
    );
    assert_eq!(
        stats.contact_writes.keys().collect::<Vec<_>>(),
        clean_writes.keys().collect::<Vec<_>>(),
        "{what}: the same contacts written"
    );
}

const DEFAULT: Duration = shared::intercom::DEFAULT_TIMEOUT;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_xx_answers() {
    let config = SimConfig {
        error_rate: 0.1,
        seed: 1,
        ..SimConfig::default()
    };
    check(config, DEFAULT, "10% 5xx").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_applied_then_answered_with_an_error() {
    let config = SimConfig {
        applied_then_error_rate: 0.2,
        seed: 2,
        ..SimConfig::default()
    };
    check(config, DEFAULT, "20% of writes applied then 502").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_reset_after_handling() {
    let config = SimConfig {
        reset_rate: 0.08,
        seed: 3,
        ..SimConfig::default()
    };
    check(config, DEFAULT, "8% of connections cut").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_that_hang_past_the_timeout() {
    let config = SimConfig {
        hang_rate: 0.05,
        hang: Duration::from_millis(1500),
        seed: 4,
        ..SimConfig::default()
    };
    check(
        config,
        Duration::from_millis(400),
        "5% hung past the timeout",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_burst_mid_run() {
    // Requests 40..43 fail: within the client's retries (5, with backoff), so the run rides it.
    let config = SimConfig {
        outage: Some((40, 4)),
        ..SimConfig::default()
    };
    check(config, DEFAULT, "an outage burst").await;
}

/// A rate limit far below what the jobs keep in flight (24 updates at once against 40 requests
/// per 10 s): the client paces its requests by the `X-RateLimit-*` headers and holds at the
/// window's end, so Intercom never answers 429, and the run reaches a clean run's state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_low_rate_limit_is_paced_without_a_429() {
    let workspace = || intercom_sim::generate(120, 7, d("2026-03-10"));
    let clean = start_sim(workspace(), SimConfig::default()).await;
    let limited = start_sim(
        workspace(),
        SimConfig {
            rate_limit: 40,
            ..SimConfig::default()
        },
    )
    .await;
    for sim in [&clean, &limited] {
        engagement_sync::handle(&context(sim), json!({"asOf": AS_OF}))
            .await
            .expect("engagement-sync completes");
    }
    let sent: u64 = limited.stats().requests.values().sum();
    assert!(
        sent > 40,
        "{sent} requests: the limit was never reached, the test proves nothing"
    );
    assert_eq!(
        limited.stats().rate_limited,
        0,
        "no request was answered 429"
    );
    assert_eq!(state(&limited), state(&clean));
}
