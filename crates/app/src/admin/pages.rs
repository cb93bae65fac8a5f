//! Org admin pages.

use crate::http::{
    AppError, Errors, Form, Layout, ListQuery, Pager, Path, Query, Result, Signed, notice, render, urlencode,
    with_status,
};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use roundtable_domain::UserId;
use roundtable_store::{audit, outbox, users::User};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { Redirect::to("/admin/people") }))
        .route("/admin/people", get(people))
        .route("/admin/people/invite", post(invite))
        .route("/admin/people/welcome", post(send_welcomes))
        .route("/admin/people/{id}/reset", post(send_reset))
        .route("/admin/people/{id}/admin", post(set_admin))
        .route("/admin/people/{id}/active", post(set_active))
        .route("/admin/people/{id}/erase", post(erase))
        .route("/admin/organisation", get(settings).post(save_settings))
        .route("/admin/domains", get(domains).post(add_domain))
        .route("/admin/domains/remove", post(remove_domain))
        .route("/admin/audit", get(audit_log))
        .route("/admin/outbox", get(outbox_page))
        .route("/admin/outbox/{id}", get(message))
}

/// "2026-11-26 01:30 NZDT": in the admin's time zone, named.
fn fmt(t: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
    crate::http::time_in(t, tz, "%Y-%m-%d %H:%M")
}

#[derive(Template)]
#[template(path = "admin/people.html")]
struct PeoplePage {
    layout: Layout,
    /// The address meant by an invitation refused as a slip from the organisation's domain.
    meant: Option<String>,
    q: String,
    /// The standing shown (`Standing::as_str`), "" for everyone.
    show: String,
    /// (value, label) of each standing the list can show.
    shows: Vec<(&'static str, &'static str)>,
    /// Each person with their employee ID ("" when none).
    people: Vec<(User, String)>,
    pager: Pager,
    me: UserId,
    /// The invitation form's errors and address, or the reset refusal (field "form").
    errors: Errors,
    invite_email: String,
    /// The person whose erasure was refused for want of "ERASE": their form is shown open, with
    /// the reason by its box (field "erase").
    erase_refused: Option<UserId>,
    /// Active accounts with no password yet, and those of them sent no link lately.
    without_password: i64,
    welcome_due: i64,
    welcome_days: i64,
    /// Day the last welcome (or password) link went to each listed person without a password.
    welcomed: std::collections::HashMap<UserId, String>,
    /// The viewer is the only active administrator (see `super::only_admin`).
    only_admin: bool,
    /// What deactivating each listed organiser leaves behind (see `super::organising`).
    organising: std::collections::HashMap<UserId, String>,
}

async fn people(State(state): State<AppState>, s: Signed, Query(q): Query<ListQuery>) -> Result<Response> {
    people_page(&state, &s, q, Errors::default(), String::new(), None).await
}

async fn people_page(
    state: &AppState,
    s: &Signed,
    q: ListQuery,
    errors: Errors,
    invite_email: String,
    erase_refused: Option<UserId>,
) -> Result<Response> {
    let page = q.page(50);
    let (people, total) = super::people(state, &s.actor(), &q.q, &q.show, page).await?;
    let (without_password, welcome_due) = super::without_password(state, &s.actor()).await?;
    let welcomed = super::welcomes_sent(state, &s.actor(), people.iter().map(|(p, _)| p))
        .await?
        .into_iter()
        .map(|(id, t)| (id, crate::http::day(t, s.tz)))
        .collect();
    let mut pager = Pager::new(page, total, &q.q);
    if !q.show.is_empty() {
        pager.base.push_str(&format!("show={}&", urlencode(&q.show)));
    }
    let meant = match errors.get("email") {
        Some(_) => crate::networks::meant_address(state, &invite_email).await?,
        None => None,
    };
    render(&PeoplePage {
        meant,
        layout: match (q.notice.as_deref(), q.sent) {
            (Some("welcomes-sent"), Some(n @ 1..)) => Layout::for_user("People", s).with_notice_text(Some(format!(
                "Welcome emails are on their way to {}.",
                if n == 1 { "1 person".to_owned() } else { format!("{n} people") }
            ))),
            (n, _) => Layout::for_user("People", s).with_notice(notice(n)),
        },
        pager,
        q: q.q,
        show: q.show,
        shows: roundtable_store::users::Standing::ALL.iter().map(|s| (s.as_str(), standing_label(*s))).collect(),
        me: s.user.id,
        errors,
        invite_email,
        erase_refused,
        without_password,
        welcome_due,
        welcome_days: crate::accounts::WELCOME_DAYS,
        welcomed,
        only_admin: super::only_admin(state, &s.actor()).await?,
        organising: super::organising(state, &s.actor(), people.iter().map(|(p, _)| p)).await?,
        people,
    })
}

async fn send_welcomes(State(state): State<AppState>, s: Signed, Form(f): Form<Back>) -> Result<Response> {
    let sent = super::send_welcomes(&state, &s.actor(), &s.user.name).await?;
    let notice = if sent == 0 { "welcomes-none-due".to_owned() } else { format!("welcomes-sent&sent={sent}") };
    Ok(Redirect::to(&f.url(&notice)).into_response())
}

fn standing_label(s: roundtable_store::users::Standing) -> &'static str {
    use roundtable_store::users::Standing;
    match s {
        Standing::All => "Everyone",
        Standing::Active => "Active",
        Standing::Deactivated => "Deactivated",
        Standing::Erased => "Erased",
        Standing::Admins => "Administrators",
        Standing::NoPassword => "Active, no password yet",
    }
}

/// The People list a form was sent from (its search, standing and page), to come back to.
#[derive(Deserialize, Default)]
pub(crate) struct Back {
    #[serde(default)]
    q: String,
    #[serde(default)]
    show: String,
    #[serde(default)]
    page: String,
}

impl Back {
    /// The People page with this search, standing and page, and `notice`.
    fn url(&self, notice: &str) -> String {
        let mut url = "/admin/people?".to_owned();
        if !self.q.is_empty() {
            url.push_str(&format!("q={}&", urlencode(&self.q)));
        }
        if !self.show.is_empty() {
            url.push_str(&format!("show={}&", urlencode(&self.show)));
        }
        if let Ok(page @ 2..) = self.page.parse::<u32>() {
            url.push_str(&format!("page={page}&"));
        }
        url + "notice=" + notice
    }

    fn list(&self) -> ListQuery {
        ListQuery {
            q: self.q.clone(),
            show: self.show.clone(),
            page: Some(self.page.clone()),
            notice: None,
            sent: None,
        }
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(flatten)]
    back: Back,
}

async fn invite(State(state): State<AppState>, s: Signed, Form(f): Form<InviteForm>) -> Result<Response> {
    let result = super::invite(&state, &s.actor(), &s.user.name, &f.email).await;
    // Refused because the address has an account: the list shows that account.
    let back = match &result {
        Err(AppError::Conflict(_)) => Back { q: f.email.trim().to_owned(), ..Back::default() },
        _ => Back { q: f.back.q.clone(), show: f.back.show.clone(), page: f.back.page.clone() },
    };
    refused_on_people_page(&state, &s, result.map(|()| "invited"), &back, f.email.clone()).await
}

async fn send_reset(
    State(state): State<AppState>,
    s: Signed,
    Path(user): Path<String>,
    Form(back): Form<Back>,
) -> Result<Response> {
    let result = super::send_reset(&state, &s.actor(), &s.user.name, id(&user)?).await;
    let notice = result.map(|welcome| if welcome { "welcome-link-sent" } else { "password-link-sent" });
    refused_on_people_page(&state, &s, notice, &back, String::new()).await
}

/// Back to the list with the `done` notice, or a refusal shown on the list beside the form it
/// concerns.
async fn refused_on_people_page(
    state: &AppState,
    s: &Signed,
    result: Result<&'static str>,
    back: &Back,
    invite_email: String,
) -> Result<Response> {
    let (errors, status) = match result {
        Ok(done) => return Ok(Redirect::to(&back.url(done)).into_response()),
        Err(AppError::Invalid(errs)) => (errs, StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Conflict(e)) => (vec![e], StatusCode::CONFLICT),
        Err(AppError::Forbidden(why)) if s.user.is_org_admin => {
            (vec![roundtable_domain::FieldError::new("form", why)], StatusCode::FORBIDDEN)
        }
        Err(e) => return Err(e),
    };
    Ok(with_status(people_page(state, s, back.list(), Errors(errors), invite_email, None).await?, status))
}

#[derive(Deserialize, Default)]
pub(crate) struct Flag {
    #[serde(default)]
    value: String,
    #[serde(flatten)]
    back: Back,
}

fn flag(f: &Flag) -> Result<bool> {
    match f.value.as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(AppError::BadRequest(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "The form must say true or false.".into(),
        )),
    }
}

fn id(raw: &str) -> Result<UserId> {
    UserId::parse(raw).ok_or(AppError::NotFound)
}

async fn set_admin(
    State(state): State<AppState>,
    s: Signed,
    Path(user): Path<String>,
    Form(f): Form<Flag>,
) -> Result<Response> {
    let grant = flag(&f)?;
    let result = super::set_admin(&state, &s.actor(), &s.user.name, id(&user)?, grant).await;
    let done = if grant { "admin-granted" } else { "admin-revoked" };
    refused_on_people_page(&state, &s, result.map(|()| done), &f.back, String::new()).await
}

async fn set_active(
    State(state): State<AppState>,
    s: Signed,
    Path(user): Path<String>,
    Form(f): Form<Flag>,
) -> Result<Response> {
    let active = flag(&f)?;
    let result = super::set_active(&state, &s.actor(), &s.user.name, id(&user)?, active).await;
    let done = if active { "person-reactivated" } else { "person-deactivated" };
    refused_on_people_page(&state, &s, result.map(|_| done), &f.back, String::new()).await
}

#[derive(Deserialize, Default)]
pub(crate) struct EraseForm {
    #[serde(default)]
    confirm: String,
    #[serde(flatten)]
    back: Back,
}

async fn erase(
    State(state): State<AppState>,
    s: Signed,
    Path(user): Path<String>,
    Form(f): Form<EraseForm>,
) -> Result<Response> {
    let user = id(&user)?;
    match super::erase(&state, &s.actor(), &s.user.name, user, &f.confirm).await {
        Ok(()) => Ok(Redirect::to(&f.back.url("erased")).into_response()),
        // Not confirmed: the list again, with this person's form open and the reason by its box.
        Err(AppError::Invalid(_)) => {
            let errors = Errors(vec![roundtable_domain::FieldError::new(
                "erase",
                "To erase this person, type ERASE in the box. Nothing was changed.",
            )]);
            let page = people_page(&state, &s, f.back.list(), errors, String::new(), Some(user)).await?;
            Ok(with_status(page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "admin/organisation.html")]
struct SettingsPage {
    layout: Layout,
    errors: Errors,
    name: String,
    time_zone: String,
    /// The zone now set, and how many people are in it: what "move them too" offers.
    current_zone: String,
    in_zone: i64,
    move_people: bool,
}

#[derive(Deserialize, Default)]
pub(crate) struct SettingsForm {
    #[serde(default)]
    org_name: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    move_people: Option<String>,
}

#[derive(Deserialize)]
struct SettingsQuery {
    notice: Option<String>,
    /// How many people the last save moved to the new zone (said in the notice).
    moved: Option<u64>,
}

fn settings_page(s: &Signed, st: super::Settings, errors: Errors) -> SettingsPage {
    SettingsPage {
        layout: Layout::for_user("Organisation", s),
        errors,
        name: st.name,
        time_zone: st.time_zone.clone(),
        current_zone: st.time_zone,
        in_zone: st.in_zone,
        move_people: true,
    }
}

async fn settings(State(state): State<AppState>, s: Signed, Query(q): Query<SettingsQuery>) -> Result<Response> {
    let st = super::settings(&state, &s.actor()).await?;
    let said = match (notice(q.notice.as_deref()), q.moved) {
        (Some(n), Some(1)) => Some(format!("{n} 1 person moved to {}.", st.time_zone)),
        (Some(n), Some(moved)) if moved > 1 => Some(format!("{n} {moved} people moved to {}.", st.time_zone)),
        (n, _) => n.map(str::to_owned),
    };
    let mut page = settings_page(&s, st, Errors::default());
    page.layout = page.layout.with_notice_text(said);
    render(&page)
}

async fn save_settings(State(state): State<AppState>, s: Signed, Form(f): Form<SettingsForm>) -> Result<Response> {
    let input = super::SettingsInput {
        name: f.org_name.clone(),
        time_zone: f.time_zone.clone(),
        move_people: f.move_people.is_some(),
    };
    match super::update_settings(&state, &s.actor(), &s.user.name, &input).await {
        Ok(moved) => Ok(Redirect::to(&format!("/admin/organisation?notice=saved&moved={moved}")).into_response()),
        Err(AppError::Invalid(errs)) => {
            let st = super::settings(&state, &s.actor()).await?;
            let page = SettingsPage {
                name: f.org_name,
                time_zone: f.time_zone,
                move_people: input.move_people,
                ..settings_page(&s, st, Errors(errs))
            };
            Ok(with_status(render(&page)?, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "admin/domains.html")]
struct DomainsPage {
    layout: Layout,
    errors: Errors,
    domains: Vec<String>,
    domain: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct DomainForm {
    #[serde(default)]
    domain: String,
}

async fn domains(State(state): State<AppState>, s: Signed, Query(q): Query<ListQuery>) -> Result<Response> {
    let domains = super::domains(&state, &s.actor()).await?;
    render(&DomainsPage {
        layout: Layout::for_user("Sign-up domains", &s).with_notice(notice(q.notice.as_deref())),
        errors: Errors::default(),
        domains,
        domain: String::new(),
    })
}

async fn add_domain(State(state): State<AppState>, s: Signed, Form(f): Form<DomainForm>) -> Result<Response> {
    match super::add_domain(&state, &s.actor(), &s.user.name, &f.domain).await {
        Ok(()) => Ok(Redirect::to("/admin/domains?notice=saved").into_response()),
        Err(AppError::Invalid(errs)) => {
            let domains = super::domains(&state, &s.actor()).await?;
            let mut r = render(&DomainsPage {
                layout: Layout::for_user("Sign-up domains", &s),
                errors: Errors(errs),
                domains,
                domain: f.domain,
            })?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

async fn remove_domain(State(state): State<AppState>, s: Signed, Form(f): Form<DomainForm>) -> Result<Response> {
    super::remove_domain(&state, &s.actor(), &s.user.name, &f.domain).await?;
    Ok(Redirect::to("/admin/domains?notice=saved").into_response())
}

struct AuditRow {
    at: String,
    actor: String,
    action: String,
    network: String,
    subject: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    /// The search, "" for every entry.
    q: String,
    rows: Vec<AuditRow>,
    pager: Pager,
}

async fn audit_log(State(state): State<AppState>, s: Signed, Query(q): Query<ListQuery>) -> Result<Response> {
    let page = q.page(100);
    let (entries, total) = super::audit_log(&state, &s.actor(), &q.q, page).await?;
    let rows = entries
        .into_iter()
        .map(|e: audit::Entry| AuditRow {
            at: fmt(e.at, s.tz),
            actor: e.actor_name,
            action: super::action_in_words(&e.action),
            network: e.network_name.unwrap_or_default(),
            subject: e.subject,
            detail: super::detail_in_words(&e.action, &e.detail),
        })
        .collect();
    render(&AuditPage { layout: Layout::for_user("Audit log", &s), rows, pager: Pager::new(page, total, &q.q), q: q.q })
}

struct MessageRow {
    id: String,
    at: String,
    to: String,
    subject: String,
    status: String,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    layout: Layout,
    rows: Vec<MessageRow>,
    pager: Pager,
    smtp: bool,
}

async fn outbox_page(State(state): State<AppState>, s: Signed, Query(q): Query<ListQuery>) -> Result<Response> {
    let page = q.page(50);
    let (msgs, total) = super::outbox(&state, &s.actor(), page).await?;
    let rows = msgs
        .into_iter()
        .map(|m: outbox::Message| MessageRow {
            id: m.id.to_string(),
            at: fmt(m.created_at, s.tz),
            to: m.to,
            subject: m.subject,
            // "sent" for a message only written to the outbox folder would claim it left.
            status: match (m.status.as_str(), &m.file_name) {
                ("sent", Some(_)) => "written to the outbox folder".to_owned(),
                _ => m.status,
            },
        })
        .collect();
    render(&OutboxPage {
        layout: Layout::for_user("Outbox", &s),
        rows,
        pager: Pager::new(page, total, ""),
        smtp: state.config.smtp_url.is_some(),
    })
}

#[derive(Template)]
#[template(path = "admin/message.html")]
struct MessagePage {
    layout: Layout,
    m: outbox::Message,
    at: String,
}

async fn message(State(state): State<AppState>, s: Signed, Path(id): Path<String>) -> Result<Response> {
    let m = super::message(&state, &s.actor(), &id).await?;
    render(&MessagePage { layout: Layout::for_user("Message", &s), at: fmt(m.created_at, s.tz), m })
}
