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
    let candidates: Vec<u32> = match narrow(store, model, query) {
        Some(positions) => positions,
        None => (0..objects.len() as u32).collect(),
    };
    let mut hits: Vec<(u32, Option<SortKey>)> = scan(&candidates, |p| {
        let obj = objects.project(p, &keys);
        let merged = model == Model::Contact && obj.get("merged") == Some(&Value::Bool(true));
        (!merged && query.matches(&obj)).then(|| (p, sort.and_then(|s| sort_key(&obj, s))))
    });
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

/// `test` applied to every candidate, the results in candidate order. A long scan (a query no
/// index narrows parses up to a million objects) is split over the machine's cores.
fn scan<T: Send>(candidates: &[u32], test: impl Fn(u32) -> Option<T> + Sync) -> Vec<T> {
    const MIN_PER_THREAD: usize = 20_000;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(candidates.len() / MIN_PER_THREAD).max(1);
    if threads == 1 {
        return candidates.iter().filter_map(|&p| test(p)).collect();
    }
    let test = &test;
    std::thread::scope(|scope| {
        let parts: Vec<_> = candidates
            .chunks(candidates.len().div_ceil(threads))
            .map(|chunk| {
                scope.spawn(move || chunk.iter().filter_map(|&p| test(p)).collect::<Vec<T>>())
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|part| part.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Candidate positions from an index, a superset of the matches in store order, when the query
/// (alone or in its AND groups, see [`conjuncts`]) pins `id` or `contact_ids` with `=`/`IN`, or bounds a field
/// with a sorted index (`created_at`, `updated_at`) with a date filter; the smallest candidate
/// set wins. Per-contact lookups and date-window scans then read only their candidates.
fn narrow(store: &Store, model: Model, query: &Node) -> Option<Vec<u32>> {
    let mut conditions: Vec<&Node> = Vec::new();
    conjuncts(query, &mut conditions);
    let pinned = conditions.iter().find_map(|node| match *node {
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

/// The conditions that must all hold for a query to match: the query itself, or the members
/// of its AND groups (an AND inside an AND included).
fn conjuncts<'a>(query: &'a Node, out: &mut Vec<&'a Node>) {
    match query {
        Node::And(items) => items.iter().for_each(|n| conjuncts(n, out)),
        node => out.push(node),
    }
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

#[cfg(test)]
mod tests {
    //! A search narrowed by a date index must answer exactly what a scan of every object does.

    use chrono::NaiveDate;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use serde_json::json;

    use super::*;
    use crate::store::compact::CompactWorkspace;

    const DAY: i64 = 86_400;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()
    }

    /// The 120 days before as-of, where objects sit on day boundaries.
    fn boundary_days() -> impl Iterator<Item = (i64, NaiveDate)> {
        (0..120).map(|d| (d, as_of() - chrono::Duration::days(120 - d)))
    }

    /// Coaching and support workloads, plus contacts whose dates are stored oddly (numeric
    /// strings, floats, null, missing) or that are merged, and contacts and conversations
    /// dated a second before, at and after local midnight (where a range that is off by one
    /// would show).
    fn store() -> Store {
        let as_of = as_of();
        let support = crate::SupportWorkload {
            conversations: 200,
            days: 60,
        };
        let mut ws =
            crate::generate(120, 11, as_of).merge(crate::generate_support(&support, 11, as_of));
        let t = 1_741_000_000_i64;
        ws.contacts.extend([
            json!({"id": "odd-1", "created_at": t.to_string(), "updated_at": (t + DAY).to_string()}),
            json!({"id": "odd-2", "created_at": t as f64 + 0.5, "updated_at": null}),
            json!({"id": "odd-3", "role": "lead"}),
            json!({"id": "odd-4", "created_at": t, "updated_at": t + 2 * DAY, "merged": true}),
            json!({"id": "odd-5", "created_at": "soon", "updated_at": t - 3 * DAY}),
        ]);
        let tz = chrono_tz::America::New_York;
        for (d, day) in boundary_days() {
            let midnight = query::start_of_day(day, tz);
            let (created, updated) = (midnight + d % 3 - 1, midnight + (d + 1) % 3 - 1);
            ws.contacts
                .push(json!({"id": format!("midnight-{d}"), "created_at": created,
                                    "updated_at": updated}));
            ws.conversations
                .push(json!({"id": format!("midnight-{d}"), "created_at": created,
                                         "updated_at": updated,
                                         "custom_attributes": {"Channel": "Phone"}}));
        }
        Store::new(CompactWorkspace::from(ws))
    }

    /// What `execute` answers without any index: every object (parsed whole beforehand)
    /// tested, then sorted stably.
    fn full_scan(model: Model, all: &[Value], query: &Node, sort: Option<&Sort>) -> Vec<u32> {
        let mut hits: Vec<(u32, &Value)> = (0..all.len() as u32)
            .zip(all)
            .filter(|(_, obj)| {
                !(model == Model::Contact && obj.get("merged") == Some(&Value::Bool(true)))
                    && query.matches(obj)
            })
            .collect();
        if let Some(sort) = sort {
            hits.sort_by(|(_, a), (_, b)| {
                let order = compare_keys(&sort_key(a, sort), &sort_key(b, sort));
                if sort.descending {
                    order.reverse()
                } else {
                    order
                }
            });
        }
        hits.into_iter().map(|(p, _)| p).collect()
    }

    /// Query shapes around a window `[from, until)`: single filters, bounds in a top-level
    /// AND, a nested AND, an extra condition, two indexed fields at once, and an OR (which
    /// must not be narrowed).
    fn shapes(model: Model, field: &str, from: i64, until: i64) -> Vec<Value> {
        let other = if field == "updated_at" {
            "created_at"
        } else {
            "updated_at"
        };
        let f = |op: &str, v: i64| json!({"field": field, "operator": op, "value": v});
        let and = |items: Vec<Value>| json!({"operator": "AND", "value": items});
        let extra = match model {
            Model::Conversation => json!({"field": "custom_attributes.Channel", "operator": "IN",
                                          "value": ["Phone", "Video Conference", "Chat"]}),
            Model::Contact => json!({"field": "role", "operator": "=", "value": "user"}),
        };
        vec![
            f(">", from),
            f("<", until),
            f("=", from),
            json!({"field": field, "operator": ">", "value": from.to_string()}),
            and(vec![f(">", from), f("<", until)]),
            and(vec![f(">", from), f("<", until), extra.clone()]),
            and(vec![extra.clone(), and(vec![f(">", from), f("<", until)])]),
            and(vec![f(">", until), f("<", from)]),
            and(vec![
                f(">", from),
                json!({"field": other, "operator": "<", "value": until}),
            ]),
            and(vec![f("=", until), extra.clone()]),
            json!({"operator": "OR", "value": [f("<", from), f(">", until)]}),
            and(vec![
                f(">", from),
                json!({"operator": "OR", "value": [f("<", until), extra]}),
            ]),
        ]
    }

    fn sorts() -> Vec<Option<Value>> {
        vec![
            None,
            Some(json!({"field": "updated_at", "order": "ascending"})),
            Some(json!({"field": "created_at"})),
            Some(json!({"field": "id", "order": "ascending"})),
        ]
    }

    /// Random windows over the span of each indexed field, every query shape, a random sort
    /// each; returns how many queries an index narrowed.
    fn check_windows(store: &Store, rng: &mut ChaCha8Rng, rounds: usize) -> usize {
        let tz = chrono_tz::America::New_York;
        let sorts = sorts();
        let mut narrowed = 0;
        for model in [Model::Contact, Model::Conversation] {
            let catalog = store.catalog(model);
            let all = store.objects(model).values();
            for field in ["updated_at", "created_at"] {
                let index = store.date_index(model, field).unwrap();
                let keys: Vec<i64> = all.iter().filter_map(|o| index.key(o)).collect();
                let lo = keys.iter().min().unwrap() - 3 * DAY;
                let hi = keys.iter().max().unwrap() + 3 * DAY;
                let (first, last) = (boundary_days().next().unwrap().1, as_of());
                let boundaries = query::start_of_day(first, tz)..query::start_of_day(last, tz);
                for round in 0..rounds {
                    // Every other window starts among the objects on day boundaries.
                    let from = if round % 2 == 0 {
                        rng.random_range(boundaries.clone())
                    } else {
                        rng.random_range(lo..hi)
                    };
                    let until = from + rng.random_range(0..12) * DAY + rng.random_range(0..DAY);
                    for shape in shapes(model, field, from, until) {
                        let query = query::parse(&shape, catalog, tz).unwrap();
                        if narrow(store, model, &query).is_some_and(|c| c.len() < all.len()) {
                            narrowed += 1;
                        }
                        let sort = sorts[rng.random_range(0..sorts.len())]
                            .as_ref()
                            .map(|s| parse_sort(s, catalog).unwrap());
                        assert_eq!(
                            execute(store, model, &query, sort.as_ref()),
                            full_scan(model, &all, &query, sort.as_ref()),
                            "{model:?} {shape} sorted by {sort:?}"
                        );
                    }
                }
            }
        }
        narrowed
    }

    #[test]
    fn date_window_searches_narrowed_by_an_index_answer_what_a_full_scan_does() {
        let store = store();
        let mut rng = ChaCha8Rng::seed_from_u64(2026);
        let narrowed = check_windows(&store, &mut rng, 12);
        assert!(
            narrowed > 100,
            "the index was used ({narrowed} narrowed queries)"
        );
    }

    #[test]
    fn the_index_follows_contact_updates() {
        let mut store = store();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let t = 1_741_000_000_i64;
        for p in (0..store.contacts.len() as u32).step_by(7) {
            let old = store.contacts.get(p);
            let mut new = old.clone();
            let value = match p % 3 {
                0 => json!(t + rng.random_range(-40..40) * DAY),
                1 => json!((t + rng.random_range(-40..40) * DAY).to_string()),
                _ => Value::Null,
            };
            if let Some(obj) = new.as_object_mut() {
                obj.insert("updated_at".into(), value);
            }
            store.contacts.replace(p, &old, &new);
        }
        check_windows(&store, &mut rng, 4);
    }
}
