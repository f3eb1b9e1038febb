//! `service-sync` (SERVICE-PERFORMANCE.md §6): its event, the window of `updated_at` it reads,
//! and the summary it returns.
//!
//! Decisions where §6 is silent:
//! - `lookbackDays` is given only with `mode: full`; with `incremental` it is refused (the
//!   watermark decides), so a mistyped event cannot silently do something else.
//! - A full run reads `[as-of − lookbackDays × 24 h, as-of]`; when the previous run was a full run
//!   that ran out of time, a full run resumes from its watermark instead of starting over.
//! - An incremental run with no watermark starts 7 × 24 h before as-of; one whose watermark is
//!   after as-of (an `asOf` in the past) reads nothing and leaves the watermark alone.
//! - After a complete full run the watermark is where the full run ended, so the next incremental
//!   run does not re-read what the full run covered.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::job::input::{EventFields, InvalidEvent};
use crate::store::SyncState;

/// The job's name in summaries, logs and `sync_state`.
pub const JOB: &str = "service-sync";
/// `lookbackDays` of a full run when none is given.
pub const DEFAULT_FULL_LOOKBACK_DAYS: u32 = 90;
/// The largest `lookbackDays`.
pub const MAX_LOOKBACK_DAYS: u32 = 3650;
/// How far back the first incremental run (no watermark yet) starts, in days of 24 hours.
pub const FIRST_RUN_DAYS: i64 = 7;
/// The default time budget of one run: under Lambda's 15 minutes, with room to commit.
pub const DEFAULT_TIME_BUDGET: Duration = Duration::from_secs(12 * 60);
/// Rows listed in a dry run's summary.
pub const DRY_RUN_SAMPLE: usize = 5;

/// `incremental` (from the watermark) or `full` (the last `lookbackDays`).
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

/// `{"mode": "incremental" | "full", "lookbackDays": 1..=3650 (full only, default 90),
/// "dryRun": bool, "asOf": RFC 3339?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncEvent {
    pub mode: Mode,
    /// Days of 24 hours back from as-of (full runs only).
    pub lookback_days: u32,
    pub dry_run: bool,
    pub as_of: DateTime<Utc>,
}

impl SyncEvent {
    pub const FIELDS: [&'static str; 4] = ["mode", "lookbackDays", "dryRun", "asOf"];

    /// Parses the event; `now` stands in for an absent `asOf`.
    ///
    /// Errors: every bad field at once ([`InvalidEvent`]), before any call.
    pub fn parse(event: &Value, now: DateTime<Utc>) -> Result<Self, InvalidEvent> {
        let mut f = EventFields::new(event, &Self::FIELDS, &[]);
        let mode = f
            .parsed("mode", |s| match s {
                "incremental" => Ok(Mode::Incremental),
                "full" => Ok(Mode::Full),
                _ => Err("must be incremental or full"),
            })
            .unwrap_or(Mode::Incremental);
        let lookback = f.integer_in("lookbackDays", 1..=MAX_LOOKBACK_DAYS);
        if lookback.is_some() && mode == Mode::Incremental {
            f.problem(
                "lookbackDays",
                "applies to mode full only; an incremental run starts at the watermark",
            );
        }
        let dry_run = f.bool("dryRun").unwrap_or(false);
        let as_of = f.as_of(now);
        f.finish(Self {
            mode,
            lookback_days: lookback.unwrap_or(DEFAULT_FULL_LOOKBACK_DAYS),
            dry_run,
            as_of,
        })
    }

    /// The `updated_at` window `[from, to]` (unix seconds) this run reads, given the stored
    /// state (see the module's decisions).
    pub fn window(&self, state: Option<&SyncState>) -> Window {
        let to = self.as_of.timestamp();
        let watermark = state.and_then(|s| s.watermark).map(|w| w.timestamp());
        let (from, resumed) = match self.mode {
            Mode::Incremental => match watermark {
                Some(w) => (w, state.is_some_and(|s| !s.complete)),
                None => (to - FIRST_RUN_DAYS * 86_400, false),
            },
            Mode::Full => {
                let start = to - i64::from(self.lookback_days) * 86_400;
                let resumable = state.filter(|s| {
                    !s.complete && s.details.get("mode").and_then(Value::as_str) == Some("full")
                });
                match resumable.and(watermark) {
                    Some(w) if w > start => (w, true),
                    _ => (start, false),
                }
            }
        };
        Window { from, to, resumed }
    }
}

/// The `updated_at` instants a run reads, both ends inclusive, unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Window {
    pub from: i64,
    pub to: i64,
    /// Whether `from` is the watermark of a run that ran out of time.
    pub resumed: bool,
}

impl Window {
    /// Whether `updated_at` (unix seconds) lies in the window.
    pub fn contains(&self, updated_at: i64) -> bool {
        (self.from..=self.to).contains(&updated_at)
    }
}

/// One conversation the run could not read, after the client's retries.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedConversation {
    pub conversation_id: String,
    /// HTTP status, when a response came back.
    pub status: Option<u16>,
    /// Intercom's `errors[0].code`.
    pub code: Option<String>,
    /// Intercom's `request_id`.
    pub request_id: Option<String>,
}

/// What one run did (returned and logged).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncSummary {
    pub job: &'static str,
    pub mode: Mode,
    pub dry_run: bool,
    /// RFC 3339, UTC.
    pub as_of: DateTime<Utc>,
    pub window: Window,
    /// Conversations read from search inside the window.
    pub scanned: usize,
    /// Conversations whose `updated_at` differs from the stored row (or that have none).
    pub changed: usize,
    /// Rows written (0 in a dry run).
    pub upserted: usize,
    /// `GET /conversations/{id}` calls that returned the conversation with its parts.
    pub parts_fetched: usize,
    /// Rows whose parts were truncated at Intercom's 500 most recent.
    pub truncated: usize,
    /// Contacts looked up for their country (each once per run).
    pub contacts_looked_up: usize,
    /// Local dates whose aggregates were recomputed.
    pub aggregates_recomputed: usize,
    /// Conversations that could not be read; the watermark stops before the first of them.
    pub failed: Vec<FailedConversation>,
    pub api_calls: u64,
    pub rate_limit_waits: u64,
    pub retries: u64,
    pub duration_ms: u64,
    /// Milliseconds spent in the database (reads of stored versions, upserts, aggregate
    /// recomputes, commits); `upserted / dbMs` is the write rate.
    pub db_ms: u64,
    /// `false` when the time budget ran out; the next run resumes at `watermark`.
    pub complete: bool,
    /// The stored watermark after this run (RFC 3339), `None` when none is stored.
    pub watermark: Option<DateTime<Utc>>,
    /// A dry run's first rows (at most [`DRY_RUN_SAMPLE`]); empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sample: Vec<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        "2026-03-10T12:00:00Z".parse().unwrap()
    }

    fn state(watermark: Option<&str>, complete: bool, mode: &str) -> SyncState {
        SyncState {
            job: JOB.into(),
            watermark: watermark.map(|w| w.parse().unwrap()),
            last_run_at: now(),
            complete,
            details: json!({"mode": mode}),
        }
    }

    #[test]
    fn events() {
        let e = SyncEvent::parse(&json!({}), now()).unwrap();
        assert_eq!(
            e,
            SyncEvent {
                mode: Mode::Incremental,
                lookback_days: DEFAULT_FULL_LOOKBACK_DAYS,
                dry_run: false,
                as_of: now()
            }
        );
        let e = SyncEvent::parse(
            &json!({"mode": "full", "lookbackDays": 365, "dryRun": true, "asOf": "2026-01-01T00:00:00Z"}),
            now(),
        )
        .unwrap();
        assert_eq!(
            (e.mode, e.lookback_days, e.dry_run),
            (Mode::Full, 365, true)
        );
        assert_eq!(e.as_of.to_rfc3339(), "2026-01-01T00:00:00+00:00");
    }

    #[test]
    fn bad_events_name_every_field() {
        let cases = [
            (json!({"mode": "Full"}), vec!["mode"]),
            (
                json!({"mode": "full", "lookbackDays": 0}),
                vec!["lookbackDays"],
            ),
            (
                json!({"mode": "full", "lookbackDays": 3651}),
                vec!["lookbackDays"],
            ),
            (json!({"lookbackDays": 30}), vec!["lookbackDays"]),
            (
                json!({"dryRun": "yes", "asOf": "yesterday"}),
                vec!["dryRun", "asOf"],
            ),
            (json!({"since": 1}), vec!["since"]),
            (json!([1]), vec!["event"]),
        ];
        for (event, fields) in cases {
            let err = SyncEvent::parse(&event, now()).unwrap_err();
            let mut got = err.fields();
            got.sort();
            let mut want = fields.clone();
            want.sort();
            assert_eq!(got, want, "{event}");
        }
    }

    #[test]
    fn windows() {
        let to = now().timestamp();
        let inc = SyncEvent::parse(&json!({}), now()).unwrap();
        let full = SyncEvent::parse(&json!({"mode": "full", "lookbackDays": 30}), now()).unwrap();
        let w = |e: &SyncEvent, s: Option<SyncState>| e.window(s.as_ref());
        // First incremental run: 7 days back.
        assert_eq!(
            w(&inc, None),
            Window {
                from: to - 7 * 86_400,
                to,
                resumed: false
            }
        );
        // Incremental: from the watermark; resumed when the last run did not finish.
        let wm = "2026-03-09T00:00:00Z";
        let wm_ts: i64 = wm.parse::<DateTime<Utc>>().unwrap().timestamp();
        assert_eq!(
            w(&inc, Some(state(Some(wm), true, "incremental"))).from,
            wm_ts
        );
        assert!(w(&inc, Some(state(Some(wm), false, "incremental"))).resumed);
        // Full: the lookback, unless a full run ran out of time inside it.
        let start = to - 30 * 86_400;
        assert_eq!(w(&full, Some(state(Some(wm), true, "full"))).from, start);
        assert_eq!(
            w(&full, Some(state(Some(wm), false, "incremental"))).from,
            start
        );
        assert_eq!(
            w(&full, Some(state(Some(wm), false, "full"))),
            Window {
                from: wm_ts,
                to,
                resumed: true
            }
        );
        // A watermark before the full window does not widen it.
        assert_eq!(
            w(
                &full,
                Some(state(Some("2025-01-01T00:00:00Z"), false, "full"))
            )
            .from,
            start
        );
        let win = w(&full, None);
        assert!(win.contains(start) && win.contains(to));
        assert!(!win.contains(start - 1) && !win.contains(to + 1));
    }
}
