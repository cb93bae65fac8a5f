//! Every error under `/api/v1` is an RFC 9457 problem document, on SQLite and PostgreSQL: unknown
//! paths and methods, query strings and bodies that do not parse, missing or refused tokens (with
//! `WWW-Authenticate: Bearer`); and the OpenAPI document names its tags and error responses.
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
    let join = &spec["paths"]["/api/v1/networks/{slug}/membership"]["post"]["responses"];
    for status in ["400", "401", "403", "404", "422"] {
        assert!(join[status].is_object(), "join should document {status}: {join}");
    }
    let mut operations = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let tags = op["tags"].as_array().unwrap();
            assert!(tags.iter().all(|t| !t.as_str().unwrap().contains("::")), "{method} {path}: {tags:?}");
            assert!(op["responses"]["401"].is_object(), "{method} {path} should document 401");
            if op["requestBody"]["content"]["application/json"].is_object() {
                for status in ["400", "415", "422"] {
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
}
