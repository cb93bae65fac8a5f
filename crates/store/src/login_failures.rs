//! Failed sign-ins, counted per key (an account or an address) in a time window. Kept in the
//! database so the limit holds across instances.

use crate::{Db, Result, params, queries};
use chrono::{DateTime, Utc};

queries! {
    INSERT = "INSERT INTO login_failures (id, key, at) VALUES ($1, $2, $3)";
    COUNT_SINCE = "SELECT COUNT(*), MIN(at) FROM login_failures WHERE key = $1 AND at > $2";
    CLEAR = "DELETE FROM login_failures WHERE key = $1";
    DELETE_ONE = "DELETE FROM login_failures WHERE id = $1";
    PURGE = "DELETE FROM login_failures WHERE at <= $1";
}

/// Records an attempt counted as failed; returns its id so a success can take it back.
pub async fn record(db: &Db, key: &str, now: DateTime<Utc>) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    db.write(INSERT, params![id.clone(), key, now]).await?;
    Ok(id)
}

pub async fn delete(db: &Db, id: &str) -> Result<()> {
    db.write(DELETE_ONE, params![id]).await.map(|_| ())
}

/// Failures for `key` after `since`, and when the oldest of them happened.
pub async fn count_since(db: &Db, key: &str, since: DateTime<Utc>) -> Result<(i64, Option<DateTime<Utc>>)> {
    match db.read_opt(COUNT_SINCE, params![key, since]).await? {
        Some(r) => Ok((r.int(0)?, r.opt_time(1)?)),
        None => Ok((0, None)),
    }
}

pub async fn clear(db: &Db, key: &str) -> Result<()> {
    db.write(CLEAR, params![key]).await.map(|_| ())
}

pub async fn purge(db: &Db, before: DateTime<Utc>) -> Result<u64> {
    db.write(PURGE, params![before]).await
}
