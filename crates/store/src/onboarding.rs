//! Onboarding checklists: a network's steps, who ticked which, and newcomers' progress.

use crate::{Db, Result, Row, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::{NetworkId, UserId};

queries! {
    STEPS = "SELECT id, position, title, description, automatic, created_at FROM onboarding_steps WHERE network_id = $1 ORDER BY position, id";
    NEXT_POSITION = "SELECT COALESCE(MAX(position), 0) + 1 FROM onboarding_steps WHERE network_id = $1";
    INSERT_STEP = "INSERT INTO onboarding_steps (id, network_id, position, title, description, automatic, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    DELETE_STEP = "DELETE FROM onboarding_steps WHERE id = $1 AND network_id = $2";
    SET_POSITION = "UPDATE onboarding_steps SET position = $3 WHERE id = $1 AND network_id = $2";
    /// A step's wording only: its id, place, kind and everyone's ticks stay.
    EDIT_STEP = "UPDATE onboarding_steps SET title = $3, description = $4 WHERE id = $1 AND network_id = $2";
    DONE_FOR = "SELECT step_id, done_at FROM onboarding_progress WHERE network_id = $1 AND user_id = $2";
    TICK = "INSERT INTO onboarding_progress (step_id, user_id, network_id, done_at) SELECT id, $2, network_id, $3 FROM onboarding_steps WHERE id = $1 AND network_id = $4 AND automatic = '' ON CONFLICT (step_id, user_id) DO NOTHING";
    /// How many of the network's active members (accounts not deactivated) ticked a step: whose
    /// checklist its removal changes. (It also deletes the ticks of people who have left, kept
    /// for their "download my data"; no checklist shows those.)
    TICKS_OF_STEP = "SELECT COUNT(*) FROM onboarding_progress p JOIN memberships m ON m.network_id = p.network_id AND m.user_id = p.user_id JOIN users u ON u.id = p.user_id WHERE p.step_id = $1 AND p.network_id = $2 AND m.status = 'active' AND u.deactivated_at IS NULL";
    UNTICK = "DELETE FROM onboarding_progress WHERE step_id = $1 AND user_id = $2 AND network_id = $3";
    /// Active members in the role of Member (not sponsors, who follow the network, nor its
    /// organisers, who run the onboarding — a new network's Chair wrote its checklist) who joined
    /// after $2 and not before the network's "newcomers from" (members it had before are not
    /// new), and whom no organiser marked settled in during this membership — with how many
    /// manual steps they ticked and when they were last nudged.
    NEWCOMERS = "SELECT u.id, u.name, u.email, m.created_at, (SELECT COUNT(*) FROM onboarding_progress p WHERE p.network_id = m.network_id AND p.user_id = u.id), u.job_title, u.department, m.nudged_at FROM memberships m JOIN users u ON u.id = m.user_id JOIN networks n ON n.id = m.network_id WHERE m.network_id = $1 AND m.status = 'active' AND m.role = 'member' AND m.created_at >= $2 AND m.created_at >= COALESCE(n.onboarding_newcomers_from, 0) AND u.deactivated_at IS NULL AND NOT EXISTS (SELECT 1 FROM onboarding_settled s WHERE s.network_id = m.network_id AND s.user_id = m.user_id AND s.settled_at >= m.created_at) ORDER BY m.created_at, u.id";
    /// Those `NEWCOMERS` would list but for an organiser's "settled in" mark, with when it was
    /// made: the people the mark can be taken back from.
    SETTLED_IN = "SELECT u.id, u.name, u.email, m.created_at, s.settled_at FROM memberships m JOIN users u ON u.id = m.user_id JOIN networks n ON n.id = m.network_id JOIN onboarding_settled s ON s.network_id = m.network_id AND s.user_id = m.user_id WHERE m.network_id = $1 AND m.status = 'active' AND m.role = 'member' AND m.created_at >= $2 AND m.created_at >= COALESCE(n.onboarding_newcomers_from, 0) AND u.deactivated_at IS NULL AND s.settled_at >= m.created_at ORDER BY s.settled_at, u.id";
    /// When an organiser marked the person settled in, if they did during this membership.
    SETTLED_AT = "SELECT s.settled_at FROM onboarding_settled s JOIN memberships m ON m.network_id = s.network_id AND m.user_id = s.user_id WHERE s.network_id = $1 AND s.user_id = $2 AND s.settled_at >= m.created_at";
    /// A newer mark replaces an older one (from an earlier membership, which no longer counts).
    SETTLE = "INSERT INTO onboarding_settled (network_id, user_id, settled_at) VALUES ($1, $2, $3) ON CONFLICT (network_id, user_id) DO UPDATE SET settled_at = excluded.settled_at";
    UNSETTLE = "DELETE FROM onboarding_settled WHERE network_id = $1 AND user_id = $2";
    /// Every mark on a person, in every network ("download my data").
    SETTLED_OF = "SELECT s.network_id, n.name, s.settled_at FROM onboarding_settled s JOIN networks n ON n.id = s.network_id WHERE s.user_id = $1 ORDER BY n.name, n.id";
    /// Records a nudge unless one was sent after $4 (a week ago): true when this one may go.
    SET_NUDGED = "UPDATE memberships SET nudged_at = $3 WHERE network_id = $1 AND user_id = $2 AND status = 'active' AND (nudged_at IS NULL OR nudged_at < $4)";
    /// When the person was last sent a reminder about their checklist, per network ("download
    /// my data").
    NUDGED_OF = "SELECT network_id, nudged_at FROM memberships WHERE user_id = $1 AND nudged_at IS NOT NULL";
    /// Every tick in a network: (person, step).
    TICKS_IN = "SELECT user_id, step_id FROM onboarding_progress WHERE network_id = $1";
    /// Everyone who attended a welcome event of the network.
    WELCOMED_IN = "SELECT DISTINCT a.user_id FROM event_attendance a JOIN events e ON e.id = a.event_id WHERE a.network_id = $1 AND e.kind = 'welcome'";
    /// Did the person attend (check in to) a welcome event of this network?
    ATTENDED_WELCOME = "SELECT 1 FROM event_attendance a JOIN events e ON e.id = a.event_id WHERE a.network_id = $1 AND a.user_id = $2 AND e.kind = 'welcome' LIMIT 1";
    STUCK_DAYS = "SELECT onboarding_stuck_days FROM networks WHERE id = $1";
    SET_STUCK_DAYS = "UPDATE networks SET onboarding_stuck_days = $2 WHERE id = $1";
    NEWCOMERS_FROM = "SELECT onboarding_newcomers_from FROM networks WHERE id = $1";
    SET_NEWCOMERS_FROM = "UPDATE networks SET onboarding_newcomers_from = $2 WHERE id = $1";
    /// Every step a person ticked, in every network, members still or not ("download my data").
    TICKED_BY = "SELECT p.network_id, n.name, p.step_id, s.title, p.done_at FROM onboarding_progress p JOIN onboarding_steps s ON s.id = p.step_id JOIN networks n ON n.id = p.network_id WHERE p.user_id = $1 ORDER BY n.name, s.position, s.id";
}

#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    pub position: i64,
    pub title: String,
    pub description: String,
    pub automatic: String,
    /// When the step was added: a newcomer who joined before cannot be stuck on it sooner than
    /// the network's stuck-days after this.
    pub created_at: DateTime<Utc>,
}

fn map(r: &Row) -> Result<Step> {
    Ok(Step {
        id: r.text(0)?,
        position: r.int(1)?,
        title: r.text(2)?,
        description: r.text(3)?,
        automatic: r.text(4)?,
        created_at: r.time(5)?,
    })
}

pub async fn steps(db: &Db, network: NetworkId) -> Result<Vec<Step>> {
    db.read(STEPS, params![network]).await?.iter().map(map).collect()
}

pub async fn add_step(
    tx: &mut Tx,
    network: NetworkId,
    title: &str,
    description: &str,
    automatic: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let pos = tx.read_opt(NEXT_POSITION, params![network]).await?.map(|r| r.int(0)).transpose()?.unwrap_or(1);
    let id = uuid::Uuid::now_v7().to_string();
    tx.write(INSERT_STEP, params![id.clone(), network, pos, title, description, automatic, now]).await?;
    Ok(id)
}

pub async fn delete_step(tx: &mut Tx, network: NetworkId, id: &str) -> Result<bool> {
    Ok(tx.write(DELETE_STEP, params![id, network]).await? > 0)
}

/// Rewords a step; false if the network has no such step.
pub async fn edit_step(tx: &mut Tx, network: NetworkId, id: &str, title: &str, description: &str) -> Result<bool> {
    Ok(tx.write(EDIT_STEP, params![id, network, title, description]).await? > 0)
}

pub async fn set_position(tx: &mut Tx, network: NetworkId, id: &str, position: i64) -> Result<()> {
    tx.write(SET_POSITION, params![id, network, position]).await.map(|_| ())
}

/// Step id → when `user` ticked it.
pub async fn done_for(db: &Db, network: NetworkId, user: UserId) -> Result<Vec<(String, DateTime<Utc>)>> {
    db.read(DONE_FOR, params![network, user]).await?.iter().map(|r| Ok((r.text(0)?, r.time(1)?))).collect()
}

/// Ticks a manual step of this network; false if it is not one.
pub async fn tick(db: &Db, network: NetworkId, user: UserId, step: &str, now: DateTime<Utc>) -> Result<bool> {
    Ok(db.write(TICK, params![step, user, now, network]).await? > 0)
}

pub async fn ticks_of_step(db: &Db, network: NetworkId, step: &str) -> Result<i64> {
    db.read_opt(TICKS_OF_STEP, params![step, network]).await?.map_or(Ok(0), |r| r.int(0))
}

pub async fn untick(db: &Db, network: NetworkId, user: UserId, step: &str) -> Result<bool> {
    Ok(db.write(UNTICK, params![step, user, network]).await? > 0)
}

#[derive(Debug, Clone)]
pub struct Newcomer {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub joined: DateTime<Utc>,
    pub ticked: i64,
    pub has_profile: bool,
    pub nudged_at: Option<DateTime<Utc>>,
}

pub async fn newcomers(db: &Db, network: NetworkId, since: DateTime<Utc>) -> Result<Vec<Newcomer>> {
    db.read(NEWCOMERS, params![network, since])
        .await?
        .iter()
        .map(|r| {
            Ok(Newcomer {
                user_id: UserId(r.uuid(0)?),
                name: r.text(1)?,
                email: r.text(2)?,
                joined: r.time(3)?,
                ticked: r.int(4)?,
                has_profile: !r.text(5)?.is_empty() && !r.text(6)?.is_empty(),
                nudged_at: r.opt_time(7)?,
            })
        })
        .collect()
}

/// Someone who would be a newcomer but for an organiser's "settled in" mark.
#[derive(Debug, Clone)]
pub struct Settled {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub joined: DateTime<Utc>,
    pub settled_at: DateTime<Utc>,
}

/// Who `newcomers(network, since)` leaves out only because they were marked settled in.
pub async fn settled_in(db: &Db, network: NetworkId, since: DateTime<Utc>) -> Result<Vec<Settled>> {
    db.read(SETTLED_IN, params![network, since])
        .await?
        .iter()
        .map(|r| {
            Ok(Settled {
                user_id: UserId(r.uuid(0)?),
                name: r.text(1)?,
                email: r.text(2)?,
                joined: r.time(3)?,
                settled_at: r.time(4)?,
            })
        })
        .collect()
}

/// When `user` was marked settled in during their current membership of the network, if so.
pub async fn settled_at(db: &Db, network: NetworkId, user: UserId) -> Result<Option<DateTime<Utc>>> {
    db.read_opt(SETTLED_AT, params![network, user]).await?.map(|r| r.time(0)).transpose()
}

pub async fn settle(tx: &mut Tx, network: NetworkId, user: UserId, now: DateTime<Utc>) -> Result<()> {
    tx.write(SETTLE, params![network, user, now]).await.map(|_| ())
}

/// Takes the mark back; false if there was none.
pub async fn unsettle(tx: &mut Tx, network: NetworkId, user: UserId) -> Result<bool> {
    Ok(tx.write(UNSETTLE, params![network, user]).await? > 0)
}

/// (network, its name, when) for every "settled in" mark on `user`, by network name.
pub async fn settled_of(db: &Db, user: UserId) -> Result<Vec<(NetworkId, String, DateTime<Utc>)>> {
    db.read(SETTLED_OF, params![user])
        .await?
        .iter()
        .map(|r| Ok((NetworkId(r.uuid(0)?), r.text(1)?, r.time(2)?)))
        .collect()
}

/// Records that `user` is nudged now, unless they were after `not_since`; false then.
pub async fn set_nudged(
    tx: &mut Tx,
    network: NetworkId,
    user: UserId,
    now: DateTime<Utc>,
    not_since: DateTime<Utc>,
) -> Result<bool> {
    Ok(tx.write_for(user, SET_NUDGED, params![network, user, now, not_since]).await? > 0)
}

/// (network, when) for every network whose organisers last reminded `user` of their checklist.
pub async fn nudged_of(db: &Db, user: UserId) -> Result<Vec<(NetworkId, DateTime<Utc>)>> {
    db.read(NUDGED_OF, params![user]).await?.iter().map(|r| Ok((NetworkId(r.uuid(0)?), r.time(1)?))).collect()
}

/// (person, step) for every tick in the network.
pub async fn ticks_in(db: &Db, network: NetworkId) -> Result<Vec<(UserId, String)>> {
    db.read(TICKS_IN, params![network]).await?.iter().map(|r| Ok((UserId(r.uuid(0)?), r.text(1)?))).collect()
}

/// Everyone who attended a welcome event of the network.
pub async fn welcomed_in(db: &Db, network: NetworkId) -> Result<Vec<UserId>> {
    db.read(WELCOMED_IN, params![network]).await?.iter().map(|r| Ok(UserId(r.uuid(0)?))).collect()
}

pub async fn stuck_days(db: &Db, network: NetworkId) -> Result<i64> {
    Ok(db.read_opt(STUCK_DAYS, params![network]).await?.map(|r| r.int(0)).transpose()?.unwrap_or(14))
}

pub async fn set_stuck_days(tx: &mut Tx, network: NetworkId, days: i64) -> Result<()> {
    tx.write(SET_STUCK_DAYS, params![network, days]).await.map(|_| ())
}

/// Members who joined before this are not newcomers; None: everyone in the window is.
pub async fn newcomers_from(db: &Db, network: NetworkId) -> Result<Option<DateTime<Utc>>> {
    Ok(db.read_opt(NEWCOMERS_FROM, params![network]).await?.map(|r| r.opt_time(0)).transpose()?.flatten())
}

pub async fn set_newcomers_from(tx: &mut Tx, network: NetworkId, from: Option<DateTime<Utc>>) -> Result<()> {
    tx.write(SET_NEWCOMERS_FROM, params![network, from]).await.map(|_| ())
}

pub async fn attended_welcome(db: &Db, network: NetworkId, user: UserId) -> Result<bool> {
    Ok(db.read_opt(ATTENDED_WELCOME, params![network, user]).await?.is_some())
}

/// A step a person ticked.
#[derive(Debug, Clone)]
pub struct Ticked {
    pub network_id: NetworkId,
    pub network_name: String,
    pub step_id: String,
    pub title: String,
    pub done_at: DateTime<Utc>,
}

/// Every step `user` ticked, by network name and step position.
pub async fn ticked_by(db: &Db, user: UserId) -> Result<Vec<Ticked>> {
    db.read(TICKED_BY, params![user])
        .await?
        .iter()
        .map(|r| {
            Ok(Ticked {
                network_id: NetworkId(r.uuid(0)?),
                network_name: r.text(1)?,
                step_id: r.text(2)?,
                title: r.text(3)?,
                done_at: r.time(4)?,
            })
        })
        .collect()
}
