//! The network charter (versions, acceptance on joining and again after a new version) and the
//! onboarding checklist (manual and automatic steps, newcomers' progress, nudges) — over HTTP on
//! SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::Method;
use reqwest::StatusCode;
use roundtable_store::{Dialect, networks, onboarding, users};
use serde_json::json;
use support::{TestApp, api_get, api_send, unqp};

both!(
    a_buddy_step_is_offered_and_done_while_the_member_has_a_buddy,
    organisers_remind_those_who_have_not_accepted_the_charter_once_a_week,
    a_quarter_of_onboarding_counts_from_joining_and_asks_before_deleting,
    attending_a_welcome_event_completes_the_welcome_step,
    joining_needs_the_current_charter_and_a_new_version_is_accepted_again,
    organisers_run_the_checklist_and_the_charter_over_the_api,
    the_checklist_mixes_ticked_and_automatic_steps_and_organisers_see_who_is_stuck,
    organisers_see_the_days_on_their_own_calendar,
    removing_a_step_counts_the_ticks_of_active_members_only,
    the_add_step_form_keeps_the_chosen_kind_after_a_refusal,
    a_new_charter_version_gives_newcomers_the_stuck_days_again_to_accept_it,
    a_newcomer_waiting_only_for_a_buddy_is_neither_stuck_nor_nudged,
    a_nudge_to_someone_with_the_charter_to_accept_asks_only_for_that,
    organisers_reword_a_step_and_members_keep_their_tick,
    only_members_who_joined_after_the_organisers_day_are_newcomers,
    an_organiser_marks_a_newcomer_settled_in_and_takes_it_back,
    organisers_say_who_is_a_newcomer_over_the_api,
    an_organiser_is_not_a_newcomer_of_the_network_they_run,
    stuck_newcomers_come_first_and_are_reminded_at_once,
);

async fn body(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

/// Moves every step of the network `days` into the past (time travel in the data).
async fn backdate_steps(app: &TestApp, network: roundtable_domain::NetworkId, days: i64) {
    let at = chrono::Utc::now() - chrono::Duration::days(days);
    let sql = "UPDATE onboarding_steps SET created_at = $1 WHERE network_id = $2";
    app.state.db.write(sql, roundtable_store::params![at, network]).await.unwrap();
}

/// Moves the last nudge of `user` in the network an hour into the past: past the moment in
/// which a second request counts as a repeat of the first (`http::is_repeat`).
async fn nudged_an_hour_ago(app: &TestApp, network: roundtable_domain::NetworkId, user: roundtable_domain::UserId) {
    let at = chrono::Utc::now() - chrono::Duration::hours(1);
    let sql = "UPDATE memberships SET nudged_at = $1 WHERE network_id = $2 AND user_id = $3";
    app.state.db.write(sql, roundtable_store::params![at, network, user]).await.unwrap();
}

/// Moves the publication of every charter version of the network `days` into the past.
async fn backdate_charters(app: &TestApp, network: roundtable_domain::NetworkId, days: i64) {
    let at = chrono::Utc::now() - chrono::Duration::days(days);
    let sql = "UPDATE charters SET published_at = $1 WHERE network_id = $2";
    app.state.db.write(sql, roundtable_store::params![at, network]).await.unwrap();
}

/// The organiser adds a step on the page; the answer's status.
async fn add_step(app: &TestApp, admin: &reqwest::Client, title: &str, automatic: &str) -> StatusCode {
    let form = [("title", title), ("description", ""), ("automatic", automatic)];
    admin.post(app.at("/n/eas/onboarding/steps")).form(&form).send().await.unwrap().status()
}

/// Moves a membership's date `days` into the past.
async fn backdate_membership(app: &TestApp, network: roundtable_domain::NetworkId, email: &str, days: i64) {
    let user = users::by_email(&app.state.db, email).await.unwrap().unwrap().id;
    let at = chrono::Utc::now() - chrono::Duration::days(days);
    let sql = "UPDATE memberships SET created_at = $1 WHERE network_id = $2 AND user_id = $3";
    app.state.db.write(sql, roundtable_store::params![at, network, user]).await.unwrap();
}

/// An organiser's quarter: a request approved weeks after it was made counts from the approval
/// (not stuck on day one); a step added later neither appears on long-standing members' pages
/// nor makes newcomers stuck at once; sponsors are not newcomers; a network without a charter
/// does not hold anyone on a "charter" step; a nudge goes once a week at most, and the page says
/// when; removing a step first says how many ticks go with it.
async fn a_quarter_of_onboarding_counts_from_joining_and_asks_before_deleting(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "by_request").await;
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    let add = |title: &'static str, auto: &'static str| {
        admin
            .post(app.at("/n/eas/onboarding/steps"))
            .form(&[("title", title), ("description", ""), ("automatic", auto)])
            .send()
    };
    assert_eq!(add("Read the induction pack", "").await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(add("Accept the charter", "charter").await.unwrap().status(), StatusCode::SEE_OTHER);
    // The same step sent twice (a second tap): refused, with the reason beside the title.
    let twice = add("read the induction pack", "").await.unwrap();
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.text().await.unwrap().contains("The checklist already has a step called"));
    assert_eq!(onboarding::steps(&app.state.db, n.id).await.unwrap().len(), 2);
    backdate_steps(&app, n.id, 60).await;
    admin.post(app.at("/n/eas/onboarding/stuck-days")).form(&[("stuck_days", "7")]).send().await.unwrap();

    // Vi has been a member for a year; Bo asked 20 days ago and is approved today; Spo is a sponsor.
    let (app_ref, admin_ref) = (&app, &admin);
    let approve = |who: &'static str| async move {
        let id = users::by_email(&app_ref.state.db, who).await.unwrap().unwrap().id;
        let r = admin_ref.post(app_ref.at(&format!("/n/eas/requests/{id}/approve"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        id
    };
    let mut joined = Vec::new();
    for (email, name) in
        [("vi@example.org", "Vi Veteran"), ("bo@example.org", "Bo Newcomer"), ("spo@example.org", "Spo Sponsor")]
    {
        let c = app.user(email, name).await;
        assert_eq!(c.post(app.at("/n/eas/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
        backdate_membership(&app, n.id, email, 20).await;
        joined.push((approve(email).await, c));
    }
    backdate_membership(&app, n.id, "vi@example.org", 365).await;
    let spo = joined[2].0;
    admin.post(app.at(&format!("/n/eas/members/{spo}/role"))).form(&[("role", "sponsor")]).send().await.unwrap();
    let since = networks::membership(&app.state.db, n.id, joined[1].0).await.unwrap().unwrap().since;
    assert!(chrono::Utc::now() - since < chrono::Duration::minutes(5), "member since the approval, not the request");
    // The welcome email says the first steps wait (no charter here to accept).
    let welcome = app.emails_to("bo@example.org").await;
    let welcome = welcome.iter().find(|m| m.contains("Subject: Approved: your request to join")).expect("welcome");
    let text = unqp(welcome);
    assert!(text.contains("2 first steps for newcomers wait for you on the network's page."), "{text}");
    assert!(!text.contains("charter"), "{text}");

    // No charter in this network: its step is done for everyone; Bo has one step to do and is
    // not stuck on their first day.
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("1 newcomer;") && page.contains("0 stuck") && page.contains("1 of 2"), "{page}");
    assert!(!page.contains("Vi Veteran") && !page.contains("Spo Sponsor"), "{page}");
    let (vi, bo, sponsor) = (&joined[0].1, &joined[1].1, &joined[2].1);
    assert!(body(bo.get(app.at("/n/eas")).send().await.unwrap()).await.contains("Your first steps (1 of 2 done)"));
    for c in [vi, sponsor] {
        let home = body(c.get(app.at("/n/eas")).send().await.unwrap()).await;
        assert!(home.contains("Network eas") && !home.contains("Your first steps"), "{home}");
    }
    // Nor anything to tick over the API, nor a checklist in Vi's own data.
    let manual = onboarding::steps(&app.state.db, n.id).await.unwrap().into_iter().find(|s| s.automatic.is_empty());
    let url = app.at(&format!("/api/v1/networks/eas/onboarding/steps/{}", manual.unwrap().id));
    let (status, problem) = api_send(Method::PUT, url, &app.api_token(vi).await, &json!({"done": true})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let data: serde_json::Value = vi.get(app.at("/account/export.json")).send().await.unwrap().json().await.unwrap();
    assert!(data["onboarding"].as_array().unwrap().iter().all(|c| c["network"] != "Network eas"), "{data}");

    // Eight days on, Bo is stuck; a step added today does not add to it.
    backdate_membership(&app, n.id, "bo@example.org", 8).await;
    assert_eq!(add("Meet the Chair", "").await.unwrap().status(), StatusCode::SEE_OTHER);
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("1 stuck") && page.contains("1 of 3"), "{page}");

    // One nudge a week: the second is refused and sends nothing; the page shows when.
    let bo_id = joined[1].0;
    let nudge = || admin.post(app.at(&format!("/n/eas/onboarding/nudge/{bo_id}"))).send();
    assert_eq!(nudge().await.unwrap().status(), StatusCode::SEE_OTHER);
    let mails = app.emails_to("bo@example.org").await;
    let reminder = mails.iter().find(|m| m.contains("Your first steps in Network eas")).expect("the reminder");
    assert!(reminder.contains("Read the induction pack") && reminder.contains("Meet the Chair"), "{reminder}");
    assert!(!reminder.contains("Accept the charter"), "a done step is not listed: {reminder}");
    assert!(reminder.contains("Reply-To: admin@example.org"), "a reply reaches the organiser: {reminder}");
    // A second click at once is answered as the first was; later in the week it is refused.
    assert_eq!(nudge().await.unwrap().headers()["location"], format!("/n/eas/onboarding?notice=nudged#n-{bo_id}"));
    nudged_an_hour_ago(&app, n.id, bo_id).await;
    assert_eq!(nudge().await.unwrap().status(), StatusCode::CONFLICT);
    let reminders = app.emails_to("bo@example.org").await.iter().filter(|m| m.contains("Your first steps in")).count();
    assert_eq!(reminders, 1);
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("Reminded ") && !page.contains(&format!("onboarding/nudge/{bo_id}")), "{page}");
    // Bo's own data says when the reminder went.
    let data: serde_json::Value = bo.get(app.at("/account/export.json")).send().await.unwrap().json().await.unwrap();
    let reminded = data["memberships"].as_array().unwrap().iter().find(|m| m["network"] == "Network eas").unwrap();
    assert!(reminded["onboarding_reminder_emailed"].as_str().is_some_and(|at| at.starts_with("20")), "{data}");

    // Removing a ticked step: the page says what goes with it; only the POST removes it.
    let steps = onboarding::steps(&app.state.db, n.id).await.unwrap();
    bo.post(app.at(&format!("/n/eas/checklist/{}/done", steps[0].id))).send().await.unwrap();
    let confirm =
        body(admin.get(app.at(&format!("/n/eas/onboarding/steps/{}/remove", steps[0].id))).send().await.unwrap()).await;
    assert!(
        confirm.contains("Remove the step “Read the induction pack”?") && confirm.contains("One member has ticked it"),
        "{confirm}"
    );
    assert_eq!(onboarding::steps(&app.state.db, n.id).await.unwrap().len(), 3, "asking removes nothing");
    admin.post(app.at(&format!("/n/eas/onboarding/steps/{}/remove", steps[0].id))).send().await.unwrap();
    assert_eq!(onboarding::steps(&app.state.db, n.id).await.unwrap().len(), 2);
    let (audit, _) = roundtable_store::audit::page(&app.state.db, 100, 0).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    for a in ["onboarding.step_removed", "onboarding.stuck_days_set", "onboarding.nudged"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
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
    assert_eq!(r.headers().get("location").unwrap(), "/n/eas/charter?notice=charter-pending&next=%2Fn%2Feas%2Fmembers");
    assert!(app.emails_to("bo@example.org").await.iter().any(|m| m.contains("please read the updated charter")));
    let home = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("new version of its charter"), "{home}");
    let first = body(bo.get(app.at("/")).send().await.unwrap()).await;
    assert!(first.contains(r#"<a href="/n/eas/charter">Read and accept the charter of Network eas</a>"#), "{first}");
    // Accepting an older version does not count: Bo is told version 2 is out.
    let r = bo.post(app.at("/n/eas/charter/accept")).form(&[("version", "1"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(body(r).await.contains("Version 2 has been published since the one you read"));
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
    // A screen reader hears that the form came back with errors: the title says so first, and
    // the summary of what is wrong takes the focus.
    let page = body(r).await;
    assert!(page.contains("<title>Error: Onboarding · Roundtable</title>"), "{page}");
    assert!(
        page.contains("“magic” is not one of them. Leave it empty for a step the member ticks, or give charter, profile, welcome or buddy."),
        "{page}"
    );
    assert!(page.contains(r#"class="error-summary" role="alert" tabindex="-1" autofocus"#), "{page}");
    let fine = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(fine.contains("<title>Onboarding · Roundtable</title>"), "{fine}");
    // A refused "stuck after" comes back as typed, beside the reason (it showed the saved one).
    let r = admin.post(app.at("/n/eas/onboarding/stuck-days")).form(&[("stuck_days", "400")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains(r#"name="stuck_days" type="number" min="1" max="365" value="400""#), "{page}");
    // A notice leads the title, which screen readers read as the page loads.
    let saved = body(admin.get(app.at("/n/eas/onboarding?notice=saved")).send().await.unwrap()).await;
    let notice = roundtable_app::http::notice(Some("saved")).unwrap();
    assert!(saved.contains(&format!("<title>{notice} — Onboarding · Roundtable</title>")), "{saved}");
    let bo = app.user("bo@example.org", "Bo Newcomer").await;
    bo.post(app.at("/n/eas/join")).send().await.unwrap();
    let home = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("Your first steps (0 of 3 done)"), "{home}");
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    let steps = onboarding::steps(&app.state.db, n.id).await.unwrap();
    // Ticking an automatic step is refused, saying so on the checklist; a manual one works.
    let r = bo.post(app.at(&format!("/n/eas/checklist/{}/done", steps[1].id))).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas?notice=step-gone#checklist");
    let home = body(bo.get(app.at("/n/eas?notice=step-gone")).send().await.unwrap()).await;
    assert!(home.contains("That step is not one to tick") && home.contains("(0 of 3 done)"), "{home}");
    bo.post(app.at(&format!("/n/eas/checklist/{}/done", steps[0].id))).send().await.unwrap();
    // The first page asks a newcomer without a job title or department for their profile.
    let first = body(bo.get(app.at("/")).send().await.unwrap()).await;
    assert!(
        first.contains(r#"<a href="/profile">Fill in your profile — at least your job title and department — so colleagues can find you</a>"#),
        "{first}"
    );
    // Filling in the profile completes the automatic step.
    bo.post(app.at("/profile"))
        .form(&[("job_title", "EA"), ("department", "Legal"), ("time_zone", "UTC")])
        .send()
        .await
        .unwrap();
    let home = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("Your first steps (2 of 3 done)"), "{home}");
    // The first page says so too, leading to the checklist.
    let first = body(bo.get(app.at("/")).send().await.unwrap()).await;
    assert!(
        first.contains(r##"<a href="/n/eas#checklist">Your first steps in Network eas: 2 of 3 done</a>"##),
        "{first}"
    );
    // Job title and department filled in: the first page no longer asks for the profile.
    assert!(!first.contains(r#"<a href="/profile">Fill in your profile"#), "{first}");
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
    // The steps were added today: nobody is stuck on a step before it has been there a day.
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("0 stuck") && page.contains("In progress"), "{page}");
    backdate_steps(&app, n.id, 3).await;
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("<strong>Stuck</strong>") && page.contains("1 stuck"), "{page}");
    // On what: the organiser sees the step left, and the rule in words ("1 day", not "1 days").
    assert!(page.contains("<span class=\"muted\">Left: Meet your buddy</span>"), "{page}");
    assert!(page.contains("a step not done 1 day after joining"), "{page}");
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
    backdate_steps(&app, n.id, 200).await;
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("Bo Newcomer") && page.contains("1 stuck"), "{page}");
    // Members cannot manage the checklist or nudge.
    assert_eq!(bo.get(app.at("/n/eas/onboarding")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        bo.post(app.at(&format!("/n/eas/onboarding/steps/{}/remove", steps[0].id))).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // Reordering and removing.
    let r = admin.post(app.at(&format!("/n/eas/onboarding/steps/{}/up", steps[2].id))).send().await.unwrap();
    // Said, and back at the step moved.
    let moved = format!("/n/eas/onboarding?notice=step-moved#step-{}", steps[2].id);
    assert_eq!(r.headers()["location"], moved.as_str());
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
    assert!(home.contains("Your first steps: all 1 done"), "the only step is done: {home}");
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
    let r = bo.post(app.at(&format!("/n/eas/checklist/{}/done", step.id))).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas?notice=step-gone#checklist");
    let bo_id = users::by_email(&app.state.db, "bo@example.org").await.unwrap().unwrap().id;
    let r = admin
        .post(app.at(&format!("/n/eas/onboarding/buddies/{bo_id}")))
        .form(&[("email", "cy@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let home = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("Your first steps: all 1 done") && home.contains("Cy Veteran"), "done: {home}");
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
    // The network has no charter yet, so its step holds nobody up: both done.
    assert_eq!(
        (newcomer["name"].as_str(), newcomer["done"].as_u64(), newcomer["total"].as_u64()),
        (Some("Bo Newcomer"), Some(2), Some(2))
    );
    assert_eq!(newcomer["stuck"], false, "{progress}");
    assert!(newcomer.get("email").is_none(), "organisers' progress names newcomers, no addresses: {newcomer}");
    // Bo unticks the induction pack; stuck after a day, Bo having joined three days ago and the
    // steps been there as long (time travel in the data).
    let (status, _) =
        api_send(Method::PUT, api(&format!("onboarding/steps/{manual}")), &member, &json!({"done": false})).await;
    assert_eq!(status, StatusCode::OK);
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
    backdate_steps(&app, n.id, 3).await;
    let progress = api_get(api("onboarding/progress"), &chair).await;
    assert_eq!((progress["stuck_days"].as_i64(), bo_of(&progress)["stuck"].as_bool()), (Some(1), Some(true)));
    let (status, _) =
        api_send(Method::POST, api(&format!("onboarding/newcomers/{bo_id}/nudge")), &chair, &json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mails = app.emails_to("bo@example.org").await;
    assert!(
        mails.iter().any(|m| m.contains("Your first steps in Network eas") && m.contains("Read the induction pack")),
        "{mails:?}"
    );
    nudged_an_hour_ago(&app, n.id, bo_id).await;
    let (status, problem) =
        api_send(Method::POST, api(&format!("onboarding/newcomers/{bo_id}/nudge")), &chair, &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "one nudge a week: {problem}");
    assert!(api_get(api("onboarding/progress"), &chair).await.to_string().contains("nudged_at"));
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
    assert!(app.emails_to("bo@example.org").await.iter().any(|m| m.contains("has a charter: please read it")));
    let seen = api_get(api("charter/acceptances"), &chair).await;
    assert_eq!(seen["current_version"], 1);
    let bo_row = seen["members"].as_array().unwrap().iter().find(|m| m["name"] == "Bo Newcomer").unwrap().clone();
    assert_eq!(
        (bo_row["accepted_version"].clone(), bo_row["current"].as_bool()),
        (serde_json::Value::Null, Some(false))
    );
    // Who is still to accept, and whether they may be reminded now: yes, then not for a week.
    let pending = api_get(api("charter/acceptances?pending=true"), &chair).await;
    let names: Vec<&str> = pending["members"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"Bo Newcomer") && pending["accepted_current"].as_u64() < pending["total"].as_u64(),
        "{pending}"
    );
    assert!(pending["members"].as_array().unwrap().iter().all(|m| m["current"] == false), "{pending}");
    let from =
        |v: &serde_json::Value| chrono::DateTime::parse_from_rfc3339(v["can_remind_from"].as_str().unwrap()).unwrap();
    assert!(from(&pending) <= chrono::Utc::now() && pending["reminded_at"].is_null(), "{pending}");
    let (status, _) = api_send(Method::POST, api("charter/reminders"), &chair, &json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let after = api_get(api("charter/acceptances"), &chair).await;
    assert!(!after["reminded_at"].is_null(), "{after}");
    assert!(from(&after) > chrono::Utc::now() + chrono::Duration::days(6), "{after}");
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

/// A first charter is announced as the network's charter; the same text published again is
/// refused (it would make everyone accept it again); organisers list who has not accepted the
/// current version and remind them — each of them once, the others not at all — and not again
/// within a week, on the page or over the API.
async fn organisers_remind_those_who_have_not_accepted_the_charter_once_a_week(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let bo = app.user("bo@example.org", "Bo Pending").await;
    bo.post(app.at("/n/eas/join")).send().await.unwrap();
    let cy = app.user("cy@example.org", "Cy Keen").await;
    cy.post(app.at("/n/eas/join")).send().await.unwrap();
    let text = "# Our charter\n\nWhat is shared here stays here.";
    let r = admin.post(app.at("/n/eas/charter")).form(&[("body", text)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mails = app.emails_to("bo@example.org").await;
    assert!(mails.iter().any(|m| m.contains("Subject: Network eas has a charter: please read it")), "{mails:?}");
    // The same text sent again at once (a second click) is answered as the first was; later
    // (give or take blank lines) it is refused. Neither makes a version or emails anyone.
    let again = [("body", format!("{}\n", text.replace("\n\n", "\n\n\n")))];
    let r = admin.post(app.at("/n/eas/charter")).form(&again).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas/charter?notice=charter-published");
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    backdate_charters(&app, n.id, 1).await;
    let r = admin.post(app.at("/n/eas/charter")).form(&again).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body(r).await.contains("This reads the same as the current version (1): only blank lines or spacing differ.")
    );
    assert_eq!(app.emails_to("bo@example.org").await.len(), mails.len());
    assert_eq!(roundtable_store::charters::current(&app.state.db, n.id).await.unwrap().unwrap().version, 1);
    let page = body(cy.get(app.at("/n/eas/charter")).send().await.unwrap()).await;
    assert!(page.contains("<h2>Our charter</h2>"), "the charter's headings sit under the page's: {page}");
    let r = cy.post(app.at("/n/eas/charter/accept")).form(&[("version", "1"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let page = body(admin.get(app.at("/n/eas/charter/acceptances?pending=true")).send().await.unwrap()).await;
    assert!(page.contains("1 of 2 members has accepted the current version (1)"), "{page}");
    assert!(page.contains("Bo Pending") && !page.contains("Cy Keen"), "only those pending: {page}");
    assert!(page.contains("Email a reminder to the 1 who have not accepted"), "{page}");
    let r = admin.post(app.at("/n/eas/charter/reminders")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let app_ref = &app;
    let reminder = |to: &'static str| async move {
        app_ref.emails_to(to).await.iter().filter(|m| m.contains("a reminder to accept the charter")).count()
    };
    assert_eq!((reminder("bo@example.org").await, reminder("cy@example.org").await), (1, 0));
    let page = body(admin.get(app.at("/n/eas/charter/acceptances")).send().await.unwrap()).await;
    assert!(page.contains("were reminded on") && !page.contains("Email a reminder"), "{page}");
    // A second click at once is answered as the first was; again later within the week is
    // refused on the page and over the API. Nothing more is sent.
    let r = admin.post(app.at("/n/eas/charter/reminders")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas/charter/acceptances?notice=charter-reminded");
    let hour_ago = chrono::Utc::now() - chrono::Duration::hours(1);
    let sql = "UPDATE charter_reminders SET reminded_at = $1 WHERE network_id = $2";
    app.state.db.write(sql, roundtable_store::params![hour_ago, n.id]).await.unwrap();
    let r = admin.post(app.at("/n/eas/charter/reminders")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let token = app.api_token(&admin).await;
    let (status, _) =
        api_send(Method::POST, app.at("/api/v1/networks/eas/charter/reminders"), &token, &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(reminder("bo@example.org").await, 1);
    // A member may not remind anyone.
    assert_eq!(cy.post(app.at("/n/eas/charter/reminders")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let (log, _) = roundtable_store::audit::page(&app.state.db, 50, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "charter.reminded" && e.detail == "1 member"), "audited");
}

/// An organiser in Auckland sees the day a newcomer joined and was last reminded on their own
/// calendar: 12:30 UTC is already the next morning there (UTC+13 in the southern summer, +12 in
/// winter) — on the progress page, and in the refusal of a second nudge, on the page and over
/// the API. Back in UTC, the page says the UTC day.
async fn organisers_see_the_days_on_their_own_calendar(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let r = admin
        .post(app.at("/n/eas/onboarding/steps"))
        .form(&[("title", "Read the induction pack"), ("description", ""), ("automatic", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let bo = app.user("bo@example.org", "Bo Newcomer").await;
    bo.post(app.at("/n/eas/join")).send().await.unwrap();
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    let bo_id = users::by_email(&app.state.db, "bo@example.org").await.unwrap().unwrap().id;
    // Bo joined, and was reminded, at 12:30 UTC two days ago (time travel in the data).
    let at = (chrono::Utc::now() - chrono::Duration::days(2)).date_naive().and_hms_opt(12, 30, 0).unwrap().and_utc();
    let written = |t: chrono::DateTime<chrono::Utc>| t.format("%-d %b %Y").to_string();
    let (utc_day, auckland_day) = (written(at), written(at + chrono::Duration::days(1)));
    app.state
        .db
        .write(
            "UPDATE memberships SET created_at = $1, nudged_at = $1 WHERE network_id = $2 AND user_id = $3",
            roundtable_store::params![at, n.id, bo_id],
        )
        .await
        .unwrap();
    let set_tz = |tz: &'static str| {
        app.state.db.write(
            "UPDATE users SET time_zone = $1 WHERE email = $2",
            roundtable_store::params![tz, "admin@example.org"],
        )
    };
    set_tz("Pacific/Auckland").await.unwrap();

    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains(&format!(r#"<td data-label="Joined">{auckland_day}</td>"#)), "joined, in Auckland: {page}");
    assert!(page.contains(&format!("Reminded {auckland_day}")), "{page}");
    assert!(!page.contains(&utc_day), "no UTC day: {page}");
    // A second nudge within the week is refused, with the days on the organiser's calendar.
    let again = written(at + chrono::Duration::days(8));
    let refusal = format!("Bo Newcomer was nudged on {auckland_day}; a nudge can be sent again from {again}.");
    let r = admin.post(app.at(&format!("/n/eas/onboarding/nudge/{bo_id}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = body(r).await;
    assert!(page.contains(&refusal), "{refusal} in {page}");
    let token = app.api_token(&admin).await;
    let url = app.at(&format!("/api/v1/networks/eas/onboarding/newcomers/{bo_id}/nudge"));
    let (status, problem) = api_send(Method::POST, url, &token, &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["detail"], refusal, "{problem}");

    set_tz("UTC").await.unwrap();
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(
        page.contains(&format!(r#"<td data-label="Joined">{utc_day}</td>"#))
            && page.contains(&format!("Reminded {utc_day}")),
        "{page}"
    );
}

/// The confirmation before removing a step counts the ticks of people still here: not of
/// those who left the network or whose account was deactivated.
async fn removing_a_step_counts_the_ticks_of_active_members_only(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    assert_eq!(add_step(&app, &admin, "Read the induction pack", "").await, StatusCode::SEE_OTHER);
    let step = onboarding::steps(&app.state.db, n.id).await.unwrap().remove(0).id;
    for (email, name) in
        [("bo@example.org", "Bo Stays"), ("cy@example.org", "Cy Leaves"), ("di@example.org", "Di Gone")]
    {
        let c = app.user(email, name).await;
        c.post(app.at("/n/eas/join")).send().await.unwrap();
        let r = c.post(app.at(&format!("/n/eas/checklist/{step}/done"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        if email == "cy@example.org" {
            assert_eq!(c.post(app.at("/n/eas/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
        }
    }
    let confirm = app.at(&format!("/n/eas/onboarding/steps/{step}/remove"));
    let page = body(admin.get(&confirm).send().await.unwrap()).await;
    assert!(page.contains("2 members have ticked it"), "Bo and Di, not Cy who left: {page}");
    let di = users::by_email(&app.state.db, "di@example.org").await.unwrap().unwrap().id;
    let r = admin.post(app.at(&format!("/admin/people/{di}/active"))).form(&[("value", "false")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let page = body(admin.get(&confirm).send().await.unwrap()).await;
    assert!(page.contains("One member has ticked it"), "Bo only: {page}");
}

/// The add-step form, refused, comes back with the kind the organiser chose still chosen.
async fn the_add_step_form_keeps_the_chosen_kind_after_a_refusal(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let fresh = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(fresh.contains(r#"value="" checked>"#) && !fresh.contains(r#"value="welcome" checked"#), "{fresh}");
    let r = admin
        .post(app.at("/n/eas/onboarding/steps"))
        .form(&[("title", ""), ("description", "Coffee with the team"), ("automatic", "welcome")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains(r#"value="welcome" checked>"#), "the chosen kind: {page}");
    assert!(!page.contains(r#"value="" checked"#), "only one is chosen: {page}");
    assert!(page.contains(r#"value="Coffee with the team""#), "{page}");
}

/// A newcomer who accepted version 1 long ago and did every other step is not stuck the day
/// version 2 appears: the charter step counts from its publication, and only once the
/// threshold has passed since then does it make them stuck.
async fn a_new_charter_version_gives_newcomers_the_stuck_days_again_to_accept_it(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    let r = admin.post(app.at("/n/eas/charter")).form(&[("body", "Version one: be kind.")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(add_step(&app, &admin, "Accept the charter", "charter").await, StatusCode::SEE_OTHER);
    assert_eq!(add_step(&app, &admin, "Read the induction pack", "").await, StatusCode::SEE_OTHER);
    let r = admin.post(app.at("/n/eas/onboarding/stuck-days")).form(&[("stuck_days", "14")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Bo joined 20 days ago, accepting version 1, and read the pack.
    let bo = app.user("bo@example.org", "Bo Newcomer").await;
    let r = bo.post(app.at("/n/eas/join")).form(&[("accept_charter", "1"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/eas?notice=joined");
    let steps = onboarding::steps(&app.state.db, n.id).await.unwrap();
    let r = bo.post(app.at(&format!("/n/eas/checklist/{}/done", steps[1].id))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    backdate_membership(&app, n.id, "bo@example.org", 20).await;
    backdate_steps(&app, n.id, 20).await;
    backdate_charters(&app, n.id, 20).await;
    let token = app.api_token(&admin).await;
    let bo_progress = || async {
        let p = api_get(app.at("/api/v1/networks/eas/onboarding/progress"), &token).await;
        let bo = p["newcomers"].as_array().unwrap().iter().find(|n| n["name"] == "Bo Newcomer").cloned();
        bo.unwrap_or_else(|| panic!("Bo in {p}"))
    };
    let bo_now = bo_progress().await;
    assert_eq!((bo_now["done"].as_u64(), bo_now["stuck"].as_bool()), (Some(2), Some(false)), "{bo_now}");

    // Version 2 today: Bo has it to accept, and 14 days to do so before counting as stuck.
    let r = admin.post(app.at("/n/eas/charter")).form(&[("body", "Version two: be kinder.")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let bo_now = bo_progress().await;
    assert_eq!((bo_now["done"].as_u64(), bo_now["stuck"].as_bool()), (Some(1), Some(false)), "{bo_now}");
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("0 stuck") && page.contains("1 of 2") && page.contains("In progress"), "{page}");
    // Fifteen days after version 2 was published, Bo has still not accepted it: stuck.
    backdate_charters(&app, n.id, 15).await;
    let bo_now = bo_progress().await;
    assert_eq!((bo_now["done"].as_u64(), bo_now["stuck"].as_bool()), (Some(1), Some(true)), "{bo_now}");
}

/// A buddy step is the organisers' to complete: a newcomer whose only open step it is is not
/// stuck, the page says they wait for a buddy, and a nudge is refused (nothing sent); a nudge
/// about other steps does not list it.
async fn a_newcomer_waiting_only_for_a_buddy_is_neither_stuck_nor_nudged(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    assert_eq!(add_step(&app, &admin, "Read the induction pack", "").await, StatusCode::SEE_OTHER);
    assert_eq!(add_step(&app, &admin, "Meet your buddy", "buddy").await, StatusCode::SEE_OTHER);
    let bo = app.user("bo@example.org", "Bo Newcomer").await;
    bo.post(app.at("/n/eas/join")).send().await.unwrap();
    let cy = app.user("cy@example.org", "Cy Veteran").await;
    cy.post(app.at("/n/eas/join")).send().await.unwrap();
    backdate_membership(&app, n.id, "bo@example.org", 30).await;
    backdate_membership(&app, n.id, "cy@example.org", 400).await;
    backdate_steps(&app, n.id, 30).await;
    let bo_id = users::by_email(&app.state.db, "bo@example.org").await.unwrap().unwrap().id;
    let steps = onboarding::steps(&app.state.db, n.id).await.unwrap();
    let pack = &steps[0].id;

    // Bo read the pack; only the buddy is left, which is not Bo's to do.
    bo.post(app.at(&format!("/n/eas/checklist/{pack}/done"))).send().await.unwrap();
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("1 newcomer; 0 stuck") && page.contains("1 waiting for a buddy."), "{page}");
    assert!(page.contains("Their part is done") && page.contains("<strong>Waiting for a buddy</strong>"), "{page}");
    assert!(!page.contains(&format!("onboarding/nudge/{bo_id}")), "no reminder button: {page}");
    let token = app.api_token(&admin).await;
    let progress = api_get(app.at("/api/v1/networks/eas/onboarding/progress"), &token).await;
    let bo_row = &progress["newcomers"][0];
    assert_eq!(
        (bo_row["done"].as_u64(), bo_row["stuck"].as_bool(), bo_row["waiting_for_buddy"].as_bool()),
        (Some(1), Some(false), Some(true)),
        "{progress}"
    );
    let refusal = "Everything left for Bo Newcomer is for the organisers: pair them with a buddy.";
    let r = admin.post(app.at(&format!("/n/eas/onboarding/nudge/{bo_id}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = body(r).await;
    assert!(page.contains(refusal), "{page}");
    let url = app.at(&format!("/api/v1/networks/eas/onboarding/newcomers/{bo_id}/nudge"));
    let (status, problem) = api_send(Method::POST, url.clone(), &token, &json!({})).await;
    assert_eq!((status, problem["detail"].as_str()), (StatusCode::CONFLICT, Some(refusal)), "{problem}");
    assert!(app.emails_to("bo@example.org").await.iter().all(|m| !m.contains("Your first steps in")), "none sent");
    let progress = api_get(app.at("/api/v1/networks/eas/onboarding/progress"), &token).await;
    assert!(progress["newcomers"][0]["nudged_at"].is_null(), "a refused nudge is not recorded: {progress}");

    // With the pack unticked again, Bo is stuck on it; the nudge lists it and not the buddy.
    bo.post(app.at(&format!("/n/eas/checklist/{pack}/undo"))).send().await.unwrap();
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("1 stuck") && page.contains("<strong>Stuck</strong>"), "{page}");
    let (status, _) = api_send(Method::POST, url, &token, &json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mails = app.emails_to("bo@example.org").await;
    let reminder = unqp(mails.iter().find(|m| m.contains("Your first steps in")).expect("the reminder"));
    assert!(reminder.contains("Read the induction pack"), "{reminder}");
    assert!(!reminder.contains("Meet your buddy"), "the buddy step is not Bo's to do: {reminder}");
    assert!(reminder.contains("Pairing you with a buddy is up to the organisers"), "{reminder}");

    // Once paired, the buddy step is done.
    let r = admin
        .post(app.at(&format!("/n/eas/onboarding/buddies/{bo_id}")))
        .form(&[("email", "cy@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(!page.contains("waiting for a buddy") && page.contains("Cy Veteran"), "{page}");
    // Cy leaves the network: Bo waits for a buddy again (an organiser's ending would not).
    assert_eq!(cy.post(app.at("/n/eas/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("1 waiting for a buddy.") && page.contains("<strong>Waiting for a buddy</strong>"), "{page}");
}

/// A newcomer who has the network's new charter to accept sees no steps on its page; a nudge
/// then asks them only to accept the charter, and names no step.
async fn a_nudge_to_someone_with_the_charter_to_accept_asks_only_for_that(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    admin.post(app.at("/n/eas/charter")).form(&[("body", "Version one: be kind.")]).send().await.unwrap();
    assert_eq!(add_step(&app, &admin, "Collect the room codes", "").await, StatusCode::SEE_OTHER);
    assert_eq!(add_step(&app, &admin, "Sign the charter", "charter").await, StatusCode::SEE_OTHER);
    let bo = app.user("bo@example.org", "Bo Newcomer").await;
    bo.post(app.at("/n/eas/join")).form(&[("accept_charter", "1"), ("agree", "yes")]).send().await.unwrap();
    admin.post(app.at("/n/eas/charter")).form(&[("body", "Version two: be kinder.")]).send().await.unwrap();
    let home = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("new version of its charter") && !home.contains("Collect the room codes"), "{home}");

    // The organisers see why Bo's checklist does not move, on the page and over the API.
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("Charter not accepted"), "{page}");
    let token = app.api_token(&admin).await;
    let progress = api_get(app.at("/api/v1/networks/eas/onboarding/progress"), &token).await;
    let row = &progress["newcomers"][0];
    assert_eq!(
        (row["name"].as_str(), row["charter_pending"].as_bool()),
        (Some("Bo Newcomer"), Some(true)),
        "{progress}"
    );
    assert_eq!(row["left"], json!(["Collect the room codes", "Sign the charter"]), "{progress}");

    let bo_id = users::by_email(&app.state.db, "bo@example.org").await.unwrap().unwrap().id;
    let r = admin.post(app.at(&format!("/n/eas/onboarding/nudge/{bo_id}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mails = app.emails_to("bo@example.org").await;
    let reminder = unqp(mails.iter().find(|m| m.contains("Your first steps in")).expect("the reminder"));
    // Bo accepted the first version: the reminder speaks of the new one, not of first steps.
    assert!(reminder.contains("published a new version of its charter"), "{reminder}");
    assert!(!reminder.contains("Before your first steps"), "{reminder}");
    assert!(reminder.contains(&app.at("/n/eas/charter")), "a link to the charter: {reminder}");
    for title in ["Collect the room codes", "Sign the charter", "What is left"] {
        assert!(!reminder.contains(title), "{title} in {reminder}");
    }
}

/// A typo fixed on the page or over the API keeps the step (its id, place and kind) and every
/// member's tick; the new wording is what members see. Refusals change nothing: an empty title
/// (422, the add form's message), a member (403), an unknown step (404), a change of kind.
async fn organisers_reword_a_step_and_members_keep_their_tick(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    assert_eq!(add_step(&app, &admin, "Raed the inducton pack", "").await, StatusCode::SEE_OTHER);
    assert_eq!(add_step(&app, &admin, "Fill in your profile", "profile").await, StatusCode::SEE_OTHER);
    let bo = app.user("bo@example.org", "Bo Newcomer").await;
    bo.post(app.at("/n/eas/join")).send().await.unwrap();
    let bo_id = users::by_email(&app.state.db, "bo@example.org").await.unwrap().unwrap().id;
    let steps = onboarding::steps(&app.state.db, n.id).await.unwrap();
    let id = steps[0].id.clone();
    bo.post(app.at(&format!("/n/eas/checklist/{id}/done"))).send().await.unwrap();
    let edit = app.at(&format!("/n/eas/onboarding/steps/{id}/edit"));

    // The manage page links to the form, which shows the step as it is, with labels.
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains(&format!("href=\"/n/eas/onboarding/steps/{id}/edit\">Edit")), "{page}");
    let form = body(admin.get(&edit).send().await.unwrap()).await;
    assert!(form.contains("<h1>Edit a checklist step</h1>"), "{form}");
    assert!(
        form.contains(r#"<label for="f-title">Title</label>"#) && form.contains(r#"value="Raed the inducton pack""#)
    );
    assert!(form.contains(r#"<label for="f-description">Details (optional)</label>"#), "{form}");
    assert!(form.contains("How it is completed: Ticked by the member."), "{form}");

    // An empty title is refused with the add form's message, the text sent kept; nothing changes.
    let r = admin.post(&edit).form(&[("title", "  "), ("description", "On the intranet")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains("Give the step a short title (up to 120 characters).") && page.contains("aria-invalid"));
    assert!(page.contains(r#"value="On the intranet""#), "{page}");
    assert_eq!(onboarding::steps(&app.state.db, n.id).await.unwrap()[0].title, "Raed the inducton pack");

    // Saved: same id and place, the tick kept, the new title on Bo's checklist.
    let r = admin
        .post(&edit)
        .form(&[("title", "Read the induction pack"), ("description", "On the intranet")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/eas/onboarding?notice=step-edited");
    let now = onboarding::steps(&app.state.db, n.id).await.unwrap();
    assert_eq!(
        (now[0].id.as_str(), now[0].title.as_str(), now[0].description.as_str()),
        (id.as_str(), "Read the induction pack", "On the intranet")
    );
    assert_eq!(now[0].automatic, "");
    let ticks = onboarding::done_for(&app.state.db, n.id, bo_id).await.unwrap();
    assert_eq!(ticks.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(), [id.as_str()], "the tick survives");
    let home = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("Your first steps (1 of 2 done)"), "{home}");
    assert!(home.contains("<strong>Done:</strong> Read the induction pack — On the intranet"), "{home}");
    assert!(!home.contains("Raed"), "{home}");
    let (log, _) = roundtable_store::audit::page(&app.state.db, 100, 0).await.unwrap();
    let e = log.iter().find(|e| e.action == "onboarding.step_edited").expect("audited");
    assert_eq!((e.subject.as_str(), e.detail.as_str()), ("Read the induction pack", "was “Raed the inducton pack”"));

    // A member may neither see the form nor send it.
    assert_eq!(bo.get(&edit).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let r = bo.post(&edit).form(&[("title", "Bo's step"), ("description", "")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let unknown = app.at("/n/eas/onboarding/steps/no-such-step/edit");
    assert_eq!(admin.get(&unknown).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    // The API: reworded, keeping the id; a member refused; an unknown step; empty title; a kind.
    let chair = app.api_token(&admin).await;
    let member = app.api_token(&bo).await;
    let url = |step: &str| app.at(&format!("/api/v1/networks/eas/onboarding/checklist/{step}"));
    let (status, list) = api_send(
        Method::PUT,
        url(&id),
        &chair,
        &json!({"title": "Read the induction pack (PDF)", "description": "On the intranet"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(
        (list[0]["id"].as_str(), list[0]["title"].as_str()),
        (Some(id.as_str()), Some("Read the induction pack (PDF)"))
    );
    let refused = [
        (&member, url(&id), json!({"title": "Bo's step"}), StatusCode::FORBIDDEN),
        (&chair, url("no-such-step"), json!({"title": "Anything"}), StatusCode::NOT_FOUND),
        (&chair, url(&id), json!({"title": "", "description": "x"}), StatusCode::UNPROCESSABLE_ENTITY),
        (&chair, url(&id), json!({"title": "Anything", "automatic": "charter"}), StatusCode::UNPROCESSABLE_ENTITY),
    ];
    for (token, url, body, expected) in refused {
        let (status, problem) = api_send(Method::PUT, url.clone(), token, &body).await;
        assert_eq!(status, expected, "{url} {body}: {problem}");
        if body["title"] == "" {
            assert_eq!(problem["errors"][0]["field"], "title", "{problem}");
            let message = problem["errors"][0]["message"].as_str().unwrap_or_default();
            assert_eq!(message, "Give the step a short title (up to 120 characters).", "{problem}");
        }
    }
    // A line break is named as such (not as a title too long), and invisible characters alone
    // are no title.
    for (title, message) in [
        ("Line\nbreak", "Write the step's title on one line, without line breaks or tabs."),
        ("\u{200B}", "Give the step a short title (up to 120 characters)."),
    ] {
        let (status, problem) = api_send(Method::PUT, url(&id), &chair, &json!({ "title": title })).await;
        assert_eq!((status, &problem["errors"][0]["message"]), (StatusCode::UNPROCESSABLE_ENTITY, &json!(message)));
    }
    let now = onboarding::steps(&app.state.db, n.id).await.unwrap();
    assert_eq!((now[0].title.as_str(), now[0].automatic.as_str()), ("Read the induction pack (PDF)", ""), "unchanged");
    // The same wording again is saved as nothing: no write, no audit entry.
    let same = [("title", "Read the induction pack (PDF)"), ("description", "On the intranet")];
    let r = admin.post(&edit).form(&same).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/eas/onboarding?notice=step-unchanged");
    assert_eq!(onboarding::done_for(&app.state.db, n.id, bo_id).await.unwrap().len(), 1);
    let (log, _) = roundtable_store::audit::page(&app.state.db, 100, 0).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "onboarding.step_edited").count(), 2, "refusals are not audited");
    // Renamed over the API without a description: the step keeps its own.
    let (status, list) = api_send(Method::PUT, url(&id), &chair, &json!({"title": "Read the induction pack"})).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(
        (list[0]["title"].as_str(), list[0]["description"].as_str()),
        (Some("Read the induction pack"), Some("On the intranet"))
    );
    // Documented beside its neighbours.
    let spec: serde_json::Value = reqwest::get(app.at("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    let put = &spec["paths"]["/api/v1/networks/{slug}/onboarding/checklist/{step}"]["put"];
    assert_eq!(put["tags"], json!(["onboarding"]), "{put}");
    for status in ["200", "403", "404", "422"] {
        assert!(put["responses"][status].is_object(), "PUT documents {status}: {put}");
    }
}

/// The day `t` falls on in UTC, as the date input takes it and as pages write it.
fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}
fn written(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%-d %b %Y").to_string()
}

/// An organiser sets up onboarding for a network whose members were just imported: a day sets
/// them (and a long-standing member) apart — no checklist, not on the progress page — while
/// whoever joins later is a newcomer. The day is read on the organiser's calendar; a day still
/// to come, or not a date, is refused with the reason and changes nothing; a member may not set
/// it; clearing it counts everyone in the window again. Each change is audited.
async fn only_members_who_joined_after_the_organisers_day_are_newcomers(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    assert_eq!(add_step(&app, &admin, "Read the induction pack", "").await, StatusCode::SEE_OTHER);
    // Vi joined a month ago; Ida and Jon come in with today's HR import.
    let vi = app.user("vi@example.org", "Vi Veteran").await;
    vi.post(app.at("/n/eas/join")).send().await.unwrap();
    backdate_membership(&app, n.id, "vi@example.org", 30).await;
    let token = app.api_token(&admin).await;
    let csv = "email,name\r\nida@example.org,Ida Imported\r\njon@example.org,Jon Imported\r\n";
    let r = reqwest::Client::new()
        .post(app.at("/api/v1/imports/members?network=eas"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("3 newcomers;") && page.contains("Ida Imported") && page.contains("Vi Veteran"), "{page}");
    assert!(body(vi.get(app.at("/n/eas")).send().await.unwrap()).await.contains("Your first steps (0 of 1 done)"));
    // The form has its label and says when to use it.
    assert!(page.contains(
        r#"<label for="f-newcomers_from">Members who joined on or before this day are not newcomers</label>"#
    ));
    assert!(page.contains("Set it to the day you imported your existing members"), "{page}");

    let set = |c: &reqwest::Client, day: &str| {
        c.post(app.at("/n/eas/onboarding/newcomers-from")).form(&[("newcomers_from", day.to_owned())]).send()
    };
    let stored = || onboarding::newcomers_from(&app.state.db, n.id);
    let now = chrono::Utc::now();
    // Not a date; a day still to come; a member: refused, nothing stored.
    let r = set(&admin, "31/03/2026").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains("Enter a date like 2026-03-31") && page.contains(r#"value="31/03/2026""#), "{page}");
    assert!(page.contains(r#"aria-invalid="true" aria-describedby="f-newcomers_from-error"#), "{page}");
    let tomorrow = now + chrono::Duration::days(1);
    let r = set(&admin, &iso(tomorrow)).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains(&format!("{} is still to come", written(tomorrow))), "{page}");
    assert_eq!(set(&vi, &iso(now)).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(stored().await.unwrap(), None, "nothing stored");
    // Until then, the list of newcomers points to the setting below it.
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains(r##"<a href="#from-h">say from which day people count as newcomers</a>"##), "{page}");

    // Today: everyone who is a member now is settled; the page and Vi's home say so.
    let r = set(&admin, &iso(now)).await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas/onboarding?notice=newcomers-from-set");
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("0 newcomers;") && !page.contains("Vi Veteran") && !page.contains("Ida Imported"), "{page}");
    assert!(!page.contains("say from which day people count as newcomers"), "set: no pointer");
    // Set during the day it names, it says up to when: those joining later today are newcomers.
    let said = format!(" UTC on {} are not counted as newcomers.", written(now));
    assert!(page.contains("Members who joined before ") && page.contains(&said), "{page}");
    assert!(page.contains(&format!(r#"type="date" value="{}""#, iso(now))), "the form shows the day: {page}");
    let home = body(vi.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("Network eas") && !home.contains("Your first steps"), "{home}");
    let mine = api_get(app.at("/api/v1/networks/eas/onboarding"), &app.api_token(&vi).await).await;
    assert_eq!(mine["total"], 0, "{mine}");
    // Ned joins afterwards: a newcomer, with the checklist.
    let ned = app.user("ned@example.org", "Ned Newcomer").await;
    ned.post(app.at("/n/eas/join")).send().await.unwrap();
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("1 newcomer;") && page.contains("Ned Newcomer"), "{page}");
    assert!(body(ned.get(app.at("/n/eas")).send().await.unwrap()).await.contains("Your first steps (0 of 1 done)"));
    // The same day saved again (a tab left open) keeps its moment: Ned stays a newcomer.
    assert_eq!(set(&admin, &iso(now)).await.unwrap().status(), StatusCode::SEE_OTHER);
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("1 newcomer;") && page.contains("Ned Newcomer"), "{page}");

    // On the organiser's calendar: Vi joined at 20:00 UTC three days ago, already the next day
    // in Auckland. That UTC day leaves Vi a newcomer there; the next day does not.
    let vi_id = users::by_email(&app.state.db, "vi@example.org").await.unwrap().unwrap().id;
    let joined = (now - chrono::Duration::days(3)).date_naive().and_hms_opt(20, 0, 0).unwrap().and_utc();
    let sql = "UPDATE memberships SET created_at = $1 WHERE network_id = $2 AND user_id = $3";
    app.state.db.write(sql, roundtable_store::params![joined, n.id, vi_id]).await.unwrap();
    let sql = "UPDATE users SET time_zone = $1 WHERE email = $2";
    app.state.db.write(sql, roundtable_store::params!["Pacific/Auckland", "admin@example.org"]).await.unwrap();
    assert_eq!(set(&admin, &iso(joined)).await.unwrap().status(), StatusCode::SEE_OTHER);
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("Vi Veteran"), "Vi joined the day after, in Auckland: {page}");
    let next = joined + chrono::Duration::days(1);
    assert_eq!(set(&admin, &iso(next)).await.unwrap().status(), StatusCode::SEE_OTHER);
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(!page.contains("Vi Veteran") && page.contains("Ida Imported"), "joined later than that day: {page}");
    assert!(page.contains(&format!("on or before {} are not", written(next))), "{page}");

    // Cleared: everyone in the window is a newcomer again.
    let r = set(&admin, "").await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas/onboarding?notice=newcomers-from-cleared");
    assert_eq!(stored().await.unwrap(), None);
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("4 newcomers;") && page.contains("Vi Veteran"), "{page}");
    assert!(body(vi.get(app.at("/n/eas")).send().await.unwrap()).await.contains("Your first steps (0 of 1 done)"));

    let (log, _) = roundtable_store::audit::page(&app.state.db, 100, 0).await.unwrap();
    let set_entries: Vec<&str> =
        log.iter().filter(|e| e.action == "onboarding.newcomers_from_set").map(|e| e.detail.as_str()).collect();
    assert_eq!(set_entries.len(), 3, "refusals are not audited: {set_entries:?}");
    let today = format!(" UTC on {} are not newcomers", written(now));
    assert!(set_entries.iter().any(|e| e.starts_with("members who joined before ") && e.ends_with(&today)));
    assert_eq!(log.iter().filter(|e| e.action == "onboarding.newcomers_from_cleared").count(), 1);
}

/// An organiser marks a newcomer settled in (someone who did the induction before Roundtable):
/// off the progress page, listed apart, no checklist at home, no nudge; "download my data" says
/// when. Taken back, they are a newcomer again with their ticks. A member, a sponsor, another
/// network's Chair and a stranger are refused and change nothing. Erasing the person keeps the
/// mark tied to the anonymous account, and the audit entries stop naming them.
async fn an_organiser_marks_a_newcomer_settled_in_and_takes_it_back(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    app.network(&admin, "ops", "open").await;
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    assert_eq!(add_step(&app, &admin, "Read the induction pack", "").await, StatusCode::SEE_OTHER);
    assert_eq!(add_step(&app, &admin, "Meet the Chair", "").await, StatusCode::SEE_OTHER);
    let bo = app.user("bo@example.org", "Bo Newcomer").await;
    bo.post(app.at("/n/eas/join")).send().await.unwrap();
    let bo_id = users::by_email(&app.state.db, "bo@example.org").await.unwrap().unwrap().id;
    let steps = onboarding::steps(&app.state.db, n.id).await.unwrap();
    bo.post(app.at(&format!("/n/eas/checklist/{}/done", steps[0].id))).send().await.unwrap();
    backdate_membership(&app, n.id, "bo@example.org", 30).await;
    backdate_steps(&app, n.id, 30).await;
    admin.post(app.at("/n/eas/onboarding/stuck-days")).form(&[("stuck_days", "7")]).send().await.unwrap();
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("1 newcomer; 1 stuck") && page.contains("Bo Newcomer"), "{page}");
    let settle = format!("/n/eas/onboarding/settled/{bo_id}");
    assert!(page.contains(&format!(r#"action="{settle}"><button class="secondary" type="submit">Mark as settled in"#)));

    // Who may not: a member, a sponsor, the Chair of another network (a member here), a stranger.
    let cy = app.user("cy@example.org", "Cy Member").await;
    cy.post(app.at("/n/eas/join")).send().await.unwrap();
    let spo = app.user("spo@example.org", "Spo Sponsor").await;
    spo.post(app.at("/n/eas/join")).send().await.unwrap();
    let spo_id = users::by_email(&app.state.db, "spo@example.org").await.unwrap().unwrap().id;
    admin.post(app.at(&format!("/n/eas/members/{spo_id}/role"))).form(&[("role", "sponsor")]).send().await.unwrap();
    let olga = app.user("olga@example.org", "Olga Otherchair").await;
    olga.post(app.at("/n/eas/join")).send().await.unwrap();
    olga.post(app.at("/n/ops/join")).send().await.unwrap();
    let olga_id = users::by_email(&app.state.db, "olga@example.org").await.unwrap().unwrap().id;
    let r = admin.post(app.at(&format!("/n/ops/members/{olga_id}/role"))).form(&[("role", "chair")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let stranger = app.user("st@example.org", "Stan Stranger").await;
    for (who, c) in [("member", &cy), ("sponsor", &spo), ("other chair", &olga), ("stranger", &stranger)] {
        for path in [settle.clone(), format!("{settle}/undo"), "/n/eas/onboarding/newcomers-from".to_owned()] {
            let r = c.post(app.at(&path)).form(&[("newcomers_from", "")]).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who} POST {path}");
        }
    }
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("Bo Newcomer") && !page.contains("Marked as settled in"), "unchanged: {page}");

    // Marked: off the list (listed apart, to take back), no checklist at home, no nudge.
    let r = admin.post(app.at(&settle)).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas/onboarding?notice=settled-in#prog-h");
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    // Cy and Olga, who joined today, are the newcomers now.
    assert!(page.contains("2 newcomers; 0 stuck") && !page.contains("Bo Newcomer</a></th>"), "{page}");
    assert!(page.contains(r#"<h3 id="settled-h">Marked as settled in</h3>"#), "{page}");
    assert!(
        page.contains(&format!(
            r#"action="{settle}/undo"><button class="secondary" type="submit">Count as a newcomer again"#
        )),
        "{page}"
    );
    assert!(!page.contains(&format!("onboarding/nudge/{bo_id}")), "{page}");
    let home = body(bo.get(app.at("/n/eas")).send().await.unwrap()).await;
    assert!(home.contains("Network eas") && !home.contains("Your first steps"), "{home}");
    let r = admin.post(app.at(&format!("/n/eas/onboarding/nudge/{bo_id}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "not a newcomer: no nudge");
    assert!(app.emails_to("bo@example.org").await.iter().all(|m| !m.contains("Your first steps in")));
    assert_eq!(onboarding::done_for(&app.state.db, n.id, bo_id).await.unwrap().len(), 1, "the tick is kept");
    let data = api_get(app.at("/api/v1/me/data"), &app.api_token(&bo).await).await;
    let eas = data["onboarding"].as_array().unwrap().iter().find(|c| c["network"] == "Network eas").unwrap().clone();
    let marked = eas["settled_in"]["marked"].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    assert!(marked.is_some_and(|t| (chrono::Utc::now() - t.to_utc()).num_minutes() < 5), "marked just now: {eas}");
    // What Bo did stays in the download beside the mark; steps no longer Bo's to do are not listed.
    assert_eq!(
        eas["steps"],
        json!([{"step": "Read the induction pack", "done": true, "how": "ticked by you", "ticked": eas["steps"][0]["ticked"]}]),
        "{eas}"
    );
    // Marking a stranger finds no newcomer.
    let st_id = users::by_email(&app.state.db, "st@example.org").await.unwrap().unwrap().id;
    let r = admin.post(app.at(&format!("/n/eas/onboarding/settled/{st_id}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Taken back: a newcomer again, stuck as before, with the tick.
    let r = admin.post(app.at(&format!("{settle}/undo"))).send().await.unwrap();
    let location = r.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/n/eas/onboarding?notice=newcomer-again#n-"), "back at their row: {location}");
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("1 stuck") && page.contains("1 of 2") && !page.contains("Marked as settled in"), "{page}");
    assert!(body(bo.get(app.at("/n/eas")).send().await.unwrap()).await.contains("Your first steps (1 of 2 done)"));
    let (log, _) = roundtable_store::audit::page(&app.state.db, 100, 0).await.unwrap();
    for action in ["onboarding.settled_in", "onboarding.newcomer_again"] {
        let entries: Vec<_> = log.iter().filter(|e| e.action == action).collect();
        assert_eq!(entries.len(), 1, "{action}: refusals are not audited");
        assert_eq!((entries[0].subject.as_str(), entries[0].actor_name.as_str()), ("bo@example.org", "Ada Admin"));
    }

    // Erased: the mark stays with the anonymous account, as the ticks do; the log names nobody.
    admin.post(app.at(&settle)).send().await.unwrap();
    let token = app.api_token(&admin).await;
    let r = reqwest::Client::new()
        .delete(app.at(&format!("/api/v1/people/{bo_id}?confirm=ERASE")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let sql = "SELECT COUNT(*) FROM onboarding_settled WHERE user_id = $1";
    let kept = app.state.db.read_opt(sql, roundtable_store::params![bo_id]).await.unwrap().unwrap().int(0).unwrap();
    assert_eq!(kept, 1);
    assert_eq!(users::by_id(&app.state.db, bo_id).await.unwrap().unwrap().name, "Former member");
    let (log, _) = roundtable_store::audit::page(&app.state.db, 100, 0).await.unwrap();
    assert!(
        log.iter()
            .filter(|e| e.action.starts_with("onboarding.settled") || e.action == "onboarding.newcomer_again")
            .all(|e| e.subject == "a former member"),
        "{log:?}"
    );
}

/// The same over `/api/v1`: the progress says the "newcomers from" and who is marked settled
/// in; `PUT`/`DELETE …/onboarding/newcomers-from` and `…/newcomers/{person}/settled` change them
/// (marking twice writes once), the member's own onboarding follows. A bad day is 422 naming the
/// field; a member 403; another network's organiser 404 (it does not learn the network exists),
/// a person who is no newcomer 404. Documented with those answers.
async fn organisers_say_who_is_a_newcomer_over_the_api(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    app.network(&admin, "hidden", "invitation_only").await;
    assert_eq!(add_step(&app, &admin, "Read the induction pack", "").await, StatusCode::SEE_OTHER);
    let bo = app.user("bo@example.org", "Bo Newcomer").await;
    bo.post(app.at("/n/eas/join")).send().await.unwrap();
    let cy = app.user("cy@example.org", "Cy Member").await;
    cy.post(app.at("/n/eas/join")).send().await.unwrap();
    let bo_id = users::by_email(&app.state.db, "bo@example.org").await.unwrap().unwrap().id;
    let (chair, member, bo_token) = (app.api_token(&admin).await, app.api_token(&cy).await, app.api_token(&bo).await);
    let api = |path: &str| app.at(&format!("/api/v1/networks/eas/{path}"));
    let names = |list: &serde_json::Value| -> Vec<String> {
        list.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
    };
    let progress = api_get(api("onboarding/progress"), &chair).await;
    assert!(progress["newcomers_from"].is_null() && progress["settled"] == json!([]), "{progress}");
    assert_eq!(names(&progress["newcomers"]), ["Bo Newcomer", "Cy Member"]);

    let now = chrono::Utc::now();
    let refused = [
        (
            &chair,
            api("onboarding/newcomers-from"),
            json!({"joined_on_or_before": "last week"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &chair,
            api("onboarding/newcomers-from"),
            json!({"joined_on_or_before": iso(now + chrono::Duration::days(2))}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &chair,
            api("onboarding/newcomers-from"),
            json!({"joined_on_or_before": ""}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (&member, api("onboarding/newcomers-from"), json!({"joined_on_or_before": iso(now)}), StatusCode::FORBIDDEN),
        (
            &member,
            app.at("/api/v1/networks/hidden/onboarding/newcomers-from"),
            json!({"joined_on_or_before": iso(now)}),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (token, url, body, expected) in refused {
        let (status, problem) = api_send(Method::PUT, url.clone(), token, &body).await;
        assert_eq!(status, expected, "{url} {body}: {problem}");
        if expected == StatusCode::UNPROCESSABLE_ENTITY {
            assert_eq!(problem["errors"][0]["field"], "joined_on_or_before", "{problem}");
        }
    }
    let (status, problem) = api_send(Method::DELETE, api("onboarding/newcomers-from"), &member, &json!(null)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert!(api_get(api("onboarding/progress"), &chair).await["newcomers_from"].is_null(), "nothing changed");

    // Today: nobody who is a member now is a newcomer; Bo's own onboarding is empty.
    let (status, set) =
        api_send(Method::PUT, api("onboarding/newcomers-from"), &chair, &json!({"joined_on_or_before": iso(now)}))
            .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    let from = chrono::DateTime::parse_from_rfc3339(set["newcomers_from"].as_str().unwrap()).unwrap();
    // (To the second, as the API writes times.)
    let moment = from.timestamp();
    assert!(
        moment >= now.timestamp() && moment <= chrono::Utc::now().timestamp(),
        "today counts up to the moment it is set: {set}"
    );
    let progress = api_get(api("onboarding/progress"), &chair).await;
    assert_eq!((&progress["newcomers_from"], &progress["newcomers"]), (&set["newcomers_from"], &json!([])));
    assert_eq!(api_get(api("onboarding"), &bo_token).await["total"], 0);
    let (status, _) = api_send(Method::DELETE, api("onboarding/newcomers-from"), &chair, &json!(null)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(api_get(api("onboarding/progress"), &chair).await["newcomers_from"].is_null());
    assert_eq!(api_get(api("onboarding"), &bo_token).await["total"], 1);

    // Settled in, and back.
    let settled = |who: &str| api(&format!("onboarding/newcomers/{who}/settled"));
    let nobody = "0190b2c4-0000-7000-8000-000000000000";
    let refused = [
        (Method::PUT, &member, settled(&bo_id.to_string()), StatusCode::FORBIDDEN),
        (Method::DELETE, &member, settled(&bo_id.to_string()), StatusCode::FORBIDDEN),
        (Method::PUT, &bo_token, settled(&bo_id.to_string()), StatusCode::FORBIDDEN),
        (Method::PUT, &chair, settled(nobody), StatusCode::NOT_FOUND),
        (Method::PUT, &chair, settled("not-an-id"), StatusCode::NOT_FOUND),
        (Method::DELETE, &chair, settled(nobody), StatusCode::NOT_FOUND),
    ];
    for (method, token, url, expected) in refused {
        let (status, problem) = api_send(method.clone(), url.clone(), token, &json!(null)).await;
        assert_eq!(status, expected, "{method} {url}: {problem}");
    }
    assert_eq!(api_get(api("onboarding/progress"), &chair).await["settled"], json!([]), "nothing changed");
    for _ in 0..2 {
        let (status, _) = api_send(Method::PUT, settled(&bo_id.to_string()), &chair, &json!(null)).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let progress = api_get(api("onboarding/progress"), &chair).await;
    assert_eq!(
        (names(&progress["newcomers"]), names(&progress["settled"])),
        (vec!["Cy Member".to_owned()], vec!["Bo Newcomer".to_owned()])
    );
    assert_eq!(progress["settled"][0]["id"], bo_id.to_string());
    assert!(progress["settled"][0]["settled_at"].is_string(), "{progress}");
    assert_eq!(api_get(api("onboarding"), &bo_token).await["total"], 0);
    let (status, _) =
        api_send(Method::POST, api(&format!("onboarding/newcomers/{bo_id}/nudge")), &chair, &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api_send(Method::DELETE, settled(&bo_id.to_string()), &chair, &json!(null)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let progress = api_get(api("onboarding/progress"), &chair).await;
    assert_eq!((names(&progress["newcomers"]).len(), &progress["settled"]), (2, &json!([])));
    assert_eq!(api_get(api("onboarding"), &bo_token).await["total"], 1);

    let (log, _) = roundtable_store::audit::page(&app.state.db, 100, 0).await.unwrap();
    for (action, times) in [
        ("onboarding.newcomers_from_set", 1),
        ("onboarding.newcomers_from_cleared", 1),
        ("onboarding.settled_in", 1),
        ("onboarding.newcomer_again", 1),
    ] {
        assert_eq!(log.iter().filter(|e| e.action == action).count(), times, "{action}");
    }
    let spec: serde_json::Value = reqwest::get(app.at("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    for (path, method, statuses) in [
        ("/api/v1/networks/{slug}/onboarding/newcomers-from", "put", &["200", "403", "404", "422"][..]),
        ("/api/v1/networks/{slug}/onboarding/newcomers-from", "delete", &["204", "403", "404"][..]),
        ("/api/v1/networks/{slug}/onboarding/newcomers/{person}/settled", "put", &["204", "403", "404"][..]),
        ("/api/v1/networks/{slug}/onboarding/newcomers/{person}/settled", "delete", &["204", "403", "404"][..]),
    ] {
        let op = &spec["paths"][path][method];
        assert_eq!(op["tags"], json!(["onboarding"]), "{method} {path}");
        for status in statuses {
            assert!(op["responses"][status].is_object(), "{method} {path} documents {status}: {op}");
        }
    }
    let progress_schema = &spec["components"]["schemas"]["ProgressJson"]["properties"];
    assert!(progress_schema["newcomers_from"].is_object() && progress_schema["settled"].is_object());
}

/// The network's organisers run its onboarding; they are not its newcomers: a member made Chair
/// in their first weeks leaves the newcomers' list (no reminder, no buddy to assign) and their own
/// checklist goes from their pages. Made a Member again, they are a newcomer again.
async fn an_organiser_is_not_a_newcomer_of_the_network_they_run(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    assert_eq!(add_step(&app, &admin, "Read the induction pack", "").await, StatusCode::SEE_OTHER);
    let cho = app.user("cho@example.org", "Cho Chair").await;
    assert_eq!(cho.post(app.at("/n/eas/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let cho_id = users::by_email(&app.state.db, "cho@example.org").await.unwrap().unwrap().id;
    backdate_membership(&app, n.id, "cho@example.org", 20).await;
    backdate_steps(&app, n.id, 20).await;
    let role = |role: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            let r = admin.post(app.at(&format!("/n/eas/members/{cho_id}/role"))).form(&[("role", role)]).send().await;
            assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
        }
    };
    role("chair").await;
    let page = body(cho.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(!page.contains("1 stuck") && !page.contains(&format!("onboarding/nudge/{cho_id}")), "{page}");
    let home = body(cho.get(app.at("/")).send().await.unwrap()).await;
    assert!(!home.contains("Your first steps in Network eas"), "{home}");
    let r = admin.post(app.at(&format!("/n/eas/onboarding/nudge/{cho_id}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "not a newcomer to remind");
    assert!(app.emails_to("cho@example.org").await.iter().all(|m| !m.contains("Your first steps in")), "nothing sent");
    // A Member again (the role was a mistake): a newcomer, stuck, as before.
    role("member").await;
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains("Cho Chair") && page.contains("1 stuck"), "{page}");
    assert!(
        body(cho.get(app.at("/")).send().await.unwrap()).await.contains("Your first steps in Network eas: 0 of 1 done")
    );
}

/// In a network with many newcomers, the stuck ones lead the list, and one button reminds every
/// one of them not reminded this week — not the others, and nobody twice.
async fn stuck_newcomers_come_first_and_are_reminded_at_once(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let n = networks::by_slug(&app.state.db, "eas").await.unwrap().unwrap();
    let pack = "On the intranet: https://intranet.example/pack.pdf.";
    let step = [("title", "Read the induction pack"), ("description", pack), ("automatic", "")];
    admin.post(app.at("/n/eas/onboarding/steps")).form(&step).send().await.unwrap();
    backdate_steps(&app, n.id, 60).await;
    admin.post(app.at("/n/eas/onboarding/stuck-days")).form(&[("stuck_days", "7")]).send().await.unwrap();
    // Ben joined first but is not stuck (he has done his step); Ann and Cy are.
    for (email, name, days) in [
        ("ben@example.org", "Ben Busy", 30),
        ("ann@example.org", "Ann Stuck", 20),
        ("eve@example.org", "Eve Early", 2),
        ("cy@example.org", "Cy Stuck", 10),
    ] {
        let c = app.user(email, name).await;
        assert_eq!(c.post(app.at("/n/eas/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
        backdate_membership(&app, n.id, email, days).await;
        if email == "ben@example.org" {
            let step = onboarding::steps(&app.state.db, n.id).await.unwrap()[0].id.clone();
            let r = c.post(app.at(&format!("/n/eas/checklist/{step}/done"))).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
        }
    }
    // The step's address is a link, on the newcomers' home and the organisers' page.
    let link = r#"<a href="https://intranet.example/pack.pdf">https://intranet.example/pack.pdf</a>."#;
    let cy = app.sign_in("cy@example.org").await;
    assert!(body(cy.get(app.at("/n/eas")).send().await.unwrap()).await.contains(link));
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(page.contains(link), "{page}");
    let at = |name: &str| page.find(name).unwrap_or_else(|| panic!("{name} listed: {page}"));
    assert!(at("Ann Stuck") < at("Cy Stuck") && at("Cy Stuck") < at("Eve Early") && at("Eve Early") < at("Ben Busy"));
    assert!(page.contains("Email a reminder to the 2 stuck newcomers not reminded this week"), "{page}");
    let r = admin.post(app.at("/n/eas/onboarding/nudge-stuck")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas/onboarding?notice=nudged-stuck&sent=2#prog-h");
    let page = body(admin.get(app.at("/n/eas/onboarding?notice=nudged-stuck&sent=2")).send().await.unwrap()).await;
    assert!(page.contains("A reminder has been emailed to 2 newcomers: each stuck newcomer"), "the count is said");
    let reminded = |to: &'static str| {
        let app = &app;
        async move { app.emails_to(to).await.iter().filter(|m| m.contains("Your first steps in")).count() }
    };
    for (to, n) in [("ann@example.org", 1), ("cy@example.org", 1), ("eve@example.org", 0), ("ben@example.org", 0)] {
        assert_eq!(reminded(to).await, n, "{to}");
    }
    let ann = app.emails_to("ann@example.org").await;
    assert!(ann.iter().any(|m| unqp(m).contains("/n/eas#checklist")), "the link opens the checklist: {ann:?}");
    // Pressed again: nobody left to remind this week, said, and nothing sent.
    let r = admin.post(app.at("/n/eas/onboarding/nudge-stuck")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas/onboarding?notice=nudged-none#prog-h");
    assert_eq!((reminded("ann@example.org").await, reminded("cy@example.org").await), (1, 1));
    let page = body(admin.get(app.at("/n/eas/onboarding")).send().await.unwrap()).await;
    assert!(!page.contains("stuck newcomers not reminded this week"), "{page}");
    // Members may not.
    assert_eq!(cy.post(app.at("/n/eas/onboarding/nudge-stuck")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    // An organiser's home page points at the stuck newcomers; a member's does not.
    let (cho, _) = app.member_with_role("eas", "cho@example.org", "Cho Chair", roundtable_domain::Role::Chair).await;
    let home = body(cho.get(app.at("/")).send().await.unwrap()).await;
    let told = r#"<a href="/n/eas/onboarding">2 newcomers to Network eas are stuck on their first steps</a>"#;
    assert!(home.contains(told), "{home}");
    assert!(!body(cy.get(app.at("/")).send().await.unwrap()).await.contains("stuck on their first steps"));
}
