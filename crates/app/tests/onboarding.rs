//! The network charter (versions, acceptance on joining and again after a new version) and the
//! onboarding checklist (manual and automatic steps, newcomers' progress, nudges) — over HTTP on
//! SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::Method;
use reqwest::StatusCode;
use roundtable_store::{Dialect, networks, onboarding, users};
use serde_json::json;
use support::{TestApp, api_get, api_send};

both!(
    a_buddy_step_is_offered_and_done_while_the_member_has_a_buddy,
    attending_a_welcome_event_completes_the_welcome_step,
    joining_needs_the_current_charter_and_a_new_version_is_accepted_again,
    organisers_run_the_checklist_and_the_charter_over_the_api,
    the_checklist_mixes_ticked_and_automatic_steps_and_organisers_see_who_is_stuck,
);

async fn body(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

async fn joining_needs_the_current_charter_and_a_new_version_is_accepted_again(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    // Cy joined before the network had a charter.
    let cy = app.user("cy.early@example.org", "Cy Early").await;
    assert_eq!(cy.post(app.at("/n/eas/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
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
    // Cy is asked to accept it — as the network's charter, not as a "new version" of one.
    let home = body(cy.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(
        home.contains("This network asks its members to accept its charter") && !home.contains("new version"),
        "{home}"
    );
    let bo = app.user("bo@example.org", "Bo Member").await;
    let page = body(bo.get(app.at("/n/eas/charter")).send().await.unwrap()).await;
    assert!(page.contains("<strong>stays here</strong>") && page.contains("Version 1"), "{page}");
    // Joining from the network's page leads to the charter; from the charter's form without the
    // box ticked, that form says so by the box. Neither changes anything.
    let r = bo.post(app.at("/n/eas/join")).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/eas/charter?notice=charter-pending");
    let r = bo.post(app.at("/n/eas/join")).form(&[("accept_charter", "1")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains("id=\"f-accept-error\"") && page.contains("aria-invalid=\"true\""), "{page}");
    assert!(page.contains("Accept the charter and join"), "the same form again: {page}");
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
    // Without the box ticked: refused, and the message sits by the box as well as at the top.
    let r = bo.post(app.at("/n/eas/charter/accept")).form(&[("version", "2")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(
        page.contains(r#"aria-invalid="true" aria-describedby="f-accept-error""#)
            && page.contains(r#"<p class="field-error" id="f-accept-error">Please tick the box"#),
        "{page}"
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

/// What organisers do on the onboarding and charter pages, over `/api/v1`: the checklist built,
/// refused when wrong (nothing added), reordered and trimmed; newcomers' progress, the stuck
/// threshold and a nudge; a charter published (members must accept it again) and who accepted
/// which version. A member's token is refused every one of these, changing nothing.
async fn organisers_run_the_checklist_and_the_charter_over_the_api(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let chair = app.api_token(&admin).await;
    let api = |path: &str| app.at(&format!("/api/v1/networks/eas/{path}"));
    let titles = |list: &serde_json::Value| -> Vec<String> {
        list.as_array().unwrap().iter().map(|s| s["title"].as_str().unwrap().to_owned()).collect()
    };

    // The checklist: two steps added, a wrong one refused field by field.
    let add = |title: &str, automatic: &str| json!({"title": title, "description": "", "automatic": automatic});
    let (status, list) =
        api_send(Method::POST, api("onboarding/checklist"), &chair, &add("Read the induction pack", "")).await;
    assert_eq!(status, StatusCode::CREATED, "{list}");
    let (status, list) =
        api_send(Method::POST, api("onboarding/checklist"), &chair, &add("Accept the charter", "charter")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(titles(&list), ["Read the induction pack", "Accept the charter"]);
    assert_eq!(list[1]["automatic"], "charter");
    let (status, problem) = api_send(Method::POST, api("onboarding/checklist"), &chair, &add(" ", "magic")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title", "automatic"], "{problem}");
    assert_eq!(titles(&api_get(api("onboarding/checklist"), &chair).await).len(), 2, "nothing was added");
    // Reordered: the charter first.
    let charter_step = list[1]["id"].as_str().unwrap().to_owned();
    let (status, list) = api_send(
        Method::POST,
        api(&format!("onboarding/checklist/{charter_step}/move")),
        &chair,
        &json!({"direction": "up"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(titles(&list), ["Accept the charter", "Read the induction pack"]);
    let (status, _) = api_send(
        Method::POST,
        api(&format!("onboarding/checklist/{charter_step}/move")),
        &chair,
        &json!({"direction": "sideways"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an unknown direction is refused");

    // A newcomer ticks the manual step; the organiser follows their progress.
    let bo = app.user("bo@example.org", "Bo Newcomer").await;
    bo.post(app.at("/n/eas/join")).send().await.unwrap();
    let member = app.api_token(&bo).await;
    let manual = list[1]["id"].as_str().unwrap().to_owned();
    let (status, _) =
        api_send(Method::PUT, api(&format!("onboarding/steps/{manual}")), &member, &json!({"done": true})).await;
    assert_eq!(status, StatusCode::OK);
    let bo_of = |progress: &serde_json::Value| {
        progress["newcomers"].as_array().unwrap().iter().find(|n| n["name"] == "Bo Newcomer").cloned().unwrap()
    };
    let progress = api_get(api("onboarding/progress"), &chair).await;
    let newcomer = &bo_of(&progress);
    assert_eq!(
        (newcomer["name"].as_str(), newcomer["done"].as_u64(), newcomer["total"].as_u64()),
        (Some("Bo Newcomer"), Some(1), Some(2))
    );
    assert_eq!(newcomer["stuck"], false, "{progress}");
    // Stuck after a day; Bo joined three days ago (time travel in the data).
    let (status, problem) =
        api_send(Method::PUT, api("onboarding/stuck-days"), &chair, &json!({"stuck_days": 0})).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("stuck_days"))
    );
    assert_eq!(api_get(api("onboarding/progress"), &chair).await["stuck_days"], progress["stuck_days"], "unchanged");
    let (status, _) = api_send(Method::PUT, api("onboarding/stuck-days"), &chair, &json!({"stuck_days": 1})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    let bo_id = users::by_email(&app.state.db, "bo@example.org").await.unwrap().unwrap().id;
    app.state
        .db
        .write(
            "UPDATE memberships SET created_at = $1 WHERE network_id = $2 AND user_id = $3",
            roundtable_store::params![chrono::Utc::now() - chrono::Duration::days(3), n.id, bo_id],
        )
        .await
        .unwrap();
    let progress = api_get(api("onboarding/progress"), &chair).await;
    assert_eq!((progress["stuck_days"].as_i64(), bo_of(&progress)["stuck"].as_bool()), (Some(1), Some(true)));
    let (status, _) =
        api_send(Method::POST, api(&format!("onboarding/newcomers/{bo_id}/nudge")), &chair, &json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mails = app.emails_to("bo@example.org").await;
    assert!(
        mails.iter().any(|m| m.contains("Your first steps in Network eas") && m.contains("Accept the charter")),
        "{mails:?}"
    );
    app.user("cy@example.org", "Cy Outsider").await;
    let cy = users::by_email(&app.state.db, "cy@example.org").await.unwrap().unwrap().id;
    let (status, _) =
        api_send(Method::POST, api(&format!("onboarding/newcomers/{cy}/nudge")), &chair, &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only newcomers are nudged");

    // The charter: published over the API, Bo must accept it; organisers see who has.
    let (status, problem) = api_send(Method::POST, api("charter"), &chair, &json!({"body": "  "})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("body")));
    let (status, charter) =
        api_send(Method::POST, api("charter"), &chair, &json!({"body": "What is shared here **stays here**."})).await;
    assert_eq!(status, StatusCode::CREATED, "{charter}");
    assert_eq!(charter["version"], 1);
    assert!(charter["html"].as_str().unwrap().contains("<strong>stays here</strong>"), "{charter}");
    assert!(app.emails_to("bo@example.org").await.iter().any(|m| m.contains("please read the updated charter")));
    let seen = api_get(api("charter/acceptances"), &chair).await;
    assert_eq!(seen["current_version"], 1);
    let bo_row = seen["members"].as_array().unwrap().iter().find(|m| m["name"] == "Bo Newcomer").unwrap().clone();
    assert_eq!(
        (bo_row["accepted_version"].clone(), bo_row["current"].as_bool()),
        (serde_json::Value::Null, Some(false))
    );
    let r = reqwest::Client::new().get(api("members")).bearer_auth(&member).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "Bo must accept the new version first");
    let (status, _) = api_send(Method::POST, api("charter/acceptance"), &member, &json!({"version": 1})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let seen = api_get(api("charter/acceptances"), &chair).await;
    let bo_row = seen["members"].as_array().unwrap().iter().find(|m| m["name"] == "Bo Newcomer").unwrap().clone();
    assert_eq!((bo_row["accepted_version"].as_i64(), bo_row["current"].as_bool()), (Some(1), Some(true)));

    // A member may do none of it, and changes nothing trying.
    let writes = [
        (Method::GET, api("onboarding/checklist"), json!(null)),
        (Method::POST, api("onboarding/checklist"), add("Mine", "")),
        (Method::DELETE, api(&format!("onboarding/checklist/{manual}")), json!(null)),
        (Method::POST, api(&format!("onboarding/checklist/{manual}/move")), json!({"direction": "up"})),
        (Method::GET, api("onboarding/progress"), json!(null)),
        (Method::PUT, api("onboarding/stuck-days"), json!({"stuck_days": 30})),
        (Method::POST, api(&format!("onboarding/newcomers/{bo_id}/nudge")), json!({})),
        (Method::POST, api("charter"), json!({"body": "Members rule."})),
        (Method::GET, api("charter/acceptances"), json!(null)),
    ];
    let nudges = app.emails_to("bo@example.org").await.len();
    for (method, url, body) in writes {
        let (status, problem) = api_send(method.clone(), url.clone(), &member, &body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {url}: {problem}");
    }
    assert_eq!(
        titles(&api_get(api("onboarding/checklist"), &chair).await),
        ["Accept the charter", "Read the induction pack"]
    );
    assert_eq!(api_get(api("onboarding/progress"), &chair).await["stuck_days"], 1);
    assert_eq!(api_get(api("charter"), &chair).await["version"], 1);
    assert_eq!(app.emails_to("bo@example.org").await.len(), nudges, "no nudge sent");

    // Removing a step.
    let (status, _) =
        api_send(Method::DELETE, api(&format!("onboarding/checklist/{manual}")), &chair, &json!(null)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(titles(&api_get(api("onboarding/checklist"), &chair).await), ["Accept the charter"]);
    let (status, _) =
        api_send(Method::DELETE, api(&format!("onboarding/checklist/{manual}")), &chair, &json!(null)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already gone");
}
