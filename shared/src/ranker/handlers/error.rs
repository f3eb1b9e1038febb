//! Why a ranker run failed: one error type for the run and the spike.

use crate::hubspot::HubSpotError;
use crate::job::input::InvalidEvent;
use crate::notify::SlackError;
use crate::ranker::jobs::plan::PlanError;
use crate::ranker::jobs::summary::Unwritten;
use crate::yobi::YobiError;

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RankerError {
    /// The event is invalid; nothing was called.
    #[error("{0}")]
    InvalidInput(#[from] InvalidEvent),
    /// A condition of §6 does not hold; nothing was written.
    #[error("preflight failed, nothing written: {}", .0.join("; "))]
    Preflight(Vec<String>),
    #[error("nothing written: {0}")]
    Plan(#[from] PlanError),
    #[error("nothing written: {0}")]
    HubSpot(#[from] HubSpotError),
    #[error("nothing written: {0}")]
    Yobi(#[from] YobiError),
    /// Some companies were written, others not (after one retry): a re-run completes them.
    #[error(
        "write incomplete: {} compan(ies) written [{}], {} not written [{}]; a re-run writes the rest{}",
        .written.len(), .written.join(", "), .unwritten.len(),
        .unwritten.iter().map(|u| format!("{} ({})", u.company_id, u.category)).collect::<Vec<_>>().join(", "),
        .stopped_by.as_deref().map(|s| format!("; stopped by: {s}")).unwrap_or_default()
    )]
    WriteIncomplete {
        written: Vec<String>,
        unwritten: Vec<Unwritten>,
        stopped_by: Option<String>,
    },
    /// Written, but the summary did not reach Slack; a re-run writes nothing and posts it.
    #[error("the summary could not be posted to Slack: {0}")]
    Slack(#[from] SlackError),
}
