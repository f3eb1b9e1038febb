//! The coaching reports' `meta` object and CSV file names.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::Value;

use crate::coaching::api::params::ReportRequest;
use crate::time::{local_date_of, rfc3339, ymd};

/// The response's `meta`, identical in shape for every report (billing leaves out the lookback
/// fields, it has none).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// `caseload`, `sessions`, `new-participants` or `billing`.
    pub report: &'static str,
    /// RFC 3339 UTC, whole seconds.
    pub as_of: String,
    /// The reporting zone (IANA name), in which local dates and `days(x)` are counted.
    pub time_zone: String,
    /// The effective lookback, calendar days (≤ 365).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookback_days: Option<u32>,
    /// `lookbackDays` as asked (default 30).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_lookback_days: Option<u32>,
    /// Whether the ask was above 365 and was capped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookback_capped: Option<bool>,
    /// [`ReportRequest::filters_json`].
    pub filters: Value,
    /// When the response was built, RFC 3339 UTC.
    pub generated_at: String,
    /// Intercom API calls this request made.
    pub api_calls: u64,
}

impl Meta {
    /// The meta of `req`'s response, built at `generated_at` after `api_calls` Intercom calls.
    pub fn new(req: &ReportRequest, tz: Tz, generated_at: DateTime<Utc>, api_calls: u64) -> Self {
        Self {
            report: req.route.name(),
            as_of: rfc3339(req.as_of),
            time_zone: tz.name().to_string(),
            lookback_days: req.lookback.map(|l| l.days),
            requested_lookback_days: req.lookback.map(|l| l.requested),
            lookback_capped: req.lookback.map(|l| l.capped),
            filters: req.filters_json(),
            generated_at: rfc3339(generated_at),
            api_calls,
        }
    }
}

/// `<report>-<as-of local date>.csv`, e.g. `caseload-2024-03-10.csv`.
pub fn csv_filename(req: &ReportRequest, tz: Tz) -> String {
    format!(
        "{}-{}.csv",
        req.route.name(),
        ymd(local_date_of(req.as_of, tz))
    )
}
