//! Fault injection: what `X-Mock-Fault` (or a cluster's `fault`) asks for, and how a response
//! is spoiled accordingly.
//!
//! Syntax: comma-separated items, at most one of them not a delay:
//! `delay=MS`, `429`, `500`, `502`, `503`, `504`, `html`, `truncate`, `close`. Delays add up;
//! their sum is capped at 60 s.
//!
//! Faults are applied **before authentication** (and before validation): a request without
//! valid credentials still waits its delay and gets the fault's 429, 5xx or HTML answer, and an
//! `X-Mock-Fault` the server cannot parse is a 400 whatever the credentials. `truncate` and
//! `close` spoil whatever the real answer is, a 401 included. A cluster's configured `fault`
//! counts every request to that cluster towards `fault_times`, authenticated or not. So a 5xx
//! from a fault says nothing about whether the request would have been accepted.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt as _;

/// How long `close` waits between the first half of the body and closing the connection.
const CLOSE_PAUSE: Duration = Duration::from_millis(50);

/// The longest delay a fault may ask for, summed over its `delay=` items, so a typo cannot hang
/// a test for hours.
const MAX_DELAY_MS: u64 = 60_000;

/// A parsed fault: an optional delay, then an optional way to spoil the response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultPlan {
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// Then answer like this instead of (or by spoiling) the real response.
    pub action: Option<FaultAction>,
}

/// How a fault spoils a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultAction {
    /// 429 with `Retry-After: 1` and a `CCE.01429002` body.
    TooManyRequests,
    /// This 5xx status (500, 502, 503 or 504) with a CCE error body.
    ServerError(u16),
    /// 500 with an HTML page, as a gateway answers.
    Html,
    /// The real response with its body cut in half (a complete HTTP message, broken JSON).
    Truncate,
    /// The real response's headers and half its body, then the connection is closed.
    Close,
}

/// An `X-Mock-Fault` value the server does not understand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid X-Mock-Fault {value:?}: {reason} (expected delay=MS, 429, 500, 502, 503, 504, html, truncate or close)")]
pub struct FaultParseError {
    value: String,
    reason: &'static str,
}

impl FaultPlan {
    /// Parses `X-Mock-Fault` syntax.
    ///
    /// ```
    /// use clustercert_conformance::mock::{FaultAction, FaultPlan};
    /// use std::time::Duration;
    ///
    /// let plan = FaultPlan::parse("delay=50, 503").unwrap();
    /// assert_eq!(plan.delay, Some(Duration::from_millis(50)));
    /// assert_eq!(plan.action, Some(FaultAction::ServerError(503)));
    /// assert!(FaultPlan::parse("teapot").is_err());
    /// ```
    pub fn parse(value: &str) -> Result<FaultPlan, FaultParseError> {
        let error = |reason| FaultParseError {
            value: value.to_owned(),
            reason,
        };
        let mut plan = FaultPlan::default();
        for item in value.split(',').map(str::trim) {
            if let Some(ms) = item.strip_prefix("delay=") {
                let ms: u64 = ms
                    .trim()
                    .parse()
                    .map_err(|_| error("delay is not a whole number of milliseconds"))?;
                // The cap is on the sum: `delay=60000,delay=60000` must not wait two minutes.
                let so_far = plan.delay.map_or(0, |d| d.as_millis());
                let total = so_far.saturating_add(u128::from(ms));
                if total > u128::from(MAX_DELAY_MS) {
                    return Err(error("the delays add up to more than 60000 ms"));
                }
                plan.delay = Some(Duration::from_millis(
                    u64::try_from(total).unwrap_or(MAX_DELAY_MS),
                ));
                continue;
            }
            let action = match item.to_ascii_lowercase().as_str() {
                "429" => FaultAction::TooManyRequests,
                "500" => FaultAction::ServerError(500),
                "502" => FaultAction::ServerError(502),
                "503" => FaultAction::ServerError(503),
                "504" => FaultAction::ServerError(504),
                "html" => FaultAction::Html,
                "truncate" => FaultAction::Truncate,
                "close" => FaultAction::Close,
                "" => return Err(error("empty item")),
                _ => return Err(error("unknown item")),
            };
            if plan.action.replace(action).is_some() {
                return Err(error("more than one fault besides delay"));
            }
        }
        Ok(plan)
    }

    /// Whether the plan changes anything at all.
    pub fn is_empty(&self) -> bool {
        self.delay.is_none() && self.action.is_none()
    }
}

/// A response that is entirely the fault's (429, 5xx, HTML), or `None` when the fault spoils
/// the real response instead.
pub(crate) fn replacement(
    action: FaultAction,
    error: impl Fn(StatusCode) -> Response,
) -> Option<Response> {
    match action {
        FaultAction::TooManyRequests => {
            let mut response = error(StatusCode::TOO_MANY_REQUESTS);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            Some(response)
        }
        FaultAction::ServerError(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Some(error(status))
        }
        FaultAction::Html => Some(
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                HTML_ERROR_PAGE,
            )
                .into_response(),
        ),
        FaultAction::Truncate | FaultAction::Close => None,
    }
}

/// A gateway's error page: what a client must cope with when the body is not JSON.
const HTML_ERROR_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n<body><h1>500 Internal Server Error</h1><p>The gateway could not reach the service.</p></body></html>\n";

/// Spoils a complete response: `Truncate` keeps the first half of the body as the whole body;
/// `Close` announces the full length, sends half and then fails the body, which makes the server
/// drop the connection.
pub(crate) async fn spoil(action: FaultAction, response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let full = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(_) => Bytes::new(),
    };
    let half = full.slice(..full.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    match action {
        FaultAction::Close => {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(full.len()));
            // The pause lets the server flush the headers and the first half before the body
            // fails; failing at once would drop the connection before anything was written.
            let first = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(half)]);
            let failure = futures_util::stream::once(async {
                tokio::time::sleep(CLOSE_PAUSE).await;
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "mock fault: connection closed mid-body",
                ))
            });
            Response::from_parts(parts, Body::from_stream(first.chain(failure)))
        }
        _ => Response::from_parts(parts, Body::from(half)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_item_parses() {
        let cases = [
            ("429", FaultAction::TooManyRequests),
            ("500", FaultAction::ServerError(500)),
            ("502", FaultAction::ServerError(502)),
            ("503", FaultAction::ServerError(503)),
            ("504", FaultAction::ServerError(504)),
            ("HTML", FaultAction::Html),
            ("truncate", FaultAction::Truncate),
            (" close ", FaultAction::Close),
        ];
        for (text, action) in cases {
            let plan = FaultPlan::parse(text).unwrap();
            assert_eq!(plan.action, Some(action), "{text}");
            assert_eq!(plan.delay, None);
        }
    }

    #[test]
    fn delays_add_up_and_are_capped() {
        let plan = FaultPlan::parse("delay=10,delay=15").unwrap();
        assert_eq!(plan.delay, Some(Duration::from_millis(25)));
        assert!(plan.action.is_none());
        assert!(!plan.is_empty());
        assert!(FaultPlan::parse("delay=60000").is_ok());
        let err = FaultPlan::parse("delay=60001").unwrap_err();
        assert!(err.to_string().contains("60000 ms"), "{err}");
        // The sum is capped, not each item.
        assert_eq!(
            FaultPlan::parse("delay=30000,delay=30000").unwrap().delay,
            Some(Duration::from_millis(60_000))
        );
        for bypass in [
            "delay=60000,delay=60000,delay=60000",
            "delay=30000,delay=30001",
            "delay=59999,delay=1,delay=1",
            "delay=18446744073709551615,delay=18446744073709551615",
        ] {
            let err = FaultPlan::parse(bypass).unwrap_err();
            assert!(err.to_string().contains("add up"), "{bypass}: {err}");
        }
    }

    #[test]
    fn malformed_values_are_refused_with_the_reason() {
        for (text, reason) in [
            ("", "empty item"),
            ("503,", "empty item"),
            ("delay=", "whole number"),
            ("delay=-5", "whole number"),
            ("delay=1.5", "whole number"),
            ("418", "unknown item"),
            ("close,truncate", "more than one"),
        ] {
            let err = FaultPlan::parse(text).unwrap_err();
            assert!(err.to_string().contains(reason), "{text}: {err}");
        }
    }
}
