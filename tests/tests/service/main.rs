//! End-to-end tests of the service-performance system: `service-sync` against the Intercom
//! simulator and a real PostgreSQL database per test.

mod aggregates;
mod faults;
mod support;
mod sync;
