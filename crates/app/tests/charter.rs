//! A network's charter over HTTP, on SQLite and PostgreSQL: what a member held back by it is
//! told.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::{Method, StatusCode};
use roundtable_store::Dialect;
use serde_json::json;
use support::{TestApp, api_send};

both!(the_api_says_a_first_charter_is_the_networks_charter_not_a_new_version);

async fn body(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

/// Publishes `text` as the next version of the network's charter (as an org admin).
async fn publish(app: &TestApp, admin: &reqwest::Client, slug: &str, text: &str) {
    let r = admin.post(app.at(&format!("/n/{slug}/charter"))).form(&[("body", text)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
}

/// A member held back by the charter is told over the API as on the network's page: a network's
/// first charter is "its charter", a later one "a new version".
async fn the_api_says_a_first_charter_is_the_networks_charter_not_a_new_version(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let bo = app.user("bo@example.org", "Bo Early").await;
    assert_eq!(bo.post(app.at("/n/eas/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let token = app.api_token(&bo).await;
    let members = || reqwest::Client::new().get(app.at("/api/v1/networks/eas/members")).bearer_auth(&token).send();
    publish(&app, &admin, "eas", "Be kind.").await;
    let home = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("This network asks its members to accept its charter"), "{home}");
    let r = members().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let problem: serde_json::Value = r.json().await.unwrap();
    assert_eq!(problem["code"], "charter_acceptance_required");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.starts_with("This network asks its members to accept its charter"), "{detail}");
    assert!(!detail.contains("new version"), "{detail}");

    let (status, _) =
        api_send(Method::POST, app.at("/api/v1/networks/eas/charter/acceptance"), &token, &json!({"version": 1})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(members().await.unwrap().status(), StatusCode::OK);
    publish(&app, &admin, "eas", "Be kinder.").await;
    let problem: serde_json::Value = members().await.unwrap().json().await.unwrap();
    assert_eq!(problem["code"], "charter_acceptance_required");
    assert!(problem["detail"].as_str().unwrap().contains("a new version of its charter"), "{problem}");
}
