//! Email delivery through a real SMTP conversation on loopback, and retries with backoff when
//! the relay is down — on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use roundtable_store::testing::TestDb;
use roundtable_store::{Dialect, outbox};
use std::sync::{Arc, Mutex};
use support::TestApp;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

both!(
    mail_goes_out_through_smtp_with_text_and_html_parts,
    a_down_relay_is_retried_and_nothing_is_lost,
    an_smtp_url_never_sends_in_clear_to_a_relay_without_starttls,
    without_smtp_a_message_is_a_file_only_its_owner_may_read
);

/// A minimal SMTP sink: enough of RFC 5321 for lettre without TLS or auth. Returns its port and
/// the DATA of every message received.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let store = got.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.ok();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(buf) = data.as_mut() {
                        if line == "." {
                            store.lock().unwrap().push(data.take().unwrap_or_default());
                            w.write_all(b"250 queued\r\n").await.ok();
                        } else {
                            buf.push_str(&line);
                            buf.push('\n');
                        }
                        continue;
                    }
                    let cmd = line.to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if cmd.starts_with("DATA") {
                        data = Some(String::new());
                        b"354 go on\r\n"
                    } else if cmd.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.ok();
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    w.write_all(reply).await.ok();
                }
            });
        }
    });
    (port, got)
}

async fn mail_goes_out_through_smtp_with_text_and_html_parts(d: Dialect) {
    let (port, got) = smtp_sink().await;
    let app = TestApp::spawn_with(TestDb::new(d).await, &format!("smtp_url = \"smtp+plain://127.0.0.1:{port}\"")).await;
    app.setup().await;
    let c = app.client();
    c.post(app.at("/password/forgot")).form(&[("email", "admin@example.org")]).send().await.unwrap();
    for _ in 0..100 {
        if !got.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let msgs = got.lock().unwrap().clone();
    assert_eq!(msgs.len(), 1, "one message through SMTP");
    let m = &msgs[0];
    assert!(m.contains("To: admin@example.org") && m.contains("Choose a new Roundtable password"), "{m}");
    assert!(m.contains("text/plain") && m.contains("text/html") && m.contains("Auto-Submitted: auto-generated"), "{m}");
    // The relay's "250" reaches the worker just after the sink stored the message; the worker
    // then records the send, so wait for that rather than racing it.
    let mut rows = Vec::new();
    for _ in 0..100 {
        rows = outbox::page(&app.state.db, 10, 0).await.unwrap().0;
        if rows.first().is_some_and(|m| m.status != "queued") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(rows[0].status, "sent");
    assert!(rows[0].file_name.is_none(), "no .eml file when SMTP is configured");
}

/// The newest message in the outbox once the worker has tried to send it.
async fn first_attempt(app: &TestApp) -> outbox::Message {
    for _ in 0..100 {
        let (rows, _) = outbox::page(&app.state.db, 10, 0).await.unwrap();
        if let Some(m) = rows.into_iter().next().filter(|m| m.attempts >= 1) {
            return m;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the worker never tried to send");
}

async fn a_down_relay_is_retried_and_nothing_is_lost(d: Dialect) {
    // A port nobody listens on: connection refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app =
        TestApp::spawn_with(TestDb::new(d).await, &format!("smtp_url = \"smtp+plain://127.0.0.1:{closed}\"")).await;
    app.setup().await;
    app.client().post(app.at("/password/forgot")).form(&[("email", "admin@example.org")]).send().await.unwrap();
    let msg = first_attempt(&app).await;
    assert_eq!(msg.status, "retrying");
    assert!(msg.last_error.as_deref().unwrap_or("").contains("SMTP"), "{:?}", msg.last_error);
    // The job waits for its backoff (10 s) instead of hammering the relay every poll (50 ms).
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let again = outbox::by_id(&app.state.db, msg.id).await.unwrap().unwrap();
    assert_eq!(again.attempts, 1, "retried only after the backoff");
}

/// `smtp://` means STARTTLS: a relay that does not offer it (the sink offers no TLS) gets
/// nothing — no password, no message with its live links — and the mail waits to be retried.
async fn an_smtp_url_never_sends_in_clear_to_a_relay_without_starttls(d: Dialect) {
    let (port, got) = smtp_sink().await;
    let app = TestApp::spawn_with(TestDb::new(d).await, &format!("smtp_url = \"smtp://127.0.0.1:{port}\"")).await;
    app.setup().await;
    app.client().post(app.at("/password/forgot")).form(&[("email", "admin@example.org")]).send().await.unwrap();
    let msg = first_attempt(&app).await;
    assert_eq!(msg.status, "retrying", "{:?}", msg.last_error);
    assert!(got.lock().unwrap().is_empty(), "nothing went out in clear");
}

/// Without SMTP a message is an `.eml` file in the outbox; it carries live links, so only the
/// server's own user may read it (and the database beside it).
async fn without_smtp_a_message_is_a_file_only_its_owner_may_read(d: Dialect) {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn(d).await;
    app.setup().await;
    app.client().post(app.at("/password/forgot")).form(&[("email", "admin@example.org")]).send().await.unwrap();
    let msg = first_attempt(&app).await;
    let name = msg.file_name.expect("written to the outbox directory");
    let outbox = app.state.config.data_dir.join("outbox");
    let text = std::fs::read_to_string(outbox.join(&name)).unwrap();
    assert!(text.contains("To: admin@example.org") && text.contains("Choose a new Roundtable password"), "{text}");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&outbox.join(&name)), 0o600, "the message");
    assert_eq!(mode(&outbox), 0o700, "the outbox");
}
