//! The service-performance system (SERVICE-PERFORMANCE.md): Intercom conversations → one
//! `service_conversations` row each, daily aggregates in Postgres, and a read API over them.
//!
//! | module | what it holds |
//! |---|---|
//! | [`config`] | reporting time zone, FRT and ART targets |
//! | [`rules`] | the pure rules of §2 and §3: start time and local date, reply gaps, sentiment, CSAT, durations, the row |
//!
//! It uses the platform modules (`intercom`, `time`, `config`) and no other system. Nothing here
//! reads the clock, the environment (outside [`config::Config::from_env`]) or the network.

pub mod config;
pub mod rules;
