//! The engagement classifier of RULES.md §6: Engaged / At Risk / Unengaged from the Enrolled
//! Date and the last (or first) coaching session, by whole calendar days in the reporting zone.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::coaching::rules::thresholds::{AT_RISK_DAYS, ENGAGED_DAYS};
use crate::time::{days_since, days_since_date, local_date_of};

/// The value of the `Engagement Status` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EngagementStatus {
    #[serde(rename = "Engaged")]
    Engaged,
    #[serde(rename = "At Risk")]
    AtRisk,
    #[serde(rename = "Unengaged")]
    Unengaged,
}

impl EngagementStatus {
    /// Every status, in the order of the list attribute's options.
    pub const ALL: [EngagementStatus; 3] = [Self::Engaged, Self::AtRisk, Self::Unengaged];
    /// The values of [`Self::ALL`] as written to Intercom, in the same order.
    pub const NAMES: &'static [&'static str] = &["Engaged", "At Risk", "Unengaged"];

    /// The attribute value: `Engaged`, `At Risk` or `Unengaged`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Engaged => "Engaged",
            Self::AtRisk => "At Risk",
            Self::Unengaged => "Unengaged",
        }
    }
}

impl fmt::Display for EngagementStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not exactly one of `Engaged`, `At Risk`, `Unengaged`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of Engaged, At Risk, Unengaged")]
pub struct InvalidStatus;

impl FromStr for EngagementStatus {
    type Err = InvalidStatus;

    /// Exact match on the attribute value.
    fn from_str(s: &str) -> Result<Self, InvalidStatus> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or(InvalidStatus)
    }
}

/// Which row of the RULES.md §6 table decided the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngagementReason {
    /// Row 1: a session at most 28 days ago.
    RecentSession,
    /// Row 2: enrolled at most 28 days ago.
    EnrollmentGrace,
    /// Row 3: no session, grace over.
    NoSessionAfterGrace,
    /// Row 4: last session 29–56 days ago.
    #[serde(rename = "session_29_to_56_days")]
    Session29To56Days,
    /// Row 5: last session more than 56 days ago.
    #[serde(rename = "session_over_56_days")]
    SessionOver56Days,
}

impl EngagementReason {
    /// `recent_session`, `enrollment_grace`, `no_session_after_grace`, `session_29_to_56_days`
    /// or `session_over_56_days`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RecentSession => "recent_session",
            Self::EnrollmentGrace => "enrollment_grace",
            Self::NoSessionAfterGrace => "no_session_after_grace",
            Self::Session29To56Days => "session_29_to_56_days",
            Self::SessionOver56Days => "session_over_56_days",
        }
    }
}

impl fmt::Display for EngagementReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Classifies one member (RULES.md §6; first matching row wins).
///
/// - `enrolled`: `E`, the UTC date of `Enrolled Date`.
/// - `last_session`, `first_session`: `Last Coaching Session` and `First Session Date`, unix
///   seconds; `S` is the former, or the latter when the former is absent.
/// - Days are whole calendar days to as-of's local date in `tz`.
///
/// `None` when `E` is after as-of's local date (the contact is skipped). A session after as-of
/// counts as recent (negative days): the stored attribute is all we know.
pub fn classify(
    enrolled: NaiveDate,
    last_session: Option<i64>,
    first_session: Option<i64>,
    as_of: DateTime<Utc>,
    tz: Tz,
) -> Option<(EngagementStatus, EngagementReason)> {
    use EngagementReason::*;
    use EngagementStatus::*;

    if enrolled > local_date_of(as_of, tz) {
        return None;
    }
    let days_s = last_session
        .or(first_session)
        .map(|s| days_since(s, as_of, tz));
    let days_e = days_since_date(enrolled, as_of, tz);
    Some(match days_s {
        Some(d) if d <= ENGAGED_DAYS => (Engaged, RecentSession),
        _ if days_e <= ENGAGED_DAYS => (Engaged, EnrollmentGrace),
        None => (Unengaged, NoSessionAfterGrace),
        Some(d) if d <= AT_RISK_DAYS => (AtRisk, Session29To56Days),
        Some(_) => (Unengaged, SessionOver56Days),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{parse_as_of, start_of_local_day};
    use chrono::Days;
    use chrono_tz::America::New_York;
    use proptest::prelude::*;

    #[test]
    fn names_are_the_statuses_in_order() {
        let names: Vec<&str> = EngagementStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, EngagementStatus::NAMES);
    }
    use EngagementReason::*;
    use EngagementStatus::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Noon New York time, `n` local days before the as-of date 2024-06-30.
    fn days_ago(n: u64) -> i64 {
        let date = d(2024, 6, 30).checked_sub_days(Days::new(n)).unwrap();
        start_of_local_day(date, New_York) + 12 * 3600
    }

    fn enrolled_days_ago(n: u64) -> NaiveDate {
        d(2024, 6, 30).checked_sub_days(Days::new(n)).unwrap()
    }

    #[test]
    fn table() {
        // 2024-06-30 23:30 EDT: the UTC date is already 2024-07-01.
        let as_of = parse_as_of("2024-07-01T03:30:00Z").unwrap();
        let e_old = enrolled_days_ago(200);
        let cases = [
            // (E, last, first) → result
            (
                e_old,
                Some(days_ago(0)),
                None,
                Some((Engaged, RecentSession)),
            ),
            (
                e_old,
                Some(days_ago(28)),
                None,
                Some((Engaged, RecentSession)),
            ),
            (
                e_old,
                Some(days_ago(29)),
                None,
                Some((AtRisk, Session29To56Days)),
            ),
            (
                e_old,
                Some(days_ago(56)),
                None,
                Some((AtRisk, Session29To56Days)),
            ),
            (
                e_old,
                Some(days_ago(57)),
                None,
                Some((Unengaged, SessionOver56Days)),
            ),
            (e_old, None, None, Some((Unengaged, NoSessionAfterGrace))),
            // Grace: enrolled within 28 days, no session or an old one.
            (
                enrolled_days_ago(0),
                None,
                None,
                Some((Engaged, EnrollmentGrace)),
            ),
            (
                enrolled_days_ago(28),
                None,
                None,
                Some((Engaged, EnrollmentGrace)),
            ),
            (
                enrolled_days_ago(29),
                None,
                None,
                Some((Unengaged, NoSessionAfterGrace)),
            ),
            (
                enrolled_days_ago(10),
                Some(days_ago(100)),
                None,
                Some((Engaged, EnrollmentGrace)),
            ),
            (
                enrolled_days_ago(29),
                Some(days_ago(40)),
                None,
                Some((AtRisk, Session29To56Days)),
            ),
            // A recent session wins over grace.
            (
                enrolled_days_ago(3),
                Some(days_ago(1)),
                None,
                Some((Engaged, RecentSession)),
            ),
            // First Session Date stands in for an empty Last Coaching Session...
            (
                e_old,
                None,
                Some(days_ago(5)),
                Some((Engaged, RecentSession)),
            ),
            (
                e_old,
                None,
                Some(days_ago(40)),
                Some((AtRisk, Session29To56Days)),
            ),
            (
                e_old,
                None,
                Some(days_ago(90)),
                Some((Unengaged, SessionOver56Days)),
            ),
            // ...but never over a present one.
            (
                e_old,
                Some(days_ago(90)),
                Some(days_ago(5)),
                Some((Unengaged, SessionOver56Days)),
            ),
            // Enrolled after as-of's local date: skipped. The UTC date 2024-07-01 is tomorrow
            // in New York.
            (d(2024, 7, 1), None, None, None),
            (d(2025, 1, 1), Some(days_ago(1)), None, None),
            // A session later than as-of counts as recent.
            (
                e_old,
                Some(days_ago(0) + 86_400 * 3),
                None,
                Some((Engaged, RecentSession)),
            ),
        ];
        for (i, (e, last, first, want)) in cases.into_iter().enumerate() {
            assert_eq!(classify(e, last, first, as_of, New_York), want, "case {i}");
        }
    }

    #[test]
    fn boundaries_do_not_depend_on_time_of_day() {
        // Session at 23:59 local, as-of at 00:01 local 28 and 29 days later.
        let session = start_of_local_day(d(2024, 3, 1), New_York) + 86_399 - 60;
        let e = d(2023, 1, 1);
        let as_of_28 = start_of_local_day(d(2024, 3, 29), New_York) + 60;
        let as_of_29 = start_of_local_day(d(2024, 3, 30), New_York) + 60;
        let at = |t| DateTime::from_timestamp(t, 0).unwrap();
        assert_eq!(
            classify(e, Some(session), None, at(as_of_28), New_York),
            Some((Engaged, RecentSession))
        );
        assert_eq!(
            classify(e, Some(session), None, at(as_of_29), New_York),
            Some((AtRisk, Session29To56Days))
        );
    }

    #[test]
    fn strings() {
        assert_eq!(AtRisk.as_str(), "At Risk");
        assert_eq!("At Risk".parse(), Ok(AtRisk));
        assert_eq!("Engaged".parse(), Ok(Engaged));
        assert_eq!("Unengaged".parse(), Ok(Unengaged));
        assert_eq!("at risk".parse::<EngagementStatus>(), Err(InvalidStatus));
        assert_eq!(serde_json::to_value(AtRisk).unwrap(), "At Risk");
        assert_eq!(Session29To56Days.as_str(), "session_29_to_56_days");
        assert_eq!(
            serde_json::to_value(Session29To56Days).unwrap(),
            "session_29_to_56_days"
        );
        assert_eq!(
            serde_json::to_value(NoSessionAfterGrace).unwrap(),
            "no_session_after_grace"
        );
        for r in [
            RecentSession,
            EnrollmentGrace,
            NoSessionAfterGrace,
            Session29To56Days,
            SessionOver56Days,
        ] {
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
    }

    fn zone() -> impl Strategy<Value = Tz> {
        prop::sample::select(vec![
            New_York,
            chrono_tz::Europe::London,
            chrono_tz::Australia::Sydney,
        ])
    }

    proptest! {
        #[test]
        fn recent_session_means_at_most_28_days(
            e_back in 0u64..400, s_back in -5i64..400 * 86_400, a in 1_500_000_000i64..2_000_000_000, tz in zone()
        ) {
            let as_of = DateTime::from_timestamp(a, 0).unwrap();
            let e = local_date_of(as_of, tz).checked_sub_days(Days::new(e_back)).unwrap();
            let s = a - s_back;
            if let Some((status, reason)) = classify(e, Some(s), None, as_of, tz) {
                if reason == RecentSession {
                    prop_assert!(days_since(s, as_of, tz) <= ENGAGED_DAYS);
                    prop_assert_eq!(status, Engaged);
                }
            }
        }

        #[test]
        fn stable_across_times_of_day(
            e_back in 0u64..120, s_back in 0u64..120, sa in 0i64..86_400, sb in 0i64..86_400,
            aa in 0i64..86_400, ab in 0i64..86_400, day in 0u64..3000, tz in zone()
        ) {
            let as_of_date = d(2017, 1, 1).checked_add_days(Days::new(day)).unwrap();
            let e = as_of_date.checked_sub_days(Days::new(e_back)).unwrap();
            let s_date = as_of_date.checked_sub_days(Days::new(s_back)).unwrap();
            // Two instants on the same local date (clamped into that date on short days).
            let within = |date: NaiveDate, offset: i64| {
                let start = start_of_local_day(date, tz);
                let next = start_of_local_day(date.succ_opt().unwrap(), tz);
                start + offset.min(next - start - 1)
            };
            let at = |t| DateTime::from_timestamp(t, 0).unwrap();
            let one = classify(e, Some(within(s_date, sa)), None, at(within(as_of_date, aa)), tz);
            let two = classify(e, Some(within(s_date, sb)), None, at(within(as_of_date, ab)), tz);
            prop_assert_eq!(one, two);
        }
    }
}
