//! Network pages: home (mine), directory of networks, a network's home, members, invitations,
//! requests and settings.

use super::{Joined, NetworkInput};
use crate::http::{
    AppError, Errors, Form, Layout, ListQuery, Pager, Path, Query, Result, Signed, notice, or_form, render,
};
use crate::read_model::Listed;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use roundtable_domain::{Actor, Capability, MembershipStatus, Role, UserId, Visibility};
use roundtable_store::networks::Member;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/networks", get(list))
        .route("/networks/new", get(new_form).post(create))
        .route("/n/{slug}", get(network_home))
        .route("/n/{slug}/join", post(join))
        .route("/n/{slug}/leave", get(leave_confirm).post(leave))
        .route("/n/{slug}/members", get(members))
        .route("/n/{slug}/invite", get(invite_form).post(invite))
        .route("/n/{slug}/requests", get(requests).post(decide_many))
        .route("/n/{slug}/requests/{user}/{decision}", post(decide))
        .route("/n/{slug}/members/{user}/role", post(set_role))
        .route("/n/{slug}/members/{user}/remove", get(remove_confirm).post(remove))
        .route("/n/{slug}/invitations/withdraw", post(withdraw))
        .route("/n/{slug}/settings", get(settings_form).post(settings))
        .route("/n/{slug}/delete", post(delete))
}

#[derive(Deserialize, Default)]
pub(crate) struct NoticeQuery {
    notice: Option<String>,
    /// The network a notice is about (the one just left), by its slug.
    network: Option<String>,
}

/// A network row for templates.
pub struct Card {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub visibility: &'static str,
    pub members: i64,
    pub status: &'static str,
    /// The role held, unless Member: shown instead of the status ("Chair", not "Member Chair").
    pub role: &'static str,
    /// The role an invitation offers, unless Member.
    pub offered: &'static str,
}

fn card(s: &super::Seen) -> Card {
    Card {
        slug: s.network.slug.clone(),
        name: s.network.name.clone(),
        description: s.network.description.chars().take(200).collect(),
        visibility: s.network.visibility.label(),
        members: s.network.member_count,
        status: match s.status() {
            Some(MembershipStatus::Active) => "Member",
            Some(MembershipStatus::Requested) => "Request pending",
            Some(MembershipStatus::Invited) => "Invited",
            None => "",
        },
        role: s.role().filter(|r| *r != Role::Member).map_or("", Role::label),
        offered: s
            .membership
            .filter(|m| m.status == MembershipStatus::Invited && m.role != Role::Member)
            .map_or("", |m| m.role.label()),
    }
}

#[derive(Template)]
#[template(path = "networks/home.html")]
struct HomePage {
    layout: Layout,
    /// (link, what to do): a charter to accept, first steps not done; for organisers, requests
    /// to decide and newcomers stuck.
    to_do: Vec<(String, String)>,
    coming_up: Vec<crate::events::pages::Entry>,
    name: String,
    mine: Vec<Card>,
    invitations: Vec<Card>,
    unverified: bool,
}

/// The home page lists the next dates of the person's calendar: this many, within this many days.
const COMING_UP: usize = 5;
const COMING_UP_DAYS: i64 = 30;

async fn home(
    State(state): State<AppState>,
    crate::http::MaybeSigned(s): crate::http::MaybeSigned,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    let Some(s) = s else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    // Until the address is confirmed the account may not be its owner's: the invitations sent
    // to that address (an invitation-only network's name and purpose among them) wait for it.
    let unverified = s.user.email_verified_at.is_none();
    let actor = s.actor();
    let mine = if unverified { Vec::new() } else { super::mine(&state, &actor).await? };
    let to_do = super::to_do(&state, &actor, &mine)
        .await?
        .into_iter()
        .map(|t| match t {
            super::ToDo::Profile => (
                "/profile".to_owned(),
                "Fill in your profile — at least your job title and department — so colleagues can find you".to_owned(),
            ),
            super::ToDo::Charter(n) => {
                (format!("/n/{}/charter", n.network.slug), format!("Read and accept the charter of {}", n.network.name))
            }
            super::ToDo::FirstSteps(n, done, of) => (
                format!("/n/{}#checklist", n.network.slug),
                format!("Your first steps in {}: {done} of {of} done", n.network.name),
            ),
            super::ToDo::Requests(n, waiting) => (
                format!("/n/{}/members#requests", n.network.slug),
                match waiting {
                    1 => format!("1 request to join {} waits for a decision", n.network.name),
                    _ => format!("{waiting} requests to join {} wait for a decision", n.network.name),
                },
            ),
            super::ToDo::Stuck(n, stuck) => (
                format!("/n/{}/onboarding", n.network.slug),
                match stuck {
                    1 => format!("1 newcomer to {} is stuck on their first steps", n.network.name),
                    _ => format!("{stuck} newcomers to {} are stuck on their first steps", n.network.name),
                },
            ),
        })
        .collect();
    // The next few dates on the person's calendar, so that the first page says what is coming.
    let coming_up = if unverified {
        Vec::new()
    } else {
        let now = chrono::Utc::now();
        let soon = now + chrono::Duration::days(COMING_UP_DAYS);
        let mut items = crate::events::my_calendar(&state, &actor, now, soon, &Default::default()).await?;
        items.retain(|i| !i.cancelled && i.occ.end > now);
        items.sort_by_key(|i| i.occ.start);
        items.iter().take(COMING_UP).map(|i| crate::events::pages::entry(i, s.tz)).collect()
    };
    let (invitations, mine): (Vec<_>, Vec<_>) =
        mine.iter().partition(|m| m.status() == Some(MembershipStatus::Invited));
    render(&HomePage {
        layout: Layout::for_user("Home", &s)
            .with_notice(notice(q.notice.as_deref()))
            .with_notice_text(parting_notice(&state, &actor, &q).await),
        to_do,
        coming_up,
        name: s.user.name.clone(),
        mine: mine.into_iter().map(card).collect(),
        invitations: invitations.into_iter().map(card).collect(),
        unverified,
    })
}

#[derive(Template)]
#[template(path = "networks/list.html")]
struct ListPage {
    layout: Layout,
    /// Each network, and (for an org admin) whether it has no active Chair.
    networks: Vec<(Card, bool)>,
    can_create: bool,
}

async fn list(State(state): State<AppState>, s: Signed, Query(q): Query<NoticeQuery>) -> Result<Response> {
    let all = super::list_with_chair_flag(&state, &s.actor()).await?;
    render(&ListPage {
        layout: Layout::for_user("Networks", &s).with_notice(notice(q.notice.as_deref())),
        networks: all.iter().map(|(n, no_chair)| (card(n), *no_chair)).collect(),
        can_create: s.user.is_org_admin,
    })
}

#[derive(Template)]
#[template(path = "networks/form.html")]
struct FormPage {
    layout: Layout,
    errors: Errors,
    creating: bool,
    action: String,
    name: String,
    slug: String,
    description: String,
    visibility: String,
    visibilities: Vec<(&'static str, &'static str)>,
    /// Requests to join waiting, which a change of who can join decides (see `super::update`).
    requests_waiting: usize,
    /// Creating: the first Chair's address (see `NetworkInput::chair`).
    chair: String,
    /// Settings, for an org admin: whether the network may be deleted (`None`) or why not.
    deletion: Option<Option<String>>,
}

fn visibilities() -> Vec<(&'static str, &'static str)> {
    Visibility::ALL.iter().map(|v| (v.as_str(), v.label())).collect()
}

#[derive(Deserialize, Default)]
pub(crate) struct NetworkForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    visibility: String,
    #[serde(default)]
    chair: String,
}

impl NetworkForm {
    fn input(&self) -> NetworkInput {
        NetworkInput {
            name: self.name.clone(),
            slug: self.slug.clone(),
            description: self.description.clone(),
            visibility: self.visibility.clone(),
            chair: self.chair.clone(),
        }
    }
}

async fn new_form(s: Signed) -> Result<Response> {
    if !s.user.is_org_admin {
        return Err(AppError::Forbidden("Only organisation administrators can create networks."));
    }
    render(&FormPage {
        layout: Layout::for_user("Create a network", &s),
        errors: Errors::default(),
        creating: true,
        action: "/networks/new".into(),
        name: String::new(),
        slug: String::new(),
        description: String::new(),
        visibility: "open".into(),
        visibilities: visibilities(),
        requests_waiting: 0,
        chair: String::new(),
        deletion: None,
    })
}

async fn create(State(state): State<AppState>, s: Signed, Form(f): Form<NetworkForm>) -> Result<Response> {
    or_form(
        super::create(&state, &s.actor(), &s.user.name, f.input()).await,
        |(slug, chair)| {
            let notice = match chair {
                super::FirstChair::Creator => "created",
                super::FirstChair::Invited => "created-chair-invited",
                super::FirstChair::NoOne => "created-no-chair",
            };
            Ok(Redirect::to(&format!("/n/{slug}?notice={notice}")).into_response())
        },
        |errors| {
            render(&FormPage {
                layout: Layout::for_user("Create a network", &s),
                errors,
                creating: true,
                action: "/networks/new".into(),
                name: f.name,
                slug: f.slug,
                description: f.description,
                visibility: f.visibility,
                visibilities: visibilities(),
                requests_waiting: 0,
                chair: f.chair,
                deletion: None,
            })
        },
    )
}

async fn settings_form(State(state): State<AppState>, s: Signed, Path(slug): Path<String>) -> Result<Response> {
    let seen = super::load(&state, &s.actor(), &slug, Capability::EditNetwork).await?;
    let requests_waiting = super::pending(&state, &s.actor(), &seen).await?.requests_waiting;
    let deletion =
        if s.user.is_org_admin { Some(super::deletion_refusal(&state, &s.actor(), &seen).await?) } else { None };
    let n = seen.network;
    render(&FormPage {
        layout: Layout::for_user("Network settings", &s),
        errors: Errors::default(),
        creating: false,
        action: format!("/n/{}/settings", n.slug),
        name: n.name,
        slug: n.slug,
        description: n.description,
        visibility: n.visibility.as_str().into(),
        visibilities: visibilities(),
        requests_waiting,
        chair: String::new(),
        deletion,
    })
}

async fn settings(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Form(f): Form<NetworkForm>,
) -> Result<Response> {
    or_form(
        super::update(&state, &s.actor(), &s.user.name, &slug, f.input()).await,
        |done| {
            let notice = match done {
                super::Updated { narrowed: 1.., closed: 1.., .. } => "saved-narrowed-requests-closed",
                super::Updated { narrowed: 1.., .. } => "saved-events-narrowed",
                super::Updated { closed: 1.., .. } => "saved-requests-closed",
                super::Updated { approved: 1.., .. } => "saved-requests-approved",
                _ => "saved",
            };
            Ok(Redirect::to(&format!("/n/{slug}?notice={notice}")).into_response())
        },
        |errors| {
            render(&FormPage {
                layout: Layout::for_user("Network settings", &s),
                errors,
                creating: false,
                action: format!("/n/{slug}/settings"),
                name: f.name,
                slug: slug.clone(),
                description: f.description,
                visibility: f.visibility,
                visibilities: visibilities(),
                requests_waiting: 0,
                chair: String::new(),
                deletion: None,
            })
        },
    )
}

async fn delete(State(state): State<AppState>, s: Signed, Path(slug): Path<String>) -> Result<Response> {
    super::delete(&state, &s.actor(), &s.user.name, &slug).await?;
    Ok(Redirect::to("/networks?notice=network-deleted").into_response())
}

#[derive(Template)]
#[template(path = "networks/network.html")]
struct NetworkPage {
    layout: Layout,
    card: Card,
    organisers: Vec<Member>,
    chair_invited: bool,
    /// Chairs on record whose accounts ended, when no Chair is active: named to those who manage
    /// the network, "no active Chair" to others.
    inactive_chairs: Vec<String>,
    is_org_admin: bool,
    is_member: bool,
    can_read_members: bool,
    /// Not an active member of a network outsiders may know: its calendar shows them the
    /// events open to the whole organisation.
    open_events: bool,
    can_manage: bool,
    can_edit: bool,
    pending_requests: i64,
    join_label: &'static str,
    /// Their request waits: the note they left with it, if any.
    my_note: Option<String>,
    /// Asking to join right here, with a note for the organisers (a network with a charter
    /// takes the request, and its note, on the charter's page).
    ask_here: bool,
    can_organise: bool,
    has_charter: bool,
    charter_pending: bool,
    charter_first: bool,
    checklist: Vec<crate::onboarding::StepView>,
    checklist_done: usize,
    /// The member's buddy: (id, name, since, email).
    buddy: Option<(String, String, String, String)>,
    /// Newcomers the member looks after as a buddy: (id, name, since, email).
    looking_after: Vec<(String, String, String, String)>,
}

async fn network_home(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    let actor = s.actor();
    let h = super::home(&state, &actor, &slug).await?;
    let join_label = match (h.seen.status(), h.seen.network.visibility) {
        (Some(MembershipStatus::Invited), _) => "Accept the invitation",
        // Asked before the network was opened: no need to wait for an organiser any more.
        (Some(MembershipStatus::Requested), Visibility::Open) => "Join this network",
        (Some(_), _) => "",
        (None, Visibility::Open) => "Join this network",
        (None, Visibility::ByRequest) => "Ask to join",
        (None, Visibility::InvitationOnly) => "",
    };
    // A member's own welcome checklist, shown until every step is done.
    let checklist =
        if h.charter_pending { Vec::new() } else { crate::onboarding::mine(&state, &actor, &h.seen).await? };
    let checklist_done = checklist.iter().filter(|s| s.done).count();
    let buddies = if h.charter_pending {
        crate::onboarding::buddies::Mine::default()
    } else {
        crate::onboarding::buddies::mine(&state, &actor, &h.seen).await?
    };
    let shown = |p: roundtable_store::buddies::Paired| {
        (p.id.to_string(), p.name, p.since.with_timezone(&s.tz).format("%-d %B %Y").to_string(), p.email)
    };
    render(&NetworkPage {
        buddy: buddies.buddy.map(shown),
        looking_after: buddies.looking_after.into_iter().map(shown).collect(),
        layout: Layout::for_user(&h.seen.network.name, &s)
            .with_notice(notice(q.notice.as_deref()))
            .with_notice_text(welcome_as_organiser(q.notice.as_deref(), &h.seen)),
        can_organise: h.seen.can(&actor, Capability::Organise),
        has_charter: h.charter_version.is_some(),
        charter_pending: h.charter_pending,
        charter_first: h.charter_first,
        checklist_done,
        checklist,
        card: card(&h.seen),
        is_member: h.seen.membership.is_some(),
        can_read_members: h.seen.can(&actor, Capability::ReadMembers),
        open_events: h.seen.status() != Some(MembershipStatus::Active)
            && h.seen.network.visibility != Visibility::InvitationOnly,
        can_manage: h.seen.can(&actor, Capability::ManageMembers),
        can_edit: h.seen.can(&actor, Capability::EditNetwork),
        organisers: h.organisers,
        chair_invited: h.chair_invited,
        inactive_chairs: h.inactive_chairs,
        is_org_admin: actor.is_org_admin,
        pending_requests: h.pending_requests,
        join_label,
        my_note: h.my_note,
        ask_here: h.seen.status().is_none()
            && h.seen.network.visibility == Visibility::ByRequest
            && h.charter_version.is_none(),
    })
}

/// The welcome of someone who joined with an organiser's role says what the role is for and
/// where to begin, rather than only that they are in.
fn welcome_as_organiser(notice: Option<&str>, seen: &super::Seen) -> Option<String> {
    if !matches!(notice, Some("joined" | "accepted")) {
        return None;
    }
    match seen.role()? {
        Role::Chair => Some(format!(
            "Welcome! You have joined {} as its Chair. From here you can publish its charter, set up the checklist for newcomers, plan events and invite members.",
            seen.network.name
        )),
        Role::Member => None,
        role => Some(format!("Welcome! You have joined {} as its {}.", seen.network.name, role.label())),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct JoinForm {
    /// The charter version ticked on the charter page, if any.
    accept_charter: Option<String>,
    /// The "I accept" box; without it the version does not count as accepted.
    agree: Option<String>,
    /// What someone asking to join tells the organisers.
    #[serde(default)]
    note: String,
}

async fn join(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Form(f): Form<JoinForm>,
) -> Result<Response> {
    let accepted =
        f.accept_charter.as_deref().filter(|_| f.agree.as_deref() == Some("yes")).and_then(|v| v.parse().ok());
    match super::join(&state, &s.actor(), &s.user.name, &slug, accepted, &f.note).await {
        Ok(j) => {
            let n = match j {
                Joined::Member => "joined",
                Joined::Requested => "requested",
            };
            Ok(Redirect::to(&format!("/n/{slug}?notice={n}")).into_response())
        }
        // Sent from the charter's own form without the box ticked, or for a version replaced
        // since: that form again, saying so, with the charter now current.
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) if f.accept_charter.is_some() => {
            crate::charter::pages::join_again(&state, &s, &slug, e, f.note).await
        }
        // A note too long for the network page's own form (which says its limit): the error
        // page says so, nothing was asked.
        Err(e @ AppError::Invalid(_)) if super::refused_note(&e) => Err(e),
        // The charter must be accepted first: show it, with the box to tick.
        Err(AppError::Invalid(_)) => {
            Ok(Redirect::to(&format!("/n/{slug}/charter?notice=charter-pending")).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn leave(State(state): State<AppState>, s: Signed, Path(slug): Path<String>) -> Result<Response> {
    let notice = match super::leave(&state, &s.actor(), &slug).await? {
        MembershipStatus::Requested => "request-withdrawn",
        MembershipStatus::Invited => "invitation-declined",
        _ => "left",
    };
    Ok(Redirect::to(&format!("/?notice={notice}&network={slug}")).into_response())
}

/// The home page's notice after leaving a network, declining its invitation or withdrawing a
/// request, naming the network — only one the person may still see (a link made up with an
/// invitation-only network's address shows the fixed notice, not its name).
async fn parting_notice(state: &AppState, actor: &Actor, q: &NoticeQuery) -> Option<String> {
    let slug = q.network.as_deref()?;
    let snapshot = state.snapshot().await.ok()?;
    let name = &super::load_in(&snapshot, actor, slug, Capability::SeeNetwork).ok()?.network.name;
    Some(match q.notice.as_deref()? {
        "left" => format!("You have left {name}."),
        "request-withdrawn" => format!("Your request to join {name} has been withdrawn."),
        "invitation-declined" => format!("You have declined the invitation to {name}."),
        _ => return None,
    })
}

/// A step before an action that cannot be undone (leave, remove): says what will happen, with
/// a confirm button that posts and a link back — or, when the action is refused, why.
#[derive(Template)]
#[template(path = "networks/confirm.html")]
pub(crate) struct ConfirmPage {
    pub layout: Layout,
    pub heading: String,
    pub paragraphs: Vec<String>,
    /// Why the action is refused; the page then has no confirm button.
    pub refused: Option<String>,
    pub action: String,
    pub confirm: String,
    pub back: String,
    pub back_label: String,
}

async fn leave_confirm(State(state): State<AppState>, s: Signed, Path(slug): Path<String>) -> Result<Response> {
    let (seen, refused) = super::leaving(&state, &s.actor(), &slug).await?;
    let name = &seen.network.name;
    let (heading, paragraphs, confirm) = match seen.status() {
        Some(MembershipStatus::Invited) => (
            format!("Decline the invitation to {name}?"),
            vec![format!(
                "You will not join {name}, and the invitation link sent to you will stop working. To join later, ask one of its organisers to invite you again."
            )],
            "Decline the invitation",
        ),
        Some(MembershipStatus::Requested) => (
            format!("Withdraw your request to join {name}?"),
            vec![format!("The organisers of {name} will no longer see your request. You can ask again later.")],
            "Withdraw my request",
        ),
        _ => (
            format!("Leave {name}?"),
            vec![
                format!(
                    "You will no longer see the member list, events and other members-only content of {name}, and any role you hold in it ends. Your places at its members-only events to come, and your places on their waiting lists, go to the next people waiting; you are sent a cancellation for each, to take it out of your calendar. A calendar subscription to this network's events stays valid but empties."
                ),
                match seen.network.visibility {
                    Visibility::InvitationOnly => "This network is by invitation only: to come back, you will need a new invitation from one of its organisers.",
                    Visibility::ByRequest => "To come back later, ask to join again from the list of networks: an organiser approves it.",
                    Visibility::Open => "You can join again later from the list of networks.",
                }
                .to_owned(),
            ],
            "Leave this network",
        ),
    };
    render(&ConfirmPage {
        layout: Layout::for_user(&heading, &s),
        heading,
        paragraphs,
        refused,
        action: format!("/n/{}/leave", seen.network.slug),
        confirm: confirm.to_owned(),
        back: format!("/n/{}", seen.network.slug),
        back_label: format!("Cancel, back to {name}"),
    })
}

#[derive(Template)]
#[template(path = "networks/members.html")]
struct MembersPage<'a> {
    errors: Errors,
    layout: Layout,
    slug: &'a str,
    members_path: String,
    network_name: &'a str,
    q: String,
    rows: Vec<Listed<'a>>,
    pager: Pager,
    can_manage: bool,
    /// Organisers may download the list for their reports.
    can_export: bool,
    requests: Vec<Listed<'a>>,
    requests_waiting: usize,
    /// What those asking told the organisers, by person.
    notes: std::collections::HashMap<UserId, String>,
    invited: Vec<Listed<'a>>,
    invited_waiting: usize,
    /// The viewer's time zone, the calendar the dates are written on.
    tz: chrono_tz::Tz,
    /// (address, the role offered, the day its link stops working).
    invited_emails: Vec<(String, &'static str, String)>,
    /// (address, the role offered's label and code, the day its link ran out).
    ran_out: Vec<(String, &'static str, &'static str, String)>,
    invitation_days: i64,
    keep_days: i64,
    roles: Vec<(&'static str, &'static str)>,
    /// Whether the viewer may change a Chair's role or remove a Chair (else those rows offer
    /// nothing that would be refused).
    may_give_chair: bool,
}

impl MembersPage<'_> {
    /// The note a person asking to join left, if any.
    fn note(&self, id: &UserId) -> &str {
        self.notes.get(id).map_or("", String::as_str)
    }
}

pub const MEMBERS_PER_PAGE: u32 = 50;

async fn members(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    members_page(&state, &s, &slug, q, Errors::default()).await
}

/// The requests to join, as the organisers' mail links to them: the member list at its
/// requests. A link with the anchor itself would lose it through sign-in (a browser never sends
/// the part after `#`), so the mail links here, and only a signed-in request is sent on.
async fn requests(_: Signed, Path(slug): Path<String>) -> Result<Redirect> {
    let slug = roundtable_domain::NetworkSlug::parse(&slug).map_err(|_| AppError::NotFound)?;
    Ok(Redirect::to(&format!("/n/{}/members#requests", slug.as_str())))
}

/// The member list, with `errors` (a refused change of role) above it.
async fn members_page(state: &AppState, s: &Signed, slug: &str, q: ListQuery, errors: Errors) -> Result<Response> {
    let actor = s.actor();
    let page = q.page(MEMBERS_PER_PAGE);
    let (seen, list) = super::members(state, &actor, slug, &q.q, page).await?;
    let pending = super::pending(state, &actor, &seen).await?;
    render(&MembersPage {
        layout: Layout::for_user(&format!("Members of {}", seen.network.name), s)
            .with_notice(members_notice(q.notice.as_deref())),
        errors,
        slug: &seen.network.slug,
        members_path: format!("/n/{}/members", seen.network.slug),
        network_name: &seen.network.name,
        pager: Pager::new(page, list.total, &q.q),
        q: q.q,
        rows: list.rows().collect(),
        can_manage: seen.can(&actor, Capability::ManageMembers),
        can_export: seen.can(&actor, Capability::Organise),
        requests: pending.requests.iter().map(Listed::from).collect(),
        requests_waiting: pending.requests_waiting,
        notes: pending.notes,
        invited: pending.invited.iter().map(Listed::from).collect(),
        invited_waiting: pending.invited_waiting,
        invited_emails: pending
            .open
            .into_iter()
            .map(|i| (i.email, i.role.label(), crate::http::day(i.expires_at, s.tz)))
            .collect(),
        ran_out: pending
            .ran_out
            .into_iter()
            .map(|i| (i.email, i.role.label(), i.role.as_str(), crate::http::day(i.expires_at, s.tz)))
            .collect(),
        invitation_days: roundtable_store::links::INVITATION_DAYS,
        keep_days: roundtable_store::links::KEEP_RAN_OUT_DAYS,
        tz: s.tz,
        roles: seen.roles_to_give(&actor),
        may_give_chair: seen.may_give_chair(&actor),
    })
}

#[derive(Template)]
#[template(path = "networks/invite.html")]
struct InvitePage {
    layout: Layout,
    errors: Errors,
    /// What sending to a list did, when some were not sent.
    result: Option<super::Invitations>,
    max: usize,
    slug: String,
    network_name: String,
    email: String,
    role: String,
    roles: Vec<(&'static str, &'static str)>,
    /// The address meant by one refused as a slip from the organisation's domain: offered as
    /// one click.
    meant: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

async fn invite_page(
    state: &AppState,
    s: &Signed,
    slug: &str,
    errors: Errors,
    email: String,
    role: String,
    result: Option<super::Invitations>,
) -> Result<Response> {
    let seen = super::load(state, &s.actor(), slug, Capability::ManageMembers).await?;
    let roles = seen.roles_to_give(&s.actor());
    let meant = match errors.get("email") {
        Some(_) => super::meant_address(state, &email).await?,
        None => None,
    };
    render(&InvitePage {
        layout: Layout::for_user("Invite people", s),
        errors,
        result,
        max: super::MAX_INVITATIONS,
        slug: seen.network.slug,
        network_name: seen.network.name,
        email,
        role,
        roles,
        meant,
    })
}

async fn invite_form(State(state): State<AppState>, s: Signed, Path(slug): Path<String>) -> Result<Response> {
    invite_page(&state, &s, &slug, Errors::default(), String::new(), "member".into(), None).await
}

async fn invite(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Form(f): Form<InviteForm>,
) -> Result<Response> {
    let addresses = super::pasted_addresses(&f.email);
    if addresses.len() > 1 {
        return match super::invite_many(&state, &s.actor(), &s.user.name, &slug, addresses, &f.role).await {
            Ok(r) if r.not_sent.is_empty() => {
                Ok(Redirect::to(&format!("/n/{slug}/members?notice=invitations-sent")).into_response())
            }
            // Those not sent are listed; the box is left empty for a corrected few.
            Ok(r) => invite_page(&state, &s, &slug, Errors::default(), String::new(), f.role, Some(r)).await,
            Err(AppError::Invalid(errs)) => Ok(crate::http::with_status(
                invite_page(&state, &s, &slug, Errors(errs), f.email, f.role, None).await?,
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            )),
            Err(e) => Err(e),
        };
    }
    match super::invite(&state, &s.actor(), &s.user.name, &slug, &f.email, &f.role).await {
        Ok(()) => Ok(Redirect::to(&format!("/n/{slug}/members?notice=invited")).into_response()),
        Err(AppError::Invalid(errs)) => Ok(crate::http::with_status(
            invite_page(&state, &s, &slug, Errors(errs), f.email, f.role, None).await?,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(AppError::Conflict(err)) => Ok(crate::http::with_status(
            invite_page(&state, &s, &slug, Errors(vec![err]), f.email, f.role, None).await?,
            axum::http::StatusCode::CONFLICT,
        )),
        Err(e) => Err(e),
    }
}

fn user_id(raw: &str) -> Result<UserId> {
    UserId::parse(raw).ok_or(AppError::NotFound)
}

async fn decide(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, user, decision)): Path<(String, String, String)>,
) -> Result<Response> {
    let approve = match decision.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return Err(AppError::NotFound),
    };
    super::decide(&state, &s.actor(), &s.user.name, &slug, user_id(&user)?, approve).await?;
    let n = if approve { "approved" } else { "declined" };
    Ok(Redirect::to(&format!("/n/{slug}/members?notice={n}")).into_response())
}

/// "Approve all", or approve or decline the ticked requests. The form repeats its fields (`all`,
/// `person`), which `Form` does not read: the body is parsed here.
async fn decide_many(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response> {
    let (mut decision, mut ticked, mut all) = (String::new(), Vec::new(), Vec::new());
    for (key, value) in form_urlencoded::parse(&body) {
        match key.as_ref() {
            "decision" => decision = value.into_owned(),
            "person" => ticked.extend(UserId::parse(&value)),
            "all" => all.extend(UserId::parse(&value)),
            _ => {}
        }
    }
    let (approve, users) = match decision.as_str() {
        "approve-all" => (true, all),
        "approve" => (true, ticked),
        "decline" => (false, ticked),
        _ => return Err(roundtable_domain::FieldError::new("decision", "Choose to approve or to decline.").into()),
    };
    let decided = match super::decide_many(&state, &s.actor(), &s.user.name, &slug, &users, approve).await {
        // Nothing ticked: the list again, saying what to do (an error page lost the list).
        Err(AppError::Invalid(_)) if users.is_empty() => {
            return Ok(Redirect::to(&format!("/n/{slug}/members?notice=nothing-ticked#requests")).into_response());
        }
        decided => decided?,
    };
    let n = match (decided.done, decided.skipped, approve) {
        (_, 0, true) => "approved-many",
        (_, 0, false) => "declined-many",
        (0, _, _) => "decided-none",
        _ => "decided-some",
    };
    Ok(Redirect::to(&format!("/n/{slug}/members?notice={n}")).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct RoleForm {
    #[serde(default)]
    role: String,
}

async fn set_role(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, user)): Path<(String, String)>,
    Form(f): Form<RoleForm>,
) -> Result<Response> {
    // A refusal (the last Chair, a role one may not give) is said above the list it came from.
    let (why, status) = match super::set_role(&state, &s.actor(), &s.user.name, &slug, user_id(&user)?, &f.role).await {
        Ok(changed) => {
            let notice = if changed { "role" } else { "role-same" };
            return Ok(Redirect::to(&format!("/n/{slug}/members?notice={notice}")).into_response());
        }
        Err(AppError::Conflict(e)) => (e.message, axum::http::StatusCode::CONFLICT),
        Err(AppError::Invalid(errs)) => (
            errs.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" "),
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(AppError::Forbidden(why)) => (why.to_owned(), axum::http::StatusCode::FORBIDDEN),
        Err(e) => return Err(e),
    };
    let errors = Errors(vec![roundtable_domain::FieldError::new("form", why)]);
    Ok(crate::http::with_status(members_page(&state, &s, &slug, ListQuery::default(), errors).await?, status))
}

async fn remove_confirm(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, user)): Path<(String, String)>,
) -> Result<Response> {
    let r = super::removal(&state, &s.actor(), &slug, user_id(&user)?).await?;
    let (person, network) = (&r.person.name, &r.seen.network.name);
    let (heading, what, confirm) = match r.person.status {
        MembershipStatus::Active => (
            format!("Remove {person} from {network}?"),
            format!(
                "{person} ({}) will no longer see the member list, events and other members-only content of {network}, and is told by email (a reply reaches you). Their places at its members-only events to come go to the next people waiting, and they are sent a cancellation for each.",
                r.person.role.label()
            ),
            format!("Remove {person}"),
        ),
        MembershipStatus::Requested => (
            format!("Remove {person}'s request to join {network}?"),
            format!("The request of {person} to join {network} will be declined; they are told by email."),
            format!("Remove the request of {person}"),
        ),
        MembershipStatus::Invited => (
            format!("Remove {person}'s invitation to {network}?"),
            format!("{person} will not join {network}."),
            format!("Remove the invitation of {person}"),
        ),
    };
    render(&ConfirmPage {
        layout: Layout::for_user(&heading, &s),
        heading,
        paragraphs: vec![
            what,
            "Any invitation link to their address for this network stops working. To bring them back, invite them again."
                .to_owned(),
        ],
        refused: r.refused,
        action: format!("/n/{}/members/{}/remove", r.seen.network.slug, r.person.user_id),
        confirm,
        back: format!("/n/{}/members", r.seen.network.slug),
        back_label: "Cancel, back to the member list".to_owned(),
    })
}

#[derive(Deserialize, Default)]
pub(crate) struct WithdrawForm {
    #[serde(default)]
    email: String,
}

async fn withdraw(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Form(f): Form<WithdrawForm>,
) -> Result<Response> {
    let withdrawn = super::withdraw_invitation(&state, &s.actor(), &s.user.name, &slug, &f.email).await?;
    let n = if withdrawn { "withdrawn" } else { "nothing-to-withdraw" };
    Ok(Redirect::to(&format!("/n/{slug}/members?notice={n}")).into_response())
}

/// The notices of this area that the shared list (`http::notice`) does not know.
fn members_notice(code: Option<&str>) -> Option<&'static str> {
    match code {
        Some("withdrawn") => Some("The invitation has been withdrawn; its link no longer works."),
        Some("nothing-to-withdraw") => Some("There was no open invitation to withdraw for that address."),
        Some("nothing-ticked") => {
            Some("Nothing was decided: tick the requests first, or use the buttons on a request's row.")
        }
        code => notice(code),
    }
}

async fn remove(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, user)): Path<(String, String)>,
) -> Result<Response> {
    let user = user_id(&user)?;
    super::remove(&state, &s.actor(), &s.user.name, &slug, user).await?;
    // Someone who removed themself can no longer open the member list.
    if user == s.user.id {
        return Ok(Redirect::to(&format!("/?notice=left&network={slug}")).into_response());
    }
    Ok(Redirect::to(&format!("/n/{slug}/members?notice=removed")).into_response())
}
