//! The service functions' state, built once per Lambda execution environment: the service
//! configuration, the way to Intercom (the sync job only; the report function reads only the
//! database), and the database (its pool opened, and the pending migrations applied, on first
//! use).

use tokio::sync::OnceCell;

use crate::aws::secrets::{TokenError, TokenSource};
use crate::context::{IntercomAccess, IntercomSettings};
use crate::intercom::IntercomClient;
use crate::job::JobError;
use crate::service::config::Config;
use crate::store::url::database_url_from_env;
use crate::store::{DatabaseUrl, DatabaseUrlError, PgPool, StoreError};

/// The lowest `Intercom-Version` the service job asks for: `statistics.handling_time` (AHT)
/// arrives from 2.13 on (SERVICE-PERFORMANCE.md §3).
pub const MIN_INTERCOM_VERSION: (u32, u32) = (2, 13);

/// Why a service function cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Job(#[from] JobError),
    #[error(transparent)]
    Database(#[from] DatabaseUrlError),
}

/// Configuration, Intercom access and the database, built once in `main`.
pub struct ServiceContext {
    /// Reporting zone and targets.
    pub config: Config,
    /// `None` for the report function, which never calls Intercom.
    access: Option<IntercomAccess>,
    database: DatabaseUrl,
    pool: OnceCell<PgPool>,
}

impl ServiceContext {
    /// From explicit parts (tests, local tools).
    pub fn new(
        config: Config,
        intercom: IntercomSettings,
        tokens: TokenSource,
        database: DatabaseUrl,
    ) -> Self {
        Self {
            config,
            access: Some(IntercomAccess::new(intercom, tokens)),
            database,
            pool: OnceCell::new(),
        }
    }

    /// Configuration and the database only, for functions that never call Intercom (the report
    /// function); [`ServiceContext::intercom_client`] then fails.
    pub fn without_intercom(config: Config, database: DatabaseUrl) -> Self {
        Self {
            config,
            access: None,
            database,
            pool: OnceCell::new(),
        }
    }

    /// From the environment without Intercom: [`Config::from_env`] and the database URL. What
    /// the report function needs (no Intercom token, so no access to its secret).
    pub async fn without_intercom_from_env(
        sdk: &aws_config::SdkConfig,
    ) -> Result<Self, SetupError> {
        let config = Config::from_env().map_err(JobError::from)?;
        let database = database_url_from_env(sdk).await?;
        Ok(Self::without_intercom(config, database))
    }

    /// From the environment: [`Config::from_env`], the Intercom settings and token, and the
    /// database URL (`DATABASE_URL`, else the secret `DATABASE_SECRET_ID`).
    pub async fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, SetupError> {
        let config = Config::from_env().map_err(JobError::from)?;
        let access = IntercomAccess::from_env(sdk).await?;
        let database = database_url_from_env(sdk).await?;
        Ok(Self {
            config,
            access: Some(access),
            database,
            pool: OnceCell::new(),
        })
    }

    /// The pool, opened on first use with the pending migrations applied (once per execution
    /// environment; a failure is retried by the next call).
    pub async fn pool(&self) -> Result<&PgPool, StoreError> {
        self.pool
            .get_or_try_init(|| crate::store::open(&self.database))
            .await
    }

    /// A fresh Intercom client for one invocation, asking for at least
    /// [`MIN_INTERCOM_VERSION`] (a later configured `INTERCOM_VERSION` is kept).
    ///
    /// Errors: as [`IntercomAccess::client_with_version`]; [`TokenError::NotConfigured`] for a
    /// context built [`ServiceContext::without_intercom`].
    pub async fn intercom_client(&self) -> Result<IntercomClient, JobError> {
        let access = self
            .access
            .as_ref()
            .ok_or(JobError::Token(TokenError::NotConfigured))?;
        let version = service_version(&access.settings.version);
        access.client_with_version(&version).await
    }
}

/// `configured` when it is at least [`MIN_INTERCOM_VERSION`], else that minimum. A version that
/// is not `MAJOR.MINOR` (e.g. `Unstable`) is kept as it is.
pub fn service_version(configured: &str) -> String {
    let parsed = configured
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)));
    match parsed {
        Some(v) if v < MIN_INTERCOM_VERSION => {
            format!("{}.{}", MIN_INTERCOM_VERSION.0, MIN_INTERCOM_VERSION.1)
        }
        _ => configured.to_string(),
    }
}

/// What every service function's `main` does first ([`crate::context::start`] with
/// [`ServiceContext::from_env`]).
pub async fn start() -> Option<(aws_config::SdkConfig, &'static ServiceContext)> {
    crate::context::start(|sdk| async move {
        let ctx = ServiceContext::from_env(&sdk).await;
        (sdk, ctx)
    })
    .await
}

/// What the report function's `main` does first: as [`start`], with
/// [`ServiceContext::without_intercom_from_env`].
pub async fn start_without_intercom() -> Option<(aws_config::SdkConfig, &'static ServiceContext)> {
    crate::context::start(|sdk| async move {
        let ctx = ServiceContext::without_intercom_from_env(&sdk).await;
        (sdk, ctx)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_asks_for_2_13_or_later() {
        for (configured, sent) in [
            ("2.11", "2.13"),
            ("2.12", "2.13"),
            ("2.13", "2.13"),
            ("2.16", "2.16"),
            ("3.0", "3.0"),
            ("Unstable", "Unstable"),
        ] {
            assert_eq!(service_version(configured), sent, "{configured}");
        }
    }
}
