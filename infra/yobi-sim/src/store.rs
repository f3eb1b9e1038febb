//! The account a simulator serves: admin users, tenants and daily usage.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use ranker_book::{DailyUsage, Tenant, YobiFixture, YobiUser};

#[derive(Debug, Default)]
pub struct Store {
    users: Vec<YobiUser>,
    /// In id order.
    pub tenants: Vec<Tenant>,
    daily: BTreeMap<(u64, NaiveDate), DailyUsage>,
}

impl Store {
    /// Checks and indexes a fixture: unique tenant ids, usage only for known tenants, one
    /// bucket per tenant and day, user breakdowns within the day's totals.
    pub fn new(fixture: YobiFixture) -> Result<Self, String> {
        let mut tenants = fixture.tenants;
        tenants.sort_by_key(|t| t.tenant_id);
        let ids: BTreeSet<u64> = tenants.iter().map(|t| t.tenant_id).collect();
        if ids.len() != tenants.len() {
            return Err("a tenant_id appears twice".into());
        }
        let mut daily = BTreeMap::new();
        for row in fixture.daily {
            let key = (row.tenant_id, row.date);
            if !ids.contains(&row.tenant_id) {
                return Err(format!("usage for unknown tenant {}", row.tenant_id));
            }
            if row.new_patient_appointments > row.appointments {
                return Err(format!(
                    "tenant {} on {}: more new-patient appointments than appointments",
                    key.0, key.1
                ));
            }
            let calls: u32 = row.by_user.iter().map(|u| u.calls).sum();
            let tasks: u32 = row.by_user.iter().map(|u| u.tasks_created).sum();
            if calls > row.calls || tasks > row.tasks_created {
                return Err(format!(
                    "tenant {} on {}: by_user counts exceed the day's totals",
                    key.0, key.1
                ));
            }
            if daily.insert(key, row).is_some() {
                return Err(format!("tenant {} has two buckets for {}", key.0, key.1));
            }
        }
        Ok(Self {
            users: fixture.users,
            tenants,
            daily,
        })
    }

    /// Whether the email (any case) and password belong to a user.
    pub fn can_log_in(&self, email: &str, password: &str) -> bool {
        self.users
            .iter()
            .any(|u| u.email.eq_ignore_ascii_case(email) && u.password == password)
    }

    /// A tenant's buckets from `first` to `last` (inclusive), in date order.
    pub fn days(
        &self,
        tenant_id: u64,
        first: NaiveDate,
        last: NaiveDate,
    ) -> impl Iterator<Item = &DailyUsage> {
        self.daily
            .range((tenant_id, first)..=(tenant_id, last))
            .map(|(_, row)| row)
    }

    pub fn to_fixture(&self) -> YobiFixture {
        YobiFixture {
            users: self.users.clone(),
            tenants: self.tenants.clone(),
            daily: self.daily.values().cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(v: serde_json::Value) -> YobiFixture {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn days_are_read_by_tenant_and_range() {
        let s = Store::new(fixture(json!({
            "users": [{"email": "A@x.io", "password": "p"}],
            "tenants": [{"tenant_id": 2, "tenant_name": "B"}, {"tenant_id": 1, "tenant_name": "A"}],
            "daily": [{"tenant_id": 1, "date": "2025-03-01", "calls": 1},
                      {"tenant_id": 1, "date": "2025-03-03", "calls": 3},
                      {"tenant_id": 2, "date": "2025-03-02", "calls": 2}]
        })))
        .unwrap();
        assert_eq!(s.tenants[0].tenant_id, 1);
        let d = |day| NaiveDate::from_ymd_opt(2025, 3, day).unwrap();
        let calls: Vec<u32> = s.days(1, d(2), d(3)).map(|r| r.calls).collect();
        assert_eq!(calls, [3]);
        assert!(s.can_log_in("a@X.io", "p") && !s.can_log_in("a@x.io", "P"));
    }

    #[test]
    fn refuses_inconsistent_usage() {
        let tenants = json!([{"tenant_id": 1, "tenant_name": "A"}]);
        for daily in [
            json!([{"tenant_id": 9, "date": "2025-03-01"}]),
            json!([{"tenant_id": 1, "date": "2025-03-01"}, {"tenant_id": 1, "date": "2025-03-01"}]),
            json!([{"tenant_id": 1, "date": "2025-03-01", "appointments": 1, "new_patient_appointments": 2}]),
            json!([{"tenant_id": 1, "date": "2025-03-01", "calls": 1, "by_user": [{"email": "a@yib.io", "calls": 2}]}]),
        ] {
            assert!(
                Store::new(fixture(json!({"tenants": tenants, "daily": daily}))).is_err(),
                "{daily}"
            );
        }
    }
}
