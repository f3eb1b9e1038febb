//! Runs one handler either inside AWS Lambda or locally from an event file.
//!
//! In Lambda (`AWS_LAMBDA_RUNTIME_API` is set) the handler is served by `lambda_runtime`, logs go
//! to stdout in the format Lambda's logging config asks for (`AWS_LAMBDA_LOG_FORMAT=JSON`).
//! Anywhere else, `<binary> --event FILE` (or `--event -` for stdin) runs one invocation: the
//! response JSON goes to stdout, JSON log lines to stderr, and the exit code is non-zero when the
//! handler fails.

use std::future::Future;
use std::io::Read;
use std::process::ExitCode;

use lambda_http::RequestExt as _;
use lambda_runtime::{service_fn, LambdaEvent};
use serde::Serialize;
use serde_json::Value;

/// Serves `handler` in Lambda or runs it once locally; see the module docs. Call
/// [`init_logging`] first.
///
/// `handler` receives the invocation's event payload (the JSON input EventBridge Scheduler or the
/// caller delivers). Its error's `Display` is what Lambda reports as `errorMessage`.
pub async fn run<F, Fut, R, E>(handler: F) -> ExitCode
where
    F: Fn(Value) -> Fut,
    Fut: Future<Output = Result<R, E>>,
    R: Serialize,
    E: std::error::Error + Send + Sync + 'static,
{
    if in_lambda() {
        let served = lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
            let fut = handler(event.payload);
            async move { fut.await.map_err(lambda_runtime::Error::from) }
        }))
        .await;
        return match served {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                tracing::error!(%error, "lambda runtime stopped");
                ExitCode::FAILURE
            }
        };
    }
    let event = match read_local_event(std::env::args().skip(1)) {
        Ok(event) => event,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match handler(event).await {
        Ok(response) => {
            match serde_json::to_string_pretty(&response) {
                Ok(json) => println!("{json}"),
                Err(error) => {
                    tracing::error!(%error, "response is not serialisable");
                    return ExitCode::FAILURE;
                }
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(error = %error, "invocation failed");
            ExitCode::FAILURE
        }
    }
}

/// Serves an HTTP `handler` (API Gateway HTTP API, payload v2) in Lambda, or answers one API
/// Gateway v2 event file locally. Call [`init_logging`] first.
///
/// The handler is infallible: it turns every failure into a response (problem+json).
///
/// Locally, `<binary> --event FILE` (or `-` for stdin) reads an API Gateway HTTP API v2 event
/// (`version` 2.0: `rawPath`, `rawQueryString`, `headers`, `body`, `isBase64Encoded`,
/// `requestContext.http.method`), turns it into a `Request` with lambda_http's own conversion
/// (as in Lambda: query string parameters, stage prefix, base64 bodies), runs the handler, and
/// prints the API Gateway v2 response JSON (`statusCode`, `headers`, `multiValueHeaders`,
/// `body`, `isBase64Encoded`, `cookies`) on stdout, with the body converted as in Lambda.
/// Exit 0 whatever the HTTP status; 2 when the event file is unusable.
pub async fn run_http<F, Fut>(handler: F) -> ExitCode
where
    F: Fn(lambda_http::Request) -> Fut,
    Fut: Future<Output = lambda_http::Response<lambda_http::Body>> + Send + 'static,
{
    if in_lambda() {
        // The event is converted here, not by lambda_http::run, so that an event lambda_http
        // cannot convert (a direct invoke with a bad base64 body, say) gets a 400, not a panic.
        let served = lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
            let prepared = http_request(&event.payload)
                .map(|request| handler(request.with_lambda_context(event.context)));
            async move {
                let response = match prepared {
                    Ok(answer) => answer.await,
                    Err(reason) => unconvertible_event(&reason),
                };
                Ok::<_, lambda_runtime::Error>(http_response_event(response).await)
            }
        }))
        .await;
        return match served {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                tracing::error!(%error, "lambda runtime stopped");
                ExitCode::FAILURE
            }
        };
    }
    let request = match read_local_event(std::env::args().skip(1)).and_then(|e| http_request(&e)) {
        Ok(request) => request,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let response = http_response_event(handler(request).await).await;
    match serde_json::to_string_pretty(&response) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(%error, "response is not serialisable");
            ExitCode::FAILURE
        }
    }
}

/// The longest `rawQueryString` accepted, bytes: API Gateway's own limit is far below it, so a
/// longer one only comes from a direct invoke.
pub const MAX_QUERY_STRING_BYTES: usize = 64 * 1024;

/// An API Gateway HTTP API v2 event as the `Request` lambda_http would build from it in Lambda.
/// The error says why the event is not one: not a v2 event, a query string over
/// [`MAX_QUERY_STRING_BYTES`], or `isBase64Encoded` with a body that is not base64. Never panics.
pub fn http_request(event: &Value) -> Result<lambda_http::Request, String> {
    use base64::Engine;
    let query = event
        .get("rawQueryString")
        .and_then(Value::as_str)
        .unwrap_or("");
    if query.len() > MAX_QUERY_STRING_BYTES {
        return Err(format!(
            "the query string is {} bytes; at most {MAX_QUERY_STRING_BYTES} are read",
            query.len()
        ));
    }
    if event.get("isBase64Encoded") == Some(&Value::Bool(true)) {
        let body = event.get("body").and_then(Value::as_str).unwrap_or("");
        if base64::engine::general_purpose::STANDARD
            .decode(body)
            .is_err()
        {
            return Err("isBase64Encoded is true but the body is not base64".into());
        }
    }
    let text = event.to_string();
    // lambda_http's conversion asserts on shapes it does not expect; a panic there must not
    // take the invocation down.
    std::panic::catch_unwind(|| lambda_http::request::from_str(&text))
        .map_err(|_| "the event cannot be converted into an HTTP request".to_string())?
        .map_err(|e| format!("the event is not an API Gateway HTTP API (payload v2) event: {e}"))
}

/// The 400 answered for an event [`http_request`] refuses.
fn unconvertible_event(reason: &str) -> lambda_http::Response<lambda_http::Body> {
    tracing::warn!(
        reason,
        "refused an event that is not a usable HTTP API request"
    );
    crate::api::problem::Problem::invalid_parameter("event", reason).into_response()
}

/// The API Gateway v2 response JSON for `response`, built as lambda_http does in Lambda: the
/// body becomes text or base64 by its `Content-Encoding` and `Content-Type`, `Set-Cookie`
/// headers move to `cookies`.
pub async fn http_response_event(
    response: lambda_http::Response<lambda_http::Body>,
) -> lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpResponse {
    use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpResponse;
    use lambda_http::http::header::SET_COOKIE;
    use lambda_http::{Body, IntoResponse};

    let (parts, body) = response.into_response().await.into_parts();
    let mut headers = parts.headers;
    let cookies = headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    headers.remove(SET_COOKIE);
    let mut event = ApiGatewayV2httpResponse::default();
    event.status_code = i64::from(parts.status.as_u16());
    event.is_base64_encoded = matches!(body, Body::Binary(_));
    event.body = match body {
        Body::Empty => None,
        body => Some(body),
    };
    event.headers = headers;
    event.cookies = cookies;
    event
}

/// Whether this process runs inside AWS Lambda.
fn in_lambda() -> bool {
    std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
}

/// Starts logging: in Lambda as Lambda's logging config says (JSON with `LogFormat: JSON`),
/// locally as JSON lines on stderr. Level from `AWS_LAMBDA_LOG_LEVEL` or `RUST_LOG` (default
/// `info`). Call once, first thing in `main`.
pub fn init_logging() {
    if in_lambda() {
        lambda_runtime::tracing::init_default_subscriber();
        return;
    }
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

const USAGE: &str = "usage: <function> --event FILE   (FILE is a JSON event, or - for stdin)";

/// Reads the event named by `--event FILE` / `--event=FILE` (`-` = stdin).
fn read_local_event(mut args: impl Iterator<Item = String>) -> Result<Value, String> {
    let path = match args.next().as_deref() {
        Some("--event") => args.next().ok_or_else(|| USAGE.to_string())?,
        Some(arg) if arg.starts_with("--event=") => arg["--event=".len()..].to_string(),
        Some("--help" | "-h") | None | Some(_) => return Err(USAGE.to_string()),
    };
    if let Some(extra) = args.next() {
        return Err(format!("unexpected argument {extra:?}\n{USAGE}"));
    }
    let text = if path == "-" {
        let mut buf = String::new();
        std::io::stdin()
            .read_to_string(&mut buf)
            .map_err(|e| format!("cannot read the event from stdin: {e}"))?;
        buf
    } else {
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read event file {path}: {e}"))?
    };
    serde_json::from_str(&text).map_err(|e| format!("event file {path} is not JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(xs: &[&str]) -> impl Iterator<Item = String> {
        xs.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn event_file_is_read_and_parsed() {
        let dir = std::env::temp_dir().join(format!("runtime-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("e.json");
        std::fs::write(&file, r#"{"dryRun": true}"#).unwrap();
        let path = file.to_str().unwrap();
        assert_eq!(
            read_local_event(args(&["--event", path])).unwrap()["dryRun"],
            true
        );
        assert_eq!(
            read_local_event(args(&[&format!("--event={path}")])).unwrap()["dryRun"],
            true
        );
        std::fs::write(&file, "not json").unwrap();
        assert!(read_local_event(args(&["--event", path]))
            .unwrap_err()
            .contains("not JSON"));
    }

    #[test]
    fn bad_command_lines_print_usage() {
        assert!(read_local_event(args(&[]))
            .unwrap_err()
            .starts_with("usage"));
        assert!(read_local_event(args(&["--event"]))
            .unwrap_err()
            .starts_with("usage"));
        assert!(read_local_event(args(&["--nope"]))
            .unwrap_err()
            .starts_with("usage"));
        assert!(read_local_event(args(&["--event", "a", "b"]))
            .unwrap_err()
            .contains("unexpected"));
    }
}
