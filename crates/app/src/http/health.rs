//! Operations endpoints: liveness, readiness, Prometheus metrics, and the plain hello-world
//! route the benchmark compares pages against.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

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

pub async fn metrics(State(state): State<AppState>) -> Response {
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
