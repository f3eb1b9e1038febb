//! The four coaching reports of RULES.md §9, pure over sessions, contacts and admins: the
//! handler fetches, reduces conversations to [`model::Session`]s, and calls [`caseload::caseload`],
//! [`sessions::sessions`], [`new_participants::new_participants`] or [`billing::billing`] with
//! the as-of, configuration and admins in a [`model::ReportContext`]. Each returns every row,
//! sorted deterministically; the API layer pages them.
//!
//! Decisions where RULES.md §9 and the reports design are silent:
//! - Inputs may be supersets: each report applies its own window, classes and filters, and
//!   counts a conversation once. A conversation seen twice with different contents keeps the
//!   copy with the later session time (it was closed again); a contact seen twice keeps the
//!   later `updated_at`.
//! - Nothing after as-of counts, in any report: sessions, billing calls, custom date ranges,
//!   Enrolled Dates (compared as UTC dates with as-of's local date), so a past as-of reproduces
//!   a past answer.
//! - Members are contacts with role `user` ([`model::is_member`]): a lead never has a row or a
//!   count, is left out of a session's `memberIds`, and a conversation of leads only is nobody's
//!   session. A conversation contact without a record keeps counting (role unknown).
//! - A member without a contact record keeps its row (null name, user id, email, employer) and
//!   its sessions count; an employer filter drops it, since its employer is unknown.
//! - Under an employer filter, a session row's `memberIds` lists only the conversation's members
//!   of that employer, and a session with none of them is not a row.
//! - The sessions report's 0–7 / 8–28 / 29–56 and custom counts do not depend on `lookbackDays`;
//!   only `inLookback` and the rows do.
//! - New participants: a session counts when its local date is on or after the Enrolled Date's
//!   UTC calendar date (RULES.md §9); the coach is the latest counted session's assignee; when
//!   that session is unassigned (or there is none) the contact's `owner_id`. The channel filter decides which
//!   sessions count, so it changes `daysWithoutSession`; the coach filter applies to that coach.
//!   Participants under 14 days are rows with a null bucket.
//! - Billing: `lastSessionAt` is the latest billing call before the month's end, even when it
//!   precedes the engaged window; `monthEnd` is exclusive (the next month's first instant). Its
//!   coach is that call's assignee (null when unassigned; same-instant calls: greater id).
//! - Order among equal names: nameless last, then by id (billing rows, caseload coaches).
//! - CSV: see [`csv_rows`].

pub mod billing;
pub mod caseload;
pub mod csv_rows;
pub mod model;
pub mod new_participants;
pub mod sessions;

#[cfg(test)]
pub(crate) mod testing;

pub use crate::api::render::TabularRow;
