//! engagement-sync end to end (RULES.md §6): the classifier's boundaries on real contacts.

use e2e_tests::fixtures::{d, ny, utc_midnight, Fixture};
use e2e_tests::{attr, context, requests_for, start_sim};
use intercom_sim::SimConfig;
use serde_json::json;
use shared::coaching::handlers::engagement_sync;

const AS_OF: &str = "2026-03-10T16:00:00Z"; // 2026-03-10 12:00 in New York
const AS_OF_SECS: i64 = 1_773_158_400;

#[tokio::test]
async fn statuses_follow_the_table_at_every_boundary() {
    let today = d("2026-03-10");
    let ago = |n: i64| today - chrono::Duration::days(n);
    // A session late in the evening of its day: the status must not depend on the time of day.
    let session = |n: i64| ny(ago(n), 23, 30);
    let enrolled = utc_midnight(d("2025-06-01"));
    let workspace = Fixture::new()
        .user("s28", "A", json!({"Enrolled Date": enrolled, "Last Coaching Session": session(28)}))
        .user("s29", "B", json!({"Enrolled Date": enrolled, "Last Coaching Session": session(29)}))
        .user("s56", "C", json!({"Enrolled Date": enrolled, "Last Coaching Session": session(56)}))
        .user("s57", "D", json!({"Enrolled Date": enrolled, "Last Coaching Session": session(57)}))
        .user("e28", "E", json!({"Enrolled Date": utc_midnight(ago(28))}))
        .user("e29", "F", json!({"Enrolled Date": utc_midnight(ago(29))}))
        .user("first", "G", json!({"Enrolled Date": enrolled, "First Session Date": session(10)}))
        .user("future", "H", json!({"Enrolled Date": utc_midnight(ago(-3))}))
        .user("none", "I", json!({"Last Coaching Session": session(1)}))
        .user("same", "J", json!({"Enrolled Date": enrolled, "Last Coaching Session": session(3),
                                  "Engagement Status": "Engaged", "Engagement Status Date": 1_700_000_000}))
        // Late first call: row 3 would say Unengaged, but a recent call makes it Engaged.
        .user("late", "K", json!({"Enrolled Date": utc_midnight(ago(60)), "Last Coaching Session": session(2),
                                  "Engagement Status": "Unengaged"}))
        .build();
    let sim = start_sim(workspace, SimConfig::default()).await;
    let ctx = context(&sim);

    let summary = engagement_sync::handle(&ctx, json!({"asOf": AS_OF}))
        .await
        .expect("run");
    assert!(summary.failed.is_empty());

    for (id, status) in [
        ("s28", "Engaged"),
        ("s29", "At Risk"),
        ("s56", "At Risk"),
        ("s57", "Unengaged"),
        ("e28", "Engaged"),
        ("e29", "Unengaged"),
        ("first", "Engaged"),
        ("late", "Engaged"),
    ] {
        assert_eq!(
            attr(&sim, id, "Engagement Status").await,
            json!(status),
            "{id}"
        );
        assert_eq!(
            attr(&sim, id, "Engagement Status Date").await,
            json!(AS_OF_SECS),
            "{id}"
        );
    }
    for id in ["future", "none"] {
        assert_eq!(
            attr(&sim, id, "Engagement Status").await,
            json!(null),
            "{id} is not a candidate"
        );
    }
    assert_eq!(
        attr(&sim, "same", "Engagement Status Date").await,
        json!(1_700_000_000),
        "unchanged status keeps its date"
    );

    let reasons: Vec<(String, String)> = summary
        .changes
        .iter()
        .filter(|c| c.attribute == "Engagement Status")
        .map(|c| (c.contact_id.clone(), c.reason.clone().unwrap_or_default()))
        .collect();
    assert!(
        reasons.contains(&("s57".into(), "session_over_56_days".into())),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("e28".into(), "enrollment_grace".into())),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("e29".into(), "no_session_after_grace".into())),
        "{reasons:?}"
    );

    let puts = requests_for(&sim, "PUT /contacts/{id}");
    let again = engagement_sync::handle(&ctx, json!({"asOf": AS_OF}))
        .await
        .unwrap();
    assert_eq!(again.changes_planned, 0);
    assert_eq!(requests_for(&sim, "PUT /contacts/{id}"), puts);
}

#[tokio::test]
async fn lookback_limits_candidates_to_recent_enrolments() {
    let today = d("2026-03-10");
    let ago = |n: i64| today - chrono::Duration::days(n);
    let workspace = Fixture::new()
        .user(
            "recent",
            "A",
            json!({"Enrolled Date": utc_midnight(ago(10))}),
        )
        .user("old", "B", json!({"Enrolled Date": utc_midnight(ago(100))}))
        .build();
    let sim = start_sim(workspace, SimConfig::default()).await;
    let summary =
        engagement_sync::handle(&context(&sim), json!({"asOf": AS_OF, "lookbackDays": 30}))
            .await
            .unwrap();
    assert_eq!(summary.candidates, 1);
    assert_eq!(
        attr(&sim, "recent", "Engagement Status").await,
        json!("Engaged")
    );
    assert_eq!(attr(&sim, "old", "Engagement Status").await, json!(null));
}
