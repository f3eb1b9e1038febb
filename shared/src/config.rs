//! Platform configuration helpers: the error every configuration reader returns, and time zones
//! and JSON values read from environment variables. Each system keeps its own settings in its folder
//! (the coaching system's in [`crate::coaching::config`]).

use chrono_tz::Tz;
use serde::de::DeserializeOwned;

/// A configuration variable that is set but unusable.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("configuration {variable}: {reason}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub reason: String,
}

/// Parses the value of the environment variable `variable` as an IANA time zone name
/// (`America/New_York`), ignoring surrounding spaces.
///
/// Errors: [`ConfigError`] naming `variable`.
pub fn time_zone(variable: &'static str, raw: &str) -> Result<Tz, ConfigError> {
    raw.trim().parse().map_err(|_| ConfigError {
        variable,
        reason: format!("{raw:?} is not an IANA time zone name"),
    })
}

/// Parses the value of the environment variable `variable` as JSON of type `T`.
///
/// Errors: [`ConfigError`] naming `variable`, with serde's reason.
pub fn json<T: DeserializeOwned>(variable: &'static str, raw: &str) -> Result<T, ConfigError> {
    serde_json::from_str(raw).map_err(|e| ConfigError {
        variable,
        reason: format!("not valid JSON of the expected shape: {e}"),
    })
}
