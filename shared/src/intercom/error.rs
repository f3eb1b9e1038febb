//! Everything that can go wrong talking to Intercom, worded for the engineer on call.
//!
//! No variant ever holds the access token: requests are described by method and path only, and
//! bodies sent back by Intercom are scrubbed of the token before they are kept.

/// An Intercom client error.
#[derive(Debug, thiserror::Error)]
pub enum IntercomError {
    /// Intercom answered with a non-success status. `code`, `message` and `request_id` come from
    /// its `{"type":"error.list","request_id":..,"errors":[{"code","message"}]}` body (the first
    /// error); a body that is not JSON gives `code` `http_<status>` and its first characters.
    #[error(
        "Intercom answered HTTP {status} {code}: {message} (request_id: {}){}",
        request_id.as_deref().unwrap_or("none"),
        status_hint(*status)
    )]
    Api {
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
    },
    /// No response: timeout, connection refused or dropped, DNS.
    #[error(
        "Intercom request {method} {path} got no response ({kind}): {reason}; check network \
         access to the Intercom API (INTERCOM_API_BASE) and Intercom's status page"
    )]
    Transport {
        method: String,
        path: String,
        kind: TransportKind,
        reason: String,
    },
    /// A success response whose body is not the documented shape.
    #[error(
        "Intercom response to {method} {path} is not the expected shape: {reason}; check \
         INTERCOM_VERSION (this product is built against 2.11)"
    )]
    Decode {
        method: String,
        path: String,
        reason: String,
    },
    /// A search query Intercom would refuse (RULES.md §3 limits), caught before any HTTP call.
    #[error("invalid Intercom search query: {reason}")]
    InvalidQuery { reason: String },
    /// A request argument that cannot be sent, e.g. an empty contact id; no HTTP call was made.
    #[error("invalid Intercom request: {reason}")]
    InvalidRequest { reason: String },
    /// A client setting that is unusable; `variable` names the environment variable to fix.
    #[error("configuration {variable}: {reason}")]
    Config {
        variable: &'static str,
        reason: String,
    },
    /// A retryable failure (429, 5xx, timeout, connection) persisted through every attempt.
    #[error("Intercom request gave up after {attempts} attempts; last error: {last}")]
    RetriesExhausted {
        attempts: u32,
        last: Box<IntercomError>,
    },
}

/// Why a request got no response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// The configured request timeout elapsed.
    Timeout,
    /// The connection could not be opened (DNS, refused, TLS).
    Connect,
    /// The connection broke while the request or response was in flight.
    Interrupted,
    /// The request could not be built or sent for another reason; not retried.
    Other,
}

impl std::fmt::Display for TransportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TransportKind::Timeout => "timeout",
            TransportKind::Connect => "connection failed",
            TransportKind::Interrupted => "connection interrupted",
            TransportKind::Other => "request failed",
        })
    }
}

impl IntercomError {
    /// The HTTP status Intercom answered, looking through [`IntercomError::RetriesExhausted`].
    pub fn status(&self) -> Option<u16> {
        match self.innermost() {
            IntercomError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Intercom's error code (e.g. `not_found`, `parameter_invalid`), for run summaries.
    pub fn code(&self) -> Option<&str> {
        match self.innermost() {
            IntercomError::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Intercom's `request_id`, to quote to Intercom support.
    pub fn request_id(&self) -> Option<&str> {
        match self.innermost() {
            IntercomError::Api { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether another attempt may succeed: 429, 5xx, timeouts and connection errors
    /// (RULES.md §3). Other 4xx never are.
    pub fn is_retryable(&self) -> bool {
        match self {
            IntercomError::Api { status, .. } => *status == 429 || *status >= 500,
            IntercomError::Transport { kind, .. } => *kind != TransportKind::Other,
            _ => false,
        }
    }

    fn innermost(&self) -> &IntercomError {
        match self {
            IntercomError::RetriesExhausted { last, .. } => last.innermost(),
            other => other,
        }
    }
}

/// Builds [`IntercomError::Api`] from a non-success response body. Intercom's `error.list` gives
/// the first error's code and message; any other body (a proxy's HTML page, an empty body) keeps
/// its first 300 characters as the message. `header_request_id` (the `X-Request-Id` response
/// header) is used when the body carries none.
pub(crate) fn api_error(
    status: u16,
    body: &[u8],
    header_request_id: Option<String>,
) -> IntercomError {
    #[derive(serde::Deserialize)]
    struct ErrorList {
        #[serde(default)]
        request_id: Option<String>,
        #[serde(default)]
        errors: Vec<ErrorItem>,
    }
    #[derive(serde::Deserialize)]
    struct ErrorItem {
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        message: Option<String>,
    }

    let (code, message, request_id) = match serde_json::from_slice::<ErrorList>(body) {
        Ok(list) => {
            let first = list.errors.into_iter().next();
            let code = first.as_ref().and_then(|e| e.code.clone());
            let message = first.and_then(|e| e.message);
            (code, message, list.request_id)
        }
        Err(_) => (None, None, None),
    };
    let message = message.unwrap_or_else(|| {
        let text = String::from_utf8_lossy(body);
        let text: String = text.trim().chars().take(300).collect();
        if text.is_empty() {
            "(empty body)".to_owned()
        } else {
            text
        }
    });
    IntercomError::Api {
        status,
        code: code.unwrap_or_else(|| format!("http_{status}")),
        message,
        request_id: request_id.or(header_request_id),
    }
}

/// What the on-call engineer should check for a status.
fn status_hint(status: u16) -> &'static str {
    match status {
        401 => {
            " — the access token is missing, invalid or revoked: check the secret named by \
             INTERCOM_TOKEN_SECRET_ID (or INTERCOM_ACCESS_TOKEN locally)"
        }
        403 => " — the token's Intercom app lacks the permission this endpoint needs",
        404 => " — the object does not exist in this workspace (deleted or merged?)",
        429 => " — Intercom's rate limit was exceeded",
        s if s >= 500 => " — Intercom-side failure; usually transient, retry later",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> IntercomError {
        IntercomError::Api {
            status,
            code: "c".into(),
            message: "m".into(),
            request_id: Some("r".into()),
        }
    }

    #[test]
    fn only_429_5xx_and_lost_connections_are_retryable() {
        for (status, retry) in [
            (400, false),
            (401, false),
            (404, false),
            (409, false),
            (422, false),
            (429, true),
            (500, true),
            (503, true),
        ] {
            assert_eq!(api(status).is_retryable(), retry, "status {status}");
        }
        let transport = |kind| IntercomError::Transport {
            method: "GET".into(),
            path: "/admins".into(),
            kind,
            reason: "x".into(),
        };
        assert!(transport(TransportKind::Timeout).is_retryable());
        assert!(transport(TransportKind::Connect).is_retryable());
        assert!(transport(TransportKind::Interrupted).is_retryable());
        assert!(!transport(TransportKind::Other).is_retryable());
        assert!(!IntercomError::InvalidQuery { reason: "x".into() }.is_retryable());
    }

    #[test]
    fn accessors_look_through_retries_exhausted() {
        let e = IntercomError::RetriesExhausted {
            attempts: 6,
            last: Box::new(api(503)),
        };
        assert_eq!(e.status(), Some(503));
        assert_eq!(e.code(), Some("c"));
        assert_eq!(e.request_id(), Some("r"));
        assert!(e.to_string().contains("6 attempts"));
    }

    #[test]
    fn error_list_keeps_code_and_request_id() {
        let body = br#"{"type":"error.list","request_id":"req-1","errors":[{"code":"parameter_invalid","message":"Bad field"},{"code":"x"}]}"#;
        match api_error(400, body, Some("header-id".into())) {
            IntercomError::Api {
                status,
                code,
                message,
                request_id,
            } => {
                assert_eq!(
                    (status, code.as_str(), message.as_str()),
                    (400, "parameter_invalid", "Bad field")
                );
                assert_eq!(request_id.as_deref(), Some("req-1"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn non_json_bodies_are_tolerated() {
        match api_error(502, b"<html>Bad Gateway</html>", Some("hdr".into())) {
            IntercomError::Api {
                code,
                message,
                request_id,
                ..
            } => {
                assert_eq!(code, "http_502");
                assert_eq!(message, "<html>Bad Gateway</html>");
                assert_eq!(request_id.as_deref(), Some("hdr"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(api_error(503, b"", None), IntercomError::Api { message, .. } if message == "(empty body)")
        );
    }

    #[test]
    fn unauthorized_tells_where_the_token_comes_from() {
        let text = api(401).to_string();
        assert!(text.contains("INTERCOM_TOKEN_SECRET_ID"), "{text}");
        assert!(text.contains("request_id: r"), "{text}");
    }
}
