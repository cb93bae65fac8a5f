//! The server loop: accepts connections and serves the router over HTTP/1.1 (what browsers and
//! reverse proxies speak to an app server), with the two limits `axum::serve` cannot set:
//!
//! - a deadline for a request's headers (`HEADER_READ_TIMEOUT`): a client that opens a
//!   connection and sends its headers a byte at a time, or not at all, is cut off instead of
//!   holding a connection for ever (a "slowloris");
//! - a bounded shutdown: on SIGTERM or Ctrl-C no new connection is taken, requests under way may
//!   finish for `SHUTDOWN_GRACE`, and then the process stops whatever is still open — a service
//!   manager restarting the server is not kept waiting by a stalled client.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::time::Duration;
use tower::ServiceExt;

/// How long a client has to send a request's line and headers, from the moment the server is
/// ready to read them (a new connection, or the previous answer sent on a kept-alive one).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long requests under way may take to finish once the server is asked to stop.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `stop` completes, then shuts down as described above.
pub async fn serve(listener: tokio::net::TcpListener, app: Router, stop: impl std::future::Future<Output = ()>) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        // Each request carries the peer's address, as axum's `ConnectInfo` extractor expects.
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req.map(axum::body::Body::new))
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!(grace = ?SHUTDOWN_GRACE, "requests still open at shutdown were cut off");
        }
    }
}
