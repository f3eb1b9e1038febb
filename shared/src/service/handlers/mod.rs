//! The service-performance functions' handlers: read Intercom, compute rows, write Postgres.

pub mod context;
pub mod sync;

pub use context::{start, ServiceContext};
