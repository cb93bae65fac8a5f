//! The router: merges each area's routes and adds the cross-cutting layers (request ids and
//! tracing, CSRF origin checks, body limit, timeout, panic catching, security headers).

use crate::state::AppState;
use crate::{account, accounts, admin, api, charter, events, members, networks, onboarding};
use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::routing::get;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn build(state: AppState) -> Router {
    let public = state.config.public_url();
    let csrf = CsrfLayer::new().add_trusted_origin(public.as_str()).unwrap_or_else(|e| {
        tracing::warn!(error = %e, public_url = public, "public_url is not a browser origin; only same-origin requests pass CSRF checks");
        CsrfLayer::new()
    });
    Router::new()
        .merge(accounts::pages::router())
        .merge(networks::pages::router())
        .merge(events::pages::router())
        .merge(account::pages::router())
        .merge(members::pages::router())
        .merge(charter::pages::router())
        .merge(onboarding::pages::router())
        .merge(admin::pages::router())
        .merge(crate::import::pages::router())
        .merge(api::router())
        .route("/healthz", get(super::health::healthz))
        .route("/readyz", get(super::health::readyz))
        .route("/metrics", get(super::health::metrics))
        .route("/hello", get(super::health::hello))
        .route("/static/{*path}", get(super::assets::serve))
        .fallback(|| async { super::AppError::NotFound })
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn(crate::read_model::request_scope))
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
                    // Log the route pattern, not the path: paths carry secrets (reset, invitation
                    // and calendar-feed tokens).
                    let route =
                        req.extensions().get::<axum::extract::MatchedPath>().map_or("(no route)", |m| m.as_str());
                    tracing::info_span!("request", method = %req.method(), route = %route, request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
                .layer(RequestBodyLimitLayer::new(8 * 1024 * 1024)) // photos; forms have their own 64 KB limit
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("same-origin"),
                ))
                .layer(csrf),
        )
        .with_state(state)
}
