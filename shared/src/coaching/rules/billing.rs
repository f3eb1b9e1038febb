//! The billing report's windows (RULES.md §9): the month in the reporting zone, and the engaged
//! window [first day − 56 days, last day] of local dates.

use chrono::{Days, NaiveDate};
use chrono_tz::Tz;

use crate::coaching::rules::thresholds::AT_RISK_DAYS;
use crate::time::{local_date, month_window, start_of_local_day, utc_date, YearMonth};

/// The windows of one billing month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillingWindow {
    pub month: YearMonth,
    /// `[start, end)`, unix seconds: the month's local days in the reporting zone.
    pub month_instants: (i64, i64),
    /// First local date of the engaged window: the month's first day minus 56 days.
    pub engaged_from: NaiveDate,
    /// Last local date of the engaged window: the month's last day.
    pub engaged_to: NaiveDate,
}

impl BillingWindow {
    pub fn new(month: YearMonth, tz: Tz) -> Self {
        let reach = Days::new(AT_RISK_DAYS.unsigned_abs());
        Self {
            month,
            month_instants: month_window(month, tz),
            engaged_from: month
                .first_day()
                .checked_sub_days(reach)
                .expect("months start after year 1"),
            engaged_to: month.last_day(),
        }
    }

    /// `[start, end)`, unix seconds, of the engaged window's local dates, for fetching calls.
    pub fn engaged_instants(&self, tz: Tz) -> (i64, i64) {
        (
            start_of_local_day(self.engaged_from, tz),
            self.month_instants.1,
        )
    }

    /// `isNewParticipant`: the Enrolled Date (unix seconds, read as its UTC date) is in the month.
    pub fn is_new_participant(&self, enrolled_date: i64) -> bool {
        self.month.contains(utc_date(enrolled_date))
    }

    /// `engagedDuringMonth` for one billing call: its session time's local date is in the engaged
    /// window.
    pub fn engages(&self, session_time: i64, tz: Tz) -> bool {
        let date = local_date(session_time, tz);
        self.engaged_from <= date && date <= self.engaged_to
    }

    /// Whether a session time counts for `lastSessionAt` (any billing call up to month end).
    pub fn up_to_month_end(&self, session_time: i64) -> bool {
        session_time < self.month_instants.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_as_of;
    use chrono::Datelike;
    use chrono_tz::America::New_York;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn ts(s: &str) -> i64 {
        parse_as_of(s).unwrap().timestamp()
    }

    #[test]
    fn windows_of_months() {
        let cases = [
            ("2024-03", d(2024, 1, 5), d(2024, 3, 31)),
            ("2024-02", d(2023, 12, 7), d(2024, 2, 29)),
            ("2023-02", d(2022, 12, 7), d(2023, 2, 28)),
            ("2024-01", d(2023, 11, 6), d(2024, 1, 31)),
        ];
        for (m, from, to) in cases {
            let w = BillingWindow::new(m.parse().unwrap(), New_York);
            assert_eq!((w.engaged_from, w.engaged_to), (from, to), "{m}");
            assert_eq!(
                (w.engaged_to - w.engaged_from).num_days() + 1,
                56 + i64::from(w.month.last_day().day()),
                "{m}"
            );
        }
    }

    #[test]
    fn membership() {
        let w = BillingWindow::new("2024-03".parse().unwrap(), New_York);
        // Enrolled Date stored at midnight UTC on March 1st is in March.
        assert!(w.is_new_participant(ts("2024-03-01T00:00:00Z")));
        assert!(w.is_new_participant(ts("2024-03-31T00:00:00Z")));
        assert!(!w.is_new_participant(ts("2024-02-29T00:00:00Z")));
        assert!(!w.is_new_participant(ts("2024-04-01T00:00:00Z")));
        // Calls by New York date.
        assert!(w.engages(ts("2024-01-05T05:00:00Z"), New_York)); // Jan 5 00:00 EST
        assert!(!w.engages(ts("2024-01-05T04:59:59Z"), New_York)); // Jan 4 23:59 EST
        assert!(w.engages(ts("2024-04-01T03:59:59Z"), New_York)); // Mar 31 23:59 EDT
        assert!(!w.engages(ts("2024-04-01T04:00:00Z"), New_York));
        assert!(w.up_to_month_end(ts("2024-04-01T03:59:59Z")));
        assert!(!w.up_to_month_end(ts("2024-04-01T04:00:00Z")));
        assert_eq!(
            w.engaged_instants(New_York),
            (ts("2024-01-05T05:00:00Z"), ts("2024-04-01T04:00:00Z"))
        );
    }
}
