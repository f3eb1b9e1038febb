//! A fresh PostgreSQL database per test, on the server named by `DATABASE_URL`
//! (`infra/scripts/with-postgres.sh` starts a throwaway one around the test run).

use shared::store::{DatabaseUrl, PgPool, PoolSettings};
use sqlx::Connection;

/// The server's URL from `DATABASE_URL`.
///
/// # Panics
/// When it is not set (the store tests need a real server and must not pass without one): run
/// them through `make test`, or `infra/scripts/with-postgres.sh cargo test ...`.
pub fn server_url() -> DatabaseUrl {
    let raw = std::env::var("DATABASE_URL").unwrap_or_default();
    assert!(
        !raw.trim().is_empty(),
        "DATABASE_URL is not set: the store tests need a PostgreSQL server; run them through \
         `make test` (or infra/scripts/with-postgres.sh infra/scripts/with-moto.sh cargo test), \
         which starts a throwaway one"
    );
    DatabaseUrl::parse(&raw).unwrap_or_else(|reason| panic!("DATABASE_URL {reason}"))
}

/// One connection to `server` with the store's connect options (so it also works through a
/// transaction-mode pooler).
async fn admin_connection(server: &DatabaseUrl) -> sqlx::PgConnection {
    sqlx::PgConnection::connect_with(&shared::store::pool::connect_options(server, "tests"))
        .await
        .unwrap_or_else(|e| panic!("connecting to {}: {e}", server.redacted()))
}

/// A database created for one test.
pub struct TestDatabase {
    /// Its name (`store_test_...`).
    pub name: String,
    /// The URL of this database (the server's credentials).
    pub url: DatabaseUrl,
    /// A pool on it with the product's settings.
    pub pool: PgPool,
    server: DatabaseUrl,
}

/// Creates an empty database with a name no other test (or earlier run) uses.
pub async fn fresh_database() -> TestDatabase {
    let server = server_url();
    let name = crate::unique("store_test").replace('-', "_")
        + &format!(
            "_{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
    let mut admin = admin_connection(&server).await;
    // CREATE DATABASE cannot run in a transaction; the simple protocol sends it as it is.
    sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    admin.close().await.ok();
    let url = server.with_database(&name);
    let pool = shared::store::pool::connect(&url, &PoolSettings::default());
    TestDatabase {
        name,
        url,
        pool,
        server,
    }
}

impl TestDatabase {
    /// A new pool on this database with `settings`.
    pub fn pool_with(&self, settings: &PoolSettings) -> PgPool {
        shared::store::pool::connect(&self.url, settings)
    }

    /// Closes the pool and drops the database. A test that panics before this leaves its
    /// database behind; the throwaway server takes it along when it stops.
    pub async fn drop_database(self) {
        self.pool.close().await;
        let mut admin = admin_connection(&self.server).await;
        sqlx::raw_sql(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        ))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("DROP DATABASE {}: {e}", self.name));
        admin.close().await.ok();
    }
}
