//! The "my account" page and its forms.

use super::NewToken;
use crate::http::{
    Errors, Form, Layout, Path, Query, Result, Signed, no_store, notice, render, shown_once, shown_once_removed,
};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

/// Carries a new API token's secret from the form's POST to the account page that shows it once
/// (POST-redirect-GET, so a reload creates nothing); see `http::shown_once`.
const NEW_TOKEN_COOKIE: &str = "rt_new_token";
const ACCOUNT_PATH: &str = "/account";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(page))
        .route("/account/password", post(change_password))
        .route("/account/sessions/sign-out-others", post(sign_out_others))
        .route("/account/sessions/{key}/sign-out", post(sign_out_device))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/delete", post(delete_token))
        .route(crate::http::extract::CONFIRM_PATH, get(confirm_page).post(resend_verification))
        .route("/account/export.json", get(export_json))
        .route("/account/export.csv", get(export_csv))
        .route("/account/deactivate", post(deactivate))
}

struct SessionRow {
    /// What identifies the session in its sign-out form: the stored hash, never the cookie.
    key: String,
    current: bool,
    device: String,
    started: String,
    last_seen: String,
    remember: bool,
}

struct TokenRow {
    id: String,
    name: String,
    created: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "account/account.html")]
struct AccountPage {
    layout: Layout,
    name: String,
    email: String,
    verified: bool,
    errors: Errors,
    sessions: Vec<SessionRow>,
    tokens: Vec<TokenRow>,
    new_token: Option<NewToken>,
    /// The name typed for a token that was refused, shown again.
    token_name: String,
    /// The networks of which the person is the only active Chair (name, slug), said before they
    /// deactivate.
    only_chair_of: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub(crate) struct AccountQuery {
    notice: Option<String>,
}

async fn render_page(
    state: &AppState,
    s: &Signed,
    errors: Errors,
    new_token: Option<NewToken>,
    n: Option<&'static str>,
    token_name: &str,
) -> Result<Response> {
    let fmt = |t: chrono::DateTime<chrono::Utc>| crate::http::time_in(t, s.tz, "%-d %b %Y %H:%M");
    let sessions = super::sessions(state, s)
        .await?
        .into_iter()
        .map(|x| SessionRow {
            current: x.id_hash == s.session_hash,
            device: super::device_name(&x.user_agent),
            started: fmt(x.created_at),
            last_seen: fmt(x.last_seen_at),
            key: x.id_hash,
            remember: x.remember,
        })
        .collect();
    let tokens = super::tokens(state, s)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.to_string(),
            name: t.name,
            created: fmt(t.created_at),
            last_used: t.last_used_at.map_or_else(|| "never".into(), fmt),
        })
        .collect();
    // The token is shown in its section, screens down on a phone: say so at the top (and in the
    // title, which is read out when the page loads).
    let n = n.or(new_token.as_ref().map(|_| "Your new API token is below, under “Personal API tokens”: copy it now."));
    render(&AccountPage {
        layout: Layout::for_user("My account", s).with_notice(n),
        name: s.user.name.clone(),
        email: s.user.email.clone(),
        verified: s.user.email_verified_at.is_some(),
        errors,
        sessions,
        tokens,
        new_token,
        token_name: token_name.to_owned(),
        only_chair_of: super::only_chair_of(state, s.user.id).await?,
    })
}

async fn page(
    State(state): State<AppState>,
    s: Signed,
    jar: CookieJar,
    Query(q): Query<AccountQuery>,
) -> Result<Response> {
    let Some(secret) = jar.get(NEW_TOKEN_COOKIE).map(|c| c.value().to_owned()) else {
        return render_page(&state, &s, Errors::default(), None, notice(q.notice.as_deref()), "").await;
    };
    let new_token = super::new_token(&state, &s, &secret).await?;
    let page = render_page(&state, &s, Errors::default(), new_token, notice(q.notice.as_deref()), "").await?;
    // Shown once: the cookie goes now, and the page stays out of every cache.
    Ok(no_store((jar.remove(shown_once_removed(NEW_TOKEN_COOKIE, ACCOUNT_PATH)), page).into_response()))
}

#[derive(Deserialize, Default)]
pub(crate) struct PasswordChange {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
}

async fn change_password(State(state): State<AppState>, s: Signed, Form(f): Form<PasswordChange>) -> Result<Response> {
    match super::change_password(&state, &s, &f.current, &f.password).await {
        Ok(()) => Ok(Redirect::to("/account?notice=password").into_response()),
        Err(crate::http::AppError::Invalid(errs)) => Ok(crate::http::with_status(
            render_page(&state, &s, Errors(errs), None, None, "").await?,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e),
    }
}

async fn sign_out_others(State(state): State<AppState>, s: Signed) -> Result<Response> {
    super::sign_out_others(&state, &s).await?;
    Ok(Redirect::to("/account?notice=signed-out-others").into_response())
}

async fn sign_out_device(State(state): State<AppState>, s: Signed, Path(key): Path<String>) -> Result<Response> {
    super::sign_out_device(&state, &s, &key).await?;
    Ok(Redirect::to("/account?notice=signed-out-device").into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    s: Signed,
    jar: CookieJar,
    Form(f): Form<TokenForm>,
) -> Result<Response> {
    match super::create_token(&state, &s, &f.name).await {
        Ok(secret) => {
            let cookie = shown_once(NEW_TOKEN_COOKIE, secret, ACCOUNT_PATH, state.config.secure_cookies());
            Ok(no_store((jar.add(cookie), Redirect::to(ACCOUNT_PATH)).into_response()))
        }
        Err(crate::http::AppError::Invalid(errs)) => Ok(crate::http::with_status(
            render_page(&state, &s, Errors(errs), None, None, &f.name).await?,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e),
    }
}

async fn delete_token(State(state): State<AppState>, s: Signed, Path(id): Path<String>) -> Result<Response> {
    super::delete_token(&state, &s, &id).await?;
    Ok(Redirect::to("/account?notice=token-deleted").into_response())
}

#[derive(Template)]
#[template(path = "account/confirm.html")]
struct ConfirmPage {
    layout: Layout,
    email: String,
}

/// Where a person whose address is not confirmed yet lands from any page they may not use yet.
async fn confirm_page(s: Signed, Query(q): Query<AccountQuery>) -> Result<Response> {
    if s.user.email_verified_at.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    render(&ConfirmPage {
        layout: Layout::for_user("Confirm your email address", &s).with_notice(notice(q.notice.as_deref())),
        email: s.user.email.clone(),
    })
}

async fn resend_verification(State(state): State<AppState>, s: Signed) -> Result<Response> {
    crate::accounts::resend_verification(&state, &s).await?;
    let to = if s.user.email_verified_at.is_some() { "/" } else { "/account/verify?notice=verify-sent" };
    Ok(Redirect::to(to).into_response())
}

async fn export_json(State(state): State<AppState>, s: Signed) -> Result<Response> {
    let data = super::my_data(&state, &s.user).await?;
    let body = serde_json::to_string_pretty(&data).map_err(anyhow::Error::from)?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/json"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"my-roundtable-data.json\""),
        ],
        body,
    )
        .into_response())
}

async fn export_csv(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<crate::http::SeparatorQuery>,
) -> Result<Response> {
    let separator = crate::http::Separator::parse(&q.separator)?;
    Ok(data_csv(super::my_data_rows(&state, &s.user).await?, separator))
}

/// "My data" as the CSV file both the page and the API give: one row per field, named by its
/// path in the JSON (`profile.skills[1]`), each value as written (an employee ID `001016` keeps
/// its zeros in a spreadsheet: `http::excel_text`).
pub(crate) fn data_csv(rows: Vec<(String, String)>, separator: crate::http::Separator) -> Response {
    let rows = rows.into_iter().map(|(k, v)| vec![k, crate::http::excel_text(&v).into_owned()]);
    let body = crate::http::csv_bytes_with(separator.byte(), &["field", "value"], rows);
    crate::http::csv_attachment("my-roundtable-data.csv", body)
}

#[derive(Deserialize, Default)]
pub(crate) struct DeactivateForm {
    #[serde(default)]
    confirm_password: String,
}

async fn deactivate(
    State(state): State<AppState>,
    s: Signed,
    jar: axum_extra::extract::CookieJar,
    Form(f): Form<DeactivateForm>,
) -> Result<Response> {
    match super::deactivate(&state, &s.user, &f.confirm_password).await {
        // The page named the networks left with no Chair before the button.
        Ok(_) => Ok((
            jar.remove(axum_extra::extract::cookie::Cookie::build(crate::http::extract::SESSION_COOKIE).path("/")),
            Redirect::to("/sign-in?notice=deactivated"),
        )
            .into_response()),
        Err(crate::http::AppError::Invalid(errs)) => Ok(crate::http::with_status(
            render_page(&state, &s, Errors(errs), None, None, "").await?,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e),
    }
}
