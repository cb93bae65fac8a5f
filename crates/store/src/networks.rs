//! Networks and memberships (who belongs where, in which role, with what status).

use crate::{Db, Result, Row, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::{MembershipStatus, NetworkId, Role, UserId, Visibility};

queries! {
    INSERT = "INSERT INTO networks (id, slug, name, description, visibility, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
    UPDATE = "UPDATE networks SET name = $2, description = $3, visibility = $4 WHERE id = $1";
    BY_SLUG = "SELECT id, slug, name, description, visibility, created_at, (SELECT COUNT(*) FROM memberships m WHERE m.network_id = n.id AND m.status = 'active') - (SELECT COUNT(*) FROM users u CROSS JOIN memberships m WHERE u.deactivated_at > 0 AND m.user_id = u.id AND m.network_id = n.id AND m.status = 'active') FROM networks n WHERE slug = $1";
    BY_ID = "SELECT id, slug, name, description, visibility, created_at, (SELECT COUNT(*) FROM memberships m WHERE m.network_id = n.id AND m.status = 'active') - (SELECT COUNT(*) FROM users u CROSS JOIN memberships m WHERE u.deactivated_at > 0 AND m.user_id = u.id AND m.network_id = n.id AND m.status = 'active') FROM networks n WHERE id = $1";
    LIST = "SELECT id, slug, name, description, visibility, created_at, (SELECT COUNT(*) FROM memberships m WHERE m.network_id = n.id AND m.status = 'active') - (SELECT COUNT(*) FROM users u CROSS JOIN memberships m WHERE u.deactivated_at > 0 AND m.user_id = u.id AND m.network_id = n.id AND m.status = 'active') FROM networks n ORDER BY name, id";
    MEMBERSHIP = "SELECT network_id, user_id, role, status, created_at FROM memberships WHERE network_id = $1 AND user_id = $2";
    MEMBERSHIPS_OF = "SELECT network_id, user_id, role, status, created_at FROM memberships WHERE user_id = $1";
    UPSERT_MEMBERSHIP = "INSERT INTO memberships (network_id, user_id, role, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (network_id, user_id) DO UPDATE SET role = excluded.role, status = excluded.status, updated_at = excluded.updated_at, request_note = NULL, created_at = CASE WHEN excluded.status = 'active' AND memberships.status <> 'active' THEN excluded.created_at ELSE memberships.created_at END";
    INSERT_MEMBERSHIP_IF_ABSENT = "INSERT INTO memberships (network_id, user_id, role, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (network_id, user_id) DO NOTHING";
    /// A membership's `created_at` is when it became active (invited or asked before that):
    /// it is the "member since" date, and onboarding counts a newcomer's days from it.
    SET_STATUS = "UPDATE memberships SET status = $3, updated_at = $4, request_note = NULL, created_at = CASE WHEN $3 = 'active' THEN $4 ELSE created_at END WHERE network_id = $1 AND user_id = $2 AND status = $5";
    SET_ROLE = "UPDATE memberships SET role = $3, updated_at = $4 WHERE network_id = $1 AND user_id = $2 AND status = 'active'";
    DELETE_MEMBERSHIP = "DELETE FROM memberships WHERE network_id = $1 AND user_id = $2";
    /// Locks the network's row until the transaction ends, so membership changes that count its
    /// Chairs (demote, remove, leave) happen one after another on PostgreSQL too.
    LOCK = "UPDATE networks SET slug = slug WHERE id = $1";
    /// What someone asking to join tells the organisers; only while the request waits (any
    /// change of status clears it: `SET_STATUS`, `UPSERT_MEMBERSHIP`).
    SET_REQUEST_NOTE = "UPDATE memberships SET request_note = $3 WHERE network_id = $1 AND user_id = $2 AND status = 'requested'";
    REQUEST_NOTES = "SELECT user_id, request_note FROM memberships WHERE network_id = $1 AND status = 'requested' AND request_note IS NOT NULL";
    /// Requests to join waiting, made since $1, that the organisers have not been emailed about
    /// — unless they were emailed about an earlier request of the person since $2 (asking again
    /// within the hour waits for the hour to pass) — of people whose account is active: by
    /// network, oldest first, with when each was made.
    UNANNOUNCED = "SELECT m.network_id, u.id, u.name, m.request_note, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id LEFT JOIN request_notices r ON r.network_id = m.network_id AND r.user_id = m.user_id WHERE m.status = 'requested' AND m.created_at >= $1 AND u.deactivated_at IS NULL AND (r.asked_at IS NULL OR (r.asked_at <> m.created_at AND r.announced_at < $2)) ORDER BY m.network_id, m.created_at, u.id";
    ANNOUNCED = "INSERT INTO request_notices (network_id, user_id, asked_at, announced_at) VALUES ($1, $2, $3, $4) ON CONFLICT (network_id, user_id) DO UPDATE SET asked_at = excluded.asked_at, announced_at = excluded.announced_at";
    REQUEST_NOTES_OF = "SELECT network_id, request_note FROM memberships WHERE user_id = $1 AND status = 'requested' AND request_note IS NOT NULL";
    /// Who is asking to join (id, address, whether their account is deactivated), oldest first.
    REQUESTS = "SELECT u.id, u.email, u.deactivated_at IS NOT NULL FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.network_id = $1 AND m.status = 'requested' ORDER BY m.created_at, u.id";
    /// Active Chairs whose account is not deactivated: the people who can still act as Chair.
    OTHER_CHAIRS = "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.network_id = $1 AND m.status = 'active' AND m.role = 'chair' AND u.deactivated_at IS NULL AND m.user_id <> $2";
    /// Ends the open invitation links of a network for one address now (invited again,
    /// withdrawn, removed, declined or left: a link must not let the person back in afterwards),
    /// keeping the rows: they count towards the address's daily invitations until purged a day
    /// after.
    EXPIRE_OPEN_INVITES = "UPDATE one_time_links SET expires_at = $3 WHERE purpose = 'invite' AND network_id = $1 AND email = $2 AND used_at IS NULL AND expires_at > $3";
    /// What deleting a network would lose: its events, and its active members other than $2.
    HISTORY = "SELECT (SELECT COUNT(*) FROM events WHERE network_id = $1), (SELECT COUNT(*) FROM memberships WHERE network_id = $1 AND status = 'active' AND user_id <> $2)";
    /// Everything else of the network goes with it (`ON DELETE CASCADE`), but its links, which
    /// name it without a foreign key, and the audit log, which keeps its entries.
    DELETE = "DELETE FROM networks WHERE id = $1";
    DELETE_LINKS = "DELETE FROM one_time_links WHERE network_id = $1";
    /// The network's Chairs whose account is deactivated (or erased): on record, no longer acting.
    INACTIVE_CHAIRS = "SELECT CASE WHEN u.email LIKE '%@erased.invalid' THEN 'a former member' ELSE u.name END FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.network_id = $1 AND m.status = 'active' AND m.role = 'chair' AND u.deactivated_at IS NOT NULL ORDER BY u.name_folded, u.id";
    /// The organisers who can act (Chairs and Administrators with an active account): address, role.
    MANAGERS = "SELECT u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.network_id = $1 AND m.status = 'active' AND m.role IN ('chair', 'administrator') AND u.deactivated_at IS NULL ORDER BY u.email";
    /// The networks a person organises (an active steering-committee role: `Role::is_organiser`),
    /// with their name as it stands: network id, name, slug, role, person's name.
    ORGANISED_BY = "SELECT n.id, n.name, n.slug, m.role, u.name FROM memberships m JOIN networks n ON n.id = m.network_id JOIN users u ON u.id = m.user_id WHERE m.user_id = $1 AND m.status = 'active' AND m.role IN ('chair', 'administrator', 'training_coordinator', 'communications_officer') ORDER BY n.name, n.id";
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub id: NetworkId,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub visibility: Visibility,
    pub created_at: DateTime<Utc>,
    pub member_count: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub network_id: NetworkId,
    pub user_id: UserId,
    pub role: Role,
    pub status: MembershipStatus,
    pub since: DateTime<Utc>,
}

/// A person as listed in a network.
#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub status: MembershipStatus,
    pub since: DateTime<Utc>,
}

fn bad(what: &str, v: &str) -> crate::Error {
    crate::Error::Decode(format!("unknown {what} {v:?}"))
}

pub(crate) fn map_network(r: &Row) -> Result<Network> {
    let vis = r.text(4)?;
    Ok(Network {
        id: NetworkId(r.uuid(0)?),
        slug: r.text(1)?,
        name: r.text(2)?,
        description: r.text(3)?,
        visibility: Visibility::parse(&vis).ok_or_else(|| bad("visibility", &vis))?,
        created_at: r.time(5)?,
        member_count: r.int(6)?,
    })
}

fn role(role: String) -> Result<Role> {
    Role::parse(&role).ok_or_else(|| bad("role", &role))
}

fn role_status(role: String, status: String) -> Result<(Role, MembershipStatus)> {
    Ok((self::role(role)?, MembershipStatus::parse(&status).ok_or_else(|| bad("status", &status))?))
}

pub(crate) fn map_membership(r: &Row) -> Result<Membership> {
    let (role, status) = role_status(r.text(2)?, r.text(3)?)?;
    Ok(Membership { network_id: NetworkId(r.uuid(0)?), user_id: UserId(r.uuid(1)?), role, status, since: r.time(4)? })
}

pub struct NewNetwork<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub visibility: Visibility,
}

/// Inserts a network; a taken slug is `Error::Conflict("networks.slug")`.
pub async fn insert(tx: &mut Tx, n: &NewNetwork<'_>, now: DateTime<Utc>) -> Result<NetworkId> {
    let id = NetworkId::new();
    tx.write(INSERT, params![id, n.slug, n.name, n.description, n.visibility.as_str(), now]).await?;
    Ok(id)
}

pub async fn update(tx: &mut Tx, id: NetworkId, name: &str, description: &str, vis: Visibility) -> Result<bool> {
    Ok(tx.write(UPDATE, params![id, name, description, vis.as_str()]).await? > 0)
}

pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<Network>> {
    db.read_opt(BY_SLUG, params![slug]).await?.as_ref().map(map_network).transpose()
}

pub async fn by_id(db: &Db, id: NetworkId) -> Result<Option<Network>> {
    db.read_opt(BY_ID, params![id]).await?.as_ref().map(map_network).transpose()
}

pub async fn list(db: &Db) -> Result<Vec<Network>> {
    db.read(LIST, vec![]).await?.iter().map(map_network).collect()
}

pub async fn membership(db: &Db, network: NetworkId, user: UserId) -> Result<Option<Membership>> {
    db.read_opt(MEMBERSHIP, params![network, user]).await?.as_ref().map(map_membership).transpose()
}

pub async fn memberships_of(db: &Db, user: UserId) -> Result<Vec<Membership>> {
    db.read(MEMBERSHIPS_OF, params![user]).await?.iter().map(map_membership).collect()
}

/// Sets a person's role and status in a network, creating the membership if needed.
pub async fn upsert_membership(
    tx: &mut Tx,
    network: NetworkId,
    user: UserId,
    role: Role,
    status: MembershipStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.write_for(user, UPSERT_MEMBERSHIP, params![network, user, role.as_str(), status.as_str(), now]).await.map(|_| ())
}

/// Adds a membership unless one exists; true when added.
pub async fn add_membership_if_absent(
    tx: &mut Tx,
    network: NetworkId,
    user: UserId,
    role: Role,
    status: MembershipStatus,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(tx
        .write_for(user, INSERT_MEMBERSHIP_IF_ABSENT, params![network, user, role.as_str(), status.as_str(), now])
        .await?
        > 0)
}

/// Moves a membership from status `from` to `to`; false if it was not in `from`.
pub async fn transition(
    tx: &mut Tx,
    network: NetworkId,
    user: UserId,
    from: MembershipStatus,
    to: MembershipStatus,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(tx.write_for(user, SET_STATUS, params![network, user, to.as_str(), now, from.as_str()]).await? > 0)
}

/// Keeps what a person asking to join tells the organisers (`None` or empty: nothing), while
/// their request waits; false if they are not asking.
pub async fn set_request_note(tx: &mut Tx, network: NetworkId, user: UserId, note: Option<&str>) -> Result<bool> {
    let note = note.filter(|n| !n.is_empty());
    Ok(tx.write_for(user, SET_REQUEST_NOTE, params![network, user, note]).await? > 0)
}

/// The notes of a network's waiting requests, by person.
pub async fn request_notes(db: &Db, network: NetworkId) -> Result<Vec<(UserId, String)>> {
    db.read(REQUEST_NOTES, params![network]).await?.iter().map(|r| Ok((UserId(r.uuid(0)?), r.text(1)?))).collect()
}

/// A request to join the organisers have not been emailed about (`unannounced_requests`).
#[derive(Debug, Clone)]
pub struct Unannounced {
    pub network: NetworkId,
    pub user: UserId,
    pub name: String,
    pub note: Option<String>,
    /// When the request was made (it is announced once).
    pub asked_at: DateTime<Utc>,
}

/// Requests made since `since` that the organisers have not been emailed about, leaving out
/// those of people announced since `quiet_since` for an earlier request (see `UNANNOUNCED`).
pub async fn unannounced_requests(
    db: &Db,
    since: DateTime<Utc>,
    quiet_since: DateTime<Utc>,
) -> Result<Vec<Unannounced>> {
    db.read(UNANNOUNCED, params![since, quiet_since])
        .await?
        .iter()
        .map(|r| {
            Ok(Unannounced {
                network: NetworkId(r.uuid(0)?),
                user: UserId(r.uuid(1)?),
                name: r.text(2)?,
                note: r.opt_text(3)?,
                asked_at: r.time(4)?,
            })
        })
        .collect()
}

/// Records that the organisers were emailed now about `r`.
pub async fn mark_announced(tx: &mut Tx, r: &Unannounced, now: DateTime<Utc>) -> Result<()> {
    tx.write(ANNOUNCED, params![r.network, r.user, r.asked_at, now]).await.map(|_| ())
}

/// A person's notes on their own waiting requests, by network (for their own data).
pub async fn request_notes_of(db: &Db, user: UserId) -> Result<Vec<(NetworkId, String)>> {
    db.read(REQUEST_NOTES_OF, params![user]).await?.iter().map(|r| Ok((NetworkId(r.uuid(0)?), r.text(1)?))).collect()
}

pub async fn set_role(tx: &mut Tx, network: NetworkId, user: UserId, role: Role, now: DateTime<Utc>) -> Result<bool> {
    Ok(tx.write_for(user, SET_ROLE, params![network, user, role.as_str(), now]).await? > 0)
}

pub async fn delete_membership(tx: &mut Tx, network: NetworkId, user: UserId) -> Result<bool> {
    Ok(tx.write_for(user, DELETE_MEMBERSHIP, params![network, user]).await? > 0)
}

/// A network's events and its active members other than `except`: (events, members).
pub async fn history(db: &Db, network: NetworkId, except: UserId) -> Result<(i64, i64)> {
    counts(&db.read(HISTORY, params![network, except]).await?)
}

/// `history` inside a transaction (which has locked the network).
pub async fn history_in(tx: &mut Tx, network: NetworkId, except: UserId) -> Result<(i64, i64)> {
    counts(&tx.read(HISTORY, params![network, except]).await?)
}

fn counts(rows: &[Row]) -> Result<(i64, i64)> {
    let r = rows.first().ok_or_else(|| crate::Error::Decode("no row from COUNT".into()))?;
    Ok((r.int(0)?, r.int(1)?))
}

/// Deletes a network with everything in it (its links too); false if it was gone.
pub async fn delete(tx: &mut Tx, network: NetworkId) -> Result<bool> {
    tx.write(DELETE_LINKS, params![network]).await?;
    Ok(tx.write(DELETE, params![network]).await? > 0)
}

/// Emails of the people who approve requests (Chair, Administrator).
pub async fn manager_emails(db: &Db, network: NetworkId) -> Result<Vec<String>> {
    Ok(managers(db, network).await?.into_iter().map(|(email, _)| email).collect())
}

/// The names of the network's Chairs whose account is no longer active (`INACTIVE_CHAIRS`).
pub async fn inactive_chairs(db: &Db, network: NetworkId) -> Result<Vec<String>> {
    db.read(INACTIVE_CHAIRS, params![network]).await?.iter().map(|r| r.text(0)).collect()
}

/// The network's organisers who can act: address and role.
pub async fn managers(db: &Db, network: NetworkId) -> Result<Vec<(String, Role)>> {
    db.read(MANAGERS, params![network]).await?.iter().map(|r| Ok((r.text(0)?, role(r.text(1)?)?))).collect()
}

/// A network someone organises, as `organised_by` reads it.
#[derive(Debug, Clone)]
pub struct Organised {
    pub network: NetworkId,
    pub name: String,
    pub slug: String,
    pub role: Role,
    /// The organiser's name.
    pub person: String,
}

/// The networks `user` organises (an active steering-committee role), by name.
pub async fn organised_by(db: &Db, user: UserId) -> Result<Vec<Organised>> {
    db.read(ORGANISED_BY, params![user]).await?.iter().map(map_organised).collect()
}

fn map_organised(r: &Row) -> Result<Organised> {
    Ok(Organised {
        network: NetworkId(r.uuid(0)?),
        name: r.text(1)?,
        slug: r.text(2)?,
        role: role(r.text(3)?)?,
        person: r.text(4)?,
    })
}

/// Locks the network's row for the rest of the transaction (see `LOCK`); false if it is gone.
pub async fn lock(tx: &mut Tx, network: NetworkId) -> Result<bool> {
    Ok(tx.lock_row(LOCK, params![network]).await? > 0)
}

/// The people asking to join, read inside the transaction (after `lock`): (id, address, whether
/// their account is deactivated).
pub async fn requests(tx: &mut Tx, network: NetworkId) -> Result<Vec<(UserId, String, bool)>> {
    tx.read(REQUESTS, params![network])
        .await?
        .iter()
        .map(|r| Ok((UserId(r.uuid(0)?), r.text(1)?, r.bool(2)?)))
        .collect()
}

/// The membership, read inside the transaction (after `lock`, it cannot change under us).
pub async fn membership_in(tx: &mut Tx, network: NetworkId, user: UserId) -> Result<Option<Membership>> {
    tx.read_opt(MEMBERSHIP, params![network, user]).await?.as_ref().map(map_membership).transpose()
}

/// How many active Chairs (with an account still in use) the network has besides `person`.
pub async fn other_chairs(tx: &mut Tx, network: NetworkId, person: UserId) -> Result<usize> {
    let n = tx.read_opt(OTHER_CHAIRS, params![network, person]).await?.map_or(Ok(0), |r| r.int(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// `other_chairs` outside a transaction, for a page that warns before anything is posted.
pub async fn other_chairs_now(db: &Db, network: NetworkId, person: UserId) -> Result<usize> {
    let n = db.read_opt(OTHER_CHAIRS, params![network, person]).await?.map_or(Ok(0), |r| r.int(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Ends the network's open invitation links for `email` now; returns how many were open.
pub async fn cancel_invitations(tx: &mut Tx, network: NetworkId, email: &str, now: DateTime<Utc>) -> Result<u64> {
    tx.write(EXPIRE_OPEN_INVITES, params![network, email, now]).await
}
