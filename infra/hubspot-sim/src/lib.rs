//! A local HTTP server that behaves like the parts of HubSpot's CRM APIs the weekly
//! engagement ranker uses (ENGAGEMENT-RANKER.md §2, §6, §8): contact and company search
//! (filter groups, sorts, `after` paging, the 10,000-result ceiling), associations v4 batch
//! read, company batch read and update (207 partial failures on demand), company property
//! definitions and the value checks HubSpot applies on update, private-app token auth and
//! rate limits (`X-HubSpot-RateLimit-*` headers, 429 bodies with `policyName`).
//!
//! It is an independent implementation of HubSpot's documented behaviour (it does not use
//! the `shared` crate), so client bugs are not mirrored.
//!
//! ```no_run
//! # async fn demo() -> Result<(), hubspot_sim::StartError> {
//! let as_of = chrono::NaiveDate::from_ymd_opt(2025, 3, 30).unwrap();
//! let book = ranker_book::generate(200, 7, as_of);
//! let sim = hubspot_sim::start(book.hubspot, hubspot_sim::SimConfig::default(), 0).await?;
//! println!("{}", sim.base_url);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

mod config;
mod error;
mod properties;
mod rate_limit;
mod search;
mod server;
mod store;

pub use config::SimConfig;
pub use ranker_book::{Association, CrmObject, FixtureError, HubSpotFixture};
pub use server::{start, RunningSim};
pub use sim_kit::{SimStats, StartError};
