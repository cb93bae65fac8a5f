//! `/api/v1/people`: the directory and profiles as JSON, with the same privacy as the pages.

use super::{DirectoryQuery, ProfileView};
use crate::api::extract::{Json, Path, Query};
use crate::http::{ApiResult, ApiUser};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use roundtable_domain::UserId;
use serde::Serialize;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/people", get(list_people)).route("/api/v1/people/{id}", get(get_person))
}

#[derive(Serialize, ToSchema)]
pub struct PersonJson {
    id: String,
    name: String,
    job_title: String,
    department: String,
    location: String,
}

#[derive(Serialize, ToSchema)]
pub struct FacetValueJson {
    value: String,
    label: String,
    count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct FacetJson {
    /// The query parameter that filters by this facet.
    key: String,
    values: Vec<FacetValueJson>,
    /// Values left out (the most frequent come first); `all=<key>` lists every one.
    more: usize,
}

#[derive(Serialize, ToSchema)]
pub struct PeoplePage {
    total: i64,
    page: u32,
    per_page: u32,
    people: Vec<PersonJson>,
    facets: Vec<FacetJson>,
}

/// A profile; fields the caller may not see are absent (null).
#[derive(Serialize, ToSchema)]
pub struct ProfileJson {
    id: String,
    name: String,
    job_title: String,
    department: String,
    location: String,
    time_zone: String,
    preferred_name: Option<String>,
    pronouns: Option<String>,
    level: Option<String>,
    years_experience: Option<i64>,
    skills: Option<Vec<String>>,
    interests: Option<Vec<String>>,
    languages: Option<Vec<String>>,
    /// Sanitised HTML.
    bio_html: Option<String>,
    start_date: Option<String>,
    manager_id: Option<String>,
    supports: Option<Vec<String>>,
}

#[utoipa::path(get, path = "/api/v1/people",
    params(("q" = Option<String>, Query, description = "Search name, title, skills, interests, bio"), ("department" = Option<String>, Query), ("location" = Option<String>, Query),
        ("network" = Option<String>, Query, description = "Network slug"), ("level" = Option<String>, Query), ("skill" = Option<String>, Query), ("interest" = Option<String>, Query), ("language" = Option<String>, Query),
        ("sort" = Option<String>, Query, description = "name (default), department, location or newest (latest start date first)"),
        ("all" = Option<String>, Query, description = "A facet key whose values are listed in full"), ("page" = Option<u32>, Query)),
    responses((status = 200, body = PeoplePage), (status = 400, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::api::Problem, content_type = "application/problem+json")))]
pub async fn list_people(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<DirectoryQuery>,
) -> ApiResult<Json<PeoplePage>> {
    let d = super::directory(&state, &u.actor(), &q).await?;
    Ok(Json(PeoplePage {
        total: d.total,
        page: d.page.number,
        per_page: d.page.size,
        people: d
            .people
            .into_iter()
            .map(|p| PersonJson {
                id: p.id.to_string(),
                name: p.name,
                job_title: p.job_title,
                department: p.department,
                location: p.location,
            })
            .collect(),
        facets: d
            .facets
            .into_iter()
            .map(|f| FacetJson {
                key: f.key.into(),
                more: f.more,
                values: f
                    .values
                    .into_iter()
                    .map(|(value, label, count, _)| FacetValueJson { value, label, count })
                    .collect(),
            })
            .collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", params(("id" = String, Path)),
    responses((status = 200, body = ProfileJson), (status = 404, body = crate::api::Problem, content_type = "application/problem+json")))]
pub async fn get_person(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ProfileJson>> {
    let id = UserId::parse(&id).ok_or(crate::http::AppError::NotFound)?;
    let p: ProfileView = super::view(&state, &u.actor(), id).await?;
    Ok(Json(ProfileJson {
        id: p.id.to_string(),
        name: p.name,
        job_title: p.job_title,
        department: p.department,
        location: p.location,
        time_zone: p.time_zone,
        preferred_name: p.preferred_name,
        pronouns: p.pronouns,
        level: p.level,
        years_experience: p.years_experience,
        skills: p.skills,
        interests: p.interests,
        languages: p.languages,
        bio_html: p.bio_html,
        start_date: p.start_date,
        manager_id: p.manager.map(|(id, _)| id.to_string()),
        supports: p.supports.map(|l| l.into_iter().map(|(id, _)| id.to_string()).collect()),
    }))
}
