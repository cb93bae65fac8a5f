//! `/api/v1` for onboarding: a member's own checklist and buddy, and — for organisers — the
//! network's checklist (add, edit, remove, reorder steps), newcomers' progress with who is stuck (and a
//! nudge by email), and buddy pairings, with assigning, changing and ending one. The same use
//! cases as the pages; errors are problem+json with stable codes.

use super::buddies::{self, Assigned, Choice};
use crate::api::extract::{Json, Path};
use crate::http::{ApiError, ApiResult, ApiUser, AppError};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use chrono::{DateTime, Utc};
use roundtable_domain::{FieldError, UserId};
use roundtable_store::buddies::Paired;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/networks/{slug}/onboarding", get(my_onboarding))
        .route("/api/v1/networks/{slug}/onboarding/steps/{step}", put(tick_step))
        .route("/api/v1/networks/{slug}/onboarding/checklist", get(get_checklist).post(add_step))
        .route("/api/v1/networks/{slug}/onboarding/checklist/{step}", put(edit_step).delete(remove_step))
        .route("/api/v1/networks/{slug}/onboarding/checklist/{step}/move", post(move_step))
        .route("/api/v1/networks/{slug}/onboarding/progress", get(progress))
        .route("/api/v1/networks/{slug}/onboarding/stuck-days", put(set_stuck_days))
        .route(
            "/api/v1/networks/{slug}/onboarding/newcomers-from",
            put(set_newcomers_from).delete(clear_newcomers_from),
        )
        .route("/api/v1/networks/{slug}/onboarding/newcomers/{person}/settled", put(settle).delete(unsettle))
        .route("/api/v1/networks/{slug}/onboarding/newcomers/{person}/nudge", post(nudge))
        .route("/api/v1/networks/{slug}/buddies", get(list_buddies))
        .route("/api/v1/networks/{slug}/buddies/{newcomer}", get(buddy_choice).put(assign_buddy).delete(end_buddy))
}

/// A person paired as buddy or newcomer.
#[derive(Serialize, ToSchema)]
pub struct BuddyPersonJson {
    id: String,
    name: String,
    /// When the pairing started (RFC 3339).
    since: String,
}

fn person(p: &Paired) -> BuddyPersonJson {
    BuddyPersonJson { id: p.id.to_string(), name: p.name.clone(), since: crate::api::time(p.since) }
}

/// Someone paired with the caller — their buddy, or a newcomer they look after — with the
/// address to reach them, as the network's page shows it: the pairing is for getting in touch.
/// Only the two people paired get it; organisers' lists of pairings (`BuddyPersonJson`) carry
/// no addresses, as their pages show none.
#[derive(Serialize, ToSchema)]
pub struct BuddyContactJson {
    id: String,
    name: String,
    /// When the pairing started (RFC 3339).
    since: String,
    email: String,
}

fn contact(p: &Paired) -> BuddyContactJson {
    BuddyContactJson {
        id: p.id.to_string(),
        name: p.name.clone(),
        since: crate::api::time(p.since),
        email: p.email.clone(),
    }
}

/// One step of the caller's welcome checklist.
#[derive(Serialize, ToSchema)]
pub struct StepJson {
    id: String,
    title: String,
    description: String,
    /// How it completes: `""` (ticked by the member), `charter`, `profile`, `welcome` or `buddy`.
    automatic: String,
    done: bool,
}

/// The caller's onboarding in a network: the checklist, their buddy, and the newcomers they look
/// after as a buddy. Empty for people who are not active members.
#[derive(Serialize, ToSchema)]
pub struct OnboardingJson {
    steps: Vec<StepJson>,
    done: usize,
    total: usize,
    /// The caller's buddy, with their email address.
    buddy: Option<BuddyContactJson>,
    /// The newcomers the caller is buddy to, with their email addresses.
    looking_after: Vec<BuddyContactJson>,
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/onboarding", params(("slug" = String, Path)),
    responses((status = 200, body = OnboardingJson), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json")))]
pub(crate) async fn my_onboarding(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<Json<OnboardingJson>> {
    let actor = u.actor();
    let (seen, mine) = buddies::mine_in(&state, &actor, &slug).await?;
    let steps = super::mine(&state, &actor, &seen).await?;
    let done = steps.iter().filter(|s| s.done).count();
    Ok(Json(OnboardingJson {
        total: steps.len(),
        done,
        steps: steps
            .into_iter()
            .map(|s| StepJson {
                id: s.step.id,
                title: s.step.title,
                description: s.step.description,
                automatic: s.step.automatic,
                done: s.done,
            })
            .collect(),
        buddy: mine.buddy.as_ref().map(contact),
        looking_after: mine.looking_after.iter().map(contact).collect(),
    }))
}

/// Whether the caller has done one of their checklist's manual steps.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TickJson {
    done: bool,
}

#[utoipa::path(put, path = "/api/v1/networks/{slug}/onboarding/steps/{step}", params(("slug" = String, Path), ("step" = String, Path)), request_body = TickJson,
    responses((status = 200, body = OnboardingJson, description = "The checklist after the change (ticking twice changes nothing)"),
        (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Only active members have a checklist"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such network, or no such step ticked by hand (automatic steps complete themselves)"),
        (status = 409, body = crate::api::Problem, content_type = "application/problem+json", description = "The caller is past their onboarding here (a long-standing member, one who joined before the organisers' \"newcomers from\" day, or one marked settled in): the checklist is for newcomers (field `step`), or must accept the current charter first (code `charter_acceptance_required`)")))]
pub(crate) async fn tick_step(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, step)): Path<(String, String)>,
    Json(t): Json<TickJson>,
) -> ApiResult<Json<OnboardingJson>> {
    super::set_done(&state, &u.actor(), &slug, &step, t.done).await?;
    my_onboarding(State(state), u, Path(slug)).await
}

/// A current pairing.
#[derive(Serialize, ToSchema)]
pub struct BuddyPairJson {
    newcomer: BuddyPersonJson,
    buddy: BuddyPersonJson,
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/buddies", params(("slug" = String, Path)),
    responses((status = 200, body = [BuddyPairJson], description = "Every current pairing, for the network's organisers"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json")))]
pub(crate) async fn list_buddies(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<Json<Vec<BuddyPairJson>>> {
    let (_, pairs) = buddies::pairs(&state, &u.actor(), &slug).await?;
    Ok(Json(pairs.iter().map(|p| BuddyPairJson { newcomer: person(&p.newcomer), buddy: person(&p.buddy) }).collect()))
}

/// Who becomes the buddy: `buddy_id`, or `buddy_email` of an active member of the network.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBuddyJson {
    buddy_id: Option<String>,
    buddy_email: Option<String>,
}

/// The pairing after the change, and whether anything changed.
#[derive(Serialize, ToSchema)]
pub struct AssignedJson {
    /// `assigned` (the newcomer had no buddy), `changed` or `unchanged`.
    result: String,
    buddy: BuddyPersonJson,
}

#[utoipa::path(put, path = "/api/v1/networks/{slug}/buddies/{newcomer}", params(("slug" = String, Path), ("newcomer" = String, Path, description = "The newcomer's id")), request_body = AssignBuddyJson,
    responses((status = 200, body = AssignedJson, description = "Both people are emailed unless nothing changed"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json"), (status = 409, body = crate::api::Problem, content_type = "application/problem+json"), (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "Not a member, the newcomer themselves, or in their reporting line")))]
pub(crate) async fn assign_buddy(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, newcomer)): Path<(String, String)>,
    Json(b): Json<AssignBuddyJson>,
) -> ApiResult<Json<AssignedJson>> {
    let choice = match (b.buddy_id.as_deref().map(str::trim), b.buddy_email) {
        (Some(id), None) => Choice::Person(
            UserId::parse(id)
                .ok_or_else(|| AppError::Invalid(vec![FieldError::new("buddy_id", "This is not a person's id.")]))?,
        ),
        (None, Some(email)) => Choice::Email(email),
        _ => {
            return Err(
                AppError::Invalid(vec![FieldError::new("buddy_id", "Give either buddy_id or buddy_email.")]).into()
            );
        }
    };
    let actor = u.actor();
    let newcomer = crate::api::person_id(&newcomer)?;
    let (what, buddy) = buddies::assign(&state, &actor, &u.0.name, &slug, newcomer, choice)
        .await
        .map_err(|e| crate::api::json_fields(e, &[("email", "buddy_email")]))?;
    let since: DateTime<Utc> = match what {
        // The pairing already existed: report when this newcomer's pairing started (the buddy
        // may look after others, paired earlier).
        Assigned::Unchanged => {
            let (_, pairs) = buddies::pairs(&state, &actor, &slug).await?;
            pairs
                .iter()
                .find(|p| p.newcomer.id == newcomer && p.buddy.id == buddy.id)
                .map_or_else(Utc::now, |p| p.buddy.since)
        }
        _ => Utc::now(),
    };
    Ok(Json(AssignedJson {
        result: match what {
            Assigned::New => "assigned",
            Assigned::Changed => "changed",
            Assigned::Unchanged => "unchanged",
        }
        .into(),
        buddy: person(&Paired { id: buddy.id, name: buddy.name, since, email: buddy.email }),
    }))
}

#[utoipa::path(delete, path = "/api/v1/networks/{slug}/buddies/{newcomer}", params(("slug" = String, Path), ("newcomer" = String, Path, description = "The newcomer's id")),
    responses((status = 204, description = "The pairing has ended; the buddy is thanked by email"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such newcomer, or they have no buddy")))]
pub(crate) async fn end_buddy(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, newcomer)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    if buddies::end(&state, &u.actor(), &u.0.name, &slug, crate::api::person_id(&newcomer)?).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError(AppError::NotFound))
    }
}

/// A step of a network's checklist, as organisers define it.
#[derive(Serialize, ToSchema)]
pub struct ChecklistStepJson {
    id: String,
    title: String,
    description: String,
    /// How it completes: `""` (ticked by the member), `charter`, `profile`, `welcome` or `buddy`.
    automatic: String,
}

fn checklist_json(steps: Vec<roundtable_store::onboarding::Step>) -> Vec<ChecklistStepJson> {
    steps
        .into_iter()
        .map(|s| ChecklistStepJson { id: s.id, title: s.title, description: s.description, automatic: s.automatic })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/onboarding/checklist", params(("slug" = String, Path)),
    responses((status = 200, body = [ChecklistStepJson], description = "The steps in order, for the network's organisers"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json")))]
pub(crate) async fn get_checklist(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<Json<Vec<ChecklistStepJson>>> {
    Ok(Json(checklist_json(super::checklist(&state, &u.actor(), &slug).await?)))
}

/// A new step, added at the end of the checklist.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStepJson {
    /// Up to 120 characters.
    title: String,
    /// Up to 1,000 characters.
    #[serde(default)]
    description: String,
    /// `""` (ticked by the member, the default), `charter`, `profile`, `welcome` or `buddy`.
    #[serde(default)]
    automatic: String,
}

#[utoipa::path(post, path = "/api/v1/networks/{slug}/onboarding/checklist", params(("slug" = String, Path)), request_body = NewStepJson,
    responses((status = 201, body = [ChecklistStepJson], description = "The checklist with the new step last"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "Nothing was added; `errors` names the field")))]
pub(crate) async fn add_step(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Json(n): Json<NewStepJson>,
) -> ApiResult<(StatusCode, Json<Vec<ChecklistStepJson>>)> {
    let actor = u.actor();
    super::add_step(&state, &actor, &u.0.name, &slug, &n.title, &n.description, &n.automatic).await?;
    Ok((StatusCode::CREATED, Json(checklist_json(super::checklist(&state, &actor, &slug).await?))))
}

/// A step's new wording. How it is completed does not change (remove the step and add another
/// for that); an `automatic` field is refused rather than ignored.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepEditJson {
    /// Up to 120 characters.
    title: String,
    /// Up to 1,000 characters. Left out, the step keeps its description; `""` removes it.
    #[serde(default)]
    description: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/networks/{slug}/onboarding/checklist/{step}", params(("slug" = String, Path), ("step" = String, Path)), request_body = StepEditJson,
    responses((status = 200, body = [ChecklistStepJson], description = "The checklist with the step reworded; it keeps its id, place and members' ticks (the same wording again changes nothing)"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such network, or no such step in it"),
        (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "Nothing was changed; `errors` names the field")))]
pub(crate) async fn edit_step(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, step)): Path<(String, String)>,
    Json(e): Json<StepEditJson>,
) -> ApiResult<Json<Vec<ChecklistStepJson>>> {
    let actor = u.actor();
    super::edit_step(&state, &actor, &u.0.name, &slug, &step, &e.title, e.description.as_deref()).await?;
    Ok(Json(checklist_json(super::checklist(&state, &actor, &slug).await?)))
}

#[utoipa::path(delete, path = "/api/v1/networks/{slug}/onboarding/checklist/{step}", params(("slug" = String, Path), ("step" = String, Path)),
    responses((status = 204, description = "Removed, with members' ticks of it"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json")))]
pub(crate) async fn remove_step(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, step)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    super::remove_step(&state, &u.actor(), &u.0.name, &slug, &step).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which way a step moves, one place.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveJson {
    direction: Direction,
}

#[utoipa::path(post, path = "/api/v1/networks/{slug}/onboarding/checklist/{step}/move", params(("slug" = String, Path), ("step" = String, Path)), request_body = MoveJson,
    responses((status = 200, body = [ChecklistStepJson], description = "The checklist in its new order (the first step moved up stays first)"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json")))]
pub(crate) async fn move_step(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, step)): Path<(String, String)>,
    Json(m): Json<MoveJson>,
) -> ApiResult<Json<Vec<ChecklistStepJson>>> {
    let actor = u.actor();
    super::move_step(&state, &actor, &u.0.name, &slug, &step, matches!(m.direction, Direction::Up)).await?;
    Ok(Json(checklist_json(super::checklist(&state, &actor, &slug).await?)))
}

/// A newcomer's progress through the checklist.
#[derive(Serialize, ToSchema)]
pub struct NewcomerJson {
    id: String,
    name: String,
    /// When they joined (RFC 3339).
    joined: String,
    done: usize,
    total: usize,
    /// A step theirs to do not done `stuck_days` after they joined (or after the step was added,
    /// or — the charter step — after the current charter was published, whichever is latest). A
    /// buddy step, which organisers complete, makes nobody stuck.
    stuck: bool,
    /// A buddy step is left: they wait for an organiser to pair them with a buddy.
    waiting_for_buddy: bool,
    /// They have not accepted the network's current charter: their checklist is hidden from
    /// them until they do, and a reminder asks only for that.
    charter_pending: bool,
    /// The titles of the steps left that are theirs to do, in checklist order.
    left: Vec<String>,
    /// When an organiser last emailed them a reminder (RFC 3339); another can go a week later.
    nudged_at: Option<String>,
    buddy: Option<BuddyPersonJson>,
}

/// Someone who joined in the window whom an organiser marked settled in: not a newcomer (no
/// checklist, no nudge) until the mark is taken back.
#[derive(Serialize, ToSchema)]
pub struct SettledJson {
    id: String,
    name: String,
    /// When they joined (RFC 3339).
    joined: String,
    /// When they were marked settled in (RFC 3339).
    settled_at: String,
}

/// Newcomers (joined in the last 90 days, or stuck in them) and how far each has got.
#[derive(Serialize, ToSchema)]
pub struct ProgressJson {
    /// After how many days an unfinished newcomer counts as stuck.
    stuck_days: i64,
    /// Members who joined before this instant (RFC 3339) are not newcomers, however recently;
    /// null: everyone who joined in the window is. See `PUT …/onboarding/newcomers-from`.
    newcomers_from: Option<String>,
    steps: Vec<ChecklistStepJson>,
    newcomers: Vec<NewcomerJson>,
    /// Those in the window marked settled in, who are therefore not in `newcomers`.
    settled: Vec<SettledJson>,
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/onboarding/progress", params(("slug" = String, Path)),
    responses((status = 200, body = ProgressJson, description = "For the network's organisers"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json")))]
pub(crate) async fn progress(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<Json<ProgressJson>> {
    let super::Overview { steps, newcomers, stuck_days, newcomers_from, settled, .. } =
        super::progress(&state, &u.actor(), &slug).await?;
    Ok(Json(ProgressJson {
        stuck_days,
        newcomers_from: newcomers_from.map(crate::api::time),
        settled: settled
            .into_iter()
            .map(|p| SettledJson {
                id: p.user_id.to_string(),
                name: p.name,
                joined: crate::api::time(p.joined),
                settled_at: crate::api::time(p.settled_at),
            })
            .collect(),
        steps: checklist_json(steps.into_iter().map(|s| s.step).collect()),
        newcomers: newcomers
            .into_iter()
            .map(|n| NewcomerJson {
                id: n.user_id.to_string(),
                name: n.name,
                joined: crate::api::time(n.joined),
                done: n.done,
                total: n.total,
                stuck: n.stuck,
                waiting_for_buddy: n.waiting_for_buddy,
                charter_pending: n.charter_pending,
                left: n.left.clone(),
                nudged_at: n.nudged_at.map(crate::api::time),
                buddy: n.buddy.as_ref().map(person),
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StuckDaysJson {
    /// 1 to 365.
    stuck_days: i64,
}

#[utoipa::path(put, path = "/api/v1/networks/{slug}/onboarding/stuck-days", params(("slug" = String, Path)), request_body = StuckDaysJson,
    responses((status = 204), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "Not from 1 to 365; nothing changed")))]
pub(crate) async fn set_stuck_days(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Json(d): Json<StuckDaysJson>,
) -> ApiResult<StatusCode> {
    super::set_stuck_days(&state, &u.actor(), &u.0.name, &slug, &d.stuck_days.to_string()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which members are not newcomers: those who joined on or before a day.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewcomersFromJson {
    /// A day (YYYY-MM-DD) on the caller's calendar (their profile's time zone), today or
    /// earlier — typically the day the network's existing members were imported. Members who
    /// joined on or before it are not newcomers; if it is today, those who join later today are.
    joined_on_or_before: String,
}

/// The setting as stored.
#[derive(Serialize, ToSchema)]
pub struct NewcomersFromSetJson {
    /// Members who joined before this instant (RFC 3339) are not newcomers.
    newcomers_from: String,
}

#[utoipa::path(put, path = "/api/v1/networks/{slug}/onboarding/newcomers-from", params(("slug" = String, Path)), request_body = NewcomersFromJson,
    responses((status = 200, body = NewcomersFromSetJson, description = "Saved: members who joined on or before the day are no longer newcomers (their ticks are kept)"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Not an organiser of the network"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "Not a date, or a day still to come; nothing changed")))]
pub(crate) async fn set_newcomers_from(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Json(b): Json<NewcomersFromJson>,
) -> ApiResult<Json<NewcomersFromSetJson>> {
    // An empty day clears the setting on the page; here that is DELETE.
    if b.joined_on_or_before.trim().is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "joined_on_or_before",
            "Give a day like 2026-03-31; to count everyone in the window again, use DELETE.",
        )])
        .into());
    }
    let actor = u.actor();
    let tz = crate::events::viewer_tz(&state, &actor).await?;
    let from = super::set_newcomers_from(&state, &actor, &u.0.name, &slug, &b.joined_on_or_before, tz)
        .await
        .map_err(|e| crate::api::json_fields(e, &[("newcomers_from", "joined_on_or_before")]))?;
    Ok(Json(NewcomersFromSetJson { newcomers_from: from.map(crate::api::time).unwrap_or_default() }))
}

#[utoipa::path(delete, path = "/api/v1/networks/{slug}/onboarding/newcomers-from", params(("slug" = String, Path)),
    responses((status = 204, description = "Everyone who joined in the window is a newcomer again"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Not an organiser of the network"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json")))]
pub(crate) async fn clear_newcomers_from(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<StatusCode> {
    super::set_newcomers_from(&state, &u.actor(), &u.0.name, &slug, "", chrono_tz::UTC).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/networks/{slug}/onboarding/newcomers/{person}/settled", params(("slug" = String, Path), ("person" = String, Path, description = "The newcomer's id")),
    responses((status = 204, description = "Marked settled in (or already was): no checklist, not among the newcomers, no nudge; their ticks are kept"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Not an organiser of the network"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such network, or the person is not one of its newcomers")))]
pub(crate) async fn settle(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, person)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    super::set_settled(&state, &u.actor(), &u.0.name, &slug, crate::api::person_id(&person)?, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/networks/{slug}/onboarding/newcomers/{person}/settled", params(("slug" = String, Path), ("person" = String, Path, description = "The newcomer's id")),
    responses((status = 204, description = "A newcomer again (or still was), with the ticks they had"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Not an organiser of the network"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such network, or the person is neither one of its newcomers nor marked settled in (joined before the window or before `newcomers_from`, or not a member)")))]
pub(crate) async fn unsettle(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, person)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    super::set_settled(&state, &u.actor(), &u.0.name, &slug, crate::api::person_id(&person)?, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/networks/{slug}/onboarding/newcomers/{person}/nudge", params(("slug" = String, Path), ("person" = String, Path, description = "The newcomer's id")),
    responses((status = 202, description = "A reminder of the steps left is queued to the newcomer's email"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such network, or the person is not one of its newcomers"),
        (status = 409, body = crate::api::Problem, content_type = "application/problem+json", description = "They have done every step, nothing left is theirs to do (only a buddy to pair), or they were nudged less than a week ago; nothing is sent")))]
pub(crate) async fn nudge(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, person)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    // A refusal's days on the caller's calendar, as on the page.
    let tz = crate::events::viewer_tz(&state, &u.actor()).await?;
    super::nudge(&state, &u.actor(), &u.0.name, &slug, crate::api::person_id(&person)?, tz).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Someone suggested as a newcomer's buddy, and why.
#[derive(Serialize, ToSchema)]
pub struct BuddySuggestionJson {
    id: String,
    name: String,
    /// E.g. "In the network for 3 years", "Also in Leeds", "Looks after no newcomer at the moment".
    reasons: Vec<String>,
}

/// A newcomer's buddy now (if any) and who would suit: experienced members first, by place and
/// time zone, those looking after fewer newcomers — never from the newcomer's reporting line.
#[derive(Serialize, ToSchema)]
pub struct BuddyChoiceJson {
    newcomer: String,
    current: Option<BuddyPersonJson>,
    suggestions: Vec<BuddySuggestionJson>,
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/buddies/{newcomer}", params(("slug" = String, Path), ("newcomer" = String, Path, description = "The newcomer's id")),
    responses((status = 200, body = BuddyChoiceJson, description = "What the assignment page shows, for those who assign buddies"),
        (status = 403, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such network, or the person is not an active member of it")))]
pub(crate) async fn buddy_choice(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, newcomer)): Path<(String, String)>,
) -> ApiResult<Json<BuddyChoiceJson>> {
    let a = buddies::assignment(&state, &u.actor(), &slug, crate::api::person_id(&newcomer)?).await?;
    Ok(Json(BuddyChoiceJson {
        newcomer: a.newcomer.id.to_string(),
        current: a.current.as_ref().map(person),
        suggestions: a
            .suggestions
            .into_iter()
            .map(|s| BuddySuggestionJson { id: s.id.to_string(), name: s.name, reasons: s.reasons })
            .collect(),
    }))
}
