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
}

impl AppContext {
    /// Builds the context from explicit parts (tests, local tools).
    pub fn new(config: Config, intercom: IntercomSettings, tokens: TokenSource) -> Self {
        Self {
            config,
            access: IntercomAccess::new(intercom, tokens),
            clock: Clock::System,
        }
    }

    /// The same context reading `clock` (tests replaying a recorded as-of).
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
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
