//! A local receiver for Slack incoming webhooks: it takes `POST`s the way Slack does, records
//! each accepted message, serves them back, and answers errors on demand, so a notifier can be
//! tested end to end without Slack.
//!
//! It is an independent implementation of Slack's documented behaviour (it does not use the
//! `shared` crate): a body that is not a JSON object is `400 invalid_payload`, a message with
//! neither `text` nor `blocks` is `400 no_text`, and blocks past Block Kit's limits (50 blocks;
//! header 150 characters of plain text; section text 3,000, at most 10 fields of 2,000; context
//! at most 10 elements; no empty text) are `400 invalid_blocks`. Accepted posts get `200 ok`.
//!
//! Routes:
//!
//! | route | what it does |
//! |---|---|
//! | `POST /<any path>` | a webhook, e.g. `/services/T000/B000/SINK` ([`RunningSink::webhook_url`]) |
//! | `POST /status/<code>/<any path>` | a webhook that always answers `<code>` (429 with `Retry-After`) |
//! | `GET /_sink/messages` | the accepted bodies, oldest first (JSON array) |
//! | `DELETE /_sink/messages` | forget them |
//! | `POST /_sink/fail` | `{"status": 429, "times": 2}`: the next `times` webhook posts answer `status` |
//! | `GET /_sink/stats` | [`SinkStats`]: requests, accepted, by status |
//!
//! Error bodies are Slack's texts: 400 `invalid_payload`, 403 `invalid_token`, 404
//! `no_service`, 410 `channel_is_archived`, 429 `rate_limited`, 500 `rollup_error`, other 5xx
//! `service_unavailable`.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sink = slack_sink::start(slack_sink::SinkConfig::default(), 0).await?;
//! sink.fail_next(429, 1); // the next post is rate limited
//! println!("{}", sink.webhook_url());
//! sink.shutdown().await;
//! # Ok(()) }
//! ```

mod config;
mod server;
mod stats;
mod validate;

pub use config::{error_text, SinkConfig};
pub use server::{start, RunningSink, WEBHOOK_PATH};
pub use stats::SinkStats;
pub use validate::validate;
