//! `engagement-export` (RULES.md §8): the member-level engagement CSV, written to S3.

use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use serde_json::Value;

use crate::api::problem::Problem;
use crate::aws::s3::{put_csv, ExportTarget, Overwrite, S3Error};
use crate::coaching::api::parse_engagement_request;
use crate::coaching::api::routes::{route, Route};
use crate::coaching::config::Config;
use crate::coaching::jobs::engagement_export::{DateRange, ExportRequest};
use crate::coaching::rules::export::{write_csv, ExportRow};
use crate::intercom::{
    date_window, Contact, IntercomClient, IntercomError, SearchQuery, SearchSort, SortOrder,
    DATE_WINDOW_MARGIN_SECS,
};
use crate::time::{start_of_local_day, utc_midnight};

use super::AppContext;
use crate::intercom::{and_flat, custom_field};
use crate::job::JobError;

/// Where the export goes and the S3 client that writes it.
pub struct ExportDestination {
    pub s3: aws_sdk_s3::Client,
    pub target: ExportTarget,
}

/// The export's response: where the CSV is and how it was made.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ExportResponse {
    /// The bucket (`EXPORT_BUCKET`).
    pub bucket: String,
    /// The object key: `EXPORT_PREFIX` + the request's `key` or the dated default.
    pub key: String,
    /// Data rows in the CSV (the header is not counted).
    pub rows: usize,
    /// `dryRun`: the CSV was built and counted but not written.
    pub dry_run: bool,
    /// Contacts read from Intercom before the exact filters.
    pub scanned: usize,
    /// The instant the export was computed for.
    pub as_of: DateTime<Utc>,
    /// HTTP requests sent to Intercom, retries included.
    pub api_calls: u64,
    /// Times the client waited for Intercom's rate-limit window.
    pub rate_limit_waits: u64,
    /// Wall time of the invocation, milliseconds.
    pub duration_ms: u64,
}

/// Handles one export request (RULES.md §8): contact search with the filters pushed down where
/// Intercom allows (role, Referral, Employer, Engagement Status, widened date windows), exact
/// filters client-side, one row per member, one `PutObject` of `text/csv; charset=utf-8`.
pub async fn handle(
    ctx: &AppContext,
    destination: &ExportDestination,
    event: Value,
) -> Result<ExportResponse, JobError> {
    let request = ExportRequest::parse(&event, ctx.now())?;
    export(ctx, destination, &request, Started::Scheduled).await
}

/// How an export was started: where it lands and whether it may replace an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Started {
    /// EventBridge Scheduler (or a direct invoke): `EXPORT_PREFIX + key`, replacing an object
    /// of the same key.
    Scheduled,
    /// The API route: `EXPORT_PREFIX + "on-demand/" + key`, never replacing an object.
    OnDemand,
}

/// Serves both ways the function is invoked: an EventBridge Scheduler input (the export request
/// itself) answers [`ExportResponse`]; an API Gateway HTTP API v2 event (the on-demand route
/// `POST /API/intercom/report/engagement`) answers an API Gateway response, with problem+json
/// for every failure.
pub async fn handle_event(
    ctx: &AppContext,
    destination: &ExportDestination,
    event: Value,
) -> Result<Value, JobError> {
    if !is_http_event(&event) {
        let response = handle(ctx, destination, event).await?;
        return Ok(serde_json::to_value(response).unwrap_or_default());
    }
    let response = match crate::runtime::http_request(&event) {
        Ok(request) => handle_http(ctx, destination, request).await,
        Err(reason) => Problem::invalid_parameter("body", reason).into_response(),
    };
    let event = crate::runtime::http_response_event(response).await;
    Ok(serde_json::to_value(event).unwrap_or_default())
}

/// Whether `event` comes from API Gateway (HTTP API, payload format 2.0).
pub fn is_http_event(event: &Value) -> bool {
    event.get("version").and_then(Value::as_str) == Some("2.0")
        && event.pointer("/requestContext/http/method").is_some()
}

/// The on-demand export over HTTP: same request, validation and logic as the scheduled job.
pub async fn handle_http(
    ctx: &AppContext,
    destination: &ExportDestination,
    request: lambda_http::Request,
) -> lambda_http::Response<lambda_http::Body> {
    let path = request.uri().path().to_string();
    match route(request.method(), &path) {
        Ok(Route::Engagement) => {}
        Ok(_) => return Problem::not_found(&path).into_response(),
        Err(problem) => return problem.into_response(),
    }
    let parsed = match parse_engagement_request(&request, ctx.now()) {
        Ok(parsed) => parsed,
        Err(problem) => return problem.into_response(),
    };
    let deadline = crate::api::invocation::deadline_from_env();
    let exported = tokio::time::timeout(
        deadline,
        export(ctx, destination, &parsed, Started::OnDemand),
    )
    .await;
    let Ok(exported) = exported else {
        tracing::warn!(
            deadline_ms = deadline.as_millis() as u64,
            "on-demand export timed out; nothing written"
        );
        return Problem::report_timeout(deadline.as_millis() as u64).into_response();
    };
    match exported {
        Ok(response) => json_ok(&response),
        Err(JobError::Intercom(error)) => Problem::from_intercom(&error).into_response(),
        Err(JobError::S3(S3Error::Exists { key, .. })) => {
            Problem::export_exists(&key).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "on-demand export failed");
            Problem::internal_error().into_response()
        }
    }
}

fn json_ok(response: &ExportResponse) -> lambda_http::Response<lambda_http::Body> {
    let body = serde_json::to_string(response).unwrap_or_default();
    lambda_http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .body(lambda_http::Body::Text(body))
        .unwrap_or_else(|_| Problem::internal_error().into_response())
}

/// Runs one parsed export request, started as `how`.
pub async fn export(
    ctx: &AppContext,
    destination: &ExportDestination,
    request: &ExportRequest,
    how: Started,
) -> Result<ExportResponse, JobError> {
    let started = Instant::now();
    let config = &ctx.config;
    let client = ctx.intercom_client().await?;

    let (key, overwrite) = match how {
        Started::Scheduled => (
            destination.target.object_key(&request.key_or_default()),
            Overwrite::Allowed,
        ),
        Started::OnDemand => (
            destination.target.on_demand_key(&request.key_or_default()),
            Overwrite::Never,
        ),
    };
    let query = pushdown(request, config);
    let slices =
        created_at_slices(&client, &query, request.as_of.timestamp(), request.per_page).await?;
    let mut rows = Vec::new();
    let mut scanned = 0usize;
    let mut read = std::pin::pin!(futures::stream::iter(slices)
        .map(|slice| read_slice(&client, &query, slice, request, config))
        .buffer_unordered(MAX_SLICES));
    while let Some(slice) = read.next().await {
        let (slice_scanned, slice_rows) = slice?;
        scanned += slice_scanned;
        rows.extend(slice_rows);
    }
    // Stable order for downstream diffs: by user id, then contact id.
    rows.sort_by(|a, b| a.employee_id.cmp(&b.employee_id));
    let mut body = Vec::new();
    let count = write_csv(rows, &mut body).map_err(|e| crate::aws::s3::S3Error::Put {
        bucket: destination.target.bucket.clone(),
        key: key.clone(),
        reason: format!("CSV encoding failed: {e}"),
    })?;
    if !request.dry_run {
        put_csv(
            &destination.s3,
            &destination.target.bucket,
            &key,
            body,
            overwrite,
        )
        .await?;
    }
    let stats = client.stats();
    let response = ExportResponse {
        bucket: destination.target.bucket.clone(),
        key,
        rows: count,
        dry_run: request.dry_run,
        scanned,
        as_of: request.as_of,
        api_calls: stats.api_calls,
        rate_limit_waits: stats.rate_limit_waits,
        duration_ms: started.elapsed().as_millis() as u64,
    };
    tracing::info!(
        job = "engagement-export",
        bucket = %response.bucket,
        key = %response.key,
        rows = response.rows,
        scanned = response.scanned,
        api_calls = response.api_calls,
        duration_ms = response.duration_ms,
        "export written"
    );
    {
        use crate::metrics::Unit::{Count, Milliseconds};
        crate::metrics::RunMetrics {
            job: "engagement-export".into(),
            dry_run: response.dry_run,
            values: vec![
                ("Rows", response.rows as u64, Count),
                ("Scanned", response.scanned as u64, Count),
                ("ApiCalls", response.api_calls, Count),
                ("RateLimitWaits", response.rate_limit_waits, Count),
                ("DurationMs", response.duration_ms, Milliseconds),
            ],
        }
        .emit();
    }
    Ok(response)
}

/// Parallel contact searches of one export, at most: the export reads its contacts in windows of
/// `created_at`, each its own cursor, so a large workspace is read about this many times faster
/// than by one cursor (RULES.md §3's limit still applies: the client paces them).
const MAX_SLICES: usize = 24;

/// The narrowest `created_at` window worth its own cursor: each window's search is widened by
/// two days on each side ([`date_window`]'s margin), so narrower windows would mostly re-read
/// their neighbours.
const MIN_SLICE_SECS: i64 = 60 * 86_400;

/// One window of `created_at` (unix seconds), `from` inclusive, `to` exclusive; an open end
/// (`None`) reaches the first or the last contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CreatedSlice {
    from: Option<i64>,
    to: Option<i64>,
}

impl CreatedSlice {
    fn holds(&self, created_at: Option<i64>) -> bool {
        let at = created_at.unwrap_or(i64::MIN);
        self.from.is_none_or(|from| at >= from) && self.to.is_none_or(|to| at < to)
    }
}

/// Pages a window should hold at least: below that, counting a window and its partly filled last
/// page cost more calls than its own cursor saves time.
const MIN_PAGES_PER_SLICE: u64 = 4;

/// How many windows `total` contacts at `per_page` a page are worth: one per
/// [`MIN_PAGES_PER_SLICE`] pages, 1..=[`MAX_SLICES`].
fn slices_worth(total: u64, per_page: u32) -> usize {
    let pages = total.div_ceil(u64::from(per_page.max(1)));
    (pages / MIN_PAGES_PER_SLICE).clamp(1, MAX_SLICES as u64) as usize
}

/// Splits `[earliest, as_of]` into up to `max` (at most [`MAX_SLICES`]) windows of at least
/// [`MIN_SLICE_SECS`]; the first is open below and the last open above, so every contact falls
/// in exactly one window whatever its `created_at`.
fn split_created(earliest: i64, as_of: i64, max: usize) -> Vec<CreatedSlice> {
    let span = as_of.saturating_sub(earliest).max(0);
    let max = max.clamp(1, MAX_SLICES) as i64;
    let count = (span / MIN_SLICE_SECS).clamp(1, max);
    let bound = |i: i64| earliest + span * i / count;
    (0..count)
        .map(|i| CreatedSlice {
            from: (i > 0).then(|| bound(i)),
            to: (i + 1 < count).then(|| bound(i + 1)),
        })
        .collect()
}

/// The narrowest window a crowded window is split into: its two-day widening on each side stays
/// under a third of what it reads.
const MIN_SPLIT_SECS: i64 = 14 * 86_400;

/// Rounds of counting and halving crowded windows, at most.
const SPLIT_ROUNDS: usize = 4;

/// `slice` cut in two at its middle; the open ends count from `earliest` and `as_of`. `None`
/// when either half would be narrower than [`MIN_SPLIT_SECS`].
fn halve(slice: CreatedSlice, earliest: i64, as_of: i64) -> Option<[CreatedSlice; 2]> {
    let low = slice.from.unwrap_or(earliest);
    let high = slice.to.unwrap_or(as_of);
    if high.saturating_sub(low) < 2 * MIN_SPLIT_SECS {
        return None;
    }
    let middle = low + (high - low) / 2;
    Some([
        CreatedSlice {
            from: slice.from,
            to: Some(middle),
        },
        CreatedSlice {
            from: Some(middle),
            to: slice.to,
        },
    ])
}

/// The windows to read, fullest first. One search of a single contact sorted by `created_at`
/// gives the oldest contact and how many `query` matches; `[oldest, as_of]` is split into
/// windows of equal time ([`split_created`], as many as the total is worth: [`slices_worth`]),
/// each window's contacts are counted (one single-contact search each, [`MAX_SLICES`] at once),
/// a window holding more than twice its share (the total ÷ the windows it is worth) is halved and
/// its halves counted (up to [`SPLIT_ROUNDS`] rounds), and empty windows are dropped; the fullest
/// are read first, so the cursors end at about the same time. A workspace younger than two
/// minimum widths, or of fewer than eight pages, is one open window and costs no count.
async fn created_at_slices(
    client: &IntercomClient,
    query: &SearchQuery,
    as_of: i64,
    per_page: u32,
) -> Result<Vec<CreatedSlice>, IntercomError> {
    let oldest_first = SearchSort {
        field: "created_at".into(),
        order: SortOrder::Ascending,
    };
    let (total, oldest) = client.count_contacts(query, Some(&oldest_first)).await?;
    let Some(oldest) = oldest else {
        return Ok(Vec::new());
    };
    let earliest = oldest.created_at.unwrap_or(as_of);
    let worth = slices_worth(total, per_page);
    let windows = split_created(earliest, as_of, worth);
    if windows.len() == 1 {
        return Ok(windows);
    }
    // Each cursor's share of the contacts: windows of equal time are not equal in contacts, so
    // the crowded ones are halved until no window holds much more than a cursor should read.
    let share = (total / worth as u64).max(1);
    let mut counted = count_windows(client, query, windows).await?;
    for _ in 0..SPLIT_ROUNDS {
        let mut halves = Vec::new();
        counted.retain(|&(slice, count)| {
            let split = (count > 2 * share)
                .then(|| halve(slice, earliest, as_of))
                .flatten();
            halves.extend(split.into_iter().flatten());
            split.is_none()
        });
        if halves.is_empty() {
            break;
        }
        counted.extend(count_windows(client, query, halves).await?);
    }
    counted.retain(|&(_, count)| count > 0);
    counted.sort_by_key(|&(_, count)| std::cmp::Reverse(count));
    Ok(counted.into_iter().map(|(slice, _)| slice).collect())
}

/// How many contacts each window's search matches (widening included).
async fn count_windows(
    client: &IntercomClient,
    query: &SearchQuery,
    windows: Vec<CreatedSlice>,
) -> Result<Vec<(CreatedSlice, u64)>, IntercomError> {
    futures::stream::iter(windows)
        .map(|slice| async move {
            let (count, _) = client
                .count_contacts(&window_query(query, slice), None)
                .await?;
            Ok((slice, count))
        })
        .buffer_unordered(MAX_SLICES)
        .try_collect()
        .await
}

/// `query` and the window, widened by the date margin on each bounded side (RULES.md §3).
fn window_query(query: &SearchQuery, slice: CreatedSlice) -> SearchQuery {
    let mut parts = vec![query.clone()];
    if let Some(from) = slice.from {
        parts.push(SearchQuery::field("created_at").gt(from - DATE_WINDOW_MARGIN_SECS));
    }
    if let Some(to) = slice.to {
        parts.push(SearchQuery::field("created_at").lt(to + DATE_WINDOW_MARGIN_SECS));
    }
    and_flat(parts)
}

/// One window's contacts: `query` and the window widened by the date margin, kept exactly to the
/// window client-side, filtered and made rows. Returns how many contacts the window holds and
/// their rows.
async fn read_slice(
    client: &IntercomClient,
    query: &SearchQuery,
    slice: CreatedSlice,
    request: &ExportRequest,
    config: &Config,
) -> Result<(usize, Vec<ExportRow>), IntercomError> {
    let mut scanned = 0;
    let mut rows = Vec::new();
    let mut pages = std::pin::pin!(
        client.search_contacts_with_page_size(window_query(query, slice), request.per_page)
    );
    while let Some(page) = pages.try_next().await? {
        let held: Vec<&Contact> = page.iter().filter(|c| slice.holds(c.created_at)).collect();
        scanned += held.len();
        rows.extend(
            held.into_iter()
                .filter(|c| request.filters.matches(c, config))
                .map(|c| ExportRow::from_contact(c, config)),
        );
    }
    Ok((scanned, rows))
}

/// The contact search for the export: `role = user` and each filter Intercom can match.
fn pushdown(request: &ExportRequest, config: &Config) -> SearchQuery {
    let names = &config.attributes;
    let filters = &request.filters;
    let mut parts = vec![SearchQuery::field("role").eq("user")];
    if let Some(referral) = &filters.referral {
        parts.push(SearchQuery::field(custom_field(&names.referral)).eq(referral.clone()));
    }
    if let Some(employer) = &filters.employer {
        parts.push(SearchQuery::field(custom_field(&names.employer)).eq(employer.clone()));
    }
    if let Some(status) = filters.engagement_status {
        parts.push(SearchQuery::field(custom_field(&names.engagement_status)).eq(status.as_str()));
    }
    let as_of = request.as_of.timestamp();
    // Enrolled Date is a calendar date stored at midnight UTC.
    if let Some((from, to)) = instants(&filters.enrolled_date, as_of, utc_midnight) {
        parts.push(date_window(&custom_field(&names.enrolled_date), from, to));
    }
    // Last Coaching Session dates are reporting-zone dates.
    let tz = config.reporting_tz;
    if let Some((from, to)) = instants(&filters.last_session, as_of, |d| start_of_local_day(d, tz))
    {
        parts.push(date_window(
            &custom_field(&names.last_coaching_session),
            from,
            to,
        ));
    }
    and_flat(parts)
}

/// The instants `[from, to]` of a bounded date range, with `day_start` giving a date's first
/// instant; an open end is the epoch or as-of.
fn instants(
    range: &DateRange,
    as_of: i64,
    day_start: impl Fn(NaiveDate) -> i64,
) -> Option<(i64, i64)> {
    if !range.is_bounded() {
        return None;
    }
    let from = range.from.map(&day_start).unwrap_or(0);
    let to = range
        .to
        .and_then(|d| d.succ_opt())
        .map(|d| day_start(d) - 1)
        .unwrap_or(as_of);
    Some((from, to.max(from)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DAY: i64 = 86_400;

    #[test]
    fn created_at_windows() {
        // Under two minimum widths: one open search, as before slicing.
        assert_eq!(
            split_created(0, 100 * DAY, MAX_SLICES),
            vec![CreatedSlice {
                from: None,
                to: None
            }]
        );
        // 180 days: three windows of 60 days, open at both ends.
        assert_eq!(
            split_created(0, 180 * DAY, MAX_SLICES),
            vec![
                CreatedSlice {
                    from: None,
                    to: Some(60 * DAY)
                },
                CreatedSlice {
                    from: Some(60 * DAY),
                    to: Some(120 * DAY)
                },
                CreatedSlice {
                    from: Some(120 * DAY),
                    to: None
                },
            ]
        );
        // Ten years: capped at MAX_SLICES.
        assert_eq!(split_created(0, 3650 * DAY, MAX_SLICES).len(), MAX_SLICES);
        // Fewer contacts than windows are worth: capped by slices_worth.
        assert_eq!(split_created(0, 3650 * DAY, 3).len(), 3);
        assert_eq!(
            [
                slices_worth(0, 150),
                slices_worth(2_000, 150),
                slices_worth(20_000, 150)
            ],
            [1, 3, MAX_SLICES]
        );
        assert_eq!(slices_worth(2_000, 25), 20);
        // A contact created after as-of (or before the earliest) still has a window.
        assert_eq!(
            split_created(50, 10, MAX_SLICES),
            vec![CreatedSlice {
                from: None,
                to: None
            }]
        );
    }

    #[test]
    fn crowded_windows_halve_down_to_the_minimum_width() {
        let open = CreatedSlice {
            from: None,
            to: None,
        };
        assert_eq!(
            halve(open, 0, 60 * DAY),
            Some([
                CreatedSlice {
                    from: None,
                    to: Some(30 * DAY)
                },
                CreatedSlice {
                    from: Some(30 * DAY),
                    to: None
                },
            ])
        );
        let inner = CreatedSlice {
            from: Some(10 * DAY),
            to: Some(38 * DAY),
        };
        assert_eq!(
            halve(inner, 0, 100 * DAY),
            Some([
                CreatedSlice {
                    from: Some(10 * DAY),
                    to: Some(24 * DAY)
                },
                CreatedSlice {
                    from: Some(24 * DAY),
                    to: Some(38 * DAY)
                },
            ])
        );
        let narrow = CreatedSlice {
            from: Some(10 * DAY),
            to: Some(37 * DAY),
        };
        assert_eq!(halve(narrow, 0, 100 * DAY), None);
    }

    proptest! {
        /// Halving a window keeps every `created_at` it holds in exactly one half.
        #[test]
        fn halves_cover_their_window_exactly(
            earliest in 0i64..2_000_000_000,
            span in 0i64..(15 * 365 * DAY),
            pick in 0usize..MAX_SLICES,
            at in proptest::option::of(-10i64..2_500_000_000),
        ) {
            let slices = split_created(earliest, earliest + span, MAX_SLICES);
            let slice = slices[pick % slices.len()];
            if let Some(halves) = halve(slice, earliest, earliest + span) {
                let inside = halves.iter().filter(|h| h.holds(at)).count();
                prop_assert_eq!(inside, usize::from(slice.holds(at)));
            }
        }

        /// Every `created_at` (or none) falls in exactly one window, whatever the span.
        #[test]
        fn every_contact_falls_in_exactly_one_window(
            earliest in 0i64..2_000_000_000,
            span in 0i64..(15 * 365 * DAY),
            at in proptest::option::of(-10i64..2_500_000_000),
        ) {
            let slices = split_created(earliest, earliest + span, MAX_SLICES);
            prop_assert!((1..=MAX_SLICES).contains(&slices.len()));
            prop_assert_eq!(slices.iter().filter(|s| s.holds(at)).count(), 1);
        }
    }
}
