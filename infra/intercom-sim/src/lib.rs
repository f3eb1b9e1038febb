//! A local HTTP server that behaves like Intercom's REST API (the parts the coaching and
//! service-performance systems use): contact and conversation search with Intercom's query
//! language, sorting and cursor paging, contact reads and updates, conversations with their
//! parts and statistics, admins, teams, data attributes and `/me`.
//!
//! Two generated workloads: a coaching program ([`generate`]) and customer support
//! ([`generate_support`]); [`Workspace::merge`] serves both side by side.
//!
//! [`start`] serves a [`Workspace`] or a [`CompactWorkspace`]: the server keeps contacts and
//! conversations as compact JSON either way; building a `CompactWorkspace` directly
//! ([`CompactWorkspace::add_generated`]) also keeps generation lean, which large workspaces
//! (100,000 members: 1.1 million conversations) need.
//!
//! It is an independent implementation of Intercom's documented behaviour (calendar-day date
//! matching in the workspace time zone, nesting limits, `Intercom-Version` rendering, rate-limit
//! headers, `error.list` bodies), so a client tested against it is tested against Intercom's
//! rules rather than against its own assumptions.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let workspace = intercom_sim::generate(200, 7, chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap());
//! let sim = intercom_sim::start(workspace, intercom_sim::SimConfig::default(), 0).await?;
//! println!("{}", sim.base_url);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

mod config;
mod error;
mod generate;
mod parts;
mod rate_limit;
mod render;
mod search;
mod server;
mod stats;
mod store;
mod version;
mod workspace;

pub use config::SimConfig;
pub use generate::{
    generate, generate_customers, generate_support, CustomerWorkload, SupportWorkload,
};
pub use server::{start, RunningSim};
pub use stats::SimStats;
pub use store::compact::CompactWorkspace;
pub use workspace::{Workspace, WorkspaceError};
