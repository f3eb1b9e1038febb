//! Staying inside Intercom's rate limit (RULES.md §3): every response's `X-RateLimit-*` headers
//! say how much of the current 10-second window is left. The client spreads what is left over
//! the time to the reset (pacing: one request every `time left ÷ requests left`), so however many
//! requests a job has in flight, the app's sending rate adapts to the budget instead of spending
//! the window in a burst; when the budget runs low anyway, or on a 429, every request of the
//! client waits for the window to reset.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// Requests kept in reserve: at most `max(2, 5 % of the limit)` left means wait for the reset.
/// The reserve absorbs requests already in flight from concurrent tasks.
pub fn reserve(limit: u64) -> u64 {
    (limit / 20).max(2)
}

/// Wait after a 429 that carries no reset time: one rate-limit window.
pub const WINDOW_WITHOUT_RESET: Duration = Duration::from_secs(10);

/// Longest single wait, should a reset time be far off (clock skew, a bad header).
pub const MAX_WAIT: Duration = Duration::from_secs(60);

/// Margin after the reset second so the retry lands in the new window (the reset is whole
/// seconds and clocks differ a little); random within this range so waiters do not stampede.
const JITTER_MS: std::ops::RangeInclusive<u64> = 50..=300;

/// The rate-limit headers of one response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimitHeaders {
    /// `X-RateLimit-Limit`: requests allowed per window.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in this window.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset`: when the window resets, unix seconds.
    pub reset: Option<i64>,
}

impl RateLimitHeaders {
    /// Reads the headers; absent or unparsable ones are `None`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<i64>().ok())
        };
        Self {
            limit: number("x-ratelimit-limit").and_then(|v| u64::try_from(v).ok()),
            remaining: number("x-ratelimit-remaining").and_then(|v| u64::try_from(v).ok()),
            reset: number("x-ratelimit-reset"),
        }
    }

    /// Until when (unix milliseconds) requests must hold off after a response with `status` and
    /// these headers, received at `now_ms`; `None` when there is budget left.
    pub fn hold_until(&self, status: u16, now_ms: i64) -> Option<i64> {
        let reset_ms = self.reset.map(|s| s.saturating_mul(1000));
        if status == 429 {
            let fallback = now_ms + WINDOW_WITHOUT_RESET.as_millis() as i64;
            return Some(reset_ms.filter(|&r| r > now_ms).unwrap_or(fallback));
        }
        let remaining = self.remaining?;
        let low = remaining <= reserve(self.limit.unwrap_or(0));
        reset_ms.filter(|&r| low && r > now_ms)
    }

    /// The spacing (milliseconds) between requests that spreads the window's usable budget
    /// (remaining minus [`reserve`]) evenly over the time left until the reset, at most
    /// [`MAX_PACE_MS`]; `None` when the headers do not say (no pacing) or when the budget is low
    /// ([`RateLimitHeaders::hold_until`] holds instead).
    pub fn pace_ms(&self, now_ms: i64) -> Option<f64> {
        let remaining = self.remaining?;
        let left_ms = self.reset?.saturating_mul(1000) - now_ms;
        let usable = remaining.checked_sub(reserve(self.limit.unwrap_or(0)))?;
        if usable == 0 || left_ms <= 0 {
            return None;
        }
        Some((left_ms as f64 / usable as f64).min(MAX_PACE_MS))
    }
}

/// Longest spacing between two requests: a window nearly spent waits for its reset instead.
pub const MAX_PACE_MS: f64 = 500.0;

/// The shared gate every request of one client passes before it is sent.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    /// Unix milliseconds before which no request may be sent; in the past when open.
    hold_until_ms: AtomicI64,
    /// Serializes the waiters, so one wait per reset is counted and they leave in order.
    gate: tokio::sync::Mutex<()>,
    /// The pacing: when the next request may go, and the spacing the last response asked for.
    pace: std::sync::Mutex<Pace>,
}

/// Send slots handed out one spacing apart (unix milliseconds).
#[derive(Debug, Default)]
struct Pace {
    next_ms: f64,
    spacing_ms: f64,
}

impl RateLimiter {
    /// Records a response; returns the new hold (unix ms) when it starts or extends one.
    pub(crate) fn observe(&self, status: u16, headers: &RateLimitHeaders) -> Option<i64> {
        let now = now_ms();
        if status != 429 {
            let mut pace = self.pace.lock().unwrap_or_else(|p| p.into_inner());
            pace.spacing_ms = headers.pace_ms(now).unwrap_or(0.0);
        }
        let until = headers.hold_until(status, now)?;
        let previous = self.hold_until_ms.fetch_max(until, Ordering::SeqCst);
        (until > previous).then_some(until)
    }

    /// Waits for the window to reset if the budget is spent; returns how long it waited.
    pub(crate) async fn ready(&self) -> Option<Duration> {
        if self.hold_until_ms.load(Ordering::SeqCst) <= now_ms() {
            return None;
        }
        let _turn = self.gate.lock().await;
        // Another waiter may have slept through this hold already.
        let remaining_ms = self.hold_until_ms.load(Ordering::SeqCst) - now_ms();
        if remaining_ms <= 0 {
            return None;
        }
        let wait = Duration::from_millis(remaining_ms as u64).min(MAX_WAIT)
            + Duration::from_millis(rand::random_range(JITTER_MS));
        tokio::time::sleep(wait).await;
        Some(wait)
    }

    /// Waits for this request's send slot: one spacing after the previous request's, so the
    /// requests in flight together never send faster than the budget left allows. Returns the
    /// delay (none when the client sends slower than that anyway).
    pub(crate) async fn paced(&self) -> Option<Duration> {
        let delay_ms = {
            let mut pace = self.pace.lock().unwrap_or_else(|p| p.into_inner());
            let now = now_ms() as f64;
            let slot = pace.next_ms.max(now);
            pace.next_ms = slot + pace.spacing_ms;
            slot - now
        };
        if delay_ms < 1.0 {
            return None;
        }
        let delay = Duration::from_micros((delay_ms * 1000.0) as u64);
        tokio::time::sleep(delay).await;
        Some(delay)
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;

    fn h(limit: u64, remaining: u64, reset_s: i64) -> RateLimitHeaders {
        RateLimitHeaders {
            limit: Some(limit),
            remaining: Some(remaining),
            reset: Some(reset_s),
        }
    }

    #[test]
    fn reserve_is_five_percent_but_at_least_two() {
        assert_eq!(reserve(0), 2);
        assert_eq!(reserve(10), 2);
        assert_eq!(reserve(83), 4);
        assert_eq!(reserve(1000), 50);
    }

    #[test]
    fn holds_only_when_the_budget_is_low_or_on_429() {
        let reset = NOW / 1000 + 3;
        assert_eq!(h(100, 6, reset).hold_until(200, NOW), None);
        assert_eq!(h(100, 5, reset).hold_until(200, NOW), Some(reset * 1000));
        assert_eq!(h(100, 0, reset).hold_until(429, NOW), Some(reset * 1000));
        // A stale reset (already past) does not hold a successful response...
        assert_eq!(h(100, 0, NOW / 1000 - 1).hold_until(200, NOW), None);
        // ...but a 429 without a usable reset still waits one window.
        let fallback = Some(NOW + 10_000);
        assert_eq!(h(100, 0, NOW / 1000 - 1).hold_until(429, NOW), fallback);
        assert_eq!(RateLimitHeaders::default().hold_until(429, NOW), fallback);
        assert_eq!(RateLimitHeaders::default().hold_until(200, NOW), None);
    }

    #[test]
    fn pacing_spreads_the_usable_budget_over_the_time_left() {
        let reset = NOW / 1000 + 10;
        // 10 s left, 1,666 - 83 reserved = 1,583 usable: one request every ~6.3 ms (~158/s).
        let pace = h(1666, 1666, reset).pace_ms(NOW).unwrap();
        assert!((pace - 10_000.0 / 1583.0).abs() < 1e-9, "{pace}");
        // Half the window gone and 1,000 left: 5 s over 917 requests.
        let pace = h(1666, 1000, reset).pace_ms(NOW + 5_000).unwrap();
        assert!((pace - 5_000.0 / 917.0).abs() < 1e-9, "{pace}");
        // Little left: capped; at the reserve, no pacing (the hold takes over).
        assert_eq!(h(100, 7, reset).pace_ms(NOW), Some(MAX_PACE_MS));
        assert_eq!(h(100, 5, reset).pace_ms(NOW), None);
        assert_eq!(h(100, 50, NOW / 1000 - 1).pace_ms(NOW), None);
        assert_eq!(RateLimitHeaders::default().pace_ms(NOW), None);
    }

    #[tokio::test]
    async fn paced_requests_leave_one_spacing_apart() {
        let limiter = RateLimiter::default();
        assert_eq!(limiter.paced().await, None, "no headers yet: no pacing");
        let reset = now_ms() / 1000 + 60;
        // About 60 s left over 1,200 usable requests (50 reserved): ~50 ms apart.
        limiter.observe(200, &h(1000, 50 + 1200, reset));
        let spacing = limiter.pace.lock().unwrap().spacing_ms;
        assert!(spacing > 0.0 && spacing <= MAX_PACE_MS, "{spacing}");
        let started = std::time::Instant::now();
        for _ in 0..4 {
            limiter.paced().await;
        }
        // Four slots: the first now, then three spacings.
        assert!(
            started.elapsed().as_secs_f64() * 1000.0 >= 3.0 * spacing - 1.0,
            "{:?} for spacing {spacing}",
            started.elapsed()
        );
    }

    #[test]
    fn headers_parse_case_insensitively() {
        let mut map = HeaderMap::new();
        map.insert("X-RateLimit-Limit", "83".parse().unwrap());
        map.insert("x-ratelimit-remaining", " 4 ".parse().unwrap());
        map.insert("X-RateLimit-Reset", "1700000010".parse().unwrap());
        assert_eq!(
            RateLimitHeaders::from_headers(&map),
            h(83, 4, 1_700_000_010)
        );
    }
}
