//! My account: change password, see and end sessions, manage personal API tokens, download
//! everything held about me (JSON and CSV), deactivate my account.

pub mod pages;

use crate::http::{AppError, Result, Signed};
use crate::security::{hash_password_async, random_token, token_hash};
use crate::state::AppState;
use chrono::Utc;
use roundtable_domain::{Actor, FieldError, Password, TokenId, UserId, parse_token_name};
use roundtable_store::links::{self, Purpose};
use roundtable_store::users::User;
use roundtable_store::{events, sessions, tokens};

pub async fn change_password(state: &AppState, s: &Signed, current: &str, new: &str) -> Result<()> {
    let mut errs = Vec::new();
    if !crate::accounts::confirm_password(state, &s.user, current).await? {
        errs.push(FieldError::new("current", "Your current password is not right."));
    }
    let new = Password::parse(new).map_err(|e| errs.push(e)).ok();
    let Some(new) = new.filter(|_| errs.is_empty()) else { return Err(AppError::Invalid(errs)) };
    let hash = hash_password_async(new.expose().to_owned()).await?;
    let mut tx = state.db.begin().await?;
    roundtable_store::users::set_password(&mut tx, s.user.id, &hash).await?;
    // A changed password ends every other session and every API token, in the same
    // transaction: if it leaked, the intruder (and any token they made) is out the moment the
    // new one counts.
    sessions::delete_others(&mut tx, s.user.id, &s.session_hash).await?;
    tokens::delete_all_for(&mut tx, s.user.id).await?;
    // And an open reset link (perhaps in a mailbox someone else reads) must not undo it.
    links::delete_open_for_user(&mut tx, s.user.id, Purpose::Reset).await?;
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

/// Signs out one of the signed-in person's other devices (a lost phone, a shared computer).
/// Someone else's session, an ended one or this very one (signing out is its own button) is
/// not found.
pub async fn sign_out_device(state: &AppState, s: &Signed, id_hash: &str) -> Result<()> {
    if id_hash == s.session_hash || !sessions::delete_one_of(&state.db, s.user.id, id_hash).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// A device as people know it ("Chrome on Windows 10", "Safari on iPhone") from the User-Agent
/// its browser sent at sign-in; what is not a known browser (a script, a new app) is shown as
/// sent, cut short.
pub fn device_name(user_agent: &str) -> String {
    let ua = user_agent.trim();
    if ua.is_empty() {
        return "Unknown device".into();
    }
    match woothee::parser::Parser::new().parse(ua) {
        Some(r) if r.browser_type == "browser" && r.name != woothee::woothee::VALUE_UNKNOWN => match r.os {
            woothee::woothee::VALUE_UNKNOWN => r.name.to_owned(),
            "Mac OSX" => format!("{} on macOS", r.name),
            os => format!("{} on {os}", r.name),
        },
        _ => ua.chars().take(60).collect(),
    }
}

pub async fn tokens(state: &AppState, s: &Signed) -> Result<Vec<tokens::ApiToken>> {
    Ok(tokens::for_user(&state.db, s.user.id).await?)
}

/// Creates a token and returns its secret, to be shown once. Only its hash is stored.
pub async fn create_token(state: &AppState, s: &Signed, name: &str) -> Result<String> {
    // Until the address is confirmed the account may not be its owner's (anyone can sign up
    // with an address of the organisation's domain): nothing made then may outlive that.
    if s.user.email_verified_at.is_none() {
        return Err(AppError::Forbidden(
            "Confirm your email address first: open the link we emailed you, or send a new one from this page.",
        ));
    }
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
/// right). Each table with a person column is here, as far as it is about them:
/// - account (with the HR employee id, which only org admins see elsewhere), the earlier
///   addresses an HR import changed (`email_changes`) and the names they changed on their
///   profile (`former_names`);
/// - profile with every field, the assistants who support them and the people who report to
///   them, and their photo (base64 JPEG);
/// - memberships (with when organisers last emailed a checklist reminder, and the note left
///   with a request to join still waiting), every charter
///   version accepted (and any they published), onboarding checklists (steps done per network,
///   and when an organiser marked them settled in), buddy pairings on either side (ended ones
///   too);
/// - events: RSVPs, attendance, the feedback they gave, what they host and created, and their
///   calendar feeds (for what, made and revoked when — never the secret URL);
/// - sessions, API tokens (names, when made and last used), the addresses they signed in from
///   (kept for the sign-in limits), failed sign-ins still counted against the account, links
///   sent to them and mail to them (the text, its single-use links hidden as on the admins'
///   outbox page: a live reset link must not travel in a download);
/// - the audit entries of their own actions.
///
/// Not here: others' records that mention them (an organiser's minutes; audit entries of others'
/// actions about them, bar the email changes), and no secret (tokens, feeds and links are stored
/// hashed anyway).
pub async fn my_data(state: &AppState, user: &User) -> Result<serde_json::Value> {
    use roundtable_store::{audit, buddies, import, networks, profiles};
    let db = &state.db;
    let me = user.id;
    let t = crate::api::time;
    let employee_id = import::employee_ids(db, &[me]).await?.into_iter().next().map(|(_, id)| id);
    let p = profiles::get(db, me).await?.ok_or(AppError::NotFound)?;
    let email_changes = audit::email_changes(&mut import::Source::Db(db), &user.email, user.created_at).await?;
    // Addresses are reused: mail and links to one are theirs only while they held it.
    let held = audit::held_addresses(&mut import::Source::Db(db), &user.email, user.created_at, &email_changes).await?;
    let nudged = roundtable_store::onboarding::nudged_of(db, me).await?;
    let notes = networks::request_notes_of(db, me).await?;
    let mut memberships = Vec::new();
    for m in networks::memberships_of(db, me).await? {
        let n = networks::by_id(db, m.network_id).await?;
        let (current, accepted) = roundtable_store::charters::standing(db, m.network_id, me).await?;
        let reminded = nudged.iter().find(|(net, _)| *net == m.network_id).map(|(_, at)| t(*at));
        memberships.push(serde_json::json!({
            "network": n.map(|n| n.name),
            "role": m.role.as_str(),
            "status": m.status.as_str(),
            "since": t(m.since),
            "charter_version_accepted": accepted,
            "charter_current_version": current,
            "onboarding_reminder_emailed": reminded,
            "request_note": notes.iter().find(|(net, _)| *net == m.network_id).map(|(_, note)| note),
        }));
    }
    let charters = |list: Vec<(String, i64, chrono::DateTime<Utc>)>| -> Vec<serde_json::Value> {
        let one = |(network, version, at)| serde_json::json!({"network": network, "version": version, "at": t(at)});
        list.into_iter().map(one).collect()
    };
    let onboarding: Vec<_> = crate::onboarding::checklists_of(state, me)
        .await?
        .into_iter()
        .map(|c| {
            let steps: Vec<_> = c
                .steps
                .into_iter()
                .map(|(v, ticked)| {
                    serde_json::json!({
                        "step": v.step.title, "done": v.done,
                        "how": match v.step.automatic.as_str() {
                            "" => "ticked by you".to_owned(),
                            kind => format!("automatic ({kind})"),
                        },
                        "ticked": ticked.map(t),
                    })
                })
                .collect();
            let mut entry = if c.charter_pending {
                serde_json::json!({"network": c.network, "steps": steps, "pending": "accept the network's current charter to see its steps"})
            } else {
                serde_json::json!({"network": c.network, "steps": steps})
            };
            // An organiser ended their onboarding there: said, with when.
            if let Some(at) = c.settled_in {
                entry["settled_in"] = serde_json::json!({"marked": t(at), "by": "an organiser of the network"});
            }
            entry
        })
        .collect();
    let sessions: Vec<_> = sessions::for_user(db, me, Utc::now())
        .await?
        .into_iter()
        .map(|x| {
            serde_json::json!({"device": x.user_agent, "started": t(x.created_at), "last_active": t(x.last_seen_at)})
        })
        .collect();
    let tokens: Vec<_> = tokens::for_user(db, me)
        .await?
        .into_iter()
        .map(|x| serde_json::json!({"name": x.name, "created": t(x.created_at), "last_used": x.last_used_at.map(t)}))
        .collect();
    let addresses: Vec<_> = roundtable_store::login_failures::addresses_for_user(db, me)
        .await?
        .into_iter()
        .map(|(address, at)| serde_json::json!({"address": address, "last_signed_in": t(at)}))
        .collect();
    // Under every address they had, while they had it (a failure under an address someone else
    // holds now, or held before, is that person's).
    let mut failed_sign_ins = Vec::new();
    for h in &held {
        let (from, until) = h.bounds();
        let key = crate::accounts::account_failure_key(&h.address);
        for at in roundtable_store::login_failures::times_for_key(db, &key).await? {
            if (from..until).contains(&at.timestamp_micros()) {
                failed_sign_ins.push(at);
            }
        }
    }
    failed_sign_ins.sort();
    let failed_sign_ins: Vec<_> = failed_sign_ins.into_iter().map(t).collect();
    // Wrong answers where the password was asked again (changing it, deactivating).
    let confirm_key = crate::accounts::confirm_key(me);
    let failed_confirmations: Vec<_> =
        roundtable_store::login_failures::times_for_key(db, &confirm_key).await?.into_iter().map(t).collect();
    let pairings: Vec<_> = buddies::history_of(db, me)
        .await?
        .into_iter()
        .map(|b| {
            serde_json::json!({
                "network": b.network,
                "you_are": if b.newcomer == me { "newcomer" } else { "buddy" },
                "newcomer": b.newcomer_name, "buddy": b.buddy_name,
                "from": t(b.assigned_at), "until": b.ended_at.map(t),
            })
        })
        .collect();
    let part = |x: events::Part, what: &str| {
        serde_json::json!({
            "event": x.title, "network": x.network_name, "occurrence": t(x.occurrence_at),
            (what): x.what, "at": t(x.at),
        })
    };
    let rsvps: Vec<_> = events::rsvps_of(db, me).await?.into_iter().map(|x| part(x, "response")).collect();
    let attendance: Vec<_> = events::attendance_of(db, me).await?.into_iter().map(|x| part(x, "recorded_by")).collect();
    let feedback: Vec<_> = events::feedback_of(db, me)
        .await?
        .into_iter()
        .map(|f| {
            serde_json::json!({
                "event": f.title, "network": f.network_name, "occurrence": t(f.occurrence_at),
                "rating": f.rating, "comment": f.comment, "given": t(f.created_at),
            })
        })
        .collect();
    let hosting: Vec<_> = events::hosting_of(db, me)
        .await?
        .into_iter()
        .map(|(title, network, at)| {
            let occurrence = at.map_or_else(|| "every occurrence".to_owned(), t);
            serde_json::json!({"event": title, "network": network, "occurrence": occurrence})
        })
        .collect();
    let created: Vec<_> = events::created_by(db, me)
        .await?
        .into_iter()
        .map(|(title, network, starts, at)| {
            serde_json::json!({"event": title, "network": network, "starts": t(starts), "created": t(at)})
        })
        .collect();
    let feeds: Vec<_> = events::all_feeds_of(db, me)
        .await?
        .into_iter()
        .map(|f| {
            let calendar = f
                .network_name
                .map_or_else(|| "your own calendar (all your events)".to_owned(), |n| format!("the network {n}"));
            serde_json::json!({"calendar": calendar, "created": t(f.created_at), "revoked": f.revoked_at.map(t)})
        })
        .collect();
    let photo = profiles::photo(db, me).await?.map(|(jpeg_base64, updated)| {
        serde_json::json!({
            "content_type": "image/jpeg", "encoding": "base64", "data": jpeg_base64, "updated": t(updated),
        })
    });
    let links: Vec<_> = roundtable_store::links::for_person(db, me, &held)
        .await?
        .into_iter()
        .map(|l| {
            serde_json::json!({
                "purpose": l.purpose, "created": t(l.created_at), "expires": t(l.expires_at),
                "used": l.used_at.map(t),
            })
        })
        .collect();
    let mut mail = Vec::new();
    for h in &held {
        for m in roundtable_store::outbox::to_address(db, h).await? {
            mail.push(serde_json::json!({
                "to": h.address, "subject": m.subject, "text": crate::mail::redact_links(&m.text),
                "queued": t(m.queued), "status": m.status, "sent": m.sent.map(t),
            }));
        }
    }
    let email_changes: Vec<_> = email_changes
        .into_iter()
        .map(|c| {
            serde_json::json!({
                "from": c.from, "to": c.to, "at": t(c.entry.at), "by": c.entry.actor_name, "detail": c.entry.detail,
            })
        })
        .collect();
    // Others' profiles name them as manager or supported executive; each entry shows only where
    // its owner lets them see that field, as their profile page would.
    let actor = Actor { user_id: user.id, is_org_admin: user.is_org_admin };
    let snapshot = state.snapshot().await?;
    let (reports, supported_by) = crate::members::named_below(state, &snapshot, &actor, me).await?;
    let names =
        |people: Vec<(roundtable_domain::UserId, String)>| people.into_iter().map(|(_, name)| name).collect::<Vec<_>>();
    let (reports, supported_by) = (names(reports), names(supported_by));
    let actions: Vec<_> = audit::by_actor(db, me)
        .await?
        .into_iter()
        .map(|e| {
            serde_json::json!({
                "at": t(e.at), "action": e.action, "network": e.network_name,
                "subject": e.subject, "detail": e.detail,
            })
        })
        .collect();
    // What administrators and organisers recorded about them (an invitation, a role change,
    // attendance), under each address they had.
    let mut about = Vec::new();
    for h in &held {
        about.extend(audit::about(db, h, me).await?);
    }
    about.sort_by_key(|e| e.at);
    let about: Vec<_> = about
        .into_iter()
        .map(|e| {
            serde_json::json!({
                "at": t(e.at), "by": e.actor_name, "action": e.action, "network": e.network_name,
                "subject": e.subject, "detail": e.detail,
            })
        })
        .collect();
    Ok(serde_json::json!({
        "account": {
            "id": me.to_string(), "name": user.name, "email": user.email,
            "email_verified": user.email_verified_at.map(t),
            "organisation_admin": user.is_org_admin, "created": t(user.created_at),
            "employee_id": employee_id,
            "email_changes": email_changes,
            "former_names": roundtable_store::users::former_names(db, me)
                .await?
                .into_iter()
                .map(|(name, until)| serde_json::json!({ "name": name, "until": t(until) }))
                .collect::<Vec<_>>(),
        },
        "profile": {
            "job_title": p.job_title, "department": p.department, "location": p.location, "time_zone": p.time_zone,
            "preferred_name": p.preferred_name, "pronouns": p.pronouns, "level": p.level,
            "years_experience": p.years_experience, "bio": p.bio, "start_date": p.start_date,
            "manager": p.manager_name, "supports": p.supports.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(),
            "supported_by": supported_by,
            "reports": reports,
            "tags": p.tags.iter().map(|(k, t)| serde_json::json!({"kind": k, "tag": t})).collect::<Vec<_>>(),
            "visibility": serde_json::from_str::<serde_json::Value>(&p.visibility).unwrap_or_default(),
        },
        "photo": photo,
        "memberships": memberships,
        "charter_acceptances": charters(roundtable_store::charters::accepted_by(db, me).await?),
        "charters_published": charters(roundtable_store::charters::published_by(db, me).await?),
        "onboarding": onboarding,
        "buddies": pairings,
        "event_rsvps": rsvps,
        "event_attendance": attendance,
        "event_feedback": feedback,
        "events_hosted": hosting,
        "events_created": created,
        "calendar_feeds": feeds,
        "sessions": sessions,
        "api_tokens": tokens,
        "sign_in_addresses": addresses,
        "failed_sign_ins": failed_sign_ins,
        "failed_password_confirmations": failed_confirmations,
        "links_sent_to_you": links,
        "emails_to_you": mail,
        "your_actions": actions,
        "recorded_about_you": about,
    }))
}

/// `my_data` flattened for a spreadsheet (`flatten`): the CSV download of the account page and
/// of `/api/v1/me/data.csv`.
pub async fn my_data_rows(state: &AppState, user: &User) -> Result<Vec<(String, String)>> {
    Ok(flatten(&my_data(state, user).await?))
}

/// The same data flattened to rows (section, field, value) for a spreadsheet. The photo, which
/// a spreadsheet cannot show, is one line saying it is held and where to get it.
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
    let mut v = v.clone();
    if let Some(photo) = v.get_mut("photo").filter(|p| !p.is_null()) {
        *photo = serde_json::Value::String(PHOTO_HELD.into());
    }
    let mut out = Vec::new();
    walk("", &v, &mut out);
    out
}

/// The CSV's line for a photo.
pub const PHOTO_HELD: &str = "A profile photo is held (JPEG); the JSON download has it as base64.";

/// The networks `user` is the only active Chair of (name, slug), by name: their account's end
/// would leave those with no Chair until an org admin names one.
pub async fn only_chair_of(state: &AppState, user: UserId) -> Result<Vec<(String, String)>> {
    let organised = crate::networks::organised_in(&*state.snapshot().await?, &[user].into_iter().collect());
    Ok(organised.into_values().flatten().filter(|o| o.only_chair).map(|o| (o.network, o.slug)).collect())
}

/// Deactivates the person's own account after checking their password: they are signed out
/// everywhere, and their API tokens stop working (an inactive account authenticates nothing).
/// They are emailed a receipt naming the administrators to ask — to come back, to have their
/// data erased, or at once if it was not them (a session left open elsewhere).
///
/// Returns the networks (name, slug) left with no active Chair: the account page warned of
/// them beforehand, an API client hears of them in the answer.
pub async fn deactivate(state: &AppState, user: &User, password: &str) -> Result<Vec<(String, String)>> {
    if password.is_empty() {
        return Err(FieldError::new(
            "confirm_password",
            "Enter your password to confirm; your account stays as it is.",
        )
        .into());
    }
    if !crate::accounts::confirm_password(state, user, password).await? {
        return Err(
            FieldError::new("confirm_password", "That password is not right; your account stays as it is.").into()
        );
    }
    let ask = crate::accounts::admins_to_ask(state, &user.email).await?;
    let chairless = only_chair_of(state, user.id).await?;
    let mut tx = state.db.begin().await?;
    if user.is_org_admin && roundtable_store::users::count_admins(&mut tx).await? <= 1 {
        return Err(AppError::Forbidden("You are the last administrator. Make someone else an administrator first."));
    }
    roundtable_store::users::set_deactivated(&mut tx, user.id, Some(Utc::now())).await?;
    roundtable_store::audit::record(
        &mut tx,
        &roundtable_store::audit::NewEntry {
            actor_id: Some(user.id),
            actor_name: &user.name,
            action: "person.deactivated_self",
            network_id: None,
            subject: &user.email,
            detail: "",
        },
        Utc::now(),
    )
    .await?;
    sessions::delete_for_user(&mut tx, user.id).await?;
    roundtable_store::tokens::delete_all_for(&mut tx, user.id).await?;
    crate::events::queue_giving_up(&mut tx, user.id, None, crate::events::GivenUp::ClosedOwn, Utc::now()).await?;
    let receipt = crate::mail::Email {
        to: &user.email,
        subject: "You have deactivated your Roundtable account".to_owned(),
        paragraphs: vec![
            "You have deactivated your Roundtable account: you are signed out everywhere, your API tokens no longer work, and you are no longer on member lists or in the directory.".to_owned(),
            format!(
                "Your data stay until an administrator erases them. To come back, or to have your data erased, ask {ask}."
            ),
            "If you did not do this, tell an administrator at once.".to_owned(),
        ],
        action: None,
        reply_to: None,
    };
    crate::mail::queue(&mut tx, &receipt, Utc::now()).await?;
    tx.commit().await?;
    Ok(chairless)
}

#[cfg(test)]
mod tests {
    use super::device_name;

    #[test]
    fn devices_are_named_as_people_know_them() {
        let named = [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
                "Edge on Windows 10",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                "Safari on macOS",
            ),
            (
                "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"),
            ("curl/8.5.0", "curl/8.5.0"),
            ("", "Unknown device"),
        ];
        for (ua, name) in named {
            assert_eq!(device_name(ua), name, "{ua}");
        }
        assert_eq!(device_name(&"x".repeat(200)).chars().count(), 60, "an unknown long string is cut short");
    }
}
