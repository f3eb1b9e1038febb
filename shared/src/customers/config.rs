//! Configuration of customer sync, read once from the environment.
//!
//! | variable | shape | default |
//! |---|---|---|
//! | `CANCEL_KEYWORDS` | comma-separated keywords | `customers::rules::keywords::DEFAULT_KEYWORDS` |
//! | `CUSTOMER_SYNC_TIME_BUDGET_SECONDS` | whole seconds, 1 or more | 720 |

use std::time::Duration;

use crate::config::ConfigError;
use crate::customers::rules::keywords::KeywordMatcher;

/// Default time budget of one run: under Lambda's 15 minutes, with room to commit and post.
pub const DEFAULT_TIME_BUDGET: Duration = Duration::from_secs(12 * 60);

/// Everything configurable about customer sync.
#[derive(Debug, Clone)]
pub struct Config {
    /// The cancel keywords (§2, `mentioned_cancel`).
    pub keywords: KeywordMatcher,
    /// Time after which a run stops starting batches and returns `complete: false`.
    pub time_budget: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            keywords: KeywordMatcher::default(),
            time_budget: DEFAULT_TIME_BUDGET,
        }
    }
}

impl Config {
    /// From the process environment; see [`Config::from_lookup`].
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Through `lookup` (name → value); unset or blank variables keep their defaults.
    ///
    /// Errors: [`ConfigError`] naming the variable.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let mut config = Self::default();
        if let Some(raw) = get("CANCEL_KEYWORDS") {
            let words: Vec<&str> = raw.split(',').collect();
            config.keywords = KeywordMatcher::new(&words).map_err(|reason| ConfigError {
                variable: "CANCEL_KEYWORDS",
                reason,
            })?;
        }
        if let Some(raw) = get("CUSTOMER_SYNC_TIME_BUDGET_SECONDS") {
            let secs = raw
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| ConfigError {
                    variable: "CUSTOMER_SYNC_TIME_BUDGET_SECONDS",
                    reason: format!("{raw:?} is not a whole number of seconds, 1 or more"),
                })?;
            config.time_budget = Duration::from_secs(secs);
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_refuses() {
        let c = Config::from_lookup(|_| None).unwrap();
        assert_eq!(
            c.keywords.keywords().len(),
            crate::customers::rules::keywords::DEFAULT_KEYWORDS.len()
        );
        assert_eq!(c.time_budget, DEFAULT_TIME_BUDGET);
        let c = Config::from_lookup(|k| match k {
            "CANCEL_KEYWORDS" => Some("downgrade, refund".into()),
            "CUSTOMER_SYNC_TIME_BUDGET_SECONDS" => Some("60".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.keywords.keywords(), ["downgrade", "refund"]);
        assert_eq!(c.time_budget, Duration::from_secs(60));
        for (var, raw) in [
            ("CANCEL_KEYWORDS", " , "),
            ("CUSTOMER_SYNC_TIME_BUDGET_SECONDS", "0"),
            ("CUSTOMER_SYNC_TIME_BUDGET_SECONDS", "ten"),
        ] {
            let err = Config::from_lookup(|k| (k == var).then(|| raw.to_string())).unwrap_err();
            assert_eq!(err.variable, var);
        }
    }
}
