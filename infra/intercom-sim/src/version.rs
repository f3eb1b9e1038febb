//! The `Intercom-Version` request header.

use axum::http::{HeaderMap, StatusCode};

use crate::error::ApiError;

/// An API version as `(major, minor)`; `Preview`/`Unstable` rank above every number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiVersion(u16, u16);

impl ApiVersion {
    /// What Intercom assumes without a header (the app's default; 2.11 for this program).
    pub const DEFAULT: ApiVersion = ApiVersion(2, 11);
    /// From this version on, unassigned assignees are `0`, `owner_id` is a string and
    /// `priority` uses `none`/`low`/.. instead of `not_priority`/`priority`.
    pub const MODERN: ApiVersion = ApiVersion(2, 12);
    /// From this version on, `GET /conversations/{id}` carries `statistics.handling_time` and
    /// `adjusted_handling_time`, parts carry `state` and `tags`, and part authors carry
    /// `from_ai_agent` and `is_ai_answer` (Intercom's 2.13 changelog; absent from the 2.11 and
    /// 2.12 descriptions, present in 2.15 and 2.16).
    pub const REPORTING: ApiVersion = ApiVersion(2, 13);

    /// Reads the header; an unknown value is a 400 `intercom_version_invalid`.
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, ApiError> {
        let Some(raw) = headers.get("intercom-version") else {
            return Ok(Self::DEFAULT);
        };
        let text = raw.to_str().unwrap_or("").trim();
        Self::parse(text).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "intercom_version_invalid",
                format!("Intercom-Version '{text}' is not a valid API version"),
            )
        })
    }

    fn parse(text: &str) -> Option<Self> {
        if text.eq_ignore_ascii_case("preview") || text.eq_ignore_ascii_case("unstable") {
            return Some(ApiVersion(u16::MAX, 0));
        }
        let (major, minor) = text.split_once('.')?;
        let v = ApiVersion(major.parse().ok()?, minor.parse().ok()?);
        (ApiVersion(1, 0)..=ApiVersion(2, 99))
            .contains(&v)
            .then_some(v)
    }

    pub fn is_modern(self) -> bool {
        self >= Self::MODERN
    }

    /// Whether this version has the 2.13 reporting fields (see [`ApiVersion::REPORTING`]).
    pub fn has_reporting_fields(self) -> bool {
        self >= Self::REPORTING
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_numbers_and_preview() {
        assert_eq!(ApiVersion::parse("2.16"), Some(ApiVersion(2, 16)));
        assert!(ApiVersion::parse("2.9").unwrap() < ApiVersion::DEFAULT);
        assert!(ApiVersion::parse("Preview").unwrap().is_modern());
        assert!(!ApiVersion::parse("2.11").unwrap().is_modern());
        assert_eq!(ApiVersion::parse("two"), None);
        assert!(!ApiVersion::parse("2.12").unwrap().has_reporting_fields());
        assert!(ApiVersion::parse("2.13").unwrap().has_reporting_fields());
        assert!(ApiVersion::parse("2.16").unwrap().has_reporting_fields());
    }
}
