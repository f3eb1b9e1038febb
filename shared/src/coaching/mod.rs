//! The coaching analytics system (RULES.md): the sync jobs that keep Intercom contact attributes
//! right, the four reports for BI tools and coaching leads, and the engagement CSV export.
//!
//! | module | what it holds |
//! |---|---|
//! | [`config`] | attribute names, conversation classes, referral programs, reporting zone |
//! | [`rules`] | the pure rules of RULES.md: classes, sessions, engagement, buckets, billing, export |
//! | [`jobs`] | each job's event and pure plan |
//! | [`reports`] | the four reports, pure over sessions and contacts |
//! | [`api`] | the report API's routes, request parameters and `meta` |
//! | [`handlers`] | the I/O: read Intercom, plan, apply; serve the reports |
//!
//! It uses the platform modules (`intercom`, `job`, `api`, `aws`, `auth`, `time`, `runtime`)
//! and no other system.

pub mod api;
pub mod config;
pub mod handlers;
pub mod jobs;
pub mod reports;
pub mod rules;
