//! Sign-in limits, over real HTTP on SQLite and PostgreSQL: failed attempts lock the pair of
//! account and address, an address that sprays many accounts (but not for accounts that signed
//! in from it before), and — for addresses the account has never signed in from — an account
//! guessed at from many places; never the owner elsewhere.
//! The server trusts the loopback "proxy", so each client's `X-Forwarded-For` is its address.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use roundtable_app::accounts::{ACCOUNT_FAILURES, ADDRESS_FAILURES, FAILURE_WINDOW_MINUTES, PAIR_FAILURES};
use roundtable_store::Dialect;
use roundtable_store::testing::TestDb;
use support::{PASSWORD, TestApp};

both!(
    a_strangers_guesses_lock_their_address_out_of_the_account_but_not_the_owner,
    spraying_many_accounts_from_one_address_is_refused,
    spraying_from_a_shared_address_does_not_lock_out_those_who_signed_in_from_it,
    guessing_from_many_addresses_pauses_only_addresses_the_account_has_not_used,
    parallel_guesses_get_no_more_password_checks_than_the_limit,
    the_limit_expires_after_the_window,
    a_password_reset_lifts_the_accounts_limits,
    a_refusal_says_when_to_retry_in_words_and_in_retry_after,
);

const WRONG: &str = "not the password";

/// A server that believes `X-Forwarded-For` from 127.0.0.1, as behind a reverse proxy.
async fn spawn(d: Dialect) -> TestApp {
    TestApp::spawn_with(TestDb::new(d).await, "trusted_proxies = [\"127.0.0.1\"]").await
}

/// A browser at `ip`: its own cookie jar, not following redirects, reaching us through the proxy.
fn browser_at(ip: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", ip.parse().unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap()
}

/// Posts the sign-in form; returns the status and the page (empty after a redirect).
async fn sign_in(app: &TestApp, c: &reqwest::Client, email: &str, password: &str) -> (StatusCode, String) {
    let r = c.post(app.at("/sign-in")).form(&[("email", email), ("password", password)]).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Signs in expecting a refusal by a limit: 429, with a `Retry-After` header of exactly the
/// minutes the page asks to wait. Returns the page and those minutes.
async fn refused(app: &TestApp, c: &reqwest::Client, email: &str, password: &str) -> (String, u64) {
    let r = c.post(app.at("/sign-in")).form(&[("email", email), ("password", password)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = r
        .headers()
        .get("retry-after")
        .expect("a refusal says when to retry")
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    let page = r.text().await.unwrap();
    let wait = page.split("Please wait ").nth(1).unwrap_or_else(|| panic!("no wait in {page}"));
    let (minutes, unit) = wait.split_once(' ').unwrap();
    let minutes: u64 = minutes.parse().unwrap();
    let unit: String = unit.chars().take_while(|c| c.is_alphabetic()).collect();
    assert_eq!(unit, if minutes == 1 { "minute" } else { "minutes" }, "{page}");
    assert_eq!(retry_after, minutes * 60, "the header and the words agree: {page}");
    (page, minutes)
}

/// Signs in with a wrong password and checks it was really checked (not refused by a limit).
async fn wrong_guess(app: &TestApp, c: &reqwest::Client, email: &str) {
    let (status, page) = sign_in(app, c, email, WRONG).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("do not match"), "{page}");
}

/// True when the client has a working session.
async fn signed_in(app: &TestApp, c: &reqwest::Client) -> bool {
    c.get(app.at("/account")).send().await.unwrap().status() == StatusCode::OK
}

async fn new_account(app: &TestApp, email: &str, name: &str) {
    roundtable_app::admin::console::create_user(&app.state.db, email, name, PASSWORD, false).await.unwrap();
}

async fn a_strangers_guesses_lock_their_address_out_of_the_account_but_not_the_owner(d: Dialect) {
    let app = spawn(d).await;
    app.setup().await;
    new_account(&app, "olive@example.org", "Olive Owner").await;
    new_account(&app, "mallory@example.org", "Mallory").await;
    let stranger = browser_at("203.0.113.66");
    for _ in 0..PAIR_FAILURES {
        wrong_guess(&app, &stranger, "olive@example.org").await;
    }
    // From the stranger's address even the right password is refused now, saying why and how long.
    let (page, minutes) = refused(&app, &stranger, "olive@example.org", PASSWORD).await;
    assert!(page.contains("Too many failed sign-in attempts for this account from this address"), "{page}");
    assert_eq!(minutes, FAILURE_WINDOW_MINUTES as u64, "the first failure has just happened");
    assert!(!signed_in(&app, &stranger).await);
    // Olive, from her own address (never used before), signs in as usual.
    let olive = browser_at("198.51.100.20");
    assert_eq!(sign_in(&app, &olive, "olive@example.org", PASSWORD).await.0, StatusCode::SEE_OTHER);
    assert!(signed_in(&app, &olive).await);
    // Her success clears her own address's failures, not the stranger's.
    assert_eq!(sign_in(&app, &stranger, "olive@example.org", PASSWORD).await.0, StatusCode::TOO_MANY_REQUESTS);
    // The stranger's address is not locked for other accounts by a handful of failures.
    assert_eq!(sign_in(&app, &stranger, "mallory@example.org", PASSWORD).await.0, StatusCode::SEE_OTHER);
}

async fn spraying_many_accounts_from_one_address_is_refused(d: Dialect) {
    let app = spawn(d).await;
    app.setup().await;
    new_account(&app, "cora@example.org", "Cora Colleague").await;
    let sprayer = browser_at("203.0.113.77");
    // One guess per account, so no account-and-address pair comes near its limit.
    for i in 0..ADDRESS_FAILURES {
        wrong_guess(&app, &sprayer, &format!("person{i}@example.org")).await;
    }
    // The address is refused for every account.
    let (page, _) = refused(&app, &sprayer, "cora@example.org", PASSWORD).await;
    assert!(page.contains("Too many failed sign-in attempts from this address"), "{page}");
    assert!(!signed_in(&app, &sprayer).await);
    // Cora, elsewhere, is not affected.
    let cora = browser_at("198.51.100.30");
    assert_eq!(sign_in(&app, &cora, "cora@example.org", PASSWORD).await.0, StatusCode::SEE_OTHER);
    assert!(signed_in(&app, &cora).await);
}

async fn spraying_from_a_shared_address_does_not_lock_out_those_who_signed_in_from_it(d: Dialect) {
    let app = spawn(d).await;
    app.setup().await;
    new_account(&app, "cora@example.org", "Cora Colleague").await;
    // The admin has signed in from the office address before; a stranger there sprays guesses.
    let office = "203.0.113.88";
    let before = browser_at(office);
    assert_eq!(sign_in(&app, &before, "admin@example.org", PASSWORD).await.0, StatusCode::SEE_OTHER);
    let sprayer = browser_at(office);
    for i in 0..ADDRESS_FAILURES {
        wrong_guess(&app, &sprayer, &format!("made-up{i}@example.org")).await;
    }
    // Made-up accounts and Cora, who never signed in from here, wait.
    let (page, _) = refused(&app, &sprayer, "made-up-more@example.org", WRONG).await;
    assert!(page.contains("Too many failed sign-in attempts from this address"), "{page}");
    assert_eq!(sign_in(&app, &browser_at(office), "cora@example.org", PASSWORD).await.0, StatusCode::TOO_MANY_REQUESTS);
    // The admin, from the same address, signs in with the right password.
    let admin = browser_at(office);
    assert_eq!(sign_in(&app, &admin, "admin@example.org", PASSWORD).await.0, StatusCode::SEE_OTHER);
    assert!(signed_in(&app, &admin).await);
    // Guesses at the admin's password from here still stop at the pair limit.
    for _ in 0..PAIR_FAILURES {
        wrong_guess(&app, &sprayer, "admin@example.org").await;
    }
    let (page, _) = refused(&app, &sprayer, "admin@example.org", PASSWORD).await;
    assert!(page.contains("for this account from this address"), "{page}");
}

async fn guessing_from_many_addresses_pauses_only_addresses_the_account_has_not_used(d: Dialect) {
    let app = spawn(d).await;
    app.setup().await;
    new_account(&app, "vera@example.org", "Vera Victim").await;
    // Vera has signed in from her office before.
    let office = "198.51.100.40";
    assert_eq!(sign_in(&app, &browser_at(office), "vera@example.org", PASSWORD).await.0, StatusCode::SEE_OTHER);
    // Attackers at many addresses, each staying within its own pair limit, every guess checked.
    let addresses = ACCOUNT_FAILURES / PAIR_FAILURES;
    const { assert!(PAIR_FAILURES < ACCOUNT_FAILURES, "one address alone cannot reach the account-wide limit") };
    for a in 0..addresses {
        let attacker = browser_at(&format!("203.0.113.{}", 100 + a));
        for _ in 0..PAIR_FAILURES {
            wrong_guess(&app, &attacker, "vera@example.org").await;
        }
    }
    // A further address that never signed in to this account is paused, right password or not.
    let newcomer = browser_at("192.0.2.200");
    let (page, _) = refused(&app, &newcomer, "vera@example.org", PASSWORD).await;
    assert!(page.contains("Too many failed sign-in attempts for this account from different places"), "{page}");
    assert!(!signed_in(&app, &newcomer).await);
    // Vera at her office still gets in.
    let vera = browser_at(office);
    assert_eq!(sign_in(&app, &vera, "vera@example.org", PASSWORD).await.0, StatusCode::SEE_OTHER);
    assert!(signed_in(&app, &vera).await);
}

async fn parallel_guesses_get_no_more_password_checks_than_the_limit(d: Dialect) {
    let app = spawn(d).await;
    app.setup().await;
    new_account(&app, "pat@example.org", "Pat Parallel").await;
    let attacker = browser_at("203.0.113.90");
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..3 * PAIR_FAILURES {
        let (c, url) = (attacker.clone(), app.at("/sign-in"));
        burst.spawn(async move {
            c.post(url).form(&[("email", "pat@example.org"), ("password", WRONG)]).send().await.unwrap().status()
        });
    }
    let mut checked = 0;
    while let Some(status) = burst.join_next().await {
        match status.unwrap() {
            StatusCode::UNPROCESSABLE_ENTITY => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected answer to a guess: {other}"),
        }
    }
    assert!(checked <= PAIR_FAILURES, "{checked} guesses reached the password check at once");
    // Whatever the burst let through, one after the other the total stays at the limit.
    for _ in 0..PAIR_FAILURES {
        if sign_in(&app, &attacker, "pat@example.org", WRONG).await.0 == StatusCode::UNPROCESSABLE_ENTITY {
            checked += 1;
        }
    }
    assert_eq!(checked, PAIR_FAILURES, "exactly the limit of guesses is checked");
    assert_eq!(sign_in(&app, &attacker, "pat@example.org", PASSWORD).await.0, StatusCode::TOO_MANY_REQUESTS);
}

async fn the_limit_expires_after_the_window(d: Dialect) {
    let app = spawn(d).await;
    app.setup().await;
    new_account(&app, "tom@example.org", "Tom Typo").await;
    let tom = browser_at("198.51.100.50");
    for _ in 0..PAIR_FAILURES {
        wrong_guess(&app, &tom, "tom@example.org").await;
    }
    let (status, page) = sign_in(&app, &tom, "tom@example.org", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains(&format!("Please wait {FAILURE_WINDOW_MINUTES} minutes")), "{page}");
    // Sixteen minutes pass (every stored failure moves back in time by that much).
    const { assert!(FAILURE_WINDOW_MINUTES < 16) };
    app.state.db.write("UPDATE login_failures SET at = at - 960000000", vec![]).await.unwrap();
    assert_eq!(sign_in(&app, &tom, "tom@example.org", PASSWORD).await.0, StatusCode::SEE_OTHER);
    assert!(signed_in(&app, &tom).await);
}

async fn a_password_reset_lifts_the_accounts_limits(d: Dialect) {
    let app = spawn(d).await;
    app.setup().await;
    new_account(&app, "rita@example.org", "Rita Reset").await;
    let rita = browser_at("198.51.100.60");
    for _ in 0..PAIR_FAILURES {
        wrong_guess(&app, &rita, "rita@example.org").await;
    }
    assert_eq!(sign_in(&app, &rita, "rita@example.org", PASSWORD).await.0, StatusCode::TOO_MANY_REQUESTS);
    // The message offers a reset; following it lets her in at once from the same address.
    rita.post(app.at("/password/forgot")).form(&[("email", "rita@example.org")]).send().await.unwrap();
    let mails = app.emails_to("rita@example.org").await;
    let link = app.link_in(mails.last().unwrap(), "/password/reset/");
    let r = rita.post(&link).form(&[("password", "a brand new password")]).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/sign-in?notice=reset-done");
    assert_eq!(sign_in(&app, &rita, "rita@example.org", "a brand new password").await.0, StatusCode::SEE_OTHER);
    assert!(signed_in(&app, &rita).await);
}

async fn a_refusal_says_when_to_retry_in_words_and_in_retry_after(d: Dialect) {
    let app = spawn(d).await;
    app.setup().await;
    new_account(&app, "una@example.org", "Una Hurried").await;
    let una = browser_at("198.51.100.70");
    for _ in 0..PAIR_FAILURES {
        wrong_guess(&app, &una, "una@example.org").await;
    }
    assert_eq!(refused(&app, &una, "una@example.org", PASSWORD).await.1, FAILURE_WINDOW_MINUTES as u64);
    // Ten minutes pass: five are left, in the words and in the header.
    const { assert!(FAILURE_WINDOW_MINUTES == 15) };
    app.state.db.write("UPDATE login_failures SET at = at - 600000000", vec![]).await.unwrap();
    assert_eq!(refused(&app, &una, "una@example.org", PASSWORD).await.1, 5);
    // Half a minute is left: "1 minute", 60 seconds (never "0", which would invite a retry now).
    app.state.db.write("UPDATE login_failures SET at = at - 270000000", vec![]).await.unwrap();
    let (page, minutes) = refused(&app, &una, "una@example.org", PASSWORD).await;
    assert_eq!(minutes, 1, "{page}");
    // Waiting it out works.
    app.state.db.write("UPDATE login_failures SET at = at - 60000000", vec![]).await.unwrap();
    assert_eq!(sign_in(&app, &una, "una@example.org", PASSWORD).await.0, StatusCode::SEE_OTHER);
}
