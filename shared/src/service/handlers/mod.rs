//! The service-performance functions' handlers: read Intercom, compute rows, write Postgres
//! ([`sync`]); serve the dashboard's figures over HTTP ([`report`]).

pub mod context;
pub mod report;
pub mod sync;

pub use context::{start, start_without_intercom, ServiceContext};
