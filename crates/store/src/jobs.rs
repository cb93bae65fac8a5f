//! The job queue: a table every instance polls. A claim marks a job running with a lease; a job
//! whose lease ran out (its instance died) is claimed again. Idempotency keys (`dedupe_key`)
//! make enqueueing the same work twice a no-op, which is also how cron ticks run once.

use crate::{Db, Dialect, Result, Row, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::JobId;

queries! {
    INSERT = "INSERT INTO jobs (id, kind, payload, dedupe_key, status, run_at, max_attempts, created_at, updated_at) VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $7) ON CONFLICT (dedupe_key) DO NOTHING";
    /// PostgreSQL: SKIP LOCKED lets instances claim different jobs without waiting on each other.
    CLAIM_PG = "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1, updated_at = $3 WHERE id = (SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3) ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, kind, payload, attempts, max_attempts";
    /// SQLite: the single writer already serialises claims; no row locks exist.
    CLAIM_SQLITE = "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1, updated_at = $3 WHERE id = (SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3) ORDER BY run_at LIMIT 1) RETURNING id, kind, payload, attempts, max_attempts";
    DONE = "UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL, updated_at = $2 WHERE id = $1";
    RETRY = "UPDATE jobs SET status = 'queued', run_at = $2, last_error = $3, locked_by = NULL, locked_until = NULL, updated_at = $4 WHERE id = $1";
    FAIL = "UPDATE jobs SET status = 'failed', last_error = $2, locked_by = NULL, locked_until = NULL, updated_at = $3 WHERE id = $1";
    COUNT_BY_STATUS = "SELECT status, COUNT(*) FROM jobs GROUP BY status ORDER BY status";
    PURGE_DONE = "DELETE FROM jobs WHERE status = 'done' AND updated_at <= $1";
}

/// A job claimed by this worker.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
}

fn map_claimed(r: &Row) -> Result<Claimed> {
    Ok(Claimed {
        id: JobId(r.uuid(0)?),
        kind: r.text(1)?,
        payload: r.text(2)?,
        attempts: r.int(3)?,
        max_attempts: r.int(4)?,
    })
}

/// Work to enqueue.
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub payload: String,
    /// Enqueueing again with the same key does nothing.
    pub dedupe_key: Option<String>,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i64,
}

/// Enqueues inside the caller's transaction; `None` when the dedupe key already existed.
pub async fn enqueue_tx(tx: &mut Tx, j: NewJob<'_>, now: DateTime<Utc>) -> Result<Option<JobId>> {
    let id = JobId::new();
    let n = tx.write(INSERT, params![id, j.kind, j.payload, j.dedupe_key, j.run_at, j.max_attempts, now]).await?;
    Ok((n > 0).then_some(id))
}

pub async fn enqueue(db: &Db, j: NewJob<'_>, now: DateTime<Utc>) -> Result<Option<JobId>> {
    let id = JobId::new();
    let n = db.write(INSERT, params![id, j.kind, j.payload, j.dedupe_key, j.run_at, j.max_attempts, now]).await?;
    Ok((n > 0).then_some(id))
}

/// Claims the next due job for `worker`, leased until `lease_until`.
pub async fn claim(db: &Db, worker: &str, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> Result<Option<Claimed>> {
    let sql = match db.dialect() {
        Dialect::Postgres => CLAIM_PG,
        Dialect::Sqlite => CLAIM_SQLITE,
    };
    db.write_returning(sql, params![worker, lease_until, now]).await?.first().map(map_claimed).transpose()
}

pub async fn done(db: &Db, id: JobId, now: DateTime<Utc>) -> Result<()> {
    db.write(DONE, params![id, now]).await.map(|_| ())
}

pub async fn retry(db: &Db, id: JobId, at: DateTime<Utc>, error: &str, now: DateTime<Utc>) -> Result<()> {
    db.write(RETRY, params![id, at, error, now]).await.map(|_| ())
}

pub async fn fail(db: &Db, id: JobId, error: &str, now: DateTime<Utc>) -> Result<()> {
    db.write(FAIL, params![id, error, now]).await.map(|_| ())
}

/// Job counts by status, for `/metrics` and the admin page.
pub async fn counts(db: &Db) -> Result<Vec<(String, i64)>> {
    db.read(COUNT_BY_STATUS, vec![]).await?.iter().map(|r| Ok((r.text(0)?, r.int(1)?))).collect()
}

pub async fn purge_done(db: &Db, before: DateTime<Utc>) -> Result<u64> {
    db.write(PURGE_DONE, params![before]).await
}
