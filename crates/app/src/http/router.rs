//! The router: merges each area's routes and adds the cross-cutting layers (request ids and
//! tracing, CSRF origin checks, body limit, timeout, panic catching, security headers, and
//! problem documents for every error under `/api/v1`).

use crate::state::AppState;
use crate::{account, accounts, admin, api, charter, events, members, networks, onboarding};
use axum::Router;
use axum::extract::MatchedPath;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::csrf::{CsrfLayer, ProtectionError};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Ids for requests that come without one: this process's random prefix and a counter — unique
/// across instances without a system call per request (a UUID v4 asks the kernel for randomness
/// each time).
#[derive(Clone)]
struct RequestIds(std::sync::Arc<(u64, std::sync::atomic::AtomicU64)>);

impl RequestIds {
    fn new() -> Self {
        // The random half of a UUID v7 (its other half is the time).
        let prefix = uuid::Uuid::now_v7().as_u64_pair().1;
        Self(std::sync::Arc::new((prefix, std::sync::atomic::AtomicU64::new(1))))
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.0.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:016x}-{n}", self.0.0)).ok().map(RequestId::new)
    }
}

/// The pages' Content-Security-Policy: everything from this origin only, no inline script or
/// style, no framing, forms post only here. The one hash is the `<style>` that htmx 2.0.x adds for
/// its request indicators (`includeIndicatorStyles`); it changes only if htmx's indicator classes
/// or that string do (see `static/vendor/VERSIONS.md`).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self' 'sha256-faU7yAF8NxuMTNEwVmBz+VcYeIoBQ2EMHW3WaVxCvnk='; script-src 'self'; \
     frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

/// HSTS for a year, sent only when people reach us over HTTPS (over plain HTTP a browser ignores
/// it, and a test or LAN install must stay reachable).
const STRICT_TRANSPORT_SECURITY: HeaderValue = HeaderValue::from_static("max-age=31536000");

pub fn build(state: AppState) -> Router {
    let public = state.config.public_url();
    let csrf = CsrfLayer::new().add_trusted_origin(public.as_str()).unwrap_or_else(|e| {
        tracing::warn!(error = %e, public_url = public, "public_url is not a browser origin; only same-origin requests pass CSRF checks");
        CsrfLayer::new()
    });
    let hsts = state.config.secure_cookies().then_some(STRICT_TRANSPORT_SECURITY);
    let error_pages = axum::middleware::from_fn_with_state(state.clone(), super::error::error_pages);
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
                .layer(axum::middleware::from_fn(super::health::count_requests))
                .layer(axum::middleware::from_fn(crate::read_model::request_scope))
                .layer(SetRequestIdLayer::new(REQUEST_ID, RequestIds::new()))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
                    // Log the route pattern, not the path: paths carry secrets (reset, invitation
                    // and calendar-feed tokens).
                    let route =
                        req.extensions().get::<axum::extract::MatchedPath>().map_or("(no route)", |m| m.as_str());
                    tracing::info_span!("request", method = %req.method(), route = %route, request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                // Security headers outside everything that may write the response, so that every
                // answer carries them; a route that needs its own CSP (the API docs) sets it first.
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
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(CONTENT_SECURITY_POLICY),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, hsts))
                .layer(axum::middleware::from_fn(api::problem_responses))
                // Inside the header layers, so a page it replaces carries them too.
                .layer(error_pages)
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
                .layer(axum::middleware::from_fn(explain_csrf_refusal))
                .layer(RequestBodyLimitLayer::new(super::error::BODY_LIMIT_MB * 1024 * 1024))
                .layer(csrf),
        )
        .with_state(state)
}

/// Turns the CSRF layer's bare 403 into an answer people and clients can act on — the error page,
/// or a problem document under `/api/v1` — and logs what was seen, so a misconfigured proxy or
/// `public_url` shows up in the log rather than as a blank page.
async fn explain_csrf_refusal(req: Request<axum::body::Body>, next: Next) -> Response {
    let method = req.method().clone();
    // The route pattern, not the path: paths carry secrets (reset and invitation tokens).
    let route = req.extensions().get::<MatchedPath>().map_or("(no route)", |m| m.as_str()).to_owned();
    let api = api::is_api(req.uri().path());
    let (origin, host, fetch_site) = {
        // (A block: the closure borrows the request, whose body is not `Sync`, so it must be gone
        // before the await.)
        let seen = |name: header::HeaderName| {
            req.headers().get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).unwrap_or_default()
        };
        (seen(header::ORIGIN), seen(header::HOST), seen(HeaderName::from_static("sec-fetch-site")))
    };
    let res = next.run(req).await;
    let Some(refusal) = res.extensions().get::<ProtectionError>() else {
        return res;
    };
    tracing::warn!(
        %method, path = %route, origin = %origin, host = %host, sec_fetch_site = %fetch_site, reason = %refusal,
        "cross-site request refused (if this was your own site, check public_url and that the proxy forwards Host and Origin)"
    );
    if api { api::cross_site_problem() } else { super::AppError::CrossSite.into_response() }
}
