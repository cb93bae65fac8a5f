//! Profiles, field privacy across networks, the directory with facets, and "people like me" —
//! on SQLite and PostgreSQL, over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use roundtable_domain::{MembershipStatus, Role};
use roundtable_store::{Dialect, networks, users};
use support::TestApp;

both!(
    each_field_is_seen_only_by_its_chosen_audience,
    search_and_facets_never_reveal_hidden_fields,
    people_like_me_shows_the_shared_threads,
    bad_profile_input_is_refused_field_by_field_and_changes_nothing,
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
    assert!(in_eas.contains("People in Network eas") && in_eas.contains("2 people"), "{in_eas}");
    // The API applies the same rules.
    let api = reqwest::Client::new();
    let (bea_token, cal_token) = (app.api_token(&bea).await, app.api_token(&cal).await);
    let found: serde_json::Value =
        api.get(app.at("/api/v1/people?q=excel")).bearer_auth(&bea_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(found["total"], 1);
    let none: serde_json::Value =
        api.get(app.at("/api/v1/people?q=excel")).bearer_auth(&cal_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(none["total"], 0);
    let ann_id = id_of(&app, "ann@example.org").await;
    let p: serde_json::Value = api
        .get(app.at(&format!("/api/v1/people/{ann_id}")))
        .bearer_auth(&bea_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["skills"][0], "Diary management");
    assert!(p["level"].is_null(), "organisers-only field hidden from a peer: {p}");
    let p: serde_json::Value = api
        .get(app.at(&format!("/api/v1/people/{ann_id}")))
        .bearer_auth(&cal_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(p["skills"].is_null() && p["languages"][0] == "French", "{p}");
}

async fn people_like_me_shows_the_shared_threads(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let ann = app.user("ann@example.org", "Ann Assistant").await;
    let bea = app.user("bea@example.org", "Bea Peer").await;
    join(&app, "eas", "ann@example.org", Role::Member).await;
    join(&app, "eas", "bea@example.org", Role::Member).await;
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
        "under 40 characters",
        "Choose who can see",
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
}

mod privacy_rights {
    use super::*;

    both!(a_person_downloads_their_data_and_deactivates_and_an_admin_erases);

    async fn a_person_downloads_their_data_and_deactivates_and_an_admin_erases(d: Dialect) {
        let app = TestApp::spawn(d).await;
        let admin = app.setup().await;
        app.network(&admin, "eas", "open").await;
        let ann = app.user("ann@example.org", "Ann Assistant").await;
        join(&app, "eas", "ann@example.org", Role::Member).await;
        ann_profile(&app, &ann).await;
        let db = &app.state.db;
        // HR's employee id, and a buddy on each side: Bo looks after Ann; Ann looked after Cy
        // until the pairing ended.
        let (_, _, r) = roundtable_app::import::console::import(
            db,
            b"email,employee_id\r\nann@example.org,EMP-ANN-1\r\n",
            "hr.csv",
            &Default::default(),
            &|_, _, _| {},
        )
        .await
        .unwrap();
        assert_eq!((r.updated, r.errors.len()), (1, 0), "{:?}", r.errors);
        for (email, name) in [("bo@example.org", "Bo Buddy"), ("cy@example.org", "Cy Newer")] {
            roundtable_app::admin::console::create_user(db, email, name, support::PASSWORD, false).await.unwrap();
            join(&app, "eas", email, Role::Member).await;
        }
        let (ann_id, bo_id, cy_id) = (
            id_of(&app, "ann@example.org").await,
            id_of(&app, "bo@example.org").await,
            id_of(&app, "cy@example.org").await,
        );
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

        let json: serde_json::Value =
            ann.get(app.at("/account/export.json")).send().await.unwrap().json().await.unwrap();
        assert_eq!(json["account"]["email"], "ann@example.org");
        assert_eq!(json["account"]["employee_id"], "EMP-ANN-1", "her own HR key, which only admins see elsewhere");
        assert_eq!(json["profile"]["level"], "Senior");
        assert_eq!(json["memberships"][0]["network"], "Network eas");
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
        assert_eq!(json["sign_in_addresses"][0]["address"], "127.0.0.1");
        assert_eq!(json["your_actions"], serde_json::json!([]), "Ann did nothing that is audited");
        let csv = ann.get(app.at("/account/export.csv")).send().await.unwrap().bytes().await.unwrap();
        assert!(csv.starts_with(b"\xEF\xBB\xBFfield,value\r\n"), "Excel-friendly CSV");
        let csv = String::from_utf8_lossy(&csv);
        for row in [
            "profile.job_title,Executive Assistant",
            "account.employee_id,EMP-ANN-1",
            "buddies[1].buddy,Bo Buddy",
            "buddies[2].you_are,buddy",
            "sign_in_addresses[1].address,127.0.0.1",
        ] {
            assert!(csv.contains(&format!("{row}\r\n")), "{row} in:\n{csv}");
        }
        // The organiser's own download lists what they did, in order.
        let mine: serde_json::Value =
            admin.get(app.at("/account/export.json")).send().await.unwrap().json().await.unwrap();
        let actions: Vec<&str> =
            mine["your_actions"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
        assert_eq!(
            actions,
            [
                "organisation.created",
                "network.created",
                "onboarding.buddy_assigned",
                "onboarding.buddy_assigned",
                "onboarding.buddy_ended"
            ]
        );
        assert_eq!(mine["your_actions"][2]["subject"], "ann@example.org");
        assert_eq!(mine["your_actions"][2]["network"], "Network eas");
        assert!(mine["account"]["employee_id"].is_null() && mine["buddies"] == serde_json::json!([]));
        // Deactivating needs the password; then the account cannot sign in.
        let r =
            ann.post(app.at("/account/deactivate")).form(&[("confirm_password", "wrong one!")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
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
        let log = body(admin.get(app.at("/admin/audit")).send().await.unwrap()).await;
        assert!(!log.contains("ann@example.org"), "the audit log no longer names her");
        // Nor does anything kept for the sign-in limits, and she is nobody's buddy any more.
        assert!(roundtable_store::login_failures::addresses_for_user(db, id).await.unwrap().is_empty());
        let failures = account_failures().await;
        assert_eq!((failures.account.count, failures.pair.count), (0, 0));
        assert_eq!(failures.address.count, 1, "the address's own count is not hers to erase");
        let bo = roundtable_domain::UserId::parse(&bo_id).unwrap();
        let pairings = roundtable_store::buddies::history_of(db, bo).await.unwrap();
        assert!(pairings.len() == 1 && pairings[0].ended_at.is_some(), "the pairing ended, the row stays");
        // Her employee id is gone, and free for someone new (not her account found again).
        assert!(roundtable_store::import::by_employee_id(db, "EMP-ANN-1").await.unwrap().is_none());
        let (_, _, r) = roundtable_app::import::console::import(
            db,
            b"email,name,employee_id\r\nann.new@example.org,Ann New,EMP-ANN-1\r\n",
            "hr.csv",
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

    both!(a_photo_is_checked_by_content_resized_and_shown_to_its_audience_only);

    fn png() -> Vec<u8> {
        let img = image::RgbImage::from_pixel(800, 600, image::Rgb([20, 120, 200]));
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    async fn upload(app: &TestApp, c: &reqwest::Client, bytes: Vec<u8>, name: &str) -> reqwest::Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        c.post(app.at("/profile/photo"))
            .multipart(reqwest::multipart::Form::new().part("photo", part))
            .send()
            .await
            .unwrap()
    }

    async fn a_photo_is_checked_by_content_resized_and_shown_to_its_audience_only(d: Dialect) {
        let app = TestApp::spawn(d).await;
        let admin = app.setup().await;
        app.network(&admin, "eas", "open").await;
        let ann = app.user("ann@example.org", "Ann Assistant").await;
        let bea = app.user("bea@example.org", "Bea Peer").await;
        let cal = app.user("cal@example.org", "Cal Outsider").await;
        join(&app, "eas", "ann@example.org", Role::Member).await;
        join(&app, "eas", "bea@example.org", Role::Member).await;
        // A web page renamed to .jpg is refused by its content, and nothing is stored.
        let r = upload(&app, &ann, b"<html><script>x</script></html>".to_vec(), "me.jpg").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body(r).await.contains("not a photo we can read"));
        let id = id_of(&app, "ann@example.org").await;
        assert!(
            roundtable_store::profiles::photo(&app.state.db, roundtable_domain::UserId::parse(&id).unwrap())
                .await
                .unwrap()
                .is_none()
        );
        let r = upload(&app, &ann, png(), "holiday.png").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let photo_url = app.at(&format!("/people/{id}/photo.jpg"));
        let r = bea.get(&photo_url).send().await.unwrap();
        assert_eq!(r.headers().get("content-type").unwrap(), "image/jpeg");
        let img = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
        assert_eq!((img.width(), img.height()), (256, 256), "a square thumbnail");
        assert!(
            body(bea.get(app.at(&format!("/people/{id}"))).send().await.unwrap())
                .await
                .contains("Photo of Ann Assistant")
        );
        // The photo's default audience is "my networks": an outsider gets nothing.
        assert_eq!(cal.get(&photo_url).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        assert!(!body(cal.get(app.at(&format!("/people/{id}"))).send().await.unwrap()).await.contains("Photo of"));
        ann.post(app.at("/profile/photo/remove")).send().await.unwrap();
        assert_eq!(bea.get(&photo_url).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    }
}
