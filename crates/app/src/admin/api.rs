//! `/api/v1` for org admins' actions on a person: deactivate or reactivate their account, and
//! erase their personal data. The same use cases (and audit entries) as the People page.

use crate::api::extract::{Json, Path, Query};
use crate::http::{ApiResult, ApiUser};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, put};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/people/{id}/active", put(set_active)).route("/api/v1/people/{id}", delete(erase))
}

#[derive(Deserialize, ToSchema)]
pub struct ActiveJson {
    /// `false` deactivates (signs the person out everywhere and blocks sign-in and their API
    /// tokens); `true` reactivates.
    active: bool,
}

#[utoipa::path(put, path = "/api/v1/people/{id}/active", tag = "people", params(("id" = String, Path)), request_body = ActiveJson,
    responses((status = 204), (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Org admins only, and not for their own account"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::api::Problem, content_type = "application/problem+json", description = "The person's data was erased: there is no account to reactivate")))]
pub async fn set_active(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<String>,
    Json(a): Json<ActiveJson>,
) -> ApiResult<StatusCode> {
    super::set_active(&state, &u.actor(), &u.0.name, crate::api::person_id(&id)?, a.active).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Erasure cannot be undone, so it is asked for twice: the request names the person, and says
/// `confirm=ERASE` (as the People page asks for ERASE to be typed).
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct EraseQuery {
    /// Must be `ERASE`; without it the answer is 422 and nothing is erased.
    #[param(required = true, example = "ERASE")]
    confirm: String,
}

#[utoipa::path(delete, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path), EraseQuery),
    responses((status = 204, description = "Personal data erased for good; anonymous figures (counts of attendance, memberships) are kept"),
        (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Org admins only; not one's own account nor the last administrator"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "`confirm=ERASE` is missing (or says something else): nothing was erased; `errors` names `confirm`")))]
pub async fn erase(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<String>,
    Query(q): Query<EraseQuery>,
) -> ApiResult<StatusCode> {
    super::erase(&state, &u.actor(), &u.0.name, crate::api::person_id(&id)?, &q.confirm).await?;
    Ok(StatusCode::NO_CONTENT)
}
