//! Profiles, field privacy across networks, the directory with facets, and "people like me" —
//! on SQLite and PostgreSQL, over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use roundtable_domain::{MembershipStatus, Role};
use roundtable_store::{Dialect, networks, users};
use support::{TestApp, api_send};

both!(
    each_field_is_seen_only_by_its_chosen_audience,
    search_and_facets_never_reveal_hidden_fields,
    people_like_me_shows_the_shared_threads,
    bad_profile_input_is_refused_field_by_field_and_changes_nothing,
    search_takes_words_in_any_order_and_finds_accented_names_by_their_plain_spelling,
    names_and_profiles_folded_the_older_way_are_still_found,
    the_directory_sorts_keeps_filters_on_a_new_search_and_lists_every_facet_value,
    the_directory_finds_names_skills_and_departments_as_people_type_them,
    a_deactivated_manager_or_executive_leaves_profiles_until_reactivated,
    people_correct_their_own_name_and_are_found_by_it,
    the_api_edits_my_profile_with_its_audiences_and_refuses_bad_input_changing_nothing,
    the_api_reads_and_accepts_the_charter_and_gives_my_data_and_people_like_me,
    the_api_profile_names_the_manager_and_supported_people_and_the_photo_for_their_audience_only,
);

async fn body(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

async fn join(app: &TestApp, slug: &str, email: &str, role: Role) {
    let n = networks::by_slug(&app.state.db, slug).await.unwrap().unwrap();
    let u = users::by_email(&app.state.db, email).await.unwrap().unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    networks::upsert_membership(&mut tx, n.id, u.id, role, MembershipStatus::Active, chrono::Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
}

async fn id_of(app: &TestApp, email: &str) -> String {
    users::by_email(&app.state.db, email).await.unwrap().unwrap().id.to_string()
}

/// A fresh organisation with the open network "eas" and Ann and Bea as its members, signed in:
/// (app, admin, ann, bea).
async fn ann_and_bea_in_eas(d: Dialect) -> (TestApp, reqwest::Client, reqwest::Client, reqwest::Client) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let ann = app.user("ann@example.org", "Ann Assistant").await;
    let bea = app.user("bea@example.org", "Bea Peer").await;
    join(&app, "eas", "ann@example.org", Role::Member).await;
    join(&app, "eas", "bea@example.org", Role::Member).await;
    (app, admin, ann, bea)
}

/// Ann (member of "eas") shares skills with her networks, level with organisers only, bio with
/// everyone.
async fn ann_profile(app: &TestApp, ann: &reqwest::Client) {
    let r = ann
        .post(app.at("/profile"))
        .form(&[
            ("job_title", "Executive Assistant"),
            ("department", "Finance"),
            ("location", "London"),
            ("time_zone", "Europe/London"),
            ("level", "Senior"),
            ("years_experience", "8"),
            ("skills", "Diary management, Excel"),
            ("interests", "Choir"),
            ("languages", "French"),
            ("bio", "I **love** spreadsheets.<script>alert(1)</script>"),
            ("audience_skills", "network"),
            ("audience_level", "organisers"),
            ("audience_bio", "organisation"),
            ("audience_languages", "organisation"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
}

async fn each_field_is_seen_only_by_its_chosen_audience(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let ann = app.user("ann@example.org", "Ann Assistant").await;
    let bea = app.user("bea@example.org", "Bea Peer").await;
    let cal = app.user("cal@example.org", "Cal Outsider").await;
    let chair = app.user("chair@example.org", "Cho Chair").await;
    join(&app, "eas", "ann@example.org", Role::Member).await;
    join(&app, "eas", "bea@example.org", Role::Member).await;
    join(&app, "eas", "chair@example.org", Role::Chair).await;
    ann_profile(&app, &ann).await;
    let url = app.at(&format!("/people/{}", id_of(&app, "ann@example.org").await));
    let peer = body(bea.get(&url).send().await.unwrap()).await;
    assert!(
        peer.contains("Diary management") && !peer.contains("Senior"),
        "a fellow member sees skills, not level:\n{peer}"
    );
    assert!(
        peer.contains("<strong>love</strong>") && !peer.contains("<script>"),
        "bio rendered from Markdown and sanitised"
    );
    let outsider = body(cal.get(&url).send().await.unwrap()).await;
    assert!(!outsider.contains("Diary management") && !outsider.contains("Senior"), "{outsider}");
    assert!(
        outsider.contains("spreadsheets") && outsider.contains("French") && outsider.contains("Executive Assistant")
    );
    let organiser = body(chair.get(&url).send().await.unwrap()).await;
    assert!(organiser.contains("Senior") && organiser.contains("Diary management"));
    assert!(body(admin.get(&url).send().await.unwrap()).await.contains("Senior"), "org admins see everything");
    // Ann herself reads who sees each field, as she chose; no one else is told her choices.
    let own = body(ann.get(&url).send().await.unwrap()).await;
    assert!(own.contains("<h2 id=\"seen-h\">Who sees what</h2>"), "{own}");
    let group = |who: &str| {
        let start = own.find(&format!("<li><strong>{who}</strong>: ")).unwrap_or_else(|| panic!("{who}: {own}"));
        own[start..].split("</li>").next().unwrap().to_owned()
    };
    let everyone = group("Everyone in the organisation");
    assert!(everyone.contains("About me") && everyone.contains("Languages") && !everyone.contains("Level"));
    let networks = group("People who share a network with you, its organisers and organisation administrators");
    assert!(networks.contains("Skills") && !networks.contains("About me"), "{networks}");
    let organisers = group("Only the organisers of your networks and organisation administrators");
    assert!(organisers.contains("Level") && !organisers.contains("Skills"), "{organisers}");
    for other in [&peer, &outsider, &organiser] {
        assert!(!other.contains("Who sees what"), "{other}");
    }
    // The API honours the same rules.
    assert_eq!(cal.get(app.at("/people/not-an-id")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
}

async fn search_and_facets_never_reveal_hidden_fields(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    app.network(&admin, "hidden", "invitation_only").await;
    let ann = app.user("ann@example.org", "Zoë Ann").await;
    let bea = app.user("bea@example.org", "Bea Peer").await;
    let cal = app.user("cal@example.org", "Cal Outsider").await;
    join(&app, "eas", "ann@example.org", Role::Member).await;
    join(&app, "eas", "bea@example.org", Role::Member).await;
    ann_profile(&app, &ann).await;
    // Accent-insensitive name search for everyone.
    let found = body(cal.get(app.at("/people?q=zoe")).send().await.unwrap()).await;
    assert!(found.contains("Zoë Ann") && found.contains("1 person"), "{found}");
    // Skills are network-only: Bea finds Ann by skill, Cal does not, and facet counts agree.
    let by_bea = body(bea.get(app.at("/people?q=excel")).send().await.unwrap()).await;
    assert!(by_bea.contains("Zoë Ann"), "{by_bea}");
    let by_cal = body(cal.get(app.at("/people?q=excel")).send().await.unwrap()).await;
    assert!(!by_cal.contains("Zoë Ann") && by_cal.contains("0 people"), "{by_cal}");
    let facets_bea = body(bea.get(app.at("/people")).send().await.unwrap()).await;
    assert!(facets_bea.contains("Excel") && facets_bea.contains("Finance"), "{facets_bea}");
    let facets_cal = body(cal.get(app.at("/people")).send().await.unwrap()).await;
    assert!(
        !facets_cal.contains("Excel") && !facets_cal.contains(">Senior<"),
        "hidden tags are not counted: {facets_cal}"
    );
    let by_skill = body(cal.get(app.at("/people?skill=excel")).send().await.unwrap()).await;
    assert!(by_skill.contains("0 people"), "filtering by a hidden tag finds nothing");
    // Facet filters narrow the list; the network facet only for readable networks.
    let fin = body(bea.get(app.at("/people?department=Finance")).send().await.unwrap()).await;
    assert!(fin.contains("1 person") && fin.contains("Zoë Ann"));
    assert_eq!(cal.get(app.at("/people?network=hidden")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(cal.get(app.at("/people?network=eas")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let in_eas = body(bea.get(app.at("/people?network=eas")).send().await.unwrap()).await;
    assert!(in_eas.contains("<h1>People in Network eas</h1>") && in_eas.contains("2 people"), "{in_eas}");
    // The document's title says which list this is, for a screen reader's first words: the
    // search and each filter chosen (the network is in the heading already).
    let titled = body(bea.get(app.at("/people?network=eas&department=Finance&q=zo%C3%AB")).send().await.unwrap()).await;
    assert!(
        titled.contains("<title>People in Network eas: search “zoë”, Department Finance · Roundtable</title>"),
        "{titled}"
    );
    // The API applies the same rules.
    let (bea_token, cal_token) = (app.api_token(&bea).await, app.api_token(&cal).await);
    let found: serde_json::Value = support::api_get(app.at("/api/v1/people?q=excel"), &bea_token).await;
    assert_eq!(found["total"], 1);
    let none: serde_json::Value = support::api_get(app.at("/api/v1/people?q=excel"), &cal_token).await;
    assert_eq!(none["total"], 0);
    let ann_id = id_of(&app, "ann@example.org").await;
    let p: serde_json::Value = support::api_get(app.at(&format!("/api/v1/people/{ann_id}")), &bea_token).await;
    assert_eq!(p["skills"][0], "Diary management");
    assert!(p["level"].is_null(), "organisers-only field hidden from a peer: {p}");
    let p: serde_json::Value = support::api_get(app.at(&format!("/api/v1/people/{ann_id}")), &cal_token).await;
    assert!(p["skills"].is_null() && p["languages"][0] == "French", "{p}");
}

/// `path` on the test server with the query string `query`, encoded.
fn at_with(app: &TestApp, path: &str, query: &[(&str, &str)]) -> reqwest::Url {
    reqwest::Url::parse_with_params(&app.at(path), query).unwrap()
}

/// Names of the people the API's directory finds for `query` (with a personal API token).
async fn api_names(app: &TestApp, token: &str, query: &[(&str, &str)]) -> Vec<String> {
    let found = support::api_get(at_with(app, "/api/v1/people", query), token).await;
    found["people"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
}

async fn people_correct_their_own_name_and_are_found_by_it(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let ann = app.user("ann@example.org", "Ann Asistant").await;
    join(&app, "eas", "ann@example.org", Role::Member).await;
    let form = body(ann.get(app.at("/profile")).send().await.unwrap()).await;
    assert!(form.contains(r#"name="name" type="text" value="Ann Asistant""#), "{form}");
    // A phone offers digits for the years and a keyboard with @ for addresses.
    assert!(form.contains(r#"name="years_experience" type="text" inputmode="numeric""#), "{form}");
    assert!(form.contains(r#"name="supports_emails" type="text" inputmode="email""#), "{form}");
    // An empty name is refused beside the field, and nothing changes.
    let r = ann.post(app.at("/profile")).form(&[("name", "  "), ("time_zone", "UTC")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains(r#"id="f-name-error""#));
    let r = ann.post(app.at("/profile")).form(&[("name", "Ann Assistant-Ngô"), ("time_zone", "UTC")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    // Found by the new name (accents folded), in the directory and the member list.
    let found = body(admin.get(app.at("/people?q=assistant-ngo")).send().await.unwrap()).await;
    assert!(found.contains("Ann Assistant-Ngô") && found.contains("1 person"), "{found}");
    let members = body(admin.get(app.at("/n/eas/members?q=ngo")).send().await.unwrap()).await;
    assert!(members.contains("Ann Assistant-Ngô"), "{members}");
    // A form without the field (an older page) keeps the name.
    let r = ann.post(app.at("/profile")).form(&[("time_zone", "UTC")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(users::by_email(&app.state.db, "ann@example.org").await.unwrap().unwrap().name, "Ann Assistant-Ngô");
}

async fn a_deactivated_manager_or_executive_leaves_profiles_until_reactivated(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let ann = app.user("ann@example.org", "Ann Assistant").await;
    app.user("max@example.org", "Max Manager").await;
    app.user("eve@example.org", "Eve Executive").await;
    // Her profile form with Max as her manager and Eve as the executive she supports.
    let save = |job_title: &'static str| {
        let form = [
            ("time_zone", "UTC"),
            ("job_title", job_title),
            ("manager_email", "max@example.org"),
            ("supports_emails", "eve@example.org"),
            ("audience_manager", "organisation"),
            ("audience_supports", "organisation"),
        ];
        let r = ann.post(app.at("/profile")).form(&form).send();
        async move {
            let r = r.await.unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
        }
    };
    save("").await;
    let profile = app.at(&format!("/people/{}", id_of(&app, "ann@example.org").await));
    let shown = body(admin.get(&profile).send().await.unwrap()).await;
    assert!(shown.contains("Max Manager") && shown.contains("Eve Executive"), "{shown}");
    let (max, eve) = (id_of(&app, "max@example.org").await, id_of(&app, "eve@example.org").await);
    for id in [&max, &eve] {
        let r = admin.post(app.at(&format!("/admin/people/{id}/active"))).form(&[("value", "false")]).send().await;
        assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    }
    let shown = body(admin.get(&profile).send().await.unwrap()).await;
    assert!(!shown.contains("Max Manager") && !shown.contains(&max), "no link to a gone profile: {shown}");
    assert!(!shown.contains("Eve Executive") && !shown.contains(&eve), "{shown}");
    // Ann's own form still holds them: saving it again does not lose the reporting line.
    let form = body(ann.get(app.at("/profile")).send().await.unwrap()).await;
    assert!(form.contains("max@example.org") && form.contains("eve@example.org"), "{form}");
    // Sending the form back as shown, with only her title changed, saves (it was refused: "no
    // one uses this address" for the two she never touched) and keeps them.
    save("Senior Assistant").await;
    // The API's read-then-write round trip likewise.
    let (token, me) = (app.api_token(&ann).await, app.at("/api/v1/me/profile"));
    let mut mine = support::api_get(&me, &token).await;
    assert_eq!(mine["manager_email"], "max@example.org", "{mine}");
    mine["location"] = "Leeds".into();
    let (status, saved) = api_send(reqwest::Method::PUT, me.clone(), &token, &mine).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["supports_emails"], serde_json::json!(["eve@example.org"]));
    // A newly given address of someone who has left is still refused.
    let bea = app.user("bea@example.org", "Bea Peer").await;
    let r = bea.post(app.at("/profile")).form(&[("time_zone", "UTC"), ("manager_email", "max@example.org")]);
    let page = body(r.send().await.unwrap()).await;
    assert!(page.contains("No one in Roundtable uses this address"), "{page}");
    let form = body(ann.get(app.at("/profile")).send().await.unwrap()).await;
    assert!(form.contains("Senior Assistant") && form.contains("max@example.org"), "{form}");
    let r = admin.post(app.at(&format!("/admin/people/{max}/active"))).form(&[("value", "true")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    assert!(body(admin.get(&profile).send().await.unwrap()).await.contains("Max Manager"), "back when reactivated");
}

/// Where each name first appears among the page's results (panics when one is missing).
fn order_on(page: &str, names: &[&str]) -> Vec<usize> {
    let results = &page[page.find(r#"id="results-h""#).expect("a results section")..];
    names.iter().map(|n| results.find(n).unwrap_or_else(|| panic!("{n} missing: {page}"))).collect()
}

async fn the_directory_sorts_keeps_filters_on_a_new_search_and_lists_every_facet_value(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let viewer = app.user("viewer@example.org", "Val Viewer").await;
    // Filters that leave no one still show, each with its way out (the page used to lose them
    // while its search form kept them).
    let page = body(viewer.get(app.at("/people?location=Atlantis&department=finance")).send().await.unwrap()).await;
    assert!(page.contains("No one matches"), "{page}");
    assert!(page.contains("Location: Atlantis") && page.contains("Department: finance"), "the chips stay: {page}");
    for (email, name, department, start, audience) in [
        ("ada@example.org", "Ada Early", "Sales", "2019-04-01", "organisation"),
        ("bo@example.org", "Bo Hidden", "Finance", "2026-01-05", "organisers"),
        ("cy@example.org", "Cy Late", "Finance", "2024-09-30", "organisation"),
    ] {
        let c = app.user(email, name).await;
        // Named apart from the person, so names on the page are result rows, not facet values.
        let initial = name[..1].to_lowercase();
        let interests = (0..14).map(|i| format!("Hobby {initial}{i:02}")).collect::<Vec<_>>().join(", ");
        let r = c
            .post(app.at("/profile"))
            .form(&[
                ("time_zone", "UTC"),
                ("department", department),
                ("start_date", start),
                ("audience_start_date", audience),
                ("interests", &interests),
                ("audience_interests", "organisation"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
    }
    let names = ["Ada Early", "Bo Hidden", "Cy Late"];
    let page = |c: &reqwest::Client, q: &'static str| {
        let c = c.clone();
        let url = app.at(&format!("/people{q}"));
        async move { body(c.get(url).send().await.unwrap()).await }
    };
    let by_name = order_on(&page(&viewer, "").await, &names);
    assert!(by_name.is_sorted(), "by name unless asked");
    // An old link past the last page says so and leads back, rather than "No one matches".
    let past = page(&viewer, "?department=Finance&page=9").await;
    assert!(!past.contains("No one matches"), "{past}");
    assert!(
        past.contains(
            r#"past the last one. <a href="/people?department=Finance&#38;page=1#results-h">Go to page 1</a>"#
        ),
        "{past}"
    );
    // Newest first; Bo's date is for organisers only, so for the viewer he sorts as undated
    // (after the dated, in name order) while an org admin sees him first.
    let newest = order_on(&page(&viewer, "?sort=newest").await, &["Cy Late", "Ada Early", "Bo Hidden"]);
    assert!(newest.is_sorted(), "{newest:?}");
    let newest = order_on(&page(&admin, "?sort=newest").await, &["Bo Hidden", "Cy Late", "Ada Early"]);
    assert!(newest.is_sorted(), "{newest:?}");
    // Cy's profile gives the date as every page writes dates.
    let cy = users::by_email(&app.state.db, "cy@example.org").await.unwrap().unwrap().id;
    let profile = body(viewer.get(app.at(&format!("/people/{cy}"))).send().await.unwrap()).await;
    assert!(profile.contains("<dt>In the organisation since</dt><dd>30 Sep 2024</dd>"), "{profile}");
    let by_department = order_on(&page(&viewer, "?sort=department").await, &["Bo Hidden", "Cy Late", "Ada Early"]);
    assert!(by_department.is_sorted(), "Finance before Sales, then by name");
    // The chosen order and filters survive a new search (hidden fields in the search form).
    let filtered = page(&viewer, "?department=Finance&sort=newest").await;
    assert!(filtered.contains(r#"<input type="hidden" name="department" value="Finance">"#), "{filtered}");
    assert!(filtered.contains(r#"<input type="hidden" name="sort" value="newest">"#), "{filtered}");
    assert!(filtered.contains("aria-current=\"true\"><strong>Newest to the organisation"), "{filtered}");
    // Above the results, each chosen filter with a link that removes it (and keeps the order).
    assert!(
        filtered.contains(r#"Filtered by <a href="/people?sort=newest#results-h">Department: Finance <span aria-hidden="true">✕</span>"#),
        "{filtered}"
    );
    assert!(!page(&viewer, "?sort=newest").await.contains("Filtered by"), "an order alone filters nothing");
    // "Clear all filters" drops the filters only: the search typed and the order stay.
    let searched = page(&viewer, "?q=ada&department=Finance&sort=newest").await;
    assert!(
        searched.contains(r#"<a href="/people?q=ada&#38;sort=newest#results-h">Clear all filters</a>"#),
        "{searched}"
    );
    assert!(!page(&viewer, "?q=ada").await.contains("Clear all filters"), "a search alone is no filter");

    // 42 interests: the twelve most frequent shown, the rest one link away.
    let short = page(&viewer, "").await;
    assert!(short.contains("Show all 42 interests") && !short.contains("Hobby c13"), "{short}");
    // The link lands on the interests it opens (on a phone the filters scroll sideways: landing
    // on the first of them left the interests out of view and a keyboard ~40 Tabs away).
    let before_link = &short[..short.find(r#"">Show all 42 interests"#).unwrap()];
    let target = &before_link[before_link.rfind('#').unwrap() + 1..];
    assert!(
        short.contains(&format!(r#"<details open id="{target}"><summary>Interests</summary>"#)),
        "{target}: {short}"
    );
    let all = page(&viewer, "?all=interest").await;
    assert!(all.contains("Hobby c13") && all.contains("Show fewer interests"), "{all}");
    // An unknown order is refused with the ones that exist, on the page and in the API.
    let r = viewer.get(app.at("/people?sort=salary")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(body(r).await.contains("name, department, location, newest"));
    let token = app.api_token(&viewer).await;
    let r = reqwest::Client::new().get(app.at("/api/v1/people?sort=salary")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(
        api_names(&app, &token, &[("sort", "newest"), ("department", "Finance")]).await,
        ["Cy Late", "Bo Hidden"]
    );
    let facets = support::api_get(at_with(&app, "/api/v1/people", &[]), &token).await;
    let interests = facets["facets"].as_array().unwrap().iter().find(|f| f["key"] == "interest").unwrap().clone();
    assert_eq!((interests["values"].as_array().unwrap().len(), interests["more"].as_u64()), (12, Some(30)));
    // A department as long as the profile allows (120 characters) selects from its facet link
    // (the query used to be cut to 100: no one found, every facet gone).
    let long = format!("Sales{}", " and Marketing".repeat(8));
    assert!((101..=120).contains(&long.chars().count()));
    let r = viewer.post(app.at("/profile")).form(&[("time_zone", "UTC"), ("department", &long)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
    assert_eq!(api_names(&app, &token, &[("department", &long)]).await, ["Val Viewer"]);
}

/// Searches people type: a surname after an apostrophe, a name that starts like an
/// abbreviation, "HR" for the Human Resources department, "C++" rather than every "c"; and a
/// chosen skill's facet lists that skill alone, with the count its link finds.
async fn the_directory_finds_names_skills_and_departments_as_people_type_them(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let viewer = app.user("viewer@example.org", "Val Viewer").await;
    for (email, name, department, skills) in [
        ("lukas@example.org", "Lukas D'Souza", "Human Resources", "C++, Excel"),
        ("pablo@example.org", "Pablo Cooper", "Finance", "Excel, Cobol"),
        ("cora@example.org", "Cora Chief", "Operations", "C#"),
        ("li@example.org", "李明", "Finance", ""),
        ("minjun@example.org", "김민준", "Finance", ""),
    ] {
        let c = app.user(email, name).await;
        let form =
            [("time_zone", "UTC"), ("department", department), ("skills", skills), ("audience_skills", "organisation")];
        let r = c.post(app.at("/profile")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
    }
    let token = app.api_token(&viewer).await;
    for (q, found) in [
        ("souza", &["Lukas D'Souza"][..]),
        ("d souza", &["Lukas D'Souza"]),
        ("coo", &["Pablo Cooper"]),
        ("hr", &["Lukas D'Souza"]),
        ("c++", &["Lukas D'Souza"]),
        ("c#", &["Cora Chief"]),
        // Written without spaces: the given name alone finds them, as does the whole name.
        ("明", &["李明"]),
        ("李明", &["李明"]),
        ("민준", &["김민준"]),
        // Symbols alone name no one (they used to list everyone).
        ("%", &[]),
        ("!!!", &[]),
    ] {
        assert_eq!(api_names(&app, &token, &[("q", q)]).await, found, "{q}");
    }
    // Excel chosen: the skills facet lists Excel alone. (C++ and Cobol, held beside Excel, were
    // listed with their counts among Excel's holders, while their links replace Excel.)
    let page = support::api_get(at_with(&app, "/api/v1/people", &[("skill", " excel ")]), &token).await;
    assert_eq!(page["total"], 2, "a value with spaces around it still selects: {page}");
    let skills = page["facets"].as_array().unwrap().iter().find(|f| f["key"] == "skill").unwrap().clone();
    let values: Vec<(&str, i64)> = skills["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["label"].as_str().unwrap(), v["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(values, [("Excel", 2)], "{skills}");
    // A bio shown to organisers only is searched by those who may read it, and no one else.
    let cora = app.sign_in("cora@example.org").await;
    let form = [("time_zone", "UTC"), ("bio", "Keen xylophonist."), ("audience_bio", "organisers")];
    let r = cora.post(app.at("/profile")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
    let admin_token = app.api_token(&app.sign_in("admin@example.org").await).await;
    assert_eq!(api_names(&app, &admin_token, &[("q", "xylophonist")]).await, ["Cora Chief"]);
    assert!(api_names(&app, &token, &[("q", "xylophonist")]).await.is_empty());
    // A query string the page cannot read gets the error page saying why, not plain text.
    let r = viewer.get(app.at("/people?q=a&q=b")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = body(r).await;
    assert!(page.contains("is given more than once") && page.contains("We could not use that request"), "{page}");
    // A search alone that finds no one asks for another spelling, not to remove a filter.
    let none = body(viewer.get(app.at("/people?q=zzqqx")).send().await.unwrap()).await;
    assert!(none.contains("No one matches. Try another spelling.") && !none.contains("Remove a filter"), "{none}");
    // Nothing to filter or sort: neither is offered.
    assert!(!none.contains("id=\"filters-h\"") && !none.contains("Sort results"), "{none}");
    let none = body(viewer.get(app.at("/people?q=zzqqx&skill=excel")).send().await.unwrap()).await;
    assert!(none.contains("Remove a filter (above), or try another spelling."), "{none}");
}

async fn search_takes_words_in_any_order_and_finds_accented_names_by_their_plain_spelling(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let ann = app.user("ann@example.org", "Ann Assistant").await;
    let bea = app.user("bea@example.org", "Bea Peer").await;
    let cal = app.user("cal@example.org", "Cal Manager").await;
    app.user("jamal@example.org", "Jamal Schmidt").await;
    app.user("cagla@example.org", "Çağla Doğan").await;
    app.user("huong@example.org", "Nguyễn Thị Hương").await;
    for email in ["ann@example.org", "bea@example.org", "jamal@example.org", "cagla@example.org"] {
        join(&app, "eas", email, Role::Member).await;
    }
    // An Executive Assistant in London (Ann), one in Paris (Bea), an Office Manager in London (Cal).
    ann_profile(&app, &ann).await;
    for (who, job, place) in [(&bea, "Executive Assistant", "Paris"), (&cal, "Office Manager", "London")] {
        let form = [("job_title", job), ("location", place), ("time_zone", "Europe/London")];
        let r = who.post(app.at("/profile")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let page = |q: &'static str| {
        let (bea, app) = (&bea, &app);
        async move { body(bea.get(at_with(app, "/people", &[("q", q)])).send().await.unwrap()).await }
    };
    for q in ["assistant london", "london assistant", "LONDON  executive"] {
        let found = page(q).await;
        assert!(found.contains("1 person") && found.contains("Ann Assistant"), "{q}: {found}");
    }
    let found = page("cagla").await;
    assert!(found.contains("1 person") && found.contains("Çağla Doğan"), "{found}");

    let token = app.api_token(&bea).await;
    let api = |q: &'static str| {
        let (app, token) = (&app, &token);
        async move { api_names(app, token, &[("q", q)]).await }
    };
    assert_eq!(api("assistant london").await, ["Ann Assistant"]);
    assert_eq!(api("schmidt jamal").await, ["Jamal Schmidt"], "words in any order");
    assert_eq!(api("jamal schmidt").await, ["Jamal Schmidt"]);
    assert!(api("assistant london paris").await.is_empty(), "every word, on the same person");
    for q in ["cagla", "dogan", "Doğan Çağla"] {
        assert_eq!(api(q).await, ["Çağla Doğan"], "{q}");
    }
    for q in ["nguyen", "huong", "huong nguyen"] {
        assert_eq!(api(q).await, ["Nguyễn Thị Hương"], "{q}");
    }
    // How titles and German names are also typed: "EA" for Executive Assistant, "Mueller".
    assert_eq!(api("ea").await, ["Ann Assistant", "Bea Peer"]);
    assert_eq!(api("EAs london").await, ["Ann Assistant"]);
    app.user("jorg@example.org", "Jörg Müller").await;
    for q in ["mueller", "muller", "joerg müller"] {
        assert_eq!(api(q).await, ["Jörg Müller"], "{q}");
    }
    // The level is searched as far as its audience goes: Ann shows hers to organisers only.
    assert!(api("senior").await.is_empty(), "Bea may not see Ann's level");
    let admin_token = app.api_token(&admin).await;
    assert_eq!(api_names(&app, &admin_token, &[("q", "senior")]).await, ["Ann Assistant"]);

    // A mistyped search that finds no one suggests the spelling people are known by, kept to
    // what the searcher may find; the API gives it too.
    let found = page("jamal schmdit").await;
    assert!(
        found
            .contains(r#"No one matches. Did you mean <a href="/people?q=Jamal+Schmidt#results-h">Jamal Schmidt</a>?"#),
        "{found}"
    );
    let respelt = |c: &reqwest::Client, q: &'static str| {
        let (app, c) = (&app, c.clone());
        async move {
            let token = app.api_token(&c).await;
            support::api_get(at_with(app, "/api/v1/people", &[("q", q)]), &token).await["did_you_mean"].clone()
        }
    };
    assert_eq!(respelt(&bea, "exectuive asistant").await, "executive assistant");
    assert_eq!(respelt(&bea, "jamal").await, serde_json::Value::Null, "found: nothing to suggest");
    // Spelt right but one word too many (as "MS Excel" finds no one): the search without it.
    assert_eq!(respelt(&bea, "qqzx london").await, "london");
    let found = page("qqzx london").await;
    assert!(
        found.contains(
            r#"No one has all of these words; <a href="/people?q=london#results-h">london</a> finds people."#
        ),
        "offered as a shorter search, not a correction: {found}"
    );
    // Ann's skills are for her networks: no one is told their spelling by a suggestion, not
    // even Bea, who shares the network (a suggestion comes from what everyone may see).
    for who in [&bea, &cal] {
        assert_eq!(respelt(who, "diarry").await, serde_json::Value::Null);
    }
    // A filter the respelt search would not get past: nothing suggested.
    let r = bea.get(at_with(&app, "/people", &[("q", "jamal schmdit"), ("location", "Paris")]));
    assert!(!body(r.send().await.unwrap()).await.contains("Did you mean"));

    // A network's member list takes words in any order too, by name — and by email for org
    // admins (only they see members' addresses, on the people pages).
    let members = |who: &'static str, q: &'static str| {
        let (c, app) = (if who == "admin" { &admin } else { &bea }, &app);
        async move { body(c.get(at_with(app, "/n/eas/members", &[("q", q)])).send().await.unwrap()).await }
    };
    let list = members("bea", "schmidt jamal").await;
    assert!(list.contains("Jamal Schmidt") && !list.contains("Çağla Doğan"), "{list}");
    let list = members("admin", "dogan cagla@").await;
    assert!(list.contains("Çağla Doğan") && !list.contains("Jamal Schmidt"), "{list}");
    let list = members("bea", "cagla@example.org").await;
    assert!(list.contains("0 members") && !list.contains("Çağla Doğan"), "{list}");
    let list = members("admin", "cagla@example.org").await;
    assert!(list.contains("1 member") && list.contains("Çağla Doğan"), "{list}");
    // Names as the directory finds them: from the start of a word, "Mueller" for Müller.
    join(&app, "eas", "jorg@example.org", Role::Member).await;
    assert!(members("bea", "mueller").await.contains("Jörg Müller"));
    assert!(members("bea", "midt").await.contains("0 members"), "not from the middle of Schmidt");
}

/// Rows whose folded columns an older `fold` wrote (before Unicode decomposition: "i" with a
/// combining dot for İ, ğ and ı kept as they are) are found by the plain spelling: by the
/// directory at once, since the read model refolds what it loads; by the admin's SQL search
/// once the refold that runs with the migrations at start-up has rewritten the name.
async fn names_and_profiles_folded_the_older_way_are_still_found(d: Dialect) {
    const OLDER_NAME: &str = "UPDATE users SET name_folded = $2 WHERE id = $1";
    const OLDER_SEARCH: &str = "UPDATE profiles SET search_organisation = $2, search_network = $2 WHERE user_id = $1";
    const OLDER_TAG: &str = "UPDATE profile_tags SET folded = $2 WHERE user_id = $1";
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let ilkay = app.user("ilkay@example.org", "İlkay Gündoğan").await;
    let form = [
        ("job_title", "Executive Assistant"),
        ("location", "İstanbul"),
        ("time_zone", "Europe/Istanbul"),
        ("skills", "Sağlık"),
    ];
    assert_eq!(ilkay.post(app.at("/profile")).form(&form).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let id = id_of(&app, "ilkay@example.org").await;
    let db = &app.state.db;
    db.write(OLDER_NAME, roundtable_store::params![id.as_str(), "i\u{307}lkay gundoğan"]).await.unwrap();
    let older_search = "i\u{307}lkay gundoğan executive assistant i\u{307}stanbul sağlik";
    db.write(OLDER_SEARCH, roundtable_store::params![id.as_str(), older_search]).await.unwrap();
    db.write(OLDER_TAG, roundtable_store::params![id.as_str(), "sağlik"]).await.unwrap();
    // As an older release left it: folded by version 1 (the hand-written table).
    db.write("UPDATE name_folding SET version = 1", vec![]).await.unwrap();
    assert_eq!(
        users::search(db, "gundogan", users::Standing::All, 10, 0).await.unwrap().1,
        0,
        "the older name, before the refold"
    );

    let token = app.api_token(&admin).await;
    for q in ["ilkay", "gundogan", "İlkay Gündoğan", "istanbul saglik assistant"] {
        assert_eq!(api_names(&app, &token, &[("q", q)]).await, ["İlkay Gündoğan"], "{q}");
    }
    let by_skill = api_names(&app, &token, &[("skill", "saglik")]).await;
    assert_eq!(by_skill, ["İlkay Gündoğan"], "the tag's older folded form is refolded too");

    assert_eq!(db.migrate().await.unwrap(), 0, "no migration left, only the refold");
    assert_eq!(users::search(db, "gundogan", users::Standing::All, 10, 0).await.unwrap().1, 1);
    // Once up to date, a start does not read the names again: a name folded wrongly now (by no
    // release) stays as it is.
    db.write(OLDER_NAME, roundtable_store::params![id.as_str(), "stale"]).await.unwrap();
    db.migrate().await.unwrap();
    assert_eq!(
        users::search(db, "gundogan", users::Standing::All, 10, 0).await.unwrap().1,
        0,
        "names are not refolded at every start"
    );
    // `roundtable migrate` refolds whatever the version (names an older release wrote).
    assert_eq!(users::refold_names(db, true).await.unwrap(), 1);
    assert_eq!(users::search(db, "gundogan", users::Standing::All, 10, 0).await.unwrap().1, 1);
    let people = body(admin.get(at_with(&app, "/admin/people", &[("q", "ilkay")])).send().await.unwrap()).await;
    assert!(people.contains("İlkay Gündoğan"), "{people}");
}

async fn people_like_me_shows_the_shared_threads(d: Dialect) {
    let (app, _admin, ann, bea) = ann_and_bea_in_eas(d).await;
    ann_profile(&app, &ann).await;
    let r = bea
        .post(app.at("/profile"))
        .form(&[
            ("department", "Finance"),
            ("time_zone", "Europe/Paris"),
            ("skills", "excel"),
            ("languages", "French"),
            ("years_experience", "9"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = body(bea.get(app.at("/people")).send().await.unwrap()).await;
    assert!(page.contains("People like you") && page.contains("Ann Assistant"), "{page}");
    for reason in ["Shared skill: Excel", "Both speak French", "Same function: Finance"] {
        assert!(page.contains(reason), "missing reason {reason}: {page}");
    }
    assert!(!page.contains("Same level"), "Ann's level is for organisers only");
    // Once Bea names Ann as an executive she supports, Ann is not her peer, whatever they share.
    let token = app.api_token(&bea).await;
    let names = |like: serde_json::Value| -> Vec<String> {
        like.as_array().unwrap().iter().map(|s| s["person"]["name"].as_str().unwrap().to_owned()).collect()
    };
    assert!(names(support::api_get(app.at("/api/v1/people/like-me"), &token).await).contains(&"Ann Assistant".into()));
    let form = [
        ("department", "Finance"),
        ("time_zone", "Europe/Paris"),
        ("skills", "excel"),
        ("languages", "French"),
        ("years_experience", "9"),
        ("supports_emails", "ann@example.org"),
    ];
    let r = bea.post(app.at("/profile")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let like = names(support::api_get(app.at("/api/v1/people/like-me"), &token).await);
    assert!(!like.contains(&"Ann Assistant".into()), "the executive she supports is no peer: {like:?}");
    // A profile form that leaves the audiences out (a stale page, a script) keeps those chosen.
    let r = ann.post(app.at("/profile")).form(&[("time_zone", "UTC"), ("level", "Senior")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ann_id = users::by_email(&app.state.db, "ann@example.org").await.unwrap().unwrap().id;
    let stored = roundtable_store::profiles::get(&app.state.db, ann_id).await.unwrap().unwrap();
    assert!(stored.visibility.contains(r#""level":"organisers""#), "never widened: {}", stored.visibility);
}

async fn bad_profile_input_is_refused_field_by_field_and_changes_nothing(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let ann = app.user("ann@example.org", "Ann Assistant").await;
    let bea = app.user("bea@example.org", "Bea Boss").await;
    ann_profile(&app, &ann).await;
    // Ann reports to Bea; then Bea may not name Ann as her manager (a loop).
    let r = ann
        .post(app.at("/profile"))
        .form(&[("time_zone", "UTC"), ("manager_email", "bea@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = bea
        .post(app.at("/profile"))
        .form(&[("time_zone", "UTC"), ("manager_email", "ann@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("reports to you"));
    let before = roundtable_store::profiles::get(
        &app.state.db,
        users::by_email(&app.state.db, "ann@example.org").await.unwrap().unwrap().id,
    )
    .await
    .unwrap()
    .unwrap();
    let r = ann
        .post(app.at("/profile"))
        .form(&[
            ("time_zone", "Mars/Olympus"),
            ("years_experience", "lots"),
            ("start_date", "2023-02-30"),
            ("manager_email", "ghost@example.org"),
            ("supports_emails", "ann@example.org, not-an-address"),
            ("skills", &"x".repeat(50)),
            ("audience_bio", "everyone"),
            ("job_title", "Chief <b>Assistant</b>"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    for msg in [
        "Choose a time zone",
        "whole number of years",
        "like 2024-03-31",
        "No one in Roundtable uses this address",
        "ann@example.org is your own address",
        "“not-an-address” is not an email address",
        "under 40 characters",
        "Choose who can see About me (bio): “everyone” is not one of organisers, network, organisation.",
    ] {
        assert!(html.contains(msg), "missing {msg}");
    }
    assert!(html.contains("Chief &#60;b&#62;Assistant&#60;/b&#62;"), "typed text kept and escaped");
    let after = roundtable_store::profiles::get(&app.state.db, before.id).await.unwrap().unwrap();
    assert_eq!(
        (after.job_title, after.time_zone, after.tags.len()),
        (before.job_title, before.time_zone, before.tags.len()),
        "nothing changed"
    );
    // Someone who left (a deactivated account) cannot be named as manager or executive.
    app.user("gone@example.org", "Gus Gone").await;
    let gone = users::by_email(&app.state.db, "gone@example.org").await.unwrap().unwrap().id;
    let mut tx = app.state.db.begin().await.unwrap();
    users::set_deactivated(&mut tx, gone, Some(chrono::Utc::now())).await.unwrap();
    tx.commit().await.unwrap();
    for field in ["manager_email", "supports_emails"] {
        let r = ann.post(app.at("/profile")).form(&[("time_zone", "UTC"), (field, "gone@example.org")]).send().await;
        let r = r.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(body(r).await.contains("uses"), "{field}: no one (active) uses the address");
    }
}

mod privacy_rights {
    use super::*;
    use chrono::{DateTime, Duration, Utc};
    use roundtable_store::events;

    both!(
        a_person_downloads_their_data_and_deactivates_and_an_admin_erases,
        a_name_given_up_on_the_profile_is_in_my_data_and_erased_too,
        people_leave_and_admins_deactivate_and_erase_over_the_api,
        two_administrators_deactivating_each_other_at_once_leave_one,
    );

    /// The only two administrators deactivate each other at the same moment: one of them stays
    /// (whichever goes second is refused, or finds their own account already deactivated).
    async fn two_administrators_deactivating_each_other_at_once_leave_one(d: Dialect) {
        use serde_json::json;
        let app = TestApp::spawn(d).await;
        let admin = app.setup().await;
        let bea = app.user("bea@example.org", "Bea Admin").await;
        roundtable_app::admin::console::set_admin(&app.state.db, "bea@example.org", true).await.unwrap();
        let (a_token, b_token) = (app.api_token(&admin).await, app.api_token(&bea).await);
        let (a_id, b_id) = (id_of(&app, "admin@example.org").await, id_of(&app, "bea@example.org").await);
        let off = |token: String, id: String| {
            let url = app.at(&format!("/api/v1/people/{id}/active"));
            async move { api_send(reqwest::Method::PUT, url, &token, &json!({"active": false})).await.0 }
        };
        let (a, b) = tokio::join!(off(a_token, b_id), off(b_token, a_id));
        let mut tx = app.state.db.begin().await.unwrap();
        assert_eq!(users::count_admins(&mut tx).await.unwrap(), 1, "one administrator is left ({a}, {b})");
        assert!([a, b].contains(&StatusCode::OK), "one of them acted ({a}, {b})");
    }

    /// The account page's "deactivate my account" and the admin People page's deactivate,
    /// reactivate and erase, over `/api/v1`: a wrong password or someone without the right
    /// changes nothing; a deactivated account's tokens are deleted.
    async fn people_leave_and_admins_deactivate_and_erase_over_the_api(d: Dialect) {
        use reqwest::Method;
        use serde_json::json;
        let app = TestApp::spawn(d).await;
        let admin = app.setup().await;
        let root = app.api_token(&admin).await;
        let ann = app.user("ann@example.org", "Ann Assistant").await;
        let ann_token = app.api_token(&ann).await;
        let bea = app.user("bea@example.org", "Bea Peer").await;
        let bea_token = app.api_token(&bea).await;
        let ann_id = id_of(&app, "ann@example.org").await;
        // Ann is the only Chair of a network: each answer that ends her account names it.
        app.network(&admin, "circle", "open").await;
        join(&app, "circle", "ann@example.org", Role::Chair).await;
        let chairless = json!([{"name": "Network circle", "slug": "circle"}]);
        let me = || app.at("/api/v1/me");
        let status_of = |token: &str| {
            let r = reqwest::Client::new().get(me()).bearer_auth(token.to_owned()).send();
            async move { r.await.unwrap().status() }
        };
        let leave = app.at("/api/v1/me/deactivation");
        let (status, problem) =
            api_send(Method::POST, leave.clone(), &ann_token, &json!({"confirm_password": "nope"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], "confirm_password", "{problem}");
        assert_eq!(status_of(&ann_token).await, StatusCode::OK, "still active");
        let (status, left) =
            api_send(Method::POST, leave, &ann_token, &json!({"confirm_password": support::PASSWORD})).await;
        assert_eq!((status, &left["networks_without_chair"]), (StatusCode::OK, &chairless), "{left}");
        assert_eq!(status_of(&ann_token).await, StatusCode::UNAUTHORIZED, "her token stops working");
        assert_eq!(ann.get(app.at("/account")).send().await.unwrap().status(), StatusCode::SEE_OTHER, "signed out");

        // An org admin finds her by address — deactivated, so the directory no longer lists her —
        // with her account's state; no one else may list people this way.
        let find = |token: &str, q: &str| {
            let (url, token) = (at_with(&app, "/api/v1/admin/people", &[("q", q)]), token.to_owned());
            async move {
                let r = reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap();
                (r.status(), r.json::<serde_json::Value>().await.unwrap())
            }
        };
        let (status, found) = find(&root, "ann@example").await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(found["total"], 1, "{found}");
        let ann_row = &found["people"][0];
        assert_eq!(
            (&ann_row["id"], &ann_row["email"], &ann_row["active"], &ann_row["erased"]),
            (&json!(ann_id), &json!("ann@example.org"), &json!(false), &json!(false)),
            "{found}"
        );
        assert_eq!(find(&bea_token, "ann").await.0, StatusCode::FORBIDDEN);

        // Only an org admin reactivates, deactivates or erases — never their own account.
        let active = app.at(&format!("/api/v1/people/{ann_id}/active"));
        let (status, _) = api_send(Method::PUT, active.clone(), &bea_token, &json!({"active": true})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(status_of(&ann_token).await, StatusCode::UNAUTHORIZED, "unchanged");
        let (status, back) = api_send(Method::PUT, active.clone(), &root, &json!({"active": true})).await;
        assert_eq!((status, &back), (StatusCode::OK, &json!({"active": true, "networks_without_chair": []})));
        // Reactivated without her old tokens (they may have leaked while she was away): a new one works.
        assert_eq!(status_of(&ann_token).await, StatusCode::UNAUTHORIZED, "old tokens were deleted");
        let ann_token = app.api_token(&app.sign_in("ann@example.org").await).await;
        assert_eq!(status_of(&ann_token).await, StatusCode::OK, "reactivated");
        let (status, _) = api_send(Method::PUT, active.clone(), &root, &json!({"active": "no"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, off) = api_send(Method::PUT, active.clone(), &root, &json!({"active": false})).await;
        assert_eq!(
            (status, &off["networks_without_chair"]),
            (StatusCode::OK, &chairless),
            "her role came back with her"
        );
        assert_eq!(status_of(&ann_token).await, StatusCode::UNAUTHORIZED, "deactivated by the admin");
        let (status, again) = api_send(Method::PUT, active.clone(), &root, &json!({"active": false})).await;
        assert_eq!((status, &again["networks_without_chair"]), (StatusCode::OK, &json!([])), "nothing changed");
        let admin_id = id_of(&app, "admin@example.org").await;
        let own = app.at(&format!("/api/v1/people/{admin_id}/active"));
        let (status, _) = api_send(Method::PUT, own, &root, &json!({"active": false})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "not one's own account");
        assert_eq!(status_of(&root).await, StatusCode::OK);

        // Erasure is asked for twice, as on the page: `confirm=ERASE`, or nothing is erased.
        let erase = app.at(&format!("/api/v1/people/{ann_id}?confirm=ERASE"));
        let (status, _) = api_send(Method::DELETE, erase.clone(), &bea_token, &json!(null)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(users::by_email(&app.state.db, "ann@example.org").await.unwrap().unwrap().name, "Ann Assistant");
        let audit_entries = || async { roundtable_store::audit::page(&app.state.db, 1000, 0).await.unwrap().1 };
        let audited = audit_entries().await;
        for unconfirmed in ["", "?confirm=", "?confirm=erase", "?confirm=yes", "?confrim=ERASE"] {
            let r = reqwest::Client::new()
                .delete(app.at(&format!("/api/v1/people/{ann_id}{unconfirmed}")))
                .bearer_auth(&root)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{unconfirmed:?}");
            assert_eq!(r.headers()["content-type"], "application/problem+json");
            let problem: serde_json::Value = r.json().await.unwrap();
            assert_eq!(problem["code"], "invalid_input", "{problem}");
            assert_eq!(problem["errors"][0]["field"], "confirm", "{unconfirmed:?}: {problem}");
            assert!(problem["detail"].as_str().unwrap().contains("ERASE"), "{problem}");
            let ann = users::by_email(&app.state.db, "ann@example.org").await.unwrap();
            assert_eq!(ann.unwrap().name, "Ann Assistant", "{unconfirmed:?}: nothing was erased");
        }
        assert_eq!(audit_entries().await, audited, "nor recorded");
        let (status, _) = api_send(Method::DELETE, erase.clone(), &root, &json!(null)).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert!(users::by_email(&app.state.db, "ann@example.org").await.unwrap().is_none(), "her address is gone");
        let id = roundtable_domain::UserId::parse(&ann_id).unwrap();
        assert_eq!(users::by_id(&app.state.db, id).await.unwrap().unwrap().name, "Former member");
        let (status, _) =
            api_send(Method::DELETE, app.at("/api/v1/people/not-an-id?confirm=ERASE"), &root, &json!(null)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, problem) = api_send(Method::PUT, active.clone(), &root, &json!({"active": true})).await;
        assert_eq!(status, StatusCode::CONFLICT, "an erased person cannot come back: {problem}");
        // Nor be erased again: once is recorded once, and when.
        let erased_at = users::by_id(&app.state.db, id).await.unwrap().unwrap().deactivated_at;
        let (status, problem) = api_send(Method::DELETE, erase.clone(), &root, &json!(null)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains("already erased"), "{problem}");
        assert_eq!(users::by_id(&app.state.db, id).await.unwrap().unwrap().deactivated_at, erased_at);
        let (log, _) = roundtable_store::audit::page(&app.state.db, 100, 0).await.unwrap();
        assert_eq!(log.iter().filter(|e| e.action == "person.erased").count(), 1);
        let entry = log.iter().find(|e| e.action == "person.erased").unwrap();
        assert_eq!(entry.subject, "a former member", "the entry names no one");
        assert!(entry.detail.contains(&format!("account {id}")), "but says which account: {}", entry.detail);
        assert!(users::by_id(&app.state.db, id).await.unwrap().unwrap().deactivated_at.is_some());

        // Her token cannot be used to guess her password: five wrong answers, then a wait.
        let leave = app.at("/api/v1/me/deactivation");
        for _ in 0..5 {
            let (status, _) =
                api_send(Method::POST, leave.clone(), &bea_token, &json!({"confirm_password": "guess"})).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let r = reqwest::Client::new()
            .post(leave.clone())
            .bearer_auth(&bea_token)
            .json(&json!({"confirm_password": support::PASSWORD}));
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password, until the window passes");
        assert!(r.headers().contains_key("retry-after"));
        assert!(r.text().await.unwrap().contains("Too many wrong passwords"));
        assert_eq!(status_of(&bea_token).await, StatusCode::OK, "Bea is still active");
        let (entries, _) = roundtable_store::audit::page(&app.state.db, 100, 0).await.unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        for a in ["person.deactivated_self", "person.reactivated", "person.deactivated", "person.erased"] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }
    }

    /// Minutes name Ann by the name she had then; she changes it; erasure finds both.
    async fn a_name_given_up_on_the_profile_is_in_my_data_and_erased_too(d: Dialect) {
        let app = TestApp::spawn(d).await;
        let admin = app.setup().await;
        app.network(&admin, "eas", "open").await;
        let ann = app.user("ann@example.org", "Ann Smith").await;
        join(&app, "eas", "ann@example.org", Role::Member).await;
        let (past, past_at) = app
            .event(&admin, "eas", "Lunch and learn", "We share what works.", Utc::now() - Duration::minutes(30))
            .await;
        app.user("emile@example.org", "Émile Durand").await;
        let minutes = "Ann Smith presented; Ann Jones (her future name) was not yet used; Annie Smith asked. Thanks, ÉMILE DURAND!";
        let r = admin
            .post(app.at(&format!("/events/{past}/notes")))
            .form(&[("agenda", ""), ("minutes", minutes), ("summary", ""), ("recording_url", ""), ("at", &past_at)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
        // She goes by Annie: "Annie Smith" in what was written before, "Annie Jones" after.
        let form = [("name", "Ann Jones"), ("preferred_name", "Annie"), ("time_zone", "UTC")];
        let r = ann.post(app.at("/profile")).form(&form).send().await;
        assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
        let mine: serde_json::Value =
            serde_json::from_str(&body(ann.get(app.at("/account/export.json")).send().await.unwrap()).await).unwrap();
        assert_eq!(mine["account"]["name"], "Ann Jones");
        assert_eq!(mine["account"]["former_names"][0]["name"], "Ann Smith", "{}", mine["account"]);
        let id = id_of(&app, "ann@example.org").await;
        let r = admin.post(app.at(&format!("/admin/people/{id}/erase"))).form(&[("confirm", "ERASE")]).send().await;
        assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
        let start = DateTime::from_timestamp_micros(past_at.parse().unwrap()).unwrap();
        let notes = events::notes(&app.state.db, past.parse().unwrap(), start).await.unwrap();
        assert!(
            notes.minutes.starts_with(
                "a former member presented; a former member (her future name) was not yet used; a former member asked."
            ),
            "{}",
            notes.minutes
        );
        let uid = roundtable_domain::UserId::parse(&id).unwrap();
        assert!(users::former_names(&app.state.db, uid).await.unwrap().is_empty(), "the old names are gone too");
        // A name written in capitals beyond ASCII is found too (SQLite's own lower() is ASCII-only).
        let emile = id_of(&app, "emile@example.org").await;
        let r = admin.post(app.at(&format!("/admin/people/{emile}/erase"))).form(&[("confirm", "ERASE")]).send().await;
        assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
        let notes = events::notes(&app.state.db, past.parse().unwrap(), start).await.unwrap();
        assert!(notes.minutes.ends_with("Thanks, a former member!"), "{}", notes.minutes);
    }

    const FEEDBACK: &str = "Loved it - I was the only one from the Leeds office";

    async fn hr(app: &TestApp, csv: &str) -> roundtable_app::import::Report {
        let (_, _, r) = roundtable_app::import::console::import(
            &app.state.db,
            csv.as_bytes(),
            "hr.csv",
            None,
            &Default::default(),
            &|_, _, _| {},
        )
        .await
        .unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        r
    }

    /// Makes a calendar feed (own calendar for `network` ""); returns its secret token.
    async fn feed(app: &TestApp, c: &reqwest::Client, network: &str) -> String {
        let url = app.new_feed(c, network).await;
        url.rsplit('/').next().unwrap().trim_end_matches(".ics").to_owned()
    }

    async fn a_person_downloads_their_data_and_deactivates_and_an_admin_erases(d: Dialect) {
        let app = TestApp::spawn(d).await;
        let admin = app.setup().await;
        app.network(&admin, "eas", "open").await;
        let db = &app.state.db;
        // HR knows Ann by her employee id, and changes her address twice; the log keeps each old
        // address and the id.
        hr(&app, "email,name,employee_id\r\nann.first@example.org,Ann Assistant,EMP-ANN-1\r\n").await;
        assert_eq!(hr(&app, "email,employee_id\r\nann.old@example.org,EMP-ANN-1\r\n").await.updated, 1);
        join(&app, "eas", "ann.old@example.org", Role::Member).await;
        let ann_id = id_of(&app, "ann.old@example.org").await;
        let ann_uid = roundtable_domain::UserId::parse(&ann_id).unwrap();
        let now = Utc::now();
        let (past, past_at) =
            app.event(&admin, "eas", "Lunch and learn", "We share what works.", now - Duration::minutes(30)).await;
        let (next, next_at) =
            app.event(&admin, "eas", "Monthly meeting", "We share what works.", now + Duration::days(7)).await;
        // While she has the old address, the organiser marks her at the event (the log names the
        // address) and a password reset is mailed to it.
        let r = admin
            .post(app.at(&format!("/events/{past}/attendance")))
            .form(&[("user", ann_id.as_str()), ("at", past_at.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app
            .client()
            .post(app.at("/password/forgot"))
            .form(&[("email", "ann.old@example.org")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // Sent by a job (the page's answer takes as long for any address): out before she moves.
        assert_eq!(app.emails_to("ann.old@example.org").await.len(), 1);
        // A failed sign-in under that address: hers, and in her download after the next change.
        let r = app
            .client()
            .post(app.at("/sign-in"))
            .form(&[("email", "ann.old@example.org"), ("password", "not her password")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(hr(&app, "email,employee_id\r\nann@example.org,EMP-ANN-1\r\n").await.updated, 1);
        roundtable_app::admin::console::reset_password(db, "ann@example.org", support::PASSWORD).await.unwrap();
        let ann = app.sign_in("ann@example.org").await;
        ann_profile(&app, &ann).await;
        // Her part in events: an answer, feedback with words, a turn as host; two calendar
        // feeds, one revoked.
        let r = ann
            .post(app.at(&format!("/events/{next}/rsvp")))
            .form(&[("response", "yes"), ("at", next_at.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // Only those who took part rate a date: not the organiser, who was not marked there.
        let r = admin
            .post(app.at(&format!("/events/{past}/feedback")))
            .form(&[("rating", "1"), ("at", past_at.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let form =
            body(admin.get(app.at(&format!("/events/{past}/feedback?at={past_at}"))).send().await.unwrap()).await;
        assert!(
            form.contains("Feedback comes from the people who took part") && !form.contains("/feedback\" novalidate"),
            "{form}"
        );
        let r = ann
            .post(app.at(&format!("/events/{past}/feedback")))
            .form(&[("rating", "5"), ("comment", FEEDBACK), ("at", past_at.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
        let r = admin
            .post(app.at(&format!("/events/{next}/host")))
            .form(&[("user", ann_id.as_str()), ("at", next_at.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let secrets = [feed(&app, &ann, "").await, feed(&app, &ann, "eas").await];
        let own = events::feeds_of(db, ann_uid).await.unwrap()[0].id;
        let r = ann.post(app.at(&format!("/calendar/feeds/{own}/revoke"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // Onboarding: a step she ticks and one done by filling in her profile.
        for (title, automatic) in [("Read the induction pack", ""), ("Fill in your profile", "profile")] {
            let r = admin
                .post(app.at("/n/eas/onboarding/steps"))
                .form(&[("title", title), ("description", ""), ("automatic", automatic)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
        }
        let n = networks::by_slug(db, "eas").await.unwrap().unwrap();
        let steps = roundtable_store::onboarding::steps(db, n.id).await.unwrap();
        let r = ann.post(app.at(&format!("/n/eas/checklist/{}/done", steps[0].id))).send().await.unwrap();
        assert!(r.status().is_redirection(), "{}", r.status());
        // Her photo, and the network's charter, which she accepts.
        assert_eq!(
            super::photos::upload(&app, &ann, super::photos::png(), "me.png").await.status(),
            StatusCode::SEE_OTHER
        );
        let r = admin.post(app.at("/n/eas/charter")).form(&[("body", "Be kind.")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r =
            ann.post(app.at("/n/eas/charter/accept")).form(&[("version", "1"), ("agree", "yes")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // A buddy on each side: Bo looks after Ann; Ann looked after Cy until the pairing ended.
        for (email, name) in [("bo@example.org", "Bo Buddy"), ("cy@example.org", "Cy Newer")] {
            roundtable_app::admin::console::create_user(db, email, name, support::PASSWORD, false).await.unwrap();
            join(&app, "eas", email, Role::Member).await;
        }
        let (bo_id, cy_id) = (id_of(&app, "bo@example.org").await, id_of(&app, "cy@example.org").await);
        for (newcomer, buddy) in [(&ann_id, &bo_id), (&cy_id, &ann_id)] {
            let r = admin
                .post(app.at(&format!("/n/eas/onboarding/buddies/{newcomer}")))
                .form(&[("buddy", buddy.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
        }
        let r = admin.post(app.at(&format!("/n/eas/onboarding/buddies/{cy_id}/end"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // The organiser's minutes of the past event name her.
        let r = admin
            .post(app.at(&format!("/events/{past}/notes")))
            .form(&[
                ("agenda", "Welcome; travel policy"),
                ("minutes", "Ann Assistant presented the travel policy (questions to ann@example.org). Joann Assistantson asked about trains."),
                ("summary", "Thanks to Ann Assistant."),
                ("recording_url", ""),
                ("at", past_at.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);

        let text = body(ann.get(app.at("/account/export.json")).send().await.unwrap()).await;
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["account"]["email"], "ann@example.org");
        assert_eq!(json["account"]["employee_id"], "EMP-ANN-1", "her own HR key, which only admins see elsewhere");
        // The addresses she had, newest change first, with what the log says.
        let changes = json["account"]["email_changes"].as_array().unwrap();
        let pairs: Vec<_> = changes.iter().map(|c| (c["from"].as_str().unwrap(), c["to"].as_str().unwrap())).collect();
        assert_eq!(
            pairs,
            [("ann.old@example.org", "ann@example.org"), ("ann.first@example.org", "ann.old@example.org")]
        );
        assert!(changes[0]["detail"].as_str().unwrap().contains("EMP-ANN-1") && changes[0]["at"].is_string());
        assert_eq!(json["profile"]["level"], "Senior");
        assert_eq!(json["memberships"][0]["network"], "Network eas");
        assert_eq!(json["memberships"][0]["charter_version_accepted"], 1);
        let accepted = &json["charter_acceptances"];
        assert!(accepted[0]["network"] == "Network eas" && accepted[0]["version"] == 1, "{accepted}");
        assert!(accepted[0]["at"].is_string() && accepted.as_array().unwrap().len() == 1);
        let buddies = json["buddies"].as_array().unwrap();
        assert_eq!(buddies.len(), 2, "{buddies:?}");
        assert_eq!(
            (&buddies[0]["network"], &buddies[0]["you_are"], &buddies[0]["newcomer"], &buddies[0]["buddy"]),
            (&"Network eas".into(), &"newcomer".into(), &"Ann Assistant".into(), &"Bo Buddy".into())
        );
        assert!(buddies[0]["from"].is_string() && buddies[0]["until"].is_null(), "current: {buddies:?}");
        assert_eq!(
            (&buddies[1]["you_are"], &buddies[1]["newcomer"], &buddies[1]["buddy"]),
            (&"buddy".into(), &"Cy Newer".into(), &"Ann Assistant".into())
        );
        assert!(buddies[1]["until"].is_string(), "ended pairings are kept, with their end: {buddies:?}");
        // Events: her answer, her attendance, her feedback with its words, her turn as host.
        let one = |key: &str| {
            let list = json[key].as_array().unwrap_or_else(|| panic!("{key} in {json}"));
            assert_eq!(list.len(), 1, "{key}: {list:?}");
            list[0].clone()
        };
        let rsvp = one("event_rsvps");
        assert_eq!(
            (&rsvp["event"], &rsvp["network"], &rsvp["response"]),
            (&"Monthly meeting".into(), &"Network eas".into(), &"yes".into())
        );
        assert!(rsvp["occurrence"].is_string() && rsvp["at"].is_string());
        let attended = one("event_attendance");
        assert_eq!((&attended["event"], &attended["recorded_by"]), (&"Lunch and learn".into(), &"organiser".into()));
        let feedback = one("event_feedback");
        assert_eq!(
            (&feedback["event"], &feedback["rating"], &feedback["comment"]),
            (&"Lunch and learn".into(), &5.into(), &FEEDBACK.into())
        );
        assert_eq!(one("events_hosted")["event"], "Monthly meeting");
        // Her calendar feeds, by what they show, without their secret URLs.
        let feeds = json["calendar_feeds"].as_array().unwrap();
        assert_eq!(feeds.len(), 2, "{feeds:?}");
        assert!(
            feeds[0]["calendar"].as_str().unwrap().starts_with("your own calendar") && feeds[0]["revoked"].is_string()
        );
        assert!(feeds[1]["calendar"] == "the network Network eas" && feeds[1]["revoked"].is_null(), "{feeds:?}");
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "no feed secret in the download");
        }
        // Onboarding: each step of the network's checklist, done, and when she ticked hers.
        let checklist = one("onboarding");
        assert_eq!(checklist["network"], "Network eas");
        let steps = checklist["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 2, "{steps:?}");
        assert_eq!(
            (&steps[0]["step"], &steps[0]["done"], &steps[0]["how"]),
            (&"Read the induction pack".into(), &true.into(), &"ticked by you".into())
        );
        assert!(steps[0]["ticked"].is_string());
        assert_eq!((&steps[1]["step"], &steps[1]["done"]), (&"Fill in your profile".into(), &true.into()));
        assert!(steps[1]["ticked"].is_null(), "an automatic step is not ticked");
        // Her photo, as the stored JPEG.
        let (stored, _) = roundtable_store::profiles::photo(db, ann_uid).await.unwrap().unwrap();
        assert_eq!(
            (&json["photo"]["content_type"], &json["photo"]["encoding"]),
            (&"image/jpeg".into(), &"base64".into())
        );
        assert_eq!(json["photo"]["data"], stored.as_str());
        let jpeg = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &stored).unwrap();
        assert_eq!(image::guess_format(&jpeg).unwrap(), image::ImageFormat::Jpeg);
        // The reset link (without its secret) and the mail to her old address.
        let link = one("links_sent_to_you");
        assert!(link["purpose"] == "reset" && link["used"].is_null(), "{link}");
        let mail = json["emails_to_you"].as_array().unwrap();
        let reset = mail
            .iter()
            .find(|m| m["to"] == "ann.old@example.org" && m["subject"].as_str().unwrap().contains("password"))
            .unwrap_or_else(|| panic!("{mail:?}"));
        // Its text, with the link's secret hidden: a download must not carry a live reset link.
        let text = reset["text"].as_str().unwrap();
        assert!(text.contains("/password/reset/(hidden)"), "{text}");
        assert_eq!(
            text.matches("/password/reset/").count(),
            text.matches("/password/reset/(hidden)").count(),
            "{text}"
        );
        assert_eq!(json["sign_in_addresses"][0]["address"], "127.0.0.1");
        assert_eq!(json["failed_sign_ins"].as_array().unwrap().len(), 1, "the one under her former address");
        assert_eq!(json["your_actions"], serde_json::json!([]), "Ann did nothing that is audited");
        let csv = ann.get(app.at("/account/export.csv")).send().await.unwrap().bytes().await.unwrap();
        assert!(csv.starts_with(b"\xEF\xBB\xBFfield,value\r\n"), "Excel-friendly CSV");
        let csv = String::from_utf8_lossy(&csv);
        for row in [
            "profile.job_title,Executive Assistant",
            "account.employee_id,EMP-ANN-1",
            "account.email_changes[2].from,ann.first@example.org",
            "buddies[1].buddy,Bo Buddy",
            "buddies[2].you_are,buddy",
            "charter_acceptances[1].version,1",
            "onboarding[1].steps[1].done,true",
            "event_rsvps[1].response,yes",
            "event_attendance[1].event,Lunch and learn",
            &format!("event_feedback[1].comment,{FEEDBACK}"),
            "events_hosted[1].event,Monthly meeting",
            "calendar_feeds[2].calendar,the network Network eas",
            // Text a spreadsheet could take for a number or a date is written to stay text.
            "sign_in_addresses[1].address,\"=\"\"127.0.0.1\"\"\"",
            &format!("photo,{}", roundtable_app::account::PHOTO_HELD),
        ] {
            assert!(csv.contains(&format!("{row}\r\n")), "{row} in:\n{csv}");
        }
        assert!(!csv.contains(&stored[..40]), "the photo itself is only in the JSON");
        // The organiser's own download lists what they did, in order, and what they made.
        let mine: serde_json::Value =
            admin.get(app.at("/account/export.json")).send().await.unwrap().json().await.unwrap();
        let actions: Vec<&str> =
            mine["your_actions"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
        assert_eq!(
            actions,
            [
                "organisation.created",
                "network.created",
                "event.created",
                "event.created",
                "event.attendance_marked",
                "event.host_confirmed",
                "onboarding.step_added",
                "onboarding.step_added",
                "charter.published",
                "onboarding.buddy_assigned",
                "onboarding.buddy_assigned",
                "onboarding.buddy_ended"
            ]
        );
        assert_eq!(mine["your_actions"][9]["subject"], "ann@example.org");
        assert_eq!(mine["your_actions"][9]["network"], "Network eas");
        assert_eq!(mine["your_actions"][4]["detail"], "ann.old@example.org", "the address she had then");
        assert_eq!(mine["events_created"].as_array().unwrap().len(), 2);
        assert_eq!(mine["charters_published"][0]["version"], 1);
        assert!(mine["account"]["employee_id"].is_null() && mine["buddies"] == serde_json::json!([]));
        assert!(mine["photo"].is_null());
        let csv = body(admin.get(app.at("/account/export.csv")).send().await.unwrap()).await;
        assert!(csv.contains("\r\nphoto,\r\n"), "no photo, no claim of one: {csv}");
        // Deactivating needs the password; then the account cannot sign in.
        let r =
            ann.post(app.at("/account/deactivate")).form(&[("confirm_password", "wrong one!")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let json: serde_json::Value =
            ann.get(app.at("/account/export.json")).send().await.unwrap().json().await.unwrap();
        assert_eq!(json["failed_password_confirmations"].as_array().unwrap().len(), 1, "held, so in her data");
        let r = ann
            .post(app.at("/account/deactivate"))
            .form(&[("confirm_password", support::PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers().get("location").unwrap(), "/sign-in?notice=deactivated");
        let r = app
            .client()
            .post(app.at("/sign-in"))
            .form(&[("email", "ann@example.org"), ("password", support::PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // Erasure removes personal data but keeps the anonymous membership row.
        let account_failures = || async {
            let keys = roundtable_store::login_failures::Keys {
                pair: "pair:ann@example.org 127.0.0.1",
                address: "address:127.0.0.1",
                account: "account:ann@example.org",
            };
            let since = chrono::Utc::now() - chrono::Duration::hours(1);
            roundtable_store::login_failures::counts_since(db, keys, since).await.unwrap()
        };
        assert_eq!(account_failures().await.account.count, 1, "the refused sign-in counts against her address");
        let r = admin
            .post(app.at(&format!("/admin/people/{ann_id}/erase")))
            .form(&[("confirm", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "needs the typed confirmation");
        // The People list again with her erase form open and the reason by its box (it was a
        // bare error page: the list, and the admin's place in it, lost).
        let page = body(r).await;
        assert!(page.contains(r#"<details open><summary>Erase<span class="visually-hidden"> Ann"#), "{page}");
        assert!(
            page.contains(
                r#"id="f-erase-error">To erase this person, type ERASE in the box. Nothing was changed.</p>"#
            ) && page.contains(r#"aria-describedby="f-erase-error""#),
            "{page}"
        );
        assert!(users::by_email(&app.state.db, "ann@example.org").await.unwrap().is_some(), "nothing changed");
        let r = admin
            .post(app.at(&format!("/admin/people/{ann_id}/erase")))
            .form(&[("confirm", "ERASE")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(users::by_email(&app.state.db, "ann@example.org").await.unwrap().is_none());
        let id = roundtable_domain::UserId::parse(&ann_id).unwrap();
        let u = users::by_id(&app.state.db, id).await.unwrap().unwrap();
        assert_eq!(u.name, "Former member");
        assert!(
            roundtable_store::profiles::get(&app.state.db, id).await.unwrap().is_none(),
            "no profile for an erased (deactivated) person"
        );
        let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
        assert!(
            networks::membership(&app.state.db, n.id, id).await.unwrap().is_some(),
            "the anonymous membership stays for the figures"
        );
        // The audit log no longer names her by any address she had, nor by her employee id; the
        // entries of her address changes keep only who did what and when.
        let log = body(admin.get(app.at("/admin/audit")).send().await.unwrap()).await;
        let (entries, _) = roundtable_store::audit::page(db, 1000, 0).await.unwrap();
        for gone in ["ann@example.org", "ann.old@example.org", "ann.first@example.org", "EMP-ANN-1"] {
            assert!(!log.contains(gone), "the audit page shows {gone}");
            for e in &entries {
                assert!(!format!("{} {} {}", e.actor_name, e.subject, e.detail).contains(gone), "{e:?}");
            }
        }
        // Nor are her wrong password confirmations kept.
        let confirmations = "SELECT COUNT(*) FROM login_failures WHERE key LIKE $1";
        let left = db.read(confirmations, roundtable_store::params![format!("confirm:{id}%")]).await.unwrap();
        assert_eq!(left[0].int(0).unwrap(), 0);
        let changed: Vec<_> = entries.iter().filter(|e| e.action == "person.email_changed").collect();
        assert_eq!(changed.len(), 2);
        assert!(changed.iter().all(|e| e.subject == "a former member" && e.detail == "details erased with the person"));
        let marked = entries.iter().find(|e| e.action == "event.attendance_marked").unwrap();
        assert_eq!(marked.detail, "a former member");
        // Nor do the minutes; other people's names stay.
        let past_start = DateTime::from_timestamp_micros(past_at.parse().unwrap()).unwrap();
        let notes = events::notes(db, past.parse().unwrap(), past_start).await.unwrap();
        assert_eq!(
            (notes.minutes.as_str(), notes.summary.as_str()),
            (
                "a former member presented the travel policy (questions to a former member). Joann Assistantson asked about trains.",
                "Thanks to a former member."
            )
        );
        // No mail or link to any of her addresses is kept.
        let (outbox, _) = roundtable_store::outbox::page(db, 1000, 0).await.unwrap();
        assert!(
            !outbox.iter().any(|m| m.to.starts_with("ann")),
            "{:?}",
            outbox.iter().map(|m| &m.to).collect::<Vec<_>>()
        );
        assert!(
            roundtable_store::links::for_person(
                db,
                id,
                &[roundtable_store::audit::Held { address: "ann.old@example.org".into(), from: None, until: None }]
            )
            .await
            .unwrap()
            .is_empty()
        );
        // Figures stay: her rating (without its words), her attendance, tick and acceptance,
        // tied to the anonymous account; her calendar feeds are gone, and so is her answer to
        // a date to come (her place goes down the waiting list, by a job).
        let (past_id, past_start) =
            (past.parse().unwrap(), DateTime::from_timestamp_micros(past_at.parse().unwrap()).unwrap());
        assert_eq!(events::feedback(db, past_id, past_start).await.unwrap(), [(5, String::new())]);
        // (Kept for the figures, though the event page no longer names anyone deactivated.)
        assert_eq!(events::history_of(db, id).await.unwrap().len(), 1);
        assert!(events::attended(db, past_id, past_start).await.unwrap().is_empty());
        app.jobs_done().await;
        assert_eq!(events::rsvps_of(db, id).await.unwrap().len(), 0);
        assert_eq!(roundtable_store::onboarding::ticked_by(db, id).await.unwrap().len(), 1);
        assert_eq!(roundtable_store::charters::accepted_by(db, id).await.unwrap().len(), 1);
        assert!(events::all_feeds_of(db, id).await.unwrap().is_empty());
        assert!(roundtable_store::profiles::photo(db, id).await.unwrap().is_none());
        // Nor does anything kept for the sign-in limits, and she is nobody's buddy any more.
        assert!(roundtable_store::login_failures::addresses_for_user(db, id).await.unwrap().is_empty());
        let failures = account_failures().await;
        assert_eq!((failures.account.count, failures.pair.count), (0, 0));
        // Both refused sign-ins came from this machine's address: its count is not hers to erase.
        assert_eq!(failures.address.count, 2, "the address's own count is not hers to erase");
        let bo = roundtable_domain::UserId::parse(&bo_id).unwrap();
        let pairings = roundtable_store::buddies::history_of(db, bo).await.unwrap();
        assert!(pairings.len() == 1 && pairings[0].ended_at.is_some(), "the pairing ended, the row stays");
        // Her employee id is gone, and free for someone new (not her account found again).
        assert!(roundtable_store::import::by_employee_id(db, "EMP-ANN-1").await.unwrap().is_none());
        let (_, _, r) = roundtable_app::import::console::import(
            db,
            b"email,name,employee_id\r\nann.new@example.org,Ann New,EMP-ANN-1\r\n",
            "hr.csv",
            None,
            &Default::default(),
            &|_, _, _| {},
        )
        .await
        .unwrap();
        assert_eq!((r.created, r.updated, r.errors.len()), (1, 0, 0), "{:?}", r.errors);
        let new = users::by_email(db, "ann.new@example.org").await.unwrap().unwrap();
        assert_ne!(new.id, id);
        assert_eq!(roundtable_store::import::by_employee_id(db, "EMP-ANN-1").await.unwrap(), Some(new.id));
        assert_eq!(users::by_id(db, id).await.unwrap().unwrap().name, "Former member", "the erased account stays so");
    }
}

mod photos {
    use super::*;

    both!(
        a_photo_is_checked_by_content_resized_and_shown_to_its_audience_only,
        the_api_sets_shows_and_removes_my_photo,
    );

    /// Ann and Bea, members of "eas", and Cal, who is in no network: signed in.
    async fn ann_bea_and_cal(d: Dialect) -> (TestApp, reqwest::Client, reqwest::Client, reqwest::Client) {
        let (app, _, ann, bea) = ann_and_bea_in_eas(d).await;
        let cal = app.user("cal@example.org", "Cal Outsider").await;
        (app, ann, bea, cal)
    }

    /// `PUT/DELETE /api/v1/me/photo` and `GET /api/v1/people/{id}/photo`: the file itself as the
    /// body, checked by content and size (a refusal keeps the photo there was), and shown to the
    /// photo's audience only.
    async fn the_api_sets_shows_and_removes_my_photo(d: Dialect) {
        let (app, ann, bea, cal) = ann_bea_and_cal(d).await;
        let (ann, bea, cal) = (app.api_token(&ann).await, app.api_token(&bea).await, app.api_token(&cal).await);
        let api = reqwest::Client::new();
        let put = |bytes: Vec<u8>| api.put(app.at("/api/v1/me/photo")).bearer_auth(&ann).body(bytes).send();
        let photo = app.at(&format!("/api/v1/people/{}/photo", id_of(&app, "ann@example.org").await));
        let r = put(png()).await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = api.get(&photo).bearer_auth(&bea).send().await.unwrap();
        assert_eq!((r.status(), r.headers()["content-type"].to_str().unwrap()), (StatusCode::OK, "image/jpeg"));
        let img = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
        assert_eq!((img.width(), img.height()), (256, 256));
        // Not a photo, or too big: refused in words, and the photo stays as it was.
        let r = put(b"<html><script>x</script></html>".to_vec()).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("not a photo we can read"));
        // The server answers from the announced length before reading the body (a client still
        // sending would see its connection closed), so only the head is sent.
        let answer = answer_to_head(
            &app,
            &format!(
                "PUT /api/v1/me/photo HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {ann}\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                16 * 1024 * 1024
            ),
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(
            answer.contains("application/problem+json") && answer.contains("The photo is larger than 15 MB"),
            "{answer}"
        );
        // Past even the router's limit for any request: the photo's limit still, in words.
        let head = format!(
            "PUT /api/v1/me/photo HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {ann}\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            40 * 1024 * 1024
        );
        let answer = answer_to_head(&app, &head).await;
        assert!(answer.starts_with("HTTP/1.1 413") && answer.contains("The photo is larger than 15 MB"), "{answer}");
        assert_eq!(api.get(&photo).bearer_auth(&bea).send().await.unwrap().status(), StatusCode::OK, "still there");
        // Its audience is "my networks": an outsider gets nothing.
        assert_eq!(api.get(&photo).bearer_auth(&cal).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        let r = api.delete(app.at("/api/v1/me/photo")).bearer_auth(&ann).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(api.get(&photo).bearer_auth(&bea).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    }

    /// Sends a request's head alone and reads the whole answer: for a body the server refuses
    /// from its announced length before reading it (a client still sending it would see its
    /// connection closed, and might not read the answer).
    async fn answer_to_head(app: &TestApp, head: &str) -> String {
        let mut tcp = tokio::net::TcpStream::connect(app.url.trim_start_matches("http://")).await.unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut tcp, head.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        let read = tokio::io::AsyncReadExt::read_to_end(&mut tcp, &mut answer);
        tokio::time::timeout(std::time::Duration::from_secs(10), read).await.expect("answered").unwrap();
        String::from_utf8_lossy(&answer).into_owned()
    }

    pub(super) fn png() -> Vec<u8> {
        let img = image::RgbImage::from_pixel(800, 600, image::Rgb([20, 120, 200]));
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    /// A photo alone, as a form (the profile's other fields stay as they are).
    pub(super) async fn upload(app: &TestApp, c: &reqwest::Client, bytes: Vec<u8>, name: &str) -> reqwest::Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        c.post(app.at("/profile")).multipart(reqwest::multipart::Form::new().part("photo", part)).send().await.unwrap()
    }

    async fn a_photo_is_checked_by_content_resized_and_shown_to_its_audience_only(d: Dialect) {
        let (app, ann, bea, cal) = ann_bea_and_cal(d).await;
        // A web page renamed to .jpg is refused by its content, and nothing is stored.
        let r = upload(&app, &ann, b"<html><script>x</script></html>".to_vec(), "me.jpg").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = body(r).await;
        // The form around it shows what is stored, not empty fields.
        assert!(page.contains("not a photo we can read") && page.contains(r#"value="Ann Assistant""#), "{page}");
        // A chosen file with nothing in it is refused, not taken for "no photo chosen".
        let r = upload(&app, &ann, Vec::new(), "me.jpg").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body(r).await.contains("The file you chose is empty (0 bytes)"));
        let ann_id = users::by_email(&app.state.db, "ann@example.org").await.unwrap().unwrap().id;
        let job_title = || async {
            roundtable_store::profiles::get(&app.state.db, ann_id)
                .await
                .unwrap()
                .map(|p| p.job_title)
                .unwrap_or_default()
        };
        // The page sends the photo with the rest of the profile: a refused photo saves nothing of
        // the form, a good one is saved with it.
        let whole_form = |photo: Vec<u8>| {
            let part = reqwest::multipart::Part::bytes(photo).file_name("me.png");
            let form = reqwest::multipart::Form::new().text("job_title", "Office Manager").part("photo", part);
            ann.post(app.at("/profile")).multipart(form).send()
        };
        let r = whole_form(b"not a picture".to_vec()).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = body(r).await;
        assert!(page.contains("not a photo we can read") && page.contains(r#"value="Office Manager""#), "{page}");
        assert_eq!(job_title().await, "", "nothing saved");
        // A good photo with a bad field: the page says the photo must be chosen again (a
        // browser cannot be handed the file back), and stores nothing.
        let part = reqwest::multipart::Part::bytes(png()).file_name("me.png");
        let form = reqwest::multipart::Form::new().text("years_experience", "lots").part("photo", part);
        let r = ann.post(app.at("/profile")).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = body(r).await;
        assert!(page.contains("Your photo was not saved because of the problems above"), "{page}");
        assert!(!roundtable_store::profiles::has_photo(&app.state.db, ann_id).await.unwrap());
        // A phone camera's original (over the 5 MB once taken) is welcome: made into a thumbnail like any photo.
        let camera = {
            let mut pixels = image::RgbImage::new(1800, 1350);
            let mut seed = 7u32;
            for p in pixels.pixels_mut() {
                // Noise does not compress: a JPEG of camera-original size.
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                *p = image::Rgb([(seed >> 8) as u8, (seed >> 16) as u8, (seed >> 24) as u8]);
            }
            let mut out = Vec::new();
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 100);
            image::DynamicImage::ImageRgb8(pixels).write_with_encoder(encoder).unwrap();
            out
        };
        assert!(camera.len() > 5 * 1024 * 1024, "{} bytes", camera.len());
        let r = upload(&app, &ann, camera, "IMG_0001.jpg").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(roundtable_store::profiles::has_photo(&app.state.db, ann_id).await.unwrap());
        let r = ann.post(app.at("/profile/photo/remove")).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/profile?notice=photo-removed");
        // Over the 15 MB a photo may be (though under the 16 MB request limit): said by the
        // photo field of the form, nothing stored.
        let big_photo = || {
            let mut big = vec![0u8; 15 * 1024 * 1024 + 1];
            big[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n");
            big
        };
        let r = upload(&app, &ann, big_photo(), "camera.png").await;
        let status = r.status();
        let page = body(r).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(
            page.contains("The photo is larger than 15 MB. Choose a smaller one.")
                && page.contains("id=\"f-photo-error\""),
            "{page}"
        );
        assert!(page.contains(r#"value="Ann Assistant""#), "the form around it: {page}");
        assert!(!roundtable_store::profiles::has_photo(&app.state.db, ann_id).await.unwrap());
        // Sent with the form (the page puts the photo last), what was typed comes back with it.
        let r = whole_form(big_photo()).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = body(r).await;
        assert!(page.contains("larger than 15 MB") && page.contains(r#"value="Office Manager""#), "{page}");
        assert_eq!(job_title().await, "", "nothing saved");
        // A file over the server's 16 MB request limit gets the error page, not a bare line of
        // text, in the profile page's words (its limit, nothing saved).
        let head = "POST /profile HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 17825792\r\nConnection: close\r\n\r\n";
        let answer = answer_to_head(&app, head).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(
            answer.contains("The photo is larger than 15 MB.")
                && answer.contains("Nothing on your profile was saved")
                && answer.contains("<h1>"),
            "{answer}"
        );
        assert!(answer.to_lowercase().contains("content-security-policy:"), "security headers too: {answer}");
        let id = id_of(&app, "ann@example.org").await;
        assert!(
            roundtable_store::profiles::photo(&app.state.db, roundtable_domain::UserId::parse(&id).unwrap())
                .await
                .unwrap()
                .is_none()
        );
        let r = whole_form(png()).await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(job_title().await, "Office Manager", "the form and its photo are saved together");
        let photo_url = app.at(&format!("/people/{id}/photo.jpg"));
        let r = bea.get(&photo_url).send().await.unwrap();
        assert_eq!(r.headers().get("content-type").unwrap(), "image/jpeg");
        let img = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
        assert_eq!((img.width(), img.height()), (256, 256), "a square thumbnail");
        // The profile page names the photo by when it changed: a new photo is not the cached old one.
        let profile = body(bea.get(app.at(&format!("/people/{id}"))).send().await.unwrap()).await;
        assert!(profile.contains("Photo of Ann Assistant") && profile.contains(&format!("/people/{id}/photo.jpg?v=")));
        // So do the directory's cards; a new photo is a new address on both.
        let version = |page: &str| {
            let after = page.split(&format!("/people/{id}/photo.jpg?v=")).nth(1).unwrap_or_else(|| panic!("{page}"));
            after.split('"').next().unwrap().to_owned()
        };
        let card = || async { body(bea.get(app.at("/people?q=ann")).send().await.unwrap()).await };
        let first = version(&profile);
        assert_eq!(version(&card().await), first);
        assert_eq!(upload(&app, &ann, png(), "again.png").await.status(), StatusCode::SEE_OTHER);
        let profile = body(bea.get(app.at(&format!("/people/{id}"))).send().await.unwrap()).await;
        assert_ne!(version(&profile), first);
        assert_eq!(version(&card().await), version(&profile));
        // The photo's default audience is "my networks": an outsider gets nothing.
        assert_eq!(cal.get(&photo_url).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        assert!(!body(cal.get(app.at(&format!("/people/{id}"))).send().await.unwrap()).await.contains("Photo of"));
        // The API's directory says whose photo the caller may fetch, and only theirs.
        let has_photo = |c: reqwest::Client| {
            let app = &app;
            async move {
                let page = support::api_get(app.at("/api/v1/people?q=ann"), &app.api_token(&c).await).await;
                page["people"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p["name"] == "Ann Assistant")
                    .map(|p| p["has_photo"].clone())
            }
        };
        assert_eq!(has_photo(bea.clone()).await, Some(serde_json::json!(true)));
        assert_eq!(has_photo(cal.clone()).await, Some(serde_json::json!(false)));
        ann.post(app.at("/profile/photo/remove")).send().await.unwrap();
        assert_eq!(bea.get(&photo_url).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    }
}

/// `GET/PUT /api/v1/me/profile`: what the edit form does, as JSON — the whole profile with an
/// audience per field (one left out keeps the stored one); the directory honours the audiences;
/// bad input is a 422 naming the field and changes nothing.
async fn the_api_edits_my_profile_with_its_audiences_and_refuses_bad_input_changing_nothing(d: Dialect) {
    let (app, _, ann, bea) = ann_and_bea_in_eas(d).await;
    let outsider = app.user("out@example.org", "Olu Outsider").await;
    let token = app.api_token(&ann).await;
    let me = app.at("/api/v1/me/profile");
    let mut profile = support::api_get(&me, &token).await;
    assert_eq!(profile["name"], "Ann Assistant");
    assert_eq!(profile["audiences"]["skills"], "network", "each field starts with its default audience");

    profile["job_title"] = "Executive Assistant".into();
    profile["location"] = "Leeds".into();
    profile["time_zone"] = "Europe/London".into();
    profile["skills"] = serde_json::json!(["Minute taking", "Diary management"]);
    profile["bio"] = "I **run** the board pack.<script>alert(1)</script>".into();
    profile["languages"] = serde_json::json!(["French"]);
    profile["audiences"]["languages"] = "organisers".into();
    let (status, saved) = api_send(reqwest::Method::PUT, me.clone(), &token, &profile).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["skills"], serde_json::json!(["Diary management", "Minute taking"]));
    assert_eq!(saved["audiences"]["languages"], "organisers");
    assert_eq!(saved["job_title"], "Executive Assistant");

    // Bea shares the network and sees the skills; an outsider does not, nor finds Ann by them.
    let ann_id = users::by_email(&app.state.db, "ann@example.org").await.unwrap().unwrap().id;
    let seen_by = |c: reqwest::Client| {
        let (app, url) = (&app, app.at(&format!("/api/v1/people/{ann_id}")));
        async move { support::api_get(url, &app.api_token(&c).await).await }
    };
    let by_bea = seen_by(bea).await;
    assert_eq!(by_bea["skills"], serde_json::json!(["Diary management", "Minute taking"]));
    assert!(by_bea["bio_html"].as_str().unwrap().contains("<strong>run</strong>"));
    assert!(!by_bea["bio_html"].as_str().unwrap().contains("<script"), "the bio is sanitised");
    assert!(by_bea["languages"].is_null(), "languages are for organisers only: {by_bea}");
    let outsider_token = app.api_token(&outsider).await;
    let by_outsider = support::api_get(app.at(&format!("/api/v1/people/{ann_id}")), &outsider_token).await;
    assert!(by_outsider["skills"].is_null(), "{by_outsider}");
    assert!(api_names(&app, &outsider_token, &[("q", "minute")]).await.is_empty());
    // A client that sends no audiences (it changes the bio only) shows nothing to more people.
    let mut bio_only = saved.clone();
    bio_only.as_object_mut().unwrap().remove("audiences");
    bio_only["bio"] = "New bio.".into();
    let (status, after) = api_send(reqwest::Method::PUT, me.clone(), &token, &bio_only).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!((after["bio"].as_str(), &after["audiences"]), (Some("New bio."), &saved["audiences"]), "{after}");
    let (status, saved) = api_send(reqwest::Method::PUT, me.clone(), &token, &saved).await;
    assert_eq!(status, StatusCode::OK, "{saved}");

    // Bad input: each problem named, nothing changed.
    for (field, value, problem) in [
        ("time_zone", serde_json::json!("Mars/Olympus"), "time_zone"),
        ("audiences", serde_json::json!({"skills": "everyone"}), r#""field":"audiences""#),
        ("audiences", serde_json::json!({"salary": "network"}), "audiences"),
        ("name", serde_json::json!("   "), "name"),
        // A misspelt key would otherwise leave `skills` out, which empties them.
        ("skill", serde_json::json!(["Excel"]), "unknown field `skill`"),
    ] {
        let mut bad = saved.clone();
        bad["job_title"] = "Changed".into();
        bad[field] = value;
        let (status, problem_doc) = api_send(reqwest::Method::PUT, me.clone(), &token, &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {problem_doc}");
        assert!(problem_doc.to_string().contains(problem), "{field}: {problem_doc}");
        assert_eq!(support::api_get(&me, &token).await, saved, "{field}: nothing changed");
    }
    // Only some fields (a script changing the pronouns): refused, the first missing one named,
    // rather than emptying the rest.
    let (status, problem_doc) =
        api_send(reqwest::Method::PUT, me.clone(), &token, &serde_json::json!({"pronouns": "she/her"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem_doc}");
    assert!(
        problem_doc["errors"][0]["field"].is_string() && problem_doc.to_string().contains("missing field"),
        "{problem_doc}"
    );
    assert_eq!(support::api_get(&me, &token).await, saved, "nothing changed");
    let r = reqwest::Client::new().put(&me).bearer_auth(&token).header("content-type", "application/json");
    let r = r.body("{not json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(support::api_get(&me, &token).await, saved);
}

/// The charter, "download my data" and "people like you" in `/api/v1`.
async fn the_api_reads_and_accepts_the_charter_and_gives_my_data_and_people_like_me(d: Dialect) {
    let (app, admin, ann, bea) = ann_and_bea_in_eas(d).await;
    let token = app.api_token(&ann).await;
    let charter = app.at("/api/v1/networks/eas/charter");
    let r = reqwest::Client::new().get(&charter).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "no charter yet");
    let r = admin.post(app.at("/n/eas/charter")).form(&[("body", "Be *kind*.")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let c = support::api_get(&charter, &token).await;
    assert_eq!((c["version"].as_i64(), c["body"].as_str()), (Some(1), Some("Be *kind*.")));
    assert!(c["html"].as_str().unwrap().contains("<em>kind</em>") && c["accepted_version"].is_null(), "{c}");
    // Until Ann accepts, the network's member list is closed to her.
    let r = reqwest::Client::new().get(app.at("/api/v1/networks/eas/members")).bearer_auth(&token).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::CONFLICT);
    let accept = format!("{charter}/acceptance");
    let (status, problem) =
        api_send(reqwest::Method::POST, accept.clone(), &token, &serde_json::json!({"version": 2})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "only the current version: {problem}");
    assert_eq!(problem["errors"][0]["field"], "version", "named as the request names it: {problem}");
    assert!(support::api_get(&charter, &token).await["accepted_version"].is_null());
    let r = reqwest::Client::new().post(&accept).bearer_auth(&token).json(&serde_json::json!({"version": 1})).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(support::api_get(&charter, &token).await["accepted_version"], 1);
    let r = reqwest::Client::new().get(app.at("/api/v1/networks/eas/members")).bearer_auth(&token).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::OK);

    // People like Ann: Bea, who shares a rare skill.
    for who in [&ann, &bea] {
        let form = [("job_title", "Assistant"), ("skills", "Origami"), ("time_zone", "UTC")];
        let r = who.post(app.at("/profile")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let like = support::api_get(app.at("/api/v1/people/like-me"), &token).await;
    let first = &like.as_array().unwrap()[0];
    assert_eq!(first["person"]["name"], "Bea Peer", "{like}");
    assert!(first["reasons"].to_string().contains("Origami"), "{like}");

    let data = support::api_get(app.at("/api/v1/me/data"), &token).await;
    assert!(data.to_string().contains("ann@example.org") && data.to_string().contains("Origami"), "{data}");
    let r = reqwest::Client::new().get(app.at("/api/v1/me/data")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

/// `GET /api/v1/people/{id}` shows what the profile page shows: the manager and the executives
/// supported, by name, and whether there is a photo the caller may see — each only for the
/// audience its owner chose, else null (and `has_photo` false), as on the page.
async fn the_api_profile_names_the_manager_and_supported_people_and_the_photo_for_their_audience_only(d: Dialect) {
    let (app, _, ann, bea) = ann_and_bea_in_eas(d).await;
    let cal = app.user("cal@example.org", "Cal Outsider").await;
    app.user("max@example.org", "Max Manager").await;
    app.user("eve@example.org", "Eve Executive").await;
    let (max_id, eve_id, ann_id) = (
        id_of(&app, "max@example.org").await,
        id_of(&app, "eve@example.org").await,
        id_of(&app, "ann@example.org").await,
    );
    let token = app.api_token(&ann).await;
    let me = app.at("/api/v1/me/profile");
    let mut profile = support::api_get(&me, &token).await;
    profile["manager_email"] = "max@example.org".into();
    profile["supports_emails"] = serde_json::json!(["eve@example.org"]);
    // Her manager for everyone; whom she supports, and her photo, for her networks only.
    profile["audiences"]["manager"] = "organisation".into();
    profile["audiences"]["supports"] = "network".into();
    profile["audiences"]["photo"] = "network".into();
    let (status, saved) = api_send(reqwest::Method::PUT, me, &token, &profile).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let url = app.at(&format!("/api/v1/people/{ann_id}"));
    let (bea, cal) = (app.api_token(&bea).await, app.api_token(&cal).await);

    let by_bea = support::api_get(&url, &bea).await;
    assert_eq!(by_bea["has_photo"], false, "no photo yet: {by_bea}");
    let r = reqwest::Client::new().put(app.at("/api/v1/me/photo")).bearer_auth(&token).body(photos::png()).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::NO_CONTENT);

    // Bea shares the network: she sees all three, as Ann's profile page shows them to her.
    let by_bea = support::api_get(&url, &bea).await;
    assert_eq!(by_bea["manager"], serde_json::json!({"id": max_id, "name": "Max Manager"}), "{by_bea}");
    assert_eq!(by_bea["manager_id"], max_id.as_str(), "the id field stays for older clients");
    assert_eq!(by_bea["supports_people"], serde_json::json!([{"id": eve_id, "name": "Eve Executive"}]));
    assert_eq!(by_bea["supports"], serde_json::json!([eve_id]), "the id list stays for older clients");
    assert_eq!(by_bea["has_photo"], true, "{by_bea}");
    let page =
        body(app.sign_in("bea@example.org").await.get(app.at(&format!("/people/{ann_id}"))).send().await.unwrap())
            .await;
    assert!(page.contains("Max Manager") && page.contains("Eve Executive"), "the page agrees: {page}");
    let photo = app.at(&format!("/api/v1/people/{ann_id}/photo"));
    let r = reqwest::Client::new().get(&photo).bearer_auth(&bea).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "has_photo says the photo is hers to see");

    // Cal is in none of Ann's networks: the manager (everyone's) yes; whom she supports and
    // her photo, no — null and false, not an empty list she could take for "supports nobody".
    let by_cal = support::api_get(&url, &cal).await;
    assert_eq!(by_cal["manager"], serde_json::json!({"id": max_id, "name": "Max Manager"}), "{by_cal}");
    assert!(by_cal["supports_people"].is_null() && by_cal["supports"].is_null(), "{by_cal}");
    assert_eq!(by_cal["has_photo"], false, "{by_cal}");
    let page =
        body(app.sign_in("cal@example.org").await.get(app.at(&format!("/people/{ann_id}"))).send().await.unwrap())
            .await;
    assert!(page.contains("Max Manager") && !page.contains("Eve Executive"), "the page agrees: {page}");
    let r = reqwest::Client::new().get(&photo).bearer_auth(&cal).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "nor can he fetch the photo");

    // Seen from above: Max's profile lists Ann among his reports, Eve's among those supporting
    // her — each link only as far as Ann's own audience for it goes.
    let ann_named = serde_json::json!([{"id": ann_id, "name": "Ann Assistant"}]);
    let (max_url, eve_url) = (app.at(&format!("/api/v1/people/{max_id}")), app.at(&format!("/api/v1/people/{eve_id}")));
    assert_eq!(support::api_get(&max_url, &cal).await["reports"], ann_named);
    assert_eq!(support::api_get(&eve_url, &bea).await["supported_by"], ann_named);
    assert_eq!(support::api_get(&eve_url, &cal).await["supported_by"], serde_json::json!([]), "Ann's networks only");
    let page =
        body(app.sign_in("bea@example.org").await.get(app.at(&format!("/people/{eve_id}"))).send().await.unwrap())
            .await;
    assert!(page.contains("<dt>Supported by</dt>") && page.contains("Ann Assistant"), "{page}");

    // Hidden from everyone but organisers: the manager goes too, and so does its id.
    let mut profile = support::api_get(app.at("/api/v1/me/profile"), &token).await;
    profile["audiences"]["manager"] = "organisers".into();
    let (status, _) = api_send(reqwest::Method::PUT, app.at("/api/v1/me/profile"), &token, &profile).await;
    assert_eq!(status, StatusCode::OK);
    for viewer in [&bea, &cal] {
        let seen = support::api_get(&url, viewer).await;
        assert!(seen["manager"].is_null() && seen["manager_id"].is_null(), "{seen}");
        assert_eq!(support::api_get(&max_url, viewer).await["reports"], serde_json::json!([]), "nor from above");
    }
}
