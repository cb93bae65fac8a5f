//! `/api/v1` for events: a network's upcoming occurrences, one event, and RSVPs. The same use
//! cases as the pages; errors are problem+json with stable codes.

use crate::api::extract::{Json, Path, Query};
use crate::http::{ApiError, ApiResult, ApiUser, AppError};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use roundtable_domain::FieldError;
use roundtable_domain::events::{EventKind, LocationMode, Rsvp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/networks/{slug}/events", get(list_events))
        .route("/api/v1/events/{id}", get(get_event))
        .route("/api/v1/events/{id}/rsvp", post(rsvp))
}

/// One occurrence of an event.
#[derive(Serialize, ToSchema)]
pub struct EventJson {
    id: String,
    network: String,
    title: String,
    #[schema(schema_with = kind_schema)]
    kind: String,
    theme: String,
    description: String,
    /// Key of this occurrence (its original start, microseconds since the epoch); pass it back to RSVP.
    occurrence: i64,
    starts_at: String,
    ends_at: String,
    /// The organiser's IANA time zone.
    time_zone: String,
    /// RRULE of the series, empty for a one-off event; as in the calendar feed, its UNTIL is in
    /// UTC: the end of the last day on the event's `time_zone` clock.
    rrule: String,
    #[schema(schema_with = mode_schema)]
    location_mode: String,
    place: String,
    online_url: String,
    capacity: Option<i64>,
    #[schema(schema_with = audience_schema)]
    audience: String,
    cancelled: bool,
    /// The caller's own answer to this date (`yes`, `maybe`, `no`, `waitlisted`), null for none.
    #[schema(schema_with = my_answer_schema)]
    my_answer: Option<String>,
    /// Places taken on this date. Only in `GET /api/v1/events/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    going: Option<i64>,
    /// People on this date's waiting list. Only in `GET /api/v1/events/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    waiting: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EventsPage {
    events: Vec<EventJson>,
}

fn json(i: &super::Item) -> EventJson {
    let e = &i.event;
    EventJson {
        id: e.id.to_string(),
        network: e.network_slug.clone(),
        title: i.title().to_owned(),
        kind: e.kind.as_str().into(),
        theme: e.theme.clone(),
        description: e.description.clone(),
        occurrence: i.occ.original.timestamp_micros(),
        starts_at: crate::api::time(i.occ.start),
        ends_at: crate::api::time(i.occ.end),
        time_zone: e.time_zone.clone(),
        rrule: roundtable_domain::events::Rule::parse(&e.rrule)
            .map_or_else(|_| e.rrule.clone(), |r| r.to_rrule_in(super::tz_of(e))),
        location_mode: e.location_mode.as_str().into(),
        place: e.place.clone(),
        online_url: e.online_url.clone(),
        capacity: e.capacity,
        audience: e.audience.as_str().into(),
        cancelled: i.cancelled,
        my_answer: None,
        going: None,
        waiting: None,
    }
}

/// Which date of an event to read.
#[derive(Deserialize, IntoParams)]
pub(crate) struct OccurrenceQuery {
    /// The date's key (`occurrence` from a list); the next date when left out.
    occurrence: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
pub(crate) struct RangeQuery {
    /// Start of the window (RFC 3339); default now.
    from: Option<String>,
    /// End of the window (RFC 3339), after `from`; default 92 days after `from`. A window of more
    /// than 400 days is refused (422): ask for it in parts.
    to: Option<String>,
}

fn parse_time(field: &'static str, raw: Option<&str>, default: DateTime<Utc>) -> Result<DateTime<Utc>, AppError> {
    match raw {
        None => Ok(default),
        Some(s) => DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|_| {
            AppError::Invalid(vec![FieldError::new(field, "Use an RFC 3339 time like 2027-01-12T12:00:00Z.")])
        }),
    }
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/events", params(("slug" = String, Path), RangeQuery),
    responses((status = 200, body = EventsPage, description = "The dates of the network's events in the window, in time order (for someone not a member: those open to the whole organisation)"), (status = 403, body = crate::api::Problem, content_type = "application/problem+json"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "`from` or `to` is not an RFC 3339 time, or the window is empty or longer than 400 days (`errors[0].field` names which)")))]
pub(crate) async fn list_events(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Query(q): Query<RangeQuery>,
) -> ApiResult<Json<EventsPage>> {
    let from = parse_time("from", q.from.as_deref(), Utc::now())?;
    let to = parse_time("to", q.to.as_deref(), from + Duration::days(92))?;
    // Refused rather than cut short: a sync job would take a shortened list for the whole.
    if to <= from || to - from > Duration::days(400) {
        let why = "Give a `to` after `from` and at most 400 days after it; ask for a longer time in parts.";
        return Err(ApiError(AppError::Invalid(vec![FieldError::new("to", why)])));
    }
    let actor = u.actor();
    let (_, items) = super::network_calendar(&state, &actor, &slug, from, to, &super::Filter::default()).await?;
    let answers = super::my_answers(&state, &actor, &items).await?;
    let answer = |i: &super::Item| answers.get(&(i.event.id, i.occ.original)).map(|r| r.as_str().to_owned());
    Ok(Json(EventsPage { events: items.iter().map(|i| EventJson { my_answer: answer(i), ..json(i) }).collect() }))
}

fn event_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError(AppError::NotFound))
}

#[utoipa::path(get, path = "/api/v1/events/{id}", params(("id" = String, Path), OccurrenceQuery),
    responses((status = 200, body = EventJson, description = "The date asked for, else the next one (or the last, when all are past), with the caller's answer and the places taken and waiting"),
        (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Only members of the event's network see it, unless it is open to the whole organisation"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json")))]
pub(crate) async fn get_event(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<String>,
    Query(q): Query<OccurrenceQuery>,
) -> ApiResult<Json<EventJson>> {
    let at =
        q.occurrence.map(|at| DateTime::from_timestamp_micros(at).ok_or(ApiError(AppError::NotFound))).transpose()?;
    let d = super::detail(&state, &u.actor(), event_id(&id)?, at).await?;
    let item = d.item.as_ref().ok_or(ApiError(AppError::NotFound))?;
    Ok(Json(EventJson {
        my_answer: d.my_rsvp.map(|r| r.as_str().to_owned()),
        going: Some(d.going),
        waiting: Some(d.waiting),
        ..json(item)
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RsvpJson {
    /// The occurrence key from `EventJson.occurrence`.
    occurrence: i64,
    #[schema(schema_with = answer_schema)]
    response: String,
}

fn kind_schema() -> utoipa::openapi::schema::Object {
    crate::api::one_of(EventKind::ALL.iter().map(|k| k.as_str()), "What sort of event it is.")
}

fn mode_schema() -> utoipa::openapi::schema::Object {
    crate::api::one_of(LocationMode::ALL.iter().map(|m| m.as_str()), "Where people take part.")
}

fn audience_schema() -> utoipa::openapi::schema::Object {
    let all = roundtable_domain::events::Audience::ALL.iter().map(|a| a.as_str());
    crate::api::one_of(all, "Who is invited: the network's members, or everyone in the organisation.")
}

fn answer_schema() -> utoipa::openapi::schema::Object {
    crate::api::one_of(["yes", "no", "maybe"], "The answer: `waitlisted` is not given but earned.")
}

fn result_schema() -> utoipa::openapi::schema::Object {
    crate::api::one_of(Rsvp::ALL.iter().map(|r| r.as_str()), "The answer held: `waitlisted` when the event is full.")
}

fn my_answer_schema() -> utoipa::openapi::schema::Object {
    crate::api::one_of_or_null(Rsvp::ALL.iter().map(|r| r.as_str()), "The caller's answer to this date; null for none.")
}

#[derive(Serialize, ToSchema)]
pub struct RsvpResult {
    #[schema(schema_with = result_schema)]
    response: String,
}

#[utoipa::path(post, path = "/api/v1/events/{id}/rsvp", params(("id" = String, Path)), request_body = RsvpJson,
    responses((status = 200, body = RsvpResult),
        (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Only members of the event's network answer it, unless it is open to the whole organisation"), (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "No such event, or one the caller may not see"), (status = 409, body = crate::api::Problem, content_type = "application/problem+json"), (status = 422, body = crate::api::Problem, content_type = "application/problem+json", description = "`response` is not yes, no or maybe, or `occurrence` is not one of the event's dates")))]
pub(crate) async fn rsvp(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<String>,
    Json(b): Json<RsvpJson>,
) -> ApiResult<Json<RsvpResult>> {
    let want = Rsvp::parse(&b.response)
        .filter(|r| *r != Rsvp::Waitlisted)
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("response", "Use yes, no or maybe.")]))?;
    let at = DateTime::from_timestamp_micros(b.occurrence).ok_or_else(|| {
        AppError::Invalid(vec![FieldError::new("occurrence", "Use the `occurrence` of a date listed for the event.")])
    })?;
    let got = super::rsvp(&state, &u.actor(), event_id(&id)?, at, want).await?;
    Ok(Json(RsvpResult { response: got.as_str().into() }))
}
