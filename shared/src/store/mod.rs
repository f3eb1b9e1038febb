//! Postgres, for every system that keeps data: where the database is ([`url`]) and a pool sized
//! for Lambda ([`pool`]).
//!
//! The rules that keep it working behind Supabase's pooler in transaction mode (and PgBouncer),
//! where consecutive transactions of one client may run on different server connections:
//!
//! - every statement runs inside a transaction (`let mut tx = pool.begin().await?`), so the
//!   prepare and the execute of one query reach the same server connection;
//! - queries are built with [`query::query`] / [`query::query_as`] / [`query::query_scalar`]
//!   (unnamed statements; the pool keeps no statement cache), or [`query::execute_script`] when
//!   they have no arguments;
//! - locks that must outlive a statement are transaction-level (`pg_advisory_xact_lock`);
//! - columns use built-in types (`text` with a `CHECK` rather than a custom enum), since sqlx
//!   looks custom types up with named statements.
//!
//! TLS follows the URL's `sslmode` (rustls, no OpenSSL): `require` encrypts without checking
//! the certificate; `verify-full` with `sslrootcert=PATH` checks it against that CA bundle (RDS
//! and Supabase certificates are signed by their own CAs, not by a public root).

pub mod pool;
pub mod query;
pub mod url;

pub use pool::PoolSettings;
pub use url::{DatabaseUrl, DatabaseUrlError};

/// The pool type every system uses.
pub use sqlx::postgres::PgPool;

/// Why a store operation failed. Never holds the connection URL or password.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No usable database URL.
    #[error(transparent)]
    Config(#[from] DatabaseUrlError),
    /// A statement failed, or no connection could be had; `what` says what was being done.
    #[error("database: {what}: {source}")]
    Query {
        what: &'static str,
        source: sqlx::Error,
    },
}
