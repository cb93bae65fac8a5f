//! My account: change password, see and end sessions, manage personal API tokens.

pub mod pages;

use crate::http::{AppError, Result, Signed};
use crate::security::{hash_password_async, random_token, token_hash, verify_password_async};
use crate::state::AppState;
use chrono::Utc;
use roundtable_domain::{FieldError, Password, TokenId, parse_token_name};
use roundtable_store::{sessions, tokens};

pub async fn change_password(state: &AppState, s: &Signed, current: &str, new: &str) -> Result<()> {
    let mut errs = Vec::new();
    if !verify_password_async(current.to_owned(), s.user.password_hash.clone()).await {
        errs.push(FieldError::new("current", "Your current password is not right."));
    }
    let new = Password::parse(new).map_err(|e| errs.push(e)).ok();
    let Some(new) = new.filter(|_| errs.is_empty()) else { return Err(AppError::Invalid(errs)) };
    let hash = hash_password_async(new.expose().to_owned()).await?;
    let mut tx = state.db.begin().await?;
    roundtable_store::users::set_password(&mut tx, s.user.id, &hash).await?;
    // A changed password ends every other session, in the same transaction: if it leaked, the
    // intruder is out the moment the new one counts.
    sessions::delete_others(&mut tx, s.user.id, &s.session_hash).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn sessions(state: &AppState, s: &Signed) -> Result<Vec<sessions::Session>> {
    Ok(sessions::for_user(&state.db, s.user.id, Utc::now()).await?)
}

pub async fn sign_out_others(state: &AppState, s: &Signed) -> Result<u64> {
    let mut tx = state.db.begin().await?;
    let n = sessions::delete_others(&mut tx, s.user.id, &s.session_hash).await?;
    tx.commit().await?;
    Ok(n)
}

pub async fn tokens(state: &AppState, s: &Signed) -> Result<Vec<tokens::ApiToken>> {
    Ok(tokens::for_user(&state.db, s.user.id).await?)
}

/// Creates a token and returns its secret, to be shown once. Only its hash is stored.
pub async fn create_token(state: &AppState, s: &Signed, name: &str) -> Result<String> {
    let name = parse_token_name(name)?;
    let secret = format!("rt_{}", random_token());
    tokens::insert(&state.db, s.user.id, &name, &token_hash(&secret), Utc::now()).await?;
    Ok(secret)
}

/// A token just created, to show its secret once.
pub struct NewToken {
    pub name: String,
    pub secret: String,
}

/// The token whose secret the browser brought back after creating it, if it is still one of the
/// signed-in person's tokens (another person signed in meanwhile, or a deleted token, shows
/// nothing).
pub async fn new_token(state: &AppState, s: &Signed, secret: &str) -> Result<Option<NewToken>> {
    if !secret.starts_with("rt_") {
        return Ok(None);
    }
    Ok(tokens::lookup(&state.db, &token_hash(secret))
        .await?
        .filter(|t| t.user_id == s.user.id)
        .map(|t| NewToken { name: t.name, secret: secret.to_owned() }))
}

pub async fn delete_token(state: &AppState, s: &Signed, id: &str) -> Result<()> {
    let id = TokenId::parse(id).ok_or(AppError::NotFound)?;
    if tokens::delete(&state.db, id, s.user.id).await? { Ok(()) } else { Err(AppError::NotFound) }
}

/// Everything Roundtable holds about the signed-in person, as JSON (the "download my data"
/// right): account (with the HR employee id, which only org admins see elsewhere), profile with
/// every field, memberships, charter acceptances, buddy pairings on either side (ended ones
/// too), sessions, API tokens (names only), the addresses they signed in from (kept for the
/// sign-in limits) and the audit entries of their own actions.
pub async fn my_data(state: &AppState, s: &Signed) -> Result<serde_json::Value> {
    use roundtable_store::{audit, buddies, import, networks, profiles};
    let me = s.user.id;
    let employee_id = import::employee_ids(&state.db, &[me]).await?.into_iter().next().map(|(_, id)| id);
    let p = profiles::get(&state.db, me).await?.ok_or(AppError::NotFound)?;
    let mut memberships = Vec::new();
    for m in networks::memberships_of(&state.db, me).await? {
        let n = networks::by_id(&state.db, m.network_id).await?;
        let (current, accepted) = roundtable_store::charters::standing(&state.db, m.network_id, me).await?;
        memberships.push(serde_json::json!({
            "network": n.map(|n| n.name),
            "role": m.role.as_str(),
            "status": m.status.as_str(),
            "since": m.since.to_rfc3339(),
            "charter_version_accepted": accepted,
            "charter_current_version": current,
        }));
    }
    let sessions: Vec<_> = sessions::for_user(&state.db, me, Utc::now())
        .await?
        .into_iter()
        .map(|x| serde_json::json!({"device": x.user_agent, "started": x.created_at.to_rfc3339(), "last_active": x.last_seen_at.to_rfc3339()}))
        .collect();
    let tokens: Vec<_> = tokens::for_user(&state.db, me)
        .await?
        .into_iter()
        .map(|t| serde_json::json!({"name": t.name, "created": t.created_at.to_rfc3339()}))
        .collect();
    let addresses: Vec<_> = roundtable_store::login_failures::addresses_for_user(&state.db, me)
        .await?
        .into_iter()
        .map(|(address, at)| serde_json::json!({"address": address, "last_signed_in": at.to_rfc3339()}))
        .collect();
    let pairings: Vec<_> = buddies::history_of(&state.db, me)
        .await?
        .into_iter()
        .map(|b| {
            serde_json::json!({
                "network": b.network,
                "you_are": if b.newcomer == me { "newcomer" } else { "buddy" },
                "newcomer": b.newcomer_name, "buddy": b.buddy_name,
                "from": b.assigned_at.to_rfc3339(), "until": b.ended_at.map(|t| t.to_rfc3339()),
            })
        })
        .collect();
    let actions: Vec<_> = audit::by_actor(&state.db, me)
        .await?
        .into_iter()
        .map(|e| {
            serde_json::json!({
                "at": e.at.to_rfc3339(), "action": e.action, "network": e.network_name,
                "subject": e.subject, "detail": e.detail,
            })
        })
        .collect();
    Ok(serde_json::json!({
        "account": {
            "id": me.to_string(), "name": s.user.name, "email": s.user.email,
            "email_verified": s.user.email_verified_at.map(|t| t.to_rfc3339()),
            "organisation_admin": s.user.is_org_admin, "created": s.user.created_at.to_rfc3339(),
            "employee_id": employee_id,
        },
        "profile": {
            "job_title": p.job_title, "department": p.department, "location": p.location, "time_zone": p.time_zone,
            "preferred_name": p.preferred_name, "pronouns": p.pronouns, "level": p.level,
            "years_experience": p.years_experience, "bio": p.bio, "start_date": p.start_date,
            "manager": p.manager_name, "supports": p.supports.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(),
            "tags": p.tags.iter().map(|(k, t)| serde_json::json!({"kind": k, "tag": t})).collect::<Vec<_>>(),
            "visibility": serde_json::from_str::<serde_json::Value>(&p.visibility).unwrap_or_default(),
        },
        "memberships": memberships,
        "buddies": pairings,
        "sessions": sessions,
        "api_tokens": tokens,
        "sign_in_addresses": addresses,
        "your_actions": actions,
    }))
}

/// The same data flattened to rows (section, field, value) for a spreadsheet.
pub fn flatten(v: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
        match v {
            serde_json::Value::Object(m) => m
                .iter()
                .for_each(|(k, v)| walk(&if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") }, v, out)),
            serde_json::Value::Array(a) => {
                a.iter().enumerate().for_each(|(i, v)| walk(&format!("{prefix}[{}]", i + 1), v, out))
            }
            serde_json::Value::Null => out.push((prefix.to_owned(), String::new())),
            serde_json::Value::String(s) => out.push((prefix.to_owned(), s.clone())),
            other => out.push((prefix.to_owned(), other.to_string())),
        }
    }
    let mut out = Vec::new();
    walk("", v, &mut out);
    out
}

/// Deactivates the signed-in person's own account after checking their password.
pub async fn deactivate(state: &AppState, s: &Signed, password: &str) -> Result<()> {
    if !verify_password_async(password.to_owned(), s.user.password_hash.clone()).await {
        return Err(
            FieldError::new("confirm_password", "That password is not right; your account stays as it is.").into()
        );
    }
    let mut tx = state.db.begin().await?;
    if s.user.is_org_admin && roundtable_store::users::count_admins(&mut tx).await? <= 1 {
        return Err(AppError::Forbidden("You are the last administrator. Make someone else an administrator first."));
    }
    roundtable_store::users::set_deactivated(&mut tx, s.user.id, Some(Utc::now())).await?;
    roundtable_store::audit::record(
        &mut tx,
        &roundtable_store::audit::NewEntry {
            actor_id: Some(s.user.id),
            actor_name: &s.user.name,
            action: "person.deactivated_self",
            network_id: None,
            subject: &s.user.email,
            detail: "",
        },
        Utc::now(),
    )
    .await?;
    sessions::delete_for_user(&mut tx, s.user.id).await?;
    tx.commit().await?;
    Ok(())
}
