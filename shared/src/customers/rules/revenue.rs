//! Revenue of one contact from its Stripe attributes (CUSTOMER-SYNC.md §2, "Revenue"): the flat
//! attributes Intercom's Stripe app writes (dollars) and, when present, the `Stripe
//! Subscriptions` and `Stripe Payments` arrays (Stripe objects, cents).
//!
//! Sources, all in `contact.custom_attributes`:
//!
//! | attribute | shape |
//! |---|---|
//! | `stripe_id` | text, `cus_…` |
//! | `stripe_plan` | text |
//! | `stripe_plan_price` | dollars (float), per `stripe_plan_interval` |
//! | `stripe_plan_interval` | `day`, `week`, `month`, `year` |
//! | `stripe_subscription_status` | one of Stripe's subscription statuses |
//! | `stripe_delinquent` | boolean |
//! | `stripe_last_charge_amount` | dollars (float) |
//! | `stripe_last_charge_at` | unix seconds |
//! | `Stripe Subscriptions` | array (or JSON text of one) of `{status, quantity, plan: {amount (cents), interval, interval_count}}` (or `price: {unit_amount, recurring: {interval, interval_count}}`) |
//! | `Stripe Payments` | array (or JSON text of one) of `{amount (cents), amount_refunded (cents), status}` |
//!
//! Decisions where the rules are silent (also in docs/customer-sync.md):
//! - `null`, `""` and blank text count as absent; an empty array is present (no subscriptions).
//! - An `active` or `past_due` flat subscription without a price or interval is invalid data.
//! - Interval names are matched case-insensitively after trimming.
//! - `plan_price` is the flat price as given (per its interval), rounded half-even to cents.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::money::{cents, dollars, kind, ExactCents};
use crate::intercom::CustomAttributes;

pub const STRIPE_ID: &str = "stripe_id";
pub const STRIPE_PLAN: &str = "stripe_plan";
pub const STRIPE_PLAN_PRICE: &str = "stripe_plan_price";
pub const STRIPE_PLAN_INTERVAL: &str = "stripe_plan_interval";
pub const STRIPE_SUBSCRIPTION_STATUS: &str = "stripe_subscription_status";
pub const STRIPE_DELINQUENT: &str = "stripe_delinquent";
pub const STRIPE_LAST_CHARGE_AMOUNT: &str = "stripe_last_charge_amount";
pub const STRIPE_LAST_CHARGE_AT: &str = "stripe_last_charge_at";
pub const STRIPE_SUBSCRIPTIONS: &str = "Stripe Subscriptions";
pub const STRIPE_PAYMENTS: &str = "Stripe Payments";

/// Every attribute whose presence means "this contact has Stripe data".
pub const STRIPE_ATTRIBUTES: [&str; 10] = [
    STRIPE_ID,
    STRIPE_PLAN,
    STRIPE_PLAN_PRICE,
    STRIPE_PLAN_INTERVAL,
    STRIPE_SUBSCRIPTION_STATUS,
    STRIPE_DELINQUENT,
    STRIPE_LAST_CHARGE_AMOUNT,
    STRIPE_LAST_CHARGE_AT,
    STRIPE_SUBSCRIPTIONS,
    STRIPE_PAYMENTS,
];

/// Stripe's subscription statuses.
pub const SUBSCRIPTION_STATUSES: [&str; 8] = [
    "incomplete",
    "incomplete_expired",
    "trialing",
    "active",
    "past_due",
    "canceled",
    "unpaid",
    "paused",
];

/// Statuses whose subscriptions count in MRR.
pub const MRR_STATUSES: [&str; 2] = ["active", "past_due"];

/// Stripe's charge and payment-intent statuses.
pub const PAYMENT_STATUSES: [&str; 10] = [
    "succeeded",
    "pending",
    "failed",
    "canceled",
    "processing",
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "requires_capture",
    "refunded",
];

/// A field of a contact that cannot be read; the contact is skipped (`skipped.invalid_data`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidField {
    /// Where the bad value is, e.g. `custom_attributes.stripe_plan_price` or
    /// `custom_attributes.Stripe Subscriptions[1].plan.amount`.
    pub field: String,
    /// What is wrong with it; never the value of a text field.
    pub reason: String,
}

impl InvalidField {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

fn attr_field(name: &str) -> String {
    format!("custom_attributes.{name}")
}

/// A Stripe billing interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Day,
    Week,
    Month,
    Year,
}

impl Interval {
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw.trim().to_ascii_lowercase().as_str() {
            "day" => Self::Day,
            "week" => Self::Week,
            "month" => Self::Month,
            "year" => Self::Year,
            _ => return None,
        })
    }

    /// The factor `(num, den)` that turns an amount per `count` intervals into an amount per
    /// month: year ÷ 12, week × 52/12, day × 365/12, each ÷ `count`.
    pub fn monthly_factor(self, count: i64) -> (i128, i128) {
        let count = i128::from(count);
        match self {
            Self::Month => (1, count),
            Self::Year => (1, 12 * count),
            Self::Week => (52, 12 * count),
            Self::Day => (365, 12 * count),
        }
    }
}

/// `amount_cents × quantity` per `count` intervals as exact cents per month.
pub fn monthly(amount: ExactCents, quantity: i64, interval: Interval, count: i64) -> ExactCents {
    let (num, den) = interval.monthly_factor(count);
    amount.times(i128::from(quantity) * num, den)
}

/// The revenue columns of one contact; money in whole cents (rounded once).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revenue {
    /// `stripe_id`.
    pub stripe_customer_id: Option<String>,
    /// `stripe_plan`.
    pub plan_name: Option<String>,
    /// `stripe_plan_price` in cents, per `stripe_plan_interval`.
    pub plan_price_cents: Option<i64>,
    /// `stripe_subscription_status`.
    pub subscription_status: Option<String>,
    /// `stripe_delinquent`.
    pub is_delinquent: Option<bool>,
    /// `stripe_last_charge_amount` in cents (the attribute is dollars: no division by 100).
    pub last_payment_cents: Option<i64>,
    /// `stripe_last_charge_at`.
    pub last_payment_at: Option<DateTime<Utc>>,
    /// Monthly recurring revenue in cents; `None` without any Stripe data.
    pub mrr_cents: Option<i64>,
    /// `mrr × 12` from the unrounded monthly figure, in cents.
    pub arr_cents: Option<i64>,
    /// Subscriptions counted in MRR; `None` without any Stripe data.
    pub subscription_count: Option<i32>,
    /// Lifetime value in cents from `Stripe Payments`; `None` without that array.
    pub ltv_cents: Option<i64>,
    /// Whether a subscription is `active` (the flat status, or any in `Stripe Subscriptions`).
    pub has_active_subscription: bool,
}

/// A present attribute: `null`, `""` and blank text are absent.
fn present<'a>(attrs: &'a CustomAttributes, name: &str) -> Option<&'a Value> {
    match attrs.get(name)? {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        v => Some(v),
    }
}

fn text(attrs: &CustomAttributes, name: &str) -> Result<Option<String>, InvalidField> {
    match present(attrs, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(InvalidField::new(
            attr_field(name),
            format!("is {}, not text", kind(other)),
        )),
    }
}

fn non_negative_dollars(
    attrs: &CustomAttributes,
    name: &str,
) -> Result<Option<ExactCents>, InvalidField> {
    let Some(v) = present(attrs, name) else {
        return Ok(None);
    };
    let amount = dollars(v).map_err(|r| InvalidField::new(attr_field(name), r))?;
    if amount.is_negative() {
        return Err(InvalidField::new(attr_field(name), "is negative"));
    }
    Ok(Some(amount))
}

fn status(raw: &str, allowed: &[&str], field: String) -> Result<String, InvalidField> {
    let s = raw.trim().to_ascii_lowercase();
    if allowed.contains(&s.as_str()) {
        Ok(s)
    } else {
        Err(InvalidField::new(
            field,
            format!(
                "{raw:?} is not one of Stripe's statuses ({})",
                allowed.join(", ")
            ),
        ))
    }
}

/// The array attribute `name` (JSON, or JSON text of an array); `None` when absent.
fn array(attrs: &CustomAttributes, name: &str) -> Result<Option<Vec<Value>>, InvalidField> {
    match present(attrs, name) {
        None => Ok(None),
        Some(Value::Array(xs)) => Ok(Some(xs.clone())),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Array(xs)) => Ok(Some(xs)),
            Ok(other) => Err(InvalidField::new(
                attr_field(name),
                format!("holds {}, not an array", kind(&other)),
            )),
            Err(e) => Err(InvalidField::new(
                attr_field(name),
                format!(
                    "does not parse as JSON (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )),
        },
        Some(other) => Err(InvalidField::new(
            attr_field(name),
            format!("is {}, not an array", kind(other)),
        )),
    }
}

/// A non-negative integer at `path` inside `obj`, or `default` when absent.
fn int_at(
    obj: &Value,
    path: &[&str],
    default: Option<i64>,
    field: &str,
) -> Result<i64, InvalidField> {
    let mut cur = Some(obj);
    for key in path {
        cur = cur.and_then(|c| c.get(key)).filter(|v| !v.is_null());
    }
    let name = format!("{field}.{}", path.join("."));
    match cur {
        None => default.ok_or_else(|| InvalidField::new(name, "is missing")),
        Some(v) => {
            let n = cents(v).map_err(|r| InvalidField::new(name.clone(), r))?;
            if n < 0 {
                Err(InvalidField::new(name, "is negative"))
            } else {
                Ok(n)
            }
        }
    }
}

fn str_at<'a>(obj: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = obj;
    for key in path {
        cur = cur.get(key)?;
    }
    cur.as_str()
}

/// One subscription's contribution: `(monthly cents, counted, active)`.
fn subscription(sub: &Value, field: &str) -> Result<(ExactCents, bool, bool), InvalidField> {
    if !sub.is_object() {
        return Err(InvalidField::new(
            field,
            format!("is {}, not a subscription", kind(sub)),
        ));
    }
    let raw_status = str_at(sub, &["status"])
        .ok_or_else(|| InvalidField::new(format!("{field}.status"), "is missing"))?;
    let status = status(
        raw_status,
        &SUBSCRIPTION_STATUSES,
        format!("{field}.status"),
    )?;
    // Stripe's legacy `plan` or its `price` (the same figures under other names).
    let (amount, interval, count) = if sub.get("plan").is_some_and(Value::is_object) {
        (
            int_at(sub, &["plan", "amount"], None, field)?,
            (
                str_at(sub, &["plan", "interval"]),
                format!("{field}.plan.interval"),
            ),
            int_at(sub, &["plan", "interval_count"], Some(1), field)?,
        )
    } else {
        (
            int_at(sub, &["price", "unit_amount"], None, field)?,
            (
                str_at(sub, &["price", "recurring", "interval"]),
                format!("{field}.price.recurring.interval"),
            ),
            int_at(
                sub,
                &["price", "recurring", "interval_count"],
                Some(1),
                field,
            )?,
        )
    };
    let (interval, interval_field) = interval;
    let interval = interval
        .and_then(Interval::parse)
        .ok_or_else(|| InvalidField::new(interval_field, "is not day, week, month or year"))?;
    if count < 1 {
        return Err(InvalidField::new(
            format!("{field}.interval_count"),
            "must be 1 or more",
        ));
    }
    let quantity = int_at(sub, &["quantity"], Some(1), field)?;
    let counted = MRR_STATUSES.contains(&status.as_str());
    let monthly_cents = if counted {
        monthly(ExactCents::whole(amount), quantity, interval, count)
    } else {
        ExactCents::ZERO
    };
    Ok((monthly_cents, counted, status == "active"))
}

/// One payment's net cents when it succeeded, else 0.
fn payment(pay: &Value, field: &str) -> Result<i64, InvalidField> {
    if !pay.is_object() {
        return Err(InvalidField::new(
            field,
            format!("is {}, not a payment", kind(pay)),
        ));
    }
    let raw_status = str_at(pay, &["status"])
        .ok_or_else(|| InvalidField::new(format!("{field}.status"), "is missing"))?;
    let status = status(raw_status, &PAYMENT_STATUSES, format!("{field}.status"))?;
    let amount = int_at(pay, &["amount"], None, field)?;
    let refunded = int_at(pay, &["amount_refunded"], Some(0), field)?;
    if refunded > amount {
        return Err(InvalidField::new(
            format!("{field}.amount_refunded"),
            "is larger than the amount",
        ));
    }
    Ok(if status == "succeeded" {
        amount - refunded
    } else {
        0
    })
}

/// The revenue columns from `attrs` (`contact.custom_attributes`).
///
/// Errors: the first invalid field (negative amount, status outside Stripe's set, non-positive
/// timestamp, an array that does not parse, a missing price of a counted subscription).
pub fn revenue(attrs: &CustomAttributes) -> Result<Revenue, InvalidField> {
    let has_stripe = STRIPE_ATTRIBUTES
        .iter()
        .any(|a| present(attrs, a).is_some());
    if !has_stripe {
        return Ok(Revenue::default());
    }
    let flat_status = text(attrs, STRIPE_SUBSCRIPTION_STATUS)?
        .map(|s| {
            status(
                &s,
                &SUBSCRIPTION_STATUSES,
                attr_field(STRIPE_SUBSCRIPTION_STATUS),
            )
        })
        .transpose()?;
    let price = non_negative_dollars(attrs, STRIPE_PLAN_PRICE)?;
    let interval = match text(attrs, STRIPE_PLAN_INTERVAL)? {
        None => None,
        Some(raw) => Some(Interval::parse(&raw).ok_or_else(|| {
            InvalidField::new(
                attr_field(STRIPE_PLAN_INTERVAL),
                "is not day, week, month or year",
            )
        })?),
    };
    let is_delinquent = match present(attrs, STRIPE_DELINQUENT) {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        Some(other) => {
            return Err(InvalidField::new(
                attr_field(STRIPE_DELINQUENT),
                format!("is {}, not a boolean", kind(other)),
            ))
        }
    };
    let last_charge = non_negative_dollars(attrs, STRIPE_LAST_CHARGE_AMOUNT)?;
    let last_charge_at = match present(attrs, STRIPE_LAST_CHARGE_AT) {
        None => None,
        Some(v) => {
            let field = attr_field(STRIPE_LAST_CHARGE_AT);
            let secs = match v {
                Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            }
            .ok_or_else(|| {
                InvalidField::new(field.clone(), format!("is {}, not unix seconds", kind(v)))
            })?;
            if secs <= 0 {
                return Err(InvalidField::new(field, "is not a positive timestamp"));
            }
            Some(
                DateTime::from_timestamp(secs, 0)
                    .ok_or_else(|| InvalidField::new(field, "is out of range"))?,
            )
        }
    };

    let subscriptions = array(attrs, STRIPE_SUBSCRIPTIONS)?;
    let payments = array(attrs, STRIPE_PAYMENTS)?;

    let counted_status = flat_status
        .as_deref()
        .is_some_and(|s| MRR_STATUSES.contains(&s));
    let (mrr, count, array_active) = match &subscriptions {
        Some(subs) => {
            let mut total = ExactCents::ZERO;
            let mut count = 0;
            let mut active = false;
            for (i, sub) in subs.iter().enumerate() {
                let (m, counted, is_active) =
                    subscription(sub, &format!("{}[{i}]", attr_field(STRIPE_SUBSCRIPTIONS)))?;
                total = total.plus(m);
                count += i32::from(counted);
                active |= is_active;
            }
            (total, count, active)
        }
        None if counted_status => {
            let price = price.ok_or_else(|| {
                InvalidField::new(
                    attr_field(STRIPE_PLAN_PRICE),
                    "is missing for a counted subscription",
                )
            })?;
            let interval = interval.ok_or_else(|| {
                InvalidField::new(
                    attr_field(STRIPE_PLAN_INTERVAL),
                    "is missing for a counted subscription",
                )
            })?;
            (monthly(price, 1, interval, 1), 1, false)
        }
        None => (ExactCents::ZERO, 0, false),
    };
    let ltv = match &payments {
        None => None,
        Some(pays) => {
            let mut total: i64 = 0;
            for (i, pay) in pays.iter().enumerate() {
                total += payment(pay, &format!("{}[{i}]", attr_field(STRIPE_PAYMENTS)))?;
            }
            Some(total)
        }
    };
    Ok(Revenue {
        stripe_customer_id: text(attrs, STRIPE_ID)?,
        plan_name: text(attrs, STRIPE_PLAN)?,
        plan_price_cents: price.map(ExactCents::round_half_even),
        has_active_subscription: flat_status.as_deref() == Some("active") || array_active,
        subscription_status: flat_status,
        is_delinquent,
        last_payment_cents: last_charge.map(ExactCents::round_half_even),
        last_payment_at: last_charge_at,
        mrr_cents: Some(mrr.round_half_even()),
        arr_cents: Some(mrr.times(12, 1).round_half_even()),
        subscription_count: Some(count),
        ltv_cents: ltv,
    })
}

#[cfg(test)]
#[path = "revenue_tests.rs"]
mod tests;
