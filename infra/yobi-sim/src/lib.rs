//! A local HTTP server that behaves like Yobi's admin API as the weekly engagement ranker
//! uses it (ENGAGEMENT-RANKER.md §4): login with email and password for an expiring bearer
//! token, the tenant list, and per-tenant usage (appointments and new-patient appointments,
//! calls, tasks) over rolling periods with daily buckets.
//!
//! Knobs make it behave like the versions and failure modes a client must survive: field-name
//! variants (`tenant_id`/`id`, `tenant_name`/`name`, `results.results`/`results.tenants`,
//! `appointment_count`/`total_appointments`, `new_patients`/`new_patient_appointments`),
//! endpoints that only give rolling totals, counts left out, short token lifetimes, latency,
//! throttling and injected errors. It does not use the `shared` crate, so client bugs are
//! not mirrored.
//!
//! ```no_run
//! # async fn demo() -> Result<(), yobi_sim::StartError> {
//! let as_of = chrono::NaiveDate::from_ymd_opt(2025, 3, 30).unwrap();
//! let book = ranker_book::generate(200, 7, as_of);
//! let config = yobi_sim::SimConfig { today: Some(as_of), ..Default::default() };
//! let sim = yobi_sim::start(book.yobi, config, 0).await?;
//! println!("{}", sim.base_url);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

mod config;
mod error;
mod server;
mod store;
mod tokens;

pub use config::{Endpoint, FieldNames, Metric, SimConfig};
pub use ranker_book::{DailyUsage, FixtureError, Tenant, UserActivity, YobiFixture, YobiUser};
pub use server::{start, RunningSim};
pub use sim_kit::{SimStats, StartError};
