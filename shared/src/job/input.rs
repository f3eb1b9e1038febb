//! Parsing job events (JSON objects) into typed requests, reporting every bad field at once
//! before any Intercom call (RULES.md §10).
//!
//! Conventions shared by every event: field names are camelCase; an unknown field is an error;
//! `null` means absent, and so does `""` for string fields; integers must be JSON integers;
//! `asOf` is RFC 3339 and defaults to the `now` the caller passes in. A `null` event is `{}`.

use std::fmt;
use std::ops::RangeInclusive;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

use crate::time::{parse_as_of, parse_ymd};

/// How far after now a writing run's `asOf` may be: 5 minutes, for clock skew.
pub const WRITE_AS_OF_AHEAD_SECS: i64 = 5 * 60;
/// How far before now a writing run's `asOf` may be: 36 hours, enough to re-run last night's job
/// the next working day.
pub const WRITE_AS_OF_BEHIND_SECS: i64 = 36 * 3600;

/// One bad field of an event or request, e.g. `lookbackDays: must be an integer from 1 to 3650`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidInput {
    /// The field's name as the caller spelled it (`lookbackDays`), or `event` for the whole body.
    pub field: String,
    pub reason: String,
}

impl InvalidInput {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Every bad field of one event (never empty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InvalidEvent(pub Vec<InvalidInput>);

impl InvalidEvent {
    /// The bad fields' names, in the order found.
    pub fn fields(&self) -> Vec<&str> {
        self.0.iter().map(|p| p.field.as_str()).collect()
    }
}

impl fmt::Display for InvalidEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid input: ")?;
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// The fields of one event, taken one by one; problems accumulate until [`EventFields::finish`].
#[derive(Debug)]
pub struct EventFields {
    fields: Map<String, Value>,
    problems: Vec<InvalidInput>,
}

impl EventFields {
    /// Takes `event` apart, reporting every field not in `allowed`. `hints` gives a better reason
    /// for known-but-unsupported fields (field → reason).
    pub fn new(event: &Value, allowed: &[&str], hints: &[(&str, &str)]) -> Self {
        let mut problems = Vec::new();
        let fields = match event {
            Value::Object(map) => map.clone(),
            Value::Null => Map::new(),
            _ => {
                problems.push(InvalidInput::new("event", "must be a JSON object"));
                Map::new()
            }
        };
        // Sorted, so the report does not depend on serde_json's map order.
        let mut names: Vec<&String> = fields.keys().collect();
        names.sort();
        for name in names {
            if !allowed.contains(&name.as_str()) {
                let reason = hints
                    .iter()
                    .find(|(field, _)| field == name)
                    .map(|(_, reason)| reason.to_string())
                    .unwrap_or_else(|| {
                        format!("unknown field; expected one of {}", allowed.join(", "))
                    });
                problems.push(InvalidInput::new(name.clone(), reason));
            }
        }
        Self { fields, problems }
    }

    /// Records a problem found by the caller (e.g. a cross-field check).
    pub fn problem(&mut self, field: &str, reason: impl Into<String>) {
        self.problems.push(InvalidInput::new(field, reason));
    }

    fn present(&self, name: &str) -> Option<&Value> {
        self.fields.get(name).filter(|v| !v.is_null())
    }

    /// An optional boolean.
    pub fn bool(&mut self, name: &str) -> Option<bool> {
        match self.present(name)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.problem(name, "must be true or false");
                None
            }
        }
    }

    /// An optional integer within `range`.
    pub fn integer_in(&mut self, name: &str, range: RangeInclusive<u32>) -> Option<u32> {
        let value = self.present(name)?;
        match value.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) if range.contains(&n) => Some(n),
            _ => {
                let reason = format!(
                    "must be an integer from {} to {}",
                    range.start(),
                    range.end()
                );
                self.problem(name, reason);
                None
            }
        }
    }

    /// An optional non-empty string (`""` is absent).
    pub fn string(&mut self, name: &str) -> Option<String> {
        match self.present(name)? {
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(s.clone()),
            _ => {
                self.problem(name, "must be a string");
                None
            }
        }
    }

    /// An optional string parsed by `parse`, whose error becomes the reason.
    pub fn parsed<T, E: fmt::Display>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let raw = self.string(name)?;
        match parse(&raw) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(name, e.to_string());
                None
            }
        }
    }

    /// An optional `YYYY-MM-DD` date.
    pub fn date(&mut self, name: &str) -> Option<NaiveDate> {
        self.parsed(name, |s| parse_ymd(s).ok_or("must be a date as YYYY-MM-DD"))
    }

    /// `asOf`: RFC 3339, default `now`.
    pub fn as_of(&mut self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.parsed("asOf", |s| {
            parse_as_of(s).map_err(|_| "must be an RFC 3339 instant, e.g. 2024-03-10T12:00:00Z")
        })
        .unwrap_or(now)
    }

    /// Refuses, as an `asOf` problem, an as-of that a run which writes must not use: more than
    /// [`WRITE_AS_OF_AHEAD_SECS`] after `now` or more than [`WRITE_AS_OF_BEHIND_SECS`] before it
    /// (a typo in a real run would rewrite most statuses). Dry runs take any as-of.
    pub fn check_writing_as_of(&mut self, as_of: DateTime<Utc>, now: DateTime<Utc>, dry_run: bool) {
        if dry_run || !self.fields.contains_key("asOf") {
            return;
        }
        let ahead = (as_of - now).num_seconds();
        if ahead > WRITE_AS_OF_AHEAD_SECS || -ahead > WRITE_AS_OF_BEHIND_SECS {
            self.problem(
                "asOf",
                format!(
                    "a run that writes takes an asOf from 36 hours before now to 5 minutes after \
                     it (now is {}); use \"dryRun\": true to look at another instant",
                    crate::time::rfc3339(now)
                ),
            );
        }
    }

    /// `value` when no problem was found, else every problem.
    pub fn finish<T>(self, value: T) -> Result<T, InvalidEvent> {
        if self.problems.is_empty() {
            Ok(value)
        } else {
            Err(InvalidEvent(self.problems))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        parse_as_of("2024-05-01T12:00:00Z").unwrap()
    }

    #[test]
    fn collects_every_problem() {
        let event = json!({"a": "x", "b": 5000, "c": 1, "asOf": "yesterday", "zzz": 1, "old": 2});
        let mut f = EventFields::new(
            &event,
            &["a", "b", "c", "asOf"],
            &[("old", "use `a` instead")],
        );
        assert_eq!(f.integer_in("a", 1..=10), None);
        assert_eq!(f.integer_in("b", 1..=3650), None);
        assert_eq!(f.bool("c"), None);
        assert_eq!(f.as_of(now()), now());
        let err = f.finish(()).unwrap_err();
        assert_eq!(err.fields(), ["old", "zzz", "a", "b", "c", "asOf"]);
        assert_eq!(err.0[0].reason, "use `a` instead");
        assert_eq!(err.0[3].to_string(), "b: must be an integer from 1 to 3650");
        assert_eq!(
            err.0[1].reason,
            "unknown field; expected one of a, b, c, asOf"
        );
        assert!(err
            .to_string()
            .starts_with("invalid input: old: use `a` instead; zzz: unknown field"));
    }

    #[test]
    fn values() {
        let event = json!({"n": 7, "f": 7.5, "neg": -1, "s": "", "t": "x", "b": true, "nul": null, "d": "2024-02-29", "asOf": "2024-03-10T08:00:00-04:00"});
        let fields = ["n", "f", "neg", "s", "t", "b", "nul", "d", "asOf"];
        let mut f = EventFields::new(&event, &fields, &[]);
        assert_eq!(f.integer_in("n", 1..=10), Some(7));
        assert_eq!(f.integer_in("nul", 1..=10), None);
        assert_eq!(f.string("s"), None);
        assert_eq!(f.string("t").as_deref(), Some("x"));
        assert_eq!(f.bool("b"), Some(true));
        assert_eq!(f.bool("missing"), None);
        assert_eq!(f.date("d"), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(f.as_of(now()), parse_as_of("2024-03-10T12:00:00Z").unwrap());
        f.finish(()).unwrap();
        let mut f = EventFields::new(&event, &fields, &[]);
        assert_eq!(f.integer_in("f", 1..=10), None);
        assert_eq!(f.integer_in("neg", 0..=10), None);
        assert_eq!(f.string("n"), None);
        assert_eq!(f.date("t"), None);
        assert_eq!(f.finish(()).unwrap_err().fields(), ["f", "neg", "n", "t"]);
    }

    #[test]
    fn event_shape() {
        assert!(EventFields::new(&Value::Null, &[], &[]).finish(()).is_ok());
        let err = EventFields::new(&json!([1]), &[], &[])
            .finish(())
            .unwrap_err();
        assert_eq!(err.0, [InvalidInput::new("event", "must be a JSON object")]);
    }

    #[test]
    fn a_writing_run_takes_an_as_of_from_36_hours_before_now_to_5_minutes_after() {
        // now() is 2024-05-01T12:00:00Z.
        let check = |as_of: &str, dry_run: bool| {
            let event = json!({"asOf": as_of});
            let mut f = EventFields::new(&event, &["asOf"], &[]);
            let at = f.as_of(now());
            f.check_writing_as_of(at, now(), dry_run);
            f.finish(()).map_err(|e| e.fields().join(","))
        };
        for (as_of, writing_ok) in [
            ("2024-05-01T12:05:00Z", true),
            ("2024-05-01T12:05:01Z", false),
            ("2024-04-30T00:00:00Z", true),
            ("2024-04-29T23:59:59Z", false),
            ("2023-05-01T12:00:00Z", false),
            ("2034-05-01T12:00:00Z", false),
        ] {
            let expected = if writing_ok {
                Ok(())
            } else {
                Err("asOf".to_string())
            };
            assert_eq!(check(as_of, false), expected, "{as_of}");
            assert_eq!(check(as_of, true), Ok(()), "{as_of}: a dry run takes any");
        }
        // No asOf: now, always fine.
        let mut f = EventFields::new(&json!({}), &["asOf"], &[]);
        let at = f.as_of(now());
        f.check_writing_as_of(at, now(), false);
        assert!(f.finish(()).is_ok());
    }
}
