//! Which route a request is for: path and method → one of a system's routes, or 404 / 405.
//! Each report API lists its routes as a type implementing [`ApiRoute`].

use lambda_http::http::Method;

use crate::api::problem::Problem;

/// One route of a report API: its path and methods.
pub trait ApiRoute: Copy + 'static {
    /// Every route of the API, in matching order.
    const ALL: &'static [Self];
    /// The route's path, as clients call it without a stage prefix, e.g. `/API/intercom/caseload`.
    fn path(self) -> &'static str;
    /// The methods served.
    fn methods(self) -> &'static [Method];
}

/// The route of `R` for `method` and `path`.
///
/// `path` is the request URI's path. It may end in one `/`, and may carry one prefix before
/// the route's path: an API Gateway stage (`/prod/API/...`; lambda_http adds it for a stage other
/// than `$default`) or `cargo lambda watch`'s `/lambda-url/<function>`. Matching is case-sensitive.
///
/// Errors: 404 `not-found` for an unknown path (the detail lists `R`'s paths), 405
/// `method-not-allowed` (with the allowed methods) for a known path and another method.
pub fn match_route<R: ApiRoute>(method: &Method, path: &str) -> Result<R, Problem> {
    let trimmed = match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ => path,
    };
    let found = R::ALL
        .iter()
        .copied()
        .find(|r| trimmed.strip_suffix(r.path()).is_some_and(allowed_prefix));
    let Some(found) = found else {
        return Err(Problem::not_found_among(
            path,
            R::ALL.iter().map(|r| r.path()),
        ));
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
