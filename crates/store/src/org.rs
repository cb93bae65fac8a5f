//! The organisation (one per installation) and the email domains allowed to sign up.

use crate::{Db, Result, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::EmailDomain;

queries! {
    ORG = "SELECT id, name, created_at FROM organisation LIMIT 1";
    EXISTS = "SELECT 1 FROM organisation";
    INSERT_ORG = "INSERT INTO organisation (id, name, created_at) VALUES ($1, $2, $3)";
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
}

pub async fn get(db: &Db) -> Result<Option<Organisation>> {
    db.read_opt(ORG, vec![]).await?.map(|r| Ok(Organisation { name: r.text(1)?, created_at: r.time(2)? })).transpose()
}

/// Whether the installation has its organisation (inside a transaction about to create one).
pub async fn exists(tx: &mut Tx) -> Result<bool> {
    Ok(tx.read_opt(EXISTS, vec![]).await?.is_some())
}

/// Creates the organisation; the database refuses a second one (`organisation_only_one`).
pub async fn create(tx: &mut Tx, name: &str, now: DateTime<Utc>) -> Result<()> {
    tx.write(INSERT_ORG, params![uuid::Uuid::now_v7(), name, now]).await.map(|_| ())
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
