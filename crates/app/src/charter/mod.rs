//! Network charters: organisers publish versions (Markdown); joining needs the current version
//! accepted, and a new version asks every member to accept again before they use the network
//! (enforced in `networks::load`).

pub mod api;
pub mod changes;
pub mod pages;

use crate::http::{AppError, Result};
use crate::mail::{self, Email as Mail};
use crate::members::markdown;
use crate::networks::{self, Seen};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use roundtable_domain::{Actor, Capability, FieldError, LongText, MembershipStatus, UserId};
use roundtable_store::charters::{self, Charter};

pub struct CharterView {
    pub seen: Seen,
    pub charter: Option<Charter>,
    pub html: String,
    pub accepted: Option<i64>,
    /// Whether the actor may publish a new version now.
    pub publishing: Publishing,
    /// Whether the actor may see who accepted which version (and remind them).
    pub sees_acceptances: bool,
    /// (version, published at) of every version, newest first.
    pub versions: Vec<(i64, DateTime<Utc>)>,
}

/// Whether the actor may publish a new version, by the rule `publish` applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publishing {
    No,
    /// Their role allows it, but they have not accepted the current version yet: like anything
    /// else in the network, publishing waits until they have.
    AfterAccepting,
    Yes,
}

/// The network's current charter, for anyone who may see the network (so people can read it
/// before they join).
pub async fn show(state: &AppState, actor: &Actor, slug: &str) -> Result<CharterView> {
    let snapshot = state.snapshot().await?;
    let seen = networks::load_in(&snapshot, actor, slug, Capability::SeeNetwork)?;
    // What the page offers is decided by the checks `publish` and `acceptances` make, the
    // charter gate included: never a form that would only be refused.
    let may = |cap| networks::authorise_in(&snapshot, actor, &seen, cap);
    let publishing = match may(Capability::EditNetwork) {
        Ok(()) => Publishing::Yes,
        Err(AppError::CharterPending { .. }) => Publishing::AfterAccepting,
        Err(_) => Publishing::No,
    };
    let sees_acceptances = may(Capability::Organise).is_ok();
    let charter = charters::current(&state.db, seen.network.id).await?;
    let (_, accepted) = charters::standing(&state.db, seen.network.id, actor.user_id).await?;
    let versions = charters::versions(&state.db, seen.network.id).await?;
    let html = charter.as_ref().map(|c| markdown(&c.body, 1)).unwrap_or_default();
    Ok(CharterView { seen, charter, html, accepted, publishing, sees_acceptances, versions })
}

pub struct ChangesView {
    pub seen: Seen,
    pub from: Charter,
    pub to: Charter,
    pub current: i64,
    pub hunks: Vec<changes::Hunk>,
}

/// What changed from one version of the charter to another (`to` defaults to the current one),
/// for whoever may read the current one (`show`'s rule); not found if either was never published.
/// `from` defaults to the version before `to`.
pub async fn compare(
    state: &AppState,
    actor: &Actor,
    slug: &str,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<ChangesView> {
    let seen = networks::load(state, actor, slug, Capability::SeeNetwork).await?;
    let current = charters::current(&state.db, seen.network.id).await?.ok_or(AppError::NotFound)?;
    let to = match to {
        Some(v) if v != current.version => charters::version(&state.db, seen.network.id, v).await?,
        _ => Some(current.clone()),
    }
    .ok_or(AppError::NotFound)?;
    let from = from.unwrap_or(to.version - 1);
    let from = charters::version(&state.db, seen.network.id, from).await?.ok_or(AppError::NotFound)?;
    // Always from the older to the newer, as the pages word it.
    let (from, to) = if from.version > to.version { (to, from) } else { (from, to) };
    let hunks = changes::between(&from.body, &to.body);
    Ok(ChangesView { seen, current: current.version, from, to, hunks })
}

pub struct Preview {
    /// The number it would be published as.
    pub version: i64,
    /// Rendered and sanitised as members would read it.
    pub html: String,
    /// What would change from the current version (`None` while there is none).
    pub changes: Option<(i64, Vec<changes::Hunk>)>,
}

/// A new version as it would be published, for those who may publish (`publish`'s checks, the
/// charter gate included, and its refusals of an empty text or the current one): nothing is
/// stored and no one is told. Its headings sit under level `under` (1 as on the charter's page).
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    slug: &str,
    body: &str,
    base: Option<i64>,
    under: u8,
) -> Result<Preview> {
    let seen = networks::load(state, actor, slug, Capability::EditNetwork).await?;
    let body = new_text(body)?;
    let current = charters::current(&state.db, seen.network.id).await?;
    if let Some(current) = &current
        && reads_the_same(&current.body, body.as_str())
    {
        return Err(same_text(current.version).into());
    }
    check_base(base, current.as_ref().map_or(0, |c| c.version))?;
    Ok(Preview {
        version: current.as_ref().map_or(1, |c| c.version + 1),
        html: markdown(body.as_str(), under),
        changes: current.map(|c| (c.version, changes::between(&c.body, body.as_str()))),
    })
}

/// A new version's text, refused if empty or too long.
fn new_text(body: &str) -> Result<LongText> {
    let body = LongText::parse("body", body, 20_000)?;
    if body.as_str().is_empty() {
        return Err(FieldError::new("body", "Write the charter before publishing it.").into());
    }
    Ok(body)
}

/// Whether two texts read the same once laid out (blank lines, spacing and line endings aside):
/// a new version that does would ask every member to accept again for nothing.
fn reads_the_same(a: &str, b: &str) -> bool {
    markdown(a, 1) == markdown(b, 1)
}

/// Why a new version that reads as the current one does is refused.
fn same_text(current: i64) -> FieldError {
    FieldError::new(
        "body",
        format!(
            "This reads the same as the current version ({current}): only blank lines or spacing differ. Change it before publishing a new version."
        ),
    )
}

/// A new version is written from the version current when its author began (`base`, 0 when
/// there was none): if another organiser published since, publishing it as it is would undo
/// their changes unseen. Refused (a conflict), so the page can show what changed meanwhile;
/// `None` (an API caller that does not say) is not checked.
fn check_base(base: Option<i64>, current: i64) -> Result<()> {
    match base {
        Some(base) if base < 0 || base > current => Err(FieldError::new(
            "base",
            format!("There is no version {base} of this charter; the current one is version {current}."),
        )
        .into()),
        Some(0) if current > 0 => Err(AppError::Conflict(FieldError::new(
            "body",
            format!(
                "Version {current} of the charter was published while you were writing yours. Publishing your text as it is would replace it: read it, bring in what should stay, then publish."
            ),
        ))),
        Some(base) if base != current => Err(AppError::Conflict(FieldError::new(
            "body",
            format!(
                "Version {current} was published while you were editing version {base}. Publishing your text as it is would undo its changes: bring them into your text, then publish."
            ),
        ))),
        _ => Ok(()),
    }
}

/// A version number from a path: one that cannot be a version is a version not found.
pub fn version_number(raw: &str) -> Result<i64> {
    raw.parse().ok().filter(|v| *v > 0).ok_or(AppError::NotFound)
}

/// Every version of the network's charter (number, published at), newest first, for whoever
/// may read the current one (`show`'s rule), so members asked to accept again can see what
/// changed and organisers can read what each member accepted.
pub async fn versions(state: &AppState, actor: &Actor, slug: &str) -> Result<(Seen, Vec<(i64, DateTime<Utc>)>)> {
    let seen = networks::load(state, actor, slug, Capability::SeeNetwork).await?;
    let list = charters::versions(&state.db, seen.network.id).await?;
    Ok((seen, list))
}

pub struct VersionView {
    pub seen: Seen,
    pub charter: Charter,
    /// The body rendered and sanitised as the current charter's is.
    pub html: String,
    pub current: i64,
}

/// One version of the charter, current or earlier, for whoever may read the current one;
/// not found if the network never published it.
pub async fn version(state: &AppState, actor: &Actor, slug: &str, version: i64) -> Result<VersionView> {
    let seen = networks::load(state, actor, slug, Capability::SeeNetwork).await?;
    let charter = charters::version(&state.db, seen.network.id, version).await?.ok_or(AppError::NotFound)?;
    let (current, _) = charters::standing(&state.db, seen.network.id, actor.user_id).await?;
    let html = markdown(&charter.body, 1);
    Ok(VersionView { seen, html, current: current.unwrap_or(charter.version), charter })
}

/// Why `publish` refused an organiser who has not accepted the current version (the page
/// shows it with their text kept).
pub fn accept_before_publishing() -> FieldError {
    FieldError::new(
        "body",
        "Please accept the current version of the charter (above) before previewing or publishing a new one. Your text is kept below.",
    )
}

/// A member accepts the current version (`version` is what they read, so a version published
/// meanwhile is not accepted unseen).
pub async fn accept(state: &AppState, actor: &Actor, slug: &str, version: Option<i64>) -> Result<()> {
    let seen = networks::load(state, actor, slug, Capability::SeeNetwork).await?;
    if seen.status() != Some(MembershipStatus::Active) {
        return Err(AppError::Forbidden(
            "Only members accept the charter: join the network first (joining accepts it).",
        ));
    }
    let current = charters::current(&state.db, seen.network.id).await?.ok_or(AppError::NotFound)?;
    check_ticked(current.version, version, "Please tick the box to accept this version of the charter.")?;
    let mut tx = state.db.begin().await?;
    charters::accept(&mut tx, seen.network.id, actor.user_id, current.version, Utc::now()).await?;
    tx.commit().await?;
    // Waiting lists skip people held back by the charter: places that freed up meanwhile may be
    // theirs now. After the acceptance is stored, so a failure here loses nothing of it (the
    // next place to free up promotes them anyway).
    if let Err(e) = crate::events::seats_after_charter(state, seen.network.id, actor.user_id).await {
        tracing::warn!(error = %e, "filling places from the waiting lists after a charter acceptance");
    }
    Ok(())
}

/// Checks the charter version a person ticked (`None`: no box ticked) against the `current`
/// one. Nothing ticked is a field error saying `unticked`; an older version means another was
/// published after they opened the page, which they have not read: a conflict naming it, never
/// "tick the box" (they did). Accepting and joining both ask this.
pub(crate) fn check_ticked(current: i64, ticked: Option<i64>, unticked: &str) -> Result<()> {
    match ticked {
        Some(v) if v == current => Ok(()),
        Some(v) if (1..current).contains(&v) => Err(AppError::Conflict(FieldError::new(
            "accept",
            format!("Version {current} has been published since the one you read; please read it before accepting."),
        ))),
        Some(v) => Err(FieldError::new(
            "accept",
            format!("There is no version {v} of this charter; the current one is version {current}."),
        )
        .into()),
        None => Err(FieldError::new("accept", unticked).into()),
    }
}

/// Publishes a new version (Chair, Administrator, org admin) and tells every member by email.
/// An organiser who is a member must have accepted the current version first (the charter gate
/// of `networks::authorise`: `AppError::CharterPending`).
pub async fn publish(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    body: &str,
    base: Option<i64>,
) -> Result<i64> {
    let snapshot = state.snapshot().await?;
    let seen = networks::load_in(&snapshot, actor, slug, Capability::EditNetwork)?;
    let body = new_text(body)?;
    let now = Utc::now();
    let members = snapshot.members(seen.network.id, "", false, usize::MAX, 0);
    let mut tx = state.db.begin().await?;
    // Two organisers publishing at once take turns (the second gets the next number).
    roundtable_store::networks::lock(&mut tx, seen.network.id).await?;
    // A text that reads as the current one would only make every member accept it again (and
    // email them all): refused — unless it repeats a publish of a moment ago (a double click, or
    // one racing this that the lock made wait), which is answered as that one was. A text begun
    // from the current version itself repeats nothing: it was written after that publish.
    let before = charters::current_tx(&mut tx, seen.network.id).await?;
    if let Some(current) = &before
        && reads_the_same(&current.body, body.as_str())
    {
        if base != Some(current.version) && crate::http::is_repeat(Some(current.published_at), now) {
            return Ok(current.version);
        }
        return Err(same_text(current.version).into());
    }
    check_base(base, before.as_ref().map_or(0, |c| c.version))?;
    let version = charters::publish(&mut tx, seen.network.id, body.as_str(), actor.user_id, now).await?;
    // The publisher accepts what they publish.
    if seen.status() == Some(MembershipStatus::Active) {
        charters::accept(&mut tx, seen.network.id, actor.user_id, version, now).await?;
    }
    networks::record(&mut tx, actor, actor_name, "charter.published", &seen, &format!("version {version}"), "").await?;
    // Whoever never accepted a version is told of the charter, not of an "updated" one. A
    // correction soon after a version (a typo found at once) emails only those who accepted that
    // version meanwhile: the others' email, a day old at most, links to the newest text already.
    let asked_lately = before.filter(|b| now - b.published_at < Duration::hours(RE_ASK_HOURS)).map(|b| b.version);
    let to: Vec<(&str, bool)> = members
        .rows()
        .filter(|m| m.id != actor.user_id)
        .filter_map(|m| {
            let accepted = snapshot.charter_standing(seen.network.id, m.id).1;
            let waiting = asked_lately.is_some_and(|v| accepted.is_none_or(|a| a < v));
            (!waiting).then_some((m.email, accepted.is_none()))
        })
        .collect();
    ask_to_accept(state, &mut tx, &seen, version, &to, Some(actor_name), now).await?;
    tx.commit().await?;
    Ok(version)
}

/// How long after a version its unread announcement stands for the next version too.
pub const RE_ASK_HOURS: i64 = 24;

/// Emails each address a request to read and accept `version` of the network's charter, naming
/// its `publisher` (`None`: a reminder); `(address, true)` for someone who never accepted a
/// version, who is told of the charter, not of an update.
async fn ask_to_accept(
    state: &AppState,
    tx: &mut roundtable_store::Tx,
    seen: &Seen,
    version: i64,
    to: &[(&str, bool)],
    publisher: Option<&str>,
    now: chrono::DateTime<Utc>,
) -> Result<()> {
    let name = &seen.network.name;
    let words = |first: bool| match (publisher, version == 1 || first) {
        (None, _) => (
            format!("{name}: a reminder to accept the charter"),
            format!(
                "You have not yet accepted version {version} of the charter of {name}. Until you do, the network's pages wait for you on the charter: please read it and accept it."
            ),
        ),
        (Some(by), true) => (
            format!("{name} has a charter: please read it"),
            format!(
                "{by} has published the charter of {name}: how members work together there. Please read it and accept it the next time you visit the network."
            ),
        ),
        (Some(by), _) => (
            format!("{name}: please read the updated charter"),
            format!(
                "{by} has published version {version} of the charter of {name}. Please read it and accept it the next time you visit the network: the page shows what changed since the version you accepted."
            ),
        ),
    };
    let link = format!("{}/n/{}/charter", state.config.public_url(), seen.network.slug);
    for &(to, first) in to {
        let (subject, text) = words(first);
        let mail = Mail {
            to,
            subject,
            paragraphs: vec![text],
            action: Some(("Read the charter", link.clone())),
            reply_to: None,
        };
        mail::queue(tx, &mail, now).await?;
    }
    Ok(())
}

/// How soon members may be reminded again to accept the same version.
pub const REMIND_INTERVAL_DAYS: i64 = 7;

/// When the members yet to accept the `current` version may be reminded (`remind`'s rule): now
/// or later, as the weekly limit allows; `None` when there is no one to remind (no charter, or
/// no one `pending`).
pub fn next_reminder(current: Option<&Charter>, pending: usize, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let c = current.filter(|_| pending > 0)?;
    Some(c.reminded_at.map_or(now, |t| (t + chrono::Duration::days(REMIND_INTERVAL_DAYS)).max(now)))
}

/// Emails every active member who has not accepted the current version a reminder (organisers),
/// at most once a week per version; returns how many were reminded. A refusal writes its days in
/// `tz`, the organiser's time zone.
pub async fn remind(state: &AppState, actor: &Actor, actor_name: &str, slug: &str, tz: Tz) -> Result<usize> {
    let (seen, charter, list) = acceptances(state, actor, slug).await?;
    let Some(Charter { version: current, reminded_at, .. }) = charter else {
        return Err(AppError::Conflict(FieldError::new("remind", "There is no charter to accept yet.")));
    };
    let pending: std::collections::HashSet<UserId> = list
        .iter()
        .filter(|(id, _, v, _)| *id != actor.user_id && v.is_none_or(|v| v < current))
        .map(|r| r.0)
        .collect();
    if pending.is_empty() {
        return Err(AppError::Conflict(FieldError::new(
            "remind",
            format!("Every member has accepted version {current}."),
        )));
    }
    let snapshot = state.snapshot().await?;
    let members = snapshot.members(seen.network.id, "", false, usize::MAX, 0);
    let to: Vec<(&str, bool)> = members.rows().filter(|m| pending.contains(&m.id)).map(|m| (m.email, false)).collect();
    let now = Utc::now();
    let interval = chrono::Duration::days(REMIND_INTERVAL_DAYS);
    let mut tx = state.db.begin().await?;
    if !charters::remind(&mut tx, seen.network.id, current, now, now - interval).await? {
        if crate::http::is_repeat(reminded_at, now) {
            return Ok(to.len());
        }
        let last = reminded_at.unwrap_or(now);
        let msg = format!(
            "Members were reminded on {}; they can be reminded again from {}.",
            crate::http::day(last, tz),
            crate::http::day(last + interval, tz)
        );
        return Err(AppError::Conflict(FieldError::new("remind", msg)));
    }
    ask_to_accept(state, &mut tx, &seen, current, &to, None, now).await?;
    let detail = format!("{} member{}", to.len(), if to.len() == 1 { "" } else { "s" });
    networks::record(&mut tx, actor, actor_name, "charter.reminded", &seen, &format!("version {current}"), &detail)
        .await?;
    tx.commit().await?;
    Ok(to.len())
}

/// Who accepted which version (organisers).
pub async fn acceptances(
    state: &AppState,
    actor: &Actor,
    slug: &str,
) -> Result<(Seen, Option<Charter>, Vec<(UserId, String, Option<i64>, Option<chrono::DateTime<Utc>>)>)> {
    let seen = networks::load(state, actor, slug, Capability::Organise).await?;
    let current = charters::current(&state.db, seen.network.id).await?;
    let list = charters::acceptances(&state.db, seen.network.id).await?;
    Ok((seen, current, list))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(r: Result<()>) -> (u16, String) {
        match r {
            Err(e) => (e.status().as_u16(), e.message()),
            Ok(()) => (200, String::new()),
        }
    }

    #[test]
    fn the_current_version_ticked_is_accepted() {
        assert!(check_ticked(3, Some(3), "Tick it.").is_ok());
    }

    #[test]
    fn no_box_ticked_asks_for_the_box() {
        assert_eq!(refusal(check_ticked(3, None, "Tick it.")), (422, "Tick it.".into()));
    }

    #[test]
    fn an_older_version_ticked_names_the_version_published_since() {
        let (status, message) = refusal(check_ticked(3, Some(2), "Tick it."));
        assert_eq!(status, 409);
        assert_eq!(message, "Version 3 has been published since the one you read; please read it before accepting.");
    }

    #[test]
    fn a_version_that_never_existed_is_not_called_out_of_date() {
        for v in [0, 4, -1] {
            let (status, message) = refusal(check_ticked(3, Some(v), "Tick it."));
            assert_eq!(status, 422, "{v}");
            assert!(message.contains(&format!("no version {v}")), "{message}");
        }
    }
}
