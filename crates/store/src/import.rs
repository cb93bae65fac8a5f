//! HR import and export: one read of everyone (people, profiles, tags, reporting line,
//! memberships, networks) to plan an import or build an export, and batched writes for applying
//! an import inside the caller's transaction.
//!
//! Why batched: an import of 100,000 people would take over a million single-row statements, and
//! on SQLite each statement is one hand-off to the blocking writer thread. Here each statement
//! takes a JSON array of up to a chunk of rows (the caller chunks) and unpacks it in SQL —
//! `json_each` on SQLite, `json_array_elements` on PostgreSQL — so the engines differ only in how
//! they read JSON (`*_SQLITE` / `*_PG`). The columns written are the ones `users::insert_person`,
//! `profiles::save` and `networks::upsert_membership` write.

use crate::{Db, Dialect, Result, Row, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::{NetworkId, UserId};
use serde_json::{Value as Json, json};

queries! {
    PEOPLE = "SELECT u.id, u.email, u.name, u.job_title, u.department, u.location, u.time_zone, u.is_org_admin, u.deactivated_at, p.preferred_name, p.pronouns, p.level, p.years_experience, p.bio, p.start_date, p.manager_id, p.visibility, u.employee_id FROM users u LEFT JOIN profiles p ON p.user_id = u.id ORDER BY u.id";
    TAGS = "SELECT user_id, kind, tag FROM profile_tags WHERE kind IN ('skills', 'interests', 'languages') ORDER BY user_id, kind, folded";
    SUPPORTS = "SELECT user_id, executive_id FROM profile_supports ORDER BY user_id, executive_id";
    MEMBERSHIPS = "SELECT network_id, user_id, role, status, created_at FROM memberships";
    NETWORKS = "SELECT id, slug, name FROM networks ORDER BY slug";
    /// Every change of address an import made, oldest first (`Snapshot::moved`).
    MOVED = "SELECT subject, detail FROM audit_log WHERE action = 'person.email_changed' ORDER BY at, id";
    ORG_ZONE = "SELECT time_zone FROM organisation";

    /// People from the HR file: the organisation's own record vouches for their addresses, so
    /// they count as confirmed (they still get in only through a reset link or an invitation).
    INSERT_USERS_SQLITE = "INSERT INTO users (id, email, name, name_folded, password_hash, is_org_admin, email_verified_at, created_at, job_title, department, location, time_zone, employee_id) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), NULL, FALSE, $2, $2, json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[6]'), json_extract(value, '$[7]'), json_extract(value, '$[8]') FROM json_each($1)";
    INSERT_USERS_PG = "INSERT INTO users (id, email, name, name_folded, password_hash, is_org_admin, email_verified_at, created_at, job_title, department, location, time_zone, employee_id) SELECT j->>0, j->>1, j->>2, j->>3, NULL, FALSE, $2::bigint, $2::bigint, j->>4, j->>5, j->>6, j->>7, j->>8 FROM json_array_elements($1::text::json) AS t(j)";
    UPDATE_USERS_SQLITE = "UPDATE users SET name = json_extract(j.value, '$[2]'), name_folded = json_extract(j.value, '$[3]'), job_title = json_extract(j.value, '$[4]'), department = json_extract(j.value, '$[5]'), location = json_extract(j.value, '$[6]'), time_zone = json_extract(j.value, '$[7]'), employee_id = json_extract(j.value, '$[8]') FROM json_each($1) AS j WHERE users.id = json_extract(j.value, '$[0]')";
    /// A new address for people HR renamed (matched by employee id): HR vouches for it as for a
    /// new person's, so it counts as confirmed from the import on.
    CHANGE_EMAILS_SQLITE = "UPDATE users SET email = json_extract(j.value, '$[1]'), email_verified_at = $2 FROM json_each($1) AS j WHERE users.id = json_extract(j.value, '$[0]')";
    UPDATE_USERS_PG = "UPDATE users AS u SET name = j->>2, name_folded = j->>3, job_title = j->>4, department = j->>5, location = j->>6, time_zone = j->>7, employee_id = j->>8 FROM json_array_elements($1::text::json) AS t(j) WHERE u.id = j->>0";
    CHANGE_EMAILS_PG = "UPDATE users AS u SET email = j->>1, email_verified_at = $2::bigint FROM json_array_elements($1::text::json) AS t(j) WHERE u.id = j->>0";
    UPSERT_PROFILES_SQLITE = "INSERT INTO profiles (user_id, preferred_name, pronouns, level, years_experience, bio, start_date, manager_id, visibility, search_organisation, search_network, updated_at) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[6]'), json_extract(value, '$[7]'), json_extract(value, '$[8]'), json_extract(value, '$[9]'), json_extract(value, '$[10]'), $2 FROM json_each($1) WHERE true ON CONFLICT (user_id) DO UPDATE SET preferred_name = excluded.preferred_name, pronouns = excluded.pronouns, level = excluded.level, years_experience = excluded.years_experience, bio = excluded.bio, start_date = excluded.start_date, manager_id = excluded.manager_id, visibility = excluded.visibility, search_organisation = excluded.search_organisation, search_network = excluded.search_network, updated_at = excluded.updated_at";
    UPSERT_PROFILES_PG = "INSERT INTO profiles (user_id, preferred_name, pronouns, level, years_experience, bio, start_date, manager_id, visibility, search_organisation, search_network, updated_at) SELECT j->>0, j->>1, j->>2, j->>3, (j->>4)::bigint, j->>5, j->>6, j->>7, j->>8, j->>9, j->>10, $2::bigint FROM json_array_elements($1::text::json) AS t(j) ON CONFLICT (user_id) DO UPDATE SET preferred_name = excluded.preferred_name, pronouns = excluded.pronouns, level = excluded.level, years_experience = excluded.years_experience, bio = excluded.bio, start_date = excluded.start_date, manager_id = excluded.manager_id, visibility = excluded.visibility, search_organisation = excluded.search_organisation, search_network = excluded.search_network, updated_at = excluded.updated_at";
    DELETE_TAGS_SQLITE = "DELETE FROM profile_tags WHERE user_id IN (SELECT value FROM json_each($1))";
    DELETE_TAGS_PG = "DELETE FROM profile_tags WHERE user_id IN (SELECT json_array_elements_text($1::text::json))";
    INSERT_TAGS_SQLITE = "INSERT INTO profile_tags (user_id, kind, tag, folded, audience) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]') FROM json_each($1) WHERE true ON CONFLICT (user_id, kind, folded) DO NOTHING";
    INSERT_TAGS_PG = "INSERT INTO profile_tags (user_id, kind, tag, folded, audience) SELECT j->>0, j->>1, j->>2, j->>3, j->>4 FROM json_array_elements($1::text::json) AS t(j) ON CONFLICT (user_id, kind, folded) DO NOTHING";
    DELETE_SUPPORTS_SQLITE = "DELETE FROM profile_supports WHERE user_id IN (SELECT value FROM json_each($1))";
    DELETE_SUPPORTS_PG = "DELETE FROM profile_supports WHERE user_id IN (SELECT json_array_elements_text($1::text::json))";
    INSERT_SUPPORTS_SQLITE = "INSERT INTO profile_supports (user_id, executive_id) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each($1) WHERE true ON CONFLICT (user_id, executive_id) DO NOTHING";
    INSERT_SUPPORTS_PG = "INSERT INTO profile_supports (user_id, executive_id) SELECT j->>0, j->>1 FROM json_array_elements($1::text::json) AS t(j) ON CONFLICT (user_id, executive_id) DO NOTHING";
    /// Active membership as Member; an existing membership keeps its role and becomes active
    /// (from today: the date a membership became active is its "member since") — but an
    /// invitation to an organiser's role stays one: the role is the invitee's to accept.
    ACTIVATE_MEMBERSHIPS_SQLITE = "INSERT INTO memberships (network_id, user_id, role, status, created_at, updated_at) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), 'member', 'active', $2, $2 FROM json_each($1) WHERE true ON CONFLICT (network_id, user_id) DO UPDATE SET status = 'active', updated_at = excluded.updated_at, request_note = NULL, created_at = excluded.created_at WHERE memberships.status <> 'active' AND NOT (memberships.status = 'invited' AND memberships.role <> 'member')";
    ACTIVATE_MEMBERSHIPS_PG = "INSERT INTO memberships (network_id, user_id, role, status, created_at, updated_at) SELECT j->>0, j->>1, 'member', 'active', $2::bigint, $2::bigint FROM json_array_elements($1::text::json) AS t(j) ON CONFLICT (network_id, user_id) DO UPDATE SET status = 'active', updated_at = excluded.updated_at, request_note = NULL, created_at = excluded.created_at WHERE memberships.status <> 'active' AND NOT (memberships.status = 'invited' AND memberships.role <> 'member')";
    DEACTIVATE_SQLITE = "UPDATE users SET deactivated_at = $2 WHERE deactivated_at IS NULL AND id IN (SELECT value FROM json_each($1))";
    DEACTIVATE_PG = "UPDATE users SET deactivated_at = $2 WHERE deactivated_at IS NULL AND id IN (SELECT json_array_elements_text($1::text::json))";
    REACTIVATE_SQLITE = "UPDATE users SET deactivated_at = NULL WHERE deactivated_at IS NOT NULL AND id IN (SELECT value FROM json_each($1))";
    REACTIVATE_PG = "UPDATE users SET deactivated_at = NULL WHERE deactivated_at IS NOT NULL AND id IN (SELECT json_array_elements_text($1::text::json))";
    DELETE_SESSIONS_SQLITE = "DELETE FROM sessions WHERE user_id IN (SELECT value FROM json_each($1))";
    DELETE_SESSIONS_PG = "DELETE FROM sessions WHERE user_id IN (SELECT json_array_elements_text($1::text::json))";
    /// Holds off other writers to people's rows until the import commits: it writes back what it
    /// read, so a profile saved in between would be lost (SQLite's one writer does this already).
    HOLD_PEOPLE_PG = "LOCK TABLE users, profiles, profile_tags, profile_supports, memberships IN SHARE ROW EXCLUSIVE MODE";
    DELETE_TOKENS_SQLITE = "DELETE FROM api_tokens WHERE user_id IN (SELECT value FROM json_each($1))";
    DELETE_TOKENS_PG = "DELETE FROM api_tokens WHERE user_id IN (SELECT json_array_elements_text($1::text::json))";
    /// Employee ids of some people (the org-admin people page), by a JSON array of user ids.
    EMPLOYEE_IDS_SQLITE = "SELECT id, employee_id FROM users WHERE employee_id IS NOT NULL AND id IN (SELECT value FROM json_each($1))";
    EMPLOYEE_IDS_PG = "SELECT id, employee_id FROM users WHERE employee_id IS NOT NULL AND id IN (SELECT json_array_elements_text($1::text::json))";
    BY_EMPLOYEE_ID = "SELECT id FROM users WHERE employee_id = $1";
    /// A 64 MB page cache while a large import writes, so SQLite does not spill and re-read pages
    /// mid-transaction; `NORMAL_CACHE_SQLITE` (the default, 2 MB) is restored before commit.
    BIG_CACHE_SQLITE = "PRAGMA cache_size = -65536";
    NORMAL_CACHE_SQLITE = "PRAGMA cache_size = -2000";
}

/// A person as stored, with the profile fields an import may change or must carry over.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub job_title: String,
    pub department: String,
    pub location: String,
    pub time_zone: String,
    pub is_org_admin: bool,
    pub deactivated: bool,
    pub preferred_name: String,
    pub pronouns: String,
    pub level: String,
    pub years_experience: Option<i64>,
    pub bio: String,
    pub start_date: String,
    pub manager_id: Option<UserId>,
    /// Per-field audiences as JSON (`{}` when the person never chose).
    pub visibility: String,
    /// The HR system's key, when known.
    pub employee_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NetworkRef {
    pub id: NetworkId,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct MembershipRef {
    pub network_id: NetworkId,
    pub user_id: UserId,
    pub role: String,
    pub status: String,
    /// When it became active (see `networks::SET_STATUS`), or was asked or invited for.
    pub since: DateTime<Utc>,
}

/// Everything an import plans against, or an export writes out.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub people: Vec<Person>,
    /// (person, kind — skills | interests | languages, tag), in the stored order.
    pub tags: Vec<(UserId, String, String)>,
    /// (assistant, executive supported)
    pub supports: Vec<(UserId, UserId)>,
    pub memberships: Vec<MembershipRef>,
    pub networks: Vec<NetworkRef>,
    /// (old address, new address) of every change of address an import made, oldest first: a
    /// file that still names someone by an address they left (as their manager, say) means them.
    pub moved: Vec<(String, String)>,
    /// The organisation's time zone ("UTC" before setup): a new person's when the file has none.
    pub org_time_zone: String,
}

/// Where a snapshot is read from: the pool (preview, export) or the import's own transaction
/// (apply, so the plan matches what it writes). Also where `audit::email_changes` reads: the
/// pool for "download my data", erasure's transaction.
pub enum Source<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl Source<'_> {
    async fn read(&mut self, sql: &'static str) -> Result<Vec<Row>> {
        self.query(sql, vec![]).await
    }

    pub(crate) async fn query(&mut self, sql: &'static str, params: Vec<crate::Value>) -> Result<Vec<Row>> {
        match self {
            Source::Db(db) => db.read(sql, params).await,
            Source::Tx(tx) => tx.read(sql, params).await,
        }
    }
}

fn map_person(r: &Row) -> Result<Person> {
    Ok(Person {
        id: UserId(r.uuid(0)?),
        email: r.text(1)?,
        name: r.text(2)?,
        job_title: r.text(3)?,
        department: r.text(4)?,
        location: r.text(5)?,
        time_zone: r.text(6)?,
        is_org_admin: r.bool(7)?,
        deactivated: r.opt_int(8)?.is_some(),
        preferred_name: r.opt_text(9)?.unwrap_or_default(),
        pronouns: r.opt_text(10)?.unwrap_or_default(),
        level: r.opt_text(11)?.unwrap_or_default(),
        years_experience: r.opt_int(12)?,
        bio: r.opt_text(13)?.unwrap_or_default(),
        start_date: r.opt_text(14)?.unwrap_or_default(),
        manager_id: r.opt_uuid(15)?.map(UserId),
        visibility: r.opt_text(16)?.unwrap_or_else(|| "{}".into()),
        employee_id: r.opt_text(17)?,
    })
}

pub async fn snapshot(src: &mut Source<'_>) -> Result<Snapshot> {
    let people = src.read(PEOPLE).await?.iter().map(map_person).collect::<Result<_>>()?;
    let tags = src
        .read(TAGS)
        .await?
        .iter()
        .map(|r| Ok((UserId(r.uuid(0)?), r.text(1)?, r.text(2)?)))
        .collect::<Result<_>>()?;
    let supports = src
        .read(SUPPORTS)
        .await?
        .iter()
        .map(|r| Ok((UserId(r.uuid(0)?), UserId(r.uuid(1)?))))
        .collect::<Result<_>>()?;
    let memberships = src
        .read(MEMBERSHIPS)
        .await?
        .iter()
        .map(|r| {
            Ok(MembershipRef {
                network_id: NetworkId(r.uuid(0)?),
                user_id: UserId(r.uuid(1)?),
                role: r.text(2)?,
                status: r.text(3)?,
                since: r.time(4)?,
            })
        })
        .collect::<Result<_>>()?;
    let networks = src
        .read(NETWORKS)
        .await?
        .iter()
        .map(|r| Ok(NetworkRef { id: NetworkId(r.uuid(0)?), slug: r.text(1)?, name: r.text(2)? }))
        .collect::<Result<_>>()?;
    let moved = src
        .read(MOVED)
        .await?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?)))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter_map(|(old, detail)| Some((old, crate::audit::new_address(&detail)?.to_owned())))
        .collect();
    let org_time_zone = match src.read(ORG_ZONE).await?.first() {
        Some(r) => r.text(0)?,
        None => "UTC".to_owned(),
    };
    Ok(Snapshot { people, tags, supports, memberships, networks, moved, org_time_zone })
}

/// Before a large write in `tx`: on SQLite, a larger page cache for this connection. Call
/// `end_bulk` before committing (an abandoned transaction discards the connection anyway).
/// Taken first in an import's transaction, before its snapshot (see `HOLD_PEOPLE_PG`).
pub async fn hold_people(tx: &mut Tx) -> Result<()> {
    if dialect(tx) == Dialect::Postgres {
        tx.lock_row(HOLD_PEOPLE_PG, vec![]).await?;
    }
    Ok(())
}

pub async fn begin_bulk(tx: &mut Tx) -> Result<()> {
    if dialect(tx) == Dialect::Sqlite {
        tx.write(BIG_CACHE_SQLITE, vec![]).await?;
    }
    Ok(())
}

pub async fn end_bulk(tx: &mut Tx) -> Result<()> {
    if dialect(tx) == Dialect::Sqlite {
        tx.write(NORMAL_CACHE_SQLITE, vec![]).await?;
    }
    Ok(())
}

/// A person's account row and work basics, for inserting or updating.
pub struct UserRow<'a> {
    pub id: UserId,
    pub email: &'a str,
    pub name: &'a str,
    pub name_folded: &'a str,
    pub job_title: &'a str,
    pub department: &'a str,
    pub location: &'a str,
    pub time_zone: &'a str,
    /// Written as given: an import only passes `None` for someone who has none.
    pub employee_id: Option<&'a str>,
}

/// A whole profile row, written as `profiles::save` writes it.
pub struct ProfileRow<'a> {
    pub id: UserId,
    pub preferred_name: &'a str,
    pub pronouns: &'a str,
    pub level: &'a str,
    pub years_experience: Option<i64>,
    pub bio: &'a str,
    pub start_date: &'a str,
    pub manager_id: Option<UserId>,
    pub visibility: &'a str,
    pub search_organisation: &'a str,
    pub search_network: &'a str,
}

fn dialect(tx: &Tx) -> Dialect {
    tx.dialect()
}

fn pick(tx: &Tx, sqlite: &'static str, pg: &'static str) -> &'static str {
    match dialect(tx) {
        Dialect::Sqlite => sqlite,
        Dialect::Postgres => pg,
    }
}

/// One statement over `rows` (a JSON array), which change no other people's rows than `people`'s
/// (so an import of a few people reloads just them; see `Tx::write_for_each`).
async fn batch(
    tx: &mut Tx,
    (sqlite, pg): (&'static str, &'static str),
    people: &[UserId],
    rows: Vec<Json>,
    now: Option<DateTime<Utc>>,
) -> Result<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let sql = pick(tx, sqlite, pg);
    let payload = Json::Array(rows).to_string();
    match now {
        Some(t) => tx.write_for_each(people, sql, params![payload, t]).await,
        None => tx.write_for_each(people, sql, params![payload]).await,
    }
}

fn ids<'a, T: 'a>(rows: impl IntoIterator<Item = &'a T>, id: impl Fn(&T) -> UserId) -> Vec<UserId> {
    rows.into_iter().map(id).collect()
}

fn id(u: UserId) -> Json {
    Json::String(u.0.to_string())
}

fn user_json(u: &UserRow<'_>) -> Json {
    json!([
        u.id.0.to_string(),
        u.email,
        u.name,
        u.name_folded,
        u.job_title,
        u.department,
        u.location,
        u.time_zone,
        u.employee_id
    ])
}

/// New accounts without a password (the person uses "forgot password" or an invitation), their
/// addresses confirmed by the HR record. A taken email is `Error::Conflict("users.email")`.
pub async fn insert_users(tx: &mut Tx, rows: &[UserRow<'_>], now: DateTime<Utc>) -> Result<u64> {
    let people = ids(rows, |u| u.id);
    let n = batch(tx, (INSERT_USERS_SQLITE, INSERT_USERS_PG), &people, rows.iter().map(user_json).collect(), Some(now))
        .await?;
    // Invitations sent to their addresses before they had accounts are now theirs.
    crate::links::claim_all_invitations(tx, now).await?;
    Ok(n)
}

/// Name, work basics and employee id of existing accounts (the email in the row is ignored; see
/// `change_emails`). A taken employee id is `Error::Conflict("users.employee_id")`.
pub async fn update_users(tx: &mut Tx, rows: &[UserRow<'_>]) -> Result<u64> {
    let people = ids(rows, |u| u.id);
    batch(tx, (UPDATE_USERS_SQLITE, UPDATE_USERS_PG), &people, rows.iter().map(user_json).collect(), None).await
}

/// New email addresses (person, new address) for people HR renamed; each address must be free.
pub async fn change_emails(tx: &mut Tx, rows: &[(UserId, &str)], now: DateTime<Utc>) -> Result<u64> {
    let people = ids(rows, |(u, _)| *u);
    let rows = rows.iter().map(|(u, e)| json!([u.0.to_string(), e])).collect();
    batch(tx, (CHANGE_EMAILS_SQLITE, CHANGE_EMAILS_PG), &people, rows, Some(now)).await
}

/// The employee ids of `people` that have one.
pub async fn employee_ids(db: &Db, people: &[UserId]) -> Result<Vec<(UserId, String)>> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let sql = match db.dialect() {
        Dialect::Sqlite => EMPLOYEE_IDS_SQLITE,
        Dialect::Postgres => EMPLOYEE_IDS_PG,
    };
    let ids = Json::Array(people.iter().copied().map(id).collect()).to_string();
    db.read(sql, params![ids]).await?.iter().map(|r| Ok((UserId(r.uuid(0)?), r.text(1)?))).collect()
}

/// The person with this employee id, if any.
pub async fn by_employee_id(db: &Db, employee_id: &str) -> Result<Option<UserId>> {
    db.read_opt(BY_EMPLOYEE_ID, params![employee_id]).await?.map(|r| r.uuid(0).map(UserId)).transpose()
}

pub async fn upsert_profiles(tx: &mut Tx, rows: &[ProfileRow<'_>], now: DateTime<Utc>) -> Result<u64> {
    let people = ids(rows, |p| p.id);
    let rows = rows
        .iter()
        .map(|p| {
            json!([
                p.id.0.to_string(),
                p.preferred_name,
                p.pronouns,
                p.level,
                p.years_experience,
                p.bio,
                p.start_date,
                p.manager_id.map(|m| m.0.to_string()),
                p.visibility,
                p.search_organisation,
                p.search_network
            ])
        })
        .collect();
    batch(tx, (UPSERT_PROFILES_SQLITE, UPSERT_PROFILES_PG), &people, rows, Some(now)).await
}

/// Replaces the tags of `people` with `tags` (person, kind, tag, folded, audience).
pub async fn replace_tags(tx: &mut Tx, people: &[UserId], tags: &[(UserId, &str, &str, &str, &str)]) -> Result<()> {
    batch(tx, (DELETE_TAGS_SQLITE, DELETE_TAGS_PG), people, people.iter().copied().map(id).collect(), None).await?;
    let holders = ids(tags, |t| t.0);
    let rows = tags.iter().map(|(u, k, t, f, a)| json!([u.0.to_string(), k, t, f, a])).collect();
    batch(tx, (INSERT_TAGS_SQLITE, INSERT_TAGS_PG), &holders, rows, None).await?;
    Ok(())
}

/// Replaces the executives `people` support with `pairs` (assistant, executive).
pub async fn replace_supports(tx: &mut Tx, people: &[UserId], pairs: &[(UserId, UserId)]) -> Result<()> {
    batch(tx, (DELETE_SUPPORTS_SQLITE, DELETE_SUPPORTS_PG), people, people.iter().copied().map(id).collect(), None)
        .await?;
    let assistants = ids(pairs, |p| p.0);
    let rows = pairs.iter().map(|(a, e)| json!([a.0.to_string(), e.0.to_string()])).collect();
    batch(tx, (INSERT_SUPPORTS_SQLITE, INSERT_SUPPORTS_PG), &assistants, rows, None).await?;
    Ok(())
}

/// Makes each (network, person) membership active: new ones as Member, existing ones keep
/// their role.
pub async fn activate_memberships(tx: &mut Tx, pairs: &[(NetworkId, UserId)], now: DateTime<Utc>) -> Result<u64> {
    let people = ids(pairs, |p| p.1);
    let rows = pairs.iter().map(|(n, u)| json!([n.0.to_string(), u.0.to_string()])).collect();
    batch(tx, (ACTIVATE_MEMBERSHIPS_SQLITE, ACTIVATE_MEMBERSHIPS_PG), &people, rows, Some(now)).await
}

/// Reactivates deactivated accounts (they sign in again with their password, or set one).
pub async fn reactivate(tx: &mut Tx, people: &[UserId]) -> Result<u64> {
    batch(tx, (REACTIVATE_SQLITE, REACTIVATE_PG), people, people.iter().copied().map(id).collect(), None).await
}

/// Deactivates the accounts and ends their sessions and API tokens.
pub async fn deactivate(tx: &mut Tx, people: &[UserId], now: DateTime<Utc>) -> Result<u64> {
    let rows = || people.iter().copied().map(id).collect();
    let n = batch(tx, (DEACTIVATE_SQLITE, DEACTIVATE_PG), people, rows(), Some(now)).await?;
    batch(tx, (DELETE_SESSIONS_SQLITE, DELETE_SESSIONS_PG), people, rows(), None).await?;
    batch(tx, (DELETE_TOKENS_SQLITE, DELETE_TOKENS_PG), people, rows(), None).await?;
    Ok(n)
}
