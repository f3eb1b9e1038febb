//! Access tokens from `POST /auth/login`, each valid for the configured lifetime.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Why a presented token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    Expired,
}

#[derive(Debug, Default)]
pub struct Tokens {
    /// token → when it stops working.
    issued: Mutex<HashMap<String, Instant>>,
}

impl Tokens {
    /// A new token valid from `now` for `lifetime`.
    pub fn issue(&self, now: Instant, lifetime: Duration) -> String {
        let token = format!("yobi.{}", sim_kit::uuid_v4().replace('-', ""));
        self.lock().insert(token.clone(), now + lifetime);
        token
    }

    pub fn check(&self, token: &str, now: Instant) -> Result<(), Refusal> {
        match self.lock().get(token) {
            None => Err(Refusal::Unknown),
            Some(&end) if now >= end => Err(Refusal::Expired),
            Some(_) => Ok(()),
        }
    }

    /// Makes every token issued so far expired.
    pub fn expire_all(&self, now: Instant) {
        for end in self.lock().values_mut() {
            *end = (*end).min(now);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        self.issued.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_work_until_their_lifetime_ends() {
        let tokens = Tokens::default();
        let t0 = Instant::now();
        let a = tokens.issue(t0, Duration::from_secs(10));
        assert_eq!(tokens.check(&a, t0 + Duration::from_secs(9)), Ok(()));
        assert_eq!(
            tokens.check(&a, t0 + Duration::from_secs(10)),
            Err(Refusal::Expired)
        );
        assert_eq!(tokens.check("yobi.nope", t0), Err(Refusal::Unknown));
        let b = tokens.issue(t0, Duration::from_secs(10));
        assert_ne!(a, b);
        tokens.expire_all(t0 + Duration::from_secs(1));
        assert_eq!(
            tokens.check(&b, t0 + Duration::from_secs(1)),
            Err(Refusal::Expired)
        );
    }
}
