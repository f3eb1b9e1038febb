//! The whole pipeline on a generated workspace: faults and a tight rate limit change nothing in
//! the outcome; the binaries run locally from event files and never print the token.

use tokio::process::Command;

use chrono::NaiveDate;
use e2e_tests::{context, function_binary, moto_sdk, start_sim, unique, TOKEN};
use futures::TryStreamExt;
use intercom_sim::{RunningSim, SimConfig};
use serde_json::{json, Value};
use shared::coaching::handlers::{engagement_sync, referral_sync, session_sync};
use shared::intercom::SearchQuery;

const AS_OF: &str = "2026-03-10T16:00:00Z";

fn as_of_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
}

/// Runs the three sync jobs; returns how much the client slowed down for the rate limit: its
/// waits for a reset plus the milliseconds it spaced requests.
async fn run_pipeline(sim: &RunningSim) -> u64 {
    let ctx = context(sim);
    let s = session_sync::handle(&ctx, json!({"lookbackDays": 365, "asOf": AS_OF}))
        .await
        .expect("session-sync");
    assert!(
        s.changes_planned > 0,
        "the generated workspace has work to do"
    );
    let e = engagement_sync::handle(&ctx, json!({"asOf": AS_OF}))
        .await
        .expect("engagement-sync");
    let r = referral_sync::handle(&ctx, json!({"asOf": AS_OF}))
        .await
        .expect("referral-sync");
    // Slowing down is a wait for the reset or the pacing that spreads the window's budget.
    [s, e, r]
        .iter()
        .map(|summary| summary.rate_limit_waits + summary.paced_ms)
        .sum()
}

/// Every contact's custom attributes, by id.
async fn state(sim: &RunningSim) -> Vec<(String, Value)> {
    let client = context(sim).intercom_client().await.unwrap();
    let contacts: Vec<_> = client
        .search_contacts(
            SearchQuery::field("role").is_in(vec!["user".to_string(), "lead".to_string()]),
        )
        .try_concat()
        .await
        .unwrap();
    let mut out: Vec<(String, Value)> = contacts
        .into_iter()
        .map(|c| (c.id, Value::Object(c.custom_attributes)))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_and_a_tight_rate_limit_do_not_change_the_outcome() {
    let workspace = intercom_sim::generate(60, 11, as_of_date());
    let clean = start_sim(workspace.clone(), SimConfig::default()).await;
    let faulty = start_sim(
        workspace,
        SimConfig {
            error_rate: 0.1,
            rate_limit: 40,
            seed: 3,
            ..SimConfig::default()
        },
    )
    .await;
    run_pipeline(&clean).await;
    let slowed = run_pipeline(&faulty).await;

    let stats = faulty.stats();
    assert!(
        stats.errors_injected > 0,
        "the faulty simulator injected 5xx answers"
    );
    assert_eq!(state(&faulty).await, state(&clean).await);

    assert!(
        slowed > 0,
        "the client slowed down for the 40-per-10-s limit"
    );

    let again = session_sync::handle(
        &context(&faulty),
        json!({"lookbackDays": 365, "asOf": AS_OF}),
    )
    .await
    .unwrap();
    assert_eq!(again.changes_planned, 0);
}

#[tokio::test]
async fn binaries_run_from_event_files_with_the_token_from_secrets_manager() {
    let sim = start_sim(
        intercom_sim::generate(40, 5, as_of_date()),
        SimConfig::default(),
    )
    .await;
    let sdk = moto_sdk().await;
    let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
    let secret_id = unique("intercom-token");
    secrets
        .create_secret()
        .name(&secret_id)
        .secret_string(json!({"token": TOKEN}).to_string())
        .send()
        .await
        .expect("secret");
    let s3 = shared::aws::s3::s3_client(&sdk);
    let bucket = unique("bin-export");
    s3.create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("bucket");

    let dir = std::env::temp_dir().join(unique("events"));
    std::fs::create_dir_all(&dir).unwrap();
    for (function, event) in [
        (
            "session-sync",
            json!({"lookbackDays": 365, "dryRun": false}),
        ),
        // Writing runs as of now (a real process reads the system clock, and a writing run's
        // asOf must be within 36 hours of it).
        ("engagement-sync", json!({"dryRun": false})),
        ("referral-sync", json!({"dryRun": false})),
        ("engagement-export", json!({})),
    ] {
        let file = dir.join(format!("{function}.json"));
        std::fs::write(&file, event.to_string()).unwrap();
        let output = Command::new(function_binary(function))
            .arg("--event")
            .arg(&file)
            .env_remove("INTERCOM_ACCESS_TOKEN")
            .env("INTERCOM_TOKEN_SECRET_ID", &secret_id)
            .env("INTERCOM_API_BASE", &sim.base_url)
            .env("EXPORT_BUCKET", &bucket)
            .env("RUST_LOG", "debug")
            .output()
            .await
            .expect("the binary runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{function} failed:\n{stderr}");
        assert!(
            !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
            "{function} printed the token"
        );
        let response: Value = serde_json::from_str(&stdout).expect("stdout is the response JSON");
        assert!(
            response["apiCalls"].as_u64().unwrap() > 0,
            "{function}: {response}"
        );
        for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
            serde_json::from_str::<Value>(line)
                .unwrap_or_else(|_| panic!("{function}: log line is not JSON: {line}"));
        }
    }
}

#[tokio::test]
async fn a_wrong_token_fails_without_showing_either_token() {
    let sim = start_sim(
        intercom_sim::generate(5, 5, as_of_date()),
        SimConfig::default(),
    )
    .await;
    let wrong = "tok-wrong-8d2e44aa";
    let output = Command::new(function_binary("referral-sync"))
        .args(["--event", "-"])
        .env("INTERCOM_ACCESS_TOKEN", wrong)
        .env("INTERCOM_API_BASE", &sim.base_url)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    // An empty stdin is not JSON: refused before any call.
    assert!(!output.status.success());
    let file = std::env::temp_dir().join(unique("event"));
    std::fs::write(&file, "{}").unwrap();
    let output = Command::new(function_binary("referral-sync"))
        .arg("--event")
        .arg(&file)
        .env("INTERCOM_ACCESS_TOKEN", wrong)
        .env("INTERCOM_API_BASE", &sim.base_url)
        .output()
        .await
        .unwrap();
    assert!(!output.status.success(), "401 ends the run in error");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        all.contains("unauthorized"),
        "the error keeps Intercom's code: {all}"
    );
    assert!(
        !all.contains(wrong) && !all.contains(TOKEN),
        "a token was printed: {all}"
    );
}
