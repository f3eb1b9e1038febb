//! Associations v4 batch read: types and labels, both directions, 207 for objects without
//! associations, the 1,000-input cap and per-input paging.

mod common;

use common::{assert_error_body, small_portal, Api};
use hubspot_sim::{HubSpotFixture, SimConfig};
use serde_json::{json, Value};

const PATH: &str = "/crm/v4/associations/contacts/companies/batch/read";

#[tokio::test]
async fn contacts_to_companies_with_types_and_a_207_for_the_rest() {
    let api = Api::unlimited(small_portal()).await;
    let (status, page) = api
        .call(
            PATH,
            &json!({"inputs": [{"id": "1"}, {"id": "2"}, {"id": "4"}, {"id": "404"}]}),
        )
        .await;
    assert_eq!(status, 207, "{page}");
    assert_eq!(page["status"], "COMPLETE");
    let results = page["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["from"]["id"], "1");
    assert_eq!(
        results[0]["to"],
        json!([
            {"toObjectId": "101", "associationTypes": [
                {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"},
                {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": null}]},
            {"toObjectId": "2002", "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 279, "label": null}]}
        ])
    );
    assert_eq!(page["numErrors"], 2);
    let e = &page["errors"][0];
    assert_eq!(e["category"], "OBJECT_NOT_FOUND");
    assert_eq!(e["subCategory"], "crm.associations.NO_ASSOCIATIONS_FOUND");
    assert_eq!(e["message"], "No company is associated with contact 4.");
    assert_eq!(
        e["context"],
        json!({"fromObjectId": ["4"], "fromObjectType": ["contact"], "toObjectType": ["company"]})
    );
    let (status, _) = api.call(PATH, &json!({"inputs": [{"id": "1"}]})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn companies_to_contacts_and_object_type_aliases() {
    let api = Api::unlimited(small_portal()).await;
    let (status, page) = api
        .call(
            "/crm/v4/associations/0-2/contact/batch/read",
            &json!({"inputs": [{"id": "2002"}]}),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let to: Vec<(&str, Vec<u64>)> = page["results"][0]["to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let types = t["associationTypes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["typeId"].as_u64().unwrap())
                .collect();
            (t["toObjectId"].as_str().unwrap(), types)
        })
        .collect();
    assert_eq!(to, [("1", vec![280]), ("2", vec![2, 280])]);
}

#[tokio::test]
async fn at_most_one_thousand_inputs() {
    let api = Api::unlimited(small_portal()).await;
    let inputs = |n: usize| {
        (0..n)
            .map(|i| json!({"id": i.to_string()}))
            .collect::<Vec<Value>>()
    };
    assert_eq!(
        api.call(PATH, &json!({"inputs": inputs(1000)})).await.0,
        207
    );
    let (status, err) = api.call(PATH, &json!({"inputs": inputs(1001)})).await;
    assert_eq!(status, 400);
    assert_error_body(&err, "VALIDATION_ERROR");
}

#[tokio::test]
async fn ids_can_be_served_as_numbers() {
    let config = SimConfig {
        numeric_association_ids: true,
        ..common::unlimited()
    };
    let api = Api::new(small_portal(), config).await;
    let (_, page) = api.call(PATH, &json!({"inputs": [{"id": 2}]})).await;
    assert_eq!(page["results"][0]["to"][0]["toObjectId"], 2002);
}

#[tokio::test]
async fn many_associations_page_per_input() {
    let fixture: HubSpotFixture = serde_json::from_value(json!({
        "companies": [{"id": "1"}],
        "contacts": (0..620).map(|i| json!({"id": (100 + i).to_string()})).collect::<Vec<_>>(),
        "associations": (0..620).map(|i| json!({"from": 100 + i, "to": 1, "typeId": 279})).collect::<Vec<_>>(),
    }))
    .unwrap();
    let api = Api::unlimited(fixture).await;
    let path = "/crm/v4/associations/companies/contacts/batch/read";
    let (_, first) = api.call(path, &json!({"inputs": [{"id": "1"}]})).await;
    assert_eq!(first["results"][0]["to"].as_array().unwrap().len(), 500);
    let after = first["results"][0]["paging"]["next"]["after"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, second) = api
        .call(path, &json!({"inputs": [{"id": "1", "after": after}]}))
        .await;
    let rest = second["results"][0]["to"].as_array().unwrap();
    assert_eq!(rest.len(), 120);
    assert_eq!(rest[119]["toObjectId"], "719");
    assert!(second["results"][0].get("paging").is_none());
}
