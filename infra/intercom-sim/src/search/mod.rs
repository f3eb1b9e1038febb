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
pub fn execute(store: &Store, model: Model, query: &Node, sort: Option<&Sort>) -> Vec<u32> {
    let objects = store.objects(model);
    let candidates: Box<dyn Iterator<Item = u32>> = match narrow(store, model, query) {
        Some(positions) => Box::new(positions.into_iter()),
        None => Box::new(0..objects.len() as u32),
    };
    let mut hits: Vec<u32> = candidates
        .filter(|&p| {
            let obj = &objects[p as usize];
            !(model == Model::Contact && obj.get("merged") == Some(&Value::Bool(true)))
                && query.matches(obj)
        })
        .collect();
    if let Some(sort) = sort {
        let key = |p: &u32| sort_key(&objects[*p as usize], sort);
        hits.sort_by(|a, b| {
            let order = compare_keys(&key(a), &key(b));
            if sort.descending {
                order.reverse()
            } else {
                order
            }
        });
    }
    hits
}

/// Candidate positions from an index when the query pins `id` or `contact_ids` with `=`/`IN`
/// (at the top or in a top-level AND), so per-contact lookups do not scan everything.
fn narrow(store: &Store, model: Model, query: &Node) -> Option<Vec<u32>> {
    let pinned = |node: &Node| match node {
        Node::Filter(f) if !f.negated => match (&f.test, &f.accessor) {
            (Test::OneOf(values), Accessor::ContactIds) => Some((true, values.clone())),
            (Test::OneOf(values), Accessor::Path(p)) if p.len() == 1 && p[0] == "id" => {
                Some((false, values.clone()))
            }
            _ => None,
        },
        _ => None,
    };
    let (by_contact, values) = match query {
        Node::And(items) => items.iter().find_map(pinned)?,
        node => pinned(node)?,
    };
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
