//! The HTTP server: routing, the request gate (auth, rate limit, latency, injected errors,
//! call counts) and the running-server handle.

mod contacts;
mod reads;
mod search;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::SimConfig;
use crate::error::ApiError;
use crate::rate_limit::RateLimiter;
use crate::search::snapshot::SnapshotCache;
use crate::stats::{SimStats, StatsRecorder};
use crate::store::compact::CompactWorkspace;
use crate::store::Store;
use crate::workspace::Workspace;

/// Everything a request handler can reach.
pub(crate) struct AppState {
    pub store: RwLock<Store>,
    pub config: SimConfig,
    pub snapshots: SnapshotCache,
    limiter: RateLimiter,
    pub(crate) stats: StatsRecorder,
    fault_rng: Mutex<ChaCha8Rng>,
    /// Authorized requests so far, for [`SimConfig::outage`].
    authorized: std::sync::atomic::AtomicU64,
}

impl AppState {
    pub fn read(&self) -> std::sync::RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn write(&self) -> std::sync::RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|p| p.into_inner())
    }
}

/// A simulator serving on 127.0.0.1; dropping it (or [`RunningSim::shutdown`]) stops it.
pub struct RunningSim {
    /// e.g. `http://127.0.0.1:41234`
    pub base_url: String,
    state: Arc<AppState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningSim {
    /// Server-side call counts so far.
    pub fn stats(&self) -> SimStats {
        self.state.stats.snapshot()
    }

    /// The workspace as it is now, including updates made through the API.
    pub fn workspace(&self) -> Workspace {
        self.state.read().to_workspace()
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

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Binds `127.0.0.1:port` (0 picks a free port) and serves `workspace` (a [`Workspace`] or a
/// [`CompactWorkspace`]) in a spawned task.
pub async fn start(
    workspace: impl Into<CompactWorkspace>,
    config: SimConfig,
    port: u16,
) -> std::io::Result<RunningSim> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let addr = listener.local_addr()?;
    let state = Arc::new(AppState {
        store: RwLock::new(Store::new(workspace.into())),
        snapshots: SnapshotCache::new(rand::random::<u32>().into()),
        limiter: RateLimiter::new(config.rate_limit),
        stats: StatsRecorder::default(),
        fault_rng: Mutex::new(ChaCha8Rng::seed_from_u64(config.seed)),
        authorized: std::sync::atomic::AtomicU64::new(0),
        config,
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
            tracing::error!(error = %e, "simulator stopped with an error");
        }
    });
    tracing::info!(%addr, "intercom simulator listening");
    Ok(RunningSim {
        base_url: format!("http://{addr}"),
        state,
        stop: Some(stop),
        task: Some(task),
    })
}

fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/contacts/search", post(search::contacts))
        .route("/conversations/search", post(search::conversations))
        .route("/contacts/{id}", get(contacts::show).put(contacts::update))
        .route("/conversations/{id}", get(reads::conversation))
        .route("/admins", get(reads::admins))
        .route("/teams", get(reads::teams))
        .route("/data_attributes", get(reads::data_attributes))
        .route("/me", get(reads::me))
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::not_found() })
        .layer(middleware::from_fn_with_state(state.clone(), gate))
        .with_state(state.clone());
    Router::new()
        .route("/_sim/stats", get(reads::stats))
        .with_state(state)
        .merge(api)
}

/// The route a request counts under, e.g. `PUT /contacts/{id}`.
fn route_key(method: &str, path: &str) -> String {
    let path = path.trim_end_matches('/');
    let template = match path.split('/').collect::<Vec<_>>()[..] {
        ["", "contacts", id] if id != "search" => "/contacts/{id}".to_owned(),
        ["", "conversations", id] if id != "search" => "/conversations/{id}".to_owned(),
        _ => path.to_owned(),
    };
    format!("{method} {template}")
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Auth, rate limit, latency and injected errors, in Intercom's order: an unauthenticated
/// request gets a bare 401; everything else carries `X-RateLimit-*` headers.
async fn gate(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = route_key(req.method().as_str(), req.uri().path());
    state.stats.request(route.clone());
    if !state.config.latency.is_zero() {
        tokio::time::sleep(state.config.latency).await;
    }
    let expected = format!("Bearer {}", state.config.token);
    let authorized = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .is_some_and(|v| v.as_bytes() == expected.as_bytes());
    if !authorized {
        tracing::debug!(%route, "401 unauthorized");
        return ApiError::unauthorized().into_response();
    }
    let number = state
        .authorized
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        + 1;
    let decision = state.limiter.hit(now_unix());
    let is_write = req.method() == axum::http::Method::PUT;
    let mut response = if !decision.allowed {
        state.stats.rate_limited();
        ApiError::rate_limited().into_response()
    } else if let Some(fault) = in_outage(&state, number).or_else(|| injected_fault(&state)) {
        state.stats.error_injected();
        fault.into_response()
    } else {
        let response = next.run(req).await;
        match fault_after_handling(&state, is_write) {
            None => response,
            Some(AfterFault::Error) => {
                state.stats.fault_after_handling();
                ApiError::new(StatusCode::BAD_GATEWAY, "server_error", "Bad gateway")
                    .into_response()
            }
            Some(AfterFault::Reset) => {
                state.stats.fault_after_handling();
                // Headers go out, then the body fails: the server drops the connection.
                let broken = futures::stream::once(async {
                    Err::<axum::body::Bytes, _>(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "simulated reset",
                    ))
                });
                Response::builder()
                    .status(StatusCode::OK)
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from_stream(broken))
                    .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
            }
            Some(AfterFault::Hang) => {
                state.stats.fault_after_handling();
                tokio::time::sleep(state.config.hang).await;
                response
            }
        }
    };
    tracing::debug!(%route, status = response.status().as_u16(), "answered");
    let headers = response.headers_mut();
    headers.insert("X-RateLimit-Limit", HeaderValue::from(decision.limit));
    headers.insert(
        "X-RateLimit-Remaining",
        HeaderValue::from(decision.remaining),
    );
    headers.insert("X-RateLimit-Reset", HeaderValue::from(decision.reset));
    response
}

/// A fault after the request was handled (any write is applied).
enum AfterFault {
    /// A 502 instead of the answer (writes only).
    Error,
    /// The connection cut mid-answer.
    Reset,
    /// The answer after [`SimConfig::hang`].
    Hang,
}

fn fault_after_handling(state: &AppState, is_write: bool) -> Option<AfterFault> {
    let c = &state.config;
    if c.applied_then_error_rate <= 0.0 && c.reset_rate <= 0.0 && c.hang_rate <= 0.0 {
        return None;
    }
    let mut rng = state.fault_rng.lock().unwrap_or_else(|p| p.into_inner());
    if is_write && rng.random::<f64>() < c.applied_then_error_rate {
        return Some(AfterFault::Error);
    }
    if rng.random::<f64>() < c.reset_rate {
        return Some(AfterFault::Reset);
    }
    if rng.random::<f64>() < c.hang_rate {
        return Some(AfterFault::Hang);
    }
    None
}

fn in_outage(state: &AppState, number: u64) -> Option<ApiError> {
    let (start, len) = state.config.outage?;
    (start..start.saturating_add(len))
        .contains(&number)
        .then(|| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
                "The service is temporarily unavailable; retry later",
            )
        })
}

fn injected_fault(state: &AppState) -> Option<ApiError> {
    if state.config.error_rate <= 0.0 {
        return None;
    }
    let mut rng = state.fault_rng.lock().unwrap_or_else(|p| p.into_inner());
    if rng.random::<f64>() >= state.config.error_rate {
        return None;
    }
    Some(match rng.random_range(0..3) {
        0 => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "Internal server error",
        ),
        1 => ApiError::new(StatusCode::BAD_GATEWAY, "server_error", "Bad gateway"),
        _ => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "The service is temporarily unavailable; retry later",
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::route_key;

    #[test]
    fn routes_with_ids_count_under_their_template() {
        assert_eq!(route_key("PUT", "/contacts/abc"), "PUT /contacts/{id}");
        assert_eq!(
            route_key("POST", "/contacts/search"),
            "POST /contacts/search"
        );
        assert_eq!(
            route_key("GET", "/conversations/12"),
            "GET /conversations/{id}"
        );
        assert_eq!(route_key("GET", "/admins"), "GET /admins");
    }
}
