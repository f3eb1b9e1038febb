//! `engagement-sync` (RULES.md §6): Engagement Status and its date for enrolled contacts.

use std::time::Instant;

use serde_json::Value;

use crate::coaching::jobs::engagement_sync::{plan, written_attributes, EngagementSyncEvent, JOB};
use crate::intercom::{date_window, SearchQuery};
use crate::job::summary::RunSummary;

use super::AppContext;
use crate::intercom::custom_field;
use crate::job::run::{preflight, run_contact_search};
use crate::job::JobError;

/// Pushed-down date windows are widened by this much on each side (see `date_window`).
const WIDEN_SECS: i64 = 2 * 86_400;

/// Handles one `engagement-sync` event `{"lookbackDays": int?, "dryRun": bool, "asOf": RFC 3339}`.
///
/// Reads: contact search on `custom_attributes.Enrolled Date` (up to as-of, and from the start of
/// the lookback window when `lookbackDays` is given), then classifies each candidate with the
/// pure rule. Writes `Engagement Status` and `Engagement Status Date` (as-of, unix seconds) where
/// the status changes, page by page while the search goes on ([`run_contact_search`]).
pub async fn handle(ctx: &AppContext, event: Value) -> Result<RunSummary, JobError> {
    let started = Instant::now();
    let event = EngagementSyncEvent::parse(&event, ctx.now())?;
    let config = &ctx.config;
    let client = ctx.intercom_client().await?;
    preflight(&client, &written_attributes(config)).await?;

    let enrolled = custom_field(&config.attributes.enrolled_date);
    let as_of = event.as_of.timestamp();
    let query = match event.enrolled_on_or_after(config.reporting_tz) {
        // Enrolled Date is stored at midnight UTC of its date.
        Some(first_date) => date_window(&enrolled, crate::time::utc_midnight(first_date), as_of),
        // Every contact with an Enrolled Date: a missing value never matches `<`.
        None => SearchQuery::field(enrolled).lt(as_of + WIDEN_SECS),
    };
    run_contact_search(
        &client,
        JOB,
        event.dry_run,
        event.as_of,
        started,
        Some(query),
        |page| {
            let planned = plan(page, event.as_of, event.lookback_days, config);
            (planned.candidates, planned.updates)
        },
    )
    .await
}
