//! Contact and conversation search, page by page (RULES.md §3): `per_page` at most 150, the
//! cursor in the body's `pagination.starting_after`, stop when `pages.next` is absent,
//! deduplicate by id across pages.

use std::collections::HashSet;

use futures::{Stream, TryStreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::client::IntercomClient;
use super::error::IntercomError;
use super::models::{Contact, Conversation};
use super::query::SearchQuery;

/// Intercom's largest page.
pub const MAX_PER_PAGE: u32 = 150;

/// The request body of `POST /contacts/search` and `POST /conversations/search`.
#[derive(Debug, Serialize)]
struct SearchBody<'a> {
    query: &'a SearchQuery,
    pagination: Pagination<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sort: Option<&'a SearchSort>,
}

/// The order of search results: `{"field": "updated_at", "order": "ascending"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchSort {
    /// The field to sort by, e.g. `updated_at`.
    pub field: String,
    pub order: SortOrder,
}

impl SearchSort {
    /// Oldest `updated_at` first: what a watermark-driven sync reads.
    pub fn updated_at_ascending() -> Self {
        Self {
            field: "updated_at".into(),
            order: SortOrder::Ascending,
        }
    }
}

/// `ascending` or `descending`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Ascending,
    Descending,
}

#[derive(Debug, Serialize)]
struct Pagination<'a> {
    per_page: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    starting_after: Option<&'a str>,
}

/// One page: `{"type":"list","data":[..]}` for contacts, `{"type":"conversation.list",
/// "conversations":[..]}` for conversations; both with `total_count` and `pages.next`.
#[derive(Debug, Deserialize)]
struct SearchPage<T> {
    #[serde(alias = "conversations")]
    data: Vec<T>,
    #[serde(default)]
    total_count: Option<u64>,
    #[serde(default)]
    pages: Option<Pages>,
}

#[derive(Debug, Deserialize)]
struct Pages {
    /// `{"page": 2, "starting_after": ".."}`; anything else means no next page.
    #[serde(default)]
    next: Option<serde_json::Value>,
}

impl<T> SearchPage<T> {
    fn next_cursor(&self) -> Option<String> {
        let next = self.pages.as_ref()?.next.as_ref()?;
        let cursor = next.get("starting_after")?.as_str()?;
        (!cursor.is_empty()).then(|| cursor.to_owned())
    }
}

/// Objects that search returns, identified by id for deduplication. A system that reads its own
/// shape of contact or conversation implements it to use [`IntercomClient::search_contacts_as`]
/// and [`IntercomClient::search_conversations_as`].
pub trait Identified {
    fn id(&self) -> &str;
}

impl Identified for Contact {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Identified for Conversation {
    fn id(&self) -> &str {
        &self.id
    }
}

/// One page of a search as read: the objects not seen on an earlier page of the same search,
/// and Intercom's `total_count` (how many objects the whole query matches, every page alike).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults<T> {
    pub items: Vec<T>,
    pub total_count: Option<u64>,
}

/// Where a search stands between pages.
struct Cursor {
    query: SearchQuery,
    sort: Option<SearchSort>,
    starting_after: Option<String>,
    seen: HashSet<String>,
    pages: u32,
    done: bool,
}

impl IntercomClient {
    /// `POST /contacts/search`, page by page (150 per page), each contact once across pages.
    /// The query is validated first: an invalid one yields one
    /// [`IntercomError::InvalidQuery`] and sends nothing. The stream ends after its first error.
    /// Only the page being read and the ids seen so far are held.
    pub fn search_contacts(
        &self,
        query: SearchQuery,
    ) -> impl Stream<Item = Result<Vec<Contact>, IntercomError>> + Send + '_ {
        self.search(&["contacts", "search"], query, MAX_PER_PAGE, None)
    }

    /// As [`IntercomClient::search_contacts`] with `per_page` contacts per page (1..=150).
    pub fn search_contacts_with_page_size(
        &self,
        query: SearchQuery,
        per_page: u32,
    ) -> impl Stream<Item = Result<Vec<Contact>, IntercomError>> + Send + '_ {
        self.search(&["contacts", "search"], query, per_page, None)
    }

    /// [`IntercomClient::search_contacts_with_page_size`] in `sort` order, each page with the
    /// query's `total_count` (so the first page also says how many there are to read).
    pub fn search_contacts_counted(
        &self,
        query: SearchQuery,
        per_page: u32,
        sort: Option<SearchSort>,
    ) -> impl Stream<Item = Result<SearchResults<Contact>, IntercomError>> + Send + '_ {
        self.search_results(&["contacts", "search"], query, per_page, sort)
    }

    /// `POST /conversations/search`, page by page (150 per page), each conversation once across
    /// pages; otherwise as [`IntercomClient::search_contacts`].
    pub fn search_conversations(
        &self,
        query: SearchQuery,
    ) -> impl Stream<Item = Result<Vec<Conversation>, IntercomError>> + Send + '_ {
        self.search(&["conversations", "search"], query, MAX_PER_PAGE, None)
    }

    /// As [`IntercomClient::search_conversations`], in the order `sort` asks for.
    pub fn search_conversations_sorted(
        &self,
        query: SearchQuery,
        sort: SearchSort,
    ) -> impl Stream<Item = Result<Vec<Conversation>, IntercomError>> + Send + '_ {
        self.search(
            &["conversations", "search"],
            query,
            MAX_PER_PAGE,
            Some(sort),
        )
    }

    /// As [`IntercomClient::search_contacts`], read into a shape of the caller's (e.g. one that
    /// keeps `last_seen_at`), in the order `sort` asks for.
    pub fn search_contacts_as<T>(
        &self,
        query: SearchQuery,
        sort: Option<SearchSort>,
    ) -> impl Stream<Item = Result<Vec<T>, IntercomError>> + Send + '_
    where
        T: DeserializeOwned + Identified + Send + 'static,
    {
        self.search(&["contacts", "search"], query, MAX_PER_PAGE, sort)
    }

    /// As [`IntercomClient::search_conversations`], read into a shape of the caller's (e.g. one
    /// that keeps message bodies), in the order `sort` asks for.
    pub fn search_conversations_as<T>(
        &self,
        query: SearchQuery,
        sort: Option<SearchSort>,
    ) -> impl Stream<Item = Result<Vec<T>, IntercomError>> + Send + '_
    where
        T: DeserializeOwned + Identified + Send + 'static,
    {
        self.search(&["conversations", "search"], query, MAX_PER_PAGE, sort)
    }

    /// One `POST /contacts/search` of a single contact: how many contacts `query` matches
    /// (Intercom's `total_count`) and the first of them in `sort` order, when any. Costs one
    /// request whatever the count; the query is validated first, as for
    /// [`IntercomClient::search_contacts`].
    pub async fn count_contacts(
        &self,
        query: &SearchQuery,
        sort: Option<&SearchSort>,
    ) -> Result<(u64, Option<Contact>), IntercomError> {
        query.validate()?;
        let page: SearchPage<Contact> = self
            .search_page(&["contacts", "search"], query, 1, None, sort)
            .await?;
        let first = page.data.into_iter().next();
        let count = page.total_count.unwrap_or(u64::from(first.is_some()));
        Ok((count, first))
    }

    /// One search request: the body Intercom expects (`query`, `pagination`, `sort`), one page
    /// back. The query is not validated here.
    async fn search_page<T: DeserializeOwned>(
        &self,
        path: &'static [&'static str],
        query: &SearchQuery,
        per_page: u32,
        starting_after: Option<&str>,
        sort: Option<&SearchSort>,
    ) -> Result<SearchPage<T>, IntercomError> {
        let body = SearchBody {
            query,
            pagination: Pagination {
                per_page,
                starting_after,
            },
            sort,
        };
        let body = serde_json::to_vec(&body).expect("a search body serializes");
        self.request(Method::POST, self.url(path), Some(body)).await
    }

    fn search<T>(
        &self,
        path: &'static [&'static str],
        query: SearchQuery,
        per_page: u32,
        sort: Option<SearchSort>,
    ) -> impl Stream<Item = Result<Vec<T>, IntercomError>> + Send + '_
    where
        T: DeserializeOwned + Identified + Send + 'static,
    {
        self.search_results(path, query, per_page, sort)
            .map_ok(|page| page.items)
    }

    fn search_results<T>(
        &self,
        path: &'static [&'static str],
        query: SearchQuery,
        per_page: u32,
        sort: Option<SearchSort>,
    ) -> impl Stream<Item = Result<SearchResults<T>, IntercomError>> + Send + '_
    where
        T: DeserializeOwned + Identified + Send + 'static,
    {
        let start = Cursor {
            query,
            sort,
            starting_after: None,
            seen: HashSet::new(),
            pages: 0,
            done: false,
        };
        futures::stream::try_unfold(start, move |mut cursor| async move {
            if cursor.pages == 0 {
                cursor.query.validate()?;
                if !(1..=MAX_PER_PAGE).contains(&per_page) {
                    return Err(IntercomError::InvalidQuery {
                        reason: format!("per_page {per_page} is outside 1..={MAX_PER_PAGE}"),
                    });
                }
            }
            while !cursor.done {
                let page: SearchPage<T> = self
                    .search_page(
                        path,
                        &cursor.query,
                        per_page,
                        cursor.starting_after.as_deref(),
                        cursor.sort.as_ref(),
                    )
                    .await?;
                cursor.pages += 1;
                let next = page.next_cursor();
                // A cursor that does not move would loop forever; Intercom never sends one.
                cursor.done = next.is_none() || next == cursor.starting_after;
                tracing::debug!(
                    path = path.join("/"),
                    page = cursor.pages,
                    items = page.data.len(),
                    total_count = page.total_count,
                    has_next = !cursor.done,
                    "Intercom search page"
                );
                cursor.starting_after = next;
                let fresh: Vec<T> = page
                    .data
                    .into_iter()
                    .filter(|item| cursor.seen.insert(item.id().to_owned()))
                    .collect();
                if !fresh.is_empty() {
                    let results = SearchResults {
                        items: fresh,
                        total_count: page.total_count,
                    };
                    return Ok(Some((results, cursor)));
                }
            }
            Ok(None)
        })
    }
}
