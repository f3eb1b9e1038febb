//! Request parameters: GET and POST, every bad field at once, unknown names, caps, defaults.

mod api_support;

use api_support::*;
use chrono::NaiveDate;
use lambda_http::RequestExt;
use shared::api::{Format, Limit};
use shared::coaching::api::{parse_engagement_request, Lookback, Route};
use shared::coaching::rules::buckets::Channel;
use shared::time::{parse_as_of, YearMonth};
use std::collections::HashMap;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn defaults() {
    let r = parse(Route::Caseload, &get("/API/intercom/caseload")).unwrap();
    assert_eq!(
        r.lookback,
        Some(Lookback {
            days: 30,
            requested: 30,
            capped: false
        })
    );
    // Sub-seconds dropped.
    assert_eq!(r.as_of, parse_as_of("2024-03-10T17:30:45Z").unwrap());
    assert_eq!(r.limit, Limit(1000));
    assert_eq!(
        (r.format, r.cursor.clone(), r.custom_range),
        (None, None, None)
    );
    assert_eq!(r.filters, Default::default());
    assert_eq!(
        r.filters_json(),
        serde_json::json!({"coachId": null, "employer": null, "channel": null})
    );
}

#[test]
fn get_and_post_give_the_same_request() {
    let query = "lookbackDays=45&coachId=123&employer=Acme%20Co&channel=Video&asOf=2024-03-01T08:00:00-05:00&format=csv&limit=10&from=2024-02-01&to=2024-02-29";
    let body = r#"{"lookbackDays": 45, "coachId": "123", "employer": "Acme Co", "channel": "Video",
        "asOf": "2024-03-01T08:00:00-05:00", "format": "csv", "limit": 10,
        "from": "2024-02-01", "to": "2024-02-29"}"#;
    let by_get = parse(
        Route::Sessions,
        &get(&format!("/API/intercom/sessions?{query}")),
    )
    .unwrap();
    let by_event = parse(
        Route::Sessions,
        &from_event(&v2_event("GET", "/API/intercom/sessions", query, None)),
    )
    .unwrap();
    let by_post = parse(Route::Sessions, &post("/API/intercom/sessions", body)).unwrap();
    let by_post_event = parse(
        Route::Sessions,
        &from_event(&v2_event("POST", "/API/intercom/sessions", "", Some(body))),
    )
    .unwrap();
    assert_eq!(by_get, by_post);
    assert_eq!(by_get, by_event);
    assert_eq!(by_get, by_post_event);
    let r = by_get;
    assert_eq!(r.lookback.unwrap().days, 45);
    assert_eq!(r.filters.coach_id.as_deref(), Some("123"));
    assert_eq!(r.filters.employer.as_deref(), Some("Acme Co"));
    // `Video` is normalised.
    assert_eq!(r.filters.channel, Some(Channel::VideoConference));
    assert_eq!(r.filters_json()["channel"], "Video Conference");
    assert_eq!(r.as_of, parse_as_of("2024-03-01T13:00:00Z").unwrap());
    assert_eq!(r.format, Some(Format::Csv));
    assert_eq!(r.limit, Limit(10));
    assert_eq!(r.custom_range, Some((d(2024, 2, 1), d(2024, 2, 29))));
    assert_eq!(r.filters_json()["from"], "2024-02-01");
}

#[test]
fn lambda_http_query_parameters_are_used_when_present() {
    // A request whose query lives only in lambda_http's extension.
    let mut q = HashMap::new();
    q.insert("lookbackDays".to_string(), "7".to_string());
    let req = get("/API/intercom/caseload").with_query_string_parameters(q);
    assert_eq!(
        parse(Route::Caseload, &req).unwrap().lookback.unwrap().days,
        7
    );
}

#[test]
fn lookback_over_365_is_capped_and_says_so() {
    for (given, days, capped) in [
        ("365", 365, false),
        ("366", 365, true),
        ("100000", 365, true),
        ("1", 1, false),
    ] {
        let r = parse(
            Route::NewParticipants,
            &get(&format!("/x?lookbackDays={given}")),
        )
        .unwrap();
        let l = r.lookback.unwrap();
        assert_eq!((l.days, l.capped), (days, capped), "{given}");
        assert_eq!(l.requested.to_string(), given);
    }
    let r = parse(Route::Caseload, &post("/x", r#"{"lookbackDays": 400}"#)).unwrap();
    assert_eq!(
        r.lookback,
        Some(Lookback {
            days: 365,
            requested: 400,
            capped: true
        })
    );
}

#[test]
fn every_bad_parameter_is_named_at_once() {
    let req = get(
        "/x?lookbackDays=0&coachId=7&channel=Fax&asOf=yesterday&format=xml&limit=5001&from=2024-02-30&zzz=1&LookbackDays=3",
    );
    let p = parse(Route::Sessions, &req).unwrap_err();
    // `to` is missing while `from` is given (even though `from` is bad).
    let mut names = bad_names(&p);
    names.sort();
    assert_eq!(
        names,
        [
            "LookbackDays",
            "asOf",
            "channel",
            "format",
            "from",
            "limit",
            "lookbackDays",
            "to",
            "zzz"
        ]
    );
    let reason = |n: &str| {
        p.invalid_params
            .iter()
            .find(|i| i.name == n)
            .unwrap()
            .reason
            .clone()
    };
    assert!(reason("LookbackDays").contains("did you mean lookbackDays"));
    assert!(reason("zzz").starts_with("unknown parameter"));
    assert!(reason("channel").contains("Video Conference"));
    assert_eq!(reason("limit"), "must be an integer from 1 to 5000");
}

#[test]
fn numbers_in_text_and_json() {
    for q in [
        "lookbackDays=-1",
        "lookbackDays=+5",
        "lookbackDays=1.0",
        "lookbackDays=%205",
        "limit=0",
        "limit=1e3",
    ] {
        let p = parse(Route::Caseload, &get(&format!("/x?{q}"))).unwrap_err();
        assert_eq!(bad_names(&p).len(), 1, "{q}");
    }
    for body in [
        r#"{"lookbackDays": "30"}"#,
        r#"{"lookbackDays": 30.5}"#,
        r#"{"lookbackDays": -3}"#,
        r#"{"limit": "10"}"#,
        r#"{"employer": 5}"#,
        r#"{"coachId": -1}"#,
        r#"{"channel": ["Phone"]}"#,
    ] {
        let p = parse(Route::Caseload, &post("/x", body)).unwrap_err();
        assert_eq!(bad_names(&p).len(), 1, "{body}");
    }
    // coachId may be a JSON integer; null and "" are absent.
    let r = parse(
        Route::Caseload,
        &post("/x", r#"{"coachId": 991, "employer": "", "channel": null}"#),
    )
    .unwrap();
    assert_eq!(r.filters.coach_id.as_deref(), Some("991"));
    assert_eq!(
        (r.filters.employer.clone(), r.filters.channel),
        (None, None)
    );
    // An empty query value is absent too.
    let r = parse(Route::Caseload, &get("/x?employer=&lookbackDays=")).unwrap();
    assert_eq!(r.filters.employer, None);
    assert_eq!(r.lookback.unwrap().days, 30);
}

#[test]
fn repeated_query_parameters_are_refused() {
    let p = parse(Route::Caseload, &get("/x?employer=A&employer=B&limit=5")).unwrap_err();
    assert_eq!(bad_names(&p), ["employer"]);
    assert!(p.invalid_params[0].reason.contains("once"));
}

#[test]
fn post_reads_only_its_body() {
    let p = parse(
        Route::Caseload,
        &post("/x?limit=5&format=csv", r#"{"lookbackDays": 5}"#),
    )
    .unwrap_err();
    assert_eq!(bad_names(&p), ["format", "limit"]);
    for body in ["[1]", "\"x\"", "{not json", "3"] {
        let p = parse(Route::Caseload, &post("/x", body)).unwrap_err();
        assert_eq!(bad_names(&p), ["body"], "{body}");
    }
    // Empty and null bodies are `{}`.
    for body in ["", "  ", "null"] {
        assert!(
            parse(Route::Caseload, &post("/x", body)).is_ok(),
            "{body:?}"
        );
    }
}

#[test]
fn a_body_name_given_twice_is_refused_not_last_one_wins() {
    let p = parse(
        Route::Caseload,
        &post(
            "/x",
            r#"{"lookbackDays": 30, "limit": 5, "lookbackDays": 400}"#,
        ),
    )
    .unwrap_err();
    assert_eq!(bad_names(&p), ["lookbackDays"]);
    assert_eq!(p.invalid_params[0].reason, "must be given only once");
    // The export route: a dry run cannot be turned into a real write by repeating dryRun.
    let p = parse_engagement_request(&post("/x", r#"{"dryRun": true, "dryRun": false}"#), now())
        .unwrap_err();
    assert_eq!(bad_names(&p), ["dryRun"]);
    // Nested objects are values, not parameters: a repeated inner key is not this check's.
    assert!(parse(Route::Caseload, &post("/x", r#"{"lookbackDays": 3}"#)).is_ok());
}

#[test]
fn a_number_too_large_to_read_names_its_field() {
    let huge = format!("1{}", "0".repeat(400));
    let p = parse(
        Route::Caseload,
        &post("/x", &format!(r#"{{"limit": 5, "lookbackDays": {huge}}}"#)),
    )
    .unwrap_err();
    assert_eq!(bad_names(&p), ["lookbackDays"]);
    assert!(p.invalid_params[0].reason.contains("too large"), "{p:?}");
    // Broken JSON after a good field is still the body's problem.
    let p = parse(
        Route::Caseload,
        &post("/x", r#"{"limit": 5, "lookbackDays": }"#),
    )
    .unwrap_err();
    assert_eq!(bad_names(&p), ["body"]);
}

#[test]
fn sessions_range_rules() {
    let cases = [
        ("from=2024-02-01", vec!["to"]),
        ("to=2024-02-01", vec!["from"]),
        ("from=2024-02-02&to=2024-02-01", vec!["to"]),
        ("from=2023-01-01&to=2024-01-03", vec!["to"]),
        ("from=2024-1-01&to=2024-02-01", vec!["from"]),
    ];
    for (q, want) in cases {
        let p = parse(Route::Sessions, &get(&format!("/x?{q}"))).unwrap_err();
        assert_eq!(bad_names(&p), want, "{q}");
    }
    // `to - from` of 366 days is allowed, 367 is not.
    let r = parse(Route::Sessions, &get("/x?from=2023-01-01&to=2024-01-02")).unwrap();
    assert_eq!(r.custom_range, Some((d(2023, 1, 1), d(2024, 1, 2))));
    let r = parse(Route::Sessions, &get("/x?from=2024-02-01&to=2024-02-01")).unwrap();
    assert!(r.custom_range.is_some());
    // from/to belong to sessions only.
    let p = parse(Route::Caseload, &get("/x?from=2024-02-01&to=2024-02-01")).unwrap_err();
    assert_eq!(bad_names(&p), ["from", "to"]);
}

#[test]
fn new_participants_enrolled_range() {
    let r = parse(Route::NewParticipants, &get("/x?enrolledFrom=2024-01-05")).unwrap();
    assert_eq!(r.enrolled, (Some(d(2024, 1, 5)), None));
    assert_eq!(r.filters_json()["enrolledFrom"], "2024-01-05");
    assert!(r.filters_json()["enrolledTo"].is_null());
    let p = parse(
        Route::NewParticipants,
        &get("/x?enrolledFrom=2024-01-05&enrolledTo=2024-01-04"),
    )
    .unwrap_err();
    assert_eq!(bad_names(&p), ["enrolledTo"]);
}

#[test]
fn billing_month_rules_and_parameters() {
    let r = parse(Route::Billing, &get("/x?month=2024-02&employer=Acme")).unwrap();
    assert_eq!(r.month, YearMonth::new(2024, 2));
    assert_eq!(r.lookback, None);
    assert_eq!(
        r.filters_json(),
        serde_json::json!({"employer": "Acme", "month": "2024-02"})
    );
    // The as-of month itself is allowed; the next one is not.
    assert!(parse(Route::Billing, &get("/x?month=2024-03")).is_ok());
    let cases = [
        ("", vec!["month"]),
        ("month=2024-04", vec!["month"]),
        ("month=2024-13", vec!["month"]),
        (
            "month=2024-02&lookbackDays=30&coachId=1&channel=Phone",
            vec!["channel", "coachId", "lookbackDays"],
        ),
    ];
    for (q, want) in cases {
        let p = parse(Route::Billing, &get(&format!("/x?{q}"))).unwrap_err();
        assert_eq!(bad_names(&p), want, "{q}");
    }
    let p = parse(Route::Billing, &get("/x?month=2024-02&coachId=1")).unwrap_err();
    assert!(p.invalid_params[0]
        .reason
        .contains("not a billing parameter"));
    // The month is compared in the reporting zone: 2024-03-01T03:00Z is still February in New
    // York.
    let p = parse(
        Route::Billing,
        &get("/x?month=2024-03&asOf=2024-03-01T03:00:00Z"),
    )
    .unwrap_err();
    assert_eq!(bad_names(&p), ["month"]);
    assert!(parse(
        Route::Billing,
        &get("/x?month=2024-03&asOf=2024-03-01T05:00:00Z")
    )
    .is_ok());
}

#[test]
fn engagement_uses_the_export_request() {
    let req = post(
        "/API/intercom/report/engagement",
        r#"{"employer": "Acme", "dryRun": true}"#,
    );
    let r = parse_engagement_request(&req, now()).unwrap();
    assert!(r.dry_run);
    assert_eq!(r.filters.employer.as_deref(), Some("Acme"));
    let p =
        parse_engagement_request(&post("/x", r#"{"perPage": 0, "limit": 3}"#), now()).unwrap_err();
    let mut names = bad_names(&p);
    names.sort();
    assert_eq!(names, ["limit", "perPage"]);
    let p = parse_engagement_request(&post("/x", "[]"), now()).unwrap_err();
    assert_eq!(bad_names(&p), ["body"]);
    let p = parse_engagement_request(&post("/x?dryRun=true", "{}"), now()).unwrap_err();
    assert_eq!(bad_names(&p), ["dryRun"]);
    // Not a report: parse_report_request refuses it.
    assert_eq!(
        parse(Route::Engagement, &post("/x", "{}"))
            .unwrap_err()
            .status,
        500
    );
}

#[test]
fn report_as_of_runs_from_2000_to_the_end_of_tomorrow() {
    // `parse` reads now as 2024-03-10T17:30:45Z: tomorrow is 2024-03-11 (UTC).
    for (as_of, ok) in [
        ("2000-01-01T00:00:00Z", true),
        ("1999-12-31T23:59:59Z", false),
        ("1970-01-01T00:00:00Z", false),
        ("2024-03-11T23:59:59Z", true),
        ("2024-03-12T00:00:00Z", false),
        ("2124-03-10T00:00:00Z", false),
    ] {
        let result = parse(Route::Caseload, &get(&format!("/x?asOf={as_of}")));
        match (result, ok) {
            (Ok(r), true) => assert_eq!(r.as_of, parse_as_of(as_of).unwrap()),
            (Err(p), false) => assert_eq!(bad_names(&p), ["asOf"], "{as_of}"),
            (other, _) => panic!("{as_of}: {other:?}"),
        }
    }
}
