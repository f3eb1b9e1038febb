//! The HTTP layer of the report API (API Gateway HTTP API, payload v2, through lambda_http):
//! routes, request parameters, paging, problem+json errors, and JSON/CSV/gzip responses.
//! The reports themselves are [`crate::reports`]; the handlers wire the two together.

pub mod paging;
pub mod params;
pub mod problem;
pub mod render;
pub mod routes;

#[cfg(feature = "openapi-check")]
pub mod openapi_check;

pub use paging::{page_window, Cursor, PageInfo};
pub use params::{
    parse_engagement_request, parse_report_request, FilterParams, Format, Limit, Lookback,
    ReportRequest,
};
pub use problem::{InvalidParam, Problem};
pub use render::{csv_response, json_response, wants_csv, Meta};
pub use routes::{route, Route};
