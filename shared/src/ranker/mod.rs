//! The weekly engagement ranker (ENGAGEMENT-RANKER.md): Yobi usage → score, rank and tier on
//! HubSpot companies, with a Slack summary.
//!
//! | module | what it holds |
//! |---|---|
//! | [`config`] | overrides, generic and internal email domains, exclusion flags, activity floor |
//! | [`rules`] | the pure rules: week, normalisation, identity, metrics, score/rank/tier, prior rank, property checks |
//! | [`jobs`] | the event, the pure `plan`, the summary and Slack message |
//! | [`handlers`] | the I/O: reads, preflight, apply, spike |
//!
//! It uses the platform modules (`hubspot`, `yobi`, `notify`, `job`, `time`, `config`) and no
//! other system. Outside [`handlers`] nothing reads the clock, the environment (outside
//! [`config::Config::from_env`]) or the network.

// The errors carry HubSpot's (category, correlationId, per-record errors) for the engineer on
// call; they are large, but a run fails at most once.
#![allow(clippy::result_large_err)]

pub mod config;
pub mod handlers;
pub mod jobs;
pub mod rules;
