//! Service report request parameters: GET query string or POST JSON body → [`ServiceRequest`],
//! parsed once, every bad parameter reported together, before any database call.
//!
//! The conventions are the platform's ([`crate::api::params`]). Every route takes `from`, `to`
//! and `format`; the teammates route also `metric` and `limit`, the countries route `limit`.
//!
//! | parameter | values | default |
//! |---|---|---|
//! | `from`, `to` | `YYYY-MM-DD` local start dates (reporting zone), both ends inclusive; both or neither; `from ≤ to`; at most [`MAX_RANGE_DAYS`] days | the [`DEFAULT_RANGE_DAYS`] days ending yesterday (local) |
//! | `metric` (teammates) | `conversation_count`, `frt`, `art`, `aht`, `csat` | `conversation_count` |
//! | `limit` (teammates, countries) | 1..=[`MAX_LIMIT`] rows | [`DEFAULT_LIMIT`] |
//! | `format` | `json`, `csv` (absent: `Accept` decides) | JSON |

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use lambda_http::Request;
use serde_json::{json, Value};

use crate::api::params::{unknown_parameter_reason, Fields, Format};
use crate::api::problem::Problem;
use crate::service::api::routes::Route;
use crate::time::{local_date_of, ymd};

/// Longest range, in days with both ends counted: three years, one of them a leap year.
pub const MAX_RANGE_DAYS: i64 = 1096;
/// The default range when `from` and `to` are absent: this many local days, ending yesterday
/// (today is not over, and its conversations are still arriving).
pub const DEFAULT_RANGE_DAYS: i64 = 30;
/// Default `limit` of the teammates and countries routes: a dashboard's top ten.
pub const DEFAULT_LIMIT: u32 = 10;
/// Largest `limit`.
pub const MAX_LIMIT: u32 = 1000;

/// A range of local start dates in the reporting zone, both ends inclusive; `from ≤ to` and at
/// most [`MAX_RANGE_DAYS`] days by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    /// The days of the range, both ends counted (1 when `from == to`).
    pub fn days(self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The default range at `now` in `tz`: the [`DEFAULT_RANGE_DAYS`] local days ending the day
    /// before `now`'s local date.
    pub fn default_at(now: DateTime<Utc>, tz: Tz) -> Self {
        let to = local_date_of(now, tz) - Duration::days(1);
        Self {
            from: to - Duration::days(DEFAULT_RANGE_DAYS - 1),
            to,
        }
    }
}

/// What the teammate leaderboard ranks by (`metric`). Counts and CSAT rank highest first, the
/// durations (means, seconds) lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Conversations assigned to the teammate in the range.
    ConversationCount,
    /// Mean first response time.
    Frt,
    /// Mean average reply gap.
    Art,
    /// Mean handling time.
    Aht,
    /// Mean CSAT rating (1–5), unrounded.
    Csat,
}

impl Metric {
    pub const ALL: [Metric; 5] = [
        Self::ConversationCount,
        Self::Frt,
        Self::Art,
        Self::Aht,
        Self::Csat,
    ];

    /// The name in requests and in `get_service_teammate_leaderboard`'s `p_metric`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConversationCount => "conversation_count",
            Self::Frt => "frt",
            Self::Art => "art",
            Self::Aht => "aht",
            Self::Csat => "csat",
        }
    }
}

impl std::str::FromStr for Metric {
    type Err = &'static str;

    /// One of the five names exactly (case-sensitive, as every parameter value of the API).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or("must be one of conversation_count, frt, art, aht, csat")
    }
}

/// Which report, with its own parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    Summary,
    DailyTrend,
    /// The leaderboard: ranked by `metric`, at most `limit` teammates.
    Teammates {
        metric: Metric,
        limit: u32,
    },
    Sentiment,
    Channels,
    Heatmap,
    /// The `limit` countries with the most conversations.
    Countries {
        limit: u32,
    },
}

impl Report {
    /// The route that serves it.
    pub fn route(self) -> Route {
        match self {
            Self::Summary => Route::Summary,
            Self::DailyTrend => Route::DailyTrend,
            Self::Teammates { .. } => Route::Teammates,
            Self::Sentiment => Route::Sentiment,
            Self::Channels => Route::Channels,
            Self::Heatmap => Route::Heatmap,
            Self::Countries { .. } => Route::Countries,
        }
    }
}

/// One service report request, valid by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceRequest {
    pub report: Report,
    /// `from`/`to`, or the default range.
    pub range: DateRange,
    /// `format`; `None` when absent (then `Accept` decides).
    pub format: Option<Format>,
}

impl ServiceRequest {
    /// The parameter names `route` accepts.
    pub fn allowed(route: Route) -> &'static [&'static str] {
        match route {
            Route::Teammates => &["from", "to", "metric", "limit", "format"],
            Route::Countries => &["from", "to", "limit", "format"],
            Route::Summary
            | Route::DailyTrend
            | Route::Sentiment
            | Route::Channels
            | Route::Heatmap => &["from", "to", "format"],
        }
    }

    /// `meta.filters`: the report's own parameters as applied (defaults filled in):
    /// `{"metric", "limit"}` for teammates, `{"limit"}` for countries, `{}` otherwise.
    pub fn filters_json(&self) -> Value {
        match self.report {
            Report::Teammates { metric, limit } => {
                json!({"metric": metric.as_str(), "limit": limit})
            }
            Report::Countries { limit } => json!({ "limit": limit }),
            _ => json!({}),
        }
    }
}

/// Parses `req` for `route`. `now` and `tz` (the reporting zone) place the default range.
///
/// Errors: 400 `invalid-parameters` naming every bad, unknown or repeated parameter: a date
/// that is not `YYYY-MM-DD`, one of `from`/`to` without the other, `to` before `from`, a range
/// over [`MAX_RANGE_DAYS`] days (named `to`), an unknown `metric`, a `limit` outside
/// 1..=[`MAX_LIMIT`], an unknown or repeated name (`body` when a POST body is not a JSON
/// object).
pub fn parse_request(
    route: Route,
    req: &Request,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<ServiceRequest, Problem> {
    let mut f = Fields::from_request(req);
    let allowed = ServiceRequest::allowed(route);
    f.refuse_unknown(allowed, |name| unknown_reason(route, name));
    let range = date_range(&mut f, now, tz);
    let format = f.take_format();
    let mut limit = || {
        f.take_integer(
            "limit",
            1,
            u64::from(MAX_LIMIT),
            "must be an integer from 1 to 1000",
        )
        .map_or(DEFAULT_LIMIT, |n| n as u32)
    };
    let report = match route {
        Route::Summary => Report::Summary,
        Route::DailyTrend => Report::DailyTrend,
        Route::Teammates => {
            let limit = limit();
            let metric = f
                .take_parsed("metric", |s| s.parse::<Metric>())
                .unwrap_or(Metric::ConversationCount);
            Report::Teammates { metric, limit }
        }
        Route::Sentiment => Report::Sentiment,
        Route::Channels => Report::Channels,
        Route::Heatmap => Report::Heatmap,
        Route::Countries => Report::Countries { limit: limit() },
    };
    match range {
        Some(range) if f.problems.is_empty() => Ok(ServiceRequest {
            report,
            range,
            format,
        }),
        _ => Err(Problem::invalid_parameters(f.problems)),
    }
}

/// `from`/`to`: both or neither (then [`DateRange::default_at`]), `from ≤ to`, at most
/// [`MAX_RANGE_DAYS`] days. `None` after recording a problem.
fn date_range(f: &mut Fields, now: DateTime<Utc>, tz: Tz) -> Option<DateRange> {
    let (from_absent, to_absent) = (f.absent("from"), f.absent("to"));
    let from = f.take_date("from");
    let to = f.take_date("to");
    // A name given twice is already a problem of that name, and absent since.
    let named = |f: &Fields, name: &str| f.problems.iter().any(|p| p.name == name);
    match (from_absent, to_absent) {
        (true, true) if !named(f, "from") && !named(f, "to") => {
            return Some(DateRange::default_at(now, tz))
        }
        (true, false) if !named(f, "from") => f.problem("from", "is required when to is given"),
        (false, true) if !named(f, "to") => f.problem("to", "is required when from is given"),
        _ => {}
    }
    let (from, to) = (from?, to?);
    if to < from {
        f.problem("to", format!("must not be before from ({})", ymd(from)));
        return None;
    }
    let range = DateRange { from, to };
    if range.days() > MAX_RANGE_DAYS {
        f.problem(
            "to",
            format!(
                "must be at most {} days after from: a range covers at most {MAX_RANGE_DAYS} \
                 days, both ends counted (asked: {} days)",
                MAX_RANGE_DAYS - 1,
                range.days()
            ),
        );
        return None;
    }
    Some(range)
}

/// Why `name` is refused for `route`.
fn unknown_reason(route: Route, name: &str) -> String {
    let takes = |r: Route| ServiceRequest::allowed(r).contains(&name);
    if Route::ALL.into_iter().any(takes) {
        let routes: Vec<&str> = Route::ALL
            .into_iter()
            .filter(|r| takes(*r))
            .map(Route::path)
            .collect();
        return format!(
            "not a parameter of {}; only {} take(s) it",
            route.path(),
            routes.join(", ")
        );
    }
    unknown_parameter_reason(ServiceRequest::allowed(route), name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_as_of;
    use lambda_http::Body;

    const TZ: Tz = chrono_tz::America::New_York;

    /// 2026-03-10T03:30:00Z: still Monday 9 March in New York.
    fn now() -> DateTime<Utc> {
        parse_as_of("2026-03-10T03:30:00Z").unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        crate::time::parse_ymd(s).unwrap()
    }

    fn get(route: Route, query: &str) -> Result<ServiceRequest, Problem> {
        let req = lambda_http::http::Request::builder()
            .method("GET")
            .uri(format!("{}?{query}", route.path()))
            .body(Body::Empty)
            .unwrap();
        parse_request(route, &req, now(), TZ)
    }

    fn post(route: Route, body: &str) -> Result<ServiceRequest, Problem> {
        let req = lambda_http::http::Request::builder()
            .method("POST")
            .uri(route.path())
            .body(Body::Text(body.into()))
            .unwrap();
        parse_request(route, &req, now(), TZ)
    }

    /// The names of the invalid parameters, in order.
    fn bad(result: Result<ServiceRequest, Problem>) -> Vec<String> {
        let problem = result.unwrap_err();
        assert_eq!((problem.status, problem.slug), (400, "invalid-parameters"));
        problem.invalid_params.into_iter().map(|p| p.name).collect()
    }

    #[test]
    fn good_requests_parse_into_typed_reports() {
        let range = |from, to| DateRange {
            from: d(from),
            to: d(to),
        };
        for (route, query, report, want_range, format) in [
            (
                Route::Summary,
                "from=2026-03-01&to=2026-03-09",
                Report::Summary,
                range("2026-03-01", "2026-03-09"),
                None,
            ),
            (
                Route::DailyTrend,
                "from=2026-03-09&to=2026-03-09&format=csv",
                Report::DailyTrend,
                range("2026-03-09", "2026-03-09"),
                Some(Format::Csv),
            ),
            (
                // The default range: the 30 days ending yesterday, local (now is 9 March there).
                Route::Teammates,
                "",
                Report::Teammates {
                    metric: Metric::ConversationCount,
                    limit: 10,
                },
                range("2026-02-07", "2026-03-08"),
                None,
            ),
            (
                Route::Teammates,
                "metric=csat&limit=1000&from=2023-03-10&to=2026-03-09&format=json",
                Report::Teammates {
                    metric: Metric::Csat,
                    limit: 1000,
                },
                range("2023-03-10", "2026-03-09"),
                Some(Format::Json),
            ),
            (
                Route::Teammates,
                "metric=aht&limit=1&from=&to=",
                Report::Teammates {
                    metric: Metric::Aht,
                    limit: 1,
                },
                range("2026-02-07", "2026-03-08"),
                None,
            ),
            (
                Route::Countries,
                "limit=25&from=2024-02-29&to=2024-02-29",
                Report::Countries { limit: 25 },
                range("2024-02-29", "2024-02-29"),
                None,
            ),
            (
                Route::Countries,
                "",
                Report::Countries { limit: 10 },
                range("2026-02-07", "2026-03-08"),
                None,
            ),
            (
                Route::Heatmap,
                "from=2026-03-01&to=2026-03-31",
                Report::Heatmap,
                range("2026-03-01", "2026-03-31"),
                None,
            ),
        ] {
            let req = get(route, query).unwrap_or_else(|p| panic!("{query}: {p}"));
            assert_eq!(req.report, report, "{query}");
            assert_eq!(req.report.route(), route);
            assert_eq!(req.range, want_range, "{query}");
            assert_eq!(req.format, format, "{query}");
        }
    }

    #[test]
    fn a_range_covers_at_most_1096_days_both_ends_counted() {
        let ok = get(Route::Summary, "from=2023-03-10&to=2026-03-09").unwrap();
        assert_eq!(ok.range.days(), 1096);
        let problem = get(Route::Summary, "from=2023-03-09&to=2026-03-09").unwrap_err();
        assert_eq!(problem.invalid_params[0].name, "to");
        assert!(
            problem.invalid_params[0].reason.contains("1097 days"),
            "{problem:?}"
        );
        assert_eq!(
            get(Route::Summary, "from=2026-03-09&to=2026-03-09")
                .unwrap()
                .range
                .days(),
            1
        );
    }

    #[test]
    fn bad_parameters_are_each_named() {
        for (route, query, names) in [
            (Route::Summary, "from=2026-3-01&to=2026-03-09", vec!["from"]),
            (
                Route::Summary,
                "from=2026-02-30&to=2026-03-09",
                vec!["from"],
            ),
            (Route::Summary, "from=2026-03-01&to=yesterday", vec!["to"]),
            (Route::Summary, "from=2026-03-10&to=2026-03-09", vec!["to"]),
            (Route::Summary, "from=2020-01-01&to=2026-03-09", vec!["to"]),
            (Route::Summary, "from=2026-03-01", vec!["to"]),
            (Route::Summary, "to=2026-03-01", vec!["from"]),
            (Route::Summary, "from=bad", vec!["to", "from"]),
            (Route::Summary, "format=xml", vec!["format"]),
            (Route::Summary, "From=2026-03-01", vec!["From"]),
            (Route::Summary, "metric=frt", vec!["metric"]),
            (Route::Heatmap, "limit=5", vec!["limit"]),
            (Route::Channels, "asOf=2026-03-01T00:00:00Z", vec!["asOf"]),
            (Route::Teammates, "metric=FRT", vec!["metric"]),
            (Route::Teammates, "metric=speed", vec!["metric"]),
            (Route::Teammates, "limit=0", vec!["limit"]),
            (Route::Teammates, "limit=1001", vec!["limit"]),
            (Route::Teammates, "limit=-1", vec!["limit"]),
            (Route::Teammates, "limit=5.5", vec!["limit"]),
            (
                Route::Countries,
                "limit=x&metric=csat",
                vec!["metric", "limit"],
            ),
            (
                Route::Teammates,
                "metric=x&limit=0&from=2026-13-01&to=2026-03-01&zzz=1",
                vec!["zzz", "from", "limit", "metric"],
            ),
            (
                Route::Summary,
                "from=2026-03-01&from=2026-03-02&to=2026-03-09",
                vec!["from"],
            ),
        ] {
            let mut got = bad(get(route, query));
            got.sort();
            let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
            want.sort();
            assert_eq!(got, want, "{} {query}", route.path());
        }
    }

    #[test]
    fn reasons_say_what_to_do() {
        let reason = |route, query| {
            get(route, query).unwrap_err().invalid_params[0]
                .reason
                .clone()
        };
        assert_eq!(
            reason(Route::Teammates, "metric=speed"),
            "must be one of conversation_count, frt, art, aht, csat"
        );
        assert_eq!(
            reason(Route::Summary, "from=2026-03-10&to=2026-03-09"),
            "must not be before from (2026-03-10)"
        );
        assert_eq!(
            reason(Route::Summary, "limit=5"),
            "not a parameter of /API/service/summary; only /API/service/teammates, \
             /API/service/countries take(s) it"
        );
        assert_eq!(
            reason(Route::Summary, "FROM=2026-03-01"),
            "unknown parameter; names are case-sensitive: did you mean from?"
        );
        assert_eq!(
            reason(Route::Summary, "cursor=abc"),
            "unknown parameter; expected one of from, to, format"
        );
    }

    #[test]
    fn post_bodies_take_the_same_parameters_as_json_values() {
        let req = post(
            Route::Teammates,
            r#"{"from": "2026-03-01", "to": "2026-03-09", "metric": "frt", "limit": 3}"#,
        )
        .unwrap();
        assert_eq!(
            req.report,
            Report::Teammates {
                metric: Metric::Frt,
                limit: 3
            }
        );
        assert_eq!(req.range.days(), 9);
        assert_eq!(post(Route::Summary, "").unwrap().range.days(), 30);
        assert_eq!(post(Route::Summary, "null").unwrap().range.days(), 30);
        assert_eq!(bad(post(Route::Countries, r#"{"limit": "3"}"#)), ["limit"]);
        assert_eq!(
            bad(post(Route::Summary, r#"{"from": 20260301}"#)),
            ["from", "to"]
        );
        assert_eq!(bad(post(Route::Summary, "[1]")), ["body"]);
        assert_eq!(bad(post(Route::Summary, "{")), ["body"]);
    }

    #[test]
    fn filters_give_the_applied_report_parameters() {
        let t = get(Route::Teammates, "metric=art").unwrap();
        assert_eq!(t.filters_json(), json!({"metric": "art", "limit": 10}));
        let c = get(Route::Countries, "limit=3").unwrap();
        assert_eq!(c.filters_json(), json!({"limit": 3}));
        assert_eq!(get(Route::Sentiment, "").unwrap().filters_json(), json!({}));
    }

    #[test]
    fn every_route_has_its_own_parameters() {
        for route in Route::ALL {
            let allowed = ServiceRequest::allowed(route);
            assert_eq!(&allowed[..2], ["from", "to"]);
            assert!(allowed.contains(&"format"));
            assert_eq!(allowed.contains(&"metric"), route == Route::Teammates);
            assert_eq!(
                allowed.contains(&"limit"),
                matches!(route, Route::Teammates | Route::Countries)
            );
        }
    }
}
