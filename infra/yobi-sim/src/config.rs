//! Knobs of a running simulator: token lifetime, field-name variants, what an endpoint leaves
//! out, latency, throttling and injected errors.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;

/// The usage endpoints, `GET /admin/analytics/{name}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    Appointments,
    Calls,
    Tasks,
}

impl Endpoint {
    pub const ALL: [Endpoint; 3] = [Endpoint::Appointments, Endpoint::Calls, Endpoint::Tasks];

    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Appointments => "appointments",
            Endpoint::Calls => "calls",
            Endpoint::Tasks => "tasks",
        }
    }
}

impl FromStr for Endpoint {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Endpoint::ALL
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| format!("unknown endpoint {s:?}; expected appointments, calls or tasks"))
    }
}

/// The four weekly counts (§4), named as in the fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    NewPatients,
    Appointments,
    Tasks,
    Calls,
}

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::NewPatients,
        Metric::Appointments,
        Metric::Tasks,
        Metric::Calls,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::NewPatients => "new_patients",
            Metric::Appointments => "appointments",
            Metric::Tasks => "tasks",
            Metric::Calls => "calls",
        }
    }

    /// The endpoint that serves it.
    pub fn endpoint(self) -> Endpoint {
        match self {
            Metric::NewPatients | Metric::Appointments => Endpoint::Appointments,
            Metric::Tasks => Endpoint::Tasks,
            Metric::Calls => Endpoint::Calls,
        }
    }
}

impl FromStr for Metric {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Metric::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| {
                format!("unknown field {s:?}; expected new_patients, appointments, tasks or calls")
            })
    }
}

/// Field names that differ between Yobi's API versions; the ranker's client must read
/// either. `primary()` is `tenant_id`, `tenant_name`, `results.results`,
/// `appointment_count`, `new_patients`; `alternate()` is `id`, `name`, `results.tenants`,
/// `total_appointments`, `new_patient_appointments`. Any name can be set (for tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldNames {
    pub tenant_id: String,
    pub tenant_name: String,
    /// The key of the list inside `results`.
    pub list: String,
    pub appointments: String,
    pub new_patients: String,
}

impl FieldNames {
    pub fn primary() -> Self {
        Self {
            tenant_id: "tenant_id".into(),
            tenant_name: "tenant_name".into(),
            list: "results".into(),
            appointments: "appointment_count".into(),
            new_patients: "new_patients".into(),
        }
    }

    pub fn alternate() -> Self {
        Self {
            tenant_id: "id".into(),
            tenant_name: "name".into(),
            list: "tenants".into(),
            appointments: "total_appointments".into(),
            new_patients: "new_patient_appointments".into(),
        }
    }
}

impl Default for FieldNames {
    fn default() -> Self {
        Self::primary()
    }
}

/// How the simulator behaves around the data it serves.
#[derive(Clone)]
pub struct SimConfig {
    /// How long a token from `POST /auth/login` is valid.
    pub token_lifetime: Duration,
    /// A token accepted without logging in, that never expires (for people trying the
    /// simulator with curl); `None`: only login tokens.
    pub static_token: Option<String>,
    /// The New York date rolling periods end on; `None`: today.
    pub today: Option<NaiveDate>,
    pub fields: FieldNames,
    /// Endpoints that give only rolling totals (no `daily` buckets).
    pub rolling_only: BTreeSet<Endpoint>,
    /// Counts left out of their endpoint's answers altogether.
    pub omit: BTreeSet<Metric>,
    /// Endpoints that do not exist (404).
    pub disabled: BTreeSet<Endpoint>,
    /// Serve no `by_user` breakdown of calls and tasks.
    pub no_user_breakdown: bool,
    /// Sleep before answering each request.
    pub latency: Duration,
    /// Requests allowed per rolling second (`None`: unlimited); more get a 429.
    pub requests_per_second: Option<u32>,
    /// Share (0..=1) of requests answered with an injected 500/502/503.
    pub error_rate: f64,
    /// Seed of the error injection.
    pub seed: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            token_lifetime: Duration::from_secs(3600),
            static_token: None,
            today: None,
            fields: FieldNames::primary(),
            rolling_only: BTreeSet::new(),
            omit: BTreeSet::new(),
            disabled: BTreeSet::new(),
            no_user_breakdown: false,
            latency: Duration::ZERO,
            requests_per_second: None,
            error_rate: 0.0,
            seed: 0,
        }
    }
}

impl fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimConfig")
            .field("token_lifetime", &self.token_lifetime)
            .field(
                "static_token",
                &self.static_token.as_ref().map(|_| "<redacted>"),
            )
            .field("today", &self.today)
            .field("fields", &self.fields)
            .field("rolling_only", &self.rolling_only)
            .field("omit", &self.omit)
            .field("disabled", &self.disabled)
            .field("no_user_breakdown", &self.no_user_breakdown)
            .field("latency", &self.latency)
            .field("requests_per_second", &self.requests_per_second)
            .field("error_rate", &self.error_rate)
            .finish()
    }
}
