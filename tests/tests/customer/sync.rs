//! `customer-sync` end to end on the hand-built workspace of [`super::support::workspace`]: the
//! first full sync with hand-computed rows, alerts and Slack message; a column another source
//! owns survives; a re-run writes nothing; an incremental run picks up a changed contact and the
//! contact of a new conversation; dry runs; bad events.

use e2e_tests::postgres::fresh_database;
use e2e_tests::{requests, start_sim};
use intercom_sim::SimConfig;
use serde_json::{json, Value};
use shared::customers::handlers::sync::{self, SyncError};
use shared::store::query::{query, query_scalar};

use super::support::*;

fn alert(
    email: &str,
    kind: &str,
    previous: Option<&str>,
    new: Option<&str>,
) -> (String, String, Option<String>, Option<String>) {
    (
        email.into(),
        kind.into(),
        previous.map(str::to_string),
        new.map(str::to_string),
    )
}

/// A row another source wrote first: its own column, and an older Intercom MRR of 300.00.
async fn pre_existing_row(db: &e2e_tests::postgres::TestDatabase) {
    query("ALTER TABLE unified_customers ADD COLUMN account_owner text")
        .execute(&db.pool)
        .await
        .unwrap();
    query("INSERT INTO unified_customers (email, account_owner, mrr, intercom_contact_id) VALUES ('dana@delta.com', 'Maria (HubSpot)', 300.00, 'c-dana-new')")
        .execute(&db.pool).await.unwrap();
}

#[tokio::test]
async fn full_sync_writes_hand_computed_rows_alerts_and_one_message() {
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let sink = slack_sink::start(slack_sink::SinkConfig::default(), 0)
        .await
        .unwrap();
    let db = fresh_database().await;
    let ctx = customer_context(&sim, &db, Some(slack(&sink)));
    ctx.pool().await.unwrap();
    pre_existing_row(&db).await;

    let s = sync::handle(&ctx, json!({"mode": "full", "asOf": AS_OF_TEXT}))
        .await
        .unwrap();
    assert_eq!(customers(&db).await, expected_rows());
    assert_eq!(
        (
            s.contacts_read,
            s.contacts_synced,
            s.new_contacts,
            s.updated_contacts,
            s.unchanged_contacts
        ),
        (8, 4, 3, 1, 0)
    );
    assert_eq!(
        serde_json::to_value(s.skipped_contacts).unwrap(),
        json!({"missing_email": 1, "invalid_email": 1, "duplicate_email": 1, "invalid_data": 1})
    );
    // (100 + 65 + 20 + 40) / 4.
    assert_eq!(s.avg_quality_score, Some(56.25));
    assert_eq!(
        serde_json::to_value(&s.alerts).unwrap(),
        json!({"cancel_mention": 2, "delinquent": 1, "high_value": 1, "mrr_change": 1})
    );
    // ann 2 + bob 2 + cat 1 conversations; parts of the three whose contact may have written a
    // recent part: v-bob-1 and v-cat-1 (last contact reply after the source), v-bob-2 (no
    // statistics, updated recently). v-ann-1's last contact message is its source.
    assert_eq!(
        (s.conversations_read, s.parts_fetched, s.rows_written),
        (5, 3, 4)
    );
    assert!(s.complete && s.errors.is_empty());
    assert_eq!(s.watermark.unwrap().timestamp(), AS_OF);
    // Batches go by updated_at: cat, bob, ann, dana.
    assert_eq!(
        alerts(&db).await,
        vec![
            alert("bob@beta.io", "high_value", None, Some("800.00")),
            alert("bob@beta.io", "cancel_mention", None, Some("true")),
            alert("bob@beta.io", "delinquent", None, Some("true")),
            alert("ann@acme.com", "cancel_mention", None, Some("true")),
            alert(
                "dana@delta.com",
                "mrr_change",
                Some("300.00"),
                Some("100.00")
            ),
        ]
    );
    // The column this job does not own survives the update.
    let owner: Option<String> =
        query_scalar("SELECT account_owner FROM unified_customers WHERE email = 'dana@delta.com'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(owner.as_deref(), Some("Maria (HubSpot)"));

    // One message listing the five alerts, all marked sent.
    assert!(
        s.slack.posted && s.slack.alerts_listed == 5,
        "{:?}",
        s.slack
    );
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let blocks = messages[0]["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["text"]["text"], "Customer sync: 5 alerts");
    assert_eq!(
        blocks[1]["text"]["text"],
        "High value: 1 · Cancel mention: 2 · Delinquent: 1 · MRR change: 1"
    );
    let lines: Vec<&str> = blocks[4..]
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(lines[0], "*bob@beta.io* — High value: MRR none → $800.00");
    assert_eq!(
        lines[4],
        "*dana@delta.com* — MRR change: MRR $300.00 → $100.00"
    );
    let unsent: i64 =
        query_scalar("SELECT count(*) FROM customer_alerts WHERE notified_at IS NULL")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(unsent, 0);

    // A re-run reads everything again and writes nothing: no row, no alert, no message.
    let synced_at: Vec<Value> = rows(
        &db,
        "unified_customers",
        "email, last_intercom_sync",
        "email",
    )
    .await;
    let again = sync::handle(&ctx, json!({"mode": "full", "asOf": AS_OF_TEXT}))
        .await
        .unwrap();
    assert_eq!(
        (
            again.contacts_synced,
            again.unchanged_contacts,
            again.rows_written
        ),
        (4, 4, 0)
    );
    assert!(again.alerts.values().all(|n| *n == 0), "{:?}", again.alerts);
    assert_eq!(customers(&db).await, expected_rows());
    assert_eq!(
        rows(
            &db,
            "unified_customers",
            "email, last_intercom_sync",
            "email"
        )
        .await,
        synced_at
    );
    assert_eq!(alerts(&db).await.len(), 5);
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(again.slack.error.as_deref(), Some("no alerts"));
    // An incremental run at the same as-of finds nothing changed since the watermark.
    let inc = sync::handle(&ctx, json!({"asOf": AS_OF_TEXT}))
        .await
        .unwrap();
    assert_eq!((inc.contacts_read, inc.rows_written), (0, 0));

    sink.shutdown().await;
    sim.shutdown().await;
    db.drop_database().await;
}

#[tokio::test]
async fn incremental_reads_changed_contacts_and_contacts_of_new_conversations() {
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let sink = slack_sink::start(slack_sink::SinkConfig::default(), 0)
        .await
        .unwrap();
    let db = fresh_database().await;
    let ctx = customer_context(&sim, &db, Some(slack(&sink)));
    sync::handle(&ctx, json!({"asOf": AS_OF_TEXT}))
        .await
        .unwrap();
    sim.shutdown().await;

    // Six hours later: bob dropped to 1 seat (updated), cat wrote a new conversation (her contact
    // is not updated).
    let mut ws = serde_json::to_value(workspace()).unwrap();
    let contacts = ws["contacts"].as_array_mut().unwrap();
    let bob = contacts.iter_mut().find(|c| c["id"] == "c-bob").unwrap();
    bob["custom_attributes"]["Stripe Subscriptions"][0]["quantity"] = json!(1);
    bob["updated_at"] = json!(AS_OF + 3600);
    ws["conversations"]
        .as_array_mut()
        .unwrap()
        .push(conversation(
            "v-cat-2",
            "c-cat",
            AS_OF + 7200,
            AS_OF + 7200,
            "open",
            author("lead", "c-cat"),
            "<p>We won&#39;t renew next year</p>",
            json!({}),
        ));
    let sim = start_sim(serde_json::from_value(ws).unwrap(), SimConfig::default()).await;
    let ctx = customer_context(&sim, &db, Some(slack(&sink)));
    let s = sync::handle(&ctx, json!({"asOf": "2026-11-30T18:00:00Z"}))
        .await
        .unwrap();
    assert_eq!(s.window.contacts_from, Some(AS_OF));
    assert_eq!(
        (
            s.contacts_read,
            s.contacts_synced,
            s.updated_contacts,
            s.rows_written
        ),
        (2, 2, 2, 2)
    );
    assert_eq!(
        serde_json::to_value(&s.alerts).unwrap(),
        json!({"cancel_mention": 1, "delinquent": 0, "high_value": 0, "mrr_change": 1})
    );
    let mut want = expected_rows();
    // bob: 250.00 + 50.00 = 300.00 a month (a drop of 62.5%: an alert).
    want[1]["mrr"] = json!("300.00");
    want[1]["arr"] = json!("3600.00");
    // cat: a second open conversation, in which she says "won't renew".
    want[2]["intercom_convos_total"] = json!(2);
    want[2]["intercom_convos_30d"] = json!(2);
    want[2]["open_tickets"] = json!(2);
    want[2]["mentioned_cancel"] = json!(true);
    assert_eq!(customers(&db).await, want);
    let new_alerts = alerts(&db).await.split_off(4);
    assert_eq!(
        new_alerts,
        vec![
            alert("bob@beta.io", "mrr_change", Some("800.00"), Some("300.00")),
            alert(
                "cat@gamma.org",
                "cancel_mention",
                Some("false"),
                Some("true")
            ),
        ]
    );
    // Untouched rows keep the as-of of the run that wrote them.
    let ann: String = query_scalar(
        "SELECT last_intercom_sync::text FROM unified_customers WHERE email = 'ann@acme.com'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(ann, "2026-11-30 12:00:00+00");
    assert_eq!(sink.messages().len(), 2);
    assert_eq!(
        sink.messages()[1]["blocks"][0]["text"]["text"],
        "Customer sync: 2 alerts"
    );

    sink.shutdown().await;
    sim.shutdown().await;
    db.drop_database().await;
}

#[tokio::test]
async fn dry_run_computes_everything_and_writes_nothing() {
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let sink = slack_sink::start(slack_sink::SinkConfig::default(), 0)
        .await
        .unwrap();
    let db = fresh_database().await;
    let ctx = customer_context(&sim, &db, Some(slack(&sink)));
    let s = sync::handle(
        &ctx,
        json!({"mode": "full", "dryRun": true, "asOf": AS_OF_TEXT}),
    )
    .await
    .unwrap();
    assert_eq!(
        (s.contacts_synced, s.new_contacts, s.rows_written),
        (4, 4, 0)
    );
    assert_eq!(s.alerts["cancel_mention"], 2);
    assert_eq!(s.sample.len(), 4);
    assert_eq!(s.sample[0]["email_domain"], "gamma.org");
    assert_eq!(s.watermark, None);
    assert_eq!(customers(&db).await, Vec::<Value>::new());
    assert!(alerts(&db).await.is_empty());
    let states: i64 = query_scalar("SELECT count(*) FROM sync_state")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(states, 0);
    assert!(sink.messages().is_empty());
    sink.shutdown().await;
    sim.shutdown().await;
    db.drop_database().await;
}

#[tokio::test]
async fn bad_events_are_refused_before_any_call() {
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let db = fresh_database().await;
    let ctx = customer_context(&sim, &db, None);
    for (event, fields) in [
        (
            json!({"mode": "weekly", "dryRun": 1}),
            vec!["mode", "dryRun"],
        ),
        (json!({"asOf": "2026-13-01"}), vec!["asOf"]),
        (json!({"lookbackDays": 7}), vec!["lookbackDays"]),
    ] {
        match sync::handle(&ctx, event.clone()).await {
            Err(SyncError::InvalidInput(e)) => assert_eq!(e.fields(), fields, "{event}"),
            other => panic!("{event}: {other:?}"),
        }
    }
    assert_eq!(requests(&sim), 0);
    sim.shutdown().await;
    db.drop_database().await;
}
