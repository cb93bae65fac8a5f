//! Events and the shared calendar: create, edit and cancel events (one occurrence, this and all
//! following, or the whole series), RSVPs with capacity and a waiting list that promotes by
//! itself, check-in, notes, the rotating host, feedback, reminders and iCalendar feeds.
//!
//! Who may do what: members of the network (and everyone signed in, for whole-organisation
//! events of networks that are not invitation-only) read events, answer and check in;
//! organisers (`Capability::Organise`) create, edit, cancel, mark attendance and read feedback.
//! Every use case asks `policy::require` first.
//! Owns the `events` tables; never touches membership or profile data.

pub mod api;
pub mod ics;
pub mod pages;

use crate::http::{AppError, Result};
use crate::mail::{self, Email as Mail};
use crate::networks::{self as nets, Seen};
use crate::security::{random_token, token_hash};
use crate::state::AppState;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use roundtable_domain::error::gather;
use roundtable_domain::events::{
    Audience, EventKind, LocationMode, Occurrence, Rsvp, Rule, Series, parse_time_zone, rank_hosts, span,
};
use roundtable_domain::{Actor, Capability, FieldError, LongText, MembershipStatus, NetworkId, UserId, Visibility};
use roundtable_store::events::{self as store, Event, EventFields, Exception};
use roundtable_store::{Tx, audit, networks};
use std::sync::Arc;
use uuid::Uuid;

/// One occurrence to show, with its event.
#[derive(Debug, Clone)]
pub struct Item {
    pub event: Arc<Event>,
    pub occ: Occurrence,
    pub cancelled: bool,
    pub title_override: Option<String>,
}

impl Item {
    pub fn title(&self) -> &str {
        self.title_override.as_deref().unwrap_or(&self.event.title)
    }
}

fn tz_of(e: &Event) -> Tz {
    e.time_zone.parse().unwrap_or(Tz::UTC)
}

/// The series behind a stored event.
pub fn series(e: &Event) -> Series {
    let local_start = NaiveDateTime::parse_from_str(&e.local_start, "%Y-%m-%dT%H:%M")
        .unwrap_or_else(|_| e.starts_at.with_timezone(&tz_of(e)).naive_local());
    Series {
        tz: tz_of(e),
        local_start,
        duration: Duration::minutes(e.duration_minutes),
        rule: if e.rrule.is_empty() { None } else { Rule::parse(&e.rrule).ok() },
    }
}

/// Occurrences of `e` overlapping `[from, to)`, with exceptions applied.
pub fn expand(e: &Arc<Event>, exceptions: &[Exception], from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Item> {
    series(e)
        .between(from, to, 1000)
        .into_iter()
        .map(|occ| {
            let x = exceptions.iter().find(|x| x.occurrence_at == occ.original);
            let occ = match x.and_then(|x| x.starts_at.zip(x.ends_at)) {
                Some((s, end)) => Occurrence { original: occ.original, start: s, end },
                None => occ,
            };
            Item {
                event: e.clone(),
                occ,
                cancelled: e.cancelled || x.is_some_and(|x| x.cancelled),
                title_override: x.and_then(|x| x.title.clone()),
            }
        })
        .collect()
}

async fn expand_all(state: &AppState, events: Vec<Event>, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Item>> {
    let mut items = Vec::new();
    for e in events {
        let e = Arc::new(e);
        let xs = if e.rrule.is_empty() { Vec::new() } else { store::exceptions(&state.db, e.id).await? };
        items.extend(expand(&e, &xs, from, to));
    }
    items.sort_by(|a, b| a.occ.start.cmp(&b.occ.start).then_with(|| a.event.id.cmp(&b.event.id)));
    Ok(items)
}

/// An event with the actor's standing in its network.
pub struct Access {
    pub event: Arc<Event>,
    pub seen: Seen,
    pub can_organise: bool,
}

/// Whether everyone signed in may read `e`, without the network's access check: a
/// whole-organisation event of a network outsiders may know of. An invitation-only network must
/// stay invisible to outsiders, so its events are for members whatever their audience says
/// (`networks::update` narrows them when a network becomes invitation-only; this holds even if
/// one slips through).
fn open_to_all(e: &Event, visibility: Visibility) -> bool {
    e.audience == Audience::Organisation && visibility != Visibility::InvitationOnly
}

/// Loads an event the actor may read (or organise, with `Capability::Organise`).
pub async fn access(state: &AppState, actor: &Actor, id: Uuid, cap: Capability) -> Result<Access> {
    let event = store::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let network = networks::by_id(&state.db, event.network_id).await?.ok_or(AppError::NotFound)?;
    let membership = networks::membership(&state.db, network.id, actor.user_id).await?;
    let seen = Seen { network, membership };
    if !(cap == Capability::ReadMembers && open_to_all(&event, seen.network.visibility)) {
        nets::authorise(state, actor, &seen, cap).await?;
    }
    let can_organise = seen.can(actor, Capability::Organise);
    Ok(Access { event: Arc::new(event), seen, can_organise })
}

/// The viewer's time zone (from their profile), UTC when unset or unknown.
pub async fn viewer_tz(state: &AppState, actor: &Actor) -> Result<Tz> {
    Ok(store::user_time_zone(&state.db, actor.user_id).await?.parse().unwrap_or(Tz::UTC))
}

/// Calendar filters.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<EventKind>,
    pub network: Option<String>,
}

fn keep(f: &Filter, i: &Item) -> bool {
    f.kind.is_none_or(|k| i.event.kind == k) && f.network.as_deref().is_none_or(|n| i.event.network_slug == n)
}

/// A network's occurrences in `[from, to)`: all of them for its members, and for anyone else
/// who may see the network its whole-organisation events — those each event's own page and the
/// organisation's calendar show them anyway.
pub async fn network_calendar(
    state: &AppState,
    actor: &Actor,
    slug: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    f: &Filter,
) -> Result<(Seen, Vec<Item>)> {
    let snapshot = state.snapshot().await?;
    let seen = nets::load_in(&snapshot, actor, slug, Capability::SeeNetwork)?;
    let outsider = match nets::authorise_in(&snapshot, actor, &seen, Capability::ReadMembers) {
        Ok(()) => false,
        // A member who has a charter to accept is sent to it, as by the network's other pages.
        Err(AppError::Forbidden(_)) if seen.status() != Some(MembershipStatus::Active) => true,
        Err(e) => return Err(e),
    };
    drop(snapshot);
    let mut events = store::in_network(&state.db, seen.network.id, from, to).await?;
    if outsider {
        events.retain(|e| open_to_all(e, seen.network.visibility));
    }
    let items = expand_all(state, events, from, to).await?.into_iter().filter(|i| keep(f, i)).collect();
    Ok((seen, items))
}

/// The actor's own answers to the dates in `items` (by event and date key), to show beside them.
/// A moved date keeps its original key, so the window is widened by a year each side.
pub async fn my_answers(
    state: &AppState,
    actor: &Actor,
    items: &[Item],
) -> Result<std::collections::HashMap<(Uuid, DateTime<Utc>), Rsvp>> {
    let (Some(first), Some(last)) =
        (items.iter().map(|i| i.occ.original).min(), items.iter().map(|i| i.occ.original).max())
    else {
        return Ok(Default::default());
    };
    let year = chrono::Duration::days(366);
    let answers = store::answers_between(&state.db, actor.user_id, first - year, last + year).await?;
    Ok(answers.into_iter().map(|(event, at, answer)| ((event, at), answer)).collect())
}

/// The actor's calendar: their networks' events and whole-organisation events.
pub async fn my_calendar(
    state: &AppState,
    actor: &Actor,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    f: &Filter,
) -> Result<Vec<Item>> {
    let events = readable(state, actor, store::for_person(&state.db, actor.user_id, from, to).await?).await?;
    Ok(expand_all(state, events, from, to).await?.into_iter().filter(|i| keep(f, i)).collect())
}

/// The events of `events` the actor may read, as `access` decides: `store::for_person` finds
/// the person's networks' events by membership alone, so a member who has not accepted the
/// network's current charter would otherwise see its members' events (and where they are).
async fn readable(state: &AppState, actor: &Actor, events: Vec<Event>) -> Result<Vec<Event>> {
    let snapshot = state.snapshot().await?;
    Ok(events
        .into_iter()
        .filter(|e| {
            let Some(network) = snapshot.network_by_id(e.network_id) else { return false };
            open_to_all(e, network.visibility) || {
                let seen =
                    Seen { network: network.clone(), membership: snapshot.membership(network.id, actor.user_id) };
                nets::authorise_in(&snapshot, actor, &seen, Capability::ReadMembers).is_ok()
            }
        })
        .collect())
}

/// The raw form of an event, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct EventInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub time_zone: String,
    /// `YYYY-MM-DDTHH:MM`, local to `time_zone`.
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    /// `none`, `weekly`, `monthly_nth`, `monthly_last` or `custom`.
    #[serde(default)]
    pub repeat: String,
    #[serde(default)]
    pub rrule: String,
    /// `YYYY-MM-DD`, the last date of the series.
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub location_mode: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub online_url: String,
    #[serde(default)]
    pub capacity: String,
    #[serde(default)]
    pub rsvp_close_hours: String,
    #[serde(default)]
    pub audience: String,
    #[serde(default)]
    pub reminder_hours: String,
    #[serde(default)]
    pub host: String,
    /// On a new event: email the network's members about it (a checkbox: any value but empty).
    #[serde(default)]
    pub announce: String,
}

struct Parsed {
    fields: EventFields,
    host: Option<UserId>,
}

fn parse_local(field: &'static str, raw: &str, label: &str) -> Result<NaiveDateTime, FieldError> {
    let s = raw.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| FieldError::new(field, format!("Enter the {label} as a date and time, e.g. 2027-01-12 12:00.")))
}

fn parse_number(field: &'static str, raw: &str, min: i64, max: i64, label: &str) -> Result<Option<i64>, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>().ok().filter(|n| (min..=max).contains(n)).map(Some).ok_or_else(|| {
        FieldError::new(field, format!("Enter {label} as a whole number from {min} to {max}, or leave it empty."))
    })
}

fn parse_url(raw: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    let ok =
        (s.starts_with("https://") || s.starts_with("http://")) && s.len() <= 500 && !s.contains(char::is_whitespace);
    if ok {
        Ok(s.to_owned())
    } else {
        Err(FieldError::new("online_url", "Enter the meeting link, starting with https://."))
    }
}

fn parse_event(input: &EventInput) -> Result<Parsed> {
    let mut errs = Vec::new();
    let kind = gather(
        &mut errs,
        EventKind::parse(&input.kind).ok_or_else(|| FieldError::new("kind", "Choose what kind of event this is.")),
    );
    // A title and a place are one line in every calendar and subject line: no line breaks, and
    // nothing that reverses or hides the text around it.
    let one_line_breaker = roundtable_domain::breaks_one_line;
    let title = input.title.trim().to_owned();
    let title = gather(
        &mut errs,
        if title.is_empty() {
            Err(FieldError::new("title", "Enter a title."))
        } else if title.chars().count() > 150 || one_line_breaker(&title) {
            Err(FieldError::new("title", "Use at most 150 characters, on one line, for the title."))
        } else {
            Ok(title)
        },
    );
    let theme = gather(&mut errs, LongText::parse("theme", &input.theme.replace('\n', " "), 150));
    let description = gather(&mut errs, LongText::parse("description", &input.description, 10_000));
    let tz = gather(&mut errs, parse_time_zone("time_zone", &input.time_zone));
    let start = gather(&mut errs, parse_local("start", &input.start, "start"));
    // A year typed wrong (1970, 2207) would file the event where no calendar view reaches it;
    // a series that began years ago still edits.
    let this_year = Utc::now().year();
    let start = start.filter(|s| {
        let sane = (2000..=this_year + 10).contains(&s.year());
        if !sane {
            let why = format!("Check the year: {} is out of range (from 2000 to {}).", s.year(), this_year + 10);
            errs.push(FieldError::new("start", why));
        }
        sane
    });
    let end = gather(&mut errs, parse_local("end", &input.end, "end"));
    // A time the clocks skip (01:30 on the night they go forward) would be shown an hour later
    // than typed: said, so the organiser chooses.
    let errors_before_clocks = errs.len();
    if let Some(tz) = tz {
        for (field, local) in [("start", start), ("end", end)] {
            if let Some(local) = local
                && matches!(tz.from_local_datetime(&local), chrono::LocalResult::None)
            {
                errs.push(FieldError::new(
                    field,
                    format!(
                        "{} on {} does not exist in {tz}: the clocks go forward then. Choose a time before or after the change.",
                        local.format("%H:%M"),
                        local.format("%-d %b %Y")
                    ),
                ));
            }
        }
    }
    let duration = match (start, end) {
        (Some(s), Some(e)) if e <= s => {
            gather(&mut errs, Err(FieldError::new("end", "The end must be after the start.")))
        }
        (Some(s), Some(e)) if e - s > Duration::days(14) => {
            gather(&mut errs, Err(FieldError::new("end", "An event can last at most 14 days.")))
        }
        // As long as the clocks say, but for a night they change (`span`).
        (Some(s), Some(e)) => match tz.and_then(|tz| span(tz, s, e)) {
            Some(d) => Some(d),
            // A time the clocks skip was said above; the end is not at fault for it.
            None if tz.is_none() || errs.len() > errors_before_clocks => None,
            None => gather(&mut errs, Err(FieldError::new("end", "The end must be after the start."))),
        },
        _ => None,
    };
    let until = if input.until.trim().is_empty() {
        Some(None)
    } else {
        gather(
            &mut errs,
            NaiveDate::parse_from_str(input.until.trim(), "%Y-%m-%d")
                .map(Some)
                .map_err(|_| FieldError::new("until", "Enter the last date like 2027-12-31.")),
        )
    };
    let rule = match (input.repeat.as_str(), start) {
        ("" | "none", _) => Some(None),
        ("weekly", Some(_)) => Some(Some(Rule::weekly())),
        ("monthly_nth", Some(s)) => Some(Some(Rule::monthly_nth(s.date()))),
        ("monthly_last", Some(s)) => Some(Some(Rule::monthly_last(s.date()))),
        ("custom", _) => gather(&mut errs, Rule::parse(&input.rrule).map(Some)),
        (_, None) => None,
        _ => gather(&mut errs, Err(FieldError::new("repeat", "Choose how often the event repeats."))),
    };
    let rule = match (rule, until) {
        (Some(Some(mut r)), Some(Some(u))) => {
            if start.is_some_and(|s| u < s.date()) {
                errs.push(FieldError::new("until", "The last date must be on or after the start."));
            }
            r.count = None;
            r.until = Some(u);
            Some(Some(r))
        }
        (r, _) => r,
    };
    let mode = gather(
        &mut errs,
        LocationMode::parse(&input.location_mode)
            .ok_or_else(|| FieldError::new("location_mode", "Choose in person, online or hybrid.")),
    );
    let place = input.place.trim().to_owned();
    if matches!(mode, Some(LocationMode::InPerson | LocationMode::Hybrid)) && place.is_empty() {
        gather(&mut errs, Err::<(), _>(FieldError::new("place", "Enter where people meet.")));
    }
    if place.chars().count() > 300 || one_line_breaker(&place) {
        let message = "Use at most 300 characters, on one line, for the place.";
        gather(&mut errs, Err::<(), _>(FieldError::new("place", message)));
    }
    let online_url =
        if matches!(mode, Some(LocationMode::Online | LocationMode::Hybrid)) || !input.online_url.trim().is_empty() {
            gather(&mut errs, parse_url(&input.online_url))
        } else {
            Some(String::new())
        };
    let capacity = gather(&mut errs, parse_number("capacity", &input.capacity, 1, 100_000, "the number of places"));
    let close = gather(
        &mut errs,
        parse_number("rsvp_close_hours", &input.rsvp_close_hours, 0, 720, "the hours before the start"),
    );
    // Reminders are deduplicated through the job queue, whose finished keys are kept 7 days.
    let reminder =
        gather(&mut errs, parse_number("reminder_hours", &input.reminder_hours, 0, 48, "the reminder time in hours"));
    let audience = gather(
        &mut errs,
        Audience::parse(if input.audience.is_empty() { "network" } else { &input.audience })
            .ok_or_else(|| FieldError::new("audience", "Choose who the event is for.")),
    );
    let host = if input.host.trim().is_empty() {
        Some(None)
    } else {
        gather(
            &mut errs,
            UserId::parse(input.host.trim())
                .map(Some)
                .ok_or_else(|| FieldError::new("host", "Choose a host from the list.")),
        )
    };
    let (
        Some(kind),
        Some(title),
        Some(theme),
        Some(description),
        Some(tz),
        Some(start),
        Some(duration),
        Some(rule),
        Some(mode),
        Some(online_url),
        Some(capacity),
        Some(close),
        Some(reminder),
        Some(audience),
        Some(host),
        true,
    ) = (
        kind,
        title,
        theme,
        description,
        tz,
        start,
        duration,
        rule,
        mode,
        online_url,
        capacity,
        close,
        reminder,
        audience,
        host,
        errs.is_empty(),
    )
    else {
        return Err(AppError::Invalid(errs));
    };
    let s = Series { tz, local_start: start, duration, rule: rule.clone() };
    let Some(first) = s.first() else {
        return Err(AppError::Invalid(vec![FieldError::new(
            "rrule",
            "This rule gives no dates; check the start and the last date.",
        )]));
    };
    Ok(Parsed {
        fields: EventFields {
            kind,
            title,
            theme: theme.as_str().to_owned(),
            description: description.as_str().to_owned(),
            time_zone: tz.name().to_owned(),
            local_start: start.format("%Y-%m-%dT%H:%M").to_string(),
            duration_minutes: duration.num_minutes(),
            starts_at: first.start,
            last_ends_at: s.last_end(),
            rrule: rule.map(|r| r.to_rrule()).unwrap_or_default(),
            location_mode: mode,
            place,
            online_url,
            capacity,
            rsvp_close_minutes: close.map(|h| h * 60),
            audience,
            reminder_minutes: reminder.unwrap_or(0) * 60,
        },
        host,
    })
}

async fn record(
    tx: &mut Tx,
    actor: &Actor,
    actor_name: &str,
    action: &str,
    network: NetworkId,
    subject: &str,
    detail: &str,
) -> Result<()> {
    audit::record(
        tx,
        &audit::NewEntry {
            actor_id: Some(actor.user_id),
            actor_name,
            action,
            network_id: Some(network),
            subject,
            detail,
        },
        Utc::now(),
    )
    .await?;
    Ok(())
}

/// The characters of check-in codes: no look-alikes (0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A short code shown at the event for self check-in.
fn checkin_code() -> String {
    random_token().bytes().take(6).map(|b| CODE_ALPHABET[usize::from(b) % CODE_ALPHABET.len()] as char).collect()
}

/// The self check-in code of one date: a one-off event's own code; for a series, one derived
/// from the series' secret code and the date, so the code shown at one meeting does not check
/// anyone in to the next from home.
pub fn checkin_code_for(e: &Event, at: DateTime<Utc>) -> String {
    if e.rrule.is_empty() {
        return e.checkin_code.clone();
    }
    let digest = hex::decode(token_hash(&format!("{}:{}", e.checkin_code, at.timestamp_micros()))).unwrap_or_default();
    digest.iter().take(6).map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char).collect()
}

/// An invitation-only network must stay invisible to outsiders, so its events are for members.
fn check_audience(seen: &Seen, p: &Parsed) -> Result<()> {
    if p.fields.audience == Audience::Organisation && seen.network.visibility == Visibility::InvitationOnly {
        return Err(AppError::Invalid(vec![FieldError::new(
            "audience",
            "This network is by invitation only, so its events are for its members. Choose “Members of this network”.",
        )]));
    }
    Ok(())
}

async fn check_host(state: &AppState, network: NetworkId, host: Option<UserId>) -> Result<()> {
    if let Some(h) = host {
        let m = networks::membership(&state.db, network, h).await?;
        if !m.is_some_and(|m| m.status == roundtable_domain::MembershipStatus::Active) {
            return Err(AppError::Invalid(vec![FieldError::new("host", "The host must be a member of the network.")]));
        }
    }
    Ok(())
}

/// Creates an event in a network (organisers).
pub async fn create(state: &AppState, actor: &Actor, actor_name: &str, slug: &str, input: &EventInput) -> Result<Uuid> {
    let seen = nets::load(state, actor, slug, Capability::Organise).await?;
    let p = parse_event(input)?;
    check_audience(&seen, &p)?;
    check_host(state, seen.network.id, p.host).await?;
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let id = store::insert(&mut tx, seen.network.id, &p.fields, 0, &checkin_code(), actor.user_id, now).await?;
    if let Some(h) = p.host {
        store::add_host(&mut tx, id, seen.network.id, 0, h).await?;
    }
    record(&mut tx, actor, actor_name, "event.created", seen.network.id, &p.fields.title, p.fields.kind.as_str())
        .await?;
    if !input.announce.trim().is_empty() {
        let e = Arc::new(store::by_id_tx(&mut tx, id).await?.ok_or(AppError::NotFound)?);
        announce(state, &mut tx, &seen, &e, actor, now).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Emails each active member of the network but the organiser about a new event: what, when
/// (on each one's clock), where, and the link to answer. Queued with the event, so the mail goes
/// if and only if the event was created.
async fn announce(
    state: &AppState,
    tx: &mut Tx,
    seen: &Seen,
    e: &Arc<Event>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(first) = expand(e, &[], e.starts_at, e.starts_at + Duration::seconds(1)).into_iter().next() else {
        return Ok(());
    };
    let about = crate::members::markdown_text(&e.description);
    let about: String = about.chars().take(600).collect();
    let repeats = Rule::parse(&e.rrule).map(|r| r.describe()).unwrap_or_default();
    // One read for everyone (a network of 300 was 300 reads inside the writing transaction).
    let members = store::network_recipients(tx, seen.network.id).await?;
    let reply_to = mail::reply_address(&state.db, actor.user_id).await?;
    for to in members.iter().filter(|m| m.id != actor.user_id) {
        let mut paragraphs =
            vec![format!("{} has a new event: {}, on {}.", seen.network.name, e.title, when(&first, &to.time_zone))];
        if !repeats.is_empty() {
            paragraphs.push(format!("{repeats}."));
        }
        paragraphs.push(where_text(e));
        if !about.trim().is_empty() {
            paragraphs.push(about.clone());
        }
        let m = Mail {
            to: &to.email,
            subject: format!("New event in {}: {}", seen.network.name, e.title),
            paragraphs,
            action: Some(("See the event and answer", event_url(state, &first))),
            reply_to: reply_to.as_deref(),
        };
        let key = format!("event-announced:{}:{}", e.id, to.id);
        mail::queue_with_ics(tx, &m, None, Some(key), now).await?;
    }
    Ok(())
}

/// What an edit or cancellation applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    One(DateTime<Utc>),
    Following(DateTime<Utc>),
}

impl Scope {
    pub fn parse(scope: &str, at: Option<i64>) -> Result<Scope> {
        let at = || at.and_then(DateTime::from_timestamp_micros).ok_or(AppError::NotFound);
        Ok(match scope {
            "one" => Scope::One(at()?),
            "following" => Scope::Following(at()?),
            _ => Scope::All,
        })
    }
}

/// The occurrence of `e` that originally started at `at`.
pub async fn occurrence(state: &AppState, e: &Arc<Event>, at: DateTime<Utc>) -> Result<Item> {
    let xs = if e.rrule.is_empty() { Vec::new() } else { store::exceptions(&state.db, e.id).await? };
    let s = series(e);
    let occ = s.find(at).ok_or(AppError::NotFound)?;
    expand(e, &xs, occ.original, occ.original + Duration::seconds(1))
        .into_iter()
        .find(|i| i.occ.original == at)
        .ok_or(AppError::NotFound)
}

/// Where a link to a date `e` no longer has should lead (an emailed "open the event" after the
/// series was re-timed or the date moved): the key of the event's date nearest to `at` within
/// two days either side, if any. None when the dates around it are gone (cancelled from a date
/// on, the rule changed): the event page itself is the answer then.
pub async fn moved_date(state: &AppState, actor: &Actor, id: Uuid, at: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
    let e = access(state, actor, id, Capability::ReadMembers).await?.event;
    let xs = if e.rrule.is_empty() { Vec::new() } else { store::exceptions(&state.db, e.id).await? };
    let near = Duration::days(2);
    Ok(expand(&e, &xs, at - near, at + near)
        .into_iter()
        .min_by_key(|i| (i.occ.start - at).abs())
        .map(|i| i.occ.original))
}

/// The next occurrence not yet ended (or the last one), for the event page.
pub async fn default_occurrence(state: &AppState, e: &Arc<Event>) -> Result<Option<Item>> {
    let xs = if e.rrule.is_empty() { Vec::new() } else { store::exceptions(&state.db, e.id).await? };
    let now = Utc::now();
    // The next date that takes place; a cancelled one only when every date to come is.
    let upcoming = expand(e, &xs, now, now + Duration::days(800));
    if let Some(i) = upcoming.iter().find(|i| !i.cancelled).or(upcoming.first()) {
        return Ok(Some(i.clone()));
    }
    Ok(expand(e, &xs, e.starts_at, e.last_ends_at.unwrap_or(now) + Duration::seconds(1)).into_iter().last())
}

/// An occurrence's time for an email to someone whose profile gives `zone`: on their clock,
/// with the event's own after it when that differs (for a room, the time where it is held is
/// what the invitation says). The default zone (UTC) counts as none chosen, as most people
/// never set one: they are given the event's time as it stands.
fn when(item: &Item, zone: &str) -> String {
    let held = tz_of(&item.event);
    let range = |tz| pages::fmt_range(item.occ.start, item.occ.end, tz);
    match zone.parse::<Tz>() {
        Ok(theirs) if theirs != Tz::UTC && theirs != held => {
            let (mine, there) = (range(theirs), range(held));
            // The same day both sides: the day once ("…, 07:00–08:00 EST (12:00–13:00 GMT …)").
            let there = match (mine.split_once(", "), there.split_once(", ")) {
                (Some((day, _)), Some((same, times))) if day == same && !times.contains(" – ") => times.to_owned(),
                _ => there,
            };
            format!("{mine} ({there} where it is held)")
        }
        _ => range(held),
    }
}

/// What happened to a date, for `notify`.
#[derive(Clone, Copy)]
enum Change<'a> {
    /// It changed; `was` is the date before, where known: the mail says its time, title and
    /// place, so no one has to remember what their calendar said.
    Updated { was: Option<&'a Item> },
    /// It is called off; `reason` is the organiser's word to attendees (may be empty), and
    /// replies go to `reply_to`, the organiser who cancelled it.
    Cancelled { reason: &'a str, reply_to: Option<&'a str> },
}

impl Change<'_> {
    /// A date withdrawn from a calendar as part of another change (a series split or re-ruled).
    const CANCELLED: Change<'static> = Change::Cancelled { reason: "", reply_to: None };
}

/// Emails `people` about a change or cancellation of `item`, with the matching iCalendar part.
async fn notify(
    state: &AppState,
    tx: &mut Tx,
    item: &Item,
    change: Change<'_>,
    people: &[store::Recipient],
    now: DateTime<Utc>,
) -> Result<()> {
    let method = match change {
        Change::Updated { .. } => ics::Method::Request,
        Change::Cancelled { .. } => ics::Method::Cancel,
    };
    // Those going to this occurrence keep it as accepted; a "maybe" or a place on the waiting
    // list stays tentative in their calendar.
    let going: Vec<UserId> =
        store::going_at(tx, item.event.id, item.occ.original).await?.into_iter().map(|r| r.id).collect();
    for store::Recipient { id, email, name, time_zone } in people {
        let (subject, mut paragraphs) = match change {
            Change::Cancelled { reason, .. } => {
                let mut p = vec![format!("{} on {} has been cancelled.", item.title(), when(item, time_zone))];
                if !reason.is_empty() {
                    p.push(format!("The organisers say: {reason}"));
                }
                (format!("Cancelled: {}", item.title()), p)
            }
            Change::Updated { was } => (format!("Updated: {}", item.title()), what_changed(item, was, time_zone)),
        };
        let attendee = ics::Attendee { email, name, going: going.contains(id) };
        let ics = ics::invitation(method, item, Some(attendee), &organiser(state), Some(&state.config.public_url()));
        paragraphs.push("Your calendar entry is attached and will update itself.".into());
        let reply_to = match change {
            Change::Cancelled { reply_to, .. } => reply_to,
            Change::Updated { .. } => None,
        };
        let m =
            Mail { to: email, subject, paragraphs, action: Some(("Open the event", event_url(state, item))), reply_to };
        mail::queue_with_ics(tx, &m, Some(&ics), None, now).await?;
    }
    Ok(())
}

/// An "Updated" mail's words: when the date is now (and was, if it moved), the name it had,
/// and where it is (marked when that changed).
fn what_changed(item: &Item, was: Option<&Item>, zone: &str) -> Vec<String> {
    let moved = was.filter(|w| (w.occ.start, w.occ.end) != (item.occ.start, item.occ.end));
    let mut out = vec![match moved {
        Some(w) => {
            format!("{} has moved. It is now on {}. It was on {}.", item.title(), when(item, zone), when(w, zone))
        }
        None => format!("{} has changed. It is on {}.", item.title(), when(item, zone)),
    }];
    if let Some(w) = was.filter(|w| w.title() != item.title()) {
        out.push(format!("It was called “{}”.", w.title()));
    }
    out.push(where_text(&item.event));
    if let Some(before) = was.map(|w| where_text(&w.event)).filter(|b| *b != where_text(&item.event)) {
        out.push(format!("Before the change — {before}"));
    }
    out
}

/// The address calendar programs show as the organiser: the bare address of `mail_from`.
fn organiser(state: &AppState) -> String {
    let from = &state.config.mail_from;
    from.parse::<lettre::message::Mailbox>().map(|m| m.email.to_string()).unwrap_or_else(|_| from.clone())
}

fn event_url(state: &AppState, item: &Item) -> String {
    format!("{}/events/{}?at={}", state.config.public_url(), item.event.id, item.occ.original.timestamp_micros())
}

/// Edits an event: the whole series, one occurrence, or this and all following.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    id: Uuid,
    scope: Scope,
    input: &EventInput,
) -> Result<Uuid> {
    let a = access(state, actor, id, Capability::Organise).await?;
    let p = parse_event(input)?;
    check_audience(&a.seen, &p)?;
    check_host(state, a.seen.network.id, p.host).await?;
    let now = Utc::now();
    let e = a.event.clone();
    let mut tx = state.db.begin().await?;
    // First, so that no answer comes in between what is read below and the change.
    if !store::lock_event(&mut tx, state.db.dialect(), id).await? {
        return Err(AppError::NotFound);
    }
    let target = match scope {
        Scope::One(at) => {
            let item = occurrence(state, &e, at).await?;
            // A date still to come moved into the past would be mailed to everyone as a move
            // and leave the list of dates to come (a year or day typed wrong).
            if item.occ.start >= now && p.fields.starts_at < now {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "start",
                    "This date is still to come: choose a time that has not passed yet. Nothing was changed.",
                )]));
            }
            let x = Exception {
                occurrence_at: at,
                cancelled: false,
                starts_at: Some(p.fields.starts_at),
                ends_at: Some(p.fields.starts_at + Duration::minutes(p.fields.duration_minutes)),
                title: (p.fields.title != e.title).then(|| p.fields.title.clone()),
            };
            store::upsert_exception(&mut tx, id, e.network_id, &x, now).await?;
            store::set_rule_end(&mut tx, id, &e.rrule, e.last_ends_at, now).await?; // raises SEQUENCE
            let fresh = Arc::new(store::by_id_tx(&mut tx, id).await?.ok_or(AppError::NotFound)?);
            let moved = Item {
                event: fresh,
                occ: Occurrence {
                    original: at,
                    start: x.starts_at.unwrap_or(item.occ.start),
                    end: x.ends_at.unwrap_or(item.occ.end),
                },
                cancelled: false,
                title_override: x.title.clone(),
            };
            let people = store::answered_at(&mut tx, id, at).await?;
            notify(state, &mut tx, &moved, Change::Updated { was: Some(&item) }, &people, now).await?;
            id
        }
        Scope::Following(at) if at > e.starts_at && !e.rrule.is_empty() => {
            // End the old series the day before, and start a new one from the edited fields.
            let item = occurrence(state, &e, at).await?;
            let mut old_rule = Rule::parse(&e.rrule).map_err(|f| AppError::Invalid(vec![f]))?;
            let day_before = item.occ.original.with_timezone(&tz_of(&e)).date_naive() - Duration::days(1);
            old_rule.count = None;
            old_rule.until = Some(day_before);
            let old_series = Series { rule: Some(old_rule.clone()), ..series(&e) };
            store::set_rule_end(&mut tx, id, &old_rule.to_rrule(), old_series.last_end(), now).await?;
            let new_id =
                store::insert(&mut tx, e.network_id, &p.fields, 0, &e.checkin_code, actor.user_id, now).await?;
            if let Some(h) = p.host {
                store::add_host(&mut tx, new_id, e.network_id, 0, h).await?;
            }
            // Each answer from here on moves to the new series, nth date to nth date (as a
            // re-timed series' answers do), its place or waiting turn with it: the old date is
            // withdrawn from the person's calendar (CANCEL) and the new one sent (REQUEST). An
            // answer to a date the new series does not reach is withdrawn; someone the new series
            // leaves out (for members only) is told so.
            let old = Arc::new(store::by_id_tx(&mut tx, id).await?.ok_or(AppError::NotFound)?);
            let fresh = Arc::new(store::by_id_tx(&mut tx, new_id).await?.ok_or(AppError::NotFound)?);
            let far = at + Duration::days(3660);
            let old_dates: Vec<_> = series(&e).between(at, far, 1000).into_iter().map(|o| o.original).collect();
            let new_dates: Vec<_> =
                series(&fresh).between(fresh.starts_at, far, 1000).into_iter().map(|o| o.original).collect();
            let mut left_out = Vec::new();
            for (person, old_at) in store::answers_from(&mut tx, id, at).await? {
                if !store::may_attend(&mut tx, new_id, person.id).await? {
                    if !left_out.iter().any(|p: &store::Recipient| p.id == person.id) {
                        left_out.push(person);
                    }
                    continue;
                }
                let was = entry_to_withdraw(state, &e, &old, old_at).await?;
                if let Some(was) = &was {
                    notify(state, &mut tx, was, Change::CANCELLED, std::slice::from_ref(&person), now).await?;
                }
                let to = old_dates.iter().position(|d| *d == old_at).and_then(|i| new_dates.get(i).copied());
                match to.and_then(|to| expand(&fresh, &[], to, to + Duration::seconds(1)).into_iter().next()) {
                    Some(item) => {
                        store::move_answer(&mut tx, (id, old_at), person.id, (new_id, item.occ.original)).await?;
                        let who = std::slice::from_ref(&person);
                        notify(state, &mut tx, &item, Change::Updated { was: was.as_ref() }, who, now).await?;
                    }
                    None => {
                        store::withdraw_answer(&mut tx, id, old_at, person.id).await?;
                    }
                }
            }
            let old_item = Item { event: old, ..item };
            for person in &left_out {
                left_out_mail(state, &mut tx, &a.seen, &old_item, person, now).await?;
                store::withdraw_answers_from(&mut tx, id, person.id, at).await?;
            }
            // The waiting lists came along; places the new series has to spare (more of them,
            // or those of people it left out) go to the first waiting, as on any edit.
            promote_on_dates_to_come(state, &mut tx, &fresh, now).await?;
            new_id
        }
        _ => {
            // Who may attend with an answer: an event narrowed to the network's members leaves
            // out those who are not, and they must hear so (below). (Members with a charter to
            // accept keep their place: they may attend once they have.)
            let attending_before = store::answered_may_attend_from(&mut tx, id, now).await?;
            store::update(&mut tx, id, &p.fields, now).await?;
            if let Some(h) = p.host {
                store::clear_hosts(&mut tx, id, 0).await?;
                store::add_host(&mut tx, id, e.network_id, 0, h).await?;
            }
            let fresh = Arc::new(store::by_id_tx(&mut tx, id).await?.ok_or(AppError::NotFound)?);
            // A new time moves every date: what people answered, noted, attended and said of
            // each date goes with it (else the moved event shows nobody going, and its figures
            // lose their attendance).
            let moves = if e.rrule == fresh.rrule {
                let used = store::occurrences_used(&mut tx, id).await?;
                let moves = occurrence_moves(&series(&e), e.starts_at, &series(&fresh), fresh.starts_at, &used);
                store::move_occurrences(&mut tx, id, &moves).await?;
                moves
            } else {
                Vec::new()
            };
            tell_each_date(state, &mut tx, &e, &fresh, &moves, now).await?;
            // More places (or no limit any more): the waiting lists move up. The event's row
            // lock (above) makes RSVPs wait for this transaction.
            let more = e.capacity.is_some_and(|old| fresh.capacity.is_none_or(|new| new > old));
            after_narrowing(state, &mut tx, &a.seen, &fresh, attending_before, more, now).await?;
            id
        }
    };
    record(&mut tx, actor, actor_name, "event.updated", e.network_id, &p.fields.title, scope_name(scope)).await?;
    tx.commit().await?;
    Ok(target)
}

/// After the whole series was edited: each answer to a date to come is sent that date as it now
/// is — only when something a calendar entry holds changed (time, title, place, link,
/// description) — and as it was (`moves`: (date before, date now) of the dates re-timed). An
/// answer to a date the new rule no longer has is withdrawn, with that date's cancellation (the
/// organiser's edit took the date away; the person answers the new dates).
async fn tell_each_date(
    state: &AppState,
    tx: &mut Tx,
    before: &Arc<Event>,
    fresh: &Arc<Event>,
    moves: &[(DateTime<Utc>, DateTime<Utc>)],
    now: DateTime<Utc>,
) -> Result<()> {
    let calendar = |e: &Event| {
        (
            e.title.clone(),
            e.theme.clone(),
            e.description.clone(),
            e.time_zone.clone(),
            e.local_start.clone(),
            e.duration_minutes,
            e.rrule.clone(),
            e.location_mode,
            e.place.clone(),
            e.online_url.clone(),
        )
    };
    if calendar(before) == calendar(fresh) {
        return Ok(());
    }
    let xs = store::exceptions_tx(tx, fresh.id).await?;
    // The dates as they were (their rule names their UIDs), at the raised SEQUENCE, to cancel.
    let raised = Arc::new(Event { sequence: fresh.sequence, ..(**before).clone() });
    for (person, at) in store::answers_from(tx, fresh.id, now).await? {
        let now_is = expand(fresh, &xs, at, at + Duration::seconds(1)).into_iter().find(|i| i.occ.original == at);
        let old_entry = entry_to_withdraw(state, before, &raised, at).await?;
        let who = std::slice::from_ref(&person);
        match now_is {
            Some(item) if !item.cancelled => {
                // Kept by a new rule, the date has a new UID: its old entry goes first. (With the
                // rule unchanged, answers moved nth to nth and keep their UIDs.)
                let renamed =
                    before.rrule != fresh.rrule && ics::occurrence_uid(before, at) != ics::occurrence_uid(fresh, at);
                if let Some(old) = old_entry.filter(|_| renamed) {
                    notify(state, tx, &old, Change::CANCELLED, who, now).await?;
                }
                let was_at = moves.iter().find(|(_, to)| *to == at).map_or(at, |(from, _)| *from);
                let was = match occurrence(state, before, was_at).await {
                    Ok(was) => Some(was),
                    Err(AppError::NotFound) => None,
                    Err(err) => return Err(err),
                };
                notify(state, tx, &item, Change::Updated { was: was.as_ref() }, who, now).await?;
            }
            _ => {
                if let Some(old) = old_entry {
                    notify(state, tx, &old, Change::CANCELLED, who, now).await?;
                }
                store::withdraw_answer(tx, fresh.id, at, person.id).await?;
            }
        }
    }
    Ok(())
}

/// Where each used date of a series goes when the series is re-timed: the nth date of the old
/// series becomes the nth of the new one (the rule is the same; its time, day or zone moved).
/// Only dates that change are listed; one past the new series' end stays where it is.
fn occurrence_moves(
    old: &Series,
    old_start: DateTime<Utc>,
    new: &Series,
    new_start: DateTime<Utc>,
    used: &[DateTime<Utc>],
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let Some(&last) = used.iter().max() else { return Vec::new() };
    let before: Vec<DateTime<Utc>> =
        old.between(old_start, last + Duration::seconds(1), usize::MAX).into_iter().map(|o| o.original).collect();
    let after: Vec<DateTime<Utc>> =
        new.between(new_start, DateTime::<Utc>::MAX_UTC, before.len()).into_iter().map(|o| o.original).collect();
    used.iter()
        .filter_map(|at| {
            let to = *after.get(before.binary_search(at).ok()?)?;
            (to != *at).then_some((*at, to))
        })
        .collect()
}

fn scope_name(s: Scope) -> &'static str {
    match s {
        Scope::All => "all",
        Scope::One(_) => "one",
        Scope::Following(_) => "following",
    }
}

/// Cancels one occurrence, this and all following, or the whole event; attendees are told, with
/// the organiser's `reason` if one is given (up to 1,000 characters; it goes in the audit log
/// too). False when it was cancelled already (a second tap, or Back and send again): nothing is
/// done, and no one is told twice. Under the event's lock, so two taps at once cancel it once.
pub async fn cancel(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    id: Uuid,
    scope: Scope,
    reason: &str,
) -> Result<bool> {
    access(state, actor, id, Capability::Organise).await?;
    let reason = LongText::parse("reason", reason, 1000).map_err(|_| {
        AppError::Invalid(vec![FieldError::new(
            "reason",
            "The message to attendees is longer than 1,000 characters: shorten it. Nothing was cancelled.",
        )])
    })?;
    let reason = reason.as_str();
    let reply_to = mail::reply_address(&state.db, actor.user_id).await?;
    let change = Change::Cancelled { reason, reply_to: reply_to.as_deref() };
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    if !store::lock_event(&mut tx, state.db.dialect(), id).await? {
        return Err(AppError::NotFound);
    }
    let e = Arc::new(store::by_id_tx(&mut tx, id).await?.ok_or(AppError::NotFound)?);
    if e.cancelled {
        return Ok(false);
    }
    match scope {
        Scope::One(at) if !e.rrule.is_empty() => {
            let item = occurrence(state, &e, at).await?;
            if item.cancelled {
                return Ok(false);
            }
            // A date moved on its own keeps its new time: that is where lists show it cancelled.
            let moved = store::exceptions_tx(&mut tx, id).await?.into_iter().find(|x| x.occurrence_at == at);
            let x = Exception {
                occurrence_at: at,
                cancelled: true,
                starts_at: moved.as_ref().and_then(|x| x.starts_at),
                ends_at: moved.as_ref().and_then(|x| x.ends_at),
                title: item.title_override.clone(),
            };
            store::upsert_exception(&mut tx, id, e.network_id, &x, now).await?;
            store::set_rule_end(&mut tx, id, &e.rrule, e.last_ends_at, now).await?;
            let fresh = Arc::new(store::by_id_tx(&mut tx, id).await?.ok_or(AppError::NotFound)?);
            let people = store::answered_at(&mut tx, id, at).await?;
            notify(state, &mut tx, &Item { event: fresh, ..item }, change, &people, now).await?;
        }
        Scope::Following(at) if at > e.starts_at && !e.rrule.is_empty() => {
            // Past the series' end: those dates are cancelled already.
            let item = match occurrence(state, &e, at).await {
                Err(AppError::NotFound) => return Ok(false),
                item => item?,
            };
            let mut rule = Rule::parse(&e.rrule).map_err(|f| AppError::Invalid(vec![f]))?;
            rule.count = None;
            rule.until = Some(item.occ.original.with_timezone(&tz_of(&e)).date_naive() - Duration::days(1));
            let s = Series { rule: Some(rule.clone()), ..series(&e) };
            let answers = store::answers_from(&mut tx, id, item.occ.original).await?;
            store::set_rule_end(&mut tx, id, &rule.to_rrule(), s.last_end(), now).await?;
            let fresh = Arc::new(store::by_id_tx(&mut tx, id).await?.ok_or(AppError::NotFound)?);
            cancel_each_date(state, &mut tx, (&e, &fresh), answers, change, now).await?;
        }
        _ => {
            let answers = store::answers_from(&mut tx, id, now).await?;
            store::set_cancelled(&mut tx, id, true, now).await?;
            let fresh = Arc::new(store::by_id_tx(&mut tx, id).await?.ok_or(AppError::NotFound)?);
            cancel_each_date(state, &mut tx, (&e, &fresh), answers, change, now).await?;
        }
    }
    let day = |at: DateTime<Utc>| at.with_timezone(&tz_of(&e)).format("%a %-d %b %Y").to_string();
    let which = match scope {
        Scope::One(at) if !e.rrule.is_empty() => format!("the date of {}", day(at)),
        Scope::Following(at) if at > e.starts_at && !e.rrule.is_empty() => format!("the dates from {} on", day(at)),
        _ => "the whole event".to_owned(),
    };
    let detail = if reason.is_empty() { which } else { format!("{which}: {reason}") };
    record(&mut tx, actor, actor_name, "event.cancelled", e.network_id, &e.title, &detail).await?;
    tx.commit().await?;
    Ok(true)
}

/// Sends each answer's date its own cancellation (a message per date, as calendar programs take
/// one event per message): everyone is told of the dates they answered, not of the first date
/// of the cancelled run. `before` is the event as the dates were given (for their times),
/// `fresh` as cancelled (for the raised SEQUENCE); `change` carries the organisers' word to them.
async fn cancel_each_date(
    state: &AppState,
    tx: &mut Tx,
    (before, fresh): (&Arc<Event>, &Arc<Event>),
    answers: Vec<(store::Recipient, DateTime<Utc>)>,
    change: Change<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    for (person, at) in answers {
        if let Some(item) = entry_to_withdraw(state, before, fresh, at).await? {
            notify(state, tx, &item, change, std::slice::from_ref(&person), now).await?;
        }
    }
    Ok(())
}

/// The calendar entry `before` gave the date `at`, to withdraw under `under` (the event as it
/// stands now, for its raised SEQUENCE); none when that date was cancelled already or is not
/// one of `before`'s.
async fn entry_to_withdraw(
    state: &AppState,
    before: &Arc<Event>,
    under: &Arc<Event>,
    at: DateTime<Utc>,
) -> Result<Option<Item>> {
    match occurrence(state, before, at).await {
        Ok(item) if !item.cancelled => Ok(Some(Item { event: under.clone(), ..item })),
        Ok(_) | Err(AppError::NotFound) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Why an answer could not be taken.
fn closed(msg: &'static str) -> AppError {
    AppError::BadRequest(axum::http::StatusCode::CONFLICT, msg.into())
}

/// Answers yes, no or maybe for one occurrence. A "yes" to a full event joins the waiting list;
/// giving up a place promotes the first person waiting, who is told by email. The capacity check
/// and the write happen in one transaction under the event's row lock, so concurrent answers can
/// never over-book.
pub async fn rsvp(state: &AppState, actor: &Actor, id: Uuid, at: DateTime<Utc>, want: Rsvp) -> Result<Rsvp> {
    let a = access(state, actor, id, Capability::ReadMembers).await?;
    // The event is theirs to see: a date that is not one of its own is a mistake in the answer
    // (an API client's `occurrence`), not a missing page.
    let item = occurrence(state, &a.event, at).await.map_err(|e| match e {
        AppError::NotFound => AppError::Invalid(vec![FieldError::new(
            "occurrence",
            "That is not one of this event's dates (it may have moved or been cancelled): choose a date the event lists.",
        )]),
        e => e,
    })?;
    let now = Utc::now();
    if item.cancelled {
        return Err(closed("This event has been cancelled."));
    }
    if item.occ.start <= now {
        return Err(closed("This event has already started, so answers are closed."));
    }
    if a.event.rsvp_close_minutes.is_some_and(|m| now >= item.occ.start - Duration::minutes(m)) {
        return Err(closed("Answers for this event have closed."));
    }
    let want = if want == Rsvp::Waitlisted { Rsvp::Yes } else { want };
    let me = store::recipient(&state.db, actor.user_id).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    if !store::lock_event(&mut tx, state.db.dialect(), id).await? {
        return Err(AppError::NotFound);
    }
    // As things are under the lock: an organiser may have narrowed the event (or the person
    // left the network) or lowered its capacity since `access`.
    if !store::may_attend(&mut tx, id, actor.user_id).await? {
        return Err(AppError::NotFound);
    }
    let capacity = store::by_id_tx(&mut tx, id).await?.ok_or(AppError::NotFound)?.capacity;
    let prev = store::rsvp_of(&mut tx, id, at, actor.user_id).await?;
    let outcome = match (want, prev) {
        (Rsvp::Yes, Some((p @ (Rsvp::Yes | Rsvp::Waitlisted), _))) => p,
        (Rsvp::Yes, _) => {
            let going = store::count_yes(&mut tx, id, at).await?;
            let status = if capacity.is_none_or(|c| going < c) { Rsvp::Yes } else { Rsvp::Waitlisted };
            store::upsert_rsvp(&mut tx, id, a.event.network_id, at, actor.user_id, status, now, now).await?;
            status
        }
        (other, _) => {
            store::upsert_rsvp(&mut tx, id, a.event.network_id, at, actor.user_id, other, now, now).await?;
            other
        }
    };
    let changed = prev.map(|p| p.0) != Some(outcome);
    if changed {
        let tz = me.time_zone.as_str();
        let (subject, text, ics) = match outcome {
            Rsvp::Yes => (
                format!("You're going: {}", item.title()),
                format!(
                    "Your place at {} on {} is confirmed. The invitation is attached for your calendar.",
                    item.title(),
                    when(&item, tz)
                ),
                Some(ics::invitation(
                    ics::Method::Request,
                    &item,
                    Some(ics::Attendee { email: &me.email, name: &me.name, going: true }),
                    &organiser(state),
                    Some(&state.config.public_url()),
                )),
            ),
            Rsvp::Waitlisted => (
                format!("On the waiting list: {}", item.title()),
                format!(
                    "{} on {} is full, so you are on the waiting list. Places that free up go to those waiting in the order they answered; we will email you when one is yours.",
                    item.title(),
                    when(&item, tz)
                ),
                None,
            ),
            _ if prev.is_some_and(|p| p.0 == Rsvp::Yes) => (
                format!("Place released: {}", item.title()),
                format!(
                    "You are no longer down as going to {} on {}. Thank you for letting the organisers know.",
                    item.title(),
                    when(&item, tz)
                ),
                Some(ics::invitation(
                    ics::Method::Cancel,
                    &item,
                    Some(ics::Attendee { email: &me.email, name: &me.name, going: false }),
                    &organiser(state),
                    Some(&state.config.public_url()),
                )),
            ),
            _ => (String::new(), String::new(), None),
        };
        if !subject.is_empty() {
            // Where to go (or the link to join) in the mail itself, not only in the attachment.
            let mut paragraphs = vec![text];
            if outcome == Rsvp::Yes {
                paragraphs.push(where_text(&item.event));
            }
            let m = Mail {
                to: &me.email,
                subject,
                paragraphs,
                action: Some(("Open the event", event_url(state, &item))),
                reply_to: None,
            };
            mail::queue_with_ics(&mut tx, &m, ics.as_deref(), None, now).await?;
        }
    }
    if prev.is_some_and(|p| p.0 == Rsvp::Yes) && outcome != Rsvp::Yes {
        promote_waiting(state, &mut tx, &a.event, &item, now).await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

/// After a change to who may attend `e` (its audience, or its network's visibility): everyone
/// in `before` (`store::answered_may_attend_from`, read under the event's lock before the
/// change) who no longer may is told (`tell_left_out`), and the places they
/// held — or more places (`more`) — go down the waiting list on each date still to come.
pub(crate) async fn after_narrowing(
    state: &AppState,
    tx: &mut Tx,
    seen: &Seen,
    e: &Arc<Event>,
    before: Vec<store::Recipient>,
    more: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let after = store::answered_may_attend_from(tx, e.id, now).await?;
    let left_out: Vec<_> = before.into_iter().filter(|b| !after.iter().any(|a| a.id == b.id)).collect();
    for person in &left_out {
        tell_left_out(state, tx, seen, e, person, now).await?;
    }
    if more || (e.capacity.is_some() && !left_out.is_empty()) {
        promote_on_dates_to_come(state, tx, e, now).await?;
    }
    Ok(())
}

/// Moves each waiting list of `e` up into the places free on every date still to come.
async fn promote_on_dates_to_come(state: &AppState, tx: &mut Tx, e: &Arc<Event>, now: DateTime<Utc>) -> Result<()> {
    for at in store::waitlisted_occurrences(tx, e.id, now).await? {
        match occurrence(state, e, at).await {
            Ok(item) if !item.cancelled && item.occ.start > now => promote_waiting(state, tx, e, &item, now).await?,
            Ok(_) | Err(AppError::NotFound) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// Why someone's answers to events to come no longer stand (`give_up_places`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GivenUp {
    /// They left the network.
    Left,
    /// An organiser removed them from the network.
    Removed,
    /// Their account was deactivated or erased: every network's events.
    Deactivated,
    /// They closed their own account: every network's events, each date's cancellation sent
    /// (the address is theirs still, and the dates are in their calendar).
    ClosedOwn,
}

/// Queues `give_up_places` in the transaction that ends the person's membership or account, so
/// the two stand or fall together and the job is retried until it is done.
pub async fn queue_giving_up(
    tx: &mut Tx,
    user: UserId,
    network: Option<NetworkId>,
    why: GivenUp,
    now: DateTime<Utc>,
) -> Result<()> {
    let payload = serde_json::json!({ "user": user, "network": network, "why": why });
    crate::jobs::enqueue_tx(tx, crate::jobs::Kind::GiveUpPlaces, &payload, None, now).await?;
    Ok(())
}

/// After someone left a network, was removed from it (`network` given) or lost their account
/// (`None`: every network): on each event they answered and may no longer attend, their answers
/// to the dates to come are forgotten and the places they held go down the waiting list. Those
/// who left or were removed, or closed their own account, are sent each date's cancellation (so
/// it leaves their calendar); an account an administrator or an import deactivated is sent
/// nothing (the address may be gone with its owner). One transaction per event, so a retry after a failure
/// finds only the events still to do.
pub async fn give_up_places(state: &AppState, user: UserId, network: Option<NetworkId>, why: GivenUp) -> Result<()> {
    let now = Utc::now();
    if store::recipient(&state.db, user).await?.is_none() {
        return Ok(());
    }
    let events = match network {
        Some(n) => store::answered_in(&state.db, n, user, now).await?,
        None => store::answered_anywhere(&state.db, user, now).await?,
    };
    // What the mail says, naming the network; a network deleted meanwhile has no events left.
    let told = match (network, why) {
        (Some(n), GivenUp::Left | GivenUp::Removed) => networks::by_id(&state.db, n).await?.map(|n| {
            if why == GivenUp::Removed {
                format!("You are no longer a member of {}", n.name)
            } else {
                format!("You have left {}", n.name)
            }
        }),
        (None, GivenUp::ClosedOwn) => Some("You have closed your Roundtable account".to_owned()),
        _ => None,
    };
    for id in events {
        let mut tx = state.db.begin().await?;
        if !store::lock_event(&mut tx, state.db.dialect(), id).await? || store::may_attend(&mut tx, id, user).await? {
            continue;
        }
        let Some(e) = store::by_id_tx(&mut tx, id).await? else { continue };
        let e = Arc::new(e);
        // Read again in this transaction, held: an erasure since the job began took the address.
        let person = if told.is_some() { store::recipient_locked(&mut tx, user).await? } else { None };
        if let (Some(why), Some(person)) = (&told, &person) {
            for (at, answer) in store::dates_answered_by(&mut tx, e.id, user, now).await? {
                match occurrence(state, &e, at).await {
                    Ok(item) if !item.cancelled => {
                        place_given_up_mail(state, &mut tx, &item, person, why, answer, now).await?
                    }
                    Ok(_) | Err(AppError::NotFound) => {}
                    Err(err) => return Err(err),
                }
            }
        }
        store::withdraw_answers_from(&mut tx, e.id, user, now).await?;
        if e.capacity.is_some() {
            promote_on_dates_to_come(state, &mut tx, &e, now).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// The email of `give_up_places` for one date; `why` begins its sentence, and the subject says
/// what the person loses: a place (a "yes"), a "maybe", or their turn on the waiting list.
async fn place_given_up_mail(
    state: &AppState,
    tx: &mut Tx,
    item: &Item,
    person: &store::Recipient,
    why: &str,
    answer: Rsvp,
    now: DateTime<Utc>,
) -> Result<()> {
    let (title, day) = (item.title(), when(item, &person.time_zone));
    let (subject, what) = match answer {
        Rsvp::Maybe => ("Your answer is withdrawn", format!("your “maybe” to {title} on {day} no longer stands")),
        Rsvp::Waitlisted => {
            ("You are off the waiting list", format!("you no longer wait for a place at {title} on {day}"))
        }
        Rsvp::Yes | Rsvp::No => (
            "Your place is given up",
            format!("your place at {title} on {day} is given up and goes to the next person waiting, if anyone is"),
        ),
    };
    let m = Mail {
        to: &person.email,
        subject: format!("{subject}: {title}"),
        paragraphs: vec![format!(
            "{why}, so {what}. If it is in your calendar, the attached cancellation takes it out."
        )],
        action: None,
        reply_to: None,
    };
    queue_cancel(state, tx, item, person, &m, now).await
}

/// Queues `m` with the date's CANCEL for `person`'s calendar. It goes to someone who lost their
/// place because they may no longer take part (left, removed, the event narrowed to members), so
/// the entry that takes the date out of their calendar links to no page they may not open.
async fn queue_cancel(
    state: &AppState,
    tx: &mut Tx,
    item: &Item,
    person: &store::Recipient,
    m: &Mail<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let attendee = ics::Attendee { email: &person.email, name: &person.name, going: false };
    let ics = ics::invitation(ics::Method::Cancel, item, Some(attendee), &organiser(state), None);
    mail::queue_with_ics(tx, m, Some(&ics), None, now).await?;
    Ok(())
}

/// Tells someone who answered an event that it is now for the network's members only, which
/// they are not, one email per date they answered (each carries that date's CANCEL: calendar
/// programs take one event per message). Their answers to those dates are forgotten, so that
/// opening the event to everyone again does not bring back places nobody is holding for them.
async fn tell_left_out(
    state: &AppState,
    tx: &mut Tx,
    seen: &Seen,
    e: &Arc<Event>,
    person: &store::Recipient,
    now: DateTime<Utc>,
) -> Result<()> {
    for (at, _) in store::dates_answered_by(tx, e.id, person.id, now).await? {
        match occurrence(state, e, at).await {
            Ok(item) if !item.cancelled => left_out_mail(state, tx, seen, &item, person, now).await?,
            Ok(_) | Err(AppError::NotFound) => {}
            Err(err) => return Err(err),
        }
    }
    store::withdraw_answers_from(tx, e.id, person.id, now).await?;
    Ok(())
}

/// The email of `tell_left_out` for one date.
async fn left_out_mail(
    state: &AppState,
    tx: &mut Tx,
    seen: &Seen,
    item: &Item,
    person: &store::Recipient,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut paragraphs = vec![format!(
        "{} on {} is now for members of {} only, so your answer no longer stands. If it is in your calendar, the attached cancellation takes it out.",
        item.title(),
        when(item, &person.time_zone),
        seen.network.name
    )];
    // An invitation-only network has no page outsiders can open and takes no requests to join.
    let open = seen.network.visibility != Visibility::InvitationOnly;
    if open {
        paragraphs.push("To take part, ask to join the network; its organisers can tell you more.".into());
    }
    let m = Mail {
        to: &person.email,
        subject: format!("No longer open to you: {}", item.title()),
        paragraphs,
        action: open.then(|| ("See the network", format!("{}/n/{}", state.config.public_url(), seen.network.slug))),
        reply_to: None,
    };
    queue_cancel(state, tx, item, person, &m, now).await
}

/// Fills free places from the waiting list, first come first served, and emails each person.
async fn promote_waiting(state: &AppState, tx: &mut Tx, e: &Arc<Event>, item: &Item, now: DateTime<Utc>) -> Result<()> {
    let at = item.occ.original;
    let free = match e.capacity {
        Some(c) => c - store::count_yes(tx, e.id, at).await?,
        None => i64::MAX / 2,
    };
    if free <= 0 {
        return Ok(());
    }
    for user in store::waitlist(tx, e.id, at, free.min(10_000)).await? {
        if !store::promote(tx, e.id, at, user, now).await? {
            continue;
        }
        if let Some(u) = store::recipient(&state.db, user).await? {
            let ics = ics::invitation(
                ics::Method::Request,
                item,
                Some(ics::Attendee { email: &u.email, name: &u.name, going: true }),
                &organiser(state),
                Some(&state.config.public_url()),
            );
            let m = Mail {
                to: &u.email,
                subject: format!("A place is yours: {}", item.title()),
                paragraphs: vec![
                    format!(
                        "Good news: a place opened up at {} on {}, and it is now yours.",
                        item.title(),
                        when(item, &u.time_zone)
                    ),
                    where_text(&item.event),
                    "If you can no longer come, please change your answer so the next person can go.".into(),
                ],
                action: Some(("Open the event", event_url(state, item))),
                reply_to: None,
            };
            mail::queue_with_ics(tx, &m, Some(&ics), None, now).await?;
        }
    }
    Ok(())
}

/// Someone may attend a network's events again (they accepted its current charter): places
/// that freed up while they could not be promoted go down the waiting lists they are on now,
/// in the order people joined them — the waiting list skipped them meanwhile and kept their place.
pub async fn seats_after_charter(state: &AppState, network: NetworkId, user: UserId) -> Result<()> {
    let now = Utc::now();
    for (id, at) in store::waiting_in(&state.db, network, user, now).await? {
        let mut tx = state.db.begin().await?;
        if !store::lock_event(&mut tx, state.db.dialect(), id).await? {
            continue;
        }
        let Some(e) = store::by_id_tx(&mut tx, id).await? else { continue };
        let e = Arc::new(e);
        let item = match occurrence(state, &e, at).await {
            Ok(item) => item,
            Err(AppError::NotFound) => continue,
            Err(err) => return Err(err),
        };
        let closed = e.rsvp_close_minutes.is_some_and(|m| now >= item.occ.start - Duration::minutes(m));
        if !item.cancelled && item.occ.start > now && !closed {
            promote_waiting(state, &mut tx, &e, &item, now).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Whether people may check themselves in to `item` at `now`: from an hour before it starts to
/// an hour after it ends, unless it is cancelled.
pub fn check_in_open(item: &Item, now: DateTime<Utc>) -> bool {
    !item.cancelled && item.occ.start - Duration::hours(1) <= now && now <= item.occ.end + Duration::hours(1)
}

/// Whether organisers may mark people as attended: from the hour check-in opens (people
/// arrive early), without end (the list is often typed up days later), unless it is cancelled.
pub fn attendance_open(item: &Item, now: DateTime<Utc>) -> bool {
    !item.cancelled && item.occ.start - Duration::hours(1) <= now
}

/// Why attendance cannot be marked yet.
pub const ATTENDANCE_NOT_OPEN: &str = "Attendance can be marked from an hour before the event starts.";

/// Wrong check-in codes one person may type in `accounts::FAILURE_WINDOW_MINUTES`, across every
/// event: a typo or two, not the ~900 million guesses a six-letter code takes.
pub const CHECK_IN_FAILURES: i64 = 10;

/// Self check-in with the code shown at the event (from an hour before to the end); wrong codes
/// are counted per person (`CHECK_IN_FAILURES`), so checking in from home by guessing fails.
pub async fn self_check_in(state: &AppState, actor: &Actor, id: Uuid, at: DateTime<Utc>, code: &str) -> Result<bool> {
    let a = access(state, actor, id, Capability::ReadMembers).await?;
    let item = occurrence(state, &a.event, at).await?;
    let now = Utc::now();
    if !check_in_open(&item, now) {
        return Err(closed("Check-in opens an hour before the event and closes an hour after it ends."));
    }
    let right = checkin_code_for(&a.event, item.occ.original);
    let key = crate::accounts::check_in_key(actor.user_id);
    let matches = crate::accounts::counted_try(
        state,
        &key,
        CHECK_IN_FAILURES,
        async { code.trim().eq_ignore_ascii_case(&right) },
        |wait| {
            format!(
                "Too many wrong check-in codes (at this or any event). Please wait {wait} and try again, or ask an organiser to mark you as attended."
            )
        },
    );
    if !matches.await? {
        return Err(AppError::Invalid(vec![FieldError::new(
            "code",
            "That code does not match. Check the code shown at the event.",
        )]));
    }
    let mut tx = state.db.begin().await?;
    let new = store::check_in(&mut tx, id, a.event.network_id, at, actor.user_id, "code", now).await?;
    tx.commit().await?;
    Ok(new)
}

/// The date whose attendance an organiser marks: one taking place, from an hour before it.
async fn attendance_to_mark(state: &AppState, actor: &Actor, id: Uuid, at: DateTime<Utc>) -> Result<(Access, Item)> {
    let a = access(state, actor, id, Capability::Organise).await?;
    let item = occurrence(state, &a.event, at).await?;
    if item.cancelled {
        return Err(closed("This event has been cancelled."));
    }
    if !attendance_open(&item, Utc::now()) {
        return Err(closed(ATTENDANCE_NOT_OPEN));
    }
    Ok((a, item))
}

/// An organiser marks a member as attended.
pub async fn mark_attended(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    id: Uuid,
    at: DateTime<Utc>,
    user: UserId,
) -> Result<()> {
    let (a, _) = attendance_to_mark(state, actor, id, at).await?;
    let person = roundtable_store::users::by_id(&state.db, user).await?.ok_or(AppError::NotFound)?;
    // Only people who could attend: the network's members, or anyone for an organisation-wide event.
    if a.event.audience != Audience::Organisation {
        check_host(state, a.event.network_id, Some(user)).await.map_err(|_| {
            AppError::Invalid(vec![FieldError::new("user", "Only members of the network can be marked as attended.")])
        })?;
    }
    let mut tx = state.db.begin().await?;
    store::check_in(&mut tx, id, a.event.network_id, at, user, "organiser", Utc::now()).await?;
    record(&mut tx, actor, actor_name, "event.attendance_marked", a.event.network_id, &a.event.title, &person.email)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Marks everyone going to a date (with a place, and still allowed to come) as attended, at the
/// door or afterwards — the organisers' tick for a room that came as planned; those checked in
/// already stay as they were. Returns how many were marked now.
pub async fn mark_going_attended(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<usize> {
    let (a, item) = attendance_to_mark(state, actor, id, at).await?;
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let mut marked = 0;
    for p in store::going_at(&mut tx, id, item.occ.original).await? {
        marked += usize::from(
            store::check_in(&mut tx, id, a.event.network_id, item.occ.original, p.id, "organiser", now).await?,
        );
    }
    let detail = format!("everyone going: {} marked", marked);
    record(&mut tx, actor, actor_name, "event.attendance_marked", a.event.network_id, &a.event.title, &detail).await?;
    tx.commit().await?;
    Ok(marked)
}

/// Takes back one person's attendance of a date (marked by mistake, or a check-in from the
/// wrong person's phone), whenever it is; audited.
pub async fn unmark_attended(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    id: Uuid,
    at: DateTime<Utc>,
    user: UserId,
) -> Result<()> {
    let a = access(state, actor, id, Capability::Organise).await?;
    let item = occurrence(state, &a.event, at).await?;
    let person = roundtable_store::users::by_id(&state.db, user).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    if store::uncheck(&mut tx, id, item.occ.original, user).await? {
        let (network, title) = (a.event.network_id, &a.event.title);
        record(&mut tx, actor, actor_name, "event.attendance_unmarked", network, title, &person.email).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Saves agenda, minutes, summary and recording link of one occurrence (organisers).
pub async fn save_notes(state: &AppState, actor: &Actor, id: Uuid, at: DateTime<Utc>, n: store::Notes) -> Result<()> {
    let a = access(state, actor, id, Capability::Organise).await?;
    occurrence(state, &a.event, at).await?;
    let mut errs = Vec::new();
    let mut text = |field: &'static str, v: &str| {
        LongText::parse(field, v, 20_000).map_err(|e| errs.push(e)).map(|t| t.as_str().to_owned()).unwrap_or_default()
    };
    let notes = store::Notes {
        agenda: text("agenda", &n.agenda),
        minutes: text("minutes", &n.minutes),
        summary: text("summary", &n.summary),
        recording_url: if n.recording_url.trim().is_empty() {
            String::new()
        } else {
            parse_url(&n.recording_url)
                .map_err(|_| {
                    errs.push(FieldError::new("recording_url", "Enter the recording link, starting with https://."))
                })
                .unwrap_or_default()
        },
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = state.db.begin().await?;
    store::upsert_notes(&mut tx, id, a.event.network_id, at, &notes, Utc::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Suggested hosts for an occurrence, fairest first: (id, name, times hosted).
pub async fn host_suggestions(state: &AppState, e: &Event, at: DateTime<Utc>) -> Result<Vec<(UserId, String, i64)>> {
    let stats = store::host_stats(&state.db, e.network_id).await?;
    let declined: Vec<UserId> = store::attendees(&state.db, e.id, at)
        .await?
        .into_iter()
        .filter(|a| a.response == Rsvp::No)
        .map(|a| a.user_id)
        .collect();
    let candidates: Vec<_> = stats
        .iter()
        .map(|(id, _, n, last)| roundtable_domain::events::HostCandidate {
            id: *id,
            times_hosted: u32::try_from(*n).unwrap_or(u32::MAX),
            last_hosted: last.and_then(DateTime::from_timestamp_micros),
            available: !declined.contains(id),
        })
        .collect();
    Ok(rank_hosts(&candidates)
        .into_iter()
        .take(3)
        .filter_map(|id| stats.iter().find(|s| s.0 == id).map(|s| (s.0, s.1.clone(), s.2)))
        .collect())
}

/// An organiser confirms the host of one occurrence.
pub async fn confirm_host(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    id: Uuid,
    at: DateTime<Utc>,
    user: UserId,
) -> Result<()> {
    let a = access(state, actor, id, Capability::Organise).await?;
    occurrence(state, &a.event, at).await?;
    check_host(state, a.event.network_id, Some(user)).await?;
    let mut tx = state.db.begin().await?;
    store::clear_hosts(&mut tx, id, at.timestamp_micros()).await?;
    store::add_host(&mut tx, id, a.event.network_id, at.timestamp_micros(), user).await?;
    record(&mut tx, actor, actor_name, "event.host_confirmed", a.event.network_id, &a.event.title, &user.to_string())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Records a rating (1–5) and comment after an occurrence.
/// Why someone may not rate a date (`give_feedback`), and what to do if they were there.
pub const NOT_THERE: &str = "Feedback comes from the people who took part: those checked in or down as going. If you were there, ask an organiser to mark you as attended.";
/// Why a date cannot be rated yet.
pub const NOT_STARTED: &str = "Feedback opens once the event has started.";

pub async fn give_feedback(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    at: DateTime<Utc>,
    rating: &str,
    comment: &str,
) -> Result<()> {
    let a = access(state, actor, id, Capability::ReadMembers).await?;
    let item = occurrence(state, &a.event, at).await?;
    if item.occ.start > Utc::now() {
        return Err(closed(NOT_STARTED));
    }
    // The figures organisers report are those of the people who were there.
    if !store::took_part(&state.db, id, at, actor.user_id).await? {
        return Err(AppError::Forbidden(NOT_THERE));
    }
    let mut errs = Vec::new();
    let rating = rating.trim().parse::<i64>().ok().filter(|r| (1..=5).contains(r));
    if rating.is_none() {
        errs.push(FieldError::new("rating", "Choose a rating from 1 to 5."));
    }
    let comment = LongText::parse("comment", comment, 2000).map_err(|e| errs.push(e)).ok();
    let (Some(rating), Some(comment), true) = (rating, comment, errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let mut tx = state.db.begin().await?;
    store::upsert_feedback(&mut tx, id, a.event.network_id, at, actor.user_id, rating, comment.as_str(), Utc::now())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Emails reminders before, and feedback requests after, occurrences that are due. Each is sent
/// once per occurrence and person however many instances run this: the send job's dedupe key is
/// `event-reminder:<event>:<occurrence>:<person>` (or `event-feedback:…`).
pub async fn send_due_notices(state: &AppState, now: DateTime<Utc>) -> Result<usize> {
    let from = now - Duration::days(2);
    let to = now + Duration::hours(49);
    let mut sent = 0;
    for item in expand_all(state, store::all_between(&state.db, from, to).await?, from, to).await? {
        if item.cancelled {
            continue;
        }
        let e = &item.event;
        let at = item.occ.original;
        let reminder_due = e.reminder_minutes > 0
            && item.occ.start - Duration::minutes(e.reminder_minutes) <= now
            && now < item.occ.start;
        let feedback_due = item.occ.end <= now && now < item.occ.end + Duration::days(2);
        if !reminder_due && !feedback_due {
            continue;
        }
        let mut tx = state.db.begin().await?;
        if reminder_due {
            for store::Recipient { id: user, email, time_zone, .. } in store::going_at(&mut tx, e.id, at).await? {
                let m = Mail {
                    to: &email,
                    subject: format!("Reminder: {}", item.title()),
                    paragraphs: vec![
                        format!("A reminder that {} is on {}.", item.title(), when(&item, &time_zone)),
                        where_text(e),
                    ],
                    action: Some(("Open the event", event_url(state, &item))),
                    reply_to: None,
                };
                let key = format!("event-reminder:{}:{}:{user}", e.id, at.timestamp_micros());
                sent += usize::from(mail::queue_with_ics(&mut tx, &m, None, Some(key), Utc::now()).await?);
            }
        }
        if feedback_due {
            // Those checked in, when check-in was used (even if they have all left since: those
            // who only said yes did not come); otherwise those who said they would come.
            let people = if store::attendance_count(&mut tx, e.id, at).await? > 0 {
                store::attended_recipients(&mut tx, e.id, at).await?
            } else {
                store::going_at(&mut tx, e.id, at).await?
            };
            // Someone who gave feedback already (from the event page, before being asked) is
            // not asked for it.
            let given = store::feedback_given_by(&mut tx, e.id, at).await?;
            for store::Recipient { id: user, email, .. } in people.into_iter().filter(|p| !given.contains(&p.id)) {
                let m = Mail {
                    to: &email,
                    subject: format!("How was {}?", item.title()),
                    paragraphs: vec![format!(
                        "Thank you for coming to {}. Two minutes of feedback — a rating and a comment — helps the organisers plan the next one.",
                        item.title()
                    )],
                    action: Some((
                        "Give feedback",
                        format!("{}/events/{}/feedback?at={}", state.config.public_url(), e.id, at.timestamp_micros()),
                    )),
                    reply_to: None,
                };
                let key = format!("event-feedback:{}:{}:{user}", e.id, at.timestamp_micros());
                sent += usize::from(mail::queue_with_ics(&mut tx, &m, None, Some(key), Utc::now()).await?);
            }
        }
        tx.commit().await?;
    }
    Ok(sent)
}

fn where_text(e: &Event) -> String {
    match e.location_mode {
        LocationMode::InPerson => format!("Where: {}", e.place),
        LocationMode::Online => format!("Join online: {}", e.online_url),
        LocationMode::Hybrid => format!("Where: {} — or join online: {}", e.place, e.online_url),
    }
}

/// Creates a secret feed for the actor — their own calendar, or one network's — and returns its
/// secret (its address is `feed_url`).
pub async fn create_feed(state: &AppState, actor: &Actor, network_slug: Option<&str>) -> Result<String> {
    let network = match network_slug.filter(|s| !s.is_empty()) {
        Some(slug) => Some(nets::load(state, actor, slug, Capability::ReadMembers).await?.network.id),
        None => None,
    };
    let token = random_token();
    let mut tx = state.db.begin().await?;
    store::insert_feed(&mut tx, &token_hash(&token), actor.user_id, network, Utc::now()).await?;
    tx.commit().await?;
    Ok(token)
}

/// The address calendars subscribe to for a feed's secret.
pub fn feed_url(state: &AppState, token: &str) -> String {
    format!("{}/ical/{token}.ics", state.config.public_url())
}

/// The address of a feed just created, from the secret the browser brought back, if it is one of
/// `actor`'s live feeds (another person signed in meanwhile, or a revoked feed, shows nothing).
pub async fn new_feed_url(state: &AppState, actor: &Actor, token: &str) -> Result<Option<String>> {
    let feed = store::feed_by_hash(&state.db, &token_hash(token)).await?;
    Ok(feed.filter(|f| f.user_id == actor.user_id).map(|_| feed_url(state, token)))
}

pub async fn feeds(state: &AppState, actor: &Actor) -> Result<Vec<store::Feed>> {
    Ok(store::feeds_of(&state.db, actor.user_id).await?)
}

pub async fn revoke_feed(state: &AppState, actor: &Actor, id: Uuid) -> Result<()> {
    let mut tx = state.db.begin().await?;
    if !store::revoke_feed(&mut tx, id, actor.user_id, Utc::now()).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// The iCalendar text of a feed, checked against the owner's access *now*: leaving a network
/// empties its feed, and a deactivated owner's feed is gone.
pub async fn feed_ics(state: &AppState, token: &str) -> Result<String> {
    let feed = store::feed_by_hash(&state.db, &token_hash(token)).await?.ok_or(AppError::NotFound)?;
    let owner = roundtable_store::users::by_id(&state.db, feed.user_id).await?.ok_or(AppError::NotFound)?;
    if owner.deactivated_at.is_some() {
        return Err(AppError::NotFound);
    }
    let actor = Actor { user_id: owner.id, is_org_admin: owner.is_org_admin };
    let now = Utc::now();
    let (from, to) = (now - Duration::days(92), now + Duration::days(366));
    let (name, events) = match (feed.network_id, feed.network_slug.as_deref()) {
        (Some(_), Some(slug)) => match nets::load(state, &actor, slug, Capability::ReadMembers).await {
            Ok(seen) => (seen.network.name.clone(), store::in_network(&state.db, seen.network.id, from, to).await?),
            // Left or removed (or a new charter not yet accepted): an empty calendar, which a
            // calendar app shows by dropping the dates, where an error would only be retried.
            Err(AppError::Forbidden(_) | AppError::NotFound | AppError::CharterPending { .. }) => {
                (feed.network_name.clone().unwrap_or_default(), Vec::new())
            }
            Err(e) => return Err(e),
        },
        _ => (
            "My Roundtable calendar".to_owned(),
            readable(state, &actor, store::for_person(&state.db, actor.user_id, from, to).await?).await?,
        ),
    };
    let mut series = Vec::with_capacity(events.len());
    for e in events {
        let xs = if e.rrule.is_empty() { Vec::new() } else { store::exceptions(&state.db, e.id).await? };
        series.push((e, xs));
    }
    Ok(ics::feed(&name, &series, &state.config.public_url()))
}

/// One date as an `.ics` file to open in a calendar; without `at`, the date the event page shows
/// first (the next one of a series).
/// A date of an event for one's own calendar: (a file name naming it, the iCalendar text).
pub async fn occurrence_ics(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    at: Option<DateTime<Utc>>,
) -> Result<(String, String)> {
    let a = access(state, actor, id, Capability::ReadMembers).await?;
    let item = match at {
        Some(at) => occurrence(state, &a.event, at).await?,
        None => default_occurrence(state, &a.event).await?.ok_or(AppError::NotFound)?,
    };
    if item.cancelled {
        return Err(closed("This date has been cancelled: there is nothing to add to a calendar."));
    }
    let name = format!("{}.ics", file_stem(&item));
    Ok((name, ics::invitation(ics::Method::Publish, &item, None, &organiser(state), Some(&state.config.public_url()))))
}

/// "team-lunch-2027-01-12" rather than "event": a phone keeps every download, and "event (7)"
/// says nothing. ASCII letters, digits and dashes only: safe in a header.
fn file_stem(item: &Item) -> String {
    let title = roundtable_domain::NetworkSlug::suggest(&roundtable_domain::fold(item.title()));
    let day = item.occ.start.with_timezone(&tz_of(&item.event)).date_naive();
    if title.is_empty() { format!("event-{day}") } else { format!("{title}-{day}") }
}

/// One date's answers and attendance as a spreadsheet for its organisers (a name badge list, a
/// room booking, a mail merge): (file name, header, rows) — everyone who answered, then anyone
/// marked as attended without an answer; times on `tz`'s clock.
/// The download is in the audit log: it hands out people's addresses.
pub async fn attendee_sheet(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    id: Uuid,
    at: DateTime<Utc>,
    tz: Tz,
) -> Result<(String, [&'static str; 5], Vec<Vec<String>>)> {
    let a = access(state, actor, id, Capability::Organise).await?;
    let item = occurrence(state, &a.event, at).await?;
    let answers = store::attendees(&state.db, id, item.occ.original).await?;
    let attended = store::attended(&state.db, id, item.occ.original).await?;
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    let came = |user: UserId| {
        attended.iter().find(|x| x.user_id == user).map_or_else(String::new, |x| match x.method.as_str() {
            "code" => "checked in".to_owned(),
            _ => "marked by an organiser".to_owned(),
        })
    };
    let mut rows: Vec<Vec<String>> = answers
        .iter()
        .map(|r| {
            vec![r.name.clone(), r.email.clone(), r.response.label().to_owned(), local(r.responded_at), came(r.user_id)]
        })
        .collect();
    for x in attended.iter().filter(|x| !answers.iter().any(|r| r.user_id == x.user_id)) {
        let email = store::recipient(&state.db, x.user_id).await?.map(|r| r.email).unwrap_or_default();
        rows.push(vec![x.name.clone(), email, "No answer".to_owned(), String::new(), came(x.user_id)]);
    }
    let mut tx = state.db.begin().await?;
    let people = if rows.len() == 1 { "1 person".to_owned() } else { format!("{} people", rows.len()) };
    let detail = format!("{} on {}: {people}", item.title(), local(item.occ.start));
    record(&mut tx, actor, actor_name, "event.attendees_exported", a.event.network_id, item.title(), &detail).await?;
    tx.commit().await?;
    let header = ["Name", "Email", "Answer", "Answered at", "Attended"];
    Ok((format!("{}-attendees.csv", file_stem(&item)), header, rows))
}

/// Who an organiser's message about one date goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageTo {
    /// Those with a place.
    Going,
    /// Those with a place, a "maybe" or a waiting turn: everyone who may come.
    Answered,
    /// Those who checked in or were marked as attending (after the date: thanks, slides).
    Attended,
}

impl MessageTo {
    pub const ALL: [MessageTo; 3] = [MessageTo::Going, MessageTo::Answered, MessageTo::Attended];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.key() == s)
    }
    pub fn key(self) -> &'static str {
        match self {
            MessageTo::Going => "going",
            MessageTo::Answered => "answered",
            MessageTo::Attended => "attended",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            MessageTo::Going => "Everyone going",
            MessageTo::Answered => "Everyone going, maybe coming or on the waiting list",
            MessageTo::Attended => "Everyone who attended",
        }
    }
    /// Why the person gets the message, for its last line.
    fn because(self) -> &'static str {
        match self {
            MessageTo::Going => "you are going",
            MessageTo::Answered => "you answered going or maybe, or are on the waiting list",
            MessageTo::Attended => "you attended",
        }
    }
}

/// Emails the organisers' `text` (plain text, up to 5,000 characters; blank lines part
/// paragraphs) to the people of one date whom `to` names — a room change, what to bring, the
/// slides afterwards — and records it in the audit log. The same message sent again (a second
/// tap) reaches no one twice. Returns how many people it went to now; none to send to at all is
/// an error that says so.
pub async fn message(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    id: Uuid,
    at: DateTime<Utc>,
    to: MessageTo,
    text: &str,
) -> Result<usize> {
    let a = access(state, actor, id, Capability::Organise).await?;
    let text = LongText::parse("message", text, 5000)?;
    if text.as_str().is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new("message", "Write the message. Nothing was sent.")]));
    }
    let item = occurrence(state, &a.event, at).await?;
    let mut tx = state.db.begin().await?;
    let people = match to {
        MessageTo::Going => store::going_at(&mut tx, id, item.occ.original).await?,
        MessageTo::Answered => store::answered_at(&mut tx, id, item.occ.original).await?,
        MessageTo::Attended => store::attended_recipients(&mut tx, id, item.occ.original).await?,
    };
    let people: Vec<_> = people.into_iter().filter(|p| p.id != actor.user_id).collect();
    if people.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "to",
            format!("No one to send it to: no one but you is among “{}” for this date. Nothing was sent.", to.label()),
        )]));
    }
    let now = Utc::now();
    // Per person and text, whichever group it was sent to: "everyone going" then "everyone who
    // may come" with the same words reaches those going once.
    let once = token_hash(text.as_str());
    let reply_to = mail::reply_address(&state.db, actor.user_id).await?;
    let mut sent = 0;
    for p in &people {
        let mut paragraphs = vec![format!("About {} on {}:", item.title(), when(&item, &p.time_zone))];
        paragraphs.extend(text.as_str().split("\n\n").map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned));
        paragraphs.push(format!(
            "From {actor_name}, an organiser of {}. You get this because {} on this date. A reply to this email goes to {actor_name}.",
            a.seen.network.name,
            to.because()
        ));
        let m = Mail {
            to: &p.email,
            subject: format!("{}: a message from the organisers", item.title()),
            paragraphs,
            action: Some(("Open the event", event_url(state, &item))),
            reply_to: reply_to.as_deref(),
        };
        let key = format!("event-message:{id}:{}:{}:{once}", item.occ.original.timestamp_micros(), p.id);
        sent += usize::from(mail::queue_with_ics(&mut tx, &m, None, Some(key), now).await?);
    }
    if sent == 0 {
        // Sent before to every one of them (a second tap): nothing happened to record.
        return Ok(0);
    }
    let excerpt: String = text.as_str().chars().take(200).collect();
    let who = if sent == 1 { "1 person".to_owned() } else { format!("{sent} people") };
    let on = pages::fmt_range(item.occ.start, item.occ.end, tz_of(&a.event));
    let detail = format!("to {} ({who}), about the date of {on}: {excerpt}", to.label().to_lowercase());
    record(&mut tx, actor, actor_name, "event.messaged", a.event.network_id, item.title(), &detail).await?;
    tx.commit().await?;
    Ok(sent)
}

/// Everything the event page shows.
pub struct Detail {
    pub access: Access,
    pub item: Option<Item>,
    pub upcoming: Vec<Item>,
    pub my_rsvp: Option<Rsvp>,
    /// The actor's turn on the waiting list (1: the next place is theirs), when waiting.
    pub my_turn: Option<usize>,
    pub going: i64,
    pub waiting: i64,
    pub attendees: Vec<store::Attendee>,
    pub attended: Vec<store::Attended>,
    /// Attended too, since gone (account deactivated or erased): counted, not named.
    pub former_attended: i64,
    pub notes: store::Notes,
    pub hosts: Vec<String>,
    pub suggestions: Vec<(UserId, String, i64)>,
    pub feedback: Vec<(i64, String)>,
    pub members: Vec<(UserId, String)>,
    pub i_attended: bool,
}

pub async fn detail(state: &AppState, actor: &Actor, id: Uuid, at: Option<DateTime<Utc>>) -> Result<Detail> {
    let access = access(state, actor, id, Capability::ReadMembers).await?;
    let e = access.event.clone();
    let item = match at {
        Some(at) => Some(occurrence(state, &e, at).await?),
        None => default_occurrence(state, &e).await?,
    };
    let xs = if e.rrule.is_empty() { Vec::new() } else { store::exceptions(&state.db, e.id).await? };
    let now = Utc::now();
    let upcoming = if e.rrule.is_empty() {
        Vec::new()
    } else {
        expand(&e, &xs, now, now + Duration::days(800)).into_iter().take(8).collect()
    };
    let mut d = Detail {
        access,
        item: item.clone(),
        upcoming,
        my_rsvp: None,
        my_turn: None,
        going: 0,
        waiting: 0,
        attendees: Vec::new(),
        attended: Vec::new(),
        former_attended: 0,
        notes: store::Notes::default(),
        hosts: Vec::new(),
        suggestions: Vec::new(),
        feedback: Vec::new(),
        members: Vec::new(),
        i_attended: false,
    };
    if let Some(item) = &item {
        let at = item.occ.original;
        let all = store::attendees(&state.db, e.id, at).await?;
        d.my_rsvp = all.iter().find(|a| a.user_id == actor.user_id).map(|a| a.response);
        d.going = all.iter().filter(|a| a.response == Rsvp::Yes).count() as i64;
        let mut queue: Vec<_> = all.iter().filter(|a| a.response == Rsvp::Waitlisted).collect();
        d.waiting = queue.len() as i64;
        // In the order places are given (`store::waitlist`): who answered first.
        queue.sort_by_key(|a| (a.responded_at, a.user_id));
        d.my_turn = queue.iter().position(|a| a.user_id == actor.user_id).map(|i| i + 1);
        d.notes = store::notes(&state.db, e.id, at).await?;
        let hosts = store::hosts(&state.db, e.id).await?;
        let specific: Vec<String> =
            hosts.iter().filter(|h| h.0 == at.timestamp_micros()).map(|h| h.2.clone()).collect();
        d.hosts = if specific.is_empty() {
            hosts.iter().filter(|h| h.0 == 0).map(|h| h.2.clone()).collect()
        } else {
            specific
        };
        let attended = store::attended(&state.db, e.id, at).await?;
        d.i_attended = attended.iter().any(|a| a.user_id == actor.user_id);
        if d.access.can_organise {
            d.attendees = all;
            d.attended = attended;
            d.former_attended = store::attended_by_former(&state.db, e.id, at).await?;
            d.suggestions = host_suggestions(state, &e, at).await?;
            d.feedback = store::feedback(&state.db, e.id, at).await?;
            d.members = members_for_form(state, e.network_id).await?;
        }
    }
    Ok(d)
}

/// Members of a network, for the host picker on the form and "mark another member as
/// attended": all of them, in name order (a list cut short would leave the rest of the alphabet
/// unpickable; a select of a few thousand names still types ahead).
pub async fn members_for_form(state: &AppState, network: NetworkId) -> Result<Vec<(UserId, String)>> {
    let members = state.snapshot().await?.members(network, "", false, usize::MAX, 0);
    Ok(members.rows().map(|m| (m.id, m.name.to_owned())).collect())
}

/// The actor's attendance history.
pub async fn history(state: &AppState, actor: &Actor) -> Result<Vec<store::HistoryEntry>> {
    Ok(store::history_of(&state.db, actor.user_id).await?)
}

#[cfg(test)]
mod tests {
    use super::{Duration, NaiveDateTime, Rule, Series, occurrence_moves};

    fn weekly_from(local: &str) -> Series {
        Series {
            tz: chrono_tz::Europe::London,
            local_start: NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M").unwrap_or_default(),
            duration: Duration::hours(1),
            rule: Rule::parse("FREQ=WEEKLY").ok(),
        }
    }

    fn starts(s: &Series, n: usize) -> Vec<chrono::DateTime<chrono::Utc>> {
        s.between(chrono::DateTime::<chrono::Utc>::MIN_UTC, chrono::DateTime::<chrono::Utc>::MAX_UTC, n)
            .into_iter()
            .map(|o| o.original)
            .collect()
    }

    #[test]
    fn a_retimed_series_keeps_each_date_in_its_place() {
        // Tuesdays at 10:00 from 3 March 2026 (across the clocks changing on 29 March) move to
        // 14:00, then a week earlier: the nth date stays the nth, in local time.
        let old = weekly_from("2026-03-03T10:00");
        let later = weekly_from("2026-03-03T14:00");
        let (before, after) = (starts(&old, 6), starts(&later, 6));
        let used = [before[1], before[4]];
        let moves = occurrence_moves(&old, before[0], &later, after[0], &used);
        assert_eq!(moves, vec![(before[1], after[1]), (before[4], after[4])]);
        assert!(
            moves.iter().all(|(from, to)| *to - *from == Duration::hours(4)),
            "14:00 London both sides of the change"
        );

        let earlier = weekly_from("2026-02-24T10:00");
        let moves = occurrence_moves(&old, before[0], &earlier, starts(&earlier, 1)[0], &before[..3]);
        // Each date takes the place of the one before it: the store moves them in two steps.
        assert_eq!(moves.iter().map(|m| m.1).collect::<Vec<_>>()[1..], before[..2]);
        // Nothing recorded, or nothing moved: nothing to do.
        assert!(occurrence_moves(&old, before[0], &later, after[0], &[]).is_empty());
        assert!(occurrence_moves(&old, before[0], &old, before[0], &used).is_empty());
    }
}
