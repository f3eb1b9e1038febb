//! The coaching functions' handlers: parse the event, read Intercom, plan, apply, summarise.
//!
//! Each handler is a plain `async fn(&AppContext, serde_json::Value)` that the binaries serve
//! through [`crate::runtime::run`] and tests call directly.

pub mod context;
pub mod engagement_export;
pub mod engagement_sync;
pub mod referral_sync;
pub mod reports;
pub mod session_sync;

pub use context::{start, AppContext};
