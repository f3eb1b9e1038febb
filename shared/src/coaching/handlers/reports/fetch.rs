//! Reading what reports need from Intercom, in parallel and within the rate limit: conversation
//! scans split by channel and by time slice, contact lookups in chunks of ids, each contact read
//! at most once per request.

use std::collections::{BTreeMap, BTreeSet};

use futures::{StreamExt, TryStreamExt};

use crate::coaching::config::Config;
use crate::coaching::reports::model::Session;
use crate::intercom::models::Contact;
use crate::intercom::{date_window, IntercomClient, IntercomError, SearchQuery};

use crate::intercom::{and_flat, custom_field};
use crate::job::run::{fetch_contacts_with, LOOKUP_CHUNK};

/// Searches in flight at once for one report request; the client's rate-limit gate paces them
/// (16 in flight at 150 ms each is ~107 requests/s, under Intercom's ~166 per second).
pub const REPORT_CONCURRENCY: usize = 16;
/// Time slices per scanned field: enough searches to keep [`REPORT_CONCURRENCY`] busy, since the
/// pages of one search can only be read one after another (each needs the previous cursor).
pub const SLICES: i64 = 16;
/// Shortest slice on the workspace's day grid: each slice is widened by one local day on each
/// side (RULES.md §3), so a week keeps the re-read overlap under a third.
pub const MIN_SLICE_DAYS: i64 = 7;
/// Without the workspace's time zone, slices overlap by two days on each side (Intercom matches
/// dates by calendar day in that zone); they are then at least this long, to keep the overlap,
/// deduplicated by id, small.
pub const WIDENED_SLICE_SECS: i64 = 30 * 86_400;

/// How a time window is cut into searches of a date field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DayGrid {
    /// The workspace's zone is known (`GET /me` → `app.timezone`): slices are whole local days,
    /// each widened by one day on each side (`> start of the day before − 1 s`, `< start of the
    /// day after the slice`), as RULES.md §3 asks; overlaps are deduplicated by id.
    Workspace(chrono_tz::Tz),
    /// Unknown zone: slices widened by two days on each side, then deduplicated.
    Unknown,
}

impl DayGrid {
    /// The workspace's grid from `GET /me`, or [`DayGrid::Unknown`] when it names no known zone.
    pub async fn of(client: &IntercomClient) -> Result<Self, IntercomError> {
        let zone = client.workspace_time_zone().await?;
        Ok(match zone.and_then(|z| z.parse::<chrono_tz::Tz>().ok()) {
            Some(tz) => DayGrid::Workspace(tz),
            None => DayGrid::Unknown,
        })
    }

    /// Filters on `field` that together cover `[from, ∞)` (`open_end`) or `[from, to]`, in
    /// parallel-friendly slices of `[from, to]`.
    pub fn slices(self, field: &str, from: i64, to: i64, open_end: bool) -> Vec<SearchQuery> {
        let margin = crate::intercom::DATE_WINDOW_MARGIN_SECS;
        match self {
            DayGrid::Workspace(tz) => {
                let first = crate::time::local_date(from, tz);
                let last = crate::time::local_date(to.max(from), tz);
                let days = (last - first).num_days() + 1;
                let step = ((days + SLICES - 1) / SLICES).max(MIN_SLICE_DAYS);
                let start = |d: chrono::NaiveDate| crate::time::start_of_local_day(d, tz);
                let one_day = chrono::Duration::days(1);
                let mut out = Vec::new();
                let mut day = first;
                while day <= last {
                    let next = day + chrono::Duration::days(step);
                    let lower = SearchQuery::field(field).gt(start(day - one_day) - 1);
                    if next > last && open_end {
                        out.push(lower);
                    } else {
                        let upper = SearchQuery::field(field).lt(start(next + one_day));
                        out.push(SearchQuery::and([lower, upper]));
                    }
                    day = next;
                }
                out
            }
            DayGrid::Unknown => {
                let step = ((to - from) / SLICES).max(WIDENED_SLICE_SECS);
                let mut out = Vec::new();
                let mut start = from;
                loop {
                    let end = start + step;
                    if end >= to {
                        out.push(if open_end {
                            SearchQuery::field(field).gt(start - margin)
                        } else {
                            date_window(field, start, to)
                        });
                        break;
                    }
                    out.push(date_window(field, start, end));
                    start = end;
                }
                out
            }
        }
    }
}

/// Closed sessions in `channels` whose session time may fall in `[from, ∞)`: a closed
/// conversation's session time (`statistics.last_close_at`, else `updated_at`) is never after its
/// `updated_at`, so `updated_at ≥ from` selects a superset, which the pure reports narrow exactly.
/// One search per channel and time slice, [`REPORT_CONCURRENCY`] at a time; duplicates across
/// slices are dropped by conversation id.
pub async fn closed_sessions_since(
    client: &IntercomClient,
    grid: DayGrid,
    from: i64,
    to: i64,
    channels: &[String],
    config: &Config,
) -> Result<Vec<Session>, IntercomError> {
    let channel_field = custom_field(&config.attributes.channel);
    let mut queries = Vec::new();
    for channel in channels {
        for updated in grid.slices("updated_at", from, to, true) {
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
    grid: DayGrid,
    attribute: &str,
    from: i64,
    to: i64,
) -> Result<Vec<Contact>, IntercomError> {
    let field = custom_field(attribute);
    let queries = grid.slices(&field, from, to, false);
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

/// The leads (role `lead`) among the contacts of these sessions: `role = lead AND id IN [chunk]`
/// searches, [`REPORT_CONCURRENCY`] at a time. Cheaper than reading every contact when only
/// membership matters (a contact not returned is a user, or has no record).
pub async fn leads_of(
    client: &IntercomClient,
    sessions: &[Session],
) -> Result<BTreeMap<String, Contact>, IntercomError> {
    let ids: Vec<String> = sessions
        .iter()
        .flat_map(|s| s.member_ids.iter().cloned())
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect();
    let queries: Vec<SearchQuery> = ids
        .chunks(LOOKUP_CHUNK)
        .map(|chunk| {
            SearchQuery::and([
                SearchQuery::field("role").eq("lead"),
                SearchQuery::field("id").is_in(chunk.to_vec()),
            ])
        })
        .collect();
    let per_query: Vec<Vec<Contact>> = futures::stream::iter(queries)
        .map(|query| client.search_contacts(query).try_concat())
        .buffer_unordered(REPORT_CONCURRENCY)
        .try_collect()
        .await?;
    Ok(per_query
        .into_iter()
        .flatten()
        .filter(|c| c.role.as_deref() == Some("lead"))
        .map(|c| (c.id.clone(), c))
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

    use serde_json::Value;

    fn bounds(q: &SearchQuery) -> String {
        serde_json::to_string(q).unwrap()
    }

    #[test]
    fn workspace_slices_cover_local_days_widened_by_one_day() {
        let tz = chrono_tz::America::New_York;
        let day = |d: &str| crate::time::start_of_local_day(d.parse().unwrap(), tz);
        // 2026-02-25 .. 2026-03-10 (14 local days, across the DST change): two 7-day slices.
        let slices = DayGrid::Workspace(tz).slices(
            "updated_at",
            day("2026-02-25") + 3600,
            day("2026-03-10") + 3600,
            true,
        );
        assert_eq!(slices.len(), 2);
        assert!(
            bounds(&slices[0]).contains(&format!("{}", day("2026-02-24") - 1)),
            "a day before"
        );
        assert!(
            bounds(&slices[0]).contains(&format!("{}", day("2026-03-05"))),
            "a day after"
        );
        assert!(bounds(&slices[1]).contains(&format!("{}", day("2026-03-03") - 1)));
        assert!(
            !bounds(&slices[1]).contains("\"<\""),
            "the last slice is open-ended"
        );
        let year = DayGrid::Workspace(tz).slices(
            "updated_at",
            day("2025-03-10"),
            day("2026-03-10"),
            false,
        );
        assert!(year.len() <= SLICES as usize);
        let last: Value = serde_json::to_value(year.last().unwrap()).unwrap();
        let upper = last["value"][1]["value"].as_i64().unwrap();
        assert!(
            upper >= day("2026-03-11"),
            "the window's last day is covered, plus one: {last}"
        );
    }

    #[test]
    fn unknown_zone_slices_are_widened_and_cover_the_window() {
        let day = 86_400;
        assert_eq!(
            DayGrid::Unknown
                .slices("updated_at", 0, 10 * day, true)
                .len(),
            1
        );
        let year = DayGrid::Unknown.slices("updated_at", 0, 365 * day, false);
        assert_eq!(year.len(), 13);
        assert!(
            bounds(&year[0]).contains(&format!("{}", -2 * day)),
            "widened by two days"
        );
    }
}
