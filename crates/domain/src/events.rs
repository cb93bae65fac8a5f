//! Events: their kinds, where they happen, who they are for, RSVP answers, recurrence rules (a
//! documented RRULE subset) expanded in the organiser's IANA time zone, time-zone transitions
//! for VTIMEZONE blocks, and the fair rotating-host suggestion. Pure: no I/O, no clock.
//!
//! Recurrence is expanded on *local* wall-clock time and only then turned into UTC, so a monthly
//! meeting at 12:00 in Europe/London stays at 12:00 London time across daylight-saving changes.

use crate::error::FieldError;
use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc, Weekday};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal / $label:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s),* } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),* } }
            pub fn parse(s: &str) -> Option<Self> { Self::ALL.iter().copied().find(|v| v.as_str() == s) }
        }
    };
}

str_enum!(
    /// What sort of event it is. External events (conferences, courses) are listed on the shared
    /// calendar but run by someone else.
    EventKind {
        NetworkMeeting = "network_meeting" / "Network meeting",
        CommitteeMeeting = "committee_meeting" / "Committee meeting",
        Launch = "launch" / "Launch event",
        Welcome = "welcome" / "Welcome event",
        Workshop = "workshop" / "Workshop",
        LunchAndLearn = "lunch_and_learn" / "Lunch and learn",
        GuestSpeaker = "guest_speaker" / "Guest speaker",
        BookClub = "book_club" / "Book club",
        FiresideChat = "fireside_chat" / "Fireside chat",
        Spotlight = "spotlight" / "Spotlight session",
        Social = "social" / "Social or coffee meetup",
        ExternalConference = "external_conference" / "External conference",
        ExternalCourse = "external_course" / "External course",
    }
);

impl EventKind {
    pub fn is_external(self) -> bool {
        matches!(self, EventKind::ExternalConference | EventKind::ExternalCourse)
    }
}

str_enum!(
    /// Where people take part.
    LocationMode { InPerson = "in_person" / "In person", Online = "online" / "Online", Hybrid = "hybrid" / "Hybrid (in person and online)" }
);

str_enum!(
    /// Who is invited: the network's members, or everyone signed in to the organisation.
    Audience { Network = "network" / "Members of this network", Organisation = "organisation" / "Everyone in the organisation" }
);

str_enum!(
    /// A person's answer. `Waitlisted` is a "yes" that found the event full; it becomes `Yes`
    /// when a place frees up.
    Rsvp { Yes = "yes" / "Going", No = "no" / "Not going", Maybe = "maybe" / "Maybe", Waitlisted = "waitlisted" / "On the waiting list" }
);

/// Parses an IANA time-zone name such as `Europe/London`.
pub fn parse_time_zone(field: &'static str, raw: &str) -> Result<Tz, FieldError> {
    raw.trim()
        .parse::<Tz>()
        .map_err(|_| FieldError::new(field, "Choose a time zone such as Europe/London or America/New_York."))
}

/// The UTC instant of a local wall-clock time. A time skipped by a spring-forward change is moved
/// forward by the gap (02:30 on the change night becomes 03:30); a time that happens twice in the
/// autumn takes the first (summer-time) instant, as calendar programs do.
pub fn local_to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // Read the wall-clock time with the offset in force just before the gap.
            let before = tz.offset_from_utc_datetime(&(local - Duration::hours(12))).fix();
            Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(before.local_minus_utc()))))
        }
    }
}

/// How long an event typed as `start`–`end` on the wall clock of `tz` lasts: the time between
/// the two instants, so that a night the clocks change is an hour shorter or longer than the
/// clock face says (00:30–03:00 London on the spring change lasts 90 minutes). The start reads as
/// `local_to_utc` reads it; an end that happens twice (the autumn change) is the one that keeps
/// the length closest to the clock face's (01:30–02:00 then: the later 01:30 is not an option,
/// so 90 minutes; 01:10–01:40 on both sides: 30). None when the end is not after the start.
pub fn span(tz: Tz, start: NaiveDateTime, end: NaiveDateTime) -> Option<Duration> {
    let from = local_to_utc(tz, start);
    let typed = end - start;
    let ends = match tz.from_local_datetime(&end) {
        LocalResult::Ambiguous(a, b) => vec![a.with_timezone(&Utc), b.with_timezone(&Utc)],
        _ => vec![local_to_utc(tz, end)],
    };
    ends.into_iter()
        .map(|to| to - from)
        .filter(|d| *d > Duration::zero())
        .min_by_key(|d| (*d - typed).num_seconds().abs())
}

/// How often a series repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freq {
    Daily,
    Weekly,
    Monthly,
}

/// A recurrence rule: the subset of RFC 5545 RRULE that Roundtable understands.
///
/// * `FREQ=DAILY|WEEKLY|MONTHLY` (required), `INTERVAL=n` (1–52),
/// * `BYDAY=MO,WE` for weekly rules; `BYDAY=2TU` (second Tuesday) or `BYDAY=-1FR` (last Friday)
///   for monthly rules; `BYMONTHDAY=15` or `-1` (last day) for monthly rules,
/// * `COUNT=n` (1–500) or `UNTIL=YYYYMMDD[THHMMSSZ]` (the last local date included).
///
/// Anything else (BYSETPOS, BYHOUR, YEARLY, …) is refused with a message rather than ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub freq: Freq,
    pub interval: u32,
    /// Weekly: the weekdays (empty = the start's weekday).
    pub weekdays: Vec<Weekday>,
    /// Monthly: the nth weekday (1..=5, or -1 for the last).
    pub nth_weekday: Option<(i8, Weekday)>,
    /// Monthly: the day of the month (1..=31, or -1 for the last day).
    pub month_day: Option<i8>,
    pub count: Option<u32>,
    pub until: Option<NaiveDate>,
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("MO", Weekday::Mon),
    ("TU", Weekday::Tue),
    ("WE", Weekday::Wed),
    ("TH", Weekday::Thu),
    ("FR", Weekday::Fri),
    ("SA", Weekday::Sat),
    ("SU", Weekday::Sun),
];

fn wd_code(w: Weekday) -> &'static str {
    WEEKDAYS.iter().find(|(_, d)| *d == w).map_or("MO", |(c, _)| c)
}

fn wd_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn ordinal(n: i8) -> &'static str {
    match n {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        5 => "fifth",
        _ => "last",
    }
}

impl Rule {
    fn simple(freq: Freq) -> Self {
        Rule { freq, interval: 1, weekdays: Vec::new(), nth_weekday: None, month_day: None, count: None, until: None }
    }
    pub fn weekly() -> Self {
        Self::simple(Freq::Weekly)
    }
    /// Monthly on the same weekday position as `start` ("second Tuesday").
    pub fn monthly_nth(start: NaiveDate) -> Self {
        let n = i8::try_from((start.day() - 1) / 7 + 1).unwrap_or(1);
        Rule { nth_weekday: Some((n, start.weekday())), ..Self::simple(Freq::Monthly) }
    }
    /// Monthly on the last such weekday as `start` ("last Friday").
    pub fn monthly_last(start: NaiveDate) -> Self {
        Rule { nth_weekday: Some((-1, start.weekday())), ..Self::simple(Freq::Monthly) }
    }

    pub fn parse(raw: &str) -> Result<Rule, FieldError> {
        let err = |m: String| FieldError::new("rrule", m);
        let s = raw.trim().trim_start_matches("RRULE:").to_ascii_uppercase();
        let mut rule = Rule::simple(Freq::Weekly);
        let mut freq = None;
        for part in s.split(';').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(|| err(format!("\"{part}\" is not NAME=VALUE.")))?;
            match k {
                "FREQ" => {
                    freq = Some(match v {
                        "DAILY" => Freq::Daily,
                        "WEEKLY" => Freq::Weekly,
                        "MONTHLY" => Freq::Monthly,
                        _ => return Err(err("FREQ must be DAILY, WEEKLY or MONTHLY.".into())),
                    })
                }
                "INTERVAL" => {
                    rule.interval = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=52).contains(n))
                        .ok_or_else(|| err("INTERVAL must be 1 to 52.".into()))?
                }
                "COUNT" => {
                    rule.count = Some(
                        v.parse()
                            .ok()
                            .filter(|n| (1..=500).contains(n))
                            .ok_or_else(|| err("COUNT must be 1 to 500.".into()))?,
                    )
                }
                "UNTIL" => {
                    let d = v.get(..8).and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok());
                    rule.until = Some(d.ok_or_else(|| err("UNTIL must be a date like 20271231.".into()))?);
                }
                "BYMONTHDAY" => {
                    let n: i8 = v.parse().map_err(|_| err("BYMONTHDAY must be a day 1 to 31, or -1.".into()))?;
                    if !(n == -1 || (1..=31).contains(&n)) {
                        return Err(err("BYMONTHDAY must be a day 1 to 31, or -1.".into()));
                    }
                    rule.month_day = Some(n);
                }
                "BYDAY" => {
                    for d in v.split(',') {
                        let code = d.get(d.len().saturating_sub(2)..).unwrap_or("");
                        let wd = WEEKDAYS
                            .iter()
                            .find(|(c, _)| *c == code)
                            .map(|(_, w)| *w)
                            .ok_or_else(|| err(format!("\"{d}\" is not a weekday like MO or 2TU.")))?;
                        let prefix = &d[..d.len() - 2];
                        if prefix.is_empty() {
                            rule.weekdays.push(wd);
                        } else {
                            let n: i8 = prefix
                                .parse()
                                .map_err(|_| err(format!("\"{d}\" is not a weekday like 2TU or -1FR.")))?;
                            if !(n == -1 || (1..=5).contains(&n)) || rule.nth_weekday.is_some() {
                                return Err(err(
                                    "Use one monthly weekday such as 2TU (second Tuesday) or -1FR (last Friday)."
                                        .into(),
                                ));
                            }
                            rule.nth_weekday = Some((n, wd));
                        }
                    }
                }
                "WKST" => {}
                other => {
                    return Err(err(format!(
                        "{other} is not supported; use FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT or UNTIL."
                    )));
                }
            }
        }
        rule.freq = freq.ok_or_else(|| err("Start the rule with FREQ=WEEKLY or FREQ=MONTHLY.".into()))?;
        match rule.freq {
            Freq::Monthly if !rule.weekdays.is_empty() => {
                return Err(err("For a monthly rule give the position too, e.g. BYDAY=2TU.".into()));
            }
            Freq::Weekly | Freq::Daily if rule.nth_weekday.is_some() || rule.month_day.is_some() => {
                return Err(err("Positions like 2TU and BYMONTHDAY only go with FREQ=MONTHLY.".into()));
            }
            Freq::Daily if !rule.weekdays.is_empty() => {
                return Err(err("BYDAY does not go with FREQ=DAILY.".into()));
            }
            Freq::Monthly if rule.nth_weekday.is_some() && rule.month_day.is_some() => {
                return Err(err("Use either BYDAY or BYMONTHDAY, not both.".into()));
            }
            _ => {}
        }
        if rule.count.is_some() && rule.until.is_some() {
            return Err(err("Use either COUNT or UNTIL, not both.".into()));
        }
        rule.weekdays.sort_by_key(Weekday::num_days_from_monday);
        rule.weekdays.dedup();
        Ok(rule)
    }

    /// The rule as RRULE text (without the `RRULE:` prefix).
    pub fn to_rrule(&self) -> String {
        let mut parts = vec![format!(
            "FREQ={}",
            match self.freq {
                Freq::Daily => "DAILY",
                Freq::Weekly => "WEEKLY",
                Freq::Monthly => "MONTHLY",
            }
        )];
        if self.interval > 1 {
            parts.push(format!("INTERVAL={}", self.interval));
        }
        if !self.weekdays.is_empty() {
            parts.push(format!("BYDAY={}", self.weekdays.iter().map(|w| wd_code(*w)).collect::<Vec<_>>().join(",")));
        }
        if let Some((n, w)) = self.nth_weekday {
            parts.push(format!("BYDAY={n}{}", wd_code(w)));
        }
        if let Some(d) = self.month_day {
            parts.push(format!("BYMONTHDAY={d}"));
        }
        if let Some(c) = self.count {
            parts.push(format!("COUNT={c}"));
        }
        if let Some(u) = self.until {
            // UNTIL is inclusive; as a UTC date-time the end of that day is safest for clients.
            parts.push(format!("UNTIL={}T235959Z", u.format("%Y%m%d")));
        }
        parts.join(";")
    }

    /// The rule for a calendar file whose DTSTART is on `tz`'s clock: UNTIL, which RFC 5545 wants
    /// in UTC there, is the end of the last day on that clock (written as that day's 23:59:59 UTC,
    /// a Singapore series would keep a date past its end, and an evening one in New York lose
    /// its last).
    pub fn to_rrule_in(&self, tz: Tz) -> String {
        let Some(until) = self.until else { return self.to_rrule() };
        let open = Rule { until: None, ..self.clone() };
        let end = local_to_utc(tz, until.and_hms_opt(23, 59, 59).unwrap_or_default());
        format!("{};UNTIL={}", open.to_rrule(), end.format("%Y%m%dT%H%M%SZ"))
    }

    /// Plain words: "Every month on the second Tuesday".
    pub fn describe(&self) -> String {
        let every = |unit: &str| {
            if self.interval == 1 { format!("Every {unit}") } else { format!("Every {} {unit}s", self.interval) }
        };
        let mut s = match self.freq {
            Freq::Daily => every("day"),
            Freq::Weekly if self.weekdays.is_empty() => every("week"),
            Freq::Weekly => {
                format!(
                    "{} on {}",
                    every("week"),
                    self.weekdays.iter().map(|w| wd_name(*w)).collect::<Vec<_>>().join(", ")
                )
            }
            Freq::Monthly => match (self.nth_weekday, self.month_day) {
                (Some((n, w)), _) => {
                    format!("{} on the {} {}", every("month"), ordinal(n), wd_name(w))
                }
                (_, Some(-1)) => format!("{} on the last day", every("month")),
                (_, Some(d)) => format!("{} on day {d}", every("month")),
                _ => every("month"),
            },
        };
        if let Some(c) = self.count {
            s.push_str(&format!(", {c} times"));
        }
        if let Some(u) = self.until {
            s.push_str(&format!(", until {}", u.format("%-d %B %Y")));
        }
        s
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    let next = if m == 12 { NaiveDate::from_ymd_opt(y + 1, 1, 1) } else { NaiveDate::from_ymd_opt(y, m + 1, 1) };
    next.and_then(|n| n.pred_opt()).map_or(28, |d| d.day())
}

/// The nth (1..=5) or last (-1) `wd` of a month, if it exists.
pub fn nth_weekday_of_month(y: i32, m: u32, n: i8, wd: Weekday) -> Option<NaiveDate> {
    if n == -1 {
        let last = NaiveDate::from_ymd_opt(y, m, days_in_month(y, m))?;
        let back = (7 + last.weekday().num_days_from_monday() - wd.num_days_from_monday()) % 7;
        return last.checked_sub_signed(Duration::days(i64::from(back)));
    }
    let first = NaiveDate::from_ymd_opt(y, m, 1)?;
    let fwd = (7 + wd.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
    let d = first + Duration::days(i64::from(fwd) + 7 * (i64::from(n) - 1));
    (d.month() == m).then_some(d)
}

/// A series as stored: the first start in local time, its zone, its length, and the rule.
#[derive(Debug, Clone)]
pub struct Series {
    pub tz: Tz,
    pub local_start: NaiveDateTime,
    pub duration: Duration,
    pub rule: Option<Rule>,
}

/// One occurrence. `original` is its start before any exception moved it: the key for RSVPs,
/// check-in, notes and exceptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub original: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Upper bound on generated dates, so a hostile rule cannot spin.
const MAX_CANDIDATES: usize = 20_000;

impl Series {
    /// Every local start date of the series, in order, until `stop` returns true.
    fn dates(&self, mut visit: impl FnMut(NaiveDate) -> bool) {
        let start = self.local_start.date();
        let Some(rule) = &self.rule else {
            visit(start);
            return;
        };
        let mut emitted = 0u32;
        let mut seen = 0usize;
        let step = i64::from(rule.interval.max(1));
        let mut emit = |d: NaiveDate, visit: &mut dyn FnMut(NaiveDate) -> bool| -> bool {
            if d < start {
                return true;
            }
            if rule.until.is_some_and(|u| d > u) || rule.count.is_some_and(|c| emitted >= c) {
                return false;
            }
            emitted += 1;
            visit(d)
        };
        for k in 0.. {
            seen += 1;
            if seen > MAX_CANDIDATES {
                return;
            }
            let go_on = match rule.freq {
                Freq::Daily => emit(start + Duration::days(k * step), &mut visit),
                Freq::Weekly => {
                    let monday = start - Duration::days(i64::from(start.weekday().num_days_from_monday()))
                        + Duration::weeks(k * step);
                    let days = if rule.weekdays.is_empty() { vec![start.weekday()] } else { rule.weekdays.clone() };
                    days.iter().all(|w| emit(monday + Duration::days(i64::from(w.num_days_from_monday())), &mut visit))
                }
                Freq::Monthly => {
                    let months = i64::from(start.month0()) + k * step;
                    let y = start.year() + i32::try_from(months.div_euclid(12)).unwrap_or(0);
                    let m = u32::try_from(months.rem_euclid(12)).unwrap_or(0) + 1;
                    let d = match (rule.nth_weekday, rule.month_day) {
                        (Some((n, w)), _) => nth_weekday_of_month(y, m, n, w),
                        (_, Some(-1)) => NaiveDate::from_ymd_opt(y, m, days_in_month(y, m)),
                        (_, Some(d)) => NaiveDate::from_ymd_opt(y, m, u32::try_from(d).unwrap_or(1)),
                        _ => NaiveDate::from_ymd_opt(y, m, start.day()),
                    };
                    // A month without that day (31st, fifth Friday) is skipped, as RFC 5545 says.
                    d.is_none_or(|d| emit(d, &mut visit))
                }
            };
            if !go_on {
                return;
            }
        }
    }

    fn occurrence_on(&self, d: NaiveDate) -> Occurrence {
        let start = local_to_utc(self.tz, d.and_time(self.local_start.time()));
        Occurrence { original: start, start, end: start + self.duration }
    }

    /// Occurrences overlapping `[from, to)`, at most `limit`.
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>, limit: usize) -> Vec<Occurrence> {
        let mut out = Vec::new();
        // Local dates past `to` plus a day of zone slack cannot start before `to`.
        let last_date = to.naive_utc().date().checked_add_signed(Duration::days(2)).unwrap_or(NaiveDate::MAX);
        self.dates(|d| {
            if d > last_date || out.len() >= limit {
                return false;
            }
            let o = self.occurrence_on(d);
            if o.end > from && o.start < to {
                out.push(o);
            }
            true
        });
        out
    }

    /// The first occurrence, if the rule gives any date at all.
    pub fn first(&self) -> Option<Occurrence> {
        let mut first = None;
        self.dates(|d| {
            first = Some(self.occurrence_on(d));
            false
        });
        first
    }

    /// The occurrence that originally started at `original`, if the series has one.
    pub fn find(&self, original: DateTime<Utc>) -> Option<Occurrence> {
        self.between(original, original + Duration::seconds(1), 1000).into_iter().find(|o| o.original == original)
    }

    /// The end of the last occurrence, or `None` when the series never ends.
    pub fn last_end(&self) -> Option<DateTime<Utc>> {
        if self.rule.as_ref().is_some_and(|r| r.count.is_none() && r.until.is_none()) {
            return None;
        }
        let mut last = None;
        self.dates(|d| {
            last = Some(d);
            true
        });
        last.map(|d| self.occurrence_on(d).end)
    }
}

/// A change of UTC offset in a zone, for VTIMEZONE observances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub at: DateTime<Utc>,
    pub offset_from: i32,
    pub offset_to: i32,
    pub is_dst: bool,
    pub abbreviation: String,
}

fn offset_at(tz: Tz, t: DateTime<Utc>) -> (i32, bool, String) {
    let o = tz.offset_from_utc_datetime(&t.naive_utc());
    (o.fix().local_minus_utc(), o.dst_offset() != Duration::zero(), o.abbreviation().unwrap_or("").to_owned())
}

/// The offset in force at `from`, and every change of offset in `[from, to)`.
pub fn transitions(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> ((i32, bool, String), Vec<Transition>) {
    let first = offset_at(tz, from);
    let mut out = Vec::new();
    let mut t = from;
    let mut cur = first.0;
    while t < to {
        let next = (t + Duration::hours(12)).min(to);
        let (off, _, _) = offset_at(tz, next);
        if off != cur {
            // Bisect to the second.
            // Bisect on whole seconds: zones change offset on a second boundary.
            let (mut lo, mut hi) = (t.timestamp(), next.timestamp());
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                let at = DateTime::from_timestamp(mid, 0).unwrap_or(t);
                if offset_at(tz, at).0 == cur { lo = mid } else { hi = mid }
            }
            let hi = DateTime::from_timestamp(hi, 0).unwrap_or(next);
            let (to_off, is_dst, abbr) = offset_at(tz, hi);
            out.push(Transition { at: hi, offset_from: cur, offset_to: to_off, is_dst, abbreviation: abbr });
            cur = to_off;
        }
        t = next;
    }
    (first, out)
}

/// One candidate for hosting the next meeting.
#[derive(Debug, Clone)]
pub struct HostCandidate<Id> {
    pub id: Id,
    pub times_hosted: u32,
    pub last_hosted: Option<DateTime<Utc>>,
    /// False when the person said they cannot come (or is away).
    pub available: bool,
}

/// Candidates in the order to suggest them: only available people; fewest times hosted first;
/// then whoever hosted longest ago (never hosted comes first); then a stable tie-break on id, so
/// the suggestion rotates through everyone before anyone hosts twice.
pub fn rank_hosts<Id: Clone + Ord>(candidates: &[HostCandidate<Id>]) -> Vec<Id> {
    let mut c: Vec<&HostCandidate<Id>> = candidates.iter().filter(|c| c.available).collect();
    c.sort_by(|a, b| {
        a.times_hosted
            .cmp(&b.times_hosted)
            .then_with(|| a.last_hosted.cmp(&b.last_hosted))
            .then_with(|| a.id.cmp(&b.id))
    });
    c.into_iter().map(|c| c.id.clone()).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_calendar_files_until_is_the_end_of_the_last_day_on_the_events_clock() {
        let rule = super::Rule::parse("FREQ=WEEKLY;UNTIL=20261214T235959Z").unwrap();
        let singapore: Tz = "Asia/Singapore".parse().unwrap();
        assert_eq!(rule.to_rrule_in(singapore), "FREQ=WEEKLY;UNTIL=20261214T155959Z");
        let new_york: Tz = "America/New_York".parse().unwrap();
        assert_eq!(rule.to_rrule_in(new_york), "FREQ=WEEKLY;UNTIL=20261215T045959Z");
        let open = super::Rule::parse("FREQ=WEEKLY").unwrap();
        assert_eq!(open.to_rrule_in(singapore), "FREQ=WEEKLY");
    }

    #[test]
    fn a_night_the_clocks_change_is_shorter_or_longer_than_the_clock_face() {
        use super::span;
        let london: Tz = "Europe/London".parse().unwrap();
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
        let minutes = |s, e| span(london, at(s), at(e)).map(|d| d.num_minutes());
        assert_eq!(minutes("2027-03-28T00:30", "2027-03-28T03:00"), Some(90), "an hour is skipped");
        assert_eq!(minutes("2027-10-31T00:30", "2027-10-31T03:00"), Some(210), "an hour happens twice");
        assert_eq!(minutes("2027-10-31T01:30", "2027-10-31T02:00"), Some(90), "from the first 01:30");
        assert_eq!(minutes("2027-10-31T01:10", "2027-10-31T01:40"), Some(30), "both in the repeated hour");
        assert_eq!(minutes("2027-01-12T12:00", "2027-01-12T13:00"), Some(60), "an ordinary day");
        assert_eq!(minutes("2027-01-12T12:00", "2027-01-12T12:00"), None);
    }

    use super::*;
    use chrono::NaiveTime;

    fn london() -> Tz {
        "Europe/London".parse().unwrap()
    }
    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }
    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }
    fn series(tz: Tz, start: &str, rule: &str) -> Series {
        Series { tz, local_start: local(start), duration: Duration::hours(1), rule: Some(Rule::parse(rule).unwrap()) }
    }

    #[test]
    fn a_monthly_london_meeting_stays_at_noon_local_across_both_dst_changes() {
        // Second Tuesday at 12:00 London, from January: winter (UTC+0), summer (UTC+1), winter again.
        let s = series(london(), "2027-01-12T12:00", "FREQ=MONTHLY;BYDAY=2TU");
        let occ = s.between(utc("2027-01-01T00:00:00Z"), utc("2028-01-01T00:00:00Z"), 100);
        assert_eq!(occ.len(), 12);
        for o in &occ {
            let l = o.start.with_timezone(&london());
            assert_eq!(l.time(), NaiveTime::from_hms_opt(12, 0, 0).unwrap(), "{l}");
            assert_eq!(l.weekday(), Weekday::Tue);
            assert!((8..=14).contains(&l.day()), "second Tuesday: {l}");
        }
        assert_eq!(occ[0].start, utc("2027-01-12T12:00:00Z"), "GMT in January");
        assert_eq!(occ[3].start, utc("2027-04-13T11:00:00Z"), "BST in April: 12:00 London is 11:00 UTC");
        assert_eq!(occ[10].start, utc("2027-11-09T12:00:00Z"), "GMT again in November");
    }

    #[test]
    fn weekly_events_keep_local_time_over_the_spring_and_autumn_changes_in_new_york() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let s = series(ny, "2027-03-01T09:30", "FREQ=WEEKLY");
        let occ = s.between(utc("2027-03-01T00:00:00Z"), utc("2027-03-31T00:00:00Z"), 100);
        // US DST starts 14 March 2027: offset goes from -5 to -4.
        assert_eq!(occ[1].start, utc("2027-03-08T14:30:00Z"));
        assert_eq!(occ[2].start, utc("2027-03-15T13:30:00Z"));
        let autumn = series(ny, "2027-10-25T09:30", "FREQ=WEEKLY;COUNT=3");
        let occ = autumn.between(utc("2027-10-01T00:00:00Z"), utc("2027-12-01T00:00:00Z"), 100);
        assert_eq!(occ.len(), 3);
        assert_eq!(occ[0].start, utc("2027-10-25T13:30:00Z"));
        assert_eq!(occ[1].start, utc("2027-11-01T13:30:00Z"), "still EDT on 1 November");
        assert_eq!(occ[2].start, utc("2027-11-08T14:30:00Z"), "EST after 7 November");
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_forward_and_an_ambiguous_one_takes_the_first() {
        // London skips 01:00–02:00 on 28 March 2027 and repeats 01:00–02:00 on 31 October 2027.
        assert_eq!(local_to_utc(london(), local("2027-03-28T01:30")), utc("2027-03-28T01:30:00Z"));
        assert_eq!(local_to_utc(london(), local("2027-10-31T01:30")), utc("2027-10-31T00:30:00Z"));
    }

    #[test]
    fn last_weekday_of_month_handles_short_and_long_months() {
        assert_eq!(nth_weekday_of_month(2027, 2, -1, Weekday::Fri), NaiveDate::from_ymd_opt(2027, 2, 26));
        assert_eq!(nth_weekday_of_month(2027, 4, -1, Weekday::Fri), NaiveDate::from_ymd_opt(2027, 4, 30));
        assert_eq!(nth_weekday_of_month(2027, 2, 5, Weekday::Fri), None, "no fifth Friday in February 2027");
        let s = series(london(), "2027-01-29T17:00", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=4");
        let days: Vec<u32> = s
            .between(utc("2027-01-01T00:00:00Z"), utc("2028-01-01T00:00:00Z"), 10)
            .iter()
            .map(|o| o.start.day())
            .collect();
        assert_eq!(days, vec![29, 26, 26, 30]);
        assert_eq!(
            Rule::monthly_last(NaiveDate::from_ymd_opt(2027, 1, 29).unwrap()).to_rrule(),
            "FREQ=MONTHLY;BYDAY=-1FR"
        );
    }

    #[test]
    fn rules_round_trip_and_describe_themselves_and_bad_rules_are_explained() {
        let r = Rule::parse("RRULE:FREQ=MONTHLY;BYDAY=2TU;UNTIL=20271231T000000Z").unwrap();
        assert_eq!(r.to_rrule(), "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20271231T235959Z");
        assert_eq!(r.describe(), "Every month on the second Tuesday, until 31 December 2027");
        assert_eq!(
            Rule::parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE,MO").unwrap().describe(),
            "Every 2 weeks on Monday, Wednesday"
        );
        assert!(Rule::parse("FREQ=YEARLY").unwrap_err().message.contains("FREQ must be"));
        assert!(Rule::parse("FREQ=WEEKLY;BYSETPOS=1").unwrap_err().message.contains("not supported"));
        assert!(Rule::parse("FREQ=MONTHLY;BYDAY=TU").is_err());
        assert!(Rule::parse("FREQ=WEEKLY;COUNT=2;UNTIL=20270101").is_err());
        assert!(Rule::parse("BYDAY=MO").is_err());
    }

    #[test]
    fn until_and_count_bound_the_series_and_give_its_last_end() {
        let s = series(london(), "2027-01-05T10:00", "FREQ=WEEKLY;UNTIL=20270126");
        assert_eq!(s.last_end(), Some(utc("2027-01-26T11:00:00Z")));
        assert_eq!(series(london(), "2027-01-05T10:00", "FREQ=WEEKLY").last_end(), None);
        let one = Series {
            tz: london(),
            local_start: local("2027-06-01T10:00"),
            duration: Duration::minutes(90),
            rule: None,
        };
        assert_eq!(one.last_end(), Some(utc("2027-06-01T10:30:00Z")));
        assert_eq!(one.find(utc("2027-06-01T09:00:00Z")).map(|o| o.end), Some(utc("2027-06-01T10:30:00Z")));
        assert!(s.find(utc("2027-01-06T10:00:00Z")).is_none());
    }

    #[test]
    fn months_without_the_day_are_skipped() {
        let s = series(london(), "2027-01-31T09:00", "FREQ=MONTHLY;COUNT=3");
        let months: Vec<u32> = s
            .between(utc("2027-01-01T00:00:00Z"), utc("2028-01-01T00:00:00Z"), 10)
            .iter()
            .map(|o| o.start.month())
            .collect();
        assert_eq!(months, vec![1, 3, 5]);
    }

    #[test]
    fn transitions_find_both_london_changes_of_a_year() {
        let ((off, dst, _), t) = transitions(london(), utc("2027-01-01T00:00:00Z"), utc("2028-01-01T00:00:00Z"));
        assert_eq!((off, dst), (0, false));
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].at, utc("2027-03-28T01:00:00Z"));
        assert_eq!((t[0].offset_from, t[0].offset_to, t[0].is_dst), (0, 3600, true));
        assert_eq!(t[0].abbreviation, "BST");
        assert_eq!(t[1].at, utc("2027-10-31T01:00:00Z"));
    }

    #[test]
    fn the_host_suggestion_rotates_fairly_and_skips_people_who_cannot_come() {
        let c = |id: u8, n: u32, last: Option<&str>, available: bool| HostCandidate {
            id,
            times_hosted: n,
            last_hosted: last.map(utc),
            available,
        };
        let ranked = rank_hosts(&[
            c(1, 2, Some("2027-03-01T00:00:00Z"), true),
            c(2, 1, Some("2027-02-01T00:00:00Z"), true),
            c(3, 1, Some("2027-01-01T00:00:00Z"), true),
            c(4, 0, None, false),
            c(5, 1, None, true),
        ]);
        assert_eq!(ranked, vec![5, 3, 2, 1], "fewest first, then longest ago; 4 cannot come");
        assert!(rank_hosts::<u8>(&[]).is_empty());
    }
}
