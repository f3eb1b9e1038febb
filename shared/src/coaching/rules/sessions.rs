//! The per-contact aggregation of the session indexer (RULES.md §5 steps 1–2, 4): newest
//! qualifying call, newest phone call and earliest qualifying call of each contact.

use std::collections::BTreeMap;

use crate::coaching::config::Config;
use crate::coaching::rules::classes::{is_phone_call, is_qualifying_call, session_time};
use crate::intercom::models::Conversation;

/// What one run saw for one contact; session times in unix seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContactCalls {
    /// Session time of the newest qualifying coaching call among the scanned conversations.
    pub newest_qualifying: Option<i64>,
    /// Session time of the newest phone call among the scanned conversations.
    pub newest_phone: Option<i64>,
    /// Session time of the earliest qualifying coaching call among the scanned conversations.
    pub first_qualifying: Option<i64>,
}

/// Streaming accumulator over the conversations a run scans: feed every conversation with
/// [`CallIndex::add`] (duplicates across pages are harmless), then take the map.
#[derive(Debug, Clone)]
pub struct CallIndex {
    not_after: i64,
    calls: BTreeMap<String, ContactCalls>,
}

impl CallIndex {
    /// `not_after` = as-of, unix seconds. The scan selects conversations *updated* in the
    /// lookback window; each counts with its session time, even when the call was held before
    /// the window (e.g. tagged later): dates never move backwards, so an old call is harmless,
    /// and dropping it would lose a member's only call. Sessions after as-of are ignored, so a
    /// run with a past as-of is reproducible.
    pub fn new(not_after: i64) -> Self {
        Self {
            not_after,
            calls: BTreeMap::new(),
        }
    }

    /// Counts `conv` for every contact in `conv.contacts.contacts`.
    pub fn add(&mut self, conv: &Conversation, config: &Config) {
        let t = session_time(conv);
        if t > self.not_after {
            return;
        }
        let qualifying = is_qualifying_call(conv, config);
        let phone = is_phone_call(conv, config);
        if !qualifying && !phone {
            return;
        }
        for id in conv.contact_ids() {
            let entry = self.calls.entry(id.to_string()).or_default();
            if qualifying {
                entry.newest_qualifying = Some(entry.newest_qualifying.map_or(t, |n| n.max(t)));
                entry.first_qualifying = Some(entry.first_qualifying.map_or(t, |n| n.min(t)));
            }
            if phone {
                entry.newest_phone = Some(entry.newest_phone.map_or(t, |n| n.max(t)));
            }
        }
    }

    /// Folds `other` (an index of other conversations, same `not_after`) into this one: newest
    /// times by max, earliest by min, so indexing slices apart and merging gives the index of
    /// all of them. Lets each time slice keep only its small per-contact aggregate instead of
    /// its conversations.
    pub fn merge(&mut self, other: CallIndex) {
        let later = |a: Option<i64>, b: Option<i64>| a.max(b);
        let earlier = |a: Option<i64>, b: Option<i64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        for (id, theirs) in other.calls {
            let mine = self.calls.entry(id).or_default();
            mine.newest_qualifying = later(mine.newest_qualifying, theirs.newest_qualifying);
            mine.newest_phone = later(mine.newest_phone, theirs.newest_phone);
            mine.first_qualifying = earlier(mine.first_qualifying, theirs.first_qualifying);
        }
    }

    /// Contact id → what was seen; only contacts with at least one counted call.
    pub fn into_map(self) -> BTreeMap<String, ContactCalls> {
        self.calls
    }
}

/// The earliest qualifying coaching call of `contact_id` among `convs` (its whole history, for
/// `First Session Date`), ignoring sessions after `not_after` (as-of, unix seconds) so that a
/// run with a past as-of is reproducible.
pub fn earliest_qualifying<'a>(
    convs: impl IntoIterator<Item = &'a Conversation>,
    contact_id: &str,
    not_after: i64,
    config: &Config,
) -> Option<i64> {
    convs
        .into_iter()
        .filter(|c| c.contact_ids().any(|id| id == contact_id))
        .filter(|c| is_qualifying_call(c, config))
        .map(session_time)
        .filter(|t| *t <= not_after)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coaching::rules::classes::tests::conv;
    use serde_json::json;

    const HC: &str = "Health Coaching 001";

    fn call(
        id: &str,
        contacts: &[&str],
        state: &str,
        channel: &str,
        code: Option<&str>,
        close: i64,
    ) -> Conversation {
        let mut attrs = json!({"Channel": channel});
        if let Some(code) = code {
            attrs["Service Code"] = json!(code);
        }
        let contacts: Vec<_> = contacts.iter().map(|c| json!({"id": c})).collect();
        conv(json!({
            "id": id, "state": state, "created_at": close - 50, "updated_at": close + 10,
            "statistics": {"last_close_at": close},
            "contacts": {"contacts": contacts},
            "custom_attributes": attrs,
        }))
    }

    #[test]
    fn aggregates_per_contact() {
        let cfg = Config::default();
        let convs = [
            call("1", &["a"], "closed", "Phone", Some(HC), 1_000),
            call("2", &["a"], "closed", "Video Conference", Some(HC), 1_500),
            call("3", &["a"], "closed", "Phone", None, 1_800), // phone, not qualifying
            call("4", &["a", "b"], "closed", "Phone", Some(HC), 1_200), // two contacts
            call("5", &["b"], "open", "Phone", Some(HC), 1_900), // open phone: created_at 1_850
            call("6", &["c"], "closed", "Email", Some(HC), 1_300), // neither
            call("7", &["d"], "closed", "Video Conference", Some(HC), 500), // held before the window
            call("8", &["d"], "closed", "Phone", Some(HC), 2_500),          // after as-of
            call("2", &["a"], "closed", "Video Conference", Some(HC), 1_500), // duplicate page
        ];
        let mut index = CallIndex::new(2_000);
        for c in &convs {
            index.add(c, &cfg);
        }
        let map = index.into_map();
        assert_eq!(
            map.get("a"),
            Some(&ContactCalls {
                newest_qualifying: Some(1_500),
                newest_phone: Some(1_800),
                first_qualifying: Some(1_000)
            })
        );
        assert_eq!(
            map.get("b"),
            Some(&ContactCalls {
                newest_qualifying: Some(1_200),
                newest_phone: Some(1_850),
                first_qualifying: Some(1_200)
            })
        );
        assert_eq!(map.get("c"), None);
        assert_eq!(
            map.get("d"),
            Some(&ContactCalls {
                newest_qualifying: Some(500),
                newest_phone: None,
                first_qualifying: Some(500)
            }),
            "a call held before the window but updated in it counts; one after as-of does not"
        );
        assert_eq!(map.len(), 3);
    }

    #[test]
    fn sessions_after_as_of_are_ignored() {
        let cfg = Config::default();
        let mut index = CallIndex::new(2_000);
        index.add(&call("1", &["a"], "closed", "Phone", Some(HC), 1_000), &cfg);
        index.add(&call("2", &["b"], "closed", "Phone", Some(HC), 2_000), &cfg);
        index.add(&call("3", &["c"], "closed", "Phone", Some(HC), 999), &cfg);
        index.add(&call("4", &["d"], "closed", "Phone", Some(HC), 2_001), &cfg);
        let keys: Vec<_> = index.into_map().into_keys().collect();
        assert_eq!(keys, ["a", "b", "c"]);
    }

    #[test]
    fn earliest_qualifying_over_history() {
        let cfg = Config::default();
        let convs = [
            call("1", &["a"], "closed", "Phone", Some(HC), 5_000),
            call(
                "2",
                &["a", "b"],
                "closed",
                "Video Conference",
                Some(HC),
                3_000,
            ),
            call("3", &["a"], "closed", "Phone", None, 1_000), // not qualifying
            call("4", &["a"], "open", "Phone", Some(HC), 500), // not closed
            call("5", &["b"], "closed", "Phone", Some(HC), 2_000),
            call("6", &["a"], "closed", "Phone", Some(HC), 9_000),
        ];
        assert_eq!(
            earliest_qualifying(&convs, "a", i64::MAX, &cfg),
            Some(3_000)
        );
        assert_eq!(
            earliest_qualifying(&convs, "b", i64::MAX, &cfg),
            Some(2_000)
        );
        assert_eq!(earliest_qualifying(&convs, "b", 1_999, &cfg), None);
        assert_eq!(earliest_qualifying(&convs, "z", i64::MAX, &cfg), None);
    }

    proptest::proptest! {
        #[test]
        fn merging_slice_indexes_equals_indexing_everything(
            calls in proptest::collection::vec(
                (0usize..4, proptest::sample::select(vec!["Phone", "Video Conference", "Email"]),
                 proptest::bool::ANY, 0i64..1_000),
                0..40,
            ),
            cut in 0usize..40,
        ) {
            let cfg = Config::default();
            let convs: Vec<Conversation> = calls
                .iter()
                .enumerate()
                .map(|(i, (who, channel, closed, at))| {
                    let state = if *closed { "closed" } else { "open" };
                    call(&i.to_string(), &[["a", "b", "c", "d"][*who]], state, channel, Some(HC), *at)
                })
                .collect();
            let mut whole = CallIndex::new(900);
            for c in &convs {
                whole.add(c, &cfg);
            }
            let cut = cut.min(convs.len());
            let (mut first, mut second) = (CallIndex::new(900), CallIndex::new(900));
            for c in &convs[..cut] {
                first.add(c, &cfg);
            }
            for c in &convs[cut..] {
                second.add(c, &cfg);
            }
            first.merge(second);
            proptest::prop_assert_eq!(first.into_map(), whole.into_map());
        }
    }
}
