//! The dashboard's SQL functions (SERVICE-PERFORMANCE.md §5, migration 0003), called with
//! typed parameters; rows decode into [`crate::service::api::rows`]. Numeric results (rates,
//! percentages, CSAT means) are read as `float8`, the nearest double to the exact value.
//!
//! Every function takes a connection, normally the request's transaction (`&mut *tx`), as the
//! store's rules for transaction-mode poolers ask; each runs one statement.

use sqlx::PgConnection;

use crate::service::api::params::{DateRange, Metric};
use crate::service::api::rows::{
    ChannelRow, CountryRow, DayRow, HeatmapCell, SentimentRow, SummaryRow, TeammateRow,
};
use crate::store::query::query_as;
use crate::store::StoreError;

/// The columns of the summary and the daily trend, numerics as `float8`.
const FIGURES: &str = "avg_frt_seconds, median_frt_seconds, p90_frt_seconds, \
    avg_art_seconds, median_art_seconds, avg_aht_seconds, median_aht_seconds, \
    avg_wait_time_seconds, median_wait_time_seconds, \
    frt_hit_rate::float8 AS frt_hit_rate, art_hit_rate::float8 AS art_hit_rate, \
    avg_csat::float8 AS avg_csat, csat_score::float8 AS csat_score, rated_count";

fn failed(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { what, source }
}

/// `get_service_performance_summary(from, to)`: the one row of scorecards.
pub async fn summary(conn: &mut PgConnection, range: DateRange) -> Result<SummaryRow, StoreError> {
    let sql = format!(
        "SELECT total_conversations, new_conversations, reopened_conversations, {FIGURES} \
         FROM get_service_performance_summary($1, $2)"
    );
    query_as(&sql)
        .bind(range.from)
        .bind(range.to)
        .fetch_one(conn)
        .await
        .map_err(failed("reading the service summary"))
}

/// `get_service_daily_trend(from, to)`: one row per date of the range, in date order.
pub async fn daily_trend(
    conn: &mut PgConnection,
    range: DateRange,
) -> Result<Vec<DayRow>, StoreError> {
    let sql = format!(
        "SELECT date, total_conversations, new_conversations, reopened_conversations, {FIGURES} \
         FROM get_service_daily_trend($1, $2)"
    );
    query_as(&sql)
        .bind(range.from)
        .bind(range.to)
        .fetch_all(conn)
        .await
        .map_err(failed("reading the service daily trend"))
}

/// `get_service_teammate_leaderboard(from, to, metric, limit)`: at most `limit` teammates, by
/// rank.
pub async fn teammates(
    conn: &mut PgConnection,
    range: DateRange,
    metric: Metric,
    limit: u32,
) -> Result<Vec<TeammateRow>, StoreError> {
    query_as(
        "SELECT rank, assignee_id, assignee_name, conversation_count, avg_frt_seconds, \
         avg_art_seconds, avg_aht_seconds, avg_wait_time_seconds, avg_csat::float8 AS avg_csat, \
         csat_score::float8 AS csat_score, rated_count, metric_value::float8 AS metric_value \
         FROM get_service_teammate_leaderboard($1, $2, $3, $4)",
    )
    .bind(range.from)
    .bind(range.to)
    .bind(metric.as_str())
    .bind(i32::try_from(limit).unwrap_or(i32::MAX))
    .fetch_all(conn)
    .await
    .map_err(failed("reading the teammate leaderboard"))
}

/// `get_service_sentiment_distribution(from, to)`: Positive, Neutral, Negative, Unknown.
pub async fn sentiment(
    conn: &mut PgConnection,
    range: DateRange,
) -> Result<Vec<SentimentRow>, StoreError> {
    query_as(
        "SELECT sentiment, conversation_count, percentage::float8 AS percentage \
         FROM get_service_sentiment_distribution($1, $2)",
    )
    .bind(range.from)
    .bind(range.to)
    .fetch_all(conn)
    .await
    .map_err(failed("reading the sentiment distribution"))
}

/// `get_service_channel_distribution(from, to)`: channels, most conversations first.
pub async fn channels(
    conn: &mut PgConnection,
    range: DateRange,
) -> Result<Vec<ChannelRow>, StoreError> {
    query_as(
        "SELECT channel, conversation_count, percentage::float8 AS percentage \
         FROM get_service_channel_distribution($1, $2)",
    )
    .bind(range.from)
    .bind(range.to)
    .fetch_all(conn)
    .await
    .map_err(failed("reading the channel distribution"))
}

/// `get_service_volume_heatmap(from, to)`: the 7 × 24 cells, by day of week then hour.
pub async fn heatmap(
    conn: &mut PgConnection,
    range: DateRange,
) -> Result<Vec<HeatmapCell>, StoreError> {
    query_as(
        "SELECT day_of_week, hour, conversation_count, unassigned_count \
         FROM get_service_volume_heatmap($1, $2)",
    )
    .bind(range.from)
    .bind(range.to)
    .fetch_all(conn)
    .await
    .map_err(failed("reading the volume heatmap"))
}

/// `get_service_country_distribution(from, to, limit)`: at most `limit` countries, most
/// conversations first.
pub async fn countries(
    conn: &mut PgConnection,
    range: DateRange,
    limit: u32,
) -> Result<Vec<CountryRow>, StoreError> {
    query_as(
        "SELECT country, conversation_count, percentage::float8 AS percentage, avg_frt_seconds, \
         avg_csat::float8 AS avg_csat FROM get_service_country_distribution($1, $2, $3)",
    )
    .bind(range.from)
    .bind(range.to)
    .bind(i32::try_from(limit).unwrap_or(i32::MAX))
    .fetch_all(conn)
    .await
    .map_err(failed("reading the country distribution"))
}
