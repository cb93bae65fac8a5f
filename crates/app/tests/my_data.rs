//! "Download my data" and erasure at their edges, over HTTP on SQLite and PostgreSQL: an email
//! address reused by someone else stays with whoever holds it now, the Manager and Supports
//! fields of others show only where their audience allows, and checklist steps wait for the
//! current charter. (The main my-data journey is in members.rs.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::StatusCode;
use roundtable_app::import::{Options, console};
use roundtable_domain::UserId;
use roundtable_store::{Dialect, audit, networks, params, users};
use support::{PASSWORD, TestApp};

both!(
    a_reused_address_stays_with_whoever_holds_it_now,
    erasure_removes_the_name_from_the_audit_log_and_from_mail_about_them,
    my_data_names_people_only_where_their_manager_and_supports_audience_allows,
    my_data_hides_checklist_steps_until_the_current_charter_is_accepted,
    erasure_removes_the_name_in_any_case_from_events_charters_steps_and_feedback,
    the_api_gives_my_data_as_csv_too_and_only_mine,
);

async fn body(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

async fn import(app: &TestApp, csv: &str) {
    let (_, _, r) = console::import(&app.state.db, csv.as_bytes(), "hr.csv", None, &Options::default(), &|_, _, _| {})
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

async fn id(app: &TestApp, email: &str) -> UserId {
    users::by_email(&app.state.db, email).await.unwrap().unwrap_or_else(|| panic!("{email}")).id
}

/// Signs in someone imported (they have no password until they choose one).
async fn sign_in_imported(app: &TestApp, email: &str) -> reqwest::Client {
    roundtable_app::admin::console::reset_password(&app.state.db, email, PASSWORD).await.unwrap();
    app.sign_in(email).await
}

async fn export(app: &TestApp, c: &reqwest::Client) -> serde_json::Value {
    c.get(app.at("/account/export.json")).send().await.unwrap().json().await.unwrap()
}

fn subjects(json: &serde_json::Value) -> Vec<String> {
    json["emails_to_you"].as_array().unwrap().iter().map(|m| m["subject"].as_str().unwrap().to_owned()).collect()
}

async fn invite(app: &TestApp, admin: &reqwest::Client, slug: &str, email: &str) {
    let r = admin.post(app.at(&format!("/n/{slug}/invite"))).form(&[("email", email), ("role", "member")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
}

async fn count(app: &TestApp, sql: &'static str, p: Vec<roundtable_store::Value>) -> i64 {
    app.state.db.read(sql, p).await.unwrap()[0].int(0).unwrap()
}

async fn a_reused_address_stays_with_whoever_holds_it_now(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "first", "invitation_only").await;
    app.network(&admin, "inner", "invitation_only").await;
    // Ann is invited while she has ann@; then HR gives her ann.new@.
    import(&app, "email,name,employee_id\r\nann@example.org,Ann Able,E1\r\n").await;
    let ann_id = id(&app, "ann@example.org").await;
    invite(&app, &admin, "first", "ann@example.org").await;
    import(&app, "email,name,employee_id\r\nann.new@example.org,Ann Able,E1\r\n").await;
    // Someone new gets ann@: invited first, then an account.
    invite(&app, &admin, "inner", "ann@example.org").await;
    roundtable_app::admin::console::create_user(&app.state.db, "ann@example.org", "Nat New", PASSWORD, false)
        .await
        .unwrap();
    let nat = app.sign_in("ann@example.org").await;
    let wrong = app.client().post(app.at("/sign-in")).form(&[("email", "ann@example.org"), ("password", "nope")]);
    assert_eq!(wrong.send().await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Ann's download has her own invitation to her old address, not the new holder's.
    let ann = sign_in_imported(&app, "ann.new@example.org").await;
    let mine = export(&app, &ann).await;
    let s = subjects(&mine);
    assert!(s.iter().any(|s| s.ends_with("Network first")), "{s:?}");
    assert!(!s.iter().any(|s| s.contains("Network inner")), "another person's mail: {s:?}");
    let links = mine["links_sent_to_you"].as_array().unwrap();
    assert_eq!(links.iter().filter(|l| l["purpose"] == "invite").count(), 1, "{links:?}");
    // So does what the administrator recorded about her; Nat's failed sign-in is not hers.
    let invited_to = |json: &serde_json::Value| -> Vec<String> {
        json["recorded_about_you"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "membership.invited")
            .map(|e| e["network"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(invited_to(&mine), ["Network first"], "{mine:#}");
    assert_eq!(mine["failed_sign_ins"], serde_json::json!([]));
    // Nat's is the other way round.
    let nat_data = export(&app, &nat).await;
    let theirs = subjects(&nat_data);
    assert!(theirs.iter().any(|s| s.ends_with("Network inner")), "{theirs:?}");
    assert!(!theirs.iter().any(|s| s.contains("Network first")), "{theirs:?}");
    assert_eq!(invited_to(&nat_data), ["Network inner"], "{nat_data:#}");
    assert_eq!(nat_data["failed_sign_ins"].as_array().unwrap().len(), 1);

    // Erasing Ann leaves Nat's invitation, mail, audit entry and failed sign-in alone.
    let r = admin
        .post(app.at(&format!("/admin/people/{ann_id}/erase")))
        .form(&[("confirm", "ERASE")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let inner = networks::by_slug(&app.state.db, "inner").await.unwrap().unwrap().id;
    let first = networks::by_slug(&app.state.db, "first").await.unwrap().unwrap().id;
    let links = "SELECT COUNT(*) FROM one_time_links WHERE email = $1 AND network_id = $2";
    assert_eq!(count(&app, links, params!["ann@example.org", inner]).await, 1, "Nat's invitation stays");
    assert_eq!(count(&app, links, params!["ann@example.org", first]).await, 0, "Ann's is gone");
    let mail = "SELECT COUNT(*) FROM outbox WHERE to_addr = $1 AND subject LIKE $2";
    assert_eq!(count(&app, mail, params!["ann@example.org", "%Network inner"]).await, 1, "Nat's mail stays");
    assert_eq!(count(&app, mail, params!["ann@example.org", "%Network first"]).await, 0, "Ann's is gone");
    let (log, _) = audit::page(&app.state.db, 100, 0).await.unwrap();
    let invited = |n| log.iter().find(|e| e.action == "membership.invited" && e.network_id == Some(n)).unwrap();
    assert_eq!(invited(inner).subject, "ann@example.org", "Nat's entry still names Nat");
    assert_eq!(invited(first).subject, "a former member");
    let failures = roundtable_store::login_failures::times_for_key(
        &app.state.db,
        &roundtable_app::accounts::account_failure_key("ann@example.org"),
    )
    .await
    .unwrap();
    assert_eq!(failures.len(), 1, "Nat's failed sign-in still counts");
    assert_eq!(export(&app, &nat).await["failed_sign_ins"].as_array().unwrap().len(), 1);
}

async fn profile(app: &TestApp, c: &reqwest::Client, extra: &[(&str, &str)]) {
    let mut form = vec![("job_title", "EA"), ("department", "Legal"), ("time_zone", "UTC")];
    form.extend_from_slice(extra);
    let r = c.post(app.at("/profile")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
}

async fn my_data_names_people_only_where_their_manager_and_supports_audience_allows(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let _admin = app.setup().await;
    let mia = app.user("mia@example.org", "Mia Manager").await;
    let mut leaving = Vec::new();
    for (email, name, form) in [
        ("ray@example.org", "Ray Open", [("manager_email", "mia@example.org"), ("audience_manager", "organisation")]),
        ("rita@example.org", "Rita Hidden", [("manager_email", "mia@example.org"), ("audience_manager", "organisers")]),
        (
            "sam@example.org",
            "Sam Shown",
            [("supports_emails", "mia@example.org"), ("audience_supports", "organisation")],
        ),
        (
            "sue@example.org",
            "Sue Hidden",
            [("supports_emails", "mia@example.org"), ("audience_supports", "organisers")],
        ),
    ] {
        let c = app.user(email, name).await;
        profile(&app, &c, &form).await;
        leaving.push(c);
    }
    let json = export(&app, &mia).await;
    assert_eq!(json["profile"]["reports"], serde_json::json!(["Ray Open"]));
    assert_eq!(json["profile"]["supported_by"], serde_json::json!(["Sam Shown"]));
    // Someone who has left appears nowhere, Mia's data included.
    for c in &leaving {
        let form = [("confirm_password", support::PASSWORD)];
        let r = c.post(app.at("/account/deactivate")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let json = export(&app, &mia).await;
    assert_eq!(json["profile"]["reports"], serde_json::json!([]));
    assert_eq!(json["profile"]["supported_by"], serde_json::json!([]));
}

async fn my_data_hides_checklist_steps_until_the_current_charter_is_accepted(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let r = admin
        .post(app.at("/n/eas/onboarding/steps"))
        .form(&[("title", "Collect the vault codes"), ("description", ""), ("automatic", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let bo = app.user("bo@example.org", "Bo Newcomer").await;
    assert_eq!(bo.post(app.at("/n/eas/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let r = admin.post(app.at("/n/eas/charter")).form(&[("body", "Be kind.")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The network's page hides the steps now; so does the download.
    let text = body(bo.get(app.at("/account/export.json")).send().await.unwrap()).await;
    assert!(!text.contains("Collect the vault codes"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["onboarding"][0]["network"], "Network eas");
    assert_eq!(json["onboarding"][0]["steps"], serde_json::json!([]));
    assert!(json["onboarding"][0]["pending"].as_str().unwrap().contains("charter"));
    let r = bo.post(app.at("/n/eas/charter/accept")).form(&[("version", "1"), ("agree", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let json = export(&app, &bo).await;
    assert_eq!(json["onboarding"][0]["steps"][0]["step"], "Collect the vault codes");
    assert!(json["onboarding"][0]["pending"].is_null());
}

async fn erasure_removes_the_name_from_the_audit_log_and_from_mail_about_them(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "allies", "by_request").await;
    app.network(&admin, "circle", "invitation_only").await;
    // Olu chairs Allies, so requests to join are mailed to Olu.
    let olu = app.user("olu@example.org", "Olu Chair").await;
    let r =
        admin.post(app.at("/n/allies/invite")).form(&[("email", "olu@example.org"), ("role", "chair")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let home = olu.get(app.at("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("You are invited as its <strong>Chair</strong>."), "the role offered is said: {home}");
    assert!(home.contains(r#"<a class="button secondary" href="/n/allies/leave">Decline"#), "and declining: {home}");
    let confirm = olu.get(app.at("/n/allies/leave")).send().await.unwrap().text().await.unwrap();
    assert!(confirm.contains("Decline the invitation"), "{confirm}");
    assert_eq!(olu.post(app.at("/n/allies/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let carmen = app.user("carmen@example.org", "Carmen Okafor").await;
    // Her request is mailed to the organisers; her accepted invitation is audited by name.
    assert_eq!(carmen.post(app.at("/n/allies/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    roundtable_app::networks::send_request_notices(&app.state, chrono::Utc::now()).await.unwrap();
    invite(&app, &admin, "circle", "carmen@example.org").await;
    assert_eq!(carmen.post(app.at("/n/circle/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let mail = "SELECT COUNT(*) FROM outbox WHERE subject LIKE $1 OR text_body LIKE $1 OR html_body LIKE $1";
    let audit = "SELECT COUNT(*) FROM audit_log WHERE subject LIKE $1 OR detail LIKE $1 OR actor_name LIKE $1";
    assert!(count(&app, mail, params!["%Carmen Okafor%"]).await > 0, "the organisers were told");
    assert!(count(&app, audit, params!["%Carmen Okafor%"]).await > 0, "the acceptance was audited");
    // Without an SMTP server, sent mail is also a file in the data folder.
    assert!(app.emails_to("olu@example.org").await.iter().any(|m| m.contains("Carmen Okafor")));
    assert!(!app.emails_to("carmen@example.org").await.is_empty(), "she was mailed too");

    let carmen_id = id(&app, "carmen@example.org").await;
    let r = admin
        .post(app.at(&format!("/admin/people/{carmen_id}/erase")))
        .form(&[("confirm", "ERASE")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(count(&app, mail, params!["%Carmen Okafor%"]).await, 0, "mail about her no longer names her");
    assert_eq!(count(&app, audit, params!["%Carmen Okafor%"]).await, 0, "nor does the audit log");
    // The mail to the organisers stays, saying who asked in general terms.
    assert!(count(&app, mail, params!["%a former member%"]).await > 0);
    let page = body(admin.get(app.at("/admin/audit")).send().await.unwrap()).await;
    assert!(!page.contains("Carmen Okafor"), "{page}");
    // The files go too: hers, and the organisers' copies that named her.
    assert!(app.emails_to("carmen@example.org").await.is_empty());
    let to_olu = app.emails_to("olu@example.org").await;
    assert!(!to_olu.is_empty() && to_olu.iter().all(|m| !m.contains("Carmen Okafor")), "{to_olu:#?}");
    // Nor does her name live on in the database file's free pages or its log (SQLite).
    if d == Dialect::Sqlite {
        for file in ["roundtable.db", "roundtable.db-wal"] {
            let bytes = std::fs::read(app.db.dir.path().join(file)).unwrap_or_default();
            assert!(!bytes.windows(13).any(|w| w == b"Carmen Okafor"), "{file} still holds her name");
        }
    }
}

/// Text organisers and members wrote about someone outside the audit log, mail and minutes:
/// events, charters, onboarding steps, feedback and network descriptions, in any letter case.
async fn erasure_removes_the_name_in_any_case_from_events_charters_steps_and_feedback(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let carmen = app.user("carmen@example.org", "Carmen Okafor").await;
    assert_eq!(carmen.post(app.at("/n/eas/join")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let db = &app.state.db;
    let net = networks::by_slug(db, "eas").await.unwrap().unwrap().id;
    let start = chrono::Utc::now() + chrono::Duration::days(3);
    let description = "CARMEN OKAFOR is moving on; bring a card. Ask Cara Okafor for the rota.";
    // She goes by Cara: how others write her name too.
    let carmen_uid = users::by_email(db, "carmen@example.org").await.unwrap().unwrap().id;
    let set_preferred = "INSERT INTO profiles (user_id, preferred_name, updated_at) VALUES ($1, 'Cara', 0)";
    assert_eq!(db.write(set_preferred, params![carmen_uid]).await.unwrap(), 1);
    app.event(&admin, "eas", "Farewell for Carmen Okafor", description, start).await;
    let r =
        admin.post(app.at("/n/eas/charter")).form(&[("body", "Questions about the rota go to carmen okafor.")]).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::SEE_OTHER);
    let r = admin
        .post(app.at("/n/eas/onboarding/steps"))
        .form(&[("title", "Meet Carmen Okafor"), ("description", "She runs the rota."), ("automatic", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let texts = "SELECT (SELECT COUNT(*) FROM events WHERE LOWER(title || description) LIKE $1) \
        + (SELECT COUNT(*) FROM charters WHERE LOWER(body) LIKE $1) \
        + (SELECT COUNT(*) FROM onboarding_steps WHERE LOWER(title || description) LIKE $1)";
    assert_eq!(count(&app, texts, params!["%carmen okafor%"]).await, 3, "named in each before");

    // A message to her that bounced: its job keeps the mail server's answer, naming her.
    let now = chrono::Utc::now();
    let job = roundtable_store::jobs::NewJob {
        kind: "send_email",
        payload: "{}".into(),
        dedupe_key: None,
        // Not due: no worker takes it before it is marked failed.
        run_at: now + chrono::Duration::days(1),
        max_attempts: 1,
    };
    let job = roundtable_store::jobs::enqueue(db, job, now).await.unwrap().unwrap();
    let bounce = "550 5.1.1 <carmen@example.org>: Recipient address rejected";
    roundtable_store::jobs::fail(db, job, bounce, now).await.unwrap();

    // She once asked for a password reset: the request's job holds her address.
    let r =
        app.client().post(app.at("/password/forgot")).form(&[("email", "Carmen@Example.org")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.jobs_done().await;
    let payloads = "SELECT COUNT(*) FROM jobs WHERE payload LIKE $1";
    assert_eq!(count(&app, payloads, params!["%carmen@example.org%"]).await, 1);

    let carmen_id = id(&app, "carmen@example.org").await;
    let r = admin.post(app.at(&format!("/admin/people/{carmen_id}/erase"))).form(&[("confirm", "ERASE")]).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(count(&app, texts, params!["%carmen okafor%"]).await, 0, "named in none after");
    let errors = "SELECT COUNT(*) FROM jobs WHERE last_error LIKE $1";
    assert_eq!(count(&app, errors, params!["%carmen@example.org%"]).await, 0, "nor in a bounced job");
    assert_eq!(count(&app, payloads, params!["%carmen@example.org%"]).await, 0, "nor in her reset request");
    assert_eq!(count(&app, errors, params!["%<a former member>: Recipient%"]).await, 1);
    let rows = db.read("SELECT title, description FROM events WHERE network_id = $1", params![net]).await.unwrap();
    let event: Vec<(String, String)> = rows.iter().map(|r| (r.text(0).unwrap(), r.text(1).unwrap())).collect();
    assert_eq!(
        event,
        [(
            "Farewell for a former member".to_owned(),
            "a former member is moving on; bring a card. Ask a former member for the rota.".to_owned()
        )],
        "the event stays, without her name"
    );
    let page = body(admin.get(app.at("/n/eas/charter")).send().await.unwrap()).await;
    assert!(page.contains("Questions about the rota go to a former member."), "{page}");

    // A name with accents and umlauts goes in the spellings people type it with too.
    app.user("zoe@example.org", "Zoë Müller").await;
    let later = start + chrono::Duration::days(1);
    app.event(&admin, "eas", "Lunch with Zoe Mueller", "Ask ZOE MULLER or Zoë Müller where.", later).await;
    let zoe_id = id(&app, "zoe@example.org").await;
    let r = admin.post(app.at(&format!("/admin/people/{zoe_id}/erase"))).form(&[("confirm", "ERASE")]).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::SEE_OTHER);
    let rows = db.read("SELECT title, description FROM events WHERE title LIKE 'Lunch%'", params![]).await.unwrap();
    let event: Vec<(String, String)> = rows.iter().map(|r| (r.text(0).unwrap(), r.text(1).unwrap())).collect();
    assert_eq!(
        event,
        [("Lunch with a former member".to_owned(), "Ask a former member or a former member where.".to_owned())]
    );
}

/// `GET /api/v1/me/data.csv`: the account page's CSV download over the API — the caller's own
/// data, row for row as the page gives it, and nothing of anyone else's.
async fn the_api_gives_my_data_as_csv_too_and_only_mine(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    import(
        &app,
        "email,name,employee_id,job_title,networks\r\n\
         ann@example.org,Ann Able,E1,Executive Assistant,eas\r\n\
         bob@example.org,Bob Baker,0042,Chief of Staff,eas\r\n",
    )
    .await;
    let ann = sign_in_imported(&app, "ann@example.org").await;
    let bob = sign_in_imported(&app, "bob@example.org").await;
    let (ann_token, bob_token) = (app.api_token(&ann).await, app.api_token(&bob).await);
    let csv_of = |token: String| {
        let url = app.at("/api/v1/me/data.csv");
        async move {
            let r = reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
            assert!(r.headers()["content-disposition"].to_str().unwrap().contains("my-roundtable-data.csv"));
            r.bytes().await.unwrap()
        }
    };
    let csv = csv_of(ann_token.clone()).await;
    assert!(csv.starts_with(b"\xEF\xBB\xBFfield,value\r\n"), "the page's Excel-friendly CSV");
    let text = String::from_utf8_lossy(&csv).into_owned();
    let ann_id = id(&app, "ann@example.org").await;
    for row in [
        format!("account.id,{ann_id}"),
        "account.email,ann@example.org".into(),
        "account.employee_id,E1".into(),
        "profile.job_title,Executive Assistant".into(),
        "memberships[1].network,Network eas".into(),
        "api_tokens[1].name,test".into(),
    ] {
        assert!(text.contains(&format!("\r\n{row}\r\n")), "{row} in:\n{text}");
    }
    // The token this request came with was used: when, is Ann's data too.
    assert!(text.contains("\r\napi_tokens[1].last_used,20"), "{text}");
    for bobs in ["bob@example.org", "Bob Baker", "0042", "Chief of Staff"] {
        assert!(!text.contains(bobs), "Bob's {bobs} in Ann's data:\n{text}");
    }
    // The same rows as the page's download (the sessions' "last active" aside, which this
    // very request may move) and as the JSON, flattened.
    let page = ann.get(app.at("/account/export.csv")).send().await.unwrap().bytes().await.unwrap();
    let stable = |csv: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(csv).lines().filter(|l| !l.starts_with("sessions[")).map(str::to_owned).collect()
    };
    assert_eq!(stable(&csv), stable(&page));
    let json = support::api_get(app.at("/api/v1/me/data"), &ann_token).await;
    let rows = roundtable_app::account::flatten(&json);
    assert_eq!(stable(&csv).len() - 1, rows.iter().filter(|(k, _)| !k.starts_with("sessions[")).count());

    // Bob's is his own.
    let text = String::from_utf8_lossy(&csv_of(bob_token).await).into_owned();
    assert!(text.contains("\r\naccount.email,bob@example.org\r\n") && !text.contains("ann@example.org"), "{text}");
    // His employee ID keeps its zeros in a spreadsheet.
    assert!(text.contains("\r\naccount.employee_id,\"=\"\"0042\"\"\"\r\n"), "{text}");
    // Separated by semicolons, for Excel set to French or German.
    let page = ann.get(app.at("/account/export.csv?separator=semicolon")).send().await.unwrap().bytes().await.unwrap();
    assert!(page.starts_with(b"\xEF\xBB\xBFfield;value\r\n"));
    // Without a token: a problem, not someone's data.
    let r = reqwest::Client::new().get(app.at("/api/v1/me/data.csv")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = r.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("Authorization: Bearer"), "said as to a client: {problem}");
}
