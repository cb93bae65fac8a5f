//! Everything the app's in-memory read model holds, read in one consistent transaction together
//! with the version it reflects (`db::READ_MODEL_TABLES` lists what moves the version).

use crate::networks::{Membership, Network, map_membership, map_network};
use crate::{Db, Result, Row, queries};
use roundtable_domain::{NetworkId, UserId};

/// The people columns, without their filter and order.
macro_rules! person_select {
    () => {
        "SELECT u.id, u.name, u.name_folded, u.email, u.job_title, u.department, u.location, COALESCE(p.search_organisation, ''), COALESCE(p.search_network, ''), COALESCE(ph.updated_at, 0), COALESCE(p.visibility, '{}'), COALESCE(p.start_date, ''), CASE WHEN p.visibility LIKE '%\"bio\":\"organisers\"%' THEN p.bio ELSE '' END || ' ' || CASE WHEN p.visibility LIKE '%\"preferred_name\":\"organisers\"%' THEN p.preferred_name ELSE '' END FROM users u LEFT JOIN profiles p ON p.user_id = u.id LEFT JOIN profile_photos ph ON ph.user_id = u.id WHERE u.deactivated_at IS NULL"
    };
}

/// The people a version after `$1` changed (NULL entries match nobody).
macro_rules! changed_since {
    () => {
        "(SELECT user_id FROM read_model_changes WHERE version > $1)"
    };
}

queries! {
    /// Active accounts (`load` puts them in directory order).
    PEOPLE = person_select!();
    /// Every tag: the read model keeps those of the active people it holds (no join per row).
    TAGS = "SELECT user_id, kind, tag, folded, audience FROM profile_tags";
    NETWORKS = "SELECT id, slug, name, description, visibility, created_at, 0 FROM networks ORDER BY name, id";
    MEMBERSHIPS = "SELECT m.network_id, m.user_id, m.role, m.status, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.deactivated_at IS NULL";
    CHARTERS = "SELECT network_id, MAX(version) FROM charters GROUP BY network_id";
    ACCEPTANCES = "SELECT network_id, user_id, MAX(version) FROM charter_acceptances GROUP BY network_id, user_id";
    /// The change log after a version: which person each later version changed (NULL: anything).
    CHANGES_SINCE = "SELECT version, user_id FROM read_model_changes WHERE version > $1";
    /// The same rows as above, for the people changed after a version only.
    PEOPLE_CHANGED = concat!(person_select!(), " AND u.id IN ", changed_since!());
    TAGS_CHANGED = concat!("SELECT user_id, kind, tag, folded, audience FROM profile_tags WHERE user_id IN ", changed_since!());
    MEMBERSHIPS_CHANGED = concat!("SELECT m.network_id, m.user_id, m.role, m.status, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.deactivated_at IS NULL AND m.user_id IN ", changed_since!());
    ACCEPTANCES_CHANGED = concat!("SELECT network_id, user_id, MAX(version) FROM charter_acceptances WHERE user_id IN ", changed_since!(), " GROUP BY network_id, user_id");
}

/// A person with an active account, as the read model keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// When the photo last changed (microseconds), 0 without one.
    pub photo_changed: i64,
    /// The profile's JSON of field audiences.
    pub visibility: String,
    /// `YYYY-MM-DD`, or '' when not given.
    pub start_date: String,
    /// The bio and preferred name where the person shows them to organisers only (the stored
    /// search layers leave them out), as written: organisers search them too.
    pub organisers_only: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRow {
    pub user_id: UserId,
    pub kind: String,
    pub tag: String,
    pub folded: String,
    pub audience: String,
}

/// The read model's data at `version`; people in directory order (folded name, then id).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
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
    let mut people: Vec<PersonRow> = next().into_iter().map(map_person).collect::<Result<_>>()?;
    // The engines' collations may order text differently; the directory's order is ours.
    people.sort_by(directory_order);
    let tags = next().into_iter().map(map_tag).collect::<Result<_>>()?;
    let mut networks: Vec<Network> = next().iter().map(map_network).collect::<Result<_>>()?;
    // By name as people read it ("allies" beside "Allies", "Émigrés" among the E's), the same on
    // both engines.
    networks.sort_by_cached_key(|n| (roundtable_domain::fold(&n.name), n.name.clone(), n.id));
    let memberships = next().iter().map(map_membership).collect::<Result<_>>()?;
    let charters = next().iter().map(|r: &Row| Ok((NetworkId(r.uuid(0)?), r.int(1)?))).collect::<Result<_>>()?;
    let acceptances = next().iter().map(map_acceptance).collect::<Result<_>>()?;
    Ok(Rows { version, people, tags, networks, memberships, charters, acceptances })
}

/// What changed after a version, for the people it names: their rows as they are now (a person
/// changed but no longer active has none).
#[derive(Debug)]
pub struct Changes {
    pub version: i64,
    pub people: Vec<UserId>,
    pub rows: Rows,
}

/// The changes after `since`, or `None` when the log cannot tell them person by person: a
/// change to anything (networks, charters, an import), or a log pruned past `since`.
pub async fn load_since(db: &Db, since: i64) -> Result<Option<Changes>> {
    let p = || vec![since.into()];
    let mut sets = db
        .read_consistent(vec![
            (crate::db::READ_MODEL_VERSION, vec![]),
            (CHANGES_SINCE, p()),
            (PEOPLE_CHANGED, p()),
            (TAGS_CHANGED, p()),
            (MEMBERSHIPS_CHANGED, p()),
            (ACCEPTANCES_CHANGED, p()),
        ])
        .await?
        .into_iter();
    let mut next = || sets.next().unwrap_or_default();
    let version = next().first().map_or(Ok(0), |r| r.int(0))?;
    let mut versions = std::collections::BTreeSet::new();
    let mut people = Vec::new();
    for r in next() {
        versions.insert(r.int(0)?);
        match r.opt_uuid(1)? {
            Some(id) => people.push(UserId(id)),
            None => return Ok(None),
        }
    }
    // Every version in between must be logged: an instance of an older release, or pruning,
    // leaves gaps.
    if i64::try_from(versions.len()).ok() != Some(version - since) || versions.first().is_some_and(|&v| v != since + 1)
    {
        return Ok(None);
    }
    people.sort_unstable();
    people.dedup();
    let mut changed = next().into_iter().map(map_person).collect::<Result<Vec<_>>>()?;
    changed.sort_by(directory_order);
    let rows = Rows {
        version,
        people: changed,
        tags: next().into_iter().map(map_tag).collect::<Result<_>>()?,
        memberships: next().iter().map(map_membership).collect::<Result<_>>()?,
        acceptances: next().iter().map(map_acceptance).collect::<Result<_>>()?,
        ..Rows::default()
    };
    Ok(Some(Changes { version, people, rows }))
}

impl Rows {
    /// Replaces the changed people's rows with theirs as they are now; networks and charters stay.
    pub fn apply(&mut self, c: Changes) {
        let changed = |id: &UserId| c.people.binary_search(id).is_ok();
        self.people.retain(|p| !changed(&p.id));
        // Two sorted runs: the stable sort merges them in linear time, however many changed.
        self.people.extend(c.rows.people);
        self.people.sort_by(directory_order);
        self.tags.retain(|t| !changed(&t.user_id));
        self.tags.extend(c.rows.tags);
        self.memberships.retain(|m| !changed(&m.user_id));
        self.memberships.extend(c.rows.memberships);
        self.acceptances.retain(|(_, user, _)| !changed(user));
        self.acceptances.extend(c.rows.acceptances);
        self.version = c.version;
    }

    /// The same rows in one order whatever the query returned them in (tests compare a reload
    /// person by person with a full one).
    pub fn canonical(mut self) -> Self {
        self.tags.sort_by(|a, b| (a.user_id, &a.kind, &a.folded).cmp(&(b.user_id, &b.kind, &b.folded)));
        self.memberships.sort_by_key(|m| (m.network_id, m.user_id));
        self.acceptances.sort_unstable();
        self.charters.sort_unstable();
        self
    }
}

/// Folded name, then id: the directory's order (byte order, the same on both engines).
fn directory_order(a: &PersonRow, b: &PersonRow) -> std::cmp::Ordering {
    (a.name_folded.as_str(), a.id).cmp(&(b.name_folded.as_str(), b.id))
}

fn map_tag(mut r: Row) -> Result<TagRow> {
    Ok(TagRow {
        user_id: UserId(r.uuid(0)?),
        kind: r.take_text(1)?,
        tag: r.take_text(2)?,
        folded: r.take_text(3)?,
        audience: r.take_text(4)?,
    })
}

fn map_acceptance(r: &Row) -> Result<(NetworkId, UserId, i64)> {
    Ok((NetworkId(r.uuid(0)?), UserId(r.uuid(1)?), r.int(2)?))
}

fn map_person(mut r: Row) -> Result<PersonRow> {
    Ok(PersonRow {
        id: UserId(r.uuid(0)?),
        photo_changed: r.int(9)?,
        name: r.take_text(1)?,
        name_folded: r.take_text(2)?,
        email: r.take_text(3)?,
        job_title: r.take_text(4)?,
        department: r.take_text(5)?,
        location: r.take_text(6)?,
        search_organisation: r.take_text(7)?,
        search_network: r.take_text(8)?,
        visibility: r.take_text(10)?,
        start_date: r.take_text(11)?,
        organisers_only: r.take_text(12)?,
    })
}
