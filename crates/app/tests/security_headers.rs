//! Security headers and CSRF refusals over real HTTP on SQLite and PostgreSQL: every answer
//! carries a Content-Security-Policy (a relaxed one for the Swagger UI page), HSTS only when the
//! public address is https, and a cross-site form post gets a page (or, under `/api/v1`, a problem
//! document) saying what to do instead of an empty 403.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use base64::Engine;
use reqwest::StatusCode;
use roundtable_store::Dialect;
use sha2::Digest;
use support::TestApp;
use tower::ServiceExt;

both!(
    pages_api_and_errors_carry_a_content_security_policy,
    hsts_is_sent_only_when_the_public_address_is_https,
    a_cross_site_form_post_is_refused_with_a_page_that_says_what_to_do,
    a_cross_site_api_post_is_refused_with_a_problem,
    a_client_that_never_finishes_its_headers_is_cut_off,
);

fn csp(r: &reqwest::Response) -> String {
    r.headers().get("content-security-policy").expect("a CSP").to_str().unwrap().to_owned()
}

async fn pages_api_and_errors_carry_a_content_security_policy(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let c = app.client();
    for path in ["/sign-in", "/no-such-page", "/static/app.css", "/api/v1/me", "/api/v1/nope"] {
        let r = c.get(app.at(path)).send().await.unwrap();
        let policy = csp(&r);
        for part in [
            "default-src 'self'",
            "img-src 'self' data:",
            "script-src 'self'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'none'",
        ] {
            assert!(policy.contains(part), "{path}: {policy} lacks {part}");
        }
        assert!(!policy.contains("unsafe"), "{path}: {policy}");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff", "{path}");
        assert!(r.headers().get("strict-transport-security").is_none(), "{path}: http must not send HSTS");
    }
    // The pages have no inline script or style the policy would block.
    let page = c.get(app.at("/sign-in")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("<style") && !page.contains(" style=") && !page.contains(" onclick="), "{page}");
    assert!(!page.contains("<script>"), "{page}");

    // htmx adds one <style> for its indicators: the policy allows exactly that text by hash.
    let htmx = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/static/vendor/htmx.min.js")).unwrap();
    let style = ".htmx-indicator{opacity:0;visibility: hidden} \
                 .htmx-request .htmx-indicator, .htmx-request.htmx-indicator{opacity:1;visibility: visible;transition: opacity 200ms ease-in}";
    assert!(
        htmx.contains("`.${t}{opacity:0;visibility: hidden} `+`.${n} .${t}, .${n}.${t}{opacity:1;visibility: visible;transition: opacity 200ms ease-in}`"),
        "htmx's indicator style changed: update the hash in CONTENT_SECURITY_POLICY"
    );
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style.as_bytes()));
    assert!(roundtable_app::http::router::CONTENT_SECURITY_POLICY.contains(&format!("'sha256-{hash}'")));

    // Swagger UI writes inline styles; its page gets its own policy, still without inline script.
    let docs = c.get(app.at("/api/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    let policy = csp(&docs);
    assert!(policy.contains("style-src 'self' 'unsafe-inline'") && policy.contains("script-src 'self';"), "{policy}");
}

async fn hsts_is_sent_only_when_the_public_address_is_https(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let r = reqwest::get(app.at("/healthz")).await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());

    let mut config = (*app.state.config).clone();
    config.public_url = Some("https://roundtable.example".into());
    let router = roundtable_app::http::router::build(roundtable_app::AppState::new(app.state.db.clone(), config));
    let req = axum::http::Request::get("/healthz")
        .header("host", "roundtable.example")
        .body(axum::body::Body::empty())
        .unwrap();
    let r = router.oneshot(req).await.unwrap();
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
}

async fn a_cross_site_form_post_is_refused_with_a_page_that_says_what_to_do(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    for (site, origin) in [("cross-site", "https://evil.example"), ("", "http://elsewhere.example")] {
        let mut req = admin.post(app.at("/networks/new")).header("origin", origin).form(&[
            ("name", "Forged"),
            ("slug", "forged"),
            ("description", "x"),
            ("visibility", "open"),
        ]);
        if !site.is_empty() {
            req = req.header("sec-fetch-site", site);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{origin}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{origin}");
        assert!(r.headers().get("content-security-policy").is_some());
        let page = r.text().await.unwrap();
        assert!(page.contains("This form could not be sent"), "{page}");
        assert!(page.contains("reload the page and try again"), "{page}");
    }
    // Nothing was created.
    let r = admin.get(app.at("/n/forged")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The same form from the site itself still works.
    let r = admin
        .post(app.at("/networks/new"))
        .header("origin", &app.url)
        .header("sec-fetch-site", "same-origin")
        .form(&[("name", "Real"), ("slug", "real"), ("description", "x"), ("visibility", "open")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn a_cross_site_api_post_is_refused_with_a_problem(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "open-net", "open").await;
    let token = app.api_token(&admin).await;
    let before = support::api_get(app.at("/api/v1/networks/open-net"), &token).await;
    let r = reqwest::Client::new()
        .post(app.at("/api/v1/networks/open-net/membership"))
        .bearer_auth(&token)
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["code"], "cross_site_request", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("reload the page"), "{p}");
    assert_eq!(support::api_get(app.at("/api/v1/networks/open-net"), &token).await, before);
}

/// A client that opens a connection and never finishes its request's headers (a "slowloris",
/// one of many that would hold every connection the server has) is cut off after
/// `HEADER_READ_TIMEOUT`, while a whole request on another connection is answered meanwhile.
async fn a_client_that_never_finishes_its_headers_is_cut_off(d: Dialect) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn(d).await;
    let url = reqwest::Url::parse(&app.at("/hello")).unwrap();
    let addr = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /hello HTTP/1.1\r\nHost: example\r\nX-Slow: ").await.unwrap();
    assert_eq!(app.client().get(app.at("/hello")).send().await.unwrap().status(), StatusCode::OK);
    let limit = roundtable_app::http::serve::HEADER_READ_TIMEOUT;
    let started = std::time::Instant::now();
    let mut buf = [0u8; 512];
    let read = tokio::time::timeout(limit * 2, slow.read(&mut buf)).await.expect("closed before twice the limit");
    // Closed (or answered 408 and then closed): either way the connection is given back.
    let n = read.unwrap_or(0);
    assert!(n == 0 || String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 408"), "{:?}", &buf[..n]);
    assert!(
        started.elapsed() >= limit - std::time::Duration::from_secs(1),
        "not before the limit: {:?}",
        started.elapsed()
    );
}
