//! Outgoing email. A message is queued here (with a job to send it) in the same transaction as
//! the change that causes it; the sender job delivers it by SMTP or writes a .eml file.

use crate::{Db, Result, Row, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::MessageId;

queries! {
    /// `$7`: an iCalendar invitation or cancellation to attach (events), or NULL; `$8`: where
    /// replies go, or NULL.
    INSERT = "INSERT INTO outbox (id, created_at, to_addr, subject, text_body, html_body, status, ics, reply_to) VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8)";
    DELETE = "DELETE FROM outbox WHERE id = $1 AND status = 'queued'";
    BY_ID = "SELECT id, created_at, to_addr, subject, text_body, html_body, status, attempts, sent_at, last_error, file_name, ics, reply_to FROM outbox WHERE id = $1";
    MARK_SENT = "UPDATE outbox SET status = 'sent', sent_at = $2, file_name = $3, attempts = attempts + 1 WHERE id = $1 AND status <> 'sent'";
    MARK_FAILED = "UPDATE outbox SET status = $2, last_error = $3, attempts = attempts + 1 WHERE id = $1";
    PAGE = "SELECT id, created_at, to_addr, subject, text_body, html_body, status, attempts, sent_at, last_error, file_name, ics, reply_to FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2";
    COUNT = "SELECT COUNT(*) FROM outbox";
    /// Mail to one address while one person held it, without bodies (they may hold live sign-in
    /// links).
    TO_ADDRESS = "SELECT subject, text_body, created_at, status, sent_at FROM outbox WHERE to_addr = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at, id";
}

#[derive(Debug, Clone)]
pub struct Message {
    pub id: MessageId,
    pub created_at: DateTime<Utc>,
    pub to: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub status: String,
    pub attempts: i64,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub file_name: Option<String>,
    /// An iCalendar part (METHOD:REQUEST or CANCEL) to attach, if any.
    pub ics: Option<String>,
    /// The address replies go to (the organiser who wrote it), if not the sender's.
    pub reply_to: Option<String>,
}

fn map(r: &Row) -> Result<Message> {
    Ok(Message {
        id: MessageId(r.uuid(0)?),
        created_at: r.time(1)?,
        to: r.text(2)?,
        subject: r.text(3)?,
        text_body: r.text(4)?,
        html_body: r.text(5)?,
        status: r.text(6)?,
        attempts: r.int(7)?,
        sent_at: r.opt_time(8)?,
        last_error: r.opt_text(9)?,
        file_name: r.opt_text(10)?,
        ics: r.opt_text(11)?,
        reply_to: r.opt_text(12)?,
    })
}

/// A message to queue: its recipient and parts, with an optional iCalendar attachment and an
/// optional Reply-To address.
pub struct New<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub ics: Option<&'a str>,
    pub reply_to: Option<&'a str>,
}

pub async fn insert(tx: &mut Tx, m: &New<'_>, now: DateTime<Utc>) -> Result<MessageId> {
    let id = MessageId::new();
    tx.write(INSERT, params![id, now, m.to, m.subject, m.text, m.html, m.ics, m.reply_to]).await?;
    Ok(id)
}

/// Removes a message that was never sent (one queued in the same transaction but found to be a
/// duplicate).
pub async fn delete_queued(tx: &mut Tx, id: MessageId) -> Result<()> {
    tx.write(DELETE, params![id]).await.map(|_| ())
}

pub async fn by_id(db: &Db, id: MessageId) -> Result<Option<Message>> {
    db.read_opt(BY_ID, params![id]).await?.as_ref().map(map).transpose()
}

/// Marks the message sent; false if it already was (a retried job must not resend).
pub async fn mark_sent(db: &Db, id: MessageId, now: DateTime<Utc>, file: Option<&str>) -> Result<bool> {
    Ok(db.write(MARK_SENT, params![id, now, file]).await? > 0)
}

pub async fn mark_failed(db: &Db, id: MessageId, status: &str, error: &str) -> Result<()> {
    db.write(MARK_FAILED, params![id, status, error]).await.map(|_| ())
}

pub async fn page(db: &Db, limit: i64, offset: i64) -> Result<(Vec<Message>, i64)> {
    let rows = db.read(PAGE, params![limit, offset]).await?;
    let total = db.read(COUNT, vec![]).await?.first().map_or(Ok(0), |r| r.int(0))?;
    Ok((rows.iter().map(map).collect::<Result<_>>()?, total))
}

/// One message as "download my data" lists it.
#[derive(Debug, Clone)]
pub struct Sent {
    pub subject: String,
    /// The plain-text body, as stored (its single-use links still live: the caller hides them).
    pub text: String,
    pub queued: DateTime<Utc>,
    pub status: String,
    pub sent: Option<DateTime<Utc>>,
}

/// Every message to an address while the person held it, oldest first.
pub async fn to_address(db: &Db, held: &crate::audit::Held) -> Result<Vec<Sent>> {
    let (from, until) = held.bounds();
    db.read(TO_ADDRESS, params![held.address.as_str(), from, until])
        .await?
        .iter()
        .map(|r| {
            Ok(Sent {
                subject: r.text(0)?,
                text: r.text(1)?,
                queued: r.time(2)?,
                status: r.text(3)?,
                sent: r.opt_time(4)?,
            })
        })
        .collect()
}
