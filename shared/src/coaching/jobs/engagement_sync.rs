//! `engagement-sync` (RULES.md §6): writes `Engagement Status` and `Engagement Status Date` for
//! enrolled contacts whose status changed.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use crate::coaching::config::Config;
use crate::coaching::rules::engagement::{classify, EngagementStatus};
use crate::coaching::rules::thresholds::MAX_JOB_LOOKBACK_DAYS;
use crate::intercom::models::Contact;
use crate::job::input::{EventFields, InvalidEvent};
use crate::job::plan::{ContactUpdate, UpdateBuilder};
use crate::job::preflight::{AttributeKind, ExpectedAttribute};
use crate::time::{days_before, days_since_date, local_date_of, utc_date};

/// The job's name in summaries and logs.
pub const JOB: &str = "engagement-sync";

/// `{"lookbackDays": 1..=3650?, "dryRun": bool (default false), "asOf": RFC 3339?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngagementSyncEvent {
    /// When given, only contacts enrolled at most this many calendar days before as-of.
    pub lookback_days: Option<u32>,
    pub dry_run: bool,
    pub as_of: DateTime<Utc>,
}

impl EngagementSyncEvent {
    pub const FIELDS: [&'static str; 3] = ["lookbackDays", "dryRun", "asOf"];

    /// Parses the event; `now` stands in for an absent `asOf`.
    pub fn parse(event: &Value, now: DateTime<Utc>) -> Result<Self, InvalidEvent> {
        let mut f = EventFields::new(event, &Self::FIELDS, &[]);
        let lookback_days = f.integer_in("lookbackDays", 1..=MAX_JOB_LOOKBACK_DAYS);
        let dry_run = f.bool("dryRun").unwrap_or(false);
        let as_of = f.as_of(now);
        f.check_writing_as_of(as_of, now, dry_run);
        f.finish(Self {
            lookback_days,
            dry_run,
            as_of,
        })
    }

    /// The earliest Enrolled Date (a UTC calendar date) a candidate may have, when `lookbackDays`
    /// is given: as-of's local date minus `lookbackDays`. For the contact search: Enrolled Date
    /// is stored at midnight UTC of that date.
    pub fn enrolled_on_or_after(&self, tz: Tz) -> Option<NaiveDate> {
        self.lookback_days
            .map(|n| days_before(local_date_of(self.as_of, tz), n))
    }
}

/// The attributes the job writes, for the preflight check.
pub fn written_attributes(config: &Config) -> Vec<ExpectedAttribute> {
    let a = &config.attributes;
    vec![
        ExpectedAttribute::new(
            &a.engagement_status,
            AttributeKind::List(EngagementStatus::NAMES),
        ),
        ExpectedAttribute::new(&a.engagement_status_date, AttributeKind::Date),
    ]
}

/// The outcome of [`plan`].
#[derive(Debug, Clone, PartialEq)]
pub struct EngagementPlan {
    /// Contacts with an Enrolled Date (within the lookback when given), including those skipped.
    pub candidates: usize,
    /// Candidates whose Enrolled Date is after as-of's local date: left untouched.
    pub skipped_future_enrolment: usize,
    /// One update per contact whose status differs from the stored one.
    pub updates: Vec<ContactUpdate>,
}

/// Classifies every contact with an Enrolled Date (RULES.md §6) as of `as_of` in
/// `config.reporting_tz`, and plans `Engagement Status` := status and
/// `Engagement Status Date` := `as_of` (unix seconds) where the status differs from the stored
/// one. Each change carries the rule's reason. Contacts without an Enrolled Date are not touched.
pub fn plan<'a>(
    contacts: impl IntoIterator<Item = &'a Contact>,
    as_of: DateTime<Utc>,
    lookback_days: Option<u32>,
    config: &Config,
) -> EngagementPlan {
    let a = &config.attributes;
    let tz = config.reporting_tz;
    let mut out = EngagementPlan {
        candidates: 0,
        skipped_future_enrolment: 0,
        updates: Vec::new(),
    };
    for contact in contacts {
        let Some(enrolled) = contact.attr_timestamp(&a.enrolled_date).map(utc_date) else {
            continue;
        };
        if lookback_days.is_some_and(|n| days_since_date(enrolled, as_of, tz) > i64::from(n)) {
            continue;
        }
        out.candidates += 1;
        let last = contact.attr_timestamp(&a.last_coaching_session);
        let first = contact.attr_timestamp(&a.first_session_date);
        let Some((status, reason)) = classify(enrolled, last, first, as_of, tz) else {
            out.skipped_future_enrolment += 1;
            continue;
        };
        if contact.attr_str(&a.engagement_status) == Some(status.as_str()) {
            continue;
        }
        let mut update = UpdateBuilder::new(contact);
        update.set(
            &a.engagement_status,
            Value::from(status.as_str()),
            Some(reason.as_str()),
        );
        update.set(
            &a.engagement_status_date,
            Value::from(as_of.timestamp()),
            Some(reason.as_str()),
        );
        out.updates.extend(update.finish());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{parse_as_of, start_of_local_day};
    use chrono_tz::America::New_York;
    use serde_json::json;

    fn as_of() -> DateTime<Utc> {
        // 2024-06-30 20:00 EDT.
        parse_as_of("2024-07-01T00:00:00Z").unwrap()
    }

    /// Midnight UTC of the date `n` days before 2024-06-30: how Enrolled Date is stored.
    fn enrolled(n: u32) -> i64 {
        days_before(NaiveDate::from_ymd_opt(2024, 6, 30).unwrap(), n)
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp()
    }

    /// Noon New York time `n` days before 2024-06-30.
    fn session(n: u32) -> i64 {
        start_of_local_day(
            days_before(NaiveDate::from_ymd_opt(2024, 6, 30).unwrap(), n),
            New_York,
        ) + 12 * 3600
    }

    fn contact(id: &str, attrs: serde_json::Value) -> Contact {
        serde_json::from_value(json!({"id": id, "custom_attributes": attrs})).unwrap()
    }

    #[test]
    fn event_parsing() {
        let now = as_of();
        let e = EngagementSyncEvent::parse(&json!(null), now).unwrap();
        assert_eq!(
            e,
            EngagementSyncEvent {
                lookback_days: None,
                dry_run: false,
                as_of: now
            }
        );
        let e =
            EngagementSyncEvent::parse(&json!({"lookbackDays": 90, "dryRun": true}), now).unwrap();
        assert_eq!((e.lookback_days, e.dry_run), (Some(90), true));
        assert_eq!(
            e.enrolled_on_or_after(New_York),
            NaiveDate::from_ymd_opt(2024, 4, 1)
        );
        for bad in [
            json!({"lookbackDays": 0}),
            json!({"lookbackDays": 4000}),
            json!({"lookbackDays": true}),
        ] {
            let err = EngagementSyncEvent::parse(&bad, now).unwrap_err();
            assert_eq!(err.fields(), ["lookbackDays"], "{bad}");
        }
        let err = EngagementSyncEvent::parse(&json!({"dryrun": true}), now).unwrap_err();
        assert_eq!(err.fields(), ["dryrun"]);
    }

    #[test]
    fn plans_status_changes_with_reasons() {
        let cfg = Config::default();
        let contacts = vec![
            contact("no enrolment", json!({"Last Coaching Session": session(1)})),
            contact(
                "recent",
                json!({"Enrolled Date": enrolled(100), "Last Coaching Session": session(28)}),
            ),
            contact(
                "unchanged",
                json!({"Enrolled Date": enrolled(100), "Last Coaching Session": session(29), "Engagement Status": "At Risk"}),
            ),
            contact(
                "lapsed",
                json!({"Enrolled Date": enrolled(100), "Last Coaching Session": session(57), "Engagement Status": "At Risk", "Engagement Status Date": 5}),
            ),
            contact(
                "first only",
                json!({"Enrolled Date": enrolled(100), "First Session Date": session(3), "Engagement Status": "Unengaged"}),
            ),
            contact("grace", json!({"Enrolled Date": enrolled(0)})),
            contact(
                "never",
                json!({"Enrolled Date": enrolled(29), "Engagement Status": "Engaged"}),
            ),
            // Midnight UTC July 1st: the UTC date is tomorrow in New York terms.
            contact("future", json!({"Enrolled Date": enrolled(0) + 86_400})),
        ];
        let p = plan(&contacts, as_of(), None, &cfg);
        assert_eq!((p.candidates, p.skipped_future_enrolment), (7, 1));
        let got: Vec<_> = p
            .updates
            .iter()
            .map(|u| {
                let c = &u.changes;
                assert_eq!(c.len(), 2);
                assert_eq!(c[1].attribute, "Engagement Status Date");
                assert_eq!(c[1].new, json!(as_of().timestamp()));
                assert_eq!(c[0].reason, c[1].reason);
                (
                    u.contact_id.as_str(),
                    c[0].old.clone(),
                    c[0].new.clone(),
                    c[0].reason.clone().unwrap(),
                )
            })
            .collect();
        let s = |x: &str| x.to_string();
        assert_eq!(
            got,
            vec![
                ("recent", json!(null), json!("Engaged"), s("recent_session")),
                (
                    "lapsed",
                    json!("At Risk"),
                    json!("Unengaged"),
                    s("session_over_56_days")
                ),
                (
                    "first only",
                    json!("Unengaged"),
                    json!("Engaged"),
                    s("recent_session")
                ),
                (
                    "grace",
                    json!(null),
                    json!("Engaged"),
                    s("enrollment_grace")
                ),
                (
                    "never",
                    json!("Engaged"),
                    json!("Unengaged"),
                    s("no_session_after_grace")
                ),
            ]
        );
        assert_eq!(p.updates[1].changes[1].old, json!(5));
    }

    #[test]
    fn lookback_narrows_candidates() {
        let cfg = Config::default();
        let contacts = vec![
            contact("a", json!({"Enrolled Date": enrolled(30)})),
            contact("b", json!({"Enrolled Date": enrolled(31)})),
            contact("c", json!({"Enrolled Date": enrolled(0)})),
        ];
        let p = plan(&contacts, as_of(), Some(30), &cfg);
        assert_eq!(p.candidates, 2);
        let ids: Vec<_> = p.updates.iter().map(|u| u.contact_id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
    }

    #[test]
    fn rerun_changes_nothing() {
        let cfg = Config::default();
        let mut contacts = vec![
            contact(
                "a",
                json!({"Enrolled Date": enrolled(100), "Last Coaching Session": session(40)}),
            ),
            contact("b", json!({"Enrolled Date": enrolled(5)})),
        ];
        let p = plan(&contacts, as_of(), None, &cfg);
        assert_eq!(p.updates.len(), 2);
        for (c, u) in contacts.iter_mut().zip(&p.updates) {
            c.custom_attributes.extend(u.custom_attributes());
        }
        assert!(plan(&contacts, as_of(), None, &cfg).updates.is_empty());
    }
}
