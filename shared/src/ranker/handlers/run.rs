//! One `engagement-ranker` invocation (ENGAGEMENT-RANKER.md §6–§8): parse the event (nothing
//! called on a bad one), preflight HubSpot and Yobi, read, plan, then write in one phase and
//! post the summary. A failure after the event is parsed posts one alert and writes nothing,
//! except a partial write, which is named company by company.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use futures::{StreamExt, TryStreamExt};

use crate::hubspot::{BatchUpdateOutcome, CompanyUpdate, HubSpotError, OBJECT_BATCH_MAX};
use crate::ranker::jobs::event::{Mode, RankerEvent};
use crate::ranker::jobs::plan::{plan, Anomaly, Inputs, Plan};
use crate::ranker::jobs::summary::{alert, Summary, Unwritten};
use crate::time::rfc3339;

use super::context::RankerContext;
pub use super::error::RankerError;
use super::read;
use super::spike::{spike, SpikeReport};

/// The run's JSON output: the summary, or the spike report.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Output {
    Summary(Box<Summary>),
    Spike(Box<SpikeReport>),
}

/// One invocation at the current time.
pub async fn handle(ctx: &RankerContext, event: Value) -> Result<Output, RankerError> {
    run(ctx, event, Utc::now()).await
}

/// One invocation with `now` as the default `asOf`.
pub async fn run(
    ctx: &RankerContext,
    event: Value,
    now: DateTime<Utc>,
) -> Result<Output, RankerError> {
    let event = RankerEvent::parse(&event, now)?;
    tracing::info!(
        week_start = %event.week.start,
        dry_run = event.dry_run,
        mode = ?event.mode,
        allowlist = event.company_ids.as_ref().map(BTreeSet::len),
        "engagement ranker starts"
    );
    if event.mode == Mode::Spike {
        return Ok(Output::Spike(Box::new(spike(ctx, &event).await?)));
    }
    match ranking(ctx, &event).await {
        Ok(summary) => Ok(Output::Summary(Box::new(summary))),
        Err(error) => {
            tracing::error!(%error, "engagement ranker failed");
            if let Err(e) = ctx
                .slack
                .post(&alert(&event.week.start.to_string(), &error.to_string()))
                .await
            {
                tracing::error!(error = %e, "the failure alert could not be posted");
            }
            Err(error)
        }
    }
}

async fn ranking(ctx: &RankerContext, event: &RankerEvent) -> Result<Summary, RankerError> {
    let week = event.week;
    // Everything is read at once (nothing is written before the checks below): HubSpot's
    // token and properties, Yobi's login and tenants, the customer universe, the usage.
    let (props, tenants, universe, usage) = tokio::join!(
        read::properties(ctx),
        read::tenants(ctx),
        read::universe(ctx),
        read::usage(ctx, week)
    );
    // Preflight problems first: a refused token is reported as such, not as the failed
    // reads that follow from it.
    let (definitions, mut problems) = props?;
    let (tenants, yobi_problems) = tenants?;
    problems.extend(yobi_problems);
    if !problems.is_empty() {
        return Err(RankerError::Preflight(problems));
    }
    let universe = universe?;
    let (weekly, calls_30d, problems) = usage?;
    if !problems.is_empty() {
        return Err(RankerError::Preflight(problems));
    }
    let inputs = Inputs {
        companies: universe.companies,
        contact_emails: universe.contact_emails,
        tenants,
        weekly,
        calls_30d,
        definitions,
    };
    let plan = plan(week, &inputs, &ctx.config, event.company_ids.as_ref())?;
    tracing::info!(
        n = plan.n,
        changes = plan.changes.len(),
        unchanged = plan.unchanged,
        anomalies = plan.anomalies.len(),
        "planned"
    );
    let mut summary = Summary::of(&plan, event.dry_run, rfc3339(event.as_of));
    if !event.dry_run {
        apply(ctx, &plan, &mut summary).await?;
    }
    let delivery = ctx.slack.post(&summary.message()).await?;
    tracing::info!(attempts = delivery.attempts, "summary posted to Slack");
    Ok(summary)
}

/// Batch updates in flight at once (each of [`crate::hubspot::OBJECT_BATCH_MAX`] companies).
pub const UPDATE_CONCURRENCY: usize = 12;

/// `updates` in batches of 100, [`UPDATE_CONCURRENCY`] at a time; the outcomes merged (a
/// refused batch leaves its own companies unwritten, not the others').
async fn update_concurrently(
    ctx: &RankerContext,
    updates: &[CompanyUpdate],
) -> Result<BatchUpdateOutcome, HubSpotError> {
    let outcomes: Vec<BatchUpdateOutcome> = futures::stream::iter(updates.chunks(OBJECT_BATCH_MAX))
        .map(|chunk| ctx.hubspot.update_companies(chunk))
        .buffer_unordered(UPDATE_CONCURRENCY)
        .try_collect()
        .await?;
    let mut merged = BatchUpdateOutcome::default();
    for o in outcomes {
        merged.written.extend(o.written);
        merged.unwritten.extend(o.unwritten);
        if merged.stopped_by.is_none()
            || o.stopped_by
                .as_ref()
                .is_some_and(HubSpotError::is_daily_limit)
        {
            merged.stopped_by = o.stopped_by.or(merged.stopped_by);
        }
    }
    merged
        .unwritten
        .sort_by(|a, b| crate::ranker::rules::score::compare_ids(&a.id, &b.id));
    Ok(merged)
}

/// Writes the plan's updates, retries the unwritten once (a `DAILY` stop is final), and
/// records what was written; any left unwritten end the run in error.
async fn apply(ctx: &RankerContext, plan: &Plan, summary: &mut Summary) -> Result<(), RankerError> {
    let updates = plan.updates();
    if updates.is_empty() {
        return Ok(());
    }
    let first = update_concurrently(ctx, &updates).await?;
    let mut written = first.written.clone();
    let mut unwritten = first.unwritten.clone();
    let mut stopped_by = first.stopped_by.as_ref().map(ToString::to_string);
    let name = |id: &str| {
        plan.ranked
            .iter()
            .find(|r| r.company_id == id)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    for u in first
        .unwritten
        .iter()
        .filter(|u| u.category != "NOT_ATTEMPTED")
    {
        summary.anomalies.push(Anomaly {
            kind: "partial_batch",
            company_id: u.id.clone(),
            name: name(&u.id),
            detail: format!("first write refused: {} {}", u.category, u.message),
        });
    }
    let daily = first
        .stopped_by
        .as_ref()
        .is_some_and(HubSpotError::is_daily_limit);
    if !unwritten.is_empty() && !daily {
        let again: BTreeSet<&str> = unwritten.iter().map(|u| u.id.as_str()).collect();
        let retry: Vec<CompanyUpdate> = updates
            .iter()
            .filter(|u| again.contains(u.id.as_str()))
            .cloned()
            .collect();
        tracing::warn!(
            companies = retry.len(),
            "retrying the companies not written"
        );
        let second = update_concurrently(ctx, &retry).await?;
        for id in &second.written {
            summary.anomalies.push(Anomaly {
                kind: "retried",
                company_id: id.clone(),
                name: name(id),
                detail: "written on the second attempt".into(),
            });
        }
        summary.writes.retried = retry.len();
        written.extend(second.written);
        unwritten = second.unwritten;
        stopped_by = second.stopped_by.as_ref().map(ToString::to_string);
    }
    written.sort_by(|a, b| crate::ranker::rules::score::compare_ids(a, b));
    summary.writes.written = written.clone();
    summary.writes.unwritten = unwritten
        .iter()
        .map(|u| Unwritten {
            company_id: u.id.clone(),
            category: u.category.clone(),
            message: u.message.clone(),
        })
        .collect();
    if unwritten.is_empty() {
        tracing::info!(written = written.len(), "every change written");
        Ok(())
    } else {
        Err(RankerError::WriteIncomplete {
            written,
            unwritten: summary.writes.unwritten.clone(),
            stopped_by,
        })
    }
}
