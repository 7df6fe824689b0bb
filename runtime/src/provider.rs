//! Credential providers, in the official SDKs' order and formats: the environment
//! ([`EnvProvider`]), the profile file ([`ProfileProvider`]), the ECS instance metadata
//! ([`MetadataProvider`]), and [`ProviderChain`], which asks each in turn. Each provider is
//! usable alone; a client asks its provider on every call
//! ([`ClientBuilder::credentials_provider`](crate::ClientBuilder::credentials_provider)), so
//! temporary credentials refreshed from the metadata are used as they change.
//!
//! A provider that finds nothing answers [`CredentialsError::NotFound`] naming where it
//! looked, and the chain goes on to the next; one that finds credentials it cannot use (a key
//! missing from the profile file, an error from the metadata server) answers
//! [`CredentialsError::Invalid`], and the chain stops there rather than silently use other
//! credentials.

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use crate::credentials::{
    Credentials, CredentialsError, ENV_AK, ENV_AUTH_TOKEN, ENV_PROJECT_ID, ENV_SK,
};
use crate::endpoint::shown_endpoint;
use crate::secret::SecretString;
use crate::small_file::{self, Problem};

/// The future a provider returns.
pub type ProvideFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Provided, CredentialsError>> + Send + 'a>>;

/// Something that finds credentials. `Debug` must not show a secret.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// The credentials to use now, where they came from, and warnings to show.
    fn provide(&self) -> ProvideFuture<'_>;
}

impl<P: ProvideCredentials + ?Sized> ProvideCredentials for Arc<P> {
    fn provide(&self) -> ProvideFuture<'_> {
        (**self).provide()
    }
}

/// Credentials a provider found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Provided {
    /// The credentials.
    pub credentials: Credentials,
    /// Where they came from, for example `profile file /root/.huaweicloud/credentials [basic]`.
    pub source: String,
    /// Warnings for the user, one line each (a profile file others can read). The library
    /// prints nothing: show them.
    pub warnings: Vec<String>,
}

impl Provided {
    fn new(credentials: Credentials, source: String) -> Self {
        Provided {
            credentials,
            source,
            warnings: Vec::new(),
        }
    }
}

fn not_found(place: String) -> CredentialsError {
    CredentialsError::NotFound {
        looked: vec![place],
    }
}

// ---------------------------------------------------------------------------------------------
// Environment

/// Credentials from environment variables, as [`Credentials::from_lookup`] reads them
/// (`HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, `HUAWEICLOUD_SDK_PROJECT_ID`,
/// `HUAWEICLOUD_SDK_SECURITY_TOKEN`, or `HUAWEICLOUD_SDK_AUTH_TOKEN`). None of them set is
/// [`CredentialsError::NotFound`]; a half-set group is an error naming what is missing.
#[derive(Clone)]
pub struct EnvProvider {
    lookup: Arc<Lookup>,
}

/// A variable name to its value.
type Lookup = dyn Fn(&str) -> Option<String> + Send + Sync;

impl fmt::Debug for EnvProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnvProvider")
    }
}

impl Default for EnvProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl EnvProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        Self::with_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup` (a name to its value), for tests.
    pub fn with_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        EnvProvider {
            lookup: Arc::new(lookup),
        }
    }

    /// The credentials the variables hold.
    pub fn read(&self) -> Result<Provided, CredentialsError> {
        match Credentials::from_lookup(|name| (self.lookup)(name)) {
            Ok(credentials) => Ok(Provided::new(credentials, "environment".to_owned())),
            Err(CredentialsError::NotSet) => Err(not_found(format!(
                "environment: none of {ENV_AK}, {ENV_SK}, {ENV_AUTH_TOKEN} is set"
            ))),
            Err(other) => Err(other),
        }
    }
}

impl ProvideCredentials for EnvProvider {
    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(async move { self.read() })
    }
}

// ---------------------------------------------------------------------------------------------
// Profile file

/// The variable that names the profile file.
pub const ENV_CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";
/// The profile file under the home directory when [`ENV_CREDENTIALS_FILE`] is not set.
pub const DEFAULT_CREDENTIALS_FILE: &str = ".huaweicloud/credentials";
/// The largest profile file read, in bytes.
pub const MAX_PROFILE_BYTES: u64 = 64 * 1024;

/// Which section of the profile file, as the official SDK names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `[basic]`: AK/SK with `project_id`, for regional services such as CCE.
    Basic,
    /// `[global]`: AK/SK with `domain_id`, for global services.
    Global,
}

impl Section {
    /// The section's name in the file.
    pub fn name(self) -> &'static str {
        match self {
            Section::Basic => "basic",
            Section::Global => "global",
        }
    }
}

/// Credentials from the official SDK's profile file: `HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else
/// `~/.huaweicloud/credentials`; an INI file whose `[basic]` section holds `ak`, `sk`,
/// `project_id` (and `security_token` for temporary credentials), and whose `[global]`
/// section holds `ak`, `sk`, `domain_id` (and `security_token`).
///
/// The file is read as Python's `configparser` reads it, as far as these files go: `key =
/// value` or `key: value`, keys in any case, values trimmed, `#` and `;` comment lines, an
/// indented line continuing the value above. A missing file or section is
/// [`CredentialsError::NotFound`]; a section without a key it needs is an error naming the
/// keys. A file that group or others may read gets a warning in [`Provided::warnings`], as
/// ssh warns about a private key.
///
/// ```
/// use clustercert_runtime::provider::{ProfileProvider, Section};
/// let dir = std::env::temp_dir().join(format!("profile-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("credentials");
/// std::fs::write(&path, "[basic]\nak = AK1\nsk = SK1\nproject_id = p1\n").unwrap();
/// let provided = ProfileProvider::from_path(&path, Section::Basic).read().unwrap();
/// assert!(format!("{:?}", provided.credentials).contains("p1"));
/// assert!(!format!("{:?}", provided.credentials).contains("SK1"));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct ProfileProvider {
    path: Option<PathBuf>,
    section: Section,
}

impl ProfileProvider {
    /// The `[basic]` section of the file the environment names (or the default file).
    pub fn basic() -> Self {
        Self::with_lookup(Section::Basic, |name| std::env::var_os(name))
    }

    /// The `[global]` section of the file the environment names (or the default file).
    pub fn global() -> Self {
        Self::with_lookup(Section::Global, |name| std::env::var_os(name))
    }

    /// `section` of the file `lookup` names: [`ENV_CREDENTIALS_FILE`], else
    /// `$HOME/.huaweicloud/credentials`.
    pub fn with_lookup(
        section: Section,
        lookup: impl Fn(&str) -> Option<std::ffi::OsString>,
    ) -> Self {
        let path = match lookup(ENV_CREDENTIALS_FILE).filter(|v| !v.is_empty()) {
            Some(file) => Some(PathBuf::from(file)),
            None => lookup("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(DEFAULT_CREDENTIALS_FILE)),
        };
        ProfileProvider { path, section }
    }

    /// `section` of the file at `path`.
    pub fn from_path(path: impl Into<PathBuf>, section: Section) -> Self {
        ProfileProvider {
            path: Some(path.into()),
            section,
        }
    }

    /// The file this provider reads, when it knows one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Reads the file now.
    pub fn read(&self) -> Result<Provided, CredentialsError> {
        let Some(path) = &self.path else {
            return Err(not_found(format!(
                "profile file: {ENV_CREDENTIALS_FILE} and HOME are both unset"
            )));
        };
        let shown = path.display();
        let invalid =
            |why: String| CredentialsError::Invalid(format!("profile file {shown}: {why}"));
        let (bytes, metadata) =
            small_file::read(path, MAX_PROFILE_BYTES).map_err(|problem| match problem {
                Problem::Missing | Problem::DanglingLink => {
                    not_found(format!("profile file {shown}: does not exist"))
                }
                Problem::Directory | Problem::NotRegular => {
                    invalid("is not a regular file".to_owned())
                }
                Problem::TooLarge => invalid(format!(
                    "larger than {MAX_PROFILE_BYTES} bytes, not a credentials file"
                )),
                Problem::Open(e) => invalid(format!("cannot open: {e}")),
                Problem::Read(e) => invalid(format!("cannot read: {e}")),
            })?;
        let text = String::from_utf8(bytes).map_err(|_| invalid("is not UTF-8".to_owned()))?;
        let sections = parse_ini(&text).map_err(invalid)?;
        let name = self.section.name();
        let Some(keys) = sections.iter().find(|(s, _)| s == name).map(|(_, k)| k) else {
            return Err(not_found(format!(
                "profile file {shown}: no [{name}] section"
            )));
        };
        let get = |key: &str| {
            keys.iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        if get("idp_id").is_some() || get("id_token_file").is_some() {
            return Err(invalid(format!(
                "[{name}]: federated credentials (idp_id, id_token_file) are not supported"
            )));
        }
        let scope_key = match self.section {
            Section::Basic => "project_id",
            Section::Global => "domain_id",
        };
        let missing: Vec<&str> = ["ak", "sk", scope_key]
            .into_iter()
            .filter(|key| get(key).is_none())
            .collect();
        let (Some(ak), Some(sk), Some(scope)) = (get("ak"), get("sk"), get(scope_key)) else {
            return Err(invalid(format!("[{name}]: missing {}", missing.join(", "))));
        };
        let security_token = get("security_token").map(SecretString::new);
        let secret_key = SecretString::new(sk);
        let credentials = match self.section {
            Section::Basic => Credentials::AkSk {
                access_key: ak,
                secret_key,
                project_id: scope,
                security_token,
            },
            Section::Global => Credentials::GlobalAkSk {
                access_key: ak,
                secret_key,
                domain_id: scope,
                security_token,
            },
        };
        let mut provided = Provided::new(credentials, format!("profile file {shown} [{name}]"));
        provided
            .warnings
            .extend(permission_warning(path, &metadata));
        Ok(provided)
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(async move { self.read() })
    }
}

/// A warning when group or others may read or write the file (mode bits `0o077`).
#[cfg(unix)]
fn permission_warning(path: &Path, metadata: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "profile file {} is accessible by others (mode {mode:04o}); it holds a secret key: chmod 600 it",
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn permission_warning(_: &Path, _: &std::fs::Metadata) -> Option<String> {
    None
}

/// Sections of an INI text in order, each with its `(key, value)` pairs (keys lower-cased).
type Sections = Vec<(String, Vec<(String, String)>)>;

/// Parses INI text the way `configparser` does for credentials files; an error names the
/// line.
fn parse_ini(text: &str) -> Result<Sections, String> {
    let mut sections: Sections = Vec::new();
    let mut last_key: Option<(usize, usize)> = None;
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if raw.starts_with([' ', '\t']) {
            // A continuation of the value above.
            let Some((s, k)) = last_key else {
                return Err(format!("line {number}: indented line outside a value"));
            };
            let value = &mut sections[s].1[k].1;
            value.push('\n');
            value.push_str(line);
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let Some(name) = name.strip_suffix(']') else {
                return Err(format!("line {number}: a section header without ']'"));
            };
            let name = name.trim().to_owned();
            if sections.iter().any(|(s, _)| *s == name) {
                return Err(format!("line {number}: section [{name}] appears twice"));
            }
            sections.push((name, Vec::new()));
            last_key = None;
            continue;
        }
        let Some(at) = line.find(['=', ':']) else {
            return Err(format!("line {number}: not 'key = value'"));
        };
        let key = line[..at].trim().to_ascii_lowercase();
        let value = line[at + 1..].trim().to_owned();
        let Some(section) = sections.len().checked_sub(1) else {
            return Err(format!("line {number}: a key before any [section]"));
        };
        let keys = &mut sections[section].1;
        if keys.iter().any(|(k, _)| *k == key) {
            return Err(format!(
                "line {number}: key {key} appears twice in [{}]",
                sections[section].0
            ));
        }
        keys.push((key, value));
        last_key = Some((section, keys.len() - 1));
    }
    Ok(sections)
}

// ---------------------------------------------------------------------------------------------
// Instance metadata

/// The ECS metadata address the official SDK uses. Tests never use it: they point
/// [`MetadataProvider::endpoint`] at a local server.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://169.254.169.254";
/// Where the session token is asked for (`PUT`, with `X-Metadata-Token-Ttl-Seconds`).
pub const METADATA_TOKEN_PATH: &str = "/meta-data/latest/api/token";
/// Where the temporary AK/SK are read (`GET`, with `X-Metadata-Token`).
pub const METADATA_SECURITY_KEY_PATH: &str = "/openstack/latest/securitykey";
/// How long a session token is asked to live: 6 h, as the SDK asks.
pub const METADATA_TOKEN_TTL: Duration = Duration::from_secs(6 * 60 * 60);
/// How long before `expires_at` temporary credentials are refreshed: 40 min, as the SDK does.
pub const DEFAULT_REFRESH_BEFORE: Duration = Duration::from_secs(40 * 60);
/// The largest metadata answer read, in bytes.
const MAX_METADATA_BYTES: usize = 64 * 1024;

/// Temporary AK/SK from the ECS instance metadata (the instance's agency), as the official
/// SDK gets them: `PUT /meta-data/latest/api/token` with `X-Metadata-Token-Ttl-Seconds` for a
/// session token (a server without tokens, answering 404, 405 or 503, is asked without one),
/// then `GET /openstack/latest/securitykey` with `X-Metadata-Token`, whose JSON
/// `credential.access`, `secret`, `securitytoken` and `expires_at` are the credentials. A 401
/// gets a new session token and one more try.
///
/// The credentials are kept and refreshed [`DEFAULT_REFRESH_BEFORE`] before `expires_at`;
/// concurrent calls wait for one refresh instead of each making their own. The project id
/// (metadata gives none) comes from [`MetadataProvider::new`] or `HUAWEICLOUD_SDK_PROJECT_ID`.
/// An unreachable server is [`CredentialsError::NotFound`] (not on ECS); an error answer is
/// [`CredentialsError::Invalid`].
pub struct MetadataProvider {
    endpoint: String,
    project_id: Option<String>,
    refresh_before: Duration,
    http: OnceLock<Result<reqwest::Client, String>>,
    timeout: Duration,
    state: tokio::sync::Mutex<MetadataState>,
}

#[derive(Default)]
struct MetadataState {
    token: Option<SecretString>,
    current: Option<(Credentials, SystemTime)>,
}

impl fmt::Debug for MetadataProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetadataProvider")
            .field("endpoint", &self.endpoint)
            .field("project_id", &self.project_id)
            .field("refresh_before", &self.refresh_before)
            .finish_non_exhaustive()
    }
}

impl MetadataProvider {
    /// Temporary credentials for `project_id` from the default metadata address.
    pub fn new(project_id: impl Into<String>) -> Self {
        Self::with_project(Some(project_id.into()))
    }

    /// The project id from `HUAWEICLOUD_SDK_PROJECT_ID` (checked when credentials arrive).
    pub fn from_env() -> Self {
        Self::with_project(std::env::var(ENV_PROJECT_ID).ok().filter(|v| !v.is_empty()))
    }

    fn with_project(project_id: Option<String>) -> Self {
        MetadataProvider {
            endpoint: DEFAULT_METADATA_ENDPOINT.to_owned(),
            project_id,
            refresh_before: DEFAULT_REFRESH_BEFORE,
            http: OnceLock::new(),
            timeout: Duration::from_secs(3),
            state: tokio::sync::Mutex::new(MetadataState::default()),
        }
    }

    /// Another metadata address, for example a local server in tests.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// How long before `expires_at` to refresh (default [`DEFAULT_REFRESH_BEFORE`]).
    pub fn refresh_before(mut self, margin: Duration) -> Self {
        self.refresh_before = margin;
        self
    }

    /// The timeout of each metadata request (default 3 s, as the SDK's).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The credentials, fetched when there are none yet or they are close to `expires_at`.
    pub async fn read(&self) -> Result<Provided, CredentialsError> {
        let mut state = self.state.lock().await;
        let fresh = |expires_at: SystemTime| {
            expires_at
                .duration_since(SystemTime::now())
                .is_ok_and(|left| left > self.refresh_before)
        };
        if let Some((credentials, expires_at)) = &state.current {
            if fresh(*expires_at) {
                return Ok(self.provided(credentials.clone()));
            }
        }
        let (credentials, expires_at) = self.fetch(&mut state).await?;
        state.current = Some((credentials.clone(), expires_at));
        Ok(self.provided(credentials))
    }

    fn provided(&self, credentials: Credentials) -> Provided {
        Provided::new(
            credentials,
            format!("instance metadata {}", shown_endpoint(&self.endpoint)),
        )
    }

    fn place(&self) -> String {
        format!("instance metadata {}", shown_endpoint(&self.endpoint))
    }

    fn client(&self) -> Result<&reqwest::Client, CredentialsError> {
        let built = self.http.get_or_init(|| {
            reqwest::Client::builder()
                .connect_timeout(self.timeout)
                .timeout(self.timeout)
                .redirect(reqwest::redirect::Policy::none())
                // The link-local address must never go through a proxy.
                .no_proxy()
                .build()
                .map_err(|e| e.to_string())
        });
        built.as_ref().map_err(|e| {
            CredentialsError::Invalid(format!(
                "{}: cannot build an HTTP client: {e}",
                self.place()
            ))
        })
    }

    /// One round trip: `(status, body)`; a failure to connect is `NotFound`.
    async fn call(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<(u16, Vec<u8>), CredentialsError> {
        let failed = |e: reqwest::Error| {
            let why = crate::error::error_chain(&e);
            if e.is_connect() {
                not_found(format!("{}: unreachable ({why})", self.place()))
            } else {
                CredentialsError::Invalid(format!("{}: {what} failed: {why}", self.place()))
            }
        };
        let mut response = request.send().await.map_err(failed)?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > MAX_METADATA_BYTES {
                return Err(CredentialsError::Invalid(format!(
                    "{}: {what} answered more than {MAX_METADATA_BYTES} bytes",
                    self.place()
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }

    async fn new_token(&self) -> Result<Option<SecretString>, CredentialsError> {
        let request = self
            .client()?
            .put(format!("{}{METADATA_TOKEN_PATH}", self.endpoint))
            .header(
                "X-Metadata-Token-Ttl-Seconds",
                METADATA_TOKEN_TTL.as_secs().to_string(),
            );
        match self.call(request, "the token request").await? {
            (200, body) => {
                let token = String::from_utf8_lossy(&body).trim().to_owned();
                Ok((!token.is_empty()).then(|| SecretString::new(token)))
            }
            // A server without session tokens: ask without one, as the SDK does.
            (404 | 405 | 503, _) => Ok(None),
            (status, _) => Err(CredentialsError::Invalid(format!(
                "{}: the token request answered status {status}",
                self.place()
            ))),
        }
    }

    async fn security_key(
        &self,
        token: Option<&SecretString>,
    ) -> Result<(u16, Vec<u8>), CredentialsError> {
        let mut request = self
            .client()?
            .get(format!("{}{METADATA_SECURITY_KEY_PATH}", self.endpoint));
        if let Some(token) = token {
            let mut value = http::HeaderValue::from_str(token.expose_secret()).map_err(|_| {
                CredentialsError::Invalid(format!(
                    "{}: the session token cannot be sent in a header",
                    self.place()
                ))
            })?;
            value.set_sensitive(true);
            request = request.header("X-Metadata-Token", value);
        }
        self.call(request, "the securitykey request").await
    }

    async fn fetch(
        &self,
        state: &mut MetadataState,
    ) -> Result<(Credentials, SystemTime), CredentialsError> {
        if state.token.is_none() {
            state.token = self.new_token().await?;
        }
        let (mut status, mut body) = self.security_key(state.token.as_ref()).await?;
        if status == 401 {
            state.token = self.new_token().await?;
            (status, body) = self.security_key(state.token.as_ref()).await?;
        }
        if status != 200 {
            return Err(CredentialsError::Invalid(format!(
                "{}: the securitykey request answered status {status}{}",
                self.place(),
                if status == 404 {
                    " (does the instance have an agency?)"
                } else {
                    ""
                }
            )));
        }
        self.parse(&body)
    }

    fn parse(&self, body: &[u8]) -> Result<(Credentials, SystemTime), CredentialsError> {
        let invalid = |why: &str| {
            CredentialsError::Invalid(format!("{}: securitykey answer {why}", self.place()))
        };
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|_| invalid("is not JSON"))?;
        let credential = value
            .get("credential")
            .ok_or_else(|| invalid("has no 'credential' object"))?;
        let field = |name: &str| {
            credential
                .get(name)
                .and_then(serde_json::Value::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| invalid(&format!("has no credential.{name}")))
        };
        let (access, secret, token) = (field("access")?, field("secret")?, field("securitytoken")?);
        let expires_at = field("expires_at")?;
        let expires_at = crate::date::parse_rfc3339(&expires_at)
            .ok_or_else(|| invalid("has a credential.expires_at that is not an RFC 3339 time"))?;
        let project_id = self.project_id.clone().ok_or_else(|| {
            CredentialsError::Invalid(format!(
                "{}: gives no project id; set {ENV_PROJECT_ID}",
                self.place()
            ))
        })?;
        Ok((
            Credentials::temporary(access, secret, token, project_id),
            expires_at,
        ))
    }
}

impl ProvideCredentials for MetadataProvider {
    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(self.read())
    }
}

// ---------------------------------------------------------------------------------------------
// Chain

/// Providers asked in turn until one finds credentials; [`ProviderChain::default`] is the
/// official SDK's order for a regional service: environment, profile file `[basic]`,
/// instance metadata. Once a provider has found credentials, later calls ask that provider
/// only (so that a refreshing provider keeps its place).
///
/// ```
/// use clustercert_runtime::provider::{EnvProvider, ProfileProvider, ProviderChain, Section};
/// use clustercert_runtime::CredentialsError;
///
/// let chain = ProviderChain::new(vec![
///     Box::new(EnvProvider::with_lookup(|_| None)),
///     Box::new(ProfileProvider::from_path("/nonexistent/credentials", Section::Basic)),
/// ]);
/// let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// let err = rt.block_on(chain.read()).unwrap_err();
/// assert!(matches!(err, CredentialsError::NotFound { ref looked } if looked.len() == 2));
/// assert!(err.to_string().contains("/nonexistent/credentials: does not exist"));
/// ```
#[derive(Debug)]
pub struct ProviderChain {
    providers: Vec<Box<dyn ProvideCredentials>>,
    answered: OnceLock<usize>,
}

impl Default for ProviderChain {
    fn default() -> Self {
        ProviderChain::new(vec![
            Box::new(EnvProvider::new()),
            Box::new(ProfileProvider::basic()),
            Box::new(MetadataProvider::from_env()),
        ])
    }
}

impl ProviderChain {
    /// These providers, in this order.
    pub fn new(providers: Vec<Box<dyn ProvideCredentials>>) -> Self {
        ProviderChain {
            providers,
            answered: OnceLock::new(),
        }
    }

    /// The first credentials found; [`CredentialsError::NotFound`] listing every place looked
    /// in when none has any; the first other error as it is.
    pub async fn read(&self) -> Result<Provided, CredentialsError> {
        if let Some(&index) = self.answered.get() {
            if let Some(provider) = self.providers.get(index) {
                return provider.provide().await;
            }
        }
        let mut looked = Vec::new();
        for (index, provider) in self.providers.iter().enumerate() {
            match provider.provide().await {
                Ok(provided) => {
                    let _ = self.answered.set(index);
                    return Ok(provided);
                }
                Err(CredentialsError::NotFound { looked: places }) => looked.extend(places),
                Err(other) => return Err(other),
            }
        }
        Err(CredentialsError::NotFound { looked })
    }
}

impl ProvideCredentials for ProviderChain {
    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(self.read())
    }
}
