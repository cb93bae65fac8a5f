//! Command-line interface: every subcommand, its `--help`, and what it runs.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use roundtable_app::config::{Config, Overrides};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Roundtable: run your organisation's internal networks.
///
/// Configuration comes from defaults, then `roundtable.toml`, then ROUNDTABLE_* environment
/// variables, then these flags (later wins). See the README for every setting.
#[derive(Parser, Debug)]
#[command(name = "roundtable", version, about, long_about)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Debug)]
struct Global {
    /// Configuration file (default: ./roundtable.toml if it exists).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Folder for the SQLite database and outgoing mail files [default: ./data].
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Database: postgres://user:pass@host/db for PostgreSQL; default is SQLite in the data dir.
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web server (and the background job worker). The default command.
    Serve {
        /// Address to listen on [default: 127.0.0.1:3000].
        #[arg(long, value_name = "ADDR")]
        bind: Option<SocketAddr>,
    },
    /// Run only the background job worker (email, reminders, clean-up), without the web server.
    Worker,
    /// Apply pending database migrations, bring every stored folded name up to date, and exit.
    Migrate,
    /// Manage accounts from the server's console.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Fill an empty database with a realistic demo organisation.
    Demo {
        /// How many people to create (at least 10: the demo's networks need that many).
        #[arg(long, default_value_t = 400, value_parser = clap::value_parser!(u32).range(10..))]
        members: u32,
    },
    /// Import people from an HR system's CSV (idempotent by email; --dry-run to preview).
    #[command(subcommand)]
    Import(crate::import_cmd::ImportCommand),
    /// Export people as CSV that Excel opens correctly.
    #[command(subcommand)]
    Export(crate::import_cmd::ExportCommand),
    /// Matching on CSV files: mentoring pairs, coffee-chat rounds, peer-learning circles.
    #[command(subcommand)]
    Match(crate::match_cmd::MatchCommand),
    /// Write a consistent copy of the SQLite database while the server runs (PostgreSQL: use pg_dump).
    Backup {
        /// Where to write the copy; the file must not exist yet.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum AdminCommand {
    /// Create an account (verified; no email is sent).
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The password; if omitted, read from the ROUNDTABLE_NEW_PASSWORD environment variable.
        #[arg(long, env = "ROUNDTABLE_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Make the account an organisation administrator.
        #[arg(long)]
        admin: bool,
    },
    /// Set a new password for an account and sign it out everywhere.
    ResetPassword {
        #[arg(long)]
        email: String,
        /// The new password; if omitted, read from the ROUNDTABLE_NEW_PASSWORD environment variable.
        #[arg(long, env = "ROUNDTABLE_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Make an account an organisation administrator.
    GrantAdmin {
        #[arg(long)]
        email: String,
    },
    /// Remove organisation administrator rights from an account.
    RevokeAdmin {
        #[arg(long)]
        email: String,
    },
}

fn config(g: &Global, bind: Option<SocketAddr>) -> anyhow::Result<Config> {
    let overrides = Overrides { bind, data_dir: g.data_dir.clone(), database_url: g.database_url.clone() };
    Config::load(g.config.as_deref(), overrides).map_err(anyhow::Error::msg)
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve { bind: None });
    // Matching works on files alone: no configuration or database needed.
    if let Command::Match(cmd) = command {
        return tokio::task::spawn_blocking(move || crate::match_cmd::run(cmd)).await?;
    }
    let bind = match &command {
        Command::Serve { bind } => *bind,
        _ => None,
    };
    let config = config(&cli.global, bind)?;
    let long_running = matches!(command, Command::Serve { .. } | Command::Worker | Command::Migrate);
    roundtable_app::init_logging(config.log_format, !long_running);
    match command {
        Command::Serve { .. } => roundtable_app::serve(config).await,
        Command::Worker => {
            let db = roundtable_app::open_existing_db(&config).await?;
            roundtable_app::jobs::worker(roundtable_app::AppState::new(db, config), std::time::Duration::from_secs(2))
                .await;
            Ok(())
        }
        Command::Migrate => {
            let db = roundtable_store::Db::connect(&config.database_url()).await.context("opening the database")?;
            let n = db.migrate().await?;
            // Whatever fold version is recorded: repairs names an older release wrote during a
            // rolling upgrade (see `users::refold_names`).
            let refolded = roundtable_store::users::refold_names(&db, true).await?;
            println!(
                "Applied {n} migration(s); {refolded} folded name(s) brought up to date; the database is up to date."
            );
            Ok(())
        }
        Command::Admin(cmd) => {
            // Kept out of the shell's history and the process list when it comes from the
            // environment; a clear message when it comes from neither.
            let password = |p: Option<String>| {
                p.ok_or_else(|| anyhow::anyhow!("give the password with --password, or in the ROUNDTABLE_NEW_PASSWORD environment variable (kept out of the shell's history)"))
            };
            let db = roundtable_app::open_existing_db(&config).await?;
            use roundtable_app::admin::console;
            match cmd {
                AdminCommand::CreateUser { email, name, password: p, admin } => {
                    console::create_user(&db, &email, &name, &password(p)?, admin).await?;
                    let what = if admin { "an organisation admin" } else { "a verified account" };
                    println!("Created {email} ({name}), {what}; they sign in with the password given.");
                }
                AdminCommand::ResetPassword { email, password: p } => {
                    let active = console::reset_password(&db, &email, &password(p)?).await?;
                    println!("{email}'s password is set and they are signed out everywhere.");
                    if !active {
                        println!(
                            "The account is deactivated: it cannot sign in until it is reactivated (Admin → People)."
                        );
                    }
                }
                AdminCommand::GrantAdmin { email } => match console::set_admin(&db, &email, true).await? {
                    true => println!("{email} is now an organisation admin."),
                    false => println!("{email} is an organisation admin already; nothing changed."),
                },
                AdminCommand::RevokeAdmin { email } => match console::set_admin(&db, &email, false).await? {
                    true => println!("{email} is no longer an organisation admin."),
                    false => println!("{email} is not an organisation admin; nothing changed."),
                },
            }
            Ok(())
        }
        Command::Demo { members } => {
            let members = members as usize;
            let db = roundtable_app::open_db(&config).await?;
            let bar = indicatif::ProgressBar::new(members as u64).with_message("people");
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} ({eta} left)")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let s = roundtable_app::demo::fill(&db, members, |n| bar.set_position(n as u64)).await?;
            bar.finish();
            println!(
                "Created {} people in {} networks. Sign in as {} with password {}.",
                s.people,
                s.networks,
                roundtable_app::demo::ADMIN_EMAIL,
                roundtable_app::demo::PASSWORD
            );
            Ok(())
        }
        Command::Import(cmd) => {
            let db = roundtable_app::open_existing_db(&config).await?;
            crate::import_cmd::run_import(&db, cmd).await
        }
        Command::Export(cmd) => {
            let db = roundtable_app::open_existing_db(&config).await?;
            crate::import_cmd::run_export(&db, cmd).await
        }
        Command::Match(_) => unreachable!("handled above"),
        Command::Backup { to } => {
            anyhow::ensure!(!to.exists(), "{} already exists; choose a new file", to.display());
            // SQLite's own words for a missing folder are "unable to open database".
            let folder = to.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            anyhow::ensure!(
                folder.is_dir(),
                "the folder {} does not exist; create it first (mkdir -p {}) or choose another place",
                folder.display(),
                folder.display()
            );
            // Copied as it is: a backup taken before an upgrade must not migrate the database.
            roundtable_app::database_exists(&config)?;
            let db = roundtable_store::Db::connect(&config.database_url()).await.context("opening the database")?;
            db.backup_sqlite(to.clone()).await?;
            // Like the database itself, readable by its owner only.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("making {} readable by its owner only", to.display()))?;
            println!("Wrote a consistent copy of the database to {}.", to.display());
            Ok(())
        }
    }
}
