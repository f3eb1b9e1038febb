//! End-to-end tests of the coaching system: its jobs and reports against the Intercom
//! simulator and moto (one test binary per system).

mod engagement_export;
mod engagement_sync;
mod faults;
mod pipeline;
mod referral_sync;
mod reports;
mod session_sync;
