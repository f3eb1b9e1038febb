//! The CRM endpoints the ranker uses: search with paging and the 10,000 ceiling, associations
//! v4 batch read, company batch read and update, property definitions.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};

use super::client::HubSpotClient;
use super::error::{record_error, HubSpotError, RecordError};

/// Results per search page (HubSpot's maximum).
pub const SEARCH_PAGE_MAX: usize = 200;
/// A search query never pages past this many results; larger sets are split on `createdate`.
pub const SEARCH_CEILING: usize = 10_000;
/// Ids per associations v4 batch read.
pub const ASSOCIATION_BATCH_MAX: usize = 1_000;
/// Inputs per object batch read or update.
pub const OBJECT_BATCH_MAX: usize = 100;

/// A CRM object as HubSpot returns it: `id`, `properties` (values are strings; unset → `None`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CrmObject {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(default)]
    pub properties: BTreeMap<String, Option<String>>,
}

impl CrmObject {
    /// A property's value; unset or `null` → `None`.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.get(name).and_then(|v| v.as_deref())
    }
}

/// A search: `filterGroups` (OR of ANDs, HubSpot's JSON shape) and the properties to return.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchRequest {
    /// e.g. `[{"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value":
    /// "customer"}]}]`; empty: every object.
    pub filter_groups: Vec<Value>,
    pub properties: Vec<String>,
}

/// A company property definition (`GET /crm/v3/properties/companies`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyDefinition {
    pub name: String,
    #[serde(default)]
    pub label: String,
    /// `string`, `number`, `enumeration`, `bool`, `date`, `datetime`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `text`, `textarea`, `select`, `radio`, `checkbox`, `number`, ...
    #[serde(default)]
    pub field_type: String,
    #[serde(default)]
    pub options: Vec<PropertyOption>,
    /// `modificationMetadata.readOnlyValue`.
    #[serde(skip)]
    pub read_only: bool,
}

/// An enumeration option: `value` is what is written, `label` what users see.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PropertyOption {
    pub label: String,
    pub value: String,
}

/// One company's new values, property name → value (`""` clears).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompanyUpdate {
    pub id: String,
    pub properties: BTreeMap<String, String>,
}

/// What a batch update did: every input id is in exactly one of the two lists.
#[derive(Debug, Default)]
pub struct BatchUpdateOutcome {
    /// Ids HubSpot wrote, in input order.
    pub written: Vec<String>,
    /// Ids not written, each with why.
    pub unwritten: Vec<UnwrittenRecord>,
    /// The error that stopped the run of batches (a refused batch, a spent budget); the ids
    /// of that batch and of every later one are in `unwritten`.
    pub stopped_by: Option<HubSpotError>,
}

impl BatchUpdateOutcome {
    /// Whether everything was written.
    pub fn is_complete(&self) -> bool {
        self.unwritten.is_empty()
    }
}

/// An id a batch update did not write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnwrittenRecord {
    pub id: String,
    /// The per-record error (207), the batch's error, or `NOT_ATTEMPTED` after a stop.
    pub category: String,
    pub message: String,
    pub correlation_id: Option<String>,
}

#[derive(Deserialize)]
struct SearchPage {
    #[serde(default)]
    total: usize,
    #[serde(default)]
    results: Vec<CrmObject>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct Paging {
    next: Option<NextPage>,
}

#[derive(Deserialize)]
struct NextPage {
    after: String,
}

#[derive(Deserialize)]
struct BatchAnswer<T> {
    #[serde(default = "Vec::new")]
    results: Vec<T>,
    #[serde(default)]
    errors: Vec<Value>,
}

#[derive(Deserialize)]
struct AssociationResult {
    from: AssociationFrom,
    #[serde(default)]
    to: Vec<AssociationTo>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct AssociationFrom {
    #[serde(deserialize_with = "id_string")]
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssociationTo {
    #[serde(deserialize_with = "id_string")]
    to_object_id: String,
}

/// Ids as strings whether HubSpot sends `"123"` or `123`.
fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "an id must be a string or a number, not {other}"
        ))),
    }
}

fn object_type(object: &str) -> Result<&str, HubSpotError> {
    if object.is_empty()
        || !object
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(HubSpotError::InvalidRequest {
            reason: format!("{object:?} is not an object type"),
        });
    }
    Ok(object)
}

impl HubSpotClient {
    /// Every `object` (`contacts`, `companies`) matching `request`, following `after` to the
    /// end, `SEARCH_PAGE_MAX` per page, paced to 4 searches a second. Results come in
    /// `createdate` order; past [`SEARCH_CEILING`] results the query is continued with
    /// `createdate ≥` the last date seen (each filter group gets that filter, so a group may
    /// hold at most 5 filters of its own), duplicates dropped by id.
    ///
    /// Errors: [`HubSpotError::InvalidRequest`] when more than [`SEARCH_CEILING`] objects
    /// share one `createdate` (no split can page them); any request error.
    pub async fn search_all(
        &self,
        object: &str,
        request: &SearchRequest,
    ) -> Result<Vec<CrmObject>, HubSpotError> {
        let url = self.url(&format!("/crm/v3/objects/{}/search", object_type(object)?));
        let mut properties = request.properties.clone();
        if !properties.iter().any(|p| p == "createdate") {
            properties.push("createdate".into());
        }
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut since: Option<String> = None;
        loop {
            let groups = with_createdate_floor(&request.filter_groups, since.as_deref());
            let mut after: Option<String> = None;
            let mut in_query = 0usize;
            let mut last_date: Option<String> = None;
            let mut new_in_query = 0usize;
            let ceiling_hit = loop {
                let mut body = json!({
                    "filterGroups": groups,
                    "sorts": [{"propertyName": "createdate", "direction": "ASCENDING"}],
                    "properties": properties,
                    "limit": SEARCH_PAGE_MAX,
                });
                if let Some(after) = &after {
                    body["after"] = json!(after);
                }
                let page: SearchPage = self
                    .request(Method::POST, url.clone(), Some(&body), true)
                    .await?;
                in_query += page.results.len();
                for object in page.results {
                    if let Some(d) = object.property("createdate") {
                        last_date = Some(d.to_owned());
                    }
                    if seen.insert(object.id.clone()) {
                        new_in_query += 1;
                        out.push(object);
                    }
                }
                match page.paging.and_then(|p| p.next) {
                    Some(next) if in_query + SEARCH_PAGE_MAX <= SEARCH_CEILING => {
                        after = Some(next.after)
                    }
                    Some(_) => break true,
                    None => break page.total > in_query && in_query >= SEARCH_CEILING,
                }
            };
            if !ceiling_hit {
                return Ok(out);
            }
            if new_in_query == 0 || last_date.is_none() || last_date == since {
                return Err(HubSpotError::InvalidRequest {
                    reason: format!(
                        "more than {SEARCH_CEILING} {object} share createdate {}; the search \
                         cannot be split further",
                        last_date.as_deref().unwrap_or("(none)")
                    ),
                });
            }
            tracing::info!(
                object,
                found = out.len(),
                since = last_date.as_deref(),
                "HubSpot search reached its 10,000 ceiling; continuing from the last createdate"
            );
            since = last_date;
        }
    }

    /// Associated object ids, `from` → `to` (e.g. `contacts` → `companies`), through
    /// associations v4 batch read, [`ASSOCIATION_BATCH_MAX`] ids a call, following each
    /// input's paging. Ids without associations map to an empty list. Duplicate input ids are
    /// read once.
    pub async fn associations(
        &self,
        from: &str,
        to: &str,
        ids: &[String],
    ) -> Result<BTreeMap<String, Vec<String>>, HubSpotError> {
        let url = self.url(&format!(
            "/crm/v4/associations/{}/{}/batch/read",
            object_type(from)?,
            object_type(to)?
        ));
        let unique: BTreeSet<&String> = ids.iter().collect();
        let mut out: BTreeMap<String, Vec<String>> = unique
            .iter()
            .map(|id| ((*id).clone(), Vec::new()))
            .collect();
        let mut pending: Vec<(String, Option<String>)> =
            unique.into_iter().map(|id| (id.clone(), None)).collect();
        while !pending.is_empty() {
            let chunk: Vec<_> = pending
                .drain(..pending.len().min(ASSOCIATION_BATCH_MAX))
                .collect();
            let inputs: Vec<Value> = chunk
                .iter()
                .map(|(id, after)| match after {
                    Some(after) => json!({"id": id, "after": after}),
                    None => json!({"id": id}),
                })
                .collect();
            let answer: BatchAnswer<AssociationResult> = self
                .request(
                    Method::POST,
                    url.clone(),
                    Some(&json!({"inputs": inputs})),
                    false,
                )
                .await?;
            for result in answer.results {
                let targets = out.entry(result.from.id.clone()).or_default();
                for to in result.to {
                    if !targets.contains(&to.to_object_id) {
                        targets.push(to.to_object_id);
                    }
                }
                if let Some(next) = result.paging.and_then(|p| p.next) {
                    pending.push((result.from.id, Some(next.after)));
                }
            }
            // 207 `NO_ASSOCIATIONS_FOUND` errors: those ids keep their empty list.
        }
        Ok(out)
    }

    /// Objects by id with `properties`, [`OBJECT_BATCH_MAX`] per call. Unknown ids are left
    /// out (HubSpot's 207 `OBJECT_NOT_FOUND`).
    pub async fn batch_read(
        &self,
        object: &str,
        ids: &[String],
        properties: &[String],
    ) -> Result<Vec<CrmObject>, HubSpotError> {
        let url = self.url(&format!(
            "/crm/v3/objects/{}/batch/read",
            object_type(object)?
        ));
        let unique: BTreeSet<&String> = ids.iter().collect();
        let unique: Vec<&String> = unique.into_iter().collect();
        let mut out = Vec::new();
        for chunk in unique.chunks(OBJECT_BATCH_MAX) {
            let inputs: Vec<Value> = chunk.iter().map(|id| json!({"id": id})).collect();
            let body = json!({"inputs": inputs, "properties": properties});
            let answer: BatchAnswer<CrmObject> = self
                .request(Method::POST, url.clone(), Some(&body), false)
                .await?;
            out.extend(answer.results);
        }
        Ok(out)
    }

    /// Writes `updates` to companies, [`OBJECT_BATCH_MAX`] per call, in order. HubSpot's
    /// batches are not atomic: a 207's per-record errors land in
    /// [`BatchUpdateOutcome::unwritten`], the rest in `written`. A refused batch (a 400 for a
    /// bad value, a `DAILY` 429, retries exhausted) stops the run: its ids and every later
    /// one are `unwritten` and the error is `stopped_by`. Two updates of one id are refused
    /// before any call ([`HubSpotError::InvalidRequest`]).
    pub async fn update_companies(
        &self,
        updates: &[CompanyUpdate],
    ) -> Result<BatchUpdateOutcome, HubSpotError> {
        let mut ids = HashSet::new();
        if let Some(dup) = updates.iter().find(|u| !ids.insert(u.id.as_str())) {
            return Err(HubSpotError::InvalidRequest {
                reason: format!("company {} is updated twice", dup.id),
            });
        }
        let url = self.url("/crm/v3/objects/companies/batch/update");
        let mut outcome = BatchUpdateOutcome::default();
        for (i, chunk) in updates.chunks(OBJECT_BATCH_MAX).enumerate() {
            if outcome.stopped_by.is_some() {
                outcome
                    .unwritten
                    .extend(chunk.iter().map(|u| UnwrittenRecord {
                        id: u.id.clone(),
                        category: "NOT_ATTEMPTED".into(),
                        message: "not sent: an earlier batch failed".into(),
                        correlation_id: None,
                    }));
                continue;
            }
            let body = json!({ "inputs": chunk });
            match self
                .request::<BatchAnswer<CrmObject>>(Method::POST, url.clone(), Some(&body), false)
                .await
            {
                Ok(answer) => {
                    let mut failed: BTreeMap<String, RecordError> = BTreeMap::new();
                    for e in answer.errors.iter().map(record_error) {
                        for id in &e.ids {
                            failed.insert(id.clone(), e.clone());
                        }
                    }
                    let returned: HashSet<String> =
                        answer.results.into_iter().map(|o| o.id).collect();
                    for u in chunk {
                        if let Some(e) = failed.get(&u.id) {
                            outcome.unwritten.push(UnwrittenRecord {
                                id: u.id.clone(),
                                category: e.category.clone(),
                                message: e.message.clone(),
                                correlation_id: None,
                            });
                        } else if returned.contains(&u.id) {
                            outcome.written.push(u.id.clone());
                        } else {
                            outcome.unwritten.push(UnwrittenRecord {
                                id: u.id.clone(),
                                category: "UNKNOWN".into(),
                                message: "neither in the answer's results nor in its errors".into(),
                                correlation_id: None,
                            });
                        }
                    }
                }
                Err(error) => {
                    tracing::warn!(batch = i, %error, "HubSpot company batch update refused");
                    outcome
                        .unwritten
                        .extend(chunk.iter().map(|u| UnwrittenRecord {
                            id: u.id.clone(),
                            category: error.category().unwrap_or("NO_RESPONSE").to_owned(),
                            message: error.to_string(),
                            correlation_id: error.correlation_id().map(str::to_owned),
                        }));
                    outcome.stopped_by = Some(error);
                }
            }
        }
        Ok(outcome)
    }

    /// Every company property definition (`GET /crm/v3/properties/companies`).
    pub async fn company_properties(&self) -> Result<Vec<PropertyDefinition>, HubSpotError> {
        #[derive(Deserialize)]
        struct List {
            results: Vec<Value>,
        }
        let list: List = self
            .request(
                Method::GET,
                self.url("/crm/v3/properties/companies"),
                None,
                false,
            )
            .await?;
        list.results.iter().map(property_definition).collect()
    }

    /// One company property definition; `None` when HubSpot answers 404.
    pub async fn company_property(
        &self,
        name: &str,
    ) -> Result<Option<PropertyDefinition>, HubSpotError> {
        let mut url = self.url("/crm/v3/properties/companies");
        url.path_segments_mut()
            .expect("an http(s) URL has path segments")
            .push(name);
        match self.request::<Value>(Method::GET, url, None, false).await {
            Ok(value) => property_definition(&value).map(Some),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn property_definition(value: &Value) -> Result<PropertyDefinition, HubSpotError> {
    let mut def: PropertyDefinition =
        serde_json::from_value(value.clone()).map_err(|e| HubSpotError::Decode {
            method: "GET".into(),
            path: "/crm/v3/properties/companies".into(),
            reason: e.to_string(),
        })?;
    def.read_only = value
        .pointer("/modificationMetadata/readOnlyValue")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(def)
}

/// `groups`, each with `createdate GTE since` added (one group of it alone when empty).
fn with_createdate_floor(groups: &[Value], since: Option<&str>) -> Vec<Value> {
    let Some(since) = since else {
        return groups.to_vec();
    };
    let floor = json!({"propertyName": "createdate", "operator": "GTE", "value": since});
    if groups.is_empty() {
        return vec![json!({"filters": [floor]})];
    }
    groups
        .iter()
        .map(|g| {
            let mut g = g.clone();
            match g.get_mut("filters").and_then(Value::as_array_mut) {
                Some(filters) => filters.push(floor.clone()),
                None => g["filters"] = json!([floor.clone()]),
            }
            g
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_as_strings_or_numbers() {
        let a: AssociationTo = serde_json::from_value(json!({"toObjectId": 42})).unwrap();
        assert_eq!(a.to_object_id, "42");
        let o: CrmObject =
            serde_json::from_value(json!({"id": "7", "properties": {"name": null}})).unwrap();
        assert_eq!(o.property("name"), None);
    }

    #[test]
    fn the_floor_joins_every_group() {
        let groups = vec![
            json!({"filters": [{"propertyName": "a"}]}),
            json!({"filters": []}),
        ];
        let out = with_createdate_floor(&groups, Some("2025-01-01"));
        assert_eq!(out[0]["filters"].as_array().unwrap().len(), 2);
        assert_eq!(out[1]["filters"][0]["operator"], "GTE");
        assert_eq!(with_createdate_floor(&[], Some("x")).len(), 1);
        assert_eq!(with_createdate_floor(&groups, None), groups);
    }

    #[test]
    fn property_definitions_keep_options_and_read_only() {
        let def = property_definition(&json!({
            "name": "customer_engagement_tier", "label": "Tier", "type": "enumeration",
            "fieldType": "select",
            "options": [{"label": "Top 30%", "value": "Top 30%", "hidden": false}],
            "modificationMetadata": {"readOnlyValue": true}
        }))
        .unwrap();
        assert_eq!(def.kind, "enumeration");
        assert_eq!(def.options[0].value, "Top 30%");
        assert!(def.read_only);
    }
}
