//! Event and calendar pages: a network's calendar and mine (month, week and list views, in the
//! viewer's time zone), the event form, the event page (RSVP, check-in, notes, host, feedback),
//! subscription feeds and attendance history. Handlers parse, call one use case and render.

use super::{EventInput, Filter, Item, Scope};
use crate::http::{
    AppError, Errors, Form, Layout, Path, Query, Result, Signed, notice, or_form, render, urlencode, with_status,
    zone_name,
};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use roundtable_domain::events::{Audience, EventKind, LocationMode, Rsvp};
use roundtable_domain::{Capability, FieldError, UserId};
use serde::Deserialize;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(my_calendar))
        .route("/calendar/feeds", get(feeds_page).post(create_feed))
        .route("/calendar/feeds/{id}/revoke", post(revoke_feed))
        .route("/calendar/attendance", get(history))
        .route("/n/{slug}/events", get(network_calendar))
        .route("/n/{slug}/events/new", get(new_form).post(create))
        .route("/events/{id}", get(event_page))
        .route("/events/{id}/edit", get(edit_form).post(edit))
        .route("/events/{id}/cancel", post(cancel))
        .route("/events/{id}/rsvp", post(rsvp))
        .route("/events/{id}/check-in", post(check_in))
        .route("/events/{id}/attendance", post(mark_attended))
        .route("/events/{id}/attendance/going", post(mark_going_attended))
        .route("/events/{id}/attendance/unmark", post(unmark_attended))
        .route("/events/{id}/message", post(message))
        .route("/events/{id}/notes", post(save_notes))
        .route("/events/{id}/host", post(confirm_host))
        .route("/events/{id}/feedback", get(feedback_form).post(feedback))
        .route("/events/{id}/invite.ics", get(ics_download))
        .route("/events/{id}/attendees.csv", get(attendees_download))
        .route("/ical/{file}", get(feed))
}

/// "Tue 12 Jan 2027, 12:00–13:00 GMT" in `tz` (the end's date too when it differs).
pub fn fmt_range(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    let (s, e) = (start.with_timezone(&tz), end.with_timezone(&tz));
    let zone = zone_name(&e);
    // The clocks change in between: each time with its own zone ("00:30 GMT – 03:00 BST").
    let starts_in = zone_name(&s);
    if starts_in != zone {
        let end = if s.date_naive() == e.date_naive() { e.format("%H:%M") } else { e.format("%a %-d %b %Y, %H:%M") };
        return format!("{} {starts_in} – {end} {zone}", s.format("%a %-d %b %Y, %H:%M"));
    }
    if s.date_naive() == e.date_naive() {
        format!("{}–{} {zone}", s.format("%a %-d %b %Y, %H:%M"), e.format("%H:%M"))
    } else {
        format!("{} – {} {zone}", s.format("%a %-d %b %Y, %H:%M"), e.format("%a %-d %b %Y, %H:%M"))
    }
}

fn event_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

fn at_param(at: Option<&str>) -> Result<Option<DateTime<Utc>>> {
    match at.filter(|s| !s.is_empty()) {
        None => Ok(None),
        // Years 1900–9999 only: date arithmetic on anything wilder would overflow.
        Some(s) => s
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_micros)
            .filter(|t| (1900..=9999).contains(&t.year()))
            .map(Some)
            .ok_or(AppError::NotFound),
    }
}

/// Calendar dates people may ask for; far-off years would overflow date arithmetic.
fn sane(d: &NaiveDate) -> bool {
    (1900..=9999).contains(&d.year())
}

fn require_at(at: Option<&str>) -> Result<DateTime<Utc>> {
    at_param(at)?.ok_or(AppError::NotFound)
}

/// One occurrence in a list or a calendar cell.
pub struct Entry {
    pub href: String,
    pub title: String,
    pub time: String,
    pub when: String,
    pub kind: &'static str,
    pub network: String,
    pub cancelled: bool,
    pub place: String,
    /// For a date met in person on another clock, its start where it is held ("12:00 GMT where
    /// it is held"); empty otherwise.
    pub there: String,
}

/// When `start` is where an event in `etz` is held, for a viewer in `tz`: empty when the clocks
/// agree then (London and UTC in winter) or the event is online (there is no "there" to go to).
fn there(start: DateTime<Utc>, etz: Tz, tz: Tz, mode: LocationMode) -> String {
    use chrono::Offset;
    let offset = |z: Tz| start.with_timezone(&z).offset().fix();
    if offset(etz) == offset(tz) || mode == LocationMode::Online {
        return String::new();
    }
    // As the mail about a date says it: "(12:00 GMT where it is held)".
    format!("{} where it is held", crate::http::time_in(start, etz, "%H:%M"))
}

pub(crate) fn entry(i: &Item, tz: Tz) -> Entry {
    Entry {
        href: format!("/events/{}?at={}", i.event.id, i.occ.original.timestamp_micros()),
        title: i.title().to_owned(),
        time: i.occ.start.with_timezone(&tz).format("%H:%M").to_string(),
        when: fmt_range(i.occ.start, i.occ.end, tz),
        kind: i.event.kind.label(),
        network: i.event.network_name.clone(),
        cancelled: i.cancelled,
        place: match i.event.location_mode {
            LocationMode::InPerson => i.event.place.clone(),
            LocationMode::Online => "Online".into(),
            LocationMode::Hybrid => format!("{} and online", i.event.place),
        },
        there: there(i.occ.start, i.event.time_zone.parse().unwrap_or(Tz::UTC), tz, i.event.location_mode),
    }
}

pub struct Day {
    pub label: String,
    pub number: u32,
    pub in_month: bool,
    pub today: bool,
    pub entries: Vec<Entry>,
}

#[derive(Deserialize, Default)]
pub(crate) struct CalendarQuery {
    #[serde(default)]
    view: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    week: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    network: String,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "events/calendar.html")]
struct CalendarPage {
    layout: Layout,
    heading: String,
    base: String,
    view: &'static str,
    tz: String,
    caption: String,
    prev_href: String,
    next_href: String,
    prev_label: String,
    next_label: String,
    views: Vec<(&'static str, String, bool)>,
    weeks: Vec<Vec<Day>>,
    days: Vec<Day>,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    networks: Vec<(String, String)>,
    network: String,
    new_href: String,
    slug: String,
}

impl CalendarPage {
    /// A month without events says so (at phone width, where only days with events are shown,
    /// it would otherwise be blank).
    fn month_empty(&self) -> bool {
        self.weeks.iter().flatten().all(|d| d.entries.is_empty())
    }
}

/// What range a calendar page shows, in the viewer's zone.
struct Range {
    view: &'static str,
    from_date: NaiveDate,
    to_date: NaiveDate,
    caption: String,
    prev: String,
    next: String,
    /// What the "earlier" and "later" links open, named: "October 2026", not "Earlier".
    prev_label: String,
    next_label: String,
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn add_months(d: NaiveDate, n: i32) -> NaiveDate {
    let m = d.year() * 12 + i32::try_from(d.month0()).unwrap_or(0) + n;
    NaiveDate::from_ymd_opt(m.div_euclid(12), u32::try_from(m.rem_euclid(12)).unwrap_or(0) + 1, 1).unwrap_or(d)
}

fn range(q: &CalendarQuery, today: NaiveDate) -> Range {
    match q.view.as_str() {
        "week" => {
            let d = NaiveDate::parse_from_str(&q.week, "%Y-%m-%d").ok().filter(sane).unwrap_or(today);
            let monday = d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
            Range {
                view: "week",
                from_date: monday,
                to_date: monday + Duration::days(7),
                caption: format!("Week of {}", monday.format("%-d %B %Y")),
                prev: format!("view=week&week={}", (monday - Duration::days(7)).format("%Y-%m-%d")),
                next: format!("view=week&week={}", (monday + Duration::days(7)).format("%Y-%m-%d")),
                prev_label: format!("Week of {}", (monday - Duration::days(7)).format("%-d %B")),
                next_label: format!("Week of {}", (monday + Duration::days(7)).format("%-d %B")),
            }
        }
        "list" => {
            let from = NaiveDate::parse_from_str(&q.week, "%Y-%m-%d").ok().filter(sane).unwrap_or(today);
            Range {
                view: "list",
                from_date: from,
                to_date: from + Duration::days(92),
                caption: format!("From {} for three months", from.format("%-d %B %Y")),
                prev: format!("view=list&week={}", (from - Duration::days(92)).format("%Y-%m-%d")),
                next: format!("view=list&week={}", (from + Duration::days(92)).format("%Y-%m-%d")),
                prev_label: format!("Three months before {}", from.format("%-d %B")),
                next_label: format!("From {}", (from + Duration::days(92)).format("%-d %B %Y")),
            }
        }
        _ => {
            let first = NaiveDate::parse_from_str(&format!("{}-01", q.month), "%Y-%m-%d")
                .ok()
                .filter(sane)
                .map_or_else(|| first_of_month(today), first_of_month);
            Range {
                view: "month",
                from_date: first,
                to_date: add_months(first, 1),
                caption: first.format("%B %Y").to_string(),
                prev: format!("view=month&month={}", add_months(first, -1).format("%Y-%m")),
                next: format!("view=month&month={}", add_months(first, 1).format("%Y-%m")),
                prev_label: add_months(first, -1).format("%B %Y").to_string(),
                next_label: add_months(first, 1).format("%B %Y").to_string(),
            }
        }
    }
}

fn utc_of(d: NaiveDate, tz: Tz) -> DateTime<Utc> {
    roundtable_domain::events::local_to_utc(tz, d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

fn day(d: NaiveDate, month: Option<u32>, today: NaiveDate, items: &[Item], tz: Tz) -> Day {
    Day {
        label: d.format("%A %-d %B").to_string(),
        number: d.day(),
        in_month: month.is_none_or(|m| d.month() == m),
        today: d == today,
        entries: items
            .iter()
            .filter(|i| i.occ.start.with_timezone(&tz).date_naive() == d)
            .map(|i| entry(i, tz))
            .collect(),
    }
}

fn filter_of(q: &CalendarQuery) -> Filter {
    Filter { kind: EventKind::parse(&q.kind), network: (!q.network.is_empty()).then(|| q.network.clone()) }
}

#[allow(clippy::too_many_arguments)]
fn calendar_page(
    s: &Signed,
    q: &CalendarQuery,
    r: Range,
    items: &[Item],
    tz: Tz,
    heading: String,
    base: String,
    networks: Vec<(String, String)>,
    new_href: String,
    slug: String,
) -> Result<Response> {
    let today = Utc::now().with_timezone(&tz).date_naive();
    let mut filters = String::new();
    if !q.kind.is_empty() {
        filters.push_str(&format!("&kind={}", urlencode(&q.kind)));
    }
    if !q.network.is_empty() {
        filters.push_str(&format!("&network={}", urlencode(&q.network)));
    }
    let (mut weeks, mut days) = (Vec::new(), Vec::new());
    match r.view {
        "month" => {
            let mut d = r.from_date - Duration::days(i64::from(r.from_date.weekday().num_days_from_monday()));
            while d < r.to_date {
                weeks.push(
                    (0..7).map(|k| day(d + Duration::days(k), Some(r.from_date.month()), today, items, tz)).collect(),
                );
                d += Duration::days(7);
            }
        }
        "week" => days = (0..7).map(|k| day(r.from_date + Duration::days(k), None, today, items, tz)).collect(),
        _ => {
            let mut d = r.from_date;
            while d < r.to_date {
                let x = day(d, None, today, items, tz);
                if !x.entries.is_empty() {
                    days.push(x);
                }
                d += Duration::days(1);
            }
        }
    }
    let month_now = format!("view=month&month={}", r.from_date.format("%Y-%m"));
    // From a month or list that holds today, the week view opens this week, not the first one.
    let week_of = if (r.from_date..r.to_date).contains(&today) { today } else { r.from_date };
    let week_now = format!("view=week&week={}", week_of.format("%Y-%m-%d"));
    let list_now = format!("view=list&week={}", if r.view == "list" { r.from_date } else { today }.format("%Y-%m-%d"));
    render(&CalendarPage {
        layout: Layout::for_user(&heading, s).with_notice(notice(q.notice.as_deref())),
        views: vec![
            ("Month", format!("{base}?{month_now}{filters}"), r.view == "month"),
            ("Week", format!("{base}?{week_now}{filters}"), r.view == "week"),
            ("List", format!("{base}?{list_now}{filters}"), r.view == "list"),
        ],
        prev_href: format!("{base}?{}{filters}", r.prev),
        next_href: format!("{base}?{}{filters}", r.next),
        prev_label: r.prev_label,
        next_label: r.next_label,
        heading,
        base,
        view: r.view,
        tz: tz.name().to_owned(),
        caption: r.caption,
        weeks,
        days,
        kinds: EventKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        kind: q.kind.clone(),
        networks,
        network: q.network.clone(),
        new_href,
        slug,
    })
}

async fn network_calendar(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Query(q): Query<CalendarQuery>,
) -> Result<Response> {
    let actor = s.actor();
    let tz = s.tz;
    let r = range(&q, Utc::now().with_timezone(&tz).date_naive());
    let (from, to) = (utc_of(r.from_date - Duration::days(7), tz), utc_of(r.to_date + Duration::days(7), tz));
    let (seen, items) = super::network_calendar(&state, &actor, &slug, from, to, &filter_of(&q)).await?;
    let new_href = if seen.can(&actor, Capability::Organise) { format!("/n/{slug}/events/new") } else { String::new() };
    calendar_page(
        &s,
        &q,
        r,
        &items,
        tz,
        format!("{} calendar", seen.network.name),
        format!("/n/{slug}/events"),
        Vec::new(),
        new_href,
        slug,
    )
}

async fn my_calendar(State(state): State<AppState>, s: Signed, Query(q): Query<CalendarQuery>) -> Result<Response> {
    let actor = s.actor();
    let tz = s.tz;
    let r = range(&q, Utc::now().with_timezone(&tz).date_naive());
    let (from, to) = (utc_of(r.from_date - Duration::days(7), tz), utc_of(r.to_date + Duration::days(7), tz));
    let items = super::my_calendar(&state, &actor, from, to, &filter_of(&q)).await?;
    let networks = crate::networks::mine(&state, &actor)
        .await?
        .into_iter()
        .filter(|n| n.role().is_some())
        .map(|n| (n.network.slug, n.network.name))
        .collect();
    calendar_page(
        &s,
        &q,
        r,
        &items,
        tz,
        "My calendar".into(),
        "/calendar".into(),
        networks,
        String::new(),
        String::new(),
    )
}

#[derive(Template)]
#[template(path = "events/form.html")]
struct FormPage {
    layout: Layout,
    errors: Errors,
    heading: String,
    action: String,
    back: String,
    f: EventInput,
    scope: String,
    at: String,
    kinds: Vec<(&'static str, &'static str)>,
    modes: Vec<(&'static str, &'static str)>,
    audiences: Vec<(&'static str, &'static str)>,
    repeats: Vec<(&'static str, &'static str)>,
    members: Vec<(String, String)>,
    recurring_edit: bool,
}

const REPEATS: [(&str, &str); 5] = [
    ("none", "Does not repeat"),
    ("weekly", "Every week on the same day"),
    ("monthly_nth", "Every month on the same weekday, e.g. the second Tuesday"),
    ("monthly_last", "Every month on the last such weekday, e.g. the last Friday"),
    ("custom", "Custom rule (RRULE)"),
];

#[allow(clippy::too_many_arguments)]
fn form_page(
    s: &Signed,
    errors: Errors,
    heading: String,
    action: String,
    back: String,
    f: EventInput,
    scope: String,
    at: String,
    members: Vec<(UserId, String)>,
    recurring_edit: bool,
) -> Result<Response> {
    render(&FormPage {
        layout: Layout::for_user(&heading, s),
        errors,
        heading,
        action,
        back,
        f,
        scope,
        at,
        kinds: EventKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        modes: LocationMode::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        audiences: Audience::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        repeats: REPEATS.to_vec(),
        members: members.into_iter().map(|(id, n)| (id.to_string(), n)).collect(),
        recurring_edit,
    })
}

async fn new_form(State(state): State<AppState>, s: Signed, Path(slug): Path<String>) -> Result<Response> {
    let actor = s.actor();
    let seen = crate::networks::load(&state, &actor, &slug, Capability::Organise).await?;
    let tz = s.tz;
    let members = super::members_for_form(&state, seen.network.id).await?;
    let f = EventInput {
        kind: "network_meeting".into(),
        time_zone: tz.name().into(),
        repeat: "none".into(),
        location_mode: "in_person".into(),
        audience: "network".into(),
        reminder_hours: "24".into(),
        ..EventInput::default()
    };
    form_page(
        &s,
        Errors::default(),
        format!("New event in {}", seen.network.name),
        format!("/n/{slug}/events/new"),
        format!("/n/{slug}/events"),
        f,
        String::new(),
        String::new(),
        members,
        false,
    )
}

async fn create(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Form(f): Form<EventInput>,
) -> Result<Response> {
    let actor = s.actor();
    let result = super::create(&state, &actor, &s.user.name, &slug, &f).await;
    let members = match &result {
        Err(AppError::Invalid(_) | AppError::Conflict(_)) => {
            let seen = crate::networks::load(&state, &actor, &slug, Capability::Organise).await?;
            super::members_for_form(&state, seen.network.id).await?
        }
        _ => Vec::new(),
    };
    or_form(
        result,
        |id| Ok(Redirect::to(&format!("/events/{id}?notice=event-created")).into_response()),
        |errors| {
            form_page(
                &s,
                errors,
                "New event".into(),
                format!("/n/{slug}/events/new"),
                format!("/n/{slug}/events"),
                f,
                String::new(),
                String::new(),
                members,
                false,
            )
        },
    )
}

#[derive(Deserialize, Default)]
pub(crate) struct AtQuery {
    at: Option<String>,
    #[serde(default)]
    scope: String,
    notice: Option<String>,
    /// The attendee download's cell separator (`http::Separator`).
    #[serde(default)]
    separator: String,
}

fn input_of(e: &roundtable_store::events::Event, item: Option<&Item>, host: Option<UserId>) -> EventInput {
    let tz: Tz = e.time_zone.parse().unwrap_or(Tz::UTC);
    let (start, end) = match item {
        Some(i) => (i.occ.start.with_timezone(&tz).naive_local(), i.occ.end.with_timezone(&tz).naive_local()),
        None => {
            let s = super::series(e);
            let start = roundtable_domain::events::local_to_utc(tz, s.local_start);
            (s.local_start, (start + s.duration).with_timezone(&tz).naive_local())
        }
    };
    let rule = (!e.rrule.is_empty()).then(|| roundtable_domain::events::Rule::parse(&e.rrule).ok()).flatten();
    EventInput {
        kind: e.kind.as_str().into(),
        title: item.map_or(e.title.clone(), |i| i.title().to_owned()),
        theme: e.theme.clone(),
        description: e.description.clone(),
        time_zone: e.time_zone.clone(),
        start: start.format("%Y-%m-%dT%H:%M").to_string(),
        end: end.format("%Y-%m-%dT%H:%M").to_string(),
        repeat: repeat_choice(&e.rrule, start.date()).into(),
        rrule: e.rrule.clone(),
        until: rule.and_then(|r| r.until).map(|u| u.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        location_mode: e.location_mode.as_str().into(),
        place: e.place.clone(),
        online_url: e.online_url.clone(),
        capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
        rsvp_close_hours: e.rsvp_close_minutes.map(|m| (m / 60).to_string()).unwrap_or_default(),
        audience: e.audience.as_str().into(),
        reminder_hours: (e.reminder_minutes / 60).to_string(),
        host: host.map(|h| h.to_string()).unwrap_or_default(),
        announce: String::new(),
    }
}

/// Which of the form's "Repeats" choices a stored rule is (ignoring an end date, which the form
/// has its own field for), so a series made "every week" edits as that, not as a custom rule;
/// "custom" for any other — and for one ending after a number of dates (COUNT), which only the
/// custom rule keeps.
fn repeat_choice(rrule: &str, start: chrono::NaiveDate) -> &'static str {
    use roundtable_domain::events::Rule;
    if rrule.is_empty() {
        return "none";
    }
    let Ok(r) = Rule::parse(rrule) else { return "custom" };
    if r.count.is_some() {
        return "custom";
    }
    let bare = Rule { until: None, ..r };
    [("weekly", Rule::weekly()), ("monthly_nth", Rule::monthly_nth(start)), ("monthly_last", Rule::monthly_last(start))]
        .into_iter()
        .find(|(_, simple)| *simple == bare)
        .map_or("custom", |(choice, _)| choice)
}

async fn edit_form(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Query(q): Query<AtQuery>,
) -> Result<Response> {
    let actor = s.actor();
    let a = super::access(&state, &actor, event_id(&id)?, Capability::Organise).await?;
    let at = at_param(q.at.as_deref())?;
    let item = match (at, q.scope.as_str()) {
        (Some(at), "one" | "following") => Some(super::occurrence(&state, &a.event, at).await?),
        _ => None,
    };
    let host =
        roundtable_store::events::hosts(&state.db, a.event.id).await?.into_iter().find(|h| h.0 == 0).map(|h| h.1);
    let members = super::members_for_form(&state, a.event.network_id).await?;
    let mut f = input_of(&a.event, item.as_ref(), host);
    if q.scope == "one" {
        f.repeat = "none".into();
    }
    let heading = match q.scope.as_str() {
        "one" => format!("Change only this date of {}", a.event.title),
        "following" => format!("Change {} from this date on", a.event.title),
        _ => format!("Edit {}", a.event.title),
    };
    form_page(
        &s,
        Errors::default(),
        heading,
        format!("/events/{id}/edit"),
        format!("/events/{id}"),
        f,
        q.scope.clone(),
        q.at.unwrap_or_default(),
        members,
        !a.event.rrule.is_empty(),
    )
}

#[derive(Deserialize, Default)]
pub(crate) struct EditForm {
    #[serde(flatten)]
    input: EventInput,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    at: String,
}

async fn edit(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(f): Form<EditForm>,
) -> Result<Response> {
    let actor = s.actor();
    let eid = event_id(&id)?;
    let scope = Scope::parse(&f.scope, f.at.parse().ok())?;
    let result = super::update(&state, &actor, &s.user.name, eid, scope, &f.input).await;
    let members = match &result {
        Err(AppError::Invalid(_)) => {
            let a = super::access(&state, &actor, eid, Capability::Organise).await?;
            super::members_for_form(&state, a.event.network_id).await?
        }
        _ => Vec::new(),
    };
    // Fewer places than people holding one (they keep theirs): said, so it is not a surprise.
    let over = match &result {
        Ok(target) => {
            let d = super::detail(&state, &actor, *target, None).await?;
            d.access.event.capacity.is_some_and(|c| d.going > c)
        }
        Err(_) => false,
    };
    let notice = if over { "event-saved-over" } else { "event-saved" };
    or_form(
        result,
        |target| Ok(Redirect::to(&format!("/events/{target}?notice={notice}")).into_response()),
        |errors| {
            form_page(
                &s,
                errors,
                "Edit event".into(),
                format!("/events/{id}/edit"),
                format!("/events/{id}"),
                f.input,
                f.scope,
                f.at,
                members,
                true,
            )
        },
    )
}

#[derive(Deserialize, Default)]
pub(crate) struct ScopeForm {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    at: String,
    /// The organisers' word to attendees (optional).
    #[serde(default)]
    reason: String,
}

async fn cancel(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(f): Form<ScopeForm>,
) -> Result<Response> {
    let eid = event_id(&id)?;
    let scope = Scope::parse(&f.scope, f.at.parse().ok())?;
    let done = super::cancel(&state, &s.actor(), &s.user.name, eid, scope, &f.reason).await?;
    let notice = match (done, scope) {
        (false, _) => "event-already-cancelled",
        (true, Scope::One(_)) => "event-date-cancelled",
        (true, Scope::Following(_)) => "event-following-cancelled",
        (true, _) => "event-cancelled",
    };
    // Back at the date in question (the event page alone would show the next one).
    let at = match scope {
        Scope::One(at) | Scope::Following(at) => format!("&at={}", at.timestamp_micros()),
        _ => String::new(),
    };
    Ok(Redirect::to(&format!("/events/{id}?notice={notice}{at}")).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct RsvpForm {
    #[serde(default)]
    response: String,
    #[serde(default)]
    at: String,
}

async fn rsvp(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(f): Form<RsvpForm>,
) -> Result<Response> {
    let at = require_at(Some(&f.at))?;
    // Sent with no answer chosen: back to the same date, saying what to do, rather than an
    // error page without the event.
    let Some(want) = Rsvp::parse(&f.response).filter(|r| *r != Rsvp::Waitlisted) else {
        event_id(&id)?;
        return Ok(Redirect::to(&format!("/events/{id}?at={}&notice=rsvp-none#rsvp-h", f.at)).into_response());
    };
    let got = super::rsvp(&state, &s.actor(), event_id(&id)?, at, want).await?;
    let n = match got {
        Rsvp::Yes => "rsvp-yes",
        Rsvp::Waitlisted => "rsvp-waitlisted",
        _ => "rsvp-saved",
    };
    Ok(Redirect::to(&format!("/events/{id}?at={}&notice={n}", f.at)).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    at: String,
}

async fn check_in(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(f): Form<CodeForm>,
) -> Result<Response> {
    let result = super::self_check_in(&state, &s.actor(), event_id(&id)?, require_at(Some(&f.at))?, &f.code).await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}?at={}&notice=checked-in", f.at)).into_response()),
        Err(AppError::Invalid(errs)) => {
            let page = event_page_with(&state, &s, &id, Some(&f.at), None, Errors(errs), ("", "")).await?;
            Ok(with_status(page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        // Too many wrong codes: said beside the field too, with how long to wait.
        Err(AppError::RateLimited { message, retry_after_seconds }) => {
            let errs = Errors(vec![FieldError::new("code", message)]);
            let page = event_page_with(&state, &s, &id, Some(&f.at), None, errs, ("", "")).await?;
            let mut page = with_status(page, StatusCode::TOO_MANY_REQUESTS);
            page.headers_mut().insert(header::RETRY_AFTER, retry_after_seconds.into());
            Ok(page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct PersonForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    at: String,
}

async fn mark_attended(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(f): Form<PersonForm>,
) -> Result<Response> {
    let user = UserId::parse(&f.user).ok_or(AppError::NotFound)?;
    super::mark_attended(&state, &s.actor(), &s.user.name, event_id(&id)?, require_at(Some(&f.at))?, user).await?;
    Ok(Redirect::to(&format!("/events/{id}?at={}&notice=attendance", f.at)).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct MessageForm {
    #[serde(default)]
    at: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    message: String,
}

async fn message(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(f): Form<MessageForm>,
) -> Result<Response> {
    let to = super::MessageTo::parse(&f.to).unwrap_or(super::MessageTo::Going);
    let at = require_at(Some(&f.at))?;
    match super::message(&state, &s.actor(), &s.user.name, event_id(&id)?, at, to, &f.message).await {
        Ok(sent) => {
            let notice = if sent == 0 { "event-message-repeat" } else { "event-messaged" };
            Ok(Redirect::to(&format!("/events/{id}?at={}&notice={notice}", f.at)).into_response())
        }
        // Refused (nothing to say, no one to say it to): the page again, the text kept.
        Err(AppError::Invalid(errs)) => {
            let draft = (to.key(), f.message.as_str());
            let page = event_page_with(&state, &s, &id, Some(&f.at), None, Errors(errs), draft).await?;
            Ok(with_status(page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e),
    }
}

async fn mark_going_attended(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(f): Form<PersonForm>,
) -> Result<Response> {
    super::mark_going_attended(&state, &s.actor(), &s.user.name, event_id(&id)?, require_at(Some(&f.at))?).await?;
    Ok(Redirect::to(&format!("/events/{id}?at={}&notice=attendance-going", f.at)).into_response())
}

async fn unmark_attended(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(f): Form<PersonForm>,
) -> Result<Response> {
    let user = UserId::parse(&f.user).ok_or(AppError::NotFound)?;
    super::unmark_attended(&state, &s.actor(), &s.user.name, event_id(&id)?, require_at(Some(&f.at))?, user).await?;
    Ok(Redirect::to(&format!("/events/{id}?at={}&notice=attendance-unmarked", f.at)).into_response())
}

async fn confirm_host(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(f): Form<PersonForm>,
) -> Result<Response> {
    let user = UserId::parse(&f.user).ok_or(AppError::NotFound)?;
    super::confirm_host(&state, &s.actor(), &s.user.name, event_id(&id)?, require_at(Some(&f.at))?, user).await?;
    Ok(Redirect::to(&format!("/events/{id}?at={}&notice=host", f.at)).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct NotesForm {
    #[serde(default)]
    agenda: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    recording_url: String,
    #[serde(default)]
    at: String,
}

async fn save_notes(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(f): Form<NotesForm>,
) -> Result<Response> {
    let notes = roundtable_store::events::Notes {
        agenda: f.agenda,
        minutes: f.minutes,
        summary: f.summary,
        recording_url: f.recording_url,
    };
    super::save_notes(&state, &s.actor(), event_id(&id)?, require_at(Some(&f.at))?, notes).await?;
    Ok(Redirect::to(&format!("/events/{id}?at={}&notice=saved", f.at)).into_response())
}

pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub answer: &'static str,
    pub attended: bool,
}

#[derive(Template)]
#[template(path = "events/event.html")]
struct EventPage {
    layout: Layout,
    /// The check-in form's.
    errors: Errors,
    id: String,
    at: String,
    title: String,
    kind: &'static str,
    theme: String,
    description_html: String,
    when: String,
    organiser_when: String,
    tz: String,
    network_name: String,
    network_slug: String,
    audience: &'static str,
    mode: &'static str,
    place: String,
    online_url: String,
    recurrence: String,
    cancelled: bool,
    past: bool,
    capacity: Option<i64>,
    going: i64,
    waiting: i64,
    my_rsvp: &'static str,
    my_rsvp_code: &'static str,
    /// "2nd of 5" on the waiting list, when waiting.
    my_turn: String,
    can_organise: bool,
    checkin_code: String,
    i_attended: bool,
    /// From an hour before to an hour after: the check-in form; before that, when it opens.
    check_in_open: bool,
    attendance_open: bool,
    /// Former members (accounts closed) who attended this date: a count, not names.
    former_attended: i64,
    /// (key, label) of whom an organiser's message may go to.
    message_to: Vec<(&'static str, &'static str)>,
    /// A refused message's (group, text), to correct and send again.
    message_draft: (String, String),
    hosts: Vec<String>,
    suggestions: Vec<(String, String, i64)>,
    people: Vec<PersonRow>,
    members: Vec<(String, String)>,
    agenda: String,
    minutes: String,
    summary: String,
    recording_url: String,
    feedback: Vec<(i64, String)>,
    feedback_average: String,
    upcoming: Vec<Entry>,
    has_occurrence: bool,
}

/// 1 → "1st", 2 → "2nd", 11 → "11th", 22 → "22nd".
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

async fn event_page(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Query(q): Query<AtQuery>,
) -> Result<Response> {
    match event_page_with(&state, &s, &id, q.at.as_deref(), q.notice.as_deref(), Errors::default(), ("", "")).await {
        // A date the event no longer has (an old email's link): the date it moved to, or the
        // event, saying so — not "page not found" for an event one may open.
        Err(AppError::NotFound) if q.at.is_some() => {
            let (id, at) = (event_id(&id)?, at_param(q.at.as_deref())?.ok_or(AppError::NotFound)?);
            let to = match super::moved_date(&state, &s.actor(), id, at).await? {
                Some(moved) if moved != at => format!("/events/{id}?at={}&notice=date-moved", moved.timestamp_micros()),
                Some(_) => return Err(AppError::NotFound),
                None => format!("/events/{id}?notice=date-gone"),
            };
            Ok(Redirect::to(&to).into_response())
        }
        page => page,
    }
}

/// The event page; `errors` are the check-in form's or the organisers' message form's (a code
/// that does not match, a message refused, is shown there, beside the field, not on a page of
/// its own), and `draft` the (group, text) of a refused message, given back to correct.
async fn event_page_with(
    state: &AppState,
    s: &Signed,
    id: &str,
    at: Option<&str>,
    notice_code: Option<&str>,
    errors: Errors,
    draft: (&str, &str),
) -> Result<Response> {
    let actor = s.actor();
    let d = super::detail(state, &actor, event_id(id)?, at_param(at)?).await?;
    let tz = s.tz;
    let e = d.access.event.clone();
    let etz: Tz = e.time_zone.parse().unwrap_or(Tz::UTC);
    let now = Utc::now();
    let attended: Vec<UserId> = d.attended.iter().map(|a| a.user_id).collect();
    let mut people: Vec<PersonRow> = d
        .attendees
        .iter()
        .map(|a| PersonRow {
            id: a.user_id.to_string(),
            name: a.name.clone(),
            answer: a.response.label(),
            attended: attended.contains(&a.user_id),
        })
        .collect();
    for a in &d.attended {
        if !d.attendees.iter().any(|x| x.user_id == a.user_id) {
            people.push(PersonRow {
                id: a.user_id.to_string(),
                name: a.name.clone(),
                answer: "No answer",
                attended: true,
            });
        }
    }
    let avg = if d.feedback.is_empty() {
        String::new()
    } else {
        format!("{:.1}", d.feedback.iter().map(|f| f.0 as f64).sum::<f64>() / d.feedback.len() as f64)
    };
    let title = d.item.as_ref().map_or(e.title.clone(), |i| i.title().to_owned());
    render(&EventPage {
        layout: Layout::for_user(&title, s).with_notice(notice(notice_code)),
        errors,
        id: e.id.to_string(),
        at: d.item.as_ref().map(|i| i.occ.original.timestamp_micros().to_string()).unwrap_or_default(),
        title,
        kind: e.kind.label(),
        theme: e.theme.clone(),
        description_html: crate::members::markdown(&e.description, 2),
        when: d.item.as_ref().map(|i| fmt_range(i.occ.start, i.occ.end, tz)).unwrap_or_default(),
        organiser_when: d
            .item
            .as_ref()
            .filter(|_| etz != tz)
            .map(|i| fmt_range(i.occ.start, i.occ.end, etz))
            .unwrap_or_default(),
        tz: tz.name().to_owned(),
        network_name: e.network_name.clone(),
        network_slug: e.network_slug.clone(),
        audience: e.audience.label(),
        mode: e.location_mode.label(),
        place: e.place.clone(),
        online_url: e.online_url.clone(),
        recurrence: roundtable_domain::events::Rule::parse(&e.rrule).map(|r| r.describe()).unwrap_or_default(),
        cancelled: d.item.as_ref().is_none_or(|i| i.cancelled),
        past: d.item.as_ref().is_some_and(|i| i.occ.start <= now),
        capacity: e.capacity,
        going: d.going,
        waiting: d.waiting,
        my_rsvp: d.my_rsvp.map_or("", Rsvp::label),
        my_rsvp_code: d.my_rsvp.map_or("", Rsvp::as_str),
        my_turn: d.my_turn.map_or_else(String::new, |n| format!("{} of {}", ordinal(n), d.waiting)),
        can_organise: d.access.can_organise,
        checkin_code: match &d.item {
            Some(i) if d.access.can_organise => super::checkin_code_for(&e, i.occ.original),
            _ => String::new(),
        },
        i_attended: d.i_attended,
        check_in_open: d.item.as_ref().is_some_and(|i| super::check_in_open(i, now)),
        attendance_open: d.item.as_ref().is_some_and(|i| super::attendance_open(i, now)),
        former_attended: d.former_attended,
        // "Who attended" once there can be anyone: from when attendance opens.
        message_draft: (draft.0.to_owned(), draft.1.to_owned()),
        message_to: super::MessageTo::ALL
            .iter()
            .filter(|t| {
                **t != super::MessageTo::Attended || d.item.as_ref().is_some_and(|i| super::attendance_open(i, now))
            })
            .map(|t| (t.key(), t.label()))
            .collect(),
        hosts: d.hosts,
        suggestions: d.suggestions.into_iter().map(|(id, n, c)| (id.to_string(), n, c)).collect(),
        people,
        members: d.members.into_iter().map(|(id, n)| (id.to_string(), n)).collect(),
        agenda: d.notes.agenda,
        minutes: d.notes.minutes,
        summary: d.notes.summary,
        recording_url: d.notes.recording_url,
        feedback: d.feedback,
        feedback_average: avg,
        upcoming: d.upcoming.iter().map(|i| entry(i, tz)).collect(),
        has_occurrence: d.item.is_some(),
    })
}

#[derive(Template)]
#[template(path = "events/feedback.html")]
struct FeedbackPage {
    layout: Layout,
    /// Why there is no form: the date has not started, or the viewer did not take part.
    refused: Option<&'static str>,
    errors: Errors,
    id: String,
    at: String,
    title: String,
    when: String,
    rating: String,
    comment: String,
}

async fn feedback_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    at: DateTime<Utc>,
    errors: Errors,
    rating: String,
    comment: String,
) -> Result<Response> {
    let actor = s.actor();
    let a = super::access(state, &actor, event_id(id)?, Capability::ReadMembers).await?;
    let item = super::occurrence(state, &a.event, at).await?;
    let tz = s.tz;
    let took_part = roundtable_store::events::took_part(&state.db, a.event.id, at, actor.user_id).await?;
    render(&FeedbackPage {
        layout: Layout::for_user("Feedback", s),
        refused: if item.occ.start > Utc::now() {
            Some(super::NOT_STARTED)
        } else {
            (!took_part).then_some(super::NOT_THERE)
        },
        errors,
        id: id.to_owned(),
        at: at.timestamp_micros().to_string(),
        title: item.title().to_owned(),
        when: fmt_range(item.occ.start, item.occ.end, tz),
        rating,
        comment,
    })
}

async fn feedback_form(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Query(q): Query<AtQuery>,
) -> Result<Response> {
    let at = require_at(q.at.as_deref())?;
    feedback_page(&state, &s, &id, at, Errors::default(), String::new(), String::new()).await
}

#[derive(Deserialize, Default)]
pub(crate) struct FeedbackForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    at: String,
}

async fn feedback(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(f): Form<FeedbackForm>,
) -> Result<Response> {
    let at = require_at(Some(&f.at))?;
    match super::give_feedback(&state, &s.actor(), event_id(&id)?, at, &f.rating, &f.comment).await {
        Ok(()) => Ok(Redirect::to(&format!("/events/{id}?at={}&notice=feedback", f.at)).into_response()),
        Err(AppError::Invalid(errs)) => {
            let mut r = feedback_page(&state, &s, &id, at, Errors(errs), f.rating, f.comment).await?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

/// One date's answers and attendance as CSV, for its organisers.
async fn attendees_download(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Query(q): Query<AtQuery>,
) -> Result<Response> {
    let at = at_param(q.at.as_deref())?.ok_or(AppError::NotFound)?;
    let separator = crate::http::Separator::parse(&q.separator)?;
    let (name, header, rows) =
        super::attendee_sheet(&state, &s.actor(), &s.user.name, event_id(&id)?, at, s.tz).await?;
    Ok(crate::http::csv_attachment(&name, crate::http::csv_bytes_with(separator.byte(), &header, rows)))
}

async fn ics_download(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Query(q): Query<AtQuery>,
) -> Result<Response> {
    let (name, text) = super::occurrence_ics(&state, &s.actor(), event_id(&id)?, at_param(q.at.as_deref())?).await?;
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        text,
    )
        .into_response())
}

/// `/ical/<token>.ics`: no session, the secret token is the credential.
async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let text = super::feed_ics(&state, token).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "private, max-age=300")],
        text,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "events/feeds.html")]
struct FeedsPage {
    layout: Layout,
    new_url: String,
    /// `new_url` as `webcal://`: a tap opens the phone's or computer's calendar to subscribe.
    webcal: String,
    feeds: Vec<(String, String, String)>,
    networks: Vec<(String, String)>,
}

async fn feeds_view(state: &AppState, s: &Signed, new_url: String) -> Result<Response> {
    let actor = s.actor();
    let feeds = super::feeds(state, &actor).await?;
    let networks: Vec<(String, String)> = crate::networks::mine(state, &actor)
        .await?
        .into_iter()
        .filter(|n| n.role().is_some())
        .map(|n| (n.network.slug, n.network.name))
        .collect();
    let still_in = |slug: &str| networks.iter().any(|(s, _)| s == slug);
    render(&FeedsPage {
        layout: Layout::for_user("Calendar subscriptions", s),
        webcal: ["https://", "http://"]
            .iter()
            .find_map(|scheme| new_url.strip_prefix(scheme))
            .map(|rest| format!("webcal://{rest}"))
            .unwrap_or_default(),
        new_url,
        feeds: feeds
            .into_iter()
            .map(|f| {
                (
                    f.id.to_string(),
                    match (f.network_name, f.network_slug) {
                        (Some(name), Some(slug)) if !still_in(&slug) => {
                            format!("{name} (empty: you are no longer a member)")
                        }
                        (Some(name), _) => name,
                        _ => "My calendar".into(),
                    },
                    crate::http::day(f.created_at, s.tz),
                )
            })
            .collect(),
        networks,
    })
}

/// Carries a new feed's secret from the form's POST to the page that shows its address once
/// (POST-redirect-GET: a reload makes no second address); see `http::shown_once`.
const NEW_FEED_COOKIE: &str = "rt_new_feed";
const FEEDS_PATH: &str = "/calendar/feeds";

async fn feeds_page(State(state): State<AppState>, s: Signed, jar: CookieJar) -> Result<Response> {
    let Some(token) = jar.get(NEW_FEED_COOKIE).map(|c| c.value().to_owned()) else {
        return feeds_view(&state, &s, String::new()).await;
    };
    let url = super::new_feed_url(&state, &s.actor(), &token).await?.unwrap_or_default();
    let page = feeds_view(&state, &s, url).await?;
    Ok(crate::http::no_store(
        (jar.remove(crate::http::shown_once_removed(NEW_FEED_COOKIE, FEEDS_PATH)), page).into_response(),
    ))
}

#[derive(Deserialize, Default)]
pub(crate) struct FeedForm {
    #[serde(default)]
    network: String,
}

async fn create_feed(
    State(state): State<AppState>,
    s: Signed,
    jar: CookieJar,
    Form(f): Form<FeedForm>,
) -> Result<Response> {
    let token = super::create_feed(&state, &s.actor(), Some(f.network.as_str())).await?;
    let cookie = crate::http::shown_once(NEW_FEED_COOKIE, token, FEEDS_PATH, state.config.secure_cookies());
    Ok(crate::http::no_store((jar.add(cookie), Redirect::to(FEEDS_PATH)).into_response()))
}

async fn revoke_feed(State(state): State<AppState>, s: Signed, Path(id): Path<String>) -> Result<Response> {
    super::revoke_feed(&state, &s.actor(), event_id(&id)?).await?;
    Ok(Redirect::to("/calendar/feeds?notice=feed-revoked").into_response())
}

#[derive(Template)]
#[template(path = "events/history.html")]
struct HistoryPage {
    layout: Layout,
    rows: Vec<(String, String, String, String, &'static str)>,
}

async fn history(State(state): State<AppState>, s: Signed) -> Result<Response> {
    let actor = s.actor();
    let tz = s.tz;
    let rows = super::history(&state, &actor)
        .await?
        .into_iter()
        .map(|h| {
            (
                format!("/events/{}?at={}", h.event_id, h.occurrence_at.timestamp_micros()),
                h.title,
                h.network_name,
                {
                    let t = h.occurrence_at.with_timezone(&tz);
                    format!("{} {}", t.format("%a %-d %b %Y, %H:%M"), zone_name(&t))
                },
                if h.method == "code" { "Checked in with the code" } else { "Marked by an organiser" },
            )
        })
        .collect();
    render(&HistoryPage { layout: Layout::for_user("My attendance", &s), rows })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    #[test]
    fn times_name_their_zone_readably() {
        let start = chrono::Utc.with_ymd_and_hms(2026, 12, 3, 12, 30, 0).single().unwrap_or_default();
        let end = start + chrono::Duration::hours(1);
        let shown = |tz: chrono_tz::Tz| super::fmt_range(start, end, tz);
        assert_eq!(shown(chrono_tz::Europe::London), "Thu 3 Dec 2026, 12:30–13:30 GMT");
        assert_eq!(shown(chrono_tz::America::Sao_Paulo), "Thu 3 Dec 2026, 09:30–10:30 UTC-03");
        assert_eq!(shown(chrono_tz::Asia::Singapore), "Thu 3 Dec 2026, 20:30–21:30 UTC+08");
    }

    #[test]
    fn a_stored_rule_edits_as_the_choice_it_was_made_with() {
        let tuesday = chrono::NaiveDate::from_ymd_opt(2027, 3, 9).unwrap_or_default(); // a second Tuesday
        let choice = |rrule: &str| super::repeat_choice(rrule, tuesday);
        assert_eq!(choice(""), "none");
        assert_eq!(choice("FREQ=WEEKLY"), "weekly");
        assert_eq!(choice("FREQ=WEEKLY;UNTIL=20271231T235959Z"), "weekly", "its end has its own field");
        assert_eq!(choice("FREQ=MONTHLY;BYDAY=2TU"), "monthly_nth");
        assert_eq!(choice("FREQ=MONTHLY;BYDAY=-1TU"), "monthly_last");
        assert_eq!(choice("FREQ=WEEKLY;COUNT=5"), "custom", "only the custom rule keeps a count");
        assert_eq!(choice("FREQ=WEEKLY;INTERVAL=2"), "custom");
        assert_eq!(choice("FREQ=MONTHLY;BYDAY=3TU"), "custom", "not this date's position");
    }

    #[test]
    fn ordinals_read_as_spoken() {
        let said: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].into_iter().map(super::ordinal).collect();
        assert_eq!(said, ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]);
    }
}
