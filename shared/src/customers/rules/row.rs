//! One `unified_customers` row as this job owns it (CUSTOMER-SYNC.md §2), built from a contact,
//! its revenue and its support activity.
//!
//! Decisions where the rules are silent (also in docs/customer-sync.md):
//! - `signup_date` keeps the instant of `contact.created_at` (a timestamp, UTC), so no zone is
//!   guessed.
//! - `intercom_updated_at` (`contact.updated_at`) is stored too: it decides duplicate emails
//!   against a row written by an earlier run.
//! - `last_intercom_sync` is the as-of of the run that last wrote the row; a run that changes
//!   nothing leaves it alone (a re-run writes nothing).

use chrono::{DateTime, Utc};

use super::activity::Activity;
use super::email::Email;
use super::quality::{quality_score, QualityInputs};
use super::revenue::Revenue;
use crate::customers::models::CustomerContact;

/// The Intercom-owned columns of one `unified_customers` row. Money in cents, CSAT in
/// hundredths, times UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    /// `email`: the key, lower-case.
    pub email: Email,
    /// `intercom_contact_id` (`contact.id`).
    pub intercom_contact_id: String,
    /// `contact.external_id`.
    pub external_id: Option<String>,
    /// `contact.name`, else the email's local part.
    pub name: String,
    /// `contact.location.country`.
    pub location_country: Option<String>,
    /// `contact.location.city`.
    pub location_city: Option<String>,
    /// `contact.created_at`.
    pub signup_date: Option<DateTime<Utc>>,
    /// `contact.last_seen_at`.
    pub last_seen_at: Option<DateTime<Utc>>,
    /// floor((as-of − last_seen_at) / 86,400 s); null when never seen.
    pub days_since_seen: Option<i32>,
    /// `contact.updated_at`.
    pub intercom_updated_at: Option<DateTime<Utc>>,
    pub stripe_customer_id: Option<String>,
    pub plan_name: Option<String>,
    pub plan_price_cents: Option<i64>,
    pub subscription_status: Option<String>,
    pub is_delinquent: Option<bool>,
    pub last_payment_cents: Option<i64>,
    pub last_payment_at: Option<DateTime<Utc>>,
    pub mrr_cents: Option<i64>,
    pub arr_cents: Option<i64>,
    pub subscription_count: Option<i32>,
    pub ltv_cents: Option<i64>,
    pub convos_total: i32,
    pub convos_30d: i32,
    pub open_tickets: i32,
    pub csat_hundredths: Option<i32>,
    pub mentioned_cancel: bool,
    /// 0–100 ([`super::quality`]).
    pub quality_score: i16,
}

impl CustomerRow {
    /// A row with only its key and contact id (tests).
    pub fn empty(email: Email, contact_id: &str) -> Self {
        Self {
            name: email.local_part().to_string(),
            email,
            intercom_contact_id: contact_id.to_string(),
            external_id: None,
            location_country: None,
            location_city: None,
            signup_date: None,
            last_seen_at: None,
            days_since_seen: None,
            intercom_updated_at: None,
            stripe_customer_id: None,
            plan_name: None,
            plan_price_cents: None,
            subscription_status: None,
            is_delinquent: None,
            last_payment_cents: None,
            last_payment_at: None,
            mrr_cents: None,
            arr_cents: None,
            subscription_count: None,
            ltv_cents: None,
            convos_total: 0,
            convos_30d: 0,
            open_tickets: 0,
            csat_hundredths: None,
            mentioned_cancel: false,
            quality_score: 0,
        }
    }
}

fn instant(t: Option<i64>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t, 0))
}

/// floor((as_of − last_seen) / 86,400); negative when seen after as-of.
pub fn days_since(last_seen: i64, as_of: i64) -> i32 {
    (as_of - last_seen).div_euclid(86_400) as i32
}

/// The row of `contact` (whose email parsed to `email`) at `as_of` (unix seconds).
pub fn customer_row(
    contact: &CustomerContact,
    email: Email,
    revenue: Revenue,
    activity: Activity,
    as_of: i64,
) -> CustomerRow {
    let location = contact.location.clone().unwrap_or_default();
    let quality = quality_score(
        &QualityInputs {
            has_stripe_customer_id: revenue.stripe_customer_id.is_some(),
            has_active_subscription: revenue.has_active_subscription,
            ltv_cents: revenue.ltv_cents,
            last_payment_cents: revenue.last_payment_cents,
            last_seen_at: contact.last_seen_at,
            has_location: location.country.is_some() || location.city.is_some(),
            convos_total: activity.convos_total,
            has_csat: activity.csat_hundredths.is_some(),
        },
        as_of,
    );
    CustomerRow {
        name: contact
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(email.local_part())
            .to_string(),
        email,
        intercom_contact_id: contact.id.clone(),
        external_id: contact.external_id.clone(),
        location_country: location.country,
        location_city: location.city,
        signup_date: instant(contact.created_at),
        last_seen_at: instant(contact.last_seen_at),
        days_since_seen: contact.last_seen_at.map(|t| days_since(t, as_of)),
        intercom_updated_at: instant(contact.updated_at),
        stripe_customer_id: revenue.stripe_customer_id,
        plan_name: revenue.plan_name,
        plan_price_cents: revenue.plan_price_cents,
        subscription_status: revenue.subscription_status,
        is_delinquent: revenue.is_delinquent,
        last_payment_cents: revenue.last_payment_cents,
        last_payment_at: revenue.last_payment_at,
        mrr_cents: revenue.mrr_cents,
        arr_cents: revenue.arr_cents,
        subscription_count: revenue.subscription_count,
        ltv_cents: revenue.ltv_cents,
        convos_total: activity.convos_total,
        convos_30d: activity.convos_30d,
        open_tickets: activity.open_tickets,
        csat_hundredths: activity.csat_hundredths,
        mentioned_cancel: activity.mentioned_cancel,
        quality_score: quality,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn days_since_seen_floors() {
        assert_eq!(days_since(1000, 1000), 0);
        assert_eq!(days_since(1000, 1000 + 86_399), 0);
        assert_eq!(days_since(1000, 1000 + 86_400), 1);
        assert_eq!(days_since(1000, 1000 + 10 * 86_400 + 5), 10);
        assert_eq!(days_since(1001, 1000), -1);
    }

    #[test]
    fn name_falls_back_to_the_local_part() {
        let c: CustomerContact = serde_json::from_value(json!({
            "id": 7, "email": "Jo.Ann@Example.com", "name": "  ", "created_at": 1_700_000_000,
            "updated_at": 1_700_000_100, "last_seen_at": 1_700_000_000,
            "location": {"country": null, "city": "Lyon"}
        }))
        .unwrap();
        let email = Email::parse(c.email.as_deref()).unwrap();
        let row = customer_row(
            &c,
            email,
            Revenue::default(),
            Activity::default(),
            1_700_000_000 + 3 * 86_400,
        );
        assert_eq!(row.name, "jo.ann");
        assert_eq!(row.intercom_contact_id, "7");
        assert_eq!(row.days_since_seen, Some(3));
        assert_eq!(row.location_city.as_deref(), Some("Lyon"));
        // Seen within 7 days (15) and a location (10).
        assert_eq!(row.quality_score, 25);
    }
}
