//! [`Error`]: everything that can go wrong with a call, and how CCE error bodies are read.

use http::{HeaderMap, StatusCode};

use super::credentials::CredentialsError;

/// How much of an error body an [`Error::Api`] keeps, in bytes.
pub const MAX_KEPT_ERROR_BODY: usize = 4096;

/// What kind of transport failure an [`Error::Transport`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made (refused, unreachable, DNS, TLS handshake, connect
    /// timeout). Nothing was sent, so a retry is safe.
    Connect,
    /// The call's total timeout ran out (retries included).
    Timeout,
    /// Anything else: the connection broke while sending or reading.
    Other,
}

/// Everything that can go wrong with a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Invalid input or configuration, caught before anything was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Credentials could not be found or are incomplete.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// The request could not be sent or the response not read.
    #[error("{}: {message}", match kind {
        TransportErrorKind::Connect => "connection failed",
        TransportErrorKind::Timeout => "timed out",
        TransportErrorKind::Other => "transport error",
    })]
    Transport {
        /// Connect, timeout, or other.
        kind: TransportErrorKind,
        /// What happened, with its causes, on one line.
        message: String,
        /// The HTTP library's error, when there is one.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// The API answered with an error (or undocumented) status.
    #[error("{}", api_summary(*status, request_id.as_deref(), error_code.as_deref(), error_message.as_deref(), body))]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// `X-Request-Id` (or the body's `request_id`), when there is one.
        request_id: Option<String>,
        /// `error_code` or `errorCode` from the body, for example `CCE.01400001`.
        error_code: Option<String>,
        /// `error_msg` or `errorMessage` from the body, with `message` appended when both are
        /// there (as the official SDK does).
        error_message: Option<String>,
        /// The body as text, at most [`MAX_KEPT_ERROR_BODY`] bytes of it.
        body: String,
    },
    /// The response does not match the spec.
    #[error(
        "response does not match the spec: status {status}, {}: {path}: {message}",
        request_id_text(request_id.as_deref())
    )]
    ResponseMismatch {
        /// The HTTP status.
        status: StatusCode,
        /// `X-Request-Id`, when there is one.
        request_id: Option<String>,
        /// The JSON path of the first mismatch, for example `clusters[0].cluster.server`
        /// (`.` for the whole body).
        path: String,
        /// What is wrong there, for example `invalid type: integer `1`, expected a string`.
        message: String,
    },
    /// The response body is larger than the configured limit; it was not read to the end.
    #[error(
        "response body larger than {limit} bytes: status {status}, {}",
        request_id_text(request_id.as_deref())
    )]
    BodyTooLarge {
        /// The HTTP status.
        status: StatusCode,
        /// `X-Request-Id`, when there is one.
        request_id: Option<String>,
        /// The limit, in bytes.
        limit: usize,
    },
}

fn request_id_text(request_id: Option<&str>) -> String {
    match request_id {
        Some(id) => format!("request id {id}"),
        None => "no request id".to_owned(),
    }
}

fn api_summary(
    status: StatusCode,
    request_id: Option<&str>,
    code: Option<&str>,
    message: Option<&str>,
    body: &str,
) -> String {
    let head = format!(
        "API error: status {status}, {}",
        request_id_text(request_id)
    );
    match (code, message) {
        (Some(code), Some(message)) => format!("{head}: {code}: {message}"),
        (Some(code), None) => format!("{head}: {code}"),
        (None, Some(message)) => format!("{head}: {message}"),
        (None, None) if body.trim().is_empty() => format!("{head}: empty body"),
        (None, None) => {
            // An HTML page or other text: show its start on one line.
            let snippet: String = body
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(120)
                .collect();
            format!("{head}: body is not a CCE error: {snippet}")
        }
    }
}

impl Error {
    /// Whether trying again may succeed: a failed connection, or status 429, 502, 503, 504.
    ///
    /// ```
    /// use clustercert::Error;
    /// assert!(!Error::InvalidInput("x".into()).is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { kind, .. } => *kind == TransportErrorKind::Connect,
            Error::Api { status, .. } => is_retryable_status(*status),
            _ => false,
        }
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. }
            | Error::ResponseMismatch { status, .. }
            | Error::BodyTooLarge { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The request id, when a response carried one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. }
            | Error::ResponseMismatch { request_id, .. }
            | Error::BodyTooLarge { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// A transport error from the HTTP library, classified.
    pub(crate) fn from_reqwest(error: reqwest::Error) -> Self {
        let kind = if error.is_connect() {
            TransportErrorKind::Connect
        } else if error.is_timeout() {
            TransportErrorKind::Timeout
        } else {
            TransportErrorKind::Other
        };
        Error::Transport {
            kind,
            message: error_chain(&error),
            source: Some(error),
        }
    }
}

/// The statuses worth retrying: 429, 502, 503, 504.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// An error and its causes on one line, `a: b: c`, without repeating a cause that is already
/// part of its parent's text.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}

/// A header's value, when present and visible ASCII.
pub(crate) fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The error code, message and request id of a CCE error body in either shape:
/// `{"error_code", "error_msg"}` or `{"errorCode", "errorMessage"}`, each perhaps with a
/// `message` beside it. Anything else (null, empty, not JSON, not an object) gives nothing.
pub(crate) struct CceErrorBody {
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
}

impl CceErrorBody {
    pub(crate) fn parse(body: &[u8]) -> Self {
        let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let text = |key: &str| -> Option<String> {
            match value.get(key)? {
                serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let code = text("error_code").or_else(|| text("errorCode"));
        let primary = text("error_msg").or_else(|| text("errorMessage"));
        let message = match (primary, text("message")) {
            (Some(p), Some(m)) if p != m => Some(format!("{p}, {m}")),
            (Some(p), _) => Some(p),
            (None, m) => m,
        };
        CceErrorBody {
            code,
            message,
            request_id: text("request_id"),
        }
    }
}

/// At most `max` bytes of `body` as text, cut at a character boundary, with `…` when cut.
pub(crate) fn capped_text(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    if text.len() <= max {
        return text.into_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_snake_case_shape() {
        let b = CceErrorBody::parse(br#"{"error_code":"CCE.01400001","error_msg":"bad"}"#);
        assert_eq!(b.code.as_deref(), Some("CCE.01400001"));
        assert_eq!(b.message.as_deref(), Some("bad"));
    }

    #[test]
    fn parses_camel_case_shape_with_message() {
        let b = CceErrorBody::parse(
            br#"{"errorCode":"CCE.01404001","errorMessage":"not found","message":"cluster c1"}"#,
        );
        assert_eq!(b.code.as_deref(), Some("CCE.01404001"));
        assert_eq!(b.message.as_deref(), Some("not found, cluster c1"));
    }

    #[test]
    fn odd_bodies_give_nothing_and_do_not_panic() {
        for body in [
            &b""[..],
            b"null",
            b"[1,2]",
            b"\"text\"",
            b"{\"error_code\":",
            b"<html><body>502 Bad Gateway</body></html>",
            b"\xff\xfe",
            b"{\"error_code\":null,\"error_msg\":{}}",
        ] {
            let b = CceErrorBody::parse(body);
            assert!(b.code.is_none() && b.message.is_none(), "{body:?}");
        }
    }

    #[test]
    fn capped_text_cuts_at_char_boundary() {
        assert_eq!(capped_text("abc".as_bytes(), 10), "abc");
        assert_eq!(capped_text("aé".as_bytes(), 2), "a…");
        assert_eq!(capped_text(b"abcdef", 3), "abc…");
    }

    #[test]
    fn api_display_is_one_line_for_html() {
        let e = Error::Api {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            request_id: Some("r-1".into()),
            error_code: None,
            error_message: None,
            body: "<html>\n<head><title>500</title></head>\n</html>".into(),
        };
        let text = e.to_string();
        assert!(!text.contains('\n'), "{text}");
        assert!(
            text.contains("500 Internal Server Error") && text.contains("r-1"),
            "{text}"
        );
        assert!(!e.is_retryable());
    }

    #[test]
    fn error_can_cross_threads() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<Error>();
    }

    #[test]
    fn retryable_statuses() {
        for (code, retry) in [
            (429, true),
            (502, true),
            (503, true),
            (504, true),
            (500, false),
            (400, false),
        ] {
            assert_eq!(
                is_retryable_status(StatusCode::from_u16(code).unwrap()),
                retry,
                "{code}"
            );
        }
    }
}
