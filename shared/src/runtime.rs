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
        let served = lambda_http::run(lambda_http::service_fn(|request| {
            let fut = handler(request);
            async move { Ok::<_, lambda_http::Error>(fut.await) }
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

/// An API Gateway HTTP API v2 event as the `Request` lambda_http would build from it in Lambda.
/// The error says why the event is not one.
pub fn http_request(event: &Value) -> Result<lambda_http::Request, String> {
    lambda_http::request::from_str(&event.to_string())
        .map_err(|e| format!("the event is not an API Gateway HTTP API (payload v2) event: {e}"))
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
