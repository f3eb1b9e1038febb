//! The service system's SQL (tables of migration 0002, functions of 0003): what is stored for a
//! set of conversations, the upsert of `service_conversations`, and the aggregate recompute.
//! Every function takes a connection, normally the run's transaction (`&mut *tx`), so the rows,
//! the aggregates and the watermark commit together.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use crate::service::rules::row::ServiceConversation;
use crate::store::query::{query, query_as};
use crate::store::StoreError;

/// What is stored of one conversation: enough to decide whether to read it again and which
/// aggregate dates a new version touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredVersion {
    /// `service_conversations.updated_at`.
    pub updated_at: DateTime<Utc>,
    /// `service_conversations.start_date`: the local date its aggregates are filed under.
    pub start_date: NaiveDate,
}

/// The stored versions of the conversations `ids` (absent ids have none).
pub async fn stored_versions(
    conn: &mut PgConnection,
    ids: &[String],
) -> Result<HashMap<String, StoredVersion>, StoreError> {
    let rows: Vec<(String, DateTime<Utc>, NaiveDate)> = query_as(
        "SELECT conversation_id, updated_at, start_date FROM service_conversations
         WHERE conversation_id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(conn)
    .await
    .map_err(|source| StoreError::Query {
        what: "reading stored conversations",
        source,
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, updated_at, start_date)| {
            (
                id,
                StoredVersion {
                    updated_at,
                    start_date,
                },
            )
        })
        .collect())
}

/// Inserts or replaces `rows` in `service_conversations` in one statement; returns how many.
/// `raw_data` is never written (message bodies are PII).
pub async fn upsert(
    conn: &mut PgConnection,
    rows: &[ServiceConversation],
) -> Result<usize, StoreError> {
    if rows.is_empty() {
        return Ok(0);
    }
    // One array per column, in the column order of the INSERT.
    fn col<U>(rows: &[ServiceConversation], f: impl Fn(&ServiceConversation) -> U) -> Vec<U> {
        rows.iter().map(f).collect()
    }
    query(
        "INSERT INTO service_conversations (
             conversation_id, created_at, updated_at, state, started_at, start_date, start_hour,
             start_day_of_week, channel, contact_id, contact_country, assignee_id, assignee_name,
             team_id, frt_seconds, frt_office_hours_seconds, art_seconds, median_reply_seconds,
             response_count, aht_seconds, wait_time_seconds, time_to_close_seconds, csat_rating,
             csat_remark, sentiment, sentiment_source, reopened_count, is_reopened,
             parts_truncated, synced_at)
         SELECT * FROM UNNEST(
             $1::text[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::timestamptz[],
             $6::date[], $7::int4[]::smallint[], $8::int4[]::smallint[], $9::text[], $10::text[],
             $11::text[], $12::text[], $13::text[], $14::text[], $15::int8[]::int4[],
             $16::int8[]::int4[], $17::int8[]::int4[], $18::int8[]::int4[], $19::int8[]::int4[],
             $20::int8[]::int4[], $21::int8[]::int4[], $22::int8[]::int4[],
             $23::int8[]::smallint[], $24::text[], $25::text[], $26::text[], $27::int8[]::int4[],
             $28::bool[], $29::bool[], $30::timestamptz[])
         ON CONFLICT (conversation_id) DO UPDATE SET
             created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
             state = EXCLUDED.state, started_at = EXCLUDED.started_at,
             start_date = EXCLUDED.start_date, start_hour = EXCLUDED.start_hour,
             start_day_of_week = EXCLUDED.start_day_of_week, channel = EXCLUDED.channel,
             contact_id = EXCLUDED.contact_id, contact_country = EXCLUDED.contact_country,
             assignee_id = EXCLUDED.assignee_id, assignee_name = EXCLUDED.assignee_name,
             team_id = EXCLUDED.team_id, frt_seconds = EXCLUDED.frt_seconds,
             frt_office_hours_seconds = EXCLUDED.frt_office_hours_seconds,
             art_seconds = EXCLUDED.art_seconds,
             median_reply_seconds = EXCLUDED.median_reply_seconds,
             response_count = EXCLUDED.response_count, aht_seconds = EXCLUDED.aht_seconds,
             wait_time_seconds = EXCLUDED.wait_time_seconds,
             time_to_close_seconds = EXCLUDED.time_to_close_seconds,
             csat_rating = EXCLUDED.csat_rating, csat_remark = EXCLUDED.csat_remark,
             sentiment = EXCLUDED.sentiment, sentiment_source = EXCLUDED.sentiment_source,
             reopened_count = EXCLUDED.reopened_count, is_reopened = EXCLUDED.is_reopened,
             parts_truncated = EXCLUDED.parts_truncated, synced_at = EXCLUDED.synced_at",
    )
    .bind(col(rows, |r| r.conversation_id.clone()))
    .bind(col(rows, |r| r.created_at))
    .bind(col(rows, |r| r.updated_at))
    .bind(col(rows, |r| r.state.clone()))
    .bind(col(rows, |r| r.started_at))
    .bind(col(rows, |r| r.start_date))
    .bind(col(rows, |r| r.start_hour))
    .bind(col(rows, |r| r.start_day_of_week))
    .bind(col(rows, |r| r.channel.clone()))
    .bind(col(rows, |r| r.contact_id.clone()))
    .bind(col(rows, |r| r.contact_country.clone()))
    .bind(col(rows, |r| r.assignee_id.clone()))
    .bind(col(rows, |r| r.assignee_name.clone()))
    .bind(col(rows, |r| r.team_id.clone()))
    .bind(col(rows, |r| r.frt_seconds))
    .bind(col(rows, |r| r.frt_office_hours_seconds))
    .bind(col(rows, |r| r.art_seconds))
    .bind(col(rows, |r| r.median_reply_seconds))
    .bind(col(rows, |r| r.response_count))
    .bind(col(rows, |r| r.aht_seconds))
    .bind(col(rows, |r| r.wait_time_seconds))
    .bind(col(rows, |r| r.time_to_close_seconds))
    .bind(col(rows, |r| r.csat_rating))
    .bind(col(rows, |r| r.csat_remark.clone()))
    .bind(col(rows, |r| r.sentiment.map(|s| s.as_str().to_string())))
    .bind(col(rows, |r| {
        r.sentiment_source.map(|s| s.as_str().to_string())
    }))
    .bind(col(rows, |r| r.reopened_count))
    .bind(col(rows, |r| r.is_reopened))
    .bind(col(rows, |r| r.parts_truncated))
    .bind(col(rows, |r| r.synced_at))
    .execute(conn)
    .await
    .map_err(|source| StoreError::Query {
        what: "upserting service_conversations",
        source,
    })?;
    Ok(rows.len())
}

/// Rebuilds the aggregates of the local dates `dates` (`service_recompute_aggregates`), with
/// the FRT and ART targets in seconds.
pub async fn recompute_aggregates(
    conn: &mut PgConnection,
    dates: &[NaiveDate],
    frt_target_seconds: i64,
    art_target_seconds: i64,
) -> Result<(), StoreError> {
    if dates.is_empty() {
        return Ok(());
    }
    let target = |s: i64| i32::try_from(s).unwrap_or(i32::MAX);
    query("SELECT service_recompute_aggregates($1::date[], $2, $3)")
        .bind(dates)
        .bind(target(frt_target_seconds))
        .bind(target(art_target_seconds))
        .execute(conn)
        .await
        .map_err(|source| StoreError::Query {
            what: "recomputing service aggregates",
            source,
        })?;
    Ok(())
}
