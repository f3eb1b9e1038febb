//! Faults end to end on the generated workload: a killed run and a spent time budget resume to
//! the table a clean run writes; Intercom's 5xx and a tight rate limit change nothing; a Slack
//! outage loses no alert row and the next run's message carries them.

use std::time::Duration;

use chrono::NaiveDate;
use e2e_tests::postgres::{fresh_database, TestDatabase};
use e2e_tests::start_sim;
use intercom_sim::{CustomerWorkload, SimConfig, Workspace};
use serde_json::{json, Value};
use shared::customers::handlers::sync;
use shared::store::query::query_scalar;

use super::support::*;

const AS_OF_END: &str = "2026-12-01T00:00:00Z";

fn generated(contacts: usize, conversations: usize) -> Workspace {
    intercom_sim::generate_customers(
        &CustomerWorkload {
            contacts,
            conversations,
        },
        11,
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
    )
}

/// Alerts as sorted (email, kind, previous, new): what must match whatever the run history.
async fn alert_set(db: &TestDatabase) -> Vec<(String, String, Option<String>, Option<String>)> {
    let mut a = alerts(db).await;
    a.sort();
    a
}

/// The table and alerts of a clean full run of `ws` on a fresh database.
async fn clean_run(
    ws: Workspace,
) -> (
    Vec<Value>,
    Vec<(String, String, Option<String>, Option<String>)>,
) {
    let sim = start_sim(ws, SimConfig::default()).await;
    let db = fresh_database().await;
    let ctx = customer_context(&sim, &db, None);
    let s = sync::handle(&ctx, json!({"mode": "full", "asOf": AS_OF_END}))
        .await
        .unwrap();
    assert!(s.complete && s.contacts_synced > 200, "{s:?}");
    let out = (customers(&db).await, alert_set(&db).await);
    sim.shutdown().await;
    db.drop_database().await;
    out
}

#[tokio::test]
async fn a_killed_run_resumes_to_the_same_table() {
    let (want_rows, want_alerts) = clean_run(generated(600, 2400)).await;

    let sim = start_sim(
        generated(600, 2400),
        SimConfig {
            latency: Duration::from_millis(15),
            ..SimConfig::default()
        },
    )
    .await;
    let db = fresh_database().await;
    let ctx = customer_context(&sim, &db, None);
    // Kill it (drop the run's future) once a batch has committed, whatever batch that is.
    let watch = async {
        loop {
            tokio::time::sleep(Duration::from_millis(5)).await;
            let state: Option<bool> =
                query_scalar("SELECT complete FROM sync_state WHERE job = 'customer-sync'")
                    .fetch_optional(&db.pool)
                    .await
                    .unwrap_or(None);
            if let Some(complete) = state {
                break complete;
            }
        }
    };
    let committed = tokio::select! {
        complete = watch => complete,
        _ = sync::handle(&ctx, json!({"mode": "full", "asOf": AS_OF_END})) => true,
    };
    assert!(!committed, "the run was killed mid-way");
    let partial: i64 = query_scalar("SELECT count(*) FROM unified_customers")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(
        partial > 0 && (partial as usize) < want_rows.len(),
        "{partial}"
    );

    // The scheduled incremental run resumes the full run.
    let s = sync::handle(&ctx, json!({"asOf": AS_OF_END}))
        .await
        .unwrap();
    assert!(s.window.resumed && s.complete, "{:?}", s.window);
    assert_eq!(customers(&db).await, want_rows);
    assert_eq!(alert_set(&db).await, want_alerts);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_spent_budget_returns_incomplete_and_the_next_run_finishes() {
    let (want_rows, want_alerts) = clean_run(generated(300, 900)).await;
    let sim = start_sim(generated(300, 900), SimConfig::default()).await;
    let db = fresh_database().await;
    let ctx = customer_context(&sim, &db, None);
    // A first run with no time at all: nothing committed, no watermark.
    let s = sync::run(
        &ctx,
        json!({"mode": "full", "asOf": AS_OF_END}),
        Duration::ZERO,
    )
    .await
    .unwrap();
    assert!(!s.complete);
    assert_eq!((s.rows_written, s.watermark), (0, None));
    let complete: bool = query_scalar("SELECT complete FROM sync_state")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(!complete);
    // The scheduled incremental run resumes it: every contact.
    let s = sync::handle(&ctx, json!({"asOf": AS_OF_END}))
        .await
        .unwrap();
    assert!(s.complete && s.contacts_read == 300, "{:?}", s.window);
    assert_eq!(customers(&db).await, want_rows);
    assert_eq!(alert_set(&db).await, want_alerts);

    // After a complete run, a full run out of time before its first batch must not leave the
    // incremental watermark behind: the next run reads every contact again.
    let s = sync::run(
        &ctx,
        json!({"mode": "full", "asOf": AS_OF_END}),
        Duration::ZERO,
    )
    .await
    .unwrap();
    assert_eq!((s.complete, s.watermark), (false, None));
    let s = sync::handle(&ctx, json!({"asOf": AS_OF_END}))
        .await
        .unwrap();
    assert!(s.complete && s.contacts_read == 300, "{:?}", s.window);
    assert_eq!(s.rows_written, 0);
    sim.shutdown().await;
    db.drop_database().await;
}

#[tokio::test]
async fn intercom_errors_and_a_tight_rate_limit_change_nothing() {
    let (want_rows, want_alerts) = clean_run(generated(300, 900)).await;
    for config in [
        SimConfig {
            error_rate: 0.1,
            seed: 5,
            ..SimConfig::default()
        },
        SimConfig {
            rate_limit: 40,
            ..SimConfig::default()
        },
    ] {
        let sim = start_sim(generated(300, 900), config.clone()).await;
        let db = fresh_database().await;
        let ctx = customer_context(&sim, &db, None);
        let s = sync::handle(&ctx, json!({"mode": "full", "asOf": AS_OF_END}))
            .await
            .unwrap();
        assert!(
            s.complete && s.errors.is_empty(),
            "{config:?}: {:?}",
            s.errors
        );
        if config.error_rate > 0.0 {
            assert!(s.retries > 0, "{config:?}");
        } else {
            assert!(s.rate_limit_waits > 0, "{config:?}");
        }
        assert_eq!(customers(&db).await, want_rows, "{config:?}");
        assert_eq!(alert_set(&db).await, want_alerts, "{config:?}");
        sim.shutdown().await;
        db.drop_database().await;
    }
}

#[tokio::test]
async fn a_slack_outage_loses_no_alert() {
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let sink = slack_sink::start(slack_sink::SinkConfig::default(), 0)
        .await
        .unwrap();
    let db = fresh_database().await;
    let ctx = customer_context(&sim, &db, Some(slack(&sink)));
    // Every attempt of the first post (1 + 2 retries) fails.
    sink.fail_next(500, 3);
    let s = sync::handle(&ctx, json!({"mode": "full", "asOf": AS_OF_TEXT}))
        .await
        .unwrap();
    assert!(!s.slack.posted && s.slack.error.is_some(), "{:?}", s.slack);
    assert_eq!(s.rows_written, 4);
    assert_eq!(alerts(&db).await.len(), 4);
    let unsent: i64 =
        query_scalar("SELECT count(*) FROM customer_alerts WHERE notified_at IS NULL")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(unsent, 4);
    assert!(sink.messages().is_empty());

    // Slack is back: the next run raises nothing new and its message carries the four.
    let s = sync::handle(&ctx, json!({"mode": "full", "asOf": AS_OF_TEXT}))
        .await
        .unwrap();
    assert_eq!(s.alerts.values().sum::<usize>(), 0);
    assert!(
        s.slack.posted && s.slack.alerts_listed == 4,
        "{:?}",
        s.slack
    );
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0]["blocks"][0]["text"]["text"],
        "Customer sync: 4 alerts"
    );
    assert_eq!(
        messages[0]["blocks"][2]["elements"][1]["text"],
        "4 from earlier runs whose message failed"
    );
    let unsent: i64 =
        query_scalar("SELECT count(*) FROM customer_alerts WHERE notified_at IS NULL")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(unsent, 0);
    sink.shutdown().await;
    sim.shutdown().await;
    db.drop_database().await;
}

#[tokio::test]
async fn a_contact_that_still_fails_is_an_error_and_the_next_run_resumes_before_it() {
    // bob's conversation v-bob-1 (its parts are needed) cannot be read, whatever the retries.
    let failing = SimConfig {
        failing_conversation_reads: ["v-bob-1".to_string()].into(),
        ..SimConfig::default()
    };
    let sim = start_sim(workspace(), failing).await;
    let db = fresh_database().await;
    let ctx = customer_context(&sim, &db, None);
    let summary = match sync::handle(&ctx, json!({"mode": "full", "asOf": AS_OF_TEXT})).await {
        Err(sync::SyncError::ContactsFailed(summary)) => summary,
        other => panic!("{other:?}"),
    };
    assert_eq!(summary.errors.len(), 1);
    let e = &summary.errors[0];
    assert_eq!(
        (e.contact_id.as_str(), e.status, e.code.as_deref()),
        ("c-bob", Some(500), Some("server_error"))
    );
    // The others are written; bob is not; the run is not complete and the watermark stops at
    // bob's change time (4 days before as-of).
    assert_eq!(summary.rows_written, 3);
    assert!(!summary.complete);
    assert_eq!(summary.watermark.unwrap().timestamp(), AS_OF - 4 * DAY);
    let emails: Vec<Value> = rows(&db, "unified_customers", "email", "email").await;
    assert_eq!(
        emails,
        vec![
            json!({"email": "ann@acme.com"}),
            json!({"email": "cat@gamma.org"}),
            json!({"email": "dana@delta.com"})
        ]
    );
    sim.shutdown().await;

    // Intercom reads it again: the next run resumes from bob and the table is the clean one.
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let ctx = customer_context(&sim, &db, None);
    let s = sync::handle(&ctx, json!({"asOf": AS_OF_TEXT}))
        .await
        .unwrap();
    assert!(s.window.resumed && s.complete);
    assert_eq!(customers(&db).await, expected_rows());
    sim.shutdown().await;
    db.drop_database().await;
}
