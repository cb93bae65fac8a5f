//! Onboarding pages: members tick steps (on the network home); organisers manage the steps,
//! watch newcomers' progress and nudge those who are stuck; those who manage members pair
//! newcomers with buddies.

use crate::http::{AppError, Errors, Form, Layout, Path, Query, Result, Signed, day, notice, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use roundtable_domain::UserId;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/n/{slug}/onboarding", get(page))
        .route("/n/{slug}/onboarding/steps", post(add_step))
        .route("/n/{slug}/onboarding/steps/{id}/edit", get(edit_page).post(edit_step))
        .route("/n/{slug}/onboarding/steps/{id}/{action}", get(step_confirm).post(step_action))
        .route("/n/{slug}/onboarding/stuck-days", post(stuck_days))
        .route("/n/{slug}/onboarding/newcomers-from", post(newcomers_from))
        .route("/n/{slug}/onboarding/settled/{user}", post(settle))
        .route("/n/{slug}/onboarding/settled/{user}/undo", post(unsettle))
        .route("/n/{slug}/onboarding/nudge/{user}", post(nudge))
        .route("/n/{slug}/onboarding/nudge-stuck", post(nudge_stuck))
        .route("/n/{slug}/checklist/{id}/{action}", post(tick))
        .route("/n/{slug}/onboarding/buddies/{user}", get(buddy_page).post(assign_buddy))
        .route("/n/{slug}/onboarding/buddies/{user}/end", post(end_buddy))
}

/// Notices of this area (the shared list in `http::notice` covers the rest); fixed texts only.
fn notice_of(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "step-edited" => Some("The step has been saved; members' ticks are kept."),
        "step-unchanged" => Some("The step already reads like this: nothing was changed."),
        "buddy-assigned" => Some("The buddy has been assigned; both have been emailed."),
        "buddy-changed" => Some("The buddy has been changed; everyone concerned has been emailed."),
        "buddy-unchanged" => Some("That person already is the buddy: nothing was changed."),
        "buddy-ended" => Some("The buddy pairing has ended; the buddy has been thanked by email."),
        "no-buddy" => Some("This newcomer has no buddy at the moment."),
        "newcomers-from-set" => Some("Saved: members who joined by that day are no longer counted as newcomers."),
        "newcomers-from-cleared" => Some("Saved: everyone who joined in the period counts as a newcomer again."),
        "settled-in" => Some("Marked as settled in: their checklist is put away; their ticks are kept."),
        "newcomer-again" => Some("They count as a newcomer again, with the ticks they had."),
        other => notice(Some(other)),
    }
}

struct Row {
    id: String,
    name: String,
    joined: String,
    done: usize,
    total: usize,
    stuck: bool,
    /// The steps left that are theirs to do, in checklist order ("" when none): what a stuck
    /// newcomer is stuck on.
    left: String,
    /// What is left is the organisers' to do (`Progress::waiting_on_organisers`).
    waiting_only: bool,
    /// A buddy step is left.
    waiting_for_buddy: bool,
    /// The current charter is not accepted: their checklist is hidden from them until it is.
    charter_pending: bool,
    /// When they were last nudged ("" if never), and whether another nudge may go now.
    nudged: String,
    can_nudge: bool,
    /// (id, name) of their buddy.
    buddy: Option<(String, String)>,
}

/// Someone marked settled in, for the list under the newcomers.
struct SettledRow {
    id: String,
    name: String,
    joined: String,
    settled: String,
}

/// A current pairing, for the organisers' list.
struct PairRow {
    newcomer_id: String,
    newcomer: String,
    buddy_id: String,
    buddy: String,
    since: String,
}

#[derive(Template)]
#[template(path = "onboarding/manage.html")]
struct ManagePage {
    layout: Layout,
    errors: Errors,
    slug: String,
    network_name: String,
    steps: Vec<super::StepView>,
    rows: Vec<Row>,
    stuck_days: i64,
    /// The "stuck after" value as typed, when it was refused (shown again beside the reason).
    typed_days: Option<String>,
    stuck_count: usize,
    /// Stuck newcomers a reminder may go to now (for "Email a reminder to every stuck newcomer").
    nudgeable_stuck: usize,
    waiting_count: usize,
    settled: Vec<SettledRow>,
    /// The "newcomers from" as the form shows it: the last day of the members it leaves out
    /// (YYYY-MM-DD, for the date input), as typed when it was refused; and written out.
    existing_until: String,
    /// Who "newcomers from" leaves out, in words (`existing_until_words`).
    existing_until_words: String,
    kinds: Vec<(&'static str, &'static str)>,
    /// The add-step form as last sent (kept after a refusal).
    title: String,
    description: String,
    automatic: String,
    /// The viewer may assign buddies (Chair, Administrator, org admin).
    can_assign: bool,
    pairs: Vec<PairRow>,
}

/// A setting as typed, when it was refused: shown again beside the reason, not the saved one.
#[derive(Default)]
struct Typed {
    stuck_days: Option<String>,
    newcomers_from: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct NoticeQuery {
    notice: Option<String>,
    /// How many reminders "remind every stuck newcomer" sent.
    sent: Option<usize>,
}

async fn render_page(
    state: &AppState,
    s: &Signed,
    slug: &str,
    errors: Errors,
    form: StepForm,
    notice: Option<String>,
    typed: Typed,
) -> Result<Response> {
    let actor = s.actor();
    let super::Overview { seen, steps, newcomers: progress, stuck_days, newcomers_from, settled } =
        super::progress(state, &actor, slug).await?;
    let (_, pairs) = super::buddies::pairs(state, &actor, slug).await?;
    let now = chrono::Utc::now();
    // Who needs the organiser first: the stuck, then those still on their way, then the rest
    // (in the order they joined within each), so in a large network the list starts with them.
    let mut progress = progress;
    progress.sort_by_key(|p| (!p.stuck, !p.theirs_to_do()));
    let rows: Vec<Row> = progress
        .into_iter()
        .map(|p| Row {
            nudged: p.nudged_at.map(|t| day(t, s.tz)).unwrap_or_default(),
            can_nudge: p.may_nudge(now) && p.user_id != actor.user_id,
            waiting_only: p.waiting_on_organisers(),
            charter_pending: p.charter_pending,
            waiting_for_buddy: p.waiting_for_buddy,
            id: p.user_id.to_string(),
            name: p.name,
            joined: day(p.joined, s.tz),
            done: p.done,
            total: p.total,
            stuck: p.stuck,
            left: p.left.join("; "),
            buddy: p.buddy.map(|b| (b.id.to_string(), b.name)),
        })
        .collect();
    let stuck_count = rows.iter().filter(|r| r.stuck).count();
    let nudgeable_stuck = rows.iter().filter(|r| r.stuck && r.can_nudge).count();
    let waiting_count = rows.iter().filter(|r| r.waiting_for_buddy).count();
    let can_assign = seen.can(&actor, roundtable_domain::Capability::ManageMembers);
    let until = newcomers_from.map(|f| super::existing_until(f, s.tz));
    render(&ManagePage {
        layout: Layout::for_user("Onboarding", s).with_notice_text(notice),
        errors,
        slug: seen.network.slug,
        network_name: seen.network.name,
        steps,
        rows,
        stuck_days,
        typed_days: typed.stuck_days,
        stuck_count,
        nudgeable_stuck,
        waiting_count,
        settled: settled
            .into_iter()
            .map(|p| SettledRow {
                id: p.user_id.to_string(),
                name: p.name,
                joined: day(p.joined, s.tz),
                settled: day(p.settled_at, s.tz),
            })
            .collect(),
        existing_until: typed
            .newcomers_from
            .unwrap_or_else(|| until.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()),
        existing_until_words: newcomers_from.map(|f| super::existing_until_words(f, s.tz)).unwrap_or_default(),
        kinds: super::AUTOMATIC.to_vec(),
        title: form.title,
        description: form.description,
        automatic: form.automatic,
        can_assign,
        pairs: pairs
            .into_iter()
            .map(|p| PairRow {
                newcomer_id: p.newcomer.id.to_string(),
                newcomer: p.newcomer.name,
                buddy_id: p.buddy.id.to_string(),
                buddy: p.buddy.name,
                since: day(p.buddy.since, s.tz),
            })
            .collect(),
    })
}

async fn page(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    render_page(
        &state,
        &s,
        &slug,
        Errors::default(),
        StepForm::default(),
        match (q.notice.as_deref(), q.sent) {
            (Some("nudged-stuck"), Some(n @ 1..)) => Some(format!(
                "A reminder has been emailed to {}: each stuck newcomer who had not had one this week.",
                if n == 1 { "1 newcomer".to_owned() } else { format!("{n} newcomers") }
            )),
            (code, _) => notice_of(code).map(str::to_owned),
        },
        Typed::default(),
    )
    .await
}

#[derive(Deserialize, Default)]
pub(crate) struct StepForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    automatic: String,
}

async fn add_step(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Form(f): Form<StepForm>,
) -> Result<Response> {
    match super::add_step(&state, &s.actor(), &s.user.name, &slug, &f.title, &f.description, &f.automatic).await {
        Ok(()) => Ok(Redirect::to(&format!("/n/{slug}/onboarding?notice=step-added")).into_response()),
        Err(AppError::Invalid(errs)) => Ok(crate::http::with_status(
            render_page(&state, &s, &slug, Errors(errs), f, None, Typed::default()).await?,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e),
    }
}

async fn step_action(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, id, action)): Path<(String, String, String)>,
) -> Result<Response> {
    let actor = s.actor();
    let n = match action.as_str() {
        "remove" => {
            super::remove_step(&state, &actor, &s.user.name, &slug, &id).await?;
            "?notice=step-removed"
        }
        "up" | "down" => {
            super::move_step(&state, &actor, &s.user.name, &slug, &id, action == "up").await?;
            // Said, and back at the step moved (the next Tab goes on from it). The id was found
            // by `move_step`: a UUID, safe in the address.
            return Ok(Redirect::to(&format!("/n/{slug}/onboarding?notice=step-moved#step-{id}")).into_response());
        }
        _ => return Err(AppError::NotFound),
    };
    Ok(Redirect::to(&format!("/n/{slug}/onboarding{n}")).into_response())
}

/// Removing a step deletes everyone's tick of it: the organiser confirms, told how many.
async fn step_confirm(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, id, action)): Path<(String, String, String)>,
) -> Result<Response> {
    if action != "remove" {
        return Err(AppError::NotFound);
    }
    let (seen, step, ticks) = super::removal(&state, &s.actor(), &slug, &id).await?;
    let consequence = match (step.automatic.is_empty(), ticks) {
        (false, _) => {
            "It is completed automatically, so no one's ticks are lost; it leaves every member's checklist.".to_owned()
        }
        (true, 0) => "No one has ticked it yet.".to_owned(),
        (true, 1) => {
            "One member has ticked it; their tick is deleted with the step and cannot be brought back.".to_owned()
        }
        (true, n) => {
            format!("{n} members have ticked it; their ticks are deleted with the step and cannot be brought back.")
        }
    };
    render(&crate::networks::pages::ConfirmPage {
        layout: Layout::for_user("Remove a checklist step", &s),
        heading: format!("Remove the step “{}”?", step.title),
        paragraphs: vec![consequence],
        refused: None,
        action: format!("/n/{}/onboarding/steps/{}/remove", seen.network.slug, step.id),
        confirm: "Remove the step".into(),
        back: format!("/n/{}/onboarding#steps-h", seen.network.slug),
        back_label: "Keep it".into(),
    })
}

#[derive(Template)]
#[template(path = "onboarding/edit_step.html")]
struct EditStepPage {
    layout: Layout,
    errors: Errors,
    slug: String,
    network_name: String,
    id: String,
    /// How the step is completed, as organisers read it ("Ticked by the member").
    kind: &'static str,
    manual: bool,
    title: String,
    description: String,
}

/// The edit form: the step as saved, or as sent when refused.
async fn render_edit(
    state: &AppState,
    s: &Signed,
    slug: &str,
    id: &str,
    sent: Option<(Errors, StepForm)>,
) -> Result<Response> {
    let (seen, step) = super::step_of(state, &s.actor(), slug, id).await?;
    let (errors, title, description) = match sent {
        Some((errors, f)) => (errors, f.title, f.description),
        None => (Errors::default(), step.title, step.description),
    };
    render(&EditStepPage {
        layout: Layout::for_user("Edit a checklist step", s),
        errors,
        slug: seen.network.slug,
        network_name: seen.network.name,
        id: step.id,
        kind: super::AUTOMATIC.iter().find(|(k, _)| *k == step.automatic).map_or("", |(_, label)| label),
        manual: step.automatic.is_empty(),
        title,
        description,
    })
}

async fn edit_page(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response> {
    render_edit(&state, &s, &slug, &id, None).await
}

async fn edit_step(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<StepForm>,
) -> Result<Response> {
    match super::edit_step(&state, &s.actor(), &s.user.name, &slug, &id, &f.title, Some(&f.description)).await {
        Ok(changed) => {
            let n = if changed { "step-edited" } else { "step-unchanged" };
            Ok(Redirect::to(&format!("/n/{slug}/onboarding?notice={n}")).into_response())
        }
        Err(AppError::Invalid(errs)) => Ok(crate::http::with_status(
            render_edit(&state, &s, &slug, &id, Some((Errors(errs), f))).await?,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct DaysForm {
    #[serde(default)]
    stuck_days: String,
}

async fn stuck_days(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Form(f): Form<DaysForm>,
) -> Result<Response> {
    match super::set_stuck_days(&state, &s.actor(), &s.user.name, &slug, &f.stuck_days).await {
        Ok(()) => Ok(Redirect::to(&format!("/n/{slug}/onboarding?notice=saved")).into_response()),
        Err(AppError::Invalid(errs)) => Ok(crate::http::with_status(
            {
                let typed = Typed { stuck_days: Some(f.stuck_days), ..Typed::default() };
                render_page(&state, &s, &slug, Errors(errs), StepForm::default(), None, typed).await?
            },
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct NewcomersFromForm {
    /// The last day of the members who are not newcomers (YYYY-MM-DD); empty clears it.
    #[serde(default)]
    newcomers_from: String,
}

async fn newcomers_from(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Form(f): Form<NewcomersFromForm>,
) -> Result<Response> {
    match super::set_newcomers_from(&state, &s.actor(), &s.user.name, &slug, &f.newcomers_from, s.tz).await {
        Ok(from) => {
            let n = if from.is_some() { "newcomers-from-set" } else { "newcomers-from-cleared" };
            Ok(Redirect::to(&format!("/n/{slug}/onboarding?notice={n}")).into_response())
        }
        Err(AppError::Invalid(errs)) => Ok(crate::http::with_status(
            {
                let typed = Typed { newcomers_from: Some(f.newcomers_from), ..Typed::default() };
                render_page(&state, &s, &slug, Errors(errs), StepForm::default(), None, typed).await?
            },
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e),
    }
}

async fn settle(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, user)): Path<(String, String)>,
) -> Result<Response> {
    super::set_settled(&state, &s.actor(), &s.user.name, &slug, user_id(&user)?, true).await?;
    Ok(Redirect::to(&format!("/n/{slug}/onboarding?notice=settled-in#prog-h")).into_response())
}

async fn unsettle(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, user)): Path<(String, String)>,
) -> Result<Response> {
    let user = user_id(&user)?;
    super::set_settled(&state, &s.actor(), &s.user.name, &slug, user, false).await?;
    Ok(Redirect::to(&format!("/n/{slug}/onboarding?notice=newcomer-again#n-{user}")).into_response())
}

async fn nudge(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, user)): Path<(String, String)>,
) -> Result<Response> {
    let user = UserId::parse(&user).ok_or(AppError::NotFound)?;
    super::nudge(&state, &s.actor(), &s.user.name, &slug, user, s.tz).await?;
    // Back at their row: the keyboard goes on from there, not from the top of a long list.
    Ok(Redirect::to(&format!("/n/{slug}/onboarding?notice=nudged#n-{user}")).into_response())
}

async fn nudge_stuck(State(state): State<AppState>, s: Signed, Path(slug): Path<String>) -> Result<Response> {
    let n = super::nudge_stuck(&state, &s.actor(), &s.user.name, &slug, s.tz).await?;
    let notice = if n == 0 { "nudged-none".to_owned() } else { format!("nudged-stuck&sent={n}") };
    Ok(Redirect::to(&format!("/n/{slug}/onboarding?notice={notice}#prog-h")).into_response())
}

async fn tick(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, id, action)): Path<(String, String, String)>,
) -> Result<Response> {
    let done = match action.as_str() {
        "done" => true,
        "undo" => false,
        _ => return Err(AppError::NotFound),
    };
    match super::set_done(&state, &s.actor(), &slug, &id, done).await {
        Ok(()) => Ok(Redirect::to(&format!("/n/{slug}#checklist")).into_response()),
        // A tab opened before an organiser removed the step: back to the checklist as it is now
        // (an unknown network then shows its own "not found").
        Err(AppError::NotFound) => Ok(Redirect::to(&format!("/n/{slug}?notice=step-gone#checklist")).into_response()),
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Buddies.

struct SuggestionRow {
    id: String,
    name: String,
    reasons: String,
}

#[derive(Template)]
#[template(path = "onboarding/buddy.html")]
struct BuddyPage {
    layout: Layout,
    errors: Errors,
    slug: String,
    network_name: String,
    newcomer_id: String,
    newcomer: String,
    /// "London · Europe/London · member since 3 Mar 2027"
    newcomer_facts: String,
    /// (id, name, since) of the buddy now.
    current: Option<(String, String, String)>,
    suggestions: Vec<SuggestionRow>,
    experienced_days: i64,
    email: String,
}

async fn render_buddy(
    state: &AppState,
    s: &Signed,
    slug: &str,
    user: UserId,
    errors: Errors,
    email: String,
    n: Option<&'static str>,
) -> Result<Response> {
    let a = super::buddies::assignment(state, &s.actor(), slug, user).await?;
    let facts: Vec<String> = [
        a.newcomer.location.clone(),
        a.newcomer.time_zone.clone(),
        format!("member since {}", day(a.newcomer.member_since, s.tz)),
    ]
    .into_iter()
    .filter(|f| !f.trim().is_empty())
    .collect();
    render(&BuddyPage {
        layout: Layout::for_user(&format!("Buddy for {}", a.newcomer.name), s).with_notice(n),
        errors,
        slug: a.seen.network.slug,
        network_name: a.seen.network.name,
        newcomer_id: a.newcomer.id.to_string(),
        newcomer: a.newcomer.name,
        newcomer_facts: facts.join(" · "),
        current: a.current.map(|c| (c.id.to_string(), c.name, day(c.since, s.tz))),
        suggestions: a
            .suggestions
            .into_iter()
            .map(|x| SuggestionRow { id: x.id.to_string(), name: x.name, reasons: x.reasons.join(" · ") })
            .collect(),
        experienced_days: super::buddies::EXPERIENCED_DAYS,
        email,
    })
}

fn user_id(raw: &str) -> Result<UserId> {
    UserId::parse(raw).ok_or(AppError::NotFound)
}

async fn buddy_page(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, user)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    render_buddy(&state, &s, &slug, user_id(&user)?, Errors::default(), String::new(), notice_of(q.notice.as_deref()))
        .await
}

#[derive(Deserialize, Default)]
pub(crate) struct BuddyForm {
    /// A suggestion's id.
    #[serde(default)]
    buddy: String,
    /// Or someone else's email.
    #[serde(default)]
    email: String,
}

async fn assign_buddy(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, user)): Path<(String, String)>,
    Form(f): Form<BuddyForm>,
) -> Result<Response> {
    let newcomer = user_id(&user)?;
    let choice = if !f.buddy.trim().is_empty() {
        // A suggestion's button: an id that is not one cannot be a member either.
        super::buddies::Choice::Person(UserId::parse(f.buddy.trim()).unwrap_or_default())
    } else if !f.email.trim().is_empty() {
        super::buddies::Choice::Email(f.email.clone())
    } else {
        let errs = vec![roundtable_domain::FieldError::new(
            "email",
            "Choose one of the suggested buddies, or enter the email address of a member.",
        )];
        return Ok(crate::http::with_status(
            render_buddy(&state, &s, &slug, newcomer, Errors(errs), String::new(), None).await?,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    match super::buddies::assign(&state, &s.actor(), &s.user.name, &slug, newcomer, choice).await {
        Ok((what, _)) => {
            let n = match what {
                super::buddies::Assigned::New => "buddy-assigned",
                super::buddies::Assigned::Changed => "buddy-changed",
                super::buddies::Assigned::Unchanged => "buddy-unchanged",
            };
            Ok(Redirect::to(&format!("/n/{slug}/onboarding/buddies/{newcomer}?notice={n}")).into_response())
        }
        Err(AppError::Invalid(errs)) => Ok(crate::http::with_status(
            render_buddy(&state, &s, &slug, newcomer, Errors(errs), f.email, None).await?,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(AppError::Conflict(err)) => Ok(crate::http::with_status(
            render_buddy(&state, &s, &slug, newcomer, Errors(vec![err]), f.email, None).await?,
            axum::http::StatusCode::CONFLICT,
        )),
        Err(e) => Err(e),
    }
}

async fn end_buddy(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, user)): Path<(String, String)>,
) -> Result<Response> {
    let newcomer = user_id(&user)?;
    let ended = super::buddies::end(&state, &s.actor(), &s.user.name, &slug, newcomer).await?;
    let n = if ended { "buddy-ended" } else { "no-buddy" };
    // Back to the overview: the newcomer may have left the network, and then has no buddy page.
    Ok(Redirect::to(&format!("/n/{slug}/onboarding?notice={n}")).into_response())
}
