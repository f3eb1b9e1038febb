//! `session-sync` (RULES.md §5): Last Coaching Session, Last Call and First Session Date from the
//! conversations updated within the lookback window.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use futures::{StreamExt, TryStreamExt};
use serde_json::Value;

use crate::coaching::config::Config;
use crate::coaching::jobs::session_sync::{
    needs_first_session_lookup, plan, written_attributes, SessionSyncEvent, Slice, JOB,
    SLICE_CONCURRENCY,
};
use crate::coaching::rules::classes::{is_qualifying_call, session_time};
use crate::coaching::rules::sessions::{CallIndex, ContactCalls};
use crate::intercom::IntercomClient;
use crate::intercom::IntercomError;
use crate::intercom::{date_window, SearchQuery};
use crate::job::summary::{FailedSearch, RunSummary};

use super::AppContext;
use crate::intercom::{and_flat, custom_field};
use crate::job::plan::ContactUpdate;
use crate::job::run::{
    fetch_contacts_with, preflight, run, ReadOutcome, CONCURRENCY, LOOKUP_CHUNK,
};
use crate::job::JobError;

/// Handles one `session-sync` event `{"lookbackDays": 1..=3650, "dryRun": bool, "asOf": RFC 3339,
/// "resumeFrom": "YYYY-MM-DD"}`.
///
/// Reads: conversation searches by time slice
/// ([`crate::coaching::jobs::session_sync::SLICE_DAYS`] local days of `updated_at` each,
/// widened by two days and kept exact client-side; `Channel` in the qualifying channels and the
/// phone channel), [`SLICE_CONCURRENCY`] slices at a time, oldest first; contact lookups by id; and for
/// contacts whose First Session Date is empty and who are enrolled or registered, their
/// whole-history qualifying calls (`contact_ids IN [...]`). Writes one `PUT /contacts/{id}` per
/// contact with a change.
///
/// A slice (or a lookup chunk) whose search keeps failing is listed in `failedSearches` and the
/// run ends in [`JobError::SearchesFailed`] after applying what the others found: the dates only
/// move forward, so a partial scan never writes a wrong value, and the next run reads the slice
/// again. When the scan has used the context's scan budget, the run applies what it found and
/// answers `complete: false` with `resumeFrom`, the first local date not scanned.
pub async fn handle(ctx: &AppContext, event: Value) -> Result<RunSummary, JobError> {
    let started = Instant::now();
    let event = SessionSyncEvent::parse(&event, ctx.now())?;
    let config = &ctx.config;
    let slices = event.slices(config.reporting_tz)?;
    let client = ctx.intercom_client().await?;
    preflight(&client, &written_attributes(config)).await?;

    let mut channels = config.classes.qualifying_channels.clone();
    if !channels.contains(&config.classes.phone_channel) {
        channels.push(config.classes.phone_channel.clone());
    }
    let mut index = CallIndex::new(event.as_of.timestamp());
    let mut scanned = 0usize;
    let mut failed_searches = Vec::new();
    let mut resume_from = None;
    // Slices are launched oldest first, up to SLICE_CONCURRENCY at once (a new one as soon as
    // one ends). The first SLICE_CONCURRENCY always run, so every run makes progress; after
    // them, once the budget is used no new slice starts, the ones running finish, and the first
    // slice not launched is where the next run resumes.
    let launched = std::cell::Cell::new(0usize);
    let mut results = std::pin::pin!(futures::stream::iter(slices.iter().enumerate())
        .take_while(|(i, _)| {
            let go = *i < SLICE_CONCURRENCY || started.elapsed() < ctx.scan_budget();
            if go {
                launched.set(i + 1);
            }
            std::future::ready(go)
        })
        .map(|(_, slice)| {
            let (client, channels) = (&client, &channels);
            async move {
                let as_of = event.as_of.timestamp();
                (
                    slice,
                    scan_slice(client, slice, channels, as_of, config).await,
                )
            }
        })
        .buffer_unordered(SLICE_CONCURRENCY));
    while let Some((slice, result)) = results.next().await {
        match result {
            Ok((slice_index, slice_scanned)) => {
                scanned += slice_scanned;
                index.merge(slice_index);
            }
            Err(error) => {
                tracing::error!(job = JOB, search = %slice.describe(), %error, "search kept failing; the next run reads it again");
                failed_searches.push(failed_search(slice.describe(), &error));
            }
        }
    }
    if let Some(next) = slices.get(launched.get()) {
        resume_from = Some(next.first_day.to_string());
        tracing::info!(
            job = JOB,
            resume_from = %next.first_day,
            "scan budget used; applying what was found"
        );
    }
    let calls = index.into_map();
    let ids: Vec<&String> = calls.keys().collect();
    let calls = &calls;
    let client = &client;
    run(client, JOB, event.dry_run, event.as_of, started, |planned| async move {
        // Contacts are looked up, planned and handed to the writes one chunk at a time (in id
        // order), so neither every contact nor the whole plan is ever held.
        let mut candidates = 0usize;
        let mut chunks = std::pin::pin!(futures::stream::iter(ids.chunks(LOOKUP_CHUNK))
            .map(|chunk| plan_chunk(client, chunk, calls, event.as_of.timestamp(), config))
            .buffered(CHUNKS_IN_FLIGHT));
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk?;
            candidates += chunk.candidates;
            for (ids, error) in &chunk.failed_lookups {
                let search = format!("first qualifying calls of {} contacts", ids.len());
                tracing::error!(job = JOB, %search, %error, "search kept failing; the next run reads it again");
                failed_searches.push(failed_search(search, error));
            }
            planned.send(chunk.updates).await;
        }
        Ok(ReadOutcome {
            scanned,
            candidates,
            failed_searches,
            resume_from,
        })
    })
    .await
}

/// Contact lookup chunks planned at once: each is a contact search and, for the contacts whose
/// First Session Date is still to find, a history search.
const CHUNKS_IN_FLIGHT: usize = CONCURRENCY / 2;

/// What one chunk of contacts planned.
struct ChunkPlan {
    candidates: usize,
    updates: Vec<ContactUpdate>,
    failed_lookups: Vec<FailedLookup>,
}

/// Looks up one chunk of the contacts with calls, finds the first qualifying call of those that
/// need a First Session Date, and plans their updates (RULES.md §5).
async fn plan_chunk(
    client: &IntercomClient,
    chunk: &[&String],
    calls: &BTreeMap<String, ContactCalls>,
    as_of: i64,
    config: &Config,
) -> Result<ChunkPlan, JobError> {
    let ids: BTreeSet<String> = chunk.iter().map(|id| (*id).clone()).collect();
    let contacts = fetch_contacts_with(client, &ids, 1).await?;
    let need_first: Vec<String> = contacts
        .values()
        .filter(|c| needs_first_session_lookup(c, config))
        .map(|c| c.id.clone())
        .collect();
    // A contact whose lookup failed has no entry in `first_sessions`, so the plan leaves its
    // First Session Date alone this run (the window's earliest call could be later than the real
    // first one).
    let (first_sessions, failed_lookups) =
        first_qualifying_calls(client, &need_first, as_of, config).await;
    Ok(ChunkPlan {
        candidates: contacts.len(),
        updates: plan(calls, &contacts, &first_sessions, config),
        failed_lookups,
    })
}

/// The contact ids of a lookup chunk whose search kept failing, and the error.
type FailedLookup = (Vec<String>, IntercomError);

fn failed_search(search: String, error: &IntercomError) -> FailedSearch {
    FailedSearch {
        search,
        status: error.status(),
        message: error.to_string(),
    }
}

/// One slice's calls, indexed page by page (a slice's conversations are never held together):
/// conversations with `updated_at` in the slice widened by two days (Intercom matches dates by
/// calendar day), kept exactly to the slice, `Channel IN channels`. Returns the slice's index and
/// how many conversations it counted.
async fn scan_slice(
    client: &IntercomClient,
    slice: &Slice,
    channels: &[String],
    as_of: i64,
    config: &Config,
) -> Result<(CallIndex, usize), IntercomError> {
    let query = and_flat([
        date_window("updated_at", slice.from, slice.to),
        SearchQuery::field(custom_field(&config.attributes.channel)).is_in(channels.to_vec()),
    ]);
    let mut index = CallIndex::new(as_of);
    let mut scanned = 0;
    let mut pages = std::pin::pin!(client.search_conversations(query));
    while let Some(page) = pages.try_next().await? {
        for conversation in page
            .iter()
            .filter(|c| (slice.from..=slice.to).contains(&c.updated_at))
        {
            scanned += 1;
            index.add(conversation, config);
        }
    }
    Ok((index, scanned))
}

/// Each contact's earliest qualifying call on record (session time ≤ `as_of`), over its whole
/// history: conversation searches `contact_ids IN [chunk] AND state = closed AND Channel IN
/// qualifying AND Service Code IN qualifying`, classified exactly client-side.
///
/// A chunk whose search keeps failing is returned with its ids and error; the others' results
/// stand.
async fn first_qualifying_calls(
    client: &IntercomClient,
    contact_ids: &[String],
    as_of: i64,
    config: &Config,
) -> (BTreeMap<String, i64>, Vec<FailedLookup>) {
    let classes = &config.classes;
    let names = &config.attributes;
    let per_chunk: Vec<Result<BTreeMap<String, i64>, FailedLookup>> =
        futures::stream::iter(contact_ids.chunks(LOOKUP_CHUNK))
            .map(|chunk| async move {
                let wanted: BTreeSet<&str> = chunk.iter().map(String::as_str).collect();
                let query = SearchQuery::and([
                    SearchQuery::field("contact_ids").is_in(chunk.to_vec()),
                    SearchQuery::field("state").eq("closed"),
                    SearchQuery::field(custom_field(&names.channel))
                        .is_in(classes.qualifying_channels.clone()),
                    SearchQuery::field(custom_field(&names.service_code))
                        .is_in(classes.qualifying_service_codes.clone()),
                ]);
                let mut earliest: BTreeMap<String, i64> = BTreeMap::new();
                let mut pages = std::pin::pin!(client.search_conversations(query));
                loop {
                    let page = match pages.try_next().await {
                        Ok(Some(page)) => page,
                        Ok(None) => break,
                        Err(error) => return Err((chunk.to_vec(), error)),
                    };
                    for conversation in page {
                        if !is_qualifying_call(&conversation, config) {
                            continue;
                        }
                        let at = session_time(&conversation);
                        if at > as_of {
                            continue;
                        }
                        for id in conversation.contact_ids().filter(|id| wanted.contains(id)) {
                            earliest
                                .entry(id.to_string())
                                .and_modify(|t| *t = (*t).min(at))
                                .or_insert(at);
                        }
                    }
                }
                Ok(earliest)
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
    let mut earliest = BTreeMap::new();
    let mut failed = Vec::new();
    for result in per_chunk {
        match result {
            Ok(found) => earliest.extend(found),
            Err(failure) => failed.push(failure),
        }
    }
    (earliest, failed)
}
