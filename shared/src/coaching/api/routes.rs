//! The coaching report API's routes: path and method → [`Route`], or 404 / 405.

use lambda_http::http::Method;

use crate::api::problem::Problem;
use crate::api::routes::{match_route, ApiRoute};

/// The report API's routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// `GET|POST /API/intercom/caseload`
    Caseload,
    /// `GET|POST /API/intercom/sessions`
    Sessions,
    /// `GET|POST /API/intercom/new-participants`
    NewParticipants,
    /// `GET|POST /API/intercom/billing`
    Billing,
    /// `POST /API/intercom/report/engagement`: the engagement export on demand.
    Engagement,
}

const GET_POST: &[Method] = &[Method::GET, Method::POST];
const POST: &[Method] = &[Method::POST];

impl Route {
    pub const ALL: [Route; 5] = [
        Self::Caseload,
        Self::Sessions,
        Self::NewParticipants,
        Self::Billing,
        Self::Engagement,
    ];

    /// The route's path, as clients call it without a stage prefix.
    pub fn path(self) -> &'static str {
        match self {
            Self::Caseload => "/API/intercom/caseload",
            Self::Sessions => "/API/intercom/sessions",
            Self::NewParticipants => "/API/intercom/new-participants",
            Self::Billing => "/API/intercom/billing",
            Self::Engagement => "/API/intercom/report/engagement",
        }
    }

    /// The report's name in `meta.report` and CSV file names: `caseload`, `sessions`,
    /// `new-participants`, `billing`, `engagement`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Caseload => "caseload",
            Self::Sessions => "sessions",
            Self::NewParticipants => "new-participants",
            Self::Billing => "billing",
            Self::Engagement => "engagement",
        }
    }

    /// The methods served: GET and POST for the four reports, POST for the engagement export.
    pub fn methods(self) -> &'static [Method] {
        match self {
            Self::Engagement => POST,
            _ => GET_POST,
        }
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

/// The coaching route for `method` and `path` ([`match_route`]).
///
/// Errors: 404 `not-found` for an unknown path, 405 `method-not-allowed` (with the allowed
/// methods) for a known path and another method.
pub fn route(method: &Method, path: &str) -> Result<Route, Problem> {
    match_route(method, path)
}
