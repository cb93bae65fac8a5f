//! Access rules where events meet the rest of the network: the charter gate, invitation-only
//! networks, attendance of outsiders, and nonsense dates — on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use roundtable_store::{Dialect, users};
use support::TestApp;

both!(
    events_follow_the_network_rules,
    concurrent_answers_never_overbook_for_any_capacity,
    a_place_freed_while_the_charter_held_them_back_is_theirs_on_accepting
);

fn form<'a>(kind: &'a str, audience: &'a str, start: &'a str, end: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", kind),
        ("title", "Welcome coffee"),
        ("time_zone", "UTC"),
        ("start", start),
        ("end", end),
        ("repeat", "none"),
        ("location_mode", "in_person"),
        ("place", "Atrium"),
        ("audience", audience),
        ("reminder_hours", "24"),
    ]
}

async fn events_follow_the_network_rules(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    app.network(&admin, "secret", "invitation_only").await;
    let start = (chrono::Utc::now() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M").to_string();
    let end = (chrono::Utc::now() + chrono::Duration::hours(2)).format("%Y-%m-%dT%H:%M").to_string();
    // An invitation-only network cannot publish to the whole organisation (it would reveal itself).
    let r = admin
        .post(app.at("/n/secret/events/new"))
        .form(&form("workshop", "organisation", &start, &end))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("by invitation only"));
    let r =
        admin.post(app.at("/n/eas/events/new")).form(&form("welcome", "network", &start, &end)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id =
        r.headers()["location"].to_str().unwrap().trim_start_matches("/events/").split('?').next().unwrap().to_owned();
    // A member who has not accepted the new charter version is sent to it from event pages too.
    let bo = app.user("bo@example.org", "Bo Member").await;
    bo.post(app.at("/n/eas/join")).send().await.unwrap();
    assert_eq!(bo.get(app.at(&format!("/events/{id}"))).send().await.unwrap().status(), StatusCode::OK);
    admin.post(app.at("/n/eas/charter")).form(&[("body", "Be kind.")]).send().await.unwrap();
    let r = bo.get(app.at(&format!("/events/{id}?at=1"))).send().await.unwrap();
    let to = format!("/n/eas/charter?notice=charter-pending&next=%2Fevents%2F{id}%3Fat%3D1");
    assert_eq!(r.headers()["location"], to.as_str());
    // Accepting there goes on to the event asked for (as an emailed link opened it), saying so;
    // a `next` leading off the site is not followed.
    let page = bo.get(app.at(&to)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!(r#"<input type="hidden" name="next" value="/events/{id}?at=1">"#)), "{page}");
    let version = page.split(r#"name="version" value=""#).nth(1).and_then(|v| v.split('"').next()).unwrap().to_owned();
    let accept = |next: String| {
        let form = [("version", version.clone()), ("agree", "yes".to_owned()), ("next", next)];
        bo.post(app.at("/n/eas/charter/accept")).form(&form).send()
    };
    let r = accept("//evil.example/x".into()).await.unwrap();
    assert_eq!(r.headers()["location"], "/n/eas?notice=charter-accepted");
    let r = accept(format!("/events/{id}?at=1")).await.unwrap();
    assert_eq!(r.headers()["location"], format!("/events/{id}?at=1&notice=charter-accepted").as_str());
    // Organisers cannot mark outsiders as attended at a members' event.
    app.user("out@example.org", "Out Sider").await;
    let out = users::by_email(&app.state.db, "out@example.org").await.unwrap().unwrap().id.to_string();
    let e = roundtable_store::events::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let at = e.starts_at.timestamp_micros().to_string();
    let r = admin
        .post(app.at(&format!("/events/{id}/attendance")))
        .form(&[("user", &out[..]), ("at", &at[..])])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(roundtable_store::events::attended(&app.state.db, e.id, e.starts_at).await.unwrap().is_empty());
    // Nonsense dates are "not found", never a crash.
    assert_eq!(
        admin.get(app.at(&format!("/events/{id}?at=8210266876799999999"))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.get(app.at("/calendar?view=list&week=%2B262142-12-31")).send().await.unwrap().status(),
        StatusCode::OK
    );
}

/// A property over seeded random cases: whatever the capacity and the mix of concurrent answers,
/// "yes" never exceeds the capacity, the rest of the "yes" answers wait, and other answers stay.
async fn concurrent_answers_never_overbook_for_any_capacity(d: Dialect) {
    use roundtable_domain::events::Rsvp;
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let mut people = Vec::new();
    for i in 0..14 {
        let c = app.user(&format!("p{i}@example.org"), &format!("Person {i}")).await;
        c.post(app.at("/n/eas/join")).send().await.unwrap();
        people.push(c);
    }
    let mut seed: u64 = 0x5eed;
    let mut next = |m: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % m
    };
    for case in 0..4 {
        let capacity = 1 + next(6);
        let start = (chrono::Utc::now() + chrono::Duration::days(3 + case)).format("%Y-%m-%dT%H:%M").to_string();
        let end = (chrono::Utc::now() + chrono::Duration::days(3 + case) + chrono::Duration::hours(1))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let cap = capacity.to_string();
        let mut f = form("workshop", "network", &start, &end);
        f.push(("capacity", &cap));
        let r = admin.post(app.at("/n/eas/events/new")).form(&f).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let id = r.headers()["location"]
            .to_str()
            .unwrap()
            .trim_start_matches("/events/")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let e = roundtable_store::events::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
        let at = e.starts_at.timestamp_micros().to_string();
        let answers: Vec<&str> = people.iter().map(|_| ["yes", "yes", "no", "maybe"][next(4) as usize]).collect();
        let mut tasks = Vec::new();
        for (c, a) in people.iter().cloned().zip(answers.iter().copied()) {
            let (url, at) = (app.at(&format!("/events/{id}/rsvp")), at.clone());
            tasks.push(tokio::spawn(async move {
                c.post(url).form(&[("response", a), ("at", at.as_str())]).send().await.unwrap().status()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), StatusCode::SEE_OTHER);
        }
        let got = roundtable_store::events::attendees(&app.state.db, e.id, e.starts_at).await.unwrap();
        let count = |r: Rsvp| got.iter().filter(|a| a.response == r).count() as u64;
        let wanted_yes = answers.iter().filter(|a| **a == "yes").count() as u64;
        assert_eq!(
            count(Rsvp::Yes),
            wanted_yes.min(capacity),
            "case {case}: capacity {capacity}, {wanted_yes} said yes"
        );
        assert_eq!(count(Rsvp::Waitlisted), wanted_yes.saturating_sub(capacity), "case {case}");
        assert_eq!(count(Rsvp::No), answers.iter().filter(|a| **a == "no").count() as u64, "case {case}");
        assert_eq!(count(Rsvp::Maybe), answers.iter().filter(|a| **a == "maybe").count() as u64, "case {case}");
    }
}

/// The waiting list skips someone who has not accepted the charter's new version (they may not
/// attend meanwhile) but keeps their place: when they accept it, a place that freed up in the
/// meantime is theirs, and they are told.
async fn a_place_freed_while_the_charter_held_them_back_is_theirs_on_accepting(d: Dialect) {
    use roundtable_domain::events::Rsvp;
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    admin.post(app.at("/n/eas/charter")).form(&[("body", "Be kind.")]).send().await.unwrap();
    let (kim, mo) = (app.user("kim@example.org", "Kim Member").await, app.user("mo@example.org", "Mo Member").await);
    for c in [&kim, &mo] {
        let r = c.post(app.at("/n/eas/join")).form(&[("accept_charter", "1"), ("agree", "yes")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let start = (chrono::Utc::now() + chrono::Duration::days(2)).format("%Y-%m-%dT%H:%M").to_string();
    let end = (chrono::Utc::now() + chrono::Duration::days(2) + chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let mut f = form("workshop", "network", &start, &end);
    f.push(("capacity", "1"));
    let r = admin.post(app.at("/n/eas/events/new")).form(&f).send().await.unwrap();
    let id =
        r.headers()["location"].to_str().unwrap().trim_start_matches("/events/").split('?').next().unwrap().to_owned();
    let e = roundtable_store::events::by_id(&app.state.db, id.parse().unwrap()).await.unwrap().unwrap();
    let at = e.starts_at.timestamp_micros().to_string();
    let answer = |c: &reqwest::Client, response: &'static str| {
        let (c, url, at) = (c.clone(), app.at(&format!("/events/{id}/rsvp")), at.clone());
        async move { c.post(url).form(&[("response", response), ("at", at.as_str())]).send().await.unwrap().status() }
    };
    let mo_id = users::by_email(&app.state.db, "mo@example.org").await.unwrap().unwrap().id;
    let mos = || async {
        let all = roundtable_store::events::attendees(&app.state.db, e.id, e.starts_at).await.unwrap();
        all.iter().find(|a| a.user_id == mo_id).map(|a| a.response)
    };
    let places = |to: &'static str| {
        let app = &app;
        async move {
            app.emails_to(to).await.iter().filter(|m| m.contains("Subject: A place is yours: Welcome coffee")).count()
        }
    };
    assert_eq!(answer(&kim, "yes").await, StatusCode::SEE_OTHER);
    assert_eq!(answer(&mo, "yes").await, StatusCode::SEE_OTHER);
    assert_eq!(mos().await, Some(Rsvp::Waitlisted), "the one place is Kim's");

    // A new version: Kim accepts it and gives up her place while Mo has not read it yet.
    admin.post(app.at("/n/eas/charter")).form(&[("body", "Be kind; keep confidences.")]).send().await.unwrap();
    let r = kim.post(app.at("/n/eas/charter/accept")).form(&[("version", "2"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(answer(&kim, "no").await, StatusCode::SEE_OTHER);
    let all = roundtable_store::events::attendees(&app.state.db, e.id, e.starts_at).await.unwrap();
    assert!(all.iter().all(|a| a.response != Rsvp::Yes), "the place stays free: Mo may not attend until she accepts");
    assert_eq!(mos().await, Some(Rsvp::Waitlisted), "and she keeps her place on the waiting list");
    assert_eq!(places("mo@example.org").await, 0);

    // Mo accepts: the free place is hers, and she is told.
    let r = mo.post(app.at("/n/eas/charter/accept")).form(&[("version", "2"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(mos().await, Some(Rsvp::Yes));
    assert_eq!(places("mo@example.org").await, 1);
}
