//! Everything the app's in-memory read model holds, read in one consistent transaction together
//! with the version it reflects (`db::READ_MODEL_TABLES` lists what moves the version).

use crate::networks::{Membership, Network, map_membership, map_network};
use crate::{Db, Result, Row, queries};
use roundtable_domain::{NetworkId, UserId};

queries! {
    /// Active accounts in directory order.
    PEOPLE = "SELECT u.id, u.name, u.name_folded, u.email, u.job_title, u.department, u.location, COALESCE(p.search_organisation, ''), COALESCE(p.search_network, ''), CASE WHEN ph.user_id IS NULL THEN 0 ELSE 1 END, COALESCE(p.visibility, '{}'), COALESCE(p.start_date, '') FROM users u LEFT JOIN profiles p ON p.user_id = u.id LEFT JOIN profile_photos ph ON ph.user_id = u.id WHERE u.deactivated_at IS NULL ORDER BY u.name_folded, u.id";
    /// Every tag: the read model keeps those of the active people it holds (no join per row).
    TAGS = "SELECT user_id, kind, tag, folded, audience FROM profile_tags";
    NETWORKS = "SELECT id, slug, name, description, visibility, created_at, 0 FROM networks ORDER BY name, id";
    MEMBERSHIPS = "SELECT m.network_id, m.user_id, m.role, m.status, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.deactivated_at IS NULL";
    CHARTERS = "SELECT network_id, MAX(version) FROM charters GROUP BY network_id";
    ACCEPTANCES = "SELECT network_id, user_id, MAX(version) FROM charter_acceptances GROUP BY network_id, user_id";
}

/// A person with an active account, as the read model keeps them.
#[derive(Debug, Clone)]
pub struct PersonRow {
    pub id: UserId,
    pub name: String,
    pub name_folded: String,
    pub email: String,
    pub job_title: String,
    pub department: String,
    pub location: String,
    /// Folded text anyone in the organisation may search.
    pub search_organisation: String,
    /// Folded text people sharing a network may search.
    pub search_network: String,
    pub has_photo: bool,
    /// The profile's JSON of field audiences.
    pub visibility: String,
    /// `YYYY-MM-DD`, or '' when not given.
    pub start_date: String,
}

#[derive(Debug, Clone)]
pub struct TagRow {
    pub user_id: UserId,
    pub kind: String,
    pub tag: String,
    pub folded: String,
    pub audience: String,
}

/// The read model's data at `version`; people in directory order (folded name, then id).
#[derive(Debug, Default)]
pub struct Rows {
    pub version: i64,
    pub people: Vec<PersonRow>,
    pub tags: Vec<TagRow>,
    pub networks: Vec<Network>,
    pub memberships: Vec<Membership>,
    /// (network, current charter version)
    pub charters: Vec<(NetworkId, i64)>,
    /// (network, person, highest version accepted)
    pub acceptances: Vec<(NetworkId, UserId, i64)>,
}

pub async fn load(db: &Db) -> Result<Rows> {
    let mut sets = db
        .read_consistent(vec![
            (crate::db::READ_MODEL_VERSION, vec![]),
            (PEOPLE, vec![]),
            (TAGS, vec![]),
            (NETWORKS, vec![]),
            (MEMBERSHIPS, vec![]),
            (CHARTERS, vec![]),
            (ACCEPTANCES, vec![]),
        ])
        .await?
        .into_iter();
    let mut next = || sets.next().unwrap_or_default();
    let version = next().first().map_or(Ok(0), |r| r.int(0))?;
    let people = next().iter().map(map_person).collect::<Result<_>>()?;
    let tags = next()
        .iter()
        .map(|r| {
            Ok(TagRow {
                user_id: UserId(r.uuid(0)?),
                kind: r.text(1)?,
                tag: r.text(2)?,
                folded: r.text(3)?,
                audience: r.text(4)?,
            })
        })
        .collect::<Result<_>>()?;
    let networks = next().iter().map(map_network).collect::<Result<_>>()?;
    let memberships = next().iter().map(map_membership).collect::<Result<_>>()?;
    let charters = next().iter().map(|r: &Row| Ok((NetworkId(r.uuid(0)?), r.int(1)?))).collect::<Result<_>>()?;
    let acceptances = next()
        .iter()
        .map(|r: &Row| Ok((NetworkId(r.uuid(0)?), UserId(r.uuid(1)?), r.int(2)?)))
        .collect::<Result<_>>()?;
    Ok(Rows { version, people, tags, networks, memberships, charters, acceptances })
}

fn map_person(r: &Row) -> Result<PersonRow> {
    Ok(PersonRow {
        id: UserId(r.uuid(0)?),
        name: r.text(1)?,
        name_folded: r.text(2)?,
        email: r.text(3)?,
        job_title: r.text(4)?,
        department: r.text(5)?,
        location: r.text(6)?,
        search_organisation: r.text(7)?,
        search_network: r.text(8)?,
        has_photo: r.int(9)? == 1,
        visibility: r.text(10)?,
        start_date: r.text(11)?,
    })
}
