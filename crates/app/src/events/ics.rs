//! iCalendar output (RFC 5545 / iTIP RFC 5546): subscription feeds (METHOD:PUBLISH) with one
//! VEVENT per series (RRULE, EXDATE for cancelled occurrences, RECURRENCE-ID overrides for moved
//! ones), and invitations (METHOD:REQUEST / CANCEL) for one occurrence. Times are written as
//! `TZID=<organiser's zone>` local times, with a VTIMEZONE block built from chrono-tz's
//! transitions so clients that do not know the IANA name still get the offsets right.
//!
//! UIDs: `<event id>@roundtable` for a series or one-off event; an invitation to one occurrence
//! of a recurring series uses `<event id>-<n>-<rule>@roundtable`: the date's place in the series
//! (1 for the first), which stays when the series is re-timed (its answers move along, nth to
//! nth: an invitation keyed by the time would arrive as a second entry beside the first), and 8
//! hex digits of the rule without its end, which change with the rule (its nth date is another
//! day then, and the old one's entry was cancelled). SEQUENCE is
//! the event's counter, raised at every change, so calendar programs update the entry they
//! already have.

use crate::events::Item;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use icalendar::{Calendar, Component, EventLike, EventStatus, Property};
use roundtable_domain::events::{LocationMode, transitions};
use roundtable_store::events::{Event, Exception};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Publish,
    Request,
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Publish => "PUBLISH",
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

pub fn series_uid(e: &Event) -> String {
    format!("{}@roundtable", e.id)
}

pub(crate) fn occurrence_uid(e: &Event, original: DateTime<Utc>) -> String {
    if e.rrule.is_empty() {
        return series_uid(e);
    }
    // Dates before this one (a few hundred at most: a weekly series over years), counted
    // without the series' end, which a "cancel from here on" moves before this very date; and
    // the rule's shape, so that a new rule's nth date (another day) is not taken for the old
    // one's, whose entry calendars hold as cancelled.
    let mut s = crate::events::series(e);
    let mut shape = String::new();
    if let Some(rule) = s.rule.as_mut() {
        (rule.until, rule.count) = (None, None);
        shape = crate::security::token_hash(&rule.to_rrule())[..8].to_owned();
    }
    let place = s.between(e.starts_at, original, 100_000).len() + 1;
    format!("{}-{place}-{shape}@roundtable", e.id)
}

fn tz_of(e: &Event) -> Tz {
    e.time_zone.parse().unwrap_or(Tz::UTC)
}

fn local(t: DateTime<Utc>, tz: Tz) -> (chrono::NaiveDateTime, Tz) {
    (t.with_timezone(&tz).naive_local(), tz)
}

fn location(e: &Event) -> String {
    match e.location_mode {
        LocationMode::InPerson => e.place.clone(),
        LocationMode::Online => e.online_url.clone(),
        LocationMode::Hybrid => format!("{} / {}", e.place, e.online_url),
    }
}

/// `public_url` None leaves out the event's address (`URL`).
fn base(e: &Event, uid: &str, public_url: Option<&str>) -> icalendar::Event {
    let mut v = icalendar::Event::new();
    v.uid(uid)
        .summary(&e.title)
        // Calendars show the description as plain text: the words, not the Markdown marks.
        .description(&if e.theme.is_empty() {
            crate::members::markdown_text(&e.description)
        } else {
            format!("Theme: {}\n\n{}", e.theme, crate::members::markdown_text(&e.description))
        })
        .location(&location(e))
        .sequence(u32::try_from(e.sequence).unwrap_or(0))
        // When this message was written (RFC 5545 for an object with a METHOD): of two messages
        // with the same SEQUENCE — "going", then a cancellation, then "going" again — calendar
        // programs keep the one stamped later.
        .timestamp(Utc::now())
        .last_modified(e.updated_at)
        .created(e.created_at)
        .add_property("CATEGORIES", e.kind.label());
    if let Some(public_url) = public_url {
        v.url(&format!("{public_url}/events/{}", e.id));
    }
    v
}

/// A calendar of series for a subscription feed.
pub fn feed(name: &str, series: &[(Event, Vec<Exception>)], public_url: &str) -> String {
    let mut cal = Calendar::new();
    cal.name(name).append_property(Property::new("METHOD", Method::Publish.as_str()));
    let mut zones: Vec<Tz> = Vec::new();
    for (e, exceptions) in series {
        let tz = tz_of(e);
        if !zones.contains(&tz) {
            zones.push(tz);
        }
        let first_end = e.starts_at + Duration::minutes(e.duration_minutes);
        let mut v = base(e, &series_uid(e), Some(public_url));
        v.starts(local(e.starts_at, tz)).ends(local(first_end, tz));
        v.status(if e.cancelled { EventStatus::Cancelled } else { EventStatus::Confirmed });
        if !e.rrule.is_empty() {
            let rule = roundtable_domain::events::Rule::parse(&e.rrule).map(|r| r.to_rrule_in(tz));
            v.add_property("RRULE", rule.as_deref().unwrap_or(&e.rrule));
            for x in exceptions.iter().filter(|x| x.cancelled) {
                v.append_multi_property(with_tz("EXDATE", x.occurrence_at, tz));
            }
        }
        cal.push(v.done());
        // Overrides of dates the series still has: a series ended early (split or cancelled
        // from a date on) keeps its old moved dates, which would show beside their successors.
        let within = |x: &&Exception| e.last_ends_at.is_none_or(|end| x.occurrence_at < end);
        for x in exceptions.iter().filter(|x| !x.cancelled).filter(within) {
            let (Some(s), Some(end)) = (x.starts_at, x.ends_at) else {
                continue;
            };
            let mut o = base(e, &series_uid(e), Some(public_url));
            o.starts(local(s, tz)).ends(local(end, tz)).recurrence_id(local(x.occurrence_at, tz));
            if let Some(t) = &x.title {
                o.summary(t);
            }
            cal.push(o.done());
        }
    }
    with_timezones(&cal.done().to_string(), &zones, series.iter().map(|(e, _)| e.starts_at).min())
}

fn with_tz(key: &str, t: DateTime<Utc>, tz: Tz) -> Property {
    Property::new(key, t.with_timezone(&tz).format("%Y%m%dT%H%M%S").to_string()).add_parameter("TZID", tz.name()).done()
}

/// The person an invitation is for, and their answer as the calendar should record it.
pub struct Attendee<'a> {
    pub email: &'a str,
    pub name: &'a str,
    /// Going (ACCEPTED), or not yet sure of a place — a "maybe", the waiting list (TENTATIVE).
    /// A cancellation records DECLINED whatever this says.
    pub going: bool,
}

/// An invitation (REQUEST) or cancellation (CANCEL) of one occurrence, addressed to `attendee`;
/// or the occurrence to add to one's own calendar (PUBLISH, no attendee: a download says nothing
/// of anyone's answer). `public_url` None: no link to the event's page.
pub fn invitation(
    method: Method,
    item: &Item,
    attendee: Option<Attendee<'_>>,
    organiser: &str,
    public_url: Option<&str>,
) -> String {
    let e = &item.event;
    let tz = tz_of(e);
    let mut cal = Calendar::new();
    cal.append_property(Property::new("METHOD", method.as_str()));
    let mut v = base(e, &occurrence_uid(e, item.occ.original), public_url);
    v.starts(local(item.occ.start, tz)).ends(local(item.occ.end, tz));
    if let Some(t) = &item.title_override {
        v.summary(t);
    }
    v.status(if method == Method::Cancel { EventStatus::Cancelled } else { EventStatus::Confirmed });
    v.append_property(
        Property::new("ORGANIZER", format!("mailto:{organiser}")).add_parameter("CN", "Roundtable").done(),
    );
    if let Some(a) = attendee {
        let answer = match method {
            Method::Cancel => "DECLINED",
            _ if a.going => "ACCEPTED",
            _ => "TENTATIVE",
        };
        v.append_property(
            Property::new("ATTENDEE", format!("mailto:{}", a.email))
                .add_parameter("CN", a.name)
                .add_parameter("PARTSTAT", answer)
                .add_parameter("RSVP", "FALSE")
                .done(),
        );
    }
    cal.push(v.done());
    with_timezones(&cal.done().to_string(), &[tz], Some(item.occ.start))
}

/// Inserts a VTIMEZONE per zone (covering a year before the first start to five years ahead)
/// right after the calendar's own properties. The icalendar crate writes no VTIMEZONE.
fn with_timezones(ics: &str, zones: &[Tz], first: Option<DateTime<Utc>>) -> String {
    let from = first.unwrap_or_else(Utc::now) - Duration::days(366);
    let to = from + Duration::days(366 * 7);
    let mut blocks = String::new();
    for tz in zones {
        blocks.push_str(&vtimezone(*tz, from, to));
    }
    match ics.find("BEGIN:VEVENT") {
        Some(i) => format!("{}{blocks}{}", &ics[..i], &ics[i..]),
        None => ics.replacen("END:VCALENDAR", &format!("{blocks}END:VCALENDAR"), 1),
    }
}

fn offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    format!("{sign}{:02}{:02}", a / 3600, (a % 3600) / 60)
}

/// A VTIMEZONE with one observance per offset change in `[from, to)`.
pub fn vtimezone(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let ((off, dst, abbr), changes) = transitions(tz, from, to);
    let mut s = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    let mut observance = |kind: &str, start_local: String, from_off: i32, to_off: i32, name: &str| {
        s.push_str(&format!(
            "BEGIN:{kind}\r\nDTSTART:{start_local}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n{}END:{kind}\r\n",
            offset(from_off),
            offset(to_off),
            if name.is_empty() { String::new() } else { format!("TZNAME:{name}\r\n") }
        ));
    };
    // The offset in force at the start, as an observance beginning then.
    let start_local = (from + Duration::seconds(i64::from(off))).format("%Y%m%dT%H%M%S").to_string();
    observance(if dst { "DAYLIGHT" } else { "STANDARD" }, start_local, off, off, &abbr);
    for c in changes {
        // DTSTART of an observance is the local time *before* the change (RFC 5545 §3.6.5).
        let l = (c.at + Duration::seconds(i64::from(c.offset_from))).format("%Y%m%dT%H%M%S").to_string();
        observance(if c.is_dst { "DAYLIGHT" } else { "STANDARD" }, l, c.offset_from, c.offset_to, &c.abbreviation);
    }
    s.push_str("END:VTIMEZONE\r\n");
    s
}
