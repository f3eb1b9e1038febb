//! The service-performance report API's routes (SERVICE-PERFORMANCE.md §5): path and method →
//! [`Route`], or 404 / 405. One function serves them all.

use lambda_http::http::Method;

use crate::api::problem::Problem;
use crate::api::routes::{match_route, ApiRoute};

/// The service report API's routes, one per dashboard function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// `GET|POST /API/service/summary`: the scorecards (`get_service_performance_summary`).
    Summary,
    /// `GET|POST /API/service/daily-trend`: one row per day (`get_service_daily_trend`).
    DailyTrend,
    /// `GET|POST /API/service/teammates`: the leaderboard (`get_service_teammate_leaderboard`).
    Teammates,
    /// `GET|POST /API/service/sentiment`: `get_service_sentiment_distribution`.
    Sentiment,
    /// `GET|POST /API/service/channels`: `get_service_channel_distribution`.
    Channels,
    /// `GET|POST /API/service/heatmap`: day of week × hour (`get_service_volume_heatmap`).
    Heatmap,
    /// `GET|POST /API/service/countries`: `get_service_country_distribution`.
    Countries,
}

const GET_POST: &[Method] = &[Method::GET, Method::POST];

impl Route {
    pub const ALL: [Route; 7] = [
        Self::Summary,
        Self::DailyTrend,
        Self::Teammates,
        Self::Sentiment,
        Self::Channels,
        Self::Heatmap,
        Self::Countries,
    ];

    /// The route's path, as clients call it without a stage prefix.
    pub fn path(self) -> &'static str {
        match self {
            Self::Summary => "/API/service/summary",
            Self::DailyTrend => "/API/service/daily-trend",
            Self::Teammates => "/API/service/teammates",
            Self::Sentiment => "/API/service/sentiment",
            Self::Channels => "/API/service/channels",
            Self::Heatmap => "/API/service/heatmap",
            Self::Countries => "/API/service/countries",
        }
    }

    /// The report's name in `meta.report` and CSV file names: the path's last segment
    /// (`summary`, `daily-trend`, `teammates`, `sentiment`, `channels`, `heatmap`, `countries`).
    pub fn name(self) -> &'static str {
        self.path().rsplit('/').next().unwrap_or_default()
    }

    /// The methods served: GET (query string) and POST (JSON body) everywhere.
    pub fn methods(self) -> &'static [Method] {
        GET_POST
    }
}

impl ApiRoute for Route {
    const ALL: &'static [Self] = &Route::ALL;

    fn path(self) -> &'static str {
        Route::path(self)
    }

    fn methods(self) -> &'static [Method] {
        Route::methods(self)
    }
}

/// The service route for `method` and `path` ([`match_route`]).
///
/// Errors: 404 `not-found` for an unknown path (listing the seven), 405 `method-not-allowed`
/// (with `Allow: GET, POST`) for a known path and another method.
pub fn route(method: &Method, path: &str) -> Result<Route, Problem> {
    match_route(method, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_routes_to_its_route_with_or_without_a_prefix() {
        for r in Route::ALL {
            for prefix in ["", "/prod", "/lambda-url/service-performance-report"] {
                for slash in ["", "/"] {
                    let path = format!("{prefix}{}{slash}", r.path());
                    assert_eq!(route(&Method::GET, &path).unwrap(), r, "{path}");
                    assert_eq!(route(&Method::POST, &path).unwrap(), r, "{path}");
                }
            }
        }
        assert_eq!(Route::DailyTrend.name(), "daily-trend");
        assert_eq!(Route::Countries.name(), "countries");
    }

    #[test]
    fn unknown_paths_are_404_listing_the_reports_and_other_methods_405() {
        for path in [
            "/API/service/Summary",
            "/API/service",
            "/API/service/summary/x",
            "/API/intercom/caseload",
            "/a/b/API/service/summary",
        ] {
            let p = route(&Method::GET, path).unwrap_err();
            assert_eq!((p.status, p.slug), (404, "not-found"), "{path}");
            assert!(
                p.detail.contains("/API/service/daily-trend"),
                "{}",
                p.detail
            );
        }
        let p = route(&Method::DELETE, "/API/service/heatmap").unwrap_err();
        assert_eq!((p.status, p.slug), (405, "method-not-allowed"));
        assert_eq!(p.allow, [Method::GET, Method::POST]);
    }
}
