//! The `intercom-sim` binary: first stdout line is the base URL; SIGTERM ends it with 0.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn prints_the_base_url_serves_and_stops_on_sigterm() {
    let dump = std::env::temp_dir().join(format!("intercom-sim-cli-{}.json", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_intercom-sim"))
        .args([
            "--generate",
            "25",
            "--seed",
            "3",
            "--as-of",
            "2025-03-31",
            "--port",
            "0",
        ])
        .args([
            "--token",
            "cli-token",
            "--workspace-timezone",
            "America/Chicago",
            "--rate-limit",
            "50",
        ])
        .arg("--dump")
        .arg(&dump)
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
    let me: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/me"))
        .bearer_auth("cli-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["app"]["timezone"], "America/Chicago");
    let dumped = intercom_sim::Workspace::from_file(&dump).unwrap();
    std::fs::remove_file(&dump).unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
    assert_eq!(dumped, intercom_sim::generate(25, 3, as_of));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut logs).unwrap();
    assert!(
        !logs.contains("cli-token"),
        "the token never reaches the logs"
    );
}

#[test]
fn refuses_to_start_without_a_workspace_source() {
    let out = Command::new(env!("CARGO_BIN_EXE_intercom-sim"))
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// Runs the binary with `args` and `--dump`, reads the dump and stops it.
fn dump_of(args: &[&str]) -> intercom_sim::Workspace {
    let dump = std::env::temp_dir().join(format!(
        "intercom-sim-cli-{}-{}.json",
        std::process::id(),
        args.len()
    ));
    let mut child = Command::new(env!("CARGO_BIN_EXE_intercom-sim"))
        .args(args)
        .arg("--dump")
        .arg(&dump)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("http://127.0.0.1:"), "{line}");
    let dumped = intercom_sim::Workspace::from_file(&dump).unwrap();
    std::fs::remove_file(&dump).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    dumped
}

#[test]
fn support_conversations_alone_or_after_the_coaching_workspace() {
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
    let workload = intercom_sim::SupportWorkload {
        conversations: 30,
        days: 20,
    };
    let common = ["--seed", "4", "--as-of", "2025-03-31"];
    let support = dump_of(
        &[
            &["--support-conversations", "30", "--support-days", "20"],
            &common[..],
        ]
        .concat(),
    );
    assert_eq!(support, intercom_sim::generate_support(&workload, 4, as_of));
    let both = dump_of(
        &[
            &[
                "--generate",
                "20",
                "--support-conversations",
                "30",
                "--support-days",
                "20",
            ],
            &common[..],
        ]
        .concat(),
    );
    assert_eq!(
        both,
        intercom_sim::generate(20, 4, as_of)
            .merge(intercom_sim::generate_support(&workload, 4, as_of))
    );
}

#[test]
fn support_flags_are_checked() {
    let bin = env!("CARGO_BIN_EXE_intercom-sim");
    for args in [
        vec!["--support-conversations", "10"],
        vec![
            "--support-conversations",
            "10",
            "--seed",
            "1",
            "--as-of",
            "2025-03-31",
            "--support-days",
            "0",
        ],
        vec![
            "--fixture",
            "x.json",
            "--support-conversations",
            "10",
            "--seed",
            "1",
            "--as-of",
            "2025-03-31",
        ],
    ] {
        let out = Command::new(bin).args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
    }
}
