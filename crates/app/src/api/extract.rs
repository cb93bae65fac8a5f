//! axum's `Json`, `Query` and `Path` for `/api/v1` handlers: the same extractors, but a request
//! they cannot read is refused with a problem document (400, 415 or 422 with a `detail` saying
//! what to fix) instead of axum's plain text. Use them in every API handler:
//! `use crate::api::extract::{Json, Path, Query};`.

use crate::http::ApiError;
use axum::extract::{FromRequest, FromRequestParts};
use axum::response::{IntoResponse, Response};

/// A JSON request body (and, as a response, a JSON body like `axum::Json`).
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query-string parameters.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Path parameters.
#[derive(Debug, Clone, Copy, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);
