//! What every job shares, whichever system it belongs to: event parsing into typed requests
//! ([`input`]), plans of Intercom contact updates ([`plan`]), the check that the workspace's
//! data attributes allow the writes ([`preflight`]), the run summary ([`summary`]), and the
//! read → plan → apply loop with its error ([`run`]).
//!
//! Decisions where the rules pages are silent:
//! - Events: `null` and a missing field mean the default, `""` too for strings; unknown fields
//!   are errors; integers must be JSON integers; a `null` event is `{}`.
//! - Summaries count both attribute changes (`changesPlanned`) and contact updates
//!   (`updatesPlanned`, the PUTs that `applied` and `failed` refer to).
//! - Preflight runs first, dry runs included, so that a dry run proves the real run can write.

pub mod input;
pub mod plan;
pub mod preflight;
pub mod run;
pub mod summary;

pub use run::JobError;
