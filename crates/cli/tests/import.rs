//! `roundtable import members` run as an administrator would, on a fresh SQLite file and a fresh
//! PostgreSQL database: what the command prints, and what it leaves in the database.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use roundtable_store::testing::TestDb;
use roundtable_store::{Dialect, import, users};
use std::process::{Command, Output};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_changes_found_by_employee_id_are_listed_sqlite() {
    email_changes_found_by_employee_id_are_listed(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_changes_found_by_employee_id_are_listed_postgres() {
    email_changes_found_by_employee_id_are_listed(Dialect::Postgres).await;
}

/// Runs the binary on the test database, in its folder (so no stray `roundtable.toml` is read).
fn roundtable(db: &TestDb, args: &[&str]) -> Output {
    let dir = db.dir.path();
    let out = Command::new(env!("CARGO_BIN_EXE_roundtable"))
        .current_dir(dir)
        .env_remove("ROUNDTABLE_DATABASE_URL")
        .env_remove("ROUNDTABLE_DATA_DIR")
        .args(["--data-dir", &dir.display().to_string(), "--database-url", &db.url])
        .args(args)
        .output()
        .expect("run roundtable");
    assert!(
        out.status.success(),
        "roundtable {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn file(db: &TestDb, name: &str, csv: &str) -> String {
    let path = db.dir.path().join(name);
    std::fs::write(&path, csv).unwrap();
    path.display().to_string()
}

async fn email_changes_found_by_employee_id_are_listed(d: Dialect) {
    let db = TestDb::new(d).await;
    let first = file(
        &db,
        "hr.csv",
        "Employee Number,Work Email,Display Name\r\n000123,ann.smith@example.org,Ann Smith\r\nE2,bea@example.org,Bea Peer\r\n",
    );
    roundtable(&db, &["import", "members", &first]);
    let ann = users::by_email(&db.db, "ann.smith@example.org").await.unwrap().expect("imported");

    // HR changes Ann's name and email; her employee number stays.
    let renamed = file(
        &db,
        "hr-renamed.csv",
        "Employee Number,Work Email,Display Name\r\n000123,ann.jones@example.org,Ann Jones\r\nE2,bea@example.org,Bea Peer\r\n",
    );
    let out = roundtable(&db, &["import", "members", "--dry-run", &renamed]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "would change email: ann.smith@example.org → ann.jones@example.org (found by employee ID 000123)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("Dry run, nothing changed. Would be: 0 created, 1 updated (1 with a new email, found by employee ID), 1 unchanged"),
        "{text}"
    );
    assert!(users::by_email(&db.db, "ann.jones@example.org").await.unwrap().is_none(), "a dry run changes nothing");

    let out = roundtable(&db, &["import", "members", &renamed]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("email changed: ann.smith@example.org → ann.jones@example.org (found by employee ID 000123)\n")
            && text.contains("Imported: 0 created, 1 updated (1 with a new email, found by employee ID), 1 unchanged"),
        "{text}"
    );
    let now = users::by_email(&db.db, "ann.jones@example.org").await.unwrap().expect("renamed");
    assert_eq!((now.id, now.name.as_str()), (ann.id, "Ann Jones"), "the same person, not a new one");
    assert_eq!(import::by_employee_id(&db.db, "000123").await.unwrap(), Some(ann.id));

    // Nothing left to change: no email lines at all.
    let out = roundtable(&db, &["import", "members", &renamed]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("email changed") && text.contains("Imported: 0 created, 0 updated, 2 unchanged"), "{text}");
}
