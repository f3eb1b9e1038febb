//! The coaching analytics product's shared library: business rules (RULES.md), the Intercom
//! client, the jobs, and the AWS and Lambda glue. Function binaries only wire these together.

pub mod aws;
pub mod config;
pub mod intercom;
pub mod jobs;
pub mod rules;
