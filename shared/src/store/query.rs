//! The only way store code builds a query: with unnamed statements.
//!
//! sqlx prepares every query with arguments. By default it names the statement and keeps it for
//! the life of the connection; behind a transaction-mode pooler that name would be looked up on
//! a server connection that never saw it (or clash with another client's). These builders use
//! the unnamed statement instead, which PostgreSQL drops at the next prepare. Run them inside a
//! transaction (`pool.begin()`), so that prepare and execute reach the same server connection.
//! SQL without arguments can also go through [`execute_script`] (the simple protocol, no
//! statement at all), which is how migrations run.

use sqlx::postgres::{PgArguments, PgQueryResult, PgRow};
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Executor, FromRow, PgConnection, Postgres};

/// `sqlx::query(sql)` with an unnamed statement.
pub fn query(sql: &str) -> Query<'_, Postgres, PgArguments> {
    sqlx::query(sql).persistent(false)
}

/// `sqlx::query_as(sql)` with an unnamed statement; rows decode into `O`.
pub fn query_as<O>(sql: &str) -> QueryAs<'_, Postgres, O, PgArguments>
where
    O: for<'r> FromRow<'r, PgRow>,
{
    sqlx::query_as(sql).persistent(false)
}

/// `sqlx::query_scalar(sql)` with an unnamed statement; the first column decodes into `O`.
pub fn query_scalar<O>(sql: &str) -> QueryScalar<'_, Postgres, O, PgArguments>
where
    (O,): for<'r> FromRow<'r, PgRow>,
{
    sqlx::query_scalar(sql).persistent(false)
}

/// Runs `sql`, one or more statements without arguments, through the simple query protocol (no
/// prepared statement at all); the result counts the rows of the last statement.
pub async fn execute_script(
    conn: &mut PgConnection,
    sql: &str,
) -> Result<PgQueryResult, sqlx::Error> {
    conn.execute(sql).await
}
