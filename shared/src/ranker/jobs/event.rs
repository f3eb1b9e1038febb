//! The `engagement-ranker` event (ENGAGEMENT-RANKER.md §8), parsed before any external call:
//! `{"dryRun"?: bool (default true), "asOf"?: RFC 3339, "weekStart"?: "YYYY-MM-DD" (a Sunday),
//! "companyIds"?: [ids], "mode"?: "spike"}`. Unknown fields are refused, naming the field.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::job::input::{EventFields, InvalidEvent};
use crate::ranker::config::ZONE;
use crate::ranker::rules::week::{last_complete_week, Week};

/// The fields an event may hold.
pub const FIELDS: &[&str] = &["dryRun", "asOf", "weekStart", "companyIds", "mode"];

/// `dryRun` when the event does not say: true until rollout (§8).
pub const DEFAULT_DRY_RUN: bool = true;

/// What the run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    /// Score, rank, tier, then write (unless a dry run) and post the summary.
    Run,
    /// Answer the go-live questions; never writes or posts.
    Spike,
}

/// A parsed event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankerEvent {
    pub dry_run: bool,
    pub as_of: DateTime<Utc>,
    /// `weekStart`, or the last complete week before `as_of`.
    pub week: Week,
    /// `companyIds`: write only these (ids as decimal strings); `None`: every company.
    pub company_ids: Option<BTreeSet<String>>,
    pub mode: Mode,
}

impl RankerEvent {
    /// Parses `event`; `now` is the default `asOf`.
    ///
    /// Errors: every bad field: an unknown field, `dryRun` not a boolean, `asOf` not RFC 3339,
    /// `weekStart` not a date, not a Sunday or a week not complete before `asOf`, `companyIds`
    /// not a non-empty array of HubSpot ids (digits, as strings or numbers), `mode` not
    /// `"spike"`.
    pub fn parse(event: &Value, now: DateTime<Utc>) -> Result<Self, InvalidEvent> {
        let mut f = EventFields::new(event, FIELDS, &[]);
        let dry_run = f.bool("dryRun").unwrap_or(DEFAULT_DRY_RUN);
        let as_of = f.as_of(now);
        let latest = last_complete_week(as_of, ZONE);
        let week = match f.date("weekStart") {
            None => latest,
            Some(start) => match Week::starting(start) {
                Err(reason) => {
                    f.problem("weekStart", reason);
                    latest
                }
                Ok(week) if week > latest => {
                    f.problem(
                        "weekStart",
                        format!(
                            "the week of {start} is not complete before asOf; the latest \
                             complete week starts on {}",
                            latest.start
                        ),
                    );
                    latest
                }
                Ok(week) => week,
            },
        };
        let company_ids = match event.get("companyIds").filter(|v| !v.is_null()) {
            None => None,
            Some(value) => match company_ids(value) {
                Ok(ids) => Some(ids),
                Err(reason) => {
                    f.problem("companyIds", reason);
                    None
                }
            },
        };
        let mode = match f.string("mode").as_deref() {
            None | Some("run") => Mode::Run,
            Some("spike") => Mode::Spike,
            Some(other) => {
                f.problem(
                    "mode",
                    format!("must be \"spike\" (or absent), was {other:?}"),
                );
                Mode::Run
            }
        };
        f.finish(Self {
            dry_run,
            as_of,
            week,
            company_ids,
            mode,
        })
    }
}

fn company_ids(value: &Value) -> Result<BTreeSet<String>, String> {
    let items = value
        .as_array()
        .ok_or("must be an array of HubSpot company ids")?;
    if items.is_empty() {
        return Err(
            "must list at least one company id (leave it out to write every company)".into(),
        );
    }
    items
        .iter()
        .map(|v| {
            let id = match v {
                Value::String(s) => s.trim().to_owned(),
                Value::Number(n) if n.is_u64() => n.to_string(),
                _ => String::new(),
            };
            if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
                Ok(id.trim_start_matches('0').to_owned())
            } else {
                Err(format!("{v} is not a HubSpot company id (digits)"))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        "2026-03-15T10:00:00Z".parse().unwrap() // Sunday 06:00 EDT
    }
    fn d(s: &str) -> chrono::NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn defaults() {
        let e = RankerEvent::parse(&json!({}), now()).unwrap();
        assert_eq!(
            e,
            RankerEvent {
                dry_run: true,
                as_of: now(),
                week: Week::starting(d("2026-03-08")).unwrap(),
                company_ids: None,
                mode: Mode::Run,
            }
        );
        assert!(RankerEvent::parse(&Value::Null, now()).unwrap().dry_run);
    }

    #[test]
    fn every_field() {
        let e = RankerEvent::parse(
            &json!({"dryRun": false, "asOf": "2026-01-11T11:00:00Z", "weekStart": "2025-12-28",
                    "companyIds": ["123", 456, "0789"], "mode": "spike"}),
            now(),
        )
        .unwrap();
        assert!(!e.dry_run);
        assert_eq!(e.week.start, d("2025-12-28"));
        assert_eq!(
            e.company_ids,
            Some(BTreeSet::from(["123".into(), "456".into(), "789".into()]))
        );
        assert_eq!(e.mode, Mode::Spike);
    }

    #[test]
    fn bad_fields_are_named() {
        for (event, field) in [
            (json!({"dryrun": false}), "dryrun"),
            (json!({"dryRun": "false"}), "dryRun"),
            (json!({"asOf": "2026-03-15"}), "asOf"),
            (json!({"weekStart": "2026-03-09"}), "weekStart"),
            (json!({"weekStart": "15/03/2026"}), "weekStart"),
            // The week of Mar 15 has not ended on Mar 15.
            (json!({"weekStart": "2026-03-15"}), "weekStart"),
            (json!({"companyIds": "123"}), "companyIds"),
            (json!({"companyIds": []}), "companyIds"),
            (json!({"companyIds": ["12a"]}), "companyIds"),
            (json!({"companyIds": [1.5]}), "companyIds"),
            (json!({"mode": "dry"}), "mode"),
        ] {
            let e = RankerEvent::parse(&event, now()).unwrap_err();
            assert_eq!(e.fields(), [field], "{event}");
        }
        let e = RankerEvent::parse(&json!({"weekStart": "2026-03-09"}), now()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid input: weekStart: must be a Sunday (2026-03-09 is a Monday)"
        );
    }
}
