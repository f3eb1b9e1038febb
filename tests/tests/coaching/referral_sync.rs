//! referral-sync end to end (RULES.md §7).

use e2e_tests::fixtures::Fixture;
use e2e_tests::{attr, context, requests_for, start_sim};
use intercom_sim::SimConfig;
use serde_json::json;
use shared::coaching::handlers::referral_sync;

#[tokio::test]
async fn mapped_referrals_get_their_program_once() {
    let workspace = Fixture::new()
        .user("r1", "A", json!({"Referral": "Counter Health"}))
        .user(
            "r2",
            "B",
            json!({"Referral": "Counter Health", "Eligible Programs": "Smart Access"}),
        )
        .user(
            "r3",
            "C",
            json!({"Referral": "Counter Health", "Eligible Programs": "Old Program"}),
        )
        .user("r4", "D", json!({"Referral": "counter health"}))
        .user(
            "r5",
            "E",
            json!({"Referral": "Physician Referral", "Eligible Programs": "Other"}),
        )
        .build();
    let sim = start_sim(workspace, SimConfig::default()).await;
    let ctx = context(&sim);

    let dry = referral_sync::handle(&ctx, json!({"dryRun": true}))
        .await
        .unwrap();
    assert_eq!(dry.changes_planned, 2);
    assert_eq!(requests_for(&sim, "PUT /contacts/{id}"), 0);

    let summary = referral_sync::handle(&ctx, json!({"dryRun": false}))
        .await
        .unwrap();
    assert_eq!(summary.applied, 2);
    assert_eq!(
        attr(&sim, "r1", "Eligible Programs").await,
        json!("Smart Access")
    );
    assert_eq!(
        attr(&sim, "r2", "Eligible Programs").await,
        json!("Smart Access")
    );
    assert_eq!(
        attr(&sim, "r3", "Eligible Programs").await,
        json!("Smart Access")
    );
    assert_eq!(
        attr(&sim, "r4", "Eligible Programs").await,
        json!(null),
        "exact match only"
    );
    assert_eq!(
        attr(&sim, "r5", "Eligible Programs").await,
        json!("Other"),
        "others untouched"
    );

    let again = referral_sync::handle(&ctx, json!({})).await.unwrap();
    assert_eq!(again.changes_planned, 0);
    assert_eq!(requests_for(&sim, "PUT /contacts/{id}"), 2);
}

#[tokio::test]
async fn unknown_fields_are_refused() {
    let sim = start_sim(Fixture::new().build(), SimConfig::default()).await;
    let error = referral_sync::handle(&context(&sim), json!({"dryrun": true}))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("dryrun"), "{error}");
    assert_eq!(e2e_tests::requests(&sim), 0);
}
