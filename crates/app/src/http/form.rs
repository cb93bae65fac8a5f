//! Our form extractor. axum's `Form` answers bad input with a bare text 4xx; ours explains what
//! was wrong (not a form, too large, broken text encoding) on a proper page, and refuses invalid
//! UTF-8 instead of silently replacing it.

use crate::http::AppError;
use axum::extract::{FromRequest, Request};

use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

/// Room for the longest text a form takes (`LongText`, 20,000 characters) in any script: sent
/// URL-encoded, a character of Arabic, Chinese or Hindi takes 9 bytes (`%D8%A7`…), an emoji 12.
pub const MAX_FORM_BYTES: usize = 256 * 1024;

pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let empty = req.headers().get(header::CONTENT_LENGTH).is_some_and(|v| v == "0")
            || (ct.is_empty() && !req.headers().contains_key(header::TRANSFER_ENCODING));
        // A bare POST (a button with no fields, or curl -X POST) is an empty form.
        if empty && ct.is_empty() {
            return parse(b"").map(Form);
        }
        if !ct.starts_with("application/x-www-form-urlencoded") {
            return Err(AppError::BadRequest(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "This address expects a submitted web form.".into(),
            ));
        }
        let too_large = || {
            AppError::BadRequest(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("The form is too large (over {} KB). Shorten the text and try again.", MAX_FORM_BYTES / 1024),
            )
        };
        let bytes = axum::body::to_bytes(req.into_body(), MAX_FORM_BYTES).await.map_err(|_| too_large())?;
        parse(&bytes).map(Form)
    }
}

/// Decodes `application/x-www-form-urlencoded` strictly, then deserialises.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let bad_text = || {
        AppError::BadRequest(
            StatusCode::BAD_REQUEST,
            "The form contained text that is not valid UTF-8. Please retype it and submit again.".into(),
        )
    };
    let mut pairs = Vec::new();
    for part in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let mut it = part.splitn(2, |b| *b == b'=');
        let k = decode(it.next().unwrap_or_default()).ok_or_else(bad_text)?;
        let v = decode(it.next().unwrap_or_default()).ok_or_else(bad_text)?;
        pairs.push((k, v));
    }
    let canonical = serde_urlencoded::to_string(&pairs).map_err(|_| bad_text())?;
    serde_urlencoded::from_str(&canonical).map_err(|e| {
        AppError::BadRequest(StatusCode::UNPROCESSABLE_ENTITY, format!("The form could not be read: {e}."))
    })
}

fn decode(raw: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = raw.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct F {
        #[serde(default)]
        name: String,
    }

    #[test]
    fn a_form_decodes_plus_and_percent_and_refuses_invalid_utf8() {
        let f: F = parse(b"name=Zo%C3%AB+O%27Brien&extra=1").unwrap();
        assert_eq!(f.name, "Zoë O'Brien");
        assert!(parse::<F>(b"name=%FF%FE").is_err());
        assert!(parse::<F>(b"name=%G1").is_err());
        let empty: F = parse(b"").unwrap();
        assert_eq!(empty.name, "");
    }
}
