//! The audit log: who did what, when, in which network. Written in the same transaction as the
//! change it records, so the log and the data never disagree.

use crate::{Db, Result, Row, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::{AuditId, NetworkId, UserId};

queries! {
    INSERT = "INSERT INTO audit_log (id, at, actor_id, actor_name, action, network_id, subject, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    PAGE = "SELECT a.id, a.at, a.actor_id, a.actor_name, a.action, a.network_id, n.name, a.subject, a.detail FROM audit_log a LEFT JOIN networks n ON n.id = a.network_id ORDER BY a.at DESC, a.id DESC LIMIT $1 OFFSET $2";
    COUNT = "SELECT COUNT(*) FROM audit_log";
    /// Entries whose who, what (as its code or in words: "person deactivated"), network, about
    /// (its address, or the name of the person who holds it) or detail hold `$3` (lower-cased; SQLite's `lower` is Unicode-aware on our connections,
    /// as PostgreSQL's is).
    PAGE_MATCHING = "SELECT a.id, a.at, a.actor_id, a.actor_name, a.action, a.network_id, n.name, a.subject, a.detail FROM audit_log a LEFT JOIN networks n ON n.id = a.network_id WHERE lower(a.actor_name) LIKE $3 ESCAPE '\\' OR lower(replace(replace(a.action, '.', ' '), '_', ' ')) LIKE $3 ESCAPE '\\' OR lower(a.action) LIKE $3 ESCAPE '\\' OR lower(a.subject) LIKE $3 ESCAPE '\\' OR lower(a.detail) LIKE $3 ESCAPE '\\' OR lower(n.name) LIKE $3 ESCAPE '\\' OR a.subject IN (SELECT u.email FROM users u WHERE lower(u.name) LIKE $3 ESCAPE '\\') ORDER BY a.at DESC, a.id DESC LIMIT $1 OFFSET $2";
    COUNT_MATCHING = "SELECT COUNT(*) FROM audit_log a LEFT JOIN networks n ON n.id = a.network_id WHERE lower(a.actor_name) LIKE $1 ESCAPE '\\' OR lower(replace(replace(a.action, '.', ' '), '_', ' ')) LIKE $1 ESCAPE '\\' OR lower(a.action) LIKE $1 ESCAPE '\\' OR lower(a.subject) LIKE $1 ESCAPE '\\' OR lower(a.detail) LIKE $1 ESCAPE '\\' OR lower(n.name) LIKE $1 ESCAPE '\\' OR a.subject IN (SELECT u.email FROM users u WHERE lower(u.name) LIKE $1 ESCAPE '\\')";
    /// What one person did, oldest first ("download my data").
    BY_ACTOR = "SELECT a.id, a.at, a.actor_id, a.actor_name, a.action, a.network_id, n.name, a.subject, a.detail FROM audit_log a LEFT JOIN networks n ON n.id = a.network_id WHERE a.actor_id = $1 ORDER BY a.at, a.id";
    /// What others did about the holder of the address $1 while they held it ($2 to $3; the
    /// actor $4 excluded: `BY_ACTOR` has theirs), oldest first ("download my data"): entries
    /// with the address as subject, or in the detail (attendance marked), or the person's id
    /// $5 as the detail (a host confirmed). `about` keeps whole addresses only.
    ABOUT = "SELECT a.id, a.at, a.actor_id, a.actor_name, a.action, a.network_id, n.name, a.subject, a.detail FROM audit_log a LEFT JOIN networks n ON n.id = a.network_id WHERE (a.subject = $1 OR REPLACE(a.detail, $1, '') <> a.detail OR a.detail = $5) AND a.at >= $2 AND a.at < $3 AND (a.actor_id IS NULL OR a.actor_id <> $4) ORDER BY a.at, a.id";
    /// Email changes from the address $1 (subject) or, give or take LIKE's wildcards and case, to
    /// it (detail starts with $2); `email_changes` keeps the exact ones. Newest first.
    EMAIL_CHANGES_AT = "SELECT a.id, a.at, a.actor_id, a.actor_name, a.action, a.network_id, n.name, a.subject, a.detail FROM audit_log a LEFT JOIN networks n ON n.id = a.network_id WHERE a.action = 'person.email_changed' AND (a.subject = $1 OR a.detail LIKE $2) ORDER BY a.at DESC, a.id DESC";
    /// When someone last left the address $1 by an email change at or before $2 (an account's
    /// creation): mail and links to it before then were theirs.
    LEFT_BEFORE = "SELECT MAX(at) FROM audit_log WHERE action = 'person.email_changed' AND subject = $1 AND at <= $2";
}

/// The action of an entry recording that an HR import gave a person a new email address: its
/// subject is the old address, its detail (`email_changed_detail`) the new one and the employee
/// ID the person was found by.
pub const EMAIL_CHANGED: &str = "person.email_changed";

/// The detail of an `EMAIL_CHANGED` entry. `email_changes` reads the new address back from it.
pub fn email_changed_detail(new: &str, file_name: &str, employee_id: &str) -> String {
    format!("{}{file_name}, found by employee ID {employee_id})", to_prefix(new))
}

/// The new address an `EMAIL_CHANGED` detail names.
pub fn new_address(detail: &str) -> Option<&str> {
    detail.strip_prefix("now ")?.split_once(" (HR import ").map(|(address, _)| address)
}

/// How an `EMAIL_CHANGED` detail starts when the new address is `address`.
fn to_prefix(address: &str) -> String {
    format!("now {address} (HR import ")
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
    search(db, "", limit, offset).await
}

/// A page of the entries that mention `q` (case aside) in who, what, network, about (or the name
/// of the person an address belongs to) or detail;
/// every entry when `q` is blank. Newest first, with the number that match.
pub async fn search(db: &Db, q: &str, limit: i64, offset: i64) -> Result<(Vec<Entry>, i64)> {
    let q = q.trim();
    let (rows, count) = if q.is_empty() {
        (db.read(PAGE, params![limit, offset]).await?, db.read(COUNT, vec![]).await?)
    } else {
        let pattern = crate::users::like_text(&q.to_lowercase());
        (
            db.read(PAGE_MATCHING, params![limit, offset, pattern.clone()]).await?,
            db.read(COUNT_MATCHING, params![pattern]).await?,
        )
    };
    let total = count.first().map_or(Ok(0), |r| r.int(0))?;
    Ok((rows.iter().map(map).collect::<Result<_>>()?, total))
}

/// Every entry of the actions `actor` took, oldest first.
pub async fn by_actor(db: &Db, actor: UserId) -> Result<Vec<Entry>> {
    db.read(BY_ACTOR, params![actor]).await?.iter().map(map).collect()
}

/// What others recorded about `person` under the address `held` while they held it.
pub async fn about(db: &Db, held: &Held, person: UserId) -> Result<Vec<Entry>> {
    let (from, until) = held.bounds();
    let (address, id) = (held.address.as_str(), person.to_string());
    let rows = db.read(ABOUT, params![address, from, until, person, id.as_str()]).await?;
    let entries = rows.iter().map(map).collect::<Result<Vec<_>>>()?;
    // "joann@example.org" holds "ann@example.org" too: only whole addresses are about them.
    Ok(entries
        .into_iter()
        .filter(|e| e.subject == address || e.detail == id || crate::users::mentions_address(&e.detail, address))
        .collect())
}

/// One change of a person's email address by an HR import, as the audit log holds it.
#[derive(Debug, Clone)]
pub struct EmailChange {
    pub entry: Entry,
    /// The address before (the entry's subject) and after the change.
    pub from: String,
    pub to: String,
}

/// Every change of email address of the person who holds `address` now and whose account was
/// created at `created`, newest first: the addresses they had before. The log has no person id
/// for these entries, so the chain is followed by address and time: the change *to* an address
/// that is theirs is the latest one before they left it (or before now), after their account
/// was created, with nobody leaving that address in between (else it was someone else's then).
/// Only HR imports change addresses, and each change is logged, so the chain is complete.
pub async fn email_changes(
    src: &mut crate::import::Source<'_>,
    address: &str,
    created: DateTime<Utc>,
) -> Result<Vec<EmailChange>> {
    let mut out: Vec<EmailChange> = Vec::new();
    let (mut held, mut until) = (address.to_owned(), None::<DateTime<Utc>>);
    loop {
        let prefix = to_prefix(&held);
        let entries: Vec<Entry> = src
            .query(EMAIL_CHANGES_AT, params![held.clone(), format!("{prefix}%")])
            .await?
            .iter()
            .map(map)
            .collect::<Result<_>>()?;
        let before = |e: &&Entry| until.is_none_or(|u| e.at < u);
        let Some(to) = entries.iter().filter(before).find(|e| e.detail.starts_with(&prefix) && e.at >= created) else {
            break;
        };
        if entries.iter().filter(before).any(|e| e.subject == held && e.at > to.at) {
            break;
        }
        // Times fall strictly at each step, so a person who changed back and forth ends too.
        out.push(EmailChange { entry: to.clone(), from: to.subject.clone(), to: held });
        (held, until) = (to.subject.clone(), Some(to.at));
    }
    Ok(out)
}

/// One address a person held, and when: from `from` (inclusive; `None` = before anyone else is
/// known to have held it) until `until` (exclusive; `None` = they still hold it). Mail, links and
/// audit entries about the address belong to them only when dated inside this interval: before
/// or after it, the address was or is someone else's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub address: String,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl Held {
    /// The interval as stored times (microseconds), open ends as the extremes, for
    /// `created_at >= $from AND created_at < $until`.
    pub fn bounds(&self) -> (i64, i64) {
        (self.from.map_or(i64::MIN, crate::micros), self.until.map_or(i64::MAX, crate::micros))
    }
}

/// Every address the person who holds `address` now (account created at `created`) has held,
/// newest first, with when, from their `email_changes` (`changes`, newest first). Each address
/// runs from the change to it until the change away from it. The first one runs from account
/// creation — or earlier, back to when somebody else last left it, so that the invitation that
/// led to the account is theirs too (nobody held the address in between).
pub async fn held_addresses(
    src: &mut crate::import::Source<'_>,
    address: &str,
    created: DateTime<Utc>,
    changes: &[EmailChange],
) -> Result<Vec<Held>> {
    let first = changes.last().map_or(address, |c| c.from.as_str()).to_owned();
    let left = src.query(LEFT_BEFORE, params![first, created]).await?;
    // Just after the entry of the one who left it: that entry is about them.
    let first_from =
        left.first().map(|r| r.opt_time(0)).transpose()?.flatten().map(|t| t + chrono::Duration::microseconds(1));
    let mut out = vec![Held { address: address.to_owned(), from: None, until: None }];
    for c in changes {
        if let Some(newer) = out.last_mut() {
            newer.from = Some(c.entry.at);
        }
        out.push(Held { address: c.from.clone(), from: None, until: Some(c.entry.at) });
    }
    if let Some(oldest) = out.last_mut() {
        oldest.from = first_from;
    }
    Ok(out)
}
