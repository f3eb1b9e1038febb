//! Staying inside Intercom's rate limit (RULES.md §3): every response's `X-RateLimit-*` headers
//! say how much of the current 10-second window is left. The first half of a window's budget is
//! sent as fast as the job asks (a short job, such as the export, needs no more than that); past
//! it, the client spreads what is left over the time to the reset (pacing: one request every
//! `time left ÷ requests left`), so however many requests a job has in flight, the app's sending
//! rate adapts to the budget instead of spending the window in a burst; when the budget runs low
//! anyway, or on a 429, every request of the client waits for the window to reset.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
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

    /// Requests usable before the reserve: remaining minus [`reserve`] minus the `in_flight`
    /// requests sent but not yet answered (the header does not count them yet).
    fn usable(&self, in_flight: u64) -> Option<u64> {
        let usable = self
            .remaining?
            .checked_sub(reserve(self.limit.unwrap_or(0)))?;
        Some(usable.saturating_sub(in_flight))
    }

    /// Requests that may go without pacing: what is usable beyond half the limit
    /// (`X-RateLimit-Limit`); 0 without a limit header.
    pub fn burst(&self, in_flight: u64) -> u64 {
        let half = self.limit.map(|limit| limit / 2);
        match (self.usable(in_flight), half) {
            (Some(usable), Some(half)) => usable.saturating_sub(half),
            _ => 0,
        }
    }

    /// The spacing (milliseconds) between paced requests: the usable budget (at most half the
    /// limit: the rest is [`RateLimitHeaders::burst`]) spread evenly over the time left until
    /// the reset, at most [`MAX_PACE_MS`]; `None` (no pacing) when the headers do not say or
    /// when the budget is low ([`RateLimitHeaders::hold_until`] holds instead).
    pub fn pace_ms(&self, now_ms: i64, in_flight: u64) -> Option<f64> {
        let left_ms = self.reset?.saturating_mul(1000) - now_ms;
        let usable = self.usable(in_flight)?;
        let paced = match self.limit {
            Some(limit) => usable.min(limit / 2),
            None => usable,
        };
        if paced == 0 || left_ms <= 0 {
            return None;
        }
        Some((left_ms as f64 / paced as f64).min(MAX_PACE_MS))
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
    /// Requests sent (past [`RateLimiter::paced`]) and not yet answered.
    in_flight: AtomicU64,
}

/// One request between its send slot and its answer's headers; counted in
/// `RateLimiter::in_flight` until dropped.
pub(crate) struct Sending<'a>(&'a AtomicU64);

impl Drop for Sending<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Send slots: the burst first, then one spacing apart (unix milliseconds).
#[derive(Debug, Default)]
struct Pace {
    next_ms: f64,
    spacing_ms: f64,
    /// Requests that may still go without spacing in this window.
    burst: u64,
    /// The window the headers last described (`X-RateLimit-Reset`) and the least remaining any
    /// response of it reported: answers arrive out of order, and an older one must not reopen
    /// a budget a newer one has spent.
    window_reset: i64,
    window_remaining: u64,
}

impl Pace {
    /// Folds a successful response's headers into the window seen so far; `None` for a
    /// response of an earlier window.
    fn window(&mut self, headers: &RateLimitHeaders) -> Option<RateLimitHeaders> {
        let (Some(reset), Some(remaining)) = (headers.reset, headers.remaining) else {
            return Some(*headers);
        };
        if reset < self.window_reset {
            return None;
        }
        if reset > self.window_reset {
            self.window_reset = reset;
            self.window_remaining = remaining;
        }
        self.window_remaining = self.window_remaining.min(remaining);
        Some(RateLimitHeaders {
            remaining: Some(self.window_remaining),
            ..*headers
        })
    }
}

impl RateLimiter {
    /// Records a response (its request's [`Sending`] is dropped here); returns the new hold
    /// (unix ms) when it starts or extends one.
    pub(crate) fn observe(
        &self,
        sending: Sending<'_>,
        status: u16,
        headers: &RateLimitHeaders,
    ) -> Option<i64> {
        drop(sending);
        let now = now_ms();
        if status != 429 {
            let in_flight = self.in_flight.load(Ordering::SeqCst);
            let mut pace = self.pace.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(window) = pace.window(headers) {
                pace.spacing_ms = window.pace_ms(now, in_flight).unwrap_or(0.0);
                pace.burst = window.burst(in_flight);
            }
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
    /// delay (none when the client sends slower than that anyway) and the request's place among
    /// those in flight, to hand to [`RateLimiter::observe`] with the answer.
    pub(crate) async fn paced(&self) -> (Option<Duration>, Sending<'_>) {
        let delay = self.slot().await;
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        (delay, Sending(&self.in_flight))
    }

    async fn slot(&self) -> Option<Duration> {
        let delay_ms = {
            let mut pace = self.pace.lock().unwrap_or_else(|p| p.into_inner());
            let now = now_ms() as f64;
            if pace.burst > 0 {
                pace.burst -= 1;
                pace.next_ms = pace.next_ms.max(now);
                return None;
            }
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
    fn half_the_limit_goes_unpaced_the_other_half_is_spread_over_the_time_left() {
        let reset = NOW / 1000 + 10;
        // 1,666 - 83 reserved = 1,583 usable: 750 beyond half the limit go at once, the 833
        // after them one every 10 s / 833 = ~12 ms.
        let full = h(1666, 1666, reset);
        assert_eq!(full.burst(0), 750);
        let pace = full.pace_ms(NOW, 0).unwrap();
        assert!((pace - 10_000.0 / 833.0).abs() < 1e-9, "{pace}");
        // Requests in flight are not in the header yet: they come off the burst first.
        assert_eq!(full.burst(700), 50);
        assert_eq!(full.burst(750), 0);
        let pace = full.pace_ms(NOW, 1_083).unwrap();
        assert!((pace - 10_000.0 / 500.0).abs() < 1e-9, "{pace}");
        // Half the window gone and 600 left: 5 s over 517 requests, no burst.
        let late = h(1666, 600, reset);
        assert_eq!(late.burst(0), 0);
        let pace = late.pace_ms(NOW + 5_000, 0).unwrap();
        assert!((pace - 5_000.0 / 517.0).abs() < 1e-9, "{pace}");
        // 24 in flight against a limit of 40 with 3 s left: 40 - 2 - 24 = 14 usable, under
        // half of 40: no burst, paced.
        let tiny = h(40, 40, NOW / 1000 + 3);
        assert_eq!(tiny.burst(24), 0);
        let pace = tiny.pace_ms(NOW, 24).unwrap();
        assert!((pace - 3_000.0 / 14.0).abs() < 1e-9, "{pace}");
        // Without a limit header there is no half to burst into: everything is paced.
        let no_limit = RateLimitHeaders {
            limit: None,
            ..h(0, 1002, reset)
        };
        assert_eq!(no_limit.burst(0), 0);
        assert_eq!(no_limit.pace_ms(NOW, 0), Some(10.0));
        // Little left: capped; at the reserve, no pacing (the hold takes over).
        assert_eq!(h(100, 7, reset).pace_ms(NOW, 0), Some(MAX_PACE_MS));
        assert_eq!(h(100, 5, reset).pace_ms(NOW, 0), None);
        assert_eq!(h(100, 7, reset).pace_ms(NOW, 2), None);
        assert_eq!(h(100, 50, NOW / 1000 - 1).pace_ms(NOW, 0), None);
        assert_eq!(RateLimitHeaders::default().pace_ms(NOW, 0), None);
    }

    #[test]
    fn an_answer_arriving_late_does_not_reopen_a_spent_window() {
        let mut pace = Pace::default();
        let window = |pace: &mut Pace, remaining, reset| {
            pace.window(&h(100, remaining, reset)).map(|w| w.remaining)
        };
        assert_eq!(window(&mut pace, 60, 1_000), Some(Some(60)));
        // An older answer of the same window (more left when the server sent it): the least wins.
        assert_eq!(window(&mut pace, 80, 1_000), Some(Some(60)));
        assert_eq!(window(&mut pace, 40, 1_000), Some(Some(40)));
        // A new window starts afresh; an answer of the previous one is ignored.
        assert_eq!(window(&mut pace, 99, 1_010), Some(Some(99)));
        assert_eq!(window(&mut pace, 30, 1_000), None);
        // Without headers: taken as they are.
        assert_eq!(
            pace.window(&RateLimitHeaders::default()),
            Some(RateLimitHeaders::default())
        );
    }

    #[tokio::test]
    async fn paced_requests_leave_one_spacing_apart() {
        let limiter = RateLimiter::default();
        let (delay, first) = limiter.paced().await;
        assert_eq!(delay, None, "no headers yet: no pacing");
        assert_eq!(limiter.in_flight.load(Ordering::SeqCst), 1);
        let reset = now_ms() / 1000 + 60;
        // About 60 s left over 400 usable requests (50 reserved, under half of 1,000): ~150 ms
        // apart.
        limiter.observe(first, 200, &h(1000, 50 + 400, reset));
        assert_eq!(limiter.in_flight.load(Ordering::SeqCst), 0);
        let spacing = limiter.pace.lock().unwrap().spacing_ms;
        assert!(spacing > 100.0 && spacing <= MAX_PACE_MS, "{spacing}");
        let started = std::time::Instant::now();
        let mut sending = Vec::new();
        for _ in 0..4 {
            sending.push(limiter.paced().await.1);
        }
        assert_eq!(limiter.in_flight.load(Ordering::SeqCst), 4);
        // Four slots: the first now, then three spacings.
        assert!(
            started.elapsed().as_secs_f64() * 1000.0 >= 3.0 * spacing - 1.0,
            "{:?} for spacing {spacing}",
            started.elapsed()
        );
        drop(sending);
        assert_eq!(limiter.in_flight.load(Ordering::SeqCst), 0);
        // A new window with most of its budget left: 450 beyond half the limit go unpaced.
        limiter.observe(limiter.paced().await.1, 200, &h(1000, 1000, reset + 1));
        assert_eq!(limiter.pace.lock().unwrap().burst, 450);
        for _ in 0..100 {
            assert_eq!(
                limiter.paced().await.0,
                None,
                "burst requests are not delayed"
            );
        }
        assert_eq!(limiter.pace.lock().unwrap().burst, 350);
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
