//! CRM objects: search, batch read, batch update (companies) and one object by id.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{query_flag, query_list, AppState};
use crate::error::{parse_body, record_error, ApiError};
use crate::search::SearchRequest;
use crate::store::{iso, ObjectType, Record};

/// Inputs of one batch read or update, as HubSpot allows.
pub const MAX_BATCH: usize = 100;

pub(super) fn object_type(s: &str) -> Result<ObjectType, ApiError> {
    ObjectType::parse(s)
        .ok_or_else(|| ApiError::not_found(format!("Unable to infer object type from: {s}")))
}

/// An id given as a string or a number.
fn id_of(v: &Value) -> Result<String, ApiError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(ApiError::invalid(format!(
            "an id must be a string, not {other}"
        ))),
    }
}

fn too_many(n: usize, max: usize) -> ApiError {
    ApiError::invalid(format!(
        "Too many inputs: the batch has {n}, the maximum is {max}"
    ))
}

/// A batch answer: 200, or 207 when some inputs failed.
pub(super) fn batch_answer(results: Vec<Value>, errors: Vec<Value>) -> Response {
    let now = iso(Utc::now());
    let mut body =
        json!({"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now});
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        body["numErrors"] = json!(errors.len());
        body["errors"] = Value::Array(errors);
        StatusCode::MULTI_STATUS
    };
    (status, Json(body)).into_response()
}

fn not_found_in_batch(ty: ObjectType, ids: Vec<String>) -> Value {
    record_error(
        "OBJECT_NOT_FOUND",
        format!(
            "Could not get some {} objects, they may be deleted or not exist. Check that ids are valid.",
            ty.singular().to_uppercase()
        ),
        json!({"ids": ids}),
    )
}

/// `POST /crm/v3/objects/{type}/search`.
pub(super) async fn search(
    State(state): State<Arc<AppState>>,
    Path(ty): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let ty = object_type(&ty)?;
    let request: SearchRequest = if body.is_empty() {
        SearchRequest::default()
    } else {
        parse_body(&body)?
    };
    let query = request.check(ty)?;
    let store = state.read();
    let page = query.run(ty, store.table(ty));
    let results: Vec<Value> = page
        .results
        .iter()
        .map(|r| r.render(ty, &query.properties))
        .collect();
    let mut out = json!({"total": page.total, "results": results});
    if let Some(after) = page.next_after {
        out["paging"] = json!({"next": {"after": after.to_string()}});
    }
    Ok(Json(out))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchRead {
    inputs: Vec<IdInput>,
    #[serde(default)]
    properties: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    properties_with_history: Vec<String>,
    id_property: Option<String>,
}

#[derive(Deserialize)]
struct IdInput {
    id: Value,
}

/// `POST /crm/v3/objects/{type}/batch/read` (`?archived=true` reads archived objects).
pub(super) async fn batch_read(
    State(state): State<Arc<AppState>>,
    Path(ty): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ty = object_type(&ty)?;
    let request: BatchRead = parse_body(&body)?;
    if request.inputs.len() > MAX_BATCH {
        return Err(too_many(request.inputs.len(), MAX_BATCH));
    }
    let archived = query_flag(query.as_deref(), "archived");
    let properties = if request.properties.is_empty() {
        ty.default_properties()
            .iter()
            .map(|p| (*p).to_owned())
            .collect()
    } else {
        request.properties
    };
    let by = request.id_property.filter(|p| p != "hs_object_id");
    let store = state.read();
    let table = store.table(ty);
    let (mut results, mut missing, mut seen) = (Vec::new(), Vec::new(), BTreeSet::new());
    for input in &request.inputs {
        let id = id_of(&input.id)?;
        if !seen.insert(id.clone()) {
            continue;
        }
        let found: Option<&Record> = match &by {
            None => table.get(&id).filter(|r| r.archived == archived),
            Some(p) => table.live().find(|r| r.props.get(p) == Some(&id)),
        };
        match found {
            Some(r) => results.push(r.render(ty, &properties)),
            None => missing.push(id),
        }
    }
    let errors = if missing.is_empty() {
        vec![]
    } else {
        vec![not_found_in_batch(ty, missing)]
    };
    Ok(batch_answer(results, errors))
}

#[derive(Deserialize)]
struct BatchUpdate {
    inputs: Vec<UpdateInput>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateInput {
    id: Value,
    #[serde(default)]
    properties: BTreeMap<String, Value>,
    id_property: Option<String>,
    object_write_trace_id: Option<String>,
}

/// One input, checked.
struct Update {
    id: String,
    values: BTreeMap<String, String>,
    trace: Option<String>,
}

/// `POST /crm/v3/objects/companies/batch/update`: every value is checked against the
/// property definitions first (one bad value refuses the whole batch with a 400); then each
/// company is written, except unknown ones and the configured failures (a 207).
pub(super) async fn batch_update(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: BatchUpdate = parse_body(&body)?;
    if request.inputs.len() > MAX_BATCH {
        return Err(too_many(request.inputs.len(), MAX_BATCH));
    }
    let mut updates = Vec::with_capacity(request.inputs.len());
    let mut seen = BTreeSet::new();
    let mut duplicates = BTreeSet::new();
    for input in request.inputs {
        if input
            .id_property
            .as_deref()
            .is_some_and(|p| p != "hs_object_id")
        {
            return Err(ApiError::invalid(
                "the simulator updates companies by record id only (no idProperty)",
            ));
        }
        let id = id_of(&input.id)?;
        if !seen.insert(id.clone()) {
            duplicates.insert(id.clone());
        }
        let values = input
            .properties
            .into_iter()
            .map(|(k, v)| match v {
                Value::Null => Ok((k, String::new())),
                Value::String(s) => Ok((k, s)),
                Value::Number(n) => Ok((k, n.to_string())),
                Value::Bool(b) => Ok((k, b.to_string())),
                other => Err(ApiError::invalid(format!(
                    "property {k}: a value must be a string, not {other}"
                ))),
            })
            .collect::<Result<_, _>>()?;
        updates.push(Update {
            id,
            values,
            trace: input.object_write_trace_id,
        });
    }
    if !duplicates.is_empty() {
        let list: Vec<String> = duplicates.into_iter().collect();
        return Err(ApiError::invalid(format!(
            "Duplicate IDs found in batch input: [{}]",
            list.join(", ")
        )));
    }
    check_values(&state, &updates)?;

    let now = Utc::now();
    let mut store = state.write();
    let (mut results, mut errors, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    for u in &updates {
        if store.companies.get(&u.id).is_none_or(|r| r.archived) {
            missing.push(u.id.clone());
            continue;
        }
        if fails_this_time(&state, &u.id) {
            let mut context = json!({"ids": [u.id]});
            if let Some(trace) = &u.trace {
                context["objectWriteTraceId"] = json!([trace]);
            }
            errors.push(record_error(
                "CONFLICT",
                format!("Company {} could not be updated right now (a failure the simulator was told to inject); retry the update", u.id),
                context,
            ));
            continue;
        }
        let names: Vec<String> = u.values.keys().cloned().collect();
        if let Some(record) = store.update_company(&u.id, &u.values, now) {
            results.push(record.render(ObjectType::Companies, &names));
        }
    }
    if !missing.is_empty() {
        errors.push(not_found_in_batch(ObjectType::Companies, missing));
    }
    state.stats.add("records_updated", results.len() as u64);
    state
        .stats
        .add("records_failed", (updates.len() - results.len()) as u64);
    if !errors.is_empty() {
        state.stats.event("multi_status");
    }
    Ok(batch_answer(results, errors))
}

/// HubSpot's 400 for values the property definitions refuse: `message` "Property values were
/// not valid: [...]" (its JSON list), `errors` with each `code` (`INVALID_OPTION`,
/// `PROPERTY_DOESNT_EXIST`, ...) and the property and company in `context`.
fn check_values(state: &AppState, updates: &[Update]) -> Result<(), ApiError> {
    let store = state.read();
    let mut listed = Vec::new();
    let mut errors = Vec::new();
    for u in updates {
        for (name, value) in &u.values {
            if let Err(p) = store.catalog.check(name, value) {
                listed.push(json!({
                    "isValid": false,
                    "message": p.message,
                    "error": p.code,
                    "name": name,
                    "localizedErrorMessage": p.message,
                }));
                errors.push(json!({
                    "message": p.message,
                    "code": p.code,
                    "in": name,
                    "context": {"propertyName": [name], "objectId": [u.id]},
                }));
            }
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    state.stats.event("validation_error");
    Err(ApiError::invalid(format!(
        "Property values were not valid: {}",
        Value::Array(listed)
    ))
    .with_errors(errors))
}

/// Whether this attempt to update `id` is one of its configured failures.
fn fails_this_time(state: &AppState, id: &str) -> bool {
    if !state.config.failing_company_updates.contains(id) {
        return false;
    }
    let mut attempts = state
        .failed_attempts
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let n = attempts.entry(id.to_owned()).or_default();
    let fail = state
        .config
        .failing_update_attempts
        .is_none_or(|max| *n < max);
    if fail {
        *n += 1;
    }
    fail
}

/// `GET /crm/v3/objects/{type}/{id}?properties=a,b&archived=true`.
pub(super) async fn show(
    State(state): State<Arc<AppState>>,
    Path((ty, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let ty = object_type(&ty)?;
    let mut properties = query_list(query.as_deref(), "properties");
    if properties.is_empty() {
        properties = ty
            .default_properties()
            .iter()
            .map(|p| (*p).to_owned())
            .collect();
    }
    let archived = query_flag(query.as_deref(), "archived");
    let store = state.read();
    store
        .table(ty)
        .get(&id)
        .filter(|r| r.archived == archived)
        .map(|r| Json(r.render(ty, &properties)))
        .ok_or_else(|| ApiError::not_found("resource not found"))
}
