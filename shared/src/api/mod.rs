//! The HTTP layer of every report API (API Gateway HTTP API, payload v2, through lambda_http):
//! routing, request parameters, paging, problem+json errors, and JSON/CSV/gzip responses. Each
//! system gives its routes and request types (the coaching reports' are
//! [`crate::coaching::api`], the service-performance reports' [`crate::service::api`]).

pub mod invocation;
pub mod paging;
pub mod params;
pub mod problem;
pub mod render;
pub mod routes;

#[cfg(feature = "openapi-check")]
pub mod openapi_check;

pub use invocation::{deadline_from_env, key_name};
pub use paging::{page_window, Cursor, Limit, PageInfo};
pub use params::{unknown_parameter_reason, Fields, Format};
pub use problem::{InvalidParam, Problem};
pub use render::{csv_response, json_response, json_unpaged_response, wants_csv, TabularRow};
pub use routes::{match_route, ApiRoute};
