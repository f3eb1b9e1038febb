//! The quality score, 0–100 (CUSTOMER-SYNC.md §2): how complete and lively a customer's record
//! is.
//!
//! | points | when |
//! |---|---|
//! | 20 | a Stripe customer id |
//! | 20 | an `active` subscription (`past_due` does not earn it) |
//! | 15 | payment history: `ltv > 0`, or a last charge > 0 when `ltv` is null |
//! | 15 | seen within 7 days of as-of (`as_of − last_seen_at ≤ 7 × 86,400 s`, not in the future) |
//! | 10 | a location (country or city) |
//! | 10 | any conversation |
//! | 10 | a CSAT score |

/// Seconds within which a contact counts as recently seen.
pub const SEEN_WITHIN_SECONDS: i64 = 7 * 86_400;

/// What the score looks at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QualityInputs {
    pub has_stripe_customer_id: bool,
    pub has_active_subscription: bool,
    pub ltv_cents: Option<i64>,
    pub last_payment_cents: Option<i64>,
    /// `contact.last_seen_at`, unix seconds.
    pub last_seen_at: Option<i64>,
    pub has_location: bool,
    pub convos_total: i32,
    pub has_csat: bool,
}

/// The score at `as_of` (unix seconds).
pub fn quality_score(q: &QualityInputs, as_of: i64) -> i16 {
    let payment_history = match q.ltv_cents {
        Some(ltv) => ltv > 0,
        None => q.last_payment_cents.is_some_and(|c| c > 0),
    };
    let seen = q
        .last_seen_at
        .is_some_and(|t| (0..=SEEN_WITHIN_SECONDS).contains(&(as_of - t)));
    [
        (q.has_stripe_customer_id, 20),
        (q.has_active_subscription, 20),
        (payment_history, 15),
        (seen, 15),
        (q.has_location, 10),
        (q.convos_total > 0, 10),
        (q.has_csat, 10),
    ]
    .iter()
    .filter(|(earned, _)| *earned)
    .map(|(_, points)| points)
    .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const AS_OF: i64 = 1_790_000_000;

    #[test]
    fn table() {
        let all = QualityInputs {
            has_stripe_customer_id: true,
            has_active_subscription: true,
            ltv_cents: Some(1),
            last_payment_cents: None,
            last_seen_at: Some(AS_OF - SEEN_WITHIN_SECONDS),
            has_location: true,
            convos_total: 1,
            has_csat: true,
        };
        let none = QualityInputs::default();
        let cases = [
            (all, 100),
            (none, 0),
            (
                QualityInputs {
                    ltv_cents: Some(0),
                    last_payment_cents: Some(500),
                    ..all
                },
                85,
            ),
            (
                QualityInputs {
                    ltv_cents: None,
                    last_payment_cents: Some(500),
                    ..all
                },
                100,
            ),
            (
                QualityInputs {
                    ltv_cents: None,
                    last_payment_cents: Some(0),
                    ..all
                },
                85,
            ),
            (
                QualityInputs {
                    last_seen_at: Some(AS_OF - SEEN_WITHIN_SECONDS - 1),
                    ..all
                },
                85,
            ),
            (
                QualityInputs {
                    last_seen_at: Some(AS_OF + 60),
                    ..all
                },
                85,
            ),
            (
                QualityInputs {
                    has_active_subscription: false,
                    ..all
                },
                80,
            ),
            (
                QualityInputs {
                    has_stripe_customer_id: true,
                    ..none
                },
                20,
            ),
            (
                QualityInputs {
                    convos_total: 3,
                    has_csat: true,
                    ..none
                },
                20,
            ),
            (
                QualityInputs {
                    has_location: true,
                    ..none
                },
                10,
            ),
        ];
        for (inputs, want) in cases {
            assert_eq!(quality_score(&inputs, AS_OF), want, "{inputs:?}");
        }
    }

    proptest! {
        /// Always 0..=100, a multiple of 5, and never lower with one more criterion met.
        #[test]
        fn bounded_and_monotone(a in any::<[bool; 7]>(), seen in 0i64..20 * 86_400) {
            let q = QualityInputs {
                has_stripe_customer_id: a[0],
                has_active_subscription: a[1],
                ltv_cents: a[2].then_some(100),
                last_payment_cents: None,
                last_seen_at: Some(AS_OF - seen),
                has_location: a[4],
                convos_total: i32::from(a[5]),
                has_csat: a[6],
            };
            let s = quality_score(&q, AS_OF);
            prop_assert!((0..=100).contains(&s) && s % 5 == 0);
            let more_location = QualityInputs { has_location: true, ..q };
            let more_csat = QualityInputs { has_csat: true, ..q };
            prop_assert!(quality_score(&more_location, AS_OF) >= s);
            prop_assert!(quality_score(&more_csat, AS_OF) >= s);
        }
    }
}
