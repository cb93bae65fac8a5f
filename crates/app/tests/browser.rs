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
/// Window sizes (the browser starts at the desktop one).
const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (360, 740);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_sqlite() {
    journey(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_postgres() {
    journey(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboarding_journey_sqlite() {
    onboarding_journey(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboarding_journey_postgres() {
    onboarding_journey(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buddy_and_import_journey_sqlite() {
    buddy_and_import_journey(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buddy_and_import_journey_postgres() {
    buddy_and_import_journey(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_rsvp_journey_sqlite() {
    event_rsvp_journey(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_rsvp_journey_postgres() {
    event_rsvp_journey(Dialect::Postgres).await;
}

/// On SQLite only: it checks markup, which does not depend on the engine (the journeys above
/// run on both).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_tour_sqlite() {
    page_tour(Dialect::Sqlite).await;
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
        let child = cmd.spawn().unwrap_or_else(|e| {
            panic!("could not start {}: {e}. Install with:\n\n    {INSTALL}\n", chromedriver.display())
        });
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
                panic!(
                    "chromedriver exited ({status}) before answering; its log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
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
        format!(
            "{} — {} at {}; main says:\n{}",
            self.who,
            h1,
            self.url().await,
            body.chars().take(1500).collect::<String>()
        )
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

    /// From now on the pages render as for a system set to dark (`prefers-color-scheme: dark`),
    /// so axe checks the dark colours' contrast.
    async fn dark_mode(&self) {
        let dark = serde_json::json!({"features": [{"name": "prefers-color-scheme", "value": "dark"}]});
        self.driver.cdp().send_raw("Emulation.setEmulatedMedia", dark).await.expect("dark mode");
        self.expect_dark().await;
    }

    /// The page is in its dark colours (app.css `--bg: #111418`).
    async fn expect_dark(&self) {
        let bg = self.driver.execute("return getComputedStyle(document.body).backgroundColor;", Vec::new());
        let bg = bg.await.expect("background").json().as_str().unwrap_or_default().to_owned();
        assert_eq!(bg, "rgb(17, 20, 24)", "{}: the dark background", self.url().await);
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
            .execute(
                "arguments[0].scrollIntoView({ block: 'center', behavior: 'instant' });",
                vec![el.to_json().expect("element")],
            )
            .await
            .expect("scroll into view");
        if let Err(e) = el.click().await {
            self.fail(&format!(
                "clicking {}: {e}",
                el.outer_html().await.unwrap_or_default().chars().take(200).collect::<String>()
            ))
            .await;
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
        let l = self
            .find(By::XPath(format!("//main//label[normalize-space(.)='{label}']")), &format!("label “{label}”"))
            .await;
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

    /// Sets a field the keyboard fills segment by segment in a locale-dependent order (date and
    /// time pickers) by script, after checking its label, and fires the events typing would.
    async fn set_by_script(&self, label: &str, id: &str, value: &str) {
        let l = self
            .find(By::XPath(format!("//main//label[normalize-space(.)='{label}']")), &format!("label “{label}”"))
            .await;
        let target = l.attr("for").await.expect("for").unwrap_or_default();
        if target != id {
            self.fail(&format!("label “{label}” is for #{target}, expected #{id}")).await;
        }
        let field = self.find(By::Id(id), &format!("field #{id}")).await;
        self.driver
            .execute(
                "const e = arguments[0]; e.value = arguments[1]; \
                 e.dispatchEvent(new Event('input', { bubbles: true })); e.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![field.to_json().expect("element"), Value::String(value.to_owned())],
            )
            .await
            .expect("set value");
        let set = field.value().await.expect("value").unwrap_or_default();
        assert_eq!(set, value, "{}: setting #{id}", self.who);
    }

    /// Checks a checkbox or radio button found through its label, like a mouse user; returns it.
    async fn choose(&self, label: &str) -> WebElement {
        let l = self
            .find(By::XPath(format!("//main//label[normalize-space(.)='{label}']")), &format!("label “{label}”"))
            .await;
        let id = l.attr("for").await.expect("for").unwrap_or_default();
        let input = self.find(By::Id(&id), &format!("the input labelled “{label}”")).await;
        self.mouse_click(&input).await;
        if !input.is_selected().await.expect("selected") {
            self.fail(&format!("“{label}” should be checked after clicking it")).await;
        }
        input
    }

    /// Keyboard use of a button or link: focuses it, checks it has focus, presses Enter and
    /// audits the page that follows.
    async fn keyboard_press(&mut self, el: WebElement) {
        self.mark_page().await;
        let focused = self
            .driver
            .execute(
                "arguments[0].scrollIntoView({ block: 'center', behavior: 'instant' }); arguments[0].focus(); \
                 return document.activeElement === arguments[0];",
                vec![el.to_json().expect("element")],
            )
            .await
            .expect("focus")
            .json()
            == &Value::Bool(true);
        if !focused {
            self.fail(&format!("could not focus {}", el.outer_html().await.unwrap_or_default())).await;
        }
        self.driver.action_chain().send_keys(Key::Enter).perform().await.expect("enter");
        self.loaded().await;
    }

    /// Toggles a `<details>` with the keyboard: focus on its summary, then Enter.
    async fn keyboard_open(&self, summary: WebElement) {
        let script = "arguments[0].scrollIntoView({ block: 'center', behavior: 'instant' }); arguments[0].focus(); \
                      return document.activeElement === arguments[0];";
        let focused = self.driver.execute(script, vec![summary.to_json().expect("element")]).await.expect("focus");
        assert_eq!(focused.json(), &Value::Bool(true), "{}: the summary takes focus", self.who);
        self.driver.action_chain().send_keys(Key::Enter).perform().await.expect("enter");
    }

    /// Fails if `by` finds something (checked once, on a page that has loaded).
    async fn expect_absent(&self, by: By, what: &str) {
        if self.driver.find(by).await.is_ok() {
            self.fail(&format!("{what} should not be on the page")).await;
        }
    }

    /// Submits the form matching `css` with its text fields emptied and the browser's own checks
    /// off — what a hurried person sends — and audits the refusal the server renders, which must
    /// list what to fix.
    async fn submit_blank(&mut self, css: &str) {
        self.mark_page().await;
        let script = "const f = document.querySelector(arguments[0]); if (!f) return false; f.noValidate = true; \
             f.querySelectorAll('input[type=text], input[type=email], input[type=password], input:not([type]), textarea') \
             .forEach(i => i.value = ''); f.requestSubmit(); return true;";
        let found = self.driver.execute(script, vec![Value::String(css.to_owned())]).await.expect("submit").json()
            == &Value::Bool(true);
        if !found {
            self.fail(&format!("no form {css} on the page")).await;
        }
        self.loaded().await;
        self.find(By::Css("main .error-summary"), &format!("the refusal of {css}, listing what to fix")).await;
    }

    /// After opening `page`: the browser is at `lands` (a redirect's target, or `page`) and the
    /// page shows `error` (its status, from the error page's "Error 404."), or no error for 0 —
    /// so an audit is of the page meant, not of an error page in its place.
    async fn expect_landed(&self, page: &str, lands: &str, error: u16) {
        let at = self.path().await;
        assert_eq!(at, lands, "{}: opening {page}", self.who);
        let shown: String = self
            .driver
            .execute(
                "const m = document.querySelector('main').innerText.match(/Error (\\d{3})\\./); return m ? m[1] : '0';",
                Vec::new(),
            )
            .await
            .expect("error status")
            .convert()
            .expect("text");
        assert_eq!(shown, error.to_string(), "{}: the error {page} shows", self.who);
    }

    async fn resize(&self, (width, height): (u32, u32)) {
        self.driver.set_window_rect(0, 0, width, height).await.expect("window size");
    }

    /// The current page at phone width: nothing wider than the screen.
    async fn expect_fits_phone(&self, what: &str) {
        let (inner, scroll): (i64, i64) = self
            .driver
            .execute("return [window.innerWidth, document.documentElement.scrollWidth];", Vec::new())
            .await
            .expect("widths")
            .convert()
            .expect("two numbers");
        assert!(inner <= i64::from(PHONE.0), "{}: the viewport should be phone-sized, is {inner}px wide", self.who);
        assert!(
            scroll <= inner,
            "{}: at phone width {what} scrolls sideways: content {scroll}px in a {inner}px viewport",
            self.who
        );
    }

    /// At phone width, the scrolling box around `selector` (a table's) has nothing out of view
    /// sideways.
    async fn expect_no_sideways_scroll(&self, selector: &str, what: &str) {
        let script = format!(
            "const w = document.querySelector('{selector}').parentElement; return [w.clientWidth, w.scrollWidth];"
        );
        let (inner, scroll): (i64, i64) =
            self.driver.execute(&script, Vec::new()).await.expect("widths").convert().expect("two numbers");
        assert!(scroll <= inner, "{}: {what} scrolls sideways at phone width: {scroll}px in {inner}px", self.who);
    }

    /// The header's Sign out button; lands on the sign-in page, signed out.
    async fn sign_out(&mut self) {
        let b = self
            .find(By::XPath("//header//button[normalize-space(.)='Sign out']"), "the header's Sign out button")
            .await;
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
        assert_eq!(
            before,
            "body: (body)",
            "{}: nothing should have focus before the first Tab on {}",
            self.who,
            self.url().await
        );
        self.driver.action_chain().send_keys(Key::Tab).perform().await.expect("tab");
        let first = self.focused().await;
        assert_eq!(
            first,
            "a[href=#main]: Skip to main content",
            "{}: the first Tab stop on {} should be the skip link",
            self.who,
            self.url().await
        );
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
        assert_eq!(
            self.focused().await.split(':').next(),
            Some("main#main"),
            "{}: the skip link should move focus to <main>",
            self.who
        );
    }

    /// Runs axe on the current page and keeps its violations.
    async fn audit(&mut self) {
        let url = self.url().await;
        let r = self
            .driver
            .execute_async(AXE_SCRIPT, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("{}: running axe on {url}: {e}", self.who));
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
// Steps shared by the journeys
// ---------------------------------------------------------------------------------------------

/// First-run setup through the one-time link: the organisation and its administrator
/// (Ada Admin, admin@example.org), who is then signed in and sent to create the first network.
async fn first_run_setup(admin: &mut Browser<'_>) {
    let token = admin.app.setup_token().await;
    admin.open(&format!("/setup/{token}")).await;
    admin.expect_h1("Set up Roundtable").await;
    admin.fill("Organisation name", "f-org_name", "Example Org").await;
    admin.fill("Your name", "f-name", "Ada Admin").await;
    admin.fill("Your work email", "f-email", "admin@example.org").await;
    let pw = admin.fill("Choose a password", "f-password", support::PASSWORD).await;
    admin.press_enter(pw).await;
    admin.expect_path("/networks/new").await;
    admin.expect_h1("Create a network").await;
    admin.find(By::XPath("//header//a[normalize-space(.)='Admin']"), "the header's Admin link").await;
    admin.find(By::XPath("//header//button[normalize-space(.)='Sign out']"), "the header's Sign out button").await;
}

/// Creates a network through /networks/new (the form must be open) and returns its slug.
async fn create_network(admin: &mut Browser<'_>, name: &str, description: &str, visibility: &str) -> String {
    admin.expect_h1("Create a network").await;
    admin.fill("Name", "f-name", name).await;
    admin.fill("Description", "f-description", description).await;
    admin.choose(visibility).await;
    let create = admin.button("Create the network").await;
    admin.click(create).await;
    admin.expect_h1(name).await;
    admin
        .expect_notice("The network has been created. It has no organiser yet: invite its Chair (Invite people, with the role Chair).")
        .await;
    let path = admin.path().await;
    path.strip_prefix("/n/")
        .and_then(|p| p.split('?').next())
        .unwrap_or_else(|| panic!("expected /n/{{slug}}, got {path}"))
        .to_owned()
}

/// Prints what axe saw over a journey, then fails on any violation or too few audited pages.
fn report(dialect: Dialect, journey: &str, started: Instant, runs: Vec<(usize, Vec<Finding>)>, min_pages: usize) {
    let pages: usize = runs.iter().map(|(p, _)| p).sum();
    let findings: Vec<Finding> = runs.into_iter().flat_map(|(_, f)| f).collect();
    println!(
        "{dialect:?} {journey}: axe checked {pages} pages, {} violation(s); took {:.1} s",
        findings.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        pages >= min_pages,
        "{journey}: expected axe to have run on every page ({pages} runs, expected at least {min_pages})"
    );
    assert!(
        findings.is_empty(),
        "{journey}: axe found {} violation(s):\n{}",
        findings.len(),
        findings.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The journey: joining by invitation and by request
// ---------------------------------------------------------------------------------------------

async fn journey(dialect: Dialect) {
    let started = Instant::now();
    let chrome = ChromeDriver::start().await;
    let app = TestApp::spawn(dialect).await;

    // ---- the administrator: first-run setup, a network, an invitation ----
    let mut admin = Browser::new(&chrome, &app, "admin").await;
    first_run_setup(&mut admin).await;
    let slug =
        create_network(&mut admin, "Assistants", "Executive assistants across the company.", "Join by request").await;
    let facts = admin.find(By::Css("main h1 + p.muted"), "the network's facts line").await.text().await.expect("text");
    // The org admin who creates a network manages it without being a member of it.
    assert_eq!(facts, "Join by request · 0 members", "the network's facts line");
    admin
        .expect_text(
            "section[aria-labelledby=org-h] p",
            "No organisers have been named yet. Invite a Chair from Invite people, choosing the role Chair.",
        )
        .await;

    admin.open(&format!("/n/{slug}/invite")).await;
    admin.expect_h1("Invite people to Assistants").await;
    admin.fill("Their email addresses", "f-email", "newcomer@example.org").await;
    let send = admin.button("Send the invitations").await;
    admin.click(send).await;
    admin.expect_path(&format!("/n/{slug}/members?notice=invited")).await;
    admin.expect_h1("Members of Assistants").await;
    admin.expect_notice("The invitation has been sent by email.").await;
    // Invitations to people without an account are not listed here (only Invited memberships).
    admin.expect_text("main p[aria-live=polite]", "0 members.").await;

    // Phone width: the network page at 360 × 740, audited, and nothing wider than the screen.
    admin.resize(PHONE).await;
    admin.open(&format!("/n/{slug}")).await;
    admin.expect_h1("Assistants").await;
    admin.expect_fits_phone("the network page").await;
    // The organiser's member list: each row's role and actions under the name.
    admin.open(&format!("/n/{slug}/members")).await;
    admin.expect_fits_phone("the member list").await;
    admin.expect_no_sideways_scroll("table.rows-stack", "the member list").await;
    admin.resize(DESKTOP).await;

    // ---- the newcomer, in a second browser: keyboard check, invitation, sign out and in ----
    let mut other = Browser::new(&chrome, &app, "newcomer").await;
    other.open("/sign-in").await;
    other.keyboard_from_top().await;

    let emails = app.emails_to("newcomer@example.org").await;
    assert_eq!(emails.len(), 1, "one invitation email for the newcomer");
    let link = app.link_in(&emails[0], "/invitations/");
    other.open(link.strip_prefix(&app.url).expect("link on this server")).await;
    other.expect_h1("You are invited to Assistants").await;
    other
        .find(
            By::XPath("//main//p[contains(., 'This invitation is for') and strong = 'newcomer@example.org']"),
            "who the invitation is for",
        )
        .await;
    other.fill("Your name", "f-name", "Nina Newcomer").await;
    other.fill("Choose a password", "f-password", support::PASSWORD).await;
    let join = other.button("Create my account and join").await;
    other.click(join).await;
    other.expect_path(&format!("/n/{slug}?notice=accepted")).await;
    other.expect_h1("Assistants").await;
    other.expect_notice("Welcome! You have joined the network.").await;
    other.expect_text("main h1 + p.muted .badge", "Member").await;
    other.link("Leave this network").await;
    other.sign_out().await;

    other.sign_in("newcomer@example.org", "Nina Newcomer").await;
    let mine = other
        .find(
            By::XPath("//section[@aria-labelledby='mine-h']//h3/a[normalize-space(.)='Assistants']"),
            "Assistants under My networks",
        )
        .await;
    other.click(mine).await;
    other.expect_h1("Assistants").await;
    // My account: create an API token (the page then shows two tables).
    let account = other
        .find(By::XPath("//header//a[starts-with(normalize-space(.), 'My account')]"), "the header's My account link")
        .await;
    other.click(account).await;
    other.expect_h1("My account").await;
    let token_name = other.fill("Token name", "f-name", "reporting script").await;
    other.press_enter(token_name).await;
    other.expect_h1("My account").await;
    other.find(By::XPath("//main//div[@role='status' and contains(., 'copy it now')]/p/code"), "the new token").await;
    other
        .find(By::XPath("//section[@aria-labelledby='t-h']//tr[td[1]='reporting script']"), "the token in the table")
        .await;
    other.sign_out().await;

    // ---- a third person asks to join ----
    roundtable_app::admin::console::create_user(&app.state.db, "asker@example.org", "Asker", support::PASSWORD, false)
        .await
        .expect("create asker");
    other.who = "asker";
    other.sign_in("asker@example.org", "Asker").await;
    other.find(By::XPath("//main//p[contains(., 'You are not in any network yet')]"), "the empty My networks").await;
    let nav = other.find(By::XPath("//header//a[normalize-space(.)='Networks']"), "the header's Networks link").await;
    other.click(nav).await;
    other.expect_h1("Networks").await;
    let card = other.link("Assistants").await;
    other.click(card).await;
    other.expect_h1("Assistants").await;
    // The request says why, for the organisers.
    other.fill("A note for the organisers (optional)", "f-note", "I support the new CFO from March.").await;
    let ask = other.button("Ask to join").await;
    other.click(ask).await;
    other.expect_path(&format!("/n/{slug}?notice=requested")).await;
    other.expect_notice("Your request has been sent to the network's organisers.").await;
    other.expect_text("main h1 + p.muted .badge", "Request pending").await;
    // Withdrawing asks first (a page of its own, no script); cancelling changes nothing.
    let withdraw = other.link("Withdraw my request").await;
    other.click(withdraw).await;
    other.expect_path(&format!("/n/{slug}/leave")).await;
    other.expect_h1("Withdraw your request to join Assistants?").await;
    let cancel = other.link("Cancel, back to Assistants").await;
    other.click(cancel).await;
    other.expect_text("main h1 + p.muted .badge", "Request pending").await;
    // A used or made-up link, and a page that is not there, while signed in: helpful pages that
    // keep the signed-in navigation.
    other.open("/password/reset/not-a-real-token").await;
    other.expect_h1("This link has expired or was already used").await;
    other.open("/n/no-such-network").await;
    other.expect_h1("Page not found").await;
    other
        .find(By::XPath("//header//a[starts-with(normalize-space(.), 'My account')]"), "My account on an error page")
        .await;
    other.sign_out().await;

    // ---- the administrator approves, signing in again in the second browser ----
    other.who = "admin (2nd browser)";
    other.sign_in("admin@example.org", "Ada Admin").await;
    other.open(&format!("/n/{slug}")).await;
    let pending = other.link("1 request to join").await;
    other.click(pending).await;
    other.expect_h1("Members of Assistants").await;
    other
        .find(
            By::XPath(
                "//section[@id='requests']//tr[td[1]='Asker' and td[2]='asker@example.org' and td[3]='I support the new CFO from March.']",
            ),
            "Asker's request with the note",
        )
        .await;
    let approve = other.button("Approve Asker").await;
    other.click(approve).await;
    other.expect_path(&format!("/n/{slug}/members?notice=approved")).await;
    other.expect_notice("The request was approved.").await;
    other.find(By::XPath("//main//table//tr[td[1]='Asker' and td[2]='Member']"), "Asker in the members table").await;
    other
        .find(By::XPath("//main//table//tr[td[1]='Nina Newcomer' and td[2]='Member']"), "Nina in the members table")
        .await;
    other.expect_absent(By::Css("section#requests"), "the request, after approval,").await;
    other.expect_text("main p[aria-live=polite]", "2 members.").await;
    // Several requests at once: two more people ask (over HTTP); Cal's box is ticked from the
    // keyboard (the boxes sit in the table, outside their form) and "Decline ticked" declines
    // him alone; with one request left, its row's buttons are all there is.
    for (email, name) in [("bea@example.org", "Bea Bulk"), ("cal@example.org", "Cal Bulk")] {
        let c = app.user(email, name).await;
        c.post(app.at(&format!("/n/{slug}/join"))).send().await.expect("join");
    }
    other.open(&format!("/n/{slug}/members")).await;
    let tick = other.find(By::Css("input[aria-label='Tick Cal Bulk']"), "Cal's tick box").await;
    tick.send_keys(" ").await.expect("space");
    let decline = other.button("Decline ticked").await;
    other.click(decline).await;
    other.expect_notice("The requests were declined; each person has been told by email.").await;
    other.expect_absent(By::Css("form#decide-many"), "the form for several requests, with one left,").await;
    other.find(By::XPath("//section[@id='requests']//tr[td[1]='Bea Bulk']"), "Bea's request, still waiting").await;
    let decline = other.button("Decline Bea Bulk").await;
    other.click(decline).await;
    other.expect_absent(By::Css("section#requests"), "the requests, once decided,").await;
    other.expect_text("main p[aria-live=polite]", "2 members.").await;
    // Removing someone asks first; cancelling changes nothing.
    let remove = other.button("Remove Asker").await;
    other.click(remove).await;
    other.expect_h1("Remove Asker from Assistants?").await;
    let cancel = other.link("Cancel, back to the member list").await;
    other.click(cancel).await;
    other.expect_text("main p[aria-live=polite]", "2 members.").await;
    // Live search (htmx): typing filters the table in place, without loading a new page.
    other.mark_page().await;
    other.fill("Search members by name", "q", "Ask").await;
    other.expect_text("main p[aria-live=polite]", "1 member matching “Ask”.").await;
    other.find(By::XPath("//main//table//tr[td[1]='Asker']"), "Asker among the results").await;
    other
        .expect_absent(By::XPath("//main//table//tr[td[1]='Nina Newcomer']"), "Nina, filtered out by the live search,")
        .await;
    let same_page =
        other.driver.execute("return window.__rtOldPage === true;", Vec::new()).await.expect("marker").json()
            == &Value::Bool(true);
    assert!(same_page, "the live search should update the page in place (htmx), not load a new one");
    other.expect_path(&format!("/n/{slug}/members?q=Ask")).await;
    other.audit().await;
    other.sign_out().await;

    // ---- self sign-up at an allowed domain lands on "confirm your email address" ----
    admin.open("/admin/domains").await;
    let domain = admin.fill("Add a domain", "f-domain", "signup.example.org").await;
    admin.press_enter(domain).await;
    admin.find(By::XPath("//main//li[starts-with(normalize-space(.), 'signup.example.org')]"), "the new domain").await;
    let mut joiner = Browser::new(&chrome, &app, "self sign-up").await;
    joiner.open("/sign-up").await;
    joiner.fill("Your name", "f-name", "Sam Signup").await;
    joiner.fill("Work email", "f-email", "sam@signup.example.org").await;
    let password = joiner.fill("Choose a password", "f-password", support::PASSWORD).await;
    joiner.press_enter(password).await;
    joiner.expect_path("/account/verify?notice=verify-sent").await;
    joiner.expect_h1("Confirm your email address").await;

    // ---- an org admin deactivates, reactivates and erases someone from People ----
    admin.open("/admin/people?q=Asker").await;
    // Two steps: what it does, then the button that does it.
    let deactivate =
        admin.find(By::XPath("//main//summary[normalize-space(.)='Deactivate Asker']"), "Deactivate Asker").await;
    admin.keyboard_open(deactivate).await;
    let deactivate = admin.button("Yes, deactivate Asker").await;
    admin.click(deactivate).await;
    admin
        .find(By::XPath("//main//table//tr[th[1]='Asker' and contains(td[3], 'Deactivated')]"), "Asker, deactivated")
        .await;
    let reactivate = admin.button("Reactivate Asker").await;
    admin.click(reactivate).await;
    admin
        .find(By::XPath("//main//table//tr[th[1]='Asker' and contains(td[3], 'Active')]"), "Asker, active again")
        .await;
    let erase = admin.find(By::XPath("//main//summary[normalize-space(.)='Erase Asker']"), "Erase Asker").await;
    admin.keyboard_open(erase).await;
    let confirm =
        admin.find(By::XPath("//main//tr[th[1]='Asker']//input[@name='confirm']"), "the ERASE confirmation box").await;
    confirm.send_keys("ERASE").await.expect("type");
    let erase =
        admin.find(By::XPath("//main//tr[th[1]='Asker']//button[.='Erase personal data']"), "the erase button").await;
    admin.click(erase).await;
    admin.expect_notice("The person's personal data has been erased.").await;
    admin.expect_absent(By::XPath("//main//table//tr[th[1]='Asker']"), "Asker's name, after erasure,").await;

    // ---- Nina downloads what is held about her, then deactivates her own account ----
    other.sign_in("newcomer@example.org", "Nina Newcomer").await;
    other.open("/account").await;
    other.expect_h1("My account").await;
    // The two download links, fetched as the page would (the browser's own cookies).
    let json = other.link("as JSON").await;
    assert_eq!(json.attr("download").await.expect("attr").as_deref(), Some(""), "a download, not a page");
    let fetched = other
        .driver
        .execute("return fetch('/account/export.json').then(r => r.json()).then(d => JSON.stringify(d));", Vec::new())
        .await
        .expect("fetch the JSON download");
    let data = fetched.json().as_str().expect("the JSON as text").to_owned();
    assert!(data.contains("Nina Newcomer") && data.contains("newcomer@example.org"), "{data}");
    let csv = other
        .driver
        .execute("return fetch('/account/export.csv').then(r => r.text());", Vec::new())
        .await
        .expect("fetch the CSV download");
    assert!(csv.json().as_str().expect("text").contains("Nina Newcomer"), "the CSV download");
    // A wrong password: told beside the field, nothing changes.
    let password = other.fill("Your password, to confirm", "f-confirm_password", "not my password").await;
    other.press_enter(password).await;
    other.expect_text("#f-confirm_password-error", "That password is not right; your account stays as it is.").await;
    other.audit().await;
    let password = other.fill("Your password, to confirm", "f-confirm_password", support::PASSWORD).await;
    other.press_enter(password).await;
    other.expect_path("/sign-in?notice=deactivated").await;
    other.expect_notice("Your account is deactivated. Thank you for having been part of the network.").await;
    other.fill("Email address", "f-email", "newcomer@example.org").await;
    let pw = other.fill("Password", "f-password", support::PASSWORD).await;
    other.press_enter(pw).await;
    other
        .expect_text(
            "main .error-summary li",
            "This account has been deactivated. If you think that is a mistake, ask your organisation's Roundtable administrator to reactivate it.",
        )
        .await;
    admin.open("/admin/people?q=Nina").await;
    admin
        .find(
            By::XPath("//main//table//tr[th[1]='Nina Newcomer' and contains(td[3], 'Deactivated')]"),
            "Nina, deactivated, in People",
        )
        .await;

    // ---- the pages again for someone whose system is set to dark: the dark colours under axe ----
    admin.dark_mode().await;
    let network_pages = [format!("/n/{slug}"), format!("/n/{slug}/members"), format!("/n/{slug}/charter")];
    for path in ["/", "/networks", "/people", "/profile", "/account", "/admin", "/admin/people", "/admin/audit"]
        .into_iter()
        .chain(network_pages.iter().map(String::as_str))
    {
        admin.open(path).await;
        admin.expect_dark().await;
    }
    admin.open("/no-such-page").await;
    admin.expect_h1("Page not found").await;

    admin.sign_out().await;

    report(dialect, "journey", started, vec![admin.quit().await, other.quit().await, joiner.quit().await], 32);
    drop(app);
    drop(chrome);
}

// ---------------------------------------------------------------------------------------------
// The journey: charter, onboarding checklist, profile and directory, administration, events
// ---------------------------------------------------------------------------------------------

async fn onboarding_journey(dialect: Dialect) {
    let started = Instant::now();
    let chrome = ChromeDriver::start().await;
    let app = TestApp::spawn(dialect).await;
    let network = "Office Managers";
    let manual_step = "Introduce yourself";
    let profile_step = "Complete your profile";
    let skill = "Minute taking";

    // ---- the administrator: an open network, its charter and two onboarding steps ----
    let mut admin = Browser::new(&chrome, &app, "admin").await;
    first_run_setup(&mut admin).await;
    let slug = create_network(&mut admin, network, "Office managers of every site.", "Open to everyone").await;

    let charter = admin.link("Charter").await;
    admin.click(charter).await;
    admin.expect_h1(&format!("Charter of {network}")).await;
    admin
        .find(By::XPath("//main//p[normalize-space(.)='This network has no charter yet.']"), "the no-charter line")
        .await;
    admin
        .fill(
            "Charter text",
            "f-body",
            "## Rules of engagement\n\n- Be kind and constructive.\n- **What is said here stays here.**",
        )
        .await;
    let publish = admin.button("Publish as version 1").await;
    admin.click(publish).await;
    admin.expect_path(&format!("/n/{slug}/charter?notice=charter-published")).await;
    admin.expect_notice("The new charter version is published; members will be asked to accept it.").await;
    admin.expect_text("article.charter h2", "Rules of engagement").await;
    admin.expect_text("article.charter strong", "What is said here stays here.").await;
    admin.button("Publish as version 2").await;

    admin.open(&format!("/n/{slug}")).await;
    let onboarding = admin.link("Onboarding").await;
    admin.click(onboarding).await;
    admin.expect_h1(&format!("Onboarding — {network}")).await;
    for (title, details, kind) in [
        (manual_step, "Say hello in the next meeting.", "Ticked by the member"),
        (profile_step, "", "Done when the member fills in their profile"),
    ] {
        admin.fill("Title", "f-title", title).await;
        admin.fill("Details (optional)", "f-description", details).await;
        admin.choose(kind).await;
        let add = admin.button("Add the step").await;
        admin.click(add).await;
        admin.expect_path(&format!("/n/{slug}/onboarding?notice=step-added")).await;
        admin.expect_notice("The step has been added to the checklist.").await;
        admin
            .find(
                By::XPath(format!("//section[@aria-labelledby='steps-h']//ol/li[strong='{title}']")),
                &format!("the step “{title}”"),
            )
            .await;
    }
    admin
        .find(
            By::XPath(format!("//section[@aria-labelledby='steps-h']//ol/li[2][strong='{profile_step}']/span[@class='badge' and .='Done when the member fills in their profile']")),
            "the profile step, second, with its kind",
        )
        .await;
    // Removing a step asks first, saying what goes with it; "Keep it" changes nothing.
    let mistake = "A step added by mistake";
    admin.fill("Title", "f-title", mistake).await;
    let add = admin.button("Add the step").await;
    admin.click(add).await;
    admin.expect_notice("The step has been added to the checklist.").await;
    let remove = admin.link(&format!("Remove {mistake}")).await;
    admin.click(remove).await;
    admin.expect_h1(&format!("Remove the step “{mistake}”?")).await;
    admin.expect_text("main p", "No one has ticked it yet.").await;
    let confirm = admin.button("Remove the step").await;
    admin.click(confirm).await;
    admin.expect_notice("The step has been removed.").await;
    assert!(admin.driver.find(By::XPath(format!("//li[strong='{mistake}']"))).await.is_err(), "removed");
    admin
        .expect_text(
            "section[aria-labelledby=prog-h] p",
            "0 newcomers; 0 stuck (a step not done 14 days after joining, or after the step was added).",
        )
        .await;
    // Rewording a step, by keyboard, on its own form (which fits a phone): it keeps its place.
    let edit = admin.link(&format!("Edit {manual_step}")).await;
    admin.keyboard_press(edit).await;
    admin.expect_h1("Edit a checklist step").await;
    admin.resize(PHONE).await;
    admin.expect_fits_phone("the form to edit a step").await;
    admin.resize(DESKTOP).await;
    let details = admin.fill("Details (optional)", "f-description", "Say hello at the next meeting.").await;
    admin.press_enter(details).await;
    admin.expect_path(&format!("/n/{slug}/onboarding?notice=step-edited")).await;
    admin.expect_notice("The step has been saved; members' ticks are kept.").await;
    admin
        .find(
            By::XPath(format!("//section[@aria-labelledby='steps-h']//ol/li[1][strong='{manual_step}' and contains(., 'Say hello at the next meeting.')]")),
            "the reworded step, still first",
        )
        .await;

    // ---- a member: joins through the charter, works through the checklist ----
    roundtable_app::admin::console::create_user(
        &app.state.db,
        "mia@example.org",
        "Mia Member",
        support::PASSWORD,
        false,
    )
    .await
    .expect("create member");
    let mut member = Browser::new(&chrome, &app, "member").await;
    member.sign_in("mia@example.org", "Mia Member").await;
    let nav = member.find(By::XPath("//header//a[normalize-space(.)='Networks']"), "the header's Networks link").await;
    member.click(nav).await;
    let card = member.link(network).await;
    member.click(card).await;
    member.expect_h1(network).await;
    let join = member.button("Join this network").await;
    member.click(join).await;
    // Joining needs the charter accepted first: the button leads to it.
    member.expect_path(&format!("/n/{slug}/charter?notice=charter-pending")).await;
    member.expect_h1(&format!("Charter of {network}")).await;
    member.expect_notice("Please read and accept the network's charter to continue.").await;
    member.expect_text("article.charter h2", "Rules of engagement").await;
    member.expect_absent(By::Id("f-body"), "the publishing form, for a member,").await;
    member.choose("I have read this charter and I accept it").await;
    let accept = member.button("Accept the charter and join").await;
    member.click(accept).await;
    member.expect_path(&format!("/n/{slug}?notice=joined")).await;
    member.expect_notice("Welcome! You are now a member of this network.").await;
    member.expect_text("main h1 + p.muted .badge", "Member").await;
    member.expect_text("#cl-h", "Your first steps (0 of 2 done)").await;
    member.find(By::XPath(format!("//section[@id='checklist']//li[contains(., '{profile_step}')]/a[normalize-space(.)='Fill in your profile']")), "the profile step's link").await;

    // The manual step, with the keyboard.
    let done = member.button(&format!("Mark as done: {manual_step}")).await;
    member.keyboard_press(done).await;
    member.expect_path(&format!("/n/{slug}#checklist")).await;
    member.expect_text("#cl-h", "Your first steps (1 of 2 done)").await;
    member
        .find(
            By::XPath(format!("//section[@id='checklist']//li[strong='Done:' and contains(., '{manual_step}')]")),
            "the manual step, done",
        )
        .await;
    member.button(&format!("Mark as not done: {manual_step}")).await;

    // The profile step: job title and department, and skills shown to the whole organisation.
    let fill_in = member.link("Fill in your profile").await;
    member.click(fill_in).await;
    member.expect_path("/profile").await;
    member.expect_h1("My profile").await;
    member.fill("Job title", "f-job_title", "Office Manager").await;
    member.fill("Department or function", "f-department", "Facilities").await;
    member.fill("Skills", "f-skills", &format!("{skill}, Event planning")).await;
    let whole_org = member
        .find(By::Css("input[name=audience_skills][value=organisation]"), "the skills' Whole organisation radio")
        .await;
    assert_eq!(whole_org.attr("aria-label").await.expect("aria-label").as_deref(), Some("Skills: Whole organisation"));
    member.mouse_click(&whole_org).await;
    assert!(whole_org.is_selected().await.expect("selected"), "Whole organisation should be chosen for skills");
    let save = member.button("Save my profile").await;
    member.click(save).await;
    member.expect_path("/profile?notice=saved").await;
    member.expect_notice("Your changes have been saved.").await;
    let checked = member.find(By::Css("input[name=audience_skills]:checked"), "the chosen audience for skills").await;
    assert_eq!(
        checked.value().await.expect("value").as_deref(),
        Some("organisation"),
        "skills should be kept visible to the whole organisation"
    );
    // Each field's choices sit right under it, labelled — on a phone too, where a grid of
    // choices after the last field left a field and its audience screens apart.
    member.resize(PHONE).await;
    member.open("/profile").await;
    member.expect_fits_phone("the profile form").await;
    member
        .find(
            By::XPath("//div[input[@id='f-skills']]/following-sibling::*[1][self::fieldset][legend='Skills: shown to']//input[@name='audience_skills' and @checked]"),
            "the skills' audience, chosen, under the skills field",
        )
        .await;
    let chosen = member
        .find(
            By::XPath("//input[@name='audience_skills' and @value='organisation']/following-sibling::span"),
            "the label",
        )
        .await;
    assert!(chosen.is_displayed().await.expect("displayed"), "each choice is labelled on a phone");
    member.resize(DESKTOP).await;
    // A photo: a text file named .png is refused beside the field; a real picture is kept as a
    // square thumbnail and shown on the page.
    member.expect_text("#photo legend + p", "No photo yet.").await;
    let files = tempfile::tempdir().expect("dir");
    let fake = files.path().join("holiday.png");
    std::fs::write(&fake, "not a picture at all").expect("fake");
    let input = member.find(By::Id("f-photo"), "the photo input").await;
    input.send_keys(fake.to_string_lossy()).await.expect("choose file");
    let upload = member.button("Save my profile").await;
    member.click(upload).await;
    member
        .expect_text("#f-photo-error", "That file is not a photo we can read. Use a JPEG, PNG, WebP or GIF image.")
        .await;
    let real = files.path().join("me.png");
    image::RgbImage::from_fn(600, 400, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]))
        .save(&real)
        .expect("png");
    let input = member.find(By::Id("f-photo"), "the photo input").await;
    input.send_keys(real.to_string_lossy()).await.expect("choose file");
    let upload = member.button("Save my profile").await;
    member.click(upload).await;
    member.expect_path("/profile?notice=saved").await;
    let size = member
        .driver
        .execute(
            "const i = document.querySelector('img[alt=\"Your current photo\"]'); \
             return i && i.complete ? [i.naturalWidth, i.naturalHeight] : null;",
            Vec::new(),
        )
        .await
        .expect("photo size")
        .json()
        .clone();
    assert_eq!(size, serde_json::json!([256, 256]), "the square thumbnail is shown");

    // Every step done: the checklist says so, its steps folded away (still there to undo one).
    member.open(&format!("/n/{slug}")).await;
    member.expect_h1(network).await;
    member.expect_text("#cl-h", "Your first steps: all 2 done").await;
    let steps = member.find(By::Css("section#checklist details"), "the folded steps").await;
    assert!(steps.attr("open").await.expect("attr").is_none(), "folded");

    // ---- the member in the directory ----
    let people = member.find(By::XPath("//header//a[normalize-space(.)='People']"), "the header's People link").await;
    member.click(people).await;
    member.expect_h1("People").await;
    let q = member.fill("Search by name, title, skills, interests or bio", "q", skill).await;
    member.press_enter(q).await;
    member.expect_path("/people?q=Minute+taking#results-h").await;
    member.expect_text("#results-h", "1 person").await;
    member
        .find(
            By::XPath("//section[@aria-labelledby='results-h']//h3/a[normalize-space(.)='Mia Member']"),
            "Mia among the results",
        )
        .await;
    // The filters with the keyboard alone: a facet group folds and unfolds with Enter on its
    // summary, and a value is chosen with Enter.
    let summary = member
        .find(
            By::XPath("//section[@aria-labelledby='filters-h']//details/summary[.='Department']"),
            "the Department facet",
        )
        .await;
    let open_after_enter = |summary: WebElement| {
        let member = &member;
        async move {
            member.keyboard_open(summary.clone()).await;
            let open = "return arguments[0].parentElement.open;";
            let open = member.driver.execute(open, vec![summary.to_json().expect("element")]).await.expect("open");
            open.json().as_bool().unwrap_or_default()
        }
    };
    assert!(!open_after_enter(summary.clone()).await, "Enter folds the facet group");
    assert!(open_after_enter(summary).await, "and unfolds it again");
    let facet = member.find(By::XPath("//section[@aria-labelledby='filters-h']//details[summary='Department']//a[normalize-space(.)='Facilities']"), "the Facilities facet").await;
    member.keyboard_press(facet).await;
    // A chosen filter lands on the results (on a phone they are below the filters).
    member.expect_path("/people?q=Minute+taking&department=Facilities#results-h").await;
    member.find(By::XPath("//section[@aria-labelledby='filters-h']//a[@aria-current='true' and starts-with(normalize-space(.), 'Facilities (selected)')]"), "the selected facet").await;
    member.expect_text("#results-h", "1 person").await;
    // Another order keeps the search and the filter.
    let by_department = member
        .find(By::XPath("//nav[@aria-label='Sort results']//a[normalize-space(.)='Department']"), "the Department sort")
        .await;
    member.keyboard_press(by_department).await;
    member.expect_path("/people?q=Minute+taking&department=Facilities&sort=department#results-h").await;
    member
        .find(
            By::XPath("//nav[@aria-label='Sort results']//a[@aria-current='true' and normalize-space(.)='Department']"),
            "the current order",
        )
        .await;
    member.expect_text("#results-h", "1 person").await;
    let me = member
        .find(
            By::XPath("//section[@aria-labelledby='results-h']//h3/a[normalize-space(.)='Mia Member']"),
            "Mia among the results",
        )
        .await;
    member.click(me).await;
    member.expect_h1("Mia Member").await;
    member.link("Edit my profile").await;
    member.find(By::XPath(format!("//dl[@class='facts']/dt[.='Skills']/following-sibling::dd[1]/span[@class='badge' and normalize-space(.)='{skill}']")), "the skill on the profile").await;

    // The directory at phone width.
    member.resize(PHONE).await;
    member.open("/people").await;
    member.expect_h1("People").await;
    member.expect_fits_phone("the directory").await;
    // The facets scroll sideways in one short row, so the results start soon after them.
    let (results, facets_bottom, screen): (f64, f64, f64) = member
        .driver
        .execute(
            "const f = document.querySelector('.facet-groups').getBoundingClientRect(); \
             return [document.getElementById('results-h').getBoundingClientRect().top + scrollY, f.bottom + scrollY, innerHeight];",
            Vec::new(),
        )
        .await
        .expect("positions")
        .convert()
        .expect("three numbers");
    assert!(
        facets_bottom < results && facets_bottom < screen * 1.5,
        "facets end at {facets_bottom}px, results at {results}px"
    );
    // A facet reached with the keyboard is shown whole, not as a sliver at the scroller's edge.
    for n in 2..=3 {
        let (left, right, from, to): (f64, f64, f64, f64) = member
            .driver
            .execute(
                "const s = document.querySelector('.facet-groups');                  const d = s.querySelectorAll(':scope > details')[arguments[0] - 1];                  d.querySelector('summary').focus();                  return new Promise(done => setTimeout(() => {                    const r = d.getBoundingClientRect(), b = s.getBoundingClientRect();                    done([r.left, r.right, b.left, b.right]); }, 400));",
                vec![serde_json::json!(n)],
            )
            .await
            .expect("positions")
            .convert()
            .expect("four numbers");
        assert!(left >= from - 1.0 && right <= to + 1.0, "facet {n} at {left}–{right} in a scroller at {from}–{to}");
    }
    // A chosen value (listed with its hidden ", remove this filter") keeps the page phone-wide.
    member.open(&format!("/people?skill={}", skill.replace(' ', "+"))).await;
    member.find(By::Css(".facet-groups a[aria-current]"), "the chosen skill").await;
    member.expect_fits_phone("the directory with a skill chosen").await;
    member.resize(DESKTOP).await;

    // ---- the administrator: progress, acceptances, administration pages ----
    admin.open(&format!("/n/{slug}/onboarding")).await;
    admin
        .expect_text(
            "section[aria-labelledby=prog-h] p",
            "1 newcomer; 0 stuck (a step not done 14 days after joining, or after the step was added).",
        )
        .await;
    admin.find(By::XPath("//section[@aria-labelledby='prog-h']//tbody/tr[th[1]='Mia Member' and td[2]='2 of 2' and td[3]='Finished']"), "Mia, finished").await;
    admin
        .expect_absent(
            By::XPath("//section[@aria-labelledby='prog-h']//table//button[starts-with(normalize-space(.), 'Email a reminder')]"),
            "a reminder button for a finished newcomer",
        )
        .await;
    // A newcomer who joined three weeks ago and has done nothing: stuck, and reminded by email.
    app.user("sam@example.org", "Sam Stuck").await;
    let (db, weeks_ago) = (&app.state.db, chrono::Utc::now() - chrono::Duration::days(21));
    let sam = roundtable_store::users::by_email(db, "sam@example.org").await.expect("read").expect("Sam").id;
    let net = roundtable_store::networks::by_slug(db, &slug).await.expect("read").expect("network").id;
    let mut tx = db.begin().await.expect("begin");
    let (member_role, active) = (roundtable_domain::Role::Member, roundtable_domain::MembershipStatus::Active);
    roundtable_store::networks::upsert_membership(&mut tx, net, sam, member_role, active, weeks_ago)
        .await
        .expect("join");
    tx.commit().await.expect("commit");
    // The steps too have been there that long (a step added today holds nobody up yet).
    let sql = "UPDATE onboarding_steps SET created_at = $1 WHERE network_id = $2";
    db.write(sql, roundtable_store::params![weeks_ago, net]).await.expect("backdate");
    admin.open(&format!("/n/{slug}/onboarding")).await;
    admin
        .expect_text(
            "section[aria-labelledby=prog-h] p",
            "2 newcomers; 1 stuck (a step not done 14 days after joining, or after the step was added).",
        )
        .await;
    let remind = admin.button("Email a reminder to Sam Stuck").await;
    admin.click(remind).await;
    admin.expect_path(&format!("/n/{slug}/onboarding?notice=nudged#n-{sam}")).await;
    admin.expect_notice("A reminder has been emailed.").await;
    assert_eq!(app.emails_to("sam@example.org").await.len(), 1, "Sam got one reminder");
    // Once a week at most: the button gives way to when the reminder went.
    admin
        .expect_text(
            "section[aria-labelledby=prog-h] table .hint",
            &format!("Reminded {}", roundtable_app::http::day(chrono::Utc::now(), chrono_tz::Tz::UTC)),
        )
        .await;
    // Sam did the induction before Roundtable: marked settled in, Sam leaves the newcomers for a
    // list of their own (the page passes its audit with it), and comes back when taken back.
    let settle = admin.button("Mark as settled in: Sam Stuck").await;
    admin.click(settle).await;
    admin.expect_path(&format!("/n/{slug}/onboarding?notice=settled-in#prog-h")).await;
    admin.expect_notice("Marked as settled in: their checklist is put away; their ticks are kept.").await;
    admin.expect_text("section[aria-labelledby=prog-h] h3#settled-h", "Marked as settled in").await;
    let again = admin.button("Count as a newcomer again: Sam Stuck").await;
    admin.click(again).await;
    admin.expect_notice("They count as a newcomer again, with the ticks they had.").await;
    admin
        .find(By::XPath("//section[@aria-labelledby='prog-h']//tbody/tr[th[1]='Sam Stuck']"), "Sam, a newcomer again")
        .await;
    // At phone width too: the steps' long "done when…" labels wrap instead of widening the page.
    admin.resize(PHONE).await;
    admin.open(&format!("/n/{slug}/onboarding")).await;
    admin.expect_fits_phone("the onboarding page").await;
    admin.resize(DESKTOP).await;

    // A new version is previewed before it is published: what would change, and the text as
    // members would read it; nothing is published (the acceptances below still count version 1).
    admin.open(&format!("/n/{slug}/charter")).await;
    admin
        .fill(
            "Charter text",
            "f-body",
            "## Rules of engagement\n\n- Be kind and generous.\n- **What is said here stays here.**",
        )
        .await;
    let preview = admin.button("Preview").await;
    admin.keyboard_press(preview).await;
    admin.expect_text("#preview-h", "Preview of version 2").await;
    admin.expect_text("#preview .changes p.removed del strong", "constructive.").await;
    admin.expect_text("#preview .changes p.added ins strong", "generous.").await;
    admin.expect_text("#preview article.charter h4", "Rules of engagement").await;
    admin.resize(PHONE).await;
    admin.expect_fits_phone("a charter's preview with its changes").await;
    admin.resize(DESKTOP).await;

    admin.open(&format!("/n/{slug}/charter")).await;
    let who = admin.link("Who has accepted").await;
    admin.click(who).await;
    admin.expect_path(&format!("/n/{slug}/charter/acceptances")).await;
    admin.expect_h1(&format!("Charter acceptances — {network}")).await;
    admin
        .find(
            By::XPath("//main//p[normalize-space(.)='1 of 2 members has accepted the current version (1).']"),
            "the acceptance count",
        )
        .await;
    admin
        .find(
            By::XPath("//main//tbody/tr[th[1]='Mia Member' and normalize-space(td[1])='version 1 current']"),
            "Mia's acceptance",
        )
        .await;
    // The version Mia accepted opens as a page of its own.
    let mias =
        admin.find(By::XPath("//main//tbody/tr[th[1]='Mia Member']/td[1]/a[.='version 1']"), "Mia's version").await;
    admin.click(mias).await;
    admin.expect_path(&format!("/n/{slug}/charter/versions/1")).await;
    admin.expect_h1(&format!("Charter of {network}, version 1")).await;
    admin.expect_text("article.charter h2", "Rules of engagement").await;
    admin.open(&format!("/n/{slug}/charter/acceptances")).await;
    // Sam has not accepted: listed alone on request, and reminded once, with the keyboard.
    let pending = admin.link("Show only the 1 who have not accepted").await;
    admin.keyboard_press(pending).await;
    admin.expect_path(&format!("/n/{slug}/charter/acceptances?pending=true")).await;
    admin.find(By::XPath("//main//tbody/tr[th[1]='Sam Stuck']"), "Sam, pending").await;
    admin.expect_absent(By::XPath("//main//tbody/tr[th[1]='Mia Member']"), "Mia, who accepted,").await;
    let remind = admin.button("Email a reminder to the 1 who have not accepted").await;
    admin.keyboard_press(remind).await;
    admin.expect_notice("A reminder has been emailed to every member who has not accepted the current version.").await;
    admin
        .expect_absent(
            By::XPath("//main//button[starts-with(normalize-space(.), 'Email a reminder')]"),
            "a second reminder within the week",
        )
        .await;
    let reminders = app
        .emails_to("sam@example.org")
        .await
        .iter()
        .filter(|m| m.contains("a reminder to accept the charter"))
        .count();
    assert_eq!(reminders, 1, "Sam was reminded once");

    let admin_link = admin.find(By::XPath("//header//a[normalize-space(.)='Admin']"), "the header's Admin link").await;
    admin.click(admin_link).await;
    admin.expect_path("/admin/people").await;
    admin.expect_h1("People").await;
    admin
        .find(By::XPath("//main//tbody/tr[th[1]='Mia Member' and td[1]='mia@example.org']"), "Mia in the people table")
        .await;
    // Inviting someone to the organisation: the form opens, a bad address is refused beside it.
    let invite = admin
        .find(By::XPath("//main//summary[normalize-space(.)='Invite someone to Roundtable']"), "the invite disclosure")
        .await;
    admin.mouse_click(&invite).await;
    // (An address the browser's own check lets through, so the server's answer is what shows.)
    let email = admin.fill("Their work email address", "f-email", "colleague@localhost").await;
    admin.press_enter(email).await;
    admin.expect_text("#f-email-error", "Enter an email address like name@example.org.").await;
    admin.fill("Their work email address", "f-email", "colleague@example.org").await;
    let send = admin.button("Send the invitation").await;
    admin.click(send).await;
    admin.expect_notice("The invitation has been sent by email.").await;
    for (link, h1) in [
        ("Audit log", "Audit log"),
        ("Outbox", "Outbox"),
        ("Sign-up domains", "Sign-up domains"),
        ("Export", "Export members"),
    ] {
        let l = admin
            .find(
                By::XPath(format!("//nav[@aria-label='Administration']//a[normalize-space(.)='{link}']")),
                &format!("the admin menu's {link} link"),
            )
            .await;
        admin.click(l).await;
        admin.expect_h1(h1).await;
        if link == "Audit log" {
            for action in ["Network created", "Charter published", "Onboarding step added"] {
                admin
                    .find(
                        By::XPath(format!("//main//tbody/tr[td[3]='{action}']")),
                        &format!("{action} in the audit log"),
                    )
                    .await;
            }
        }
        if link == "Export" {
            // The separator is a labelled radio group (axe has checked the page on arrival).
            admin.choose("Semicolons (French, German, Spanish, Italian, Dutch… settings)").await;
        }
    }
    let account = admin
        .find(By::XPath("//header//a[starts-with(normalize-space(.), 'My account')]"), "the header's My account link")
        .await;
    admin.click(account).await;
    admin.expect_h1("My account").await;

    // ---- the administrator: the network calendar and an event created through the form ----
    admin.open(&format!("/n/{slug}")).await;
    let calendar = admin.link("Calendar").await;
    admin.click(calendar).await;
    admin.expect_path(&format!("/n/{slug}/events")).await;
    admin.expect_h1(&format!("{network} calendar")).await;
    admin
        .find(
            By::XPath(
                "//nav[@aria-label='Calendar views']//a[@aria-current='page' and normalize-space(.)='Month view']",
            ),
            "the current Month view",
        )
        .await;
    let new_event = admin.link("New event").await;
    admin.click(new_event).await;
    admin.expect_path(&format!("/n/{slug}/events/new")).await;
    admin.expect_h1(&format!("New event in {network}")).await;
    let day = (chrono::Utc::now() + chrono::Duration::days(3)).date_naive();
    admin.fill("Title", "f-title", "Welcome coffee").await;
    admin.fill("Description", "f-description", "Meet the **new members**.").await;
    admin.set_by_script("Starts", "f-start", &format!("{}T12:00", day.format("%Y-%m-%d"))).await;
    admin.set_by_script("Ends", "f-end", &format!("{}T13:00", day.format("%Y-%m-%d"))).await;
    admin.fill("Place", "f-place", "Room 4.01").await;
    let save = admin.button("Save the event").await;
    admin.click(save).await;
    admin.expect_notice("The event has been created.").await;
    admin.expect_h1("Welcome coffee").await;
    let event_path = admin.path().await;
    assert!(
        event_path.starts_with("/events/") && event_path.ends_with("?notice=event-created"),
        "expected the new event's page, got {event_path}"
    );
    admin.find(By::XPath("//section[@aria-labelledby='org-h']//code"), "the check-in code").await;

    // Back to the calendar: the month of the event, then the list.
    let back = admin
        .find(
            By::XPath(format!("//main/p[contains(@class,'muted')]/a[normalize-space(.)='{network}']")),
            "the link to the network's calendar",
        )
        .await;
    admin.click(back).await;
    admin.expect_h1(&format!("{network} calendar")).await;
    let month = day.format("%B %Y").to_string();
    let caption =
        admin.find(By::Css("table.calendar caption"), "the month's caption").await.text().await.expect("caption");
    if caption != month {
        let later = admin
            .find(By::XPath("//main//nav[@aria-label='Earlier and later']/a[@rel='next']"), "the Later link")
            .await;
        admin.click(later).await;
        admin.expect_text("table.calendar caption", &month).await;
    }
    admin
        .find(
            By::XPath("//table[contains(@class,'calendar')]//a[normalize-space(.)='12:00 Welcome coffee']"),
            "the event in the month",
        )
        .await;
    let list = admin
        .find(By::XPath("//nav[@aria-label='Calendar views']//a[normalize-space(.)='List view']"), "the List view link")
        .await;
    admin.click(list).await;
    admin
        .find(
            By::XPath(
                "//nav[@aria-label='Calendar views']//a[@aria-current='page' and normalize-space(.)='List view']",
            ),
            "the current List view",
        )
        .await;
    let in_list = admin
        .find(
            By::XPath("//section[@aria-labelledby='list-h']//a[normalize-space(.)='Welcome coffee']"),
            "the event in the list",
        )
        .await;
    admin.click(in_list).await;
    admin.expect_h1("Welcome coffee").await;

    // The event page at phone width.
    admin.resize(PHONE).await;
    let event_path = admin.path().await;
    admin.open(&event_path).await;
    admin.expect_h1("Welcome coffee").await;
    admin.expect_fits_phone("the event page").await;
    admin.resize(DESKTOP).await;

    // ---- someone invited by email joins through the charter on the invitation page ----
    admin.open(&format!("/n/{slug}/invite")).await;
    admin.fill("Their email addresses", "f-email", "ivy@example.org").await;
    let send = admin.button("Send the invitations").await;
    admin.click(send).await;
    admin.expect_notice("The invitation has been sent by email.").await;
    let emails = app.emails_to("ivy@example.org").await;
    let link = app.link_in(&emails[0], "/invitations/");
    let mut ivy = Browser::new(&chrome, &app, "invitee").await;
    ivy.open(link.strip_prefix(&app.url).expect("link on this server")).await;
    ivy.expect_h1(&format!("You are invited to {network}")).await;
    ivy.expect_text("#charter-h", "The network's charter (version 1)").await;
    ivy.expect_text("article.charter h2", "Rules of engagement").await;
    ivy.fill("Your name", "f-name", "Ivy Invited").await;
    ivy.fill("Choose a password", "f-password", support::PASSWORD).await;
    ivy.choose("I have read the charter and I accept it").await;
    ivy.resize(PHONE).await;
    ivy.expect_fits_phone("the invitation with its charter").await;
    ivy.resize(DESKTOP).await;
    let join = ivy.button("Create my account and join").await;
    ivy.click(join).await;
    ivy.expect_path(&format!("/n/{slug}?notice=accepted")).await;
    ivy.expect_notice("Welcome! You have joined the network.").await;

    report(dialect, "onboarding journey", started, vec![admin.quit().await, member.quit().await, ivy.quit().await], 32);
    drop(app);
    drop(chrome);
}

// ---------------------------------------------------------------------------------------------
// The journey: one place, a waiting list, promotion, self check-in and attendance history
// ---------------------------------------------------------------------------------------------

/// Opens the event page at `path` (no query), checks its title and the "Places" line.
async fn open_event(b: &mut Browser<'_>, path: &str, title: &str, places: &str) {
    b.open(path).await;
    b.expect_h1(title).await;
    expect_places(b, places).await;
}

/// Waits until the event page's "Places" line reads `expected`.
async fn expect_places(b: &Browser<'_>, expected: &str) {
    b.find(
        By::XPath(format!("//main/dl/dt[.='Places']/following-sibling::dd[1][normalize-space(.)='{expected}']")),
        &format!("Places: {expected}"),
    )
    .await;
}

/// Answers "Going", "Maybe" or "Not going" on the open event page; returns the notice shown.
async fn answer(b: &mut Browser<'_>, label: &str, notice: &str) {
    b.choose(label).await;
    let send = b.button("Send my answer").await;
    b.click(send).await;
    b.expect_notice(notice).await;
}

async fn event_rsvp_journey(dialect: Dialect) {
    let started = Instant::now();
    let chrome = ChromeDriver::start().await;
    let app = TestApp::spawn(dialect).await;
    let network = "Team Assistants";
    let title = "Diary management clinic";

    // ---- the organiser: an open network and an event with one place, starting within the hour ----
    let mut admin = Browser::new(&chrome, &app, "organiser").await;
    first_run_setup(&mut admin).await;
    let slug = create_network(&mut admin, network, "Assistants supporting teams.", "Open to everyone").await;
    let new_event = admin.link("Calendar").await;
    admin.click(new_event).await;
    admin.expect_h1(&format!("{network} calendar")).await;
    let new_event = admin.link("New event").await;
    admin.click(new_event).await;
    admin.expect_h1(&format!("New event in {network}")).await;
    // In half an hour: answers are still open (they close at the start) and self check-in is
    // already open (from an hour before the start).
    let start = chrono::Utc::now() + chrono::Duration::minutes(30);
    let end = start + chrono::Duration::hours(1);
    admin.fill("Title", "f-title", title).await;
    admin.fill("Description", "f-description", "Bring your **trickiest** calendar.").await;
    admin.set_by_script("Starts", "f-start", &start.format("%Y-%m-%dT%H:%M").to_string()).await;
    admin.set_by_script("Ends", "f-end", &end.format("%Y-%m-%dT%H:%M").to_string()).await;
    admin.fill("Time zone of the event", "f-time_zone", "UTC").await;
    admin.fill("Place", "f-place", "Room 2.14").await;
    admin.fill("Places (optional)", "f-capacity", "1").await;
    let save = admin.button("Save the event").await;
    admin.click(save).await;
    admin.expect_notice("The event has been created.").await;
    admin.expect_h1(title).await;
    expect_places(&admin, "0 of 1 taken").await;
    let path = admin.path().await;
    let event = path
        .strip_suffix("?notice=event-created")
        .filter(|p| p.starts_with("/events/"))
        .unwrap_or_else(|| panic!("expected the new event's page, got {path}"))
        .to_owned();

    // ---- two members join the open network ----
    let mut members = Vec::new();
    for (who, email, name) in [("member A", "alex@example.org", "Alex A"), ("member B", "bea@example.org", "Bea B")] {
        roundtable_app::admin::console::create_user(&app.state.db, email, name, support::PASSWORD, false)
            .await
            .expect("create member");
        let mut m = Browser::new(&chrome, &app, who).await;
        m.sign_in(email, name).await;
        m.open(&format!("/n/{slug}")).await;
        m.expect_h1(network).await;
        let join = m.button("Join this network").await;
        m.click(join).await;
        m.expect_path(&format!("/n/{slug}?notice=joined")).await;
        m.expect_notice("Welcome! You are now a member of this network.").await;
        members.push(m);
    }

    // ---- on a phone, the month is a list of the days with events, under their dates ----
    let alex = &mut members[0];
    alex.resize(PHONE).await;
    alex.open(&format!("/calendar?view=month&month={}", start.format("%Y-%m"))).await;
    alex.expect_fits_phone("the month").await;
    alex.expect_no_sideways_scroll("table.calendar", "the month").await;
    let (right, width): (f64, f64) = alex
        .driver
        .execute(
            &format!(
                "const a = [...document.querySelectorAll('table.calendar a')].find(a => a.textContent.includes('{title}')); \
                 return [a.getBoundingClientRect().right, innerWidth];"
            ),
            Vec::new(),
        )
        .await
        .expect("the event in the month")
        .convert()
        .expect("two numbers");
    assert!(right <= width, "the event's link ends at {right}px on a {width}px screen");
    alex.resize(DESKTOP).await;
    let (mut a, mut b) = {
        let b = members.pop().expect("B");
        (members.pop().expect("A"), b)
    };

    // ---- A takes the one place; B joins the waiting list ----
    open_event(&mut a, &event, title, "0 of 1 taken").await;
    a.expect_absent(
        By::XPath("//main//p[starts-with(normalize-space(.), 'Your answer:')]"),
        "an answer, before answering,",
    )
    .await;
    answer(&mut a, "Going", "You're going. The invitation is on its way to your inbox.").await;
    a.expect_text("section[aria-labelledby=rsvp-h] p strong", "Going").await;
    expect_places(&a, "1 of 1 taken").await;

    open_event(&mut b, &event, title, "1 of 1 taken").await;
    answer(
        &mut b,
        "Going",
        "The event is full, so you are on the waiting list. We will email you if a place frees up.",
    )
    .await;
    b.expect_text("section[aria-labelledby=rsvp-h] p strong", "On the waiting list").await;
    expect_places(&b, "1 of 1 taken, 1 on the waiting list").await;

    // ---- A gives up the place: B is promoted automatically ----
    answer(&mut a, "Not going", "Your answer has been saved.").await;
    a.expect_text("section[aria-labelledby=rsvp-h] p strong", "Not going").await;
    open_event(&mut b, &event, title, "1 of 1 taken").await;
    b.expect_text("section[aria-labelledby=rsvp-h] p strong", "Going").await;
    let r_yes = b.find(By::Id("r-yes"), "the Going radio").await;
    assert!(r_yes.is_selected().await.expect("selected"), "B's Going answer should be preselected");
    b.expect_absent(By::XPath("//section[@aria-labelledby='org-h']"), "the organisers' section, for a member,").await;

    // ---- the organiser sees the answers and the check-in code ----
    open_event(&mut admin, &event, title, "1 of 1 taken").await;
    let code = admin
        .find(
            By::XPath(
                "//section[@aria-labelledby='org-h']//p[starts-with(normalize-space(.), 'Self check-in code')]//code",
            ),
            "the check-in code",
        )
        .await
        .text()
        .await
        .expect("code");
    assert_eq!(code.trim().len(), 6, "the check-in code should have six characters, got {code:?}");
    admin
        .find(
            By::XPath("//section[@aria-labelledby='org-h']//tbody/tr[td[1]='Alex A' and td[2]='Not going']"),
            "A's answer",
        )
        .await;
    admin
        .find(By::XPath("//section[@aria-labelledby='org-h']//tbody/tr[td[1]='Bea B' and td[2]='Going']"), "B's answer")
        .await;

    // ---- B checks in with the code, then finds the event in the attendance history ----
    let field = b.fill("Code shown at the event", "f-code", code.trim()).await;
    b.press_enter(field).await;
    b.expect_notice("You are checked in. Enjoy the event!").await;
    b.expect_h1(title).await;
    b.expect_absent(By::Id("f-code"), "the check-in form, after checking in,").await;
    let history = b.link("My attendance").await;
    b.click(history).await;
    b.expect_path("/calendar/attendance").await;
    b.expect_h1("My attendance").await;
    b.find(
        By::XPath(format!(
            "//main//tbody/tr[td[1]/a[normalize-space(.)='{title}'] and td[2]='{network}' and td[4]='Checked in with the code']"
        )),
        "the event in B's attendance history",
    )
    .await;
    // A, who gave up the place and did not check in, has no history.
    a.open("/calendar/attendance").await;
    a.expect_h1("My attendance").await;
    a.expect_absent(By::Css("main table"), "an attendance table, for A,").await;

    report(dialect, "event RSVP journey", started, vec![admin.quit().await, a.quit().await, b.quit().await], 24);
    drop(app);
    drop(chrome);
}

// ---------------------------------------------------------------------------------------------
// The journey: a buddy for a newcomer, and an HR import whose bad rows can be downloaded
// ---------------------------------------------------------------------------------------------

async fn buddy_and_import_journey(dialect: Dialect) {
    use roundtable_domain::{MembershipStatus, Role};
    use roundtable_store::{networks, users};
    let started = Instant::now();
    let chrome = ChromeDriver::start().await;
    let app = TestApp::spawn(dialect).await;
    let db = &app.state.db;
    let network = "Team Assistants";

    // ---- the organiser: an open network with an experienced member (there for a year) ----
    let mut admin = Browser::new(&chrome, &app, "organiser").await;
    first_run_setup(&mut admin).await;
    let slug = create_network(&mut admin, network, "Assistants supporting teams.", "Open to everyone").await;
    let net = networks::by_slug(db, &slug).await.expect("network").expect("created");
    for (email, name) in [("bo@example.org", "Bo Buddy"), ("nia@example.org", "Nia Newcomer")] {
        roundtable_app::admin::console::create_user(db, email, name, support::PASSWORD, false).await.expect("create");
    }
    let bo = users::by_email(db, "bo@example.org").await.expect("read").expect("Bo");
    let mut tx = db.begin().await.expect("begin");
    let a_year_ago = chrono::Utc::now() - chrono::Duration::days(400);
    networks::upsert_membership(&mut tx, net.id, bo.id, Role::Member, MembershipStatus::Active, a_year_ago)
        .await
        .expect("Bo joins");
    tx.commit().await.expect("commit");

    // ---- the newcomer joins in her own browser: no buddy yet ----
    let mut nia = Browser::new(&chrome, &app, "newcomer").await;
    nia.sign_in("nia@example.org", "Nia Newcomer").await;
    nia.open(&format!("/n/{slug}")).await;
    let join = nia.button("Join this network").await;
    nia.click(join).await;
    nia.expect_notice("Welcome! You are now a member of this network.").await;
    nia.expect_absent(By::Id("buddy-h"), "“Your buddy”, before one is assigned,").await;
    let nia_id = users::by_email(db, "nia@example.org").await.expect("read").expect("Nia").id;

    // ---- the organiser opens her buddy page from the onboarding overview ----
    admin.open(&format!("/n/{slug}/onboarding")).await;
    admin.expect_h1(&format!("Onboarding — {network}")).await;
    let assign = admin.link("Assign a buddy to Nia Newcomer").await;
    admin.click(assign).await;
    let page = format!("/n/{slug}/onboarding/buddies/{nia_id}");
    admin.expect_path(&page).await;
    admin.expect_h1("Buddy for Nia Newcomer").await;
    admin.expect_text("section[aria-labelledby=now-h] p", "Nia Newcomer has no buddy yet.").await;
    admin
        .find(
            By::XPath("//section[@aria-labelledby='sugg-h']//li[.//a[normalize-space(.)='Bo Buddy'] and contains(., 'In the network for 1 year')]"),
            "Bo suggested, with why",
        )
        .await;
    // Someone who is not a member: refused beside the field, and the page (with its errors) is
    // audited too.
    let email = admin.fill("Email address of a member of the network", "f-email", "ghost@example.org").await;
    admin.press_enter(email).await;
    admin.expect_h1("Buddy for Nia Newcomer").await;
    admin
        .find(
            By::XPath("//main//div[@class='error-summary']//a[@href='#f-email' and contains(., 'No active member of Team Assistants has the email ghost@example.org')]"),
            "the error in the summary, linked to the field",
        )
        .await;
    admin.find(By::Css("#f-email[aria-invalid=true]"), "the email field marked invalid").await;
    // The suggestion, with the keyboard.
    let make = admin.button("Make Bo Buddy the buddy of Nia Newcomer").await;
    admin.keyboard_press(make).await;
    admin.expect_path(&format!("{page}?notice=buddy-assigned")).await;
    admin.expect_notice("The buddy has been assigned; both have been emailed.").await;
    admin
        .find(
            By::XPath("//section[@aria-labelledby='now-h']//p[contains(., 'has been Nia Newcomer') and a[normalize-space(.)='Bo Buddy']]"),
            "Bo as the buddy now",
        )
        .await;
    admin.button("End this pairing").await;
    // The buddy page at phone width.
    admin.resize(PHONE).await;
    admin.open(&page).await;
    admin.expect_h1("Buddy for Nia Newcomer").await;
    admin.expect_fits_phone("the buddy page").await;
    admin.resize(DESKTOP).await;

    // ---- the newcomer sees her buddy on the network's page, at both widths ----
    for size in [DESKTOP, PHONE] {
        nia.resize(size).await;
        nia.open(&format!("/n/{slug}")).await;
        nia.expect_text("#buddy-h", "Your buddy").await;
        nia.find(By::XPath("//section[@id='buddy']//p/a[normalize-space(.)='Bo Buddy']"), "Bo, her buddy").await;
        if size == PHONE {
            nia.expect_fits_phone("the network page with a buddy").await;
        }
    }
    nia.resize(DESKTOP).await;

    // ---- the organiser imports an HR file with a bad row: the preview offers those rows ----
    admin.open("/admin/import").await;
    admin.expect_h1("Import members").await;
    admin
        .fill(
            "Or paste the rows, with the header row first",
            "f-text",
            "email,name,start_date,Worker Status,Termination Date\n\
             fay@example.org,Fay Field,31/02/2020,Active,\n\
             gus@example.org,Gus Grant,2021-04-01,Active,2999-12-31\n\
             hal@example.org,Hal Hence,2015-06-01,Terminated,2024-03-31\n\
             bo@example.org,Bo Buddy,2016-09-01,Terminated,2024-06-30",
        )
        .await;
    let next = admin.button("Continue").await;
    admin.click(next).await;
    admin.expect_h1("Choose the columns").await;
    // The HR status and leaving date are chosen for their columns (axe checked the page).
    for (id, header) in [("f-status", "Worker Status (column D)"), ("f-leaving_date", "Termination Date (column E)")] {
        admin
            .find(
                By::XPath(format!("//select[@id='{id}']/option[@selected and normalize-space(.)='{header}']")),
                header,
            )
            .await;
    }
    let check = admin.button("Check the file").await;
    admin.click(check).await;
    admin.expect_h1("Check before importing").await;
    admin.expect_text("main .error-summary h2", "1 row has errors").await;
    admin.link("You can download the rows with errors").await;
    admin.expect_text("#error-rows-h", "Fix the rows with errors in Excel").await;
    // Bo has left: the preview says so, and why (the page and its table audited by axe).
    admin.expect_text("#deactivations", "To deactivate").await;
    admin
        .find(
            By::XPath("//table[ancestor::*[@aria-labelledby='deactivations']]//tr[td='bo@example.org' and td='status “Terminated” in the file']"),
            "Bo to deactivate, for his status in the file",
        )
        .await;
    let download = admin.button("Download the rows with errors (CSV)").await;
    let form = download.find(By::XPath("./ancestor::form")).await.expect("the download's form");
    assert_eq!(form.attr("action").await.expect("action").as_deref(), Some("/admin/import/errors.csv"));
    let valid_only = admin.button("Import the valid rows only").await;
    // The same page at phone width: a POST result, so audited again in place after resizing.
    admin.resize(PHONE).await;
    admin.audit().await;
    admin.expect_fits_phone("the import preview").await;
    admin.expect_no_sideways_scroll("table.rows-stack", "the preview's problems").await;
    admin.resize(DESKTOP).await;
    assert!(users::by_email(db, "gus@example.org").await.expect("read").is_none(), "a preview imports nothing");
    // Importing the valid rows: the page that says what was done (audited as it loads, then at
    // phone width), Gus in, Fay (the bad date) not.
    admin.click(valid_only).await;
    admin.expect_h1("Import done").await;
    admin.link("See the people").await;
    admin.resize(PHONE).await;
    admin.audit().await;
    admin.expect_fits_phone("the import's result").await;
    admin.resize(DESKTOP).await;
    assert!(users::by_email(db, "gus@example.org").await.expect("read").is_some(), "the valid row is imported");
    assert!(users::by_email(db, "fay@example.org").await.expect("read").is_none(), "the row with errors is not");
    assert!(users::by_email(db, "hal@example.org").await.expect("read").is_none(), "a leaver is not added");
    let bo = users::by_email(db, "bo@example.org").await.expect("read").expect("Bo");
    assert!(bo.deactivated_at.is_some(), "a leaver in the file is deactivated");

    report(dialect, "buddy and import journey", started, vec![admin.quit().await, nia.quit().await], 20);
    drop(app);
    drop(chrome);
}

// ---------------------------------------------------------------------------------------------
// The tour: every page and every form's refusal, at desktop width in light colours and at phone
// width in dark ones
// ---------------------------------------------------------------------------------------------

/// Pages an organiser, a member and a visitor reach, including those no journey walks through
/// (network settings, the admin console, account pages, error pages) and each form's refusal —
/// each audited by axe, and at phone width checked not to scroll sideways.
async fn page_tour(dialect: Dialect) {
    use roundtable_domain::{MembershipStatus, Role};
    use roundtable_store::{networks, onboarding, users};
    let started = Instant::now();
    let chrome = ChromeDriver::start().await;
    let app = TestApp::spawn(dialect).await;
    let db = &app.state.db;

    // ---- content for the pages to show, made over HTTP ----
    let mut admin = Browser::new(&chrome, &app, "organiser").await;
    first_run_setup(&mut admin).await;
    let c = app.sign_in("admin@example.org").await;
    app.network(&c, "tour", "open").await;
    let mo = app.user("mo@example.org", "Mo Member").await;
    assert_eq!(mo.post(app.at("/n/tour/join")).send().await.expect("join").status(), 303);
    let r = c.post(app.at("/n/tour/charter")).form(&[("body", "## Our rules\n\nBe kind; keep confidences.")]);
    assert_eq!(r.send().await.expect("charter").status(), 303);
    let step = [("title", "Read the induction pack"), ("description", "On the intranet."), ("automatic", "")];
    assert_eq!(c.post(app.at("/n/tour/onboarding/steps")).form(&step).send().await.expect("step").status(), 303);
    let (event, _) = app
        .event(&c, "tour", "Welcome lunch", "Meet the network.", chrono::Utc::now() + chrono::Duration::days(7))
        .await;
    // An invitation that ran out unanswered, so the member list shows that section too.
    let r = c.post(app.at("/n/tour/invite")).form(&[("email", "gone@example.org"), ("role", "member")]);
    assert_eq!(r.send().await.expect("invite").status(), 303);
    let aged = "UPDATE one_time_links SET created_at = created_at - $1, expires_at = expires_at - $1 WHERE email = $2";
    let fifteen_days: i64 = 15 * 24 * 3600 * 1_000_000;
    db.write(aged, roundtable_store::params![fifteen_days, "gone@example.org"]).await.expect("age the invitation");
    let members = c.get(app.at("/n/tour/members")).send().await.expect("members").text().await.expect("page");
    assert!(members.contains("Invitations that ran out unanswered"), "the tour's member list shows it: {members}");
    let net = networks::by_slug(db, "tour").await.expect("read").expect("network");
    let step = onboarding::steps(db, net.id).await.expect("steps").remove(0).id;
    let mo_id = users::by_email(db, "mo@example.org").await.expect("read").expect("Mo").id;
    let admin_id = users::by_email(db, "admin@example.org").await.expect("read").expect("Ada").id;
    // The states an account's end leaves: Mo is the only Chair of "solo" (his account page warns
    // him before he deactivates it); Cy, the only Chair of "lapsed", is deactivated (its page says
    // it has no active Chair, the Networks list marks it, and the People page's Reactivate says
    // which role comes back).
    let only_chair = |slug: &'static str, chair: roundtable_domain::UserId| {
        let (app, c) = (&app, &c);
        async move {
            app.network(c, slug, "open").await;
            let net = networks::by_slug(db, slug).await.expect("read").expect("network");
            let mut tx = db.begin().await.expect("begin");
            let now = chrono::Utc::now();
            networks::upsert_membership(&mut tx, net.id, chair, Role::Chair, MembershipStatus::Active, now)
                .await
                .expect("the Chair");
            networks::upsert_membership(&mut tx, net.id, admin_id, Role::Member, MembershipStatus::Active, now)
                .await
                .expect("the admin a member");
            tx.commit().await.expect("commit");
        }
    };
    only_chair("solo", mo_id).await;
    app.user("cy@example.org", "Cy Chair").await;
    let cy_id = users::by_email(db, "cy@example.org").await.expect("read").expect("Cy").id;
    only_chair("lapsed", cy_id).await;
    let r = c.post(app.at(&format!("/admin/people/{cy_id}/active"))).form(&[("value", "false")]);
    assert_eq!(r.send().await.expect("deactivate Cy").status(), 303);
    app.jobs_done().await;
    let lapsed = c.get(app.at("/n/lapsed")).send().await.expect("lapsed").text().await.expect("page");
    assert!(lapsed.contains("No active Chair"), "the tour's network with no active Chair: {lapsed}");
    let account = mo.get(app.at("/account")).send().await.expect("account").text().await.expect("page");
    assert!(account.contains("You are the only Chair of"), "the tour's only-Chair warning: {account}");

    let organiser_pages = [
        "/".to_owned(),
        "/networks".to_owned(),
        "/n/tour".to_owned(),
        "/n/tour/members".to_owned(),
        "/n/tour/invite".to_owned(),
        "/n/tour/settings".to_owned(),
        format!("/n/tour/members/{mo_id}/remove"),
        "/n/tour/charter".to_owned(),
        "/n/tour/charter/versions/1".to_owned(),
        "/n/tour/charter/acceptances".to_owned(),
        "/n/tour/onboarding".to_owned(),
        format!("/n/tour/onboarding/steps/{step}/edit"),
        format!("/n/tour/onboarding/buddies/{mo_id}"),
        "/n/tour/events".to_owned(),
        format!("/events/{event}"),
        format!("/events/{event}/edit"),
        "/calendar".to_owned(),
        "/calendar/attendance".to_owned(),
        "/calendar/feeds".to_owned(),
        "/people".to_owned(),
        format!("/people/{mo_id}"),
        format!("/people/{admin_id}"),
        "/account".to_owned(),
        "/admin/people".to_owned(),
        "/admin/people?show=deactivated".to_owned(),
        "/n/lapsed".to_owned(),
        "/admin/organisation".to_owned(),
        "/admin/domains".to_owned(),
        "/admin/audit".to_owned(),
        "/admin/outbox".to_owned(),
        "/admin/import".to_owned(),
        "/admin/export".to_owned(),
        "/no-such-page".to_owned(),
    ];
    // (page, its form whose refusal is audited)
    let organiser_forms = [
        ("/networks/new", "main form[action='/networks/new']"),
        ("/n/tour/settings", "main form[action='/n/tour/settings']"),
        ("/n/tour/invite", "main form[action='/n/tour/invite']"),
        ("/n/tour/charter", "main form[action='/n/tour/charter']"),
        ("/n/tour/onboarding", "main form[action='/n/tour/onboarding/steps']"),
        ("/n/tour/events/new", "main form[action='/n/tour/events/new']"),
        ("/profile", "main form[action='/profile']"),
        ("/account", "main form[action='/account/password']"),
        ("/account", "main form[action='/account/tokens']"),
        ("/admin/people", "main form[action='/admin/people/invite']"),
        ("/admin/organisation", "main form[action='/admin/organisation']"),
        ("/admin/domains", "main form[action='/admin/domains']"),
    ];
    // (page, where it lands, the error it shows: 0 for none)
    let member_pages = [
        ("/", "/", 0),
        ("/n/tour", "/n/tour", 0),
        ("/n/tour/charter", "/n/tour/charter", 0),
        ("/n/tour/leave", "/n/tour/leave", 0),
        ("/people", "/people", 0),
        ("/profile", "/profile", 0),
        ("/account", "/account", 0),
        ("/calendar", "/calendar", 0),
        ("/admin/people", "/admin/people", 403),
    ];
    let visitor_pages = [
        ("/sign-in", "/sign-in", 0),
        ("/sign-up", "/sign-up", 0),
        ("/password/forgot", "/password/forgot", 0),
        ("/people", "/sign-in?next=%2Fpeople", 0),
        ("/no-such-page", "/no-such-page", 404),
    ];
    let visitor_forms = [
        ("/sign-in", "main form[action='/sign-in']"),
        ("/sign-up", "main form[action='/sign-up']"),
        ("/password/forgot", "main form[action='/password/forgot']"),
    ];

    let mut member = Browser::new(&chrome, &app, "member").await;
    member.sign_in("mo@example.org", "Mo Member").await;
    let mut visitor = Browser::new(&chrome, &app, "visitor").await;
    for phone in [false, true] {
        for b in [&mut admin, &mut member, &mut visitor] {
            if phone {
                b.resize(PHONE).await;
                b.dark_mode().await;
            }
        }
        for page in &organiser_pages {
            admin.open(page).await;
            admin.expect_landed(page, page, if page == "/no-such-page" { 404 } else { 0 }).await;
            if phone {
                admin.expect_fits_phone(page).await;
            }
        }
        for (page, form) in organiser_forms {
            admin.open(page).await;
            admin.submit_blank(form).await;
            if phone {
                admin.expect_fits_phone(&format!("the refusal of {form}")).await;
            }
        }
        for (page, lands, error) in member_pages {
            member.open(page).await;
            member.expect_landed(page, lands, error).await;
            if phone {
                member.expect_fits_phone(page).await;
            }
        }
        for (page, lands, error) in visitor_pages {
            visitor.open(page).await;
            visitor.expect_landed(page, lands, error).await;
            if phone {
                visitor.expect_fits_phone(page).await;
            }
        }
        for (page, form) in visitor_forms {
            visitor.open(page).await;
            visitor.submit_blank(form).await;
            if phone {
                visitor.expect_fits_phone(&format!("the refusal of {form}")).await;
            }
        }
    }

    let pages = 2
        * (organiser_pages.len()
            + 2 * organiser_forms.len()
            + member_pages.len()
            + visitor_pages.len()
            + 2 * visitor_forms.len());
    report(dialect, "page tour", started, vec![admin.quit().await, member.quit().await, visitor.quit().await], pages);
    drop(app);
    drop(chrome);
}
