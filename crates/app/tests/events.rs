//! Events and the shared calendar over HTTP, on SQLite and PostgreSQL: creating events, the
//! calendar views in each viewer's time zone, RSVPs with capacity under concurrent requests, the
//! waiting list, recurrence exceptions, iCalendar feeds and invitations parsed back, reminders
//! and feedback requests sent once, check-in and attendance.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use chrono::{DateTime, Duration, Utc};
use icalendar::Component;
use reqwest::StatusCode;
use roundtable_domain::events::Rsvp;
use roundtable_store::{Dialect, Value, events as store, users};
use support::{TestApp, unqp};

both!(
    organisers_create_events_and_members_see_them_in_their_own_time_zone,
    bad_event_input_is_explained_and_changes_nothing,
    an_event_over_the_night_the_clocks_change_ends_at_the_time_typed,
    concurrent_rsvps_never_overbook_and_a_freed_place_goes_to_the_first_waiting,
    a_monthly_series_keeps_local_time_and_single_dates_are_cancelled_or_changed,
    a_retimed_series_keeps_each_dates_answers,
    a_new_rule_gives_kept_dates_new_entries_and_withdraws_the_dates_it_drops,
    ics_feeds_parse_back_with_timezones_and_can_be_revoked,
    reminders_and_feedback_requests_are_sent_once_per_person,
    members_check_in_with_the_code_and_see_their_attendance,
    whole_organisation_events_reach_everyone_but_network_events_stay_private,
    the_api_lists_events_and_takes_rsvps,
    event_routes_follow_the_roles_in_each_network,
    every_member_of_a_large_network_can_be_picked_as_host,
    an_emailed_link_to_a_date_that_moved_or_went_leads_to_the_event,
    more_places_from_a_date_on_go_to_those_waiting,
    who_gave_feedback_already_is_not_asked_for_it,
    each_date_of_a_series_has_its_own_check_in_code,
    a_new_event_can_be_announced_to_the_networks_members,
    organisers_email_the_people_of_one_date,
    organisers_mark_everyone_going_and_take_an_attendance_back,
    replies_reach_the_organiser_who_wrote_until_they_are_erased,
);

async fn body(r: reqwest::Response) -> String {
    r.text().await.expect("body")
}

async fn set_tz(app: &TestApp, email: &str, tz: &str) {
    app.state
        .db
        .write("UPDATE users SET time_zone = $2 WHERE email = $1", vec![Value::from(email), Value::from(tz)])
        .await
        .expect("set time zone");
}

/// Posts the event form with sensible defaults overridden by `fields`; returns the new id.
async fn create_event(app: &TestApp, c: &reqwest::Client, slug: &str, fields: &[(&str, &str)]) -> String {
    let r = c.post(app.at(&format!("/n/{slug}/events/new"))).form(&event_form(fields)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "event should be created: {}", body(r).await);
    event_id_in(&r)
}

/// The id of the event a redirect (`/events/{id}?notice=…`) leads to.
fn event_id_in(r: &reqwest::Response) -> String {
    let loc = r.headers()["location"].to_str().unwrap();
    loc.trim_start_matches("/events/").split('?').next().unwrap().to_owned()
}

fn event_form(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = [
        ("kind", "network_meeting"),
        ("title", "Monthly meeting"),
        ("theme", "Working out loud"),
        ("description", "We share **what works**."),
        ("time_zone", "Europe/London"),
        ("start", "2027-01-12T12:00"),
        ("end", "2027-01-12T13:00"),
        ("repeat", "none"),
        ("location_mode", "in_person"),
        ("place", "Room 4.01"),
        ("audience", "network"),
        ("reminder_hours", "24"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (k, v) in fields {
        if let Some(x) = f.iter_mut().find(|x| x.0 == *k) {
            x.1 = (*v).to_owned();
        } else {
            f.push(((*k).to_owned(), (*v).to_owned()));
        }
    }
    f
}

fn local_input(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::London).format("%Y-%m-%dT%H:%M").to_string()
}

/// The iCalendar text inside an email or a response, parsed back.
fn calendar_in(raw: &str) -> icalendar::Calendar {
    // Only the calendar part's own encoding matters (the text parts are quoted-printable).
    let text = &match raw.find("Content-Type: text/calendar") {
        Some(i) if raw[i..].split("\r\n\r\n").next().unwrap_or("").contains("quoted-printable") => unqp(&raw[i..]),
        _ => raw.to_owned(),
    };
    let start = text.find("BEGIN:VCALENDAR").expect("a calendar");
    let end = text.find("END:VCALENDAR").expect("calendar end") + "END:VCALENDAR".len();
    let ics = &text[start..end];
    ics.parse::<icalendar::Calendar>().unwrap_or_else(|e| panic!("ICS must parse: {e}\n{text}"))
}

fn vevents(cal: &icalendar::Calendar) -> Vec<&icalendar::Event> {
    cal.components.iter().filter_map(|c| c.as_event()).collect()
}

async fn member(app: &TestApp, email: &str, name: &str, slug: &str) -> reqwest::Client {
    let c = app.user(email, name).await;
    let r = c.post(app.at(&format!("/n/{slug}/join"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    c
}

async fn user_id(app: &TestApp, email: &str) -> roundtable_domain::UserId {
    users::by_email(&app.state.db, email).await.unwrap().unwrap().id
}

async fn organisers_create_events_and_members_see_them_in_their_own_time_zone(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let bo = member(&app, "bo@example.org", "Bo Member", "eas").await;
    // A member is not an organiser: no form, no creating.
    assert_eq!(bo.get(app.at("/n/eas/events/new")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        bo.post(app.at("/n/eas/events/new")).form(&event_form(&[])).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let form = body(admin.get(app.at("/n/eas/events/new")).send().await.unwrap()).await;
    assert!(
        form.contains("<label for=\"f-title\">Title</label>") && form.contains("<legend>Repeats</legend>"),
        "{form}"
    );
    let id = create_event(&app, &admin, "eas", &[("capacity", "20")]).await;
    set_tz(&app, "bo@example.org", "America/New_York").await;
    let page = body(bo.get(app.at(&format!("/events/{id}"))).send().await.unwrap()).await;
    assert!(page.contains("Tue 12 Jan 2027, 07:00–08:00 EST"), "New York sees 07:00: {page}");
    assert!(page.contains("Tue 12 Jan 2027, 12:00–13:00 GMT"), "and the organiser's local time: {page}");
    // Mail about it too is on each person's clock, with the event's where that differs; Cy has
    // chosen no time zone, so hers is the event's.
    let cy = member(&app, "cy@example.org", "Cy Member", "eas").await;
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let at = e.starts_at.timestamp_micros().to_string();
    for c in [&bo, &cy] {
        let form = [("response", "yes"), ("at", at.as_str())];
        let r = c.post(app.at(&format!("/events/{id}/rsvp"))).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let text =
        |mails: Vec<String>| unqp(&mails.into_iter().find(|m| m.contains("You're going")).expect("a confirmation"));
    let bos = text(app.emails_to("bo@example.org").await);
    assert!(bos.contains("on Tue 12 Jan 2027, 07:00–08:00 EST (12:00–13:00 GMT where it is held)"), "{bos}");
    let cys = text(app.emails_to("cy@example.org").await);
    assert!(
        cys.contains("on Tue 12 Jan 2027, 12:00–13:00 GMT is confirmed") && !cys.contains("where it is held"),
        "{cys}"
    );
    assert!(page.contains("<strong>what works</strong>"), "Markdown description rendered: {page}");
    assert!(page.contains("0 of 20 taken"));
    let month = body(bo.get(app.at("/n/eas/events?view=month&month=2027-01")).send().await.unwrap()).await;
    assert!(
        month.contains("<caption>January 2027</caption>")
            && month.contains("<th scope=\"col\"><abbr title=\"Monday\">Mon</abbr></th>"),
        "{month}"
    );
    assert!(month.contains("07:00 Monthly meeting"), "{month}");
    // The links to the months either side name them (a screen reader's list of links reads
    // "December 2026", not "Earlier").
    assert!(
        month.contains(r#"month=2026-12" rel="prev"><span aria-hidden="true">←</span> December 2026</a>"#)
            && month.contains(r#"month=2027-02" rel="next">February 2027 <span"#),
        "{month}"
    );
    // From the month, "Week" opens its first week; from this month, the week holding today.
    assert!(month.contains("view=week&#38;week=2027-01-01"), "{month}");
    let now = body(bo.get(app.at("/n/eas/events")).send().await.unwrap()).await;
    // Bo's today, in New York (around midnight UTC it is another day there).
    let today = chrono::Utc::now().with_timezone(&chrono_tz::America::New_York).date_naive().format("%Y-%m-%d");
    assert!(now.contains(&format!("view=week&#38;week={today}")), "{now}");
    let week = body(bo.get(app.at("/n/eas/events?view=week&week=2027-01-13")).send().await.unwrap()).await;
    assert!(week.contains("<th scope=\"row\">Tuesday 12 January") && week.contains("07:00 Monthly meeting"), "{week}");
    assert!(week.contains("Week of 4 January</a>") && week.contains("Week of 18 January <span"), "{week}");
    let list = body(bo.get(app.at("/n/eas/events?view=list&week=2027-01-01")).send().await.unwrap()).await;
    assert!(list.contains("Monthly meeting") && list.contains("Room 4.01"), "{list}");
    // Met in person on another clock: the list says its time there too, as the mail does.
    assert!(list.contains("07:00–08:00 EST (12:00 GMT where it is held)"), "{list}");
    let cys = body(cy.get(app.at("/n/eas/events?view=list&week=2027-01-01")).send().await.unwrap()).await;
    assert!(
        cys.contains("12:00–13:00 UTC") && !cys.contains("where it is held"),
        "one clock (UTC, London in winter): {cys}"
    );
    // Filters: another kind hides it; my calendar across networks shows it.
    let other =
        body(bo.get(app.at("/n/eas/events?view=list&week=2027-01-01&kind=workshop")).send().await.unwrap()).await;
    assert!(!other.contains("Monthly meeting"));
    let mine = body(bo.get(app.at("/calendar?view=month&month=2027-01&network=eas")).send().await.unwrap()).await;
    assert!(mine.contains("07:00 Monthly meeting"), "{mine}");
    // The network page links to its calendar; the audit log has the creation.
    let (log, _) = roundtable_store::audit::page(&app.state.db, 10, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "event.created" && e.subject == "Monthly meeting"));
    // The organiser edits; the change is saved and raises SEQUENCE.
    let r = admin
        .post(app.at(&format!("/events/{id}/edit")))
        .form(&event_form(&[("title", "January meeting"), ("capacity", "20")]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!((e.title.as_str(), e.sequence), ("January meeting", 1));
}

async fn an_event_over_the_night_the_clocks_change_ends_at_the_time_typed(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    // London's clocks go forward at 01:00 on 28 March 2027 and back at 02:00 on 31 October.
    for (start, end, shown, minutes) in [
        ("2027-03-28T00:30", "2027-03-28T03:00", "Sun 28 Mar 2027, 00:30 GMT – 03:00 BST", 90),
        ("2027-10-31T00:30", "2027-10-31T03:00", "Sun 31 Oct 2027, 00:30 BST – 03:00 GMT", 210),
        ("2027-10-31T01:30", "2027-10-31T02:00", "Sun 31 Oct 2027, 01:30 BST – 02:00 GMT", 90),
    ] {
        let id = create_event(&app, &admin, "eas", &[("start", start), ("end", end)]).await;
        let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
        assert_eq!(e.duration_minutes, minutes, "{start}–{end}");
        let page = body(admin.get(app.at(&format!("/events/{id}"))).send().await.unwrap()).await;
        assert!(page.contains(shown), "{shown}: {page}");
        // Edited again, the form holds the times as typed; the calendar file ends after it starts.
        let form = body(admin.get(app.at(&format!("/events/{id}/edit"))).send().await.unwrap()).await;
        assert!(form.contains(&format!("value=\"{end}\"")), "{end}: {form}");
        let at = e.starts_at.timestamp_micros();
        let ics = body(admin.get(app.at(&format!("/events/{id}/invite.ics?at={at}"))).send().await.unwrap()).await;
        let compact = |t: &str| t.replace(['-', ':'], "") + "00";
        assert!(ics.contains(&format!("DTEND;TZID=Europe/London:{}", compact(end))), "{ics}");
    }
}

async fn bad_event_input_is_explained_and_changes_nothing(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let r = admin
        .post(app.at("/n/eas/events/new"))
        .form(&event_form(&[
            ("title", ""),
            ("kind", "party"),
            ("time_zone", "Mars/Olympus"),
            ("end", "2027-01-12T11:00"),
            ("location_mode", "online"),
            ("online_url", "javascript:alert(1)"),
            ("capacity", "-3"),
            ("repeat", "custom"),
            ("rrule", "FREQ=YEARLY"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    for msg in [
        "Enter a title",
        "Choose what kind",
        "Choose a time zone",
        "The end must be after the start",
        "starting with https://",
        "whole number from 1",
        "FREQ must be",
    ] {
        assert!(html.contains(msg), "missing {msg:?}: {html}");
    }
    assert!(html.contains("value=\"Mars/Olympus\""), "typed values are kept");
    // Each message is tied to its field, so a screen reader says it on reaching the field.
    for tied in [
        r#"<select id="f-kind" name="kind" aria-invalid="true" aria-describedby="f-kind-error">"#,
        r#"aria-describedby="f-time_zone-hint f-time_zone-error" aria-invalid="true">"#,
    ] {
        assert!(html.contains(tied), "missing {tied:?}: {html}");
    }
    // A title or place on two lines, or one that reverses the text after it: refused by the field.
    let r = admin
        .post(app.at("/n/eas/events/new"))
        .form(&event_form(&[
            ("title", "Lunch \u{202E}gnp.KO"),
            ("location_mode", "in_person"),
            ("place", "Room 1\r\nX-Evil: 1"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(html.contains("on one line, for the title") && html.contains("on one line, for the place"), "{html}");
    // A time the clocks skip in the event's zone (London goes from 01:00 to 02:00 on 28 March).
    let r = admin
        .post(app.at("/n/eas/events/new"))
        .form(&event_form(&[
            ("time_zone", "Europe/London"),
            ("start", "2027-03-28T01:30"),
            ("end", "2027-03-28T03:00"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(html.contains("01:30 on 28 Mar 2027 does not exist in Europe/London"), "{html}");
    assert!(!html.contains("The end must be after the start"), "the end is not at fault: {html}");
    // A year typed wrong is refused, naming it; a date long past or far ahead is no event.
    for (start, end, year) in
        [("1970-01-12T12:00", "1970-01-12T13:00", "1970"), ("2207-01-12T12:00", "2207-01-12T13:00", "2207")]
    {
        let r = admin
            .post(app.at("/n/eas/events/new"))
            .form(&event_form(&[("start", start), ("end", end)]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = body(r).await;
        assert!(html.contains(&format!("Check the year: {year} is out of range")), "{html}");
    }
    let n = networks_events(&app, "eas").await;
    assert_eq!(n, 0, "nothing was created");
    // Unknown and malformed ids are simply not found.
    assert_eq!(admin.get(app.at("/events/not-a-uuid")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(
        admin.get(app.at("/events/00000000-0000-0000-0000-000000000000")).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

async fn networks_events(app: &TestApp, slug: &str) -> usize {
    let n = roundtable_store::networks::by_slug(&app.state.db, slug).await.unwrap().unwrap();
    store::in_network(&app.state.db, n.id, DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC).await.unwrap().len()
}

async fn concurrent_rsvps_never_overbook_and_a_freed_place_goes_to_the_first_waiting(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let start = Utc::now() + Duration::days(10);
    let id = create_event(
        &app,
        &admin,
        "eas",
        &[("capacity", "10"), ("start", &local_input(start)), ("end", &local_input(start + Duration::hours(1)))],
    )
    .await;
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let at = e.starts_at.timestamp_micros().to_string();
    let mut clients = Vec::new();
    for i in 0..30 {
        clients.push(member(&app, &format!("p{i}@example.org"), &format!("Person {i:02}"), "eas").await);
    }
    // Thirty people answer "going" at the same moment.
    let mut tasks = Vec::new();
    for c in clients.clone() {
        let (url, at) = (app.at(&format!("/events/{id}/rsvp")), at.clone());
        tasks.push(tokio::spawn(async move {
            c.post(url).form(&[("response", "yes"), ("at", at.as_str())]).send().await.unwrap().status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::SEE_OTHER);
    }
    let people = store::attendees(&app.state.db, e.id, e.starts_at).await.unwrap();
    let going: Vec<_> = people.iter().filter(|a| a.response == Rsvp::Yes).collect();
    let mut waiting: Vec<_> = people.iter().filter(|a| a.response == Rsvp::Waitlisted).collect();
    assert_eq!((going.len(), waiting.len()), (10, 20), "exactly 10 places taken, 20 waiting");
    waiting.sort_by_key(|a| (a.responded_at, a.user_id));
    let first_waiting = waiting[0].email.clone();
    // Someone waiting sees their turn.
    let second = app.sign_in(&waiting[1].email).await;
    let page = body(second.get(app.at(&format!("/events/{id}?at={at}"))).send().await.unwrap()).await;
    assert!(page.contains("<strong>On the waiting list</strong> — 2nd of 20;"), "{page}");
    // Saying yes again does not change a place or the queue.
    let again = clients[0]
        .post(app.at(&format!("/events/{id}/rsvp")))
        .form(&[("response", "yes"), ("at", at.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    // One of those going gives up their place: the first waiting person gets it, and an email.
    let leaver = going[0].email.clone();
    let leaver_client = app.sign_in(&leaver).await;
    // An hour after the event was last changed, the message it now sends is stamped with the
    // time it is written (DTSTAMP): calendar programs take the newer of two messages with the
    // same SEQUENCE — the "going" invitation and this cancellation — by it.
    let an_hour_ago = Value::from(Utc::now() - Duration::hours(1));
    let sql = "UPDATE events SET updated_at = $2 WHERE id = $1";
    app.state.db.write(sql, vec![Value::from(e.id.to_string()), an_hour_ago]).await.unwrap();
    let before_leaving = Utc::now() - Duration::seconds(1);
    leaver_client
        .post(app.at(&format!("/events/{id}/rsvp")))
        .form(&[("response", "no"), ("at", at.as_str())])
        .send()
        .await
        .unwrap();
    let people = store::attendees(&app.state.db, e.id, e.starts_at).await.unwrap();
    assert_eq!(people.iter().filter(|a| a.response == Rsvp::Yes).count(), 10, "still never more than capacity");
    assert_eq!(
        people.iter().find(|a| a.email == first_waiting).unwrap().response,
        Rsvp::Yes,
        "first come, first promoted"
    );
    let mails = app.emails_to(&first_waiting).await;
    let promoted =
        mails.iter().find(|m| m.contains("A place is yours")).unwrap_or_else(|| panic!("promotion email: {mails:?}"));
    assert!(promoted.contains("text/calendar") && promoted.contains("method=REQUEST"), "{promoted}");
    // Where to go is in the mail itself, not only in its calendar attachment.
    assert!(unqp(promoted).contains("Where: Room 4.01"), "{promoted}");
    let confirmed = app.emails_to(&leaver).await;
    let confirmation = confirmed.iter().find(|m| m.contains("Subject: You're going")).expect("a confirmation");
    assert!(unqp(confirmation).contains("Where: Room 4.01"), "{confirmation}");
    let cal = calendar_in(promoted);
    assert_eq!(cal.property_value("METHOD"), Some("REQUEST"));
    assert_eq!(vevents(&cal)[0].get_uid(), Some(format!("{id}@roundtable").as_str()));
    // The leaver's calendar entry is withdrawn with METHOD:CANCEL and the same UID.
    let left = app.emails_to(&leaver).await;
    let cancel = left.iter().find(|m| m.contains("Place released")).expect("release email");
    let cal = calendar_in(cancel);
    assert_eq!(cal.property_value("METHOD"), Some("CANCEL"));
    assert_eq!(vevents(&cal)[0].get_uid(), Some(format!("{id}@roundtable").as_str()));
    let stamp = vevents(&cal)[0].get_timestamp().expect("DTSTAMP");
    assert!(stamp >= before_leaving, "stamped when written, not when the event changed: {stamp}");
    // Two more places: the next two waiting people move up.
    let twelve_places_at = |start: DateTime<Utc>| {
        let form = event_form(&[
            ("capacity", "12"),
            ("start", &local_input(start)),
            ("end", &local_input(start + Duration::hours(1))),
        ]);
        admin.post(app.at(&format!("/events/{id}/edit"))).form(&form).send()
    };
    assert_eq!(twelve_places_at(start).await.unwrap().status(), StatusCode::SEE_OTHER);
    let people = store::attendees(&app.state.db, e.id, e.starts_at).await.unwrap();
    assert_eq!(people.iter().filter(|a| a.response == Rsvp::Yes).count(), 12);
    assert_eq!(people.iter().find(|a| a.email == waiting[2].email).unwrap().response, Rsvp::Yes);
    assert_eq!(people.iter().find(|a| a.email == waiting[3].email).unwrap().response, Rsvp::Waitlisted);
    // Waiting-list people were told they wait, and got no invitation.
    let waits = app.emails_to(&waiting[5].email).await;
    assert!(waits.iter().any(|m| m.contains("On the waiting list") && !m.contains("text/calendar")), "{waits:?}");
    // Moved an hour later: everyone who answered gets the new time for their calendar — as
    // accepted for those going, only tentative for those still waiting for a place.
    assert_eq!(twelve_places_at(start + Duration::hours(1)).await.unwrap().status(), StatusCode::SEE_OTHER);
    let moved = store::by_id(&app.state.db, e.id).await.unwrap().unwrap();
    let people = store::attendees(&app.state.db, e.id, moved.starts_at).await.unwrap();
    assert_eq!(people.iter().filter(|a| a.response == Rsvp::Yes).count(), 12, "the answers moved with the event");
    // The latest update (the highest SEQUENCE: mail files are read in no particular order).
    let answer = |mails: Vec<String>| {
        let cals: Vec<_> = mails.iter().filter(|m| m.contains("Updated:")).map(|m| calendar_in(m)).collect();
        let sequence = |c: &icalendar::Calendar| {
            vevents(c)[0].property_value("SEQUENCE").and_then(|s| s.parse::<u32>().ok()).unwrap_or(0)
        };
        let cal = cals.into_iter().max_by_key(sequence).expect("an update with the new time");
        let attendees = vevents(&cal)[0].multi_properties().get("ATTENDEE").expect("addressed to them").clone();
        attendees[0].params().get("PARTSTAT").map(|p| p.value().to_owned())
    };
    assert_eq!(answer(app.emails_to(&waiting[2].email).await).as_deref(), Some("ACCEPTED"));
    assert_eq!(answer(app.emails_to(&waiting[3].email).await).as_deref(), Some("TENTATIVE"), "still waiting");
    // Someone going is removed from the network: their place goes to the next waiting, and the
    // date leaves their calendar.
    let removed = going[1].email.clone();
    let removed_id = user_id(&app, &removed).await;
    let r = admin.post(app.at(&format!("/n/eas/members/{removed_id}/remove"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.jobs_done().await;
    let people = store::attendees(&app.state.db, e.id, moved.starts_at).await.unwrap();
    assert_eq!(people.iter().filter(|a| a.response == Rsvp::Yes).count(), 12, "the place is taken again");
    assert_eq!(people.iter().find(|a| a.email == waiting[3].email).unwrap().response, Rsvp::Yes);
    assert!(people.iter().all(|a| a.email != removed), "their answer is forgotten");
    let mails = app.emails_to(&removed).await;
    let given_up = mails.iter().find(|m| m.contains("Your place is given up")).expect("the removed person is told");
    assert!(given_up.contains("You are no longer a member of"), "{given_up}");
    assert_eq!(calendar_in(given_up).property_value("METHOD"), Some("CANCEL"));
    // Fewer places than people holding one: they keep theirs, and the organiser is told so.
    let form = event_form(&[
        ("capacity", "10"),
        ("start", &local_input(start + Duration::hours(1))),
        ("end", &local_input(start + Duration::hours(2))),
    ]);
    let r = admin.post(app.at(&format!("/events/{id}/edit"))).form(&form).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("/events/{id}?notice=event-saved-over"));
    let people = store::attendees(&app.state.db, e.id, moved.starts_at).await.unwrap();
    assert_eq!(people.iter().filter(|a| a.response == Rsvp::Yes).count(), 12, "no one loses a place");
}

async fn a_monthly_series_keeps_local_time_and_single_dates_are_cancelled_or_changed(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    set_tz(&app, "admin@example.org", "Europe/London").await;
    app.network(&admin, "eas", "open").await;
    let bo = member(&app, "bo@example.org", "Bo Member", "eas").await;
    let id = create_event(&app, &admin, "eas", &[("repeat", "monthly_nth"), ("until", "2027-12-31")]).await;
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(e.rrule, "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20271231T235959Z");
    // 12:00 London in winter and in summer (second Tuesday of April is the 13th, in BST).
    let april = body(admin.get(app.at("/n/eas/events?view=month&month=2027-04")).send().await.unwrap()).await;
    assert!(april.contains("12:00 Monthly meeting") && april.contains("Tuesday 13 April"), "{april}");
    let page = body(bo.get(app.at(&format!("/events/{id}"))).send().await.unwrap()).await;
    assert!(page.contains("Every month on the second Tuesday, until 31 December 2027"), "{page}");
    // The API gives the rule as the calendar feed does: UNTIL in UTC, the end of the last day
    // on the event's clock — not that day's local end with a Z added.
    let fields = [("repeat", "weekly"), ("until", "2027-02-02"), ("time_zone", "America/New_York")];
    let weekly = create_event(&app, &admin, "eas", &fields).await;
    let token = app.api_token(&bo).await;
    let one: serde_json::Value = support::api_get(app.at(&format!("/api/v1/events/{weekly}")), &token).await;
    assert_eq!(one["rrule"], "FREQ=WEEKLY;UNTIL=20270203T045959Z", "{one}");
    // Bo answers for the April meeting; then the organiser cancels only that date.
    let april_at = DateTime::parse_from_rfc3339("2027-04-13T11:00:00Z").unwrap().with_timezone(&Utc);
    let at = april_at.timestamp_micros().to_string();
    let r = bo
        .post(app.at(&format!("/events/{id}/rsvp")))
        .form(&[("response", "maybe"), ("at", at.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // A message to attendees longer than the box takes is refused, cancelling nothing.
    let long = "x".repeat(1001);
    let r = admin.post(app.at(&format!("/events/{id}/cancel"))).form(&[
        ("scope", "one"),
        ("at", at.as_str()),
        ("reason", long.as_str()),
    ]);
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("longer than 1,000 characters"));
    let r = admin
        .post(app.at(&format!("/events/{id}/cancel")))
        .form(&[("scope", "one"), ("at", at.as_str()), ("reason", "The room is taken: we meet in May instead.")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let april = body(admin.get(app.at("/n/eas/events?view=month&month=2027-04")).send().await.unwrap()).await;
    assert!(april.contains("Cancelled"), "{april}");
    let may = body(admin.get(app.at("/n/eas/events?view=month&month=2027-05")).send().await.unwrap()).await;
    assert!(may.contains("12:00 Monthly meeting") && !may.contains("Cancelled"), "other dates stay: {may}");
    // The cancelled date's page counts no places: none will be taken.
    let gone = body(bo.get(app.at(&format!("/events/{id}?at={at}"))).send().await.unwrap()).await;
    assert!(gone.contains("This occurrence will not take place") && !gone.contains("<dt>Places</dt>"), "{gone}");
    // Changing one date offers what one date can have of its own — its title and time — and
    // says where the rest is changed (it would otherwise be saved and ignored).
    let one = body(admin.get(app.at(&format!("/events/{id}/edit?scope=one&at={at}"))).send().await.unwrap()).await;
    assert!(
        one.contains("id=\"f-title\"") && one.contains("id=\"f-start\"") && !one.contains("id=\"f-place\""),
        "{one}"
    );
    assert!(one.contains("edit the whole series to change them"), "{one}");
    // Its time is in the event's zone, which one date cannot change (it would move the date).
    assert!(!one.contains("id=\"f-time_zone\"") && one.contains("Save this date"), "{one}");
    let whole = body(admin.get(app.at(&format!("/events/{id}/edit"))).send().await.unwrap()).await;
    assert!(whole.contains(r#"id="rep-monthly_nth" name="repeat" value="monthly_nth" checked"#), "as made: {whole}");
    let mails = app.emails_to("bo@example.org").await;
    let cancel = mails.iter().find(|m| m.contains("Cancelled: Monthly meeting")).expect("cancellation email");
    assert!(
        unqp(cancel).contains("The organisers say: The room is taken: we meet in May instead."),
        "the organisers' message goes with it: {}",
        unqp(cancel)
    );
    assert!(cancel.contains("Reply-To: admin@example.org"), "a reply reaches who cancelled it: {cancel}");
    assert_eq!(
        mails.iter().filter(|m| m.contains("Cancelled: Monthly meeting")).count(),
        1,
        "the refused one sent none"
    );
    let cal = calendar_in(cancel);
    assert_eq!(cal.property_value("METHOD"), Some("CANCEL"));
    let v = vevents(&cal)[0];
    // One date of a series has its own UID: the series' with the date's place in it (April is
    // the fourth, from January), which a re-timed series keeps.
    let uid = v.get_uid().unwrap_or_default();
    assert!(uid.starts_with(&format!("{id}-4-")) && uid.ends_with("@roundtable"), "one date has its own UID: {uid}");
    assert!(v.property_value("SEQUENCE").unwrap().parse::<u32>().unwrap() >= 1, "SEQUENCE raised");
    // The same cancellation sent again (a second tap, Back and send): said, and no one told twice.
    let again = admin.post(app.at(&format!("/events/{id}/cancel"))).form(&[("scope", "one"), ("at", at.as_str())]);
    let again = again.send().await.unwrap();
    assert_eq!(again.headers()["location"], format!("/events/{id}?notice=event-already-cancelled&at={at}"));
    let told = app.emails_to("bo@example.org").await;
    assert_eq!(told.iter().filter(|m| m.contains("Cancelled: Monthly meeting")).count(), 1);
    // RSVPs to a cancelled date are refused with a reason.
    let r = bo
        .post(app.at(&format!("/events/{id}/rsvp")))
        .form(&[("response", "yes"), ("at", at.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // Move only the June date to 14:00.
    let june_at = DateTime::parse_from_rfc3339("2027-06-08T11:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        .timestamp_micros()
        .to_string();
    // Not into the past (a year typed wrong): refused, nothing moved, no one told.
    let mut past = event_form(&[("start", "2026-06-08T14:00"), ("end", "2026-06-08T15:00")]);
    past.push(("scope".into(), "one".into()));
    past.push(("at".into(), june_at.clone()));
    let r = admin.post(app.at(&format!("/events/{id}/edit"))).form(&past).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("This date is still to come: choose a time that has not passed yet."));
    let mut f =
        event_form(&[("start", "2027-06-08T14:00"), ("end", "2027-06-08T15:00"), ("title", "June meeting (later)")]);
    f.push(("scope".into(), "one".into()));
    f.push(("at".into(), june_at.clone()));
    let r = admin.post(app.at(&format!("/events/{id}/edit"))).form(&f).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
    let june = body(admin.get(app.at("/n/eas/events?view=month&month=2027-06")).send().await.unwrap()).await;
    assert!(june.contains("14:00 June meeting (later)") && !june.contains("No events this month"), "{june}");
    // Cancelling the moved date lists it cancelled at the time it had been moved to.
    let r = admin.post(app.at(&format!("/events/{id}/cancel"))).form(&[("scope", "one"), ("at", june_at.as_str())]);
    assert_eq!(r.send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let june = body(admin.get(app.at("/n/eas/events?view=month&month=2027-06")).send().await.unwrap()).await;
    assert!(
        june.contains("14:00 June meeting (later)") && june.contains("Cancelled") && !june.contains("12:00 June"),
        "{june}"
    );
    let empty = body(admin.get(app.at("/n/eas/events?view=month&month=2026-01")).send().await.unwrap()).await;
    assert!(empty.contains("No events this month."), "a month with nothing says so: {empty}");
    // "This and all following" from September: the old series ends in August, a new one starts.
    let sept_at = DateTime::parse_from_rfc3339("2027-09-14T11:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        .timestamp_micros()
        .to_string();
    // Bo has said yes to October on the old series; the split must not leave that dangling.
    let oct_at = DateTime::parse_from_rfc3339("2027-10-12T11:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        .timestamp_micros()
        .to_string();
    let r = bo
        .post(app.at(&format!("/events/{id}/rsvp")))
        .form(&[("response", "yes"), ("at", oct_at.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut f = event_form(&[
        ("start", "2027-09-14T16:00"),
        ("end", "2027-09-14T17:00"),
        ("repeat", "monthly_nth"),
        ("title", "Afternoon meeting"),
    ]);
    f.push(("scope".into(), "following".into()));
    f.push(("at".into(), sept_at));
    let r = admin.post(app.at(&format!("/events/{id}/edit"))).form(&f).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let new_id = event_id_in(&r);
    assert_ne!(new_id, id);
    let old = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    assert!(old.rrule.contains("UNTIL=20270913"), "{}", old.rrule);
    let oct = body(admin.get(app.at("/n/eas/events?view=month&month=2027-10")).send().await.unwrap()).await;
    assert!(oct.contains("16:00 Afternoon meeting") && !oct.contains("12:00 Monthly meeting"), "{oct}");
    let mails = app.emails_to("bo@example.org").await;
    assert!(mails.iter().any(|m| m.contains("method=CANCEL")), "the old date is withdrawn from Bo's calendar");
    assert!(
        mails.iter().any(|m| m.contains("method=REQUEST") && m.contains("Afternoon meeting")),
        "and the new series offered"
    );
    let updated = mails.iter().map(|m| unqp(m)).find(|m| m.contains("Subject: Updated: Afternoon meeting"));
    let updated = updated.expect("an Updated mail for the date he answered");
    assert!(
        updated.contains("It was on Tue 12 Oct 2027, 12:00") && updated.contains("It was called “Monthly meeting”"),
        "it says what the date was: {updated}"
    );
    // His place went with the date: October's second Tuesday in the new series, 16:00.
    let new_oct = DateTime::parse_from_rfc3339("2027-10-12T15:00:00Z").unwrap().with_timezone(&Utc);
    let going = store::attendees(&app.state.db, new_id.parse().unwrap(), new_oct).await.unwrap();
    assert_eq!(
        going.iter().map(|a| (a.email.as_str(), a.response)).collect::<Vec<_>>(),
        [("bo@example.org", Rsvp::Yes)]
    );
    let page =
        body(bo.get(app.at(&format!("/events/{new_id}?at={}", new_oct.timestamp_micros()))).send().await.unwrap())
            .await;
    assert!(page.contains("Tue 12 Oct 2027, 16:00"), "{page}");
    // A member cannot cancel.
    assert_eq!(
        bo.post(app.at(&format!("/events/{id}/cancel"))).form(&[("scope", "all")]).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
}

/// Moving a whole series (here a week earlier) takes each date's answers with it: the second
/// Tuesday's "yes" is on the new second Tuesday — the very time the old first one had.
async fn a_retimed_series_keeps_each_dates_answers(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let bo = member(&app, "bo@example.org", "Bo Member", "eas").await;
    let fields = |start: &str, end: &str| {
        event_form(&[("repeat", "weekly"), ("start", start), ("end", end), ("title", "Tuesday circle")])
    };
    let r = admin.post(app.at("/n/eas/events/new")).form(&fields("2027-03-09T10:00", "2027-03-09T11:00")).send();
    let r = r.await.unwrap();
    let id = event_id_in(&r);
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let dates = |e: &roundtable_store::events::Event| -> Vec<DateTime<Utc>> {
        roundtable_app::events::series(e)
            .between(e.starts_at, e.starts_at + Duration::days(30), 3)
            .into_iter()
            .map(|o| o.original)
            .collect()
    };
    let before = dates(&e);
    for (at, answer) in [(before[0], "maybe"), (before[1], "yes")] {
        let r = bo
            .post(app.at(&format!("/events/{id}/rsvp")))
            .form(&[("response", answer), ("at", &at.timestamp_micros().to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let r = admin.post(app.at(&format!("/events/{id}/edit"))).form(&fields("2027-03-02T10:00", "2027-03-02T11:00"));
    assert_eq!(r.send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let moved = store::by_id(&app.state.db, e.id).await.unwrap().unwrap();
    let after = dates(&moved);
    assert_eq!(after[1], before[0], "the new second date is the old first one");
    let bo_id = user_id(&app, "bo@example.org").await;
    let answer_on = |at: DateTime<Utc>| {
        let db = app.state.db.clone();
        async move {
            store::attendees(&db, e.id, at).await.unwrap().into_iter().find(|a| a.user_id == bo_id).map(|a| a.response)
        }
    };
    assert_eq!(answer_on(after[0]).await, Some(Rsvp::Maybe));
    assert_eq!(answer_on(after[1]).await, Some(Rsvp::Yes));
    assert_eq!(answer_on(after[2]).await, None);
    // Bo is sent each date he answered as it now is, under the UID his calendar has for it.
    let uid_of = |mail: &String| vevents(&calendar_in(mail))[0].get_uid().unwrap_or_default().to_owned();
    let updated = |mails: Vec<String>, subject: &str| -> Vec<(String, String)> {
        let mut v: Vec<_> = mails
            .into_iter()
            .filter(|m| m.contains(&format!("Subject: {subject}")))
            .map(|m| (uid_of(&m), unqp(&m)))
            .collect();
        v.sort();
        v
    };
    let going = updated(app.emails_to("bo@example.org").await, "You're going: Tuesday circle");
    let mails = updated(app.emails_to("bo@example.org").await, "Updated: Tuesday circle");
    let uids: Vec<&str> = mails.iter().map(|(u, _)| u.as_str()).collect();
    // "<id>-<place in the series>-<the rule's shape>@roundtable"
    let shape = going[0].0.rsplit('-').next().unwrap().to_owned();
    let uid = |n: u32| format!("{id}-{n}-{shape}");
    assert_eq!(uids, [uid(1), uid(2)], "one per date he answered");
    assert_eq!(going[0].0, uid(2), "his second date's entry is updated, not doubled");
    assert!(mails[0].1.contains("It is now on Tue 2 Mar 2027, 10:00") && mails[1].1.contains("Tue 9 Mar 2027"));
    assert!(
        mails[0].1.contains("It was on Tue 9 Mar 2027") && mails[1].1.contains("It was on Tue 16 Mar 2027"),
        "each mail says when the date was: {}",
        mails[0].1
    );
    let gone = |mails: Vec<String>| {
        let mut v: Vec<String> = mails.iter().filter(|m| m.contains("Subject: Cancelled:")).map(uid_of).collect();
        v.sort();
        v
    };
    // A capacity alone changes nothing in a calendar: no mail.
    let mut quiet = fields("2027-03-02T10:00", "2027-03-02T11:00");
    quiet.push(("capacity".into(), "30".into()));
    assert_eq!(
        admin.post(app.at(&format!("/events/{id}/edit"))).form(&quiet).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(updated(app.emails_to("bo@example.org").await, "Updated: Tuesday circle").len(), 2);
    // Cancelled from the second date on: a cancellation for each date he answered from there.
    let third = after[2].timestamp_micros().to_string();
    let r = bo.post(app.at(&format!("/events/{id}/rsvp"))).form(&[("response", "yes"), ("at", third.as_str())]).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::SEE_OTHER);
    let second = after[1].timestamp_micros().to_string();
    let r =
        admin.post(app.at(&format!("/events/{id}/cancel"))).form(&[("scope", "following"), ("at", second.as_str())]);
    assert_eq!(r.send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(gone(app.emails_to("bo@example.org").await), [uid(2), uid(3)]);
}

async fn a_new_rule_gives_kept_dates_new_entries_and_withdraws_the_dates_it_drops(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let bo = member(&app, "bo@example.org", "Bo Member", "eas").await;
    let weekly = |rule: &str| {
        event_form(&[
            ("repeat", "custom"),
            ("rrule", rule),
            ("start", "2027-03-09T10:00"),
            ("end", "2027-03-09T11:00"),
            ("title", "Tuesday circle"),
        ])
    };
    let r = admin.post(app.at("/n/eas/events/new")).form(&weekly("FREQ=WEEKLY;BYDAY=TU")).send().await.unwrap();
    let id = event_id_in(&r);
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let at = e.starts_at.timestamp_micros().to_string();
    let r = bo.post(app.at(&format!("/events/{id}/rsvp"))).form(&[("response", "yes"), ("at", at.as_str())]).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::SEE_OTHER);
    let uid_of = |m: &String| vevents(&calendar_in(m))[0].get_uid().unwrap_or_default().to_owned();
    let with = |mails: &[String], subject: &str| -> Vec<String> {
        mails.iter().filter(|m| m.contains(&format!("Subject: {subject}"))).map(uid_of).collect()
    };
    let first = with(&app.emails_to("bo@example.org").await, "You're going")[0].clone();
    // Tuesdays and Thursdays: his Tuesday stays, under a new UID, and the old entry is taken out.
    let r = admin.post(app.at(&format!("/events/{id}/edit"))).form(&weekly("FREQ=WEEKLY;BYDAY=TU,TH")).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::SEE_OTHER);
    let mails = app.emails_to("bo@example.org").await;
    let (cancelled, updated) = (with(&mails, "Cancelled: Tuesday circle"), with(&mails, "Updated: Tuesday circle"));
    assert_eq!(cancelled, std::slice::from_ref(&first), "the old entry goes");
    assert!(updated.len() == 1 && updated[0] != first, "the date comes back as a new entry: {updated:?}");
    let going = store::attendees(&app.state.db, e.id, e.starts_at).await.unwrap();
    assert_eq!(going.iter().map(|a| a.response).collect::<Vec<_>>(), [Rsvp::Yes], "his place stays");
    // Wednesdays: his date is gone, so is his answer, with its entry.
    let r = admin.post(app.at(&format!("/events/{id}/edit"))).form(&weekly("FREQ=WEEKLY;BYDAY=WE")).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::SEE_OTHER);
    let mails = app.emails_to("bo@example.org").await;
    assert_eq!(with(&mails, "Cancelled: Tuesday circle").len(), 2);
    assert!(with(&mails, "Cancelled: Tuesday circle").contains(&updated[0]));
    assert!(store::attendees(&app.state.db, e.id, e.starts_at).await.unwrap().is_empty());
}

async fn ics_feeds_parse_back_with_timezones_and_can_be_revoked(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let bo = member(&app, "bo@example.org", "Bo Member", "eas").await;
    let start = Utc::now() + Duration::days(3);
    let id = create_event(
        &app,
        &admin,
        "eas",
        &[
            ("repeat", "weekly"),
            ("start", &local_input(start)),
            ("end", &local_input(start + Duration::hours(1))),
            ("title", "Coffee, tea & \"chat\""),
            (
                "description",
                "Bring **your questions**.\n\n- a [short agenda](https://example.org/agenda)\n- <b>no</b> surprises",
            ),
        ],
    )
    .await;
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let second = roundtable_app::events::series(&e).between(
        e.starts_at + Duration::days(1),
        e.starts_at + Duration::days(10),
        1,
    )[0]
    .original;
    admin
        .post(app.at(&format!("/events/{id}/cancel")))
        .form(&[("scope", "one"), ("at", &second.timestamp_micros().to_string())])
        .send()
        .await
        .unwrap();
    // Bo's first page lists what is coming up: the next dates, not the cancelled one.
    let first = body(bo.get(app.at("/")).send().await.unwrap()).await;
    let link = |at: chrono::DateTime<Utc>| format!(r#"<a href="/events/{id}?at={}">"#, at.timestamp_micros());
    assert!(first.contains("Coming up") && first.contains(&link(e.starts_at)), "{first}");
    assert!(first.contains("Coffee, tea &#38; &#34;chat&#34;") && !first.contains(&link(second)), "{first}");
    let url = app.new_feed(&bo, "").await;
    // Shown once: a reload shows the list, not the address again, and makes no second one.
    let again = body(bo.get(app.at("/calendar/feeds")).send().await.unwrap()).await;
    assert!(!again.contains(&url) && again.contains("Your addresses"), "{again}");
    assert_eq!(store::feeds_of(&app.state.db, user_id(&app, "bo@example.org").await).await.unwrap().len(), 1);
    // No session needed: the secret in the URL is the credential.
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("content-type").unwrap().to_str().unwrap().starts_with("text/calendar"));
    let text = body(r).await;
    assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/London") && text.contains("TZOFFSETTO:+0100"), "{text}");
    let cal = calendar_in(&text);
    assert_eq!(cal.property_value("METHOD"), Some("PUBLISH"));
    let ev = vevents(&cal);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].get_summary(), Some("Coffee, tea & \"chat\""), "escaping round-trips");
    assert_eq!(ev[0].property_value("RRULE"), Some("FREQ=WEEKLY"));
    assert_eq!(ev[0].get_uid(), Some(format!("{id}@roundtable").as_str()));
    let dtstart = ev[0].properties().get("DTSTART").unwrap();
    assert_eq!(dtstart.params().get("TZID").map(|p| p.value()), Some("Europe/London"));
    let exdate = ev[0].multi_properties().get("EXDATE").expect("cancelled date excluded");
    assert_eq!(exdate[0].value(), second.with_timezone(&chrono_tz::Europe::London).format("%Y%m%dT%H%M%S").to_string());
    // Revoking stops the URL working.
    let feeds = store::feeds_of(&app.state.db, user_id(&app, "bo@example.org").await).await.unwrap();
    let r = bo.post(app.at(&format!("/calendar/feeds/{}/revoke", feeds[0].id))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(reqwest::get(&url).await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(reqwest::get(app.at("/ical/not-a-token.ics")).await.unwrap().status(), StatusCode::NOT_FOUND);
    // Someone else cannot revoke Bo's feed.
    let eve = app.user("eve@example.org", "Eve").await;
    assert_eq!(
        eve.post(app.at(&format!("/calendar/feeds/{}/revoke", feeds[0].id))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // The single-event download is an .ics too, named after the event and its day (a phone
    // keeps every download: "event (7).ics" would say nothing).
    let at = e.starts_at.timestamp_micros();
    let r = bo.get(app.at(&format!("/events/{id}/invite.ics?at={at}"))).send().await.unwrap();
    let day = e.starts_at.with_timezone(&chrono_tz::Europe::London).date_naive();
    let named = format!("attachment; filename=\"coffee-tea-chat-{day}.ics\"");
    assert_eq!(r.headers()["content-disposition"].to_str().unwrap(), named);
    let one = body(
        bo.get(app.at(&format!("/events/{id}/invite.ics?at={}", e.starts_at.timestamp_micros()))).send().await.unwrap(),
    )
    .await;
    // Added to one's own calendar: it claims no answer for anyone, and its description is the
    // text people read, not Markdown.
    assert!(!one.contains("ATTENDEE") && !one.contains("PARTSTAT"), "{one}");
    // A link without the date (typed, or shared from an old page) gives the date the event page
    // shows first.
    let bare = bo.get(app.at(&format!("/events/{id}/invite.ics"))).send().await.unwrap();
    assert_eq!(bare.status(), StatusCode::OK);
    // The same entry: DTSTAMP (when the file was made) aside, which may fall in another second.
    let stamped = |ics: &str| ics.lines().filter(|l| !l.starts_with("DTSTAMP")).collect::<Vec<_>>().join("\n");
    assert_eq!(stamped(&body(bare).await), stamped(&one));
    let one = calendar_in(&one);
    let ev = vevents(&one);
    assert_eq!(ev.len(), 1);
    assert_eq!(
        ev[0].get_description(),
        Some(
            "Theme: Working out loud\n\nBring your questions.\n\n- a short agenda (https://example.org/agenda)\n- no surprises"
        )
    );
    // With the first two dates cancelled, the date offered without `at` is the third; a
    // cancelled date is not offered as something to add to a calendar.
    let first = e.starts_at.timestamp_micros().to_string();
    let r = admin.post(app.at(&format!("/events/{id}/cancel"))).form(&[("scope", "one"), ("at", first.as_str())]);
    assert_eq!(r.send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let third =
        roundtable_app::events::series(&e).between(second + Duration::days(1), second + Duration::days(8), 1)[0];
    let bare = calendar_in(&body(bo.get(app.at(&format!("/events/{id}/invite.ics"))).send().await.unwrap()).await);
    let start = vevents(&bare)[0].properties().get("DTSTART").unwrap().value().to_owned();
    assert_eq!(start, third.start.with_timezone(&chrono_tz::Europe::London).format("%Y%m%dT%H%M%S").to_string());
    let cancelled = bo.get(app.at(&format!("/events/{id}/invite.ics?at={first}"))).send().await.unwrap();
    assert_eq!(cancelled.status(), StatusCode::CONFLICT);
    let page = body(bo.get(app.at(&format!("/events/{id}?at={first}"))).send().await.unwrap()).await;
    assert!(!page.contains("Add to my calendar"), "{page}");
    // A network's own feed empties when Bo leaves the network (a calendar app drops its dates;
    // an error would only be retried), and his list of addresses says why.
    let network_feed = app.new_feed(&bo, "eas").await;
    assert!(body(reqwest::get(&network_feed).await.unwrap()).await.contains("BEGIN:VEVENT"));
    let confirm = body(bo.get(app.at("/n/eas/leave")).send().await.unwrap()).await;
    assert!(
        confirm.contains("calendar subscription to this network&#39;s events stays valid but empties"),
        "{confirm}"
    );
    assert_eq!(bo.post(app.at("/n/eas/leave")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let r = reqwest::get(&network_feed).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let left = body(r).await;
    assert!(left.contains("BEGIN:VCALENDAR") && !left.contains("BEGIN:VEVENT") && !left.contains("Coffee"), "{left}");
    let list = body(bo.get(app.at("/calendar/feeds")).send().await.unwrap()).await;
    assert!(list.contains("(empty: you are no longer a member)"), "{list}");
}

async fn reminders_and_feedback_requests_are_sent_once_per_person(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let bo = member(&app, "bo@example.org", "Bo Member", "eas").await;
    let start = Utc::now() + Duration::hours(3);
    let id = create_event(
        &app,
        &admin,
        "eas",
        &[("start", &local_input(start)), ("end", &local_input(start + Duration::hours(1))), ("reminder_hours", "4")],
    )
    .await;
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let at = e.starts_at.timestamp_micros().to_string();
    bo.post(app.at(&format!("/events/{id}/rsvp")))
        .form(&[("response", "yes"), ("at", at.as_str())])
        .send()
        .await
        .unwrap();
    // Two instances run the due check at the same moment, then again later.
    let now = Utc::now();
    let (a, b) = tokio::join!(
        roundtable_app::events::send_due_notices(&app.state, now),
        roundtable_app::events::send_due_notices(&app.state, now)
    );
    a.unwrap();
    b.unwrap();
    roundtable_app::events::send_due_notices(&app.state, now + Duration::minutes(5)).await.unwrap();
    let mails = app.emails_to("bo@example.org").await;
    assert_eq!(mails.iter().filter(|m| m.contains("Reminder: Monthly meeting")).count(), 1, "one reminder");
    // After the event: one feedback request, then the answer shows to organisers.
    let after = e.starts_at + Duration::hours(1) + Duration::minutes(1);
    let n = roundtable_app::events::send_due_notices(&app.state, after).await.unwrap();
    assert_eq!(n, 1, "one feedback request queued");
    roundtable_app::events::send_due_notices(&app.state, after + Duration::minutes(1)).await.unwrap();
    let mails = app.emails_to("bo@example.org").await;
    let asks: Vec<_> = mails.iter().filter(|m| m.contains("Subject: How was Monthly meeting?")).collect();
    assert_eq!(asks.len(), 1, "one feedback request: {mails:?}");
    assert!(app.link_in(asks[0], "/events/").contains("/feedback?at="));
    // Feedback before the event has started is refused, and its page says so instead of a form.
    let r = bo
        .post(app.at(&format!("/events/{id}/feedback")))
        .form(&[("rating", "5"), ("at", at.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let form = body(bo.get(app.at(&format!("/events/{id}/feedback?at={at}"))).send().await.unwrap()).await;
    assert!(
        form.contains("Feedback opens once the event has started.") && !form.contains("Send feedback"),
        "no form to fill in that would be refused: {form}"
    );
    let uid = user_id(&app, "bo@example.org").await;
    let mut tx = app.state.db.begin().await.unwrap();
    store::upsert_feedback(&mut tx, e.id, e.network_id, e.starts_at, uid, 4, "Useful", Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    let page = body(admin.get(app.at(&format!("/events/{id}?at={at}"))).send().await.unwrap()).await;
    assert!(page.contains("average rating 4.0 out of 5") && page.contains("Useful"), "{page}");
    let page = body(bo.get(app.at(&format!("/events/{id}?at={at}"))).send().await.unwrap()).await;
    assert!(!page.contains("average rating"), "members do not see the feedback results");
}

async fn members_check_in_with_the_code_and_see_their_attendance(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let bo = member(&app, "bo@example.org", "Bo Member", "eas").await;
    let cy_client = member(&app, "cy@example.org", "Cy Member", "eas").await;
    let start = Utc::now() + Duration::minutes(30);
    let id = create_event(
        &app,
        &admin,
        "eas",
        &[("start", &local_input(start)), ("end", &local_input(start + Duration::hours(1)))],
    )
    .await;
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let at = e.starts_at.timestamp_micros().to_string();
    let page = body(bo.get(app.at(&format!("/events/{id}"))).send().await.unwrap()).await;
    assert!(!page.contains(&e.checkin_code), "members do not see the code on the page");
    assert!(page.contains("action=\"/events/{id}/check-in\"".replace("{id}", &id).as_str()), "open: {page}");
    // An event days away offers no form that could only be refused; it says when check-in opens.
    let later = Utc::now() + Duration::days(3);
    let far = create_event(
        &app,
        &admin,
        "eas",
        &[("start", &local_input(later)), ("end", &local_input(later + Duration::hours(1)))],
    )
    .await;
    let page = body(bo.get(app.at(&format!("/events/{far}"))).send().await.unwrap()).await;
    assert!(!page.contains("/check-in\"") && page.contains("from an hour before it starts"), "{page}");
    // Nor can the organiser mark anyone as attended days before: the list would say they came.
    let org_page = body(admin.get(app.at(&format!("/events/{far}"))).send().await.unwrap()).await;
    assert!(
        !org_page.contains("/attendance\"") && org_page.contains("Attendance can be marked from an hour before"),
        "{org_page}"
    );
    let far_at = store::by_id(&app.state.db, far.parse().unwrap()).await.unwrap().unwrap().starts_at;
    let bo_id = user_id(&app, "bo@example.org").await.to_string();
    let r = admin
        .post(app.at(&format!("/events/{far}/attendance")))
        .form(&[("user", bo_id.as_str()), ("at", far_at.timestamp_micros().to_string().as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(store::attended(&app.state.db, far.parse().unwrap(), far_at).await.unwrap().is_empty());
    let r = bo
        .post(app.at(&format!("/events/{id}/check-in")))
        .form(&[("code", "WRONG1"), ("at", at.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Said on the event's own page, beside the field, so the right code can be typed at once.
    let page = body(r).await;
    assert!(page.contains("<h2 id=\"checkin-h\">Check in</h2>") && page.contains("That code does not match"), "{page}");
    assert!(page.contains("aria-describedby=\"f-code-error\""), "{page}");
    let r = bo
        .post(app.at(&format!("/events/{id}/check-in")))
        .form(&[("code", &e.checkin_code.to_lowercase()[..]), ("at", at.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let hist = body(bo.get(app.at("/calendar/attendance")).send().await.unwrap()).await;
    assert!(hist.contains("Monthly meeting") && hist.contains("Checked in with the code"), "{hist}");
    // Guessing the code from home stops after ten wrong tries: even the right one is then
    // refused, on the page, with the wait.
    let guess = member(&app, "guess@example.org", "Guess Member", "eas").await;
    let try_code = |code: String| {
        let (guess, app, at, id) = (&guess, &app, at.clone(), id.clone());
        async move {
            guess
                .post(app.at(&format!("/events/{id}/check-in")))
                .form(&[("code", code), ("at", at)])
                .send()
                .await
                .unwrap()
        }
    };
    for n in 0..roundtable_app::events::CHECK_IN_FAILURES {
        assert_eq!(try_code(format!("WRONG{n}")).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = try_code(e.checkin_code.clone()).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    let page = body(r).await;
    assert!(page.contains("Too many wrong check-in codes") && page.contains("ask an organiser"), "{page}");
    let guess_id = user_id(&app, "guess@example.org").await;
    assert!(!store::attended(&app.state.db, e.id, e.starts_at).await.unwrap().iter().any(|a| a.user_id == guess_id));
    // The organisers download the date's answers and attendance for Excel; members may not.
    let sheet = format!("/events/{id}/attendees.csv?at={at}");
    let r = admin.get(app.at(&sheet)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let disposition = r.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"monthly-meeting-") && disposition.ends_with("-attendees.csv\"")
    );
    let csv = body(r).await;
    assert!(csv.starts_with("\u{feff}Name,Email,Answer,Answered at,Attended\r\n"), "{csv}");
    assert!(csv.contains("Bo Member,bo@example.org,No answer,,checked in\r\n"), "{csv}");
    // For Excel set to French or German, separated by semicolons.
    let csv = body(admin.get(app.at(&format!("{sheet}&separator=semicolon"))).send().await.unwrap()).await;
    assert!(csv.starts_with("\u{feff}Name;Email;Answer;Answered at;Attended\r\n"), "{csv}");
    assert_eq!(bo.get(app.at(&sheet)).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let (log, _) = roundtable_store::audit::page(&app.state.db, 10, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "event.attendees_exported" && e.detail.ends_with(": 1 person")), "{log:?}");
    // The organiser marks Cy; a member cannot mark anyone.
    let cy = user_id(&app, "cy@example.org").await.to_string();
    assert_eq!(
        bo.post(app.at(&format!("/events/{id}/attendance")))
            .form(&[("user", cy.as_str()), ("at", at.as_str())])
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let r = admin
        .post(app.at(&format!("/events/{id}/attendance")))
        .form(&[("user", cy.as_str()), ("at", at.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let attended = store::attended(&app.state.db, e.id, e.starts_at).await.unwrap();
    assert_eq!(attended.len(), 2);
    // Cy's own download has what the organiser recorded about her (the entry names her in its
    // detail, not its subject); Bo's does not.
    let marked = |c: reqwest::Client| {
        let url = app.at("/account/export.json");
        async move {
            let json: serde_json::Value = c.get(url).send().await.unwrap().json().await.unwrap();
            json["recorded_about_you"].as_array().unwrap().iter().any(|e| e["action"] == "event.attendance_marked")
        }
    };
    assert!(marked(cy_client.clone()).await, "Cy's download has her attendance being marked");
    assert!(!marked(bo.clone()).await);
    // Notes and the rotating host.
    let r = admin
        .post(app.at(&format!("/events/{id}/notes")))
        .form(&[
            ("agenda", "1. Welcome"),
            ("minutes", "We met."),
            ("summary", "Short summary"),
            ("recording_url", "https://video.example.org/1"),
            ("at", at.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = body(bo.get(app.at(&format!("/events/{id}?at={at}"))).send().await.unwrap()).await;
    assert!(
        page.contains("1. Welcome") && page.contains("Short summary") && page.contains("Watch the recording"),
        "{page}"
    );
    let org = body(admin.get(app.at(&format!("/events/{id}?at={at}"))).send().await.unwrap()).await;
    assert!(org.contains("Confirm as host") && org.contains(&e.checkin_code), "{org}");
    let r = admin
        .post(app.at(&format!("/events/{id}/host")))
        .form(&[("user", cy.as_str()), ("at", at.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let hosts = store::hosts(&app.state.db, e.id).await.unwrap();
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0].2, "Cy Member");
    let next = roundtable_app::events::host_suggestions(&app.state, &e, e.starts_at).await.unwrap();
    assert_eq!(next.last().map(|s| s.1.as_str()), Some("Cy Member"), "Cy hosted, so others come first: {next:?}");
    assert_eq!(next[0].1, "Bo Member");
}

async fn whole_organisation_events_reach_everyone_but_network_events_stay_private(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    // By request: outsiders may know the network exists (an invitation-only one may not publish
    // to the whole organisation at all, see event_access.rs), but not read its members' events.
    app.network(&admin, "secret", "by_request").await;
    let open = create_event(&app, &admin, "secret", &[("audience", "organisation"), ("title", "Town hall")]).await;
    let private = create_event(&app, &admin, "secret", &[("title", "Steering committee")]).await;
    let eve = app.user("eve@example.org", "Eve Outsider").await;
    assert_eq!(eve.get(app.at(&format!("/events/{open}"))).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(eve.get(app.at(&format!("/events/{private}"))).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    // The network's calendar shows her its whole-organisation events only, page and API alike;
    // the network's page links to it.
    let home = body(eve.get(app.at("/n/secret")).send().await.unwrap()).await;
    assert!(
        home.contains(r#"<a class="button secondary" href="/n/secret/events">Events open to everyone</a>"#),
        "{home}"
    );
    let listed = body(eve.get(app.at("/n/secret/events?view=list&week=2027-01-01")).send().await.unwrap()).await;
    assert!(listed.contains("Town hall") && !listed.contains("Steering committee"), "{listed}");
    let token = app.api_token(&eve).await;
    let range = "from=2026-12-01T00:00:00Z&to=2027-03-01T00:00:00Z";
    let json = support::api_get(app.at(&format!("/api/v1/networks/secret/events?{range}")), &token).await;
    let titles: Vec<&str> = json["events"].as_array().unwrap().iter().filter_map(|e| e["title"].as_str()).collect();
    assert!(titles.contains(&"Town hall") && !titles.contains(&"Steering committee"), "{json}");
    let mine = body(eve.get(app.at("/calendar?view=list&week=2027-01-01")).send().await.unwrap()).await;
    assert!(mine.contains("Town hall") && !mine.contains("Steering committee"), "{mine}");
    assert_eq!(
        eve.get(app.at(&format!("/events/{private}/edit"))).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(eve.get(app.at(&format!("/events/{open}/edit"))).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    // Anonymous visitors are sent to sign in.
    assert_eq!(
        app.client().get(app.at(&format!("/events/{open}"))).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
}

async fn the_api_lists_events_and_takes_rsvps(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let bo = member(&app, "bo@example.org", "Bo Member", "eas").await;
    let start = Utc::now() + Duration::days(5);
    let id = create_event(
        &app,
        &admin,
        "eas",
        &[("capacity", "1"), ("start", &local_input(start)), ("end", &local_input(start + Duration::hours(1)))],
    )
    .await;
    let token = app.api_token(&bo).await;
    let api = reqwest::Client::new();
    let list: serde_json::Value = support::api_get(app.at("/api/v1/networks/eas/events"), &token).await;
    let first = &list["events"][0];
    assert_eq!(first["id"], id.as_str());
    assert_eq!(first["capacity"], 1);
    assert_eq!(first["my_answer"], serde_json::Value::Null, "not answered yet: {first}");
    let at = first["occurrence"].as_i64().unwrap();
    let r = api
        .post(app.at(&format!("/api/v1/events/{id}/rsvp")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"occurrence": at, "response": "yes"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["response"], "yes");
    let bad = api
        .post(app.at(&format!("/api/v1/events/{id}/rsvp")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"occurrence": at, "response": "perhaps"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json::<serde_json::Value>().await.unwrap()["code"], "invalid_input");
    // A date that is not one of the event's is the answer's mistake, named, not "not found".
    let wrong = api
        .post(app.at(&format!("/api/v1/events/{id}/rsvp")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"occurrence": at + 1, "response": "yes"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem = wrong.json::<serde_json::Value>().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "occurrence", "{problem}");
    let one: serde_json::Value = support::api_get(app.at(&format!("/api/v1/events/{id}")), &token).await;
    assert_eq!(one["title"], "Monthly meeting");
    // The answer reads back, with the places taken, for the date asked for.
    let url = app.at(&format!("/api/v1/events/{id}?occurrence={at}"));
    let date: serde_json::Value = support::api_get(url, &token).await;
    assert_eq!((&date["my_answer"], &date["going"], &date["waiting"]), (&"yes".into(), &1.into(), &0.into()), "{date}");
    // The list says which dates the caller answered (a sync job needs no call per event).
    let list: serde_json::Value = support::api_get(app.at("/api/v1/networks/eas/events"), &token).await;
    assert_eq!(list["events"][0]["my_answer"], "yes", "{list}");
    let admin_token = app.api_token(&admin).await;
    let theirs: serde_json::Value = support::api_get(app.at("/api/v1/networks/eas/events"), &admin_token).await;
    assert_eq!(theirs["events"][0]["my_answer"], serde_json::Value::Null, "another's answer is not theirs: {theirs}");
    // A window too long for one answer is refused, not cut short (a sync would miss events).
    let long = api
        .get(app.at("/api/v1/networks/eas/events?from=2026-01-01T00:00:00Z&to=2027-06-01T00:00:00Z"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(long.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(long.json::<serde_json::Value>().await.unwrap()["errors"][0]["field"], "to");
    // Answering a cancelled event is a conflict with its state, coded so.
    let r = admin.post(app.at(&format!("/events/{id}/cancel"))).form(&[("scope", "all")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let closed = api
        .post(app.at(&format!("/api/v1/events/{id}/rsvp")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"occurrence": at, "response": "maybe"}))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), StatusCode::CONFLICT);
    assert_eq!(closed.json::<serde_json::Value>().await.unwrap()["code"], "conflict");
    let spec: serde_json::Value = api.get(app.at("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(spec["paths"]["/api/v1/events/{id}/rsvp"]["post"].is_object());
    assert!(spec["paths"]["/api/v1/networks/{slug}/events"]["get"].is_object());
}

/// Every event route × every role in the own network, an outsider and an org admin × own and
/// other network: members read, organisers organise, and the other network's events do not exist.
async fn event_routes_follow_the_roles_in_each_network(d: Dialect) {
    use roundtable_domain::{MembershipStatus, Role};
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "own", "by_request").await;
    app.network(&admin, "other", "invitation_only").await;
    // Half an hour ahead: attendance can be marked (from an hour before), the rest is upcoming.
    let start = Utc::now() + Duration::minutes(30);
    let when = [("start", local_input(start)), ("end", local_input(start + Duration::hours(1)))];
    let when: Vec<(&str, &str)> = when.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let own_event = create_event(&app, &admin, "own", &when).await;
    let other_event = create_event(&app, &admin, "other", &when).await;
    let own = roundtable_store::networks::by_slug(&app.state.db, "own").await.unwrap().unwrap();
    let mut clients = vec![("admin", admin)];
    for role in Role::ALL {
        let email = format!("{}@example.org", role.as_str());
        let c = app.user(&email, role.label()).await;
        let id = user_id(&app, &email).await;
        let mut tx = app.state.db.begin().await.unwrap();
        roundtable_store::networks::upsert_membership(&mut tx, own.id, id, role, MembershipStatus::Active, Utc::now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        clients.push((role.as_str(), c));
    }
    clients.push(("outsider", app.user("outsider@example.org", "Outsider").await));
    let target = user_id(&app, "member@example.org").await.to_string();
    // Attendance can only be marked for people who could attend: someone inside "other".
    app.user("insider@example.org", "Insider").await;
    let insider = user_id(&app, "insider@example.org").await;
    let other = roundtable_store::networks::by_slug(&app.state.db, "other").await.unwrap().unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    roundtable_store::networks::upsert_membership(
        &mut tx,
        other.id,
        insider,
        Role::Member,
        MembershipStatus::Active,
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let insider = insider.to_string();
    for (net, event) in [("own", &own_event), ("other", &other_event)] {
        let target = if net == "own" { &target } else { &insider };
        let e = store::by_id(&app.state.db, event.parse().unwrap()).await.unwrap().unwrap();
        let at = e.starts_at.timestamp_micros().to_string();
        // (method, path, organisers only?)
        let routes: Vec<(&str, String, bool)> = vec![
            ("GET", format!("/n/{net}/events"), false),
            ("GET", format!("/events/{event}"), false),
            ("GET", format!("/events/{event}/invite.ics?at={at}"), false),
            ("GET", format!("/n/{net}/events/new"), true),
            ("GET", format!("/events/{event}/edit"), true),
            ("GET", format!("/events/{event}/attendees.csv?at={at}"), true),
            ("POST", format!("/events/{event}/notes"), true),
            ("POST", format!("/events/{event}/attendance"), true),
            // To who attended: the one just marked.
            ("POST", format!("/events/{event}/message"), true),
            ("POST", format!("/events/{event}/attendance/going"), true),
            ("POST", format!("/events/{event}/attendance/unmark"), true),
        ];
        for (who, c) in &clients {
            for (method, path, organisers_only) in &routes {
                let url = app.at(path);
                let req = if *method == "GET" {
                    c.get(&url)
                } else {
                    let form = [("at", at.as_str()), ("user", target), ("agenda", "Agenda"), ("to", "attended")];
                    c.post(&url).form(&[&form[..], &[("message", "Bring a laptop.")]].concat())
                };
                let status = req.send().await.unwrap().status();
                let in_own = net == "own" && *who != "outsider" && *who != "admin";
                let organiser =
                    matches!(*who, "chair" | "administrator" | "training_coordinator" | "communications_officer");
                // Anyone may open the calendar of a network they may see (its whole-organisation
                // events only: see whole_organisation_events_reach_everyone…).
                let calendar = *method == "GET" && path.ends_with("/events") && net == "own";
                let allowed = *who == "admin" || calendar || (in_own && (!organisers_only || organiser));
                let ok = status.is_success() || (status == StatusCode::SEE_OTHER && *method == "POST");
                assert_eq!(ok, allowed, "{who} {method} {path} gave {status}");
                if !allowed && net == "other" {
                    assert_eq!(status, StatusCode::NOT_FOUND, "{who} must not learn that {path} exists");
                }
            }
        }
    }
}

/// The host picker lists every member, past the first two hundred in name order.
async fn every_member_of_a_large_network_can_be_picked_as_host(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let mut csv = String::from("email,name\r\n");
    for i in 0..250 {
        csv.push_str(&format!("p{i:03}@example.org,Person {i:03}\r\n"));
    }
    csv.push_str("zoe@example.org,Zoë Last\r\n");
    let opts = roundtable_app::import::Options { network: Some("eas".into()), ..Default::default() };
    roundtable_app::import::console::import(&app.state.db, csv.as_bytes(), "hr.csv", None, &opts, &|_, _, _| {})
        .await
        .unwrap();
    let form = body(admin.get(app.at("/n/eas/events/new")).send().await.unwrap()).await;
    let zoe = app.user_id("zoe@example.org").await;
    assert!(form.contains(&format!("<option value=\"{zoe}\" >Zoë Last</option>")), "the last name in order: {form}");
    let picker = form.split("id=\"f-host\"").nth(1).and_then(|rest| rest.split("</select>").next()).unwrap_or_default();
    assert_eq!(picker.matches("<option").count(), 1 + 251, "no host, and the 251 imported: {picker}");
}

/// Emails link to one date (`?at=`, its key). After the series is re-timed the key is another
/// time: the old link leads to the date it became; after the dates are cancelled from one on, to
/// the event, saying so — not to "page not found".
async fn an_emailed_link_to_a_date_that_moved_or_went_leads_to_the_event(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let bo = member(&app, "bo@example.org", "Bo Member", "eas").await;
    let weekly = |start: &str, end: &str| event_form(&[("repeat", "weekly"), ("start", start), ("end", end)]);
    let r = admin.post(app.at("/n/eas/events/new")).form(&weekly("2027-03-09T10:00", "2027-03-09T11:00")).send();
    let r = r.await.unwrap();
    let id = event_id_in(&r);
    let key = |t: &str| DateTime::parse_from_rfc3339(t).unwrap().timestamp_micros();
    let old = key("2027-03-16T10:00:00Z");
    let r = admin.post(app.at(&format!("/events/{id}/edit"))).form(&weekly("2027-03-09T10:30", "2027-03-09T11:30"));
    assert_eq!(r.send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let r = bo.get(app.at(&format!("/events/{id}?at={old}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let moved = format!("/events/{id}?at={}&notice=date-moved", key("2027-03-16T10:30:00Z"));
    assert_eq!(r.headers()["location"], moved.as_str());
    let page = body(bo.get(app.at(&moved)).send().await.unwrap()).await;
    assert!(page.contains("The date your link was for has moved") && page.contains("16 Mar 2027"), "{page}");
    // Cancelled from the second date on: a link to the third leads to the event, saying why.
    let second = key("2027-03-16T10:30:00Z").to_string();
    let r =
        admin.post(app.at(&format!("/events/{id}/cancel"))).form(&[("scope", "following"), ("at", second.as_str())]);
    assert_eq!(r.send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let third = key("2027-03-23T10:30:00Z");
    let r = bo.get(app.at(&format!("/events/{id}?at={third}"))).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("/events/{id}?notice=date-gone").as_str());
    // A link to an event there is not is still not found.
    let none = "01900000-0000-7000-8000-000000000000";
    assert_eq!(
        bo.get(app.at(&format!("/events/{none}?at={third}"))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

/// "Change this and all following" with more places: the waiting list, moved to the new
/// series, moves up at once — before anyone answering later could take the place.
async fn more_places_from_a_date_on_go_to_those_waiting(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let bo = member(&app, "bo@example.org", "Bo Member", "eas").await;
    let cy = member(&app, "cy@example.org", "Cy Member", "eas").await;
    let weekly = [("repeat", "weekly"), ("capacity", "1"), ("start", "2027-01-05T12:00"), ("end", "2027-01-05T13:00")];
    let id = create_event(&app, &admin, "eas", &weekly).await;
    let second = DateTime::parse_from_rfc3339("2027-01-12T12:00:00Z").unwrap().timestamp_micros().to_string();
    for c in [&bo, &cy] {
        let r = c.post(app.at(&format!("/events/{id}/rsvp"))).form(&[("response", "yes"), ("at", second.as_str())]);
        assert_eq!(r.send().await.unwrap().status(), StatusCode::SEE_OTHER);
    }
    let mut f = event_form(&[
        ("repeat", "weekly"),
        ("capacity", "2"),
        ("start", "2027-01-12T12:00"),
        ("end", "2027-01-12T13:00"),
    ]);
    f.push(("scope".into(), "following".into()));
    f.push(("at".into(), second.clone()));
    let r = admin.post(app.at(&format!("/events/{id}/edit"))).form(&f).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let new_id: uuid::Uuid = event_id_in(&r).parse().unwrap();
    assert_ne!(new_id.to_string(), id);
    let fresh = store::by_id(&app.state.db, new_id).await.unwrap().unwrap();
    let people = store::attendees(&app.state.db, new_id, fresh.starts_at).await.unwrap();
    let going: Vec<&str> = people.iter().filter(|a| a.response == Rsvp::Yes).map(|a| a.email.as_str()).collect();
    assert_eq!(going.len(), 2, "both have a place on the new series' first date: {people:?}");
    let mails = app.emails_to("cy@example.org").await;
    assert!(mails.iter().any(|m| m.contains("A place is yours")), "Cy is told: {mails:?}");
}

/// Feedback given from the event page while it is on is not asked for again afterwards.
async fn who_gave_feedback_already_is_not_asked_for_it(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let bo = member(&app, "bo@example.org", "Bo Member", "eas").await;
    member(&app, "cy@example.org", "Cy Member", "eas").await;
    let start = Utc::now() - Duration::minutes(10);
    let fields = [("start", local_input(start)), ("end", local_input(start + Duration::hours(1)))];
    let id = create_event(&app, &admin, "eas", &fields.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let at = e.starts_at.timestamp_micros().to_string();
    // Both said yes before it began (answers close at the start).
    let mut tx = app.state.db.begin().await.unwrap();
    for email in ["bo@example.org", "cy@example.org"] {
        let (who, before) = (user_id(&app, email).await, e.starts_at - Duration::days(1));
        store::upsert_rsvp(&mut tx, e.id, e.network_id, e.starts_at, who, Rsvp::Yes, before, before).await.unwrap();
    }
    tx.commit().await.unwrap();
    let r = bo.post(app.at(&format!("/events/{id}/feedback"))).form(&[
        ("rating", "5"),
        ("comment", ""),
        ("at", at.as_str()),
    ]);
    assert_eq!(r.send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let after = e.starts_at + Duration::hours(1) + Duration::minutes(1);
    roundtable_app::events::send_due_notices(&app.state, after).await.unwrap();
    let asked = |mails: Vec<String>| mails.iter().filter(|m| m.contains("Subject: How was Monthly meeting?")).count();
    assert_eq!(asked(app.emails_to("cy@example.org").await), 1, "Cy is asked");
    assert_eq!(asked(app.emails_to("bo@example.org").await), 0, "Bo has answered already");
}

/// The code shown at one meeting of a series checks people in to that meeting only: next
/// month's is another, so nobody checks in from home with an old one.
async fn each_date_of_a_series_has_its_own_check_in_code(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let bo = member(&app, "bo@example.org", "Bo Member", "eas").await;
    let start = Utc::now() + Duration::minutes(30);
    let (from, to) = (local_input(start), local_input(start + Duration::hours(1)));
    let id = create_event(&app, &admin, "eas", &[("repeat", "weekly"), ("start", &from), ("end", &to)]).await;
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let code_on = |at: DateTime<Utc>| {
        let (admin, url) = (admin.clone(), app.at(&format!("/events/{id}?at={}", at.timestamp_micros())));
        async move {
            let page = body(admin.get(url).send().await.unwrap()).await;
            let code = page.split("Self check-in code for this event: <strong><code>").nth(1).unwrap_or_default();
            code.split('<').next().unwrap_or_default().to_owned()
        }
    };
    let (first, second) = (code_on(e.starts_at).await, code_on(e.starts_at + Duration::days(7)).await);
    assert_eq!((first.len(), second.len()), (6, 6), "{first} {second}");
    assert_ne!(first, second, "each date its own code");
    let at = e.starts_at.timestamp_micros().to_string();
    let check_in = |code: String| {
        bo.post(app.at(&format!("/events/{id}/check-in"))).form(&[("code", code), ("at", at.clone())]).send()
    };
    assert_eq!(check_in(second).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY, "next week's code");
    assert_eq!(check_in(first).await.unwrap().status(), StatusCode::SEE_OTHER, "this date's code");
}

/// "Email the network's members about this event": each member but the organiser is told what,
/// when on their own clock, where, and where to answer — once; without the box, no one.
async fn a_new_event_can_be_announced_to_the_networks_members(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    member(&app, "bo@example.org", "Bo Member", "eas").await;
    member(&app, "cy@example.org", "Cy Member", "eas").await;
    set_tz(&app, "cy@example.org", "America/New_York").await;
    app.user("out@example.org", "Oz Outsider").await;
    let form = body(admin.get(app.at("/n/eas/events/new")).send().await.unwrap()).await;
    assert!(form.contains("name=\"announce\""), "the new-event form offers it: {form}");
    let quiet = create_event(&app, &admin, "eas", &[("title", "Quiet one")]).await;
    assert!(!quiet.is_empty());
    let id = create_event(&app, &admin, "eas", &[("title", "Spring social"), ("announce", "on")]).await;
    let told = |email: &'static str| {
        let app = &app;
        async move {
            let mails = app.emails_to(email).await;
            mails
                .into_iter()
                .filter(|m| m.contains("Subject: New event in Network eas"))
                .map(|m| unqp(&m))
                .collect::<Vec<_>>()
        }
    };
    let bo = told("bo@example.org").await;
    assert_eq!(bo.len(), 1, "one announcement, for the announced event only: {bo:?}");
    assert!(
        bo[0].contains("Spring social")
            && bo[0].contains("Where: Room 4.01")
            && bo[0].contains(&format!("/events/{id}")),
        "{}",
        bo[0]
    );
    let cy = told("cy@example.org").await;
    assert!(cy[0].contains("07:00") && cy[0].contains("EST"), "on Cy's clock: {}", cy[0]);
    assert!(cy[0].contains("Reply-To: admin@example.org"), "a question reaches who created it: {}", cy[0]);
    assert!(told("out@example.org").await.is_empty(), "not a member");
    assert!(told("admin@example.org").await.is_empty(), "not the organiser who created it");
    let edit = body(admin.get(app.at(&format!("/events/{id}/edit"))).send().await.unwrap()).await;
    assert!(!edit.contains("name=\"announce\""), "an edit tells those who answered, not everyone");
}

/// An organiser writes to the people of one date — those going, everyone who may come, or who
/// attended — each on their own clock; a second tap sends nothing twice, and members cannot.
async fn organisers_email_the_people_of_one_date(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let id = create_event(&app, &admin, "eas", &[("title", "Budget clinic")]).await;
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let at = e.starts_at.timestamp_micros().to_string();
    let mut clients = Vec::new();
    for (email, answer) in [("bo@example.org", "yes"), ("cy@example.org", "maybe"), ("di@example.org", "no")] {
        let c = member(&app, email, email, "eas").await;
        let r = c.post(app.at(&format!("/events/{id}/rsvp"))).form(&[("response", answer), ("at", at.as_str())]);
        assert_eq!(r.send().await.unwrap().status(), StatusCode::SEE_OTHER);
        clients.push(c);
    }
    set_tz(&app, "bo@example.org", "America/New_York").await;
    let page = body(admin.get(app.at(&format!("/events/{id}?at={at}"))).send().await.unwrap()).await;
    assert!(
        page.contains("Email the attendees") && page.contains("<label for=\"f-message\">Message</label>"),
        "{page}"
    );
    let send = |to: &'static str, message: &'static str| {
        let (app, admin, at) = (&app, &admin, at.clone());
        let id = id.clone();
        async move {
            let form = [("at", at.as_str()), ("to", to), ("message", message)];
            admin.post(app.at(&format!("/events/{id}/message"))).form(&form).send().await.unwrap()
        }
    };
    let r = send("going", "The room moved to 5.02.\n\nBring last quarter's figures.").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()["location"].to_str().unwrap().contains("notice=event-messaged"));
    let about = |email: &'static str| {
        let app = &app;
        async move {
            let mails = app.emails_to(email).await;
            mails
                .into_iter()
                .filter(|m| m.contains("a message from the organisers"))
                .map(|m| unqp(&m))
                .collect::<Vec<_>>()
        }
    };
    let bo = about("bo@example.org").await;
    assert_eq!(bo.len(), 1, "{bo:?}");
    assert!(bo[0].contains("Subject: Budget clinic: a message from the organisers"), "{}", bo[0]);
    assert!(bo[0].contains("The room moved to 5.02.") && bo[0].contains("Bring last quarter's figures."), "{}", bo[0]);
    assert!(bo[0].contains("07:00") && bo[0].contains("EST"), "the date on Bo's clock: {}", bo[0]);
    assert!(bo[0].contains("Reply-To: admin@example.org"), "a reply reaches the organiser: {}", bo[0]);
    assert!(about("cy@example.org").await.is_empty(), "a maybe is not going");
    // The same message again (a second tap) reaches no one twice.
    assert_eq!(
        send("going", "The room moved to 5.02.\n\nBring last quarter's figures.").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(about("bo@example.org").await.len(), 1);
    // The same words to everyone who may come reach only those who did not have them.
    let r = send("answered", "The room moved to 5.02.\n\nBring last quarter's figures.").await;
    assert!(r.headers()["location"].to_str().unwrap().contains("notice=event-messaged"));
    assert_eq!((about("bo@example.org").await.len(), about("cy@example.org").await.len()), (1, 1));
    let r = send("going", "The room moved to 5.02.\n\nBring last quarter's figures.").await;
    assert!(r.headers()["location"].to_str().unwrap().contains("notice=event-message-repeat"), "said, not pretended");
    // Everyone who may come: going and maybe, never those who said no.
    assert_eq!(send("answered", "Coffee is on us.").await.status(), StatusCode::SEE_OTHER);
    assert_eq!((about("bo@example.org").await.len(), about("cy@example.org").await.len()), (2, 2));
    assert!(about("di@example.org").await.is_empty(), "not going is not written to");
    // Nothing to say, or no one to say it to: refused, nothing sent.
    let r = send("answered", "   ").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("Write the message"));
    let r = send("attended", "Slides attached.").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains("No one to send it to") && page.contains("id=\"f-to-error\""), "beside the field: {page}");
    assert!(page.contains(">Slides attached.</textarea>"), "the text kept to send elsewhere: {page}");
    // A member may not write to the others.
    let form = [("at", at.as_str()), ("to", "going"), ("message", "Hi all")];
    let r = clients[1].post(app.at(&format!("/events/{id}/message"))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(about("bo@example.org").await.len(), 2);
    // A line break typed in the message stays one in the mail's HTML part.
    let form = [("at", at.as_str()), ("to", "going"), ("message", "Bring:\r\n- a mug\r\n- a pen")];
    admin.post(app.at(&format!("/events/{id}/message"))).form(&form).send().await.unwrap();
    let html = about("bo@example.org").await.into_iter().find(|m| m.contains("a mug")).unwrap();
    assert!(html.contains("<p>Bring:<br>") && html.contains("- a mug<br>"), "{html}");
    let (log, _) = roundtable_store::audit::page(&app.state.db, 20, 0).await.unwrap();
    let sent: Vec<_> = log.iter().filter(|e| e.action == "event.messaged").collect();
    assert_eq!(sent.len(), 4, "each message sent is in the audit log (the repeat sent nothing)");
    assert!(
        sent.iter().any(|e| e.detail.contains("to everyone going (1 person)") && e.detail.contains("The room moved"))
    );
}

/// The room came as planned: one tick marks everyone going; a mistaken tick is taken back.
async fn organisers_mark_everyone_going_and_take_an_attendance_back(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let start = Utc::now() + Duration::minutes(30);
    let when = [("start", local_input(start)), ("end", local_input(start + Duration::hours(1)))];
    let when: Vec<(&str, &str)> = when.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let id = create_event(&app, &admin, "eas", &when).await;
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let at = e.starts_at.timestamp_micros().to_string();
    let mut clients = Vec::new();
    for (email, answer) in [("bo@example.org", "yes"), ("cy@example.org", "yes"), ("di@example.org", "maybe")] {
        let c = member(&app, email, email, "eas").await;
        let r = c.post(app.at(&format!("/events/{id}/rsvp"))).form(&[("response", answer), ("at", at.as_str())]);
        assert_eq!(r.send().await.unwrap().status(), StatusCode::SEE_OTHER);
        clients.push(c);
    }
    let attended = || async {
        let mut names: Vec<String> =
            store::attended(&app.state.db, e.id, e.starts_at).await.unwrap().into_iter().map(|a| a.name).collect();
        names.sort();
        names
    };
    // A member cannot.
    let r = clients[0].post(app.at(&format!("/events/{id}/attendance/going"))).form(&[("at", at.as_str())]);
    assert_eq!(r.send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert!(attended().await.is_empty());
    let r = admin.post(app.at(&format!("/events/{id}/attendance/going"))).form(&[("at", at.as_str())]);
    let r = r.send().await.unwrap();
    assert!(r.headers()["location"].to_str().unwrap().contains("notice=attendance-going"));
    assert_eq!(attended().await, ["bo@example.org", "cy@example.org"], "those going, not the maybe");
    let page = body(admin.get(app.at(&format!("/events/{id}?at={at}"))).send().await.unwrap()).await;
    assert!(page.contains("Take back<span class=\"visually-hidden\"> cy@example.org's attendance"), "{page}");
    let cy = user_id(&app, "cy@example.org").await.to_string();
    let r = admin
        .post(app.at(&format!("/events/{id}/attendance/unmark")))
        .form(&[("at", at.as_str()), ("user", cy.as_str())]);
    assert!(r.send().await.unwrap().headers()["location"].to_str().unwrap().contains("notice=attendance-unmarked"));
    assert_eq!(attended().await, ["bo@example.org"]);
    let (log, _) = roundtable_store::audit::page(&app.state.db, 10, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "event.attendance_unmarked" && e.detail == "cy@example.org"));
    assert!(log.iter().any(|e| e.action == "event.attendance_marked" && e.detail == "everyone going: 2 marked"));
    // Bo's account closes (he leaves the organisation, then is erased): he is named nowhere, and
    // the date still counts him among those who came.
    let bo = user_id(&app, "bo@example.org").await;
    let r = admin.post(app.at(&format!("/admin/people/{bo}/active"))).form(&[("value", "false")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let page = body(admin.get(app.at(&format!("/events/{id}?at={at}"))).send().await.unwrap()).await;
    assert!(!page.contains("bo@example.org"), "{page}");
    assert!(page.contains("Also attended: 1 former member whose account has since closed"), "{page}");
    let r = admin.post(app.at(&format!("/admin/people/{bo}/erase"))).form(&[("confirm", "ERASE")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let page = body(admin.get(app.at(&format!("/events/{id}?at={at}"))).send().await.unwrap()).await;
    assert!(page.contains("Also attended: 1 former member"), "{page}");
    // Members see no such count: it is in the organisers' part of the page.
    let page = body(clients[2].get(app.at(&format!("/events/{id}?at={at}"))).send().await.unwrap()).await;
    assert!(!page.contains("former member"), "{page}");
}

/// A reply to an organiser's message goes to that organiser (Reply-To), not to the sender
/// address no one reads; once they are erased, mail still queued no longer names them.
async fn replies_reach_the_organiser_who_wrote_until_they_are_erased(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let (ed, ed_id) =
        app.member_with_role("eas", "ed@example.org", "Ed Organiser", roundtable_domain::Role::Chair).await;
    let id = create_event(&app, &ed, "eas", &[("title", "Budget clinic")]).await;
    let e = store::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let at = e.starts_at.timestamp_micros().to_string();
    let bo = member(&app, "bo@example.org", "Bo", "eas").await;
    let r = bo.post(app.at(&format!("/events/{id}/rsvp"))).form(&[("response", "yes"), ("at", at.as_str())]);
    assert_eq!(r.send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let form = [("at", at.as_str()), ("to", "going"), ("message", "Bring your laptop.")];
    let r = ed.post(app.at(&format!("/events/{id}/message"))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mails = app.emails_to("bo@example.org").await;
    let m = mails.iter().find(|m| m.contains("a message from the organisers")).expect("the message");
    assert!(m.contains("Reply-To: ed@example.org"), "{m}");
    assert!(unqp(m).contains("A reply to this email goes to Ed Organiser."), "{}", unqp(m));
    // The admin's outbox says where replies go.
    let (msgs, _) = roundtable_store::outbox::page(&app.state.db, 50, 0).await.unwrap();
    let sent = msgs.iter().find(|m| m.to == "bo@example.org" && m.subject.contains("a message from")).unwrap();
    assert_eq!(sent.reply_to.as_deref(), Some("ed@example.org"));
    let page = body(admin.get(app.at(&format!("/admin/outbox/{}", sent.id))).send().await.unwrap()).await;
    assert!(page.contains("<dt>Replies go to</dt><dd>ed@example.org</dd>"), "{page}");
    // Without SMTP the list says where the mail went, not that it was sent.
    let list = body(admin.get(app.at("/admin/outbox")).send().await.unwrap()).await;
    assert!(list.contains("<td>written to the outbox folder</td>") && !list.contains("<td>sent</td>"), "{list}");

    let r = admin.post(app.at(&format!("/admin/people/{ed_id}/erase"))).form(&[("confirm", "ERASE")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let (msgs, _) = roundtable_store::outbox::page(&app.state.db, 50, 0).await.unwrap();
    assert!(msgs.iter().all(|m| m.reply_to.is_none()), "no mail keeps the erased organiser's address");
}
