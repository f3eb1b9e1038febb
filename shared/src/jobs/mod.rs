//! The jobs of RULES.md §5–8: event parsing, pure plans, summaries. Each job reads what it needs,
//! hands it to its pure `plan`, then applies the plan (the apply lives with the I/O).

pub mod engagement_export;
pub mod engagement_sync;
pub mod input;
pub mod plan;
pub mod preflight;
pub mod referral_sync;
pub mod session_sync;
pub mod summary;
