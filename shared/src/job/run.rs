//! What every job that writes Intercom contact attributes shares: its error, contact lookups,
//! preflight, apply and the summary.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};

use crate::aws::s3::S3Error;
use crate::aws::secrets::TokenError;
use crate::config::ConfigError;
use crate::intercom::models::Contact;
use crate::intercom::IntercomClient;
use crate::intercom::IntercomError;
use crate::intercom::SearchQuery;
use crate::job::input::InvalidEvent;
use crate::job::plan::ContactUpdate;
use crate::job::preflight::{self, ExpectedAttribute, PreflightError};
use crate::job::summary::{FailedUpdate, RunSummary};

/// Contact ids per `id IN [...]` lookup: one search page of 150 answers a whole chunk.
pub(crate) const LOOKUP_CHUNK: usize = 150;
/// Contact updates (and lookups) in flight at once: 24 at Intercom's ~150 ms is ~160 requests
/// a second, just under its 1,666 per 10 s; the client's gate holds requests whenever
/// `X-RateLimit-Remaining` runs out, so a slower or busier workspace only waits.
pub(crate) const CONCURRENCY: usize = 24;

/// Why a job invocation failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The event is invalid; nothing was sent to Intercom.
    #[error("invalid event: {0}")]
    InvalidInput(#[from] InvalidEvent),
    /// The function's configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The Intercom access token could not be read.
    #[error("Intercom access token: {0}")]
    Token(#[from] TokenError),
    /// Intercom refused or failed a read, or the workspace is not set up for the job.
    #[error("Intercom: {0}")]
    Intercom(#[from] IntercomError),
    /// The workspace's data attributes do not allow the writes (RULES.md §10).
    #[error("preflight: {0}")]
    Preflight(#[from] PreflightError),
    /// The export could not be stored.
    #[error(transparent)]
    S3(#[from] S3Error),
    /// Some contact updates failed; the others were applied. The summary lists the failures.
    #[error("{} of {} contact updates failed (first: contact {} — {}); see the run summary", .0.failed.len(), .0.applied + .0.failed.len(), .0.failed.first().map(|f| f.contact_id.as_str()).unwrap_or("-"), .0.failed.first().and_then(|f| f.code.as_deref()).unwrap_or("-"))]
    UpdatesFailed(Box<RunSummary>),
    /// Some searches kept failing; what the others found was applied. The summary lists them.
    #[error("{} searches kept failing (first: {}); what the others found was applied, and the next run reads them again; see the run summary", .0.failed_searches.len(), .0.failed_searches.first().map(|f| f.search.as_str()).unwrap_or("-"))]
    SearchesFailed(Box<RunSummary>),
}

/// Reads the contacts with these ids: `id IN [...]` searches of [`LOOKUP_CHUNK`] ids, then
/// `GET /contacts/{id}` for any a search did not return (new contacts take minutes to become
/// searchable). Contacts that no longer exist (404) are left out with a warning.
pub(crate) async fn fetch_contacts(
    client: &IntercomClient,
    ids: &BTreeSet<String>,
) -> Result<BTreeMap<String, Contact>, IntercomError> {
    fetch_contacts_with(client, ids, CONCURRENCY).await
}

/// [`fetch_contacts`] with `concurrency` searches in flight.
pub(crate) async fn fetch_contacts_with(
    client: &IntercomClient,
    ids: &BTreeSet<String>,
    concurrency: usize,
) -> Result<BTreeMap<String, Contact>, IntercomError> {
    let chunks: Vec<Vec<String>> = ids
        .iter()
        .cloned()
        .collect::<Vec<_>>()
        .chunks(LOOKUP_CHUNK)
        .map(<[String]>::to_vec)
        .collect();
    let pages: Vec<Vec<Contact>> = futures::stream::iter(chunks)
        .map(|chunk| async move {
            let query = SearchQuery::field("id").is_in(chunk);
            client.search_contacts(query).try_concat().await
        })
        .buffer_unordered(concurrency)
        .try_collect()
        .await?;
    let mut found: BTreeMap<String, Contact> = pages
        .into_iter()
        .flatten()
        .filter(|c| ids.contains(&c.id))
        .map(|c| (c.id.clone(), c))
        .collect();
    for id in ids {
        if found.contains_key(id) {
            continue;
        }
        match client.get_contact(id).await {
            Ok(contact) => {
                found.insert(id.clone(), contact);
            }
            Err(error) if error.status() == Some(404) => {
                tracing::warn!(contact_id = %id, "contact referenced by a conversation no longer exists; skipped");
            }
            Err(e) => return Err(e),
        }
    }
    Ok(found)
}

/// Checks, with `GET /data_attributes?model=contact`, that every attribute the job writes exists,
/// is API-writable and has the expected type (RULES.md §10). Runs before any scan, dry runs too,
/// so that a dry run proves the real run can write.
pub(crate) async fn preflight(
    client: &IntercomClient,
    expected: &[ExpectedAttribute],
) -> Result<(), JobError> {
    let found = client.contact_data_attributes().await?;
    preflight::check(&found, expected)?;
    Ok(())
}

/// Outcome of applying a plan.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    pub applied: usize,
    pub failed: Vec<FailedUpdate>,
}

/// One `PUT /contacts/{id}` per update ([`IntercomClient::update_contact_once`]: never written
/// twice, even when an answer is lost), [`CONCURRENCY`] at a time. A failed update is recorded
/// (contact id, HTTP status, Intercom's code and request id) and does not stop the others.
pub(crate) async fn apply(client: &IntercomClient, updates: &[ContactUpdate]) -> Applied {
    let results: Vec<(String, Result<(), IntercomError>)> = futures::stream::iter(updates)
        .map(|update| async move {
            let result = client
                .update_contact_once(&update.contact_id, &update.custom_attributes())
                .await;
            (update.contact_id.clone(), result)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut outcome = Applied::default();
    for (contact_id, result) in results {
        match result {
            Ok(()) => outcome.applied += 1,
            Err(error) => {
                let failed = failed_update(contact_id, &error);
                tracing::error!(
                    contact_id = %failed.contact_id,
                    status = failed.status,
                    code = failed.code.as_deref().unwrap_or(""),
                    request_id = failed.request_id.as_deref().unwrap_or(""),
                    error = %error,
                    "contact update failed"
                );
                outcome.failed.push(failed);
            }
        }
    }
    outcome
        .failed
        .sort_by(|a, b| a.contact_id.cmp(&b.contact_id));
    outcome
}

fn failed_update(contact_id: String, error: &IntercomError) -> FailedUpdate {
    FailedUpdate {
        contact_id,
        status: error.status(),
        code: error.code().map(str::to_string),
        request_id: error.request_id().map(str::to_string),
        message: error.to_string(),
    }
}

/// What a job scanned and planned, for [`finish`].
pub(crate) struct Planned {
    pub job: &'static str,
    pub dry_run: bool,
    pub as_of: DateTime<Utc>,
    pub scanned: usize,
    pub candidates: usize,
    pub updates: Vec<ContactUpdate>,
    pub started: Instant,
    /// Searches that kept failing (session-sync's slices and lookups); empty for other jobs.
    pub failed_searches: Vec<crate::job::summary::FailedSearch>,
    /// The first local date not scanned when the run stopped at its budget.
    pub resume_from: Option<String>,
}

/// Applies the plan unless it is a dry run, logs every change and the summary, and returns the
/// summary — or [`JobError::UpdatesFailed`] when any update failed, so retries and alarms fire.
pub(crate) async fn finish(
    client: &IntercomClient,
    planned: Planned,
) -> Result<RunSummary, JobError> {
    for change in planned.updates.iter().flat_map(|u| u.changes.iter()) {
        tracing::info!(
            job = planned.job,
            dry_run = planned.dry_run,
            contact_id = %change.contact_id,
            attribute = %change.attribute,
            old = %change.old,
            new = %change.new,
            reason = change.reason.as_deref().unwrap_or(""),
            "planned change"
        );
    }
    let mut summary = RunSummary::planned(
        planned.job,
        planned.dry_run,
        planned.as_of,
        planned.scanned,
        planned.candidates,
        &planned.updates,
    );
    summary.failed_searches = planned.failed_searches;
    summary.complete = planned.resume_from.is_none();
    summary.resume_from = planned.resume_from;
    if !planned.dry_run {
        let outcome = apply(client, &planned.updates).await;
        summary.applied = outcome.applied;
        summary.failed = outcome.failed;
    }
    let stats = client.stats();
    summary.api_calls = stats.api_calls;
    summary.rate_limit_waits = stats.rate_limit_waits;
    summary.retries = stats.retries;
    summary.duration_ms = planned.started.elapsed().as_millis() as u64;
    tracing::info!(
        job = planned.job,
        dry_run = summary.dry_run,
        scanned = summary.scanned,
        candidates = summary.candidates,
        changes_planned = summary.changes_planned,
        updates_planned = summary.updates_planned,
        applied = summary.applied,
        failed = summary.failed.len(),
        api_calls = summary.api_calls,
        rate_limit_waits = summary.rate_limit_waits,
        retries = summary.retries,
        duration_ms = summary.duration_ms,
        failed_searches = summary.failed_searches.len(),
        complete = summary.complete,
        resume_from = summary.resume_from.as_deref().unwrap_or(""),
        "run summary"
    );
    summary.metrics().emit();
    if !summary.failed.is_empty() {
        Err(JobError::UpdatesFailed(Box::new(summary)))
    } else if !summary.failed_searches.is_empty() {
        Err(JobError::SearchesFailed(Box::new(summary)))
    } else {
        Ok(summary)
    }
}
