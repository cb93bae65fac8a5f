//! Events never show a network's private data to someone who may not read it: a network turned
//! invitation-only takes back its whole-organisation events, people removed from a network or
//! deactivated get none of its event mail, the personal calendar and feed wait for the current
//! charter, deactivated people leave event pages, and people outside a network are told when its
//! event narrows to members — on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use chrono::{DateTime, Duration, Timelike, Utc};
use reqwest::StatusCode;
use roundtable_domain::events::{Audience, Rsvp};
use roundtable_store::{Dialect, Value, events as store, users};
use support::TestApp;

both!(
    a_network_turned_invitation_only_takes_back_its_whole_organisation_events,
    removed_and_deactivated_people_get_no_more_event_mail,
    a_deactivated_account_gives_its_places_to_the_waiting_list_in_order,
    the_personal_calendar_and_feed_wait_for_the_current_charter,
    deactivated_hosts_and_attendees_leave_event_pages,
    an_admin_outside_the_network_keeps_event_mail_and_a_pending_charter_keeps_the_seat_not_the_news,
    people_left_out_when_an_event_narrows_to_members_are_told_and_their_places_go_down_the_list,
    a_series_narrowed_from_a_date_on_tells_people_outside_and_invites_only_members,
);

async fn body(r: reqwest::Response) -> String {
    r.text().await.expect("body")
}

/// The event form as an organiser fills it in: one hour in UTC from `start`, with `extra`
/// fields (audience, place, capacity, …) over the defaults.
fn form(title: &str, start: DateTime<Utc>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let local = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M").to_string();
    let mut form: Vec<(String, String)> = [
        ("kind", "network_meeting"),
        ("title", title),
        ("description", "What we share stays here."),
        ("time_zone", "UTC"),
        ("start", &local(start)),
        ("end", &local(start + Duration::hours(1))),
        ("repeat", "none"),
        ("location_mode", "in_person"),
        ("place", "Room 4.01"),
        ("audience", "network"),
        ("reminder_hours", "1"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (k, v) in extra {
        form.retain(|(f, _)| f != k);
        form.push(((*k).to_owned(), (*v).to_owned()));
    }
    form
}

/// Creates an event (see `form`); returns its id and `at`.
async fn event(
    app: &TestApp,
    c: &reqwest::Client,
    slug: &str,
    title: &str,
    start: DateTime<Utc>,
    extra: &[(&str, &str)],
) -> (String, String) {
    let r = c.post(app.at(&format!("/n/{slug}/events/new"))).form(&form(title, start, extra)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{title} should be created");
    let id = r.headers()["location"].to_str().unwrap().trim_start_matches("/events/").split('?').next().unwrap();
    let stored = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    (id.to_owned(), stored.starts_at.timestamp_micros().to_string())
}

/// Edits the whole event: the fields of `form`.
async fn edit(app: &TestApp, c: &reqwest::Client, id: &str, title: &str, start: DateTime<Utc>, extra: &[(&str, &str)]) {
    let mut f = form(title, start, extra);
    f.push(("scope".into(), "all".into()));
    let r = c.post(app.at(&format!("/events/{id}/edit"))).form(&f).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{title} should be saved");
}

async fn member(app: &TestApp, email: &str, name: &str, slug: &str) -> reqwest::Client {
    let c = app.user(email, name).await;
    assert_eq!(c.post(app.at(&format!("/n/{slug}/join"))).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    c
}

async fn user_id(app: &TestApp, email: &str) -> String {
    users::by_email(&app.state.db, email).await.unwrap().unwrap().id.to_string()
}

async fn rsvp(app: &TestApp, c: &reqwest::Client, id: &str, at: &str, response: &str) {
    let r = c.post(app.at(&format!("/events/{id}/rsvp"))).form(&[("response", response), ("at", at)]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
}

async fn deactivate(app: &TestApp, admin: &reqwest::Client, email: &str) {
    let id = user_id(app, email).await;
    let r = admin.post(app.at(&format!("/admin/people/{id}/active"))).form(&[("value", "false")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
}

/// How many emails to `to` have this subject.
async fn mails(app: &TestApp, to: &str, subject: &str) -> usize {
    app.emails_to(to).await.iter().filter(|m| m.contains(&format!("Subject: {subject}"))).count()
}

/// The one mail to `to` with `subject`, its quoted-printable undone.
async fn mail(app: &TestApp, to: &str, subject: &str) -> String {
    let all = app.emails_to(to).await;
    let found = all.iter().find(|m| m.contains(&format!("Subject: {subject}")));
    support::unqp(found.unwrap_or_else(|| panic!("{to}: no “{subject}” in {all:?}")))
}

/// The list view of the week holding `day`, on the viewer's own calendar.
async fn my_calendar(app: &TestApp, c: &reqwest::Client, day: DateTime<Utc>) -> String {
    body(c.get(app.at(&format!("/calendar?view=list&week={}", day.format("%Y-%m-%d")))).send().await.unwrap()).await
}

async fn feed(c: &reqwest::Client, url: &str) -> String {
    let r = c.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    body(r).await
}

async fn a_network_turned_invitation_only_takes_back_its_whole_organisation_events(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "secret", "open").await;
    let mo = member(&app, "mo@example.org", "Mo Member", "secret").await;
    let soon = Utc::now() + Duration::days(10);
    let org = [("audience", "organisation")];
    let (next, next_at) = event(&app, &admin, "secret", "Merger briefing", soon, &org).await;
    let (past, past_at) = event(&app, &admin, "secret", "Merger kickoff", Utc::now() - Duration::days(10), &org).await;
    let r = admin
        .post(app.at(&format!("/events/{past}/notes")))
        .form(&[("at", past_at.as_str()), ("minutes", "Target: Acme Ltd")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // While the network is open, everyone may read them, and an outsider answers one.
    let eve = app.user("eve@example.org", "Eve Outsider").await;
    let eve_feed = app.new_feed(&eve, "").await;
    assert!(
        body(eve.get(app.at(&format!("/events/{past}?at={past_at}"))).send().await.unwrap()).await.contains("Acme")
    );
    assert!(my_calendar(&app, &eve, soon).await.contains("Merger briefing"));
    assert!(feed(&eve, &eve_feed).await.contains("Merger briefing"));
    rsvp(&app, &eve, &next, &next_at, "yes").await;
    rsvp(&app, &mo, &next, &next_at, "yes").await;

    // The network becomes invitation-only: both events, past and future, are now for members,
    // and the organiser is told so (on the page and in the audit log).
    let r = admin
        .post(app.at("/n/secret/settings"))
        .form(&[("name", "Network secret"), ("description", "About us"), ("visibility", "invitation_only")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to, "/n/secret?notice=saved-events-narrowed");
    let page = body(admin.get(app.at(&to)).send().await.unwrap()).await;
    assert!(page.contains("events that were open to the whole organisation are now for its members only"), "{page}");
    let log = body(admin.get(app.at("/admin/audit")).send().await.unwrap()).await;
    assert!(log.contains("2 events that were open to the whole organisation are now for members only"), "{log}");
    for id in [&next, &past] {
        let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
        assert_eq!(e.audience, Audience::Network);
    }

    let hidden_from_eve = |why: &'static str| {
        let (app, eve, eve_feed, next, past) = (&app, &eve, &eve_feed, &next, &past);
        let (next_at, past_at) = (&next_at, &past_at);
        async move {
            assert_eq!(eve.get(app.at("/n/secret")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
            for path in [
                format!("/events/{next}"),
                format!("/events/{past}?at={past_at}"),
                format!("/events/{next}/invite.ics?at={next_at}"),
            ] {
                let r = eve.get(app.at(&path)).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::NOT_FOUND, "{why}: {path}");
            }
            let cal = my_calendar(app, eve, soon).await;
            assert!(!cal.contains("Merger") && !cal.contains("Network secret"), "{why}: {cal}");
            let ics = feed(eve, eve_feed).await;
            assert!(!ics.contains("Merger") && !ics.contains("Network secret"), "{why}: {ics}");
        }
    };
    hidden_from_eve("narrowed").await;
    // Eve is told, once, her answer to the coming one no longer stands (its CANCEL attached);
    // the past one, with nothing to come, says nothing.
    let told: Vec<String> = app
        .emails_to("eve@example.org")
        .await
        .into_iter()
        .filter(|m| m.contains("Subject: No longer open to you: Merger"))
        .collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("Merger briefing") && told[0].contains("METHOD:CANCEL"), "{}", told[0]);
    // The network is hidden from Eve now: no link to a page she cannot open, no request to make.
    let told = told[0].replace("=\r\n", "");
    assert!(!told.contains("/n/secret") && !told.contains("ask to join"), "{told}");
    let unfolded = told.replace("\r\n ", "");
    assert!(
        unfolded.contains("UID:") && !unfolded.contains(&format!("/events/{next}")),
        "nor a link in its entry: {told}"
    );
    assert_eq!(mails(&app, "mo@example.org", "No longer open to you: Merger briefing").await, 0);
    // Members still read them, and only they hear of a change.
    assert_eq!(mo.get(app.at(&format!("/events/{next}"))).send().await.unwrap().status(), StatusCode::OK);
    assert!(my_calendar(&app, &mo, soon).await.contains("Merger briefing"));
    edit(&app, &admin, &next, "Merger briefing", soon, &[("place", "Boardroom")]).await;
    assert_eq!(mails(&app, "mo@example.org", "Updated: Merger briefing").await, 1);
    assert_eq!(mails(&app, "eve@example.org", "Updated: Merger briefing").await, 0);

    // Defence in depth: a whole-organisation event left in an invitation-only network (written
    // behind the use cases' back) is still for members only.
    app.state
        .db
        .write(
            "UPDATE events SET audience = 'organisation' WHERE network_id = (SELECT id FROM networks WHERE slug = $1)",
            vec![Value::from("secret")],
        )
        .await
        .unwrap();
    hidden_from_eve("left open").await;
    assert_eq!(mo.get(app.at(&format!("/events/{next}"))).send().await.unwrap().status(), StatusCode::OK);
    assert!(my_calendar(&app, &mo, soon).await.contains("Merger briefing"));
}

async fn removed_and_deactivated_people_get_no_more_event_mail(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let start = Utc::now() + Duration::hours(3);
    let (id, at) = event(&app, &admin, "eas", "Steering committee", start, &[("capacity", "3")]).await;
    // Three places: Bo, Cy and Di take them; Fay, then Ed, wait.
    let mut people = Vec::new();
    for (email, name) in [
        ("bo@example.org", "Bo Member"),
        ("cy@example.org", "Cy Member"),
        ("di@example.org", "Di Member"),
        ("fay@example.org", "Fay Member"),
        ("ed@example.org", "Ed Member"),
    ] {
        let c = member(&app, email, name, "eas").await;
        rsvp(&app, &c, &id, &at, "yes").await;
        people.push(c);
    }
    let [bo, _cy, di, _fay, _ed] = <[reqwest::Client; 5]>::try_from(people).unwrap();
    // Bo and Di are down as attended (the list an organiser types up once it has started).
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    for email in ["bo@example.org", "di@example.org"] {
        let user = users::by_email(&app.state.db, email).await.unwrap().unwrap().id;
        let mut tx = app.state.db.begin().await.unwrap();
        store::check_in(&mut tx, e.id, e.network_id, e.starts_at, user, "organiser", Utc::now()).await.unwrap();
        tx.commit().await.unwrap();
    }
    // Bo and Fay are removed from the network (their answers to dates to come go, and their
    // places down the waiting list); Cy is deactivated.
    for email in ["bo@example.org", "fay@example.org"] {
        let user = user_id(&app, email).await;
        let r = admin.post(app.at(&format!("/n/eas/members/{user}/remove"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    deactivate(&app, &admin, "cy@example.org").await;
    assert_eq!(bo.get(app.at(&format!("/events/{id}"))).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let gone = ["bo@example.org", "cy@example.org", "fay@example.org"];

    // The organiser moves it to a confidential room: only those who may still read it are told.
    edit(&app, &admin, &id, "Steering committee", start, &[("capacity", "3"), ("place", "Vault room 9")]).await;
    for to in ["di@example.org", "ed@example.org"] {
        let updated: Vec<_> = app
            .emails_to(to)
            .await
            .into_iter()
            .filter(|m| m.contains("Subject: Updated: Steering committee"))
            .collect();
        assert_eq!(updated.len(), 1, "{to}");
        assert!(updated[0].contains("Vault room 9"), "the calendar entry holds the new place");
    }
    for to in gone {
        assert_eq!(mails(&app, to, "Updated: Steering committee").await, 0, "{to} may no longer read it");
    }

    // The reminder (due an hour before) and the feedback request (after it ends) likewise.
    roundtable_app::events::send_due_notices(&app.state, e.starts_at - Duration::minutes(59)).await.unwrap();
    roundtable_app::events::send_due_notices(&app.state, e.starts_at + Duration::minutes(61)).await.unwrap();
    assert_eq!(mails(&app, "di@example.org", "Reminder: Steering committee").await, 1);
    assert_eq!(mails(&app, "di@example.org", "How was Steering committee?").await, 1);
    for to in gone {
        assert_eq!(mails(&app, to, "Reminder: Steering committee").await, 0, "{to}");
        assert_eq!(mails(&app, to, "How was Steering committee?").await, 0, "{to}");
    }

    // Bo's place went to Fay as he was removed, and hers to Ed as she was (or, had her removal
    // been handled first, she left the waiting list): Ed holds one, and the removed are told
    // their answer no longer stands (the date leaves their calendar).
    let answers = store::attendees(&app.state.db, e.id, e.starts_at).await.unwrap();
    let answer = |name: &str| answers.iter().find(|a| a.name == name).map(|a| a.response);
    assert_eq!(answer("Ed Member"), Some(Rsvp::Yes));
    assert_eq!((answer("Fay Member"), answer("Bo Member")), (None, None), "no longer listed: they may not attend");
    assert_eq!(mails(&app, "ed@example.org", "A place is yours: Steering committee").await, 1);
    assert_eq!(mails(&app, "bo@example.org", "Your place is given up: Steering committee").await, 1);
    let fay_told = mails(&app, "fay@example.org", "Your place is given up: Steering committee").await
        + mails(&app, "fay@example.org", "You are off the waiting list: Steering committee").await;
    assert_eq!(fay_told, 1);
    rsvp(&app, &di, &id, &at, "no").await;

    // A cancellation reaches Ed only.
    let r = admin.post(app.at(&format!("/events/{id}/cancel"))).form(&[("scope", "all"), ("at", at.as_str())]).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(mails(&app, "ed@example.org", "Cancelled: Steering committee").await, 1);
    for to in gone {
        assert_eq!(mails(&app, to, "Cancelled: Steering committee").await, 0, "{to}");
    }
}

async fn a_deactivated_account_gives_its_places_to_the_waiting_list_in_order(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let start = Utc::now() + Duration::days(2);
    let (id, at) = event(&app, &admin, "eas", "Budget workshop", start, &[("capacity", "1")]).await;
    // One place: Bo holds it, Cy then Di wait for it.
    let mut people = Vec::new();
    for (email, name) in
        [("bo@example.org", "Bo Member"), ("cy@example.org", "Cy Member"), ("di@example.org", "Di Member")]
    {
        let c = member(&app, email, name, "eas").await;
        rsvp(&app, &c, &id, &at, "yes").await;
        people.push(c);
    }
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let answers = || async { store::attendees(&app.state.db, e.id, e.starts_at).await.unwrap() };
    let answer = |list: &[store::Attendee], name: &str| list.iter().find(|a| a.name == name).map(|a| a.response);
    // An administrator deactivates Bo (he left the organisation): the place is Cy's, first in
    // line — not whoever answers next — and she is told.
    deactivate(&app, &admin, "bo@example.org").await;
    app.jobs_done().await;
    let list = answers().await;
    assert_eq!((answer(&list, "Cy Member"), answer(&list, "Di Member")), (Some(Rsvp::Yes), Some(Rsvp::Waitlisted)));
    assert_eq!(mails(&app, "cy@example.org", "A place is yours: Budget workshop").await, 1);
    assert_eq!(
        mails(&app, "bo@example.org", "Your place is given up: Budget workshop").await,
        0,
        "no mail to a closed account"
    );
    // Cy closes her own account: Di's turn.
    let r = people[1].post(app.at("/account/deactivate")).form(&[("confirm_password", support::PASSWORD)]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    app.jobs_done().await;
    assert_eq!(answer(&answers().await, "Di Member"), Some(Rsvp::Yes));
    // She closed it herself: the address is hers still, and the date leaves her calendar.
    let told = app.emails_to("cy@example.org").await;
    let m = told.iter().find(|m| m.contains("Subject: Your place is given up: Budget workshop")).expect("told");
    assert!(support::unqp(m).contains("You have closed your Roundtable account") && m.contains("METHOD:CANCEL"), "{m}");
    // Bo back (reactivated) has no place to claim over Di: his answer went with his account.
    let bo = user_id(&app, "bo@example.org").await;
    let r = admin.post(app.at(&format!("/admin/people/{bo}/active"))).form(&[("value", "true")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let list = answers().await;
    assert_eq!(answer(&list, "Bo Member"), None);
    assert_eq!(list.iter().filter(|a| a.response == Rsvp::Yes).count(), 1, "one place, one person");

    // Someone who said "maybe" and someone waiting leave the network: each is told what they lose.
    let eve = member(&app, "eve@example.org", "Eve Member", "eas").await;
    rsvp(&app, &eve, &id, &at, "maybe").await;
    let fay = member(&app, "fay@example.org", "Fay Member", "eas").await;
    rsvp(&app, &fay, &id, &at, "yes").await;
    assert_eq!(answer(&answers().await, "Fay Member"), Some(Rsvp::Waitlisted));
    for c in [&eve, &fay] {
        assert_eq!(c.post(app.at("/n/eas/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    }
    app.jobs_done().await;
    let m = mail(&app, "eve@example.org", "Your answer is withdrawn: Budget workshop").await;
    assert!(m.contains("You have left Network eas, so your “maybe” to Budget workshop on"), "{m}");
    let m = mail(&app, "fay@example.org", "You are off the waiting list: Budget workshop").await;
    assert!(m.contains("so you no longer wait for a place at Budget workshop on"), "{m}");
    assert_eq!(mails(&app, "fay@example.org", "Your place is given up").await, 0);
    assert_eq!(answer(&answers().await, "Di Member"), Some(Rsvp::Yes), "the place stays Di's");
}

async fn the_personal_calendar_and_feed_wait_for_the_current_charter(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let soon = Utc::now() + Duration::days(10);
    event(&app, &admin, "eas", "Steering committee", soon, &[("place", "Vault room 9")]).await;
    event(&app, &admin, "eas", "Town hall", soon + Duration::hours(2), &[("audience", "organisation")]).await;
    let bo = member(&app, "bo@example.org", "Bo Member", "eas").await;
    let bo_feed = app.new_feed(&bo, "").await;
    let cal = my_calendar(&app, &bo, soon).await;
    assert!(cal.contains("Steering committee") && cal.contains("Town hall"), "{cal}");
    assert!(feed(&bo, &bo_feed).await.contains("Vault room 9"));

    // A new charter: until Bo accepts it, the network's members' events are not his to read —
    // on his calendar and in his feed as on the network's pages. Events for everyone stay.
    let r = admin.post(app.at("/n/eas/charter")).form(&[("body", "Be kind.")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = bo.get(app.at("/n/eas/events")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas/charter?notice=charter-pending&next=%2Fn%2Feas%2Fevents");
    let cal = my_calendar(&app, &bo, soon).await;
    assert!(!cal.contains("Steering committee") && !cal.contains("Vault room") && cal.contains("Town hall"), "{cal}");
    let ics = feed(&bo, &bo_feed).await;
    assert!(!ics.contains("Steering committee") && !ics.contains("Vault room") && ics.contains("Town hall"), "{ics}");

    // Accepted: they are back.
    let r = bo.post(app.at("/n/eas/charter/accept")).form(&[("version", "1"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(my_calendar(&app, &bo, soon).await.contains("Steering committee"));
    assert!(feed(&bo, &bo_feed).await.contains("Vault room 9"));
}

async fn deactivated_hosts_and_attendees_leave_event_pages(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let bo = member(&app, "bo@example.org", "Bo Member", "eas").await;
    member(&app, "cy@example.org", "Cy Hostname", "eas").await;
    let cy_id = user_id(&app, "cy@example.org").await;
    let (id, at) =
        event(&app, &admin, "eas", "Monthly meeting", Utc::now() - Duration::days(2), &[("host", cy_id.as_str())])
            .await;
    let r = admin
        .post(app.at(&format!("/events/{id}/attendance")))
        .form(&[("user", cy_id.as_str()), ("at", at.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = |c: &reqwest::Client| {
        let r = c.get(app.at(&format!("/events/{id}?at={at}"))).send();
        async move { body(r.await.unwrap()).await }
    };
    assert!(page(&bo).await.contains("Cy Hostname"), "the host is shown");
    assert!(page(&admin).await.contains("Cy Hostname"), "host and attendee are shown to organisers");

    deactivate(&app, &admin, "cy@example.org").await;
    let shown = page(&bo).await;
    assert!(!shown.contains("Cy Hostname"), "{shown}");
    let shown = page(&admin).await;
    assert!(!shown.contains("Cy Hostname"), "{shown}");
}

async fn an_admin_outside_the_network_keeps_event_mail_and_a_pending_charter_keeps_the_seat_not_the_news(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    // Ada administers the organisation without being a member of the network.
    let ada = app.user("ada@example.org", "Ada Admin").await;
    let mut tx = app.state.db.begin().await.unwrap();
    let ada_id = users::by_email(&app.state.db, "ada@example.org").await.unwrap().unwrap().id;
    users::set_admin(&mut tx, ada_id, true).await.unwrap();
    tx.commit().await.unwrap();
    let bo = member(&app, "bo@example.org", "Bo Member", "eas").await;
    let start = Utc::now() + Duration::days(3);
    let (id, at) = event(&app, &admin, "eas", "Steering committee", start, &[("capacity", "2")]).await;
    rsvp(&app, &ada, &id, &at, "yes").await;
    rsvp(&app, &bo, &id, &at, "yes").await;

    // A new charter Bo has not accepted yet: he keeps his place but is not sent the news.
    let r = admin.post(app.at("/n/eas/charter")).form(&[("body", "Be kind.")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    assert_eq!(store::count_yes(&mut tx, e.id, e.starts_at).await.unwrap(), 2, "both places still taken");
    tx.commit().await.unwrap();
    edit(&app, &admin, &id, "Steering committee", start, &[("capacity", "2"), ("place", "Vault room 9")]).await;
    assert_eq!(mails(&app, "ada@example.org", "Updated: Steering committee").await, 1, "admins read every event");
    assert_eq!(mails(&app, "bo@example.org", "Updated: Steering committee").await, 0, "not before the charter");
}

/// An event for the whole organisation narrowed to the network's members: someone outside it who
/// had a place is told, and the entry leaves their calendar (a CANCEL); a member with a new
/// charter to accept keeps their place and hears nothing of it; the freed place goes to the first
/// member waiting once they may attend (here: when they accept the charter).
async fn people_left_out_when_an_event_narrows_to_members_are_told_and_their_places_go_down_the_list(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let start = Utc::now() + Duration::days(3);
    let (id, at) =
        event(&app, &admin, "eas", "Open lunch", start, &[("audience", "organisation"), ("capacity", "2")]).await;
    let out = app.user("out@example.org", "Out Sider").await;
    let cy = member(&app, "cy@example.org", "Cy Member", "eas").await;
    let mo = member(&app, "mo@example.org", "Mo Member", "eas").await;
    for c in [&out, &cy, &mo] {
        rsvp(&app, c, &id, &at, "yes").await;
    }
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let answer = |name: &'static str| {
        let (db, e) = (app.state.db.clone(), e.clone());
        async move {
            store::attendees(&db, e.id, e.starts_at)
                .await
                .unwrap()
                .into_iter()
                .find(|a| a.name == name)
                .map(|a| a.response)
        }
    };
    assert_eq!(answer("Mo Member").await, Some(Rsvp::Waitlisted), "the two places are Out's and Cy's");
    // A charter: Cy and Mo have it to accept.
    let r = admin.post(app.at("/n/eas/charter")).form(&[("body", "Be kind.")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    edit(&app, &admin, &id, "Open lunch", start, &[("audience", "network"), ("capacity", "2")]).await;
    let told: Vec<String> = app
        .emails_to("out@example.org")
        .await
        .into_iter()
        .filter(|m| m.contains("Subject: No longer open to you: Open lunch"))
        .collect();
    assert_eq!(told.len(), 1, "Out is told once");
    let mail = told[0].replace("=\r\n", "");
    assert!(mail.contains("for members of Network eas only"), "{mail}");
    assert!(mail.contains("METHOD:CANCEL"), "the entry is withdrawn from Out's calendar: {mail}");
    assert!(mail.contains("ask to join the network") && mail.contains("/n/eas"), "an open network: {mail}");
    assert_eq!(
        mails(&app, "out@example.org", "Updated: Open lunch").await,
        0,
        "no invitation to what Out may not attend"
    );
    assert_eq!(mails(&app, "cy@example.org", "No longer open to you: Open lunch").await, 0, "Cy is a member");
    assert_eq!(answer("Cy Member").await, Some(Rsvp::Yes), "Cy keeps her place while the charter waits for her");
    assert_eq!(answer("Mo Member").await, Some(Rsvp::Waitlisted), "Mo may not attend before accepting the charter");
    let r = mo.post(app.at("/n/eas/charter/accept")).form(&[("version", "1"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(answer("Mo Member").await, Some(Rsvp::Yes), "Out's place goes to Mo once she may attend");
    assert_eq!(mails(&app, "mo@example.org", "A place is yours: Open lunch").await, 1);

    // Opened to everyone again: Out's old answer does not come back (it would over-book the
    // places, and Out was told it no longer stands), and Out is not invited to it; narrowed once
    // more, nobody is told twice.
    edit(&app, &admin, &id, "Open lunch", start, &[("audience", "organisation"), ("capacity", "2")]).await;
    assert_eq!(answer("Out Sider").await, None);
    assert_eq!(mails(&app, "out@example.org", "Updated: Open lunch").await, 0);
    edit(&app, &admin, &id, "Open lunch", start, &[("audience", "network"), ("capacity", "2")]).await;
    assert_eq!(mails(&app, "out@example.org", "No longer open to you: Open lunch").await, 1);
    assert_eq!((answer("Cy Member").await, answer("Mo Member").await), (Some(Rsvp::Yes), Some(Rsvp::Yes)));
}

/// "This and following dates" narrowed to members: the new series invites the members who had
/// answered; someone outside the network is told instead, not invited to what they may not attend.
async fn a_series_narrowed_from_a_date_on_tells_people_outside_and_invites_only_members(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let start = Utc::now() + Duration::days(3);
    let weekly = [("audience", "organisation"), ("repeat", "weekly")];
    let (id, _) = event(&app, &admin, "eas", "Tuesday circle", start, &weekly).await;
    let out = app.user("out@example.org", "Out Sider").await;
    let cy = member(&app, "cy@example.org", "Cy Member", "eas").await;
    let second = (start + Duration::days(7)).with_second(0).unwrap().with_nanosecond(0).unwrap();
    let at = second.timestamp_micros().to_string();
    for c in [&out, &cy] {
        rsvp(&app, c, &id, &at, "yes").await;
    }
    let mut f = form("Tuesday circle", second, &[("audience", "network"), ("repeat", "weekly")]);
    f.push(("scope".into(), "following".into()));
    f.push(("at".into(), at.clone()));
    let r = admin.post(app.at(&format!("/events/{id}/edit"))).form(&f).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(mails(&app, "out@example.org", "No longer open to you: Tuesday circle").await, 1);
    assert_eq!(
        mails(&app, "out@example.org", "Updated: Tuesday circle").await,
        0,
        "not invited to the members' series"
    );
    assert_eq!(mails(&app, "cy@example.org", "Updated: Tuesday circle").await, 1, "Cy is invited to the new series");
    assert_eq!(mails(&app, "cy@example.org", "No longer open to you: Tuesday circle").await, 0);
    let out_id = users::by_email(&app.state.db, "out@example.org").await.unwrap().unwrap().id;
    let mut tx = app.state.db.begin().await.unwrap();
    let kept = store::rsvp_of(&mut tx, id.parse().unwrap(), second, out_id).await.unwrap();
    assert_eq!(kept, None, "Out's answer to that date is forgotten");
}
