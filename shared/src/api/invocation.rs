//! What every report request shares beyond its parameters: how long it may take
//! (`REPORT_DEADLINE_MS`) and who sent it (the API key's name, for the audit line).

use std::time::Duration;

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

/// Default `REPORT_DEADLINE_MS`: under API Gateway's 30-second integration timeout, so callers
/// get a problem body that says what happened instead of a bare gateway timeout.
pub const DEFAULT_DEADLINE_MS: u64 = 27_000;

/// How long a report may take before it answers 504 (`REPORT_DEADLINE_MS`, whole milliseconds
/// above 0; default [`DEFAULT_DEADLINE_MS`]).
pub fn deadline_from_env() -> Duration {
    let ms = std::env::var("REPORT_DEADLINE_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|ms| *ms > 0)
        .unwrap_or(DEFAULT_DEADLINE_MS);
    Duration::from_millis(ms)
}

/// The name of the API key the Lambda authorizer accepted (`requestContext.authorizer.lambda
/// .keyName`), if any. Logged with each request; never the key itself.
pub fn key_name(request: &Request) -> Option<String> {
    match request.request_context_ref()? {
        RequestContext::ApiGatewayV2(context) => context
            .authorizer
            .as_ref()?
            .fields
            .get("keyName")?
            .as_str()
            .map(str::to_string),
        _ => None,
    }
}
