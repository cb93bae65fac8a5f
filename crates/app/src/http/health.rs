//! Operations endpoints: liveness, readiness, Prometheus metrics, and the plain hello-world
//! route the benchmark compares pages against.

use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// Alive: the process answers. No dependencies.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready: the database answers and every migration is applied.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.is_migrated().await {
        Ok(true) => (StatusCode::OK, "ready").into_response(),
        Ok(false) => (StatusCode::SERVICE_UNAVAILABLE, "database not migrated").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

pub async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    // Route names and counts tell an outsider what the organisation does with it: this machine
    // (a collector beside the server) reads them, another only with the configured secret.
    // A reverse proxy on this machine that we were not told of (`trusted_proxies`) makes
    // everyone look local: a forwarded request counts as from afar unless a trusted proxy
    // names a local client.
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let proxied = forwarded.is_some() || headers.contains_key(header::FORWARDED);
    let local = if state.config.trusted_proxies.contains(&peer.ip()) {
        state.config.client_ip(peer.ip(), forwarded).is_loopback()
    } else {
        peer.ip().is_loopback() && !proxied
    };
    let token_ok = match (&state.config.metrics_token, super::extract::bearer_token(&headers)) {
        // Digests compared, so the time taken tells nothing of the secret.
        (Some(secret), Some(given)) if !secret.is_empty() => {
            crate::security::token_hash(given) == crate::security::token_hash(secret)
        }
        _ => false,
    };
    if !local && !token_ok {
        let why = "Metrics are served to this machine only, or to a collector that sends the bearer token `metrics_token` sets.";
        return (StatusCode::FORBIDDEN, why).into_response();
    }
    if let Ok(counts) = roundtable_store::jobs::counts(&state.db).await {
        // Every status every time: a status with no jobs left must read 0, not its last count,
        // or an alert on queued or failed jobs would never clear.
        for status in ["queued", "running", "done", "failed"] {
            let n = counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
            metrics::gauge!("roundtable_jobs", "status" => status).set(n as f64);
        }
    }
    let body = state.metrics.as_ref().map(|h| h.render()).unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// Counts every answer by route pattern, method and status, and times it: what an operator's
/// dashboard and alerts need (error rates, slow pages). The route is the pattern
/// (`/n/{slug}/members`), never the path, so the label set stays small and holds no tokens.
pub async fn count_requests(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let started = std::time::Instant::now();
    let route = req.extensions().get::<axum::extract::MatchedPath>().map_or("(unmatched)", |m| m.as_str()).to_owned();
    // Any token is a valid method name: only the standard ones become labels, so that nobody
    // can grow the label set by inventing methods.
    let method = match *req.method() {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    };
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("roundtable_http_request_duration_seconds", "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("roundtable_http_requests_total", "route" => route, "method" => method, "status" => status)
        .increment(1);
    response
}

pub async fn hello() -> &'static str {
    "Hello, world!"
}
