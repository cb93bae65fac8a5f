//! The iCalendar a calendar app receives, pinned as a snapshot: a network feed holding a monthly
//! series in London time (with a cancelled date and a moved one) and a one-off event — the same
//! text from SQLite and PostgreSQL. Volatile parts (ids, stamps, ports) are normalised first.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use roundtable_store::Dialect;
use support::TestApp;

both!(a_network_feed_matches_its_snapshot);

fn form(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = [
        ("kind", "network_meeting"),
        ("title", "Monthly network meeting"),
        ("theme", "Working out loud"),
        ("description", "We share **what works**."),
        ("time_zone", "Europe/London"),
        ("start", "2027-01-12T12:00"),
        ("end", "2027-01-12T13:00"),
        ("repeat", "monthly_nth"),
        ("until", "2027-06-30"),
        ("location_mode", "hybrid"),
        ("place", "Room 4.01"),
        ("online_url", "https://meet.example.org/eas"),
        ("audience", "network"),
        ("reminder_hours", "24"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (k, v) in extra {
        match f.iter_mut().find(|x| x.0 == *k) {
            Some(x) => x.1 = (*v).to_owned(),
            None => f.push(((*k).to_owned(), (*v).to_owned())),
        }
    }
    f
}

/// Replaces what changes from run to run with stable placeholders, keeping the structure. Time
/// zone transitions are listed for a window around today, so each distinct transition is kept
/// once, without its date.
fn normalise(ics: &str, ids: &[(String, &str)]) -> String {
    let unfolded = ics.replace("\r\n ", "");
    let mut out = Vec::new();
    let mut dates = Dates::default();
    let (mut in_zone, mut component, mut seen) = (false, Vec::<String>::new(), Vec::<Vec<String>>::new());
    for line in unfolded.lines() {
        match line {
            "BEGIN:VTIMEZONE" => {
                in_zone = true;
                seen.clear();
            }
            "END:VTIMEZONE" => {
                in_zone = false;
                // Sorted, and without the window's opening pseudo-transition (no offset change),
                // so the text does not depend on today's season.
                seen.sort();
                for c in seen.drain(..) {
                    let from = c.iter().find(|l| l.starts_with("TZOFFSETFROM:")).map(|l| &l[13..]);
                    let to = c.iter().find(|l| l.starts_with("TZOFFSETTO:")).map(|l| &l[11..]);
                    if from != to {
                        out.extend(c);
                    }
                }
            }
            "BEGIN:STANDARD" | "BEGIN:DAYLIGHT" if in_zone => {
                component = vec![line.to_owned()];
                continue;
            }
            "END:STANDARD" | "END:DAYLIGHT" if in_zone => {
                component.push(line.to_owned());
                if !seen.contains(&component) {
                    seen.push(component.clone());
                }
                component.clear();
                continue;
            }
            _ if in_zone && !component.is_empty() => {
                if !line.starts_with("DTSTART") {
                    component.push(line.to_owned());
                }
                continue;
            }
            _ => {}
        }
        let mut l = line.to_owned();
        for (id, name) in ids {
            l = l.replace(id.as_str(), name);
        }
        // Calendar dates depend on today (the feed covers a window around it): name each distinct
        // date by order of first appearance, keeping the times of day and how dates relate.
        l = dates.name_all(&l);
        if l.starts_with("DTSTAMP") || l.starts_with("LAST-MODIFIED") || l.starts_with("CREATED") {
            l = format!("{}:<stamp>", l.split(':').next().unwrap_or(""));
        }
        if let Some(i) = l.find("http://127.0.0.1:") {
            let end = l[i + 17..].find('/').map_or(l.len(), |j| i + 17 + j);
            l.replace_range(i..end, "http://<server>");
        }
        out.push(l);
    }
    out.join("\n")
}

/// Distinct `YYYYMMDD` dates, named D1, D2, … by first appearance.
#[derive(Default)]
struct Dates(Vec<String>);

impl Dates {
    fn name_all(&mut self, line: &str) -> String {
        let b = line.as_bytes();
        let mut out = String::new();
        let mut i = 0;
        while i < b.len() {
            let is_date = i + 8 <= b.len()
                && b[i..i + 8].iter().all(u8::is_ascii_digit)
                && (i == 0 || !b[i - 1].is_ascii_digit())
                && b.get(i + 8).is_none_or(|c| !c.is_ascii_digit())
                && line[i..i + 2].starts_with("20");
            if is_date {
                let d = line[i..i + 8].to_owned();
                let n = self.0.iter().position(|x| *x == d).unwrap_or_else(|| {
                    self.0.push(d);
                    self.0.len() - 1
                });
                out.push_str(&format!("D{}", n + 1));
                i += 8;
            } else {
                out.push(line[i..].chars().next().unwrap());
                i += line[i..].chars().next().unwrap().len_utf8();
            }
        }
        out
    }
}

/// The n-th Tuesday of a month.
fn nth_tuesday(year: i32, month: u32, n: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_weekday_of_month_opt(year, month, chrono::Weekday::Tue, n as u8).unwrap()
}

async fn a_network_feed_matches_its_snapshot(d: Dialect) {
    use chrono::{Datelike, Months, TimeZone};
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    // A monthly series on second Tuesdays from the month after next, for four months (inside the
    // feed's one-year window whatever today is), and a one-off in between.
    let first_month = chrono::Utc::now().date_naive().with_day(1).unwrap() + Months::new(2);
    let month = |k: u32| first_month + Months::new(k);
    let tue = |k: u32| nth_tuesday(month(k).year(), month(k).month(), 2);
    let (d0, d1, d2) = (tue(0), tue(1), tue(2));
    let until = (month(4) - chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
    let start0 = format!("{d0}T12:00");
    let end0 = format!("{d0}T13:00");
    let one_off = month(1) + chrono::Duration::days(2);
    let (oo_start, oo_end) = (format!("{one_off}T09:30"), format!("{one_off}T10:30"));
    let london = |d: chrono::NaiveDate| {
        chrono_tz::Europe::London.from_local_datetime(&d.and_hms_opt(12, 0, 0).unwrap()).unwrap()
    };
    let mut ids = Vec::new();
    for (name, extra) in [
        ("SERIES", vec![("start", start0.as_str()), ("end", end0.as_str()), ("until", until.as_str())]),
        (
            "ONE-OFF",
            vec![
                ("kind", "guest_speaker"),
                ("title", "Guest speaker: the CFO"),
                ("start", oo_start.as_str()),
                ("end", oo_end.as_str()),
                ("repeat", "none"),
                ("time_zone", "America/New_York"),
                ("location_mode", "online"),
            ],
        ),
    ] {
        let r = admin.post(app.at("/n/eas/events/new")).form(&form(&extra)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let id = r.headers()["location"]
            .to_str()
            .unwrap()
            .trim_start_matches("/events/")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        ids.push((id, name));
    }
    let series = ids[0].0.clone();
    // Cancel the second date.
    let march = london(d1).timestamp_micros().to_string();
    let r = admin
        .post(app.at(&format!("/events/{series}/cancel")))
        .form(&[("scope", "one"), ("at", &march[..])])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Move the third date to 14:00 local.
    let april = london(d2).timestamp_micros().to_string();
    let (moved_start, moved_end) = (format!("{d2}T14:00"), format!("{d2}T15:00"));
    let mut f = form(&[("start", moved_start.as_str()), ("end", moved_end.as_str()), ("repeat", "none")]);
    f.push(("scope".into(), "one".into()));
    f.push(("at".into(), april));
    let r = admin.post(app.at(&format!("/events/{series}/edit"))).form(&f).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let url = app.new_feed(&admin, "eas").await;
    let token = url.rsplit('/').next().unwrap().trim_end_matches(".ics").to_owned();
    ids.push((token, "TOKEN"));
    let ics = reqwest::get(&url).await.unwrap().text().await.unwrap();
    insta::assert_snapshot!("network_feed", normalise(&ics, &ids));
}
