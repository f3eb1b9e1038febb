//! JSON envelope, CSV (quoting, neutralisation, parse-back), gzip, Accept and Accept-Encoding.

mod api_support;

use std::io::Read;

use api_support::*;
use flate2::read::GzDecoder;
use lambda_http::http::{HeaderMap, HeaderValue};
use lambda_http::{Body, Response};
use serde_json::{json, Value};
use shared::api::render::{accepts_gzip, csv_bytes, neutralise, next_link_base, CSV_CONTENT_TYPE};
use shared::api::{csv_response, json_response, json_unpaged_response, wants_csv, PageInfo};
use shared::coaching::api::csv_filename;
use shared::coaching::api::{Meta, Route};

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(*k, HeaderValue::from_str(v).unwrap());
    }
    h
}

fn body_bytes(resp: &Response<Body>) -> Vec<u8> {
    let raw = resp.body().as_ref().to_vec();
    if resp.headers().get("content-encoding").is_some() {
        let mut out = Vec::new();
        GzDecoder::new(&raw[..]).read_to_end(&mut out).unwrap();
        out
    } else {
        raw
    }
}

#[test]
fn json_envelope_in_order_with_the_page_slice() {
    let req = parse(Route::Caseload, &get("/x?limit=2&lookbackDays=400")).unwrap();
    let all = rows(5);
    let page = req.page(all.len());
    let meta = Meta::new(&req, TZ, now(), 17);
    let resp = json_response(
        &meta,
        &json!({"members": 5}),
        "members",
        &all,
        Some(("sessions", json!([]))),
        &page,
        &HeaderMap::new(),
    );
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(resp.headers()["vary"], "Accept-Encoding");
    assert!(resp.headers().get("content-encoding").is_none());
    assert!(matches!(resp.body(), Body::Text(_)));
    let text = String::from_utf8(body_bytes(&resp)).unwrap();
    let keys: Vec<usize> = [
        "\"meta\"",
        "\"summary\"",
        "\"members\"",
        "\"sessions\"",
        "\"page\"",
    ]
    .iter()
    .map(|k| text.find(k).unwrap())
    .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "key order: {text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["members"].as_array().unwrap().len(), 2);
    assert_eq!(v["members"][1]["memberId"], "m00001");
    assert_eq!(v["page"]["total"], 5);
    assert_eq!(v["page"]["returned"], 2);
    assert!(v["page"]["nextCursor"].is_string());
    assert_eq!(
        v["meta"],
        json!({"report": "caseload", "asOf": "2024-03-10T17:30:45Z", "timeZone": "America/New_York",
               "lookbackDays": 365, "requestedLookbackDays": 400, "lookbackCapped": true,
               "filters": {"coachId": null, "employer": null, "channel": null},
               "generatedAt": "2024-03-10T17:30:45Z", "apiCalls": 17})
    );
    // Billing's meta has no lookback fields.
    let billing = parse(Route::Billing, &get("/x?month=2024-01")).unwrap();
    let m = serde_json::to_value(Meta::new(&billing, TZ, now(), 0)).unwrap();
    assert!(m.get("lookbackDays").is_none() && m.get("lookbackCapped").is_none());
}

#[test]
fn unpaged_envelope_has_no_page_and_may_have_no_rows() {
    let all = rows(3);
    let resp = json_unpaged_response(
        &json!({"report": "x"}),
        &json!({"n": 3}),
        Some(("members", all.as_slice())),
        &HeaderMap::new(),
    );
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let text = String::from_utf8(body_bytes(&resp)).unwrap();
    assert!(text.starts_with(r#"{"meta":{"report":"x"},"summary":{"n":3},"members":["#));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["members"].as_array().unwrap().len(), 3, "every row");
    assert!(v.get("page").is_none());

    let only_summary = json_unpaged_response(
        &json!({}),
        &json!({"n": 0}),
        None::<(&str, &[Row])>,
        &headers(&[("accept-encoding", "gzip")]),
    );
    assert_eq!(only_summary.headers()["content-encoding"], "gzip");
    assert_eq!(
        body_bytes(&only_summary),
        br#"{"meta":{},"summary":{"n":0}}"#
    );

    // CSV of a whole listing: every row, the total, no cursor.
    let page = PageInfo::whole(all.len());
    assert_eq!((page.range(), page.next_cursor.as_deref()), (0..3, None));
    let csv = csv_response(&all, &page, "x.csv", None, &HeaderMap::new());
    assert_eq!(csv.headers()["x-total-count"], "3");
    assert!(csv.headers().get("x-next-cursor").is_none());
    assert_eq!(
        String::from_utf8(body_bytes(&csv)).unwrap().lines().count(),
        4
    );
    assert_eq!(PageInfo::whole(0).limit, 1);
}

#[test]
fn csv_quotes_neutralises_and_parses_back() {
    let tricky = vec![
        Row {
            member_id: "=HYPERLINK(\"http://x\")".into(),
            member_name: Some("O'Brien, \"Jo\"\nline two".into()),
            tags: vec!["+1".into(), "@home".into()],
            days_ago: -1,
        },
        Row {
            member_id: "\tx".into(),
            member_name: Some("\rcr".into()),
            tags: vec![],
            days_ago: 3,
        },
        Row {
            member_id: "plain".into(),
            member_name: Some("Zoë Ångström".into()),
            tags: vec!["a=b".into()],
            days_ago: 0,
        },
    ];
    let bytes = csv_bytes(&tricky).unwrap();
    assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "no BOM");
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with("memberId,memberName,tags,daysAgo\r\n"));
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[..]);
    assert_eq!(
        reader.headers().unwrap(),
        vec!["memberId", "memberName", "tags", "daysAgo"]
    );
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(
        records,
        vec![
            vec![
                "'=HYPERLINK(\"http://x\")",
                "O'Brien, \"Jo\"\nline two",
                "'+1; @home",
                "'-1"
            ],
            vec!["'\tx", "'\rcr", "", "3"],
            vec!["plain", "Zoë Ångström", "a=b", "0"],
        ]
    );
    // Header only for no rows.
    assert_eq!(
        csv_bytes::<Row>(&[]).unwrap(),
        b"memberId,memberName,tags,daysAgo\r\n"
    );
    assert_eq!(neutralise("-5"), "'-5");
    assert_eq!(neutralise("5-"), "5-");
    assert_eq!(neutralise(""), "");
}

#[test]
fn csv_response_headers_and_next_link() {
    let http = get("/API/intercom/caseload?limit=2&employer=A%26B&cursor=old");
    let req = parse(Route::Caseload, &{
        get("/API/intercom/caseload?limit=2&employer=A%26B")
    })
    .unwrap();
    let all = rows(3);
    let page = req.page(all.len());
    let base = next_link_base(&http).unwrap();
    assert_eq!(base, "/API/intercom/caseload?limit=2&employer=A%26B");
    let resp = csv_response(
        &all,
        &page,
        &csv_filename(&req, TZ),
        Some(&base),
        &HeaderMap::new(),
    );
    let h = resp.headers();
    assert_eq!(h["content-type"], CSV_CONTENT_TYPE);
    assert_eq!(
        h["content-disposition"],
        "attachment; filename=\"caseload-2024-03-10.csv\""
    );
    assert_eq!(h["x-total-count"], "3");
    let next = page.next_cursor.clone().unwrap();
    assert_eq!(h["x-next-cursor"], next.as_str());
    assert_eq!(
        h["link"],
        format!("</API/intercom/caseload?limit=2&employer=A%26B&cursor={next}>; rel=\"next\"")
            .as_str()
    );
    let text = String::from_utf8(body_bytes(&resp)).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    // POST: no link; last page: no cursor headers.
    assert_eq!(next_link_base(&post("/API/intercom/caseload", "{}")), None);
    let last = req.page(2);
    let resp = csv_response(&all[..2], &last, "f.csv", Some(&base), &HeaderMap::new());
    assert!(resp.headers().get("x-next-cursor").is_none());
    assert!(resp.headers().get("link").is_none());
}

#[test]
fn gzip_when_accepted_round_trips() {
    let req = parse(Route::Caseload, &get("/x?limit=5000")).unwrap();
    let all = rows(3000);
    let page = req.page(all.len());
    let plain = csv_response(&all, &page, "f.csv", None, &HeaderMap::new());
    let zipped = csv_response(
        &all,
        &page,
        "f.csv",
        None,
        &headers(&[("accept-encoding", "br;q=1.0, gzip;q=0.8, *;q=0.1")]),
    );
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert_eq!(zipped.headers()["vary"], "Accept-Encoding");
    assert!(matches!(zipped.body(), Body::Binary(_)));
    assert!(zipped.body().as_ref().len() * 2 < plain.body().as_ref().len());
    assert_eq!(body_bytes(&zipped), plain.body().as_ref());

    let meta = Meta::new(&req, TZ, now(), 0);
    let j = json_response(
        &meta,
        &json!({}),
        "members",
        &all,
        None,
        &page,
        &headers(&[("accept-encoding", "gzip")]),
    );
    let v: Value = serde_json::from_slice(&body_bytes(&j)).unwrap();
    assert_eq!(v["members"].as_array().unwrap().len(), 3000);
}

#[test]
fn accept_encoding_q_values() {
    let cases = [
        ("gzip", true),
        ("GZIP", true),
        ("gzip, deflate, br", true),
        ("deflate, gzip;q=0.5", true),
        ("gzip;q=0", false),
        ("gzip; q=0.0, *", false),
        ("*", true),
        ("*;q=0", false),
        ("identity", false),
        ("br", false),
        ("x-gzip", true),
        ("", false),
    ];
    for (value, want) in cases {
        assert_eq!(
            accepts_gzip(&headers(&[("accept-encoding", value)])),
            want,
            "{value:?}"
        );
    }
    assert!(!accepts_gzip(&HeaderMap::new()));
    // Several header lines count together.
    assert!(accepts_gzip(&headers(&[
        ("accept-encoding", "br"),
        ("accept-encoding", "gzip")
    ])));
}

#[test]
fn format_and_accept_choose_csv() {
    let plain = parse(Route::Caseload, &get("/x")).unwrap();
    let csv = parse(Route::Caseload, &get("/x?format=csv")).unwrap();
    let json_fmt = parse(Route::Caseload, &get("/x?format=json")).unwrap();
    let cases = [
        (&plain, "", false),
        (&plain, "text/csv", true),
        (&plain, "text/csv;q=0.9, application/json;q=0.5", true),
        (&plain, "application/json, text/csv;q=0.5", false),
        (&plain, "text/*", true),
        (&plain, "*/*", false),
        (&plain, "text/csv, application/json", false),
        (&plain, "text/csv;q=0", false),
        (&plain, "application/xml", false),
        (&csv, "", true),
        (&csv, "application/json", true),
        (&json_fmt, "text/csv", false),
    ];
    for (req, accept, want) in cases {
        let h = if accept.is_empty() {
            HeaderMap::new()
        } else {
            headers(&[("accept", accept)])
        };
        assert_eq!(
            wants_csv(req.format, &h),
            want,
            "{:?} {accept:?}",
            req.format
        );
    }
}

#[test]
fn a_page_of_20000_members_fits_the_lambda_response_limit() {
    // 20,000 members of realistic width, one page at the largest limit: the body after gzip
    // (and base64, as API Gateway receives it) stays far below 6 MB.
    let req = parse(Route::Caseload, &get("/x?limit=5000")).unwrap();
    let all: Vec<Row> = (0..20_000)
        .map(|i| Row {
            member_id: format!("65f0c0ffee{i:014}"),
            member_name: Some(format!("Firstname{i} Lastname{i}")),
            tags: vec!["Phone".into(), "Video Conference".into(), "Email".into()],
            days_ago: (i % 365) as i64,
        })
        .collect();
    let page = req.page(all.len());
    let meta = Meta::new(&req, TZ, now(), 0);
    for accept in ["", "gzip"] {
        let h = headers(&[("accept-encoding", accept)]);
        let resp = json_response(&meta, &json!({}), "members", &all, None, &page, &h);
        let wire = match resp.body() {
            Body::Binary(b) => b.len() * 4 / 3 + 4,
            other => other.as_ref().len(),
        };
        assert!(wire < 5_500_000, "{accept:?}: {wire} bytes");
    }
}
