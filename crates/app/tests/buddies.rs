//! Buddies for newcomers, over HTTP on SQLite and PostgreSQL: suggestions with their reasons and
//! never in the reporting line, assigning, changing and ending (emails, audit, the automatic
//! checklist step), what the newcomer and the buddy see, the API, bad input that changes
//! nothing, and who may do any of it in which network.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use roundtable_app::import::{Options, console};
use roundtable_domain::{MembershipStatus, NetworkId, Role, UserId};
use roundtable_store::{Dialect, audit, buddies, networks, params, users};
use support::{PASSWORD, TestApp};

both!(
    an_organiser_pairs_a_newcomer_with_a_suggested_buddy_then_changes_and_ends_it,
    refused_buddies_get_a_clear_message_and_change_nothing,
    only_chairs_administrators_and_org_admins_assign_and_other_networks_see_nothing,
    concurrent_buddy_assignments_keep_one_buddy_and_answer_303_or_409,
    an_unchanged_buddy_reports_since_this_newcomers_pairing,
);

async fn body(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

/// The network `eas`: Nia is new (manager Max, supports Exe, manages Rae); the others have been
/// members for a while, in London, Paris or Manchester.
const PEOPLE: &str = "email,name,location,time_zone,manager_email,supports_emails,networks\r\n\
max@example.org,Max Manager,London,Europe/London,,,eas\r\n\
exe@example.org,Exe Executive,London,Europe/London,,,eas\r\n\
nia@example.org,Nia Newcomer,London,Europe/London,max@example.org,exe@example.org,eas\r\n\
rae@example.org,Rae Report,London,Europe/London,nia@example.org,,eas\r\n\
ann@example.org,Ann Veteran,London,Europe/London,,,eas\r\n\
pat@example.org,Pat Paris,Paris,Europe/Paris,,,eas\r\n\
zed@example.org,Zed Zone,Manchester,Europe/London,,,eas\r\n\
out@example.org,Out Sider,London,Europe/London,,,\r\n";

/// Days each person has been a member of `eas`.
const TENURE: [(&str, i64); 7] =
    [("max", 1800), ("exe", 1500), ("nia", 2), ("rae", 200), ("ann", 1100), ("pat", 800), ("zed", 400)];

async fn id(app: &TestApp, email: &str) -> UserId {
    users::by_email(&app.state.db, email).await.unwrap().unwrap_or_else(|| panic!("{email}")).id
}

/// Imports the people, backdates their memberships and returns the network's id.
async fn people(app: &TestApp, admin: &reqwest::Client) -> NetworkId {
    app.network(admin, "eas", "open").await;
    let (_, _, r) =
        console::import(&app.state.db, PEOPLE.as_bytes(), "people.csv", None, &Options::default(), &|_, _, _| {})
            .await
            .unwrap();
    assert_eq!((r.created, r.errors.len()), (8, 0), "{:?}", r.errors);
    let eas = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    for (who, days) in TENURE {
        let since = chrono::Utc::now() - chrono::Duration::days(days);
        let user = id(app, &format!("{who}@example.org")).await;
        app.state
            .db
            .write(
                "UPDATE memberships SET created_at = $1 WHERE network_id = $2 AND user_id = $3",
                roundtable_store::params![since, eas.id, user],
            )
            .await
            .unwrap();
    }
    eas.id
}

/// Signs in someone imported (they have no password until they choose one).
async fn sign_in(app: &TestApp, email: &str) -> reqwest::Client {
    roundtable_app::admin::console::reset_password(&app.state.db, email, PASSWORD).await.unwrap();
    app.sign_in(email).await
}

/// A new account with a role in a network.
async fn with_role(app: &TestApp, email: &str, network: NetworkId, role: Role) -> reqwest::Client {
    let c = app.user(email, &format!("{} Person", role.label())).await;
    let user = id(app, email).await;
    let mut tx = app.state.db.begin().await.unwrap();
    networks::upsert_membership(&mut tx, network, user, role, MembershipStatus::Active, chrono::Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    c
}

fn position(page: &str, needle: &str) -> usize {
    page.find(needle).unwrap_or_else(|| panic!("{needle:?} should be on the page:\n{page}"))
}

async fn an_organiser_pairs_a_newcomer_with_a_suggested_buddy_then_changes_and_ends_it(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let eas = people(&app, &admin).await;
    let db = &app.state.db;
    let chair = with_role(&app, "chair@example.org", eas, Role::Chair).await;
    for (title, auto) in [("Read the induction pack", ""), ("Meet your buddy", "buddy")] {
        let r = admin
            .post(app.at("/n/eas/onboarding/steps"))
            .form(&[("title", title), ("description", ""), ("automatic", auto)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let (nia, ann, pat) =
        (id(&app, "nia@example.org").await, id(&app, "ann@example.org").await, id(&app, "pat@example.org").await);
    let nia_c = sign_in(&app, "nia@example.org").await;
    let home = body(nia_c.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("Your first steps (0 of 2 done)") && !home.contains("Your buddy"), "{home}");
    assert!(home.contains("— an organiser will pair you with an experienced member."), "{home}");

    // The organisers' overview offers to assign one; the page suggests, with reasons.
    let page = body(chair.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains(&format!("href=\"/n/eas/onboarding/buddies/{nia}\">Assign a buddy")), "{page}");
    let page = body(chair.get(app.at(&format!("/n/eas/onboarding/buddies/{nia}"))).send().await.unwrap()).await;
    assert!(page.contains("Nia Newcomer has no buddy yet."), "{page}");
    // Ann (3 years, also in London) before Zed (1 year, same time zone) before Pat (2 years, Paris);
    // never Max (her manager), Exe (whom she supports) or Rae (whom she manages), nor Out (not a member).
    let (a, z, p) = (position(&page, "Ann Veteran"), position(&page, "Zed Zone"), position(&page, "Pat Paris"));
    assert!(a < z && z < p, "suggestion order");
    assert!(page.contains("In the network for 3 years · Also in London · Looks after no newcomer at the moment"));
    assert!(page.contains("Same time zone (Europe/London)"));
    for never in ["Max Manager", "Exe Executive", "Rae Report", "Out Sider"] {
        assert!(!page.contains(never), "{never} must not be suggested");
    }

    // The Chair picks Ann.
    let r = chair
        .post(app.at(&format!("/n/eas/onboarding/buddies/{nia}")))
        .form(&[("buddy", ann.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(body(chair.get(app.at(&to)).send().await.unwrap()).await.contains("both have been emailed"));
    assert_eq!(buddies::buddy_of(db, eas, nia).await.unwrap().unwrap().id, ann);
    // Nia sees her buddy with a link to the profile, and the step is ticked.
    let home = body(nia_c.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(
        home.contains("Your buddy") && home.contains(&format!("<a href=\"/people/{ann}\">Ann Veteran</a>")),
        "{home}"
    );
    assert!(home.contains("Your first steps (1 of 2 done)"), "{home}");
    // ...and how to say hello: the pairing is for getting in touch.
    assert!(home.contains("<a href=\"mailto:ann@example.org\">ann@example.org</a>"), "{home}");
    // Ann sees whom she looks after.
    let ann_c = sign_in(&app, "ann@example.org").await;
    let home = body(ann_c.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(
        home.contains("Newcomers you look after")
            && home.contains(&format!("<a href=\"/people/{nia}\">Nia Newcomer</a>"))
            && home.contains("href=\"mailto:nia@example.org\""),
        "{home}"
    );
    // Both are emailed; it is in the audit log; the overview shows the pair.
    let mails = app.emails_to("nia@example.org").await;
    assert!(
        mails.iter().any(|m| m.contains("Subject: Meet your buddy in Network eas") && m.contains("ann@example.org")),
        "{mails:?}"
    );
    let mails = app.emails_to("ann@example.org").await;
    assert!(mails.iter().any(|m| m.contains("Subject: You are Nia Newcomer's buddy in Network eas")), "{mails:?}");
    // "Reply to an organiser", the buddy's mail says: a reply reaches the Chair who asked.
    assert!(mails.iter().all(|m| m.contains("Reply-To: chair@example.org")), "{mails:?}");
    assert!(app.emails_to("nia@example.org").await.iter().any(|m| m.contains("Reply-To: chair@example.org")));
    let (log, _) = audit::page(db, 20, 0).await.unwrap();
    let e = log.iter().find(|e| e.action == "onboarding.buddy_assigned").unwrap();
    assert_eq!(
        (e.actor_name.as_str(), e.subject.as_str(), e.detail.as_str()),
        ("Chair Person", "nia@example.org", "buddy: ann@example.org")
    );
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(
        page.contains(&format!("<a href=\"/people/{ann}\">Ann Veteran</a>")) && page.contains("Current buddies"),
        "{page}"
    );

    // The API shows the same, documented in the OpenAPI.
    let api = reqwest::Client::new();
    let token = app.api_token(&nia_c).await;
    let json: serde_json::Value = support::api_get(app.at("/api/v1/networks/eas/onboarding"), &token).await;
    assert_eq!(json["buddy"]["name"], "Ann Veteran");
    assert_eq!(json["buddy"]["id"], ann.to_string());
    assert_eq!((json["done"].as_u64(), json["total"].as_u64()), (Some(1), Some(2)));
    assert!(json["steps"].as_array().unwrap().iter().any(|s| s["automatic"] == "buddy" && s["done"] == true), "{json}");
    let spec: serde_json::Value = api.get(app.at("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    for path in ["/api/v1/networks/{slug}/onboarding", "/api/v1/networks/{slug}/buddies/{newcomer}"] {
        assert!(spec["paths"][path].is_object(), "{path} is documented");
    }
    assert!(spec["components"]["schemas"]["OnboardingJson"]["properties"]["buddy"].is_object());
    // As on the page, the two people paired get each other's address, and only they do: an
    // organiser's lists of pairings (pairs, progress, the assignment's current buddy) show none,
    // and someone else's onboarding shows no pairing at all.
    assert_eq!(json["buddy"]["email"], "ann@example.org", "{json}");
    let ann_token = app.api_token(&sign_in(&app, "ann@example.org").await).await;
    let json = support::api_get(app.at("/api/v1/networks/eas/onboarding"), &ann_token).await;
    let looking_after = json["looking_after"].as_array().unwrap();
    assert_eq!(looking_after.len(), 1, "{json}");
    assert_eq!(
        (&looking_after[0]["id"], &looking_after[0]["name"], &looking_after[0]["email"]),
        (
            &serde_json::json!(nia.to_string()),
            &serde_json::json!("Nia Newcomer"),
            &serde_json::json!("nia@example.org")
        )
    );
    let pat_token = app.api_token(&sign_in(&app, "pat@example.org").await).await;
    let json = support::api_get(app.at("/api/v1/networks/eas/onboarding"), &pat_token).await;
    assert!(json["buddy"].is_null() && json["looking_after"] == serde_json::json!([]), "{json}");
    let chair_token = app.api_token(&chair).await;
    let pairs = support::api_get(app.at("/api/v1/networks/eas/buddies"), &chair_token).await;
    assert_eq!(pairs[0]["buddy"]["name"], "Ann Veteran", "{pairs}");
    let progress = support::api_get(app.at("/api/v1/networks/eas/onboarding/progress"), &chair_token).await;
    let choice = support::api_get(app.at(&format!("/api/v1/networks/eas/buddies/{nia}")), &chair_token).await;
    assert_eq!(choice["current"]["name"], "Ann Veteran", "{choice}");
    for organisers_view in [&pairs, &progress, &choice] {
        let text = organisers_view.to_string();
        assert!(!text.contains("email") && !text.contains("@example.org"), "no addresses: {text}");
    }
    let schemas = &spec["components"]["schemas"];
    let mine = schemas["OnboardingJson"]["properties"].to_string();
    assert!(mine.contains("BuddyContactJson") && !mine.contains("BuddyPersonJson"), "{mine}");
    assert!(schemas["BuddyContactJson"]["required"].as_array().unwrap().contains(&serde_json::json!("email")));
    assert!(schemas["BuddyPersonJson"]["properties"]["email"].is_null(), "organisers' lists carry no address");

    // Assigning Ann again changes and sends nothing.
    let before = app.emails_to("ann@example.org").await.len();
    let r = chair
        .post(app.at(&format!("/n/eas/onboarding/buddies/{nia}")))
        .form(&[("email", "ann@example.org")])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["location"].to_str().unwrap().ends_with("notice=buddy-unchanged"));
    assert_eq!(app.emails_to("ann@example.org").await.len(), before);

    // Changing to Pat by email: Pat and Nia are told, and Ann is thanked.
    let r = chair
        .post(app.at(&format!("/n/eas/onboarding/buddies/{nia}")))
        .form(&[("email", " PAT@example.org ")])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["location"].to_str().unwrap().ends_with("notice=buddy-changed"));
    assert_eq!(buddies::buddy_of(db, eas, nia).await.unwrap().unwrap().id, pat);
    assert!(app.emails_to("ann@example.org").await.iter().any(|m| m.contains("Subject: Nia Newcomer has a new buddy")));
    assert!(app.emails_to("pat@example.org").await.iter().any(|m| m.contains("Subject: You are Nia Newcomer's buddy")));
    let home = body(nia_c.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains(&format!("<a href=\"/people/{pat}\">Pat Paris</a>")) && !home.contains("Ann Veteran"));
    assert!(!body(ann_c.get(app.at("/n/eas")).send().await.unwrap()).await.contains("Newcomers you look after"));

    // Ending it: Pat is thanked; Nia was given a buddy, so her step stays done.
    let r = chair.post(app.at(&format!("/n/eas/onboarding/buddies/{nia}/end"))).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas/onboarding?notice=buddy-ended");
    assert!(buddies::buddy_of(db, eas, nia).await.unwrap().is_none());
    let home = body(nia_c.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("Your first steps (1 of 2 done)") && !home.contains("Your buddy"), "{home}");
    assert!(
        app.emails_to("pat@example.org")
            .await
            .iter()
            .any(|m| m.contains("Subject: Your time as Nia Newcomer's buddy has ended"))
    );
    let (log, _) = audit::page(db, 50, 0).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "onboarding.buddy_assigned").count(), 2);
    assert!(log.iter().any(|e| e.action == "onboarding.buddy_ended" && e.detail == "buddy: pat@example.org"));
    // A buddy who leaves the network stops counting without anyone ending the pairing.
    let r = api
        .put(app.at(&format!("/api/v1/networks/eas/buddies/{nia}")))
        .bearer_auth(app.api_token(&chair).await)
        .json(&serde_json::json!({ "buddy_email": "zed@example.org" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["result"], "assigned");
    let zed_c = sign_in(&app, "zed@example.org").await;
    assert_eq!(zed_c.post(app.at("/n/eas/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert!(buddies::buddy_of(db, eas, nia).await.unwrap().is_none());
    let home = body(nia_c.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("Your first steps (1 of 2 done)") && !home.contains("Your buddy"), "{home}");
    // Nia is told, so she does not wait on someone who is gone.
    let told = app.emails_to("nia@example.org").await;
    assert!(
        told.iter().any(|m| m.contains("is no longer your buddy in") && m.contains("pair you with someone else")),
        "{told:?}"
    );
    // Leaving ended the pairing: rejoining does not quietly bring it back.
    let r = zed_c.post(app.at("/n/eas/join")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas?notice=joined");
    assert!(buddies::buddy_of(db, eas, nia).await.unwrap().is_none(), "not Nia's buddy again");
    // Nia leaves while Ann is her buddy again: Ann is told she need not look out for her. Back
    // in the network, Nia is a newcomer without a buddy: that step is hers to wait for again.
    let r = chair.post(app.at(&format!("/n/eas/onboarding/buddies/{nia}"))).form(&[("buddy", ann.to_string())]);
    assert_eq!(r.send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(nia_c.post(app.at("/n/eas/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let told = app.emails_to("ann@example.org").await;
    assert!(
        told.iter().any(|m| m.contains("Subject: Your time as Nia Newcomer's buddy has ended")
            && support::unqp(m).contains("Nia Newcomer is no longer a member of Network eas")),
        "{told:?}"
    );
    assert_eq!(nia_c.post(app.at("/n/eas/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let json = support::api_get(app.at("/api/v1/networks/eas/onboarding"), &token).await;
    let step = json["steps"].as_array().unwrap().iter().find(|s| s["automatic"] == "buddy").cloned().unwrap();
    assert_eq!(step["done"], false, "an earlier membership's buddy does not count: {json}");
    let page = body(chair.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains(&format!("href=\"/n/eas/onboarding/buddies/{nia}\">Assign a buddy")), "{page}");
    // Erased, Nia leaves no trace in her buddies' mail: neither her name nor her address.
    assert!(app.emails_to("ann@example.org").await.iter().any(|m| m.contains("nia@example.org")));
    let r = admin.post(app.at(&format!("/admin/people/{nia}/erase"))).form(&[("confirm", "ERASE")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let (kept, _) = roundtable_store::outbox::page(db, 1000, 0).await.unwrap();
    let to_buddies: Vec<_> =
        kept.iter().filter(|m| ["ann@example.org", "pat@example.org"].contains(&m.to.as_str())).collect();
    assert!(to_buddies.iter().any(|m| m.subject.contains("a former member")), "the mail stays, without her");
    for m in to_buddies {
        let text = format!("{} {} {}", m.subject, m.text_body, m.html_body);
        assert!(!text.contains("nia@example.org") && !text.contains("Nia Newcomer"), "{text}");
    }
    // The copies on disk that named her are gone.
    assert!(app.emails_to("ann@example.org").await.iter().all(|m| !m.contains("nia@example.org")));
}

async fn refused_buddies_get_a_clear_message_and_change_nothing(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let eas = people(&app, &admin).await;
    let db = &app.state.db;
    let nia = id(&app, "nia@example.org").await;
    let path = format!("/n/eas/onboarding/buddies/{nia}");
    let cases: [(&[(&str, &str)], &str); 8] = [
        (&[("email", "max@example.org")], "Max Manager is in Nia Newcomer&#39;s reporting line"),
        (&[("email", "rae@example.org")], "Rae Report is in Nia Newcomer&#39;s reporting line"),
        (&[("email", "exe@example.org")], "Exe Executive is in Nia Newcomer&#39;s reporting line"),
        (&[("email", "out@example.org")], "No active member of Network eas has the email out@example.org"),
        (&[("email", "nobody@example.org")], "No active member of Network eas has the email nobody@example.org"),
        (&[("email", "not an email")], "Enter the email address of a member"),
        (&[("email", "nia@example.org")], "A person cannot be their own buddy"),
        (&[], "Choose one of the suggested buddies, or enter the email address of a member."),
    ];
    for (form, message) in cases {
        let r = admin.post(app.at(&path)).form(form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{form:?}");
        let page = body(r).await;
        assert!(page.contains(message) && page.contains("error-summary"), "{form:?}: {page}");
        if let Some((_, typed)) = form.first() {
            assert!(page.contains(&format!("value=\"{typed}\"")), "what was typed is kept");
        }
    }
    // A Chair, who may not see every link of Nia's line (people show their manager to their
    // own networks' organisers only, perhaps), hears the rule, not which link it is.
    let chair = with_role(&app, "chair@example.org", eas, Role::Chair).await;
    for email in ["max@example.org", "rae@example.org", "exe@example.org"] {
        let r = chair.post(app.at(&path)).form(&[("email", email)]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        let page = body(r).await;
        assert!(page.contains("buddy: a buddy is always someone outside the newcomer&#39;s reporting line"), "{page}");
        assert!(!page.contains("a manager above them"), "{page}");
    }
    assert!(buddies::buddy_of(db, eas, nia).await.unwrap().is_none(), "nothing changed");
    // A stale suggestion (the person left since the page was shown).
    let out = id(&app, "out@example.org").await;
    let r = admin.post(app.at(&path)).form(&[("buddy", out.to_string())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("That person is not an active member of Network eas any more"));
    // Newcomers who are not active members of the network, or do not exist.
    for who in [out.to_string(), UserId::new().to_string(), "not-an-id".into()] {
        let r = admin.get(app.at(&format!("/n/eas/onboarding/buddies/{who}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who}");
        let r = admin
            .post(app.at(&format!("/n/eas/onboarding/buddies/{who}")))
            .form(&[("email", "ann@example.org")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who}");
    }
    // The API says the same in problem+json; ending a pairing that does not exist is a 404.
    let api = reqwest::Client::new();
    let token = app.api_token(&admin).await;
    // The assignment page's suggestions over the API, each with its reasons; never someone from
    // her reporting line, nor herself. A newcomer who is not an active member is not found.
    let choice = support::api_get(app.at(&format!("/api/v1/networks/eas/buddies/{nia}")), &token).await;
    let suggested = choice["suggestions"].as_array().unwrap();
    assert!(!suggested.is_empty() && choice["current"].is_null(), "{choice}");
    for s in suggested {
        let name = s["name"].as_str().unwrap();
        assert!(!["Max Manager", "Rae Report", "Exe Executive", "Nia Newcomer"].contains(&name), "{choice}");
        assert!(s["reasons"][0].as_str().unwrap().starts_with("In the network for"), "{choice}");
    }
    let r = api.get(app.at(&format!("/api/v1/networks/eas/buddies/{out}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = api
        .put(app.at(&format!("/api/v1/networks/eas/buddies/{nia}")))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "buddy_email": "max@example.org" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = r.json().await.unwrap();
    assert_eq!(problem["code"], "invalid_input");
    assert!(problem["detail"].as_str().unwrap().contains("reporting line"));
    assert_eq!(problem["errors"][0]["field"], "buddy_email", "named as the request names it: {problem}");
    let r = api
        .put(app.at(&format!("/api/v1/networks/eas/buddies/{nia}")))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "buddy_id": "x", "buddy_email": "ann@example.org" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r =
        api.delete(app.at(&format!("/api/v1/networks/eas/buddies/{nia}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Nothing changed: no pairing, no email, nothing in the log.
    assert!(buddies::pairs(db, eas).await.unwrap().is_empty());
    for who in ["nia", "max", "rae", "exe", "out"] {
        assert!(app.emails_to(&format!("{who}@example.org")).await.is_empty(), "{who} got mail");
    }
    let (log, _) = audit::page(db, 50, 0).await.unwrap();
    assert!(!log.iter().any(|e| e.action.starts_with("onboarding.buddy")));
}

/// Every buddy route × every role of the network, an organiser of another network, an outsider,
/// an org admin and anonymous × own and other network, as `docs/roles.md` says.
async fn only_chairs_administrators_and_org_admins_assign_and_other_networks_see_nothing(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "own", "by_request").await;
    app.network(&admin, "other", "invitation_only").await;
    let own = networks::by_slug(&app.state.db, "own").await.unwrap().unwrap();
    let other = networks::by_slug(&app.state.db, "other").await.unwrap().unwrap();
    let mut clients = vec![("admin", Some(admin))];
    for role in Role::ALL {
        clients.push((
            role.as_str(),
            Some(with_role(&app, &format!("{}@example.org", role.as_str()), own.id, role).await),
        ));
    }
    clients.push(("other_chair", Some(with_role(&app, "other-chair@example.org", other.id, Role::Chair).await)));
    clients.push(("outsider", Some(app.user("outsider@example.org", "Outsider").await)));
    clients.push(("anonymous", None));
    let target = id(&app, "member@example.org").await;
    let buddy = id(&app, "sponsor@example.org").await;
    let api = reqwest::Client::new();

    // (method, path, who may use it): members = active members of the network (sponsors too),
    // organise = its organisers, managers = its Chair and Administrator; org admins always.
    let routes: Vec<(&str, String, &str)> = vec![
        ("GET", format!("/n/{{n}}/onboarding/buddies/{target}"), "managers"),
        ("POST", format!("/n/{{n}}/onboarding/buddies/{target}"), "managers"),
        ("POST", format!("/n/{{n}}/onboarding/buddies/{target}/end"), "managers"),
        ("API GET", "/api/v1/networks/{n}/onboarding".into(), "members"),
        ("API GET", "/api/v1/networks/{n}/buddies".into(), "organise"),
        ("API PUT", format!("/api/v1/networks/{{n}}/buddies/{target}"), "managers"),
        ("API DELETE", format!("/api/v1/networks/{{n}}/buddies/{target}"), "managers"),
    ];
    let organiser =
        |who: &str| matches!(who, "chair" | "administrator" | "training_coordinator" | "communications_officer");
    for (who, client) in &clients {
        let token = match client {
            Some(c) => Some(app.api_token(c).await),
            None => None,
        };
        for (method, path, rule) in &routes {
            for net in ["own", "other"] {
                let url = app.at(&path.replace("{n}", net));
                let c = client.clone().unwrap_or_else(|| app.client());
                let with_token = |r: reqwest::RequestBuilder| match &token {
                    Some(t) => r.bearer_auth(t),
                    None => r,
                };
                let req = match *method {
                    "GET" => c.get(&url),
                    "POST" => c.post(&url).form(&[("buddy", buddy.to_string())]),
                    "API GET" => with_token(api.get(&url)),
                    "API PUT" => with_token(api.put(&url)).json(&serde_json::json!({ "buddy_id": buddy.to_string() })),
                    _ => with_token(api.delete(&url)),
                };
                let r = req.send().await.unwrap();
                let status = r.status();
                let is_admin = *who == "admin";
                // The role the client has in this network, if any.
                let role = match (net, *who) {
                    ("own", r) => Role::parse(r).map(Role::as_str),
                    ("other", "other_chair") => Some("chair"),
                    _ => None,
                };
                let allowed = match *rule {
                    "members" => is_admin || role.is_some(),
                    "organise" => is_admin || role.is_some_and(organiser),
                    _ => is_admin || matches!(role, Some("chair" | "administrator")),
                }
                    // The newcomer is not in the other network: there is nothing to see or change.
                    && !(path.contains(&target.to_string()) && net == "other");
                if *who == "anonymous" {
                    let to_sign_in =
                        r.headers().get("location").is_some_and(|l| l.to_str().unwrap_or("").starts_with("/sign-in"));
                    assert!(
                        to_sign_in || status == StatusCode::UNAUTHORIZED,
                        "anonymous {method} {url} must be refused, got {status}"
                    );
                    continue;
                }
                let refused = status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND;
                assert_eq!(!refused, allowed, "{who} {method} {url} gave {status}");
                assert!(!status.is_server_error(), "{who} {method} {url} gave {status}");
                if !allowed && net == "other" {
                    assert_eq!(status, StatusCode::NOT_FOUND, "{who} must not learn that {url} exists");
                }
            }
        }
    }
    // The other network's Chair saw and changed nothing in "own"; only allowed people paired.
    let (log, _) = audit::page(&app.state.db, 200, 0).await.unwrap();
    let actors: std::collections::HashSet<&str> =
        log.iter().filter(|e| e.action.starts_with("onboarding.buddy")).map(|e| e.actor_name.as_str()).collect();
    assert_eq!(actors, ["Ada Admin", "Chair Person", "Administrator Person"].into_iter().collect());
}

async fn import(app: &TestApp, csv: &str) {
    let (_, _, r) = console::import(&app.state.db, csv.as_bytes(), "hr.csv", None, &Options::default(), &|_, _, _| {})
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

async fn count(app: &TestApp, sql: &'static str, p: Vec<roundtable_store::Value>) -> i64 {
    app.state.db.read(sql, p).await.unwrap()[0].int(0).unwrap()
}

async fn concurrent_buddy_assignments_keep_one_buddy_and_answer_303_or_409(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let mut csv = "email,name,networks\r\n".to_owned();
    for i in 0..3 {
        csv.push_str(&format!("new{i}@example.org,New {i},eas\r\n"));
    }
    for i in 0..8 {
        csv.push_str(&format!("b{i}@example.org,Buddy {i},eas\r\n"));
    }
    import(&app, &csv).await;
    let eas = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap().id;
    for n in 0..3 {
        let newcomer = id(&app, &format!("new{n}@example.org")).await;
        let mut tasks = Vec::new();
        for i in 0..8 {
            let buddy = id(&app, &format!("b{i}@example.org")).await;
            let (c, url) = (admin.clone(), app.at(&format!("/n/eas/onboarding/buddies/{newcomer}")));
            tasks.push(tokio::spawn(async move {
                c.post(url).form(&[("buddy", buddy.to_string())]).send().await.unwrap().status()
            }));
        }
        for t in tasks {
            let status = t.await.unwrap();
            assert!(status == StatusCode::SEE_OTHER || status == StatusCode::CONFLICT, "{status}");
        }
        let pairs = buddies::pairs(&app.state.db, eas).await.unwrap();
        assert_eq!(pairs.iter().filter(|p| p.newcomer.id == newcomer).count(), 1, "one current buddy");
        let live = "SELECT COUNT(*) FROM buddies WHERE newcomer_id = $1 AND ended_at IS NULL";
        assert_eq!(count(&app, live, params![newcomer]).await, 1);
    }
}

async fn an_unchanged_buddy_reports_since_this_newcomers_pairing(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    import(
        &app,
        "email,name,networks\r\naa@example.org,Aa First,eas\r\nzz@example.org,Zz Second,eas\r\nbo@example.org,Bo Buddy,eas\r\n",
    )
    .await;
    let (aa, zz, bo) =
        (id(&app, "aa@example.org").await, id(&app, "zz@example.org").await, id(&app, "bo@example.org").await);
    let token = app.api_token(&admin).await;
    let put = |newcomer: UserId| {
        reqwest::Client::new()
            .put(app.at(&format!("/api/v1/networks/eas/buddies/{newcomer}")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"buddy_id": bo.to_string()}))
            .send()
    };
    assert_eq!(put(aa).await.unwrap().status(), StatusCode::OK);
    // The API writes times to the second: the two pairings a second apart.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(put(zz).await.unwrap().status(), StatusCode::OK);
    let json: serde_json::Value = put(zz).await.unwrap().json().await.unwrap();
    assert_eq!(json["result"], "unchanged");
    let eas = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap().id;
    let pairs = buddies::pairs(&app.state.db, eas).await.unwrap();
    let since = |n: UserId| pairs.iter().find(|p| p.newcomer.id == n).unwrap().buddy.since;
    assert!(since(aa) < since(zz));
    let reported = chrono::DateTime::parse_from_rfc3339(json["buddy"]["since"].as_str().unwrap()).unwrap();
    assert_eq!(reported.timestamp(), since(zz).timestamp(), "Zz's pairing, not Aa's");
}
