//! The app's one error type, and how it becomes a response: a helpful HTML page for browsers,
//! `application/problem+json` for `/api`. A 5xx never shows its cause; the cause is logged.

use askama::Template;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use roundtable_domain::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("sign-in required")]
    Unauthenticated,
    /// A page needs a signed-in person: send them to sign in, then back to `next`.
    #[error("sign-in required")]
    SignInFirst { next: String },
    /// The network has a charter version the member has not accepted yet; `first` when they
    /// have accepted none of its versions (a network's first charter, or a newcomer), so the
    /// message does not speak of a "new version".
    #[error("charter acceptance required")]
    CharterPending { slug: String, first: bool },
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("conflict")]
    Conflict(FieldError),
    /// Too many attempts: the message says in words when to try again, `retry_after_seconds` says
    /// it in the `Retry-After` header (the same time: a message saying "5 minutes" sends 300).
    #[error("too many attempts")]
    RateLimited { message: String, retry_after_seconds: u64 },
    /// Malformed request (not a form, broken encoding, too large): the message says what to fix.
    #[error("bad request: {1}")]
    BadRequest(StatusCode, String),
    /// A form posted from another site (or a page whose origin no longer matches): refused by
    /// the CSRF check before any handler ran.
    #[error("cross-site request refused")]
    CrossSite,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl From<roundtable_domain::Error> for AppError {
    fn from(e: roundtable_domain::Error) -> Self {
        use roundtable_domain::Error as D;
        match e {
            D::NotFound => AppError::NotFound,
            D::Forbidden(m) => AppError::Forbidden(m),
            D::Unauthenticated => AppError::Unauthenticated,
            D::Invalid(f) => AppError::Invalid(f),
            D::Conflict(f) => AppError::Conflict(f),
            D::RateLimited { message, retry_after_seconds } => AppError::RateLimited { message, retry_after_seconds },
        }
    }
}

impl From<roundtable_store::Error> for AppError {
    fn from(e: roundtable_store::Error) -> Self {
        AppError::Internal(anyhow::Error::new(e))
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid(vec![e])
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(anyhow::anyhow!("template: {e}"))
    }
}

/// A query string that does not fit: 400, saying which parameter and why (axum's own words).
impl From<QueryRejection> for AppError {
    fn from(e: QueryRejection) -> Self {
        let text = e.body_text();
        // `?department=Finance&department=Legal`, as a hand-made link may say: in words.
        let said = match text.split_once("duplicate field `") {
            Some((_, rest)) => {
                let name = rest.split('`').next().unwrap_or_default();
                format!(
                    "`{name}` is given more than once: a search or filter takes one value at a time. Keep one `{name}=…` in the address."
                )
            }
            None => text,
        };
        AppError::BadRequest(e.status(), said)
    }
}

/// A JSON body that is not JSON (400), does not fit the type (422, as a field error on `body`),
/// is not labelled JSON (415), is over axum's default limit of 2 MB (413) or cannot be read.
impl From<JsonRejection> for AppError {
    fn from(e: JsonRejection) -> Self {
        match e {
            JsonRejection::JsonDataError(e) => AppError::Invalid(vec![FieldError::new("body", e.body_text())]),
            JsonRejection::MissingJsonContentType(_) => AppError::BadRequest(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the body as JSON, with the header `Content-Type: application/json`.".into(),
            ),
            e if e.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::BadRequest(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The JSON body is over the 2 MB a request may send: send fewer items at a time.".into(),
            ),
            e => AppError::BadRequest(e.status(), e.body_text()),
        }
    }
}

/// A path segment that does not fit its type: 400. A route whose parameters do not match its
/// handler is our bug, so a 5xx that hides it.
impl From<PathRejection> for AppError {
    fn from(e: PathRejection) -> Self {
        if e.status().is_server_error() {
            AppError::Internal(anyhow::anyhow!("path extraction: {}", e.body_text()))
        } else {
            AppError::BadRequest(e.status(), e.body_text())
        }
    }
}

impl AppError {
    /// A passing state of the database, told as such (503, try again) rather than as a fault of
    /// ours: it cannot be reached (down, restarting, out of connections), or it rolled this
    /// change back because another held what it needed (`Busy`).
    fn database_passing(&self) -> Option<&roundtable_store::Error> {
        use roundtable_store::Error::{Busy, Unavailable};
        match self {
            AppError::Internal(e) => e.downcast_ref().filter(|e| matches!(e, Unavailable(_) | Busy(_))),
            _ => None,
        }
    }

    /// The change was rolled back for another's sake (`roundtable_store::Error::Busy`).
    pub fn database_busy(&self) -> bool {
        matches!(self.database_passing(), Some(roundtable_store::Error::Busy(_)))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            _ if self.database_passing().is_some() => StatusCode::SERVICE_UNAVAILABLE,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::CharterPending { .. } => StatusCode::CONFLICT,
            AppError::Unauthenticated | AppError::SignInFirst { .. } => StatusCode::UNAUTHORIZED,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest(s, _) => *s,
            AppError::CrossSite => StatusCode::FORBIDDEN,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable snake_case code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            _ if self.database_busy() => "busy",
            _ if self.database_passing().is_some() => "unavailable",
            AppError::NotFound => "not_found",
            AppError::Forbidden(_) => "forbidden",
            AppError::CharterPending { .. } => "charter_acceptance_required",
            AppError::Unauthenticated | AppError::SignInFirst { .. } => "unauthenticated",
            AppError::Invalid(_) => "invalid_input",
            AppError::Conflict(_) => "conflict",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::BadRequest(s, _) => match *s {
                StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
                StatusCode::REQUEST_TIMEOUT => "request_timeout",
                StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
                StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
                StatusCode::CONFLICT => "conflict",
                _ => "bad_request",
            },
            AppError::CrossSite => "cross_site_request",
            AppError::Internal(_) => "internal",
        }
    }

    /// What to tell the person, in plain words.
    pub fn message(&self) -> String {
        match self {
            _ if self.database_busy() => {
                "Another change was being saved at the same moment, so this one was not: nothing was changed. Please try again."
                    .into()
            }
            _ if self.database_passing().is_some() => {
                "Roundtable cannot reach its database just now. Nothing was changed; please try again in a minute."
                    .into()
            }
            AppError::NotFound => {
                "We could not find that page. It may have moved, or you may not have access to it.".into()
            }
            AppError::Forbidden(m) => (*m).into(),
            // The same words as the network's home page.
            AppError::CharterPending { first: true, .. } => {
                "This network asks its members to accept its charter. Please read and accept it to continue.".into()
            }
            AppError::CharterPending { first: false, .. } => {
                "This network has a new version of its charter. Please read and accept it to continue.".into()
            }
            AppError::Unauthenticated | AppError::SignInFirst { .. } => "Please sign in to continue.".into(),
            AppError::Invalid(f) => f.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" "),
            AppError::Conflict(f) => f.message.clone(),
            AppError::RateLimited { message, .. } => message.clone(),
            AppError::BadRequest(_, m) => m.clone(),
            AppError::CrossSite => "This form could not be sent: it did not come from one of this site's own pages \
                 (it may have been opened on another site, or the page is out of date). Please reload the page \
                 and try again."
                .into(),
            AppError::Internal(_) => {
                "Something went wrong on our side. It has been logged; please try again in a moment.".into()
            }
        }
    }

    /// Adds `Retry-After` (seconds) to a response for a refusal that says when to try again.
    pub fn retry_after(&self, mut r: Response) -> Response {
        if let AppError::RateLimited { retry_after_seconds, .. } = self {
            r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(*retry_after_seconds));
        } else if self.database_busy() {
            r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(1u32));
        } else if self.database_passing().is_some() {
            r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(30u32));
        }
        r
    }

    fn log(&self) {
        if self.database_busy() {
            tracing::warn!(error = ?self.database_passing(), "a change was rolled back for another's sake");
        } else if let AppError::Internal(e) = self {
            tracing::error!(error = %format!("{e:#}"), "internal error");
        }
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage {
    layout: crate::http::Layout,
    status: u16,
    title: &'static str,
    message: String,
}

/// Renders an error as a page (for people in browsers).
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        match &self {
            AppError::Unauthenticated => return Redirect::to("/sign-in").into_response(),
            AppError::CharterPending { slug, .. } => {
                let mut to_charter = Redirect::to(&format!("/n/{slug}/charter?notice=charter-pending")).into_response();
                to_charter.extensions_mut().insert(CharterGate);
                return to_charter;
            }
            AppError::SignInFirst { next } => {
                return Redirect::to(&format!("/sign-in?next={}", crate::http::urlencode(next))).into_response();
            }
            _ => {}
        }
        let status = self.status();
        let title = match status {
            _ if matches!(self, AppError::CrossSite) => "This form could not be sent",
            StatusCode::NOT_FOUND => "Page not found",
            StatusCode::FORBIDDEN => "You do not have access to this",
            StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
            StatusCode::SERVICE_UNAVAILABLE => "Back in a moment",
            s if s.is_server_error() => "Something went wrong",
            _ => "We could not use that request",
        };
        let shown = Shown { status, title, message: self.message() };
        let mut r = shown.render(crate::http::Layout::anonymous(title));
        // Who asked is not known here; `error_pages` renders the page again for a signed-in
        // person, with their navigation.
        r.extensions_mut().insert(shown);
        self.retry_after(r)
    }
}

/// An error page as shown, kept on the response so that it can be shown again in another layout.
#[derive(Clone)]
struct Shown {
    status: StatusCode,
    title: &'static str,
    message: String,
}

impl Shown {
    fn render(&self, layout: crate::http::Layout) -> Response {
        let page = ErrorPage { layout, status: self.status.as_u16(), title: self.title, message: self.message.clone() };
        match page.render() {
            Ok(html) => (self.status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
            Err(_) => (self.status, self.message.clone()).into_response(),
        }
    }
}

/// Marks the charter gate's redirect (`AppError::CharterPending`) for `back_after_charter`.
#[derive(Clone, Copy)]
struct CharterGate;

/// A page held back until its network's charter is accepted sends the person to the charter;
/// for a page they asked for (GET), the charter page is told it (`next`), so that accepting
/// takes them on to it — the event an email linked to, not the network's home.
fn back_after_charter(mut response: Response, asked: Option<&axum::http::Uri>) -> Response {
    let Some(asked) = asked.filter(|_| response.extensions().get::<CharterGate>().is_some()) else {
        return response;
    };
    let Some(location) = response.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()) else {
        return response;
    };
    let path = asked.path_and_query().map_or(asked.path(), |p| p.as_str());
    if let Ok(to) = axum::http::HeaderValue::from_str(&format!("{location}&next={}", crate::http::urlencode(path))) {
        response.headers_mut().insert(header::LOCATION, to);
    }
    response
}

/// Finishes the pages' error responses. An error page for someone signed in gets their
/// navigation back (the error was made without knowing who asked: one session lookup, only on
/// an error). A body over the router's size limit, refused before any handler saw it, becomes
/// the error page too rather than a bare line of text. The charter gate's redirect carries
/// the page asked for (`back_after_charter`).
pub async fn error_pages(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if crate::api::is_api(req.uri().path()) {
        return next.run(req).await;
    }
    // Every Cookie header: HTTP/2 clients may send each cookie in one of its own.
    // (Kept on every page request, so no allocation for the usual single header.)
    let cookies: smallvec::SmallVec<[_; 1]> = req.headers().get_all(header::COOKIE).iter().cloned().collect();
    // The page asked for, so the navigation marks where the person is (a cheap clone: shared bytes).
    let uri = req.uri().clone();
    let get = req.method() == axum::http::Method::GET;
    let response = back_after_charter(next.run(req).await, get.then_some(&uri));
    // The size limit's own answer is bare text; our pages (the import form explains its own
    // limit) answer in HTML and are left as they are.
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.to_str().is_ok_and(|v| v.starts_with("text/html")));
    let response = if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !html {
        // An HR file past even the router's limit gets the import page's own advice (its limit,
        // splitting the file, the command line), not a bare "too large".
        // A photo past it is told the profile page's own limit, and that nothing else was saved.
        let message = if uri.path().starts_with("/admin/import") {
            crate::import::pages::too_large("this page")
        } else if uri.path() == "/profile" {
            format!(
                "{} Nothing on your profile was saved: go back and send it again.",
                crate::members::photo::too_large().message
            )
        } else {
            format!("This is larger than the {BODY_LIMIT_MB} MB a page may send. Choose a smaller file.")
        };
        AppError::BadRequest(StatusCode::PAYLOAD_TOO_LARGE, message).into_response()
    } else {
        response
    };
    let refused_form = html
        && matches!(response.status(), StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT)
        && response.extensions().get::<Shown>().is_none();
    if refused_form {
        return titled_as_error(response).await;
    }
    let Some(shown) = response.extensions().get::<Shown>().cloned().filter(|_| !cookies.is_empty()) else {
        return response;
    };
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    parts.uri = uri;
    for c in cookies {
        parts.headers.append(header::COOKIE, c);
    }
    use axum::extract::FromRequestParts;
    match crate::http::MaybeSigned::from_request_parts(&mut parts, &state).await {
        Ok(crate::http::MaybeSigned(Some(signed))) => {
            let (mut head, _) = response.into_parts();
            let fresh = shown.render(crate::http::Layout::for_user(shown.title, &signed));
            let (_, body) = fresh.into_parts();
            head.extensions.insert(shown);
            Response::from_parts(head, body)
        }
        _ => response,
    }
}

/// A form sent back with what is wrong starts its title with "Error:", the first thing a screen
/// reader says of the page (the page itself looks the same as before it was sent).
async fn titled_as_error(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    // Our own rendered page, already whole in memory: reading it back cannot fail or be large.
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let page = String::from_utf8_lossy(&bytes).replacen("<title>", "<title>Error: ", 1);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(page))
}

/// The largest request body the router takes, in MB (photos and import files; forms have their
/// own 256 KB limit).
pub const BODY_LIMIT_MB: usize = 16;

/// The same error for `/api`: RFC 9457 problem details.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl ApiError {
    /// What the problem document says: the pages' words, except where those speak of pages and
    /// signing in, which an API client does not do.
    fn detail(e: &AppError) -> String {
        match e {
            AppError::NotFound => {
                "Nothing was found at this address: no such item, or the caller may not see it.".into()
            }
            AppError::Unauthenticated | AppError::SignInFirst { .. } => {
                "Send a personal API token (made on My account) as `Authorization: Bearer rt_…`: this request's is missing, unknown or revoked.".into()
            }
            // Where to read it and how to accept it, in the API's own terms.
            AppError::CharterPending { slug, .. } => format!(
                "{} Read it with GET /api/v1/networks/{slug}/charter and accept its version with POST /api/v1/networks/{slug}/charter/acceptance.",
                e.message().trim_end_matches(" Please read and accept it to continue.")
            ),
            e => e.message(),
        }
    }

    /// The problem document (RFC 9457) this error is answered with: for a handler that adds an
    /// extension member of its own (`with_members`).
    pub fn problem(&self) -> serde_json::Value {
        let e = &self.0;
        let status = e.status();
        let mut body = serde_json::json!({
            "type": format!("https://roundtable.invalid/problems/{}", e.code()),
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "code": e.code(),
            "detail": Self::detail(e),
        });
        let fields = match e {
            AppError::Invalid(f) => f.clone(),
            AppError::Conflict(f) => vec![f.clone()],
            _ => Vec::new(),
        };
        if !fields.is_empty() {
            body["errors"] =
                fields.iter().map(|f| serde_json::json!({"field": f.field, "message": f.message})).collect();
        }
        body
    }

    /// The answer with `problem` as its document (this error's `problem`, perhaps with members
    /// added), and the headers this error calls for.
    pub fn with_problem(self, problem: serde_json::Value) -> Response {
        let e = self.0;
        e.log();
        let status = e.status();
        let mut r = (status, [(header::CONTENT_TYPE, "application/problem+json")], problem.to_string()).into_response();
        if status == StatusCode::UNAUTHORIZED {
            // RFC 6750 §3: a refusal for want of a token names the scheme the client should use.
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static(r#"Bearer realm="roundtable""#));
        }
        e.retry_after(r)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        self.with_problem(problem)
    }
}

pub type ApiResult<T> = std::result::Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    fn refused() -> AppError {
        AppError::RateLimited { message: "Please wait 5 minutes and try again.".into(), retry_after_seconds: 300 }
    }

    // No /api route is rate limited today; whichever is one day answers like this.
    #[test]
    fn a_refusal_over_the_api_says_when_to_retry() {
        let r = ApiError(refused()).into_response();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[header::RETRY_AFTER], "300");
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/problem+json");
        assert!(ApiError(AppError::NotFound).into_response().headers().get(header::RETRY_AFTER).is_none());
    }

    #[test]
    fn an_unreachable_database_is_a_passing_503_not_a_fault() {
        let down = || AppError::from(roundtable_store::Error::Unavailable("connection refused".into()));
        let r = down().into_response();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()[header::RETRY_AFTER], "30");
        assert!(down().message().contains("try again in a minute") && !down().message().contains("refused"));
        let r = ApiError(down()).into_response();
        assert_eq!(
            (r.status(), r.headers()[header::RETRY_AFTER].clone()),
            (StatusCode::SERVICE_UNAVAILABLE, "30".parse().unwrap())
        );
        // A change rolled back for another's sake: the same kind of answer, sooner.
        let busy = || AppError::from(roundtable_store::Error::Busy("40P01: deadlock detected".into()));
        let r = ApiError(busy()).into_response();
        assert_eq!(
            (r.status(), r.headers()[header::RETRY_AFTER].clone()),
            (StatusCode::SERVICE_UNAVAILABLE, "1".parse().unwrap())
        );
        assert_eq!(busy().code(), "busy");
        assert!(busy().message().contains("nothing was changed") && !busy().message().contains("deadlock"));
        // Any other database error is ours.
        let broken = AppError::from(roundtable_store::Error::Database("syntax error".into()));
        assert_eq!(broken.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn a_refusal_page_says_when_to_retry() {
        let r = refused().into_response();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[header::RETRY_AFTER], "300");
        assert!(AppError::NotFound.into_response().headers().get(header::RETRY_AFTER).is_none());
    }
}
