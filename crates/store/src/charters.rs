//! Network charters: numbered versions and who accepted which.

use crate::{Db, Result, Row, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::{NetworkId, UserId};

queries! {
    CURRENT = "SELECT c.version, c.body, c.published_at, r.reminded_at FROM charters c LEFT JOIN charter_reminders r ON r.network_id = c.network_id AND r.version = c.version WHERE c.network_id = $1 ORDER BY c.version DESC LIMIT 1";
    /// One version, current or earlier.
    VERSION = "SELECT c.version, c.body, c.published_at, r.reminded_at FROM charters c LEFT JOIN charter_reminders r ON r.network_id = c.network_id AND r.version = c.version WHERE c.network_id = $1 AND c.version = $2";
    /// Every version's number and date, newest first (not the texts).
    VERSIONS = "SELECT version, published_at FROM charters WHERE network_id = $1 ORDER BY version DESC";
    /// (current version, newest version the person accepted) in one round trip.
    STANDING = "SELECT (SELECT MAX(version) FROM charters WHERE network_id = $1), (SELECT MAX(version) FROM charter_acceptances WHERE network_id = $1 AND user_id = $2)";
    NEXT_VERSION = "SELECT COALESCE(MAX(version), 0) + 1 FROM charters WHERE network_id = $1";
    INSERT = "INSERT INTO charters (network_id, version, body, published_at, published_by) VALUES ($1, $2, $3, $4, $5)";
    ACCEPT = "INSERT INTO charter_acceptances (network_id, user_id, version, accepted_at) VALUES ($1, $2, $3, $4) ON CONFLICT (network_id, user_id, version) DO NOTHING";
    /// Every version a person accepted, in every network ("download my data").
    ACCEPTED_BY = "SELECT n.name, a.version, a.accepted_at FROM charter_acceptances a JOIN networks n ON n.id = a.network_id WHERE a.user_id = $1 ORDER BY n.name, a.version";
    /// The versions a person published.
    PUBLISHED_BY = "SELECT n.name, c.version, c.published_at FROM charters c JOIN networks n ON n.id = c.network_id WHERE c.published_by = $1 ORDER BY n.name, c.version";
    /// The newest version each person accepted in the network.
    ACCEPTED_IN = "SELECT user_id, MAX(version) FROM charter_acceptances WHERE network_id = $1 GROUP BY user_id";
    /// Records a reminder to accept version $2 unless one went after $4: true when this one may go.
    REMIND = "INSERT INTO charter_reminders (network_id, version, reminded_at) VALUES ($1, $2, $3) ON CONFLICT (network_id, version) DO UPDATE SET reminded_at = excluded.reminded_at WHERE charter_reminders.reminded_at < $4";
    ACCEPTANCES = "SELECT u.id, u.name, (SELECT MAX(a.version) FROM charter_acceptances a WHERE a.network_id = m.network_id AND a.user_id = u.id), (SELECT MAX(a.accepted_at) FROM charter_acceptances a WHERE a.network_id = m.network_id AND a.user_id = u.id) FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.network_id = $1 AND m.status = 'active' AND u.deactivated_at IS NULL ORDER BY u.name_folded, u.id";
}

#[derive(Debug, Clone)]
pub struct Charter {
    pub version: i64,
    pub body: String,
    pub published_at: DateTime<Utc>,
    /// When members who had not accepted this version were last reminded.
    pub reminded_at: Option<DateTime<Utc>>,
}

fn map(r: &Row) -> Result<Charter> {
    Ok(Charter { version: r.int(0)?, body: r.text(1)?, published_at: r.time(2)?, reminded_at: r.opt_time(3)? })
}

pub async fn current(db: &Db, network: NetworkId) -> Result<Option<Charter>> {
    db.read_opt(CURRENT, params![network]).await?.as_ref().map(map).transpose()
}

/// The same, as the transaction sees it (under the network's lock: what a concurrent publish
/// committed first).
pub async fn current_tx(tx: &mut Tx, network: NetworkId) -> Result<Option<Charter>> {
    tx.read_opt(CURRENT, params![network]).await?.as_ref().map(map).transpose()
}

/// Version `version` of the network's charter, if it was published.
pub async fn version(db: &Db, network: NetworkId, version: i64) -> Result<Option<Charter>> {
    db.read_opt(VERSION, params![network, version]).await?.as_ref().map(map).transpose()
}

/// (version, published at) of every version of the network's charter, newest first.
pub async fn versions(db: &Db, network: NetworkId) -> Result<Vec<(i64, DateTime<Utc>)>> {
    db.read(VERSIONS, params![network]).await?.iter().map(|r| Ok((r.int(0)?, r.time(1)?))).collect()
}

/// (current charter version, newest version `user` accepted); `None` where there is none.
pub async fn standing(db: &Db, network: NetworkId, user: UserId) -> Result<(Option<i64>, Option<i64>)> {
    match db.read_opt(STANDING, params![network, user]).await? {
        Some(r) => Ok((r.opt_int(0)?, r.opt_int(1)?)),
        None => Ok((None, None)),
    }
}

/// Publishes the next version and returns its number.
pub async fn publish(tx: &mut Tx, network: NetworkId, body: &str, by: UserId, now: DateTime<Utc>) -> Result<i64> {
    let next = tx.read_opt(NEXT_VERSION, params![network]).await?.map(|r| r.int(0)).transpose()?.unwrap_or(1);
    tx.write(INSERT, params![network, next, body, now, by]).await?;
    Ok(next)
}

pub async fn accept(tx: &mut Tx, network: NetworkId, user: UserId, version: i64, now: DateTime<Utc>) -> Result<()> {
    tx.write_for(user, ACCEPT, params![network, user, version, now]).await.map(|_| ())
}

/// (person, newest version they accepted) for everyone who accepted one in the network.
pub async fn accepted_in(db: &Db, network: NetworkId) -> Result<Vec<(UserId, i64)>> {
    db.read(ACCEPTED_IN, params![network]).await?.iter().map(|r| Ok((UserId(r.uuid(0)?), r.int(1)?))).collect()
}

/// Records that members are reminded of `version` now, unless they were after `not_since`.
pub async fn remind(
    tx: &mut Tx,
    network: NetworkId,
    version: i64,
    now: DateTime<Utc>,
    not_since: DateTime<Utc>,
) -> Result<bool> {
    Ok(tx.write(REMIND, params![network, version, now, not_since]).await? > 0)
}

/// Each active member with the newest version they accepted and when.
pub async fn acceptances(
    db: &Db,
    network: NetworkId,
) -> Result<Vec<(UserId, String, Option<i64>, Option<DateTime<Utc>>)>> {
    db.read(ACCEPTANCES, params![network])
        .await?
        .iter()
        .map(|r| Ok((UserId(r.uuid(0)?), r.text(1)?, r.opt_int(2)?, r.opt_time(3)?)))
        .collect()
}

/// (network name, version, when) of each charter version `user` accepted.
pub async fn accepted_by(db: &Db, user: UserId) -> Result<Vec<(String, i64, DateTime<Utc>)>> {
    db.read(ACCEPTED_BY, params![user]).await?.iter().map(|r| Ok((r.text(0)?, r.int(1)?, r.time(2)?))).collect()
}

/// (network name, version, when) of each charter version `user` published.
pub async fn published_by(db: &Db, user: UserId) -> Result<Vec<(String, i64, DateTime<Utc>)>> {
    db.read(PUBLISHED_BY, params![user]).await?.iter().map(|r| Ok((r.text(0)?, r.int(1)?, r.time(2)?))).collect()
}
