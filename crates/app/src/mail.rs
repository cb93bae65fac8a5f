//! Email: composing a message (plain text + HTML), queueing it in the outbox with a send job in
//! the caller's transaction, and delivering it (SMTP via lettre, or an .eml file when no SMTP is
//! configured, which the admin outbox page and the tests read).

use crate::config::Config;
use crate::jobs;
use anyhow::Context;
use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use roundtable_domain::{MessageId, UserId};
use roundtable_store::{Db, Tx, outbox, users};

/// A message to send: a few paragraphs and an optional call-to-action link. `reply_to` is the
/// address of the person who wrote it (an organiser's message), so that a reply reaches them;
/// None for what the product says itself (replies would go to the unread sender address).
pub struct Email<'a> {
    pub to: &'a str,
    pub subject: String,
    pub paragraphs: Vec<String>,
    pub action: Option<(&'a str, String)>,
    pub reply_to: Option<&'a str>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl Email<'_> {
    pub fn text(&self) -> String {
        let mut t = self.paragraphs.join("\n\n");
        if let Some((label, url)) = &self.action {
            t.push_str(&format!("\n\n{label}:\n{url}\n"));
        }
        t.push_str("\n\n-- \nSent by Roundtable. You received this because of an action on your account or network.\n");
        t
    }

    pub fn html(&self) -> String {
        let mut h = String::from(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"color-scheme\" content=\"light dark\"></head>\
             <body style=\"font-family:Segoe UI,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a\">\
             <table role=\"presentation\" width=\"100%\"><tr><td style=\"max-width:600px;padding:16px\">",
        );
        for p in &self.paragraphs {
            // A line break typed in a message stays one (a list, an address) in the HTML part too.
            h.push_str(&format!("<p>{}</p>", escape(p).replace('\n', "<br>\n")));
        }
        if let Some((label, url)) = &self.action {
            h.push_str(&format!(
                "<p><a href=\"{u}\" style=\"display:inline-block;padding:10px 16px;background:#1d4ed8;color:#ffffff;border-radius:6px;text-decoration:none\">{l}</a></p>\
                 <p style=\"font-size:14px;color:#444\">Or copy this address into your browser: {u}</p>",
                u = escape(url),
                l = escape(label)
            ));
        }
        h.push_str("<p style=\"font-size:13px;color:#555\">Sent by Roundtable. You received this because of an action on your account or network.</p></td></tr></table></body></html>");
        h
    }
}

/// The address of `writer`, for the Reply-To of a message they wrote (None once their account
/// is deactivated or erased: no one reads it).
pub async fn reply_address(db: &Db, writer: UserId) -> roundtable_store::Result<Option<String>> {
    Ok(users::by_id(db, writer).await?.filter(|u| u.deactivated_at.is_none()).map(|u| u.email))
}

/// Puts the message in the outbox and enqueues its delivery, inside `tx`: if the change that
/// causes the email rolls back, no email goes out.
pub async fn queue(tx: &mut Tx, email: &Email<'_>, now: DateTime<Utc>) -> anyhow::Result<()> {
    let id = insert(tx, email, None, now).await?;
    jobs::enqueue_tx(
        tx,
        jobs::Kind::SendEmail,
        &serde_json::json!({ "message_id": id }),
        Some(format!("email:{id}")),
        now,
    )
    .await?;
    Ok(())
}

/// Like `queue`, with an optional iCalendar part (METHOD:REQUEST or CANCEL) and an optional
/// once-only key: a second call with the same key, from any instance, queues nothing and returns
/// false (reminders and feedback requests use it). Both go through the job's dedupe key.
pub async fn queue_with_ics(
    tx: &mut Tx,
    email: &Email<'_>,
    ics: Option<&str>,
    once_key: Option<String>,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let id = insert(tx, email, ics, now).await?;
    let key = once_key.unwrap_or_else(|| format!("email:{id}"));
    if !jobs::enqueue_once_tx(tx, jobs::Kind::SendEmail, &serde_json::json!({ "message_id": id }), key, now).await? {
        outbox::delete_queued(tx, id).await?;
        return Ok(false);
    }
    Ok(true)
}

async fn insert(tx: &mut Tx, email: &Email<'_>, ics: Option<&str>, now: DateTime<Utc>) -> anyhow::Result<MessageId> {
    let (text, html) = (email.text(), email.html());
    let new =
        outbox::New { to: email.to, subject: &email.subject, text: &text, html: &html, ics, reply_to: email.reply_to };
    Ok(outbox::insert(tx, &new, now).await?)
}

/// The METHOD of an iCalendar text (REQUEST when absent).
fn ics_method(ics: &str) -> &str {
    ics.lines().find_map(|l| l.strip_prefix("METHOD:")).map_or("REQUEST", str::trim)
}

/// Delivers one message; returns the .eml file name when written to disk.
pub async fn deliver(config: &Config, msg: &outbox::Message) -> anyhow::Result<Option<String>> {
    let from: Mailbox = config.mail_from.parse().context("mail_from is not a valid address")?;
    let to: Mailbox = msg.to.parse().context("recipient address is not valid")?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(&msg.subject)
        .message_id(Some(format!("<{}@roundtable>", msg.id)))
        .header(AutoSubmitted);
    // A writer's address that no longer parses (changed by hand since) only loses the header.
    if let Some(reply_to) = msg.reply_to.as_deref().and_then(|r| r.parse::<Mailbox>().ok()) {
        builder = builder.reply_to(reply_to);
    }
    let body = MultiPart::alternative_plain_html(msg.text_body.clone(), msg.html_body.clone());
    let message = match &msg.ics {
        // Calendar programs act on a text/calendar part whose `method` matches the METHOD inside.
        Some(ics) => {
            let ct = ContentType::parse(&format!("text/calendar; charset=utf-8; method={}", ics_method(ics)))
                .context("calendar content type")?;
            builder.multipart(
                MultiPart::mixed()
                    .multipart(body)
                    .singlepart(Attachment::new("invite.ics".into()).body(ics.clone(), ct)),
            )
        }
        None => builder.multipart(body),
    }
    .context("building the message")?;
    match &config.smtp_url {
        Some(url) => {
            let transport: AsyncSmtpTransport<Tokio1Executor> = if let Some(rest) = url.strip_prefix("smtp+plain://") {
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&format!("smtp://{rest}"))
                    .context("smtp_url")?
                    .tls(lettre::transport::smtp::client::Tls::None)
                    .build()
            } else {
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&with_starttls(url)).context("smtp_url")?.build()
            };
            transport.send(message).await.context("sending by SMTP")?;
            Ok(None)
        }
        None => {
            let dir = config.data_dir.join("outbox");
            // Owner only: messages carry live sign-in and reset links.
            tokio::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)
                .await
                .with_context(|| format!("creating {}", dir.display()))?;
            let name = format!("{}.eml", msg.id);
            let tmp = dir.join(format!(".{name}.tmp"));
            // Write then rename, so a reader never sees half a message.
            // Owner only too, whatever the umask: the directory may have been made by hand.
            let write = async {
                let mut file = tokio::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .mode(0o600)
                    .open(&tmp)
                    .await?;
                tokio::io::AsyncWriteExt::write_all(&mut file, &message.formatted()).await?;
                file.sync_all().await
            };
            write.await.with_context(|| format!("writing {}", tmp.display()))?;
            tokio::fs::rename(&tmp, dir.join(&name)).await.context("renaming the .eml file")?;
            Ok(Some(name))
        }
    }
}

/// `Auto-Submitted: auto-generated` keeps out-of-office replies away (RFC 3834).
#[derive(Clone)]
struct AutoSubmitted;

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

/// `smtp://` as the README promises it: STARTTLS required, so the relay's password and the
/// mail (live sign-in links) never cross the network in clear. lettre reads a bare `smtp://`
/// as no TLS at all; an explicit `?tls=…` in the URL is kept.
fn with_starttls(url: &str) -> String {
    if !url.starts_with("smtp://") || url.contains("tls=") {
        return url.to_owned();
    }
    format!("{url}{}tls=required", if url.contains('?') { '&' } else { '?' })
}

/// Replaces the secret part of single-use links in a message with "(hidden)": what admins read
/// of the outbox, and what a person downloads of their mail, cannot take over an account.
pub fn redact_links(text: &str) -> String {
    const SECRET_PATHS: [&str; 5] = ["/password/reset/", "/invitations/", "/verify/", "/setup/", "/ical/"];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((i, p)) = SECRET_PATHS.iter().filter_map(|p| rest.find(p).map(|i| (i, p))).min_by_key(|(i, _)| *i) {
        out.push_str(&rest[..i + p.len()]);
        out.push_str("(hidden)");
        let after = &rest[i + p.len()..];
        let end = after.find(|c: char| c.is_whitespace() || c == '"' || c == '<').unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn single_use_links_are_hidden_from_readers_of_the_outbox() {
        let t = "Open http://x/password/reset/AbC-123_x now\n<a href=\"http://x/invitations/tok\">";
        let r = super::redact_links(t);
        assert!(!r.contains("AbC-123_x") && !r.contains("tok\""), "{r}");
        assert!(r.contains("/password/reset/(hidden) now") && r.contains("/invitations/(hidden)\""), "{r}");
    }
}
