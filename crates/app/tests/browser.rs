//! Browser tests: the main journeys in headless Chromium through chromedriver, on SQLite and on
//! PostgreSQL, with axe-core run on every page visited and a keyboard check.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install -y chromium chromium-driver`);
//! `CHROMEDRIVER` and `CHROMIUM` override the paths. The test fails (never skips) without them.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use roundtable_store::Dialect;
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::TestApp;
use thirtyfour::prelude::*;

/// How long explicit waits poll before failing.
const WAIT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(50);
const INSTALL: &str = "apt-get install -y chromium chromium-driver";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_sqlite() {
    journey(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_postgres() {
    journey(Dialect::Postgres).await;
}

// ---------------------------------------------------------------------------------------------
// chromedriver and Chromium
// ---------------------------------------------------------------------------------------------

fn tool(env: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.is_file(),
        "{} not found at {} (set {env} to override). Install Chromium and chromedriver with:\n\n    {INSTALL}\n",
        env.to_lowercase(),
        path.display()
    );
    path
}

/// A chromedriver process of our own, in its own process group; dropping it (also while
/// unwinding from a failed assertion) kills that group, so no browser outlives the test.
struct ChromeDriver {
    child: Child,
    url: String,
    chromium: PathBuf,
    dir: tempfile::TempDir,
}

impl ChromeDriver {
    async fn start() -> ChromeDriver {
        let chromedriver = tool("CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = tool("CHROMIUM", "/usr/bin/chromium");
        let dir = tempfile::tempdir().expect("tempdir");
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port();
        let log = dir.path().join("chromedriver.log");
        let mut cmd = Command::new(&chromedriver);
        cmd.arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd.spawn().unwrap_or_else(|e| panic!("could not start {}: {e}. Install with:\n\n    {INSTALL}\n", chromedriver.display()));
        let mut driver = ChromeDriver { child, url: format!("http://127.0.0.1:{port}"), chromium, dir };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(r) = client.get(format!("{}/status", driver.url)).send().await
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == Value::Bool(true)
            {
                return driver;
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver exited ({status}) before answering; its log:\n{}", std::fs::read_to_string(&log).unwrap_or_default());
            }
            assert!(Instant::now() < deadline, "chromedriver did not answer on {} within 10 s", driver.url);
            tokio::time::sleep(POLL).await;
        }
    }

    /// A new WebDriver session: headless Chromium with a fresh profile (no cookies, no cache).
    async fn session(&self, who: &'static str) -> WebDriver {
        let profile = tempfile::tempdir_in(self.dir.path()).expect("profile dir").keep();
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&self.chromium.to_string_lossy()).expect("binary");
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
        ] {
            caps.add_arg(arg).expect("arg");
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.display())).expect("arg");
        let driver = WebDriver::new(&self.url, caps).await.unwrap_or_else(|e| {
            panic!(
                "could not open a Chromium session for {who} ({e}). Are chromium and chromedriver the same version? {INSTALL}\nchromedriver log:\n{}",
                std::fs::read_to_string(self.dir.path().join("chromedriver.log")).unwrap_or_default()
            )
        });
        driver.set_script_timeout(Duration::from_secs(15)).await.expect("script timeout");
        driver.set_page_load_timeout(Duration::from_secs(15)).await.expect("page load timeout");
        driver
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // The group holds chromedriver and the browsers it started (our own child's group only).
        let pgid = self.child.id();
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// A person at a browser
// ---------------------------------------------------------------------------------------------

/// One axe violation, ready to print.
struct Finding {
    who: &'static str,
    url: String,
    id: String,
    impact: String,
    help: String,
    nodes: u64,
    target: String,
    html: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{}] {} on {} ({}): {}\n    first of {} node(s): {}\n    {}",
            self.impact, self.id, self.url, self.who, self.help, self.nodes, self.target, self.html
        )
    }
}

struct Browser<'a> {
    driver: WebDriver,
    app: &'a TestApp,
    who: &'static str,
    pages: usize,
    findings: Vec<Finding>,
}

/// Loads axe from the app once per page, runs it, and returns a compact list of violations.
const AXE_SCRIPT: &str = r"
const done = arguments[arguments.length - 1];
function run() {
  axe.run(document, { resultTypes: ['violations'] }).then(function (r) {
    done(r.violations.map(function (v) {
      const n = v.nodes[0] || {};
      return { id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.length,
               target: JSON.stringify(n.target || []), html: n.html || '' };
    }));
  }).catch(function (e) { done({ error: String(e) }); });
}
if (window.axe) { run(); } else {
  const s = document.createElement('script');
  s.src = '/static/vendor/axe.min.js';
  s.onload = run;
  s.onerror = function () { done({ error: 'could not load /static/vendor/axe.min.js' }); };
  document.head.appendChild(s);
}
";

impl<'a> Browser<'a> {
    async fn new(chrome: &ChromeDriver, app: &'a TestApp, who: &'static str) -> Browser<'a> {
        Browser { driver: chrome.session(who).await, app, who, pages: 0, findings: Vec::new() }
    }

    async fn url(&self) -> String {
        self.driver.current_url().await.map(|u| u.to_string()).unwrap_or_default()
    }

    /// Path and query of the current page (the server's address left out).
    async fn path(&self) -> String {
        let url = self.url().await;
        url.strip_prefix(&self.app.url).unwrap_or(&url).to_owned()
    }

    /// What is on the page, for failure messages.
    async fn describe(&self) -> String {
        let h1 = match self.driver.find(By::Css("h1")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => "(no h1)".into(),
        };
        let body = match self.driver.find(By::Css("main")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        format!("{} — {} at {}; main says:\n{}", self.who, h1, self.url().await, body.chars().take(1500).collect::<String>())
    }

    async fn fail(&self, what: &str) -> ! {
        panic!("{what}\n  {}", self.describe().await)
    }

    // ---- waiting ----

    async fn find(&self, by: By, what: &str) -> WebElement {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(e) = self.driver.find(by.clone()).await {
                return e;
            }
            if Instant::now() > deadline {
                self.fail(&format!("{what} ({by:?}) did not appear within 5 s")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the element found by `css` has exactly `expected` as its visible text.
    async fn expect_text(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + WAIT;
        let mut last = String::new();
        loop {
            if let Ok(e) = self.driver.find(By::Css(css)).await {
                last = e.text().await.unwrap_or_default();
                if last.trim() == expected {
                    return;
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!("expected {css} to read {expected:?}, last saw {last:?}")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn expect_h1(&self, expected: &str) {
        self.expect_text("main h1", expected).await;
    }

    async fn expect_notice(&self, expected: &str) {
        self.expect_text("main .notice[role=status]", expected).await;
    }

    async fn expect_path(&self, expected: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            if self.path().await == expected {
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!("expected to be at {expected}")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits for the page that replaced the marked one to finish loading, then audits it.
    async fn loaded(&mut self) {
        let deadline = Instant::now() + WAIT;
        loop {
            let ready = self
                .driver
                .execute("return document.readyState === 'complete' && !window.__rtOldPage;", Vec::new())
                .await
                .map(|r| r.json() == &Value::Bool(true))
                .unwrap_or(false);
            if ready {
                break;
            }
            if Instant::now() > deadline {
                self.fail("the next page did not load within 5 s").await;
            }
            tokio::time::sleep(POLL).await;
        }
        self.audit().await;
    }

    async fn mark_page(&self) {
        self.driver.execute("window.__rtOldPage = true;", Vec::new()).await.expect("mark page");
    }

    // ---- doing ----

    /// Opens a path on the app and audits the page.
    async fn open(&mut self, path: &str) {
        self.driver.goto(self.app.at(path)).await.unwrap_or_else(|e| panic!("{}: opening {path}: {e}", self.who));
        self.loaded().await;
    }

    /// Clicks an element like a mouse user. app.css scrolls smoothly (unless reduced motion is
    /// preferred), and chromedriver's own scroll-then-click would hit-test mid-scroll ("element
    /// click intercepted"), so the element is first brought into view instantly.
    async fn mouse_click(&self, el: &WebElement) {
        self.driver
            .execute("arguments[0].scrollIntoView({ block: 'center', behavior: 'instant' });", vec![el.to_json().expect("element")])
            .await
            .expect("scroll into view");
        if let Err(e) = el.click().await {
            self.fail(&format!("clicking {}: {e}", el.outer_html().await.unwrap_or_default().chars().take(200).collect::<String>())).await;
        }
    }

    /// Clicks something that navigates (a link or a submit button) and audits the new page.
    async fn click(&mut self, el: WebElement) {
        self.mark_page().await;
        self.mouse_click(&el).await;
        self.loaded().await;
    }

    /// Presses Enter in a form field (implicit submission) and audits the new page.
    async fn press_enter(&mut self, el: WebElement) {
        self.mark_page().await;
        el.send_keys(Key::Enter).await.expect("enter");
        self.loaded().await;
    }

    async fn button(&self, text: &str) -> WebElement {
        self.find(By::XPath(format!("//main//button[normalize-space(.)='{text}']")), &format!("button “{text}”")).await
    }

    async fn link(&self, text: &str) -> WebElement {
        self.find(By::XPath(format!("//main//a[normalize-space(.)='{text}']")), &format!("link “{text}”")).await
    }

    /// Finds a field through its label (as a screen reader does), checks the label points at the
    /// expected id, and types the value with the keyboard. Returns the field.
    async fn fill(&self, label: &str, id: &str, value: &str) -> WebElement {
        let l = self.find(By::XPath(format!("//main//label[normalize-space(.)='{label}']")), &format!("label “{label}”")).await;
        let target = l.attr("for").await.expect("for").unwrap_or_default();
        if target != id {
            self.fail(&format!("label “{label}” is for #{target}, expected #{id}")).await;
        }
        let field = self.find(By::Id(id), &format!("field #{id}")).await;
        self.mouse_click(&field).await;
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("type");
        let typed = field.value().await.expect("value").unwrap_or_default();
        assert_eq!(typed, value, "{}: typing into #{id}", self.who);
        field
    }

    /// The header's Sign out button; lands on the sign-in page, signed out.
    async fn sign_out(&mut self) {
        let b = self.find(By::XPath("//header//button[normalize-space(.)='Sign out']"), "the header's Sign out button").await;
        self.click(b).await;
        self.expect_path("/sign-in").await;
        self.expect_h1("Sign in").await;
        self.find(By::XPath("//header//a[normalize-space(.)='Sign in']"), "the header's Sign in link").await;
        if self.driver.find(By::XPath("//header//button[normalize-space(.)='Sign out']")).await.is_ok() {
            self.fail("still shows Sign out after signing out").await;
        }
    }

    /// Signs in through /sign-in with the keyboard; lands on the home page.
    async fn sign_in(&mut self, email: &str, name: &str) {
        self.open("/sign-in").await;
        self.expect_h1("Sign in").await;
        self.fill("Email address", "f-email", email).await;
        let pw = self.fill("Password", "f-password", support::PASSWORD).await;
        self.press_enter(pw).await;
        self.expect_path("/").await;
        self.expect_h1(&format!("Welcome, {name}")).await;
        self.find(By::XPath("//header//button[normalize-space(.)='Sign out']"), "the header's Sign out button").await;
    }

    /// The element that has focus, as "tag#id: text" (text content, so hidden text counts).
    async fn focused(&self) -> String {
        let r = self
            .driver
            .execute(
                "const e = document.activeElement; if (!e) return 'nothing'; \
                 return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.getAttribute('href') ? '[href=' + e.getAttribute('href') + ']' : '') \
                 + ': ' + (e === document.body ? '(body)' : e.textContent.trim().slice(0, 60)) + (document.hasFocus() ? '' : ' (page not focused)');",
                Vec::new(),
            )
            .await
            .expect("active element");
        r.json().as_str().unwrap_or_default().to_owned()
    }

    /// Keyboard check on the current page: the first Tab stop is the skip link, and following it
    /// moves focus to <main>.
    async fn keyboard_from_top(&self) {
        let before = self.focused().await;
        assert_eq!(before, "body: (body)", "{}: nothing should have focus before the first Tab on {}", self.who, self.url().await);
        self.driver.action_chain().send_keys(Key::Tab).perform().await.expect("tab");
        let first = self.focused().await;
        assert_eq!(first, "a[href=#main]: Skip to main content", "{}: the first Tab stop on {} should be the skip link", self.who, self.url().await);
        // Shown on focus (it sits above the top edge otherwise). Polled: with reduced motion,
        // app.css gives every property a 0.01 ms transition, which ends on the next frame.
        let deadline = Instant::now() + WAIT;
        loop {
            let (on_screen, details): (bool, String) = self
                .driver
                .execute(
                    "const e = document.activeElement, r = e.getBoundingClientRect(); \
                     return [r.top >= 0 && r.bottom > 0 && r.bottom <= window.innerHeight, \
                     JSON.stringify({ top: r.top, bottom: r.bottom, transform: getComputedStyle(e).transform })];",
                    Vec::new(),
                )
                .await
                .expect("skip link box")
                .convert()
                .expect("box");
            if on_screen {
                break;
            }
            assert!(Instant::now() < deadline, "{}: the focused skip link should be on screen: {details}", self.who);
            tokio::time::sleep(POLL).await;
        }
        self.driver.action_chain().send_keys(Key::Enter).perform().await.expect("enter");
        assert_eq!(self.focused().await.split(':').next(), Some("main#main"), "{}: the skip link should move focus to <main>", self.who);
    }

    /// Runs axe on the current page and keeps its violations.
    async fn audit(&mut self) {
        let url = self.url().await;
        let r = self.driver.execute_async(AXE_SCRIPT, Vec::new()).await.unwrap_or_else(|e| panic!("{}: running axe on {url}: {e}", self.who));
        let v = r.json();
        if let Some(err) = v.get("error") {
            panic!("{}: axe failed on {url}: {err}", self.who);
        }
        self.pages += 1;
        for f in v.as_array().expect("axe results") {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            self.findings.push(Finding {
                who: self.who,
                url: url.clone(),
                id: s("id"),
                impact: s("impact"),
                help: s("help"),
                nodes: f["nodes"].as_u64().unwrap_or(0),
                target: s("target"),
                html: s("html"),
            });
        }
    }

    async fn quit(self) -> (usize, Vec<Finding>) {
        let Browser { driver, pages, findings, .. } = self;
        driver.quit().await.expect("quit");
        (pages, findings)
    }
}

// ---------------------------------------------------------------------------------------------
// The journey
// ---------------------------------------------------------------------------------------------

async fn journey(dialect: Dialect) {
    let started = Instant::now();
    let chrome = ChromeDriver::start().await;
    let app = TestApp::spawn(dialect).await;

    // ---- the administrator: first-run setup, a network, an invitation ----
    let mut admin = Browser::new(&chrome, &app, "admin").await;
    let token = app.setup_token().await;
    admin.open(&format!("/setup/{token}")).await;
    admin.expect_h1("Set up Roundtable").await;
    admin.fill("Organisation name", "f-org_name", "Example Org").await;
    admin.fill("Your name", "f-name", "Ada Admin").await;
    admin.fill("Your work email", "f-email", "admin@example.org").await;
    let pw = admin.fill("Choose a password", "f-password", support::PASSWORD).await;
    admin.press_enter(pw).await;
    // Signed in, sent straight to creating the first network.
    admin.expect_path("/networks/new").await;
    admin.expect_h1("Create a network").await;
    admin.find(By::XPath("//header//a[normalize-space(.)='Admin']"), "the header's Admin link").await;
    admin.find(By::XPath("//header//button[normalize-space(.)='Sign out']"), "the header's Sign out button").await;

    admin.fill("Name", "f-name", "Assistants").await;
    admin.fill("Description", "f-description", "Executive assistants across the company.").await;
    let radio = admin.find(By::Id("vis-by_request"), "the “Join by request” radio").await;
    let label = admin.find(By::Css("label[for=vis-by_request]"), "the radio's label").await;
    assert_eq!(label.text().await.expect("label"), "Join by request");
    admin.mouse_click(&radio).await;
    assert!(radio.is_selected().await.expect("selected"), "the Join by request radio should be checked");
    let create = admin.button("Create the network").await;
    admin.click(create).await;
    admin.expect_h1("Assistants").await;
    admin.expect_notice("The network has been created.").await;
    let path = admin.path().await;
    let slug = path.strip_prefix("/n/").and_then(|p| p.split('?').next()).unwrap_or_else(|| panic!("expected /n/{{slug}}, got {path}")).to_owned();
    let facts = admin.find(By::Css("main h1 + p.muted"), "the network's facts line").await.text().await.expect("text");
    // The org admin who creates a network manages it without being a member of it.
    assert_eq!(facts, "Join by request · 0 members", "the network's facts line");
    admin.expect_text("section[aria-labelledby=org-h] p", "No organisers have been named yet.").await;

    admin.open(&format!("/n/{slug}/invite")).await;
    admin.expect_h1("Invite someone to Assistants").await;
    admin.fill("Their email address", "f-email", "newcomer@example.org").await;
    let send = admin.button("Send the invitation").await;
    admin.click(send).await;
    admin.expect_path(&format!("/n/{slug}/members?notice=invited")).await;
    admin.expect_h1("Members of Assistants").await;
    admin.expect_notice("The invitation has been sent by email.").await;
    // Invitations to people without an account are not listed here (only Invited memberships).
    admin.expect_text("main p[aria-live=polite]", "0 members.").await;

    // Phone width: the network page at 360 × 740, audited, and nothing wider than the screen.
    admin.driver.set_window_rect(0, 0, 360, 740).await.expect("phone size");
    admin.open(&format!("/n/{slug}")).await;
    admin.expect_h1("Assistants").await;
    let (inner, scroll): (i64, i64) = admin
        .driver
        .execute("return [window.innerWidth, document.documentElement.scrollWidth];", Vec::new())
        .await
        .expect("widths")
        .convert()
        .expect("two numbers");
    assert!(inner <= 360, "the viewport should be phone-sized, is {inner}px wide");
    assert!(scroll <= inner, "at phone width the network page scrolls sideways: content {scroll}px in a {inner}px viewport");
    admin.driver.set_window_rect(0, 0, 1280, 900).await.expect("desktop size");

    // ---- the newcomer, in a second browser: keyboard check, invitation, sign out and in ----
    let mut other = Browser::new(&chrome, &app, "newcomer").await;
    other.open("/sign-in").await;
    other.keyboard_from_top().await;

    let emails = app.emails_to("newcomer@example.org").await;
    assert_eq!(emails.len(), 1, "one invitation email for the newcomer");
    let link = app.link_in(&emails[0], "/invitations/");
    other.open(link.strip_prefix(&app.url).expect("link on this server")).await;
    other.expect_h1("You are invited to Assistants").await;
    other.find(By::XPath("//main//p[contains(., 'This invitation is for') and strong = 'newcomer@example.org']"), "who the invitation is for").await;
    other.fill("Your name", "f-name", "Nina Newcomer").await;
    other.fill("Choose a password", "f-password", support::PASSWORD).await;
    let join = other.button("Create my account and join").await;
    other.click(join).await;
    other.expect_path(&format!("/n/{slug}?notice=accepted")).await;
    other.expect_h1("Assistants").await;
    other.expect_notice("Welcome! You have joined the network.").await;
    other.expect_text("main h1 + p.muted .badge", "Member").await;
    other.button("Leave this network").await;
    other.sign_out().await;

    other.sign_in("newcomer@example.org", "Nina Newcomer").await;
    let mine = other.find(By::XPath("//section[@aria-labelledby='mine-h']//h3/a[normalize-space(.)='Assistants']"), "Assistants under My networks").await;
    other.click(mine).await;
    other.expect_h1("Assistants").await;
    // My account: create an API token (the page then shows two tables).
    let account = other.find(By::XPath("//header//a[starts-with(normalize-space(.), 'My account')]"), "the header's My account link").await;
    other.click(account).await;
    other.expect_h1("My account").await;
    let token_name = other.fill("Token name", "f-name", "reporting script").await;
    other.press_enter(token_name).await;
    other.expect_h1("My account").await;
    other.find(By::XPath("//main//div[@role='status' and contains(., 'copy it now')]/p/code"), "the new token").await;
    other.find(By::XPath("//section[@aria-labelledby='t-h']//tr[td[1]='reporting script']"), "the token in the table").await;
    other.sign_out().await;

    // ---- a third person asks to join ----
    roundtable_app::admin::console::create_user(&app.state.db, "asker@example.org", "Asker", support::PASSWORD, false).await.expect("create asker");
    other.who = "asker";
    other.sign_in("asker@example.org", "Asker").await;
    other.find(By::XPath("//main//p[contains(., 'You are not in any network yet')]"), "the empty My networks").await;
    let nav = other.find(By::XPath("//header//a[normalize-space(.)='Networks']"), "the header's Networks link").await;
    other.click(nav).await;
    other.expect_h1("Networks").await;
    let card = other.link("Assistants").await;
    other.click(card).await;
    other.expect_h1("Assistants").await;
    let ask = other.button("Ask to join").await;
    other.click(ask).await;
    other.expect_path(&format!("/n/{slug}?notice=requested")).await;
    other.expect_notice("Your request has been sent to the network's organisers.").await;
    other.expect_text("main h1 + p.muted .badge", "Request pending").await;
    other.button("Withdraw my request").await;
    other.sign_out().await;

    // ---- the administrator approves, signing in again in the second browser ----
    other.who = "admin (2nd browser)";
    other.sign_in("admin@example.org", "Ada Admin").await;
    other.open(&format!("/n/{slug}")).await;
    let pending = other.link("1 request to join").await;
    other.click(pending).await;
    other.expect_h1("Members of Assistants").await;
    other.find(By::XPath("//section[@id='requests']//tr[td[1]='Asker' and td[2]='asker@example.org']"), "Asker's request").await;
    let approve = other.button("Approve Asker").await;
    other.click(approve).await;
    other.expect_path(&format!("/n/{slug}/members?notice=approved")).await;
    other.expect_notice("The request was approved.").await;
    other.find(By::XPath("//main//table//tr[td[1]='Asker' and td[2]='Member']"), "Asker in the members table").await;
    other.find(By::XPath("//main//table//tr[td[1]='Nina Newcomer' and td[2]='Member']"), "Nina in the members table").await;
    if other.driver.find(By::Css("section#requests")).await.is_ok() {
        other.fail("the request is still listed after approval").await;
    }
    other.expect_text("main p[aria-live=polite]", "2 members.").await;
    // Live search (htmx): typing filters the table in place, without loading a new page.
    other.mark_page().await;
    other.fill("Search members by name", "q", "Ask").await;
    other.expect_text("main p[aria-live=polite]", "1 member matching “Ask”.").await;
    other.find(By::XPath("//main//table//tr[td[1]='Asker']"), "Asker among the results").await;
    if other.driver.find(By::XPath("//main//table//tr[td[1]='Nina Newcomer']")).await.is_ok() {
        other.fail("the live search still lists Nina").await;
    }
    let same_page = other.driver.execute("return window.__rtOldPage === true;", Vec::new()).await.expect("marker").json() == &Value::Bool(true);
    assert!(same_page, "the live search should update the page in place (htmx), not load a new one");
    other.expect_path(&format!("/n/{slug}/members?q=Ask")).await;
    other.audit().await;
    other.sign_out().await;

    admin.sign_out().await;

    // ---- accessibility report ----
    let (p1, mut findings) = admin.quit().await;
    let (p2, f2) = other.quit().await;
    findings.extend(f2);
    let pages = p1 + p2;
    println!("{dialect:?}: axe checked {pages} pages, {} violation(s); journey took {:.1} s", findings.len(), started.elapsed().as_secs_f64());
    assert!(pages >= 20, "expected axe to have run on every page ({pages} runs)");
    assert!(
        findings.is_empty(),
        "axe found {} violation(s):\n{}",
        findings.len(),
        findings.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    );
    drop(app);
    drop(chrome);
}
