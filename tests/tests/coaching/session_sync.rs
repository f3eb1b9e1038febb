//! session-sync end to end against the simulator (RULES.md §5), final state read back through
//! `GET /contacts/{id}`.

use e2e_tests::fixtures::{d, ny, utc_midnight, Conv, Fixture};
use e2e_tests::{attr, context, get_contact, requests_for, start_sim};
use intercom_sim::SimConfig;
use serde_json::json;
use shared::coaching::handlers::session_sync;
use shared::job::JobError;

const AS_OF: &str = "2026-03-10T16:00:00Z"; // 12:00 in New York, two days after the DST change

fn workspace() -> intercom_sim::Workspace {
    let today = d("2026-03-10");
    let days_ago = |n: i64| today - chrono::Duration::days(n);
    Fixture::new()
        // Enrolled; a qualifying call 5 days ago, an open phone call 2 days ago, and a first
        // qualifying call 100 days ago, outside the 30-day window.
        .user("a", "Ana Q Member", json!({"Enrolled Date": utc_midnight(d("2025-10-01"))}))
        .conversation(Conv::closed("1", &["a"], "Phone", "Health Coaching 001", ny(days_ago(5), 10, 0)))
        .conversation(Conv::not_closed("2", &["a"], "Phone", "open", ny(days_ago(2), 9, 30)))
        .conversation(Conv::closed("3", &["a"], "Video Conference", "Disease Management 002", ny(days_ago(100), 15, 0)))
        // A stored Last Coaching Session newer than anything in the window: never moved back.
        // No Enrolled or Registration Date: First Session Date stays empty.
        .user("b", "Bo", json!({"Last Coaching Session": ny(days_ago(1), 8, 0)}))
        .conversation(Conv::closed("4", &["b"], "Phone", "Health Coaching 001", ny(days_ago(6), 10, 0)))
        // Email only: not a call, untouched.
        .user("c", "Cy", json!({"Enrolled Date": utc_midnight(d("2026-01-05"))}))
        .conversation(Conv::closed("5", &["c"], "Email", "Health Coaching 001", ny(days_ago(3), 10, 0)))
        // A video call with two contacts; d is registered, e is neither.
        .user("d", "Di", json!({"Registration Date": utc_midnight(d("2026-02-01"))}))
        .user("e", "Ed", json!({}))
        .conversation(Conv::closed("6", &["d", "e"], "Video Conference", "Health Coaching 001", ny(days_ago(4), 13, 0)))
        // A phone call with a non-program service code: Last Call only.
        .user("f", "Fa", json!({"Enrolled Date": utc_midnight(d("2026-01-05"))}))
        .conversation(Conv::closed("7", &["f"], "Phone", "Benefits Navigation 010", ny(days_ago(8), 10, 0)))
        // A call closed 40 days ago but updated (a tag) 10 days ago: scanned, and it counts.
        .user("g", "Gi", json!({"Enrolled Date": utc_midnight(d("2025-12-01")), "First Session Date": ny(days_ago(60), 9, 0)}))
        .conversation(Conv::closed("8", &["g"], "Phone", "Health Coaching 001", ny(days_ago(40), 10, 0)).updated(ny(days_ago(10), 10, 0)))
        .build()
}

fn event(dry_run: bool) -> serde_json::Value {
    json!({"lookbackDays": 30, "dryRun": dry_run, "asOf": AS_OF})
}

#[tokio::test]
async fn backfill_sets_dates_and_a_second_run_changes_nothing() {
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let ctx = context(&sim);
    let today = d("2026-03-10");
    let days_ago = |n: i64| today - chrono::Duration::days(n);

    let summary = session_sync::handle(&ctx, event(false))
        .await
        .expect("run succeeds");
    assert!(summary.failed.is_empty());
    assert_eq!(summary.applied, summary.updates_planned);

    assert_eq!(
        attr(&sim, "a", "Last Coaching Session").await,
        json!(ny(days_ago(5), 10, 0))
    );
    assert_eq!(
        attr(&sim, "a", "Last Call").await,
        json!(ny(days_ago(2), 9, 30)),
        "open phone call: created_at"
    );
    assert_eq!(
        attr(&sim, "a", "First Session Date").await,
        json!(ny(days_ago(100), 15, 0)),
        "whole history"
    );

    assert_eq!(
        attr(&sim, "b", "Last Coaching Session").await,
        json!(ny(days_ago(1), 8, 0)),
        "never backwards"
    );
    assert_eq!(
        attr(&sim, "b", "Last Call").await,
        json!(ny(days_ago(6), 10, 0))
    );
    assert_eq!(
        attr(&sim, "b", "First Session Date").await,
        json!(null),
        "not enrolled nor registered"
    );

    let c = get_contact(&sim, "c").await;
    for name in ["Last Coaching Session", "Last Call", "First Session Date"] {
        assert!(
            c["custom_attributes"][name].is_null(),
            "email session must not set {name}"
        );
    }

    for id in ["d", "e"] {
        assert_eq!(
            attr(&sim, id, "Last Coaching Session").await,
            json!(ny(days_ago(4), 13, 0)),
            "{id}"
        );
    }
    assert_eq!(
        attr(&sim, "d", "First Session Date").await,
        json!(ny(days_ago(4), 13, 0))
    );
    assert_eq!(attr(&sim, "e", "First Session Date").await, json!(null));
    assert_eq!(
        attr(&sim, "d", "Last Call").await,
        json!(null),
        "video is not a phone call"
    );

    assert_eq!(
        attr(&sim, "f", "Last Call").await,
        json!(ny(days_ago(8), 10, 0))
    );
    assert_eq!(
        attr(&sim, "f", "Last Coaching Session").await,
        json!(null),
        "non-program code"
    );
    assert_eq!(attr(&sim, "f", "First Session Date").await, json!(null));

    assert_eq!(
        attr(&sim, "g", "Last Coaching Session").await,
        json!(ny(days_ago(40), 10, 0))
    );
    assert_eq!(
        attr(&sim, "g", "First Session Date").await,
        json!(ny(days_ago(60), 9, 0)),
        "set dates are kept"
    );

    let puts = requests_for(&sim, "PUT /contacts/{id}");
    let again = session_sync::handle(&ctx, event(false))
        .await
        .expect("second run");
    assert_eq!(again.changes_planned, 0, "{:?}", again.changes);
    assert_eq!(
        requests_for(&sim, "PUT /contacts/{id}"),
        puts,
        "second run writes nothing"
    );
}

#[tokio::test]
async fn dry_run_lists_changes_and_writes_nothing() {
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let ctx = context(&sim);
    let before = get_contact(&sim, "a").await;

    let summary = session_sync::handle(&ctx, event(true))
        .await
        .expect("dry run");
    assert!(summary.dry_run);
    assert_eq!(summary.applied, 0);
    assert!(summary.changes_planned > 0);
    assert!(summary
        .changes
        .iter()
        .any(|c| c.contact_id == "a" && c.attribute == "Last Coaching Session" && c.old.is_null()));
    assert_eq!(requests_for(&sim, "PUT /contacts/{id}"), 0);
    assert_eq!(get_contact(&sim, "a").await, before);
}

#[tokio::test]
async fn a_short_window_after_a_backfill_does_not_undo_it() {
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let ctx = context(&sim);
    session_sync::handle(&ctx, json!({"lookbackDays": 365, "asOf": AS_OF}))
        .await
        .unwrap();
    let backfilled = attr(&sim, "g", "Last Coaching Session").await;
    let nightly = session_sync::handle(&ctx, json!({"lookbackDays": 1, "asOf": AS_OF}))
        .await
        .unwrap();
    assert_eq!(nightly.changes_planned, 0);
    assert_eq!(attr(&sim, "g", "Last Coaching Session").await, backfilled);
}

#[tokio::test]
async fn bad_events_are_refused_before_any_intercom_call() {
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let ctx = context(&sim);
    for (bad, field) in [
        (json!({"lookbackDays": 0}), "lookbackDays"),
        (json!({"lookbackDays": 3651}), "lookbackDays"),
        (json!({"lookbackDays": "30"}), "lookbackDays"),
        (json!({"dryRun": "yes"}), "dryRun"),
        (json!({"asOf": "yesterday"}), "asOf"),
        (json!({"lookbackDay": 30}), "lookbackDay"),
        // A writing run's as-of: at most 5 minutes after now (17:00Z) and 36 hours before it.
        (json!({"asOf": "2026-03-10T17:05:01Z"}), "asOf"),
        (json!({"asOf": "2026-03-09T04:59:59Z"}), "asOf"),
        (
            json!({"asOf": "2026-03-08T16:00:00Z", "dryRun": false}),
            "asOf",
        ),
        (json!({"asOf": "2020-03-10T16:00:00Z"}), "asOf"),
    ] {
        let error = session_sync::handle(&ctx, bad.clone())
            .await
            .expect_err("refused");
        assert!(matches!(error, JobError::InvalidInput(_)), "{bad}: {error}");
        assert!(
            error.to_string().contains(field),
            "{bad}: {error} should name {field}"
        );
    }
    assert_eq!(
        e2e_tests::requests(&sim),
        0,
        "no Intercom call for a bad event"
    );
}

#[tokio::test]
async fn a_dry_run_takes_any_as_of_and_a_writing_run_the_last_36_hours() {
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let ctx = context(&sim);
    for ok in [
        json!({"asOf": "2020-03-10T16:00:00Z", "dryRun": true}),
        json!({"asOf": "2030-03-10T16:00:00Z", "dryRun": true}),
        json!({"asOf": "2026-03-10T17:05:00Z", "dryRun": true}),
        json!({"asOf": "2026-03-09T05:00:01Z", "dryRun": true}),
    ] {
        session_sync::handle(&ctx, ok.clone())
            .await
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    assert_eq!(
        requests_for(&sim, "PUT /contacts/{id}"),
        0,
        "dry runs write nothing"
    );
    // The edges of a writing run's window.
    for edge in ["2026-03-10T17:05:00Z", "2026-03-09T05:00:00Z"] {
        session_sync::handle(&ctx, json!({"asOf": edge}))
            .await
            .unwrap_or_else(|e| panic!("{edge}: {e}"));
    }
}

#[tokio::test]
async fn a_missing_attribute_stops_the_run_before_any_write() {
    let workspace = {
        let mut w = workspace();
        w.data_attributes.retain(|a| a["name"] != "Last Call");
        w
    };
    let sim = start_sim(workspace, SimConfig::default()).await;
    let error = session_sync::handle(&context(&sim), event(false))
        .await
        .expect_err("preflight");
    assert!(matches!(error, JobError::Preflight(_)), "{error}");
    assert!(error.to_string().contains("Last Call"), "{error}");
    assert_eq!(requests_for(&sim, "PUT /contacts/{id}"), 0);
}

#[tokio::test]
async fn a_failed_update_is_reported_and_the_others_are_applied() {
    let config = SimConfig {
        failing_contact_updates: ["a".to_string()].into(),
        ..SimConfig::default()
    };
    let sim = start_sim(workspace(), config).await;
    let error = session_sync::handle(&context(&sim), event(false))
        .await
        .expect_err("the run ends in error");
    let message = error.to_string();
    let JobError::UpdatesFailed(summary) = error else {
        panic!("expected UpdatesFailed, got {message}");
    };
    assert_eq!(summary.failed.len(), 1, "{:?}", summary.failed);
    let failed = &summary.failed[0];
    assert_eq!(failed.contact_id, "a");
    assert_eq!(failed.status, Some(500));
    assert_eq!(failed.code.as_deref(), Some("server_error"));
    assert!(failed.request_id.is_some(), "Intercom's request id is kept");
    assert_eq!(
        summary.applied,
        summary.updates_planned - 1,
        "the other contacts were updated"
    );
    assert!(attr(&sim, "d", "Last Coaching Session").await.is_number());
    assert!(attr(&sim, "a", "Last Coaching Session").await.is_null());
    assert!(
        message.contains("contact a") && message.contains("server_error"),
        "{message}"
    );
}

/// Every written attribute of every contact of [`workspace`], as the simulator holds them.
async fn written(sim: &intercom_sim::RunningSim) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for id in ["a", "b", "c", "d", "e", "f", "g"] {
        for name in ["Last Coaching Session", "Last Call", "First Session Date"] {
            out.push(json!([id, name, attr(sim, id, name).await]));
        }
    }
    out
}

#[tokio::test]
async fn a_slice_that_keeps_failing_is_reported_and_the_others_apply() {
    // Window 2026-02-08..2026-03-10 in 7-day slices; the 2026-03-01..2026-03-07 slice's search
    // (its lower bound, widened by two days, is 2026-02-27 00:00 New York) always fails.
    let lower = ny(d("2026-02-27"), 0, 0);
    let config = SimConfig {
        failing_updated_at_searches: Some((lower, lower)),
        ..SimConfig::default()
    };
    let sim = start_sim(workspace(), config).await;
    let error = session_sync::handle(&context(&sim), event(false))
        .await
        .expect_err("a failed slice ends the run in error");
    let JobError::SearchesFailed(summary) = error else {
        panic!("expected SearchesFailed, got {error}");
    };
    let searches: Vec<&str> = summary
        .failed_searches
        .iter()
        .map(|f| f.search.as_str())
        .collect();
    assert_eq!(searches, ["conversations updated 2026-03-01..2026-03-07"]);
    assert!(summary.failed.is_empty());
    assert_eq!(summary.applied, summary.updates_planned);
    assert!(summary.complete);

    let today = d("2026-03-10");
    let days_ago = |n: i64| today - chrono::Duration::days(n);
    // Other slices applied: a's open phone call (2026-03-08), g's call updated 2026-02-28, and
    // a's First Session Date from the whole-history lookup.
    assert_eq!(
        attr(&sim, "a", "Last Call").await,
        json!(ny(days_ago(2), 9, 30))
    );
    assert_eq!(
        attr(&sim, "a", "First Session Date").await,
        json!(ny(days_ago(100), 15, 0))
    );
    assert_eq!(
        attr(&sim, "g", "Last Coaching Session").await,
        json!(ny(days_ago(40), 10, 0))
    );
    // The failed slice's calls (a's 2026-03-05, b, d, e, f) are left for the next run.
    assert_eq!(attr(&sim, "a", "Last Coaching Session").await, json!(null));
    assert_eq!(attr(&sim, "b", "Last Call").await, json!(null));
    assert_eq!(
        attr(&sim, "b", "Last Coaching Session").await,
        json!(ny(days_ago(1), 8, 0)),
        "stored value untouched"
    );
    for id in ["d", "e", "f"] {
        assert_eq!(
            attr(&sim, id, "Last Coaching Session").await,
            json!(null),
            "{id}"
        );
        assert_eq!(attr(&sim, id, "Last Call").await, json!(null), "{id}");
    }
}

#[tokio::test]
async fn a_run_out_of_budget_resumes_to_the_same_end_state_as_one_clean_run() {
    // 176 days: 2025-09-15..2026-03-10, 26 slices of 7 days (the last two of 7 and 2 days).
    let backfill = json!({"lookbackDays": 176, "asOf": AS_OF});
    let clean = start_sim(workspace(), SimConfig::default()).await;
    session_sync::handle(&context(&clean), backfill.clone())
        .await
        .expect("clean run");

    // No scan budget: each run scans its first wave of 24 slices (SLICE_CONCURRENCY), up to
    // 2026-03-01, then applies and stops.
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let ctx = context(&sim).with_scan_budget(std::time::Duration::ZERO);
    let first = session_sync::handle(&ctx, backfill)
        .await
        .expect("first run");
    assert!(!first.complete);
    assert_eq!(first.resume_from.as_deref(), Some("2026-03-02"));
    let today = d("2026-03-10");
    let days_ago = |n: i64| today - chrono::Duration::days(n);
    assert_eq!(
        attr(&sim, "a", "Last Call").await,
        json!(null),
        "a's calls (2026-03-05, 2026-03-08) are in the slices not yet scanned"
    );
    assert_eq!(
        attr(&sim, "g", "Last Coaching Session").await,
        json!(ny(days_ago(40), 10, 0)),
        "g's call, updated 2026-02-28, is in the first batch"
    );
    let second = session_sync::handle(
        &ctx,
        json!({"lookbackDays": 176, "asOf": AS_OF, "resumeFrom": "2026-03-02"}),
    )
    .await
    .expect("resumed run");
    assert!(second.complete);
    assert_eq!(second.resume_from, None);
    assert_eq!(
        attr(&sim, "a", "Last Call").await,
        json!(ny(days_ago(2), 9, 30))
    );
    assert_eq!(written(&sim).await, written(&clean).await);

    // A resumeFrom outside the window is refused before any call.
    let before = e2e_tests::requests(&sim);
    let error = session_sync::handle(
        &ctx,
        json!({"lookbackDays": 30, "asOf": AS_OF, "resumeFrom": "2026-03-11"}),
    )
    .await
    .expect_err("outside the window");
    assert!(error.to_string().contains("resumeFrom"), "{error}");
    assert_eq!(e2e_tests::requests(&sim), before);
}

#[tokio::test]
async fn warm_invocations_reuse_the_http_client_with_fresh_counters() {
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let ctx = context(&sim);
    let one = session_sync::handle(&ctx, event(true))
        .await
        .expect("first");
    let two = session_sync::handle(&ctx, event(true))
        .await
        .expect("second");
    assert!(one.api_calls > 0);
    assert_eq!(
        one.api_calls, two.api_calls,
        "counters start at zero each invocation"
    );
    assert_eq!(
        ctx.clients_built().await,
        1,
        "one HTTP client per environment"
    );
}
