//! The customer-sync system (CUSTOMER-SYNC.md): Intercom contacts → `unified_customers` in
//! Postgres with Stripe revenue, support activity, a quality score, and alerts with one Slack
//! message per run.
//!
//! | module | what it holds |
//! |---|---|
//! | [`config`] | the cancel keywords and the time budget, from the environment |
//! | [`models`] | the contact and conversation shapes it reads from Intercom |
//! | [`rules`] | the pure rules of §1–§3 |
//! | [`jobs`] | `customer-sync`'s event, window and summary (§4) |
//! | [`db`] | its SQL: stored rows, the upsert of owned columns, alert rows |
//! | [`notify`] | the run's Slack message |
//! | [`handlers`] | the I/O: search, parts, Postgres, Slack |
//!
//! It uses the platform modules (`intercom`, `job`, `store`, `notify`, `context`, `config`) and
//! no other system.

pub mod config;
pub mod db;
pub mod handlers;
pub mod jobs;
pub mod models;
pub mod notify;
pub mod rules;
