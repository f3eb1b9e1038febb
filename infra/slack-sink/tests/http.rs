//! The sink over HTTP: recording, Slack's checks, injected errors, stats.

use serde_json::{json, Value};
use slack_sink::{start, SinkConfig, SinkStats};

async fn post(url: &str, body: &str) -> (u16, Option<String>, String) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, retry_after, response.text().await.unwrap())
}

async fn get(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

fn message(text: &str) -> String {
    json!({"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]})
        .to_string()
}

#[tokio::test]
async fn records_accepted_messages_and_serves_them_back() {
    let sink = start(SinkConfig::default(), 0).await.unwrap();
    assert_eq!(
        post(&sink.webhook_url(), &message("one")).await,
        (200, None, "ok".into())
    );
    let other_path = format!("{}/services/T1/B1/other", sink.base_url);
    assert_eq!(post(&other_path, &message("two")).await.0, 200);

    let served = get(&format!("{}/_sink/messages", sink.base_url)).await;
    assert_eq!(served[0]["text"], "one");
    assert_eq!(served[1]["blocks"][0]["text"]["text"], "two");
    assert_eq!(served, Value::Array(sink.messages()));

    let stats: SinkStats =
        serde_json::from_value(get(&format!("{}/_sink/stats", sink.base_url)).await).unwrap();
    assert_eq!(stats.requests, 2);
    assert_eq!(stats.accepted, 2);
    assert_eq!(stats, sink.stats());

    let cleared = reqwest::Client::new()
        .delete(format!("{}/_sink/messages", sink.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status().as_u16(), 204);
    assert!(sink.messages().is_empty());
    sink.shutdown().await;
}

#[tokio::test]
async fn refuses_what_slack_refuses_without_recording_it() {
    let sink = start(SinkConfig::default(), 0).await.unwrap();
    let url = sink.webhook_url();
    assert_eq!(
        post(&url, "payload=x").await,
        (400, None, "invalid_payload".into())
    );
    assert_eq!(post(&url, r#"{"text": ""}"#).await.2, "no_text");
    let too_many = json!({"text": "t", "blocks": vec![json!({"type": "divider"}); 51]});
    assert_eq!(post(&url, &too_many.to_string()).await.2, "invalid_blocks");
    let long_header = json!({"blocks": [{"type": "header",
        "text": {"type": "plain_text", "text": "h".repeat(151)}}]});
    assert_eq!(
        post(&url, &long_header.to_string()).await,
        (400, None, "invalid_blocks".into())
    );
    assert!(sink.messages().is_empty());
    assert_eq!(sink.stats().by_status.get(&400), Some(&4));
}

#[tokio::test]
async fn answers_queued_errors_in_order_then_accepts() {
    let config = SinkConfig {
        retry_after_seconds: 7,
        fail_next: vec![429],
        ..SinkConfig::default()
    };
    let sink = start(config, 0).await.unwrap();
    let queued = reqwest::Client::new()
        .post(format!("{}/_sink/fail", sink.base_url))
        .json(&json!({"status": 500, "times": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status().as_u16(), 204);
    sink.fail_next(400, 1);

    let url = sink.webhook_url();
    assert_eq!(
        post(&url, &message("m")).await,
        (429, Some("7".into()), "rate_limited".into())
    );
    assert_eq!(
        post(&url, &message("m")).await,
        (500, None, "rollup_error".into())
    );
    assert_eq!(post(&url, &message("m")).await.0, 500);
    assert_eq!(
        post(&url, &message("m")).await,
        (400, None, "invalid_payload".into())
    );
    assert_eq!(post(&url, &message("m")).await.0, 200);
    let stats = sink.stats();
    assert_eq!((stats.requests, stats.accepted), (5, 1));
    assert_eq!(sink.messages().len(), 1);

    let bad = reqwest::Client::new()
        .post(format!("{}/_sink/fail", sink.base_url))
        .json(&json!({"status": 200}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
}

#[tokio::test]
async fn a_status_path_always_answers_that_status() {
    let sink = start(SinkConfig::default(), 0).await.unwrap();
    for (code, text) in [
        (410, "channel_is_archived"),
        (404, "no_service"),
        (503, "service_unavailable"),
    ] {
        let url = format!("{}/status/{code}/services/T/B/X", sink.base_url);
        for _ in 0..2 {
            assert_eq!(post(&url, &message("m")).await, (code, None, text.into()));
        }
    }
    let url = format!("{}/status/429/services/T/B/X", sink.base_url);
    assert_eq!(
        post(&url, &message("m")).await,
        (429, Some("1".into()), "rate_limited".into())
    );
    assert!(sink.messages().is_empty());
}
