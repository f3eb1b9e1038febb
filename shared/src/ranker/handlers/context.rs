//! What `engagement-ranker` builds once per execution environment: the configuration and the
//! HubSpot, Yobi and Slack clients (secrets are read on first use).

use std::sync::Arc;

use crate::hubspot::{HubSpotClient, HubSpotConfig, HubSpotToken};
use crate::notify::{SlackClient, SlackConfig, WebhookSource};
use crate::ranker::config::Config;
use crate::yobi::{YobiClient, YobiConfig, YobiCredentials};

/// Why the function cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    HubSpot(#[from] crate::hubspot::HubSpotError),
    #[error(transparent)]
    Yobi(#[from] crate::yobi::YobiError),
    #[error("Slack: {0}")]
    Slack(#[from] crate::notify::SlackError),
    #[error("Slack: {0}")]
    Webhook(#[from] crate::notify::WebhookUrlError),
}

/// The ranker's clients and configuration.
#[derive(Debug, Clone)]
pub struct RankerContext {
    pub config: Config,
    pub hubspot: HubSpotClient,
    pub yobi: YobiClient,
    pub slack: SlackClient,
}

impl RankerContext {
    /// From the environment: [`Config::from_env`], `HUBSPOT_API_BASE` and the token
    /// (`HUBSPOT_ACCESS_TOKEN` or `HUBSPOT_TOKEN_SECRET_ID`), `YOBI_API_BASE` and the login
    /// (`YOBI_EMAIL`/`YOBI_PASSWORD` or `YOBI_CREDENTIALS_SECRET_ID`), and the Slack webhook
    /// (`SLACK_WEBHOOK_URL` or `SLACK_WEBHOOK_SECRET_ID`). Nothing is fetched yet.
    pub fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, SetupError> {
        let lookup = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let store = || -> Arc<dyn crate::aws::secrets::SecretStore> {
            Arc::new(aws_sdk_secretsmanager::Client::new(sdk))
        };
        let hubspot = HubSpotClient::new(HubSpotConfig::new(
            lookup("HUBSPOT_API_BASE").unwrap_or_else(|| crate::hubspot::DEFAULT_API_BASE.into()),
            HubSpotToken::from_lookup(lookup, store)?,
        ))?;
        let yobi = YobiClient::new(YobiConfig::new(
            lookup("YOBI_API_BASE").unwrap_or_else(|| crate::yobi::DEFAULT_API_BASE.into()),
            YobiCredentials::from_lookup(lookup, store)?,
        ))?;
        let slack = SlackClient::new(
            WebhookSource::from_lookup(lookup, store)?,
            SlackConfig::default(),
        )?;
        Ok(Self {
            config: Config::from_env()?,
            hubspot,
            yobi,
            slack,
        })
    }
}
