//! The part of Slack's Block Kit that notifications use, serialised as Slack expects:
//!
//! ```json
//! {"text": "fallback for notifications and screen readers",
//!  "blocks": [
//!    {"type": "header", "text": {"type": "plain_text", "text": "Customer alerts"}},
//!    {"type": "section", "text": {"type": "mrkdwn", "text": "*a@b.com* cancelled"}},
//!    {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Kind*\ncancel"}]},
//!    {"type": "context", "elements": [{"type": "mrkdwn", "text": "run 42"}]},
//!    {"type": "divider"}]}
//! ```
//!
//! A [`Message`] is only made by [`super::MessageBuilder`], which fits whatever it is given
//! into Slack's limits (the constants below), so every `Message` is one Slack accepts.

use serde::Serialize;

/// Most blocks in one message.
pub const MAX_BLOCKS: usize = 50;
/// Longest header text (plain text only).
pub const MAX_HEADER_CHARS: usize = 150;
/// Longest section text.
pub const MAX_SECTION_CHARS: usize = 3000;
/// Most fields in one section.
pub const MAX_FIELDS: usize = 10;
/// Longest text of one section field.
pub const MAX_FIELD_CHARS: usize = 2000;
/// Most elements in one context block.
pub const MAX_CONTEXT_ELEMENTS: usize = 10;
/// Longest text of one context element (a text object's limit).
pub const MAX_CONTEXT_CHARS: usize = 3000;
/// Longest top-level `text` fallback: Slack truncates past 40,000 and advises at most 4,000.
pub const MAX_FALLBACK_CHARS: usize = 4000;

/// A text object: `{"type": "mrkdwn" | "plain_text", "text": "..."}`. Mrkdwn is Slack's markup
/// (`*bold*`, `_italic_`, `<url|label>`); put outside data through [`escape`] first. `&str` and
/// `String` convert to [`Text::Mrkdwn`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "text")]
pub enum Text {
    #[serde(rename = "mrkdwn")]
    Mrkdwn(String),
    #[serde(rename = "plain_text")]
    Plain(String),
}

impl Text {
    /// Mrkdwn text.
    pub fn mrkdwn(text: impl Into<String>) -> Self {
        Self::Mrkdwn(text.into())
    }

    /// Plain text (shown as is; emoji codes such as `:tada:` still render).
    pub fn plain(text: impl Into<String>) -> Self {
        Self::Plain(text.into())
    }

    /// The text, whatever its kind.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Mrkdwn(t) | Self::Plain(t) => t,
        }
    }

    pub(crate) fn as_mut_string(&mut self) -> &mut String {
        match self {
            Self::Mrkdwn(t) | Self::Plain(t) => t,
        }
    }

    pub(crate) fn is_mrkdwn(&self) -> bool {
        matches!(self, Self::Mrkdwn(_))
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Self::mrkdwn(text)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Self::Mrkdwn(text)
    }
}

/// One block of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// Large bold plain text, at most [`MAX_HEADER_CHARS`]; serialised as plain text whatever
    /// kind it was given.
    Header { text: Text },
    /// Text (at most [`MAX_SECTION_CHARS`]) and/or up to [`MAX_FIELDS`] fields shown in two
    /// columns (each at most [`MAX_FIELD_CHARS`]); at least one of the two.
    Section {
        #[serde(skip_serializing_if = "Option::is_none")]
        text: Option<Text>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        fields: Vec<Text>,
    },
    /// Small grey text, up to [`MAX_CONTEXT_ELEMENTS`] elements.
    Context { elements: Vec<Text> },
    /// A horizontal rule.
    Divider,
}

impl Block {
    /// A header.
    pub fn header(text: impl Into<String>) -> Self {
        Self::Header {
            text: Text::Plain(text.into()),
        }
    }

    /// A section of text (`&str`/`String` are mrkdwn).
    pub fn section(text: impl Into<Text>) -> Self {
        Self::Section {
            text: Some(text.into()),
            fields: Vec::new(),
        }
    }

    /// A section of two-column fields.
    pub fn fields<T: Into<Text>>(fields: impl IntoIterator<Item = T>) -> Self {
        Self::Section {
            text: None,
            fields: fields.into_iter().map(Into::into).collect(),
        }
    }

    /// A section with text and fields.
    pub fn section_with_fields<T: Into<Text>>(
        text: impl Into<Text>,
        fields: impl IntoIterator<Item = T>,
    ) -> Self {
        Self::Section {
            text: Some(text.into()),
            fields: fields.into_iter().map(Into::into).collect(),
        }
    }

    /// A context block.
    pub fn context<T: Into<Text>>(elements: impl IntoIterator<Item = T>) -> Self {
        Self::Context {
            elements: elements.into_iter().map(Into::into).collect(),
        }
    }
}

/// A message for an incoming webhook: `{"text": ..., "blocks": [...]}`. `text` is the fallback
/// shown in notifications and by clients that cannot show blocks; it is never empty. Built by
/// [`super::MessageBuilder`] (see [`Message::builder`]), so it is always within Slack's limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    text: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    blocks: Vec<Block>,
}

impl Message {
    pub(crate) fn new_unchecked(text: String, blocks: Vec<Block>) -> Self {
        Self { text, blocks }
    }

    /// The fallback text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The blocks, at most [`MAX_BLOCKS`].
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The JSON body posted to the webhook.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a message always serialises")
    }
}

/// Escapes outside data for mrkdwn: `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;`, so a
/// name such as `<!channel>` or `<https://x|click>` is shown, not acted on. Slack asks for
/// exactly these three; `*`, `_` and `~` are left (they only style).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serialises_in_slacks_shape() {
        let message = Message::new_unchecked(
            "fallback".into(),
            vec![
                Block::header("Alerts"),
                Block::section("*a*"),
                Block::fields([Text::plain("p"), Text::mrkdwn("m")]),
                Block::section_with_fields("t", ["f"]),
                Block::context(["c"]),
                Block::Divider,
            ],
        );
        assert_eq!(
            message.to_json(),
            json!({
                "text": "fallback",
                "blocks": [
                    {"type": "header", "text": {"type": "plain_text", "text": "Alerts"}},
                    {"type": "section", "text": {"type": "mrkdwn", "text": "*a*"}},
                    {"type": "section", "fields": [
                        {"type": "plain_text", "text": "p"},
                        {"type": "mrkdwn", "text": "m"}]},
                    {"type": "section", "text": {"type": "mrkdwn", "text": "t"},
                     "fields": [{"type": "mrkdwn", "text": "f"}]},
                    {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}]},
                    {"type": "divider"}
                ]
            })
        );
        assert_eq!(
            Message::new_unchecked("only".into(), vec![]).to_json(),
            json!({"text": "only"})
        );
    }

    #[test]
    fn escape_neutralises_mentions_and_links() {
        assert_eq!(
            escape("<!channel> & <https://x|y>"),
            "&lt;!channel&gt; &amp; &lt;https://x|y&gt;"
        );
        assert_eq!(escape("*plain* _ok_"), "*plain* _ok_");
    }
}
