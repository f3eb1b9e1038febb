//! The conversation classes of RULES.md §4, decided here and nowhere else.
//!
//! `Channel` is `conversation.custom_attributes[<Channel>]` and `Service Code` is
//! `conversation.custom_attributes[<Service Code>]` (names from [`crate::config::AttributeNames`]);
//! both are matched exactly against the value sets of [`crate::config::ConversationClasses`].

use crate::coaching::config::Config;
use crate::intercom::models::{Conversation, ConversationState};

/// `custom_attributes.Channel`, when it is a non-empty string.
pub fn channel<'a>(conv: &'a Conversation, config: &Config) -> Option<&'a str> {
    conv.attr_str(&config.attributes.channel)
}

/// `custom_attributes["Service Code"]`, when it is a non-empty string.
pub fn service_code<'a>(conv: &'a Conversation, config: &Config) -> Option<&'a str> {
    conv.attr_str(&config.attributes.service_code)
}

fn is_closed(conv: &Conversation) -> bool {
    conv.state == ConversationState::Closed
}

fn channel_in(conv: &Conversation, config: &Config, set: &[String]) -> bool {
    channel(conv, config).is_some_and(|c| set.iter().any(|s| s == c))
}

/// Coaching session: closed, Channel in {Phone, Video Conference, Email, Chat}.
pub fn is_coaching_session(conv: &Conversation, config: &Config) -> bool {
    is_closed(conv) && channel_in(conv, config, &config.classes.coaching_channels)
}

/// Qualifying coaching call: closed, Channel in {Phone, Video Conference}, Service Code in
/// {Health Coaching 001, Disease Management 002}.
pub fn is_qualifying_call(conv: &Conversation, config: &Config) -> bool {
    is_closed(conv)
        && channel_in(conv, config, &config.classes.qualifying_channels)
        && service_code(conv, config).is_some_and(|code| {
            config
                .classes
                .qualifying_service_codes
                .iter()
                .any(|s| s == code)
        })
}

/// Billing call: closed, Channel in {Phone, Video Conference}.
pub fn is_billing_call(conv: &Conversation, config: &Config) -> bool {
    is_closed(conv) && channel_in(conv, config, &config.classes.billing_channels)
}

/// Phone call: Channel = Phone, in any state.
pub fn is_phone_call(conv: &Conversation, config: &Config) -> bool {
    channel(conv, config) == Some(config.classes.phone_channel.as_str())
}

/// The session time, unix seconds: closed → `statistics.last_close_at`, or `updated_at` when
/// that is absent; not closed (open, snoozed, unknown) → `created_at`.
pub fn session_time(conv: &Conversation) -> i64 {
    if is_closed(conv) {
        conv.statistics
            .as_ref()
            .and_then(|s| s.last_close_at)
            .unwrap_or(conv.updated_at)
    } else {
        conv.created_at
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// A conversation built from a JSON literal merged over a closed default.
    pub(crate) fn conv(overrides: Value) -> Conversation {
        let mut base = json!({
            "id": "c1", "created_at": 100, "updated_at": 300, "state": "closed",
            "contacts": {"contacts": [{"id": "u1"}]},
            "custom_attributes": {},
            "statistics": {"last_close_at": 200}
        });
        for (k, v) in overrides.as_object().unwrap() {
            base[k] = v.clone();
        }
        serde_json::from_value(base).unwrap()
    }

    fn attrs(channel: Option<&str>, code: Option<&str>) -> Value {
        let mut m = serde_json::Map::new();
        if let Some(c) = channel {
            m.insert("Channel".into(), json!(c));
        }
        if let Some(c) = code {
            m.insert("Service Code".into(), json!(c));
        }
        Value::Object(m)
    }

    #[test]
    fn classes_table() {
        let cfg = Config::default();
        // (state, channel, service code) → (coaching, qualifying, billing, phone)
        let hc = Some("Health Coaching 001");
        let dm = Some("Disease Management 002");
        type Case = (
            &'static str,
            Option<&'static str>,
            Option<&'static str>,
            [bool; 4],
        );
        let cases: &[Case] = &[
            ("closed", Some("Phone"), hc, [true, true, true, true]),
            (
                "closed",
                Some("Video Conference"),
                dm,
                [true, true, true, false],
            ),
            ("closed", Some("Phone"), None, [true, false, true, true]),
            (
                "closed",
                Some("Phone"),
                Some("Other 003"),
                [true, false, true, true],
            ),
            ("closed", Some("Email"), hc, [true, false, false, false]),
            ("closed", Some("Chat"), None, [true, false, false, false]),
            ("closed", Some("SMS"), hc, [false, false, false, false]),
            ("closed", None, hc, [false, false, false, false]),
            ("closed", Some(""), hc, [false, false, false, false]),
            // Exact match: no trimming, no case folding.
            ("closed", Some("phone"), hc, [false, false, false, false]),
            ("closed", Some("Phone "), hc, [false, false, false, false]),
            ("closed", Some("Video"), hc, [false, false, false, false]),
            ("open", Some("Phone"), hc, [false, false, false, true]),
            ("snoozed", Some("Phone"), hc, [false, false, false, true]),
            (
                "snoozed",
                Some("Video Conference"),
                hc,
                [false, false, false, false],
            ),
            ("archived", Some("Phone"), hc, [false, false, false, true]),
        ];
        for (state, channel, code, want) in cases {
            let c = conv(json!({"state": state, "custom_attributes": attrs(*channel, *code)}));
            let got = [
                is_coaching_session(&c, &cfg),
                is_qualifying_call(&c, &cfg),
                is_billing_call(&c, &cfg),
                is_phone_call(&c, &cfg),
            ];
            assert_eq!(&got, want, "{state} {channel:?} {code:?}");
        }
    }

    #[test]
    fn non_string_channel_is_no_channel() {
        let cfg = Config::default();
        let c = conv(
            json!({"custom_attributes": {"Channel": 1, "Service Code": "Health Coaching 001"}}),
        );
        assert!(!is_coaching_session(&c, &cfg) && !is_phone_call(&c, &cfg));
    }

    #[test]
    fn configured_names_and_sets_are_used() {
        let mut cfg = Config::default();
        cfg.attributes.channel = "Medium".into();
        cfg.classes.qualifying_channels = vec!["Phone".into()];
        let c = conv(
            json!({"custom_attributes": {"Medium": "Video Conference", "Service Code": "Health Coaching 001"}}),
        );
        assert!(is_coaching_session(&c, &cfg));
        assert!(!is_qualifying_call(&c, &cfg));
    }

    #[test]
    fn session_time_table() {
        let cases = [
            (json!({"state": "closed"}), 200),
            (
                json!({"state": "closed", "statistics": {"last_close_at": null}}),
                300,
            ),
            (json!({"state": "closed", "statistics": null}), 300),
            (json!({"state": "closed", "statistics": {}}), 300),
            (json!({"state": "open"}), 100),
            (json!({"state": "snoozed"}), 100),
            (json!({"state": "something_new"}), 100),
        ];
        for (overrides, want) in cases {
            assert_eq!(session_time(&conv(overrides.clone())), want, "{overrides}");
        }
    }
}
