//! HTTP plumbing shared by every area: errors, extractors, the page layout, forms, assets and the
//! router that merges the areas' routers.

pub mod assets;
pub mod error;
pub mod extract;
pub mod form;
pub mod health;
pub mod router;
pub mod serve;

pub use error::{ApiError, ApiResult, AppError, Result};
pub use extract::{ApiUser, MaybeSigned, Path, Query, Signed};
pub use form::Form;

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use roundtable_domain::FieldError;

/// What every page's frame needs: the title, who is signed in (for the navigation) and a notice.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub title: String,
    pub user_name: Option<String>,
    pub is_admin: bool,
    pub notice: Option<std::borrow::Cow<'static, str>>,
    /// The page shown, to mark where the person is in the navigation.
    pub path: String,
}

impl Layout {
    pub fn anonymous(title: &str) -> Self {
        Self { title: title.to_owned(), ..Self::default() }
    }
    pub fn for_user(title: &str, s: &Signed) -> Self {
        Self {
            title: title.to_owned(),
            user_name: Some(s.user.name.clone()),
            is_admin: s.user.is_org_admin,
            notice: None,
            path: s.path.clone(),
        }
    }
    pub fn for_maybe(title: &str, s: &Option<Signed>) -> Self {
        s.as_ref().map_or_else(|| Self::anonymous(title), |s| Self::for_user(title, s))
    }
    pub fn with_notice(mut self, n: Option<&'static str>) -> Self {
        self.notice = n.map(Into::into);
        self
    }

    /// A notice that names something (a network), made for this page; when there is one it
    /// replaces the fixed text of `with_notice`.
    pub fn with_notice_text(mut self, n: Option<String>) -> Self {
        if let Some(n) = n {
            self.notice = Some(n.into());
        }
        self
    }

    /// The `aria-current` attribute for a navigation link to `section[0]` (which may also cover
    /// pages under the other paths given): "page" on that very page, "true" anywhere under
    /// it, nothing elsewhere. Markup we write, for `|safe`.
    pub fn current(&self, section: &[&str]) -> &'static str {
        let under = |p: &str| p != "/" && self.path.strip_prefix(p).is_some_and(|rest| rest.starts_with('/'));
        if section.first().is_some_and(|&p| p == self.path) {
            " aria-current=\"page\""
        } else if section.iter().any(|&p| p == self.path || under(p)) {
            " aria-current=\"true\""
        } else {
            ""
        }
    }
}

/// A cookie that carries a secret just made (an API token, a calendar address) from the form's
/// POST to the page that shows it once, so that a reload makes nothing twice: only the browser
/// holds it, for two minutes at most — HttpOnly, SameSite=Strict, Secure over HTTPS, sent only
/// to `path`, whose page removes it (`shown_once_removed`) and is kept out of caches (`no_store`).
pub fn shown_once(name: &'static str, secret: String, path: &'static str, secure: bool) -> Cookie<'static> {
    Cookie::build((name, secret))
        .path(path)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(time::Duration::seconds(120))
        .build()
}

/// The removal of a `shown_once` cookie.
pub fn shown_once_removed(name: &'static str, path: &'static str) -> Cookie<'static> {
    Cookie::build(name).path(path).build()
}

/// Keeps a page showing a secret out of every cache.
pub fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    r
}

/// Renders a template as an HTML response.
/// What a page usually takes (a 50-row member list is ~9 KB, the directory ~14 KB).
const PAGE_BYTES: usize = 16 * 1024;

pub fn render(t: &impl Template) -> Result<Response> {
    // Room for a typical page up front: askama's own estimate counts a loop's text once, so a
    // 50-row list grew its buffer (and copied the page so far) several times.
    let mut html = String::with_capacity(PAGE_BYTES);
    t.render_into(&mut html)?;
    Ok(Html(html).into_response())
}

/// Field errors by field name, for showing each beside its input.
#[derive(Debug, Clone, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
    pub fn all(&self) -> &[FieldError] {
        &self.0
    }
}

/// Turns a use case's result into either the success response or the form shown again with the
/// field errors (status 422/409), so handlers stay one call and one render.
pub fn or_form<T>(
    result: Result<T>,
    ok: impl FnOnce(T) -> Result<Response>,
    form: impl FnOnce(Errors) -> Result<Response>,
) -> Result<Response> {
    match result {
        Ok(v) => ok(v),
        Err(AppError::Invalid(errs)) => {
            Ok(with_status(form(Errors(errs))?, axum::http::StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(AppError::Conflict(err)) => Ok(with_status(form(Errors(vec![err]))?, axum::http::StatusCode::CONFLICT)),
        Err(e @ AppError::RateLimited { .. }) => {
            let page = form(Errors(vec![FieldError::new("form", e.message())]))?;
            Ok(e.retry_after(with_status(page, axum::http::StatusCode::TOO_MANY_REQUESTS)))
        }
        Err(e) => Err(e),
    }
}

/// A page answered with another status — a refused form shown again (422) or a clash (409).
pub fn with_status(mut r: Response, status: axum::http::StatusCode) -> Response {
    *r.status_mut() = status;
    r
}

/// Short notices shown after a redirect (`?notice=joined`). Only these fixed texts can appear,
/// so the query string cannot inject content.
pub fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "joined" => "Welcome! You are now a member of this network.",
        "step-gone" => {
            "That step is not one to tick: an organiser has removed it from the checklist, or it completes by itself."
        }
        "requested" => "Your request has been sent to the network's organisers.",
        "left" => "You have left the network.",
        "request-withdrawn" => "Your request to join has been withdrawn.",
        "invitation-declined" => "You have declined the invitation.",
        "approved" => "The request was approved.",
        "declined" => "The request was declined.",
        "approved-many" => "The requests were approved; each person has been told by email.",
        "declined-many" => "The requests were declined; each person has been told by email.",
        "decided-none" => {
            "None of those requests was still waiting: they had been decided already (by you or another organiser) or withdrawn."
        }
        "decided-some" => {
            "The requests still waiting were decided and each person told; the others had been decided already or withdrawn."
        }
        "invited" => "The invitation has been sent by email.",
        "invitations-sent" => "The invitations have been sent by email.",
        "password-link-sent" => "A link to choose a new password has been emailed. It works for one hour.",
        "welcome-link-sent" => "A welcome email has been sent, with a link to choose a password. It works for 7 days.",
        "created" => "The network has been created, with you as its Chair.",
        "network-deleted" => "The network has been deleted.",
        "created-chair-invited" => {
            "The network has been created, and its Chair has been sent an invitation by email (the link works for 14 days)."
        }
        "created-no-chair" => {
            "The network has been created. It has no organiser yet: invite its Chair (Invite people, with the role Chair)."
        }
        "saved" => "Your changes have been saved.",
        "welcomes-sent" => "The welcome emails are on their way.",
        "welcomes-none-due" => "Nobody was due a welcome email: each has had one in the last week.",
        "saved-events-narrowed" => {
            "Your changes have been saved. The network's events that were open to the whole organisation are now for its members only."
        }
        "saved-requests-closed" => {
            "Your changes have been saved. The requests to join that were waiting have been closed, each person told to ask for an invitation."
        }
        "saved-narrowed-requests-closed" => {
            "Your changes have been saved. The network's events that were open to the whole organisation are now for its members only, and the requests to join that were waiting have been closed, each person told to ask for an invitation."
        }
        "saved-requests-approved" => {
            "Your changes have been saved. The requests to join that were waiting have been approved, now that anyone may join, and each person told."
        }
        "password" => "Your password has been changed.",
        "signed-out-others" => "You have been signed out everywhere else.",
        "signed-out-device" => "That device is signed out. Its next page will ask for a password.",
        "token-deleted" => "The token has been deleted.",
        "reset-sent" => "If an account uses that address, we have emailed it a link to choose a new password.",
        "reset-done" => "Your password has been changed. Please sign in.",
        "password-set" => "Your password is saved. Sign in with your email address and it.",
        "verified" => "Thank you — your email address is confirmed.",
        "verify-sent" => "We have emailed you a link to confirm your address.",
        "role" => "The role has been changed.",
        "role-same" => "They had that role already; nothing changed.",
        "removed" => "The person has been removed from the network.",
        "accepted" => "Welcome! You have joined the network.",
        "event-created" => "The event has been created.",
        "event-saved" => {
            "The event has been saved. People who answered are sent what changed in their calendar (its time, title, place or link)."
        }
        "event-saved-over" => {
            "The event has been saved. More people hold places than it now has: they keep them, and new answers join the waiting list until enough give theirs up."
        }
        "event-cancelled" => "The event has been cancelled; people who answered have been told.",
        "event-date-cancelled" => {
            "This date has been cancelled; people who answered it have been told. The other dates stand."
        }
        "event-following-cancelled" => {
            "This date and those after it have been cancelled; people who answered them have been told."
        }
        "event-already-cancelled" => "That was cancelled already; no one was told again.",
        "date-moved" => "The date your link was for has moved: this is that date now.",
        "date-gone" => {
            "The date your link was for is no longer part of this event: it was cancelled, or the series changed. Here is the event as it stands."
        }
        "rsvp-yes" => "You're going. The invitation is on its way to your inbox.",
        "rsvp-waitlisted" => {
            "The event is full, so you are on the waiting list. We will email you if a place frees up."
        }
        "rsvp-saved" => "Your answer has been saved.",
        "rsvp-none" => "Nothing was saved: choose Going, Maybe or Not going, then send your answer.",
        "checked-in" => "You are checked in. Enjoy the event!",
        "attendance" => "Attendance has been recorded.",
        "attendance-going" => "Everyone going is marked as attended (those checked in already stay as they were).",
        "attendance-unmarked" => "The attendance has been taken back.",
        "event-messaged" => "Your message is on its way to the people you chose.",
        "event-message-repeat" => "Everyone you chose had this message already: it was not sent again.",
        "host" => "The host has been confirmed.",
        "feedback" => "Thank you for your feedback.",
        "feed-revoked" => "The subscription address has been revoked; it no longer works.",
        "charter-pending" => "Please read and accept the network's charter to continue.",
        "charter-accepted" => "Thank you for accepting the charter.",
        "charter-accepted-draft" => "Thank you for accepting the charter. Your new version is below, ready to publish.",
        "charter-accepted-draft-meanwhile" => {
            "Thank you for accepting the charter. Your new version is below: bring in the changes published meanwhile before publishing it."
        }
        "charter-published" => "The new charter version is published; members will be asked to accept it.",
        "charter-reminded" => "A reminder has been emailed to every member who has not accepted the current version.",
        "erased" => "The person's personal data has been erased.",
        "person-deactivated" => {
            "The account has been deactivated: they are signed out everywhere, shown in no network, and their places at events to come are given up."
        }
        "person-reactivated" => {
            "The account has been reactivated: they can sign in again and their networks show them again. Their API tokens stay revoked; their answers to events are not restored."
        }
        "admin-granted" => "They are now an organisation administrator.",
        "admin-revoked" => "They are no longer an organisation administrator.",
        "deactivated" => "Your account is deactivated. Thank you for having been part of the network.",
        "nudged" => "A reminder has been emailed.",
        "nudged-stuck" => "A reminder has been emailed to each stuck newcomer who had not had one this week.",
        "nudged-none" => "No reminder was sent: each stuck newcomer has had one this week.",
        "photo-removed" => "Your photo has been removed.",
        "step-added" => "The step has been added to the checklist.",
        "step-removed" => "The step has been removed.",
        "step-moved" => "The step has been moved.",
        _ => return None,
    })
}

/// Whether an action last done at `last` (`None`: done by a request racing this one) was done a
/// moment ago, so that a request for it now is a repeat — a second click, Back and send again, a
/// client's retry — to be answered as the first was, doing nothing. (Browsers show only the last
/// response: a refusal there would read as if the first had failed.)
pub fn is_repeat(last: Option<chrono::DateTime<chrono::Utc>>, now: chrono::DateTime<chrono::Utc>) -> bool {
    last.is_none_or(|t| now - t < chrono::Duration::minutes(2))
}

/// Query parameters shared by list pages.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    /// A list's own filter, where it has one (the People page's `show`).
    #[serde(default)]
    pub show: String,
    pub page: Option<String>,
    pub notice: Option<String>,
    /// How many a bulk action before the redirect sent (the People page's welcomes), for its notice.
    pub sent: Option<u64>,
}

impl ListQuery {
    /// The page number (`Page::from_query`).
    pub fn page(&self, size: u32) -> roundtable_domain::Page {
        roundtable_domain::Page::from_query(self.page.as_deref(), Some(size))
    }
}

/// Pagination facts for templates.
#[derive(Debug, Clone)]
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub total: i64,
    /// The query string without `page`, already URL-encoded, to build links.
    pub base: String,
    /// Where on the next page its links land ("#results-h": past the filters, on a phone a
    /// screen away); empty for the top.
    pub anchor: &'static str,
}

impl Pager {
    pub fn new(page: roundtable_domain::Page, total: i64, q: &str) -> Self {
        let pages = u32::try_from((total.max(1) + i64::from(page.size) - 1) / i64::from(page.size)).unwrap_or(1);
        let base = if q.is_empty() { String::new() } else { format!("q={}&", urlencode(q)) };
        Self { page: page.number, pages, total, base, anchor: "" }
    }
    pub fn has_prev(&self) -> bool {
        self.page > 1
    }
    pub fn has_next(&self) -> bool {
        self.page < self.pages
    }
    /// The page before; from past the end (an old link, a typed number), the last page.
    pub fn prev(&self) -> u32 {
        self.page.saturating_sub(1).clamp(1, self.pages)
    }
    pub fn next(&self) -> u32 {
        self.page + 1
    }
}

/// "5 Mar 2026", the short date the pages show: the day `t` falls on in `tz`, the viewer's
/// time zone (`Signed::tz`), so a late evening in Auckland is not written as the day before.
pub fn day(t: DateTime<Utc>, tz: Tz) -> String {
    Day::new(t, tz).to_string()
}

/// A date written as "5 Mar 2026" straight into a page. By hand: chrono's `format` parses its
/// pattern on every call, which showed in the member list's profile (one date per row).
#[derive(Debug, Clone, Copy)]
pub struct Day(pub NaiveDate);

impl Day {
    /// The day `t` falls on in `tz`. The date is worked out once, here: each of `day()`,
    /// `month0()`, `year()` on a `DateTime` works it out again, and a member list writes fifty.
    pub fn new(t: DateTime<Utc>, tz: Tz) -> Self {
        Day(t.with_timezone(&tz).date_naive())
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use chrono::Datelike;
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        // Digits by hand: `write!` with three arguments showed in the member list's profile.
        let d = self.0;
        let mut buf = itoa::Buffer::new();
        f.write_str(buf.format(d.day()))?;
        f.write_str(" ")?;
        f.write_str(MONTHS[d.month0() as usize])?;
        f.write_str(" ")?;
        f.write_str(buf.format(d.year()))
    }
}

/// `t` in `tz` written with chrono's `pattern` (no zone in it) and the zone's name after it:
/// "26 Nov 2026 01:30 NZDT" (through chrono's `format`: not for the hottest lists).
pub fn time_in(t: DateTime<Utc>, tz: Tz, pattern: &str) -> String {
    let local = t.with_timezone(&tz);
    format!("{} {}", local.format(pattern), zone_name(&local))
}

/// The time zones the forms offer (`macros::zone`): UTC and the IANA names of places
/// ("Europe/London"), not the legacy aliases ("GB", "US/Eastern") or the `Etc/GMT+5` offsets
/// whose signs read backwards. A stored alias still reads and is shown (`listed_zone`).
pub fn zones() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).filter(|z| listed_zone(z))
}

const ZONE_AREAS: [&str; 10] = [
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
];

/// Whether `zone` is one `zones` lists.
pub fn listed_zone(zone: &str) -> bool {
    zone == "UTC" || ZONE_AREAS.iter().any(|area| zone.starts_with(area))
}

/// The zone's abbreviation at `t` ("GMT", "CEST"), or — for the many zones that have none and
/// whose abbreviation is a bare offset ("-03" for São Paulo, "+08" for Singapore) — "UTC-03".
pub fn zone_name(t: &DateTime<Tz>) -> String {
    let abbreviation = t.format("%Z").to_string();
    if abbreviation.starts_with(['+', '-']) { format!("UTC{abbreviation}") } else { abbreviation }
}

/// Written as it is, not through the HTML escaper: digits, a month's abbreviation and spaces.
impl askama::filters::HtmlSafe for Day {}

/// A person's profile address, `/people/{id}`, written into a page as it is (not through the
/// HTML escaper): the id is hex digits and dashes. Member lists write one per row.
#[derive(Debug, Clone, Copy)]
pub struct PersonPath(pub roundtable_domain::UserId);

impl std::fmt::Display for PersonPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "/people/{}", self.0)
    }
}

impl askama::filters::HtmlSafe for PersonPath {}

/// Plain text written with its web addresses as links (a checklist step's details: "the pack is
/// at https://intranet/induction.pdf"): everything escaped, each `https://…`, `http://…` or
/// `www.…` (as the charter's Markdown links it) up to the next space — less a sentence's closing
/// punctuation — a link that opens in the same tab.
pub struct Linked<'a>(pub &'a str);

impl Linked<'_> {
    /// Where the next address starts in `s`, and whether it is a bare `www.` (no scheme).
    fn next_address(s: &str) -> Option<(usize, bool)> {
        let scheme = s.find("https://").into_iter().chain(s.find("http://")).min();
        // `www.` at the start of a word only: not "awww.", nor inside an address met above.
        let bare = s
            .match_indices("www.")
            .map(|(i, _)| i)
            .find(|&i| s[..i].chars().next_back().is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '"' | '\'')));
        match (scheme, bare) {
            (Some(a), Some(b)) if b < a => Some((b, true)),
            (Some(a), _) => Some((a, false)),
            (None, b) => b.map(|b| (b, true)),
        }
    }
}

impl std::fmt::Display for Linked<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use askama::filters::Escaper;
        let html = |f: &mut std::fmt::Formatter<'_>, s: &str| askama::filters::Html.write_escaped_str(&mut *f, s);
        let mut rest = self.0;
        while let Some((at, bare)) = Self::next_address(rest) {
            let (before, from) = rest.split_at(at);
            let end = from.find(char::is_whitespace).unwrap_or(from.len());
            let mut url = from[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"']);
            // A closing bracket is the sentence's unless the address opened one ("…/a_(b)").
            while url.ends_with(')') && url.matches('(').count() < url.matches(')').count() {
                url = url[..url.len() - 1].trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"']);
            }
            html(f, before)?;
            if url.len() <= if bare { "www.".len() } else { "https://".len() } {
                html(f, url)?;
            } else {
                f.write_str(if bare { "<a href=\"https://" } else { "<a href=\"" })?;
                html(f, url)?;
                f.write_str("\">")?;
                html(f, url)?;
                f.write_str("</a>")?;
            }
            rest = &from[url.len()..];
        }
        html(f, rest)
    }
}

impl askama::filters::HtmlSafe for Linked<'_> {}

/// Only local paths, so `?next=` cannot send people to another site.
pub fn safe_next(next: &str) -> &str {
    // Browsers drop tabs and newlines inside URLs ("/\t/evil" becomes "//evil"), so refuse every
    // control or space character as well as "//" and backslashes.
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    if local { next } else { "/" }
}

/// A query-string value as a form would send it (spaces as `+`).
pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The cell separator of a CSV file we write. Excel splits a file on the list separator of the
/// computer's regional settings: a comma in English-speaking countries, a semicolon where the
/// comma is the decimal mark (France, Germany, Spain, …). Files we read may use either.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Separator {
    #[default]
    Comma,
    Semicolon,
}

/// A download's `?separator=` (`Separator::parse` reads it).
#[derive(Debug, Default, serde::Deserialize)]
pub struct SeparatorQuery {
    #[serde(default)]
    pub separator: String,
}

impl Separator {
    /// "comma" or "semicolon" ('' for the default); anything else is refused with a message.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim() {
            "" | "comma" => Ok(Self::Comma),
            "semicolon" => Ok(Self::Semicolon),
            other => Err(AppError::BadRequest(
                axum::http::StatusCode::BAD_REQUEST,
                format!(
                    "Unknown separator \"{}\": use comma or semicolon.",
                    other.chars().take(40).collect::<String>()
                ),
            )),
        }
    }

    pub fn byte(self) -> u8 {
        match self {
            Self::Comma => b',',
            Self::Semicolon => b';',
        }
    }
}

/// CSV that Excel opens correctly: UTF-8 with a byte-order mark, CRLF line ends, and cells that
/// would start a formula (`= + - @`, tab, CR) prefixed with `'` so a file cannot run commands.
pub fn csv_bytes<R: IntoIterator<Item = Vec<String>>>(header: &[&str], rows: R) -> Vec<u8> {
    csv_bytes_with(b',', header, rows)
}

/// `csv_bytes` with cells separated by `separator`.
pub fn csv_bytes_with<R: IntoIterator<Item = Vec<String>>>(separator: u8, header: &[&str], rows: R) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    let mut w =
        csv::WriterBuilder::new().delimiter(separator).terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(row.iter().map(|c| neutralise(c).into_owned()));
    }
    out.extend(w.into_inner().unwrap_or_default());
    out
}

/// Prefixes a cell that a spreadsheet would read as a formula — and a cell that already looks
/// like a prefixed one (`'` then such a cell), so that `unneutralise` (on import) gives back
/// exactly what was written.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if text_kept(cell).is_none() && formula_like(cell.trim_start_matches('\'')) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Text that a spreadsheet would read as a number, date, time or percentage and write back
/// changed — a code `001010` as `1010`, a 16-digit one rounded, `1.50` as `1.5`, `1E5` as
/// `1.00E+05`, a place `10/11` or a level `1-2` as a date — as the formula `="1.50"`, which
/// Excel and LibreOffice show as written (it calls no function, so `neutralise` lets it through,
/// and import reads it back as the text). A whole number without a leading zero reads back as
/// itself and is left alone, as is anything with a letter other than an exponent's `E`.
pub fn excel_text(text: &str) -> std::borrow::Cow<'_, str> {
    let all_digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let plain_number = all_digits && (text == "0" || !text.starts_with('0')) && text.len() <= 15;
    if !plain_number && reads_as_number(text) { format!("=\"{text}\"").into() } else { text.into() }
}

/// Starts with a digit and holds nothing but what numbers, dates and times are written with.
fn reads_as_number(text: &str) -> bool {
    text.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && text.bytes().all(|b| b.is_ascii_digit() || b".,/-: %eE+".contains(&b))
}

/// The text of an `excel_text` cell (`="001010"`), as Excel users also type it.
fn text_kept(cell: &str) -> Option<&str> {
    let text = cell.strip_prefix("=\"")?.strip_suffix('"')?;
    reads_as_number(text).then_some(text)
}

fn formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Takes back the apostrophe `neutralise` added, so our own CSV files (the export, the error
/// file) import as the values they hold: `'-Finance` reads as `-Finance`, and `="001010"`
/// (`excel_code`) as `001010`. Any other cell, apostrophes and all, is left as it is.
pub fn unneutralise(cell: &str) -> &str {
    if let Some(digits) = text_kept(cell) {
        return digits;
    }
    match cell.strip_prefix('\'') {
        Some(rest) if formula_like(rest.trim_start_matches('\'')) => rest,
        _ => cell,
    }
}

/// A CSV attachment response.
pub fn csv_download<R: IntoIterator<Item = Vec<String>>>(file_name: &str, header: &[&str], rows: R) -> Response {
    csv_attachment(file_name, csv_bytes(header, rows))
}

/// CSV bytes as a download named `file_name` (a name safe in a header). Never cached: these
/// files hold people's data (addresses, answers, HR fields).
pub fn csv_attachment(file_name: &str, body: Vec<u8>) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod urlencode_tests {
    #[test]
    fn a_value_reads_back_as_written() {
        let value = "Zoë & Co/R&D + 50% = ?#";
        let encoded = super::urlencode(value);
        assert_eq!(encoded, "Zo%C3%AB+%26+Co%2FR%26D+%2B+50%25+%3D+%3F%23");
        let back: Vec<(String, String)> = serde_urlencoded::from_str(&format!("v={encoded}")).unwrap_or_default();
        assert_eq!(back, [("v".to_owned(), value.to_owned())]);
    }
}

#[cfg(test)]
mod linked_tests {
    use super::Linked;

    #[test]
    fn web_addresses_become_links_and_the_rest_stays_text() {
        let html = Linked("The pack (https://intranet.example/pack.pdf?a=1&b=2). <b>Then</b> http://x.example, done")
            .to_string();
        assert_eq!(
            html,
            "The pack (<a href=\"https://intranet.example/pack.pdf?a=1&#38;b=2\">https://intranet.example/pack.pdf?a=1&#38;b=2</a>). \
             &#60;b&#62;Then&#60;/b&#62; <a href=\"http://x.example\">http://x.example</a>, done"
        );
        assert_eq!(Linked("no address, just https://").to_string(), "no address, just https://");
        assert_eq!(
            Linked("(see https://w.example/a_(b)).").to_string(),
            "(see <a href=\"https://w.example/a_(b)\">https://w.example/a_(b)</a>)."
        );
        assert_eq!(Linked("javascript:alert(1)").to_string(), "javascript:alert(1)");
        // A bare www. address is linked over HTTPS; not inside a word, not twice inside a link.
        assert_eq!(
            Linked("See www.intranet.example/pack. Or awww.x or http://www.a.example").to_string(),
            "See <a href=\"https://www.intranet.example/pack\">www.intranet.example/pack</a>. Or awww.x or \
             <a href=\"http://www.a.example\">http://www.a.example</a>"
        );
        assert_eq!(Linked("just www. here").to_string(), "just www. here");
        assert_eq!(
            Linked("\"https://a.example/\"onmouseover=x").to_string(),
            "&#34;<a href=\"https://a.example/&#34;onmouseover=x\">https://a.example/&#34;onmouseover=x</a>"
        );
    }
}

#[cfg(test)]
mod day_tests {
    use chrono::TimeZone;
    use chrono_tz::Tz;

    #[test]
    fn a_day_reads_like_chrono_would_write_it() {
        for (y, m, d) in [(2026, 3, 5), (1999, 12, 31), (2024, 2, 29), (2030, 10, 10)] {
            let t = chrono::Utc.with_ymd_and_hms(y, m, d, 23, 59, 0).single().unwrap_or_default();
            assert_eq!(super::day(t, Tz::UTC), t.format("%-d %b %Y").to_string());
            let local = t.with_timezone(&Tz::America__Sao_Paulo);
            assert_eq!(super::day(t, Tz::America__Sao_Paulo), local.format("%-d %b %Y").to_string());
        }
    }

    #[test]
    fn a_day_is_the_viewers_day() {
        // 12:30 UTC on 25 November is 01:30 the next morning in Auckland (NZDT, UTC+13), and
        // still the evening before in Honolulu just after midnight UTC.
        let t = chrono::Utc.with_ymd_and_hms(2026, 11, 25, 12, 30, 0).single().unwrap_or_default();
        assert_eq!(super::day(t, Tz::UTC), "25 Nov 2026");
        assert_eq!(super::day(t, Tz::Pacific__Auckland), "26 Nov 2026");
        assert_eq!(super::day(t, Tz::Europe__London), "25 Nov 2026");
        let t = chrono::Utc.with_ymd_and_hms(2027, 1, 1, 0, 30, 0).single().unwrap_or_default();
        assert_eq!(super::day(t, Tz::Pacific__Honolulu), "31 Dec 2026");
        assert_eq!(super::day(t, Tz::UTC), "1 Jan 2027");
    }

    #[test]
    fn a_time_names_its_zone() {
        let t = chrono::Utc.with_ymd_and_hms(2026, 11, 25, 12, 30, 0).single().unwrap_or_default();
        assert_eq!(super::time_in(t, Tz::Pacific__Auckland, "%-d %b %Y %H:%M"), "26 Nov 2026 01:30 NZDT");
        assert_eq!(super::time_in(t, Tz::UTC, "%Y-%m-%d %H:%M"), "2026-11-25 12:30 UTC");
        assert_eq!(super::time_in(t, Tz::America__Sao_Paulo, "%H:%M"), "09:30 UTC-03");
    }
}
