//! Read-only endpoints: one conversation, admins, data attributes, `/me`, and `/_sim/stats`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};

use super::AppState;
use crate::error::ApiError;
use crate::render;
use crate::search::fields::Model;
use crate::stats::SimStats;
use crate::store::Teammate;
use crate::version::ApiVersion;

pub async fn conversation(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let version = ApiVersion::from_headers(&headers)?;
    if state.config.failing_conversation_reads.contains(&id) {
        return Err(ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "Internal server error",
        ));
    }
    let store = state.read();
    let p = store
        .position(Model::Conversation, &id)
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(render::conversation(
        &store.conversations.get(p),
        version,
        Some(&*store),
    )))
}

pub async fn admins(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    ApiVersion::from_headers(&headers)?;
    let store = state.read();
    let admins: Vec<Value> = store
        .teammates(Teammate::Admin)
        .map(render::admin)
        .collect();
    Ok(Json(json!({"type": "admin.list", "admins": admins})))
}

/// `GET /teams`: the fixture's `team` entries (`id`, `name`, `admin_ids`).
pub async fn teams(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    ApiVersion::from_headers(&headers)?;
    let store = state.read();
    let teams: Vec<Value> = store.teammates(Teammate::Team).map(render::team).collect();
    Ok(Json(json!({"type": "team.list", "teams": teams})))
}

pub async fn data_attributes(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    ApiVersion::from_headers(&headers)?;
    let model = params.get("model").map(String::as_str);
    if let Some(m) = model {
        if !["contact", "company", "conversation"].contains(&m) {
            return Err(ApiError::invalid(format!(
                "model '{m}' is not valid; use contact, company or conversation"
            )));
        }
    }
    let include_archived = params.get("include_archived").is_some_and(|v| v == "true");
    let store = state.read();
    let data: Vec<Value> = store
        .data_attributes
        .iter()
        .filter(|a| model.is_none_or(|m| a.get("model").and_then(Value::as_str) == Some(m)))
        .filter(|a| include_archived || a.get("archived") != Some(&Value::Bool(true)))
        .cloned()
        .collect();
    Ok(Json(json!({"type": "list", "data": data})))
}

pub async fn me(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    ApiVersion::from_headers(&headers)?;
    let store = state.read();
    let mut me = store.teammates(Teammate::Admin).next().map(render::admin).unwrap_or_else(|| {
        render::admin(
            &json!({"id": "7100000", "name": "Simulator Owner", "email": "owner@sim.example.com"}),
        )
    });
    if let Some(obj) = me.as_object_mut() {
        obj.insert("email_verified".into(), json!(true));
        obj.insert(
            "app".into(),
            json!({
                "type": "app",
                "id_code": render::DEFAULT_WORKSPACE_ID,
                "name": "Coaching Program (simulated)",
                "created_at": 1_600_000_000,
                "secure": true,
                "identity_verification": false,
                "timezone": state.config.workspace_tz.name(),
                "region": "US",
            }),
        );
    }
    Ok(Json(me))
}

pub async fn stats(State(state): State<Arc<AppState>>) -> Json<SimStats> {
    Json(state.stats.snapshot())
}
