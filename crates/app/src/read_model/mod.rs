//! The in-memory read model: people, their tags, networks, memberships and charter standing,
//! held as one immutable `Snapshot` per instance. The hot pages (a network's member list, the
//! directory with its facets, every network page's access check) read it instead of running
//! several SQL statements per request.
//!
//! Freshness: every committed write to the tables behind it moves a version counter in the
//! database (`store::db::READ_MODEL_TABLES`), from any instance or process. Each request reads
//! that counter (one indexed row) and, when it moved, the snapshot is rebuilt — once, while the
//! other requests wait for it — from one consistent read transaction. So a page never shows data
//! older than the moment the request began, on one instance or many. A signed-in request gets the
//! version with its session lookup (`note_version`), so it costs no query of its own unless this
//! process has committed a change since.

mod directory;
mod search;

pub use directory::{DirectoryFilter, DirectoryResult, Shared, Sort, TagFacet};

use crate::http::Result;
use chrono::{DateTime, Utc};
use roundtable_domain::profile::{Audience, Field};
use roundtable_domain::{MembershipStatus, NetworkId, Role, UserId, fold, refolded};
use roundtable_store::Db;
use roundtable_store::networks::{Member, Membership, Network};
use roundtable_store::read_model::{self, Rows};
use smallvec::SmallVec;
use std::cell::Cell;
use std::sync::{Arc, RwLock};

/// The read model's hash maps: keyed by ids and tag values, rebuilt after writes and read on
/// every page, so hashed with foldhash (seeded per process) rather than SipHash.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Holds the current snapshot and rebuilds it when the database's version moves.
pub struct ReadModel {
    current: RwLock<Arc<Snapshot>>,
    /// The rows the current snapshot was built from, kept so that a change to a few people
    /// reloads only their rows (`read_model::load_since`); held by whoever rebuilds.
    rebuild: tokio::sync::Mutex<Rows>,
}

impl Default for ReadModel {
    fn default() -> Self {
        // Version -1 is older than any database, so the first request builds a real one.
        let rows = Rows { version: -1, ..Rows::default() };
        Self { current: RwLock::new(Arc::new(Snapshot::build(&rows))), rebuild: tokio::sync::Mutex::new(rows) }
    }
}

tokio::task_local! {
    /// The version the database had when this request's session was looked up (the same query
    /// returns it), with this process's commit count read just before.
    static SEEN_VERSION: Cell<Option<(i64, u64)>>;
}

/// Runs one request with room for `note_version` (a layer around the whole router).
pub async fn request_scope(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    SEEN_VERSION.scope(Cell::new(None), next.run(req)).await
}

/// Remembers a version read from the database at the start of this request.
pub fn note_version(version: i64, local_commits_before: u64) {
    let _ = SEEN_VERSION.try_with(|c| c.set(Some((version, local_commits_before))));
}

/// The version noted for this request, while no commit of this process has happened since.
fn noted_version() -> Option<i64> {
    let (version, commits) = SEEN_VERSION.try_with(Cell::get).ok().flatten()?;
    (commits == roundtable_store::db::local_read_model_commits()).then_some(version)
}

impl ReadModel {
    /// A snapshot at least as new as the database was when the request began (or is now).
    pub async fn get(&self, db: &Db) -> Result<Arc<Snapshot>> {
        let version = match noted_version() {
            Some(v) => v,
            None => db.read_model_version().await?,
        };
        if let Some(s) = self.fresh(version) {
            return Ok(s);
        }
        // One rebuild at a time; whoever waited finds the new snapshot and uses it.
        let mut rows = self.rebuild.lock().await;
        if let Some(s) = self.fresh(version) {
            return Ok(s);
        }
        let started = std::time::Instant::now();
        // Most writes change a few people's rows (a profile, a membership, an acceptance): reload
        // theirs when the change log names them all, everything otherwise.
        let changed = match read_model::load_since(db, rows.version).await? {
            Some(changes) => {
                let people = changes.people.len();
                rows.apply(changes);
                #[cfg(debug_assertions)]
                check_against_full_load(db, &rows).await?;
                Some(people)
            }
            None => {
                *rows = read_model::load(db).await?;
                None
            }
        };
        let loaded = started.elapsed();
        let snapshot = Arc::new(Snapshot::build(&rows));
        tracing::debug!(
            version = snapshot.version,
            people = snapshot.people.len(),
            // How many people's rows were read again; absent: everyone's.
            reloaded = changed,
            load_ms = loaded.as_millis() as u64,
            build_ms = (started.elapsed() - loaded).as_millis() as u64,
            "read model rebuilt"
        );
        *self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner) = snapshot.clone();
        Ok(snapshot)
    }

    fn fresh(&self, version: i64) -> Option<Arc<Snapshot>> {
        let s = self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        (s.version >= version).then_some(s)
    }
}

/// Debug builds (every test) hold each person-by-person reload to a full one at the same
/// version: a write declared as one person's (`Tx::write_for`) that changed someone else's rows
/// fails here, in whichever test made it.
#[cfg(debug_assertions)]
async fn check_against_full_load(db: &Db, rows: &Rows) -> Result<()> {
    let full = read_model::load(db).await?;
    // Another commit in between: nothing to compare at this version.
    if full.version == rows.version {
        let (full, partial) = (full.canonical(), rows.clone().canonical());
        assert!(
            full == partial,
            "the read model reloaded person by person differs from a full reload:\n{partial:#?}\n{full:#?}"
        );
    }
    Ok(())
}

/// Index of a network in `Snapshot::networks`.
type Net = usize;
/// Index of a person in `Snapshot::people` (directory order).
type Person = u32;

/// A person with an active account.
#[derive(Debug)]
pub struct PersonEntry {
    pub id: UserId,
    pub name: String,
    pub name_folded: String,
    pub email: String,
    email_folded: String,
    pub job_title: String,
    pub department: String,
    pub location: String,
    /// Who may see the photo, when there is one, and when it last changed (microseconds: its
    /// address, so a new photo is not the cached old one).
    photo: Option<(Audience, i64)>,
    /// Start date in the organisation (`YYYY-MM-DD`, sorts as text) and who may see it.
    start_date: Option<(String, Audience)>,
    /// The name, and the text everyone / fellow network members / the organisers of the
    /// person's networks may search (the network layer holds the organisation's too; the
    /// organisers' only what is shown to organisers alone: tags, bio, preferred name), each as
    /// `search::searchable` holds it.
    name_search: String,
    search_organisation: String,
    search_network: String,
    search_organisers: String,
    /// Networks the person is active in, ascending (a search reads `Facts::nets` instead while
    /// there are at most 64 networks).
    active_in: SmallVec<[Net; 4]>,
}

/// What a directory search reads of every match (32 bytes, and the tags in one array), held
/// apart from the rest of a person (~500 bytes of names and search text), which a search reads
/// only to match words or to list the person.
#[derive(Debug, Clone, Copy, Default)]
struct Facts {
    /// Index into `Snapshot::departments` / `locations`.
    department_id: u32,
    location_id: u32,
    /// Bit n: active in network n, while the organisation has at most 64 networks
    /// (`Snapshot::wide` otherwise, and `PersonEntry::active_in` is read).
    nets: u64,
    /// The person's tags: `Snapshot::tags[tags_from..tags_from + tags_len]`, those shown to the
    /// organisation first, then those shown to their networks, then to organisers (each by kind,
    /// then value), so what a viewer may see is the first `organisation_tags`, `network_tags` or
    /// all of them — counted with no test per tag.
    tags_from: u32,
    tags_len: u16,
    organisation_tags: u16,
    network_tags: u16,
}

/// 12 bytes, so a typical profile's tags fit in two cache lines (a search reads them all).
#[derive(Debug, Clone, Copy)]
struct Tag {
    /// Index into `TAG_KINDS`.
    kind: u8,
    /// Index into `Snapshot::tag_values[kind]` (the folded form).
    value: u32,
    /// Index into `Snapshot::spellings` (as the person wrote it); spellings are ordered most
    /// used first, so of a value's spellings the smallest index is the most common one.
    spelling: u32,
    audience: Audience,
}

impl Tag {
    fn kind(self) -> usize {
        usize::from(self.kind)
    }
}

/// The tag kinds held: the first `FACETS` are the directory's facets, in order; "experience"
/// (the band of years) only counts towards "people like you".
pub const TAG_KINDS: [&str; KINDS] = ["level", "skills", "interests", "languages", "experience"];
const KINDS: usize = 5;
/// `TAG_KINDS[LEVEL]` is "level".
const LEVEL: usize = 0;
pub const FACETS: usize = 4;

pub struct Snapshot {
    pub version: i64,
    networks: Vec<Network>,
    net_by_slug: HashMap<String, Net>,
    net_by_id: HashMap<NetworkId, Net>,
    people: Vec<PersonEntry>,
    /// Per person, what a search reads.
    facts: Vec<Facts>,
    /// Every person's tags, one person after another (`Facts::tags_from`).
    tags: Vec<Tag>,
    /// More than 64 networks: `Facts::nets` is unused.
    wide: bool,
    person_by_id: HashMap<UserId, Person>,
    /// Every membership of an active account, whatever its status.
    memberships: HashMap<(Net, Person), Membership>,
    /// Per network: active members in directory order.
    active_members: Vec<Vec<Person>>,
    /// Per network: everyone else with a membership row (requested, invited).
    not_active: Vec<Vec<Person>>,
    /// Per network: active organisers (every organiser role), in directory order.
    organisers: Vec<Vec<Person>>,
    /// Per network: its current charter version.
    charter: Vec<Option<i64>>,
    accepted: HashMap<(Net, Person), i64>,
    /// Per tag kind: folded values.
    tag_values: [Vec<String>; KINDS],
    tag_lookup: [HashMap<String, u32>; KINDS],
    spellings: Vec<String>,
    /// Distinct departments and locations ('' included), and who is in each, in directory order.
    departments: Interned,
    locations: Interned,
    /// Per tag kind, per value: who has the tag (whoever may see it), in directory order.
    tagged: [Vec<Vec<Person>>; KINDS],
}

/// Distinct values of one text column, with the people holding each, in directory order. Values
/// that fold alike ("Finance", "finance ", "FINANCE") are one, written as most people write it
/// (`finish`).
#[derive(Default)]
struct Interned {
    values: Vec<String>,
    /// Folded value → id.
    lookup: HashMap<String, u32>,
    people: Vec<Vec<Person>>,
    /// Per value: its place in alphabetical order (folded, then as written), so sorting people
    /// by department compares two numbers.
    rank: Vec<u32>,
    /// While building: per value, each spelling met and how often.
    spelled: Vec<SmallVec<[(String, u32); 1]>>,
}

/// Between two spellings as common as each other, the one in ordinary capitals ("Leeds") before
/// all lower case ("leeds") before all capitals ("LEEDS").
fn capitals(s: &str) -> u8 {
    match (s.chars().any(char::is_uppercase), s.chars().any(char::is_lowercase)) {
        (true, true) => 0,
        (false, _) => 1,
        (true, false) => 2,
    }
}

impl Interned {
    fn add(&mut self, value: &str, person: Person) -> u32 {
        let value = value.trim();
        let key = fold(value);
        let id = match self.lookup.get(&key) {
            Some(&id) => id,
            None => {
                self.people.push(Vec::new());
                self.spelled.push(SmallVec::new());
                let id = (self.people.len() - 1) as u32;
                self.lookup.insert(key, id);
                id
            }
        };
        self.people[id as usize].push(person);
        let spelled = &mut self.spelled[id as usize];
        match spelled.iter_mut().find(|(s, _)| s == value) {
            Some((_, uses)) => *uses += 1,
            None => spelled.push((value.to_owned(), 1)),
        }
        id
    }

    /// The id of a value however it is written (case, accents, spaces around it).
    fn id_of(&self, value: &str) -> Option<u32> {
        self.lookup.get(&fold(value.trim())).copied()
    }

    /// Once every person is added: each value written as most people write it (`capitals`
    /// breaks a tie; the same whichever order people came in), and the values ranked.
    fn finish(&mut self) {
        self.values = std::mem::take(&mut self.spelled)
            .into_iter()
            .map(|spellings| {
                let most = spellings
                    .into_iter()
                    .min_by(|(a, m), (b, n)| n.cmp(m).then(capitals(a).cmp(&capitals(b))).then(a.cmp(b)));
                most.map(|(s, _)| s).unwrap_or_default()
            })
            .collect();
        let mut order: Vec<u32> = (0..self.values.len() as u32).collect();
        order.sort_by_cached_key(|&v| (fold(&self.values[v as usize]), self.values[v as usize].clone()));
        self.rank = vec![0; order.len()];
        for (place, v) in order.into_iter().enumerate() {
            self.rank[v as usize] = place as u32;
        }
    }
}

impl Snapshot {
    fn build(rows: &Rows) -> Self {
        let net_by_slug = rows.networks.iter().enumerate().map(|(i, n)| (n.slug.clone(), i)).collect();
        let net_by_id: HashMap<NetworkId, Net> = rows.networks.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
        let person_by_id: HashMap<UserId, Person> =
            rows.people.iter().enumerate().map(|(i, p)| (p.id, i as Person)).collect();
        let (mut departments, mut locations) = (Interned::default(), Interned::default());
        // Folded columns (names, search text, tags) are refolded rather than trusted: rows written
        // by an older `fold` — or by an older instance during a rolling upgrade — are then found
        // like new ones without rewriting them. `refolded` of stored folded text equals `fold` of
        // the original (a domain test holds it to that) and copies nothing for plain ASCII.
        // Most people share one of a few visibility settings: parse each distinct one once.
        let mut parsed: HashMap<&str, (Audience, Audience)> = HashMap::default();
        let mut facts = Vec::with_capacity(rows.people.len());
        let mut people: Vec<PersonEntry> = rows
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (photo, start_date) = *parsed.entry(&p.visibility).or_insert_with(|| {
                    let audiences = crate::members::audiences(&p.visibility);
                    (audiences[&Field::Photo], audiences[&Field::StartDate])
                });
                facts.push(Facts {
                    department_id: departments.add(&p.department, i as Person),
                    location_id: locations.add(&p.location, i as Person),
                    ..Facts::default()
                });
                PersonEntry {
                    email_folded: p.email.to_lowercase(),
                    id: p.id,
                    name: p.name.clone(),
                    name_folded: refolded(&p.name_folded).into_owned(),
                    email: p.email.clone(),
                    job_title: p.job_title.clone(),
                    department: p.department.clone(),
                    location: p.location.clone(),
                    photo: (p.photo_changed != 0).then_some((photo, p.photo_changed)),
                    start_date: (!p.start_date.is_empty()).then(|| (p.start_date.clone(), start_date)),
                    name_search: {
                        let mut name = search::searchable(&refolded(&p.name_folded));
                        if let Some(other) = roundtable_domain::umlauts_spelt_out(&p.name) {
                            name.push_str(&search::searchable(&fold(&other)));
                        }
                        name
                    },
                    search_organisation: search::searchable(&refolded(&p.search_organisation)),
                    search_network: search::searchable(&refolded(&p.search_network)),
                    search_organisers: match p.organisers_only.trim() {
                        "" => String::new(),
                        text => search::searchable(&fold(text)),
                    },
                    active_in: SmallVec::new(),
                }
            })
            .collect();
        departments.finish();
        locations.finish();

        let mut networks = rows.networks.clone();
        let mut active_members = vec![Vec::new(); networks.len()];
        let mut not_active = vec![Vec::new(); networks.len()];
        let mut organisers = vec![Vec::new(); networks.len()];
        let mut memberships = HashMap::with_capacity_and_hasher(rows.memberships.len(), Default::default());
        for &m in &rows.memberships {
            let (Some(&net), Some(&person)) = (net_by_id.get(&m.network_id), person_by_id.get(&m.user_id)) else {
                continue;
            };
            if m.status == MembershipStatus::Active {
                active_members[net].push(person);
                people[person as usize].active_in.push(net);
                if m.role.is_organiser() {
                    organisers[net].push(person);
                }
            } else {
                not_active[net].push(person);
            }
            memberships.insert((net, person), m);
        }
        for (net, list) in active_members.iter_mut().enumerate() {
            list.sort_unstable();
            networks[net].member_count = list.len() as i64;
        }
        organisers.iter_mut().for_each(|list| list.sort_unstable());
        let wide = networks.len() > 64;
        for (p, f) in people.iter_mut().zip(&mut facts) {
            p.active_in.sort_unstable();
            if !wide {
                f.nets = p.active_in.iter().fold(0, |mask, &n| mask | 1 << n);
            }
        }

        let mut charter = vec![None; networks.len()];
        for (id, version) in &rows.charters {
            if let Some(&net) = net_by_id.get(id) {
                charter[net] = Some(*version);
            }
        }
        let accepted = rows
            .acceptances
            .iter()
            .filter_map(|(n, u, v)| Some(((*net_by_id.get(n)?, *person_by_id.get(u)?), *v)))
            .collect();

        let mut tag_values: [Vec<String>; KINDS] = Default::default();
        let mut tag_lookup: [HashMap<String, u32>; KINDS] = Default::default();
        let mut tagged: [Vec<Vec<Person>>; KINDS] = Default::default();
        let spellings: Vec<String> = {
            // Most used first, then alphabetically, so the smallest index among a value's
            // spellings is the one most people wrote: one person's "BOARD PAPERS" does not
            // relabel everyone's "Board papers". Counted and sorted as borrowed text (a few
            // hundred distinct among tens of thousands: sorting them all was a sixth of the
            // build), then copied once each.
            let mut uses: HashMap<&str, u32> = HashMap::default();
            for t in &rows.tags {
                *uses.entry(t.tag.as_str()).or_default() += 1;
            }
            let mut all: Vec<(&str, u32)> = uses.into_iter().collect();
            all.sort_unstable_by(|(a, m), (b, n)| n.cmp(m).then(capitals(a).cmp(&capitals(b))).then(a.cmp(b)));
            all.into_iter().map(|(s, _)| s.to_owned()).collect()
        };
        let mut person_tags: Vec<SmallVec<[Tag; 10]>> = vec![SmallVec::new(); people.len()];
        let spelling_of: HashMap<&str, u32> =
            spellings.iter().enumerate().map(|(i, s)| (s.as_str(), i as u32)).collect();
        for t in &rows.tags {
            let (Some(kind), Some(&person)) =
                (TAG_KINDS.iter().position(|k| *k == t.kind), person_by_id.get(&t.user_id))
            else {
                continue;
            };
            // Anything unknown is the narrowest audience.
            let audience = Audience::parse(&t.audience).unwrap_or(Audience::Organisers);
            let folded = refolded(&t.folded);
            // Most tags repeat a value already seen: look it up before copying the key.
            let value = match tag_lookup[kind].get(folded.as_ref()) {
                Some(&v) => v,
                None => {
                    let v = tag_values[kind].len() as u32;
                    tag_lookup[kind].insert(folded.clone().into_owned(), v);
                    tag_values[kind].push(folded.into_owned());
                    tagged[kind].push(Vec::new());
                    v
                }
            };
            tagged[kind][value as usize].push(person);
            let spelling = spelling_of.get(t.tag.as_str()).copied().unwrap_or_default();
            let tags = &mut person_tags[person as usize];
            match tags.iter_mut().find(|t| t.kind() == kind && t.value == value) {
                // Two spellings an older fold kept apart and that now fold alike (stored before
                // the profile was saved again): one tag, or it would count twice. Both have the
                // field's audience; keep the more common spelling, as facets do.
                Some(same) => same.spelling = same.spelling.min(spelling),
                None => tags.push(Tag { kind: kind as u8, value, spelling, audience }), // kind < KINDS
            }
        }
        for list in tagged.iter_mut().flatten() {
            list.sort_unstable();
            list.dedup();
        }
        // Search text added to the stored layers, worked out once per distinct value (a few
        // hundred titles and levels among thousands of people): each level as searched, with
        // its abbreviations; each job title's and department's abbreviations.
        let level_text: Vec<String> = tag_values[LEVEL]
            .iter()
            .map(|v| {
                let text = search::searchable(v);
                let abbreviations = search::abbreviations_in(&text);
                text + &abbreviations
            })
            .collect();
        let mut abbreviations_of: HashMap<&str, String> = HashMap::default();
        // A person's tags in one order whatever order the rows came in (a full load and a
        // reload of a few people return them differently): "people like you" walks them.
        let mut tags = Vec::with_capacity(rows.tags.len());
        for ((p, f), mut person_tags) in people.iter_mut().zip(&mut facts).zip(person_tags) {
            person_tags.sort_unstable_by(|a, b| {
                (std::cmp::Reverse(a.audience), a.kind, &tag_values[a.kind()][a.value as usize]).cmp(&(
                    std::cmp::Reverse(b.audience),
                    b.kind,
                    &tag_values[b.kind()][b.value as usize],
                ))
            });
            // What abbreviations in the job title and department stand for, and back ("EA" finds
            // an Executive Assistant, "HR" Human Resources): both are everyone's to see.
            for text in [&p.job_title, &p.department] {
                let abbreviations = abbreviations_of
                    .entry(text)
                    .or_insert_with_key(|t| search::abbreviations_in(&search::searchable(&fold(t))));
                p.search_organisation.push_str(abbreviations);
                p.search_network.push_str(abbreviations);
            }
            // The level is found by text too ("senior", "VP"), in the layer its audience allows;
            // tags shown to organisers only are searched by those who may see them (the stored
            // layers leave them out).
            let searched = |t: &&Tag| t.kind() == LEVEL || t.kind() < FACETS && t.audience == Audience::Organisers;
            for t in person_tags.iter().filter(searched) {
                let value = t.value as usize;
                let text = if t.kind() == LEVEL {
                    std::borrow::Cow::Borrowed(level_text[value].as_str())
                } else {
                    std::borrow::Cow::Owned(search::searchable(&tag_values[t.kind()][value]))
                };
                match t.audience {
                    Audience::Organisation if t.kind() == LEVEL => {
                        p.search_organisation.push_str(&text);
                        p.search_network.push_str(&text);
                    }
                    Audience::Network if t.kind() == LEVEL => p.search_network.push_str(&text),
                    Audience::Organisers => p.search_organisers.push_str(&text),
                    _ => {}
                }
            }
            // No spare room left where text was added (appending doubles a string's capacity:
            // megabytes over an organisation). Each piece ends with a space, as `searchable`
            // writes it, so a query word meant whole (" ea ") is found at the end too.
            for layer in
                [&mut p.name_search, &mut p.search_organisation, &mut p.search_network, &mut p.search_organisers]
            {
                layer.shrink_to_fit();
            }
            // A profile holds a few dozen tags at most (`profile::parse_tags` bounds each field).
            let shown_to = |audience| person_tags.iter().filter(|t| t.audience >= audience).count() as u16;
            f.organisation_tags = shown_to(Audience::Organisation);
            f.network_tags = shown_to(Audience::Network);
            f.tags_len = person_tags.len() as u16;
            f.tags_from = tags.len() as u32;
            tags.extend(person_tags);
        }

        Self {
            version: rows.version,
            networks,
            net_by_slug,
            net_by_id,
            people,
            facts,
            tags,
            wide,
            person_by_id,
            memberships,
            active_members,
            not_active,
            organisers,
            charter,
            accepted,
            tag_values,
            tag_lookup,
            spellings,
            departments,
            locations,
            tagged,
        }
    }

    /// Every network, in name order, with its count of active members.
    pub fn networks(&self) -> &[Network] {
        &self.networks
    }

    /// A department and a location as the directory writes them ("finance" → "Finance"), or as
    /// given when nobody has it; "" stays "".
    pub fn spelled<'a>(&'a self, department: &'a str, location: &'a str) -> (&'a str, &'a str) {
        let spell = |i: &'a Interned, v: &'a str| i.id_of(v).map_or(v, |id| i.values[id as usize].as_str());
        (spell(&self.departments, department), spell(&self.locations, location))
    }

    pub fn network_by_slug(&self, slug: &str) -> Option<&Network> {
        self.net_by_slug.get(slug).map(|&n| &self.networks[n])
    }

    pub fn network_by_id(&self, id: NetworkId) -> Option<&Network> {
        self.net_by_id.get(&id).map(|&n| &self.networks[n])
    }

    pub fn membership(&self, network: NetworkId, user: UserId) -> Option<Membership> {
        let net = *self.net_by_id.get(&network)?;
        let person = *self.person_by_id.get(&user)?;
        self.memberships.get(&(net, person)).copied()
    }

    /// A person's memberships in every network, whatever their status.
    pub fn memberships_of(&self, user: UserId) -> Vec<Membership> {
        let Some(&person) = self.person_by_id.get(&user) else { return Vec::new() };
        (0..self.networks.len()).filter_map(|net| self.memberships.get(&(net, person)).copied()).collect()
    }

    /// (current charter version, highest version the person accepted) in a network.
    pub fn charter_standing(&self, network: NetworkId, user: UserId) -> (Option<i64>, Option<i64>) {
        let Some(&net) = self.net_by_id.get(&network) else { return (None, None) };
        let accepted = self.person_by_id.get(&user).and_then(|&p| self.accepted.get(&(net, p)).copied());
        (self.charter[net], accepted)
    }

    /// A person's membership of a network, as listed.
    fn listed(&self, net: Net, p: Person) -> Option<Listed<'_>> {
        let m = self.memberships.get(&(net, p))?;
        let person = &self.people[p as usize];
        Some(Listed {
            id: person.id,
            name: &person.name,
            email: &person.email,
            role: m.role,
            status: m.status,
            since: m.since,
        })
    }

    fn member(&self, net: Net, p: Person) -> Option<Member> {
        self.listed(net, p).map(|l| l.to_owned())
    }

    /// A network's organisers, grouped by role in rank order (Chairs first, as `Role::ALL`
    /// lists them), then by name.
    pub fn organisers(&self, network: NetworkId) -> Vec<Member> {
        let Some(&net) = self.net_by_id.get(&network) else { return Vec::new() };
        let mut list: Vec<Member> = self.organisers[net].iter().filter_map(|&p| self.member(net, p)).collect();
        // Stable: people stay in name order within a role.
        list.sort_by_key(|m| Role::ALL.iter().position(|r| *r == m.role));
        list
    }

    /// People with a pending `status` (requested or invited) in a network, newest first.
    pub fn pending(&self, network: NetworkId, status: MembershipStatus) -> Vec<Member> {
        let Some(&net) = self.net_by_id.get(&network) else { return Vec::new() };
        let mut list: Vec<Member> =
            self.not_active[net].iter().filter_map(|&p| self.member(net, p)).filter(|m| m.status == status).collect();
        list.sort_by(|a, b| b.since.cmp(&a.since).then_with(|| a.user_id.cmp(&b.user_id)));
        list
    }

    /// One page of a network's active members in directory order, with the number of matches;
    /// with a query `q`, only those whose name — as the directory finds names: each word at the
    /// start of one of theirs — or, `by_email`, email contains each of its words, in any order
    /// (accent- and case-insensitive). Addresses are searched only for those
    /// who see them elsewhere (org admins): for anyone else a search would confirm an address no
    /// page shows them.
    pub fn members(
        self: &Arc<Self>,
        network: NetworkId,
        q: &str,
        by_email: bool,
        limit: usize,
        offset: usize,
    ) -> MemberPage {
        let mut page = MemberPage { snapshot: self.clone(), net: 0, people: Vec::new(), total: 0 };
        let Some(&net) = self.net_by_id.get(&network) else { return page };
        page.net = net;
        let list = &self.active_members[net];
        let q = fold(q.trim());
        if q.is_empty() {
            page.people = list.iter().skip(offset).take(limit).copied().collect();
            page.total = list.len() as i64;
            return page;
        }
        // Each word as typed (for addresses), and as the directory matches names: at the start of
        // a word, punctuation evened out, "Mueller" for Müller.
        let words: Vec<(&str, SmallVec<[search::QueryWord; 4]>)> =
            q.split_whitespace().map(|w| (w, search::query_words(w))).collect();
        let matches = |p: &&Person| {
            let person = &self.people[**p as usize];
            words.iter().all(|(typed, name_words)| {
                let in_name =
                    !name_words.is_empty() && name_words.iter().all(|w| person.name_search.contains(w.name.as_str()));
                in_name || by_email && person.email_folded.contains(typed)
            })
        };
        page.total = list.iter().filter(matches).count() as i64;
        page.people = list.iter().filter(matches).skip(offset).take(limit).copied().collect();
        page
    }
}

/// One page of a member list, listed straight from the snapshot it was read from: a page of 50
/// copies no names or addresses (the member list is the hottest page; see docs/performance.md).
pub struct MemberPage {
    snapshot: Arc<Snapshot>,
    net: Net,
    people: Vec<Person>,
    /// Everyone matching, across all pages.
    pub total: i64,
}

impl MemberPage {
    pub fn rows(&self) -> impl Iterator<Item = Listed<'_>> {
        self.people.iter().filter_map(|&p| self.snapshot.listed(self.net, p))
    }
}

/// A member as a list shows them, borrowed from the snapshot or from an owned `Member`.
#[derive(Debug, Clone, Copy)]
pub struct Listed<'a> {
    pub id: UserId,
    pub name: &'a str,
    pub email: &'a str,
    pub role: Role,
    pub status: MembershipStatus,
    pub since: DateTime<Utc>,
}

impl Listed<'_> {
    /// The date they joined (or asked, or were invited), as pages show it: on the calendar of
    /// `tz`, the viewer's time zone.
    pub fn day(&self, tz: chrono_tz::Tz) -> crate::http::Day {
        crate::http::Day::new(self.since, tz)
    }

    /// Their profile's address.
    pub fn path(&self) -> crate::http::PersonPath {
        crate::http::PersonPath(self.id)
    }

    pub fn to_owned(self) -> Member {
        Member {
            user_id: self.id,
            name: self.name.to_owned(),
            email: self.email.to_owned(),
            role: self.role,
            status: self.status,
            since: self.since,
        }
    }
}

impl<'a> From<&'a Member> for Listed<'a> {
    fn from(m: &'a Member) -> Self {
        Listed { id: m.user_id, name: &m.name, email: &m.email, role: m.role, status: m.status, since: m.since }
    }
}

#[cfg(test)]
mod tests;
