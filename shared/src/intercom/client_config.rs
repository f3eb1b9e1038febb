//! Settings of the Intercom client, read from the environment once.

use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use super::error::IntercomError;
use super::retry::RetryPolicy;

/// Intercom's US region; EU is `https://api.eu.intercom.io`, Australia `https://api.au.intercom.io`.
pub const DEFAULT_BASE_URL: &str = "https://api.intercom.io";
/// The `Intercom-Version` this product is built against (RULES.md §3).
pub const DEFAULT_VERSION: &str = "2.11";
/// Per-request timeout, connection to last byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How the client reaches Intercom. `Debug` shows the token as `[REDACTED]`.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// API root, e.g. `https://api.eu.intercom.io/`; always ends with `/`.
    pub base_url: Url,
    /// Sent as the `Intercom-Version` header.
    pub version: String,
    /// The workspace's access token, sent as `Authorization: Bearer`.
    pub token: SecretString,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries after the first attempt of each request; see [`RetryPolicy`].
    pub max_retries: u32,
    /// Backoff before the first retry and the longest backoff.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
}

impl ClientConfig {
    /// The defaults: US region, version 2.11, 30 s timeout, 5 retries from 200 ms up to 10 s.
    pub fn new(token: SecretString) -> Self {
        let retry = RetryPolicy::default();
        Self {
            base_url: Url::parse(DEFAULT_BASE_URL).expect("the default base URL parses"),
            version: DEFAULT_VERSION.to_owned(),
            token,
            timeout: DEFAULT_TIMEOUT,
            max_retries: retry.max_retries,
            backoff_base: retry.base_delay,
            backoff_max: retry.max_delay,
        }
    }

    /// The defaults, overridden by `INTERCOM_API_BASE` (any http(s) URL, trailing slash or not)
    /// and `INTERCOM_VERSION`; see [`ClientConfig::from_lookup`].
    pub fn from_env(token: SecretString) -> Result<Self, IntercomError> {
        Self::from_lookup(token, |k| std::env::var(k).ok())
    }

    /// As [`ClientConfig::from_env`], reading variables through `lookup`. Empty values count as
    /// unset; unusable ones give [`IntercomError::Config`] naming the variable.
    pub fn from_lookup(
        token: SecretString,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, IntercomError> {
        let mut config = Self::new(token);
        let get = |k: &str| {
            lookup(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        if let Some(raw) = get("INTERCOM_API_BASE") {
            config.base_url = parse_base_url(&raw).map_err(|reason| IntercomError::Config {
                variable: "INTERCOM_API_BASE",
                reason,
            })?;
        }
        if let Some(version) = get("INTERCOM_VERSION") {
            if !version.chars().all(|c| c.is_ascii_graphic()) {
                return Err(IntercomError::Config {
                    variable: "INTERCOM_VERSION",
                    reason: format!("{version:?} is not a version such as 2.11"),
                });
            }
            config.version = version;
        }
        Ok(config)
    }

    /// The retry settings as a policy.
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_retries: self.max_retries,
            base_delay: self.backoff_base,
            max_delay: self.backoff_max,
        }
    }
}

/// Parses an API root: http or https, a host, no query or fragment; a path prefix is kept (for
/// proxies and simulators) and always ends with `/`.
pub fn parse_base_url(raw: &str) -> Result<Url, String> {
    let mut url = Url::parse(raw.trim())
        .map_err(|e| format!("{raw:?} is not a URL ({e}); expected e.g. {DEFAULT_BASE_URL}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{raw:?} must be an http or https URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{raw:?} has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{raw:?} must not have a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the URL must not embed credentials".to_owned());
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<ClientConfig, IntercomError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ClientConfig::from_lookup("tok".into(), |k| {
            pairs
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn defaults_when_unset_or_empty() {
        for c in [
            from(&[]).unwrap(),
            from(&[("INTERCOM_API_BASE", " "), ("INTERCOM_VERSION", "")]).unwrap(),
        ] {
            assert_eq!(c.base_url.as_str(), "https://api.intercom.io/");
            assert_eq!(c.version, "2.11");
            assert_eq!(c.max_retries, 5);
        }
    }

    #[test]
    fn regional_and_local_bases_are_accepted() {
        for (raw, expected) in [
            ("https://api.eu.intercom.io", "https://api.eu.intercom.io/"),
            ("https://api.au.intercom.io/", "https://api.au.intercom.io/"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
            (
                "http://127.0.0.1:8080/intercom",
                "http://127.0.0.1:8080/intercom/",
            ),
        ] {
            let c = from(&[("INTERCOM_API_BASE", raw), ("INTERCOM_VERSION", "2.16")]).unwrap();
            assert_eq!(c.base_url.as_str(), expected);
            assert_eq!(c.version, "2.16");
        }
    }

    #[test]
    fn bad_values_name_the_variable() {
        for raw in [
            "api.intercom.io",
            "ftp://api.intercom.io",
            "https://",
            "https://x/?a=1",
            "https://u:p@x",
        ] {
            match from(&[("INTERCOM_API_BASE", raw)]) {
                Err(IntercomError::Config { variable, .. }) => {
                    assert_eq!(variable, "INTERCOM_API_BASE", "{raw}")
                }
                other => panic!("{raw}: {other:?}"),
            }
        }
        assert!(matches!(
            from(&[("INTERCOM_VERSION", "2 .11")]),
            Err(IntercomError::Config {
                variable: "INTERCOM_VERSION",
                ..
            })
        ));
    }
}
