//! The `yobi-sim` binary: first stdout line is the base URL; SIGTERM ends it with 0.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

fn spawn(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yobi-sim"))
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
async fn generates_with_variants_and_rolling_totals_only() {
    let dump = std::env::temp_dir().join(format!("yobi-sim-cli-{}.json", std::process::id()));
    let (child, base) = spawn(&[
        "--generate-book",
        "150",
        "--seed",
        "5",
        "--as-of",
        "2025-03-30",
        "--port",
        "0",
        "--field-names",
        "alternate",
        "--list-key",
        "results",
        "--rolling-totals-only",
        "calls",
        "--omit-field",
        "new_patients",
        "--token",
        "curl-token",
        "--dump",
        dump.to_str().unwrap(),
    ]);
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/auth/login"))
        .json(&json!({"email": "ranker-bot@yib.io", "password": "yobi-sim-password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap();
    let calls: Value = http
        .get(format!("{base}/admin/analytics/calls?period=30days"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        calls["results"]["end_date"], "2025-03-30",
        "today is the book's as-of"
    );
    let t = &calls["results"]["results"][0];
    assert!(
        t.get("id").is_some() && t.get("name").is_some() && t.get("daily").is_none(),
        "{t}"
    );
    let appts: Value = http
        .get(format!("{base}/admin/analytics/appointments"))
        .bearer_auth("curl-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t = &appts["results"]["results"][0];
    assert!(
        t["totals"].get("total_appointments").is_some()
            && t["totals"].get("new_patient_appointments").is_none(),
        "{t}"
    );
    let dumped = yobi_sim::YobiFixture::from_file(&dump).unwrap();
    std::fs::remove_file(&dump).unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 3, 30).unwrap();
    assert_eq!(dumped, ranker_book::generate(150, 5, as_of).yobi);
    let logs = stop(child);
    assert!(!logs.contains("yobi-sim-password") && !logs.contains("curl-token"));
}

#[tokio::test]
async fn tokens_from_the_binary_expire() {
    let path = std::env::temp_dir().join(format!("yobi-sim-fixture-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"{"tenants": [{"tenant_id": 1, "tenant_name": "A"}]}"#,
    )
    .unwrap();
    let (child, base) = spawn(&[
        "--fixture",
        path.to_str().unwrap(),
        "--user",
        "me@x.io:pw",
        "--token-lifetime",
        "0.2",
        "--today",
        "2025-03-30",
    ]);
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/auth/login"))
        .json(&json!({"email": "me@x.io", "password": "pw"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(login["expires_in"], 0);
    let token = login["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        http.get(format!("{base}/admin/tenants"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    let r = http
        .get(format!("{base}/admin/tenants"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    std::fs::remove_file(&path).unwrap();
    stop(child);
}

#[test]
fn refuses_bad_flags() {
    let bin = env!("CARGO_BIN_EXE_yobi-sim");
    for args in [
        vec![],
        vec!["--generate", "10"],
        vec!["--generate", "10", "--seed", "1", "--list-key", "items"],
        vec![
            "--generate",
            "10",
            "--seed",
            "1",
            "--rolling-totals-only",
            "revenue",
        ],
        vec!["--generate", "10", "--seed", "1", "--omit-field", "revenue"],
        vec!["--generate", "10", "--seed", "1", "--token-lifetime", "0"],
        vec!["--generate", "10", "--seed", "1", "--user", "nopassword"],
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
