//! `service-sync` under faults: a run killed mid-scan and resumed, a run out of time and
//! resumed, and 10% server errors with a tight rate limit all end with exactly the tables of a
//! clean run.

use std::time::Duration;

use chrono::NaiveDate;
use e2e_tests::postgres::{fresh_database, TestDatabase};
use e2e_tests::{function_binary, start_sim, TOKEN};
use intercom_sim::{generate_support, SimConfig, SupportWorkload, Workspace};
use serde_json::json;
use shared::service::handlers::sync;
use shared::store::query::query_scalar;
use tokio::process::Command;

use super::support::{service_context, snapshot};

const AS_OF: &str = "2026-03-10T16:00:00Z";

fn support(conversations: usize) -> Workspace {
    let as_of = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    generate_support(
        &SupportWorkload {
            conversations,
            days: 20,
        },
        7,
        as_of,
    )
}

fn full() -> serde_json::Value {
    json!({"mode": "full", "lookbackDays": 30, "asOf": AS_OF})
}

/// The tables after one clean run over `workspace`.
async fn clean_run(workspace: Workspace) -> Vec<Vec<serde_json::Value>> {
    let db = fresh_database().await;
    let sim = start_sim(workspace, SimConfig::default()).await;
    let summary = sync::handle(&service_context(&sim, &db), full())
        .await
        .unwrap();
    assert!(summary.complete && summary.upserted > 0);
    let tables = snapshot(&db).await;
    db.drop_database().await;
    tables
}

async fn count(db: &TestDatabase, sql: &str) -> i64 {
    let mut tx = db.pool.begin().await.unwrap();
    let n: i64 = query_scalar(sql).fetch_one(&mut *tx).await.unwrap_or(0);
    tx.commit().await.unwrap();
    n
}

#[tokio::test]
async fn a_run_killed_mid_scan_then_resumed_ends_with_the_clean_tables() {
    let workspace = support(600);
    let expected = clean_run(workspace.clone()).await;
    let total = expected[0].len() as i64;

    let db = fresh_database().await;
    // Slow enough that a page takes a while: the kill lands between commits.
    let sim = start_sim(
        workspace,
        SimConfig {
            latency: Duration::from_millis(15),
            ..SimConfig::default()
        },
    )
    .await;
    let mut child = Command::new(function_binary("service-sync"))
        .args(["--event", "-"])
        .env("INTERCOM_API_BASE", &sim.base_url)
        .env("INTERCOM_ACCESS_TOKEN", TOKEN)
        .env("DATABASE_URL", db.url.expose())
        .env_remove("DATABASE_SECRET_ID")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("service-sync starts");
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(full().to_string().as_bytes())
            .await
            .unwrap();
    }
    // Kill (SIGKILL) as soon as the first page has committed.
    let mut committed = 0;
    for _ in 0..600 {
        committed = count(&db, "SELECT count(*) FROM service_conversations").await;
        if committed > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let at_kill = count(&db, "SELECT count(*) FROM service_conversations").await;
    assert!(
        committed > 0 && at_kill < total,
        "the kill must land mid-scan: {at_kill} of {total} rows committed"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sync_state WHERE job = 'service-sync' AND NOT complete"
        )
        .await,
        1,
        "the killed run left an incomplete state with its watermark"
    );

    // The next run resumes from the watermark and completes.
    let resumed = sync::handle(&service_context(&sim, &db), full())
        .await
        .unwrap();
    assert!(resumed.window.resumed && resumed.complete);
    assert!(
        resumed.upserted < total as usize,
        "resumed, not started over"
    );
    assert_eq!(snapshot(&db).await, expected);
    db.drop_database().await;
}

#[tokio::test]
async fn a_run_out_of_time_resumes_at_its_watermark() {
    let workspace = support(200);
    let expected = clean_run(workspace.clone()).await;
    let db = fresh_database().await;
    let sim = start_sim(workspace, SimConfig::default()).await;
    let ctx = service_context(&sim, &db);
    let first = sync::run(&ctx, full(), Duration::ZERO).await.unwrap();
    assert!(!first.complete);
    assert_eq!(first.upserted, 0);
    let second = sync::run(&ctx, full(), Duration::from_secs(600))
        .await
        .unwrap();
    assert!(second.complete);
    assert_eq!(snapshot(&db).await, expected);
    db.drop_database().await;
}

#[tokio::test]
async fn server_errors_and_a_tight_rate_limit_change_nothing() {
    let workspace = support(60);
    let expected = clean_run(workspace.clone()).await;
    let db = fresh_database().await;
    let sim = start_sim(
        workspace,
        SimConfig {
            error_rate: 0.1,
            rate_limit: 40,
            seed: 11,
            ..SimConfig::default()
        },
    )
    .await;
    let summary = sync::handle(&service_context(&sim, &db), full())
        .await
        .unwrap();
    assert!(summary.complete && summary.failed.is_empty());
    assert!(summary.retries > 0, "the injected errors were retried");
    assert_eq!(snapshot(&db).await, expected);
    db.drop_database().await;
}
