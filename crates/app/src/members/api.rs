//! `/api/v1/people` and `/api/v1/me/…`: the directory and profiles as JSON, with the same privacy
//! as the pages; the caller's own profile, photo, data and account deactivation.

use super::{DirectoryQuery, ProfileView};
use crate::api::extract::{Json, Path, Query};
use crate::http::{ApiResult, ApiUser, AppError};
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use roundtable_domain::FieldError;
use roundtable_domain::profile::{Audience, Field};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/people", get(list_people))
        .route("/api/v1/people/like-me", get(people_like_me))
        .route("/api/v1/people/{id}", get(get_person))
        .route("/api/v1/me/profile", get(get_my_profile).put(put_my_profile))
        .route("/api/v1/me/data", get(get_my_data))
        .route("/api/v1/me/data.csv", get(get_my_data_csv))
        .route("/api/v1/people/{id}/photo", get(get_photo))
        .route(
            "/api/v1/me/photo",
            put(put_my_photo)
                .delete(delete_my_photo)
                .layer(axum::extract::DefaultBodyLimit::max(super::photo::MAX_BYTES)),
        )
        .route("/api/v1/me/deactivation", post(deactivate_me))
}

#[derive(Serialize, ToSchema)]
pub struct PersonJson {
    id: String,
    name: String,
    job_title: String,
    department: String,
    location: String,
    /// The caller may see this person's photo at `/api/v1/people/{id}/photo`.
    has_photo: bool,
}

impl From<roundtable_store::profiles::Listed> for PersonJson {
    fn from(p: roundtable_store::profiles::Listed) -> Self {
        PersonJson {
            id: p.id.to_string(),
            name: p.name,
            job_title: p.job_title,
            department: p.department,
            location: p.location,
            has_photo: p.has_photo,
        }
    }
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
    /// When `q` found no one: `q` respelt from the words people are known by, which finds
    /// someone with the same filters ("jonh" → "john"); otherwise absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    did_you_mean: Option<String>,
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
    /// The manager's id (kept for older clients; `manager` has the name too).
    manager_id: Option<String>,
    /// The ids of the executives this person supports (kept for older clients;
    /// `supports_people` has the names too).
    supports: Option<Vec<String>>,
    /// The manager, as the profile page names them.
    manager: Option<NamedPersonJson>,
    /// The executives this person supports, as the profile page names them.
    supports_people: Option<Vec<NamedPersonJson>>,
    /// The people who name this person as their manager — each only where their own profile
    /// shows its manager to the caller.
    reports: Vec<NamedPersonJson>,
    /// The people who name this person as an executive they support, likewise.
    supported_by: Vec<NamedPersonJson>,
    /// The caller may see this person's photo, at `/api/v1/people/{id}/photo` (false when there
    /// is none, or when the photo's audience leaves the caller out).
    has_photo: bool,
}

/// Someone a profile names (a manager, a supported executive): their id, for
/// `/api/v1/people/{id}`, and their name.
#[derive(Serialize, ToSchema)]
pub struct NamedPersonJson {
    id: String,
    name: String,
}

impl From<(roundtable_domain::UserId, String)> for NamedPersonJson {
    fn from((id, name): (roundtable_domain::UserId, String)) -> Self {
        NamedPersonJson { id: id.to_string(), name }
    }
}

#[utoipa::path(get, path = "/api/v1/people",
    params(("q" = Option<String>, Query, description = "Search name, title, skills, interests, bio"), ("department" = Option<String>, Query), ("location" = Option<String>, Query),
        ("network" = Option<String>, Query, description = "Network slug"), ("level" = Option<String>, Query), ("skill" = Option<String>, Query), ("interest" = Option<String>, Query), ("language" = Option<String>, Query),
        ("sort" = Option<String>, Query, description = "name (default), department, location or newest (latest start date first)"),
        ("all" = Option<String>, Query, description = "A facet key whose values are listed in full"), ("page" = Option<u32>, Query, description = "From 1; anything else is the first page"),
        ("per_page" = Option<u32>, Query, description = "Results per page, 1 to 200 (default 25)")),
    responses((status = 200, body = PeoplePage), (status = 400, body = crate::api::Problem, content_type = "application/problem+json", description = "An unknown sort order, or a per_page out of range"),
        (status = 401, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "`network` is one whose members the caller may not read"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such network visible to the caller"),
        (status = 409, body = crate::api::Problem, content_type = "application/problem+json", description = "`network` asks the caller to accept its current charter first (code `charter_acceptance_required`)")))]
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
        people: d.people.into_iter().map(PersonJson::from).collect(),
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
        did_you_mean: d.did_you_mean,
    }))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", params(("id" = String, Path)),
    responses((status = 200, body = ProfileJson, description = "What the profile page shows the caller: each optional field (the manager, the people supported and the photo included) only where its owner's chosen audience takes the caller in, else null (`has_photo` false)"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json")))]
pub async fn get_person(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ProfileJson>> {
    let id = crate::api::person_id(&id)?;
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
        manager_id: p.manager.as_ref().map(|(id, _)| id.to_string()),
        supports: p.supports.as_ref().map(|l| l.iter().map(|(id, _)| id.to_string()).collect()),
        manager: p.manager.map(NamedPersonJson::from),
        supports_people: p.supports.map(|l| l.into_iter().map(NamedPersonJson::from).collect()),
        reports: p.reports.into_iter().map(NamedPersonJson::from).collect(),
        supported_by: p.supported_by.into_iter().map(NamedPersonJson::from).collect(),
        has_photo: p.has_photo,
    }))
}

/// The caller's own profile as they edit it: every field as stored (the bio as Markdown), and
/// who sees each optional field. `PUT` takes the same shape and replaces the whole profile, so
/// every field must be there (send back what `GET` gave, changed where you mean to): a body that
/// leaves one out is refused (422, the field named), changing nothing — a script sending only
/// `pronouns` would otherwise empty the rest. `name` may be left out (kept), as may
/// `years_experience` (null or absent: none) and `audiences` (an audience left out keeps the one
/// stored: leaving one out never shows a field to more people). An unknown key is refused too: a
/// misspelt `skills` would otherwise empty the skills.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct EditableProfileJson {
    #[serde(default)]
    name: Option<String>,
    job_title: String,
    department: String,
    location: String,
    /// An IANA zone such as `Europe/London`; empty is UTC.
    time_zone: String,
    preferred_name: String,
    pronouns: String,
    level: String,
    years_experience: Option<i64>,
    skills: Vec<String>,
    interests: Vec<String>,
    languages: Vec<String>,
    /// Markdown; shown sanitised.
    bio: String,
    /// `YYYY-MM-DD`.
    start_date: String,
    /// The manager's email address, or empty.
    manager_email: String,
    /// Email addresses of the executives the caller supports.
    supports_emails: Vec<String>,
    /// Field (`preferred_name`, `pronouns`, `level`, `years_experience`, `skills`, `interests`,
    /// `languages`, `bio`, `start_date`, `manager`, `supports`, `photo`) → `organisers`, `network`
    /// or `organisation`.
    #[serde(default)]
    audiences: BTreeMap<String, String>,
}

fn editable_json(v: super::ProfileInput, aud: &BTreeMap<Field, Audience>) -> EditableProfileJson {
    let list = |s: &str| s.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect();
    EditableProfileJson {
        years_experience: v.years_experience.parse().ok(),
        skills: list(&v.skills),
        interests: list(&v.interests),
        languages: list(&v.languages),
        supports_emails: list(&v.supports_emails),
        audiences: aud.iter().map(|(f, a)| (f.as_str().to_owned(), a.as_str().to_owned())).collect(),
        name: v.name,
        job_title: v.job_title,
        department: v.department,
        location: v.location,
        time_zone: v.time_zone,
        preferred_name: v.preferred_name,
        pronouns: v.pronouns,
        level: v.level,
        bio: v.bio,
        start_date: v.start_date,
        manager_email: v.manager_email,
    }
}

#[utoipa::path(get, path = "/api/v1/me/profile",
    responses((status = 200, body = EditableProfileJson), (status = 401, body = crate::api::Problem, content_type = "application/problem+json")))]
pub async fn get_my_profile(State(state): State<AppState>, u: ApiUser) -> ApiResult<Json<EditableProfileJson>> {
    let (v, aud) = super::editable(&state, &u.actor()).await?;
    Ok(Json(editable_json(v, &aud)))
}

#[utoipa::path(put, path = "/api/v1/me/profile", request_body = EditableProfileJson,
    responses((status = 200, body = EditableProfileJson, description = "The profile as now stored"),
        (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "Nothing was changed; `errors` says which field and why"),
        (status = 401, body = crate::api::Problem, content_type = "application/problem+json")))]
pub async fn put_my_profile(
    State(state): State<AppState>,
    u: ApiUser,
    Json(p): Json<EditableProfileJson>,
) -> ApiResult<Json<EditableProfileJson>> {
    let actor = u.actor();
    let (_, stored) = super::editable(&state, &actor).await?;
    let mut audiences: BTreeMap<String, String> =
        stored.iter().map(|(f, a)| (format!("audience_{}", f.as_str()), a.as_str().to_owned())).collect();
    for (field, audience) in p.audiences {
        if Field::parse(&field).is_none() {
            let known: Vec<_> = Field::ALL.iter().map(|f| f.as_str()).collect();
            let message = format!("Unknown field \"{field}\" in audiences: use {}.", known.join(", "));
            return Err(AppError::from(FieldError::new("audiences", message)).into());
        }
        audiences.insert(format!("audience_{field}"), audience);
    }
    // As the form sends lists: one item per line (split again on commas and semicolons).
    let lines = |l: Vec<String>| l.join("\n");
    let input = super::ProfileInput {
        name: p.name,
        job_title: p.job_title,
        department: p.department,
        location: p.location,
        time_zone: p.time_zone,
        preferred_name: p.preferred_name,
        pronouns: p.pronouns,
        level: p.level,
        years_experience: p.years_experience.map(|y| y.to_string()).unwrap_or_default(),
        skills: lines(p.skills),
        interests: lines(p.interests),
        languages: lines(p.languages),
        bio: p.bio,
        start_date: p.start_date,
        manager_email: p.manager_email,
        supports_emails: lines(p.supports_emails),
        audiences,
    };
    super::save(&state, &actor, input).await.map_err(|e| crate::api::json_fields(e, &[("audience", "audiences")]))?;
    let (v, aud) = super::editable(&state, &actor).await?;
    Ok(Json(editable_json(v, &aud)))
}

/// Someone sharing threads with the caller, and which.
#[derive(Serialize, ToSchema)]
pub struct SuggestionJson {
    person: PersonJson,
    /// The shared threads, rarest first ("Shared skill: Minute taking").
    reasons: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/people/like-me",
    responses((status = 200, body = [SuggestionJson], description = "People sharing threads with the caller (level, function, experience band, skills, interests, languages), best first"),
        (status = 401, body = crate::api::Problem, content_type = "application/problem+json")))]
pub async fn people_like_me(State(state): State<AppState>, u: ApiUser) -> ApiResult<Json<Vec<SuggestionJson>>> {
    let suggestions = super::like_me(&state, &u.actor()).await?;
    Ok(Json(suggestions.into_iter().map(|s| SuggestionJson { person: s.person.into(), reasons: s.reasons }).collect()))
}

#[utoipa::path(get, path = "/api/v1/me/data",
    responses((status = 200, body = Object, description = "Everything held about the caller, as the account page's JSON download gives it (`/api/v1/me/data.csv` gives it as CSV)"),
        (status = 401, body = crate::api::Problem, content_type = "application/problem+json")))]
pub async fn get_my_data(State(state): State<AppState>, u: ApiUser) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(crate::account::my_data(&state, &u.0).await?))
}

#[utoipa::path(get, path = "/api/v1/me/data.csv",
    params(("separator" = Option<String>, Query, description = "`comma` (the default) or `semicolon`, for Excel set to French, German and the like")),
    responses((status = 200, content_type = "text/csv", description = "The same data as `/api/v1/me/data`, as the account page's CSV download gives it: a `field,value` header, then one row per value named by its place in the JSON (`profile.skills[1]`); the photo is one row saying it is held (the JSON has it). UTF-8 with BOM, CRLF, as Excel opens it; a value a spreadsheet would take for a number or a date (`001016`, `1-2`) written as `=\"001016\"`"),
        (status = 400, body = crate::api::Problem, content_type = "application/problem+json", description = "An unknown `separator`"),
        (status = 401, body = crate::api::Problem, content_type = "application/problem+json")))]
pub async fn get_my_data_csv(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<crate::http::SeparatorQuery>,
) -> ApiResult<Response> {
    let separator = crate::http::Separator::parse(&q.separator)?;
    Ok(crate::account::pages::data_csv(crate::account::my_data_rows(&state, &u.0).await?, separator))
}

#[utoipa::path(get, path = "/api/v1/people/{id}/photo", params(("id" = String, Path)),
    responses((status = 200, content_type = "image/jpeg", description = "The 256×256 JPEG thumbnail"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such person, no photo, or the caller may not see it")))]
pub async fn get_photo(State(state): State<AppState>, u: ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    let id = crate::api::person_id(&id)?;
    let jpeg = super::photo_of(&state, &u.actor(), id).await?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, no-cache")], jpeg).into_response())
}

#[utoipa::path(put, path = "/api/v1/me/photo", request_body(content = String, content_type = "application/octet-stream", description = "The image file itself, as raw bytes (JPEG, PNG, GIF or WebP, up to 15 MB); its type is read from its content"),
    responses((status = 204, description = "Stored as a 256×256 JPEG thumbnail"),
        (status = 413, body = crate::api::Problem, content_type = "application/problem+json", description = "Larger than 15 MB"),
        (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "Not an image we can read; the photo is unchanged")))]
pub async fn put_my_photo(
    State(state): State<AppState>,
    u: ApiUser,
    req: axum::extract::Request,
) -> ApiResult<StatusCode> {
    use axum::extract::FromRequest;
    let too_large = || {
        AppError::BadRequest(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("The photo is larger than {} MB. Send a smaller one.", super::photo::MAX_MB),
        )
    };
    // Refused from the announced length before any of it is read, so the client hears why
    // rather than having its connection closed while it still sends.
    let announced = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if announced.is_some_and(|n| n > super::photo::MAX_BYTES) {
        return Err(too_large().into());
    }
    let bytes = Bytes::from_request(req, &state).await.map_err(|e: BytesRejection| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            AppError::BadRequest(e.status(), e.body_text())
        }
    })?;
    super::set_photo(&state, &u.actor(), bytes.to_vec()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/me/photo", responses((status = 204, description = "Removed (or there was none)")))]
pub async fn delete_my_photo(State(state): State<AppState>, u: ApiUser) -> ApiResult<StatusCode> {
    super::remove_photo(&state, &u.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's password, confirming that they mean it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeactivateJson {
    confirm_password: String,
}

/// What deactivating one's own account did.
#[derive(Serialize, ToSchema)]
pub struct AccountClosedJson {
    /// The networks the caller was the only active Chair of, which now have none until an org
    /// admin names one (their organisers and the org admins are emailed).
    networks_without_chair: Vec<crate::admin::api::NetworkRefJson>,
}

#[utoipa::path(post, path = "/api/v1/me/deactivation", request_body = DeactivateJson,
    responses((status = 200, body = AccountClosedJson, description = "The account is deactivated: signed out everywhere, and this token stops working. An org admin can reactivate it."),
        (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "The last administrator cannot leave"),
        (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "Wrong password; nothing changed"),
        (status = 429, body = crate::api::Problem, content_type = "application/problem+json", description = "Too many wrong passwords; try again later")))]
pub async fn deactivate_me(
    State(state): State<AppState>,
    u: ApiUser,
    Json(d): Json<DeactivateJson>,
) -> ApiResult<Json<AccountClosedJson>> {
    let chairless = crate::account::deactivate(&state, &u.0, &d.confirm_password).await?;
    Ok(Json(AccountClosedJson { networks_without_chair: crate::admin::api::network_refs(chairless) }))
}
