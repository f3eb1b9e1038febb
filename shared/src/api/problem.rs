//! RFC 9457 problem details (`application/problem+json`): every error the report API answers.
//!
//! One constructor per problem type of the report API; the handler turns each failure into one
//! of these in one place, so no error leaves as a bare status or a stack trace.

use lambda_http::http::header::{HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Response};
use serde::Serialize;

use crate::intercom::IntercomError;
use crate::job::input::InvalidEvent;
use crate::store::StoreError;

/// Base of every problem `type` URI; the slug follows.
pub const PROBLEM_TYPE_BASE: &str = "https://coaching-analytics.example/problems/";

/// The media type of problem bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One bad parameter: its name as the caller spelled it and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct InvalidParam {
    pub name: String,
    pub reason: String,
}

impl InvalidParam {
    pub fn new(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

/// A problem details body: `{"type", "title", "status", "detail", "invalidParams"?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// The problem type's slug, e.g. `invalid-parameters`; serialised as the `type` URI
    /// `https://coaching-analytics.example/problems/<slug>`.
    #[serde(rename = "type", serialize_with = "type_uri")]
    pub slug: &'static str,
    /// Fixed per slug.
    pub title: &'static str,
    /// The HTTP status, repeated in the body as RFC 9457 recommends.
    pub status: u16,
    /// What happened in this request and what to do about it.
    pub detail: String,
    /// Every bad parameter (only for `invalid-parameters`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invalid_params: Vec<InvalidParam>,
    /// Methods for the `Allow` header (only for `method-not-allowed`); not part of the body.
    #[serde(skip)]
    pub allow: &'static [Method],
}

fn type_uri<S: serde::Serializer>(slug: &&'static str, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{PROBLEM_TYPE_BASE}{slug}"))
}

impl Problem {
    fn new(
        slug: &'static str,
        title: &'static str,
        status: StatusCode,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            slug,
            title,
            status: status.as_u16(),
            detail: detail.into(),
            invalid_params: Vec::new(),
            allow: &[],
        }
    }

    /// The `type` URI.
    pub fn type_uri(&self) -> String {
        format!("{PROBLEM_TYPE_BASE}{}", self.slug)
    }

    /// 400 `invalid-parameters` listing every bad parameter (`params` should not be empty).
    pub fn invalid_parameters(params: Vec<InvalidParam>) -> Self {
        let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
        let detail = format!(
            "The request has {} invalid parameter(s): {}. See invalidParams for each reason.",
            params.len(),
            names.join(", ")
        );
        let mut p = Self::new(
            "invalid-parameters",
            "Invalid request parameters",
            StatusCode::BAD_REQUEST,
            detail,
        );
        p.invalid_params = params;
        p
    }

    /// 400 `invalid-parameters` with one bad parameter.
    pub fn invalid_parameter(name: &str, reason: impl Into<String>) -> Self {
        Self::invalid_parameters(vec![InvalidParam::new(name, reason)])
    }

    /// 404 `not-found`: no report lives at `path`.
    pub fn not_found(path: &str) -> Self {
        Self::new(
            "not-found",
            "Not found",
            StatusCode::NOT_FOUND,
            format!("No report at {path}. Check the path; case matters."),
        )
    }

    /// 404 `not-found`: no report lives at `path`; the detail lists `known`, the paths of the
    /// API that was asked (e.g. an [`crate::api::ApiRoute`] type's routes).
    pub fn not_found_among<'a>(path: &str, known: impl IntoIterator<Item = &'a str>) -> Self {
        let known: Vec<&str> = known.into_iter().collect();
        let mut p = Self::not_found(path);
        if !known.is_empty() {
            p.detail = format!("No report at {path}. Reports: {}.", known.join(", "));
        }
        p
    }

    /// 405 `method-not-allowed`: `method` is not served at `path`; `allow` goes in `Allow`.
    pub fn method_not_allowed(method: &Method, path: &str, allow: &'static [Method]) -> Self {
        let list: Vec<&str> = allow.iter().map(Method::as_str).collect();
        let mut p = Self::new(
            "method-not-allowed",
            "Method not allowed",
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "{method} is not served at {path}; use {}.",
                list.join(" or ")
            ),
        );
        p.allow = allow;
        p
    }

    /// 401 `unauthorized` (normally answered by the authorizer, before the handler runs).
    pub fn unauthorized() -> Self {
        Self::new(
            "unauthorized",
            "Unauthorized",
            StatusCode::UNAUTHORIZED,
            "Send a valid API key as `Authorization: Bearer <key>`.",
        )
    }

    /// 502 `upstream-error` for an Intercom failure, or 500 `internal-error` for a failure that
    /// is ours (an invalid query or request we built, a configuration error). The detail keeps
    /// Intercom's error code, HTTP status and request id; never the token, never Intercom's
    /// message text (it can echo contact data).
    pub fn from_intercom(error: &IntercomError) -> Self {
        let upstream = |detail: String| {
            Self::new(
                "upstream-error",
                "Intercom request failed",
                StatusCode::BAD_GATEWAY,
                detail,
            )
        };
        match error {
            IntercomError::Api {
                status,
                code,
                request_id,
                ..
            } => upstream(format!(
                "Intercom answered HTTP {status} with code {code} (request id {}). Retry later; \
                 if it persists, give the request id to the operators.",
                request_id.as_deref().unwrap_or("none")
            )),
            IntercomError::Transport { kind, .. } => {
                upstream(format!("Intercom did not answer ({kind}). Retry later."))
            }
            IntercomError::Decode { .. } => upstream(
                "Intercom answered with an unexpected response shape. Tell the operators."
                    .to_string(),
            ),
            IntercomError::RetriesExhausted { attempts, last } => {
                let mut p = Self::from_intercom(last);
                if p.status == StatusCode::BAD_GATEWAY.as_u16() {
                    p.detail = format!("Gave up after {attempts} attempts. {}", p.detail);
                }
                p
            }
            IntercomError::InvalidQuery { .. }
            | IntercomError::InvalidRequest { .. }
            | IntercomError::Config { .. } => Self::internal_error(),
        }
    }

    /// 409 `export-exists`: an on-demand export's object key is taken (conditional put refused).
    pub fn export_exists(key: &str) -> Self {
        Self::new(
            "export-exists",
            "Export already exists",
            StatusCode::CONFLICT,
            format!(
                "An object with the key {key} already exists; exports started through the API \
                 never replace one. Choose another key, or leave key out for a time-stamped one."
            ),
        )
    }

    /// 504 `report-timeout`: the report did not finish within `deadline_ms` milliseconds.
    pub fn report_timeout(deadline_ms: u64) -> Self {
        Self::new(
            "report-timeout",
            "Report timed out",
            StatusCode::GATEWAY_TIMEOUT,
            format!(
                "The report did not finish within {deadline_ms} ms. Ask for less (a shorter \
                 range or lookback, a filter) or retry later."
            ),
        )
    }

    /// 503 `database-unavailable`: the report database could not be reached (no connection
    /// within the pool's timeout, a dropped connection, a server shutting down or full).
    pub fn database_unavailable() -> Self {
        Self::new(
            "database-unavailable",
            "Database unavailable",
            StatusCode::SERVICE_UNAVAILABLE,
            "The report database could not be reached. Retry in a minute; if it persists, tell \
             the operators the time of the request.",
        )
    }

    /// The problem for a failed store operation: 503 `database-unavailable` when the database
    /// could not be reached or is refusing work for now, 504 `report-timeout` when a statement
    /// ran into its `statement_timeout` (`deadline_ms`), 500 `internal-error` for anything else
    /// (an SQL error, a failed migration, a bad URL). The detail never holds the connection
    /// URL, a server message or a query; log `error` for those.
    pub fn from_store(error: &StoreError, deadline_ms: u64) -> Self {
        let source = match error {
            StoreError::Query { source, .. } | StoreError::Migration { source, .. } => source,
            StoreError::Config(_) | StoreError::Migrations { .. } => return Self::internal_error(),
        };
        match source {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => Self::database_unavailable(),
            sqlx::Error::Database(db) => match db.code().as_deref() {
                // query_canceled: the transaction's statement_timeout.
                Some("57014") => Self::report_timeout(deadline_ms),
                // connection_exception (08xxx), insufficient_resources (53xxx, e.g. too many
                // connections), admin/crash shutdown and cannot_connect_now (57P01..57P03).
                Some(code)
                    if code.starts_with("08")
                        || code.starts_with("53")
                        || matches!(code, "57P01" | "57P02" | "57P03") =>
                {
                    Self::database_unavailable()
                }
                _ => Self::internal_error(),
            },
            _ => Self::internal_error(),
        }
    }

    /// 500 `internal-error`. The cause goes to the logs, not to the caller.
    pub fn internal_error() -> Self {
        Self::new(
            "internal-error",
            "Internal error",
            StatusCode::INTERNAL_SERVER_ERROR,
            "The report failed unexpectedly. Retry; if it persists, tell the operators the \
             time of the request.",
        )
    }

    /// The problem as an HTTP response: status, `Content-Type: application/problem+json`,
    /// `Cache-Control: no-store`, and `Allow` for 405.
    pub fn into_response(self) -> Response<Body> {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self).expect("a problem always serialises");
        let mut response = Response::new(Body::Text(body));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if !self.allow.is_empty() {
            let list: Vec<&str> = self.allow.iter().map(Method::as_str).collect();
            if let Ok(v) = HeaderValue::from_str(&list.join(", ")) {
                headers.insert(ALLOW, v);
            }
        }
        response
    }
}

impl From<InvalidEvent> for Problem {
    /// A job-style input error (the engagement export's request); the whole-event field `event`
    /// is called `body` here.
    fn from(error: InvalidEvent) -> Self {
        Self::invalid_parameters(
            error
                .0
                .into_iter()
                .map(|i| {
                    let name = if i.field == "event" {
                        "body".into()
                    } else {
                        i.field
                    };
                    InvalidParam::new(name, i.reason)
                })
                .collect(),
        )
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.slug, self.detail)
    }
}

impl std::error::Error for Problem {}
