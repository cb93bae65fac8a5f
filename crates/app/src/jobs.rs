//! Background jobs: kinds, enqueueing, and the worker loop that runs inside `serve` (or
//! `roundtable worker`). Claims go through the store's dialect-specific query, so with several
//! instances on one PostgreSQL each job runs once; cron ticks enqueue with a dedupe key per
//! period, so a tick also runs once however many instances see it.

use crate::mail;
use crate::state::AppState;
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use roundtable_domain::MessageId;
use roundtable_store::{Db, Tx, jobs, links, login_failures, outbox, sessions};
use std::time::Duration as StdDuration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SendEmail,
    /// Hourly: remove expired sessions, links, old login failures and finished jobs.
    Cleanup,
    /// Every minute: event reminders and post-event feedback requests that fell due.
    EventNotices,
    /// "Forgot your password?" for an address: looked up and answered here, so the page takes
    /// the same time whether an account uses the address or not.
    PasswordReset,
    /// Someone left a network, was removed from it or lost their account: their answers to
    /// events to come are given up and the waiting lists move (`events::give_up_places`); for
    /// an account, the networks it organised are told (`networks::tell_of_organisers_gone`).
    GiveUpPlaces,
    /// An account was reactivated (by an org admin or an HR import): the networks it organises
    /// are told it acts again and, reactivated by hand, its owner that they may sign in again
    /// (`networks::tell_of_reactivation`).
    Reactivated,
    /// Organisers are emailed about the requests to join made since the last run, together
    /// (`networks::send_request_notices`).
    RequestNotices,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SendEmail => "send_email",
            Kind::Cleanup => "cleanup",
            Kind::EventNotices => "event_notices",
            Kind::PasswordReset => "password_reset",
            Kind::GiveUpPlaces => "give_up_places",
            Kind::Reactivated => "reactivated",
            Kind::RequestNotices => "request_notices",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        // Its name until it also told the person: a job queued before an upgrade still runs.
        if s == "organiser_back" {
            return Some(Kind::Reactivated);
        }
        [
            Kind::SendEmail,
            Kind::Cleanup,
            Kind::EventNotices,
            Kind::PasswordReset,
            Kind::GiveUpPlaces,
            Kind::Reactivated,
            Kind::RequestNotices,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
    fn max_attempts(self) -> i64 {
        match self {
            Kind::SendEmail => 8,
            Kind::Cleanup => 3,
            Kind::EventNotices => 3,
            Kind::PasswordReset => 3,
            Kind::GiveUpPlaces => 8,
            Kind::Reactivated => 8,
            Kind::RequestNotices => 3,
        }
    }
}

/// Cron schedules: (kind, cron expression).
/// Requests to join are announced every ten minutes: soon enough to answer the same morning,
/// rarely enough that a launch day's requests come in a few emails.
const SCHEDULES: &[(Kind, &str)] =
    &[(Kind::Cleanup, "7 * * * *"), (Kind::EventNotices, "* * * * *"), (Kind::RequestNotices, "*/10 * * * *")];

pub async fn enqueue_tx(
    tx: &mut Tx,
    kind: Kind,
    payload: &serde_json::Value,
    dedupe_key: Option<String>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    jobs::enqueue_tx(
        tx,
        jobs::NewJob {
            kind: kind.as_str(),
            payload: payload.to_string(),
            dedupe_key,
            run_at: now,
            max_attempts: kind.max_attempts(),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Enqueues with a dedupe key inside `tx`; false when a job with that key already exists (from
/// this or another instance), so the caller can skip the work that goes with it.
pub async fn enqueue_once_tx(
    tx: &mut Tx,
    kind: Kind,
    payload: &serde_json::Value,
    key: String,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let job = jobs::NewJob {
        kind: kind.as_str(),
        payload: payload.to_string(),
        dedupe_key: Some(key),
        run_at: now,
        max_attempts: kind.max_attempts(),
    };
    Ok(jobs::enqueue_tx(tx, job, now).await?.is_some())
}

/// Exponential backoff: 10 s, 20 s, 40 s … capped at an hour.
pub fn backoff(attempts: i64) -> Duration {
    let secs = 10i64.saturating_mul(1i64 << attempts.clamp(1, 16).saturating_sub(1));
    Duration::seconds(secs.min(3600))
}

/// Enqueues the ticks of every schedule that fell due since `since` (deduplicated per tick).
pub async fn schedule_due(db: &Db, since: DateTime<Utc>, now: DateTime<Utc>) -> anyhow::Result<()> {
    for (kind, expr) in SCHEDULES {
        let cron: croner::Cron = expr.parse().with_context(|| format!("cron {expr}"))?;
        if let Ok(next) = cron.find_next_occurrence(&since, false)
            && next <= now
        {
            let key = format!("cron:{}:{}", kind.as_str(), next.timestamp());
            jobs::enqueue(
                db,
                jobs::NewJob {
                    kind: kind.as_str(),
                    payload: "{}".into(),
                    dedupe_key: Some(key),
                    run_at: now,
                    max_attempts: kind.max_attempts(),
                },
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// Runs one claimed job. Errors are retried with backoff until `max_attempts`.
async fn run(state: &AppState, kind: Kind, payload: &str) -> anyhow::Result<()> {
    let now = Utc::now();
    match kind {
        Kind::SendEmail => {
            #[derive(serde::Deserialize)]
            struct P {
                message_id: MessageId,
            }
            let p: P = serde_json::from_str(payload).context("send_email payload")?;
            let Some(msg) = outbox::by_id(&state.db, p.message_id).await? else { return Ok(()) };
            if msg.status == "sent" {
                return Ok(()); // a retry after a crash between sending and recording
            }
            match mail::deliver(&state.config, &msg).await {
                Ok(file) => {
                    outbox::mark_sent(&state.db, msg.id, now, file.as_deref()).await?;
                    metrics::counter!("roundtable_emails_sent_total").increment(1);
                }
                Err(e) => {
                    outbox::mark_failed(&state.db, msg.id, "retrying", &format!("{e:#}")).await?;
                    return Err(e);
                }
            }
        }
        Kind::Cleanup => {
            sessions::purge(&state.db, now).await?;
            // A day after expiry: links ended early still count towards an address's daily
            // invitation limit meanwhile.
            links::purge(&state.db, now).await?;
            login_failures::purge(&state.db, now - Duration::days(1)).await?;
            jobs::purge_done(&state.db, now - Duration::days(7)).await?;
        }
        Kind::EventNotices => {
            crate::events::send_due_notices(state, now).await.map_err(|e| anyhow::anyhow!("event notices: {e}"))?;
        }
        Kind::RequestNotices => {
            crate::networks::send_request_notices(state, now)
                .await
                .map_err(|e| anyhow::anyhow!("request notices: {e}"))?;
        }
        Kind::PasswordReset => {
            #[derive(serde::Deserialize)]
            struct P {
                email: String,
            }
            let p: P = serde_json::from_str(payload).context("password_reset payload")?;
            crate::accounts::send_requested_reset(state, &p.email)
                .await
                .map_err(|e| anyhow::anyhow!("password reset: {e}"))?;
        }
        Kind::GiveUpPlaces => {
            #[derive(serde::Deserialize)]
            struct P {
                user: roundtable_domain::UserId,
                network: Option<roundtable_domain::NetworkId>,
                why: crate::events::GivenUp,
            }
            let p: P = serde_json::from_str(payload).context("give_up_places payload")?;
            crate::events::give_up_places(state, p.user, p.network, p.why)
                .await
                .map_err(|e| anyhow::anyhow!("giving up places: {e}"))?;
            if p.network.is_none() {
                crate::networks::tell_of_organisers_gone(state, p.user)
                    .await
                    .map_err(|e| anyhow::anyhow!("telling of an organiser gone: {e}"))?;
            }
        }
        Kind::Reactivated => {
            #[derive(serde::Deserialize)]
            struct P {
                user: roundtable_domain::UserId,
                #[serde(default)]
                tell_person: bool,
                #[serde(default)]
                at: Option<DateTime<Utc>>,
            }
            let p: P = serde_json::from_str(payload).context("reactivated payload")?;
            crate::networks::tell_of_reactivation(state, p.user, p.tell_person, p.at)
                .await
                .map_err(|e| anyhow::anyhow!("telling of a reactivation: {e}"))?;
        }
    }
    Ok(())
}

/// Claims and runs due jobs until none is left; returns how many ran.
pub async fn drain(state: &AppState, worker: &str) -> anyhow::Result<usize> {
    let mut n = 0;
    loop {
        let now = Utc::now();
        let Some(job) = jobs::claim(&state.db, worker, now, now + Duration::minutes(5)).await? else {
            return Ok(n);
        };
        n += 1;
        let outcome = match Kind::parse(&job.kind) {
            Some(kind) => run(state, kind, &job.payload).await,
            None => Err(anyhow::anyhow!("unknown job kind {}", job.kind)),
        };
        let now = Utc::now();
        match outcome {
            Ok(()) => jobs::done(&state.db, job.id, now).await?,
            Err(e) if job.attempts < job.max_attempts => {
                tracing::warn!(job = %job.id, kind = job.kind, error = %format!("{e:#}"), "job failed; will retry");
                jobs::retry(&state.db, job.id, now + backoff(job.attempts), &format!("{e:#}"), now).await?;
            }
            Err(e) => {
                tracing::error!(job = %job.id, kind = job.kind, error = %format!("{e:#}"), "job failed for good");
                jobs::fail(&state.db, job.id, &format!("{e:#}"), now).await?;
                if job.kind == Kind::SendEmail.as_str()
                    && let Ok(p) = serde_json::from_str::<serde_json::Value>(&job.payload)
                    && let Some(id) = p["message_id"].as_str().and_then(MessageId::parse)
                {
                    outbox::mark_failed(&state.db, id, "failed", &format!("{e:#}")).await?;
                }
            }
        }
    }
}

/// The worker loop: poll every `interval`, run cron ticks, drain the queue. Never returns.
pub async fn worker(state: AppState, interval: StdDuration) {
    let name = format!("{}-{}", hostname(), uuid::Uuid::now_v7().simple());
    let mut last_tick = Utc::now();
    loop {
        let now = Utc::now();
        if let Err(e) = schedule_due(&state.db, last_tick, now).await {
            tracing::error!(error = %format!("{e:#}"), "scheduling cron jobs");
        }
        last_tick = now;
        if let Err(e) = drain(&state, &name).await {
            tracing::error!(error = %format!("{e:#}"), "job worker");
        }
        tokio::time::sleep(interval).await;
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map(|s| s.trim().to_owned()).unwrap_or_else(|_| "worker".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::seconds(10));
        assert_eq!(backoff(2), Duration::seconds(20));
        assert_eq!(backoff(30), Duration::seconds(3600));
    }
}
