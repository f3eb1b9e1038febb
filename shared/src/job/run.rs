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
/// Requests of one kind in flight at once (contact updates; lookups): enough to reach Intercom's
/// 1,666 per 10 s at ~150 ms a request (24 ÷ 0.15 s = 160 a second). It is a ceiling, not the
/// pace: the client spreads its requests over what the `X-RateLimit-*` headers say is left of
/// the window (see `intercom/rate_limit.rs`), so reading and writing together, a busier
/// workspace or a lower limit only slow the sending down, and the budget's end holds them.
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

/// Planned updates waiting to be written, at most: the reading side waits (back-pressure) while
/// this many are queued, so memory stays flat however many contacts change.
const QUEUED_UPDATES: usize = 1_000;

/// Where a job's reading side hands its planned updates, as soon as each is planned: they are
/// logged, counted in the summary and (unless a dry run) written while the job goes on reading.
pub(crate) struct PlannedUpdates {
    queue: tokio::sync::mpsc::Sender<ContactUpdate>,
}

impl PlannedUpdates {
    /// Queues `updates` in order; waits while the queue is full.
    pub(crate) async fn send(&self, updates: impl IntoIterator<Item = ContactUpdate>) {
        for update in updates {
            // The writing side lives until this side is done, so the queue is never closed here.
            let _ = self.queue.send(update).await;
        }
    }
}

/// What a job's reading side found, for the summary.
#[derive(Debug, Default)]
pub(crate) struct ReadOutcome {
    /// Objects read (conversations or contacts).
    pub scanned: usize,
    /// Contacts the rules looked at.
    pub candidates: usize,
    /// Searches that kept failing (session-sync's slices and lookups); empty for other jobs.
    pub failed_searches: Vec<crate::job::summary::FailedSearch>,
    /// The first local date not scanned when the run stopped at its budget.
    pub resume_from: Option<String>,
}

/// A writing job's run: `read` scans Intercom and plans, handing each planned update to
/// [`PlannedUpdates`]; meanwhile every update is logged change by change, counted in the summary
/// and, unless `dry_run`, written with one `PUT /contacts/{id}`
/// ([`IntercomClient::update_contact_once`]: never written twice, even when an answer is lost),
/// [`CONCURRENCY`] at a time. Reading and writing overlap, so a run takes about as long as the
/// longer of the two, and neither the plan nor the contacts are ever held whole.
///
/// A failed update is recorded (contact id, HTTP status, Intercom's code and request id) and does
/// not stop the others; the run then ends in [`JobError::UpdatesFailed`] (or
/// [`JobError::SearchesFailed`] when a search kept failing) with the summary, so retries and
/// alarms fire. When `read` fails, the updates already planned are still written (each is right
/// on its own: RULES.md's dates only move forward) and the read error is returned.
pub(crate) async fn run<F, Fut>(
    client: &IntercomClient,
    job: &'static str,
    dry_run: bool,
    as_of: DateTime<Utc>,
    started: Instant,
    read: F,
) -> Result<RunSummary, JobError>
where
    F: FnOnce(PlannedUpdates) -> Fut,
    Fut: std::future::Future<Output = Result<ReadOutcome, JobError>>,
{
    let (queue, queued) = tokio::sync::mpsc::channel(QUEUED_UPDATES);
    let mut summary = RunSummary::empty(job, dry_run, as_of);
    let mut failed = Vec::new();
    let mut applied = 0usize;
    let planned = futures::stream::unfold(queued, |mut queued| async move {
        queued.recv().await.map(|update| (update, queued))
    })
    .inspect(|update: &ContactUpdate| {
        log_planned(job, dry_run, update);
        summary.record_planned(update);
    })
    .filter(|_| std::future::ready(!dry_run))
    .map(|update| async move {
        let result = client
            .update_contact_once(&update.contact_id, &update.custom_attributes())
            .await;
        (update.contact_id, result)
    })
    .buffer_unordered(CONCURRENCY)
    .for_each(|(contact_id, result)| {
        match result {
            Ok(()) => applied += 1,
            Err(error) => failed.push(failed_update(contact_id, &error)),
        }
        std::future::ready(())
    });
    let (read, ()) = futures::join!(read(PlannedUpdates { queue }), planned);
    summary.applied = applied;
    failed.sort_by(|a, b| a.contact_id.cmp(&b.contact_id));
    summary.failed = failed;
    let read = match read {
        Ok(read) => read,
        Err(error) => {
            tracing::error!(
                job,
                applied = summary.applied,
                failed = summary.failed.len(),
                %error,
                "run stopped by an error; the updates planned before it were applied"
            );
            return Err(error);
        }
    };
    summary.scanned = read.scanned;
    summary.candidates = read.candidates;
    summary.failed_searches = read.failed_searches;
    summary.complete = read.resume_from.is_none();
    summary.resume_from = read.resume_from;
    conclude(client, summary, started)
}

/// [`run`] for a job that reads one contact search and plans each page on its own
/// (engagement-sync, referral-sync): `plan_page` answers how many of the page's contacts the
/// rules looked at and their updates, which go to the writes page by page while the search goes
/// on. `None` reads nothing (nothing to search for).
pub(crate) async fn run_contact_search<P>(
    client: &IntercomClient,
    job: &'static str,
    dry_run: bool,
    as_of: DateTime<Utc>,
    started: Instant,
    query: Option<SearchQuery>,
    plan_page: P,
) -> Result<RunSummary, JobError>
where
    P: Fn(&[Contact]) -> (usize, Vec<ContactUpdate>),
{
    run(client, job, dry_run, as_of, started, |planned| async move {
        let mut read = ReadOutcome::default();
        let Some(query) = query else {
            return Ok(read);
        };
        let mut pages = std::pin::pin!(client.search_contacts(query));
        while let Some(page) = pages.try_next().await? {
            read.scanned += page.len();
            let (candidates, updates) = plan_page(&page);
            read.candidates += candidates;
            planned.send(updates).await;
        }
        Ok(read)
    })
    .await
}

fn log_planned(job: &str, dry_run: bool, update: &ContactUpdate) {
    for change in &update.changes {
        tracing::info!(
            job,
            dry_run,
            contact_id = %change.contact_id,
            attribute = %change.attribute,
            old = %change.old,
            new = %change.new,
            reason = change.reason.as_deref().unwrap_or(""),
            "planned change"
        );
    }
}

fn failed_update(contact_id: String, error: &IntercomError) -> FailedUpdate {
    let failed = FailedUpdate {
        contact_id,
        status: error.status(),
        code: error.code().map(str::to_string),
        request_id: error.request_id().map(str::to_string),
        message: error.to_string(),
    };
    tracing::error!(
        contact_id = %failed.contact_id,
        status = failed.status,
        code = failed.code.as_deref().unwrap_or(""),
        request_id = failed.request_id.as_deref().unwrap_or(""),
        error = %error,
        "contact update failed"
    );
    failed
}

/// Fills the client's counters and the duration, logs the summary and its metrics, and returns
/// it — or the error that makes retries and alarms fire when an update or a search failed.
fn conclude(
    client: &IntercomClient,
    mut summary: RunSummary,
    started: Instant,
) -> Result<RunSummary, JobError> {
    let stats = client.stats();
    summary.api_calls = stats.api_calls;
    summary.rate_limit_waits = stats.rate_limit_waits;
    summary.paced_ms = stats.paced_ms;
    summary.retries = stats.retries;
    summary.duration_ms = started.elapsed().as_millis() as u64;
    tracing::info!(
        job = summary.job,
        dry_run = summary.dry_run,
        scanned = summary.scanned,
        candidates = summary.candidates,
        changes_planned = summary.changes_planned,
        updates_planned = summary.updates_planned,
        applied = summary.applied,
        failed = summary.failed.len(),
        api_calls = summary.api_calls,
        rate_limit_waits = summary.rate_limit_waits,
        paced_ms = summary.paced_ms,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigError;
    use crate::intercom::ClientConfig;
    use crate::job::plan::AttributeChange;
    use serde_json::json;
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    async fn client_for(server: &MockServer) -> IntercomClient {
        Mock::given(method("PUT"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"type": "contact", "id": "c", "custom_attributes": {}})),
            )
            .mount(server)
            .await;
        let mut config = ClientConfig::new("test-token".to_string().into());
        config.base_url = format!("{}/", server.uri()).parse().unwrap();
        IntercomClient::new(config).unwrap()
    }

    fn update(id: &str) -> ContactUpdate {
        ContactUpdate {
            contact_id: id.into(),
            changes: vec![AttributeChange {
                contact_id: id.into(),
                attribute: "Last Call".into(),
                old: json!(null),
                new: json!(1_700_000_000),
                reason: None,
            }],
        }
    }

    async fn puts(server: &MockServer) -> Vec<String> {
        let mut paths: Vec<String> = server
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.method == wiremock::http::Method::PUT)
            .map(|r| r.url.path().to_string())
            .collect();
        paths.sort();
        paths
    }

    fn as_of() -> DateTime<Utc> {
        crate::time::parse_as_of("2026-03-10T16:00:00Z").unwrap()
    }

    #[tokio::test]
    async fn updates_are_written_while_the_read_goes_on() {
        let server = MockServer::start().await;
        let client = client_for(&server).await;
        let summary = run(&client, "test", false, as_of(), Instant::now(), |planned| {
            let server = &server;
            async move {
                planned.send([update("c1")]).await;
                // The read only ends once the first update has reached Intercom: a run that
                // held every update until the end of the read would never get here.
                for _ in 0..200 {
                    if !puts(server).await.is_empty() {
                        return Ok(ReadOutcome {
                            scanned: 1,
                            candidates: 1,
                            ..ReadOutcome::default()
                        });
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(25)).await;
                }
                Err(JobError::Config(ConfigError {
                    variable: "test",
                    reason: "no update was written while reading".into(),
                }))
            }
        })
        .await
        .expect("the run succeeds");
        assert_eq!(
            (summary.scanned, summary.updates_planned, summary.applied),
            (1, 1, 1)
        );
        assert_eq!(puts(&server).await, ["/contacts/c1"]);
    }

    #[tokio::test]
    async fn a_read_error_still_writes_what_was_planned_before_it() {
        let server = MockServer::start().await;
        let client = client_for(&server).await;
        let result = run(
            &client,
            "test",
            false,
            as_of(),
            Instant::now(),
            |planned| async move {
                planned.send([update("c1"), update("c2")]).await;
                Err(JobError::Config(ConfigError {
                    variable: "test",
                    reason: "the search failed".into(),
                }))
            },
        )
        .await;
        assert!(matches!(result, Err(JobError::Config(_))), "{result:?}");
        assert_eq!(puts(&server).await, ["/contacts/c1", "/contacts/c2"]);
    }

    #[tokio::test]
    async fn a_dry_run_counts_and_lists_but_writes_nothing() {
        let server = MockServer::start().await;
        let client = client_for(&server).await;
        let summary = run(
            &client,
            "test",
            true,
            as_of(),
            Instant::now(),
            |planned| async move {
                planned
                    .send((0..1_005).map(|i| update(&format!("c{i}"))))
                    .await;
                Ok(ReadOutcome::default())
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (
                summary.updates_planned,
                summary.changes_planned,
                summary.applied
            ),
            (1_005, 1_005, 0)
        );
        assert_eq!(
            (summary.changes.len(), summary.changes_omitted),
            (RunSummary::MAX_LISTED_CHANGES, 5)
        );
        assert_eq!(summary.changes[0].contact_id, "c0", "listed in plan order");
        assert!(puts(&server).await.is_empty());
    }
}
