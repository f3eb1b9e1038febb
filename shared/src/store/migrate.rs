//! Versioned SQL migrations, applied in order under an advisory lock, one writer at a time.
//!
//! All pending migrations run in **one transaction** that first takes
//! `pg_advisory_xact_lock(MIGRATION_LOCK_KEY)`. A transaction-level lock is held by the server
//! connection running the transaction and released by its commit or rollback, so it works
//! behind a transaction-mode pooler (a session-level `pg_advisory_lock` would be taken on one
//! server connection and the migrations run on another). A second migrator waits for the lock,
//! then finds everything applied and does nothing. A failing migration rolls the whole run back:
//! the schema is never left half-migrated.
//!
//! Bookkeeping is the `schema_migrations` table: one row per applied version with its name, the
//! SHA-256 of its SQL (line endings normalised) and when it was applied. A migration whose SQL
//! changed after it was applied is an error, not silently skipped: add a new migration instead.
//! Versions in the database that this code does not know (a newer deployment ran) are left
//! alone.
//!
//! Migration SQL runs through the simple query protocol, so a file may hold several statements;
//! it must not use statements that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`,
//! `VACUUM`). Migrations never drop data (a unit test rejects `DROP TABLE`, `DROP COLUMN`,
//! `TRUNCATE` and `DELETE` in them).

use sha2::{Digest, Sha256};
use sqlx::postgres::PgPool;

use super::query::{execute_script, query, query_as};
use super::StoreError;

/// The advisory lock key of migrations (any constant; it only has to be the same for every
/// migrator of a database). Advisory locks are per database.
pub const MIGRATION_LOCK_KEY: i64 = 0x636f_6163_6869_6e67; // "coaching" in ASCII

/// How long a migrator waits for the lock, or for a table lock its DDL needs, before failing.
pub const MIGRATION_LOCK_TIMEOUT: &str = "120s";

/// One migration: `shared/migrations/{version:04}_{name}.sql`, embedded at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// Position in the order of migrations; versions strictly increase along the list.
    pub version: i64,
    /// What it does, in a few words (the file name after the version).
    pub name: &'static str,
    /// The SQL, one or more statements.
    pub sql: &'static str,
}

impl Migration {
    /// The SHA-256 (hex) of the SQL with `\r` removed, so a checkout with CRLF line endings
    /// gives the same checksum.
    pub fn checksum(&self) -> String {
        let normalised = self.sql.replace('\r', "");
        hex::encode(Sha256::digest(normalised.as_bytes()))
    }
}

/// What [`migrate`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MigrationReport {
    /// Versions applied by this call, in order (empty when the schema was up to date).
    pub applied: Vec<i64>,
    /// The highest version recorded in the database after this call.
    pub current: Option<i64>,
}

/// Applies the migrations of `migrations` not yet recorded in `schema_migrations`, in order, in
/// one transaction under the migration lock. Idempotent.
///
/// # Errors
/// [`StoreError::Migrations`] when the list is out of order or an applied migration's SQL has
/// changed; [`StoreError::Migration`] when a migration's SQL fails (nothing of this call is
/// kept); [`StoreError::Query`] when the database cannot be reached or the lock not taken in
/// [`MIGRATION_LOCK_TIMEOUT`].
pub async fn migrate(
    pool: &PgPool,
    migrations: &[Migration],
) -> Result<MigrationReport, StoreError> {
    check_order(migrations)?;
    let ctx = |what: &'static str| move |source| StoreError::Query { what, source };

    let mut tx = pool
        .begin()
        .await
        .map_err(ctx("beginning the migration transaction"))?;
    execute_script(
        &mut tx,
        &format!("SET LOCAL lock_timeout = '{MIGRATION_LOCK_TIMEOUT}'"),
    )
    .await
    .map_err(ctx("setting the migration lock timeout"))?;
    query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK_KEY)
        .execute(&mut *tx)
        .await
        .map_err(ctx("taking the migration lock"))?;
    // Created under the lock: two concurrent `CREATE TABLE IF NOT EXISTS` can both fail.
    execute_script(
        &mut tx,
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    bigint PRIMARY KEY,
             name       text NOT NULL,
             checksum   text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await
    .map_err(ctx("creating schema_migrations"))?;
    let recorded: Vec<(i64, String)> =
        query_as("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(&mut *tx)
            .await
            .map_err(ctx("reading schema_migrations"))?;

    let mut applied = Vec::new();
    for migration in migrations {
        let checksum = migration.checksum();
        if let Some((_, stored)) = recorded.iter().find(|(v, _)| *v == migration.version) {
            if *stored != checksum {
                return Err(StoreError::Migrations {
                    reason: format!(
                        "migration {} ({}) was applied with other SQL than this build has; \
                         applied migrations must not be edited, add a new one",
                        migration.version, migration.name
                    ),
                });
            }
            continue;
        }
        execute_script(&mut tx, migration.sql)
            .await
            .map_err(|source| StoreError::Migration {
                version: migration.version,
                name: migration.name,
                source,
            })?;
        query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(&checksum)
            .execute(&mut *tx)
            .await
            .map_err(ctx("recording a migration in schema_migrations"))?;
        applied.push(migration.version);
    }
    let current = recorded
        .iter()
        .map(|(v, _)| *v)
        .chain(applied.iter().copied())
        .max();
    tx.commit()
        .await
        .map_err(ctx("committing the migrations"))?;
    if applied.is_empty() {
        tracing::debug!(?current, "database schema up to date");
    } else {
        tracing::info!(?applied, ?current, "applied database migrations");
    }
    Ok(MigrationReport { applied, current })
}

/// Versions strictly increasing and positive, names non-empty.
pub fn check_order(migrations: &[Migration]) -> Result<(), StoreError> {
    let mut previous = 0;
    for m in migrations {
        if m.version <= previous || m.name.trim().is_empty() {
            return Err(StoreError::Migrations {
                reason: format!(
                    "migration {} ({:?}) is out of order or unnamed: versions must be positive \
                     and strictly increasing, names non-empty",
                    m.version, m.name
                ),
            });
        }
        previous = m.version;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn m(version: i64, name: &'static str) -> Migration {
        Migration {
            version,
            name,
            sql: "SELECT 1",
        }
    }

    #[test]
    fn order_is_checked() {
        assert!(check_order(&[]).is_ok());
        assert!(check_order(&[m(1, "a"), m(2, "b"), m(10, "c")]).is_ok());
        for bad in [
            vec![m(0, "a")],
            vec![m(2, "a"), m(1, "b")],
            vec![m(1, "a"), m(1, "b")],
            vec![m(1, " ")],
        ] {
            let err = check_order(&bad).unwrap_err();
            assert!(err.to_string().contains("out of order or unnamed"), "{err}");
        }
    }

    #[test]
    fn checksums_ignore_carriage_returns() {
        let unix = Migration {
            version: 1,
            name: "a",
            sql: "CREATE TABLE t (x int);\nSELECT 1;\n",
        };
        let windows = Migration {
            sql: "CREATE TABLE t (x int);\r\nSELECT 1;\r\n",
            ..unix
        };
        assert_eq!(unix.checksum(), windows.checksum());
        assert_eq!(unix.checksum().len(), 64);
        assert_ne!(unix.checksum(), m(1, "a").checksum());
    }
}
