//! `POST /contacts/search` and `POST /conversations/search`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};

use super::AppState;
use crate::error::ApiError;
use crate::render;
use crate::search::fields::Model;
use crate::search::snapshot::{CursorTarget, Snapshot};
use crate::search::{default_per_page, execute, parse_sort, query, MAX_PER_PAGE};
use crate::version::ApiVersion;

pub async fn contacts(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    search(&state, &headers, &body, Model::Contact)
}

pub async fn conversations(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    search(&state, &headers, &body, Model::Conversation)
}

/// Parses a JSON request body.
pub fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid(format!("request body is not valid JSON: {e}")))
}

fn per_page(pagination: Option<&Value>, model: Model) -> Result<u64, ApiError> {
    let Some(v) = pagination
        .and_then(|p| p.get("per_page"))
        .filter(|v| !v.is_null())
    else {
        return Ok(default_per_page(model));
    };
    match v.as_u64() {
        Some(n) if (1..=MAX_PER_PAGE).contains(&n) => Ok(n),
        _ => Err(ApiError::invalid(format!(
            "per_page must be an integer between 1 and {MAX_PER_PAGE}, got {v}"
        ))),
    }
}

fn search(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    model: Model,
) -> Result<Json<Value>, ApiError> {
    let version = ApiVersion::from_headers(headers)?;
    let body = json_body(body)?;
    if let (Model::Conversation, Some((from, to))) =
        (model, state.config.failing_updated_at_searches)
    {
        if body
            .get("query")
            .is_some_and(|q| has_updated_at_in(q, from, to))
        {
            return Err(ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "Internal server error",
            ));
        }
    }
    let pagination = body.get("pagination").filter(|p| !p.is_null());
    let per_page = per_page(pagination, model)? as usize;
    let starting_after = match pagination.and_then(|p| p.get("starting_after")) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "starting_after must be a string, got {other}"
            )))
        }
    };
    let store = state.read();
    let (snapshot_id, snapshot, offset) = match starting_after {
        Some(cursor) => {
            let stale = || {
                ApiError::invalid(format!(
                    "starting_after '{cursor}' is not a valid cursor (unknown or expired)"
                ))
            };
            let target = state.snapshots.decode(cursor).ok_or_else(stale)?;
            let snapshot = state
                .snapshots
                .get(target.snapshot)
                .filter(|s| s.model == model && target.offset <= s.positions.len())
                .ok_or_else(stale)?;
            (target.snapshot, snapshot, target.offset)
        }
        None => {
            let query = body
                .get("query")
                .filter(|q| !q.is_null())
                .ok_or_else(|| ApiError::invalid("query is required"))?;
            let catalog = store.catalog(model);
            let node = query::parse(query, catalog, state.config.workspace_tz)?;
            let sort = match body.get("sort").filter(|s| !s.is_null()) {
                Some(s) => Some(parse_sort(s, catalog)?),
                None => None,
            };
            let positions = execute(&store, model, &node, sort.as_ref());
            let snapshot = Snapshot { model, positions };
            if snapshot.positions.len() > per_page {
                let (id, snapshot) = state.snapshots.insert(snapshot);
                (id, snapshot, 0)
            } else {
                // A single page needs no cursor, so it does not take a slot in the cache
                // (many small lookups must not evict a long scan's snapshot).
                (0, Arc::new(snapshot), 0)
            }
        }
    };
    let total = snapshot.positions.len();
    let end = (offset + per_page).min(total);
    let page = offset / per_page + 1;
    let mut pages = json!({
        "type": "pages",
        "page": page,
        "per_page": per_page,
        "total_pages": total.div_ceil(per_page),
    });
    if end < total {
        let cursor = state.snapshots.cursor(CursorTarget {
            snapshot: snapshot_id,
            offset: end,
        });
        // per_page is repeated in `next` because 2.11's starting_after_paging requires it.
        pages["next"] = json!({"page": page + 1, "starting_after": cursor, "per_page": per_page});
    }
    let objects = store.objects(model);
    let items = snapshot.positions[offset..end].iter().map(|&p| {
        let obj = objects.get(p);
        match model {
            Model::Contact => render::contact(&obj, version),
            Model::Conversation => render::conversation(&obj, version, None),
        }
    });
    Ok(Json(match model {
        Model::Contact => json!({
            "type": "list", "data": items.collect::<Vec<_>>(), "total_count": total, "pages": pages,
        }),
        Model::Conversation => json!({
            "type": "conversation.list", "conversations": items.collect::<Vec<_>>(),
            "total_count": total, "pages": pages,
        }),
    }))
}

/// Whether `query` holds an `updated_at` condition whose value lies in `[from, to]`.
fn has_updated_at_in(query: &Value, from: i64, to: i64) -> bool {
    if query.get("field").and_then(Value::as_str) == Some("updated_at") {
        return query
            .get("value")
            .and_then(Value::as_i64)
            .is_some_and(|v| (from..=to).contains(&v));
    }
    query
        .get("value")
        .and_then(Value::as_array)
        .is_some_and(|parts| parts.iter().any(|q| has_updated_at_in(q, from, to)))
}
