//! CCE error responses: status, error code and a message naming the problem, in either of the
//! two body shapes CCE uses.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::config::ErrorShape;

/// An error the mock answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// The response, in the configured shape.
    pub(crate) fn into_response(self, shape: ErrorShape) -> Response {
        let code = error_code(self.status);
        let underscore = match shape {
            ErrorShape::Underscore => true,
            ErrorShape::CamelCase => false,
            // Authentication, throttling and 5xx come from CCE's gateway, the rest from the
            // service itself.
            ErrorShape::Auto => {
                self.status == StatusCode::UNAUTHORIZED
                    || self.status == StatusCode::TOO_MANY_REQUESTS
                    || self.status.is_server_error()
            }
        };
        let body = if underscore {
            json!({ "error_code": code, "error_msg": self.message })
        } else {
            json!({ "errorCode": code, "errorMessage": self.message })
        };
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    }
}

/// CCE's error code for a status: `CCE.01{status}001` as in CCE's tables
/// (`CCE.01400001`, `CCE.01401001`, `CCE.01404001`), `CCE.01429002` for throttling.
pub(crate) fn error_code(status: StatusCode) -> String {
    if status == StatusCode::TOO_MANY_REQUESTS {
        "CCE.01429002".to_owned()
    } else {
        format!("CCE.01{}001", status.as_u16())
    }
}

/// A generic message for a status a fault produces.
pub(crate) fn fault_message(status: StatusCode) -> String {
    match status {
        StatusCode::TOO_MANY_REQUESTS => "Too many requests, retry later.".to_owned(),
        _ => format!(
            "{} (injected by X-Mock-Fault)",
            status.canonical_reason().unwrap_or("Server error")
        ),
    }
}
