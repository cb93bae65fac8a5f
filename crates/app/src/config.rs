//! Configuration: defaults < `roundtable.toml` < `ROUNDTABLE_*` environment variables < flags.
//! Read once at start; a bad value stops the server with a message naming the setting and where
//! it came from (figment tracks the source of every value).

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on.
    pub bind: SocketAddr,
    /// Folder for the SQLite database, outgoing mail files and uploads.
    pub data_dir: PathBuf,
    /// `postgres://user:pass@host/db` to use PostgreSQL; unset means SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// The address people use to reach the server (for links in email and CSRF origin checks).
    /// Defaults to `http://{bind}`.
    pub public_url: Option<String>,
    /// `smtp://user:pass@host:587` (STARTTLS), `smtps://…` (TLS) or `smtp+plain://…` (no TLS,
    /// loopback relays only). Unset: mail is written as .eml files under `data_dir/outbox`.
    pub smtp_url: Option<String>,
    /// The From address of every email.
    pub mail_from: String,
    /// `pretty` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// Run the background job worker inside `serve` (turn off to run `roundtable worker` apart).
    pub run_worker: bool,
    /// Hours a session lasts without "remember me".
    pub session_hours: u32,
    /// Days a session lasts with "remember me".
    pub remember_days: u32,
    /// Addresses of reverse proxies in front of Roundtable. Requests from them are attributed to
    /// the client named in `X-Forwarded-For` (for the per-address sign-in limit and logs);
    /// from anyone else that header is ignored, so it cannot be forged.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// A secret a metrics collector on another machine sends as `Authorization: Bearer …` to
    /// read `/metrics`. Unset, `/metrics` answers only clients on this machine (loopback).
    pub metrics_token: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            data_dir: PathBuf::from("data"),
            database_url: None,
            public_url: None,
            smtp_url: None,
            mail_from: "Roundtable <roundtable@localhost.localdomain>".into(),
            log_format: LogFormat::Pretty,
            run_worker: true,
            session_hours: 12,
            remember_days: 30,
            trusted_proxies: Vec::new(),
            metrics_token: None,
        }
    }
}

/// Values given on the command line; `None` leaves the lower layers in charge.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

impl std::fmt::Debug for Config {
    // Database and SMTP URLs may hold passwords; never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("database", &self.database_url.as_ref().map(|_| "<redacted>"))
            .field("public_url", &self.public_url())
            .field("smtp", &self.smtp_url.as_ref().map(|_| "<redacted>"))
            .field("log_format", &self.log_format)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Every setting, for `ROUNDTABLE_<NAME>`; other ROUNDTABLE_* variables belong to tools and tests.
const SETTINGS: [&str; 12] = [
    "bind",
    "data_dir",
    "database_url",
    "public_url",
    "smtp_url",
    "mail_from",
    "log_format",
    "run_worker",
    "session_hours",
    "remember_days",
    "trusted_proxies",
    "metrics_token",
];

/// `ROUNDTABLE_*` variables that are not settings but are read by the tools themselves (the
/// console's `admin` password, the bench scripts' binary, the test suite's `TEST_…`).
const TOOL_VARIABLES: [&str; 2] = ["NEW_PASSWORD", "BIN"];

/// The first `ROUNDTABLE_*` variable among `names` that is neither a setting nor a tool's: a
/// misspelt `ROUNDTABLE_DATABASEURL` would otherwise start the server on an empty SQLite file,
/// with a setup link anyone could open. Said as an error, with the setting it was likely meant as.
fn unknown_variable(names: impl IntoIterator<Item = String>) -> Option<String> {
    names.into_iter().find_map(|name| {
        // Read whatever its case, as figment reads the settings themselves.
        let rest = name.get(..11).filter(|p| p.eq_ignore_ascii_case("ROUNDTABLE_")).map(|_| &name[11..])?;
        let rest = &rest.to_ascii_uppercase();
        let key = rest.to_ascii_lowercase();
        if SETTINGS.contains(&key.as_str()) || TOOL_VARIABLES.contains(&rest.as_str()) || rest.starts_with("TEST_") {
            return None;
        }
        let nearest = SETTINGS
            .iter()
            .map(|s| (strsim::damerau_levenshtein(s, &key), s))
            .min()
            .filter(|(distance, _)| *distance <= 3)
            .map(|(_, s)| format!(" (did you mean ROUNDTABLE_{}?)", s.to_ascii_uppercase()))
            .unwrap_or_default();
        Some(format!(
            "configuration error: the environment variable {name} is not a setting{nearest}; the settings are {}",
            SETTINGS.iter().map(|s| format!("ROUNDTABLE_{}", s.to_ascii_uppercase())).collect::<Vec<_>>().join(", ")
        ))
    })
}

/// Where a setting's value came from, in the words of the README's configuration section.
fn source_of(figment: &Figment, key: &str) -> String {
    let Some(md) = figment.find_metadata(key) else { return "the default".into() };
    if md.name.contains("environment") {
        format!("the environment variable ROUNDTABLE_{}", key.to_ascii_uppercase())
    } else if md.name.contains("TOML") {
        md.source.as_ref().map_or_else(|| "roundtable.toml".into(), |s| s.to_string())
    } else if md.name.contains("Overrides") {
        format!("the command-line flag --{}", key.replace('_', "-"))
    } else {
        "the default".into()
    }
}

/// A value figment could not read, in the words of `check`'s messages: the setting's name as
/// the reader wrote it (`ROUNDTABLE_BIND`, not figment's `BIND`) and where it came from.
fn explain(e: &figment::Error) -> String {
    // The setting, not the element in it (`trusted_proxies`, not `trusted_proxies.0`).
    let key = e.path.first().map(|k| k.to_ascii_lowercase()).unwrap_or_default();
    let from = match &e.metadata {
        Some(md) if md.name.contains("environment") => {
            format!("the environment variable ROUNDTABLE_{}", key.to_ascii_uppercase())
        }
        Some(md) => md.source.as_ref().map_or_else(|| md.name.to_string(), |s| s.to_string()),
        None => "the configuration".into(),
    };
    let example = match key.as_str() {
        "trusted_proxies" => " — a list of IP addresses, e.g. [\"10.0.0.5\"]",
        "bind" => " — an address and port, e.g. 127.0.0.1:3000",
        "session_hours" | "remember_days" => " — a whole number, e.g. 12",
        "run_worker" => " — true or false",
        _ => "",
    };
    match &e.kind {
        figment::error::Kind::UnknownField(found, _) => {
            format!("configuration error: {found} in {from} is not a setting; the settings are {}", SETTINGS.join(", "))
        }
        kind => format!("configuration error: {key}: {kind}{example} (set by {from})"),
    }
}

impl Config {
    /// Loads the layers. `file` defaults to `roundtable.toml` in the working directory (optional).
    pub fn load(file: Option<&Path>, overrides: Overrides) -> Result<Config, String> {
        let file_given = file.is_some();
        let file = file.map_or_else(|| PathBuf::from("roundtable.toml"), Path::to_path_buf);
        if file_given && !file.exists() {
            return Err(format!("configuration file {} does not exist", file.display()));
        }
        if let Some(e) = unknown_variable(std::env::vars_os().filter_map(|(k, _)| k.into_string().ok())) {
            return Err(e);
        }
        let figment = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&file))
            .merge(Env::prefixed("ROUNDTABLE_").only(&SETTINGS))
            .merge(Serialized::defaults(overrides));
        let mut config: Config =
            figment.extract().map_err(|e| e.into_iter().map(|e| explain(&e)).collect::<Vec<_>>().join("\n"))?;
        // "https://roundtable.example.org/" as copied from a browser's address bar is the origin.
        if let Some(url) = &mut config.public_url
            && url.ends_with('/')
            && url.matches('/').count() == 3
        {
            url.pop();
        }
        config.check().map_err(|(key, problem)| {
            format!("configuration error: {key} {problem} (set by {})", source_of(&figment, key))
        })?;
        Ok(config)
    }

    /// The first bad setting: its name and what is wrong with it.
    fn check(&self) -> Result<(), (&'static str, &'static str)> {
        if let Some(url) = &self.database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://") || url.starts_with("sqlite:"))
        {
            return Err(("database_url", "must start with postgres:// or sqlite:"));
        }
        // An origin: scheme, host and port only. Roundtable serves its pages from `/`, so a path
        // would make every emailed link wrong (and the CSRF check refuse every form).
        if let Some(url) = &self.public_url {
            let host = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
            if host.is_none_or(|h| h.is_empty() || h.contains(['/', '?', '#', ' '])) {
                return Err((
                    "public_url",
                    "must look like https://roundtable.example.org: the address people open, without a path (Roundtable is served from the root of its own host name)",
                ));
            }
        }
        if let Some(url) = &self.smtp_url {
            if !["smtp://", "smtps://", "smtp+plain://"].iter().any(|p| url.starts_with(p)) {
                return Err(("smtp_url", "must start with smtp://, smtps:// or smtp+plain://"));
            }
            let plain = url.replacen("smtp+plain://", "smtp://", 1);
            if lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&plain).is_err() {
                return Err((
                    "smtp_url",
                    "is not a mail server address lettre can use, e.g. smtps://user:password@mail.example.org",
                ));
            }
        }
        // Found now rather than when the first password-reset email silently fails to go out.
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(("mail_from", "is not an email address, e.g. Roundtable <noreply@example.org>"));
        }
        // Upper bounds keep every expiry a date (and a session shorter than a working life).
        if self.session_hours == 0 || self.session_hours > 24 * 366 {
            return Err(("session_hours", "must be between 1 and 8784 (a year)"));
        }
        if self.remember_days == 0 || self.remember_days > 3660 {
            return Err(("remember_days", "must be between 1 and 3660 (ten years)"));
        }
        Ok(())
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("roundtable.db").display()))
    }

    /// Which database this is, for the start-up log (a mistyped setting shows at once): the
    /// SQLite file, or PostgreSQL's host and database — never a password.
    pub fn database_label(&self) -> String {
        let url = self.database_url();
        match url.split_once("://") {
            Some((scheme, rest)) if scheme.starts_with("postgres") => {
                let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
                format!("PostgreSQL {}", rest.split('?').next().unwrap_or(rest))
            }
            _ => format!("SQLite {}", url.trim_start_matches("sqlite://").trim_start_matches("sqlite:")),
        }
    }

    pub fn public_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.bind))
    }

    /// The client's address: the peer, or — when the peer is a trusted proxy — the nearest
    /// address in `X-Forwarded-For` that is not itself a trusted proxy.
    pub fn client_ip(&self, peer: std::net::IpAddr, forwarded_for: Option<&str>) -> std::net::IpAddr {
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        forwarded_for
            .into_iter()
            .flat_map(|h| h.rsplit(','))
            .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
            .find(|a| !self.trusted_proxies.contains(a))
            .unwrap_or(peer)
    }

    /// Cookies get `Secure` when people reach us over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url().starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_defaults_and_bad_urls_are_refused_by_name() {
        let c = Config::load(
            None,
            Overrides { bind: Some(SocketAddr::from(([127, 0, 0, 1], 4000))), ..Default::default() },
        )
        .unwrap();
        assert_eq!(c.bind.port(), 4000);
        assert_eq!(c.public_url(), "http://127.0.0.1:4000");
        let e =
            Config::load(None, Overrides { database_url: Some("mysql://x".into()), ..Default::default() }).unwrap_err();
        assert!(e.contains("database_url"), "{e}");
    }

    #[test]
    fn every_setting_can_come_from_the_environment() {
        // Each field of Config must be listed, or ROUNDTABLE_<NAME> would be silently ignored.
        let fields = serde_json::to_value(Config::default()).unwrap();
        let names: Vec<&str> = fields.as_object().unwrap().keys().map(String::as_str).collect();
        for n in &names {
            assert!(SETTINGS.contains(n), "{n} is missing from SETTINGS");
        }
        assert_eq!(names.len(), SETTINGS.len());
    }

    #[test]
    fn a_misspelt_variable_is_refused_with_the_setting_it_was_meant_as() {
        let vars = |names: &[&str]| unknown_variable(names.iter().map(|n| n.to_string()));
        let e = vars(&["PATH", "ROUNDTABLE_BIND", "ROUNDTABLE_DATABASEURL"]).unwrap();
        assert!(e.contains("ROUNDTABLE_DATABASEURL is not a setting (did you mean ROUNDTABLE_DATABASE_URL?)"), "{e}");
        let e = vars(&["ROUNDTABLE_SESION_HOURS"]).unwrap();
        assert!(e.contains("did you mean ROUNDTABLE_SESSION_HOURS?"), "{e}");
        assert!(!vars(&["ROUNDTABLE_COLOUR"]).unwrap().contains("did you mean"), "nothing close: no guess");
        assert!(vars(&["roundtable_sesion_hours"]).unwrap().contains("did you mean ROUNDTABLE_SESSION_HOURS?"));
        let fine =
            ["ROUNDTABLE_DATA_DIR", "ROUNDTABLE_NEW_PASSWORD", "ROUNDTABLE_TEST_POSTGRES", "ROUNDTABLE_BIN", "HOME"];
        assert_eq!(vars(&fine), None);
    }

    #[test]
    fn the_database_is_named_without_its_password() {
        let mut c = Config { data_dir: "/srv/rt".into(), ..Config::default() };
        assert_eq!(c.database_label(), "SQLite /srv/rt/roundtable.db");
        c.database_url = Some("postgres://rt:s3cret@db.internal:5433/roundtable?sslmode=require".into());
        assert_eq!(c.database_label(), "PostgreSQL db.internal:5433/roundtable");
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let mut c = Config::default();
        let (proxy, client) = ("10.0.0.5".parse().unwrap(), "192.0.2.7".parse().unwrap());
        assert_eq!(c.client_ip(proxy, Some("192.0.2.7")), proxy, "untrusted header ignored");
        c.trusted_proxies = vec![proxy];
        assert_eq!(c.client_ip(proxy, Some("198.51.100.1, 192.0.2.7")), client, "nearest untrusted hop");
        assert_eq!(c.client_ip(client, Some("198.51.100.1")), client, "a direct client cannot forge it");
    }

    #[test]
    fn a_bad_value_names_the_setting_and_where_it_came_from() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("roundtable.toml");
        std::fs::write(&f, "mail_from = \"Roundtable <noreply@example.org\"\n").unwrap();
        let e = Config::load(Some(&f), Overrides::default()).unwrap_err();
        assert!(e.contains("mail_from") && e.contains(&f.display().to_string()), "{e}");
        for url in ["https://x.example/rt", "https://x.example/rt/", "x.example", "https://"] {
            std::fs::write(&f, format!("public_url = \"{url}\"\n")).unwrap();
            let e = Config::load(Some(&f), Overrides::default()).unwrap_err();
            assert!(e.contains("public_url") && e.contains("without a path"), "{url}: {e}");
        }
        std::fs::write(&f, "public_url = \"https://roundtable.example.org:8443\"\n").unwrap();
        assert!(Config::load(Some(&f), Overrides::default()).is_ok(), "a port is part of an origin");
        std::fs::write(&f, "public_url = \"https://roundtable.example.org/\"\n").unwrap();
        let c = Config::load(Some(&f), Overrides::default()).unwrap();
        assert_eq!(c.public_url(), "https://roundtable.example.org", "the address bar's trailing slash is dropped");
        std::fs::write(&f, "smtp_url = \"smtps://mail.example.org:notaport\"\n").unwrap();
        let e = Config::load(Some(&f), Overrides::default()).unwrap_err();
        assert!(e.contains("smtp_url") && e.contains("roundtable.toml"), "{e}");
        let e =
            Config::load(None, Overrides { database_url: Some("mysql://x".into()), ..Default::default() }).unwrap_err();
        assert!(e.contains("database_url") && e.contains("--database-url"), "{e}");
    }

    #[test]
    fn a_malformed_value_in_the_file_names_the_setting_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("roundtable.toml");
        std::fs::write(&f, "bind = \"not an address\"\n").unwrap();
        let e = Config::load(Some(&f), Overrides::default()).unwrap_err();
        assert!(e.contains("bind") && e.contains("e.g. 127.0.0.1:3000"), "{e}");
        assert!(e.contains("roundtable.toml"), "{e}");
        std::fs::write(&f, "bnd = \"127.0.0.1:3000\"\n").unwrap();
        let e = Config::load(Some(&f), Overrides::default()).unwrap_err();
        assert!(e.contains("bnd in ") && e.contains("roundtable.toml is not a setting"), "{e}");
    }
}
