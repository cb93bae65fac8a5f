//! `/api/v1` for HR data (org admins): import members from a CSV file sent as the request body,
//! and export members as CSV. The same rules and checks as the pages and the command line; the
//! columns are matched by their header names, as on the command line, except those the caller
//! chooses (`columns`, the pages' mapping step in one parameter).

use super::pages::{ExportQuery, MAX_FILE_MB, export_download, network_download, too_large};
use super::{Action, DateOrder, Options, Report};
use crate::api::extract::Query;
use crate::http::{ApiResult, ApiUser, AppError};
use crate::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use roundtable_domain::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/imports/members", post(import_members))
        .route("/api/v1/exports/members.csv", get(export_members))
        .route("/api/v1/networks/{slug}/members.csv", get(export_network_members))
}

/// Unknown parameters are refused: a misspelt `dry_run` must not run a real import.
#[derive(Deserialize, IntoParams, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ImportQuery {
    /// Also add everyone in the file to this network (its slug), as Member.
    network: Option<String>,
    /// Check and report only; nothing changes.
    dry_run: bool,
    /// Deactivate active people whose email is on no row (never an org admin or the caller).
    deactivate_missing: bool,
    /// Confirms a deactivation of more than half of the active people.
    yes_deactivate_many: bool,
    /// Reactivate the people on the file's rows whose account is deactivated (rehired, or
    /// deactivated by mistake); otherwise they stay deactivated and the report says so.
    reactivate: bool,
    /// Import the valid rows of a file that has errors (otherwise such a file imports nothing).
    valid_rows_only: bool,
    /// How dates such as 2/11/2019 are written; by default the file's dates show it (a day over
    /// 12), and such a date in a file that does not show it is refused.
    #[param(inline)]
    date_order: Option<DateOrder>,
    /// Columns chosen by the file's header names, where the guess from the names is not what
    /// you want: `key=Header` pairs separated by `;`, e.g. `email=Work Email;department=Org
    /// Unit`; an empty header (`manager_email=`) leaves that field out. Keys: `email`, `name`,
    /// `first_name`, `last_name`, `preferred_name`, `job_title`, `department`, `location`,
    /// `time_zone`, `level`, `years_experience`, `skills`, `interests`, `languages`,
    /// `start_date`, `employee_id`, `manager_email`, `supports_emails`, `networks`, `status`,
    /// `leaving_date`. The report's `columns` says which header fed which field.
    columns: Option<String>,
}

/// One problem in one row.
#[derive(Serialize, ToSchema)]
pub struct RowErrorJson {
    /// The line in the file where the row starts (the header is line 1, unless a title above it
    /// was skipped).
    line: u64,
    /// The column as the file names it, with its letter: `Start Date (column F)`.
    column: String,
    problem: String,
    fix: String,
}

/// What happens (or would happen) to the person on one valid row.
#[derive(Serialize, ToSchema)]
pub struct RowOutcomeJson {
    line: u64,
    email: String,
    name: String,
    /// `create`, `update` or `unchanged`.
    action: String,
    /// For updates: the fields that change.
    changes: Vec<String>,
    note: Option<String>,
}

/// A person deactivated or reactivated (or who would be).
#[derive(Serialize, ToSchema)]
pub struct DeactivatedJson {
    email: String,
    name: String,
}

/// The result of checking a file, and of importing it when `applied`.
#[derive(Serialize, ToSchema)]
pub struct ImportReportJson {
    /// Whether anything was written (false for a dry run).
    applied: bool,
    /// How the file was read: `UTF-8`, `UTF-8 with BOM`, `UTF-16` or `Windows-1252`.
    encoding: String,
    delimiter: String,
    rows: usize,
    created: usize,
    updated: usize,
    unchanged: usize,
    deactivated: usize,
    errors: Vec<RowErrorJson>,
    people: Vec<RowOutcomeJson>,
    deactivations: Vec<DeactivatedJson>,
    /// People in the file whose deactivated account is reactivated (with `reactivate`); they
    /// are counted in `updated`, and `changes` says `account reactivated`.
    reactivations: Vec<DeactivatedJson>,
    /// Which of the file's columns fed each field (field key → header), guessed from the
    /// header names or chosen with `columns`.
    columns: std::collections::BTreeMap<String, String>,
    /// The file's columns that no field takes.
    ignored_columns: Vec<String>,
    /// How ambiguous dates such as 2/11/2019 were read.
    date_note: Option<String>,
    /// How the file was read: lines skipped above or under the header (a report title, a
    /// second row of labels), a manager column not used because it holds names or IDs.
    notes: Vec<String>,
    /// Not errors, but for someone to put right: people who still report to someone this
    /// import deactivates.
    warnings: Vec<String>,
    summary: String,
}

/// The problem document of an import refused for its rows' errors: a `Problem` with, as
/// `report`, what a dry run of the file gives. (Describes for the OpenAPI document what
/// `import_members` adds to the refusal's problem document.)
#[derive(Serialize, ToSchema)]
pub struct ImportProblem {
    #[serde(flatten)]
    problem: crate::api::Problem,
    /// Present when rows have errors: each with line, column, problem and fix in `errors`.
    report: Option<ImportReportJson>,
}

fn report_json(r: Report, columns: Vec<(&'static str, String)>) -> ImportReportJson {
    ImportReportJson {
        columns: columns.into_iter().map(|(k, h)| (k.to_owned(), h)).collect(),
        applied: r.applied,
        summary: r.summary(),
        encoding: r.encoding.into(),
        delimiter: r.delimiter.to_string(),
        rows: r.rows,
        created: r.created,
        updated: r.updated,
        unchanged: r.unchanged,
        deactivated: r.deactivated,
        errors: r
            .errors
            .into_iter()
            .map(|e| RowErrorJson { line: e.line, column: e.column, problem: e.problem, fix: e.fix })
            .collect(),
        people: r
            .outcomes
            .into_iter()
            .map(|o| RowOutcomeJson {
                line: o.line,
                email: o.email,
                name: o.name,
                action: match o.action {
                    Action::Create => "create",
                    Action::Update => "update",
                    Action::Unchanged => "unchanged",
                }
                .into(),
                changes: o.changes.into_iter().map(str::to_owned).collect(),
                note: o.note,
            })
            .collect(),
        deactivations: r.deactivations.into_iter().map(|(email, name)| DeactivatedJson { email, name }).collect(),
        reactivations: r.reactivations.into_iter().map(|(email, name)| DeactivatedJson { email, name }).collect(),
        ignored_columns: r.ignored_columns,
        date_note: r.date_note,
        notes: r.notes,
        warnings: r.warnings,
    }
}

#[utoipa::path(post, path = "/api/v1/imports/members", tag = "people", params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "The CSV file as Excel or an HR system writes it (UTF-8 with or without BOM, Windows-1252; comma or semicolon), at most 7 MB; the header names the columns"),
    responses((status = 200, body = ImportReportJson, description = "Imported (`applied`), or checked only with `dry_run` — a dry run lists each row's errors with line, column, problem and fix"),
        (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Org admins only"),
        (status = 409, body = crate::api::Problem, content_type = "application/problem+json", description = "People were changed while the import ran; nothing was imported, run it again"),
        (status = 413, body = crate::api::Problem, content_type = "application/problem+json"),
        (status = 422, body = ImportProblem, content_type = "application/problem+json", description = "Nothing was imported: the file cannot be read, `columns` names a field or header that is not there (each problem in `errors`, field `columns`), or rows have errors and `valid_rows_only` is not set — then the document also has `report`, the ImportReportJson a dry run gives, with each row's errors (line, column, problem, fix) in `report.errors`")))]
pub async fn import_members(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<ImportQuery>,
    body: Body,
) -> ApiResult<Response> {
    let actor = u.actor();
    // Before the body is read: someone else's token must not make the server hold 7 MB.
    crate::admin::require_admin(&actor)?;
    let bytes = axum::body::to_bytes(body, MAX_FILE_MB * 1024 * 1024)
        .await
        // Past the limit (a client gone mid-upload fails here too, but hears no answer).
        .map_err(|_| AppError::BadRequest(StatusCode::PAYLOAD_TOO_LARGE, too_large("the API")))?;
    let (sheet, mapping) = super::read_by_header(&bytes, q.columns.as_deref())?;
    let columns = mapping.used(&sheet.headers);
    let opts = Options {
        network: q.network,
        deactivate_missing: q.deactivate_missing,
        yes_deactivate_many: q.yes_deactivate_many,
        reactivate: q.reactivate,
        valid_rows_only: q.valid_rows_only,
        dry_run: q.dry_run,
        date_order: q.date_order,
    };
    let report = if q.dry_run {
        super::preview(&state, &actor, &sheet, &mapping, &opts).await?
    } else {
        super::apply(&state, &actor, &u.0.name, &sheet, &mapping, "API upload", &opts).await?
    };
    if !report.applied && !q.dry_run {
        // Rows with errors and no `valid_rows_only`: nothing was written.
        let mut errors = vec![FieldError::new(
            "file",
            format!(
                "{} with errors, so nothing was imported. Fix them and send the file again, or add valid_rows_only=true to import the other rows.",
                super::rows_n(report.error_lines.len())
            ),
        )];
        errors.extend(
            report
                .errors
                .iter()
                .map(|e| FieldError::new("file", format!("Line {}, {}: {} {}", e.line, e.column, e.problem, e.fix))),
        );
        // The problem document as for any refusal, with the report a dry run gives — each
        // row's errors with line, column, problem and fix — as its member `report`.
        let refusal = crate::http::ApiError(AppError::Invalid(errors));
        let mut problem = refusal.problem();
        problem["report"] = serde_json::to_value(report_json(report, columns)).map_err(anyhow::Error::from)?;
        return Ok(refusal.with_problem(problem));
    }
    Ok(axum::Json(report_json(report, columns)).into_response())
}

#[utoipa::path(get, path = "/api/v1/exports/members.csv", tag = "people",
    params(("network" = Option<String>, Query, description = "Only this network's active members (its slug)"), ("separator" = Option<String>, Query, description = "`comma` (default) or `semicolon`, as Excel expects where the comma is the decimal mark"), ("include_deactivated" = Option<bool>, Query, description = "Deactivated people too (never the erased), with a `status` column (Active or Inactive) that an import reads back")),
    responses((status = 200, content_type = "text/csv", description = "Every active person with every field, as CSV that Excel opens (UTF-8 with BOM, CRLF); recorded in the audit log"),
        (status = 400, body = crate::api::Problem, content_type = "application/problem+json", description = "Unknown separator"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json", description = "`network` is not a network's address"),
        (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "Org admins only")))]
pub async fn export_members(
    State(state): State<AppState>,
    u: ApiUser,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    Ok(export_download(&state, &u.actor(), &u.0.name, &q).await?)
}

#[utoipa::path(get, path = "/api/v1/networks/{slug}/members.csv", tag = "people",
    params(("slug" = String, Path), ("separator" = Option<String>, Query, description = "`comma` (default) or `semicolon`")),
    responses((status = 200, content_type = "text/csv", description = "The network's active members with the fields its organisers may see, their role and member-since date (the UTC day), as CSV that Excel opens; recorded in the audit log"),
        (status = 400, body = crate::api::Problem, content_type = "application/problem+json", description = "Unknown separator"),
        (status = 403, body = crate::api::Problem, content_type = "application/problem+json", description = "For the network's organisers"),
        (status = 404, body = crate::api::Problem, content_type = "application/problem+json")))]
pub async fn export_network_members(
    State(state): State<AppState>,
    u: ApiUser,
    crate::api::extract::Path(slug): crate::api::extract::Path<String>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    Ok(network_download(&state, &u.actor(), &u.0.name, &slug, &q, chrono_tz::Tz::UTC).await?)
}
