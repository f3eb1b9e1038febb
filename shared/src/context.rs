//! What a function builds once per Lambda execution environment and shares with warm
//! invocations: the way to Intercom (settings and the cached token source), and the start-up
//! path every function's `main` takes. Each system wraps [`IntercomAccess`] in its own context
//! with its own configuration.

use std::fmt::Display;
use std::future::Future;

use crate::aws::secrets::TokenSource;
use crate::config::ConfigError;
use crate::intercom::{ClientConfig, IntercomClient};
use crate::job::JobError;

/// Where and how to reach Intercom (`INTERCOM_API_BASE`, `INTERCOM_VERSION`).
#[derive(Debug, Clone, PartialEq)]
pub struct IntercomSettings {
    /// Base URL, e.g. `https://api.intercom.io` (US), `https://api.eu.intercom.io`, `https://api.au.intercom.io`.
    pub base_url: String,
    /// The `Intercom-Version` header, e.g. `2.11`.
    pub version: String,
    /// Per-request timeout, connection to last byte
    /// ([`crate::intercom::DEFAULT_TIMEOUT`] in the functions; tests of hung
    /// requests shorten it).
    pub timeout: std::time::Duration,
}

impl IntercomSettings {
    /// Reads `INTERCOM_API_BASE` and `INTERCOM_VERSION` (defaults: US region, the client's
    /// default version).
    ///
    /// Errors: [`JobError::Config`] naming the variable.
    pub fn from_env() -> Result<Self, JobError> {
        let probe = ClientConfig::from_env(secrecy::SecretString::from(String::new()))?;
        Ok(Self {
            base_url: probe.base_url.to_string(),
            version: probe.version.clone(),
            timeout: probe.timeout,
        })
    }
}

/// Intercom settings and the token source: everything needed to build a client.
pub struct IntercomAccess {
    /// Where Intercom is.
    pub settings: IntercomSettings,
    tokens: TokenSource,
    /// The clients built so far, one per `Intercom-Version`, renewed for each invocation.
    built: tokio::sync::Mutex<std::collections::BTreeMap<String, IntercomClient>>,
}

impl IntercomAccess {
    /// From explicit parts (tests, local tools).
    pub fn new(settings: IntercomSettings, tokens: TokenSource) -> Self {
        Self {
            settings,
            tokens,
            built: Default::default(),
        }
    }

    /// From the environment: [`IntercomSettings::from_env`] and the token source
    /// (`INTERCOM_ACCESS_TOKEN` or `INTERCOM_TOKEN_SECRET_ID`, read through `sdk`).
    pub async fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, JobError> {
        let settings = IntercomSettings::from_env()?;
        let tokens = TokenSource::from_env(sdk).await?;
        Ok(Self::new(settings, tokens))
    }

    /// An Intercom client for one invocation (its call counters start at zero). The HTTP client
    /// (connection pool, TLS) and the token are built once per execution environment and reused
    /// by warm invocations ([`IntercomClient::renewed`]); Secrets Manager is read once.
    pub async fn client(&self) -> Result<IntercomClient, JobError> {
        self.client_with_version(&self.settings.version).await
    }

    /// As [`IntercomAccess::client`], sending `version` as `Intercom-Version` (a job that needs
    /// fields of a later API version asks for it on its own client).
    pub async fn client_with_version(&self, version: &str) -> Result<IntercomClient, JobError> {
        let mut built = self.built.lock().await;
        if let Some(client) = built.get(version) {
            return Ok(client.renewed());
        }
        let token = self.tokens.token().await?;
        let mut client_config = ClientConfig::from_env(token)?;
        client_config.base_url = self.settings.base_url.parse().map_err(|_| ConfigError {
            variable: "INTERCOM_API_BASE",
            reason: format!("{:?} is not a URL", self.settings.base_url),
        })?;
        client_config.version = version.to_owned();
        client_config.timeout = self.settings.timeout;
        let client = IntercomClient::new(client_config)?;
        built.insert(version.to_owned(), client.clone());
        Ok(client)
    }

    /// How many HTTP clients were built (one per `Intercom-Version` asked for), for tests that
    /// check warm invocations reuse them.
    pub async fn clients_built(&self) -> usize {
        self.built.lock().await.len()
    }
}

/// What every function's `main` does first: start logging, load the AWS SDK configuration and
/// build the function's context with `build`, kept for the life of the execution environment.
/// `None`, after logging why, when the configuration is unusable.
pub async fn start<C: 'static, E, F, Fut>(build: F) -> Option<(aws_config::SdkConfig, &'static C)>
where
    F: FnOnce(aws_config::SdkConfig) -> Fut,
    Fut: Future<Output = (aws_config::SdkConfig, Result<C, E>)>,
    E: Display,
{
    crate::runtime::init_logging();
    let sdk = crate::aws_sdk_config().await;
    match build(sdk).await {
        (sdk, Ok(ctx)) => Some((sdk, Box::leak(Box::new(ctx)))),
        (_, Err(error)) => {
            tracing::error!(%error, "cannot start: configuration");
            None
        }
    }
}
