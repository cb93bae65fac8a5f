//! `/api/v1` for org admins: find people (by name, email or employee ID, deactivated people
//! included), deactivate or reactivate an account, erase personal data, welcome everyone an
//! import made at once; the organisation's name and time zone. The same use cases (and audit
//! entries) as the People and Organisation pages.

use crate::api::extract::{Json, Path, Query};
use crate::http::{ApiResult, ApiUser};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/people", get(list_people))
        .route("/api/v1/people/{id}/active", put(set_active))
        .route("/api/v1/people/{id}", delete(erase))
        .route("/api/v1/admin/people/welcome", post(send_welcomes))
        .route("/api/v1/organisation", get(get_organisation).put(put_organisation))
}

/// Page size of `GET /api/v1/admin/people`, as on the People page.
const PER_PAGE: u32 = 50;

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct AdminPeopleQuery {
    /// Part of a name or email address, or an employee ID exactly (that person first).
    q: String,
    /// From 1; anything else is the first page.
    page: Option<String>,
    /// `all` (the default), `active`, `no-password` (active, never given a password: made by an
    /// import), `deactivated` (not erased), `erased` or `admins`.
    show: String,
    /// People per page, 1 to 200 (default 50).
    per_page: Option<String>,
}

/// A person as the People page lists them: with their address, employee ID and account state
/// (the directory shows none of these and leaves out deactivated people).
#[derive(Serialize, ToSchema)]
pub struct AdminPersonJson {
    id: String,
    name: String,
    email: String,
    /// Empty when the HR data gave none.
    employee_id: String,
    /// False once deactivated (by themselves, an org admin or an HR import).
    active: bool,
    /// Their personal data was erased: only anonymous figures are left.
    erased: bool,
    is_org_admin: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AdminPeoplePage {
    total: i64,
    page: u32,
    per_page: u32,
    people: Vec<AdminPersonJson>,
}

#[utoipa::path(get, path = "/api/v1/admin/people", tag = "people", operation_id = "list_all_people", params(AdminPeopleQuery),
    responses((status = 200, body = AdminPeoplePage, description = "Everyone with an account, deactivated and erased people included, by name; 50 a page unless per_page says"),
        (status = 400, body = crate::api::Problem, content_type = "application/problem+json", description = "A per_page out of range"),
        (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "An unknown show"),
        (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Org admins only")))]
pub async fn list_people(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<AdminPeopleQuery>,
) -> ApiResult<axum::Json<AdminPeoplePage>> {
    let size = roundtable_domain::Page::size_from_query(q.per_page.as_deref(), PER_PAGE)
        .map_err(|e| crate::http::AppError::BadRequest(StatusCode::BAD_REQUEST, e.message))?;
    let page = roundtable_domain::Page::from_query(q.page.as_deref(), Some(size));
    let (people, total) = super::people(&state, &u.actor(), &q.q, &q.show, page).await?;
    Ok(axum::Json(AdminPeoplePage {
        total,
        page: page.number,
        per_page: page.size,
        people: people
            .into_iter()
            .map(|(p, employee_id)| AdminPersonJson {
                id: p.id.to_string(),
                active: p.deactivated_at.is_none(),
                erased: p.is_erased(),
                name: p.name,
                email: p.email,
                employee_id,
                is_org_admin: p.is_org_admin,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActiveJson {
    /// `false` deactivates (signs the person out everywhere, blocks sign-in and deletes their API
    /// tokens: after reactivating they make new ones); `true` reactivates.
    active: bool,
}

/// A network, by name and address.
#[derive(Serialize, ToSchema)]
pub struct NetworkRefJson {
    name: String,
    slug: String,
}

/// Networks (name, slug) as the API names them.
pub fn network_refs(list: Vec<(String, String)>) -> Vec<NetworkRefJson> {
    list.into_iter().map(|(name, slug)| NetworkRefJson { name, slug }).collect()
}

/// What setting a person's account active or not did.
#[derive(Serialize, ToSchema)]
pub struct ActiveSetJson {
    /// As asked.
    active: bool,
    /// The networks the person was the only active Chair of, which now have none until an org
    /// admin names one (their Chairs and Administrators, and the org admins, are emailed);
    /// empty on reactivation.
    networks_without_chair: Vec<NetworkRefJson>,
}

#[utoipa::path(put, path = "/api/v1/people/{id}/active", tag = "people", params(("id" = String, Path)), request_body = ActiveJson,
    responses((status = 200, body = ActiveSetJson), (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Org admins only; none may deactivate their own account here (`{\"active\": true}` for one's own account changes nothing and answers 200)"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::api::Problem, content_type = "application/problem+json", description = "The person's data was erased: there is no account to reactivate")))]
pub async fn set_active(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<String>,
    Json(a): Json<ActiveJson>,
) -> ApiResult<axum::Json<ActiveSetJson>> {
    let chairless = super::set_active(&state, &u.actor(), &u.0.name, crate::api::person_id(&id)?, a.active).await?;
    Ok(axum::Json(ActiveSetJson { active: a.active, networks_without_chair: network_refs(chairless) }))
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
        (status = 409, body = crate::api::Problem, content_type = "application/problem+json", description = "The person's data is already erased (code `conflict`); nothing was done"),
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

#[derive(Serialize, ToSchema)]
pub struct WelcomedJson {
    /// How many welcome emails were queued: one to each active person without a password who had
    /// no welcome or password email in the last 7 days (0 when nobody was due).
    sent: usize,
}

#[utoipa::path(post, path = "/api/v1/admin/people/welcome", tag = "people",
    responses((status = 200, body = WelcomedJson), (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Org admins only")))]
pub async fn send_welcomes(State(state): State<AppState>, u: ApiUser) -> ApiResult<Json<WelcomedJson>> {
    let sent = super::send_welcomes(&state, &u.actor(), &u.0.name).await?;
    Ok(Json(WelcomedJson { sent }))
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationJson {
    name: String,
    /// IANA name; new accounts start in it.
    time_zone: String,
    /// Active people whose time zone is `time_zone` (those a change with `move_people` moves).
    people_in_zone: i64,
}

#[utoipa::path(get, path = "/api/v1/organisation", tag = "people",
    responses((status = 200, body = OrganisationJson), (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Org admins only")))]
pub async fn get_organisation(State(state): State<AppState>, u: ApiUser) -> ApiResult<Json<OrganisationJson>> {
    let s = super::settings(&state, &u.actor()).await?;
    Ok(Json(OrganisationJson { name: s.name, time_zone: s.time_zone, people_in_zone: s.in_zone }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationEditJson {
    name: String,
    /// IANA name, e.g. `Europe/London`.
    time_zone: String,
    /// When the zone changes, also move the active people still in the old one (default false).
    #[serde(default)]
    move_people: bool,
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationSavedJson {
    name: String,
    time_zone: String,
    /// People moved from the old zone to the new one.
    moved: u64,
}

#[utoipa::path(put, path = "/api/v1/organisation", tag = "people", request_body = OrganisationEditJson,
    responses((status = 200, body = OrganisationSavedJson), (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Org admins only"),
        (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "An empty or too long name, or an unknown time zone: nothing changed; `errors` names `name` or `time_zone`")))]
pub async fn put_organisation(
    State(state): State<AppState>,
    u: ApiUser,
    Json(b): Json<OrganisationEditJson>,
) -> ApiResult<Json<OrganisationSavedJson>> {
    let input = super::SettingsInput { name: b.name, time_zone: b.time_zone, move_people: b.move_people };
    let moved = super::update_settings(&state, &u.actor(), &u.0.name, &input)
        .await
        .map_err(|e| crate::api::json_fields(e, &[("org_name", "name")]))?;
    let s = super::settings(&state, &u.actor()).await?;
    Ok(Json(OrganisationSavedJson { name: s.name, time_zone: s.time_zone, moved }))
}
