//! Cursors: round trip, pinned as-of, parameters bound, tampering refused.

mod api_support;

use api_support::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use proptest::prelude::*;
use shared::api::Cursor;
use shared::coaching::api::Route;
use shared::time::parse_as_of;

#[test]
fn cursor_text_round_trips_and_is_base64url_json() {
    let c = Cursor {
        offset: 1000,
        as_of: 1_710_091_845,
        hash: "0123456789abcdef".into(),
    };
    let text = c.encode();
    assert!(text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    let json: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&text).unwrap()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"o": 1000, "a": 1_710_091_845, "h": "0123456789abcdef"})
    );
    assert_eq!(Cursor::decode(&text).unwrap(), c);
    for bad in ["", "!!!", "bm90IGpzb24", "e30", "eyJvIjoxfQ"] {
        assert!(Cursor::decode(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn pages_walk_the_listing_with_a_pinned_as_of() {
    let first = parse(Route::Caseload, &get("/x?limit=2&employer=Acme")).unwrap();
    let p1 = first.page(5);
    assert_eq!(
        (p1.start, p1.end, p1.returned, p1.total, p1.limit),
        (0, 2, 2, 5, 2)
    );
    let next = p1.next_cursor.clone().unwrap();

    // The next page is parsed later (a different `now`) but keeps the first page's as-of.
    let later = parse_as_of("2024-03-11T09:00:00Z").unwrap();
    let req = get(&format!("/x?limit=2&employer=Acme&cursor={next}"));
    let second =
        shared::coaching::api::parse_report_request(Route::Caseload, &req, later, TZ).unwrap();
    assert_eq!(second.as_of, first.as_of);
    let p2 = second.page(5);
    assert_eq!((p2.start, p2.end), (2, 4));

    // A page size change between pages is fine; the offset is absolute.
    let req = get(&format!(
        "/x?limit=10&employer=Acme&format=csv&cursor={}",
        p2.next_cursor.clone().unwrap()
    ));
    let third = parse(Route::Caseload, &req).unwrap();
    let p3 = third.page(5);
    assert_eq!((p3.start, p3.end, p3.next_cursor.clone()), (4, 5, None));

    // A listing that shrank below the cursor gives an empty last page.
    let p = third.page(3);
    assert_eq!((p.returned, p.next_cursor), (0, None));

    // The same listing by POST accepts the GET's cursor.
    let body = format!(r#"{{"employer": "Acme", "cursor": "{next}"}}"#);
    assert_eq!(
        parse(Route::Caseload, &post("/x", &body)).unwrap().as_of,
        first.as_of
    );
    // An asOf equal to the pinned one is accepted; another is refused.
    let ok = get(&format!(
        "/x?employer=Acme&asOf=2024-03-10T17:30:45Z&cursor={next}"
    ));
    assert!(parse(Route::Caseload, &ok).is_ok());
    let other = get(&format!(
        "/x?employer=Acme&asOf=2024-03-09T00:00:00Z&cursor={next}"
    ));
    assert_eq!(
        bad_names(&parse(Route::Caseload, &other).unwrap_err()),
        ["cursor"]
    );
}

#[test]
fn a_cursor_with_other_parameters_or_edited_is_refused() {
    let first = parse(
        Route::Sessions,
        &get("/x?limit=1&from=2024-02-01&to=2024-02-02"),
    )
    .unwrap();
    let next = first.page(3).next_cursor.unwrap();
    let other_params = [
        "from=2024-02-01&to=2024-02-03",
        "",
        "from=2024-02-01&to=2024-02-02&channel=Phone",
        "from=2024-02-01&to=2024-02-02&lookbackDays=31",
    ];
    for q in other_params {
        let req = get(&format!("/x?{q}&cursor={next}"));
        let p = parse(Route::Sessions, &req).unwrap_err();
        assert_eq!(bad_names(&p), ["cursor"], "{q}");
        assert!(p.invalid_params[0].reason.contains("other parameters"));
    }
    // Another report with the same cursor.
    let req = get(&format!("/x?cursor={next}"));
    assert_eq!(
        bad_names(&parse(Route::Caseload, &req).unwrap_err()),
        ["cursor"]
    );

    // Edited offset or as-of.
    let mut c = Cursor::decode(&next).unwrap();
    c.offset += 1;
    let req = get(&format!(
        "/x?from=2024-02-01&to=2024-02-02&cursor={}",
        c.encode()
    ));
    assert_eq!(
        bad_names(&parse(Route::Sessions, &req).unwrap_err()),
        ["cursor"]
    );
    let mut c = Cursor::decode(&next).unwrap();
    c.as_of -= 86_400;
    let req = get(&format!(
        "/x?from=2024-02-01&to=2024-02-02&cursor={}",
        c.encode()
    ));
    assert_eq!(
        bad_names(&parse(Route::Sessions, &req).unwrap_err()),
        ["cursor"]
    );
    // Garbage.
    let req = get("/x?cursor=abc");
    assert_eq!(
        bad_names(&parse(Route::Sessions, &req).unwrap_err()),
        ["cursor"]
    );
}

#[test]
fn capped_lookbacks_share_a_listing() {
    // 400 and 500 days both mean 365: the same listing.
    let first = parse(Route::Caseload, &get("/x?limit=1&lookbackDays=400")).unwrap();
    let next = first.page(2).next_cursor.unwrap();
    let req = get(&format!("/x?limit=1&lookbackDays=500&cursor={next}"));
    assert!(parse(Route::Caseload, &req).is_ok());
}

proptest! {
    #[test]
    fn pages_cover_the_listing_exactly_once(total in 0usize..60, limit in 1u32..20) {
        let mut req = parse(Route::Caseload, &get(&format!("/x?limit={limit}"))).unwrap();
        let mut seen = Vec::new();
        loop {
            let page = req.page(total);
            prop_assert!(page.returned <= limit as usize);
            seen.extend(page.range());
            let Some(next) = page.next_cursor else { break };
            req = parse(Route::Caseload, &get(&format!("/x?limit={limit}&cursor={next}"))).unwrap();
        }
        prop_assert_eq!(seen, (0..total).collect::<Vec<_>>());
    }
}
