//! Every error under `/api/v1` is an RFC 9457 problem document, on SQLite and PostgreSQL: unknown
//! paths and methods, query strings and bodies that do not parse, missing or refused tokens (with
//! `WWW-Authenticate: Bearer`); and the OpenAPI document names its tags and error responses,
//! those operations share among them (403 for an unconfirmed address, 409 for a charter to
//! accept, 400 for a query string that cannot be read) — checked against what the server answers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::{Response, StatusCode};
use roundtable_store::Dialect;
use support::TestApp;

both!(
    unknown_paths_and_methods_under_the_api_are_problems,
    query_strings_and_bodies_that_do_not_parse_are_problems_that_say_why,
    a_missing_token_is_a_problem_naming_the_bearer_scheme_in_any_case,
    the_openapi_document_has_readable_tags_and_lists_error_responses,
    an_unconfirmed_address_is_refused_everywhere_as_documented,
    a_charter_to_accept_closes_the_operations_that_document_it,
);

/// Asserts that `r` is a problem document with this status and code, and returns it.
async fn problem(r: Response, status: StatusCode, code: &str) -> serde_json::Value {
    let url = r.url().clone();
    assert_eq!(r.status(), status, "{url}");
    assert_eq!(r.headers()["content-type"], "application/problem+json", "{url}");
    let p: serde_json::Value = r.json().await.unwrap_or_else(|e| panic!("{url}: not JSON: {e}"));
    assert_eq!(p["status"], status.as_u16(), "{url}: {p}");
    assert_eq!(p["code"], code, "{url}: {p}");
    assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()), "{url}: {p}");
    p
}

async fn unknown_paths_and_methods_under_the_api_are_problems(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let token = app.api_token(&admin).await;
    let api = reqwest::Client::new();
    for path in ["/api/v1/nope", "/api/v1/memberships", "/api/v1", "/api/v1/", "/api/v1/networks/a/b/c/d"] {
        let r = api.get(app.at(path)).bearer_auth(&token).send().await.unwrap();
        problem(r, StatusCode::NOT_FOUND, "not_found").await;
    }
    // Pages keep their HTML 404.
    let page = api.get(app.at("/no-such-page")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));

    let r = api.put(app.at("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    let allow = r.headers().get("allow").expect("an Allow header").to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && !allow.contains("PUT"), "{allow}");
    let p = problem(r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    assert!(p["detail"].as_str().unwrap().contains("PUT"), "{p}");
    // Also for the routes other areas add, and without a token.
    let r = api.patch(app.at("/api/v1/networks/x/membership")).send().await.unwrap();
    let allow = r.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("POST") && allow.contains("DELETE"), "{allow}");
    problem(r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    let r = api.post(app.at("/api/v1/people")).bearer_auth(&token).send().await.unwrap();
    problem(r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

async fn query_strings_and_bodies_that_do_not_parse_are_problems_that_say_why(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "assistants", "open").await;
    let token = app.api_token(&admin).await;
    let api = reqwest::Client::new();
    let before = support::api_get(app.at("/api/v1/networks/assistants"), &token).await;

    let r = api
        .post(app.at("/api/v1/networks/assistants/membership?accept_charter=abc"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let p = problem(r, StatusCode::BAD_REQUEST, "bad_request").await;
    assert!(p["detail"].as_str().unwrap().contains("accept_charter"), "{p}");
    // Nothing changed.
    assert_eq!(support::api_get(app.at("/api/v1/networks/assistants"), &token).await, before);
    // A parameter given twice is refused too, naming it (as UnreadableQuery documents).
    let r = api.get(app.at("/api/v1/networks/assistants/members?q=a&q=b")).bearer_auth(&token).send().await.unwrap();
    let p = problem(r, StatusCode::BAD_REQUEST, "bad_request").await;
    assert!(p["detail"].as_str().unwrap().contains("`q`"), "{p}");

    // A body that is not JSON, one not labelled JSON, one of the wrong shape (the RSVP route
    // belongs to events; the refusals come before it looks the event up).
    let rsvp = app.at("/api/v1/events/0190b2c4-0000-7000-8000-000000000000/rsvp");
    let r = api
        .post(&rsvp)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let p = problem(r, StatusCode::BAD_REQUEST, "bad_request").await;
    assert!(p["detail"].as_str().unwrap().to_lowercase().contains("json"), "{p}");
    let r = api.post(&rsvp).bearer_auth(&token).body(r#"{"answer":"yes"}"#).send().await.unwrap();
    problem(r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    let r = api.post(&rsvp).bearer_auth(&token).json(&serde_json::json!({"answer": 42})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["status"], 422, "{p}");
    assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()), "{p}");
    assert_eq!(p["errors"][0]["field"], "answer", "the field at fault is named: {p}");
    // The message names the type wanted in a client author's words, not Rust's ("i64").
    let body = serde_json::json!({"occurrence": "tomorrow", "response": "yes"});
    let r = api.post(&rsvp).bearer_auth(&token).json(&body).send().await.unwrap();
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    let message = p["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("expected a whole number") && !message.contains("i64"), "{p}");
    // A value of the wrong JSON type where a choice is expected is the same 422 naming the
    // field (serde_json alone would call it a syntax error: a 400 saying the body is not JSON),
    // and a nested one is named by its path.
    let invite = app.at("/api/v1/networks/assistants/invitations/batch");
    for (body, field) in [
        (serde_json::json!({"emails": ["new@example.org"], "role": 5}), "role"),
        (serde_json::json!({"emails": ["new@example.org", 7], "role": "member"}), "emails[1]"),
        // A field left out, or one the operation does not take, is named too.
        (serde_json::json!({"role": "member"}), "emails"),
        (serde_json::json!({"emails": ["new@example.org"], "role": "member", "rôle": "chair"}), "rôle"),
    ] {
        let r = api.post(&invite).bearer_auth(&token).json(&body).send().await.unwrap();
        let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    let huge = serde_json::json!({"emails": vec!["someone.with.a.long.address@example.org"; 60_000], "role": "member"});
    let r = api.post(&invite).bearer_auth(&token).json(&huge).send().await.unwrap();
    let p = problem(r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert!(p["detail"].as_str().unwrap().contains("2 MB"), "{p}");
    let invitations = support::api_get(app.at("/api/v1/networks/assistants/invitations"), &token).await;
    assert!(!invitations.to_string().contains("new@example.org"), "nothing was sent: {invitations}");

    // A path segment of the wrong kind is still a JSON answer.
    let r = api.get(app.at("/api/v1/events/not-a-uuid")).bearer_auth(&token).send().await.unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

async fn a_missing_token_is_a_problem_naming_the_bearer_scheme_in_any_case(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    let token = app.api_token(&admin).await;
    let api = reqwest::Client::new();
    for auth in [None, Some("Basic YWRtaW46eA==".to_owned()), Some("Bearer rt_wrong".into()), Some("Bearer ".into())] {
        let mut req = api.get(app.at("/api/v1/me"));
        if let Some(a) = &auth {
            req = req.header("authorization", a);
        }
        let r = req.send().await.unwrap();
        let www = r.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_owned());
        assert!(www.as_deref().is_some_and(|w| w.starts_with("Bearer")), "{auth:?}: {www:?}");
        problem(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let r =
            api.get(app.at("/api/v1/me")).header("authorization", format!("{scheme} {token}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{scheme}");
        assert_eq!(r.json::<serde_json::Value>().await.unwrap()["email"], "admin@example.org");
    }
}

async fn the_openapi_document_has_readable_tags_and_lists_error_responses(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let spec: serde_json::Value = reqwest::get(app.at("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    let tags = |path: &str, method: &str| spec["paths"][path][method]["tags"].clone();
    assert_eq!(tags("/api/v1/me", "get"), serde_json::json!(["me"]));
    assert_eq!(tags("/api/v1/networks/{slug}/membership", "post"), serde_json::json!(["networks"]));
    assert_eq!(tags("/api/v1/networks/{slug}/events", "get"), serde_json::json!(["events"]));
    assert_eq!(tags("/api/v1/people", "get"), serde_json::json!(["people"]));
    assert_eq!(tags("/api/v1/networks/{slug}/buddies", "get"), serde_json::json!(["onboarding"]));
    // Fields that take a fixed set of values list them, so generated clients get enums.
    let values = |schema: &str, field: &str| spec["components"]["schemas"][schema]["properties"][field]["enum"].clone();
    assert_eq!(values("NetworkJson", "visibility"), serde_json::json!(["open", "by_request", "invitation_only"]));
    assert_eq!(values("RsvpJson", "response"), serde_json::json!(["yes", "no", "maybe"]));
    assert!(values("EventJson", "kind").as_array().is_some_and(|k| k.contains(&"workshop".into())), "{spec}");
    for (schema, field) in [("EventJson", "location_mode"), ("EventJson", "audience"), ("MemberJson", "role")] {
        assert!(values(schema, field).is_array(), "{schema}.{field} lists its values");
    }
    // The caller's standing in a network: one of its values, or null where there is none.
    let status = &spec["components"]["schemas"]["NetworkJson"]["properties"]["my_status"];
    assert_eq!(status["enum"], serde_json::json!(["active", "requested", "invited", null]), "{status}");
    assert_eq!(status["type"], serde_json::json!(["string", "null"]), "{status}");
    assert!(values("NetworkJson", "my_role").as_array().is_some_and(|r| r.contains(&"chair".into())), "{spec}");
    // An import refused for its rows' errors carries the dry run's report: described.
    let refused = &spec["paths"]["/api/v1/imports/members"]["post"]["responses"]["422"]["content"];
    assert_eq!(refused["application/problem+json"]["schema"]["$ref"], "#/components/schemas/ImportProblem");
    let import_problem = spec["components"]["schemas"]["ImportProblem"].to_string();
    assert!(import_problem.contains("ImportReportJson") && import_problem.contains("Problem"), "{import_problem}");
    let join = &spec["paths"]["/api/v1/networks/{slug}/membership"]["post"]["responses"];
    for status in ["400", "401", "403", "404", "422"] {
        assert!(join[status].is_object(), "join should document {status}: {join}");
    }
    let mut operations = 0;
    let mut ids = std::collections::HashSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            // What OpenAPI requires and code generators rely on: an operationId used once, and
            // words for every response.
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(ids.insert(id.to_owned()), "{method} {path}: operationId {id} is used twice");
            for (status, r) in op["responses"].as_object().unwrap() {
                let described = r["description"].as_str().is_some_and(|d| !d.trim().is_empty());
                assert!(described || r["$ref"].is_string(), "{method} {path} {status}: no description");
            }
            let tags = op["tags"].as_array().unwrap();
            assert!(tags.iter().all(|t| !t.as_str().unwrap().contains("::")), "{method} {path}: {tags:?}");
            assert!(op["responses"]["401"].is_object(), "{method} {path} should document 401");
            if op["requestBody"]["content"]["application/json"].is_object() {
                for status in ["400", "413", "415", "422"] {
                    assert!(
                        op["responses"][status].is_object(),
                        "{method} {path} takes JSON: should document {status}"
                    );
                }
            }
        }
    }
    assert!(operations >= 15, "{operations}");
    assert!(spec["components"]["responses"]["Unauthenticated"].is_object());

    // The errors operations share, each documented once and referred to where it can occur.
    let shared = &spec["components"]["responses"];
    for name in ["EmailUnconfirmed", "CharterAcceptanceRequired", "UnreadableQuery"] {
        assert!(shared[name]["description"].as_str().is_some_and(|d| !d.is_empty()), "{name}: {shared}");
        assert!(shared[name]["content"]["application/problem+json"].is_object(), "{name}");
    }
    let refers = |r: &serde_json::Value, name: &str| r["$ref"] == format!("#/components/responses/{name}");
    let responses = |path: &str, method: &str| spec["paths"][path][method]["responses"].clone();
    let members = responses("/api/v1/networks/{slug}/members", "get");
    assert!(refers(&members["409"], "CharterAcceptanceRequired"), "{members}");
    assert!(refers(&members["400"], "UnreadableQuery"), "it takes q and page: {members}");
    assert!(refers(&responses("/api/v1/me", "get")["403"], "EmailUnconfirmed"));
    // Where an operation describes the same status itself, its words stay, with the shared case.
    let erase = responses("/api/v1/people/{id}", "delete");
    let own_403 = erase["403"]["description"].as_str().unwrap();
    assert!(own_403.starts_with("Org admins only") && own_403.contains("confirmed their email"), "{own_403}");
    let people = responses("/api/v1/people", "get");
    let own_409 = people["409"]["description"].as_str().unwrap();
    assert!(own_409.starts_with("`network` asks the caller to accept its current charter first"), "{own_409}");
    let nudge = responses("/api/v1/networks/{slug}/onboarding/newcomers/{person}/nudge", "post");
    let own_409 = nudge["409"]["description"].as_str().unwrap();
    assert!(own_409.starts_with("They have done every step") && own_409.contains("charter_acceptance_required"));
    // Joining, leaving and the charter itself stay open to someone with a charter to accept.
    for (path, method) in [
        ("/api/v1/networks/{slug}", "get"),
        ("/api/v1/networks/{slug}/charter", "get"),
        ("/api/v1/networks/{slug}/charter/acceptance", "post"),
        ("/api/v1/networks/{slug}/membership", "post"),
        ("/api/v1/networks/{slug}/membership", "delete"),
    ] {
        let r = responses(path, method);
        assert!(
            !r.to_string().contains("harter_acceptance") && !r.to_string().contains("CharterAcceptance"),
            "{method} {path}: {r}"
        );
    }
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["responses"]["403"].is_object(), "{method} {path} should document 403 (an unconfirmed address)");
            let query = op["parameters"].as_array().into_iter().flatten().any(|p| p["in"] == "query");
            if query {
                assert!(
                    op["responses"]["400"].is_object(),
                    "{method} {path} takes a query string: should document 400"
                );
            }
            let gated = path.starts_with("/api/v1/networks/{slug}/") || path.starts_with("/api/v1/events/{id}");
            if gated && !path.contains("/charter") && !path.ends_with("/membership") {
                assert!(op["responses"]["409"].is_object(), "{method} {path} should document 409");
            }
        }
    }

    // Erasure asks for `confirm=ERASE`, and says what happens without it.
    let params = spec["paths"]["/api/v1/people/{id}"]["delete"]["parameters"].as_array().unwrap();
    let confirm = params.iter().find(|p| p["name"] == "confirm").expect("a confirm parameter");
    assert_eq!((&confirm["in"], &confirm["required"]), (&serde_json::json!("query"), &serde_json::json!(true)));
    assert!(erase["422"]["description"].as_str().unwrap().contains("confirm=ERASE"), "{erase}");
    // The profile carries what its page shows; my data comes as CSV too.
    let profile = &spec["components"]["schemas"]["ProfileJson"]["properties"];
    for field in ["has_photo", "manager", "supports_people", "manager_id", "supports"] {
        assert!(profile[field].is_object(), "ProfileJson.{field}: {profile}");
    }
    let csv = &responses("/api/v1/me/data.csv", "get")["200"]["content"];
    assert!(csv["text/csv"].is_object(), "{csv}");
}

/// Every operation there is, whatever its method, answers an account whose address is not
/// confirmed with 403 saying so — before it reads a body or looks anything up, so nothing
/// changes — and documents that 403.
async fn an_unconfirmed_address_is_refused_everywhere_as_documented(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let sam = app.user("sam@example.org", "Sam Unconfirmed").await;
    let token = app.api_token(&sam).await;
    // An org admin, so that nothing but the address can be the reason.
    roundtable_app::admin::console::set_admin(&app.state.db, "sam@example.org", true).await.unwrap();
    let sql = "UPDATE users SET email_verified_at = NULL WHERE email = $1";
    app.state.db.write(sql, roundtable_store::params!["sam@example.org"]).await.unwrap();
    let spec: serde_json::Value = reqwest::get(app.at("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    let api = reqwest::Client::new();
    let mut operations = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let url = app.at(&path.replace("{slug}", "eas").replace(['{', '}'], ""));
        for method in item.as_object().unwrap().keys() {
            operations += 1;
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = api.request(method.clone(), &url).bearer_auth(&token).json(&serde_json::json!({})).send();
            let p = problem(r.await.unwrap(), StatusCode::FORBIDDEN, "forbidden").await;
            assert!(p["detail"].as_str().unwrap().contains("Confirm your email address"), "{method} {path}: {p}");
        }
    }
    assert!(operations >= 40, "{operations}");
    let db = &app.state.db;
    let eas = roundtable_store::networks::by_slug(db, "eas").await.unwrap().unwrap();
    let sam = roundtable_store::users::by_email(db, "sam@example.org").await.unwrap().expect("Sam is still there");
    assert!(roundtable_store::networks::membership(db, eas.id, sam.id).await.unwrap().is_none(), "nor joined");
}

/// An active Chair who has not accepted the network's new charter: every operation inside the
/// network that documents 409 `charter_acceptance_required` answers it (those that read, and
/// those without a body to check first), and no reading operation answers it undocumented.
async fn a_charter_to_accept_closes_the_operations_that_document_it(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let admin = app.setup().await;
    app.network(&admin, "eas", "open").await;
    let cho = app.user("cho@example.org", "Cho Chair").await;
    let db = &app.state.db;
    let eas = roundtable_store::networks::by_slug(db, "eas").await.unwrap().unwrap();
    let cho_id = roundtable_store::users::by_email(db, "cho@example.org").await.unwrap().unwrap().id;
    let mut tx = db.begin().await.unwrap();
    let (chair, active) = (roundtable_domain::Role::Chair, roundtable_domain::MembershipStatus::Active);
    roundtable_store::networks::upsert_membership(&mut tx, eas.id, cho_id, chair, active, chrono::Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let start = chrono::Utc::now() + chrono::Duration::days(7);
    let (event, _) = app.event(&admin, "eas", "Coffee", "", start).await;
    let r = admin.post(app.at("/n/eas/charter")).form(&[("body", "Be kind.")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let token = app.api_token(&cho).await;
    let spec: serde_json::Value = reqwest::get(app.at("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    let api = reqwest::Client::new();
    let anyone = "0190b2c4-0000-7000-8000-000000000000";
    let mut closed = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !(path.starts_with("/api/v1/networks/{slug}") || path.starts_with("/api/v1/events/{id}")) {
            continue;
        }
        let mut url = path.replace("{slug}", "eas").replace("{id}", &event);
        for other in ["{newcomer}", "{person}", "{step}"] {
            url = url.replace(other, anyone);
        }
        let url = app.at(&url);
        for (method, op) in item.as_object().unwrap() {
            let r409 = op["responses"]["409"].to_string();
            let documented = r409.contains("CharterAcceptanceRequired") || r409.contains("charter_acceptance_required");
            let takes_body = op["requestBody"].is_object();
            if method != "get" && (takes_body || !documented) {
                continue; // it would change something, or read its body before the network
            }
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = api.request(m, &url).bearer_auth(&token).send().await.unwrap();
            let status = r.status();
            assert_eq!(status == StatusCode::CONFLICT, documented, "{method} {url}: {status}");
            if documented {
                problem(r, StatusCode::CONFLICT, "charter_acceptance_required").await;
                closed.push(format!("{method} {path}"));
            }
        }
    }
    for op in ["get /api/v1/networks/{slug}/members", "get /api/v1/networks/{slug}/buddies", "get /api/v1/events/{id}"]
    {
        assert!(closed.iter().any(|c| c == op), "{op} in {closed:?}");
    }
    // The charter itself stays open, and accepting it opens the rest.
    let charter = support::api_get(app.at("/api/v1/networks/eas/charter"), &token).await;
    let accept = app.at("/api/v1/networks/eas/charter/acceptance");
    let r = api.post(accept).bearer_auth(&token).json(&serde_json::json!({"version": charter["version"]})).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::NO_CONTENT);
    let r = api.get(app.at("/api/v1/networks/eas/members")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
