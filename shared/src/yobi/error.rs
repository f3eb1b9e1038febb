//! Everything that can go wrong talking to Yobi. No variant holds the email, password or
//! token: requests are described by method and path, upstream text is scrubbed.

/// A Yobi client error.
#[derive(Debug, thiserror::Error)]
pub enum YobiError {
    /// Yobi answered with a non-success status; `code` and `detail` from its
    /// `{"detail", "code"}` body (`http_<status>` and the body's start otherwise).
    #[error("Yobi answered HTTP {status} {code} to {method} {path}: {detail}")]
    Api {
        status: u16,
        method: String,
        path: String,
        code: String,
        detail: String,
    },
    /// A field the ranker needs is absent from an answer (e.g. the endpoint serves no
    /// `daily` buckets, or no new-patient count). `field` lists the names accepted.
    #[error("Yobi {endpoint} answered without {field}; the ranker cannot score without it")]
    MissingField { endpoint: String, field: String },
    /// No response: timeout, connection refused or dropped.
    #[error("Yobi request {method} {path} got no response: {reason}; check YOBI_API_BASE")]
    Transport {
        method: String,
        path: String,
        reason: String,
    },
    /// A success answer that is not JSON or has a field of the wrong type.
    #[error("Yobi response to {method} {path} is not the expected shape: {reason}")]
    Decode {
        method: String,
        path: String,
        reason: String,
    },
    /// An unusable setting; `variable` names the environment variable to fix.
    #[error("configuration {variable}: {reason}")]
    Config {
        variable: &'static str,
        reason: String,
    },
    /// A retryable failure (429, 5xx, no response) persisted.
    #[error("Yobi request gave up after {attempts} attempts; last error: {last}")]
    RetriesExhausted { attempts: u32, last: Box<YobiError> },
}

impl YobiError {
    /// The HTTP status, looking through retries.
    pub fn status(&self) -> Option<u16> {
        match self {
            YobiError::Api { status, .. } => Some(*status),
            YobiError::RetriesExhausted { last, .. } => last.status(),
            _ => None,
        }
    }

    /// Yobi's `code` (`token_expired`, `invalid_credentials`, `throttled`, ...).
    pub fn code(&self) -> Option<&str> {
        match self {
            YobiError::Api { code, .. } => Some(code),
            YobiError::RetriesExhausted { last, .. } => last.code(),
            _ => None,
        }
    }

    /// 429, 5xx and no response may pass.
    pub fn is_retryable(&self) -> bool {
        match self {
            YobiError::Api { status, .. } => *status == 429 || *status >= 500,
            YobiError::Transport { .. } => true,
            _ => false,
        }
    }
}

/// Reads Yobi's `{"detail", "code"}` error body.
pub(crate) fn api_error(status: u16, method: &str, path: &str, body: &[u8]) -> YobiError {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |k: &str| {
        json.as_ref()
            .and_then(|j| j.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    YobiError::Api {
        status,
        method: method.to_owned(),
        path: path.to_owned(),
        code: field("code").unwrap_or_else(|| format!("http_{status}")),
        detail: field("detail").unwrap_or_else(|| {
            String::from_utf8_lossy(body)
                .trim()
                .chars()
                .take(300)
                .collect()
        }),
    }
}
