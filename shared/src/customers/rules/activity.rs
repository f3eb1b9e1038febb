//! Support activity of one contact (CUSTOMER-SYNC.md §2, "Support activity"), from the
//! conversations that conversation search returns for it by `contact_ids`, with parts where they
//! were fetched.
//!
//! Decisions where the rules are silent (also in docs/customer-sync.md):
//! - "Within 30 days of as-of" is `[as-of − 30 × 86,400 s, as-of]`, both ends inclusive; a
//!   conversation or message after as-of (a replay with a past `asOf`) is not recent.
//! - A conversation's parts are read only when `statistics.last_contact_reply_at` is recent and
//!   is not the contact-written source itself (or the conversation has no statistics and was
//!   updated within the window): only then can a contact message in a part be recent. The source
//!   is read from the search result.
//! - A message is the contact's when its author is a user, lead or contact with the contact's id
//!   (or no id, when the conversation has this one contact). Notes, admin and bot messages never
//!   count.
//! - CSAT is rounded half-even to 2 decimals.

use super::keywords::KeywordMatcher;
use super::money::ExactCents;
use crate::customers::models::{written_by, SupportConversation};
use crate::intercom::models::AuthorType;

/// Days of 24 hours back from as-of that count as recent.
pub const RECENT_DAYS: i64 = 30;

/// The first recent instant (unix seconds): `as_of − 30 × 86,400`.
pub fn recent_from(as_of: i64) -> i64 {
    as_of - RECENT_DAYS * 86_400
}

fn recent(t: i64, as_of: i64) -> bool {
    (recent_from(as_of)..=as_of).contains(&t)
}

/// The support columns of one contact.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    /// `intercom_convos_total`: conversations of the contact, all time.
    pub convos_total: i32,
    /// `intercom_convos_30d`: those created within 30 days of as-of.
    pub convos_30d: i32,
    /// `open_tickets`: those with `state = open`.
    pub open_tickets: i32,
    /// `csat_score` in hundredths (4.33 → 433); `None` when none is rated.
    pub csat_hundredths: Option<i32>,
    /// `mentioned_cancel`.
    pub mentioned_cancel: bool,
}

/// Whether the parts of `c` must be read to know whether the contact wrote in the last 30 days:
/// its last contact message (`statistics.last_contact_reply_at`) is recent and is not the source
/// itself (a contact-written source at `created_at` is read from the search result).
pub fn needs_parts(c: &SupportConversation, as_of: i64) -> bool {
    let contact_source = c
        .source
        .as_ref()
        .and_then(|s| s.author.as_ref())
        .is_some_and(|a| {
            matches!(
                a.author_type,
                Some(AuthorType::User | AuthorType::Lead | AuthorType::Contact)
            )
        });
    match c.statistics.as_ref().and_then(|s| s.last_contact_reply_at) {
        Some(t) => recent(t, as_of) && !(contact_source && t == c.created_at),
        None => c.updated_at >= recent_from(as_of),
    }
}

/// Whether `c` has a recent message by `contact_id` that mentions a keyword: the source (when the
/// contact wrote it) and, when fetched, the parts.
pub fn mentions_cancel(
    c: &SupportConversation,
    contact_id: &str,
    matcher: &KeywordMatcher,
    as_of: i64,
) -> bool {
    let sole = c.contacts.contacts.len() == 1;
    let source = c.source.as_ref().is_some_and(|s| {
        recent(c.created_at, as_of)
            && written_by(s.author.as_ref(), contact_id, sole)
            && s.body.as_ref().is_some_and(|b| matcher.matches(&b.0))
    });
    source
        || c.conversation_parts.iter().flat_map(|p| &p.parts).any(|p| {
            p.part_type.as_deref() != Some("note")
                && p.created_at.is_some_and(|t| recent(t, as_of))
                && written_by(p.author.as_ref(), contact_id, sole)
                && p.body.as_ref().is_some_and(|b| matcher.matches(&b.0))
        })
}

/// The support columns of `contact_id` from `conversations` (those not naming the contact are
/// ignored; each conversation counted once).
pub fn activity<'a>(
    contact_id: &str,
    conversations: impl IntoIterator<Item = &'a SupportConversation>,
    matcher: &KeywordMatcher,
    as_of: i64,
) -> Activity {
    let mut a = Activity::default();
    let mut seen = std::collections::HashSet::new();
    let (mut rated, mut rating_sum) = (0i64, 0i64);
    for c in conversations {
        if !c.contact_ids().any(|id| id == contact_id) || !seen.insert(c.id.as_str()) {
            continue;
        }
        a.convos_total += 1;
        if recent(c.created_at, as_of) {
            a.convos_30d += 1;
        }
        if c.state.as_deref() == Some("open") {
            a.open_tickets += 1;
        }
        if let Some(r) = c.conversation_rating.as_ref().and_then(|r| r.rating) {
            rated += 1;
            rating_sum += r;
        }
        a.mentioned_cancel |= mentions_cancel(c, contact_id, matcher, as_of);
    }
    a.csat_hundredths = (rated > 0).then(|| {
        ExactCents::ratio(i128::from(rating_sum) * 100, i128::from(rated)).round_half_even() as i32
    });
    a
}

#[cfg(test)]
#[path = "activity_tests.rs"]
mod tests;
