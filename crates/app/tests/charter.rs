//! A network's charter over HTTP, on SQLite and PostgreSQL: accepting (or joining with) a
//! version that another has replaced since the page was opened, and what a refusal says; the
//! publish form only for organisers who may use it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::{Method, StatusCode};
use roundtable_store::{Dialect, charters, networks, users};
use serde_json::json;
use support::{TestApp, api_send};

both!(
    accepting_or_joining_with_a_replaced_version_says_which_version_to_read,
    the_api_says_a_first_charter_is_the_networks_charter_not_a_new_version,
    an_organiser_accepts_the_current_version_before_publishing_and_keeps_their_text,
);

async fn body(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

const STALE: &str = "Version 3 was published since you opened this page; please read it before accepting.";

/// Publishes `text` as the next version of the network's charter (as an org admin).
async fn publish(app: &TestApp, admin: &reqwest::Client, slug: &str, text: &str) {
    let r = admin.post(app.at(&format!("/n/{slug}/charter"))).form(&[("body", text)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
}

/// The newest version `email` accepted in `slug`.
async fn accepted(app: &TestApp, slug: &str, email: &str) -> Option<i64> {
    let n = networks::by_slug(&app.state.db, slug).await.unwrap().unwrap();
    let id = users::by_email(&app.state.db, email).await.unwrap().unwrap().id;
    charters::standing(&app.state.db, n.id, id).await.unwrap().1
}

/// Bo opened the charter at version 2 and ticked its box; by then version 3 was out. Bo is told
/// so — not to tick a box Bo ticked — and shown version 3 to read (409, nothing accepted); with
/// no box ticked the refusal is as before (422). Joining with the charter's form, and both over
/// the API, answer the same way.
async fn accepting_or_joining_with_a_replaced_version_says_which_version_to_read(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    publish(&app, &admin, "eas", "Version one.").await;
    let bo = app.user("bo@example.org", "Bo Member").await;
    let r = bo.post(app.at("/n/eas/join")).form(&[("accept_charter", "1"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas?notice=joined");
    publish(&app, &admin, "eas", "Version two.").await;
    publish(&app, &admin, "eas", "Version *three*.").await;

    // The page: 409, the message by the box and in the summary, version 3 shown with its box.
    let r = bo.post(app.at("/n/eas/charter/accept")).form(&[("version", "2"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = body(r).await;
    assert!(page.contains("<title>Error: "), "the title says the form was refused: {page}");
    assert!(page.contains(&format!(r#"<p class="field-error" id="f-accept-error">{STALE}</p>"#)), "{page}");
    assert!(page.contains(&format!(r##"<a href="#f-accept">{STALE}</a>"##)), "in the summary too: {page}");
    assert!(!page.contains("Please tick the box"), "{page}");
    assert!(page.contains("Version 3, published") && page.contains("Version <em>three</em>."), "{page}");
    assert!(page.contains(r#"name="version" value="3""#), "the box now accepts version 3: {page}");
    assert_eq!(accepted(&app, "eas", "bo@example.org").await, Some(1), "nothing accepted");
    // No box ticked: as before.
    let r = bo.post(app.at("/n/eas/charter/accept")).form(&[("version", "2")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("Please tick the box to accept this version of the charter."));

    // The API: 409 naming the version to read; a version that never was is 422; the current one
    // is accepted.
    let token = app.api_token(&bo).await;
    let accept = app.at("/api/v1/networks/eas/charter/acceptance");
    let (status, problem) = api_send(Method::POST, accept.clone(), &token, &json!({"version": 2})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!((problem["code"].as_str(), problem["detail"].as_str()), (Some("conflict"), Some(STALE)));
    assert_eq!(problem["errors"][0]["field"], "version");
    let (status, problem) = api_send(Method::POST, accept.clone(), &token, &json!({"version": 7})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("no version 7"), "{problem}");
    assert_eq!(accepted(&app, "eas", "bo@example.org").await, Some(1), "nothing accepted");
    let (status, _) = api_send(Method::POST, accept, &token, &json!({"version": 3})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(accepted(&app, "eas", "bo@example.org").await, Some(3));

    // Joining with the charter's form, ticked for version 2: the same message, the form to join
    // with version 3, and no membership.
    let cy = app.user("cy@example.org", "Cy Newcomer").await;
    let r = cy.post(app.at("/n/eas/join")).form(&[("accept_charter", "2"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = body(r).await;
    assert!(page.contains(&format!(r#"id="f-accept-error">{STALE}"#)), "{page}");
    assert!(page.contains(r#"name="accept_charter" value="3""#) && page.contains("Accept the charter and join"));
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    let cy_id = users::by_email(&app.state.db, "cy@example.org").await.unwrap().unwrap().id;
    assert!(networks::membership(&app.state.db, n.id, cy_id).await.unwrap().is_none());
    let r = cy.post(app.at("/n/eas/join")).form(&[("accept_charter", "3")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "no box ticked");
    assert!(body(r).await.contains("tick the box to accept it before joining"));

    // Joining over the API.
    let token = app.api_token(&cy).await;
    let join = |v: &str| {
        let url = app.at(&format!("/api/v1/networks/eas/membership{v}"));
        reqwest::Client::new().post(url).bearer_auth(&token).send()
    };
    let r = join("?accept_charter=2").await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let problem: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        (problem["detail"].as_str(), problem["errors"][0]["field"].as_str()),
        (Some(STALE), Some("accept_charter"))
    );
    assert_eq!(join("").await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(networks::membership(&app.state.db, n.id, cy_id).await.unwrap().is_none());
    assert_eq!(join("?accept_charter=3").await.unwrap().status(), StatusCode::OK);
    assert_eq!(accepted(&app, "eas", "cy@example.org").await, Some(3));
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

/// A Chair who has not accepted the version another organiser just published is offered that
/// version to accept, not a publish form that would be refused (nor the acceptances, which wait
/// too). A new version sent anyway is refused with the text kept; accepting carries it along
/// and gives it back, ready to publish.
async fn an_organiser_accepts_the_current_version_before_publishing_and_keeps_their_text(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    publish(&app, &admin, "eas", "Version one.").await;
    let chair = app.user("chair@example.org", "Cho Chair").await;
    let r = chair.post(app.at("/n/eas/join")).form(&[("accept_charter", "1"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let chair_id = users::by_email(&app.state.db, "chair@example.org").await.unwrap().unwrap().id;
    let r =
        admin.post(app.at(&format!("/n/eas/members/{chair_id}/role"))).form(&[("role", "chair")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let publish_form = r#"<form method="post" action="/n/eas/charter""#;
    let acceptances_link = r#"<a href="/n/eas/charter/acceptances">Who has accepted</a>"#;
    let page = body(chair.get(app.at("/n/eas/charter")).send().await.unwrap()).await;
    assert!(page.contains(publish_form) && page.contains(acceptances_link), "{page}");

    // The Administrator publishes version 2: the Chair is asked to accept it first.
    publish(&app, &admin, "eas", "Version two.").await;
    let page = body(chair.get(app.at("/n/eas/charter")).send().await.unwrap()).await;
    assert!(!page.contains(publish_form) && !page.contains(acceptances_link), "{page}");
    assert!(page.contains(r#"<form id="accept-form" method="post" action="/n/eas/charter/accept""#), "{page}");
    assert!(page.contains("Once you have accepted the current version above, you can publish a new one here."));
    assert_eq!(
        chair.get(app.at("/n/eas/charter/acceptances")).send().await.unwrap().headers()["location"],
        "/n/eas/charter?notice=charter-pending",
        "what the missing link leads to"
    );

    // Sent anyway (a page opened before version 2): refused, the text kept, nothing published.
    let draft = "# Version three\n\nWe meet *monthly* & share notes.";
    let r = chair.post(app.at("/n/eas/charter")).form(&[("body", draft)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = body(r).await;
    let kept = "# Version three\n\nWe meet *monthly* &#38; share notes.</textarea>";
    assert!(page.contains(r#"<textarea id="f-body" name="draft" form="accept-form""#) && page.contains(kept), "{page}");
    assert!(page.contains("Please accept the current version of the charter (above) before publishing a new one."));
    assert!(page.contains("Version 2, published") && page.contains(r#"name="version" value="2""#), "{page}");
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    assert_eq!(charters::current(&app.state.db, n.id).await.unwrap().unwrap().version, 2);
    // Over the API the refusal is the charter gate's.
    let token = app.api_token(&chair).await;
    let (status, problem) =
        api_send(Method::POST, app.at("/api/v1/networks/eas/charter"), &token, &json!({"body": draft})).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("charter_acceptance_required")));
    assert_eq!(charters::current(&app.state.db, n.id).await.unwrap().unwrap().version, 2);

    // Accepting without the box: refused, the text still kept.
    let accept = app.at("/n/eas/charter/accept");
    let r = chair.post(&accept).form(&[("version", "2"), ("draft", draft)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains(kept) && page.contains("it goes with your acceptance and comes back"), "{page}");
    // Accepting with it: the text comes back in the publish form; publishing it makes version 3.
    let r = chair.post(&accept).form(&[("version", "2"), ("agree", "yes"), ("draft", draft)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = body(r).await;
    assert!(page.contains("Your new version is below, ready to publish."), "{page}");
    assert!(page.contains(publish_form) && page.contains(r#"<textarea id="f-body" name="body""#), "{page}");
    assert!(page.contains(kept) && page.contains("Publish as version 3"), "{page}");
    assert_eq!(accepted(&app, "eas", "chair@example.org").await, Some(2));
    publish(&app, &chair, "eas", draft).await;
    let current = charters::current(&app.state.db, n.id).await.unwrap().unwrap();
    assert_eq!((current.version, current.body.as_str()), (3, draft));
    let page = body(chair.get(app.at("/n/eas/charter")).send().await.unwrap()).await;
    assert!(page.contains(publish_form) && page.contains(acceptances_link), "the publisher accepted it: {page}");

    // A member is offered neither.
    let bo = app.user("bo@example.org", "Bo Member").await;
    let r = bo.post(app.at("/n/eas/join")).form(&[("accept_charter", "3"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = body(bo.get(app.at("/n/eas/charter")).send().await.unwrap()).await;
    assert!(!page.contains("Publish a new version") && !page.contains(acceptances_link), "{page}");
}
