//! The report functions' handler: route, parse, fetch from Intercom in parallel under a deadline,
//! compute the pure report, page and render (RULES.md §9).

pub mod fetch;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use lambda_http::{Body, Request, Response};

use crate::api::invocation::key_name;
use crate::api::paging::Limit;
use crate::api::problem::Problem;
use crate::api::render::{csv_response, json_response, next_link_base, wants_csv};
use crate::coaching::api::{csv_filename, parse_report_request, route, Meta, ReportRequest, Route};
use crate::coaching::jobs::engagement_export::DateRange;
use crate::coaching::reports::model::{ReportContext, ReportFilters, Session};
use crate::coaching::reports::{billing, caseload, new_participants, sessions, TabularRow};
use crate::coaching::rules::billing::BillingWindow;
use crate::coaching::rules::thresholds::AT_RISK_DAYS;
use crate::intercom::models::{Admin, Contact};
use crate::intercom::{IntercomClient, IntercomError};
use crate::time::{days_before, local_date_of, lookback_window, start_of_local_day, utc_midnight};

use super::AppContext;
use crate::job::JobError;

/// The platform's report deadline ([`crate::api::deadline_from_env`]), re-exported for the
/// report binaries.
pub use crate::api::invocation::deadline_from_env;

/// Answers one HTTP request for the report `serves` (another report's path is a 404 here).
/// Infallible: every failure is a problem+json response.
pub async fn handle(
    ctx: &AppContext,
    serves: Route,
    deadline: Duration,
    request: Request,
) -> Response<Body> {
    let started = Instant::now();
    let path = request.uri().path().to_string();
    let response = match route(request.method(), &path) {
        Ok(found) if found == serves => answer(ctx, serves, deadline, &request).await,
        Ok(_) => Problem::not_found(&path).into_response(),
        Err(problem) => problem.into_response(),
    };
    // Audit line: who (the API key's name from the authorizer), what, outcome; never PII.
    tracing::info!(
        report = serves.name(),
        key_name = key_name(&request).as_deref().unwrap_or("-"),
        method = %request.method(),
        path = %path,
        status = response.status().as_u16(),
        duration_ms = started.elapsed().as_millis() as u64,
        "report request"
    );
    response
}

async fn answer(
    ctx: &AppContext,
    serves: Route,
    deadline: Duration,
    request: &Request,
) -> Response<Body> {
    let req = match parse_report_request(serves, request, Utc::now(), ctx.config.reporting_tz) {
        Ok(req) => req,
        Err(problem) => return problem.into_response(),
    };
    match tokio::time::timeout(deadline, build(ctx, &req, request)).await {
        Ok(Ok(response)) => response,
        Ok(Err(problem)) => problem.into_response(),
        Err(_) => {
            tracing::warn!(
                report = serves.name(),
                deadline_ms = deadline.as_millis() as u64,
                "report timed out"
            );
            Problem::report_timeout(deadline.as_millis() as u64).into_response()
        }
    }
}

fn upstream(error: IntercomError) -> Problem {
    tracing::error!(%error, "Intercom request failed");
    Problem::from_intercom(&error)
}

fn setup(error: JobError) -> Problem {
    tracing::error!(%error, "cannot reach Intercom");
    match error {
        JobError::Intercom(e) => Problem::from_intercom(&e),
        _ => Problem::internal_error(),
    }
}

fn filters(req: &ReportRequest) -> ReportFilters {
    ReportFilters {
        coach_id: req.filters.coach_id.clone(),
        employer: req.filters.employer.clone(),
        channel: req.filters.channel,
    }
}

async fn admins(client: &IntercomClient) -> Result<BTreeMap<String, Admin>, IntercomError> {
    Ok(client
        .list_admins()
        .await?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect())
}

/// Largest response payload a report sends: Lambda caps a response at 6 MB, and a binary (gzip)
/// body travels base64-encoded, a third larger.
pub const MAX_RESPONSE_BYTES: usize = 5_500_000;

/// The payload size of `response` as Lambda will send it.
fn payload_size(response: &Response<Body>) -> usize {
    match response.body() {
        Body::Binary(bytes) => bytes.len().div_ceil(3) * 4,
        Body::Text(text) => text.len(),
        _ => 0,
    }
}

/// Renders one page of `rows` as JSON (with `summary` and extra members, e.g. caseload's
/// `filteredSummary` and `sessions`) or CSV. A page
/// that would exceed [`MAX_RESPONSE_BYTES`] is cut to fewer rows (the response's `page.limit`
/// says how many; `nextCursor` continues after them), so a large listing never breaks the cap.
#[allow(clippy::too_many_arguments)]
fn render<R: TabularRow>(
    req: &ReportRequest,
    request: &Request,
    client: &IntercomClient,
    tz: chrono_tz::Tz,
    summary: &impl serde::Serialize,
    rows_name: &str,
    rows: &[R],
    extra: impl Fn(std::ops::Range<usize>) -> Vec<(&'static str, serde_json::Value)>,
) -> Response<Body> {
    let mut req = req.clone();
    loop {
        let page = req.page(rows.len());
        let response = if wants_csv(req.format, request.headers()) {
            let link = next_link_base(request);
            csv_response(
                rows,
                &page,
                &csv_filename(&req, tz),
                link.as_deref(),
                request.headers(),
            )
        } else {
            let meta = Meta::new(&req, tz, Utc::now(), client.stats().api_calls);
            json_response(
                &meta,
                summary,
                rows_name,
                rows,
                extra(page.range()),
                &page,
                request.headers(),
            )
        };
        let size = payload_size(&response);
        let limit = req.limit.get();
        if size <= MAX_RESPONSE_BYTES || limit <= 1 {
            return response;
        }
        let fits = (limit as f64 * MAX_RESPONSE_BYTES as f64 / size as f64 * 0.9) as u32;
        tracing::info!(
            size,
            limit,
            fits,
            "page over the response cap; sending fewer rows"
        );
        req.limit = Limit(fits.clamp(1, limit - 1));
    }
}

async fn build(
    ctx: &AppContext,
    req: &ReportRequest,
    request: &Request,
) -> Result<Response<Body>, Problem> {
    let client = ctx.intercom_client().await.map_err(setup)?;
    let config = &ctx.config;
    let tz = config.reporting_tz;
    let as_of = req.as_of;
    let now = as_of.timestamp();
    let lookback = req.lookback.map(|l| l.days).unwrap_or(0);
    let coaching = &config.classes.coaching_channels;
    // One `GET /me` per request: with the workspace's zone, scans tile days exactly.
    let grid = fetch::DayGrid::of(&client).await.map_err(upstream)?;
    match req.route {
        Route::Caseload => {
            let (from, _) = lookback_window(as_of, lookback, tz);
            let (sessions, admins) = tokio::try_join!(
                fetch::closed_sessions_since(&client, grid, from, now, coaching, config),
                admins(&client)
            )
            .map_err(upstream)?;
            let members = fetch::members_of(&client, &sessions, [])
                .await
                .map_err(upstream)?;
            let rctx = ReportContext {
                as_of,
                config,
                admins: &admins,
            };
            let report = caseload::caseload(&sessions, &members, lookback, &filters(req), &rctx);
            let extra = |range: std::ops::Range<usize>| {
                let ids: Vec<&str> = report.members[range]
                    .iter()
                    .map(|m| m.member_id.as_str())
                    .collect();
                vec![
                    (
                        "filteredSummary",
                        serde_json::to_value(&report.filtered_summary).unwrap_or_default(),
                    ),
                    (
                        "sessions",
                        serde_json::to_value(report.sessions_of(&ids)).unwrap_or_default(),
                    ),
                ]
            };
            Ok(render(
                req,
                request,
                &client,
                tz,
                &report.summary,
                "members",
                &report.members,
                extra,
            ))
        }
        Route::Sessions => {
            // The 0–7 / 8–28 / 29–56 counts need 56 days whatever the lookback; the custom range
            // may reach further back.
            let today = local_date_of(as_of, tz);
            let mut first_day = days_before(today, lookback.max(AT_RISK_DAYS as u32));
            if let Some((from, _)) = req.custom_range {
                first_day = first_day.min(from);
            }
            let from = start_of_local_day(first_day, tz);
            let (sessions, admins) = tokio::try_join!(
                fetch::closed_sessions_since(&client, grid, from, now, coaching, config),
                admins(&client)
            )
            .map_err(upstream)?;
            // Contacts give employers; without an employer filter only the leads are needed
            // (to leave them out), which one search per chunk of ids finds.
            let members = if req.filters.employer.is_some() {
                fetch::members_of(&client, &sessions, []).await
            } else {
                fetch::leads_of(&client, &sessions).await
            }
            .map_err(upstream)?;
            let rctx = ReportContext {
                as_of,
                config,
                admins: &admins,
            };
            let report = sessions::sessions(
                &sessions,
                &members,
                lookback,
                req.custom_range,
                &filters(req),
                &rctx,
            );
            Ok(render(
                req,
                request,
                &client,
                tz,
                &report.summary,
                "sessions",
                &report.sessions,
                |_| Vec::new(),
            ))
        }
        Route::NewParticipants => {
            let first_day = days_before(local_date_of(as_of, tz), lookback);
            let first = req.enrolled.0.map_or(first_day, |d| d.max(first_day));
            let enrolled_attr = &config.attributes.enrolled_date;
            let (candidates, admins) = tokio::try_join!(
                fetch::contacts_with_date_between(
                    &client,
                    grid,
                    enrolled_attr,
                    utc_midnight(first),
                    now
                ),
                admins(&client)
            )
            .map_err(upstream)?;
            let sessions = participant_sessions(&client, grid, &candidates, first, as_of, config)
                .await
                .map_err(upstream)?;
            let rctx = ReportContext {
                as_of,
                config,
                admins: &admins,
            };
            let enrolled = DateRange {
                from: req.enrolled.0,
                to: req.enrolled.1,
            };
            let report = new_participants::new_participants(
                &candidates,
                &sessions,
                lookback,
                enrolled,
                &filters(req),
                &rctx,
            );
            Ok(render(
                req,
                request,
                &client,
                tz,
                &report.summary,
                "participants",
                &report.participants,
                |_| Vec::new(),
            ))
        }
        Route::Billing | Route::Engagement => {
            let month = req.month.ok_or_else(Problem::internal_error)?;
            let window = BillingWindow::new(month, tz);
            let engaged_from = start_of_local_day(window.engaged_from, tz);
            let month_end = window.month_instants.1;
            let enrolled_attr = &config.attributes.enrolled_date;
            let billing_channels = &config.classes.billing_channels;
            let (calls, candidates, admins) = tokio::try_join!(
                fetch::closed_sessions_since(
                    &client,
                    grid,
                    engaged_from,
                    month_end.min(now),
                    billing_channels,
                    config
                ),
                fetch::contacts_with_date_between(
                    &client,
                    grid,
                    enrolled_attr,
                    utc_midnight(month.first_day()),
                    utc_midnight(month.last_day()) + 86_399
                ),
                admins(&client)
            )
            .map_err(upstream)?;
            // New participants without a call in the engaged window: their latest billing call
            // up to the month's end may be older.
            let with_calls: std::collections::BTreeSet<&str> = calls
                .iter()
                .flat_map(|s| s.member_ids.iter().map(String::as_str))
                .collect();
            let without: Vec<String> = candidates
                .iter()
                .filter(|c| !with_calls.contains(c.id.as_str()))
                .map(|c| c.id.clone())
                .collect();
            let mut all_calls = calls.clone();
            if !without.is_empty() {
                all_calls.extend(
                    fetch::closed_sessions_of(&client, &without, billing_channels, config)
                        .await
                        .map_err(upstream)?,
                );
            }
            let known: std::collections::BTreeSet<String> =
                candidates.iter().map(|c| c.id.clone()).collect();
            let mut members: BTreeMap<String, Contact> = candidates
                .iter()
                .map(|c| (c.id.clone(), c.clone()))
                .collect();
            let others: Vec<Session> = calls
                .iter()
                .filter(|s| s.member_ids.iter().any(|id| !known.contains(id)))
                .cloned()
                .collect();
            let fetched = fetch::members_of(&client, &others, [])
                .await
                .map_err(upstream)?;
            for (id, contact) in fetched {
                members.entry(id).or_insert(contact);
            }
            let rctx = ReportContext {
                as_of,
                config,
                admins: &admins,
            };
            let report = billing::billing(
                month,
                &candidates,
                &all_calls,
                &members,
                req.filters.employer.as_deref(),
                &rctx,
            );
            Ok(render(
                req,
                request,
                &client,
                tz,
                &report.summary,
                "rows",
                &report.rows,
                |_| Vec::new(),
            ))
        }
    }
}

/// Coaching sessions that decide each candidate's latest session: a scan of the window since the
/// first candidate enrolment date when there are many candidates, else (and for candidates the
/// scan found nothing for) each candidate's whole history by `contact_ids`.
async fn participant_sessions(
    client: &IntercomClient,
    grid: fetch::DayGrid,
    candidates: &[Contact],
    first_day: chrono::NaiveDate,
    as_of: DateTime<Utc>,
    config: &crate::coaching::config::Config,
) -> Result<Vec<Session>, IntercomError> {
    const SCAN_ABOVE: usize = 1500;
    let coaching = &config.classes.coaching_channels;
    let ids: Vec<String> = candidates.iter().map(|c| c.id.clone()).collect();
    if ids.len() <= SCAN_ABOVE {
        return fetch::closed_sessions_of(client, &ids, coaching, config).await;
    }
    // A candidate's latest session is at or after any session of theirs in the window, so a
    // window scan finds it whenever the window holds one.
    let from = start_of_local_day(first_day, config.reporting_tz);
    let mut sessions =
        fetch::closed_sessions_since(client, grid, from, as_of.timestamp(), coaching, config)
            .await?;
    let wanted: std::collections::BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    sessions.retain(|s| s.member_ids.iter().any(|m| wanted.contains(m.as_str())));
    let seen: std::collections::BTreeSet<&str> = sessions
        .iter()
        .flat_map(|s| s.member_ids.iter().map(String::as_str))
        .collect();
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !seen.contains(id.as_str()))
        .cloned()
        .collect();
    if !missing.is_empty() {
        let more = fetch::closed_sessions_of(client, &missing, coaching, config).await?;
        sessions.extend(more);
    }
    Ok(sessions)
}
