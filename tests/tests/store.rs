//! The store against a real PostgreSQL server (`DATABASE_URL`, from with-postgres.sh) and the
//! database secret's shapes through a real Secrets Manager protocol (moto): each test on its own
//! fresh database.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use e2e_tests::postgres::{fresh_database, server_url};
use e2e_tests::{moto_sdk, unique};
use serde_json::json;
use shared::store::query::{query, query_scalar};
use shared::store::sync_state::{self, SyncState};
use shared::store::url::{database_url_from_lookup, SECRET_ID_VARIABLE, URL_VARIABLE};
use shared::store::{migrate, DatabaseUrlError, Migration, PoolSettings, StoreError, MIGRATIONS};

async fn table_exists(pool: &shared::store::PgPool, table: &str) -> bool {
    let mut tx = pool.begin().await.unwrap();
    let exists: bool = query_scalar("SELECT to_regclass($1) IS NOT NULL")
        .bind(table)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    exists
}

async fn recorded_versions(pool: &shared::store::PgPool) -> Vec<i64> {
    let mut tx = pool.begin().await.unwrap();
    let versions = query_scalar("SELECT version FROM schema_migrations ORDER BY version")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    versions
}

fn all_versions() -> Vec<i64> {
    MIGRATIONS.iter().map(|m| m.version).collect()
}

#[tokio::test]
async fn migrations_apply_once_and_again_is_a_no_op() {
    let db = fresh_database().await;
    assert!(!table_exists(&db.pool, "sync_state").await);

    let first = migrate(&db.pool, MIGRATIONS).await.unwrap();
    assert_eq!(first.applied, all_versions());
    assert_eq!(first.current, all_versions().last().copied());
    assert!(table_exists(&db.pool, "sync_state").await);
    assert_eq!(recorded_versions(&db.pool).await, all_versions());

    let second = migrate(&db.pool, MIGRATIONS).await.unwrap();
    assert!(second.applied.is_empty(), "{second:?}");
    assert_eq!(second.current, first.current);
    assert_eq!(recorded_versions(&db.pool).await, all_versions());

    // `open` (what a job calls) finds nothing to do either and hands out a working pool.
    let pool = shared::store::open(&db.url).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    assert_eq!(
        query_scalar::<i64>("SELECT count(*) FROM sync_state")
            .fetch_one(&mut *tx)
            .await
            .unwrap(),
        0
    );
    tx.commit().await.unwrap();
    pool.close().await;
    db.drop_database().await;
}

/// Migrations slow enough that concurrent migrators overlap; the second one counts its runs.
const SLOW: &[Migration] = &[
    Migration {
        version: 1,
        name: "runs",
        sql: "CREATE TABLE runs (n int NOT NULL); SELECT pg_sleep(0.3);",
    },
    Migration {
        version: 2,
        name: "count_a_run",
        sql: "SELECT pg_sleep(0.3); INSERT INTO runs VALUES (1);",
    },
];

#[tokio::test]
async fn concurrent_migrators_do_not_conflict() {
    let db = fresh_database().await;
    // Separate pools: separate connections, as separate Lambda environments would have.
    let pools: Vec<_> = (0..4)
        .map(|_| db.pool_with(&PoolSettings::default()))
        .collect();
    let runs: Vec<_> = pools
        .iter()
        .cloned()
        .map(|pool| tokio::spawn(async move { migrate(&pool, SLOW).await }))
        .collect();
    let mut applied = Vec::new();
    for run in runs {
        let report = run.await.unwrap().expect("every migrator succeeds");
        assert_eq!(report.current, Some(2));
        applied.extend(report.applied);
    }
    applied.sort();
    assert_eq!(applied, vec![1, 2], "each migration applied exactly once");
    let mut tx = db.pool.begin().await.unwrap();
    let count: i64 = query_scalar("SELECT count(*) FROM runs")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count, 1);

    for pool in pools {
        pool.close().await;
    }
    db.drop_database().await;

    // The product's own migrations, raced the same way on another database.
    let db = fresh_database().await;
    let runs: Vec<_> = (0..4)
        .map(|_| db.pool_with(&PoolSettings::default()))
        .map(|pool| tokio::spawn(async move { migrate(&pool, MIGRATIONS).await }))
        .collect();
    let mut applied = Vec::new();
    for run in runs {
        applied.extend(run.await.unwrap().expect("every migrator succeeds").applied);
    }
    applied.sort();
    assert_eq!(applied, all_versions());
    assert_eq!(recorded_versions(&db.pool).await, all_versions());
    db.drop_database().await;
}

#[tokio::test]
async fn a_failing_migration_keeps_nothing_of_its_run() {
    let db = fresh_database().await;
    let broken = [
        Migration {
            version: 1,
            name: "fine",
            sql: "CREATE TABLE fine (x int);",
        },
        Migration {
            version: 2,
            name: "broken",
            sql: "CREATE TABLE broken (x no_such_type);",
        },
    ];
    let err = migrate(&db.pool, &broken).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Migration {
                version: 2,
                name: "broken",
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("migration 2 (broken)") && text.contains("no_such_type"),
        "{text}"
    );
    assert!(!table_exists(&db.pool, "fine").await);
    assert!(!table_exists(&db.pool, "schema_migrations").await);

    // Fixed, it applies from the start.
    let fixed = [
        broken[0],
        Migration {
            sql: "CREATE TABLE broken (x int);",
            ..broken[1]
        },
    ];
    assert_eq!(migrate(&db.pool, &fixed).await.unwrap().applied, vec![1, 2]);
    db.drop_database().await;
}

#[tokio::test]
async fn an_edited_migration_is_refused() {
    let db = fresh_database().await;
    let original = [Migration {
        version: 1,
        name: "t",
        sql: "CREATE TABLE t (x int);",
    }];
    migrate(&db.pool, &original).await.unwrap();
    let edited = [Migration {
        sql: "CREATE TABLE t (x bigint);",
        ..original[0]
    }];
    let err = migrate(&db.pool, &edited).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("migration 1 (t) was applied with other SQL"),
        "{err}"
    );
    // Versions this build does not know (a newer deployment ran) are left alone.
    let newer = [
        original[0],
        Migration {
            version: 2,
            name: "u",
            sql: "CREATE TABLE u (x int);",
        },
    ];
    migrate(&db.pool, &newer).await.unwrap();
    let report = migrate(&db.pool, &original).await.unwrap();
    assert!(report.applied.is_empty());
    assert_eq!(report.current, Some(2));
    db.drop_database().await;
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[tokio::test]
async fn sync_state_round_trips() {
    let db = fresh_database().await;
    migrate(&db.pool, MIGRATIONS).await.unwrap();

    let mut tx = db.pool.begin().await.unwrap();
    assert_eq!(
        sync_state::load(&mut tx, "service-sync").await.unwrap(),
        None
    );
    // Intercom's updated_at is unix seconds: it converts exactly.
    let intercom_updated_at = 1_767_225_599;
    let first = SyncState {
        job: "service-sync".into(),
        watermark: DateTime::from_timestamp(intercom_updated_at, 0),
        last_run_at: at("2026-01-01T06:00:00.123456Z"),
        complete: false,
        details: json!({"scanned": 1200, "upserted": 1180}),
    };
    sync_state::save(&mut tx, &first).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = db.pool.begin().await.unwrap();
    let loaded = sync_state::load(&mut tx, "service-sync")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(loaded, first);
    assert_eq!(loaded.watermark.unwrap().timestamp(), intercom_updated_at);
    let second = SyncState {
        watermark: Some(at("2026-01-02T00:00:00Z")),
        last_run_at: at("2026-01-01T12:00:00Z"),
        complete: true,
        details: json!({}),
        ..first.clone()
    };
    sync_state::save(&mut tx, &second).await.unwrap();
    // Other jobs have their own rows.
    let other = SyncState {
        job: "customer-sync".into(),
        watermark: None,
        ..second.clone()
    };
    sync_state::save(&mut tx, &other).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = db.pool.begin().await.unwrap();
    assert_eq!(
        sync_state::load(&mut tx, "service-sync").await.unwrap(),
        Some(second.clone())
    );
    assert_eq!(
        sync_state::load(&mut tx, "customer-sync").await.unwrap(),
        Some(other)
    );
    tx.commit().await.unwrap();

    // A transaction that does not commit does not move the watermark.
    let mut tx = db.pool.begin().await.unwrap();
    let lost = SyncState {
        watermark: Some(at("2030-01-01T00:00:00Z")),
        ..second.clone()
    };
    sync_state::save(&mut tx, &lost).await.unwrap();
    tx.rollback().await.unwrap();
    let mut tx = db.pool.begin().await.unwrap();
    assert_eq!(
        sync_state::load(&mut tx, "service-sync").await.unwrap(),
        Some(second.clone())
    );

    // The table's checks: a job name, details an object.
    let err = sync_state::save(
        &mut tx,
        &SyncState {
            job: String::new(),
            ..second.clone()
        },
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().starts_with("database: writing sync_state"),
        "{err}"
    );
    tx.rollback().await.unwrap();
    let mut tx = db.pool.begin().await.unwrap();
    assert!(sync_state::save(
        &mut tx,
        &SyncState {
            details: json!([1]),
            ..second
        }
    )
    .await
    .is_err());
    tx.rollback().await.unwrap();
    db.drop_database().await;
}

/// The transaction-mode pooler constraint, checked where it can be seen: after everything the
/// store does, the (only) server connection holds no named prepared statement.
#[tokio::test]
async fn no_named_prepared_statement_is_left_on_the_connection() {
    let db = fresh_database().await;
    let pool = db.pool_with(&PoolSettings {
        max_connections: 1,
        ..PoolSettings::default()
    });
    migrate(&pool, MIGRATIONS).await.unwrap();
    migrate(&pool, MIGRATIONS).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    let state = SyncState {
        job: "j".into(),
        watermark: None,
        last_run_at: Utc::now(),
        complete: true,
        details: json!({}),
    };
    sync_state::save(&mut tx, &state).await.unwrap();
    sync_state::load(&mut tx, "j").await.unwrap().unwrap();
    query("SELECT $1::int")
        .bind(1)
        .execute(&mut *tx)
        .await
        .unwrap();
    let named: i64 = query_scalar("SELECT count(*) FROM pg_prepared_statements")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(named, 0, "the store left named prepared statements");
    // The check can see one: sqlx's default builder names its statements.
    sqlx::query("SELECT $1::int")
        .bind(1)
        .execute(&mut *tx)
        .await
        .unwrap();
    let named: i64 = query_scalar("SELECT count(*) FROM pg_prepared_statements")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(named, 1);
    tx.commit().await.unwrap();
    pool.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn tls_is_required_when_the_url_asks() {
    let db = fresh_database().await;
    // The throwaway server has no TLS: a URL that requires it must not fall back to plain TCP.
    let required =
        shared::store::DatabaseUrl::parse(&format!("{}?sslmode=require", db.url.expose())).unwrap();
    let pool = shared::store::pool::connect(
        &required,
        &PoolSettings {
            acquire_timeout: std::time::Duration::from_secs(5),
            ..PoolSettings::default()
        },
    );
    let err = migrate(&pool, MIGRATIONS).await.unwrap_err();
    let text = err.to_string().to_lowercase();
    assert!(text.contains("tls") || text.contains("ssl"), "{text}");
    let password = url::Url::parse(db.url.expose())
        .unwrap()
        .password()
        .map(str::to_owned)
        .unwrap_or_default();
    assert!(password.is_empty() || !err.to_string().contains(&password));
    pool.close().await;

    // `prefer` (sqlx's default) falls back to plain TCP on such a server.
    let preferred =
        shared::store::DatabaseUrl::parse(&format!("{}?sslmode=prefer", db.url.expose())).unwrap();
    let pool = shared::store::pool::connect(&preferred, &PoolSettings::default());
    migrate(&pool, MIGRATIONS).await.unwrap();
    pool.close().await;
    db.drop_database().await;
}

/// The three secret shapes, stored in moto and read through the SDK, each reach the database.
#[tokio::test]
async fn every_secret_shape_reaches_the_database() {
    let db = fresh_database().await;
    let sdk = moto_sdk().await;
    let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
    // The parts of the test database's URL, for the RDS shape (its password has characters that
    // must be percent-encoded: with-postgres.sh makes sure of that).
    let parsed = url::Url::parse(db.url.expose()).unwrap();
    // Percent-decoded (form decoding also turns '+' into a space; the password has no '+').
    let password = url::form_urlencoded::parse(
        format!("p={}", parsed.password().unwrap_or_default()).as_bytes(),
    )
    .next()
    .map(|(_, v)| v.into_owned())
    .unwrap_or_default();
    let rds = json!({
        "engine": "postgres",
        "host": parsed.host_str().unwrap(),
        "port": parsed.port().unwrap_or(5432),
        "username": parsed.username(),
        "password": password,
        "dbname": db.name,
    });
    for (shape, secret_string) in [
        ("url", db.url.expose().to_string()),
        ("json-url", json!({"url": db.url.expose()}).to_string()),
        ("rds", rds.to_string()),
    ] {
        let secret_id = unique(&format!("db-{shape}"));
        secrets
            .create_secret()
            .name(&secret_id)
            .secret_string(secret_string)
            .send()
            .await
            .expect("secret");
        let client = secrets.clone();
        let url = database_url_from_lookup(
            |k| (k == SECRET_ID_VARIABLE).then(|| secret_id.clone()),
            move || Arc::new(client),
        )
        .await
        .unwrap_or_else(|e| panic!("{shape}: {e}"));
        let pool = shared::store::pool::connect(&url, &PoolSettings::default());
        let mut tx = pool
            .begin()
            .await
            .unwrap_or_else(|e| panic!("{shape}: {e}"));
        let name: String = query_scalar("SELECT current_database()")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(name, db.name, "{shape}");
        pool.close().await;
    }

    // DATABASE_URL wins without a fetch; a missing secret and a malformed one say which and why.
    let client = secrets.clone();
    let url = database_url_from_lookup(
        |k| match k {
            URL_VARIABLE => Some(db.url.expose().to_string()),
            SECRET_ID_VARIABLE => Some("no/such/secret".into()),
            _ => None,
        },
        move || Arc::new(client),
    )
    .await
    .unwrap();
    assert_eq!(url.database().as_deref(), Some(db.name.as_str()));

    let client = secrets.clone();
    let err = database_url_from_lookup(
        |k| (k == SECRET_ID_VARIABLE).then(|| "no/such/secret".to_string()),
        move || Arc::new(client),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, DatabaseUrlError::Fetch { secret_id, .. } if secret_id == "no/such/secret"),
        "{err:?}"
    );

    let bad_id = unique("db-bad");
    let mut bad = rds.clone();
    bad["port"] = json!("not-a-port");
    secrets
        .create_secret()
        .name(&bad_id)
        .secret_string(bad.to_string())
        .send()
        .await
        .expect("secret");
    let client = secrets.clone();
    let err = database_url_from_lookup(
        |k| (k == SECRET_ID_VARIABLE).then(|| bad_id.clone()),
        move || Arc::new(client),
    )
    .await
    .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        text.contains(&bad_id) && text.contains("\"port\""),
        "{text}"
    );
    assert!(!text.contains(&password), "the password leaked: {text}");
    db.drop_database().await;
}

#[test]
fn the_server_url_comes_from_the_environment() {
    // Fails (rather than passing vacuously) when the tests run without a server.
    let url = server_url();
    assert!(url.redacted().starts_with("postgres"), "{url:?}");
}
