//! Pure business rules of RULES.md: data in, data out. Nothing here reads the clock, the
//! environment or the network; the as-of instant and the reporting time zone are passed in.
//!
//! Decisions where RULES.md is silent:
//! - A day starts at its first instant: the earlier midnight when midnight repeats, the
//!   transition when midnight is skipped ([`crate::time::start_of_local_day`]).
//! - A session after as-of has negative `days(...)`. The engagement classification reads the
//!   stored `Last Coaching Session` as it is and counts such a value as recent; the session
//!   indexer and every report ignore sessions after as-of, so none lands in a caseload bucket.
//! - Channel combinations list channels outside Phone, Video Conference, Email, Chat (only
//!   possible with configured extra channels) after those four, alphabetically.
//! - The export reads `Date of Birth` as a timestamp's UTC date, or a `YYYY-MM-DD` string as-is;
//!   text cells print numbers and booleans (a numeric `Registration Code`).

pub mod billing;
pub mod buckets;
pub mod classes;
pub mod engagement;
pub mod export;
pub mod referral;
pub mod sessions;
pub mod thresholds;
