//! Intercom-style rate limiting: a request budget per 10-second window aligned to wall-clock
//! multiples of 10 s, reported in `X-RateLimit-*` headers.

use std::sync::Mutex;

/// Window length in seconds.
pub const WINDOW_SECS: u64 = 10;

/// What the limiter decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds at which the current window ends.
    pub reset: u64,
}

#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    /// (window start in unix seconds, requests admitted in it)
    window: Mutex<(u64, u32)>,
}

impl RateLimiter {
    pub fn new(limit: u32) -> Self {
        Self {
            limit,
            window: Mutex::new((0, 0)),
        }
    }

    /// Counts one request at `now` (unix seconds); refused requests do not use budget.
    pub fn hit(&self, now: u64) -> Decision {
        let start = now - now % WINDOW_SECS;
        let mut w = self.window.lock().unwrap_or_else(|p| p.into_inner());
        if w.0 != start {
            *w = (start, 0);
        }
        let allowed = w.1 < self.limit;
        if allowed {
            w.1 += 1;
        }
        Decision {
            allowed,
            limit: self.limit,
            remaining: self.limit - w.1,
            reset: start + WINDOW_SECS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_resets_at_the_next_aligned_window() {
        let rl = RateLimiter::new(2);
        assert_eq!(rl.hit(1001).remaining, 1);
        assert_eq!(rl.hit(1005).remaining, 0);
        let refused = rl.hit(1009);
        assert!(!refused.allowed);
        assert_eq!(refused.reset, 1010);
        let next = rl.hit(1010);
        assert!(next.allowed);
        assert_eq!((next.remaining, next.reset), (1, 1020));
    }
}
