//! Failed sign-ins, counted per key (an account, an address, or the pair of both) in a time
//! window, and the addresses each account has signed in from successfully. Kept in the database
//! so the limits hold across instances. The limits themselves are decided in the app.

use crate::{Db, Result, params, queries};
use chrono::{DateTime, Duration, Utc};
use roundtable_domain::UserId;

queries! {
    INSERT_ATTEMPT = "INSERT INTO login_failures (id, key, at) VALUES ($1, $2, $3), ($4, $5, $3), ($6, $7, $3)";
    COUNTS_SINCE = "SELECT key, COUNT(*), MIN(at) FROM login_failures WHERE key IN ($1, $2, $3) AND at > $4 GROUP BY key";
    TAKE_BACK = "DELETE FROM login_failures WHERE id IN ($1, $2, $3)";
    SUCCEEDED = "DELETE FROM login_failures WHERE id IN ($1, $2, $3) OR key = $4";
    CLEAR_LIKE = "DELETE FROM login_failures WHERE key = $1 OR key LIKE $2 ESCAPE '\\'";
    PURGE = "DELETE FROM login_failures WHERE at <= $1";
    ADDRESS_KNOWN = "SELECT 1 FROM login_addresses WHERE user_id = $1 AND address = $2 AND last_success_at > $3";
    REMEMBER_ADDRESS = "INSERT INTO login_addresses (user_id, address, last_success_at) VALUES ($1, $2, $3) ON CONFLICT (user_id, address) DO UPDATE SET last_success_at = excluded.last_success_at";
    FORGET_STALE_ADDRESSES = "DELETE FROM login_addresses WHERE user_id = $1 AND last_success_at <= $2";
    ADDRESSES_FOR_USER = "SELECT address, last_success_at FROM login_addresses WHERE user_id = $1 ORDER BY last_success_at DESC";
    PURGE_ADDRESSES = "DELETE FROM login_addresses WHERE last_success_at <= $1 OR user_id IN (SELECT id FROM users WHERE deactivated_at IS NOT NULL)";
    TIMES_FOR_KEY = "SELECT at FROM login_failures WHERE key = $1 ORDER BY at";
}

/// How long an address stays known after its last successful sign-in.
pub const ADDRESS_RETENTION_DAYS: i64 = 90;

/// The three keys one sign-in attempt is counted under.
#[derive(Debug, Clone, Copy)]
pub struct Keys<'a> {
    pub pair: &'a str,
    pub address: &'a str,
    pub account: &'a str,
}

/// One attempt's entries (one per key), so they can be taken back.
#[derive(Debug, Clone)]
pub struct Attempt([String; 3]);

/// Failures under one key in the window, and when the oldest of them happened.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    pub count: i64,
    pub oldest: Option<DateTime<Utc>>,
}

/// Failures in the window under each key of an attempt.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub pair: Window,
    pub address: Window,
    pub account: Window,
}

/// Records an attempt as failed under all three keys in one statement (committed before it
/// returns, so a count made afterwards by any request sees it); returns it so a success or a
/// refusal can take it back.
pub async fn record(db: &Db, keys: Keys<'_>, now: DateTime<Utc>) -> Result<Attempt> {
    let ids = [(); 3].map(|()| uuid::Uuid::now_v7().to_string());
    db.write(
        INSERT_ATTEMPT,
        params![ids[0].clone(), keys.pair, now, ids[1].clone(), keys.address, ids[2].clone(), keys.account],
    )
    .await?;
    Ok(Attempt(ids))
}

/// Deletes an attempt's entries.
pub async fn take_back(db: &Db, attempt: &Attempt) -> Result<()> {
    let [a, b, c] = &attempt.0;
    db.write(TAKE_BACK, params![a, b, c]).await.map(|_| ())
}

/// Failures after `since` under each key.
pub async fn counts_since(db: &Db, keys: Keys<'_>, since: DateTime<Utc>) -> Result<Counts> {
    let mut counts = Counts::default();
    for r in db.read(COUNTS_SINCE, params![keys.pair, keys.address, keys.account, since]).await? {
        let key = r.text(0)?;
        let w = Window { count: r.int(1)?, oldest: r.opt_time(2)? };
        // Checked in this order so that, should two keys ever be equal, each gets the count.
        for (k, slot) in
            [(keys.pair, &mut counts.pair), (keys.address, &mut counts.address), (keys.account, &mut counts.account)]
        {
            if k == key {
                *slot = w;
            }
        }
    }
    Ok(counts)
}

/// After a successful sign-in: takes the attempt back and deletes every failure under `pair`.
pub async fn succeeded(db: &Db, attempt: &Attempt, pair: &str) -> Result<()> {
    let [a, b, c] = &attempt.0;
    db.write(SUCCEEDED, params![a, b, c, pair]).await.map(|_| ())
}

/// Deletes every failure under `key` and under every key that starts with `prefix`.
pub async fn clear_with_prefix(db: &Db, key: &str, prefix: &str) -> Result<()> {
    let escaped = prefix.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    db.write(CLEAR_LIKE, params![key, format!("{escaped}%")]).await.map(|_| ())
}

/// True when `user` has signed in successfully from `address` after `since`.
pub async fn address_known(db: &Db, user: UserId, address: &str, since: DateTime<Utc>) -> Result<bool> {
    Ok(db.read_opt(ADDRESS_KNOWN, params![user, address, since]).await?.is_some())
}

/// Notes a successful sign-in of `user` from `address`, and forgets the user's addresses that
/// have not been used for `ADDRESS_RETENTION_DAYS`.
pub async fn remember_address(db: &Db, user: UserId, address: &str, now: DateTime<Utc>) -> Result<()> {
    db.write(REMEMBER_ADDRESS, params![user, address, now]).await?;
    db.write(FORGET_STALE_ADDRESSES, params![user, now - Duration::days(ADDRESS_RETENTION_DAYS)]).await?;
    Ok(())
}

/// The addresses `user` has signed in from, most recent first, with when (for "my data").
pub async fn addresses_for_user(db: &Db, user: UserId) -> Result<Vec<(String, DateTime<Utc>)>> {
    db.read(ADDRESSES_FOR_USER, params![user]).await?.iter().map(|r| Ok((r.text(0)?, r.time(1)?))).collect()
}

/// Deletes failures from `before` or earlier, sign-in addresses unused for
/// `ADDRESS_RETENTION_DAYS` before it, and those of deactivated (or erased) accounts.
pub async fn purge(db: &Db, before: DateTime<Utc>) -> Result<u64> {
    let failures = db.write(PURGE, params![before]).await?;
    let addresses = db.write(PURGE_ADDRESSES, params![before - Duration::days(ADDRESS_RETENTION_DAYS)]).await?;
    Ok(failures + addresses)
}

/// When the failures still counted under `key` happened, oldest first.
pub async fn times_for_key(db: &Db, key: &str) -> Result<Vec<DateTime<Utc>>> {
    db.read(TIMES_FOR_KEY, params![key]).await?.iter().map(|r| r.time(0)).collect()
}
