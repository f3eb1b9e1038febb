//! Customer sync's I/O: read Intercom, compute rows, write Postgres, post to Slack.

pub mod context;
pub mod sync;

pub use context::{start, CustomerContext};
