//! Postgres, for every system that keeps data: where the database is ([`url`]), a pool sized for
//! Lambda ([`pool`]), the schema's versioned migrations ([`migrate`], [`migrations`]) and each
//! job's watermark ([`sync_state`]). See `docs/store.md`.
//!
//! In `main`, once per process:
//!
//! ```no_run
//! # async fn main_() -> Result<(), Box<dyn std::error::Error>> {
//! let sdk = shared::aws_sdk_config().await;
//! let url = shared::store::url::database_url_from_env(&sdk).await?;
//! let pool = shared::store::open(&url).await?; // pool + pending migrations
//! # Ok(()) }
//! ```
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

pub mod migrate;
pub mod migrations;
pub mod pool;
pub mod query;
pub mod sync_state;
pub mod url;

pub use migrate::{migrate, Migration, MigrationReport};
pub use migrations::MIGRATIONS;
pub use pool::PoolSettings;
pub use sync_state::SyncState;
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
    /// A migration's SQL failed; nothing of that migration run was kept.
    #[error("database migration {version} ({name}) failed, no migration of this run was applied: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        source: sqlx::Error,
    },
    /// The migration list cannot be applied as it is.
    #[error("database migrations: {reason}")]
    Migrations { reason: String },
}

/// A pool for `url` with [`PoolSettings::default`], after applying the pending [`MIGRATIONS`]
/// (the first connection is made here). What a job calls before its first write.
///
/// # Errors
/// As [`migrate()`]: the database unreachable (after the pool's acquire timeout), the lock not
/// had, or a migration failing.
pub async fn open(url: &DatabaseUrl) -> Result<PgPool, StoreError> {
    let pool = pool::connect(url, &PoolSettings::default());
    migrate(&pool, MIGRATIONS).await?;
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lambda handlers and `tokio::spawn` need `Send` futures; this only has to compile.
    #[allow(dead_code)]
    fn store_futures_are_send(pool: PgPool, url: DatabaseUrl) {
        tokio::spawn(async move {
            open(&url).await?;
            migrate(&pool, MIGRATIONS).await?;
            let mut tx = pool.begin().await.map_err(|source| StoreError::Query {
                what: "begin",
                source,
            })?;
            let state = sync_state::load(&mut tx, "job").await?;
            if let Some(state) = state {
                sync_state::save(&mut tx, &state).await?;
            }
            Ok::<_, StoreError>(())
        });
    }
}
