//! Roundtable's application: configuration, state, use cases by area (each area module holds
//! its use cases; `pages.rs` its HTML handlers), the JSON API, jobs and email.

pub mod account;
pub mod accounts;
pub mod admin;
pub mod api;
pub mod charter;
pub mod config;
pub mod demo;
pub mod events;
pub mod http;
pub mod import;
pub mod jobs;
pub mod mail;
pub mod members;
pub mod networks;
pub mod onboarding;
pub mod read_model;
pub mod security;
pub mod state;

pub use config::Config;
pub use state::AppState;

use anyhow::Context;
use std::time::Duration;

/// Sets up logging: pretty for people, JSON for collectors; `RUST_LOG` filters. A one-shot
/// command (`quiet`: admin, import, export, backup) logs warnings and errors only unless
/// `RUST_LOG` asks for more: its answer is what it prints, not the migrations checked on the way
/// (nor PostgreSQL's notices).
pub fn init_logging(format: config::LogFormat, quiet: bool) {
    let default = if quiet { "warn" } else { "info,tower_http=warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default.into());
    // Standard error, so that a command's own output (`export members` to standard output, a
    // script reading `import`'s report) is never mixed with log lines; colours only on a
    // terminal, not in a file or the journal.
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match format {
        config::LogFormat::Json => builder.json().try_init(),
        config::LogFormat::Pretty => builder.try_init(),
    };
}

/// Connects and migrates the database named by the configuration.
pub async fn open_db(config: &Config) -> anyhow::Result<roundtable_store::Db> {
    let db = connect(config).await?;
    db.migrate().await.context("applying database migrations")?;
    Ok(db)
}

async fn connect(config: &Config) -> anyhow::Result<roundtable_store::Db> {
    let url = config.database_url();
    roundtable_store::Db::connect(&url).await.with_context(|| {
        let (named_by, check) = if roundtable_store::Db::sqlite_file(&url).is_some() {
            (
                "`data_dir` (--data-dir, ROUNDTABLE_DATA_DIR) or `database_url`",
                "; check that this user may read and write it and its directory",
            )
        } else {
            ("`database_url` (--database-url, ROUNDTABLE_DATABASE_URL, or roundtable.toml)", "")
        };
        format!("opening the database ({}) that {named_by} names{check}", config.database_label())
    })
}

/// Like `open_db`, for commands that work on an installation's data (admin, import, export,
/// backup, worker): a SQLite file that is not there is an error, not a new empty database — run
/// from the wrong directory, they would otherwise report success on data nobody uses.
pub async fn open_existing_db(config: &Config) -> anyhow::Result<roundtable_store::Db> {
    database_exists(config)?;
    let db = connect(config).await?;
    // PostgreSQL: the database is there (it was created by hand), but may hold nothing of ours —
    // a mistyped name, the server's `postgres` database. Migrating it would write our tables
    // into it and report success on no data.
    if roundtable_store::Db::sqlite_file(&config.database_url()).is_none() && !db.has_schema().await? {
        anyhow::bail!(
            "the PostgreSQL database that --database-url names holds no Roundtable data: check the URL, \
             or run `roundtable migrate` (or `roundtable serve`) with it first to set it up"
        );
    }
    db.migrate().await.context("applying database migrations")?;
    Ok(db)
}

/// Fails, saying where it looked, when the configured SQLite file is not there.
pub fn database_exists(config: &Config) -> anyhow::Result<()> {
    let Some(path) = roundtable_store::Db::sqlite_file(&config.database_url()) else { return Ok(()) };
    match path.try_exists() {
        Ok(true) => Ok(()),
        Ok(false) => anyhow::bail!(
            "there is no database at {}: give --data-dir (or --database-url) for the installation's data, \
             or run `roundtable serve` there first to create one",
            path.display()
        ),
        // Most often the data directory is the server's user's alone (as it should be) and this
        // command runs as someone else.
        Err(e) => anyhow::bail!(
            "cannot look for the database at {} ({e}): run this command as the user the server runs as",
            path.display()
        ),
    }
}

/// A running server: its address, and a handle to stop it.
pub struct Running {
    pub addr: std::net::SocketAddr,
    pub task: tokio::task::JoinHandle<()>,
    pub worker: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    pub fn stop(&self) {
        self.task.abort();
        if let Some(w) = &self.worker {
            w.abort();
        }
    }
}

/// Starts the server on `listener` (and the job worker unless configured off). Prints the
/// first-run setup link when the organisation does not exist yet.
pub async fn start(
    state: AppState,
    listener: tokio::net::TcpListener,
    worker_interval: Duration,
) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    if let Some(link) = accounts::ensure_setup_link(&state).await? {
        match state.config.log_format {
            // A log collector reads standard output line by line as JSON: the link is a log line.
            config::LogFormat::Json => {
                const SAY: &str = "first-time setup: open this link to create your organisation";
                if tracing::enabled!(tracing::Level::WARN) {
                    tracing::warn!(setup_link = %link, "{SAY}");
                } else {
                    // `RUST_LOG=error` must not hide the one way in: the line as the log writes it.
                    let line = serde_json::json!({"level": "WARN", "fields": {"message": SAY, "setup_link": link}});
                    eprintln!("{line}");
                }
            }
            config::LogFormat::Pretty => println!(
                "\nRoundtable is ready for first-time setup. Open this link to create your organisation:\n\n  {link}\n"
            ),
        }
    }
    let worker = state.config.run_worker.then(|| tokio::spawn(jobs::worker(state.clone(), worker_interval)));
    let app = http::router::build(state);
    let task = tokio::spawn(http::serve::serve(listener, app, shutdown()));
    Ok(Running { addr, task, worker })
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}

/// The process's Prometheus recorder, installed on first use (the `metrics` macros write to one
/// global recorder; every server in the process — tests start several — renders the same one).
/// Called inside the runtime: it also starts the recorder's upkeep there.
pub fn metrics_recorder() -> Option<metrics_exporter_prometheus::PrometheusHandle> {
    static HANDLE: std::sync::OnceLock<Option<metrics_exporter_prometheus::PrometheusHandle>> =
        std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            // Request times as a histogram (cumulative buckets), not a summary: a summary's
            // quantiles cover a short window — zeros on an idle instance beside lifetime sums —
            // and cannot be added up across instances; buckets can (`histogram_quantile`).
            const SECONDS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];
            let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
                .set_buckets(&SECONDS)
                .ok()?
                .install_recorder()
                .ok()?;
            // Timings are kept until upkeep drains them; without it an instance nobody scrapes
            // would hold every request's sample.
            let upkeep = handle.clone();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let mut every = tokio::time::interval(Duration::from_secs(5));
                    loop {
                        every.tick().await;
                        upkeep.run_upkeep();
                    }
                });
            }
            Some(handle)
        })
        .clone()
}

/// `roundtable serve`: open the database, install metrics, listen, run until a signal.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    if config.public_url.is_none() && config.bind.ip().is_unspecified() {
        tracing::warn!(
            bind = %config.bind,
            "public_url is not set, so links in email (and the setup link) will point at {}, which no browser \
             can open; set public_url to the address people use",
            config.public_url()
        );
    }
    let database = config.database_label();
    let db = open_db(&config).await?;
    let mut state = AppState::new(db, config);
    state.metrics = metrics_recorder();
    let listener = tokio::net::TcpListener::bind(state.config.bind)
        .await
        .with_context(|| format!("listening on {}", state.config.bind))?;
    let running = start(state, listener, Duration::from_secs(2)).await?;
    tracing::info!(addr = %running.addr, "Roundtable is listening on http://{} with {database}", running.addr);
    let Running { task, worker, .. } = running;
    let _ = task.await;
    if let Some(w) = worker {
        w.abort();
    }
    Ok(())
}
