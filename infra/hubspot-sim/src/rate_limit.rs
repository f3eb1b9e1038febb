//! HubSpot's request budgets for a private app: a rolling per-10-seconds window (reported in
//! `X-HubSpot-RateLimit-Max`, `-Remaining`, `-Interval-Milliseconds`), a per-second window
//! for the search endpoints (which are exempt from the 10-second one and carry no rate-limit
//! headers), and a daily budget that resets at midnight in the account's time zone
//! (`X-HubSpot-RateLimit-Daily`, `-Daily-Remaining`). Refused requests use no budget. The
//! rolling windows are `sim_kit::RollingWindow`; the daily budget is here.

use std::sync::Mutex;

use chrono::NaiveDate;

/// At most `max` requests per calendar day (the caller gives the day in the account's zone).
#[derive(Debug)]
pub struct DailyBudget {
    max: u64,
    used: Mutex<(NaiveDate, u64)>,
}

impl DailyBudget {
    pub fn new(max: u64) -> Self {
        Self {
            max,
            used: Mutex::new((NaiveDate::MIN, 0)),
        }
    }

    pub fn max(&self) -> u64 {
        self.max
    }

    /// Requests left on `day` (without using any).
    pub fn remaining(&self, day: NaiveDate) -> u64 {
        let used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        if used.0 == day {
            self.max.saturating_sub(used.1)
        } else {
            self.max
        }
    }

    /// Uses one request on `day`; the remaining count after it.
    pub fn take(&self, day: NaiveDate) -> u64 {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        if used.0 != day {
            *used = (day, 0);
        }
        used.1 += 1;
        self.max.saturating_sub(used.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daily_budget_resets_on_a_new_day() {
        let d = |day| NaiveDate::from_ymd_opt(2025, 3, day).unwrap();
        let b = DailyBudget::new(2);
        assert_eq!(b.remaining(d(1)), 2);
        assert_eq!(b.take(d(1)), 1);
        assert_eq!(b.take(d(1)), 0);
        assert_eq!(b.remaining(d(1)), 0);
        assert_eq!(b.remaining(d(2)), 2);
        assert_eq!(b.take(d(2)), 1);
    }
}
