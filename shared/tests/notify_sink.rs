//! `notify` end to end against the local Slack sink (`infra/slack-sink`), which checks messages
//! the way Slack documents and answers errors on demand.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use secrecy::SecretString;
use serde_json::Value;
use shared::aws::secrets::{SecretStore, TokenError};
use shared::notify::{
    Block, Message, SlackClient, SlackConfig, SlackError, Text, WebhookSource, WebhookUrl,
    MAX_BLOCKS,
};
use slack_sink::{RunningSink, SinkConfig};

/// Distinctive, so a leak anywhere is found by a plain substring search.
const SECRET_PATH: &str = "/services/T0E2E/B0E2E/e2eWebhookSecretXyz";
const SECRET_PART: &str = "e2eWebhookSecretXyz";

fn config() -> SlackConfig {
    SlackConfig {
        timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(1),
        max_retries: 4,
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(20),
        max_total_wait: Duration::from_secs(5),
    }
}

async fn sink(config: SinkConfig) -> RunningSink {
    slack_sink::start(config, 0).await.unwrap()
}

fn client(url: &str, config: SlackConfig) -> SlackClient {
    SlackClient::new(
        WebhookSource::fixed(WebhookUrl::parse(url).unwrap()),
        config,
    )
    .unwrap()
}

fn secret_url(sink: &RunningSink) -> String {
    format!("{}{SECRET_PATH}", sink.base_url)
}

fn alerts(n: usize) -> Message {
    Message::builder(format!("{n} customer alerts"))
        .header("Customer alerts")
        .blocks((1..=n).map(|i| {
            Block::section_with_fields(
                format!("*customer{i}@example.com*"),
                [
                    Text::mrkdwn("*Kind*\ndelinquent"),
                    Text::mrkdwn("*Run*\n42"),
                ],
            )
        }))
        .overflow_unit("alerts")
        .build()
}

fn assert_no_secret(error: &SlackError) {
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains(SECRET_PART), "the URL leaked: {text}");
    }
}

#[tokio::test]
async fn a_long_run_of_alerts_is_accepted_as_one_message() {
    let sink = sink(SinkConfig::default()).await;
    let message = alerts(120);
    let delivery = client(&secret_url(&sink), config())
        .post(&message)
        .await
        .unwrap();
    assert_eq!(delivery.attempts, 1);
    let received = sink.messages();
    assert_eq!(received, vec![message.to_json()]);
    let blocks = received[0]["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), MAX_BLOCKS);
    assert_eq!(
        blocks[1]["text"]["text"], "*customer1@example.com*",
        "the first alerts come first"
    );
    assert_eq!(blocks[49]["elements"][0]["text"], "…and 72 more alerts");
}

#[tokio::test]
async fn oversized_input_still_passes_slacks_checks() {
    let sink = sink(SinkConfig::default()).await;
    let huge = "é🦀<&>".repeat(2000);
    let message = Message::builder(huge.clone())
        .header(huge.clone())
        .section(huge.clone())
        .fields((0..25).map(|_| huge.clone()))
        .context((0..25).map(|_| Text::plain(huge.clone())))
        .blocks((0..80).map(|_| Block::Divider))
        .build();
    client(&secret_url(&sink), config())
        .post(&message)
        .await
        .unwrap();
    assert_eq!(sink.stats().accepted, 1);
}

#[tokio::test]
async fn a_429_waits_its_retry_after_then_posts() {
    let sink = sink(SinkConfig {
        retry_after_seconds: 1,
        fail_next: vec![429],
        ..SinkConfig::default()
    })
    .await;
    let started = Instant::now();
    let delivery = client(&secret_url(&sink), config())
        .post(&alerts(2))
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!((delivery.attempts, delivery.rate_limited), (2, 1));
    let stats = sink.stats();
    assert_eq!((stats.requests, stats.accepted), (2, 1));
    assert_eq!(sink.messages().len(), 1, "posted once");
}

#[tokio::test]
async fn two_server_errors_then_success() {
    let sink = sink(SinkConfig::default()).await;
    sink.fail_next(500, 2);
    let delivery = client(&secret_url(&sink), config())
        .post(&alerts(2))
        .await
        .unwrap();
    assert_eq!(delivery.attempts, 3);
    assert_eq!(sink.stats().by_status.get(&500), Some(&2));
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn a_refused_message_or_dead_webhook_is_not_retried() {
    for (status, text) in [
        (400, "invalid_payload"),
        (404, "no_service"),
        (410, "channel_is_archived"),
    ] {
        let sink = sink(SinkConfig::default()).await;
        let url = format!("{}/status/{status}{SECRET_PATH}", sink.base_url);
        let error = client(&url, config()).post(&alerts(1)).await.unwrap_err();
        assert_eq!(error.status(), Some(status));
        assert_eq!(error.slack_error(), Some(text));
        assert_eq!(error.needs_new_webhook(), status != 400);
        assert_eq!(sink.stats().requests, 1, "{status} is final");
        assert_no_secret(&error);
    }
}

#[tokio::test]
async fn endless_rate_limits_stop_at_the_wait_budget() {
    let sink = sink(SinkConfig::default()).await;
    let url = format!("{}/status/429{SECRET_PATH}", sink.base_url);
    let budget = SlackConfig {
        max_total_wait: Duration::from_millis(2500),
        ..config()
    };
    let started = Instant::now();
    let error = client(&url, budget).post(&alerts(1)).await.unwrap_err();
    let elapsed = started.elapsed();
    match &error {
        SlackError::GaveUp {
            attempts, waited, ..
        } => {
            // Waits of 1 s + 1 s fit the 2.5 s budget; a third would not.
            assert_eq!(*attempts, 3);
            assert_eq!(*waited, Duration::from_secs(2));
        }
        other => panic!("{other:?}"),
    }
    assert!(elapsed >= Duration::from_secs(2) && elapsed < Duration::from_secs(3));
    assert_eq!(error.slack_error(), Some("rate_limited"));
    assert_eq!(sink.stats().requests, 3);
    assert_no_secret(&error);
}

struct Store {
    value: String,
    fetches: AtomicUsize,
}

#[async_trait]
impl SecretStore for Store {
    async fn secret_string(&self, _secret_id: &str) -> Result<SecretString, TokenError> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        Ok(SecretString::from(self.value.as_str()))
    }
}

#[tokio::test]
async fn the_webhook_from_a_secret_is_read_once_for_every_post() {
    let sink = sink(SinkConfig::default()).await;
    let store = Arc::new(Store {
        value: serde_json::json!({ "url": secret_url(&sink) }).to_string(),
        fetches: AtomicUsize::new(0),
    });
    let webhook = WebhookSource::from_store(store.clone(), "prod/slack-webhook");
    let slack = SlackClient::new(webhook, config()).unwrap();
    for n in 1..=3 {
        slack.post(&alerts(n)).await.unwrap();
    }
    assert_eq!(store.fetches.load(Ordering::SeqCst), 1);
    let texts: Vec<Value> = sink.messages().iter().map(|m| m["text"].clone()).collect();
    assert_eq!(
        texts,
        [
            "1 customer alerts",
            "2 customer alerts",
            "3 customer alerts"
        ]
    );
    assert!(!format!("{slack:?}").contains(SECRET_PART));
}
