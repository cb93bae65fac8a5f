//! `roundtable demo` fills an empty database with a usable organisation, on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use roundtable_store::{Dialect, networks, users};
use support::TestApp;

both!(the_demo_organisation_can_be_signed_into_and_has_every_organiser_role, ten_thousand_people_fill_and_page);

async fn the_demo_organisation_can_be_signed_into_and_has_every_organiser_role(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let seen = std::sync::Mutex::new(0);
    let s = roundtable_app::demo::fill(&app.state.db, 320, |n| *seen.lock().unwrap() = n).await.unwrap();
    assert_eq!((s.people, s.networks, *seen.lock().unwrap()), (320, 3, 320));
    assert_eq!(users::count(&app.state.db).await.unwrap(), 320);
    let eas = networks::by_slug(&app.state.db, "assistants").await.unwrap().unwrap();
    let roles: Vec<_> = app.state.snapshot().await.unwrap().organisers(eas.id).into_iter().map(|m| m.role).collect();
    assert_eq!(roles.len(), 4, "one of each organiser role: {roles:?}");
    // The printed sign-in works and the member list pages.
    let c = app.client();
    let r = c
        .post(app.at("/sign-in"))
        .form(&[("email", roundtable_app::demo::ADMIN_EMAIL), ("password", roundtable_app::demo::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = c.get(app.at("/n/assistants/members?page=2")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Page 2 of"), "{page}");
    // People have profiles: the directory has skills, interests and languages to filter by, and
    // a member is shown people like them for shared threads, not only their department.
    let member = app.sign_in_with("person50@demo.example.org", roundtable_app::demo::PASSWORD).await;
    let people = member.get(app.at("/people")).send().await.unwrap().text().await.unwrap();
    for facet in [
        "<summary>Level</summary>",
        "<summary>Skills</summary>",
        "<summary>Interests</summary>",
        "<summary>Languages</summary>",
    ] {
        assert!(people.contains(facet), "missing {facet}: {people}");
    }
    assert!(people.contains("Shared skill: ") && people.contains("Both speak "), "{people}");
    assert!(!people.contains("Both speak English"), "everyone speaks English: no reason to meet");
    let found = member.get(app.at("/people?skill=minute+taking")).send().await.unwrap().text().await.unwrap();
    assert!(!found.contains(">0 people<"), "{found}");
    // A second run refuses to touch a database that has an organisation.
    assert!(roundtable_app::demo::fill(&app.state.db, 10, |_| {}).await.is_err());
}

/// `demo --members 10000`, the benchmark's organisation, works on both engines: every person is
/// there and the member list and directory page through them.
async fn ten_thousand_people_fill_and_page(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let s = roundtable_app::demo::fill(&app.state.db, 10_000, |_| {}).await.unwrap();
    assert_eq!(s.people, 10_000);
    assert_eq!(users::count(&app.state.db).await.unwrap(), 10_000);
    let member = app.sign_in_with("person50@demo.example.org", roundtable_app::demo::PASSWORD).await;
    let page = member.get(app.at("/n/assistants/members?page=37")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Page 37 of"), "{page}");
    let people = member.get(app.at("/people?location=London")).send().await.unwrap().text().await.unwrap();
    assert!(people.contains("Page 1 of"), "London alone fills more than a page: {people}");
}
