//! The Yobi admin API client of the engagement ranker (ENGAGEMENT-RANKER.md §4): login with
//! email and password from Secrets Manager, the token renewed before its expiry (and once on a
//! 401 `token_expired`), the tenant list and per-tenant usage with daily buckets. Tolerant of
//! the field-name variants Yobi has been seen to use, strict about what is missing: a needed
//! field absent is [`YobiError::MissingField`] naming the endpoint and the field.

mod client;
mod credentials;
mod error;
mod models;

pub use client::{YobiClient, YobiConfig, DEFAULT_API_BASE};
pub use credentials::{
    YobiCredentials, CREDENTIALS_SECRET_ID_VARIABLE, EMAIL_VARIABLE, PASSWORD_VARIABLE,
};
pub use error::YobiError;
pub use models::{
    DailyBucket, Metric, Period, Tenant, TenantUsage, UsageEndpoint, UsageReport, UserCount,
};
