#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::read_model::DirectoryFilter;
use chrono::Utc;
use roundtable_domain::{Actor, Role, Visibility};
use roundtable_store::read_model::{PersonRow, TagRow};

fn person(name: &str, department: &str, location: &str) -> PersonRow {
    PersonRow {
        id: UserId::new(),
        name: name.into(),
        name_folded: fold(name),
        email: format!("{}@example.org", fold(name).replace(' ', ".")),
        job_title: "Assistant".into(),
        department: department.into(),
        location: location.into(),
        search_organisation: String::new(),
        search_network: String::new(),
        has_photo: false,
        visibility: "{}".into(),
    }
}

fn network(slug: &str) -> Network {
    Network {
        id: NetworkId::new(),
        slug: slug.into(),
        name: slug.into(),
        description: String::new(),
        visibility: Visibility::Open,
        created_at: Utc::now(),
        member_count: 0,
    }
}

fn member(n: &Network, p: &PersonRow, role: Role, status: MembershipStatus) -> Membership {
    Membership { network_id: n.id, user_id: p.id, role, status, since: Utc::now() }
}

fn tag(p: &PersonRow, kind: &str, tag: &str, audience: &str) -> TagRow {
    TagRow { user_id: p.id, kind: kind.into(), tag: tag.into(), folded: fold(tag), audience: audience.into() }
}

struct World {
    snap: Snapshot,
    net: Network,
    zoe: PersonRow,
    peer: PersonRow,
    chair: PersonRow,
    outsider: PersonRow,
}

/// Zoë (Finance, London) and a peer are members of "assistants", chaired by Chair; Outsider is
/// in no network. Zoë's skills: Excel for the organisation, Python for her networks, Rust for
/// organisers only.
fn world() -> World {
    let mut people = vec![
        person("Zoë Adams", "Finance", "London"),
        person("Peer Brown", "Finance", "Paris"),
        person("Chair Cole", "Legal", "London"),
        person("Outsider Dunn", "Sales", "London"),
    ];
    people.sort_by(|a, b| a.name_folded.cmp(&b.name_folded));
    let find = |n: &str| people.iter().find(|p| p.name.starts_with(n)).cloned().unwrap();
    let (zoe, peer, chair, outsider) = (find("Zoë"), find("Peer"), find("Chair"), find("Outsider"));
    let net = network("assistants");
    let rows = Rows {
        version: 7,
        memberships: vec![
            member(&net, &zoe, Role::Member, MembershipStatus::Active),
            member(&net, &peer, Role::Member, MembershipStatus::Active),
            member(&net, &chair, Role::Chair, MembershipStatus::Active),
            member(&net, &outsider, Role::Member, MembershipStatus::Requested),
        ],
        tags: vec![
            tag(&zoe, "skills", "Excel", "organisation"),
            tag(&zoe, "skills", "Python", "network"),
            tag(&zoe, "skills", "Rust", "organisers"),
            tag(&peer, "skills", "excel", "organisation"),
        ],
        charters: vec![(net.id, 2)],
        acceptances: vec![(net.id, zoe.id, 2), (net.id, peer.id, 1)],
        networks: vec![net.clone()],
        people,
    };
    World { snap: Snapshot::build(rows), net, zoe, peer, chair, outsider }
}

fn actor(p: &PersonRow) -> Actor {
    Actor { user_id: p.id, is_org_admin: false }
}

fn skills_seen_on_zoe(w: &World, viewer: Actor) -> Vec<String> {
    let all = w.snap.directory(&viewer, &DirectoryFilter { text: "zoe", limit: 10, ..Default::default() });
    assert_eq!(all.people.len(), 1, "Zoë is found by her name without accents");
    let mut skills: Vec<_> = all.tags[1].iter().map(|(v, _, _)| v.clone()).collect();
    skills.sort();
    skills
}

#[test]
fn each_viewer_counts_only_the_skills_they_may_see() {
    let w = world();
    assert_eq!(skills_seen_on_zoe(&w, actor(&w.outsider)), ["excel"]);
    assert_eq!(skills_seen_on_zoe(&w, actor(&w.peer)), ["excel", "python"]);
    assert_eq!(skills_seen_on_zoe(&w, actor(&w.chair)), ["excel", "python", "rust"]);
    assert_eq!(skills_seen_on_zoe(&w, actor(&w.zoe)), ["excel", "python", "rust"]);
    let admin = Actor { user_id: w.outsider.id, is_org_admin: true };
    assert_eq!(skills_seen_on_zoe(&w, admin), ["excel", "python", "rust"]);
}

#[test]
fn filtering_on_a_hidden_skill_finds_nobody() {
    let w = world();
    let rust = |viewer: &PersonRow| {
        let f = DirectoryFilter { tags: ["", "rust", "", ""], limit: 10, ..Default::default() };
        w.snap.directory(&actor(viewer), &f).total
    };
    let nowhere = DirectoryFilter { department: "Nowhere", limit: 10, ..Default::default() };
    assert_eq!(w.snap.directory(&actor(&w.chair), &nowhere).total, 0, "a department nobody is in");
    assert_eq!(rust(&w.outsider), 0);
    assert_eq!(rust(&w.peer), 0);
    assert_eq!(rust(&w.chair), 1);
}

#[test]
fn facets_count_the_filtered_set_and_spell_tags_consistently() {
    let w = world();
    let f = DirectoryFilter { department: "Finance", limit: 1, ..Default::default() };
    let found = w.snap.directory(&actor(&w.outsider), &f);
    assert_eq!(found.total, 2);
    assert_eq!(found.people.len(), 1, "one page of one");
    assert_eq!(found.departments, [("Finance".to_owned(), 2)]);
    assert_eq!(found.locations, [("London".to_owned(), 1), ("Paris".to_owned(), 1)]);
    // "Excel" and "excel" are one value, shown in one spelling, counted twice.
    assert_eq!(found.tags[1], [("excel".to_owned(), "Excel".to_owned(), 2)]);
    assert_eq!(found.networks, [(w.net.id, 2)]);
    let second = w.snap.directory(&actor(&w.outsider), &DirectoryFilter { offset: 1, ..f });
    assert_ne!(second.people[0].id, found.people[0].id, "the second page holds the other person");
}

#[test]
fn member_list_is_active_members_in_name_order_with_search() {
    let w = world();
    let snap = Arc::new(w.snap);
    let all = snap.members(w.net.id, "", 50, 0);
    assert_eq!(all.total, 3, "the pending request is not a member");
    let names: Vec<_> = all.rows().map(|m| m.name).collect();
    assert_eq!(names, ["Chair Cole", "Peer Brown", "Zoë Adams"]);
    let found = snap.members(w.net.id, "ZOE", 50, 0);
    assert_eq!((found.rows().count(), found.total), (1, 1));
    let page = snap.members(w.net.id, "", 1, 1);
    assert_eq!((page.rows().next().unwrap().name, page.total), ("Peer Brown", 3));
    assert_eq!(snap.network_by_slug("assistants").unwrap().member_count, 3);
}

#[test]
fn charter_standing_and_memberships_come_from_the_snapshot() {
    let w = world();
    assert_eq!(w.snap.charter_standing(w.net.id, w.zoe.id), (Some(2), Some(2)));
    assert_eq!(w.snap.charter_standing(w.net.id, w.peer.id), (Some(2), Some(1)));
    assert_eq!(w.snap.membership(w.net.id, w.outsider.id).unwrap().status, MembershipStatus::Requested);
    assert!(w.snap.membership(w.net.id, UserId::new()).is_none());
    assert_eq!(w.snap.memberships_of(w.chair.id)[0].role, Role::Chair);
}

#[test]
fn people_like_me_share_only_what_i_may_see_on_them() {
    let w = world();
    let (shared, department) = w.snap.like_me(&actor(&w.peer));
    let got: Vec<_> = shared.iter().map(|(p, kind, tag)| (p.name.as_str(), *kind, tag.as_str())).collect();
    assert_eq!(got, [("Zoë Adams", "skills", "Excel")], "Zoë's spelling of the shared skill");
    let names: Vec<_> = department.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Zoë Adams"], "the other person in Finance, not the peer themselves");
    assert!(w.snap.like_me(&actor(&w.outsider)).0.is_empty(), "the outsider has no tags to share");
}

#[test]
fn organisers_are_listed_by_role() {
    let w = world();
    let names: Vec<_> = w.snap.organisers(w.net.id).into_iter().map(|m| (m.name, m.role)).collect();
    assert_eq!(names, [("Chair Cole".to_owned(), Role::Chair)]);
}
