//! The `roundtable admin` commands' use cases, on SQLite and PostgreSQL: what an IT admin runs
//! from a shell must keep the same rules as the admin pages.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use roundtable_app::admin::console;
use roundtable_store::Dialect;
use roundtable_store::users;
use support::{PASSWORD, TestApp};

both!(
    revoking_the_last_organisation_admin_is_refused,
    a_deactivated_or_erased_account_is_never_made_admin_and_can_always_lose_it,
);

async fn revoking_the_last_organisation_admin_is_refused(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let db = &app.state.db;
    console::create_user(db, "ida@example.org", "Ida Admin", PASSWORD, true).await.unwrap();
    console::create_user(db, "bo@example.org", "Bo Member", PASSWORD, false).await.unwrap();
    let e = console::set_admin(db, "ida@example.org", false).await.unwrap_err();
    assert!(e.to_string().contains("last organisation admin"), "{e}");
    assert!(users::by_email(db, "ida@example.org").await.unwrap().unwrap().is_org_admin, "nothing changed");
    // With a second admin, either may step down.
    assert!(console::set_admin(db, "bo@example.org", true).await.unwrap());
    assert!(console::set_admin(db, "ida@example.org", false).await.unwrap());
    assert!(!users::by_email(db, "ida@example.org").await.unwrap().unwrap().is_org_admin);
    // Granting what one has, or revoking what one lacks, says so and changes (and logs) nothing.
    let (log, _) = roundtable_store::audit::page(db, 100, 0).await.unwrap();
    assert!(!console::set_admin(db, "bo@example.org", true).await.unwrap());
    assert!(!console::set_admin(db, "ida@example.org", false).await.unwrap());
    assert_eq!(roundtable_store::audit::page(db, 100, 0).await.unwrap().0.len(), log.len());
}

/// On the People page and from the shell alike: only an active account becomes an admin; a
/// deactivated admin is not "the last administrator", so the right can always be taken back;
/// an erased account shows as such, with nothing left to do to it.
async fn a_deactivated_or_erased_account_is_never_made_admin_and_can_always_lose_it(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let db = &app.state.db;
    app.user("bo@example.org", "Bo Member").await;
    app.user("cy@example.org", "Cy Member").await;
    let (bo, cy) = (app.user_id("bo@example.org").await, app.user_id("cy@example.org").await);
    let post = |path: String, form: Vec<(&'static str, &'static str)>| {
        let (app, admin) = (&app, &admin);
        async move { admin.post(app.at(&path)).form(&form).send().await.unwrap() }
    };
    // Bo is made an admin, then leaves: deactivated, he is not one of the active admins.
    let r = post(format!("/admin/people/{bo}/admin"), vec![("value", "true")]).await;
    assert!(r.headers()["location"].to_str().unwrap().ends_with("notice=admin-granted"));
    let r = post(format!("/admin/people/{bo}/active"), vec![("value", "false")]).await;
    assert!(r.headers()["location"].to_str().unwrap().ends_with("notice=person-deactivated"));
    // The only active admin takes his right away: no "last administrator" refusal.
    let r = post(format!("/admin/people/{bo}/admin"), vec![("value", "false")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!users::by_id(db, bo).await.unwrap().unwrap().is_org_admin);
    // Nor may it be given back while he is away — said on the People page, beside the list.
    let r = post(format!("/admin/people/{bo}/admin"), vec![("value", "true")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Bo Member is deactivated: reactivate the account first") && page.contains("<h1>People</h1>"),
        "{page}"
    );
    assert!(!users::by_id(db, bo).await.unwrap().unwrap().is_org_admin, "nothing changed");
    let e = console::set_admin(db, "bo@example.org", true).await.unwrap_err();
    assert!(e.to_string().contains("deactivated"), "{e}");
    // Inviting his address again points at his account, shown in the list, to reactivate.
    let r = post("/admin/people/invite".to_owned(), vec![("email", "bo@example.org"), ("q", "cy")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(page.contains("Bo Member has an account with this address, deactivated"), "{page}");
    assert!(
        page.contains(&format!("/admin/people/{bo}/active")) && !page.contains(&format!("/admin/people/{cy}/active")),
        "{page}"
    );
    // The admin's own account: refused on the page itself, not on an error page.
    let me = app.user_id("admin@example.org").await;
    let r = post(format!("/admin/people/{me}/active"), vec![("value", "false")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("You cannot deactivate your own account here.") && page.contains("<h1>People</h1>"),
        "{page}"
    );
    // The only active administrator is offered no "Revoke admin" on their own row; with a
    // second one, either may step down.
    let own_row = || async {
        let page = admin.get(app.at("/admin/people?q=admin%40example.org")).send().await.unwrap().text().await.unwrap();
        (page.contains(&format!("/admin/people/{me}/admin")), page.contains("The only administrator"))
    };
    assert_eq!(own_row().await, (false, true));
    post(format!("/admin/people/{cy}/admin"), vec![("value", "true")]).await;
    assert_eq!(own_row().await, (true, false));
    post(format!("/admin/people/{cy}/admin"), vec![("value", "false")]).await;
    assert!(!users::by_id(db, cy).await.unwrap().unwrap().is_org_admin);
    // Erased, Cy is shown as such, and offered nothing but the list.
    let r = post(format!("/admin/people/{cy}/erase"), vec![("confirm", "ERASE")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = admin.get(app.at("/admin/people?q=former")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(">Erased"), "{page}");
    for action in
        [format!("/admin/people/{cy}/admin"), format!("/admin/people/{cy}/active"), format!("/admin/people/{cy}/erase")]
    {
        assert!(!page.contains(&action), "no {action} for an erased account: {page}");
    }
    let r = post(format!("/admin/people/{cy}/admin"), vec![("value", "true")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "a forged form is refused too");
    assert!(r.text().await.unwrap().contains("has been erased"));
    let erased = users::by_id(db, cy).await.unwrap().unwrap();
    assert!(!erased.is_org_admin);
    let e = console::reset_password(db, &erased.email, "a new long password").await.unwrap_err();
    assert!(e.to_string().contains("erased account"), "{e}");
    // The list by standing: who is deactivated, erased, an administrator.
    let listed = |show: &'static str| {
        let (app, admin) = (&app, &admin);
        async move { admin.get(app.at(&format!("/admin/people?show={show}"))).send().await.unwrap().text().await.unwrap() }
    };
    let page = listed("deactivated").await;
    assert!(page.contains("1 person.") && page.contains("Bo Member") && !page.contains("Former member"), "{page}");
    let page = listed("erased").await;
    assert!(page.contains("1 person.") && page.contains("Former member"), "{page}");
    let page = listed("admins").await;
    assert!(page.contains("1 person.") && page.contains("admin@example.org"), "{page}");
    let page = listed("active").await;
    assert!(!page.contains("Bo Member") && !page.contains("Former member"), "{page}");
    let r = admin.get(app.at("/admin/people?show=leavers")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Show one of: all, active, no-password, deactivated, erased, admins."));
    // An API client chooses its page size within bounds, and is told when it asks for more.
    let token = app.api_token(&admin).await;
    let page = support::api_get(app.at("/api/v1/admin/people?per_page=2"), &token).await;
    assert_eq!((page["per_page"].as_u64(), page["people"].as_array().map(Vec::len)), (Some(2), Some(2)), "{page}");
    let page = support::api_get(app.at("/api/v1/people?per_page=1"), &token).await;
    assert_eq!((page["per_page"].as_u64(), page["people"].as_array().map(Vec::len)), (Some(1), Some(1)), "{page}");
    for url in ["/api/v1/admin/people?per_page=1000", "/api/v1/people?per_page=0"] {
        let r = reqwest::Client::new().get(app.at(url)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{url}");
        assert!(r.text().await.unwrap().contains("per_page must be a whole number from 1 to 200"), "{url}");
    }
    // The audit log finds one person's history, its actions in words.
    let log = admin.get(app.at("/admin/audit?q=BO@example")).send().await.unwrap().text().await.unwrap();
    assert!(log.contains("4 entries mention “BO@example”"), "created, granted, deactivated, revoked: {log}");
    assert!(log.contains("Admin granted") && log.contains("Person deactivated") && log.contains("Admin revoked"));
    assert!(!log.contains("Person erased") && !log.contains("person.deactivated"), "{log}");
    // By the name of the person the entries are about, too (they name the address).
    let log = admin.get(app.at("/admin/audit?q=bo%20mem")).send().await.unwrap().text().await.unwrap();
    assert!(log.contains("4 entries mention “bo mem”"), "{log}");
    // An accented capital is lower-cased as the search is, on both engines.
    app.user("emile@example.org", "Émile Durand").await;
    let log = admin.get(app.at("/admin/audit?q=%C3%A9mile")).send().await.unwrap().text().await.unwrap();
    assert!(log.contains("1 entry mention"), "{log}");
    let log = admin.get(app.at("/admin/audit?q=Person%20deactivated")).send().await.unwrap().text().await.unwrap();
    assert!(log.contains("1 entry mention"), "the action as the page words it: {log}");
    let all = admin.get(app.at("/admin/audit")).send().await.unwrap().text().await.unwrap();
    assert!(all.contains("Person erased"), "{all}");
}
