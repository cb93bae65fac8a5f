//! HR import and export of members, on SQLite and PostgreSQL: files as Excel and HR systems
//! write them, per-row errors, idempotency, deactivation, all-or-nothing, the pages, the export
//! for Excel, and who may use any of it. State is re-read from the database after each import.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use roundtable_app::import::{Options, Report, console};
use roundtable_store::{Db, Dialect, audit, networks, profiles, users};
use support::TestApp;

both!(
    files_as_excel_and_hr_systems_write_them_are_read,
    people_an_hr_status_marks_as_leavers_are_deactivated_not_added,
    a_leaver_row_never_deactivates_whoever_now_holds_the_address_or_id,
    each_problem_is_reported_with_its_line_column_and_fix,
    a_file_with_errors_imports_nothing_unless_valid_rows_only,
    importing_the_same_file_twice_changes_nothing,
    a_changed_row_updates_only_that_person_and_empty_cells_keep_values,
    reporting_loops_are_refused,
    deactivate_missing_spares_the_importer_and_administrators,
    the_pages_walk_through_upload_columns_preview_and_import,
    the_export_opens_in_excel_neutralises_formulas_and_round_trips,
    only_org_admins_may_import_or_export,
    organisers_download_their_networks_members_as_they_may_see_them,
    a_large_file_is_written_in_batches_and_stays_idempotent,
    a_failure_while_writing_leaves_the_database_unchanged,
    the_rows_with_errors_download_as_csv_to_fix_in_excel_and_import_again,
    an_employee_id_match_updates_the_email_instead_of_making_a_duplicate,
    employee_id_clashes_and_excel_damage_are_row_errors_that_change_nothing,
    employee_ids_are_for_org_admins_only,
    a_value_like_minus_finance_survives_the_error_file_round_trip,
    an_employee_id_match_is_counted_once_and_pages_stay_full,
    an_excel_us_round_trip_keeps_start_dates_month_first,
    a_day_first_file_is_read_day_first,
    an_ambiguous_file_refuses_its_slash_dates,
    a_file_mixing_date_orders_flags_the_rows_against_most_of_it,
    an_employee_id_that_lost_its_leading_zeros_keeps_the_stored_one,
    deactivate_missing_is_refused_while_an_email_cannot_be_read,
    deactivating_more_than_half_of_the_people_needs_confirmation,
    the_upload_limit_is_the_one_the_page_promises,
    cr_only_files_report_errors_on_their_own_lines,
    a_file_past_the_routers_limit_gets_the_import_advice,
    the_api_imports_and_exports_like_the_pages,
    invisible_characters_and_a_leavers_employee_id_make_no_second_account,
    a_stray_quote_that_swallows_rows_is_named_and_deactivates_no_one,
    none_removes_a_stored_manager_or_executives_so_a_reporting_line_can_turn_round,
    a_file_without_a_header_row_is_refused_and_deactivates_no_one,
    a_german_file_s_vorname_and_name_make_the_full_name,
    midnight_times_after_dates_are_read_and_show_the_order,
    a_chosen_date_order_reads_a_joiners_file_and_is_carried_through_the_pages,
    the_error_file_writes_the_dates_it_read_as_iso,
    a_leavers_email_given_to_someone_new_does_not_take_over_the_account,
    excel_error_cells_are_row_errors_and_change_nothing,
    employee_ids_padded_differently_are_one_person_twice,
    letters_excel_replaced_with_question_marks_do_not_overwrite_names,
    a_reporting_line_through_someone_who_left_is_kept_and_said,
    an_empty_file_chosen_on_the_page_is_called_empty,
    a_manager_column_of_names_or_ids_is_left_out_unless_chosen,
    workday_bamboohr_successfactors_and_german_headers_are_matched,
    a_report_title_above_the_header_is_skipped_and_lines_stay_right,
    a_successfactors_row_of_labels_under_the_header_is_skipped,
    a_windows_1252_file_with_a_chance_utf8_pair_is_imported,
    people_left_reporting_to_someone_deactivated_are_warned_about,
);

async fn body(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

async fn import(db: &Db, bytes: &[u8], opts: Options) -> Report {
    let (_, _, report) = console::import(db, bytes, "members.csv", None, &opts, &|_, _, _| {}).await.unwrap();
    report
}

/// An import refused as a whole: its message.
async fn refused(db: &Db, bytes: &[u8], opts: Options) -> String {
    match console::import(db, bytes, "members.csv", None, &opts, &|_, _, _| {}).await {
        Ok((_, _, r)) => panic!("should be refused: {}", r.summary()),
        Err(e) => format!("{e:#}"),
    }
}

fn apply() -> Options {
    Options::default()
}

async fn user(db: &Db, email: &str) -> Option<users::User> {
    users::by_email(db, email).await.unwrap()
}

async fn profile(db: &Db, email: &str) -> profiles::Profile {
    let u = user(db, email).await.unwrap_or_else(|| panic!("{email} should exist"));
    profiles::get(db, u.id).await.unwrap().unwrap()
}

fn tags(p: &profiles::Profile, kind: &str) -> Vec<String> {
    p.tags.iter().filter(|(k, _)| k == kind).map(|(_, t)| t.clone()).collect()
}

async fn count(db: &Db) -> i64 {
    users::count(db).await.unwrap()
}

const FILE: &str = "email,name,job_title,department,location,time_zone,level,years_experience,skills,languages,start_date,manager_email,supports_emails,networks\r\n\
ann@example.org,Ann Assistant,Executive Assistant,Finance,London,Europe/London,Senior,8,Diary management; Excel,English|French,2019-09-02,cfo@example.org,cfo@example.org;ceo@example.org,eas\r\n\
cfo@example.org,Cai Finance,Chief Financial Officer,Finance,London,Europe/London,,,,,,ceo@example.org,,\r\n\
ceo@example.org,Cleo Chief,Chief Executive,Executive Office,Paris,Europe/Paris,,,,,15/01/2015,,,\r\n\
bea@example.org,Bea Peer,Team Assistant,Legal,New York,America/New_York,Junior,2,Minute taking,,2023-05-01,ann@example.org,,eas\r\n";

async fn files_as_excel_and_hr_systems_write_them_are_read(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    // Excel on Windows: Windows-1252 bytes (ë is 0xEB), semicolons, a quoted cell over two lines,
    // day/month/year dates, a trailing separator, a blank line and header names of its own.
    let mut cp1252 = b"E-mail Address;Full Name;Job Title;Skills;Hire Date;\r\n".to_vec();
    cp1252.extend_from_slice(
        b"zoe@example.org;Zo\xEB Dupr\xE9;Assistante de direction;\"Agenda\r\nComptabilit\xE9\";31/03/2021;\r\n\r\n",
    );
    cp1252.extend_from_slice(b"ida@example.org;Ida \xC5ngstr\xF6m;Office Manager;;2020-01-06;\r\n");
    let r = import(db, &cp1252, apply()).await;
    assert_eq!((r.encoding, r.delimiter, r.created, r.errors.len()), ("Windows-1252", ';', 2, 0), "{:?}", r.errors);
    let zoe = profile(db, "zoe@example.org").await;
    assert_eq!(zoe.name, "Zoë Dupré");
    assert_eq!(tags(&zoe, "skills"), ["Agenda", "Comptabilité"], "a quoted cell over two lines is two skills");
    assert_eq!(zoe.start_date, "2021-03-31", "stored as an ISO date");
    assert_eq!(
        r.outcomes.iter().map(|o| o.line).collect::<Vec<_>>(),
        [2, 5],
        "physical lines, after a two-line cell and a blank line"
    );
    let u = user(db, "zoe@example.org").await.unwrap();
    assert!(
        u.password_hash.is_none() && u.email_verified_at.is_some(),
        "no password (they use forgot-password or an invitation); the HR record vouches for the address"
    );
    // UTF-8 with a BOM and commas, as "CSV UTF-8" writes it; the BOM is not part of the header.
    let utf8 = "\u{feff}Email,Name,Time Zone\r\numa@example.org,Uma Ünal,asia/kolkata\r\n";
    let r = import(db, utf8.as_bytes(), apply()).await;
    assert_eq!((r.encoding, r.created), ("UTF-8 with BOM", 1), "{:?}", r.errors);
    assert_eq!(
        profile(db, "uma@example.org").await.time_zone,
        "Asia/Kolkata",
        "zone names are matched regardless of case"
    );
    // Tabs, as pasted from a spreadsheet.
    let r = import(db, b"email\tname\r\ntab@example.org\tTab Person\r\n", apply()).await;
    assert_eq!((r.delimiter, r.created), ('\t', 1));
    assert!(app.emails_to("zoe@example.org").await.is_empty(), "an import sends no email");
}

async fn each_problem_is_reported_with_its_line_column_and_fix(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    let file = format!(
        "Email;Name;Start date;Time zone;Manager email;Skills\n\
ann@example.org;Ann;2024-02-30;Europe/London;;\"a\nb\"\n\
bea@example.org;Bea;end of March 2024;Mars/Olympus;ghost@example.org;\n\
ANN@example.org;Ann again;;;;\n\
not-an-email;Nobody;;;;\n\
new@example.org;;;;;\n\
long@example.org;{};;;;\n",
        "N".repeat(121)
    );
    let before = count(db).await;
    let r = import(db, file.as_bytes(), apply()).await;
    assert!(!r.applied);
    assert_eq!(count(db).await, before, "nothing imported");
    let find = |line: u64, column: &str| {
        r.errors
            .iter()
            .find(|e| e.line == line && e.column.starts_with(column))
            .unwrap_or_else(|| panic!("no error on line {line}, {column}: {:#?}", r.errors))
    };
    assert!(find(2, "Start date (column C)").problem.contains("not a real date"));
    assert!(find(2, "Email (column A)").problem.contains("also on line 5"), "duplicates name each other");
    assert!(
        find(5, "Email").problem.contains("also on line 2"),
        "the second copy is on line 5 because line 2's cell spans two lines"
    );
    let date = find(4, "Start date");
    assert!(
        date.problem.contains("end of March 2024")
            && date.fix.contains("2024-03-31")
            && date.fix.contains("31/03/2024"),
        "{date:?}"
    );
    assert!(find(4, "Time zone").fix.contains("Europe/London"));
    let mgr = find(4, "Manager email");
    assert!(mgr.problem.contains("ghost@example.org") && mgr.fix.contains("add a row"), "{mgr:?}");
    assert!(find(6, "Email").problem.contains("not an email address"));
    assert!(find(7, "Name").problem.contains("new to Roundtable"));
    // A name refused for its length is one error, not also "a name is needed".
    let long: Vec<&str> = r.errors.iter().filter(|e| e.line == 8).map(|e| e.problem.as_str()).collect();
    assert!(long.len() == 1 && !long[0].contains("new to Roundtable"), "{long:?}");
    assert_eq!(r.error_lines, [2, 4, 5, 6, 7, 8]);
    assert!(r.errors.iter().all(|e| !e.fix.is_empty()));
    // A file that is not CSV at all says what to do.
    let err =
        console::import(db, b"PK\x03\x04\x14\x00", "people.xlsx", None, &apply(), &|_, _, _| {}).await.unwrap_err();
    assert!(err.to_string().contains("Save As"), "{err}");
}

async fn a_file_with_errors_imports_nothing_unless_valid_rows_only(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    // Line 3 is wrong; line 4 names line 3's person as manager, so it cannot be imported alone.
    let file = "email,name,start_date,manager_email\n\
ok@example.org,Ok Person,2020-01-01,\n\
bad@example.org,Bad Person,someday,\n\
dep@example.org,Dependent,,bad@example.org\n\
ok2@example.org,Ok Two,,ok@example.org\n";
    let before = count(db).await;
    let r = import(db, file.as_bytes(), apply()).await;
    assert!(!r.applied && r.error_lines == [3, 4], "{:#?}", r.errors);
    assert!(r.errors.iter().any(|e| e.line == 4 && e.problem.contains("on line 3, which has errors")));
    assert_eq!(count(db).await, before, "errors: nothing imported");
    assert!(user(db, "ok@example.org").await.is_none());
    let dry = import(db, file.as_bytes(), Options { dry_run: true, valid_rows_only: true, ..apply() }).await;
    assert!(!dry.applied && dry.created == 2);
    assert_eq!(count(db).await, before, "a dry run writes nothing");
    let r = import(db, file.as_bytes(), Options { valid_rows_only: true, ..apply() }).await;
    assert!(r.applied);
    assert_eq!((r.created, r.error_lines.len()), (2, 2));
    assert_eq!(count(db).await, before + 2);
    assert!(user(db, "bad@example.org").await.is_none() && user(db, "dep@example.org").await.is_none());
    let ok = user(db, "ok@example.org").await.unwrap();
    assert_eq!(profile(db, "ok2@example.org").await.manager_id, Some(ok.id));
    let (log, _) = audit::page(db, 10, 0).await.unwrap();
    let entry = log.iter().find(|e| e.action == "members.imported").expect("audited");
    assert_eq!(entry.actor_name, "console");
    assert!(entry.detail.contains("2 created") && entry.detail.contains("2 with errors"), "{}", entry.detail);
}

async fn importing_the_same_file_twice_changes_nothing(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let db = &app.state.db;
    let first = import(db, FILE.as_bytes(), apply()).await;
    assert_eq!((first.created, first.updated, first.errors.len()), (4, 0, 0), "{:#?}", first.errors);
    // The reporting line refers forwards and backwards in the file.
    let ann = profile(db, "ann@example.org").await;
    let cfo = user(db, "cfo@example.org").await.unwrap();
    let ceo = user(db, "ceo@example.org").await.unwrap();
    assert_eq!(ann.manager_id, Some(cfo.id));
    let mut sup: Vec<_> = ann.supports.iter().map(|(id, _)| *id).collect();
    sup.sort();
    let mut want = vec![cfo.id, ceo.id];
    want.sort();
    assert_eq!(sup, want);
    assert_eq!(profile(db, "cfo@example.org").await.manager_id, Some(ceo.id));
    assert_eq!(tags(&ann, "languages"), ["English", "French"]);
    assert_eq!((ann.level.as_str(), ann.years_experience, ann.start_date.as_str()), ("Senior", Some(8), "2019-09-02"));
    assert_eq!(profile(db, "ceo@example.org").await.start_date, "2015-01-15");
    let eas = networks::by_slug(db, "eas").await.unwrap().unwrap();
    assert_eq!(eas.member_count, 2, "Ann and Bea");
    // Searchable like a profile saved by its owner: skills shared with the network.
    let dir = body(admin.get(app.at("/people?q=diary")).send().await.unwrap()).await;
    assert!(dir.contains("Ann Assistant"), "{dir}");

    let second = import(db, FILE.as_bytes(), apply()).await;
    assert_eq!((second.created, second.updated, second.unchanged, second.deactivated), (0, 0, 4, 0));
    assert!(second.applied);
    let again = profile(db, "ann@example.org").await;
    assert_eq!(
        (again.tags.len(), again.supports.len(), again.manager_id),
        (ann.tags.len(), ann.supports.len(), ann.manager_id)
    );
}

async fn a_changed_row_updates_only_that_person_and_empty_cells_keep_values(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let db = &app.state.db;
    import(db, FILE.as_bytes(), apply()).await;
    let changed = FILE.replace("Team Assistant,Legal", "Senior Team Assistant,Legal");
    let r = import(db, changed.as_bytes(), apply()).await;
    assert_eq!((r.created, r.updated, r.unchanged), (0, 1, 3));
    let o = r.outcomes.iter().find(|o| o.email == "bea@example.org").unwrap();
    assert_eq!(o.changes, ["job title"]);
    assert_eq!(profile(db, "bea@example.org").await.job_title, "Senior Team Assistant");
    assert_eq!(profile(db, "ann@example.org").await.job_title, "Executive Assistant");
    // A file with fewer columns and empty cells changes only what it says.
    let r = import(db, b"email,department,level\r\nann@example.org,Treasury,\r\n", apply()).await;
    assert_eq!((r.updated, r.outcomes[0].changes.clone()), (1, vec!["department"]));
    let ann = profile(db, "ann@example.org").await;
    assert_eq!(
        (ann.department.as_str(), ann.level.as_str(), ann.name.as_str(), tags(&ann, "skills").len()),
        ("Treasury", "Senior", "Ann Assistant", 2)
    );
    // First and last names apart, one cell empty: the stored full name stays; someone new is
    // named by the part given.
    let r = import(
        db,
        b"email,first_name,last_name\r\nann@example.org,,Assistant\r\nmono@example.org,Sukarno,\r\n",
        apply(),
    )
    .await;
    assert_eq!((r.created, r.updated, r.unchanged), (1, 0, 1), "{:#?}", r.outcomes);
    assert_eq!(profile(db, "ann@example.org").await.name, "Ann Assistant");
    assert_eq!(profile(db, "mono@example.org").await.name, "Sukarno");
    // Someone who edited their own profile keeps their audiences.
    let bea = app.sign_in_as_imported("bea@example.org").await;
    let r = bea
        .post(app.at("/profile"))
        .form(&[
            ("time_zone", "America/New_York"),
            ("job_title", "Senior Team Assistant"),
            ("department", "Legal"),
            ("location", "New York"),
            ("level", "Junior"),
            ("audience_level", "organisers"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    import(db, changed.replace(",Junior,2,", ",Senior,2,").as_bytes(), apply()).await;
    let p = profile(db, "bea@example.org").await;
    assert_eq!(p.level, "Senior");
    assert!(p.visibility.contains("\"level\":\"organisers\""), "{}", p.visibility);
}

async fn reporting_loops_are_refused(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    let r = import(db, b"email,name,manager_email\na@example.org,A,b@example.org\nb@example.org,B,c@example.org\nc@example.org,C,a@example.org\nd@example.org,D,a@example.org\n", apply()).await;
    let loops: Vec<u64> = r.errors.iter().filter(|e| e.problem.contains("reporting loop")).map(|e| e.line).collect();
    assert_eq!(loops, [2, 3, 4], "{:#?}", r.errors);
    assert!(
        r.errors[0].problem.contains("a@example.org → b@example.org → c@example.org → a@example.org")
            || r.errors[0].problem.contains("→")
    );
    assert!(
        r.errors.iter().any(|e| e.line == 5 && e.problem.contains("which has errors")),
        "D's manager is in the loop"
    );
    assert!(user(db, "a@example.org").await.is_none());
    // A loop through someone already in Roundtable, and being one's own manager.
    import(db, b"email,name,manager_email\nx@example.org,X,\ny@example.org,Y,x@example.org\n", apply()).await;
    let r =
        import(db, b"email,manager_email\nx@example.org,y@example.org\nz@example.org,z@example.org\n", apply()).await;
    assert!(
        r.errors.iter().any(|e| e.line == 2
            && (e.problem.contains("y@example.org → x@example.org")
                || e.problem.contains("x@example.org → y@example.org"))),
        "{:#?}",
        r.errors
    );
    assert!(r.errors.iter().any(|e| e.line == 3 && e.problem.contains("their own manager")));
    assert_eq!(profile(db, "x@example.org").await.manager_id, None);
}

async fn deactivate_missing_spares_the_importer_and_administrators(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let db = &app.state.db;
    app.user("it@example.org", "IT Admin").await;
    roundtable_app::admin::console::set_admin(db, "it@example.org", true).await.unwrap();
    let carl = app.user("carl@example.org", "Carl Leaver").await;
    assert_eq!(carl.get(app.at("/account")).send().await.unwrap().status(), StatusCode::OK);
    // Carl chairs the network, alone.
    let eas = roundtable_store::networks::by_slug(db, "eas").await.unwrap().unwrap();
    let mut tx = db.begin().await.unwrap();
    let (chair, active) = (roundtable_domain::Role::Chair, roundtable_domain::MembershipStatus::Active);
    let carl_id = app.user_id("carl@example.org").await;
    roundtable_store::networks::upsert_membership(&mut tx, eas.id, carl_id, chair, active, chrono::Utc::now())
        .await
        .unwrap();
    // The IT admin is the network's Administrator.
    let it_id = app.user_id("it@example.org").await;
    let administrator = roundtable_domain::Role::Administrator;
    roundtable_store::networks::upsert_membership(&mut tx, eas.id, it_id, administrator, active, chrono::Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    import(db, FILE.as_bytes(), apply()).await;
    let without_bea = FILE.lines().filter(|l| !l.starts_with("bea@")).collect::<Vec<_>>().join("\r\n");
    // Through the pages, so the importer is the signed-in admin.
    let preview = post(&app, &admin, "/admin/import/preview", &without_bea, &[("deactivate_missing", "true")]).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let html = body(preview).await;
    assert!(
        html.contains("bea@example.org") && html.contains("carl@example.org"),
        "the preview lists who would be deactivated"
    );
    assert!(html.contains("1 administrator is not in the file"), "{html}");
    assert!(
        html.contains("This import deactivates organisers of networks: Carl Leaver (Chair of Network eas). Network eas will have no active Chair until an organisation administrator names one."),
        "{html}"
    );
    assert!(user(db, "bea@example.org").await.unwrap().deactivated_at.is_none(), "a preview changes nothing");
    let done = post(&app, &admin, "/admin/import/apply", &without_bea, &[("deactivate_missing", "true")]).await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(body(done).await.contains("Import done"));
    for gone in ["bea@example.org", "carl@example.org"] {
        assert!(user(db, gone).await.unwrap().deactivated_at.is_some(), "{gone} is deactivated");
    }
    for kept in ["admin@example.org", "it@example.org", "ann@example.org"] {
        assert!(user(db, kept).await.unwrap().deactivated_at.is_none(), "{kept} stays active");
    }
    assert_eq!(carl.get(app.at("/account")).send().await.unwrap().status(), StatusCode::SEE_OTHER, "signed out");
    let told = app.emails_to("admin@example.org").await;
    assert!(told.iter().any(|m| m.contains("Subject: Carl Leaver no longer organises Network eas")), "{told:?}");
    // Back in the file later: the account stays deactivated, and the preview says so.
    let r = import(db, FILE.as_bytes(), Options { dry_run: true, ..apply() }).await;
    let bea = r.outcomes.iter().find(|o| o.email == "bea@example.org").unwrap();
    assert!(bea.note.as_deref().is_some_and(|n| n.contains("stays")));
    assert!(r.notes.iter().any(|n| n.contains("One person in the file has a deactivated account")), "{:?}", r.notes);
    // The way back from a mistaken deactivation: the full file again, with "reactivate".
    let with_carl = format!("{FILE}carl@example.org,Carl Leaver,,,,,,,,,,,,\r\n");
    let preview = post(&app, &admin, "/admin/import/preview", &with_carl, &[("reactivate", "true")]).await;
    let html = body(preview).await;
    assert!(html.contains("To reactivate") && html.contains("account reactivated"), "{html}");
    assert!(user(db, "carl@example.org").await.unwrap().deactivated_at.is_some(), "a preview changes nothing");
    let done = body(post(&app, &admin, "/admin/import/apply", &with_carl, &[("reactivate", "true")]).await).await;
    assert!(done.contains("Reactivated"), "{done}");
    for back in ["bea@example.org", "carl@example.org"] {
        assert!(user(db, back).await.unwrap().deactivated_at.is_none(), "{back} is active again");
    }
    let carl = app.sign_in("carl@example.org").await;
    assert_eq!(carl.get(app.at("/account")).send().await.unwrap().status(), StatusCode::OK, "Carl signs in again");
    // Back as the network's Chair: its Administrator is told.
    let told = app.emails_to("it@example.org").await;
    assert!(told.iter().any(|m| m.contains("Subject: Carl Leaver is back as Chair of Network eas")), "{told:?}");
    // Carl is not written to: an import emails no one in its file.
    assert!(!app.emails_to("carl@example.org").await.iter().any(|m| m.contains("active again")));
    let (log, _) = audit::page(db, 20, 0).await.unwrap();
    assert!(
        log.iter().any(|e| e.action == "person.reactivated"
            && e.subject == "carl@example.org"
            && e.detail.contains("hr.csv")),
        "each reactivation is in the audit log"
    );
    // An administrator's account is never brought back by an import (the right would come with
    // it): it stays deactivated, and the row says why.
    let it = app.user_id("it@example.org").await;
    let r = admin.post(app.at(&format!("/admin/people/{it}/active"))).form(&[("value", "false")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let with_it = format!("{with_carl}it@example.org,IT Admin,,,,,,,,,,,,\r\n");
    let r = import(db, with_it.as_bytes(), Options { reactivate: true, ..apply() }).await;
    let row = r.outcomes.iter().find(|o| o.email == "it@example.org").unwrap();
    assert!(row.note.as_deref().is_some_and(|n| n.contains("never reactivates an administrator")), "{row:?}");
    assert!(user(db, "it@example.org").await.unwrap().deactivated_at.is_some());
    // Once active, the same file changes nothing more.
    let again = import(db, with_carl.as_bytes(), Options { reactivate: true, dry_run: true, ..apply() }).await;
    assert!(again.reactivations.is_empty() && again.updated == 0, "{}", again.summary());
}

/// Posts a step of the import pages as the browser would, with the file text carried in the
/// hidden field and the columns chosen in order of the file's header.
async fn post(app: &TestApp, c: &reqwest::Client, path: &str, csv: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let header = csv.lines().next().unwrap_or("");
    let mut form = Form::new().text("csv", csv.to_owned()).text("file_name", "hr.csv").text("encoding", "UTF-8");
    for (i, h) in header.split([',', ';']).enumerate() {
        form = form.text(format!("map_{}", h.trim()), i.to_string());
    }
    for (k, v) in extra {
        form = form.text(k.to_string(), v.to_string());
    }
    c.post(app.at(path)).multipart(form).send().await.unwrap()
}

async fn the_pages_walk_through_upload_columns_preview_and_import(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let db = &app.state.db;
    let page = body(admin.get(app.at("/admin/import")).send().await.unwrap()).await;
    assert!(page.contains("enctype=\"multipart/form-data\"") && page.contains("<label for=\"f-file\">"));
    let template = admin.get(app.at("/admin/import/template.csv")).send().await.unwrap();
    assert_eq!(template.status(), StatusCode::OK);
    assert!(body(template).await.starts_with("\u{feff}email,name,"));
    // Upload: HR's own header names are matched to our fields.
    let hr = "Work Email;Display Name;Position;Line Manager;Employee ID\r\nann@example.org;Ann Assistant;Executive Assistant;;E1\r\nbea@example.org;Bea Peer;Team Assistant;ann@example.org;E2\r\n";
    let file = Part::bytes(hr.as_bytes().to_vec()).file_name("hr.csv").mime_str("text/csv").unwrap();
    let r = admin.post(app.at("/admin/import/upload")).multipart(Form::new().part("file", file)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = body(r).await;
    for (field, index) in [("email", 0), ("name", 1), ("job_title", 2), ("manager_email", 3)] {
        let select = html
            .split(&format!("name=\"map_{field}\""))
            .nth(1)
            .unwrap_or_default()
            .split("</select>")
            .next()
            .unwrap_or_default();
        assert!(
            select.contains(&format!("<option value=\"{index}\" selected>")),
            "{field} should be pre-filled with column {index}: {select}"
        );
    }
    assert!(
        html.contains("separated by semicolons") && html.contains("<th scope=\"col\">Employee ID (column E)</th>"),
        "{html}"
    );
    // Pasted text with no email column chosen: the mapping page asks for it.
    let r = admin
        .post(app.at("/admin/import/preview"))
        .multipart(Form::new().text("csv", hr.to_owned()).text("encoding", "UTF-8").text("map_name", "1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r).await;
    assert!(page.contains("Choose which column holds the email address"), "{page}");
    // Said by the email select too, and the summary links to it.
    assert!(page.contains(r##"<a href="#f-email">Choose which column"##), "{page}");
    assert!(page.contains(r#"id="f-email-error""#) && page.contains(r#"aria-describedby="f-email-error"#), "{page}");
    // A workbook instead of CSV.
    let xlsx = Part::bytes(b"PK\x03\x04rest".to_vec()).file_name("hr.xlsx");
    let r = admin.post(app.at("/admin/import/upload")).multipart(Form::new().part("file", xlsx)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(
        html.contains("error-summary") && html.contains("Excel workbook") && html.contains("aria-invalid=\"true\"")
    );
    // Preview then import, with "add everyone to eas".
    let csv = "email,name,job_title,manager_email\r\nann@example.org,Ann Assistant,Executive Assistant,\r\nbea@example.org,Bea Peer,Team Assistant,ann@example.org\r\n";
    let r = post(&app, &admin, "/admin/import/preview", csv, &[("network", "eas")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = body(r).await;
    assert!(html.contains("<dt>New people</dt><dd>2</dd>") && html.contains(">Import</button>"), "{html}");
    assert!(html.contains("<th scope=\"row\" data-label=\"Line\">3</th>"), "rows are named by their line");
    assert!(user(db, "ann@example.org").await.is_none(), "a preview imports nothing");
    let r = post(&app, &admin, "/admin/import/apply", csv, &[("network", "eas")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(body(r).await.contains("<dt>Created</dt><dd>2</dd>"));
    let eas = networks::by_slug(db, "eas").await.unwrap().unwrap();
    let bea = user(db, "bea@example.org").await.unwrap();
    let m = networks::membership(db, eas.id, bea.id).await.unwrap().unwrap();
    assert_eq!((m.role.as_str(), m.status.as_str()), ("member", "active"));
    let (log, _) = audit::page(db, 10, 0).await.unwrap();
    let entry = log.iter().find(|e| e.action == "members.imported").unwrap();
    assert_eq!((entry.actor_name.as_str(), entry.subject.as_str()), ("Ada Admin", "hr.csv"));
    assert!(entry.detail.contains("2 created"));
    // Someone invited to chair the network stays invited when the file adds them: the role is
    // theirs to accept, not the import's to give (one invited as a member simply joins).
    for (email, role) in [("cho@example.org", "chair"), ("dan@example.org", "member")] {
        let r = admin.post(app.at("/n/eas/invite")).form(&[("email", email), ("role", role)]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let invited = "email,name\r\ncho@example.org,Cho Chair\r\ndan@example.org,Dan Member\r\n";
    assert_eq!(
        post(&app, &admin, "/admin/import/apply", invited, &[("network", "eas")]).await.status(),
        StatusCode::OK
    );
    for (email, want) in [("cho@example.org", ("chair", "invited")), ("dan@example.org", ("member", "active"))] {
        let u = user(db, email).await.unwrap();
        let m = networks::membership(db, eas.id, u.id).await.unwrap().unwrap();
        assert_eq!((m.role.as_str(), m.status.as_str()), want, "{email}");
    }
    // A change previewed says what it changes from and to.
    let promoted = "email,name,job_title\r\nann@example.org,Ann Assistant,Senior Executive Assistant\r\n";
    let html = body(post(&app, &admin, "/admin/import/preview", promoted, &[]).await).await;
    assert!(html.contains("Changes: job title (“Executive Assistant” → “Senior Executive Assistant”)."), "{html}");
    // Errors: the apply step refuses, shows the errors again and offers the valid rows only.
    let bad = "email,name,start_date\r\ncal@example.org,Cal,2020-13-01\r\ndee@example.org,Dee,\r\n";
    let r = post(&app, &admin, "/admin/import/apply", bad, &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(
        html.contains("1 row has errors")
            && html.contains("Import the valid rows only")
            && html.contains("<th scope=\"row\" data-label=\"Line\">2</th>"),
        "{html}"
    );
    assert!(user(db, "dee@example.org").await.is_none());
    let r = post(&app, &admin, "/admin/import/apply", bad, &[("valid_rows_only", "true")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(user(db, "dee@example.org").await.is_some() && user(db, "cal@example.org").await.is_none());
    // An unknown "add everyone to" network is refused on the mapping page.
    let r = post(&app, &admin, "/admin/import/preview", csv, &[("network", "nope")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("No network has the address"));
}

async fn the_export_opens_in_excel_neutralises_formulas_and_round_trips(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let db = &app.state.db;
    import(db, FILE.as_bytes(), apply()).await;
    // Bea keeps her level for organisers only; an org admin still sees it.
    let bea = app.sign_in_as_imported("bea@example.org").await;
    let r = bea
        .post(app.at("/profile"))
        .form(&[
            ("time_zone", "America/New_York"),
            ("job_title", "Team Assistant"),
            ("department", "Legal"),
            ("location", "10/11 New York"),
            ("level", "1-2"),
            ("years_experience", "2"),
            ("skills", "Minute taking"),
            ("start_date", "2023-05-01"),
            ("manager_email", "ann@example.org"),
            ("audience_level", "organisers"),
            ("audience_manager", "organisers"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // A link on another site cannot start the download (nor put an export in the audit log).
    let exported = || async {
        roundtable_store::audit::page(db, 1000, 0)
            .await
            .unwrap()
            .0
            .iter()
            .filter(|e| e.action == "members.exported")
            .count()
    };
    let before = exported().await;
    for site in ["cross-site", "same-site"] {
        let r = admin.get(app.at("/admin/export/members.csv")).header("sec-fetch-site", site).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{site}");
    }
    assert_eq!(exported().await, before, "nothing exported");
    // From the Export page (the browser says same-origin), or typed in the address bar (none).
    let r =
        admin.get(app.at("/admin/export/members.csv")).header("sec-fetch-site", "same-origin").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(exported().await, before + 1);
    let r = admin.get(app.at("/admin/export/members.csv")).header("sec-fetch-site", "none").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFemail,name,preferred_name,job_title"), "UTF-8 with BOM, our header");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'), "CRLF line ends only");
    let bea_row = text.lines().find(|l| l.starts_with("bea@example.org")).unwrap();
    // A level a spreadsheet would take for a date is written as text ("=""1-2""" in CSV).
    assert!(
        bea_row.contains(",\"=\"\"1-2\"\"\",2,")
            && bea_row.contains(",10/11 New York,")
            && bea_row.contains("ann@example.org")
            && bea_row.contains(",2023-05-01,"),
        "org admins see every field: {bea_row}"
    );
    assert!(text.lines().find(|l| l.starts_with("ann@example.org")).unwrap().ends_with(",eas"));

    // Exported, edited nowhere, imported back: nothing changes.
    let r = import(db, &bytes, apply()).await;
    assert_eq!((r.created, r.updated, r.errors.len()), (0, 0, 0), "{:#?} {:#?}", r.errors, r.outcomes);
    // For Excel with French or German settings: semicolons, and it imports back the same.
    let r = admin.get(app.at("/admin/export/members.csv?separator=semicolon")).send().await.unwrap();
    let semicolons = r.bytes().await.unwrap();
    assert!(semicolons.starts_with(b"\xEF\xBB\xBFemail;name;preferred_name;job_title"), "semicolon-separated");
    let r = import(db, &semicolons, apply()).await;
    assert_eq!((r.created, r.updated, r.errors.len()), (0, 0, 0), "{:#?} {:#?}", r.errors, r.outcomes);
    let r = admin.get(app.at("/admin/export/members.csv?separator=tab")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(body(r).await.contains("use comma or semicolon"));

    // One network only; formula-like text is neutralised.
    import(db, b"email,name,job_title,department\r\nevil@example.org,=cmd|' /C calc'!A0,@SUM(A1),-1+1\r\n", apply())
        .await;
    let eas_only = body(admin.get(app.at("/admin/export/members.csv?network=eas")).send().await.unwrap()).await;
    let emails: Vec<&str> = eas_only.lines().skip(1).filter_map(|l| l.split(',').next()).collect();
    assert_eq!(emails, ["ann@example.org", "bea@example.org"], "{eas_only}");
    let all = body(admin.get(app.at("/admin/export/members.csv")).send().await.unwrap()).await;
    let evil = all.lines().find(|l| l.starts_with("evil@example.org")).unwrap();
    assert!(evil.contains("'=cmd|") && evil.contains("'@SUM(A1)") && evil.contains("'-1+1"), "{evil}");
    assert_eq!(
        admin.get(app.at("/admin/export/members.csv?network=nope")).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let (log, _) = audit::page(db, 20, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "members.exported" && e.subject == "eas"));
    // Deactivated people are left out.
    import(db, FILE.as_bytes(), Options { deactivate_missing: true, ..apply() }).await;
    let all = body(admin.get(app.at("/admin/export/members.csv")).send().await.unwrap()).await;
    assert!(!all.contains("evil@example.org"));
    // Each person the file deactivated is in the audit log, with why.
    let (log, _) = audit::page(db, 50, 0).await.unwrap();
    let entry = log.iter().find(|e| e.action == "person.deactivated" && e.subject == "evil@example.org");
    assert!(entry.is_some_and(|e| e.detail.contains("not in the file")), "{log:?}");
    // Unless asked for, to check against HR: then with a status column an import reads back.
    let r = admin.get(app.at("/admin/export/members.csv?include_deactivated=true")).send().await.unwrap();
    let with_leavers = r.bytes().await.unwrap();
    let text = std::str::from_utf8(&with_leavers[3..]).unwrap();
    assert!(text.lines().next().unwrap().ends_with(",networks,status"), "{text}");
    let evil = text.lines().find(|l| l.starts_with("evil@example.org")).unwrap();
    assert!(evil.ends_with(",Inactive"), "{evil}");
    assert!(text.lines().find(|l| l.starts_with("ann@example.org")).unwrap().ends_with(",eas,Active"));
    let r = import(db, &with_leavers, apply()).await;
    assert_eq!((r.created, r.updated, r.deactivated, r.errors.len()), (0, 0, 0, 0), "{:#?}", r.errors);
    assert!(user(db, "evil@example.org").await.unwrap().deactivated_at.is_some(), "read back: still deactivated");
    let (log, _) = audit::page(db, 5, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "members.exported" && e.detail.ends_with("deactivated included")));
}

async fn only_org_admins_may_import_or_export(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let member = app.user("member@example.org", "Mo Member").await;
    let db = &app.state.db;
    let before = count(db).await;
    let csv = "email,name\r\nsneaky@example.org,Sneaky\r\n";
    for path in [
        "/admin/import",
        "/admin/import/template.csv",
        "/admin/export",
        "/admin/export/members.csv",
        "/admin/export/members.csv?network=eas",
    ] {
        let r = member.get(app.at(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "GET {path}");
        let anon = app.client().get(app.at(path)).send().await.unwrap();
        assert_eq!(anon.status(), StatusCode::SEE_OTHER, "anonymous GET {path} goes to sign in");
    }
    for path in ["/admin/import/upload", "/admin/import/preview", "/admin/import/apply"] {
        let r = post(&app, &member, path, csv, &[]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "POST {path}");
        let file = Part::bytes(csv.as_bytes().to_vec()).file_name("x.csv");
        let r = member.post(app.at(path)).multipart(Form::new().part("file", file)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "POST {path} with a file");
    }
    assert_eq!(count(db).await, before, "nothing imported");
    let (log, _) = audit::page(db, 20, 0).await.unwrap();
    assert!(!log.iter().any(|e| e.action.starts_with("members.")));
}

trait SignInImported {
    async fn sign_in_as_imported(&self, email: &str) -> reqwest::Client;
}

impl SignInImported for TestApp {
    /// Imported people have no password: give one from the console, as "forgot password" would.
    async fn sign_in_as_imported(&self, email: &str) -> reqwest::Client {
        roundtable_app::admin::console::reset_password(&self.state.db, email, support::PASSWORD).await.unwrap();
        self.sign_in(email).await
    }
}

async fn a_large_file_is_written_in_batches_and_stays_idempotent(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let db = &app.state.db;
    // 2,500 people (several batches), each managed by the next row, so every manager is created
    // in a later batch than some of their reports.
    let n = 2500;
    let mut csv = String::from("email,name,skills,manager_email,networks\r\n");
    for i in 0..n {
        let mgr = if i + 1 < n { format!("p{}@example.org", i + 1) } else { String::new() };
        csv.push_str(&format!("p{i}@example.org,Person {i},Skill {}; Skill {},{mgr},eas\r\n", i % 7, i % 11));
    }
    let steps = std::sync::Mutex::new(Vec::new());
    let progress = |_: roundtable_app::import::Stage, done: u64, total: u64| steps.lock().unwrap().push((done, total));
    let (_, _, r) = console::import(db, csv.as_bytes(), "big.csv", None, &apply(), &progress).await.unwrap();
    assert_eq!((r.created, r.errors.len()), (n, 0));
    let steps = steps.into_inner().unwrap();
    assert!(
        steps.len() > 5 && steps.last().is_some_and(|(d, t)| d == t),
        "progress is reported batch by batch: {steps:?}"
    );
    assert_eq!(count(db).await, n as i64 + 1);
    let first = user(db, "p0@example.org").await.unwrap();
    let p1 = user(db, "p1@example.org").await.unwrap();
    assert_eq!(profiles::get(db, first.id).await.unwrap().unwrap().manager_id, Some(p1.id));
    assert_eq!(networks::by_slug(db, "eas").await.unwrap().unwrap().member_count, n as i64);
    let again = import(db, csv.as_bytes(), apply()).await;
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, n));

    // The preview of a file mostly unchanged lists the one change, deep in the file, and only
    // counts the rows that change nothing.
    let changed = csv.replace("p2400@example.org,Person 2400,", "p2400@example.org,Person Twenty-Four Hundred,");
    let html = body(post(&app, &admin, "/admin/import/preview", &changed, &[]).await).await;
    let row = |email: &str| format!("<td data-label=\"Email\">{email}</td>");
    assert!(html.contains(&row("p2400@example.org")) && html.contains("“Person Twenty-Four Hundred”"), "listed");
    assert!(html.contains("2499 rows change nothing and are not listed."), "unchanged rows are counted");
    assert!(!html.contains(&row("p2399@example.org")) && !html.contains("counted above"), "and not listed");
}

/// On PostgreSQL a profile being saved while an import waits for people's tables deadlocks with
/// it; PostgreSQL rolls back the import (it waited first), which reads everything again and
/// succeeds once the save has committed — both changes kept, no error shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_rolled_back_to_end_a_deadlock_tries_again_on_postgres() {
    let app = TestApp::spawn(Dialect::Postgres).await;
    app.setup().await;
    let db = app.state.db.clone();
    import(&db, b"email,name,job_title\r\nann@example.org,Ann Able,Clerk\r\n", apply()).await;
    let ann = user(&db, "ann@example.org").await.unwrap().id;
    // A save in progress: it has written Ann's profile, and will write her account next.
    let mut save = db.begin().await.unwrap();
    let pronouns = "UPDATE profiles SET pronouns = 'she/her' WHERE user_id = $1";
    save.write(pronouns, roundtable_store::params![ann]).await.unwrap();
    let importing = tokio::spawn({
        let db = db.clone();
        async move {
            let file = b"email,name,job_title\r\nann@example.org,Ann Able,Head Clerk\r\n";
            console::import(&db, file, "members.csv", None, &apply(), &|_, _, _| {}).await
        }
    });
    // The import now holds the accounts table and waits for the profiles.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let zone = "UPDATE users SET time_zone = 'Europe/Paris' WHERE id = $1";
    save.write(zone, roundtable_store::params![ann]).await.unwrap();
    save.commit().await.unwrap();
    let (_, _, report) = importing.await.unwrap().unwrap();
    assert!(report.applied);
    let p = profile(&db, "ann@example.org").await;
    assert_eq!(
        (p.job_title.as_str(), p.pronouns.as_str(), p.time_zone.as_str()),
        ("Head Clerk", "she/her", "Europe/Paris")
    );
}

async fn a_failure_while_writing_leaves_the_database_unchanged(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    // A trigger makes the tag-writing step fail, after accounts and profiles have been written
    // in the same transaction.
    match d {
        Dialect::Sqlite => {
            db.write("CREATE TRIGGER boom BEFORE INSERT ON profile_tags WHEN NEW.tag = 'Boom' BEGIN SELECT RAISE(ABORT, 'boom'); END", vec![]).await.unwrap();
        }
        Dialect::Postgres => {
            db.write("CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW.tag = 'Boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql", vec![]).await.unwrap();
            db.write("CREATE TRIGGER boom BEFORE INSERT ON profile_tags FOR EACH ROW EXECUTE FUNCTION boom()", vec![])
                .await
                .unwrap();
        }
    }
    import(db, b"email,name,job_title\r\nold@example.org,Old Timer,Clerk\r\n", apply()).await;
    let before = count(db).await;
    let file = "email,name,job_title,skills\r\nold@example.org,Old Timer,Head Clerk,\r\nnew@example.org,New Person,Assistant,Excel\r\nlast@example.org,Last,Assistant,Boom\r\n";
    let err = console::import(db, file.as_bytes(), "members.csv", None, &apply(), &|_, _, _| {}).await.unwrap_err();
    assert!(format!("{err:#}").contains("nothing was imported") && format!("{err:#}").contains("boom"), "{err:#}");
    assert_eq!(count(db).await, before, "no account was created");
    assert!(user(db, "new@example.org").await.is_none());
    assert_eq!(profile(db, "old@example.org").await.job_title, "Clerk", "the update was rolled back too");
    let (log, _) = audit::page(db, 10, 0).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "members.imported").count(), 1, "only the first import is in the log");
}

async fn the_rows_with_errors_download_as_csv_to_fix_in_excel_and_import_again(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let db = &app.state.db;
    // Line 2 has two problems, line 3 is fine, line 4 has a formula in its name and a bad zone.
    let csv = "email,name,start_date,time_zone\r\ncal@example.org,Cal Clerk,2020-13-01,Mars/Olympus\r\ndee@example.org,Dee Desk,,\r\neve@example.org,=HYPERLINK(\"http://evil\"),,Nowhere/Land\r\n";
    let r = post(&app, &admin, "/admin/import/preview", csv, &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = body(r).await;
    assert!(
        html.contains("Download the rows with errors (CSV)") && html.contains("action=\"/admin/import/errors.csv\""),
        "{html}"
    );
    let r = post(&app, &admin, "/admin/import/errors.csv", csv, &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(r.headers()["content-disposition"], "attachment; filename=\"hr-errors.csv\"");
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a BOM, for Excel");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut rows = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    let rows: Vec<Vec<String>> = rows.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    assert_eq!(
        rows[0],
        [
            "email",
            "name",
            "start_date",
            "time_zone",
            "Line in your file",
            "Column with the problem",
            "What is wrong",
            "How to fix it"
        ]
    );
    assert_eq!(rows.len(), 3, "the header and the two rows with errors, not the valid one: {rows:?}");
    assert_eq!(rows[1][..5], ["cal@example.org", "Cal Clerk", "2020-13-01", "Mars/Olympus", "2"]);
    assert_eq!(rows[1][5], "time_zone (column D)\nstart_date (column C)", "one row, one line per problem");
    assert!(
        rows[1][6].contains("“Mars/Olympus” is not a time zone we know.") && rows[1][6].contains("not a real date")
    );
    assert!(rows[1][7].contains("Europe/London") && rows[1][7].contains("2024-03-31"), "each problem has its fix");
    assert_eq!(rows[2][1], "'=HYPERLINK(\"http://evil\")", "a formula is neutralised");
    assert_eq!(rows[2][4], "4", "the line in the original file");
    assert!(text.ends_with("\r\n") && text.matches("\r\n").count() == 3, "CRLF after each row; LF inside a cell");
    assert!(
        user(db, "cal@example.org").await.is_none() && user(db, "dee@example.org").await.is_none(),
        "nothing imported"
    );

    // Fixed in Excel (the dates and zones corrected, the formula cell replaced) and uploaded as a
    // file: the extra columns are left unused and both rows import.
    let fixed = text
        .replace("2020-13-01", "2020-12-01")
        .replace("Mars/Olympus", "Europe/Paris")
        .replace("Nowhere/Land", "Europe/Rome")
        .replace("\"'=HYPERLINK(\"\"http://evil\"\")\"", "Eve Evans");
    let file =
        Part::bytes(format!("\u{feff}{fixed}").into_bytes()).file_name("hr-errors.csv").mime_str("text/csv").unwrap();
    let r = admin.post(app.at("/admin/import/upload")).multipart(Form::new().part("file", file)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = body(r).await;
    assert!(html.contains("<th scope=\"col\">Line in your file (column E)</th>"), "{html}");
    let r = post(&app, &admin, "/admin/import/apply", &fixed, &[]).await;
    let html = body(r).await;
    assert!(html.contains("<dt>Created</dt><dd>2</dd>") && html.contains("Columns not used"), "{html}");
    assert_eq!(profile(db, "cal@example.org").await.time_zone, "Europe/Paris");
    assert_eq!(profile(db, "eve@example.org").await.name, "Eve Evans");

    // After importing the valid rows only, the done page still offers the skipped rows.
    let bad = "email,name,start_date\r\nfay@example.org,Fay,31/02/2020\r\ngus@example.org,Gus,\r\n";
    let html = body(post(&app, &admin, "/admin/import/apply", bad, &[("valid_rows_only", "true")]).await).await;
    assert!(html.contains("Import done") && html.contains("Download the rows with errors (CSV)"), "{html}");
    let r = post(&app, &admin, "/admin/import/errors.csv", bad, &[]).await;
    let text = body(r).await;
    assert!(text.contains("fay@example.org") && !text.contains("gus@example.org"), "{text}");
    // A semicolon file (French or German Excel) gets its errors back with semicolons.
    let r = post(&app, &admin, "/admin/import/errors.csv", &bad.replace(',', ";"), &[]).await;
    let text = body(r).await;
    assert!(text.starts_with("\u{feff}email;name;start_date;"), "{text}");
    assert!(text.contains("fay@example.org;Fay;31/02/2020;"), "{text}");
    // A file without errors (any more) shows the preview instead of an empty download.
    let r = post(&app, &admin, "/admin/import/errors.csv", "email,name\r\nhal@example.org,Hal\r\n", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(body(r).await.contains("Check before importing"));
    // Members may not.
    let member = app.user("member@example.org", "Mo Member").await;
    assert_eq!(post(&app, &member, "/admin/import/errors.csv", bad, &[]).await.status(), StatusCode::FORBIDDEN);
}

/// The person with this employee id, if any.
async fn by_employee_id(db: &Db, id: &str) -> Option<users::User> {
    let uid = roundtable_store::import::by_employee_id(db, id).await.unwrap()?;
    users::by_id(db, uid).await.unwrap()
}

async fn an_employee_id_match_updates_the_email_instead_of_making_a_duplicate(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let db = &app.state.db;
    let hr = "Employee Number,Work Email,Display Name,Line Manager,networks\r\n\
000123,ann.smith@example.org,Ann Smith,,eas\r\n\
E2,bea@example.org,Bea Peer,ann.smith@example.org,eas\r\n";
    let r = import(db, hr.as_bytes(), apply()).await;
    assert_eq!((r.created, r.errors.len()), (2, 0), "{:?}", r.errors);
    let ann = by_employee_id(db, "000123").await.expect("stored as given, leading zeros kept");
    assert_eq!(ann.email, "ann.smith@example.org");
    assert_eq!(profile(db, "bea@example.org").await.manager_id, Some(ann.id));
    // Ann signs in, then marries: HR changes her name and email. The same person is updated.
    let before = count(db).await;
    roundtable_app::admin::console::reset_password(db, "ann.smith@example.org", support::PASSWORD).await.unwrap();
    let renamed = "Employee Number,Work Email,Display Name,Line Manager,networks\r\n\
000123,ann.jones@example.org,Ann Jones,,eas\r\n\
E2,bea@example.org,Bea Peer,ann.jones@example.org,eas\r\n";
    let preview = import(db, renamed.as_bytes(), Options { dry_run: true, deactivate_missing: true, ..apply() }).await;
    assert_eq!((preview.created, preview.updated, preview.deactivated), (0, 1, 0), "{:#?}", preview.outcomes);
    assert_eq!(preview.outcomes[0].previous_email.as_deref(), Some("ann.smith@example.org"));
    assert_eq!(
        preview.email_changes,
        [("ann.smith@example.org".into(), "ann.jones@example.org".into(), "000123".into())]
    );
    assert_eq!(preview.outcomes[0].changes, ["email", "name"]);
    // The preview page says so before anything happens.
    let one = "email,employee_id,name\r\nann.jones@example.org,000123,Ann Jones\r\n";
    let html = body(post(&app, &admin, "/admin/import/preview", one, &[]).await).await;
    assert!(
        html.contains("Found by employee ID: the email changes from ann.smith@example.org.")
            && html.contains("<dt>Email addresses to change</dt><dd>1 (found by employee ID)</dd>"),
        "{html}"
    );
    let r = import(db, renamed.as_bytes(), Options { deactivate_missing: true, ..apply() }).await;
    assert_eq!((r.created, r.updated, r.deactivated, r.errors.len()), (0, 1, 0, 0));
    assert_eq!(count(db).await, before, "no duplicate account");
    assert!(user(db, "ann.smith@example.org").await.is_none());
    let now = user(db, "ann.jones@example.org").await.unwrap();
    assert_eq!((now.id, now.name.as_str()), (ann.id, "Ann Jones"));
    assert!(now.deactivated_at.is_none(), "found by employee ID, so she is in the file");
    assert!(now.email_verified_at.is_some(), "HR vouches for the new address as for a new person's");
    assert_eq!(profile(db, "bea@example.org").await.manager_id, Some(ann.id), "Bea's manager is still Ann");
    // A file whose Bea row still names Ann's old address (HR updated one row, not the other)
    // means Ann, as it did the first time: the same file twice changes nothing.
    let stale = renamed.replace("Bea Peer,ann.jones@", "Bea Peer,ann.smith@");
    for _ in 0..2 {
        let r = import(db, stale.as_bytes(), apply()).await;
        assert_eq!((r.updated, r.unchanged, r.errors.len()), (0, 2, 0), "{:#?}", r.errors);
    }
    assert_eq!(profile(db, "bea@example.org").await.manager_id, Some(ann.id));
    let eas = networks::by_slug(db, "eas").await.unwrap().unwrap();
    assert!(networks::membership(db, eas.id, ann.id).await.unwrap().is_some(), "memberships stay");
    // She signs in with the new address and her password.
    app.sign_in("ann.jones@example.org").await;
    let (log, _) = audit::page(db, 20, 0).await.unwrap();
    let e = log.iter().find(|e| e.action == "person.email_changed").unwrap();
    assert_eq!(e.subject, "ann.smith@example.org");
    assert!(e.detail.contains("now ann.jones@example.org") && e.detail.contains("000123"), "{}", e.detail);
    // Idempotent: the same file again changes nothing.
    let again = import(db, renamed.as_bytes(), apply()).await;
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2));
    // A known person gets an employee ID they did not have.
    let r = import(db, b"email,employee_id\r\nbea@example.org,E2-NEW\r\n", apply()).await;
    assert_eq!(r.outcomes[0].changes, ["employee ID"]);
    assert_eq!(by_employee_id(db, "E2-NEW").await.unwrap().email, "bea@example.org");
    assert!(by_employee_id(db, "E2").await.is_none());
    // The export carries it, for org admins, and round-trips.
    let csv = body(admin.get(app.at("/admin/export/members.csv")).send().await.unwrap()).await;
    let header = csv.lines().next().unwrap();
    assert!(header.contains(",start_date,employee_id,manager_email,"), "{header}");
    // Written so Excel shows it as text with its zeros (`="000123"`), and read back as `000123`.
    assert!(csv.lines().any(|l| l.starts_with("ann.jones@example.org,") && l.contains(r#","=""000123""","#)), "{csv}");
    let back = import(db, csv.as_bytes(), apply()).await;
    assert_eq!((back.created, back.updated, back.errors.len()), (0, 0, 0), "{:?}", back.outcomes);
}

async fn employee_id_clashes_and_excel_damage_are_row_errors_that_change_nothing(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let db = &app.state.db;
    import(db, b"email,name,employee_id\r\nann@example.org,Ann,E1\r\nbea@example.org,Bea,E2\r\n", apply()).await;
    let before = count(db).await;
    let cases: [(&str, &str, &str); 4] = [
        // Ann's email with Bea's employee ID.
        (
            "email,employee_id\r\nann@example.org,E2\r\n",
            "The employee ID E2 belongs to Bea (bea@example.org), but ann@example.org belongs to Ann.",
            "correct the employee ID, or the email if this row is about Bea",
        ),
        // Two rows with one ID.
        (
            "email,name,employee_id\r\ncy@example.org,Cy,E9\r\ndi@example.org,Di,E9\r\n",
            "The employee ID E9 is also on line 3.",
            "Each person has their own employee ID",
        ),
        // Ann's old and new address in one file.
        (
            "email,employee_id\r\nann@example.org,E1\r\nann.new@example.org,E1\r\n",
            "The employee ID E1 is also on line 3.",
            "Each person has their own employee ID",
        ),
        // What Excel does to long numbers.
        (
            "email,name,employee_id\r\ncy@example.org,Cy,1.23457E+11\r\n",
            "looks like a number Excel shortened into scientific notation",
            "format the column as Text",
        ),
    ];
    for (file, problem, fix) in cases {
        let r = import(db, file.as_bytes(), apply()).await;
        assert!(!r.applied, "{file}");
        let e = r
            .errors
            .iter()
            .find(|e| e.problem.contains(problem))
            .unwrap_or_else(|| panic!("{problem}: {:#?}", r.errors));
        assert!(e.fix.contains(fix) && e.column.contains("employee_id"), "{e:?}");
        assert_eq!(count(db).await, before, "nothing imported: {file}");
    }
    // The old address on one row, the new one with the ID on another (no ID on the first row).
    let r = import(db, b"email,employee_id\r\nann@example.org,\r\nann.new@example.org,E1\r\n", apply()).await;
    let lines: Vec<(u64, &str)> = r.errors.iter().map(|e| (e.line, e.problem.as_str())).collect();
    assert!(
        lines.contains(&(
            3,
            "The employee ID E1 belongs to Ann (ann@example.org), who is also on line 2 with that email."
        )) && lines.iter().any(|(l, p)| *l == 2 && p.contains("Line 3 has this person's employee ID (E1)")),
        "{lines:#?}"
    );
    assert_eq!(user(db, "ann@example.org").await.unwrap().name, "Ann");
    assert!(user(db, "ann.new@example.org").await.is_none());
    assert_eq!(by_employee_id(db, "E1").await.unwrap().email, "ann@example.org");
    // The preview page shows the clash with its fix.
    let html =
        body(post(&app, &admin, "/admin/import/preview", "email,employee_id\r\nann@example.org,E2\r\n", &[]).await)
            .await;
    assert!(html.contains("belongs to Bea (bea@example.org)") && html.contains("employee_id (column B)"), "{html}");
}

async fn employee_ids_are_for_org_admins_only(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let db = &app.state.db;
    import(db, b"email,name,employee_id,networks\r\nann@example.org,Ann Able,EMP-7731,eas\r\nbea@example.org,Bea Bold,,eas\r\n", apply()).await;
    let ann = user(db, "ann@example.org").await.unwrap();
    // The admin People page shows it, and finds people by it.
    let page = body(admin.get(app.at("/admin/people")).send().await.unwrap()).await;
    assert!(
        page.contains("<th scope=\"col\">Employee ID</th>")
            && page.contains(r#"<td data-label="Employee ID">EMP-7731</td>"#),
        "{page}"
    );
    let page = body(admin.get(app.at("/admin/people?q=EMP-7731")).send().await.unwrap()).await;
    assert!(page.contains("Ann Able") && !page.contains("Bea Bold") && page.contains("1 person."), "{page}");
    // Nobody else sees it: not in the directory, a profile, or the API — not even Ann herself.
    let bea = sign_in_imported(&app, "bea@example.org").await;
    let me = sign_in_imported(&app, "ann@example.org").await;
    for c in [&bea, &me] {
        for path in
            ["/people".to_owned(), "/people?network=eas".into(), format!("/people/{}", ann.id), "/n/eas/members".into()]
        {
            let page = body(c.get(app.at(&path)).send().await.unwrap()).await;
            assert!(page.contains("Ann Able") && !page.contains("EMP-7731"), "{path}: {page}");
        }
        let token = app.api_token(c).await;
        let api = reqwest::Client::new();
        for path in ["/api/v1/people".to_owned(), format!("/api/v1/people/{}", ann.id)] {
            let json = body(api.get(app.at(&path)).bearer_auth(&token).send().await.unwrap()).await;
            assert!(json.contains("Ann Able") && !json.contains("EMP-7731"), "{path}: {json}");
        }
    }
    assert_eq!(bea.get(app.at("/admin/people")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    // Erasing Ann removes the key too: a later row with it creates a new person, not Ann again.
    let r = admin
        .post(app.at(&format!("/admin/people/{}/erase", ann.id)))
        .form(&[("confirm", "ERASE")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(by_employee_id(db, "EMP-7731").await.is_none());
    let r = import(db, b"email,name,employee_id\r\nann.b@example.org,Ann Brand-New,EMP-7731\r\n", apply()).await;
    assert_eq!((r.created, r.updated, r.errors.len()), (1, 0, 0), "{:?}", r.errors);
    let new = by_employee_id(db, "EMP-7731").await.unwrap();
    assert!(new.id != ann.id && new.email == "ann.b@example.org", "a new person holds the key now");
    assert_eq!(users::by_id(db, ann.id).await.unwrap().unwrap().name, "Former member");
}

async fn sign_in_imported(app: &TestApp, email: &str) -> reqwest::Client {
    roundtable_app::admin::console::reset_password(&app.state.db, email, support::PASSWORD).await.unwrap();
    app.sign_in(email).await
}

async fn a_value_like_minus_finance_survives_the_error_file_round_trip(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let db = &app.state.db;
    let csv = "email,name,department,start_date\r\ncal@example.org,Cal Clerk,-Finance,2020-13-01\r\n";
    let r = post(&app, &admin, "/admin/import/errors.csv", csv, &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = body(r).await;
    assert!(text.contains(",'-Finance,"), "neutralised for Excel: {text}");
    // Fixed (the date only) and imported again: the department is what the person typed.
    let fixed = text.trim_start_matches('\u{feff}').replace("2020-13-01", "2020-12-01");
    let html = body(post(&app, &admin, "/admin/import/apply", &fixed, &[]).await).await;
    assert!(html.contains("<dt>Created</dt><dd>1</dd>"), "{html}");
    assert_eq!(profile(db, "cal@example.org").await.department, "-Finance");
    // And the members export of it imports back unchanged.
    let export = body(admin.get(app.at("/admin/export/members.csv")).send().await.unwrap()).await;
    assert!(export.contains(",'-Finance,"), "{export}");
    let back = import(db, export.as_bytes(), apply()).await;
    assert_eq!((back.created, back.updated, back.errors.len()), (0, 0, 0), "{:?}", back.outcomes);
    assert_eq!(profile(db, "cal@example.org").await.department, "-Finance");
}

async fn an_employee_id_match_is_counted_once_and_pages_stay_full(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let db = &app.state.db;
    // 50 people whose email matches "e100" (a full page) and Zed, whose employee ID is E100.
    let mut csv = "email,name,employee_id\r\n".to_owned();
    for i in 0..50 {
        csv.push_str(&format!("e100.{i:02}@example.org,Person {i:02},\r\n"));
    }
    csv.push_str("zed@example.org,Zed Zero,E100\r\n");
    assert_eq!(import(db, csv.as_bytes(), apply()).await.created, 51);
    let rows = |page: &str| page.matches("name=\"confirm\"").count();
    let one = body(admin.get(app.at("/admin/people?q=E100")).send().await.unwrap()).await;
    assert!(one.contains("51 people."), "{one}");
    assert_eq!(rows(&one), 50, "a page holds 50 people");
    let zed_first = one.find("Zed Zero").unwrap();
    assert!(zed_first < one.find("Person 00").unwrap(), "the employee-ID match comes first");
    let two = body(admin.get(app.at("/admin/people?q=E100&page=2")).send().await.unwrap()).await;
    assert_eq!(rows(&two), 1, "{two}");
    assert!(!two.contains("Zed Zero") && two.contains("Person 49"), "nobody twice, nobody lost: {two}");
}

/// Stored start dates by email.
async fn start_dates(db: &Db, emails: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for e in emails {
        out.push(profile(db, e).await.start_date);
    }
    out
}

async fn an_excel_us_round_trip_keeps_start_dates_month_first(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let db = &app.state.db;
    let iso = "email,name,start_date\r\nann@example.org,Ann,2019-02-11\r\nbea@example.org,Bea,2019-01-26\r\ncy@example.org,Cy,2020-03-04\r\n";
    assert_eq!(import(db, iso.as_bytes(), apply()).await.created, 3);
    // Opened and saved by Excel set up for the United States.
    let us = "email,name,start_date\r\nann@example.org,Ann,2/11/2019\r\nbea@example.org,Bea,1/26/2019\r\ncy@example.org,Cy,3/4/2020\r\n";
    let r = import(db, us.as_bytes(), apply()).await;
    assert_eq!((r.updated, r.unchanged, r.errors.len()), (0, 3, 0), "{:#?}", r.errors);
    assert_eq!(
        r.date_note.as_deref(),
        Some("Dates such as 2/11/2019 were read as month/day/year, as “1/26/2019” on line 3 shows.")
    );
    let all = ["ann@example.org", "bea@example.org", "cy@example.org"];
    assert_eq!(start_dates(db, &all).await, ["2019-02-11", "2019-01-26", "2020-03-04"]);
    // The preview says how the dates were read.
    let html = body(post(&app, &admin, "/admin/import/preview", us, &[]).await).await;
    assert!(html.contains("<dt>Dates</dt><dd>Dates such as 2/11/2019 were read as month/day/year"), "{html}");
}

async fn a_day_first_file_is_read_day_first(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    let file = "email;name;start_date\nann@example.org;Ann;11/02/2019\nbea@example.org;Bea;26.01.2019\ncy@example.org;Cy;4/3/2020\n";
    let r = import(db, file.as_bytes(), apply()).await;
    assert_eq!((r.created, r.errors.len()), (3, 0), "{:#?}", r.errors);
    assert!(r.date_note.unwrap().contains("day/month/year, as “26.01.2019” on line 3 shows"));
    let all = ["ann@example.org", "bea@example.org", "cy@example.org"];
    assert_eq!(start_dates(db, &all).await, ["2019-02-11", "2019-01-26", "2020-03-04"]);
}

async fn an_ambiguous_file_refuses_its_slash_dates(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    let before = count(db).await;
    let file = "email,name,start_date\r\nann@example.org,Ann,2/11/2019\r\nbea@example.org,Bea,2019-01-26\r\ncy@example.org,Cy,5/5/2020\r\ndi@example.org,Di,3/4/2020\r\n";
    let r = import(db, file.as_bytes(), apply()).await;
    assert!(!r.applied);
    assert_eq!(r.error_lines, [2, 5], "ISO dates and 5/5/2020 read the same either way: {:#?}", r.errors);
    let e = &r.errors[0];
    assert_eq!(e.column, "start_date (column C)");
    assert_eq!(
        e.problem,
        "“2/11/2019” could be 2 November 2019 or 11 February 2019: no date in this file has a part over 12 to show whether it writes day/month or month/day."
    );
    assert!(e.fix.starts_with("Write it as YYYY-MM-DD: 2019-11-02 or 2019-02-11."), "{}", e.fix);
    assert_eq!(count(db).await, before, "nothing imported");
    // The valid rows only: the ISO date and the one that reads the same either way.
    let r = import(db, file.as_bytes(), Options { valid_rows_only: true, ..apply() }).await;
    assert_eq!(r.created, 2);
    assert_eq!(start_dates(db, &["bea@example.org", "cy@example.org"]).await, ["2019-01-26", "2020-05-05"]);
    assert!(user(db, "ann@example.org").await.is_none());
}

async fn a_file_mixing_date_orders_flags_the_rows_against_most_of_it(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    let file = "email,name,start_date\r\nann@example.org,Ann,26/01/2019\r\nbea@example.org,Bea,13/03/2020\r\ncy@example.org,Cy,1/26/2019\r\ndi@example.org,Di,2/11/2019\r\n";
    let r = import(db, file.as_bytes(), Options { valid_rows_only: true, ..apply() }).await;
    assert_eq!(r.error_lines, [4, 5], "{:#?}", r.errors);
    assert_eq!(
        r.errors[0].problem,
        "“1/26/2019” is month/day/year (26 cannot be a month), but most dates in this file are day/month/year, like “26/01/2019” on line 2."
    );
    assert!(r.errors[0].fix.contains("if it is 26 January 2019, write 2019-01-26"), "{}", r.errors[0].fix);
    assert!(
        r.errors[1].problem.contains("could be 2 November 2019 or 11 February 2019: this file writes dates both ways"),
        "{}",
        r.errors[1].problem
    );
    assert_eq!(r.date_note, None);
    assert_eq!(start_dates(db, &["ann@example.org", "bea@example.org"]).await, ["2019-01-26", "2020-03-13"]);
    assert!(user(db, "cy@example.org").await.is_none() && user(db, "di@example.org").await.is_none());
}

async fn an_employee_id_that_lost_its_leading_zeros_keeps_the_stored_one(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let db = &app.state.db;
    let hr = "email,name,employee_id\r\nann@example.org,Ann,001010\r\nbea@example.org,Bea,1020\r\n";
    assert_eq!(import(db, hr.as_bytes(), apply()).await.created, 2);
    // Excel saved 001010 as 1010: Ann is unchanged and keeps 001010, and the row says so.
    let excel = "email,name,employee_id\r\nann@example.org,Ann,1010\r\nbea@example.org,Bea,1020\r\n";
    let r = import(db, excel.as_bytes(), apply()).await;
    assert_eq!((r.updated, r.unchanged, r.errors.len()), (0, 2, 0), "{:#?}", r.outcomes);
    assert_eq!(r.employee_ids_kept, [(2, "1010".to_owned(), "001010".to_owned())]);
    assert_eq!(
        r.outcomes[0].note.as_deref(),
        Some(
            "The file's employee ID 1010 is 001010 without its leading zeros (Excel removes them), so 001010 is kept."
        )
    );
    assert_eq!(by_employee_id(db, "001010").await.unwrap().email, "ann@example.org");
    assert!(by_employee_id(db, "1010").await.is_none());
    let html = body(post(&app, &admin, "/admin/import/preview", excel, &[]).await).await;
    assert!(html.contains("so 001010 is kept.") && html.contains("<dt>Employee IDs kept</dt><dd>1 "), "{html}");
    // A new email with the damaged ID still finds Ann, and her ID stays.
    let renamed = "email,name,employee_id\r\nann.new@example.org,Ann New,1010\r\n";
    let r = import(db, renamed.as_bytes(), apply()).await;
    assert_eq!((r.created, r.updated), (0, 1), "{:#?}", r.errors);
    assert_eq!(r.email_changes, [("ann@example.org".into(), "ann.new@example.org".into(), "001010".into())]);
    assert_eq!(by_employee_id(db, "001010").await.unwrap().email, "ann.new@example.org");
    // Bea's row with Ann's damaged ID is an error, naming both.
    let r = import(db, b"email,employee_id\r\nbea@example.org,01010\r\n", apply()).await;
    assert!(
        r.errors.iter().any(|e| e.problem.starts_with(
            "The employee ID 01010 (001010 without its leading zeros, as Excel saves it) belongs to Ann New"
        )),
        "{:#?}",
        r.errors
    );
    assert_eq!(by_employee_id(db, "1020").await.unwrap().email, "bea@example.org");
    // More zeros than stored: the file restores what an earlier import lost.
    let r = import(db, b"email,employee_id\r\nbea@example.org,001020\r\n", apply()).await;
    assert_eq!(r.outcomes[0].changes, ["employee ID"]);
    assert_eq!(by_employee_id(db, "001020").await.unwrap().email, "bea@example.org");
}

async fn deactivate_missing_is_refused_while_an_email_cannot_be_read(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let db = &app.state.db;
    import(db, FILE.as_bytes(), apply()).await;
    // Everyone is still in the file, but Bea's email was mistyped and Cai's cell is empty; Ann's
    // job title changed.
    let file = FILE
        .replace("bea@example.org,Bea Peer", "bea@@example.org,Bea Peer")
        .replace("cfo@example.org,Cai Finance", ",Cai Finance")
        .replace("Executive Assistant", "Chief of Staff");
    let opts = Options { deactivate_missing: true, valid_rows_only: true, ..apply() };
    let message = refused(db, file.as_bytes(), opts.clone()).await;
    assert!(
        message.contains("cannot be deactivated while 2 rows have no email address that can be read (line 3, empty; line 5, “bea@@example.org”)")
            && message.contains("Nothing was imported and no one was deactivated")
            && message.contains("import without deactivating"),
        "{message}"
    );
    for email in ["bea@example.org", "cfo@example.org"] {
        assert!(user(db, email).await.unwrap().deactivated_at.is_none(), "{email} stays active");
    }
    assert_eq!(profile(db, "ann@example.org").await.job_title, "Executive Assistant", "nothing changed");
    // The dry run says the same.
    let message = refused(db, file.as_bytes(), Options { dry_run: true, ..opts }).await;
    assert!(message.contains("no email address that can be read"), "{message}");
    // So do the pages, on the column page where the option is.
    let r = post(
        &app,
        &admin,
        "/admin/import/apply",
        &file,
        &[("deactivate_missing", "true"), ("valid_rows_only", "true")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(html.contains("line 5, “bea@@example.org”") && html.contains("Choose the columns"), "{html}");
    assert!(user(db, "bea@example.org").await.unwrap().deactivated_at.is_none());
    // Without deactivation, the valid rows import as before.
    let r = import(db, file.as_bytes(), Options { valid_rows_only: true, ..apply() }).await;
    assert!(r.applied && r.updated == 1, "{}", r.summary());
}

async fn deactivating_more_than_half_of_the_people_needs_confirmation(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let db = &app.state.db;
    let mut everyone = "email,name\r\n".to_owned();
    for i in 0..10 {
        everyone.push_str(&format!("p{i}@example.org,Person {i}\r\n"));
    }
    assert_eq!(import(db, everyone.as_bytes(), apply()).await.created, 10);
    let members_before = networks::by_slug(db, "eas").await.unwrap().unwrap().member_count;
    // A two-person file for one network, with "deactivate missing": 8 of the 11 active people.
    let two = "email,name\r\np0@example.org,Person 0\r\np1@example.org,Person 1\r\n";
    let opts = Options { network: Some("eas".into()), deactivate_missing: true, ..apply() };
    let message = refused(db, two.as_bytes(), opts.clone()).await;
    assert!(
        message.starts_with(
            "This would deactivate 8 of the 11 active people: everyone whose email is on none of this file's 2 rows."
        ) && message.contains("not only the network “eas”")
            && message.contains("--yes-deactivate-many")
            && message.contains("Nothing was imported"),
        "{message}"
    );
    assert!(user(db, "p9@example.org").await.unwrap().deactivated_at.is_none());
    let eas = networks::by_slug(db, "eas").await.unwrap().unwrap();
    assert_eq!(eas.member_count, members_before, "nothing imported, not even the network");
    // The pages refuse on the column page, which has the confirmation box.
    let r =
        post(&app, &admin, "/admin/import/preview", two, &[("network", "eas"), ("deactivate_missing", "true")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(
        html.contains("This would deactivate 8 of the 11 active people") && html.contains("name=\"deactivate_many\""),
        "{html}"
    );
    let confirmed = [("network", "eas"), ("deactivate_missing", "true"), ("deactivate_many", "true")];
    let r = post(&app, &admin, "/admin/import/preview", two, &confirmed).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = body(r).await;
    assert!(
        html.contains("<dt>To deactivate</dt><dd>8</dd>") && html.contains("name=\"deactivate_many\" value=\"true\""),
        "{html}"
    );
    // Confirmed: done.
    let r = import(db, two.as_bytes(), Options { yes_deactivate_many: true, ..opts }).await;
    assert_eq!((r.applied, r.deactivated), (true, 8));
    assert!(user(db, "p9@example.org").await.unwrap().deactivated_at.is_some());
    assert!(user(db, "admin@example.org").await.unwrap().deactivated_at.is_none());
}

async fn the_upload_limit_is_the_one_the_page_promises(d: Dialect) {
    use roundtable_app::import::pages::MAX_FILE_MB;
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let page = body(admin.get(app.at("/admin/import")).send().await.unwrap()).await;
    assert!(page.contains(&format!("up to {MAX_FILE_MB} MB here")), "{page}");
    // A 10,000-person HR export of 2.6 MB.
    let mut csv =
        "Work Email,Display Name,Job Title,Department,Location,Time Zone,Hire Date,Employee ID,Skills,Languages,Cost Centre\r\n"
            .to_owned();
    for i in 0..10_000 {
        csv.push_str(&format!(
            "person.number{i:05}@example.org,Person Number {i:05},Senior Executive Assistant,Finance and Treasury,London,Europe/London,2019-02-11,{i:08},Diary management; Minute taking; Travel booking; Board papers,English; French; German,CC-{i:06} Group Finance London UK\r\n"
        ));
    }
    assert!(csv.len() > 2_600_000, "{}", csv.len());
    let upload = |bytes: Vec<u8>| {
        let file = Part::bytes(bytes).file_name("hr.csv").mime_str("text/csv").unwrap();
        admin.post(app.at("/admin/import/upload")).multipart(Form::new().part("file", file)).send()
    };
    let r = upload(csv.clone().into_bytes()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(body(r).await.contains("hr.csv: 10000 rows"));
    // Over the limit: the form again, saying the limit and what to do.
    let mut big = csv.into_bytes();
    big.resize(MAX_FILE_MB * 1024 * 1024 + 256 * 1024, b' ');
    let r = upload(big).await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = body(r).await;
    assert!(
        html.contains(&format!("The file is larger than {MAX_FILE_MB} MB, the most this page takes."))
            && html.contains("Split it into smaller files")
            && html.contains("roundtable import members FILE.csv")
            && html.contains("aria-invalid=\"true\""),
        "{html}"
    );
}

/// A file past even the router's limit for any request gets the import page's advice, not a
/// bare "too large". Sent by hand: the server answers as soon as it reads the declared length,
/// before any body (a client sending 17 MB would see the connection closed under it).
async fn a_file_past_the_routers_limit_gets_the_import_advice(d: Dialect) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let token = app.api_token(&admin).await;
    let host = app.url.trim_start_matches("http://").to_owned();
    let send = |path: &'static str, headers: String| {
        let host = host.clone();
        async move {
            let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
            let request = format!(
                "POST {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
                17 * 1024 * 1024
            );
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut answer = Vec::new();
            stream.read_to_end(&mut answer).await.unwrap();
            String::from_utf8_lossy(&answer).into_owned()
        }
    };
    let page = "Sec-Fetch-Site: same-origin\r\nContent-Type: multipart/form-data; boundary=x\r\n".to_owned();
    let answer = send("/admin/import/upload", page).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("Split it into smaller files") && answer.contains("roundtable import members"), "{answer}");
    let api = format!("Authorization: Bearer {token}\r\nContent-Type: text/csv\r\n");
    let answer = send("/api/v1/imports/members", api).await;
    assert!(answer.starts_with("HTTP/1.1 413") && answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("the most the API takes") && answer.contains("roundtable import members"), "{answer}");
}

async fn cr_only_files_report_errors_on_their_own_lines(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    let rows =
        ["email,name,start_date", "ann@example.org,Ann,2020-13-01", "", "not-an-email,Bad,", "cy@example.org,Cy,"];
    for end in ["\r", "\n", "\r\n"] {
        let file = rows.join(end) + end;
        let r = import(db, file.as_bytes(), Options { dry_run: true, ..apply() }).await;
        let lines: Vec<u64> = r.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 4], "{end:?}: {:#?}", r.errors);
        assert_eq!(r.outcomes.iter().map(|o| o.line).collect::<Vec<_>>(), [5], "{end:?}");
    }
}

/// `POST /api/v1/imports/members` (the file as the body) and `GET /api/v1/exports/members.csv`:
/// a dry run reports each row's problem with line, column and fix and changes nothing; a file
/// with errors imports nothing unless `valid_rows_only`; sending the file again changes nothing;
/// the export is the page's CSV; members get 403 and change nothing.
async fn the_api_imports_and_exports_like_the_pages(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let token = app.api_token(&admin).await;
    let db = &app.state.db;
    let api = reqwest::Client::new();
    let send = |query: &str, csv: Vec<u8>| {
        api.post(app.at(&format!("/api/v1/imports/members{query}")))
            .bearer_auth(&token)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
    };
    let json = |r: reqwest::Response| async move {
        let status = r.status();
        (status, r.json::<serde_json::Value>().await.unwrap())
    };
    // Windows-1252 with semicolons, one bad date on line 3.
    let mut file = b"Email;Name;Start Date\r\n".to_vec();
    file.extend_from_slice(b"zoe@example.org;Zo\xEB Dupr\xE9;2021-03-31\r\n");
    file.extend_from_slice(b"ida@example.org;Ida Berg;31/02/2021\r\n");
    let before = count(db).await;
    let (status, report) = json(send("?dry_run=true", file.clone()).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!((report["applied"].as_bool(), report["encoding"].as_str()), (Some(false), Some("Windows-1252")));
    let error = &report["errors"][0];
    assert_eq!(
        (error["line"].as_u64(), error["column"].as_str()),
        (Some(3), Some("Start Date (column C)")),
        "{report}"
    );
    assert!(!error["fix"].as_str().unwrap().is_empty(), "{report}");
    assert_eq!(report["people"][0]["action"], "create");
    assert_eq!(count(db).await, before, "a dry run changes nothing");
    // A misspelt option is refused, not ignored: `dryRun` must not import for real.
    let (status, problem) = json(send("?dryRun=true&valid_rows_only=true", file.clone()).await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("dryRun"), "{problem}");
    assert_eq!(count(db).await, before);
    // Applied as it is: refused whole, each problem in words.
    let (status, problem) = json(send("", file.clone()).await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let said = problem["errors"].to_string();
    assert!(said.contains("nothing was imported") && said.contains("Line 3, Start Date (column C)"), "{said}");
    // ...and, for a program, the dry run's report with each row's error as fields.
    assert_eq!(problem["report"]["errors"][0]["line"].as_u64(), Some(3), "{problem}");
    assert_eq!(problem["report"]["applied"].as_bool(), Some(false), "{problem}");
    assert_eq!(count(db).await, before);
    // The valid rows only, into the network.
    let (status, report) = json(send("?valid_rows_only=true&network=eas", file.clone()).await.unwrap()).await;
    assert_eq!(
        (status, report["applied"].as_bool(), report["created"].as_u64()),
        (StatusCode::OK, Some(true), Some(1))
    );
    assert_eq!(profile(db, "zoe@example.org").await.name, "Zoë Dupré");
    assert!(user(db, "ida@example.org").await.is_none());
    let n = networks::by_slug(db, "eas").await.unwrap().unwrap();
    let zoe = user(db, "zoe@example.org").await.unwrap();
    assert!(networks::membership(db, n.id, zoe.id).await.unwrap().is_some(), "added to the network");
    // Fixed and sent again: Ida is created, Zoë unchanged; once more, nothing changes.
    let fixed =
        "email,name,start_date\r\nzoe@example.org,Zoë Dupré,2021-03-31\r\nida@example.org,Ida Berg,2021-02-28\r\n";
    let (_, report) = json(send("", fixed.into()).await.unwrap()).await;
    assert_eq!((report["created"].as_u64(), report["unchanged"].as_u64()), (Some(1), Some(1)), "{report}");
    let (_, report) = json(send("", fixed.into()).await.unwrap()).await;
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64(), report["unchanged"].as_u64()),
        (Some(0), Some(0), Some(2))
    );
    // Columns chosen by name where the header names say something else (the pages' mapping
    // step): "Function" would be the department, "Org Unit" nothing; the report says which
    // header fed which field.
    let hr = "Work Email,Full Name,Function,Org Unit\r\nida@example.org,Ida Berg,Office Manager,Finance\r\n";
    let (status, report) =
        json(send("?dry_run=true&columns=job_title%3DFunction%3Bdepartment%3Dorg%20unit", hr.into()).await.unwrap())
            .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["columns"]["department"], "Org Unit", "{report}");
    assert_eq!(report["columns"]["job_title"], "Function", "{report}");
    assert_eq!(report["people"][0]["changes"], serde_json::json!(["job title", "department"]), "{report}");
    let (status, problem) = json(send("?dry_run=true&columns=department%3DTeam", hr.into()).await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "columns", "{problem}");
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("no column “Team”"), "{problem}");
    // A file without an email column, and an unknown network: refused in words.
    let (status, problem) = json(send("", b"name\r\nNo Email\r\n".to_vec()).await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["errors"][0]["message"].as_str().unwrap().contains("no column holds the email address"),
        "{problem}"
    );
    let (status, problem) = json(send("?network=nowhere", fixed.into()).await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "network", "{problem}");
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("No network has the address “nowhere”") && message.contains("addresses are: eas"),
        "{message}"
    );
    // The address in capitals is the same network.
    let (status, _) = json(send("?dry_run=true&network=EAS", fixed.into()).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);

    // Over the 7 MB an upload may be: refused in words, nothing read into the database.
    use roundtable_app::import::pages::MAX_FILE_MB;
    let big = format!("email,name\r\n{}", "x".repeat(MAX_FILE_MB * 1024 * 1024));
    // On a connection of its own: the server answers without reading the rest and closes it.
    let r = reqwest::Client::new().post(app.at("/api/v1/imports/members")).bearer_auth(&token).body(big);
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().await.unwrap().contains(&format!("larger than {MAX_FILE_MB} MB, the most the API takes")));

    // The export: the page's file, for Excel.
    let r = api.get(app.at("/api/v1/exports/members.csv?network=eas&separator=semicolon")).bearer_auth(&token).send();
    let r = r.await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.bytes().await.unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "a BOM, so Excel reads UTF-8");
    let text = String::from_utf8_lossy(&csv);
    assert!(text.contains("zoe@example.org;Zoë Dupré") && !text.contains("ida@example.org"), "{text}");
    let r = api.get(app.at("/api/v1/exports/members.csv?separator=tab")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (log, _) = audit::page(db, 50, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "members.exported" && e.subject == "eas"));
    assert!(log.iter().any(|e| e.action == "members.imported" && e.subject == "API upload"));

    // Members may do neither.
    let member = app.user("mo@example.org", "Mo Member").await;
    let member = app.api_token(&member).await;
    let before = count(db).await;
    let r = api
        .post(app.at("/api/v1/imports/members"))
        .bearer_auth(&member)
        .body("email,name\r\nsneaky@example.org,Sneaky\r\n");
    assert_eq!(r.send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let r = api.get(app.at("/api/v1/exports/members.csv")).bearer_auth(&member).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(db).await, before);
}

async fn invisible_characters_and_a_leavers_employee_id_make_no_second_account(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    import(db, b"email,name,employee_id\r\nann@example.org,Ann,E1\r\nbea@example.org,Bea,E2\r\n", apply()).await;
    let before = count(db).await;
    // Copied from a web page or another file: a zero-width space after Ann's address, a
    // byte-order mark before Bea's. Still Ann and Bea — no look-alike accounts, nobody missing.
    let pasted = "email,name\r\nann@example.org\u{200B},Ann\r\n\u{FEFF}bea@example.org,Bea\r\n";
    let r = import(db, pasted.as_bytes(), Options { deactivate_missing: true, ..apply() }).await;
    assert_eq!((r.created, r.unchanged, r.deactivated, r.errors.len()), (0, 2, 0, 0), "{:#?}", r.outcomes);
    assert_eq!(count(db).await, before);
    // Inside an address it is refused on its row.
    let r = import(db, "email,name\r\nan\u{200B}n@example.org,Ann\r\n".as_bytes(), apply()).await;
    assert!(r.errors.iter().any(|e| e.line == 2 && e.problem.contains("invisible character")), "{:#?}", r.errors);
    assert_eq!(count(db).await, before);

    // Ann leaves; HR then gives her employee ID to a new hire.
    let gone = Options { deactivate_missing: true, ..apply() };
    let r = import(db, b"email,name,employee_id\r\nbea@example.org,Bea,E2\r\n", gone).await;
    assert_eq!(r.deactivated, 1, "{}", r.summary());
    let r = import(db, b"email,name,employee_id\r\nnick@example.org,Nick New,E1\r\n", apply()).await;
    assert!(!r.applied);
    let e = r
        .errors
        .iter()
        .find(|e| e.problem.contains("whose account is deactivated"))
        .unwrap_or_else(|| panic!("{:#?}", r.errors));
    assert!(
        e.problem.contains("E1 belongs to Ann (ann@example.org)") && e.fix.contains("give them their own employee ID"),
        "{e:?}"
    );
    assert!(user(db, "nick@example.org").await.is_none(), "no account for Nick yet");
    let ann = user(db, "ann@example.org").await.unwrap();
    assert!(ann.deactivated_at.is_some() && ann.name == "Ann", "Ann's account is not handed over");
}

async fn a_stray_quote_that_swallows_rows_is_named_and_deactivates_no_one(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let db = &app.state.db;
    assert!(import(db, FILE.as_bytes(), apply()).await.applied);
    // A quote opened before Ann's name closes only inside Cleo's department: Cai's and Cleo's
    // rows become part of Ann's name.
    let file = "email,name,department\r\n\
ann@example.org,\"Ann Assistant,Finance\r\n\
cfo@example.org,Cai Finance,Finance\r\n\
ceo@example.org,Cleo Chief,\"Executive Office, Paris\"\r\n\
bea@example.org,Bea Peer,Legal\r\n";
    let r = import(db, file.as_bytes(), apply()).await;
    assert!(!r.applied);
    let e = r.errors.iter().find(|e| e.problem.contains("double quote")).unwrap_or_else(|| panic!("{:#?}", r.errors));
    assert!(
        e.line == 2
            && e.column.contains("name")
            && e.problem.contains("runs on over the next 2 lines")
            && e.fix.contains("Remove the stray double quote"),
        "{e:?}"
    );
    let about_the_cell = r.errors.iter().filter(|x| x.line == 2 && x.column == e.column).count();
    assert_eq!(about_the_cell, 1, "one error for the cell, not also a line-break one: {:#?}", r.errors);
    // With deactivation the whole import is refused, not only that row: Cai and Cleo stay.
    let opts = Options { deactivate_missing: true, valid_rows_only: true, ..apply() };
    let message = refused(db, file.as_bytes(), opts).await;
    assert!(
        message.contains("stray double quote on line 2") && message.contains("no one was deactivated"),
        "{message}"
    );
    for email in ["cfo@example.org", "ceo@example.org"] {
        assert!(user(db, email).await.unwrap().deactivated_at.is_none(), "{email} stays active");
    }
    assert_eq!(profile(db, "ann@example.org").await.department, "Finance", "nothing changed");
}

async fn none_removes_a_stored_manager_or_executives_so_a_reporting_line_can_turn_round(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let db = &app.state.db;
    assert!(import(db, FILE.as_bytes(), apply()).await.applied);
    let id = |email: &'static str| async move { user(db, email).await.unwrap().id };
    assert_eq!(profile(db, "bea@example.org").await.manager_id, Some(id("ann@example.org").await));
    // A reorganisation: Bea now manages Ann. An empty cell keeps Bea's stored manager (Ann), so
    // the file would make a loop — the message says how to remove it.
    let turned = "email,manager_email,supports_emails\r\nann@example.org,bea@example.org,\r\nbea@example.org,,\r\n";
    let r = import(db, turned.as_bytes(), apply()).await;
    assert!(!r.applied);
    assert!(
        r.errors.iter().any(|e| e.problem.contains("reporting loop") && e.fix.contains("write none")),
        "{:#?}",
        r.errors
    );
    // With "none" the old line goes; Ann's executives go too. What HR systems write for the top
    // of the tree ("N/A", SuccessFactors' NO_MANAGER) says the same.
    let turned =
        "email,manager_email,supports_emails\r\nann@example.org,bea@example.org,NONE\r\nbea@example.org,N/A,\r\n";
    let r = import(db, turned.as_bytes(), apply()).await;
    assert!(r.applied && r.errors.is_empty(), "{:#?}", r.errors);
    // The report shows each manager change by address, before and after.
    let bea_row = r.outcomes.iter().find(|o| o.email == "bea@example.org").unwrap();
    assert_eq!(bea_row.changes_in_words(), "manager (“ann@example.org” → (empty))");
    let ann_row = r.outcomes.iter().find(|o| o.email == "ann@example.org").unwrap();
    assert!(ann_row.changes_in_words().starts_with("manager (“cfo@example.org” → “bea@example.org”)"), "{ann_row:?}");
    let (ann, bea) = (profile(db, "ann@example.org").await, profile(db, "bea@example.org").await);
    assert_eq!((ann.manager_id, bea.manager_id), (Some(id("bea@example.org").await), None));
    assert!(ann.supports.is_empty(), "{:?}", ann.supports);
    // Idempotent: the same file again changes nothing.
    let again = import(db, turned.as_bytes(), apply()).await;
    assert_eq!((again.updated, again.unchanged), (0, 2), "{:#?}", again.outcomes);
}

/// A network's organisers download its member list for their reports (page and API): each field
/// as its owner chose — what is for organisers is there, nothing more — with role and member
/// since; no addresses (no organiser page shows them), employee IDs or other networks. Members may not; a link from
/// another site does not start it; each download is in the audit log.
async fn organisers_download_their_networks_members_as_they_may_see_them(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    app.network(&admin, "private", "open").await;
    let db = &app.state.db;
    let cho = app.user("cho@example.org", "Cho Chair").await;
    let bea = app.user("bea@example.org", "Bea Member").await;
    let out = app.user("out@example.org", "Out Sider").await;
    for c in [&cho, &bea] {
        assert_eq!(c.post(app.at("/n/eas/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    }
    bea.post(app.at("/n/private/join")).send().await.unwrap();
    out.post(app.at("/n/private/join")).send().await.unwrap();
    let cho_id = users::by_email(db, "cho@example.org").await.unwrap().unwrap().id;
    let r = admin.post(app.at(&format!("/n/eas/members/{cho_id}/role"))).form(&[("role", "chair")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    // Bea shows her languages to organisers only and her skills to her networks; HR knows her
    // employee ID.
    let r = bea
        .post(app.at("/profile"))
        .form(&[
            ("job_title", "EA"),
            ("department", "Legal"),
            ("time_zone", "UTC"),
            ("languages", "Welsh"),
            ("audience_languages", "organisers"),
            ("skills", "Minutes"),
            ("audience_skills", "network"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    import(db, b"email,employee_id\r\nbea@example.org,E-77\r\n", apply()).await;
    // Cho lives where the day begins first: member-since days on her page are hers.
    let r = cho.post(app.at("/profile")).form(&[("time_zone", "Pacific/Kiritimati")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let members_page = body(cho.get(app.at("/n/eas/members")).send().await.unwrap()).await;
    assert!(members_page.contains(r#"href="/n/eas/members.csv" download"#), "{members_page}");
    let r = cho.get(app.at("/n/eas/members.csv")).header("sec-fetch-site", "same-origin").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"].to_str().unwrap().contains(&format!(
            "eas-members-{}.csv",
            chrono::Utc::now().with_timezone(&chrono_tz::Pacific::Kiritimati).date_naive()
        )),
        "dated on her calendar"
    );
    let bytes = r.bytes().await.unwrap();
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let header = text.lines().next().unwrap();
    assert_eq!(
        header,
        "name,preferred_name,job_title,department,location,time_zone,level,years_experience,skills,interests,languages,start_date,role,member_since"
    );
    let bea_row = text.lines().find(|l| l.starts_with("Bea Member,")).expect("Bea is listed");
    assert!(bea_row.contains(",Welsh,") && bea_row.contains(",Minutes,"), "organisers see her languages: {bea_row}");
    assert!(!text.contains("@example.org"), "no addresses: {text}");
    assert!(!bea_row.contains("E-77") && !bea_row.contains("private"), "no employee ID, no other network: {bea_row}");
    let (utc_day, cho_day) = (
        chrono::Utc::now().date_naive().to_string(),
        chrono::Utc::now().with_timezone(&chrono_tz::Pacific::Kiritimati).date_naive().to_string(),
    );
    assert!(bea_row.ends_with(&format!(",Member,{cho_day}")), "the day in Cho's time zone: {bea_row}");
    assert!(text.lines().any(|l| l.starts_with("Cho Chair,") && l.contains(",Chair,")), "{text}");
    assert!(!text.contains("Out Sider"), "only this network's members");

    // The same over the API; a member gets neither; a link from elsewhere does not start it.
    let token = app.api_token(&cho).await;
    let r = reqwest::Client::new()
        .get(app.at("/api/v1/networks/eas/members.csv"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let api = String::from_utf8(r.bytes().await.unwrap().to_vec()).unwrap();
    assert!(api.lines().any(|l| l.starts_with("Bea Member,") && l.ends_with(&format!(",Member,{utc_day}"))), "{api}");
    let undated = |t: &str, day: &str| t.replace(&format!(",{day}\r\n"), ",DAY\r\n");
    assert_eq!(undated(&api[3..], &utc_day), undated(text, &cho_day), "the same file, its days in UTC");
    let before = audit::page(db, 100, 0).await.unwrap().0.iter().filter(|e| e.action == "members.exported").count();
    assert_eq!(before, 2, "each download is recorded");
    assert_eq!(bea.get(app.at("/n/eas/members.csv")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert!(!body(bea.get(app.at("/n/eas/members")).send().await.unwrap()).await.contains("members.csv"));
    let bea_token = app.api_token(&bea).await;
    let r = reqwest::Client::new().get(app.at("/api/v1/networks/eas/members.csv")).bearer_auth(&bea_token).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::FORBIDDEN);
    let r = cho.get(app.at("/n/eas/members.csv")).header("sec-fetch-site", "cross-site").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let after = audit::page(db, 100, 0).await.unwrap().0.iter().filter(|e| e.action == "members.exported").count();
    assert_eq!(after, before, "refused downloads are not recorded");
    // The page offers the list with semicolons too, for Excel in other languages.
    assert!(members_page.contains(r#"href="/n/eas/members.csv?separator=semicolon" download"#), "{members_page}");
    let r = cho.get(app.at("/n/eas/members.csv?separator=semicolon")).header("sec-fetch-site", "same-origin").send();
    let semicolons = r.await.unwrap().text().await.unwrap();
    assert!(semicolons.contains("\r\nBea Member;"), "{semicolons}");
}

/// Posts a step of the import pages with the columns chosen by their index (`map_email=0`…),
/// for files whose header the `post` helper cannot read.
async fn post_mapped(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    csv: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = Form::new().text("csv", csv.to_owned()).text("file_name", "hr.csv").text("encoding", "UTF-8");
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    c.post(app.at(path)).multipart(form).send().await.unwrap()
}

async fn a_file_without_a_header_row_is_refused_and_deactivates_no_one(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let db = &app.state.db;
    let hr =
        "email,name\r\np1@example.org,Amara Okafor\r\np2@example.org,Björn Okafor\r\np3@example.org,Chloé Okafor\r\n";
    assert_eq!(import(db, hr.as_bytes(), apply()).await.created, 3);
    // The same people without the header row, as some HR exports write them.
    let headless = hr.split_once("\r\n").unwrap().1;
    let message = refused(db, headless.as_bytes(), Options { deactivate_missing: true, ..apply() }).await;
    assert!(
        message.contains("“p1@example.org”, an email address")
            && message.contains("seems to have no header row")
            && message.contains("such as email,name,start_date"),
        "{message}"
    );
    // On the pages, with the columns chosen by hand and "deactivate people not in the file":
    // refused before anything is checked, and the first person stays.
    let file = Part::bytes(headless.as_bytes().to_vec()).file_name("hr.csv").mime_str("text/csv").unwrap();
    let r = admin.post(app.at("/admin/import/upload")).multipart(Form::new().part("file", file)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("seems to have no header row"));
    let choices = [("map_email", "0"), ("map_name", "1"), ("deactivate_missing", "true")];
    let r = post_mapped(&app, &admin, "/admin/import/apply", headless, &choices).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("seems to have no header row"));
    assert!(user(db, "p1@example.org").await.unwrap().deactivated_at.is_none(), "the first person stays active");
}

async fn a_german_file_s_vorname_and_name_make_the_full_name(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    // German Excel on Windows: Windows-1252, semicolons, "Name" is the family name.
    let de = b"Personalnummer;Vorname;Name;E-Mail;Abteilung\r\n001010;J\xFCrgen;M\xFCller;j.mueller@example.org;Finanzen\r\n001011;Zo\xEB;Wei\xDF;z.weiss@example.org;Personal\r\n";
    let r = import(db, de, apply()).await;
    assert_eq!((r.encoding, r.created, r.errors.len()), ("Windows-1252", 2, 0), "{:#?}", r.errors);
    assert_eq!(profile(db, "j.mueller@example.org").await.name, "Jürgen Müller");
    assert_eq!(profile(db, "z.weiss@example.org").await.name, "Zoë Weiß");
    assert_eq!(import(db, de, apply()).await.unchanged, 2, "the same file again changes nothing");
    // A full-name column beside a first-name one is taken as it is.
    let en = "First Name,Name,Email\r\nJürgen,Jürgen Müller,j.mueller@example.org\r\n";
    assert_eq!(import(db, en.as_bytes(), apply()).await.unchanged, 1);
}

async fn midnight_times_after_dates_are_read_and_show_the_order(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    // 26/01/2019 shows the file is day first, though a time follows it.
    let hr =
        "email,name,start_date\r\na1@example.org,A One,26/01/2019 00:00\r\na2@example.org,A Two,02/11/2019 00:00\r\n";
    let r = import(db, hr.as_bytes(), apply()).await;
    assert_eq!((r.created, r.errors.len()), (2, 0), "{:#?}", r.errors);
    assert_eq!(start_dates(db, &["a1@example.org", "a2@example.org"]).await, ["2019-01-26", "2019-11-02"]);
    // US Excel writes "0:00" and "12:00:00 AM".
    let us =
        "email,name,start_date\r\nb1@example.org,B One,3/5/2024 0:00\r\nb2@example.org,B Two,3/15/2024 12:00:00 AM\r\n";
    let r = import(db, us.as_bytes(), apply()).await;
    assert_eq!((r.created, r.errors.len()), (2, 0), "{:#?}", r.errors);
    assert_eq!(start_dates(db, &["b1@example.org", "b2@example.org"]).await, ["2024-03-05", "2024-03-15"]);
}

async fn a_chosen_date_order_reads_a_joiners_file_and_is_carried_through_the_pages(d: Dialect) {
    use roundtable_app::import::DateOrder;
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let db = &app.state.db;
    // This month's joiners: no day over 12, so the file cannot show its order.
    let joiners = "email,name,start_date\r\nj1@example.org,Joiner One,02/03/2026\r\nj2@example.org,Joiner Two,09/03/2026\r\nj3@example.org,Joiner Three,01/04/2026\r\n";
    let r = import(db, joiners.as_bytes(), Options { dry_run: true, ..apply() }).await;
    assert_eq!(r.error_lines, [2, 3, 4]);
    assert!(r.errors[0].fix.contains("--date-order day-first or month-first"), "{}", r.errors[0].fix);
    // The column page offers the choice, labelled, working it out by default.
    let file = Part::bytes(joiners.as_bytes().to_vec()).file_name("joiners.csv").mime_str("text/csv").unwrap();
    let r = admin.post(app.at("/admin/import/upload")).multipart(Form::new().part("file", file)).send().await.unwrap();
    let html = body(r).await;
    assert!(
        html.contains(r#"<label for="f-date_order">Order of dates such as 2/11/2019</label>"#)
            && html.contains(r#"<option value="">Work it out from the file</option>"#)
            && !html.contains("selected>Day first"),
        "{html}"
    );
    let day_first = [("date_order", "day_first")];
    let html = body(post(&app, &admin, "/admin/import/preview", joiners, &day_first).await).await;
    assert!(
        html.contains("<dt>New people</dt><dd>3</dd>")
            && html.contains("were read as day/month/year, as you chose.")
            && html.contains(r#"<input type="hidden" name="date_order" value="day_first">"#),
        "the preview carries the choice to the next step: {html}"
    );
    // "Change the columns or options" shows it chosen.
    let html = body(post(&app, &admin, "/admin/import/upload", joiners, &day_first).await).await;
    assert!(html.contains(r#"<option value="day_first" selected>"#), "{html}");
    let r = post(&app, &admin, "/admin/import/apply", joiners, &day_first).await;
    assert_eq!(r.status(), StatusCode::OK);
    let all = ["j1@example.org", "j2@example.org", "j3@example.org"];
    assert_eq!(start_dates(db, &all).await, ["2026-03-02", "2026-03-09", "2026-04-01"]);
    // The command line's choice: month first reads the same file otherwise.
    let r =
        import(db, joiners.as_bytes(), Options { date_order: Some(DateOrder::MonthFirst), dry_run: true, ..apply() })
            .await;
    assert_eq!((r.updated, r.errors.len()), (3, 0), "{:#?}", r.errors);
    assert!(r.outcomes.iter().all(|o| o.changes == ["start date"]));
    // The API's: `date_order`, one of two values.
    let token = app.api_token(&admin).await;
    let send = |query: &'static str| {
        reqwest::Client::new()
            .post(app.at(&format!("/api/v1/imports/members?dry_run=true&{query}")))
            .bearer_auth(&token)
            .body(joiners)
            .send()
    };
    let report: serde_json::Value = send("date_order=month_first").await.unwrap().json().await.unwrap();
    assert_eq!((report["updated"].as_u64(), report["errors"].as_array().map(Vec::len)), (Some(3), Some(0)), "{report}");
    assert_eq!(send("date_order=sideways").await.unwrap().status(), StatusCode::BAD_REQUEST);
}

async fn the_error_file_writes_the_dates_it_read_as_iso(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let db = &app.state.db;
    // Line 2 shows the file is day first; line 3's date is read so, but its email is wrong.
    let csv = "email,name,start_date\r\nann@example.org,Ann,26/01/2019\r\nbea@,Bea,02/11/2019\r\n";
    let r = post(&app, &admin, "/admin/import/errors.csv", csv, &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = body(r).await;
    assert!(text.contains("bea@,Bea,2019-11-02,3,"), "{text}");
    // Fixed and imported alone, the row keeps its date.
    let fixed = text.replace("bea@,", "bea@example.org,");
    assert_eq!(import(db, fixed.as_bytes(), apply()).await.created, 1);
    assert_eq!(start_dates(db, &["bea@example.org"]).await, ["2019-11-02"]);
}

async fn a_leavers_email_given_to_someone_new_does_not_take_over_the_account(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    let hr = "email,name,employee_id\r\ncarl@example.org,Carl Leaver,000998\r\nbea@example.org,Bea,E2\r\n";
    import(db, hr.as_bytes(), apply()).await;
    let gone = Options { deactivate_missing: true, ..apply() };
    assert_eq!(import(db, b"email,name,employee_id\r\nbea@example.org,Bea,E2\r\n", gone).await.deactivated, 1);
    // HR gives Carl's address to a new hire, with her own employee ID.
    let r = import(db, b"email,name,employee_id\r\ncarl@example.org,Carla Nguyen,000999\r\n", apply()).await;
    assert!(!r.applied);
    let e = r.errors.iter().find(|e| e.line == 2).unwrap_or_else(|| panic!("{:#?}", r.errors));
    assert_eq!(e.column, "email (column A)");
    assert!(
        e.problem.contains(
            "carl@example.org belongs to Carl Leaver, whose account is deactivated and has the employee ID 000998, not 000999"
        ) && e.fix.contains("needs an email address of their own")
            && e.fix.contains("reactivate their account"),
        "{e:?}"
    );
    let carl = user(db, "carl@example.org").await.unwrap();
    assert!(carl.name == "Carl Leaver" && carl.deactivated_at.is_some(), "the leaver's account is not handed over");
    assert_eq!(by_employee_id(db, "000998").await.unwrap().email, "carl@example.org");
    // Carl himself in a later file (his ID as Excel saves it) is no error: the account stays
    // deactivated, and the row says so.
    let r = import(db, b"email,name,employee_id\r\ncarl@example.org,Carl Leaver,998\r\n", apply()).await;
    assert!(r.applied && r.errors.is_empty(), "{:#?}", r.errors);
    assert!(r.outcomes[0].note.as_deref().is_some_and(|n| n.contains("stays")));
}

async fn excel_error_cells_are_row_errors_and_change_nothing(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    import(db, b"email,name,department,job_title\r\np1@example.org,Amara Okafor,Finance,EA\r\n", apply()).await;
    // A lookup that found nothing fills the cells with Excel's error values.
    let xl = "email,name,department,job_title,level\r\nv1@example.org,#N/A,#N/A,#REF!,#VALUE!\r\np1@example.org,Amara Okafor,#N/A,#REF!,Senior\r\n";
    let r = import(db, xl.as_bytes(), Options { valid_rows_only: true, ..apply() }).await;
    assert_eq!(r.error_lines, [2, 3], "{:#?}", r.errors);
    let e = r.errors.iter().find(|e| e.line == 3 && e.column == "department (column C)").unwrap();
    assert!(
        e.problem.contains("#N/A")
            && e.fix == "Excel could not compute this cell: fix the formula in the sheet, or leave the cell empty.",
        "{e:?}"
    );
    assert!(r.errors.iter().any(|e| e.line == 2 && e.column == "name (column B)"), "{:#?}", r.errors);
    assert!(user(db, "v1@example.org").await.is_none());
    let p1 = profile(db, "p1@example.org").await;
    assert_eq!((p1.department.as_str(), p1.job_title.as_str(), p1.level.as_str()), ("Finance", "EA", ""));
}

async fn employee_ids_padded_differently_are_one_person_twice(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    import(db, b"email,name,employee_id\r\nann@example.org,Ann,000101\r\n", apply()).await;
    // Two new addresses, one ID written two ways: both rows would find Ann.
    let file = "email,name,employee_id\r\nann.a@example.org,Ann A,101\r\nann.b@example.org,Ann B,0101\r\n";
    let r = import(db, file.as_bytes(), Options { valid_rows_only: true, ..apply() }).await;
    assert_eq!(r.error_lines, [2, 3], "{:#?}", r.errors);
    let e = r.errors.iter().find(|e| e.line == 3).unwrap();
    assert!(
        e.column == "employee_id (column C)"
            && e.problem.starts_with("The employee ID 0101 is also on line 2, written 101: leading zeros"),
        "{e:?}"
    );
    assert_eq!((r.updated, r.created), (0, 0));
    let ann = by_employee_id(db, "000101").await.unwrap();
    assert_eq!((ann.email.as_str(), ann.name.as_str()), ("ann@example.org", "Ann"), "Ann is unchanged");
}

/// A file naming a deactivated manager or executive: kept (as a profile save keeps it), and the
/// row says it shows nowhere, so a stale HR column is noticed.
async fn a_reporting_line_through_someone_who_left_is_kept_and_said(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    import(db, b"email,name\r\nboss@example.org,Bo Boss\r\nbea@example.org,Bea Aide\r\n", apply()).await;
    let boss = user(db, "boss@example.org").await.unwrap();
    let mut tx = db.begin().await.unwrap();
    users::set_deactivated(&mut tx, boss.id, Some(chrono::Utc::now())).await.unwrap();
    tx.commit().await.unwrap();
    let file = b"email,name,manager_email,supports_emails\r\nbea@example.org,Bea Aide,,boss@example.org\r\nnew@example.org,New Hire,boss@example.org,\r\n";
    let r = import(db, file, apply()).await;
    assert_eq!((r.created, r.updated, r.errors.len()), (1, 1, 0), "{:#?}", r.errors);
    for o in &r.outcomes {
        let note = o.note.as_deref().unwrap_or("");
        assert!(note.contains("names Bo Boss (boss@example.org), whose account is deactivated"), "{o:?}");
    }
    assert_eq!(profile(db, "new@example.org").await.manager_id, Some(boss.id));
}

async fn letters_excel_replaced_with_question_marks_do_not_overwrite_names(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    let utf8 = "email,name,department\r\nlukasz@example.org,Łukasz Dvořák,Zarząd\r\nzoe@example.org,Zoë,Finance\r\n";
    assert_eq!(import(db, utf8.as_bytes(), apply()).await.created, 2);
    // Saved by Excel as "CSV (Comma delimited)": Windows-1252, with ? for Ł, ř and ą (á and ë
    // survive); Zoë's department really changed.
    let cp1252 =
        b"email,name,department\r\nlukasz@example.org,?ukasz Dvo?\xE1k,Zarz?d\r\nzoe@example.org,Zo\xEB,Sales\r\n";
    let r = import(db, cp1252, Options { valid_rows_only: true, ..apply() }).await;
    assert_eq!((r.encoding, r.error_lines.clone(), r.updated), ("Windows-1252", vec![2], 1), "{:#?}", r.errors);
    let cols: Vec<&str> = r.errors.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(cols, ["name (column B)", "department (column C)"]);
    assert!(
        r.errors[0].problem.contains("“?ukasz Dvo?ák” has question marks where Roundtable has “Łukasz Dvořák”")
            && r.errors[0].fix.contains("“CSV UTF-8 (Comma delimited)”"),
        "{:?}",
        r.errors[0]
    );
    let lukasz = profile(db, "lukasz@example.org").await;
    assert_eq!((lukasz.name.as_str(), lukasz.department.as_str()), ("Łukasz Dvořák", "Zarząd"));
    assert_eq!(profile(db, "zoe@example.org").await.department, "Sales");
    // When every letter lost was one Windows-1252 lacks, Excel's file is plain ASCII (read as
    // UTF-8): the same refusal.
    let ascii = b"email,name,department\r\nlukasz@example.org,?ukasz Dvo?ak,Zarz?d\r\n";
    let r = import(db, ascii, apply()).await;
    assert_eq!((r.error_lines.clone(), r.updated), (vec![2], 0), "{:#?}", r.errors);
    assert_eq!(profile(db, "lukasz@example.org").await.name, "Łukasz Dvořák");
    // Someone new, with nothing stored to compare: a question mark inside a word says the same.
    let new = b"email,name,location\r\nmarta@example.org,Marta Nowak,Gda?sk\r\nwho@example.org,Who? Me,Paris\r\n";
    let r = import(db, new, Options { valid_rows_only: true, ..apply() }).await;
    assert_eq!((r.error_lines.clone(), r.created), (vec![2], 1), "{:#?}", r.errors);
    assert!(r.errors[0].problem.contains("“Gda?sk” has a question mark inside a word"), "{:?}", r.errors[0]);
    assert!(user(db, "marta@example.org").await.is_none());
}

async fn an_empty_file_chosen_on_the_page_is_called_empty(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let upload =
        |part: Part| admin.post(app.at("/admin/import/upload")).multipart(Form::new().part("file", part)).send();
    let empty = Part::bytes(Vec::new()).file_name("hr.csv").mime_str("text/csv").unwrap();
    let r = upload(empty).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(html.contains("The file “hr.csv” is empty (0 bytes).") && !html.contains("Choose a CSV file"), "{html}");
    // No file chosen (the browser sends an empty part without a name) and nothing pasted.
    let none = Part::bytes(Vec::new()).file_name("").mime_str("application/octet-stream").unwrap();
    let html = body(upload(none).await.unwrap()).await;
    assert!(html.contains("Choose a CSV file, or paste the rows."), "{html}");
}

const WORKDAY: &str = "Employee ID,Legal Name,Work Email,Manager,Supervisory Organization,Business Title,Hire Date\r\n\
E100,Ann Lee,ann.lee@example.org,Bob Smith,Finance (Bob Smith),EA,03/31/2019\r\n\
E101,Bob Smith,bob.smith@example.org,,Finance,CFO,06/01/2015\r\n";

/// The options of one select of the column page.
fn select<'a>(html: &'a str, field: &str) -> &'a str {
    html.split(&format!("name=\"map_{field}\""))
        .nth(1)
        .unwrap_or_default()
        .split("</select>")
        .next()
        .unwrap_or_default()
}

async fn a_manager_column_of_names_or_ids_is_left_out_unless_chosen(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let db = &app.state.db;
    // Workday's "Manager" holds names: every row used to fail as "not an email address".
    let r = import(db, WORKDAY.as_bytes(), Options { dry_run: true, ..apply() }).await;
    assert_eq!((r.created, r.errors.len()), (2, 0), "{:#?}", r.errors);
    assert_eq!(
        r.notes,
        [
            "Column “Manager” holds names, not email addresses (such as “Bob Smith”): it is not used; add a column with the manager's email."
        ]
    );
    // The column page leaves it unchosen and says why.
    let file = Part::bytes(WORKDAY.as_bytes().to_vec()).file_name("workday.csv").mime_str("text/csv").unwrap();
    let r = admin.post(app.at("/admin/import/upload")).multipart(Form::new().part("file", file)).send().await.unwrap();
    let html = body(r).await;
    assert!(html.contains("Column “Manager” holds names, not email addresses"), "{html}");
    assert!(!select(&html, "manager_email").contains(" selected>"), "{}", select(&html, "manager_email"));
    assert!(select(&html, "email").contains(r#"<option value="2" selected>"#), "{html}");
    // Chosen on purpose: each row is an error saying the column must hold addresses.
    let chosen = [("map_email", "2"), ("map_name", "1"), ("map_manager_email", "3")];
    let html = body(post_mapped(&app, &admin, "/admin/import/preview", WORKDAY, &chosen).await).await;
    assert!(
        html.contains("“Bob Smith” is not an email address.")
            && html.contains("must hold the manager")
            && html.contains("not their name or ID"),
        "{html}"
    );
    assert!(!html.contains("holds names, not email addresses"), "no note when chosen: {html}");
    assert!(user(db, "ann.lee@example.org").await.is_none(), "a preview imports nothing");
    // Imported, nobody gets a manager from it.
    assert_eq!(import(db, WORKDAY.as_bytes(), apply()).await.created, 2);
    assert_eq!(profile(db, "ann.lee@example.org").await.manager_id, None);
}

async fn workday_bamboohr_successfactors_and_german_headers_are_matched(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    let r = import(db, WORKDAY.as_bytes(), apply()).await;
    assert_eq!((r.created, r.errors.len()), (2, 0), "{:#?}", r.errors);
    let ann = profile(db, "ann.lee@example.org").await;
    assert_eq!((ann.name.as_str(), ann.job_title.as_str(), ann.start_date.as_str()), ("Ann Lee", "EA", "2019-03-31"));
    assert_eq!(by_employee_id(db, "E100").await.unwrap().email, "ann.lee@example.org");
    // BambooHR: "Employee #", and "Reporting to" holding "Smith, Bob".
    let bamboo = "Employee #,First Name,Last Name,Work Email,Job Title,Department,Reporting to,Hire Date,Location\r\n\
0042,Cai,Lee,cai.lee@example.org,EA,Finance,\"Smith, Bob\",2019-02-11,London\r\n";
    let r = import(db, bamboo.as_bytes(), apply()).await;
    assert_eq!((r.created, r.errors.len()), (1, 0), "{:#?}", r.errors);
    assert!(r.notes[0].starts_with("Column “Reporting to” holds names"), "{:?}", r.notes);
    assert_eq!(by_employee_id(db, "0042").await.unwrap().email, "cai.lee@example.org");
    // A German export: Personalnummer, Abteilung, Eintrittsdatum, Standort, Stellenbezeichnung,
    // and a Vorgesetzter of addresses, which is used.
    let de = "Personalnummer;Vorname;Name;E-Mail;Abteilung;Eintrittsdatum;Vorgesetzter;Standort;Stellenbezeichnung\r\n\
001010;Jürgen;Müller;j.mueller@example.org;Finanzen;26.01.2019;;Köln;Leiter Finanzen\r\n\
001011;Zoë;Weiß;z.weiss@example.org;Personal;02.11.2019;j.mueller@example.org;Köln;Assistentin\r\n";
    let r = import(db, de.as_bytes(), apply()).await;
    assert_eq!((r.created, r.errors.len(), r.notes.len()), (2, 0, 0), "{:#?}", r.errors);
    let zoe = profile(db, "z.weiss@example.org").await;
    assert_eq!(
        (zoe.department.as_str(), zoe.start_date.as_str(), zoe.location.as_str(), zoe.job_title.as_str()),
        ("Personal", "2019-11-02", "Köln", "Assistentin")
    );
    assert_eq!(zoe.manager_id, Some(user(db, "j.mueller@example.org").await.unwrap().id));
    assert_eq!(by_employee_id(db, "001011").await.unwrap().email, "z.weiss@example.org");
}

async fn a_report_title_above_the_header_is_skipped_and_lines_stay_right(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let db = &app.state.db;
    let titled = "Active Employees Report - run 2026-11-01 by HRIS,,,\r\n,,,\r\n\
Employee ID,Legal Name,Work Email,Hire Date\r\n\
E100,Ann Lee,ann.lee@example.org,2019-03-31\r\n\
E101,Bob Smith,bob.smith@example.org,2019-02-30\r\n";
    let r = import(db, titled.as_bytes(), apply()).await;
    assert_eq!(r.notes, ["Lines 1–2 were skipped: the column names are on line 3."]);
    assert_eq!(r.rows, 2);
    let e = &r.errors[0];
    assert_eq!((e.line, e.column.as_str()), (5, "Hire Date (column D)"), "{e:?}");
    assert_eq!(r.outcomes.iter().map(|o| o.line).collect::<Vec<_>>(), [4]);
    // The pages say it on the column page and in the preview.
    let file = Part::bytes(titled.as_bytes().to_vec()).file_name("report.csv").mime_str("text/csv").unwrap();
    let html = body(
        admin.post(app.at("/admin/import/upload")).multipart(Form::new().part("file", file)).send().await.unwrap(),
    )
    .await;
    assert!(html.contains("Lines 1–2 were skipped: the column names are on line 3."), "{html}");
    assert!(html.contains("<th scope=\"col\">Work Email (column C)</th>"), "{html}");
    let chosen = [("map_email", "2"), ("map_name", "1"), ("map_start_date", "3")];
    let html = body(post_mapped(&app, &admin, "/admin/import/preview", titled, &chosen).await).await;
    assert!(
        html.contains("<dt>How the file was read</dt><dd>Lines 1–2 were skipped")
            && html.contains("<th scope=\"row\" data-label=\"Line\">5</th>"),
        "{html}"
    );
}

async fn a_successfactors_row_of_labels_under_the_header_is_skipped(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    let sf = "STATUS,USERID,USERNAME,FIRSTNAME,LASTNAME,EMAIL,MANAGER,DEPARTMENT,HIREDATE,TIMEZONE\r\n\
Status,User ID,Username,First Name,Last Name,Email,Manager,Department,Hire Date,Time Zone\r\n\
active,1001,asmith,Ann,Smith,ann.smith@example.org,1000,Finance,03/31/2019,US/Eastern\r\n\
active,1000,bboss,Bea,Boss,bea.boss@example.org,NO_MANAGER,Exec,01/15/2012,US/Eastern\r\n";
    let r = import(db, sf.as_bytes(), apply()).await;
    assert!(r.applied && r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!((r.rows, r.created), (2, 2));
    assert!(r.notes[0].starts_with("Line 2 was skipped: it holds labels of the columns"), "{:?}", r.notes);
    assert!(r.notes[1].starts_with("Column “MANAGER” holds IDs"), "{:?}", r.notes);
    assert_eq!(r.outcomes.iter().map(|o| o.line).collect::<Vec<_>>(), [3, 4]);
    let ann = profile(db, "ann.smith@example.org").await;
    assert_eq!((ann.name.as_str(), ann.start_date.as_str()), ("Ann Smith", "2019-03-31"));
    assert_eq!(by_employee_id(db, "1001").await.unwrap().email, "ann.smith@example.org");
}

async fn a_windows_1252_file_with_a_chance_utf8_pair_is_imported(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    // “É” then a non-breaking space is a valid UTF-8 pair by chance; nothing else in it is.
    let cp1252 = b"email;nom;pr\xe9nom;service\r\nr1@example.org;MARTIN;REN\xc9\xa0LOUIS;Comptabilit\xe9\r\nr2@example.org;Lef\xe8vre;Zo\xe9;Direction g\xe9n\xe9rale\r\n";
    let r = import(db, cp1252, apply()).await;
    assert_eq!((r.encoding, r.created, r.errors.len()), ("Windows-1252", 2, 0), "{:#?}", r.errors);
    assert_eq!(profile(db, "r1@example.org").await.name, "REN\u{c9} LOUIS MARTIN", "the non-breaking space is a space");
    assert_eq!(profile(db, "r2@example.org").await.name, "Zoé Lefèvre");
}

async fn people_left_reporting_to_someone_deactivated_are_warned_about(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let db = &app.state.db;
    let mut all =
        "email,name,manager_email\r\nboss@example.org,Bo Boss,\r\nnew.boss@example.org,Nia New,\r\n".to_owned();
    for i in 0..13 {
        all.push_str(&format!("r{i:02}@example.org,Report {i:02},boss@example.org\r\n"));
    }
    assert_eq!(import(db, all.as_bytes(), apply()).await.created, 15);
    // Bo Boss leaves: not in the file. One of the team gets Nia, one no manager; the other
    // eleven have empty cells, which keep Bo.
    let mut next = "email,name,manager_email\r\nnew.boss@example.org,Nia New,\r\n".to_owned();
    for i in 0..13 {
        let manager = ["new.boss@example.org", "none"].get(i).copied().unwrap_or("");
        next.push_str(&format!("r{i:02}@example.org,Report {i:02},{manager}\r\n"));
    }
    let deactivating = Options { deactivate_missing: true, ..apply() };
    let r = import(db, next.as_bytes(), Options { dry_run: true, ..deactivating.clone() }).await;
    assert!(r.errors.is_empty() && r.deactivated == 1, "{:#?}", r.errors);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    let w = &r.warnings[0];
    assert!(
        w.starts_with("11 people still report to people this import deactivates: Report 02 (r02@example.org, reports to Bo Boss), Report 03 (")
            && w.contains("Report 11 (r11@example.org, reports to Bo Boss), and 1 more —")
            && !w.contains("Report 00")
            && !w.contains("Report 01")
            && w.ends_with("— give them a new manager in the file, or none in the manager cell."),
        "{w}"
    );
    // The preview page shows it, and it is a warning: the import goes ahead.
    let html = body(post(&app, &admin, "/admin/import/preview", &next, &[("deactivate_missing", "true")]).await).await;
    assert!(
        html.contains("11 people still report to people this import deactivates") && html.contains(">Import</button>"),
        "{html}"
    );
    let r = import(db, next.as_bytes(), deactivating).await;
    assert!(r.applied && r.deactivated == 1 && r.warnings.len() == 1, "{:?}", r.warnings);
    assert!(user(db, "boss@example.org").await.unwrap().deactivated_at.is_some());
    // Without deactivating anyone, nothing to warn about.
    let r = import(db, next.as_bytes(), Options { dry_run: true, ..apply() }).await;
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // One person: said so.
    let one = "email,name,manager_email\r\nr02@example.org,Report 02,\r\n";
    let lead = "email,name,manager_email\r\nnew.boss@example.org,Nia New,\r\nr02@example.org,Report 02,new.boss@example.org\r\n";
    import(db, lead.as_bytes(), apply()).await;
    let r = import(
        db,
        one.as_bytes(),
        Options { dry_run: true, yes_deactivate_many: true, deactivate_missing: true, ..apply() },
    )
    .await;
    assert!(
        r.warnings[0].starts_with("1 person still reports to someone this import deactivates: Report 02 (r02@example.org, reports to Nia New) —"),
        "{:?}",
        r.warnings
    );
}

/// Reports "including terminated workers" list leavers beside the people who now hold their
/// address or employee ID, blank leavers' emails, and can be damaged like any file: a leaver
/// row acts only on the person it is about, found by email (with the same employee ID) or by
/// employee ID, and a leaver row with errors stops the import like any other.
async fn a_leaver_row_never_deactivates_whoever_now_holds_the_address_or_id(d: Dialect) {
    let app = TestApp::spawn(d).await;
    app.setup().await;
    let db = &app.state.db;
    let start = "email,name,employee_id\r\n\
                 john.smith@example.org,John Smith,000300\r\n\
                 ravi@example.org,Ravi Shah,000108\r\n\
                 tom@example.org,Tom Becker,000102\r\n\
                 uma@example.org,Uma Undone,000104\r\n";
    assert_eq!(import(db, start.as_bytes(), apply()).await.created, 4);
    let active = |email: &'static str| async move { user(db, email).await.unwrap().deactivated_at.is_none() };
    // An old record of the address's former holder (another ID), a leaver whose ID was reused
    // for Ravi, and Tom, whose email HR blanked when he left.
    let hr = "Employee ID,Name,Work Email,Worker Status\r\n\
              000050,John Smith,john.smith@example.org,Terminated\r\n\
              000108,Old Guy,old.guy@example.org,Terminated\r\n\
              000108,Ravi Shah,ravi@example.org,Active\r\n\
              000102,Tom Becker,,Terminated\r\n";
    let r = import(db, hr.as_bytes(), apply()).await;
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!(r.deactivations, [("tom@example.org".to_owned(), "Tom Becker".to_owned())], "{r:#?}");
    assert!(active("john.smith@example.org").await && active("ravi@example.org").await);
    assert!(!active("tom@example.org").await, "Tom is found by his employee ID");
    assert_eq!(r.why_deactivated("tom@example.org"), "status “Terminated” in the file");
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("Lines 2, 3 are about someone who has left whose email or employee ID now belongs")),
        "{:?}",
        r.notes
    );
    // Again: Tom is deactivated already, and said so; nothing else changes.
    let again = import(db, hr.as_bytes(), apply()).await;
    assert_eq!((again.deactivated, again.created, again.updated), (0, 0, 0), "{again:#?}");
    assert!(again.notes.iter().any(|n| n.contains("Deactivated already") && n.contains("line 5")), "{:?}", again.notes);
    // Someone's manager who has left, new to Roundtable: said so, not "no one has this email".
    let team = "email,name,manager_email,status\r\nleo@example.org,Leo Left,,Terminated\r\nmia@example.org,Mia,leo@example.org,Active\r\n";
    let r = import(db, team.as_bytes(), apply()).await;
    assert!(
        r.errors.iter().any(|e| e.line == 3
            && e.problem == "leo@example.org is on line 2, which says they have left: they are not added."),
        "{:#?}",
        r.errors
    );
    // A German file with a stray semicolon shifts Uma's start date into the leaving date: the
    // row is an error, and no one is deactivated.
    let shifted = "E-Mail;Name;Abteilung;Eintrittsdatum;Austrittsdatum\r\n\
                   uma@example.org;Uma Undone;Einkauf; Zentral;01.04.2015;\r\n";
    let r = import(db, shifted.as_bytes(), apply()).await;
    assert!(!r.applied && r.deactivated == 0, "{r:#?}");
    assert!(r.errors.iter().any(|e| e.problem.contains("“Zentral” is not a date")), "{:#?}", r.errors);
    assert!(active("uma@example.org").await);
}

/// HR exports list leavers too, with a status or a leaving date: they are deactivated (audited
/// with the status or date), someone Roundtable does not know is not added, an administrator is
/// only warned about, a status of someone still employed (or a date still to come) changes
/// nothing, and a status we cannot read is a row error.
async fn people_an_hr_status_marks_as_leavers_are_deactivated_not_added(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let db = &app.state.db;
    assert_eq!(import(db, FILE.as_bytes(), apply()).await.created, 4);
    let hr = "Work Email,Legal Name,Worker Status\r\n\
              ann@example.org,Ann Assistant,Active\r\n\
              bea@example.org,Bea Peer,Terminated\r\n\
              cfo@example.org,Cai Finance,On Leave\r\n\
              gone@example.org,Gus Gone,Inactive\r\n\
              admin@example.org,Ada Admin,Terminated\r\n";
    let preview = import(db, hr.as_bytes(), Options { dry_run: true, ..apply() }).await;
    assert_eq!(preview.deactivations, [("bea@example.org".to_owned(), "Bea Peer".to_owned())], "{preview:#?}");
    assert!(user(db, "bea@example.org").await.unwrap().deactivated_at.is_none(), "a dry run changes nothing");
    let r = import(db, hr.as_bytes(), apply()).await;
    assert_eq!((r.rows, r.created, r.deactivated, r.errors.len()), (5, 0, 1, 0), "{r:#?}");
    assert!(user(db, "bea@example.org").await.unwrap().deactivated_at.is_some(), "Bea has left");
    assert!(user(db, "cfo@example.org").await.unwrap().deactivated_at.is_none(), "on leave is still here");
    assert!(user(db, "gone@example.org").await.is_none(), "a leaver new to Roundtable is not added");
    assert!(r.notes.iter().any(|n| n.contains("not in Roundtable: not added (line 5)")), "{:?}", r.notes);
    assert!(
        r.counts().contains("1 row about people who left, with nothing to do"),
        "every row counted: {}",
        r.counts()
    );
    assert!(user(db, "admin@example.org").await.unwrap().deactivated_at.is_none());
    assert!(
        r.warnings.iter().any(|w| w.contains("admin@example.org") && w.contains("administrator")),
        "{:?}",
        r.warnings
    );
    let (log, _) = audit::page(db, 50, 0).await.unwrap();
    let entry = log.iter().find(|e| e.action == "person.deactivated" && e.subject == "bea@example.org");
    assert!(entry.is_some_and(|e| e.detail.contains("status “Terminated”")), "{log:?}");
    // The same file again changes nothing; a status we cannot read is a row error.
    let again = import(db, hr.as_bytes(), apply()).await;
    assert_eq!((again.created, again.updated, again.deactivated), (0, 0, 0), "{again:#?}");
    let odd = import(db, b"email,status\r\nann@example.org,Maybe\r\n", apply()).await;
    assert!(odd.errors.iter().any(|e| e.problem.contains("“Maybe”") && e.fix.contains("Terminated")), "{odd:#?}");
    // A termination date says the same from its day on; one still to come changes nothing yet.
    let dated = "Email,Termination Date\r\ncfo@example.org,2020-01-31\r\nann@example.org,2999-12-31\r\n";
    let r = import(db, dated.as_bytes(), apply()).await;
    assert_eq!((r.deactivated, r.updated, r.errors.len()), (1, 0, 0), "{r:#?}");
    assert!(user(db, "cfo@example.org").await.unwrap().deactivated_at.is_some(), "Cai left in 2020");
    assert!(user(db, "ann@example.org").await.unwrap().deactivated_at.is_none(), "Ann leaves in 2999");
    let (log, _) = audit::page(db, 50, 0).await.unwrap();
    let entry = log.iter().find(|e| e.action == "person.deactivated" && e.subject == "cfo@example.org");
    assert!(entry.is_some_and(|e| e.detail.contains("leaving date 31 January 2020 in the file")), "{log:?}");
}
