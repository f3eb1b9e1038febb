//! Calendar arithmetic every system uses: local dates in a reporting time zone, whole calendar
//! days between dates (`days(x)` of RULES.md §2), lookback and month windows, RFC 3339 and
//! `YYYY-MM-DD` text.
//!
//! A day starts at its first instant: the earlier midnight when midnight repeats, the transition
//! when midnight is skipped ([`start_of_local_day`]).
//!
//! Instants are unix seconds (UTC, as Intercom sends them); dates are [`NaiveDate`]s. An instant
//! outside chrono's range (about ±262,000 years) is clamped to the nearest representable one, so
//! a garbage attribute value gives an absurd date instead of a panic.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The instant `ts` (unix seconds) as a UTC date-time, clamped to chrono's range.
pub fn instant(ts: i64) -> DateTime<Utc> {
    // Two days inside chrono's range, so that converting to any zone cannot overflow.
    const MARGIN: i64 = 2 * 86_400;
    let min = DateTime::<Utc>::MIN_UTC.timestamp() + MARGIN;
    let max = DateTime::<Utc>::MAX_UTC.timestamp() - MARGIN;
    DateTime::from_timestamp(ts.clamp(min, max), 0).expect("clamped into chrono's range")
}

/// The calendar date of the instant `ts` (unix seconds) in the time zone `tz`.
pub fn local_date(ts: i64, tz: Tz) -> NaiveDate {
    local_date_of(instant(ts), tz)
}

/// The calendar date of `at` in the time zone `tz`.
pub fn local_date_of(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The UTC calendar date of `ts` (unix seconds): how date-only attributes (`Enrolled Date`,
/// `Registration Date`, `Date of Birth`) are read, since upstream stores them at midnight UTC
/// (RULES.md §2).
pub fn utc_date(ts: i64) -> NaiveDate {
    instant(ts).date_naive()
}

/// Unix seconds of midnight UTC of `date`: how date-only attributes (Enrolled Date, Registration
/// Date, Date of Birth) are stored.
pub fn utc_midnight(date: NaiveDate) -> i64 {
    date.and_time(chrono::NaiveTime::MIN).and_utc().timestamp()
}

/// `days(ts)` of RULES.md §2: whole calendar days from the local date of `ts` to the local date
/// of `as_of`, both in `tz`. Same day = 0; negative when `ts` is on a later local date.
pub fn days_since(ts: i64, as_of: DateTime<Utc>, tz: Tz) -> i64 {
    days_since_date(local_date(ts, tz), as_of, tz)
}

/// `days(date)` for a date-only value: whole days from `date` to the local date of `as_of` in `tz`.
pub fn days_since_date(date: NaiveDate, as_of: DateTime<Utc>, tz: Tz) -> i64 {
    (local_date_of(as_of, tz) - date).num_days()
}

/// The first instant (unix seconds) of the local date `date` in `tz`.
///
/// Usually local midnight. When midnight is repeated (a fall-back at midnight) it is the earlier
/// one; when midnight is skipped (a spring-forward at midnight, e.g. `America/Havana`) it is the
/// instant of the transition, whose local time is the end of the gap.
pub fn start_of_local_day(date: NaiveDate, tz: Tz) -> i64 {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    if let Some(t) = tz.from_local_datetime(&midnight).earliest() {
        return t.timestamp();
    }
    first_instant_on_or_after(date, midnight, tz)
}

/// Binary search for the smallest instant whose local date is `date` or later. Local dates are
/// non-decreasing in the instant, and every UTC offset is within ±26 hours.
fn first_instant_on_or_after(date: NaiveDate, midnight: NaiveDateTime, tz: Tz) -> i64 {
    const REACH: i64 = 36 * 3600;
    let guess = midnight.and_utc().timestamp();
    let (mut lo, mut hi) = (guess - REACH, guess + REACH);
    // Invariant: local_date(lo) < date <= local_date(hi).
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if local_date(mid, tz) >= date {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// The lookback window `[start, end]` (unix seconds, both inclusive) of `lookback_days` days
/// before `as_of`: `start` is the first instant of the local date `lookback_days` days before
/// as-of's local date, `end` is `as_of`. For every `x <= as_of`,
/// `days_since(x) <= lookback_days` exactly when `x` is in the window.
pub fn lookback_window(as_of: DateTime<Utc>, lookback_days: u32, tz: Tz) -> (i64, i64) {
    let first_day = days_before(local_date_of(as_of, tz), lookback_days);
    (start_of_local_day(first_day, tz), as_of.timestamp())
}

/// `date` minus `days`, saturating at chrono's earliest date.
pub fn days_before(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_sub_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MIN)
}

/// A calendar month, parsed from `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

/// A string that is not a `YYYY-MM` month.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a month as YYYY-MM")]
pub struct InvalidMonth;

impl YearMonth {
    /// The month `month` (1–12) of `year` (1–9999).
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month })
    }

    /// The month containing `date`.
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// 1–12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a valid month has a first day")
    }

    /// The last day of the month (28th to 31st).
    pub fn last_day(self) -> NaiveDate {
        self.next()
            .first_day()
            .pred_opt()
            .expect("a month has a day before the next month")
    }

    /// The month after this one.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// Whether `date` lies in this month.
    pub fn contains(self, date: NaiveDate) -> bool {
        Self::of(date) == self
    }
}

impl FromStr for YearMonth {
    type Err = InvalidMonth;

    fn from_str(s: &str) -> Result<Self, InvalidMonth> {
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' {
            return Err(InvalidMonth);
        }
        let digits = |r: std::ops::Range<usize>| {
            b[r.clone()]
                .iter()
                .all(u8::is_ascii_digit)
                .then(|| s[r].parse::<u32>().ok())
                .flatten()
        };
        let (year, month) = (
            digits(0..4).ok_or(InvalidMonth)?,
            digits(5..7).ok_or(InvalidMonth)?,
        );
        Self::new(year as i32, month).ok_or(InvalidMonth)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The month's window `[start, end)` (unix seconds, half-open): from the first instant of its
/// first local day to the first instant of the next month's first local day, in `tz`.
pub fn month_window(month: YearMonth, tz: Tz) -> (i64, i64) {
    (
        start_of_local_day(month.first_day(), tz),
        start_of_local_day(month.next().first_day(), tz),
    )
}

/// `date` as `YYYY-MM-DD`.
pub fn ymd(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// A strict `YYYY-MM-DD` date (exactly ten characters, zero-padded).
pub fn parse_ymd(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// An RFC 3339 instant (`2024-03-10T12:00:00Z`, `2024-03-10T08:00:00-04:00`) as UTC.
pub fn parse_as_of(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc))
}

/// `at` as RFC 3339 in UTC with a `Z` and whole seconds, e.g. `2024-03-10T12:00:00Z`.
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        parse_as_of(s).unwrap()
    }

    fn ts(s: &str) -> i64 {
        at(s).timestamp()
    }

    #[test]
    fn days_since_counts_calendar_days_in_the_zone() {
        // (x, as_of, expected days)
        let cases = [
            // Same local day, different times.
            ("2024-01-15T05:00:00Z", "2024-01-16T04:59:59Z", 0),
            // Across local midnight by one second.
            ("2024-01-16T04:59:59Z", "2024-01-16T05:00:00Z", 1),
            // Same UTC day, but different New York days.
            ("2024-01-16T03:00:00Z", "2024-01-16T06:00:00Z", 1),
            // Spring forward: 2024-03-10 is 23 hours long in New York.
            ("2024-03-10T05:00:00Z", "2024-03-11T03:59:59Z", 0),
            ("2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z", 1),
            ("2024-03-09T23:30:00Z", "2024-03-11T04:00:00Z", 2),
            // Fall back: 2024-11-03 is 25 hours long in New York.
            ("2024-11-03T04:00:00Z", "2024-11-04T04:59:59Z", 0),
            ("2024-11-03T04:00:00Z", "2024-11-04T05:00:00Z", 1),
            // 28 and 29 days, around a DST change.
            ("2024-02-12T15:00:00Z", "2024-03-11T14:00:00Z", 28),
            ("2024-02-11T15:00:00Z", "2024-03-11T14:00:00Z", 29),
            // Later than as-of: negative.
            ("2024-01-17T12:00:00Z", "2024-01-16T12:00:00Z", -1),
        ];
        for (x, as_of, want) in cases {
            assert_eq!(
                days_since(ts(x), at(as_of), New_York),
                want,
                "{x} → {as_of}"
            );
        }
    }

    #[test]
    fn date_only_values_take_the_utc_date() {
        // Enrolled Date stored at midnight UTC is that date, not the New York day before.
        assert_eq!(utc_date(ts("2024-03-01T00:00:00Z")), d(2024, 3, 1));
        assert_eq!(
            local_date(ts("2024-03-01T00:00:00Z"), New_York),
            d(2024, 2, 29)
        );
        assert_eq!(utc_date(ts("2024-03-01T23:59:59Z")), d(2024, 3, 1));
        assert_eq!(utc_date(-86_400), d(1969, 12, 31));
        // days(E) counts from that date to as-of's local date.
        let as_of = at("2024-03-29T03:00:00Z"); // 2024-03-28 23:00 in New York
        assert_eq!(days_since_date(d(2024, 3, 1), as_of, New_York), 27);
    }

    #[test]
    fn absurd_instants_do_not_panic() {
        assert!(utc_date(i64::MAX) > d(200_000, 1, 1));
        assert!(utc_date(i64::MIN) < d(-200_000, 1, 1));
        let _ = local_date(i64::MAX, New_York);
        let _ = local_date(i64::MIN, New_York);
    }

    #[test]
    fn start_of_local_day_on_ordinary_and_dst_days() {
        let cases = [
            (New_York, d(2024, 1, 15), "2024-01-15T05:00:00Z"),
            (New_York, d(2024, 3, 10), "2024-03-10T05:00:00Z"),
            (New_York, d(2024, 3, 11), "2024-03-11T04:00:00Z"),
            (New_York, d(2024, 11, 3), "2024-11-03T04:00:00Z"),
            (New_York, d(2024, 11, 4), "2024-11-04T05:00:00Z"),
            (chrono_tz::UTC, d(2024, 2, 29), "2024-02-29T00:00:00Z"),
            (
                chrono_tz::Asia::Kolkata,
                d(2024, 1, 1),
                "2023-12-31T18:30:00Z",
            ),
            // Havana springs forward at midnight: 2024-03-10 starts at 01:00 CDT = 05:00Z.
            (
                chrono_tz::America::Havana,
                d(2024, 3, 10),
                "2024-03-10T05:00:00Z",
            ),
            // Havana falls back at 01:00 to 00:00: midnight happens twice; the first is CDT.
            (
                chrono_tz::America::Havana,
                d(2024, 11, 3),
                "2024-11-03T04:00:00Z",
            ),
            // Santiago springs forward at 24:00 → 01:00 on 2024-09-08.
            (
                chrono_tz::America::Santiago,
                d(2024, 9, 8),
                "2024-09-08T04:00:00Z",
            ),
            // Samoa skipped 2011-12-30 entirely: its "start" is where 2011-12-31 starts.
            (
                chrono_tz::Pacific::Apia,
                d(2011, 12, 30),
                "2011-12-30T10:00:00Z",
            ),
        ];
        for (tz, date, want) in cases {
            let got = start_of_local_day(date, tz);
            assert_eq!(got, ts(want), "{tz} {date}");
            assert!(local_date(got, tz) >= date);
            assert!(
                local_date(got - 1, tz) < date,
                "{tz} {date}: not the first instant"
            );
        }
    }

    #[test]
    fn lookback_window_edges() {
        let as_of = at("2024-03-11T16:00:00Z"); // 12:00 EDT
        let (start, end) = lookback_window(as_of, 1, New_York);
        assert_eq!(start, ts("2024-03-10T05:00:00Z")); // 00:00 EST on the 23-hour day
        assert_eq!(end, as_of.timestamp());
        assert_eq!(days_since(start, as_of, New_York), 1);
        assert_eq!(days_since(start - 1, as_of, New_York), 2);
        let (start, _) = lookback_window(as_of, 0, New_York);
        assert_eq!(start, ts("2024-03-11T04:00:00Z"));
        // Saturates instead of overflowing.
        let (start, _) = lookback_window(as_of, u32::MAX, New_York);
        assert!(start < 0);
    }

    #[test]
    fn months() {
        let cases = [
            ("2024-01", d(2024, 1, 1), d(2024, 1, 31)),
            ("2024-02", d(2024, 2, 1), d(2024, 2, 29)),
            ("2023-02", d(2023, 2, 1), d(2023, 2, 28)),
            ("2024-12", d(2024, 12, 1), d(2024, 12, 31)),
            ("2024-04", d(2024, 4, 1), d(2024, 4, 30)),
        ];
        for (s, first, last) in cases {
            let m: YearMonth = s.parse().unwrap();
            assert_eq!((m.first_day(), m.last_day()), (first, last), "{s}");
            assert_eq!(m.to_string(), s);
            assert!(m.contains(first) && m.contains(last));
            assert!(!m.contains(last.succ_opt().unwrap()));
        }
        for bad in [
            "2024-13",
            "2024-00",
            "2024-1",
            "24-01",
            "2024/01",
            "0000-01",
            "2024-01-01",
            "+024-01",
            "２０２４-01",
        ] {
            assert_eq!(bad.parse::<YearMonth>(), Err(InvalidMonth), "{bad}");
        }
        let (start, end) = month_window("2024-03".parse().unwrap(), New_York);
        assert_eq!(start, ts("2024-03-01T05:00:00Z"));
        assert_eq!(end, ts("2024-04-01T04:00:00Z"));
        let (start, end) = month_window("2024-12".parse().unwrap(), New_York);
        assert_eq!(start, ts("2024-12-01T05:00:00Z"));
        assert_eq!(end, ts("2025-01-01T05:00:00Z"));
    }

    #[test]
    fn formats_and_parses() {
        assert_eq!(ymd(d(2024, 2, 9)), "2024-02-09");
        assert_eq!(parse_ymd("2024-02-29"), Some(d(2024, 2, 29)));
        for bad in [
            "2023-02-29",
            "2024-2-9",
            "2024-02-9 ",
            "20240229",
            "2024-02-29T00:00:00Z",
            "",
        ] {
            assert_eq!(parse_ymd(bad), None, "{bad:?}");
        }
        assert_eq!(
            parse_as_of("2024-03-10T08:00:00-04:00").unwrap(),
            at("2024-03-10T12:00:00Z")
        );
        assert!(parse_as_of("2024-03-10").is_err());
        assert!(parse_as_of("2024-03-10 12:00:00").is_err());
        assert_eq!(
            rfc3339(at("2024-03-10T08:00:00.5-04:00")),
            "2024-03-10T12:00:00Z"
        );
    }

    fn zone() -> impl Strategy<Value = Tz> {
        prop::sample::select(vec![
            New_York,
            chrono_tz::Europe::London,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::America::Havana,
            chrono_tz::America::Santiago,
            chrono_tz::Asia::Kolkata,
            chrono_tz::Pacific::Chatham,
            chrono_tz::UTC,
        ])
    }

    /// Instants from 2000 to 2040.
    fn instant_secs() -> impl Strategy<Value = i64> {
        946_684_800i64..2_208_988_800i64
    }

    proptest! {
        #[test]
        fn days_since_is_the_local_date_difference(x in instant_secs(), a in instant_secs(), tz in zone()) {
            let as_of = instant(a);
            let want = (local_date(a, tz) - local_date(x, tz)).num_days();
            prop_assert_eq!(days_since(x, as_of, tz), want);
        }

        #[test]
        fn days_since_is_monotonic_in_as_of(x in instant_secs(), a in instant_secs(), step in 0i64..200 * 86_400, tz in zone()) {
            prop_assert!(days_since(x, instant(a), tz) <= days_since(x, instant(a + step), tz));
        }

        #[test]
        fn lookback_window_matches_days_since(a in instant_secs(), back in 0i64..400 * 86_400, n in 0u32..400, tz in zone()) {
            let as_of = instant(a);
            let x = a - back;
            let (start, end) = lookback_window(as_of, n, tz);
            prop_assert_eq!(end, a);
            prop_assert_eq!(days_since(x, as_of, tz) <= i64::from(n), start <= x && x <= end);
        }

        #[test]
        fn month_window_covers_exactly_the_months_local_days(y in 2000i32..2040, m in 1u32..=12, tz in zone()) {
            let month = YearMonth::new(y, m).unwrap();
            let (start, end) = month_window(month, tz);
            prop_assert_eq!(local_date(start, tz), month.first_day());
            prop_assert_eq!(local_date(end - 1, tz), month.last_day());
            prop_assert!(!month.contains(local_date(start - 1, tz)));
            prop_assert!(!month.contains(local_date(end, tz)));
        }

        #[test]
        fn start_of_local_day_is_the_first_instant(x in instant_secs(), tz in zone()) {
            let date = local_date(x, tz);
            let start = start_of_local_day(date, tz);
            prop_assert!(start <= x);
            prop_assert_eq!(local_date(start, tz), date);
            prop_assert!(local_date(start - 1, tz) < date);
        }
    }
}

/// Where a function's "now" comes from: the system clock in Lambda, or a fixed instant where a
/// run must be replayed at a known time (end-to-end tests with recorded as-of dates). Only code
/// builds a fixed clock; no event or variable can move a deployed function's clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    /// `Utc::now()`.
    #[default]
    System,
    /// Always this instant.
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// The current instant by this clock.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => *at,
        }
    }
}
