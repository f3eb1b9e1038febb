//! The connection pool: small, lazy, and safe behind a transaction-mode pooler.
//!
//! A Lambda environment handles one invocation at a time, so a job needs one connection and a
//! spare; more would only hold server (or Supabase pooler) slots while the environment sleeps.
//! Nothing connects until the first query, so a cold start does not pay for a connection it may
//! not use, and a connection broken while the environment was frozen is noticed (and replaced)
//! when it is next taken from the pool.
//!
//! Behind a transaction-mode pooler (Supabase on port 6543, PgBouncer) consecutive transactions
//! may run on different server connections, so: the statement cache is off (a cached, named
//! statement would be looked up on a server connection that never prepared it), queries go
//! through [`crate::store::query`] (unnamed statements), and every statement runs inside a
//! transaction (see the module docs of [`crate::store`]).

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::url::DatabaseUrl;

/// How the pool behaves. [`PoolSettings::default`] is sized for a Lambda function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSettings {
    /// Connections open at most (default 2).
    pub max_connections: u32,
    /// How long a query waits for a connection, including connecting (TLS and authentication
    /// included) before it fails (default 10 s).
    pub acquire_timeout: Duration,
    /// An idle connection is closed after this long (default 60 s).
    pub idle_timeout: Duration,
    /// `application_name` shown in `pg_stat_activity` unless the URL sets one (default
    /// `AWS_LAMBDA_FUNCTION_NAME` when set, else `coaching-analytics`).
    pub application_name: String,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 2,
            acquire_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            application_name: std::env::var("AWS_LAMBDA_FUNCTION_NAME")
                .ok()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| "coaching-analytics".into()),
        }
    }
}

/// The connect options for `url`: as the URL says (host, credentials, `sslmode`,
/// `sslrootcert`), with the statement cache off.
pub fn connect_options(url: &DatabaseUrl, application_name: &str) -> PgConnectOptions {
    let options = PgConnectOptions::from_str(url.expose())
        .expect("DatabaseUrl is checked to be a usable connection URL")
        // Named statements do not survive a transaction-mode pooler.
        .statement_cache_capacity(0)
        // PgBouncer refuses unknown startup parameters; PostgreSQL 12+ needs none of it.
        .extra_float_digits(None);
    if options.get_application_name().is_some() {
        options
    } else {
        options.application_name(application_name)
    }
}

/// A pool for `url`; connects lazily (no I/O here). Must be called inside a Tokio runtime.
pub fn connect(url: &DatabaseUrl, settings: &PoolSettings) -> PgPool {
    PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .min_connections(0)
        .acquire_timeout(settings.acquire_timeout)
        .idle_timeout(settings.idle_timeout)
        // A ping (one round trip) before handing out a connection that sat idle: the Lambda
        // environment may have been frozen for a long time and the server may have dropped it.
        .test_before_acquire(true)
        .connect_lazy_with(connect_options(url, &settings.application_name))
}
