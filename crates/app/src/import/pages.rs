//! Org-admin pages: import members from a CSV file in four steps — upload or paste, choose which
//! column feeds which field, preview (per-row errors and what will change; the rows with errors
//! can be downloaded as CSV to fix in a spreadsheet), import — and export members as CSV.
//!
//! Between steps the file's text travels in a hidden form field, not in the database: the steps
//! are multipart forms (our 256 KB urlencoded limit does not apply; `MAX_FILE_MB` does, on every
//! step, since each carries the whole text), so nothing needs a table, an expiry or clean-up, any
//! instance behind a load balancer can take the next step, and abandoning the import leaves
//! nothing behind. Every step reads and checks the text again, and the import re-plans against
//! the database as it is at that moment.

use super::{Action, Column, DateOrder, Mapping, Options, Report, RowError, Sheet, csv_read};
use crate::http::{AppError, Layout, Path, Query, Result, Signed, render, with_status};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Utc;
use roundtable_domain::FieldError;
use std::collections::HashMap;

/// The largest file the pages take, in MB (MiB), as the upload page promises. 7 MB holds a
/// 10,000-person HR export of some 700 bytes a row. It stays under the router's 16 MB
/// `RequestBodyLimitLayer` (a larger body is refused there, before this limit can explain
/// itself); raise both together. The command line has no limit.
pub const MAX_FILE_MB: usize = 7;

/// The body limit of each step: the file (or its text carried back) and the form's other
/// fields, which are small.
const MAX_BODY: usize = MAX_FILE_MB * 1024 * 1024 + 64 * 1024;

pub fn router() -> Router<AppState> {
    let limit = || DefaultBodyLimit::max(MAX_BODY);
    Router::new()
        .route("/admin/import", get(upload_form))
        .route("/admin/import/template.csv", get(template))
        .route("/admin/import/upload", post(upload).layer(limit()))
        .route("/admin/import/preview", post(preview).layer(limit()))
        .route("/admin/import/apply", post(apply).layer(limit()))
        .route("/admin/import/errors.csv", post(error_rows).layer(limit()))
        .route("/admin/export", get(export_page))
        .route("/admin/export/members.csv", get(export_csv))
        .route("/n/{slug}/members.csv", get(export_network_csv))
}

/// Rows of the preview's change table shown on the page (the counts cover every row).
const SHOWN: usize = 1000;

/// A step's form, read from `multipart/form-data`: text fields, and the uploaded file if any.
#[derive(Default)]
struct Parts {
    fields: HashMap<String, String>,
    file: Option<(String, Vec<u8>)>,
}

impl Parts {
    fn get(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", String::as_str)
    }
    fn flag(&self, k: &str) -> bool {
        matches!(self.get(k), "true" | "on" | "1")
    }
}

/// What a file over `MAX_FILE_MB` is told, sent to `to` ("this page", "the API").
pub(crate) fn too_large(to: &str) -> String {
    format!(
        "The file is larger than {MAX_FILE_MB} MB, the most {to} takes. Split it into smaller files, each starting with the header row, and import them one after another (but without “Deactivate people who are not in the file”, which needs everyone in one file); or run “roundtable import members FILE.csv” on the server, which takes files of any size."
    )
}

/// What a chosen file of 0 bytes is told: it was chosen, but holds nothing (an export that
/// failed, or a file still being written when it was picked).
fn empty_file(name: &str) -> String {
    format!(
        "The file “{name}” is empty (0 bytes). Check that it is the right file, or export it again from your HR system or Excel."
    )
}

async fn parts(m: std::result::Result<Multipart, MultipartRejection>) -> Result<Parts> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return AppError::BadRequest(StatusCode::PAYLOAD_TOO_LARGE, too_large("this page"));
        }
        AppError::BadRequest(
            StatusCode::BAD_REQUEST,
            format!("The upload could not be read ({}). Please try again.", e.body_text()),
        )
    };
    let mut m = m.map_err(|e| {
        AppError::BadRequest(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("This address expects a file upload form ({e})."),
        )
    })?;
    let mut out = Parts::default();
    while let Some(field) = m.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(bad)?;
            // A browser sends an empty part with no name when no file was chosen; an empty file
            // that was chosen has its name, and is kept to be called empty.
            if !bytes.is_empty() || !file_name.is_empty() {
                out.file = Some((file_name, bytes.to_vec()));
            }
        } else {
            let bytes = field.bytes().await.map_err(bad)?;
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                AppError::BadRequest(
                    StatusCode::BAD_REQUEST,
                    "The upload could not be read (text that is not UTF-8). Please try again.".into(),
                )
            })?;
            out.fields.insert(name, text);
        }
    }
    Ok(out)
}

fn encoding_of(raw: &str) -> &'static str {
    ["UTF-8", "UTF-8 with BOM", "UTF-16", "Windows-1252", "pasted text"]
        .into_iter()
        .find(|e| *e == raw)
        .unwrap_or("UTF-8")
}

fn delimiter_name(d: char) -> &'static str {
    match d {
        ';' => "semicolons",
        '\t' => "tabs",
        _ => "commas",
    }
}

fn options(p: &Parts) -> Options {
    Options {
        network: Some(p.get("network").trim().to_owned()).filter(|s| !s.is_empty()),
        deactivate_missing: p.flag("deactivate_missing"),
        yes_deactivate_many: p.flag("deactivate_many"),
        reactivate: p.flag("reactivate"),
        valid_rows_only: p.flag("valid_rows_only"),
        dry_run: false,
        date_order: DateOrder::parse(p.get("date_order")),
    }
}

/// The mapping as hidden `map_<column>` fields (or chosen in selects).
fn choices(p: &Parts) -> Option<HashMap<String, String>> {
    let c: HashMap<String, String> =
        p.fields.iter().filter_map(|(k, v)| Some((k.strip_prefix("map_")?.to_owned(), v.clone()))).collect();
    (!c.is_empty()).then_some(c)
}

/// What every step after the upload carries.
struct Carry {
    csv: String,
    file_name: String,
    encoding: &'static str,
    network: String,
    deactivate_missing: bool,
    /// "Yes, deactivate more than half of the people" was ticked.
    deactivate_many: bool,
    /// "Reactivate people in the file whose account is deactivated" was ticked.
    reactivate: bool,
    /// The order of dates such as 2/11/2019 chosen (`DateOrder::key`), or "" to work it out.
    date_order: &'static str,
    /// (column key, chosen index or "")
    mapping: Vec<(&'static str, String)>,
}

impl Carry {
    fn new(csv: String, file_name: String, encoding: &'static str, mapping: &Mapping, opts: &Options) -> Self {
        Self {
            csv,
            file_name,
            encoding,
            network: opts.network.clone().unwrap_or_default(),
            deactivate_missing: opts.deactivate_missing,
            deactivate_many: opts.yes_deactivate_many,
            reactivate: opts.reactivate,
            date_order: opts.date_order.map_or("", DateOrder::key),
            mapping: Column::ALL
                .iter()
                .map(|c| (c.key(), mapping.get(*c).map(|i| i.to_string()).unwrap_or_default()))
                .collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Step 1: upload or paste.

#[derive(Template)]
#[template(path = "import/upload.html")]
struct UploadPage {
    layout: Layout,
    errors: crate::http::Errors,
    text: String,
    max_mb: usize,
}

fn upload_page(s: &Signed, errors: Vec<FieldError>, text: String) -> Result<Response> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(with_status(
        render(&UploadPage {
            layout: Layout::for_user("Import members", s),
            errors: crate::http::Errors(errors),
            text,
            max_mb: MAX_FILE_MB,
        })?,
        status,
    ))
}

async fn upload_form(s: Signed) -> Result<Response> {
    crate::admin::require_admin(&s.actor())?;
    upload_page(&s, Vec::new(), String::new())
}

async fn template(s: Signed) -> Result<Response> {
    crate::admin::require_admin(&s.actor())?;
    Ok(crate::http::csv_attachment("roundtable-members-template.csv", csv_read::template().into_bytes()))
}

// ---------------------------------------------------------------------------------------------
// Step 2: which column feeds which field, and the options.

struct MapRow {
    key: &'static str,
    label: &'static str,
    hint: &'static str,
    chosen: String,
}

#[derive(Template)]
#[template(path = "import/mapping.html")]
struct MappingPage {
    layout: Layout,
    errors: crate::http::Errors,
    carry: Carry,
    headers: Vec<(String, String)>,
    sample: Vec<Vec<String>>,
    rows: usize,
    delimiter: &'static str,
    /// Lines skipped above or under the header, a manager column not used (`csv_read::notes`).
    notes: Vec<String>,
    fields: Vec<MapRow>,
    networks: Vec<(String, String)>,
}

/// The mapping as chosen on the page (or guessed), read back from what the page carries; choices
/// that are not a column of the file are left out.
fn carried_mapping(carry: &Carry) -> Mapping {
    Mapping(carry.mapping.iter().filter_map(|(k, v)| Some((Column::parse(k)?, v.parse().ok()?))).collect())
}

/// Errors about the import as a whole, shown at the top of the mapping page.
fn as_form(errs: Vec<FieldError>) -> Vec<FieldError> {
    errs.into_iter().map(|e| FieldError::new("form", e.message)).collect()
}

async fn mapping_page(
    state: &AppState,
    s: &Signed,
    sheet: &Sheet,
    carry: Carry,
    errors: Vec<FieldError>,
) -> Result<Response> {
    let networks = super::networks(state, &s.actor()).await?;
    let fields = Column::ALL
        .iter()
        .zip(&carry.mapping)
        .map(|(c, (_, chosen))| MapRow { key: c.key(), label: c.label(), hint: c.hint(), chosen: chosen.clone() })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = MappingPage {
        layout: Layout::for_user("Import members: choose the columns", s),
        errors: crate::http::Errors(errors),
        headers: (0..sheet.headers.len()).map(|i| (i.to_string(), sheet.column_name(i))).collect(),
        sample: sheet
            .rows
            .iter()
            .take(3)
            .map(|r| (0..sheet.headers.len()).map(|i| r.cells.get(i).cloned().unwrap_or_default()).collect())
            .collect(),
        rows: sheet.rows.len(),
        delimiter: delimiter_name(sheet.delimiter),
        notes: csv_read::notes(sheet, &carried_mapping(&carry)),
        fields,
        networks,
        carry,
    };
    Ok(with_status(render(&page)?, status))
}

/// Reads the file (uploaded, pasted, or carried back from a later step) and shows the mapping.
async fn upload(
    State(state): State<AppState>,
    s: Signed,
    m: std::result::Result<Multipart, MultipartRejection>,
) -> Result<Response> {
    crate::admin::require_admin(&s.actor())?;
    let p = match parts(m).await {
        Ok(p) => p,
        // Too large: the upload form again, with the limit and what to do on the file field.
        Err(AppError::BadRequest(StatusCode::PAYLOAD_TOO_LARGE, message)) => {
            let page = upload_page(&s, vec![FieldError::new("file", message)], String::new())?;
            return Ok(with_status(page, StatusCode::PAYLOAD_TOO_LARGE));
        }
        Err(e) => return Err(e),
    };
    let (text, file_name, encoding) = if let Some((name, bytes)) = &p.file {
        if bytes.is_empty() {
            return upload_page(&s, vec![FieldError::new("file", empty_file(name))], String::new());
        }
        match csv_read::decode(bytes) {
            Ok((text, enc)) => (text, if name.is_empty() { "members.csv".to_owned() } else { name.clone() }, enc),
            Err(e) => return upload_page(&s, vec![FieldError::new("file", e.0)], String::new()),
        }
    } else if !p.get("text").trim().is_empty() {
        (p.get("text").to_owned(), "pasted text".to_owned(), "pasted text")
    } else if !p.get("csv").is_empty() {
        (p.get("csv").to_owned(), p.get("file_name").to_owned(), encoding_of(p.get("encoding")))
    } else {
        return upload_page(&s, vec![FieldError::new("file", "Choose a CSV file, or paste the rows.")], String::new());
    };
    let sheet = match csv_read::read(&text, encoding) {
        Ok(sheet) => sheet,
        Err(e) => {
            let field = if p.file.is_some() { "file" } else { "text" };
            let pasted = if p.file.is_none() { p.get("text").to_owned() } else { String::new() };
            return upload_page(&s, vec![FieldError::new(field, e.0)], pasted);
        }
    };
    let mapping = choices(&p)
        .and_then(|c| Mapping::from_choices(&c, &sheet.headers).ok())
        .unwrap_or_else(|| Mapping::guess(&sheet));
    let carry = Carry::new(text, file_name, encoding, &mapping, &options(&p));
    mapping_page(&state, &s, &sheet, carry, Vec::new()).await
}

// ---------------------------------------------------------------------------------------------
// Steps 3 and 4: preview, import.

struct ErrorView {
    line: u64,
    column: String,
    problem: String,
    fix: String,
}

struct OutcomeView {
    line: u64,
    email: String,
    name: String,
    action: &'static str,
    detail: String,
}

#[derive(Template)]
#[template(path = "import/preview.html")]
struct PreviewPage {
    layout: Layout,
    carry: Carry,
    r: ReportView,
}

#[derive(Template)]
#[template(path = "import/done.html")]
struct DonePage {
    layout: Layout,
    /// Carried so the rows with errors (skipped) can still be downloaded.
    carry: Carry,
    r: ReportView,
}

struct ReportView {
    file_name: String,
    encoding: &'static str,
    delimiter: &'static str,
    rows: usize,
    created: usize,
    updated: usize,
    unchanged: usize,
    deactivated: usize,
    /// Deactivated accounts of people in the file that are (or would be) reactivated.
    reactivated: usize,
    error_rows: usize,
    valid_rows: usize,
    errors: Vec<ErrorView>,
    /// The rows that do something or carry a note, in file order, at most `SHOWN`.
    outcomes: Vec<OutcomeView>,
    /// Such rows past `SHOWN`.
    more_outcomes: usize,
    /// Rows that change nothing and say nothing: counted, not listed, so a file of thousands
    /// of unchanged people cannot push its few changes out of the list.
    quiet_rows: usize,
    /// (email, name, why).
    deactivations: Vec<(String, String, String)>,
    /// People found by employee ID whose email changes.
    email_changes: usize,
    /// Rows whose employee ID had lost its leading zeros (the stored one is kept).
    employee_ids_kept: usize,
    /// How dates such as 2/11/2019 were read.
    date_note: String,
    admins_kept: usize,
    ignored: String,
    /// How the file was read (lines skipped, a column not used).
    notes: Vec<String>,
    warnings: Vec<String>,
    network: String,
    applied: bool,
}

fn view(r: Report, file_name: &str, opts: &Options) -> ReportView {
    let total = r.outcomes.len();
    let deactivations =
        r.deactivations.iter().map(|(email, name)| (email.clone(), name.clone(), r.why_deactivated(email))).collect();
    let (telling, quiet): (Vec<_>, Vec<_>) =
        r.outcomes.into_iter().partition(|o| o.action != Action::Unchanged || o.note.is_some());
    let telling_rows = telling.len();
    ReportView {
        file_name: file_name.to_owned(),
        encoding: r.encoding,
        delimiter: delimiter_name(r.delimiter),
        rows: r.rows,
        reactivated: r.reactivations.len(),
        created: r.created,
        updated: r.updated,
        unchanged: r.unchanged,
        deactivated: r.deactivated,
        error_rows: r.error_lines.len(),
        valid_rows: total,
        errors: r
            .errors
            .into_iter()
            .map(|e: RowError| ErrorView { line: e.line, column: e.column, problem: e.problem, fix: e.fix })
            .collect(),
        outcomes: telling
            .into_iter()
            .take(SHOWN)
            .map(|o| OutcomeView {
                detail: match (o.action, o.note.clone()) {
                    (Action::Update, note) => [
                        Some(format!("Changes: {}.", o.changes_in_words())),
                        o.previous_email.map(|old| format!("Found by employee ID: the email changes from {old}.")),
                        note,
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
                    (Action::Create, _) => "New account without a password; no email is sent.".to_owned(),
                    (Action::Unchanged, note) => note.unwrap_or_default(),
                },
                line: o.line,
                email: o.email,
                name: o.name,
                action: o.action.label(),
            })
            .collect(),
        more_outcomes: telling_rows.saturating_sub(SHOWN),
        quiet_rows: quiet.len(),
        deactivations,
        email_changes: r.email_changes.len(),
        employee_ids_kept: r.employee_ids_kept.len(),
        date_note: r.date_note.unwrap_or_default(),
        admins_kept: r.admins_kept,
        ignored: r.ignored_columns.join(", "),
        notes: r.notes,
        warnings: r.warnings,
        network: opts.network.clone().unwrap_or_default(),
        applied: r.applied,
    }
}

/// Reads the carried text and mapping; on a mapping problem shows the mapping page again.
async fn carried(
    state: &AppState,
    s: &Signed,
    p: &Parts,
) -> Result<std::result::Result<(Sheet, Mapping, Carry, Options), Response>> {
    let encoding = encoding_of(p.get("encoding"));
    let text = p.get("csv").to_owned();
    let sheet = match csv_read::read(&text, encoding) {
        Ok(s) => s,
        Err(e) => return Ok(Err(upload_page(s, vec![FieldError::new("file", e.0)], String::new())?)),
    };
    let opts = options(p);
    let file_name = p.get("file_name").to_owned();
    match Mapping::from_choices(&choices(p).unwrap_or_default(), &sheet.headers) {
        Ok(mapping) => {
            let carry = Carry::new(text, file_name, encoding, &mapping, &opts);
            Ok(Ok((sheet, mapping, carry, opts)))
        }
        Err(errs) => {
            let mut carry = Carry::new(text, file_name, encoding, &Mapping::default(), &opts);
            carry.mapping =
                Column::ALL.iter().map(|c| (c.key(), p.get(&format!("map_{}", c.key())).to_owned())).collect();
            Ok(Err(mapping_page(state, s, &sheet, carry, errs).await?))
        }
    }
}

async fn preview(
    State(state): State<AppState>,
    s: Signed,
    m: std::result::Result<Multipart, MultipartRejection>,
) -> Result<Response> {
    crate::admin::require_admin(&s.actor())?;
    let p = parts(m).await?;
    let (sheet, mapping, carry, opts) = match carried(&state, &s, &p).await? {
        Ok(v) => v,
        Err(page) => return Ok(page),
    };
    match super::preview(&state, &s.actor(), &sheet, &mapping, &opts).await {
        Ok(report) => {
            let r = view(report, &carry.file_name, &opts);
            render(&PreviewPage { layout: Layout::for_user("Import members: preview", &s), carry, r })
        }
        Err(AppError::Invalid(errs)) => mapping_page(&state, &s, &sheet, carry, as_form(errs)).await,
        Err(e) => Err(e),
    }
}

async fn apply(
    State(state): State<AppState>,
    s: Signed,
    m: std::result::Result<Multipart, MultipartRejection>,
) -> Result<Response> {
    crate::admin::require_admin(&s.actor())?;
    let p = parts(m).await?;
    let (sheet, mapping, carry, opts) = match carried(&state, &s, &p).await? {
        Ok(v) => v,
        Err(page) => return Ok(page),
    };
    let result = super::apply(&state, &s.actor(), &s.user.name, &sheet, &mapping, &carry.file_name, &opts).await;
    match result {
        Ok(report) if report.applied => {
            let r = view(report, &carry.file_name, &opts);
            let mut layout = Layout::for_user("Import members: done", &s);
            layout.notice = Some("The import is done.".into());
            render(&DonePage { layout, carry, r })
        }
        Ok(report) => {
            // Errors and no permission to skip them: nothing was imported; show the preview again.
            let r = view(report, &carry.file_name, &opts);
            Ok(with_status(
                render(&PreviewPage { layout: Layout::for_user("Import members: preview", &s), carry, r })?,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(AppError::Invalid(errs)) => mapping_page(&state, &s, &sheet, carry, as_form(errs)).await,
        Err(AppError::Conflict(e)) => {
            Ok(with_status(mapping_page(&state, &s, &sheet, carry, as_form(vec![e])).await?, StatusCode::CONFLICT))
        }
        Err(e) => Err(e),
    }
}

/// The rows with errors as a CSV download, to fix in a spreadsheet and upload again. When the
/// file has no errors (any more), the preview is shown instead.
async fn error_rows(
    State(state): State<AppState>,
    s: Signed,
    m: std::result::Result<Multipart, MultipartRejection>,
) -> Result<Response> {
    crate::admin::require_admin(&s.actor())?;
    let p = parts(m).await?;
    let (sheet, mapping, carry, opts) = match carried(&state, &s, &p).await? {
        Ok(v) => v,
        Err(page) => return Ok(page),
    };
    match super::error_file(&state, &s.actor(), &sheet, &mapping, &opts).await {
        Ok(Some((csv, _))) => Ok(crate::http::csv_attachment(&errors_file_name(&carry.file_name), csv)),
        Ok(None) => {
            let report = super::preview(&state, &s.actor(), &sheet, &mapping, &opts).await?;
            let r = view(report, &carry.file_name, &opts);
            render(&PreviewPage { layout: Layout::for_user("Import members: preview", &s), carry, r })
        }
        Err(AppError::Invalid(errs)) => mapping_page(&state, &s, &sheet, carry, as_form(errs)).await,
        Err(e) => Err(e),
    }
}

/// `hr.csv` → `hr-errors.csv`; only letters, digits, `-`, `_` and `.` reach the header.
fn errors_file_name(file_name: &str) -> String {
    let stem = file_name.rsplit(['/', '\\']).next().unwrap_or("");
    let lower = stem.to_ascii_lowercase();
    let stem = if lower.ends_with(".csv") || lower.ends_with(".txt") { &stem[..stem.len() - 4] } else { stem };
    let safe: String = stem.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
    let safe = safe.trim_matches('.');
    if safe.is_empty() { "import-errors.csv".to_owned() } else { format!("{safe}-errors.csv") }
}

// ---------------------------------------------------------------------------------------------
// Export.

#[derive(Template)]
#[template(path = "import/export.html")]
struct ExportPage {
    layout: Layout,
    networks: Vec<(String, String)>,
}

async fn export_page(State(state): State<AppState>, s: Signed) -> Result<Response> {
    crate::admin::require_admin(&s.actor())?;
    let networks = super::networks(&state, &s.actor()).await?;
    render(&ExportPage { layout: Layout::for_user("Export members", &s), networks })
}

#[derive(serde::Deserialize, Default)]
pub struct ExportQuery {
    #[serde(default)]
    pub network: String,
    /// "comma" (default) or "semicolon".
    #[serde(default)]
    pub separator: String,
    /// Deactivated people too, with a status column (org admins' export only).
    #[serde(default)]
    pub include_deactivated: bool,
}

/// An export download is a GET (a browser saves it as a file), so the cross-site form check does
/// not cover it: a link on another site must not make someone's browser export everyone (and the
/// audit log say they did). Browsers say where a navigation came from (`Sec-Fetch-Site`).
fn started_here(headers: &axum::http::HeaderMap) -> Result<()> {
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if site.is_some_and(|s| s != "same-origin" && s != "none") {
        return Err(AppError::Forbidden("Start the export from its page in Roundtable."));
    }
    Ok(())
}

async fn export_csv(
    State(state): State<AppState>,
    s: Signed,
    headers: axum::http::HeaderMap,
    q: std::result::Result<Query<ExportQuery>, AppError>,
) -> Result<Response> {
    started_here(&headers)?;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    export_download(&state, &s.actor(), &s.user.name, &q).await
}

/// A network's member list for its organisers (`import::export_network`).
async fn export_network_csv(
    State(state): State<AppState>,
    s: Signed,
    headers: axum::http::HeaderMap,
    Path(slug): Path<String>,
    q: std::result::Result<Query<ExportQuery>, AppError>,
) -> Result<Response> {
    started_here(&headers)?;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    network_download(&state, &s.actor(), &s.user.name, &slug, &q, s.tz).await
}

/// A network's member list as a file download, for this page and the API.
pub(super) async fn network_download(
    state: &AppState,
    actor: &roundtable_domain::Actor,
    actor_name: &str,
    slug: &str,
    q: &ExportQuery,
    tz: chrono_tz::Tz,
) -> Result<Response> {
    let separator = crate::http::Separator::parse(&q.separator)?;
    let body = super::export_network(state, actor, actor_name, slug, separator, tz).await?;
    // Only a network's own address gets this far (`export_network` found it): safe in a header.
    let day = Utc::now().with_timezone(&tz).date_naive();
    Ok(crate::http::csv_attachment(&format!("{slug}-members-{day}.csv"), body))
}

/// The export as a file download, for this page and the API.
pub(super) async fn export_download(
    state: &AppState,
    actor: &roundtable_domain::Actor,
    actor_name: &str,
    q: &ExportQuery,
) -> Result<Response> {
    crate::admin::require_admin(actor)?;
    let network = Some(q.network.trim()).filter(|n| !n.is_empty());
    // The slug goes into a header: only a valid slug (letters, digits, dashes) gets that far.
    if let Some(n) = network {
        roundtable_domain::NetworkSlug::parse(n).map_err(|_| AppError::NotFound)?;
    }
    let separator = crate::http::Separator::parse(&q.separator)?;
    let body = super::export(state, actor, actor_name, network, separator, q.include_deactivated).await?;
    // Dated, so this month's file does not overwrite last month's in Downloads.
    let day = Utc::now().date_naive();
    let name = network.map_or_else(|| format!("members-{day}.csv"), |n| format!("members-{n}-{day}.csv"));
    Ok(crate::http::csv_attachment(&name, body))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_error_file_is_named_after_the_upload_and_safe_in_a_header() {
        assert_eq!(super::errors_file_name("hr.csv"), "hr-errors.csv");
        assert_eq!(super::errors_file_name("C:\\Users\\me\\HR export.CSV"), "HRexport-errors.csv");
        assert_eq!(super::errors_file_name("pasted text"), "pastedtext-errors.csv");
        assert_eq!(super::errors_file_name("\"; rm -rf"), "rm-rf-errors.csv");
        assert_eq!(super::errors_file_name("..."), "import-errors.csv");
    }
}
