//! The network charter (versions, acceptance on joining and again after a new version) and the
//! onboarding checklist (manual and automatic steps, newcomers' progress, nudges) — over HTTP on
//! SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use roundtable_store::{Dialect, networks, onboarding, users};
use support::TestApp;

both!(
    a_buddy_step_is_offered_and_done_while_the_member_has_a_buddy,
    attending_a_welcome_event_completes_the_welcome_step,
    joining_needs_the_current_charter_and_a_new_version_is_accepted_again,
    the_checklist_mixes_ticked_and_automatic_steps_and_organisers_see_who_is_stuck,
);

async fn body(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

async fn joining_needs_the_current_charter_and_a_new_version_is_accepted_again(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    // Empty charters are refused; a real one is published as version 1.
    let r = admin.post(app.at("/n/eas/charter")).form(&[("body", "  ")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .post(app.at("/n/eas/charter"))
        .form(&[("body", "# Our charter\n\nWhat is shared here **stays here**.")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let bo = app.user("bo@example.org", "Bo Member").await;
    let page = body(bo.get(app.at("/n/eas/charter")).send().await.unwrap()).await;
    assert!(page.contains("<strong>stays here</strong>") && page.contains("Version 1"), "{page}");
    // Joining without ticking the box leads back to the charter and changes nothing.
    let r = bo.post(app.at("/n/eas/join")).form(&[("accept_charter", "1")]).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/eas/charter?notice=charter-pending");
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    let bo_id = users::by_email(&app.state.db, "bo@example.org").await.unwrap().unwrap().id;
    assert!(networks::membership(&app.state.db, n.id, bo_id).await.unwrap().is_none());
    let r = bo.post(app.at("/n/eas/join")).form(&[("accept_charter", "1"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/eas?notice=joined");
    assert_eq!(bo.get(app.at("/n/eas/members")).send().await.unwrap().status(), StatusCode::OK);
    // Version 2: Bo must accept again before using the network; everyone is emailed.
    admin.post(app.at("/n/eas/charter")).form(&[("body", "Version two: be kind.")]).send().await.unwrap();
    let r = bo.get(app.at("/n/eas/members")).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/eas/charter?notice=charter-pending");
    assert!(app.emails_to("bo@example.org").await.iter().any(|m| m.contains("please read the updated charter")));
    let home = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("new version of its charter"), "{home}");
    // Accepting an older version does not count.
    assert_eq!(
        bo.post(app.at("/n/eas/charter/accept"))
            .form(&[("version", "1"), ("agree", "yes")])
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = bo.post(app.at("/n/eas/charter/accept")).form(&[("version", "2"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/eas?notice=charter-accepted");
    assert_eq!(bo.get(app.at("/n/eas/members")).send().await.unwrap().status(), StatusCode::OK);
    // Organisers see who accepted which version; members may not.
    let list = body(admin.get(app.at("/n/eas/charter/acceptances")).send().await.unwrap()).await;
    assert!(list.contains("Bo Member") && list.contains("version 2"), "{list}");
    assert_eq!(bo.get(app.at("/n/eas/charter/acceptances")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        bo.post(app.at("/n/eas/charter")).form(&[("body", "Bo's rules")]).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // The API says what is needed.
    let api = reqwest::Client::new();
    let cy = app.user("cy@example.org", "Cy").await;
    let cy_token = app.api_token(&cy).await;
    let r = api.post(app.at("/api/v1/networks/eas/membership")).bearer_auth(&cy_token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = api
        .post(app.at("/api/v1/networks/eas/membership?accept_charter=2"))
        .bearer_auth(&cy_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

async fn the_checklist_mixes_ticked_and_automatic_steps_and_organisers_see_who_is_stuck(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    for (title, auto) in [("Read the induction pack", ""), ("Fill in your profile", "profile"), ("Meet your buddy", "")]
    {
        let r = admin
            .post(app.at("/n/eas/onboarding/steps"))
            .form(&[("title", title), ("description", ""), ("automatic", auto)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let r = admin
        .post(app.at("/n/eas/onboarding/steps"))
        .form(&[("title", ""), ("automatic", "magic")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bo = app.user("bo@example.org", "Bo Newcomer").await;
    bo.post(app.at("/n/eas/join")).send().await.unwrap();
    let home = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("Your first steps (0 of 3 done)"), "{home}");
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    let steps = onboarding::steps(&app.state.db, n.id).await.unwrap();
    // Ticking an automatic step is refused; a manual one works.
    assert_eq!(
        bo.post(app.at(&format!("/n/eas/checklist/{}/done", steps[1].id))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    bo.post(app.at(&format!("/n/eas/checklist/{}/done", steps[0].id))).send().await.unwrap();
    // Filling in the profile completes the automatic step.
    bo.post(app.at("/profile"))
        .form(&[("job_title", "EA"), ("department", "Legal"), ("time_zone", "UTC")])
        .send()
        .await
        .unwrap();
    let home = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("Your first steps (2 of 3 done)"), "{home}");
    // The same through the API: a manual step ticked and unticked, an automatic one refused.
    let token = app.api_token(&bo).await;
    let step = |id: &str| app.at(&format!("/api/v1/networks/eas/onboarding/steps/{id}"));
    let api = reqwest::Client::new();
    let r = api.put(step(&steps[2].id)).bearer_auth(&token).json(&serde_json::json!({"done": true})).send().await;
    let checklist: serde_json::Value = r.unwrap().json().await.unwrap();
    assert_eq!((checklist["done"].as_u64(), checklist["total"].as_u64()), (Some(3), Some(3)), "{checklist}");
    let r = api.put(step(&steps[1].id)).bearer_auth(&token).json(&serde_json::json!({"done": true})).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::NOT_FOUND, "an automatic step completes itself");
    let r = api.put(step(&steps[2].id)).bearer_auth(&token).json(&serde_json::json!({"done": false})).send().await;
    let checklist: serde_json::Value = r.unwrap().json().await.unwrap();
    assert_eq!(checklist["done"].as_u64(), Some(2), "{checklist}");
    // The organiser sees Bo in progress; after the stuck threshold passes, stuck, and can nudge.
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("Bo Newcomer") && page.contains("2 of 3") && page.contains("In progress"), "{page}");
    admin.post(app.at("/n/eas/onboarding/stuck-days")).form(&[("stuck_days", "1")]).send().await.unwrap();
    let bo_id = users::by_email(&app.state.db, "bo@example.org").await.unwrap().unwrap().id;
    // Bo joined three days ago (time travel in the data, not in the code).
    let joined_long_ago = chrono::Utc::now() - chrono::Duration::days(3);
    app.state
        .db
        .write(
            "UPDATE memberships SET created_at = $1 WHERE network_id = $2 AND user_id = $3",
            roundtable_store::params![joined_long_ago, n.id, bo_id],
        )
        .await
        .unwrap();
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("<strong>Stuck</strong>") && page.contains("1 stuck"), "{page}");
    let r = admin.post(app.at(&format!("/n/eas/onboarding/nudge/{bo_id}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mails = app.emails_to("bo@example.org").await;
    assert!(
        mails.iter().any(|m| m.contains("Your first steps in Network eas") && m.contains("Meet your buddy")),
        "{mails:?}"
    );
    // A longer threshold still finds people stuck well beyond it: 120 days set, Bo joined 200 ago.
    admin.post(app.at("/n/eas/onboarding/stuck-days")).form(&[("stuck_days", "120")]).send().await.unwrap();
    app.state
        .db
        .write(
            "UPDATE memberships SET created_at = $1 WHERE network_id = $2 AND user_id = $3",
            roundtable_store::params![chrono::Utc::now() - chrono::Duration::days(200), n.id, bo_id],
        )
        .await
        .unwrap();
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("Bo Newcomer") && page.contains("1 stuck"), "{page}");
    // Members cannot manage the checklist or nudge.
    assert_eq!(bo.get(app.at("/n/eas/onboarding")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        bo.post(app.at(&format!("/n/eas/onboarding/steps/{}/remove", steps[0].id))).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // Reordering and removing.
    admin.post(app.at(&format!("/n/eas/onboarding/steps/{}/up", steps[2].id))).send().await.unwrap();
    let order: Vec<String> =
        onboarding::steps(&app.state.db, n.id).await.unwrap().into_iter().map(|s| s.title).collect();
    assert_eq!(order, ["Read the induction pack", "Meet your buddy", "Fill in your profile"]);
    admin.post(app.at(&format!("/n/eas/onboarding/steps/{}/remove", steps[0].id))).send().await.unwrap();
    assert_eq!(onboarding::steps(&app.state.db, n.id).await.unwrap().len(), 2);
}

async fn attending_a_welcome_event_completes_the_welcome_step(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let r = admin
        .post(app.at("/n/eas/onboarding/steps"))
        .form(&[("title", "Come to a welcome coffee"), ("description", ""), ("automatic", "welcome")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let bo = app.user("bo@example.org", "Bo Newcomer").await;
    bo.post(app.at("/n/eas/join")).send().await.unwrap();
    assert!(body(bo.get(app.at("/n/eas")).send().await.unwrap()).await.contains("Your first steps (0 of 1 done)"));
    let start = (chrono::Utc::now() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M").to_string();
    let end = (chrono::Utc::now() + chrono::Duration::hours(2)).format("%Y-%m-%dT%H:%M").to_string();
    let r = admin
        .post(app.at("/n/eas/events/new"))
        .form(&[
            ("kind", "welcome"),
            ("title", "Welcome coffee"),
            ("time_zone", "UTC"),
            ("start", &start[..]),
            ("end", &end[..]),
            ("repeat", "none"),
            ("location_mode", "in_person"),
            ("place", "Atrium"),
            ("audience", "network"),
            ("reminder_hours", "24"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id =
        r.headers()["location"].to_str().unwrap().trim_start_matches("/events/").split('?').next().unwrap().to_owned();
    let e = roundtable_store::events::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let bo_id = users::by_email(&app.state.db, "bo@example.org").await.unwrap().unwrap().id.to_string();
    let at = e.starts_at.timestamp_micros().to_string();
    let r = admin
        .post(app.at(&format!("/events/{id}/attendance")))
        .form(&[("user", &bo_id[..]), ("at", &at[..])])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let home = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(!home.contains("Your first steps"), "the only step is done, so the checklist is gone: {home}");
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("1 of 1") && page.contains("Finished"), "{page}");
}

async fn a_buddy_step_is_offered_and_done_while_the_member_has_a_buddy(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("value=\"buddy\"") && page.contains("Done when an organiser assigns the member a buddy"));
    let r = admin
        .post(app.at("/n/eas/onboarding/steps"))
        .form(&[("title", "Meet your buddy"), ("description", "Coffee in your first week"), ("automatic", "buddy")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let bo = app.user("bo@example.org", "Bo Newcomer").await;
    bo.post(app.at("/n/eas/join")).send().await.unwrap();
    let cy = app.user("cy@example.org", "Cy Veteran").await;
    cy.post(app.at("/n/eas/join")).send().await.unwrap();
    let home = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("Your first steps (0 of 1 done)"), "{home}");
    // The member cannot tick it by hand.
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    let step = onboarding::steps(&app.state.db, n.id).await.unwrap().remove(0);
    assert_eq!(
        bo.post(app.at(&format!("/n/eas/checklist/{}/done", step.id))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let bo_id = users::by_email(&app.state.db, "bo@example.org").await.unwrap().unwrap().id;
    let r = admin
        .post(app.at(&format!("/n/eas/onboarding/buddies/{bo_id}")))
        .form(&[("email", "cy@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let home = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(
        !home.contains("Your first steps") && home.contains("Cy Veteran"),
        "done, so the checklist is gone: {home}"
    );
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("1 of 1") && page.contains("Finished") && page.contains("Cy Veteran"), "{page}");
}
