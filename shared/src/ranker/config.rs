//! Configuration of the engagement ranker (ENGAGEMENT-RANKER.md §2–§5, §9), read once from the
//! environment. The secrets and API bases belong to the clients (`hubspot`, `yobi`, `notify`).

use std::collections::{BTreeMap, BTreeSet};

use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::Value;

use super::rules::identity::IdentityRules;
use super::rules::normalize::normalize_domain;
use super::rules::properties::PropertyNames;
use crate::config::ConfigError;

/// The ranker's zone (§1): weeks are New York weeks, Yobi's buckets New York dates.
pub const ZONE: Tz = chrono_tz::America::New_York;
/// `GENERIC_EMAIL_DOMAINS` when unset.
pub const DEFAULT_GENERIC_EMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "aol.com",
    "icloud.com",
];
/// `INTERNAL_YOBI_USER_EMAIL_DOMAINS` when unset: Yobi's own staff.
pub const DEFAULT_INTERNAL_DOMAINS: &[&str] = &["yib.io"];

pub const OVERRIDES_VARIABLE: &str = "TENANT_MAPPING_OVERRIDES_JSON";
pub const GENERIC_VARIABLE: &str = "GENERIC_EMAIL_DOMAINS";
pub const INTERNAL_VARIABLE: &str = "INTERNAL_YOBI_USER_EMAIL_DOMAINS";
pub const EXCLUDE_VARIABLE: &str = "HUBSPOT_COMPANY_EXCLUDE_FILTERS_JSON";
pub const MIN_CALLS_VARIABLE: &str = "MIN_CALLS_30D";

/// One exclusion flag: a company whose `property` equals one of `values` (case-insensitive,
/// trimmed) is left out of the ranking (§2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcludeFilter {
    pub property: String,
    pub values: Vec<String>,
}

impl ExcludeFilter {
    /// Whether `value` (the company's, `None` when unset) matches.
    pub fn matches(&self, value: Option<&str>) -> bool {
        value.is_some_and(|v| {
            self.values
                .iter()
                .any(|x| x.trim().eq_ignore_ascii_case(v.trim()))
        })
    }
}

/// Everything configurable about the ranker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The three engagement properties.
    pub properties: PropertyNames,
    /// `HUBSPOT_COMPANY_EXCLUDE_FILTERS_JSON`: `{"is_internal_test": "true",
    /// "customer_status": "churned"}` by default (property → value or list of values).
    pub exclude: Vec<ExcludeFilter>,
    /// Overrides and generic email domains (`TENANT_MAPPING_OVERRIDES_JSON`,
    /// `GENERIC_EMAIL_DOMAINS`).
    pub identity: IdentityRules,
    /// `INTERNAL_YOBI_USER_EMAIL_DOMAINS`: staff whose calls and tasks do not count.
    pub internal_domains: BTreeSet<String>,
    /// `MIN_CALLS_30D`: tenants with fewer calls over Yobi's last 30 days are inactive (0:
    /// nobody).
    pub min_calls_30d: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            properties: PropertyNames::default(),
            exclude: vec![
                ExcludeFilter {
                    property: "is_internal_test".into(),
                    values: vec!["true".into()],
                },
                ExcludeFilter {
                    property: "customer_status".into(),
                    values: vec!["churned".into()],
                },
            ],
            identity: IdentityRules {
                by_company_id: BTreeMap::new(),
                by_domain: BTreeMap::new(),
                generic_email_domains: DEFAULT_GENERIC_EMAIL_DOMAINS
                    .iter()
                    .map(|d| d.to_string())
                    .collect(),
            },
            internal_domains: DEFAULT_INTERNAL_DOMAINS
                .iter()
                .map(|d| d.to_string())
                .collect(),
            min_calls_30d: 0,
        }
    }
}

impl Config {
    /// Reads the process environment; see [`Config::from_lookup`].
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the configuration through `lookup`. Unset or blank variables keep their defaults:
    ///
    /// | variable | shape | default |
    /// |---|---|---|
    /// | `TENANT_MAPPING_OVERRIDES_JSON` | `{"<company id or domain>": <tenant id as number or string>}` | `{}` |
    /// | `GENERIC_EMAIL_DOMAINS` | JSON array or comma-separated list | gmail, yahoo, outlook, hotmail, aol, icloud (`.com`) |
    /// | `INTERNAL_YOBI_USER_EMAIL_DOMAINS` | JSON array or comma-separated list | `yib.io` |
    /// | `HUBSPOT_COMPANY_EXCLUDE_FILTERS_JSON` | `{"<property>": "<value>" or ["<value>", ...]}` | `{"is_internal_test": "true", "customer_status": "churned"}` |
    /// | `MIN_CALLS_30D` | whole number | 0 |
    ///
    /// Errors: [`ConfigError`] naming the variable.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let mut config = Config::default();
        if let Some(raw) = get(OVERRIDES_VARIABLE) {
            let (by_id, by_domain) = overrides(&raw)?;
            config.identity.by_company_id = by_id;
            config.identity.by_domain = by_domain;
        }
        if let Some(raw) = get(GENERIC_VARIABLE) {
            config.identity.generic_email_domains = domains(GENERIC_VARIABLE, &raw)?;
        }
        if let Some(raw) = get(INTERNAL_VARIABLE) {
            config.internal_domains = domains(INTERNAL_VARIABLE, &raw)?;
        }
        if let Some(raw) = get(EXCLUDE_VARIABLE) {
            config.exclude = exclude_filters(&raw)?;
        }
        if let Some(raw) = get(MIN_CALLS_VARIABLE) {
            config.min_calls_30d = raw.trim().parse().map_err(|_| ConfigError {
                variable: MIN_CALLS_VARIABLE,
                reason: format!("{raw:?} is not a whole number"),
            })?;
        }
        Ok(config)
    }
}

/// Company ids (all digits) and normalised domains → tenant ids.
type Overrides = (BTreeMap<String, u64>, BTreeMap<String, u64>);

fn overrides(raw: &str) -> Result<Overrides, ConfigError> {
    let err = |reason: String| ConfigError {
        variable: OVERRIDES_VARIABLE,
        reason,
    };
    let map: BTreeMap<String, Value> = crate::config::json(OVERRIDES_VARIABLE, raw)?;
    let (mut by_id, mut by_domain) = (BTreeMap::new(), BTreeMap::new());
    for (key, value) in map {
        let tenant = match &value {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| err(format!("{key:?}: {value} is not a tenant id")))?;
        let key = key.trim();
        if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
            by_id.insert(key.to_owned(), tenant);
        } else {
            let domain =
                normalize_domain(key).ok_or_else(|| err(format!("{key:?} is not a domain")))?;
            by_domain.insert(domain, tenant);
        }
    }
    Ok((by_id, by_domain))
}

fn domains(variable: &'static str, raw: &str) -> Result<BTreeSet<String>, ConfigError> {
    let items: Vec<String> = if raw.trim_start().starts_with('[') {
        crate::config::json(variable, raw)?
    } else {
        raw.split(',').map(str::to_owned).collect()
    };
    items
        .iter()
        .filter(|d| !d.trim().is_empty())
        .map(|d| {
            normalize_domain(d.trim().trim_start_matches('@')).ok_or_else(|| ConfigError {
                variable,
                reason: format!("{d:?} is not a domain"),
            })
        })
        .collect()
}

fn exclude_filters(raw: &str) -> Result<Vec<ExcludeFilter>, ConfigError> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Values {
        One(String),
        Many(Vec<String>),
    }
    let map: BTreeMap<String, Values> = crate::config::json(EXCLUDE_VARIABLE, raw)?;
    Ok(map
        .into_iter()
        .map(|(property, values)| ExcludeFilter {
            property,
            values: match values {
                Values::One(v) => vec![v],
                Values::Many(v) => v,
            },
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults() {
        let c = Config::from_lookup(lookup(&[])).unwrap();
        assert_eq!(c, Config::default());
        assert!(c.identity.generic_email_domains.contains("icloud.com"));
        assert_eq!(c.min_calls_30d, 0);
    }

    #[test]
    fn every_variable() {
        let c = Config::from_lookup(lookup(&[
            (
                OVERRIDES_VARIABLE,
                r#"{"123": 45, "https://www.Old.com/": "67"}"#,
            ),
            (GENERIC_VARIABLE, "gmail.com, proton.me"),
            (INTERNAL_VARIABLE, r#"["@yib.io", "yobi.dev"]"#),
            (
                EXCLUDE_VARIABLE,
                r#"{"is_internal_test": "true", "customer_status": ["churned", "paused"]}"#,
            ),
            (MIN_CALLS_VARIABLE, "10"),
        ]))
        .unwrap();
        assert_eq!(
            c.identity.by_company_id,
            BTreeMap::from([("123".into(), 45)])
        );
        assert_eq!(
            c.identity.by_domain,
            BTreeMap::from([("old.com".into(), 67)])
        );
        assert_eq!(
            c.identity.generic_email_domains,
            BTreeSet::from(["gmail.com".into(), "proton.me".into()])
        );
        assert_eq!(
            c.internal_domains,
            BTreeSet::from(["yib.io".into(), "yobi.dev".into()])
        );
        assert!(c.exclude[0].matches(Some("Churned")));
        assert!(c.exclude[0].matches(Some("paused")));
        assert!(!c.exclude[0].matches(None));
        assert_eq!(c.min_calls_30d, 10);
    }

    #[test]
    fn errors_name_the_variable() {
        for (var, raw) in [
            (OVERRIDES_VARIABLE, "{\"1\": true}"),
            (OVERRIDES_VARIABLE, "[1]"),
            (EXCLUDE_VARIABLE, "{\"a\": 1}"),
            (MIN_CALLS_VARIABLE, "-1"),
            (INTERNAL_VARIABLE, "[\"https://\"]"),
        ] {
            let e = Config::from_lookup(lookup(&[(var, raw)])).unwrap_err();
            assert_eq!(e.variable, var, "{raw}");
        }
    }
}
