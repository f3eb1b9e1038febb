//! The HTTP server: routing, the request gate (latency, bearer tokens, throttling, injected
//! errors, call counts), paging and the running-server handle.

mod analytics;
mod auth;
mod tenants;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ranker_book::YobiFixture;
use serde_json::{json, Value};
use sim_kit::{FaultInjector, RollingWindow, SimStats, StartError, StatsRecorder};

use crate::config::SimConfig;
use crate::error::ApiError;
use crate::store::Store;
use crate::tokens::{Refusal, Tokens};

pub(crate) struct AppState {
    pub store: RwLock<Store>,
    pub config: SimConfig,
    pub stats: StatsRecorder,
    pub tokens: Tokens,
    faults: FaultInjector,
    throttle: Option<RollingWindow>,
}

impl AppState {
    pub fn read(&self) -> std::sync::RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// A simulator serving on 127.0.0.1; dropping it (or [`RunningSim::shutdown`]) stops it.
pub struct RunningSim {
    /// e.g. `http://127.0.0.1:41234` (what `YOBI_API_BASE` points at).
    pub base_url: String,
    state: Arc<AppState>,
    server: sim_kit::Server,
}

impl RunningSim {
    /// Server-side call counts so far.
    pub fn stats(&self) -> SimStats {
        self.state.stats.snapshot()
    }

    /// Ends every token issued so far, as if their lifetime had run out.
    pub fn expire_tokens(&self) {
        self.state.tokens.expire_all(Instant::now());
    }

    /// The account served.
    pub fn fixture(&self) -> YobiFixture {
        self.state.read().to_fixture()
    }

    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// Checks `fixture`, binds `127.0.0.1:port` (0 picks a free port) and serves it.
pub async fn start(
    fixture: YobiFixture,
    config: SimConfig,
    port: u16,
) -> Result<RunningSim, StartError> {
    let store = Store::new(fixture).map_err(StartError::Fixture)?;
    let state = Arc::new(AppState {
        store: RwLock::new(store),
        stats: StatsRecorder::default(),
        tokens: Tokens::default(),
        faults: FaultInjector::new(config.error_rate, config.seed),
        throttle: config
            .requests_per_second
            .map(|max| RollingWindow::new(Duration::from_secs(1), max)),
        config,
    });
    let server = sim_kit::serve(router(state.clone()), port, "yobi").await?;
    Ok(RunningSim {
        base_url: server.base_url.clone(),
        state,
        server,
    })
}

fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/auth/login", post(auth::login))
        .route("/admin/tenants", get(tenants::list))
        .route("/admin/analytics/{endpoint}", get(analytics::usage))
        .fallback(|| async { ApiError::not_found("Not found.") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed.",
            )
        })
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

/// Latency, then the bearer token (not for login), throttling and injected errors.
async fn gate(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    state
        .stats
        .request(sim_kit::route_key(req.method().as_str(), &path, &[]));
    if !state.config.latency.is_zero() {
        tokio::time::sleep(state.config.latency).await;
    }
    if path.trim_end_matches('/') != "/auth/login" {
        if let Err(e) = authenticate(&state, req.headers()) {
            return e.into_response();
        }
    }
    if !admit(&state) {
        state.stats.event("throttled");
        let mut r = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            "Request was throttled. Expected available in 1 second.",
        )
        .into_response();
        r.headers_mut()
            .insert("Retry-After", HeaderValue::from_static("1"));
        return r;
    }
    if let Some(status) = state.faults.draw() {
        state.stats.event("error_injected");
        return ApiError::new(
            status,
            "server_error",
            "A server error occurred (injected by the simulator).",
        )
        .into_response();
    }
    next.run(req).await
}

fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let presented = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = presented else {
        state.stats.event("unauthenticated");
        return Err(ApiError::unauthorized(
            "not_authenticated",
            "Authentication credentials were not provided.",
        ));
    };
    if state.config.static_token.as_deref() == Some(token) {
        return Ok(());
    }
    match state.tokens.check(token, Instant::now()) {
        Ok(()) => Ok(()),
        Err(Refusal::Expired) => {
            state.stats.event("token_expired");
            Err(ApiError::unauthorized(
                "token_expired",
                "Token has expired.",
            ))
        }
        Err(Refusal::Unknown) => {
            state.stats.event("token_invalid");
            Err(ApiError::unauthorized(
                "token_not_valid",
                "Given token not valid.",
            ))
        }
    }
}

/// Counts one request against `requests_per_second` (a rolling second).
fn admit(state: &AppState) -> bool {
    state
        .throttle
        .as_ref()
        .is_none_or(|w| w.hit(Instant::now()).allowed)
}

/// `page` (from 1) and `page_size` (1–200, default 50) of a list request.
pub(crate) struct Paging {
    pub page: usize,
    pub size: usize,
}

pub const DEFAULT_PAGE_SIZE: usize = 50;
pub const MAX_PAGE_SIZE: usize = 200;

impl Paging {
    pub fn from_query(pairs: &[(String, String)]) -> Result<Self, ApiError> {
        let number = |key: &str, default: usize| -> Result<usize, ApiError> {
            match pairs.iter().find(|(k, _)| k == key) {
                None => Ok(default),
                Some((_, v)) => v.parse::<usize>().map_err(|_| {
                    ApiError::invalid(
                        "invalid_request",
                        format!("{key} must be a positive integer, was {v:?}"),
                    )
                }),
            }
        };
        let page = number("page", 1)?;
        let size = number("page_size", DEFAULT_PAGE_SIZE)?;
        if page == 0 {
            return Err(ApiError::not_found("Invalid page."));
        }
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(ApiError::invalid(
                "invalid_request",
                format!("page_size must be between 1 and {MAX_PAGE_SIZE}, was {size}"),
            ));
        }
        Ok(Self { page, size })
    }

    /// The slice of `total` items this page covers; a page past the end is a 404 (except
    /// page 1 of nothing).
    pub fn range(&self, total: usize) -> Result<std::ops::Range<usize>, ApiError> {
        let start = (self.page - 1) * self.size;
        if start >= total && self.page > 1 {
            return Err(ApiError::not_found("Invalid page."));
        }
        Ok(start..(start + self.size).min(total))
    }

    /// The list envelope: `{"count", "next", "previous", "results": results}`, with absolute
    /// URLs for the neighbouring pages.
    pub fn envelope(
        &self,
        total: usize,
        base: &str,
        pairs: &[(String, String)],
        results: Value,
    ) -> Value {
        let url = |page: usize| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in pairs.iter().filter(|(k, _)| k != "page") {
                q.append_pair(k, v);
            }
            q.append_pair("page", &page.to_string());
            format!("{base}?{}", q.finish())
        };
        let next = (self.page * self.size < total).then(|| url(self.page + 1));
        let previous = (self.page > 1).then(|| url(self.page - 1));
        json!({"count": total, "next": next, "previous": previous, "results": results})
    }
}

/// A paged list of the tenants a request asks for (`tenant_id`, `page`, `page_size`): the
/// envelope, with `results` holding `fields` and the page's items under `list_key`.
pub(crate) fn tenant_list(
    store: &Store,
    pairs: &[(String, String)],
    base: &str,
    list_key: &str,
    mut fields: serde_json::Map<String, Value>,
    item: impl Fn(&ranker_book::Tenant) -> Value,
) -> Result<Value, ApiError> {
    let paging = Paging::from_query(pairs)?;
    let only = tenant_filter(pairs)?;
    let chosen: Vec<&ranker_book::Tenant> = store
        .tenants
        .iter()
        .filter(|t| only.as_ref().is_none_or(|ids| ids.contains(&t.tenant_id)))
        .collect();
    let items = chosen[paging.range(chosen.len())?]
        .iter()
        .map(|t| item(t))
        .collect();
    fields.insert(list_key.to_owned(), Value::Array(items));
    Ok(paging.envelope(chosen.len(), base, pairs, Value::Object(fields)))
}

/// The query string as pairs.
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// `http://host/path` of the request, for paging links.
pub(crate) fn self_url(headers: &HeaderMap, path: &str) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}{path}")
}

/// Tenant ids asked for with `tenant_id=1,2` or `tenant_id=1&tenant_id=2`.
fn tenant_filter(pairs: &[(String, String)]) -> Result<Option<Vec<u64>>, ApiError> {
    let values: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "tenant_id")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return Ok(None);
    }
    values
        .into_iter()
        .map(|v| {
            v.parse::<u64>().map_err(|_| {
                ApiError::invalid(
                    "invalid_request",
                    format!("tenant_id must be a number, was {v:?}"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_links_keep_the_other_parameters() {
        let pairs = query_pairs(Some("period=30days&page=2&page_size=2"));
        let p = Paging::from_query(&pairs).unwrap();
        assert_eq!(p.range(5).unwrap(), 2..4);
        let env = p.envelope(5, "http://h/x", &pairs, json!({}));
        assert_eq!(env["next"], "http://h/x?period=30days&page_size=2&page=3");
        assert_eq!(
            env["previous"],
            "http://h/x?period=30days&page_size=2&page=1"
        );
        assert!(Paging { page: 3, size: 2 }.envelope(5, "u", &[], json!({}))["next"].is_null());
        assert!(Paging { page: 4, size: 2 }.range(5).is_err());
        assert_eq!(Paging { page: 1, size: 2 }.range(0).unwrap(), 0..0);
        assert!(Paging::from_query(&query_pairs(Some("page_size=201"))).is_err());
        assert!(Paging::from_query(&query_pairs(Some("page=0"))).is_err());
    }

    #[test]
    fn tenant_filters_split_and_repeat() {
        let pairs = query_pairs(Some("tenant_id=3,1&tenant_id=7"));
        assert_eq!(tenant_filter(&pairs).unwrap(), Some(vec![3, 1, 7]));
        assert_eq!(tenant_filter(&[]).unwrap(), None);
        assert!(tenant_filter(&query_pairs(Some("tenant_id=x"))).is_err());
    }
}
