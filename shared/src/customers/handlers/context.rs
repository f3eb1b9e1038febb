//! The customer-sync function's state, built once per Lambda execution environment: its
//! configuration, the way to Intercom, the database (pool opened and migrations applied on first
//! use) and the Slack webhook.

use tokio::sync::OnceCell;

use crate::aws::secrets::TokenSource;
use crate::context::{IntercomAccess, IntercomSettings};
use crate::customers::config::Config;
use crate::intercom::IntercomClient;
use crate::job::JobError;
use crate::notify::{SlackClient, SlackError};
use crate::store::url::database_url_from_env;
use crate::store::{DatabaseUrl, DatabaseUrlError, PgPool, StoreError};

/// Why the function cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Job(#[from] JobError),
    #[error(transparent)]
    Database(#[from] DatabaseUrlError),
    #[error(transparent)]
    Slack(#[from] SlackError),
}

/// Configuration, Intercom access, the database and Slack, built once in `main`.
pub struct CustomerContext {
    pub config: Config,
    access: IntercomAccess,
    database: DatabaseUrl,
    pool: OnceCell<PgPool>,
    /// `None` when no webhook is configured: alerts are still stored, no message is sent.
    slack: Option<SlackClient>,
}

impl CustomerContext {
    /// From explicit parts (tests, local tools).
    pub fn new(
        config: Config,
        intercom: IntercomSettings,
        tokens: TokenSource,
        database: DatabaseUrl,
        slack: Option<SlackClient>,
    ) -> Self {
        Self {
            config,
            access: IntercomAccess::new(intercom, tokens),
            database,
            pool: OnceCell::new(),
            slack,
        }
    }

    /// From the environment: [`Config::from_env`], the Intercom settings and token, the
    /// database URL (`DATABASE_URL`, else the secret `DATABASE_SECRET_ID`) and the Slack webhook
    /// (`SLACK_WEBHOOK_URL`, else the secret `SLACK_WEBHOOK_SECRET_ID`; neither set: no message).
    pub async fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, SetupError> {
        let config = Config::from_env().map_err(JobError::from)?;
        let access = IntercomAccess::from_env(sdk).await?;
        let database = database_url_from_env(sdk).await?;
        let configured = [
            crate::notify::URL_VARIABLE,
            crate::notify::SECRET_ID_VARIABLE,
        ]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|s| !s.trim().is_empty()));
        let slack = if configured {
            Some(SlackClient::from_env(sdk)?)
        } else {
            tracing::warn!("no Slack webhook configured: alerts are stored, no message is sent");
            None
        };
        Ok(Self {
            config,
            access,
            database,
            pool: OnceCell::new(),
            slack,
        })
    }

    /// The pool, opened on first use with the pending migrations applied.
    pub async fn pool(&self) -> Result<&PgPool, StoreError> {
        self.pool
            .get_or_try_init(|| crate::store::open(&self.database))
            .await
    }

    /// A fresh Intercom client for one invocation.
    pub async fn intercom_client(&self) -> Result<IntercomClient, JobError> {
        self.access.client().await
    }

    pub fn slack(&self) -> Option<&SlackClient> {
        self.slack.as_ref()
    }
}

/// What the function's `main` does first ([`crate::context::start`] with
/// [`CustomerContext::from_env`]).
pub async fn start() -> Option<(aws_config::SdkConfig, &'static CustomerContext)> {
    crate::context::start(|sdk| async move {
        let ctx = CustomerContext::from_env(&sdk).await;
        (sdk, ctx)
    })
    .await
}
