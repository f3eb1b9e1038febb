//! `channel` (SERVICE-PERFORMANCE.md §3): the conversation's `Channel` attribute, else how it
//! arrived (`source.type`).

use crate::intercom::Conversation;

/// The conversation attribute naming the channel (`Phone`, `Chat`, `Email`, ...).
pub const CHANNEL_ATTRIBUTE: &str = "Channel";

/// `custom_attributes.Channel` when it is a non-blank string, else `source.type`
/// (`conversation`, `email`, `phone_call`, ...); `None` when neither is there.
pub fn channel(conv: &Conversation) -> Option<String> {
    conv.attr_str(CHANNEL_ATTRIBUTE)
        .or_else(|| conv.source.as_ref()?.source_type.as_deref())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::rules::testing::conv;
    use serde_json::json;

    #[test]
    fn attribute_first_then_source_type() {
        let table = [
            (
                json!({"Channel": "Phone"}),
                json!({"type": "email"}),
                Some("Phone"),
            ),
            (
                json!({"Channel": " "}),
                json!({"type": "email"}),
                Some("email"),
            ),
            (
                json!({"Channel": null}),
                json!({"type": "whatsapp"}),
                Some("whatsapp"),
            ),
            (json!({"Channel": 3}), json!({"type": "sms"}), Some("sms")),
            (json!({}), json!({}), None),
            (json!({}), json!(null), None),
        ];
        for (attrs, source, want) in table {
            let c = conv(json!({"custom_attributes": attrs, "source": source}));
            assert_eq!(channel(&c).as_deref(), want, "{attrs} {source}");
        }
    }
}
