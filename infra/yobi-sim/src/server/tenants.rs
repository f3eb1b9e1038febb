//! `GET /admin/tenants`: the account's tenants, paged.

use std::sync::Arc;

use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Map, Value};

use super::{query_pairs, self_url, tenant_list, AppState};
use crate::config::FieldNames;
use crate::error::ApiError;
use ranker_book::Tenant;

/// `{"count", "next", "previous", "results": {"results"|"tenants": [{"tenant_id"|"id",
/// "tenant_name"|"name", "website", "domain"}]}}`.
pub(super) async fn list(
    State(state): State<Arc<AppState>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let pairs = query_pairs(query.as_deref());
    let fields = &state.config.fields;
    let body = tenant_list(
        &state.read(),
        &pairs,
        &self_url(&headers, uri.path()),
        &fields.list,
        Map::new(),
        |t| tenant_item(fields, t),
    )?;
    Ok(Json(body))
}

/// A tenant's identity fields under the configured names.
pub(super) fn identity(fields: &FieldNames, t: &Tenant) -> Map<String, Value> {
    let mut item = Map::new();
    item.insert(fields.tenant_id.clone(), json!(t.tenant_id));
    item.insert(fields.tenant_name.clone(), json!(t.tenant_name));
    item
}

fn tenant_item(fields: &FieldNames, t: &Tenant) -> Value {
    let mut item = identity(fields, t);
    item.insert("website".into(), json!(t.website));
    item.insert("domain".into(), json!(t.domain));
    Value::Object(item)
}
