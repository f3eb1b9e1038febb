//! The job's event, its pure plan and its summary.
//!
//! | module | what it holds |
//! |---|---|
//! | [`event`] | §8 the event, parsed before any call |
//! | [`plan`] | §2–§6 inputs → ranked companies and property changes |
//! | [`summary`] | §7 the JSON output and the Slack message |

pub mod event;
pub mod plan;
pub mod summary;
