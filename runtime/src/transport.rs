//! [`Transport`] sends an operation's request: it adds the auth headers, signs the final
//! request, retries within the total timeout (moving to the next endpoint, when it has
//! several, after a failure to connect) and reads the response with a size cap.
//! [`ClientBuilder`] configures it.
//!
//! Credentials go to the configured endpoints only: the transport never follows a redirect
//! (a `3xx` answer becomes an [`Error::Api`] showing the status and the `Location`), and it
//! refuses an HTTP client of the caller's that would follow one on its own (see
//! [`ClientBuilder::http_client`]).

use std::fmt;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use http::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, Method, StatusCode};
use serde::de::DeserializeOwned;

use super::credentials::Credentials;
use super::endpoint::{normalize_endpoint, shown_endpoint, RegionTemplate};
use super::error::{
    error_chain, header_text, kept_error_body, CceErrorBody, Error, TransportErrorKind,
    MAX_KEPT_ERROR_BODY,
};
use super::provider::ProvideCredentials;
use super::redact::is_secret_header;
use super::retry::{
    classify_status, classify_transport, parse_retry_after, RetryClass, RetryPolicy,
};
use super::secret::SecretString;
use super::signing::{self, HostMode, Keep, Signed, SigningKey, Target};

/// The default total timeout of a call, retries included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The default connect timeout of one attempt.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default cap on a response body, in bytes (1 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1 << 20;
/// The default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!("clustercert/", env!("CARGO_PKG_VERSION"));

const REQUEST_ID: &str = "x-request-id";

/// The time the signer puts in `X-Sdk-Date`. Any `Fn() -> SystemTime` is a clock.
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use clustercert_runtime::Clock;
/// let fixed = || UNIX_EPOCH + Duration::from_secs(1_795_867_200); // 2026-11-28 12:00:00 UTC
/// assert_eq!(clustercert_runtime::signing::format_date(fixed.now()), "20261128T120000Z");
/// ```
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock, the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

impl<F: Fn() -> SystemTime + Send + Sync> Clock for F {
    fn now(&self) -> SystemTime {
        self()
    }
}

/// Sends requests: endpoint, credentials, HTTP client, timeouts, retries. Cheap to clone.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    /// `base_url` parsed once: each call's URL is this with its path set.
    base: url::Url,
    credentials: Option<Credentials>,
    provider: Option<Arc<dyn ProvideCredentials>>,
    fixed_headers: HeaderMap,
    /// `fixed_headers` and `Content-Type: application/json`, for requests with a JSON body.
    json_headers: HeaderMap,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    max_response_bytes: usize,
    clock: Arc<dyn Clock>,
    /// The `Host` value of the endpoint, signed by AK/SK calls (made once).
    host: Option<HeaderValue>,
    /// The endpoints after the first, when there are several: consulted only to pick the
    /// current endpoint and when an attempt fails to connect.
    more: Option<Box<MoreEndpoints>>,
    /// The HMAC key of fixed AK/SK credentials, made once (a provider's are made per call).
    signing_key: Option<SigningKey>,
}

/// An endpoint, parsed once.
struct Endpoint {
    /// As [`normalize_endpoint`] gives it.
    url: String,
    /// `url` parsed: each call's URL is this with its path set.
    base: url::Url,
    /// The `Host` value AK/SK calls sign.
    host: Option<HeaderValue>,
}

impl Endpoint {
    fn parse(url: String) -> Result<Self, Error> {
        let base = url::Url::parse(&url)
            .map_err(|e| Error::InvalidInput(format!("bad endpoint URL: {e}")))?;
        let host = host_value(&base).ok();
        Ok(Endpoint { url, base, host })
    }
}

/// The endpoints after the first, and which one calls go to, shared by the clones of a
/// transport (as the official SDK's endpoint index is).
struct MoreEndpoints {
    rest: Vec<Endpoint>,
    /// The endpoint calls start at: 0 is the first (`Inner::base`), `i` is `rest[i - 1]`.
    current: AtomicUsize,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Transport")
            .field("base_url", &self.base_url())
            .field("endpoints", &self.endpoint_count())
            .field("credentials", &inner.credentials)
            .field("credentials_provider", &inner.provider)
            .field("user_agent", &inner.fixed_headers.get(USER_AGENT))
            .field("timeout", &inner.timeout)
            .field("retry", &inner.retry)
            .field("max_response_bytes", &inner.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// Builds a client `C` (a generated `Client`): endpoint or region, credentials, timeouts,
/// retries, user agent, and optionally a `reqwest::Client` of your own.
///
/// ```no_run
/// # async fn run() -> Result<(), clustercert_runtime::Error> {
/// use std::time::Duration;
/// use clustercert_runtime::{ClientBuilder, Credentials, RetryPolicy, Transport};
///
/// // A generated crate's `Client::builder()` is this builder with `C = Client` and the
/// // spec's region template, so that it also takes `.region("cn-north-4")`.
/// let client = ClientBuilder::<Transport>::new()
///     .endpoint("https://cce.cn-north-4.myhuaweicloud.com")
///     .credentials(Credentials::from_env()?)
///     .timeout(Duration::from_secs(30))
///     .retry(RetryPolicy::default().max_retries(2))
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
pub struct ClientBuilder<C> {
    endpoints: Option<Vec<String>>,
    region: Option<String>,
    region_template: Option<RegionTemplate>,
    credentials: Option<Credentials>,
    provider: Option<Arc<dyn ProvideCredentials>>,
    connect_timeout: Duration,
    attempt_timeout: Option<Duration>,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    user_agent: String,
    http: Option<HttpClient>,
    clock: Arc<dyn Clock>,
    max_response_bytes: usize,
    _client: std::marker::PhantomData<fn() -> C>,
}

/// The HTTP client a caller gave: built, or to be built here.
enum HttpClient {
    Built(reqwest::Client),
    Builder(Box<reqwest::ClientBuilder>),
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            // As errors show them: an endpoint not yet checked may carry user info.
            .field(
                "endpoints",
                &self
                    .endpoints
                    .as_ref()
                    .map(|all| all.iter().map(|e| shown_endpoint(e)).collect::<Vec<_>>()),
            )
            .field("region", &self.region)
            .field("region_template", &self.region_template)
            .field("credentials", &self.credentials)
            .field("credentials_provider", &self.provider)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("custom_http_client", &self.http.is_some())
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl<C: From<Transport>> Default for ClientBuilder<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: From<Transport>> ClientBuilder<C> {
    /// A builder with the defaults: no endpoint yet, no credentials, a 10 s connect timeout,
    /// a 60 s total timeout, [`RetryPolicy::default`], a 1 MiB response cap.
    pub fn new() -> Self {
        ClientBuilder {
            endpoints: None,
            region: None,
            region_template: None,
            credentials: None,
            provider: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            attempt_timeout: None,
            timeout: Some(DEFAULT_TIMEOUT),
            retry: RetryPolicy::default(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            http: None,
            clock: Arc::new(SystemClock),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            _client: std::marker::PhantomData,
        }
    }

    /// The endpoint URL, for example `https://cce.cn-north-4.myhuaweicloud.com` or
    /// `http://127.0.0.1:8080` (`http` is allowed, for local servers). Replaces endpoints
    /// given before.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoints = Some(vec![url.into()]);
        self
    }

    /// Several endpoints of the same service, tried in turn: a call whose attempt cannot
    /// connect (DNS, refused, unreachable, TLS handshake) moves to the next endpoint and
    /// tries again at once, without counting a retry of the [policy](Self::retry); the
    /// client (and its clones) then stays on the endpoint that answered. When every
    /// endpoint failed to connect, the error names each and its failure. Replaces endpoints
    /// given before; an empty list is refused by [`build`](Self::build).
    ///
    /// ```
    /// use clustercert_runtime::{ClientBuilder, Transport};
    ///
    /// let transport = ClientBuilder::<Transport>::new()
    ///     .endpoints(["https://cce.cn-north-4.myhuaweicloud.com", "https://cce-backup.example.com/"])
    ///     .build()?;
    /// // The endpoint the next call goes to.
    /// assert_eq!(transport.base_url(), "https://cce.cn-north-4.myhuaweicloud.com");
    /// assert_eq!(transport.endpoints(), ["https://cce.cn-north-4.myhuaweicloud.com", "https://cce-backup.example.com"]);
    /// # Ok::<(), clustercert_runtime::Error>(())
    /// ```
    pub fn endpoints<I>(mut self, urls: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.endpoints = Some(urls.into_iter().map(Into::into).collect());
        self
    }

    /// The region, for example `cn-north-4`: the endpoints become those the
    /// [region template](Self::region_template) gives, as the official SDK finds them (see
    /// [`RegionTemplate`]): the template's environment variable (for CCE
    /// `HUAWEICLOUD_SDK_REGION_CCE_{REGION_ID}`, upper-cased, `-` as `_`, a comma-separated
    /// list), then the regions file (with the cargo feature `regions-file`), then the spec's
    /// servers, whose URLs and regions decide (for CCE, `https://cce.{region}.myhuaweicloud.com`
    /// for most regions, `.eu` for `eu-west-101`). A region no server serves is refused,
    /// listing the known ones. Several endpoints are used as
    /// [`endpoints`](Self::endpoints) uses them. A generated `Client::builder()` sets the
    /// template from its spec's servers; without one (a spec whose servers have no
    /// `{region}` variable), [`build`](Self::build) refuses a region and asks for an
    /// endpoint.
    ///
    /// ```
    /// use clustercert_runtime::endpoint::{RegionServer, RegionTemplate};
    /// use clustercert_runtime::{ClientBuilder, Transport};
    ///
    /// const SERVERS: &[RegionServer] = &[
    ///     RegionServer::new("https://cce.{region}.myhuaweicloud.com", &["cn-north-4"]),
    ///     RegionServer::new("https://cce.{region}.myhuaweicloud.eu", &["eu-west-101"]),
    /// ];
    /// // A prefix of a variable no one sets, so that the servers decide here.
    /// let template = RegionTemplate::with_servers(SERVERS, Some("EXAMPLE_UNSET_REGION_CCE_"));
    /// let builder = || ClientBuilder::<Transport>::new().region_template(template);
    /// let eu = builder().region("eu-west-101").build()?;
    /// assert_eq!(eu.base_url(), "https://cce.eu-west-101.myhuaweicloud.eu");
    /// let unknown = builder().region("xx-1").build().unwrap_err().to_string();
    /// assert!(unknown.contains("is not among the 2 regions this client knows"));
    /// assert!(unknown.ends_with("known: cn-north-4, eu-west-101"));
    /// # Ok::<(), clustercert_runtime::Error>(())
    /// ```
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// How [`region`](Self::region) becomes endpoints. A generated `Client::builder()`
    /// calls this with its spec's template; call it yourself for a [`Transport`] of your own.
    ///
    /// ```
    /// use clustercert_runtime::{endpoint::RegionTemplate, ClientBuilder, Transport};
    ///
    /// let transport = ClientBuilder::<Transport>::new()
    ///     .region_template(RegionTemplate::new("https://api.{region}.example.com", None))
    ///     .region("eu-west-1")
    ///     .build()?;
    /// assert_eq!(transport.base_url(), "https://api.eu-west-1.example.com");
    /// # Ok::<(), clustercert_runtime::Error>(())
    /// ```
    pub fn region_template(mut self, template: RegionTemplate) -> Self {
        self.region_template = Some(template);
        self
    }

    /// Authenticate with an IAM token (`X-Auth-Token`); short for
    /// `.credentials(Credentials::token(token))`.
    pub fn token(self, token: impl Into<String>) -> Self {
        self.credentials(Credentials::token(token))
    }

    /// The credentials: a token, or AK/SK (permanent or temporary) with a project id. Replaces
    /// a provider given before.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self.provider = None;
        self
    }

    /// Ask `provider` for the credentials of every call, so that temporary credentials it
    /// refreshes (instance metadata) are used as they change; for example
    /// [`ProviderChain::default()`](crate::provider::ProviderChain). A provider's error fails
    /// the call with [`Error::Credentials`] before anything is sent. Replaces credentials
    /// given before.
    ///
    /// To show where the credentials came from (and the provider's warnings) and still
    /// share one provider, and its cache, with the client, pass it in an `Arc`:
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), clustercert_runtime::Error> {
    /// use std::sync::Arc;
    /// use clustercert_runtime::{ClientBuilder, ProviderChain, Transport};
    ///
    /// let chain = Arc::new(ProviderChain::default());
    /// let found = chain.read().await?;
    /// for warning in &found.warnings {
    ///     eprintln!("warning: {warning}");
    /// }
    /// eprintln!("credentials from {}", found.source);
    /// let client = ClientBuilder::<Transport>::new()
    ///     .endpoint("https://cce.cn-north-4.myhuaweicloud.com")
    ///     .credentials_provider(chain)
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.provider = Some(Arc::new(provider));
        self.credentials = None;
        self
    }

    /// How long one attempt may take to connect (default 10 s). Applies to the HTTP client
    /// the builder makes, not to one given with [`ClientBuilder::http_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take, from connecting to the end of the body (default: no
    /// limit of its own, only the total timeout). A timed-out attempt may have reached the
    /// server, so it is retried only with [`RetryPolicy::retry_ambiguous`]. Applies to the
    /// HTTP client the builder makes, not to one given with [`ClientBuilder::http_client`].
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The total time a call may take, retries and their waits included (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// No total timeout (retries are still bounded by the policy).
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]; [`RetryPolicy::none`] turns
    /// retries off).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header (default `clustercert/{version}`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Send through this `reqwest::Client` (its own timeouts, proxies, TLS settings apply).
    ///
    /// The client must not follow redirects: build it with
    /// `.redirect(reqwest::redirect::Policy::none())`. A client that follows them (reqwest's
    /// default) would send `X-Auth-Token` or `X-Security-Token` to whatever host a redirect
    /// names, since reqwest drops only `Authorization` and cookies on the way; so
    /// [`ClientBuilder::build`] refuses it. [`ClientBuilder::http_client_builder`] takes a
    /// `reqwest::ClientBuilder` instead and turns redirects off itself.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(HttpClient::Built(client));
        self
    }

    /// Send through a client built from this `reqwest::ClientBuilder` (its timeouts, proxies,
    /// TLS settings apply), with redirects turned off whatever it says, so that credentials
    /// reach the configured endpoint only.
    pub fn http_client_builder(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.http = Some(HttpClient::Builder(Box::new(builder)));
        self
    }

    /// The clock that dates AK/SK signatures (default: the system clock).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The largest response body read, in bytes (default 1 MiB); a larger one is
    /// [`Error::BodyTooLarge`].
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Builds the client. Fails with [`Error::InvalidInput`] when there is no endpoint or
    /// region (or both), an empty list of endpoints, a region without a
    /// [region template](Self::region_template) or that it cannot resolve, a URL that is not
    /// `http(s)://host…`, or a user agent that is not a valid header value.
    pub fn build(self) -> Result<C, Error> {
        let urls = match (self.endpoints, self.region) {
            (Some(endpoints), None) => {
                if endpoints.is_empty() {
                    return Err(Error::InvalidInput(
                        "an empty list of endpoints given".to_owned(),
                    ));
                }
                endpoints
                    .iter()
                    .map(|endpoint| normalize_endpoint(endpoint).map_err(Error::InvalidInput))
                    .collect::<Result<Vec<_>, _>>()?
            }
            (None, Some(region)) => match self.region_template {
                Some(template) => template.resolve(&region, |name| std::env::var(name).ok())?,
                None => {
                    return Err(Error::InvalidInput(format!(
                        "region {region:?} given, but this client has no region endpoint template (no server of its spec has a {{region}} variable); give an endpoint instead"
                    )))
                }
            },
            (None, None) => {
                return Err(Error::InvalidInput(
                    "no endpoint or region given".to_owned(),
                ))
            }
            (Some(_), Some(_)) => {
                return Err(Error::InvalidInput(
                    "both an endpoint and a region given; choose one".to_owned(),
                ))
            }
        };
        let fixed_headers = fixed_headers(self.credentials.as_ref(), &self.user_agent)?;
        let mut json_headers = fixed_headers.clone();
        json_headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let cannot_build =
            |e: reqwest::Error| Error::InvalidInput(format!("cannot build the HTTP client: {e}"));
        let http = match self.http {
            Some(HttpClient::Built(http)) => {
                if !never_follows_redirects(&http) {
                    return Err(Error::InvalidInput(
                        "the HTTP client given follows redirects, which could carry credentials to another host; build it with .redirect(reqwest::redirect::Policy::none()) or pass its builder to http_client_builder".to_owned(),
                    ));
                }
                http
            }
            Some(HttpClient::Builder(builder)) => builder
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(cannot_build)?,
            None => {
                let builder = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .redirect(reqwest::redirect::Policy::none());
                match self.attempt_timeout {
                    Some(limit) => builder.timeout(limit),
                    None => builder,
                }
                .build()
                .map_err(cannot_build)?
            }
        };
        let mut endpoints = urls
            .into_iter()
            .map(Endpoint::parse)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter();
        let Endpoint {
            url: base_url,
            base,
            host,
        } = endpoints
            .next()
            .ok_or_else(|| Error::InvalidInput("no endpoint given".to_owned()))?;
        let rest: Vec<Endpoint> = endpoints.collect();
        let more = (!rest.is_empty()).then(|| {
            Box::new(MoreEndpoints {
                rest,
                current: AtomicUsize::new(0),
            })
        });
        let signing_key = self
            .credentials
            .as_ref()
            .and_then(Credentials::signing_keys)
            .map(|(_, secret_key)| SigningKey::new(secret_key.expose_secret()));
        Ok(C::from(Transport {
            inner: Arc::new(Inner {
                base,
                host,
                more,
                signing_key,
                http,
                base_url,
                credentials: self.credentials,
                provider: self.provider,
                fixed_headers,
                json_headers,
                timeout: self.timeout,
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
                clock: self.clock,
            }),
        }))
    }
}

/// Whether a caller's `reqwest::Client` is known never to follow a redirect. reqwest offers no
/// accessor for the policy, so this reads the one place it shows, the client's `Debug`
/// (`redirect_policy: "Policy(None)"` for `Policy::none()`); any other text, including a
/// future format, counts as following, so the check fails closed and a test notices.
fn never_follows_redirects(client: &reqwest::Client) -> bool {
    format!("{client:?}").contains(r#"redirect_policy: "Policy(None)""#)
}

/// Signs a request in its final form (body serialized, every header in place) with AK/SK at
/// `now`: adds `X-Sdk-Date` and `Authorization` (see [`signing::sign_headers`]). `Host` is
/// signed with the value the HTTP library sends for the URL, and left for it to set.
///
/// ```
/// use clustercert_runtime::sign_request;
/// let mut request = reqwest::Request::new(
///     http::Method::POST,
///     "http://127.0.0.1:8080/api/v3/projects/p/clusters/c/clustercert".parse().unwrap(),
/// );
/// *request.body_mut() = Some(br#"{"duration":30}"#.to_vec().into());
/// let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_867_200);
/// let signed = sign_request(&mut request, "AK", "SK", now).unwrap();
/// assert_eq!(signed.signed_headers, "host;x-sdk-date");
/// assert!(request.headers().contains_key("authorization"));
/// ```
pub fn sign_request(
    request: &mut reqwest::Request,
    access_key: &str,
    secret_key: &str,
    now: SystemTime,
) -> Result<Signed, Error> {
    let key = SigningKey::new(secret_key);
    sign_reqwest(request, access_key, &key, now, Keep::All)
        .map(|signed| signed.unwrap_or_else(|| unreachable!("Keep::All keeps the intermediates")))
}

/// [`sign_request`] with a [`SigningKey`] made once (an HMAC key costs two SHA-256 blocks to
/// set up), keeping none of the intermediate strings: what the client does on every AK/SK
/// call, for a caller who signs many requests of their own.
///
/// ```
/// use clustercert_runtime::{sign_request, sign_request_with, signing::SigningKey};
/// let request = || {
///     let mut request = reqwest::Request::new(
///         http::Method::POST,
///         "http://127.0.0.1:8080/v3/things".parse().unwrap(),
///     );
///     *request.body_mut() = Some(br#"{"duration":30}"#.to_vec().into());
///     request
/// };
/// let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_867_200);
/// let key = SigningKey::new("SK");
/// let (mut once, mut each) = (request(), request());
/// sign_request_with(&mut once, "AK", &key, now).unwrap();
/// sign_request(&mut each, "AK", "SK", now).unwrap();
/// assert_eq!(once.headers()["authorization"], each.headers()["authorization"]);
/// ```
pub fn sign_request_with(
    request: &mut reqwest::Request,
    access_key: &str,
    key: &SigningKey,
    now: SystemTime,
) -> Result<(), Error> {
    sign_reqwest(request, access_key, key, now, Keep::Nothing).map(|_| ())
}

/// What [`sign_request`] and [`sign_request_with`] share.
fn sign_reqwest(
    request: &mut reqwest::Request,
    access_key: &str,
    key: &SigningKey,
    now: SystemTime,
    keep: Keep,
) -> Result<Option<Signed>, Error> {
    // The headers are taken out for signing, so that the body is read where it is rather
    // than copied, and put back whatever the outcome.
    let mut headers = std::mem::take(request.headers_mut());
    let signed = match request.body().map(reqwest::Body::as_bytes) {
        Some(None) => Err(Error::InvalidInput(
            "a streaming body cannot be signed".to_owned(),
        )),
        body => sign_parts(
            request.method(),
            request.url(),
            None,
            &mut headers,
            body.flatten().unwrap_or_default(),
            access_key,
            key,
            now,
            keep,
        ),
    };
    *request.headers_mut() = headers;
    signed
}

/// The `Host` value hyper sends for `url`: the host, and the port when it is not the scheme's
/// default (the URL parser keeps only such a port).
fn host_value(url: &url::Url) -> Result<HeaderValue, signing::SignError> {
    let host = url.host_str().ok_or(signing::SignError::MissingHost)?;
    let value = match url.port() {
        Some(port) => HeaderValue::from_str(&format!("{host}:{port}")),
        None => HeaderValue::from_str(host),
    };
    value.map_err(|_| signing::SignError::InvalidHeaderValue("Host"))
}

/// Signs `headers`, the headers of a request to `url` with `body`, as [`sign_request`] does:
/// `Host` (`host`, or derived from `url`) is signed and left for the HTTP library to set,
/// `Authorization` is marked sensitive.
#[allow(clippy::too_many_arguments)]
fn sign_parts(
    method: &Method,
    url: &url::Url,
    host: Option<&HeaderValue>,
    headers: &mut HeaderMap,
    body: &[u8],
    access_key: &str,
    key: &SigningKey,
    now: SystemTime,
    keep: Keep,
) -> Result<Option<Signed>, Error> {
    let target = Target {
        path: url.path(),
        query: url.query(),
    };
    let host = || match host {
        Some(value) => Ok(value.clone()),
        None => host_value(url),
    };
    // `Host` is signed but not added: hyper sends the same value for HTTP/1 and derives
    // `:authority` from it for HTTP/2.
    signing::sign_in_place(
        method,
        target,
        host,
        headers,
        body,
        access_key,
        key,
        now,
        keep,
        HostMode::Implied,
    )
    .map_err(|e| Error::InvalidInput(format!("cannot sign the request: {e}")))
}

impl Transport {
    /// The base URL the next call goes to: the endpoint, or with several the current one.
    pub fn base_url(&self) -> &str {
        self.endpoint(self.current()).0
    }

    /// Every endpoint, in the order they are tried (one unless built with several).
    pub fn endpoints(&self) -> Vec<&str> {
        let mut all = vec![self.inner.base_url.as_str()];
        if let Some(more) = &self.inner.more {
            all.extend(more.rest.iter().map(|e| e.url.as_str()));
        }
        all
    }

    /// How many endpoints there are.
    fn endpoint_count(&self) -> usize {
        self.inner
            .more
            .as_ref()
            .map_or(1, |more| more.rest.len() + 1)
    }

    /// The index of the endpoint calls start at (0 with one endpoint).
    fn current(&self) -> usize {
        match &self.inner.more {
            None => 0,
            Some(more) => more.current.load(Ordering::Relaxed),
        }
    }

    /// Endpoint `index`: its URL, parsed base and `Host` value.
    fn endpoint(&self, index: usize) -> (&str, &url::Url, Option<&HeaderValue>) {
        match (index, &self.inner.more) {
            (1.., Some(more)) if index <= more.rest.len() => {
                let e = &more.rest[index - 1];
                (&e.url, &e.base, e.host.as_ref())
            }
            _ => (
                &self.inner.base_url,
                &self.inner.base,
                self.inner.host.as_ref(),
            ),
        }
    }

    /// Sends one operation's request and returns the raw response, whatever its status
    /// (but a `3xx`, which is an [`Error::Api`]: redirects are not followed). This is what
    /// every generated operation calls, and what a generated `<operation>_raw` method
    /// returns; call it directly to send a request the spec does not describe.
    ///
    /// Before sending it refuses a path with a `.`, `..` or empty segment
    /// ([`Error::InvalidInput`]); it adds `Accept`, `User-Agent`, the credentials' headers
    /// and `Content-Type: application/json` for a body, signs AK/SK requests per attempt,
    /// retries what the policy allows (see [`crate::retry`]) within the total timeout, and
    /// reads at most the configured number of body bytes. When retries run out the last
    /// response is returned, with [`RawResponse::attempts`] saying how many were made. With
    /// several endpoints (see [`ClientBuilder::endpoints`]) it starts at the current one and
    /// moves to the next, at once and without spending a retry, when an attempt cannot
    /// connect; when every endpoint failed to connect, the error names each and its failure.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), clustercert_runtime::Error> {
    /// use clustercert_runtime::{http::Method, ClientBuilder, OperationRequest, Transport};
    ///
    /// let transport = ClientBuilder::<Transport>::new()
    ///     .endpoint("http://127.0.0.1:8080")
    ///     .token("my-token")
    ///     .build()?;
    /// let response = transport
    ///     .send(OperationRequest {
    ///         operation: "ShowCluster",
    ///         method: Method::GET,
    ///         path: "/api/v3/projects/p/clusters/c".to_owned(),
    ///         query: vec![("detail".into(), "true".to_owned())],
    ///         headers: Vec::new(),
    ///         body: None,
    ///     })
    ///     .await?;
    /// if !response.status.is_success() {
    ///     return Err(response.into_error());
    /// }
    /// let cluster: serde_json::Value = response.json()?;
    /// # let _ = cluster; Ok(()) }
    /// ```
    pub async fn send(&self, request: OperationRequest) -> Result<RawResponse, Error> {
        // With several endpoints, the one calls start at now (0 with one endpoint).
        let start = self.current();
        let url = self.url_at(start, &request)?;
        let provided;
        let (credentials, headers) = match &self.inner.provider {
            None => {
                // A JSON body's `Content-Type` comes made, rather than added to each call's copy.
                let fixed = match request.body {
                    Some(_) => &self.inner.json_headers,
                    None => &self.inner.fixed_headers,
                };
                (
                    self.inner.credentials.as_ref(),
                    self.base_headers(&request, fixed)?,
                )
            }
            Some(provider) => {
                provided = provider.provide().await?;
                let mut fixed = self.inner.fixed_headers.clone();
                credential_headers(&mut fixed, &provided.credentials)?;
                (
                    Some(&provided.credentials),
                    self.base_headers(&request, &fixed)?,
                )
            }
        };
        let body = request.body.map(Bytes::from);
        let made_key;
        let signer = match credentials.and_then(Credentials::signing_keys) {
            None => None,
            Some((access_key, secret_key)) => match (&self.inner.provider, &self.inner.signing_key)
            {
                (None, Some(key)) => Some((access_key, key)),
                _ => {
                    made_key = SigningKey::new(secret_key.expose_secret());
                    Some((access_key, &made_key))
                }
            },
        };
        // Counted outside the attempts, so that a total timeout can say how many there were.
        let made = AtomicU32::new(0);
        let attempts = self.attempts(
            &request.method,
            (start, &url, &request.path),
            headers,
            body,
            signer,
            &made,
        );
        match self.inner.timeout {
            None => attempts.await,
            Some(limit) => tokio::time::timeout(limit, attempts)
                .await
                .unwrap_or_else(|_| {
                    Err(Error::Transport {
                        kind: TransportErrorKind::Timeout,
                        message: format!(
                            "{} got no complete response within {limit:?}",
                            request.operation
                        ),
                        source: None,
                        attempts: made.load(Ordering::Relaxed),
                    })
                }),
        }
    }

    /// The URL of `request` at the current endpoint.
    #[cfg(test)]
    fn url_for(&self, request: &OperationRequest) -> Result<url::Url, Error> {
        self.url_at(self.current(), request)
    }

    /// The URL of `request` at endpoint `index`.
    fn url_at(&self, index: usize, request: &OperationRequest) -> Result<url::Url, Error> {
        check_path(request.operation, &request.path)?;
        let mut url = with_path(self.endpoint(index).1, &request.path);
        if !request.query.is_empty() {
            // Sent exactly as signed: sorted and encoded the signer's way.
            let query = signing::canonical_query(request.query.iter().map(|(k, v)| (k, v)));
            url.set_query(Some(&query));
        }
        Ok(url)
    }

    fn base_headers(
        &self,
        request: &OperationRequest,
        fixed: &HeaderMap,
    ) -> Result<HeaderMap, Error> {
        let mut headers = fixed.clone();
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::InvalidInput(format!("bad header name {name:?}")))?;
            let mut value = HeaderValue::from_str(value).map_err(|_| {
                Error::InvalidInput(format!("header {name} has a value that cannot be sent"))
            })?;
            if is_secret_header(name.as_str()) {
                value.set_sensitive(true);
            }
            headers.insert(name, value);
        }
        if request.body.is_some() && !headers.contains_key(CONTENT_TYPE) {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        Ok(headers)
    }

    /// Sends the attempts of one call to `url` (at endpoint `start`, the request's path
    /// `path`), retrying as the policy allows and, with several endpoints, moving to the next
    /// after a failure to connect.
    async fn attempts(
        &self,
        method: &Method,
        (start, url, path): (usize, &url::Url, &str),
        mut headers: HeaderMap,
        mut body: Option<Bytes>,
        signer: Option<(&str, &SigningKey)>,
        made: &AtomicU32,
    ) -> Result<RawResponse, Error> {
        let deadline = self
            .inner
            .timeout
            .map(|limit| tokio::time::Instant::now() + limit);
        let mut retry = 0;
        // Made on the first failure to connect with several endpoints (so that a call to
        // one endpoint carries nothing more than a null pointer).
        let mut moved: Option<Box<Moved>> = None;
        loop {
            let count = made.fetch_add(1, Ordering::Relaxed) + 1;
            // The last attempt the policy allows takes the headers and the body; earlier ones
            // copy them. (A body given away is not shared with the connection's thread, so
            // its bytes need no reference count.) With several endpoints, an attempt may be
            // followed by one at the next endpoint, so only the last endpoint's takes them.
            let (these, this_body) = if retry < self.inner.retry.retries()
                || (self.inner.more.is_some()
                    && moved.as_ref().map_or(0, |m| m.failed.len()) + 1 < self.endpoint_count())
            {
                (headers.clone(), body.clone())
            } else {
                (std::mem::take(&mut headers), body.take())
            };
            let (index, target) = match &moved {
                None => (start, url),
                Some(m) => (m.index, &m.url),
            };
            let host = self.endpoint(index).2;
            let mut outcome = match self
                .attempt(method, target, host, these, this_body, signer)
                .await
            {
                Ok(mut response) => {
                    response.attempts = count;
                    Ok(response)
                }
                Err(error) => Err(error.with_attempts(count)),
            };
            if let Some(more) = &self.inner.more {
                match outcome {
                    Err(Error::Transport {
                        kind: TransportErrorKind::Connect,
                        message,
                        source,
                        attempts,
                    }) => {
                        // Nothing was sent: move this client (and its clones) to the next
                        // endpoint, and try it at once unless every one has failed.
                        let (message, source) = match source {
                            Some(error) => {
                                let error = error.without_url();
                                (error_chain(&error), Some(error))
                            }
                            None => (message, None),
                        };
                        let all = more.rest.len() + 1;
                        let next = (index + 1) % all;
                        more.current.store(next, Ordering::Relaxed);
                        let mut next_url = with_path(self.endpoint(next).1, path);
                        next_url.set_query(url.query());
                        let mut failed = moved.take().map(|m| m.failed).unwrap_or_default();
                        failed.push((index, message));
                        if failed.len() < all {
                            moved = Some(Box::new(Moved {
                                index: next,
                                url: next_url,
                                failed,
                            }));
                            continue;
                        }
                        outcome = Err(Error::Transport {
                            kind: TransportErrorKind::Connect,
                            message: self.all_failed(&failed),
                            source,
                            attempts,
                        });
                        failed.clear();
                        moved = Some(Box::new(Moved {
                            index: next,
                            url: next_url,
                            failed,
                        }));
                    }
                    _ => {
                        if let Some(m) = &mut moved {
                            m.failed.clear();
                        }
                    }
                }
            }
            let (class, retry_after) = match &outcome {
                Err(Error::Transport { kind, .. }) => (classify_transport(*kind), None),
                Err(_) => (RetryClass::Never, None),
                Ok(response) => {
                    // Read only where it can matter: the statuses that may be retried.
                    let retry_after = matches!(response.status.as_u16(), 429 | 502..=504)
                        .then(|| response.headers.get(http::header::RETRY_AFTER))
                        .flatten()
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, SystemTime::now()));
                    (
                        classify_status(response.status, retry_after.is_some()),
                        retry_after,
                    )
                }
            };
            if !self.inner.retry.allows(class) || retry >= self.inner.retry.retries() {
                return outcome;
            }
            // At most the policy's cap, however long the server asks for.
            let wait = self.inner.retry.wait(retry, retry_after);
            if let Some(deadline) = deadline {
                // A wait that would end past the deadline cannot lead to an answer in time:
                // give the caller what we have now instead.
                let ends_in_time = tokio::time::Instant::now()
                    .checked_add(wait)
                    .is_some_and(|end| end < deadline);
                if !ends_in_time {
                    return outcome;
                }
            }
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }

    /// "every one of the N endpoints failed to connect: A: why; B: why", each endpoint as
    /// [`shown_endpoint`] shows it.
    fn all_failed(&self, failed: &[(usize, String)]) -> String {
        let each: Vec<String> = failed
            .iter()
            .map(|(index, why)| format!("{}: {why}", shown_endpoint(self.endpoint(*index).0)))
            .collect();
        format!(
            "every one of the {} endpoints failed to connect: {}",
            failed.len(),
            each.join("; ")
        )
    }

    /// One attempt at `url`, whose endpoint's `Host` value is `host`.
    async fn attempt(
        &self,
        method: &Method,
        url: &url::Url,
        host: Option<&HeaderValue>,
        mut headers: HeaderMap,
        body: Option<Bytes>,
        signer: Option<(&str, &SigningKey)>,
    ) -> Result<RawResponse, Error> {
        if let Some((access_key, key)) = signer {
            // Signed per attempt, so that a retry carries a fresh X-Sdk-Date (and one at
            // another endpoint its host); signed before the request is built, reading the
            // body where it is.
            sign_parts(
                method,
                url,
                host,
                &mut headers,
                body.as_deref().unwrap_or_default(),
                access_key,
                key,
                self.inner.clock.now(),
                Keep::Nothing,
            )?;
        }
        let mut request = reqwest::Request::new(method.clone(), url.clone());
        *request.headers_mut() = headers;
        if let Some(body) = body {
            *request.body_mut() = Some(reqwest::Body::from(body));
        }
        let response = self
            .inner
            .http
            .execute(request)
            .await
            .map_err(Error::from_reqwest)?;
        let response = read_capped(response, self.inner.max_response_bytes).await?;
        if response.status.is_redirection() {
            return Err(redirect_error(response));
        }
        Ok(response)
    }
}

/// Where a call is after a failure to connect, with several endpoints.
struct Moved {
    /// The endpoint the next attempt goes to.
    index: usize,
    /// The request's URL there.
    url: url::Url,
    /// The endpoints that failed to connect since the last answer, and why.
    failed: Vec<(usize, String)>,
}

/// `base` (an endpoint, parsed when the client was built) with `path` after its own path;
/// only the path is parsed here (a `?` or `#` in it is encoded, so it stays part of the path).
fn with_path(base: &url::Url, path: &str) -> url::Url {
    let mut url = base.clone();
    match url.path() {
        "/" => url.set_path(path),
        prefix => {
            let path = format!("{prefix}{path}");
            url.set_path(&path);
        }
    }
    url
}

/// A `3xx` answer as an [`Error::Api`]: the redirect is not followed, since the request
/// carries credentials meant for the configured endpoint only. The message shows the
/// `Location` without user info, query or fragment (which may hold secrets).
fn redirect_error(response: RawResponse) -> Error {
    let location = response.header(http::header::LOCATION.as_str());
    let mut error = response.into_error();
    if let Error::Api { error_message, .. } = &mut error {
        *error_message = Some(match location {
            Some(location) => format!(
                "redirect to {} not followed: credentials are sent to the configured endpoint only",
                shown_endpoint(&location)
            ),
            None => "redirect without a readable Location, not followed".to_owned(),
        });
    }
    error
}

/// Refuses a path that would not reach the operation's resource: a `.` or `..` segment (these
/// stay bare when encoded and would move the request elsewhere once the URL is normalized), or
/// an empty segment inside the path (`//`). The generated code already refuses such parameter
/// values with [`super::path_parameter`]; this guards every other caller of
/// [`Transport::send`]. A trailing `/` is the template's own and is kept.
fn check_path(operation: &str, path: &str) -> Result<(), Error> {
    let segments = path.strip_prefix('/').unwrap_or(path);
    let segments = segments.strip_suffix('/').unwrap_or(segments);
    if segments.is_empty() {
        // The root path `/` itself.
        return Ok(());
    }
    for (index, segment) in segments.split('/').enumerate() {
        let position = index + 1;
        let problem = match segment {
            "" => "is empty (an empty path parameter?)",
            "." | ".." => "is '.' or '..'",
            _ => continue,
        };
        return Err(Error::InvalidInput(format!(
            "{operation}: path segment {position} of {path:?} {problem}"
        )));
    }
    Ok(())
}

/// The headers every request carries, made once when the client is built: `Accept`,
/// `User-Agent`, and the credentials' `X-Auth-Token`, or `X-Project-Id` and
/// `X-Security-Token`.
fn fixed_headers(credentials: Option<&Credentials>, user_agent: &str) -> Result<HeaderMap, Error> {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    // The default is a static value: copies of it share no reference count, which each call's
    // copy of these headers would otherwise bump on one thread and drop on the connection's.
    let user_agent = if user_agent == DEFAULT_USER_AGENT {
        HeaderValue::from_static(DEFAULT_USER_AGENT)
    } else {
        HeaderValue::from_str(user_agent).map_err(|_| {
            Error::InvalidInput(format!(
                "user agent {user_agent:?} is not a valid header value"
            ))
        })?
    };
    headers.insert(USER_AGENT, user_agent);
    if let Some(credentials) = credentials {
        credential_headers(&mut headers, credentials)?;
    }
    Ok(headers)
}

/// AK/SK's scope header (`X-Project-Id` or `X-Domain-Id`, `what` in errors) and, for
/// temporary credentials, `X-Security-Token`.
fn scope_headers(
    headers: &mut HeaderMap,
    name: &'static str,
    what: &str,
    id: &str,
    security_token: &Option<SecretString>,
) -> Result<(), Error> {
    let value = HeaderValue::from_str(id)
        .map_err(|_| Error::InvalidInput(format!("the {what} cannot be sent in a header")))?;
    headers.insert(name, value);
    if let Some(token) = security_token {
        headers.insert(
            "x-security-token",
            secret_header("X-Security-Token", token)?,
        );
    }
    Ok(())
}

/// Adds the headers `credentials` send as they are: `X-Auth-Token`, or `X-Project-Id` (or
/// `X-Domain-Id`) and `X-Security-Token`. (AK/SK signatures are added per attempt.)
fn credential_headers(headers: &mut HeaderMap, credentials: &Credentials) -> Result<(), Error> {
    match credentials {
        Credentials::Token(token) => {
            headers.insert("x-auth-token", secret_header("X-Auth-Token", token)?);
        }
        Credentials::AkSk {
            project_id: id,
            security_token,
            ..
        } => scope_headers(headers, "x-project-id", "project id", id, security_token)?,
        Credentials::GlobalAkSk {
            domain_id: id,
            security_token,
            ..
        } => scope_headers(headers, "x-domain-id", "domain id", id, security_token)?,
    }
    Ok(())
}

fn secret_header(name: &str, secret: &SecretString) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(secret.expose_secret())
        .map_err(|_| Error::InvalidInput(format!("the {name} value cannot be sent in a header")))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Reads a response, refusing to read more than `limit` body bytes.
async fn read_capped(mut response: reqwest::Response, limit: usize) -> Result<RawResponse, Error> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let too_large = |headers: &HeaderMap| Error::BodyTooLarge {
        status,
        request_id: header_text(headers, REQUEST_ID),
        limit,
        attempts: 1,
    };
    if response
        .content_length()
        .is_some_and(|len| len > limit as u64)
    {
        return Err(too_large(&headers));
    }
    // One chunk is the common case: keep it without copying.
    let mut first: Option<Bytes> = None;
    let mut rest = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
        let so_far = first.as_ref().map_or(0, Bytes::len) + rest.len();
        if so_far + chunk.len() > limit {
            return Err(too_large(&headers));
        }
        match &first {
            None => first = Some(chunk),
            Some(head) => {
                if rest.is_empty() {
                    rest.extend_from_slice(head);
                }
                rest.extend_from_slice(&chunk);
            }
        }
    }
    let body = if rest.is_empty() {
        first.unwrap_or_default()
    } else {
        rest.freeze()
    };
    Ok(RawResponse {
        status,
        headers,
        body,
        attempts: 1,
    })
}

/// One operation's request, before the transport adds authentication: what the generated
/// code builds for each call (and what a caller builds to send a request of their own with
/// [`Transport::send`]). `Debug` shows header names only, since a header parameter may carry
/// a secret.
pub struct OperationRequest {
    /// The spec's `operationId`, for errors and logs.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path, every parameter already encoded with [`super::encode_path_segment`]. A
    /// `.`, `..` or empty segment (`//`, a trailing `/`) is refused before sending.
    pub path: String,
    /// Query pairs, not yet encoded; sent (and signed) sorted by key, then value. A key the
    /// spec names is borrowed (`"detail".into()`, no allocation); one known only at run time
    /// (a member of a free-form map, see [`crate::forms::query_members`]) is owned.
    pub query: Vec<crate::forms::QueryPair>,
    /// Header pairs the spec names (auth headers are added by the client).
    pub headers: Vec<(&'static str, String)>,
    /// The serialized JSON body, when the operation has one.
    pub body: Option<Vec<u8>>,
}

impl fmt::Debug for OperationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(name, _)| *name).collect();
        f.debug_struct("OperationRequest")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("header_names", &header_names)
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

/// A response as it arrived: status, headers, body (at most the configured cap), and how
/// many attempts it took. [`Transport::send`] returns it for every status but a redirect; a
/// generated operation then reads it with [`RawResponse::json`], [`RawResponse::header`] or
/// [`RawResponse::into_error`], and a generated `<operation>_raw` method hands it over as it
/// is (the conformance suite judges such responses). `Debug` shows the body's length only,
/// since a body may hold a private key.
pub struct RawResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, at most the configured cap.
    pub body: Bytes,
    /// How many attempts the call made to get this answer: 1, plus the retries (and, with
    /// several endpoints, plus the attempts at endpoints that could not be reached).
    pub attempts: u32,
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("request_id", &self.header(REQUEST_ID))
            .field("body_bytes", &self.body.len())
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl RawResponse {
    /// Parses the body as the documented type; a mismatch is [`Error::ResponseMismatch`]
    /// naming the JSON path of the first problem. Trailing data after the JSON value is a
    /// mismatch too.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        // The common case, a body that matches, takes the fast path; only a mismatch is
        // parsed again to find its JSON path.
        if let Ok(value) = serde_json::from_slice(&self.body) {
            return Ok(value);
        }
        let mismatch = |path: String, error: &serde_json::Error| Error::ResponseMismatch {
            status: self.status,
            request_id: self.header(REQUEST_ID),
            path,
            message: without_position(error),
            attempts: self.attempts,
        };
        let de = &mut serde_json::Deserializer::from_slice(&self.body);
        let value = serde_path_to_error::deserialize(&mut *de)
            .map_err(|e| mismatch(e.path().to_string(), e.inner()))?;
        de.end().map_err(|e| mismatch(".".to_owned(), &e))?;
        Ok(value)
    }

    /// A header's value, when present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
            .map(str::to_owned)
    }

    /// Turns an undocumented or error status into an [`Error::Api`]: the status, the request
    /// id, the code and message of either CCE error shape when the body has one, and the
    /// start of the body with secrets taken out (see [`kept_error_body`]): nothing of a
    /// success status's body, which may be a kubeconfig with its key.
    pub fn into_error(self) -> Error {
        let parsed = CceErrorBody::parse(&self.body);
        Error::Api {
            status: self.status,
            request_id: self.header(REQUEST_ID).or(parsed.request_id),
            error_code: parsed.code,
            error_message: parsed.message,
            body: kept_error_body(self.status, &self.body, MAX_KEPT_ERROR_BODY),
            attempts: self.attempts,
        }
    }
}

/// serde_json's message without its ` at line L column C` suffix (the path says where).
fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&suffix) {
        Some(message) => message.to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::HOST;

    fn raw(status: u16, body: &str) -> RawResponse {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID, HeaderValue::from_static("req-1"));
        RawResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: Bytes::copy_from_slice(body.as_bytes()),
            attempts: 1,
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        items: Vec<Inner2>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner2 {
        server: String,
    }

    #[test]
    fn json_mismatch_names_the_path() {
        let err = raw(200, r#"{"items":[{"server":1}]}"#)
            .json::<Outer>()
            .unwrap_err();
        match err {
            Error::ResponseMismatch {
                path,
                message,
                request_id,
                ..
            } => {
                assert_eq!(path, "items[0].server");
                assert_eq!(message, "invalid type: integer `1`, expected a string");
                assert_eq!(request_id.as_deref(), Some("req-1"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_odd_bodies_are_mismatches() {
        for body in [
            "",
            "null",
            "{\"items\":[",
            "<html></html>",
            "{\"items\":[]} x",
        ] {
            let err = raw(200, body).json::<Outer>().unwrap_err();
            assert!(
                matches!(err, Error::ResponseMismatch { .. }),
                "{body}: {err:?}"
            );
        }
    }

    #[test]
    fn into_error_reads_both_shapes_and_falls_back_to_body_request_id() {
        let e = raw(400, r#"{"error_code":"CCE.01400001","error_msg":"bad"}"#).into_error();
        assert!(
            matches!(&e, Error::Api { error_code: Some(c), error_message: Some(m), .. } if c == "CCE.01400001" && m == "bad")
        );
        let mut r = raw(
            404,
            r#"{"errorCode":"CCE.01404001","errorMessage":"gone","request_id":"body-id"}"#,
        );
        r.headers.clear();
        let e = r.into_error();
        assert_eq!(e.request_id(), Some("body-id"));
        assert!(e.to_string().contains("CCE.01404001: gone"), "{e}");
    }

    #[test]
    fn operation_request_debug_hides_header_values() {
        let request = OperationRequest {
            operation: "Op",
            method: Method::POST,
            path: "/x".to_owned(),
            query: Vec::new(),
            headers: vec![("X-Auth-Token", "TOKEN-SECRET".to_owned())],
            body: Some(b"{}".to_vec()),
        };
        let text = format!("{request:?}");
        assert!(!text.contains("TOKEN-SECRET"), "{text}");
        assert!(text.contains("X-Auth-Token"), "{text}");
    }

    #[test]
    fn raw_response_debug_hides_the_body() {
        let text = format!("{:?}", raw(200, "client-key-data SECRET"));
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.contains("body_bytes"), "{text}");
    }

    #[test]
    fn builder_needs_exactly_one_of_endpoint_and_region() {
        type B = ClientBuilder<Transport>;
        assert!(B::new().build().is_err());
        assert!(B::new()
            .endpoint("http://h")
            .region("cn-north-4")
            .build()
            .is_err());
        assert!(B::new().endpoint("ftp://h").build().is_err());
        let t = B::new().endpoint("http://127.0.0.1:1/").build().unwrap();
        assert_eq!(t.base_url(), "http://127.0.0.1:1");
        assert!(B::new()
            .endpoint("http://h")
            .user_agent("bad\nua")
            .build()
            .is_err());
    }

    #[test]
    fn a_region_needs_a_template() {
        type B = ClientBuilder<Transport>;
        let err = B::new()
            .region("cn-north-4")
            .build()
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "invalid input: region \"cn-north-4\" given, but this client has no region endpoint template (no server of its spec has a {region} variable); give an endpoint instead"
        );
        let template = RegionTemplate::new("https://cce.{region}.myhuaweicloud.com", None);
        let t = B::new()
            .region_template(template)
            .region("ap-southeast-1")
            .build()
            .unwrap();
        assert_eq!(t.base_url(), "https://cce.ap-southeast-1.myhuaweicloud.com");
        let err = B::new()
            .region_template(template)
            .region("AP")
            .build()
            .unwrap_err()
            .to_string();
        assert!(err.contains("region id \"AP\""), "{err}");
    }

    #[test]
    fn dot_segments_are_refused() {
        let t = ClientBuilder::<Transport>::new()
            .endpoint("http://h")
            .build()
            .unwrap();
        let request = OperationRequest {
            operation: "Op",
            method: Method::GET,
            path: "/a/../b".to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        assert!(matches!(t.url_for(&request), Err(Error::InvalidInput(_))));
    }

    #[test]
    fn empty_segments_are_refused_naming_operation_and_position() {
        let t = ClientBuilder::<Transport>::new()
            .endpoint("http://h/base")
            .build()
            .unwrap();
        let request = |path: &str| OperationRequest {
            operation: "Op",
            method: Method::GET,
            path: path.to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        for (path, position) in [("/projects//clusters/c", 2), ("//x", 1), ("/a/b//", 3)] {
            match t.url_for(&request(path)) {
                Err(Error::InvalidInput(message)) => {
                    assert!(
                        message.starts_with("Op: ")
                            && message.contains(&format!("segment {position} "))
                            && message.contains("empty"),
                        "{path}: {message}"
                    );
                }
                other => panic!("{path}: {other:?}"),
            }
        }
        assert_eq!(
            t.url_for(&request("/projects/p/clusters/c"))
                .unwrap()
                .as_str(),
            "http://h/base/projects/p/clusters/c"
        );
        assert_eq!(t.url_for(&request("/")).unwrap().as_str(), "http://h/base/");
        // A template's own trailing slash is kept.
        assert_eq!(
            t.url_for(&request("/projects/p/clusters/"))
                .unwrap()
                .as_str(),
            "http://h/base/projects/p/clusters/"
        );
    }

    #[test]
    fn sign_request_signs_the_body_in_place() {
        let url = "http://127.0.0.1:8080/api/v3/projects/p/clusters/c/clustercert";
        let body = br#"{"duration":30}"#;
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_795_867_200);
        let mut request = reqwest::Request::new(Method::POST, url.parse().unwrap());
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        *request.body_mut() = Some(body.to_vec().into());
        let signed = sign_request(&mut request, "AK", "SK", now).unwrap();
        assert_eq!(signed.signed_headers, "content-type;host;x-sdk-date");
        assert!(!request.headers().contains_key(HOST));
        assert!(request.headers()[http::header::AUTHORIZATION].is_sensitive());
        // The server sees Host, as hyper sends it.
        let mut arrived = request.headers().clone();
        arrived.insert(HOST, HeaderValue::from_static("127.0.0.1:8080"));
        let uri: http::Uri = url.parse().unwrap();
        let verified = signing::verify(
            &Method::POST,
            &uri,
            &arrived,
            body,
            |ak| (ak == "AK").then(|| "SK".to_owned()),
            now,
        )
        .unwrap();
        assert!(verified.payload_signed);
    }

    /// What arrives at a raw TCP server for one call with `credentials`: the request head's
    /// lines (lower-cased) and the body.
    async fn request_on_the_wire(credentials: Credentials) -> (Vec<String>, Vec<u8>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut received = Vec::new();
            let mut buf = [0u8; 4096];
            let (head, body) = loop {
                let n = socket.read(&mut buf).await.unwrap();
                assert!(n > 0, "connection closed mid-request");
                received.extend_from_slice(&buf[..n]);
                let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8(received[..end].to_vec()).unwrap();
                let length: usize = head
                    .to_ascii_lowercase()
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: ").map(str::to_owned))
                    .map_or(0, |v| v.parse().unwrap());
                if received.len() >= end + 4 + length {
                    break (head, received[end + 4..].to_vec());
                }
            };
            socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                .await
                .unwrap();
            (head, body)
        });
        let t = ClientBuilder::<Transport>::new()
            .endpoint(format!("http://{addr}"))
            .credentials(credentials)
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        let request = OperationRequest {
            operation: "Op",
            method: Method::POST,
            path: "/api/v3/projects/p/clusters/c/clustercert".to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(br#"{"duration":30}"#.to_vec()),
        };
        let response = t.send(request).await.unwrap();
        assert_eq!(response.status, StatusCode::OK);
        let (head, body) = server.await.unwrap();
        let lines = head
            .split("\r\n")
            .map(|l| l.to_ascii_lowercase())
            .map(|l| match l.split_once(": ") {
                // Values that change from run to run.
                Some((name @ ("host" | "x-sdk-date" | "authorization"), _)) => format!("{name}: …"),
                _ => l,
            })
            .collect();
        (lines, body)
    }

    #[tokio::test]
    async fn an_ak_sk_request_goes_out_like_a_token_request_plus_its_headers() {
        let (token, token_body) = request_on_the_wire(Credentials::token("t")).await;
        let (aksk, aksk_body) =
            request_on_the_wire(Credentials::ak_sk("AK", "SK", "project")).await;
        // Same body, with its length known (not chunked), one Host, same layout.
        assert_eq!(token_body, br#"{"duration":30}"#);
        assert_eq!(aksk_body, token_body);
        let user_agent = format!("user-agent: {}", DEFAULT_USER_AGENT.to_ascii_lowercase());
        let expected_token = [
            "post /api/v3/projects/p/clusters/c/clustercert http/1.1",
            "accept: application/json",
            &user_agent,
            "x-auth-token: t",
            "content-type: application/json",
            "host: …",
            "content-length: 15",
        ];
        assert_eq!(token, expected_token);
        let expected_aksk = [
            "post /api/v3/projects/p/clusters/c/clustercert http/1.1",
            "accept: application/json",
            &user_agent,
            "x-project-id: project",
            "content-type: application/json",
            "x-sdk-date: …",
            "authorization: …",
            "host: …",
            "content-length: 15",
        ];
        assert_eq!(aksk, expected_aksk);
    }

    #[test]
    fn a_question_mark_or_hash_in_a_path_stays_in_the_path() {
        let t = ClientBuilder::<Transport>::new()
            .endpoint("http://h/base")
            .build()
            .unwrap();
        let request = |path: &str| OperationRequest {
            operation: "Op",
            method: Method::GET,
            path: path.to_owned(),
            query: vec![("a".into(), "1".to_owned())],
            headers: Vec::new(),
            body: None,
        };
        let url = t.url_for(&request("/x?evil=1#frag")).unwrap();
        assert_eq!(url.as_str(), "http://h/base/x%3Fevil=1%23frag?a=1");
        assert_eq!(url.query(), Some("a=1"));
        assert_eq!(url.fragment(), None);
    }

    #[test]
    fn query_is_sent_in_canonical_order() {
        let t = ClientBuilder::<Transport>::new()
            .endpoint("http://h")
            .build()
            .unwrap();
        let request = OperationRequest {
            operation: "Op",
            method: Method::GET,
            path: "/x".to_owned(),
            query: vec![
                ("b".into(), "2".to_owned()),
                ("a".into(), "x y".to_owned()),
                (String::from("m[k]").into(), "&=".to_owned()),
            ],
            headers: Vec::new(),
            body: None,
        };
        assert_eq!(
            t.url_for(&request).unwrap().as_str(),
            "http://h/x?a=x%20y&b=2&m%5Bk%5D=%26%3D"
        );
    }

    #[test]
    fn a_client_outliving_its_first_runtime_still_times_out_in_the_next() {
        // A server that accepts and never answers.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let transport = ClientBuilder::<Transport>::new()
            .endpoint(&url)
            .token("t")
            .retry(RetryPolicy::none())
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let request = || OperationRequest {
            operation: "Op",
            method: Method::GET,
            path: "/x".to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        for _ in 0..2 {
            // Each runtime is dropped after its call (and its timers with it).
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let started = std::time::Instant::now();
            let outcome = rt.block_on(transport.send(request()));
            assert!(
                matches!(
                    outcome,
                    Err(Error::Transport {
                        kind: TransportErrorKind::Timeout,
                        ..
                    })
                ),
                "{outcome:?}"
            );
            assert!(started.elapsed() < Duration::from_secs(5));
        }
        drop(listener);
    }
}
