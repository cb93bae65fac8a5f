//! Pages for signing in and out, first-run setup, sign-up, password reset, email verification and
//! invitations. Each handler: extract, one use-case call, render or redirect.

use super::{AcceptInput, NewSession, SetupInput, SignUpInput};
use crate::http::extract::SESSION_COOKIE;
use crate::http::{
    AppError, Errors, Form, Layout, MaybeSigned, Path, Query, Result, Signed, notice, or_form, render, with_status,
};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/setup/{token}", get(setup_form).post(setup))
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/sign-up", get(sign_up_form).post(sign_up))
        .route("/verify/{token}", get(verify))
        .route("/password/forgot", get(forgot_form).post(forgot))
        .route("/password/reset/{token}", get(reset_form).post(reset))
        .route("/invitations/{token}", get(invitation_form).post(accept_invitation))
        .route("/invitations/{token}/decline", post(decline_invitation))
}

fn user_agent(h: &HeaderMap) -> &str {
    h.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS; persistent only with
/// "remember me".
fn session_cookie(state: &AppState, s: NewSession) -> Cookie<'static> {
    let mut c = Cookie::build((SESSION_COOKIE, s.token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies());
    if s.remember {
        c = c.max_age(time_days(state.config.remember_days));
    }
    c.build()
}

fn time_days(days: u32) -> time::Duration {
    time::Duration::days(i64::from(days))
}

fn signed_in(state: &AppState, jar: CookieJar, s: NewSession, to: &str) -> Response {
    (jar.add(session_cookie(state, s)), Redirect::to(to)).into_response()
}

// ---- links that no longer work ----

/// What an emailed link was for, to say what to do now that it no longer works.
#[derive(Clone, Copy)]
enum LinkKind {
    Reset,
    Invitation,
    Verify,
}

#[derive(Template)]
#[template(path = "accounts/link_gone.html")]
struct LinkGonePage {
    layout: Layout,
    message: &'static str,
    action_href: &'static str,
    action_label: &'static str,
}

/// The page for an expired, used or unknown link (still a 404: there is nothing at the address),
/// saying what to do next instead of a bare "Page not found".
fn link_gone(kind: LinkKind, s: &Option<Signed>) -> Result<Response> {
    let signed = s.is_some();
    let (message, action_href, action_label) = match kind {
        LinkKind::Reset => (
            "Password links work once and for a limited time (an hour; a welcome link a week), and choosing a password cancels the older ones. Ask for a new link if you still need one.",
            "/password/forgot",
            "Ask for a new link",
        ),
        LinkKind::Invitation if signed => (
            "Invitation links work once and for a limited time. Your home page lists your networks and any invitation still waiting for you, to accept there; if it is not there, ask the network's organiser to send you a new invitation.",
            "/",
            "Go to your home page",
        ),
        LinkKind::Invitation => (
            "Invitation links work once and for a limited time. If you accepted it already, sign in; otherwise ask the network's organiser to send you a new invitation.",
            "/sign-in",
            "Sign in",
        ),
        LinkKind::Verify if signed => (
            "Confirmation links work once and for three days. If your address is not confirmed yet, send yourself a new link.",
            crate::http::extract::CONFIRM_PATH,
            "Send a new link",
        ),
        LinkKind::Verify => (
            "Confirmation links work once and for three days. Sign in: if your address is not confirmed yet, you can send yourself a new link from there.",
            "/sign-in",
            "Sign in",
        ),
    };
    let page = render(&LinkGonePage {
        layout: Layout::for_maybe("This link has expired or was already used", s),
        message,
        action_href,
        action_label,
    })?;
    Ok(with_status(page, axum::http::StatusCode::NOT_FOUND))
}

// ---- first-run setup ----

#[derive(Template)]
#[template(path = "accounts/setup.html")]
struct SetupPage {
    layout: Layout,
    errors: Errors,
    org_name: String,
    time_zone: String,
    name: String,
    email: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct SetupForm {
    #[serde(default)]
    org_name: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn setup_form(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response> {
    super::setup_link_valid(&state, &token).await?;
    render(&SetupPage {
        layout: Layout::anonymous("Set up Roundtable"),
        errors: Errors::default(),
        org_name: String::new(),
        time_zone: "UTC".to_owned(),
        name: String::new(),
        email: String::new(),
    })
}

async fn setup(
    State(state): State<AppState>,
    Path(token): Path<String>,
    jar: CookieJar,
    headers: HeaderMap,
    Form(f): Form<SetupForm>,
) -> Result<Response> {
    let input = SetupInput {
        org_name: f.org_name.clone(),
        name: f.name.clone(),
        email: f.email.clone(),
        password: f.password,
        time_zone: f.time_zone.clone(),
    };
    or_form(
        super::complete_setup(&state, &token, input, user_agent(&headers)).await,
        |s| Ok(signed_in(&state, jar, s, "/networks/new")),
        |errors| {
            render(&SetupPage {
                layout: Layout::anonymous("Set up Roundtable"),
                errors,
                org_name: f.org_name,
                time_zone: f.time_zone,
                name: f.name,
                email: f.email,
            })
        },
    )
}

// ---- sign in / out ----

#[derive(Template)]
#[template(path = "accounts/sign_in.html")]
struct SignInPage {
    layout: Layout,
    errors: Errors,
    email: String,
    /// "Keep me signed in" as last ticked: an error must not quietly untick it.
    remember: bool,
    next: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct NextQuery {
    #[serde(default)]
    next: String,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    remember: Option<String>,
    #[serde(default)]
    next: String,
}

async fn sign_in_form(MaybeSigned(s): MaybeSigned, Query(q): Query<NextQuery>) -> Result<Response> {
    if s.is_some() {
        return Ok(Redirect::to(crate::http::safe_next(&q.next)).into_response());
    }
    render(&SignInPage {
        layout: Layout::anonymous("Sign in").with_notice(notice(q.notice.as_deref())),
        errors: Errors::default(),
        email: String::new(),
        remember: false,
        next: q.next,
    })
}

async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    headers: HeaderMap,
    Form(f): Form<SignInForm>,
) -> Result<Response> {
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let client = state.config.client_ip(addr.ip(), forwarded);
    let result =
        super::sign_in(&state, &f.email, &f.password, f.remember.is_some(), &client.to_string(), user_agent(&headers))
            .await;
    or_form(
        result,
        |s| Ok(signed_in(&state, jar, s, crate::http::safe_next(&f.next))),
        |errors| {
            render(&SignInPage {
                layout: Layout::anonymous("Sign in"),
                errors,
                email: f.email.clone(),
                remember: f.remember.is_some(),
                next: f.next.clone(),
            })
        },
    )
}

async fn sign_out(State(state): State<AppState>, MaybeSigned(s): MaybeSigned, jar: CookieJar) -> Result<Response> {
    if let Some(s) = s {
        super::sign_out(&state, &s).await?;
    }
    Ok((jar.remove(Cookie::build(SESSION_COOKIE).path("/")), Redirect::to("/sign-in")).into_response())
}

// ---- sign up ----

#[derive(Template)]
#[template(path = "accounts/sign_up.html")]
struct SignUpPage {
    layout: Layout,
    errors: Errors,
    name: String,
    email: String,
    domains: Vec<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct SignUpForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn sign_up_form(State(state): State<AppState>) -> Result<Response> {
    let domains = roundtable_store::org::domains(&state.db).await?;
    render(&SignUpPage {
        layout: Layout::anonymous("Create your account"),
        errors: Errors::default(),
        name: String::new(),
        email: String::new(),
        domains,
    })
}

async fn sign_up(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    headers: HeaderMap,
    Form(f): Form<SignUpForm>,
) -> Result<Response> {
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let client = state.config.client_ip(addr.ip(), forwarded);
    let result = super::sign_up(
        &state,
        SignUpInput { name: f.name.clone(), email: f.email.clone(), password: f.password },
        &client.to_string(),
        user_agent(&headers),
    )
    .await;
    let domains = roundtable_store::org::domains(&state.db).await?;
    or_form(
        result,
        |s| Ok(signed_in(&state, jar, s, "/account/verify?notice=verify-sent")),
        |errors| {
            render(&SignUpPage {
                layout: Layout::anonymous("Create your account"),
                errors,
                name: f.name,
                email: f.email,
                domains,
            })
        },
    )
}

/// Confirms the address and says so: at home when signed in, else on the sign-in page.
async fn verify(
    State(state): State<AppState>,
    Path(token): Path<String>,
    MaybeSigned(s): MaybeSigned,
) -> Result<Response> {
    match super::verify_email(&state, &token).await {
        Ok(()) if s.is_some() => Ok(Redirect::to("/?notice=verified").into_response()),
        Ok(()) => Ok(Redirect::to("/sign-in?notice=verified").into_response()),
        // A second click by someone already confirmed is not worth an error page.
        Err(AppError::NotFound) if s.as_ref().is_some_and(|s| s.user.email_verified_at.is_some()) => {
            Ok(Redirect::to("/?notice=verified").into_response())
        }
        Err(AppError::NotFound) => link_gone(LinkKind::Verify, &s),
        Err(e) => Err(e),
    }
}

// ---- password reset ----

#[derive(Template)]
#[template(path = "accounts/forgot.html")]
struct ForgotPage {
    layout: Layout,
    errors: Errors,
    email: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct EmailForm {
    #[serde(default)]
    email: String,
}

async fn forgot_form() -> Result<Response> {
    render(&ForgotPage {
        layout: Layout::anonymous("Reset your password"),
        errors: Errors::default(),
        email: String::new(),
    })
}

async fn forgot(State(state): State<AppState>, Form(f): Form<EmailForm>) -> Result<Response> {
    or_form(
        super::request_reset(&state, &f.email).await,
        |()| Ok(Redirect::to("/sign-in?notice=reset-sent").into_response()),
        |errors| {
            render(&ForgotPage { layout: Layout::anonymous("Reset your password"), errors, email: f.email.clone() })
        },
    )
}

#[derive(Template)]
#[template(path = "accounts/reset.html")]
struct ResetPage {
    layout: Layout,
    errors: Errors,
    /// A welcome: the account's first password, not a new one.
    first: bool,
}

impl ResetPage {
    fn new(first: bool, errors: Errors) -> Self {
        let title = if first { "Choose your password" } else { "Choose a new password" };
        ResetPage { layout: Layout::anonymous(title), errors, first }
    }
    fn label(&self) -> &'static str {
        if self.first { "Password" } else { "New password" }
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    password: String,
}

async fn reset_form(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response> {
    let Some(first) = super::reset_link_valid(&state, &token).await? else {
        return link_gone(LinkKind::Reset, &None);
    };
    render(&ResetPage::new(first, Errors::default()))
}

async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(f): Form<PasswordForm>,
) -> Result<Response> {
    let first = super::reset_link_valid(&state, &token).await?.unwrap_or(false);
    match super::reset_password(&state, &token, &f.password).await {
        Err(AppError::NotFound) => link_gone(LinkKind::Reset, &None),
        result => or_form(
            result,
            |()| {
                let notice = if first { "password-set" } else { "reset-done" };
                Ok(Redirect::to(&format!("/sign-in?notice={notice}")).into_response())
            },
            |errors| render(&ResetPage::new(first, errors)),
        ),
    }
}

// ---- invitations ----

#[derive(Template)]
#[template(path = "accounts/invitation.html")]
struct InvitationPage {
    layout: Layout,
    errors: Errors,
    token: String,
    email: String,
    network_name: String,
    /// "as its Chair", or nothing for a member.
    role: &'static str,
    account_exists: bool,
    needs_password: bool,
    signed_in_as: Option<String>,
    /// Signed in with another address, for an invitation that would make or open an account.
    signed_in_elsewhere: bool,
    name: String,
    /// The charter to accept with the invitation (version, HTML), for someone not yet a member.
    charter: Option<(i64, String)>,
}

#[derive(Deserialize, Default)]
pub(crate) struct AcceptForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    /// The charter version shown, and whether its box was ticked (as on the joining page).
    accept_charter: Option<String>,
    agree: Option<String>,
}

async fn invitation_page(
    state: &AppState,
    token: &str,
    s: &Option<Signed>,
    errors: Errors,
    name: String,
) -> Result<Response> {
    let v = match super::invitation(state, token).await {
        Err(AppError::NotFound) => return link_gone(LinkKind::Invitation, s),
        v => v?,
    };
    let signed_in_as = s.as_ref().map(|s| s.user.email.clone());
    render(&InvitationPage {
        layout: Layout::for_maybe("Your invitation", s),
        signed_in_elsewhere: v.for_someone_else_than(signed_in_as.as_deref()),
        errors,
        token: token.to_owned(),
        email: v.email,
        network_name: v.network_name.unwrap_or_default(),
        role: if v.role == roundtable_domain::Role::Member { "" } else { v.role.label() },
        account_exists: v.account_exists,
        needs_password: v.needs_password,
        signed_in_as,
        name,
        charter: v.charter,
    })
}

async fn invitation_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    MaybeSigned(s): MaybeSigned,
) -> Result<Response> {
    invitation_page(&state, &token, &s, Errors::default(), String::new()).await
}

#[derive(Template)]
#[template(path = "accounts/declined.html")]
struct DeclinedPage {
    layout: Layout,
    network_name: String,
}

async fn decline_invitation(
    State(state): State<AppState>,
    Path(token): Path<String>,
    MaybeSigned(s): MaybeSigned,
) -> Result<Response> {
    match super::decline_invitation(&state, &token).await {
        Ok(network_name) => {
            render(&DeclinedPage { layout: Layout::for_maybe("Invitation declined", &s), network_name })
        }
        Err(AppError::NotFound) => link_gone(LinkKind::Invitation, &s),
        Err(e) => Err(e),
    }
}

async fn accept_invitation(
    State(state): State<AppState>,
    Path(token): Path<String>,
    MaybeSigned(s): MaybeSigned,
    jar: CookieJar,
    headers: HeaderMap,
    Form(f): Form<AcceptForm>,
) -> Result<Response> {
    let result = super::accept_invitation(
        &state,
        &token,
        s.as_ref(),
        AcceptInput {
            name: f.name.clone(),
            password: f.password,
            accepted_charter: f
                .accept_charter
                .as_deref()
                .filter(|_| f.agree.as_deref() == Some("yes"))
                .and_then(|v| v.parse().ok()),
        },
        user_agent(&headers),
    )
    .await;
    match result {
        Ok((session, slug)) => {
            let to = slug.map_or_else(|| "/".to_owned(), |s| format!("/n/{s}?notice=accepted"));
            Ok(match session {
                Some(sess) => signed_in(&state, jar, sess, &to),
                None => Redirect::to(&to).into_response(),
            })
        }
        Err(AppError::Conflict(e)) => Ok(with_status(
            invitation_page(&state, &token, &s, Errors(vec![e]), f.name).await?,
            axum::http::StatusCode::CONFLICT,
        )),
        Err(AppError::Invalid(errs)) => Ok(with_status(
            invitation_page(&state, &token, &s, Errors(errs), f.name).await?,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(AppError::Unauthenticated) => {
            Ok(Redirect::to(&format!("/sign-in?next=/invitations/{token}")).into_response())
        }
        Err(AppError::NotFound) => link_gone(LinkKind::Invitation, &s),
        Err(e) => Err(e),
    }
}
