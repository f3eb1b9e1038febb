//! Customer sync's SQL (tables of migration 0004): the stored Intercom columns of a set of
//! emails, the upsert that writes only those columns, and the alert rows. Every function takes a
//! connection, normally the batch's transaction, so rows, alerts and the watermark commit
//! together.
//!
//! Money crosses as whole cents (`int8`) and is stored as `numeric(12,2)` dollars
//! (`cents::numeric / 100`, exact); CSAT as hundredths into `numeric(3,2)`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::customers::rules::alerts::{Alert, AlertKind};
use crate::customers::rules::email::Email;
use crate::customers::rules::row::CustomerRow;
use crate::store::query::{query, query_as};
use crate::store::StoreError;

fn err(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { what, source }
}

/// The Intercom-owned columns, in the order of [`stored_rows`]' SELECT and [`upsert`]'s INSERT.
const SELECT_OWNED: &str = "email, intercom_contact_id, external_id, name, location_country,
    location_city, signup_date, last_seen_at, days_since_seen, intercom_updated_at,
    stripe_customer_id, plan_name, (plan_price * 100)::int8, subscription_status, is_delinquent,
    (last_payment_amount * 100)::int8, last_payment_date, (mrr * 100)::int8, (arr * 100)::int8,
    subscription_count, (ltv * 100)::int8, intercom_convos_total, intercom_convos_30d,
    open_tickets, (csat_score * 100)::int4, mentioned_cancel, quality_score";

fn from_row(r: &PgRow) -> Result<CustomerRow, sqlx::Error> {
    Ok(CustomerRow {
        email: Email::from_stored(r.try_get(0)?),
        intercom_contact_id: r.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
        external_id: r.try_get(2)?,
        name: r.try_get::<Option<String>, _>(3)?.unwrap_or_default(),
        location_country: r.try_get(4)?,
        location_city: r.try_get(5)?,
        signup_date: r.try_get(6)?,
        last_seen_at: r.try_get(7)?,
        days_since_seen: r.try_get(8)?,
        intercom_updated_at: r.try_get(9)?,
        stripe_customer_id: r.try_get(10)?,
        plan_name: r.try_get(11)?,
        plan_price_cents: r.try_get(12)?,
        subscription_status: r.try_get(13)?,
        is_delinquent: r.try_get(14)?,
        last_payment_cents: r.try_get(15)?,
        last_payment_at: r.try_get(16)?,
        mrr_cents: r.try_get(17)?,
        arr_cents: r.try_get(18)?,
        subscription_count: r.try_get(19)?,
        ltv_cents: r.try_get(20)?,
        convos_total: r.try_get::<Option<i32>, _>(21)?.unwrap_or(0),
        convos_30d: r.try_get::<Option<i32>, _>(22)?.unwrap_or(0),
        open_tickets: r.try_get::<Option<i32>, _>(23)?.unwrap_or(0),
        csat_hundredths: r.try_get(24)?,
        mentioned_cancel: r.try_get::<Option<bool>, _>(25)?.unwrap_or(false),
        quality_score: r.try_get::<Option<i16>, _>(26)?.unwrap_or(0),
    })
}

/// The stored Intercom columns of the rows of `emails` (lower-case). A row another source
/// created, with no Intercom columns yet, reads with empty ones (and so always differs).
pub async fn stored_rows(
    conn: &mut PgConnection,
    emails: &[String],
) -> Result<HashMap<Email, CustomerRow>, StoreError> {
    let sql = format!("SELECT {SELECT_OWNED} FROM unified_customers WHERE email = ANY($1)");
    let rows = query(&sql)
        .bind(emails)
        .fetch_all(&mut *conn)
        .await
        .map_err(err("reading unified_customers"))?;
    rows.iter()
        .map(|r| from_row(r).map(|c| (c.email.clone(), c)))
        .collect::<Result<_, _>>()
        .map_err(err("decoding unified_customers"))
}

/// Inserts or updates `rows`, writing only the Intercom-owned columns (and
/// `last_intercom_sync = as_of`); other columns of an existing row are left as they are.
/// Returns how many rows were written.
pub async fn upsert(
    conn: &mut PgConnection,
    rows: &[&CustomerRow],
    as_of: DateTime<Utc>,
) -> Result<usize, StoreError> {
    if rows.is_empty() {
        return Ok(0);
    }
    fn col<U>(rows: &[&CustomerRow], f: impl Fn(&CustomerRow) -> U) -> Vec<U> {
        rows.iter().map(|r| f(r)).collect()
    }
    query(
        "INSERT INTO unified_customers (
             email, intercom_contact_id, external_id, name, location_country, location_city,
             signup_date, last_seen_at, days_since_seen, intercom_updated_at, stripe_customer_id,
             plan_name, plan_price, subscription_status, is_delinquent, last_payment_amount,
             last_payment_date, mrr, arr, subscription_count, ltv, intercom_convos_total,
             intercom_convos_30d, open_tickets, csat_score, mentioned_cancel, quality_score,
             last_intercom_sync)
         SELECT email, contact_id, external_id, name, country, city, signup, seen, days, updated,
             stripe_id, plan, price::numeric / 100, status, delinquent, last_pay::numeric / 100,
             last_pay_at, mrr::numeric / 100, arr::numeric / 100, subs, ltv::numeric / 100,
             total, recent, open, csat::numeric / 100, cancel, quality, $28
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
             $7::timestamptz[], $8::timestamptz[], $9::int4[], $10::timestamptz[], $11::text[],
             $12::text[], $13::int8[], $14::text[], $15::bool[], $16::int8[], $17::timestamptz[],
             $18::int8[], $19::int8[], $20::int4[], $21::int8[], $22::int4[], $23::int4[],
             $24::int4[], $25::int4[], $26::bool[], $27::int2[])
             AS t(email, contact_id, external_id, name, country, city, signup, seen, days,
                  updated, stripe_id, plan, price, status, delinquent, last_pay, last_pay_at,
                  mrr, arr, subs, ltv, total, recent, open, csat, cancel, quality)
         ON CONFLICT (email) DO UPDATE SET
             intercom_contact_id = EXCLUDED.intercom_contact_id,
             external_id = EXCLUDED.external_id, name = EXCLUDED.name,
             location_country = EXCLUDED.location_country,
             location_city = EXCLUDED.location_city, signup_date = EXCLUDED.signup_date,
             last_seen_at = EXCLUDED.last_seen_at, days_since_seen = EXCLUDED.days_since_seen,
             intercom_updated_at = EXCLUDED.intercom_updated_at,
             stripe_customer_id = EXCLUDED.stripe_customer_id, plan_name = EXCLUDED.plan_name,
             plan_price = EXCLUDED.plan_price,
             subscription_status = EXCLUDED.subscription_status,
             is_delinquent = EXCLUDED.is_delinquent,
             last_payment_amount = EXCLUDED.last_payment_amount,
             last_payment_date = EXCLUDED.last_payment_date, mrr = EXCLUDED.mrr,
             arr = EXCLUDED.arr, subscription_count = EXCLUDED.subscription_count,
             ltv = EXCLUDED.ltv, intercom_convos_total = EXCLUDED.intercom_convos_total,
             intercom_convos_30d = EXCLUDED.intercom_convos_30d,
             open_tickets = EXCLUDED.open_tickets, csat_score = EXCLUDED.csat_score,
             mentioned_cancel = EXCLUDED.mentioned_cancel,
             quality_score = EXCLUDED.quality_score,
             last_intercom_sync = EXCLUDED.last_intercom_sync",
    )
    .bind(col(rows, |r| r.email.as_str().to_string()))
    .bind(col(rows, |r| r.intercom_contact_id.clone()))
    .bind(col(rows, |r| r.external_id.clone()))
    .bind(col(rows, |r| r.name.clone()))
    .bind(col(rows, |r| r.location_country.clone()))
    .bind(col(rows, |r| r.location_city.clone()))
    .bind(col(rows, |r| r.signup_date))
    .bind(col(rows, |r| r.last_seen_at))
    .bind(col(rows, |r| r.days_since_seen))
    .bind(col(rows, |r| r.intercom_updated_at))
    .bind(col(rows, |r| r.stripe_customer_id.clone()))
    .bind(col(rows, |r| r.plan_name.clone()))
    .bind(col(rows, |r| r.plan_price_cents))
    .bind(col(rows, |r| r.subscription_status.clone()))
    .bind(col(rows, |r| r.is_delinquent))
    .bind(col(rows, |r| r.last_payment_cents))
    .bind(col(rows, |r| r.last_payment_at))
    .bind(col(rows, |r| r.mrr_cents))
    .bind(col(rows, |r| r.arr_cents))
    .bind(col(rows, |r| r.subscription_count))
    .bind(col(rows, |r| r.ltv_cents))
    .bind(col(rows, |r| r.convos_total))
    .bind(col(rows, |r| r.convos_30d))
    .bind(col(rows, |r| r.open_tickets))
    .bind(col(rows, |r| r.csat_hundredths))
    .bind(col(rows, |r| r.mentioned_cancel))
    .bind(col(rows, |r| r.quality_score))
    .bind(as_of)
    .execute(&mut *conn)
    .await
    .map_err(err("upserting unified_customers"))?;
    Ok(rows.len())
}

/// Inserts `alerts` as rows of `customer_alerts` for run `run_id` at `at`.
pub async fn insert_alerts(
    conn: &mut PgConnection,
    alerts: &[&Alert],
    run_id: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if alerts.is_empty() {
        return Ok(());
    }
    query(
        "INSERT INTO customer_alerts (email, kind, previous_value, new_value, run_id, created_at)
         SELECT e, k, p, n, $5, $6 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[])
             AS t(e, k, p, n)",
    )
    .bind(alerts.iter().map(|a| a.email.clone()).collect::<Vec<_>>())
    .bind(alerts.iter().map(|a| a.kind.as_str()).collect::<Vec<_>>())
    .bind(
        alerts
            .iter()
            .map(|a| a.previous.clone())
            .collect::<Vec<_>>(),
    )
    .bind(alerts.iter().map(|a| a.new.clone()).collect::<Vec<_>>())
    .bind(run_id)
    .bind(at)
    .execute(&mut *conn)
    .await
    .map_err(err("inserting customer_alerts"))?;
    Ok(())
}

/// An alert row not yet carried by a Slack message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingAlert {
    pub id: i64,
    pub alert: Alert,
    pub run_id: String,
}

/// `(id, email, kind, previous_value, new_value, run_id)` of `customer_alerts`.
type AlertRow = (i64, String, String, Option<String>, Option<String>, String);

/// Every alert row with no `notified_at`, oldest first.
pub async fn pending_alerts(conn: &mut PgConnection) -> Result<Vec<PendingAlert>, StoreError> {
    let rows: Vec<AlertRow> = query_as(
        "SELECT id, email, kind, previous_value, new_value, run_id FROM customer_alerts
         WHERE notified_at IS NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(err("reading customer_alerts"))?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, email, kind, previous, new, run_id)| {
            Some(PendingAlert {
                id,
                alert: Alert {
                    email,
                    kind: AlertKind::parse(&kind)?,
                    previous,
                    new,
                },
                run_id,
            })
        })
        .collect())
}

/// Marks the alert rows `ids` as carried by a message posted at `at`.
pub async fn mark_notified(
    conn: &mut PgConnection,
    ids: &[i64],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    query("UPDATE customer_alerts SET notified_at = $2 WHERE id = ANY($1)")
        .bind(ids)
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(err("marking customer_alerts notified"))?;
    Ok(())
}
