//! `/api/v1` for networks: the caller's networks, a network and its member list, joining and
//! leaving; and for those who manage members, what the member list's page lets them do —
//! requests to join (approve, decline), invitations (list, send, withdraw), roles and removal.
//! The same use cases as the pages (`networks::…`), so the same rules; errors are problem+json.

use super::{Joined, Seen};
use crate::api::extract::{Json, Path, Query};
use crate::api::{Problem, json_fields};
use crate::http::{ApiError, ApiResult, ApiUser, AppError, ListQuery};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use roundtable_domain::{FieldError, MembershipStatus, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/networks", get(list_networks).post(create_network))
        .route("/api/v1/networks/{slug}", get(get_network).delete(delete_network))
        .route("/api/v1/networks/{slug}/members", get(list_members))
        .route("/api/v1/networks/{slug}/membership", post(join).delete(leave))
        .route("/api/v1/networks/{slug}/requests", get(list_requests).post(decide_many))
        .route("/api/v1/networks/{slug}/requests/{person}", post(decide))
        .route("/api/v1/networks/{slug}/invitations", get(list_invitations).post(invite))
        .route("/api/v1/networks/{slug}/invitations/batch", post(invite_many))
        .route("/api/v1/networks/{slug}/invitations/{email}", delete(withdraw_invitation))
        .route("/api/v1/networks/{slug}/members/{person}", delete(remove_member))
        .route("/api/v1/networks/{slug}/members/{person}/role", put(set_role))
}

#[derive(Serialize, ToSchema)]
pub struct NetworkJson {
    slug: String,
    name: String,
    description: String,
    #[schema(schema_with = visibility_schema)]
    visibility: String,
    member_count: i64,
    #[schema(schema_with = my_status_schema)]
    my_status: Option<String>,
    #[schema(schema_with = my_role_schema)]
    my_role: Option<String>,
}

fn my_status_schema() -> utoipa::openapi::schema::Object {
    crate::api::one_of_or_null(
        MembershipStatus::ALL.iter().map(|s| s.as_str()),
        "The caller's standing: a member, asking to join, invited; null for none.",
    )
}

fn my_role_schema() -> utoipa::openapi::schema::Object {
    crate::api::one_of_or_null(
        Role::ALL.iter().map(|r| r.as_str()),
        "The caller's role in the network — for an invitation, the role offered; null for none (and while asking to join).",
    )
}

fn network_json(s: &Seen) -> NetworkJson {
    NetworkJson {
        slug: s.network.slug.clone(),
        name: s.network.name.clone(),
        description: s.network.description.clone(),
        visibility: s.network.visibility.as_str().into(),
        member_count: s.network.member_count,
        my_status: s.status().map(|x| x.as_str().into()),
        // An invitation offers a role (Chair, say): the invitee may want to know which.
        my_role: s.membership.filter(|m| m.status != MembershipStatus::Requested).map(|m| m.role.as_str().into()),
    }
}

#[utoipa::path(get, path = "/api/v1/networks", tag = "networks", responses((status = 200, body = [NetworkJson]), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn list_networks(State(state): State<AppState>, u: ApiUser) -> ApiResult<Json<Vec<NetworkJson>>> {
    Ok(Json(super::list(&state, &u.actor()).await?.iter().map(network_json).collect()))
}

/// A network to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNetworkJson {
    name: String,
    /// Its web address (`/n/{slug}`): lower-case letters, digits and dashes; made from the name
    /// when left out.
    #[serde(default)]
    slug: String,
    /// Plain text, at most 5000 characters.
    #[serde(default)]
    description: String,
    #[schema(schema_with = visibility_schema)]
    visibility: String,
    /// The first Chair's address: the caller's own makes the caller its Chair at once; anyone
    /// else's is sent an invitation as Chair (14 days); left out, the network has no organiser
    /// until one is invited.
    #[serde(default)]
    chair: String,
}

/// A network just created, and what became of its first Chair.
#[derive(Serialize, ToSchema)]
pub struct CreatedNetworkJson {
    #[serde(flatten)]
    network: NetworkJson,
    #[schema(schema_with = first_chair_schema)]
    first_chair: &'static str,
}

fn first_chair_schema() -> utoipa::openapi::schema::Object {
    crate::api::one_of(
        ["caller", "invited", "none"],
        "Who chairs it: the caller; someone sent an invitation as Chair (they chair it once they accept); no one yet.",
    )
}

#[utoipa::path(post, path = "/api/v1/networks", tag = "networks", request_body = NewNetworkJson,
    responses((status = 201, body = CreatedNetworkJson, description = "Created and audited; `my_role` is `chair` when the caller chairs it, and `first_chair` says whether a Chair invitation went"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Only organisation administrators create networks (code `forbidden`)"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Code `conflict`: another network has this `slug`, or the `chair`'s account is deactivated or has had 5 invitations in the last 24 hours. Nothing was created"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`errors` names each bad field (`name`, `slug`, `description`, `visibility`, `chair` — also when it looks mistyped, one letter or two from the organisation's own domain). Nothing was created")))]
pub(crate) async fn create_network(
    State(state): State<AppState>,
    u: ApiUser,
    Json(n): Json<NewNetworkJson>,
) -> ApiResult<(StatusCode, Json<CreatedNetworkJson>)> {
    let actor = u.actor();
    let input = super::NetworkInput {
        name: n.name,
        slug: n.slug,
        description: n.description,
        visibility: n.visibility,
        chair: n.chair,
    };
    let (slug, chair) = super::create(&state, &actor, &u.0.name, input).await?;
    let h = super::home(&state, &actor, &slug).await?;
    let first_chair = match chair {
        super::FirstChair::Creator => "caller",
        super::FirstChair::Invited => "invited",
        super::FirstChair::NoOne => "none",
    };
    Ok((StatusCode::CREATED, Json(CreatedNetworkJson { network: network_json(&h.seen), first_chair })))
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

#[utoipa::path(delete, path = "/api/v1/networks/{slug}", tag = "networks", params(("slug" = String, Path)),
    responses((status = 204, description = "Deleted, with its charter, checklist, invitations and requests (closed without mail); audited"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Only organisation administrators delete networks (code `forbidden`)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such network visible to the caller"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Code `conflict`, field `network`: it has events, or members other than the caller — a network with a history is kept. Nothing was changed")))]
pub(crate) async fn delete_network(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<StatusCode> {
    super::delete(&state, &u.actor(), &u.0.name, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct MemberJson {
    id: String,
    name: String,
    #[schema(schema_with = role_schema)]
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

#[utoipa::path(get, path = "/api/v1/networks/{slug}/members", tag = "networks", params(("slug" = String, Path), ("q" = Option<String>, Query, description = "Filter by name: every word, in any order (and by email for org admins)"), ("page" = Option<u32>, Query, description = "From 1; anything else is the first page")),
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
                since: crate::api::time(m.since),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct JoinJson {
    /// `active` when joined, `requested` when waiting for approval.
    #[schema(schema_with = join_status_schema)]
    status: String,
}

fn join_status_schema() -> utoipa::openapi::schema::Object {
    crate::api::one_of(["active", "requested"], "`active` when joined, `requested` when waiting for approval.")
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub(crate) struct JoinQuery {
    /// The charter version the caller accepts (required when the network has a charter).
    accept_charter: Option<i64>,
}

/// What joining may say (the body is optional).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct JoinBody {
    /// For a network that takes requests: a note for its organisers (why, or how the caller
    /// knows the network), up to 500 characters (refused beyond, wherever sent); they read it
    /// with the request and in the email announcing it. Asking again with a note replaces the
    /// one kept (the members page shows it; no second email). Ignored where joining needs no
    /// approval.
    #[serde(default)]
    note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/networks/{slug}/membership", tag = "networks", params(("slug" = String, Path), JoinQuery),
    request_body(content = Option<JoinBody>, description = "Optional: send none, or a note for the organisers with `Content-Type: application/json`"),
    responses((status = 200, body = JoinJson),
        (status = 400, description = "The query string cannot be read (`accept_charter` is not a number), or the body is labelled JSON but is not JSON (an empty body among them)", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such network, or it is not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`accept_charter` is an older version of the network's charter: a newer one was published since, which the caller has not read (the detail names it). Nothing was changed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The network has a charter and `accept_charter` is missing or no version of it, or the note is over 500 characters (field `note`). Nothing was changed", body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn join(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Query(q): Query<JoinQuery>,
    body: Option<Json<JoinBody>>,
) -> ApiResult<Json<JoinJson>> {
    let note = body.and_then(|Json(b)| b.note).unwrap_or_default();
    let joined = super::join(&state, &u.actor(), &u.0.name, &slug, q.accept_charter, &note).await;
    // The pages' "tick the box" in the API's terms.
    let joined = joined.map_err(|e| match e {
        AppError::Invalid(f) if f.iter().any(|f| f.field == "accept") => AppError::Invalid(vec![FieldError::new(
            "accept_charter",
            format!(
                "This network has a charter, which joining accepts: read it with GET /api/v1/networks/{slug}/charter and send its version as `accept_charter`."
            ),
        )]),
        e => e,
    });
    let status = match joined.map_err(|e| json_fields(e, &[("accept", "accept_charter")]))? {
        Joined::Member => "active",
        Joined::Requested => "requested",
    };
    Ok(Json(JoinJson { status: status.into() }))
}

#[utoipa::path(delete, path = "/api/v1/networks/{slug}/membership", tag = "networks", params(("slug" = String, Path)),
    responses((status = 204, description = "Left the network — or, for a request to join still waiting, withdrew it; for an invitation, declined it (its organisers are told, as when a member leaves)"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, description = "The caller is neither a member nor asking nor invited, or is the network's last Chair (another must be named first)", body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn leave(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<StatusCode> {
    super::leave(&state, &u.actor(), &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A role in a network, as the API names it: the domain's own names, listed from `Role::ALL` so
/// the document cannot drift from what the use cases accept.
fn role_schema() -> utoipa::openapi::schema::Object {
    crate::api::one_of(Role::ALL.iter().map(|r| r.as_str()), "A role in the network.")
}

fn visibility_schema() -> utoipa::openapi::schema::Object {
    crate::api::one_of(
        roundtable_domain::Visibility::ALL.iter().map(|v| v.as_str()),
        "Who may join: anyone, by request, or by invitation only.",
    )
}

/// Someone asking to join the network.
#[derive(Serialize, ToSchema)]
pub struct RequestJson {
    id: String,
    name: String,
    /// Their address, as the member list shows it to organisers beside a request.
    email: String,
    /// When they asked (RFC 3339).
    asked_at: String,
    /// What they told the organisers when asking; null for nothing.
    note: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/requests", params(("slug" = String, Path)),
    responses((status = 200, body = [RequestJson], description = "Requests to join, for those who manage the network's members: the 200 who have waited longest (deciding them brings the next ones up), listed newest first"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "The caller does not manage this network's members (code `forbidden`)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such network visible to the caller")))]
pub(crate) async fn list_requests(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<Json<Vec<RequestJson>>> {
    let mut pending = super::pending_in(&state, &u.actor(), &slug).await?;
    Ok(Json(
        pending
            .requests
            .into_iter()
            .map(|m| RequestJson {
                id: m.user_id.to_string(),
                note: pending.notes.remove(&m.user_id),
                name: m.name,
                email: m.email,
                asked_at: crate::api::time(m.since),
            })
            .collect(),
    ))
}

/// What becomes of a request to join.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approve,
    Decline,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionJson {
    decision: Decision,
}

#[utoipa::path(post, path = "/api/v1/networks/{slug}/requests/{person}", params(("slug" = String, Path), ("person" = String, Path, description = "The id of the person asking")), request_body = DecisionJson,
    responses((status = 204, description = "Approved (they are a member now) or declined (the request is gone, with the network's open invitation links to their address); they are told by email, and the decision is in the audit log"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "The caller does not manage this network's members (code `forbidden`)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such network visible to the caller, or no such person"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The person is not asking to join (code `conflict`, field `request`): another organiser decided first, or they withdrew; the detail says which. Nothing was changed"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`decision` is neither `approve` nor `decline`; nothing was changed")))]
pub(crate) async fn decide(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, person)): Path<(String, String)>,
    Json(d): Json<DecisionJson>,
) -> ApiResult<StatusCode> {
    let approve = matches!(d.decision, Decision::Approve);
    super::decide(&state, &u.actor(), &u.0.name, &slug, crate::api::person_id(&person)?, approve).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionsJson {
    decision: Decision,
    /// The ids of the people asking, as `GET …/requests` lists them (at most 500).
    people: Vec<String>,
}

/// What a decision on many requests did. Each person counts once however often listed, so
/// `decided + skipped` is the number of different ids sent.
#[derive(Serialize, ToSchema)]
pub struct DecidedJson {
    /// Requests approved or declined now.
    decided: usize,
    /// Requests no longer waiting — decided by another organiser meanwhile, withdrawn — or ids
    /// of no one; nothing was done for them.
    skipped: usize,
}

#[utoipa::path(post, path = "/api/v1/networks/{slug}/requests", params(("slug" = String, Path)), request_body = DecisionsJson,
    responses((status = 200, body = DecidedJson, description = "Each request still waiting was approved or declined as `POST …/requests/{person}` does one: each person told by email, each decision in the audit log. Those no longer waiting are skipped and counted"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "The caller does not manage this network's members (code `forbidden`)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such network visible to the caller"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The caller must accept the network's current charter first (code `charter_acceptance_required`)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`decision` is neither `approve` nor `decline`, `people` is empty or longer than 500, or one of its entries is not a person's id (field `people`); nothing was changed")))]
pub(crate) async fn decide_many(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Json(d): Json<DecisionsJson>,
) -> ApiResult<Json<DecidedJson>> {
    let refuse = |message: String| ApiError(roundtable_domain::FieldError::new("people", message).into());
    if d.people.is_empty() || d.people.len() > super::DECIDE_AT_ONCE {
        return Err(refuse(format!("List from 1 to {} ids of people asking to join.", super::DECIDE_AT_ONCE)));
    }
    let people = d.people.iter().map(|raw| roundtable_domain::UserId::parse(raw)).collect::<Option<Vec<_>>>();
    let people = people.ok_or_else(|| {
        refuse("Each entry must be the id of a person asking to join, as the list of requests gives it.".into())
    })?;
    let approve = matches!(d.decision, Decision::Approve);
    let done = super::decide_many(&state, &u.actor(), &u.0.name, &slug, &people, approve).await?;
    Ok(Json(DecidedJson { decided: done.done, skipped: done.skipped }))
}

/// An invitation not yet accepted.
#[derive(Serialize, ToSchema)]
pub struct InvitationJson {
    email: String,
    #[schema(schema_with = role_schema)]
    role: String,
    /// When it was sent (RFC 3339).
    invited_at: String,
    /// When its emailed link stops working (RFC 3339), for an address without an account. Null
    /// for someone with an account: they accept from their home page, without the link, until
    /// they decline or the invitation is withdrawn.
    expires_at: Option<String>,
    /// The invited person's id, if they have an account.
    id: Option<String>,
    /// Their name, if they have an account.
    name: Option<String>,
    /// True for an invitation to an address without an account whose link ran out unanswered
    /// (listed for 30 days after; `POST …/invitations` sends it again).
    ran_out: bool,
}

fn invitations_json(p: super::Pending) -> Vec<InvitationJson> {
    let people = p.invited.into_iter().map(|m| InvitationJson {
        email: m.email,
        role: m.role.as_str().into(),
        invited_at: crate::api::time(m.since),
        expires_at: None,
        id: Some(m.user_id.to_string()),
        name: Some(m.name),
        ran_out: false,
    });
    let address = |i: roundtable_store::links::OpenInvite, ran_out| InvitationJson {
        email: i.email,
        role: i.role.as_str().into(),
        invited_at: crate::api::time(i.sent_at),
        expires_at: Some(crate::api::time(i.expires_at)),
        id: None,
        name: None,
        ran_out,
    };
    let open = p.open.into_iter().map(|i| address(i, false));
    let ran_out = p.ran_out.into_iter().map(|i| address(i, true));
    people.chain(open).chain(ran_out).collect()
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/invitations", params(("slug" = String, Path)),
    responses((status = 200, body = [InvitationJson], description = "Invitations not yet accepted, for those who manage the network's members: people with an account first (newest first: the 200 waiting longest), then addresses without one whose link still works, by address; then those whose link ran out unanswered in the last 30 days (`ran_out`), newest first"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "The caller does not manage this network's members (code `forbidden`)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such network visible to the caller")))]
pub(crate) async fn list_invitations(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<Json<Vec<InvitationJson>>> {
    Ok(Json(invitations_json(super::pending_in(&state, &u.actor(), &slug).await?)))
}

/// Whom to invite, and as what.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteJson {
    email: String,
    /// `member` when left out.
    #[serde(default = "member")]
    #[schema(schema_with = role_schema)]
    role: String,
}

fn member() -> String {
    Role::Member.as_str().into()
}

#[utoipa::path(post, path = "/api/v1/networks/{slug}/invitations", params(("slug" = String, Path)), request_body = InviteJson,
    responses((status = 201, body = [InvitationJson], description = "The invitation is emailed, with a link that works for 14 days, and audited; inviting an address again replaces its earlier link. Answers the invitations not yet accepted, this one included"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "The caller does not manage this network's members, or (an Administrator) invites as Chair, which only a Chair or an org admin may (code `forbidden`). Nothing was sent"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such network visible to the caller"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Code `conflict`, field `email`: the person is already a member; has asked to join already (approve the request: `POST /api/v1/networks/{slug}/requests/{person}`); their account is deactivated; the address is outside the organisation's sign-up domains and the caller is not an org admin (only an org admin invites from outside); or the address has had 5 invitations in the last 24 hours (try again tomorrow). Nothing was sent"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Not an email address, one that looks mistyped (one letter or two from the organisation's own domain, with no account: the message gives the address meant), or no such role; `errors` names the field (`email`, `role`). Nothing was sent")))]
pub(crate) async fn invite(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Json(i): Json<InviteJson>,
) -> ApiResult<(StatusCode, Json<Vec<InvitationJson>>)> {
    let actor = u.actor();
    super::invite(&state, &actor, &u.0.name, &slug, &i.email, &i.role).await?;
    Ok((StatusCode::CREATED, Json(invitations_json(super::pending_in(&state, &actor, &slug).await?))))
}

/// Whom to invite at once, all with one role.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteManyJson {
    /// Up to 200 addresses; one given twice is invited once. An entry may be written as mail
    /// programs copy it (`Ann Lee <ann@example.org>`, `"Lee, Ann" <ann@example.org>`).
    emails: Vec<String>,
    /// `member` when left out.
    #[serde(default = "member")]
    #[schema(schema_with = role_schema)]
    role: String,
}

/// What a batch of invitations did.
#[derive(Serialize, ToSchema)]
pub struct InvitedManyJson {
    /// The addresses an invitation was emailed to.
    sent: Vec<String>,
    /// The addresses that were not invited, each with why (already a member, a deactivated
    /// account, 5 invitations in the last 24 hours).
    not_sent: Vec<NotSentJson>,
}

#[derive(Serialize, ToSchema)]
pub struct NotSentJson {
    email: String,
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/networks/{slug}/invitations/batch", params(("slug" = String, Path)), request_body = InviteManyJson,
    responses((status = 200, body = InvitedManyJson, description = "Each address that can be invited is, as `POST …/invitations` does (emailed, audited); those that cannot are listed with the reason"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "The caller does not manage this network's members, or (an Administrator) invites as Chair, which only a Chair or an org admin may (code `forbidden`). Nothing was sent"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such network visible to the caller"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "No address, more than 200, an entry that is not an email address or that looks mistyped — one letter or two from the organisation's own domain, with no account (all named in the message, with the address meant), or no such role; `errors` names the field (`emails`, `role`). Nothing was sent")))]
pub(crate) async fn invite_many(
    State(state): State<AppState>,
    u: ApiUser,
    Path(slug): Path<String>,
    Json(i): Json<InviteManyJson>,
) -> ApiResult<Json<InvitedManyJson>> {
    // The list is `emails` here (the page's one box is `email`); the message names each entry.
    // Each entry is read as the page reads what is pasted: `Ann Lee <ann@example.org>` too.
    let emails = i.emails.iter().flat_map(|e| super::pasted_addresses(e)).collect();
    let done = super::invite_many(&state, &u.actor(), &u.0.name, &slug, emails, &i.role)
        .await
        .map_err(|e| json_fields(e, &[("email", "emails")]))?;
    Ok(Json(InvitedManyJson {
        sent: done.sent,
        not_sent: done.not_sent.into_iter().map(|(email, reason)| NotSentJson { email, reason }).collect(),
    }))
}

#[utoipa::path(delete, path = "/api/v1/networks/{slug}/invitations/{email}", params(("slug" = String, Path), ("email" = String, Path, description = "The invited address, percent-encoded (`@` may stay as it is)")),
    responses((status = 204, description = "Withdrawn: the network's open invitation links to the address stop working, and an invited person with an account is no longer invited; audited"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "The caller does not manage this network's members (code `forbidden`)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such network visible to the caller, or no invitation to withdraw for that address (an active member is removed with `DELETE …/members/{person}`). Nothing was changed")))]
pub(crate) async fn withdraw_invitation(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, email)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    if super::withdraw_invitation(&state, &u.actor(), &u.0.name, &slug, &email).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError(AppError::NotFound))
    }
}

/// A member's new role.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleJson {
    #[schema(schema_with = role_schema)]
    role: String,
}

#[utoipa::path(put, path = "/api/v1/networks/{slug}/members/{person}/role", params(("slug" = String, Path), ("person" = String, Path, description = "The member's id")), request_body = RoleJson,
    responses((status = 204, description = "The member has the role (the same role again changes nothing); audited"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "The caller does not manage this network's members, or gives or takes away the Chair role without being a Chair or an org admin (code `forbidden`). Nothing was changed"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such network visible to the caller, or the person is not an active member of it"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The member is the network's last Chair (code `conflict`, field `role`): name another Chair first, or ask an org admin. Nothing was changed"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "No such role (field `role`); nothing was changed")))]
pub(crate) async fn set_role(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, person)): Path<(String, String)>,
    Json(r): Json<RoleJson>,
) -> ApiResult<StatusCode> {
    let person = crate::api::person_id(&person)?;
    super::set_role(&state, &u.actor(), &u.0.name, &slug, person, &r.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/networks/{slug}/members/{person}", params(("slug" = String, Path), ("person" = String, Path, description = "The person's id")),
    responses((status = 204, description = "Removed — a member (emailed that they were removed), a request to join (emailed as a decline) or an invitation to someone with an account (no email); the network's open invitation links to their address stop working; audited. (The page asks for confirmation first; this does not)"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "The caller does not manage this network's members, or removes a Chair without being a Chair or an org admin (code `forbidden`). Nothing was changed"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such network visible to the caller, or the person has no membership, request or invitation in it"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The person is the network's last Chair (code `conflict`, field `role`): name another Chair first, or ask an org admin. Nothing was changed")))]
pub(crate) async fn remove_member(
    State(state): State<AppState>,
    u: ApiUser,
    Path((slug, person)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    super::remove(&state, &u.actor(), &u.0.name, &slug, crate::api::person_id(&person)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
