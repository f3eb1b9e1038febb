//! A rolling request budget: at most `max` admitted requests in any window of time.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `max` admitted requests in any `window`.
#[derive(Debug)]
pub struct RollingWindow {
    window: Duration,
    max: u32,
    admitted: Mutex<VecDeque<Instant>>,
}

/// What a window decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowDecision {
    pub allowed: bool,
    pub max: u32,
    /// Requests still allowed in the window after this one.
    pub remaining: u32,
}

impl RollingWindow {
    pub fn new(window: Duration, max: u32) -> Self {
        Self {
            window,
            max,
            admitted: Mutex::new(VecDeque::new()),
        }
    }

    /// Counts one request at `now` if the window has room.
    pub fn hit(&self, now: Instant) -> WindowDecision {
        let mut admitted = self.admitted.lock().unwrap_or_else(|p| p.into_inner());
        while admitted
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= self.window)
        {
            admitted.pop_front();
        }
        let used = admitted.len() as u32;
        let allowed = used < self.max;
        if allowed {
            admitted.push_back(now);
        }
        WindowDecision {
            allowed,
            max: self.max,
            remaining: self.max.saturating_sub(used + u32::from(allowed)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_rolls_rather_than_resetting() {
        let w = RollingWindow::new(Duration::from_secs(10), 2);
        let t0 = Instant::now();
        assert_eq!(w.hit(t0).remaining, 1);
        assert_eq!(w.hit(t0 + Duration::from_secs(6)).remaining, 0);
        let refused = w.hit(t0 + Duration::from_secs(9));
        assert!(!refused.allowed);
        // The first request leaves the window at 10 s, the second only at 16 s.
        assert!(w.hit(t0 + Duration::from_secs(10)).allowed);
        assert!(!w.hit(t0 + Duration::from_secs(12)).allowed);
        assert!(w.hit(t0 + Duration::from_secs(16)).allowed);
    }

    #[test]
    fn refused_requests_use_no_budget() {
        let w = RollingWindow::new(Duration::from_secs(1), 1);
        let t0 = Instant::now();
        assert!(w.hit(t0).allowed);
        for ms in [100, 300, 900] {
            assert!(!w.hit(t0 + Duration::from_millis(ms)).allowed);
        }
        assert!(w.hit(t0 + Duration::from_millis(1000)).allowed);
    }
}
