//! Conformance of JSON bodies to `docs/openapi.yaml` (test support; feature `openapi-check`).
//!
//! The document is compiled into the crate, so the check does not depend on the working
//! directory. OpenAPI 3.1 schemas are JSON Schema draft 2020-12, so a component schema is
//! checked by a root schema `{"$ref": <pointer>, "components": <the document's components>}`,
//! with `format` (date-time, date) asserted.

use serde_json::{json, Value};

/// `docs/openapi.yaml`, as compiled in.
pub const OPENAPI_YAML: &str = include_str!("../../../docs/openapi.yaml");

/// The OpenAPI document as JSON.
pub fn openapi_document() -> Value {
    serde_yaml::from_str(OPENAPI_YAML).expect("docs/openapi.yaml is YAML")
}

/// Checks `instance` against the schema at `pointer` (`#/components/schemas/CaseloadResponse`).
/// `Err` lists up to 20 violations with their instance paths.
pub fn conforms(pointer: &str, instance: &Value) -> Result<(), String> {
    let doc = openapi_document();
    let root = json!({"$ref": pointer, "components": doc["components"]});
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .map_err(|e| format!("schema {pointer} does not compile: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .take(20)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "does not conform to {pointer}:\n{}",
            errors.join("\n")
        ))
    }
}
