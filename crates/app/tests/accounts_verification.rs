//! Accounts over HTTP on SQLite and PostgreSQL: an unconfirmed address opens only home and My
//! account (pages redirect to "confirm your address", the API answers 403), password-reset
//! emails are limited and a reset or a password change cancels the other reset links, people
//! imported without a password accept an invitation by choosing one, and links that no longer
//! work say what to do next.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use roundtable_app::accounts::RESET_EMAILS;
use roundtable_app::import::{Options, console};
use roundtable_domain::MembershipStatus;
use roundtable_store::{Dialect, networks, users};
use support::{PASSWORD, TestApp};

both!(
    an_unconfirmed_address_opens_only_home_and_my_account,
    confirming_the_address_opens_everything,
    a_confirmation_link_opened_signed_out_lands_on_sign_in,
    reset_emails_are_limited_per_address_without_saying_so,
    a_reset_or_a_password_change_cancels_the_open_reset_links,
    an_imported_person_without_a_password_accepts_an_invitation_by_choosing_one,
    links_that_no_longer_work_say_what_to_do,
);

async fn body(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// An organisation that allows self sign-up on example.org, with an open network `open` and an
/// invitation-only network `circle`; returns the admin's client.
async fn org(app: &TestApp) -> reqwest::Client {
    let admin = app.setup().await;
    let r = admin.post(app.at("/admin/domains")).form(&[("domain", "example.org")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.network(&admin, "open", "open").await;
    app.network(&admin, "circle", "invitation_only").await;
    admin
}

/// Signs up Sam (sam@example.org) and returns the signed-in client.
async fn sign_up(app: &TestApp) -> reqwest::Client {
    let c = app.client();
    let r = c
        .post(app.at("/sign-up"))
        .form(&[("name", "Sam Squatter"), ("email", "sam@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/account/verify?notice=verify-sent", "sign-up says what comes next");
    c
}

async fn status_of(app: &TestApp, membership_of: &str, email: &str) -> Option<MembershipStatus> {
    let db = &app.state.db;
    let n = networks::by_slug(db, membership_of).await.unwrap().unwrap();
    let u = users::by_email(db, email).await.unwrap().unwrap();
    networks::membership(db, n.id, u.id).await.unwrap().map(|m| m.status)
}

async fn an_unconfirmed_address_opens_only_home_and_my_account(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = org(&app).await;
    let sam = sign_up(&app).await;
    // Home, My account and the confirmation page answer.
    assert_eq!(sam.get(app.at("/")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(sam.get(app.at("/account")).send().await.unwrap().status(), StatusCode::OK);
    let page = body(sam.get(app.at("/account/verify?notice=verify-sent")).send().await.unwrap()).await;
    assert!(page.contains("Confirm your email address") && page.contains("sam@example.org"), "{page}");
    assert!(page.contains("action=\"/account/verify\""), "a button sends the link again: {page}");
    // Everything else sends Sam there: networks, member lists, the directory, profiles.
    // "Download my data" too: it gathers what was sent to the address, proven or not.
    for path in [
        "/networks",
        "/n/open",
        "/n/open/members",
        "/people",
        "/people?q=ada",
        "/account/export.json",
        "/account/export.csv",
    ] {
        let r = sam.get(app.at(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&r), "/account/verify", "{path}");
    }
    let r = sam.post(app.at("/n/open/join")).send().await.unwrap();
    assert_eq!(location(&r), "/account/verify");
    assert_eq!(status_of(&app, "open", "sam@example.org").await, None, "joining did nothing");
    // An organiser invites the address: joining without the invitation link is refused too.
    let r = admin
        .post(app.at("/n/circle/invite"))
        .form(&[("email", "sam@example.org"), ("role", "member")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = sam.post(app.at("/n/circle/join")).send().await.unwrap();
    assert_eq!(location(&r), "/account/verify");
    assert_ne!(status_of(&app, "circle", "sam@example.org").await, Some(MembershipStatus::Active));
    // Nor does home show the invitation-only network the address was invited to.
    let home = body(sam.get(app.at("/")).send().await.unwrap()).await;
    assert!(!home.contains("Invitations waiting for you") && !home.contains("/n/circle"), "{home}");
    // Sending the link again works (a second verification email).
    let r = sam.post(app.at("/account/verify")).send().await.unwrap();
    assert_eq!(location(&r), "/account/verify?notice=verify-sent");
    let mails = app.emails_to("sam@example.org").await;
    assert_eq!(mails.iter().filter(|m| m.contains("/verify/")).count(), 2, "{mails:?}");
    // Three an hour at most: the button cannot flood the inbox (the page answers the same).
    for _ in 0..3 {
        let r = sam.post(app.at("/account/verify")).send().await.unwrap();
        assert_eq!(location(&r), "/account/verify?notice=verify-sent");
    }
    let mails = app.emails_to("sam@example.org").await;
    assert_eq!(mails.iter().filter(|m| m.contains("/verify/")).count(), 3, "{mails:?}");
    // No API token is made for an unconfirmed account: one would outlive the owner taking the
    // address back.
    let r = sam.post(app.at("/account/tokens")).form(&[("name", "sleeper")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(body(r).await.contains("Confirm your email address first"));
    let sam_id = users::by_email(&app.state.db, "sam@example.org").await.unwrap().unwrap().id;
    assert!(roundtable_store::tokens::for_user(&app.state.db, sam_id).await.unwrap().is_empty());
    // Signing out works.
    let r = sam.post(app.at("/sign-out")).send().await.unwrap();
    assert_eq!(location(&r), "/sign-in");
    assert_eq!(location(&sam.get(app.at("/account")).send().await.unwrap()), "/sign-in?next=%2Faccount");
}

async fn confirming_the_address_opens_everything(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let _admin = org(&app).await;
    let sam = sign_up(&app).await;
    let mails = app.emails_to("sam@example.org").await;
    // The mail says whose Roundtable asks, so it is not taken for a stranger's.
    assert!(support::unqp(&mails[0]).contains("Roundtable for Example Org"), "{}", mails[0]);
    let link = app.link_in(&mails[0], "/verify/");
    let r = sam.get(&link).send().await.unwrap();
    assert_eq!(location(&r), "/?notice=verified");
    assert!(users::by_email(&app.state.db, "sam@example.org").await.unwrap().unwrap().email_verified_at.is_some());
    assert_eq!(sam.get(app.at("/n/open")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(sam.get(app.at("/people")).send().await.unwrap().status(), StatusCode::OK);
    sam.post(app.at("/n/open/join")).send().await.unwrap();
    assert_eq!(status_of(&app, "open", "sam@example.org").await, Some(MembershipStatus::Active));
    assert_eq!(sam.get(app.at("/n/open/members")).send().await.unwrap().status(), StatusCode::OK);
    // The confirmation page is of no use now and sends home; a second click on the link too.
    assert_eq!(location(&sam.get(app.at("/account/verify")).send().await.unwrap()), "/");
    assert_eq!(location(&sam.get(&link).send().await.unwrap()), "/?notice=verified");
    let token = app.api_token(&sam).await;
    let me = support::api_get(app.at("/api/v1/me"), &token).await;
    assert_eq!(me["email"], "sam@example.org");
}

async fn a_confirmation_link_opened_signed_out_lands_on_sign_in(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let _admin = org(&app).await;
    let _sam = sign_up(&app).await;
    let mails = app.emails_to("sam@example.org").await;
    let link = app.link_in(&mails[0], "/verify/");
    let other_browser = app.client();
    let r = other_browser.get(&link).send().await.unwrap();
    assert_eq!(location(&r), "/sign-in?notice=verified");
    let page = body(other_browser.get(app.at("/sign-in?notice=verified")).send().await.unwrap()).await;
    assert!(page.contains("your email address is confirmed"), "{page}");
    // Used once; the second time says so and offers to sign in.
    let r = other_browser.get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let page = body(r).await;
    assert!(page.contains("expired or was already used") && page.contains("href=\"/sign-in\""), "{page}");
}

async fn reset_emails_are_limited_per_address_without_saying_so(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let anon = app.client();
    for email in ["admin@example.org", "nobody@example.org"] {
        for _ in 0..(RESET_EMAILS + 5) {
            let r = anon.post(app.at("/password/forgot")).form(&[("email", email)]).send().await.unwrap();
            assert_eq!(location(&r), "/sign-in?notice=reset-sent", "the same answer every time");
        }
    }
    let mails = app.emails_to("admin@example.org").await;
    assert_eq!(mails.len() as i64, RESET_EMAILS, "at most {RESET_EMAILS} reset emails an hour");
    assert!(app.emails_to("nobody@example.org").await.is_empty());
    // An hour later (every link moves back in time) another one goes out.
    app.state.db.write("UPDATE one_time_links SET created_at = created_at - 3600000001", vec![]).await.unwrap();
    anon.post(app.at("/password/forgot")).form(&[("email", "admin@example.org")]).send().await.unwrap();
    assert_eq!(app.emails_to("admin@example.org").await.len() as i64, RESET_EMAILS + 1);

    // A deactivated account gets no link but, once a day, why and whom to ask — at its own
    // address, so the asker learns no more than for any other address.
    app.user("gone@example.org", "Gone Person").await;
    let gone = app.user_id("gone@example.org").await;
    let mut tx = app.state.db.begin().await.unwrap();
    roundtable_store::users::set_deactivated(&mut tx, gone, Some(chrono::Utc::now())).await.unwrap();
    tx.commit().await.unwrap();
    for _ in 0..3 {
        let r = anon.post(app.at("/password/forgot")).form(&[("email", "gone@example.org")]).send().await.unwrap();
        assert_eq!(location(&r), "/sign-in?notice=reset-sent");
    }
    let mails = app.emails_to("gone@example.org").await;
    let told: Vec<String> = mails
        .iter()
        .filter(|m| m.contains("Subject: Your Roundtable account is deactivated"))
        .map(|m| support::unqp(m))
        .collect();
    assert_eq!(told.len(), 1, "once a day: {mails:?}");
    assert!(
        told[0].contains("ask an administrator: ") && told[0].contains("(admin@example.org) to reactivate it"),
        "{}",
        told[0]
    );
    assert!(!told[0].contains("/password/reset/"), "no link: {}", told[0]);
}

/// A reset or a password change also ends the account's other sessions and API tokens.
async fn a_reset_or_a_password_change_cancels_the_open_reset_links(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let first = app.setup().await;
    // A token made before the reset (by whoever had the account) stops working with it.
    let token = app.api_token(&first).await;
    let me = |token: String| {
        let url = app.at("/api/v1/me");
        async move { reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap().status() }
    };
    assert_eq!(me(token.clone()).await, StatusCode::OK);
    let anon = app.client();
    for _ in 0..2 {
        anon.post(app.at("/password/forgot")).form(&[("email", "admin@example.org")]).send().await.unwrap();
    }
    let mails = app.emails_to("admin@example.org").await;
    let links: Vec<String> = mails.iter().map(|m| app.link_in(m, "/password/reset/")).collect();
    assert_eq!(links.len(), 2);
    let r = anon.post(&links[0]).form(&[("password", "a brand new password")]).send().await.unwrap();
    assert_eq!(location(&r), "/sign-in?notice=reset-done");
    assert_eq!(me(token).await, StatusCode::UNAUTHORIZED, "the reset revoked the API token");
    // The other link no longer works, and says what to do instead.
    let r = anon.get(&links[1]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let page = body(r).await;
    assert!(page.contains("expired or was already used") && page.contains("href=\"/password/forgot\""), "{page}");
    let r = anon.post(&links[1]).form(&[("password", "a password of the intruder")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Changing the password under My account cancels a link sent earlier too.
    let admin = app.client();
    let r = admin
        .post(app.at("/sign-in"))
        .form(&[("email", "admin@example.org"), ("password", "a brand new password")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let token = app.api_token(&admin).await;
    anon.post(app.at("/password/forgot")).form(&[("email", "admin@example.org")]).send().await.unwrap();
    let mails = app.emails_to("admin@example.org").await;
    assert_eq!(mails.len(), 3);
    let open: Vec<String> =
        mails.iter().map(|m| app.link_in(m, "/password/reset/")).filter(|l| !links.contains(l)).collect();
    assert_eq!(open.len(), 1);
    assert_eq!(anon.get(&open[0]).send().await.unwrap().status(), StatusCode::OK, "open until the change");
    let r = admin
        .post(app.at("/account/password"))
        .form(&[("current", "a brand new password"), ("password", "yet another password")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/account?notice=password");
    assert_eq!(me(token).await, StatusCode::UNAUTHORIZED, "the change revoked the API token");
    assert_eq!(anon.get(&open[0]).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let r = anon.post(&open[0]).form(&[("password", "a password of the intruder")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let c = app.client();
    let r = c
        .post(app.at("/sign-in"))
        .form(&[("email", "admin@example.org"), ("password", "yet another password")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the changed password holds");
}

async fn an_imported_person_without_a_password_accepts_an_invitation_by_choosing_one(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = org(&app).await;
    let csv = "email,name\r\nhana@example.org,Hana Imported\r\n";
    let (_, _, r) = console::import(&app.state.db, csv.as_bytes(), "hr.csv", None, &Options::default(), &|_, _, _| {})
        .await
        .unwrap();
    assert_eq!((r.created, r.errors.len()), (1, 0), "{:?}", r.errors);
    let r = admin
        .post(app.at("/n/circle/invite"))
        .form(&[("email", "hana@example.org"), ("role", "member")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mails = app.emails_to("hana@example.org").await;
    let link = app.link_in(mails.last().unwrap(), "/invitations/");
    let hana = app.client();
    let page = body(hana.get(&link).send().await.unwrap()).await;
    assert!(page.contains("no password yet") && page.contains("name=\"password\""), "{page}");
    assert!(!page.contains("Sign in to accept"), "{page}");
    // A too-short password is refused and nothing changes.
    let r = hana.post(&link).form(&[("password", "short")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(users::by_email(&app.state.db, "hana@example.org").await.unwrap().unwrap().password_hash.is_none());
    let r = hana.post(&link).form(&[("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(location(&r), "/n/circle?notice=accepted");
    let cookie = r.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert!(cookie.starts_with("rt_session="), "signed in with a new session: {cookie}");
    let u = users::by_email(&app.state.db, "hana@example.org").await.unwrap().unwrap();
    assert!(u.email_verified_at.is_some() && u.password_hash.is_some());
    assert_eq!(status_of(&app, "circle", "hana@example.org").await, Some(MembershipStatus::Active));
    assert_eq!(hana.get(app.at("/n/circle/members")).send().await.unwrap().status(), StatusCode::OK);
    // The chosen password signs her in elsewhere too.
    app.sign_in("hana@example.org").await;
}

async fn links_that_no_longer_work_say_what_to_do(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = org(&app).await;
    admin
        .post(app.at("/n/circle/invite"))
        .form(&[("email", "nia@example.org"), ("role", "member")])
        .send()
        .await
        .unwrap();
    let mails = app.emails_to("nia@example.org").await;
    let link = app.link_in(&mails[0], "/invitations/");
    let nia = app.client();
    let r = nia.post(&link).form(&[("name", "Nia New"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app.client().get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let page = body(r).await;
    assert!(page.contains("expired or was already used") && page.contains("ask the network"), "{page}");
    assert!(page.contains("href=\"/sign-in\""), "{page}");
    // Signed in, the same link offers the home page instead.
    let page = body(nia.get(&link).send().await.unwrap()).await;
    assert!(page.contains("expired or was already used") && page.contains("href=\"/\""), "{page}");
    // Unknown reset and verification links too.
    let page = body(app.client().get(app.at("/password/reset/not-a-token")).send().await.unwrap()).await;
    assert!(page.contains("Ask for a new link"), "{page}");
    let page = body(app.client().get(app.at("/verify/not-a-token")).send().await.unwrap()).await;
    assert!(page.contains("expired or was already used"), "{page}");
}
