//! Associations v4: `POST /crm/v4/associations/{from}/{to}/batch/read`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};

use super::objects::{batch_answer, object_type};
use super::AppState;
use crate::error::{parse_body, record_error, ApiError};
use crate::store::association_label;

/// Inputs of one associations batch read.
pub const MAX_INPUTS: usize = 1000;
/// Associated objects per input and page; `paging.next.after` with the input's id reads on.
pub const PAGE: usize = 500;

#[derive(Deserialize)]
struct Request {
    inputs: Vec<Input>,
}

#[derive(Deserialize)]
struct Input {
    id: Value,
    after: Option<String>,
}

/// Each input with associations gives `{"from": {"id"}, "to": [{"toObjectId", "associationTypes":
/// [{"category", "typeId", "label"}]}]}`; each without gives a `NO_ASSOCIATIONS_FOUND` error
/// (a 207), as HubSpot answers.
pub(super) async fn batch_read(
    State(state): State<Arc<AppState>>,
    Path((from, to)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (from, to) = (object_type(&from)?, object_type(&to)?);
    let request: Request = parse_body(&body)?;
    if request.inputs.len() > MAX_INPUTS {
        return Err(ApiError::invalid(format!(
            "Too many inputs: the batch has {}, the maximum is {MAX_INPUTS}",
            request.inputs.len()
        )));
    }
    let numeric = state.config.numeric_association_ids;
    let store = state.read();
    let (mut results, mut errors) = (Vec::new(), Vec::new());
    for input in &request.inputs {
        let id = match &input.id {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            other => {
                return Err(ApiError::invalid(format!(
                    "an id must be a string, not {other}"
                )))
            }
        };
        let start: usize = match input.after.as_deref() {
            None => 0,
            Some(a) => a.parse().map_err(|_| {
                ApiError::invalid(format!(
                    "after must be a cursor from a previous page, was {a:?}"
                ))
            })?,
        };
        let linked = store.associated(from, to, &id);
        if linked.is_empty() {
            let mut error = record_error(
                "OBJECT_NOT_FOUND",
                format!(
                    "No {} is associated with {} {id}.",
                    to.singular(),
                    from.singular()
                ),
                json!({"fromObjectId": [id], "fromObjectType": [from.singular()], "toObjectType": [to.singular()]}),
            );
            error["subCategory"] = json!("crm.associations.NO_ASSOCIATIONS_FOUND");
            errors.push(error);
            continue;
        }
        let page: Vec<Value> = linked
            .iter()
            .skip(start)
            .take(PAGE)
            .map(|(target, types)| {
                let target = if numeric { json!(target) } else { json!(target.to_string()) };
                let types: Vec<Value> = types
                    .iter()
                    .map(|t| json!({"category": "HUBSPOT_DEFINED", "typeId": t, "label": association_label(*t)}))
                    .collect();
                json!({"toObjectId": target, "associationTypes": types})
            })
            .collect();
        let mut result = json!({"from": {"id": id}, "to": page});
        if start + PAGE < linked.len() {
            result["paging"] = json!({"next": {"after": (start + PAGE).to_string()}});
        }
        results.push(result);
    }
    Ok(batch_answer(results, errors))
}
