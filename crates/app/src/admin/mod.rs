//! Organisation administration: people (invite, reset link, welcomes, grant/revoke admin,
//! deactivate), the organisation's name and time zone, allowed sign-up domains, the audit log and
//! the outbox. Every use case requires an org admin.

pub mod api;
pub mod pages;

use crate::http::{AppError, Result};
use crate::mail::{self, Email as Mail};
use crate::security::{random_token, token_hash};
use crate::state::AppState;
use chrono::{Duration, Utc};
use roundtable_domain::{Actor, Email, EmailDomain, FieldError, Page, Role, UserId};
use roundtable_store::links::{self, NewLink, Purpose};
use roundtable_store::{Tx, audit, org, outbox, users};

/// The organisation-admin check every admin-only use case starts with.
pub(crate) fn require_admin(actor: &Actor) -> Result<()> {
    if actor.is_org_admin { Ok(()) } else { Err(AppError::Forbidden("Only organisation administrators can do this.")) }
}

async fn record(tx: &mut Tx, actor: &Actor, name: &str, action: &str, subject: &str, detail: &str) -> Result<()> {
    audit::record(
        tx,
        &audit::NewEntry { actor_id: Some(actor.user_id), actor_name: name, action, network_id: None, subject, detail },
        Utc::now(),
    )
    .await?;
    Ok(())
}

/// One page of everyone, by name or email, each with their employee ID ("" when none; shown to
/// org admins only). A search that is exactly someone's employee ID finds that person first
/// (the store's search matches it, so pages and the total count it once).
/// One page of the people the People page lists: those whose name, address or employee ID
/// matches `q`, of one standing (`show`: all, active, no-password, deactivated, erased, admins —
/// refused naming the choices when it is none of them), each with their employee ID.
pub async fn people(
    state: &AppState,
    actor: &Actor,
    q: &str,
    show: &str,
    page: Page,
) -> Result<(Vec<(users::User, String)>, i64)> {
    require_admin(actor)?;
    let standing = match show {
        "" => users::Standing::All,
        s => users::Standing::parse(s).ok_or_else(|| {
            let known: Vec<_> = users::Standing::ALL.iter().map(|s| s.as_str()).collect();
            AppError::Invalid(vec![FieldError::new("show", format!("Show one of: {}.", known.join(", ")))])
        })?,
    };
    let (list, total) = users::search(&state.db, q, standing, page.limit(), page.offset()).await?;
    let ids: Vec<UserId> = list.iter().map(|u| u.id).collect();
    let emp: std::collections::HashMap<UserId, String> =
        roundtable_store::import::employee_ids(&state.db, &ids).await?.into_iter().collect();
    Ok((
        list.into_iter()
            .map(|u| {
                let e = emp.get(&u.id).cloned().unwrap_or_default();
                (u, e)
            })
            .collect(),
        total,
    ))
}

/// Invites someone to the organisation without a network: an emailed link (14 days) to create
/// their account. Someone who already has an account needs no invitation.
pub async fn invite(state: &AppState, actor: &Actor, actor_name: &str, email: &str) -> Result<()> {
    require_admin(actor)?;
    let email = Email::parse(&crate::networks::one_address(email)).map_err(|e| AppError::Invalid(vec![e]))?;
    if let Some(holder) = users::by_email(&state.db, email.as_str()).await? {
        let why = if holder.deactivated_at.is_some() {
            format!(
                "{} has an account with this address, deactivated: reactivate it in the list below (no invitation is needed).",
                holder.name
            )
        } else {
            format!("{} already has an account with this address: they are in the list below.", holder.name)
        };
        return Err(AppError::Conflict(FieldError::new("email", why)));
    }
    crate::networks::refuse_mistyped(state, &email, "email").await?;
    let (token, now) = (random_token(), Utc::now());
    let mut tx = state.db.begin().await?;
    // Inviting again (the first mail was lost, or went to spam) sends a new link; only the newest
    // one works, so an address never holds several live invitations.
    crate::networks::check_invitations_today(&mut tx, &email, now).await?;
    let replaced = links::cancel_org_invitations(&mut tx, email.as_str(), now).await?;
    links::insert(
        &mut tx,
        &NewLink {
            token_hash: &token_hash(&token),
            purpose: Purpose::Invite,
            email: email.as_str(),
            user_id: None,
            network_id: None,
            created_by: Some(actor.user_id),
            role: Role::Member,
            expires_at: now + Duration::days(14),
        },
        now,
    )
    .await?;
    let detail = if replaced > 0 { "sent again; the earlier link no longer works" } else { "" };
    record(&mut tx, actor, actor_name, "person.invited", email.as_str(), detail).await?;
    let org = org::get(&state.db).await?.map(|o| o.name).unwrap_or_else(|| "your organisation".into());
    let reply_to = mail::reply_address(&state.db, actor.user_id).await?;
    mail::queue(
        &mut tx,
        &Mail {
            to: email.as_str(),
            subject: format!("{actor_name} invites you to {org} on Roundtable"),
            paragraphs: vec![
                format!("{actor_name} invites you to {org}'s Roundtable, where its internal networks meet, share and organise events."),
                "Open the link to choose your name and password. It works for 14 days.".into(),
            ],
            action: Some(("Create my account", format!("{}/invitations/{token}", state.config.public_url()))),
            // Questions about it reach the administrator who sent it.
            reply_to: reply_to.as_deref(),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Emails a person a link to choose a new password (someone who cannot receive or find the
/// reset form's mail asks an admin), or, to someone who never had one (imported from HR), their
/// welcome with a week-long link. The hourly limit on reset links still applies. True for a
/// welcome.
pub async fn send_reset(state: &AppState, actor: &Actor, actor_name: &str, user: UserId) -> Result<bool> {
    require_admin(actor)?;
    let person = users::by_id(&state.db, user).await?.ok_or(AppError::NotFound)?;
    if person.is_erased() {
        return Err(AppError::Conflict(FieldError::new(
            "form",
            "This person's data has been erased: there is no account to sign in to. Invite them again as a new person.",
        )));
    }
    if person.deactivated_at.is_some() {
        return Err(AppError::Conflict(FieldError::new(
            "form",
            format!("{} is deactivated: reactivate the account first.", person.name),
        )));
    }
    let mut tx = state.db.begin().await?;
    if !crate::accounts::send_reset_link(state, &mut tx, &person, Some(actor_name)).await? {
        return Err(AppError::Conflict(FieldError::new(
            "form",
            format!("{} was already sent three links in the last hour; ask them to use the newest one.", person.name),
        )));
    }
    let welcome = person.password_hash.is_none();
    let detail = if welcome { "welcome: no password yet" } else { "" };
    record(&mut tx, actor, actor_name, "person.reset_sent", &person.email, detail).await?;
    tx.commit().await?;
    Ok(welcome)
}

/// Whether the actor is the organisation's only active administrator: their row on the People
/// page offers no "Revoke admin" (`set_admin` would refuse it).
pub async fn only_admin(state: &AppState, actor: &Actor) -> Result<bool> {
    require_admin(actor)?;
    Ok(users::active_admins(&state.db).await? <= 1)
}

/// Accounts an import made that have no password yet: how many, and how many of them have had
/// no welcome (or password) email in the last `WELCOME_DAYS` days — those a bulk welcome sends to.
pub async fn without_password(state: &AppState, actor: &Actor) -> Result<(i64, i64)> {
    require_admin(actor)?;
    let since = Utc::now() - Duration::days(crate::accounts::WELCOME_DAYS);
    Ok(users::without_password(&state.db, since).await?)
}

/// When each of `people` who has no password yet was last sent a welcome (or password) link:
/// the People page says so beside them, so a second welcome is not sent by mistake.
pub async fn welcomes_sent<'a>(
    state: &AppState,
    actor: &Actor,
    people: impl Iterator<Item = &'a users::User>,
) -> Result<std::collections::HashMap<UserId, chrono::DateTime<Utc>>> {
    require_admin(actor)?;
    let waiting: Vec<&users::User> =
        people.filter(|p| p.password_hash.is_none() && p.deactivated_at.is_none()).collect();
    let emails: Vec<&str> = waiting.iter().map(|p| p.email.as_str()).collect();
    let sent = links::last_sent(&state.db, Purpose::Reset, &emails).await?;
    Ok(waiting.iter().filter_map(|p| Some((p.id, *sent.get(&p.email)?))).collect())
}

/// What deactivating or reactivating each listed person would do to the networks they organise,
/// as the page says it by the button: "Organises Allies (its only Chair: …) and Peers
/// (Administrator)…", or for a deactivated account, whose roles stayed on record, "Reactivating
/// brings back: Chair of Allies…". Only those who organise one are in the map.
pub async fn organising<'a>(
    state: &AppState,
    actor: &Actor,
    people: impl Iterator<Item = &'a users::User>,
) -> Result<std::collections::HashMap<UserId, String>> {
    require_admin(actor)?;
    let (active, inactive): (Vec<&users::User>, Vec<&users::User>) =
        people.filter(|p| !p.is_erased()).partition(|p| p.deactivated_at.is_none());
    let listed = active.iter().map(|p| p.id).collect();
    let organised = crate::networks::organised_in(&*state.snapshot().await?, &listed);
    let mut out: std::collections::HashMap<UserId, String> = organised
        .into_iter()
        .map(|(id, list)| {
            let list: Vec<String> = list
                .iter()
                .map(|o| {
                    if o.only_chair {
                        format!("{} (its only Chair: it will have no active Chair until you name one)", o.network)
                    } else {
                        format!("{} ({})", o.network, o.role.label())
                    }
                })
                .collect();
            (
                id,
                format!(
                    "Organises {}; their Chairs and Administrators will be emailed.",
                    crate::networks::and_list(&list)
                ),
            )
        })
        .collect();
    for p in inactive {
        let roles: Vec<String> = roundtable_store::networks::organised_by(&state.db, p.id)
            .await?
            .into_iter()
            .map(|o| format!("{} of {}", o.role.label(), o.name))
            .collect();
        if !roles.is_empty() {
            let roles = crate::networks::and_list(&roles);
            out.insert(
                p.id,
                format!(
                    "Reactivating brings back their roles: {roles}; the Chairs and Administrators there are emailed."
                ),
            );
        }
    }
    Ok(out)
}

/// Emails a welcome to every active account without a password that has had no link in the
/// last `WELCOME_DAYS` days (a person with a live welcome is not sent a second), in one
/// transaction with one audit entry. Returns how many were sent.
pub async fn send_welcomes(state: &AppState, actor: &Actor, actor_name: &str) -> Result<usize> {
    require_admin(actor)?;
    let since = Utc::now() - Duration::days(crate::accounts::WELCOME_DAYS);
    let mut tx = state.db.begin().await?;
    // Two administrators pressing at once take turns (on PostgreSQL too): the second finds the
    // first one's links and sends nothing twice.
    org::lock(&mut tx).await?;
    let due = users::welcome_due(&mut tx, since).await?;
    if due.is_empty() {
        return Ok(0);
    }
    crate::accounts::send_welcomes(state, &mut tx, &due, actor_name).await?;
    let n = due.len();
    let subject = if n == 1 { due[0].email.clone() } else { format!("{n} people") };
    record(&mut tx, actor, actor_name, "people.welcomed", &subject, "welcome: no password yet").await?;
    tx.commit().await?;
    Ok(n)
}

/// Grants or revokes org admin. The last active admin cannot be revoked, so the organisation
/// always has someone who can administer it; a deactivated (or erased) account cannot be
/// granted it, and can always lose it (it is not one of the active admins).
pub async fn set_admin(state: &AppState, actor: &Actor, actor_name: &str, user: UserId, grant: bool) -> Result<()> {
    require_admin(actor)?;
    let person = users::by_id(&state.db, user).await?.ok_or(AppError::NotFound)?;
    if grant && person.deactivated_at.is_some() {
        let why = if person.is_erased() {
            "This person's data has been erased: the account cannot be an administrator.".to_owned()
        } else {
            format!("{} is deactivated: reactivate the account first, then make them an administrator.", person.name)
        };
        return Err(AppError::Conflict(FieldError::new("form", why)));
    }
    let mut tx = state.db.begin().await?;
    if !grant && person.is_org_admin && person.deactivated_at.is_none() && users::count_admins(&mut tx).await? <= 1 {
        return Err(AppError::Forbidden("This is the last administrator. Make someone else an administrator first."));
    }
    users::set_admin(&mut tx, user, grant).await?;
    record(&mut tx, actor, actor_name, if grant { "admin.granted" } else { "admin.revoked" }, &person.email, "")
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Deactivates (signs out and blocks) or reactivates an account.
/// Deactivates or reactivates a person's account. Returns the networks (name, slug) a
/// deactivation leaves with no active Chair (the People page says so by the button beforehand).
pub async fn set_active(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    user: UserId,
    active: bool,
) -> Result<Vec<(String, String)>> {
    require_admin(actor)?;
    if user == actor.user_id && !active {
        return Err(AppError::Forbidden("You cannot deactivate your own account here."));
    }
    let person = users::by_id(&state.db, user).await?.ok_or(AppError::NotFound)?;
    if active && person.is_erased() {
        return Err(AppError::Conflict(FieldError::new(
            "form",
            "This person's data has been erased, so the account cannot come back. Invite them again as a new person.",
        )));
    }
    let chairless = if !active && person.deactivated_at.is_none() {
        crate::account::only_chair_of(state, user).await?
    } else {
        Vec::new()
    };
    let mut tx = state.db.begin().await?;
    // The last active administrator stays (two deactivating each other at once take turns).
    if !active && person.is_org_admin && person.deactivated_at.is_none() && users::count_admins(&mut tx).await? <= 1 {
        return Err(AppError::Forbidden("This is the last administrator. Make someone else an administrator first."));
    }
    users::set_deactivated(&mut tx, user, (!active).then(Utc::now)).await?;
    record(
        &mut tx,
        actor,
        actor_name,
        if active { "person.reactivated" } else { "person.deactivated" },
        &person.email,
        "",
    )
    .await?;
    if active {
        crate::networks::queue_reactivated(&mut tx, user, true, Utc::now()).await?;
    } else {
        roundtable_store::sessions::delete_for_user(&mut tx, user).await?;
        roundtable_store::tokens::delete_all_for(&mut tx, user).await?;
        crate::events::queue_giving_up(&mut tx, user, None, crate::events::GivenUp::Deactivated, Utc::now()).await?;
    }
    tx.commit().await?;
    Ok(chairless)
}

/// What confirms an erasure, typed on the page or sent to the API: it cannot be undone, so it
/// is never done by a stray click or a misdirected request.
pub const ERASE_CONFIRMATION: &str = "ERASE";

/// Erases a person's personal data for good (the "right to erasure"), keeping anonymous figures.
/// `confirm` must be `ERASE_CONFIRMATION` (surrounding spaces aside); otherwise nothing changes
/// and the refusal is a field error on `confirm`.
pub async fn erase(state: &AppState, actor: &Actor, actor_name: &str, user: UserId, confirm: &str) -> Result<()> {
    require_admin(actor)?;
    if user == actor.user_id {
        return Err(AppError::Forbidden("You cannot erase your own account here."));
    }
    if confirm.trim() != ERASE_CONFIRMATION {
        return Err(FieldError::new(
            "confirm",
            "Erasing a person's data cannot be undone: confirm it with ERASE. Nothing was changed.",
        )
        .into());
    }
    let person = users::by_id(&state.db, user).await?.ok_or(AppError::NotFound)?;
    if person.is_erased() {
        return Err(AppError::Conflict(FieldError::new("confirm", "This person's data is already erased.")));
    }
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    // Only an active administrator can be the last one (a deactivated one no longer counts).
    if person.is_org_admin && person.deactivated_at.is_none() && users::count_admins(&mut tx).await? <= 1 {
        return Err(AppError::Forbidden("This is the last administrator. Make someone else an administrator first."));
    }
    // Everything erasure removes (employee id, old addresses, sign-in addresses, feedback
    // comments; buddy pairings end) is in the store's `erase`.
    let erased = users::erase(&mut tx, user, now).await?;
    // The account's id (no personal data) lets an administrator confirm which account was erased,
    // when its former owner or a data-protection officer asks.
    let detail = format!("personal data erased (account {user})");
    record(&mut tx, actor, actor_name, "person.erased", "a former member", &detail).await?;
    crate::events::queue_giving_up(&mut tx, user, None, crate::events::GivenUp::Deactivated, now).await?;
    tx.commit().await?;
    // Off disk too: the copies of mail to or about them in the outbox folder (the database
    // keeps the rewritten messages), and the old page versions in SQLite's log.
    let outbox = state.config.data_dir.join("outbox");
    for file in &erased.mail_files {
        // Names the sender wrote (`{id}.eml`); anything else is not ours to delete.
        if std::path::Path::new(file).file_name() == Some(std::ffi::OsStr::new(file)) {
            match tokio::fs::remove_file(outbox.join(file)).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => tracing::warn!(file = %file, error = %e, "could not delete an erased person's mail"),
            }
        }
    }
    // The erasure is committed: what follows only tidies, so a failure is logged for the
    // operator rather than shown as an erasure that did not happen.
    if let Err(e) = forget_after_erasure(state, user, &erased.addresses).await {
        tracing::warn!(error = %e, "erased, but the clean-up after it failed; the daily clean-up will finish it");
    }
    Ok(())
}

/// After an erasure: SQLite's log of old pages, and the failed sign-ins and password
/// confirmations counted under the person (outside any transaction, like every attempt), rather
/// than waiting for the daily clean-up — but not those under an address someone else holds now:
/// those are theirs (the counts have no time to tell the two apart, and keeping a stranger's is
/// the safer side).
async fn forget_after_erasure(state: &AppState, user: UserId, addresses: &[String]) -> Result<()> {
    state.db.checkpoint().await?;
    for address in addresses {
        if users::by_email(&state.db, address).await?.is_none() {
            crate::accounts::forget_failed_sign_ins(state, address).await?;
        }
    }
    crate::accounts::forget_failed_confirmations(state, user).await?;
    Ok(())
}

/// The organisation's own settings, as its settings page shows them.
pub struct Settings {
    pub name: String,
    pub time_zone: String,
    /// Active people whose pages are in the organisation's zone: a new zone may move them.
    pub in_zone: i64,
}

pub async fn settings(state: &AppState, actor: &Actor) -> Result<Settings> {
    require_admin(actor)?;
    let o = org::get(&state.db).await?.ok_or(AppError::NotFound)?;
    let in_zone = org::people_in_zone(&state.db, &o.time_zone).await?;
    Ok(Settings { name: o.name, time_zone: o.time_zone, in_zone })
}

pub struct SettingsInput {
    pub name: String,
    pub time_zone: String,
    /// Whether the people still in the old zone move to the new one (those who chose another
    /// zone keep theirs either way).
    pub move_people: bool,
}

/// Renames the organisation and sets the time zone new accounts start in — and, when asked,
/// moves the people still in the old zone (most never chose it: it was where their account
/// started). Returns how many moved. Each change is in the audit log.
pub async fn update_settings(state: &AppState, actor: &Actor, actor_name: &str, input: &SettingsInput) -> Result<u64> {
    require_admin(actor)?;
    let mut errs = Vec::new();
    let name = roundtable_domain::OrgName::parse(&input.name).map_err(|e| errs.push(e)).ok();
    let zone = input.time_zone.trim();
    if zone.parse::<chrono_tz::Tz>().is_err() {
        errs.push(FieldError::new("time_zone", "Choose a time zone from the list, e.g. Europe/London."));
    }
    let Some(name) = name.filter(|_| errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let mut tx = state.db.begin().await?;
    org::lock(&mut tx).await?;
    let old = org::get_in(&mut tx).await?.ok_or(AppError::NotFound)?;
    org::update(&mut tx, name.as_str(), zone).await?;
    if old.name != name.as_str() {
        record(&mut tx, actor, actor_name, "organisation.renamed", name.as_str(), &old.name).await?;
    }
    let mut moved = 0;
    if old.time_zone != zone {
        if input.move_people {
            moved = org::move_people(&mut tx, &old.time_zone, zone).await?;
        }
        let detail = format!("{} → {zone}; {moved} people moved", old.time_zone);
        record(&mut tx, actor, actor_name, "organisation.time_zone", zone, &detail).await?;
    }
    tx.commit().await?;
    Ok(moved)
}

pub async fn domains(state: &AppState, actor: &Actor) -> Result<Vec<String>> {
    require_admin(actor)?;
    Ok(org::domains(&state.db).await?)
}

pub async fn add_domain(state: &AppState, actor: &Actor, actor_name: &str, domain: &str) -> Result<()> {
    require_admin(actor)?;
    let d = EmailDomain::parse(domain)?;
    let mut tx = state.db.begin().await?;
    if org::add_domain(&mut tx, &d, Utc::now()).await? {
        record(&mut tx, actor, actor_name, "domain.added", d.as_str(), "").await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn remove_domain(state: &AppState, actor: &Actor, actor_name: &str, domain: &str) -> Result<()> {
    require_admin(actor)?;
    let mut tx = state.db.begin().await?;
    if !org::remove_domain(&mut tx, domain).await? {
        return Err(AppError::NotFound);
    }
    record(&mut tx, actor, actor_name, "domain.removed", domain, "").await?;
    tx.commit().await?;
    Ok(())
}

/// A page of the audit log, newest first: every entry, or those mentioning `q` (a person's
/// name or address, an action such as "deactivated", a network, a file name).
pub async fn audit_log(state: &AppState, actor: &Actor, q: &str, page: Page) -> Result<(Vec<audit::Entry>, i64)> {
    require_admin(actor)?;
    Ok(audit::search(&state.db, q, page.limit(), page.offset()).await?)
}

/// "person.deactivated" → "Person deactivated": the log's action codes as words.
pub fn action_in_words(action: &str) -> String {
    let words = action.replace(['.', '_'], " ");
    let mut chars = words.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// An entry's detail as the page shows it: a network's or membership's stored codes in words
/// ("member → administrator" reads "Member → Administrator", "by_request" "Join by request");
/// other details as written.
pub fn detail_in_words(action: &str, detail: &str) -> String {
    use roundtable_domain::{Role, Visibility};
    let role = |code: &str| Role::parse(code).map_or_else(|| code.to_owned(), |r| r.label().to_owned());
    match action {
        "membership.invited" => role(detail),
        "membership.role_changed" => match detail.split_once(" → ") {
            Some((from, to)) => format!("{} → {}", role(from), role(to)),
            None => detail.to_owned(),
        },
        // The visibility first, then what came of it in words.
        "network.created" | "network.updated" => {
            let (code, rest) = detail.split_once(';').map_or((detail, ""), |(c, r)| (c, r));
            let shown = Visibility::parse(code).map_or(code, |v| v.label());
            format!("{shown}{}{rest}", if rest.is_empty() { "" } else { ";" })
        }
        _ => detail.to_owned(),
    }
}

pub async fn outbox(state: &AppState, actor: &Actor, page: Page) -> Result<(Vec<outbox::Message>, i64)> {
    require_admin(actor)?;
    Ok(outbox::page(&state.db, page.limit(), page.offset()).await?)
}

/// One message as admins may read it: single-use links (reset, invitation, verification,
/// setup, calendar feeds) are hidden, so reading the outbox cannot take over an account.
pub async fn message(state: &AppState, actor: &Actor, id: &str) -> Result<outbox::Message> {
    require_admin(actor)?;
    let id = roundtable_domain::MessageId::parse(id).ok_or(AppError::NotFound)?;
    let mut m = outbox::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    m.text_body = mail::redact_links(&m.text_body);
    m.html_body = mail::redact_links(&m.html_body);
    Ok(m)
}

#[cfg(test)]
mod tests {
    #[test]
    fn stored_codes_in_an_entry_read_as_words() {
        assert_eq!(
            super::detail_in_words("membership.role_changed", "member → administrator"),
            "Member → Administrator"
        );
        assert_eq!(super::detail_in_words("membership.invited", "training_coordinator"), "Training Coordinator");
        assert_eq!(
            super::detail_in_words(
                "network.updated",
                "invitation_only; 1 event that was open to the whole organisation is now for members only"
            ),
            "Invitation only; 1 event that was open to the whole organisation is now for members only"
        );
        // Other entries' details are people's words and file names: as written.
        assert_eq!(super::detail_in_words("person.imported", "member open chair"), "member open chair");
    }
}

/// Operator commands (`roundtable admin …`): they act from the server's console, so they are
/// recorded in the audit log as "console".
pub mod console {
    use super::*;
    use roundtable_domain::{Email, Password, PersonName};
    use roundtable_store::Db;

    /// Records a console action in the caller's transaction, with the change itself.
    async fn log(tx: &mut roundtable_store::Tx, action: &str, subject: &str) -> anyhow::Result<()> {
        let entry =
            audit::NewEntry { actor_id: None, actor_name: "console", action, network_id: None, subject, detail: "" };
        audit::record(tx, &entry, Utc::now()).await?;
        Ok(())
    }

    pub async fn create_user(db: &Db, email: &str, name: &str, password: &str, admin: bool) -> anyhow::Result<()> {
        let email = Email::parse(email).map_err(|e| anyhow::anyhow!(e.message))?;
        let name = PersonName::parse(name).map_err(|e| anyhow::anyhow!(e.message))?;
        let password = Password::parse(password).map_err(|e| anyhow::anyhow!(e.message))?;
        let hash = crate::security::hash_password_async(password.expose().to_owned()).await?;
        let mut tx = db.begin().await?;
        users::insert(
            &mut tx,
            &users::NewUser {
                email: &email,
                name: &name,
                password_hash: Some(&hash),
                is_org_admin: admin,
                verified: true,
            },
            Utc::now(),
        )
        .await
        .map_err(|e| match e {
            roundtable_store::Error::Conflict(_) => anyhow::anyhow!("an account with {email} already exists"),
            e => e.into(),
        })?;
        log(&mut tx, "person.created", email.as_str()).await?;
        Ok(tx.commit().await?)
    }

    async fn find(db: &Db, email: &str) -> anyhow::Result<users::User> {
        users::by_email(db, &email.trim().to_lowercase())
            .await?
            .ok_or_else(|| anyhow::anyhow!("no account uses {email}"))
    }

    /// Sets the password and signs the account out; false when the account is deactivated (the
    /// password is set, but cannot be used until it is reactivated).
    pub async fn reset_password(db: &Db, email: &str, password: &str) -> anyhow::Result<bool> {
        let user = find(db, email).await?;
        if user.is_erased() {
            anyhow::bail!(
                "{email} is an erased account: it has no one to sign in; invite the person again as someone new"
            );
        }
        let password = Password::parse(password).map_err(|e| anyhow::anyhow!(e.message))?;
        let hash = crate::security::hash_password_async(password.expose().to_owned()).await?;
        let mut tx = db.begin().await?;
        users::set_password(&mut tx, user.id, &hash).await?;
        roundtable_store::sessions::delete_for_user(&mut tx, user.id).await?;
        log(&mut tx, "person.password_reset", &user.email).await?;
        tx.commit().await?;
        Ok(user.deactivated_at.is_none())
    }

    /// Grants or revokes org-admin rights; false when the person already had (or lacked) them,
    /// so nothing changed (and nothing is logged).
    pub async fn set_admin(db: &Db, email: &str, grant: bool) -> anyhow::Result<bool> {
        let user = find(db, email).await?;
        if grant && user.deactivated_at.is_some() {
            anyhow::bail!("{email}'s account is deactivated: reactivate it (Admin → People) before granting admin");
        }
        if user.is_org_admin == grant {
            return Ok(false);
        }
        let mut tx = db.begin().await?;
        // As on the admin page: the organisation always keeps someone who can run it (a
        // deactivated admin is not one of them, so may always lose the right).
        if !grant && user.is_org_admin && user.deactivated_at.is_none() && users::count_admins(&mut tx).await? <= 1 {
            anyhow::bail!("{email} is the last organisation admin; grant admin to someone else first");
        }
        users::set_admin(&mut tx, user.id, grant).await?;
        log(&mut tx, if grant { "admin.granted" } else { "admin.revoked" }, &user.email).await?;
        tx.commit().await?;
        Ok(true)
    }
}
