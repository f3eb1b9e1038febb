//! Staying inside Intercom's rate limit (RULES.md §3): every response's `X-RateLimit-*` headers
//! say how much of the current 10-second window is left; when it runs low, or on a 429, every
//! request of the client waits for the window to reset.

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
}

/// The shared gate every request of one client passes before it is sent.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    /// Unix milliseconds before which no request may be sent; in the past when open.
    hold_until_ms: AtomicI64,
    /// Serializes the waiters, so one wait per reset is counted and they leave in order.
    gate: tokio::sync::Mutex<()>,
}

impl RateLimiter {
    /// Records a response; returns the new hold (unix ms) when it starts or extends one.
    pub(crate) fn observe(&self, status: u16, headers: &RateLimitHeaders) -> Option<i64> {
        let until = headers.hold_until(status, now_ms())?;
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
