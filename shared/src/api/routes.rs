//! Which report a request is for: path and method → [`Route`], or 404 / 405.

use lambda_http::http::Method;

use crate::api::problem::Problem;

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

/// The route for `method` and `path`.
///
/// `path` is the request URI's path. It may end in one `/`, and may carry one prefix before
/// `/API/...`: an API Gateway stage (`/prod/API/...`; lambda_http adds it for a stage other than
/// `$default`) or `cargo lambda watch`'s `/lambda-url/<function>`. Matching is case-sensitive.
///
/// Errors: 404 `not-found` for an unknown path, 405 `method-not-allowed` (with the allowed
/// methods) for a known path and another method.
pub fn route(method: &Method, path: &str) -> Result<Route, Problem> {
    let trimmed = match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ => path,
    };
    let found = Route::ALL
        .into_iter()
        .find(|r| trimmed.strip_suffix(r.path()).is_some_and(allowed_prefix));
    let Some(found) = found else {
        return Err(Problem::not_found(path));
    };
    if found.methods().contains(method) {
        Ok(found)
    } else {
        Err(Problem::method_not_allowed(method, path, found.methods()))
    }
}

/// `""`, `/<stage>` or `/lambda-url/<function>` (segments non-empty).
fn allowed_prefix(prefix: &str) -> bool {
    if prefix.is_empty() {
        return true;
    }
    let Some(rest) = prefix.strip_prefix('/') else {
        return false;
    };
    let segments: Vec<&str> = rest.split('/').collect();
    match segments.as_slice() {
        [stage] => !stage.is_empty(),
        ["lambda-url", function] => !function.is_empty(),
        _ => false,
    }
}
