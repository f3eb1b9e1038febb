//! The support team's office hours: Monday–Friday, 08:00–20:00 America/New_York. Intercom's
//! `time_to_admin_reply`, `median_time_to_reply` and `time_to_*_close` subtract the time
//! outside them.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Weekday};
use chrono_tz::America::New_York;

use super::super::timeline::ny_instant;

pub const OPEN_HOUR: u32 = 8;
pub const CLOSE_HOUR: u32 = 20;

fn local_date(t: i64) -> NaiveDate {
    New_York
        .timestamp_opt(t, 0)
        .single()
        .map(|d| d.date_naive())
        .unwrap_or_default()
}

fn is_workday(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// `[open, close)` of a workday, as unix seconds.
fn window(day: NaiveDate) -> (i64, i64) {
    (
        ny_instant(day, OPEN_HOUR, 0),
        ny_instant(day, CLOSE_HOUR, 0),
    )
}

pub fn is_open(t: i64) -> bool {
    let day = local_date(t);
    let (open, close) = window(day);
    is_workday(day) && (open..close).contains(&t)
}

/// `t` itself when the office is open, else the next opening.
pub fn next_open(t: i64) -> i64 {
    if is_open(t) {
        return t;
    }
    let mut day = local_date(t);
    loop {
        let (open, _) = window(day);
        if is_workday(day) && open > t {
            return open;
        }
        day += Duration::days(1);
    }
}

/// Seconds of `[from, to)` that fall within office hours (0 when `to <= from`).
pub fn office_seconds(from: i64, to: i64) -> i64 {
    if to <= from {
        return 0;
    }
    let (mut day, last) = (local_date(from), local_date(to));
    let mut total = 0;
    while day <= last {
        if is_workday(day) {
            let (open, close) = window(day);
            total += (close.min(to) - open.max(from)).max(0);
        }
        day += Duration::days(1);
    }
    total
}

/// The local hour of `t` in New York (for tests and arrival checks).
#[cfg(test)]
pub fn ny_hour(t: i64) -> u32 {
    use chrono::Timelike;
    New_York
        .timestamp_opt(t, 0)
        .single()
        .map(|d| d.hour())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn open_on_weekdays_from_eight_to_eight() {
        // 2025-03-28 is a Friday.
        assert!(is_open(ny_instant(d("2025-03-28"), 8, 0)));
        assert!(is_open(ny_instant(d("2025-03-28"), 19, 59)));
        assert!(!is_open(ny_instant(d("2025-03-28"), 20, 0)));
        assert!(!is_open(ny_instant(d("2025-03-29"), 12, 0)));
        let friday_night = ny_instant(d("2025-03-28"), 21, 0);
        assert_eq!(next_open(friday_night), ny_instant(d("2025-03-31"), 8, 0));
        let early = ny_instant(d("2025-03-31"), 6, 30);
        assert_eq!(next_open(early), ny_instant(d("2025-03-31"), 8, 0));
        assert_eq!(ny_hour(next_open(early)), 8);
    }

    #[test]
    fn office_seconds_skip_nights_and_weekends() {
        let fri_19 = ny_instant(d("2025-03-28"), 19, 0);
        let mon_9 = ny_instant(d("2025-03-31"), 9, 0);
        assert_eq!(office_seconds(fri_19, mon_9), 2 * 3600);
        let tue_10 = ny_instant(d("2025-04-01"), 10, 0);
        assert_eq!(office_seconds(tue_10, tue_10 + 600), 600);
        assert_eq!(office_seconds(tue_10, tue_10), 0);
        assert_eq!(office_seconds(mon_9, tue_10), 11 * 3600 + 2 * 3600);
    }
}
