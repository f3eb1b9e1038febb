//! The coaching jobs of RULES.md §5–8: each job's event and pure plan (the shared machinery,
//! event parsing, plans, preflight and summaries, is the platform's [`crate::job`]). Each job reads what it needs,
//! hands it to its pure `plan`, then applies the plan (the apply lives with the I/O).
//!
//! Decisions where RULES.md is silent:
//! - `engagement-sync` bounds `lookbackDays` like `session-sync` (1..=3650); `candidates` counts
//!   contacts skipped for a future Enrolled Date too.
//! - `referral-sync` accepts `asOf` (every job does, RULES.md §1); it only stamps the summary.
//! - `engagement-export` accepts `dryRun`: build and count the CSV, write nothing. `outputPath`
//!   gets an error pointing to `key`.
//! - `session-sync` writes `First Session Date` only from the whole-history lookup (never from
//!   the window alone, which could hold a later call); a stored value that is not a date counts
//!   as empty, so it is replaced (never cleared).

pub mod engagement_export;
pub mod engagement_sync;
pub mod referral_sync;
pub mod session_sync;
