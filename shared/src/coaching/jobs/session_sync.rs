//! `session-sync` (RULES.md §5): keeps `Last Coaching Session`, `Last Call` and
//! `First Session Date` up to date from the conversations updated in the lookback window.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use crate::coaching::config::Config;
use crate::coaching::rules::sessions::ContactCalls;
use crate::coaching::rules::thresholds::{DEFAULT_LOOKBACK_DAYS, MAX_JOB_LOOKBACK_DAYS};
use crate::intercom::models::Contact;
use crate::job::input::{EventFields, InvalidEvent, InvalidInput};
use crate::job::plan::{ContactUpdate, UpdateBuilder};
use crate::job::preflight::{AttributeKind, ExpectedAttribute};
use crate::time::{local_date, lookback_window, start_of_local_day};

/// The job's name in summaries and logs.
pub const JOB: &str = "session-sync";

/// `{"lookbackDays": 1..=3650 (default 30), "dryRun": bool (default false), "asOf": RFC 3339?,
/// "resumeFrom": "YYYY-MM-DD"?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSyncEvent {
    /// Calendar days back from as-of's local date.
    pub lookback_days: u32,
    pub dry_run: bool,
    pub as_of: DateTime<Utc>,
    /// A local date inside the window: scan from it (an earlier run's `resumeFrom`).
    pub resume_from: Option<NaiveDate>,
}

/// Local days per time slice of the window: one conversation search each.
pub const SLICE_DAYS: u64 = 7;

/// Slices scanned at once (each is one cursor, read page after page; a new slice starts as soon
/// as one ends): 24 cursors at ~150 ms a page reach Intercom's 1,666 per 10 s on a long
/// backfill, and the client's pacing keeps them inside it.
pub const SLICE_CONCURRENCY: usize = 24;

/// One time slice of the window: the conversations whose `updated_at` lies in `[from, to]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slice {
    /// First and last local dates (reporting zone) of the slice.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// `[from, to]`, unix seconds, both inclusive.
    pub from: i64,
    pub to: i64,
}

impl Slice {
    /// `conversations updated 2026-03-01..2026-03-07`: how summaries and logs name the slice.
    pub fn describe(&self) -> String {
        format!(
            "conversations updated {}..{}",
            self.first_day, self.last_day
        )
    }
}

impl SessionSyncEvent {
    pub const FIELDS: [&'static str; 4] = ["lookbackDays", "dryRun", "asOf", "resumeFrom"];

    /// Parses the event; `now` stands in for an absent `asOf`.
    pub fn parse(event: &Value, now: DateTime<Utc>) -> Result<Self, InvalidEvent> {
        let mut f = EventFields::new(event, &Self::FIELDS, &[]);
        let lookback_days = f
            .integer_in("lookbackDays", 1..=MAX_JOB_LOOKBACK_DAYS)
            .unwrap_or(DEFAULT_LOOKBACK_DAYS);
        let dry_run = f.bool("dryRun").unwrap_or(false);
        let as_of = f.as_of(now);
        f.check_writing_as_of(as_of, now, dry_run);
        let resume_from = f.date("resumeFrom");
        f.finish(Self {
            lookback_days,
            dry_run,
            as_of,
            resume_from,
        })
    }

    /// The window cut into [`SLICE_DAYS`]-day slices of local dates in `tz`, oldest first,
    /// starting at `resumeFrom` when given. The slices partition the window exactly.
    ///
    /// Errors: `resumeFrom` outside the window's local dates (named, before any call).
    pub fn slices(&self, tz: Tz) -> Result<Vec<Slice>, InvalidEvent> {
        let (start, end) = self.window(tz);
        let first = local_date(start, tz);
        let last = local_date(end, tz);
        let mut day = match self.resume_from {
            None => first,
            Some(day) if (first..=last).contains(&day) => day,
            Some(_) => {
                return Err(InvalidEvent(vec![InvalidInput::new(
                    "resumeFrom",
                    format!("must be a date of the window, {first} to {last}"),
                )]))
            }
        };
        let mut slices = Vec::new();
        while day <= last {
            let last_day = (day + Days::new(SLICE_DAYS - 1)).min(last);
            let next = last_day + Days::new(1);
            slices.push(Slice {
                first_day: day,
                last_day,
                from: start_of_local_day(day, tz).max(start),
                to: if next > last {
                    end
                } else {
                    start_of_local_day(next, tz) - 1
                },
            });
            day = next;
        }
        Ok(slices)
    }

    /// `[start, end]`, unix seconds: the lookback window in the reporting zone. Conversations are
    /// searched by `updated_at` in it (widened by a day on each side, RULES.md §3), and session
    /// times are counted in it exactly.
    pub fn window(&self, tz: Tz) -> (i64, i64) {
        lookback_window(self.as_of, self.lookback_days, tz)
    }
}

/// The attributes the job writes, for the preflight check.
pub fn written_attributes(config: &Config) -> Vec<ExpectedAttribute> {
    let a = &config.attributes;
    [
        &a.last_coaching_session,
        &a.last_call,
        &a.first_session_date,
    ]
    .into_iter()
    .map(|name| ExpectedAttribute::new(name, AttributeKind::Date))
    .collect()
}

/// Whether the job must look up `contact`'s earliest qualifying call over its whole history:
/// `First Session Date` holds no date, and `Enrolled Date` or `Registration Date` does.
pub fn needs_first_session_lookup(contact: &Contact, config: &Config) -> bool {
    let a = &config.attributes;
    contact.attr_timestamp(&a.first_session_date).is_none()
        && (contact.attr_timestamp(&a.enrolled_date).is_some()
            || contact.attr_timestamp(&a.registration_date).is_some())
}

/// Steps 3–5 of RULES.md §5, one update per contact of `contacts` that changes.
///
/// - `calls`: contact id → what the window held ([`crate::coaching::rules::sessions::CallIndex`]).
/// - `contacts`: contact id → the contact as stored now.
/// - `first_sessions`: contact id → earliest qualifying call over the contact's whole history
///   (unix seconds), for contacts where [`needs_first_session_lookup`] holds.
///
/// `Last Coaching Session` and `Last Call` move only forward (set when empty or older);
/// `First Session Date` is set only when empty and the contact is enrolled or registered, from
/// `first_sessions` (the window's earliest call is used only to correct a lookup that lags
/// behind it). Nothing is ever cleared; values are unix seconds.
pub fn plan(
    calls: &BTreeMap<String, ContactCalls>,
    contacts: &BTreeMap<String, Contact>,
    first_sessions: &BTreeMap<String, i64>,
    config: &Config,
) -> Vec<ContactUpdate> {
    let a = &config.attributes;
    let none = ContactCalls::default();
    contacts
        .iter()
        .filter_map(|(id, contact)| {
            let seen = calls.get(id).unwrap_or(&none);
            let mut update = UpdateBuilder::new(contact);
            for (attribute, newest) in [
                (&a.last_coaching_session, seen.newest_qualifying),
                (&a.last_call, seen.newest_phone),
            ] {
                if let Some(t) = newest {
                    if contact
                        .attr_timestamp(attribute)
                        .is_none_or(|stored| stored < t)
                    {
                        update.set(attribute, Value::from(t), None);
                    }
                }
            }
            if needs_first_session_lookup(contact, config) {
                let first = first_sessions
                    .get(id)
                    .map(|&t| seen.first_qualifying.map_or(t, |w| w.min(t)));
                if let Some(t) = first {
                    update.set(&a.first_session_date, Value::from(t), None);
                }
            }
            update.finish()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::plan::AttributeChange;
    use crate::time::parse_as_of;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        parse_as_of("2024-05-01T12:00:00Z").unwrap()
    }

    #[test]
    fn slices_partition_the_window_and_resume_where_asked() {
        let tz = chrono_tz::America::New_York;
        // as-of 2024-05-01 08:00 local; lookback 30: local dates 2024-04-01 ..= 2024-05-01.
        let event = SessionSyncEvent::parse(&json!({}), now()).unwrap();
        let (start, end) = event.window(tz);
        let slices = event.slices(tz).unwrap();
        let days: Vec<(String, String)> = slices
            .iter()
            .map(|s| (s.first_day.to_string(), s.last_day.to_string()))
            .collect();
        assert_eq!(
            days,
            [
                ("2024-04-01", "2024-04-07"),
                ("2024-04-08", "2024-04-14"),
                ("2024-04-15", "2024-04-21"),
                ("2024-04-22", "2024-04-28"),
                ("2024-04-29", "2024-05-01"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        // Exact partition: first from = window start, each to + 1 = next from, last to = as-of.
        assert_eq!(slices[0].from, start);
        for pair in slices.windows(2) {
            assert_eq!(pair[0].to + 1, pair[1].from);
        }
        assert_eq!(slices.last().unwrap().to, end);
        assert_eq!(
            slices[1].from,
            start_of_local_day("2024-04-08".parse().unwrap(), tz)
        );

        let resumed = SessionSyncEvent::parse(&json!({"resumeFrom": "2024-04-20"}), now())
            .unwrap()
            .slices(tz)
            .unwrap();
        assert_eq!(resumed[0].first_day.to_string(), "2024-04-20");
        assert_eq!(resumed[0].last_day.to_string(), "2024-04-26");
        assert_eq!(resumed.last().unwrap().to, end);

        for outside in ["2024-03-31", "2024-05-02"] {
            let err = SessionSyncEvent::parse(&json!({"resumeFrom": outside}), now())
                .unwrap()
                .slices(tz)
                .unwrap_err();
            assert_eq!(err.fields(), ["resumeFrom"], "{outside}");
        }
        let err = SessionSyncEvent::parse(&json!({"resumeFrom": "May 1"}), now()).unwrap_err();
        assert_eq!(err.fields(), ["resumeFrom"]);
    }

    #[test]
    fn event_parsing() {
        let e = SessionSyncEvent::parse(&json!({}), now()).unwrap();
        assert_eq!(
            e,
            SessionSyncEvent {
                lookback_days: 30,
                dry_run: false,
                as_of: now(),
                resume_from: None,
            }
        );
        let e = SessionSyncEvent::parse(
            &json!({"lookbackDays": 3650, "dryRun": true, "asOf": "2024-01-02T03:04:05Z"}),
            now(),
        )
        .unwrap();
        assert_eq!((e.lookback_days, e.dry_run), (3650, true));
        assert_eq!(e.as_of, parse_as_of("2024-01-02T03:04:05Z").unwrap());
        assert_eq!(
            SessionSyncEvent::parse(&json!({"lookbackDays": 1}), now())
                .unwrap()
                .lookback_days,
            1
        );

        let cases = [
            (json!({"lookbackDays": 0}), vec!["lookbackDays"]),
            (json!({"lookbackDays": 3651}), vec!["lookbackDays"]),
            (json!({"lookbackDays": "30"}), vec!["lookbackDays"]),
            (json!({"lookbackDays": 1.5}), vec!["lookbackDays"]),
            (json!({"dryRun": "yes"}), vec!["dryRun"]),
            (json!({"asOf": "2024-01-02"}), vec!["asOf"]),
            (json!({"asOf": 1_700_000_000}), vec!["asOf"]),
            (json!({"lookback": 3}), vec!["lookback"]),
            (
                json!({"lookbackDays": -1, "dryRun": 1, "asOf": "x", "extra": 1}),
                vec!["extra", "lookbackDays", "dryRun", "asOf"],
            ),
        ];
        for (event, fields) in cases {
            let err = SessionSyncEvent::parse(&event, now()).unwrap_err();
            assert_eq!(err.fields(), fields, "{event}");
        }
        let err = SessionSyncEvent::parse(&json!({"lookbackDays": 0}), now()).unwrap_err();
        assert_eq!(
            err.0[0].to_string(),
            "lookbackDays: must be an integer from 1 to 3650"
        );
    }

    fn contact(id: &str, attrs: serde_json::Value) -> (String, Contact) {
        let c = serde_json::from_value(json!({"id": id, "custom_attributes": attrs})).unwrap();
        (id.to_string(), c)
    }

    fn calls(q: Option<i64>, p: Option<i64>, f: Option<i64>) -> ContactCalls {
        ContactCalls {
            newest_qualifying: q,
            newest_phone: p,
            first_qualifying: f,
        }
    }

    fn change(id: &str, attr: &str, old: serde_json::Value, new: i64) -> AttributeChange {
        AttributeChange {
            contact_id: id.into(),
            attribute: attr.into(),
            old,
            new: json!(new),
            reason: None,
        }
    }

    #[test]
    fn dates_move_forward_only_and_are_never_cleared() {
        let cfg = Config::default();
        let contacts = BTreeMap::from([
            contact("empty", json!({})),
            contact(
                "older",
                json!({"Last Coaching Session": 100, "Last Call": "150"}),
            ),
            contact(
                "newer",
                json!({"Last Coaching Session": 900, "Last Call": 900}),
            ),
            contact(
                "equal",
                json!({"Last Coaching Session": 500, "Last Call": 600}),
            ),
            contact(
                "garbage",
                json!({"Last Coaching Session": "soon", "Last Call": null}),
            ),
            contact("no calls", json!({"Last Coaching Session": 100})),
            contact("phone only", json!({"Last Coaching Session": 100})),
        ]);
        let seen = BTreeMap::from([
            ("empty".to_string(), calls(Some(500), Some(600), Some(400))),
            ("older".to_string(), calls(Some(500), Some(600), Some(400))),
            ("newer".to_string(), calls(Some(500), Some(600), Some(400))),
            ("equal".to_string(), calls(Some(500), Some(600), Some(400))),
            (
                "garbage".to_string(),
                calls(Some(500), Some(600), Some(400)),
            ),
            ("phone only".to_string(), calls(None, Some(600), None)),
            (
                "not fetched".to_string(),
                calls(Some(500), Some(600), Some(400)),
            ),
        ]);
        let updates = plan(&seen, &contacts, &BTreeMap::new(), &cfg);
        let got: Vec<_> = updates.iter().flat_map(|u| u.changes.clone()).collect();
        assert_eq!(
            got,
            vec![
                change("empty", "Last Coaching Session", json!(null), 500),
                change("empty", "Last Call", json!(null), 600),
                change("garbage", "Last Coaching Session", json!("soon"), 500),
                change("garbage", "Last Call", json!(null), 600),
                change("older", "Last Coaching Session", json!(100), 500),
                change("older", "Last Call", json!("150"), 600),
                change("phone only", "Last Call", json!(null), 600),
            ]
        );
        // One update per contact, carrying only its changed attributes.
        let ids: Vec<_> = updates.iter().map(|u| u.contact_id.as_str()).collect();
        assert_eq!(ids, ["empty", "garbage", "older", "phone only"]);
        assert_eq!(
            serde_json::Value::Object(updates[3].custom_attributes()),
            json!({"Last Call": 600})
        );
    }

    #[test]
    fn first_session_date_only_when_empty_and_enrolled_or_registered() {
        let cfg = Config::default();
        let contacts = BTreeMap::from([
            contact("enrolled", json!({"Enrolled Date": 1})),
            contact(
                "registered",
                json!({"Registration Date": 1, "First Session Date": null}),
            ),
            contact("neither", json!({})),
            contact(
                "already set",
                json!({"Enrolled Date": 1, "First Session Date": 999}),
            ),
            contact("lookup missing", json!({"Enrolled Date": 1})),
            contact("lookup lags", json!({"Enrolled Date": 1})),
        ]);
        assert!(needs_first_session_lookup(&contacts["enrolled"], &cfg));
        assert!(needs_first_session_lookup(&contacts["registered"], &cfg));
        assert!(!needs_first_session_lookup(&contacts["neither"], &cfg));
        assert!(!needs_first_session_lookup(&contacts["already set"], &cfg));
        let window = calls(Some(700), None, Some(600));
        let seen: BTreeMap<_, _> = contacts.keys().map(|k| (k.clone(), window)).collect();
        let first = BTreeMap::from([
            ("enrolled".to_string(), 50),
            ("registered".to_string(), 60),
            ("neither".to_string(), 70),
            ("already set".to_string(), 80),
            ("lookup lags".to_string(), 650),
        ]);
        let updates = plan(&seen, &contacts, &first, &cfg);
        let firsts: Vec<_> = updates
            .iter()
            .flat_map(|u| u.changes.iter())
            .filter(|c| c.attribute == "First Session Date")
            .map(|c| (c.contact_id.as_str(), c.new.clone()))
            .collect();
        assert_eq!(
            firsts,
            [
                ("enrolled", json!(50)),
                ("lookup lags", json!(600)),
                ("registered", json!(60))
            ]
        );
        // Everyone still gets Last Coaching Session.
        assert_eq!(updates.len(), 6);
        // A contact outside this run's window still gets its first session from the lookup.
        let updates = plan(&BTreeMap::new(), &contacts, &first, &cfg);
        let ids: Vec<_> = updates.iter().map(|u| u.contact_id.as_str()).collect();
        assert_eq!(ids, ["enrolled", "lookup lags", "registered"]);
    }

    #[test]
    fn rerun_changes_nothing() {
        let cfg = Config::default();
        let mut contacts = BTreeMap::from([contact("a", json!({"Enrolled Date": 1}))]);
        let seen = BTreeMap::from([("a".to_string(), calls(Some(500), Some(600), Some(400)))]);
        let first = BTreeMap::from([("a".to_string(), 300)]);
        let updates = plan(&seen, &contacts, &first, &cfg);
        let c = contacts.get_mut("a").unwrap();
        for (k, v) in updates[0].custom_attributes() {
            c.custom_attributes.insert(k, v);
        }
        assert!(plan(&seen, &contacts, &first, &cfg).is_empty());
    }

    #[test]
    fn written_attributes_are_dates() {
        let names: Vec<_> = written_attributes(&Config::default())
            .into_iter()
            .map(|e| (e.name, e.kind))
            .collect();
        assert_eq!(
            names,
            [
                ("Last Coaching Session".to_string(), AttributeKind::Date),
                ("Last Call".to_string(), AttributeKind::Date),
                ("First Session Date".to_string(), AttributeKind::Date)
            ]
        );
    }
}
