//! `referral-sync` (RULES.md §7): `Eligible Programs` := the program mapped from `Referral`.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::coaching::config::Config;
use crate::coaching::rules::referral::eligible_programs;
use crate::intercom::models::Contact;
use crate::job::input::{EventFields, InvalidEvent};
use crate::job::plan::{ContactUpdate, UpdateBuilder};
use crate::job::preflight::{AttributeKind, ExpectedAttribute};

/// The job's name in summaries and logs.
pub const JOB: &str = "referral-sync";

/// `{"dryRun": bool (default false), "asOf": RFC 3339?}`. The mapping has no time in it;
/// `asOf` is accepted like every job's (RULES.md §1) and only stamps the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralSyncEvent {
    pub dry_run: bool,
    pub as_of: DateTime<Utc>,
}

impl ReferralSyncEvent {
    pub const FIELDS: [&'static str; 2] = ["dryRun", "asOf"];

    /// Parses the event; `now` stands in for an absent `asOf`.
    pub fn parse(event: &Value, now: DateTime<Utc>) -> Result<Self, InvalidEvent> {
        let mut f = EventFields::new(event, &Self::FIELDS, &[]);
        let dry_run = f.bool("dryRun").unwrap_or(false);
        let as_of = f.as_of(now);
        f.check_writing_as_of(as_of, now, dry_run);
        f.finish(Self { dry_run, as_of })
    }
}

/// The attributes the job writes, for the preflight check.
pub fn written_attributes(config: &Config) -> Vec<ExpectedAttribute> {
    vec![ExpectedAttribute::new(
        &config.attributes.eligible_programs,
        AttributeKind::Text,
    )]
}

/// For every contact whose `Referral` is a key of the mapping, `Eligible Programs` := the mapped
/// value when the stored value differs. Other contacts are untouched.
pub fn plan<'a>(
    contacts: impl IntoIterator<Item = &'a Contact>,
    config: &Config,
) -> Vec<ContactUpdate> {
    let a = &config.attributes;
    contacts
        .into_iter()
        .filter_map(|contact| {
            let program = eligible_programs(contact.attr_str(&a.referral)?, config)?;
            if contact.custom_attributes.get(&a.eligible_programs) == Some(&Value::from(program)) {
                return None;
            }
            let mut update = UpdateBuilder::new(contact);
            update.set(&a.eligible_programs, Value::from(program), None);
            update.finish()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_as_of;
    use serde_json::json;

    fn contact(id: &str, attrs: serde_json::Value) -> Contact {
        serde_json::from_value(json!({"id": id, "custom_attributes": attrs})).unwrap()
    }

    #[test]
    fn maps_referrals() {
        let cfg = Config::default();
        let contacts = vec![
            contact("new", json!({"Referral": "Counter Health"})),
            contact(
                "done",
                json!({"Referral": "Counter Health", "Eligible Programs": "Smart Access"}),
            ),
            contact(
                "other value",
                json!({"Referral": "Counter Health", "Eligible Programs": "Basic"}),
            ),
            contact(
                "not mapped",
                json!({"Referral": "Walk-in", "Eligible Programs": "Basic"}),
            ),
            contact("case differs", json!({"Referral": "counter health"})),
            contact("no referral", json!({})),
        ];
        let updates = plan(&contacts, &cfg);
        let got: Vec<_> = updates
            .iter()
            .map(|u| {
                (
                    u.contact_id.as_str(),
                    u.changes[0].old.clone(),
                    u.changes[0].new.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("new", json!(null), json!("Smart Access")),
                ("other value", json!("Basic"), json!("Smart Access"))
            ]
        );
        assert!(updates
            .iter()
            .all(|u| u.changes.len() == 1 && u.changes[0].attribute == "Eligible Programs"));
    }

    #[test]
    fn event_parsing() {
        let now = parse_as_of("2024-05-01T00:00:00Z").unwrap();
        assert_eq!(
            ReferralSyncEvent::parse(&json!({}), now).unwrap(),
            ReferralSyncEvent {
                dry_run: false,
                as_of: now
            }
        );
        assert!(
            ReferralSyncEvent::parse(&json!({"dryRun": true}), now)
                .unwrap()
                .dry_run
        );
        let err =
            ReferralSyncEvent::parse(&json!({"lookbackDays": 3, "dryRun": "no"}), now).unwrap_err();
        assert_eq!(err.fields(), ["lookbackDays", "dryRun"]);
    }
}
