//! engagement-export end to end (RULES.md §8): the simulator, then a real S3 protocol (moto).

use e2e_tests::fixtures::{d, ny, utc_midnight, Fixture};
use e2e_tests::{context, moto_sdk, requests, start_sim, unique};
use intercom_sim::SimConfig;
use serde_json::json;
use shared::aws::s3::{s3_client, ExportTarget};
use shared::coaching::handlers::engagement_export::{self, ExportDestination};

const AS_OF: &str = "2026-03-10T16:00:00Z";
const HEADER: [&str; 10] = [
    "employee_id",
    "name_first",
    "name_last",
    "member_dob",
    "group_description",
    "last_coaching_session",
    "program_status",
    "status_date",
    "eligible_programs",
    "registration_code",
];

async fn destination() -> ExportDestination {
    let sdk = moto_sdk().await;
    let s3 = s3_client(&sdk);
    let bucket = unique("export");
    s3.create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("bucket");
    ExportDestination {
        s3,
        target: ExportTarget {
            bucket,
            prefix: "exports/".into(),
        },
    }
}

async fn read_csv(dest: &ExportDestination, key: &str) -> (String, Vec<Vec<String>>) {
    let object = dest
        .s3
        .get_object()
        .bucket(&dest.target.bucket)
        .key(key)
        .send()
        .await
        .expect("object");
    let content_type = object.content_type().unwrap_or_default().to_string();
    let bytes = object.body.collect().await.unwrap().into_bytes();
    assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "no BOM");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[..]);
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (content_type, rows)
}

fn workspace() -> intercom_sim::Workspace {
    Fixture::new()
        .user("m1", "María José de la Cruz", json!({
            "Date of Birth": utc_midnight(d("1980-02-29")), "Employer": "Acme, Inc.",
            "Last Coaching Session": ny(d("2026-03-01"), 23, 30), "Engagement Status": "Engaged",
            "Engagement Status Date": ny(d("2026-03-09"), 22, 0), "Eligible Programs": "Smart Access",
            "Registration Code": "RC-1", "Referral": "Counter Health", "Enrolled Date": utc_midnight(d("2025-12-01"))
        }))
        .user("m2", "Bud \"The Rock\" O'Brien", json!({"Employer": "Globex", "Engagement Status": "At Risk"}))
        .user("m3", "Cher", json!({"Employer": "Acme, Inc."}))
        .lead("l1", "Lead Person", json!({"Employer": "Acme, Inc."}))
        .build()
}

#[tokio::test]
async fn writes_one_row_per_member_with_rfc4180_quoting() {
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let dest = destination().await;
    let response = engagement_export::handle(&context(&sim), &dest, json!({"asOf": AS_OF}))
        .await
        .expect("export");

    assert_eq!(response.bucket, dest.target.bucket);
    assert_eq!(
        response.key,
        "exports/engagement/dt=2026-03-10/engagement_report_20260310T160000Z.csv"
    );
    assert_eq!(response.rows, 3, "leads are left out");
    let (content_type, rows) = read_csv(&dest, &response.key).await;
    assert_eq!(content_type, "text/csv; charset=utf-8");
    assert_eq!(rows[0], HEADER);
    assert_eq!(
        rows[1],
        [
            "EMP-m1",
            "María",
            "Cruz",
            "1980-02-29",
            "Acme, Inc.",
            "2026-03-01",
            "Engaged",
            "2026-03-09",
            "Smart Access",
            "RC-1"
        ]
    );
    assert_eq!(rows[2][1..3], ["Bud".to_string(), "O'Brien".to_string()]);
    assert_eq!(rows[3][1..3], ["Cher".to_string(), String::new()]);
}

#[tokio::test]
async fn filters_narrow_the_rows_and_an_empty_result_keeps_the_header() {
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let dest = destination().await;
    let ctx = context(&sim);

    let acme = engagement_export::handle(
        &ctx,
        &dest,
        json!({"asOf": AS_OF, "employer": "Acme, Inc.", "key": "acme.csv"}),
    )
    .await
    .unwrap();
    assert_eq!(acme.key, "exports/acme.csv");
    let (_, rows) = read_csv(&dest, &acme.key).await;
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["EMP-m1", "EMP-m3"]);

    let window = engagement_export::handle(
        &ctx,
        &dest,
        json!({"asOf": AS_OF, "lastSessionFrom": "2026-03-01", "lastSessionTo": "2026-03-01", "key": "w.csv"}),
    )
    .await
    .unwrap();
    assert_eq!(
        window.rows, 1,
        "a session at 23:30 New York time is on its local date"
    );

    let none = engagement_export::handle(
        &ctx,
        &dest,
        json!({"asOf": AS_OF, "engagementStatus": "Unengaged", "key": "none.csv"}),
    )
    .await
    .unwrap();
    assert_eq!(none.rows, 0);
    let (_, rows) = read_csv(&dest, &none.key).await;
    assert_eq!(rows, vec![HEADER.map(String::from).to_vec()]);
}

#[tokio::test]
async fn bad_requests_are_refused_before_any_call() {
    let sim = start_sim(workspace(), SimConfig::default()).await;
    let dest = destination().await;
    let ctx = context(&sim);
    for (bad, field) in [
        (json!({"key": "../escape.csv"}), "key"),
        (json!({"key": "/abs.csv"}), "key"),
        (json!({"key": "report.txt"}), "key"),
        (json!({"perPage": 151}), "perPage"),
        (
            json!({"enrolledDateFrom": "2026-13-01"}),
            "enrolledDateFrom",
        ),
        (json!({"engagementStatus": "Happy"}), "engagementStatus"),
        (json!({"outputPath": "/tmp/x.csv"}), "outputPath"),
    ] {
        let error = engagement_export::handle(&ctx, &dest, bad.clone())
            .await
            .expect_err("refused");
        assert!(error.to_string().contains(field), "{bad}: {error}");
    }
    assert_eq!(requests(&sim), 0);
}

/// Exports `workspace` (25 contacts per page) and checks the CSV holds each member exactly once:
/// rows and scanned equal the members (users, not merged), and the CSV's ids, in row order, are
/// the members' user ids sorted.
async fn exports_every_member_once(workspace: intercom_sim::Workspace) {
    let mut users: Vec<String> = workspace
        .contacts
        .iter()
        .filter(|c| c["role"] == "user" && c["merged"] != json!(true))
        .map(|c| c["external_id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let sim = start_sim(workspace, SimConfig::default()).await;
    let dest = destination().await;
    let response =
        engagement_export::handle(&context(&sim), &dest, json!({"asOf": AS_OF, "perPage": 25}))
            .await
            .expect("export");
    assert_eq!(
        (response.rows, response.scanned),
        (users.len(), users.len())
    );
    let (_, rows) = read_csv(&dest, &response.key).await;
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    users.sort();
    assert_eq!(
        ids, users,
        "each member once (rows are sorted by employee_id)"
    );
}

/// A generated workspace whose members were created over about two years: the export reads it in
/// several `created_at` windows at once (the crowded ones cut after their first page), and still
/// writes every member exactly once — the same rows as the members in the simulator's store.
#[tokio::test]
async fn a_workspace_read_in_created_at_windows_exports_every_member_once() {
    let workspace = intercom_sim::generate(600, 3, d("2026-03-10"));
    let created: Vec<i64> = workspace
        .contacts
        .iter()
        .filter_map(|c| c["created_at"].as_i64())
        .collect();
    let span_days = (created.iter().max().unwrap() - created.iter().min().unwrap()) / 86_400;
    assert!(
        span_days > 240,
        "{span_days} days: too short for several windows"
    );
    exports_every_member_once(workspace).await;
}

/// Four in five members created within 60 days, in groups of ten sharing the same second: the
/// windows over that period hold many times a cursor's share, so they are cut after their first
/// page, and page ends fall inside groups of equal `created_at`. Every member is still written
/// exactly once, and no contact is counted twice.
#[tokio::test]
async fn a_crowded_period_is_cut_into_windows_and_ties_at_a_cut_lose_no_member() {
    let mut workspace = intercom_sim::generate(600, 5, d("2026-03-10"));
    let crowded_from = utc_midnight(d("2025-11-01"));
    for (i, contact) in workspace.contacts.iter_mut().enumerate() {
        if i % 5 != 0 {
            contact["created_at"] = json!(crowded_from + (i as i64 / 10) * 86_400);
        }
    }
    exports_every_member_once(workspace).await;
}
