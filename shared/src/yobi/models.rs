//! Yobi's answers, read tolerantly (each field under any of the names Yobi has used) and
//! strictly (a needed field under none of them is [`YobiError::MissingField`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::error::YobiError;

/// The tenant id field: `tenant_id` or `id`.
const TENANT_ID: &[&str] = &["tenant_id", "id"];
/// The tenant name field: `tenant_name` or `name`.
const TENANT_NAME: &[&str] = &["tenant_name", "name"];
/// The list inside `results`: `results.results` or `results.tenants`.
pub(crate) const LIST: &[&str] = &["results", "tenants"];

/// A Yobi tenant (a practice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: u64,
    pub name: String,
    /// As Yobi stores it (a URL or a bare host); `None` when absent or empty.
    pub website: Option<String>,
    pub domain: Option<String>,
}

/// A usage endpoint, `GET /admin/analytics/{name}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UsageEndpoint {
    Appointments,
    Calls,
    Tasks,
}

impl UsageEndpoint {
    pub const ALL: [UsageEndpoint; 3] = [Self::Appointments, Self::Calls, Self::Tasks];

    /// The path below the base URL.
    pub fn path(self) -> &'static str {
        match self {
            Self::Appointments => "/admin/analytics/appointments",
            Self::Calls => "/admin/analytics/calls",
            Self::Tasks => "/admin/analytics/tasks",
        }
    }

    /// The metrics it serves.
    pub fn metrics(self) -> &'static [Metric] {
        match self {
            Self::Appointments => &[Metric::NewPatients, Metric::Appointments],
            Self::Calls => &[Metric::Calls],
            Self::Tasks => &[Metric::Tasks],
        }
    }
}

/// The four weekly counts of §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    NewPatients,
    Appointments,
    Tasks,
    Calls,
}

impl Metric {
    /// The field names Yobi serves the count under, preferred first.
    pub fn field_names(self) -> &'static [&'static str] {
        match self {
            Metric::NewPatients => &["new_patients", "new_patient_appointments"],
            Metric::Appointments => &["appointment_count", "total_appointments"],
            Metric::Tasks => &["tasks_created"],
            Metric::Calls => &["total_calls"],
        }
    }
}

/// A rolling period, ending today (New York) included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    SevenDays,
    ThirtyDays,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::SevenDays => "7days",
            Period::ThirtyDays => "30days",
        }
    }
}

/// One usage endpoint's answer for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageReport {
    pub endpoint: UsageEndpoint,
    /// The first and last day of the period (inclusive), in `timezone`.
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub timezone: Option<String>,
    pub tenants: Vec<TenantUsage>,
}

/// One tenant's usage over the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantUsage {
    pub tenant_id: u64,
    /// The period's totals of the endpoint's metrics (rolling: not the scored week).
    pub totals: BTreeMap<Metric, u64>,
    /// One bucket per local day with activity; a day without a bucket counts zero.
    pub daily: Vec<DailyBucket>,
}

/// One day's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyBucket {
    pub date: NaiveDate,
    pub counts: BTreeMap<Metric, u64>,
    /// Who did the calls or tasks; `None` when Yobi gives no breakdown.
    pub by_user: Option<Vec<UserCount>>,
}

/// One user's share of a day's calls or tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCount {
    pub email: String,
    pub count: u64,
}

/// Reading one answer of `endpoint` (a path, for errors).
pub(crate) struct Reader<'a> {
    pub endpoint: &'a str,
}

impl Reader<'_> {
    fn missing(&self, field: String) -> YobiError {
        YobiError::MissingField {
            endpoint: self.endpoint.to_owned(),
            field,
        }
    }

    fn decode(&self, reason: String) -> YobiError {
        YobiError::Decode {
            method: "GET".into(),
            path: self.endpoint.to_owned(),
            reason,
        }
    }

    /// The first of `names` present (and not null) in `object`.
    fn field<'v>(
        &self,
        object: &'v Map<String, Value>,
        at: &str,
        names: &[&str],
    ) -> Result<&'v Value, YobiError> {
        names
            .iter()
            .find_map(|n| object.get(*n).filter(|v| !v.is_null()))
            .ok_or_else(|| self.missing(format!("{at}{}", names.join(" / "))))
    }

    fn object<'v>(&self, value: &'v Value, at: &str) -> Result<&'v Map<String, Value>, YobiError> {
        value
            .as_object()
            .ok_or_else(|| self.decode(format!("{at} is not an object")))
    }

    fn count(&self, value: &Value, at: &str) -> Result<u64, YobiError> {
        match value {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| self.decode(format!("{at} is not a non-negative integer: {value}")))
    }

    /// The list of a page: `results.results` or `results.tenants`.
    pub fn list<'v>(&self, page: &'v Value) -> Result<&'v Vec<Value>, YobiError> {
        let results = self.field(self.object(page, "the answer")?, "", &["results"])?;
        let results = self.object(results, "results")?;
        self.field(results, "results.", LIST)?
            .as_array()
            .ok_or_else(|| self.decode("the list under results is not an array".into()))
    }

    fn tenant_id(&self, item: &Map<String, Value>, at: &str) -> Result<u64, YobiError> {
        let value = self.field(item, at, TENANT_ID)?;
        self.count(value, &format!("{at}tenant_id"))
    }

    pub fn tenant(&self, item: &Value) -> Result<Tenant, YobiError> {
        let item = self.object(item, "a tenant")?;
        let at = "results[].";
        let text = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| item.get(*n).and_then(Value::as_str))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Ok(Tenant {
            id: self.tenant_id(item, at)?,
            name: text(TENANT_NAME)
                .ok_or_else(|| self.missing(format!("{at}{}", TENANT_NAME.join(" / "))))?,
            website: text(&["website"]),
            domain: text(&["domain"]),
        })
    }

    /// A usage item: the id, `totals` and `daily` with every metric of `endpoint`.
    pub fn usage(&self, endpoint: UsageEndpoint, item: &Value) -> Result<TenantUsage, YobiError> {
        let item = self.object(item, "a usage item")?;
        let tenant_id = self.tenant_id(item, "results[].")?;
        let totals_value = self.field(item, "results[].", &["totals"])?;
        let totals = self.counts(endpoint, self.object(totals_value, "totals")?, "totals.")?;
        let daily_value = self.field(item, "results[].", &["daily"])?;
        let daily = daily_value
            .as_array()
            .ok_or_else(|| self.decode("daily is not an array".into()))?
            .iter()
            .map(|b| self.bucket(endpoint, b))
            .collect::<Result<_, _>>()?;
        Ok(TenantUsage {
            tenant_id,
            totals,
            daily,
        })
    }

    fn counts(
        &self,
        endpoint: UsageEndpoint,
        object: &Map<String, Value>,
        at: &str,
    ) -> Result<BTreeMap<Metric, u64>, YobiError> {
        endpoint
            .metrics()
            .iter()
            .map(|&m| {
                let v = self.field(object, at, m.field_names())?;
                Ok((m, self.count(v, &format!("{at}{}", m.field_names()[0]))?))
            })
            .collect()
    }

    fn bucket(&self, endpoint: UsageEndpoint, bucket: &Value) -> Result<DailyBucket, YobiError> {
        let bucket = self.object(bucket, "a daily bucket")?;
        let date = self.field(bucket, "daily[].", &["date"])?;
        let date = date
            .as_str()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .ok_or_else(|| self.decode(format!("daily[].date is not YYYY-MM-DD: {date}")))?;
        let by_user = match bucket.get("by_user") {
            None | Some(Value::Null) => None,
            Some(Value::Array(users)) => Some(
                users
                    .iter()
                    .map(|u| {
                        let u = self.object(u, "daily[].by_user[]")?;
                        let email =
                            self.field(u, "daily[].by_user[].", &["user_email", "email"])?;
                        Ok(UserCount {
                            email: email.as_str().unwrap_or_default().to_owned(),
                            count: self.count(
                                self.field(u, "daily[].by_user[].", &["count"])?,
                                "daily[].by_user[].count",
                            )?,
                        })
                    })
                    .collect::<Result<_, YobiError>>()?,
            ),
            Some(other) => return Err(self.decode(format!("by_user is not an array: {other}"))),
        };
        Ok(DailyBucket {
            date,
            counts: self.counts(endpoint, bucket, "daily[].")?,
            by_user,
        })
    }

    /// `results.start_date`, `end_date`, `timezone` when given.
    pub fn period(&self, page: &Value) -> (Option<NaiveDate>, Option<NaiveDate>, Option<String>) {
        let r = page.get("results");
        let text = |k: &str| r.and_then(|r| r.get(k)).and_then(Value::as_str);
        let date = |k: &str| text(k).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        (
            date("start_date"),
            date("end_date"),
            text("timezone").map(str::to_owned),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CALLS: Reader<'static> = Reader {
        endpoint: "/admin/analytics/calls",
    };
    const APPTS: Reader<'static> = Reader {
        endpoint: "/admin/analytics/appointments",
    };

    #[test]
    fn tenants_under_either_name() {
        let primary = json!({"results": {"results": [{"tenant_id": 7, "tenant_name": "A", "website": "", "domain": "a.com"}]}});
        let alternate =
            json!({"results": {"tenants": [{"id": "7", "name": "A", "domain": "a.com"}]}});
        for page in [primary, alternate] {
            let t = CALLS.tenant(&CALLS.list(&page).unwrap()[0]).unwrap();
            assert_eq!(
                t,
                Tenant {
                    id: 7,
                    name: "A".into(),
                    website: None,
                    domain: Some("a.com".into())
                }
            );
        }
    }

    #[test]
    fn appointments_under_either_name() {
        for (appts, new) in [
            ("appointment_count", "new_patients"),
            ("total_appointments", "new_patient_appointments"),
        ] {
            let item = json!({"tenant_id": 1, "totals": {appts: 5, new: 2},
                "daily": [{"date": "2025-03-02", appts: 5, new: 2}]});
            let u = APPTS.usage(UsageEndpoint::Appointments, &item).unwrap();
            assert_eq!(u.totals[&Metric::Appointments], 5);
            assert_eq!(u.daily[0].counts[&Metric::NewPatients], 2);
            assert_eq!(u.daily[0].by_user, None);
        }
    }

    #[test]
    fn a_missing_field_names_endpoint_and_field() {
        let item = json!({"tenant_id": 1, "totals": {"appointment_count": 5}, "daily": []});
        let e = APPTS.usage(UsageEndpoint::Appointments, &item).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("/admin/analytics/appointments"), "{text}");
        assert!(
            text.contains("totals.new_patients / new_patient_appointments"),
            "{text}"
        );
        let rolling = json!({"tenant_id": 1, "totals": {"total_calls": 5}});
        let e = CALLS.usage(UsageEndpoint::Calls, &rolling).unwrap_err();
        assert!(
            matches!(&e, YobiError::MissingField { field, .. } if field == "results[].daily"),
            "{e}"
        );
    }

    #[test]
    fn by_user_is_read() {
        let item = json!({"tenant_id": 1, "totals": {"total_calls": 3},
            "daily": [{"date": "2025-03-02", "total_calls": 3,
                "by_user": [{"user_email": "a@yib.io", "count": 1}, {"user_email": "f@p.com", "count": 2}]}]});
        let u = CALLS.usage(UsageEndpoint::Calls, &item).unwrap();
        let users = u.daily[0].by_user.as_ref().unwrap();
        assert_eq!(
            users[1],
            UserCount {
                email: "f@p.com".into(),
                count: 2
            }
        );
    }
}
