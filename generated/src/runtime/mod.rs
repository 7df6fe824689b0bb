//! The hand-written runtime the generated code calls into: the [`Client`], transport,
//! authentication, errors and secrets.
//!
//! Contract with the generator (`codegen` emits calls to exactly these items; change both
//! together):
//! - The generated code defines `Client`, a wrapper around a [`Transport`] with one async method
//!   per operation, `impl From<Transport> for Client`, and `Client::builder()` returning
//!   [`ClientBuilder<Client>`]. Generated code refers to the runtime by a path the generator is
//!   given (`crate::runtime` in this crate, `clustercert::runtime` for a crate generated
//!   elsewhere), so a generated crate needs nothing but this one.
//! - An operation builds an [`OperationRequest`] (path already encoded with
//!   [`encode_path_segment`], query pairs, header pairs, JSON body bytes from [`json_body`]) and
//!   calls [`Transport::send`], which authenticates, signs, retries and returns a [`RawResponse`].
//! - The operation picks the response by status: [`RawResponse::json`] parses a documented body
//!   (a mismatch becomes [`Error::ResponseMismatch`] with its JSON path), [`RawResponse::header`]
//!   reads a documented header, and [`RawResponse::into_error`] turns anything else into an
//!   [`Error`].
//! - Validated newtypes report a forbidden value with [`ConstraintError`].
//! - Fields the spec marks `x-sensitive: true` are [`SecretString`].

pub mod signing;

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// Sends requests: endpoint, credentials, HTTP client. Cheap to clone.
#[derive(Clone)]
pub struct Transport {
    http: reqwest::Client,
    base_url: String,
    token: Option<SecretString>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.base_url)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// Builds a client `C` (a generated `Client`) from an endpoint and credentials.
pub struct ClientBuilder<C> {
    endpoint: Option<String>,
    token: Option<SecretString>,
    _client: std::marker::PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("token", &self.token)
            .finish()
    }
}

impl<C: From<Transport>> Default for ClientBuilder<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: From<Transport>> ClientBuilder<C> {
    /// An empty builder.
    pub fn new() -> Self {
        ClientBuilder {
            endpoint: None,
            token: None,
            _client: std::marker::PhantomData,
        }
    }

    /// The endpoint, for example `https://cce.cn-north-4.myhuaweicloud.com` or
    /// `http://127.0.0.1:8080`.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Authenticate with an IAM token (`X-Auth-Token`).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(SecretString::new(token.into()));
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<C, Error> {
        let endpoint = self
            .endpoint
            .ok_or_else(|| Error::InvalidInput("no endpoint given".to_owned()))?;
        Ok(C::from(Transport {
            http: reqwest::Client::new(),
            base_url: endpoint.trim_end_matches('/').to_owned(),
            token: self.token,
        }))
    }
}

impl Transport {
    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends one operation's request and returns the raw response, whatever its status.
    #[doc(hidden)]
    pub async fn send(&self, request: OperationRequest) -> Result<RawResponse, Error> {
        let mut url = format!("{}{}", self.base_url, request.path);
        if !request.query.is_empty() {
            url.push('?');
            let pairs: Vec<String> = request
                .query
                .iter()
                .map(|(k, v)| format!("{}={}", encode_path_segment(k), encode_path_segment(v)))
                .collect();
            url.push_str(&pairs.join("&"));
        }
        let mut builder = self.http.request(request.method, url);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        if let Some(token) = &self.token {
            builder = builder.header("X-Auth-Token", token.expose_secret());
        }
        if let Some(body) = request.body {
            builder = builder
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = builder.send().await.map_err(Error::Transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(Error::Transport)?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }
}

/// One operation's request, as the generated code builds it.
#[doc(hidden)]
#[derive(Debug)]
pub struct OperationRequest {
    /// The spec's `operationId`, for errors and logs.
    pub operation: &'static str,
    pub method: Method,
    /// The path, every parameter already encoded with [`encode_path_segment`].
    pub path: String,
    /// Query pairs, not yet encoded.
    pub query: Vec<(&'static str, String)>,
    /// Header pairs the spec names (auth headers are added by the client).
    pub headers: Vec<(&'static str, String)>,
    /// The serialized JSON body, when the operation has one.
    pub body: Option<Vec<u8>>,
}

/// A response as it arrived: status, headers, body.
#[derive(Debug)]
pub struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl RawResponse {
    /// Parses the body as the documented type; a mismatch names the JSON path.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let de = &mut serde_json::Deserializer::from_slice(&self.body);
        serde_path_to_error::deserialize(de).map_err(|e| Error::ResponseMismatch {
            status: self.status,
            request_id: self.header("X-Request-Id"),
            message: e.to_string(),
        })
    }

    /// A header's value, when present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Turns an undocumented or error status into an [`Error`].
    pub fn into_error(self) -> Error {
        Error::Api {
            status: self.status,
            request_id: self.header("X-Request-Id"),
            body: String::from_utf8_lossy(&self.body).into_owned(),
        }
    }
}

/// Everything that can go wrong with a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Invalid input, caught before anything was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The request could not be sent or the response not read.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The API answered with an error status.
    #[error("API error: status {status}, request id {request_id:?}: {body}")]
    Api {
        status: StatusCode,
        request_id: Option<String>,
        body: String,
    },
    /// The response does not match the spec.
    #[error(
        "response does not match the spec: status {status}, request id {request_id:?}: {message}"
    )]
    ResponseMismatch {
        status: StatusCode,
        request_id: Option<String>,
        message: String,
    },
}

/// Serializes a request body to JSON bytes.
pub fn json_body<T: Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|e| Error::InvalidInput(e.to_string()))
}

/// Percent-encodes one path segment (or query key/value): everything but the unreserved
/// characters `A-Z a-z 0-9 - _ . ~` is encoded, so `/`, `?` and `#` cannot change the path.
pub fn encode_path_segment(segment: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(segment, SET).to_string()
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

/// A secret string: `Debug` prints a redaction marker; the value is reachable only through
/// [`SecretString::expose_secret`]. Serializes as the plain string, so a response round-trips.
#[derive(Clone)]
pub struct SecretString(secrecy::SecretString);

impl SecretString {
    /// Wraps a secret.
    pub fn new(value: String) -> Self {
        SecretString(secrecy::SecretString::from(value))
    }

    /// The secret itself. Call it only where the value must leave the program.
    pub fn expose_secret(&self) -> &str {
        secrecy::ExposeSecret::expose_secret(&self.0)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl PartialEq for SecretString {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        SecretString::new(value)
    }
}

impl Serialize for SecretString {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose_secret())
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SecretString::new)
    }
}
