//! Sign-in sessions, stored so every instance sees them. Only a hash of the cookie value is kept,
//! so a leaked database does not hand out sessions.

use crate::{Db, Result, Row, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::UserId;

queries! {
    INSERT = "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, remember, user_agent) VALUES ($1, $2, $3, $3, $4, $5, $6)";
    TOUCH = "UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id_hash = $1";
    DELETE = "DELETE FROM sessions WHERE id_hash = $1";
    DELETE_FOR_USER = "DELETE FROM sessions WHERE user_id = $1";
    DELETE_OTHERS = "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2";
    DELETE_ONE_OF = "DELETE FROM sessions WHERE user_id = $1 AND id_hash = $2";
    FOR_USER = "SELECT id_hash, user_id, created_at, last_seen_at, expires_at, remember, user_agent FROM sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC";
    PURGE = "DELETE FROM sessions WHERE expires_at <= $1";
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub remember: bool,
    pub user_agent: String,
}

fn map(r: &Row) -> Result<Session> {
    Ok(Session {
        id_hash: r.text(0)?,
        user_id: UserId(r.uuid(1)?),
        created_at: r.time(2)?,
        last_seen_at: r.time(3)?,
        expires_at: r.time(4)?,
        remember: r.bool(5)?,
        user_agent: r.text(6)?,
    })
}

pub async fn insert(
    db: &Db,
    id_hash: &str,
    user: UserId,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
    remember: bool,
    user_agent: &str,
) -> Result<()> {
    db.write(INSERT, params![id_hash, user, now, expires, remember, user_agent]).await.map(|_| ())
}

pub async fn touch(db: &Db, id_hash: &str, now: DateTime<Utc>, expires: DateTime<Utc>) -> Result<()> {
    db.write(TOUCH, params![id_hash, now, expires]).await.map(|_| ())
}

pub async fn delete(db: &Db, id_hash: &str) -> Result<bool> {
    Ok(db.write(DELETE, params![id_hash]).await? > 0)
}

pub async fn delete_for_user(tx: &mut Tx, user: UserId) -> Result<u64> {
    tx.write(DELETE_FOR_USER, params![user]).await
}

pub async fn delete_others(tx: &mut Tx, user: UserId, keep_hash: &str) -> Result<u64> {
    tx.write(DELETE_OTHERS, params![user, keep_hash]).await
}

/// Ends one of `user`'s sessions (none of anyone else's); whether there was one.
pub async fn delete_one_of(db: &Db, user: UserId, id_hash: &str) -> Result<bool> {
    Ok(db.write(DELETE_ONE_OF, params![user, id_hash]).await? > 0)
}

pub async fn for_user(db: &Db, user: UserId, now: DateTime<Utc>) -> Result<Vec<Session>> {
    db.read(FOR_USER, params![user, now]).await?.iter().map(map).collect()
}

pub async fn purge(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    db.write(PURGE, params![now]).await
}
