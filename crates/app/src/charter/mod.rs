//! Network charters: organisers publish versions (Markdown); joining needs the current version
//! accepted, and a new version asks every member to accept again before they use the network
//! (enforced in `networks::load`).

pub mod api;
pub mod pages;

use crate::http::{AppError, Result};
use crate::mail::{self, Email as Mail};
use crate::members::markdown;
use crate::networks::{self, Seen};
use crate::state::AppState;
use chrono::Utc;
use roundtable_domain::{Actor, Capability, FieldError, LongText, MembershipStatus, UserId};
use roundtable_store::audit;
use roundtable_store::charters::{self, Charter};

pub struct CharterView {
    pub seen: Seen,
    pub charter: Option<Charter>,
    pub html: String,
    pub accepted: Option<i64>,
}

/// The network's current charter, for anyone who may see the network (so people can read it
/// before they join).
pub async fn show(state: &AppState, actor: &Actor, slug: &str) -> Result<CharterView> {
    let seen = networks::load(state, actor, slug, Capability::SeeNetwork).await?;
    let charter = charters::current(&state.db, seen.network.id).await?;
    let (_, accepted) = charters::standing(&state.db, seen.network.id, actor.user_id).await?;
    let html = charter.as_ref().map(|c| markdown(&c.body)).unwrap_or_default();
    Ok(CharterView { seen, charter, html, accepted })
}

/// A member accepts the current version (`version` is what they read, so a version published
/// meanwhile is not accepted unseen).
pub async fn accept(state: &AppState, actor: &Actor, slug: &str, version: Option<i64>) -> Result<()> {
    let seen = networks::load(state, actor, slug, Capability::SeeNetwork).await?;
    if seen.status() != Some(MembershipStatus::Active) {
        return Err(AppError::Forbidden("Only members accept the charter; to join, use the join button."));
    }
    let current = charters::current(&state.db, seen.network.id).await?.ok_or(AppError::NotFound)?;
    if version != Some(current.version) {
        return Err(FieldError::new("accept", "Please tick the box to accept this version of the charter.").into());
    }
    let mut tx = state.db.begin().await?;
    charters::accept(&mut tx, seen.network.id, actor.user_id, current.version, Utc::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes a new version (Chair, Administrator, org admin) and tells every member by email.
pub async fn publish(state: &AppState, actor: &Actor, actor_name: &str, slug: &str, body: &str) -> Result<i64> {
    let snapshot = state.snapshot().await?;
    let seen = networks::load_in(&snapshot, actor, slug, Capability::EditNetwork)?;
    let body = LongText::parse("body", body, 20_000)?;
    if body.as_str().is_empty() {
        return Err(FieldError::new("body", "Write the charter before publishing it.").into());
    }
    let now = Utc::now();
    let members = snapshot.members(seen.network.id, "", usize::MAX, 0);
    let mut tx = state.db.begin().await?;
    let version = charters::publish(&mut tx, seen.network.id, body.as_str(), actor.user_id, now).await?;
    // The publisher accepts what they publish.
    if seen.status() == Some(MembershipStatus::Active) {
        charters::accept(&mut tx, seen.network.id, actor.user_id, version, now).await?;
    }
    audit::record(
        &mut tx,
        &audit::NewEntry {
            actor_id: Some(actor.user_id),
            actor_name,
            action: "charter.published",
            network_id: Some(seen.network.id),
            subject: &format!("version {version}"),
            detail: "",
        },
        now,
    )
    .await?;
    for m in members.rows().filter(|m| m.id != actor.user_id) {
        mail::queue(
            &mut tx,
            &Mail {
                to: m.email,
                subject: format!("{}: please read the updated charter", seen.network.name),
                paragraphs: vec![format!("{} has published version {version} of its charter. Please read it and accept it the next time you visit the network.", seen.network.name)],
                action: Some(("Read the charter", format!("{}/n/{}/charter", state.config.public_url(), seen.network.slug))),
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(version)
}

/// Who accepted which version (organisers).
pub async fn acceptances(
    state: &AppState,
    actor: &Actor,
    slug: &str,
) -> Result<(Seen, Option<i64>, Vec<(UserId, String, Option<i64>, Option<chrono::DateTime<Utc>>)>)> {
    let seen = networks::load(state, actor, slug, Capability::Organise).await?;
    let current = charters::current(&state.db, seen.network.id).await?.map(|c| c.version);
    let list = charters::acceptances(&state.db, seen.network.id).await?;
    Ok((seen, current, list))
}
