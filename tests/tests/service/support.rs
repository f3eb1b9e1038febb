//! What the service tests share: a context on the simulator and a fresh database, and the
//! tables read back in a stable order.

use e2e_tests::postgres::TestDatabase;
use e2e_tests::TOKEN;
use intercom_sim::RunningSim;
use shared::aws::secrets::TokenSource;
use shared::context::IntercomSettings;
use shared::service::config::Config;
use shared::service::handlers::ServiceContext;
use shared::store::query::query_scalar;

/// The context `service-sync` would build, on `sim` and `db`, configured for version 2.11 (the
/// job asks for 2.13 itself).
pub fn service_context(sim: &RunningSim, db: &TestDatabase) -> ServiceContext {
    ServiceContext::new(
        Config::default(),
        IntercomSettings {
            base_url: sim.base_url.clone(),
            version: "2.11".into(),
            timeout: shared::intercom::DEFAULT_TIMEOUT,
        },
        TokenSource::fixed(TOKEN.into()),
        db.url.clone(),
    )
}

/// Every row of `table` (columns `columns`, as JSON), ordered by `order`: a stable picture to
/// compare two databases with.
pub async fn table(
    db: &TestDatabase,
    table: &str,
    columns: &str,
    order: &str,
) -> Vec<serde_json::Value> {
    let mut tx = db.pool.begin().await.unwrap();
    let sql = format!(
        "SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY {order}), '[]') FROM (SELECT {columns} FROM {table}) t"
    );
    let value: serde_json::Value = query_scalar(&sql).fetch_one(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    value.as_array().unwrap().clone()
}

/// The service tables without the columns that record when they were written.
pub async fn snapshot(db: &TestDatabase) -> Vec<Vec<serde_json::Value>> {
    const CONVERSATION_COLUMNS: &str =
        "conversation_id, created_at, updated_at, state, started_at, \
        start_date, start_hour, start_day_of_week, channel, contact_id, contact_country, \
        assignee_id, assignee_name, team_id, frt_seconds, frt_office_hours_seconds, art_seconds, \
        median_reply_seconds, response_count, aht_seconds, wait_time_seconds, \
        time_to_close_seconds, csat_rating, csat_remark, sentiment, sentiment_source, \
        reopened_count, is_reopened, parts_truncated";
    vec![
        table(
            db,
            "service_conversations",
            CONVERSATION_COLUMNS,
            "conversation_id",
        )
        .await,
        table(
            db,
            "service_daily_metrics",
            "date, total_conversations, new_conversations, reopened_conversations, \
             avg_frt_seconds, median_frt_seconds, p90_frt_seconds, avg_art_seconds, \
             median_art_seconds, avg_aht_seconds, median_aht_seconds, avg_wait_time_seconds, \
             median_wait_time_seconds, frt_count, frt_hit_count, art_count, art_hit_count, \
             frt_hit_rate, art_hit_rate, avg_csat, csat_score, rated_count, \
             sentiment_distribution, channel_distribution, hourly_distribution",
            "date",
        )
        .await,
        table(
            db,
            "service_teammate_metrics",
            "assignee_id, period_start, assignee_name, conversation_count, reopened_count, \
             frt_count, frt_sum_seconds, art_count, art_sum_seconds, aht_count, aht_sum_seconds, \
             wait_count, wait_sum_seconds, rated_count, csat_sum, csat_positive_count",
            "assignee_id, period_start",
        )
        .await,
        table(db, "service_hourly_volume", "*", "date, hour").await,
        table(db, "service_country_metrics", "*", "date, country").await,
    ]
}
