//! Intercom's REST API: models, search queries, the HTTP client.
//!
//! ```text
//! client.rs          IntercomClient: auth headers, one request, the single-object endpoints
//! search.rs          contact and conversation search streams: cursor paging, dedup by id
//! query.rs           SearchQuery: typed filters and groups, Intercom's limits, chunk_in
//! date_window.rs     pushing an instant window down to day-granular date filters
//! rate_limit.rs      X-RateLimit-* headers and the shared wait-for-reset gate
//! retry.rs           which failures are retried, backoff and jitter
//! client_config.rs   ClientConfig from INTERCOM_API_BASE / INTERCOM_VERSION
//! stats.rs           ClientStats: API calls, retries, rate-limit waits
//! error.rs           IntercomError
//! models.rs          Contact, Conversation, Admin, DataAttribute
//! statistics.rs      conversation.statistics (reporting timestamps and durations)
//! messages.rs        conversation.source and conversation_parts, authors; never bodies
//! rating.rs          conversation.conversation_rating
//! tags.rs            conversation.tags
//! admins.rs          AdminNames: admin id → name
//! de.rs              tolerant deserializers for fields that differ between 2.11 and 2.16
//! ```

mod admins;
mod client;
mod client_config;
mod date_window;
mod de;
mod error;
mod messages;
pub mod models;
mod query;
mod rate_limit;
mod rating;
mod retry;
mod search;
mod statistics;
mod stats;
mod tags;

pub use admins::AdminNames;
pub use client::IntercomClient;
pub use client_config::{
    parse_base_url, ClientConfig, DEFAULT_BASE_URL, DEFAULT_TIMEOUT, DEFAULT_VERSION,
};
pub use date_window::{date_window, DATE_WINDOW_MARGIN_SECS};
pub use error::{IntercomError, TransportKind};
pub use models::{Admin, Contact, Conversation, CustomAttributes, DataAttribute};
pub use query::{
    and_flat, chunk_in, custom_field, FieldQuery, GroupOperator, Operator, SearchQuery,
    SearchValue, MAX_FILTERS_PER_GROUP, MAX_NESTING,
};
pub use rate_limit::{reserve as rate_limit_reserve, RateLimitHeaders};
pub use retry::{RetryPolicy, BACKOFF_FACTOR};
pub use search::{Identified, SearchResults, SearchSort, SortOrder, MAX_PER_PAGE};
pub use stats::ClientStats;
