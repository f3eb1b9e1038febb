//! `service-sync` end to end: a hand-built workspace of three conversations with hand-computed
//! rows, aggregates and dashboard figures; incremental re-runs; dry runs; bad events.

use e2e_tests::fixtures::{admin, contact};
use e2e_tests::postgres::fresh_database;
use e2e_tests::{requests, requests_for, start_sim};
use intercom_sim::{SimConfig, Workspace};
use serde_json::{json, Value};
use shared::service::handlers::sync::{self, SyncError};
use shared::store::query::query_scalar;

use super::support::{service_context, table};

/// 2026-03-09T14:00:00Z: 10:00 EDT on Monday 9 March (the day after the spring change).
const T_A: i64 = 1_773_064_800;
/// 2026-03-10T03:30:00Z: 23:30 EDT, still Monday 9 March locally.
const T_B: i64 = 1_773_113_400;
/// 2026-03-10T13:00:00Z: 09:00 EDT on Tuesday 10 March.
const T_C: i64 = 1_773_147_600;
pub(crate) const AS_OF: &str = "2026-03-10T16:00:00Z";

fn member(id: &str, country: Option<&str>) -> Value {
    let mut c = contact(id, "user", &format!("Member {id}"), json!({}));
    c["location"]["country"] = json!(country);
    c
}

fn part(id: &str, part_type: &str, at: i64, author: Value) -> Value {
    json!({"type": "conversation_part", "id": id, "part_type": part_type, "body": "<p>text</p>",
           "created_at": at, "updated_at": at, "notified_at": at, "author": author})
}

fn admin_author(id: &str) -> Value {
    json!({"type": "admin", "id": id, "name": "Agent", "email": "agent@support.example"})
}

fn user_author(id: &str) -> Value {
    json!({"type": "user", "id": id, "name": "Member", "email": "member@example.com"})
}

#[allow(clippy::too_many_arguments)]
fn conversation(
    id: &str,
    contact_id: &str,
    created_at: i64,
    updated_at: i64,
    state: &str,
    admin: Option<i64>,
    extra: Value,
) -> Value {
    let mut c = json!({
        "type": "conversation", "id": id, "title": null, "created_at": created_at,
        "updated_at": updated_at, "waiting_since": null, "snoozed_until": null,
        "open": state != "closed", "state": state, "read": true, "priority": "not_priority",
        "admin_assignee_id": admin.unwrap_or(0), "team_assignee_id": null,
        "tags": {"type": "tag.list", "tags": []}, "conversation_rating": null,
        "source": {"type": "conversation", "id": format!("src-{id}"), "delivered_as": "customer_initiated",
                   "subject": "", "body": "<p>Help</p>", "author": user_author(contact_id),
                   "attachments": [], "url": null, "redacted": false},
        "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": contact_id, "external_id": null}]},
        "teammates": {"type": "admin.list", "teammates": []},
        "custom_attributes": {}, "first_contact_reply": null, "sla_applied": null,
        "statistics": {"type": "conversation_statistics"},
        "conversation_parts": {"type": "conversation_part.list", "conversation_parts": [], "total_count": 0},
        "topics": {"type": "topic.list", "topics": [], "total_count": 0}
    });
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

/// A: answered at +45 s and, after a member message at +100 s, at +250 s (ART 97.5 → 98 s),
/// rated 5, CX score 4. B: reopened, unassigned, tagged NEGATIVE, no first contact reply, by
/// email. C: FRT 200 s, rated 2, no sentiment, contact without a country. The report tests
/// load it too (`super::report`).
pub(crate) fn workspace(b_updated: Option<(i64, i64, i64)>) -> Workspace {
    let a = conversation(
        "a1",
        "c1",
        T_A,
        T_A + 900,
        "closed",
        Some(10),
        json!({
            "team_assignee_id": 5,
            "custom_attributes": {"Channel": "Chat", "CX Score rating": 4},
            "conversation_rating": {"rating": 5, "remark": "Quick and kind", "created_at": T_A + 950,
                                    "contact": {"type": "contact", "id": "c1"}, "teammate": {"type": "admin", "id": "10"}},
            "statistics": {"type": "conversation_statistics", "first_contact_reply_at": T_A,
                           "first_admin_reply_at": T_A + 45, "time_to_admin_reply": 45,
                           "median_time_to_reply": 50, "first_assignment_at": T_A + 10,
                           "time_to_assignment": 10, "handling_time": 600, "last_close_at": T_A + 900,
                           "count_reopens": 0, "count_conversation_parts": 4},
            "conversation_parts": {"type": "conversation_part.list", "total_count": 4, "conversation_parts": [
                part("a-p1", "comment", T_A + 45, admin_author("10")),
                part("a-p2", "comment", T_A + 100, user_author("c1")),
                part("a-p3", "comment", T_A + 250, admin_author("10")),
                part("a-p4", "close", T_A + 900, admin_author("10")),
            ]},
        }),
    );
    let (b_updated_at, b_admin, b_rating) = b_updated.unwrap_or((T_B + 3600, 0, 0));
    let mut b_extra = json!({
        "source": {"type": "email", "id": "src-b2", "delivered_as": "customer_initiated",
                   "subject": "", "body": "<p>Again</p>", "author": user_author("c2"),
                   "attachments": [], "url": null, "redacted": false},
        "tags": {"type": "tag.list", "tags": [{"type": "tag", "id": "t1", "name": "NEGATIVE"}]},
        "statistics": {"type": "conversation_statistics", "first_admin_reply_at": T_B + 300,
                       "count_reopens": 1, "count_conversation_parts": 0},
    });
    if b_rating > 0 {
        b_extra["conversation_rating"] = json!({"rating": b_rating, "remark": null,
            "created_at": b_updated_at, "contact": {"type": "contact", "id": "c2"},
            "teammate": {"type": "admin", "id": "10"}});
    }
    let b = conversation(
        "b2",
        "c2",
        T_B,
        b_updated_at,
        "open",
        (b_admin > 0).then_some(b_admin),
        b_extra,
    );
    let c = conversation(
        "c3",
        "c3",
        T_C,
        T_C + 1000,
        "closed",
        Some(11),
        json!({
            "custom_attributes": {"Channel": "Phone"},
            "conversation_rating": {"rating": 2, "remark": "", "created_at": T_C + 1100,
                                    "contact": {"type": "contact", "id": "c3"}, "teammate": {"type": "admin", "id": "11"}},
            "statistics": {"type": "conversation_statistics", "first_contact_reply_at": T_C,
                           "first_admin_reply_at": T_C + 200, "time_to_admin_reply": 200,
                           "first_assignment_at": T_C + 30, "handling_time": 300,
                           "last_close_at": T_C + 1000, "count_reopens": 0, "count_conversation_parts": 2},
            "conversation_parts": {"type": "conversation_part.list", "total_count": 2, "conversation_parts": [
                part("c-p1", "comment", T_C + 200, admin_author("11")),
                part("c-p2", "close", T_C + 1000, admin_author("11")),
            ]},
        }),
    );
    Workspace {
        admins: vec![admin("10", "Ann Agent"), admin("11", "Bob Agent")],
        contacts: vec![
            member("c1", Some("United States")),
            member("c2", Some("Germany")),
            member("c3", None),
        ],
        conversations: vec![a, b, c],
        data_attributes: vec![],
    }
}

async fn scalar(db: &e2e_tests::postgres::TestDatabase, sql: &str) -> Value {
    let mut tx = db.pool.begin().await.unwrap();
    let v: Value = query_scalar(&format!("SELECT to_jsonb(x) FROM ({sql}) x"))
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    v
}

async fn rows(db: &e2e_tests::postgres::TestDatabase, sql: &str) -> Vec<Value> {
    let mut tx = db.pool.begin().await.unwrap();
    let v: Value = query_scalar(&format!(
        "SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]') FROM ({sql}) x"
    ))
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    v.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_full_sync_writes_the_hand_computed_rows_aggregates_and_dashboard_figures() {
    let db = fresh_database().await;
    let sim = start_sim(workspace(None), SimConfig::default()).await;
    let ctx = service_context(&sim, &db);
    let summary = sync::handle(
        &ctx,
        json!({"mode": "full", "lookbackDays": 30, "asOf": AS_OF}),
    )
    .await
    .expect("service-sync");
    assert_eq!(
        (summary.scanned, summary.changed, summary.upserted),
        (3, 3, 3)
    );
    assert_eq!((summary.parts_fetched, summary.contacts_looked_up), (3, 3));
    // Two local dates: 9 March (A, B) and 10 March (C).
    assert_eq!((summary.truncated, summary.aggregates_recomputed), (0, 2));
    assert!(summary.complete && summary.failed.is_empty());
    assert_eq!(summary.watermark.unwrap().timestamp(), T_C + 1000);
    // One GET per changed conversation and one contact search for the three contacts.
    assert_eq!(requests_for(&sim, "GET /conversations/{id}"), 3);
    assert_eq!(requests_for(&sim, "POST /contacts/search"), 1);

    let conversations = table(
        &db,
        "service_conversations",
        "conversation_id, start_date, start_hour, start_day_of_week, channel, contact_country, \
         assignee_id, assignee_name, team_id, frt_seconds, frt_office_hours_seconds, art_seconds, \
         median_reply_seconds, response_count, aht_seconds, wait_time_seconds, \
         time_to_close_seconds, csat_rating, csat_remark, sentiment, sentiment_source, \
         reopened_count, is_reopened, parts_truncated, state",
        "conversation_id",
    )
    .await;
    assert_eq!(
        conversations,
        vec![
            json!({"conversation_id": "a1", "start_date": "2026-03-09", "start_hour": 10,
                   "start_day_of_week": 1, "channel": "Chat", "contact_country": "United States",
                   "assignee_id": "10", "assignee_name": "Ann Agent", "team_id": "5",
                   "frt_seconds": 45, "frt_office_hours_seconds": 45, "art_seconds": 98,
                   "median_reply_seconds": 50, "response_count": 2, "aht_seconds": 600,
                   "wait_time_seconds": 10, "time_to_close_seconds": 900, "csat_rating": 5,
                   "csat_remark": "Quick and kind", "sentiment": "Positive",
                   "sentiment_source": "cx_score", "reopened_count": 0, "is_reopened": false,
                   "parts_truncated": false, "state": "closed"}),
            json!({"conversation_id": "b2", "start_date": "2026-03-09", "start_hour": 23,
                   "start_day_of_week": 1, "channel": "email", "contact_country": "Germany",
                   "assignee_id": null, "assignee_name": null, "team_id": null,
                   "frt_seconds": null, "frt_office_hours_seconds": null, "art_seconds": null,
                   "median_reply_seconds": null, "response_count": 0, "aht_seconds": null,
                   "wait_time_seconds": null, "time_to_close_seconds": null, "csat_rating": null,
                   "csat_remark": null, "sentiment": "Negative", "sentiment_source": "tag",
                   "reopened_count": 1, "is_reopened": true, "parts_truncated": false,
                   "state": "open"}),
            json!({"conversation_id": "c3", "start_date": "2026-03-10", "start_hour": 9,
                   "start_day_of_week": 2, "channel": "Phone", "contact_country": null,
                   "assignee_id": "11", "assignee_name": "Bob Agent", "team_id": null,
                   "frt_seconds": 200, "frt_office_hours_seconds": 200, "art_seconds": 200,
                   "median_reply_seconds": null, "response_count": 1, "aht_seconds": 300,
                   "wait_time_seconds": 30, "time_to_close_seconds": 1000, "csat_rating": 2,
                   "csat_remark": null, "sentiment": null, "sentiment_source": null,
                   "reopened_count": 0, "is_reopened": false, "parts_truncated": false,
                   "state": "closed"}),
        ]
    );

    let daily = table(
        &db,
        "service_daily_metrics",
        "date, total_conversations, new_conversations, reopened_conversations, avg_frt_seconds, \
         median_frt_seconds, avg_art_seconds, avg_aht_seconds, avg_wait_time_seconds, \
         frt_count, frt_hit_count, art_count, art_hit_count, frt_hit_rate::float8, \
         art_hit_rate::float8, avg_csat::float8, csat_score::float8, rated_count, \
         sentiment_distribution, channel_distribution, \
         hourly_distribution->'10' AS h10, hourly_distribution->'23' AS h23, hourly_distribution->'9' AS h9",
        "date",
    )
    .await;
    assert_eq!(
        daily,
        vec![
            json!({"date": "2026-03-09", "total_conversations": 2, "new_conversations": 1,
                   "reopened_conversations": 1, "avg_frt_seconds": 45, "median_frt_seconds": 45,
                   "avg_art_seconds": 98, "avg_aht_seconds": 600, "avg_wait_time_seconds": 10,
                   "frt_count": 1, "frt_hit_count": 1, "art_count": 1, "art_hit_count": 1,
                   "frt_hit_rate": 100, "art_hit_rate": 100, "avg_csat": 5,
                   "csat_score": 100, "rated_count": 1,
                   "sentiment_distribution": {"Positive": 1, "Neutral": 0, "Negative": 1, "Unknown": 0},
                   "channel_distribution": {"Chat": 1, "email": 1}, "h10": 1, "h23": 1, "h9": 0}),
            json!({"date": "2026-03-10", "total_conversations": 1, "new_conversations": 1,
                   "reopened_conversations": 0, "avg_frt_seconds": 200, "median_frt_seconds": 200,
                   "avg_art_seconds": 200, "avg_aht_seconds": 300, "avg_wait_time_seconds": 30,
                   "frt_count": 1, "frt_hit_count": 0, "art_count": 1, "art_hit_count": 0,
                   "frt_hit_rate": 0, "art_hit_rate": 0, "avg_csat": 2,
                   "csat_score": 0, "rated_count": 1,
                   "sentiment_distribution": {"Positive": 0, "Neutral": 0, "Negative": 0, "Unknown": 1},
                   "channel_distribution": {"Phone": 1}, "h10": 0, "h23": 0, "h9": 1}),
        ]
    );
    assert_eq!(
        table(
            &db,
            "service_hourly_volume",
            "date, hour, day_of_week, conversation_count, unassigned_count",
            "date, hour"
        )
        .await,
        vec![
            json!({"date": "2026-03-09", "hour": 10, "day_of_week": 1, "conversation_count": 1, "unassigned_count": 0}),
            json!({"date": "2026-03-09", "hour": 23, "day_of_week": 1, "conversation_count": 1, "unassigned_count": 1}),
            json!({"date": "2026-03-10", "hour": 9, "day_of_week": 2, "conversation_count": 1, "unassigned_count": 0}),
        ]
    );
    assert_eq!(
        table(
            &db,
            "service_country_metrics",
            "date, country, conversation_count",
            "date, country"
        )
        .await,
        vec![
            json!({"date": "2026-03-09", "country": "Germany", "conversation_count": 1}),
            json!({"date": "2026-03-09", "country": "United States", "conversation_count": 1}),
            json!({"date": "2026-03-10", "country": "Unknown", "conversation_count": 1}),
        ]
    );

    // The dashboard's functions over both days: exact over the conversations, not averages of
    // daily averages (FRT 45 and 200: mean 122.5 → 123, median 122.5 → 123, p90 184.5 → 185).
    let s = scalar(&db, "SELECT total_conversations, new_conversations, reopened_conversations, \
        avg_frt_seconds, median_frt_seconds, p90_frt_seconds, avg_art_seconds, \
        frt_hit_rate::float8, art_hit_rate::float8, avg_csat::float8, csat_score::float8, rated_count \
        FROM get_service_performance_summary('2026-03-09', '2026-03-10')").await;
    assert_eq!(
        s,
        json!({"total_conversations": 3, "new_conversations": 2, "reopened_conversations": 1,
               "avg_frt_seconds": 123, "median_frt_seconds": 123, "p90_frt_seconds": 185,
               "avg_art_seconds": 149, "frt_hit_rate": 50, "art_hit_rate": 50,
               "avg_csat": 3.5, "csat_score": 50, "rated_count": 2})
    );
    let leaders = rows(
        &db,
        "SELECT rank, assignee_id, assignee_name, metric_value::float8 \
        FROM get_service_teammate_leaderboard('2026-03-09', '2026-03-10', 'csat', 5)",
    )
    .await;
    assert_eq!(
        leaders,
        vec![
            json!({"rank": 1, "assignee_id": "10", "assignee_name": "Ann Agent", "metric_value": 5}),
            json!({"rank": 2, "assignee_id": "11", "assignee_name": "Bob Agent", "metric_value": 2}),
        ]
    );
    let by_frt = rows(&db, "SELECT assignee_id FROM get_service_teammate_leaderboard('2026-03-09', '2026-03-10', 'frt', 5)").await;
    assert_eq!(
        by_frt,
        vec![json!({"assignee_id": "10"}), json!({"assignee_id": "11"})]
    );
    let countries = rows(&db, "SELECT country, conversation_count FROM get_service_country_distribution('2026-03-09', '2026-03-10', 2)").await;
    assert_eq!(
        countries,
        vec![
            json!({"country": "Germany", "conversation_count": 1}),
            json!({"country": "United States", "conversation_count": 1}),
        ]
    );
    let trend = rows(
        &db,
        "SELECT date, total_conversations FROM get_service_daily_trend('2026-03-08', '2026-03-10')",
    )
    .await;
    assert_eq!(
        trend,
        vec![
            json!({"date": "2026-03-08", "total_conversations": 0}),
            json!({"date": "2026-03-09", "total_conversations": 2}),
            json!({"date": "2026-03-10", "total_conversations": 1}),
        ]
    );
    let heat = scalar(&db, "SELECT count(*) AS cells, sum(conversation_count) AS total, \
        sum(unassigned_count) AS unassigned FROM get_service_volume_heatmap('2026-03-09', '2026-03-10')").await;
    assert_eq!(heat, json!({"cells": 168, "total": 3, "unassigned": 1}));
    db.drop_database().await;
}

#[tokio::test]
async fn a_second_run_reads_no_parts_and_a_changed_conversation_is_refiled() {
    let db = fresh_database().await;
    let sim = start_sim(workspace(None), SimConfig::default()).await;
    let ctx = service_context(&sim, &db);
    sync::handle(
        &ctx,
        json!({"mode": "full", "lookbackDays": 30, "asOf": AS_OF}),
    )
    .await
    .unwrap();
    let again = sync::handle(&ctx, json!({"asOf": AS_OF})).await.unwrap();
    // From the watermark (C's updated_at, inclusive): C is read again by search, unchanged.
    assert_eq!(
        (
            again.scanned,
            again.changed,
            again.upserted,
            again.parts_fetched
        ),
        (1, 0, 0, 0)
    );
    assert_eq!(
        requests_for(&sim, "GET /conversations/{id}"),
        3,
        "no GET on the second run"
    );
    drop(sim);

    // B is assigned to Ann and rated 4 later that afternoon.
    let sim = start_sim(
        workspace(Some((1_773_154_800, 10, 4))),
        SimConfig::default(),
    )
    .await;
    let ctx = service_context(&sim, &db);
    let third = sync::handle(&ctx, json!({"asOf": AS_OF})).await.unwrap();
    assert_eq!(
        (third.changed, third.upserted, third.parts_fetched),
        (1, 1, 1)
    );
    assert_eq!(third.watermark.unwrap().timestamp(), 1_773_154_800);
    assert_eq!(
        table(
            &db,
            "service_teammate_metrics",
            "assignee_id, period_start, conversation_count, rated_count, csat_sum",
            "assignee_id, period_start"
        )
        .await,
        vec![
            json!({"assignee_id": "10", "period_start": "2026-03-09", "conversation_count": 2, "rated_count": 2, "csat_sum": 9}),
            json!({"assignee_id": "11", "period_start": "2026-03-10", "conversation_count": 1, "rated_count": 1, "csat_sum": 2}),
        ]
    );
    let day = scalar(&db, "SELECT avg_csat::float8, rated_count, (SELECT unassigned_count FROM service_hourly_volume WHERE date = '2026-03-09' AND hour = 23) AS unassigned_at_23 FROM service_daily_metrics WHERE date = '2026-03-09'").await;
    assert_eq!(
        day,
        json!({"avg_csat": 4.5, "rated_count": 2, "unassigned_at_23": 0})
    );
    db.drop_database().await;
}

#[tokio::test]
async fn a_dry_run_reads_and_computes_but_writes_nothing() {
    let db = fresh_database().await;
    let sim = start_sim(workspace(None), SimConfig::default()).await;
    let ctx = service_context(&sim, &db);
    let summary = sync::handle(&ctx, json!({"mode": "full", "asOf": AS_OF, "dryRun": true}))
        .await
        .unwrap();
    assert_eq!(
        (summary.scanned, summary.changed, summary.upserted),
        (3, 3, 0)
    );
    assert_eq!(summary.sample.len(), 3);
    assert_eq!(summary.sample[0]["conversation_id"], "a1");
    assert_eq!(summary.sample[0]["art_seconds"], 98);
    let counts = scalar(&db, "SELECT (SELECT count(*) FROM service_conversations) AS rows, \
        (SELECT count(*) FROM service_daily_metrics) AS days, (SELECT count(*) FROM sync_state) AS states").await;
    assert_eq!(counts, json!({"rows": 0, "days": 0, "states": 0}));
    db.drop_database().await;
}

#[tokio::test]
async fn bad_events_are_refused_naming_the_field_before_any_call() {
    let db = fresh_database().await;
    let sim = start_sim(workspace(None), SimConfig::default()).await;
    let ctx = service_context(&sim, &db);
    for (event, field) in [
        (json!({"mode": "nightly"}), "mode"),
        (json!({"lookbackDays": 30}), "lookbackDays"),
        (json!({"mode": "full", "lookbackDays": 0}), "lookbackDays"),
        (json!({"dryRun": 1}), "dryRun"),
        (json!({"asOf": "2026-13-01"}), "asOf"),
        (json!({"cursor": "x"}), "cursor"),
    ] {
        let error = sync::handle(&ctx, event.clone()).await.unwrap_err();
        match error {
            SyncError::InvalidInput(e) => assert_eq!(e.fields(), [field], "{event}"),
            other => panic!("{event}: {other}"),
        }
    }
    assert_eq!(requests(&sim), 0);
    let tables = scalar(
        &db,
        "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'service_conversations'",
    )
    .await;
    assert_eq!(tables, json!({"n": 0}), "no migration either");
    db.drop_database().await;
}
