//! `GET /contacts/{id}` and `PUT /contacts/{id}`.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{Map, Value};

use super::search::json_body;
use super::AppState;
use crate::error::ApiError;
use crate::render;
use crate::search::fields::{FieldCatalog, Kind};
use crate::version::ApiVersion;

pub async fn show(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let version = ApiVersion::from_headers(&headers)?;
    let store = state.read();
    let (_, contact) = store.visible_contact(&id).ok_or_else(ApiError::not_found)?;
    Ok(Json(render::contact(&contact, version)))
}

/// Updates standard fields and merges `custom_attributes` by name; answers the updated contact.
/// The whole body is checked before anything is applied.
pub async fn update(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let version = ApiVersion::from_headers(&headers)?;
    if state.config.failing_contact_updates.contains(&id) {
        return Err(ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "Internal server error",
        ));
    }
    let body = json_body(&body)?;
    let Value::Object(body) = body else {
        return Err(ApiError::invalid("request body must be a JSON object"));
    };
    let mut store = state.write();
    let (p, stored) = store.visible_contact(&id).ok_or_else(ApiError::not_found)?;
    let changes = plan_update(&body, &store.contact_fields)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut updated = stored.clone();
    let contact = updated.as_object_mut().ok_or_else(ApiError::not_found)?;
    for (key, value) in changes.standard {
        contact.insert(key, value);
    }
    if !changes.custom.is_empty() {
        let attrs = contact
            .entry("custom_attributes")
            .or_insert_with(|| Value::Object(Map::new()));
        if !attrs.is_object() {
            *attrs = Value::Object(Map::new());
        }
        if let Value::Object(attrs) = attrs {
            attrs.extend(changes.custom);
        }
    }
    contact.insert("updated_at".into(), Value::from(now));
    // Stored again as compact JSON; the updated_at index moves with it.
    store.contacts.replace(p, &stored, &updated);
    state.stats.contact_written(&id);
    Ok(Json(render::contact(&updated, version)))
}

#[derive(Debug, Default)]
struct Changes {
    standard: Vec<(String, Value)>,
    custom: Vec<(String, Value)>,
}

fn plan_update(body: &Map<String, Value>, catalog: &FieldCatalog) -> Result<Changes, ApiError> {
    let mut changes = Changes::default();
    for (key, value) in body {
        let wrong = |what: &str| ApiError::invalid(format!("{key} must be {what}, got {value}"));
        let stored = match key.as_str() {
            "custom_attributes" => {
                match value {
                    Value::Null => {}
                    Value::Object(attrs) => {
                        for (name, v) in attrs {
                            changes
                                .custom
                                .push((name.clone(), check_custom(catalog, name, v)?));
                        }
                    }
                    _ => return Err(wrong("an object")),
                }
                continue;
            }
            "role" => match value.as_str() {
                Some("user" | "lead") => value.clone(),
                _ => return Err(wrong("'user' or 'lead'")),
            },
            "email" => match value {
                Value::String(_) => value.clone(),
                _ => return Err(wrong("a string")),
            },
            "external_id" | "phone" | "name" | "avatar" | "language_override" => match value {
                Value::String(_) | Value::Null => value.clone(),
                _ => return Err(wrong("a string or null")),
            },
            "signed_up_at" | "last_seen_at" => match value {
                Value::Number(n) if n.is_i64() || n.is_u64() => value.clone(),
                Value::Null => Value::Null,
                _ => return Err(wrong("unix seconds (an integer) or null")),
            },
            "owner_id" => match value {
                Value::Null => Value::Null,
                Value::Number(n) if n.is_u64() => value.clone(),
                Value::String(s) if s.parse::<u64>().is_ok() => {
                    Value::from(s.parse::<u64>().unwrap_or(0))
                }
                _ => return Err(wrong("an admin id")),
            },
            "unsubscribed_from_emails" => match value {
                Value::Bool(_) | Value::Null => value.clone(),
                _ => return Err(wrong("a boolean")),
            },
            // Intercom ignores properties it does not update.
            _ => continue,
        };
        changes.standard.push((key.clone(), stored));
    }
    Ok(changes)
}

/// A custom attribute must be declared for contacts, API-writable, and of its data type
/// (null always allowed).
fn check_custom(catalog: &FieldCatalog, name: &str, value: &Value) -> Result<Value, ApiError> {
    let declared = catalog
        .declared(name)
        .ok_or_else(|| ApiError::invalid(format!("Custom attribute '{name}' does not exist")))?;
    if !declared.api_writable {
        return Err(ApiError::invalid(format!(
            "Custom attribute '{name}' is not writable via the API"
        )));
    }
    let ok = match (declared.kind, value) {
        (_, Value::Null) => true,
        (Kind::Date | Kind::Integer, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Kind::Float, Value::Number(_)) => true,
        (Kind::String, Value::String(_)) => true,
        (Kind::Boolean, Value::Bool(_)) => true,
        _ => false,
    };
    if !ok {
        let expected = match declared.kind {
            Kind::Date => "a date (unix seconds as an integer)",
            Kind::Integer => "an integer",
            Kind::Float => "a number",
            Kind::String => "a string",
            Kind::Boolean => "a boolean",
        };
        return Err(ApiError::invalid(format!(
            "Custom attribute '{name}' must be {expected}, got {value}"
        )));
    }
    Ok(value.clone())
}
