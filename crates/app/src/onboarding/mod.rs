//! Onboarding checklists. Organisers define a network's steps; a step is ticked by the member,
//! or completed automatically by what happens in the product ("charter": accepted the current
//! charter; "profile": filled in job title and department; "welcome": checked in at a welcome
//! event of the network; "buddy": has a buddy, see `buddies`) — computed when read, so it can
//! never disagree with the facts. Organisers see newcomers' progress and who is stuck, and nudge
//! them.

pub mod api;
pub mod buddies;
pub mod pages;

use crate::http::{AppError, Result};
use crate::mail::{self, Email as Mail};
use crate::networks::{self, Seen};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use roundtable_domain::{Actor, Capability, FieldError, LongText, MembershipStatus, NetworkId, Role, UserId};
use roundtable_store::onboarding::{self, Step};
use roundtable_store::{charters, users};
use std::collections::{HashMap, HashSet};

/// Automatic step kinds and how they are described to organisers.
pub const AUTOMATIC: [(&str, &str); 5] = [
    ("", "Ticked by the member"),
    ("charter", "Done when the member accepts the charter"),
    ("profile", "Done when the member fills in their profile"),
    ("welcome", "Done when the member attends a welcome event"),
    ("buddy", "Done when an organiser assigns the member a buddy"),
];

/// Whether only organisers can complete a step ("buddy": they pair the newcomer). Such a step
/// never makes a newcomer stuck and is not theirs to be reminded of.
pub fn organisers_own(step: &Step) -> bool {
    step.automatic == "buddy"
}

/// A step with whether this person has done it.
#[derive(Debug, Clone)]
pub struct StepView {
    pub step: Step,
    pub done: bool,
}

impl StepView {
    /// The step's details, their web addresses as links.
    pub fn details(&self) -> crate::http::Linked<'_> {
        crate::http::Linked(&self.step.description)
    }
}

/// Whether a profile says enough for colleagues to place its owner — a job title and a
/// department: the automatic "profile" step, and the home page's request for it.
pub fn profile_filled(p: &roundtable_store::profiles::Profile) -> bool {
    !p.job_title.is_empty() && !p.department.is_empty()
}

struct Facts {
    charter_ok: bool,
    profile_ok: bool,
    attended_welcome: bool,
    has_buddy: bool,
}

async fn facts(state: &AppState, network: NetworkId, user: UserId) -> Result<Facts> {
    let (current, accepted) = charters::standing(&state.db, network, user).await?;
    let u = roundtable_store::profiles::get(&state.db, user).await?;
    Ok(Facts {
        // A network without a charter asks nothing to accept: the step cannot hold anyone up.
        charter_ok: current.is_none() || accepted >= current,
        profile_ok: u.is_some_and(|p| profile_filled(&p)),
        attended_welcome: onboarding::attended_welcome(&state.db, network, user).await?,
        // Once given a buddy, the step stays done when an organiser ends the pairing — not when
        // the buddy leaves the network: the newcomer waits for another.
        has_buddy: roundtable_store::buddies::ever_paired(&state.db, network, user).await?,
    })
}

fn views(steps: Vec<Step>, ticked: &[String], f: &Facts) -> Vec<StepView> {
    steps
        .into_iter()
        .map(|s| {
            let done = match s.automatic.as_str() {
                "charter" => f.charter_ok,
                "profile" => f.profile_ok,
                "welcome" => f.attended_welcome,
                "buddy" => f.has_buddy,
                _ => ticked.contains(&s.id),
            };
            StepView { step: s, done }
        })
        .collect()
}

/// How long after joining someone counts as a newcomer: 90 days and, however long the
/// organisers' threshold, long enough for anyone to become stuck and be seen so for 90 days.
fn newcomer_window(stuck_days: i64) -> Duration {
    Duration::days(90 + stuck_days)
}

/// The actor's own checklist in a network: for active Members (not sponsors nor organisers) while they are
/// newcomers — a checklist defined or extended later does not appear on long-standing members'
/// pages.
pub async fn mine(state: &AppState, actor: &Actor, seen: &Seen) -> Result<Vec<StepView>> {
    let Some(m) = &seen.membership else { return Ok(Vec::new()) };
    if !has_checklist(state, m).await? {
        return Ok(Vec::new());
    }
    let steps = onboarding::steps(&state.db, seen.network.id).await?;
    if steps.is_empty() {
        return Ok(Vec::new());
    }
    let ticked: Vec<String> =
        onboarding::done_for(&state.db, seen.network.id, actor.user_id).await?.into_iter().map(|(id, _)| id).collect();
    Ok(views(steps, &ticked, &facts(state, seen.network.id, actor.user_id).await?))
}

/// Whether a membership comes with a checklist: active, in the role of Member (not a sponsor,
/// who follows the network, nor an organiser, who runs the onboarding), and new — joined within
/// the newcomer window, after the network's "newcomers from", and not marked settled in (the
/// organisers' two ways of saying "not new"; the same rules as `onboarding::newcomers`).
async fn has_checklist(state: &AppState, m: &roundtable_store::networks::Membership) -> Result<bool> {
    if m.status != MembershipStatus::Active || m.role != Role::Member {
        return Ok(false);
    }
    let stuck_days = onboarding::stuck_days(&state.db, m.network_id).await?;
    if Utc::now() - m.since > newcomer_window(stuck_days) {
        return Ok(false);
    }
    Ok(!(onboarding::newcomers_from(&state.db, m.network_id).await?.is_some_and(|from| m.since < from)
        || onboarding::settled_at(&state.db, m.network_id, m.user_id).await?.is_some()))
}

/// One network's checklist as "download my data" shows it.
#[derive(Debug, Clone)]
pub struct Checklist {
    pub network_id: NetworkId,
    pub network: String,
    /// The member has not accepted the network's current charter: like the network's page, the
    /// download then shows no steps (they are the network's content), only that this is pending.
    pub charter_pending: bool,
    /// Each step with whether it is done and, for a step the person ticked, when.
    pub steps: Vec<(StepView, Option<DateTime<Utc>>)>,
    /// When an organiser marked them settled in here (their onboarding ended then).
    pub settled_in: Option<DateTime<Utc>>,
}

/// A person's onboarding progress everywhere, for their own download: the whole checklist of
/// each network where they have one (`has_checklist`: automatic steps worked out as on their
/// page), and elsewhere the steps they ticked (the ticks are kept).
pub async fn checklists_of(state: &AppState, user: UserId) -> Result<Vec<Checklist>> {
    let ticked = onboarding::ticked_by(&state.db, user).await?;
    let mut out = Vec::new();
    let mut covered = Vec::new();
    for m in roundtable_store::networks::memberships_of(&state.db, user).await? {
        if !has_checklist(state, &m).await? {
            continue;
        }
        let steps = onboarding::steps(&state.db, m.network_id).await?;
        if steps.is_empty() {
            continue;
        }
        let Some(network) = roundtable_store::networks::by_id(&state.db, m.network_id).await? else { continue };
        covered.push(m.network_id);
        let (current, accepted) = roundtable_store::charters::standing(&state.db, m.network_id, user).await?;
        if current.is_some() && accepted < current {
            out.push(Checklist {
                network_id: m.network_id,
                network: network.name,
                charter_pending: true,
                steps: Vec::new(),
                settled_in: None,
            });
            continue;
        }
        let mine: Vec<&onboarding::Ticked> = ticked.iter().filter(|t| t.network_id == m.network_id).collect();
        let ids: Vec<String> = mine.iter().map(|t| t.step_id.clone()).collect();
        let views = views(steps, &ids, &facts(state, m.network_id, user).await?);
        let steps = views
            .into_iter()
            .map(|v| {
                let when = if v.step.automatic.is_empty() {
                    mine.iter().find(|t| t.step_id == v.step.id).map(|t| t.done_at)
                } else {
                    None
                };
                (v, when)
            })
            .collect();
        out.push(Checklist {
            network_id: m.network_id,
            network: network.name,
            charter_pending: false,
            steps,
            settled_in: None,
        });
    }
    // Ticks in networks without a checklist above, grouped (they come ordered by network).
    let mut last = None;
    for t in ticked.iter().filter(|t| !covered.contains(&t.network_id)) {
        let step = Step {
            id: t.step_id.clone(),
            position: 0,
            title: t.title.clone(),
            description: String::new(),
            automatic: String::new(),
            created_at: t.done_at,
        };
        let done = (StepView { step, done: true }, Some(t.done_at));
        match out.last_mut() {
            Some(c) if last == Some(t.network_id) => c.steps.push(done),
            _ => out.push(Checklist {
                network_id: t.network_id,
                network: t.network_name.clone(),
                charter_pending: false,
                steps: vec![done],
                settled_in: None,
            }),
        }
        last = Some(t.network_id);
    }
    // Every "settled in" mark (kept after leaving, like the ticks), with its network's checklist
    // or on its own.
    for (network_id, network, at) in onboarding::settled_of(&state.db, user).await? {
        match out.iter_mut().find(|c| c.network_id == network_id) {
            Some(c) => c.settled_in = Some(at),
            None => out.push(Checklist {
                network_id,
                network,
                charter_pending: false,
                steps: Vec::new(),
                settled_in: Some(at),
            }),
        }
    }
    out.sort_by(|a, b| a.network.cmp(&b.network)); // stable: groups stay whole
    Ok(out)
}

/// A member ticks or unticks one of their manual steps.
pub async fn set_done(state: &AppState, actor: &Actor, slug: &str, step: &str, done: bool) -> Result<()> {
    let seen = networks::load(state, actor, slug, Capability::ReadMembers).await?;
    if seen.status() != Some(MembershipStatus::Active) {
        return Err(AppError::Forbidden("Only members have an onboarding checklist."));
    }
    if !has_checklist(state, seen.membership.as_ref().ok_or(AppError::NotFound)?).await? {
        return Err(AppError::Conflict(FieldError::new(
            "step",
            "The checklist is for newcomers: you are past your onboarding in this network, so there is nothing to tick.",
        )));
    }
    if !onboarding::steps(&state.db, seen.network.id).await?.iter().any(|s| s.id == step && s.automatic.is_empty()) {
        return Err(AppError::NotFound);
    }
    // Ticking twice, or unticking an unticked step, is harmless: the result is the same.
    if done {
        onboarding::tick(&state.db, seen.network.id, actor.user_id, step, Utc::now()).await?;
    } else {
        onboarding::untick(&state.db, seen.network.id, actor.user_id, step).await?;
    }
    Ok(())
}

/// A step's title and description checked as adding and editing take them; `more` adds the
/// caller's own checks, so every problem is reported at once.
fn wording(
    title: &str,
    description: &str,
    more: impl FnOnce(&mut Vec<FieldError>),
) -> Result<(roundtable_domain::NetworkName, LongText)> {
    let mut errs = Vec::new();
    let title = roundtable_domain::NetworkName::parse(title)
        .map_err(|e| {
            // The name's words speak of a network; a step's title is told in its own.
            let message = if e.message.contains("control characters") {
                "Write the step's title on one line, without line breaks or tabs."
            } else {
                "Give the step a short title (up to 120 characters)."
            };
            errs.push(FieldError::new("title", message))
        })
        .ok();
    let description = LongText::parse("description", description, 1000).map_err(|e| errs.push(e)).ok();
    more(&mut errs);
    match (title, description, errs.is_empty()) {
        (Some(title), Some(description), true) => Ok((title, description)),
        _ => Err(AppError::Invalid(errs)),
    }
}

/// Adds a step (organisers).
pub async fn add_step(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    title: &str,
    description: &str,
    automatic: &str,
) -> Result<()> {
    let seen = networks::load(state, actor, slug, Capability::Organise).await?;
    let (title, description) = wording(title, description, |errs| {
        if !AUTOMATIC.iter().any(|(k, _)| *k == automatic) {
            errs.push(FieldError::new(
                "automatic",
                {
                    let kinds: Vec<&str> = AUTOMATIC.iter().skip(1).map(|(k, _)| *k).collect();
                    let (last, rest) = kinds.split_last().unwrap_or((&"", &[]));
                    format!(
                        "Choose how the step is completed: “{automatic}” is not one of them. Leave it empty for a step the member ticks, or give {} or {last}.",
                        rest.join(", ")
                    )
                },
            ));
        }
    })?;
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    // Steps added at once take turns, so each gets its own place in the list.
    roundtable_store::networks::lock(&mut tx, seen.network.id).await?;
    // The same step sent twice (a second tap, Back and send) would show newcomers two of it.
    let steps = onboarding::steps(&state.db, seen.network.id).await?;
    if steps.iter().any(|s| roundtable_domain::fold(&s.title) == roundtable_domain::fold(title.as_str())) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "title",
            format!(
                "The checklist already has a step called “{}”: edit that one, or give this step another title.",
                title.as_str()
            ),
        )]));
    }
    onboarding::add_step(&mut tx, seen.network.id, title.as_str(), description.as_str(), automatic, now).await?;
    networks::record(&mut tx, actor, actor_name, "onboarding.step_added", &seen, title.as_str(), automatic).await?;
    tx.commit().await?;
    Ok(())
}

/// One step of the network's checklist, for its organisers (404 if the network has no such step).
pub async fn step_of(state: &AppState, actor: &Actor, slug: &str, step: &str) -> Result<(Seen, Step)> {
    let seen = networks::load(state, actor, slug, Capability::Organise).await?;
    let s = onboarding::steps(&state.db, seen.network.id).await?.into_iter().find(|s| s.id == step);
    Ok((seen, s.ok_or(AppError::NotFound)?))
}

/// What removing a step would delete: the step and how many of the network's active members
/// ticked it (organisers confirm with this before `remove_step`).
pub async fn removal(state: &AppState, actor: &Actor, slug: &str, step: &str) -> Result<(Seen, Step, i64)> {
    let (seen, s) = step_of(state, actor, slug, step).await?;
    let ticks = onboarding::ticks_of_step(&state.db, seen.network.id, step).await?;
    Ok((seen, s, ticks))
}

/// Removes a step and everyone's tick of it (confirmed on `removal`'s page).
pub async fn remove_step(state: &AppState, actor: &Actor, actor_name: &str, slug: &str, step: &str) -> Result<()> {
    let (seen, s, ticks) = removal(state, actor, slug, step).await?;
    let mut tx = state.db.begin().await?;
    onboarding::delete_step(&mut tx, seen.network.id, step).await?;
    let detail = format!("ticked by {ticks}");
    networks::record(&mut tx, actor, actor_name, "onboarding.step_removed", &seen, &s.title, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Rewords a step (organisers): a new title and description, checked as on adding. The step
/// keeps its id, its place and everyone's ticks. How it is completed does not change: a ticked
/// step made automatic would ignore its ticks, and an automatic one made manual would be owed
/// at once by every newcomer who had it done; for that, remove the step and add another.
/// Returns false, writing nothing, when the wording is already this.
pub async fn edit_step(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    step: &str,
    title: &str,
    description: Option<&str>,
) -> Result<bool> {
    let (seen, old) = step_of(state, actor, slug, step).await?;
    // No description given (an API client renaming a step): the step keeps its own.
    let description = description.map_or_else(|| old.description.clone(), str::to_owned);
    let (title, description) = wording(title, &description, |_| {})?;
    if old.title == title.as_str() && old.description == description.as_str() {
        return Ok(false);
    }
    let mut tx = state.db.begin().await?;
    if !onboarding::edit_step(&mut tx, seen.network.id, step, title.as_str(), description.as_str()).await? {
        return Err(AppError::NotFound); // removed meanwhile
    }
    let detail =
        if old.title == title.as_str() { "details changed".to_owned() } else { format!("was “{}”", old.title) };
    networks::record(&mut tx, actor, actor_name, "onboarding.step_edited", &seen, title.as_str(), &detail).await?;
    tx.commit().await?;
    Ok(true)
}

/// The network's checklist as organisers edit it.
pub async fn checklist(state: &AppState, actor: &Actor, slug: &str) -> Result<Vec<Step>> {
    let seen = networks::load(state, actor, slug, Capability::Organise).await?;
    Ok(onboarding::steps(&state.db, seen.network.id).await?)
}

/// Moves a step one place up or down.
pub async fn move_step(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    step: &str,
    up: bool,
) -> Result<()> {
    let seen = networks::load(state, actor, slug, Capability::Organise).await?;
    let steps = onboarding::steps(&state.db, seen.network.id).await?;
    let i = steps.iter().position(|s| s.id == step).ok_or(AppError::NotFound)?;
    let j = if up { i.checked_sub(1) } else { Some(i + 1).filter(|&j| j < steps.len()) };
    let Some(j) = j else { return Ok(()) };
    let mut tx = state.db.begin().await?;
    // Renumber densely while swapping, so equal positions from older edits cannot stick.
    for (k, s) in steps.iter().enumerate() {
        let pos = if k == i {
            j
        } else if k == j {
            i
        } else {
            k
        };
        onboarding::set_position(&mut tx, seen.network.id, &s.id, pos as i64 + 1).await?;
    }
    let detail = format!("to place {} of {}", j + 1, steps.len());
    networks::record(&mut tx, actor, actor_name, "onboarding.step_moved", &seen, &steps[i].title, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Emails a reminder to every stuck newcomer who may have one now (as `nudge` does, one a week,
/// from one reading of the progress list); returns how many were sent.
pub async fn nudge_stuck(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    tz: chrono_tz::Tz,
) -> Result<usize> {
    let now = Utc::now();
    let Overview { seen, newcomers, .. } = progress(state, actor, slug).await?;
    let due: Vec<&Progress> =
        newcomers.iter().filter(|p| p.stuck && p.may_nudge(now) && p.user_id != actor.user_id).collect();
    for p in &due {
        nudge_one(state, actor, actor_name, &seen, p, tz).await?;
    }
    Ok(due.len())
}

/// A newcomer's progress, for organisers.
#[derive(Debug, Clone)]
pub struct Progress {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub joined: DateTime<Utc>,
    pub done: usize,
    pub total: usize,
    /// A step in their own hands not done the network's stuck-days after it became theirs to do
    /// (see `progress`).
    pub stuck: bool,
    /// The titles of the steps left that are theirs to do, in checklist order.
    pub left: Vec<String>,
    /// A "buddy" step is left: they wait for an organiser to pair them with a buddy.
    pub waiting_for_buddy: bool,
    /// They have not accepted the network's current charter; until they do, their checklist is
    /// hidden from them (as the rest of the network is).
    pub charter_pending: bool,
    /// When an organiser last nudged them.
    pub nudged_at: Option<DateTime<Utc>>,
    /// Their buddy now, if any.
    pub buddy: Option<roundtable_store::buddies::Paired>,
}

impl Progress {
    /// Something left is in their own hands: a step, or accepting the charter.
    pub fn theirs_to_do(&self) -> bool {
        self.done < self.total && (!self.left.is_empty() || self.charter_pending)
    }

    /// Not finished, but what is left is the organisers' to do (pairing a buddy).
    pub fn waiting_on_organisers(&self) -> bool {
        self.done < self.total && !self.theirs_to_do()
    }

    /// Whether an organiser may nudge them now (something left is theirs to do, and they were not
    /// nudged in the last week).
    pub fn may_nudge(&self, now: DateTime<Utc>) -> bool {
        self.theirs_to_do() && self.nudged_at.is_none_or(|t| now - t >= Duration::days(NUDGE_INTERVAL_DAYS))
    }
}

/// Every newcomer (see `newcomer_window`) with their progress. "Stuck" = a step in their own
/// hands not done more than the network's stuck-days after it became theirs to do: after they
/// joined, or after the step was added if that was later — and for the charter step, after the
/// current version was published if that was later still (a new version asks everyone again; it
/// must not make every earlier newcomer stuck the day it appears). Steps only organisers
/// complete (`organisers_own`) make nobody stuck; `waiting_for_buddy` shows them.
///
/// Not newcomers, whenever they joined (`onboarding::newcomers`): members who joined before the
/// network's "newcomers from", and those an organiser marked settled in (listed apart, in
/// `Overview::settled`, so the mark can be taken back).
pub async fn progress(state: &AppState, actor: &Actor, slug: &str) -> Result<Overview> {
    let seen = networks::load(state, actor, slug, Capability::Organise).await?;
    let steps = onboarding::steps(&state.db, seen.network.id).await?;
    let stuck_days = onboarding::stuck_days(&state.db, seen.network.id).await?;
    let newcomers_from = onboarding::newcomers_from(&state.db, seen.network.id).await?;
    let now = Utc::now();
    let mut buddy_of: HashMap<UserId, roundtable_store::buddies::Paired> =
        roundtable_store::buddies::pairs(&state.db, seen.network.id)
            .await?
            .into_iter()
            .map(|p| (p.newcomer.id, p.buddy))
            .collect();
    // The facts behind automatic steps for everyone at once: a 300-person network's page would
    // otherwise ask five questions per newcomer.
    let net = seen.network.id;
    let charter = charters::current(&state.db, net).await?;
    let current = charter.as_ref().map(|c| c.version);
    let accepted: HashMap<UserId, i64> = charters::accepted_in(&state.db, net).await?.into_iter().collect();
    let welcomed: HashSet<UserId> = onboarding::welcomed_in(&state.db, net).await?.into_iter().collect();
    let paired: HashSet<UserId> = roundtable_store::buddies::paired_in(&state.db, net).await?.into_iter().collect();
    let mut ticks: HashMap<UserId, Vec<String>> = HashMap::new();
    for (user, step) in onboarding::ticks_in(&state.db, net).await? {
        ticks.entry(user).or_default().push(step);
    }
    let mut out = Vec::new();
    let window_start = now - newcomer_window(stuck_days);
    for n in onboarding::newcomers(&state.db, net, window_start).await? {
        let charter_ok = current.is_none_or(|c| accepted.get(&n.user_id).is_some_and(|a| *a >= c));
        let f = Facts {
            charter_ok,
            profile_ok: n.has_profile,
            attended_welcome: welcomed.contains(&n.user_id),
            has_buddy: paired.contains(&n.user_id),
        };
        let v = views(steps.clone(), ticks.get(&n.user_id).map_or(&[], Vec::as_slice), &f);
        let done = v.iter().filter(|s| s.done).count();
        let theirs = |s: &&StepView| !s.done && !organisers_own(&s.step);
        // When the step became theirs to do.
        let since = |s: &Step| {
            let from = n.joined.max(s.created_at);
            match (&charter, s.automatic.as_str()) {
                (Some(c), "charter") => from.max(c.published_at),
                _ => from,
            }
        };
        let stuck = v.iter().filter(theirs).any(|s| now - since(&s.step) > Duration::days(stuck_days));
        out.push(Progress {
            user_id: n.user_id,
            name: n.name,
            email: n.email,
            joined: n.joined,
            done,
            total: v.len(),
            stuck,
            left: v.iter().filter(theirs).map(|s| s.step.title.clone()).collect(),
            waiting_for_buddy: v.iter().any(|s| !s.done && organisers_own(&s.step)),
            charter_pending: !charter_ok,
            nudged_at: n.nudged_at,
            buddy: buddy_of.remove(&n.user_id),
        });
    }
    let all = steps.into_iter().map(|s| StepView { step: s, done: false }).collect();
    let settled = onboarding::settled_in(&state.db, net, window_start).await?;
    Ok(Overview { seen, steps: all, newcomers: out, stuck_days, newcomers_from, settled })
}

/// The organisers' view of a network's onboarding (`progress`).
pub struct Overview {
    pub seen: Seen,
    /// The checklist (`done` is false throughout: it is nobody's).
    pub steps: Vec<StepView>,
    pub newcomers: Vec<Progress>,
    pub stuck_days: i64,
    /// Members who joined before this are not newcomers (see `set_newcomers_from`).
    pub newcomers_from: Option<DateTime<Utc>>,
    /// Members in the window, joined since `newcomers_from`, whom an organiser marked settled in.
    pub settled: Vec<onboarding::Settled>,
}

/// The last day, on `tz`'s calendar, of the members a "newcomers from" leaves out: the day the
/// organiser gave (it is stored as the first instant after it, or as the moment they set it).
pub fn existing_until(from: DateTime<Utc>, tz: chrono_tz::Tz) -> chrono::NaiveDate {
    (from - Duration::microseconds(1)).with_timezone(&tz).date_naive()
}

/// Who a "newcomers from" leaves out, in words: "on or before 28 Nov 2026", or — when it was
/// set during the day it names, so that people joining later that day are newcomers — "before
/// 14:05 GMT on 28 Nov 2026".
pub fn existing_until_words(from: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    let day = crate::http::Day(existing_until(from, tz));
    if from.with_timezone(&tz).time() == chrono::NaiveTime::MIN {
        format!("on or before {day}")
    } else {
        format!("before {} on {day}", crate::http::time_in(from, tz, "%H:%M"))
    }
}

/// Sets which members are newcomers: only those who join after `day` (YYYY-MM-DD, a day on
/// `tz`'s calendar, the organiser's), so that members imported before onboarding was set up do
/// not all get a checklist, fill the progress page and become stuck. Empty clears it: everyone
/// in the window is a newcomer again. A day yet to come is refused — it would leave out people
/// who have not joined yet, whom nobody could know to be settled. Today counts up to now:
/// someone joining later today is a newcomer — and stays one when the same day is saved again
/// (the moment first stored is kept; clearing it first moves it). Returns the instant stored.
pub async fn set_newcomers_from(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    day: &str,
    tz: chrono_tz::Tz,
) -> Result<Option<DateTime<Utc>>> {
    let seen = networks::load(state, actor, slug, Capability::Organise).await?;
    // To the microsecond, as stored: the answer names the instant the database holds.
    let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
    let from = if day.trim().is_empty() {
        None
    } else {
        let field = |m: &str| AppError::Invalid(vec![FieldError::new("newcomers_from", m)]);
        let d = chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
            .map_err(|_| field("Enter a date like 2026-03-31: the day you imported your existing members."))?;
        let today = now.with_timezone(&tz).date_naive();
        if d > today {
            return Err(field(&format!(
                "{} is still to come. Choose today or an earlier day: the day your existing members were imported or added.",
                d.format("%-d %b %Y")
            )));
        }
        let after = d.succ_opt().ok_or_else(|| field("Enter a date like 2026-03-31."))?;
        let end = roundtable_domain::events::local_to_utc(tz, after.and_time(chrono::NaiveTime::MIN));
        Some(end.min(now))
    };
    let stored = onboarding::newcomers_from(&state.db, seen.network.id).await?;
    match (from, stored) {
        (None, None) => return Ok(None), // cleared already: nothing to write or audit
        // The same day saved again (from a tab left open, say) keeps the moment it was first
        // saved: those who joined since are newcomers, and stay so.
        (Some(f), Some(s)) if existing_until(f, tz) == existing_until(s, tz) => return Ok(Some(s)),
        _ => {}
    }
    let mut tx = state.db.begin().await?;
    onboarding::set_newcomers_from(&mut tx, seen.network.id, from).await?;
    let (action, detail) = match from {
        Some(f) => (
            "onboarding.newcomers_from_set",
            format!("members who joined {} are not newcomers", existing_until_words(f, tz)),
        ),
        None => ("onboarding.newcomers_from_cleared", "everyone who joined in the window is a newcomer".to_owned()),
    };
    networks::record(&mut tx, actor, actor_name, action, &seen, "", &detail).await?;
    tx.commit().await?;
    Ok(from)
}

/// Marks a newcomer settled in (`settled`), or takes the mark back (`!settled`): their
/// onboarding ends — no checklist on their network page, off the progress page, no nudge — or
/// starts again, their ticks untouched either way. Returns false, writing nothing, when they
/// already are as asked; a person who is neither a newcomer nor marked is not found.
pub async fn set_settled(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    user: UserId,
    settled: bool,
) -> Result<bool> {
    let o = progress(state, actor, slug).await?;
    let newcomer = o.newcomers.iter().find(|p| p.user_id == user).map(|p| &p.email);
    let marked = o.settled.iter().find(|p| p.user_id == user).map(|p| &p.email);
    let email = match (settled, newcomer, marked) {
        (_, None, None) => return Err(AppError::NotFound),
        (true, None, Some(_)) | (false, Some(_), None) => return Ok(false),
        (_, Some(e), _) | (_, _, Some(e)) => e.clone(),
    };
    let mut tx = state.db.begin().await?;
    if settled {
        onboarding::settle(&mut tx, o.seen.network.id, user, Utc::now()).await?;
    } else {
        onboarding::unsettle(&mut tx, o.seen.network.id, user).await?;
    }
    let action = if settled { "onboarding.settled_in" } else { "onboarding.newcomer_again" };
    networks::record(&mut tx, actor, actor_name, action, &o.seen, &email, "").await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn set_stuck_days(state: &AppState, actor: &Actor, actor_name: &str, slug: &str, days: &str) -> Result<()> {
    let seen = networks::load(state, actor, slug, Capability::Organise).await?;
    let days: i64 = days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=365).contains(d))
        .ok_or_else(|| FieldError::new("stuck_days", "Enter a number of days from 1 to 365."))?;
    let mut tx = state.db.begin().await?;
    onboarding::set_stuck_days(&mut tx, seen.network.id, days).await?;
    let detail = format!("{days} days");
    networks::record(&mut tx, actor, actor_name, "onboarding.stuck_days_set", &seen, "", &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// How soon an organiser may nudge the same newcomer again.
pub const NUDGE_INTERVAL_DAYS: i64 = 7;

/// Emails a newcomer a friendly reminder of what is left on their checklist, at most once a
/// week (any organiser), and records when. A refusal writes its days in `tz`, the organiser's
/// time zone.
pub async fn nudge(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    user: UserId,
    tz: chrono_tz::Tz,
) -> Result<()> {
    let Overview { seen, newcomers: list, .. } = progress(state, actor, slug).await?;
    let p = list.iter().find(|p| p.user_id == user).ok_or(AppError::NotFound)?;
    nudge_one(state, actor, actor_name, &seen, p, tz).await
}

/// `nudge` for one newcomer of the organiser's progress list (read once for many by `nudge_stuck`).
async fn nudge_one(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    seen: &Seen,
    p: &Progress,
    tz: chrono_tz::Tz,
) -> Result<()> {
    let user = p.user_id;
    if user == actor.user_id {
        return Err(AppError::Conflict(FieldError::new(
            "nudge",
            "A reminder is for other newcomers: your own checklist is on the network's home.",
        )));
    }
    if p.done == p.total {
        return Err(AppError::Conflict(FieldError::new("nudge", format!("{} has done every step.", p.name))));
    }
    if !p.theirs_to_do() {
        return Err(AppError::Conflict(FieldError::new(
            "nudge",
            format!("Everything left for {} is for the organisers: pair them with a buddy.", p.name),
        )));
    }
    let person = users::by_id(&state.db, user).await?.ok_or(AppError::NotFound)?;
    let organiser = users::by_id(&state.db, actor.user_id).await?.ok_or(AppError::NotFound)?;
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let interval = Duration::days(NUDGE_INTERVAL_DAYS);
    if !onboarding::set_nudged(&mut tx, seen.network.id, user, now, now - interval).await? {
        if crate::http::is_repeat(p.nudged_at, now) {
            return Ok(());
        }
        let again = p.nudged_at.map_or(now, |t| t + interval);
        return Err(AppError::Conflict(FieldError::new(
            "nudge",
            format!(
                "{} was nudged on {}; a nudge can be sent again from {}.",
                p.name,
                crate::http::day(p.nudged_at.unwrap_or(now), tz),
                crate::http::day(again, tz)
            ),
        )));
    }
    let public = state.config.public_url();
    let mut paragraphs = vec![format!("Hello {},", person.name)];
    // Until they accept the current charter, their checklist is hidden from them like the rest of
    // the network: the email asks only for that, and names no step.
    let action = if p.charter_pending {
        // Someone who accepted an earlier version is past their first steps: a new version waits.
        let (_, accepted) = roundtable_store::charters::standing(&state.db, seen.network.id, user).await?;
        paragraphs.push(if accepted.is_some() {
            format!(
                "{actor_name} from {} wanted to check in. The network has published a new version of its \
                 charter — how its members work together — since you accepted it: please read and accept it \
                 to carry on with your steps.",
                seen.network.name
            )
        } else {
            format!(
                "{actor_name} from {} wanted to check in. Before your first steps there, please read and \
                 accept the network's charter — how its members work together.",
                seen.network.name
            )
        });
        ("Read the charter", format!("{public}/n/{}/charter", seen.network.slug))
    } else {
        paragraphs.push(format!(
            "{actor_name} from {} wanted to check in: you have done {} of {} welcome steps. What is left:",
            seen.network.name, p.done, p.total
        ));
        paragraphs.extend(p.left.iter().map(|t| format!("• {t}")));
        if p.waiting_for_buddy {
            paragraphs.push("Pairing you with a buddy is up to the organisers: nothing to do for it.".to_owned());
        }
        ("Open my checklist", format!("{public}/n/{}#checklist", seen.network.slug))
    };
    paragraphs.push(format!(
        "If anything is in your way, reply to this email: it goes to {actor_name} ({}). We are glad you are here.",
        organiser.email
    ));
    mail::queue(
        &mut tx,
        &Mail {
            to: &person.email,
            subject: format!("Your first steps in {}", seen.network.name),
            paragraphs,
            action: Some(action),
            reply_to: Some(&organiser.email),
        },
        now,
    )
    .await?;
    networks::record(&mut tx, actor, actor_name, "onboarding.nudged", seen, &person.email, "").await?;
    tx.commit().await?;
    Ok(())
}
