//! Report request parameters: GET query string or POST JSON body → [`ReportRequest`], parsed
//! once, every bad parameter reported together (RULES.md §9).
//!
//! Conventions: names are camelCase and case-sensitive; an unknown name is an error (a name
//! that differs from a known one only by case gets a "did you mean"). GET reads only the query
//! string, POST only the JSON body (a query string on POST is refused, so a parameter has one
//! source). In a query string every value is text; numbers are parsed from ASCII digits, and a
//! parameter given twice is an error. In a JSON body numbers must be JSON integers and text must
//! be JSON strings (`coachId` may also be an integer). An empty value (`employer=`, `""`) or a
//! JSON `null` means absent. The `Accept` header is read by [`crate::api::render::wants_csv`].

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use lambda_http::http::Method;
use lambda_http::{Request, RequestExt};
use serde_json::{json, Map, Value};

use crate::api::paging::{listing_hash, Cursor};
use crate::api::problem::{InvalidParam, Problem};
use crate::api::routes::Route;
use crate::jobs::engagement_export::ExportRequest;
use crate::rules::buckets::Channel;
use crate::rules::thresholds::{DEFAULT_LOOKBACK_DAYS, MAX_REPORT_LOOKBACK_DAYS};
use crate::rules::time::{local_date_of, parse_as_of, parse_ymd, ymd, YearMonth};

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 1000;
/// Largest page size; keeps a page well under Lambda's 6 MB response limit.
pub const MAX_LIMIT: u32 = 5000;
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

/// The response format asked by `format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

/// Rows per page, 1..=5000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(pub u32);

impl Limit {
    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for Limit {
    fn default() -> Self {
        Self(DEFAULT_LIMIT)
    }
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
    let mut f = Fields::from_request(req, route);

    let cursor = f
        .take_text("cursor")
        .and_then(|s| match Cursor::decode(&s) {
            Ok(c) => Some(c),
            Err(reason) => {
                f.problem("cursor", reason);
                None
            }
        });
    let asked_as_of = f.take_parsed("asOf", |s| {
        parse_as_of(s).map_err(|_| "must be an RFC 3339 instant, e.g. 2024-03-10T12:00:00Z")
    });
    let cursor_as_of = cursor
        .as_ref()
        .and_then(|c| DateTime::from_timestamp(c.as_of, 0));
    if cursor.is_some() && cursor_as_of.is_none() {
        f.problem("cursor", "is not a cursor from this API");
    }
    let as_of = whole_seconds(cursor_as_of.or(asked_as_of).unwrap_or(now));
    if let (Some(asked), Some(pinned)) = (asked_as_of, cursor_as_of) {
        if whole_seconds(asked) != pinned {
            f.problem(
                "cursor",
                format!(
                    "was issued for asOf {}; drop asOf or start again without cursor",
                    crate::rules::time::rfc3339(pinned)
                ),
            );
        }
    }

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
        coach_id: f.take_coach_id(),
        employer: f.take_text("employer"),
        channel: f.take_parsed("channel", |s| {
            s.parse::<Channel>()
                .map_err(|_| "must be one of Phone, Video Conference (or Video), Email, Chat")
        }),
    };
    let format = f.take_parsed("format", |s| match s {
        "json" => Ok(Format::Json),
        "csv" => Ok(Format::Csv),
        _ => Err("must be json or csv"),
    });
    let limit = f
        .take_integer(
            "limit",
            1,
            u64::from(MAX_LIMIT),
            "must be an integer from 1 to 5000",
        )
        .map_or_else(Limit::default, |n| Limit(n as u32));

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
            if listing_hash(&request, c.offset, c.as_of) != c.hash {
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
    let f = Fields::from_request(req, Route::Engagement);
    if !f.problems.is_empty() {
        return Err(Problem::invalid_parameters(f.problems));
    }
    ExportRequest::parse(&Value::Object(f.into_object()), now).map_err(Problem::from)
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
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

/// The request's parameters, taken one by one; problems accumulate.
struct Fields {
    values: BTreeMap<String, Value>,
    /// Whether the values came from a query string (text) or a JSON body (typed).
    from_query: bool,
    problems: Vec<InvalidParam>,
}

impl Fields {
    /// Reads the one source of `req`'s method and reports unknown and repeated names.
    /// The engagement export checks its own names ([`ExportRequest::parse`]).
    fn from_request(req: &Request, route: Route) -> Self {
        let query = query_pairs(req);
        let mut problems = Vec::new();
        let (values, from_query) = if req.method() == Method::POST {
            for name in query.keys() {
                problems.push(InvalidParam::new(
                    name.clone(),
                    "query parameters are not read on POST; put it in the JSON body",
                ));
            }
            let body = json_body(req).unwrap_or_else(|p| {
                problems.extend(p.invalid_params);
                BTreeMap::new()
            });
            (body, false)
        } else {
            let mut values = BTreeMap::new();
            for (name, mut all) in query {
                if all.len() > 1 {
                    problems.push(InvalidParam::new(name.clone(), "must be given only once"));
                } else if let Some(v) = all.pop() {
                    values.insert(name, Value::String(v));
                }
            }
            (values, true)
        };
        let allowed = ReportRequest::allowed(route);
        for name in values.keys() {
            if route != Route::Engagement && !allowed.contains(&name.as_str()) {
                problems.push(InvalidParam::new(name.clone(), unknown_reason(route, name)));
            }
        }
        Self {
            values,
            from_query,
            problems,
        }
    }

    fn into_object(self) -> Map<String, Value> {
        self.values.into_iter().collect()
    }

    fn problem(&mut self, name: &str, reason: impl Into<String>) {
        self.problems.push(InvalidParam::new(name, reason));
    }

    /// Absent: missing, `null` or `""`.
    fn absent(&self, name: &str) -> bool {
        match self.values.get(name) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.is_empty(),
            Some(_) => false,
        }
    }

    /// A non-empty string.
    fn take_text(&mut self, name: &str) -> Option<String> {
        if self.absent(name) {
            return None;
        }
        match self.values.get(name) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => {
                self.problem(name, "must be a string");
                None
            }
        }
    }

    /// A string parsed by `parse`, whose error is the reason.
    fn take_parsed<T, E: std::fmt::Display>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let raw = self.take_text(name)?;
        match parse(&raw) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(name, e.to_string());
                None
            }
        }
    }

    fn take_date(&mut self, name: &str) -> Option<NaiveDate> {
        self.take_parsed(name, |s| parse_ymd(s).ok_or("must be a date as YYYY-MM-DD"))
    }

    /// An integer in `min..=max`: ASCII digits in a query string, a JSON integer in a body.
    fn take_integer(&mut self, name: &str, min: u64, max: u64, reason: &str) -> Option<u64> {
        if self.absent(name) {
            return None;
        }
        let n = match self.values.get(name) {
            Some(Value::String(s)) if self.from_query && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse::<u64>().ok()
            }
            Some(Value::Number(n)) if !self.from_query => n.as_u64(),
            _ => None,
        };
        match n {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.problem(name, reason);
                None
            }
        }
    }

    /// `coachId`: a string, or in a JSON body also a non-negative integer (admin ids are
    /// digits).
    fn take_coach_id(&mut self) -> Option<String> {
        match self.values.get("coachId") {
            Some(Value::Number(n)) if !self.from_query => match n.as_u64() {
                Some(n) => Some(n.to_string()),
                None => {
                    self.problem("coachId", "must be a string or a non-negative integer");
                    None
                }
            },
            _ => self.take_text("coachId"),
        }
    }
}

/// Why `name` is refused for `route`.
fn unknown_reason(route: Route, name: &str) -> String {
    let allowed = ReportRequest::allowed(route);
    if let Some(known) = allowed.iter().find(|a| a.eq_ignore_ascii_case(name)) {
        return format!("unknown parameter; names are case-sensitive: did you mean {known}?");
    }
    if route == Route::Billing && ["lookbackDays", "coachId", "channel"].contains(&name) {
        return "not a billing parameter: billing covers the calendar month given by month and \
                filters by employer only"
            .to_string();
    }
    format!("unknown parameter; expected one of {}", allowed.join(", "))
}

/// The query string as name → every value: lambda_http's pre-parsed parameters when present,
/// else the URI's query (hand-built requests and some local emulators only set the URI).
fn query_pairs(req: &Request) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(params) = req.query_string_parameters_ref() {
        for (k, v) in params.iter() {
            out.entry(k.to_string()).or_default().push(v.to_string());
        }
    } else if let Some(q) = req.uri().query() {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
            out.entry(k.into_owned()).or_default().push(v.into_owned());
        }
    }
    out
}

/// The POST body as a JSON object; an empty body or `null` is `{}`.
fn json_body(req: &Request) -> Result<BTreeMap<String, Value>, Problem> {
    let bytes: &[u8] = req.body().as_ref();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(BTreeMap::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map.into_iter().collect()),
        Ok(Value::Null) => Ok(BTreeMap::new()),
        Ok(_) => Err(Problem::invalid_parameter("body", "must be a JSON object")),
        Err(e) => Err(Problem::invalid_parameter(
            "body",
            format!("is not valid JSON ({e}); send a JSON object"),
        )),
    }
}
