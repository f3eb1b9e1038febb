//! The coaching functions' state, built once per Lambda execution environment and shared by
//! warm invocations.

use crate::aws::secrets::TokenSource;
use crate::coaching::config::Config;
use crate::context::{IntercomAccess, IntercomSettings};
use crate::intercom::IntercomClient;
use crate::job::JobError;
use crate::time::Clock;

/// The rules' configuration and the way to Intercom, built once in `main`.
pub struct AppContext {
    /// The rules' configuration (attribute names, classes, reporting zone).
    pub config: Config,
    access: IntercomAccess,
    /// "Now" for defaults and the bounds of a writing run's `asOf`: the system clock, fixed only
    /// by code ([`AppContext::with_clock`]).
    clock: Clock,
    /// How long session-sync scans before it applies what it found and answers
    /// `complete: false` (`SCAN_BUDGET_SECONDS`, default [`DEFAULT_SCAN_BUDGET`]).
    scan_budget: std::time::Duration,
}

/// Default scan budget: 10 minutes of the jobs' 15-minute Lambda timeout, leaving time to look up
/// contacts and apply the updates.
pub const DEFAULT_SCAN_BUDGET: std::time::Duration = std::time::Duration::from_secs(600);

fn scan_budget_from_env() -> std::time::Duration {
    std::env::var("SCAN_BUDGET_SECONDS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(DEFAULT_SCAN_BUDGET, std::time::Duration::from_secs)
}

impl AppContext {
    /// Builds the context from explicit parts (tests, local tools).
    pub fn new(config: Config, intercom: IntercomSettings, tokens: TokenSource) -> Self {
        Self {
            config,
            access: IntercomAccess::new(intercom, tokens),
            clock: Clock::System,
            scan_budget: DEFAULT_SCAN_BUDGET,
        }
    }

    /// The same context reading `clock` (tests replaying a recorded as-of).
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    /// HTTP clients built so far ([`IntercomAccess::clients_built`]): one per environment.
    pub async fn clients_built(&self) -> usize {
        self.access.clients_built().await
    }

    /// The same context with another scan budget (tests of resumable runs).
    pub fn with_scan_budget(self, scan_budget: std::time::Duration) -> Self {
        Self {
            scan_budget,
            ..self
        }
    }

    /// How long session-sync may scan before it stops and answers `complete: false`.
    pub fn scan_budget(&self) -> std::time::Duration {
        self.scan_budget
    }

    /// The current instant by the context's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Builds the context from the environment: rule configuration ([`Config::from_env`]) and
    /// [`IntercomAccess::from_env`].
    pub async fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, JobError> {
        let config = Config::from_env()?;
        let access = IntercomAccess::from_env(sdk).await?;
        Ok(Self {
            config,
            access,
            clock: Clock::System,
            scan_budget: scan_budget_from_env(),
        })
    }

    /// Where Intercom is.
    pub fn intercom(&self) -> &IntercomSettings {
        &self.access.settings
    }

    /// A fresh Intercom client for one invocation ([`IntercomAccess::client`]).
    pub async fn intercom_client(&self) -> Result<IntercomClient, JobError> {
        self.access.client().await
    }
}

/// What every coaching function's `main` does first ([`crate::context::start`] with
/// [`AppContext::from_env`]).
pub async fn start() -> Option<(aws_config::SdkConfig, &'static AppContext)> {
    crate::context::start(|sdk| async move {
        let ctx = AppContext::from_env(&sdk).await;
        (sdk, ctx)
    })
    .await
}
