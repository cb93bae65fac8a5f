//! Managing a network's members through `/api/v1`, on SQLite and PostgreSQL: requests to join
//! (list, approve, decline), invitations (list, send, withdraw), roles and removal — each with
//! the effect the member list's page has (the list, the audit log, the email), the same Chair
//! rules, and refused to everyone who may not manage the network's members.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::{Method, StatusCode};
use roundtable_domain::{MembershipStatus, Role, UserId};
use roundtable_store::{Dialect, audit, networks};
use serde_json::{Value, json};
use support::{TestApp, unqp};

both!(
    organisers_list_approve_and_decline_requests,
    organisers_decide_many_requests_in_one_call,
    a_request_to_join_says_why_over_the_api,
    organisers_invite_list_and_withdraw_invitations,
    organisers_change_roles_and_remove_members,
    the_chair_rules_and_the_last_chair_hold_over_the_api,
    only_those_who_manage_the_networks_members_may,
    the_openapi_document_describes_each_member_route,
);

/// A call to `/api/v1` with a token: the status and the JSON answer (null when there is none).
async fn call(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new().request(method, app.at(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    if status.is_client_error() {
        assert_eq!(r.headers()["content-type"], "application/problem+json", "{path}");
    }
    (status, r.json().await.unwrap_or_default())
}

/// Asserts a refusal: its status, stable code, and the field it names (if any).
fn refused(answer: &(StatusCode, Value), status: StatusCode, code: &str, field: Option<&str>) {
    let (s, p) = answer;
    assert_eq!((*s, p["code"].as_str()), (status, Some(code)), "{p}");
    assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()), "{p}");
    if let Some(field) = field {
        let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&field), "{field} in {p}");
    }
}

/// Creates an account, makes it an active member of `slug` with `role`, and gives its API token.
async fn member(app: &TestApp, slug: &str, email: &str, name: &str, role: Role) -> (String, UserId) {
    let (c, id) = app.member_with_role(slug, email, name, role).await;
    (app.api_token(&c).await, id)
}

/// The audit log's entries of `action`: (who, whom, detail).
async fn audited(app: &TestApp, action: &str) -> Vec<(String, String, String)> {
    let (log, _) = audit::page(&app.state.db, 1000, 0).await.unwrap();
    log.iter()
        .filter(|e| e.action == action)
        .map(|e| (e.actor_name.clone(), e.subject.clone(), e.detail.clone()))
        .collect()
}

/// The member list as the API gives it: (id, role) of each active member.
async fn members(app: &TestApp, slug: &str, token: &str) -> Vec<(String, String)> {
    let (status, page) = call(app, Method::GET, &format!("/api/v1/networks/{slug}/members"), token, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let rows = page["members"].as_array().unwrap();
    rows.iter().map(|m| (m["id"].as_str().unwrap().to_owned(), m["role"].as_str().unwrap().to_owned())).collect()
}

fn listed(list: &[(String, String)], who: UserId) -> Option<&str> {
    list.iter().find(|(id, _)| *id == who.to_string()).map(|(_, role)| role.as_str())
}

/// Every invitation link emailed to `to`.
async fn invitation_links(app: &TestApp, to: &str) -> Vec<String> {
    let mails = app.emails_to(to).await;
    mails.iter().filter(|m| m.contains("/invitations/")).map(|m| app.link_in(m, "/invitations/")).collect()
}

async fn organisers_list_approve_and_decline_requests(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "circle", "by_request").await;
    let (chair, _) = member(&app, "circle", "chair@example.org", "Cho Chair", Role::Chair).await;
    for (email, name) in [("bo@example.org", "Bo Asker"), ("di@example.org", "Di Asker")] {
        let c = app.user(email, name).await;
        assert_eq!(c.post(app.at("/n/circle/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    }
    let (bo, di) = (app.user_id("bo@example.org").await, app.user_id("di@example.org").await);

    // The requests, with the addresses the member list's page shows organisers beside them.
    let (status, list) = call(&app, Method::GET, "/api/v1/networks/circle/requests", &chair, None).await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 2, "{list:?}");
    let bo_row = list.iter().find(|r| r["id"] == bo.to_string()).expect("Bo's request");
    assert_eq!((&bo_row["name"], &bo_row["email"]), (&json!("Bo Asker"), &json!("bo@example.org")));
    assert!(chrono::DateTime::parse_from_rfc3339(bo_row["asked_at"].as_str().unwrap()).is_ok(), "{bo_row}");

    // Bad input is refused naming what is wrong, and decides nothing.
    let path = format!("/api/v1/networks/circle/requests/{bo}");
    let r = call(&app, Method::POST, &path, &chair, Some(json!({"decision": "maybe"}))).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", None);
    assert!(r.1["detail"].as_str().unwrap().contains("decision"), "{}", r.1);
    let r = call(&app, Method::POST, &path, &chair, Some(json!({}))).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", None);
    let r = reqwest::Client::new()
        .post(app.at(&path))
        .bearer_auth(&chair)
        .header("content-type", "application/json")
        .body("{decision")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let nobody = UserId::new();
    let r = call(
        &app,
        Method::POST,
        &format!("/api/v1/networks/circle/requests/{nobody}"),
        &chair,
        Some(json!({"decision": "approve"})),
    )
    .await;
    refused(&r, StatusCode::NOT_FOUND, "not_found", None);
    let r = call(
        &app,
        Method::POST,
        "/api/v1/networks/circle/requests/not-an-id",
        &chair,
        Some(json!({"decision": "approve"})),
    )
    .await;
    refused(&r, StatusCode::NOT_FOUND, "not_found", None);
    assert_eq!(app.standing("circle", bo).await, Some((Role::Member, MembershipStatus::Requested)));
    assert!(audited(&app, "membership.approved").await.is_empty());

    // Approving: a member now, in the member list, told by email, in the audit log.
    let r = call(&app, Method::POST, &path, &chair, Some(json!({"decision": "approve"}))).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    assert_eq!(listed(&members(&app, "circle", &chair).await, bo), Some("member"));
    assert_eq!(
        audited(&app, "membership.approved").await,
        [("Cho Chair".to_owned(), "bo@example.org".to_owned(), String::new())]
    );
    let mails = app.emails_to("bo@example.org").await;
    assert!(mails.iter().any(|m| m.contains("was approved")), "{mails:?}");
    // Deciding again: the request is no longer there, and the answer says why.
    let r = call(&app, Method::POST, &path, &chair, Some(json!({"decision": "decline"}))).await;
    refused(&r, StatusCode::CONFLICT, "conflict", Some("request"));
    assert!(r.1["detail"].as_str().unwrap().contains("already a member"), "{}", r.1);
    assert_eq!(app.standing("circle", bo).await, Some((Role::Member, MembershipStatus::Active)));

    // Declining: the request is gone, the person told, the decision audited.
    let path = format!("/api/v1/networks/circle/requests/{di}");
    let r = call(&app, Method::POST, &path, &chair, Some(json!({"decision": "decline"}))).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    assert_eq!(app.standing("circle", di).await, None);
    assert_eq!(listed(&members(&app, "circle", &chair).await, di), None);
    assert_eq!(audited(&app, "membership.declined").await.len(), 1);
    let mails = app.emails_to("di@example.org").await;
    assert!(mails.iter().any(|m| m.contains("was not approved")), "{mails:?}");
    let (_, list) = call(&app, Method::GET, "/api/v1/networks/circle/requests", &chair, None).await;
    assert_eq!(list, json!([]));
    let r = call(&app, Method::POST, &path, &chair, Some(json!({"decision": "approve"}))).await;
    refused(&r, StatusCode::CONFLICT, "conflict", Some("request"));
    assert_eq!(app.standing("circle", di).await, None, "a declined request cannot be approved later");
}

async fn organisers_invite_list_and_withdraw_invitations(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "leaders", "invitation_only").await;
    let chair_page = app.user("chair@example.org", "Cho Chair").await;
    let chair_id = app.user_id("chair@example.org").await;
    let net = networks::by_slug(&app.state.db, "leaders").await.unwrap().unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    let (c, a) = (Role::Chair, MembershipStatus::Active);
    networks::upsert_membership(&mut tx, net.id, chair_id, c, a, chrono::Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    let chair = app.api_token(&chair_page).await;
    let (_, pat) = member(&app, "leaders", "pat@example.org", "Pat Plain", Role::Member).await;
    let per_page = app.user("per@example.org", "Per Account").await;
    let per = app.user_id("per@example.org").await;
    let invitations = "/api/v1/networks/leaders/invitations";

    // Bad input: each field named, nothing sent.
    let r =
        call(&app, Method::POST, invitations, &chair, Some(json!({"email": "new@example.org", "role": "boss"}))).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("role"));
    let detail = r.1["errors"][0]["message"].as_str().unwrap();
    assert!(detail.contains("boss") && detail.contains("training_coordinator"), "the roles there are: {detail}");
    let r =
        call(&app, Method::POST, invitations, &chair, Some(json!({"email": "not an address", "role": "boss"}))).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("email"));
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("role"));
    let r = call(&app, Method::POST, invitations, &chair, Some(json!({"role": "member"}))).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", None);
    let r = call(&app, Method::POST, invitations, &chair, Some(json!({"email": "pat@example.org"}))).await;
    refused(&r, StatusCode::CONFLICT, "conflict", Some("email"));
    assert!(r.1["detail"].as_str().unwrap().contains("already a member"), "{}", r.1);
    assert!(app.emails_to("new@example.org").await.is_empty(), "nothing sent");
    assert!(audited(&app, "membership.invited").await.is_empty());

    // An address without an account: emailed a link, listed with when it stops working.
    let r = call(
        &app,
        Method::POST,
        invitations,
        &chair,
        Some(json!({"email": "new@example.org", "role": "administrator"})),
    )
    .await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.1);
    let new = r.1.as_array().unwrap().iter().find(|i| i["email"] == "new@example.org").expect("listed").clone();
    assert_eq!((&new["role"], &new["id"], &new["name"]), (&json!("administrator"), &Value::Null, &Value::Null));
    let sent = chrono::DateTime::parse_from_rfc3339(new["invited_at"].as_str().unwrap()).unwrap();
    let until = chrono::DateTime::parse_from_rfc3339(new["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!((until - sent).num_days(), 14, "{new}");
    let links = invitation_links(&app, "new@example.org").await;
    assert_eq!(links.len(), 1);
    // Someone with an account, the role left out (a member): listed by name, no expiry.
    let r = call(&app, Method::POST, invitations, &chair, Some(json!({"email": "per@example.org"}))).await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.1);
    assert_eq!(app.standing("leaders", per).await, Some((Role::Member, MembershipStatus::Invited)));
    assert_eq!(invitation_links(&app, "per@example.org").await.len(), 1);
    // Per reads the network with the role the invitation offers.
    let per_token = app.api_token(&per_page).await;
    let (_, mine) = call(&app, Method::GET, "/api/v1/networks/leaders", &per_token, None).await;
    assert_eq!((&mine["my_status"], &mine["my_role"]), (&json!("invited"), &json!("member")), "{mine}");
    let (status, list) = call(&app, Method::GET, invitations, &chair, None).await;
    assert_eq!(status, StatusCode::OK);
    let per_row = list.as_array().unwrap().iter().find(|i| i["email"] == "per@example.org").expect("Per").clone();
    assert_eq!(
        (&per_row["id"], &per_row["name"], &per_row["role"], &per_row["expires_at"]),
        (&json!(per.to_string()), &json!("Per Account"), &json!("member"), &Value::Null)
    );
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    let invited = audited(&app, "membership.invited").await;
    assert_eq!(invited.len(), 2);
    assert!(invited.contains(&("Cho Chair".into(), "new@example.org".into(), "administrator".into())), "{invited:?}");
    // The member list's page shows both, as before.
    let page = chair_page.get(app.at("/n/leaders/members")).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("new@example.org — invited as Administrator (no account yet")
            && page.contains("Per Account (per@example.org)")
    );

    // Withdrawing, the address in the path: the link stops working, the list and page drop it.
    let r = call(&app, Method::DELETE, &format!("{invitations}/new%40example.org"), &chair, None).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    assert_eq!(app.client().get(&links[0]).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let r = call(&app, Method::DELETE, &format!("{invitations}/per@example.org"), &chair, None).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    assert_eq!(app.standing("leaders", per).await, None);
    let (_, list) = call(&app, Method::GET, invitations, &chair, None).await;
    assert_eq!(list, json!([]));
    let page = chair_page.get(app.at("/n/leaders/members")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("new@example.org") && !page.contains("Per Account"), "{page}");
    assert_eq!(audited(&app, "membership.invitation_withdrawn").await.len(), 2);
    // Nothing left to withdraw, an address that was never invited, or an active member: 404.
    for email in ["new@example.org", "nobody@example.org", "not%20an%20address", "pat@example.org"] {
        let r = call(&app, Method::DELETE, &format!("{invitations}/{email}"), &chair, None).await;
        refused(&r, StatusCode::NOT_FOUND, "not_found", None);
    }
    assert_eq!(app.standing("leaders", pat).await, Some((Role::Member, MembershipStatus::Active)));
    assert_eq!(audited(&app, "membership.invitation_withdrawn").await.len(), 2);
}

async fn organisers_change_roles_and_remove_members(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "circle", "by_request").await;
    let (chair, _) = member(&app, "circle", "chair@example.org", "Cho Chair", Role::Chair).await;
    let (_, pat) = member(&app, "circle", "pat@example.org", "Pat Plain", Role::Member).await;
    app.user("out@example.org", "Oz Outside").await;
    let outside = app.user_id("out@example.org").await;
    let role_of = |who: UserId| format!("/api/v1/networks/circle/members/{who}/role");

    // Bad input: the field named, nothing changed.
    let r = call(&app, Method::PUT, &role_of(pat), &chair, Some(json!({"role": "boss"}))).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("role"));
    let r = call(&app, Method::PUT, &role_of(pat), &chair, Some(json!({"role": 5}))).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", None);
    let r = reqwest::Client::new()
        .put(app.at(&role_of(pat)))
        .bearer_auth(&chair)
        .header("content-type", "application/json")
        .body("role=chair")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Someone who is not a member, or nobody at all.
    for who in [outside, UserId::new()] {
        let r = call(&app, Method::PUT, &role_of(who), &chair, Some(json!({"role": "administrator"}))).await;
        refused(&r, StatusCode::NOT_FOUND, "not_found", None);
        let r = call(&app, Method::DELETE, &format!("/api/v1/networks/circle/members/{who}"), &chair, None).await;
        refused(&r, StatusCode::NOT_FOUND, "not_found", None);
    }
    assert_eq!(app.standing("circle", pat).await, Some((Role::Member, MembershipStatus::Active)));
    assert!(audited(&app, "membership.role_changed").await.is_empty());

    // A new role: in the member list, and the audit log.
    let r = call(&app, Method::PUT, &role_of(pat), &chair, Some(json!({"role": "training_coordinator"}))).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    assert_eq!(listed(&members(&app, "circle", &chair).await, pat), Some("training_coordinator"));
    assert_eq!(
        audited(&app, "membership.role_changed").await,
        [("Cho Chair".to_owned(), "pat@example.org".to_owned(), "member → training_coordinator".to_owned())]
    );
    // Pat is told, and a reply reaches the Chair who changed it.
    let told = app.emails_to("pat@example.org").await;
    let role_mail =
        told.iter().find(|m| m.contains("Subject: Your role in Network circle")).expect("told of the new role");
    assert!(
        unqp(role_mail).contains("you are now its Training Coordinator (you were a member)")
            && role_mail.contains("Reply-To: chair@example.org"),
        "{role_mail}"
    );
    // The same role again changes nothing, and the audit log says nothing more.
    let r = call(&app, Method::PUT, &role_of(pat), &chair, Some(json!({"role": "training_coordinator"}))).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    assert_eq!(audited(&app, "membership.role_changed").await.len(), 1);

    // Removed: out of the list, audited, told; a second time finds nobody.
    let before = app.emails_to("pat@example.org").await.len();
    let path = format!("/api/v1/networks/circle/members/{pat}");
    let r = call(&app, Method::DELETE, &path, &chair, None).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    assert_eq!(listed(&members(&app, "circle", &chair).await, pat), None);
    assert_eq!(app.standing("circle", pat).await, None);
    assert_eq!(audited(&app, "membership.removed").await.len(), 1);
    let told = app.emails_to("pat@example.org").await;
    assert_eq!(told.len(), before + 1, "one email about it");
    assert!(told.iter().any(|m| unqp(m).contains("Cho Chair has removed you from Network circle.")), "{told:?}");
    refused(&call(&app, Method::DELETE, &path, &chair, None).await, StatusCode::NOT_FOUND, "not_found", None);

    // A request to join is removed the same way (the page's remove button covers it too).
    let di = app.user("di@example.org", "Di Asker").await;
    assert_eq!(di.post(app.at("/n/circle/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let di = app.user_id("di@example.org").await;
    let r = call(&app, Method::DELETE, &format!("/api/v1/networks/circle/members/{di}"), &chair, None).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    assert_eq!(app.standing("circle", di).await, None);
    let told = app.emails_to("di@example.org").await;
    assert!(told.iter().any(|m| unqp(m).contains("was not approved this time")), "told as a decline is: {told:?}");
}

async fn the_chair_rules_and_the_last_chair_hold_over_the_api(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let org_admin = app.api_token(&admin).await;
    app.network(&admin, "circle", "by_request").await;
    let (chair, cho) = member(&app, "circle", "chair@example.org", "Cho Chair", Role::Chair).await;
    let (administrator, _) = member(&app, "circle", "adm@example.org", "Al Administrator", Role::Administrator).await;
    let (_, pat) = member(&app, "circle", "pat@example.org", "Pat Plain", Role::Member).await;
    let (role_of, member_at) = (
        |who: UserId| format!("/api/v1/networks/circle/members/{who}/role"),
        |who: UserId| format!("/api/v1/networks/circle/members/{who}"),
    );

    // The last Chair can neither step down nor remove themself: a clear refusal naming the role.
    let r = call(&app, Method::PUT, &role_of(cho), &chair, Some(json!({"role": "member"}))).await;
    refused(&r, StatusCode::CONFLICT, "conflict", Some("role"));
    assert!(r.1["detail"].as_str().unwrap().contains("at least one Chair"), "{}", r.1);
    let r = call(&app, Method::DELETE, &member_at(cho), &chair, None).await;
    refused(&r, StatusCode::CONFLICT, "conflict", Some("role"));
    // An Administrator manages members, but neither gives nor takes away the Chair role.
    let r = call(&app, Method::PUT, &role_of(cho), &administrator, Some(json!({"role": "member"}))).await;
    refused(&r, StatusCode::FORBIDDEN, "forbidden", None);
    let r = call(&app, Method::DELETE, &member_at(cho), &administrator, None).await;
    refused(&r, StatusCode::FORBIDDEN, "forbidden", None);
    let r = call(&app, Method::PUT, &role_of(pat), &administrator, Some(json!({"role": "chair"}))).await;
    refused(&r, StatusCode::FORBIDDEN, "forbidden", None);
    let invite = json!({"email": "new@example.org", "role": "chair"});
    let r = call(&app, Method::POST, "/api/v1/networks/circle/invitations", &administrator, Some(invite)).await;
    refused(&r, StatusCode::FORBIDDEN, "forbidden", None);
    assert!(app.emails_to("new@example.org").await.is_empty());
    let batch = "/api/v1/networks/circle/invitations/batch";
    let many = json!({"emails": ["new@example.org", "two@example.org"], "role": "chair"});
    let r = call(&app, Method::POST, batch, &administrator, Some(many)).await;
    refused(&r, StatusCode::FORBIDDEN, "forbidden", None);
    assert!(app.emails_to("new@example.org").await.is_empty());
    // As members, at once: a list with a non-address sends nothing; a good one sends to each
    // who can be invited and says why not to the rest.
    let bad = json!({"emails": ["new@example.org", "nobody"]});
    let r = call(&app, Method::POST, batch, &administrator, Some(bad)).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("emails"));
    assert!(r.1["detail"].as_str().unwrap_or_default().contains("nobody"), "{}", r.1);
    assert!(app.emails_to("new@example.org").await.is_empty());
    // Entries as mail programs copy them are read as the page reads them.
    let good = json!({"emails": ["new@example.org", " NEW@example.org", "Pat Member <pat@example.org>", "\"Two, T\" <two@example.org>"]});
    let r = call(&app, Method::POST, batch, &administrator, Some(good)).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(r.1["sent"], json!(["new@example.org", "two@example.org"]), "{}", r.1);
    assert_eq!(r.1["not_sent"][0]["email"], "pat@example.org", "{}", r.1);
    assert!(r.1["not_sent"][0]["reason"].as_str().unwrap_or_default().contains("already a member"), "{}", r.1);
    assert_eq!(app.emails_to("new@example.org").await.len(), 1);
    // A misspelt field is refused, not ignored: "rol" would otherwise invite as a Member.
    let typo = json!({"email": "typo@example.org", "rol": "chair"});
    let r = call(&app, Method::POST, "/api/v1/networks/circle/invitations", &chair, Some(typo)).await;
    assert_eq!(r.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.1);
    assert!(r.1["detail"].as_str().unwrap_or_default().contains("rol"), "{}", r.1);
    assert!(app.emails_to("typo@example.org").await.is_empty());
    // ...while everyone below the Chair is theirs to manage.
    let r = call(&app, Method::PUT, &role_of(pat), &administrator, Some(json!({"role": "sponsor"}))).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    assert_eq!(app.standing("circle", cho).await, Some((Role::Chair, MembershipStatus::Active)));
    assert_eq!(app.standing("circle", pat).await, Some((Role::Sponsor, MembershipStatus::Active)));

    // Once another Chair is named, the first may step down.
    let r = call(&app, Method::PUT, &role_of(pat), &chair, Some(json!({"role": "chair"}))).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    let r = call(&app, Method::PUT, &role_of(cho), &chair, Some(json!({"role": "member"}))).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    // An org admin can always act, even on the last Chair.
    let r = call(&app, Method::PUT, &role_of(pat), &org_admin, Some(json!({"role": "member"}))).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    assert_eq!(app.standing("circle", pat).await, Some((Role::Member, MembershipStatus::Active)));
}

/// The list's ids, decided in one call: each person told and audited as one by one; those no
/// longer waiting skipped and counted; bad input refused whole.
/// Asking to join over the API may carry a note; the organisers' list of requests gives it.
async fn a_request_to_join_says_why_over_the_api(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "circle", "by_request").await;
    let (chair, _) = member(&app, "circle", "chair@example.org", "Cho Chair", Role::Chair).await;
    let bo = app.user("bo@example.org", "Bo Asker").await;
    let bo_token = app.api_token(&bo).await;
    let bo_id = app.user_id("bo@example.org").await;
    let path = "/api/v1/networks/circle/membership";

    // A note over the limit, or a body not labelled JSON: refused, nothing asked.
    let r = call(&app, Method::POST, path, &bo_token, Some(json!({"note": "y".repeat(501)}))).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("note"));
    let r = reqwest::Client::new()
        .post(app.at(path))
        .bearer_auth(&bo_token)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = call(&app, Method::POST, path, &bo_token, Some(json!({"notes": "typo"}))).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", None);
    assert_eq!(app.standing("circle", bo_id).await, None);

    // 25 lines, the last 500 characters a browser's field allows: line breaks sent as CR LF
    // count one character each, as the field counted them.
    let lines = vec!["y".repeat(19); 25];
    let r = call(&app, Method::POST, path, &bo_token, Some(json!({"note": lines.join("\r\n")}))).await;
    assert_eq!((r.0, &r.1["status"]), (StatusCode::OK, &json!("requested")), "{}", r.1);
    let (_, list) = call(&app, Method::GET, "/api/v1/networks/circle/requests", &chair, None).await;
    assert_eq!(list[0]["note"], lines.join("\n"), "{list}");
    // Withdrawn and asked again with no body at all, a JSON null, or a null note: no note.
    for body in [None, Some(Value::Null), Some(json!({"note": null}))] {
        assert_eq!(call(&app, Method::DELETE, path, &bo_token, None).await.0, StatusCode::NO_CONTENT);
        let r = call(&app, Method::POST, path, &bo_token, body.clone()).await;
        assert_eq!(r.0, StatusCode::OK, "{body:?}: {}", r.1);
        let (_, list) = call(&app, Method::GET, "/api/v1/networks/circle/requests", &chair, None).await;
        assert_eq!(list[0]["note"], Value::Null, "{list}");
    }
}

async fn organisers_decide_many_requests_in_one_call(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "circle", "by_request").await;
    let (chair, _) = member(&app, "circle", "chair@example.org", "Cho Chair", Role::Chair).await;
    let (plain, _) = member(&app, "circle", "pat@example.org", "Pat Plain", Role::Member).await;
    let (mut ids, mut clients) = (Vec::new(), Vec::new());
    for who in ["ann", "bo", "cy", "dee"] {
        let c = app.user(&format!("{who}@example.org"), &format!("{who} Asker")).await;
        assert_eq!(c.post(app.at("/n/circle/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
        ids.push(app.user_id(&format!("{who}@example.org")).await);
        clients.push(c);
    }
    let (_, list) = call(&app, Method::GET, "/api/v1/networks/circle/requests", &chair, None).await;
    let listed: Vec<Value> = list.as_array().unwrap().iter().map(|r| r["id"].clone()).collect();
    assert_eq!(listed.len(), 4);
    let path = "/api/v1/networks/circle/requests";

    // Refused whole, naming `people`, deciding nothing: no ids, an id that is not one, too many;
    // and a member who does not manage members, whatever the ids.
    let too_many: Vec<String> = (0..501).map(|_| UserId::new().to_string()).collect();
    for people in [json!([]), json!([ids[0].to_string(), "not-an-id"]), json!(too_many)] {
        let r = call(&app, Method::POST, path, &chair, Some(json!({"decision": "approve", "people": people}))).await;
        refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("people"));
    }
    let r = call(&app, Method::POST, path, &chair, Some(json!({"decision": "maybe", "people": listed}))).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", None);
    let r = call(&app, Method::POST, path, &plain, Some(json!({"decision": "approve", "people": listed}))).await;
    refused(&r, StatusCode::FORBIDDEN, "forbidden", None);
    for id in &ids {
        assert_eq!(app.standing("circle", *id).await, Some((Role::Member, MembershipStatus::Requested)));
    }

    // Cy declined on his own first; Dee withdraws; an id of no one rides along.
    let cy = json!({"decision": "decline", "people": [ids[2].to_string()]});
    let r = call(&app, Method::POST, path, &chair, Some(cy)).await;
    assert_eq!(r, (StatusCode::OK, json!({"decided": 1, "skipped": 0})));
    assert_eq!(clients[3].post(app.at("/n/circle/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let mut everyone = listed.clone();
    everyone.push(json!(UserId::new().to_string()));
    let r = call(&app, Method::POST, path, &chair, Some(json!({"decision": "approve", "people": everyone}))).await;
    assert_eq!(r, (StatusCode::OK, json!({"decided": 2, "skipped": 3})));
    for (i, active) in [(0, true), (1, true), (2, false), (3, false)] {
        let standing = app.standing("circle", ids[i]).await;
        assert_eq!(standing, active.then_some((Role::Member, MembershipStatus::Active)), "{i}");
    }
    assert_eq!(audited(&app, "membership.approved").await.len(), 2);
    assert_eq!(audited(&app, "membership.declined").await.len(), 1);
    for (who, told) in [("ann", "was approved"), ("bo", "was approved"), ("cy", "was not approved")] {
        let mails = app.emails_to(&format!("{who}@example.org")).await;
        assert_eq!(mails.iter().filter(|m| m.contains(told)).count(), 1, "{who}: {mails:?}");
    }
    let (_, list) = call(&app, Method::GET, path, &chair, None).await;
    assert_eq!(list, json!([]));
}

/// Every route, for everyone who may not manage the network's members: a member, a sponsor, a
/// training coordinator (who organises but does not manage members), the Chair of another
/// network, the Chair with a charter to accept, and a Chair whose token's address is not
/// confirmed. Each is refused with the documented problem and nothing changes; a member's own
/// view of the network is as it was.
async fn only_those_who_manage_the_networks_members_may(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "circle", "by_request").await;
    app.network(&admin, "hidden", "invitation_only").await;
    app.network(&admin, "other", "open").await;
    let (plain, pat) = member(&app, "circle", "pat@example.org", "Pat Plain", Role::Member).await;
    let (sponsor, _) = member(&app, "circle", "spo@example.org", "Sol Sponsor", Role::Sponsor).await;
    let (coordinator, _) = member(&app, "circle", "tc@example.org", "Tia Coordinator", Role::TrainingCoordinator).await;
    let (elsewhere, _) = member(&app, "other", "oc@example.org", "Oli OtherChair", Role::Chair).await;
    let (unconfirmed, _) = member(&app, "circle", "un@example.org", "Una Unconfirmed", Role::Chair).await;
    let sql = "UPDATE users SET email_verified_at = NULL WHERE email = $1";
    app.state.db.write(sql, roundtable_store::params!["un@example.org"]).await.unwrap();
    let asker = app.user("bo@example.org", "Bo Asker").await;
    assert_eq!(asker.post(app.at("/n/circle/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let bo = app.user_id("bo@example.org").await;
    let r = admin.post(app.at("/n/circle/invite")).form(&[("email", "new@example.org"), ("role", "member")]).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::SEE_OTHER);
    let members_before = members(&app, "circle", &plain).await;

    let routes = [
        (Method::GET, "/api/v1/networks/circle/requests".to_owned(), None),
        (Method::POST, format!("/api/v1/networks/circle/requests/{bo}"), Some(json!({"decision": "approve"}))),
        (
            Method::POST,
            "/api/v1/networks/circle/requests".to_owned(),
            Some(json!({"decision": "approve", "people": [bo]})),
        ),
        (Method::GET, "/api/v1/networks/circle/invitations".to_owned(), None),
        (Method::POST, "/api/v1/networks/circle/invitations".to_owned(), Some(json!({"email": "x@example.org"}))),
        (Method::DELETE, "/api/v1/networks/circle/invitations/new@example.org".to_owned(), None),
        (Method::PUT, format!("/api/v1/networks/circle/members/{pat}/role"), Some(json!({"role": "chair"}))),
        (Method::DELETE, format!("/api/v1/networks/circle/members/{pat}"), None),
    ];
    let callers = [
        ("a member", &plain, StatusCode::FORBIDDEN, "forbidden"),
        ("a sponsor", &sponsor, StatusCode::FORBIDDEN, "forbidden"),
        ("a training coordinator", &coordinator, StatusCode::FORBIDDEN, "forbidden"),
        ("another network's Chair", &elsewhere, StatusCode::FORBIDDEN, "forbidden"),
        ("an unconfirmed address", &unconfirmed, StatusCode::FORBIDDEN, "forbidden"),
    ];
    for (who, token, status, code) in callers {
        for (method, path, body) in &routes {
            let r = call(&app, method.clone(), path, token, body.clone()).await;
            assert_eq!((r.0, r.1["code"].as_str()), (status, Some(code)), "{who}: {method} {path}: {}", r.1);
        }
    }
    // An invitation-only network the caller is not in does not exist for them, like one that
    // does not exist at all.
    for (method, path, body) in &routes {
        for net in ["/hidden/", "/nowhere/"] {
            let r = call(&app, method.clone(), &path.replace("/circle/", net), &elsewhere, body.clone()).await;
            refused(&r, StatusCode::NOT_FOUND, "not_found", None);
        }
    }

    // Nothing changed.
    assert_eq!(app.standing("circle", bo).await, Some((Role::Member, MembershipStatus::Requested)));
    assert_eq!(app.standing("circle", pat).await, Some((Role::Member, MembershipStatus::Active)));
    assert!(app.emails_to("x@example.org").await.is_empty());
    assert_eq!(invitation_links(&app, "new@example.org").await.len(), 1);
    for action in ["approved", "invited", "invitation_withdrawn", "role_changed", "removed"] {
        let by_api: Vec<_> =
            audited(&app, &format!("membership.{action}")).await.into_iter().filter(|e| e.0 != "Ada Admin").collect();
        assert!(by_api.is_empty(), "{action}: {by_api:?}");
    }
    // A member's own view of the network is as it was: the member list, without addresses.
    assert_eq!(members(&app, "circle", &plain).await, members_before);
    let (_, page) = call(&app, Method::GET, "/api/v1/networks/circle/members", &plain, None).await;
    assert!(!page.to_string().contains("@example.org"), "{page}");

    // A Chair with the network's new charter to accept: accept it first (409), then it works.
    let (chair, _) = member(&app, "circle", "chair@example.org", "Cho Chair", Role::Chair).await;
    let r = admin.post(app.at("/n/circle/charter")).form(&[("body", "We listen.")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for (method, path, body) in &routes {
        let r = call(&app, method.clone(), path, &chair, body.clone()).await;
        refused(&r, StatusCode::CONFLICT, "charter_acceptance_required", None);
    }
    assert_eq!(app.standing("circle", bo).await, Some((Role::Member, MembershipStatus::Requested)));
    let accept = json!({"version": 1});
    let r = call(&app, Method::POST, "/api/v1/networks/circle/charter/acceptance", &chair, Some(accept)).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    let (status, list) = call(&app, Method::GET, "/api/v1/networks/circle/requests", &chair, None).await;
    assert_eq!((status, list.as_array().unwrap().len()), (StatusCode::OK, 1));
}

/// Each route is in the OpenAPI document with the statuses it can answer, each described; roles
/// are the domain's names, listed as an enum.
async fn the_openapi_document_describes_each_member_route(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let spec: Value = reqwest::get(app.at("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    let routes: [(&str, &str, &[&str]); 8] = [
        ("/api/v1/networks/{slug}/requests", "get", &["200", "401", "403", "404", "409"]),
        ("/api/v1/networks/{slug}/requests", "post", &["200", "400", "403", "404", "409", "415", "422"]),
        ("/api/v1/networks/{slug}/requests/{person}", "post", &["204", "400", "403", "404", "409", "415", "422"]),
        ("/api/v1/networks/{slug}/invitations", "get", &["200", "403", "404", "409"]),
        ("/api/v1/networks/{slug}/invitations", "post", &["201", "400", "403", "404", "409", "422"]),
        ("/api/v1/networks/{slug}/invitations/{email}", "delete", &["204", "403", "404", "409"]),
        ("/api/v1/networks/{slug}/members/{person}/role", "put", &["204", "400", "403", "404", "409", "422"]),
        ("/api/v1/networks/{slug}/members/{person}", "delete", &["204", "403", "404", "409"]),
    ];
    for (path, method, statuses) in routes {
        let op = &spec["paths"][path][method];
        assert_eq!(op["tags"], json!(["networks"]), "{method} {path}");
        for s in statuses {
            let r = &op["responses"][*s];
            let described = r["description"].as_str().is_some_and(|d| !d.is_empty()) || r["$ref"].is_string();
            assert!(described, "{method} {path} should describe {s}: {op}");
        }
    }
    // The last Chair's refusal is described where it can happen.
    for (path, method) in [
        ("/api/v1/networks/{slug}/members/{person}/role", "put"),
        ("/api/v1/networks/{slug}/members/{person}", "delete"),
    ] {
        let d = spec["paths"][path][method]["responses"]["409"]["description"].as_str().unwrap();
        assert!(d.contains("last Chair") && d.contains("charter_acceptance_required"), "{d}");
    }
    let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    for schema in ["InviteJson", "RoleJson", "InvitationJson"] {
        let role = &spec["components"]["schemas"][schema]["properties"]["role"];
        assert_eq!(role["enum"], json!(names), "{schema}: {role}");
    }
    assert_eq!(spec["components"]["schemas"]["Decision"]["enum"], json!(["approve", "decline"]));
}
