//! The `roundtable` command itself: help on every command, and configuration read in layers
//! (defaults < `roundtable.toml` < `ROUNDTABLE_*` environment < flags), a bad value refused at
//! start with the setting and where it came from.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn roundtable() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_roundtable"));
    // Nothing from the machine running the tests.
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("ROUNDTABLE_")) {
        c.env_remove(k);
    }
    c
}

/// The subcommands a help text lists under "Commands:" (not `help` itself).
fn commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("    "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_explains_itself_with_help() {
    let mut queue = vec![Vec::<String>::new()];
    let mut seen = 0;
    while let Some(path) = queue.pop() {
        let out = roundtable().args(&path).arg("--help").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let name = format!("roundtable {}", path.join(" "));
        assert!(out.status.success(), "{name} --help failed: {}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains(&format!("Usage: {}", name.trim())), "{name} --help shows its usage:\n{text}");
        // A sentence saying what the command does, before the usage line.
        let about = text.split("Usage:").next().unwrap_or_default().trim();
        assert!(about.len() > 20, "{name} --help says what it does:\n{text}");
        seen += 1;
        for sub in commands(&text) {
            queue.push(path.iter().cloned().chain([sub]).collect());
        }
    }
    assert!(seen >= 15, "every command and subcommand was visited ({seen})");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts `serve` and returns the address it says it listens on (then stops it).
fn listening_on(mut cmd: Command) -> String {
    // The log (and its "listening on" line) goes to standard error.
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    // Should it never say so, stop it after 20 s: the read below then ends.
    let (pid, done) = (child.id().to_string(), std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)));
    let watching = done.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(20));
        if !watching.load(std::sync::atomic::Ordering::SeqCst) {
            let _ = Command::new("kill").arg(pid).status();
        }
    });
    let mut found = None;
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap_or_default();
        if let Some(at) = line.find("listening on http://") {
            let rest = &line[at + "listening on http://".len()..];
            found = rest.split_whitespace().next().map(str::to_owned);
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    found.expect("the address it listens on")
}

#[test]
fn settings_come_in_layers_and_a_bad_one_is_named_with_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("roundtable.toml");
    let (in_file, in_env, in_flag) = (free_port(), free_port(), free_port());
    std::fs::write(&file, format!("bind = \"127.0.0.1:{in_file}\"\n")).unwrap();
    let serve = || {
        let mut c = roundtable();
        c.env("RUST_LOG", "info").arg("--config").arg(&file).arg("--data-dir").arg(&data).arg("serve");
        c
    };
    assert_eq!(listening_on(serve()), format!("127.0.0.1:{in_file}"), "the file beats the default");
    let mut env = serve();
    env.env("ROUNDTABLE_BIND", format!("127.0.0.1:{in_env}"));
    assert_eq!(listening_on(env), format!("127.0.0.1:{in_env}"), "the environment beats the file");
    let mut flag = serve();
    flag.env("ROUNDTABLE_BIND", format!("127.0.0.1:{in_env}")).arg("--bind").arg(format!("127.0.0.1:{in_flag}"));
    assert_eq!(listening_on(flag), format!("127.0.0.1:{in_flag}"), "the flag beats the environment");

    // A bad value in the environment: refused at start, naming the setting and its source.
    let out = serve().env("ROUNDTABLE_BIND", "not-an-address").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("the environment variable ROUNDTABLE_BIND"), "{err}");
    // A misspelt variable would otherwise start an empty SQLite database (and a setup link).
    let out = serve().env("ROUNDTABLE_DATABASEURL", "postgres://x@127.0.0.1/none").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("did you mean ROUNDTABLE_DATABASE_URL?"), "{err}");
    let out = serve().env("ROUNDTABLE_SMTP_URL", "smtps://mail.example.org:notaport").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("smtp_url"), "{err}");
}

/// `log_format = "json"`: one JSON object per line, each request's lines carrying its
/// `x-request-id` (the caller's, or a new one), route and status.
#[test]
fn json_logs_carry_each_request_id() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = roundtable()
        .env("ROUNDTABLE_LOG_FORMAT", "json")
        .env("RUST_LOG", "info,tower_http=debug")
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    // Logs go to standard error, so a command's own output stays clean.
    let out = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = || rx.recv_timeout(Duration::from_secs(20)).expect("a log line within 20 s");
    let mut lines = Vec::new();
    while !lines.last().is_some_and(|l: &String| l.contains("listening on")) {
        lines.push(next());
    }
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.write_all(
        b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nx-request-id: trace-me-42\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200") && answer.contains("x-request-id: trace-me-42"), "{answer}");
    while !lines.last().is_some_and(|l: &String| l.contains("finished processing request")) {
        lines.push(next());
    }
    child.kill().unwrap();
    child.wait().unwrap();
    for l in &lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
        assert!(v["timestamp"].is_string() && v["level"].is_string(), "{l}");
    }
    let done: serde_json::Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    assert_eq!(done["span"]["request_id"], "trace-me-42", "{done}");
    assert_eq!(done["span"]["route"], "/healthz");
    assert_eq!(done["fields"]["status"], 200);
}

/// Commands on an installation's data, run where there is none (a cron job's working directory,
/// a typo in `--data-dir`), stop and say so instead of creating an empty database and reporting
/// success on it; where there is one, what they write to standard output is theirs alone.
#[test]
fn data_commands_need_the_data_and_keep_standard_output_clean() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run =
        |args: &[&str]| roundtable().env("RUST_LOG", "info").arg("--data-dir").arg(&data).args(args).output().unwrap();
    let backup = dir.path().join("backup.db");
    for args in [
        vec!["backup", "--to", backup.to_str().unwrap()],
        vec!["admin", "create-user", "--email", "zed@example.org", "--name", "Zed", "--password", "zed-long-password"],
        vec!["export", "members"],
    ] {
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} must fail without a database");
        assert!(err.contains("there is no database at") && err.contains("--data-dir"), "{args:?}: {err}");
        assert!(!data.join("roundtable.db").exists(), "{args:?} created an empty database");
    }
    assert!(!backup.exists());

    // `migrate` creates it (as `serve` does); then the commands work.
    assert!(run(&["migrate"]).status.success());
    let out = run(&[
        "admin",
        "create-user",
        "--email",
        "zed@example.org",
        "--name",
        "Zed",
        "--password",
        "zed-long-password",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["export", "members"]);
    assert!(out.status.success());
    assert!(out.stdout.starts_with("\u{feff}".as_bytes()), "the CSV starts with its BOM, no log line before it");
    assert!(String::from_utf8_lossy(&out.stdout).contains("zed@example.org"));
    assert!(!out.stderr.is_empty(), "the log went to standard error");
    // Into a folder not made yet: said in words, not as a database error.
    let nowhere = dir.path().join("backups").join("rt.db");
    let out = run(&["backup", "--to", nowhere.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("does not exist; create it first"), "{err}");
    let out = run(&["backup", "--to", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    use std::os::unix::fs::PermissionsExt;
    let db = data.join("roundtable.db");
    for (path, mode) in [(&backup, 0o600), (&data, 0o700), (&db, 0o600)] {
        let got = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(got, mode, "{} is for its owner only", path.display());
    }
    // Without RUST_LOG a one-shot command prints its answer, not the log of migrations checked.
    let out = roundtable().env_remove("RUST_LOG").arg("--data-dir").arg(&data).args(["export", "members"]).output();
    let out = out.unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_session_length_past_any_date_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = roundtable()
        .env("ROUNDTABLE_SESSION_HOURS", "4294967295")
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--bind", "127.0.0.1:0"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("session_hours") && err.contains("8784"), "{err}");
}

/// `demo --members 5` used to make ten people silently; a number the demo cannot honour is
/// refused with the bound, before any database is made.
#[test]
fn demo_refuses_fewer_people_than_it_can_make() {
    let dir = tempfile::tempdir().unwrap();
    let out = roundtable().arg("--data-dir").arg(dir.path()).args(["demo", "--members", "5"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("--members") && err.contains("10"), "{err}");
    assert!(!dir.path().join("roundtable.db").exists());
}

/// On PostgreSQL the database is created by hand before the first `migrate`: a command on an
/// installation's data pointed at one that holds nothing of ours (a typo, the server's own
/// `postgres` database) stops and says so, and writes no tables into it.
#[test]
fn data_commands_refuse_a_postgresql_database_without_roundtable_data() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let empty = rt.block_on(roundtable_store::testing::TestDb::empty_postgres());
    for args in [vec!["export", "members"], vec!["admin", "grant-admin", "--email", "ann@example.org"]] {
        let out = roundtable().arg("--database-url").arg(&empty.url).args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} must fail on a database without our tables");
        assert!(err.contains("holds no Roundtable data") && err.contains("roundtable migrate"), "{args:?}: {err}");
    }
    assert!(!rt.block_on(empty.db.has_schema()).unwrap(), "no tables were written into it");
    drop(empty);
}
