//! HTTP integration tests: the real server on a loopback port, spoken to over HTTP, each test on
//! a fresh SQLite file and a fresh PostgreSQL database. They assert what a user or API client
//! would notice — status, page text, emails sent — and re-read state after refused input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use roundtable_domain::{MembershipStatus, Role};
use roundtable_store::{Dialect, audit, networks, users};
use support::{PASSWORD, TestApp, unqp};

both!(
    first_run_setup_creates_the_org_and_admin_and_the_link_works_once,
    setup_takes_an_account_made_from_the_console_with_its_password,
    new_accounts_start_in_the_organisations_time_zone,
    an_imports_new_people_are_welcomed_all_at_once,
    setup_says_when_the_existing_account_has_no_password,
    sign_in_rejects_a_wrong_password_and_rate_limits_per_account,
    a_deactivated_account_is_told_so_only_with_the_right_password,
    sign_in_rotates_the_session_and_sign_out_ends_it,
    devices_are_named_and_each_can_be_signed_out_alone,
    the_navigation_marks_where_you_are,
    joining_by_request_needs_an_organiser_and_is_audited,
    a_request_to_join_carries_a_note_for_the_organisers,
    opening_a_network_lets_those_who_asked_join_and_deactivated_people_cannot_be_let_in,
    a_chair_can_demote_and_remove_a_deactivated_co_chair_but_not_leave_alone,
    invitations_sent_before_an_account_existed_become_its_own,
    an_organiser_invites_a_pasted_list_at_once,
    organisers_decide_many_requests_at_once,
    a_long_queue_of_requests_is_listed_a_page_at_a_time,
    an_invitation_email_creates_an_account_and_membership,
    members_are_paginated_and_searchable_accent_insensitively,
    private_networks_stay_invisible_to_outsiders,
    self_sign_up_is_limited_to_allowed_domains,
    password_reset_link_works_once_and_signs_out_everywhere,
    org_admins_invite_people_and_send_password_links_from_the_people_page,
    api_tokens_authenticate_and_errors_are_problem_json,
    bad_input_gets_a_clear_4xx_and_changes_nothing,
    cross_site_form_posts_are_refused,
    health_readiness_and_metrics_answer,
    authorisation_matrix_holds_for_every_role_and_route,
    the_api_authorisation_matrix_holds_for_every_role_and_route,
    a_failure_on_our_side_gets_a_helpful_page_that_leaks_nothing,
);

async fn body(r: reqwest::Response) -> String {
    r.text().await.expect("body")
}

async fn first_run_setup_creates_the_org_and_admin_and_the_link_works_once(d: Dialect) {
    let app = TestApp::spawn(d).await;
    // Each start before setup prints a link (two instances starting together print two).
    let earlier = app.setup_token().await;
    let token = app.setup_token().await;
    let c = app.client();
    // Bad input first: every error is shown, nothing is created.
    let r = c
        .post(app.at(&format!("/setup/{token}")))
        .form(&[("org_name", ""), ("name", "Ada"), ("email", "nope"), ("password", "short")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(
        html.contains("Enter the organisation&#39;s name") || html.contains("Enter the organisation's name"),
        "{html}"
    );
    assert!(html.contains("at least 10 characters"), "{html}");
    assert!(html.contains("value=\"Ada\""), "typed values are kept");
    assert!(roundtable_store::org::get(&app.state.db).await.unwrap().is_none());

    let r = c
        .post(app.at(&format!("/setup/{token}")))
        .form(&[
            ("org_name", "Example Org"),
            ("name", "Ada Admin"),
            ("email", "Admin@Example.org"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let home = body(c.get(app.at("/")).send().await.unwrap()).await;
    assert!(home.contains("Welcome, Ada Admin"), "{home}");
    let admin = users::by_email(&app.state.db, "admin@example.org").await.unwrap().unwrap();
    assert!(admin.is_org_admin);
    // The link is spent, and so is the one an earlier start printed: neither shows the form nor
    // makes a second organisation and administrator.
    for link in [&token, &earlier] {
        let again = app.client().get(app.at(&format!("/setup/{link}"))).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_FOUND);
        assert!(body(again).await.contains("Page not found"));
        let r = app
            .client()
            .post(app.at(&format!("/setup/{link}")))
            .form(&[
                ("org_name", "Other"),
                ("name", "Mallory"),
                ("email", "mallory@example.org"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    assert!(users::by_email(&app.state.db, "mallory@example.org").await.unwrap().is_none());
    assert_eq!(roundtable_store::org::get(&app.state.db).await.unwrap().unwrap().name, "Example Org");
    // And a start after setup prints none.
    assert!(roundtable_app::accounts::ensure_setup_link(&app.state).await.unwrap().is_none());
}

async fn zone(app: &TestApp, email: &str) -> String {
    let id = app.user_id(email).await;
    roundtable_store::profiles::get(&app.state.db, id).await.unwrap().unwrap().time_zone
}

/// An organisation in London sees London times: setup names the zone, and everyone whose account
/// starts afterwards (console, import row without a time zone) starts there; the admin may
/// change it later and move the people still in the old zone, not those who chose their own.
async fn new_accounts_start_in_the_organisations_time_zone(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let db = &app.state.db;
    roundtable_app::admin::console::create_user(db, "early@example.org", "Early Bird", PASSWORD, false).await.unwrap();
    let token = app.setup_token().await;
    let c = app.client();
    let form = |zone: &'static str| {
        [
            ("org_name", "Example Org"),
            ("time_zone", zone),
            ("name", "Ada Admin"),
            ("email", "admin@example.org"),
            ("password", PASSWORD),
        ]
    };
    let page = body(c.get(app.at(&format!("/setup/{token}"))).send().await.unwrap()).await;
    assert!(
        page.contains("<label for=\"f-time_zone\">Time zone</label>")
            && page.contains("<option>Europe/London</option>")
    );
    let r = c.post(app.at(&format!("/setup/{token}"))).form(&form("Mars/Olympus")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains("Choose a time zone from the list"), "{page}");
    // The refused value stays chosen: sending again cannot save the list's first zone unseen.
    assert!(page.contains(r#"<option value="Mars/Olympus" selected>Mars/Olympus</option>"#), "{page}");
    assert!(!page.contains("<option>US/Eastern</option>") && !page.contains("<option>Etc/GMT+5</option>"));
    assert!(roundtable_store::org::get(db).await.unwrap().is_none(), "nothing created");
    let r = c.post(app.at(&format!("/setup/{token}"))).form(&form("Europe/London")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(zone(&app, "admin@example.org").await, "Europe/London");
    assert_eq!(zone(&app, "early@example.org").await, "Europe/London", "made before setup, moved by it");
    // Later accounts start there: from the console, and an import row with no time zone; a row
    // with one keeps it.
    roundtable_app::admin::console::create_user(db, "bo@example.org", "Bo Member", PASSWORD, false).await.unwrap();
    let hr = "email,name,time_zone\r\ncy@example.org,Cy Member,\r\ndi@example.org,Di Member,Asia/Tokyo\r\n";
    roundtable_app::import::console::import(db, hr.as_bytes(), "hr.csv", None, &Default::default(), &|_, _, _| {})
        .await
        .unwrap();
    assert_eq!(zone(&app, "bo@example.org").await, "Europe/London");
    assert_eq!(zone(&app, "cy@example.org").await, "Europe/London");
    assert_eq!(zone(&app, "di@example.org").await, "Asia/Tokyo");
    let bo = app.sign_in("bo@example.org").await;
    let edit = body(bo.get(app.at("/profile")).send().await.unwrap()).await;
    assert!(edit.contains("<option selected>Europe/London</option>"), "{edit}");

    // The settings page offers to move the five people in London (Di chose Tokyo).
    let settings = body(c.get(app.at("/admin/organisation")).send().await.unwrap()).await;
    assert!(settings.contains("value=\"Example Org\"") && settings.contains("<option selected>Europe/London</option>"));
    assert!(settings.contains("move the 4 people whose time zone is Europe/London"), "{settings}");
    // Only an administrator may see or change it.
    assert_eq!(bo.get(app.at("/admin/organisation")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let r = bo
        .post(app.at("/admin/organisation"))
        .form(&[("org_name", "Bo's Org"), ("time_zone", "UTC")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A bad zone or an empty name changes nothing and says why.
    let r = c
        .post(app.at("/admin/organisation"))
        .form(&[("org_name", ""), ("time_zone", "Nowhere"), ("move_people", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(html.contains("Choose a time zone from the list"), "{html}");
    assert!(html.contains(r##"<a href="#f-org_name">"##) && html.contains(r#"id="f-org_name-error""#), "{html}");
    let org = roundtable_store::org::get(db).await.unwrap().unwrap();
    assert_eq!((org.name.as_str(), org.time_zone.as_str()), ("Example Org", "Europe/London"));

    // Moving to New York with everyone still in London; Di keeps Tokyo.
    let r = c
        .post(app.at("/admin/organisation"))
        .form(&[("org_name", "Example Org Ltd"), ("time_zone", "America/New_York"), ("move_people", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let done = body(c.get(app.at(r.headers()["location"].to_str().unwrap())).send().await.unwrap()).await;
    assert!(done.contains("4 people moved to America/New_York."), "{done}");
    for who in ["admin", "early", "bo", "cy"] {
        assert_eq!(zone(&app, &format!("{who}@example.org")).await, "America/New_York", "{who}");
    }
    assert_eq!(zone(&app, "di@example.org").await, "Asia/Tokyo");
    let log = body(c.get(app.at("/admin/audit")).send().await.unwrap()).await;
    assert!(log.contains("Europe/London → America/New_York; 4 people moved"), "{log}");
    assert!(log.contains("Example Org Ltd"), "the rename is logged too");
    // Without "move them", only new accounts start in the new zone.
    let r = c
        .post(app.at("/admin/organisation"))
        .form(&[("org_name", "Example Org Ltd"), ("time_zone", "Europe/Paris")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(zone(&app, "bo@example.org").await, "America/New_York");
    roundtable_app::admin::console::create_user(db, "ed@example.org", "Ed Member", PASSWORD, false).await.unwrap();
    assert_eq!(zone(&app, "ed@example.org").await, "Europe/Paris");

    // The same over the API, for administrators only, documented.
    use reqwest::Method;
    let (token, bo_token) = (app.api_token(&c).await, app.api_token(&bo).await);
    let org = support::api_get(app.at("/api/v1/organisation"), &token).await;
    assert_eq!(
        (&org["name"], &org["time_zone"], &org["people_in_zone"]),
        (&"Example Org Ltd".into(), &"Europe/Paris".into(), &1.into())
    );
    let (status, _) =
        support::api_send(Method::GET, app.at("/api/v1/organisation"), &bo_token, &serde_json::json!(null)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let put = |body: serde_json::Value, token: String| {
        let url = app.at("/api/v1/organisation");
        async move { support::api_send(Method::PUT, url, &token, &body).await }
    };
    let (status, p) = put(serde_json::json!({"name": "", "time_zone": "Nowhere"}), token.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["name", "time_zone"], "{p}");
    let (status, _) = put(serde_json::json!({"name": "Bo", "time_zone": "UTC"}), bo_token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, saved) =
        put(serde_json::json!({"name": "Example Org Ltd", "time_zone": "Europe/Berlin", "move_people": true}), token)
            .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!((&saved["time_zone"], &saved["moved"]), (&"Europe/Berlin".into(), &1.into()), "Ed moved: {saved}");
    assert_eq!(zone(&app, "ed@example.org").await, "Europe/Berlin");
    let spec = support::api_get(app.at("/api/v1/openapi.json"), "").await;
    assert!(
        spec["paths"]["/api/v1/organisation"]["put"].is_object()
            && spec["paths"]["/api/v1/admin/people/welcome"]["post"].is_object()
    );
}

/// An IT admin may make the first account from the console before opening the setup link:
/// setup then needs that account's password (else it says why), and makes it the administrator.
async fn setup_takes_an_account_made_from_the_console_with_its_password(d: Dialect) {
    let app = TestApp::spawn(d).await;
    roundtable_app::admin::console::create_user(&app.state.db, "root@example.org", "Root Admin", PASSWORD, false)
        .await
        .unwrap();
    let token = app.setup_token().await;
    let c = app.client();
    let form = |password: &'static str| {
        [("org_name", "Example Org"), ("name", "Someone"), ("email", "Root@example.org"), ("password", password)]
    };
    let r = c.post(app.at(&format!("/setup/{token}"))).form(&form("another password 123")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(html.contains("An account with this address exists already"), "{html}");
    assert!(roundtable_store::org::get(&app.state.db).await.unwrap().is_none(), "nothing created");
    let r = c.post(app.at(&format!("/setup/{token}"))).form(&form(PASSWORD)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let home = body(c.get(app.at("/")).send().await.unwrap()).await;
    assert!(home.contains("Welcome, Root Admin"), "signed in as that account, its name kept: {home}");
    assert!(users::by_email(&app.state.db, "root@example.org").await.unwrap().unwrap().is_org_admin);
    assert_eq!(roundtable_store::org::get(&app.state.db).await.unwrap().unwrap().name, "Example Org");
    let (log, _) = audit::page(&app.state.db, 10, 0).await.unwrap();
    let created = log.iter().find(|e| e.action == "organisation.created").unwrap();
    assert_eq!(created.actor_name, "Root Admin", "the account's own name, not the one typed");
}

/// An account an import made has no password: setup says so and how to give it one.
async fn setup_says_when_the_existing_account_has_no_password(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let mut tx = app.state.db.begin().await.unwrap();
    let email = roundtable_domain::Email::parse("hr@example.org").unwrap();
    let name = roundtable_domain::PersonName::parse("Imported Person").unwrap();
    let new = users::NewUser { email: &email, name: &name, password_hash: None, is_org_admin: false, verified: true };
    users::insert(&mut tx, &new, chrono::Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    let token = app.setup_token().await;
    let form = [("org_name", "Example Org"), ("name", "Someone"), ("email", "hr@example.org"), ("password", PASSWORD)];
    let r = app.client().post(app.at(&format!("/setup/{token}"))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("has no password yet"));
    assert!(roundtable_store::org::get(&app.state.db).await.unwrap().is_none(), "nothing created");
}

async fn a_deactivated_account_is_told_so_only_with_the_right_password(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.user("gone@example.org", "Gone Person").await;
    let id = users::by_email(&app.state.db, "gone@example.org").await.unwrap().unwrap().id;
    let r = admin.post(app.at(&format!("/admin/people/{id}/active"))).form(&[("value", "false")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let attempt = |password: &'static str| {
        let c = app.client();
        let url = app.at("/sign-in");
        async move {
            let form = [("email", "gone@example.org"), ("password", password), ("remember", "1")];
            let r = c.post(url).form(&form).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
            body(r).await
        }
    };
    let wrong = attempt("not the password").await;
    assert!(wrong.contains("do not match") && !wrong.contains("deactivated"), "{wrong}");
    assert!(wrong.contains(r#"name="remember" value="1" checked"#), "the box stays ticked: {wrong}");
    let right = attempt(support::PASSWORD).await;
    assert!(right.contains("This account has been deactivated"), "{right}");
}

async fn sign_in_rejects_a_wrong_password_and_rate_limits_per_account(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let c = app.client();
    for _ in 0..5 {
        let r = c
            .post(app.at("/sign-in"))
            .form(&[("email", "admin@example.org"), ("password", "wrong password!")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body(r).await.contains("do not match"));
    }
    // Now even the right password waits, with a message saying how long.
    let r = c
        .post(app.at("/sign-in"))
        .form(&[("email", "admin@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = body(r).await;
    assert!(html.contains("Too many failed sign-in attempts") && html.contains("minute"), "{html}");
    // Per address: guessing across many accounts from one address is stopped too — for accounts
    // that have not signed in from it before (see sign_in_limits.rs for those that have).
    roundtable_app::admin::console::create_user(&app.state.db, "other@example.org", "Other Person", PASSWORD, false)
        .await
        .unwrap();
    for i in 0..15 {
        c.post(app.at("/sign-in"))
            .form(&[("email", &format!("nobody{i}@example.org")[..]), ("password", "guess guess guess")])
            .send()
            .await
            .unwrap();
    }
    let r = c
        .post(app.at("/sign-in"))
        .form(&[("email", "other@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "20 failures from this address lock it for every account");
}

async fn sign_in_rotates_the_session_and_sign_out_ends_it(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let c = app.client();
    let r = c
        .post(app.at("/sign-in"))
        .form(&[("email", "admin@example.org"), ("password", PASSWORD), ("remember", "1")])
        .send()
        .await
        .unwrap();
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Max-Age"), "{cookie}");
    let first = cookie.split(';').next().unwrap().to_owned();
    let r = c
        .post(app.at("/sign-in"))
        .form(&[("email", "admin@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let second = r.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    assert_ne!(first, second, "a new session id at every sign-in");
    assert!(
        !r.headers().get("set-cookie").unwrap().to_str().unwrap().contains("Max-Age"),
        "without remember me the cookie ends with the browser"
    );
    assert_eq!(c.get(app.at("/account")).send().await.unwrap().status(), StatusCode::OK);
    // Sign out everywhere else ends the first session.
    let other = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(other.get(app.at("/account")).header("cookie", &first).send().await.unwrap().status(), StatusCode::OK);
    c.post(app.at("/account/sessions/sign-out-others")).send().await.unwrap();
    assert_eq!(
        other.get(app.at("/account")).header("cookie", &first).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    c.post(app.at("/sign-out")).send().await.unwrap();
    let r = c.get(app.at("/account")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers().get("location").unwrap(), "/sign-in?next=%2Faccount", "back to the page after signing in");
    let form = body(c.get(app.at("/sign-in?next=%2Faccount")).send().await.unwrap()).await;
    assert!(form.contains("name=\"next\" value=\"/account\""), "{form}");
    let r = c
        .post(app.at("/sign-in"))
        .form(&[("email", "admin@example.org"), ("password", PASSWORD), ("next", "/account")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/account");
    let r = c
        .post(app.at("/sign-in"))
        .form(&[("email", "admin@example.org"), ("password", PASSWORD), ("next", "//evil.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/", "never redirect off-site");
    // Browsers drop tabs inside URLs, so "/\t/evil" would become "//evil".
    let r = c
        .post(app.at("/sign-in"))
        .form(&[("email", "admin@example.org"), ("password", PASSWORD), ("next", "/\t/evil.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/", "control characters are refused too");
}

/// Signs `email` in with a browser's User-Agent; the client keeps its cookie.
async fn sign_in_as_device(app: &TestApp, email: &str, user_agent: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
        .build()
        .unwrap();
    let r = c.post(app.at("/sign-in")).form(&[("email", email), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    c
}

/// The sign-out forms' actions on the account page, in its order.
fn device_sign_outs(page: &str) -> Vec<String> {
    page.split("action=\"/account/sessions/")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(key, _)| format!("/account/sessions/{key}")))
        .filter(|action| action.ends_with("/sign-out"))
        .collect()
}

async fn devices_are_named_and_each_can_be_signed_out_alone(d: Dialect) {
    const WINDOWS_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let laptop = sign_in_as_device(&app, "admin@example.org", WINDOWS_CHROME).await;
    let phone = sign_in_as_device(&app, "admin@example.org", IPHONE).await;
    let script = sign_in_as_device(&app, "admin@example.org", "report-script/1.2").await;
    let someone = app.user("someone@example.org", "Someone Else").await;

    let page = body(laptop.get(app.at("/account")).send().await.unwrap()).await;
    assert!(page.contains("Chrome on Windows 10 <span class=\"badge\">this device</span>"), "{page}");
    assert!(page.contains("Safari on iPhone"), "named as people know it: {page}");
    assert!(page.contains("report-script/1.2"), "what is not a browser is shown as sent: {page}");
    assert!(!page.contains("Mozilla/5.0"), "no raw user-agent strings: {page}");
    // The other devices each have a form; this one signs out with the ordinary button.
    let forms = device_sign_outs(&page);
    let setup_session = 1;
    assert_eq!(forms.len(), 2 + setup_session, "one per other device: {forms:?}");

    // The phone's form, found by the device named on its row.
    let row = page.split("<tr>").find(|r| r.contains("Safari on iPhone")).unwrap();
    let phone_form = device_sign_outs(row).pop().unwrap();
    // Someone else cannot end it, nor can a made-up key; both are "not found" and change nothing.
    assert_eq!(someone.post(app.at(&phone_form)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let r = laptop.post(app.at("/account/sessions/0000/sign-out")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(phone.get(app.at("/account")).send().await.unwrap().status(), StatusCode::OK);

    let r = laptop.post(app.at(&phone_form)).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/account?notice=signed-out-device");
    let r = phone.get(app.at("/account")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the phone is signed out");
    assert!(r.headers().get("location").unwrap().to_str().unwrap().starts_with("/sign-in"));
    for (c, what) in [(&laptop, "this device"), (&script, "another device")] {
        assert_eq!(c.get(app.at("/account")).send().await.unwrap().status(), StatusCode::OK, "{what} stays signed in");
    }
    let page = body(laptop.get(app.at("/account?notice=signed-out-device")).send().await.unwrap()).await;
    assert!(page.contains("That device is signed out") && !page.contains("Safari on iPhone"), "{page}");
    // The script's own session cannot be ended from its own key: that is what "Sign out" is for.
    let page = body(script.get(app.at("/account")).send().await.unwrap()).await;
    let own_row = page.split("<tr>").find(|r| r.contains("this device")).unwrap();
    assert!(device_sign_outs(own_row).is_empty() && own_row.contains("action=\"/sign-out\""), "{own_row}");
}

async fn the_navigation_marks_where_you_are(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let page = body(admin.get(app.at("/admin/audit")).send().await.unwrap()).await;
    assert!(
        page.contains("<a href=\"/admin\" aria-current=\"true\">Admin</a>"),
        "the section in the main menu: {page}"
    );
    assert!(
        page.contains("<a href=\"/admin/audit\" aria-current=\"page\">Audit log</a>"),
        "the page in the admin menu: {page}"
    );
    assert_eq!(page.matches("aria-current").count(), 2, "nothing else is marked: {page}");
    let page = body(admin.get(app.at("/account")).send().await.unwrap()).await;
    assert!(page.contains("href=\"/account\" aria-current=\"page\">My account"), "{page}");
    assert!(page.contains("<a href=\"/\">Home</a>"), "home is not a prefix of everything: {page}");
    // An error page, drawn again for the signed-in person, marks the section asked for too.
    let r = admin.get(app.at("/n/nowhere")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let page = body(r).await;
    assert!(page.contains("<a href=\"/networks\" aria-current=\"true\">Networks</a>"), "{page}");
    assert!(page.contains("<a href=\"/\">Home</a>"), "{page}");
}

async fn joining_by_request_needs_an_organiser_and_is_audited(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "by_request").await;
    let bo = app.user("bo@example.org", "Bo Member").await;
    let r = bo.post(app.at("/n/eas/join")).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/eas?notice=requested");
    // Withdrawing the request (the "leave" route) says so; asking again is possible.
    let r = bo.post(app.at("/n/eas/leave")).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/?notice=request-withdrawn&network=eas");
    let bo_id = users::by_email(&app.state.db, "bo@example.org").await.unwrap().unwrap().id;
    let r = admin.post(app.at(&format!("/n/eas/requests/{bo_id}/approve"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "an organiser acting on the withdrawn request is told");
    assert!(body(r).await.contains("Bo Member is not asking to join"));
    let r = bo.post(app.at("/n/eas/join")).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/eas?notice=requested");
    // Not yet a member: the member list is closed to Bo.
    assert_eq!(bo.get(app.at("/n/eas/members")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let page = body(admin.get(app.at("/n/eas/members")).send().await.unwrap()).await;
    assert!(page.contains("Requests to join") && page.contains("Bo Member"), "{page}");
    // Inviting him is not the way: he asked already, and his request stays to approve.
    let r = admin.post(app.at("/n/eas/invite")).form(&[("email", "bo@example.org"), ("role", "member")]).send().await;
    let r = r.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(body(r).await.contains("Bo Member has asked to join already: approve their request"));
    assert_eq!(app.standing("eas", bo_id).await.map(|s| s.1), Some(roundtable_domain::MembershipStatus::Requested));
    // Bo cannot approve himself.
    assert_eq!(
        bo.post(app.at(&format!("/n/eas/requests/{bo_id}/approve"))).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let r = admin.post(app.at(&format!("/n/eas/requests/{bo_id}/approve"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(bo.get(app.at("/n/eas/members")).send().await.unwrap().status(), StatusCode::OK);
    // A second organiser deciding the same request (a stale page) is told what happened, on a
    // page that keeps their own navigation.
    for decision in ["approve", "decline"] {
        let r = admin.post(app.at(&format!("/n/eas/requests/{bo_id}/{decision}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let page = body(r).await;
        assert!(page.contains("Bo Member is already a member"), "{page}");
        assert!(page.contains("My account") && !page.contains("Create an account"), "signed-in navigation: {page}");
    }
    let mails = app.emails_to("bo@example.org").await;
    assert!(mails.iter().any(|m| m.contains("was approved")), "{mails:?}");
    assert_eq!(mails.iter().filter(|m| m.contains("Your request to join")).count(), 1, "no second mail: {mails:?}");
    assert!(mails.iter().any(|m| m.contains("Subject: Approved: your request to join")), "the outcome in the subject");
    let (log, _) = audit::page(&app.state.db, 50, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "membership.approved"
        && e.subject == "bo@example.org"
        && e.network_name.as_deref() == Some("Network eas")));
    // Leaving works and is reflected in the count.
    bo.post(app.at("/n/eas/leave")).send().await.unwrap();
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    assert_eq!(n.member_count, 0);
}

/// Someone asking to join may say why; the organisers read it beside the request and in their
/// email, no one else does, and it is held only while the request waits.
async fn a_request_to_join_carries_a_note_for_the_organisers(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "by_request").await;
    app.network(&admin, "open", "open").await;
    let (cho, _) = app.member_with_role("eas", "cho@example.org", "Cho Chair", Role::Chair).await;
    let (other_chair, _) = app.member_with_role("open", "oz@example.org", "Oz Chair", Role::Chair).await;
    let bo = app.user("bo@example.org", "Bo Asker").await;
    let bo_id = app.user_id("bo@example.org").await;
    let net = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();

    // The network page asks for the note where it takes the request; an open one needs none.
    let page = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(page.contains("<label for=\"f-note\">A note for the organisers (optional)</label>"), "{page}");
    assert!(page.contains("maxlength=\"500\""), "{page}");
    assert!(!body(bo.get(app.at("/n/open")).send().await.unwrap()).await.contains("f-note"));

    // Too long: refused, saying the limit and the length, and nothing is asked.
    let long = "x".repeat(501);
    let r = bo.post(app.at("/n/eas/join")).form(&[("note", long.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("up to 500 characters; this one has 501"));
    assert_eq!(app.standing("eas", bo_id).await, None);
    assert!(app.emails_to("cho@example.org").await.is_empty());

    // Asked with a note: the organisers see it, escaped and with its lines, and their email has it.
    let note = "I support the new CFO <b>from March</b>\nand ran the Leeds circle.";
    let r = bo.post(app.at("/n/eas/join")).form(&[("note", format!("  {note}\n").as_str())]).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas?notice=requested");
    roundtable_app::networks::send_request_notices(&app.state, chrono::Utc::now()).await.unwrap();
    let page = body(admin.get(app.at("/n/eas/members")).send().await.unwrap()).await;
    assert!(page.contains("<th scope=\"col\">Their note</th>"), "{page}");
    assert!(
        page.contains("I support the new CFO &#60;b&#62;from March&#60;/b&#62;\nand ran the Leeds circle."),
        "{page}"
    );
    let mails = app.emails_to("cho@example.org").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = unqp(&mails[0]);
    assert!(mail.contains("Their note for the organisers:") && mail.contains("and ran the Leeds circle."), "{mail}");
    assert!(mail.contains("&lt;b&gt;from March&lt;/b&gt;"), "escaped in the HTML part: {mail}");
    // Bo's page of the network shows the request waiting, with the note he left.
    let page = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(page.contains("<h2 id=\"asked-h\">Your request to join</h2>"), "{page}");
    assert!(page.contains("<blockquote class=\"note\">I support the new CFO &#60;b&#62;from March"), "{page}");
    assert!(!page.contains("id=\"f-note\""), "no form to ask again: {page}");
    // Bo's own data holds it while it waits.
    let mine: serde_json::Value = bo.get(app.at("/account/export.json")).send().await.unwrap().json().await.unwrap();
    let row = mine["memberships"].as_array().unwrap().iter().find(|m| m["network"] == "Network eas").unwrap();
    assert_eq!(row["request_note"], note, "{row}");
    // No one else reads it: not the organiser of another network.
    assert_eq!(other_chair.get(app.at("/n/eas/members")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    // The Chair's home page says a request waits; no one else's does.
    let waits = r#"<a href="/n/eas/members#requests">1 request to join Network eas waits for a decision</a>"#;
    assert!(body(cho.get(app.at("/")).send().await.unwrap()).await.contains(waits));
    for c in [&bo, &other_chair] {
        assert!(!body(c.get(app.at("/")).send().await.unwrap()).await.contains("waits for a decision"));
    }

    // Withdrawn, then asked again without a note: the old one is gone, not shown again.
    bo.post(app.at("/n/eas/leave")).send().await.unwrap();
    bo.post(app.at("/n/eas/join")).send().await.unwrap();
    let page = body(admin.get(app.at("/n/eas/members")).send().await.unwrap()).await;
    assert!(!page.contains("Leeds circle") && page.contains("<span class=\"muted\">None</span>"), "{page}");
    assert!(networks::request_notes(&app.state.db, net.id).await.unwrap().is_empty());
    // Asking again while waiting, with a note, gives the organisers the newer one; approval clears it.
    bo.post(app.at("/n/eas/join")).form(&[("note", "Still keen!")]).send().await.unwrap();
    assert_eq!(networks::request_notes(&app.state.db, net.id).await.unwrap(), vec![(bo_id, "Still keen!".to_owned())]);
    // A charter published while Bo waited: his welcome email says it waits for him.
    let r = admin.post(app.at("/n/eas/charter")).form(&[("body", "# Be kind")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = admin.post(app.at(&format!("/n/eas/requests/{bo_id}/approve"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mails = app.emails_to("bo@example.org").await;
    let welcome = mails.iter().find(|m| m.contains("Subject: Approved: your request to join")).expect("welcome");
    assert!(unqp(welcome).contains("It has a charter since you asked"), "{welcome}");
    assert!(networks::request_notes_of(&app.state.db, bo_id).await.unwrap().is_empty());
    assert!(!body(cho.get(app.at("/")).send().await.unwrap()).await.contains("waits for a decision"));

    // A network with a charter takes the request on the charter's page: a refusal (the box not
    // ticked) gives the note back in its field.
    app.network(&admin, "chartered", "by_request").await;
    let r = admin.post(app.at("/n/chartered/charter")).form(&[("body", "# Be kind")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cy = app.user("cy@example.org", "Cy Asker").await;
    let page = body(cy.get(app.at("/n/chartered/charter")).send().await.unwrap()).await;
    assert!(page.contains("Accept the charter and ask to join") && page.contains("id=\"f-note\""), "{page}");
    let r = cy.post(app.at("/n/chartered/join")).form(&[("accept_charter", "1"), ("note", "Met Cho at the summit")]);
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains(">Met Cho at the summit</textarea>"));
    let r = cy.post(app.at("/n/chartered/join")).form(&[
        ("accept_charter", "1"),
        ("agree", "yes"),
        ("note", "Met Cho at the summit"),
    ]);
    assert_eq!(r.send().await.unwrap().headers()["location"], "/n/chartered?notice=requested");
    let cy_id = app.user_id("cy@example.org").await;
    let chartered = networks::by_slug(&app.state.db, "chartered").await.unwrap().unwrap();
    assert_eq!(
        networks::request_notes(&app.state.db, chartered.id).await.unwrap(),
        vec![(cy_id, "Met Cho at the summit".to_owned())]
    );
    // Erasure empties it: the words could say who asked.
    let r = admin.post(app.at(&format!("/admin/people/{cy_id}/erase"))).form(&[("confirm", "ERASE")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    assert!(networks::request_notes(&app.state.db, chartered.id).await.unwrap().is_empty());

    // Approved after a new version of the charter came out: the welcome email says it waits.
    let di = app.user("di@example.org", "Di Asker").await;
    let r = di.post(app.at("/n/chartered/join")).form(&[("accept_charter", "1"), ("agree", "yes")]);
    assert_eq!(r.send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let r = admin.post(app.at("/n/chartered/charter")).form(&[("body", "# Be kinder")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let di_id = app.user_id("di@example.org").await;
    let r = admin.post(app.at(&format!("/n/chartered/requests/{di_id}/approve"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mails = app.emails_to("di@example.org").await;
    let welcome = mails.iter().find(|m| m.contains("Subject: Approved: your request to join")).expect("welcome");
    assert!(unqp(welcome).contains("Its charter has a new version since you asked"), "{welcome}");
}

/// A request waiting when the network is opened does not keep its asker waiting; someone
/// deactivated is neither approved (they asked before) nor invited (they could not sign in to
/// accept, and no list would show the invitation).
async fn opening_a_network_lets_those_who_asked_join_and_deactivated_people_cannot_be_let_in(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "by_request").await;
    let bo = app.user("bo@example.org", "Bo Asker").await;
    let cy = app.user("cy@example.org", "Cy Asker").await;
    for c in [&bo, &cy] {
        let r = c.post(app.at("/n/eas/join")).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/n/eas?notice=requested");
    }
    let cy_id = app.user_id("cy@example.org").await;
    let r = admin.post(app.at(&format!("/admin/people/{cy_id}/active"))).form(&[("value", "false")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let r = admin.post(app.at(&format!("/n/eas/requests/{cy_id}/approve"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(body(r).await.contains("Cy Asker&#39;s account has been deactivated"));
    let r = admin.post(app.at("/n/eas/invite")).form(&[("email", "cy@example.org"), ("role", "member")]).send();
    let r = r.await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(body(r).await.contains("account is deactivated"));
    assert!(app.emails_to("cy@example.org").await.iter().all(|m| !m.contains("invites you")), "no invitation mailed");

    // Opened to everyone, the network lets in those who asked (each told); a deactivated
    // account's request just goes, with no mail.
    let form = [("name", "Network eas"), ("description", "About us"), ("visibility", "open")];
    let r = admin.post(app.at("/n/eas/settings")).form(&form).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas?notice=saved-requests-approved");
    assert_eq!(bo.get(app.at("/n/eas/members")).send().await.unwrap().status(), StatusCode::OK);
    let told = app.emails_to("bo@example.org").await;
    assert!(
        told.iter().any(|m| m.contains("is now open to everyone, so your request to join was approved")),
        "{told:?}"
    );
    assert!(app.emails_to("cy@example.org").await.iter().all(|m| !m.contains("request to join")));
    let snapshot = app.state.snapshot().await.unwrap();
    let net = snapshot.network_by_slug("eas").unwrap().id;
    assert!(snapshot.pending(net, roundtable_domain::MembershipStatus::Requested).is_empty(), "no request hangs on");
    let home = body(admin.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(!home.contains("waiting for a decision"), "{home}");

    // Made invitation-only, it closes the requests waiting, and says so to each person.
    let eve = app.user("eve@example.org", "Eve Asker").await;
    let by_request = [("name", "Network eas"), ("description", "About us"), ("visibility", "by_request")];
    assert_eq!(
        admin.post(app.at("/n/eas/settings")).form(&by_request).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(eve.post(app.at("/n/eas/join")).send().await.unwrap().headers()["location"], "/n/eas?notice=requested");
    let settings = body(admin.get(app.at("/n/eas/settings")).send().await.unwrap()).await;
    assert!(settings.contains("1 request to join is waiting: opening the network"), "said before saving: {settings}");
    let hidden = [("name", "Network eas"), ("description", "About us"), ("visibility", "invitation_only")];
    let r = admin.post(app.at("/n/eas/settings")).form(&hidden).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas?notice=saved-requests-closed");
    let told = app.emails_to("eve@example.org").await;
    assert!(
        told.iter().any(|m| unqp(m).contains("by invitation only, so your request to join was closed")),
        "{told:?}"
    );
    assert_eq!(eve.get(app.at("/n/eas")).send().await.unwrap().status(), StatusCode::NOT_FOUND, "hidden from her now");
    let (log, _) = audit::page(&app.state.db, 50, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "membership.declined" && e.subject == "eve@example.org"));
    assert_eq!(admin.post(app.at("/n/eas/settings")).form(&form).send().await.unwrap().status(), StatusCode::SEE_OTHER);

    // An invitation accepted on the network's page uses up the emailed link too, and the log
    // names the address, as an acceptance by the link does.
    let dee = app.user("dee@example.org", "Dee Invitee").await;
    let r = admin.post(app.at("/n/eas/invite")).form(&[("email", "dee@example.org"), ("role", "member")]).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::SEE_OTHER);
    let mails = app.emails_to("dee@example.org").await;
    let link = app.link_in(mails.iter().find(|m| m.contains("invites you")).unwrap(), "/invitations/");
    let r = dee.post(app.at("/n/eas/join")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas?notice=joined");
    let page = body(dee.get(&link).send().await.unwrap()).await;
    assert!(!page.contains("Accept and join"), "{page}");
    let (log, _) = audit::page(&app.state.db, 50, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "membership.invitation_accepted" && e.subject == "dee@example.org"));
}

/// A deactivated Chair is no Chair the network can count on: taking the role from them leaves
/// as many Chairs as before, so the one remaining may do it — and still may not leave.
async fn a_chair_can_demote_and_remove_a_deactivated_co_chair_but_not_leave_alone(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let ann = app.user("ann@example.org", "Ann Chair").await;
    app.user("bo@example.org", "Bo Chair").await;
    let eas = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    let (ann_id, bo_id) = (app.user_id("ann@example.org").await, app.user_id("bo@example.org").await);
    let mut tx = app.state.db.begin().await.unwrap();
    for id in [ann_id, bo_id] {
        networks::upsert_membership(&mut tx, eas.id, id, Role::Chair, MembershipStatus::Active, chrono::Utc::now())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let r = admin.post(app.at(&format!("/admin/people/{bo_id}/active"))).form(&[("value", "false")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let r = ann.post(app.at(&format!("/n/eas/members/{bo_id}/role"))).form(&[("role", "member")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
    let page = body(ann.get(app.at(&format!("/n/eas/members/{bo_id}/remove"))).send().await.unwrap()).await;
    assert!(!page.contains("needs at least one Chair"), "{page}");
    let r = ann.post(app.at(&format!("/n/eas/members/{bo_id}/remove"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
    assert!(networks::membership(&app.state.db, eas.id, bo_id).await.unwrap().is_none());
    // Ann is the network's only Chair now.
    let r = ann.post(app.at("/n/eas/leave")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(body(r).await.contains("needs at least one Chair"));
    // An Administrator removing themself from the member list lands where they still may go.
    let cy = app.user("cy@example.org", "Cy Admin").await;
    let cy_id = app.user_id("cy@example.org").await;
    let mut tx = app.state.db.begin().await.unwrap();
    let (role, active) = (Role::Administrator, MembershipStatus::Active);
    networks::upsert_membership(&mut tx, eas.id, cy_id, role, active, chrono::Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    let r = cy.post(app.at(&format!("/n/eas/members/{cy_id}/remove"))).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/?notice=left&network=eas");
}

/// Two networks invite an address with no account; it gets one by accepting the first. The
/// second invitation is now that account's: its organisers see the name, and the person finds it
/// on their home page and accepts it there. An HR import creating the account does the same.
async fn invitations_sent_before_an_account_existed_become_its_own(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    for slug in ["eas", "pas", "hr"] {
        app.network(&admin, slug, "invitation_only").await;
    }
    for (slug, email) in [("eas", "new@example.org"), ("pas", "new@example.org"), ("hr", "imported@example.org")] {
        let r = admin.post(app.at(&format!("/n/{slug}/invite"))).form(&[("email", email), ("role", "member")]);
        assert_eq!(r.send().await.unwrap().status(), StatusCode::SEE_OTHER);
    }
    let mails = app.emails_to("new@example.org").await;
    let to_eas = mails.iter().find(|m| m.contains("Network eas")).unwrap();
    let link = app.link_in(to_eas, "/invitations/");
    let form = [("name", "Nia New"), ("password", PASSWORD)];
    // Opened while signed in as someone else: no second account made, no switch to it.
    let page = body(admin.get(&link).send().await.unwrap()).await;
    assert!(page.contains("You are signed in as admin@example.org") && !page.contains("Create my account"), "{page}");
    assert_eq!(admin.post(&link).form(&form).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert!(users::by_email(&app.state.db, "new@example.org").await.unwrap().is_none());
    let new = app.client();
    let r = new.post(&link).form(&form).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas?notice=accepted");

    let page = body(admin.get(app.at("/n/pas/members")).send().await.unwrap()).await;
    assert!(page.contains("Nia New") && !page.contains("no account yet"), "{page}");
    let home = body(new.get(app.at("/")).send().await.unwrap()).await;
    assert!(home.contains("Invitations waiting for you") && home.contains("Network pas"), "{home}");
    let r = new.post(app.at("/n/pas/join")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/pas?notice=joined");

    let (_, _, report) = roundtable_app::import::console::import(
        &app.state.db,
        b"email,name\r\nimported@example.org,Ida Imported\r\n",
        "hr.csv",
        None,
        &roundtable_app::import::Options::default(),
        &|_, _, _| {},
    )
    .await
    .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let page = body(admin.get(app.at("/n/hr/members")).send().await.unwrap()).await;
    assert!(page.contains("Ida Imported") && !page.contains("no account yet"), "{page}");
}

/// A list pasted from Outlook invites everyone on it who can be invited and says who was not
/// and why; a list with something that is not an address sends nothing.
async fn an_organiser_invites_a_pasted_list_at_once(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "invitation_only").await;
    let (_, mo) = app.member_with_role("eas", "mo@example.org", "Mo Member", Role::Member).await;
    app.user("dee@example.org", "Dee Parted").await;
    let dee = app.user_id("dee@example.org").await;
    let r = admin.post(app.at(&format!("/admin/people/{dee}/active"))).form(&[("value", "false")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let invite = |list: &str| admin.post(app.at("/n/eas/invite")).form(&[("email", list), ("role", "member")]).send();

    let r = invite("ann@example.org, not-an-address").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains("Not an email address: not-an-address") && page.contains("no invitation was sent"), "{page}");
    assert!(app.emails_to("ann@example.org").await.is_empty());

    let outlook = "Lee, Ann <ann@example.org>; Bo Brown <BO@example.org>; Mo Member <mo@example.org>; \
                   Dee Parted <dee@example.org>; Ann again <ann@example.org>";
    let r = invite(outlook).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = body(r).await;
    assert!(page.contains("Invitations sent to 2 people") && page.contains("Not sent to 2"), "{page}");
    assert!(page.contains("mo@example.org — This person is already a member."), "{page}");
    assert!(page.contains("dee@example.org — This person&#39;s account is deactivated"), "{page}");
    for to in ["ann@example.org", "bo@example.org"] {
        let mails = app.emails_to(to).await;
        assert_eq!(mails.iter().filter(|m| m.contains("invites you")).count(), 1, "{to}: {mails:?}");
    }
    assert_eq!(app.standing("eas", mo).await, Some((Role::Member, MembershipStatus::Active)));

    let r = invite("cy@example.org\r\ndi@example.org\r\n").await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas/members?notice=invitations-sent");
    let page = body(admin.get(app.at("/n/eas/members")).send().await.unwrap()).await;
    assert!(page.contains("cy@example.org") && page.contains("di@example.org"), "{page}");
}

async fn organisers_decide_many_requests_at_once(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "by_request").await;
    let (mut ids, mut clients) = (Vec::new(), Vec::new());
    for (email, name) in [
        ("ann@example.org", "Ann Asker"),
        ("bo@example.org", "Bo Asker"),
        ("cy@example.org", "Cy Asker"),
        ("dee@example.org", "Dee Asker"),
    ] {
        let c = app.user(email, name).await;
        c.post(app.at("/n/eas/join")).send().await.unwrap();
        ids.push(app.user_id(email).await.to_string());
        clients.push(c);
    }
    let page = body(admin.get(app.at("/n/eas/members")).send().await.unwrap()).await;
    assert!(page.contains("Approve all 4 requests"), "{page}");
    assert!(page.contains(&format!("form=\"decide-many\" name=\"person\" value=\"{}\"", ids[0])), "{page}");
    let all: Vec<(&str, &str)> = ids.iter().map(|id| ("all", id.as_str())).collect();

    // Someone who does not manage members cannot, even with every id.
    let (member, _) = app.member_with_role("eas", "member@example.org", "Meg Member", Role::Member).await;
    let mut form = all.clone();
    form.push(("decision", "approve-all"));
    let r = member.post(app.at("/n/eas/requests")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Nothing ticked: said, and nothing changes.
    let r = admin.post(app.at("/n/eas/requests")).form(&[("decision", "approve")]).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas/members?notice=nothing-ticked#requests", "the list again");
    let page = body(admin.get(app.at("/n/eas/members?notice=nothing-ticked")).send().await.unwrap()).await;
    assert!(page.contains("Nothing was decided: tick the requests first"), "{page}");

    // Cy is declined on his own; Dee withdraws meanwhile.
    let r = admin
        .post(app.at("/n/eas/requests"))
        .form(&[("person", ids[2].as_str()), ("decision", "decline")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/eas/members?notice=declined-many");
    clients[3].post(app.at("/n/eas/leave")).send().await.unwrap();
    // "Approve all" from the page seen before: Ann and Bo join, Cy and Dee are skipped and said.
    let r = admin.post(app.at("/n/eas/requests")).form(&form).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/eas/members?notice=decided-some");
    let page = body(admin.get(app.at("/n/eas/members?notice=decided-some")).send().await.unwrap()).await;
    assert!(page.contains("the others had been decided already or withdrawn"), "{page}");
    assert!(!page.contains("Requests to join"), "no request left: {page}");
    for (email, member) in [("ann", true), ("bo", true), ("cy", false), ("dee", false)] {
        let standing = app.standing("eas", app.user_id(&format!("{email}@example.org")).await).await;
        assert_eq!(standing.is_some_and(|(_, s)| s == MembershipStatus::Active), member, "{email}: {standing:?}");
        assert!(member || standing.is_none(), "{email}: no request left: {standing:?}");
    }
    for (email, told) in [
        ("ann@example.org", "was approved"),
        ("bo@example.org", "was approved"),
        ("cy@example.org", "was not approved"),
    ] {
        let mails = app.emails_to(email).await;
        assert_eq!(mails.iter().filter(|m| m.contains(told)).count(), 1, "{email}: {mails:?}");
    }
    assert!(app.emails_to("dee@example.org").await.iter().all(|m| !m.contains("Your request to join")));
    let (log, _) = audit::page(&app.state.db, 50, 0).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "membership.approved").count(), 2);
    assert_eq!(log.iter().filter(|e| e.action == "membership.declined").count(), 1);
    // The same again: nothing was still waiting.
    let r = admin.post(app.at("/n/eas/requests")).form(&form).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/eas/members?notice=decided-none");
}

/// Past 200 requests the page says how many wait and lists those who have waited longest;
/// deciding them brings the rest up.
async fn a_long_queue_of_requests_is_listed_a_page_at_a_time(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "by_request").await;
    let net = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    // 205 requests, a minute apart: asker 0 asked first.
    let start = chrono::Utc::now() - chrono::Duration::days(1);
    let mut tx = app.state.db.begin().await.unwrap();
    for i in 0..205 {
        let email = roundtable_domain::Email::parse(&format!("asker{i}@example.org")).unwrap();
        let name = roundtable_domain::PersonName::parse(&format!("Asker Number{i}")).unwrap();
        let new =
            users::NewUser { email: &email, name: &name, password_hash: None, is_org_admin: false, verified: true };
        let asked = start + chrono::Duration::minutes(i);
        let id = users::insert(&mut tx, &new, asked).await.unwrap();
        networks::upsert_membership(&mut tx, net.id, id, Role::Member, MembershipStatus::Requested, asked)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let page = body(admin.get(app.at("/n/eas/members")).send().await.unwrap()).await;
    assert!(page.contains("205 people are asking to join. The 200 who have waited longest are listed"), "{page}");
    assert!(page.contains("Approve the 200 listed requests"), "{page}");
    assert!(page.contains("Asker Number0<") && !page.contains("Asker Number204<"), "the first to ask are listed");
    // The API lists the same ones.
    let token = app.api_token(&admin).await;
    let list = support::api_get(app.at("/api/v1/networks/eas/requests"), &token).await;
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(
        (names.len(), names.first().copied(), names.last().copied()),
        (200, Some("Asker Number199"), Some("Asker Number0"))
    );

    // Approving the listed ones: the last five to ask come up, with no note any more.
    let all: Vec<(&str, String)> =
        list.as_array().unwrap().iter().map(|r| ("all", r["id"].as_str().unwrap().to_owned())).collect();
    let mut form = all;
    form.push(("decision", "approve-all".to_owned()));
    let r = admin.post(app.at("/n/eas/requests")).form(&form).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/eas/members?notice=approved-many");
    let page = body(admin.get(app.at("/n/eas/members")).send().await.unwrap()).await;
    assert!(page.contains("Approve all 5 requests") && !page.contains("people are asking to join"), "{page}");
    assert!(page.contains("Asker Number204<"), "{page}");
}

async fn an_invitation_email_creates_an_account_and_membership(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "circle", "invitation_only").await;
    let r = admin
        .post(app.at("/n/circle/invite"))
        .form(&[("email", "new@example.org"), ("role", "chair")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let members = body(admin.get(app.at("/n/circle/members")).send().await.unwrap()).await;
    assert!(
        members.contains("new@example.org — invited as Chair (no account yet; the link works until "),
        "organisers see open invitations and until when: {members}"
    );
    let mails = app.emails_to("new@example.org").await;
    assert_eq!(mails.len(), 1, "exactly one invitation email");
    assert!(mails[0].contains("multipart/alternative") && mails[0].contains("text/html"), "plain and HTML parts");
    assert!(mails[0].contains("Reply-To: admin@example.org"), "a question reaches who invited: {}", mails[0]);
    let link = app.link_in(&mails[0], "/invitations/");
    let c = app.client();
    let page = body(c.get(&link).send().await.unwrap()).await;
    assert!(page.contains("You are invited to Network circle"), "{page}");
    // The role offered is said before it is accepted, in the mail and on the page.
    assert!(
        unqp(&mails[0])
            .contains("invites you to join Network circle as its Chair. It is a network of Example Org on Roundtable."),
        "{}",
        mails[0]
    );
    assert!(page.contains(", to join as its <strong>Chair</strong>."), "{page}");
    let r = c.post(&link).form(&[("name", "Nia New"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/circle?notice=accepted");
    let home = body(c.get(app.at("/n/circle?notice=accepted")).send().await.unwrap()).await;
    assert!(home.contains("Welcome! You have joined Network circle as its Chair."), "{home}");
    let circle = networks::by_slug(&app.state.db, "circle").await.unwrap().unwrap();
    let nia = users::by_email(&app.state.db, "new@example.org").await.unwrap().unwrap();
    let m = networks::membership(&app.state.db, circle.id, nia.id).await.unwrap().unwrap();
    assert_eq!(m.role, roundtable_domain::Role::Chair, "the newcomer joins in the role the invitation named");
    // Single use.
    assert_eq!(app.client().get(&link).send().await.unwrap().status(), StatusCode::NOT_FOUND);
}

async fn members_are_paginated_and_searchable_accent_insensitively(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "big", "open").await;
    for i in 0..55 {
        let name = if i == 7 { "Zoë Lindqvist".to_owned() } else { format!("Member {i:02}") };
        roundtable_app::admin::console::create_user(
            &app.state.db,
            &format!("m{i}@example.org"),
            &name,
            PASSWORD,
            false,
        )
        .await
        .unwrap();
        let u = users::by_email(&app.state.db, &format!("m{i}@example.org")).await.unwrap().unwrap();
        let mut tx = app.state.db.begin().await.unwrap();
        networks::upsert_membership(
            &mut tx,
            networks::by_slug(&app.state.db, "big").await.unwrap().unwrap().id,
            u.id,
            roundtable_domain::Role::Member,
            roundtable_domain::MembershipStatus::Active,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let p1 = body(admin.get(app.at("/n/big/members")).send().await.unwrap()).await;
    assert!(p1.contains("55 members") && p1.contains("Page 1 of 2") && p1.contains("rel=\"next\""), "{p1}");
    let p2 = body(admin.get(app.at("/n/big/members?page=2")).send().await.unwrap()).await;
    assert_eq!(p2.matches("<tr><td><a href=\"/people/").count(), 5);
    // An old link past the end offers the last page, not the one before the one asked for.
    let past = body(admin.get(app.at("/n/big/members?page=99")).send().await.unwrap()).await;
    assert!(past.contains("href=\"/n/big/members?page=2\" rel=\"prev\""), "{past}");
    // So does a number too long to read (not page 1, as if the number had not been given).
    let past = body(admin.get(app.at("/n/big/members?page=99999999999")).send().await.unwrap()).await;
    assert!(past.contains("href=\"/n/big/members?page=2\" rel=\"prev\"") && !past.contains("Page 1 of"), "{past}");
    // The directory's pages land on its results, past the filters (a screen away on a phone).
    let people = body(admin.get(app.at("/people?sort=location")).send().await.unwrap()).await;
    assert!(people.contains("href=\"/people?sort=location&#38;page=2#results-h\" rel=\"next\""), "{people}");
    let found = body(admin.get(app.at("/n/big/members?q=zoe")).send().await.unwrap()).await;
    assert!(found.contains("1 member matching"), "{found}");
    // Past the end of a search that fits one page: a way back all the same.
    let past = body(admin.get(app.at("/n/big/members?q=zoe&page=2")).send().await.unwrap()).await;
    assert!(past.contains("href=\"/n/big/members?q=zoe&#38;page=1\" rel=\"prev\""), "{past}");
    // Each name opens the person's profile.
    let zoe = users::by_email(&app.state.db, "m7@example.org").await.unwrap().unwrap();
    assert!(found.contains(&format!("<a href=\"/people/{}\">Zoë Lindqvist</a>", zoe.id)), "{found}");
    let profile = body(admin.get(app.at(&format!("/people/{}", zoe.id))).send().await.unwrap()).await;
    assert!(profile.contains("<h1>Zoë Lindqvist"), "{profile}");
    let odd = admin.get(app.at("/n/big/members?q=%27%3B%20DROP%20TABLE%20users%3B--&page=abc")).send().await.unwrap();
    assert_eq!(odd.status(), StatusCode::OK);
    assert!(body(odd).await.contains("0 members matching"));
    assert_eq!(users::count(&app.state.db).await.unwrap(), 56);
}

async fn private_networks_stay_invisible_to_outsiders(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "secret", "invitation_only").await;
    let eve = app.user("eve@example.org", "Eve Outsider").await;
    assert!(!body(eve.get(app.at("/networks")).send().await.unwrap()).await.contains("Network secret"));
    for path in ["/n/secret", "/n/secret/members", "/n/secret/settings", "/n/secret/invite"] {
        assert_eq!(eve.get(app.at(path)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(eve.post(app.at("/n/secret/join")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let n = networks::by_slug(&app.state.db, "secret").await.unwrap().unwrap();
    let eve_id = users::by_email(&app.state.db, "eve@example.org").await.unwrap().unwrap().id;
    assert!(networks::membership(&app.state.db, n.id, eve_id).await.unwrap().is_none());
}

async fn self_sign_up_is_limited_to_allowed_domains(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let c = app.client();
    let r = c
        .post(app.at("/sign-up"))
        .form(&[("name", "Sam"), ("email", "sam@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("only open to the organisation"));
    // A public mail service would open sign-up to anyone: refused in words.
    let r = admin.post(app.at("/admin/domains")).form(&[("domain", "Gmail.com")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("gmail.com is a public email service"));
    assert!(roundtable_store::org::domains(&app.state.db).await.unwrap().is_empty(), "nothing added");
    admin.post(app.at("/admin/domains")).form(&[("domain", "@Example.org")]).send().await.unwrap();
    let r = c
        .post(app.at("/sign-up"))
        .form(&[("name", "Sam"), ("email", "sam@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sam = users::by_email(&app.state.db, "sam@example.org").await.unwrap().unwrap();
    assert!(sam.email_verified_at.is_none());
    let mails = app.emails_to("sam@example.org").await;
    let link = app.link_in(&mails[0], "/verify/");
    c.get(&link).send().await.unwrap();
    assert!(users::by_email(&app.state.db, "sam@example.org").await.unwrap().unwrap().email_verified_at.is_some());
    let r = c
        .post(app.at("/sign-up"))
        .form(&[("name", "Sam"), ("email", "sam@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // Sign-ups for addresses that have an account are limited per network address (each runs a
    // password hash, and a run of them tells who has an account): then even a new one waits.
    for _ in 1..roundtable_app::accounts::SIGN_UP_REFUSALS {
        let form = [("name", "Sam"), ("email", "sam@example.org"), ("password", PASSWORD)];
        let r = app.client().post(app.at("/sign-up")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
    }
    let form = [("name", "Newt"), ("email", "newt@example.org"), ("password", PASSWORD)];
    let r = app.client().post(app.at("/sign-up")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    assert!(body(r).await.contains("Too many sign-ups from this network"));
    assert!(users::by_email(&app.state.db, "newt@example.org").await.unwrap().is_none());
}

async fn password_reset_link_works_once_and_signs_out_everywhere(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let c = app.client();
    let r = c.post(app.at("/password/forgot")).form(&[("email", "nobody@example.org")]).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/sign-in?notice=reset-sent", "same answer for unknown addresses");
    c.post(app.at("/password/forgot")).form(&[("email", "admin@example.org")]).send().await.unwrap();
    let mails = app.emails_to("admin@example.org").await;
    let link = app.link_in(mails.last().unwrap(), "/password/reset/");
    let r = c.post(&link).form(&[("password", "short")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = c.post(&link).form(&[("password", "a brand new password")]).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/sign-in?notice=reset-done");
    assert_eq!(admin.get(app.at("/account")).send().await.unwrap().status(), StatusCode::SEE_OTHER, "old sessions end");
    assert_eq!(
        c.post(&link).form(&[("password", "another new password")]).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    app.sign_in_with("admin@example.org", "a brand new password").await;

    // A link past its expiry (an hour) is refused like a used one, and the password stays.
    c.post(app.at("/password/forgot")).form(&[("email", "admin@example.org")]).send().await.unwrap();
    let link = app.link_in(app.emails_to("admin@example.org").await.last().unwrap(), "/password/reset/");
    let an_hour_ago = chrono::Utc::now() - chrono::Duration::minutes(61);
    let aged = "UPDATE one_time_links SET expires_at = $1 WHERE purpose = 'reset' AND used_at IS NULL";
    app.state.db.write(aged, roundtable_store::params![an_hour_ago]).await.unwrap();
    let r = c.get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(body(r).await.contains("This link has expired or was already used"));
    let r = c.post(&link).form(&[("password", "a third new password")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The password is unchanged.
    app.sign_in_with("admin@example.org", "a brand new password").await;
}

async fn org_admins_invite_people_and_send_password_links_from_the_people_page(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let member = app.user("pat@example.org", "Pat Person").await;
    // Only org admins.
    let r = member.post(app.at("/admin/people/invite")).form(&[("email", "x@example.org")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A bad or taken address is refused beside the field, keeping what was typed.
    let r = admin.post(app.at("/admin/people/invite")).form(&[("email", "not an address")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains(r#"value="not an address""#) && page.contains("aria-invalid"), "{page}");
    let r = admin.post(app.at("/admin/people/invite")).form(&[("email", "pat@example.org")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(body(r).await.contains("already has an account"));

    let r = admin.post(app.at("/admin/people/invite")).form(&[("email", "New@Example.org")]).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/admin/people?notice=invited");
    let invitation = &app.emails_to("new@example.org").await[0];
    // Whose Roundtable it is, in the subject; a reply reaches the administrator who sent it.
    assert!(invitation.contains("invites you to Example Org on Roundtable"), "{invitation}");
    assert!(invitation.contains("Reply-To: admin@example.org"), "{invitation}");
    let first = app.link_in(invitation, "/invitations/");
    // Inviting again sends a new link and the first one stops working.
    let r = admin.post(app.at("/admin/people/invite")).form(&[("email", "new@example.org")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mails = app.emails_to("new@example.org").await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    let link = mails.iter().map(|m| app.link_in(m, "/invitations/")).find(|l| *l != first).expect("a new link");
    let c = app.client();
    assert_eq!(c.get(&first).send().await.unwrap().status(), StatusCode::NOT_FOUND, "the earlier link is gone");
    assert!(body(c.get(&link).send().await.unwrap()).await.contains("You are invited"));
    let r = c.post(&link).form(&[("name", "Nia New"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(c.get(app.at("/account")).send().await.unwrap().status(), StatusCode::OK, "signed in");
    let nia = users::by_email(&app.state.db, "new@example.org").await.unwrap().unwrap();
    assert!(nia.email_verified_at.is_some(), "the link proved the address");

    // A password link for someone locked out: named as sent by the admin, audited.
    let pat = users::by_email(&app.state.db, "pat@example.org").await.unwrap().unwrap();
    let reset = app.at(&format!("/admin/people/{}/reset", pat.id));
    // Sent from a search's second page: back to that list.
    let from = [("q", "pat & co"), ("page", "2")];
    assert_eq!(member.post(&reset).form(&from).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let r = admin.post(&reset).form(&from).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/admin/people?q=pat+%26+co&page=2&notice=password-link-sent");
    let mails = app.emails_to("pat@example.org").await;
    let mail = mails.iter().find(|m| m.contains("/password/reset/")).expect("a reset mail");
    assert!(mail.contains("an administrator of your organisation"), "{mail}");
    let r = c.post(app.link_in(mail, "/password/reset/")).form(&[("password", "pat's new password")]).send().await;
    assert_eq!(r.unwrap().headers().get("location").unwrap(), "/sign-in?notice=reset-done");
    // The hourly limit holds for admins too, and says so.
    for _ in 0..2 {
        admin.post(&reset).form(&from).send().await.unwrap();
    }
    let r = admin.post(&reset).form(&from).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = body(r).await;
    assert!(page.contains("three links in the last hour"), "{page}");
    assert!(page.contains("pat &#38; co") || page.contains("pat &amp; co"), "the search is kept: {page}");
    let (log, _) = audit::page(&app.state.db, 50, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "person.invited" && e.subject == "new@example.org"));
    assert_eq!(log.iter().filter(|e| e.action == "person.reset_sent").count(), 3);

    // Someone imported from HR, who never had a password, gets a welcome instead, for a week.
    app.user("ivy@example.org", "Ivy Imported").await;
    let clear = "UPDATE users SET password_hash = NULL WHERE email = 'ivy@example.org'";
    app.state.db.write(clear, vec![]).await.unwrap();
    let page = body(admin.get(app.at("/admin/people?q=ivy")).send().await.unwrap()).await;
    assert!(page.contains("Active, no password yet") && page.contains("Send a welcome link"), "{page}");
    let ivy = users::by_email(&app.state.db, "ivy@example.org").await.unwrap().unwrap();
    let r = admin.post(app.at(&format!("/admin/people/{}/reset", ivy.id))).send().await.unwrap();
    assert!(r.headers()["location"].to_str().unwrap().ends_with("notice=welcome-link-sent"));
    let mails = app.emails_to("ivy@example.org").await;
    let welcome = mails.iter().find(|m| m.contains("Subject: Your Roundtable account")).expect("a welcome");
    assert!(unqp(welcome).contains("has set up your account on Roundtable") && unqp(welcome).contains("for 7 days"));
    let link = app.link_in(welcome, "/password/reset/");
    // Her first password, said so: not "a new password", not "changed".
    let page = body(app.client().get(&link).send().await.unwrap()).await;
    assert!(page.contains("<h1>Choose your password</h1>") && page.contains("Save my password"), "{page}");
    let r = app.client().post(&link).form(&[("password", "ivy's first password")]).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/sign-in?notice=password-set");
    let page = body(app.client().get(&link).send().await.unwrap()).await;
    assert!(page.contains("a welcome link a week"), "a spent link says how long links last: {page}");
}

/// After an HR import, the administrator welcomes everyone without a password at once — not
/// one button per person — and nobody who had a welcome this week is sent a second.
async fn an_imports_new_people_are_welcomed_all_at_once(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let db = &app.state.db;
    let hr = "email,name\r\nana@example.org,Ana Imported\r\nben@example.org,Ben Imported\r\ncat@example.org,Cat Imported\r\ndan@example.org,Dan Imported\r\n";
    roundtable_app::import::console::import(db, hr.as_bytes(), "hr.csv", None, &Default::default(), &|_, _, _| {})
        .await
        .unwrap();
    // Dan has left (deactivated): no welcome for him. Cat was welcomed on her own already.
    let dan = app.user_id("dan@example.org").await;
    admin.post(app.at(&format!("/admin/people/{dan}/active"))).form(&[("value", "false")]).send().await.unwrap();
    let cat = app.user_id("cat@example.org").await;
    admin.post(app.at(&format!("/admin/people/{cat}/reset"))).send().await.unwrap();
    let page = body(admin.get(app.at("/admin/people")).send().await.unwrap()).await;
    assert!(page.contains("3 people have no password yet"), "{page}");
    assert!(page.contains("1 of them had a welcome or password email in the last 7 days"), "{page}");
    assert!(page.contains("Send a welcome email to 2 people"), "{page}");
    let listed = body(admin.get(app.at("/admin/people?show=no-password")).send().await.unwrap()).await;
    assert!(listed.contains("3 people.") && listed.contains("Ana Imported") && !listed.contains("Dan Imported"));
    assert!(!listed.contains("<th scope=\"row\">Ada Admin</th>"), "the admin has a password");

    let member = app.user("mo@example.org", "Mo Member").await;
    let r = member.post(app.at("/admin/people/welcome")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(app.emails_to("ana@example.org").await.is_empty(), "nothing sent by a refused request");

    let r = admin.post(app.at("/admin/people/welcome")).form(&[("show", "no-password")]).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/admin/people?show=no-password&notice=welcomes-sent&sent=2");
    let page =
        body(admin.get(app.at("/admin/people?show=no-password&notice=welcomes-sent&sent=2")).send().await.unwrap())
            .await;
    assert!(page.contains("Welcome emails are on their way to 2 people."), "{page}");
    // An API client's second go (say) finds nobody due.
    let token = app.api_token(&admin).await;
    let (status, sent) = support::api_send(
        reqwest::Method::POST,
        app.at("/api/v1/admin/people/welcome"),
        &token,
        &serde_json::json!(null),
    )
    .await;
    assert_eq!((status, &sent["sent"]), (StatusCode::OK, &0.into()), "{sent}");
    for who in ["ana", "ben", "cat"] {
        let mails = app.emails_to(&format!("{who}@example.org")).await;
        assert_eq!(mails.len(), 1, "{who}: one welcome each");
        assert!(unqp(&mails[0]).contains("Ada Admin has set up your account on Roundtable"), "{who}");
    }
    assert!(app.emails_to("dan@example.org").await.is_empty());
    let (log, _) = audit::page(db, 50, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "people.welcomed" && e.subject == "2 people"));
    let page = body(admin.get(app.at("/admin/people")).send().await.unwrap()).await;
    assert!(page.contains("Each of them has had a welcome or password email in the last 7 days"), "{page}");
    // Each row says so, so nobody sends a second one by mistake.
    assert_eq!(page.matches("<span class=\"muted\">Welcome sent ").count(), 3, "{page}");
    assert!(!page.contains("/admin/people/welcome"), "no button when nobody is due");
    // Sent again (a second tab), nothing more goes out.
    let r = admin.post(app.at("/admin/people/welcome")).send().await.unwrap();
    assert!(r.headers()["location"].to_str().unwrap().ends_with("notice=welcomes-none-due"));
    assert_eq!(app.emails_to("ana@example.org").await.len(), 1);
    // Ana chooses her password from the welcome: two are left waiting.
    let link = app.link_in(&app.emails_to("ana@example.org").await[0], "/password/reset/");
    app.client().post(&link).form(&[("password", "ana's first password")]).send().await.unwrap();
    let page = body(admin.get(app.at("/admin/people")).send().await.unwrap()).await;
    assert!(page.contains("2 people have no password yet"), "{page}");
}

async fn api_tokens_authenticate_and_errors_are_problem_json(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "open-net", "open").await;
    let token = app.api_token(&admin).await;
    let api = reqwest::Client::new();
    let me: serde_json::Value = support::api_get(app.at("/api/v1/me"), &token).await;
    assert_eq!(me["email"], "admin@example.org");
    let r = api.get(app.at("/api/v1/me")).bearer_auth("rt_wrong").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers().get("content-type").unwrap(), "application/problem+json");
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["code"], "unauthenticated");
    let joined: serde_json::Value = api
        .post(app.at("/api/v1/networks/open-net/membership"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(joined["status"], "active");
    let members: serde_json::Value = support::api_get(app.at("/api/v1/networks/open-net/members"), &token).await;
    assert_eq!(members["total"], 1);
    let missing = api.get(app.at("/api/v1/networks/nope")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.json::<serde_json::Value>().await.unwrap()["code"], "not_found");
    let spec: serde_json::Value = api.get(app.at("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(spec["paths"]["/api/v1/networks/{slug}/members"]["get"].is_object());
    assert!(spec["components"]["securitySchemes"]["token"].is_object());
    assert_eq!(api.get(app.at("/api/docs/")).send().await.unwrap().status(), StatusCode::OK);
    // The docs page reads the document from where it is served.
    let init = api.get(app.at("/api/docs/swagger-initializer.js")).send().await.unwrap().text().await.unwrap();
    assert!(init.contains("\"/api/v1/openapi.json\""), "{init}");
    // A deleted token stops working.
    let id = roundtable_store::tokens::for_user(
        &app.state.db,
        users::by_email(&app.state.db, "admin@example.org").await.unwrap().unwrap().id,
    )
    .await
    .unwrap()[0]
        .id;
    admin.post(app.at(&format!("/account/tokens/{id}/delete"))).send().await.unwrap();
    assert_eq!(
        api.get(app.at("/api/v1/me")).bearer_auth(&token).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn bad_input_gets_a_clear_4xx_and_changes_nothing(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let before = roundtable_store::networks::list(&app.state.db).await.unwrap().len();
    // Invalid UTF-8.
    let r = admin
        .post(app.at("/networks/new"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=%FF%FE&visibility=open")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(body(r).await.contains("not valid UTF-8"));
    // Not a form.
    let r =
        admin.post(app.at("/networks/new")).header("content-type", "application/json").body("{}").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Oversized.
    let huge = format!("name=x&visibility=open&description={}", "a".repeat(300 * 1024));
    let r = admin
        .post(app.at("/networks/new"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert!(r.status() == StatusCode::PAYLOAD_TOO_LARGE, "{}", r.status());
    // Too-long description, bad visibility, bad slug: field errors, typed text kept.
    let r = admin
        .post(app.at("/networks/new"))
        .form(&[
            ("name", "<script>alert(1)</script>"),
            ("slug", "Bad Slug!"),
            ("description", &"d".repeat(6000)),
            ("visibility", "public"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(
        html.contains("lower-case letters") && html.contains("Choose who can join") && html.contains("at most 5000"),
        "{html}"
    );
    assert!(
        !html.contains("<script>alert(1)</script>") && html.contains("&#60;script&#62;"),
        "escaped, never executed"
    );
    // Unknown ids and slugs.
    assert_eq!(
        admin.post(app.at("/n/none/requests/not-a-uuid/approve")).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin
            .post(app.at("/admin/people/00000000-0000-0000-0000-000000000000/admin"))
            .form(&[("value", "true")])
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(roundtable_store::networks::list(&app.state.db).await.unwrap().len(), before, "nothing was created");
    // HTML and SQL meta-characters are stored and shown as text.
    let r = admin
        .post(app.at("/networks/new"))
        .form(&[
            ("name", "O'Brien & \"Co\" <b>; DROP TABLE networks;--"),
            ("slug", "obrien"),
            ("description", ""),
            ("visibility", "open"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = body(admin.get(app.at("/n/obrien")).send().await.unwrap()).await;
    assert!(page.contains("O&#39;Brien &#38; &#34;Co&#34; &#60;b&#62;; DROP TABLE networks;--"), "{page}");
    // The API refuses bad JSON paths the same way.
    let token = app.api_token(&admin).await;
    let r = reqwest::Client::new().get(app.at("/api/v1/networks/%FF")).bearer_auth(&token).send().await.unwrap();
    assert!(r.status().is_client_error());
}

async fn cross_site_form_posts_are_refused(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let r = admin
        .post(app.at("/networks/new"))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&[("name", "Evil"), ("slug", "evil"), ("visibility", "open")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(networks::by_slug(&app.state.db, "evil").await.unwrap().is_none());
    let r = admin
        .post(app.at("/networks/new"))
        .header("origin", app.url.as_str())
        .form(&[("name", "Fine"), ("slug", "fine"), ("visibility", "open")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn health_readiness_and_metrics_answer(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let c = app.client();
    assert_eq!(body(c.get(app.at("/healthz")).send().await.unwrap()).await, "ok");
    assert_eq!(body(c.get(app.at("/readyz")).send().await.unwrap()).await, "ready");
    let r = c.get(app.at("/no/such/page")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.headers().get("x-request-id").is_some());
    assert!(body(r).await.contains("Go to the home page"));
    assert_eq!(c.get(app.at("/n/some-network/members")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    // Requests are counted by route pattern (never the path: paths carry tokens) and status, and
    // timed; job counts are gauges. (One recorder per test process: counts include other tests'.)
    let r = c.get(app.at("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let metrics = body(r).await;
    let counted = |route: &str, status: &str| {
        metrics.lines().any(|l| {
            l.starts_with("roundtable_http_requests_total{")
                && l.contains(&format!("route=\"{route}\""))
                && l.contains(&format!("status=\"{status}\""))
        })
    };
    assert!(counted("/healthz", "200") && counted("/n/{slug}/members", "303"), "{metrics}");
    assert!(counted("(unmatched)", "404") && !metrics.contains("some-network"), "{metrics}");
    // Times in buckets that add up across instances, not a summary's short-window quantiles.
    let timed = "roundtable_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.005\"}";
    assert!(metrics.contains(timed) && !metrics.contains("quantile="), "{metrics}");
    assert!(metrics.contains("roundtable_jobs{status=\"failed\"}"), "{metrics}");
    // From another machine (here: through a trusted proxy), only with the configured token.
    drop(app);
    let extra = "trusted_proxies = [\"127.0.0.1\"]\nmetrics_token = \"collector-secret-7\"";
    let app = TestApp::spawn_with(roundtable_store::testing::TestDb::new(d).await, extra).await;
    let from_afar = |token: Option<&str>| {
        let r = c.get(app.at("/metrics")).header("x-forwarded-for", "203.0.113.9");
        let r = match token {
            Some(t) => r.bearer_auth(t),
            None => r,
        };
        async move { r.send().await.unwrap() }
    };
    let refused = from_afar(None).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(body(refused).await.contains("metrics_token"), "says how to be let in");
    assert_eq!(from_afar(Some("guess")).await.status(), StatusCode::FORBIDDEN);
    let allowed = from_afar(Some("collector-secret-7")).await;
    assert_eq!(allowed.status(), StatusCode::OK);
    assert!(body(allowed).await.contains("roundtable_http_requests_total"));
    // A proxy nobody declared, forwarding from afar, does not make the request local.
    drop(app);
    let app = TestApp::spawn(d).await;
    let r = c.get(app.at("/metrics")).header("x-forwarded-for", "203.0.113.9").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// Every route × anonymous, member, each organiser role, sponsor, org admin, outsider × own and
/// other network: allowed or refused as `docs/roles.md` says, and no cross-network reads.
/// For the authorisation matrices: one signed-in person per network role (`<role>@example.org`),
/// each an active member of `network` in that role.
async fn one_per_role(app: &TestApp, network: roundtable_domain::NetworkId) -> Vec<(&'static str, reqwest::Client)> {
    use roundtable_domain::{MembershipStatus, Role};
    let mut out = Vec::new();
    for role in Role::ALL {
        let email = format!("{}@example.org", role.as_str());
        let c = app.user(&email, role.label()).await;
        let id = users::by_email(&app.state.db, &email).await.unwrap().unwrap().id;
        let mut tx = app.state.db.begin().await.unwrap();
        networks::upsert_membership(&mut tx, network, id, role, MembershipStatus::Active, chrono::Utc::now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        out.push((role.as_str(), c));
    }
    out
}

async fn authorisation_matrix_holds_for_every_role_and_route(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "own", "by_request").await;
    app.network(&admin, "other", "invitation_only").await;
    let own = networks::by_slug(&app.state.db, "own").await.unwrap().unwrap();
    // An open invitation for the withdraw route below: withdrawn once, by the first manager.
    let r = admin
        .post(app.at("/n/own/invite"))
        .form(&[("email", "invited@example.org"), ("role", "member")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut clients = vec![("admin", Some(admin))];
    for (role, c) in one_per_role(&app, own.id).await {
        clients.push((role, Some(c)));
    }
    clients.push(("outsider", Some(app.user("outsider@example.org", "Outsider").await)));
    clients.push(("anonymous", None));
    let target = users::by_email(&app.state.db, "member@example.org").await.unwrap().unwrap().id;
    // The buddy the POST below assigns to the target: an active member of `own`.
    let buddy = users::by_email(&app.state.db, "chair@example.org").await.unwrap().unwrap().id.to_string();

    // Every page and form route of the foundation, members, charter, onboarding, import and
    // account areas (events have their own matrix in events.rs): (method, path, who may use it).
    //   see: anyone who can see the network · members: its active members (sponsors too)
    //   organise: its organisers · managers: Chair and Administrator · admin · any: signed in
    //   joined: has a membership in it (the "leave" confirmation)
    let routes: Vec<(&str, String, &str)> = vec![
        ("GET", "/n/{n}".into(), "see"),
        ("GET", "/n/{n}/charter".into(), "see"),
        ("GET", "/n/{n}/members".into(), "members"),
        ("GET", "/people?network={n}".into(), "members"),
        ("GET", "/n/{n}/charter/acceptances".into(), "organise"),
        ("GET", "/n/{n}/onboarding".into(), "organise"),
        ("POST", "/n/{n}/onboarding/stuck-days".into(), "organise"),
        ("POST", "/n/{n}/onboarding/nudge-stuck".into(), "organise"),
        // An empty day: everyone in the window counts as a newcomer (as it was).
        ("POST", "/n/{n}/onboarding/newcomers-from".into(), "organise"),
        ("POST", format!("/n/{{n}}/onboarding/settled/{target}"), "organise"),
        ("POST", format!("/n/{{n}}/onboarding/settled/{target}/undo"), "organise"),
        ("GET", "/n/{n}/invite".into(), "managers"),
        ("GET", "/n/{n}/settings".into(), "managers"),
        ("POST", format!("/n/{{n}}/members/{target}/role"), "managers"),
        // Confirmation pages (GET) before leaving and removing; withdrawing an invitation.
        ("GET", "/n/{n}/leave".into(), "joined"),
        ("GET", format!("/n/{{n}}/members/{target}/remove"), "managers"),
        ("POST", "/n/{n}/invitations/withdraw".into(), "managers"),
        // Buddies: the page, assigning (a real assignment: the form names a buddy) and ending.
        ("GET", format!("/n/{{n}}/onboarding/buddies/{target}"), "managers"),
        ("POST", format!("/n/{{n}}/onboarding/buddies/{target}"), "managers"),
        ("POST", format!("/n/{{n}}/onboarding/buddies/{target}/end"), "managers"),
        ("GET", "/admin/people".into(), "admin"),
        ("POST", "/admin/people/invite".into(), "admin"),
        ("POST", format!("/admin/people/{target}/reset"), "admin"),
        ("GET", "/admin/audit".into(), "admin"),
        ("GET", "/admin/outbox".into(), "admin"),
        ("GET", "/admin/domains".into(), "admin"),
        ("GET", "/admin/import".into(), "admin"),
        ("GET", "/admin/import/template.csv".into(), "admin"),
        // The import steps are multipart forms carrying a file with one bad row (see below).
        ("POST", "/admin/import/upload".into(), "admin"),
        ("POST", "/admin/import/preview".into(), "admin"),
        ("POST", "/admin/import/apply".into(), "admin"),
        ("POST", "/admin/import/errors.csv".into(), "admin"),
        ("GET", "/admin/export".into(), "admin"),
        ("GET", "/admin/export/members.csv".into(), "admin"),
        ("GET", "/networks/new".into(), "admin"),
        ("GET", "/account".into(), "any"),
        ("GET", "/networks".into(), "any"),
        ("GET", "/profile".into(), "any"),
        ("GET", "/people".into(), "any"),
        ("GET", format!("/people/{target}"), "any"),
        ("GET", "/account/export.json".into(), "any"),
        ("GET", "/account/export.csv".into(), "any"),
    ];
    // What the import pages carry between steps: the file's text and its columns. Line 2 has an
    // impossible date, so applying imports nothing and the error download has a row.
    let import_form = || {
        reqwest::multipart::Form::new()
            .text("csv", "email,name,start_date\r\nsneaky@example.org,Sneaky,2020-13-01\r\n")
            .text("file_name", "hr.csv")
            .text("encoding", "UTF-8")
            .text("map_email", "0")
            .text("map_name", "1")
            .text("map_start_date", "2")
    };
    let people_before = users::count(&app.state.db).await.unwrap();
    let organiser =
        |who: &str| matches!(who, "chair" | "administrator" | "training_coordinator" | "communications_officer");
    for (who, client) in &clients {
        for (method, path, rule) in &routes {
            for net in ["own", "other"] {
                if !path.contains("{n}") && net == "other" {
                    continue;
                }
                let url = app.at(&path.replace("{n}", net));
                let c = client.clone().unwrap_or_else(|| app.client());
                let req = if *method == "GET" {
                    c.get(&url)
                } else if path.starts_with("/admin/import/") {
                    c.post(&url).multipart(import_form())
                } else {
                    c.post(&url).form(&[
                        ("role", "member"),
                        ("stuck_days", "14"),
                        ("buddy", &buddy),
                        ("email", "invited@example.org"),
                    ])
                };
                let r = req.send().await.unwrap();
                let status = r.status();
                let to_sign_in =
                    r.headers().get("location").is_some_and(|l| l.to_str().unwrap_or("").starts_with("/sign-in"));
                let content_type =
                    r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                let is_admin = *who == "admin";
                let in_own = net == "own" && !matches!(*who, "outsider" | "anonymous" | "admin");
                let allowed = match *rule {
                    "see" => is_admin || in_own || (net == "own" && *who == "outsider"),
                    "members" => is_admin || in_own,
                    "organise" => is_admin || (in_own && organiser(who)),
                    "managers" => is_admin || (in_own && matches!(*who, "chair" | "administrator")),
                    "admin" => is_admin,
                    "joined" => in_own,
                    _ => true,
                }
                    // The target person is not in the other network: nothing to see or change
                    // about them there.
                    && !(net == "other" && path.contains(&format!("/{target}")));
                if *who == "anonymous" {
                    assert!(to_sign_in, "anonymous {method} {url} must be sent to sign in, got {status}");
                    continue;
                }
                let refused = status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND;
                assert_eq!(!refused && !to_sign_in, allowed, "{who} {method} {url} gave {status}");
                if !allowed && net == "other" {
                    assert_eq!(status, StatusCode::NOT_FOUND, "{who} must not learn that {url} exists");
                }
                if allowed && path.ends_with(".csv") {
                    assert!(
                        content_type.starts_with("text/csv"),
                        "{who} {method} {url} gave {content_type}, not a CSV"
                    );
                }
            }
        }
    }
    // Refused requests changed nothing: the buddy was assigned and ended once per manager of
    // `own` (org admin, Chair, Administrator), and the import's bad file made nobody.
    let (log, _) = audit::page(&app.state.db, 1000, 0).await.unwrap();
    for action in ["onboarding.buddy_assigned", "onboarding.buddy_ended"] {
        let by: Vec<&str> = log.iter().filter(|e| e.action == action).map(|e| e.actor_name.as_str()).collect();
        assert_eq!(by.len(), 3, "{action} by {by:?}");
    }
    assert_eq!(users::count(&app.state.db).await.unwrap(), people_before, "nobody imported");
    // The invitation was withdrawn once, by the first manager to try; the others found nothing.
    let withdrawn: Vec<&str> =
        log.iter().filter(|e| e.action == "membership.invitation_withdrawn").map(|e| e.actor_name.as_str()).collect();
    assert_eq!(withdrawn, ["Ada Admin"]);
    let open = roundtable_store::links::open_invites_for_network(&app.state.db, own.id, chrono::Utc::now());
    assert!(open.await.unwrap().is_empty(), "the withdrawn invitation is gone");
}

/// Two instances on one PostgreSQL database, as behind a load balancer: a session made on one
/// works on the other, and each queued job runs exactly once although both workers poll.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sessions_and_run_each_job_once() {
    let app = TestApp::spawn(Dialect::Postgres).await;
    let (b_url, _b) = app.another_instance().await;
    let admin = app.setup().await;
    app.network(&admin, "shared", "open").await;
    let cookie = {
        let r = app
            .client()
            .post(app.at("/sign-in"))
            .form(&[("email", "admin@example.org"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        r.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_owned()
    };
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = plain.get(format!("{b_url}/account")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the session made on instance A works on B");
    for i in 0..20 {
        let r = admin
            .post(app.at("/n/shared/invite"))
            .form(&[("email", &format!("p{i}@example.org")[..]), ("role", "member")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let mut total = 0;
    for i in 0..20 {
        total += app.emails_to(&format!("p{i}@example.org")).await.len();
    }
    assert_eq!(total, 20, "each invitation email written exactly once");
    let (msgs, _) = roundtable_store::outbox::page(&app.state.db, 100, 0).await.unwrap();
    assert!(msgs.iter().all(|m| m.status == "sent" && m.attempts == 1), "no message sent twice");
}

/// The page matrix above, for `/api/v1` with personal tokens: every read route × every role ×
/// own network / another (invitation-only) one; anonymous calls get 401, and another network's
/// refusals are 404 so that it does not show it exists; org-admin routes are 403 for everyone
/// else. (Events have their own matrix; writes are covered route by route in their tests.)
async fn the_api_authorisation_matrix_holds_for_every_role_and_route(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "own", "by_request").await;
    app.network(&admin, "other", "invitation_only").await;
    let own = networks::by_slug(&app.state.db, "own").await.unwrap().unwrap();
    let mut tokens = vec![("admin", Some(app.api_token(&admin).await))];
    for (role, c) in one_per_role(&app, own.id).await {
        tokens.push((role, Some(app.api_token(&c).await)));
    }
    let outsider = app.user("outsider@example.org", "Outsider").await;
    tokens.push(("outsider", Some(app.api_token(&outsider).await)));
    tokens.push(("anonymous", None));
    let target = users::by_email(&app.state.db, "member@example.org").await.unwrap().unwrap().id;

    // (path, who may read it): see · members · organise · managers (Chair and Administrator) ·
    // any, as in the page matrix.
    let routes: Vec<(String, &str)> = vec![
        ("/api/v1/me".into(), "any"),
        ("/api/v1/me/profile".into(), "any"),
        ("/api/v1/me/data".into(), "any"),
        ("/api/v1/me/data.csv".into(), "any"),
        ("/api/v1/networks".into(), "any"),
        ("/api/v1/people".into(), "any"),
        ("/api/v1/people/like-me".into(), "any"),
        (format!("/api/v1/people/{target}"), "any"),
        ("/api/v1/people?network={n}".into(), "members"),
        ("/api/v1/networks/{n}".into(), "see"),
        ("/api/v1/networks/{n}/members".into(), "members"),
        ("/api/v1/networks/{n}/onboarding".into(), "members"),
        ("/api/v1/networks/{n}/buddies".into(), "organise"),
        ("/api/v1/networks/{n}/onboarding/checklist".into(), "organise"),
        ("/api/v1/networks/{n}/onboarding/progress".into(), "organise"),
        ("/api/v1/networks/{n}/charter/acceptances".into(), "organise"),
        ("/api/v1/networks/{n}/requests".into(), "managers"),
        ("/api/v1/networks/{n}/invitations".into(), "managers"),
        ("/api/v1/exports/members.csv".into(), "admin"),
        ("/api/v1/exports/members.csv?network={n}".into(), "admin"),
        ("/api/v1/admin/people".into(), "admin"),
    ];
    let organiser =
        |who: &str| matches!(who, "chair" | "administrator" | "training_coordinator" | "communications_officer");
    let client = reqwest::Client::new();
    for (who, token) in &tokens {
        for (path, rule) in &routes {
            for net in ["own", "other"] {
                if !path.contains("{n}") && net == "other" {
                    continue;
                }
                let url = app.at(&path.replace("{n}", net));
                let req = client.get(&url);
                let r = match token {
                    Some(t) => req.bearer_auth(t),
                    None => req,
                }
                .send()
                .await
                .unwrap();
                let status = r.status();
                if *who == "anonymous" {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous GET {url}");
                    continue;
                }
                let is_admin = *who == "admin";
                let in_own = net == "own" && !matches!(*who, "outsider" | "admin");
                let allowed = match *rule {
                    "see" => is_admin || in_own || (net == "own" && *who == "outsider"),
                    "members" => is_admin || in_own,
                    "organise" => is_admin || (in_own && organiser(who)),
                    "managers" => is_admin || (in_own && matches!(*who, "chair" | "administrator")),
                    "admin" => is_admin,
                    _ => true,
                };
                assert_eq!(status.is_success(), allowed, "{who} GET {url} gave {status}");
                if !allowed {
                    // Org-admin routes refuse everyone else alike: they do not look at the network.
                    let expected =
                        if net == "other" && *rule != "admin" { StatusCode::NOT_FOUND } else { StatusCode::FORBIDDEN };
                    assert_eq!(status, expected, "{who} GET {url}");
                    assert_eq!(r.headers()["content-type"], "application/problem+json", "{who} GET {url}");
                }
            }
        }
    }
}

/// When the database fails under a page (here: a table gone), the person gets the 500 page —
/// with their navigation, saying it is on our side — and the API a problem document; neither
/// shows the database's message.
async fn a_failure_on_our_side_gets_a_helpful_page_that_leaks_nothing(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let token = app.api_token(&admin).await;
    app.state.db.write("DROP TABLE audit_log", vec![]).await.unwrap();
    let r = admin.get(app.at("/admin/audit")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let page = body(r).await;
    assert!(page.contains("Something went wrong on our side"), "{page}");
    assert!(page.contains("Sign out"), "the signed-in navigation stays: {page}");
    for leak in ["audit_log", "no such table", "does not exist", "SELECT"] {
        assert!(!page.contains(leak), "the page shows {leak:?}: {page}");
    }
    // "My data" lists one's own audited actions.
    let r = reqwest::Client::new().get(app.at("/api/v1/me/data")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let problem = body(r).await;
    for leak in ["audit_log", "no such table", "does not exist", "SELECT"] {
        assert!(!problem.contains(leak), "the problem shows {leak:?}: {problem}");
    }
    // Everything else still works.
    assert_eq!(admin.get(app.at("/n/eas")).send().await.unwrap().status(), StatusCode::OK);
}
