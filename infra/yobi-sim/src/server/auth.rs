//! `POST /auth/login`: email and password for a bearer token with an expiry.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use chrono::{SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::AppState;
use crate::error::ApiError;

#[derive(Deserialize)]
struct Credentials {
    email: String,
    password: String,
}

/// `{"email", "password"}` → `{"access_token", "token_type": "Bearer", "expires_in"
/// (seconds), "expires_at" (RFC 3339, UTC)}`; wrong credentials → 401 `invalid_credentials`.
pub(super) async fn login(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let credentials: Credentials = serde_json::from_slice(&body).map_err(|e| {
        ApiError::invalid(
            "invalid_request",
            format!("email and password are required: {e}"),
        )
    })?;
    if !state
        .read()
        .can_log_in(&credentials.email, &credentials.password)
    {
        state.stats.event("login_failed");
        return Err(ApiError::unauthorized(
            "invalid_credentials",
            "Invalid email or password.",
        ));
    }
    let lifetime = state.config.token_lifetime;
    let token = state.tokens.issue(Instant::now(), lifetime);
    state.stats.event("login");
    let expires_at =
        Utc::now() + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::MAX);
    Ok(Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs(),
        "expires_at": expires_at.to_rfc3339_opts(SecondsFormat::Millis, true),
    })))
}
