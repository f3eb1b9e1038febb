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

/// Validates many instances against one schema, compiling it once.
struct Schema(jsonschema::Validator);

impl Schema {
    fn new(doc: &Value, schema: &str) -> Self {
        let root = json!({"$ref": format!("#/components/schemas/{schema}"), "components": doc["components"]});
        Self(jsonschema::draft202012::new(&root).expect("schema compiles"))
    }

    fn check(&self, instance: &Value, what: &str) {
        let errors: Vec<String> = self
            .0
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .take(10)
            .collect();
        assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
    }
}

fn support_workspace() -> intercom_sim::Workspace {
    let workload = intercom_sim::SupportWorkload {
        conversations: 160,
        days: 30,
    };
    intercom_sim::generate_support(&workload, 5, as_of())
}

/// Every conversation of a support workspace, as `GET /conversations/{id}` returns it.
async fn support_conversations(version: &'static str) -> Vec<Value> {
    let ws = support_workspace();
    let ids: Vec<String> = ws
        .conversations
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    let mut api = Api::new(ws, SimConfig::default()).await;
    api.version = Some(version);
    let mut out = Vec::new();
    for id in ids {
        let r = api.get(&format!("/conversations/{id}")).await;
        assert_eq!(r.status(), 200);
        out.push(r.json().await.unwrap());
    }
    out
}

fn parts(c: &Value) -> &Vec<Value> {
    c["conversation_parts"]["conversation_parts"]
        .as_array()
        .unwrap()
}

#[tokio::test]
async fn support_conversations_with_parts_match_the_2_11_schema() {
    let doc = load_spec("2.11");
    let conversation = Schema::new(&doc, "conversation");
    let conversations = support_conversations("2.11").await;
    for c in &conversations {
        conversation.check(c, &format!("conversation {}", c["id"]));
        assert!(c["statistics"].get("handling_time").is_none());
        for p in parts(c) {
            assert!(p["author"].get("from_ai_agent").is_none());
            assert!(p.get("state").is_none());
        }
    }
    // What was validated: bots, notes, ratings, tags and a truncated conversation.
    let all_parts = || conversations.iter().flat_map(parts);
    assert!(all_parts().any(|p| p["author"]["type"] == "bot"));
    assert!(all_parts().any(|p| p["part_type"] == "note"));
    assert!(all_parts().any(|p| p["assigned_to"]["type"] == "team"));
    assert!(conversations
        .iter()
        .any(|c| c.get("conversation_rating").is_some()));
    assert!(conversations
        .iter()
        .any(|c| !c["tags"]["tags"].as_array().unwrap().is_empty()));
    assert!(conversations.iter().any(|c| parts(c).len() == 500));
}

#[tokio::test]
async fn support_conversations_with_parts_and_statistics_match_the_2_16_schema() {
    let doc = load_spec("2.16");
    let conversation = Schema::new(&doc, "conversation");
    let statistics = Schema::new(&doc, "conversation_statistics");
    let part = Schema::new(&doc, "conversation_part");
    let conversations = support_conversations("2.16").await;
    let mut with_handling_time = 0;
    for c in &conversations {
        let what = format!("conversation {}", c["id"]);
        conversation.check(c, &what);
        statistics.check(&c["statistics"], &what);
        for p in parts(c) {
            part.check(p, &what);
            assert!(p["author"]["from_ai_agent"].is_boolean(), "{p}");
            assert!(p["state"].is_string());
        }
        if c["statistics"]["handling_time"].is_i64() {
            with_handling_time += 1;
            assert!(c["statistics"]["adjusted_handling_time"].is_i64());
        }
    }
    assert!(with_handling_time > conversations.len() / 2);
    assert!(conversations
        .iter()
        .flat_map(parts)
        .any(|p| p["author"]["is_ai_answer"] == true));
}

#[tokio::test]
async fn support_search_pages_and_contacts_match_both_versions() {
    for (version, list_schema) in [
        ("2.11", "paginated_conversation_response"),
        ("2.16", "conversation_list"),
    ] {
        let doc = load_spec(version);
        let mut api = Api::new(support_workspace(), SimConfig::default()).await;
        api.version = Some(version);
        let (status, page) = api
            .search(
                "conversations",
                &json!({"query": {"field": "statistics.count_reopens", "operator": ">", "value": -1},
                        "sort": {"field": "updated_at", "order": "ascending"},
                        "pagination": {"per_page": 150}}),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["conversations"].as_array().unwrap().len(), 150);
        Schema::new(&doc, list_schema).check(&page, "support search page");
        let (_, contacts) = api
            .search(
                "contacts",
                &json!({"query": {"field": "location.country", "operator": "!=", "value": "United States"},
                        "pagination": {"per_page": 150}}),
            )
            .await;
        let contact = Schema::new(&doc, "contact");
        for c in contacts["data"].as_array().unwrap() {
            contact.check(c, "support contact");
        }
    }
}

#[tokio::test]
async fn the_part_schema_does_check_parts() {
    // Guards the validation above: a part without an author fails 2.11's conversation schema.
    let doc = load_spec("2.11");
    let mut c = support_conversations("2.11")
        .await
        .into_iter()
        .find(|c| !parts(c).is_empty())
        .unwrap();
    assert!(is_valid(&doc, "conversation", &c));
    c["conversation_parts"]["conversation_parts"][0]
        .as_object_mut()
        .unwrap()
        .remove("author");
    assert!(!is_valid(&doc, "conversation", &c));
}
