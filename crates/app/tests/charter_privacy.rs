//! What members share "with my networks" reaches a fellow member only while that member may use
//! the network: once a new charter version is published, not until they accept it. On SQLite and
//! PostgreSQL, through the profile page and the directory search.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use roundtable_store::Dialect;
use roundtable_store::users;
use support::TestApp;

both!(network_only_fields_wait_for_the_viewer_to_accept_the_current_charter);

async fn body(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

async fn network_only_fields_wait_for_the_viewer_to_accept_the_current_charter(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let zoe = app.user("zoe@example.org", "Zoe Adams").await;
    let bo = app.user("bo@example.org", "Bo Brown").await;
    for c in [&zoe, &bo] {
        assert_eq!(c.post(app.at("/n/eas/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    }
    let r = zoe
        .post(app.at("/profile"))
        .form(&[("job_title", "EA"), ("time_zone", "UTC"), ("skills", "Origami"), ("audience_skills", "network")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
    let zoe_id = users::by_email(&app.state.db, "zoe@example.org").await.unwrap().unwrap().id;
    let profile = format!("/people/{zoe_id}");
    let sees = |page: &str| page.contains("Origami");
    assert!(sees(&body(bo.get(app.at(&profile)).send().await.unwrap()).await), "a fellow member sees it");
    assert!(body(bo.get(app.at("/people?q=origami")).send().await.unwrap()).await.contains("Zoe Adams"));

    // A charter is published: until Bo accepts it, Bo is not using the network.
    let r = admin.post(app.at("/n/eas/charter")).form(&[("body", "Be kind.")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = body(bo.get(app.at(&profile)).send().await.unwrap()).await;
    assert!(page.contains("Zoe Adams") && !sees(&page), "{page}");
    let found = body(bo.get(app.at("/people?q=origami")).send().await.unwrap()).await;
    assert!(!found.contains("Zoe Adams"), "{found}");

    let r = bo.post(app.at("/n/eas/charter/accept")).form(&[("version", "1"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(sees(&body(bo.get(app.at(&profile)).send().await.unwrap()).await), "after accepting, again");
    assert!(body(bo.get(app.at("/people?q=origami")).send().await.unwrap()).await.contains("Zoe Adams"));
}
