//! The report functions end to end: API Gateway v2 events in, the simulator behind, responses
//! checked against hand-computed numbers and against docs/openapi.yaml.

use std::io::Read;
use std::time::Duration;

use chrono::NaiveDate;
use e2e_tests::fixtures::{d, ny, utc_midnight, Conv, Fixture};
use e2e_tests::{body_bytes, body_json, context, header, http_request, requests, start_sim};
use intercom_sim::{RunningSim, SimConfig, Workspace};
use serde_json::{json, Value};
use shared::api::openapi_check::conforms;
use shared::coaching::api::routes::Route;
use shared::coaching::handlers::reports;

const AS_OF: &str = "2026-03-10T16:00:00Z"; // 12:00 in New York, two days after the DST change
const DEADLINE: Duration = Duration::from_secs(60);

fn ago(n: i64) -> NaiveDate {
    d("2026-03-10") - chrono::Duration::days(n)
}

fn employer(name: &str) -> Value {
    json!({"Employer": name})
}

/// Members whose last sessions sit exactly on the caseload bucket edges, every channel, two coaches.
fn caseload_workspace() -> Workspace {
    let at = |n: i64| ny(ago(n), 10, 0);
    let call = |id, member, channel, admin, n| {
        let mut c = Conv::closed(id, &[member], channel, "Health Coaching 001", at(n));
        c.admin = Some(admin);
        c
    };
    let mut dst_a = Conv::closed(
        "9",
        &["dst"],
        "Phone",
        "Health Coaching 001",
        ny(d("2026-03-08"), 1, 30),
    );
    dst_a.admin = Some("7100001");
    let mut dst_b = Conv::closed(
        "10",
        &["dst2"],
        "Phone",
        "Health Coaching 001",
        ny(d("2026-03-08"), 3, 30),
    );
    dst_b.admin = Some("7100001");
    Fixture::new()
        .user("m7", "Ana Seven", employer("Acme"))
        .user("m8", "Ben Eight", employer("Acme"))
        .user("m28", "Cy Twentyeight", employer("Globex"))
        .user("m29", "Di Twentynine", employer("Globex"))
        .user("m56", "Ed Fiftysix", employer("Acme"))
        .user("m57", "Fa Fiftyseven", employer("Acme"))
        .user("dst", "Gi Dst", employer("Acme"))
        .user("dst2", "Ho Dst", employer("Acme"))
        .conversation(call("1", "m7", "Phone", "7100001", 7))
        .conversation(call("2", "m8", "Email", "7100002", 8))
        .conversation(call("3", "m28", "Chat", "7100001", 28))
        .conversation(call("4", "m28", "Phone", "7100002", 40))
        .conversation(call("5", "m29", "Video Conference", "7100002", 29))
        .conversation(call("6", "m56", "Phone", "7100001", 56))
        .conversation(call("7", "m57", "Phone", "7100001", 57))
        .conversation(dst_a)
        .conversation(dst_b)
        // Not sessions: an open phone call, and a closed call with no channel.
        .conversation(Conv::not_closed("11", &["m7"], "Phone", "open", at(1)))
        .build()
}

async fn get(
    sim: &RunningSim,
    route: Route,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
) -> lambda_http::Response<lambda_http::Body> {
    let request = http_request("GET", path, query, headers, None);
    reports::handle(&context(sim), route, DEADLINE, request).await
}

async fn get_json(sim: &RunningSim, route: Route, path: &str, query: &str) -> Value {
    let response = get(sim, route, path, query, &[]).await;
    let body = body_json(&response);
    assert_eq!(response.status(), 200, "{body}");
    body
}

fn member_ids(body: &Value) -> Vec<String> {
    let mut ids: Vec<String> = body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["memberId"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

const CASELOAD: &str = "/API/intercom/caseload";

#[tokio::test]
async fn caseload_buckets_members_at_the_edges_and_filters_leave_the_summary_alone() {
    let sim = start_sim(caseload_workspace(), SimConfig::default()).await;
    let q = format!("lookbackDays=60&asOf={AS_OF}");
    let body = get_json(&sim, Route::Caseload, CASELOAD, &q).await;
    conforms("#/components/schemas/CaseloadResponse", &body).unwrap();
    assert_eq!(
        body["summary"]["bucket_1"], 3,
        "7 days and the two DST-day sessions: {}",
        body["summary"]
    );
    assert_eq!(body["summary"]["bucket_2"], 2, "8 and 28 days");
    assert_eq!(body["summary"]["bucket_3"], 2, "29 and 56 days");
    assert_eq!(body["summary"]["bucket_4"], 1, "57 days");
    let buckets = |b: &Value| {
        ["bucket_1", "bucket_2", "bucket_3", "bucket_4"].map(|k| b[k].as_u64().unwrap())
    };
    assert_eq!(
        buckets(&body["filteredSummary"]),
        buckets(&body["summary"]),
        "no filters: the same"
    );
    let by_id = |id: &str| {
        body["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["memberId"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_id("m7")["bucket"], "bucket_1");
    assert_eq!(by_id("m8")["bucket"], "bucket_2");
    assert_eq!(by_id("m29")["bucket"], "bucket_3");
    assert_eq!(by_id("m57")["bucket"], "bucket_4");
    assert_eq!(
        by_id("dst")["daysSinceLastSession"],
        2,
        "01:30 EST on the DST day is on its local date"
    );
    let m28 = by_id("m28");
    assert_eq!(m28["channelCombination"], "Phone + Chat");
    assert_eq!(m28["sessionCount"], 2);
    assert_eq!(m28["daysSinceLastSession"], 28);
    assert_eq!(m28["coaches"].as_array().unwrap().len(), 2);
    assert_eq!(body["meta"]["lookbackDays"], 60);
    assert_eq!(body["meta"]["lookbackCapped"], false);
    assert_eq!(body["meta"]["timeZone"], "America/New_York");
    assert!(body["meta"]["apiCalls"].as_u64().unwrap() > 0);

    let coach = get_json(
        &sim,
        Route::Caseload,
        CASELOAD,
        &format!("{q}&coachId=7100002"),
    )
    .await;
    assert_eq!(
        coach["summary"]["bucket_1"], 3,
        "summary buckets are unfiltered"
    );
    assert_eq!(member_ids(&coach), ["m28", "m29", "m8"]);
    let m28 = coach["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["memberId"] == "m28")
        .unwrap();
    assert_eq!(
        m28["daysSinceLastSession"], 40,
        "only the coach's own sessions count"
    );
    assert_eq!(m28["bucket"], "bucket_3");
    assert_eq!(
        buckets(&coach["filteredSummary"]),
        [0, 1, 2, 0],
        "m8 at 8 days, m28 at 40 and m29 at 29: the coach's own view"
    );

    let video = get_json(
        &sim,
        Route::Caseload,
        CASELOAD,
        &format!("{q}&channel=Video"),
    )
    .await;
    assert_eq!(member_ids(&video), ["m29"]);
    assert_eq!(video["meta"]["filters"]["channel"], "Video Conference");

    let globex = get_json(
        &sim,
        Route::Caseload,
        CASELOAD,
        &format!("{q}&employer=Globex"),
    )
    .await;
    assert_eq!(member_ids(&globex), ["m28", "m29"]);
    assert_eq!(globex["summary"]["bucket_4"], 1, "still unfiltered");
    assert_eq!(buckets(&globex["filteredSummary"]), [0, 1, 1, 0]);
}

#[tokio::test]
async fn caseload_pages_with_a_cursor_and_speaks_csv_and_gzip() {
    let sim = start_sim(caseload_workspace(), SimConfig::default()).await;
    let q = format!("lookbackDays=60&asOf={AS_OF}");
    let all = member_ids(&get_json(&sim, Route::Caseload, CASELOAD, &q).await);

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("lookbackDays=60&limit=3&cursor={c}"),
            None => format!("{q}&limit=3"),
        };
        let page = get_json(&sim, Route::Caseload, CASELOAD, &query).await;
        assert!(page["members"].as_array().unwrap().len() <= 3);
        assert_eq!(page["page"]["total"], all.len());
        seen.extend(member_ids(&page));
        match page["page"]["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(seen, all, "pages cover every member exactly once");

    let csv = get(
        &sim,
        Route::Caseload,
        CASELOAD,
        &format!("{q}&format=csv"),
        &[],
    )
    .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(
        header(&csv, "content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let text = String::from_utf8(body_bytes(&csv)).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "memberId");
    assert_eq!(reader.records().count(), all.len());

    let accept = get(
        &sim,
        Route::Caseload,
        CASELOAD,
        &q,
        &[("Accept", "text/csv")],
    )
    .await;
    assert_eq!(
        header(&accept, "content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );

    let gz = get(
        &sim,
        Route::Caseload,
        CASELOAD,
        &q,
        &[("Accept-Encoding", "gzip, br")],
    )
    .await;
    assert_eq!(header(&gz, "content-encoding").as_deref(), Some("gzip"));
    let mut json = String::new();
    flate2::read::GzDecoder::new(&body_bytes(&gz)[..])
        .read_to_string(&mut json)
        .unwrap();
    let unzipped: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(member_ids(&unzipped), all);
}

#[tokio::test]
async fn bad_requests_get_problem_details_before_any_intercom_call() {
    let sim = start_sim(caseload_workspace(), SimConfig::default()).await;
    let bad = get(
        &sim,
        Route::Caseload,
        CASELOAD,
        "lookbackDays=0&channel=Fax&color=blue&asOf=yesterday",
        &[],
    )
    .await;
    assert_eq!(bad.status(), 400);
    assert_eq!(
        header(&bad, "content-type").as_deref(),
        Some("application/problem+json")
    );
    let problem = body_json(&bad);
    conforms("#/components/schemas/Problem", &problem).unwrap();
    let names: Vec<&str> = problem["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in ["lookbackDays", "channel", "color", "asOf"] {
        assert!(names.contains(&name), "{name} missing from {problem}");
    }
    let billing = get(
        &sim,
        Route::Billing,
        "/API/intercom/billing",
        "lookbackDays=30",
        &[],
    )
    .await;
    assert_eq!(billing.status(), 400);
    let names = body_json(&billing)["invalidParams"].to_string();
    assert!(
        names.contains("month") && names.contains("lookbackDays"),
        "{names}"
    );
    let sessions = get(
        &sim,
        Route::Sessions,
        "/API/intercom/sessions",
        "from=2026-03-05",
        &[],
    )
    .await;
    assert_eq!(sessions.status(), 400, "from without to");

    let not_found = get(&sim, Route::Caseload, "/API/intercom/nope", "", &[]).await;
    assert_eq!(not_found.status(), 404);
    let other = get(
        &sim,
        Route::Caseload,
        "/API/intercom/billing",
        "month=2026-02",
        &[],
    )
    .await;
    assert_eq!(other.status(), 404, "a function answers only its own route");
    let delete = reports::handle(
        &context(&sim),
        Route::Caseload,
        DEADLINE,
        http_request("DELETE", CASELOAD, "", &[], None),
    )
    .await;
    assert_eq!(delete.status(), 405);
    assert!(header(&delete, "allow").unwrap().contains("GET"));
    assert_eq!(requests(&sim), 0, "nothing reached Intercom");
}

#[tokio::test]
async fn post_bodies_work_like_query_strings_and_the_lookback_is_capped() {
    let sim = start_sim(caseload_workspace(), SimConfig::default()).await;
    let body = json!({"lookbackDays": 500, "asOf": AS_OF, "employer": "Globex"}).to_string();
    let request = http_request(
        "POST",
        CASELOAD,
        "",
        &[("Content-Type", "application/json")],
        Some(&body),
    );
    let response = reports::handle(&context(&sim), Route::Caseload, DEADLINE, request).await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{json}");
    assert_eq!(json["meta"]["lookbackDays"], 365);
    assert_eq!(json["meta"]["requestedLookbackDays"], 500);
    assert_eq!(json["meta"]["lookbackCapped"], true);
    assert_eq!(member_ids(&json), ["m28", "m29"]);
}

#[tokio::test]
async fn sessions_counts_by_age_and_by_a_custom_range_across_the_dst_change() {
    let sim = start_sim(caseload_workspace(), SimConfig::default()).await;
    let body = get_json(
        &sim,
        Route::Sessions,
        "/API/intercom/sessions",
        &format!("asOf={AS_OF}&from=2026-03-08&to=2026-03-08"),
    )
    .await;
    conforms("#/components/schemas/SessionsResponse", &body).unwrap();
    let s = &body["summary"];
    assert_eq!(s["days_0_to_7"], 3, "{s}");
    assert_eq!(s["days_8_to_28"], 2, "{s}");
    assert_eq!(s["days_29_to_56"], 3, "{s}");
    assert_eq!(s["custom"], 2, "both sessions of the DST day: {s}");
    assert_eq!(s["inLookback"], 6, "{s}");
    assert_eq!(body["sessions"].as_array().unwrap().len(), 6);

    let phone = get_json(
        &sim,
        Route::Sessions,
        "/API/intercom/sessions",
        &format!("asOf={AS_OF}&channel=Phone"),
    )
    .await;
    assert!(phone["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["channel"] == "Phone"));
}

#[tokio::test]
async fn new_participants_read_enrolled_dates_as_utc_calendar_dates() {
    let enrolled = |n: i64| json!({"Enrolled Date": utc_midnight(ago(n)), "Employer": "Acme"});
    let mut call = Conv::closed(
        "1",
        &["n40"],
        "Phone",
        "Health Coaching 001",
        ny(ago(20), 10, 0),
    );
    call.admin = Some("7100002");
    // n22's only call came three days before enrolment: it does not count.
    let mut before = Conv::closed(
        "2",
        &["n22"],
        "Phone",
        "Health Coaching 001",
        ny(ago(25), 10, 0),
    );
    before.admin = Some("7100002");
    let workspace = Fixture::new()
        .user("n10", "A", enrolled(10))
        .user("n14", "B", enrolled(14))
        .user("n22", "C", enrolled(22))
        .user("n29", "D", enrolled(29))
        .user("n40", "E", enrolled(40))
        .user("n90", "F", enrolled(90))
        .user("future", "G", enrolled(-2))
        .conversation(call)
        .conversation(before)
        .build();
    let sim = start_sim(workspace, SimConfig::default()).await;
    let body = get_json(
        &sim,
        Route::NewParticipants,
        "/API/intercom/new-participants",
        &format!("asOf={AS_OF}&lookbackDays=45"),
    )
    .await;
    conforms("#/components/schemas/NewParticipantsResponse", &body).unwrap();
    let rows = body["participants"].as_array().unwrap();
    let row = |id: &str| {
        rows.iter()
            .find(|r| r["memberId"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert_eq!(
        row("n14")["daysWithoutSession"],
        14,
        "midnight UTC is that date, not the day before"
    );
    assert_eq!(row("n14")["bucket"], "gt_14_to_21");
    assert_eq!(row("n10")["bucket"], Value::Null);
    assert_eq!(row("n22")["bucket"], "gt_21_to_28");
    assert_eq!(
        (
            &row("n22")["daysWithoutSession"],
            &row("n22")["lastSessionAt"]
        ),
        (&json!(22), &Value::Null),
        "a call before enrolment does not count"
    );
    assert_eq!(
        row("n22")["coachId"],
        "7100001",
        "so the owner is the coach"
    );
    assert_eq!(row("n29")["bucket"], "gt_28");
    assert_eq!(
        row("n40")["daysWithoutSession"],
        20,
        "from the last coaching session"
    );
    assert_eq!(row("n40")["coachId"], "7100002");
    assert_eq!(row("n90"), Value::Null, "outside the lookback");
    assert_eq!(row("future"), Value::Null, "enrolled after as-of");
}

#[tokio::test]
async fn billing_uses_local_month_edges_and_utc_enrolment_dates() {
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp();
    let call = |id, member, channel, when: &str| {
        let mut c = Conv::closed(id, &[member], channel, "Health Coaching 001", at(when));
        c.admin = Some("7100002");
        c
    };
    let workspace = Fixture::new()
        .user("b1", "Ann B", employer("Acme"))
        .user("b2", "Bob B", employer("Acme"))
        .user("b3", "Cat B", employer("Acme"))
        .user("b4", "Dan B", employer("Acme"))
        .user(
            "b5",
            "Eve B",
            json!({"Employer": "Acme", "Enrolled Date": utc_midnight(d("2026-02-01"))}),
        )
        .user(
            "b6",
            "Fay B",
            json!({"Employer": "Acme", "Enrolled Date": utc_midnight(d("2026-03-01"))}),
        )
        .user("b7", "Gus B", employer("Acme"))
        .user("b8", "Hal B", employer("Globex"))
        .conversation(call("1", "b1", "Phone", "2026-03-01T02:00:00Z")) // Feb 28 21:00 New York
        .conversation(call("2", "b2", "Video Conference", "2026-02-01T03:00:00Z")) // Jan 31 22:00
        .conversation(call("3", "b3", "Phone", "2025-12-07T15:00:00Z")) // Dec 7: first engaged day
        .conversation(call("4", "b4", "Phone", "2025-12-07T04:00:00Z")) // Dec 6 23:00: too early
        .conversation(call("5", "b7", "Email", "2026-02-10T15:00:00Z")) // not a billing call
        .conversation(call("6", "b8", "Phone", "2026-03-01T06:00:00Z")) // Mar 1 01:00: March
        .build();
    let sim = start_sim(workspace, SimConfig::default()).await;
    let body = get_json(
        &sim,
        Route::Billing,
        "/API/intercom/billing",
        &format!("asOf={AS_OF}&month=2026-02"),
    )
    .await;
    conforms("#/components/schemas/BillingResponse", &body).unwrap();
    let rows = body["rows"].as_array().unwrap();
    let mut ids: Vec<&str> = rows
        .iter()
        .map(|r| r["memberId"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["b1", "b2", "b3", "b5"], "{body}");
    let row = |id: &str| rows.iter().find(|r| r["memberId"] == id).unwrap();
    assert_eq!(row("b1")["lastSessionAt"], "2026-03-01T02:00:00Z");
    assert_eq!(row("b1")["engagedDuringMonth"], true);
    assert_eq!(
        (&row("b1")["coachId"], &row("b1")["coachName"]),
        (&json!("7100002"), &json!("Ben Coach")),
        "the assignee of the call that gives lastSessionAt"
    );
    assert_eq!(row("b5")["coachId"], Value::Null, "no call, no coach");
    assert_eq!(row("b5")["isNewParticipant"], true);
    assert_eq!(row("b5")["engagedDuringMonth"], false);
    assert_eq!(row("b5")["lastSessionAt"], Value::Null);

    let globex = get_json(
        &sim,
        Route::Billing,
        "/API/intercom/billing",
        &format!("asOf={AS_OF}&month=2026-02&employer=Globex"),
    )
    .await;
    assert_eq!(globex["rows"].as_array().unwrap().len(), 0);
}

/// A user and a lead, each enrolled in February, share one call; the lead also has one alone.
fn leads_workspace() -> Workspace {
    let enrolled = json!({"Employer": "Acme", "Enrolled Date": utc_midnight(d("2026-02-20"))});
    let mut shared = Conv::closed(
        "1",
        &["lead1", "user1"],
        "Phone",
        "Health Coaching 001",
        ny(ago(5), 10, 0),
    );
    shared.admin = Some("7100001");
    let mut alone = Conv::closed(
        "2",
        &["lead1"],
        "Phone",
        "Health Coaching 001",
        ny(ago(2), 10, 0),
    );
    alone.admin = Some("7100002");
    Fixture::new()
        .user("user1", "Uma User", enrolled.clone())
        .lead("lead1", "Lee Lead", enrolled)
        .conversation(shared)
        .conversation(alone)
        .build()
}

#[tokio::test]
async fn leads_never_appear_in_any_report() {
    let sim = start_sim(leads_workspace(), SimConfig::default()).await;
    let q = format!("asOf={AS_OF}");
    let caseload = get_json(&sim, Route::Caseload, CASELOAD, &q).await;
    conforms("#/components/schemas/CaseloadResponse", &caseload).unwrap();
    assert_eq!(member_ids(&caseload), ["user1"]);
    assert_eq!(caseload["members"][0]["daysSinceLastSession"], 5);
    assert_eq!(caseload["summary"]["bucket_1"], 1, "{caseload}");
    assert_eq!(caseload["sessions"][0]["memberIds"], json!(["user1"]));

    let sessions = get_json(&sim, Route::Sessions, "/API/intercom/sessions", &q).await;
    conforms("#/components/schemas/SessionsResponse", &sessions).unwrap();
    assert_eq!(sessions["summary"]["days_0_to_7"], 1, "{sessions}");
    assert_eq!(sessions["sessions"][0]["conversationId"], "1");
    assert_eq!(sessions["sessions"][0]["memberIds"], json!(["user1"]));

    let participants = get_json(
        &sim,
        Route::NewParticipants,
        "/API/intercom/new-participants",
        &q,
    )
    .await;
    let ids: Vec<&Value> = participants["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["memberId"])
        .collect();
    assert_eq!(ids, [&json!("user1")], "{participants}");

    let billing = get_json(
        &sim,
        Route::Billing,
        "/API/intercom/billing",
        &format!("{q}&month=2026-02"),
    )
    .await;
    let rows = billing["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{billing}");
    assert_eq!(rows[0]["memberId"], "user1");
}

#[tokio::test]
async fn a_report_that_cannot_finish_in_time_answers_504_with_a_problem() {
    let sim = start_sim(
        caseload_workspace(),
        SimConfig {
            latency: Duration::from_millis(300),
            ..SimConfig::default()
        },
    )
    .await;
    let request = http_request("GET", CASELOAD, &format!("asOf={AS_OF}"), &[], None);
    let response = reports::handle(
        &context(&sim),
        Route::Caseload,
        Duration::from_millis(100),
        request,
    )
    .await;
    assert_eq!(response.status(), 504);
    let problem = body_json(&response);
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("report-timeout"),
        "{problem}"
    );
}

#[tokio::test]
async fn the_engagement_export_answers_on_demand() {
    use shared::coaching::handlers::engagement_export::{handle_event, ExportDestination};
    let sim = start_sim(caseload_workspace(), SimConfig::default()).await;
    let sdk = e2e_tests::moto_sdk().await;
    let s3 = shared::aws::s3::s3_client(&sdk);
    let bucket = e2e_tests::unique("ondemand");
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let destination = ExportDestination {
        s3,
        target: shared::aws::s3::ExportTarget {
            bucket: bucket.clone(),
            prefix: String::new(),
        },
    };
    let ctx = context(&sim);
    let path = "/API/intercom/report/engagement";
    let ok_body = json!({"asOf": AS_OF, "key": "ondemand.csv", "employer": "Globex"}).to_string();
    let event = e2e_tests::http_event(
        "POST",
        path,
        "",
        &[("Content-Type", "application/json")],
        Some(&ok_body),
    );
    let event_again = event.clone();
    let answer = handle_event(&ctx, &destination, event).await.unwrap();
    assert_eq!(answer["statusCode"], 200, "{answer}");
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["bucket"], bucket.as_str());
    assert_eq!(body["key"], "on-demand/ondemand.csv", "its own folder");
    assert_eq!(body["rows"], 2);

    // The same key again: the object is kept (conditional put), 409 names the key.
    let again = handle_event(&ctx, &destination, event_again).await.unwrap();
    assert_eq!(again["statusCode"], 409, "{again}");
    assert!(
        again["body"]
            .as_str()
            .unwrap()
            .contains("on-demand/ondemand.csv"),
        "{again}"
    );
    // The scheduled export replaces its own object and never lands in on-demand/.
    for _ in 0..2 {
        let nightly = handle_event(
            &ctx,
            &destination,
            json!({"asOf": AS_OF, "key": "ondemand.csv"}),
        )
        .await
        .unwrap();
        assert_eq!(nightly["key"], "ondemand.csv", "{nightly}");
    }
    let listed = destination
        .s3
        .list_objects_v2()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let mut keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    keys.sort();
    assert_eq!(keys, ["on-demand/ondemand.csv", "ondemand.csv"]);

    let bad_body = json!({"key": "../x.csv"}).to_string();
    let bad = handle_event(
        &ctx,
        &destination,
        e2e_tests::http_event("POST", path, "", &[], Some(&bad_body)),
    )
    .await
    .unwrap();
    assert_eq!(bad["statusCode"], 400);
    assert!(bad["body"].as_str().unwrap().contains("\"key\""), "{bad}");
    let get = handle_event(
        &ctx,
        &destination,
        e2e_tests::http_event("GET", path, "", &[], None),
    )
    .await
    .unwrap();
    assert_eq!(get["statusCode"], 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_twenty_thousand_member_page_stays_under_the_response_cap() {
    let workspace = intercom_sim::generate(20_000, 42, d("2026-03-10"));
    let sim = start_sim(workspace, SimConfig::default()).await;
    for (route, path) in [
        (Route::Caseload, CASELOAD),
        (Route::Sessions, "/API/intercom/sessions"),
    ] {
        // What is checked here is the response cap, not speed (benchmarks measure that): a
        // deadline no busy machine reaches.
        let request = http_request(
            "GET",
            path,
            &format!("asOf={AS_OF}&lookbackDays=365&limit=5000"),
            &[],
            None,
        );
        let response = reports::handle(
            &context(&sim),
            route,
            std::time::Duration::from_secs(900),
            request,
        )
        .await;
        assert_eq!(
            response.status(),
            200,
            "{}",
            String::from_utf8_lossy(&body_bytes(&response))
        );
        let size = body_bytes(&response).len();
        assert!(size < 6 * 1024 * 1024, "{path}: {size} bytes");
        let body: Value = serde_json::from_slice(&body_bytes(&response)).unwrap();
        assert!(
            body["page"]["total"].as_u64().unwrap() > 5000,
            "the listing really is large"
        );
        assert!(body["page"]["nextCursor"].is_string());
    }
}
