//! The Yobi simulator's fixture: admin users, tenants (practices) and daily usage counts.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::io::{read_json, write_json, FixtureError};

/// `{"users": [{"email","password"}], "tenants": [{"tenant_id","tenant_name","website"?,
/// "domain"?}], "daily": [{"tenant_id","date","calls","tasks_created","appointments",
/// "new_patient_appointments"}]}`. Missing keys are empty lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct YobiFixture {
    pub users: Vec<YobiUser>,
    pub tenants: Vec<Tenant>,
    pub daily: Vec<DailyUsage>,
}

/// An admin login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YobiUser {
    pub email: String,
    pub password: String,
}

/// A practice on Yobi.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub tenant_id: u64,
    pub tenant_name: String,
    /// As the practice typed it, e.g. `https://www.brightsmiles.com/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

/// One tenant's counts for one day (a New York calendar date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyUsage {
    pub tenant_id: u64,
    pub date: NaiveDate,
    #[serde(default)]
    pub calls: u32,
    #[serde(default)]
    pub tasks_created: u32,
    /// Appointments booked that day, new patients' included.
    #[serde(default)]
    pub appointments: u32,
    #[serde(default)]
    pub new_patient_appointments: u32,
    /// Optional breakdown of `calls` and `tasks_created` by the user who made them (e.g.
    /// Yobi's own staff working in a practice's account). Counts here are part of the
    /// day's totals; what is not listed belongs to the practice's own users.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_user: Vec<UserActivity>,
}

/// One user's share of a day's calls and tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserActivity {
    pub email: String,
    #[serde(default)]
    pub calls: u32,
    #[serde(default)]
    pub tasks_created: u32,
}

impl YobiFixture {
    /// Reads a fixture file written by [`YobiFixture::to_file`] or by hand.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, FixtureError> {
        read_json(path.as_ref())
    }

    /// Writes the fixture as compact JSON (equal fixtures give equal bytes).
    pub fn to_file(&self, path: impl AsRef<Path>) -> Result<(), FixtureError> {
        write_json(self, path.as_ref())
    }

    pub fn tenant(&self, tenant_id: u64) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.tenant_id == tenant_id)
    }
}
