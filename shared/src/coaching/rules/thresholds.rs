//! The day counts and limits of RULES.md, named once. Day thresholds compare `days(x)`
//! (whole calendar days in the reporting time zone, [`crate::time::days_since`]).

/// Caseload `bucket_1`: last session at most this many days ago (RULES.md §9).
pub const WEEK_DAYS: i64 = 7;

/// Engaged: a session, or the enrolment, at most this many days ago (RULES.md §6 rows 1–2);
/// also the upper edge of caseload `bucket_2` and new-participants `gt_21_to_28` (§9).
pub const ENGAGED_DAYS: i64 = 28;

/// At Risk: a session at most this many days ago (RULES.md §6 row 4); also the upper edge of
/// caseload `bucket_3` and the billing engaged window's reach before the month (§9).
pub const AT_RISK_DAYS: i64 = 56;

/// New participants: lower edge of `gt_14_to_21` (RULES.md §9).
pub const NEW_PARTICIPANT_MIN_DAYS: i64 = 14;

/// New participants: upper edge of `gt_14_to_21` (RULES.md §9).
pub const NEW_PARTICIPANT_FIRST_BUCKET_MAX_DAYS: i64 = 21;

/// Default `lookbackDays` of `session-sync` and the reports (RULES.md §5, §9).
pub const DEFAULT_LOOKBACK_DAYS: u32 = 30;

/// Largest `lookbackDays` a job accepts (RULES.md §5).
pub const MAX_JOB_LOOKBACK_DAYS: u32 = 3650;

/// Largest `lookbackDays` a report uses; larger requests are capped (RULES.md §9).
pub const MAX_REPORT_LOOKBACK_DAYS: u32 = 365;

/// Intercom's largest search page (RULES.md §3, §8).
pub const MAX_PER_PAGE: u32 = 150;
