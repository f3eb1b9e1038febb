//! Daily Yobi usage per tenant: practice-sized, weekday-shaped, noisy counts.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::yobi::{DailyUsage, UserActivity};

/// Days of history before as-of (as-of itself comes on top, partly).
pub(crate) const HISTORY_DAYS: i64 = 59;
/// Share of a normal day's activity on as-of itself (a run early in the morning sees little).
const AS_OF_SHARE: f64 = 0.2;

/// How busy a tenant is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Activity {
    /// A working practice.
    Normal,
    /// Nothing in the 30 days before as-of, some use before that (paused).
    Inactive,
    /// Cancelled: a trickle that stops five weeks before as-of.
    Churned,
    /// Yobi's own test practice: very busy, every call and task by staff.
    InternalTest,
}

#[derive(Debug, Clone, Copy)]
struct Rates {
    calls: f64,
    appointments: f64,
    new_share: f64,
    tasks: f64,
    open_saturday: bool,
    trend_start: f64,
    trend_end: f64,
}

fn rates(rng: &mut ChaCha8Rng, activity: Activity) -> Rates {
    // Practice size: solo, small group, group, multi-chair clinic.
    let (calls, appointments, tasks) = match activity {
        Activity::InternalTest => (260.0, 130.0, 45.0),
        _ => match rng.random_range(0..100) {
            0..=39 => (8.0, 5.0, 1.5),
            40..=79 => (20.0, 12.0, 3.5),
            80..=94 => (45.0, 25.0, 7.0),
            _ => (90.0, 50.0, 12.0),
        },
    };
    let jitter = |rng: &mut ChaCha8Rng| rng.random_range(0.7..1.3);
    Rates {
        calls: calls * jitter(rng),
        appointments: appointments * jitter(rng),
        new_share: rng.random_range(0.08..0.25),
        tasks: tasks * jitter(rng),
        open_saturday: rng.random_bool(0.35),
        trend_start: rng.random_range(0.75..1.25),
        trend_end: rng.random_range(0.75..1.25),
    }
}

/// The New York dates generated: `HISTORY_DAYS` before as-of, then as-of.
pub(crate) fn days(as_of: NaiveDate) -> Vec<NaiveDate> {
    (0..=HISTORY_DAYS)
        .rev()
        .map(|back| as_of - Duration::days(back))
        .collect()
}

/// One tenant's daily rows, days with no activity left out.
pub(crate) fn daily_rows(
    rng: &mut ChaCha8Rng,
    tenant_id: u64,
    activity: Activity,
    as_of: NaiveDate,
    staff: &[&str],
) -> Vec<DailyUsage> {
    let r = rates(rng, activity);
    let all = days(as_of);
    let span = all.len().max(2) as f64 - 1.0;
    all.iter()
        .enumerate()
        .filter_map(|(i, &date)| {
            let days_before = (as_of - date).num_days();
            let level = match activity {
                Activity::Inactive if days_before <= 30 => 0.0,
                Activity::Churned if days_before <= 35 => 0.0,
                Activity::Churned => 0.3,
                _ => 1.0,
            };
            let trend = r.trend_start + (r.trend_end - r.trend_start) * i as f64 / span;
            let partial = if date == as_of { AS_OF_SHARE } else { 1.0 };
            let f = level * trend * partial * weekday_factor(date.weekday(), r.open_saturday);
            let appointments = poisson(rng, r.appointments * f);
            let new_patient_appointments = (0..appointments)
                .filter(|_| rng.random_bool(r.new_share))
                .count() as u32;
            let mut row = DailyUsage {
                tenant_id,
                date,
                calls: poisson(rng, r.calls * f),
                tasks_created: poisson(rng, r.tasks * f),
                appointments,
                new_patient_appointments,
                by_user: Vec::new(),
            };
            if matches!(activity, Activity::InternalTest) && !staff.is_empty() {
                // Every call and task in a test practice is Yobi's own staff.
                row.by_user = vec![UserActivity {
                    email: staff[i % staff.len()].to_owned(),
                    calls: row.calls,
                    tasks_created: row.tasks_created,
                }];
            }
            (row.calls + row.tasks_created + row.appointments > 0).then_some(row)
        })
        .collect()
}

/// Adds Yobi staff work (onboarding calls, set-up tasks) on a few days in the month before
/// as-of; the counts join the day's totals and are listed in `by_user`.
pub(crate) fn add_staff_work(
    rng: &mut ChaCha8Rng,
    rows: &mut Vec<DailyUsage>,
    tenant_id: u64,
    as_of: NaiveDate,
    staff: &[&str],
) {
    let visits = rng.random_range(1..=4);
    for _ in 0..visits {
        let date = as_of - Duration::days(rng.random_range(1..=28));
        let work = UserActivity {
            email: staff[rng.random_range(0..staff.len())].to_owned(),
            calls: rng.random_range(1..=6),
            tasks_created: rng.random_range(0..=4),
        };
        let at = match rows.binary_search_by_key(&date, |r| r.date) {
            Ok(at) => at,
            Err(at) => {
                rows.insert(
                    at,
                    DailyUsage {
                        tenant_id,
                        date,
                        calls: 0,
                        tasks_created: 0,
                        appointments: 0,
                        new_patient_appointments: 0,
                        by_user: Vec::new(),
                    },
                );
                at
            }
        };
        let row = &mut rows[at];
        row.calls += work.calls;
        row.tasks_created += work.tasks_created;
        match row.by_user.iter_mut().find(|u| u.email == work.email) {
            Some(u) => {
                u.calls += work.calls;
                u.tasks_created += work.tasks_created;
            }
            None => row.by_user.push(work),
        }
    }
}

fn weekday_factor(day: Weekday, open_saturday: bool) -> f64 {
    match day {
        Weekday::Mon => 1.1,
        Weekday::Tue | Weekday::Wed | Weekday::Thu => 1.0,
        Weekday::Fri => 0.85,
        Weekday::Sat if open_saturday => 0.45,
        Weekday::Sat => 0.03,
        Weekday::Sun => 0.02,
    }
}

/// A Poisson draw: Knuth's method for small means, a rounded normal for large ones.
fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    if mean < 30.0 {
        let limit = (-mean).exp();
        let mut k = 0u32;
        let mut p = 1.0;
        loop {
            p *= rng.random::<f64>();
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }
    // Box–Muller.
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    (mean + z * mean.sqrt()).round().max(0.0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 3, 30).unwrap()
    }

    #[test]
    fn poisson_means_are_about_right() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for mean in [0.5, 4.0, 60.0] {
            let n = 4000;
            let sum: u32 = (0..n).map(|_| poisson(&mut rng, mean)).sum();
            let got = f64::from(sum) / f64::from(n);
            assert!((got - mean).abs() < mean * 0.08 + 0.05, "{mean}: {got}");
        }
    }

    #[test]
    fn inactive_tenants_have_nothing_in_the_last_thirty_days() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let rows = daily_rows(&mut rng, 1, Activity::Inactive, as_of(), &[]);
        assert!(!rows.is_empty());
        assert!(
            rows.iter().all(|r| (as_of() - r.date).num_days() > 30),
            "{rows:?}"
        );
    }

    #[test]
    fn weekdays_are_busier_than_sundays_and_rows_are_in_date_order() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let rows = daily_rows(&mut rng, 1, Activity::Normal, as_of(), &[]);
        assert!(rows.windows(2).all(|w| w[0].date < w[1].date));
        let calls_on = |wd: Weekday| -> u32 {
            rows.iter()
                .filter(|r| r.date.weekday() == wd)
                .map(|r| r.calls)
                .sum()
        };
        assert!(calls_on(Weekday::Tue) > 5 * calls_on(Weekday::Sun).max(1));
        assert!(rows
            .iter()
            .all(|r| r.new_patient_appointments <= r.appointments));
    }

    #[test]
    fn staff_work_is_part_of_the_totals() {
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let mut rows = daily_rows(&mut rng, 1, Activity::Normal, as_of(), &[]);
        let before: u32 = rows.iter().map(|r| r.calls).sum();
        add_staff_work(&mut rng, &mut rows, 1, as_of(), &["a@yib.io"]);
        let after: u32 = rows.iter().map(|r| r.calls).sum();
        let staff: u32 = rows.iter().flat_map(|r| &r.by_user).map(|u| u.calls).sum();
        assert_eq!(after - before, staff);
        assert!(staff > 0);
        assert!(rows.windows(2).all(|w| w[0].date < w[1].date));
    }
}
