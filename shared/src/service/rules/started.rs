//! When a conversation started, and its local date and hour in the reporting zone
//! (SERVICE-PERFORMANCE.md §2). Every daily and hourly figure dates a conversation by this.

use chrono::{Datelike, NaiveDate, Timelike};
use chrono_tz::Tz;

use crate::intercom::Conversation;
use crate::time;

/// `started_at`, unix seconds: `statistics.first_contact_reply_at` when present, else
/// `created_at` (§2; Intercom's own reports date by start).
pub fn started_at(conv: &Conversation) -> i64 {
    conv.statistics
        .as_ref()
        .and_then(|s| s.first_contact_reply_at)
        .unwrap_or(conv.created_at)
}

/// A start instant seen on the wall clock of the reporting zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalStart {
    /// The local calendar date of the start.
    pub date: NaiveDate,
    /// The local hour of the start, 0–23. On a fall-back day the repeated hour is reported once
    /// for each of its two instants (both read as, e.g., 1); on a spring-forward day the skipped
    /// hour never occurs.
    pub hour: u32,
    /// The local weekday, 0 = Sunday … 6 = Saturday (`service_hourly_volume.day_of_week`).
    pub day_of_week: u32,
}

/// The local date, hour and weekday of `started_at` (unix seconds) in `tz`.
pub fn local_start(started_at: i64, tz: Tz) -> LocalStart {
    let local = time::instant(started_at).with_timezone(&tz);
    LocalStart {
        date: local.date_naive(),
        hour: local.hour(),
        day_of_week: local.weekday().num_days_from_sunday(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::rules::testing::conv;
    use chrono_tz::America::New_York;
    use proptest::prelude::*;
    use serde_json::json;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn starts_at_the_first_contact_reply_else_at_creation() {
        for (stats, want) in [
            (json!({"first_contact_reply_at": 1_500}), 1_500),
            (json!({"first_contact_reply_at": null}), 1_000),
            (json!({}), 1_000),
            (json!(null), 1_000),
        ] {
            let c = conv(json!({"created_at": 1_000, "statistics": stats}));
            assert_eq!(started_at(&c), want, "{stats}");
        }
    }

    #[test]
    fn local_date_and_hour_across_dst() {
        // 2024-11-03: New York falls back at 02:00 EDT → 01:00 EST, so 01:30 happens twice.
        // 2024-03-10: it springs forward at 02:00 EST → 03:00 EDT, so 02:xx never happens.
        let table = [
            // (UTC instant, local date, local hour, weekday; what it is)
            ("2024-11-03T05:30:00Z", d(2024, 11, 3), 1, 0), // 01:30 EDT, first pass
            ("2024-11-03T06:30:00Z", d(2024, 11, 3), 1, 0), // 01:30 EST, second pass
            ("2024-11-03T04:59:59Z", d(2024, 11, 3), 0, 0), // 00:59:59 EDT
            ("2024-11-03T03:59:59Z", d(2024, 11, 2), 23, 6), // 23:59:59 EDT the day before
            ("2024-11-04T04:59:59Z", d(2024, 11, 3), 23, 0), // 23:59:59 EST, a 25-hour day ends
            ("2024-03-10T06:30:00Z", d(2024, 3, 10), 1, 0), // 01:30 EST
            ("2024-03-10T07:00:00Z", d(2024, 3, 10), 3, 0), // 03:00 EDT, 02:00 skipped
            ("2024-03-10T07:30:00Z", d(2024, 3, 10), 3, 0), // 03:30 EDT
            ("2024-03-10T04:59:59Z", d(2024, 3, 9), 23, 6), // 23:59:59 EST the day before
            ("2024-03-11T03:59:59Z", d(2024, 3, 10), 23, 0), // 23:59:59 EDT, a 23-hour day ends
            ("2024-07-01T03:30:00Z", d(2024, 6, 30), 23, 0), // UTC is already the next day
        ];
        for (utc, date, hour, dow) in table {
            let ts = time::parse_as_of(utc).unwrap().timestamp();
            let got = local_start(ts, New_York);
            assert_eq!(
                got,
                LocalStart {
                    date,
                    hour,
                    day_of_week: dow
                },
                "{utc}"
            );
        }
    }

    #[test]
    fn a_conversation_started_in_the_repeated_hour_is_dated_by_its_first_contact_reply() {
        // Created 00:50 EDT, first contact reply 01:30 EST (the second 01:30).
        let created = time::parse_as_of("2024-11-03T04:50:00Z")
            .unwrap()
            .timestamp();
        let first = time::parse_as_of("2024-11-03T06:30:00Z")
            .unwrap()
            .timestamp();
        let c = conv(json!({"created_at": created,
                            "statistics": {"first_contact_reply_at": first}}));
        let local = local_start(started_at(&c), New_York);
        assert_eq!((local.date, local.hour), (d(2024, 11, 3), 1));
    }

    proptest! {
        #[test]
        fn local_start_agrees_with_the_platform_local_date(ts in -2_000_000_000i64..4_000_000_000) {
            let local = local_start(ts, New_York);
            prop_assert_eq!(local.date, time::local_date(ts, New_York));
            prop_assert!(local.hour < 24 && local.day_of_week < 7);
            prop_assert_eq!(local.day_of_week, local.date.weekday().num_days_from_sunday());
        }
    }
}
