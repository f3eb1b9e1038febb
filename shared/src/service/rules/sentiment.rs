//! `sentiment` and `sentiment_source` (SERVICE-PERFORMANCE.md §3): from the CX Score rating when
//! there is one, else from a sentiment tag, else unknown. Never a default.
//!
//! Where §3 is silent (also in docs/service-performance.md):
//! - A CX score is present when `custom_attributes["CX Score rating"]` holds an integer 1–5: a
//!   JSON integer, an integral float (`4.0`) or a string of one (`"4"`). Any other value (0, 6,
//!   3.5, text, `null`, a boolean) is no CX score, and the tags decide.
//! - A sentiment tag is named `positive`, `neutral` or `negative` in any case, ignoring
//!   surrounding spaces; other tags (`Very positive`, `sentiment: positive`) are not read.
//! - Tags naming two or three different sentiments contradict each other: the sentiment is then
//!   unknown (both columns null) rather than a guess. The same sentiment tagged twice is fine.

use serde::{Deserialize, Serialize};

use crate::intercom::Conversation;

/// The conversation attribute holding Intercom's CX score (1–5).
pub const CX_SCORE_ATTRIBUTE: &str = "CX Score rating";

/// A conversation's sentiment, stored as `Positive`, `Neutral` or `Negative`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Sentiment {
    Positive,
    Neutral,
    Negative,
}

impl Sentiment {
    /// The stored value: `Positive`, `Neutral` or `Negative`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sentiment::Positive => "Positive",
            Sentiment::Neutral => "Neutral",
            Sentiment::Negative => "Negative",
        }
    }

    /// The sentiment of a CX score: 4–5 Positive, 3 Neutral, 1–2 Negative; `None` outside 1–5.
    pub fn of_cx_score(score: i64) -> Option<Self> {
        match score {
            4 | 5 => Some(Sentiment::Positive),
            3 => Some(Sentiment::Neutral),
            1 | 2 => Some(Sentiment::Negative),
            _ => None,
        }
    }

    /// The sentiment a tag name stands for: `positive`, `neutral`, `negative`, any case.
    pub fn of_tag(name: &str) -> Option<Self> {
        let name = name.trim();
        [Sentiment::Positive, Sentiment::Neutral, Sentiment::Negative]
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(name))
    }
}

/// Where a sentiment came from, stored as `cx_score` or `tag`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SentimentSource {
    CxScore,
    Tag,
}

impl SentimentSource {
    /// The stored value: `cx_score` or `tag`.
    pub fn as_str(self) -> &'static str {
        match self {
            SentimentSource::CxScore => "cx_score",
            SentimentSource::Tag => "tag",
        }
    }
}

/// The conversation's sentiment and its source; `None` when neither a CX score nor a single
/// sentiment among its tags says.
pub fn sentiment(conv: &Conversation) -> Option<(Sentiment, SentimentSource)> {
    if let Some(s) = conv
        .attr_integer(CX_SCORE_ATTRIBUTE)
        .and_then(Sentiment::of_cx_score)
    {
        return Some((s, SentimentSource::CxScore));
    }
    from_tags(conv.tags.names()).map(|s| (s, SentimentSource::Tag))
}

/// The one sentiment named by `tags`; `None` when none is, or when they name different ones.
pub fn from_tags<'a>(tags: impl IntoIterator<Item = &'a str>) -> Option<Sentiment> {
    let mut found: Option<Sentiment> = None;
    for s in tags.into_iter().filter_map(Sentiment::of_tag) {
        match found {
            Some(prev) if prev != s => return None,
            _ => found = Some(s),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::rules::testing::conv;
    use serde_json::{json, Value};
    use Sentiment::*;
    use SentimentSource::*;

    type Found = Option<(Sentiment, SentimentSource)>;

    fn with(score: Option<Value>, tags: &[&str]) -> Conversation {
        let mut attrs = serde_json::Map::new();
        if let Some(v) = score {
            attrs.insert(CX_SCORE_ATTRIBUTE.into(), v);
        }
        let tags: Vec<_> = tags
            .iter()
            .map(|n| json!({"type": "tag", "id": "1", "name": n}))
            .collect();
        conv(json!({"custom_attributes": attrs, "tags": {"type": "tag.list", "tags": tags}}))
    }

    #[test]
    fn cx_score_first_then_tags_then_nothing() {
        let table: Vec<(Option<Value>, &[&str], Found)> = vec![
            (Some(json!(5)), &[], Some((Positive, CxScore))),
            (Some(json!(4)), &["negative"], Some((Positive, CxScore))),
            (Some(json!(3)), &[], Some((Neutral, CxScore))),
            (Some(json!(2)), &["Positive"], Some((Negative, CxScore))),
            (Some(json!(1)), &[], Some((Negative, CxScore))),
            (Some(json!("4")), &[], Some((Positive, CxScore))),
            (Some(json!(3.0)), &[], Some((Neutral, CxScore))),
            // not a valid CX score: the tags decide
            (Some(json!(0)), &["NEGATIVE"], Some((Negative, Tag))),
            (Some(json!(6)), &[], None),
            (Some(json!(3.5)), &[" neutral "], Some((Neutral, Tag))),
            (Some(json!("great")), &[], None),
            (Some(json!(null)), &["Positive"], Some((Positive, Tag))),
            (Some(json!(true)), &[], None),
            (None, &["VIP", "positive"], Some((Positive, Tag))),
            (None, &["Positive", "positive"], Some((Positive, Tag))),
            // contradicting tags: unknown, not a guess
            (None, &["positive", "Negative"], None),
            (None, &["neutral", "positive", "negative"], None),
            (None, &["Very positive", "sentiment: negative"], None),
            (None, &[], None), // never a default
        ];
        for (score, tags, want) in table {
            assert_eq!(
                sentiment(&with(score.clone(), tags)),
                want,
                "{score:?} {tags:?}"
            );
        }
    }

    #[test]
    fn stored_values() {
        assert_eq!(
            [Positive, Neutral, Negative].map(Sentiment::as_str),
            ["Positive", "Neutral", "Negative"]
        );
        assert_eq!(
            [CxScore, Tag].map(SentimentSource::as_str),
            ["cx_score", "tag"]
        );
        assert_eq!(serde_json::to_value(CxScore).unwrap(), json!("cx_score"));
        assert_eq!(serde_json::to_value(Positive).unwrap(), json!("Positive"));
    }
}
