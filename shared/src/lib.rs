//! The coaching analytics product's shared library: business rules (RULES.md), the Intercom
//! client, the jobs, and the AWS and Lambda glue. Function binaries only wire these together.

pub mod api;
pub mod auth;
pub mod aws;
pub mod config;
pub mod handlers;
pub mod intercom;
pub mod jobs;
pub mod reports;
pub mod rules;
pub mod runtime;
pub mod store;

/// Loads the AWS SDK configuration once (region, credentials, `AWS_ENDPOINT_URL` for local moto).
pub async fn aws_sdk_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}
