//! CRM search (`POST /crm/v3/objects/{type}/search`): filter groups (OR of ANDs), one sort,
//! `properties`, `limit` up to 200, numeric `after` cursors and the 10,000-result ceiling.
//!
//! Values compare as numbers when both sides are plain decimals, as instants when both read
//! as dates (ISO 8601, `YYYY-MM-DD` or epoch milliseconds, as HubSpot accepts for date
//! properties), and otherwise as case-insensitive text.

use std::cmp::Ordering;

use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::properties::{instant_ms, is_number};
use crate::store::{ObjectType, Record, Table};

/// HubSpot's limits: 5 groups, 6 filters in a group, 18 filters in all, 200 per page, and no
/// page past the first 10,000 results.
pub const MAX_GROUPS: usize = 5;
pub const MAX_FILTERS_PER_GROUP: usize = 6;
pub const MAX_FILTERS: usize = 18;
pub const MAX_LIMIT: usize = 200;
pub const DEFAULT_LIMIT: usize = 10;
pub const RESULT_CEILING: usize = 10_000;

/// `PublicObjectSearchRequest`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    #[serde(default)]
    pub filter_groups: Vec<FilterGroup>,
    #[serde(default)]
    pub sorts: Vec<Value>,
    #[serde(default)]
    pub properties: Vec<String>,
    pub limit: Option<i64>,
    pub after: Option<Value>,
    pub query: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct FilterGroup {
    #[serde(default)]
    pub filters: Vec<Filter>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    pub property_name: String,
    pub operator: String,
    pub value: Option<Value>,
    pub values: Option<Vec<Value>>,
    pub high_value: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
enum Test {
    Eq(String),
    Neq(String),
    Lt(String),
    Lte(String),
    Gt(String),
    Gte(String),
    Between(String, String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Has,
    NotHas,
    ContainsToken(String),
    NotContainsToken(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Condition {
    property: String,
    test: Test,
}

/// A checked search.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    groups: Vec<Vec<Condition>>,
    sort: Option<(String, bool)>,
    text: Option<String>,
    pub properties: Vec<String>,
    pub limit: usize,
    pub after: usize,
}

/// One page of results.
pub struct Page<'a> {
    pub total: usize,
    pub results: Vec<&'a Record>,
    /// The next page's `after`, when there are more results (even past the ceiling: asking
    /// for that page is what fails).
    pub next_after: Option<usize>,
}

fn scalar(v: &Value, what: &str) -> Result<String, ApiError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(ApiError::invalid(format!(
            "{what} must be a string, not {v}"
        ))),
    }
}

impl Filter {
    fn condition(&self) -> Result<Condition, ApiError> {
        let name = &self.property_name;
        let value = || -> Result<String, ApiError> {
            self.value
                .as_ref()
                .ok_or_else(|| {
                    ApiError::invalid(format!(
                        "filter on {name} with {} needs a value",
                        self.operator
                    ))
                })
                .and_then(|v| scalar(v, "value"))
        };
        let values = || -> Result<Vec<String>, ApiError> {
            match &self.values {
                Some(vs) if !vs.is_empty() => vs.iter().map(|v| scalar(v, "values")).collect(),
                _ => Err(ApiError::invalid(format!(
                    "filter on {name} with {} needs values",
                    self.operator
                ))),
            }
        };
        let test = match self.operator.as_str() {
            "EQ" => Test::Eq(value()?),
            "NEQ" => Test::Neq(value()?),
            "LT" => Test::Lt(value()?),
            "LTE" => Test::Lte(value()?),
            "GT" => Test::Gt(value()?),
            "GTE" => Test::Gte(value()?),
            "BETWEEN" => {
                let high = self
                    .high_value
                    .as_ref()
                    .ok_or_else(|| ApiError::invalid(format!("BETWEEN on {name} needs a highValue")))?;
                Test::Between(value()?, scalar(high, "highValue")?)
            }
            "IN" => Test::In(values()?),
            "NOT_IN" => Test::NotIn(values()?),
            "HAS_PROPERTY" => Test::Has,
            "NOT_HAS_PROPERTY" => Test::NotHas,
            "CONTAINS_TOKEN" => Test::ContainsToken(value()?),
            "NOT_CONTAINS_TOKEN" => Test::NotContainsToken(value()?),
            other => {
                return Err(ApiError::invalid(format!(
                    "Invalid input JSON: unknown filter operator {other:?}; expected one of EQ, NEQ, LT, LTE, \
                     GT, GTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN, \
                     NOT_CONTAINS_TOKEN"
                )))
            }
        };
        Ok(Condition {
            property: name.clone(),
            test,
        })
    }
}

impl SearchRequest {
    /// Checks the request against HubSpot's limits.
    pub fn check(self, ty: ObjectType) -> Result<Query, ApiError> {
        let groups = self.filter_groups.len();
        let filters: usize = self.filter_groups.iter().map(|g| g.filters.len()).sum();
        if groups > MAX_GROUPS
            || filters > MAX_FILTERS
            || self
                .filter_groups
                .iter()
                .any(|g| g.filters.len() > MAX_FILTERS_PER_GROUP)
        {
            return Err(ApiError::invalid(format!(
                "Too many filters: at most {MAX_GROUPS} filterGroups of at most \
                 {MAX_FILTERS_PER_GROUP} filters, {MAX_FILTERS} filters in total (got {groups} \
                 groups, {filters} filters)"
            )));
        }
        let conditions = self
            .filter_groups
            .iter()
            .map(|g| g.filters.iter().map(Filter::condition).collect())
            .collect::<Result<Vec<Vec<_>>, _>>()?;
        let limit = match self.limit {
            None => DEFAULT_LIMIT,
            Some(n) if (0..=MAX_LIMIT as i64).contains(&n) => n as usize,
            Some(n) => {
                return Err(ApiError::invalid(format!(
                    "limit must be between 0 and {MAX_LIMIT}, was {n}"
                )))
            }
        };
        let after = match &self.after {
            None => 0,
            Some(v) => scalar(v, "after")?.parse::<usize>().map_err(|_| {
                ApiError::invalid(format!(
                    "after must be a paging cursor from a previous page, was {v}"
                ))
            })?,
        };
        if after >= RESULT_CEILING {
            return Err(ApiError::invalid(format!(
                "Search results are limited to {RESULT_CEILING} per query; after={after} is past that. \
                 Split the query (e.g. by createdate ranges)."
            )));
        }
        let sort = self.sorts.first().map(sort_of).transpose()?;
        let properties = if self.properties.is_empty() {
            ty.default_properties()
                .iter()
                .map(|p| (*p).to_owned())
                .collect()
        } else {
            self.properties
        };
        Ok(Query {
            groups: conditions,
            sort,
            text: self
                .query
                .filter(|q| !q.trim().is_empty())
                .map(|q| q.trim().to_lowercase()),
            properties,
            limit,
            after,
        })
    }
}

/// `"prop"`, `"-prop"` or `{"propertyName", "direction": "ASCENDING" | "DESCENDING"}` →
/// (property, ascending).
fn sort_of(v: &Value) -> Result<(String, bool), ApiError> {
    match v {
        Value::String(s) => Ok(match s.strip_prefix('-') {
            Some(p) => (p.to_owned(), false),
            None => (s.clone(), true),
        }),
        Value::Object(o) => {
            let name = o
                .get("propertyName")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::invalid("a sort needs a propertyName"))?;
            let ascending = match o.get("direction").and_then(Value::as_str) {
                None | Some("ASCENDING") => true,
                Some("DESCENDING") => false,
                Some(d) => {
                    return Err(ApiError::invalid(format!(
                        "sort direction must be ASCENDING or DESCENDING, was {d:?}"
                    )))
                }
            };
            Ok((name.to_owned(), ascending))
        }
        other => Err(ApiError::invalid(format!(
            "a sort must be a string or an object, not {other}"
        ))),
    }
}

impl Query {
    /// Runs the query over the live objects of `table`.
    pub fn run<'a>(&self, ty: ObjectType, table: &'a Table) -> Page<'a> {
        let mut hits: Vec<&Record> = table
            .live()
            .filter(|r| {
                self.groups.is_empty() || self.groups.iter().any(|g| g.iter().all(|c| c.holds(r)))
            })
            .filter(|r| self.text.as_ref().is_none_or(|q| text_match(ty, r, q)))
            .collect();
        if let Some((property, ascending)) = &self.sort {
            // Unset values last either way; equal values keep id order.
            hits.sort_by(
                |a, b| match (a.props.get(property), b.props.get(property)) {
                    (Some(x), Some(y)) => {
                        let o = compare(x, y);
                        if *ascending {
                            o
                        } else {
                            o.reverse()
                        }
                    }
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                },
            );
        }
        let total = hits.len();
        let end = (self.after + self.limit).min(total).min(RESULT_CEILING);
        let start = self.after.min(end);
        Page {
            total,
            results: hits[start..end].to_vec(),
            next_after: (end < total && self.limit > 0).then_some(end),
        }
    }
}

impl Condition {
    fn holds(&self, r: &Record) -> bool {
        let v = r
            .props
            .get(&self.property)
            .map(String::as_str)
            .filter(|v| !v.is_empty());
        let cmp = |w: &str| v.map(|v| compare(v, w));
        match &self.test {
            Test::Eq(w) => cmp(w) == Some(Ordering::Equal),
            Test::Neq(w) => cmp(w) != Some(Ordering::Equal),
            Test::Lt(w) => cmp(w) == Some(Ordering::Less),
            Test::Lte(w) => matches!(cmp(w), Some(Ordering::Less | Ordering::Equal)),
            Test::Gt(w) => cmp(w) == Some(Ordering::Greater),
            Test::Gte(w) => matches!(cmp(w), Some(Ordering::Greater | Ordering::Equal)),
            Test::Between(lo, hi) => {
                matches!(cmp(lo), Some(Ordering::Greater | Ordering::Equal))
                    && matches!(cmp(hi), Some(Ordering::Less | Ordering::Equal))
            }
            Test::In(ws) => ws.iter().any(|w| cmp(w) == Some(Ordering::Equal)),
            Test::NotIn(ws) => !ws.iter().any(|w| cmp(w) == Some(Ordering::Equal)),
            Test::Has => v.is_some(),
            Test::NotHas => v.is_none(),
            Test::ContainsToken(w) => v.is_some_and(|v| contains_token(v, w)),
            Test::NotContainsToken(w) => !v.is_some_and(|v| contains_token(v, w)),
        }
    }
}

/// Numbers as numbers, dates as instants, anything else as case-insensitive text.
fn compare(a: &str, b: &str) -> Ordering {
    if is_number(a) && is_number(b) {
        if let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) {
            return x.partial_cmp(&y).unwrap_or(Ordering::Equal);
        }
    }
    if let (Some(x), Some(y)) = (instant_ms(a), instant_ms(b)) {
        return x.cmp(&y);
    }
    a.to_lowercase().cmp(&b.to_lowercase())
}

/// Whether the value, or one of its words, matches `pattern` (`*` matches any run of
/// characters), ignoring case.
fn contains_token(value: &str, pattern: &str) -> bool {
    let value = value.to_lowercase();
    let pattern = pattern.to_lowercase();
    glob(&value, &pattern) || value.split_whitespace().any(|w| glob(w, &pattern))
}

fn glob(text: &str, pattern: &str) -> bool {
    match pattern.split_once('*') {
        None => text == pattern,
        Some((head, rest)) => {
            let Some(tail) = text.strip_prefix(head) else {
                return false;
            };
            (0..=tail.len())
                .filter(|&i| tail.is_char_boundary(i))
                .any(|i| glob(&tail[i..], rest))
        }
    }
}

fn text_match(ty: ObjectType, r: &Record, q: &str) -> bool {
    ty.searchable_properties()
        .iter()
        .filter_map(|p| r.props.get(*p))
        .any(|v| v.to_lowercase().contains(q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_compare_by_kind() {
        assert_eq!(compare("9", "10"), Ordering::Less);
        assert_eq!(
            compare("2024-01-02T00:00:00.000Z", "1704067200000"),
            Ordering::Greater
        );
        assert_eq!(compare("2024-01-01", "1704067200000"), Ordering::Equal);
        assert_eq!(compare("Customer", "customer"), Ordering::Equal);
        assert_eq!(compare("b", "A"), Ordering::Greater);
    }

    #[test]
    fn tokens_match_words_or_the_whole_value_with_wildcards() {
        assert!(contains_token("jane@gmail.com", "*@gmail.com"));
        assert!(contains_token("Bright Smiles Dental", "smiles"));
        assert!(contains_token("Bright Smiles Dental", "smi*"));
        assert!(!contains_token("Bright Smiles Dental", "smile"));
        assert!(glob("abc", "a*c") && glob("ac", "a*c") && !glob("ab", "a*c"));
    }

    #[test]
    fn sorts_take_strings_or_objects() {
        assert_eq!(
            sort_of(&Value::from("-createdate")).unwrap(),
            ("createdate".into(), false)
        );
        let o = serde_json::json!({"propertyName": "name", "direction": "DESCENDING"});
        assert_eq!(sort_of(&o).unwrap(), ("name".into(), false));
        let bad = serde_json::json!({"propertyName": "name", "direction": "UP"});
        assert!(sort_of(&bad).is_err());
    }
}
