//! The summary a job run returns and logs (RULES.md §10). Plain data: the plan fills the counts
//! it knows, the apply fills the rest.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::job::plan::{AttributeChange, ContactUpdate};

/// One contact update Intercom refused, or that could not be sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedUpdate {
    pub contact_id: String,
    /// HTTP status, when a response came back.
    pub status: Option<u16>,
    /// Intercom's `errors[0].code`, e.g. `not_found`.
    pub code: Option<String>,
    /// Intercom's `request_id`.
    pub request_id: Option<String>,
    /// Human-readable; never contains the access token.
    pub message: String,
}

/// A search that kept failing after the client's retries: what it covered and why it failed.
/// Its objects were not read this run; the next run reads them again.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedSearch {
    /// What the search covered, e.g. `conversations updated 2026-03-01..2026-03-07` or
    /// `first qualifying calls of 150 contacts`.
    pub search: String,
    /// HTTP status, when a response came back.
    pub status: Option<u16>,
    /// Human-readable; never contains the access token.
    pub message: String,
}

/// What one run did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    /// The job's name, e.g. `session-sync`.
    pub job: String,
    pub dry_run: bool,
    /// RFC 3339, UTC.
    pub as_of: DateTime<Utc>,
    /// Objects read from Intercom (conversations or contacts).
    pub scanned: usize,
    /// Contacts the rules looked at.
    pub candidates: usize,
    /// Attribute changes planned (`changes.len()`).
    pub changes_planned: usize,
    /// Contact updates planned: one `PUT /contacts/{id}` each.
    pub updates_planned: usize,
    /// Contact updates Intercom accepted (0 in a dry run).
    pub applied: usize,
    /// Contact updates that failed.
    pub failed: Vec<FailedUpdate>,
    /// HTTP requests made to Intercom.
    pub api_calls: u64,
    /// Times the client waited for the rate limit window.
    pub rate_limit_waits: u64,
    /// Milliseconds the client spaced its requests to spread the window's budget (pacing).
    pub paced_ms: u64,
    /// Requests sent again after a 429, a 5xx or a transport error.
    pub retries: u64,
    /// Wall time of the run, milliseconds.
    pub duration_ms: u64,
    /// Planned changes per attribute name.
    pub changes_by_attribute: BTreeMap<String, usize>,
    /// The planned changes (in a dry run, the would-be changes), at most
    /// [`RunSummary::MAX_LISTED_CHANGES`]; every change is also logged.
    pub changes: Vec<AttributeChange>,
    /// Planned changes not listed in `changes` because of the cap.
    pub changes_omitted: usize,
    /// Searches that kept failing; the rest of the run was applied (session-sync scans in time
    /// slices; other jobs leave this empty).
    pub failed_searches: Vec<FailedSearch>,
    /// False when the run stopped at its time budget before the end of its window; the next run
    /// starts at `resumeFrom`.
    pub complete: bool,
    /// The first local date (YYYY-MM-DD, reporting zone) not yet scanned, when `complete` is
    /// false: pass it as the next event's `resumeFrom`, with the same `lookbackDays` and `asOf`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resume_from: Option<String>,
}

impl RunSummary {
    /// At most this many changes are listed in a summary, so that a dry run of a large backfill
    /// stays well under Lambda's 6 MB response cap.
    pub const MAX_LISTED_CHANGES: usize = 1000;

    /// A summary with nothing planned yet: a streaming run records its updates one by one
    /// ([`RunSummary::record_planned`]) as the plan makes them.
    pub fn empty(job: &str, dry_run: bool, as_of: DateTime<Utc>) -> Self {
        Self {
            job: job.to_string(),
            dry_run,
            as_of,
            scanned: 0,
            candidates: 0,
            changes_planned: 0,
            updates_planned: 0,
            applied: 0,
            failed: Vec::new(),
            api_calls: 0,
            rate_limit_waits: 0,
            paced_ms: 0,
            retries: 0,
            duration_ms: 0,
            changes_by_attribute: BTreeMap::new(),
            changes: Vec::new(),
            changes_omitted: 0,
            failed_searches: Vec::new(),
            complete: true,
            resume_from: None,
        }
    }

    /// Counts one planned update: its changes per attribute, and lists them while fewer than
    /// [`RunSummary::MAX_LISTED_CHANGES`] are listed (the rest are counted in
    /// `changes_omitted`), so a run holds at most that many changes whatever its size.
    pub fn record_planned(&mut self, update: &ContactUpdate) {
        self.updates_planned += 1;
        for change in &update.changes {
            self.changes_planned += 1;
            *self
                .changes_by_attribute
                .entry(change.attribute.clone())
                .or_insert(0) += 1;
            if self.changes.len() < Self::MAX_LISTED_CHANGES {
                self.changes.push(change.clone());
            } else {
                self.changes_omitted += 1;
            }
        }
    }

    /// The run's metrics (EMF, [`crate::metrics`]): updates planned, applied and failed,
    /// Intercom calls, rate-limit waits, retries and duration.
    pub fn metrics(&self) -> crate::metrics::RunMetrics {
        use crate::metrics::Unit::{Count, Milliseconds};
        crate::metrics::RunMetrics {
            job: self.job.clone(),
            dry_run: self.dry_run,
            values: vec![
                ("Planned", self.updates_planned as u64, Count),
                ("Applied", self.applied as u64, Count),
                ("Failed", self.failed.len() as u64, Count),
                ("FailedSearches", self.failed_searches.len() as u64, Count),
                ("Incomplete", u64::from(!self.complete), Count),
                ("ApiCalls", self.api_calls, Count),
                ("RateLimitWaits", self.rate_limit_waits, Count),
                ("Retries", self.retries, Count),
                ("DurationMs", self.duration_ms, Milliseconds),
            ],
        }
    }

    /// Whether the run must end in error (a failed update or search), so that retries and
    /// alarms fire.
    pub fn has_failures(&self) -> bool {
        !self.failed.is_empty() || !self.failed_searches.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_as_of;
    use serde_json::json;

    #[test]
    fn serializes_camel_case() {
        let update = ContactUpdate {
            contact_id: "c1".into(),
            changes: vec![AttributeChange {
                contact_id: "c1".into(),
                attribute: "Last Call".into(),
                old: json!(null),
                new: json!(5),
                reason: None,
            }],
        };
        let as_of = parse_as_of("2024-03-10T12:00:00Z").unwrap();
        let mut s = RunSummary::empty("session-sync", true, as_of);
        s.scanned = 10;
        s.candidates = 3;
        s.record_planned(&update);
        assert!(!s.has_failures());
        s.failed.push(FailedUpdate {
            contact_id: "c1".into(),
            status: Some(404),
            code: Some("not_found".into()),
            request_id: Some("r-1".into()),
            message: "User Not Found".into(),
        });
        assert!(s.has_failures());
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            json!({
                "job": "session-sync", "dryRun": true, "asOf": "2024-03-10T12:00:00Z",
                "scanned": 10, "candidates": 3, "changesPlanned": 1, "updatesPlanned": 1,
                "applied": 0,
                "failed": [{"contactId": "c1", "status": 404, "code": "not_found", "requestId": "r-1", "message": "User Not Found"}],
                "apiCalls": 0, "rateLimitWaits": 0, "pacedMs": 0, "retries": 0, "durationMs": 0,
                "changesByAttribute": {"Last Call": 1},
                "changes": [{"contactId": "c1", "attribute": "Last Call", "old": null, "new": 5}],
                "changesOmitted": 0, "failedSearches": [], "complete": true
            })
        );
        // A search that kept failing is a failure too; an incomplete run says where to resume.
        s.failed.clear();
        s.failed_searches.push(FailedSearch {
            search: "conversations updated 2024-03-01..2024-03-07".into(),
            status: Some(500),
            message: "server_error".into(),
        });
        s.complete = false;
        s.resume_from = Some("2024-03-08".into());
        assert!(s.has_failures());
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(
            v["failedSearches"],
            json!([{"search": "conversations updated 2024-03-01..2024-03-07", "status": 500, "message": "server_error"}])
        );
        assert_eq!(
            (v["complete"].clone(), v["resumeFrom"].clone()),
            (json!(false), json!("2024-03-08"))
        );
    }
}
