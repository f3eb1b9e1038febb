//! Request parameters of a report API: GET query string or POST JSON body, taken field by field
//! into typed values, every bad parameter reported together.
//!
//! Conventions: names are camelCase and case-sensitive; an unknown name is an error (each API
//! gives the reason, e.g. a "did you mean"). GET reads only the query string, POST only the
//! JSON body (a query string on POST is refused, so a parameter has one source). In a query
//! string every value is text; numbers are parsed from ASCII digits, and a parameter given twice
//! is an error. In a JSON body numbers must be JSON integers and text must be JSON strings. An
//! empty value (`employer=`, `""`) or a JSON `null` means absent. The `Accept` header is read by
//! [`crate::api::render::wants_csv`].

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use lambda_http::http::Method;
use lambda_http::{Request, RequestExt};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::api::paging::{Cursor, Limit, MAX_LIMIT};
use crate::api::problem::{InvalidParam, Problem};
use crate::time::{parse_as_of, parse_ymd, rfc3339};

/// The response format asked by `format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

/// The request's parameters, taken one by one; problems accumulate in [`Fields::problems`].
#[derive(Debug)]
pub struct Fields {
    values: BTreeMap<String, Value>,
    /// Whether the values came from a query string (text) or a JSON body (typed).
    from_query: bool,
    /// Every bad, unknown or repeated parameter found so far.
    pub problems: Vec<InvalidParam>,
}

impl Fields {
    /// Reads the one source of `req`'s method: the query string of a GET (a repeated name is a
    /// problem), the JSON object body of a POST (a query string on POST is a problem; `body`
    /// when the body is not a JSON object).
    pub fn from_request(req: &Request) -> Self {
        let query = query_pairs(req);
        let mut problems = Vec::new();
        let (values, from_query) = if req.method() == Method::POST {
            for name in query.keys() {
                problems.push(InvalidParam::new(
                    name.clone(),
                    "query parameters are not read on POST; put it in the JSON body",
                ));
            }
            let body = json_body(req).unwrap_or_else(|p| {
                problems.extend(p.invalid_params);
                BTreeMap::new()
            });
            (body, false)
        } else {
            let mut values = BTreeMap::new();
            for (name, mut all) in query {
                if all.len() > 1 {
                    problems.push(InvalidParam::new(name.clone(), "must be given only once"));
                } else if let Some(v) = all.pop() {
                    values.insert(name, Value::String(v));
                }
            }
            (values, true)
        };
        Self {
            values,
            from_query,
            problems,
        }
    }

    /// Reports every parameter not in `allowed`, with `reason(name)` as the reason.
    pub fn refuse_unknown(&mut self, allowed: &[&str], reason: impl Fn(&str) -> String) {
        let unknown: Vec<String> = self
            .values
            .keys()
            .filter(|name| !allowed.contains(&name.as_str()))
            .cloned()
            .collect();
        for name in unknown {
            let why = reason(&name);
            self.problem(&name, why);
        }
    }

    /// The parameters as a JSON object (for requests parsed by a job's own event parser).
    pub fn into_object(self) -> Map<String, Value> {
        self.values.into_iter().collect()
    }

    /// Records a problem with `name`.
    pub fn problem(&mut self, name: &str, reason: impl Into<String>) {
        self.problems.push(InvalidParam::new(name, reason));
    }

    /// Absent: missing, `null` or `""`.
    pub fn absent(&self, name: &str) -> bool {
        match self.values.get(name) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.is_empty(),
            Some(_) => false,
        }
    }

    /// A non-empty string.
    pub fn take_text(&mut self, name: &str) -> Option<String> {
        if self.absent(name) {
            return None;
        }
        match self.values.get(name) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => {
                self.problem(name, "must be a string");
                None
            }
        }
    }

    /// A string parsed by `parse`, whose error is the reason.
    pub fn take_parsed<T, E: std::fmt::Display>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let raw = self.take_text(name)?;
        match parse(&raw) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(name, e.to_string());
                None
            }
        }
    }

    /// A `YYYY-MM-DD` date.
    pub fn take_date(&mut self, name: &str) -> Option<NaiveDate> {
        self.take_parsed(name, |s| parse_ymd(s).ok_or("must be a date as YYYY-MM-DD"))
    }

    /// An integer in `min..=max`: ASCII digits in a query string, a JSON integer in a body.
    pub fn take_integer(&mut self, name: &str, min: u64, max: u64, reason: &str) -> Option<u64> {
        if self.absent(name) {
            return None;
        }
        let n = match self.values.get(name) {
            Some(Value::String(s)) if self.from_query && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse::<u64>().ok()
            }
            Some(Value::Number(n)) if !self.from_query => n.as_u64(),
            _ => None,
        };
        match n {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.problem(name, reason);
                None
            }
        }
    }

    /// An id: a string, or in a JSON body also a non-negative integer (Intercom admin ids are
    /// digits).
    pub fn take_id(&mut self, name: &str) -> Option<String> {
        match self.values.get(name) {
            Some(Value::Number(n)) if !self.from_query => match n.as_u64() {
                Some(n) => Some(n.to_string()),
                None => {
                    self.problem(name, "must be a string or a non-negative integer");
                    None
                }
            },
            _ => self.take_text(name),
        }
    }

    /// `format`: `json` or `csv`; `None` when absent (then `Accept` decides).
    pub fn take_format(&mut self) -> Option<Format> {
        self.take_parsed("format", |s| match s {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            _ => Err("must be json or csv"),
        })
    }

    /// `limit`: 1..=[`MAX_LIMIT`], default [`DEFAULT_LIMIT`].
    pub fn take_limit(&mut self) -> Limit {
        self.take_integer(
            "limit",
            1,
            u64::from(MAX_LIMIT),
            "must be an integer from 1 to 5000",
        )
        .map_or_else(Limit::default, |n| Limit(n as u32))
    }

    /// `cursor` (decoded, not yet checked against the listing) and the as-of it pins: the
    /// cursor's as-of when a cursor is given, else `asOf`, else `now`, in whole seconds. An
    /// `asOf` that differs from the cursor's is a `cursor` problem; one before 2000-01-01 or
    /// after tomorrow (UTC date of `now` plus one day) is an `asOf` problem.
    pub fn take_cursor_and_as_of(&mut self, now: DateTime<Utc>) -> (Option<Cursor>, DateTime<Utc>) {
        let cursor = self
            .take_text("cursor")
            .and_then(|s| match Cursor::decode(&s) {
                Ok(c) => Some(c),
                Err(reason) => {
                    self.problem("cursor", reason);
                    None
                }
            });
        let asked_as_of = self.take_parsed("asOf", |s| {
            parse_as_of(s).map_err(|_| "must be an RFC 3339 instant, e.g. 2024-03-10T12:00:00Z")
        });
        let cursor_as_of = cursor
            .as_ref()
            .and_then(|c| DateTime::from_timestamp(c.as_of, 0));
        if cursor.is_some() && cursor_as_of.is_none() {
            self.problem("cursor", "is not a cursor from this API");
        }
        if let Some(asked) = asked_as_of {
            let earliest = DateTime::from_timestamp(EARLIEST_AS_OF, 0).expect("a valid instant");
            let latest_day = now.date_naive() + chrono::Days::new(1);
            if asked < earliest || asked.date_naive() > latest_day {
                self.problem(
                    "asOf",
                    format!(
                        "must be from 2000-01-01T00:00:00Z to the end of tomorrow ({latest_day}, \
                         UTC)"
                    ),
                );
            }
        }
        let as_of = whole_seconds(cursor_as_of.or(asked_as_of).unwrap_or(now));
        if let (Some(asked), Some(pinned)) = (asked_as_of, cursor_as_of) {
            if whole_seconds(asked) != pinned {
                self.problem(
                    "cursor",
                    format!(
                        "was issued for asOf {}; drop asOf or start again without cursor",
                        rfc3339(pinned)
                    ),
                );
            }
        }
        (cursor, as_of)
    }
}

/// The earliest `asOf` a report takes: 2000-01-01T00:00:00Z, unix seconds.
pub const EARLIEST_AS_OF: i64 = 946_684_800;

/// The usual reason for refusing the unknown parameter `name` of a request that accepts
/// `allowed`: a "did you mean" when it differs from an allowed name only by case, else the list
/// of allowed names.
pub fn unknown_parameter_reason(allowed: &[&str], name: &str) -> String {
    if let Some(known) = allowed.iter().find(|a| a.eq_ignore_ascii_case(name)) {
        return format!("unknown parameter; names are case-sensitive: did you mean {known}?");
    }
    format!("unknown parameter; expected one of {}", allowed.join(", "))
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// The query string as name → every value: lambda_http's pre-parsed parameters when present,
/// else the URI's query (hand-built requests and some local emulators only set the URI).
fn query_pairs(req: &Request) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(params) = req.query_string_parameters_ref() {
        for (k, v) in params.iter() {
            out.entry(k.to_string()).or_default().push(v.to_string());
        }
    } else if let Some(q) = req.uri().query() {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
            out.entry(k.into_owned()).or_default().push(v.into_owned());
        }
    }
    out
}

/// The POST body as a JSON object; an empty body or `null` is `{}`. A name given twice is
/// refused as in a query string (never "last one wins"), and a value serde_json cannot hold (a
/// number beyond f64, say) is refused naming its field.
fn json_body(req: &Request) -> Result<BTreeMap<String, Value>, Problem> {
    let bytes: &[u8] = req.body().as_ref();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(BTreeMap::new());
    }
    let mut problems = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = StrictObject {
        problems: &mut problems,
    }
    .deserialize(&mut deserializer)
    .and_then(|map| deserializer.end().map(|()| map));
    if !problems.is_empty() {
        return Err(Problem::invalid_parameters(problems));
    }
    match parsed {
        Ok(map) => Ok(map),
        // Not an object, or not JSON: say which.
        Err(e) => match serde_json::from_slice::<Value>(bytes) {
            Ok(_) => Err(Problem::invalid_parameter("body", "must be a JSON object")),
            Err(_) => Err(Problem::invalid_parameter(
                "body",
                format!("is not valid JSON ({e}); send a JSON object"),
            )),
        },
    }
}

/// Reads a JSON object (or `null`, as `{}`) key by key, recording a repeated name or a number
/// too large to read as a problem of that name.
struct StrictObject<'p> {
    problems: &'p mut Vec<InvalidParam>,
}

impl<'de> DeserializeSeed<'de> for StrictObject<'_> {
    type Value = BTreeMap<String, Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictObject<'_> {
    type Value = BTreeMap<String, Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(BTreeMap::new())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(name) = map.next_key::<String>()? {
            match map.next_value::<Value>() {
                Ok(value) => match out.entry(name) {
                    std::collections::btree_map::Entry::Vacant(slot) => {
                        slot.insert(value);
                    }
                    std::collections::btree_map::Entry::Occupied(slot) => {
                        if !self.problems.iter().any(|p| &p.name == slot.key()) {
                            self.problems.push(InvalidParam::new(
                                slot.key().clone(),
                                "must be given only once",
                            ));
                        }
                    }
                },
                Err(e) => {
                    // A number beyond f64 is the field's problem; broken JSON is the body's.
                    if e.to_string().contains("number out of range") {
                        self.problems
                            .push(InvalidParam::new(name, "is a number too large to read"));
                    }
                    return Err(e);
                }
            }
        }
        Ok(out)
    }
}
