//! Intercom's search query language: parsing (with Intercom's limits) and matching.
//!
//! A query is a filter `{"field","operator","value"}` or a group
//! `{"operator":"AND"|"OR","value":[..]}`; groups nest at most 2 deep and hold at most 15
//! items. Date fields match by calendar day in the workspace time zone: `=` is the whole
//! local day of the value, `>` starts at the next local day, `<` ends before the value's day.

use std::borrow::Cow;

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use serde_json::Value;

use super::fields::{Accessor, FieldCatalog, Kind};
use crate::error::ApiError;

/// Deepest allowed group nesting.
pub const MAX_NESTING: usize = 2;
/// Most items allowed in one AND/OR group.
pub const MAX_GROUP_ITEMS: usize = 15;

/// A parsed query.
#[derive(Debug, Clone)]
pub enum Node {
    Filter(Filter),
    And(Vec<Node>),
    Or(Vec<Node>),
}

/// One filter, ready to test objects.
#[derive(Debug, Clone)]
pub struct Filter {
    pub accessor: Accessor,
    pub kind: Kind,
    pub test: Test,
    /// `!=`, `NIN`, `!~`: the negation of `=`, `IN`, `~`.
    pub negated: bool,
}

/// The positive test a filter applies to a field's value.
#[derive(Debug, Clone)]
pub enum Test {
    /// `= null`: the field is missing or null.
    IsNull,
    /// `=`/`IN` on canonical string forms (ids compare as strings: 42 matches "42").
    OneOf(Vec<String>),
    /// `=`/`IN` on floats.
    NumOneOf(Vec<f64>),
    Greater(f64),
    Less(f64),
    GreaterEq(f64),
    LessEq(f64),
    Contains(String),
    StartsWith(String),
    EndsWith(String),
    /// Unix seconds in `[from, until)`; a date filter after day truncation.
    Within(Option<i64>, Option<i64>),
}

/// Parses a query against a model's fields; every problem is a 400 `parameter_invalid`.
pub fn parse(query: &Value, catalog: &FieldCatalog, tz: Tz) -> Result<Node, ApiError> {
    parse_node(query, catalog, tz, 0)
}

fn parse_node(v: &Value, catalog: &FieldCatalog, tz: Tz, depth: usize) -> Result<Node, ApiError> {
    let Some(obj) = v.as_object() else {
        return Err(ApiError::invalid("query must be an object"));
    };
    if obj.contains_key("field") {
        return parse_filter(obj, catalog, tz).map(Node::Filter);
    }
    let op = obj.get("operator").and_then(Value::as_str).unwrap_or("");
    if op != "AND" && op != "OR" {
        return Err(ApiError::invalid(format!(
            "query must be a filter with 'field' or a group with operator AND or OR, got operator '{op}'"
        )));
    }
    if depth + 1 > MAX_NESTING {
        return Err(ApiError::invalid(format!(
            "query nesting is too deep: at most {MAX_NESTING} levels of AND/OR groups are allowed"
        )));
    }
    let items = obj
        .get("value")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::invalid(format!("the value of an {op} group must be an array")))?;
    if items.is_empty() {
        return Err(ApiError::invalid(format!(
            "an {op} group needs at least one filter"
        )));
    }
    if items.len() > MAX_GROUP_ITEMS {
        return Err(ApiError::invalid(format!(
            "an {op} group has {} filters; at most {MAX_GROUP_ITEMS} are allowed",
            items.len()
        )));
    }
    let children = items
        .iter()
        .map(|item| parse_node(item, catalog, tz, depth + 1))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if op == "AND" {
        Node::And(children)
    } else {
        Node::Or(children)
    })
}

fn parse_filter(
    obj: &serde_json::Map<String, Value>,
    catalog: &FieldCatalog,
    tz: Tz,
) -> Result<Filter, ApiError> {
    let field = obj
        .get("field")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid("a filter's field must be a string"))?;
    let op = obj
        .get("operator")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid(format!("the filter on '{field}' has no operator")))?;
    let value = obj
        .get("value")
        .ok_or_else(|| ApiError::invalid(format!("the filter on '{field}' has no value")))?;
    let (accessor, kind) = catalog
        .resolve(field)
        .ok_or_else(|| ApiError::invalid(format!("'{field}' is not a searchable field")))?;
    let allowed: &[&str] = match kind {
        Kind::Date => &["=", ">", "<"],
        Kind::String => &["=", "!=", "IN", "NIN", "~", "!~", "^", "$"],
        Kind::Integer | Kind::Float => &["=", "!=", "IN", "NIN", ">", "<", ">=", "<="],
        Kind::Boolean => &["=", "!=", "IN", "NIN"],
    };
    const KNOWN: &[&str] = &[
        "=", "!=", "IN", "NIN", ">", "<", ">=", "<=", "~", "!~", "^", "$",
    ];
    if !KNOWN.contains(&op) {
        return Err(ApiError::invalid(format!(
            "operator '{op}' is not a valid search operator"
        )));
    }
    if !allowed.contains(&op) {
        let what = if kind == Kind::Date {
            "date field"
        } else {
            "field"
        };
        return Err(ApiError::invalid(format!(
            "operator '{op}' is not supported on {what} '{field}'"
        )));
    }
    let is_list_op = op == "IN" || op == "NIN";
    if is_list_op != value.is_array() {
        return Err(ApiError::invalid(if is_list_op {
            format!("operator '{op}' on '{field}' needs an array value")
        } else {
            format!("operator '{op}' on '{field}' needs a single value, not an array")
        }));
    }
    let bad_value = || ApiError::invalid(format!("'{value}' is not a valid value for '{field}'"));
    let negated = matches!(op, "!=" | "NIN" | "!~");
    let test = if value.is_null() {
        match op {
            "=" | "!=" => Test::IsNull,
            _ => return Err(bad_value()),
        }
    } else {
        match (op, kind) {
            (_, Kind::Date) => {
                let ts = as_i64(value).ok_or_else(bad_value)?;
                let day = local_day(ts, tz).ok_or_else(bad_value)?;
                let start = start_of_day(day, tz);
                let next = day.succ_opt().map(|d| start_of_day(d, tz));
                match op {
                    "=" => Test::Within(Some(start), next),
                    ">" => Test::Within(Some(next.unwrap_or(i64::MAX)), None),
                    _ => Test::Within(None, Some(start)),
                }
            }
            ("=" | "!=", Kind::Float) => Test::NumOneOf(vec![as_f64(value).ok_or_else(bad_value)?]),
            ("IN" | "NIN", Kind::Float) => Test::NumOneOf(
                list(value)
                    .map(as_f64)
                    .collect::<Option<_>>()
                    .ok_or_else(bad_value)?,
            ),
            ("=" | "!=", _) => {
                Test::OneOf(vec![canonical_query(value, kind).ok_or_else(bad_value)?])
            }
            ("IN" | "NIN", _) => Test::OneOf(
                list(value)
                    .map(|v| canonical_query(v, kind))
                    .collect::<Option<_>>()
                    .ok_or_else(bad_value)?,
            ),
            (">", _) => Test::Greater(as_f64(value).ok_or_else(bad_value)?),
            ("<", _) => Test::Less(as_f64(value).ok_or_else(bad_value)?),
            (">=", _) => Test::GreaterEq(as_f64(value).ok_or_else(bad_value)?),
            ("<=", _) => Test::LessEq(as_f64(value).ok_or_else(bad_value)?),
            (op, _) => {
                let s = value.as_str().ok_or_else(bad_value)?.to_owned();
                match op {
                    "~" | "!~" => Test::Contains(s),
                    "^" => Test::StartsWith(s),
                    _ => Test::EndsWith(s),
                }
            }
        }
    };
    Ok(Filter {
        accessor,
        kind,
        test,
        negated,
    })
}

fn list(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

/// Unix seconds from a number or a numeric string (Intercom's examples send strings).
pub fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The comparable string form of a query value for a field kind.
fn canonical_query(v: &Value, kind: Kind) -> Option<String> {
    match (kind, v) {
        (Kind::Integer, _) => {
            let f = as_f64(v)?;
            (f.fract() == 0.0).then(|| format!("{}", f as i64))
        }
        (Kind::Boolean, Value::Bool(b)) => Some(b.to_string()),
        (Kind::Boolean, Value::String(s)) if s == "true" || s == "false" => Some(s.clone()),
        (Kind::Boolean, _) => None,
        (_, Value::String(s)) => Some(s.clone()),
        (_, Value::Number(n)) => Some(n.to_string()),
        (_, Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    }
}

/// The comparable string form of a stored value.
fn canonical_stored(v: &Value, kind: Kind) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) if kind == Kind::Integer => Some(match s.trim().parse::<f64>() {
            Ok(f) if f.fract() == 0.0 => Cow::Owned(format!("{}", f as i64)),
            _ => Cow::Borrowed(s.as_str()),
        }),
        Value::String(s) => Some(Cow::Borrowed(s.as_str())),
        Value::Number(n) => Some(match n.as_f64() {
            Some(f) if kind == Kind::Integer && f.fract() == 0.0 => {
                Cow::Owned(format!("{}", f as i64))
            }
            _ => Cow::Owned(n.to_string()),
        }),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

/// The local calendar day of an instant.
pub fn local_day(ts: i64, tz: Tz) -> Option<NaiveDate> {
    Some(tz.timestamp_opt(ts, 0).single()?.date_naive())
}

/// Unix seconds of the first instant of a local day (after a DST gap at midnight, the first
/// existing local time).
pub fn start_of_day(day: NaiveDate, tz: Tz) -> i64 {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    for minutes in (0..=180).step_by(15) {
        let local = midnight + chrono::Duration::minutes(minutes);
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.timestamp();
        }
    }
    midnight.and_utc().timestamp()
}

impl Node {
    /// Adds the top-level keys of a stored object this query reads (see
    /// [`crate::store::compact::Objects::project`]).
    pub fn top_keys<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Node::Filter(f) => out.push(f.accessor.top_key()),
            Node::And(items) | Node::Or(items) => items.iter().for_each(|n| n.top_keys(out)),
        }
    }

    pub fn matches(&self, obj: &Value) -> bool {
        match self {
            Node::Filter(f) => f.matches(obj),
            Node::And(items) => items.iter().all(|n| n.matches(obj)),
            Node::Or(items) => items.iter().any(|n| n.matches(obj)),
        }
    }
}

impl Filter {
    pub fn matches(&self, obj: &Value) -> bool {
        let positive = match &self.accessor {
            Accessor::Path(_) => self.positive(self.accessor.single(obj)),
            Accessor::ContactIds => {
                let mut ids = super::fields::conversation_contact_ids(obj).peekable();
                if ids.peek().is_none() {
                    self.positive(None)
                } else {
                    ids.any(|id| self.positive(Some(id)))
                }
            }
        };
        positive != self.negated
    }

    fn positive(&self, value: Option<&Value>) -> bool {
        let Some(v) = value else {
            return matches!(self.test, Test::IsNull);
        };
        match &self.test {
            Test::IsNull => false,
            Test::OneOf(wanted) => {
                canonical_stored(v, self.kind).is_some_and(|s| wanted.iter().any(|w| *w == *s))
            }
            Test::NumOneOf(wanted) => as_f64(v).is_some_and(|x| wanted.contains(&x)),
            Test::Greater(x) => as_f64(v).is_some_and(|y| y > *x),
            Test::Less(x) => as_f64(v).is_some_and(|y| y < *x),
            Test::GreaterEq(x) => as_f64(v).is_some_and(|y| y >= *x),
            Test::LessEq(x) => as_f64(v).is_some_and(|y| y <= *x),
            Test::Contains(s) => v.as_str().is_some_and(|y| y.contains(s.as_str())),
            Test::StartsWith(s) => v.as_str().is_some_and(|y| y.starts_with(s.as_str())),
            Test::EndsWith(s) => v.as_str().is_some_and(|y| y.ends_with(s.as_str())),
            Test::Within(from, until) => as_i64(v)
                .is_some_and(|t| from.is_none_or(|f| t >= f) && until.is_none_or(|u| t < u)),
        }
    }
}
