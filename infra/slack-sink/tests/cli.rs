//! The `slack-sink` binary: first stdout line is the base URL; `--fail` queues errors; SIGTERM
//! ends it with 0.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn prints_the_base_url_serves_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_slack-sink"))
        .args([
            "--port",
            "0",
            "--retry-after",
            "3",
            "--fail",
            "429",
            "--fail",
            "500:2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let client = reqwest::Client::new();
    let mut answers = Vec::new();
    for _ in 0..4 {
        let response = client
            .post(format!("{base}/services/T/B/X"))
            .body(r#"{"text": "hello"}"#)
            .send()
            .await
            .unwrap();
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        answers.push((response.status().as_u16(), retry_after));
    }
    assert_eq!(
        answers,
        [
            (429, Some("3".into())),
            (500, None),
            (500, None),
            (200, None)
        ]
    );
    let messages: serde_json::Value = client
        .get(format!("{base}/_sink/messages"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(messages, serde_json::json!([{"text": "hello"}]));

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn refuses_a_fail_status_that_is_not_an_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_slack-sink"))
        .args(["--fail", "200"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
