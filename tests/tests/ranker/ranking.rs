//! The happy paths: dry run, real run with hand-computed values, re-run, allowlist, spike.

use serde_json::{json, Value};
use shared::ranker::handlers::{run, Output};

use crate::support::*;

fn summary(output: Output) -> Value {
    match output {
        Output::Summary(s) => serde_json::to_value(s).unwrap(),
        Output::Spike(s) => panic!("expected a summary, got a spike report {s:?}"),
    }
}

#[tokio::test]
async fn a_dry_run_ranks_by_hand_computed_scores_posts_and_writes_nothing() {
    let h = harness(Knobs::default()).await;
    let before = snapshot(&h);
    let out = summary(run(&h.ctx, json!({}), as_of()).await.unwrap());
    assert_eq!(out["dryRun"], true);
    assert_eq!(out["weekStart"], "2026-03-08");
    assert_eq!(out["weekEnd"], "2026-03-14");
    assert_eq!(out["n"], 20);
    let expected = expected_ranking();
    let top: Vec<(String, u64, u64, String)> = out["top"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["companyId"].as_str().unwrap().to_owned(),
                r["score"].as_u64().unwrap(),
                r["rank"].as_u64().unwrap(),
                r["tier"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want_top: Vec<(String, u64, u64, String)> = expected[..10]
        .iter()
        .map(|(id, s, r, t)| (id.to_string(), *s, *r as u64, t.to_string()))
        .collect();
    assert_eq!(top, want_top);
    let bottom_ids: Vec<&str> = out["bottom"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["companyId"].as_str().unwrap())
        .collect();
    let want_bottom: Vec<&str> = expected[10..].iter().map(|e| e.0).collect();
    assert_eq!(bottom_ids, want_bottom);
    // Movers: 5001 up 2 (3 → 1), 5013 down 19 (1 → 20), 5005 unchanged; the rest new.
    assert_eq!(out["movers"]["up"][0]["companyId"], "5001");
    assert_eq!(out["movers"]["up"][0]["movement"], 2);
    assert_eq!(out["movers"]["up"].as_array().unwrap().len(), 1);
    assert_eq!(out["movers"]["down"][0]["companyId"], "5013");
    assert_eq!(out["movers"]["down"][0]["movement"], -19);
    assert_eq!(out["movers"]["new"].as_array().unwrap().len(), 17);
    // Anomalies: Juniper by name, Echo ambiguous (and by name), Foxtrot unmapped.
    let anomalies: Vec<(String, String)> = out["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap().to_owned(),
                a["companyId"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        anomalies,
        pairs(&[
            ("low_confidence", "5010"),
            ("ambiguous", "5017"),
            ("low_confidence", "5017"),
            ("unmapped", "6003"),
        ])
    );
    let excluded: Vec<&str> = out["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["companyId"].as_str().unwrap())
        .collect();
    assert_eq!(excluded, ["6001", "6002", "6003"]);
    // 19 companies would change (5005 already holds its values).
    assert_eq!(out["writes"]["planned"], 19);
    assert_eq!(out["writes"]["unchanged"], 1);
    assert_eq!(h.update_calls(), 0);
    assert_eq!(snapshot(&h), before);
    let messages = h.messages();
    assert_eq!(messages.len(), 1);
    let text = message_text(&messages[0]);
    assert!(text.contains("(dry run)"), "{text}");
    assert!(
        text.contains("1. *Alpha Dental*: 280 (Top 30%) ▲2"),
        "{text}"
    );
    assert!(
        text.contains("20. *Maple Dental*: 0 (Bottom 30%) ▼19"),
        "{text}"
    );
    assert!(!serde_json::to_string(&messages)
        .unwrap()
        .contains(HUBSPOT_TOKEN));
}

#[tokio::test]
async fn a_run_writes_the_hand_computed_values_and_a_rerun_writes_nothing() {
    let h = harness(Knobs::default()).await;
    let out = summary(
        run(&h.ctx, json!({"dryRun": false}), as_of())
            .await
            .unwrap(),
    );
    assert_eq!(out["dryRun"], false);
    assert_eq!(out["writes"]["written"].as_array().unwrap().len(), 19);
    assert_eq!(h.update_calls(), 1, "19 companies fit one batch");
    for (id, score, rank, tier) in expected_ranking() {
        assert_eq!(
            h.values(id),
            [
                Some(score.to_string()),
                Some(format!("{rank} out of 20")),
                Some(tier.to_string())
            ],
            "company {id}"
        );
    }
    // Excluded and unmapped companies keep what they had (nothing).
    for id in ["6001", "6002", "6003", "6004"] {
        assert_eq!(h.values(id), [None, None, None], "{id}");
    }
    let text = message_text(&h.messages()[0]);
    assert!(!text.contains("dry run"), "{text}");
    assert!(text.contains("19 compan(ies) written"), "{text}");

    let again = summary(
        run(&h.ctx, json!({"dryRun": false}), as_of())
            .await
            .unwrap(),
    );
    assert_eq!(again["writes"]["planned"], 0);
    assert_eq!(again["writes"]["unchanged"], 20);
    assert_eq!(h.update_calls(), 1, "the re-run sends no update");
    assert_eq!(h.messages().len(), 2);
}

#[tokio::test]
async fn company_ids_limit_the_writes_to_the_rollout_list() {
    let h = harness(Knobs::default()).await;
    let out = summary(
        run(
            &h.ctx,
            json!({"dryRun": false, "companyIds": ["5013", 12345, "424242"]}),
            as_of(),
        )
        .await
        .unwrap(),
    );
    assert_eq!(out["n"], 20, "the ranking is over everyone");
    let mut written: Vec<&str> = out["writes"]["written"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    written.sort();
    assert_eq!(written, ["12345", "5013"]);
    assert_eq!(out["writes"]["heldBack"], 17);
    assert_eq!(
        h.values("12345"),
        [
            Some("146".into()),
            Some("7 out of 20".into()),
            Some("Middle 40%".into())
        ]
    );
    assert_eq!(
        h.values("5001")[1].as_deref(),
        Some("3 out of 19"),
        "not on the list"
    );
    assert!(out["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["kind"] == "not_ranked" && a["companyId"] == "424242"));
}

#[tokio::test]
async fn a_past_week_can_be_rerun_by_its_sunday() {
    let h = harness(Knobs::default()).await;
    // The week of Mar 1 holds only the Saturday (Mar 7) buckets: 4·3 + 3·9 + 2·5 + 50 = 99 each.
    let out = summary(
        run(&h.ctx, json!({"weekStart": "2026-03-01"}), as_of())
            .await
            .unwrap(),
    );
    assert_eq!(out["weekStart"], "2026-03-01");
    assert_eq!(out["top"][0]["score"], 99);
    // Everyone ties: numeric company id decides, so 999 is first.
    assert_eq!(out["top"][0]["companyId"], "999");
}

#[tokio::test]
async fn the_spike_reports_endpoints_and_mapping_coverage_without_writing() {
    let h = harness(Knobs::default()).await;
    let out = match run(&h.ctx, json!({"mode": "spike"}), as_of())
        .await
        .unwrap()
    {
        Output::Spike(s) => serde_json::to_value(s).unwrap(),
        Output::Summary(_) => panic!("expected a spike report"),
    };
    assert_eq!(out["mode"], "spike");
    assert_eq!(out["hubspotProblems"], json!([]));
    let endpoints = out["endpoints"].as_array().unwrap();
    assert_eq!(endpoints.len(), 3);
    assert!(endpoints
        .iter()
        .all(|e| e["coversWeek"] == true && e["dailyBuckets"] == true));
    assert_eq!(
        endpoints[0]["metrics"],
        json!(["new_patients", "appointments"])
    );
    // 21 companies after the flags (20 customers and Foxtrot), 20 mapped.
    assert_eq!(out["companies"], 21);
    assert_eq!(out["excludedByFlag"], 2);
    assert_eq!(out["mapped"], 20);
    assert_eq!(out["coveragePercent"], 95.2);
    assert_eq!(out["ambiguous"], 1);
    assert_eq!(out["ambiguityPercent"], 5.0);
    assert_eq!(
        out["byMethod"],
        json!({"domain": 16, "email_domain": 1, "name": 2, "override": 1})
    );
    assert_eq!(h.update_calls(), 0);
    assert!(h.messages().is_empty(), "a spike posts nothing");
}
