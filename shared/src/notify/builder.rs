//! [`MessageBuilder`]: fits whatever it is given into Slack's Block Kit limits, so a built
//! [`Message`] is always accepted.
//!
//! What it does to each block, in order:
//! - texts longer than their limit are cut and end in `…` (lengths are counted in UTF-16 code
//!   units, never fewer than characters, so the limit holds however Slack counts; a cut never
//!   leaves half a mrkdwn `&amp;` entity or an unclosed `<link|label>`);
//! - empty (blank) texts, fields and context elements are dropped, and a block left with nothing
//!   to show is dropped (Slack refuses empty text objects);
//! - past [`MAX_FIELDS`] fields or [`MAX_CONTEXT_ELEMENTS`] elements, the last one kept says
//!   `…and N more`;
//! - header text is always plain text;
//! - past [`MAX_BLOCKS`] blocks, the first 49 are kept in order and a final context block says
//!   `…and N more` (N counts the left-out blocks other than dividers, optionally with a unit:
//!   `…and 12 more alerts`);
//! - a blank fallback `text` becomes the first block's text (or `(empty message)`), at most
//!   [`MAX_FALLBACK_CHARS`].

use super::blocks::{
    Block, Message, Text, MAX_BLOCKS, MAX_CONTEXT_CHARS, MAX_CONTEXT_ELEMENTS, MAX_FALLBACK_CHARS,
    MAX_FIELDS, MAX_FIELD_CHARS, MAX_HEADER_CHARS, MAX_SECTION_CHARS,
};

/// What ends a cut text.
pub const ELLIPSIS: char = '…';
/// The fallback text of a message given none and no block with text.
pub const EMPTY_FALLBACK: &str = "(empty message)";

/// Builds a [`Message`]; see the module docs for how limits are enforced.
///
/// ```
/// use shared::notify::{Message, Text};
/// let message = Message::builder("2 customer alerts")
///     .header("Customer alerts")
///     .section("*ada@example.com* turned delinquent")
///     .fields([Text::mrkdwn("*Kind*\ndelinquent"), Text::mrkdwn("*Run*\n42")])
///     .divider()
///     .context(["incremental run, 2025-03-31 06:00 UTC"])
///     .overflow_unit("alerts")
///     .build();
/// assert_eq!(message.blocks().len(), 5);
/// ```
#[derive(Debug, Clone, Default)]
pub struct MessageBuilder {
    text: String,
    blocks: Vec<Block>,
    overflow_unit: Option<String>,
}

impl Message {
    /// A builder with `text` as the fallback (notification) text.
    pub fn builder(text: impl Into<String>) -> MessageBuilder {
        MessageBuilder {
            text: text.into(),
            ..MessageBuilder::default()
        }
    }
}

impl MessageBuilder {
    /// Adds a header (plain text).
    pub fn header(self, text: impl Into<String>) -> Self {
        self.block(Block::header(text))
    }

    /// Adds a section of text (`&str`/`String` are mrkdwn).
    pub fn section(self, text: impl Into<Text>) -> Self {
        self.block(Block::section(text))
    }

    /// Adds a section of two-column fields.
    pub fn fields<T: Into<Text>>(self, fields: impl IntoIterator<Item = T>) -> Self {
        self.block(Block::fields(fields))
    }

    /// Adds a section with text and fields.
    pub fn section_with_fields<T: Into<Text>>(
        self,
        text: impl Into<Text>,
        fields: impl IntoIterator<Item = T>,
    ) -> Self {
        self.block(Block::section_with_fields(text, fields))
    }

    /// Adds a context block.
    pub fn context<T: Into<Text>>(self, elements: impl IntoIterator<Item = T>) -> Self {
        self.block(Block::context(elements))
    }

    /// Adds a divider.
    pub fn divider(self) -> Self {
        self.block(Block::Divider)
    }

    /// Adds any block.
    pub fn block(mut self, block: Block) -> Self {
        self.blocks.push(block);
        self
    }

    /// Adds blocks in order.
    pub fn blocks(mut self, blocks: impl IntoIterator<Item = Block>) -> Self {
        self.blocks.extend(blocks);
        self
    }

    /// What the left-out blocks are called in the overflow note: `alerts` gives
    /// `…and 12 more alerts`.
    pub fn overflow_unit(mut self, unit: impl Into<String>) -> Self {
        self.overflow_unit = Some(unit.into()).filter(|u| !u.trim().is_empty());
        self
    }

    /// The message, within every limit.
    pub fn build(self) -> Message {
        let mut blocks: Vec<Block> = self.blocks.into_iter().filter_map(fit_block).collect();
        if blocks.len() > MAX_BLOCKS {
            let left_out = blocks.split_off(MAX_BLOCKS - 1);
            let counted = left_out
                .iter()
                .filter(|b| !matches!(b, Block::Divider))
                .count();
            if counted > 0 {
                let unit = self
                    .overflow_unit
                    .map(|u| format!(" {}", u.trim()))
                    .unwrap_or_default();
                let mut note = Text::mrkdwn(format!("{ELLIPSIS}and {counted} more{unit}"));
                fit_text(&mut note, MAX_CONTEXT_CHARS);
                blocks.push(Block::Context {
                    elements: vec![note],
                });
            }
        }
        let mut text = Text::mrkdwn(self.text);
        if is_blank(text.as_str()) {
            *text.as_mut_string() = blocks
                .iter()
                .find_map(first_text)
                .unwrap_or(EMPTY_FALLBACK)
                .to_owned();
        }
        fit_text(&mut text, MAX_FALLBACK_CHARS);
        let Text::Mrkdwn(text) = text else {
            unreachable!("the fallback is built as mrkdwn")
        };
        Message::new_unchecked(text, blocks)
    }
}

/// The block within its limits, or `None` when nothing in it would show.
fn fit_block(block: Block) -> Option<Block> {
    match block {
        Block::Header { text } => {
            let mut text = Text::Plain(text.as_str().to_owned());
            keep_text(&mut text, MAX_HEADER_CHARS).then_some(Block::Header { text })
        }
        Block::Section { text, fields } => {
            let text = text.and_then(|mut t| keep_text(&mut t, MAX_SECTION_CHARS).then_some(t));
            let fields = fit_list(fields, MAX_FIELDS, MAX_FIELD_CHARS);
            (text.is_some() || !fields.is_empty()).then_some(Block::Section { text, fields })
        }
        Block::Context { elements } => {
            let elements = fit_list(elements, MAX_CONTEXT_ELEMENTS, MAX_CONTEXT_CHARS);
            (!elements.is_empty()).then_some(Block::Context { elements })
        }
        Block::Divider => Some(Block::Divider),
    }
}

/// Non-blank texts, each within `max_chars`; past `max_items`, the last says `…and N more`.
fn fit_list(items: Vec<Text>, max_items: usize, max_chars: usize) -> Vec<Text> {
    let mut items: Vec<Text> = items
        .into_iter()
        .filter_map(|mut t| keep_text(&mut t, max_chars).then_some(t))
        .collect();
    if items.len() > max_items {
        let more = items.len() - (max_items - 1);
        items.truncate(max_items - 1);
        items.push(Text::mrkdwn(format!("{ELLIPSIS}and {more} more")));
    }
    items
}

/// Fits `text` into `max` and says whether it has anything to show.
fn keep_text(text: &mut Text, max: usize) -> bool {
    if is_blank(text.as_str()) {
        return false;
    }
    fit_text(text, max);
    true
}

fn first_text(block: &Block) -> Option<&str> {
    match block {
        Block::Header { text }
        | Block::Section {
            text: Some(text), ..
        } => Some(text.as_str()),
        Block::Section { fields, .. } => fields.first().map(Text::as_str),
        Block::Context { elements } => elements.first().map(Text::as_str),
        Block::Divider => None,
    }
}

fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// The length Slack's limits are checked against here: UTF-16 code units.
pub(crate) fn slack_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Cuts `text` to at most `max` (UTF-16 units, `max >= 1`), ending in `…` when cut.
fn fit_text(text: &mut Text, max: usize) {
    let mrkdwn = text.is_mrkdwn();
    let s = text.as_mut_string();
    if slack_len(s) <= max {
        return;
    }
    let budget = max - ELLIPSIS.len_utf16();
    let mut used = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if used + c.len_utf16() > budget {
            break;
        }
        used += c.len_utf16();
        end = i + c.len_utf8();
    }
    if mrkdwn {
        end = mrkdwn_safe_end(&s[..end]);
    }
    s.truncate(end);
    let kept = s.trim_end().len();
    s.truncate(kept);
    s.push(ELLIPSIS);
}

/// Backs `kept` off to before an entity (`&amp;`) or a `<link|label>` it would cut in half.
fn mrkdwn_safe_end(kept: &str) -> usize {
    let mut end = kept.len();
    if let Some(lt) = kept.rfind('<') {
        if !kept[lt..].contains('>') {
            end = lt;
        }
    }
    let kept = &kept[..end];
    if let Some(amp) = kept.rfind('&') {
        let tail = &kept[amp..];
        if !tail.contains(';') && tail.len() < "&#x1F600;".len() {
            end = amp;
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn texts(block: &Block) -> Vec<&Text> {
        match block {
            Block::Header { text } => vec![text],
            Block::Section { text, fields } => text.iter().chain(fields).collect(),
            Block::Context { elements } => elements.iter().collect(),
            Block::Divider => vec![],
        }
    }

    #[test]
    fn short_messages_pass_unchanged() {
        let message = Message::builder("fallback")
            .header("H")
            .section("s")
            .fields(["a", "b"])
            .context([Text::plain("c")])
            .divider()
            .build();
        assert_eq!(message.text(), "fallback");
        assert_eq!(
            message.blocks(),
            &[
                Block::header("H"),
                Block::section("s"),
                Block::fields(["a", "b"]),
                Block::context([Text::plain("c")]),
                Block::Divider,
            ]
        );
    }

    #[test]
    fn texts_are_cut_at_each_limit_with_an_ellipsis() {
        // (block, limit of its text)
        let long = "x".repeat(5000);
        let cases = [
            (Block::header(long.clone()), MAX_HEADER_CHARS),
            (Block::section(long.clone()), MAX_SECTION_CHARS),
            (Block::fields([long.clone()]), MAX_FIELD_CHARS),
            (Block::context([long.clone()]), MAX_CONTEXT_CHARS),
        ];
        for (block, limit) in cases {
            let message = Message::builder("t").block(block).build();
            let text = texts(&message.blocks()[0])[0].as_str();
            assert_eq!(slack_len(text), limit, "{text}");
            assert!(text.ends_with(ELLIPSIS));
            assert!(text.starts_with("xxx"));
        }
        // Exactly at the limit is not cut.
        let message = Message::builder("t")
            .header("y".repeat(MAX_HEADER_CHARS))
            .build();
        assert_eq!(message.blocks()[0], Block::header("y".repeat(150)));
    }

    #[test]
    fn lengths_count_utf16_units_and_never_split_a_character() {
        // 🦀 is one character, two UTF-16 units.
        let message = Message::builder("t").header("🦀".repeat(100)).build();
        let text = texts(&message.blocks()[0])[0].as_str();
        assert_eq!(text, format!("{}…", "🦀".repeat(74)));
        assert!(slack_len(text) <= MAX_HEADER_CHARS);
    }

    #[test]
    fn a_cut_never_leaves_half_an_entity_or_link() {
        let mut text = Text::mrkdwn(format!("{}&amp;", "a".repeat(8)));
        fit_text(&mut text, 11);
        assert_eq!(text.as_str(), "aaaaaaaa…");
        let mut text = Text::mrkdwn(format!("{} <https://example.com|x>", "a".repeat(8)));
        fit_text(&mut text, 20);
        assert_eq!(text.as_str(), "aaaaaaaa…");
        // Plain text has no markup to protect.
        let mut text = Text::plain(format!("{}&amp;", "a".repeat(8)));
        fit_text(&mut text, 11);
        assert_eq!(text.as_str(), "aaaaaaaa&a…");
    }

    #[test]
    fn blank_parts_are_dropped_and_empty_blocks_with_them() {
        let message = Message::builder("t")
            .header("  ")
            .section("")
            .fields(["", " a ", "\n"])
            .context(Vec::<Text>::new())
            .section_with_fields(" ", Vec::<Text>::new())
            .divider()
            .build();
        assert_eq!(message.blocks(), &[Block::fields([" a "]), Block::Divider]);
    }

    #[test]
    fn too_many_fields_or_elements_end_in_a_count() {
        let message = Message::builder("t")
            .fields((1..=14).map(|i| i.to_string()))
            .context((1..=11).map(|i| i.to_string()))
            .build();
        let Block::Section { fields, .. } = &message.blocks()[0] else {
            panic!()
        };
        assert_eq!(fields.len(), MAX_FIELDS);
        assert_eq!(fields[8].as_str(), "9");
        assert_eq!(fields[9].as_str(), "…and 5 more");
        let Block::Context { elements } = &message.blocks()[1] else {
            panic!()
        };
        assert_eq!(elements.len(), MAX_CONTEXT_ELEMENTS);
        assert_eq!(elements[9].as_str(), "…and 2 more");
    }

    #[test]
    fn past_fifty_blocks_the_rest_is_folded_into_a_note() {
        let sections = (1..=120).map(|i| Block::section(format!("alert {i}")));
        let message = Message::builder("120 alerts")
            .header("Alerts")
            .blocks(sections)
            .overflow_unit("alerts")
            .build();
        let blocks = message.blocks();
        assert_eq!(blocks.len(), MAX_BLOCKS);
        assert_eq!(blocks[1], Block::section("alert 1"));
        assert_eq!(blocks[48], Block::section("alert 48"));
        assert_eq!(blocks[49], Block::context(["…and 72 more alerts"]));

        // Dividers are not counted; exactly 50 blocks need no note.
        let with_dividers = (1..=30).flat_map(|i| [Block::section(i.to_string()), Block::Divider]);
        let message = Message::builder("t").blocks(with_dividers).build();
        assert_eq!(
            message.blocks()[49],
            Block::context(["…and 5 more"]),
            "blocks 50..60 hold 5 sections"
        );
        let message = Message::builder("t")
            .blocks((0..50).map(|i| Block::section(i.to_string())))
            .build();
        assert_eq!(message.blocks()[49], Block::section("49"));
        // Only dividers left out: dropped without a note.
        let message = Message::builder("t")
            .blocks((0..49).map(|i| Block::section(i.to_string())))
            .blocks([Block::Divider, Block::Divider, Block::Divider])
            .build();
        assert_eq!(message.blocks().len(), 49);
    }

    #[test]
    fn a_blank_fallback_comes_from_the_first_text() {
        let message = Message::builder(" ").divider().section("first").build();
        assert_eq!(message.text(), "first");
        assert_eq!(Message::builder("").build().text(), EMPTY_FALLBACK);
        let long = Message::builder("z".repeat(10_000)).build();
        assert_eq!(slack_len(long.text()), MAX_FALLBACK_CHARS);
    }

    /// Every Block Kit limit, checked on the JSON sent (independently of the builder's code).
    fn limit_violations(body: &Value) -> Vec<String> {
        let len = |v: &Value| v.as_str().map_or(usize::MAX, |s| s.encode_utf16().count());
        let text_ok = |t: &Value, max: usize, kinds: &[&str]| {
            kinds.contains(&t["type"].as_str().unwrap_or(""))
                && len(&t["text"]) <= max
                && !t["text"].as_str().unwrap_or("").trim().is_empty()
        };
        let mut bad = Vec::new();
        let fallback = &body["text"];
        if len(fallback) > MAX_FALLBACK_CHARS
            || fallback.as_str().is_none_or(|s| s.trim().is_empty())
        {
            bad.push("fallback text".to_owned());
        }
        let blocks = body["blocks"].as_array().cloned().unwrap_or_default();
        if blocks.len() > MAX_BLOCKS {
            bad.push(format!("{} blocks", blocks.len()));
        }
        let both = &["mrkdwn", "plain_text"][..];
        for (i, b) in blocks.iter().enumerate() {
            let ok = match b["type"].as_str() {
                Some("header") => text_ok(&b["text"], MAX_HEADER_CHARS, &["plain_text"]),
                Some("section") => {
                    let fields = b["fields"].as_array();
                    (!b["text"].is_null() || fields.is_some())
                        && (b["text"].is_null() || text_ok(&b["text"], MAX_SECTION_CHARS, both))
                        && fields.is_none_or(|f| {
                            !f.is_empty()
                                && f.len() <= MAX_FIELDS
                                && f.iter().all(|t| text_ok(t, MAX_FIELD_CHARS, both))
                        })
                }
                Some("context") => b["elements"].as_array().is_some_and(|e| {
                    !e.is_empty()
                        && e.len() <= MAX_CONTEXT_ELEMENTS
                        && e.iter().all(|t| text_ok(t, MAX_CONTEXT_CHARS, both))
                }),
                Some("divider") => b.as_object().is_some_and(|o| o.len() == 1),
                _ => false,
            };
            if !ok {
                bad.push(format!("block {i}: {b}"));
            }
        }
        bad
    }

    fn any_string() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => ".{0,20}",
            1 => "[ \n]{0,3}",
            1 => "[a&<>;🦀é ]{0,200}".prop_map(|s| s.repeat(25)),
            1 => (1usize..6000).prop_map(|n| "é🦀x&amp;".chars().cycle().take(n).collect()),
        ]
    }

    fn any_text() -> impl Strategy<Value = Text> {
        prop_oneof![
            any_string().prop_map(Text::Mrkdwn),
            any_string().prop_map(Text::Plain),
        ]
    }

    fn any_block() -> impl Strategy<Value = Block> {
        prop_oneof![
            any_text().prop_map(|text| Block::Header { text }),
            (
                proptest::option::of(any_text()),
                proptest::collection::vec(any_text(), 0..14)
            )
                .prop_map(|(text, fields)| Block::Section { text, fields }),
            proptest::collection::vec(any_text(), 0..14)
                .prop_map(|elements| Block::Context { elements }),
            Just(Block::Divider),
        ]
    }

    fn kind(block: &Block) -> std::mem::Discriminant<Block> {
        std::mem::discriminant(block)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn whatever_goes_in_the_output_respects_every_limit_and_keeps_the_first_blocks(
            fallback in any_string(),
            blocks in proptest::collection::vec(any_block(), 0..80),
            unit in proptest::option::of("[a-z]{1,10}"),
        ) {
            let mut builder = Message::builder(fallback).blocks(blocks.clone());
            if let Some(unit) = unit {
                builder = builder.overflow_unit(unit);
            }
            let message = builder.build();
            let violations = limit_violations(&message.to_json());
            prop_assert!(violations.is_empty(), "{violations:?}");

            // The blocks that had something to show come out first, in order, each cut only
            // where it was too long.
            let shown: Vec<&Block> = blocks
                .iter()
                .filter(|b| matches!(b, Block::Divider) || texts(b).iter().any(|t| !is_blank(t.as_str())))
                .collect();
            let out = message.blocks();
            let kept = if shown.len() > MAX_BLOCKS { MAX_BLOCKS - 1 } else { shown.len() };
            prop_assert!(out.len() >= kept);
            for (given, got) in shown.iter().zip(out).take(kept) {
                prop_assert_eq!(kind(given), kind(got));
                let given_texts: Vec<&str> = texts(given)
                    .into_iter()
                    .map(Text::as_str)
                    .filter(|t| !is_blank(t))
                    .collect();
                let got_texts = texts(got);
                for (g, o) in given_texts.iter().zip(&got_texts) {
                    let o = o.as_str();
                    let stem = o.strip_suffix(ELLIPSIS).unwrap_or(o);
                    prop_assert!(
                        *g == o || o.starts_with("…and ") || g.starts_with(stem),
                        "{:?} became {:?}", g, o
                    );
                }
            }
            if shown.len() > MAX_BLOCKS {
                let noted = shown[kept..].iter().any(|b| !matches!(b, Block::Divider));
                prop_assert_eq!(out.len(), kept + usize::from(noted));
            } else {
                prop_assert_eq!(out.len(), shown.len());
            }
        }
    }
}
