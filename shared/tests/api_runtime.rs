//! Local API Gateway v2 events: converted into requests as in Lambda, responses printed as
//! API Gateway v2 response JSON.

mod api_support;

use api_support::*;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use lambda_http::http::HeaderMap;
use lambda_http::RequestExt;
use serde_json::json;
use shared::coaching::api::{route, Route};
use shared::runtime::{http_request, http_response_event};

#[test]
fn v2_events_become_requests_as_in_lambda() {
    let mut event = v2_event("POST", "/API/intercom/billing", "", None);
    event["body"] = json!(STANDARD.encode(br#"{"month": "2024-02"}"#));
    event["isBase64Encoded"] = json!(true);
    let req = http_request(&event).unwrap();
    assert_eq!(req.method(), "POST");
    let r = parse(Route::Billing, &req).unwrap();
    assert_eq!(r.month.unwrap().to_string(), "2024-02");

    // A named stage is put in front of the path, and the route still matches.
    let mut event = v2_event(
        "GET",
        "/API/intercom/caseload",
        "limit=3&channel=Video%20Conference",
        None,
    );
    event["requestContext"]["stage"] = json!("prod");
    let req = http_request(&event).unwrap();
    assert_eq!(req.uri().path(), "/prod/API/intercom/caseload");
    assert_eq!(
        route(req.method(), req.uri().path()).unwrap(),
        Route::Caseload
    );
    assert_eq!(
        req.query_string_parameters().first("channel"),
        Some("Video Conference")
    );
    assert_eq!(parse(Route::Caseload, &req).unwrap().limit.get(), 3);

    for bad in [json!({"dryRun": true}), json!([1]), json!(null)] {
        assert!(http_request(&bad).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn responses_print_as_api_gateway_v2_json() {
    let problem = route(&lambda_http::http::Method::GET, "/nope").unwrap_err();
    let out = serde_json::to_value(http_response_event(problem.into_response()).await).unwrap();
    assert_eq!(out["statusCode"], 404);
    assert_eq!(out["isBase64Encoded"], false);
    assert_eq!(out["headers"]["content-type"], "application/problem+json");
    let body: serde_json::Value = serde_json::from_str(out["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["status"], 404);

    // A gzipped CSV goes out base64-encoded.
    let req = parse(Route::Caseload, &get("/x")).unwrap();
    let all = rows(10);
    let page = req.page(all.len());
    let mut h = HeaderMap::new();
    h.insert("accept-encoding", "gzip".parse().unwrap());
    let resp = shared::api::csv_response(&all, &page, "f.csv", None, &h);
    let out = serde_json::to_value(http_response_event(resp).await).unwrap();
    assert_eq!(out["statusCode"], 200);
    assert_eq!(out["isBase64Encoded"], true);
    assert_eq!(out["headers"]["content-encoding"], "gzip");
    let zipped = STANDARD.decode(out["body"].as_str().unwrap()).unwrap();
    assert_eq!(&zipped[..2], &[0x1f, 0x8b]);
}

#[test]
fn events_lambda_http_cannot_convert_are_refused_without_a_panic() {
    let mut bad_base64 = v2_event("POST", "/API/intercom/caseload", "", Some("%%% not base64"));
    bad_base64["isBase64Encoded"] = serde_json::json!(true);
    let long_query = format!("employer={}", "a".repeat(70 * 1024));
    let huge_query = v2_event("GET", "/API/intercom/caseload", &long_query, None);
    for event in [bad_base64, huge_query] {
        let outcome = std::panic::catch_unwind(|| shared::runtime::http_request(&event));
        let result = outcome.expect("http_request must not panic");
        assert!(result.is_err(), "must be refused: {event:.80}");
    }
}
