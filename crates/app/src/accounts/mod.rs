//! Accounts: first-run setup, sign-in and sessions, sign-up on allowed domains, password reset,
//! email verification, invitations, and API-token authentication. Use cases here; pages in
//! `pages.rs`.

pub mod pages;

use crate::http::{AppError, Result, Signed};
use crate::mail::{self, Email as Mail};
use crate::security::{hash_password_async, random_token, token_hash, verify_password_async};
use crate::state::AppState;
use chrono::{Duration, Utc};
use roundtable_domain::error::gather;
use roundtable_domain::{Email, FieldError, MembershipStatus, OrgName, Password, PersonName, Role, UserId};
use roundtable_store::links::{self, NewLink, Purpose};
use roundtable_store::users::{self, NewUser, User};
use roundtable_store::{Error as StoreError, Tx, audit, charters, login_failures, networks, org, sessions, tokens};

/// Failed sign-ins allowed in `FAILURE_WINDOW_MINUTES` for one account from one address; then
/// that pair waits (the owner elsewhere is not affected).
pub const PAIR_FAILURES: i64 = 5;
/// Failed sign-ins allowed from one address across all accounts (password spraying); then the
/// address waits — except for accounts that have signed in from it successfully before, which
/// only their own pair limit can stop (strangers' guesses must not lock out a colleague).
pub const ADDRESS_FAILURES: i64 = 20;
/// Failed sign-ins allowed for one account across all addresses (distributed guessing); then
/// sign-ins to it from addresses it has never signed in from successfully wait. Higher than one
/// address can reach (`PAIR_FAILURES`), and never applied to the owner's known addresses.
pub const ACCOUNT_FAILURES: i64 = 30;
pub const FAILURE_WINDOW_MINUTES: i64 = 15;

/// Sign-ups from one network address for an address that has an account already, per
/// `FAILURE_WINDOW_MINUTES`: each runs a password hash, and a run of them is someone finding
/// out who has an account. Successful sign-ups are not counted (a whole office behind one
/// address may sign up on its first day).
pub const SIGN_UP_REFUSALS: i64 = 10;
/// Password-reset emails sent to one address in `RESET_WINDOW_MINUTES`; further requests get the
/// same answer and send nothing, so the form cannot be used to flood someone's inbox.
pub const RESET_EMAILS: i64 = 3;
pub const RESET_WINDOW_MINUTES: i64 = 60;

/// A new session's secret, to put in the cookie, and whether it should outlive the browser.
pub struct NewSession {
    pub token: String,
    pub remember: bool,
}

/// On first start (no organisation yet) makes a one-time setup link and returns its URL.
pub async fn ensure_setup_link(state: &AppState) -> anyhow::Result<Option<String>> {
    if org::get(&state.db).await?.is_some() {
        return Ok(None);
    }
    let token = random_token();
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    links::insert(
        &mut tx,
        &NewLink {
            token_hash: &token_hash(&token),
            purpose: Purpose::Setup,
            email: "",
            user_id: None,
            network_id: None,
            created_by: None,
            role: Role::Member,
            expires_at: now + Duration::days(7),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(format!("{}/setup/{token}", state.config.public_url())))
}

pub struct SetupInput {
    pub org_name: String,
    pub name: String,
    pub email: String,
    pub password: String,
    /// Where most of the organisation works (an IANA name; empty: UTC): new accounts start in it.
    pub time_zone: String,
}

/// Creates the organisation and its first admin from the one-time setup link, and signs them in.
pub async fn complete_setup(state: &AppState, token: &str, input: SetupInput, ua: &str) -> Result<NewSession> {
    let mut errs = Vec::new();
    let org_name = gather(&mut errs, OrgName::parse(&input.org_name));
    let name = gather(&mut errs, PersonName::parse(&input.name));
    let email = gather(&mut errs, Email::parse(&input.email));
    let password = gather(&mut errs, Password::parse(&input.password));
    let zone = match input.time_zone.trim() {
        "" => "UTC",
        z => z,
    };
    if zone.parse::<chrono_tz::Tz>().is_err() {
        errs.push(FieldError::new("time_zone", "Choose a time zone from the list, e.g. Europe/London."));
    }
    let (Some(org_name), Some(name), Some(email), Some(password)) = (org_name, name, email, password) else {
        return Err(AppError::Invalid(errs));
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    // An account made before setup (`roundtable admin create-user`, an import) becomes the first
    // administrator when its own password is given; another address makes a new one.
    let existing = match users::by_email(&state.db, email.as_str()).await? {
        Some(u) => {
            let why = if u.deactivated_at.is_some() {
                "An account with this address exists but is deactivated (by an import, say). Use another address for the first administrator."
            } else if u.password_hash.is_none() {
                "An account with this address exists (made by an import) but has no password yet. Give it one with “roundtable admin reset-password”, then enter it here, or use another address."
            } else if !verify_password_async(password.expose().to_owned(), u.password_hash.clone()).await {
                "An account with this address exists already (made with “roundtable admin create-user”). Enter that account's password to make it the first administrator, or use another address."
            } else {
                ""
            };
            if !why.is_empty() {
                return Err(AppError::Invalid(vec![FieldError::new("email", why)]));
            }
            Some((u.id, u.name))
        }
        None => None,
    };
    let hash = match existing {
        Some(_) => None,
        None => Some(hash_password_async(password.expose().to_owned()).await?),
    };
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    // A link printed by an earlier start, used after setup, is as dead as a used one.
    if links::consume(&mut tx, &token_hash(token), Purpose::Setup, now).await?.is_none() || org::exists(&mut tx).await?
    {
        return Err(AppError::NotFound);
    }
    links::delete_open_setup(&mut tx).await?;
    org::create(&mut tx, org_name.as_str(), zone, now).await?;
    // Accounts made before there was an organisation (`admin create-user`, an import) started in
    // UTC for want of its zone.
    org::move_people(&mut tx, "UTC", zone).await?;
    let (id, name) = match existing {
        Some((id, name)) => {
            users::set_admin(&mut tx, id, true).await?;
            (id, name)
        }
        None => {
            let new = NewUser {
                email: &email,
                name: &name,
                password_hash: hash.as_deref(),
                is_org_admin: true,
                verified: true,
            };
            (users::insert(&mut tx, &new, now).await?, name.as_str().to_owned())
        }
    };
    audit::record(
        &mut tx,
        &audit::NewEntry {
            actor_id: Some(id),
            actor_name: &name,
            action: "organisation.created",
            network_id: None,
            subject: org_name.as_str(),
            detail: "first-run setup",
        },
        now,
    )
    .await?;
    tx.commit().await?;
    start_session(state, id, false, ua).await
}

async fn start_session(state: &AppState, user: UserId, remember: bool, ua: &str) -> Result<NewSession> {
    let token = random_token();
    let now = Utc::now();
    let expires = session_expiry(state, remember, now);
    let ua: String = ua.chars().take(200).collect();
    sessions::insert(&state.db, &token_hash(&token), user, now, expires, remember, &ua).await?;
    Ok(NewSession { token, remember })
}

fn session_expiry(state: &AppState, remember: bool, now: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
    if remember {
        now + Duration::days(i64::from(state.config.remember_days))
    } else {
        now + Duration::hours(i64::from(state.config.session_hours))
    }
}

/// The signed-in person for a session cookie value, sliding the expiry forward now and then
/// (at most every five minutes, so a page view is not a write).
pub async fn session_user(state: &AppState, token: &str) -> Result<Option<Signed>> {
    let now = Utc::now();
    let hash = token_hash(token);
    let commits = roundtable_store::db::local_read_model_commits();
    let Some(found) = users::by_session(&state.db, &hash, now).await? else {
        return Ok(None);
    };
    crate::read_model::note_version(found.read_model_version, commits);
    if now - found.last_seen > Duration::minutes(5) {
        sessions::touch(&state.db, &hash, now, session_expiry(state, found.remember, now)).await?;
    }
    let tz = found.time_zone.parse().unwrap_or(chrono_tz::Tz::UTC);
    Ok(Some(Signed { user: found.user, tz, session_hash: hash, path: String::new() }))
}

pub async fn token_user(state: &AppState, token: &str) -> Result<Option<User>> {
    let Some(t) = tokens::lookup(&state.db, &token_hash(token)).await? else { return Ok(None) };
    let now = Utc::now();
    if t.last_used_at.is_none_or(|at| now - at > Duration::minutes(5)) {
        tokens::touch(&state.db, t.id, now).await?;
    }
    Ok(users::by_id(&state.db, t.user_id).await?)
}

/// Which limit refused a sign-in, for a message that says what happened and what to do.
#[derive(Clone, Copy)]
enum Limit {
    Pair,
    Address,
    Account,
}

/// Whole minutes (at least one) until the oldest counted attempt leaves `window`.
fn minutes_left(oldest: Option<chrono::DateTime<Utc>>, window: Duration, now: chrono::DateTime<Utc>) -> u64 {
    let left = oldest.map_or(window, |o| o + window - now);
    u64::try_from((left.num_seconds() + 59) / 60).unwrap_or(0).max(1)
}

/// A limit's refusal: `message` is given the wait in words ("3 minutes"); `Retry-After` says
/// the same whole minutes.
fn refusal(minutes: u64, message: impl FnOnce(&str) -> String) -> AppError {
    let wait = format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" });
    AppError::RateLimited { message: message(&wait), retry_after_seconds: minutes * 60 }
}

/// The refusal, saying in words and in `Retry-After` how long to wait: the same whole minutes.
fn too_many(limit: Limit, minutes: u64) -> AppError {
    refusal(minutes, |wait| match limit {
        Limit::Pair => format!(
            "Too many failed sign-in attempts for this account from this address. Please wait {wait} and try again, or reset your password."
        ),
        Limit::Address => format!(
            "Too many failed sign-in attempts from this address, for one or more accounts. Please wait {wait} and try again."
        ),
        Limit::Account => format!(
            "Too many failed sign-in attempts for this account from different places, so for now it only accepts sign-ins from networks it has been used from before. Please wait {wait}, sign in from a network you have used before, or reset your password."
        ),
    })
}

/// The client address as the sign-in limits count it: an IPv6 client is counted by its /64
/// network, which one household or one attacker usually holds whole (and within which privacy
/// extensions rotate the owner's address daily); IPv4 and IPv4-mapped addresses as they are.
fn network_of(addr: &str) -> String {
    match addr.parse::<std::net::IpAddr>().map(|a| a.to_canonical()) {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(v4) => v4.to_string(),
        Err(_) => addr.to_owned(),
    }
}

/// Signs in with email and password, under three limits on failed attempts in
/// `FAILURE_WINDOW_MINUTES` (see docs/architecture.md, "Sign-in limits"): per account and
/// address, per address (unless the account has signed in from it before), and per account
/// from addresses it has never signed in from. A
/// successful sign-in clears its pair's failures and always starts a brand-new session (the id
/// rotates).
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    remember: bool,
    addr: &str,
    ua: &str,
) -> Result<NewSession> {
    let now = Utc::now();
    let window = Duration::minutes(FAILURE_WINDOW_MINUTES);
    // An email address has at most 254 characters; longer input would only bloat the keys.
    let email: String = email.trim().to_lowercase().chars().take(320).collect();
    let addr = &network_of(addr);
    let pair_key = format!("pair:{email} {addr}");
    let account_key = account_failure_key(&email);
    let address_key = format!("address:{addr}");
    let keys = login_failures::Keys { pair: &pair_key, address: &address_key, account: &account_key };
    let user = users::by_email(&state.db, &email).await?;
    let known = match &user {
        Some(u) => {
            let since = now - Duration::days(login_failures::ADDRESS_RETENTION_DAYS);
            login_failures::address_known(&state.db, u.id, addr, since).await?
        }
        None => false,
    };
    // Count the attempt as failed *before* looking at the counts and before the slow password
    // check: each request's count then includes every attempt committed before its own, so
    // however many guesses arrive at once, at most the limit of them reach the password check.
    let attempt = login_failures::record(&state.db, keys, now).await?;
    let counts = login_failures::counts_since(&state.db, keys, now - window).await?;
    let over = [
        (Limit::Pair, counts.pair, PAIR_FAILURES),
        // Someone spraying guesses from a shared office address must not lock out the people
        // who work there: an account that signed in from here before is held only by its pair.
        (Limit::Address, counts.address, if known { i64::MAX } else { ADDRESS_FAILURES }),
        (Limit::Account, counts.account, if known { i64::MAX } else { ACCOUNT_FAILURES }),
    ]
    .into_iter()
    .find(|(_, w, limit)| w.count > *limit);
    if let Some((limit, w, _)) = over {
        // A refused attempt checked nothing, so it does not count: waiting out the window is
        // enough, however often someone knocks meanwhile.
        login_failures::take_back(&state.db, &attempt).await?;
        return Err(too_many(limit, minutes_left(w.oldest, window, now)));
    }
    let ok = verify_password_async(password.to_owned(), user.as_ref().and_then(|u| u.password_hash.clone())).await;
    match user {
        Some(u) if ok && u.deactivated_at.is_none() => {
            login_failures::succeeded(&state.db, &attempt, &pair_key).await?;
            login_failures::remember_address(&state.db, u.id, addr, now).await?;
            start_session(state, u.id, remember, ua).await
        }
        // Only whoever knows the password learns that the account exists and is closed. The
        // attempt still counts as failed: no session came of it.
        Some(_) if ok => Err(AppError::Invalid(vec![FieldError::new(
            "form",
            "This account has been deactivated. If you think that is a mistake, ask your organisation's Roundtable administrator to reactivate it.",
        )])),
        _ => Err(AppError::Invalid(vec![FieldError::new(
            "form",
            "That email and password do not match. Check them and try again.",
        )])),
    }
}

pub async fn sign_out(state: &AppState, signed: &Signed) -> Result<()> {
    sessions::delete(&state.db, &signed.session_hash).await?;
    Ok(())
}

pub struct SignUpInput {
    pub name: String,
    pub email: String,
    pub password: String,
}

/// Self sign-up, only for email domains the organisation allows. The address is confirmed by an
/// emailed link; the person is signed in at once.
pub async fn sign_up(state: &AppState, input: SignUpInput, client: &str, ua: &str) -> Result<NewSession> {
    let now = Utc::now();
    let key = format!("signup:{}", network_of(client));
    let (by, all) = (format!("{key}:by"), format!("{key}:all"));
    let keys = login_failures::Keys { pair: &key, address: &by, account: &all };
    let window = Duration::minutes(FAILURE_WINDOW_MINUTES);
    let refused = login_failures::counts_since(&state.db, keys, now - window).await?.pair;
    if refused.count >= SIGN_UP_REFUSALS {
        return Err(refusal(minutes_left(refused.oldest, window, now), |wait| {
            format!(
                "Too many sign-ups from this network for addresses that already have an account. Please wait {wait}; if you have an account, sign in or reset your password."
            )
        }));
    }
    let mut errs = Vec::new();
    let name = gather(&mut errs, PersonName::parse(&input.name));
    let email = gather(&mut errs, Email::parse(&input.email));
    let password = gather(&mut errs, Password::parse(&input.password));
    if let Some(e) = &email
        && !org::domain_allowed(&state.db, e.domain()).await?
    {
        errs.push(FieldError::new(
            "email",
            "Self sign-up is only open to the organisation's own email addresses. Ask an organiser for an invitation.",
        ));
    }
    let (Some(name), Some(email), Some(password), true) = (name, email, password, errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let hash = hash_password_async(password.expose().to_owned()).await?;
    let mut tx = state.db.begin().await?;
    let new = NewUser { email: &email, name: &name, password_hash: Some(&hash), is_org_admin: false, verified: false };
    let id = match users::insert(&mut tx, &new, now).await {
        Ok(id) => id,
        Err(e) => {
            let e = email_taken(e);
            if matches!(e, AppError::Conflict(_)) {
                drop(tx);
                login_failures::record(&state.db, keys, now).await?;
            }
            return Err(e);
        }
    };
    send_verification(state, &mut tx, id, &email).await?;
    tx.commit().await?;
    start_session(state, id, false, ua).await
}

fn email_taken(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(k) if k == "users.email" => AppError::Conflict(FieldError::new(
            "email",
            "An account already uses this email address. Sign in, or reset the password if you forgot it.",
        )),
        e => e.into(),
    }
}

async fn send_verification(state: &AppState, tx: &mut roundtable_store::Tx, user: UserId, email: &Email) -> Result<()> {
    let token = random_token();
    let now = Utc::now();
    links::insert(
        tx,
        &NewLink {
            token_hash: &token_hash(&token),
            purpose: Purpose::Verify,
            email: email.as_str(),
            user_id: Some(user),
            network_id: None,
            created_by: None,
            role: Role::Member,
            expires_at: now + Duration::days(3),
        },
        now,
    )
    .await?;
    let url = format!("{}/verify/{token}", state.config.public_url());
    // Whose Roundtable it is, so the mail is not mistaken for a stranger's.
    let of_org = roundtable_store::org::get(&state.db).await?.map_or(String::new(), |o| format!(" for {}", o.name));
    mail::queue(
        tx,
        &Mail {
            to: email.as_str(),
            subject: "Confirm your email address for Roundtable".into(),
            paragraphs: vec![
                format!("An account on Roundtable{of_org} — where its people's networks meet — was opened with this address."),
                "Please confirm that this is your email address. The link works once and for three days.".into(),
                "If you did not sign up, ignore this email: without the link, the address stays unconfirmed.".into(),
            ],
            action: Some(("Confirm my address", url)),
            reply_to: None,
        },
        now,
    )
    .await?;
    Ok(())
}

/// Sends a new verification link to the signed-in person — as many in an hour as reset links
/// (`RESET_EMAILS`), so the button cannot flood an inbox that is perhaps someone else's.
pub async fn resend_verification(state: &AppState, signed: &Signed) -> Result<()> {
    if signed.user.email_verified_at.is_some() {
        return Ok(());
    }
    let email = Email::parse(&signed.user.email)?;
    let mut tx = state.db.begin().await?;
    links::lock_account(&mut tx, signed.user.id).await?;
    let since = Utc::now() - Duration::minutes(RESET_WINDOW_MINUTES);
    if links::count_sent_since(&mut tx, Purpose::Verify, email.as_str(), since).await? >= RESET_EMAILS {
        tracing::info!(user.id = %signed.user.id, "verification link not sent: hourly limit reached");
        return Ok(());
    }
    send_verification(state, &mut tx, signed.user.id, &email).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn verify_email(state: &AppState, token: &str) -> Result<()> {
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let link = links::consume(&mut tx, &token_hash(token), Purpose::Verify, now).await?.ok_or(AppError::NotFound)?;
    if let Some(user) = link.user_id {
        users::verify_email(&mut tx, user, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Emails a reset link if an active account uses `email`. Says nothing either way, so the form
/// cannot be used to find out who has an account.
pub async fn request_reset(state: &AppState, email: &str) -> Result<()> {
    let Ok(email) = Email::parse(email) else {
        return Err(FieldError::new("email", "Enter an email address like name@example.org.").into());
    };
    // The same work for every address (one queued job): how long the page takes does not tell
    // whether an account uses it. The job looks the address up (`send_requested_reset`).
    let mut tx = state.db.begin().await?;
    crate::jobs::enqueue_tx(
        &mut tx,
        crate::jobs::Kind::PasswordReset,
        &serde_json::json!({ "email": email.as_str() }),
        None,
        Utc::now(),
    )
    .await
    .map_err(AppError::Internal)?;
    tx.commit().await?;
    Ok(())
}

/// Sends the reset link an address asked for, if an active account uses it (run as a job).
pub async fn send_requested_reset(state: &AppState, email: &str) -> Result<()> {
    let Some(user) = users::by_email(&state.db, email).await? else { return Ok(()) };
    if user.deactivated_at.is_some() {
        return tell_deactivated(state, &user).await;
    }
    let mut tx = state.db.begin().await?;
    if send_reset_link(state, &mut tx, &user, None).await? {
        tx.commit().await?;
    } else {
        // The same answer as for a sent link or an unknown address: nothing to learn here.
        tracing::info!(user.id = %user.id, "password reset not sent: hourly limit reached");
    }
    Ok(())
}

/// Answers a reset asked for a deactivated account with why there is no link and whom to ask —
/// to its address only, so the form still tells the asker nothing; at most once a day (the
/// form must not flood an inbox).
async fn tell_deactivated(state: &AppState, user: &users::User) -> Result<()> {
    let ask = admins_to_ask(state, &user.email).await?;
    let now = Utc::now();
    let mail = Mail {
        to: &user.email,
        subject: "Your Roundtable account is deactivated".to_owned(),
        paragraphs: vec![
            "Someone — perhaps you — asked to reset the password of the Roundtable account with this address. That account is deactivated, so no password can be set for it.".to_owned(),
            format!("To use Roundtable again, ask {ask} to reactivate it."),
            "If you did not ask, you can ignore this email.".to_owned(),
        ],
        action: None,
        reply_to: None,
    };
    let once = format!("deactivated-reset:{}:{}", user.id, now.date_naive());
    let mut tx = state.db.begin().await?;
    // Erased since it was looked up: the address is no longer theirs to write to.
    if roundtable_store::events::recipient_locked(&mut tx, user.id).await?.is_none() {
        return Ok(());
    }
    mail::queue_with_ics(&mut tx, &mail, None, Some(once), now).await?;
    tx.commit().await?;
    Ok(())
}

/// "an administrator: Ann (ann@…) and Bo (bo@…)" — the active administrators but `except` (the
/// person written to), for a mail telling someone whom to ask.
pub async fn admins_to_ask(state: &AppState, except: &str) -> Result<String> {
    let admins: Vec<String> = users::admins(&state.db)
        .await?
        .into_iter()
        .filter(|(_, email)| email != except)
        .map(|(name, email)| format!("{name} ({email})"))
        .collect();
    Ok(if admins.is_empty() {
        "your organisation's Roundtable administrator".to_owned()
    } else {
        format!("an administrator: {}", crate::networks::and_list(&admins))
    })
}

/// How long an administrator's welcome link (a password link to someone who never had one) works.
pub const WELCOME_DAYS: i64 = 7;

/// Queues a one-hour reset link to `user` in the caller's transaction, asked for by themselves
/// or by an org admin (`by_admin`, named in the mail). An admin's link to someone who never had
/// a password (imported from HR) is their welcome instead: worded so, and good for a week —
/// a first email is not always read within the hour. False when the hourly limit of links to
/// the address is reached (nothing is written).
pub async fn send_reset_link(state: &AppState, tx: &mut Tx, user: &User, by_admin: Option<&str>) -> Result<bool> {
    let now = Utc::now();
    let welcome = by_admin.filter(|_| user.password_hash.is_none());
    let since = now - Duration::minutes(RESET_WINDOW_MINUTES);
    links::lock_account(tx, user.id).await?;
    if links::count_sent_since(tx, Purpose::Reset, &user.email, since).await? >= RESET_EMAILS {
        return Ok(false);
    }
    let lasts = if welcome.is_some() { Duration::days(WELCOME_DAYS) } else { Duration::hours(1) };
    let token = new_reset_link(tx, user, lasts, now).await?;
    if let Some(admin) = welcome {
        let org = roundtable_store::org::get(&state.db).await?.map(|o| o.name).unwrap_or_default();
        queue_welcome(state, tx, user, &token, admin, &org, now).await?;
        return Ok(true);
    }
    let why = match by_admin {
        Some(admin) => format!("{admin}, an administrator of your organisation's Roundtable, sent you this link to choose a new password. It works once and for one hour. If you did not ask for it, you can ignore this email; your password stays as it is."),
        None => "Someone (we hope you) asked to reset the password of your Roundtable account. The link works once and for one hour. If it was not you, ignore this email; your password stays as it is.".into(),
    };
    mail::queue(
        tx,
        &Mail {
            to: &user.email,
            subject: "Choose a new Roundtable password".into(),
            paragraphs: vec![format!("Hello {},", user.name), why],
            action: Some(("Choose a new password", reset_url(state, &token))),
            reply_to: None,
        },
        now,
    )
    .await?;
    Ok(true)
}

fn reset_url(state: &AppState, token: &str) -> String {
    format!("{}/password/reset/{token}", state.config.public_url())
}

/// Sends each of `people` (accounts without a password) their welcome, from `admin`, in the
/// caller's transaction — after an import, everyone at once. The caller picks people sent no
/// link lately, so the hourly limit on links cannot be reached.
pub async fn send_welcomes(state: &AppState, tx: &mut Tx, people: &[User], admin: &str) -> Result<()> {
    let org = roundtable_store::org::get(&state.db).await?.map(|o| o.name).unwrap_or_default();
    let now = Utc::now();
    for user in people {
        let token = new_reset_link(tx, user, Duration::days(WELCOME_DAYS), now).await?;
        queue_welcome(state, tx, user, &token, admin, &org, now).await?;
    }
    Ok(())
}

/// Stores a new password link to `user`, good for `lasts`; returns its secret for the mail.
async fn new_reset_link(tx: &mut Tx, user: &User, lasts: Duration, now: chrono::DateTime<Utc>) -> Result<String> {
    let token = random_token();
    let link = NewLink {
        token_hash: &token_hash(&token),
        purpose: Purpose::Reset,
        email: &user.email,
        user_id: Some(user.id),
        network_id: None,
        created_by: None,
        role: Role::Member,
        expires_at: now + lasts,
    };
    links::insert(tx, &link, now).await?;
    Ok(token)
}

/// The welcome mail of an account made for someone (by an import) with its link's `token`.
async fn queue_welcome(
    state: &AppState,
    tx: &mut Tx,
    user: &User,
    token: &str,
    admin: &str,
    org: &str,
    now: chrono::DateTime<Utc>,
) -> Result<()> {
    let m = Mail {
        to: &user.email,
        subject: format!(
            "Your Roundtable account{}",
            if org.is_empty() { String::new() } else { format!(" at {org}") }
        ),
        paragraphs: vec![
            format!("Hello {},", user.name),
            format!(
                "{admin} has set up your account on Roundtable, where {} runs its internal networks: their members, events and news. Choose a password to sign in; your email address is your user name.",
                if org.is_empty() { "your organisation" } else { org }
            ),
            format!(
                "The link works once, for {WELCOME_DAYS} days. If it has run out, use “Forgot your password?” on the sign-in page."
            ),
        ],
        action: Some(("Choose my password", reset_url(state, token))),
        reply_to: None,
    };
    mail::queue(tx, &m, now).await?;
    Ok(())
}

/// Whether a reset link is still usable, and if so whether it sets a first password (a welcome:
/// the account has none yet), so the page can say "choose your password", not "a new one".
pub async fn reset_link_valid(state: &AppState, token: &str) -> Result<Option<bool>> {
    let Some(link) = links::peek(&state.db, &token_hash(token), Purpose::Reset, Utc::now()).await? else {
        return Ok(None);
    };
    let user = match link.user_id {
        Some(id) => users::by_id(&state.db, id).await?,
        None => None,
    };
    Ok(Some(user.is_some_and(|u| u.password_hash.is_none())))
}

/// Sets a new password from a reset link, cancels the account's other reset links, signs it
/// out everywhere and revokes its API tokens: whoever had the account before the owner proved
/// the address (someone who signed up with it, or stole a session) keeps nothing.
pub async fn reset_password(state: &AppState, token: &str, password: &str) -> Result<()> {
    let password = Password::parse(password)?;
    let hash = hash_password_async(password.expose().to_owned()).await?;
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let link = links::consume(&mut tx, &token_hash(token), Purpose::Reset, now).await?.ok_or(AppError::NotFound)?;
    let user = link.user_id.ok_or(AppError::NotFound)?;
    users::set_password(&mut tx, user, &hash).await?;
    // Older links sent before this one would otherwise still set a password for an hour.
    links::delete_open_for_user(&mut tx, user, Purpose::Reset).await?;
    // The person proved they own the address, so it is verified too.
    users::verify_email(&mut tx, user, now).await?;
    sessions::delete_for_user(&mut tx, user).await?;
    roundtable_store::tokens::delete_all_for(&mut tx, user).await?;
    tx.commit().await?;
    // Proving the address lifts the account's sign-in limits (not the per-address one).
    forget_failed_sign_ins(state, &link.email).await
}

/// Checks the person's password where it is asked for again (changing it, deactivating the
/// account) under the same limit as a sign-in from one address: after `PAIR_FAILURES` wrong
/// answers in `FAILURE_WINDOW_MINUTES` it is refused until the oldest leaves the window — so a
/// stolen session or API token cannot be used to guess the password. These are counted apart
/// from sign-ins (they are no sign-in, and "download my data" lists failed sign-ins).
pub async fn confirm_password(state: &AppState, user: &User, password: &str) -> Result<bool> {
    let check = verify_password_async(password.to_owned(), user.password_hash.clone());
    counted_try(state, &confirm_key(user.id), PAIR_FAILURES, check, |wait| {
        format!("Too many wrong passwords. Please wait {wait} and try again, or reset your password.")
    })
    .await
}

/// One try at a secret a signed-in person types (their password again, an event's check-in
/// code), counted under `key` so that it cannot be guessed: past `limit` wrong tries in
/// `FAILURE_WINDOW_MINUTES` a try is refused unchecked, `too_many` given the wait in words. A
/// right answer forgets the wrong ones. Whether `check` found it right.
pub(crate) async fn counted_try(
    state: &AppState,
    key: &str,
    limit: i64,
    check: impl std::future::Future<Output = bool>,
    too_many: impl FnOnce(&str) -> String,
) -> Result<bool> {
    let now = Utc::now();
    let window = Duration::minutes(FAILURE_WINDOW_MINUTES);
    // An attempt is one entry under each of three keys; only the first is counted here.
    let (by, all) = (format!("{key}:by"), format!("{key}:all"));
    let keys = login_failures::Keys { pair: key, address: &by, account: &all };
    let attempt = login_failures::record(&state.db, keys, now).await?;
    let counts = login_failures::counts_since(&state.db, keys, now - window).await?;
    if counts.pair.count > limit {
        login_failures::take_back(&state.db, &attempt).await?;
        return Err(refusal(minutes_left(counts.pair.oldest, window, now), too_many));
    }
    let ok = check.await;
    if ok {
        login_failures::succeeded(&state.db, &attempt, key).await?;
    }
    Ok(ok)
}

/// Deletes the failed sign-ins counted against an email address: under the account, and under
/// each (account, address) pair. The per-address counts stay.
/// The key `confirm_password` counts a person's wrong answers under (with `:by` and `:all`).
pub(crate) fn confirm_key(user: UserId) -> String {
    format!("confirm:{user}")
}

/// The key `crate::events::self_check_in` counts a person's wrong check-in codes under.
pub(crate) fn check_in_key(user: UserId) -> String {
    format!("checkin:{user}")
}

/// Forgets a person's wrong password confirmations and check-in codes (when they are erased).
pub async fn forget_failed_confirmations(state: &AppState, user: UserId) -> Result<()> {
    for key in [confirm_key(user), check_in_key(user)] {
        login_failures::clear_with_prefix(&state.db, &key, &format!("{key}:")).await?;
    }
    Ok(())
}

pub async fn forget_failed_sign_ins(state: &AppState, email: &str) -> Result<()> {
    let email = email.trim().to_lowercase();
    login_failures::clear_with_prefix(&state.db, &account_failure_key(&email), &format!("pair:{email} ")).await?;
    Ok(())
}

/// The key failed sign-ins to the account with this address are counted under, from any
/// address ("download my data" lists them).
pub fn account_failure_key(email: &str) -> String {
    format!("account:{}", email.trim().to_lowercase())
}

/// What an invitation link leads to.
pub struct InvitationView {
    pub email: String,
    pub network_name: Option<String>,
    pub network_slug: Option<String>,
    /// The role offered in the network (said when it is not Member).
    pub role: Role,
    pub account_exists: bool,
    /// The account exists but has no password yet (imported from HR): the link proves the
    /// address, so the invitation page lets them choose one and accept in one step.
    pub needs_password: bool,
    /// The network's current charter (version, sanitised HTML) for someone not yet a member:
    /// joining by the link needs it accepted, as joining from the network's page does.
    pub charter: Option<(i64, String)>,
}

impl InvitationView {
    /// Someone signed in with another address would, by accepting, be signed in as the invited
    /// one instead: a second account made by mistake, or a forwarded link taking over an
    /// imported account. (An account with a password needs its owner signed in anyway.)
    pub fn for_someone_else_than(&self, signed_in_as: Option<&str>) -> bool {
        signed_in_as.is_some_and(|me| me != self.email) && (!self.account_exists || self.needs_password)
    }
}

pub async fn invitation(state: &AppState, token: &str) -> Result<InvitationView> {
    let link =
        links::peek(&state.db, &token_hash(token), Purpose::Invite, Utc::now()).await?.ok_or(AppError::NotFound)?;
    let network = match link.network_id {
        Some(id) => networks::by_id(&state.db, id).await?,
        None => None,
    };
    let account = users::by_email(&state.db, &link.email).await?;
    let mut charter = None;
    if let Some(n) = &network {
        let member = match &account {
            Some(u) => {
                networks::membership(&state.db, n.id, u.id).await?.is_some_and(|m| m.status == MembershipStatus::Active)
            }
            None => false,
        };
        if !member {
            charter =
                charters::current(&state.db, n.id).await?.map(|c| (c.version, crate::members::markdown(&c.body, 1)));
        }
    }
    Ok(InvitationView {
        charter,
        account_exists: account.is_some(),
        needs_password: account.is_some_and(|u| u.password_hash.is_none() && u.deactivated_at.is_none()),
        email: link.email,
        role: link.role,
        network_name: network.as_ref().map(|n| n.name.clone()),
        network_slug: network.map(|n| n.slug),
    })
}

/// Declines an invitation to a network by its link, for an address without an account (someone
/// with one declines from the network's page, signed in): the link stops working, the audit log
/// says so, and the organisers — and whoever sent it — are told. Answers the network's name.
pub async fn decline_invitation(state: &AppState, token: &str) -> Result<String> {
    let now = Utc::now();
    let link = links::peek(&state.db, &token_hash(token), Purpose::Invite, now).await?.ok_or(AppError::NotFound)?;
    let Some(network_id) = link.network_id else { return Err(AppError::NotFound) };
    if users::by_email(&state.db, &link.email).await?.is_some() {
        return Err(AppError::Conflict(FieldError::new(
            "form",
            "This address has an account: sign in to decline from the network's page.",
        )));
    }
    let network = networks::by_id(&state.db, network_id).await?.ok_or(AppError::NotFound)?;
    let seen = crate::networks::Seen { network, membership: None };
    let mut tx = state.db.begin().await?;
    // Declined, withdrawn or replaced meanwhile: the link is gone, as its page would say.
    if networks::cancel_invitations(&mut tx, network_id, &link.email, now).await? == 0 {
        return Err(AppError::NotFound);
    }
    let entry = audit::NewEntry {
        actor_id: None,
        actor_name: &link.email,
        action: "membership.invitation_declined",
        network_id: Some(network_id),
        subject: &link.email,
        detail: link.role.as_str(),
    };
    audit::record(&mut tx, &entry, now).await?;
    let who = crate::networks::Leaver { name: &link.email, email: &link.email, key: link.email.clone() };
    crate::networks::tell_organisers_of_leaving(state, &mut tx, &seen, &who, MembershipStatus::Invited).await?;
    tx.commit().await?;
    Ok(seen.network.name)
}

pub struct AcceptInput {
    pub name: String,
    pub password: String,
    /// The charter version the person ticked on the invitation page, if any.
    pub accepted_charter: Option<i64>,
}

/// Accepts an invitation. A newcomer creates their account, and someone whose account has no
/// password yet (imported from HR) chooses one — the link proves the address, so either is
/// confirmed and signed in with a new session. Someone with a password must be signed in as
/// the invited address (which the link then confirms too).
pub async fn accept_invitation(
    state: &AppState,
    token: &str,
    signed: Option<&Signed>,
    input: AcceptInput,
    ua: &str,
) -> Result<(Option<NewSession>, Option<String>)> {
    let now = Utc::now();
    let view = invitation(state, token).await?;
    if view.for_someone_else_than(signed.map(|s| s.user.email.as_str())) {
        return Err(AppError::Forbidden(
            "This invitation is for another email address than the one you are signed in with. Sign out to accept it for that address, or ask the organiser to invite yours.",
        ));
    }
    let charter_version = view.charter.as_ref().map(|(v, _)| *v);
    if let Some(v) = charter_version {
        crate::charter::check_ticked(
            v,
            input.accepted_charter,
            "Please read the charter and tick the box to accept it before joining.",
        )?;
    }
    // (account, its new password hash) for an account that gets its first password here.
    let mut first_password = None;
    let (user_id, new_account) = if view.needs_password {
        let password = Password::parse(&input.password).map_err(|e| AppError::Invalid(vec![e]))?;
        let hash = hash_password_async(password.expose().to_owned()).await?;
        let user = users::by_email(&state.db, &view.email).await?.ok_or(AppError::NotFound)?;
        first_password = Some((user.id, user.name, hash));
        (Some(user.id), None)
    } else if view.account_exists {
        let s = signed.ok_or(AppError::Unauthenticated)?;
        if s.user.email != view.email {
            return Err(AppError::Forbidden(
                "This invitation was sent to another email address. Sign in with that address to accept it.",
            ));
        }
        (Some(s.user.id), None)
    } else {
        let mut errs = Vec::new();
        let name = gather(&mut errs, PersonName::parse(&input.name));
        let password = gather(&mut errs, Password::parse(&input.password));
        let (Some(name), Some(password)) = (name, password) else { return Err(AppError::Invalid(errs)) };
        (None, Some((name, hash_password_async(password.expose().to_owned()).await?)))
    };
    let mut tx = state.db.begin().await?;
    let link = links::consume(&mut tx, &token_hash(token), Purpose::Invite, now).await?.ok_or(AppError::NotFound)?;
    let email = Email::parse(&link.email)?;
    if let Some((id, _, hash)) = &first_password {
        users::set_password(&mut tx, *id, hash).await?;
    }
    let user_id = match (user_id, &new_account) {
        (Some(id), _) => id,
        (None, Some((name, hash))) => users::insert(
            &mut tx,
            &NewUser { email: &email, name, password_hash: Some(hash), is_org_admin: false, verified: true },
            now,
        )
        .await
        .map_err(email_taken)?,
        (None, None) => return Err(AppError::NotFound),
    };
    // Opening the link proves the address (a new account is inserted confirmed already).
    users::verify_email(&mut tx, user_id, now).await?;
    if let Some(net) = link.network_id {
        // Accept what was offered without undoing what is already true: an existing membership
        // keeps its role (a Chair clicking an old link stays Chair); a newcomer gets the role
        // the invitation named.
        match networks::membership(&state.db, net, user_id).await?.map(|m| m.status) {
            Some(MembershipStatus::Active) => {}
            Some(from) => {
                networks::transition(&mut tx, net, user_id, from, MembershipStatus::Active, now).await?;
            }
            None => {
                networks::upsert_membership(&mut tx, net, user_id, link.role, MembershipStatus::Active, now).await?
            }
        }
        if let Some(v) = charter_version {
            charters::accept(&mut tx, net, user_id, v, now).await?;
        }
        let actor_name = match (&new_account, &first_password) {
            (Some((n, _)), _) => n.as_str().to_owned(),
            (None, Some((_, n, _))) => n.clone(),
            (None, None) => signed.map(|s| s.user.name.clone()).unwrap_or_default(),
        };
        audit::record(
            &mut tx,
            &audit::NewEntry {
                actor_id: Some(user_id),
                actor_name: &actor_name,
                action: "membership.invitation_accepted",
                network_id: Some(net),
                subject: email.as_str(),
                detail: "",
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    let session = if new_account.is_some() || first_password.is_some() {
        Some(start_session(state, user_id, false, ua).await?)
    } else {
        None
    };
    Ok((session, view.network_slug))
}

/// Fails with "not found" unless the setup link is live.
pub async fn setup_link_valid(state: &AppState, token: &str) -> Result<()> {
    links::peek(&state.db, &token_hash(token), Purpose::Setup, Utc::now()).await?.map(|_| ()).ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::network_of;

    #[test]
    fn ipv6_clients_are_counted_by_their_64_network_and_ipv4_as_they_are() {
        assert_eq!(network_of("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(network_of("2001:db8:1:2:bbbb:cccc:dddd:eeee"), "2001:db8:1:2::/64");
        assert_ne!(network_of("2001:db8:1:3::1"), network_of("2001:db8:1:2::1"));
        assert_eq!(network_of("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(network_of("192.0.2.7"), "192.0.2.7");
    }
}
