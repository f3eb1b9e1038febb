//! The scored week (ENGAGEMENT-RANKER.md §1): the last complete Sunday–Saturday week in the
//! reporting zone (America/New_York) before as-of, `[Sunday 00:00, next Sunday 00:00)` local,
//! whatever the DST state.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

/// One Sunday–Saturday week of local dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Week {
    /// The Sunday the week starts on (local date).
    pub start: NaiveDate,
}

impl Week {
    /// The week starting on `start`; `Err` naming why when `start` is not a Sunday.
    pub fn starting(start: NaiveDate) -> Result<Self, String> {
        if start.weekday() == Weekday::Sun {
            Ok(Self { start })
        } else {
            Err(format!(
                "must be a Sunday ({start} is a {})",
                start.format("%A")
            ))
        }
    }

    /// The week's Saturday (local date, inclusive).
    pub fn last_day(self) -> NaiveDate {
        self.start + Days::new(6)
    }

    /// The next Sunday: the week is `[start, end)`.
    pub fn end(self) -> NaiveDate {
        self.start + Days::new(7)
    }

    /// Whether the local date `date` falls in the week.
    pub fn contains(self, date: NaiveDate) -> bool {
        self.start <= date && date < self.end()
    }

    /// The week's bounds as instants: local midnight of `start` and of `end` in `zone` (a
    /// DST week is 167 or 169 hours long).
    pub fn instants(self, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            local_midnight(self.start, zone),
            local_midnight(self.end(), zone),
        )
    }
}

/// The last complete week before `as_of`: the one ending at the latest local Sunday 00:00 at
/// or before `as_of` in `zone`. On Sunday 06:00 (the schedule) that is the week that ended six
/// hours earlier.
pub fn last_complete_week(as_of: DateTime<Utc>, zone: Tz) -> Week {
    let today = as_of.with_timezone(&zone).date_naive();
    let this_sunday = today - Days::new(u64::from(today.weekday().num_days_from_sunday()));
    Week {
        start: this_sunday - Days::new(7),
    }
}

/// Local midnight of `date` in `zone` as an instant. Zones that skip midnight (none of the
/// reporting zones here) take the first instant of the day.
fn local_midnight(date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    midnight
        .and_local_timezone(zone)
        .earliest()
        .unwrap_or_else(|| {
            (midnight + chrono::Duration::hours(1))
                .and_local_timezone(zone)
                .earliest()
                .expect("an hour after a skipped midnight exists")
        })
        .with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_scheduled_run_scores_the_week_that_just_ended() {
        // (as-of, the Sunday the scored week starts on), hand-computed from a calendar.
        for (as_of, start) in [
            // Sunday 06:00 EST (11:00Z) in winter.
            ("2026-01-11T11:00:00Z", "2026-01-04"),
            // Sunday 06:00 EDT (10:00Z) in summer.
            ("2026-07-12T10:00:00Z", "2026-07-05"),
            // DST starts on Sunday 2026-03-08: the run that morning scores Mar 1–7.
            ("2026-03-08T10:00:00Z", "2026-03-01"),
            // The week containing the spring change (Mar 8–14, 167 hours) a week later.
            ("2026-03-15T10:00:00Z", "2026-03-08"),
            // DST ends on Sunday 2026-11-01: that morning scores Oct 25–31; then Nov 1–7.
            ("2026-11-01T11:00:00Z", "2026-10-25"),
            ("2026-11-08T11:00:00Z", "2026-11-01"),
            // Year ends: the week of Dec 27, 2026 – Jan 2, 2027 straddles them.
            ("2027-01-03T11:00:00Z", "2026-12-27"),
            ("2026-01-04T11:00:00Z", "2025-12-28"),
            // Saturday 23:59 local is still inside the week: the week before is scored.
            ("2026-01-11T04:59:00Z", "2025-12-28"),
            // Sunday 00:00 local exactly completes the week.
            ("2026-01-11T05:00:00Z", "2026-01-04"),
            // Sunday 03:00Z is still Saturday evening in New York.
            ("2026-01-11T03:00:00Z", "2025-12-28"),
            // A mid-week run scores the last complete week.
            ("2026-06-17T15:00:00Z", "2026-06-07"),
        ] {
            assert_eq!(
                last_complete_week(at(as_of), New_York).start,
                d(start),
                "{as_of}"
            );
        }
    }

    #[test]
    fn dst_weeks_have_their_true_length_in_hours() {
        let spring = Week::starting(d("2026-03-08")).unwrap().instants(New_York);
        assert_eq!(spring.0, at("2026-03-08T05:00:00Z"));
        assert_eq!(spring.1, at("2026-03-15T04:00:00Z"));
        assert_eq!((spring.1 - spring.0).num_hours(), 167);
        let fall = Week::starting(d("2026-11-01")).unwrap().instants(New_York);
        assert_eq!((fall.1 - fall.0).num_hours(), 169);
        let plain = Week::starting(d("2026-01-04")).unwrap().instants(New_York);
        assert_eq!((plain.1 - plain.0).num_hours(), 168);
    }

    #[test]
    fn a_week_starts_on_a_sunday() {
        let e = Week::starting(d("2026-03-09")).unwrap_err();
        assert_eq!(e, "must be a Sunday (2026-03-09 is a Monday)");
        let w = Week::starting(d("2026-12-27")).unwrap();
        assert_eq!(w.last_day(), d("2027-01-02"));
        assert!(w.contains(d("2027-01-02")));
        assert!(!w.contains(d("2027-01-03")));
        assert!(!w.contains(d("2026-12-26")));
    }

    proptest! {
        #[test]
        fn the_week_is_complete_and_the_latest_such(secs in 1_577_836_800i64..2_208_988_800i64) {
            let as_of = DateTime::from_timestamp(secs, 0).unwrap();
            let week = last_complete_week(as_of, New_York);
            prop_assert_eq!(week.start.weekday(), Weekday::Sun);
            let (_, end) = week.instants(New_York);
            prop_assert!(end <= as_of, "the week has ended");
            let (_, next_end) = Week { start: week.end() }.instants(New_York);
            prop_assert!(next_end > as_of, "the next week has not");
        }
    }
}
