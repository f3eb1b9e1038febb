//! `GET /admin/analytics/{appointments|calls|tasks}`: rolling periods ending today, daily
//! buckets per tenant (none for a day without activity), user breakdowns, and the knobs that
//! take things away: rolling totals only, omitted counts and endpoints, field-name variants.

mod common;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use common::{account, config, day, Api};
use serde_json::{json, Value};
use yobi_sim::{Endpoint, FieldNames, Metric, SimConfig};

#[tokio::test]
async fn seven_days_of_calls_with_who_made_them() {
    let api = Api::new(account(), config()).await;
    let (status, body) = api.read("/admin/analytics/calls?period=7days").await;
    assert_eq!(status, 200);
    assert_eq!(body["count"], 3);
    let r = &body["results"];
    assert_eq!(
        (
            r["period"].as_str(),
            r["start_date"].as_str(),
            r["end_date"].as_str()
        ),
        (Some("7days"), Some("2025-03-24"), Some("2025-03-30"))
    );
    assert_eq!(r["timezone"], "America/New_York");
    let oak = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tenant_id"] == 42)
        .unwrap();
    assert_eq!(
        *oak,
        json!({"tenant_id": 42, "tenant_name": "Oak Park Dental, PLLC", "totals": {"total_calls": 13}, "daily": [
            {"date": "2025-03-24", "total_calls": 12, "by_user": [
                {"user_email": "frontdesk@oakparkdental.com", "count": 8},
                {"user_email": "support.alex@yib.io", "count": 4}]},
            {"date": "2025-03-30", "total_calls": 1, "by_user": [{"user_email": "frontdesk@oakparkdental.com", "count": 1}]}
        ]})
    );
    let bright = api.tenant_usage("/admin/analytics/tasks", 300).await;
    assert_eq!(
        bright["daily"],
        json!([{"date": "2025-03-29", "tasks_created": 1, "by_user": [{"user_email": "onboarding.team@yib.io", "count": 1}]}])
    );
    let quiet = api.tenant_usage("/admin/analytics/calls", 7).await;
    assert_eq!(
        (quiet["totals"].clone(), quiet["daily"].clone()),
        (json!({"total_calls": 0}), json!([]))
    );
}

#[tokio::test]
async fn thirty_days_and_the_default_period() {
    let api = Api::new(account(), config()).await;
    let oak = api
        .tenant_usage("/admin/analytics/calls?period=30days", 42)
        .await;
    assert_eq!(
        oak["totals"]["total_calls"], 23,
        "the 28 February bucket is outside"
    );
    let dates: Vec<&str> = oak["daily"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2025-03-23", "2025-03-24", "2025-03-30"]);
    let bright = api
        .tenant_usage("/admin/analytics/calls?period=30days", 300)
        .await;
    assert_eq!(
        bright["daily"][0]["by_user"],
        json!([{"user_email": "frontdesk@brightsmiles.com", "count": 20}])
    );
    let (_, default) = api.read("/admin/analytics/calls").await;
    assert_eq!(default["results"]["period"], "7days");
    let (status, err) = api.read("/admin/analytics/calls?period=week").await;
    assert_eq!(status, 400);
    assert_eq!(err["code"], "invalid_period");
    assert_eq!(api.read("/admin/analytics/revenue").await.0, 404);
}

#[tokio::test]
async fn appointments_skip_days_without_any() {
    let api = Api::new(account(), config()).await;
    let oak = api.tenant_usage("/admin/analytics/appointments", 42).await;
    assert_eq!(
        oak["totals"],
        json!({"appointment_count": 10, "new_patients": 2})
    );
    assert_eq!(
        oak["daily"],
        json!([{"date": "2025-03-24", "appointment_count": 6, "new_patients": 2},
               {"date": "2025-03-25", "appointment_count": 4, "new_patients": 0}])
    );
}

/// What a client does (§4): sum the 30-day buckets whose date falls in the week, leaving out
/// Yobi staff's share.
async fn week_from_buckets(api: &Api, tenant: u64, start: NaiveDate) -> [u64; 4] {
    let in_week = |d: &Value| {
        let date: NaiveDate = d["date"].as_str().unwrap().parse().unwrap();
        date >= start && date < start + chrono::Duration::days(7)
    };
    let staff = |d: &Value| -> u64 {
        d["by_user"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|u| u["user_email"].as_str().unwrap().ends_with("@yib.io"))
            .map(|u| u["count"].as_u64().unwrap())
            .sum()
    };
    let mut m = [0u64; 4];
    let appts = api
        .tenant_usage("/admin/analytics/appointments?period=30days", tenant)
        .await;
    for d in appts["daily"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| in_week(d))
    {
        m[0] += d["new_patients"].as_u64().unwrap();
        m[1] += d["appointment_count"].as_u64().unwrap();
    }
    let tasks = api
        .tenant_usage("/admin/analytics/tasks?period=30days", tenant)
        .await;
    for d in tasks["daily"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| in_week(d))
    {
        m[2] += d["tasks_created"].as_u64().unwrap() - staff(d);
    }
    let calls = api
        .tenant_usage("/admin/analytics/calls?period=30days", tenant)
        .await;
    for d in calls["daily"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| in_week(d))
    {
        m[3] += d["total_calls"].as_u64().unwrap() - staff(d);
    }
    m
}

#[tokio::test]
async fn the_exact_week_comes_from_daily_buckets() {
    let api = Api::new(account(), config()).await;
    assert_eq!(week_from_buckets(&api, 42, day(23)).await, [3, 15, 4, 18]);
    assert_eq!(
        week_from_buckets(&api, 300, day(23)).await,
        [1, 2, 0, 0],
        "all of it was Yobi staff"
    );
}

#[tokio::test]
async fn rolling_totals_only() {
    let config = SimConfig {
        rolling_only: [Endpoint::Appointments].into(),
        ..config()
    };
    let api = Api::new(account(), config).await;
    let oak = api
        .tenant_usage("/admin/analytics/appointments?period=7days", 42)
        .await;
    assert_eq!(
        oak["totals"],
        json!({"appointment_count": 10, "new_patients": 2})
    );
    assert!(oak.get("daily").is_none(), "{oak}");
    let calls = api.tenant_usage("/admin/analytics/calls", 42).await;
    assert!(
        calls["daily"].is_array(),
        "other endpoints keep their buckets"
    );
}

#[tokio::test]
async fn counts_and_endpoints_can_be_missing() {
    let config = SimConfig {
        omit: [Metric::NewPatients].into(),
        disabled: [Endpoint::Tasks].into(),
        no_user_breakdown: true,
        ..config()
    };
    let api = Api::new(account(), config).await;
    let oak = api.tenant_usage("/admin/analytics/appointments", 42).await;
    assert_eq!(oak["totals"], json!({"appointment_count": 10}));
    assert!(oak["daily"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d.get("new_patients").is_none()));
    let (status, body) = api.read("/admin/analytics/tasks").await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
    let calls = api.tenant_usage("/admin/analytics/calls", 42).await;
    assert!(calls["daily"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d.get("by_user").is_none()));
}

#[tokio::test]
async fn alternate_field_names_everywhere() {
    let config = SimConfig {
        fields: FieldNames::alternate(),
        ..config()
    };
    let api = Api::new(account(), config).await;
    let (_, body) = api.read("/admin/analytics/appointments?tenant_id=42").await;
    let list = body["results"]["tenants"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    let oak = &list[0];
    assert_eq!(
        (oak["id"].as_u64(), oak["name"].as_str()),
        (Some(42), Some("Oak Park Dental, PLLC"))
    );
    assert_eq!(
        oak["totals"],
        json!({"total_appointments": 10, "new_patient_appointments": 2})
    );
    assert_eq!(
        oak["daily"][0],
        json!({"date": "2025-03-24", "total_appointments": 6, "new_patient_appointments": 2})
    );
    let mixed = SimConfig {
        fields: FieldNames {
            list: "tenants".into(),
            ..FieldNames::primary()
        },
        ..common::config()
    };
    let api = Api::new(account(), mixed).await;
    let (_, body) = api.read("/admin/analytics/calls?tenant_id=42").await;
    assert_eq!(body["results"]["tenants"][0]["tenant_id"], 42);
}

#[tokio::test]
async fn usage_is_paged_and_filtered_by_tenant() {
    let api = Api::new(account(), config()).await;
    let (_, first) = api
        .read("/admin/analytics/calls?period=30days&page_size=2")
        .await;
    assert_eq!(first["count"], 3);
    let ids = |b: &Value| -> Vec<u64> {
        b["results"]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["tenant_id"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(ids(&first), [7, 42]);
    let next = first["next"].as_str().unwrap();
    assert!(next.contains("period=30days"), "{next}");
    let second: Value = api
        .http
        .get(next)
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&second), [300]);
    assert_eq!(second["results"]["period"], "30days");
    let (_, some) = api
        .read("/admin/analytics/calls?tenant_id=300&tenant_id=7,999")
        .await;
    assert_eq!(
        ids(&some).into_iter().collect::<BTreeSet<_>>(),
        [7, 300].into()
    );
}
