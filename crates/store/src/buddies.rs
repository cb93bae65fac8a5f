//! Buddies: an experienced member who looks after a newcomer in one network. Pairings are kept
//! when they end (`ended_at`), so the current pairing is the one row per newcomer and network
//! without an end. The reporting-line reads (up the manager chain, down to everyone managed)
//! serve the rule that a buddy is never in the newcomer's reporting line; the rule itself is the
//! app's.
//!
//! Everything shown filters on active memberships and active accounts, so a buddy who left the
//! network or was deactivated stops counting without anyone having to end the pairing.

use crate::{Db, Result, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::{NetworkId, UserId};

/// `b` is a current pairing whose newcomer (`n`) and buddy (`u`) are active members with active
/// accounts.
macro_rules! live {
    () => {
        "FROM buddies b JOIN users n ON n.id = b.newcomer_id JOIN users u ON u.id = b.buddy_id JOIN memberships mn ON mn.network_id = b.network_id AND mn.user_id = b.newcomer_id AND mn.status = 'active' JOIN memberships mb ON mb.network_id = b.network_id AND mb.user_id = b.buddy_id AND mb.status = 'active' WHERE b.ended_at IS NULL AND n.deactivated_at IS NULL AND u.deactivated_at IS NULL"
    };
}

/// A pairing that gives the newcomer a buddy: a current one, or one an organiser ended (the
/// newcomer was looked after). One that ended because the buddy left the network (or the
/// newcomer did) leaves them waiting for a buddy — and so does any from before the newcomer's
/// current membership: someone who left and came back is a newcomer again, without a buddy.
macro_rules! counts_as_paired {
    () => {
        "(ended_at IS NULL OR ended_by IS NOT NULL) AND assigned_at >= (SELECT m.created_at FROM memberships m WHERE m.network_id = buddies.network_id AND m.user_id = buddies.newcomer_id)"
    };
}

queries! {
    /// A newcomer's current buddy: (buddy id, name, since, email).
    BUDDY_OF = concat!("SELECT b.buddy_id, u.name, b.assigned_at, u.email ", live!(), " AND b.network_id = $1 AND b.newcomer_id = $2");
    /// A person's pairings in a network, either side, in one read (the network's home page):
    /// newcomer, buddy, since, their emails.
    OF_PERSON = concat!("SELECT b.newcomer_id, n.name, b.buddy_id, u.name, b.assigned_at, n.email, u.email ", live!(), " AND b.network_id = $1 AND (b.newcomer_id = $2 OR b.buddy_id = $2) ORDER BY b.assigned_at, b.newcomer_id");
    /// Every current pairing of a network: newcomer, buddy, since, their emails.
    PAIRS = concat!("SELECT b.newcomer_id, n.name, b.buddy_id, u.name, b.assigned_at, n.email, u.email ", live!(), " AND b.network_id = $1 ORDER BY n.name_folded, b.newcomer_id");
    /// Whether the newcomer was given a buddy in the network (`counts_as_paired!`: a pairing an
    /// organiser ended counts, and the onboarding step "meet your buddy" stays done).
    EVER_PAIRED = concat!("SELECT 1 FROM buddies WHERE network_id = $1 AND newcomer_id = $2 AND ", counts_as_paired!(), " LIMIT 1");
    /// Every newcomer given a buddy in the network (`counts_as_paired!`).
    PAIRED_IN = concat!("SELECT DISTINCT newcomer_id FROM buddies WHERE network_id = $1 AND ", counts_as_paired!());
    /// The current pairing as stored (whoever the buddy is now), inside the changing transaction.
    CURRENT_ROW = "SELECT id, buddy_id FROM buddies WHERE network_id = $1 AND newcomer_id = $2 AND ended_at IS NULL";
    INSERT = "INSERT INTO buddies (id, network_id, newcomer_id, buddy_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5, $6)";
    END = "UPDATE buddies SET ended_at = $3, ended_by = $4 WHERE network_id = $1 AND newcomer_id = $2 AND ended_at IS NULL";
    /// Every pairing a person has been part of, either side, in any network, ended ones too
    /// ("download my data"): network, newcomer, buddy, assigned, ended.
    HISTORY_OF = "SELECT n.name, b.newcomer_id, nu.name, b.buddy_id, bu.name, b.assigned_at, b.ended_at FROM buddies b JOIN networks n ON n.id = b.network_id JOIN users nu ON nu.id = b.newcomer_id JOIN users bu ON bu.id = b.buddy_id WHERE b.newcomer_id = $1 OR b.buddy_id = $1 ORDER BY b.assigned_at, b.id";
    /// Ends every current pairing a person is part of, in any network (their data is erased).
    END_ALL_FOR = "UPDATE buddies SET ended_at = $2 WHERE (newcomer_id = $1 OR buddy_id = $1) AND ended_at IS NULL";
    /// Ends the current pairings a person is part of in one network (they left it).
    END_ALL_IN = "UPDATE buddies SET ended_at = $3 WHERE network_id = $1 AND (newcomer_id = $2 OR buddy_id = $2) AND ended_at IS NULL";
    /// An active member of the network with an active account: name, email, location, time zone,
    /// member since.
    MEMBER = "SELECT u.id, u.name, u.email, u.location, u.time_zone, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.network_id = $1 AND m.user_id = $2 AND m.status = 'active' AND u.deactivated_at IS NULL";
    MEMBER_BY_EMAIL = "SELECT u.id, u.name, u.email, u.location, u.time_zone, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.network_id = $1 AND u.email = $2 AND m.status = 'active' AND u.deactivated_at IS NULL";
    /// Possible buddies, longest-standing first, with how many newcomers each looks after now.
    CANDIDATES = "SELECT u.id, u.name, u.email, u.location, u.time_zone, m.created_at, (SELECT COUNT(*) FROM buddies b JOIN memberships bm ON bm.network_id = b.network_id AND bm.user_id = b.newcomer_id AND bm.status = 'active' WHERE b.network_id = m.network_id AND b.buddy_id = u.id AND b.ended_at IS NULL) FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.network_id = $1 AND m.status = 'active' AND u.deactivated_at IS NULL AND u.id <> $2 ORDER BY m.created_at, u.id LIMIT $3";
    /// Everyone above a person in the reporting line (manager, manager's manager, …). The depth
    /// bound stops loops in hand-edited data.
    ABOVE = "WITH RECURSIVE up (id, depth) AS (SELECT manager_id, 1 FROM profiles WHERE user_id = $1 AND manager_id IS NOT NULL UNION SELECT p.manager_id, up.depth + 1 FROM up JOIN profiles p ON p.user_id = up.id WHERE p.manager_id IS NOT NULL AND up.depth < 64) SELECT DISTINCT id FROM up";
    /// Everyone below a person in the reporting line (direct and indirect reports).
    BELOW = "WITH RECURSIVE down (id, depth) AS (SELECT user_id, 1 FROM profiles WHERE manager_id = $1 UNION SELECT p.user_id, down.depth + 1 FROM down JOIN profiles p ON p.manager_id = down.id WHERE down.depth < 64) SELECT DISTINCT id FROM down";
    /// The executives a person supports as an assistant (their principals).
    SUPPORTS = "SELECT executive_id FROM profile_supports WHERE user_id = $1";
}

/// Someone paired, and since when.
#[derive(Debug, Clone)]
pub struct Paired {
    pub id: UserId,
    pub name: String,
    pub since: DateTime<Utc>,
    /// How the two reach each other (the pairing is for getting in touch).
    pub email: String,
}

/// A current pairing of a network.
#[derive(Debug, Clone)]
pub struct Pair {
    pub newcomer: Paired,
    pub buddy: Paired,
}

/// A pairing as kept, current or ended (a person's own record of them).
#[derive(Debug, Clone)]
pub struct Record {
    pub network: String,
    pub newcomer: UserId,
    pub newcomer_name: String,
    pub buddy: UserId,
    pub buddy_name: String,
    pub assigned_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// An active member as buddy matching sees them.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub location: String,
    pub time_zone: String,
    pub member_since: DateTime<Utc>,
    /// Newcomers they look after now (candidates only; 0 otherwise).
    pub current_buddies: i64,
}

fn member(r: &crate::Row) -> Result<Member> {
    Ok(Member {
        id: UserId(r.uuid(0)?),
        name: r.text(1)?,
        email: r.text(2)?,
        location: r.text(3)?,
        time_zone: r.text(4)?,
        member_since: r.time(5)?,
        current_buddies: 0,
    })
}

pub async fn buddy_of(db: &Db, network: NetworkId, newcomer: UserId) -> Result<Option<Paired>> {
    db.read_opt(BUDDY_OF, params![network, newcomer])
        .await?
        .map(|r| Ok(Paired { id: UserId(r.uuid(0)?), name: r.text(1)?, since: r.time(2)?, email: r.text(3)? }))
        .transpose()
}

pub async fn ever_paired(db: &Db, network: NetworkId, newcomer: UserId) -> Result<bool> {
    Ok(db.read_opt(EVER_PAIRED, params![network, newcomer]).await?.is_some())
}

/// Every newcomer ever given a buddy in the network (`ever_paired` for all at once).
pub async fn paired_in(db: &Db, network: NetworkId) -> Result<Vec<UserId>> {
    db.read(PAIRED_IN, params![network]).await?.iter().map(|r| Ok(UserId(r.uuid(0)?))).collect()
}

/// `person`'s buddy in the network, and the newcomers they look after there.
pub async fn of_person(db: &Db, network: NetworkId, person: UserId) -> Result<(Option<Paired>, Vec<Paired>)> {
    let (mut buddy, mut looking_after) = (None, Vec::new());
    for r in db.read(OF_PERSON, params![network, person]).await? {
        let since = r.time(4)?;
        let (newcomer, buddy_id) = (UserId(r.uuid(0)?), UserId(r.uuid(2)?));
        if newcomer == person {
            buddy = Some(Paired { id: buddy_id, name: r.text(3)?, since, email: r.text(6)? });
        } else {
            looking_after.push(Paired { id: newcomer, name: r.text(1)?, since, email: r.text(5)? });
        }
    }
    Ok((buddy, looking_after))
}

pub async fn pairs(db: &Db, network: NetworkId) -> Result<Vec<Pair>> {
    db.read(PAIRS, params![network])
        .await?
        .iter()
        .map(|r| {
            let since = r.time(4)?;
            Ok(Pair {
                newcomer: Paired { id: UserId(r.uuid(0)?), name: r.text(1)?, since, email: r.text(5)? },
                buddy: Paired { id: UserId(r.uuid(2)?), name: r.text(3)?, since, email: r.text(6)? },
            })
        })
        .collect()
}

/// Every pairing `person` has been part of, as newcomer or as buddy, in any network, whether or
/// not it has ended, oldest first.
pub async fn history_of(db: &Db, person: UserId) -> Result<Vec<Record>> {
    db.read(HISTORY_OF, params![person])
        .await?
        .iter()
        .map(|r| {
            Ok(Record {
                network: r.text(0)?,
                newcomer: UserId(r.uuid(1)?),
                newcomer_name: r.text(2)?,
                buddy: UserId(r.uuid(3)?),
                buddy_name: r.text(4)?,
                assigned_at: r.time(5)?,
                ended_at: r.opt_time(6)?,
            })
        })
        .collect()
}

/// An active member of the network, by id.
pub async fn member_by_id(db: &Db, network: NetworkId, id: UserId) -> Result<Option<Member>> {
    db.read_opt(MEMBER, params![network, id]).await?.as_ref().map(member).transpose()
}

/// An active member of the network, by (normalised) email.
pub async fn member_by_email(db: &Db, network: NetworkId, email: &str) -> Result<Option<Member>> {
    db.read_opt(MEMBER_BY_EMAIL, params![network, email]).await?.as_ref().map(member).transpose()
}

/// Up to `limit` possible buddies for `newcomer`, longest-standing first.
pub async fn candidates(db: &Db, network: NetworkId, newcomer: UserId, limit: i64) -> Result<Vec<Member>> {
    db.read(CANDIDATES, params![network, newcomer, limit])
        .await?
        .iter()
        .map(|r| Ok(Member { current_buddies: r.int(6)?, ..member(r)? }))
        .collect()
}

/// Everyone in `person`'s reporting line: above (managers up the chain), below (everyone they
/// manage, directly or not), and the executives they support.
pub async fn reporting_line(db: &Db, person: UserId) -> Result<Vec<UserId>> {
    let mut out = Vec::new();
    for sql in [ABOVE, BELOW, SUPPORTS] {
        for r in db.read(sql, params![person]).await? {
            out.push(UserId(r.uuid(0)?));
        }
    }
    Ok(out)
}

/// Makes `buddy` the newcomer's current buddy, ending the current pairing if any. Returns the
/// previous buddy (whoever they are now). The caller checks that the change is wanted.
pub async fn assign(
    tx: &mut Tx,
    network: NetworkId,
    newcomer: UserId,
    buddy: UserId,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<Option<UserId>> {
    let previous = current(tx, network, newcomer).await?;
    if previous.is_some() {
        tx.write(END, params![network, newcomer, now, by]).await?;
    }
    tx.write(INSERT, params![uuid::Uuid::now_v7(), network, newcomer, buddy, by, now]).await?;
    Ok(previous)
}

/// The current buddy as stored, read inside the changing transaction.
pub async fn current(tx: &mut Tx, network: NetworkId, newcomer: UserId) -> Result<Option<UserId>> {
    tx.read_opt(CURRENT_ROW, params![network, newcomer]).await?.map(|r| r.uuid(1).map(UserId)).transpose()
}

/// Ends the current pairing; false if there was none.
pub async fn end(
    tx: &mut Tx,
    network: NetworkId,
    newcomer: UserId,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(tx.write(END, params![network, newcomer, now, by]).await? > 0)
}

/// Ends every current pairing of `person` in one network: leaving it ends them, so rejoining
/// does not quietly bring a pairing back.
pub async fn end_all_in(tx: &mut Tx, network: NetworkId, person: UserId, now: DateTime<Utc>) -> Result<u64> {
    tx.write(END_ALL_IN, params![network, person, now]).await
}

/// Ends every current pairing of `person`, in every network.
pub async fn end_all_for(tx: &mut Tx, person: UserId, now: DateTime<Utc>) -> Result<u64> {
    tx.write(END_ALL_FOR, params![person, now]).await
}
