//! The in-memory read model behind member lists, the directory and network access: a change
//! made anywhere — through this instance, another instance, or straight into the database as a
//! CLI import does — shows on the very next page, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use roundtable_store::{Dialect, users};
use support::TestApp;

both!(
    changes_show_on_the_next_page_on_every_instance,
    a_removed_member_loses_access_at_once,
    an_import_of_a_few_people_logs_just_them,
);

async fn page(c: &reqwest::Client, url: String) -> String {
    let r = c.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

/// A client signed in on instance `base` (cookies are per host, so sign in there).
async fn signed_in_at(app: &TestApp, base: &str, email: &str) -> reqwest::Client {
    let c = app.client();
    let r = c.post(format!("{base}/sign-in")).form(&[("email", email), ("password", support::PASSWORD)]).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::SEE_OTHER);
    c
}

async fn changes_show_on_the_next_page_on_every_instance(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let (b, _running) = app.another_instance().await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let on_b = signed_in_at(&app, &b, "admin@example.org").await;
    // Instance B builds its snapshot now, before the changes below.
    assert!(!page(&on_b, format!("{b}/n/eas/members")).await.contains("Bea Joiner"));

    // Bea joins through instance A and fills in her department.
    let bea = app.user("bea@example.org", "Bea Joiner").await;
    let r = bea.post(app.at("/n/eas/join")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = bea
        .post(app.at("/profile"))
        .form(&[("job_title", "Assistant"), ("department", "Treasury"), ("location", "Leeds"), ("time_zone", "UTC")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());

    let members = page(&on_b, format!("{b}/n/eas/members")).await;
    assert!(members.contains("Bea Joiner"), "instance B lists the new member at once");
    let directory = page(&on_b, format!("{b}/people?department=Treasury")).await;
    assert!(directory.contains("Bea Joiner") && directory.contains("Leeds"), "and finds her by her new department");

    // A write straight into the database, as `roundtable import --deactivate-missing` makes
    // from another process.
    let id = users::by_email(&app.state.db, "bea@example.org").await.unwrap().unwrap().id;
    let mut tx = app.state.db.begin().await.unwrap();
    users::set_deactivated(&mut tx, id, Some(chrono::Utc::now())).await.unwrap();
    tx.commit().await.unwrap();
    assert!(!page(&on_b, format!("{b}/n/eas/members")).await.contains("Bea Joiner"));
    assert!(!page(&admin, app.at("/people?q=bea")).await.contains("Bea Joiner"));
}

async fn a_removed_member_loses_access_at_once(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "private", "invitation_only").await;
    let cy = app.user("cy@example.org", "Cy Member").await;
    let id = users::by_email(&app.state.db, "cy@example.org").await.unwrap().unwrap().id.to_string();
    let r = cy.get(app.at("/n/private/members")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "an invitation-only network is hidden from outsiders");

    let r = admin.post(app.at("/n/private/invite")).form(&[("email", "cy@example.org"), ("role", "member")]).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::SEE_OTHER);
    let r = cy.post(app.at("/n/private/join")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "accepting the invitation");
    assert!(page(&cy, app.at("/n/private/members")).await.contains("Cy Member"));

    let r = admin.post(app.at(&format!("/n/private/members/{id}/remove"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = cy.get(app.at("/n/private/members")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "removed, Cy no longer sees the network's members");
}

/// An HR import that changes a few people logs who (instances then reload just their rows, and
/// debug builds check that against a full reload on the next page); one that changes many logs
/// "anything", one full reload being cheaper.
async fn an_import_of_a_few_people_logs_just_them(d: Dialect) {
    use roundtable_app::import::console;
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let (b, _running) = app.another_instance().await;
    let on_b = signed_in_at(&app, &b, "admin@example.org").await;
    assert!(!page(&on_b, format!("{b}/people?department=Treasury")).await.contains("Ann Import"));
    let db = &app.state.db;
    let logged = || async {
        let rows = db
            .read(
                "SELECT user_id FROM read_model_changes WHERE version = (SELECT version FROM read_model_version WHERE id = 1)",
                vec![],
            )
            .await
            .unwrap();
        let mut ids: Vec<Option<String>> = rows.iter().map(|r| r.opt_text(0).unwrap()).collect();
        ids.sort();
        ids
    };
    let file = "email,name,department,skills,networks\r\nann@example.org,Ann Import,Treasury,Budgets,eas\r\nbo@example.org,Bo Import,Treasury,,\r\n";
    let (_, _, report) =
        console::import(db, file.as_bytes(), "hr.csv", None, &Default::default(), &|_, _, _| {}).await.unwrap();
    assert_eq!(report.created, 2);
    let ann = users::by_email(db, "ann@example.org").await.unwrap().unwrap().id.to_string();
    let bo = users::by_email(db, "bo@example.org").await.unwrap().unwrap().id.to_string();
    let mut expected = vec![Some(ann), Some(bo)];
    expected.sort();
    assert_eq!(logged().await, expected, "just the two people");
    let directory = page(&on_b, format!("{b}/people?department=Treasury")).await;
    assert!(directory.contains("Ann Import") && directory.contains("Bo Import"), "{directory}");
    assert!(page(&on_b, format!("{b}/n/eas/members")).await.contains("Ann Import"), "her membership too");

    // Sixty people: past the few dozen, "anything".
    let mut many = String::from("email,name\r\n");
    for i in 0..60 {
        many.push_str(&format!("p{i}@example.org,Person {i}\r\n"));
    }
    console::import(db, many.as_bytes(), "hr.csv", None, &Default::default(), &|_, _, _| {}).await.unwrap();
    assert_eq!(logged().await, [None]);
    assert!(page(&on_b, format!("{b}/people?q=person+59")).await.contains("Person 59"));
}
