//! Yobi's login: `YOBI_EMAIL` and `YOBI_PASSWORD` for local runs, otherwise the Secrets
//! Manager secret named by `YOBI_CREDENTIALS_SECRET_ID` holding `{"email", "password"}`, read
//! once per execution environment through the platform's [`SecretStore`].

use std::fmt;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::OnceCell;

use super::error::YobiError;
use crate::aws::secrets::SecretStore;

pub const EMAIL_VARIABLE: &str = "YOBI_EMAIL";
pub const PASSWORD_VARIABLE: &str = "YOBI_PASSWORD";
pub const CREDENTIALS_SECRET_ID_VARIABLE: &str = "YOBI_CREDENTIALS_SECRET_ID";

/// An email and password. Debug shows neither.
#[derive(Clone)]
pub(crate) struct Login {
    pub email: SecretString,
    pub password: SecretString,
}

/// Where the login comes from. Clones share the cache.
#[derive(Clone)]
pub struct YobiCredentials {
    source: Arc<Source>,
}

enum Source {
    Fixed(Login),
    Store {
        store: Arc<dyn SecretStore>,
        secret_id: String,
        cached: OnceCell<Login>,
    },
}

impl fmt::Debug for YobiCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.source {
            Source::Fixed(_) => f.write_str("YobiCredentials::Fixed([REDACTED])"),
            Source::Store { secret_id, .. } => f
                .debug_struct("YobiCredentials::SecretsManager")
                .field("secret_id", secret_id)
                .finish(),
        }
    }
}

impl YobiCredentials {
    /// `YOBI_EMAIL` and `YOBI_PASSWORD` when both are set, else the secret named by
    /// `YOBI_CREDENTIALS_SECRET_ID` in the store `make_store` builds; neither →
    /// [`YobiError::Config`]. Nothing is fetched until first use.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        make_store: impl FnOnce() -> Arc<dyn SecretStore>,
    ) -> Result<Self, YobiError> {
        let get = |k: &str| {
            lookup(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        if let (Some(email), Some(password)) = (get(EMAIL_VARIABLE), get(PASSWORD_VARIABLE)) {
            return Ok(Self::fixed(email.into(), password.into()));
        }
        match get(CREDENTIALS_SECRET_ID_VARIABLE) {
            Some(secret_id) => Ok(Self::from_store(make_store(), secret_id)),
            None => Err(YobiError::Config {
                variable: CREDENTIALS_SECRET_ID_VARIABLE,
                reason: format!(
                    "no Yobi login configured: set it to the Secrets Manager secret holding \
                     {{\"email\", \"password\"}}, or {EMAIL_VARIABLE} and {PASSWORD_VARIABLE} \
                     for local runs"
                ),
            }),
        }
    }

    /// A login given directly.
    pub fn fixed(email: SecretString, password: SecretString) -> Self {
        Self {
            source: Arc::new(Source::Fixed(Login { email, password })),
        }
    }

    /// The secret `secret_id` of `store`, `{"email": .., "password": ..}`.
    pub fn from_store(store: Arc<dyn SecretStore>, secret_id: impl Into<String>) -> Self {
        Self {
            source: Arc::new(Source::Store {
                store,
                secret_id: secret_id.into(),
                cached: OnceCell::new(),
            }),
        }
    }

    pub(crate) async fn login(&self) -> Result<Login, YobiError> {
        match &*self.source {
            Source::Fixed(login) => Ok(login.clone()),
            Source::Store {
                store,
                secret_id,
                cached,
            } => cached
                .get_or_try_init(|| async {
                    let config = |reason: String| YobiError::Config {
                        variable: CREDENTIALS_SECRET_ID_VARIABLE,
                        reason,
                    };
                    let raw = store
                        .secret_string(secret_id)
                        .await
                        .map_err(|e| config(e.to_string()))?;
                    parse_login(raw.expose_secret())
                        .map_err(|reason| config(format!("secret {secret_id} {reason}")))
                })
                .await
                .cloned(),
        }
    }
}

/// `{"email": "...", "password": "..."}`; the error never quotes the value.
pub(crate) fn parse_login(raw: &str) -> Result<Login, &'static str> {
    let value: serde_json::Value = serde_json::from_str(raw.trim())
        .map_err(|_| "is not JSON; store {\"email\": .., \"password\": ..}")?;
    let field = |k: &str| {
        value
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| SecretString::from(v.to_owned()))
    };
    match (field("email"), field("password")) {
        (Some(email), Some(password)) => Ok(Login { email, password }),
        (None, _) => Err("has no non-empty \"email\" string"),
        (_, None) => Err("has no non-empty \"password\" string"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_secret_without_quoting_it() {
        let login = parse_login(r#"{"email":"bot@x.io","password":"pw-distinctive-77"}"#).unwrap();
        assert_eq!(login.password.expose_secret(), "pw-distinctive-77");
        let err = parse_login(r#"{"email":"bot@x.io","passwd":"pw-distinctive-77"}"#)
            .err()
            .unwrap();
        assert!(!err.contains("distinctive"));
        assert!(parse_login("pw-distinctive-77").is_err());
    }

    #[test]
    fn local_variables_win_and_debug_hides_them() {
        let env = |k: &str| match k {
            EMAIL_VARIABLE => Some("bot@x.io".to_owned()),
            PASSWORD_VARIABLE => Some("pw-distinctive-77".to_owned()),
            _ => None,
        };
        let creds = YobiCredentials::from_lookup(env, || unreachable!()).unwrap();
        assert!(!format!("{creds:?}").contains("distinctive"));
        let none = YobiCredentials::from_lookup(|_| None, || unreachable!()).unwrap_err();
        assert!(none.to_string().contains(CREDENTIALS_SECRET_ID_VARIABLE));
    }
}
