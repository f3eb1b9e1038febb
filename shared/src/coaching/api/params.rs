//! Coaching report request parameters: GET query string or POST JSON body → [`ReportRequest`],
//! parsed once, every bad parameter reported together (RULES.md §9).
//!
//! The conventions are the platform's ([`crate::api::params`]); a name that differs from a known
//! one only by case gets a "did you mean", and `coachId` may also be a JSON integer.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use lambda_http::Request;
use serde_json::{json, Value};

use crate::api::paging::Limit;
use crate::api::paging::{listing_hash, page_window, Cursor, PageInfo};
use crate::api::params::{unknown_parameter_reason, Fields, Format};
use crate::api::problem::Problem;
use crate::coaching::api::routes::Route;
use crate::coaching::jobs::engagement_export::ExportRequest;
use crate::coaching::rules::buckets::Channel;
use crate::coaching::rules::thresholds::{DEFAULT_LOOKBACK_DAYS, MAX_REPORT_LOOKBACK_DAYS};
use crate::time::{local_date_of, ymd, YearMonth};

/// Longest sessions `from`..`to` span: `to - from` at most this many days.
pub const MAX_CUSTOM_RANGE_DAYS: i64 = 366;

/// The effective lookback window length in calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lookback {
    /// Days used: `min(requested, 365)`.
    pub days: u32,
    /// Days asked for (`lookbackDays`, default 30).
    pub requested: u32,
    /// Whether `requested` was above 365.
    pub capped: bool,
}

impl Lookback {
    /// `requested` days, capped at [`MAX_REPORT_LOOKBACK_DAYS`].
    pub fn new(requested: u32) -> Self {
        Self {
            days: requested.min(MAX_REPORT_LOOKBACK_DAYS),
            requested,
            capped: requested > MAX_REPORT_LOOKBACK_DAYS,
        }
    }
}

/// The filters of a request (RULES.md §9), all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterParams {
    /// `coachId`: an admin id (a session's `admin_assignee_id`, a contact's `owner_id`).
    pub coach_id: Option<String>,
    /// `employer`: the contact's `Employer` attribute, exactly.
    pub employer: Option<String>,
    /// `channel`; `Video` is normalised to Video Conference.
    pub channel: Option<Channel>,
}

/// One report request, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRequest {
    /// Which report (never [`Route::Engagement`]).
    pub route: Route,
    /// `asOf` in whole seconds (sub-seconds dropped); the cursor's as-of when a cursor is
    /// given, else `asOf`, else now.
    pub as_of: DateTime<Utc>,
    /// `lookbackDays`; `None` for billing, which has none.
    pub lookback: Option<Lookback>,
    /// `coachId`, `employer`, `channel` (billing: `employer` only).
    pub filters: FilterParams,
    /// `format`; `None` when absent (then `Accept` decides).
    pub format: Option<Format>,
    pub limit: Limit,
    /// `cursor`, decoded and checked against the other parameters.
    pub cursor: Option<Cursor>,
    /// Sessions `from`/`to`: local dates in the reporting zone, inclusive.
    pub custom_range: Option<(NaiveDate, NaiveDate)>,
    /// New participants `enrolledFrom`/`enrolledTo`: UTC dates of Enrolled Date, inclusive.
    pub enrolled: (Option<NaiveDate>, Option<NaiveDate>),
    /// Billing `month` (always `Some` for billing).
    pub month: Option<YearMonth>,
}

impl ReportRequest {
    /// The parameter names `route` accepts.
    pub fn allowed(route: Route) -> &'static [&'static str] {
        match route {
            Route::Caseload => &[
                "lookbackDays",
                "coachId",
                "employer",
                "channel",
                "asOf",
                "format",
                "limit",
                "cursor",
            ],
            Route::Sessions => &[
                "lookbackDays",
                "coachId",
                "employer",
                "channel",
                "from",
                "to",
                "asOf",
                "format",
                "limit",
                "cursor",
            ],
            Route::NewParticipants => &[
                "lookbackDays",
                "coachId",
                "employer",
                "channel",
                "enrolledFrom",
                "enrolledTo",
                "asOf",
                "format",
                "limit",
                "cursor",
            ],
            Route::Billing => &["month", "employer", "asOf", "format", "limit", "cursor"],
            Route::Engagement => &ExportRequest::FIELDS,
        }
    }

    /// `meta.filters`: `coachId`, `employer`, `channel` (null when absent) and the report's own
    /// (`from`/`to`, `enrolledFrom`/`enrolledTo`); billing: `employer` and `month`.
    pub fn filters_json(&self) -> Value {
        let date = |d: Option<NaiveDate>| d.map(ymd);
        let f = &self.filters;
        let mut out = json!({
            "coachId": f.coach_id,
            "employer": f.employer,
            "channel": f.channel.map(Channel::as_str),
        });
        let map = out.as_object_mut().expect("an object");
        match self.route {
            Route::Sessions => {
                map.insert("from".into(), json!(date(self.custom_range.map(|r| r.0))));
                map.insert("to".into(), json!(date(self.custom_range.map(|r| r.1))));
            }
            Route::NewParticipants => {
                map.insert("enrolledFrom".into(), json!(date(self.enrolled.0)));
                map.insert("enrolledTo".into(), json!(date(self.enrolled.1)));
            }
            Route::Billing => {
                map.remove("coachId");
                map.remove("channel");
                map.insert("month".into(), json!(self.month.map(|m| m.to_string())));
            }
            Route::Caseload | Route::Engagement => {}
        }
        out
    }

    /// The page of a listing of `total` rows this request asks for ([`page_window`]).
    pub fn page(&self, total: usize) -> PageInfo {
        page_window(
            total,
            self.cursor.as_ref(),
            self.limit,
            self.as_of.timestamp(),
            &self.listing_key(),
        )
    }

    /// The key of this request's listing for cursors ([`listing_hash`]): report, effective
    /// lookback, filters, sessions range, enrolled range, month.
    pub fn listing_key(&self) -> Value {
        let date = |d: Option<NaiveDate>| d.map(ymd);
        json!([
            self.route.name(),
            self.lookback.map(|l| l.days),
            self.filters.coach_id,
            self.filters.employer,
            self.filters.channel.map(|c| c.as_str()),
            date(self.custom_range.map(|r| r.0)),
            date(self.custom_range.map(|r| r.1)),
            date(self.enrolled.0),
            date(self.enrolled.1),
            self.month.map(|m| m.to_string()),
        ])
    }
}

/// Parses `req` for `route` (one of the four reports). `now` stands in for an absent `asOf`;
/// `tz` is the reporting zone (billing's `month` must not be after as-of's local month).
///
/// Errors: 400 `invalid-parameters` naming every bad, unknown or repeated parameter (`body`
/// when a POST body is not a JSON object); 500 for [`Route::Engagement`] (use
/// [`parse_engagement_request`]).
pub fn parse_report_request(
    route: Route,
    req: &Request,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<ReportRequest, Problem> {
    if route == Route::Engagement {
        return Err(Problem::internal_error());
    }
    let mut f = fields(req, route);
    let (cursor, as_of) = f.take_cursor_and_as_of(now);

    let lookback = (route != Route::Billing).then(|| {
        let requested = f
            .take_integer(
                "lookbackDays",
                1,
                u64::from(u32::MAX),
                "must be an integer ≥ 1 (over 365 is capped at 365)",
            )
            .map_or(DEFAULT_LOOKBACK_DAYS, |n| n as u32);
        Lookback::new(requested)
    });
    let filters = FilterParams {
        coach_id: f.take_id("coachId"),
        employer: f.take_text("employer"),
        channel: f.take_parsed("channel", |s| {
            s.parse::<Channel>()
                .map_err(|_| "must be one of Phone, Video Conference (or Video), Email, Chat")
        }),
    };
    let format = f.take_format();
    let limit = f.take_limit();

    let custom_range = (route == Route::Sessions)
        .then(|| custom_range(&mut f))
        .flatten();
    let enrolled = if route == Route::NewParticipants {
        let from = f.take_date("enrolledFrom");
        let to = f.take_date("enrolledTo");
        if let (Some(a), Some(b)) = (from, to) {
            if b < a {
                f.problem("enrolledTo", "must not be before enrolledFrom");
            }
        }
        (from, to)
    } else {
        (None, None)
    };
    let month = if route == Route::Billing {
        let month = f.take_parsed("month", |s| s.parse::<YearMonth>());
        if f.absent("month") {
            f.problem("month", "is required, as YYYY-MM");
        }
        let as_of_month = YearMonth::of(local_date_of(as_of, tz));
        if let Some(m) = month.filter(|m| *m > as_of_month) {
            f.problem(
                "month",
                format!("must not be after the as-of month ({as_of_month}); got {m}"),
            );
        }
        month
    } else {
        None
    };

    let request = ReportRequest {
        route,
        as_of,
        lookback,
        filters,
        format,
        limit,
        cursor,
        custom_range,
        enrolled,
        month,
    };
    if f.problems.is_empty() {
        if let Some(c) = &request.cursor {
            if listing_hash(&request.listing_key(), c.offset, c.as_of) != c.hash {
                f.problem(
                    "cursor",
                    "was issued for other parameters; send the same parameters as the first \
                     page, or start again without cursor",
                );
            }
        }
    }
    if f.problems.is_empty() {
        Ok(request)
    } else {
        Err(Problem::invalid_parameters(f.problems))
    }
}

/// Parses the on-demand engagement export: a POST whose JSON object body is exactly the
/// scheduled job's request ([`ExportRequest::parse`]). A query string is refused.
pub fn parse_engagement_request(
    req: &Request,
    now: DateTime<Utc>,
) -> Result<ExportRequest, Problem> {
    let f = Fields::from_request(req);
    if !f.problems.is_empty() {
        return Err(Problem::invalid_parameters(f.problems));
    }
    ExportRequest::parse(&Value::Object(f.into_object()), now).map_err(Problem::from)
}

/// Sessions `from`/`to`: both or neither, `from ≤ to`, at most 366 days apart.
fn custom_range(f: &mut Fields) -> Option<(NaiveDate, NaiveDate)> {
    let from = f.take_date("from");
    let to = f.take_date("to");
    let (from_absent, to_absent) = (f.absent("from"), f.absent("to"));
    if from_absent && !to_absent {
        f.problem("from", "is required when to is given");
    }
    if to_absent && !from_absent {
        f.problem("to", "is required when from is given");
    }
    let (from, to) = (from?, to?);
    if to < from {
        f.problem("to", "must not be before from");
        return None;
    }
    if (to - from).num_days() > MAX_CUSTOM_RANGE_DAYS {
        f.problem("to", "must be at most 366 days after from");
        return None;
    }
    Some((from, to))
}

/// The request's parameters for `route`, with unknown names reported.
fn fields(req: &Request, route: Route) -> Fields {
    let mut f = Fields::from_request(req);
    f.refuse_unknown(ReportRequest::allowed(route), |name| {
        unknown_reason(route, name)
    });
    f
}

/// Why `name` is refused for `route`.
fn unknown_reason(route: Route, name: &str) -> String {
    if route == Route::Billing && ["lookbackDays", "coachId", "channel"].contains(&name) {
        return "not a billing parameter: billing covers the calendar month given by month and \
                filters by employer only"
            .to_string();
    }
    unknown_parameter_reason(ReportRequest::allowed(route), name)
}
