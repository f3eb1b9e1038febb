//! HubSpot's error answers: `{"status": "error", "message", "correlationId", "category",
//! "errors"?: [{"message", "code"?, "in"?, "context"?}]}` with the same id in the
//! `X-HubSpot-Correlation-Id` header.
//!
//! Categories used: `INVALID_AUTHENTICATION` (401), `VALIDATION_ERROR` (400),
//! `OBJECT_NOT_FOUND` (404), `INTERNAL_ERROR` (injected 5xx). Rate-limit answers have their
//! own shape ([`rate_limited`]).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

pub const CORRELATION_HEADER: &str = "X-HubSpot-Correlation-Id";

/// One failed request.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub category: &'static str,
    pub message: String,
    /// HubSpot's `errors` details.
    pub errors: Vec<Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, category: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            category,
            message: message.into(),
            errors: Vec::new(),
        }
    }

    /// 400 `VALIDATION_ERROR`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", message)
    }

    /// 404 `OBJECT_NOT_FOUND`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "OBJECT_NOT_FOUND", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and \
             you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        )
    }

    /// An injected server error with HubSpot's generic body.
    pub fn injected(status: StatusCode) -> Self {
        Self::new(
            status,
            "INTERNAL_ERROR",
            "internal error (injected by the simulator)",
        )
    }

    pub fn with_errors(mut self, errors: Vec<Value>) -> Self {
        self.errors = errors;
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let id = sim_kit::uuid_v4();
        let mut body = Map::new();
        body.insert("status".into(), json!("error"));
        body.insert("message".into(), json!(self.message));
        body.insert("correlationId".into(), json!(id));
        body.insert("category".into(), json!(self.category));
        if !self.errors.is_empty() {
            body.insert("errors".into(), Value::Array(self.errors));
        }
        with_correlation(
            (self.status, Json(Value::Object(body))).into_response(),
            &id,
        )
    }
}

/// HubSpot's rate-limit policies, as `policyName` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// The per-10-seconds budget of a private app.
    TenSecondlyRolling,
    /// The search endpoints' per-second budget.
    Secondly,
    /// The account's daily budget.
    Daily,
}

impl Policy {
    pub fn name(self) -> &'static str {
        match self {
            Policy::TenSecondlyRolling => "TEN_SECONDLY_ROLLING",
            Policy::Secondly => "SECONDLY",
            Policy::Daily => "DAILY",
        }
    }
}

/// A 429 as HubSpot's usage guidelines show it: `{"status": "error", "message": "You have
/// reached your ten_secondly_rolling limit.", "errorType": "RATE_LIMIT", "correlationId",
/// "policyName": "TEN_SECONDLY_ROLLING", "requestId"}`, plus `category: RATE_LIMITS`.
pub fn rate_limited(policy: Policy) -> Response {
    let id = sim_kit::uuid_v4();
    let body = json!({
        "status": "error",
        "message": format!("You have reached your {} limit.", policy.name().to_lowercase()),
        "errorType": "RATE_LIMIT",
        "correlationId": id,
        "policyName": policy.name(),
        "requestId": sim_kit::uuid_v4(),
        "category": "RATE_LIMITS",
    });
    with_correlation(
        (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response(),
        &id,
    )
}

fn with_correlation(mut response: Response, id: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(id) {
        response.headers_mut().insert(CORRELATION_HEADER, v);
    }
    response
}

/// A per-record error inside a batch answer (HubSpot's `StandardError`).
pub fn record_error(category: &str, message: String, context: Value) -> Value {
    json!({
        "status": "error",
        "category": category,
        "message": message,
        "context": context,
        "errors": [],
        "links": {},
    })
}

/// Parses a JSON request body, answering HubSpot's 400 for malformed input.
pub fn parse_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::invalid(format!(
            "Invalid input JSON on line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_messages_use_the_lower_case_policy_name() {
        assert_eq!(Policy::TenSecondlyRolling.name(), "TEN_SECONDLY_ROLLING");
        assert_eq!(Policy::Secondly.name().to_lowercase(), "secondly");
    }

    #[test]
    fn malformed_bodies_are_validation_errors() {
        let e = parse_body::<Value>(b"{\"a\":").unwrap_err();
        assert_eq!(
            (e.status, e.category),
            (StatusCode::BAD_REQUEST, "VALIDATION_ERROR")
        );
        assert!(
            e.message.starts_with("Invalid input JSON on line 1"),
            "{}",
            e.message
        );
    }
}
