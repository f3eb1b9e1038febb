//! The coaching report API (RULES.md §9) on the platform's HTTP layer ([`crate::api`]): its
//! routes, its request parameters, and the reports' `meta`.

pub mod params;
pub mod render;
pub mod routes;

pub use params::{
    parse_engagement_request, parse_report_request, FilterParams, Lookback, ReportRequest,
};
pub use render::{csv_filename, Meta};
pub use routes::{route, Route};
