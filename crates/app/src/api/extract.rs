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
        Self::from_value(value)
    }
}

impl<T: serde::de::DeserializeOwned> Json<T> {
    fn from_value(value: serde_json::Value) -> Result<Self, ApiError> {
        serde_path_to_error::deserialize(value).map(Json).map_err(|e| {
            // A missing field is refused at the object that should hold it, and serde's message
            // names it in backticks: that name, under its object's path, is the field at fault.
            // Other errors (an unknown field too) are at the path they concern.
            let message = plain_types(&e.inner().to_string());
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

/// A JSON body a handler can do without (`Option<Json<T>>`): none when the request sends no
/// `Content-Type` or the JSON `null`, else read as `Json<T>` reads one (a body labelled as
/// something else is refused).
impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::OptionalFromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Option<Self>, ApiError> {
        if req.headers().get(axum::http::header::CONTENT_TYPE).is_none() {
            return Ok(None);
        }
        match <axum::Json<serde_json::Value> as FromRequest<S>>::from_request(req, state).await? {
            axum::Json(serde_json::Value::Null) => Ok(None),
            axum::Json(value) => Self::from_value(value).map(Some),
        }
    }
}

/// serde's message with Rust's type names in the words a client's author uses: "expected i64"
/// becomes "expected a whole number", a sequence a list, a map or "struct X" an object.
fn plain_types(message: &str) -> String {
    let Some((before, expected)) = message.rsplit_once("expected ") else {
        return message.to_owned();
    };
    let plain = match expected {
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number, 0 or more",
        "f32" | "f64" => "a number",
        "a sequence" => "a list",
        "a map" => "an object",
        "a borrowed string" => "a string",
        e if e.starts_with("struct ") => "an object",
        _ => return message.to_owned(),
    };
    let before = before.replace(": sequence,", ": list,").replace(": map,", ": object,");
    format!("{before}expected {plain}")
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

#[cfg(test)]
mod tests {
    use super::plain_types;

    #[test]
    fn rust_type_names_become_plain_words() {
        assert_eq!(
            plain_types("invalid type: string \"ten\", expected i64"),
            "invalid type: string \"ten\", expected a whole number"
        );
        assert_eq!(
            plain_types("invalid value: integer `-1`, expected u32"),
            "invalid value: integer `-1`, expected a whole number, 0 or more"
        );
        assert_eq!(plain_types("invalid type: map, expected a sequence"), "invalid type: object, expected a list");
        assert_eq!(
            plain_types("invalid type: sequence, expected struct RsvpJson"),
            "invalid type: list, expected an object"
        );
        assert_eq!(
            plain_types("invalid type: integer `5`, expected a string"),
            "invalid type: integer `5`, expected a string"
        );
        assert_eq!(
            plain_types("unknown field `skils`, expected one of `skills`"),
            "unknown field `skils`, expected one of `skills`"
        );
    }
}
