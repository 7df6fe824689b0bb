//! The hand-written runtime every generated client calls into: transport, credentials,
//! endpoints, AK/SK signing, retries, errors, secrets and redaction. It knows no service, no
//! operation and no kubeconfig: a crate generated from any spec depends on it (and on nothing else of
//! this workspace).
//!
//! Contract with the generator (`codegen` emits calls to exactly these items; change both
//! together):
//! - The generated code defines `Client`, a wrapper around a [`Transport`] with one async method
//!   per operation, `impl From<Transport> for Client`, and `Client::builder()` returning
//!   [`ClientBuilder<Client>`], given the spec's [`endpoint::RegionTemplate`] through
//!   [`ClientBuilder::region_template`] when its servers have a `{region}` variable:
//!   [`endpoint::RegionTemplate::new`] for one server of any region, else
//!   [`endpoint::RegionTemplate::with_servers`] over a `const` table of
//!   [`endpoint::RegionServer`]s (each with its `enum` of regions), with
//!   [`endpoint::RegionTemplate::profile_key`] when the spec names a regions-file key.
//!   Generated code refers to the runtime by a path the generator is given (`clustercert_runtime` by default), and reaches `http` through [`http`], so a
//!   generated crate needs this crate, `serde` and `serde_json`.
//! - An operation builds an [`OperationRequest`] (each path parameter encoded with
//!   [`path_parameter`], which refuses an empty, `.` or `..` value before anything is sent;
//!   query pairs (keys the spec names borrowed, members of free-form maps from
//!   [`forms::query_members`] owned; object and array parameters through [`forms`]), header
//!   pairs, a body (JSON bytes from [`json_body`], or a [`forms::MultipartForm`])) and calls
//!   [`Transport::send`], which authenticates, signs, retries and returns a [`RawResponse`]
//!   (a `3xx` is an [`Error::Api`]: redirects are never followed). `send` itself refuses a
//!   path with `.`, `..` or an empty segment inside it (`//`). These three items are public,
//!   documented API: a generated `<operation>_raw` method returns the [`RawResponse`] as it
//!   is, and callers may send requests of their own.
//! - The operation picks the response by status: [`RawResponse::json`] parses a documented body
//!   (a mismatch becomes [`Error::ResponseMismatch`] with its JSON path), [`RawResponse::header`]
//!   reads a documented header, and [`RawResponse::into_error`] turns anything else into an
//!   [`Error`].
//! - Validated newtypes report a forbidden value with [`ConstraintError`].
//! - Fields the spec marks `x-sensitive: true` are [`SecretString`].
//!
//! The modules, each usable on its own: [`signing`] (pure `SDK-HMAC-SHA256` steps and a
//! server-side [`signing::verify`]), [`credentials`] and [`provider`] (the official SDK's
//! provider chain: environment, profile file, instance metadata), [`endpoint`], [`forms`],
//! [`retry`], [`error`], [`secret`], [`redact`] and [`transport`].

#![forbid(unsafe_code)]

pub mod credentials;
mod date;
pub mod endpoint;
pub mod error;
pub mod forms;
pub mod provider;
pub mod redact;
pub mod retry;
pub mod secret;
pub mod signing;
mod small_file;
pub mod transport;

use std::borrow::Cow;

use serde::Serialize;

/// The `http` crate, re-exported so generated code names `Method` and `StatusCode` through
/// the runtime.
pub use http;

pub use credentials::{Credentials, CredentialsError};
pub use error::{Error, TransportErrorKind};
pub use provider::{ProvideCredentials, Provided, ProviderChain};
pub use retry::RetryPolicy;
pub use secret::SecretString;
pub use transport::{
    sign_request, sign_request_with, ClientBuilder, Clock, OperationRequest, RawResponse,
    SystemClock, Transport,
};

/// Serializes a request body to JSON bytes.
///
/// ```
/// let bytes = clustercert_runtime::json_body(&serde_json::json!({"duration": 30})).unwrap();
/// assert_eq!(bytes, br#"{"duration":30}"#);
/// ```
pub fn json_body<T: Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|e| Error::InvalidInput(e.to_string()))
}

/// Percent-encodes one path segment (or query key/value): everything but the unreserved
/// characters `A-Z a-z 0-9 - _ . ~` is encoded, so `/`, `?` and `#` cannot change the path.
///
/// ```
/// assert_eq!(clustercert_runtime::encode_path_segment("a/b c"), "a%2Fb%20c");
/// ```
pub fn encode_path_segment(segment: &str) -> String {
    signing::encode(segment)
}

/// Encodes one path parameter's value as a path segment (see [`encode_path_segment`]),
/// refusing a value that would not name a resource: an empty value (it would leave `//` or a
/// trailing `/`), `.` or `..` (a URL normalizer would move the request to another path).
/// The generated operations call it for every path parameter, so such input is caught before
/// anything is sent. A value of unreserved characters only (most ids) is borrowed as it is;
/// only one that needs encoding is copied.
///
/// ```
/// use std::borrow::Cow;
/// use clustercert_runtime::path_parameter;
///
/// assert_eq!(path_parameter("Op", "cluster_id", "a/b").unwrap(), "a%2Fb");
/// assert!(matches!(path_parameter("Op", "cluster_id", "c-1.x_y~z").unwrap(), Cow::Borrowed("c-1.x_y~z")));
/// let err = path_parameter("Op", "cluster_id", "").unwrap_err();
/// assert_eq!(err.to_string(), "invalid input: Op: path parameter cluster_id is empty");
/// ```
pub fn path_parameter<'a>(
    operation: &str,
    name: &str,
    value: &'a str,
) -> Result<Cow<'a, str>, Error> {
    let problem = match value {
        "" => "is empty",
        "." | ".." => "is '.' or '..', which would change the path",
        // The characters `encode_path_segment` leaves as they are.
        _ if value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')) =>
        {
            return Ok(Cow::Borrowed(value))
        }
        _ => return Ok(Cow::Owned(encode_path_segment(value))),
    };
    Err(Error::InvalidInput(format!(
        "{operation}: path parameter {name} {problem}"
    )))
}

/// A value the spec forbids: which type, which value, and the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {type_name}: {value} ({rule})")]
pub struct ConstraintError {
    /// The Rust type that refused the value.
    pub type_name: &'static str,
    /// The refused value, as text.
    pub value: String,
    /// The rule, in words, for example `must be -1, or from 1 to 1825`.
    pub rule: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_borrow_exactly_what_needs_no_encoding() {
        let mut values: Vec<String> = (0u8..=127)
            .map(|b| format!("x{}y", char::from(b)))
            .collect();
        values.extend(["中/é", "a b", "%41", "~.-_", "A0z9", "..."].map(str::to_owned));
        for value in &values {
            let encoded = encode_path_segment(value);
            let got = path_parameter("Op", "id", value).unwrap();
            assert_eq!(got, encoded, "{value:?}");
            assert_eq!(
                matches!(got, Cow::Borrowed(_)),
                encoded == *value,
                "{value:?}"
            );
        }
        for refused in ["", ".", ".."] {
            assert!(path_parameter("Op", "id", refused).is_err());
        }
    }
}
