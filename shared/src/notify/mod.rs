//! Slack notifications through an incoming webhook, for every system that reports to a channel
//! (customer sync's alerts, the engagement ranker's weekly summary). See `docs/notify.md`.
//!
//! ```text
//! webhook.rs   WebhookUrl, WebhookSource: the URL from SLACK_WEBHOOK_URL or the Secrets Manager
//!              secret SLACK_WEBHOOK_SECRET_ID, checked, read once, never shown
//! blocks.rs    Message, Block, Text: the Block Kit subset, Slack's limits, escape()
//! builder.rs   MessageBuilder: fits anything into those limits (cut with …, fold past 50 blocks)
//! client.rs    SlackClient::post: retries on 429 (Retry-After), 5xx and timeouts; Delivery
//! error.rs     SlackError: Slack's status and error text, never the URL
//! ```
//!
//! ```no_run
//! # async fn demo(sdk: &aws_config::SdkConfig) -> Result<(), shared::notify::SlackError> {
//! use shared::notify::{escape, Message, SlackClient};
//! let slack = SlackClient::from_env(sdk)?; // in main, once
//! let message = Message::builder("1 customer alert")
//!     .header("Customer alerts")
//!     .section(format!("*{}* turned delinquent", escape("ada@example.com")))
//!     .build();
//! let delivery = slack.post(&message).await?;
//! tracing::info!(attempts = delivery.attempts, "posted to Slack");
//! # Ok(()) }
//! ```

mod blocks;
mod builder;
mod client;
mod error;
mod webhook;

pub use blocks::{
    escape, Block, Message, Text, MAX_BLOCKS, MAX_CONTEXT_CHARS, MAX_CONTEXT_ELEMENTS,
    MAX_FALLBACK_CHARS, MAX_FIELDS, MAX_FIELD_CHARS, MAX_HEADER_CHARS, MAX_SECTION_CHARS,
};
pub use builder::{MessageBuilder, ELLIPSIS, EMPTY_FALLBACK};
pub use client::{Delivery, SlackClient, SlackConfig};
pub use error::{SlackError, TransportKind};
pub use webhook::{
    WebhookSource, WebhookUrl, WebhookUrlError, SECRET_ID_VARIABLE, SLACK_HOOKS_HOST, URL_VARIABLE,
};
