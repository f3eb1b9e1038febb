//! The duration columns read from `conversation.statistics` (SERVICE-PERFORMANCE.md §2, §3), and
//! the rounding of means. Durations are whole seconds, all hours unless a column says office
//! hours.
//!
//! Where §3 is silent: a duration that comes out negative (a statistic earlier than the one it
//! is measured from, or a negative value sent by Intercom) is inconsistent data and reads as
//! `None`, never as a negative or a zero duration.

use crate::intercom::models::{ConversationState, ConversationStatistics};
use crate::intercom::Conversation;

/// `frt_seconds`: `first_admin_reply_at − first_contact_reply_at`, all hours; `None` when either
/// is missing.
pub fn frt_seconds(stats: Option<&ConversationStatistics>) -> Option<i64> {
    let s = stats?;
    between(s.first_contact_reply_at?, s.first_admin_reply_at?)
}

/// `frt_office_hours_seconds`: `time_to_admin_reply` (Intercom subtracts out-of-office time).
pub fn frt_office_hours_seconds(stats: Option<&ConversationStatistics>) -> Option<i64> {
    non_negative(stats?.time_to_admin_reply?)
}

/// `median_reply_seconds`: `median_time_to_reply` (office hours, Intercom's own median).
pub fn median_reply_seconds(stats: Option<&ConversationStatistics>) -> Option<i64> {
    non_negative(stats?.median_time_to_reply?)
}

/// `aht_seconds`: `handling_time` (API 2.13 and later); `None` when absent. Never derived from
/// `updated_at − created_at`.
pub fn aht_seconds(stats: Option<&ConversationStatistics>) -> Option<i64> {
    non_negative(stats?.handling_time?)
}

/// `wait_time_seconds`: time to assignment, `time_to_assignment`, else
/// `first_assignment_at − first_contact_reply_at`; `None` when never assigned (neither is there).
pub fn wait_time_seconds(stats: Option<&ConversationStatistics>) -> Option<i64> {
    let s = stats?;
    match s.time_to_assignment {
        Some(t) => non_negative(t),
        None => between(s.first_contact_reply_at?, s.first_assignment_at?),
    }
}

/// `time_to_close_seconds`: `last_close_at − started_at` for a closed conversation; `None` when
/// it is open or snoozed, or has no `last_close_at`.
pub fn time_to_close_seconds(conv: &Conversation, started_at: i64) -> Option<i64> {
    if conv.state != ConversationState::Closed {
        return None;
    }
    between(started_at, conv.statistics.as_ref()?.last_close_at?)
}

/// The mean of `seconds`, rounded to the nearest second (halves up); `None` for no values.
pub fn mean_seconds(seconds: &[i64]) -> Option<i64> {
    if seconds.is_empty() {
        return None;
    }
    let n = seconds.len() as i128;
    let sum: i128 = seconds.iter().map(|&s| i128::from(s)).sum();
    // floor((sum + n/2) / n) with exact halves: floor((2·sum + n) / 2n).
    let mean = (2 * sum + n).div_euclid(2 * n);
    Some(i64::try_from(mean).expect("a mean lies between the smallest and largest value"))
}

/// `to − from` in seconds, or `None` when it would be negative.
fn between(from: i64, to: i64) -> Option<i64> {
    non_negative(to.checked_sub(from)?)
}

fn non_negative(seconds: i64) -> Option<i64> {
    (seconds >= 0).then_some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::rules::testing::conv;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    fn stats(v: Value) -> ConversationStatistics {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn frt_needs_both_timestamps() {
        let table = [
            (
                json!({"first_contact_reply_at": 100, "first_admin_reply_at": 160}),
                Some(60),
            ),
            (
                json!({"first_contact_reply_at": 100, "first_admin_reply_at": 100}),
                Some(0),
            ),
            (json!({"first_contact_reply_at": 100}), None),
            (json!({"first_admin_reply_at": 160}), None),
            (
                json!({"first_contact_reply_at": 200, "first_admin_reply_at": 160}),
                None,
            ),
            (json!({}), None),
        ];
        for (v, want) in table {
            assert_eq!(frt_seconds(Some(&stats(v.clone()))), want, "{v}");
        }
        assert_eq!(frt_seconds(None), None, "missing statistics");
    }

    #[test]
    fn office_hours_median_and_aht_are_intercoms_own() {
        let s = stats(
            json!({"time_to_admin_reply": 30, "median_time_to_reply": 45,
                             "handling_time": 2_310, "adjusted_handling_time": 1_800}),
        );
        assert_eq!(frt_office_hours_seconds(Some(&s)), Some(30));
        assert_eq!(median_reply_seconds(Some(&s)), Some(45));
        assert_eq!(aht_seconds(Some(&s)), Some(2_310));
        let empty = stats(json!({}));
        for f in [frt_office_hours_seconds, median_reply_seconds, aht_seconds] {
            assert_eq!(f(Some(&empty)), None);
            assert_eq!(f(None), None);
        }
        let negative = stats(json!({"time_to_admin_reply": -1, "handling_time": -5}));
        assert_eq!(frt_office_hours_seconds(Some(&negative)), None);
        assert_eq!(aht_seconds(Some(&negative)), None);
    }

    #[test]
    fn aht_is_never_derived_from_created_and_updated() {
        let c = conv(json!({"created_at": 1_000, "updated_at": 9_000,
                            "statistics": {"last_close_at": 5_000}}));
        assert_eq!(aht_seconds(c.statistics.as_ref()), None);
    }

    #[test]
    fn wait_time_prefers_time_to_assignment() {
        let table = [
            (
                json!({"time_to_assignment": 600, "first_contact_reply_at": 100,
                    "first_assignment_at": 200}),
                Some(600),
            ),
            (json!({"time_to_assignment": 0}), Some(0)),
            (
                json!({"first_contact_reply_at": 100, "first_assignment_at": 250}),
                Some(150),
            ),
            (json!({"first_assignment_at": 250}), None),
            (json!({"first_contact_reply_at": 100}), None), // never assigned
            (json!({}), None),
        ];
        for (v, want) in table {
            assert_eq!(wait_time_seconds(Some(&stats(v.clone()))), want, "{v}");
        }
        assert_eq!(wait_time_seconds(None), None);
    }

    #[test]
    fn time_to_close_only_for_closed_conversations() {
        let table = [
            ("closed", json!({"last_close_at": 1_900}), Some(900)),
            ("closed", json!({"last_close_at": 900}), None),
            ("closed", json!({}), None),
            ("closed", json!(null), None),
            ("open", json!({"last_close_at": 1_900}), None), // reopened since
            ("snoozed", json!({"last_close_at": 1_900}), None),
        ];
        for (state, st, want) in table {
            let c = conv(json!({"state": state, "statistics": st}));
            assert_eq!(time_to_close_seconds(&c, 1_000), want, "{state} {st}");
        }
    }

    #[test]
    fn means_round_halves_up() {
        assert_eq!(mean_seconds(&[]), None);
        assert_eq!(mean_seconds(&[7]), Some(7));
        assert_eq!(mean_seconds(&[1, 2]), Some(2));
        assert_eq!(mean_seconds(&[1, 1, 2]), Some(1));
        assert_eq!(mean_seconds(&[1, 2, 2]), Some(2));
        assert_eq!(mean_seconds(&[i64::MAX, i64::MAX]), Some(i64::MAX));
    }

    proptest! {
        #[test]
        fn the_mean_is_the_nearest_second(xs in prop::collection::vec(0i64..10_000_000, 1..50)) {
            let m = mean_seconds(&xs).unwrap();
            let exact = xs.iter().sum::<i64>() as f64 / xs.len() as f64;
            prop_assert!((m as f64 - exact).abs() <= 0.5 + 1e-9);
            prop_assert!(*xs.iter().min().unwrap() <= m && m <= *xs.iter().max().unwrap());
        }
    }
}
