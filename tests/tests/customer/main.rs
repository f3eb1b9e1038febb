//! End-to-end tests of customer sync: `customer-sync` against the Intercom simulator, a real
//! PostgreSQL database per test and the local Slack sink.

mod faults;
mod support;
mod sync;
