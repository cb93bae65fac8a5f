//! Profiles, tags and the reporting line. Who may see which field is decided in the app with
//! `domain::profile::can_see` on the read model (`read_model::Snapshot::relation`); rows here
//! carry each field's audience.

use crate::{Db, Result, Row, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::UserId;

queries! {
    PROFILE = "SELECT u.id, u.email, u.name, u.job_title, u.department, u.location, u.time_zone, p.preferred_name, p.pronouns, p.level, p.years_experience, p.bio, p.start_date, p.manager_id, p.visibility, mgr.name, u.created_at FROM users u LEFT JOIN profiles p ON p.user_id = u.id LEFT JOIN users mgr ON mgr.id = p.manager_id WHERE u.id = $1 AND u.deactivated_at IS NULL";
    TAGS = "SELECT kind, tag FROM profile_tags WHERE user_id = $1 ORDER BY kind, folded";
    SUPPORTS = "SELECT e.id, e.name FROM profile_supports s JOIN users e ON e.id = s.executive_id WHERE s.user_id = $1 ORDER BY e.name_folded, e.id";
    UPDATE_BASICS = "UPDATE users SET job_title = $2, department = $3, location = $4, time_zone = $5, name = $6, name_folded = $7 WHERE id = $1";
    UPSERT = "INSERT INTO profiles (user_id, preferred_name, pronouns, level, years_experience, bio, start_date, manager_id, visibility, search_organisation, search_network, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (user_id) DO UPDATE SET preferred_name = excluded.preferred_name, pronouns = excluded.pronouns, level = excluded.level, years_experience = excluded.years_experience, bio = excluded.bio, start_date = excluded.start_date, manager_id = excluded.manager_id, visibility = excluded.visibility, search_organisation = excluded.search_organisation, search_network = excluded.search_network, updated_at = excluded.updated_at";
    DELETE_TAGS = "DELETE FROM profile_tags WHERE user_id = $1";
    INSERT_TAG = "INSERT INTO profile_tags (user_id, kind, tag, folded, audience) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, kind, folded) DO NOTHING";
    DELETE_SUPPORTS = "DELETE FROM profile_supports WHERE user_id = $1";
    INSERT_SUPPORT = "INSERT INTO profile_supports (user_id, executive_id) VALUES ($1, $2) ON CONFLICT (user_id, executive_id) DO NOTHING";
    /// The reporting chain upwards (manager, manager's manager, …), for status-aware matching.
    MANAGER_OF = "SELECT manager_id FROM profiles WHERE user_id = $1";
    /// The people a person's own profile names above them: their manager and the executives
    /// they support.
    NAMED_ABOVE = "SELECT manager_id FROM profiles WHERE user_id = $1 AND manager_id IS NOT NULL UNION SELECT executive_id FROM profile_supports WHERE user_id = $1";
    PHOTO = "SELECT jpeg_base64, updated_at FROM profile_photos WHERE user_id = $1";
    PHOTO_CHANGED = "SELECT updated_at FROM profile_photos WHERE user_id = $1";
    SET_PHOTO = "INSERT INTO profile_photos (user_id, jpeg_base64, updated_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO UPDATE SET jpeg_base64 = excluded.jpeg_base64, updated_at = excluded.updated_at";
    DELETE_PHOTO = "DELETE FROM profile_photos WHERE user_id = $1";
}

/// Everything stored about a profile (before privacy is applied by the app).
#[derive(Debug, Clone)]
pub struct Profile {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub job_title: String,
    pub department: String,
    pub location: String,
    pub time_zone: String,
    pub preferred_name: String,
    pub pronouns: String,
    pub level: String,
    pub years_experience: Option<i64>,
    pub bio: String,
    pub start_date: String,
    pub manager_id: Option<UserId>,
    pub manager_name: Option<String>,
    pub visibility: String,
    pub member_since: DateTime<Utc>,
    pub tags: Vec<(String, String)>,
    pub supports: Vec<(UserId, String)>,
}

fn map(r: &Row) -> Result<Profile> {
    Ok(Profile {
        id: UserId(r.uuid(0)?),
        email: r.text(1)?,
        name: r.text(2)?,
        job_title: r.text(3)?,
        department: r.text(4)?,
        location: r.text(5)?,
        time_zone: r.text(6)?,
        preferred_name: r.opt_text(7)?.unwrap_or_default(),
        pronouns: r.opt_text(8)?.unwrap_or_default(),
        level: r.opt_text(9)?.unwrap_or_default(),
        years_experience: r.opt_int(10)?,
        bio: r.opt_text(11)?.unwrap_or_default(),
        start_date: r.opt_text(12)?.unwrap_or_default(),
        manager_id: r.opt_uuid(13)?.map(UserId),
        visibility: r.opt_text(14)?.unwrap_or_else(|| "{}".into()),
        manager_name: r.opt_text(15)?,
        member_since: r.time(16)?,
        tags: Vec::new(),
        supports: Vec::new(),
    })
}

pub async fn get(db: &Db, id: UserId) -> Result<Option<Profile>> {
    let Some(mut p) = db.read_opt(PROFILE, params![id]).await?.as_ref().map(map).transpose()? else { return Ok(None) };
    p.tags = db.read(TAGS, params![id]).await?.iter().map(|r| Ok((r.text(0)?, r.text(1)?))).collect::<Result<_>>()?;
    p.supports = db
        .read(SUPPORTS, params![id])
        .await?
        .iter()
        .map(|r| Ok((UserId(r.uuid(0)?), r.text(1)?)))
        .collect::<Result<_>>()?;
    Ok(Some(p))
}

/// What a profile save writes.
pub struct ProfileWrite<'a> {
    pub name: &'a str,
    pub name_folded: &'a str,
    pub job_title: &'a str,
    pub department: &'a str,
    pub location: &'a str,
    pub time_zone: &'a str,
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
    /// (kind, tag, folded, audience)
    pub tags: Vec<(&'a str, String, String, &'a str)>,
    pub supports: Vec<UserId>,
}

/// Replaces a person's profile, tags and supported executives in the caller's transaction.
pub async fn save(tx: &mut Tx, id: UserId, w: &ProfileWrite<'_>, now: DateTime<Utc>) -> Result<()> {
    tx.write_for(
        id,
        UPDATE_BASICS,
        params![id, w.job_title, w.department, w.location, w.time_zone, w.name, w.name_folded],
    )
    .await?;
    tx.write_for(
        id,
        UPSERT,
        params![
            id,
            w.preferred_name,
            w.pronouns,
            w.level,
            w.years_experience,
            w.bio,
            w.start_date,
            w.manager_id,
            w.visibility,
            w.search_organisation,
            w.search_network,
            now
        ],
    )
    .await?;
    tx.write_for(id, DELETE_TAGS, params![id]).await?;
    for (kind, tag, folded, audience) in &w.tags {
        tx.write_for(id, INSERT_TAG, params![id, *kind, tag, folded, *audience]).await?;
    }
    tx.write(DELETE_SUPPORTS, params![id]).await?;
    for e in &w.supports {
        tx.write(INSERT_SUPPORT, params![id, e]).await?;
    }
    Ok(())
}

/// The manager of `id`, if recorded.
pub async fn manager_of(db: &Db, id: UserId) -> Result<Option<UserId>> {
    Ok(db.read_opt(MANAGER_OF, params![id]).await?.map(|r| r.opt_uuid(0)).transpose()?.flatten().map(UserId))
}

/// The manager and the executives `id`'s profile names (not peers: "people like you" leaves
/// them out).
pub async fn named_above(db: &Db, id: UserId) -> Result<Vec<UserId>> {
    db.read(NAMED_ABOVE, params![id]).await?.iter().map(|r| Ok(UserId(r.uuid(0)?))).collect()
}

/// A person as listed in the directory.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: UserId,
    pub name: String,
    pub job_title: String,
    pub department: String,
    pub location: String,
    pub has_photo: bool,
    /// When the photo changed (microseconds) if the viewer may see it, for its address; else 0.
    pub photo_version: i64,
}

/// The stored thumbnail (base64 JPEG) and when it changed.
pub async fn photo(db: &Db, id: UserId) -> Result<Option<(String, DateTime<Utc>)>> {
    db.read_opt(PHOTO, params![id]).await?.map(|r| Ok((r.text(0)?, r.time(1)?))).transpose()
}

/// Whether a photo exists, without reading it.
pub async fn has_photo(db: &Db, id: UserId) -> Result<bool> {
    Ok(photo_changed(db, id).await?.is_some())
}

/// When the photo last changed (None: no photo), without reading it.
pub async fn photo_changed(db: &Db, id: UserId) -> Result<Option<DateTime<Utc>>> {
    db.read_opt(PHOTO_CHANGED, params![id]).await?.map(|r| r.time(0)).transpose()
}

pub async fn set_photo(db: &Db, id: UserId, jpeg_base64: &str, now: DateTime<Utc>) -> Result<()> {
    db.write_for(id, SET_PHOTO, params![id, jpeg_base64, now]).await.map(|_| ())
}

pub async fn delete_photo(db: &Db, id: UserId) -> Result<bool> {
    Ok(db.write_for(id, DELETE_PHOTO, params![id]).await? > 0)
}
