//! Directory search with facet counts over the snapshot, in one pass over the people in name
//! order. Privacy is `domain::profile::can_see` for every tag (level, skills, interests,
//! languages), the photo and each layer of search text (network-only, organisers-only): what the
//! viewer may not see neither matches, nor counts, nor shows.

use super::{FACETS, Net, Person, PersonEntry, Snapshot, TAG_KINDS, Tag};
use roundtable_domain::profile::{Audience, Relation, can_see};
use roundtable_domain::{Actor, MembershipStatus, NetworkId, UserId};
use roundtable_store::profiles::Listed;
use smallvec::SmallVec;

/// What the viewer asked for; text is folded, tag values folded, everything already cut to size.
#[derive(Debug, Default)]
pub struct DirectoryFilter<'a> {
    /// Folded words separated by white space; a person matches when every word is part of some
    /// text the viewer may see on them, in any order ("assistant london", "schmidt jamal").
    pub text: &'a str,
    pub department: &'a str,
    pub location: &'a str,
    /// Already checked readable by the viewer.
    pub network: Option<NetworkId>,
    /// Folded value per facet of `super::TAG_KINDS` ('' for any).
    pub tags: [&'a str; FACETS],
    pub sort: Sort,
    /// Per facet (department, location, then the tag kinds): list every value rather than the
    /// most frequent few.
    pub show_all: [bool; FACETS + 2],
    pub limit: usize,
    pub offset: usize,
}

/// The order of the directory's results.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// By name (folded), the directory's own order.
    #[default]
    Name,
    /// By department, then name; people without one last.
    Department,
    /// By location, then name; people without one last.
    Location,
    /// Latest start in the organisation first, then name; people whose start date the viewer
    /// may not see (or who gave none) last — so the order reveals nothing hidden.
    Newest,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Name, Sort::Department, Sort::Location, Sort::Newest];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Department => "department",
            Sort::Location => "location",
            Sort::Newest => "newest",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Name => "Name",
            Sort::Department => "Department",
            Sort::Location => "Location",
            Sort::Newest => "Newest to the organisation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// (folded value, label, count), best first.
pub type TagFacet = Vec<(String, String, i64)>;

#[derive(Debug, Default)]
pub struct DirectoryResult {
    pub people: Vec<Listed>,
    pub total: i64,
    pub departments: Vec<(String, i64)>,
    pub locations: Vec<(String, i64)>,
    /// One per facet of `super::TAG_KINDS`.
    pub tags: [TagFacet; FACETS],
    /// Matches active in each network (every network; the caller keeps the readable ones).
    pub networks: Vec<(NetworkId, i64)>,
    /// Per facet (department, location, then the tag kinds): values left out of the list.
    pub more: [usize; FACETS + 2],
}

/// How many values a facet shows unless asked for all; and at most, when asked.
const FACET_VALUES: usize = 12;
const FACET_VALUES_ALL: usize = 1000;

/// The viewer's standing towards other people: which networks they share, which they organise
/// (as bits for `Facts::nets` too, unless the snapshot is `wide`).
struct Viewer {
    me: Option<Person>,
    admin: bool,
    member_of: Vec<bool>,
    organises: Vec<bool>,
    member_mask: u64,
    organiser_mask: u64,
}

impl Snapshot {
    /// Whether `person` has an active (not deactivated, not erased) account.
    pub fn is_active(&self, person: UserId) -> bool {
        self.person_by_id.contains_key(&person)
    }

    /// How `actor` stands towards `person` for `profile::can_see` — the same rule the directory
    /// uses, for the profile page, photos and downloads. Someone not in the snapshot (no active
    /// account) shares nothing with anyone.
    pub fn relation(&self, actor: &Actor, person: UserId) -> Relation {
        match self.person_by_id.get(&person) {
            Some(&p) => Viewer::new(self, actor).relation(self, p),
            None => Relation {
                is_self: actor.user_id == person,
                viewer_is_org_admin: actor.is_org_admin,
                organiser_of: false,
                shares_network: false,
            },
        }
    }
}

impl Viewer {
    fn new(s: &Snapshot, actor: &Actor) -> Self {
        let mut member_of = vec![false; s.networks.len()];
        let mut organises = vec![false; s.networks.len()];
        for m in s.memberships_of(actor.user_id) {
            // A network counts once the viewer may use it: an active member who has accepted its
            // current charter (until then the network's pages send them to the charter, and
            // what its members share with the network must not reach them another way).
            let (current, accepted) = s.charter_standing(m.network_id, actor.user_id);
            let charter_ok = current.is_none_or(|c| accepted.is_some_and(|a| a >= c));
            if m.status == MembershipStatus::Active
                && charter_ok
                && let Some(&net) = s.net_by_id.get(&m.network_id)
            {
                member_of[net] = true;
                organises[net] = m.role.is_organiser();
            }
        }
        let mask = |nets: &[bool]| if s.wide { 0 } else { nets.iter().rev().fold(0u64, |m, &b| m << 1 | u64::from(b)) };
        Self {
            me: s.person_by_id.get(&actor.user_id).copied(),
            admin: actor.is_org_admin,
            member_mask: mask(&member_of),
            organiser_mask: mask(&organises),
            member_of,
            organises,
        }
    }

    /// What `profile::can_see` needs to know about the viewer and this person.
    fn relation(&self, s: &Snapshot, person: Person) -> Relation {
        let (organiser_of, shares_network) = if s.wide {
            let nets = &s.people[person as usize].active_in;
            (nets.iter().any(|&n: &Net| self.organises[n]), nets.iter().any(|&n: &Net| self.member_of[n]))
        } else {
            let nets = s.facts[person as usize].nets;
            (nets & self.organiser_mask != 0, nets & self.member_mask != 0)
        };
        Relation { is_self: self.me == Some(person), viewer_is_org_admin: self.admin, organiser_of, shares_network }
    }
}

impl Snapshot {
    /// A person's tags, the widest audience first (`Facts::tags_from`).
    fn tags_of(&self, person: Person) -> &[Tag] {
        let f = &self.facts[person as usize];
        let from = f.tags_from as usize;
        &self.tags[from..from + usize::from(f.tags_len)]
    }

    /// The tags of a person a viewer standing in `rel` to them may see.
    fn tags_seen(&self, person: Person, rel: Relation) -> &[Tag] {
        let f = &self.facts[person as usize];
        let seen = if can_see(Audience::Organisers, rel) {
            f.tags_len
        } else if can_see(Audience::Network, rel) {
            f.network_tags
        } else {
            f.organisation_tags
        };
        &self.tags_of(person)[..usize::from(seen)]
    }

    /// Whether `person` is active in network `net`.
    fn active_in(&self, person: Person, net: Net) -> bool {
        if self.wide {
            self.people[person as usize].active_in.binary_search(&net).is_ok()
        } else {
            self.facts[person as usize].nets & 1 << net != 0
        }
    }
}

impl Snapshot {
    /// `f`'s text respelt from the words people are known by, when the respelt search finds
    /// someone `actor` may find with `f`'s other filters ("did you mean"), else `f`'s text less
    /// the one word that stops it finding anyone; a name is written as its owner writes it
    /// ("Zoë", not "zoe"). Only for a search that found no one: it reads every person's text.
    pub fn respelt(&self, actor: &Actor, f: &DirectoryFilter<'_>) -> Option<String> {
        // The text everyone may see — names, and what people show the whole organisation — so
        // a suggestion reveals nothing a search by anyone would not.
        let mut known: super::HashMap<&str, u32> = super::HashMap::default();
        for p in &self.people {
            for word in p.name_search.split_whitespace().chain(p.search_organisation.split_whitespace()) {
                *known.entry(word).or_insert(0) += 1;
            }
        }
        let finds = |text: &str| self.directory(actor, &DirectoryFilter { text, limit: 0, offset: 0, ..*f }).total;
        if let Some(text) = super::search::respelt(f.text, &known).filter(|t| finds(t) > 0) {
            return Some(self.as_names_write(&text));
        }
        // Spelt right, but one word too many ("MS Excel", "Excel skills"): the search without
        // the word that leaves most people found.
        let words: Vec<&str> = f.text.split_whitespace().collect();
        (0..words.len())
            .filter(|_| words.len() >= 2)
            .map(|left_out| {
                let text = words.iter().enumerate().filter(|(i, _)| *i != left_out).map(|(_, w)| *w);
                text.collect::<Vec<_>>().join(" ")
            })
            .map(|text| (finds(&text), text))
            .filter(|(n, _)| *n > 0)
            .max_by_key(|(n, _)| *n)
            .map(|(_, text)| self.as_names_write(&text))
    }

    /// Folded words written as a name writes them, when one person's name holds them all
    /// ("zoe adams" → "Zoë Adams"); otherwise as they are ("executive assistant" stays so, though
    /// someone may be called Ann Assistant).
    fn as_names_write(&self, folded: &str) -> String {
        let words: Vec<&str> = folded.split_whitespace().collect();
        for p in &self.people {
            let spelt: Vec<(String, &str)> = p
                .name
                .split_whitespace()
                .filter_map(|w| {
                    let searched = super::search::searchable(&roundtable_domain::fold(w));
                    Some((searched.split_whitespace().next()?.to_owned(), w))
                })
                .collect();
            let written: Option<Vec<&str>> =
                words.iter().map(|q| spelt.iter().find(|(s, _)| s == q).map(|(_, w)| *w)).collect();
            if let Some(written) = written {
                return written.join(" ");
            }
        }
        folded.to_owned()
    }

    /// People the viewer may find with `f`, one page of them, and facet counts over all matches.
    pub fn directory(&self, actor: &Actor, f: &DirectoryFilter<'_>) -> DirectoryResult {
        let viewer = Viewer::new(self, actor);
        // Each filter narrows to a list of people in directory order: walk the shortest and check
        // the others person by person. A value nobody has matches nobody.
        let mut lists: Vec<&[Person]> = Vec::new();
        // None: no filter; Some(None): a value nobody has.
        let find = |interned: &super::Interned, value: &str| (!value.trim().is_empty()).then(|| interned.id_of(value));
        let (department, location) = (find(&self.departments, f.department), find(&self.locations, f.location));
        if department == Some(None) || location == Some(None) {
            return DirectoryResult::default();
        }
        let (department, location) = (department.flatten(), location.flatten());
        if let Some(d) = department {
            lists.push(&self.departments.people[d as usize]);
        }
        if let Some(l) = location {
            lists.push(&self.locations.people[l as usize]);
        }
        let net = match f.network {
            None => None,
            Some(id) => match self.net_by_id.get(&id) {
                Some(&n) => {
                    lists.push(&self.active_members[n]);
                    Some(n)
                }
                None => return DirectoryResult::default(),
            },
        };
        let mut wanted = [None; FACETS];
        for (kind, value) in f.tags.iter().enumerate() {
            if !value.is_empty() {
                let Some(&v) = self.tag_lookup[kind].get(*value) else { return DirectoryResult::default() };
                wanted[kind] = Some(v);
                lists.push(&self.tagged[kind][v as usize]);
            }
        }
        let walk: Box<dyn Iterator<Item = Person>> = match lists.iter().min_by_key(|l| l.len()) {
            Some(shortest) => Box::new(shortest.iter().copied()),
            None => Box::new(0..self.people.len() as Person),
        };

        let mut out = DirectoryResult::default();
        let mut departments = vec![0i64; self.departments.values.len()];
        let mut locations = vec![0i64; self.locations.values.len()];
        // Per kind, per value: (count, the most common spelling seen).
        let mut tags: [Vec<(i64, u32)>; super::KINDS] =
            std::array::from_fn(|kind| vec![(0, u32::MAX); self.tag_values[kind].len()]);
        let mut networks = vec![0i64; self.networks.len()];
        let mut total = 0usize;
        // Every match, when the page is not simply the first ones met in name order.
        let mut matches: Vec<Person> = Vec::new();
        let words = super::search::query_words(f.text);
        // A search of punctuation or symbols alone ("%", "!!!") names no one, as in the member
        // list — not "no search", which would list everyone.
        if words.is_empty() && !f.text.trim().is_empty() {
            return DirectoryResult::default();
        }
        // A text search in the default order lists those whose name matches first (each group
        // in name order): a colleague called Ann comes before bios that mention "Anniversary".
        let ranked = !words.is_empty() && f.sort == Sort::Name;
        let mut name_hits: Vec<Person> = Vec::new();
        for person in walk {
            let facts = &self.facts[person as usize];
            if department.is_some_and(|d| facts.department_id != d)
                || location.is_some_and(|l| facts.location_id != l)
                || net.is_some_and(|n| !self.active_in(person, n))
            {
                continue;
            }
            let rel = viewer.relation(self, person);
            let seen = self.tags_seen(person, rel);
            let visible = |kind: usize, value: u32| seen.iter().any(|t| t.kind() == kind && t.value == value);
            if wanted.iter().enumerate().any(|(kind, w)| w.is_some_and(|v| !visible(kind, v))) {
                continue;
            }
            // The rest of the person is read only for a text search, or to list them.
            let p = || &self.people[person as usize];
            // Each word on its own, through the layers the viewer may see (the network layer
            // holds the organisation's too); nothing is allocated per person.
            if !words.is_empty() {
                let (p, network_text, organisers_text) =
                    (p(), can_see(Audience::Network, rel), can_see(Audience::Organisers, rel));
                let text_matches = words.iter().all(|word| {
                    let (name, word) = (word.name.as_str(), word.text.as_str());
                    p.name_search.contains(name)
                        || if network_text {
                            p.search_network.contains(word)
                        } else {
                            p.search_organisation.contains(word)
                        }
                        || organisers_text && p.search_organisers.contains(word)
                });
                if !text_matches {
                    continue;
                }
            }

            if ranked && words.iter().all(|w| p().name_search.contains(w.name.as_str())) {
                name_hits.push(person);
            } else if f.sort != Sort::Name || ranked {
                matches.push(person);
            } else if total >= f.offset && out.people.len() < f.limit {
                out.people.push(listed(p(), rel));
            }
            total += 1;
            departments[facts.department_id as usize] += 1;
            locations[facts.location_id as usize] += 1;
            // Every kind is counted (one more than the facets), so nothing is tested per tag.
            for t in seen {
                let e = &mut tags[t.kind()][t.value as usize];
                e.0 += 1;
                e.1 = e.1.min(t.spelling);
            }
            if self.wide {
                for &n in &p().active_in {
                    networks[n] += 1;
                }
            } else {
                let mut nets = facts.nets;
                while nets != 0 {
                    networks[nets.trailing_zeros() as usize] += 1;
                    nets &= nets - 1;
                }
            }
        }

        if ranked {
            name_hits.append(&mut matches);
            matches = name_hits;
        } else if f.sort != Sort::Name {
            self.sort(&mut matches, f.sort, &viewer);
        }
        if f.sort != Sort::Name || ranked {
            out.people = matches
                .iter()
                .skip(f.offset)
                .take(f.limit)
                .map(|&m| listed(&self.people[m as usize], viewer.relation(self, m)))
                .collect();
        }

        out.total = total as i64;
        let shown = |facet: usize| if f.show_all[facet] { FACET_VALUES_ALL } else { FACET_VALUES };
        (out.departments, out.more[0]) = top(&self.departments.values, departments, shown(0));
        (out.locations, out.more[1]) = top(&self.locations.values, locations, shown(1));
        for (kind, counts) in tags.iter().enumerate().take(FACETS) {
            let values = &self.tag_values[kind];
            let (shown, more) = most_frequent(counts.len(), |v| counts[v].0, |v| &values[v], shown(kind + 2));
            out.more[kind + 2] = more;
            out.tags[kind] = shown
                .into_iter()
                .map(|v| (values[v].clone(), self.spellings[counts[v].1 as usize].clone(), counts[v].0))
                .collect();
        }
        out.networks = networks
            .into_iter()
            .enumerate()
            .filter(|(_, n)| *n > 0)
            .map(|(net, n)| (self.networks[net].id, n))
            .collect();
        out
    }
}

/// Someone sharing a thread with the viewer, for "people like you".
pub struct Shared {
    pub person: Listed,
    /// `super::TAG_KINDS` entry, or "department".
    pub kind: &'static str,
    /// The shared value as the other person wrote it.
    pub value: String,
    /// How many people the viewer sees holding the value, the viewer included: the fewer, the
    /// more it says.
    pub holders: usize,
}

impl Snapshot {
    /// "People like you": everyone sharing a tag of the viewer's that the viewer may see on them
    /// (level, experience band, skills, interests, languages), at most 2,000 — the viewer's
    /// rarest threads first, so a common level cannot crowd out a rare skill — and up to 200
    /// people of the viewer's department, those already sharing a thread first. Also the number
    /// of people held, to weigh by.
    pub fn like_me(&self, actor: &Actor) -> (Vec<Shared>, usize) {
        let Some(&me) = self.person_by_id.get(&actor.user_id) else { return (Vec::new(), self.people.len()) };
        let viewer = Viewer::new(self, actor);
        let mut shared = Vec::new();
        let mut threads: SmallVec<[&Tag; 10]> = self.tags_of(me).iter().collect();
        threads.sort_by_key(|t| self.tagged[t.kind()][t.value as usize].len());
        for mine in threads {
            if shared.len() >= 2000 {
                break;
            }
            // Those the viewer sees holding it (the count weighs the thread: only what the
            // viewer may see counts, or the order would tell of hidden tags).
            let seen: Vec<(&PersonEntry, Relation, u32)> = self.tagged[mine.kind()][mine.value as usize]
                .iter()
                .filter(|&&other| other != me)
                .filter_map(|&other| {
                    let rel = viewer.relation(self, other);
                    let t = self
                        .tags_of(other)
                        .iter()
                        .find(|t| t.kind == mine.kind && t.value == mine.value && can_see(t.audience, rel))?;
                    Some((&self.people[other as usize], rel, t.spelling))
                })
                .collect();
            let holders = seen.len() + 1;
            for (p, rel, spelling) in seen.into_iter().take(2000 - shared.len()) {
                shared.push(Shared {
                    person: listed(p, rel),
                    kind: TAG_KINDS[mine.kind()],
                    value: self.spellings[spelling as usize].clone(),
                    holders,
                });
            }
        }
        if !self.people[me as usize].department.is_empty() {
            let colleagues = &self.departments.people[self.facts[me as usize].department_id as usize];
            // Name order alone would favour the first 200 names of a large department.
            let found: std::collections::HashSet<UserId> = shared.iter().map(|s| s.person.id).collect();
            let (alike, others): (Vec<Person>, Vec<Person>) = colleagues
                .iter()
                .copied()
                .filter(|&p| p != me)
                .partition(|&p| found.contains(&self.people[p as usize].id));
            for other in alike.into_iter().chain(others).take(200) {
                let p = &self.people[other as usize];
                shared.push(Shared {
                    person: listed(p, viewer.relation(self, other)),
                    kind: "department",
                    value: p.department.clone(),
                    holders: colleagues.len(),
                });
            }
        }
        (shared, self.people.len())
    }
}

impl Snapshot {
    /// Orders matches (in directory order) by `sort`; ties keep directory order.
    fn sort(&self, matches: &mut [Person], sort: Sort, viewer: &Viewer) {
        // (no value, rank): people without a value go last.
        let by =
            |interned: &super::Interned, id: u32| (interned.values[id as usize].is_empty(), interned.rank[id as usize]);
        match sort {
            Sort::Name => {}
            Sort::Department => {
                matches.sort_by_key(|&m| by(&self.departments, self.facts[m as usize].department_id));
            }
            Sort::Location => matches.sort_by_key(|&m| by(&self.locations, self.facts[m as usize].location_id)),
            Sort::Newest => matches.sort_by_cached_key(|&m| {
                let p = &self.people[m as usize];
                let rel = viewer.relation(self, m);
                let date = p.start_date.as_ref().filter(|(_, a)| can_see(*a, rel)).map(|(d, _)| d.as_str());
                // Some dates first, latest first.
                (date.is_none(), std::cmp::Reverse(date))
            }),
        }
    }
}

/// One person as a result row; the photo only when the viewer may see it.
fn listed(p: &PersonEntry, rel: Relation) -> Listed {
    let photo_version = p.photo.filter(|(a, _)| can_see(*a, rel)).map_or(0, |(_, v)| v);
    Listed {
        id: p.id,
        name: p.name.clone(),
        job_title: p.job_title.clone(),
        department: p.department.clone(),
        location: p.location.clone(),
        has_photo: photo_version != 0,
        photo_version,
    }
}

/// Non-empty values with their counts, most frequent first, then by value: the first `shown`,
/// and how many more there are.
fn top(values: &[String], counts: Vec<i64>, shown: usize) -> (Vec<(String, i64)>, usize) {
    let (top, more) =
        most_frequent(counts.len(), |v| if values[v].is_empty() { 0 } else { counts[v] }, |v| &values[v], shown);
    (top.into_iter().map(|v| (values[v].clone(), counts[v])).collect(), more)
}

/// The indices of the `shown` values counted most often (then by value), and how many more were
/// counted; ordered before anything is copied, since most values are not shown.
fn most_frequent<'v>(
    values: usize,
    count: impl Fn(usize) -> i64,
    value: impl Fn(usize) -> &'v String,
    shown: usize,
) -> (Vec<usize>, usize) {
    let mut present: Vec<usize> = (0..values).filter(|&v| count(v) > 0).collect();
    present.sort_by(|&a, &b| count(b).cmp(&count(a)).then_with(|| value(a).cmp(value(b))));
    let more = present.len().saturating_sub(shown);
    present.truncate(shown);
    (present, more)
}
