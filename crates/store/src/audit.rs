//! The audit log: who did what, when, in which network. Written in the same transaction as the
//! change it records, so the log and the data never disagree.

use crate::{Db, Result, Row, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::{AuditId, NetworkId, UserId};

queries! {
    INSERT = "INSERT INTO audit_log (id, at, actor_id, actor_name, action, network_id, subject, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    PAGE = "SELECT a.id, a.at, a.actor_id, a.actor_name, a.action, a.network_id, n.name, a.subject, a.detail FROM audit_log a LEFT JOIN networks n ON n.id = a.network_id ORDER BY a.at DESC, a.id DESC LIMIT $1 OFFSET $2";
    COUNT = "SELECT COUNT(*) FROM audit_log";
    /// What one person did, oldest first ("download my data").
    BY_ACTOR = "SELECT a.id, a.at, a.actor_id, a.actor_name, a.action, a.network_id, n.name, a.subject, a.detail FROM audit_log a LEFT JOIN networks n ON n.id = a.network_id WHERE a.actor_id = $1 ORDER BY a.at, a.id";
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: AuditId,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor_name: String,
    pub action: String,
    pub network_id: Option<NetworkId>,
    pub network_name: Option<String>,
    pub subject: String,
    pub detail: String,
}

/// One audit record to write.
pub struct NewEntry<'a> {
    pub actor_id: Option<UserId>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub network_id: Option<NetworkId>,
    pub subject: &'a str,
    pub detail: &'a str,
}

fn map(r: &Row) -> Result<Entry> {
    Ok(Entry {
        id: AuditId(r.uuid(0)?),
        at: r.time(1)?,
        actor_id: r.opt_uuid(2)?.map(UserId),
        actor_name: r.text(3)?,
        action: r.text(4)?,
        network_id: r.opt_uuid(5)?.map(NetworkId),
        network_name: r.opt_text(6)?,
        subject: r.text(7)?,
        detail: r.text(8)?,
    })
}

pub async fn record(tx: &mut Tx, e: &NewEntry<'_>, now: DateTime<Utc>) -> Result<()> {
    tx.write(
        INSERT,
        params![AuditId::new(), now, e.actor_id, e.actor_name, e.action, e.network_id, e.subject, e.detail],
    )
    .await
    .map(|_| ())
}

pub async fn page(db: &Db, limit: i64, offset: i64) -> Result<(Vec<Entry>, i64)> {
    let rows = db.read(PAGE, params![limit, offset]).await?;
    let total = db.read(COUNT, vec![]).await?.first().map_or(Ok(0), |r| r.int(0))?;
    Ok((rows.iter().map(map).collect::<Result<_>>()?, total))
}

/// Every entry of the actions `actor` took, oldest first.
pub async fn by_actor(db: &Db, actor: UserId) -> Result<Vec<Entry>> {
    db.read(BY_ACTOR, params![actor]).await?.iter().map(map).collect()
}
