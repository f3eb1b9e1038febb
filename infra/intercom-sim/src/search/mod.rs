//! Contact and conversation search: query language, execution, sorting and cursor snapshots.

pub mod fields;
pub mod query;
pub mod snapshot;

use std::cmp::Ordering;

use serde_json::Value;

use crate::error::ApiError;
use crate::store::Store;
use fields::{Accessor, FieldCatalog, Kind, Model};
use query::{Node, Test};

/// Maximum and default page sizes.
pub const MAX_PER_PAGE: u64 = 150;

pub fn default_per_page(model: Model) -> u64 {
    match model {
        Model::Contact => 50,
        Model::Conversation => 20,
    }
}

/// A parsed `sort` object.
#[derive(Debug, Clone)]
pub struct Sort {
    accessor: Accessor,
    kind: Kind,
    descending: bool,
}

/// Parses `{"field": .., "order": "ascending"|"descending"}` (order defaults to descending).
pub fn parse_sort(v: &Value, catalog: &FieldCatalog) -> Result<Sort, ApiError> {
    let field = v
        .get("field")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid("sort needs a field"))?;
    let (accessor, kind) = catalog
        .resolve(field)
        .ok_or_else(|| ApiError::invalid(format!("'{field}' is not a sortable field")))?;
    let descending = match v
        .get("order")
        .and_then(Value::as_str)
        .unwrap_or("descending")
    {
        "descending" => true,
        "ascending" => false,
        other => {
            return Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "invalid_sort_order",
                format!("Invalid sort order '{other}'. Must be one of: ascending, descending"),
            ))
        }
    };
    Ok(Sort {
        accessor,
        kind,
        descending,
    })
}

/// Positions of every matching object of a model, in answer order (store order unless sorted).
/// Merged contacts are never returned.
///
/// Objects are stored as JSON (see [`crate::store::compact`]): each candidate is parsed only
/// for the top-level keys the query, the sort and the merged check read, and its sort key is
/// taken once, not in every comparison.
pub fn execute(store: &Store, model: Model, query: &Node, sort: Option<&Sort>) -> Vec<u32> {
    let objects = store.objects(model);
    let mut keys: Vec<&str> = Vec::new();
    query.top_keys(&mut keys);
    if let Some(sort) = sort {
        keys.push(sort.accessor.top_key());
    }
    if model == Model::Contact {
        keys.push("merged");
    }
    let candidates: Box<dyn Iterator<Item = u32>> = match narrow(store, model, query) {
        Some(positions) => Box::new(positions.into_iter()),
        None => Box::new(0..objects.len() as u32),
    };
    let mut hits: Vec<(u32, Option<SortKey>)> = candidates
        .filter_map(|p| {
            let obj = objects.project(p, &keys);
            let merged = model == Model::Contact && obj.get("merged") == Some(&Value::Bool(true));
            (!merged && query.matches(&obj)).then(|| (p, sort.and_then(|s| sort_key(&obj, s))))
        })
        .collect();
    if let Some(sort) = sort {
        // Stable: equal keys keep store order.
        hits.sort_by(|(_, a), (_, b)| {
            let order = compare_keys(a, b);
            if sort.descending {
                order.reverse()
            } else {
                order
            }
        });
    }
    hits.into_iter().map(|(p, _)| p).collect()
}

/// Candidate positions from an index, a superset of the matches in store order, when the query
/// (alone or in a top-level AND) pins `id` or `contact_ids` with `=`/`IN`, or bounds a field
/// with a sorted index (`created_at`, `updated_at`) with a date filter; the smallest candidate
/// set wins. Per-contact lookups and date-window scans then read only their candidates.
fn narrow(store: &Store, model: Model, query: &Node) -> Option<Vec<u32>> {
    let conditions: &[Node] = match query {
        Node::And(items) => items,
        node => std::slice::from_ref(node),
    };
    let pinned = conditions.iter().find_map(|node| match node {
        Node::Filter(f) if !f.negated => match (&f.test, &f.accessor) {
            (Test::OneOf(values), Accessor::ContactIds) => Some((true, values)),
            (Test::OneOf(values), Accessor::Path(p)) if p.len() == 1 && p[0] == "id" => {
                Some((false, values))
            }
            _ => None,
        },
        _ => None,
    });
    if let Some((by_contact, values)) = pinned {
        let mut positions: Vec<u32> = if by_contact {
            values
                .iter()
                .flat_map(|id| store.conversations_of(id).iter().copied())
                .collect()
        } else {
            values
                .iter()
                .filter_map(|id| store.position(model, id))
                .collect()
        };
        positions.sort_unstable();
        positions.dedup();
        return Some(positions);
    }
    // Every date filter on an indexed field must hold, so their ranges intersect.
    let mut ranges: Vec<(&str, Option<i64>, Option<i64>)> = Vec::new();
    for node in conditions {
        let Node::Filter(f) = node else { continue };
        let (Test::Within(from, until), Accessor::Path(path)) = (&f.test, &f.accessor) else {
            continue;
        };
        let [field] = &path[..] else { continue };
        if f.negated || store.date_index(model, field).is_none() {
            continue;
        }
        match ranges.iter_mut().find(|(name, ..)| name == field) {
            Some((_, lo, hi)) => {
                *lo = (*lo).max(*from);
                *hi = match (*hi, *until) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            None => ranges.push((field, *from, *until)),
        }
    }
    let (index, from, until) = ranges
        .into_iter()
        .filter_map(|(field, from, until)| Some((store.date_index(model, field)?, from, until)))
        .min_by_key(|(index, from, until)| index.count(*from, *until))?;
    let mut positions: Vec<u32> = index.range(from, until).collect();
    positions.sort_unstable();
    Some(positions)
}

#[derive(Debug, PartialEq, PartialOrd)]
enum SortKey {
    Num(f64),
    Text(String),
}

fn sort_key(obj: &Value, sort: &Sort) -> Option<SortKey> {
    let v = match &sort.accessor {
        Accessor::ContactIds => fields::conversation_contact_ids(obj).next(),
        accessor => accessor.single(obj),
    }?;
    let numeric = matches!(sort.kind, Kind::Date | Kind::Integer | Kind::Float);
    match v {
        Value::Number(n) => n.as_f64().map(SortKey::Num),
        Value::String(s) if numeric => s.parse().ok().map(SortKey::Num),
        Value::String(s) => Some(SortKey::Text(s.clone())),
        Value::Bool(b) => Some(SortKey::Num(f64::from(u8::from(*b)))),
        _ => None,
    }
}

/// Missing values sort after present ones in ascending order.
fn compare_keys(a: &Option<SortKey>, b: &Option<SortKey>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}
