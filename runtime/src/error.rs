//! [`Error`]: everything that can go wrong with a call, and how CCE error bodies are read.

use http::{HeaderMap, StatusCode};

use super::credentials::CredentialsError;
use super::redact::{redact_json, redact_text, REDACTION_MARKER};

/// How much of an error body an [`Error::Api`] keeps, in bytes.
pub const MAX_KEPT_ERROR_BODY: usize = 4096;

/// What kind of transport failure an [`Error::Transport`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made (refused, unreachable, DNS, TLS handshake, connect
    /// timeout). Nothing was sent, so a retry is safe.
    Connect,
    /// A timeout: the call's total timeout ran out (retries included), or one attempt's
    /// after the request was sent (it may have reached the server).
    Timeout,
    /// Anything else: the connection broke while sending or reading (the request may have
    /// reached the server).
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
    #[error("{}: {message}{}", match kind {
        TransportErrorKind::Connect => "connection failed",
        TransportErrorKind::Timeout => "timed out",
        TransportErrorKind::Other => "transport error",
    }, after_attempts(*attempts))]
    Transport {
        /// Connect, timeout, or other.
        kind: TransportErrorKind,
        /// What happened, with its causes, on one line.
        message: String,
        /// The HTTP library's error, when there is one.
        #[source]
        source: Option<reqwest::Error>,
        /// How many attempts were made (see [`Error::attempts`]).
        attempts: u32,
    },
    /// The API answered with an error (or undocumented) status.
    #[error("{}{}", api_summary(*status, request_id.as_deref(), error_code.as_deref(), error_message.as_deref(), body), after_attempts(*attempts))]
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
        /// The body as text, at most [`MAX_KEPT_ERROR_BODY`] bytes of it, with secrets taken
        /// out (see [`kept_error_body`]); nothing of the body of a success status.
        body: String,
        /// How many attempts were made (see [`Error::attempts`]).
        attempts: u32,
    },
    /// The response does not match the spec.
    #[error(
        "response does not match the spec: status {status}, {}: {path}: {message}{}",
        request_id_text(request_id.as_deref()),
        after_attempts(*attempts)
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
        /// How many attempts were made (see [`Error::attempts`]).
        attempts: u32,
    },
    /// The response body is larger than the configured limit; it was not read to the end.
    #[error(
        "response body larger than {limit} bytes: status {status}, {}{}",
        request_id_text(request_id.as_deref()),
        after_attempts(*attempts)
    )]
    BodyTooLarge {
        /// The HTTP status.
        status: StatusCode,
        /// `X-Request-Id`, when there is one.
        request_id: Option<String>,
        /// The limit, in bytes.
        limit: usize,
        /// How many attempts were made (see [`Error::attempts`]).
        attempts: u32,
    },
}

/// ` (after N attempts)` when there was more than one, so that a printed error says how
/// hard the client tried.
fn after_attempts(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
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
    /// Whether trying again is known to be safe: the request cannot have reached the
    /// operation (a failed connection, or status 429). A 503 is safe only with a
    /// `Retry-After`, which the error does not keep; see [`crate::retry`] for what the
    /// transport retries.
    ///
    /// ```
    /// use clustercert_runtime::Error;
    /// assert!(!Error::InvalidInput("x".into()).is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { kind, .. } => *kind == TransportErrorKind::Connect,
            Error::Api { status, .. } => *status == StatusCode::TOO_MANY_REQUESTS,
            _ => false,
        }
    }

    /// How many attempts the call made before this error: 0 when it failed before sending
    /// anything ([`Error::InvalidInput`], [`Error::Credentials`]), else 1 plus the retries
    /// (and, with several endpoints, plus the attempts that moved to the next endpoint after
    /// a failure to connect).
    /// `Display` says it too when there was more than one (`… (after 4 attempts)`).
    ///
    /// ```
    /// use clustercert_runtime::Error;
    /// assert_eq!(Error::InvalidInput("x".into()).attempts(), 0);
    /// ```
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Transport { attempts, .. }
            | Error::Api { attempts, .. }
            | Error::ResponseMismatch { attempts, .. }
            | Error::BodyTooLarge { attempts, .. } => *attempts,
            Error::InvalidInput(_) | Error::Credentials(_) => 0,
        }
    }

    /// Records how many attempts led to this error.
    pub(crate) fn with_attempts(mut self, count: u32) -> Self {
        if let Error::Transport { attempts, .. }
        | Error::Api { attempts, .. }
        | Error::ResponseMismatch { attempts, .. }
        | Error::BodyTooLarge { attempts, .. } = &mut self
        {
            *attempts = count;
        }
        self
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
            attempts: 1,
        }
    }
}

/// An error and its causes on one line, `a: b: c`, without repeating a cause that is already
/// part of its parent's text.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
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

/// What an [`Error::Api`] keeps of a response body: at most `max` bytes of text that can hold
/// no secret, since an error is printed and logged.
///
/// - A success status (2xx) keeps nothing but the body's size: such a body may be the very
///   kubeconfig, client key included, that the operation returns (say with a 201 where the
///   spec says 200).
/// - A JSON body keeps its text, with secrets replaced as [`redact_json`] does; it is written
///   out again only when something was taken out.
/// - Other text keeps everything but secrets, as [`redact_text`] does.
///
/// ```
/// use clustercert_runtime::error::kept_error_body;
/// use http::StatusCode;
/// let kubeconfig = br#"{"users":[{"user":{"client-key-data":"S3CR3T"}}]}"#;
/// let kept = kept_error_body(StatusCode::BAD_REQUEST, kubeconfig, 4096);
/// assert_eq!(kept, r#"{"users":[{"user":{"client-key-data":"[REDACTED]"}}]}"#);
/// assert!(!kept_error_body(StatusCode::CREATED, kubeconfig, 4096).contains("S3CR3T"));
/// let yaml = b"kind: Config\nclient-key-data: S3CR3T\n";
/// assert_eq!(kept_error_body(StatusCode::BAD_GATEWAY, yaml, 4096), "kind: Config\nclient-key-data: [REDACTED]\n");
/// ```
pub fn kept_error_body(status: StatusCode, body: &[u8], max: usize) -> String {
    if status.is_success() {
        return if body.is_empty() {
            String::new()
        } else {
            format!(
                "[{} bytes not kept: a {status} body may hold a secret]",
                body.len()
            )
        };
    }
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut value) => {
            if redact_json(&mut value) {
                serde_json::to_string(&value).unwrap_or_else(|_| REDACTION_MARKER.to_owned())
            } else {
                String::from_utf8_lossy(body).into_owned()
            }
        }
        Err(_) => redact_text(&String::from_utf8_lossy(body)),
    };
    capped_text(text.as_bytes(), max)
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

    const KEY: &str = "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSUJ";

    fn kept(status: u16, body: &str) -> String {
        kept_error_body(StatusCode::from_u16(status).unwrap(), body.as_bytes(), 4096)
    }

    #[test]
    fn a_success_body_is_never_kept() {
        let body = format!(r#"{{"users":[{{"user":{{"client-key-data":"{KEY}"}}}}]}}"#);
        for status in [200, 201, 202, 204, 299] {
            let text = kept(status, &body);
            assert!(!text.contains(KEY), "{text}");
            assert!(text.contains(&body.len().to_string()), "{text}");
        }
        assert_eq!(kept(201, ""), "");
    }

    #[test]
    fn secret_json_keys_are_redacted_at_any_depth_and_any_case() {
        let body = format!(
            r#"{{"error_code":"CCE.1","users":[{{"user":{{"Client-Key-Data":"{KEY}","client_key_data":"{KEY}"}}}}],
            "auth":{{"Token":"t0k","PASSWORD":"pw","x_secret_x":{{"a":"s"}},"private_key":"pk","keep":"visible"}}}}"#
        );
        let text = kept(400, &body);
        for secret in [KEY, "t0k", "\"pw\"", "\"s\"", "\"pk\""] {
            assert!(!text.contains(secret), "{secret}: {text}");
        }
        assert!(
            text.contains("CCE.1") && text.contains("visible") && text.contains(REDACTION_MARKER),
            "{text}"
        );
    }

    #[test]
    fn json_without_secrets_is_kept_as_it_came() {
        let body = "{ \"error_code\" : \"CCE.01400001\", \"error_msg\" : \"Invalid token.\" }";
        assert_eq!(kept(400, body), body);
        assert_eq!(kept(500, "[1, null]"), "[1, null]");
    }

    #[test]
    fn secrets_in_text_and_in_json_strings_are_redacted() {
        let yaml = format!(
            "users:\n- user:\n    client-key-data: {KEY}\n    token: abc def\nkind: Config\n"
        );
        let text = kept(502, &yaml);
        assert_eq!(
            text,
            "users:\n- user:\n    client-key-data: [REDACTED]\n    token: [REDACTED]\nkind: Config\n"
        );
        let pem =
            "oops -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY----- end";
        assert_eq!(kept(500, pem), "oops [REDACTED] end");
        let embedded =
            format!(r#"{{"message":"bad: {KEY} here","error_msg":"password=p4ss&x=1"}}"#);
        let text = kept(400, &embedded);
        assert!(!text.contains(KEY) && !text.contains("p4ss"), "{text}");
        assert!(text.contains("bad: ") && text.contains("&x=1"), "{text}");
        let truncated = format!(r#"{{"client-key-data":"{KEY}"#);
        assert!(!kept(400, &truncated).contains(KEY));
        // Words without a value stay.
        assert_eq!(kept(401, "<p>Invalid token</p>"), "<p>Invalid token</p>");
        assert_eq!(kept(401, "token:"), "token:");
    }

    #[test]
    fn redaction_does_not_panic_on_odd_text() {
        for body in [
            &b"\xff\xfe token=\xff"[..],
            "é token: ü\n".as_bytes(),
            b"-----BEGIN",
            b"-----BEGIN PRIVATE KEY",
            b"ls0tls1crudjt",
            b"=:\"'",
            b"secret",
            b"secret=",
        ] {
            let _ = kept_error_body(StatusCode::BAD_REQUEST, body, 4096);
            let _ = kept_error_body(StatusCode::BAD_REQUEST, body, 3);
        }
        assert_eq!(kept(400, "é token: ü\n"), "é token: [REDACTED]\n");
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
            attempts: 1,
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
    fn display_says_how_many_attempts_when_more_than_one() {
        let error = |attempts| Error::Api {
            status: StatusCode::TOO_MANY_REQUESTS,
            request_id: None,
            error_code: None,
            error_message: Some("slow down".into()),
            body: String::new(),
            attempts,
        };
        assert_eq!(error(1).attempts(), 1);
        assert!(!error(1).to_string().contains("attempt"), "{}", error(1));
        assert!(
            error(4)
                .to_string()
                .ends_with("slow down (after 4 attempts)"),
            "{}",
            error(4)
        );
        assert!(error(4).is_retryable());
        let timeout = Error::Transport {
            kind: TransportErrorKind::Timeout,
            message: "x".into(),
            source: None,
            attempts: 1,
        }
        .with_attempts(3);
        assert_eq!(timeout.attempts(), 3);
        assert_eq!(timeout.to_string(), "timed out: x (after 3 attempts)");
    }
}
