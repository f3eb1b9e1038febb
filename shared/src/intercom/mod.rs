//! Intercom's REST API: models, search queries, the HTTP client.

pub mod models;
