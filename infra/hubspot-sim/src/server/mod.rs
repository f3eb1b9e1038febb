//! The HTTP server: routing, the request gate (auth, rate limits, latency, injected errors,
//! call counts) and the running-server handle.

mod associations;
mod objects;
mod properties;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use ranker_book::{CrmObject, HubSpotFixture};
use sim_kit::{FaultInjector, RollingWindow, SimStats, StartError, StatsRecorder, WindowDecision};

use crate::config::SimConfig;
use crate::error::{rate_limited, ApiError, Policy, CORRELATION_HEADER};
use crate::rate_limit::DailyBudget;
use crate::store::Store;

/// Everything a request handler can reach.
pub(crate) struct AppState {
    pub store: RwLock<Store>,
    pub config: SimConfig,
    pub stats: StatsRecorder,
    ten_secondly: RollingWindow,
    secondly: RollingWindow,
    daily: DailyBudget,
    faults: FaultInjector,
    /// Update attempts so far of each failing company.
    pub failed_attempts: Mutex<HashMap<String, u32>>,
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
    server: sim_kit::Server,
}

impl RunningSim {
    /// Server-side call counts so far.
    pub fn stats(&self) -> SimStats {
        self.state.stats.snapshot()
    }

    /// The portal as it is now, including the properties written through the API.
    pub fn fixture(&self) -> HubSpotFixture {
        self.state.read().to_fixture()
    }

    /// One company as it is now.
    pub fn company(&self, id: &str) -> Option<CrmObject> {
        self.state.read().companies.get(id).map(|r| r.to_object())
    }

    /// Stops serving and waits (briefly) for open requests.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// Checks `fixture`, binds `127.0.0.1:port` (0 picks a free port) and serves it.
pub async fn start(
    fixture: HubSpotFixture,
    config: SimConfig,
    port: u16,
) -> Result<RunningSim, StartError> {
    let store = Store::new(fixture).map_err(StartError::Fixture)?;
    let state = Arc::new(AppState {
        store: RwLock::new(store),
        stats: StatsRecorder::default(),
        ten_secondly: RollingWindow::new(
            std::time::Duration::from_secs(10),
            config.ten_second_limit,
        ),
        secondly: RollingWindow::new(std::time::Duration::from_secs(1), config.search_per_second),
        daily: DailyBudget::new(config.daily_limit),
        faults: FaultInjector::new(config.error_rate, config.seed),
        failed_attempts: Mutex::new(HashMap::new()),
        config,
    });
    let server = sim_kit::serve(router(state.clone()), port, "hubspot").await?;
    Ok(RunningSim {
        base_url: server.base_url.clone(),
        state,
        server,
    })
}

fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route(
            "/crm/v3/objects/{object_type}/search",
            post(objects::search),
        )
        .route(
            "/crm/v3/objects/{object_type}/batch/read",
            post(objects::batch_read),
        )
        .route(
            "/crm/v3/objects/companies/batch/update",
            post(objects::batch_update),
        )
        .route("/crm/v3/objects/{object_type}/{id}", get(objects::show))
        .route(
            "/crm/v4/associations/{from}/{to}/batch/read",
            post(associations::batch_read),
        )
        .route("/crm/v3/properties/{object_type}", get(properties::list))
        .route(
            "/crm/v3/properties/{object_type}/{name}",
            get(properties::show),
        )
        .fallback(|| async { ApiError::not_found("resource not found") })
        .method_not_allowed_fallback(|| async { ApiError::not_found("resource not found") })
        .layer(middleware::from_fn_with_state(state.clone(), gate))
        .with_state(state.clone());
    Router::new()
        .route("/_sim/stats", get(stats))
        .with_state(state)
        .merge(api)
}

async fn stats(State(state): State<Arc<AppState>>) -> Json<SimStats> {
    Json(state.stats.snapshot())
}

/// Stats keys: literal paths are kept, ids become `{id}` / `{name}`.
const ROUTES: &[&str] = &[
    "/crm/v3/objects/contacts/search",
    "/crm/v3/objects/companies/search",
    "/crm/v3/objects/contacts/{id}",
    "/crm/v3/objects/companies/{id}",
    "/crm/v3/properties/companies/{name}",
];

fn is_search(method: &Method, path: &str) -> bool {
    method == Method::POST
        && path.starts_with("/crm/v3/objects/")
        && path.trim_end_matches('/').ends_with("/search")
}

/// Auth, rate limits, latency and injected errors. A 401 carries no rate-limit headers;
/// search answers never do (as HubSpot's); every other answer has the daily and 10-second
/// ones.
async fn gate(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let route = sim_kit::route_key(req.method().as_str(), &path, ROUTES);
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
        state.stats.event("unauthorized");
        return ApiError::unauthorized().into_response();
    }
    let search = is_search(req.method(), &path);
    let day = Utc::now()
        .with_timezone(&state.config.account_tz)
        .date_naive();
    let daily_max = state.daily.max();
    if state.daily.remaining(day) == 0 {
        return refuse(&state, Policy::Daily, search, daily_max, 0, None);
    }
    let (policy, window) = if search {
        (Policy::Secondly, state.secondly.hit(Instant::now()))
    } else {
        (
            Policy::TenSecondlyRolling,
            state.ten_secondly.hit(Instant::now()),
        )
    };
    if !window.allowed {
        let left = state.daily.remaining(day);
        return refuse(&state, policy, search, daily_max, left, Some(window));
    }
    let daily_left = state.daily.take(day);
    let mut response = match state.faults.draw() {
        Some(status) => {
            state.stats.event("error_injected");
            ApiError::injected(status).into_response()
        }
        None => next.run(req).await,
    };
    tracing::debug!(%route, status = response.status().as_u16(), "answered");
    if !search {
        rate_headers(response.headers_mut(), daily_max, daily_left, Some(window));
    }
    if !response.headers().contains_key(CORRELATION_HEADER) {
        response.headers_mut().insert(
            CORRELATION_HEADER,
            HeaderValue::from_str(&sim_kit::uuid_v4()).expect("ascii"),
        );
    }
    response
}

fn refuse(
    state: &AppState,
    policy: Policy,
    search: bool,
    daily_max: u64,
    daily_left: u64,
    window: Option<WindowDecision>,
) -> Response {
    state
        .stats
        .event(&format!("rate_limited.{}", policy.name()));
    let mut response = rate_limited(policy);
    if !search {
        rate_headers(response.headers_mut(), daily_max, daily_left, window);
    }
    response
}

/// `X-HubSpot-RateLimit-Daily`, `-Daily-Remaining`, and (when the 10-second window was
/// consulted) `-Interval-Milliseconds`, `-Max`, `-Remaining`.
fn rate_headers(
    headers: &mut HeaderMap,
    daily_max: u64,
    daily_left: u64,
    window: Option<WindowDecision>,
) {
    headers.insert("X-HubSpot-RateLimit-Daily", HeaderValue::from(daily_max));
    headers.insert(
        "X-HubSpot-RateLimit-Daily-Remaining",
        HeaderValue::from(daily_left),
    );
    if let Some(w) = window {
        headers.insert(
            "X-HubSpot-RateLimit-Interval-Milliseconds",
            HeaderValue::from(10_000u32),
        );
        headers.insert("X-HubSpot-RateLimit-Max", HeaderValue::from(w.max));
        headers.insert(
            "X-HubSpot-RateLimit-Remaining",
            HeaderValue::from(w.remaining),
        );
    }
}

/// `?a=1,2&a=3` → the values of `key`, split at commas.
pub(crate) fn query_list(query: Option<&str>, key: &str) -> Vec<String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The value of a boolean query parameter (default false).
pub(crate) fn query_flag(query: Option<&str>, key: &str) -> bool {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .any(|(k, v)| k == key && v == "true")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_is_recognised_by_method_and_path() {
        assert!(is_search(&Method::POST, "/crm/v3/objects/contacts/search"));
        assert!(is_search(&Method::POST, "/crm/v3/objects/0-2/search/"));
        assert!(!is_search(&Method::GET, "/crm/v3/objects/contacts/search"));
        assert!(!is_search(
            &Method::POST,
            "/crm/v3/objects/companies/batch/read"
        ));
    }

    #[test]
    fn query_lists_split_commas_and_repeat() {
        let q = Some("properties=name,domain&properties=city&archived=true&x=");
        assert_eq!(query_list(q, "properties"), ["name", "domain", "city"]);
        assert!(query_flag(q, "archived"));
        assert!(!query_flag(None, "archived"));
        assert!(query_list(Some("properties=a%2Cb"), "properties") == ["a", "b"]);
    }
}
