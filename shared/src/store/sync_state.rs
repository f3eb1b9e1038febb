//! Each sync job's progress between runs: the `sync_state` table (migration 0001).
//!
//! The watermark is a `timestamptz` (an instant, microsecond precision): the `updated_at` of the
//! last item fully processed, from which the next incremental run starts (inclusive). Intercom's
//! `updated_at` values are unix seconds and convert exactly both ways
//! (`DateTime::from_timestamp(secs, 0)`, `.timestamp()`).
//!
//! Both functions take a connection, normally a transaction (`&mut *tx`): a job saves its state
//! in the same transaction as the rows it covers, so the watermark only moves when they commit.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;

use super::query::{query, query_as};
use super::StoreError;

/// One job's row of `sync_state`.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncState {
    /// The job's name, e.g. `service-sync` (non-empty).
    pub job: String,
    /// Where the next incremental run starts (inclusive); `None` before the first one.
    pub watermark: Option<DateTime<Utc>>,
    /// When the last run that saved this state started.
    pub last_run_at: DateTime<Utc>,
    /// Whether that run finished everything it meant to; `false` when it ran out of time and
    /// the next run resumes from the watermark.
    pub complete: bool,
    /// Whatever else the job keeps between runs (e.g. its last summary), a JSON object.
    pub details: Value,
}

type Row = (String, Option<DateTime<Utc>>, DateTime<Utc>, bool, Value);

/// The state of `job`, or `None` when it has never been saved.
pub async fn load(conn: &mut PgConnection, job: &str) -> Result<Option<SyncState>, StoreError> {
    let row: Option<Row> = query_as(
        "SELECT job, watermark, last_run_at, complete, details FROM sync_state WHERE job = $1",
    )
    .bind(job)
    .fetch_optional(conn)
    .await
    .map_err(|source| StoreError::Query {
        what: "reading sync_state",
        source,
    })?;
    Ok(row.map(
        |(job, watermark, last_run_at, complete, details)| SyncState {
            job,
            watermark,
            last_run_at,
            complete,
            details,
        },
    ))
}

/// Inserts or replaces the state of `state.job`. `details` must be a JSON object (`{}` when
/// there is nothing to keep).
///
/// # Errors
/// [`StoreError::Query`] when the write fails, including an empty job name or non-object
/// `details` (the table's checks).
pub async fn save(conn: &mut PgConnection, state: &SyncState) -> Result<(), StoreError> {
    query(
        "INSERT INTO sync_state (job, watermark, last_run_at, complete, details, updated_at)
         VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (job) DO UPDATE SET
             watermark = EXCLUDED.watermark,
             last_run_at = EXCLUDED.last_run_at,
             complete = EXCLUDED.complete,
             details = EXCLUDED.details,
             updated_at = now()",
    )
    .bind(&state.job)
    .bind(state.watermark)
    .bind(state.last_run_at)
    .bind(state.complete)
    .bind(&state.details)
    .execute(conn)
    .await
    .map_err(|source| StoreError::Query {
        what: "writing sync_state",
        source,
    })?;
    Ok(())
}
