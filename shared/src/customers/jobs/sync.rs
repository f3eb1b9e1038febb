//! `customer-sync` (CUSTOMER-SYNC.md §4): its event, what a run reads given the stored state,
//! and the summary it returns.
//!
//! Decisions where §4 is silent (also in docs/customer-sync.md):
//! - An incremental run with no watermark yet reads every contact (it is the first sync).
//! - A run after one that did not finish (`complete: false`) resumes it: contacts updated at or
//!   after the stored watermark, plus the contacts of conversations updated since the start of
//!   the interrupted run's conversation window. A full run resumes only an interrupted full run;
//!   otherwise it starts over.
//! - A complete run stores as-of as the watermark (never moving it backwards), so the next
//!   incremental run reads what changed since this run started.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};

use crate::customers::rules::alerts::AlertKind;
use crate::job::input::{EventFields, InvalidEvent};
use crate::store::SyncState;

/// The job's name in summaries, logs and `sync_state`.
pub const JOB: &str = "customer-sync";

/// `incremental` (from the watermark) or `full` (every contact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Incremental,
    Full,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incremental => "incremental",
            Self::Full => "full",
        }
    }
}

/// `{"mode": "incremental" | "full" (default incremental), "dryRun": bool, "asOf": RFC 3339?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncEvent {
    pub mode: Mode,
    pub dry_run: bool,
    pub as_of: DateTime<Utc>,
}

impl SyncEvent {
    pub const FIELDS: [&'static str; 3] = ["mode", "dryRun", "asOf"];

    /// Parses the event; `now` stands in for an absent `asOf`.
    ///
    /// Errors: every bad field at once ([`InvalidEvent`]), before any call.
    pub fn parse(event: &Value, now: DateTime<Utc>) -> Result<Self, InvalidEvent> {
        let mut f = EventFields::new(
            event,
            &Self::FIELDS,
            &[(
                "lookbackDays",
                "customer-sync has no lookback: a full run reads every contact",
            )],
        );
        let mode = f
            .parsed("mode", |s| match s {
                "incremental" => Ok(Mode::Incremental),
                "full" => Ok(Mode::Full),
                _ => Err("must be incremental or full"),
            })
            .unwrap_or(Mode::Incremental);
        let dry_run = f.bool("dryRun").unwrap_or(false);
        let as_of = f.as_of(now);
        f.finish(Self {
            mode,
            dry_run,
            as_of,
        })
    }

    /// What this run reads, given the stored state (see the module's decisions).
    pub fn window(&self, state: Option<&SyncState>) -> Window {
        let watermark = state.and_then(|s| s.watermark).map(|w| w.timestamp());
        let interrupted = state.filter(|s| !s.complete);
        let interrupted_mode = interrupted
            .and_then(|s| s.details.get("mode"))
            .and_then(Value::as_str);
        let interrupted_since = interrupted
            .and_then(|s| s.details.get("conversationsSince"))
            .and_then(Value::as_i64);
        let resume = match self.mode {
            Mode::Incremental => interrupted.is_some(),
            Mode::Full => interrupted_mode == Some("full"),
        };
        match (resume, watermark) {
            (true, Some(w)) => Window {
                mode: match interrupted_mode {
                    Some("full") => Mode::Full,
                    _ => Mode::Incremental,
                },
                contacts_from: Some(w),
                conversations_from: Some(interrupted_since.unwrap_or(w)),
                resumed: true,
            },
            _ => match (self.mode, watermark) {
                (Mode::Incremental, Some(w)) => Window {
                    mode: Mode::Incremental,
                    contacts_from: Some(w),
                    conversations_from: Some(w),
                    resumed: false,
                },
                _ => Window {
                    mode: Mode::Full,
                    contacts_from: None,
                    conversations_from: None,
                    resumed: false,
                },
            },
        }
    }
}

/// What a run reads: contacts with `updated_at` at or after `contacts_from` (every contact when
/// `None`) and the contacts of conversations updated at or after `conversations_from` (none when
/// `None`). Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct Window {
    /// `full` when every contact is read (a full run, or the first incremental one).
    pub mode: Mode,
    pub contacts_from: Option<i64>,
    pub conversations_from: Option<i64>,
    /// Whether this run resumes one that did not finish.
    pub resumed: bool,
}

impl Window {
    /// Where an interrupted run's successor starts reading conversations: this window's start,
    /// or as-of for a full read (it read every contact's conversations as of then).
    pub fn conversations_since_for_state(&self, as_of: i64) -> i64 {
        self.conversations_from.unwrap_or(as_of)
    }

    /// The `details` stored in `sync_state` with the watermark.
    pub fn details(&self, as_of: i64) -> Value {
        json!({
            "mode": self.mode.as_str(),
            "conversationsSince": self.conversations_since_for_state(as_of),
        })
    }
}

/// Contacts skipped, by reason (§1, §2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub missing_email: usize,
    pub invalid_email: usize,
    pub duplicate_email: usize,
    pub invalid_data: usize,
}

impl Skipped {
    pub fn total(&self) -> usize {
        self.missing_email + self.invalid_email + self.duplicate_email + self.invalid_data
    }
}

/// A contact that could not be synced after the client's retries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactError {
    pub contact_id: String,
    /// HTTP status, when a response came back.
    pub status: Option<u16>,
    /// Intercom's `errors[0].code`.
    pub code: Option<String>,
    /// Intercom's `request_id`.
    pub request_id: Option<String>,
}

/// How the run's Slack message went.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SlackOutcome {
    /// Whether a message was accepted.
    pub posted: bool,
    /// Alerts the message listed (this run's and earlier unsent ones).
    pub alerts_listed: usize,
    /// Why it was not posted: `no alerts`, `dry run`, `not configured`, or Slack's error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What one run did (returned and logged). The earlier script's fields keep their names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncSummary {
    pub job: &'static str,
    pub run_id: String,
    pub mode: Mode,
    pub dry_run: bool,
    pub as_of: DateTime<Utc>,
    pub window: Window,
    /// Contacts matched to a row: inserted, updated or unchanged.
    pub contacts_synced: usize,
    pub new_contacts: usize,
    pub updated_contacts: usize,
    pub unchanged_contacts: usize,
    pub skipped_contacts: Skipped,
    pub errors: Vec<ContactError>,
    pub sync_duration_seconds: f64,
    /// Mean quality score of the synced contacts, 2 decimals; `None` when none was synced.
    pub avg_quality_score: Option<f64>,
    /// Alerts raised by this run, by kind (every kind listed, 0 included).
    pub alerts: BTreeMap<&'static str, usize>,
    /// Contacts read from Intercom (search by `updated_at`, and by id for conversations' contacts).
    pub contacts_read: usize,
    /// Conversations read by the incremental `updated_at` search (whose contacts are synced).
    pub window_conversations: usize,
    /// Contacts of those conversations looked up by id (not already read by `updated_at`).
    pub contacts_looked_up: usize,
    /// Batches committed (or planned, in a dry run).
    pub batches: usize,
    /// Conversations read by `contact_ids` search.
    pub conversations_read: usize,
    /// `GET /conversations/{id}` calls for parts.
    pub parts_fetched: usize,
    /// Rows inserted or updated (0 in a dry run).
    pub rows_written: usize,
    pub api_calls: u64,
    pub rate_limit_waits: u64,
    pub retries: u64,
    pub slack: SlackOutcome,
    /// `false` when the time budget ran out or a contact failed; the next run resumes.
    pub complete: bool,
    /// The stored watermark after this run.
    pub watermark: Option<DateTime<Utc>>,
    /// A dry run's first planned rows (at most 5; email domain only); empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sample: Vec<Value>,
}

impl SyncSummary {
    pub fn new(
        run_id: String,
        req: &SyncEvent,
        window: Window,
        watermark: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            job: JOB,
            run_id,
            mode: req.mode,
            dry_run: req.dry_run,
            as_of: req.as_of,
            window,
            contacts_synced: 0,
            new_contacts: 0,
            updated_contacts: 0,
            unchanged_contacts: 0,
            skipped_contacts: Skipped::default(),
            errors: Vec::new(),
            sync_duration_seconds: 0.0,
            avg_quality_score: None,
            alerts: AlertKind::ALL.iter().map(|k| (k.as_str(), 0)).collect(),
            contacts_read: 0,
            window_conversations: 0,
            contacts_looked_up: 0,
            batches: 0,
            conversations_read: 0,
            parts_fetched: 0,
            rows_written: 0,
            api_calls: 0,
            rate_limit_waits: 0,
            retries: 0,
            slack: SlackOutcome::default(),
            complete: false,
            watermark,
            sample: Vec::new(),
        }
    }
}

/// The mean of `scores` rounded half-even to 2 decimals; `None` for none.
pub fn average_score(sum: i64, count: usize) -> Option<f64> {
    (count > 0).then(|| {
        let hundredths =
            crate::customers::rules::money::ExactCents::ratio(i128::from(sum) * 100, count as i128)
                .round_half_even();
        hundredths as f64 / 100.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-30T12:00:00Z".parse().unwrap()
    }

    fn state(watermark: &str, complete: bool, mode: &str, since: i64) -> SyncState {
        SyncState {
            job: JOB.into(),
            watermark: Some(watermark.parse().unwrap()),
            last_run_at: now(),
            complete,
            details: json!({"mode": mode, "conversationsSince": since}),
        }
    }

    #[test]
    fn events() {
        let e = SyncEvent::parse(&json!({}), now()).unwrap();
        assert_eq!(
            e,
            SyncEvent {
                mode: Mode::Incremental,
                dry_run: false,
                as_of: now()
            }
        );
        let e = SyncEvent::parse(
            &json!({"mode": "full", "dryRun": true, "asOf": "2026-11-01T00:00:00Z"}),
            now(),
        )
        .unwrap();
        assert_eq!(
            (e.mode, e.dry_run, e.as_of.timestamp()),
            (Mode::Full, true, 1_793_491_200)
        );
        let cases = [
            (json!({"mode": "FULL"}), vec!["mode"]),
            (
                json!({"dryRun": "yes", "asOf": "yesterday"}),
                vec!["dryRun", "asOf"],
            ),
            (json!({"lookbackDays": 3}), vec!["lookbackDays"]),
            (json!({"since": 1}), vec!["since"]),
            (json!("full"), vec!["event"]),
        ];
        for (event, fields) in cases {
            let err = SyncEvent::parse(&event, now()).unwrap_err();
            assert_eq!(err.fields(), fields, "{event}");
        }
        assert_eq!(average_score(200, 3), Some(66.67));
        assert_eq!(average_score(0, 0), None);
    }

    #[test]
    fn windows() {
        let inc = SyncEvent::parse(&json!({}), now()).unwrap();
        let full = SyncEvent::parse(&json!({"mode": "full"}), now()).unwrap();
        let wm = "2026-11-30T06:00:00Z";
        let w: i64 = wm.parse::<DateTime<Utc>>().unwrap().timestamp();
        let every = Window {
            mode: Mode::Full,
            contacts_from: None,
            conversations_from: None,
            resumed: false,
        };
        // First run: every contact.
        assert_eq!(inc.window(None), every);
        assert_eq!(full.window(None), every);
        // Incremental from the watermark, both searches.
        assert_eq!(
            inc.window(Some(&state(wm, true, "incremental", w))),
            Window {
                mode: Mode::Incremental,
                contacts_from: Some(w),
                conversations_from: Some(w),
                resumed: false
            }
        );
        // A full run after a complete one starts over.
        assert_eq!(full.window(Some(&state(wm, true, "incremental", w))), every);
        // Resuming an interrupted incremental run: contacts from the watermark, conversations
        // from the interrupted run's start.
        assert_eq!(
            inc.window(Some(&state(wm, false, "incremental", w - 3600))),
            Window {
                mode: Mode::Incremental,
                contacts_from: Some(w),
                conversations_from: Some(w - 3600),
                resumed: true
            }
        );
        // Any run resumes an interrupted full run.
        for e in [&inc, &full] {
            assert_eq!(
                e.window(Some(&state(wm, false, "full", w + 60))),
                Window {
                    mode: Mode::Full,
                    contacts_from: Some(w),
                    conversations_from: Some(w + 60),
                    resumed: true
                }
            );
        }
        // A full run does not resume an interrupted incremental run.
        assert_eq!(
            full.window(Some(&state(wm, false, "incremental", w))),
            every
        );
        assert_eq!(
            every.details(100),
            json!({"mode": "full", "conversationsSince": 100})
        );
    }
}
