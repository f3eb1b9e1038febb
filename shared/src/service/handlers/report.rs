//! The `service-performance-report` handler: route, parse, query the dashboard's SQL functions
//! in one read-only transaction under a deadline, render JSON or CSV (SERVICE-PERFORMANCE.md
//! §5). Every failure is a problem+json response; none carries the database URL, a server
//! message or SQL.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use chrono_tz::Tz;
use lambda_http::{Body, Request, Response};
use serde::Serialize;

use crate::api::invocation::key_name;
use crate::api::paging::PageInfo;
use crate::api::problem::Problem;
use crate::api::render::{csv_response, json_unpaged_response, wants_csv, TabularRow};
use crate::service::api::rows::{
    ChannelRow, CountriesSummary, CountryRow, DailyTrendSummary, DayRow, DistributionSummary,
    HeatmapCell, HeatmapSummary, SentimentRow, SummaryRow, TeammateRow, TeammatesSummary,
};
use crate::service::api::{
    csv_filename, parse_request, route, Meta, Report, Route, ServiceRequest,
};
use crate::service::dashboard;
use crate::service::handlers::ServiceContext;
use crate::store::query::execute_script;
use crate::store::StoreError;

/// What one request read: the rows of its SQL function.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    Summary(SummaryRow),
    DailyTrend(Vec<DayRow>),
    Teammates(Vec<TeammateRow>),
    Sentiment(Vec<SentimentRow>),
    Channels(Vec<ChannelRow>),
    Heatmap(Vec<HeatmapCell>),
    Countries(Vec<CountryRow>),
}

/// Answers one HTTP request for any of the seven routes. Infallible: every failure is a
/// problem+json response (400 before any database call, 404/405 for the route, 503 when the
/// database cannot be reached, 504 past `deadline`, 500 otherwise).
pub async fn handle(ctx: &ServiceContext, deadline: Duration, request: Request) -> Response<Body> {
    let started = Instant::now();
    let path = request.uri().path().to_string();
    let (report, response) = match route(request.method(), &path) {
        Ok(found) => (found.name(), answer(ctx, found, deadline, &request).await),
        Err(problem) => ("-", problem.into_response()),
    };
    // Audit line: who (the API key's name from the authorizer), what, outcome.
    tracing::info!(
        report,
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
    ctx: &ServiceContext,
    route: Route,
    deadline: Duration,
    request: &Request,
) -> Response<Body> {
    let tz = ctx.config.reporting_tz;
    let req = match parse_request(route, request, Utc::now(), tz) {
        Ok(req) => req,
        Err(problem) => return problem.into_response(),
    };
    let deadline_ms = u64::try_from(deadline.as_millis()).unwrap_or(u64::MAX);
    let connected = AtomicBool::new(false);
    match tokio::time::timeout(deadline, read(ctx, &req, deadline_ms, &connected)).await {
        Ok(Ok(answer)) => render(&req, tz, &answer, request),
        Ok(Err(error)) => {
            // The error names the step and sqlx's error, never the URL or password.
            tracing::error!(report = route.name(), %error, "report query failed");
            Problem::from_store(&error, deadline_ms).into_response()
        }
        // Still waiting for a connection: the database is unreachable, not the report slow.
        Err(_) if !connected.load(Ordering::Relaxed) => {
            tracing::error!(report = route.name(), deadline_ms, "no database connection");
            Problem::database_unavailable().into_response()
        }
        Err(_) => {
            tracing::warn!(report = route.name(), deadline_ms, "report timed out");
            Problem::report_timeout(deadline_ms).into_response()
        }
    }
}

/// Runs `req`'s SQL function in one read-only transaction whose statements stop at
/// `deadline_ms` (`statement_timeout`), opening the pool (and applying pending migrations) on
/// the environment's first request. Sets `connected` once the transaction has begun.
async fn read(
    ctx: &ServiceContext,
    req: &ServiceRequest,
    deadline_ms: u64,
    connected: &AtomicBool,
) -> Result<Answer, StoreError> {
    let pool = ctx.pool().await?;
    let query = |what| move |source| StoreError::Query { what, source };
    let mut tx = pool
        .begin()
        .await
        .map_err(query("starting the report's transaction"))?;
    connected.store(true, Ordering::Relaxed);
    // Postgres takes at most i32::MAX milliseconds (about 24 days).
    let timeout_ms = deadline_ms.min(i32::MAX as u64);
    execute_script(
        &mut tx,
        &format!("SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = {timeout_ms}"),
    )
    .await
    .map_err(query("setting up the report's transaction"))?;
    let range = req.range;
    let answer = match req.report {
        Report::Summary => Answer::Summary(dashboard::summary(&mut tx, range).await?),
        Report::DailyTrend => Answer::DailyTrend(dashboard::daily_trend(&mut tx, range).await?),
        Report::Teammates { metric, limit } => {
            Answer::Teammates(dashboard::teammates(&mut tx, range, metric, limit).await?)
        }
        Report::Sentiment => Answer::Sentiment(dashboard::sentiment(&mut tx, range).await?),
        Report::Channels => Answer::Channels(dashboard::channels(&mut tx, range).await?),
        Report::Heatmap => Answer::Heatmap(dashboard::heatmap(&mut tx, range).await?),
        Report::Countries { limit } => {
            Answer::Countries(dashboard::countries(&mut tx, range, limit).await?)
        }
    };
    tx.commit()
        .await
        .map_err(query("ending the report's transaction"))?;
    Ok(answer)
}

/// The response: JSON `{"meta", "summary", <rows>}` (the summary route has no rows), or CSV of
/// the rows (the summary route: its one row).
fn render(req: &ServiceRequest, tz: Tz, answer: &Answer, request: &Request) -> Response<Body> {
    let out = Out {
        req,
        meta: Meta::new(req, tz, Utc::now()),
        csv: wants_csv(req.format, request.headers()),
        request,
    };
    match answer {
        Answer::Summary(row) if out.csv => out.list(row, "summary", std::slice::from_ref(row)),
        Answer::Summary(row) => json_unpaged_response(
            &out.meta,
            row,
            None::<(&str, &[SummaryRow])>,
            request.headers(),
        ),
        Answer::DailyTrend(rows) => out.list(&DailyTrendSummary::of(rows), "days", rows),
        Answer::Teammates(rows) => out.list(&TeammatesSummary::of(rows), "teammates", rows),
        Answer::Sentiment(rows) => out.list(
            &DistributionSummary::of(rows.iter().map(|r| r.conversation_count)),
            "sentiment",
            rows,
        ),
        Answer::Channels(rows) => out.list(
            &DistributionSummary::of(rows.iter().map(|r| r.conversation_count)),
            "channels",
            rows,
        ),
        Answer::Heatmap(rows) => out.list(&HeatmapSummary::of(rows), "cells", rows),
        Answer::Countries(rows) => out.list(&CountriesSummary::of(rows), "countries", rows),
    }
}

/// How one response is written.
struct Out<'a> {
    req: &'a ServiceRequest,
    meta: Meta,
    csv: bool,
    request: &'a Request,
}

impl Out<'_> {
    /// `{"meta", "summary", <rows_name>: rows}`, or the rows as CSV.
    fn list<R: TabularRow>(
        &self,
        summary: &impl Serialize,
        rows_name: &str,
        rows: &[R],
    ) -> Response<Body> {
        let headers = self.request.headers();
        if self.csv {
            csv_response(
                rows,
                &PageInfo::whole(rows.len()),
                &csv_filename(self.req),
                None,
                headers,
            )
        } else {
            json_unpaged_response(&self.meta, summary, Some((rows_name, rows)), headers)
        }
    }
}
