//! Company batch read and update, one object by id: caps, 207s, validation errors,
//! configured failures and writes that read back.

mod common;

use common::{assert_error_body, small_portal, Api};
use hubspot_sim::SimConfig;
use serde_json::{json, Value};

const READ: &str = "/crm/v3/objects/companies/batch/read";
const UPDATE: &str = "/crm/v3/objects/companies/batch/update";

fn update(id: &str, props: Value) -> Value {
    json!({"id": id, "properties": props})
}

fn engagement(score: u32, rank: &str, tier: &str) -> Value {
    json!({"customer_engagement_score": score.to_string(), "customer_engagement_rank": rank, "customer_engagement_tier": tier})
}

#[tokio::test]
async fn batch_read_returns_requested_properties_and_207_for_unknown_ids() {
    let api = Api::unlimited(small_portal()).await;
    let body = json!({"inputs": [{"id": "101"}, {"id": "999"}, {"id": 2002}, {"id": "101"}],
                      "properties": ["name", "domain", "customer_engagement_rank"], "propertiesWithHistory": []});
    let (status, page) = api.call(READ, &body).await;
    assert_eq!(status, 207, "{page}");
    assert_eq!(page["status"], "COMPLETE");
    assert!(page["startedAt"].is_string() && page["completedAt"].is_string());
    let results = page["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "duplicates read once");
    assert_eq!(
        results[0]["properties"]["name"],
        "Bright Smiles Dental, PLLC"
    );
    assert_eq!(
        results[1]["properties"]["customer_engagement_rank"],
        "3 out of 10"
    );
    assert_eq!(results[1]["properties"]["domain"], Value::Null);
    assert_eq!(page["numErrors"], 1);
    let e = &page["errors"][0];
    assert_eq!(
        (e["status"].as_str(), e["category"].as_str()),
        (Some("error"), Some("OBJECT_NOT_FOUND"))
    );
    assert_eq!(e["context"]["ids"], json!(["999"]));
    let (status, page) = api
        .call(
            READ,
            &json!({"inputs": [{"id": "101"}], "properties": ["name"]}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.get("errors").is_none());
}

#[tokio::test]
async fn batches_hold_at_most_one_hundred_inputs() {
    let api = Api::unlimited(small_portal()).await;
    let inputs = |n: usize| {
        (0..n)
            .map(|i| json!({"id": (5000 + i).to_string()}))
            .collect::<Vec<_>>()
    };
    let (status, _) = api
        .call(
            READ,
            &json!({"inputs": inputs(100), "properties": ["name"]}),
        )
        .await;
    assert_eq!(status, 207);
    let (status, body) = api
        .call(
            READ,
            &json!({"inputs": inputs(101), "properties": ["name"]}),
        )
        .await;
    assert_eq!(status, 400);
    assert_error_body(&body, "VALIDATION_ERROR");
    let updates: Vec<Value> = (0..101)
        .map(|i| update(&(5000 + i).to_string(), json!({"name": "x"})))
        .collect();
    let (status, _) = api.call(UPDATE, &json!({"inputs": updates})).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn updates_are_written_and_read_back() {
    let api = Api::unlimited(small_portal()).await;
    let body = json!({"inputs": [update("101", engagement(412, "1 out of 2", "Top 30%")),
                                  update("2002", engagement(7, "2 out of 2", "Bottom 30%"))]});
    let (status, page) = api.call(UPDATE, &body).await;
    assert_eq!(status, 200, "{page}");
    let results = page["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["properties"]["customer_engagement_score"], "412");
    assert_ne!(results[0]["updatedAt"], "2024-01-01T00:00:00.000Z");
    let (_, read) = api
        .call(READ, &json!({"inputs": [{"id": "2002"}], "properties": ["customer_engagement_rank", "customer_engagement_tier"]}))
        .await;
    assert_eq!(
        read["results"][0]["properties"]["customer_engagement_rank"],
        "2 out of 2"
    );
    assert_eq!(
        read["results"][0]["properties"]["customer_engagement_tier"],
        "Bottom 30%"
    );
    let company = api.sim.company("101").unwrap();
    assert_eq!(
        company.property("customer_engagement_tier"),
        Some("Top 30%")
    );
    assert_eq!(
        company.property("name"),
        Some("Bright Smiles Dental, PLLC"),
        "other properties kept"
    );
    assert_eq!(
        api.sim
            .fixture()
            .company("101")
            .unwrap()
            .property("customer_engagement_score"),
        Some("412")
    );
    // An empty value clears; numbers and null in JSON are accepted.
    let (status, _) = api
        .call(UPDATE, &json!({"inputs": [update("101", json!({"customer_engagement_score": 5, "customer_engagement_tier": null}))]}))
        .await;
    assert_eq!(status, 200);
    let company = api.sim.company("101").unwrap();
    assert_eq!(company.property("customer_engagement_score"), Some("5"));
    assert_eq!(company.property("customer_engagement_tier"), None);
    assert_eq!(api.sim.stats().event("records_updated"), 3);
}

#[tokio::test]
async fn invalid_values_refuse_the_whole_batch_with_hubspots_validation_error() {
    let api = Api::unlimited(small_portal()).await;
    let body = json!({"inputs": [
        update("101", engagement(10, "1 out of 2", "Top 30%")),
        update("2002", json!({"customer_engagement_tier": "Top 31%", "customer_engagement_grade": "A",
                              "customer_engagement_score": "lots", "hs_object_id": "1"}))]});
    let (status, err) = api.call(UPDATE, &body).await;
    assert_eq!(status, 400);
    assert_error_body(&err, "VALIDATION_ERROR");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.starts_with("Property values were not valid: ["),
        "{message}"
    );
    let listed: Value =
        serde_json::from_str(message.trim_start_matches("Property values were not valid: "))
            .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 4);
    let codes: Vec<&str> = err["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "PROPERTY_DOESNT_EXIST",
            "INVALID_FLOAT",
            "INVALID_OPTION",
            "READ_ONLY_VALUE"
        ]
    );
    let option = &err["errors"][2];
    assert_eq!(
        option["message"],
        "Top 31% was not one of the allowed options: [Top 30%, Middle 40%, Bottom 30%]"
    );
    assert_eq!(
        option["context"]["propertyName"],
        json!(["customer_engagement_tier"])
    );
    assert_eq!(option["context"]["objectId"], json!(["2002"]));
    assert_eq!(
        err["errors"][0]["context"]["propertyName"],
        json!(["customer_engagement_grade"])
    );
    assert_eq!(
        api.sim
            .company("101")
            .unwrap()
            .property("customer_engagement_score"),
        None,
        "nothing written"
    );
    assert_eq!(api.sim.stats().event("validation_error"), 1);
}

#[tokio::test]
async fn configured_failures_answer_207_and_the_rest_is_written() {
    let config = SimConfig {
        failing_company_updates: ["2002".to_owned()].into(),
        ..common::unlimited()
    };
    let api = Api::new(small_portal(), config).await;
    let body = json!({"inputs": [update("101", engagement(3, "1 out of 2", "Top 30%")),
                                  {"id": "2002", "properties": engagement(2, "2 out of 2", "Bottom 30%"), "objectWriteTraceId": "t-2002"},
                                  update("777", engagement(1, "3 out of 3", "Bottom 30%"))]});
    for _ in 0..2 {
        let (status, page) = api.call(UPDATE, &body).await;
        assert_eq!(status, 207, "{page}");
        assert_eq!(page["results"].as_array().unwrap().len(), 1);
        assert_eq!(page["results"][0]["id"], "101");
        assert_eq!(page["numErrors"], 2);
        let e = &page["errors"][0];
        assert_eq!(
            (e["status"].as_str(), e["category"].as_str()),
            (Some("error"), Some("CONFLICT"))
        );
        assert_eq!(e["context"]["ids"], json!(["2002"]));
        assert_eq!(e["context"]["objectWriteTraceId"], json!(["t-2002"]));
        assert_eq!(page["errors"][1]["category"], "OBJECT_NOT_FOUND");
        assert_eq!(page["errors"][1]["context"]["ids"], json!(["777"]));
    }
    assert_eq!(
        api.sim
            .company("101")
            .unwrap()
            .property("customer_engagement_score"),
        Some("3")
    );
    assert_eq!(
        api.sim
            .company("2002")
            .unwrap()
            .property("customer_engagement_score"),
        None
    );
    let stats = api.sim.stats();
    assert_eq!(
        (stats.event("multi_status"), stats.event("records_failed")),
        (2, 4)
    );
}

#[tokio::test]
async fn a_failure_can_clear_after_some_attempts() {
    let config = SimConfig {
        failing_company_updates: ["2002".to_owned()].into(),
        failing_update_attempts: Some(1),
        ..common::unlimited()
    };
    let api = Api::new(small_portal(), config).await;
    let body = json!({"inputs": [update("2002", engagement(2, "1 out of 1", "Top 30%"))]});
    assert_eq!(api.call(UPDATE, &body).await.0, 207);
    assert_eq!(api.call(UPDATE, &body).await.0, 200, "the retry succeeds");
    assert_eq!(
        api.sim
            .company("2002")
            .unwrap()
            .property("customer_engagement_rank"),
        Some("1 out of 1")
    );
}

#[tokio::test]
async fn duplicate_ids_in_one_update_are_refused() {
    let api = Api::unlimited(small_portal()).await;
    let body = json!({"inputs": [update("101", json!({"name": "A"})), update("101", json!({"name": "B"}))]});
    let (status, err) = api.call(UPDATE, &body).await;
    assert_eq!(status, 400);
    assert_eq!(err["message"], "Duplicate IDs found in batch input: [101]");
}

#[tokio::test]
async fn one_object_by_id() {
    let api = Api::unlimited(small_portal()).await;
    let (status, c) = api
        .read("/crm/v3/objects/companies/2002?properties=name,customer_engagement_rank")
        .await;
    assert_eq!(status, 200);
    assert_eq!(c["id"], "2002");
    assert_eq!(c["properties"]["customer_engagement_rank"], "3 out of 10");
    assert_eq!(c["properties"]["hs_object_id"], "2002");
    let (status, c) = api.read("/crm/v3/objects/contacts/1").await;
    assert_eq!(
        (status, c["properties"]["email"].as_str()),
        (200, Some("jane@brightsmiles.com"))
    );
    let (status, err) = api.read("/crm/v3/objects/companies/5").await;
    assert_eq!(status, 404);
    assert_error_body(&err, "OBJECT_NOT_FOUND");
}
