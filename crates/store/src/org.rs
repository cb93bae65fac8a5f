//! The organisation (one per installation) and the email domains allowed to sign up.

use crate::{Db, Result, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::EmailDomain;

queries! {
    ORG = "SELECT id, name, created_at, time_zone FROM organisation LIMIT 1";
    SET_ORG = "UPDATE organisation SET name = $1, time_zone = $2";
    /// People whose pages are written in a zone: those an organisation's new zone may move.
    IN_ZONE = "SELECT COUNT(*) FROM users WHERE time_zone = $1 AND deactivated_at IS NULL";
    MOVE_ZONE = "UPDATE users SET time_zone = $2 WHERE time_zone = $1 AND deactivated_at IS NULL";
    EXISTS = "SELECT 1 FROM organisation";
    INSERT_ORG = "INSERT INTO organisation (id, name, created_at, time_zone) VALUES ($1, $2, $3, $4)";
    DOMAINS = "SELECT domain FROM allowed_domains ORDER BY domain";
    ADD_DOMAIN = "INSERT INTO allowed_domains (domain, created_at) VALUES ($1, $2) ON CONFLICT (domain) DO NOTHING";
    REMOVE_DOMAIN = "DELETE FROM allowed_domains WHERE domain = $1";
    DOMAIN_ALLOWED = "SELECT 1 FROM allowed_domains WHERE domain = $1";
    /// Held until the transaction ends by changes that count something organisation-wide before
    /// acting (the last administrator, invitations an address had today), so two at once take
    /// turns on PostgreSQL too (SQLite's one writer does so already).
    LOCK = "UPDATE organisation SET name = name";
}

/// Takes the organisation's lock for the rest of the transaction (see `LOCK`).
pub async fn lock(tx: &mut Tx) -> Result<()> {
    tx.lock_row(LOCK, params![]).await.map(|_| ())
}

#[derive(Debug, Clone)]
pub struct Organisation {
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Where new accounts start (an IANA name): `users::insert` and the HR import copy it.
    pub time_zone: String,
}

fn map(r: &crate::Row) -> Result<Organisation> {
    Ok(Organisation { name: r.text(1)?, created_at: r.time(2)?, time_zone: r.text(3)? })
}

pub async fn get(db: &Db) -> Result<Option<Organisation>> {
    db.read_opt(ORG, vec![]).await?.as_ref().map(map).transpose()
}

/// The organisation as `tx` sees it (under `lock`, as a change reads what it replaces).
pub async fn get_in(tx: &mut Tx) -> Result<Option<Organisation>> {
    tx.read_opt(ORG, vec![]).await?.as_ref().map(map).transpose()
}

/// Renames the organisation and sets the time zone new accounts start in.
pub async fn update(tx: &mut Tx, name: &str, time_zone: &str) -> Result<()> {
    tx.write(SET_ORG, params![name, time_zone]).await.map(|_| ())
}

/// How many active accounts have their pages in `zone`.
pub async fn people_in_zone(db: &Db, zone: &str) -> Result<i64> {
    db.read(IN_ZONE, params![zone]).await?.first().map_or(Ok(0), |r| r.int(0))
}

/// Moves every active account from one zone to another; returns how many moved.
pub async fn move_people(tx: &mut Tx, from: &str, to: &str) -> Result<u64> {
    tx.write(MOVE_ZONE, params![from, to]).await
}

/// Whether the installation has its organisation (inside a transaction about to create one).
pub async fn exists(tx: &mut Tx) -> Result<bool> {
    Ok(tx.read_opt(EXISTS, vec![]).await?.is_some())
}

/// Creates the organisation; the database refuses a second one (`organisation_only_one`).
pub async fn create(tx: &mut Tx, name: &str, time_zone: &str, now: DateTime<Utc>) -> Result<()> {
    tx.write(INSERT_ORG, params![uuid::Uuid::now_v7(), name, now, time_zone]).await.map(|_| ())
}

pub async fn domains(db: &Db) -> Result<Vec<String>> {
    db.read(DOMAINS, vec![]).await?.iter().map(|r| r.text(0)).collect()
}

pub async fn add_domain(tx: &mut Tx, d: &EmailDomain, now: DateTime<Utc>) -> Result<bool> {
    Ok(tx.write(ADD_DOMAIN, params![d.as_str(), now]).await? > 0)
}

pub async fn remove_domain(tx: &mut Tx, d: &str) -> Result<bool> {
    Ok(tx.write(REMOVE_DOMAIN, params![d]).await? > 0)
}

pub async fn domain_allowed(db: &Db, d: &str) -> Result<bool> {
    Ok(db.read_opt(DOMAIN_ALLOWED, params![d]).await?.is_some())
}
