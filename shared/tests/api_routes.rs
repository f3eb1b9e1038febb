//! Routes (404/405, prefixes) and problem+json bodies.

use lambda_http::http::header::{ALLOW, CONTENT_TYPE};
use lambda_http::http::{Method, StatusCode};
use lambda_http::Body;
use serde_json::{json, Value};
use shared::api::Problem;
use shared::coaching::api::{route, Route};
use shared::intercom::{IntercomError, TransportKind};
use shared::job::input::{InvalidEvent, InvalidInput};

fn body_json(resp: &lambda_http::Response<Body>) -> Value {
    match resp.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap(),
        other => panic!("expected a text body, got {other:?}"),
    }
}

#[test]
fn every_route_with_its_methods_and_prefixes() {
    let cases = [
        ("/API/intercom/caseload", Route::Caseload),
        ("/API/intercom/sessions/", Route::Sessions),
        (
            "/prod/API/intercom/new-participants",
            Route::NewParticipants,
        ),
        (
            "/lambda-url/billing-report/API/intercom/billing",
            Route::Billing,
        ),
        (
            "/lambda-url/billing-report/API/intercom/billing/",
            Route::Billing,
        ),
        ("/API/intercom/report/engagement", Route::Engagement),
    ];
    for (path, want) in cases {
        assert_eq!(route(&Method::POST, path).unwrap(), want, "{path}");
    }
    for r in [
        Route::Caseload,
        Route::Sessions,
        Route::NewParticipants,
        Route::Billing,
    ] {
        assert_eq!(route(&Method::GET, r.path()).unwrap(), r);
    }
}

#[test]
fn unknown_paths_are_404() {
    for path in [
        "/",
        "",
        "/API/intercom",
        "/api/intercom/caseload",
        "/API/intercom/caseloads",
        "/API/intercom/caseload//",
        "/a/b/API/intercom/caseload",
        "/lambda-url//API/intercom/caseload",
        "/API/intercom/report/engagement/x",
        "API/intercom/caseload",
    ] {
        let p = route(&Method::GET, path).unwrap_err();
        assert_eq!((p.status, p.slug), (404, "not-found"), "{path:?}");
        // The detail lists the coaching API's reports.
        assert!(p.detail.contains("/API/intercom/billing"), "{}", p.detail);
    }
}

#[test]
fn other_methods_are_405_with_allow() {
    let cases = [
        (Method::GET, "/API/intercom/report/engagement", "POST"),
        (Method::DELETE, "/API/intercom/caseload", "GET, POST"),
        (Method::PUT, "/stage/API/intercom/billing/", "GET, POST"),
        (Method::HEAD, "/API/intercom/sessions", "GET, POST"),
    ];
    for (method, path, allow) in cases {
        let p = route(&method, path).unwrap_err();
        assert_eq!((p.status, p.slug), (405, "method-not-allowed"));
        let resp = p.into_response();
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(resp.headers()[ALLOW], allow, "{method} {path}");
        assert_eq!(body_json(&resp)["status"], 405);
    }
}

#[test]
fn invalid_parameters_body_lists_every_parameter() {
    let p = Problem::invalid_parameters(vec![
        shared::api::InvalidParam::new("lookbackDays", "must be an integer ≥ 1"),
        shared::api::InvalidParam::new("chanel", "unknown parameter"),
    ]);
    let resp = p.into_response();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(resp.headers()[CONTENT_TYPE], "application/problem+json");
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body = body_json(&resp);
    assert_eq!(
        body["type"],
        "https://coaching-analytics.example/problems/invalid-parameters"
    );
    assert_eq!(body["status"], 400);
    assert_eq!(
        body["invalidParams"],
        json!([{"name": "lookbackDays", "reason": "must be an integer ≥ 1"},
               {"name": "chanel", "reason": "unknown parameter"}])
    );
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("lookbackDays, chanel"));
}

#[test]
fn other_problems_have_no_invalid_params() {
    for (p, status, slug) in [
        (Problem::not_found("/x"), 404, "not-found"),
        (Problem::unauthorized(), 401, "unauthorized"),
        (Problem::report_timeout(27_000), 504, "report-timeout"),
        (Problem::internal_error(), 500, "internal-error"),
    ] {
        let body = body_json(&p.into_response());
        assert_eq!(body["status"], status);
        assert_eq!(
            body["type"],
            format!("https://coaching-analytics.example/problems/{slug}")
        );
        assert!(body.get("invalidParams").is_none());
        assert!(!body["title"].as_str().unwrap().is_empty());
    }
    let body = body_json(&Problem::report_timeout(27_000).into_response());
    assert!(body["detail"].as_str().unwrap().contains("27000 ms"));
}

#[test]
fn store_errors_are_503_when_the_database_is_unreachable_else_500_and_never_show_the_url() {
    use shared::store::{DatabaseUrlError, StoreError};
    let query = |source| StoreError::Query {
        what: "reading",
        source,
    };
    for (error, status, slug) in [
        (
            query(sqlx::Error::PoolTimedOut),
            503,
            "database-unavailable",
        ),
        (query(sqlx::Error::PoolClosed), 503, "database-unavailable"),
        (
            query(sqlx::Error::Io(std::io::Error::from(
                std::io::ErrorKind::ConnectionRefused,
            ))),
            503,
            "database-unavailable",
        ),
        (query(sqlx::Error::RowNotFound), 500, "internal-error"),
        (
            StoreError::Migrations {
                reason: "out of order".into(),
            },
            500,
            "internal-error",
        ),
        (
            StoreError::Config(DatabaseUrlError::NotConfigured),
            500,
            "internal-error",
        ),
    ] {
        let p = Problem::from_store(&error, 27_000);
        assert_eq!((p.status, p.slug), (status, slug), "{error}");
        let body = body_json(&p.into_response());
        assert!(!body.to_string().contains("pw"), "{body}");
        assert!(body.get("invalidParams").is_none());
    }
}

#[test]
fn intercom_errors_are_502_with_code_and_request_id_but_not_the_message() {
    let api = IntercomError::Api {
        status: 500,
        code: "server_error".into(),
        message: "jane@example.com broke it".into(),
        request_id: Some("req-77".into()),
    };
    let p = Problem::from_intercom(&api);
    assert_eq!((p.status, p.slug), (502, "upstream-error"));
    assert!(p.detail.contains("server_error") && p.detail.contains("req-77"));
    assert!(!p.detail.contains("jane@example.com"));

    let retried = IntercomError::RetriesExhausted {
        attempts: 4,
        last: Box::new(IntercomError::Transport {
            method: "POST".into(),
            path: "/contacts/search".into(),
            kind: TransportKind::Timeout,
            reason: "timed out".into(),
        }),
    };
    let p = Problem::from_intercom(&retried);
    assert_eq!(p.status, 502);
    assert!(p.detail.contains("4 attempts") && p.detail.contains("timeout"));

    let ours = IntercomError::InvalidQuery {
        reason: "too deep".into(),
    };
    assert_eq!(Problem::from_intercom(&ours).status, 500);
}

#[test]
fn job_input_errors_become_invalid_params_with_body_for_the_event() {
    let p = Problem::from(InvalidEvent(vec![
        InvalidInput::new("event", "must be a JSON object"),
        InvalidInput::new("perPage", "must be an integer from 1 to 150"),
    ]));
    let names: Vec<&str> = p.invalid_params.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["body", "perPage"]);
}
