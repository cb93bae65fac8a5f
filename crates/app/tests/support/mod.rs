//! Test harness shared by the HTTP and browser tests: the real server on a loopback port over a
//! fresh database (SQLite file or PostgreSQL database), a cookie-keeping client, and readers for
//! the file outbox.
#![allow(dead_code)]

use roundtable_app::config::{Config, Overrides};
use roundtable_app::{AppState, Running};
use roundtable_store::Dialect;
use roundtable_store::testing::TestDb;
use std::time::Duration;

/// Runs each listed async test fn once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(roundtable_store::Dialect::Sqlite).await } )* }
        mod postgres { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(roundtable_store::Dialect::Postgres).await } )* }
    };
}

pub struct TestApp {
    pub url: String,
    pub db: TestDb,
    pub state: AppState,
    pub running: Running,
}

pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// A server on a fresh database; the job worker polls every 50 ms.
    pub async fn spawn(dialect: Dialect) -> TestApp {
        let db = TestDb::new(dialect).await;
        Self::spawn_on(db).await
    }

    pub async fn spawn_on(db: TestDb) -> TestApp {
        Self::spawn_with(db, "").await
    }

    /// A server whose `roundtable.toml` also holds `extra` (e.g. an `smtp_url`).
    pub async fn spawn_with(db: TestDb, extra: &str) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let config = Config::load(
            Some(&write_config(&db, addr, extra)),
            Overrides {
                data_dir: Some(db.dir.path().to_path_buf()),
                database_url: Some(db.url.clone()),
                ..Default::default()
            },
        )
        .expect("config");
        let mut state = AppState::new(db.db.clone(), config);
        state.metrics = roundtable_app::metrics_recorder();
        let running = roundtable_app::start(state.clone(), listener, Duration::from_millis(50)).await.expect("start");
        TestApp { url: format!("http://{addr}"), db, state, running }
    }

    /// A second server on the same database (several instances behind a load balancer).
    pub async fn another_instance(&self) -> (String, Running) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let db = roundtable_store::Db::connect(&self.db.url).await.expect("connect");
        let mut config = (*self.state.config).clone();
        config.public_url = Some(format!("http://{addr}"));
        let running =
            roundtable_app::start(AppState::new(db, config), listener, Duration::from_millis(50)).await.expect("start");
        (format!("http://{addr}"), running)
    }

    /// A browser-like client with its own cookie jar that does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// The one-time setup link printed at start.
    pub async fn setup_token(&self) -> String {
        // The start-up link is stored hashed; make a fresh one the same way start-up does.
        let db = &self.state.db;
        assert!(roundtable_store::org::get(db).await.expect("org").is_none());
        let link = roundtable_app::accounts::ensure_setup_link(&self.state).await.expect("link").expect("no org yet");
        link.rsplit('/').next().expect("token").to_owned()
    }

    /// Runs first-run setup; returns a client signed in as the admin (admin@example.org).
    pub async fn setup(&self) -> reqwest::Client {
        let token = self.setup_token().await;
        let c = self.client();
        let r = c
            .post(self.at(&format!("/setup/{token}")))
            .form(&[
                ("org_name", "Example Org"),
                ("name", "Ada Admin"),
                ("email", "admin@example.org"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .expect("setup");
        assert_eq!(r.status(), 303, "setup should redirect");
        c
    }

    /// Creates an account from the console and returns a client signed in as it.
    pub async fn user(&self, email: &str, name: &str) -> reqwest::Client {
        roundtable_app::admin::console::create_user(&self.state.db, email, name, PASSWORD, false)
            .await
            .expect("create user");
        self.sign_in(email).await
    }

    /// Creates an account, makes it an active member of `slug` with `role` (as if it had
    /// joined), and returns a client signed in as it, with its id.
    pub async fn member_with_role(
        &self,
        slug: &str,
        email: &str,
        name: &str,
        role: roundtable_domain::Role,
    ) -> (reqwest::Client, roundtable_domain::UserId) {
        let c = self.user(email, name).await;
        let id = self.user_id(email).await;
        let net = roundtable_store::networks::by_slug(&self.state.db, slug).await.expect("read").expect("network");
        let mut tx = self.state.db.begin().await.expect("begin");
        roundtable_store::networks::upsert_membership(
            &mut tx,
            net.id,
            id,
            role,
            roundtable_domain::MembershipStatus::Active,
            chrono::Utc::now(),
        )
        .await
        .expect("membership");
        tx.commit().await.expect("commit");
        (c, id)
    }

    pub async fn user_id(&self, email: &str) -> roundtable_domain::UserId {
        roundtable_store::users::by_email(&self.state.db, email).await.expect("read").expect("the account exists").id
    }

    /// The person's membership of `slug`: (role, status).
    pub async fn standing(
        &self,
        slug: &str,
        user: roundtable_domain::UserId,
    ) -> Option<(roundtable_domain::Role, roundtable_domain::MembershipStatus)> {
        let net = roundtable_store::networks::by_slug(&self.state.db, slug).await.expect("read").expect("network");
        roundtable_store::networks::membership(&self.state.db, net.id, user)
            .await
            .expect("read")
            .map(|m| (m.role, m.status))
    }

    pub async fn sign_in(&self, email: &str) -> reqwest::Client {
        self.sign_in_with(email, PASSWORD).await
    }

    pub async fn sign_in_with(&self, email: &str, password: &str) -> reqwest::Client {
        let c = self.client();
        let r = c
            .post(self.at("/sign-in"))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .expect("sign in");
        assert_eq!(r.status(), 303, "sign-in of {email} should redirect");
        c
    }

    /// Creates a calendar subscription address ("" for the person's own calendar, or a network's
    /// slug) the way the page does — the form, then the page it leads to, which shows the
    /// address once — and returns the address.
    pub async fn new_feed(&self, c: &reqwest::Client, network: &str) -> String {
        let r = c.post(self.at("/calendar/feeds")).form(&[("network", network)]).send().await.expect("feed");
        assert_eq!(r.headers().get("location").map(|l| l.to_str().unwrap_or("")), Some("/calendar/feeds"));
        let page = c.get(self.at("/calendar/feeds")).send().await.expect("page").text().await.expect("text");
        let start = page.find(&format!("{}/ical/", self.url)).expect("the new address shown");
        let url = page[start..].split(['"', '<', ' ']).next().expect("address").to_owned();
        let webcal = url.replacen("http://", "webcal://", 1);
        assert!(page.contains(&format!("<a href=\"{webcal}\">Subscribe on this device</a>")), "{page}");
        url
    }

    /// Creates a personal API token for the signed-in client and returns its secret (the form
    /// redirects to the account page, which shows it once).
    pub async fn api_token(&self, c: &reqwest::Client) -> String {
        let r = c.post(self.at("/account/tokens")).form(&[("name", "test")]).send().await.expect("token");
        assert_eq!(r.status(), 303, "creating a token should redirect to the account page");
        let page = c.get(self.at("/account")).send().await.expect("account").text().await.expect("page");
        let start = page.find("<code>rt_").expect("token shown once") + "<code>".len();
        page[start..].split('<').next().unwrap_or_default().to_owned()
    }

    /// Creates a network as the given (admin) client.
    pub async fn network(&self, admin: &reqwest::Client, slug: &str, visibility: &str) {
        let r = admin
            .post(self.at("/networks/new"))
            .form(&[
                ("name", &format!("Network {slug}")[..]),
                ("slug", slug),
                ("description", "About us"),
                ("visibility", visibility),
            ])
            .send()
            .await
            .expect("create network");
        assert_eq!(r.status(), 303, "network {slug} should be created");
    }

    /// Creates a one-hour event in network `slug` starting at `start` (UTC), as an organiser
    /// fills in the form; returns its id and the occurrence's `at` as the forms send it.
    pub async fn event(
        &self,
        organiser: &reqwest::Client,
        slug: &str,
        title: &str,
        description: &str,
        start: chrono::DateTime<chrono::Utc>,
    ) -> (String, String) {
        let local = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M").to_string();
        let r = organiser
            .post(self.at(&format!("/n/{slug}/events/new")))
            .form(&[
                ("kind", "network_meeting"),
                ("title", title),
                ("theme", "Working out loud"),
                ("description", description),
                ("time_zone", "UTC"),
                ("start", &local(start)),
                ("end", &local(start + chrono::Duration::hours(1))),
                ("repeat", "none"),
                ("location_mode", "in_person"),
                ("place", "Room 4.01"),
                ("audience", "network"),
                ("reminder_hours", "24"),
            ])
            .send()
            .await
            .expect("create event");
        let status = r.status();
        let loc = r.headers().get("location").map(|l| l.to_str().unwrap_or_default().to_owned()).unwrap_or_default();
        assert_eq!(status, 303, "event {title} should be created: {}", r.text().await.unwrap_or_default());
        let id = loc.trim_start_matches("/events/").split('?').next().unwrap_or_default().to_owned();
        let e = roundtable_store::events::by_id(&self.state.db, id.parse().expect("event id"))
            .await
            .expect("event")
            .expect("the event exists");
        (id, e.starts_at.timestamp_micros().to_string())
    }

    /// Waits until the job worker has finished the jobs a request leaves behind (a reset link
    /// for "forgot your password", places given up by someone who left), as a person would
    /// wait for their effect. The mail they queue may still be on its way (`emails_to`).
    pub async fn jobs_done(&self) {
        const PENDING: &str = "SELECT 1 FROM jobs WHERE kind IN ('password_reset', 'give_up_places', 'reactivated') AND status IN ('queued', 'running')";
        for _ in 0..100 {
            if self.state.db.read(PENDING, vec![]).await.expect("jobs").is_empty() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the job worker did not finish its jobs in 5 s");
    }

    /// Waits until the job worker has written every queued message, then returns the .eml texts
    /// sent to `to`.
    pub async fn emails_to(&self, to: &str) -> Vec<String> {
        let dir = self.db.dir.path().join("outbox");
        // The jobs first: a job marked done has put its mail in the outbox already.
        self.jobs_done().await;
        for _ in 0..100 {
            let (msgs, _) = roundtable_store::outbox::page(&self.state.db, 1000, 0).await.expect("outbox");
            if msgs.iter().all(|m| m.status == "sent") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut out = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                // The To header itself (a Reply-To naming the address is not mail to it).
                if text.lines().take_while(|l| !l.is_empty()).any(|l| l.starts_with("To: ") && l.contains(to)) {
                    out.push(text);
                }
            }
        }
        out
    }

    /// The first link in an email under this server's address with `path_prefix`.
    pub fn link_in(&self, email: &str, path_prefix: &str) -> String {
        // Quoted-printable or plain: find the URL in the plain-text part, undoing soft breaks.
        let unfolded = email.replace("=\r\n", "").replace("=3D", "=");
        let needle = format!("{}{path_prefix}", self.url);
        let start = unfolded.find(&needle).unwrap_or_else(|| panic!("no {needle} link in email:\n{email}"));
        unfolded[start..]
            .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.running.stop();
    }
}

fn write_config(db: &TestDb, addr: std::net::SocketAddr, extra: &str) -> std::path::PathBuf {
    let path = db.dir.path().join("roundtable.toml");
    std::fs::write(&path, format!("bind = \"{addr}\"\npublic_url = \"http://{addr}\"\n{extra}\n"))
        .expect("write config");
    path
}

/// GETs `/api/v1` JSON with a personal API token (a fresh client: no cookies).
pub async fn api_get(url: impl reqwest::IntoUrl, token: &str) -> serde_json::Value {
    let r = reqwest::Client::new().get(url).bearer_auth(token).send().await.expect("api request");
    r.json().await.expect("a JSON body")
}

/// Sends JSON to `/api/v1` with a personal API token; the status and the JSON answer (null when
/// there is none, as for 204).
pub async fn api_send(
    method: reqwest::Method,
    url: String,
    token: &str,
    json: &serde_json::Value,
) -> (reqwest::StatusCode, serde_json::Value) {
    let r =
        reqwest::Client::new().request(method, url).bearer_auth(token).json(json).send().await.expect("api request");
    let status = r.status();
    (status, r.json().await.unwrap_or_default())
}

/// Undoes quoted-printable (how the mailer encodes long lines and the calendar part); plain text
/// is unchanged unless it happens to contain `=XX`, which ICS from a response never does.
pub fn unqp(s: &str) -> String {
    let s = s.replace("=\r\n", "").replace("=\n", "");
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'='
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
