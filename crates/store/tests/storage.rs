//! Storage tests: every one runs on a fresh SQLite file and a fresh PostgreSQL database.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use chrono::{Duration, Utc};
use roundtable_domain::{Email, MembershipStatus, PersonName, Role, Visibility};
use roundtable_store::testing::TestDb;
use roundtable_store::{Dialect, Error, jobs, networks, users};

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(roundtable_store::Dialect::Sqlite).await } )* }
        mod postgres { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(roundtable_store::Dialect::Postgres).await } )* }
    };
}

both!(
    every_statement_prepares_on_a_migrated_database,
    migrations_are_idempotent_and_report_current,
    a_database_without_tables_is_reachable_but_not_migrated,
    a_taken_email_is_a_conflict_on_users_email,
    a_rolled_back_transaction_leaves_nothing_behind,
    concurrent_writes_queue_instead_of_failing,
    a_job_with_a_dedupe_key_is_enqueued_once_and_claimed_once,
    membership_transitions_only_from_the_expected_status,
    the_read_model_version_moves_with_committed_changes_only,
    the_change_log_names_the_people_a_version_changed,
    an_address_history_follows_one_person_when_addresses_are_reused,
    the_audit_log_is_indexed_by_actor,
    the_outbox_is_indexed_by_address,
    a_second_link_request_for_an_account_waits_for_the_first,
    an_installation_has_one_organisation,
    folded_names_sort_by_their_bytes_on_both_engines,
);

/// Even two setups racing (each past its own "no organisation yet" check) make one.
async fn an_installation_has_one_organisation(d: Dialect) {
    use roundtable_store::org;
    let t = TestDb::new(d).await;
    let mut tx = t.db.begin().await.unwrap();
    org::create(&mut tx, "First", "UTC", Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    assert!(org::exists(&mut tx).await.unwrap());
    assert!(
        org::create(&mut tx, "Second", "UTC", Utc::now()).await.is_err(),
        "the database refuses a second organisation"
    );
    drop(tx);
    assert_eq!(org::get(&t.db).await.unwrap().unwrap().name, "First");
}

async fn every_statement_prepares_on_a_migrated_database(d: Dialect) {
    let t = TestDb::new(d).await;
    let mut failures = Vec::new();
    for (module, name, sql) in roundtable_store::all_statements() {
        let other = match d {
            Dialect::Sqlite => "_PG",
            Dialect::Postgres => "_SQLITE",
        };
        if name.ends_with(other) {
            continue;
        }
        if let Err(e) = t.db.prepare(sql).await {
            failures.push(format!("{module}::{name}: {e}"));
        }
        // SQLite numbers `$N` parameters by first use; make sure each statement names $1..$n.
        let n = sql.matches('$').count();
        for i in 1..=n.min(9) {
            let uses_higher = sql.contains(&format!("${}", i + 1));
            if uses_higher && !sql.contains(&format!("${i}")) {
                failures.push(format!("{module}::{name}: uses ${} but not ${i}", i + 1));
            }
        }
    }
    assert!(roundtable_store::all_statements().len() > 40);
    assert!(failures.is_empty(), "statements that do not prepare on {d:?}:\n{}", failures.join("\n"));
}

/// `/readyz` says "not migrated" (run `roundtable migrate`) for a database that exists but
/// holds no tables yet, rather than "unavailable" (look at the network).
async fn a_database_without_tables_is_reachable_but_not_migrated(d: Dialect) {
    let (db, _dropped_after) = match d {
        Dialect::Postgres => {
            let t = TestDb::empty_postgres().await;
            (t.db.clone(), t)
        }
        Dialect::Sqlite => {
            let t = TestDb::new(d).await;
            let url = format!("sqlite://{}", t.dir.path().join("new.db").display());
            (roundtable_store::Db::connect(&url).await.unwrap(), t)
        }
    };
    assert!(!db.is_migrated().await.unwrap(), "an empty database");
    db.migrate().await.unwrap();
    assert!(db.is_migrated().await.unwrap());
}

async fn migrations_are_idempotent_and_report_current(d: Dialect) {
    let t = TestDb::new(d).await;
    assert_eq!(t.db.migrate().await.unwrap(), 0, "second run applies nothing");
    assert!(t.db.is_migrated().await.unwrap());
}

/// `links::lock_account` makes a second request for the same account's links wait until the
/// first has committed, so its count includes the link the first one added (the reset limit).
async fn a_second_link_request_for_an_account_waits_for_the_first(d: Dialect) {
    use roundtable_store::links::{self, NewLink, Purpose};
    let t = TestDb::new(d).await;
    let id = new_user(&t, "ann@example.org").await.unwrap();
    let since = Utc::now() - Duration::hours(1);
    let mut first = t.db.begin().await.unwrap();
    links::lock_account(&mut first, id).await.unwrap();
    assert_eq!(links::count_sent_since(&mut first, Purpose::Reset, "ann@example.org", since).await.unwrap(), 0);
    let db = t.db.clone();
    let second = tokio::spawn(async move {
        let mut tx = db.begin().await.unwrap();
        links::lock_account(&mut tx, id).await.unwrap();
        links::count_sent_since(&mut tx, Purpose::Reset, "ann@example.org", since).await.unwrap()
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!second.is_finished(), "the second request must wait for the first");
    let link = NewLink {
        token_hash: "h1",
        purpose: Purpose::Reset,
        email: "ann@example.org",
        user_id: Some(id),
        network_id: None,
        created_by: None,
        role: Role::Member,
        expires_at: Utc::now() + Duration::hours(1),
    };
    links::insert(&mut first, &link, Utc::now()).await.unwrap();
    first.commit().await.unwrap();
    assert_eq!(second.await.unwrap(), 1, "and then counts the first one's link");
}

async fn new_user(t: &TestDb, email: &str) -> Result<roundtable_domain::UserId, Error> {
    let mut tx = t.db.begin().await?;
    let email = Email::parse(email).unwrap();
    let name = PersonName::parse("Zoë Example").unwrap();
    let id = users::insert(
        &mut tx,
        &users::NewUser { email: &email, name: &name, password_hash: None, is_org_admin: false, verified: true },
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn a_taken_email_is_a_conflict_on_users_email(d: Dialect) {
    let t = TestDb::new(d).await;
    new_user(&t, "zoe@example.org").await.unwrap();
    match new_user(&t, "zoe@example.org").await {
        Err(Error::Conflict(key)) => assert_eq!(key, "users.email"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Folded search finds the accented name without the accent.
    let (found, total) = users::search(&t.db, "zoe", users::Standing::All, 10, 0).await.unwrap();
    assert_eq!((found.len(), total), (1, 1));
    // LIKE's wildcards and escape mean themselves, the same on both engines: "first_last" does
    // not find "firstXlast", "o\" is text (PostgreSQL would read a bare backslash as an escape).
    new_user(&t, "first_last@example.org").await.unwrap();
    new_user(&t, "firstxlast@example.org").await.unwrap();
    let emails = |q: &'static str| {
        let db = &t.db;
        async move {
            users::search(db, q, users::Standing::All, 10, 0)
                .await
                .unwrap()
                .0
                .into_iter()
                .map(|u| u.email)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(emails("first_last").await, ["first_last@example.org"]);
    assert!(emails("zoe\\").await.is_empty() && emails("100%").await.is_empty());
    assert_eq!(emails("%").await, Vec::<String>::new(), "a percent sign is not everyone");
}

async fn a_rolled_back_transaction_leaves_nothing_behind(d: Dialect) {
    let t = TestDb::new(d).await;
    {
        let mut tx = t.db.begin().await.unwrap();
        let email = Email::parse("gone@example.org").unwrap();
        let name = PersonName::parse("Gone").unwrap();
        users::insert(
            &mut tx,
            &users::NewUser { email: &email, name: &name, password_hash: None, is_org_admin: false, verified: false },
            Utc::now(),
        )
        .await
        .unwrap();
        // dropped without commit
    }
    assert!(users::by_email(&t.db, "gone@example.org").await.unwrap().is_none());
    // The writer is usable again afterwards.
    new_user(&t, "after@example.org").await.unwrap();
    assert_eq!(users::count(&t.db).await.unwrap(), 1);
}

async fn concurrent_writes_queue_instead_of_failing(d: Dialect) {
    let t = TestDb::new(d).await;
    let mut handles = Vec::new();
    for i in 0..40 {
        let db = t.db.clone();
        handles.push(tokio::spawn(async move {
            let mut tx = db.begin().await?;
            let email = Email::parse(&format!("p{i}@example.org")).unwrap();
            let name = PersonName::parse("Parallel").unwrap();
            users::insert(
                &mut tx,
                &users::NewUser {
                    email: &email,
                    name: &name,
                    password_hash: None,
                    is_org_admin: false,
                    verified: false,
                },
                Utc::now(),
            )
            .await?;
            tx.commit().await
        }));
    }
    for h in handles {
        h.await.unwrap().unwrap();
    }
    assert_eq!(users::count(&t.db).await.unwrap(), 40);
}

async fn a_job_with_a_dedupe_key_is_enqueued_once_and_claimed_once(d: Dialect) {
    let t = TestDb::new(d).await;
    let now = Utc::now();
    let job = || jobs::NewJob {
        kind: "test",
        payload: "{}".into(),
        dedupe_key: Some("tick:1".into()),
        run_at: now,
        max_attempts: 3,
    };
    assert!(jobs::enqueue(&t.db, job(), now).await.unwrap().is_some());
    assert!(jobs::enqueue(&t.db, job(), now).await.unwrap().is_none());
    let lease = now + Duration::seconds(60);
    let mut claims = Vec::new();
    for w in 0..8 {
        let db = t.db.clone();
        claims.push(tokio::spawn(async move { jobs::claim(&db, &format!("w{w}"), now, lease).await }));
    }
    let mut claimed = 0;
    for c in claims {
        if c.await.unwrap().unwrap().is_some() {
            claimed += 1;
        }
    }
    assert_eq!(claimed, 1);
    // A lease that ran out lets another worker take the job again (its first worker died).
    let later = lease + Duration::seconds(1);
    let again = jobs::claim(&t.db, "w9", later, later + Duration::seconds(60)).await.unwrap().unwrap();
    assert_eq!(again.attempts, 2);
}

async fn membership_transitions_only_from_the_expected_status(d: Dialect) {
    let t = TestDb::new(d).await;
    let user = new_user(&t, "m@example.org").await.unwrap();
    let now = Utc::now();
    let mut tx = t.db.begin().await.unwrap();
    let net = networks::insert(
        &mut tx,
        &networks::NewNetwork { slug: "eas", name: "EAs", description: "", visibility: Visibility::ByRequest },
        now,
    )
    .await
    .unwrap();
    networks::upsert_membership(&mut tx, net, user, Role::Member, MembershipStatus::Requested, now).await.unwrap();
    assert!(
        !networks::transition(&mut tx, net, user, MembershipStatus::Invited, MembershipStatus::Active, now)
            .await
            .unwrap()
    );
    assert!(
        networks::transition(&mut tx, net, user, MembershipStatus::Requested, MembershipStatus::Active, now)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    let n = networks::by_slug(&t.db, "eas").await.unwrap().unwrap();
    assert_eq!(n.member_count, 1);
}

/// Several instances starting together on one fresh PostgreSQL database: the advisory lock makes
/// them take turns, exactly one applies the migrations, and none fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_migrate_once() {
    let admin = roundtable_store::testing::pg_admin_url();
    let name = format!("rt_test_{}", uuid::Uuid::now_v7().simple());
    let (client, conn) =
        tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.expect(roundtable_store::testing::PG_HINT);
    tokio::spawn(conn);
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    let url = roundtable_store::testing::replace_db(&admin, &name);
    let mut handles = Vec::new();
    for _ in 0..4 {
        let url = url.clone();
        handles.push(tokio::spawn(async move { roundtable_store::Db::connect(&url).await?.migrate().await }));
    }
    let mut applied = Vec::new();
    for h in handles {
        applied.push(h.await.unwrap().unwrap());
    }
    applied.sort();
    assert_eq!(applied.iter().filter(|&&n| n > 0).count(), 1, "one instance migrates: {applied:?}");
    client.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).await.unwrap();
}

/// `roundtable backup` on SQLite: a consistent copy that opens and holds the same rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_backup_is_a_working_copy() {
    let t = TestDb::new(Dialect::Sqlite).await;
    new_user(&t, "kept@example.org").await.unwrap();
    let dest = t.dir.path().join("backup.db");
    t.db.backup_sqlite(dest.clone()).await.unwrap();
    let copy = roundtable_store::Db::connect(&format!("sqlite://{}", dest.display())).await.unwrap();
    assert!(copy.is_migrated().await.unwrap());
    assert!(users::by_email(&copy, "kept@example.org").await.unwrap().is_some());
}

/// The version the app's snapshot is checked against: it moves once per committed transaction
/// that changed people, networks or memberships — not for other tables, not on rollback.
async fn the_read_model_version_moves_with_committed_changes_only(d: Dialect) {
    let t = TestDb::new(d).await;
    let v0 = t.db.read_model_version().await.unwrap();
    let id = new_user(&t, "vera@example.org").await.unwrap();
    assert_eq!(t.db.read_model_version().await.unwrap(), v0 + 1, "a new person moves it once");
    let now = Utc::now();
    roundtable_store::sessions::touch(&t.db, "no-such-session", now, now).await.unwrap();
    assert_eq!(t.db.read_model_version().await.unwrap(), v0 + 1, "sessions are not in the read model");
    {
        let mut tx = t.db.begin().await.unwrap();
        users::set_deactivated(&mut tx, id, Some(now)).await.unwrap();
        // Dropped without commit: rolled back.
    }
    assert_eq!(t.db.read_model_version().await.unwrap(), v0 + 1, "a rollback does not move it");
    let mut tx = t.db.begin().await.unwrap();
    users::set_deactivated(&mut tx, id, Some(now)).await.unwrap();
    users::set_admin(&mut tx, id, true).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(t.db.read_model_version().await.unwrap(), v0 + 2, "one transaction, one step");
}

/// An instance a few versions behind reloads just the people the log names, and ends with the
/// same rows as a full reload; a change to anything else, or a gap in the log, means a full one.
async fn the_change_log_names_the_people_a_version_changed(d: Dialect) {
    use roundtable_store::read_model::{load, load_since};
    let t = TestDb::new(d).await;
    let ann = new_user(&t, "ann@example.org").await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    let nid = networks::insert(
        &mut tx,
        &networks::NewNetwork { slug: "eas", name: "EAs", description: "", visibility: Visibility::Open },
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut rows = load(&t.db).await.unwrap();
    assert_eq!(rows.people.len(), 1);

    // Bea joins, Ann becomes a member and takes a turn as admin; a row lock changes nothing.
    let bea = new_user(&t, "bea@example.org").await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    networks::lock(&mut tx, nid).await.unwrap();
    networks::upsert_membership(&mut tx, nid, ann, Role::Member, MembershipStatus::Active, Utc::now()).await.unwrap();
    users::set_admin(&mut tx, ann, true).await.unwrap();
    tx.commit().await.unwrap();
    let changes = load_since(&t.db, rows.version).await.unwrap().expect("two people, each logged");
    let mut named = vec![ann, bea];
    named.sort_unstable();
    assert_eq!(changes.people, named);
    assert_eq!(changes.version, rows.version + 2);
    rows.apply(changes);
    assert_eq!(rows.clone().canonical(), load(&t.db).await.unwrap().canonical());
    assert_eq!(rows.memberships.len(), 1, "Ann's membership is in");

    // Deactivating Bea removes her rows.
    let mut tx = t.db.begin().await.unwrap();
    users::set_deactivated(&mut tx, bea, Some(Utc::now())).await.unwrap();
    tx.commit().await.unwrap();
    rows.apply(load_since(&t.db, rows.version).await.unwrap().unwrap());
    assert_eq!(rows.people.iter().map(|p| p.id).collect::<Vec<_>>(), vec![ann]);
    assert_eq!(rows.clone().canonical(), load(&t.db).await.unwrap().canonical());

    // A network's change is not one person's: everything reloads.
    let mut tx = t.db.begin().await.unwrap();
    networks::update(&mut tx, nid, "Assistants", "", Visibility::Open).await.unwrap();
    tx.commit().await.unwrap();
    assert!(load_since(&t.db, rows.version).await.unwrap().is_none());
    rows = load(&t.db).await.unwrap();

    // A version with no entry (an older release's commit, or pruning) leaves a gap: full reload.
    t.db.write("UPDATE read_model_version SET version = version + 1 WHERE id = 1", vec![]).await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    users::set_admin(&mut tx, ann, false).await.unwrap();
    tx.commit().await.unwrap();
    assert!(load_since(&t.db, rows.version).await.unwrap().is_none());
}

/// A PostgreSQL commit cut off between its round trips (a request timeout, a client gone) closes
/// its connection: the half-done transaction rolls back instead of going back to the pool, where
/// it would hold the version row's lock and be committed by whoever used the connection next.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_cut_off_on_postgres_rolls_back_and_blocks_nobody() {
    let t = TestDb::new(Dialect::Postgres).await;
    let ann = new_user(&t, "ann@example.org").await.unwrap();
    let v0 = t.db.read_model_version().await.unwrap();
    // Another transaction holds the change log, so the commit stops after the version bump, at
    // its log entry, until it is cut off — always before COMMIT is sent.
    let mut holder = t.db.begin().await.unwrap();
    holder.lock_row("LOCK TABLE read_model_changes IN EXCLUSIVE MODE", vec![]).await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    users::set_admin(&mut tx, ann, true).await.unwrap();
    let cut = tokio::time::timeout(std::time::Duration::from_millis(300), tx.commit()).await;
    assert!(cut.is_err(), "the commit was cut off");
    holder.commit().await.unwrap();
    for i in 0..5 {
        let email = format!("p{i}@example.org");
        let next = tokio::time::timeout(std::time::Duration::from_secs(5), new_user(&t, &email));
        next.await.expect("no abandoned transaction holds the version row").unwrap();
    }
    assert_eq!(t.db.read_model_version().await.unwrap(), v0 + 5, "the cut-off change never committed");
    let admin = users::by_id(&t.db, ann).await.unwrap().unwrap();
    assert!(!admin.is_org_admin);
}

/// Two transactions each holding a row the other wants: PostgreSQL ends the deadlock by rolling
/// one back, which the store reports as busy (worth trying again), not as a fault; the other
/// commits. (SQLite has one writer at a time; its busy timeout is a unit test of the mapping.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadlock_on_postgres_is_busy_and_the_other_side_commits() {
    let t = TestDb::new(Dialect::Postgres).await;
    let ann = new_user(&t, "ann@example.org").await.unwrap();
    let bo = new_user(&t, "bo@example.org").await.unwrap();
    let (mut a, mut b) = (t.db.begin().await.unwrap(), t.db.begin().await.unwrap());
    users::set_admin(&mut a, ann, true).await.unwrap();
    users::set_admin(&mut b, bo, true).await.unwrap();
    let (first, second) = tokio::join!(
        async move {
            users::set_admin(&mut a, bo, true).await?;
            a.commit().await
        },
        async move {
            users::set_admin(&mut b, ann, true).await?;
            b.commit().await
        },
    );
    let busy = |r: &Result<(), Error>| matches!(r, Err(Error::Busy(_)));
    assert!(
        busy(&first) && second.is_ok() || first.is_ok() && busy(&second),
        "one busy, one committed: {first:?} {second:?}"
    );
    for id in [ann, bo] {
        assert!(users::by_id(&t.db, id).await.unwrap().unwrap().is_org_admin, "the committed side's change");
    }
}

/// Logs an HR import's change of address, as the import does.
async fn log_change(t: &TestDb, from: &str, to: &str, at: chrono::DateTime<Utc>) {
    use roundtable_store::audit;
    let mut tx = t.db.begin().await.unwrap();
    let detail = audit::email_changed_detail(to, "hr.csv", "E1");
    let entry = audit::NewEntry {
        actor_id: None,
        actor_name: "console",
        action: audit::EMAIL_CHANGED,
        network_id: None,
        subject: from,
        detail: &detail,
    };
    audit::record(&mut tx, &entry, at).await.unwrap();
    tx.commit().await.unwrap();
}

/// Erasure and "download my data" find a person's earlier addresses from the log alone: each
/// step back is the latest change to an address before they left it, after their account was
/// created, with nobody leaving it in between.
async fn an_address_history_follows_one_person_when_addresses_are_reused(d: Dialect) {
    use roundtable_store::import::Source;
    let t = TestDb::new(d).await;
    let t0 = Utc::now();
    let at = |s: i64| t0 + Duration::seconds(s);
    let long_ago = t0 - Duration::days(30);
    // X: x1 → x2 → x3. Then Y takes x2 (y1 → x2); Z's new account gets x1 later.
    log_change(&t, "x1@example.org", "x2@example.org", at(1)).await;
    log_change(&t, "x2@example.org", "x3@example.org", at(2)).await;
    log_change(&t, "y1@example.org", "x2@example.org", at(3)).await;
    // W goes back and forth: w1 → w2 → w1 → w2.
    log_change(&t, "w1@example.org", "w2@example.org", at(4)).await;
    log_change(&t, "w2@example.org", "w1@example.org", at(5)).await;
    log_change(&t, "w1@example.org", "w2@example.org", at(6)).await;
    let history = |address: &'static str, created| {
        let db = t.db.clone();
        async move {
            let changes = roundtable_store::audit::email_changes(&mut Source::Db(&db), address, created).await.unwrap();
            changes.into_iter().map(|c| (c.from, c.to)).collect::<Vec<_>>()
        }
    };
    let pair = |a: &str, b: &str| (format!("{a}@example.org"), format!("{b}@example.org"));
    assert_eq!(history("x3@example.org", long_ago).await, [pair("x2", "x3"), pair("x1", "x2")]);
    assert_eq!(history("x2@example.org", long_ago).await, [pair("y1", "x2")], "not X's time at x2");
    assert_eq!(history("x1@example.org", at(10)).await, [], "Z never changed address");
    assert_eq!(history("w2@example.org", long_ago).await, [pair("w1", "w2"), pair("w2", "w1"), pair("w1", "w2")]);
    assert_eq!(history("nobody@example.org", long_ago).await, []);
    // Z's x1 runs from just after X left it: X's change of address is X's, not Z's.
    let held =
        roundtable_store::audit::held_addresses(&mut Source::Db(&t.db), "x1@example.org", at(10), &[]).await.unwrap();
    let (from, _) = held[0].bounds();
    let x_left = roundtable_store::micros(at(1));
    assert!(from > x_left && from <= x_left + 1, "{held:?}");
}

/// The definition of the index `name`, as the engine reports it.
async fn index_definition(t: &TestDb, d: Dialect, name: &str) -> String {
    let sql = match d {
        Dialect::Sqlite => "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1",
        Dialect::Postgres => "SELECT indexdef FROM pg_indexes WHERE indexname = $1",
    };
    let rows = t.db.read(sql, roundtable_store::params![name]).await.unwrap();
    assert_eq!(rows.len(), 1, "no {name} index");
    rows[0].text(0).unwrap()
}

/// V11: "download my data" and erasure look the audit log up by actor.
async fn the_audit_log_is_indexed_by_actor(d: Dialect) {
    let t = TestDb::new(d).await;
    let def = index_definition(&t, d, "audit_log_actor").await;
    assert!(def.contains("audit_log") && def.contains("(actor_id)"), "{def}");
}

/// V12: ... and the outbox by address and time.
async fn the_outbox_is_indexed_by_address(d: Dialect) {
    let t = TestDb::new(d).await;
    let def = index_definition(&t, d, "outbox_to_addr").await;
    assert!(def.contains("outbox") && def.contains("(to_addr, created_at)"), "{def}");
}

/// The admin's people page (SQL order) and the directory (the read model's order, in Rust) list
/// people the same way on both engines: by the bytes of the folded name, punctuation included.
async fn folded_names_sort_by_their_bytes_on_both_engines(d: Dialect) {
    let t = TestDb::new(d).await;
    for (email, name) in
        [("obama@example.org", "Ann Obama"), ("obrien@example.org", "Ann O'Brien"), ("oban@example.org", "Ann Oban")]
    {
        let mut tx = t.db.begin().await.unwrap();
        let (email, name) = (Email::parse(email).unwrap(), PersonName::parse(name).unwrap());
        let new =
            users::NewUser { email: &email, name: &name, password_hash: None, is_org_admin: false, verified: true };
        users::insert(&mut tx, &new, Utc::now()).await.unwrap();
        tx.commit().await.unwrap();
    }
    let names: Vec<String> =
        users::search(&t.db, "ann", users::Standing::All, 10, 0).await.unwrap().0.into_iter().map(|u| u.name).collect();
    // "ann o'brien" < "ann obama" < "ann oban" byte by byte; a locale's collation that skips
    // punctuation would put O'Brien last.
    assert_eq!(names, ["Ann O'Brien", "Ann Obama", "Ann Oban"]);
    // The database this runs on may already sort by bytes (C.UTF-8): the column says it always will.
    if d == Dialect::Postgres {
        let sql = "SELECT table_name, collation_name FROM information_schema.columns WHERE (table_name, column_name) IN (('users', 'name_folded'), ('profile_tags', 'folded')) ORDER BY table_name";
        let rows = t.db.read(sql, vec![]).await.unwrap();
        let got: Vec<(String, String)> = rows.iter().map(|r| (r.text(0).unwrap(), r.text(1).unwrap())).collect();
        assert_eq!(got, [("profile_tags".to_owned(), "C".to_owned()), ("users".to_owned(), "C".to_owned())]);
    }
}
