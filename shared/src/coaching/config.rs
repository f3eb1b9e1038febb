//! Configuration of the coaching rules: attribute names, conversation classes, referral mapping and the
//! reporting time zone (RULES.md §1, §2, §4, §7), read once from the environment.

use std::collections::BTreeMap;

use crate::config::{json, time_zone, ConfigError};
use chrono_tz::Tz;

/// Names of the custom attributes the product reads and writes (RULES.md §1).
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeNames {
    pub enrolled_date: String,
    pub registration_date: String,
    pub next_coaching_session: String,
    pub last_coaching_session: String,
    pub last_call: String,
    pub first_session_date: String,
    pub engagement_status: String,
    pub engagement_status_date: String,
    pub referral: String,
    pub eligible_programs: String,
    pub employer: String,
    pub registration_code: String,
    pub date_of_birth: String,
    /// Conversation attribute.
    pub channel: String,
    /// Conversation attribute.
    pub service_code: String,
}

impl Default for AttributeNames {
    fn default() -> Self {
        Self {
            enrolled_date: "Enrolled Date".into(),
            registration_date: "Registration Date".into(),
            next_coaching_session: "Next Coaching Session".into(),
            last_coaching_session: "Last Coaching Session".into(),
            last_call: "Last Call".into(),
            first_session_date: "First Session Date".into(),
            engagement_status: "Engagement Status".into(),
            engagement_status_date: "Engagement Status Date".into(),
            referral: "Referral".into(),
            eligible_programs: "Eligible Programs".into(),
            employer: "Employer".into(),
            registration_code: "Registration Code".into(),
            date_of_birth: "Date of Birth".into(),
            channel: "Channel".into(),
            service_code: "Service Code".into(),
        }
    }
}

impl AttributeNames {
    fn slot(&mut self, default_name: &str) -> Option<&mut String> {
        Some(match default_name {
            "Enrolled Date" => &mut self.enrolled_date,
            "Registration Date" => &mut self.registration_date,
            "Next Coaching Session" => &mut self.next_coaching_session,
            "Last Coaching Session" => &mut self.last_coaching_session,
            "Last Call" => &mut self.last_call,
            "First Session Date" => &mut self.first_session_date,
            "Engagement Status" => &mut self.engagement_status,
            "Engagement Status Date" => &mut self.engagement_status_date,
            "Referral" => &mut self.referral,
            "Eligible Programs" => &mut self.eligible_programs,
            "Employer" => &mut self.employer,
            "Registration Code" => &mut self.registration_code,
            "Date of Birth" => &mut self.date_of_birth,
            "Channel" => &mut self.channel,
            "Service Code" => &mut self.service_code,
            _ => return None,
        })
    }
}

/// The value sets that define the conversation classes of RULES.md §4 (exact string match).
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationClasses {
    /// Channels of a coaching session. Default: Phone, Video Conference, Email, Chat.
    pub coaching_channels: Vec<String>,
    /// Channels of a qualifying coaching call. Default: Phone, Video Conference.
    pub qualifying_channels: Vec<String>,
    /// Service codes of a qualifying coaching call. Default: Health Coaching 001, Disease Management 002.
    pub qualifying_service_codes: Vec<String>,
    /// Channels of a billing call. Default: Phone, Video Conference.
    pub billing_channels: Vec<String>,
    /// The channel of a phone call. Default: Phone.
    pub phone_channel: String,
}

impl Default for ConversationClasses {
    fn default() -> Self {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        Self {
            coaching_channels: v(&["Phone", "Video Conference", "Email", "Chat"]),
            qualifying_channels: v(&["Phone", "Video Conference"]),
            qualifying_service_codes: v(&["Health Coaching 001", "Disease Management 002"]),
            billing_channels: v(&["Phone", "Video Conference"]),
            phone_channel: "Phone".into(),
        }
    }
}

/// Everything configurable about the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub attributes: AttributeNames,
    pub classes: ConversationClasses,
    /// `Referral` value → `Eligible Programs` value (RULES.md §7).
    pub referral_programs: BTreeMap<String, String>,
    /// The reporting time zone (RULES.md §2).
    pub reporting_tz: Tz,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            attributes: AttributeNames::default(),
            classes: ConversationClasses::default(),
            referral_programs: BTreeMap::from([("Counter Health".into(), "Smart Access".into())]),
            reporting_tz: chrono_tz::America::New_York,
        }
    }
}

impl Config {
    /// Reads the configuration from the process environment; see [`Config::from_lookup`].
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the configuration through `lookup` (variable name → value). Unset variables keep
    /// their defaults:
    ///
    /// | variable | shape |
    /// |---|---|
    /// | `REPORTING_TIME_ZONE` | IANA name |
    /// | `ATTRIBUTE_NAMES` | JSON object, default attribute name → name in this workspace |
    /// | `COACHING_CHANNELS`, `QUALIFYING_CHANNELS`, `QUALIFYING_SERVICE_CODES`, `BILLING_CHANNELS` | JSON array of strings |
    /// | `PHONE_CHANNEL` | string |
    /// | `REFERRAL_PROGRAMS` | JSON object, Referral → Eligible Programs |
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut config = Config::default();
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        if let Some(tz) = get("REPORTING_TIME_ZONE") {
            config.reporting_tz = time_zone("REPORTING_TIME_ZONE", &tz)?;
        }
        if let Some(raw) = get("ATTRIBUTE_NAMES") {
            let names: BTreeMap<String, String> = json("ATTRIBUTE_NAMES", &raw)?;
            for (default_name, actual) in names {
                let slot = config
                    .attributes
                    .slot(&default_name)
                    .ok_or_else(|| ConfigError {
                        variable: "ATTRIBUTE_NAMES",
                        reason: format!("{default_name:?} is not one of the product's attributes"),
                    })?;
                *slot = actual;
            }
        }
        let classes = &mut config.classes;
        for (var, slot) in [
            ("COACHING_CHANNELS", &mut classes.coaching_channels),
            ("QUALIFYING_CHANNELS", &mut classes.qualifying_channels),
            (
                "QUALIFYING_SERVICE_CODES",
                &mut classes.qualifying_service_codes,
            ),
            ("BILLING_CHANNELS", &mut classes.billing_channels),
        ] {
            if let Some(raw) = get(var) {
                *slot = json(var, &raw)?;
            }
        }
        if let Some(phone) = get("PHONE_CHANNEL") {
            classes.phone_channel = phone;
        }
        if let Some(raw) = get("REFERRAL_PROGRAMS") {
            config.referral_programs = json("REFERRAL_PROGRAMS", &raw)?;
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_when_nothing_is_set() {
        assert_eq!(from(&[]).unwrap(), Config::default());
    }

    #[test]
    fn overrides_apply() {
        let c = from(&[
            ("REPORTING_TIME_ZONE", "Europe/London"),
            ("ATTRIBUTE_NAMES", r#"{"Enrolled Date": "Enrollment Date"}"#),
            ("QUALIFYING_CHANNELS", r#"["Phone"]"#),
            ("REFERRAL_PROGRAMS", r#"{"A": "B"}"#),
        ])
        .unwrap();
        assert_eq!(c.reporting_tz, chrono_tz::Europe::London);
        assert_eq!(c.attributes.enrolled_date, "Enrollment Date");
        assert_eq!(c.classes.qualifying_channels, vec!["Phone".to_string()]);
        assert_eq!(c.referral_programs.get("A").map(String::as_str), Some("B"));
    }

    #[test]
    fn bad_values_name_the_variable() {
        assert_eq!(
            from(&[("REPORTING_TIME_ZONE", "Mars/Base")])
                .unwrap_err()
                .variable,
            "REPORTING_TIME_ZONE"
        );
        assert_eq!(
            from(&[("ATTRIBUTE_NAMES", r#"{"Nope": "x"}"#)])
                .unwrap_err()
                .variable,
            "ATTRIBUTE_NAMES"
        );
        assert_eq!(
            from(&[("BILLING_CHANNELS", "Phone")]).unwrap_err().variable,
            "BILLING_CHANNELS"
        );
    }
}
