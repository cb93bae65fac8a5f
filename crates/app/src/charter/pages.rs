//! Charter pages: read and accept (or join), read earlier versions, publish a new version, see
//! acceptances.

use super::Publishing;
use crate::http::{AppError, Errors, Form, Layout, Path, Query, Result, Signed, day, notice, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use roundtable_domain::{MembershipStatus, Visibility};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/n/{slug}/charter", get(page).post(publish))
        .route("/n/{slug}/charter/accept", post(accept))
        .route("/n/{slug}/charter/versions/{version}", get(version))
        .route("/n/{slug}/charter/changes", get(changes))
        .route("/n/{slug}/charter/acceptances", get(acceptances))
        .route("/n/{slug}/charter/reminders", post(remind))
}

#[derive(Template)]
#[template(path = "charter/charter.html")]
struct CharterPage {
    layout: Layout,
    errors: Errors,
    slug: String,
    network_name: String,
    version: Option<i64>,
    published: String,
    html: String,
    body: String,
    /// "accept" (member with a newer version to accept), "join", "joined" or "" (nothing to do).
    action: &'static str,
    join_label: &'static str,
    /// Joining here asks the organisers (a by-request network): the form takes a note for them.
    asking: bool,
    /// The note typed for the organisers, given back with the form's errors.
    note: String,
    /// The version a member asked to accept again last accepted (to see what changed).
    accepted_before: Option<i64>,
    /// (version, day published) of the versions before the current one, newest first.
    earlier: Vec<(i64, String)>,
    can_publish: bool,
    /// An organiser who may publish once they have accepted the current version.
    publish_after_accepting: bool,
    /// `body` is their own text, sent back (not the current version's).
    draft_kept: bool,
    can_see_acceptances: bool,
    /// The page to go on to once the charter is accepted (a local path), or "".
    next: String,
    /// For a member asked to accept again: what changed since `accepted_before`.
    since_accepted: Option<Vec<super::changes::Hunk>>,
    /// The version current as this page shows it (0: none): what the publish form's text is
    /// now written from, sent back with it (`charter::publish` refuses a stale one).
    base: i64,
    /// The version a kept draft was begun from, carried through accepting (see `Draft`).
    draft_base: i64,
    /// A kept draft begun from an older version: what was published since.
    meanwhile: Option<Meanwhile>,
    /// An organiser's new version as it would be published (nothing stored yet).
    preview: Option<super::Preview>,
}

#[derive(Deserialize, Default)]
pub(crate) struct NoticeQuery {
    notice: Option<String>,
    /// The page the charter held back (`http::error::back_after_charter`).
    #[serde(default)]
    next: String,
}

/// The charter page; with `errors`, the reason the box must be ticked (from accepting here, or
/// from joining with the charter's form) or the new version refused; `body`, the text of a new
/// version sent back to its author.
pub(crate) async fn render_page(
    state: &AppState,
    s: &Signed,
    slug: &str,
    errors: Errors,
    draft: Option<Draft>,
    n: Option<&'static str>,
    next: &str,
) -> Result<Response> {
    render(&charter_page(state, s, slug, errors, draft, n, next).await?)
}

/// An organiser's new version sent back to them: its text, and the version it was written from
/// (`None`: the current one).
pub(crate) struct Draft {
    body: String,
    base: Option<i64>,
}

/// Versions published since a draft was begun from version `from` (0: before there was one),
/// up to the current `to`: shown above the draft, so its author brings their changes in rather
/// than undoing them unseen.
struct Meanwhile {
    from: i64,
    to: i64,
    hunks: Vec<super::changes::Hunk>,
}

/// A version number from a form; anything else is none.
fn form_version(raw: Option<&str>) -> Option<i64> {
    raw?.trim().parse().ok().filter(|v| *v >= 0)
}

async fn charter_page(
    state: &AppState,
    s: &Signed,
    slug: &str,
    errors: Errors,
    draft: Option<Draft>,
    n: Option<&'static str>,
    next: &str,
) -> Result<CharterPage> {
    let actor = s.actor();
    let v = super::show(state, &actor, slug).await?;
    let version = v.charter.as_ref().map(|c| c.version);
    let action = match (v.seen.status(), version) {
        (Some(MembershipStatus::Active), Some(cur)) if v.accepted.is_none_or(|a| a < cur) => "accept",
        (Some(MembershipStatus::Active), _) => "joined",
        (Some(MembershipStatus::Requested), _) => "",
        (_, _) if v.seen.network.visibility == Visibility::InvitationOnly && v.seen.status().is_none() => "",
        _ => "join",
    };
    let join_label = match (v.seen.status(), v.seen.network.visibility) {
        (Some(MembershipStatus::Invited), _) => "Accept the charter and the invitation",
        (_, Visibility::ByRequest) => "Accept the charter and ask to join",
        _ => "Accept the charter and join",
    };
    let current = version.unwrap_or(0);
    let draft_base = draft.as_ref().and_then(|d| d.base);
    let meanwhile = match draft_base.filter(|b| *b < current) {
        Some(0) => Some(Meanwhile { from: 0, to: current, hunks: Vec::new() }),
        Some(from) => match super::compare(state, &actor, slug, Some(from), None).await {
            Ok(c) => Some(Meanwhile { from, to: current, hunks: c.hunks }),
            Err(AppError::NotFound) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    // A kept draft is "ready to publish" only if nothing was published since it was begun.
    let n = match n {
        Some(text) if meanwhile.is_some() && Some(text) == notice(Some("charter-accepted-draft")) => {
            notice(Some("charter-accepted-draft-meanwhile"))
        }
        n => n,
    };
    // A member asked to accept again sees what changed since the version they accepted first,
    // so the text sits under "The charter in full".
    let since_accepted = match (action, v.accepted) {
        ("accept", Some(accepted)) => match super::compare(state, &actor, slug, Some(accepted), None).await {
            Ok(c) => Some(c.hunks),
            Err(AppError::NotFound) => None,
            Err(e) => return Err(e),
        },
        _ => None,
    };
    let html = match (&since_accepted, &v.charter) {
        (Some(_), Some(c)) => crate::members::markdown(&c.body, 2),
        _ => v.html,
    };
    Ok(CharterPage {
        layout: Layout::for_user(&format!("Charter of {}", v.seen.network.name), s).with_notice(n),
        errors,
        slug: v.seen.network.slug.clone(),
        network_name: v.seen.network.name.clone(),
        version,
        published: v.charter.as_ref().map(|c| published(c.published_at, s.tz)).unwrap_or_default(),
        accepted_before: v.accepted.filter(|_| action == "accept"),
        earlier: v
            .versions
            .iter()
            .filter(|(n, _)| Some(*n) != version)
            .map(|(n, t)| (*n, published(*t, s.tz)))
            .collect(),
        draft_kept: draft.is_some(),
        base: current,
        draft_base: draft_base.unwrap_or(current),
        meanwhile,
        body: draft.map_or_else(|| v.charter.as_ref().map(|c| c.body.clone()).unwrap_or_default(), |d| d.body),
        html,
        action,
        join_label,
        asking: action == "join" && v.seen.status().is_none() && v.seen.network.visibility == Visibility::ByRequest,
        note: String::new(),
        can_publish: v.publishing == Publishing::Yes,
        publish_after_accepting: v.publishing == Publishing::AfterAccepting,
        can_see_acceptances: v.sees_acceptances,
        next: match crate::http::safe_next(next) {
            "/" => String::new(),
            local => local.to_owned(),
        },
        since_accepted,
        preview: None,
    })
}

/// The day a version was published, on the viewer's calendar.
fn published(t: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
    t.with_timezone(&tz).format("%-d %B %Y").to_string()
}

#[derive(Template)]
#[template(path = "charter/version.html")]
struct VersionPage {
    layout: Layout,
    slug: String,
    network_name: String,
    version: i64,
    current: i64,
    published: String,
    html: String,
}

#[derive(Template)]
#[template(path = "charter/changes.html")]
struct ChangesPage {
    layout: Layout,
    slug: String,
    network_name: String,
    from: i64,
    to: i64,
    current: i64,
    from_published: String,
    to_published: String,
    hunks: Vec<super::changes::Hunk>,
}

#[derive(Deserialize, Default)]
pub(crate) struct ChangesQuery {
    from: Option<String>,
    to: Option<String>,
}

/// What changed from one version to another (`?from=` defaults to the version before `to`,
/// `?to=` to the current one).
async fn changes(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Query(q): Query<ChangesQuery>,
) -> Result<Response> {
    let number = |raw: Option<String>| raw.filter(|r| !r.is_empty()).map(|r| super::version_number(&r)).transpose();
    let c = super::compare(&state, &s.actor(), &slug, number(q.from)?, number(q.to)?).await?;
    render(&ChangesPage {
        layout: Layout::for_user(
            &format!("Charter of {}: changes from version {} to {}", c.seen.network.name, c.from.version, c.to.version),
            &s,
        ),
        slug: c.seen.network.slug,
        network_name: c.seen.network.name,
        from: c.from.version,
        to: c.to.version,
        current: c.current,
        from_published: published(c.from.published_at, s.tz),
        to_published: published(c.to.published_at, s.tz),
        hunks: c.hunks,
    })
}

/// One version of the charter, current or earlier, as the charter page shows the current one.
async fn version(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, version)): Path<(String, String)>,
) -> Result<Response> {
    let v = super::version(&state, &s.actor(), &slug, super::version_number(&version)?).await?;
    render(&VersionPage {
        layout: Layout::for_user(&format!("Charter of {}, version {}", v.seen.network.name, v.charter.version), &s),
        slug: v.seen.network.slug,
        network_name: v.seen.network.name,
        version: v.charter.version,
        current: v.current,
        published: published(v.charter.published_at, s.tz),
        html: v.html,
    })
}

async fn page(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    render_page(&state, &s, &slug, Errors::default(), None, notice(q.notice.as_deref()), &q.next).await
}

#[derive(Deserialize, Default)]
pub(crate) struct AcceptForm {
    version: Option<String>,
    agree: Option<String>,
    /// An organiser's new version, refused until they accepted the current one: carried through
    /// accepting and given back, ready to publish, with the version it was written from.
    draft: Option<String>,
    base: Option<String>,
    /// The page to go on to (see `CharterPage::next`).
    #[serde(default)]
    next: String,
}

async fn accept(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Form(f): Form<AcceptForm>,
) -> Result<Response> {
    let ticked = f.version.as_deref().filter(|_| f.agree.as_deref() == Some("yes")).and_then(|v| v.parse().ok());
    let base = form_version(f.base.as_deref());
    let draft = f.draft.filter(|d| !d.trim().is_empty()).map(|body| Draft { body, base });
    match super::accept(&state, &s.actor(), &slug, ticked).await {
        Ok(()) => match draft {
            Some(draft) => {
                let accepted = notice(Some("charter-accepted-draft"));
                render_page(&state, &s, &slug, Errors::default(), Some(draft), accepted, "").await
            }
            None => Ok(Redirect::to(&match crate::http::safe_next(&f.next) {
                "/" => format!("/n/{slug}?notice=charter-accepted"),
                // On to the page the charter held back, saying so.
                next => format!("{next}{}notice=charter-accepted", if next.contains('?') { '&' } else { '?' }),
            })
            .into_response()),
        },
        Err(e) => charter_again(&state, &s, &slug, e, draft, &f.next).await,
    }
}

/// A refused acceptance (accepting here, or joining with the charter's form) answered with the
/// page again, showing the charter now current: no box ticked (422), or a version published
/// since the page was opened (409), said by the box. Any other error stays as it is.
pub(crate) async fn charter_again(
    state: &AppState,
    s: &Signed,
    slug: &str,
    e: AppError,
    draft: Option<Draft>,
    next: &str,
) -> Result<Response> {
    let (errs, status) = refused(e)?;
    Ok(crate::http::with_status(render_page(state, s, slug, Errors(errs), draft, None, next).await?, status))
}

/// A refused join from the charter's form (the box not ticked, a newer version, a note too
/// long): the page again, as `charter_again`, with the note for the organisers they typed.
pub(crate) async fn join_again(
    state: &AppState,
    s: &Signed,
    slug: &str,
    e: AppError,
    note: String,
) -> Result<Response> {
    let (errs, status) = refused(e)?;
    let mut page = charter_page(state, s, slug, Errors(errs), None, None, "").await?;
    page.note = note;
    Ok(crate::http::with_status(render(&page)?, status))
}

/// A refusal the charter's page shows by its form (with its status); any other error as it is.
fn refused(e: AppError) -> Result<(Vec<roundtable_domain::FieldError>, StatusCode)> {
    match e {
        AppError::Invalid(errs) => Ok((errs, StatusCode::UNPROCESSABLE_ENTITY)),
        AppError::Conflict(err) => Ok((vec![err], StatusCode::CONFLICT)),
        e => Err(e),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct PublishForm {
    #[serde(default)]
    body: String,
    /// The Preview button: show the new version as it would be published, store nothing.
    preview: Option<String>,
    /// The version current when the text was begun (see `charter::publish`).
    base: Option<String>,
}

async fn publish(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Form(f): Form<PublishForm>,
) -> Result<Response> {
    let base = form_version(f.base.as_deref());
    let actor = s.actor();
    let result = match f.preview {
        // Its headings under the preview's "As members will read it" (an h3).
        Some(_) => super::preview(&state, &actor, &slug, &f.body, base, 3).await.map(Some),
        None => super::publish(&state, &actor, &s.user.name, &slug, &f.body, base).await.map(|_| None),
    };
    let draft = Draft { body: f.body, base };
    let page_with = |errors: Vec<roundtable_domain::FieldError>, draft: Draft| {
        charter_page(&state, &s, &slug, Errors(errors), Some(draft), None, "")
    };
    match result {
        Ok(Some(preview)) => {
            let mut page = page_with(Vec::new(), draft).await?;
            page.preview = Some(preview);
            render(&page)
        }
        Ok(None) => Ok(Redirect::to(&format!("/n/{slug}/charter?notice=charter-published")).into_response()),
        Err(AppError::Invalid(errs)) => {
            Ok(crate::http::with_status(render(&page_with(errs, draft).await?)?, StatusCode::UNPROCESSABLE_ENTITY))
        }
        // Another organiser published since this text was begun: the page again, showing what
        // that changed (`Meanwhile`), with the text kept — now based on the current version, so
        // publishing it once brought up to date goes through.
        Err(AppError::Conflict(err)) => {
            Ok(crate::http::with_status(render(&page_with(vec![err], draft).await?)?, StatusCode::CONFLICT))
        }
        // Another organiser published a version this one has not accepted: the page again, with
        // that version to accept and their text kept (not the charter gate's redirect, which
        // would lose it).
        Err(AppError::CharterPending { .. }) => Ok(crate::http::with_status(
            render(&page_with(vec![super::accept_before_publishing()], draft).await?)?,
            StatusCode::CONFLICT,
        )),
        Err(e) => Err(e),
    }
}

struct AcceptanceRow {
    id: String,
    name: String,
    /// The newest version they accepted, if any (linked to its text).
    version: Option<i64>,
    current: bool,
    at: String,
}

#[derive(Template)]
#[template(path = "charter/acceptances.html")]
struct AcceptancesPage {
    layout: Layout,
    slug: String,
    network_name: String,
    current: Option<i64>,
    /// Only those who have not accepted the current version are listed.
    pending_only: bool,
    rows: Vec<AcceptanceRow>,
    members: usize,
    accepted_current: usize,
    /// When members were last reminded of the current version ("" if never), and whether they
    /// may be reminded now.
    reminded: String,
    can_remind: bool,
}

#[derive(Deserialize, Default)]
pub(crate) struct AcceptancesQuery {
    notice: Option<String>,
    #[serde(default)]
    pending: bool,
}

async fn acceptances(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Query(q): Query<AcceptancesQuery>,
) -> Result<Response> {
    let (seen, charter, list) = super::acceptances(&state, &s.actor(), &slug).await?;
    let current = charter.as_ref().map(|c| c.version);
    let rows: Vec<_> = list
        .into_iter()
        .map(|(id, name, v, at)| AcceptanceRow {
            id: id.to_string(),
            name,
            current: v.is_some() && v == current,
            version: v,
            at: at.map(|t| day(t, s.tz)).unwrap_or_default(),
        })
        .collect();
    let members = rows.len();
    let accepted_current = rows.iter().filter(|r| r.current).count();
    let reminded_at = charter.as_ref().and_then(|c| c.reminded_at);
    let now = chrono::Utc::now();
    let next_reminder = super::next_reminder(charter.as_ref(), members - accepted_current, now);
    render(&AcceptancesPage {
        layout: Layout::for_user("Charter acceptances", &s).with_notice(notice(q.notice.as_deref())),
        slug: seen.network.slug,
        network_name: seen.network.name,
        current,
        pending_only: q.pending,
        rows: rows.into_iter().filter(|r| !q.pending || !r.current).collect(),
        members,
        accepted_current,
        reminded: reminded_at.map(|t| day(t, s.tz)).unwrap_or_default(),
        can_remind: next_reminder.is_some_and(|t| t <= now),
    })
}

async fn remind(State(state): State<AppState>, s: Signed, Path(slug): Path<String>) -> Result<Response> {
    super::remind(&state, &s.actor(), &s.user.name, &slug, s.tz).await?;
    Ok(Redirect::to(&format!("/n/{slug}/charter/acceptances?notice=charter-reminded")).into_response())
}
