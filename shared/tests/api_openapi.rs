//! docs/openapi.yaml agrees with the code: routes, parameters, and real response bodies.

mod api_support;

use api_support::*;
use lambda_http::http::{HeaderMap, Method};
use lambda_http::Body;
use serde::Serialize;
use serde_json::{json, Value};
use shared::api::openapi_check::{conforms, openapi_document};
use shared::api::{json_response, Problem};
use shared::coaching::api::{route, Meta, ReportRequest, Route};
use shared::coaching::reports::TabularRow;

/// A row given as JSON, to check the envelope with rows shaped as the spec says.
#[derive(Serialize)]
#[serde(transparent)]
struct J(Value);

impl TabularRow for J {
    const CSV_HEADER: &'static [&'static str] = &[];
    fn csv_record(&self) -> Vec<String> {
        Vec::new()
    }
}

fn body(resp: &lambda_http::Response<Body>) -> Value {
    serde_json::from_slice(resp.body().as_ref()).unwrap()
}

fn session_row() -> Value {
    json!({"conversationId": "c1", "memberIds": ["m1"], "coachId": "7", "coachName": "Ann",
           "channel": "Phone", "serviceCode": "99401", "sessionAt": "2024-03-09T15:00:00Z",
           "sessionDate": "2024-03-09", "daysAgo": 1})
}

/// A real response of `route` built by `json_response` with `rows` on `rows_name`.
fn response(
    route: Route,
    query: &str,
    summary: Value,
    rows_name: &str,
    rows: Vec<Value>,
    extra: Vec<(&str, Value)>,
) -> Value {
    let req = parse(route, &get(&format!("/x?{query}"))).unwrap();
    let rows: Vec<J> = rows.into_iter().map(J).collect();
    let page = req.page(rows.len());
    let meta = Meta::new(&req, TZ, now(), 3);
    body(&json_response(
        &meta,
        &summary,
        rows_name,
        &rows,
        extra,
        &page,
        &HeaderMap::new(),
    ))
}

#[test]
fn the_document_is_openapi_3_1_and_lists_every_route_and_parameter() {
    let doc = openapi_document();
    assert_eq!(doc["openapi"], "3.1.0");
    for r in Route::ALL {
        let path = &doc["paths"][r.path()];
        assert!(path.is_object(), "{} missing", r.path());
        let documented: Vec<String> = ["get", "post", "put", "delete", "patch"]
            .iter()
            .filter(|m| path.get(**m).is_some())
            .map(|m| m.to_uppercase())
            .collect();
        let served: Vec<String> = r.methods().iter().map(Method::to_string).collect();
        assert_eq!(documented, served, "{}", r.path());
        for m in r.methods() {
            assert!(route(m, r.path()).is_ok());
        }
        let allowed: Vec<&str> = ReportRequest::allowed(r).to_vec();
        if let Some(get) = path.get("get") {
            // GET query parameters are exactly what the parser allows.
            let mut names: Vec<String> = get["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let name = p["$ref"].as_str().unwrap().rsplit('/').next().unwrap();
                    doc["components"]["parameters"][name]["name"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect();
            names.sort();
            let mut want: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
            want.sort();
            assert_eq!(names, want, "{} GET", r.path());
        }
        // POST bodies have exactly the allowed properties.
        let schema_ref = path["post"]["requestBody"]["content"]["application/json"]["schema"]
            ["$ref"]
            .as_str()
            .unwrap();
        let schema = &doc["components"]["schemas"][schema_ref.rsplit('/').next().unwrap()];
        let mut props: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        props.sort();
        let mut want = allowed.clone();
        want.sort();
        assert_eq!(props, want, "{} POST", r.path());
        assert_eq!(schema["additionalProperties"], false);
    }
}

#[test]
fn problem_bodies_conform() {
    let problems = [
        parse(Route::Caseload, &get("/x?lookbackDays=0&zzz=1")).unwrap_err(),
        route(&Method::GET, "/nope").unwrap_err(),
        route(&Method::GET, "/API/intercom/report/engagement").unwrap_err(),
        Problem::unauthorized(),
        Problem::report_timeout(27_000),
        Problem::internal_error(),
        Problem::from_intercom(&shared::intercom::IntercomError::Api {
            status: 503,
            code: "service_unavailable".into(),
            message: "x".into(),
            request_id: None,
        }),
    ];
    for p in problems {
        let b = body(&p.into_response());
        conforms("#/components/schemas/Problem", &b).unwrap();
    }
    // The check can fail: an unknown member and a wrong type are caught.
    let mut b = body(&Problem::internal_error().into_response());
    b["extra"] = json!(1);
    assert!(conforms("#/components/schemas/Problem", &b).is_err());
    b.as_object_mut().unwrap().remove("extra");
    b["status"] = json!("500");
    assert!(conforms("#/components/schemas/Problem", &b).is_err());
}

#[test]
fn report_pages_conform() {
    let member = json!({"memberId": "m1", "externalId": "E1", "memberName": "Jo", "employer": "Acme",
        "lastSessionAt": "2024-03-09T15:00:00Z", "lastSessionDate": "2024-03-09",
        "daysSinceLastSession": 1, "bucket": "bucket_1", "channels": ["Phone", "Video Conference"],
        "channelCombination": "Phone + Video Conference", "coaches": [{"id": "7", "name": "Ann"}],
        "sessionCount": 2});
    let caseload = response(
        Route::Caseload,
        "limit=1&channel=Video&lookbackDays=900",
        json!({"bucket_1": 1, "bucket_2": 0, "bucket_3": 0, "bucket_4": 0, "members": 2, "sessions": 3}),
        "members",
        vec![member.clone(), member.clone()],
        vec![
            (
                "filteredSummary",
                json!({"bucket_1": 1, "bucket_2": 0, "bucket_3": 0, "bucket_4": 0}),
            ),
            ("sessions", json!([session_row()])),
        ],
    );
    conforms("#/components/schemas/CaseloadResponse", &caseload).unwrap();
    assert!(caseload["page"]["nextCursor"].is_string());

    let sessions = response(
        Route::Sessions,
        "from=2024-03-01&to=2024-03-09",
        json!({"days_0_to_7": 1, "days_8_to_28": 0, "days_29_to_56": 0, "custom": 1,
               "customFrom": "2024-03-01", "customTo": "2024-03-09", "inLookback": 1}),
        "sessions",
        vec![session_row()],
        vec![],
    );
    conforms("#/components/schemas/SessionsResponse", &sessions).unwrap();

    let participant = json!({"memberId": "m1", "externalId": null, "memberName": "Jo", "employer": null,
        "enrolledDate": "2024-02-01", "lastSessionAt": null, "daysWithoutSession": 38, "bucket": "gt_28",
        "coachId": "7", "coachName": null});
    let participants = response(
        Route::NewParticipants,
        "enrolledFrom=2024-01-01&coachId=7",
        json!({"gt_14_to_21": 0, "gt_21_to_28": 0, "gt_28": 1, "participants": 1}),
        "participants",
        vec![participant],
        vec![],
    );
    conforms(
        "#/components/schemas/NewParticipantsResponse",
        &participants,
    )
    .unwrap();

    let billing_row = json!({"memberId": "m1", "memberName": "Jo", "memberEmail": "jo@example.com",
        "employer": "Acme", "registrationAt": "2024-02-03", "lastSessionAt": "2024-02-10T15:00:00Z",
        "isNewParticipant": true, "engagedDuringMonth": true, "coachId": "7", "coachName": "Ann"});
    let billing = response(
        Route::Billing,
        "month=2024-02&employer=Acme",
        json!({"rows": 1, "newParticipants": 1, "engaged": 1, "month": "2024-02",
               "monthStart": "2024-02-01T05:00:00Z", "monthEnd": "2024-03-01T05:00:00Z"}),
        "rows",
        vec![billing_row],
        vec![],
    );
    conforms("#/components/schemas/BillingResponse", &billing).unwrap();

    // Caseload without its filteredSummary fails.
    let mut bad = caseload.clone();
    bad.as_object_mut().unwrap().remove("filteredSummary");
    assert!(conforms("#/components/schemas/CaseloadResponse", &bad).is_err());

    // A response checked against another report's schema fails (meta.report, rows name).
    assert!(conforms("#/components/schemas/SessionsResponse", &caseload).is_err());
    // A row with a field too many fails.
    let mut bad = billing.clone();
    bad["rows"][0]["ssn"] = json!("x");
    assert!(conforms("#/components/schemas/BillingResponse", &bad).is_err());
    // A malformed date-time fails (formats are asserted).
    let mut bad = billing;
    bad["meta"]["asOf"] = json!("yesterday");
    assert!(conforms("#/components/schemas/BillingResponse", &bad).is_err());
}
