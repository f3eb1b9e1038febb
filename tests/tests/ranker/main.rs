//! End-to-end tests of the weekly engagement ranker against hubspot-sim, yobi-sim and
//! slack-sink over HTTP: a hand-computed book of 20 customers, the faults of the issue, and
//! the function binary.

mod binary;
mod faults;
mod ranking;
mod support;
