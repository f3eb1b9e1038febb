//! Retrying requests that failed for a reason that may pass (RULES.md §3): 429, 5xx, timeouts
//! and connection errors, with bounded exponential backoff and jitter. Other 4xx are final.
//!
//! A 429 also holds the client's rate-limit gate until the window resets, so its retry waits for
//! the longer of the backoff and the reset.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};

use super::error::IntercomError;

/// Each delay is this many times the previous one, up to [`RetryPolicy::max_delay`].
pub const BACKOFF_FACTOR: f32 = 2.0;

/// How often and how patiently to retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (5: at most 6 attempts).
    pub max_retries: u32,
    /// Delay before the first retry, before jitter (200 ms).
    pub base_delay: Duration,
    /// Longest delay between attempts (10 s).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.base_delay)
            .with_max_delay(self.max_delay)
            .with_factor(BACKOFF_FACTOR)
            .with_max_times(self.max_retries as usize)
    }

    /// Runs `attempt(n)` for n = 1, 2, .. until it succeeds, fails with an error that is not
    /// retryable (returned as is), or the retries run out ([`IntercomError::RetriesExhausted`]).
    /// `on_retry(error, delay, attempt)` is told before each retry.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        mut attempt: F,
        mut on_retry: impl FnMut(&IntercomError, Duration, u32),
    ) -> Result<T, IntercomError>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, IntercomError>>,
    {
        let attempts = AtomicU32::new(0);
        let result = (|| attempt(attempts.fetch_add(1, Ordering::Relaxed) + 1))
            .retry(self.backoff())
            .when(IntercomError::is_retryable)
            // backon's own jitter can double a delay past the cap; this one stays under it.
            .adjust(|_, delay| delay.map(equal_jitter))
            .notify(|error, delay| on_retry(error, delay, attempts.load(Ordering::Relaxed)))
            .await;
        result.map_err(|last| {
            if last.is_retryable() {
                IntercomError::RetriesExhausted {
                    attempts: attempts.load(Ordering::Relaxed),
                    last: Box::new(last),
                }
            } else {
                last
            }
        })
    }
}

/// A delay between half of `delay` and `delay`, so clients that failed together spread out.
fn equal_jitter(delay: Duration) -> Duration {
    delay / 2 + delay.mul_f64(rand::random::<f64>() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(max_retries: u32) -> RetryPolicy {
        RetryPolicy {
            max_retries,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        }
    }

    fn api(status: u16) -> IntercomError {
        IntercomError::Api {
            status,
            code: "c".into(),
            message: "m".into(),
            request_id: None,
        }
    }

    #[tokio::test]
    async fn retries_retryable_errors_until_success() {
        let mut retried = Vec::new();
        let result = fast(5)
            .run(
                |n| async move {
                    if n < 3 {
                        Err(api(503))
                    } else {
                        Ok(n)
                    }
                },
                |_, _, n| retried.push(n),
            )
            .await;
        assert_eq!(result.unwrap(), 3);
        assert_eq!(retried, vec![1, 2]);
    }

    #[tokio::test]
    async fn never_retries_other_4xx() {
        let mut calls = 0;
        let result: Result<(), _> = fast(5)
            .run(
                |_| {
                    calls += 1;
                    async { Err(api(404)) }
                },
                |_, _, _| {},
            )
            .await;
        assert_eq!(result.unwrap_err().status(), Some(404));
        assert_eq!(calls, 1);
    }

    #[tokio::test]
    async fn gives_up_after_max_retries() {
        let result: Result<(), _> = fast(2).run(|_| async { Err(api(500)) }, |_, _, _| {}).await;
        match result.unwrap_err() {
            IntercomError::RetriesExhausted { attempts, last } => {
                assert_eq!(attempts, 3);
                assert_eq!(last.status(), Some(500));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn jitter_stays_within_half_and_full_delay() {
        for _ in 0..100 {
            let d = equal_jitter(Duration::from_secs(10));
            assert!(
                d >= Duration::from_secs(5) && d <= Duration::from_secs(10),
                "{d:?}"
            );
        }
    }
}
