//! Single-use links sent by email (first-run setup, password reset, email verification,
//! invitations). Only the hash of the secret is stored; using a link marks it used in the same
//! statement that checks it, so it works once even with several instances.

use crate::{Db, Result, Row, Tx, params, queries};
use chrono::{DateTime, Duration, Utc};
use roundtable_domain::{NetworkId, Role, UserId};

queries! {
    INSERT = "INSERT INTO one_time_links (token_hash, purpose, email, user_id, network_id, created_by, created_at, expires_at, role) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    PEEK = "SELECT token_hash, purpose, email, user_id, network_id, created_by, expires_at, role FROM one_time_links WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3";
    CONSUME = "UPDATE one_time_links SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 RETURNING token_hash, purpose, email, user_id, network_id, created_by, expires_at, role";
    /// Invitations to people who have no account yet, still open, for a network's organisers;
    /// an address's newest link first.
    OPEN_INVITES_FOR_NETWORK = "SELECT email, role, created_at, expires_at FROM one_time_links WHERE purpose = 'invite' AND network_id = $1 AND user_id IS NULL AND used_at IS NULL AND expires_at > $2 ORDER BY email, expires_at DESC";
    /// Invitations to addresses without an account whose link ran out unanswered (cut short —
    /// withdrawn, replaced — it ends before its full `INVITATION_DAYS`: $3), unless the address
    /// has an open invitation again or a membership now; newest first.
    RAN_OUT_INVITES_FOR_NETWORK = "SELECT l.email, l.role, l.created_at, l.expires_at FROM one_time_links l WHERE l.purpose = 'invite' AND l.network_id = $1 AND l.user_id IS NULL AND l.used_at IS NULL AND l.expires_at <= $2 AND l.expires_at - l.created_at >= $3 AND NOT EXISTS (SELECT 1 FROM one_time_links o WHERE o.purpose = 'invite' AND o.network_id = l.network_id AND o.email = l.email AND o.used_at IS NULL AND o.expires_at > $2) AND NOT EXISTS (SELECT 1 FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.email = l.email AND m.network_id = l.network_id) ORDER BY l.expires_at DESC, l.email LIMIT 200";
    /// Who sent the newest invitation to an address for a network.
    INVITER = "SELECT created_by FROM one_time_links WHERE purpose = 'invite' AND network_id = $1 AND email = $2 AND created_by IS NOT NULL ORDER BY created_at DESC LIMIT 1";
    /// Ended links a day after they end; invitations to networks after `KEEP_RAN_OUT_DAYS`, so
    /// that organisers see those that ran out unanswered.
    PURGE = "DELETE FROM one_time_links WHERE expires_at <= $1 AND (purpose <> 'invite' OR network_id IS NULL OR expires_at <= $2)";
    /// A new account ($1, address $2) takes over the network invitations still open to its
    /// address: each becomes its invitation, as if sent after the account existed — listed to
    /// the organisers under its name and offered on its home page (`CLAIM_LINKS` then marks the
    /// links as theirs).
    CLAIM_MEMBERSHIPS = "INSERT INTO memberships (network_id, user_id, role, status, created_at, updated_at) SELECT network_id, $1, role, 'invited', $3, $3 FROM one_time_links WHERE purpose = 'invite' AND email = $2 AND network_id IS NOT NULL AND user_id IS NULL AND used_at IS NULL AND expires_at > $3 ON CONFLICT (network_id, user_id) DO NOTHING";
    CLAIM_LINKS = "UPDATE one_time_links SET user_id = $1 WHERE purpose = 'invite' AND email = $2 AND network_id IS NOT NULL AND user_id IS NULL AND used_at IS NULL AND expires_at > $3";
    /// Accounts whose address open network invitations were sent to before the account was
    /// made (after an HR import created many at once): each then claims them.
    CLAIMABLE = "SELECT DISTINCT u.id, u.email FROM one_time_links l JOIN users u ON u.email = l.email WHERE l.purpose = 'invite' AND l.network_id IS NOT NULL AND l.user_id IS NULL AND l.used_at IS NULL AND l.expires_at > $1 AND u.deactivated_at IS NULL";
    /// When the newest link of one purpose went to each of some addresses (a JSON array): the
    /// People page's "welcome sent", one read for its whole page.
    LAST_SENT_SQLITE = "SELECT email, MAX(created_at) FROM one_time_links WHERE purpose = $1 AND email IN (SELECT value FROM json_each($2)) GROUP BY email";
    LAST_SENT_PG = "SELECT email, MAX(created_at) FROM one_time_links WHERE purpose = $1 AND email IN (SELECT json_array_elements_text($2::text::json)) GROUP BY email";
    /// Links of one purpose sent to an address since a time (to limit how many are sent).
    COUNT_SENT_SINCE = "SELECT COUNT(*) FROM one_time_links WHERE purpose = $1 AND email = $2 AND created_at > $3";
    /// Ends the open organisation invitations of an address now (kept, to count towards its
    /// invitations of the day).
    EXPIRE_OPEN_ORG_INVITES = "UPDATE one_time_links SET expires_at = $2 WHERE purpose = 'invite' AND network_id IS NULL AND email = $1 AND used_at IS NULL AND expires_at > $2";
    /// PostgreSQL: the account's row lock serialises requests for its links, so each request's
    /// count sees every link an earlier one added.
    LOCK_ACCOUNT_PG = "SELECT id FROM users WHERE id = $1 FOR UPDATE";
    /// SQLite: `BEGIN IMMEDIATE` on the single writer already serialises every write transaction.
    LOCK_ACCOUNT_SQLITE = "SELECT id FROM users WHERE id = $1";
    /// A person's links of one purpose that are still open (a reset cancels the other resets).
    DELETE_OPEN_SETUP = "DELETE FROM one_time_links WHERE purpose = 'setup' AND used_at IS NULL";
    DELETE_OPEN_FOR_USER = "DELETE FROM one_time_links WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL";
    /// Links for a person's account, without their secrets ("download my data").
    FOR_USER = "SELECT purpose, created_at, expires_at, used_at FROM one_time_links WHERE user_id = $1";
    /// Links to an address for nobody's account, made while one person held it.
    FOR_ADDRESS = "SELECT purpose, created_at, expires_at, used_at FROM one_time_links WHERE user_id IS NULL AND email = $1 AND created_at >= $2 AND created_at < $3";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Setup,
    Reset,
    Verify,
    Invite,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Setup => "setup",
            Purpose::Reset => "reset",
            Purpose::Verify => "verify",
            Purpose::Invite => "invite",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Link {
    pub token_hash: String,
    pub email: String,
    pub user_id: Option<UserId>,
    pub network_id: Option<NetworkId>,
    pub created_by: Option<UserId>,
    pub expires_at: DateTime<Utc>,
    /// For invitations: the role offered in the network.
    pub role: Role,
}

fn map(r: &Row) -> Result<Link> {
    Ok(Link {
        token_hash: r.text(0)?,
        email: r.text(2)?,
        user_id: r.opt_uuid(3)?.map(UserId),
        network_id: r.opt_uuid(4)?.map(NetworkId),
        created_by: r.opt_uuid(5)?.map(UserId),
        expires_at: r.time(6)?,
        role: Role::parse(&r.text(7)?).unwrap_or(Role::Member),
    })
}

/// What a new link is for.
pub struct NewLink<'a> {
    pub token_hash: &'a str,
    pub purpose: Purpose,
    pub email: &'a str,
    pub user_id: Option<UserId>,
    pub network_id: Option<NetworkId>,
    pub created_by: Option<UserId>,
    pub expires_at: DateTime<Utc>,
    pub role: Role,
}

pub async fn insert(tx: &mut Tx, l: &NewLink<'_>, now: DateTime<Utc>) -> Result<()> {
    tx.write(
        INSERT,
        params![
            l.token_hash,
            l.purpose.as_str(),
            l.email,
            l.user_id,
            l.network_id,
            l.created_by,
            now,
            l.expires_at,
            l.role.as_str()
        ],
    )
    .await
    .map(|_| ())
}

/// The link if it is still valid, without using it (to show the form it leads to).
pub async fn peek(db: &Db, hash: &str, purpose: Purpose, now: DateTime<Utc>) -> Result<Option<Link>> {
    db.read_opt(PEEK, params![hash, purpose.as_str(), now]).await?.as_ref().map(map).transpose()
}

/// When the newest link of `purpose` was sent to each of `emails` that ever had one.
pub async fn last_sent(
    db: &Db,
    purpose: Purpose,
    emails: &[&str],
) -> Result<std::collections::HashMap<String, DateTime<Utc>>> {
    if emails.is_empty() {
        return Ok(Default::default());
    }
    let sql = match db.dialect() {
        crate::Dialect::Sqlite => LAST_SENT_SQLITE,
        crate::Dialect::Postgres => LAST_SENT_PG,
    };
    let list = serde_json::Value::from(emails.to_vec()).to_string();
    db.read(sql, params![purpose.as_str(), list]).await?.iter().map(|r| Ok((r.text(0)?, r.time(1)?))).collect()
}

/// Marks the link used and returns it, or `None` if it was used, expired or never existed.
pub async fn consume(tx: &mut Tx, hash: &str, purpose: Purpose, now: DateTime<Utc>) -> Result<Option<Link>> {
    tx.read_opt(CONSUME, params![hash, purpose.as_str(), now]).await?.as_ref().map(map).transpose()
}

/// Makes the open network invitations to `email` the new account `user`'s (`CLAIM_MEMBERSHIPS`).
pub async fn claim_invitations(tx: &mut Tx, user: UserId, email: &str, now: DateTime<Utc>) -> Result<()> {
    tx.write_for(user, CLAIM_MEMBERSHIPS, params![user, email, now]).await?;
    tx.write_for(user, CLAIM_LINKS, params![user, email, now]).await?;
    Ok(())
}

/// `claim_invitations` for every account an open invitation's address belongs to: one by one,
/// so the read model reloads just them (most imports find none).
pub async fn claim_all_invitations(tx: &mut Tx, now: DateTime<Utc>) -> Result<()> {
    let claimable: Vec<(UserId, String)> = tx
        .read(CLAIMABLE, params![now])
        .await?
        .iter()
        .map(|r| Ok((UserId(r.uuid(0)?), r.text(1)?)))
        .collect::<Result<_>>()?;
    for (user, email) in claimable {
        claim_invitations(tx, user, &email, now).await?;
    }
    Ok(())
}

/// Voids every setup link still open (each start before setup prints one; once the
/// organisation exists, none may create another administrator).
pub async fn delete_open_setup(tx: &mut Tx) -> Result<u64> {
    tx.write(DELETE_OPEN_SETUP, vec![]).await
}

/// Deletes the open invitations to the organisation (no network) for `email`; returns how many.
pub async fn cancel_org_invitations(tx: &mut Tx, email: &str, now: DateTime<Utc>) -> Result<u64> {
    tx.write(EXPIRE_OPEN_ORG_INVITES, params![email, now]).await
}

/// Holds back other requests for `user`'s links until this transaction ends (call it before
/// `count_sent_since`, so that simultaneous requests cannot all count below a limit).
pub async fn lock_account(tx: &mut Tx, user: UserId) -> Result<()> {
    let sql = match tx.dialect() {
        crate::Dialect::Postgres => LOCK_ACCOUNT_PG,
        crate::Dialect::Sqlite => LOCK_ACCOUNT_SQLITE,
    };
    tx.read(sql, params![user]).await?;
    Ok(())
}

/// How many links for `purpose` were made for `email` after `since`, used or not. Read through
/// the transaction that will add the next one, after `lock_account`, so concurrent requests count
/// each other.
pub async fn count_sent_since(tx: &mut Tx, purpose: Purpose, email: &str, since: DateTime<Utc>) -> Result<i64> {
    tx.read(COUNT_SENT_SINCE, params![purpose.as_str(), email, since]).await?.first().map_or(Ok(0), |r| r.int(0))
}

/// Deletes every open (unused) link of `purpose` for `user`; returns how many.
pub async fn delete_open_for_user(tx: &mut Tx, user: UserId, purpose: Purpose) -> Result<u64> {
    tx.write(DELETE_OPEN_FOR_USER, params![user, purpose.as_str()]).await
}

/// Who sent the newest invitation to `email` for `network`, if anyone did.
pub async fn inviter(db: &Db, network: NetworkId, email: &str) -> Result<Option<UserId>> {
    db.read_opt(INVITER, params![network, email]).await?.map(|r| r.uuid(0).map(UserId)).transpose()
}

/// How long an invitation's link works.
pub const INVITATION_DAYS: i64 = 14;

/// How long an invitation to a network that ran out unanswered is kept, listed to its organisers.
pub const KEEP_RAN_OUT_DAYS: i64 = 30;

/// The daily clean-up of ended links (see `PURGE`).
pub async fn purge(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    db.write(PURGE, params![now - Duration::days(1), now - Duration::days(KEEP_RAN_OUT_DAYS)]).await
}

/// Invitations to a network for addresses without an account that ran out unanswered (see
/// `RAN_OUT_INVITES_FOR_NETWORK`), one per address, the newest first: `expires_at` is when.
pub async fn ran_out_invites_for_network(db: &Db, network: NetworkId, now: DateTime<Utc>) -> Result<Vec<OpenInvite>> {
    let full = Duration::days(INVITATION_DAYS).num_microseconds().unwrap_or(i64::MAX);
    let mut out: Vec<OpenInvite> = Vec::new();
    for r in db.read(RAN_OUT_INVITES_FOR_NETWORK, params![network, now, full]).await? {
        let invite = invite_row(&r)?;
        if !out.iter().any(|o| o.email == invite.email) {
            out.push(invite);
        }
    }
    Ok(out)
}

fn invite_row(r: &Row) -> Result<OpenInvite> {
    let role = r.text(1)?;
    Ok(OpenInvite {
        email: r.text(0)?,
        role: Role::parse(&role).ok_or_else(|| crate::Error::Decode(format!("unknown role {role:?}")))?,
        sent_at: r.time(2)?,
        expires_at: r.time(3)?,
    })
}

/// An open invitation to a network for an address that has no account yet.
#[derive(Debug, Clone)]
pub struct OpenInvite {
    pub email: String,
    /// The role offered.
    pub role: Role,
    pub sent_at: DateTime<Utc>,
    /// When its link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Open invitations to people without an account yet, one per address, by address.
pub async fn open_invites_for_network(db: &Db, network: NetworkId, now: DateTime<Utc>) -> Result<Vec<OpenInvite>> {
    let mut open: Vec<OpenInvite> = Vec::new();
    for r in db.read(OPEN_INVITES_FOR_NETWORK, params![network, now]).await? {
        // Inviting again ends the earlier link, so an address has one open link; should it have
        // two, the newest (listed first) is the invitation. Kept here rather than in SQL: picking
        // a row per group is `DISTINCT ON` on PostgreSQL only.
        let invite = invite_row(&r)?;
        if open.last().is_some_and(|o| o.email == invite.email) {
            continue;
        }
        open.push(invite);
    }
    Ok(open)
}

/// A link as "download my data" shows it: what for, and when; never its secret.
#[derive(Debug, Clone)]
pub struct Sent {
    pub purpose: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// The links made for `user` or sent to one of the addresses they `held` while they held it,
/// oldest first.
pub async fn for_person(db: &Db, user: UserId, held: &[crate::audit::Held]) -> Result<Vec<Sent>> {
    let mut rows = db.read(FOR_USER, params![user]).await?;
    for h in held {
        let (from, until) = h.bounds();
        rows.extend(db.read(FOR_ADDRESS, params![h.address.as_str(), from, until]).await?);
    }
    let mut out: Vec<Sent> = rows
        .iter()
        .map(|r| {
            Ok(Sent { purpose: r.text(0)?, created_at: r.time(1)?, expires_at: r.time(2)?, used_at: r.opt_time(3)? })
        })
        .collect::<Result<_>>()?;
    out.sort_by_key(|s| s.created_at);
    Ok(out)
}
