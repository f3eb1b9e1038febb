use super::*;
use proptest::prelude::*;
use serde_json::json;

fn attrs(v: Value) -> CustomAttributes {
    v.as_object().unwrap().clone()
}

fn rev(v: Value) -> Revenue {
    revenue(&attrs(v)).unwrap()
}

/// (mrr, arr, subscription_count) in cents.
fn figures(r: &Revenue) -> (Option<i64>, Option<i64>, Option<i32>) {
    (r.mrr_cents, r.arr_cents, r.subscription_count)
}

#[test]
fn flat_attributes_by_interval_and_status() {
    let flat = |price: Value, interval: &str, status: &str| {
        figures(&rev(
            json!({"stripe_id": "cus_1", "stripe_plan_price": price,
            "stripe_plan_interval": interval, "stripe_subscription_status": status}),
        ))
    };
    let cases = [
        // 49.99 a month.
        (
            json!(49.99),
            "month",
            "active",
            (Some(4_999), Some(59_988), Some(1)),
        ),
        // 1,200 a year: 100.00 a month.
        (
            json!(1200),
            "year",
            "active",
            (Some(10_000), Some(120_000), Some(1)),
        ),
        // 999.99 a year: 8,333.25 cents a month → 8,333; ARR from the unrounded figure: 99,999.
        (
            json!(999.99),
            "year",
            "active",
            (Some(8_333), Some(99_999), Some(1)),
        ),
        // 10 a week: 1,000 × 52 / 12 = 4,333.33… cents → 4,333; ARR 52,000.
        (
            json!(10),
            "week",
            "active",
            (Some(4_333), Some(52_000), Some(1)),
        ),
        // 1 a day: 100 × 365 / 12 = 3,041.67 → 3,042; ARR 36,500.
        (
            json!(1),
            "day",
            "active",
            (Some(3_042), Some(36_500), Some(1)),
        ),
        // past_due still counts.
        (
            json!(20),
            "month",
            "past_due",
            (Some(2_000), Some(24_000), Some(1)),
        ),
        // A price over 1,000 is dollars, not cents.
        (
            json!(1500),
            "month",
            "active",
            (Some(150_000), Some(1_800_000), Some(1)),
        ),
        (
            json!(49.99),
            "month",
            "trialing",
            (Some(0), Some(0), Some(0)),
        ),
        (
            json!(49.99),
            "month",
            "canceled",
            (Some(0), Some(0), Some(0)),
        ),
        (
            json!(49.99),
            "Month ",
            "unpaid",
            (Some(0), Some(0), Some(0)),
        ),
    ];
    for (price, interval, status, want) in cases {
        assert_eq!(
            flat(price.clone(), interval, status),
            want,
            "{price} {interval} {status}"
        );
    }
}

#[test]
fn flat_columns_are_read_as_given() {
    let r = rev(
        json!({"stripe_id": "cus_9", "stripe_plan": "Pro", "stripe_plan_price": 99.5,
        "stripe_plan_interval": "month", "stripe_subscription_status": "active",
        "stripe_delinquent": false, "stripe_last_charge_amount": 99.5,
        "stripe_last_charge_at": 1_780_000_000}),
    );
    assert_eq!(r.stripe_customer_id.as_deref(), Some("cus_9"));
    assert_eq!(r.plan_name.as_deref(), Some("Pro"));
    assert_eq!(r.plan_price_cents, Some(9_950));
    assert_eq!(r.subscription_status.as_deref(), Some("active"));
    assert_eq!(r.is_delinquent, Some(false));
    // Already dollars: 99.5 is 9,950 cents, not 99.5 cents.
    assert_eq!(r.last_payment_cents, Some(9_950));
    assert_eq!(r.last_payment_at.unwrap().timestamp(), 1_780_000_000);
    assert_eq!(r.ltv_cents, None, "no payment history without the array");
    assert!(r.has_active_subscription);
}

#[test]
fn no_stripe_data_is_null_not_zero() {
    let r = rev(json!({"plan": "x", "stripe_id": null, "stripe_plan": ""}));
    assert_eq!(r, Revenue::default());
    assert_eq!(figures(&r), (None, None, None));
    // Only a customer id: Stripe data, no subscription.
    assert_eq!(
        figures(&rev(json!({"stripe_id": "cus_2"}))),
        (Some(0), Some(0), Some(0))
    );
}

#[test]
fn subscription_arrays_win_over_flat_attributes() {
    let subs = json!([
        // 25.00 × 3 seats a month: 7,500.
        {"status": "active", "quantity": 3, "plan": {"amount": 2500, "interval": "month", "interval_count": 1}},
        // 1,200.00 every 2 years: 120,000 / 24 = 5,000.
        {"status": "past_due", "quantity": 1, "plan": {"amount": 120000, "interval": "year", "interval_count": 2}},
        {"status": "trialing", "quantity": 1, "plan": {"amount": 5000, "interval": "month"}},
        {"status": "canceled", "plan": {"amount": 5000, "interval": "month"}},
        // Stripe's newer `price` shape: 30.00 every 3 months, 2 seats → 2,000.
        {"status": "active", "quantity": 2, "price": {"unit_amount": 3000, "recurring": {"interval": "month", "interval_count": 3}}}
    ]);
    let a = json!({"stripe_plan_price": 10, "stripe_plan_interval": "month",
        "stripe_subscription_status": "canceled", "Stripe Subscriptions": subs.clone()});
    let r = rev(a);
    assert_eq!(figures(&r), (Some(14_500), Some(174_000), Some(3)));
    assert!(r.has_active_subscription);
    // The same array as JSON text.
    let r = rev(json!({"Stripe Subscriptions": subs.to_string()}));
    assert_eq!(figures(&r), (Some(14_500), Some(174_000), Some(3)));
    // An empty array: Stripe data, no subscriptions (the flat status is not used).
    let r = rev(
        json!({"stripe_plan_price": 10, "stripe_plan_interval": "month",
        "stripe_subscription_status": "active", "Stripe Subscriptions": []}),
    );
    assert_eq!(figures(&r), (Some(0), Some(0), Some(0)));
}

#[test]
fn rounding_happens_once_half_even() {
    // 6 cents a year: 0.5 cents a month → 0 (half to even); ARR 6.
    let sub = |amount: i64| {
        json!({"Stripe Subscriptions": [
        {"status": "active", "plan": {"amount": amount, "interval": "year"}}]})
    };
    assert_eq!(figures(&rev(sub(6))), (Some(0), Some(6), Some(1)));
    // 18 cents a year: 1.5 → 2.
    assert_eq!(figures(&rev(sub(18))), (Some(2), Some(18), Some(1)));
    // Two subscriptions of 6 cents a year: 0.5 + 0.5 = 1, not 0 + 0.
    let r = rev(json!({"Stripe Subscriptions": [
        {"status": "active", "plan": {"amount": 6, "interval": "year"}},
        {"status": "active", "plan": {"amount": 6, "interval": "year"}}]}));
    assert_eq!(figures(&r), (Some(1), Some(12), Some(2)));
}

#[test]
fn ltv_nets_refunds_of_succeeded_payments() {
    let r = rev(json!({"Stripe Payments": [
        {"amount": 10000, "amount_refunded": 2500, "status": "succeeded"},
        {"amount": 5000, "status": "succeeded"},
        {"amount": 9999, "status": "failed"},
        {"amount": 3000, "amount_refunded": 3000, "status": "succeeded"},
        {"amount": 700, "status": "pending"}
    ]}));
    // 7,500 + 5,000 + 0.
    assert_eq!(r.ltv_cents, Some(12_500));
    assert_eq!(figures(&r), (Some(0), Some(0), Some(0)));
    assert_eq!(rev(json!({"Stripe Payments": "[]"})).ltv_cents, Some(0));
}

#[test]
fn invalid_data_names_the_field() {
    let cases = [
        (
            json!({"stripe_plan_price": -5}),
            "custom_attributes.stripe_plan_price",
        ),
        (
            json!({"stripe_plan_price": "ten"}),
            "custom_attributes.stripe_plan_price",
        ),
        (
            json!({"stripe_subscription_status": "actve"}),
            "custom_attributes.stripe_subscription_status",
        ),
        (
            json!({"stripe_last_charge_at": 0}),
            "custom_attributes.stripe_last_charge_at",
        ),
        (
            json!({"stripe_last_charge_at": -100}),
            "custom_attributes.stripe_last_charge_at",
        ),
        (
            json!({"stripe_last_charge_amount": -0.01}),
            "custom_attributes.stripe_last_charge_amount",
        ),
        (
            json!({"stripe_plan_interval": "fortnight"}),
            "custom_attributes.stripe_plan_interval",
        ),
        (
            json!({"stripe_delinquent": "maybe"}),
            "custom_attributes.stripe_delinquent",
        ),
        (
            json!({"stripe_subscription_status": "active", "stripe_plan_interval": "month"}),
            "custom_attributes.stripe_plan_price",
        ),
        (
            json!({"Stripe Subscriptions": "[{"}),
            "custom_attributes.Stripe Subscriptions",
        ),
        (
            json!({"Stripe Subscriptions": {"a": 1}}),
            "custom_attributes.Stripe Subscriptions",
        ),
        (
            json!({"Stripe Subscriptions": [{"status": "active", "plan": {"amount": -100, "interval": "month"}}]}),
            "custom_attributes.Stripe Subscriptions[0].plan.amount",
        ),
        (
            json!({"Stripe Subscriptions": [{"status": "active", "plan": {"amount": 100, "interval": "month"}},
                                         {"status": "gone", "plan": {"amount": 100, "interval": "month"}}]}),
            "custom_attributes.Stripe Subscriptions[1].status",
        ),
        (
            json!({"Stripe Subscriptions": [{"status": "active", "plan": {"amount": 9.5, "interval": "month"}}]}),
            "custom_attributes.Stripe Subscriptions[0].plan.amount",
        ),
        (
            json!({"Stripe Subscriptions": [{"status": "active", "plan": {"amount": 100, "interval": "month", "interval_count": 0}}]}),
            "custom_attributes.Stripe Subscriptions[0].interval_count",
        ),
        (
            json!({"Stripe Payments": [{"amount": 100, "amount_refunded": 200, "status": "succeeded"}]}),
            "custom_attributes.Stripe Payments[0].amount_refunded",
        ),
        (
            json!({"Stripe Payments": [{"amount": 100, "status": "paid"}]}),
            "custom_attributes.Stripe Payments[0].status",
        ),
    ];
    for (a, field) in cases {
        let err = revenue(&attrs(a.clone())).unwrap_err();
        assert_eq!(err.field, field, "{a}: {err}");
    }
}

fn interval() -> impl Strategy<Value = (&'static str, Interval)> {
    prop_oneof![
        Just(("day", Interval::Day)),
        Just(("week", Interval::Week)),
        Just(("month", Interval::Month)),
        Just(("year", Interval::Year)),
    ]
}

fn sub_strategy() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(SUBSCRIPTION_STATUSES.to_vec()),
        0i64..5,
        0i64..1_000_000,
        interval(),
        1i64..4,
    )
        .prop_map(|(status, quantity, amount, (name, _), count)| {
            json!({"status": status, "quantity": quantity,
                   "plan": {"amount": amount, "interval": name, "interval_count": count}})
        })
}

proptest! {
    /// A yearly plan's ARR is exactly its yearly amount (one rounding, from the unrounded MRR).
    #[test]
    fn yearly_arr_is_the_yearly_amount(amount in 0i64..100_000_000, quantity in 1i64..20) {
        let r = rev(json!({"Stripe Subscriptions": [{"status": "active", "quantity": quantity,
            "plan": {"amount": amount, "interval": "year"}}]}));
        prop_assert_eq!(r.arr_cents, Some(amount * quantity));
    }

    /// A monthly plan's MRR is amount × quantity ÷ interval_count, within half a cent.
    #[test]
    fn monthly_mrr(amount in 0i64..10_000_000, quantity in 1i64..20, count in 1i64..13) {
        let r = rev(json!({"Stripe Subscriptions": [{"status": "past_due", "quantity": quantity,
            "plan": {"amount": amount, "interval": "month", "interval_count": count}}]}));
        let mrr = r.mrr_cents.unwrap();
        prop_assert!(((mrr * count) - amount * quantity).abs() * 2 <= count);
    }

    /// MRR ignores the order of subscriptions, is never negative, ARR is 12 × MRR within 6
    /// cents, and only active and past-due subscriptions are counted.
    #[test]
    fn order_free_and_consistent(subs in prop::collection::vec(sub_strategy(), 0..6)) {
        let r = rev(json!({"Stripe Subscriptions": subs.clone()}));
        let mut reversed = subs.clone();
        reversed.reverse();
        prop_assert_eq!(figures(&rev(json!({"Stripe Subscriptions": reversed}))), figures(&r));
        let (mrr, arr) = (r.mrr_cents.unwrap(), r.arr_cents.unwrap());
        prop_assert!(mrr >= 0);
        prop_assert!((arr - 12 * mrr).abs() <= 6);
        let counted = subs.iter().filter(|s| MRR_STATUSES.contains(&s["status"].as_str().unwrap())).count();
        prop_assert_eq!(r.subscription_count, Some(counted as i32));
        if counted == 0 {
            prop_assert_eq!(mrr, 0);
        }
    }

    /// LTV is the sum of succeeded amounts less their refunds, whatever the order.
    #[test]
    fn ltv_sum(pays in prop::collection::vec((0i64..1_000_000, 0i64..1_000_000, any::<bool>()), 0..8)) {
        let array: Vec<Value> = pays.iter().map(|&(a, r, ok)| {
            let (amount, refunded) = (a.max(r), a.min(r));
            json!({"amount": amount, "amount_refunded": refunded, "status": if ok { "succeeded" } else { "failed" }})
        }).collect();
        let want: i64 = pays.iter().filter(|p| p.2).map(|&(a, r, _)| a.max(r) - a.min(r)).sum();
        prop_assert_eq!(rev(json!({"Stripe Payments": array})).ltv_cents, Some(want));
    }
}
