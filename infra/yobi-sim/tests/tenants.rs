//! `GET /admin/tenants`: the tenant list, paged, under either field-name variant.

mod common;

use common::{account, config, Api};
use serde_json::{json, Value};
use yobi_sim::{FieldNames, SimConfig};

#[tokio::test]
async fn lists_tenants_in_id_order_with_their_domains() {
    let api = Api::new(account(), config()).await;
    let (status, body) = api.read("/admin/tenants").await;
    assert_eq!(status, 200);
    assert_eq!(body["count"], 3);
    assert!(body["next"].is_null() && body["previous"].is_null());
    assert_eq!(
        body["results"]["results"],
        json!([
            {"tenant_id": 7, "tenant_name": "Quiet Practice", "website": null, "domain": null},
            {"tenant_id": 42, "tenant_name": "Oak Park Dental, PLLC", "website": null, "domain": "oakparkdental.com"},
            {"tenant_id": 300, "tenant_name": "Bright Smiles Dental", "website": "https://www.brightsmiles.com/", "domain": null}
        ])
    );
}

#[tokio::test]
async fn pages_link_to_each_other() {
    let api = Api::new(account(), config()).await;
    let (_, first) = api.read("/admin/tenants?page_size=2").await;
    assert_eq!(first["results"]["results"].as_array().unwrap().len(), 2);
    let next = first["next"].as_str().unwrap();
    assert!(next.starts_with(&api.sim.base_url), "{next}");
    let second: Value = api
        .http
        .get(next)
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["results"]["results"][0]["tenant_id"], 300);
    assert!(second["next"].is_null());
    assert_eq!(
        second["previous"].as_str().unwrap(),
        format!("{}/admin/tenants?page_size=2&page=1", api.sim.base_url)
    );
    assert_eq!(api.read("/admin/tenants?page=3&page_size=2").await.0, 404);
    assert_eq!(api.read("/admin/tenants?page_size=500").await.0, 400);
    let (_, some) = api.read("/admin/tenants?tenant_id=300,7").await;
    assert_eq!(some["count"], 2);
}

#[tokio::test]
async fn the_alternate_field_names() {
    let config = SimConfig {
        fields: FieldNames::alternate(),
        ..config()
    };
    let api = Api::new(account(), config).await;
    let (_, body) = api.read("/admin/tenants?page_size=1").await;
    assert!(body["results"].get("results").is_none());
    assert_eq!(
        body["results"]["tenants"],
        json!([{"id": 7, "name": "Quiet Practice", "website": null, "domain": null}])
    );
}
