//! Network membership management over HTTP, on SQLite and PostgreSQL: invitations can be
//! withdrawn and stop working once withdrawn, removed, declined or left; the Chair role cannot be
//! taken over or left empty; leaving and removing ask for confirmation first.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use roundtable_domain::{MembershipStatus, Role};
use roundtable_store::{Dialect, audit, networks, users};
use support::{PASSWORD, TestApp, api_send};

both!(
    asking_again_the_same_day_emails_the_organisers_once,
    requests_made_together_come_in_one_email,
    inviting_again_replaces_the_link_and_an_address_gets_a_few_a_day,
    withdrawing_an_invitation_cancels_its_link_and_is_audited,
    removing_declining_and_leaving_cancel_open_invitation_links,
    an_administrator_can_neither_take_over_nor_strip_the_chair,
    the_last_chair_stays_unless_another_is_named_or_an_org_admin_acts,
    leaving_and_removing_ask_for_confirmation_first,
    a_new_network_starts_with_the_chair_its_creator_names,
    organisers_are_told_when_a_member_leaves_or_declines,
    an_invitation_that_ran_out_unanswered_stays_listed_to_send_again,
    an_org_admin_deletes_a_network_only_while_it_has_no_history,
    someone_without_an_account_declines_by_the_link_and_the_organisers_are_told,
    a_network_is_told_when_an_organiser_loses_their_account,
    an_address_one_slip_from_the_organisations_domain_is_not_invited,
);

async fn body(r: reqwest::Response) -> String {
    r.text().await.expect("body")
}

async fn invite(app: &TestApp, c: &reqwest::Client, slug: &str, email: &str, role: &str) -> StatusCode {
    c.post(app.at(&format!("/n/{slug}/invite")))
        .form(&[("email", email), ("role", role)])
        .send()
        .await
        .unwrap()
        .status()
}

/// Every invitation link emailed to `to`.
async fn invitation_links(app: &TestApp, to: &str) -> Vec<String> {
    let mails = app.emails_to(to).await;
    mails.iter().filter(|m| m.contains("/invitations/")).map(|m| app.link_in(m, "/invitations/")).collect()
}

/// The one invitation link emailed to `to`.
async fn invitation_link(app: &TestApp, to: &str) -> String {
    let links = invitation_links(app, to).await;
    assert_eq!(links.len(), 1, "one invitation to {to}");
    links[0].clone()
}

/// Accepting an invitation as the client (signed in, or a newcomer naming themself).
async fn accept(c: &reqwest::Client, link: &str) -> reqwest::Response {
    c.post(link).form(&[("name", "Nia New"), ("password", PASSWORD)]).send().await.unwrap()
}

async fn audited(app: &TestApp, action: &str) -> usize {
    let (log, _) = audit::page(&app.state.db, 1000, 0).await.unwrap();
    log.iter().filter(|e| e.action == action).count()
}

/// Requests made between two runs of the schedule reach each organiser as one email naming
/// everyone who asked, with their notes; a run with nothing new sends nothing.
async fn requests_made_together_come_in_one_email(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "circle", "by_request").await;
    app.network(&admin, "other", "by_request").await;
    app.member_with_role("circle", "chair@example.org", "Cho Chair", Role::Chair).await;
    app.member_with_role("circle", "ad@example.org", "Ada Administrator", Role::Administrator).await;
    app.member_with_role("other", "oz@example.org", "Oz Chair", Role::Chair).await;
    for (email, name, note) in [
        ("bo@example.org", "Bo Asker", "I support the CFO."),
        ("cy@example.org", "Cy Asker", ""),
        ("di@example.org", "Di Asker", "Back from leave <3"),
    ] {
        let c = app.user(email, name).await;
        let r = c.post(app.at("/n/circle/join")).form(&[("note", note)]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let sent = roundtable_app::networks::send_request_notices(&app.state, chrono::Utc::now()).await.unwrap();
    assert_eq!(sent, 2, "one email to each of the two organisers");
    for to in ["chair@example.org", "ad@example.org"] {
        let mails = app.emails_to(to).await;
        assert_eq!(mails.len(), 1, "{to}: {mails:?}");
        let m = support::unqp(&mails[0]).replace("\r\n", "\n");
        assert!(m.contains("Subject: 3 people ask to join Network circle"), "{m}");
        assert!(m.contains("Bo Asker, who writes:\nI support the CFO.") && m.contains("\nCy Asker\n"), "{m}");
        assert!(m.contains("Back from leave &lt;3"), "escaped in the HTML part: {m}");
        assert!(!m.contains("Reply-To:"), "a reply would reach no one of the three: {m}");
    }
    assert!(app.emails_to("oz@example.org").await.is_empty(), "another network's Chair hears nothing");
    // Nothing new: nothing sent. One more request later: an email of its own, naming them.
    assert_eq!(roundtable_app::networks::send_request_notices(&app.state, chrono::Utc::now()).await.unwrap(), 0);
    let ed = app.user("ed@example.org", "Ed Asker").await;
    assert_eq!(ed.post(app.at("/n/circle/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(roundtable_app::networks::send_request_notices(&app.state, chrono::Utc::now()).await.unwrap(), 2);
    let mails = app.emails_to("chair@example.org").await;
    let m = mails.iter().find(|m| m.contains("Subject: Ed Asker asks to join Network circle")).expect("Ed's");
    assert!(m.contains("Reply-To: ed@example.org"), "{m}");
    assert!(support::unqp(m).contains("3 earlier requests are waiting for a decision too."), "{m}");
    assert_eq!(mails.len(), 2);

    // Bo, declined, asks again at once: a new request, announced — once the hour since his
    // first was announced has passed (asking over and over is not a stream of mail).
    let bo = app.user_id("bo@example.org").await;
    let chair = app.sign_in("chair@example.org").await;
    let r = chair.post(app.at(&format!("/n/circle/requests/{bo}/decline"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let bo_page = app.sign_in("bo@example.org").await;
    let r = bo_page.post(app.at("/n/circle/join")).form(&[("note", "Please reconsider")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let now = chrono::Utc::now();
    assert_eq!(roundtable_app::networks::send_request_notices(&app.state, now).await.unwrap(), 0);
    let later = now + chrono::Duration::minutes(61);
    assert_eq!(roundtable_app::networks::send_request_notices(&app.state, later).await.unwrap(), 2);
    // Queued for that later time: read from the outbox.
    let (queued, _) = roundtable_store::outbox::page(&app.state.db, 1000, 0).await.unwrap();
    let again = queued
        .iter()
        .find(|m| m.to == "chair@example.org" && m.subject == "Bo Asker asks to join Network circle")
        .expect("announced again");
    assert!(again.text_body.contains("Please reconsider"), "{}", again.text_body);
    assert_eq!(roundtable_app::networks::send_request_notices(&app.state, later).await.unwrap(), 0, "once");

    // A network with no Chair or Administrator: the org admins hear of its requests, and their
    // home page lists them though they do not belong to it.
    app.network(&admin, "orphan", "by_request").await;
    let fay = app.user("fay@example.org", "Fay Asker").await;
    assert_eq!(fay.post(app.at("/n/orphan/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(roundtable_app::networks::send_request_notices(&app.state, chrono::Utc::now()).await.unwrap(), 1);
    let mails = app.emails_to("admin@example.org").await;
    assert!(mails.iter().any(|m| m.contains("Subject: Fay Asker asks to join Network orphan")), "{mails:?}");
    let home = body(admin.get(app.at("/")).send().await.unwrap()).await;
    let waits = r#"<a href="/n/orphan/members#requests">1 request to join Network orphan waits for a decision</a>"#;
    assert!(home.contains(waits) && !home.contains("Network circle wait"), "{home}");
}

/// Asking to join, withdrawing and asking again (over and over) tells the organisers once a day.
async fn asking_again_the_same_day_emails_the_organisers_once(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "circle", "by_request").await;
    app.member_with_role("circle", "chair@example.org", "Cho Chair", Role::Chair).await;
    let bo = app.user("bo@example.org", "Bo Asker").await;
    for _ in 0..3 {
        assert_eq!(bo.post(app.at("/n/circle/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
        assert_eq!(bo.post(app.at("/n/circle/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(bo.post(app.at("/n/circle/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    // Announced by the next run of the schedule, and again by none later that day.
    roundtable_app::networks::send_request_notices(&app.state, chrono::Utc::now()).await.unwrap();
    assert_eq!(bo.post(app.at("/n/circle/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(bo.post(app.at("/n/circle/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    roundtable_app::networks::send_request_notices(&app.state, chrono::Utc::now()).await.unwrap();
    let mails = app.emails_to("chair@example.org").await;
    let asks = mails.iter().filter(|m| m.contains("Bo Asker asks to join")).count();
    // A reply reaches the one asking (organisers see their address beside the request anyway).
    assert!(
        mails.iter().filter(|m| m.contains("Bo Asker asks to join")).all(|m| m.contains("Reply-To: bo@example.org")),
        "{mails:?}"
    );
    assert_eq!(asks, 1);
    // Its link leads to the requests, through sign-in (where an anchor would be lost).
    let link = app.link_in(mails.iter().find(|m| m.contains("Bo Asker asks to join")).unwrap(), "/n/circle/requests");
    let r = app.client().get(&link).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/sign-in?next=%2Fn%2Fcircle%2Frequests");
    let chair = app.sign_in("chair@example.org").await;
    let r = chair.get(&link).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/circle/members#requests");
    let page = body(chair.get(app.at("/n/circle/members")).send().await.unwrap()).await;
    assert!(page.contains("id=\"requests\"") && page.contains("Bo Asker"), "{page}");
    let id = app.user_id("bo@example.org").await;
    let net = networks::by_slug(&app.state.db, "circle").await.unwrap().unwrap();
    let status = networks::membership(&app.state.db, net.id, id).await.unwrap().map(|m| m.status);
    assert_eq!(status, Some(MembershipStatus::Requested), "the request itself stands");
}

/// "Send it again" is a new link that replaces the earlier one, and an address gets at most
/// `INVITES_PER_DAY` invitations in 24 hours however often the button is pressed — the form
/// cannot be used to flood someone's inbox with the organisation's mail.
async fn inviting_again_replaces_the_link_and_an_address_gets_a_few_a_day(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "leaders", "invitation_only").await;
    let (chair, _) = app.member_with_role("leaders", "chair@example.org", "Cho Chair", Role::Chair).await;
    assert_eq!(invite(&app, &chair, "leaders", "nia@example.org", "member").await, StatusCode::SEE_OTHER);
    let first = invitation_link(&app, "nia@example.org").await;
    assert_eq!(invite(&app, &chair, "leaders", "nia@example.org", "member").await, StatusCode::SEE_OTHER);
    let links = invitation_links(&app, "nia@example.org").await;
    let second = links.iter().find(|l| **l != first).expect("a second link").clone();
    let stranger = app.client();
    assert_eq!(stranger.get(&first).send().await.unwrap().status(), StatusCode::NOT_FOUND, "replaced");
    assert_eq!(stranger.get(&second).send().await.unwrap().status(), StatusCode::OK);
    let page = body(chair.get(app.at("/n/leaders/members")).send().await.unwrap()).await;
    assert_eq!(page.matches("nia@example.org — invited as").count(), 1, "listed once: {page}");
    let limit = roundtable_app::networks::INVITES_PER_DAY as usize;
    for _ in 2..limit {
        assert_eq!(invite(&app, &chair, "leaders", "nia@example.org", "member").await, StatusCode::SEE_OTHER);
    }
    assert_eq!(invite(&app, &chair, "leaders", "nia@example.org", "member").await, StatusCode::CONFLICT);
    assert_eq!(invitation_links(&app, "nia@example.org").await.len(), limit, "nothing more was sent");
    // Withdrawing does not reset the count (ended links count until a day after they end).
    let r = chair.post(app.at("/n/leaders/invitations/withdraw")).form(&[("email", "nia@example.org")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(invite(&app, &chair, "leaders", "nia@example.org", "member").await, StatusCode::CONFLICT);
    // Another address is not held up.
    assert_eq!(invite(&app, &chair, "leaders", "ola@example.org", "member").await, StatusCode::SEE_OTHER);
}

async fn withdrawing_an_invitation_cancels_its_link_and_is_audited(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "leaders", "invitation_only").await;
    let (chair, _) = app.member_with_role("leaders", "chair@example.org", "Cho Chair", Role::Chair).await;
    let (plain, _) = app.member_with_role("leaders", "plain@example.org", "Pat Plain", Role::Member).await;
    roundtable_app::admin::console::create_user(&app.state.db, "person60@example.org", "Per Sixty", PASSWORD, false)
        .await
        .unwrap();
    let person60 = app.user_id("person60@example.org").await;
    assert_eq!(invite(&app, &chair, "leaders", "person60@example.org", "chair").await, StatusCode::SEE_OTHER);
    assert_eq!(invite(&app, &chair, "leaders", "newbie@example.org", "member").await, StatusCode::SEE_OTHER);
    assert_eq!(invite(&app, &chair, "leaders", "keep@example.org", "member").await, StatusCode::SEE_OTHER);
    let (p60_link, newbie_link, keep_link) = (
        invitation_link(&app, "person60@example.org").await,
        invitation_link(&app, "newbie@example.org").await,
        invitation_link(&app, "keep@example.org").await,
    );

    // Each pending invitation has its Withdraw button, named for screen readers.
    let page = body(chair.get(app.at("/n/leaders/members")).send().await.unwrap()).await;
    for who in ["Per Sixty", "newbie@example.org", "keep@example.org"] {
        assert!(
            page.contains(&format!("Withdraw<span class=\"visually-hidden\"> the invitation to {who}</span>")),
            "{page}"
        );
    }
    assert!(page.contains("action=\"/n/leaders/invitations/withdraw\""), "{page}");

    // Someone who may not manage members cannot withdraw; nothing changes.
    let r = plain.post(app.at("/n/leaders/invitations/withdraw")).form(&[("email", "keep@example.org")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::FORBIDDEN);
    // An address that does not parse was never invited.
    let r = chair.post(app.at("/n/leaders/invitations/withdraw")).form(&[("email", "not an address")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(audited(&app, "membership.invitation_withdrawn").await, 0);

    // Withdrawing the invitation to an address without an account.
    let r = chair.post(app.at("/n/leaders/invitations/withdraw")).form(&[("email", "newbie@example.org")]).send().await;
    let r = r.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers().get("location").unwrap(), "/n/leaders/members?notice=withdrawn");
    let page = body(chair.get(app.at("/n/leaders/members?notice=withdrawn")).send().await.unwrap()).await;
    assert!(page.contains("The invitation has been withdrawn"), "{page}");
    assert!(!page.contains("newbie@example.org — invited as"), "{page}");
    let stranger = app.client();
    assert_eq!(stranger.get(&newbie_link).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(accept(&stranger, &newbie_link).await.status(), StatusCode::NOT_FOUND);
    assert!(users::by_email(&app.state.db, "newbie@example.org").await.unwrap().is_none(), "no account made");

    // Withdrawing the invitation of someone with an account: the invited row goes too.
    assert_eq!(app.standing("leaders", person60).await, Some((Role::Chair, MembershipStatus::Invited)));
    let r =
        chair.post(app.at("/n/leaders/invitations/withdraw")).form(&[("email", "person60@example.org")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(app.standing("leaders", person60).await, None);
    let p60 = app.sign_in("person60@example.org").await;
    assert_eq!(p60.get(&p60_link).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(accept(&p60, &p60_link).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.standing("leaders", person60).await, None, "the withdrawn link made nobody a Chair");
    assert_eq!(p60.get(app.at("/n/leaders")).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    // Both withdrawals are in the audit log, with who and whom; a second one finds nothing.
    let (log, _) = audit::page(&app.state.db, 1000, 0).await.unwrap();
    let withdrawn: Vec<_> = log.iter().filter(|e| e.action == "membership.invitation_withdrawn").collect();
    assert_eq!(withdrawn.len(), 2);
    assert!(
        withdrawn.iter().all(|e| e.actor_name == "Cho Chair" && e.network_name.as_deref() == Some("Network leaders"))
    );
    assert!(withdrawn.iter().any(|e| e.subject == "newbie@example.org"));
    let r = chair.post(app.at("/n/leaders/invitations/withdraw")).form(&[("email", "newbie@example.org")]).send().await;
    assert_eq!(r.unwrap().headers().get("location").unwrap(), "/n/leaders/members?notice=nothing-to-withdraw");
    assert_eq!(audited(&app, "membership.invitation_withdrawn").await, 2);

    // The invitation nobody withdrew still works.
    let r = accept(&app.client(), &keep_link).await;
    assert_eq!(r.headers().get("location").unwrap(), "/n/leaders?notice=accepted");
}

async fn removing_declining_and_leaving_cancel_open_invitation_links(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "leaders", "by_request").await;
    let (chair, _) = app.member_with_role("leaders", "chair@example.org", "Cho Chair", Role::Chair).await;

    // Removed: the reported case. Invited as Chair, removed, then the emailed link is dead.
    let p60 = app.user("person60@example.org", "Per Sixty").await;
    let person60 = app.user_id("person60@example.org").await;
    assert_eq!(invite(&app, &chair, "leaders", "person60@example.org", "chair").await, StatusCode::SEE_OTHER);
    let link = invitation_link(&app, "person60@example.org").await;
    let r = chair.post(app.at(&format!("/n/leaders/members/{person60}/remove"))).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/n/leaders/members?notice=removed");
    assert_eq!(p60.get(&link).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(accept(&p60, &link).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.standing("leaders", person60).await, None, "not an active Chair");

    // Invited before having an account: the new account takes the invitation over (Chair, as
    // invited); declining it kills the emailed link.
    assert_eq!(invite(&app, &chair, "leaders", "bo@example.org", "chair").await, StatusCode::SEE_OTHER);
    let link = invitation_link(&app, "bo@example.org").await;
    let bo = app.user("bo@example.org", "Bo Member").await;
    let bo_id = app.user_id("bo@example.org").await;
    assert_eq!(app.standing("leaders", bo_id).await, Some((Role::Chair, MembershipStatus::Invited)));
    let r = bo.post(app.at("/n/leaders/leave")).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/?notice=invitation-declined&network=leaders");
    assert_eq!(accept(&bo, &link).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.standing("leaders", bo_id).await, None);

    // Left: invited as Chair before having an account, joined (the invitation, theirs now,
    // made them Chair), left; the old link must not bring them back as Chair.
    app.network(&admin, "open", "open").await;
    let (open_chair, _) = app.member_with_role("open", "oc@example.org", "Oona Chair", Role::Chair).await;
    assert_eq!(invite(&app, &open_chair, "open", "cy@example.org", "chair").await, StatusCode::SEE_OTHER);
    let link = invitation_link(&app, "cy@example.org").await;
    let cy = app.user("cy@example.org", "Cy Leaver").await;
    let cy_id = app.user_id("cy@example.org").await;
    assert_eq!(cy.post(app.at("/n/open/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let r = cy.post(app.at("/n/open/leave")).send().await.unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/?notice=left&network=open");
    let home = body(cy.get(app.at("/?notice=left&network=open")).send().await.unwrap()).await;
    assert!(home.contains("<title>You have left Network open. — Home"), "the notice names the network: {home}");
    assert_eq!(accept(&cy, &link).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.standing("open", cy_id).await, None);

    // Declining one's own invitation (the same "leave" route) cancels its link too.
    assert_eq!(invite(&app, &open_chair, "open", "cy@example.org", "member").await, StatusCode::SEE_OTHER);
    let link = invitation_links(&app, "cy@example.org").await.into_iter().find(|l| *l != link).expect("a new link");
    assert_eq!(app.standing("open", cy_id).await, Some((Role::Member, MembershipStatus::Invited)));
    let r = cy.post(app.at("/n/open/leave")).send().await.unwrap();
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/?notice=invitation-declined&network=open", "says what was done");
    let home = body(cy.get(app.at(&location)).send().await.unwrap()).await;
    assert!(home.contains("You have declined the invitation to Network open."), "{home}");
    // A made-up link naming a network one may not see shows the fixed notice, not its name.
    app.network(&admin, "hidden", "invitation_only").await;
    let home = body(cy.get(app.at("/?notice=left&network=hidden")).send().await.unwrap()).await;
    assert!(home.contains("You have left the network.") && !home.contains("Network hidden"), "{home}");
    assert_eq!(cy.get(&link).send().await.unwrap().status(), StatusCode::NOT_FOUND);
}

async fn an_administrator_can_neither_take_over_nor_strip_the_chair(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "leaders", "open").await;
    let (_, chair) = app.member_with_role("leaders", "chair@example.org", "Cho Chair", Role::Chair).await;
    let (adm, adm_id) =
        app.member_with_role("leaders", "adm@example.org", "Ari Administrator", Role::Administrator).await;
    let (_, plain) = app.member_with_role("leaders", "plain@example.org", "Pat Plain", Role::Member).await;
    let audits_before = audited(&app, "membership.role_changed").await;

    // The reported case: demote the Chair, then take the role.
    let r = adm.post(app.at(&format!("/n/leaders/members/{chair}/role"))).form(&[("role", "member")]).send().await;
    let r = r.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(body(r).await.contains("Only a Chair of this network or an organisation administrator"));
    let r = adm.post(app.at(&format!("/n/leaders/members/{adm_id}/role"))).form(&[("role", "chair")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::FORBIDDEN);
    // Nor remove the Chair (the confirmation page already says so), nor invite a new Chair.
    let page = adm.get(app.at(&format!("/n/leaders/members/{chair}/remove"))).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = body(page).await;
    assert!(page.contains("Only a Chair of this network") && !page.contains("type=\"submit\">Remove"), "{page}");
    let r = adm.post(app.at(&format!("/n/leaders/members/{chair}/remove"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(invite(&app, &adm, "leaders", "boss@example.org", "chair").await, StatusCode::FORBIDDEN);
    assert!(app.emails_to("boss@example.org").await.is_empty(), "no invitation sent");
    // Nothing changed.
    assert_eq!(app.standing("leaders", chair).await, Some((Role::Chair, MembershipStatus::Active)));
    assert_eq!(app.standing("leaders", adm_id).await, Some((Role::Administrator, MembershipStatus::Active)));
    assert_eq!(audited(&app, "membership.role_changed").await, audits_before);
    // The network's page names its Chair first (not its Administrator, first in the alphabet).
    let home = body(adm.get(app.at("/n/leaders")).send().await.unwrap()).await;
    let (cho, ari) = (home.find("Cho Chair — Chair").unwrap(), home.find("Ari Administrator — Administrator").unwrap());
    assert!(cho < ari, "{home}");
    // And the pages offer none of it: no Chair among the roles to give, nothing on the Chair's row.
    let members = body(adm.get(app.at("/n/leaders/members")).send().await.unwrap()).await;
    assert!(!members.contains("<option value=\"chair\"") && members.contains("<option value=\"sponsor\""), "{members}");
    assert!(!members.contains(&format!("/members/{chair}/remove")), "{members}");
    assert!(members.contains("Only a Chair or an organisation administrator can change a Chair's role."), "{members}");
    let form = body(adm.get(app.at("/n/leaders/invite")).send().await.unwrap()).await;
    assert!(!form.contains("<option value=\"chair\"") && form.contains("<option value=\"administrator\""), "{form}");
    let members = body(admin.get(app.at("/n/leaders/members")).send().await.unwrap()).await;
    assert!(members.contains("<option value=\"chair\"") && members.contains(&format!("/members/{chair}/remove")));

    // Everything below the Chair stays theirs to manage.
    let r = adm.post(app.at(&format!("/n/leaders/members/{plain}/role"))).form(&[("role", "sponsor")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(app.standing("leaders", plain).await, Some((Role::Sponsor, MembershipStatus::Active)));
    // The same role again changes nothing, and says so.
    let r = adm.post(app.at(&format!("/n/leaders/members/{plain}/role"))).form(&[("role", "sponsor")]).send().await;
    assert_eq!(r.unwrap().headers()["location"], "/n/leaders/members?notice=role-same");
    assert_eq!(invite(&app, &adm, "leaders", "helper@example.org", "administrator").await, StatusCode::SEE_OTHER);

    // An org admin may change the Chair role (and restore it).
    let r = admin.post(app.at(&format!("/n/leaders/members/{adm_id}/role"))).form(&[("role", "chair")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(app.standing("leaders", adm_id).await, Some((Role::Chair, MembershipStatus::Active)));
}

async fn the_last_chair_stays_unless_another_is_named_or_an_org_admin_acts(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "leaders", "open").await;
    let (chair, chair_id) = app.member_with_role("leaders", "chair@example.org", "Cho Chair", Role::Chair).await;
    let (_, plain) = app.member_with_role("leaders", "plain@example.org", "Pat Plain", Role::Member).await;
    let sole = Some((Role::Chair, MembershipStatus::Active));

    // The only Chair cannot leave (the confirmation page says why, without a button) ...
    let page = body(chair.get(app.at("/n/leaders/leave")).send().await.unwrap()).await;
    assert!(page.contains("A network needs at least one Chair"), "{page}");
    assert!(!page.contains("action=\"/n/leaders/leave\""), "no button to confirm: {page}");
    let r = chair.post(app.at("/n/leaders/leave")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(body(r).await.contains("A network needs at least one Chair"));
    // ... nor step down (said above the member list the change came from) or remove themself.
    let r = chair.post(app.at(&format!("/n/leaders/members/{chair_id}/role"))).form(&[("role", "member")]).send().await;
    let r = r.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = body(r).await;
    assert!(page.contains("<h1>Members of Network leaders</h1>") && page.contains("error-summary"), "{page}");
    assert!(page.contains("Chair"), "{page}");
    let r = chair.post(app.at(&format!("/n/leaders/members/{chair_id}/remove"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(app.standing("leaders", chair_id).await, sole);

    // Once another Chair is named, they may step down.
    let r = chair.post(app.at(&format!("/n/leaders/members/{plain}/role"))).form(&[("role", "chair")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let r = chair.post(app.at(&format!("/n/leaders/members/{chair_id}/role"))).form(&[("role", "member")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(app.standing("leaders", chair_id).await, Some((Role::Member, MembershipStatus::Active)));
    // Now a plain member, they leave freely.
    assert_eq!(chair.post(app.at("/n/leaders/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(app.standing("leaders", chair_id).await, None);

    // An org admin may remove even the last Chair (and can always name a new one).
    assert_eq!(app.standing("leaders", plain).await, sole);
    let r = admin.post(app.at(&format!("/n/leaders/members/{plain}/remove"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.standing("leaders", plain).await, None);
}

async fn leaving_and_removing_ask_for_confirmation_first(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "club", "invitation_only").await;
    let (chair, _) = app.member_with_role("club", "chair@example.org", "Cho Chair", Role::Chair).await;
    let (bo, bo_id) = app.member_with_role("club", "bo@example.org", "Bo Member", Role::Member).await;

    // The network page's button only opens the confirmation page.
    let home = body(bo.get(app.at("/n/club")).send().await.unwrap()).await;
    assert!(
        home.contains("<a class=\"button secondary leave\" href=\"/n/club/leave\">Leave this network</a>"),
        "{home}"
    );
    let page = body(bo.get(app.at("/n/club/leave")).send().await.unwrap()).await;
    assert!(page.contains("<h1>Leave Network club?</h1>"), "{page}");
    assert!(page.contains("you will need a new invitation"), "says what happens: {page}");
    assert!(page.contains("<form method=\"post\" action=\"/n/club/leave\">"), "{page}");
    assert!(page.contains(">Leave this network</button>") && page.contains("href=\"/n/club\""), "{page}");
    assert_eq!(
        app.standing("club", bo_id).await,
        Some((Role::Member, MembershipStatus::Active)),
        "GET changes nothing"
    );
    // Someone with nothing to leave gets no confirmation page.
    assert_eq!(admin.get(app.at("/n/club/leave")).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    // The member list's Remove button likewise.
    let list = body(chair.get(app.at("/n/club/members")).send().await.unwrap()).await;
    assert!(list.contains(&format!("method=\"get\" action=\"/n/club/members/{bo_id}/remove\"")), "{list}");
    let page = body(chair.get(app.at(&format!("/n/club/members/{bo_id}/remove"))).send().await.unwrap()).await;
    assert!(page.contains("<h1>Remove Bo Member from Network club?</h1>"), "{page}");
    assert!(page.contains(&format!("<form method=\"post\" action=\"/n/club/members/{bo_id}/remove\">")), "{page}");
    assert!(page.contains("href=\"/n/club/members\""), "a way back: {page}");
    assert_eq!(
        app.standing("club", bo_id).await,
        Some((Role::Member, MembershipStatus::Active)),
        "GET changes nothing"
    );
    // Only managers see it; someone not in the network is not found.
    assert_eq!(
        bo.get(app.at(&format!("/n/club/members/{bo_id}/remove"))).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let nobody = app.user_id("admin@example.org").await;
    assert_eq!(
        chair.get(app.at(&format!("/n/club/members/{nobody}/remove"))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // Confirming removes.
    let r = chair.post(app.at(&format!("/n/club/members/{bo_id}/remove"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.standing("club", bo_id).await, None);
}

/// Creating a network names its first Chair: the creator's own address makes them its Chair at
/// once, a colleague's sends them an invitation as Chair, none leaves it without an organiser
/// (and says so). A Chair who could not accept (a bad address, a deactivated account) creates
/// nothing, on the page and over the API.
async fn a_new_network_starts_with_the_chair_its_creator_names(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let admin_id = app.user_id("admin@example.org").await;
    let create = |slug: &'static str, chair: &'static str| {
        admin
            .post(app.at("/networks/new"))
            .form(&[("name", slug), ("slug", slug), ("visibility", "open"), ("chair", chair)])
            .send()
    };
    let location = |r: &reqwest::Response| r.headers()["location"].to_str().unwrap().to_owned();

    // Their own address, written as they like: the creator chairs it, and the page says so.
    let r = create("mine", " Admin@Example.org ").await.unwrap();
    assert_eq!(location(&r), "/n/mine?notice=created");
    assert_eq!(app.standing("mine", admin_id).await, Some((Role::Chair, MembershipStatus::Active)));
    let page = body(admin.get(app.at("/n/mine?notice=created")).send().await.unwrap()).await;
    assert!(page.contains("with you as its Chair"), "{page}");
    assert!(
        app.emails_to("admin@example.org").await.iter().all(|m| !m.contains("/invitations/")),
        "no invitation to oneself"
    );

    // A colleague without an account yet: invited as Chair, and the Chair once they accept.
    let r = create("theirs", "cara@example.org").await.unwrap();
    assert_eq!(location(&r), "/n/theirs?notice=created-chair-invited");
    assert_eq!(app.standing("theirs", admin_id).await, None, "the creator is not made a member");
    let mails = app.emails_to("cara@example.org").await;
    assert!(mails.iter().any(|m| m.contains("as its Chair")), "{mails:?}");
    let cara = app.client();
    let accepted = accept(&cara, &invitation_link(&app, "cara@example.org").await).await;
    assert!(accepted.status().is_redirection(), "{}", accepted.status());
    let cara_id = app.user_id("cara@example.org").await;
    assert_eq!(app.standing("theirs", cara_id).await, Some((Role::Chair, MembershipStatus::Active)));
    let page = body(cara.get(app.at("/n/theirs?notice=accepted")).send().await.unwrap()).await;
    assert!(page.contains("You have joined theirs as its Chair. From here you can publish its charter"), "{page}");

    // No one: created, and told that an organiser is still to be invited.
    let r = create("nobodys", "").await.unwrap();
    assert_eq!(location(&r), "/n/nobodys?notice=created-no-chair");
    let page = body(admin.get(app.at("/n/nobodys?notice=created-no-chair")).send().await.unwrap()).await;
    assert!(page.contains("It has no organiser yet"), "{page}");

    // A Chair who cannot be: a clear message by the field, and no network.
    let r = create("typo", "cara at example.org").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains("id=\"f-chair-error\""), "{page}");
    assert!(page.contains("value=\"cara at example.org\""), "what was typed stays");
    app.user("gone@example.org", "Gus Gone").await;
    let gone = app.user_id("gone@example.org").await;
    let r =
        admin.post(app.at(&format!("/admin/people/{gone}/active"))).form(&[("value", "false")]).send().await.unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let r = create("stale", "gone@example.org").await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(body(r).await.contains("deactivated"));
    // The web address made from the name: no error of its own when the name is the problem; a
    // name it cannot be made from, or one another network has, says to write one.
    let post = |name: &'static str| {
        admin.post(app.at("/networks/new")).form(&[("name", name), ("slug", ""), ("visibility", "open")]).send()
    };
    let page = body(post("").await.unwrap()).await;
    assert!(page.contains("id=\"f-name-error\"") && !page.contains("id=\"f-slug-error\""), "{page}");
    let page = body(post("日本").await.unwrap()).await;
    assert!(page.contains("its name gives none"), "{page}");
    let r = post("Mine").await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(body(r).await.contains("Another network already has the web address /n/mine."));
    for slug in ["typo", "stale"] {
        assert!(networks::by_slug(&app.state.db, slug).await.unwrap().is_none(), "{slug} was not created");
    }

    // The API: the same rules, the caller's role in the answer; members may not create.
    let token = app.api_token(&admin).await;
    let url = app.at("/api/v1/networks");
    let (status, json) = api_send(
        reqwest::Method::POST,
        url.clone(),
        &token,
        &serde_json::json!({"name": "Leaders", "visibility": "by_request", "chair": "admin@example.org"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    assert_eq!((json["slug"].as_str(), json["my_role"].as_str()), (Some("leaders"), Some("chair")), "{json}");
    assert_eq!(json["first_chair"], "caller", "{json}");
    let (status, json) = api_send(
        reqwest::Method::POST,
        url.clone(),
        &token,
        &serde_json::json!({"name": "Peers", "visibility": "open", "chair": "pia@example.org"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    assert_eq!((json["first_chair"].as_str(), json["my_role"].as_str()), (Some("invited"), None), "{json}");
    assert_eq!(app.emails_to("pia@example.org").await.len(), 1, "the invitation went");
    let (status, json) = api_send(
        reqwest::Method::POST,
        url.clone(),
        &token,
        &serde_json::json!({"name": "Quiet", "visibility": "open"}),
    )
    .await;
    assert_eq!((status, json["first_chair"].as_str()), (StatusCode::CREATED, Some("none")), "{json}");
    let (status, json) = api_send(
        reqwest::Method::POST,
        url.clone(),
        &token,
        &serde_json::json!({"name": "Allies", "visibility": "open", "chair": "gone@example.org"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{json}");
    let (status, json) =
        api_send(reqwest::Method::POST, url.clone(), &token, &serde_json::json!({"name": "", "visibility": "open"}))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    assert!(json.to_string().contains("\"name\""), "{json}");
    let member = app.user("mo@example.org", "Mo Member").await;
    let member_token = app.api_token(&member).await;
    let (status, _) =
        api_send(reqwest::Method::POST, url, &member_token, &serde_json::json!({"name": "Mine", "visibility": "open"}))
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(networks::by_slug(&app.state.db, "allies").await.unwrap().is_none());
    assert_eq!(audited(&app, "network.created").await, 6, "mine, theirs, nobodys, leaders, peers, quiet");
}

/// A member leaving, or someone declining an invitation, is emailed to the network's Chairs and
/// Administrators (not to the one leaving, not to plain members), once a day per person however
/// often they join and leave; withdrawing a request to join tells no one.
async fn organisers_are_told_when_a_member_leaves_or_declines(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "club", "open").await;
    app.member_with_role("club", "chair@example.org", "Cho Chair", Role::Chair).await;
    let (ade, _) = app.member_with_role("club", "ade@example.org", "Ade Admin", Role::Administrator).await;
    app.member_with_role("club", "mia@example.org", "Mia Member", Role::Member).await;
    let (bo, _) = app.member_with_role("club", "bo@example.org", "Bo Member", Role::Member).await;
    let told = |to: &'static str, what: &'static str| {
        let app = &app;
        async move { app.emails_to(to).await.iter().filter(|m| m.contains(what)).count() }
    };

    // Bo leaves, joins again and leaves again the same day: one email to each organiser.
    for _ in 0..2 {
        assert_eq!(bo.post(app.at("/n/club/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
        assert_eq!(bo.post(app.at("/n/club/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(bo.post(app.at("/n/club/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(told("chair@example.org", "Bo Member has left Network club").await, 1);
    assert_eq!(told("ade@example.org", "Bo Member has left Network club").await, 1);
    assert_eq!(told("mia@example.org", "has left").await, 0, "plain members are not told");
    let mail = &app.emails_to("chair@example.org").await[0];
    assert!(mail.contains("/n/club/members") && !mail.contains("Reply-To"), "{mail}");

    // An organiser leaving is not told of it, the others are.
    assert_eq!(ade.post(app.at("/n/club/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(told("ade@example.org", "Ade Admin has left").await, 0);
    assert_eq!(told("chair@example.org", "Ade Admin has left").await, 1);

    // Declining an invitation (leaving it) is told as a decline.
    let dee = app.user("dee@example.org", "Dee Invited").await;
    let chair = app.sign_in("chair@example.org").await;
    assert_eq!(invite(&app, &chair, "club", "dee@example.org", "member").await, StatusCode::SEE_OTHER);
    assert_eq!(dee.post(app.at("/n/club/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(told("chair@example.org", "Dee Invited has declined the invitation to Network club").await, 1);
    // Invited again the same day, she joins and leaves: that is news of its own.
    assert_eq!(invite(&app, &chair, "club", "dee@example.org", "member").await, StatusCode::SEE_OTHER);
    assert_eq!(dee.post(app.at("/n/club/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(dee.post(app.at("/n/club/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(told("chair@example.org", "Dee Invited has left Network club").await, 1);

    // A new network's invited Chair saying no is told to the org admin who named them, though
    // the network has no organiser to tell.
    let r = admin
        .post(app.at("/networks/new"))
        .form(&[("name", "Fresh"), ("slug", "fresh"), ("visibility", "open"), ("chair", "dee@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = body(admin.get(app.at("/n/fresh")).send().await.unwrap()).await;
    assert!(page.contains("a Chair has been invited and has not accepted"), "{page}");
    assert_eq!(dee.post(app.at("/n/fresh/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(told("admin@example.org", "Dee Invited has declined the invitation to Fresh").await, 1);
    let page = body(admin.get(app.at("/n/fresh")).send().await.unwrap()).await;
    assert!(page.contains("No organisers have been named yet"), "{page}");

    // A request withdrawn tells no one more than the request did; withdrawn before the
    // organisers were told of it, nothing at all.
    app.network(&admin, "circle", "by_request").await;
    app.member_with_role("circle", "cara@example.org", "Cara Chair", Role::Chair).await;
    let eve = app.user("eve@example.org", "Eve Asker").await;
    for announced in [false, true] {
        assert_eq!(eve.post(app.at("/n/circle/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
        if announced {
            roundtable_app::networks::send_request_notices(&app.state, chrono::Utc::now()).await.unwrap();
        }
        assert_eq!(eve.post(app.at("/n/circle/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
        roundtable_app::networks::send_request_notices(&app.state, chrono::Utc::now()).await.unwrap();
        let mails = app.emails_to("cara@example.org").await;
        assert_eq!(mails.len(), usize::from(announced), "only the request itself: {mails:?}");
    }
}

/// An invitation to an address without an account that ran out unanswered does not just vanish
/// from the member list: it is listed (for 30 days, then the daily clean-up forgets it) with the
/// day it ran out and a button to send it again; a withdrawn one is not listed, nor one whose
/// address has joined since, and sending it again moves it back among the open invitations.
async fn an_invitation_that_ran_out_unanswered_stays_listed_to_send_again(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "club", "open").await;
    let (chair, _) = app.member_with_role("club", "chair@example.org", "Cho Chair", Role::Chair).await;
    for email in ["nia@example.org", "wes@example.org", "joy@example.org", "kim@example.org"] {
        assert_eq!(invite(&app, &chair, "club", email, "member").await, StatusCode::SEE_OTHER);
    }
    let r =
        chair.post(app.at("/n/club/invitations/withdraw")).form(&[("email", "wes@example.org")]).send().await.unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    // Days on, every link has run out (the withdrawn one ended when withdrawn).
    let age = |days: i64, email: &'static str| {
        let app = &app;
        async move {
            let sql = "UPDATE one_time_links SET created_at = created_at - $1, expires_at = expires_at - $1 WHERE email LIKE $2";
            let by = days * 24 * 3600 * 1_000_000;
            app.state.db.write(sql, roundtable_store::params![by, email]).await.unwrap();
        }
    };
    age(15, "%").await;
    // Joy joined meanwhile, by another way in.
    app.member_with_role("club", "joy@example.org", "Joy Joiner", Role::Member).await;
    let ran_out = || async {
        let page = body(chair.get(app.at("/n/club/members")).send().await.unwrap()).await;
        page.split("Invitations that ran out").nth(1).map(|s| s.split("</section>").next().unwrap().to_owned())
    };
    let section = ran_out().await.expect("listed");
    assert!(section.contains("nia@example.org") && section.contains("kim@example.org"), "{section}");
    assert!(!section.contains("wes@example.org"), "a withdrawn invitation did not run out: {section}");
    assert!(!section.contains("joy@example.org"), "joined since: {section}");
    assert!(section.contains("value=\"nia@example.org\"") && section.contains("Invite again"), "{section}");
    // The API lists them too, marked.
    let token = app.api_token(&chair).await;
    let listed = support::api_get(app.at("/api/v1/networks/club/invitations"), &token).await;
    let ran: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["ran_out"] == true)
        .map(|i| i["email"].as_str().unwrap())
        .collect();
    assert_eq!(ran.len(), 2, "{listed}");
    assert!(ran.contains(&"nia@example.org") && ran.contains(&"kim@example.org"), "{listed}");
    // Plain members see no invitations at all.
    let (mia, _) = app.member_with_role("club", "mia@example.org", "Mia Member", Role::Member).await;
    let page = body(mia.get(app.at("/n/club/members")).send().await.unwrap()).await;
    assert!(!page.contains("nia@example.org") && !page.contains("Invitations that ran out"), "{page}");

    // The daily clean-up keeps them for 30 days after they ran out.
    let now = chrono::Utc::now();
    roundtable_store::links::purge(&app.state.db, now).await.unwrap();
    assert!(ran_out().await.expect("still listed").contains("kim@example.org"));
    age(30, "kim@example.org").await;
    roundtable_store::links::purge(&app.state.db, now).await.unwrap();
    let section = ran_out().await.expect("nia still listed");
    assert!(!section.contains("kim@example.org") && section.contains("nia@example.org"), "{section}");

    // Sending it again: listed among the open invitations, no longer as run out.
    let r = chair
        .post(app.at("/n/club/invite"))
        .form(&[("email", "nia@example.org"), ("role", "member")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(ran_out().await, None);
    let page = body(chair.get(app.at("/n/club/members")).send().await.unwrap()).await;
    assert!(page.contains("nia@example.org — invited as Member (no account yet"), "{page}");
}

/// A network set up by mistake can be deleted by an org admin — with its pending invitations and
/// requests — as long as it has no events and no member but them; one with a history is kept
/// (the settings page says why), and no one else may delete any.
async fn an_org_admin_deletes_a_network_only_while_it_has_no_history(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let create = |slug: &'static str| {
        admin
            .post(app.at("/networks/new"))
            .form(&[("name", slug), ("slug", slug), ("visibility", "by_request"), ("chair", "admin@example.org")])
            .send()
    };
    assert_eq!(create("oops").await.unwrap().status(), StatusCode::SEE_OTHER);
    // Waiting there: an invitation and a request to join, neither a member yet.
    assert_eq!(invite(&app, &admin, "oops", "nia@example.org", "member").await, StatusCode::SEE_OTHER);
    let asker = app.user("asker@example.org", "Al Asker").await;
    assert_eq!(asker.post(app.at("/n/oops/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let link = invitation_link(&app, "nia@example.org").await;

    let settings = body(admin.get(app.at("/n/oops/settings")).send().await.unwrap()).await;
    assert!(
        settings.contains("<summary>Delete oops</summary>") && settings.contains("action=\"/n/oops/delete\""),
        "{settings}"
    );
    let r = admin.post(app.at("/n/oops/delete")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/networks?notice=network-deleted");
    assert!(networks::by_slug(&app.state.db, "oops").await.unwrap().is_none());
    let list = body(admin.get(app.at("/networks?notice=network-deleted")).send().await.unwrap()).await;
    assert!(list.contains("The network has been deleted.") && !list.contains("/n/oops"), "{list}");
    assert_eq!(audited(&app, "network.deleted").await, 1);
    assert!(!accept(&app.client(), &link).await.status().is_redirection(), "its invitation no longer works");
    let home = body(asker.get(app.at("/")).send().await.unwrap()).await;
    assert!(!home.contains("oops"), "{home}");

    // A network with a member, or an event, is kept: the page says why, a forged post changes nothing.
    assert_eq!(create("kept").await.unwrap().status(), StatusCode::SEE_OTHER);
    let (chair, _) = app.member_with_role("kept", "cho@example.org", "Cho Chair", Role::Chair).await;
    let settings = body(admin.get(app.at("/n/kept/settings")).send().await.unwrap()).await;
    assert!(settings.contains("It has 1 member: only a network with no members but you can be deleted."), "{settings}");
    assert!(!settings.contains("action=\"/n/kept/delete\""), "{settings}");
    assert_eq!(admin.post(app.at("/n/kept/delete")).send().await.unwrap().status(), StatusCode::CONFLICT);
    app.event(&chair, "kept", "Kick-off", "", chrono::Utc::now() + chrono::Duration::days(3)).await;
    let settings = body(admin.get(app.at("/n/kept/settings")).send().await.unwrap()).await;
    assert!(settings.contains("It has 1 member and 1 event"), "{settings}");
    // Its Chair, not an org admin, is offered nothing and refused.
    let settings = body(chair.get(app.at("/n/kept/settings")).send().await.unwrap()).await;
    assert!(!settings.contains("Delete this network"), "{settings}");
    assert_eq!(chair.post(app.at("/n/kept/delete")).send().await.unwrap().status(), StatusCode::FORBIDDEN);

    // The API: the same rules.
    assert_eq!(create("spare").await.unwrap().status(), StatusCode::SEE_OTHER);
    let (admin_token, chair_token) = (app.api_token(&admin).await, app.api_token(&chair).await);
    let delete = |slug: &'static str, token: String| {
        let url = app.at(&format!("/api/v1/networks/{slug}"));
        async move { reqwest::Client::new().delete(url).bearer_auth(token).send().await.unwrap().status() }
    };
    assert_eq!(delete("kept", chair_token).await, StatusCode::FORBIDDEN);
    assert_eq!(delete("kept", admin_token.clone()).await, StatusCode::CONFLICT);
    assert_eq!(delete("spare", admin_token).await, StatusCode::NO_CONTENT);
    assert!(networks::by_slug(&app.state.db, "kept").await.unwrap().is_some());
    assert!(networks::by_slug(&app.state.db, "spare").await.unwrap().is_none());
    assert_eq!(audited(&app, "network.deleted").await, 2);
}

/// An invitation to an address without an account can be declined from its page: the link stops
/// working, the decline is audited, and the organisers are told — so a "no" is not silence.
async fn someone_without_an_account_declines_by_the_link_and_the_organisers_are_told(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "club", "invitation_only").await;
    let (chair, _) = app.member_with_role("club", "chair@example.org", "Cho Chair", Role::Chair).await;
    assert_eq!(invite(&app, &chair, "club", "nia@example.org", "member").await, StatusCode::SEE_OTHER);
    let link = invitation_link(&app, "nia@example.org").await;
    let nia = app.client();
    let page = body(nia.get(&link).send().await.unwrap()).await;
    let token = link.rsplit('/').next().unwrap();
    assert!(page.contains(&format!("action=\"/invitations/{token}/decline\"")), "{page}");
    assert!(page.contains(">Decline the invitation</button>"), "{page}");
    let r = nia.post(format!("{link}/decline")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(body(r).await.contains("You have declined the invitation to join Network club."));
    let mails = app.emails_to("chair@example.org").await;
    assert_eq!(
        mails.iter().filter(|m| m.contains("nia@example.org has declined the invitation to Network club")).count(),
        1,
        "{mails:?}"
    );
    assert_eq!(audited(&app, "membership.invitation_declined").await, 1);
    // The link is spent: its page says so, and neither accepting nor declining again works.
    assert!(body(nia.get(&link).send().await.unwrap()).await.contains("This link has expired or was already used"));
    assert!(!accept(&nia, &link).await.status().is_redirection());
    assert!(!nia.post(format!("{link}/decline")).send().await.unwrap().status().is_success());
    assert_eq!(audited(&app, "membership.invitation_declined").await, 1);
    // Nor is it listed as open, or as run out.
    let list = body(chair.get(app.at("/n/club/members")).send().await.unwrap()).await;
    assert!(!list.contains("nia@example.org"), "{list}");
}

/// An organiser's account ending (deactivated by an org admin, closed by themself, erased)
/// leaves their role on record but no one acting in it: the network's other organisers are
/// told, and when no active Chair is left — only an org admin can name one — the organisation's
/// administrators too. Plain members are not written to, nor the person of their account's end
/// (one who closed their own account gets a receipt naming the administrators to ask), but a
/// person an admin reactivates is told they may sign in again, with the roles that came back;
/// a plain member's account ending tells no one; each end and return is told once, so the last
/// mail says how things stand.
async fn a_network_is_told_when_an_organiser_loses_their_account(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "club", "open").await;
    app.network(&admin, "circle", "open").await;
    let (cho, _) = app.member_with_role("club", "cho@example.org", "Cho Chair", Role::Chair).await;
    let (_, ade_id) = app.member_with_role("club", "ade@example.org", "Ade Admin", Role::Administrator).await;
    let (_, mia_id) = app.member_with_role("club", "mia@example.org", "Mia Member", Role::Member).await;
    let circle = networks::by_slug(&app.state.db, "circle").await.unwrap().unwrap();
    let cho_id = app.user_id("cho@example.org").await;
    let mut tx = app.state.db.begin().await.unwrap();
    networks::upsert_membership(&mut tx, circle.id, cho_id, Role::Chair, MembershipStatus::Active, chrono::Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let told = |to: &'static str, what: &'static str| {
        let app = &app;
        async move { app.emails_to(to).await.iter().filter(|m| m.contains(what)).count() }
    };
    let set_active = |id: roundtable_domain::UserId, active: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            let r = admin.post(app.at(&format!("/admin/people/{id}/active"))).form(&[("value", active)]).send();
            assert_eq!(r.await.unwrap().status(), StatusCode::SEE_OTHER);
            // Each change's mails go before the next change (they are jobs after the commit).
            app.jobs_done().await;
        }
    };

    // The admin's confirmation says what deactivating an organiser leaves behind.
    let page = body(admin.get(app.at("/admin/people?q=ade")).send().await.unwrap()).await;
    assert!(
        page.contains("Organises Network club (Administrator); their Chairs and Administrators will be emailed."),
        "{page}"
    );
    let page = body(admin.get(app.at("/admin/people?q=cho")).send().await.unwrap()).await;
    let only = "(its only Chair: it will have no active Chair until you name one)";
    assert!(page.contains(&format!("Organises Network circle {only} and Network club {only}")), "{page}");
    let page = body(admin.get(app.at("/admin/people?q=mia")).send().await.unwrap()).await;
    assert!(!page.contains("Organises"), "{page}");

    // A plain member deactivated: no one is told; a Training Coordinator is an organiser.
    set_active(mia_id, "false").await;
    assert_eq!(told("cho@example.org", "Mia Member").await, 0);
    let (_, tom_id) = app.member_with_role("club", "tom@example.org", "Tom Trainer", Role::TrainingCoordinator).await;
    set_active(tom_id, "false").await;
    assert_eq!(told("cho@example.org", "Subject: Tom Trainer no longer organises Network club").await, 1);

    // The club's Administrator deactivated, reactivated and deactivated again: the Chair is told
    // each time, so the last mail says how things stand; the club keeps its Chair, so the org
    // admin is not told; Ade is not written to of the deactivations.
    set_active(ade_id, "false").await;
    let page = body(admin.get(app.at("/admin/people?q=ade")).send().await.unwrap()).await;
    assert!(
        page.contains(
            "Reactivating brings back their roles: Administrator of Network club; the Chairs and Administrators there are emailed."
        ),
        "{page}"
    );
    set_active(ade_id, "true").await;
    set_active(ade_id, "false").await;
    assert_eq!(told("cho@example.org", "Subject: Ade Admin no longer organises Network club").await, 2);
    assert_eq!(told("cho@example.org", "Subject: Ade Admin is back as Administrator of Network club").await, 1);
    let mail = app.emails_to("cho@example.org").await.into_iter().find(|m| m.contains("Ade Admin no longer")).unwrap();
    let text = support::unqp(&mail);
    assert!(text.contains("Ade Admin's Roundtable account is no longer active"), "{text}");
    assert!(
        text.contains("Open the network") && text.contains("/n/club") && !text.contains("no active Chair"),
        "{text}"
    );
    assert_eq!(told("admin@example.org", "Ade Admin").await, 0);
    assert_eq!(told("ade@example.org", "Ade Admin no longer organises").await, 0);
    // Meanwhile the club publishes its charter, which Ade has yet to accept.
    let r = cho.post(app.at("/n/club/charter")).form(&[("body", "Be kind; keep confidences.")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    set_active(ade_id, "true").await;
    // Back again: the Chair hears it, and may change the role; Ade is told each time.
    assert_eq!(told("cho@example.org", "Subject: Ade Admin is back as Administrator of Network club").await, 2);
    assert_eq!(told("ade@example.org", "is back as").await, 0);
    assert_eq!(told("ade@example.org", "Subject: Your Roundtable account is active again").await, 2);
    let mails: Vec<String> = app
        .emails_to("ade@example.org")
        .await
        .iter()
        .filter(|m| m.contains("active again"))
        .map(|m| support::unqp(m))
        .collect();
    let charter = "While you were away, Network club published a new version of its charter: you will be asked to accept it when you next open the network.";
    // Only the second return (the outbox's files are in no set order) finds a charter waiting.
    assert_eq!(mails.iter().filter(|m| m.contains("charter")).count(), 1, "{mails:?}");
    let text = mails.iter().find(|m| m.contains("charter")).unwrap();
    assert!(text.contains("Your roles come back with it: Administrator of Network club."), "{text}");
    assert!(text.contains(charter), "{text}");
    assert!(text.contains("Sign in") && text.contains("/sign-in"), "{text}");

    // The Chair of both networks closes her own account: the club's Administrator hears that
    // it has no active Chair; so do the org admins, for each network.
    let page = body(cho.get(app.at("/account")).send().await.unwrap()).await;
    assert!(
        page.contains("You are the only Chair of <a href=\"/n/circle/members\">Network circle</a> and <a href=\"/n/club/members\">Network club</a>. Name another Chair first"),
        "{page}"
    );
    let r = cho.post(app.at("/account/deactivate")).form(&[("confirm_password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Her receipt names the administrators to ask, should it not have been her.
    let receipt = app.emails_to("cho@example.org").await;
    let receipt = receipt.iter().find(|m| m.contains("Subject: You have deactivated your Roundtable account")).unwrap();
    let text = support::unqp(receipt);
    assert!(text.contains("ask an administrator: Ada Admin (admin@example.org)."), "{text}");
    assert!(text.contains("If you did not do this, tell an administrator at once."), "{text}");
    let mail = app.emails_to("ade@example.org").await.into_iter().find(|m| m.contains("Cho Chair")).unwrap();
    let text = support::unqp(&mail);
    assert!(text.contains("Subject: Cho Chair no longer organises Network club"), "{text}");
    // How the account ended is not said (it could hint at why someone left).
    assert!(text.contains("Cho Chair's Roundtable account is no longer active"), "{text}");
    assert!(text.contains("Network club now has no active Chair"), "{text}");
    // Whom to ask, for an organiser who cannot name a Chair.
    assert!(
        text.contains("Only an organisation administrator can name one — ") && text.contains("(admin@example.org)"),
        "{text}"
    );
    for net in ["club", "circle"] {
        let subject = format!("Subject: Cho Chair no longer organises Network {net}");
        let mails = app.emails_to("admin@example.org").await;
        let theirs: Vec<&String> = mails.iter().filter(|m| m.contains(&subject)).collect();
        assert_eq!(theirs.len(), 1, "{net}");
        // The only org admin is not told to ask themself.
        let text = support::unqp(theirs[0]);
        assert!(text.contains("You, as an organisation administrator, can name one on its member list"), "{text}");
        assert!(!text.contains("(admin@example.org)"), "{text}");
    }
    assert_eq!(told("mia@example.org", "Cho Chair").await, 0);

    // The network's page says so: the organisers see who, a member only that no Chair acts, and
    // the org admin how to name one.
    let ade = app.sign_in("ade@example.org").await;
    let page = body(ade.get(app.at("/n/club")).send().await.unwrap()).await;
    assert!(page.contains("No active Chair: Cho Chair no longer has an active account."), "{page}");
    assert!(
        page.contains("Only an organisation administrator can name a new one.")
            && page.contains("Ade Admin — Administrator")
    );
    let (pat, _) = app.member_with_role("club", "pat@example.org", "Pat Member", Role::Member).await;
    let page = body(pat.get(app.at("/n/club")).send().await.unwrap()).await;
    assert!(page.contains("No active Chair.") && !page.contains("Cho Chair"), "{page}");
    let page = body(admin.get(app.at("/n/club")).send().await.unwrap()).await;
    assert!(page.contains("Name a new Chair: change a member"), "{page}");
    let badge = "<span class=\"badge\">No active Chair</span>";
    let list = body(admin.get(app.at("/networks")).send().await.unwrap()).await;
    assert_eq!(list.matches(badge).count(), 2, "the club and the circle: {list}");
    assert!(!body(ade.get(app.at("/networks")).send().await.unwrap()).await.contains(badge), "org admins only");
    let r = admin.post(app.at(&format!("/n/club/members/{ade_id}/role"))).form(&[("role", "chair")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let page = body(ade.get(app.at("/n/club")).send().await.unwrap()).await;
    assert!(!page.contains("No active Chair") && page.contains("Ade Admin — Chair"), "{page}");
    let list = body(admin.get(app.at("/networks")).send().await.unwrap()).await;
    assert_eq!(list.matches(badge).count(), 1, "the circle: {list}");

    // An erased Chair is not named.
    app.network(&admin, "third", "open").await;
    let (_, tia_id) = app.member_with_role("third", "tia@example.org", "Tia Chair", Role::Chair).await;
    let r = admin.post(app.at(&format!("/admin/people/{tia_id}/erase"))).form(&[("confirm", "ERASE")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let mail = app.emails_to("admin@example.org").await.into_iter().find(|m| m.contains("Network third")).unwrap();
    let text = support::unqp(&mail);
    assert!(text.contains("Subject: Network third has lost an organiser"), "{text}");
    assert!(text.contains("its data erased") && text.contains("now has no active Chair"), "{text}");
    assert!(!text.contains("Tia"), "{text}");
}

/// An invitation to "ann@exmaple.org" when the organisation is at example.org would carry the
/// network's and the organisation's names to a stranger's domain: such an address (with no
/// account) is refused with the one meant, on the page, in a pasted list (nothing sent), over
/// the API and as a new network's Chair. An address elsewhere ("partner.net") is invited.
async fn an_address_one_slip_from_the_organisations_domain_is_not_invited(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let mut tx = app.state.db.begin().await.unwrap();
    let domain = roundtable_domain::EmailDomain::parse("example.org").unwrap();
    roundtable_store::org::add_domain(&mut tx, &domain, chrono::Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    app.network(&admin, "club", "invitation_only").await;

    let r = admin.post(app.at("/n/club/invite")).form(&[("email", "nia@exmaple.org"), ("role", "member")]);
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains("Did you mean nia@example.org?"), "{page}");
    // The address meant, one click away (as the page's second form sends it).
    assert!(page.contains(r#"<button type="submit">Invite nia@example.org instead</button>"#), "{page}");
    assert!(page.contains(r#"<input type="hidden" name="email" value="nia@example.org">"#), "{page}");
    let r = admin.post(app.at("/n/club/invite")).form(&[("email", "nia@example.org"), ("role", "member")]);
    assert_eq!(r.send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(app.emails_to("nia@example.org").await.len(), 1, "invited at the address meant");
    let pasted = "ann@example.org, bo@exampel.org; Cy <cy@partner.net>";
    let r = admin.post(app.at("/n/club/invite")).form(&[("email", pasted), ("role", "member")]).send().await;
    let page = body(r.unwrap()).await;
    assert!(page.contains("bo@exampel.org (did you mean bo@example.org?)"), "{page}");
    assert!(page.contains("no invitation was sent"), "{page}");
    let token = app.api_token(&admin).await;
    let (status, json) = api_send(
        reqwest::Method::POST,
        app.at("/api/v1/networks/club/invitations"),
        &token,
        &serde_json::json!({"email": "nia@examle.org"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    assert!(json.to_string().contains("Did you mean nia@example.org?"), "{json}");
    let r = admin
        .post(app.at("/networks/new"))
        .form(&[("name", "Fresh"), ("visibility", "open"), ("chair", "cho@example.ogr")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("Did you mean cho@example.org?"));
    assert!(networks::by_slug(&app.state.db, "fresh").await.unwrap().is_none());
    for to in ["nia@exmaple.org", "ann@example.org", "bo@exampel.org", "cy@partner.net", "nia@examle.org"] {
        assert!(app.emails_to(to).await.is_empty(), "nothing was sent to {to}");
    }

    // The organisation invitation of the People page checks the same.
    let r = admin.post(app.at("/admin/people/invite")).form(&[("email", "zed@exmaple.org")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains("Did you mean zed@example.org?"), "{page}");
    assert!(page.contains(r#"<button type="submit">Invite zed@example.org instead</button>"#), "{page}");
    assert!(app.emails_to("zed@exmaple.org").await.is_empty());

    // A network's Chair invites only the organisation's addresses (and people with an account):
    // someone from outside comes in by an org admin's decision.
    let (chair, _) = app.member_with_role("club", "cho@example.org", "Cho Chair", Role::Chair).await;
    assert_eq!(invite(&app, &chair, "club", "cy@partner.net", "member").await, StatusCode::CONFLICT);
    let r = chair.post(app.at("/n/club/invite")).form(&[("email", "cy@partner.net"), ("role", "member")]);
    let page = body(r.send().await.unwrap()).await;
    assert!(
        page.contains("cy@partner.net is not an address of the organisation (which ends in @example.org). Only an organisation administrator can invite someone from outside"),
        "{page}"
    );
    // With a typo too, the list is refused saying both at once.
    let pasted = "dee@example.org, ed@exmaple.org, Cy <cy@partner.net>";
    let r = chair.post(app.at("/n/club/invite")).form(&[("email", pasted), ("role", "member")]).send().await;
    let page = body(r.unwrap()).await;
    assert!(page.contains("ed@exmaple.org (did you mean ed@example.org?)"), "{page}");
    assert!(page.contains("for an organisation administrator to invite: cy@partner.net."), "{page}");
    assert!(app.emails_to("dee@example.org").await.is_empty(), "nothing sent");
    let pasted = "dee@example.org, Cy <cy@partner.net>";
    let r = chair.post(app.at("/n/club/invite")).form(&[("email", pasted), ("role", "member")]).send().await;
    let page = body(r.unwrap()).await;
    assert!(page.contains("cy@partner.net") && page.contains("Only an organisation administrator"), "{page}");
    assert_eq!(app.emails_to("dee@example.org").await.len(), 1, "the organisation's address went");
    assert!(app.emails_to("cy@partner.net").await.is_empty());
    // A subdomain of the organisation's is the organisation's.
    assert_eq!(invite(&app, &chair, "club", "Jane@UK.example.org", "member").await, StatusCode::SEE_OTHER);
    assert_eq!(app.emails_to("jane@uk.example.org").await.len(), 1);

    // Corrected, the list goes; an org admin invites an address at another organisation's domain.
    let pasted = "ann@example.org, bo@example.org; Cy <cy@partner.net>";
    let r = admin.post(app.at("/n/club/invite")).form(&[("email", pasted), ("role", "member")]).send().await;
    assert_eq!(r.unwrap().headers()["location"], "/n/club/members?notice=invitations-sent");
    for to in ["ann@example.org", "bo@example.org", "cy@partner.net"] {
        assert_eq!(app.emails_to(to).await.len(), 1, "{to}");
    }
}
