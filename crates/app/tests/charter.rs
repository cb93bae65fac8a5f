//! A network's charter over HTTP, on SQLite and PostgreSQL: accepting (or joining with) a
//! version that another has replaced since the page was opened, and what a refusal says; the
//! publish form only for organisers who may use it; earlier versions to read, on the pages and
//! over the API.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::{Method, StatusCode};
use roundtable_store::{Dialect, charters, networks, users};
use serde_json::json;
use support::{TestApp, api_get, api_send};

both!(
    clicks_on_publish_at_once_make_one_version,
    accepting_or_joining_with_a_replaced_version_says_which_version_to_read,
    the_api_says_a_first_charter_is_the_networks_charter_not_a_new_version,
    an_organiser_accepts_the_current_version_before_publishing_and_keeps_their_text,
    earlier_versions_are_read_by_whoever_may_read_the_current_one,
    joining_by_an_invitation_link_needs_the_charter_accepted,
    a_member_who_never_accepted_a_version_is_not_told_of_an_update,
    a_long_charter_in_any_script_is_published,
    organisers_preview_a_new_version_and_members_see_what_changed,
);

async fn body(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

const STALE: &str = "Version 3 has been published since the one you read; please read it before accepting.";

/// GETs `url` over the API: the status and the problem document.
async fn refusal(url: String, token: &str) -> (StatusCode, serde_json::Value) {
    let r = reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap();
    (r.status(), r.json().await.unwrap())
}

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
/// A charter near the longest there may be (20,000 characters) in a script whose letters take
/// several bytes sent as a form — Arabic here, 9 bytes each — is published like any other.
async fn a_long_charter_in_any_script_is_published(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let arabic = "ميثاق الشبكة ".repeat(1_380);
    assert!(arabic.chars().count() > 17_000 && arabic.chars().count() <= 20_000);
    publish(&app, &admin, "eas", &arabic).await;
    let page = body(admin.get(app.at("/n/eas/charter")).send().await.unwrap()).await;
    assert!(page.contains("ميثاق الشبكة"), "the charter is shown");
}

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
    let r = join("").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = r.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "accept_charter", "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("GET /api/v1/networks/eas/charter") && !detail.contains("tick"),
        "in the API's terms: {detail}"
    );
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
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("a new version of its charter"), "{problem}");
    // In the API's own terms: where to read it, how to accept it.
    assert!(
        detail.contains("GET /api/v1/networks/eas/charter")
            && detail.contains("POST /api/v1/networks/eas/charter/acceptance"),
        "{detail}"
    );
    // An org admin who belongs to the network is not held back by it (one who does not, is not
    // either): an HR sync does not stop when a Chair publishes.
    app.user("ada@example.org", "Ada Admin").await;
    roundtable_app::admin::console::set_admin(&app.state.db, "ada@example.org", true).await.unwrap();
    let ada = app.sign_in("ada@example.org").await;
    assert_eq!(ada.post(app.at("/n/eas/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    publish(&app, &admin, "eas", "Be kindest.").await;
    let ada_token = app.api_token(&ada).await;
    let r = reqwest::Client::new().get(app.at("/api/v1/networks/eas/members")).bearer_auth(&ada_token).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::OK);
}

/// A Chair who has not accepted the version another organiser just published is offered that
/// version to accept, not a publish form that would be refused (nor the acceptances, which wait
/// too). A new version sent anyway is refused with the text kept; accepting carries it along
/// and gives it back, ready to publish, above it what the version published meanwhile changed
/// (the text was begun from the one before): published as it was from the stale page, it is
/// refused rather than undo that version unseen; from the page that showed the changes, it goes.
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
        "/n/eas/charter?notice=charter-pending&next=%2Fn%2Feas%2Fcharter%2Facceptances",
        "what the missing link leads to"
    );

    // Sent anyway (a page opened before version 2): refused, the text kept, nothing published.
    let draft = "# Version three\n\nWe meet *monthly* & share notes.";
    // (The page was opened at version 1: its form says the text starts from there.)
    let r = chair.post(app.at("/n/eas/charter")).form(&[("body", draft), ("base", "1")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = body(r).await;
    let kept = "# Version three\n\nWe meet *monthly* &#38; share notes.</textarea>";
    assert!(page.contains(r#"<textarea id="f-body" name="draft" form="accept-form""#) && page.contains(kept), "{page}");
    assert!(page.contains(
        "Please accept the current version of the charter (above) before previewing or publishing a new one."
    ));
    assert!(page.contains("Version 2, published") && page.contains(r#"name="version" value="2""#), "{page}");
    assert!(page.contains(r#"<input type="hidden" name="base" value="1" form="accept-form">"#), "{page}");
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
    let form = [("version", "2"), ("agree", "yes"), ("draft", draft), ("base", "1")];
    let r = chair.post(&accept).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = body(r).await;
    assert!(page.contains("Your new version is below: bring in the changes published meanwhile"), "{page}");
    assert!(page.contains(publish_form) && page.contains(r#"<textarea id="f-body" name="body""#), "{page}");
    assert!(page.contains(kept) && page.contains("Publish as version 3"), "{page}");
    assert_eq!(accepted(&app, "eas", "chair@example.org").await, Some(2));
    // What version 2 changed, which the text (begun from version 1) would undo.
    assert!(page.contains("What changed since version 1, which your text starts from"), "{page}");
    let v2_added = r#"<ins><span class="visually-hidden">Added: </span>Version <strong>two.</strong></ins>"#;
    assert!(page.contains(v2_added), "{page}");
    assert!(page.contains(r#"<input type="hidden" name="base" value="2">"#), "now based on version 2: {page}");
    // From the stale page (based on version 1): refused, the changes shown, the text kept.
    let r = chair.post(app.at("/n/eas/charter")).form(&[("body", draft), ("base", "1")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = body(r).await;
    assert!(page.contains("Version 2 was published while you were editing version 1."), "{page}");
    assert!(page.contains(v2_added) && page.contains(kept), "{page}");
    assert_eq!(charters::current(&app.state.db, n.id).await.unwrap().unwrap().version, 2);
    // Over the API alike, when the caller says which version its text starts from.
    let stale = json!({"body": draft, "base_version": 1});
    let (status, problem) = api_send(Method::POST, app.at("/api/v1/networks/eas/charter"), &token, &stale).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("Version 2 was published"), "{problem}");
    let unknown = json!({"body": draft, "base_version": 9});
    let (status, _) = api_send(Method::POST, app.at("/api/v1/networks/eas/charter"), &token, &unknown).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a version never published");
    let r = chair.post(app.at("/n/eas/charter")).form(&[("body", draft), ("base", "2")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "from the page that showed the changes");
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

/// Every version stays readable, rendered and sanitised as the current one, by whoever may read
/// the current one: a member asked to accept version 2 reads version 1 to see what changed, an
/// organiser reads the version a member accepted; someone who may not see the network is
/// refused alike; a version never published is not found.
async fn earlier_versions_are_read_by_whoever_may_read_the_current_one(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    publish(&app, &admin, "eas", "# First\n\nBe *kind*.<script>alert(1)</script>").await;
    let bo = app.user("bo@example.org", "Bo Member").await;
    let r = bo.post(app.at("/n/eas/join")).form(&[("accept_charter", "1"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = body(bo.get(app.at("/n/eas/charter")).send().await.unwrap()).await;
    assert!(!page.contains("Earlier versions"), "only one version yet: {page}");
    publish(&app, &admin, "eas", "# Second\n\nBe *kinder*.").await;

    // Bo, asked to accept version 2, is pointed to version 1 and reads it.
    let page = body(bo.get(app.at("/n/eas/charter")).send().await.unwrap()).await;
    let link = r#"<a href="/n/eas/charter/versions/1">"#;
    assert!(page.contains(&format!("You accepted {link}version 1</a>.")), "{page}");
    assert!(page.contains("What changed since version 1, which you accepted"), "{page}");
    assert!(page.contains(r#"<h2 id="earlier-h">Earlier versions</h2>"#), "{page}");
    assert!(page.contains(&format!("<li>{link}Version 1</a>, published ")), "{page}");
    let r = bo.get(app.at("/n/eas/charter/versions/1")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v1 = body(r).await;
    assert!(v1.contains("<title>Charter of Network eas, version 1"), "{v1}");
    assert!(v1.contains("<h1>Charter of Network eas, version 1</h1>") && v1.contains("<h2>First</h2>"), "{v1}");
    assert!(v1.contains("Be <em>kind</em>.") && !v1.contains("<script>alert"), "sanitised: {v1}");
    assert!(v1.contains(r#"the current one is <a href="/n/eas/charter">version 2</a>"#), "{v1}");
    let v2 = body(bo.get(app.at("/n/eas/charter/versions/2")).send().await.unwrap()).await;
    assert!(v2.contains("Be <em>kinder</em>.") && v2.contains("This is the current version."), "{v2}");
    // Organisers' list of acceptances links to the version each member accepted.
    let list = body(admin.get(app.at("/n/eas/charter/acceptances")).send().await.unwrap()).await;
    assert!(list.contains(&format!("{link}version 1</a>")), "{list}");

    // Not published, or not a version at all: not found.
    for v in ["3", "0", "-1", "one", "99999999999999999999"] {
        let r = bo.get(app.at(&format!("/n/eas/charter/versions/{v}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "version {v}");
    }

    // The API: the list and each version, as the page.
    let token = app.api_token(&bo).await;
    let api = |p: &str| app.at(&format!("/api/v1/networks/eas/charter{p}"));
    let list = api_get(api("/versions"), &token).await;
    assert_eq!(list["current_version"], 2);
    let numbers: Vec<i64> =
        list["versions"].as_array().unwrap().iter().map(|v| v["version"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [2, 1]);
    assert!(list["versions"][1]["published_at"].as_str().unwrap().contains('T'), "{list}");
    let v1 = api_get(api("/versions/1"), &token).await;
    assert_eq!((v1["version"].as_i64(), v1["current"].as_bool()), (Some(1), Some(false)));
    assert_eq!(v1["body"], "# First\n\nBe *kind*.<script>alert(1)</script>");
    let html = v1["html"].as_str().unwrap();
    assert!(html.contains("<h2>First</h2>") && html.contains("<em>kind</em>") && !html.contains("<script"), "{html}");
    assert_eq!(api_get(api("/versions/2"), &token).await["current"], true);
    for v in ["3", "zero"] {
        let r = reqwest::Client::new().get(api(&format!("/versions/{v}"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "version {v}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    // Documented beside the current charter.
    let spec = api_get(app.at("/api/v1/openapi.json"), &token).await;
    for path in ["/api/v1/networks/{slug}/charter/versions", "/api/v1/networks/{slug}/charter/versions/{version}"] {
        let op = &spec["paths"][path]["get"];
        assert_eq!(op["tags"], json!(["networks"]), "{path}: {op}");
        assert!(op["responses"]["200"].is_object() && op["responses"]["404"].is_object(), "{path}: {op}");
    }

    // An invitation-only network with a charter: an outsider is refused its versions exactly as
    // its current charter (404, as if it did not exist); a member reads them.
    app.network(&admin, "board", "invitation_only").await;
    publish(&app, &admin, "board", "Board rules.").await;
    publish(&app, &admin, "board", "Board rules, again.").await;
    let refused = "We could not find that page. It may have moved, or you may not have access to it.";
    for path in ["", "/versions/1", "/versions/2", "/versions/3"] {
        let r = bo.get(app.at(&format!("/n/board/charter{path}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(body(r).await.contains(refused), "{path}");
    }
    let board = |p: &str| app.at(&format!("/api/v1/networks/board/charter{p}"));
    let (status, problem) = refusal(board(""), &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(refusal(board("/versions"), &token).await, (status, problem.clone()));
    assert_eq!(refusal(board("/versions/1"), &token).await, (status, problem));
    // Anonymous: to sign in, as for the current charter.
    let r = app.client().get(app.at("/n/eas/charter/versions/1")).send().await.unwrap();
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/sign-in"));
    let bo_id = users::by_email(&app.state.db, "bo@example.org").await.unwrap().unwrap().id;
    let r = admin
        .post(app.at("/n/board/invite"))
        .form(&[("email", "bo@example.org"), ("role", "member")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let n = networks::by_slug(&app.state.db, "board").await.unwrap().unwrap();
    assert!(networks::membership(&app.state.db, n.id, bo_id).await.unwrap().is_some(), "invited");
    // Invited (not yet a member), Bo may read the charter before joining, and so its versions.
    let v1 = body(bo.get(app.at("/n/board/charter/versions/1")).send().await.unwrap()).await;
    assert!(v1.contains("Board rules.") && v1.contains("version 2</a>"), "{v1}");
}

/// An invitation's emailed link joins the network only with its charter accepted, as the
/// network's own join button does: the page shows the charter and its box; unticked, the person
/// is told so and nothing happens (no account, no membership); ticked, they join having accepted
/// the current version. Someone already a member is not asked again.
async fn joining_by_an_invitation_link_needs_the_charter_accepted(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    publish(&app, &admin, "eas", "Be *kind*.").await;
    let r = admin.post(app.at("/n/eas/invite")).form(&[("email", "nia@example.org"), ("role", "member")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let mails = app.emails_to("nia@example.org").await;
    let link = app.link_in(mails.last().unwrap(), "/invitations/");
    let visitor = app.client();
    let page = body(visitor.get(&link).send().await.unwrap()).await;
    assert!(page.contains("<em>kind</em>") && page.contains(r#"name="accept_charter" value="1""#), "{page}");
    let form = [("name", "Nia New"), ("password", "a long enough password")];
    let r = visitor.post(&link).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains("tick the box to accept it before joining") && page.contains("<em>kind</em>"), "{page}");
    assert!(users::by_email(&app.state.db, "nia@example.org").await.unwrap().is_none(), "no account made");
    let ticked = [form[0], form[1], ("accept_charter", "1"), ("agree", "yes")];
    let r = visitor.post(&link).form(&ticked).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas?notice=accepted");
    assert_eq!(accepted(&app, "eas", "nia@example.org").await, Some(1), "joined with version 1 accepted");
    // The home page reads as a member's, not one waiting for the charter.
    let home = body(visitor.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(!home.contains("accept the charter") && !home.contains("Accept the charter"), "{home}");
}

/// Someone who never accepted a version (they joined before the network had a charter) is told
/// of the network's charter when the next version comes out, not of an "updated" one; someone
/// who accepted version 1 hears of the update. A correction published soon after a version
/// emails only those who accepted that version meanwhile: the others' email links to the newest.
async fn a_member_who_never_accepted_a_version_is_not_told_of_an_update(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let bo = app.user("bo@example.org", "Bo Member").await;
    assert_eq!(bo.post(app.at("/n/eas/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    publish(&app, &admin, "eas", "Version one.").await;
    let cy = app.user("cy@example.org", "Cy Member").await;
    let r = cy.post(app.at("/n/eas/join")).form(&[("accept_charter", "1"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas?notice=joined");
    // Version one came out two days ago.
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    let two_days_ago = chrono::Utc::now() - chrono::Duration::days(2);
    let sql = "UPDATE charters SET published_at = $1 WHERE network_id = $2";
    app.state.db.write(sql, roundtable_store::params![two_days_ago, n.id]).await.unwrap();
    publish(&app, &admin, "eas", "Version two.").await;
    let told = |mails: Vec<String>, words: &str| mails.iter().filter(|m| m.contains(words)).count();
    let bo_mail = app.emails_to("bo@example.org").await;
    assert_eq!(told(bo_mail.clone(), "has a charter: please read it"), 2, "{bo_mail:?}");
    assert_eq!(told(bo_mail, "updated charter"), 0);
    assert_eq!(told(app.emails_to("cy@example.org").await, "please read the updated charter"), 1);
    // Cy accepts version two; a typo is found and version three follows at once. Only Cy, who
    // accepted meanwhile, is emailed; Bo's email of a moment ago leads to version three.
    let r = cy.post(app.at("/n/eas/charter/accept")).form(&[("version", "2"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    publish(&app, &admin, "eas", "Version three.").await;
    assert_eq!(told(app.emails_to("bo@example.org").await, "charter"), 2, "no third email for Bo");
    assert_eq!(told(app.emails_to("cy@example.org").await, "please read the updated charter"), 2);
}

/// Four clicks on Publish a few milliseconds apart (the same text) make one version, and every
/// one of them is answered as the first was.
async fn clicks_on_publish_at_once_make_one_version(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let text = [("body", "# Our charter\n\nBe kind.")];
    let send = || admin.post(app.at("/n/eas/charter")).form(&text).send();
    let (a, b, c, e) = tokio::join!(send(), send(), send(), send());
    for r in [a, b, c, e] {
        assert_eq!(r.unwrap().headers()["location"], "/n/eas/charter?notice=charter-published");
    }
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    assert_eq!(charters::versions(&app.state.db, n.id).await.unwrap().len(), 1);
}

/// An organiser previews a new version before publishing it: what would change (a changed word
/// marked within its line, escaped as written) and the text as members will read it
/// (sanitised); nothing is stored and no one is told, and a text that only respaces the current
/// one is refused, as publishing it would be. Once published, a member asked to accept again
/// sees what changed since the version they accepted, above the full text; any two versions
/// are compared on a page of their own and over the API; members may not preview.
async fn organisers_preview_a_new_version_and_members_see_what_changed(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let v1 = "# Rules\n\nBe kind.\n\nMeet monthly on Tuesdays.\n\nWhat is said here stays here.";
    publish(&app, &admin, "eas", v1).await;
    let bo = app.user("bo@example.org", "Bo Member").await;
    let r = bo.post(app.at("/n/eas/join")).form(&[("accept_charter", "1"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mails = app.emails_to("bo@example.org").await.len();

    let v2 = "# Rules\n\nBe kind.\n\nMeet monthly on Thursdays.\n\nWhat is said here stays here.\n\nNo <script>x()</script> in posts.";
    let r = admin.post(app.at("/n/eas/charter")).form(&[("body", v2), ("preview", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = body(r).await;
    assert!(page.contains(r#"<h2 id="preview-h">Preview of version 2</h2>"#), "{page}");
    let members_read = "<h3>As members will read it</h3>\n  <article class=\"charter\"><h4>Rules</h4>";
    assert!(page.contains(members_read), "headings in order: {page}");
    assert!(page.contains("What changes from version 1"), "{page}");
    let removed = r#"<p class="removed"><del><span class="visually-hidden">Removed: </span>Meet monthly on <strong>Tuesdays.</strong></del></p>"#;
    let added = r#"<p class="added"><ins><span class="visually-hidden">Added: </span>Meet monthly on <strong>Thursdays.</strong></ins></p>"#;
    assert!(page.contains(removed) && page.contains(added), "{page}");
    assert!(page.contains(r#"<span class="visually-hidden">Unchanged: </span>Be kind.</p>"#), "context: {page}");
    assert!(page.contains("No &#60;script&#62;x()&#60;/script&#62; in posts."), "the source, escaped: {page}");
    assert!(!page.contains("<script>x()"), "{page}");
    assert!(page.contains("<p>No &lt;script&gt;x()&lt;/script&gt; in posts.</p>"), "the preview, as text: {page}");
    assert!(page.contains("in posts.</textarea>"), "the text kept: {page}");
    assert!(page.contains(r#"<button type="submit">Publish as version 2</button>"#), "{page}");
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    assert_eq!(charters::current(&app.state.db, n.id).await.unwrap().unwrap().version, 1, "nothing published");
    assert_eq!(app.emails_to("bo@example.org").await.len(), mails, "no one told");
    assert_eq!(accepted(&app, "eas", "bo@example.org").await, Some(1));
    let r = bo.get(app.at("/n/eas/members")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "Bo is not asked to accept anything");

    // Only blank lines and spacing changed: refused, as publishing it would be (a day later, past
    // the double-click rule that answers a repeat of a moment ago as that one was).
    let respaced = v1.replace("\n\n", "\n\n\n").replace("kind.", "kind.  ");
    let a_day_ago = chrono::Utc::now() - chrono::Duration::days(1);
    let backdate = "UPDATE charters SET published_at = $1 WHERE network_id = $2";
    app.state.db.write(backdate, roundtable_store::params![a_day_ago, n.id]).await.unwrap();
    for preview in [true, false] {
        let mut form = vec![("body", respaced.as_str())];
        if preview {
            form.push(("preview", "yes"));
        }
        let r = admin.post(app.at("/n/eas/charter")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "preview {preview}");
        let page = body(r).await;
        assert!(
            page.contains("This reads the same as the current version (1): only blank lines or spacing differ."),
            "{page}"
        );
    }
    assert_eq!(charters::current(&app.state.db, n.id).await.unwrap().unwrap().version, 1);
    // Two paragraphs made one is a change members would see (they read one paragraph): previewed.
    let merged = v1.replace("Be kind.\n\nMeet", "Be kind.\nMeet");
    let r = admin.post(app.at("/n/eas/charter")).form(&[("body", merged.as_str()), ("preview", "yes")]).send();
    let page = body(r.await.unwrap()).await;
    let gone = r#"<del><span class="visually-hidden">Removed: </span>(blank line)</del>"#;
    assert!(page.contains("Preview of version 2") && page.contains(gone), "shown as a change: {page}");
    // A member may not preview.
    let r = bo.post(app.at("/n/eas/charter")).form(&[("body", v2), ("preview", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    publish(&app, &admin, "eas", v2).await;
    // The same text sent at once from the form showing version 2 is no double click of that
    // publish (its base is version 2): refused, not answered "published".
    let r = admin.post(app.at("/n/eas/charter")).form(&[("body", v2), ("base", "2")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("This reads the same as the current version (2)"));
    let page = body(bo.get(app.at("/n/eas/charter")).send().await.unwrap()).await;
    let since = page.find("What changed since version 1, which you accepted").expect("the changes");
    let full = page.find(r#"<article class="charter">"#).unwrap();
    assert!(since < full, "the changes come before the full text: {page}");
    assert!(page[since..full].contains(removed) && page[since..full].contains(added), "{page}");
    assert!(page.contains(r#"<button type="submit">Accept the charter</button>"#), "{page}");

    // Any two versions, on a page of their own: by default the one before the current.
    let changes = body(bo.get(app.at("/n/eas/charter/changes")).send().await.unwrap()).await;
    assert!(changes.contains("<h1>Charter of Network eas: changes from version 1 to version 2</h1>"), "{changes}");
    assert!(changes.contains(removed) && changes.contains(added), "{changes}");
    let same = body(bo.get(app.at("/n/eas/charter/changes?from=2&to=2")).send().await.unwrap()).await;
    assert!(same.contains("That is one version"), "{same}");
    let backwards = body(bo.get(app.at("/n/eas/charter/changes?from=2&to=1")).send().await.unwrap()).await;
    assert!(backwards.contains("changes from version 1 to version 2</h1>"), "older to newer: {backwards}");
    assert!(backwards.contains(removed) && backwards.contains(added), "{backwards}");
    for q in ["?from=3", "?from=0", "?from=abc", "?to=7", "?from=1&to=x"] {
        let r = bo.get(app.at(&format!("/n/eas/charter/changes{q}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{q}");
    }
    let v2_page = body(bo.get(app.at("/n/eas/charter/versions/2")).send().await.unwrap()).await;
    assert!(
        v2_page.contains(r#"<a href="/n/eas/charter/changes?from=1&amp;to=2">What changed from version 1</a>"#),
        "{v2_page}"
    );

    // The API: the same changes, and a preview for organisers only.
    let token = app.api_token(&bo).await;
    let api = |p: &str| app.at(&format!("/api/v1/networks/eas/charter{p}"));
    let c = api_get(api("/changes?from=1"), &token).await;
    assert_eq!((c["from"].as_i64(), c["to"].as_i64(), c["current_version"].as_i64()), (Some(1), Some(2), Some(2)));
    let lines: Vec<(String, String)> = c["hunks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h.as_array().unwrap().iter())
        .map(|l| {
            let marked: String = l["spans"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    if s["changed"] == true {
                        format!("[{}]", s["text"].as_str().unwrap())
                    } else {
                        s["text"].as_str().unwrap().to_owned()
                    }
                })
                .collect();
            (l["kind"].as_str().unwrap().to_owned(), marked)
        })
        .collect();
    let expected = [
        ("same", "Be kind."),
        ("removed", "Meet monthly on [Tuesdays.]"),
        ("added", "Meet monthly on [Thursdays.]"),
        ("same", "What is said here stays here."),
        ("added", "No <script>x()</script> in posts."),
    ];
    assert_eq!(lines, expected.map(|(k, t)| (k.to_owned(), t.to_owned())), "{c}");
    let r = reqwest::Client::new().get(api("/changes?from=9")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (status, _) = api_send(Method::POST, api("/acceptance"), &token, &json!({"version": 2})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api_send(Method::POST, api("/preview"), &token, &json!({"body": "Other rules."})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "members do not preview");
    let admin_token = app.api_token(&admin).await;
    let (status, p) =
        api_send(Method::POST, api("/preview"), &admin_token, &json!({"body": "# Rules\n\nBe kind."})).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!((p["version"].as_i64(), p["changes_from"].as_i64()), (Some(3), Some(2)), "{p}");
    assert!(p["html"].as_str().unwrap().contains("<h2>Rules</h2>"), "{p}");
    let kinds: Vec<&str> = p["hunks"][0].as_array().unwrap().iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["same", "removed", "removed", "removed"], "{p}");
    assert_eq!(charters::current(&app.state.db, n.id).await.unwrap().unwrap().version, 2, "nothing published");
    let (status, _) = api_send(Method::POST, api("/preview"), &admin_token, &json!({"body": v2})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the current text");
    let spec = api_get(app.at("/api/v1/openapi.json"), &token).await;
    assert!(spec["paths"]["/api/v1/networks/{slug}/charter/changes"]["get"]["responses"]["200"].is_object());
    assert!(spec["paths"]["/api/v1/networks/{slug}/charter/preview"]["post"]["responses"]["422"].is_object());
}
