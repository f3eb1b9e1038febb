//! Pure business rules of RULES.md: data in, data out. Nothing here reads the clock, the
//! environment or the network; the as-of instant and the reporting time zone are passed in.
//!
//! Decisions where RULES.md is silent:
//! - A day starts at its first instant: the earlier midnight when midnight repeats, the
//!   transition when midnight is skipped ([`time::start_of_local_day`]).
//! - A session after as-of has negative `days(...)`: it counts as recent for engagement and
//!   lands in caseload `bucket_1`; the session indexer ignores it.
//! - Channel combinations list channels outside Phone, Video Conference, Email, Chat (only
//!   possible with configured extra channels) after those four, alphabetically.
//! - The export reads `Date of Birth` as a timestamp's UTC date, or a `YYYY-MM-DD` string as-is;
//!   text cells print numbers and booleans (a numeric `Registration Code`).
//! - A timestamp outside chrono's range is clamped into it rather than rejected.

pub mod billing;
pub mod buckets;
pub mod classes;
pub mod engagement;
pub mod export;
pub mod referral;
pub mod sessions;
pub mod thresholds;
pub mod time;
