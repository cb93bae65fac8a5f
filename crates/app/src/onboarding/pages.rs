//! Onboarding pages: members tick steps (on the network home); organisers manage the steps,
//! watch newcomers' progress and nudge those who are stuck.

use crate::http::{AppError, Errors, Form, Layout, Result, Signed, notice, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use roundtable_domain::UserId;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/n/{slug}/onboarding", get(page))
        .route("/n/{slug}/onboarding/steps", post(add_step))
        .route("/n/{slug}/onboarding/steps/{id}/{action}", post(step_action))
        .route("/n/{slug}/onboarding/stuck-days", post(stuck_days))
        .route("/n/{slug}/onboarding/nudge/{user}", post(nudge))
        .route("/n/{slug}/checklist/{id}/{action}", post(tick))
}

struct Row {
    id: String,
    name: String,
    joined: String,
    done: usize,
    total: usize,
    stuck: bool,
}

#[derive(Template)]
#[template(path = "onboarding/manage.html")]
struct ManagePage {
    layout: Layout,
    errors: Errors,
    slug: String,
    network_name: String,
    steps: Vec<super::StepView>,
    rows: Vec<Row>,
    stuck_days: i64,
    stuck_count: usize,
    kinds: Vec<(&'static str, &'static str)>,
    title: String,
    description: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct NoticeQuery {
    notice: Option<String>,
}

async fn render_page(
    state: &AppState,
    s: &Signed,
    slug: &str,
    errors: Errors,
    title: String,
    description: String,
    n: Option<&'static str>,
) -> Result<Response> {
    let (seen, steps, progress, stuck_days) = super::progress(state, &s.actor(), slug).await?;
    let rows: Vec<Row> = progress
        .into_iter()
        .map(|p| Row {
            id: p.user_id.to_string(),
            name: p.name,
            joined: p.joined.format("%-d %b %Y").to_string(),
            done: p.done,
            total: p.total,
            stuck: p.stuck,
        })
        .collect();
    let stuck_count = rows.iter().filter(|r| r.stuck).count();
    render(&ManagePage {
        layout: Layout::for_user("Onboarding", s).with_notice(n),
        errors,
        slug: seen.network.slug,
        network_name: seen.network.name,
        steps,
        rows,
        stuck_days,
        stuck_count,
        kinds: super::AUTOMATIC.to_vec(),
        title,
        description,
    })
}

async fn page(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    render_page(&state, &s, &slug, Errors::default(), String::new(), String::new(), notice(q.notice.as_deref())).await
}

#[derive(Deserialize, Default)]
pub(crate) struct StepForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    automatic: String,
}

async fn add_step(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Form(f): Form<StepForm>,
) -> Result<Response> {
    match super::add_step(&state, &s.actor(), &s.user.name, &slug, &f.title, &f.description, &f.automatic).await {
        Ok(()) => Ok(Redirect::to(&format!("/n/{slug}/onboarding?notice=step-added")).into_response()),
        Err(AppError::Invalid(errs)) => Ok(crate::http::with_status(
            render_page(&state, &s, &slug, Errors(errs), f.title, f.description, None).await?,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e),
    }
}

async fn step_action(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, id, action)): Path<(String, String, String)>,
) -> Result<Response> {
    let actor = s.actor();
    let n = match action.as_str() {
        "remove" => {
            super::remove_step(&state, &actor, &s.user.name, &slug, &id).await?;
            "?notice=step-removed"
        }
        "up" | "down" => {
            super::move_step(&state, &actor, &slug, &id, action == "up").await?;
            ""
        }
        _ => return Err(AppError::NotFound),
    };
    Ok(Redirect::to(&format!("/n/{slug}/onboarding{n}")).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct DaysForm {
    #[serde(default)]
    stuck_days: String,
}

async fn stuck_days(
    State(state): State<AppState>,
    s: Signed,
    Path(slug): Path<String>,
    Form(f): Form<DaysForm>,
) -> Result<Response> {
    match super::set_stuck_days(&state, &s.actor(), &slug, &f.stuck_days).await {
        Ok(()) => Ok(Redirect::to(&format!("/n/{slug}/onboarding?notice=saved")).into_response()),
        Err(AppError::Invalid(errs)) => Ok(crate::http::with_status(
            render_page(&state, &s, &slug, Errors(errs), String::new(), String::new(), None).await?,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e),
    }
}

async fn nudge(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, user)): Path<(String, String)>,
) -> Result<Response> {
    let user = UserId::parse(&user).ok_or(AppError::NotFound)?;
    super::nudge(&state, &s.actor(), &s.user.name, &slug, user).await?;
    Ok(Redirect::to(&format!("/n/{slug}/onboarding?notice=nudged")).into_response())
}

async fn tick(
    State(state): State<AppState>,
    s: Signed,
    Path((slug, id, action)): Path<(String, String, String)>,
) -> Result<Response> {
    let done = match action.as_str() {
        "done" => true,
        "undo" => false,
        _ => return Err(AppError::NotFound),
    };
    super::set_done(&state, &s.actor(), &slug, &id, done).await?;
    Ok(Redirect::to(&format!("/n/{slug}#checklist")).into_response())
}
