//! The service-performance report API (SERVICE-PERFORMANCE.md §5) on the platform's HTTP layer
//! ([`crate::api`]): seven routes over the dashboard's SQL functions, one function serving them.
//!
//! | module | what it holds |
//! |---|---|
//! | [`routes`] | the seven paths → [`Route`] |
//! | [`params`] | `from`/`to`, `metric`, `limit`, `format` → [`ServiceRequest`] |
//! | [`rows`] | the rows each SQL function returns, their CSV form, the lists' summaries |
//! | [`render`] | `meta` and CSV file names |
//!
//! Pure: no I/O here. The handler is [`crate::service::handlers::report`].

pub mod params;
pub mod render;
pub mod routes;
pub mod rows;

pub use params::{parse_request, DateRange, Metric, Report, ServiceRequest};
pub use render::{csv_filename, Meta};
pub use routes::{route, Route};
