//! CRM search: filters, properties, sorts, limits, `after` paging and the 10,000 ceiling.

mod common;

use common::{assert_error_body, small_portal, Api};
use hubspot_sim::HubSpotFixture;
use serde_json::{json, Value};

fn customers() -> Value {
    json!({"filterGroups": [{"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"}]}]})
}

fn ids(page: &Value) -> Vec<&str> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn customer_contacts_with_the_requested_properties() {
    let api = Api::unlimited(small_portal()).await;
    let mut body = customers();
    body["properties"] = json!(["email", "lifecyclestage", "phone"]);
    body["limit"] = json!(200);
    let (status, page) = api.call("/crm/v3/objects/contacts/search", &body).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 3);
    assert_eq!(ids(&page), ["1", "2", "4"]);
    assert!(page.get("paging").is_none());
    let first = &page["results"][0];
    assert_eq!(first["properties"]["email"], "jane@brightsmiles.com");
    assert_eq!(
        first["properties"]["phone"],
        Value::Null,
        "requested but unset"
    );
    assert_eq!(first["properties"]["hs_object_id"], "1", "always returned");
    assert_eq!(
        first["properties"]["createdate"],
        "2023-01-10T10:00:00.000Z"
    );
    assert!(first["properties"].get("lastmodifieddate").is_some());
    assert_eq!(first["createdAt"], "2023-01-10T10:00:00.000Z");
    assert_eq!(first["archived"], false);
}

#[tokio::test]
async fn default_properties_and_limit() {
    let api = Api::unlimited(small_portal()).await;
    let (_, page) = api
        .call("/crm/v3/objects/companies/search", &json!({"limit": 1}))
        .await;
    assert_eq!(page["total"], 3);
    assert_eq!(ids(&page), ["101"]);
    assert_eq!(page["paging"]["next"]["after"], "1");
    let props = page["results"][0]["properties"].as_object().unwrap();
    let names: Vec<&str> = props.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "createdate",
            "domain",
            "hs_lastmodifieddate",
            "hs_object_id",
            "name"
        ]
    );
    let (_, page) = api
        .call("/crm/v3/objects/companies/search", &json!({}))
        .await;
    assert_eq!(
        page["results"].as_array().unwrap().len(),
        3,
        "default limit 10"
    );
}

#[tokio::test]
async fn limits_are_hubspots() {
    let api = Api::unlimited(small_portal()).await;
    let (status, body) = api
        .call("/crm/v3/objects/contacts/search", &json!({"limit": 201}))
        .await;
    assert_eq!(status, 400);
    assert_error_body(&body, "VALIDATION_ERROR");
    let (status, _) = api
        .call("/crm/v3/objects/contacts/search", &json!({"limit": 200}))
        .await;
    assert_eq!(status, 200);
    let filter = json!({"propertyName": "email", "operator": "HAS_PROPERTY"});
    let group = |n: usize| json!({"filters": vec![filter.clone(); n]});
    for (groups, per_group, ok) in [
        (5, 3, true),
        (6, 1, false),
        (1, 7, false),
        (4, 5, false),
        (3, 6, true),
    ] {
        let body = json!({"filterGroups": vec![group(per_group); groups]});
        let (status, body) = api.call("/crm/v3/objects/contacts/search", &body).await;
        assert_eq!(status == 200, ok, "{groups}×{per_group}: {body}");
    }
    let bad = json!({"filterGroups": [{"filters": [{"propertyName": "email", "operator": "LIKE", "value": "x"}]}]});
    let (status, body) = api.call("/crm/v3/objects/contacts/search", &bad).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("LIKE"));
    let missing_value =
        json!({"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ"}]}]});
    assert_eq!(
        api.call("/crm/v3/objects/contacts/search", &missing_value)
            .await
            .0,
        400
    );
    assert_eq!(
        api.call("/crm/v3/objects/contacts/search", &json!({"after": "abc"}))
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn operators() {
    let api = Api::unlimited(small_portal()).await;
    let search = |filters: Value| {
        let api = &api;
        async move {
            let (status, page) = api
                .call(
                    "/crm/v3/objects/contacts/search",
                    &json!({"filterGroups": [{"filters": filters}], "limit": 100}),
                )
                .await;
            assert_eq!(status, 200, "{page}");
            ids(&page)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        }
    };
    let f = |p: &str, op: &str, v: Value| json!({"propertyName": p, "operator": op, "value": v});
    assert_eq!(
        search(json!([f("lifecyclestage", "EQ", json!("CUSTOMER"))])).await,
        ["1", "2", "4"],
        "EQ ignores case"
    );
    assert_eq!(
        search(json!([f("lifecyclestage", "NEQ", json!("customer"))])).await,
        ["3"]
    );
    // 2024-01-01T00:00:00Z = 1704067200000 ms; dates compare as instants.
    assert_eq!(
        search(json!([f("createdate", "GTE", json!("1704067200000"))])).await,
        ["2", "3", "4"]
    );
    assert_eq!(
        search(json!([f("createdate", "LT", json!("2024-01-01"))])).await,
        ["1"]
    );
    let between = json!({"propertyName": "createdate", "operator": "BETWEEN",
                         "value": "2024-01-01T00:00:00Z", "highValue": "2024-12-31T23:59:59Z"});
    assert_eq!(search(json!([between])).await, ["2", "3"]);
    let inn = json!({"propertyName": "hs_object_id", "operator": "IN", "values": ["4", "2", "99"]});
    assert_eq!(search(json!([inn])).await, ["2", "4"]);
    let not_in =
        json!({"propertyName": "lifecyclestage", "operator": "NOT_IN", "values": ["customer"]});
    assert_eq!(search(json!([not_in])).await, ["3"]);
    assert_eq!(
        search(json!([f("email", "CONTAINS_TOKEN", json!("*@gmail.com"))])).await,
        ["2"]
    );
    assert_eq!(
        search(json!([f(
            "email",
            "NOT_CONTAINS_TOKEN",
            json!("*@gmail.com")
        )]))
        .await,
        ["1", "3", "4"]
    );
    assert_eq!(
        search(json!([{"propertyName": "createdate", "operator": "HAS_PROPERTY"}])).await,
        ["1", "2", "3", "4"]
    );
    assert_eq!(
        search(json!([{"propertyName": "phone", "operator": "NOT_HAS_PROPERTY"}]))
            .await
            .len(),
        4
    );
    assert_eq!(
        search(json!([f("hs_object_id", "GT", json!(2))])).await,
        ["3", "4"],
        "numbers compare as numbers"
    );
    // Groups are ORed, filters in a group ANDed.
    let (_, page) = api
        .call(
            "/crm/v3/objects/contacts/search",
            &json!({"filterGroups": [
                {"filters": [f("lifecyclestage", "EQ", json!("customer")), f("email", "CONTAINS_TOKEN", json!("*@yahoo.com"))]},
                {"filters": [f("lifecyclestage", "EQ", json!("lead"))]}
            ]}),
        )
        .await;
    assert_eq!(ids(&page), ["3", "4"]);
}

#[tokio::test]
async fn sorts_and_text_query() {
    let api = Api::unlimited(small_portal()).await;
    let sorted = |sorts: Value| {
        let api = &api;
        async move {
            let (_, page) = api
                .call("/crm/v3/objects/contacts/search", &json!({"sorts": sorts}))
                .await;
            ids(&page)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        sorted(json!([{"propertyName": "createdate", "direction": "DESCENDING"}])).await,
        ["4", "3", "2", "1"]
    );
    assert_eq!(sorted(json!(["-createdate"])).await, ["4", "3", "2", "1"]);
    assert_eq!(
        sorted(json!([{"propertyName": "email"}])).await,
        ["1", "3", "4", "2"]
    );
    let (_, page) = api
        .call(
            "/crm/v3/objects/companies/search",
            &json!({"query": "dental"}),
        )
        .await;
    assert_eq!(ids(&page), ["101", "2002", "30003"]);
    let (_, page) = api
        .call(
            "/crm/v3/objects/companies/search",
            &json!({"query": "brightsmiles"}),
        )
        .await;
    assert_eq!(ids(&page), ["101"]);
}

/// A portal with `n` customer contacts, one a minute from 2024-01-01.
fn many_contacts(n: usize) -> HubSpotFixture {
    let start = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap();
    HubSpotFixture {
        contacts: (0..n)
            .map(|i| {
                let at = (start + chrono::Duration::minutes(i as i64))
                    .to_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                serde_json::from_value(json!({"id": (1000 + i).to_string(),
                    "properties": {"lifecyclestage": "customer", "email": format!("c{i}@x.com")},
                    "createdAt": at, "updatedAt": at}))
                .unwrap()
            })
            .collect(),
        ..HubSpotFixture::default()
    }
}

#[tokio::test]
async fn after_pages_through_everything() {
    let api = Api::unlimited(many_contacts(450)).await;
    let mut body = customers();
    body["limit"] = json!(200);
    let (ids, total) = api.search_all("contacts", body).await;
    assert_eq!(total, 450);
    assert_eq!(ids.len(), 450);
    assert_eq!(
        ids.iter().collect::<std::collections::BTreeSet<_>>().len(),
        450
    );
    assert_eq!(
        api.sim
            .stats()
            .requests_to("POST /crm/v3/objects/contacts/search"),
        3
    );
}

#[tokio::test]
async fn no_page_past_ten_thousand_results() {
    let api = Api::unlimited(many_contacts(10_050)).await;
    let mut body = customers();
    body["limit"] = json!(200);
    body["after"] = json!("9900");
    let (status, page) = api.call("/crm/v3/objects/contacts/search", &body).await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 10_050, "the total is the true count");
    assert_eq!(
        page["results"].as_array().unwrap().len(),
        100,
        "the page stops at result 10,000"
    );
    assert_eq!(
        page["paging"]["next"]["after"], "10000",
        "a naive client asks for more"
    );
    body["after"] = json!("10000");
    let (status, err) = api.call("/crm/v3/objects/contacts/search", &body).await;
    assert_eq!(status, 400);
    assert_error_body(&err, "VALIDATION_ERROR");
    // Split by createdate, each part fits (the first 10,000 minutes, then the rest).
    let cut = "2024-01-07T22:40:00.000Z";
    let part = |op: &str| {
        json!({"filterGroups": [{"filters": [
            {"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"},
            {"propertyName": "createdate", "operator": op, "value": cut}]}],
            "limit": 200, "sorts": [{"propertyName": "createdate", "direction": "ASCENDING"}]})
    };
    let (_, first) = api
        .call("/crm/v3/objects/contacts/search", &part("LT"))
        .await;
    let (_, second) = api
        .call("/crm/v3/objects/contacts/search", &part("GTE"))
        .await;
    assert_eq!(
        (first["total"].as_u64(), second["total"].as_u64()),
        (Some(10_000), Some(50))
    );
}
