//! Request validation as the spec says, with messages that name the problem. The duration is
//! judged by the generated [`ValidityDays`] type, so the server accepts exactly what the
//! client's types accept.

use axum::http::{header, HeaderMap};
use clustercert::{CertDuration, ValidityDays};
use serde_json::Value;

use super::error::ApiError;

/// Checks `Content-Type` and the body, and returns the requested validity.
pub(crate) fn cert_duration(headers: &HeaderMap, body: &[u8]) -> Result<ValidityDays, ApiError> {
    content_type(headers)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "request body is missing: expected a JSON object such as {\"duration\": 30}",
        ));
    }
    let text = std::str::from_utf8(body)
        .map_err(|e| ApiError::bad_request(format!("request body is not valid UTF-8: {e}")))?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ApiError::bad_request(format!("malformed JSON in request body: {e}")))?;
    let object = value.as_object().ok_or_else(|| {
        ApiError::bad_request(format!(
            "request body must be a JSON object (CertDuration), got {}",
            kind_of(&value)
        ))
    })?;
    let duration = object
        .get("duration")
        .ok_or_else(|| ApiError::bad_request("duration is required"))?;
    let days = integer(duration)?;
    ValidityDays::try_from(days).map_err(|e| {
        ApiError::bad_request(format!("invalid duration: {} ({})", e.value, e.rule))
    })?;
    // The generated type has the last word, so nothing it rejects gets through.
    let parsed: CertDuration = serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request(format!("invalid request body: {e}")))?;
    Ok(parsed.duration)
}

/// Whether `Content-Type` is `application/json` (parameters such as `charset` allowed): the
/// only body the operation reads.
pub(crate) fn is_json_content_type(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).is_some_and(|value| {
        let text = String::from_utf8_lossy(value.as_bytes());
        let media_type = text.split(';').next().unwrap_or_default().trim();
        media_type.eq_ignore_ascii_case("application/json")
    })
}

/// `Content-Type` must be `application/json` (parameters such as `charset` allowed).
fn content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let value = headers.get(header::CONTENT_TYPE).ok_or_else(|| {
        ApiError::bad_request("Content-Type is missing: it must be application/json")
    })?;
    if is_json_content_type(headers) {
        Ok(())
    } else {
        let text = String::from_utf8_lossy(value.as_bytes());
        Err(ApiError::bad_request(format!(
            "unsupported Content-Type {text:?}: it must be application/json"
        )))
    }
}

/// The duration as an integer, or a message naming its type or range.
fn integer(value: &Value) -> Result<i64, ApiError> {
    let wrong = |what: String| {
        ApiError::bad_request(format!(
            "duration must be an integer (-1, or from 1 to 1825), got {what}"
        ))
    };
    match value {
        Value::Number(n) => {
            // Integers beyond i64 arrive as u64, or as f64 when beyond u64 too.
            const BEYOND_EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
            if let Some(i) = n.as_i64() {
                Ok(i)
            } else if n.is_u64()
                || n.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && f.abs() >= BEYOND_EXACT)
            {
                // Written out in full, as the client sent it, not as 1e+20.
                let shown = match n.as_f64() {
                    Some(f) if !n.is_u64() => format!("{f:.0}"),
                    _ => n.to_string(),
                };
                Err(ApiError::bad_request(format!(
                    "invalid duration: {shown} (must be -1, or from 1 to 1825)"
                )))
            } else {
                Err(wrong(format!("the number {n}")))
            }
        }
        other => Err(wrong(kind_of(other))),
    }
}

fn kind_of(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}
