//! The domain's one error type. The app turns it into a page or a problem+json response.

use std::borrow::Cow;

/// A problem with one input field, shown beside that field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The field's name in the form or JSON body (for a nested JSON value, its path: `audiences.skills`).
    pub field: Cow<'static, str>,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    /// The actor is known but may not do this. Message is safe to show.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The request needs a signed-in person.
    #[error("sign-in required")]
    Unauthenticated,
    /// One or more fields were wrong; nothing was changed.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The change clashes with existing state (duplicate email, slug, …).
    #[error("conflict: {0}")]
    Conflict(FieldError),
    /// Too many attempts; the message says when to try again, in words, and `retry_after_seconds`
    /// the same time for machines (HTTP `Retry-After`).
    #[error("rate limited: {message}")]
    RateLimited { message: String, retry_after_seconds: u64 },
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::Invalid(vec![e])
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Keeps a parsed value, or records its field error so a form can report every problem at once.
pub fn gather<T>(errs: &mut Vec<FieldError>, r: std::result::Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errs.push(e)).ok()
}
