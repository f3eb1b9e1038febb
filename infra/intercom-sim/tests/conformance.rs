//! Real simulator responses validated against Intercom's OpenAPI schemas (2.11 and 2.16).

mod common;

use std::path::PathBuf;

use common::{as_of, Api};
use intercom_sim::SimConfig;
use serde_json::{json, Value};

fn load_spec(version: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/intercom-openapi")
        .join(format!("{version}-extract.yaml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut doc: Value = serde_json::to_value(yaml).unwrap();
    translate(&mut doc);
    let schemas = doc["components"]["schemas"].as_object_mut().unwrap();
    // 2.11 refers to custom_attributes without defining it; 2.12+ define it like this.
    if schemas
        .get("custom_attributes")
        .is_some_and(|s| s.get("type").is_none() && s.get("anyOf").is_none())
    {
        schemas.insert(
            "custom_attributes".into(),
            json!({"type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}),
        );
    }
    doc
}

/// OpenAPI 3.0 → JSON Schema: `nullable: true` becomes `anyOf [schema, null]`.
fn translate(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                translate(child);
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                if let Some(Value::Array(e)) = map.get_mut("enum") {
                    if !e.contains(&Value::Null) {
                        e.push(Value::Null);
                    }
                }
                let inner = Value::Object(std::mem::take(map));
                map.insert("anyOf".into(), json!([inner, {"type": "null"}]));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(translate),
        _ => {}
    }
}

fn assert_valid(doc: &Value, schema: &str, instance: &Value, what: &str) {
    let root =
        json!({"$ref": format!("#/components/schemas/{schema}"), "components": doc["components"]});
    let validator = jsonschema::draft202012::new(&root).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .take(10)
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match {schema}:\n{}",
        errors.join("\n")
    );
}

async fn responses(version: &'static str) -> Vec<(&'static str, &'static str, Value)> {
    let mut api = Api::new(
        intercom_sim::generate(120, 11, as_of()),
        SimConfig::default(),
    )
    .await;
    api.version = Some(version);
    let mut out = Vec::new();
    let (status, contacts) = api
        .search(
            "contacts",
            &json!({"query": {"field": "role", "operator": "=", "value": "user"},
                                    "pagination": {"per_page": 5}}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(contacts["pages"]["next"].is_object());
    let contact_id = contacts["data"][0]["id"].as_str().unwrap().to_owned();
    out.push(("contact_list", "contact search page", contacts));
    let (status, conversations) = api
        .search("conversations", &json!({"query": {"operator": "OR", "value": [
            {"field": "state", "operator": "=", "value": "closed"},
            {"field": "state", "operator": "=", "value": "snoozed"}]}, "pagination": {"per_page": 150}}))
        .await;
    assert_eq!(status, 200);
    let conversation_id = conversations["conversations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list_schema = if version == "2.11" {
        "paginated_conversation_response"
    } else {
        "conversation_list"
    };
    out.push((list_schema, "conversation search page", conversations));
    let contact = api
        .get(&format!("/contacts/{contact_id}"))
        .await
        .json()
        .await
        .unwrap();
    out.push(("contact", "contact", contact));
    let conversation = api
        .get(&format!("/conversations/{conversation_id}"))
        .await
        .json()
        .await
        .unwrap();
    out.push(("conversation", "conversation", conversation));
    out.push((
        "admin_list",
        "admin list",
        api.get("/admins").await.json().await.unwrap(),
    ));
    out.push((
        "data_attribute_list",
        "contact data attributes",
        api.get("/data_attributes?model=contact")
            .await
            .json()
            .await
            .unwrap(),
    ));
    out.push((
        "error",
        "404",
        api.get("/contacts/nope").await.json().await.unwrap(),
    ));
    let (_, bad) = api
        .search(
            "contacts",
            &json!({"query": {"field": "nope", "operator": "=", "value": "x"}}),
        )
        .await;
    out.push(("error", "400", bad));
    let unauthorized = api
        .http
        .get(api.url("/admins"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    out.push(("error", "401", unauthorized));
    out
}

#[tokio::test]
async fn responses_match_the_2_11_schemas() {
    let doc = load_spec("2.11");
    for (schema, what, body) in responses("2.11").await {
        assert_valid(&doc, schema, &body, what);
    }
}

#[tokio::test]
async fn responses_match_the_2_16_schemas() {
    let doc = load_spec("2.16");
    for (schema, what, body) in responses("2.16").await {
        assert_valid(&doc, schema, &body, what);
    }
}

#[tokio::test]
async fn every_conversation_and_contact_of_a_generated_workspace_matches_2_11() {
    let doc = load_spec("2.11");
    let api = Api::new(intercom_sim::generate(60, 5, as_of()), SimConfig::default()).await;
    let (_, page) = api
        .search(
            "conversations",
            &json!({"query": {"field": "id", "operator": "!=", "value": "0"},
                                         "pagination": {"per_page": 150}}),
        )
        .await;
    let conversations = page["conversations"].as_array().unwrap();
    assert!(conversations.len() > 100);
    for c in conversations {
        assert_valid(&doc, "conversation_list_item", c, "conversation");
    }
    let (_, page) = api
        .search(
            "contacts",
            &json!({"query": {"field": "id", "operator": "!=", "value": "0"},
                                    "pagination": {"per_page": 150}}),
        )
        .await;
    for c in page["data"].as_array().unwrap() {
        assert_valid(&doc, "contact", c, "contact");
    }
}

#[tokio::test]
async fn rate_limited_answer_matches_the_error_schema() {
    let api = Api::new(
        intercom_sim::generate(5, 1, as_of()),
        SimConfig {
            rate_limit: 1,
            ..SimConfig::default()
        },
    )
    .await;
    let mut last = Value::Null;
    for _ in 0..3 {
        last = api.get("/admins").await.json().await.unwrap();
    }
    for version in ["2.11", "2.16"] {
        assert_valid(&load_spec(version), "error", &last, "429");
    }
}

fn is_valid(doc: &Value, schema: &str, instance: &Value) -> bool {
    let root =
        json!({"$ref": format!("#/components/schemas/{schema}"), "components": doc["components"]});
    jsonschema::draft202012::new(&root)
        .unwrap()
        .is_valid(instance)
}

#[tokio::test]
async fn the_schemas_tell_versions_apart() {
    // Guards the validation above: the translated schemas do reject wrong shapes.
    let mut api = Api::new(intercom_sim::generate(40, 3, as_of()), SimConfig::default()).await;
    let (_, page) = api
        .search(
            "conversations",
            &json!({"query": {"field": "admin_assignee_id", "operator": "=", "value": null}}),
        )
        .await;
    let unassigned_2_11 = page["conversations"][0].clone();
    assert_eq!(unassigned_2_11["admin_assignee_id"], Value::Null);
    let v16 = load_spec("2.16");
    assert!(!is_valid(&v16, "conversation_list_item", &unassigned_2_11));
    assert!(is_valid(
        &load_spec("2.11"),
        "conversation_list_item",
        &unassigned_2_11
    ));
    api.version = Some("2.16");
    let id = unassigned_2_11["id"].as_str().unwrap();
    let as_2_16: Value = api
        .get(&format!("/conversations/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(as_2_16["admin_assignee_id"], json!(0));
    assert!(is_valid(&v16, "conversation", &as_2_16));
    let mut broken = as_2_16.clone();
    broken.as_object_mut().unwrap().remove("id");
    assert!(!is_valid(&load_spec("2.11"), "conversation", &broken));
}
