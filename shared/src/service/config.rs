//! Configuration of the service-performance system (SERVICE-PERFORMANCE.md §2, §4): the
//! reporting time zone and the FRT / ART targets, read once from the environment.

use chrono_tz::Tz;

use crate::config::{time_zone, ConfigError};

/// Default `REPORTING_TIME_ZONE`.
pub const DEFAULT_REPORTING_TZ: Tz = chrono_tz::America::New_York;
/// Default `FRT_TARGET_SECONDS`: a first response within a minute is on target.
pub const DEFAULT_FRT_TARGET_SECONDS: i64 = 60;
/// Default `ART_TARGET_SECONDS`: a mean reply gap within two minutes is on target.
pub const DEFAULT_ART_TARGET_SECONDS: i64 = 120;

/// Everything configurable about the service rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Zone in which conversations are dated by their start (§2).
    pub reporting_tz: Tz,
    /// FRT at or under this many seconds counts toward `frt_hit_rate` (§4).
    pub frt_target_seconds: i64,
    /// ART at or under this many seconds counts toward `art_hit_rate` (§4).
    pub art_target_seconds: i64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            reporting_tz: DEFAULT_REPORTING_TZ,
            frt_target_seconds: DEFAULT_FRT_TARGET_SECONDS,
            art_target_seconds: DEFAULT_ART_TARGET_SECONDS,
        }
    }
}

impl Config {
    /// Reads the configuration from the process environment; see [`Config::from_lookup`].
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the configuration through `lookup` (variable name → value). Unset or blank
    /// variables keep their defaults:
    ///
    /// | variable | shape | default |
    /// |---|---|---|
    /// | `REPORTING_TIME_ZONE` | IANA name | `America/New_York` |
    /// | `FRT_TARGET_SECONDS` | whole seconds, 1 or more | 60 |
    /// | `ART_TARGET_SECONDS` | whole seconds, 1 or more | 120 |
    ///
    /// Errors: [`ConfigError`] naming the variable.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let mut config = Config::default();
        if let Some(tz) = get("REPORTING_TIME_ZONE") {
            config.reporting_tz = time_zone("REPORTING_TIME_ZONE", &tz)?;
        }
        if let Some(raw) = get("FRT_TARGET_SECONDS") {
            config.frt_target_seconds = seconds("FRT_TARGET_SECONDS", &raw)?;
        }
        if let Some(raw) = get("ART_TARGET_SECONDS") {
            config.art_target_seconds = seconds("ART_TARGET_SECONDS", &raw)?;
        }
        Ok(config)
    }
}

/// A target in whole seconds: an integer of at least 1.
fn seconds(variable: &'static str, raw: &str) -> Result<i64, ConfigError> {
    match raw.trim().parse::<i64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(ConfigError {
            variable,
            reason: format!("{raw:?} is not a whole number of seconds of at least 1"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_when_nothing_or_blanks_are_set() {
        let want = Config {
            reporting_tz: chrono_tz::America::New_York,
            frt_target_seconds: 60,
            art_target_seconds: 120,
        };
        assert_eq!(from(&[]).unwrap(), want);
        assert_eq!(
            from(&[("REPORTING_TIME_ZONE", " "), ("FRT_TARGET_SECONDS", "")]).unwrap(),
            want
        );
    }

    #[test]
    fn overrides_apply() {
        let c = from(&[
            ("REPORTING_TIME_ZONE", " Europe/London "),
            ("FRT_TARGET_SECONDS", "30"),
            ("ART_TARGET_SECONDS", " 300 "),
        ])
        .unwrap();
        assert_eq!(c.reporting_tz, chrono_tz::Europe::London);
        assert_eq!((c.frt_target_seconds, c.art_target_seconds), (30, 300));
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (var, raw) in [
            ("REPORTING_TIME_ZONE", "Mars/Base"),
            ("FRT_TARGET_SECONDS", "0"),
            ("FRT_TARGET_SECONDS", "-5"),
            ("FRT_TARGET_SECONDS", "1m"),
            ("ART_TARGET_SECONDS", "2.5"),
        ] {
            let err = from(&[(var, raw)]).unwrap_err();
            assert_eq!(err.variable, var, "{raw}");
            assert!(err.reason.contains(raw), "{}", err.reason);
        }
    }
}
