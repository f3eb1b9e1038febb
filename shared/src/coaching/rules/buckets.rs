//! Report buckets and channel combinations (RULES.md §9).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::coaching::rules::thresholds::{
    AT_RISK_DAYS, ENGAGED_DAYS, NEW_PARTICIPANT_FIRST_BUCKET_MAX_DAYS, NEW_PARTICIPANT_MIN_DAYS,
    WEEK_DAYS,
};

/// Caseload bucket of a member by `daysSinceLastSession`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CaseloadBucket {
    /// ≤ 7 days (a session after as-of, negative days, lands here too).
    #[serde(rename = "bucket_1")]
    Bucket1,
    /// 8–28 days.
    #[serde(rename = "bucket_2")]
    Bucket2,
    /// 29–56 days.
    #[serde(rename = "bucket_3")]
    Bucket3,
    /// More than 56 days.
    #[serde(rename = "bucket_4")]
    Bucket4,
}

impl CaseloadBucket {
    pub const ALL: [CaseloadBucket; 4] =
        [Self::Bucket1, Self::Bucket2, Self::Bucket3, Self::Bucket4];

    /// The bucket of a last session `days` calendar days ago.
    pub fn of_days(days: i64) -> Self {
        match days {
            d if d <= WEEK_DAYS => Self::Bucket1,
            d if d <= ENGAGED_DAYS => Self::Bucket2,
            d if d <= AT_RISK_DAYS => Self::Bucket3,
            _ => Self::Bucket4,
        }
    }

    /// `bucket_1` … `bucket_4`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bucket1 => "bucket_1",
            Self::Bucket2 => "bucket_2",
            Self::Bucket3 => "bucket_3",
            Self::Bucket4 => "bucket_4",
        }
    }
}

/// New-participants bucket by `daysWithoutSession`; this report's own "unengaged".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NewParticipantBucket {
    /// 14–21 days.
    #[serde(rename = "gt_14_to_21")]
    Gt14To21,
    /// 22–28 days.
    #[serde(rename = "gt_21_to_28")]
    Gt21To28,
    /// More than 28 days.
    #[serde(rename = "gt_28")]
    Gt28,
}

impl NewParticipantBucket {
    pub const ALL: [NewParticipantBucket; 3] = [Self::Gt14To21, Self::Gt21To28, Self::Gt28];

    /// The bucket of `days` without a session; `None` below 14 days.
    pub fn of_days(days: i64) -> Option<Self> {
        match days {
            d if d < NEW_PARTICIPANT_MIN_DAYS => None,
            d if d <= NEW_PARTICIPANT_FIRST_BUCKET_MAX_DAYS => Some(Self::Gt14To21),
            d if d <= ENGAGED_DAYS => Some(Self::Gt21To28),
            _ => Some(Self::Gt28),
        }
    }

    /// `gt_14_to_21`, `gt_21_to_28` or `gt_28`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gt14To21 => "gt_14_to_21",
            Self::Gt21To28 => "gt_21_to_28",
            Self::Gt28 => "gt_28",
        }
    }
}

/// A channel a report filters and combines by (RULES.md §9), in combination order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Channel {
    #[serde(rename = "Phone")]
    Phone,
    #[serde(rename = "Video Conference", alias = "Video")]
    VideoConference,
    #[serde(rename = "Email")]
    Email,
    #[serde(rename = "Chat")]
    Chat,
}

/// A string that is not one of Phone, Video Conference (or Video), Email, Chat.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of Phone, Video Conference, Email, Chat")]
pub struct InvalidChannel;

impl Channel {
    pub const ALL: [Channel; 4] = [Self::Phone, Self::VideoConference, Self::Email, Self::Chat];

    /// The `Channel` attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "Phone",
            Self::VideoConference => "Video Conference",
            Self::Email => "Email",
            Self::Chat => "Chat",
        }
    }
}

impl FromStr for Channel {
    type Err = InvalidChannel;

    /// Exact match; `Video` is accepted for Video Conference.
    fn from_str(s: &str) -> Result<Self, InvalidChannel> {
        if s == "Video" {
            return Ok(Self::VideoConference);
        }
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or(InvalidChannel)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The channel combination of a member's sessions: distinct channels in the order Phone, Video
/// Conference, Email, Chat, joined with `" + "` (`Video` counts as Video Conference). Channels
/// outside the four (a configured extra) follow in alphabetical order. Empty input → `""`.
pub fn channel_combination<'a>(channels: impl IntoIterator<Item = &'a str>) -> String {
    let mut known = std::collections::BTreeSet::new();
    let mut other = std::collections::BTreeSet::new();
    for c in channels {
        match c.parse::<Channel>() {
            Ok(ch) => {
                known.insert(ch);
            }
            Err(_) => {
                other.insert(c);
            }
        }
    }
    known
        .iter()
        .map(|c| c.as_str())
        .chain(other)
        .collect::<Vec<_>>()
        .join(" + ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caseload_buckets() {
        use CaseloadBucket::*;
        let cases = [
            (-1, Bucket1),
            (0, Bucket1),
            (7, Bucket1),
            (8, Bucket2),
            (28, Bucket2),
            (29, Bucket3),
            (56, Bucket3),
            (57, Bucket4),
            (400, Bucket4),
        ];
        for (days, want) in cases {
            assert_eq!(CaseloadBucket::of_days(days), want, "{days}");
        }
        assert_eq!(serde_json::to_value(Bucket3).unwrap(), "bucket_3");
        assert_eq!(Bucket4.as_str(), "bucket_4");
    }

    #[test]
    fn new_participant_buckets() {
        use NewParticipantBucket::*;
        let cases = [
            (0, None),
            (13, None),
            (14, Some(Gt14To21)),
            (21, Some(Gt14To21)),
            (22, Some(Gt21To28)),
            (28, Some(Gt21To28)),
            (29, Some(Gt28)),
            (365, Some(Gt28)),
        ];
        for (days, want) in cases {
            assert_eq!(NewParticipantBucket::of_days(days), want, "{days}");
        }
        assert_eq!(serde_json::to_value(Gt21To28).unwrap(), "gt_21_to_28");
    }

    #[test]
    fn channels() {
        assert_eq!("Video".parse(), Ok(Channel::VideoConference));
        assert_eq!("Video Conference".parse(), Ok(Channel::VideoConference));
        assert_eq!("phone".parse::<Channel>(), Err(InvalidChannel));
        assert_eq!(
            serde_json::from_str::<Channel>("\"Video\"").unwrap(),
            Channel::VideoConference
        );
        let cases: &[(&[&str], &str)] = &[
            (&["Chat", "Phone", "Chat"], "Phone + Chat"),
            (
                &["Email", "Video", "Phone", "Chat", "Video Conference"],
                "Phone + Video Conference + Email + Chat",
            ),
            (&["SMS", "Email", "Fax"], "Email + Fax + SMS"),
            (&["Video Conference"], "Video Conference"),
            (&[], ""),
        ];
        for (input, want) in cases {
            assert_eq!(
                channel_combination(input.iter().copied()),
                *want,
                "{input:?}"
            );
        }
    }
}
