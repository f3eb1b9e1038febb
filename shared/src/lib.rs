//! The product's shared library. Platform modules serve every system; each system lives in a
//! folder of its own and never imports another system. Function binaries only wire these together.
//!
//! | module | what it holds |
//! |---|---|
//! | [`coaching`] | the coaching analytics system (RULES.md): rules, jobs, reports, handlers, its report API |
//! | [`service`] | the service-performance system (SERVICE-PERFORMANCE.md): conversation metrics rules, configuration |
//! | [`intercom`] | the Intercom REST client: search queries, cursor paging, rate limits, models |
//! | [`hubspot`] | the HubSpot CRM client: search paging and the 10,000 split, associations, batch read/update with 207 outcomes, properties, rate limits |
//! | [`yobi`] | the Yobi admin API client: login and token renewal, tenants, usage with daily buckets, field-name variants |
//! | [`job`] | what every job shares: event parsing, plan/apply of contact updates, preflight, run summary |
//! | [`api`] | the report HTTP layer: routing, parameters, paging, problem+json, JSON/CSV/gzip |
//! | [`auth`] | the report API's authorizer: named API keys |
//! | [`aws`] | Secrets Manager and S3 |
//! | [`context`] | what a function builds once per execution environment (Intercom access) |
//! | [`config`] | configuration errors and helpers |
//! | [`notify`] | Slack: the incoming-webhook URL from a secret, Block Kit messages within Slack's limits, posting with retries |
//! | [`store`] | Postgres: the URL from a secret, a Lambda-sized pool, migrations, watermarks |
//! | [`time`] | calendar days, local dates and months in a time zone, RFC 3339 |
//! | [`runtime`] | run one handler in Lambda, or locally with an event file |
//! | [`customers`] | customer sync (CUSTOMER-SYNC.md): Intercom contacts → `unified_customers` with Stripe MRR/ARR/LTV, support activity, quality score, alerts |
//! | [`metrics`] | run metrics as CloudWatch embedded metric format records |
//! | [`ranker`] | the weekly engagement ranker (ENGAGEMENT-RANKER.md): Yobi usage → score, rank and tier on HubSpot companies |

pub mod api;
pub mod auth;
pub mod aws;
pub mod coaching;
pub mod config;
pub mod context;
pub mod customers;
pub mod hubspot;
pub mod intercom;
pub mod job;
pub mod metrics;
pub mod notify;
pub mod ranker;
pub mod runtime;
pub mod service;
pub mod store;
pub mod time;
pub mod yobi;

/// Loads the AWS SDK configuration once (region, credentials, `AWS_ENDPOINT_URL` for local moto).
pub async fn aws_sdk_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}
