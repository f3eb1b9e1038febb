//! The week's counts per tenant (ENGAGEMENT-RANKER.md §4): Yobi's periods are rolling, so the
//! exact week is the sum of the daily buckets whose local date falls in it; a day without a
//! bucket counts zero; internal staff's share is left out where the endpoint breaks a day down
//! by user. A rolling period that does not cover the whole week is refused: the job never
//! scores on an approximate window.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::normalize::email_domain;
use super::week::Week;
use crate::yobi::{Metric, TenantUsage, UsageEndpoint, UsageReport};

/// The time zone Yobi's bucket dates must be in (§9: New York dates).
pub const YOBI_TIME_ZONE: &str = "America/New_York";

/// One tenant's four counts for the scored week (staff excluded).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WeeklyMetrics {
    /// New-patient appointments booked.
    pub new_patients: u64,
    /// Appointments booked (new patients' included).
    pub appointments: u64,
    pub tasks: u64,
    pub calls: u64,
}

impl WeeklyMetrics {
    /// The four counts from a map holding all of them; `None` when one is missing.
    pub fn from_counts(counts: &BTreeMap<Metric, u64>) -> Option<Self> {
        Some(Self {
            new_patients: *counts.get(&Metric::NewPatients)?,
            appointments: *counts.get(&Metric::Appointments)?,
            tasks: *counts.get(&Metric::Tasks)?,
            calls: *counts.get(&Metric::Calls)?,
        })
    }

    /// The sum of the four counts: §3's "weekly activity" tie-break.
    pub fn activity(&self) -> u64 {
        self.new_patients + self.appointments + self.tasks + self.calls
    }
}

/// Why an endpoint's answer cannot give the exact week.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{endpoint}: {reason}")]
pub struct CoverageError {
    pub endpoint: &'static str,
    pub reason: String,
}

/// Checks that `report` (a rolling period) covers every day of `week` in New York dates.
///
/// Errors: a period without `start_date`/`end_date`, in another time zone, or starting after
/// the week's Sunday or ending before its Saturday.
pub fn check_coverage(report: &UsageReport, week: Week) -> Result<(), CoverageError> {
    let err = |reason: String| CoverageError {
        endpoint: report.endpoint.path(),
        reason,
    };
    if let Some(tz) = &report.timezone {
        if tz != YOBI_TIME_ZONE {
            return Err(err(format!(
                "daily buckets are dated in {tz}, not {YOBI_TIME_ZONE}"
            )));
        }
    }
    let (Some(first), Some(last)) = (report.start_date, report.end_date) else {
        return Err(err(
            "the answer does not say which days its period covers (results.start_date / end_date)"
                .into(),
        ));
    };
    if first > week.start || last < week.last_day() {
        return Err(err(format!(
            "its period {first}..{last} does not cover the week {}..{}",
            week.start,
            week.last_day()
        )));
    }
    Ok(())
}

/// The week's counts of `usage` for each metric of `endpoint`, staff excluded:
/// `by_user` entries whose email domain is in `internal_domains` are subtracted from a day's
/// calls or tasks (the appointment endpoints' counts are the patients', never staff work).
pub fn week_counts(
    endpoint: UsageEndpoint,
    usage: &TenantUsage,
    week: Week,
    internal_domains: &BTreeSet<String>,
) -> BTreeMap<Metric, u64> {
    let mut out: BTreeMap<Metric, u64> = endpoint.metrics().iter().map(|m| (*m, 0)).collect();
    for bucket in usage.daily.iter().filter(|b| week.contains(b.date)) {
        for (metric, total) in out.iter_mut() {
            let count = bucket.counts.get(metric).copied().unwrap_or(0);
            *total += count.saturating_sub(staff_share(endpoint, bucket, internal_domains));
        }
    }
    out
}

/// Calls over the whole period of `usage` (the `30days` answer), staff excluded: the activity
/// floor's measure.
pub fn period_calls(usage: &TenantUsage, internal_domains: &BTreeSet<String>) -> u64 {
    usage
        .daily
        .iter()
        .map(|b| {
            let count = b.counts.get(&Metric::Calls).copied().unwrap_or(0);
            count.saturating_sub(staff_share(UsageEndpoint::Calls, b, internal_domains))
        })
        .sum()
}

fn staff_share(
    endpoint: UsageEndpoint,
    bucket: &crate::yobi::DailyBucket,
    internal_domains: &BTreeSet<String>,
) -> u64 {
    if endpoint == UsageEndpoint::Appointments {
        return 0;
    }
    bucket
        .by_user
        .iter()
        .flatten()
        .filter(|u| email_domain(&u.email).is_some_and(|d| internal_domains.contains(&d)))
        .map(|u| u.count)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yobi::{DailyBucket, UserCount};
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn bucket(
        date: &str,
        metric: Metric,
        count: u64,
        users: Option<Vec<(&str, u64)>>,
    ) -> DailyBucket {
        DailyBucket {
            date: d(date),
            counts: BTreeMap::from([(metric, count)]),
            by_user: users.map(|u| {
                u.into_iter()
                    .map(|(email, count)| UserCount {
                        email: email.into(),
                        count,
                    })
                    .collect()
            }),
        }
    }

    fn internal() -> BTreeSet<String> {
        BTreeSet::from(["yib.io".to_string()])
    }

    #[test]
    fn only_the_weeks_days_count_and_staff_is_left_out() {
        let week = Week::starting(d("2026-03-08")).unwrap();
        let usage = TenantUsage {
            tenant_id: 7,
            totals: BTreeMap::from([(Metric::Calls, 1000)]),
            daily: vec![
                bucket("2026-03-07", Metric::Calls, 100, None), // Saturday before
                bucket("2026-03-08", Metric::Calls, 3, None),   // Sunday: in
                bucket(
                    "2026-03-10",
                    Metric::Calls,
                    20,
                    Some(vec![("support@YIB.io", 5), ("desk@practice.com", 15)]),
                ),
                bucket(
                    "2026-03-14",
                    Metric::Calls,
                    4,
                    Some(vec![("desk@practice.com", 4)]),
                ), // Saturday: in
                bucket("2026-03-15", Metric::Calls, 50, None), // next Sunday
            ],
        };
        let got = week_counts(UsageEndpoint::Calls, &usage, week, &internal());
        assert_eq!(got, BTreeMap::from([(Metric::Calls, 3 + 15 + 4)]));
        assert_eq!(period_calls(&usage, &internal()), 100 + 3 + 15 + 4 + 50);
    }

    #[test]
    fn a_week_without_buckets_is_zero_for_each_metric() {
        let week = Week::starting(d("2026-03-08")).unwrap();
        let usage = TenantUsage {
            tenant_id: 7,
            totals: BTreeMap::new(),
            daily: vec![],
        };
        let got = week_counts(UsageEndpoint::Appointments, &usage, week, &internal());
        assert_eq!(
            got,
            BTreeMap::from([(Metric::NewPatients, 0), (Metric::Appointments, 0)])
        );
    }

    fn report(first: Option<&str>, last: Option<&str>, tz: Option<&str>) -> UsageReport {
        UsageReport {
            endpoint: UsageEndpoint::Tasks,
            start_date: first.map(d),
            end_date: last.map(d),
            timezone: tz.map(Into::into),
            tenants: vec![],
        }
    }

    #[test]
    fn the_period_must_cover_the_week() {
        let week = Week::starting(d("2026-03-08")).unwrap();
        let ny = Some(YOBI_TIME_ZONE);
        // A Sunday run: 30 days ending that Sunday covers the week before it.
        assert!(check_coverage(&report(Some("2026-02-14"), Some("2026-03-15"), ny), week).is_ok());
        // 7 days ending on the Sunday after miss the week's Sunday.
        let e =
            check_coverage(&report(Some("2026-03-09"), Some("2026-03-15"), ny), week).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/admin/analytics/tasks: its period 2026-03-09..2026-03-15 does not cover the week 2026-03-08..2026-03-14"
        );
        assert!(check_coverage(&report(Some("2026-02-01"), Some("2026-03-13"), ny), week).is_err());
        assert!(check_coverage(&report(None, Some("2026-03-15"), ny), week).is_err());
        assert!(check_coverage(
            &report(Some("2026-02-14"), Some("2026-03-15"), Some("UTC")),
            week
        )
        .is_err());
    }

    #[test]
    fn all_four_or_none() {
        let mut counts = BTreeMap::from([
            (Metric::NewPatients, 2),
            (Metric::Appointments, 10),
            (Metric::Tasks, 3),
        ]);
        assert_eq!(WeeklyMetrics::from_counts(&counts), None);
        counts.insert(Metric::Calls, 40);
        let m = WeeklyMetrics::from_counts(&counts).unwrap();
        assert_eq!(m.activity(), 55);
    }
}
