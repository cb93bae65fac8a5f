//! Personal API tokens over real HTTP on SQLite and PostgreSQL: creating one answers with a
//! redirect to the account page, which shows the secret exactly once; reloading shows it no
//! more and creates nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use roundtable_store::{Dialect, tokens, users};
use support::TestApp;

both!(
    creating_a_token_redirects_and_the_account_page_shows_it_once,
    a_token_shown_after_creation_is_only_for_the_person_who_made_it,
    a_refused_token_name_creates_nothing,
    the_account_page_writes_times_in_the_viewers_time_zone,
);

/// The secret in the account page's "copy it now" notice, if the page shows one.
fn shown_secret(page: &str) -> Option<String> {
    let start = page.find("<code>rt_")? + "<code>".len();
    page[start..].split('<').next().map(str::to_owned)
}

async fn token_count(app: &TestApp, email: &str) -> usize {
    let me = users::by_email(&app.state.db, email).await.unwrap().unwrap().id;
    tokens::for_user(&app.state.db, me).await.unwrap().len()
}

async fn creating_a_token_redirects_and_the_account_page_shows_it_once(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let r = admin.post(app.at("/account/tokens")).form(&[("name", "reporting script")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers().get("location").unwrap(), "/account");
    // The secret travels in a cookie only the account page gets, that scripts cannot read and
    // other sites cannot trigger, and that soon expires.
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    for part in ["rt_new_token=rt_", "HttpOnly", "SameSite=Strict", "Path=/account", "Max-Age="] {
        assert!(cookie.contains(part), "{part} missing in {cookie}");
    }
    assert!(r.text().await.unwrap().is_empty(), "the redirect itself carries no page");
    assert_eq!(token_count(&app, "admin@example.org").await, 1);

    // Following the redirect shows the new token once, kept out of caches.
    let r = admin.get(app.at("/account")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers().get("cache-control").unwrap(), "no-store");
    let page = r.text().await.unwrap();
    assert!(page.contains("copy it now") && page.contains("reporting script"), "{page}");
    let secret = shown_secret(&page).expect("the new token is shown");
    // It is the real token: it authenticates an API call.
    let me: serde_json::Value = support::api_get(app.at("/api/v1/me"), &secret).await;
    assert_eq!(me["email"], "admin@example.org", "{me}");

    // Reloading the page shows it no more, and creates nothing; the token is still listed.
    for _ in 0..2 {
        let page = admin.get(app.at("/account")).send().await.unwrap().text().await.unwrap();
        assert_eq!(shown_secret(&page), None, "{page}");
        assert!(!page.contains("copy it now") && page.contains("reporting script"), "{page}");
    }
    assert_eq!(token_count(&app, "admin@example.org").await, 1);
}

async fn a_token_shown_after_creation_is_only_for_the_person_who_made_it(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    roundtable_app::admin::console::create_user(&app.state.db, "bo@example.org", "Bo", support::PASSWORD, false)
        .await
        .unwrap();
    // On a shared computer: the admin creates a token, and Bo signs in before the page loads.
    let r = admin.post(app.at("/account/tokens")).form(&[("name", "admin script")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = admin
        .post(app.at("/sign-in"))
        .form(&[("email", "bo@example.org"), ("password", support::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = admin.get(app.at("/account")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("bo@example.org"), "{page}");
    assert_eq!(shown_secret(&page), None, "Bo never sees the admin's token: {page}");
    assert!(!page.contains("admin script"), "{page}");
}

async fn a_refused_token_name_creates_nothing(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let r = admin.post(app.at("/account/tokens")).form(&[("name", "")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.headers().get("set-cookie").is_none());
    let page = r.text().await.unwrap();
    assert!(page.contains("a name for the token"), "{page}");
    assert_eq!(shown_secret(&page), None);
    assert_eq!(token_count(&app, "admin@example.org").await, 0);
}

/// The account page's sessions and tokens are written on the person's own clock, the zone
/// named: 12:30 UTC on 25 November 2024 is 01:30 on the 26th in Auckland (NZDT, UTC+13).
async fn the_account_page_writes_times_in_the_viewers_time_zone(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let r = admin.post(app.at("/account/tokens")).form(&[("name", "reporting script")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let at = chrono::DateTime::parse_from_rfc3339("2024-11-25T12:30:00Z").unwrap().to_utc();
    let db = &app.state.db;
    db.write("UPDATE api_tokens SET created_at = $1", roundtable_store::params![at]).await.unwrap();
    db.write("UPDATE sessions SET created_at = $1", roundtable_store::params![at]).await.unwrap();
    let set_tz = |tz: &'static str| {
        db.write("UPDATE users SET time_zone = $1 WHERE email = $2", roundtable_store::params![tz, "admin@example.org"])
    };

    set_tz("Pacific/Auckland").await.unwrap();
    let page = admin.get(app.at("/account")).send().await.unwrap().text().await.unwrap();
    assert_eq!(page.matches("26 Nov 2024 01:30 NZDT").count(), 2, "signed in, and the token made: {page}");
    assert!(!page.contains("25 Nov 2024") && !page.contains("UTC"), "{page}");

    set_tz("UTC").await.unwrap();
    let page = admin.get(app.at("/account")).send().await.unwrap().text().await.unwrap();
    assert_eq!(page.matches("25 Nov 2024 12:30 UTC").count(), 2, "{page}");
}
