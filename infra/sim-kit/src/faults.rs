//! Injected server errors: a seeded share of requests answered 500, 502 or 503.

use std::sync::Mutex;

use axum::http::StatusCode;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Decides, request by request, whether to answer with an injected 5xx instead.
#[derive(Debug)]
pub struct FaultInjector {
    rate: f64,
    rng: Mutex<ChaCha8Rng>,
}

impl FaultInjector {
    /// `rate` is the share (0..=1) of draws that fail; the sequence is fixed by `seed`.
    pub fn new(rate: f64, seed: u64) -> Self {
        Self {
            rate,
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed)),
        }
    }

    /// `Some(500 | 502 | 503)` for a request to fail, `None` to serve it.
    pub fn draw(&self) -> Option<StatusCode> {
        if self.rate <= 0.0 {
            return None;
        }
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        if rng.random::<f64>() >= self.rate {
            return None;
        }
        Some(match rng.random_range(0..3) {
            0 => StatusCode::INTERNAL_SERVER_ERROR,
            1 => StatusCode::BAD_GATEWAY,
            _ => StatusCode::SERVICE_UNAVAILABLE,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_zero_never_fails_and_rate_one_always_does() {
        let never = FaultInjector::new(0.0, 1);
        assert!((0..100).all(|_| never.draw().is_none()));
        let always = FaultInjector::new(1.0, 1);
        assert!((0..100).all(|_| always.draw().is_some_and(|s| s.is_server_error())));
    }

    #[test]
    fn the_same_seed_fails_the_same_requests() {
        let a = FaultInjector::new(0.3, 9);
        let b = FaultInjector::new(0.3, 9);
        let draws = |f: &FaultInjector| (0..200).map(|_| f.draw()).collect::<Vec<_>>();
        let first = draws(&a);
        assert_eq!(first, draws(&b));
        let failed = first.iter().filter(|d| d.is_some()).count();
        assert!((30..=90).contains(&failed), "{failed} of 200");
    }
}
