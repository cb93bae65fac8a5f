//! Networks and memberships: browse, create, join or request, leave, approve, invite, roles.
//! Every use case loads the network with the actor's membership and asks `policy::require`
//! before reading or writing; a network the actor may not see is "not found".

pub mod api;
pub mod pages;

use crate::events::GivenUp;
use crate::http::{AppError, Result};
use crate::mail::{self, Email as Mail};
use crate::read_model::{MemberPage, Snapshot};
use crate::security::{random_token, token_hash};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use roundtable_domain::policy::{self, MembershipView};
use roundtable_domain::{
    Actor, Capability, Email, FieldError, LongText, MembershipStatus, NetworkName, NetworkSlug, Page, Role, UserId,
    Visibility,
};
use roundtable_store::links::{self, NewLink, Purpose};
use roundtable_store::networks::{self, Member, Membership, Network};
use roundtable_store::{Error as StoreError, Tx, audit, charters, users};

/// A network as one person sees it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub network: Network,
    pub membership: Option<Membership>,
}

impl Seen {
    fn view(&self) -> Option<MembershipView> {
        self.membership.map(|m| MembershipView { role: m.role, status: m.status })
    }
    pub fn status(&self) -> Option<MembershipStatus> {
        self.membership.map(|m| m.status)
    }
    pub fn role(&self) -> Option<Role> {
        self.membership.filter(|m| m.status == MembershipStatus::Active).map(|m| m.role)
    }
    /// Whether `actor` may give or take the Chair role here (`policy::check_chair_change`'s
    /// first rule), so that pages offer it only to them.
    pub fn may_give_chair(&self, actor: &Actor) -> bool {
        actor.is_org_admin || self.role() == Some(Role::Chair)
    }
    /// The roles `actor` may give here, as (value, label).
    pub fn roles_to_give(&self, actor: &Actor) -> Vec<(&'static str, &'static str)> {
        let chair = self.may_give_chair(actor);
        Role::ALL.iter().filter(|r| chair || **r != Role::Chair).map(|r| (r.as_str(), r.label())).collect()
    }
    pub fn can(&self, actor: &Actor, cap: Capability) -> bool {
        policy::allows(actor, self.network.visibility, self.view(), cap)
    }
}

/// The one access check for anything in a network: the role policy, then the charter — members
/// use the network only under its current charter, so a newer version must be accepted first
/// (seeing the network, and its charter, stays possible). Org admins, who may do all of it
/// without belonging to the network, are not held back by belonging to it.
pub async fn authorise(state: &AppState, actor: &Actor, seen: &Seen, cap: Capability) -> Result<()> {
    authorise_in(&*state.snapshot().await?, actor, seen, cap)
}

/// `authorise` against a snapshot the caller already holds.
pub fn authorise_in(snapshot: &Snapshot, actor: &Actor, seen: &Seen, cap: Capability) -> Result<()> {
    policy::require(actor, seen.network.visibility, seen.view(), cap)?;
    if cap != Capability::SeeNetwork
        && !actor.is_org_admin
        && seen.status() == Some(MembershipStatus::Active)
        && let (Some(current), accepted) = snapshot.charter_standing(seen.network.id, actor.user_id)
        && accepted.is_none_or(|a| a < current)
    {
        return Err(AppError::CharterPending { slug: seen.network.slug.clone(), first: accepted.is_none() });
    }
    Ok(())
}

/// Loads a network by slug and checks `cap` for the actor.
pub async fn load(state: &AppState, actor: &Actor, slug: &str, cap: Capability) -> Result<Seen> {
    load_in(&*state.snapshot().await?, actor, slug, cap)
}

/// `load` from a snapshot the caller already holds.
pub fn load_in(snapshot: &Snapshot, actor: &Actor, slug: &str, cap: Capability) -> Result<Seen> {
    let network = snapshot.network_by_slug(slug).ok_or(AppError::NotFound)?.clone();
    let membership = snapshot.membership(network.id, actor.user_id);
    let seen = Seen { network, membership };
    authorise_in(snapshot, actor, &seen, cap)?;
    Ok(seen)
}

/// Records an organiser's action on the network in the audit log.
pub(crate) async fn record(
    tx: &mut Tx,
    actor: &Actor,
    actor_name: &str,
    action: &str,
    seen: &Seen,
    subject: &str,
    detail: &str,
) -> Result<()> {
    audit::record(
        tx,
        &audit::NewEntry {
            actor_id: Some(actor.user_id),
            actor_name,
            action,
            network_id: Some(seen.network.id),
            subject,
            detail,
        },
        Utc::now(),
    )
    .await?;
    Ok(())
}

/// Every network the actor may see, with their membership in each.
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<Seen>> {
    Ok(list_in(&*state.snapshot().await?, actor))
}

/// `list` from a snapshot the caller already holds.
pub fn list_in(snapshot: &Snapshot, actor: &Actor) -> Vec<Seen> {
    snapshot
        .networks()
        .iter()
        .map(|n| Seen { network: n.clone(), membership: snapshot.membership(n.id, actor.user_id) })
        .filter(|s| s.can(actor, Capability::SeeNetwork))
        .collect()
}

/// The networks `actor` may see (`list`), each with — for an org admin, who alone can name a
/// Chair where none acts — whether it has no active Chair (none named yet, or their accounts
/// ended); false for anyone else.
pub async fn list_with_chair_flag(state: &AppState, actor: &Actor) -> Result<Vec<(Seen, bool)>> {
    let snapshot = state.snapshot().await?;
    let no_chair = |n: &Network| actor.is_org_admin && !snapshot.organisers(n.id).iter().any(|o| o.role == Role::Chair);
    Ok(list_in(&snapshot, actor)
        .into_iter()
        .map(|s| {
            let flag = no_chair(&s.network);
            (s, flag)
        })
        .collect())
}

/// A network someone organises, as `organised_in` finds it.
pub struct Organising {
    pub network: String,
    pub slug: String,
    pub role: Role,
    /// They are its only active Chair: without them it has none.
    pub only_chair: bool,
}

/// The networks each of `people` organises (a steering-committee role, by network name),
/// for saying what their account's end would leave behind. Only those who organise one are in
/// the map.
pub fn organised_in(
    snapshot: &Snapshot,
    people: &std::collections::HashSet<UserId>,
) -> std::collections::HashMap<UserId, Vec<Organising>> {
    let mut out: std::collections::HashMap<UserId, Vec<Organising>> = std::collections::HashMap::new();
    for n in snapshot.networks() {
        let organisers = snapshot.organisers(n.id);
        let chairs = organisers.iter().filter(|o| o.role == Role::Chair).count();
        for o in organisers.iter().filter(|o| people.contains(&o.user_id)) {
            out.entry(o.user_id).or_default().push(Organising {
                network: n.name.clone(),
                slug: n.slug.clone(),
                role: o.role,
                only_chair: o.role == Role::Chair && chairs == 1,
            });
        }
    }
    out
}

/// "A, B and C".
pub fn and_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

pub struct NetworkInput {
    pub name: String,
    pub slug: String,
    pub description: String,
    pub visibility: String,
    /// Creating only: the address of its first Chair — the creator's own, someone to invite,
    /// or empty for none yet. Settings ignore it.
    pub chair: String,
}

/// Who chairs a network just created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstChair {
    /// No one yet: an org admin invites organisers from its members page.
    NoOne,
    /// Its creator, a member from the start.
    Creator,
    /// Someone else, sent an invitation as Chair.
    Invited,
}

struct ParsedNetwork {
    name: NetworkName,
    description: LongText,
    visibility: Visibility,
}

fn parse_network(input: &NetworkInput, errs: &mut Vec<FieldError>) -> Option<ParsedNetwork> {
    let name = NetworkName::parse(&input.name).map_err(|e| errs.push(e)).ok();
    let description = LongText::parse("description", &input.description, 5000).map_err(|e| errs.push(e)).ok();
    let visibility = Visibility::parse(&input.visibility);
    if visibility.is_none() {
        errs.push(FieldError::new("visibility", "Choose who can join the network."));
    }
    Some(ParsedNetwork { name: name?, description: description?, visibility: visibility? })
}

/// Creates a network (org admins only), with its first Chair when `input.chair` names one: the
/// creator becomes a member at once; anyone else is invited as Chair, as `invite` would (in the
/// same transaction, so a refused invitation creates no network either).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    input: NetworkInput,
) -> Result<(String, FirstChair)> {
    if !actor.is_org_admin {
        return Err(AppError::Forbidden("Only organisation administrators can create networks."));
    }
    let mut errs = Vec::new();
    let typed_slug = !input.slug.trim().is_empty();
    let slug_raw = if typed_slug { input.slug.clone() } else { NetworkSlug::suggest(&input.name) };
    let parsed = parse_network(&input, &mut errs);
    let slug = match NetworkSlug::parse(&slug_raw) {
        Ok(slug) => Some(slug),
        // Made from the name: the name's own error says what to fix, unless the name is fine but
        // gives no address (written in another script, or too short).
        Err(_) if !typed_slug && errs.iter().any(|e| e.field == "name") => None,
        Err(_) if !typed_slug => {
            let message = "Write a web address for the network: its name gives none (2 to 40 lower-case letters, digits and dashes).";
            errs.push(FieldError::new("slug", message));
            None
        }
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let chair = match input.chair.trim() {
        "" => None,
        raw => Email::parse(&one_address(raw)).map_err(|e| errs.push(FieldError::new("chair", e.message))).ok(),
    };
    let (Some(slug), Some(p), true) = (slug, parsed, errs.is_empty()) else { return Err(AppError::Invalid(errs)) };
    let chair = match chair {
        Some(email) => {
            refuse_mistyped(state, &email, "chair").await?;
            let existing = users::by_email(&state.db, email.as_str()).await?;
            if existing.as_ref().is_some_and(|u| u.deactivated_at.is_some()) {
                return Err(AppError::Conflict(FieldError::new(
                    "chair",
                    "This person's account is deactivated, so they cannot accept. Reactivate it first, or name another Chair.",
                )));
            }
            Some((email, existing))
        }
        None => None,
    };
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let id = networks::insert(
        &mut tx,
        &networks::NewNetwork {
            slug: slug.as_str(),
            name: p.name.as_str(),
            description: p.description.as_str(),
            visibility: p.visibility,
        },
        now,
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(k) if k == "networks.slug" => {
            let message =
                format!("Another network already has the web address /n/{}. Write another here.", slug.as_str());
            AppError::Conflict(FieldError::new("slug", message))
        }
        e => e.into(),
    })?;
    let first = match &chair {
        None => FirstChair::NoOne,
        Some((_, Some(u))) if u.id == actor.user_id => FirstChair::Creator,
        Some(_) => FirstChair::Invited,
    };
    let detail = match first {
        FirstChair::Creator => format!("{}; chaired by its creator", p.visibility.as_str()),
        _ => p.visibility.as_str().to_owned(),
    };
    audit::record(
        &mut tx,
        &audit::NewEntry {
            actor_id: Some(actor.user_id),
            actor_name,
            action: "network.created",
            network_id: Some(id),
            subject: p.name.as_str(),
            detail: &detail,
        },
        now,
    )
    .await?;
    match (&chair, first) {
        (_, FirstChair::Creator) => {
            networks::upsert_membership(&mut tx, id, actor.user_id, Role::Chair, MembershipStatus::Active, now).await?;
        }
        (Some((email, existing)), FirstChair::Invited) => {
            let network = Network {
                id,
                slug: slug.as_str().to_owned(),
                name: p.name.as_str().to_owned(),
                description: p.description.as_str().to_owned(),
                visibility: p.visibility,
                created_at: now,
                member_count: 0,
            };
            let seen = Seen { network, membership: None };
            send_invitation(&mut tx, state, actor, actor_name, &seen, email, existing.as_ref(), Role::Chair, now)
                .await
                .map_err(|e| match e {
                    // The rate limit speaks of "email"; this form's field is the Chair's.
                    AppError::Conflict(f) if f.field == "email" => {
                        AppError::Conflict(FieldError::new("chair", f.message))
                    }
                    e => e,
                })?;
        }
        _ => {}
    }
    tx.commit().await?;
    Ok((slug.as_str().to_owned(), first))
}

/// Why `actor` may not delete the network, or `None` when they may: only an org admin deletes
/// one, and only one that holds nothing anyone would miss — no event, and no member but the one
/// deleting (a network set up by mistake, or to try things out). One with a history stays, for
/// its members and its figures.
pub async fn deletion_refusal(state: &AppState, actor: &Actor, seen: &Seen) -> Result<Option<String>> {
    if !actor.is_org_admin {
        return Ok(Some("Only organisation administrators can delete networks.".into()));
    }
    let (events, members) = networks::history(&state.db, seen.network.id, actor.user_id).await?;
    Ok(refusal_for(events, members))
}

fn refusal_for(events: i64, members: i64) -> Option<String> {
    let plural = |n: i64, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    match (events, members) {
        (0, 0) => None,
        (0, m) => Some(format!(
            "It has {}: only a network with no members but you can be deleted.",
            plural(m, "member", "members")
        )),
        (e, 0) => Some(format!(
            "It has {}: a network with events is kept, for its history and figures.",
            plural(e, "event", "events")
        )),
        (e, m) => Some(format!(
            "It has {} and {}: only a network with no events and no members but you can be deleted.",
            plural(m, "member", "members"),
            plural(e, "event", "events")
        )),
    }
}

/// Deletes a network that `deletion_refusal` allows (checked again under the network's lock, so
/// someone joining meanwhile keeps it), with its charter, checklist, invitations and requests —
/// closed without mail. The audit log keeps its entries, and one of the deletion.
pub async fn delete(state: &AppState, actor: &Actor, actor_name: &str, slug: &str) -> Result<()> {
    let seen = load(state, actor, slug, Capability::SeeNetwork).await?;
    if !actor.is_org_admin {
        return Err(AppError::Forbidden("Only organisation administrators can delete networks."));
    }
    let mut tx = state.db.begin().await?;
    networks::lock(&mut tx, seen.network.id).await?;
    let (events, members) = networks::history_in(&mut tx, seen.network.id, actor.user_id).await?;
    if let Some(why) = refusal_for(events, members) {
        return Err(AppError::Conflict(FieldError::new("network", why)));
    }
    networks::delete(&mut tx, seen.network.id).await?;
    record(&mut tx, actor, actor_name, "network.deleted", &seen, &seen.network.name, &seen.network.slug).await?;
    tx.commit().await?;
    Ok(())
}

/// What saving a network's settings did besides saving them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Updated {
    /// Events open to the whole organisation that became members-only: an invitation-only
    /// network does not exist for outsiders, so none of its events may stay open to them.
    pub narrowed: u64,
    /// Requests to join let in because the network became open to everyone.
    pub approved: usize,
    /// Requests to join closed because the network became invitation-only (it takes none).
    pub closed: usize,
}

/// Changes name, description and visibility (Chair, Administrator, org admin). Requests to join
/// waiting when the way in changes do not hang on: opening the network lets them in, making it
/// invitation-only closes them; each person is told (see `Updated`).
pub async fn update(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    input: NetworkInput,
) -> Result<Updated> {
    let seen = load(state, actor, slug, Capability::EditNetwork).await?;
    let mut errs = Vec::new();
    let Some(p) = parse_network(&input, &mut errs).filter(|_| errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let mut tx = state.db.begin().await?;
    // Becoming invitation-only: its whole-organisation events, past and future, become
    // members-only in the same transaction, so none of them shows the network to outsiders.
    // Outsiders with answers to coming dates are told, and their places offered to members
    // waiting (`events::after_narrowing`); who may attend is read first, each event locked.
    let now = Utc::now();
    let mut attending = Vec::new();
    if p.visibility == Visibility::InvitationOnly {
        for id in roundtable_store::events::open_to_all_from(&mut tx, seen.network.id, now).await? {
            roundtable_store::events::lock_event(&mut tx, state.db.dialect(), id).await?;
            attending.push((id, roundtable_store::events::answered_may_attend_from(&mut tx, id, now).await?));
        }
    }
    networks::update(&mut tx, seen.network.id, p.name.as_str(), p.description.as_str(), p.visibility).await?;
    let (approved, closed) = settle_requests(state, &mut tx, actor, actor_name, &seen, p.visibility, now).await?;
    let narrowed = if p.visibility == Visibility::InvitationOnly {
        roundtable_store::events::narrow_to_members(&mut tx, seen.network.id, now).await?
    } else {
        0
    };
    // The network as it is now, for the mail to outsiders (an invitation-only one has no page
    // they can open, nor a request to join).
    let mut after = seen.clone();
    (after.network.name, after.network.visibility) = (p.name.as_str().to_owned(), p.visibility);
    for (id, before) in attending {
        if let Some(e) = roundtable_store::events::by_id_tx(&mut tx, id).await? {
            let e = std::sync::Arc::new(e);
            crate::events::after_narrowing(state, &mut tx, &after, &e, before, false, now).await?;
        }
    }
    let narrowed_text = match narrowed {
        0 => String::new(),
        1 => "; 1 event that was open to the whole organisation is now for members only".to_owned(),
        n => format!("; {n} events that were open to the whole organisation are now for members only"),
    };
    let detail = format!("{}{narrowed_text}", p.visibility.as_str());
    record(&mut tx, actor, actor_name, "network.updated", &seen, p.name.as_str(), &detail).await?;
    tx.commit().await?;
    Ok(Updated { narrowed, approved, closed })
}

/// The requests to join waiting when `seen` changes to `visibility`: let in if it is open now,
/// closed if it is invitation-only; each person emailed and each decision audited, as an
/// organiser's would be. A deactivated account's request is dropped without mail. Returns
/// (approved, closed).
async fn settle_requests(
    state: &AppState,
    tx: &mut Tx,
    actor: &Actor,
    actor_name: &str,
    seen: &Seen,
    visibility: Visibility,
    now: DateTime<Utc>,
) -> Result<(usize, usize)> {
    let net = &seen.network;
    if visibility == net.visibility || visibility == Visibility::ByRequest {
        return Ok((0, 0));
    }
    // Taking turns with an organiser deciding one of them at this moment.
    networks::lock(tx, net.id).await?;
    // A question about it ("may I be invited?") reaches the organiser who changed it.
    let reply_to = mail::reply_address(&state.db, actor.user_id).await?;
    let (mut approved, mut closed) = (0, 0);
    for (user, email, deactivated) in networks::requests(tx, net.id).await? {
        if deactivated {
            networks::delete_membership(tx, net.id, user).await?;
            continue;
        }
        let text = if visibility == Visibility::Open {
            networks::transition(tx, net.id, user, MembershipStatus::Requested, MembershipStatus::Active, now).await?;
            record(tx, actor, actor_name, "membership.approved", seen, &email, "the network is open to everyone now")
                .await?;
            approved += 1;
            format!("{} is now open to everyone, so your request to join was approved. Welcome!", net.name)
        } else {
            networks::delete_membership(tx, net.id, user).await?;
            record(
                tx,
                actor,
                actor_name,
                "membership.declined",
                seen,
                &email,
                "the network takes members by invitation only now",
            )
            .await?;
            closed += 1;
            format!(
                "{} now takes new members by invitation only, so your request to join was closed. To join, ask for an invitation: a reply to this email reaches {actor_name}, one of its organisers.",
                net.name
            )
        };
        let open = (visibility == Visibility::Open).then(|| ("Open the network", network_url(state, net)));
        // The outcome in the subject, so a phone's inbox says it without opening the mail.
        let subject = if open.is_some() {
            format!("Approved: your request to join {}", net.name)
        } else {
            format!("Closed: your request to join {}", net.name)
        };
        let m = Mail { to: &email, subject, paragraphs: vec![text], action: open, reply_to: reply_to.as_deref() };
        mail::queue(tx, &m, now).await?;
    }
    Ok((approved, closed))
}

/// What a declined request to join is told.
fn not_approved(net: &Network) -> String {
    format!(
        "Your request to join {} was not approved this time. You can ask its organisers why: a reply to this email reaches the one who decided.",
        net.name
    )
}

fn network_url(state: &AppState, net: &Network) -> String {
    format!("{}/n/{}", state.config.public_url(), net.slug)
}

/// What the network's home page shows.
pub struct Home {
    pub seen: Seen,
    pub organisers: Vec<Member>,
    pub pending_requests: i64,
    /// The current charter version, if the network has a charter.
    pub charter_version: Option<i64>,
    /// An active member who has not accepted the current charter yet.
    pub charter_pending: bool,
    /// ...and has accepted no version of it (an invited newcomer, or a member from before the
    /// network had a charter): not told of a "new version".
    pub charter_first: bool,
    /// No organiser yet, but a Chair has been invited (and has not accepted).
    pub chair_invited: bool,
    /// No active Chair, none invited, and these Chairs' accounts are deactivated or erased: only
    /// an org admin can name a new one. Empty otherwise.
    pub inactive_chairs: Vec<String>,
    /// Asking to join: the note they left the organisers, if any.
    pub my_note: Option<String>,
}

pub async fn home(state: &AppState, actor: &Actor, slug: &str) -> Result<Home> {
    let snapshot = state.snapshot().await?;
    let seen = load_in(&snapshot, actor, slug, Capability::SeeNetwork)?;
    let organisers = snapshot.organisers(seen.network.id);
    let pending_requests = if seen.can(actor, Capability::ManageMembers) {
        snapshot.pending(seen.network.id, MembershipStatus::Requested).len() as i64
    } else {
        0
    };
    let (charter_version, accepted) = snapshot.charter_standing(seen.network.id, actor.user_id);
    let charter_pending =
        seen.status() == Some(MembershipStatus::Active) && charter_version.is_some() && accepted < charter_version;
    let charter_first = charter_pending && accepted.is_none();
    // A network without organisers whose Chair is invited says so, rather than "invite one".
    let chair_invited = organisers.is_empty()
        && (snapshot.pending(seen.network.id, MembershipStatus::Invited).iter().any(|m| m.role == Role::Chair)
            || links::open_invites_for_network(&state.db, seen.network.id, Utc::now())
                .await?
                .iter()
                .any(|i| i.role == Role::Chair));
    let inactive_chairs = if !chair_invited && !organisers.iter().any(|o| o.role == Role::Chair) {
        networks::inactive_chairs(&state.db, seen.network.id).await?
    } else {
        Vec::new()
    };
    let my_note = if seen.status() == Some(MembershipStatus::Requested) {
        networks::request_notes_of(&state.db, actor.user_id)
            .await?
            .into_iter()
            .find_map(|(net, note)| (net == seen.network.id).then_some(note))
    } else {
        None
    };
    Ok(Home {
        my_note,
        seen,
        organisers,
        pending_requests,
        charter_version,
        charter_pending,
        charter_first,
        chair_invited,
        inactive_chairs,
    })
}

/// What joining did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    Member,
    Requested,
}

/// The longest note a person asking to join may leave the organisers: a few sentences.
pub const REQUEST_NOTE_MAX: usize = 500;

/// A note for the organisers as typed: line breaks as one character each (a browser counts them
/// so against the field's `maxlength` but sends CR LF), trimmed, none when blank, refused when
/// too long.
fn request_note(raw: &str) -> Result<Option<String>> {
    let lines = raw.replace("\r\n", "\n").replace('\r', "\n");
    let note = lines.trim();
    let n = note.chars().count();
    if n > REQUEST_NOTE_MAX {
        return Err(AppError::Invalid(vec![FieldError::new(
            "note",
            format!(
                "A note for the organisers can be up to {REQUEST_NOTE_MAX} characters; this one has {n}. Shorten it — they can ask you for more."
            ),
        )]));
    }
    Ok(Some(note.to_owned()).filter(|n| !n.is_empty()))
}

/// Whether `e` refuses the note for the organisers (and nothing else).
pub fn refused_note(e: &AppError) -> bool {
    matches!(e, AppError::Invalid(f) if f.iter().all(|f| f.field == "note"))
}

/// Joins an open network, asks to join a by-request one, or accepts an invitation.
/// `accepted_charter` is the charter version the person accepted on the joining page; joining a
/// network with a charter needs the current one. `note` is what someone asking to join tells
/// the organisers (kept with the request, and in their email); joining needs none, so it is not
/// kept then.
pub async fn join(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    accepted_charter: Option<i64>,
    note: &str,
) -> Result<Joined> {
    let note = request_note(note)?;
    let seen = load(state, actor, slug, Capability::SeeNetwork).await?;
    let now = Utc::now();
    let current = charters::current(&state.db, seen.network.id).await?.map(|c| c.version);
    let joining = seen.status() != Some(MembershipStatus::Active) && seen.status() != Some(MembershipStatus::Requested);
    if let Some(v) = current.filter(|_| joining) {
        crate::charter::check_ticked(
            v,
            accepted_charter,
            "Please read the charter and tick the box to accept it before joining.",
        )?;
    }
    let mut tx = state.db.begin().await?;
    if let Some(v) = current.filter(|_| joining) {
        charters::accept(&mut tx, seen.network.id, actor.user_id, v, now).await?;
    }
    let outcome = match (seen.status(), seen.network.visibility) {
        (Some(MembershipStatus::Active), _) => Joined::Member,
        // A request made before the network was opened: joining now needs no one's approval.
        (Some(MembershipStatus::Requested), Visibility::Open) => {
            networks::transition(
                &mut tx,
                seen.network.id,
                actor.user_id,
                MembershipStatus::Requested,
                MembershipStatus::Active,
                now,
            )
            .await?;
            Joined::Member
        }
        // Asked again, with something more to say: the organisers read the newer note.
        (Some(MembershipStatus::Requested), _) => {
            if note.is_some() {
                networks::set_request_note(&mut tx, seen.network.id, actor.user_id, note.as_deref()).await?;
            }
            Joined::Requested
        }
        (Some(MembershipStatus::Invited), _) => {
            networks::transition(
                &mut tx,
                seen.network.id,
                actor.user_id,
                MembershipStatus::Invited,
                MembershipStatus::Active,
                now,
            )
            .await?;
            // Accepted here rather than by the emailed link: the link is used up as well, and
            // the entry names the address, as the link's acceptance does.
            let me = users::by_id(&state.db, actor.user_id).await?.ok_or(AppError::NotFound)?;
            networks::cancel_invitations(&mut tx, seen.network.id, &me.email, now).await?;
            record(&mut tx, actor, actor_name, "membership.invitation_accepted", &seen, &me.email, "").await?;
            Joined::Member
        }
        (None, Visibility::Open) => {
            networks::add_membership_if_absent(
                &mut tx,
                seen.network.id,
                actor.user_id,
                Role::Member,
                MembershipStatus::Active,
                now,
            )
            .await?;
            Joined::Member
        }
        (None, Visibility::ByRequest) => {
            networks::add_membership_if_absent(
                &mut tx,
                seen.network.id,
                actor.user_id,
                Role::Member,
                MembershipStatus::Requested,
                now,
            )
            .await?;
            networks::set_request_note(&mut tx, seen.network.id, actor.user_id, note.as_deref()).await?;
            // The organisers hear of it within minutes, with whoever else asked meanwhile
            // (`send_request_notices`).
            Joined::Requested
        }
        (None, Visibility::InvitationOnly) => {
            return Err(AppError::Forbidden(
                "This network is by invitation only. Ask one of its organisers to invite you.",
            ));
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// At most this many people are named in one email about requests to join; the members page
/// lists them all.
const NAMED_PER_NOTICE: usize = 30;

/// Emails each network's Chairs and Administrators about the requests to join made since the
/// last run (the `RequestNotices` schedule, every few minutes): one email per network and
/// organiser naming everyone who asked, with their notes, and how many earlier requests still
/// wait — a launch day's hundred requests are a few emails, not a hundred. Each request is
/// announced once; a person asking again within the hour of an announcement waits for the hour
/// (`networks::unannounced_requests`). Returns how many emails were queued.
pub async fn send_request_notices(state: &AppState, now: DateTime<Utc>) -> Result<usize> {
    // Requests older than a week when this first runs (after an upgrade) are not announced:
    // the members page and the organisers' home pages list them.
    let waiting = networks::unannounced_requests(&state.db, now - Duration::days(7), now - Duration::hours(1)).await?;
    let snapshot = state.snapshot().await?;
    let mut sent = 0;
    for group in waiting.chunk_by(|a, b| a.network == b.network) {
        let Some(net) = networks::by_id(&state.db, group[0].network).await? else { continue };
        let mut tx = state.db.begin().await?;
        for r in group {
            networks::mark_announced(&mut tx, r, now).await?;
        }
        let (subject, mut paragraphs, reply_to) = match group {
            [one] => {
                let mut p = vec![format!("{} would like to join {}.", one.name, net.name)];
                if let Some(note) = &one.note {
                    p.push(format!("Their note for the organisers:\n{note}"));
                }
                // Organisers see a requester's address beside the request anyway.
                (format!("{} asks to join {}", one.name, net.name), p, mail::reply_address(&state.db, one.user).await?)
            }
            many => {
                let mut p = vec![format!("{} people would like to join {}:", many.len(), net.name)];
                p.extend(many.iter().take(NAMED_PER_NOTICE).map(|r| match &r.note {
                    Some(note) => format!("{}, who writes:\n{note}", r.name),
                    None => r.name.clone(),
                }));
                if many.len() > NAMED_PER_NOTICE {
                    p.push(format!("and {} more.", many.len() - NAMED_PER_NOTICE));
                }
                (format!("{} people ask to join {}", many.len(), net.name), p, None)
            }
        };
        // Those announced before and still waiting: the email is not the whole queue.
        let before = snapshot.pending(net.id, MembershipStatus::Requested).len().saturating_sub(group.len());
        if before > 0 {
            paragraphs.push(match before {
                1 => "1 earlier request is waiting for a decision too.".to_owned(),
                n => format!("{n} earlier requests are waiting for a decision too."),
            });
        }
        paragraphs.push("You can approve or decline each request on the network's members page.".into());
        // The same requests announced twice at once (two instances' runs overlapping) are one
        // email: the key names them.
        let ids: Vec<String> = group.iter().map(|r| r.user.to_string()).collect();
        let which = crate::security::token_hash(&ids.join(","));
        // A network with no active Chair or Administrator: the org admins, who decide in its
        // stead, hear of it (its home page says so to them too).
        let mut to_tell = networks::manager_emails(&state.db, net.id).await?;
        if to_tell.is_empty() {
            to_tell = users::admins(&state.db).await?.into_iter().map(|(_, email)| email).collect();
        }
        for to in to_tell {
            let m = Mail {
                to: &to,
                subject: subject.clone(),
                paragraphs: paragraphs.clone(),
                action: Some(("Review requests", format!("{}/n/{}/requests", state.config.public_url(), net.slug))),
                reply_to: reply_to.as_deref(),
            };
            mail::queue_with_ics(&mut tx, &m, None, Some(format!("join-requests:{}:{to}:{which}", net.id)), now)
                .await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// Leaves a network (or withdraws a request, or declines an invitation). The open invitation
/// links of the network for the person's address stop working too. The last Chair cannot leave
/// (`policy::check_chair_change`), unless they are an org admin.
/// Ends the actor's membership, request or invitation; returns which it was.
pub async fn leave(state: &AppState, actor: &Actor, slug: &str) -> Result<MembershipStatus> {
    let seen = load(state, actor, slug, Capability::SeeNetwork).await?;
    let me = users::by_id(&state.db, actor.user_id).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    networks::lock(&mut tx, seen.network.id).await?;
    let Some(before) = networks::membership_in(&mut tx, seen.network.id, actor.user_id).await? else {
        return Err(not_a_member());
    };
    check_chairs(&mut tx, actor, &seen, Some(before), None).await?;
    let pairings = crate::onboarding::buddies::pairings_of(state, &seen, actor.user_id).await?;
    networks::delete_membership(&mut tx, seen.network.id, actor.user_id).await?;
    networks::cancel_invitations(&mut tx, seen.network.id, &me.email, Utc::now()).await?;
    roundtable_store::buddies::end_all_in(&mut tx, seen.network.id, actor.user_id, Utc::now()).await?;
    crate::onboarding::buddies::tell_pairings_ended(state, &mut tx, &seen, &me.name, pairings).await?;
    let why = GivenUp::Left;
    crate::events::queue_giving_up(&mut tx, actor.user_id, Some(seen.network.id), why, Utc::now()).await?;
    let who = Leaver { name: &me.name, email: &me.email, key: me.id.to_string() };
    tell_organisers_of_leaving(state, &mut tx, &seen, &who, before.status).await?;
    tx.commit().await?;
    Ok(before.status)
}

/// Who left or declined, as the organisers are told: a name (an address, for someone without an
/// account), the address (never told to themself), and what keys the once-a-day limit.
pub(crate) struct Leaver<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub key: String,
}

/// Tells the network's Chairs and Administrators that a member left or an invitation was
/// declined — the member list would otherwise just be one shorter — and a decline also to whoever
/// sent the invitation (an org admin whose invited Chair says no, in a network with no organiser
/// yet). Withdrawing a request tells no one (it only leaves the list of requests). At most one
/// email of each kind a day per person and organiser, so joining and leaving an open network over
/// and over is no stream of mail. No Reply-To: organisers are not shown members' addresses.
pub(crate) async fn tell_organisers_of_leaving(
    state: &AppState,
    tx: &mut Tx,
    seen: &Seen,
    who: &Leaver<'_>,
    was: MembershipStatus,
) -> Result<()> {
    let net = &seen.network;
    let (kind, subject, text) = match was {
        MembershipStatus::Active => (
            "left",
            format!("{} has left {}", who.name, net.name),
            format!("{} has left {}. The member list shows who is in it now.", who.name, net.name),
        ),
        MembershipStatus::Invited => (
            "declined",
            format!("{} has declined the invitation to {}", who.name, net.name),
            format!("{} has declined the invitation to join {}.", who.name, net.name),
        ),
        MembershipStatus::Requested => return Ok(()),
    };
    let now = Utc::now();
    let day = now.date_naive();
    let mut told = networks::manager_emails(&state.db, net.id).await?;
    if was == MembershipStatus::Invited
        && let Some(inviter) = links::inviter(&state.db, net.id, who.email).await?
        && let Some(u) = users::by_id(&state.db, inviter).await?
        && u.deactivated_at.is_none()
        && !told.contains(&u.email)
    {
        told.push(u.email);
    }
    for to in told {
        if to == who.email {
            continue;
        }
        let once = format!("{kind}:{}:{}:{to}:{day}", net.id, who.key);
        let mail = Mail {
            to: &to,
            subject: subject.clone(),
            paragraphs: vec![text.clone()],
            action: Some(("Open the member list", format!("{}/members", network_url(state, net)))),
            reply_to: None,
        };
        mail::queue_with_ics(tx, &mail, None, Some(once), now).await?;
    }
    Ok(())
}

/// Tells each network `person` organised (a steering-committee role) that they are gone with
/// their account (deactivated by an org admin or an HR import, closed by themself, erased) —
/// their role stays on record but no longer acts, and without a word the member list would just
/// be one organiser shorter. Its Chairs and Administrators are told; and when it has no active
/// Chair left, so that only an org admin can name one (`policy::check_chair_change`), the
/// organisation's administrators too. The person is not written to (a deactivated mailbox is
/// often closed), nor anyone if the account is active again by the time this runs (it is a job
/// after the commit). Once per deactivation, network and recipient, so a retried job sends no
/// second mail, while deactivated again after a return, the person is reported gone again (the
/// last mail the organisers have says how things stand).
pub(crate) async fn tell_of_organisers_gone(state: &AppState, person: UserId) -> Result<()> {
    let Some(user) = users::by_id(&state.db, person).await? else { return Ok(()) };
    if user.deactivated_at.is_none() {
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    for net in networks::organised_by(&state.db, person).await? {
        let role = net.role.label();
        // How the account ended (closed by themself, by an admin, by an HR import) is not said:
        // it could hint at why someone left.
        let (subject, gone) = if user.is_erased() {
            (
                format!("{} has lost an organiser", net.name),
                format!("The account of the {role} of {} has been closed and its data erased.", net.name),
            )
        } else {
            (
                format!("{} no longer organises {}", net.person, net.name),
                format!(
                    "{}'s Roundtable account is no longer active, so they no longer act as {role} of {}.",
                    net.person, net.name
                ),
            )
        };
        let managers = networks::managers(&state.db, net.network).await?;
        let mut told: Vec<String> = managers.iter().map(|(email, _)| email.clone()).collect();
        let chairless = !managers.iter().any(|(_, r)| *r == Role::Chair);
        let admins = if chairless { users::admins(&state.db).await? } else { Vec::new() };
        for (_, admin) in &admins {
            if !told.contains(admin) {
                told.push(admin.clone());
            }
        }
        // Not the person, who may be active again by now (reactivated as this job ran).
        told.retain(|to| *to != user.email);
        for to in told {
            let mut paragraphs = vec![gone.clone()];
            if chairless {
                // Whom to ask, but never the reader themself.
                let others: Vec<String> = admins
                    .iter()
                    .filter(|(_, email)| *email != to)
                    .map(|(name, email)| format!("{name} ({email})"))
                    .collect();
                let who = match (admins.iter().any(|(_, email)| *email == to), others.is_empty()) {
                    (true, true) => "You, as an organisation administrator, can name one".to_owned(),
                    (true, false) => {
                        format!("You, as an organisation administrator, can name one (as can {})", and_list(&others))
                    }
                    (false, _) => format!("Only an organisation administrator can name one — {} —", and_list(&others)),
                };
                paragraphs.push(format!(
                    "{} now has no active Chair. {who} on its member list: change a member's role to Chair, or invite someone as Chair.",
                    net.name
                ));
            }
            let news = News { kind: "organiser-gone", subject: subject.clone(), paragraphs };
            tell_organisers_about(state, &mut tx, &net, person, vec![to], news, user.deactivated_at).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// What `tell_organisers_about` sends; `kind` keys its limit.
struct News {
    kind: &'static str,
    subject: String,
    paragraphs: Vec<String>,
}

/// Emails `news` about `person`, one of the network's organisers, to each of `to`, pointing at
/// the network's page (which says who organises it, and when no Chair acts, how to name one):
/// once per kind, network, person, recipient and `event` (when the account ended or came back),
/// so a retried job sends nothing twice.
async fn tell_organisers_about(
    state: &AppState,
    tx: &mut Tx,
    net: &networks::Organised,
    person: UserId,
    to: Vec<String>,
    news: News,
    event: Option<DateTime<Utc>>,
) -> Result<()> {
    let now = Utc::now();
    let event = event.unwrap_or(now).timestamp_micros();
    let url = format!("{}/n/{}", state.config.public_url(), net.slug);
    for to in to {
        let mail = Mail {
            to: &to,
            subject: news.subject.clone(),
            paragraphs: news.paragraphs.clone(),
            action: Some(("Open the network", url.clone())),
            reply_to: None,
        };
        let once = format!("{}:{}:{person}:{to}:{event}", news.kind, net.network);
        mail::queue_with_ics(tx, &mail, None, Some(once), now).await?;
    }
    Ok(())
}

/// Queues `tell_of_reactivation` in the transaction that reactivates `person` (an org admin's,
/// or an HR import's), so the mails go once that stands; `tell_person` for an org admin's (an
/// import emails no one in its file: the admin welcomes them when ready).
pub(crate) async fn queue_reactivated(
    tx: &mut Tx,
    person: UserId,
    tell_person: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let payload = serde_json::json!({ "user": person, "tell_person": tell_person, "at": now });
    crate::jobs::enqueue_tx(tx, crate::jobs::Kind::Reactivated, &payload, None, now).await?;
    Ok(())
}

/// Tells `person`, whose account was reactivated (`at`), that they may sign in again (and which
/// roles came back with it) if `tell_person`, and each network they organise (their role stayed
/// on record while their account was deactivated) that they act in it again: its other
/// organisers — perhaps a Chair named in the meantime — learn of a co-organiser back, and can
/// change the role if it is no longer right. A job after the reactivation's commit: nothing if
/// the account is deactivated again by then. Once per reactivation and recipient.
pub(crate) async fn tell_of_reactivation(
    state: &AppState,
    person: UserId,
    tell_person: bool,
    at: Option<DateTime<Utc>>,
) -> Result<()> {
    let Some(user) = users::by_id(&state.db, person).await? else { return Ok(()) };
    if user.deactivated_at.is_some() {
        return Ok(());
    }
    let organised = networks::organised_by(&state.db, person).await?;
    let at = at.unwrap_or_else(Utc::now);
    let mut tx = state.db.begin().await?;
    if tell_person {
        welcome_back(state, &mut tx, &user.email, person, &organised, at).await?;
    }
    let back = user.email;
    for net in organised {
        let role = net.role.label();
        let news = News {
            kind: "organiser-back",
            subject: format!("{} is back as {role} of {}", net.person, net.name),
            paragraphs: vec![format!(
                "{}'s Roundtable account has been reactivated, so they act again as {role} of {}. If that is no longer right, change their role on the member list.",
                net.person, net.name
            )],
        };
        let to =
            networks::managers(&state.db, net.network).await?.into_iter().map(|(to, _)| to).filter(|to| *to != back);
        tell_organisers_about(state, &mut tx, &net, person, to.collect(), news, Some(at)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The mail telling `person` their account is active again (reactivated `at`), naming the roles
/// that came back.
async fn welcome_back(
    state: &AppState,
    tx: &mut Tx,
    to: &str,
    person: UserId,
    organised: &[networks::Organised],
    at: DateTime<Utc>,
) -> Result<()> {
    let mut paragraphs = vec![
        "Your Roundtable account has been reactivated: you can sign in again, and you are back on your networks' member lists and in the directory.".to_owned(),
    ];
    if !organised.is_empty() {
        let roles: Vec<String> = organised.iter().map(|n| format!("{} of {}", n.role.label(), n.name)).collect();
        paragraphs.push(format!("Your roles come back with it: {}.", and_list(&roles)));
    }
    // A charter published while the account was closed stops them at the network's door: say
    // so now, rather than let it surprise them on their first visit back.
    let mut to_accept = Vec::new();
    for m in networks::memberships_of(&state.db, person).await? {
        let (current, accepted) = charters::standing(&state.db, m.network_id, person).await?;
        if m.status == MembershipStatus::Active
            && current.is_some_and(|c| accepted.is_none_or(|a| a < c))
            && let Some(net) = networks::by_id(&state.db, m.network_id).await?
        {
            to_accept.push(net.name);
        }
    }
    match to_accept.as_slice() {
        [] => {}
        [one] => paragraphs.push(format!(
            "While you were away, {one} published a new version of its charter: you will be asked to accept it when you next open the network."
        )),
        many => paragraphs.push(format!(
            "While you were away, {} published new versions of their charters: you will be asked to accept each when you next open the network.",
            and_list(many)
        )),
    }
    paragraphs
        .push("If you do not remember your password, choose “Forgot your password?” on the sign-in page.".to_owned());
    let mail = Mail {
        to,
        subject: "Your Roundtable account is active again".to_owned(),
        paragraphs,
        action: Some(("Sign in", format!("{}/sign-in", state.config.public_url()))),
        reply_to: None,
    };
    let once = format!("reactivated:{person}:{}", at.timestamp_micros());
    mail::queue_with_ics(tx, &mail, None, Some(once), Utc::now()).await?;
    Ok(())
}

fn not_a_member() -> AppError {
    AppError::Conflict(FieldError::new("membership", "You are not a member of this network."))
}

/// What the "leave" confirmation page needs: the network and the actor's standing in it, and
/// why leaving is refused, if it is (the last Chair). Someone with no membership has nothing to
/// leave: not found.
pub async fn leaving(state: &AppState, actor: &Actor, slug: &str) -> Result<(Seen, Option<String>)> {
    let seen = load(state, actor, slug, Capability::SeeNetwork).await?;
    let before = seen.membership.ok_or(AppError::NotFound)?;
    let chairs = networks::other_chairs_now(&state.db, seen.network.id, actor.user_id).await?;
    let refused = refusal(policy::check_chair_change(actor, seen.view(), Some(view(before)), None, chairs))?;
    Ok((seen, refused))
}

/// Who a removal would concern, for its confirmation page.
pub struct Removal {
    pub seen: Seen,
    pub person: Member,
    /// Why the removal is refused, if it is (the last Chair).
    pub refused: Option<String>,
}

/// What the "remove" confirmation page needs (managers only); not found unless the person has
/// a membership (active, requested or invited) in the network.
pub async fn removal(state: &AppState, actor: &Actor, slug: &str, user: UserId) -> Result<Removal> {
    let seen = load(state, actor, slug, Capability::ManageMembers).await?;
    let m = networks::membership(&state.db, seen.network.id, user).await?.ok_or(AppError::NotFound)?;
    let person = users::by_id(&state.db, user).await?.ok_or(AppError::NotFound)?;
    let chairs = networks::other_chairs_now(&state.db, seen.network.id, user).await?;
    let refused = refusal(policy::check_chair_change(actor, seen.view(), Some(view(m)), None, chairs))?;
    let person = Member {
        user_id: person.id,
        name: person.name,
        email: person.email,
        role: m.role,
        status: m.status,
        since: m.since,
    };
    Ok(Removal { seen, person, refused })
}

fn view(m: Membership) -> MembershipView {
    MembershipView { role: m.role, status: m.status }
}

/// A policy refusal as the message a confirmation page shows instead of its button.
fn refusal(checked: std::result::Result<(), roundtable_domain::Error>) -> Result<Option<String>> {
    match checked {
        Ok(()) => Ok(None),
        Err(roundtable_domain::Error::Forbidden(m)) => Ok(Some(m.to_owned())),
        Err(roundtable_domain::Error::Conflict(f)) => Ok(Some(f.message)),
        Err(e) => Err(e.into()),
    }
}

/// The Chair rules (`policy::check_chair_change`) inside a transaction that has locked the
/// network (`networks::lock`): the actor's own membership and the Chair count are read there,
/// so two Chairs demoting each other at once cannot leave the network without one.
async fn check_chairs(
    tx: &mut Tx,
    actor: &Actor,
    seen: &Seen,
    before: Option<Membership>,
    after: Option<MembershipView>,
) -> Result<()> {
    let acting = networks::membership_in(tx, seen.network.id, actor.user_id).await?.map(view);
    // Without a membership before, the person concerned loses no Chair: any count will do.
    let person = before.map_or(actor.user_id, |m| m.user_id);
    let chairs = networks::other_chairs(tx, seen.network.id, person).await?;
    policy::check_chair_change(actor, acting, before.map(view), after, chairs)?;
    Ok(())
}

/// One page of the member list (members, sponsors and org admins only).
pub async fn members(state: &AppState, actor: &Actor, slug: &str, q: &str, page: Page) -> Result<(Seen, MemberPage)> {
    let snapshot = state.snapshot().await?;
    let seen = load_in(&snapshot, actor, slug, Capability::ReadMembers)?;
    let q: String = q.chars().take(100).collect();
    let (limit, offset) = (usize::try_from(page.limit()).unwrap_or(0), usize::try_from(page.offset()).unwrap_or(0));
    // Only org admins see everyone's address (the people pages); a network's organisers see
    // those of people asking to join, not of its members.
    let by_email = actor.is_org_admin;
    let list = snapshot.members(seen.network.id, &q, by_email, limit, offset);
    Ok((seen, list))
}

/// What waits for a network's organisers: requests to join, invitations to people with an
/// account (not yet accepted), and open invitations to addresses without one yet.
#[derive(Debug, Default)]
pub struct Pending {
    pub requests: Vec<Member>,
    /// How many requests wait in all: more than are listed past `PENDING_LISTED`.
    pub requests_waiting: usize,
    /// What those asking told the organisers, for the requests that carry a note.
    pub notes: std::collections::HashMap<UserId, String>,
    pub invited: Vec<Member>,
    pub invited_waiting: usize,
    /// Only while their link works; then, in `ran_out`, for `links::KEEP_RAN_OUT_DAYS`.
    pub open: Vec<links::OpenInvite>,
    /// Invitations to addresses without an account whose link ran out unanswered, to send again.
    pub ran_out: Vec<links::OpenInvite>,
}

/// At most this many requests to join, and as many invitations, are listed at once.
pub const PENDING_LISTED: usize = 200;

/// Pending requests and invitations, for the people who manage members; nothing for anyone
/// else (the member list shows them no such section).
pub async fn pending(state: &AppState, actor: &Actor, seen: &Seen) -> Result<Pending> {
    if !seen.can(actor, Capability::ManageMembers) {
        return Ok(Pending::default());
    }
    let snapshot = state.snapshot().await?;
    // A page, not an archive: those who have waited longest, so deciding the list brings the
    // next ones up in turn (listed newest first, like a shorter list).
    let listed = |status| {
        let mut all = snapshot.pending(seen.network.id, status);
        let waiting = all.len();
        all.drain(..waiting.saturating_sub(PENDING_LISTED));
        (all, waiting)
    };
    let ((requests, requests_waiting), (invited, invited_waiting)) =
        (listed(MembershipStatus::Requested), listed(MembershipStatus::Invited));
    let now = Utc::now();
    let open = links::open_invites_for_network(&state.db, seen.network.id, now).await?;
    let ran_out = links::ran_out_invites_for_network(&state.db, seen.network.id, now).await?;
    let notes = if requests.is_empty() {
        Default::default()
    } else {
        networks::request_notes(&state.db, seen.network.id).await?.into_iter().collect()
    };
    Ok(Pending { requests, requests_waiting, notes, invited, invited_waiting, open, ran_out })
}

/// `pending` by the network's slug, refusing whoever may not manage its members: an API client
/// asking with the wrong token learns so, where the page simply leaves the section out.
pub async fn pending_in(state: &AppState, actor: &Actor, slug: &str) -> Result<Pending> {
    let seen = load(state, actor, slug, Capability::ManageMembers).await?;
    pending(state, actor, &seen).await
}

/// What deciding several requests at once came to.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Decided {
    pub done: usize,
    /// Decided by another organiser meanwhile, withdrawn, or no such person.
    pub skipped: usize,
}

/// At most this many requests in one go: more than a page lists (`pending`).
pub(crate) const DECIDE_AT_ONCE: usize = 500;

/// Approves or declines each of `users`' requests as `decide` does one — each person told,
/// each decision audited — skipping (and counting) those already decided or withdrawn.
pub async fn decide_many(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    users: &[UserId],
    approve: bool,
) -> Result<Decided> {
    load(state, actor, slug, Capability::ManageMembers).await?;
    if users.is_empty() {
        return Err(FieldError::new(
            "request",
            "Tick the requests to decide first, or use the buttons on a request's row.",
        )
        .into());
    }
    if users.len() > DECIDE_AT_ONCE {
        return Err(FieldError::new("request", format!("Decide at most {DECIDE_AT_ONCE} requests at once.")).into());
    }
    let mut unique = users.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let mut decided = Decided::default();
    for user in unique {
        match decide(state, actor, actor_name, slug, user, approve).await {
            Ok(()) => decided.done += 1,
            Err(AppError::Conflict(_) | AppError::NotFound) => decided.skipped += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(decided)
}

/// Approves or declines a request to join, and tells the person by email.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    user: UserId,
    approve: bool,
) -> Result<()> {
    let seen = load(state, actor, slug, Capability::ManageMembers).await?;
    let person = users::by_id(&state.db, user).await?.ok_or(AppError::NotFound)?;
    if approve && person.deactivated_at.is_some() {
        return Err(AppError::Conflict(FieldError::new(
            "request",
            format!("{}'s account has been deactivated since they asked, so they cannot join.", person.name),
        )));
    }
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    // Two organisers deciding at once take turns: a decline must not remove someone another
    // organiser has just approved.
    networks::lock(&mut tx, seen.network.id).await?;
    let changed = if approve {
        networks::transition(&mut tx, seen.network.id, user, MembershipStatus::Requested, MembershipStatus::Active, now)
            .await?
    } else {
        let pending = networks::membership_in(&mut tx, seen.network.id, user)
            .await?
            .is_some_and(|m| m.status == MembershipStatus::Requested);
        let declined = pending && networks::delete_membership(&mut tx, seen.network.id, user).await?;
        if declined {
            networks::cancel_invitations(&mut tx, seen.network.id, &person.email, Utc::now()).await?;
        }
        declined
    };
    if !changed {
        // Most often another organiser was quicker, or the person withdrew: say which.
        drop(tx);
        let status = networks::membership(&state.db, seen.network.id, user).await?.map(|m| m.status);
        let message = match status {
            Some(MembershipStatus::Active) => format!("{} is already a member.", person.name),
            Some(MembershipStatus::Invited) => {
                format!("{} is invited, not asking to join: they accept the invitation themselves.", person.name)
            }
            _ => format!(
                "{} is not asking to join: there is no request to decide (it may have been declined or withdrawn).",
                person.name
            ),
        };
        return Err(AppError::Conflict(FieldError::new("request", message)));
    }
    let (action, mut paragraphs) = if approve {
        ("membership.approved", vec![format!("Your request to join {} was approved. Welcome!", seen.network.name)])
    } else {
        ("membership.declined", vec![not_approved(&seen.network)])
    };
    if approve {
        paragraphs.extend(what_waits(state, seen.network.id, user).await?);
    }
    record(&mut tx, actor, actor_name, action, &seen, &person.email, "").await?;
    // Declining a deactivated account's request tells no one: no one reads that mailbox.
    if person.deactivated_at.is_none() {
        let outcome = if approve { "Approved" } else { "Not approved" };
        let subject = format!("{outcome}: your request to join {}", seen.network.name);
        let open = approve.then(|| ("Open the network", network_url(state, &seen.network)));
        // "You can ask one of its organisers why": a reply does.
        let reply_to = mail::reply_address(&state.db, actor.user_id).await?;
        mail::queue(
            &mut tx,
            &Mail { to: &person.email, subject, paragraphs, action: open, reply_to: reply_to.as_deref() },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What waits for a newly approved member on the network's page, for their welcome email: a
/// charter version to accept (one published since they asked), and the first steps of the
/// checklist.
async fn what_waits(state: &AppState, network: roundtable_domain::NetworkId, user: UserId) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let (current, accepted) = charters::standing(&state.db, network, user).await?;
    match (current, accepted) {
        (Some(_), None) => out.push(
            "It has a charter since you asked: you will be asked to read and accept it when you open the network."
                .to_owned(),
        ),
        (Some(c), Some(a)) if a < c => out.push(
            "Its charter has a new version since you asked: you will be asked to read and accept it when you open the network."
                .to_owned(),
        ),
        _ => {}
    }
    match roundtable_store::onboarding::steps(&state.db, network).await?.len() {
        0 => {}
        1 => out.push("A first step for newcomers waits for you on the network's page.".to_owned()),
        n => out.push(format!("{n} first steps for newcomers wait for you on the network's page.")),
    }
    Ok(out)
}

/// Invites someone by email to the network (with a role if they already have an account).
pub async fn invite(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    email: &str,
    role: &str,
) -> Result<()> {
    let seen = load(state, actor, slug, Capability::ManageMembers).await?;
    let mut errs = Vec::new();
    let email = Email::parse(email).map_err(|e| errs.push(e)).ok();
    let role = parse_role(role).map_err(|e| errs.push(e)).ok();
    let (Some(email), Some(role)) = (email, role) else { return Err(AppError::Invalid(errs)) };
    refuse_mistyped(state, &email, "email").await?;
    let existing = users::by_email(&state.db, email.as_str()).await?;
    if existing.is_none() {
        refuse_outside(state, actor, &email).await?;
    }
    // They could not sign in to accept, and no list would show the invitation.
    if existing.as_ref().is_some_and(|u| u.deactivated_at.is_some()) {
        return Err(AppError::Conflict(FieldError::new(
            "email",
            "This person's account is deactivated, so they cannot accept. An org admin can reactivate it first.",
        )));
    }
    if let Some(u) = &existing {
        match networks::membership(&state.db, seen.network.id, u.id).await?.map(|m| m.status) {
            Some(MembershipStatus::Active) => {
                return Err(AppError::Conflict(FieldError::new("email", "This person is already a member.")));
            }
            // An invitation would make them accept what they asked for: approving lets them in.
            Some(MembershipStatus::Requested) => {
                return Err(AppError::Conflict(FieldError::new(
                    "email",
                    format!(
                        "{} has asked to join already: approve their request under “Requests to join” on the members page instead.",
                        u.name
                    ),
                )));
            }
            _ => {}
        }
    }
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let before = match &existing {
        Some(u) => networks::membership_in(&mut tx, seen.network.id, u.id).await?,
        None => None,
    };
    // Inviting someone as Chair gives the role: the Chair rules apply.
    check_chairs(&mut tx, actor, &seen, before, Some(MembershipView { role, status: MembershipStatus::Invited }))
        .await?;
    send_invitation(&mut tx, state, actor, actor_name, &seen, &email, existing.as_ref(), role, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Sends one invitation inside `tx`, the checks on who may be invited done: the daily limit per
/// address, the link (replacing an earlier one), an account's membership marked invited, the
/// audit entry and the email.
#[allow(clippy::too_many_arguments)]
async fn send_invitation(
    tx: &mut Tx,
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    seen: &Seen,
    email: &Email,
    existing: Option<&users::User>,
    role: Role,
    now: DateTime<Utc>,
) -> Result<()> {
    // Questions about the invitation reach the organiser who sent it.
    let reply_to = mail::reply_address(&state.db, actor.user_id).await?;
    let token = random_token();
    // Inviting again replaces the earlier link (one live invitation per address and network).
    check_invitations_today(tx, email, now).await?;
    networks::cancel_invitations(tx, seen.network.id, email.as_str(), now).await?;
    links::insert(
        tx,
        &NewLink {
            token_hash: &token_hash(&token),
            purpose: Purpose::Invite,
            email: email.as_str(),
            user_id: existing.map(|u| u.id),
            network_id: Some(seen.network.id),
            created_by: Some(actor.user_id),
            role,
            expires_at: now + Duration::days(links::INVITATION_DAYS),
        },
        now,
    )
    .await?;
    if let Some(u) = existing {
        networks::upsert_membership(tx, seen.network.id, u.id, role, MembershipStatus::Invited, now).await?;
    }
    record(tx, actor, actor_name, "membership.invited", seen, email.as_str(), role.as_str()).await?;
    // Someone new to Roundtable learns whose it is: "a network of Example Ltd".
    let org = roundtable_store::org::get(&state.db).await?.map(|o| o.name);
    let of_org = org.as_deref().map_or(String::new(), |o| format!(", a network of {o}"));
    mail::queue(
        tx,
        &Mail {
            to: email.as_str(),
            subject: format!("{actor_name} invites you to {}", seen.network.name),
            paragraphs: vec![
                match role {
                    Role::Member => {
                        format!("{actor_name} invites you to join {}{of_org} on Roundtable.", seen.network.name)
                    }
                    _ => format!(
                        "{actor_name} invites you to join {} as its {}. It is {} on Roundtable.",
                        seen.network.name,
                        role.label(),
                        org.as_deref().map_or("a network".to_owned(), |o| format!("a network of {o}"))
                    ),
                },
                if role == Role::Chair {
                    "As its Chair you run it: who joins and in which role, its charter, its events and how newcomers settle in.".into()
                } else {
                    String::new()
                },
                if seen.network.description.is_empty() { String::new() } else { seen.network.description.clone() },
                "The invitation link works for 14 days.".into(),
            ]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect(),
            action: Some(("Accept the invitation", format!("{}/invitations/{token}", state.config.public_url()))),
            reply_to: reply_to.as_deref(),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Invitations (to any network, or to the organisation) one address may get in 24 hours.
pub const INVITES_PER_DAY: i64 = 5;

/// Refuses another invitation to an address that had `INVITES_PER_DAY` in the last 24 hours —
/// the invite forms must not become a way to flood an inbox with the organisation's mail —
/// counted under the organisation's lock, so two sent at once cannot both pass. Ended links
/// count too (they are kept until a day after they end).
pub(crate) async fn check_invitations_today(tx: &mut Tx, email: &Email, now: DateTime<Utc>) -> Result<()> {
    roundtable_store::org::lock(tx).await?;
    let today = now - Duration::hours(24);
    if links::count_sent_since(tx, Purpose::Invite, email.as_str(), today).await? >= INVITES_PER_DAY {
        let msg = format!(
            "{} has had {INVITES_PER_DAY} invitations in the last 24 hours. Try again tomorrow.",
            email.as_str()
        );
        return Err(AppError::Conflict(FieldError::new("email", msg)));
    }
    Ok(())
}

/// How many addresses one invitation form or request may hold.
pub const MAX_INVITATIONS: usize = 200;

/// What inviting a pasted list did: who was sent an invitation, and who was not, with why
/// (already a member, a deactivated account, too many invitations today).
#[derive(Debug, Default)]
pub struct Invitations {
    pub sent: Vec<String>,
    pub not_sent: Vec<(String, String)>,
}

/// The organisation's own domain `domain` is one slip away from, if it is not one of them (or
/// under one) itself: "exmaple.org" for "example.org" (a letter wrong, missing, added or two
/// swapped in the name before the ending; two in a long name), or "example.ogr" (the same name,
/// an ending of three letters or more with one slip). Another ending is another domain, not a
/// slip: "kpmg.ca" or "kpmg.co" beside "kpmg.com" (two-letter endings are countries), as is a
/// subdomain such as "uk.example.org".
fn meant_domain<'a>(domain: &str, own: &'a [String]) -> Option<&'a str> {
    if own.iter().any(|d| inside(domain, d)) {
        return None;
    }
    fn split(d: &str) -> (&str, &str) {
        d.rsplit_once('.').unwrap_or((d, ""))
    }
    let (name, ending) = split(domain);
    own.iter()
        .filter_map(|d| {
            let (own_name, own_ending) = split(d);
            let slips = if ending == own_ending {
                strsim::osa_distance(name, own_name)
            } else if name == own_name && ending.len() >= 3 && ending.len() == own_ending.len() {
                strsim::osa_distance(ending, own_ending)
            } else {
                return None;
            };
            let allowed = if own_name.len() >= 6 { 2 } else { 1 };
            (slips <= allowed).then_some((slips, d.as_str()))
        })
        .min_by_key(|&(slips, _)| slips)
        .map(|(_, d)| d)
}

/// Whoever accepts an invitation gets an account of the organisation, and with it its directory:
/// with the organisation's domains set, an address outside them (with no account yet) is invited
/// only by an org admin's decision, not a network organiser's.
async fn refuse_outside(state: &AppState, actor: &Actor, email: &Email) -> Result<()> {
    if actor.is_org_admin {
        return Ok(());
    }
    let own = roundtable_store::org::domains(&state.db).await?;
    if own.is_empty() || own.iter().any(|d| inside(email.domain(), d)) {
        return Ok(());
    }
    let endings: Vec<String> = own.iter().map(|d| format!("@{d}")).collect();
    Err(AppError::Conflict(FieldError::new(
        "email",
        format!(
            "{email} is not an address of the organisation (which ends in {}). Only an organisation administrator can invite someone from outside: ask one.",
            endings.join(" or ")
        ),
    )))
}

/// `domain` is `own` or a subdomain of it ("uk.example.org" under "example.org").
fn inside(domain: &str, own: &str) -> bool {
    domain == own || domain.strip_suffix(own).is_some_and(|rest| rest.ends_with('.'))
}

/// The addresses among `emails` that look mistyped — no account has them and their domain is one
/// slip from the organisation's own (`meant_domain`) — each with the address meant. An invitation
/// to one would tell a stranger's domain the network's and the organisation's names.
async fn mistyped(state: &AppState, emails: &[&Email]) -> Result<Vec<(String, String)>> {
    let own = roundtable_store::org::domains(&state.db).await?;
    let mut out = Vec::new();
    for email in emails {
        if let Some(meant) = meant_domain(email.domain(), &own)
            && users::by_email(&state.db, email.as_str()).await?.is_none()
        {
            let local = email.as_str().split_once('@').map_or("", |(l, _)| l);
            out.push((email.as_str().to_owned(), format!("{local}@{meant}")));
        }
    }
    Ok(out)
}

/// The address meant by one typed (as a form gives it: `Ann <ann@exmaple.org>` too) one slip
/// from the organisation's own domain, as `refuse_mistyped` names it — for a page to offer it.
pub async fn meant_address(state: &AppState, raw: &str) -> Result<Option<String>> {
    let Ok(email) = Email::parse(&one_address(raw)) else { return Ok(None) };
    Ok(mistyped(state, &[&email]).await?.pop().map(|(_, meant)| meant))
}

/// `mistyped` for one address, as a refusal on `field`.
pub(crate) async fn refuse_mistyped(state: &AppState, email: &Email, field: &'static str) -> Result<()> {
    match mistyped(state, &[email]).await?.pop() {
        None => Ok(()),
        Some((typed, meant)) => Err(AppError::Invalid(vec![FieldError::new(
            field,
            format!(
                "Did you mean {meant}? {typed} is one letter or two away from the organisation's own address, so nothing was sent."
            ),
        )])),
    }
}

/// The addresses in what an organiser pasted, in order: separated by new lines, commas,
/// semicolons or spaces — or as Outlook, Teams and Gmail copy them ("Lee, Ann <ann@example.org>;
/// Bo <bo@example.org>", "\"Lee, Ann\" <ann@example.org>, bo@example.org"), where a display
/// name counts for nothing and the address in angle brackets for everything. A list may mix the
/// two: every bare entry is taken too, so one that is not an address is reported, not dropped.
pub fn pasted_addresses(raw: &str) -> Vec<String> {
    // Quoted display names ("Lee, Ann") hold separators of their own: out of the way first.
    let mut unquoted = String::with_capacity(raw.len());
    for (i, part) in raw.split('"').enumerate() {
        unquoted.push_str(if i % 2 == 0 { part } else { " " });
    }
    let mut out = Vec::new();
    for entry in unquoted.split(['\n', '\r', ';']) {
        let pieces: Vec<&str> = entry.split(',').collect();
        let mut i = 0;
        while i < pieces.len() {
            // "Lee, Ann <ann@example.org>": a piece without an address before one with angle
            // brackets is the first part of a display name.
            let (piece, next) = (pieces[i], pieces.get(i + 1));
            if !piece.contains(['@', '<']) && next.is_some_and(|n| n.contains('<')) {
                i += 1;
                continue;
            }
            if !piece.contains('<') {
                out.extend(piece.split_whitespace().map(str::to_owned));
            } else {
                // "Name <address>", perhaps beside bare addresses ("ann@x.org Bo <bo@x.org>"):
                // each address in brackets, and each word around them that is one; the other
                // words are the display names.
                let bare = |out: &mut Vec<String>, text: &str| {
                    out.extend(text.split_whitespace().filter(|w| w.contains('@')).map(str::to_owned));
                };
                let mut rest = piece;
                while let Some((before, after)) = rest.split_once('<') {
                    bare(&mut out, before);
                    let (address, tail) = after.split_once('>').unwrap_or((after, ""));
                    out.push(address.to_owned());
                    rest = tail;
                }
                bare(&mut out, rest);
            }
            i += 1;
        }
    }
    out.into_iter().map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()).collect()
}

/// The address in a box for one, written as a mail program copies it too (`Ann Lee
/// <ann@example.org>`); anything else as typed, for `Email::parse` to say what is wrong.
pub fn one_address(raw: &str) -> String {
    match pasted_addresses(raw).as_slice() {
        [one] => one.clone(),
        _ => raw.to_owned(),
    }
}

/// Invites every address of a list (`pasted_addresses` reads one from a form) with one role.
/// An entry that is not an email address refuses the whole list, and nothing is sent; each
/// address is then invited as `invite` does, and one that cannot be (`invite`'s conflicts) is
/// listed with the reason while the others go.
pub async fn invite_many(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    addresses: Vec<String>,
    role: &str,
) -> Result<Invitations> {
    load(state, actor, slug, Capability::ManageMembers).await?;
    // Each address once, however it was written; blank entries are no addresses.
    let mut addresses = addresses;
    let mut seen = std::collections::HashSet::new();
    addresses.retain(|a| !a.trim().is_empty() && seen.insert(a.trim().to_lowercase()));
    let refuse = |m: String| Err(AppError::Invalid(vec![FieldError::new("email", m)]));
    if addresses.is_empty() {
        return refuse("Enter one or more email addresses.".into());
    }
    if addresses.len() > MAX_INVITATIONS {
        return refuse(format!(
            "That is {} addresses; up to {MAX_INVITATIONS} can be invited at a time. Send the rest in a second go.",
            addresses.len()
        ));
    }
    let bad: Vec<&str> = addresses.iter().filter(|a| Email::parse(a).is_err()).map(String::as_str).collect();
    if !bad.is_empty() {
        return refuse(format!(
            "Not an email address: {}. Correct the list and send it again; no invitation was sent.",
            bad.join(", ")
        ));
    }
    let parsed: Vec<Email> = addresses.iter().filter_map(|a| Email::parse(a).ok()).collect();
    let slips = mistyped(state, &parsed.iter().collect::<Vec<_>>()).await?;
    if !slips.is_empty() {
        let listed: Vec<String> =
            slips.iter().map(|(typed, meant)| format!("{typed} (did you mean {meant}?)")).collect();
        // Said at once, so the corrected list is not refused again for another reason.
        let mut outside = Vec::new();
        for e in parsed.iter().filter(|e| !slips.iter().any(|(typed, _)| typed == e.as_str())) {
            if users::by_email(&state.db, e.as_str()).await?.is_none() && refuse_outside(state, actor, e).await.is_err()
            {
                outside.push(e.as_str());
            }
        }
        let also = if outside.is_empty() {
            String::new()
        } else {
            format!(
                " Outside the organisation, and so for an organisation administrator to invite: {}.",
                outside.join(", ")
            )
        };
        return refuse(format!(
            "These look mistyped, one letter or two away from the organisation's own address: {}. Correct the list and send it again; no invitation was sent.{also}",
            listed.join(", ")
        ));
    }
    parse_role(role).map_err(|e| AppError::Invalid(vec![e]))?;
    let mut out = Invitations::default();
    for address in addresses {
        // As stored (lower case), as the invitations list them.
        let address = Email::parse(&address).map_or(address, |e| e.as_str().to_owned());
        match invite(state, actor, actor_name, slug, &address, role).await {
            Ok(()) => out.sent.push(address),
            Err(AppError::Conflict(why)) => out.not_sent.push((address, why.message)),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// A role as a form or an API client names it. The pages offer a list, so only a client that
/// typed it (or a tampered form) is refused, and told the names there are.
fn parse_role(raw: &str) -> std::result::Result<Role, FieldError> {
    Role::parse(raw).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        FieldError::new("role", format!("There is no role “{raw}” in a network: use one of {}.", names.join(", ")))
    })
}

/// Changes an active member's role. Only a Chair or an org admin gives or takes away the Chair
/// role, and the last Chair keeps it unless an org admin changes it (`policy::check_chair_change`).
pub async fn set_role(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    user: UserId,
    role: &str,
) -> Result<bool> {
    let seen = load(state, actor, slug, Capability::ManageMembers).await?;
    let role = parse_role(role)?;
    let person = users::by_id(&state.db, user).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    networks::lock(&mut tx, seen.network.id).await?;
    let before = networks::membership_in(&mut tx, seen.network.id, user)
        .await?
        .filter(|m| m.status == MembershipStatus::Active)
        .ok_or(AppError::NotFound)?;
    if before.role == role {
        return Ok(false); // nothing to change, nothing to audit
    }
    check_chairs(&mut tx, actor, &seen, Some(before), Some(MembershipView { role, status: MembershipStatus::Active }))
        .await?;
    if !networks::set_role(&mut tx, seen.network.id, user, role, Utc::now()).await? {
        return Err(AppError::NotFound);
    }
    // Both roles: "member" alone would not say that a Chair was demoted.
    let detail = format!("{} → {}", before.role.as_str(), role.as_str());
    record(&mut tx, actor, actor_name, "membership.role_changed", &seen, &person.email, &detail).await?;
    if person.deactivated_at.is_none() && user != actor.user_id {
        let as_role = |r: Role| match r {
            Role::Member => "a member".to_owned(),
            r => format!("its {}", r.label()),
        };
        let text = format!(
            "{actor_name} has changed your role in {}: you are now {} (you were {}).",
            seen.network.name,
            as_role(role),
            as_role(before.role)
        );
        let subject = format!("Your role in {}", seen.network.name);
        tell_member(state, &mut tx, actor, &person.email, subject, text, Some(&seen.network)).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Emails a member about what an organiser did to their membership, replies going to that
/// organiser; with a link to the network when they can still open it.
async fn tell_member(
    state: &AppState,
    tx: &mut Tx,
    actor: &Actor,
    to: &str,
    subject: String,
    text: String,
    link: Option<&Network>,
) -> Result<()> {
    let reply_to = mail::reply_address(&state.db, actor.user_id).await?;
    let action = link.map(|n| ("Open the network", network_url(state, n)));
    let m = Mail { to, subject, paragraphs: vec![text], action, reply_to: reply_to.as_deref() };
    mail::queue(tx, &m, Utc::now()).await?;
    Ok(())
}

/// Removes someone from the network (a member, a pending request or an invitation), and
/// cancels the network's open invitation links to their address. The Chair rules apply.
pub async fn remove(state: &AppState, actor: &Actor, actor_name: &str, slug: &str, user: UserId) -> Result<()> {
    let seen = load(state, actor, slug, Capability::ManageMembers).await?;
    let person = users::by_id(&state.db, user).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    networks::lock(&mut tx, seen.network.id).await?;
    let before = networks::membership_in(&mut tx, seen.network.id, user).await?.ok_or(AppError::NotFound)?;
    check_chairs(&mut tx, actor, &seen, Some(before), None).await?;
    let pairings = crate::onboarding::buddies::pairings_of(state, &seen, user).await?;
    if !networks::delete_membership(&mut tx, seen.network.id, user).await? {
        return Err(AppError::NotFound);
    }
    networks::cancel_invitations(&mut tx, seen.network.id, &person.email, Utc::now()).await?;
    roundtable_store::buddies::end_all_in(&mut tx, seen.network.id, user, Utc::now()).await?;
    record(&mut tx, actor, actor_name, "membership.removed", &seen, &person.email, "").await?;
    // A member is told they are out (their pages and events are gone); someone asking to join
    // is told their request was not approved. A withdrawn invitation tells no one.
    let told = match before.status {
        MembershipStatus::Active => Some(format!(
            "{actor_name} has removed you from {}. Its members-only pages and events are no longer open to you. If you think this is a mistake, reply to this email.",
            seen.network.name
        )),
        MembershipStatus::Requested => Some(not_approved(&seen.network)),
        MembershipStatus::Invited => None,
    };
    if let Some(text) = told.filter(|_| person.deactivated_at.is_none() && user != actor.user_id) {
        let subject = format!("Your membership of {}", seen.network.name);
        tell_member(state, &mut tx, actor, &person.email, subject, text, None).await?;
    }
    crate::onboarding::buddies::tell_pairings_ended(state, &mut tx, &seen, &person.name, pairings).await?;
    let why = GivenUp::Removed;
    crate::events::queue_giving_up(&mut tx, user, Some(seen.network.id), why, Utc::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraws the invitations to `email`: the network's open invitation links for that address
/// stop working, and an invited (not yet accepted) membership goes away. An active member is
/// untouched (that is `remove`). True if there was something to withdraw; audited then.
pub async fn withdraw_invitation(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    email: &str,
) -> Result<bool> {
    let seen = load(state, actor, slug, Capability::ManageMembers).await?;
    // The address comes from the member list's own form: one that does not parse was never
    // invited.
    let email = Email::parse(email).map_err(|_| AppError::NotFound)?;
    let person = users::by_email(&state.db, email.as_str()).await?;
    let mut tx = state.db.begin().await?;
    // The network row first, as every other membership change takes it: taking the links' rows
    // before it could deadlock against a concurrent removal on PostgreSQL.
    networks::lock(&mut tx, seen.network.id).await?;
    let mut withdrawn = networks::cancel_invitations(&mut tx, seen.network.id, email.as_str(), Utc::now()).await? > 0;
    if let Some(p) = &person
        && let Some(before) = networks::membership_in(&mut tx, seen.network.id, p.id)
            .await?
            .filter(|m| m.status == MembershipStatus::Invited)
    {
        check_chairs(&mut tx, actor, &seen, Some(before), None).await?;
        withdrawn |= networks::delete_membership(&mut tx, seen.network.id, p.id).await?;
    }
    if !withdrawn {
        return Ok(false);
    }
    record(&mut tx, actor, actor_name, "membership.invitation_withdrawn", &seen, email.as_str(), "").await?;
    tx.commit().await?;
    Ok(true)
}

/// The signed-in person's networks and pending invitations, for the home page.
pub async fn mine(state: &AppState, actor: &Actor) -> Result<Vec<Seen>> {
    Ok(list(state, actor).await?.into_iter().filter(|s| s.membership.is_some()).collect())
}

/// Something waiting for a member (the home page lists them).
pub enum ToDo {
    /// Their profile has no job title or department: colleagues cannot tell who they are, and
    /// the directory's filters cannot find them.
    Profile,
    /// A charter (first or new version) to read and accept before using the network.
    Charter(Seen),
    /// First steps of the welcome checklist: (done, of).
    FirstSteps(Seen, usize, usize),
    /// For those who manage its members: requests to join waiting for a decision.
    Requests(Seen, usize),
    /// For its organisers: newcomers stuck on their first steps (`onboarding::progress`).
    Stuck(Seen, usize),
}

/// What waits for the actor in the networks they are an active member of (`mine`).
pub async fn to_do(state: &AppState, actor: &Actor, mine: &[Seen]) -> Result<Vec<ToDo>> {
    let snapshot = state.snapshot().await?;
    let mut out = Vec::new();
    let profile = roundtable_store::profiles::get(&state.db, actor.user_id).await?;
    if profile.is_some_and(|p| !crate::onboarding::profile_filled(&p)) {
        out.push(ToDo::Profile);
    }
    for seen in mine.iter().filter(|s| s.status() == Some(MembershipStatus::Active)) {
        let (current, accepted) = snapshot.charter_standing(seen.network.id, actor.user_id);
        if current.is_some() && accepted < current {
            out.push(ToDo::Charter(seen.clone()));
            continue;
        }
        let steps = crate::onboarding::mine(state, actor, seen).await?;
        let done = steps.iter().filter(|s| s.done).count();
        if done < steps.len() {
            out.push(ToDo::FirstSteps(seen.clone(), done, steps.len()));
        }
    }
    // What waits for the organisers, after what is the person's own.
    for seen in mine.iter().filter(|s| s.status() == Some(MembershipStatus::Active)) {
        if seen.can(actor, Capability::ManageMembers) {
            let waiting = snapshot.pending(seen.network.id, MembershipStatus::Requested).len();
            if waiting > 0 {
                out.push(ToDo::Requests(seen.clone(), waiting));
            }
        }
        if seen.can(actor, Capability::Organise) {
            let progress = crate::onboarding::progress(state, actor, &seen.network.slug).await?;
            // An org admin who is a Member here may be a newcomer too: their own steps are above.
            let stuck = progress.newcomers.iter().filter(|p| p.stuck && p.user_id != actor.user_id).count();
            if stuck > 0 {
                out.push(ToDo::Stuck(seen.clone(), stuck));
            }
        }
    }
    // An org admin decides where no Chair or Administrator acts (the requests' email goes to
    // them then), whether or not they belong to the network.
    if actor.is_org_admin {
        let listed: std::collections::HashSet<_> = out
            .iter()
            .filter_map(|t| match t {
                ToDo::Requests(s, _) => Some(s.network.id),
                _ => None,
            })
            .collect();
        for seen in list_in(&snapshot, actor) {
            let waiting = snapshot.pending(seen.network.id, MembershipStatus::Requested).len();
            let unmanaged = || {
                !snapshot
                    .organisers(seen.network.id)
                    .iter()
                    .any(|o| matches!(o.role, Role::Chair | Role::Administrator))
            };
            if waiting > 0 && !listed.contains(&seen.network.id) && unmanaged() {
                out.push(ToDo::Requests(seen, waiting));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod pasted_tests {
    use super::{meant_domain, pasted_addresses};

    #[test]
    fn a_domain_one_slip_from_the_organisations_is_taken_for_it() {
        let own = vec!["example.org".to_owned(), "acme.io".to_owned(), "kpmg.com".to_owned()];
        for typed in ["exmaple.org", "example.ogr", "examplee.org", "exampl.org", "exnmple.org", "example.orh"] {
            assert_eq!(meant_domain(typed, &own), Some("example.org"), "{typed}");
        }
        assert_eq!(meant_domain("acne.io", &own), Some("acme.io"));
        assert_eq!(meant_domain("kpgm.com", &own), Some("kpmg.com"));
        assert_eq!(meant_domain("kpmg.con", &own), Some("kpmg.com"));
        // Its own domains and subdomains, other endings (countries), and short names two letters
        // off are not slips.
        for other in [
            "example.org",
            "uk.example.org",
            "example.com",
            "exnmple.ogr",
            "kpmg.ca",
            "kpmg.co",
            "kpmg.cz",
            "kpmg.de",
            "acne.com",
            "bcne.io",
            "partner.net",
        ] {
            assert_eq!(meant_domain(other, &own), None, "{other}");
        }
        assert_eq!(meant_domain("exmaple.org", &[]), None, "no domains set: nothing to compare");
    }

    #[test]
    fn lists_as_mail_programs_copy_them_and_typed_ones_give_every_address() {
        let outlook = "Lee, Ann <ann@x.org>; Bo Brown <bo@x.org>;\r\nCy <cy@x.org>";
        assert_eq!(pasted_addresses(outlook), ["ann@x.org", "bo@x.org", "cy@x.org"]);
        let gmail = "\"Lee, Ann\" <ann@x.org>, bo@x.org, Cy Chen <cy@x.org>";
        assert_eq!(pasted_addresses(gmail), ["ann@x.org", "bo@x.org", "cy@x.org"]);
        let mixed = "Person Nineteen <p19@x.org>; new.three@x.org; new.four@x.org";
        assert_eq!(pasted_addresses(mixed), ["p19@x.org", "new.three@x.org", "new.four@x.org"]);
        let typed = "ann@x.org, bo@x.org\ncy@x.org dee@x.org;;not-an-address";
        assert_eq!(pasted_addresses(typed), ["ann@x.org", "bo@x.org", "cy@x.org", "dee@x.org", "not-an-address"]);
        assert_eq!(pasted_addresses("Ann <ann@x.org>, oops, bo@x.org"), ["ann@x.org", "oops", "bo@x.org"]);
        // A box for one address reads it as mail programs copy it, else leaves it as typed.
        assert_eq!(super::one_address("\"Lee, Ann\" <ann@x.org>"), "ann@x.org");
        assert_eq!(super::one_address("Ann Lee <ann@x.org>"), "ann@x.org");
        assert_eq!(super::one_address("ann@x.org bo@x.org"), "ann@x.org bo@x.org");
        // Bare addresses beside a bracketed one on a line are all kept; names are not addresses.
        assert_eq!(
            pasted_addresses("ann@x.org Bo Brown <bo@x.org> Cy <cy@x.org> dee@x.org"),
            ["ann@x.org", "bo@x.org", "cy@x.org", "dee@x.org"]
        );
    }
}
