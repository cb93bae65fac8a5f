//! Who is asking. `Signed` needs a browser session (else the person is sent to sign in) and a
//! confirmed email address (else only the pages in `open_before_confirmation` answer),
//! `MaybeSigned` allows anonymous visitors, `ApiUser` needs a personal API token and a confirmed
//! address. `Query` and `Path` are axum's for pages: what they cannot read is refused with the
//! error page (400, saying which parameter and why) rather than axum's plain text.

use crate::accounts;
use crate::http::{ApiError, AppError};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use roundtable_domain::Actor;
use roundtable_store::users::User;

pub const SESSION_COOKIE: &str = "rt_session";

/// Query-string parameters, for pages (`crate::api::extract::Query` for the API).
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

/// Path parameters, for pages (`crate::api::extract::Path` for the API).
#[derive(Debug, Clone, Copy, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

/// A signed-in person and their session.
#[derive(Debug, Clone)]
pub struct Signed {
    pub user: User,
    /// Their profile's time zone (UTC when unset or unknown): pages write days and times in it.
    pub tz: chrono_tz::Tz,
    pub session_hash: String,
    /// The page asked for (no query), for the navigation's "you are here".
    pub path: String,
}

impl Signed {
    pub fn actor(&self) -> Actor {
        Actor { user_id: self.user.id, is_org_admin: self.user.is_org_admin }
    }
}

pub struct MaybeSigned(pub Option<Signed>);

impl FromRequestParts<AppState> for MaybeSigned {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(s) = parts.extensions.get::<Signed>() {
            return Ok(MaybeSigned(Some(s.clone())));
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
            return Ok(MaybeSigned(None));
        };
        let mut signed = accounts::session_user(state, &token).await?;
        if let Some(s) = &mut signed {
            s.path = parts.uri.path().to_owned();
            parts.extensions.insert(s.clone());
        }
        Ok(MaybeSigned(signed))
    }
}

/// Where someone whose address is not confirmed yet is sent: a page saying so, with a button
/// to send the link again.
pub const CONFIRM_PATH: &str = "/account/verify";

/// The pages a signed-in person may use before confirming their address: home, their own
/// account (password, sessions, deactivation), the confirmation page and signing out.
/// Everything else would act on an address nobody has proven to hold — joining a network its
/// organisers invited that address to, reading member lists, browsing the directory — and so
/// would "download my data", which gathers what was sent and recorded for the address (an
/// invitation to a private network, say) before anyone signed up with it.
fn open_before_confirmation(path: &str) -> bool {
    path == "/"
        || path == "/sign-out"
        || path == "/account"
        || (path.starts_with("/account/") && !path.starts_with("/account/export"))
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    /// The one check that a signed-in person has confirmed their address: every page that
    /// needs a session takes `Signed`, so none can forget it.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let next = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        // Only GET pages are worth coming back to; a form post starts again from its page.
        let next = if parts.method == axum::http::Method::GET { next } else { "/".to_owned() };
        let signed = MaybeSigned::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?
            .0
            .ok_or_else(|| AppError::SignInFirst { next }.into_response())?;
        if signed.user.email_verified_at.is_none() && !open_before_confirmation(parts.uri.path()) {
            return Err(Redirect::to(CONFIRM_PATH).into_response());
        }
        Ok(signed)
    }
}

/// A person calling `/api/v1` with `Authorization: Bearer <token>`.
pub struct ApiUser(pub User);

impl ApiUser {
    pub fn actor(&self) -> Actor {
        Actor { user_id: self.0.id, is_org_admin: self.0.is_org_admin }
    }
}

/// The token of an `Authorization: Bearer …` header. The scheme name is case-insensitive (RFC
/// 9110 §11.1): `bearer rt_…` is as good as `Bearer`.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim_start().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or(ApiError(AppError::Unauthenticated))?;
        let user = accounts::token_user(state, token).await?.ok_or(ApiError(AppError::Unauthenticated))?;
        if user.email_verified_at.is_none() {
            return Err(ApiError(AppError::Forbidden(
                "Confirm your email address first: open the link we emailed you, or send a new one from My account.",
            )));
        }
        Ok(ApiUser(user))
    }
}
