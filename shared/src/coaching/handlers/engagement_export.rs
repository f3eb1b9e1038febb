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
    let (windows, plan) =
        created_at_slices(&client, &query, request.as_of.timestamp(), request.per_page).await?;
    let (scanned, mut rows) = read_windows(&client, &query, windows, plan, request, config).await?;
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
const MAX_SLICES: usize = 48;

/// The narrowest `created_at` window worth its own cursor: each window's search is widened by
/// two days on each side ([`date_window`]'s margin), so narrower windows would mostly re-read
/// their neighbours (a window's first page also reads its margin below, oldest first).
const MIN_WINDOW_SECS: i64 = 10 * 86_400;

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

/// How many windows `total` contacts at `per_page` a page are worth: one per page, at most
/// [`MAX_SLICES`]. Each window costs its margin below and a partly filled last page, but every
/// cursor more shortens the longest chain of pages (each page one round trip).
fn slices_worth(total: u64, per_page: u32) -> usize {
    let pages = total.div_ceil(u64::from(per_page.max(1)));
    pages.clamp(1, MAX_SLICES as u64) as usize
}

/// Splits `[earliest, as_of]` into up to `max` (at most [`MAX_SLICES`]) windows of equal time,
/// at least [`MIN_WINDOW_SECS`] each, the last open above; before them, a window open below
/// holds only the oldest instant (and any contact without `created_at`: it is never cut, see
/// [`Plan::cut`], so it is kept small). Every contact falls in exactly one window whatever its
/// `created_at`. Under two minimum widths, one window open at both ends.
fn split_created(earliest: i64, as_of: i64, max: usize) -> Vec<CreatedSlice> {
    let span = as_of.saturating_sub(earliest).max(0);
    let max = max.clamp(1, MAX_SLICES) as i64;
    let count = (span / MIN_WINDOW_SECS).clamp(1, max);
    if count == 1 {
        return vec![CreatedSlice {
            from: None,
            to: None,
        }];
    }
    let bound = |i: i64| {
        if i == 0 {
            earliest + 1
        } else {
            earliest + span * i / count
        }
    };
    let oldest = CreatedSlice {
        from: None,
        to: Some(bound(0)),
    };
    std::iter::once(oldest)
        .chain((0..count).map(|i| CreatedSlice {
            from: Some(bound(i)),
            to: (i + 1 < count).then(|| bound(i + 1)),
        }))
        .collect()
}

/// How the windows of one export are read: each cursor's share of the contacts, and the span's
/// last instant (as-of: where the last, open window is cut to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Plan {
    /// Contacts one cursor should read: the total ÷ [`MAX_SLICES`], at least one page.
    share: u64,
    /// As-of, unix seconds.
    as_of: i64,
}

impl Plan {
    /// Where a window is cut after its first page, when it holds more than one cursor should
    /// read: `total` is its search's `total_count`, `page_len` the contacts on the first page
    /// (sorted by `created_at`, oldest first) and `last_created` the page's newest `created_at`.
    /// The first page keeps the contacts created before `last_created`; the rest of the window,
    /// `[last_created, to)`, is cut into windows of equal time, one per share of what is left
    /// (rounded, at most one per [`MIN_WINDOW_SECS`]), read by cursors of their own.
    ///
    /// `None`, and the window's cursor goes on, when what is left is under one and a half shares,
    /// when it would give fewer than two windows, when the page was not full, or for the first
    /// window (open below: it also holds contacts without `created_at`).
    fn cut(
        &self,
        slice: CreatedSlice,
        total: Option<u64>,
        page_len: usize,
        per_page: u32,
        last_created: Option<i64>,
    ) -> Option<Vec<CreatedSlice>> {
        let from = slice.from?;
        let at = last_created.filter(|&at| at > from)?;
        if page_len < per_page as usize {
            return None;
        }
        let left = total?.saturating_sub(page_len as u64);
        if 2 * left < 3 * self.share {
            return None;
        }
        let high = slice.to.unwrap_or(self.as_of);
        let span = high.checked_sub(at).filter(|&span| span > 0)?;
        let by_share = (left + self.share / 2) / self.share;
        let count = by_share.min((span / MIN_WINDOW_SECS) as u64) as i64;
        if count < 2 {
            return None;
        }
        let bound = |i: i64| at + span * i / count;
        Some(
            (0..count)
                .map(|i| CreatedSlice {
                    from: Some(bound(i)),
                    to: if i + 1 < count {
                        Some(bound(i + 1))
                    } else {
                        slice.to
                    },
                })
                .collect(),
        )
    }
}

/// The windows to start with: one search of a single contact sorted by `created_at` gives the
/// oldest contact and how many `query` matches; `[oldest, as_of]` is split into windows of equal
/// time ([`split_created`], as many as the total is worth: [`slices_worth`]). A workspace
/// younger than two minimum widths, or of one page, is one open window. Also
/// returns the [`Plan`] that cuts crowded windows as they are read.
async fn created_at_slices(
    client: &IntercomClient,
    query: &SearchQuery,
    as_of: i64,
    per_page: u32,
) -> Result<(Vec<CreatedSlice>, Plan), IntercomError> {
    let (total, oldest) = client
        .count_contacts(query, Some(&created_at_ascending()))
        .await?;
    let plan = Plan {
        share: (total / MAX_SLICES as u64).max(u64::from(per_page)),
        as_of,
    };
    let Some(oldest) = oldest else {
        return Ok((Vec::new(), plan));
    };
    let earliest = oldest.created_at.unwrap_or(as_of);
    let windows = split_created(earliest, as_of, slices_worth(total, per_page));
    Ok((windows, plan))
}

fn created_at_ascending() -> SearchSort {
    SearchSort {
        field: "created_at".into(),
        order: SortOrder::Ascending,
    }
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

/// Reads every window, [`MAX_SLICES`] cursors at once; the rest of a window cut after its first
/// page ([`Plan::cut`]) is read by new cursors as others end. Returns the contacts read (each
/// counted in exactly one window) and the rows of those the filters keep.
async fn read_windows(
    client: &IntercomClient,
    query: &SearchQuery,
    windows: Vec<CreatedSlice>,
    plan: Plan,
    request: &ExportRequest,
    config: &Config,
) -> Result<(usize, Vec<ExportRow>), IntercomError> {
    let mut waiting = windows;
    let mut reading = futures::stream::FuturesUnordered::new();
    let (mut scanned, mut rows) = (0, Vec::new());
    loop {
        while reading.len() < MAX_SLICES {
            let Some(slice) = waiting.pop() else { break };
            reading.push(read_slice(client, query, slice, plan, request, config));
        }
        let Some(read) = reading.next().await else {
            break;
        };
        let read = read?;
        scanned += read.scanned;
        rows.extend(read.rows);
        waiting.extend(read.rest);
    }
    Ok((scanned, rows))
}

/// What reading one window gave.
#[derive(Debug, Default)]
struct SliceRead {
    /// Contacts the window holds (read up to its cut, when it was cut).
    scanned: usize,
    rows: Vec<ExportRow>,
    /// The rest of a window cut after its first page, to read as windows of their own.
    rest: Vec<CreatedSlice>,
}

impl SliceRead {
    fn take<'a>(
        &mut self,
        contacts: impl Iterator<Item = &'a Contact>,
        request: &ExportRequest,
        config: &Config,
    ) {
        for contact in contacts {
            self.scanned += 1;
            if request.filters.matches(contact, config) {
                self.rows.push(ExportRow::from_contact(contact, config));
            }
        }
    }
}

/// One window's contacts, oldest first: `query` and the window widened by the date margin, kept
/// exactly to the window client-side, filtered and made rows. A crowded window stops after its
/// first page and hands back the rest, cut ([`Plan::cut`]); a window's cursor also stops at the
/// first contact created at or after its end (the widening above holds nothing of its own).
async fn read_slice(
    client: &IntercomClient,
    query: &SearchQuery,
    slice: CreatedSlice,
    plan: Plan,
    request: &ExportRequest,
    config: &Config,
) -> Result<SliceRead, IntercomError> {
    let mut read = SliceRead::default();
    let mut pages = std::pin::pin!(client.search_contacts_counted(
        window_query(query, slice),
        request.per_page,
        Some(created_at_ascending())
    ));
    let mut first = true;
    while let Some(page) = pages.try_next().await? {
        let newest = page.items.iter().filter_map(|c| c.created_at).max();
        if std::mem::take(&mut first) {
            let cut = plan.cut(
                slice,
                page.total_count,
                page.items.len(),
                request.per_page,
                newest,
            );
            if let Some(rest) = cut {
                let before = CreatedSlice {
                    from: slice.from,
                    to: rest[0].from,
                };
                read.take(
                    page.items.iter().filter(|c| before.holds(c.created_at)),
                    request,
                    config,
                );
                tracing::debug!(
                    from = slice.from,
                    to = slice.to,
                    total_count = page.total_count,
                    cut_into = rest.len(),
                    "export window cut after its first page"
                );
                read.rest = rest;
                return Ok(read);
            }
        }
        read.take(
            page.items.iter().filter(|c| slice.holds(c.created_at)),
            request,
            config,
        );
        // Oldest first: past the window's end, the widening holds nothing of the window's. The
        // first window reads to its end (contacts without `created_at` may sort anywhere).
        if slice.from.is_some() && slice.to.zip(newest).is_some_and(|(to, at)| at >= to) {
            break;
        }
    }
    tracing::debug!(
        from = slice.from,
        to = slice.to,
        scanned = read.scanned,
        "export window read"
    );
    Ok(read)
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

    fn window(from: Option<i64>, to: Option<i64>) -> CreatedSlice {
        CreatedSlice { from, to }
    }

    #[test]
    fn created_at_windows() {
        // Under two minimum widths: one open search, as before slicing.
        assert_eq!(
            split_created(0, 19 * DAY, MAX_SLICES),
            vec![window(None, None)]
        );
        // 30 days: the oldest instant, then three windows of 10 days, the last open above.
        assert_eq!(
            split_created(0, 30 * DAY, MAX_SLICES),
            vec![
                window(None, Some(1)),
                window(Some(1), Some(10 * DAY)),
                window(Some(10 * DAY), Some(20 * DAY)),
                window(Some(20 * DAY), None),
            ]
        );
        // Ten years: capped at MAX_SLICES (and the oldest instant's window).
        assert_eq!(
            split_created(0, 3650 * DAY, MAX_SLICES).len(),
            MAX_SLICES + 1
        );
        // Fewer contacts than windows are worth: capped by slices_worth.
        assert_eq!(split_created(0, 3650 * DAY, 3).len(), 4);
        assert_eq!(
            [
                slices_worth(0, 150),
                slices_worth(2_000, 150),
                slices_worth(20_000, 150),
                slices_worth(100_000, 150)
            ],
            [1, 14, MAX_SLICES, MAX_SLICES]
        );
        assert_eq!(slices_worth(149, 150), 1);
        assert_eq!(slices_worth(151, 150), 2);
        // A contact created after as-of (or before the earliest) still has a window.
        assert_eq!(split_created(50, 10, MAX_SLICES), vec![window(None, None)]);
    }

    const PLAN: Plan = Plan {
        share: 300,
        as_of: 400 * DAY,
    };

    #[test]
    fn a_crowded_window_is_cut_after_its_first_page_one_window_per_share_left() {
        let inner = window(Some(100 * DAY), Some(200 * DAY));
        // 1,350 contacts, 150 on the first page, the newest created on day 110: 1,200 left is 4
        // shares, so days 110..200 in four windows of 22.5 days.
        let cut = PLAN.cut(inner, Some(1_350), 150, 150, Some(110 * DAY));
        let quarter = 90 * DAY / 4;
        assert_eq!(
            cut,
            Some(vec![
                window(Some(110 * DAY), Some(110 * DAY + quarter)),
                window(Some(110 * DAY + quarter), Some(110 * DAY + 2 * quarter)),
                window(Some(110 * DAY + 2 * quarter), Some(110 * DAY + 3 * quarter)),
                window(Some(110 * DAY + 3 * quarter), Some(200 * DAY)),
            ])
        );
        // The last window stays open above; the time left counts to as-of.
        let last = window(Some(300 * DAY), None);
        assert_eq!(
            PLAN.cut(last, Some(750), 150, 150, Some(310 * DAY)),
            Some(vec![
                window(Some(310 * DAY), Some(355 * DAY)),
                window(Some(355 * DAY), None),
            ])
        );
        // No more windows than 10-day widths: 19 days left give one, so no cut; 20 give two.
        assert_eq!(
            PLAN.cut(inner, Some(9_000), 150, 150, Some(181 * DAY)),
            None
        );
        assert_eq!(
            PLAN.cut(inner, Some(9_000), 150, 150, Some(180 * DAY))
                .map(|w| w.len()),
            Some(2)
        );
    }

    #[test]
    fn a_window_is_left_whole_when_cutting_would_not_pay() {
        let inner = window(Some(100 * DAY), Some(200 * DAY));
        // Under one and a half shares left: the cursor goes on.
        assert_eq!(PLAN.cut(inner, Some(599), 150, 150, Some(110 * DAY)), None);
        assert!(PLAN
            .cut(inner, Some(600), 150, 150, Some(110 * DAY))
            .is_some());
        // A page that is not full is the whole window; no count, nothing to cut by.
        assert_eq!(
            PLAN.cut(inner, Some(5_000), 149, 150, Some(110 * DAY)),
            None
        );
        assert_eq!(PLAN.cut(inner, None, 150, 150, Some(110 * DAY)), None);
        // The first window is open below: it holds contacts without created_at.
        let first = window(None, Some(200 * DAY));
        assert_eq!(
            PLAN.cut(first, Some(5_000), 150, 150, Some(110 * DAY)),
            None
        );
        // A page all created at the window's start (or before it) gives no progress.
        assert_eq!(
            PLAN.cut(inner, Some(5_000), 150, 150, Some(100 * DAY)),
            None
        );
        assert_eq!(PLAN.cut(inner, Some(5_000), 150, 150, None), None);
        // The newest on the page at or after the window's end: nothing left to cut.
        assert_eq!(
            PLAN.cut(inner, Some(5_000), 150, 150, Some(200 * DAY)),
            None
        );
    }

    proptest! {
        /// A cut window's first page (before the cut) and its rest hold every `created_at` the
        /// window holds, each in exactly one of them.
        #[test]
        fn a_cut_covers_its_window_exactly(
            earliest in 0i64..2_000_000_000,
            span in 0i64..(15 * 365 * DAY),
            pick in 0usize..MAX_SLICES,
            into in 0.0f64..1.0,
            total in 0u64..100_000,
            share in 150u64..5_000,
            at in proptest::option::of(-10i64..2_500_000_000),
        ) {
            let as_of = earliest + span;
            let slices = split_created(earliest, as_of, MAX_SLICES);
            let slice = slices[pick % slices.len()];
            let low = slice.from.unwrap_or(earliest);
            let high = slice.to.unwrap_or(as_of);
            let newest = low + ((high - low) as f64 * into) as i64;
            let plan = Plan { share, as_of };
            if let Some(rest) = plan.cut(slice, Some(total), 150, 150, Some(newest)) {
                prop_assert!(rest.len() >= 2);
                let before = CreatedSlice { from: slice.from, to: rest[0].from };
                let inside = rest.iter().chain([&before]).filter(|w| w.holds(at)).count();
                prop_assert_eq!(inside, usize::from(slice.holds(at)));
                for w in &rest[..rest.len() - 1] {
                    prop_assert!(w.to.unwrap() - w.from.unwrap() >= MIN_WINDOW_SECS);
                }
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
            prop_assert!((1..=MAX_SLICES + 1).contains(&slices.len()));
            prop_assert_eq!(slices.iter().filter(|s| s.holds(at)).count(), 1);
        }
    }
}
