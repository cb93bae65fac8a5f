//! `/api/v1` for onboarding: a member's own checklist and buddy, and — for organisers — the
//! network's buddy pairings, with assigning, changing and ending one. The same use cases as the
//! pages; errors are problem+json with stable codes.

use super::buddies::{self, Assigned, Choice};
use crate::api::extract::{Json, Path};
use crate::http::{ApiError, ApiResult, ApiUser, AppError};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, put};
use chrono::{DateTime, Utc};
use roundtable_domain::{FieldError, UserId};
use roundtable_store::buddies::Paired;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/networks/{slug}/onboarding", get(my_onboarding))
        .route("/api/v1/networks/{slug}/onboarding/steps/{step}", put(tick_step))
        .route("/api/v1/networks/{slug}/buddies", get(list_buddies))
        .route("/api/v1/networks/{slug}/buddies/{newcomer}", put(assign_buddy).delete(end_buddy))
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
    BuddyPersonJson { id: p.id.to_string(), name: p.name.clone(), since: p.since.to_rfc3339() }
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
    buddy: Option<BuddyPersonJson>,
    looking_after: Vec<BuddyPersonJson>,
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/onboarding", params(("slug" = String, Path)),
    responses((status = 200, body = OnboardingJson), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json"), (status = 409, body = crate::api::Problem, content_type = "application/problem+json", description = "The current charter must be accepted first")))]
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
        buddy: mine.buddy.as_ref().map(person),
        looking_after: mine.looking_after.iter().map(person).collect(),
    }))
}

/// Whether the caller has done one of their checklist's manual steps.
#[derive(Deserialize, ToSchema)]
pub struct TickJson {
    done: bool,
}

#[utoipa::path(put, path = "/api/v1/networks/{slug}/onboarding/steps/{step}", params(("slug" = String, Path), ("step" = String, Path)), request_body = TickJson,
    responses((status = 200, body = OnboardingJson, description = "The checklist after the change (ticking twice changes nothing)"),
        (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Only active members have a checklist"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such network, or no such step ticked by hand (automatic steps complete themselves)")))]
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

fn newcomer_id(raw: &str) -> Result<UserId, ApiError> {
    UserId::parse(raw).ok_or(ApiError(AppError::NotFound))
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
    let newcomer = newcomer_id(&newcomer)?;
    let (what, buddy) = buddies::assign(&state, &actor, &u.0.name, &slug, newcomer, choice).await?;
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
        buddy: person(&Paired { id: buddy.id, name: buddy.name, since }),
    }))
}

#[utoipa::path(delete, path = "/api/v1/networks/{slug}/buddies/{newcomer}", params(("slug" = String, Path), ("newcomer" = String, Path, description = "The newcomer's id")),
    responses((status = 204, description = "The pairing has ended; the buddy is thanked by email"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such newcomer, or they have no buddy")))]
pub(crate) async fn end_buddy(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, newcomer)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    if buddies::end(&state, &u.actor(), &u.0.name, &slug, newcomer_id(&newcomer)?).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError(AppError::NotFound))
    }
}
