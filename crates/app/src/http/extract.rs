//! Who is asking. `Signed` needs a browser session (else the person is sent to sign in),
//! `MaybeSigned` allows anonymous visitors, `ApiUser` needs a personal API token.

use crate::accounts;
use crate::http::{ApiError, AppError};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use axum_extra::extract::CookieJar;
use roundtable_domain::Actor;
use roundtable_store::users::User;

pub const SESSION_COOKIE: &str = "rt_session";

/// A signed-in person and their session.
#[derive(Debug, Clone)]
pub struct Signed {
    pub user: User,
    pub session_hash: String,
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
        let signed = accounts::session_user(state, &token).await?;
        if let Some(s) = &signed {
            parts.extensions.insert(s.clone());
        }
        Ok(MaybeSigned(signed))
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let next = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        // Only GET pages are worth coming back to; a form post starts again from its page.
        let next = if parts.method == axum::http::Method::GET { next } else { "/".to_owned() };
        MaybeSigned::from_request_parts(parts, state).await?.0.ok_or(AppError::SignInFirst { next })
    }
}

/// A person calling `/api/v1` with `Authorization: Bearer <token>`.
pub struct ApiUser(pub User);

impl ApiUser {
    pub fn actor(&self) -> Actor {
        Actor { user_id: self.0.id, is_org_admin: self.0.is_org_admin }
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError(AppError::Unauthenticated))?;
        accounts::token_user(state, token.trim()).await?.map(ApiUser).ok_or(ApiError(AppError::Unauthenticated))
    }
}
