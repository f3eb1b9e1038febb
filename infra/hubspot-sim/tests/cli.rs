//! The `hubspot-sim` binary: first stdout line is the base URL; SIGTERM ends it with 0.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

fn spawn(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubspot-sim"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    (child, base)
}

fn stop(mut child: Child) -> String {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut logs).unwrap();
    logs
}

#[tokio::test]
async fn generates_serves_dumps_and_stops_on_sigterm() {
    let dump = std::env::temp_dir().join(format!("hubspot-sim-cli-{}.json", std::process::id()));
    let (child, base) = spawn(&[
        "--generate-book",
        "150",
        "--seed",
        "5",
        "--as-of",
        "2025-03-30",
        "--port",
        "0",
        "--token",
        "cli-token",
        "--rate-limit",
        "7",
        "--drop-property",
        "customer_engagement_tier",
        "--dump",
        dump.to_str().unwrap(),
    ]);
    let http = reqwest::Client::new();
    let r = http
        .get(format!(
            "{base}/crm/v3/properties/companies/customer_engagement_tier"
        ))
        .bearer_auth("cli-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "the dropped property is gone");
    assert_eq!(r.headers()["X-HubSpot-RateLimit-Max"], "7");
    let r = http
        .get(format!(
            "{base}/crm/v3/properties/companies/customer_engagement_score"
        ))
        .bearer_auth("cli-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let dumped = hubspot_sim::HubSpotFixture::from_file(&dump).unwrap();
    std::fs::remove_file(&dump).unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 3, 30).unwrap();
    let mut expected = ranker_book::generate(150, 5, as_of).hubspot;
    expected
        .properties
        .retain(|p| p["name"] != "customer_engagement_tier");
    assert_eq!(dumped, expected);
    let logs = stop(child);
    assert!(
        !logs.contains("cli-token"),
        "the token never reaches the logs"
    );
}

#[tokio::test]
async fn serves_a_fixture_file_with_failing_updates() {
    let path =
        std::env::temp_dir().join(format!("hubspot-sim-fixture-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"{"companies": [{"id": "7", "properties": {"name": "A"}}, {"id": "8", "properties": {"name": "B"}}],
            "properties": [{"name": "name", "type": "string", "fieldType": "text"}]}"#,
    )
    .unwrap();
    let (child, base) = spawn(&[
        "--fixture",
        path.to_str().unwrap(),
        "--fail-company-updates",
        "8,9",
        "--fail-update-attempts",
        "1",
    ]);
    let body = serde_json::json!({"inputs": [{"id": "7", "properties": {"name": "A2"}}, {"id": "8", "properties": {"name": "B2"}}]});
    let http = reqwest::Client::new();
    let send = || {
        http.post(format!("{base}/crm/v3/objects/companies/batch/update"))
            .bearer_auth("sim-token")
            .json(&body)
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 207);
    assert_eq!(send().await.unwrap().status(), 200);
    std::fs::remove_file(&path).unwrap();
    stop(child);
}

#[test]
fn refuses_to_start_without_a_source_or_with_bad_flags() {
    let bin = env!("CARGO_BIN_EXE_hubspot-sim");
    for args in [
        vec![],
        vec!["--generate", "10"],
        vec!["--fixture", "a.json", "--generate", "10", "--seed", "1"],
        vec!["--generate", "10", "--seed", "1", "--error-rate", "2"],
        vec!["--generate", "10", "--seed", "1", "--drop-property", "nope"],
        vec!["--fixture", "/nonexistent/fixture.json"],
    ] {
        // Under `timeout`, so a binary that starts serving fails the test (124) instead of hanging it.
        let out = Command::new("timeout")
            .arg("20")
            .arg(bin)
            .args(&args)
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(1 | 2)),
            "{args:?}: {:?}",
            out.status
        );
    }
}
