//! The service reports' `meta` object and CSV file names.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::Value;

use crate::service::api::params::ServiceRequest;
use crate::time::{rfc3339, ymd};

/// The response's `meta`, the same shape for every service report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// `summary`, `daily-trend`, `teammates`, `sentiment`, `channels`, `heatmap` or `countries`.
    pub report: &'static str,
    /// First local start date of the range, `YYYY-MM-DD`, inclusive.
    pub from: String,
    /// Last local start date of the range, `YYYY-MM-DD`, inclusive.
    pub to: String,
    /// The reporting zone (IANA name) in which conversations are dated by their start.
    pub time_zone: String,
    /// When the response was built, RFC 3339 UTC, whole seconds.
    pub generated_at: String,
    /// [`ServiceRequest::filters_json`]: the report's own parameters as applied.
    pub filters: Value,
}

impl Meta {
    /// The meta of `req`'s response, built at `generated_at`.
    pub fn new(req: &ServiceRequest, tz: Tz, generated_at: DateTime<Utc>) -> Self {
        Self {
            report: req.report.route().name(),
            from: ymd(req.range.from),
            to: ymd(req.range.to),
            time_zone: tz.name().to_string(),
            generated_at: rfc3339(generated_at),
            filters: req.filters_json(),
        }
    }
}

/// `service-<report>-<from>-to-<to>.csv`, e.g. `service-daily-trend-2026-03-01-to-2026-03-31.csv`.
pub fn csv_filename(req: &ServiceRequest) -> String {
    format!(
        "service-{}-{}-to-{}.csv",
        req.report.route().name(),
        ymd(req.range.from),
        ymd(req.range.to)
    )
}
