//! `/api/v1` for networks: the caller's networks, a network and its member list, joining and
//! leaving. The same use cases as the pages (`networks::…`); errors are problem+json.

use super::{Joined, Seen};
use crate::api::extract::{Json, Path, Query};
use crate::api::{Problem, json_fields};
use crate::http::{ApiResult, ApiUser, ListQuery};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Serialize;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/networks", get(list_networks))
        .route("/api/v1/networks/{slug}", get(get_network))
        .route("/api/v1/networks/{slug}/members", get(list_members))
        .route("/api/v1/networks/{slug}/membership", post(join).delete(leave))
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

#[utoipa::path(get, path = "/api/v1/networks", tag = "networks", responses((status = 200, body = [NetworkJson]), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn list_networks(State(state): State<AppState>, u: ApiUser) -> ApiResult<Json<Vec<NetworkJson>>> {
    Ok(Json(super::list(&state, &u.actor()).await?.iter().map(network_json).collect()))
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}", tag = "networks", params(("slug" = String, Path)), responses((status = 200, body = NetworkJson), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn get_network(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<Json<NetworkJson>> {
    let h = super::home(&state, &u.actor(), &slug).await?;
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

#[utoipa::path(get, path = "/api/v1/networks/{slug}/members", tag = "networks", params(("slug" = String, Path), ("q" = Option<String>, Query, description = "Filter by name: every word, in any order (and by email for org admins)"), ("page" = Option<u32>, Query)),
    responses((status = 200, body = MembersPage), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn list_members(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<MembersPage>> {
    let page = q.page(super::pages::MEMBERS_PER_PAGE);
    let (_, list) = super::members(&state, &u.actor(), &slug, &q.q, page).await?;
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
pub(crate) struct JoinQuery {
    /// The charter version the caller accepts (required when the network has a charter).
    accept_charter: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/networks/{slug}/membership", tag = "networks", params(("slug" = String, Path), JoinQuery),
    responses((status = 200, body = JoinJson),
        (status = 400, description = "The query string cannot be read: `accept_charter` is not a number", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such network, or it is not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`accept_charter` is an older version of the network's charter: a newer one was published since, which the caller has not read (the detail names it). Nothing was changed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The network has a charter and `accept_charter` is missing or no version of it", body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn join(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Query(q): Query<JoinQuery>,
) -> ApiResult<Json<JoinJson>> {
    let joined = super::join(&state, &u.actor(), &u.0.name, &slug, q.accept_charter).await;
    let status = match joined.map_err(|e| json_fields(e, &[("accept", "accept_charter")]))? {
        Joined::Member => "active",
        Joined::Requested => "requested",
    };
    Ok(Json(JoinJson { status: status.into() }))
}

#[utoipa::path(delete, path = "/api/v1/networks/{slug}/membership", tag = "networks", params(("slug" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, description = "The caller is not a member, or is the network's last Chair (another must be named first)", body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn leave(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<StatusCode> {
    super::leave(&state, &u.actor(), &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}
