//! `service-performance-report` end to end: the hand-built workspace of `super::sync` loaded
//! by `service-sync` into a fresh database, then every route through the handler with API
//! Gateway v2 requests; figures hand-computed (the dashboard figures asserted in `super::sync`),
//! CSV, problems, and conformance to docs/openapi.yaml.

use std::time::Duration;

use chrono::{Days, Utc};
use e2e_tests::postgres::{fresh_database, TestDatabase};
use e2e_tests::{body_bytes, body_json, header, http_request, start_sim};
use intercom_sim::SimConfig;
use serde_json::{json, Value};
use shared::api::openapi_check::conforms;
use shared::service::config::Config;
use shared::service::handlers::{report, sync, ServiceContext};
use shared::store::query::query;
use shared::store::DatabaseUrl;

use super::support::service_context;
use super::sync::{workspace, AS_OF};

const DEADLINE: Duration = Duration::from_secs(60);
/// Both local dates of the workspace: 9 March (A, B) and 10 March (C).
const BOTH_DAYS: &str = "from=2026-03-09&to=2026-03-10";
/// A third of the three conversations, as the nearest double (the SQL's exact numeric, read as
/// float8).
const THIRD: f64 = 100.0 / 3.0;

/// A fresh database holding what a full `service-sync` of the workspace wrote, and the context
/// the report function would build on it.
async fn loaded() -> (TestDatabase, ServiceContext) {
    let db = fresh_database().await;
    let sim = start_sim(workspace(None), SimConfig::default()).await;
    let ctx = service_context(&sim, &db);
    let summary = sync::handle(
        &ctx,
        json!({"mode": "full", "lookbackDays": 30, "asOf": AS_OF}),
    )
    .await
    .expect("service-sync");
    assert_eq!(summary.upserted, 3);
    (db, ctx)
}

async fn call(
    ctx: &ServiceContext,
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> lambda_http::Response<lambda_http::Body> {
    let request = http_request(method, path, query, headers, body);
    report::handle(ctx, DEADLINE, request).await
}

/// A GET answered 200 with JSON that conforms to `schema` (a component of docs/openapi.yaml).
async fn get_json(ctx: &ServiceContext, path: &str, query: &str, schema: &str) -> Value {
    let response = call(ctx, "GET", path, query, &[], None).await;
    let body = body_json(&response);
    assert_eq!(response.status(), 200, "{path}?{query}: {body}");
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(
        header(&response, "cache-control").as_deref(),
        Some("no-store")
    );
    conforms(&format!("#/components/schemas/{schema}"), &body)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    body
}

/// `meta` without `generatedAt` (checked to be a recent RFC 3339 instant).
fn meta(body: &Value) -> Value {
    let mut meta = body["meta"].clone();
    let generated = meta.as_object_mut().unwrap().remove("generatedAt").unwrap();
    let at = chrono::DateTime::parse_from_rfc3339(generated.as_str().unwrap()).unwrap();
    assert!((Utc::now() - at.with_timezone(&Utc)).num_seconds().abs() < 120);
    meta
}

fn range_meta(report: &str, from: &str, to: &str, filters: Value) -> Value {
    json!({"report": report, "from": from, "to": to, "timeZone": "America/New_York",
           "filters": filters})
}

fn teammate(id: &str, name: &str, rank: i64, metric_value: f64) -> Value {
    let (frt, art, aht, wait, csat, score) = if id == "10" {
        (45, 98, 600, 10, 5.0, 100.0)
    } else {
        (200, 200, 300, 30, 2.0, 0.0)
    };
    json!({"rank": rank, "assigneeId": id, "assigneeName": name, "conversationCount": 1,
           "avgFrtSeconds": frt, "avgArtSeconds": art, "avgAhtSeconds": aht,
           "avgWaitTimeSeconds": wait, "avgCsat": csat, "csatScore": score, "ratedCount": 1,
           "metricValue": metric_value})
}

#[tokio::test]
async fn every_route_answers_the_hand_computed_figures_and_conforms_to_the_spec() {
    let (db, ctx) = loaded().await;

    // Exact over the three conversations: FRT 45 and 200 → mean and median 122.5 → 123, p90
    // 184.5 → 185; ART 98 and 200 → 149; AHT 600 and 300 → 450; wait 10 and 30 → 20.
    let summary = get_json(
        &ctx,
        "/API/service/summary",
        BOTH_DAYS,
        "ServiceSummaryResponse",
    )
    .await;
    assert_eq!(
        meta(&summary),
        range_meta("summary", "2026-03-09", "2026-03-10", json!({}))
    );
    assert_eq!(
        summary["summary"],
        json!({"totalConversations": 3, "newConversations": 2, "reopenedConversations": 1,
               "avgFrtSeconds": 123, "medianFrtSeconds": 123, "p90FrtSeconds": 185,
               "avgArtSeconds": 149, "medianArtSeconds": 149, "avgAhtSeconds": 450,
               "medianAhtSeconds": 450, "avgWaitTimeSeconds": 20, "medianWaitTimeSeconds": 20,
               "frtHitRate": 50.0, "artHitRate": 50.0, "avgCsat": 3.5, "csatScore": 50.0,
               "ratedCount": 2})
    );
    assert_eq!(
        summary.as_object().unwrap().len(),
        2,
        "meta and summary only"
    );

    let trend = get_json(
        &ctx,
        "/API/service/daily-trend",
        "from=2026-03-08&to=2026-03-10",
        "ServiceDailyTrendResponse",
    )
    .await;
    assert_eq!(
        trend["summary"],
        json!({"days": 3, "totalConversations": 3})
    );
    assert_eq!(
        trend["days"],
        json!([
            {"date": "2026-03-08", "totalConversations": 0, "newConversations": 0,
             "reopenedConversations": 0, "avgFrtSeconds": null, "medianFrtSeconds": null,
             "p90FrtSeconds": null, "avgArtSeconds": null, "medianArtSeconds": null,
             "avgAhtSeconds": null, "medianAhtSeconds": null, "avgWaitTimeSeconds": null,
             "medianWaitTimeSeconds": null, "frtHitRate": null, "artHitRate": null,
             "avgCsat": null, "csatScore": null, "ratedCount": 0},
            {"date": "2026-03-09", "totalConversations": 2, "newConversations": 1,
             "reopenedConversations": 1, "avgFrtSeconds": 45, "medianFrtSeconds": 45,
             "p90FrtSeconds": 45, "avgArtSeconds": 98, "medianArtSeconds": 98,
             "avgAhtSeconds": 600, "medianAhtSeconds": 600, "avgWaitTimeSeconds": 10,
             "medianWaitTimeSeconds": 10, "frtHitRate": 100.0, "artHitRate": 100.0,
             "avgCsat": 5.0, "csatScore": 100.0, "ratedCount": 1},
            {"date": "2026-03-10", "totalConversations": 1, "newConversations": 1,
             "reopenedConversations": 0, "avgFrtSeconds": 200, "medianFrtSeconds": 200,
             "p90FrtSeconds": 200, "avgArtSeconds": 200, "medianArtSeconds": 200,
             "avgAhtSeconds": 300, "medianAhtSeconds": 300, "avgWaitTimeSeconds": 30,
             "medianWaitTimeSeconds": 30, "frtHitRate": 0.0, "artHitRate": 0.0,
             "avgCsat": 2.0, "csatScore": 0.0, "ratedCount": 1},
        ])
    );

    // Default metric: conversation count, a tie broken by assignee id. B is unassigned.
    let leaders = get_json(
        &ctx,
        "/API/service/teammates",
        BOTH_DAYS,
        "ServiceTeammatesResponse",
    )
    .await;
    assert_eq!(
        meta(&leaders),
        range_meta(
            "teammates",
            "2026-03-09",
            "2026-03-10",
            json!({"metric": "conversation_count", "limit": 10})
        )
    );
    assert_eq!(leaders["summary"], json!({"teammates": 2}));
    assert_eq!(
        leaders["teammates"],
        json!([
            teammate("10", "Ann Agent", 1, 1.0),
            teammate("11", "Bob Agent", 2, 1.0)
        ])
    );
    // Durations rank lowest first, CSAT highest first (the exact mean).
    for (query, first, second) in [
        (
            "metric=frt",
            teammate("10", "Ann Agent", 1, 45.0),
            teammate("11", "Bob Agent", 2, 200.0),
        ),
        (
            "metric=aht",
            teammate("11", "Bob Agent", 1, 300.0),
            teammate("10", "Ann Agent", 2, 600.0),
        ),
        (
            "metric=csat",
            teammate("10", "Ann Agent", 1, 5.0),
            teammate("11", "Bob Agent", 2, 2.0),
        ),
    ] {
        let body = get_json(
            &ctx,
            "/API/service/teammates",
            &format!("{BOTH_DAYS}&{query}"),
            "ServiceTeammatesResponse",
        )
        .await;
        assert_eq!(body["teammates"], json!([first, second]), "{query}");
    }
    let top = get_json(
        &ctx,
        "/API/service/teammates",
        &format!("{BOTH_DAYS}&metric=art&limit=1"),
        "ServiceTeammatesResponse",
    )
    .await;
    assert_eq!(
        top["teammates"],
        json!([teammate("10", "Ann Agent", 1, 98.0)])
    );
    assert_eq!(top["meta"]["filters"], json!({"metric": "art", "limit": 1}));

    let sentiment = get_json(
        &ctx,
        "/API/service/sentiment",
        BOTH_DAYS,
        "ServiceSentimentResponse",
    )
    .await;
    assert_eq!(sentiment["summary"], json!({"totalConversations": 3}));
    assert_eq!(
        sentiment["sentiment"],
        json!([
            {"sentiment": "Positive", "conversationCount": 1, "percentage": THIRD},
            {"sentiment": "Neutral", "conversationCount": 0, "percentage": 0.0},
            {"sentiment": "Negative", "conversationCount": 1, "percentage": THIRD},
            {"sentiment": "Unknown", "conversationCount": 1, "percentage": THIRD},
        ])
    );

    // One conversation each: the order of the tie is the database's collation, so compare by name.
    let channels = get_json(
        &ctx,
        "/API/service/channels",
        BOTH_DAYS,
        "ServiceChannelsResponse",
    )
    .await;
    assert_eq!(channels["summary"], json!({"totalConversations": 3}));
    let mut rows = channels["channels"].as_array().unwrap().clone();
    rows.sort_by_key(|r| r["channel"].as_str().unwrap().to_string());
    assert_eq!(
        rows,
        [
            json!({"channel": "Chat", "conversationCount": 1, "percentage": THIRD}),
            json!({"channel": "Phone", "conversationCount": 1, "percentage": THIRD}),
            json!({"channel": "email", "conversationCount": 1, "percentage": THIRD}),
        ]
    );

    // A and B on Monday at 10 and 23 (B unassigned), C on Tuesday at 9; every other cell zero.
    let heatmap = get_json(
        &ctx,
        "/API/service/heatmap",
        BOTH_DAYS,
        "ServiceHeatmapResponse",
    )
    .await;
    assert_eq!(
        heatmap["summary"],
        json!({"totalConversations": 3, "unassignedConversations": 1})
    );
    let cells = heatmap["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 168);
    for (i, cell) in cells.iter().enumerate() {
        let (dow, hour) = (i / 24, i % 24);
        let want = match (dow, hour) {
            (1, 10) | (2, 9) => (1, 0),
            (1, 23) => (1, 1),
            _ => (0, 0),
        };
        assert_eq!(
            cell,
            &json!({"dayOfWeek": dow, "hour": hour, "conversationCount": want.0,
                    "unassignedCount": want.1})
        );
    }

    // Shares are of all the range's conversations, also when the limit cuts the list.
    let countries = get_json(
        &ctx,
        "/API/service/countries",
        BOTH_DAYS,
        "ServiceCountriesResponse",
    )
    .await;
    assert_eq!(countries["meta"]["filters"], json!({"limit": 10}));
    assert_eq!(
        countries["summary"],
        json!({"countries": 3, "listedConversations": 3})
    );
    let germany = json!({"country": "Germany", "conversationCount": 1, "percentage": THIRD,
                         "avgFrtSeconds": null, "avgCsat": null});
    let us = json!({"country": "United States", "conversationCount": 1, "percentage": THIRD,
                    "avgFrtSeconds": 45, "avgCsat": 5.0});
    let unknown = json!({"country": "Unknown", "conversationCount": 1, "percentage": THIRD,
                         "avgFrtSeconds": 200, "avgCsat": 2.0});
    assert_eq!(
        countries["countries"],
        json!([germany.clone(), us.clone(), unknown])
    );
    let two = get_json(
        &ctx,
        "/API/service/countries",
        &format!("{BOTH_DAYS}&limit=2"),
        "ServiceCountriesResponse",
    )
    .await;
    assert_eq!(two["countries"], json!([germany, us]));
    assert_eq!(
        two["summary"],
        json!({"countries": 2, "listedConversations": 2})
    );

    // A day with no conversation: zeros and nulls, never an error.
    let empty = get_json(
        &ctx,
        "/API/service/summary",
        "from=2026-03-11&to=2026-03-11",
        "ServiceSummaryResponse",
    )
    .await;
    assert_eq!(empty["summary"]["totalConversations"], 0);
    assert_eq!(empty["summary"]["avgFrtSeconds"], Value::Null);
    assert_eq!(empty["summary"]["frtHitRate"], Value::Null);
    let no_channels = get_json(
        &ctx,
        "/API/service/channels",
        "from=2026-03-11&to=2026-03-11",
        "ServiceChannelsResponse",
    )
    .await;
    assert_eq!(no_channels["channels"], json!([]));
    let no_sentiment = get_json(
        &ctx,
        "/API/service/sentiment",
        "from=2026-03-11&to=2026-03-11",
        "ServiceSentimentResponse",
    )
    .await;
    assert_eq!(no_sentiment["sentiment"][0]["percentage"], Value::Null);
    db.drop_database().await;
}

#[tokio::test]
async fn csv_has_the_json_fields_as_columns_and_a_file_name_with_the_range() {
    let (db, ctx) = loaded().await;
    let response = call(
        &ctx,
        "GET",
        "/API/service/daily-trend",
        "from=2026-03-08&to=2026-03-10&format=csv",
        &[],
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        header(&response, "content-disposition").as_deref(),
        Some("attachment; filename=\"service-daily-trend-2026-03-08-to-2026-03-10.csv\"")
    );
    assert_eq!(header(&response, "x-total-count").as_deref(), Some("3"));
    assert!(header(&response, "x-next-cursor").is_none());
    let text = String::from_utf8(body_bytes(&response)).unwrap();
    assert_eq!(
        text,
        "date,totalConversations,newConversations,reopenedConversations,avgFrtSeconds,\
         medianFrtSeconds,p90FrtSeconds,avgArtSeconds,medianArtSeconds,avgAhtSeconds,\
         medianAhtSeconds,avgWaitTimeSeconds,medianWaitTimeSeconds,frtHitRate,artHitRate,\
         avgCsat,csatScore,ratedCount\r\n\
         2026-03-08,0,0,0,,,,,,,,,,,,,,0\r\n\
         2026-03-09,2,1,1,45,45,45,98,98,600,600,10,10,100.0,100.0,5.0,100.0,1\r\n\
         2026-03-10,1,1,0,200,200,200,200,200,300,300,30,30,0.0,0.0,2.0,0.0,1\r\n"
    );

    // Accept: text/csv without format; the summary is one row.
    let summary = call(
        &ctx,
        "GET",
        "/API/service/summary",
        BOTH_DAYS,
        &[("Accept", "text/csv")],
        None,
    )
    .await;
    assert_eq!(summary.status(), 200);
    assert_eq!(
        header(&summary, "content-disposition").as_deref(),
        Some("attachment; filename=\"service-summary-2026-03-09-to-2026-03-10.csv\"")
    );
    let text = String::from_utf8(body_bytes(&summary)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("totalConversations,newConversations,"));
    assert_eq!(
        lines[1],
        "3,2,1,123,123,185,149,149,450,450,20,20,50.0,50.0,3.5,50.0,2"
    );
    // format=json wins over Accept.
    let json = call(
        &ctx,
        "GET",
        "/API/service/summary",
        &format!("{BOTH_DAYS}&format=json"),
        &[("Accept", "text/csv")],
        None,
    )
    .await;
    assert_eq!(
        header(&json, "content-type").as_deref(),
        Some("application/json")
    );
    db.drop_database().await;
}

#[tokio::test]
async fn post_bodies_the_default_range_and_the_example_event() {
    let (db, ctx) = loaded().await;
    let body =
        json!({"from": "2026-03-09", "to": "2026-03-10", "metric": "frt", "limit": 1}).to_string();
    let response = call(
        &ctx,
        "POST",
        "/API/service/teammates",
        "",
        &[("Content-Type", "application/json")],
        Some(&body),
    )
    .await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{json}");
    conforms("#/components/schemas/ServiceTeammatesResponse", &json).unwrap();
    assert_eq!(
        json["teammates"],
        json!([teammate("10", "Ann Agent", 1, 45.0)])
    );

    // Without from/to: the 30 local days ending yesterday (March 2026 is long before them).
    let yesterday = || {
        Utc::now()
            .with_timezone(&chrono_tz::America::New_York)
            .date_naive()
            - Days::new(1)
    };
    let before = yesterday();
    let body = get_json(&ctx, "/API/service/summary", "", "ServiceSummaryResponse").await;
    let after = yesterday();
    let to = body["meta"]["to"].as_str().unwrap().to_string();
    assert!(to == before.to_string() || to == after.to_string(), "{to}");
    let to = shared::time::parse_ymd(&to).unwrap();
    assert_eq!(
        body["meta"]["from"],
        (to - Days::new(29)).to_string(),
        "30 days, both ends counted"
    );
    assert_eq!(body["summary"]["totalConversations"], 0);

    // The example event of infra/events, as Lambda would hand it over.
    let event: Value = serde_json::from_str(include_str!(
        "../../../infra/events/service-performance-report.json"
    ))
    .unwrap();
    let request = shared::runtime::http_request(&event).unwrap();
    let response = report::handle(&ctx, DEADLINE, request).await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{json}");
    conforms("#/components/schemas/ServiceTeammatesResponse", &json).unwrap();
    assert_eq!(json["meta"]["from"], "2026-10-01");
    db.drop_database().await;
}

/// A context on a database that does not answer: a request that reached the database would
/// answer 503, not 400.
fn unreachable() -> ServiceContext {
    let url = DatabaseUrl::parse("postgres://report:secretpw@127.0.0.1:1/nowhere").unwrap();
    ServiceContext::without_intercom(Config::default(), url)
}

fn invalid_names(response: &lambda_http::Response<lambda_http::Body>) -> Vec<String> {
    let body = body_json(response);
    assert_eq!(response.status(), 400, "{body}");
    assert_eq!(
        header(response, "content-type").as_deref(),
        Some("application/problem+json")
    );
    conforms("#/components/schemas/Problem", &body).unwrap();
    assert_eq!(
        body["type"],
        "https://coaching-analytics.example/problems/invalid-parameters"
    );
    let mut names: Vec<String> = body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn bad_requests_are_problems_naming_each_field_before_any_database_call() {
    let ctx = unreachable();
    for (path, query, names) in [
        ("summary", "from=2026-3-09&to=2026-03-10", vec!["from"]),
        ("summary", "from=2026-03-09&to=2026-02-30", vec!["to"]),
        ("daily-trend", "from=2026-03-10&to=2026-03-09", vec!["to"]),
        ("heatmap", "from=2023-01-01&to=2026-03-10", vec!["to"]),
        ("sentiment", "from=2026-03-09", vec!["to"]),
        ("teammates", "metric=speed", vec!["metric"]),
        ("teammates", "limit=0", vec!["limit"]),
        ("countries", "limit=1001", vec!["limit"]),
        ("channels", "limit=5", vec!["limit"]),
        ("summary", "colour=blue", vec!["colour"]),
        (
            "teammates",
            "from=x&to=2026-03-10&metric=FRT&limit=9999&cursor=abc",
            vec!["cursor", "from", "limit", "metric"],
        ),
    ] {
        let response = call(
            &ctx,
            "GET",
            &format!("/API/service/{path}"),
            query,
            &[],
            None,
        )
        .await;
        assert_eq!(invalid_names(&response), names, "{path}?{query}");
    }
    // POST: a query string is refused, and so is a body that is not a JSON object.
    let response = call(
        &ctx,
        "POST",
        "/API/service/summary",
        "from=2026-03-09",
        &[],
        Some("{}"),
    )
    .await;
    assert_eq!(invalid_names(&response), ["from"]);
    let response = call(&ctx, "POST", "/API/service/summary", "", &[], Some("[1]")).await;
    assert_eq!(invalid_names(&response), ["body"]);

    let missing = call(&ctx, "GET", "/API/service/leaderboard", "", &[], None).await;
    assert_eq!(missing.status(), 404);
    let body = body_json(&missing);
    conforms("#/components/schemas/Problem", &body).unwrap();
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("/API/service/teammates"));
    let wrong = call(&ctx, "DELETE", "/API/service/summary", "", &[], None).await;
    assert_eq!(wrong.status(), 405);
    assert_eq!(header(&wrong, "allow").as_deref(), Some("GET, POST"));
    conforms("#/components/schemas/Problem", &body_json(&wrong)).unwrap();
}

#[tokio::test]
async fn an_unreachable_database_answers_503_without_the_url() {
    let request = http_request("GET", "/API/service/summary", BOTH_DAYS, &[], None);
    let response = report::handle(&unreachable(), Duration::from_secs(2), request).await;
    assert_eq!(response.status(), 503);
    let body = body_json(&response);
    conforms("#/components/schemas/Problem", &body).unwrap();
    assert_eq!(
        body["type"],
        "https://coaching-analytics.example/problems/database-unavailable"
    );
    let text = body.to_string();
    for secret in ["secretpw", "127.0.0.1", "nowhere", "report:"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

#[tokio::test]
async fn a_report_held_up_past_its_deadline_answers_504() {
    let (db, ctx) = loaded().await;
    // Another transaction holds the daily table; the report's read waits for it.
    let mut blocker = db.pool.begin().await.unwrap();
    query("LOCK TABLE service_daily_metrics IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *blocker)
        .await
        .unwrap();
    let request = http_request("GET", "/API/service/daily-trend", BOTH_DAYS, &[], None);
    let response = report::handle(&ctx, Duration::from_millis(1500), request).await;
    let body = body_json(&response);
    assert_eq!(response.status(), 504, "{body}");
    conforms("#/components/schemas/Problem", &body).unwrap();
    assert!(body["detail"].as_str().unwrap().contains("1500 ms"));
    blocker.rollback().await.unwrap();
    // The lock gone, the same request answers.
    let ok = get_json(
        &ctx,
        "/API/service/daily-trend",
        BOTH_DAYS,
        "ServiceDailyTrendResponse",
    )
    .await;
    assert_eq!(ok["summary"]["totalConversations"], 3);
    db.drop_database().await;
}
