//! `/api/v1`: what every area's API shares — the OpenAPI document, problem documents, the
//! fallbacks — and the caller's own account (`/me`); each area's routes are in its `api.rs`.
//! Authenticated by personal API tokens. Handlers call the same use cases as the pages; errors
//! are `application/problem+json` — every one under `/api/v1`, whoever answers: a handler, an
//! extractor (`extract`), an unknown path or method (the fallbacks here), or a layer of the
//! router (`problem_responses`). The OpenAPI document is generated from the handlers and served
//! at `/api/v1/openapi.json`.

pub mod extract;

use crate::http::{ApiError, ApiResult, ApiUser, AppError};
use crate::state::AppState;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use extract::Json;
use serde::Serialize;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

/// Where the API lives; every response under it, errors included, is JSON.
pub const PREFIX: &str = "/api/v1";

/// A time as every API document writes it: RFC 3339, UTC, to the second (`…T11:00:00Z`). One
/// shape for every field, whether the time was read back from the database or just taken.
pub fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Roundtable API", version = "1", description = "Networks, memberships, events, people, onboarding and HR data. Authenticate with a personal API token from My account: `Authorization: Bearer rt_…`. Every error is an RFC 9457 problem document (`application/problem+json`) with a stable `code`. Times are RFC 3339 in UTC to the second (`2027-04-13T11:00:00Z`)."),
    paths(me, crate::networks::api::list_networks, crate::networks::api::create_network, crate::networks::api::delete_network, crate::networks::api::get_network, crate::networks::api::list_members, crate::networks::api::join, crate::networks::api::leave, crate::networks::api::list_requests, crate::networks::api::decide, crate::networks::api::decide_many, crate::networks::api::list_invitations, crate::networks::api::invite, crate::networks::api::invite_many, crate::networks::api::withdraw_invitation, crate::networks::api::set_role, crate::networks::api::remove_member, crate::events::api::list_events, crate::events::api::get_event, crate::events::api::rsvp, crate::members::api::list_people, crate::members::api::get_person, crate::members::api::people_like_me, crate::members::api::get_my_profile, crate::members::api::put_my_profile, crate::members::api::get_my_data, crate::charter::api::get_charter, crate::charter::api::list_versions, crate::charter::api::get_version, crate::charter::api::get_changes, crate::charter::api::preview_charter, crate::charter::api::accept_charter, crate::onboarding::api::my_onboarding, crate::onboarding::api::tick_step, crate::onboarding::api::list_buddies, crate::onboarding::api::buddy_choice, crate::onboarding::api::assign_buddy, crate::onboarding::api::end_buddy, crate::onboarding::api::get_checklist, crate::onboarding::api::add_step, crate::onboarding::api::edit_step, crate::onboarding::api::remove_step, crate::onboarding::api::move_step, crate::onboarding::api::progress, crate::onboarding::api::set_stuck_days, crate::onboarding::api::set_newcomers_from, crate::onboarding::api::clear_newcomers_from, crate::onboarding::api::settle, crate::onboarding::api::unsettle, crate::onboarding::api::nudge, crate::charter::api::publish_charter, crate::charter::api::list_acceptances, crate::charter::api::remind, crate::members::api::get_photo, crate::members::api::put_my_photo, crate::members::api::delete_my_photo, crate::members::api::deactivate_me, crate::admin::api::list_people, crate::admin::api::set_active, crate::admin::api::erase, crate::admin::api::send_welcomes, crate::admin::api::get_organisation, crate::admin::api::put_organisation, crate::import::api::import_members, crate::import::api::export_members, crate::import::api::export_network_members, crate::members::api::get_my_data_csv),
    components(schemas(MeJson, crate::networks::api::NetworkJson, crate::networks::api::NewNetworkJson, crate::networks::api::CreatedNetworkJson, crate::networks::api::MemberJson, crate::networks::api::MembersPage, crate::networks::api::JoinJson, crate::networks::api::JoinBody, crate::networks::api::RequestJson, crate::networks::api::Decision, crate::networks::api::DecisionJson, crate::networks::api::InvitationJson, crate::networks::api::InviteJson, crate::networks::api::InviteManyJson, crate::networks::api::InvitedManyJson, crate::networks::api::NotSentJson, crate::networks::api::RoleJson, Problem, FieldProblem, crate::events::api::EventJson, crate::events::api::EventsPage, crate::events::api::RsvpJson, crate::events::api::RsvpResult, crate::members::api::PeoplePage, crate::members::api::PersonJson, crate::members::api::FacetJson, crate::members::api::FacetValueJson, crate::members::api::ProfileJson, crate::members::api::EditableProfileJson, crate::members::api::SuggestionJson, crate::charter::api::CharterJson, crate::charter::api::CharterVersionsJson, crate::charter::api::CharterVersionSummaryJson, crate::charter::api::CharterVersionJson, crate::charter::api::CharterChangesJson, crate::charter::api::CharterPreviewJson, crate::charter::changes::Line, crate::charter::changes::Span, crate::charter::changes::LineKind, crate::charter::api::AcceptJson, crate::onboarding::api::OnboardingJson, crate::onboarding::api::TickJson, crate::onboarding::api::StepJson, crate::onboarding::api::BuddyPersonJson, crate::onboarding::api::BuddyPairJson, crate::onboarding::api::BuddyChoiceJson, crate::onboarding::api::BuddySuggestionJson, crate::onboarding::api::AssignBuddyJson, crate::onboarding::api::AssignedJson, crate::onboarding::api::ChecklistStepJson, crate::onboarding::api::NewStepJson, crate::onboarding::api::StepEditJson, crate::onboarding::api::Direction, crate::onboarding::api::MoveJson, crate::onboarding::api::NewcomerJson, crate::onboarding::api::ProgressJson, crate::onboarding::api::StuckDaysJson, crate::onboarding::api::SettledJson, crate::onboarding::api::NewcomersFromJson, crate::onboarding::api::NewcomersFromSetJson, crate::charter::api::PublishJson, crate::charter::api::AcceptanceJson, crate::charter::api::AcceptancesJson, crate::charter::api::RemindedJson, crate::members::api::DeactivateJson, crate::members::api::AccountClosedJson, crate::admin::api::ActiveJson, crate::admin::api::ActiveSetJson, crate::admin::api::NetworkRefJson, crate::admin::api::AdminPersonJson, crate::admin::api::AdminPeoplePage, crate::admin::api::WelcomedJson, crate::admin::api::OrganisationJson, crate::admin::api::OrganisationEditJson, crate::admin::api::OrganisationSavedJson, crate::import::api::ImportReportJson, crate::import::api::ImportProblem, crate::import::api::RowErrorJson, crate::import::api::RowOutcomeJson, crate::import::api::DeactivatedJson, crate::members::api::NamedPersonJson, crate::onboarding::api::BuddyContactJson)),
    tags(
        (name = "me", description = "The caller's own account."),
        (name = "networks", description = "Networks and the caller's membership of them; for those who manage a network's members, requests to join, invitations, roles and removal."),
        (name = "events", description = "Events in a network, and answering them."),
        (name = "people", description = "The people directory and profiles."),
        (name = "onboarding", description = "Newcomers' checklists and buddies."),
    ),
    modifiers(&TokenAuth, &ReadableDocs),
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

/// Gives every operation a readable tag (utoipa's default is the handler's module path, e.g.
/// `crate::events::api`) and documents the errors that operations share rather than each
/// naming them: the 401 and 403 of `ApiUser`, which every operation takes; the 400 of a query
/// string `extract::Query` cannot read, on every operation with query parameters; the 409 of
/// `networks::authorise`'s charter gate, on every operation inside a network (`charter_gated`);
/// and the 400, 413, 415 and 422 of a JSON body `extract::Json` cannot read.
struct ReadableDocs;

/// The tag for the handlers of each area's module, where they do not name one themselves.
const AREA_TAGS: [(&str, &str); 6] = [
    ("events", "events"),
    ("members", "people"),
    ("onboarding", "onboarding"),
    ("networks", "networks"),
    ("charter", "networks"),
    ("admin", "people"),
];

fn readable_tag(tag: &str) -> String {
    let area = tag.trim_end_matches("::api").rsplit("::").next().unwrap_or(tag);
    AREA_TAGS.iter().find(|(module, _)| *module == area).map_or(area, |(_, t)| t).to_owned()
}

/// The operations inside a network (under `/networks/{slug}/…`, and events by id) that need
/// only `Capability::SeeNetwork`, which the charter gate lets through: joining and leaving, and
/// reading the charter (its earlier versions too: what changed) and accepting it — what someone
/// with a charter to accept must still do.
/// Every other operation inside a network loads it with a stronger capability, so a member
/// who has not accepted the current charter is answered 409 there.
const PAST_THE_CHARTER_GATE: [(&str, &str); 7] = [
    ("post", "/api/v1/networks/{slug}/membership"),
    ("delete", "/api/v1/networks/{slug}/membership"),
    ("get", "/api/v1/networks/{slug}/charter"),
    ("get", "/api/v1/networks/{slug}/charter/versions"),
    ("get", "/api/v1/networks/{slug}/charter/versions/{version}"),
    ("get", "/api/v1/networks/{slug}/charter/changes"),
    ("post", "/api/v1/networks/{slug}/charter/acceptance"),
];

/// Can this operation answer 409 `charter_acceptance_required`?
fn charter_gated(method: &str, path: &str) -> bool {
    let inside_a_network = path.starts_with("/api/v1/networks/{slug}/") || path.starts_with("/api/v1/events/{id}");
    inside_a_network && !PAST_THE_CHARTER_GATE.contains(&(method, path))
}

/// An error response several operations share: documented once under `components.responses`
/// and referred to from each operation that can answer it.
struct Shared {
    status: &'static str,
    name: &'static str,
    description: &'static str,
    /// Added to an operation's own description of the same status (which it keeps), unless
    /// that description already contains `marker`.
    also: &'static str,
    marker: &'static str,
}

const EMAIL_UNCONFIRMED: Shared = Shared {
    status: "403",
    name: "EmailUnconfirmed",
    description: "The token's owner has not confirmed their email address yet (code `forbidden`): they open the link emailed to them, or send a new one from My account. Nothing was done.",
    also: "Also when the token's owner has not confirmed their email address yet.",
    marker: "confirmed their email",
};

const CHARTER_PENDING: Shared = Shared {
    status: "409",
    name: "CharterAcceptanceRequired",
    description: "The network has a charter version the caller, an active member, has not accepted yet (code `charter_acceptance_required`): read it (`GET /api/v1/networks/{slug}/charter`) and accept it (`POST /api/v1/networks/{slug}/charter/acceptance`) first. Nothing was done.",
    also: "Or (code `charter_acceptance_required`) the caller must accept the network's current charter first.",
    marker: "charter_acceptance_required",
};

const UNREADABLE_QUERY: Shared = Shared {
    status: "400",
    name: "UnreadableQuery",
    description: "The query string cannot be read (code `bad_request`): a parameter of the wrong type, or given twice; `detail` names it. Nothing was done.",
    also: "Also when the query string cannot be read (a parameter of the wrong type, or given twice).",
    marker: "query string",
};

impl Shared {
    fn response(&self) -> RefOr<utoipa::openapi::Response> {
        let problem = ContentBuilder::new().schema(Some(RefOr::Ref(Ref::from_schema_name("Problem")))).build();
        RefOr::T(
            ResponseBuilder::new().description(self.description).content("application/problem+json", problem).build(),
        )
    }

    /// Documents this response on `op`, keeping what the operation says itself about the same
    /// status: a response it describes gets `also` added; one it left undescribed (so
    /// meaning "refused" in general) says so, then `also`.
    fn add_to(&self, op: &mut utoipa::openapi::path::Operation) {
        use std::collections::btree_map::Entry;
        match op.responses.responses.entry(self.status.into()) {
            Entry::Vacant(e) => {
                e.insert(RefOr::Ref(Ref::new(format!("#/components/responses/{}", self.name))));
            }
            Entry::Occupied(mut e) => {
                if let RefOr::T(own) = e.get_mut()
                    && !own.description.contains(self.marker)
                {
                    own.description = match own.description.trim() {
                        "" => format!("{} {}", general(self.status), self.also),
                        d if d.ends_with('.') => format!("{d} {}", self.also),
                        d => format!("{d}. {}", self.also),
                    };
                }
            }
        }
    }
}

/// What a status means in general, for an operation that documents it without saying why.
fn general(status: &str) -> &'static str {
    match status {
        "400" => "The request cannot be read.",
        "403" => "The caller may not do this.",
        "409" => "This conflicts with the current state; nothing was changed.",
        _ => "Refused.",
    }
}

/// What a status means in this API, for a response documented without words of its own.
fn plain_meaning(status: &str) -> &'static str {
    match status {
        "200" => "Done; the answer is in the body.",
        "201" => "Created; the answer is in the body.",
        "204" => "Done; there is nothing to return.",
        "404" => "Not found, or not visible to the caller (the two are not told apart).",
        _ => general(status),
    }
}

impl Modify for ReadableDocs {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let problem = || ContentBuilder::new().schema(Some(RefOr::Ref(Ref::from_schema_name("Problem")))).build();
        let unauthenticated = ResponseBuilder::new()
            .description(
                "No valid API token: send `Authorization: Bearer <token>`. The answer carries `WWW-Authenticate: Bearer`.",
            )
            .content("application/problem+json", problem())
            .build();
        let unreadable = ResponseBuilder::new()
            .description(
                "The body cannot be read: not JSON (400), not sent as `application/json` (415), over 2 MB (413), a field of the wrong type or missing, or one the operation does not take — a misspelt name is refused, not ignored (422; `errors[0].field` names the field, by its path when nested: `emails[1]`); nothing was changed.",
            )
            .content("application/problem+json", problem())
            .build();
        if let Some(c) = openapi.components.as_mut() {
            c.responses.insert("Unauthenticated".into(), RefOr::T(unauthenticated));
            c.responses.insert("UnreadableBody".into(), RefOr::T(unreadable));
            for shared in [&EMAIL_UNCONFIRMED, &CHARTER_PENDING, &UNREADABLE_QUERY] {
                c.responses.insert(shared.name.into(), shared.response());
            }
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
                ("patch", &mut item.patch),
            ];
            for (method, op) in operations {
                let Some(op) = op else { continue };
                if let Some(tags) = op.tags.as_mut() {
                    for t in tags.iter_mut() {
                        *t = readable_tag(t);
                    }
                }
                op.responses
                    .responses
                    .entry("401".into())
                    .or_insert_with(|| RefOr::Ref(Ref::new("#/components/responses/Unauthenticated")));
                EMAIL_UNCONFIRMED.add_to(op);
                let has_query =
                    op.parameters.iter().flatten().any(
                        |p| matches!(p, RefOr::T(p) if p.parameter_in == utoipa::openapi::path::ParameterIn::Query),
                    );
                if has_query {
                    UNREADABLE_QUERY.add_to(op);
                }
                if charter_gated(method, path) {
                    CHARTER_PENDING.add_to(op);
                }
                // Every response needs a description (OpenAPI requires one; code generators
                // refuse a document without): the status's meaning where none was written.
                for (status, response) in op.responses.responses.iter_mut() {
                    if let RefOr::T(r) = response
                        && r.description.trim().is_empty()
                    {
                        r.description = plain_meaning(status).into();
                    }
                }
                let takes_json =
                    matches!(&op.request_body, Some(RefOr::T(b)) if b.content.contains_key("application/json"));
                if takes_json {
                    for status in ["400", "413", "415", "422"] {
                        op.responses
                            .responses
                            .entry(status.into())
                            .or_insert_with(|| RefOr::Ref(Ref::new("#/components/responses/UnreadableBody")));
                    }
                }
            }
        }
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(crate::members::api::router())
        .route("/api/v1/me", get(me))
        .merge(crate::networks::api::router())
        .merge(crate::events::api::router())
        .merge(crate::onboarding::api::router())
        .merge(crate::charter::api::router())
        .merge(crate::admin::api::router())
        .merge(crate::import::api::router())
        // Applies to the routes above (so it stays after them): 405 as a problem, with `Allow`.
        .method_not_allowed_fallback(method_not_allowed)
        // A fallback nested at the prefix outlives the main router's HTML fallback, which
        // replaces only the root one: any unknown path under /api/v1 is a JSON 404.
        .route(OPENAPI_PATH, get(openapi_document))
        .nest(PREFIX, Router::new().fallback(not_found))
        .merge(
            Router::from(SwaggerUi::new("/api/docs").config(utoipa_swagger_ui::Config::new([OPENAPI_PATH])))
                .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, DOCS_CSP)),
        )
}

/// Where the OpenAPI document is served (and where the docs page reads it).
const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// The OpenAPI document, written out on its first request and kept as text — not built at
/// start-up, where its structure was the largest thing held from the start (about a megabyte of
/// idle memory) for a page few instances ever serve.
async fn openapi_document() -> Response {
    static DOCUMENT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let doc = DOCUMENT.get_or_init(|| {
        serde_json::to_string(&ApiDoc::openapi())
            .inspect_err(|e| tracing::error!(error = %e, "writing the OpenAPI document"))
            .ok()
    });
    match doc {
        Some(json) => ([(header::CONTENT_TYPE, "application/json")], json.as_str()).into_response(),
        None => {
            ApiError(AppError::Internal(anyhow::anyhow!("the OpenAPI document could not be written"))).into_response()
        }
    }
}

/// The API docs page's Content-Security-Policy: the pages' one, except that Swagger UI writes
/// inline styles and shows `data:` images, and fetches the document from here.
const DOCS_CSP: HeaderValue = HeaderValue::from_static(
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; \
     connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
);

/// A use case's field errors named as the request's JSON keys where the pages' forms name a
/// field differently (`(form name, JSON key)`), so a client can point at what it sent.
pub fn json_fields(e: AppError, names: &[(&'static str, &'static str)]) -> AppError {
    let rename = |mut f: roundtable_domain::FieldError| {
        if let Some((_, key)) = names.iter().find(|(form, _)| *form == f.field) {
            f.field = (*key).into();
        }
        f
    };
    match e {
        AppError::Invalid(errs) => AppError::Invalid(errs.into_iter().map(rename).collect()),
        AppError::Conflict(f) => AppError::Conflict(rename(f)),
        e => e,
    }
}

/// A string field's schema listing the values it takes (for `#[schema(schema_with = …)]`), so
/// that generated clients get an enum rather than any string.
pub fn one_of(values: impl IntoIterator<Item = &'static str>, description: &str) -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

/// `one_of` for a field that may also be null (the caller's standing where they have none).
pub fn one_of_or_null(
    values: impl IntoIterator<Item = &'static str>,
    description: &str,
) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{SchemaType, Type};
    let values = values.into_iter().map(serde_json::Value::from).chain([serde_json::Value::Null]);
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

/// A person's id from a path: one that cannot be an id is a person not found.
pub fn person_id(raw: &str) -> Result<roundtable_domain::UserId, AppError> {
    roundtable_domain::UserId::parse(raw).ok_or(AppError::NotFound)
}

async fn not_found() -> ApiError {
    ApiError(AppError::NotFound)
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError(AppError::BadRequest(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("This address does not accept {method}; the methods it accepts are listed in the `Allow` header."),
    ))
}

/// Is this request for the API (and so answered in JSON whatever happens)?
pub fn is_api(path: &str) -> bool {
    path.strip_prefix(PREFIX).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Headers an error keeps when it is rewritten as a problem document.
const KEPT_HEADERS: [header::HeaderName; 3] = [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE];

/// Middleware (in the router, around everything under `/api/v1`): rewrites an error response
/// that is not yet a problem document — from a handler whose extractor is not one of `extract`'s, or
/// from a layer (timeout, body limit, panic) — as one, keeping its status. A 4xx keeps a short
/// plain-text explanation as its `detail`; a 5xx never shows its cause, and logs it.
pub async fn problem_responses(req: Request, next: Next) -> Response {
    if !is_api(req.uri().path()) {
        return next.run(req).await;
    }
    // An HR file past even the router's limit gets the import's advice (split it, or the
    // command line), not the limit layer's bare "length limit exceeded".
    let import = req.uri().path().starts_with("/api/v1/imports/");
    let photo = req.uri().path() == "/api/v1/me/photo";
    let res = next.run(req).await;
    let status = res.status();
    let is_problem =
        res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return res;
    }
    let (parts, body) = res.into_parts();
    let plain_text = parts.headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
    let text = axum::body::to_bytes(body, 4096)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .filter(|t| plain_text && !t.trim().is_empty())
        .map(|t| t.trim().to_owned());
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE if import => {
            AppError::BadRequest(status, crate::import::pages::too_large("the API"))
        }
        // A photo past even the router's limit: the photo's own limit, as below it.
        StatusCode::PAYLOAD_TOO_LARGE if photo => {
            AppError::BadRequest(status, crate::members::photo::too_large().message)
        }
        StatusCode::NOT_FOUND => AppError::NotFound,
        StatusCode::UNAUTHORIZED => AppError::Unauthenticated,
        s if s.is_server_error() => AppError::Internal(anyhow::anyhow!(
            "{s} under /api/v1 from outside a handler: {}",
            text.as_deref().unwrap_or("(no text)")
        )),
        s => AppError::BadRequest(
            s,
            text.unwrap_or_else(|| format!("The request was refused ({}).", s.canonical_reason().unwrap_or("error"))),
        ),
    };
    let mut problem = ApiError(error).into_response();
    *problem.status_mut() = status;
    for name in KEPT_HEADERS {
        if let Some(v) = parts.headers.get(&name) {
            problem.headers_mut().insert(name, v.clone());
        }
    }
    problem
}

/// For the router's CSRF refusal: the problem document an API client gets.
pub fn cross_site_problem() -> Response {
    ApiError(AppError::CrossSite).into_response()
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
    /// For invalid input (422) and conflicts (409): what is wrong with which field, named as
    /// in the request where it has one (`form` for the request as a whole).
    errors: Option<Vec<FieldProblem>>,
}

/// One field's problem within a `Problem`.
#[derive(Serialize, ToSchema)]
pub struct FieldProblem {
    field: String,
    message: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeJson {
    id: String,
    name: String,
    email: String,
    is_org_admin: bool,
    email_verified: bool,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "me", responses((status = 200, body = MeJson), (status = 401, body = Problem, content_type = "application/problem+json")))]
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
