//! `date_window` against Intercom's day semantics for date filters (RULES.md §3): in the
//! workspace's time zone, `field > v` matches from the start of the local day after `v`'s and
//! `field < v` matches before the start of `v`'s local day.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use shared::intercom::{date_window, Operator, SearchQuery, SearchValue};

/// Zones with DST, half-hour DST (Lord Howe), odd offsets and both extremes of the date line.
const ZONES: &[Tz] = &[
    chrono_tz::UTC,
    chrono_tz::America::New_York,
    chrono_tz::America::St_Johns,
    chrono_tz::America::Santiago,
    chrono_tz::Europe::London,
    chrono_tz::Asia::Kathmandu,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Pacific::Chatham,
    chrono_tz::Pacific::Apia,
    chrono_tz::Pacific::Kiritimati,
    chrono_tz::Pacific::Pago_Pago,
];

fn local_date(t: i64, tz: Tz) -> NaiveDate {
    Utc.timestamp_opt(t, 0)
        .unwrap()
        .with_timezone(&tz)
        .date_naive()
}

/// Whether Intercom, in a workspace in `tz`, matches an object whose field is `x` with `query`.
fn intercom_matches(query: &SearchQuery, x: i64, tz: Tz) -> bool {
    match query {
        SearchQuery::Group { value, .. } => value.iter().all(|q| intercom_matches(q, x, tz)),
        SearchQuery::Filter {
            operator,
            value: SearchValue::Integer(v),
            ..
        } => match operator {
            Operator::Gt => local_date(x, tz) > local_date(*v, tz),
            Operator::Lt => local_date(x, tz) < local_date(*v, tz),
            other => panic!("date_window should only use > and <, got {other:?}"),
        },
        other => panic!("unexpected query {other:?}"),
    }
}

fn ts(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp()
}

/// 2000-01-01 .. 2040-01-01, unix seconds.
const RANGE: std::ops::Range<i64> = 946_684_800..2_208_988_800;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn widened_window_covers_every_instant_in_every_zone(
        from in RANGE,
        span in 0i64..400 * 86_400,
        at in 0.0f64..=1.0,
        zone in 0..ZONES.len(),
    ) {
        let to = from + span;
        let tz = ZONES[zone];
        let query = date_window("updated_at", from, to);
        let inside = from + (span as f64 * at) as i64;
        for x in [from, to, inside] {
            prop_assert!(intercom_matches(&query, x, tz), "{x} not matched in {tz} for [{from}, {to}]");
        }
    }

    /// Instants on the DST days themselves, where a day is 23 or 25 hours long.
    #[test]
    fn covers_windows_that_start_or_end_on_dst_days(
        day in prop::sample::select(vec![
            "2024-11-03T00:00:00-04:00", // New York fall-back (25 h)
            "2024-03-10T00:00:00-05:00", // New York spring-forward (23 h)
            "2024-10-27T00:00:00+01:00", // London fall-back
            "2024-04-07T00:00:00+11:00", // Lord Howe, half-hour fall-back
        ]),
        offset in 0i64..25 * 3600,
        span in 0i64..3 * 86_400,
        zone in 0..ZONES.len(),
    ) {
        let tz = ZONES[zone];
        let from = ts(day) + offset;
        for (from, to) in [(from, from + span), (from - span, from)] {
            let query = date_window("custom_attributes.Enrolled Date", from, to);
            prop_assert!(intercom_matches(&query, from, tz) && intercom_matches(&query, to, tz));
        }
    }
}

/// Why the margin is two days: on New York's 25-hour fall-back day, an instant late in the day
/// minus 86,400 s is still that day, so `> from - 1d` would start the next day, after `from`.
#[test]
fn one_day_of_margin_misses_the_end_of_a_fall_back_day() {
    let tz = chrono_tz::America::New_York;
    let from = ts("2024-11-03T23:30:00-05:00");
    let one_day = SearchQuery::field("updated_at").gt(from - 86_400);
    assert!(!intercom_matches(&one_day, from, tz));
    assert!(intercom_matches(
        &date_window("updated_at", from, from),
        from,
        tz
    ));
}
