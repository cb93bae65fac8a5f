//! Operations endpoints: liveness, readiness, Prometheus metrics, and the plain hello-world
//! route the benchmark compares pages against.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
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

pub async fn hello() -> &'static str {
    "Hello, world!"
}
