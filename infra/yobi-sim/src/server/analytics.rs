//! `GET /admin/analytics/{appointments|calls|tasks}?period=7days|30days`: per tenant, rolling
//! totals and (unless the endpoint is configured rolling-only) daily buckets.

use std::sync::Arc;

use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use chrono::{Duration, Utc};
use ranker_book::{normalize_domain, DailyUsage, Tenant};
use serde_json::{json, Map, Value};

use super::tenants::identity;
use super::{query_pairs, self_url, tenant_list, AppState};
use crate::config::{Endpoint, Metric, SimConfig};
use crate::error::ApiError;

/// Yobi's rolling periods: the N days ending today (New York), today included.
const PERIODS: [(&str, i64); 2] = [("7days", 7), ("30days", 30)];

pub(super) async fn usage(
    State(state): State<Arc<AppState>>,
    Path(endpoint): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let config = &state.config;
    let endpoint: Endpoint = endpoint
        .parse()
        .ok()
        .filter(|e| !config.disabled.contains(e))
        .ok_or_else(|| ApiError::not_found("Not found."))?;
    let pairs = query_pairs(query.as_deref());
    let period = pairs
        .iter()
        .find(|(k, _)| k == "period")
        .map_or("7days", |(_, v)| v.as_str());
    let days = PERIODS
        .iter()
        .find(|(name, _)| *name == period)
        .map(|(_, n)| *n)
        .ok_or_else(|| {
            ApiError::invalid(
                "invalid_period",
                format!("period must be one of: 7days, 30days (was {period:?})"),
            )
        })?;
    let last = config.today.unwrap_or_else(|| {
        Utc::now()
            .with_timezone(&chrono_tz::America::New_York)
            .date_naive()
    });
    let first = last - Duration::days(days - 1);
    let mut fields = Map::new();
    fields.insert("period".into(), json!(period));
    fields.insert("start_date".into(), json!(first));
    fields.insert("end_date".into(), json!(last));
    fields.insert("timezone".into(), json!("America/New_York"));
    let store = state.read();
    let body = tenant_list(
        &store,
        &pairs,
        &self_url(&headers, uri.path()),
        &config.fields.list,
        fields,
        |t| tenant_usage(config, endpoint, t, store.days(t.tenant_id, first, last)),
    )?;
    Ok(Json(body))
}

/// The counts an endpoint serves, with their configured names.
fn served(config: &SimConfig, endpoint: Endpoint) -> Vec<(String, Metric)> {
    Metric::ALL
        .into_iter()
        .filter(|m| m.endpoint() == endpoint && !config.omit.contains(m))
        .map(|m| {
            let name = match m {
                Metric::Appointments => config.fields.appointments.clone(),
                Metric::NewPatients => config.fields.new_patients.clone(),
                Metric::Calls => "total_calls".to_owned(),
                Metric::Tasks => "tasks_created".to_owned(),
            };
            (name, m)
        })
        .collect()
}

/// A day's value of `metric`.
fn count(metric: Metric, row: &DailyUsage) -> u32 {
    match metric {
        Metric::NewPatients => row.new_patient_appointments,
        Metric::Appointments => row.appointments,
        Metric::Tasks => row.tasks_created,
        Metric::Calls => row.calls,
    }
}

/// `{"tenant_id", "tenant_name", "totals": {..}, "daily": [{"date", .., "by_user"?}]}`.
fn tenant_usage<'a>(
    config: &SimConfig,
    endpoint: Endpoint,
    tenant: &Tenant,
    rows: impl Iterator<Item = &'a DailyUsage>,
) -> Value {
    let fields = served(config, endpoint);
    let breakdown =
        !config.no_user_breakdown && matches!(endpoint, Endpoint::Calls | Endpoint::Tasks);
    let mut totals = vec![0u64; fields.len()];
    let mut daily = Vec::new();
    for row in rows {
        let counts: Vec<u32> = fields.iter().map(|&(_, m)| count(m, row)).collect();
        if counts.iter().all(|&c| c == 0) {
            continue; // a day without activity has no bucket
        }
        let mut bucket = Map::new();
        bucket.insert("date".into(), json!(row.date));
        for ((name, _), (&count, total)) in fields.iter().zip(counts.iter().zip(totals.iter_mut()))
        {
            bucket.insert(name.clone(), json!(count));
            *total += u64::from(count);
        }
        if breakdown && !fields.is_empty() {
            bucket.insert("by_user".into(), by_user(endpoint, tenant, row, counts[0]));
        }
        daily.push(Value::Object(bucket));
    }
    let mut item = identity(&config.fields, tenant);
    let totals: Map<String, Value> = fields
        .iter()
        .zip(totals)
        .map(|((name, _), t)| (name.clone(), json!(t)))
        .collect();
    item.insert("totals".into(), Value::Object(totals));
    if !config.rolling_only.contains(&endpoint) {
        item.insert("daily".into(), Value::Array(daily));
    }
    Value::Object(item)
}

/// Who made the day's calls or tasks: the users listed in the fixture, and the practice's
/// front desk for the rest.
fn by_user(endpoint: Endpoint, tenant: &Tenant, row: &DailyUsage, total: u32) -> Value {
    let count = |calls: u32, tasks: u32| {
        if endpoint == Endpoint::Calls {
            calls
        } else {
            tasks
        }
    };
    let mut users: Vec<Value> = Vec::new();
    let mut listed = 0;
    for u in &row.by_user {
        let n = count(u.calls, u.tasks_created);
        if n > 0 {
            listed += n;
            users.push(json!({"user_email": u.email, "count": n}));
        }
    }
    if total > listed {
        users.insert(
            0,
            json!({"user_email": practice_user(tenant), "count": total - listed}),
        );
    }
    Value::Array(users)
}

fn practice_user(tenant: &Tenant) -> String {
    let domain = [tenant.domain.as_deref(), tenant.website.as_deref()]
        .into_iter()
        .flatten()
        .find_map(normalize_domain)
        .unwrap_or_else(|| format!("practice-{}.example", tenant.tenant_id));
    format!("frontdesk@{domain}")
}
