//! The `engagement-ranker` binary as Lambda's local stand-in runs it: `--event FILE`, the
//! configuration from the environment, the summary JSON on stdout.

use std::process::Command;

use serde_json::Value;

use crate::support::*;

fn command(h: &Harness) -> Command {
    let mut cmd = Command::new(e2e_tests::function_binary("engagement-ranker"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_REGION", "us-east-1")
        .env("HUBSPOT_API_BASE", &h.hubspot.base_url)
        .env("HUBSPOT_ACCESS_TOKEN", HUBSPOT_TOKEN)
        .env("YOBI_API_BASE", &h.yobi.base_url)
        .env("YOBI_EMAIL", YOBI_EMAIL)
        .env("YOBI_PASSWORD", YOBI_PASSWORD)
        .env("SLACK_WEBHOOK_URL", h.slack.webhook_url())
        .env("TENANT_MAPPING_OVERRIDES_JSON", overrides());
    cmd
}

fn event_file(json: &str) -> tempfile_path::Path {
    tempfile_path::write(json)
}

/// A throwaway event file (no extra crate: a unique name under the system temp dir).
mod tempfile_path {
    pub struct Path(pub std::path::PathBuf);
    impl Drop for Path {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
    pub fn write(json: &str) -> Path {
        let path = std::env::temp_dir().join(format!("{}.json", e2e_tests::unique("ranker-event")));
        std::fs::write(&path, json).unwrap();
        Path(path)
    }
}

#[tokio::test]
async fn a_bad_event_is_refused_naming_the_field_before_any_call() {
    let h = harness(Knobs::default()).await;
    let file = event_file(r#"{"dryRun": false, "weekStart": "2026-03-09", "companyId": [1]}"#);
    let out = tokio::task::spawn_blocking({
        let mut cmd = command(&h);
        cmd.arg("--event").arg(&file.0);
        move || cmd.output().unwrap()
    })
    .await
    .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("companyId: unknown field"), "{stderr}");
    assert!(stderr.contains("weekStart: must be a Sunday"), "{stderr}");
    assert!(h.hubspot.stats().requests.is_empty(), "no HubSpot call");
    assert!(h.yobi.stats().requests.is_empty(), "no Yobi call");
    assert!(h.messages().is_empty(), "no alert for a refused event");
}

#[tokio::test]
async fn the_binary_prints_the_summary_of_a_dry_run() {
    let h = harness(Knobs::default()).await;
    let file = event_file(r#"{"asOf": "2026-03-15T10:00:00Z"}"#);
    let out = tokio::task::spawn_blocking({
        let mut cmd = command(&h);
        cmd.arg("--event").arg(&file.0);
        move || cmd.output().unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["dryRun"], true);
    assert_eq!(summary["n"], 20);
    assert_eq!(summary["top"][0]["companyId"], "5001");
    assert_eq!(h.update_calls(), 0);
    for secret in [HUBSPOT_TOKEN, YOBI_PASSWORD] {
        assert!(!stderr.contains(secret), "a secret in the logs");
        assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
    }
}
