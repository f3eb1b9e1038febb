//! Everything that can go wrong talking to HubSpot. Errors keep HubSpot's `category`,
//! `correlationId` (to quote to HubSpot support) and, for 429s, `policyName`. No variant holds
//! the token: requests are described by method and path, and upstream text is scrubbed.

use serde::Deserialize;

/// One per-record error of a batch answer (207) or one entry of a 400's `errors[]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RecordError {
    /// e.g. `OBJECT_NOT_FOUND`, `CONFLICT`, `VALIDATION_ERROR`; empty when HubSpot gave none.
    #[serde(default)]
    pub category: String,
    /// For validation errors: `INVALID_OPTION`, `PROPERTY_DOESNT_EXIST`, ...
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: String,
    /// The record ids concerned (`context.ids` or `context.objectId`).
    #[serde(skip)]
    pub ids: Vec<String>,
    /// The property concerned (`in`, or `context.propertyName`).
    #[serde(skip)]
    pub property: Option<String>,
}

/// A HubSpot client error.
#[derive(Debug, thiserror::Error)]
pub enum HubSpotError {
    /// HubSpot answered with a non-success status.
    #[error(
        "HubSpot answered HTTP {status} {category} to {method} {path}: {message} \
         (correlationId: {}{})",
        correlation_id.as_deref().unwrap_or("none"),
        policy_name.as_deref().map(|p| format!(", policyName: {p}")).unwrap_or_default()
    )]
    Api {
        status: u16,
        method: String,
        path: String,
        /// HubSpot's `category` (`VALIDATION_ERROR`, `RATE_LIMITS`, ...); `http_<status>` when
        /// the body carries none.
        category: String,
        message: String,
        correlation_id: Option<String>,
        /// `TEN_SECONDLY_ROLLING`, `SECONDLY` or `DAILY` on a 429.
        policy_name: Option<String>,
        /// `errors[]`: e.g. one entry per refused property value, with its `code`.
        errors: Vec<RecordError>,
    },
    /// No response: timeout, connection refused or dropped.
    #[error("HubSpot request {method} {path} got no response: {reason}; check HUBSPOT_API_BASE")]
    Transport {
        method: String,
        path: String,
        reason: String,
    },
    /// A success answer that is not the documented shape.
    #[error("HubSpot response to {method} {path} is not the expected shape: {reason}")]
    Decode {
        method: String,
        path: String,
        reason: String,
    },
    /// An argument HubSpot would refuse, caught before any call.
    #[error("invalid HubSpot request: {reason}")]
    InvalidRequest { reason: String },
    /// An unusable setting; `variable` names the environment variable to fix.
    #[error("configuration {variable}: {reason}")]
    Config {
        variable: &'static str,
        reason: String,
    },
    /// A retryable failure (429 other than `DAILY`, 5xx, no response) persisted.
    #[error("HubSpot request gave up after {attempts} attempts; last error: {last}")]
    RetriesExhausted {
        attempts: u32,
        last: Box<HubSpotError>,
    },
}

impl HubSpotError {
    fn innermost(&self) -> &HubSpotError {
        match self {
            HubSpotError::RetriesExhausted { last, .. } => last.innermost(),
            other => other,
        }
    }

    /// The HTTP status, looking through retries.
    pub fn status(&self) -> Option<u16> {
        match self.innermost() {
            HubSpotError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// HubSpot's `category`.
    pub fn category(&self) -> Option<&str> {
        match self.innermost() {
            HubSpotError::Api { category, .. } => Some(category),
            _ => None,
        }
    }

    /// HubSpot's `correlationId`.
    pub fn correlation_id(&self) -> Option<&str> {
        match self.innermost() {
            HubSpotError::Api { correlation_id, .. } => correlation_id.as_deref(),
            _ => None,
        }
    }

    /// The 429's `policyName`.
    pub fn policy_name(&self) -> Option<&str> {
        match self.innermost() {
            HubSpotError::Api { policy_name, .. } => policy_name.as_deref(),
            _ => None,
        }
    }

    /// The per-property or per-record errors HubSpot listed.
    pub fn errors(&self) -> &[RecordError] {
        match self.innermost() {
            HubSpotError::Api { errors, .. } => errors,
            _ => &[],
        }
    }

    /// The `DAILY` budget is spent: the run must stop (§8), no retry helps today.
    pub fn is_daily_limit(&self) -> bool {
        self.status() == Some(429) && self.policy_name() == Some("DAILY")
    }

    /// 429 (but `DAILY`), 5xx and no response may pass; other answers are final.
    pub fn is_retryable(&self) -> bool {
        match self {
            HubSpotError::Api { status, .. } => {
                (*status == 429 && !self.is_daily_limit()) || *status >= 500
            }
            HubSpotError::Transport { .. } => true,
            _ => false,
        }
    }
}

/// A per-record or per-property error from its JSON: `category`, `code`, `message`, `in`, and
/// the ids from `context.ids` or `context.objectId`.
pub(crate) fn record_error(value: &serde_json::Value) -> RecordError {
    let mut error: RecordError =
        serde_json::from_value(value.clone()).unwrap_or_else(|_| RecordError {
            category: String::new(),
            code: None,
            message: value.to_string(),
            ids: Vec::new(),
            property: None,
        });
    let context = value.get("context");
    let strings = |key: &str| -> Vec<String> {
        context
            .and_then(|c| c.get(key))
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| match v {
                        serde_json::Value::String(s) => Some(s.clone()),
                        serde_json::Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    error.ids = strings("ids");
    if error.ids.is_empty() {
        error.ids = strings("objectId");
    }
    error.property = value
        .get("in")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .or_else(|| strings("propertyName").into_iter().next());
    error
}

/// Reads HubSpot's error body `{"status": "error", "message", "correlationId", "category",
/// "policyName"?, "errors"?}`; anything else keeps its first 300 characters as the message.
pub(crate) fn api_error(
    status: u16,
    method: &str,
    path: &str,
    body: &[u8],
    header_correlation_id: Option<String>,
) -> HubSpotError {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |k: &str| {
        json.as_ref()
            .and_then(|j| j.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let message = field("message").unwrap_or_else(|| {
        let text: String = String::from_utf8_lossy(body)
            .trim()
            .chars()
            .take(300)
            .collect();
        if text.is_empty() {
            "(empty body)".to_owned()
        } else {
            text
        }
    });
    let errors = json
        .as_ref()
        .and_then(|j| j.get("errors"))
        .and_then(|e| e.as_array())
        .map(|a| a.iter().map(record_error).collect())
        .unwrap_or_default();
    HubSpotError::Api {
        status,
        method: method.to_owned(),
        path: path.to_owned(),
        category: field("category").unwrap_or_else(|| format!("http_{status}")),
        message,
        correlation_id: field("correlationId").or(header_correlation_id),
        policy_name: field("policyName"),
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_category_correlation_id_policy_and_errors() {
        let body = br#"{"status":"error","message":"Property values were not valid","correlationId":"c-1","category":"VALIDATION_ERROR","errors":[{"message":"Top 31% was not one of the allowed options","code":"INVALID_OPTION","in":"customer_engagement_tier","context":{"propertyName":["customer_engagement_tier"],"objectId":["42"]}}]}"#;
        let e = api_error(400, "POST", "/x", body, None);
        assert_eq!(e.category(), Some("VALIDATION_ERROR"));
        assert_eq!(e.correlation_id(), Some("c-1"));
        assert_eq!(e.errors()[0].code.as_deref(), Some("INVALID_OPTION"));
        assert_eq!(e.errors()[0].ids, vec!["42"]);
        assert_eq!(
            e.errors()[0].property.as_deref(),
            Some("customer_engagement_tier")
        );
        assert!(!e.is_retryable());
    }

    #[test]
    fn daily_429_is_final_and_ten_secondly_is_retried() {
        let daily = api_error(
            429,
            "GET",
            "/x",
            br#"{"policyName":"DAILY","category":"RATE_LIMITS"}"#,
            None,
        );
        assert!(daily.is_daily_limit() && !daily.is_retryable());
        let rolling = api_error(
            429,
            "GET",
            "/x",
            br#"{"policyName":"TEN_SECONDLY_ROLLING"}"#,
            Some("h-1".into()),
        );
        assert!(rolling.is_retryable());
        assert_eq!(rolling.correlation_id(), Some("h-1"));
    }

    #[test]
    fn a_body_that_is_not_json_keeps_its_start() {
        let e = api_error(502, "GET", "/x", b"<html>bad gateway</html>", None);
        assert_eq!(e.category(), Some("http_502"));
        assert!(e.to_string().contains("bad gateway"));
        assert!(e.is_retryable());
    }
}
