//! Properties v3: the company property definitions.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

use super::objects::object_type;
use super::AppState;
use crate::error::ApiError;
use crate::store::ObjectType;

/// `GET /crm/v3/properties/{type}`: `{"results": [Property]}` (contacts have none here).
pub(super) async fn list(
    State(state): State<Arc<AppState>>,
    Path(ty): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let results = match object_type(&ty)? {
        ObjectType::Companies => state.read().catalog.all().to_vec(),
        ObjectType::Contacts => Vec::new(),
    };
    Ok(Json(json!({"results": results})))
}

/// `GET /crm/v3/properties/{type}/{name}`.
pub(super) async fn show(
    State(state): State<Arc<AppState>>,
    Path((ty, name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let ty = object_type(&ty)?;
    let store = state.read();
    let found = match ty {
        ObjectType::Companies => store.catalog.get(&name).cloned(),
        ObjectType::Contacts => None,
    };
    found.map(Json).ok_or_else(|| {
        ApiError::not_found(format!(
            "Property \"{name}\" does not exist on {}",
            ty.singular()
        ))
    })
}
