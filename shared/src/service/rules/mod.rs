//! The pure rules of SERVICE-PERFORMANCE.md §2 and §3: data in, data out. Nothing here reads
//! the clock, the environment or the network; the reporting zone and the sync instant are passed
//! in. Each file holds one rule; every decision taken where the rules page is silent is written
//! in the file that takes it and collected in docs/service-performance.md.
//!
//! | module | rule |
//! |---|---|
//! | [`started`] | `started_at`, and its local date, hour and weekday in the reporting zone (§2) |
//! | [`parts`] | the order of conversation parts, and `parts_truncated` |
//! | [`reply`] | the reply-gap rule: `art_seconds`, `response_count` |
//! | [`durations`] | FRT, FRT in office hours, median reply, AHT, wait time, time to close; rounding of means |
//! | [`channel`] | `channel` |
//! | [`assignee`] | `assignee_id`, `assignee_name`, `team_id` |
//! | [`csat`] | `csat_rating`, `csat_remark` |
//! | [`sentiment`] | `sentiment`, `sentiment_source` |
//! | [`row`] | the `service_conversations` row, built from all of the above |

pub mod assignee;
pub mod channel;
pub mod csat;
pub mod durations;
pub mod parts;
pub mod reply;
pub mod row;
pub mod sentiment;
pub mod started;

#[cfg(test)]
mod row_tests;
#[cfg(test)]
pub(crate) mod testing;
