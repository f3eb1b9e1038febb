//! Properties v3: the company property definitions (number, string, enumeration with options).

mod common;

use common::{assert_error_body, small_portal, Api};

#[tokio::test]
async fn lists_and_reads_company_property_definitions() {
    let api = Api::unlimited(small_portal()).await;
    let (status, list) = api.read("/crm/v3/properties/companies").await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for n in [
        "customer_engagement_score",
        "customer_engagement_rank",
        "customer_engagement_tier",
        "is_internal_test",
        "customer_status",
    ] {
        assert!(names.contains(&n), "{n}");
    }
    let (_, score) = api
        .read("/crm/v3/properties/companies/customer_engagement_score")
        .await;
    assert_eq!(
        (score["type"].as_str(), score["fieldType"].as_str()),
        (Some("number"), Some("number"))
    );
    let (_, rank) = api
        .read("/crm/v3/properties/companies/customer_engagement_rank")
        .await;
    assert_eq!(
        (rank["type"].as_str(), rank["fieldType"].as_str()),
        (Some("string"), Some("text"))
    );
    let (_, tier) = api
        .read("/crm/v3/properties/0-2/customer_engagement_tier")
        .await;
    assert_eq!(
        (tier["type"].as_str(), tier["fieldType"].as_str()),
        (Some("enumeration"), Some("select"))
    );
    let options: Vec<(&str, &str)> = tier["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["label"].as_str().unwrap(), o["value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        options,
        [
            ("Top 30%", "Top 30%"),
            ("Middle 40%", "Middle 40%"),
            ("Bottom 30%", "Bottom 30%")
        ]
    );
    for key in [
        "groupName",
        "description",
        "hidden",
        "modificationMetadata",
        "createdAt",
        "hubspotDefined",
    ] {
        assert!(tier.get(key).is_some(), "{key}");
    }
}

#[tokio::test]
async fn unknown_properties_are_404_and_contacts_have_none_here() {
    let api = Api::unlimited(small_portal()).await;
    let (status, err) = api
        .read("/crm/v3/properties/companies/customer_engagement_grade")
        .await;
    assert_eq!(status, 404);
    assert_error_body(&err, "OBJECT_NOT_FOUND");
    let (status, list) = api.read("/crm/v3/properties/contacts").await;
    assert_eq!(
        (status, list["results"].as_array().map(Vec::len)),
        (200, Some(0))
    );
}

#[tokio::test]
async fn a_fixture_can_change_a_definition() {
    let mut fixture = small_portal();
    for p in &mut fixture.properties {
        if p["name"] == "customer_engagement_tier" {
            p["options"][0]["value"] = "top".into();
        }
    }
    let api = Api::unlimited(fixture).await;
    let (_, tier) = api
        .read("/crm/v3/properties/companies/customer_engagement_tier")
        .await;
    assert_eq!(tier["options"][0]["value"], "top");
    let body = serde_json::json!({"inputs": [{"id": "101", "properties": {"customer_engagement_tier": "Top 30%"}}]});
    assert_eq!(
        api.call("/crm/v3/objects/companies/batch/update", &body)
            .await
            .0,
        400
    );
}
