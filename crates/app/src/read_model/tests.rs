#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::read_model::{DirectoryFilter, Sort};
use chrono::Utc;
use roundtable_domain::{Actor, Role, Visibility};
use roundtable_store::read_model::{PersonRow, TagRow};

/// Someone whose name, job, department and location are searchable by everyone (as
/// `members::index` would store them); nothing more for their networks unless a test adds it.
fn person(name: &str, department: &str, location: &str) -> PersonRow {
    let search = fold(&format!("{name} Assistant {department} {location}"));
    PersonRow {
        id: UserId::new(),
        name: name.into(),
        name_folded: fold(name),
        email: format!("{}@example.org", fold(name).replace(' ', ".")),
        job_title: "Assistant".into(),
        department: department.into(),
        location: location.into(),
        search_organisation: search.clone(),
        search_network: search,
        photo_changed: 0,
        visibility: "{}".into(),
        start_date: String::new(),
        organisers_only: String::new(),
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
/// in no network. Zoë's skills: Excel for the organisation, Python for her networks (so in her
/// network-only search text), Rust for organisers only.
fn world() -> World {
    world_after(0)
}

/// `world()` with `others` networks nobody is in listed before "assistants".
fn world_after(others: usize) -> World {
    let mut people = vec![
        person("Zoë Adams", "Finance", "London"),
        person("Peer Brown", "Finance", "Paris"),
        person("Chair Cole", "Legal", "London"),
        person("Outsider Dunn", "Sales", "London"),
    ];
    people[0].search_organisation.push_str(" excel");
    people[0].search_network.push_str(" excel python");
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
        // Everyone active has accepted the current charter (tests/charter_privacy.rs covers the
        // members who have not yet).
        acceptances: vec![(net.id, zoe.id, 2), (net.id, peer.id, 2), (net.id, chair.id, 2)],
        networks: (0..others).map(|i| network(&format!("other-{i:02}"))).chain([net.clone()]).collect(),
        people,
    };
    World { snap: Snapshot::build(&rows), net, zoe, peer, chair, outsider }
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
    each_viewer_sees_what_their_networks_allow(&world());
}

/// Networks past the 64th are not held as bits of a person's facts: the same answers.
#[test]
fn past_64_networks_each_viewer_still_sees_what_their_networks_allow() {
    let w = world_after(70);
    assert!(w.snap.wide);
    each_viewer_sees_what_their_networks_allow(&w);
    let members = DirectoryFilter { network: Some(w.net.id), limit: 10, ..Default::default() };
    let found = w.snap.directory(&actor(&w.peer), &members);
    assert_eq!(found.total, 3, "Zoë, Peer and Chair are active in the network, Outsider only asked");
    assert_eq!(found.networks, [(w.net.id, 3)]);
}

fn each_viewer_sees_what_their_networks_allow(w: &World) {
    assert_eq!(skills_seen_on_zoe(w, actor(&w.outsider)), ["excel"]);
    assert_eq!(skills_seen_on_zoe(w, actor(&w.peer)), ["excel", "python"]);
    assert_eq!(skills_seen_on_zoe(w, actor(&w.chair)), ["excel", "python", "rust"]);
    assert_eq!(skills_seen_on_zoe(w, actor(&w.zoe)), ["excel", "python", "rust"]);
    let admin = Actor { user_id: w.outsider.id, is_org_admin: true };
    assert_eq!(skills_seen_on_zoe(w, admin), ["excel", "python", "rust"]);
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
fn a_value_is_labelled_as_most_people_write_it_whatever_order_people_come_in() {
    // Three write "Finance", "London" and "Board papers"; one writes them in capitals, which sort
    // first — and comes first in name order once, last the other time.
    for loud in ["Aaron Loud", "Zed Loud"] {
        let mut people = vec![
            person(loud, "FINANCE", "LONDON"),
            person("Bea One", "Finance", "London"),
            person("Cy Two", "Finance", "London"),
            person("Di Three", "Finance", "London"),
        ];
        people.sort_by(|a, b| a.name_folded.cmp(&b.name_folded));
        let board = |p: &PersonRow| if p.name == loud { "BOARD PAPERS" } else { "Board papers" };
        let tags = people.iter().map(|p| tag(p, "skills", board(p), "organisation")).collect();
        let snap = Snapshot::build(&Rows { version: 1, tags, people: people.clone(), ..Default::default() });
        let everyone = snap.directory(&actor(&people[0]), &DirectoryFilter { limit: 10, ..Default::default() });
        assert_eq!(everyone.departments, [("Finance".to_owned(), 4)], "{loud}");
        assert_eq!(everyone.locations, [("London".to_owned(), 4)], "{loud}");
        assert_eq!(everyone.tags[1], [("board papers".to_owned(), "Board papers".to_owned(), 4)], "{loud}");
        assert_eq!(snap.spelled("finance", "london"), ("Finance", "London"));
        // Found alone, the loud one's tag is labelled as they wrote it: a label comes from what
        // the viewer sees among the matches.
        let alone =
            snap.directory(&actor(&people[0]), &DirectoryFilter { text: "loud", limit: 1, ..Default::default() });
        assert_eq!(alone.tags[1], [("board papers".to_owned(), "BOARD PAPERS".to_owned(), 1)]);
    }
}

#[test]
fn a_suggested_spelling_writes_names_as_their_owners_do() {
    let w = world();
    let f = DirectoryFilter { text: "zoee adamz", limit: 10, ..Default::default() };
    assert_eq!(w.snap.directory(&actor(&w.chair), &f).total, 0);
    assert_eq!(w.snap.respelt(&actor(&w.chair), &f).as_deref(), Some("Zoë Adams"));
    // Words that are no one's name stay as searched.
    let f = DirectoryFilter { text: "assistent", limit: 10, ..Default::default() };
    assert_eq!(w.snap.respelt(&actor(&w.chair), &f).as_deref(), Some("assistant"));
}

fn sorted(snap: &Snapshot, viewer: &Actor, sort: Sort) -> Vec<String> {
    let f = DirectoryFilter { sort, limit: 10, ..Default::default() };
    snap.directory(viewer, &f).people.into_iter().map(|p| p.name).collect()
}

#[test]
fn results_sort_by_department_location_or_start_date_without_revealing_hidden_dates() {
    let mut people = vec![
        person("Ada Early", "Sales", "paris"),
        person("Bo Hidden", "", "London"),
        person("Cy Late", "finance", ""),
        person("Di Undated", "Legal", "Berlin"),
    ];
    let everyone = r#"{"start_date":"organisation"}"#;
    people[0].start_date = "2019-04-01".into();
    people[0].visibility = everyone.into();
    // Bo shows his (latest) start date to organisers only.
    people[1].start_date = "2026-01-05".into();
    people[1].visibility = r#"{"start_date":"organisers"}"#.into();
    people[2].start_date = "2024-09-30".into();
    people[2].visibility = everyone.into();
    let snap = Snapshot::build(&Rows { version: 1, people, ..Rows::default() });
    let someone = Actor { user_id: UserId::new(), is_org_admin: false };
    assert_eq!(sorted(&snap, &someone, Sort::Name), ["Ada Early", "Bo Hidden", "Cy Late", "Di Undated"]);
    // Case-insensitive; no department last.
    assert_eq!(sorted(&snap, &someone, Sort::Department), ["Cy Late", "Di Undated", "Ada Early", "Bo Hidden"]);
    assert_eq!(sorted(&snap, &someone, Sort::Location), ["Di Undated", "Bo Hidden", "Ada Early", "Cy Late"]);
    // Bo's hidden date places him with the undated, in name order, as if he had given none.
    assert_eq!(sorted(&snap, &someone, Sort::Newest), ["Cy Late", "Ada Early", "Bo Hidden", "Di Undated"]);
    let admin = Actor { is_org_admin: true, ..someone };
    assert_eq!(sorted(&snap, &admin, Sort::Newest), ["Bo Hidden", "Cy Late", "Ada Early", "Di Undated"]);
    // A later page of a sorted list continues it.
    let f = DirectoryFilter { sort: Sort::Newest, limit: 2, offset: 2, ..Default::default() };
    let names: Vec<_> = snap.directory(&admin, &f).people.into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["Ada Early", "Di Undated"]);
}

#[test]
fn a_facet_lists_its_most_frequent_values_and_says_how_many_more_there_are() {
    let zoe = person("Zoë Adams", "Finance", "London");
    let tags = (0..15).map(|i| tag(&zoe, "interests", &format!("Interest {i:02}"), "organisation")).collect();
    let snap = Snapshot::build(&Rows { version: 1, tags, people: vec![zoe], ..Rows::default() });
    let viewer = Actor { user_id: UserId::new(), is_org_admin: false };
    let some = snap.directory(&viewer, &DirectoryFilter { limit: 10, ..Default::default() });
    assert_eq!((some.tags[2].len(), some.more[4]), (12, 3));
    assert_eq!(some.tags[2][0].1, "Interest 00", "equal counts in alphabetical order");
    let mut show_all = [false; 6];
    show_all[4] = true;
    let all = snap.directory(&viewer, &DirectoryFilter { limit: 10, show_all, ..Default::default() });
    assert_eq!((all.tags[2].len(), all.more[4]), (15, 0));
}

fn found(w: &World, viewer: &PersonRow, text: &str) -> Vec<String> {
    let f = DirectoryFilter { text, limit: 10, ..Default::default() };
    w.snap.directory(&actor(viewer), &f).people.into_iter().map(|p| p.name).collect()
}

#[test]
fn a_search_finds_people_with_every_word_in_any_order() {
    let w = world();
    let london = ["Chair Cole", "Outsider Dunn", "Zoë Adams"];
    assert_eq!(found(&w, &w.peer, "assistant london"), london);
    assert_eq!(found(&w, &w.peer, "london  assistant"), london, "any order, any spacing");
    assert_eq!(found(&w, &w.peer, "adams zoe"), ["Zoë Adams"]);
    assert_eq!(found(&w, &w.peer, "zoe finance london"), ["Zoë Adams"], "words from several fields");
    assert_eq!(found(&w, &w.peer, "zoe paris"), Vec::<String>::new(), "every word, on the same person");
    assert_eq!(found(&w, &w.peer, "lond ada"), ["Zoë Adams"], "each word is the start of a word");
    assert_eq!(found(&w, &w.peer, "ams"), Vec::<String>::new(), "not the middle of one (\"Adams\")");
}

#[test]
fn a_word_found_only_where_the_viewer_may_not_look_does_not_match() {
    let w = world();
    // Python is in Zoë's network-only text: her fellow member finds her by it, an outsider not,
    // even when every other word matches what the outsider may see.
    assert_eq!(found(&w, &w.peer, "python zoe"), ["Zoë Adams"]);
    assert_eq!(found(&w, &w.outsider, "python zoe"), Vec::<String>::new());
    assert_eq!(found(&w, &w.outsider, "zoe excel london"), ["Zoë Adams"], "organisation-wide words do");
    // Rust is a skill Zoë shows organisers only: the network's chair finds her by it, a peer not.
    assert_eq!(found(&w, &w.chair, "rust"), ["Zoë Adams"]);
    assert_eq!(found(&w, &w.peer, "rust"), Vec::<String>::new());
    let admin = Actor { user_id: w.outsider.id, is_org_admin: true };
    let f = DirectoryFilter { text: "python zoe", limit: 10, ..Default::default() };
    assert_eq!(w.snap.directory(&admin, &f).total, 1, "org admins see network-only text");
}

#[test]
fn the_level_is_searched_in_the_layer_its_audience_allows() {
    assert_eq!(TAG_KINDS[LEVEL], "level");
    let mut people = vec![person("Ann Senior", "Finance", "London"), person("Bo Quiet", "Legal", "Leeds")];
    people.sort_by(|a, b| a.name_folded.cmp(&b.name_folded));
    let (ann, bo) = (people[0].clone(), people[1].clone());
    let net = network("assistants");
    let rows = Rows {
        version: 1,
        memberships: vec![member(&net, &bo, Role::Member, MembershipStatus::Active)],
        // Bo's level only for his networks, which Ann shares none of.
        tags: vec![tag(&ann, "level", "Principal", "organisation"), tag(&bo, "level", "Principal", "network")],
        networks: vec![net],
        people,
        ..Rows::default()
    };
    let snap = Snapshot::build(&rows);
    let names = |viewer: &PersonRow, text: &str| -> Vec<String> {
        let f = DirectoryFilter { text, limit: 10, ..Default::default() };
        snap.directory(&actor(viewer), &f).people.into_iter().map(|p| p.name).collect()
    };
    assert_eq!(names(&bo, "principal"), ["Ann Senior", "Bo Quiet"], "his own, and hers for everyone");
    assert_eq!(names(&ann, "principal"), ["Ann Senior"], "his level is not hers to search");
}

#[test]
fn abbreviations_and_spelt_out_umlauts_find_people() {
    let mut people = vec![person("Jörg Müller", "Finance", "Berlin"), person("Ann Lee", "Finance", "Leeds")];
    // Ann's title says "Executive Assistant" (the helper writes "Assistant" alone), Jörg's "EA";
    // Jörg lives on East Street, which "ea" does not find.
    people[1].job_title = "Executive Assistant to the CFO".into();
    people[1].search_organisation = fold("Ann Lee Executive Assistant to the CFO Finance Leeds");
    people[0].job_title = "EA".into();
    people[0].search_organisation = fold("Jörg Müller EA Finance Berlin");
    people.push(person("Earl East", "Finance", "East Street"));
    for p in &mut people {
        p.search_network = p.search_organisation.clone();
    }
    people.sort_by(|a, b| a.name_folded.cmp(&b.name_folded));
    let viewer = people[0].clone();
    let rows = Rows { version: 1, people, ..Rows::default() };
    let snap = Snapshot::build(&rows);
    let names = |text: &str| -> Vec<String> {
        let f = DirectoryFilter { text, limit: 10, ..Default::default() };
        snap.directory(&actor(&viewer), &f).people.into_iter().map(|p| p.name).collect()
    };
    assert_eq!(names("ea"), ["Ann Lee", "Jörg Müller"]);
    assert_eq!(names("executive assistants"), ["Ann Lee", "Jörg Müller"]);
    assert_eq!(names("chief financial"), ["Ann Lee"]);
    assert_eq!(names("mueller"), ["Jörg Müller"]);
    assert_eq!(names("joerg muller"), ["Jörg Müller"]);
}

/// What an older `fold` stored for "İlkay Gündoğan" ("i" + combining dot, ğ and ı kept): the
/// snapshot refolds it, so the stored rows need not be rewritten to be found.
#[test]
fn text_stored_folded_by_an_older_fold_is_found_by_the_plain_spelling() {
    let mut ilkay = person("İlkay Gündoğan", "Sağlık", "İstanbul");
    ilkay.name_folded = "i\u{307}lkay gundoğan".into();
    ilkay.search_organisation = "i\u{307}lkay gundoğan assistant sağlik i\u{307}stanbul".into();
    ilkay.search_network = ilkay.search_organisation.clone();
    let older = |spelling: &str, folded: &str| TagRow {
        folded: folded.into(),
        ..tag(&ilkay, "skills", spelling, "organisation")
    };
    let rows = Rows {
        version: 1,
        // Spellings an older fold kept apart that now fold alike: one value, counted once.
        tags: vec![older("Doğa", "doğa"), older("Doga", "doga")],
        people: vec![ilkay],
        ..Rows::default()
    };
    let snap = Snapshot::build(&rows);
    let viewer = Actor { user_id: UserId::new(), is_org_admin: false };
    for q in ["ilkay", "gundogan", "gündoğan", "İLKAY GÜNDOĞAN", "istanbul saglik"] {
        let f = DirectoryFilter { text: &fold(q), limit: 10, ..Default::default() };
        assert_eq!(snap.directory(&viewer, &f).total, 1, "{q}");
    }
    let f = DirectoryFilter { tags: ["", "doga", "", ""], limit: 10, ..Default::default() };
    let by_tag = snap.directory(&viewer, &f);
    assert_eq!(by_tag.total, 1, "the tag's stored folded form is refolded too");
    assert_eq!(by_tag.tags[1], [("doga".to_owned(), "Doga".to_owned(), 1)]);
}

/// A text search in the default order lists those whose name matches before those matched by
/// the rest of their text, each group in name order; paging runs over that order; another sort
/// the viewer chose keeps its own.
#[test]
fn a_name_match_comes_before_a_match_in_the_rest_of_the_text() {
    let mut bio = person("Bea Bell", "Finance", "Leeds");
    bio.search_organisation.push_str(" thanks to ann for the handover");
    let mut rows = Rows {
        version: 1,
        people: vec![person("Abe Ames", "Sales", "Leeds"), bio, person("Ann Zane", "Legal", "York")],
        ..Rows::default()
    };
    rows.people.sort_by(|a, b| a.name_folded.cmp(&b.name_folded));
    let snap = Snapshot::build(&rows);
    let viewer = Actor { user_id: UserId::new(), is_org_admin: false };
    let names = |text: &str, sort: Sort, offset: usize| {
        let f = DirectoryFilter { text, sort, limit: 1, offset, ..Default::default() };
        let d = snap.directory(&viewer, &f);
        (d.total, d.people.into_iter().map(|p| p.name).collect::<Vec<_>>())
    };
    assert_eq!(names("ann", Sort::Name, 0), (2, vec!["Ann Zane".to_owned()]), "the name first");
    assert_eq!(names("ann", Sort::Name, 1), (2, vec!["Bea Bell".to_owned()]), "then the rest, on the next page");
    assert_eq!(names("ann", Sort::Location, 0), (2, vec!["Bea Bell".to_owned()]), "Leeds before York");
    assert_eq!(names("", Sort::Name, 0), (3, vec!["Abe Ames".to_owned()]), "no text: name order");
}

/// HR writes "Finance", someone types "finance ": one department in the facet (in ordinary
/// capitals when no spelling is more common), and a filter however it is written finds both.
#[test]
fn departments_written_differently_are_one() {
    let mut rows = Rows {
        version: 1,
        people: vec![
            person("Abe Ames", "Finance", "Leeds"),
            person("Bea Bell", "finance ", "LEEDS"),
            person("Cy Cole", "Legal", "York"),
        ],
        ..Rows::default()
    };
    rows.people.sort_by(|a, b| a.name_folded.cmp(&b.name_folded));
    let snap = Snapshot::build(&rows);
    let viewer = Actor { user_id: UserId::new(), is_org_admin: false };
    let all = snap.directory(&viewer, &DirectoryFilter { limit: 10, ..Default::default() });
    assert!(all.departments.contains(&("Finance".to_owned(), 2)), "{:?}", all.departments);
    assert!(all.locations.contains(&("Leeds".to_owned(), 2)), "{:?}", all.locations);
    assert_eq!(snap.spelled("FINANCE", "leeds"), ("Finance", "Leeds"));
    let f = DirectoryFilter { department: "FINANCE", location: " leeds", limit: 10, ..Default::default() };
    assert_eq!(snap.directory(&viewer, &f).total, 2);
}

/// The viewer's level is shared by 2,100 people, a skill by one: the rare skill still makes a
/// suggestion (it was crowded out when the level, listed first, filled the 2,000 places).
#[test]
fn a_rare_thread_is_not_crowded_out_by_a_common_one() {
    let me = person("Mia Me", "Finance", "Leeds");
    let zed = person("Zed Rare", "Sales", "York");
    let mut people = vec![me.clone(), zed.clone()];
    let mut tags = vec![tag(&me, "level", "Senior", "organisation"), tag(&me, "skills", "Shorthand", "organisation")];
    tags.push(tag(&zed, "skills", "Shorthand", "organisation"));
    for i in 0..2100 {
        let p = person(&format!("Aa{i:04} Common"), "Legal", "Leeds");
        tags.push(tag(&p, "level", "Senior", "organisation"));
        people.push(p);
    }
    people.sort_by(|a, b| a.name_folded.cmp(&b.name_folded));
    let snap = Snapshot::build(&Rows { version: 1, people, tags, ..Rows::default() });
    let (shared, _) = snap.like_me(&Actor { user_id: me.id, is_org_admin: false });
    assert!(shared.iter().any(|s| s.person.name == "Zed Rare" && s.kind == "skills"), "the rare skill counts");
}

#[test]
fn member_list_is_active_members_in_name_order_with_search() {
    let w = world();
    let snap = Arc::new(w.snap);
    let all = snap.members(w.net.id, "", false, 50, 0);
    assert_eq!(all.total, 3, "the pending request is not a member");
    let names: Vec<_> = all.rows().map(|m| m.name).collect();
    assert_eq!(names, ["Chair Cole", "Peer Brown", "Zoë Adams"]);
    let found = snap.members(w.net.id, "ZOE", false, 50, 0);
    assert_eq!((found.rows().count(), found.total), (1, 1));
    let names = |q: &str, by_email: bool| {
        snap.members(w.net.id, q, by_email, 50, 0).rows().map(|m| m.name.to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(names("adams zoë", false), ["Zoë Adams"], "words in any order");
    assert_eq!(names("brown peer.brown@", true), ["Peer Brown"], "name and email words together");
    assert_eq!(names("example.org", true).len(), 3, "every address is @example.org");
    assert_eq!(names("example.org", false), Vec::<String>::new(), "addresses only for those who see them");
    assert_eq!(names("own", false), Vec::<String>::new(), "a name word from its start (not Brown)");
    assert_eq!(names("bro", false), ["Peer Brown"]);
    assert_eq!(names("zoe brown", true), Vec::<String>::new(), "every word, on the same person");
    let page = snap.members(w.net.id, "", false, 1, 1);
    assert_eq!((page.rows().next().unwrap().name, page.total), ("Peer Brown", 3));
    assert_eq!(snap.network_by_slug("assistants").unwrap().member_count, 3);
}

#[test]
fn charter_standing_and_memberships_come_from_the_snapshot() {
    let w = world();
    assert_eq!(w.snap.charter_standing(w.net.id, w.zoe.id), (Some(2), Some(2)));
    assert_eq!(w.snap.charter_standing(w.net.id, w.outsider.id), (Some(2), None));
    assert_eq!(w.snap.membership(w.net.id, w.outsider.id).unwrap().status, MembershipStatus::Requested);
    assert!(w.snap.membership(w.net.id, UserId::new()).is_none());
    assert_eq!(w.snap.memberships_of(w.chair.id)[0].role, Role::Chair);
}

#[test]
fn people_like_me_share_only_what_i_may_see_on_them() {
    let w = world();
    let (shared, everyone) = w.snap.like_me(&actor(&w.peer));
    let got: Vec<_> = shared.iter().map(|s| (s.person.name.as_str(), s.kind, s.value.as_str(), s.holders)).collect();
    // Zoë's spelling of the shared skill; the other person in Finance, not the peer themselves
    // (two people are in Finance, two have Excel).
    assert_eq!(got, [("Zoë Adams", "skills", "Excel", 2), ("Zoë Adams", "department", "Finance", 2)]);
    assert_eq!(everyone, w.snap.people.len());
    assert!(w.snap.like_me(&actor(&w.outsider)).0.is_empty(), "the outsider (alone in Sales) shares nothing");
}

#[test]
fn organisers_are_listed_by_role() {
    let w = world();
    let names: Vec<_> = w.snap.organisers(w.net.id).into_iter().map(|m| (m.name, m.role)).collect();
    assert_eq!(names, [("Chair Cole".to_owned(), Role::Chair)]);
}

/// "People like you" reads the viewer's tags in order: the same rows in another order (a full
/// load, a reload of a few people) give the same suggestions with the same reasons.
#[test]
fn people_like_you_do_not_depend_on_the_order_rows_came_in() {
    let ann = person("Ann Ames", "Finance", "London");
    let bo = person("Bo Berg", "Legal", "Paris");
    let shared = ["Budgets", "Chess", "Diaries", "Events", "Filing"];
    let tags: Vec<TagRow> =
        [&ann, &bo].into_iter().flat_map(|p| shared.iter().map(|v| tag(p, "skills", v, "organisation"))).collect();
    let suggestions = |tags: Vec<TagRow>| {
        let snap =
            Snapshot::build(&Rows { version: 1, tags, people: vec![ann.clone(), bo.clone()], ..Rows::default() });
        let (shared, _) = snap.like_me(&Actor { user_id: ann.id, is_org_admin: false });
        shared.into_iter().map(|s| s.value).collect::<Vec<_>>()
    };
    let mut reversed = tags.clone();
    reversed.reverse();
    assert_eq!(suggestions(tags), suggestions(reversed));
}
