//! State built once per Lambda execution environment and shared by warm invocations.

use crate::aws::secrets::TokenSource;
use crate::config::Config;
use crate::intercom::{ClientConfig, IntercomClient};

use super::JobError;

/// Where and how to reach Intercom (`INTERCOM_API_BASE`, `INTERCOM_VERSION`).
#[derive(Debug, Clone, PartialEq)]
pub struct IntercomSettings {
    /// Base URL, e.g. `https://api.intercom.io` (US), `https://api.eu.intercom.io`, `https://api.au.intercom.io`.
    pub base_url: String,
    /// The `Intercom-Version` header, e.g. `2.11`.
    pub version: String,
}

/// Configuration, the token source and Intercom settings, built once in `main`.
pub struct AppContext {
    /// The rules' configuration (attribute names, classes, reporting zone).
    pub config: Config,
    /// Where Intercom is.
    pub intercom: IntercomSettings,
    tokens: TokenSource,
}

impl AppContext {
    /// Builds the context from explicit parts (tests, local tools).
    pub fn new(config: Config, intercom: IntercomSettings, tokens: TokenSource) -> Self {
        Self {
            config,
            intercom,
            tokens,
        }
    }

    /// Builds the context from the environment: rule configuration, `INTERCOM_API_BASE`,
    /// `INTERCOM_VERSION`, and the token source (`INTERCOM_ACCESS_TOKEN` or
    /// `INTERCOM_TOKEN_SECRET_ID`, read through the shared AWS SDK config).
    pub async fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, JobError> {
        let config = Config::from_env()?;
        let probe = ClientConfig::from_env(secrecy::SecretString::from(String::new()))?;
        let intercom = IntercomSettings {
            base_url: probe.base_url.to_string(),
            version: probe.version.clone(),
        };
        let tokens = TokenSource::from_env(sdk).await?;
        Ok(Self::new(config, intercom, tokens))
    }

    /// A fresh Intercom client for one invocation (its call counters start at zero); the token
    /// comes from the cached token source, so Secrets Manager is read once per environment.
    pub async fn intercom_client(&self) -> Result<IntercomClient, JobError> {
        let token = self.tokens.token().await?;
        let mut client_config = ClientConfig::from_env(token)?;
        client_config.base_url =
            self.intercom
                .base_url
                .parse()
                .map_err(|_| crate::config::ConfigError {
                    variable: "INTERCOM_API_BASE",
                    reason: format!("{:?} is not a URL", self.intercom.base_url),
                })?;
        client_config.version = self.intercom.version.clone();
        Ok(IntercomClient::new(client_config)?)
    }
}

/// What every function's `main` does first: start logging, load the AWS SDK configuration and
/// build the context, kept for the life of the execution environment. `None`, after logging why,
/// when the configuration is unusable.
pub async fn start() -> Option<(aws_config::SdkConfig, &'static AppContext)> {
    crate::runtime::init_logging();
    let sdk = crate::aws_sdk_config().await;
    match AppContext::from_env(&sdk).await {
        Ok(ctx) => Some((sdk, Box::leak(Box::new(ctx)))),
        Err(error) => {
            tracing::error!(%error, "cannot start: configuration");
            None
        }
    }
}
