//! Where the database is: `DATABASE_URL` for local runs, otherwise the Secrets Manager secret
//! named by `DATABASE_SECRET_ID` (read through the SDK configuration `main` built, so
//! `AWS_ENDPOINT_URL` and the region apply).
//!
//! The secret string is one of:
//! - the URL itself: `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=require`;
//! - `{"url": "postgres://..."}`;
//! - the shape RDS and Secrets Manager's rotation templates write:
//!   `{"host", "port", "username", "password", "dbname"}` (`port` a number or a numeric string,
//!   default 5432; `dbname` default `postgres`; optional `engine` must be a PostgreSQL one;
//!   optional `sslmode`). The password may hold any character: it is percent-encoded into the URL.
//!
//! The URL is a [`SecretString`] from the moment it is read. Errors name the variable, secret or
//! field and say what is wrong; they never quote the value, so no error or log line carries the
//! password. [`DatabaseUrl::redacted`] is the form to log.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use aws_config::SdkConfig;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use sqlx::postgres::PgConnectOptions;

use crate::aws::secrets::{SecretStore, TokenError};

/// The variable holding a connection URL directly (local runs); it overrides the secret.
pub const URL_VARIABLE: &str = "DATABASE_URL";
/// The variable holding the Secrets Manager secret id (name or ARN) of the connection.
pub const SECRET_ID_VARIABLE: &str = "DATABASE_SECRET_ID";
/// The port of the RDS shape when the secret has none.
pub const DEFAULT_PORT: u16 = 5432;
/// The database of the RDS shape when the secret has no `dbname`.
pub const DEFAULT_DATABASE: &str = "postgres";

const SSL_MODES: [&str; 6] = [
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
];

/// Why no database URL could be had. Never holds the URL or the password.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum DatabaseUrlError {
    #[error(
        "no database configured: set {SECRET_ID_VARIABLE} to the Secrets Manager secret holding \
         the connection, or {URL_VARIABLE} for local runs"
    )]
    NotConfigured,
    /// `DATABASE_URL` is set but unusable.
    #[error("{variable} {reason}; it must be a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL")]
    Variable {
        variable: &'static str,
        reason: String,
    },
    /// Secrets Manager did not hand out the secret.
    #[error(
        "reading Secrets Manager secret {secret_id} ({SECRET_ID_VARIABLE}): {reason}; check that \
         it exists in this account and region and that the function's role may call \
         secretsmanager:GetSecretValue on it"
    )]
    Fetch { secret_id: String, reason: String },
    /// The secret's string is not one of the accepted shapes.
    #[error(
        "Secrets Manager secret {secret_id} ({SECRET_ID_VARIABLE}) {reason}; store a \
         postgres:// URL, {{\"url\": \"postgres://...\"}}, or {{\"host\", \"port\", \
         \"username\", \"password\", \"dbname\"}} as the secret string"
    )]
    Secret { secret_id: String, reason: String },
}

/// A PostgreSQL connection URL (`postgres://` or `postgresql://`), checked to have a host and
/// a known `sslmode`. It carries the password, so it is only ever shown redacted.
#[derive(Clone)]
pub struct DatabaseUrl {
    url: SecretString,
    redacted: String,
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl").field(&self.redacted).finish()
    }
}

impl DatabaseUrl {
    /// Checks a connection URL. The error is a reason to follow the URL's origin ("has no
    /// host"), without any part of the URL in it.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("is empty".into());
        }
        let url = url::Url::parse(raw).map_err(|e| format!("is not a valid URL ({e})"))?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err("must start with postgres:// or postgresql://".into());
        }
        let query_host = url.query_pairs().any(|(k, v)| k == "host" && !v.is_empty());
        if url.host_str().is_none_or(str::is_empty) && !query_host {
            return Err("has no host".into());
        }
        // An unencoded '/', '?' or '#' in the password moves the rest of it (and the '@') past
        // the host, where it would be logged as a database name or parameter.
        if url.fragment().is_some()
            || url.path().contains('@')
            || url.query().is_some_and(|q| q.contains('@'))
        {
            return Err(
                "has '@' or '#' after the host: percent-encode special characters in \
                        the password (@ as %40, / as %2F, ? as %3F, # as %23, % as %25)"
                    .into(),
            );
        }
        for (key, value) in url.query_pairs() {
            if matches!(&*key, "sslmode" | "ssl-mode") && !SSL_MODES.contains(&&*value) {
                return Err(format!(
                    "has an unknown sslmode (use one of {})",
                    SSL_MODES.join(", ")
                ));
            }
        }
        // sqlx's own reading of the URL must succeed too; its messages do not quote values.
        PgConnectOptions::from_str(raw)
            .map_err(|e| format!("is not a usable connection URL ({e})"))?;
        Ok(Self {
            redacted: redact(&url),
            url: SecretString::from(raw),
        })
    }

    /// The URL for the RDS-shaped secret `fields` (see the module docs). The error is a reason,
    /// naming the field at fault.
    pub fn from_rds_fields(fields: &serde_json::Map<String, Value>) -> Result<Self, String> {
        let text = |name: &str, required: bool| -> Result<Option<&str>, String> {
            match fields.get(name) {
                None | Some(Value::Null) if !required => Ok(None),
                Some(Value::String(s)) if !s.trim().is_empty() || name == "password" => {
                    Ok(Some(s.as_str()))
                }
                None | Some(Value::Null) => Err(format!("has no \"{name}\" field")),
                Some(Value::String(_)) => Err(format!("has an empty \"{name}\" field")),
                Some(_) => Err(format!("has a \"{name}\" field that is not a string")),
            }
        };
        if let Some(engine) = text("engine", false)? {
            if !matches!(
                engine.trim(),
                "postgres" | "postgresql" | "aurora-postgresql"
            ) {
                return Err("has an \"engine\" field that is not postgres".into());
            }
        }
        let host = text("host", true)?.unwrap_or_default().trim();
        let username = text("username", true)?.unwrap_or_default().trim();
        let password = text("password", true)?.unwrap_or_default();
        let database = text("dbname", false)?.map_or(DEFAULT_DATABASE, str::trim);
        let port = match fields.get("port") {
            None | Some(Value::Null) => DEFAULT_PORT,
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p > 0)
                .ok_or("has a \"port\" field that is not a port number (1 to 65535)")?,
            Some(Value::String(s)) => s
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or("has a \"port\" field that is not a port number (1 to 65535)")?,
            Some(_) => return Err("has a \"port\" field that is not a number".into()),
        };
        let sslmode = text("sslmode", false)?.map(str::trim);
        if sslmode.is_some_and(|m| !SSL_MODES.contains(&m)) {
            return Err(format!(
                "has an unknown \"sslmode\" (use one of {})",
                SSL_MODES.join(", ")
            ));
        }

        // Built with the URL library so that every part is percent-encoded as it must be.
        let mut url = url::Url::parse("postgres://localhost").expect("a static URL");
        url.set_host(Some(host))
            .map_err(|_| "has a \"host\" field that is not a host name or address")?;
        url.set_port(Some(port)).expect("postgres URLs take a port");
        url.set_username(username)
            .expect("postgres URLs take a user");
        url.set_password(Some(&percent_encode(password)))
            .expect("postgres URLs take a password");
        url.set_path(&percent_encode(database));
        if let Some(mode) = sslmode {
            url.query_pairs_mut().append_pair("sslmode", mode);
        }
        Self::parse(url.as_str()).map_err(|reason| format!("gives a URL that {reason}"))
    }

    /// A secret string in any of the accepted shapes (see the module docs). The error is a
    /// reason to follow the secret's name.
    pub fn from_secret_string(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("is empty".into());
        }
        if !raw.starts_with('{') {
            return Self::parse(raw);
        }
        let value: Value = serde_json::from_str(raw)
            .map_err(|_| "starts with '{' but is not valid JSON".to_string())?;
        let Value::Object(fields) = value else {
            return Err("is not a JSON object".into());
        };
        match fields.get("url") {
            Some(Value::String(url)) => {
                Self::parse(url).map_err(|reason| format!("has a \"url\" field that {reason}"))
            }
            Some(_) => Err("has a \"url\" field that is not a string".into()),
            None if fields.contains_key("host") => Self::from_rds_fields(&fields),
            None => Err("is a JSON object with neither a \"url\" nor a \"host\" field".into()),
        }
    }

    /// The URL with the password replaced by `***`: safe to log.
    pub fn redacted(&self) -> &str {
        &self.redacted
    }

    /// The URL itself, password included: for the connection only.
    pub fn expose(&self) -> &str {
        self.url.expose_secret()
    }

    /// The same server and credentials, another database (`name` is percent-encoded).
    pub fn with_database(&self, name: &str) -> Self {
        let mut url = url::Url::parse(self.expose()).expect("checked when parsed");
        url.set_path(&percent_encode(name));
        Self {
            redacted: redact(&url),
            url: SecretString::from(url.to_string()),
        }
    }

    /// The database's name (after `/`, decoded), if the URL has one.
    pub fn database(&self) -> Option<String> {
        let url = url::Url::parse(self.expose()).expect("checked when parsed");
        let path = url.path().trim_start_matches('/');
        (!path.is_empty())
            .then(|| percent_encoding_decode(path).unwrap_or_else(|| path.to_string()))
    }
}

/// `DATABASE_URL` when set and non-empty, else the secret named by `DATABASE_SECRET_ID` read
/// through `sdk`; neither → [`DatabaseUrlError::NotConfigured`]. Call it once per process (in
/// `main`) and keep the pool built from it.
pub async fn database_url_from_env(sdk: &SdkConfig) -> Result<DatabaseUrl, DatabaseUrlError> {
    database_url_from_lookup(
        |k| std::env::var(k).ok(),
        || Arc::new(aws_sdk_secretsmanager::Client::new(sdk)),
    )
    .await
}

/// As [`database_url_from_env`], with variables from `lookup` and the secret store made by
/// `make_store` (called only when the secret id is used).
pub async fn database_url_from_lookup(
    lookup: impl Fn(&str) -> Option<String>,
    make_store: impl FnOnce() -> Arc<dyn SecretStore>,
) -> Result<DatabaseUrl, DatabaseUrlError> {
    let get = |k: &str| {
        lookup(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if let Some(url) = get(URL_VARIABLE) {
        return DatabaseUrl::parse(&url).map_err(|reason| DatabaseUrlError::Variable {
            variable: URL_VARIABLE,
            reason,
        });
    }
    let Some(secret_id) = get(SECRET_ID_VARIABLE) else {
        return Err(DatabaseUrlError::NotConfigured);
    };
    let raw = make_store()
        .secret_string(&secret_id)
        .await
        .map_err(|e| match e {
            TokenError::Fetch { reason, .. } => DatabaseUrlError::Fetch {
                secret_id: secret_id.clone(),
                reason,
            },
            // The store's other errors are about the secret's value (e.g. a binary secret).
            TokenError::Malformed { reason, .. } => DatabaseUrlError::Secret {
                secret_id: secret_id.clone(),
                reason,
            },
            TokenError::NotConfigured => DatabaseUrlError::NotConfigured,
        })?;
    let url = DatabaseUrl::from_secret_string(raw.expose_secret()).map_err(|reason| {
        DatabaseUrlError::Secret {
            secret_id: secret_id.clone(),
            reason,
        }
    })?;
    tracing::info!(%secret_id, url = url.redacted(), "read the database URL from Secrets Manager");
    Ok(url)
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for a URL's userinfo or path.
fn percent_encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes; `None` when the result is not UTF-8 or an escape is malformed.
fn percent_encoding_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The URL without its password (and without a `password` query parameter).
fn redact(url: &url::Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    if shown.query_pairs().any(|(k, _)| k == "password") {
        let pairs: Vec<(String, String)> = shown
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "password" { "***".into() } else { v };
                (k.into_owned(), v.into_owned())
            })
            .collect();
        shown.query_pairs_mut().clear().extend_pairs(pairs);
    }
    shown.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use proptest::prelude::*;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const PASSWORD: &str = "s3cr3t-Zq9x";

    fn options(url: &DatabaseUrl) -> PgConnectOptions {
        PgConnectOptions::from_str(url.expose()).unwrap()
    }

    #[test]
    fn urls_parse_and_redact() {
        for (raw, host, port, user, database, redacted) in [
            (
                format!("postgres://app:{PASSWORD}@db.example.com:6543/postgres"),
                "db.example.com",
                6543,
                "app",
                Some("postgres"),
                "postgres://app:***@db.example.com:6543/postgres",
            ),
            (
                format!(" postgresql://app.ref:{PASSWORD}@pooler.supabase.com:6543/postgres?sslmode=require\n"),
                "pooler.supabase.com",
                6543,
                "app.ref",
                Some("postgres"),
                "postgresql://app.ref:***@pooler.supabase.com:6543/postgres?sslmode=require",
            ),
            (
                "postgres://app@127.0.0.1/coaching".to_string(),
                "127.0.0.1",
                5432,
                "app",
                Some("coaching"),
                "postgres://app@127.0.0.1/coaching",
            ),
            (
                format!("postgres://app@db:5432/x?password={PASSWORD}&sslmode=verify-full"),
                "db",
                5432,
                "app",
                Some("x"),
                "postgres://app@db:5432/x?password=***&sslmode=verify-full",
            ),
        ] {
            let url = DatabaseUrl::parse(&raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            let opts = options(&url);
            assert_eq!(opts.get_host(), host, "{raw}");
            assert_eq!(opts.get_port(), port, "{raw}");
            assert_eq!(opts.get_username(), user, "{raw}");
            assert_eq!(opts.get_database(), database, "{raw}");
            assert_eq!(url.redacted(), redacted, "{raw}");
            assert!(!format!("{url:?}").contains(PASSWORD));
        }
    }

    #[test]
    fn bad_urls_say_why() {
        for (raw, reason) in [
            ("", "is empty"),
            ("   ", "is empty"),
            ("not a url", "is not a valid URL"),
            ("mysql://app:pw@db/x", "must start with postgres://"),
            ("https://db.example.com", "must start with postgres://"),
            ("postgres:///x", "has no host"),
            (
                "postgres://app@db:99999/x",
                "is not a valid URL (invalid port number)",
            ),
            (
                "postgres://app@db/x?sslmode=always",
                "has an unknown sslmode",
            ),
            ("postgres://app:12/w@db/x", "has '@' or '#' after the host"),
            ("postgres://app:1?w@db/x", "has '@' or '#' after the host"),
            ("postgres://app@db/x#frag", "has '@' or '#' after the host"),
        ] {
            let err = DatabaseUrl::parse(raw).unwrap_err();
            assert!(err.starts_with(reason), "{raw}: {err}");
        }
        // A socket directory given as a query parameter is a host.
        assert!(DatabaseUrl::parse("postgres:///x?host=/var/run/postgresql").is_ok());
    }

    #[test]
    fn secret_shapes_give_the_same_connection() {
        let url = format!("postgres://app:{PASSWORD}@db.example.com:5433/coaching");
        let rds = serde_json::json!({
            "engine": "postgres", "host": "db.example.com", "port": 5433,
            "username": "app", "password": PASSWORD, "dbname": "coaching"
        });
        for raw in [
            url.clone(),
            serde_json::json!({ "url": url }).to_string(),
            rds.to_string(),
            serde_json::json!({"host": "db.example.com", "port": "5433", "username": "app",
                "password": PASSWORD, "dbname": "coaching"})
            .to_string(),
        ] {
            let parsed = DatabaseUrl::from_secret_string(&raw).unwrap_or_else(|e| panic!("{e}"));
            let opts = options(&parsed);
            assert_eq!(
                (
                    opts.get_host(),
                    opts.get_port(),
                    opts.get_username(),
                    opts.get_database()
                ),
                ("db.example.com", 5433, "app", Some("coaching")),
                "{raw}"
            );
            assert_eq!(parsed.database().as_deref(), Some("coaching"));
        }
    }

    #[test]
    fn rds_shape_defaults_and_encodes() {
        let password = "p@ss:w/rd%?# é";
        let parsed = DatabaseUrl::from_secret_string(
            &serde_json::json!({"host": "db", "username": "app", "password": password,
                "dbname": "my db", "sslmode": "require"})
            .to_string(),
        )
        .unwrap();
        let raw = parsed.expose();
        assert!(raw.starts_with("postgres://app:"), "{raw}");
        assert!(raw.ends_with("@db:5432/my%20db?sslmode=require"), "{raw}");
        let url = url::Url::parse(raw).unwrap();
        assert_eq!(
            percent_encoding_decode(url.password().unwrap()).unwrap(),
            password
        );
        assert_eq!(parsed.database().as_deref(), Some("my db"));
        assert_eq!(options(&parsed).get_database(), Some("my db"));

        let defaults =
            DatabaseUrl::from_secret_string(r#"{"host": "db", "username": "app", "password": ""}"#)
                .unwrap();
        assert_eq!(defaults.redacted(), "postgres://app@db:5432/postgres");
    }

    #[test]
    fn bad_secrets_name_the_field() {
        for (raw, reason) in [
            ("", "is empty"),
            ("{", "starts with '{' but is not valid JSON"),
            ("[1]", "is not a valid URL"),
            (r#"{"token": "x"}"#, "is a JSON object with neither"),
            (r#"{"url": 5}"#, "has a \"url\" field that is not a string"),
            (
                r#"{"url": "mysql://db/x"}"#,
                "has a \"url\" field that must start with",
            ),
            (
                r#"{"host": "db", "password": "x"}"#,
                "has no \"username\" field",
            ),
            (
                r#"{"host": "db", "username": "app"}"#,
                "has no \"password\" field",
            ),
            (
                r#"{"host": "", "username": "app", "password": "x"}"#,
                "has an empty \"host\" field",
            ),
            (
                r#"{"host": "db", "username": "app", "password": 7}"#,
                "has a \"password\" field that is not a string",
            ),
            (
                r#"{"host": "db", "username": "app", "password": "x", "port": "abc"}"#,
                "has a \"port\" field that is not a port number",
            ),
            (
                r#"{"host": "db", "username": "app", "password": "x", "port": 70000}"#,
                "has a \"port\" field that is not a port number",
            ),
            (
                r#"{"host": "db", "username": "app", "password": "x", "port": true}"#,
                "has a \"port\" field that is not a number",
            ),
            (
                r#"{"engine": "mysql", "host": "db", "username": "app", "password": "x"}"#,
                "has an \"engine\" field that is not postgres",
            ),
            (
                r#"{"host": "db", "username": "app", "password": "x", "sslmode": "on"}"#,
                "has an unknown \"sslmode\"",
            ),
            (
                r#"{"host": "a b", "username": "app", "password": "x"}"#,
                "has a \"host\" field that is not a host name",
            ),
        ] {
            let err = DatabaseUrl::from_secret_string(raw).unwrap_err();
            assert!(err.starts_with(reason), "{raw}: {err}");
        }
    }

    /// A secret store answering `value`, or failing to fetch with the reason `Err(reason)`.
    struct FakeStore {
        value: Result<String, String>,
        fetches: AtomicUsize,
    }

    #[async_trait]
    impl SecretStore for FakeStore {
        async fn secret_string(&self, secret_id: &str) -> Result<SecretString, TokenError> {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            self.value
                .clone()
                .map(SecretString::from)
                .map_err(|reason| TokenError::Fetch {
                    secret_id: secret_id.into(),
                    reason,
                })
        }
    }

    async fn resolve(
        vars: &[(&str, &str)],
        value: Result<String, String>,
    ) -> (Result<DatabaseUrl, DatabaseUrlError>, usize) {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let store = Arc::new(FakeStore {
            value,
            fetches: AtomicUsize::new(0),
        });
        let result =
            database_url_from_lookup(|k| vars.get(k).cloned(), || store.clone() as Arc<_>).await;
        (result, store.fetches.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn the_variable_overrides_the_secret() {
        let local = "postgres://me@127.0.0.1:5432/dev";
        let (url, fetches) = resolve(
            &[(URL_VARIABLE, local), (SECRET_ID_VARIABLE, "prod/db")],
            Ok("postgres://prod@db/prod".into()),
        )
        .await;
        assert_eq!(url.unwrap().expose(), local);
        assert_eq!(fetches, 0);

        let (url, fetches) = resolve(
            &[(URL_VARIABLE, " "), (SECRET_ID_VARIABLE, "prod/db")],
            Ok(format!(
                r#"{{"url": "postgres://prod:{PASSWORD}@db/prod"}}"#
            )),
        )
        .await;
        assert_eq!(url.unwrap().redacted(), "postgres://prod:***@db/prod");
        assert_eq!(fetches, 1);
    }

    #[tokio::test]
    async fn resolution_errors_name_the_variable_or_secret() {
        let (err, _) = resolve(&[], Ok(String::new())).await;
        let err = err.unwrap_err();
        assert_eq!(err, DatabaseUrlError::NotConfigured);
        let text = err.to_string();
        assert!(text.contains(URL_VARIABLE) && text.contains(SECRET_ID_VARIABLE));

        let (err, _) = resolve(&[(URL_VARIABLE, "mysql://x")], Ok(String::new())).await;
        let text = err.unwrap_err().to_string();
        assert!(
            text.starts_with("DATABASE_URL must start with postgres://"),
            "{text}"
        );

        let (err, _) = resolve(
            &[(SECRET_ID_VARIABLE, "prod/db")],
            Err("ResourceNotFoundException".into()),
        )
        .await;
        let err = err.unwrap_err();
        assert!(
            matches!(&err, DatabaseUrlError::Fetch { secret_id, reason }
                if secret_id == "prod/db" && reason == "ResourceNotFoundException"),
            "{err:?}"
        );

        let (err, _) = resolve(
            &[(SECRET_ID_VARIABLE, "prod/db")],
            Ok(format!(
                r#"{{"host": "db", "username": "app", "password": "{PASSWORD}", "port": "x"}}"#
            )),
        )
        .await;
        let text = err.unwrap_err().to_string();
        assert!(
            text.starts_with("Secrets Manager secret prod/db (DATABASE_SECRET_ID) has a \"port\""),
            "{text}"
        );
        assert!(!text.contains(PASSWORD));
    }

    /// Inputs that fail to parse in every way the parsers know, each carrying `password`.
    fn failing_inputs(password: &str) -> Vec<String> {
        let encoded = percent_encode(password);
        vec![
            format!("mysql://app:{encoded}@db/x"),
            format!("postgres://app:{encoded}@db:99999/x"),
            format!("postgres://app:{encoded}@/x"),
            format!("postgres://app:{encoded}@db/x?sslmode=sometimes"),
            format!("postgres://app:{encoded}@db/x?port=notaport"),
            format!("postgres://app:{encoded}@db/x?statement-cache-capacity=lots"),
            format!("postgres://app:{encoded}@[::1/x"),
            format!("postgres://app:{password}@db/x"),
            password.to_string(),
            format!("{{\"password\": \"{password}\""),
            serde_json::json!({"url": format!("ftp://app:{encoded}@db/x")}).to_string(),
            serde_json::json!({"password": password}).to_string(),
            serde_json::json!({"host": "db", "password": password}).to_string(),
            serde_json::json!({"host": "db", "username": "app", "password": password, "port": "p"}).to_string(),
            serde_json::json!({"host": "db", "username": "app", "password": password, "engine": "oracle"}).to_string(),
            serde_json::json!({"host": "db", "username": "app", "password": password, "sslmode": password}).to_string(),
            serde_json::json!({"host": "db", "username": password, "password": password, "port": 0}).to_string(),
        ]
    }

    proptest! {
        #[test]
        fn the_password_never_appears_in_an_error_or_debug(
            password in "[A-Za-z0-9]{2}[A-Za-z0-9@:/%?# ~!$&'()*+,;=\\[\\]\"{}]{8,24}"
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            for raw in failing_inputs(&password) {
                let shown = match DatabaseUrl::from_secret_string(&raw) {
                    Ok(url) => format!("{url:?} {}", url.redacted()),
                    Err(reason) => reason,
                };
                prop_assert!(!shown.contains(&password), "{raw} → {shown}");
                for (vars, value) in [
                    (vec![(URL_VARIABLE, raw.as_str())], Ok(String::new())),
                    (vec![(SECRET_ID_VARIABLE, "prod/db")], Ok(raw.clone())),
                ] {
                    let (result, _) = runtime.block_on(resolve(&vars, value));
                    let shown = match result {
                        Ok(url) => format!("{url:?} {}", url.redacted()),
                        Err(e) => format!("{e} {e:?}"),
                    };
                    prop_assert!(!shown.contains(&password), "{raw} → {shown}");
                }
            }
            // A good URL with this password never shows it either.
            let good = format!("postgres://app:{}@db/x", percent_encode(&password));
            let url = DatabaseUrl::parse(&good).unwrap();
            let debug = format!("{url:?}");
            prop_assert!(!debug.contains(&password));
            prop_assert!(!url.redacted().contains(&password));
        }
    }
}
