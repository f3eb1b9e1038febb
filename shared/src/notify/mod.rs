//! Slack notifications through an incoming webhook, for every system that reports to a channel
//! (customer sync's alerts, the engagement ranker's weekly summary). See `docs/notify.md`.
//!
//! ```text
//! webhook.rs   WebhookUrl, WebhookSource: the URL from SLACK_WEBHOOK_URL or the Secrets Manager
//!              secret SLACK_WEBHOOK_SECRET_ID, checked, read once, never shown
//! ```

mod webhook;

pub use webhook::{
    WebhookSource, WebhookUrl, WebhookUrlError, SECRET_ID_VARIABLE, SLACK_HOOKS_HOST,
    URL_VARIABLE,
};
