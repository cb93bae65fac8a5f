//! `roundtable import members` run as an administrator would, on a fresh SQLite file and a fresh
//! PostgreSQL database: what the command prints, and what it leaves in the database.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use roundtable_store::testing::TestDb;
use roundtable_store::{Dialect, import, profiles, users};
use std::process::{Command, Output};

/// For the accounts the tests create besides the imported ones.
const PASSWORD: &str = "correct horse battery staple";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_changes_found_by_employee_id_are_listed_sqlite() {
    email_changes_found_by_employee_id_are_listed(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_changes_found_by_employee_id_are_listed_postgres() {
    email_changes_found_by_employee_id_are_listed(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivation_guards_sqlite() {
    deactivation_guards(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivation_guards_postgres() {
    deactivation_guards(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excel_damage_is_explained_sqlite() {
    excel_damage_is_explained(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excel_damage_is_explained_postgres() {
    excel_damage_is_explained(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_date_order_can_be_given_sqlite() {
    the_date_order_can_be_given(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_date_order_can_be_given_postgres() {
    the_date_order_can_be_given(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn columns_can_be_chosen_and_the_file_piped_sqlite() {
    columns_can_be_chosen_and_the_file_piped(Dialect::Sqlite).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn columns_can_be_chosen_and_the_file_piped_postgres() {
    columns_can_be_chosen_and_the_file_piped(Dialect::Postgres).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hr_exports_are_read_as_they_come_sqlite() {
    hr_exports_are_read_as_they_come(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hr_exports_are_read_as_they_come_postgres() {
    hr_exports_are_read_as_they_come(Dialect::Postgres).await;
}

/// The command as run on the test database, in its folder (so no stray `roundtable.toml` is read).
fn command(db: &TestDb, args: &[&str]) -> Output {
    on(db, args).output().expect("run roundtable")
}

fn on(db: &TestDb, args: &[&str]) -> Command {
    let dir = db.dir.path();
    let mut c = Command::new(env!("CARGO_BIN_EXE_roundtable"));
    c.current_dir(dir)
        .env_remove("ROUNDTABLE_DATABASE_URL")
        .env_remove("ROUNDTABLE_DATA_DIR")
        .args(["--data-dir", &dir.display().to_string(), "--database-url", &db.url])
        .args(args);
    c
}

/// A run that must fail: what it printed on standard error.
fn refused(db: &TestDb, args: &[&str]) -> String {
    let out = command(db, args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "roundtable {args:?} should fail:\n{}\n{err}", String::from_utf8_lossy(&out.stdout));
    err
}

/// Runs the binary on the test database and expects success.
fn roundtable(db: &TestDb, args: &[&str]) -> Output {
    let out = command(db, args);
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
    // Who changes and how, row by row; the unchanged row is not listed.
    assert!(
        text.contains("line 2: would update ann.jones@example.org: email, name (“Ann Smith” → “Ann Jones”)\n"),
        "{text}"
    );
    assert!(!text.contains("bea@example.org"), "{text}");
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
    let former: Vec<String> = users::former_names(&db.db, ann.id).await.unwrap().into_iter().map(|(n, _)| n).collect();
    assert_eq!(former, ["Ann Smith"], "the name HR replaced is kept for erasure and her data");
    assert_eq!(import::by_employee_id(&db.db, "000123").await.unwrap(), Some(ann.id));

    // Nothing left to change: no email lines at all.
    let out = roundtable(&db, &["import", "members", &renamed]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("email changed") && text.contains("Imported: 0 created, 0 updated, 2 unchanged"), "{text}");

    // Exported with semicolons (for Excel with French or German settings), the file imports back
    // as it is; an unknown separator is refused with the ones there are.
    let out = db.dir.path().join("members.csv").display().to_string();
    roundtable(&db, &["export", "members", "--separator", "semicolon", "--out", &out]);
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with("\u{feff}email;name;") && csv.contains("ann.jones@example.org;Ann Jones;"), "{csv}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "HR data is readable by its owner only");
    let text = String::from_utf8_lossy(&roundtable(&db, &["import", "members", &out]).stdout).into_owned();
    assert!(text.contains("0 created, 0 updated, 2 unchanged"), "{text}");
    let err = refused(&db, &["export", "members", "--separator", "tab"]);
    assert!(err.contains("possible values: comma, semicolon"), "{err}");
}

async fn deactivation_guards(d: Dialect) {
    let db = TestDb::new(d).await;
    let help = String::from_utf8_lossy(&roundtable(&db, &["import", "members", "--help"]).stdout).into_owned();
    assert!(help.contains("--yes-deactivate-many") && help.contains("more than half"), "{help}");
    let mut all = "email,name\r\n".to_owned();
    for i in 0..6 {
        all.push_str(&format!("p{i}@example.org,Person {i}\r\n"));
    }
    let all = file(&db, "all.csv", &all);
    roundtable(&db, &["import", "members", &all]);
    roundtable(
        &db,
        &[
            "admin",
            "create-user",
            "--email",
            "net@example.org",
            "--name",
            "Net Admin",
            "--password",
            PASSWORD,
            "--admin",
        ],
    );
    let active = || async {
        let mut n = 0;
        for i in 0..6 {
            let u = users::by_email(&db.db, &format!("p{i}@example.org")).await.unwrap().unwrap();
            n += usize::from(u.deactivated_at.is_none());
        }
        n
    };

    // A row whose email cannot be read: that person would look missing.
    let typo = file(
        &db,
        "typo.csv",
        "email,name\r\np0@example.org,Person 0\r\np1@example,Person 1\r\np2@example.org,Person 2\r\np3@example.org,Person 3\r\np4@example.org,Person 4\r\np5@example.org,Person 5\r\n",
    );
    let err = refused(&db, &["import", "members", "--valid-rows-only", "--deactivate-missing", &typo]);
    assert!(
        err.contains("1 row has no email address that can be read (line 3, “p1@example”)")
            && err.contains("no one was deactivated"),
        "{err}"
    );
    assert_eq!(active().await, 6);

    // Two rows and a network: 4 of the 7 active people, across the organisation.
    let two = file(&db, "two.csv", "email,name\r\np0@example.org,Person 0\r\np1@example.org,Person 1\r\n");
    roundtable(&db, &["admin", "create-user", "--email", "x@example.org", "--name", "X", "--password", PASSWORD]);
    let err = refused(&db, &["import", "members", "--deactivate-missing", "--network", "nope", &two]);
    assert!(err.contains("No network has the address “nope”"), "{err}");
    let err = refused(&db, &["import", "members", "--deactivate-missing", &two]);
    assert!(
        err.contains("This would deactivate 5 of the 8 active people") && err.contains("--yes-deactivate-many"),
        "{err}"
    );
    assert_eq!(active().await, 6, "nothing changed");
    let out = roundtable(&db, &["import", "members", "--deactivate-missing", "--yes-deactivate-many", &two]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("deactivated p5@example.org") && text.contains("5 deactivated"), "{text}");
    assert_eq!(active().await, 2);
}

async fn excel_damage_is_explained(d: Dialect) {
    let db = TestDb::new(d).await;
    let first = file(
        &db,
        "hr.csv",
        "email,name,employee_id,start_date\r\nann@example.org,Ann,001010,2019-02-11\r\nbea@example.org,Bea,E2,2019-01-26\r\n",
    );
    roundtable(&db, &["import", "members", &first]);
    // The same file after a round trip through Excel set up for the United States.
    let excel = file(
        &db,
        "excel.csv",
        "email,name,employee_id,start_date\r\nann@example.org,Ann,1010,2/11/2019\r\nbea@example.org,Bea,E2,1/26/2019\r\n",
    );
    let out = roundtable(&db, &["import", "members", &excel]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Dates such as 2/11/2019 were read as month/day/year, as “1/26/2019” on line 3 shows.\n")
            && text
                .contains("line 2: kept employee ID 001010 (the file's 1010 lost its leading zeros, as Excel does)\n")
            && text.contains("Imported: 0 created, 0 updated, 2 unchanged"),
        "{text}"
    );
    assert!(import::by_employee_id(&db.db, "001010").await.unwrap().is_some());
    // Dates that could be read either way are refused with the fix.
    let ambiguous = file(&db, "ambiguous.csv", "email,start_date\r\nann@example.org,2/11/2019\r\n");
    let err = refused(&db, &["import", "members", &ambiguous]);
    assert!(
        err.contains("line 2, start_date (column B): “2/11/2019” could be 2 November 2019 or 11 February 2019")
            && err.contains("2019-11-02 or 2019-02-11"),
        "{err}"
    );
    // Rehearsing an import of the valid rows succeeds as the import itself would, saying what
    // it would skip, and changes nothing.
    let mixed = file(
        &db,
        "mixed.csv",
        "email,name,start_date\r\ncy@example.org,Cy,2019-03-04\r\ndee@example.org,Dee,2/11/2019\r\n",
    );
    let out = roundtable(&db, &["import", "members", "--valid-rows-only", "--dry-run", &mixed]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Would be: 1 created") && text.contains("(the rows with errors would be skipped)"), "{text}");
    assert!(users::by_email(&db.db, "cy@example.org").await.unwrap().is_none(), "a dry run changes nothing");
    let out = roundtable(&db, &["import", "members", "--valid-rows-only", &mixed]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("(those rows were skipped)"));
    assert!(users::by_email(&db.db, "cy@example.org").await.unwrap().is_some());
}

/// A month's joiners have no day over 12 to show how their dates are written: the file is
/// refused, naming --date-order, and imports with it.
async fn the_date_order_can_be_given(d: Dialect) {
    let db = TestDb::new(d).await;
    let help = String::from_utf8_lossy(&roundtable(&db, &["import", "members", "--help"]).stdout).into_owned();
    assert!(
        help.contains("--date-order <ORDER>") && help.contains("day-first") && help.contains("month-first"),
        "{help}"
    );
    let joiners = file(
        &db,
        "joiners.csv",
        "email,name,start_date\r\nj1@example.org,Joiner One,02/03/2026\r\nj2@example.org,Joiner Two,09/03/2026\r\nj3@example.org,Joiner Three,01/04/2026\r\n",
    );
    let err = refused(&db, &["import", "members", &joiners]);
    assert!(
        err.contains("could be 2 March 2026 or 3 February 2026") && err.contains("--date-order day-first"),
        "{err}"
    );
    let err = refused(&db, &["import", "members", "--date-order", "sideways", &joiners]);
    assert!(err.contains("possible values: day-first, month-first"), "{err}");
    let out = roundtable(&db, &["import", "members", "--date-order", "day-first", &joiners]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Dates such as 2/11/2019 were read as day/month/year, as you chose.\n")
            && text.contains("Imported: 3 created"),
        "{text}"
    );
    let mut dates = Vec::new();
    for email in ["j1@example.org", "j2@example.org", "j3@example.org"] {
        let u = users::by_email(&db.db, email).await.unwrap().expect("imported");
        dates.push(profiles::get(&db.db, u.id).await.unwrap().expect("a profile").start_date);
    }
    assert_eq!(dates, ["2026-03-02", "2026-03-09", "2026-04-01"]);
}

/// A Workday report as HR downloads it: a title above the header, a "Manager" column of names.
/// Both are said, the rest imports; a leaver's team left reporting to them is a warning.
async fn hr_exports_are_read_as_they_come(d: Dialect) {
    let db = TestDb::new(d).await;
    let report = file(
        &db,
        "workday.csv",
        "Active Employees Report - run 2026-11-01,,,\r\n,,,\r\nEmployee ID,Legal Name,Work Email,Manager\r\nE100,Ann Lee,ann.lee@example.org,Bob Smith\r\nE101,Bob Smith,bob.smith@example.org,\r\n",
    );
    let out = roundtable(&db, &["import", "members", &report]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Lines 1–2 were skipped: the column names are on line 3.\n")
            && text.contains("Column “Manager” holds names, not email addresses (such as “Bob Smith”): it is not used; add a column with the manager's email.\n")
            && text.contains("line 4: added ann.lee@example.org (Ann Lee)")
            && text.contains("Imported: 2 created"),
        "{text}"
    );
    // Bob reports to Ann; Ann leaves, and Bob's empty manager cell keeps her.
    let managed = file(
        &db,
        "managed.csv",
        "email,name,manager_email\r\nann.lee@example.org,Ann Lee,\r\nbob.smith@example.org,Bob Smith,ann.lee@example.org\r\n",
    );
    roundtable(&db, &["import", "members", &managed]);
    let without_ann = file(&db, "without-ann.csv", "email,name,manager_email\r\nbob.smith@example.org,Bob Smith,\r\n");
    let out = roundtable(&db, &["import", "members", "--deactivate-missing", &without_ann]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Warning: 1 person still reports to someone this import deactivates: Bob Smith (bob.smith@example.org, reports to Ann Lee) — give them a new manager in the file, or none in the manager cell."),
        "{err}"
    );
    let bob = users::by_email(&db.db, "bob.smith@example.org").await.unwrap().expect("imported");
    assert!(
        profiles::get(&db.db, bob.id).await.unwrap().expect("a profile").manager_id.is_some(),
        "a warning, not a change"
    );
}

async fn columns_can_be_chosen_and_the_file_piped(d: Dialect) {
    let db = TestDb::new(d).await;
    // Workday's headers that no guess takes: without --columns the file is refused, saying how.
    let csv = "Email Address (Work),Legal Name,Job Profile\r\nzoe@example.org,Zoë Müller,Executive Assistant\r\n";
    let workday = file(&db, "workday.csv", csv);
    let err = refused(&db, &["import", "members", &workday]);
    assert!(err.contains("no column holds the email address") && err.contains("email=its header"), "{err}");
    let chosen = "email=Email Address (Work);job_title=Job Profile";
    let out = roundtable(&db, &["import", "members", "--columns", chosen, &workday]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("job_title ← Job Profile") && text.contains("Imported: 1 created"), "{text}");
    // A header that is not there: refused, naming it, changing nothing.
    let err = refused(&db, &["import", "members", "--columns", "job_title=Job Title", &workday]);
    assert!(err.contains("Job Title"), "{err}");

    // The same file from standard input; a dry run shows each change with its values.
    let changed = csv.replace("Executive Assistant", "Chief of Staff");
    let mut child = on(&db, &["import", "members", "--dry-run", "--columns", chosen, "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run roundtable");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), changed.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        text.starts_with("standard input: 1 row, UTF-8, separated by commas.")
            && text.contains("would update zoe@example.org: job title (“Executive Assistant” → “Chief of Staff”)"),
        "{text}"
    );
    let zoe = users::by_email(&db.db, "zoe@example.org").await.unwrap().expect("imported");
    assert_eq!(profiles::get(&db.db, zoe.id).await.unwrap().expect("a profile").job_title, "Executive Assistant");
}
