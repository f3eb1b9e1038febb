//! End-to-end tests of the service-performance system: `service-sync` against the Intercom
//! simulator and a real PostgreSQL database per test, and the report API over what it wrote.

mod aggregates;
mod faults;
mod report;
mod support;
mod sync;
