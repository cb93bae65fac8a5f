//! `/api/v1` for a network's charter: read the current version and earlier ones, and accept
//! the current one as a member; publish a new version and see who accepted which (organisers).

use crate::api::extract::{Json, Path, Query};
use crate::http::{ApiResult, ApiUser, AppError};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/networks/{slug}/charter", get(get_charter).post(publish_charter))
        .route("/api/v1/networks/{slug}/charter/acceptance", post(accept_charter))
        .route("/api/v1/networks/{slug}/charter/versions", get(list_versions))
        .route("/api/v1/networks/{slug}/charter/versions/{version}", get(get_version))
        .route("/api/v1/networks/{slug}/charter/changes", get(get_changes))
        .route("/api/v1/networks/{slug}/charter/preview", post(preview_charter))
        .route("/api/v1/networks/{slug}/charter/acceptances", get(list_acceptances))
        .route("/api/v1/networks/{slug}/charter/reminders", post(remind))
}

/// A network's current charter, and the highest version the caller has accepted.
#[derive(Serialize, ToSchema)]
pub struct CharterJson {
    version: i64,
    /// Markdown, as published.
    body: String,
    /// The body as sanitised HTML.
    html: String,
    /// RFC 3339.
    published_at: String,
    accepted_version: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/charter", params(("slug" = String, Path)),
    responses((status = 200, body = CharterJson), (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such network visible to the caller, or no charter published")))]
pub async fn get_charter(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<Json<CharterJson>> {
    let view = super::show(&state, &u.actor(), &slug).await?;
    let charter = view.charter.ok_or(AppError::NotFound)?;
    Ok(Json(CharterJson {
        version: charter.version,
        body: charter.body,
        html: view.html,
        published_at: crate::api::time(charter.published_at),
        accepted_version: view.accepted,
    }))
}

/// A published version of the charter, without its text.
#[derive(Serialize, ToSchema)]
pub struct CharterVersionSummaryJson {
    version: i64,
    /// RFC 3339.
    published_at: String,
}

/// Every published version of a network's charter, newest first.
#[derive(Serialize, ToSchema)]
pub struct CharterVersionsJson {
    /// `null` while the network has no charter.
    current_version: Option<i64>,
    versions: Vec<CharterVersionSummaryJson>,
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/charter/versions", params(("slug" = String, Path)),
    responses((status = 200, body = CharterVersionsJson, description = "For whoever may read the current charter (anyone who may see the network); empty while there is none"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such network visible to the caller")))]
pub async fn list_versions(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<Json<CharterVersionsJson>> {
    let (_, list) = super::versions(&state, &u.actor(), &slug).await?;
    Ok(Json(CharterVersionsJson {
        current_version: list.first().map(|(v, _)| *v),
        versions: list
            .into_iter()
            .map(|(version, at)| CharterVersionSummaryJson { version, published_at: crate::api::time(at) })
            .collect(),
    }))
}

/// One version of a network's charter, current or earlier.
#[derive(Serialize, ToSchema)]
pub struct CharterVersionJson {
    version: i64,
    /// Markdown, as published.
    body: String,
    /// The body as sanitised HTML.
    html: String,
    /// RFC 3339.
    published_at: String,
    /// This is the version members must have accepted now.
    current: bool,
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/charter/versions/{version}",
    params(("slug" = String, Path), ("version" = i64, Path, description = "A version number, from 1")),
    responses((status = 200, body = CharterVersionJson, description = "For whoever may read the current charter (anyone who may see the network)"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such network visible to the caller, or no such version of its charter")))]
pub async fn get_version(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, version)): Path<(String, String)>,
) -> ApiResult<Json<CharterVersionJson>> {
    let v = super::version(&state, &u.actor(), &slug, super::version_number(&version)?).await?;
    Ok(Json(CharterVersionJson {
        version: v.charter.version,
        current: v.charter.version == v.current,
        body: v.charter.body,
        html: v.html,
        published_at: crate::api::time(v.charter.published_at),
    }))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The version compared from; by default the one before `to`.
    from: Option<i64>,
    /// The version compared to; by default the current one.
    to: Option<i64>,
}

/// What changed from one version of the charter to another: hunks of lines (Markdown
/// paragraphs and list items) removed, added or kept as context; within a line changed in
/// part, the spans that differ are marked `changed`. Blank lines and spacing are not changes.
#[derive(Serialize, ToSchema)]
pub struct CharterChangesJson {
    from: i64,
    to: i64,
    current_version: i64,
    hunks: Vec<Vec<super::changes::Line>>,
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/charter/changes", params(("slug" = String, Path), ChangesQuery),
    responses((status = 200, body = CharterChangesJson, description = "For whoever may read the current charter (anyone who may see the network)"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such network visible to the caller, or no such version of its charter (or no version before `to`)")))]
pub async fn get_changes(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Query(q): Query<ChangesQuery>,
) -> ApiResult<Json<CharterChangesJson>> {
    let c = super::compare(&state, &u.actor(), &slug, q.from, q.to).await?;
    Ok(Json(CharterChangesJson { from: c.from.version, to: c.to.version, current_version: c.current, hunks: c.hunks }))
}

/// A new version as it would be published; nothing is stored.
#[derive(Serialize, ToSchema)]
pub struct CharterPreviewJson {
    /// The number it would be published as.
    version: i64,
    /// The body as sanitised HTML.
    html: String,
    /// The version compared from (the current one), absent while there is none.
    changes_from: Option<i64>,
    /// What would change from it (as `GET …/charter/changes` answers).
    hunks: Vec<Vec<super::changes::Line>>,
}

#[utoipa::path(post, path = "/api/v1/networks/{slug}/charter/preview", params(("slug" = String, Path)), request_body = PublishJson,
    responses((status = 200, body = CharterPreviewJson, description = "The text as it would be published, and what would change; nothing is stored and no one is told"),
        (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Only the Chair, an Administrator or an org admin publishes"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::api::Problem, content_type = "application/problem+json", description = "`charter_acceptance_required`: the caller is a member who has not accepted the current version; accept it first. Or `base_version` is not the current version"),
        (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "Empty, too long, or the current version's text (blank lines and spacing aside): publishing it would be refused")))]
pub async fn preview_charter(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Json(p): Json<PublishJson>,
) -> ApiResult<Json<CharterPreviewJson>> {
    let p = super::preview(&state, &u.actor(), &slug, &p.body, p.base_version, 1).await?;
    let (changes_from, hunks) = match p.changes {
        Some((from, hunks)) => (Some(from), hunks),
        None => (None, Vec::new()),
    };
    Ok(Json(CharterPreviewJson { version: p.version, html: p.html, changes_from, hunks }))
}

/// The version the caller read and accepts: it must be the current one, so a version published
/// meanwhile is never accepted unseen.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptJson {
    version: i64,
}

#[utoipa::path(post, path = "/api/v1/networks/{slug}/charter/acceptance", params(("slug" = String, Path)), request_body = AcceptJson,
    responses((status = 204, description = "Accepted"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Only active members accept the charter"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::api::Problem, content_type = "application/problem+json", description = "An older version: a newer one was published since, which the caller has not read (`errors[0].field` is `version`; the detail names the current version). Nothing was accepted"),
        (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "No such version of the charter")))]
pub async fn accept_charter(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Json(a): Json<AcceptJson>,
) -> ApiResult<StatusCode> {
    super::accept(&state, &u.actor(), &slug, Some(a.version))
        .await
        .map_err(|e| crate::api::json_fields(e, &[("accept", "version")]))?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new version of the charter.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishJson {
    /// Markdown, up to 20,000 characters.
    body: String,
    /// The version the text was written from (0 when there was none). If another version has
    /// been published since, the request is refused (409) rather than undo its changes unseen;
    /// read them (`GET …/charter/changes?from=`), bring them in, and send the current number.
    /// A number no version has is refused (422). Without it, no such check is made.
    #[serde(default)]
    base_version: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/networks/{slug}/charter", params(("slug" = String, Path)), request_body = PublishJson,
    responses((status = 201, body = CharterJson, description = "Published: every other member is emailed and must accept it before using the network again. The body is the charter now current: the version published, unless another was published in between"),
        (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Only the Chair, an Administrator or an org admin publishes"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::api::Problem, content_type = "application/problem+json", description = "`charter_acceptance_required`: the caller is a member who has not accepted the current version; accept it first. Or `base_version` is not the current version: another was published since the text was begun. Nothing was published"),
        (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "Empty, too long, or the current version's text (blank lines and spacing aside); nothing was published")))]
pub async fn publish_charter(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Json(p): Json<PublishJson>,
) -> ApiResult<(StatusCode, Json<CharterJson>)> {
    super::publish(&state, &u.actor(), &u.0.name, &slug, &p.body, p.base_version).await?;
    let Json(charter) = get_charter(State(state), u, Path(slug)).await?;
    Ok((StatusCode::CREATED, Json(charter)))
}

/// A member and the latest charter version they accepted.
#[derive(Serialize, ToSchema)]
pub struct AcceptanceJson {
    id: String,
    name: String,
    accepted_version: Option<i64>,
    /// RFC 3339.
    accepted_at: Option<String>,
    /// Has accepted the current version.
    current: bool,
}

/// Who accepted which version.
#[derive(Serialize, ToSchema)]
pub struct AcceptancesJson {
    current_version: Option<i64>,
    /// Active members, and how many of them have accepted the current version (whatever
    /// `pending` lists).
    total: usize,
    accepted_current: usize,
    /// When those yet to accept the current version were last reminded (RFC 3339), if ever.
    reminded_at: Option<String>,
    /// From when they may be reminded (`POST …/charter/reminders`): now or, after a reminder,
    /// a week later; absent when there is no one to remind.
    can_remind_from: Option<String>,
    members: Vec<AcceptanceJson>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AcceptancesQuery {
    /// Only members who have not accepted the current version.
    pending: bool,
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/charter/acceptances", params(("slug" = String, Path), AcceptancesQuery),
    responses((status = 200, body = AcceptancesJson, description = "Every active member, for the network's organisers"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json")))]
pub async fn list_acceptances(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Query(q): Query<AcceptancesQuery>,
) -> ApiResult<Json<AcceptancesJson>> {
    let (_, charter, list) = super::acceptances(&state, &u.actor(), &slug).await?;
    let current = charter.as_ref().map(|c| c.version);
    let members: Vec<AcceptanceJson> = list
        .into_iter()
        .map(|(id, name, version, at)| AcceptanceJson {
            id: id.to_string(),
            name,
            current: current.is_some() && version >= current,
            accepted_version: version,
            accepted_at: at.map(crate::api::time),
        })
        .collect();
    let (total, accepted_current) = (members.len(), members.iter().filter(|m| m.current).count());
    let next = super::next_reminder(charter.as_ref(), total - accepted_current, chrono::Utc::now());
    Ok(Json(AcceptancesJson {
        current_version: current,
        total,
        accepted_current,
        reminded_at: charter.and_then(|c| c.reminded_at).map(crate::api::time),
        can_remind_from: next.map(crate::api::time),
        members: members.into_iter().filter(|m| !q.pending || !m.current).collect(),
    }))
}

/// How many members a reminder went to.
#[derive(Serialize, ToSchema)]
pub struct RemindedJson {
    reminded: usize,
}

#[utoipa::path(post, path = "/api/v1/networks/{slug}/charter/reminders", params(("slug" = String, Path)),
    responses((status = 202, body = RemindedJson, description = "A reminder is queued to every active member who has not accepted the current version"),
        (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "For the network's organisers"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::api::Problem, content_type = "application/problem+json", description = "No charter, everyone has accepted it, or members were reminded of this version less than a week ago; nothing is sent")))]
pub async fn remind(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<(StatusCode, Json<RemindedJson>)> {
    // A refusal's days on the caller's calendar, as on the page.
    let tz = crate::events::viewer_tz(&state, &u.actor()).await?;
    let reminded = super::remind(&state, &u.actor(), &u.0.name, &slug, tz).await?;
    Ok((StatusCode::ACCEPTED, Json(RemindedJson { reminded })))
}
