//! The service-performance system (SERVICE-PERFORMANCE.md): Intercom conversations → one
//! `service_conversations` row each, daily aggregates in Postgres, and a read API over them.
//!
//! | module | what it holds |
//! |---|---|
//! | [`config`] | reporting time zone, FRT and ART targets |
//! | [`rules`] | the pure rules of §2 and §3: start time and local date, reply gaps, sentiment, CSAT, durations, the row |
//! | [`jobs`] | `service-sync`'s event, window and summary (§6) |
//! | [`db`] | its SQL: stored versions, upserts, aggregate recompute (§4) |
//! | [`dashboard`] | the dashboard's SQL functions (§5), called with typed parameters |
//! | [`api`] | the report API's routes, parameters, rows and `meta` (§5) |
//! | [`handlers`] | the I/O: search, parts, contacts, Postgres; the report requests |
//!
//! It uses the platform modules (`intercom`, `job`, `store`, `api`, `context`, `time`, `config`)
//! and no other system. Outside [`handlers`], [`db`] and [`dashboard`] nothing reads the clock,
//! the environment (outside [`config::Config::from_env`]), the network or the database.

pub mod api;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod handlers;
pub mod jobs;
pub mod rules;
