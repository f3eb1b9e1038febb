//! `session-sync` (RULES.md §5): Last Coaching Session, Last Call and First Session Date from the
//! conversations updated within the lookback window.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use futures::{StreamExt, TryStreamExt};
use serde_json::Value;

use crate::coaching::config::Config;
use crate::coaching::jobs::session_sync::{
    needs_first_session_lookup, plan, written_attributes, SessionSyncEvent, JOB,
};
use crate::coaching::rules::classes::{is_qualifying_call, session_time};
use crate::coaching::rules::sessions::CallIndex;
use crate::intercom::IntercomClient;
use crate::intercom::IntercomError;
use crate::intercom::{date_window, SearchQuery};
use crate::job::summary::RunSummary;

use super::AppContext;
use crate::intercom::{and_flat, custom_field};
use crate::job::run::{fetch_contacts, finish, preflight, Planned, CONCURRENCY, LOOKUP_CHUNK};
use crate::job::JobError;

/// Handles one `session-sync` event `{"lookbackDays": 1..=3650, "dryRun": bool, "asOf": RFC 3339}`.
///
/// Reads: conversation search (`updated_at` within the window widened by two days, `Channel` in
/// the qualifying channels and the phone channel), contact lookups by id, and for contacts whose
/// First Session Date is empty and who are enrolled or registered, their whole-history qualifying
/// calls (`contact_ids IN [...]`). Writes one `PUT /contacts/{id}` per contact with a change.
pub async fn handle(ctx: &AppContext, event: Value) -> Result<RunSummary, JobError> {
    let started = Instant::now();
    let event = SessionSyncEvent::parse(&event, ctx.now())?;
    let config = &ctx.config;
    let client = ctx.intercom_client().await?;
    preflight(&client, &written_attributes(config)).await?;

    let window = event.window(config.reporting_tz);
    let mut channels = config.classes.qualifying_channels.clone();
    if !channels.contains(&config.classes.phone_channel) {
        channels.push(config.classes.phone_channel.clone());
    }
    let query = and_flat([
        date_window("updated_at", window.0, window.1),
        SearchQuery::field(custom_field(&config.attributes.channel)).is_in(channels),
    ]);
    let mut index = CallIndex::new(event.as_of.timestamp());
    let mut scanned = 0usize;
    let mut pages = std::pin::pin!(client.search_conversations(query));
    while let Some(page) = pages.next().await {
        for conversation in page? {
            // The search matched whole days; keep the exact window.
            if (window.0..=window.1).contains(&conversation.updated_at) {
                scanned += 1;
                index.add(&conversation, config);
            }
        }
    }
    let calls = index.into_map();
    let ids: BTreeSet<String> = calls.keys().cloned().collect();
    let contacts = fetch_contacts(&client, &ids).await?;
    let need_first: Vec<String> = contacts
        .values()
        .filter(|c| needs_first_session_lookup(c, config))
        .map(|c| c.id.clone())
        .collect();
    let first_sessions =
        first_qualifying_calls(&client, &need_first, event.as_of.timestamp(), config).await?;
    let updates = plan(&calls, &contacts, &first_sessions, config);
    finish(
        &client,
        Planned {
            job: JOB,
            dry_run: event.dry_run,
            as_of: event.as_of,
            scanned,
            candidates: contacts.len(),
            updates,
            started,
        },
    )
    .await
}

/// Each contact's earliest qualifying call on record (session time ≤ `as_of`), over its whole
/// history: conversation searches `contact_ids IN [chunk] AND state = closed AND Channel IN
/// qualifying AND Service Code IN qualifying`, classified exactly client-side.
async fn first_qualifying_calls(
    client: &IntercomClient,
    contact_ids: &[String],
    as_of: i64,
    config: &Config,
) -> Result<BTreeMap<String, i64>, IntercomError> {
    let classes = &config.classes;
    let names = &config.attributes;
    let per_chunk: Vec<BTreeMap<String, i64>> =
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
                while let Some(page) = pages.try_next().await? {
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
                Ok::<_, IntercomError>(earliest)
            })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
    Ok(per_chunk.into_iter().flatten().collect())
}
