//! The HTTP server: webhook posts, the `/_sink/*` routes, the running-sink handle.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{error_text, SinkConfig};
use crate::stats::SinkStats;
use crate::validate::validate;

/// The path of [`RunningSink::webhook_url`], shaped like a Slack incoming webhook's.
pub const WEBHOOK_PATH: &str = "/services/T0000SINK/B0000SINK/sinksinksinksinksinksink";

#[derive(Default)]
struct Recorded {
    messages: Vec<Value>,
    faults: VecDeque<u16>,
    stats: SinkStats,
}

struct AppState {
    config: SinkConfig,
    recorded: Mutex<Recorded>,
}

impl AppState {
    fn lock(&self) -> MutexGuard<'_, Recorded> {
        self.recorded.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A sink serving on 127.0.0.1; dropping it (or [`RunningSink::shutdown`]) stops it.
pub struct RunningSink {
    /// e.g. `http://127.0.0.1:41234`
    pub base_url: String,
    state: Arc<AppState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningSink {
    /// A webhook URL of this sink: `base_url` + [`WEBHOOK_PATH`].
    pub fn webhook_url(&self) -> String {
        format!("{}{WEBHOOK_PATH}", self.base_url)
    }

    /// The accepted message bodies, oldest first.
    pub fn messages(&self) -> Vec<Value> {
        self.state.lock().messages.clone()
    }

    /// Counts so far.
    pub fn stats(&self) -> SinkStats {
        self.state.lock().stats.clone()
    }

    /// The next `times` webhook posts answer `status` (after any already queued).
    pub fn fail_next(&self, status: u16, times: usize) {
        self.state
            .lock()
            .faults
            .extend(std::iter::repeat_n(status, times));
    }

    /// Stops serving and waits (briefly) for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for RunningSink {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Binds `127.0.0.1:port` (0 picks a free port) and serves in a spawned task.
pub async fn start(config: SinkConfig, port: u16) -> std::io::Result<RunningSink> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let addr = listener.local_addr()?;
    let recorded = Recorded {
        faults: config.fail_next.iter().copied().collect(),
        ..Recorded::default()
    };
    let state = Arc::new(AppState {
        config,
        recorded: Mutex::new(recorded),
    });
    let app = router(state.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "slack sink stopped with an error");
        }
    });
    tracing::info!(%addr, "slack sink listening");
    Ok(RunningSink {
        base_url: format!("http://{addr}"),
        state,
        stop: Some(stop),
        task: Some(task),
    })
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/_sink/messages", get(messages).delete(clear))
        .route("/_sink/stats", get(stats))
        .route("/_sink/fail", post(fail))
        .route("/status/{code}/{*rest}", post(fixed_status))
        .route("/{*path}", post(webhook))
        .with_state(state)
}

async fn messages(State(state): State<Arc<AppState>>) -> Json<Vec<Value>> {
    Json(state.lock().messages.clone())
}

async fn clear(State(state): State<Arc<AppState>>) -> StatusCode {
    state.lock().messages.clear();
    StatusCode::NO_CONTENT
}

async fn stats(State(state): State<Arc<AppState>>) -> Json<SinkStats> {
    Json(state.lock().stats.clone())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FailRequest {
    status: u16,
    #[serde(default = "one")]
    times: usize,
}

fn one() -> usize {
    1
}

async fn fail(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    match serde_json::from_slice::<FailRequest>(&body) {
        Ok(FailRequest { status, times }) if (400..=599).contains(&status) => {
            state
                .lock()
                .faults
                .extend(std::iter::repeat_n(status, times));
            StatusCode::NO_CONTENT.into_response()
        }
        _ => (
            StatusCode::BAD_REQUEST,
            "expected {\"status\": 400..=599, \"times\": N}",
        )
            .into_response(),
    }
}

/// A webhook that always answers `code`.
async fn fixed_status(
    State(state): State<Arc<AppState>>,
    Path((code, _rest)): Path<(u16, String)>,
) -> Response {
    pause(&state).await;
    let status = if (400..=599).contains(&code) {
        code
    } else {
        404
    };
    refuse(&state, status, error_text(status))
}

/// A webhook post: an injected fault if one is queued, else Slack's checks.
async fn webhook(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    pause(&state).await;
    let fault = state.lock().faults.pop_front();
    if let Some(status) = fault {
        return refuse(&state, status, error_text(status));
    }
    match validate(&body) {
        Ok(()) => {
            let message = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let mut recorded = state.lock();
            recorded.messages.push(message);
            count(&mut recorded, 200);
            (StatusCode::OK, "ok").into_response()
        }
        Err(error) => {
            tracing::info!(error, "refused a message");
            refuse(&state, 400, error)
        }
    }
}

async fn pause(state: &AppState) {
    if !state.config.latency.is_zero() {
        tokio::time::sleep(state.config.latency).await;
    }
}

/// An error answer in Slack's form: the status and a short text body.
fn refuse(state: &AppState, status: u16, error: &'static str) -> Response {
    count(&mut state.lock(), status);
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == 429 {
        let after = state.config.retry_after_seconds.to_string();
        return (code, [(header::RETRY_AFTER, after)], error).into_response();
    }
    (code, error).into_response()
}

fn count(recorded: &mut Recorded, status: u16) {
    recorded.stats.requests += 1;
    if status == 200 {
        recorded.stats.accepted += 1;
    }
    *recorded.stats.by_status.entry(status).or_default() += 1;
}
