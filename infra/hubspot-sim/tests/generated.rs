//! A generated book's portal read the way the ranker reads it (§2), then written to.

mod common;

use std::collections::BTreeSet;

use common::Api;
use ranker_book::CompanyKind;
use serde_json::{json, Value};

#[tokio::test]
async fn the_customer_universe_is_reachable_through_search_associations_and_batch_read() {
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 3, 30).unwrap();
    let book = ranker_book::generate(200, 21, as_of);
    let api = Api::unlimited(book.hubspot.clone()).await;

    let body = json!({"filterGroups": [{"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"}]}],
                      "properties": ["email"], "limit": 200});
    let (contacts, total) = api.search_all("contacts", body).await;
    assert_eq!(contacts.len() as u64, total);

    let mut companies = BTreeSet::new();
    for chunk in contacts.chunks(1000) {
        let inputs: Vec<Value> = chunk.iter().map(|id| json!({"id": id})).collect();
        let (status, page) = api
            .call(
                "/crm/v4/associations/contacts/companies/batch/read",
                &json!({"inputs": inputs}),
            )
            .await;
        assert_eq!(status, 207, "orphan customer contacts have no company");
        for r in page["results"].as_array().unwrap() {
            for t in r["to"].as_array().unwrap() {
                companies.insert(t["toObjectId"].as_str().unwrap().to_owned());
            }
        }
    }
    let expected: BTreeSet<String> = book
        .truth
        .companies
        .iter()
        .filter(|t| t.kind != CompanyKind::Prospect)
        .map(|t| t.company_id.clone())
        .collect();
    assert_eq!(companies, expected);

    let ids: Vec<&String> = companies.iter().collect();
    let mut excluded = 0;
    for chunk in ids.chunks(100) {
        let inputs: Vec<Value> = chunk.iter().map(|id| json!({"id": id})).collect();
        let body = json!({"inputs": inputs, "properties": ["name", "domain", "is_internal_test", "customer_status",
                          "customer_engagement_score", "customer_engagement_rank", "customer_engagement_tier"]});
        let (status, page) = api
            .call("/crm/v3/objects/companies/batch/read", &body)
            .await;
        assert_eq!(status, 200);
        excluded += page["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                c["properties"]["is_internal_test"] == "true"
                    || c["properties"]["customer_status"] == "churned"
            })
            .count();
    }
    let expected_excluded = book
        .truth
        .companies
        .iter()
        .filter(|t| matches!(t.kind, CompanyKind::InternalTest | CompanyKind::Churned))
        .count();
    assert_eq!(excluded, expected_excluded);

    let first = ids[0].as_str();
    let body = json!({"inputs": [{"id": first, "properties": {"customer_engagement_score": "99",
                      "customer_engagement_rank": "1 out of 200", "customer_engagement_tier": "Top 30%"}}]});
    assert_eq!(
        api.call("/crm/v3/objects/companies/batch/update", &body)
            .await
            .0,
        200
    );
    let written = api.sim.fixture();
    assert_eq!(
        written
            .company(first)
            .unwrap()
            .property("customer_engagement_rank"),
        Some("1 out of 200")
    );
    assert_eq!(written.contacts.len(), book.hubspot.contacts.len());
    assert_eq!(written.associations.len(), book.hubspot.associations.len());
}
