//! axum's `Json`, `Query` and `Path` for `/api/v1` handlers: the same extractors, but a request
//! they cannot read is refused with a problem document (400, 415 or 422 with a `detail` saying
//! what to fix) instead of axum's plain text. Use them in every API handler:
//! `use crate::api::extract::{Json, Path, Query};`.

use crate::http::{ApiError, AppError};
use axum::extract::{FromRequest, FromRequestParts};
use axum::response::{IntoResponse, Response};
use roundtable_domain::FieldError;

/// A JSON request body (and, as a response, a JSON body like `axum::Json`). A body that is JSON
/// but not of the expected shape is refused with 422 naming the field at fault (`role`,
/// `audiences.skills`) — read as a JSON value first and then as `T`, because serde_json reading
/// straight into `T` calls some wrong types (`"role": 5`) a syntax error, which would be a 400
/// saying the body is not JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state).await?;
        serde_path_to_error::deserialize(value).map(Json).map_err(|e| {
            // A missing field is refused at the object that should hold it, and serde's message
            // names it in backticks: that name, under its object's path, is the field at fault.
            // Other errors (an unknown field too) are at the path they concern.
            let message = e.inner().to_string();
            let named = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
            let field = match (e.path().to_string(), named) {
                (p, Some(name)) if p == "." => name.to_owned(),
                (p, Some(name)) => format!("{p}.{name}"),
                (p, None) if p == "." => "body".to_owned(),
                (p, None) => p,
            };
            let error = if field == "body" {
                FieldError::new("body", message)
            } else {
                FieldError::new(field.clone(), format!("`{field}`: {message}"))
            };
            ApiError(AppError::Invalid(vec![error]))
        })
    }
}

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
