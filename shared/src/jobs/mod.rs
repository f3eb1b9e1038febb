//! The jobs of RULES.md §5–8: event parsing, pure plans, summaries. Each job reads what it needs,
//! hands it to its pure `plan`, then applies the plan (the apply lives with the I/O).
//!
//! Decisions where RULES.md is silent:
//! - Events: `null` and a missing field mean the default, `""` too for strings; unknown fields
//!   are errors; integers must be JSON integers; a `null` event is `{}`.
//! - `engagement-sync` bounds `lookbackDays` like `session-sync` (1..=3650); `candidates` counts
//!   contacts skipped for a future Enrolled Date too.
//! - `referral-sync` accepts `asOf` (every job does, RULES.md §1); it only stamps the summary.
//! - `engagement-export` accepts `dryRun`: build and count the CSV, write nothing. `outputPath`
//!   gets an error pointing to `key`.
//! - `session-sync` writes `First Session Date` only from the whole-history lookup (never from
//!   the window alone, which could hold a later call); a stored value that is not a date counts
//!   as empty, so it is replaced (never cleared).
//! - Summaries count both attribute changes (`changesPlanned`) and contact updates
//!   (`updatesPlanned`, the PUTs that `applied` and `failed` refer to).

pub mod engagement_export;
pub mod engagement_sync;
pub mod input;
pub mod plan;
pub mod preflight;
pub mod referral_sync;
pub mod session_sync;
pub mod summary;
