//! Personal API tokens for `/api/v1`, stored as hashes.

use crate::{Db, Result, Row, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::{TokenId, UserId};

queries! {
    INSERT = "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)";
    FOR_USER = "SELECT id, user_id, name, created_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC";
    LOOKUP = "SELECT t.id, t.user_id, t.name, t.created_at, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND u.deactivated_at IS NULL";
    TOUCH = "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1";
    DELETE = "DELETE FROM api_tokens WHERE id = $1 AND user_id = $2";
    DELETE_ALL_FOR = "DELETE FROM api_tokens WHERE user_id = $1";
}

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: TokenId,
    pub user_id: UserId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

fn map(r: &Row) -> Result<ApiToken> {
    Ok(ApiToken {
        id: TokenId(r.uuid(0)?),
        user_id: UserId(r.uuid(1)?),
        name: r.text(2)?,
        created_at: r.time(3)?,
        last_used_at: r.opt_time(4)?,
    })
}

pub async fn insert(db: &Db, user: UserId, name: &str, hash: &str, now: DateTime<Utc>) -> Result<TokenId> {
    let id = TokenId::new();
    db.write(INSERT, params![id, user, name, hash, now]).await?;
    Ok(id)
}

pub async fn for_user(db: &Db, user: UserId) -> Result<Vec<ApiToken>> {
    db.read(FOR_USER, params![user]).await?.iter().map(map).collect()
}

pub async fn lookup(db: &Db, hash: &str) -> Result<Option<ApiToken>> {
    db.read_opt(LOOKUP, params![hash]).await?.as_ref().map(map).transpose()
}

pub async fn touch(db: &Db, id: TokenId, now: DateTime<Utc>) -> Result<()> {
    db.write(TOUCH, params![id, now]).await.map(|_| ())
}

/// Deletes the token if it belongs to `user`; false when there was no such token of theirs.
pub async fn delete(db: &Db, id: TokenId, user: UserId) -> Result<bool> {
    Ok(db.write(DELETE, params![id, user]).await? > 0)
}

/// Deletes every token of a person (their account is deactivated: a reactivated account starts
/// without the tokens it had, which may have leaked meanwhile).
pub async fn delete_all_for(tx: &mut Tx, user: UserId) -> Result<u64> {
    tx.write(DELETE_ALL_FOR, params![user]).await
}
