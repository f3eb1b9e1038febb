//! Reading what reports need from Intercom, in parallel and within the rate limit: conversation
//! scans split by channel and by time slice, contact lookups in chunks of ids, each contact read
//! at most once per request.

use std::collections::{BTreeMap, BTreeSet};

use futures::{StreamExt, TryStreamExt};

use crate::config::Config;
use crate::intercom::models::Contact;
use crate::intercom::{date_window, IntercomClient, IntercomError, SearchQuery};
use crate::reports::model::Session;

use super::super::common::{and_flat, custom_field, fetch_contacts_with, LOOKUP_CHUNK};

/// Searches in flight at once for one report request; the client's rate-limit gate paces them.
pub const REPORT_CONCURRENCY: usize = 8;
/// Length of one time slice of a conversation scan. Each slice is widened by two days on each
/// side (Intercom matches dates by calendar day in the workspace's zone), so slices of a month
/// keep the overlap, which is deduplicated by conversation id, near 13 %.
pub const SLICE_SECS: i64 = 30 * 86_400;

/// `[from, to]` cut into slices of at most [`SLICE_SECS`]; the last slice is open-ended
/// (`None`), because a session held in the window may be updated after as-of.
pub fn time_slices(from: i64, to: i64) -> Vec<(i64, Option<i64>)> {
    let mut slices = Vec::new();
    let mut start = from;
    while to - start > SLICE_SECS {
        slices.push((start, Some(start + SLICE_SECS)));
        start += SLICE_SECS;
    }
    slices.push((start, None));
    slices
}

/// Closed sessions in `channels` whose session time may fall in `[from, ∞)`: a closed
/// conversation's session time (`statistics.last_close_at`, else `updated_at`) is never after its
/// `updated_at`, so `updated_at ≥ from` selects a superset, which the pure reports narrow exactly.
/// One search per channel and time slice, [`REPORT_CONCURRENCY`] at a time; duplicates across
/// slices are dropped by conversation id.
pub async fn closed_sessions_since(
    client: &IntercomClient,
    from: i64,
    to: i64,
    channels: &[String],
    config: &Config,
) -> Result<Vec<Session>, IntercomError> {
    let channel_field = custom_field(&config.attributes.channel);
    let mut queries = Vec::new();
    for channel in channels {
        for (start, end) in time_slices(from, to) {
            let updated = match end {
                Some(end) => date_window("updated_at", start, end),
                None => SearchQuery::field("updated_at")
                    .gt(start - crate::intercom::DATE_WINDOW_MARGIN_SECS),
            };
            queries.push(and_flat([
                SearchQuery::field("state").eq("closed"),
                SearchQuery::field(channel_field.clone()).eq(channel.clone()),
                updated,
            ]));
        }
    }
    collect_sessions(client, queries, config).await
}

/// Every closed session in `channels` of these contacts, their whole history:
/// `contact_ids IN [chunk]` searches, [`REPORT_CONCURRENCY`] at a time.
pub async fn closed_sessions_of(
    client: &IntercomClient,
    contact_ids: &[String],
    channels: &[String],
    config: &Config,
) -> Result<Vec<Session>, IntercomError> {
    let channel_field = custom_field(&config.attributes.channel);
    let queries = contact_ids
        .chunks(LOOKUP_CHUNK)
        .map(|chunk| {
            SearchQuery::and([
                SearchQuery::field("contact_ids").is_in(chunk.to_vec()),
                SearchQuery::field("state").eq("closed"),
                SearchQuery::field(channel_field.clone()).is_in(channels.to_vec()),
            ])
        })
        .collect();
    collect_sessions(client, queries, config).await
}

async fn collect_sessions(
    client: &IntercomClient,
    queries: Vec<SearchQuery>,
    config: &Config,
) -> Result<Vec<Session>, IntercomError> {
    let per_query: Vec<Vec<Session>> = futures::stream::iter(queries)
        .map(|query| async move {
            let mut sessions = Vec::new();
            let mut pages = std::pin::pin!(client.search_conversations(query));
            while let Some(page) = pages.try_next().await? {
                sessions.extend(
                    page.iter()
                        .filter_map(|c| Session::from_conversation(c, config)),
                );
            }
            Ok::<_, IntercomError>(sessions)
        })
        .buffer_unordered(REPORT_CONCURRENCY)
        .try_collect()
        .await?;
    let mut seen = BTreeSet::new();
    Ok(per_query
        .into_iter()
        .flatten()
        .filter(|s| seen.insert(s.conversation_id.clone()))
        .collect())
}

/// Contacts whose date attribute `attribute` (a calendar date stored at midnight UTC) may lie in
/// `[from, to]`: one search per time slice, in parallel, deduplicated by id.
pub async fn contacts_with_date_between(
    client: &IntercomClient,
    attribute: &str,
    from: i64,
    to: i64,
) -> Result<Vec<Contact>, IntercomError> {
    let field = custom_field(attribute);
    let queries: Vec<SearchQuery> = time_slices(from, to)
        .into_iter()
        .map(|(start, end)| date_window(&field, start, end.unwrap_or(to)))
        .collect();
    let per_query: Vec<Vec<Contact>> = futures::stream::iter(queries)
        .map(|query| client.search_contacts(query).try_concat())
        .buffer_unordered(REPORT_CONCURRENCY)
        .try_collect()
        .await?;
    let mut seen = BTreeSet::new();
    Ok(per_query
        .into_iter()
        .flatten()
        .filter(|c| seen.insert(c.id.clone()))
        .collect())
}

/// The contacts of these sessions (each read once), plus `also` ids.
pub async fn members_of(
    client: &IntercomClient,
    sessions: &[Session],
    also: impl IntoIterator<Item = String>,
) -> Result<BTreeMap<String, Contact>, IntercomError> {
    let mut ids: BTreeSet<String> = sessions
        .iter()
        .flat_map(|s| s.member_ids.iter().cloned())
        .collect();
    ids.extend(also);
    fetch_contacts_with(client, &ids, REPORT_CONCURRENCY).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_cover_the_window_and_end_open() {
        let day = 86_400;
        assert_eq!(time_slices(0, 10 * day), vec![(0, None)]);
        let s = time_slices(0, 365 * day);
        assert_eq!(s.len(), 13);
        assert_eq!(s[0], (0, Some(SLICE_SECS)));
        for pair in s.windows(2) {
            assert_eq!(pair[0].1, Some(pair[1].0), "slices are contiguous");
        }
        assert_eq!(s.last().unwrap().1, None);
    }
}
