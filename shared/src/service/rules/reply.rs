//! The reply-gap rule behind `art_seconds` and `response_count` (SERVICE-PERFORMANCE.md §3).
//!
//! Messages are taken in time order ([`super::parts::chronological`]). A contact message starts a
//! wait unless one is already running; a human admin reply ends the running wait, and the gap
//! from its earliest unanswered contact message to the reply is one reply gap. Replies that
//! answer nothing still count as responses. Bot and AI replies neither end a wait nor count, so
//! the wait runs on to the next human reply; notes and events are not messages at all.
//!
//! Where §3 is silent (also in docs/service-performance.md):
//! - Contact authors are `user`, `lead` and `contact`. Their `comment`, `open` (a contact's reply
//!   to a closed conversation arrives as an `open` part) and `quick_reply` parts are contact
//!   messages; their other parts (rating changes, attribute events) are not.
//! - A human reply is a `comment` whose author type is `admin` and that is neither
//!   `from_ai_agent` nor `is_ai_answer`. `bot`, `team` (automations sent on a team's behalf) and
//!   unknown author types are not human.
//! - The source counts as a contact message at `created_at` when its author is a contact; when
//!   its author is missing, when `delivered_as` is `customer_initiated`. An admin-, bot- or
//!   team-authored source (admin-initiated, outbound, Series, custom bots) is not a contact
//!   message and, not being a part, not a response either.
//! - A part without `created_at` cannot be placed in time: it answers nothing and starts no wait,
//!   but a human comment among them still counts as a response.
//! - A contact message still unanswered at the end adds no gap (the wait has no end yet).

use crate::intercom::models::{AuthorType, ConversationPart, ConversationSource, PartType};
use crate::intercom::Conversation;

use super::durations::mean_seconds;
use super::parts::chronological;

/// What a message is to the reply rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// A message from the contact that waits for an answer.
    ContactMessage,
    /// A `comment` by a human admin.
    HumanReply,
    /// Anything else: notes, events, bot and AI messages.
    Neither,
}

/// The role of one conversation part.
pub fn part_role(part: &ConversationPart) -> Role {
    let Some(author) = &part.author else {
        return Role::Neither;
    };
    let kind = part.part_type;
    match author.author_type {
        Some(AuthorType::User | AuthorType::Lead | AuthorType::Contact)
            if matches!(
                kind,
                Some(PartType::Comment | PartType::Open | PartType::QuickReply)
            ) =>
        {
            Role::ContactMessage
        }
        Some(AuthorType::Admin)
            if kind == Some(PartType::Comment)
                && author.from_ai_agent != Some(true)
                && author.is_ai_answer != Some(true) =>
        {
            Role::HumanReply
        }
        _ => Role::Neither,
    }
}

/// Whether the source (the opening message) is a contact's message: its author is a `user`,
/// `lead` or `contact`; with no author type, whether `delivered_as` is `customer_initiated`.
pub fn source_is_contact_message(source: &ConversationSource) -> bool {
    match source.author.as_ref().and_then(|a| a.author_type) {
        Some(t) => matches!(t, AuthorType::User | AuthorType::Lead | AuthorType::Contact),
        None => source.delivered_as.as_deref() == Some("customer_initiated"),
    }
}

/// When the conversation's opening contact message was sent (unix seconds, `created_at`), or
/// `None` when the source is not a contact's message.
pub fn opening_contact_message(conv: &Conversation) -> Option<i64> {
    conv.source
        .as_ref()
        .filter(|s| source_is_contact_message(s))
        .map(|_| conv.created_at)
}

/// The reply-level figures of one conversation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replies {
    /// Each reply gap in seconds (all hours), in time order; never negative.
    pub gaps: Vec<i64>,
    /// `response_count`: human admin `comment` parts.
    pub response_count: i64,
}

impl Replies {
    /// `art_seconds`: the mean reply gap, rounded to the nearest second; `None` without a gap.
    pub fn art_seconds(&self) -> Option<i64> {
        mean_seconds(&self.gaps)
    }
}

/// The reply gaps and responses of `parts`, with the opening contact message at `opening`
/// (unix seconds; see [`opening_contact_message`]) if it counts. At the same second the opening
/// message comes before every part.
pub fn replies(opening: Option<i64>, parts: &[ConversationPart]) -> Replies {
    let response_count = parts
        .iter()
        .filter(|p| part_role(p) == Role::HumanReply)
        .count();
    let mut timed: Vec<&ConversationPart> =
        parts.iter().filter(|p| p.created_at.is_some()).collect();
    timed.sort_by(|a, b| chronological(a, b).then_with(|| part_role(a).cmp(&part_role(b))));

    let mut messages: Vec<(i64, Role)> = opening
        .map(|t| (t, Role::ContactMessage))
        .into_iter()
        .chain(
            timed
                .iter()
                .filter_map(|p| Some((p.created_at?, part_role(p)))),
        )
        .collect();
    // Stable: the opening message, first in the list, stays before the parts of its second.
    messages.sort_by_key(|&(t, _)| t);

    let mut waiting_since: Option<i64> = None;
    let mut gaps = Vec::new();
    for (t, role) in messages {
        match role {
            Role::ContactMessage => {
                waiting_since.get_or_insert(t);
            }
            Role::HumanReply => {
                if let Some(since) = waiting_since.take() {
                    gaps.push(t.saturating_sub(since));
                }
            }
            Role::Neither => {}
        }
    }
    Replies {
        gaps,
        response_count: i64::try_from(response_count).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::rules::testing::{ai_part, conv, part, shuffle};
    use proptest::prelude::*;
    use serde_json::json;

    /// Replies of a contact-initiated conversation opened at 1_000.
    fn opened(parts: &[ConversationPart]) -> Replies {
        replies(Some(1_000), parts)
    }

    #[test]
    fn one_reply_to_the_opening_message() {
        let r = opened(&[part(1, "comment", 1_090, "admin")]);
        assert_eq!((r.gaps.clone(), r.response_count), (vec![90], 1));
        assert_eq!(r.art_seconds(), Some(90));
    }

    #[test]
    fn the_gap_runs_from_the_earliest_unanswered_contact_message() {
        let r = opened(&[
            part(1, "comment", 1_030, "user"), // a second message while waiting
            part(2, "comment", 1_100, "admin"),
            part(3, "comment", 1_200, "lead"),
            part(4, "comment", 1_210, "contact"),
            part(5, "comment", 1_300, "admin"),
            part(6, "comment", 1_310, "admin"), // a follow-up answers nothing
        ]);
        assert_eq!(r.gaps, [100, 100]);
        assert_eq!(r.response_count, 3);
    }

    #[test]
    fn bots_and_ai_answer_nothing_so_the_gap_runs_to_the_next_human() {
        let r = opened(&[
            part(1, "comment", 1_005, "bot"),
            ai_part(2, 1_010, true, false),
            ai_part(3, 1_020, false, true),
            part(4, "comment", 1_600, "admin"),
        ]);
        assert_eq!((r.gaps.clone(), r.response_count), (vec![600], 1));
    }

    #[test]
    fn notes_and_events_are_not_replies() {
        let r = opened(&[
            part(1, "note", 1_010, "admin"),
            part(2, "assignment", 1_020, "admin"),
            part(3, "close", 1_030, "admin"),
            part(4, "open", 1_040, "admin"),
            part(5, "comment", 1_050, "team"),
        ]);
        assert_eq!((r.gaps.clone(), r.response_count), (vec![], 0));
        assert_eq!(r.art_seconds(), None);
    }

    #[test]
    fn a_reopen_by_the_contact_starts_a_new_wait() {
        let r = opened(&[
            part(1, "comment", 1_060, "admin"),
            part(2, "close", 1_070, "admin"),
            part(3, "open", 5_000, "user"), // the contact writes again
            part(4, "comment", 5_090, "admin"),
        ]);
        assert_eq!(r.gaps, [60, 90]);
        assert_eq!(r.art_seconds(), Some(75));
    }

    #[test]
    fn contact_parts_that_are_not_messages_start_no_wait() {
        let r = replies(
            None,
            &[
                part(1, "conversation_rating_changed", 1_000, "user"),
                part(2, "comment", 1_100, "admin"),
                part(3, "quick_reply", 1_200, "user"),
                part(4, "comment", 1_230, "admin"),
            ],
        );
        assert_eq!(r.gaps, [30]);
    }

    #[test]
    fn admin_initiated_conversations_wait_from_the_first_contact_reply() {
        let c = conv(
            json!({"source": {"type": "email", "delivered_as": "admin_initiated",
                                       "author": {"type": "admin", "id": "7"}}}),
        );
        assert_eq!(opening_contact_message(&c), None);
        let r = replies(
            opening_contact_message(&c),
            &[
                part(1, "comment", 1_500, "admin"), // a follow-up to the outbound
                part(2, "comment", 2_000, "user"),
                part(3, "comment", 2_045, "admin"),
            ],
        );
        assert_eq!((r.gaps.clone(), r.response_count), (vec![45], 2));
    }

    #[test]
    fn which_sources_are_contact_messages() {
        let table = [
            (json!({"author": {"type": "user"}}), true),
            (json!({"author": {"type": "lead"}}), true),
            (json!({"author": {"type": "contact"}}), true),
            (
                json!({"author": {"type": "admin"}, "delivered_as": "customer_initiated"}),
                false,
            ),
            (
                json!({"author": {"type": "bot"}, "delivered_as": "operator_initiated"}),
                false,
            ),
            (json!({"author": {"type": "team"}}), false),
            (json!({"delivered_as": "customer_initiated"}), true),
            (json!({"delivered_as": "automated"}), false),
            (json!({}), false),
        ];
        for (source, want) in table {
            let c = conv(json!({"created_at": 1_000, "source": source}));
            let got = opening_contact_message(&c);
            assert_eq!(got, want.then_some(1_000), "{source}");
        }
        assert_eq!(
            opening_contact_message(&conv(json!({"source": null}))),
            None
        );
    }

    #[test]
    fn a_gap_over_a_day_is_kept() {
        let r = opened(&[part(1, "comment", 1_000 + 3 * 86_400, "admin")]);
        assert_eq!(r.art_seconds(), Some(3 * 86_400));
    }

    #[test]
    fn the_mean_rounds_to_the_nearest_second() {
        let r = opened(&[
            part(1, "comment", 1_001, "admin"),
            part(2, "comment", 1_002, "user"),
            part(3, "comment", 1_004, "admin"),
        ]);
        assert_eq!(r.gaps, [1, 2]);
        assert_eq!(r.art_seconds(), Some(2), "1.5 rounds up");
    }

    #[test]
    fn untimed_parts_answer_nothing_but_count_as_responses() {
        let mut untimed = part(2, "comment", 0, "admin");
        untimed.created_at = None;
        let r = opened(&[untimed, part(3, "comment", 1_050, "admin")]);
        assert_eq!((r.gaps.clone(), r.response_count), (vec![50], 2));
    }

    #[test]
    fn at_the_same_second_the_opening_message_comes_first() {
        let r = opened(&[part(1, "comment", 1_000, "admin")]);
        assert_eq!(r.gaps, [0]);
    }

    #[test]
    fn a_reply_before_the_opening_message_answers_nothing() {
        let r = opened(&[part(1, "comment", 900, "admin")]);
        assert_eq!((r.gaps.clone(), r.response_count), (vec![], 1));
    }

    /// (seconds after the previous message, kind) → parts with ids in time order.
    fn arb_parts() -> impl Strategy<Value = Vec<ConversationPart>> {
        let kind = prop_oneof![
            Just(("comment", "user")),
            Just(("open", "user")),
            Just(("comment", "lead")),
            Just(("comment", "admin")),
            Just(("note", "admin")),
            Just(("comment", "bot")),
            Just(("ai", "admin")),
            Just(("assignment", "admin")),
            Just(("close", "admin")),
        ];
        prop::collection::vec((0i64..5_000, kind), 0..40).prop_map(|steps| {
            let mut t = 1_000;
            steps
                .into_iter()
                .enumerate()
                .map(|(i, (dt, (kind, author)))| {
                    t += dt;
                    let id = i as u32 + 1;
                    if kind == "ai" {
                        ai_part(id, t, true, false)
                    } else {
                        part(id, kind, t, author)
                    }
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn art_lies_between_the_smallest_and_largest_gap(
            parts in arb_parts(), opening in prop::bool::ANY
        ) {
            let r = replies(opening.then_some(1_000), &parts);
            match r.art_seconds() {
                None => prop_assert!(r.gaps.is_empty()),
                Some(art) => {
                    let (lo, hi) = (*r.gaps.iter().min().unwrap(), *r.gaps.iter().max().unwrap());
                    prop_assert!(lo <= art && art <= hi, "{art} outside {lo}..={hi}");
                    prop_assert!(lo >= 0);
                }
            }
        }

        #[test]
        fn response_count_is_the_number_of_human_admin_comments(
            parts in arb_parts(), opening in prop::bool::ANY
        ) {
            let humans = parts.iter().filter(|p| {
                let a = p.author.as_ref().unwrap();
                p.part_type == Some(PartType::Comment)
                    && a.author_type == Some(AuthorType::Admin)
                    && a.from_ai_agent != Some(true)
                    && a.is_ai_answer != Some(true)
            }).count() as i64;
            let r = replies(opening.then_some(1_000), &parts);
            prop_assert_eq!(r.response_count, humans);
            prop_assert!(r.gaps.len() as i64 <= humans, "a gap needs a human reply");
        }

        #[test]
        fn gaps_match_a_simple_model(parts in arb_parts(), opening in prop::bool::ANY) {
            // Model: a human reply answers iff some contact message came after the previous
            // human reply; its gap starts at the first such message.
            let mut expected = Vec::new();
            let mut since = opening.then_some(1_000i64);
            for p in &parts {
                let t = p.created_at.unwrap();
                match part_role(p) {
                    Role::ContactMessage if since.is_none() => since = Some(t),
                    Role::HumanReply => if let Some(s) = since.take() { expected.push(t - s) },
                    _ => {}
                }
            }
            prop_assert_eq!(replies(opening.then_some(1_000), &parts).gaps, expected);
        }

        #[test]
        fn part_order_does_not_matter(
            parts in arb_parts(), seed in any::<u64>(), opening in prop::bool::ANY
        ) {
            let mut shuffled = parts.clone();
            shuffle(&mut shuffled, seed);
            prop_assert_eq!(
                replies(opening.then_some(1_000), &parts),
                replies(opening.then_some(1_000), &shuffled)
            );
        }
    }
}
