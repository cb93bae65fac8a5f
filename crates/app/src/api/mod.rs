//! `/api/v1`: JSON for me, networks and memberships, authenticated by personal API tokens.
//! Handlers call the same use cases as the pages; errors are `application/problem+json`. The
//! OpenAPI document is generated from these handlers and served at `/api/v1/openapi.json`.

use crate::http::{ApiResult, ApiUser, ListQuery};
use crate::networks::{self, Joined, Seen};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, response::IntoResponse};
use serde::Serialize;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Roundtable API", version = "1", description = "Networks and memberships. Authenticate with a personal API token from My account: `Authorization: Bearer rt_…`."),
    paths(me, list_networks, get_network, list_members, join, leave, crate::events::api::list_events, crate::events::api::get_event, crate::events::api::rsvp, crate::members::api::list_people, crate::members::api::get_person, crate::onboarding::api::my_onboarding, crate::onboarding::api::list_buddies, crate::onboarding::api::assign_buddy, crate::onboarding::api::end_buddy),
    components(schemas(MeJson, NetworkJson, MemberJson, MembersPage, JoinJson, Problem, crate::events::api::EventJson, crate::events::api::EventsPage, crate::events::api::RsvpJson, crate::events::api::RsvpResult, crate::members::api::PeoplePage, crate::members::api::PersonJson, crate::members::api::FacetJson, crate::members::api::FacetValueJson, crate::members::api::ProfileJson, crate::onboarding::api::OnboardingJson, crate::onboarding::api::StepJson, crate::onboarding::api::BuddyPersonJson, crate::onboarding::api::BuddyPairJson, crate::onboarding::api::AssignBuddyJson, crate::onboarding::api::AssignedJson)),
    modifiers(&TokenAuth),
    security(("token" = []))
)]
pub struct ApiDoc;

struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme("token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        }
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(crate::members::api::router())
        .route("/api/v1/me", get(me))
        .route("/api/v1/networks", get(list_networks))
        .route("/api/v1/networks/{slug}", get(get_network))
        .route("/api/v1/networks/{slug}/members", get(list_members))
        .route("/api/v1/networks/{slug}/membership", post(join).delete(leave))
        .merge(crate::events::api::router())
        .merge(crate::onboarding::api::router())
        .fallback(|| async { crate::http::ApiError(crate::http::AppError::NotFound) })
        .merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", ApiDoc::openapi()))
}

/// An RFC 9457 problem document.
#[derive(Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    /// Stable machine-readable code, e.g. `not_found`, `forbidden`, `invalid_input`.
    code: String,
    detail: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeJson {
    id: String,
    name: String,
    email: String,
    is_org_admin: bool,
    email_verified: bool,
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = MeJson), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn me(u: ApiUser) -> ApiResult<Json<MeJson>> {
    let u = u.0;
    Ok(Json(MeJson {
        id: u.id.to_string(),
        name: u.name,
        email: u.email,
        is_org_admin: u.is_org_admin,
        email_verified: u.email_verified_at.is_some(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct NetworkJson {
    slug: String,
    name: String,
    description: String,
    /// `open`, `by_request` or `invitation_only`.
    visibility: String,
    member_count: i64,
    /// The caller's status: `active`, `requested`, `invited`, or null.
    my_status: Option<String>,
    /// The caller's role when active.
    my_role: Option<String>,
}

fn network_json(s: &Seen) -> NetworkJson {
    NetworkJson {
        slug: s.network.slug.clone(),
        name: s.network.name.clone(),
        description: s.network.description.clone(),
        visibility: s.network.visibility.as_str().into(),
        member_count: s.network.member_count,
        my_status: s.status().map(|x| x.as_str().into()),
        my_role: s.role().map(|r| r.as_str().into()),
    }
}

#[utoipa::path(get, path = "/api/v1/networks", responses((status = 200, body = [NetworkJson]), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn list_networks(State(state): State<AppState>, u: ApiUser) -> ApiResult<Json<Vec<NetworkJson>>> {
    Ok(Json(networks::list(&state, &u.actor()).await?.iter().map(network_json).collect()))
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}", params(("slug" = String, Path)), responses((status = 200, body = NetworkJson), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_network(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<Json<NetworkJson>> {
    let h = networks::home(&state, &u.actor(), &slug).await?;
    Ok(Json(network_json(&h.seen)))
}

#[derive(Serialize, ToSchema)]
pub struct MemberJson {
    id: String,
    name: String,
    role: String,
    since: String,
}

#[derive(Serialize, ToSchema)]
pub struct MembersPage {
    total: i64,
    page: u32,
    per_page: u32,
    members: Vec<MemberJson>,
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/members", params(("slug" = String, Path), ("q" = Option<String>, Query, description = "Filter by name"), ("page" = Option<u32>, Query)),
    responses((status = 200, body = MembersPage), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_members(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<MembersPage>> {
    let page = q.page(crate::networks::pages::MEMBERS_PER_PAGE);
    let (_, list) = networks::members(&state, &u.actor(), &slug, &q.q, page).await?;
    Ok(Json(MembersPage {
        total: list.total,
        page: page.number,
        per_page: page.size,
        members: list
            .rows()
            .map(|m| MemberJson {
                id: m.id.to_string(),
                name: m.name.to_owned(),
                role: m.role.as_str().into(),
                since: m.since.to_rfc3339(),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct JoinJson {
    /// `active` when joined, `requested` when waiting for approval.
    status: String,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
struct JoinQuery {
    /// The charter version the caller accepts (required when the network has a charter).
    accept_charter: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/networks/{slug}/membership", params(("slug" = String, Path), JoinQuery), responses((status = 200, body = JoinJson), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn join(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Query(q): Query<JoinQuery>,
) -> ApiResult<Json<JoinJson>> {
    let status = match networks::join(&state, &u.actor(), &u.0.name, &slug, q.accept_charter).await? {
        Joined::Member => "active",
        Joined::Requested => "requested",
    };
    Ok(Json(JoinJson { status: status.into() }))
}

#[utoipa::path(delete, path = "/api/v1/networks/{slug}/membership", params(("slug" = String, Path)), responses((status = 204), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn leave(State(state): State<AppState>, u: ApiUser, Path(slug): Path<String>) -> ApiResult<impl IntoResponse> {
    networks::leave(&state, &u.actor(), &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}
