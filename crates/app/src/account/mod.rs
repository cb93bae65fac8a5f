//! My account: change password, see and end sessions, manage personal API tokens.

pub mod pages;

use crate::http::{AppError, Result, Signed};
use crate::security::{hash_password_async, random_token, token_hash, verify_password_async};
use crate::state::AppState;
use chrono::Utc;
use roundtable_domain::{FieldError, Password, TokenId, parse_token_name};
use roundtable_store::{sessions, tokens};

pub async fn change_password(state: &AppState, s: &Signed, current: &str, new: &str) -> Result<()> {
    let mut errs = Vec::new();
    if !verify_password_async(current.to_owned(), s.user.password_hash.clone()).await {
        errs.push(FieldError::new("current", "Your current password is not right."));
    }
    let new = Password::parse(new).map_err(|e| errs.push(e)).ok();
    let Some(new) = new.filter(|_| errs.is_empty()) else { return Err(AppError::Invalid(errs)) };
    let hash = hash_password_async(new.expose().to_owned()).await?;
    let mut tx = state.db.begin().await?;
    roundtable_store::users::set_password(&mut tx, s.user.id, &hash).await?;
    tx.commit().await?;
    // A changed password ends every other session: if it leaked, the intruder is out.
    sessions::delete_others(&state.db, s.user.id, &s.session_hash).await?;
    Ok(())
}

pub async fn sessions(state: &AppState, s: &Signed) -> Result<Vec<sessions::Session>> {
    Ok(sessions::for_user(&state.db, s.user.id, Utc::now()).await?)
}

pub async fn sign_out_others(state: &AppState, s: &Signed) -> Result<u64> {
    Ok(sessions::delete_others(&state.db, s.user.id, &s.session_hash).await?)
}

pub async fn tokens(state: &AppState, s: &Signed) -> Result<Vec<tokens::ApiToken>> {
    Ok(tokens::for_user(&state.db, s.user.id).await?)
}

/// Creates a token and returns its secret, shown once.
pub async fn create_token(state: &AppState, s: &Signed, name: &str) -> Result<String> {
    let name = parse_token_name(name)?;
    let secret = format!("rt_{}", random_token());
    tokens::insert(&state.db, s.user.id, &name, &token_hash(&secret), Utc::now()).await?;
    Ok(secret)
}

pub async fn delete_token(state: &AppState, s: &Signed, id: &str) -> Result<()> {
    let id = TokenId::parse(id).ok_or(AppError::NotFound)?;
    if tokens::delete(&state.db, id, s.user.id).await? { Ok(()) } else { Err(AppError::NotFound) }
}
